#!/bin/sh
# The whole test suite: install what is missing, build, run ctest; then the same suite under
# AddressSanitizer + UndefinedBehaviorSanitizer; the core's tests under ThreadSanitizer; then
# each fuzz target for a bounded time.
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
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DPOLYEVOLVE_SANITIZE=ON -DPOLYEVOLVE_BENCH=OFF \
    >/dev/null
cmake --build build-asan -j "$jobs" >/dev/null
ASAN_OPTIONS=detect_leaks=1 ctest --test-dir build-asan --output-on-failure -j "$jobs" -LE "slow|plain"

echo "== ThreadSanitizer: the core's tests and a --time run (clang and LLVM's OpenMP runtime)"
CC=clang cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPOLYEVOLVE_TSAN=ON \
    -DPOLYEVOLVE_SHARED=OFF >/dev/null
cmake --build build-tsan -j "$jobs" --target test_evolve test_sched test_op polyevolve >/dev/null
# the runtime's own tool for TSan (archer) is left out: LLVM 14's crashes on 'taskwait depend';
# evolve.c tells TSan where tasks are handed over instead
export OMP_TOOL=disabled TSAN_OPTIONS="halt_on_error=1 ignore_noninstrumented_modules=1"
ctest --test-dir build-tsan -R '^(sched|op)$' --output-on-failure
for c in same_result_for_any_thread_count progress_in_order_and_a_stop_returns_its_step \
    cancel_stops_within_a_batch; do
    build-tsan/tests/test_evolve "$c"
done
tsan_out=$(mktemp -d)
build-tsan/polyevolve tests/data/mona64.png -n 400 --time 0.5 -j 4 -q -o "$tsan_out/t.svg"
# six rounds whose regrows find the picture to draw again: its bands run on several threads
build-tsan/polyevolve tests/data/mona64.png -n 300 -j 4 -q --frames 0 -o "$tsan_out/b.svg"
rm -rf "$tsan_out"
unset OMP_TOOL TSAN_OPTIONS

echo "== fuzz"
if [ -x scripts/fuzz.sh ]; then
    FUZZ_SECONDS="${FUZZ_SECONDS:-15}" scripts/fuzz.sh
fi
