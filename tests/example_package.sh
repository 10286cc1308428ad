#!/bin/sh
# example_package: the installed library is usable as docs/library.md says. Installs this build
# into a temporary prefix (not a system directory, so the loader does not know it), then builds
# examples/approximate.c against it and runs each on mona32.png (10 triangles, a valid SVG on
# stdout), after checking that the shared library exports exactly the functions polyevolve.h
# declares:
#   1. cc approximate.c $(pkg-config --cflags --libs polyevolve)
#        -Wl,-rpath,$(pkg-config --variable=libdir polyevolve)           (the shared library;
#      without the rpath it does not start, with LD_LIBRARY_PATH it does)
#   2. cc approximate.c $(pkg-config --static --cflags --libs polyevolve)   (the archives: the
#      program needs no libpolyevolve.so, readelf shows no NEEDED entry for it)
#   3. a CMake project: find_package(polyevolve) + polyevolve::polyevolve, and
#      polyevolve::polyevolve_static
# Usage: example_package.sh BUILD_DIR SOURCE_DIR. Skips (77) without pkg-config, cc or readelf.
set -u
B=${1:?usage: example_package.sh BUILD_DIR SOURCE_DIR}
S=${2:?usage: example_package.sh BUILD_DIR SOURCE_DIR}
DATA=${PE_TEST_DATA:-$S/tests/data}
command -v pkg-config >/dev/null 2>&1 || { echo "SKIP: pkg-config not installed"; exit 77; }
command -v cc >/dev/null 2>&1 || { echo "SKIP: no C compiler"; exit 77; }
command -v readelf >/dev/null 2>&1 || { echo "SKIP: readelf not installed"; exit 77; }
T=$(mktemp -d "${TMPDIR:-/tmp}/pe-pkg.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok   $*"; }

cmake --install "$B" --prefix "$T/p" >"$T/install.log" 2>&1 || { cat "$T/install.log"; echo "FAIL: cmake --install"; exit 1; }
lib=$(ls -d "$T"/p/lib* | head -n 1)
export PKG_CONFIG_PATH="$lib/pkgconfig"

# run_svg NAME COMMAND...: the example on mona32 must print an SVG and exit 0
run_svg() {
    name=$1
    shift
    if "$@" "$DATA/mona32.png" 10 >"$T/$name.svg" 2>"$T/$name.err" &&
        grep -q '^<svg ' "$T/$name.svg" && grep -q '</svg>' "$T/$name.svg"; then
        ok "$name: the example ran and wrote an SVG ($(cat "$T/$name.err"))"
    else
        fail "$name: the example failed: $(head -c 300 "$T/$name.err")"
    fi
}

# 0. the shared library exports exactly the functions the header declares
want=$(grep -oE '[ *]pe_[a-z0-9_]+\(' "$S/include/polyevolve.h" | tr -d ' *(' | sort -u)
have=$(nm -D --defined-only "$lib/libpolyevolve.so" | awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' | sort -u)
if [ "$want" = "$have" ]; then
    ok "libpolyevolve.so exports the header's $(echo "$want" | wc -l) functions and nothing else"
else
    fail "exports differ from the header: $(printf '%s\n' "$want" "$have" | sort | uniq -u | tr '\n' ' ')"
fi
# needs NAME: does the program NAME load libpolyevolve.so?
needs_so() {
    readelf -d "$T/$1" | grep -q 'NEEDED.*libpolyevolve\.so'
}
# 1. pkg-config, shared, with the rpath docs/library.md gives
libdir=$(pkg-config --variable=libdir polyevolve)
if cc "$S/examples/approximate.c" $(pkg-config --cflags --libs polyevolve) \
    -Wl,-rpath,"$libdir" -o "$T/shared" 2>"$T/cc1.err"; then
    ok "cc \$(pkg-config --cflags --libs polyevolve) -Wl,-rpath,\$(pkg-config" \
        "--variable=libdir polyevolve) links"
    if needs_so shared; then
        ok "it uses libpolyevolve.so"
    else
        fail "the pkg-config build does not use the shared library"
    fi
    run_svg shared "$T/shared"
else
    fail "plain pkg-config link failed: $(head -n 5 "$T/cc1.err")"
fi
# ... without it the loader cannot find the library in a prefix it does not know, until
# LD_LIBRARY_PATH names the directory
if cc "$S/examples/approximate.c" $(pkg-config --cflags --libs polyevolve) -o "$T/norpath" \
    2>"$T/cc1b.err"; then
    if "$T/norpath" "$DATA/mona32.png" 10 >/dev/null 2>"$T/norpath.err"; then
        fail "a program without the rpath ran: is the prefix a system directory?"
    elif grep -q 'libpolyevolve\.so.*cannot open shared object file' "$T/norpath.err"; then
        ok "without the rpath: $(head -c 120 "$T/norpath.err")"
    else
        fail "without the rpath, an unexpected failure: $(head -c 300 "$T/norpath.err")"
    fi
    run_svg ld_library_path env LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
        "$T/norpath"
else
    fail "plain pkg-config link without the rpath failed: $(head -n 5 "$T/cc1b.err")"
fi
# 2. pkg-config --static: the archives, with libpolyevolve.so beside them in the same directory
if cc "$S/examples/approximate.c" $(pkg-config --static --cflags --libs polyevolve) \
    -o "$T/static" 2>"$T/cc2.err"; then
    ok "cc \$(pkg-config --static --cflags --libs polyevolve) links"
    if needs_so static; then
        fail "the --static build needs libpolyevolve.so: $(readelf -d "$T/static" | grep NEEDED |
            tr -s ' ' | tr '\n' ' ')"
    else
        ok "it does not need libpolyevolve.so (readelf -d: no NEEDED entry for it)"
    fi
    run_svg static "$T/static"
else
    fail "pkg-config --static link failed: $(head -n 5 "$T/cc2.err")"
fi
# 3. CMake package
mkdir -p "$T/proj"
cp "$S/examples/approximate.c" "$T/proj/"
cat >"$T/proj/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.16)
project(use_polyevolve C)
find_package(polyevolve REQUIRED)
add_executable(approx_shared approximate.c)
target_link_libraries(approx_shared PRIVATE polyevolve::polyevolve)
add_executable(approx_static approximate.c)
target_link_libraries(approx_static PRIVATE polyevolve::polyevolve_static)
CMAKE
if cmake -S "$T/proj" -B "$T/proj/build" -DCMAKE_PREFIX_PATH="$T/p" >"$T/cm.log" 2>&1 &&
    cmake --build "$T/proj/build" >>"$T/cm.log" 2>&1; then
    ok "find_package(polyevolve) builds the example (shared and static)"
    run_svg cmake_shared "$T/proj/build/approx_shared"
    run_svg cmake_static "$T/proj/build/approx_static"
else
    fail "the CMake package build failed: $(grep -iE 'error|not found' "$T/cm.log" | head -n 5)"
fi
[ "$fails" -eq 0 ] && { echo "example_package: all checks passed"; exit 0; }
exit 1
