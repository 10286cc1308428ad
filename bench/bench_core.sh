#!/bin/bash
# bench_core.sh: the core's figures (issue 13), measured through the CLI and judged by
# ../shared/tools/score. Three tables, each printed as Markdown:
#   scaling   wall and CPU seconds at -j 1, 2, .. up to the cores (min of REPS runs), the speed-up
#             against -j 1 and the CPU against -j 1, for mona -n 50, 100, 250 (and, with BIG=1,
#             liza -r 0 -n 4000 --iterations 1); every run's final.svg is checked byte-equal
#   quality   judge PSNR of final.svg at 256 px, defaults, seeds 1-3, the 9 shared images
#   seams     seam ratio (score --seams CxR) on the grid older versions used for that image
#   idle      the CPU that idle threads cost: mona -n 250 at -j 2 and at -j 8 (more threads than
#             cores), min of REPS runs each; with idle threads asleep, -j 8's CPU is -j 2's
#   simulate IMAGE [ARGS]  a run's trace replayed on 1-32 threads (bench/bench_simulate.c): one
#             line per count, THREADS SPEEDUP; then the model checked against this machine: the
#             traced run's time at -j 1, and the speed-up at -j 2 over -j 1, the median of REPS
#             pairs of runs taken in turn (ARGS: -n N, -r N, --iterations N, --seed N)
# Usage: bench/bench_core.sh [scaling|quality|seams|all] [BIN] [BASE]
#   BIN   the polyevolve to measure (default build/polyevolve)
#   BASE  an older polyevolve to put beside it (quality, seams: its default run and, for the seam
#         control, its --tiles 1x1 run); optional
# Environment: SHARED (default ../shared), REPS (3), THREADS ("1 2 .. nproc"), BIG (0), SEEDS,
#   FRAMES (scaling: --frames of each run, default 0; 100 is the CLI's default).
set -u
cd "$(dirname "$0")/.."
what=${1:-all}
if [ "$what" = simulate ]; then # simulate IMAGE [ARGS]: the build's own bench_simulate
    BIN=$(realpath "${BIN:-build/polyevolve}")
else
    BIN=$(realpath "${2:-build/polyevolve}")
