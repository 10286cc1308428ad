#!/bin/sh
# fuzz.sh: build the libFuzzer targets (fuzz/) with clang, seed their corpora, run each for a
# bounded time, and keep every crashing input as a regression input in tests/data/fuzz-regressions
# (named <target>-<sha1>; test_image replays the image-* ones). Exits 1 when a crash was found,
# 2 when a target does not build (the others still run).
#
# Environment (all optional):
#   FUZZ_SECONDS   seconds per target (default 60)
#   FUZZ_SEED      libFuzzer's random seed (default 1: a CI failure replays here with the same
#                  binary; pass another number to explore elsewhere)
#   FUZZ_TARGETS   targets to run (default "image state")
#   FUZZ_BUILD     build directory (default build-fuzz)
#   FUZZ_MAX_LEN   largest input in bytes (default 65536)
#   FUZZ_RSS_MB    memory limit per process in MB (default 2048)
#   FUZZ_OPENMP    ON (default) or OFF, passed to POLYEVOLVE_OPENMP
#   PE_SHARED      the shared test data (default ../shared); its images seed the corpus if present
# Needs: clang and libFuzzer (Debian: clang-14, libclang-rt-14-dev).
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${FUZZ_BUILD:-$ROOT/build-fuzz}
SECONDS_EACH=${FUZZ_SECONDS:-60}
TARGETS=${FUZZ_TARGETS:-"image state"}
MAX_LEN=${FUZZ_MAX_LEN:-65536}
RSS_MB=${FUZZ_RSS_MB:-2048}
SHARED=${PE_SHARED:-$ROOT/../shared}
REGRESS=$ROOT/tests/data/fuzz-regressions

# Tests off: only the fuzz targets are built here. OpenMP stays as in a normal build (clang's
# runtime is Debian's libomp-dev); FUZZ_OPENMP=OFF turns it off.
mkdir -p "$BUILD"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPOLYEVOLVE_FUZZ=ON -DPOLYEVOLVE_OPENMP="${FUZZ_OPENMP:-ON}" -DBUILD_TESTING=OFF >"$BUILD/configure.log" 2>&1 ||
    { cat "$BUILD/configure.log"; exit 2; }
built=""
for t in $TARGETS; do
    if cmake --build "$BUILD" --target "fuzz_$t" -j "$(nproc)" >"$BUILD/build_$t.log" 2>&1; then
        built="$built $t"
    else
        grep -E 'error' "$BUILD/build_$t.log" | head -n 20
        echo "fuzz.sh: fuzz_$t does not build (log: $BUILD/build_$t.log)"
        build_failed=1
    fi
done

# Seed corpora: copies, so the fuzzer's additions never land in the source tree.
seed() { # seed <dir> <files...>: copy the regular files among the arguments
    dir=$1; shift
    for f in "$@"; do
        if [ -f "$f" ]; then cp "$f" "$dir/"; fi
    done
}
mkdir -p "$BUILD/corpus/image" "$BUILD/corpus/state"
seed "$BUILD/corpus/image" "$ROOT"/tests/data/*.png "$ROOT"/tests/data/*.jpg "$ROOT"/tests/data/*.gif \
    "$ROOT"/tests/data/*.bmp "$ROOT"/tests/data/*.tga "$ROOT"/tests/data/*.p?m \
    "$ROOT"/tests/data/*.psd "$ROOT"/tests/data/bad/* "$REGRESS"/image-*
if [ -d "$SHARED/images" ]; then
    seed "$BUILD/corpus/image" "$SHARED"/images/*.png "$SHARED"/images/*.jpg "$SHARED"/images/bad/*
else
    echo "fuzz.sh: no $SHARED/images; seeding from tests/data only"
fi
seed "$BUILD/corpus/state" "$ROOT"/tests/data/*.json "$ROOT"/tests/data/*.state \
    "$ROOT"/tests/data/*/*.json "$REGRESS"/state-*
printf '{"format": "polyevolve-state", "version": 1}' >"$BUILD/corpus/state/minimal.json"
if [ -f "$ROOT/docs/state-format.md" ]; then # the specification's example file
    awk '/^```json/ { on = 1; next } /^```/ { if (on) exit } on' "$ROOT/docs/state-format.md" \
        >"$BUILD/corpus/state/spec_example.json"
fi

found=0
for t in $built; do
    art=$BUILD/artifacts/$t
    rm -rf "$art"
    mkdir -p "$art"
    echo "fuzz.sh: fuzz_$t for ${SECONDS_EACH}s (log: $BUILD/fuzz_$t.log)"
    status=0
    "$BUILD/fuzz/fuzz_$t" "$BUILD/corpus/$t" -max_total_time="$SECONDS_EACH" -seed="${FUZZ_SEED:-1}" \
        -max_len="$MAX_LEN" -rss_limit_mb="$RSS_MB" -timeout=20 -print_final_stats=1 \
        -artifact_prefix="$art/" >"$BUILD/fuzz_$t.log" 2>&1 || status=$?
    grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb|^#[0-9]+ *DONE' \
        "$BUILD/fuzz_$t.log" || true
    for a in "$art"/*; do
        [ -f "$a" ] || continue
        mkdir -p "$REGRESS"
        name=$t-$(sha1sum "$a" | cut -c1-16)
        cp "$a" "$REGRESS/$name"
        echo "fuzz.sh: fuzz_$t: $(basename "$a") -> tests/data/fuzz-regressions/$name"
        # A CI machine's checkout is thrown away: print small inputs so the log alone can
        # reproduce them (base64 -d > file).
        if [ "$(wc -c <"$a")" -le 4096 ]; then
            echo "fuzz.sh: $name as base64:"
            base64 "$a"
        fi
        found=1
    done
    if [ "$status" -ne 0 ]; then
        echo "fuzz.sh: fuzz_$t exited with status $status; the end of its log:"
        tail -n 40 "$BUILD/fuzz_$t.log"
        found=1
    fi
done
if [ "$found" -ne 0 ]; then exit 1; fi
if [ -n "${build_failed:-}" ]; then exit 2; fi
exit 0
