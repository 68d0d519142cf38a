# tools/loaddll-lib.sh: which winhttp.dll a traced Wine run loaded
# (sourced by tools/winetests.sh and tools/libgit2-tests.sh).  A run that
# silently used another winhttp.dll than the one asked for would be a test
# that cannot fail, so each run is traced with +loaddll and checked here.

# A +loaddll line's part that says a winhttp.dll was loaded (grep pattern).
loaddll_winhttp='Loaded L"[^"]*[\\/]winhttp\.dll"'

# loaddll_verdict WANT [-i] (WANT: native or builtin): reads +loaddll traces
# (carriage returns removed) on standard input, prints one line saying what
# was loaded, and fails when no winhttp.dll was loaded or one of the other
# kind.  -i: the file name in any case (Wine prints it as the importer
# spelled it: libgit2's import of WINHTTP.dll).
loaddll_verdict() {
    local want=$1 nocase=${2:-} loaded
    loaded=$(grep -o $nocase "$loaddll_winhttp"' at [0-9A-Fa-f]*: [a-z]*' | sort -u)
    if [ -z "$loaded" ]; then
        echo "dll: no winhttp.dll loaded (no +loaddll line): one failure"
        return 1
    fi
    if echo "$loaded" | grep -qv ": $want\$"; then
        echo "dll: NOT the $want winhttp.dll, one failure: $(echo "$loaded" | tr '\n' ' ')"
        return 1
    fi
    echo "dll: $want winhttp.dll ($(echo "$loaded" | head -n 1 | sed -E 's/Loaded (L"[^"]*").*/\1/'))"
}
