#!/bin/sh
# The whole test suite: install what is missing, build, run ctest; then the same suite under
# AddressSanitizer + UndefinedBehaviorSanitizer; then each fuzz target for a bounded time.
#   scripts/test.sh            everything (CI runs this)
#   QUICK=1 scripts/test.sh    the plain build and ctest only
set -eu
cd "$(dirname "$0")/.."
scripts/setup.sh --test
jobs=$(nproc)

echo "== build and test (RelWithDebInfo)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPOLYEVOLVE_WERROR=ON >/dev/null
cmake --build build -j "$jobs" >/dev/null
ctest --test-dir build --output-on-failure -j "$jobs" --output-junit junit.xml

[ "${QUICK:-0}" = 1 ] && exit 0

echo "== build and test with AddressSanitizer + UBSan"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DPOLYEVOLVE_SANITIZE=ON >/dev/null
cmake --build build-asan -j "$jobs" >/dev/null
ASAN_OPTIONS=detect_leaks=1 ctest --test-dir build-asan --output-on-failure -j "$jobs" -LE slow

echo "== fuzz"
if [ -x scripts/fuzz.sh ]; then
    FUZZ_SECONDS="${FUZZ_SECONDS:-30}" scripts/fuzz.sh
fi
