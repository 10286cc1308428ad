#!/bin/sh
# example_package: the installed library is usable as the README says (issue 14). Installs this
# build into a temporary prefix, then builds examples/approximate.c against it three ways and
# runs each on mona32.png (10 triangles, a valid SVG on stdout), after checking that the shared
# library exports exactly the functions polyevolve.h declares:
#   1. cc approximate.c $(pkg-config --cflags --libs polyevolve)          (the shared library)
#   2. cc approximate.c $(pkg-config --static --cflags --libs polyevolve) -static-libgcc
#      with -Wl,-Bstatic for polyevolve only                               (the static archives)
#   3. a CMake project: find_package(polyevolve) + polyevolve::polyevolve, and
#      polyevolve::polyevolve_static
# Usage: example_package.sh BUILD_DIR SOURCE_DIR. Skips (77) without pkg-config or cc.
set -u
B=${1:?usage: example_package.sh BUILD_DIR SOURCE_DIR}
S=${2:?usage: example_package.sh BUILD_DIR SOURCE_DIR}
DATA=${PE_TEST_DATA:-$S/tests/data}
command -v pkg-config >/dev/null 2>&1 || { echo "SKIP: pkg-config not installed"; exit 77; }
command -v cc >/dev/null 2>&1 || { echo "SKIP: no C compiler"; exit 77; }
T=$(mktemp -d "${TMPDIR:-/tmp}/pe-pkg.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok   $*"; }

cmake --install "$B" --prefix "$T/p" >"$T/install.log" 2>&1 || { cat "$T/install.log"; echo "FAIL: cmake --install"; exit 1; }
lib=$(ls -d "$T"/p/lib* | head -n 1)
export PKG_CONFIG_PATH="$lib/pkgconfig"

# run_svg NAME BINARY: the example on mona32 must print an SVG and exit 0
run_svg() {
    if "$2" "$DATA/mona32.png" 10 >"$T/$1.svg" 2>"$T/$1.err" && grep -q '^<svg ' "$T/$1.svg" &&
        grep -q '</svg>' "$T/$1.svg"; then
        ok "$1: the example ran and wrote an SVG ($(cat "$T/$1.err"))"
    else
        fail "$1: the example failed: $(head -c 300 "$T/$1.err")"
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
# 1. pkg-config, shared
if cc "$S/examples/approximate.c" $(pkg-config --cflags --libs polyevolve) -Wl,-rpath,"$lib" \
    -o "$T/shared" 2>"$T/cc1.err"; then
    ok "cc \$(pkg-config --cflags --libs polyevolve) links"
    readelf -d "$T/shared" | grep -q 'NEEDED.*libpolyevolve\.so' && ok "it uses libpolyevolve.so" ||
        fail "the pkg-config build does not use the shared library"
    run_svg shared "$T/shared"
else
    fail "plain pkg-config link failed: $(head -n 5 "$T/cc1.err")"
fi
# 2. pkg-config --static: the archives, their dependencies from the private fields
mv "$lib/libpolyevolve.so" "$T/hidden.so" # so that -lpolyevolve can only be the archive
if cc "$S/examples/approximate.c" $(pkg-config --static --cflags --libs polyevolve) \
    -o "$T/static" 2>"$T/cc2.err"; then
    ok "cc \$(pkg-config --static --cflags --libs polyevolve) links"
    run_svg static "$T/static"
else
    fail "pkg-config --static link failed: $(head -n 5 "$T/cc2.err")"
fi
mv "$T/hidden.so" "$lib/libpolyevolve.so"
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