fi
BASE=${3:-}
SHARED=${SHARED:-../shared}
REPS=${REPS:-3}
SEEDS=${SEEDS:-"1 2 3"}
THREADS=${THREADS:-$(seq -s ' ' 1 "$(nproc)")}
SCORE="$SHARED/tools/score"
[ -x "$SCORE" ] && [ -d "$SHARED/images" ] || { echo "bench_core: needs $SHARED/images and $SCORE" >&2; exit 2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
img() { ls "$SHARED"/images/"$1".* | head -1; }
psnr() { "$SCORE" "$1" "$2" --size 256 "${@:3}" | sed 's/.*psnr=\([0-9.]*\).*/\1/'; }

# one run into a fresh directory OUT (a run refuses a directory that holds another input's
# files): prints "user sys"; fails when the run wrote no final.svg
run_into() {
    local out="$1" t; shift
    rm -rf "$out"
    t=$( { /usr/bin/time -f "%U %S" "$@" -o "$out" -q --frames 0; } 2>&1 | tail -1)
    [ -s "$out/final.svg" ] || { echo "bench_core: $* -o $out failed: $t" >&2; return 1; }
    echo "$t"
}

# min wall and its CPU of REPS runs: "wall cpu"
timed() {
    local best="" out="$1"; shift
    for _ in $(seq "$REPS"); do
        rm -rf "$out"
        local t
        t=$( { /usr/bin/time -f "%e %U %S" "$@" -o "$out" -q --frames "${FRAMES:-0}"; } 2>&1 | tail -1)
        best=$(printf '%s\n%s\n' "$best" "$(echo "$t" | awk '{printf "%.3f %.3f", $1, $2 + $3}')" |
               grep . | sort -n | head -1)
    done
    echo "$best"
}

scaling() {
    echo "### Thread scaling ($(nproc) cores, $(date -u +%F), --frames ${FRAMES:-0}, load $(cut -d' ' -f1 /proc/loadavg) at the start)"
    echo
    printf '| run |'; for j in $THREADS; do printf ' -j %s wall s (CPU s) |' "$j"; done
    printf ' speed-up at -j %s | CPU vs -j 1 | same SVG |\n|---|' "${THREADS##* }"
    for _ in $THREADS; do printf -- '---|'; done; echo '---|---|---|'
    local specs="mona:-n_50 mona:-n_100 mona:-n_250"
    [ "${BIG:-0}" = 1 ] && specs="$specs liza:-r_0_-n_4000_--iterations_1"
    for spec in $specs; do
        local name=${spec%%:*} args=${spec#*:}; args=${args//_/ }
        printf '| %s %s |' "$name" "$args"
        local w1="" c1="" wl="" cl="" same=yes
        for j in $THREADS; do
            read -r w c < <(timed "$tmp/s$j" "$BIN" "$(img "$name")" $args -j "$j")
            printf ' %s (%s) |' "$w" "$c"
            [ -z "$w1" ] && { w1=$w; c1=$c; }
            wl=$w; cl=$c
            cmp -s "$tmp/s${THREADS%% *}/final.svg" "$tmp/s$j/final.svg" || same=no
        done
        printf ' %s | %s | %s |\n' "$(echo "$w1 $wl" | awk '{printf "%.2fx", $1/$2}')" \
            "$(echo "$c1 $cl" | awk '{printf "%+.0f %%", 100*($2/$1-1)}')" "$same"
    done
    echo
    # the machine's own ceiling, in the same run: as many independent -j 1 runs at once as the
    # widest -j, against one alone (shared caches, memory and a busy host cap it below -j)
    local jmax=${THREADS##* } alone pair best=""
    alone=$(FRAMES=0 timed "$tmp/c0" "$BIN" "$(img mona)" -n 250 -j 1 | cut -d' ' -f1)
    for _ in $(seq "$REPS"); do
        local s0 e0
        s0=$(date +%s.%N)
        for i in $(seq "$jmax"); do
            "$BIN" "$(img mona)" -n 250 -j 1 -q --frames 0 -o "$tmp/c$i" & done
        wait
        e0=$(date +%s.%N)
        pair=$(echo "$s0 $e0" | awk '{printf "%.3f", $2 - $1}')
        best=$(printf '%s\n%s\n' "$best" "$pair" | grep . | sort -n | head -1)
    done
    echo "Ceiling: $jmax independent \`-j 1\` runs of mona -n 250 at once took $best s against $alone s" \
         "for one alone: $(echo "$jmax $alone $best" | awk '{printf "%.2fx", $1*$2/$3}') the throughput of one core."
    echo
}

quality() {
    echo "### Quality (judge PSNR of final.svg at 256 px, defaults, seeds $SEEDS; CPU s per run)"
    echo
    if [ -n "$BASE" ]; then
        echo "| image | this build | base | difference |"; echo "|---|---|---|---|"
    else
        echo "| image | this build |"; echo "|---|---|"
    fi
    local all="" allb=""
    for name in mona astronaut butterfly camera chelsea liza rocket seychelles tiny; do
        local f sum=0 sumb=0 cpu=0 cpub=0 n=0
        f=$(img "$name")
        for s in $SEEDS; do
            local t
            t=$(run_into "$tmp/q" "$BIN" "$f" --seed "$s") || exit 1
            sum=$(echo "$sum $(psnr "$f" "$tmp/q/final.svg")" | awk '{print $1 + $2}')
            cpu=$(echo "$cpu $t" | awk '{print $1 + $2 + $3}')
            if [ -n "$BASE" ]; then
                t=$(run_into "$tmp/b" "$BASE" "$f" --seed "$s") || exit 1
                sumb=$(echo "$sumb $(psnr "$f" "$tmp/b/final.svg")" | awk '{print $1 + $2}')
                cpub=$(echo "$cpub $t" | awk '{print $1 + $2 + $3}')
            fi
            n=$((n + 1))
        done
        local m mb
        m=$(echo "$sum $n" | awk '{printf "%.3f", $1/$2}'); all="$all $m"
        if [ -n "$BASE" ]; then
            mb=$(echo "$sumb $n" | awk '{printf "%.3f", $1/$2}'); allb="$allb $mb"
            printf '| %s | %s (%.2f s) | %s (%.2f s) | %+.3f |\n' "$name" "$m" "$(echo "$cpu $n" | awk '{print $1/$2}')" \
                "$mb" "$(echo "$cpub $n" | awk '{print $1/$2}')" "$(echo "$m $mb" | awk '{print $1-$2}')"
        else
            printf '| %s | %s (%.2f s) |\n' "$name" "$m" "$(echo "$cpu $n" | awk '{print $1/$2}')"
        fi
    done
    local mean meanb
    mean=$(echo "$all" | awk '{s=0; for (i=1;i<=NF;i++) s+=$i; printf "%.3f", s/NF}')
    if [ -n "$BASE" ]; then
        meanb=$(echo "$allb" | awk '{s=0; for (i=1;i<=NF;i++) s+=$i; printf "%.3f", s/NF}')
        echo "| mean | $mean | $meanb | $(echo "$mean $meanb" | awk '{printf "%+.3f", $1-$2}') |"
    else
        echo "| mean | $mean |"
    fi
    echo
}

seams() {
    echo "### Seams on the borders of the grid older versions used (seed 1)"
    echo
    echo "| image | grid | seam ratio | base tiled | base one tile (control) |"
    echo "|---|---|---|---|---|"
    for spec in mona:2x1 astronaut:1x2 butterfly:2x1 camera:1x2 chelsea:2x1 liza:1x2 rocket:2x1 seychelles:2x1; do
        local name=${spec%%:*} grid=${spec#*:} f r b="–" c="–"
        f=$(img "$name")
        run_into "$tmp/m" "$BIN" "$f" >/dev/null || exit 1
        r=$("$SCORE" "$f" "$tmp/m/final.svg" --seams "$grid" | grep -o 'seam_ratio=[0-9.]*' | cut -d= -f2)
        if [ -n "$BASE" ]; then
            run_into "$tmp/b" "$BASE" "$f" --tiles "$grid" >/dev/null || exit 1
            b=$("$SCORE" "$f" "$tmp/b/final.svg" --seams "$grid" | grep -o 'seam_ratio=[0-9.]*' | cut -d= -f2)
            run_into "$tmp/c" "$BASE" "$f" --tiles 1x1 >/dev/null || exit 1
            c=$("$SCORE" "$f" "$tmp/c/final.svg" --seams "$grid" | grep -o 'seam_ratio=[0-9.]*' | cut -d= -f2)
        fi
        echo "| $name | $grid | $r | $b | $c |"
    done
    echo
}

idle() {
    echo "### Idle threads (mona -n 250 --frames 0, $(nproc) cores, min of $REPS, load $(cut -d' ' -f1 /proc/loadavg))"
    echo
    echo "| -j | wall s | CPU s |"; echo "|---|---|---|"
    local c2="" c8=""
    for j in 1 2 8; do
        read -r w c < <(timed "$tmp/i$j" "$BIN" "$(img mona)" -n 250 -j "$j")
        echo "| $j | $w | $c |"
        [ "$j" = 2 ] && c2=$c
        [ "$j" = 8 ] && c8=$c
    done
    echo
    echo "CPU at -j 8 against -j 2: $(echo "$c8 $c2" | awk '{printf "%+.1f %%", 100 * ($1 / $2 - 1)}')"
}

simulate() {
    local sim
    sim="$(dirname "$BIN")/bench/bench_simulate"
    [ -x "$sim" ] || { echo "bench_core: $sim is not built" >&2; exit 2; }
    local image=$1; shift
    "$sim" "$image" "$@" --report -j 1 >"$tmp/one" || exit 1
    sed -n '/^THREADS/,$p' "$tmp/one"
    echo
    local t1 s1 m2 s2
    t1=$(sed -n 's/.*measured at -j 1: \([0-9.]*\) s wall.*/\1/p' "$tmp/one")
    s1=$(sed -n 's/.*simulated at -j 1: \([0-9.]*\) s.*/\1/p' "$tmp/one")
    s2=$(awk '$1 == 2 { sub("x", "", $2); print $2; exit }' "$tmp/one")
    m2=$(speedup_at_two "$image" "$@") || exit 1
    grep '^#' "$tmp/one"
    echo "check: -j 1 measured $t1 s, simulated $s1 s ($(echo "$s1 $t1" | awk '{printf "%+.1f", 100 * ($1 / $2 - 1)}') %);" \
         "-j 2 over -j 1 measured ${m2}x (median of $REPS pairs), simulated ${s2}x" \
         "($(echo "$s2 $m2" | awk '{printf "%+.1f", 100 * ($1 / $2 - 1)}') %); load $(cut -d' ' -f1 /proc/loadavg)"
}

# The wall time at -j 1 over that at -j 2 for IMAGE ARGS, the median of REPS pairs of runs
# taken in turn (the simulator's own measured runs): this machine's speed drifts from run to
# run by more than the model's error, and a pair sees about the same speed.
speedup_at_two() {
    local image=$1; shift
    : >"$tmp/pairs"
    for _ in $(seq "$REPS"); do
        local j1 j2
        j1=$("$sim" "$image" "$@" --report -j 1 --threads-list 1) || return 1
        j2=$("$sim" "$image" "$@" --report -j 2 --threads-list 2) || return 1
        printf '%s %s\n' "$(echo "$j1" | sed -n 's/.*measured at -j 1: \([0-9.]*\) s wall.*/\1/p')" \
            "$(echo "$j2" | sed -n 's/.*measured at -j 2: \([0-9.]*\) s wall.*/\1/p')" >>"$tmp/pairs"
    done
    awk '{ printf "%.3f\n", $1 / $2 }' "$tmp/pairs" | sort -n | awk '{ v[NR] = $1 } END { printf "%.2f", v[int((NR + 1) / 2)] }'
}

case "$what" in
simulate) shift; simulate "$@" ;;
idle) idle ;;
scaling) scaling ;;
quality) quality ;;
seams) seams ;;
all) scaling; quality; seams ;;
*) echo "usage: $0 [scaling|quality|seams|all] [BIN] [BASE] | simulate IMAGE [ARGS]" >&2; exit 2 ;;
esac
