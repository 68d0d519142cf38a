#!/bin/sh
# check-exports.sh - compare the exports of our winhttp.dll (and the symbols
# of our import library) with what Windows' winhttp.dll exports, as recorded
# in mingw-w64's import library.
#
# usage: check-exports.sh [-v] [-n NAME] ARCH DLL IMPLIB [REFERENCE-LIB]
#
#   ARCH           x86_64 or i686 (selects ARCH-w64-mingw32-nm/objdump,
#                  override with $PREFIX, e.g. PREFIX=x86_64-w64-mingw32-)
#   DLL            our winhttp.dll
#   IMPLIB         our libwinhttp.a
#   REFERENCE-LIB  mingw-w64's libwinhttp.a (default: asked from
#                  ARCH-w64-mingw32-gcc -print-file-name=libwinhttp.a,
#                  else /usr/ARCH-w64-mingw32/lib/libwinhttp.a)
#
# Checks, one test each:
#   * every name exported by Windows' DLL is exported by ours, by name, and
#     undecorated (no _Name@N / Name@N forms in the export table);
#   * our import library defines the same symbol as mingw-w64's for every
#     name (on i686 the decorated _Name@N, so stdcall argument sizes agree)
#     together with its __imp_ pointer;
#   * a program linked against our import library imports WinHttpOpen by
#     name from "winhttp.dll";
#   * the same for the exports Windows 10 20348 and 11 added, listed in
#     tools/winhttp-exports-win11.txt (i686: the NAME@N given there).
# Output uses winetest conventions and ends with
#   NAME: N tests executed (0 marked as todo, F failures), S skipped.
# Exit status is 1 if anything failed.

verbose=0
name=
while [ $# -gt 0 ]; do
    case $1 in
        -v) verbose=1; shift ;;
        -n) name=$2; shift 2 ;;
        *) break ;;
    esac
done
[ -n "${WINETEST_DEBUG:-}" ] && [ "${WINETEST_DEBUG}" -gt 1 ] 2>/dev/null && verbose=1

if [ $# -lt 3 ]; then
    sed -n '2,13s/^# \{0,1\}//p' "$0" >&2
    exit 2
fi

arch=$1 dll=$2 implib=$3 reflib=${4:-}
name=${name:-exports_$arch}
prefix=${PREFIX:-$arch-w64-mingw32-}
NM=${prefix}nm
OBJDUMP=${prefix}objdump
CC=${CC_FOR_ARCH:-${prefix}gcc}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-exports.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/test-lib.sh"
t_name "$name"

ok() {  # ok CONDITION-STATUS MESSAGE
    t_ok "$1" "$2"
    if [ "$1" -eq 0 ] && [ $verbose -eq 1 ]; then echo "$name: Test succeeded: $2"; fi
}

case $arch in
    x86_64|i686) ;;
    *) echo "$name: unknown arch '$arch'" >&2; exit 2 ;;
esac

