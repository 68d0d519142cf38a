# tools/debsrc-lib.sh: fetching a Debian source package at test time
# (sourced by tools/libgit2-tests.sh and tools/winetests.sh).  Third-party
# test code is never copied into the repository: it is fetched with
# apt-get source into build/.
#
# Source indexes only ("deb-src"): binary entries of another suite would let
# apt upgrade the installed packages to it.  The entries: winhttp-ws-src
# (bookworm, bookworm-updates), winhttp-ws-src-trixie (tools/winetests.sh
# --wine-source 10).

# $1 the package, $2 the version: whether apt knows that source.
debsrc_have() {
    apt-cache showsrc "$1" 2>/dev/null | grep -qxF "Version: $2"
}

# Adds a sources file (deb822) of ours: $1 its name, $2 the suites.
# Returns 1 with debsrc_error set when it cannot.
debsrc_add() {
    [ "$(id -u)" -eq 0 ] || { debsrc_error="no deb-src entries for $2 and not root: add a 'deb-src' entry to /etc/apt/sources.list.d/"; return 1; }
    cat > "/etc/apt/sources.list.d/$1.sources" <<EOF
# Added by winhttp-ws tools/debsrc-lib.sh: source packages, so that
# third-party tests can be fetched with "apt-get source".
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $2
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    apt-get update -q > "/tmp/debsrc-apt-update.$$.log" 2>&1 ||
        { debsrc_error="apt-get update failed (see /tmp/debsrc-apt-update.$$.log)"; return 1; }
    rm -f "/tmp/debsrc-apt-update.$$.log"
}

# Fetches and unpacks source package $1 at version $2 into $3/$1, unless
# $3/$4 (a file of the unpacked tree) exists.  Returns 1 with debsrc_error
# set when it cannot.
debsrc_fetch() {
    local pkg=$1 version=$2 dir=$3 mark=$4 dsc
    [ -f "$dir/$mark" ] && return 0
    command -v dpkg-source > /dev/null || { debsrc_error="dpkg-source missing: apt-get install dpkg-dev"; return 1; }
    debsrc_have "$pkg" "$version" || debsrc_add winhttp-ws-src "bookworm bookworm-updates" || return 1
    debsrc_have "$pkg" "$version" || { debsrc_error="apt has no source of $pkg $version"; return 1; }
    mkdir -p "$dir"
    (cd "$dir" && apt-get source -q --download-only "$pkg=$version" > "fetch-$pkg.log" 2>&1) ||
        { debsrc_error="apt-get source $pkg=$version failed (see $dir/fetch-$pkg.log)"; return 1; }
    dsc=$dir/${pkg}_${version#*:}.dsc
    rm -rf "$dir/$pkg.tmp"
    (cd "$dir" && dpkg-source -x "$dsc" "$dir/$pkg.tmp" >> "fetch-$pkg.log" 2>&1) ||
        { debsrc_error="dpkg-source -x $dsc failed (see $dir/fetch-$pkg.log)"; return 1; }
    rm -rf "$dir/$pkg"
    mv "$dir/$pkg.tmp" "$dir/$pkg"
}