if [ -z "$reflib" ]; then
    reflib=$($CC -print-file-name=libwinhttp.a 2>/dev/null)
    case $reflib in /*) ;; *) reflib=/usr/$arch-w64-mingw32/lib/libwinhttp.a ;; esac
fi

if [ ! -f "$reflib" ]; then
    t_skip "reference import library $reflib not found"
    t_summary
fi

# ---- reference: symbols defined by mingw-w64's import library ----------
# (T = the call thunk; its name is the decorated C name of the function)
$NM "$reflib" 2>/dev/null | awk '$2 == "T" { print $3 }' | sort -u > "$tmp/ref.sym"
if [ "$arch" = i686 ]; then
    sed -e 's/^_//' -e 's/@[0-9]*$//' "$tmp/ref.sym" > "$tmp/ref.names"
else
    cp "$tmp/ref.sym" "$tmp/ref.names"
fi
nref=$(wc -l < "$tmp/ref.sym")
ok $([ "$nref" -gt 0 ]; echo $?) "reference $reflib defines $nref functions"

# ---- our DLL: export name table ----------------------------------------
if [ -f "$dll" ]; then
    $OBJDUMP -p "$dll" > "$tmp/dll.txt" 2>&1
    dll_ok=$?
    # "[Ordinal/Name Pointer] Table" lines: "[   0] Name" (older binutils:
    # "[   0] +base[   1]  0000 Name"); the name is the last field.
    awk '/\[Ordinal\/Name Pointer\] Table/ { t = 1; next }
         t && /^[ \t]*$/ { t = 0 }
         t && /\[ *[0-9]+\]/ { print $NF }' "$tmp/dll.txt" | sort -u > "$tmp/dll.names"
    ok $dll_ok "$dll is a PE file objdump can read"
else
    : > "$tmp/dll.names"
    ok 1 "$dll does not exist"
fi

# ---- our import library -------------------------------------------------
if [ -f "$implib" ]; then
    $NM "$implib" > "$tmp/implib.txt" 2>/dev/null
    ok $? "$implib is an archive nm can read"
    awk '$2 == "T" { print $3 }' "$tmp/implib.txt" | sort -u > "$tmp/implib.sym"
    awk '$2 == "I" { print $3 }' "$tmp/implib.txt" | sort -u > "$tmp/implib.imp"
else
    : > "$tmp/implib.sym"; : > "$tmp/implib.imp"
    ok 1 "$implib does not exist"
fi

# ---- per-function checks -------------------------------------------------
while read -r sym; do
    if [ "$arch" = i686 ]; then
        fn=${sym#_}; fn=${fn%@*}
    else
        fn=$sym
    fi
    if grep -qx "$fn" "$tmp/dll.names"; then
        ok 0 "$fn exported by name"
    else
        alt=$(grep -E "^_?$fn(@[0-9]+)?\$" "$tmp/dll.names" | head -n 1)
        if [ -n "$alt" ]; then
            ok 1 "$fn exported only as decorated '$alt' (export names must be undecorated)"
        else
            ok 1 "$fn is not exported by $dll"
        fi
    fi
    if grep -qx "$sym" "$tmp/implib.sym" && grep -qx "__imp_$sym" "$tmp/implib.imp"; then
        ok 0 "import library defines $sym and __imp_$sym"
    else
        have=$(grep -E "^_?$fn(@[0-9]+)?\$" "$tmp/implib.sym" | head -n 1)
        ok 1 "import library lacks $sym / __imp_$sym${have:+ (has '$have': stdcall argument size differs)}"
    fi
done < "$tmp/ref.sym"

# ---- exports newer than mingw-w64's library -------------------------------
extra=$(dirname "$0")/winhttp-exports-win11.txt
if [ -f "$extra" ]; then
    grep -v '^#' "$extra" | while read -r entry only; do
        fn=${entry%@*}
        [ -n "$only" ] && [ "$only" != "$arch" ] && continue
        grep -qx "$fn" "$tmp/dll.names"
        echo "$? $fn exported by name (Windows 11)"
        if [ "$arch" = i686 ]; then sym=_$entry; else sym=$fn; fi
        grep -qx "$sym" "$tmp/implib.sym" && grep -qx "__imp_$sym" "$tmp/implib.imp"
        echo "$? import library defines $sym and __imp_$sym (Windows 11)"
    done > "$tmp/extra.results"
    while read -r status message; do ok "$status" "$message"; done < "$tmp/extra.results"
else
    ok 1 "$extra not found"
fi

# Exports that carry a decoration are wrong even if unknown to the reference.
grep '@' "$tmp/dll.names" > "$tmp/decorated" 2>/dev/null
ok $([ ! -s "$tmp/decorated" ]; echo $?) \
    "no decorated export names in $dll$([ -s "$tmp/decorated" ] && printf ': %s' "$(tr '\n' ' ' < "$tmp/decorated")")"

# ---- link a program against our import library ---------------------------
if [ -f "$implib" ] && command -v "$CC" >/dev/null 2>&1; then
    if [ "$arch" = i686 ]; then open=_WinHttpOpen@20; else open=WinHttpOpen; fi
    cat > "$tmp/use.c" <<EOF
typedef unsigned short wchar;
extern __attribute__((dllimport)) void *__attribute__((stdcall))
WinHttpOpen(const wchar *, unsigned long, const wchar *, const wchar *, unsigned long);
int main(void) { return WinHttpOpen(0, 1, 0, 0, 0) != 0; }
EOF
    if $CC -o "$tmp/use.exe" "$tmp/use.c" "$implib" > "$tmp/link.txt" 2>&1; then
        $OBJDUMP -p "$tmp/use.exe" > "$tmp/use.txt" 2>&1
        dllname=$(awk '/DLL Name:/ { n = $3 } /WinHttpOpen$/ && n { print n; exit }' "$tmp/use.txt")
        ok $(echo "$dllname" | grep -qix 'winhttp.dll'; echo $?) \
            "program linked with $implib imports WinHttpOpen from '${dllname:-?}'"
    else
        ok 1 "linking a program against $implib ($open) failed: $(tr '\n' ' ' < "$tmp/link.txt")"
    fi
fi

t_summary
