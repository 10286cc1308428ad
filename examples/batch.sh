#!/bin/sh
# batch.sh: approximate every image of a folder with polyevolve, several images at a time.
#
# usage: examples/batch.sh INPUT_DIR OUTPUT_DIR [polyevolve options]
#
#   Every image INPUT_DIR/NAME.EXT (png, jpg, jpeg, bmp, tga, gif, psd, pnm, ppm, pgm; not
#   recursive) gets its own run directory OUTPUT_DIR/NAME/ holding final.svg, final.png,
#   final.pdf, state.json and log.csv, plus batch.log (what polyevolve printed).
#   Options after OUTPUT_DIR go to every run, after this script's own "-j1 --frames 0 -q", so
#   they win: e.g. examples/batch.sh photos out -n 500 --time 120.
#
#   The runs go in parallel with xargs -P: JOBS at once (environment variable JOBS, default
#   the number of cores from nproc), each single-threaded (-j1). One image per core scales
#   better than all cores on one image, and processes that each start one OpenMP thread per
#   core would fight over the cores.
#
#   POLYEVOLVE (or PE_BIN) names the binary; default: polyevolve on PATH.
#   Exit status: 0 when every image succeeded; 1 when any failed (they are listed on stderr,
#   each with the last line of its batch.log); 2 for a usage error.
set -u

usage() {
    echo "usage: $0 INPUT_DIR OUTPUT_DIR [polyevolve options]" >&2
    exit 2
}
[ $# -ge 2 ] || usage
in=$1 out=$2
shift 2
[ -d "$in" ] || { echo "$0: $in: not a directory" >&2; exit 2; }
pe=${POLYEVOLVE:-${PE_BIN:-polyevolve}}
command -v "$pe" > /dev/null 2>&1 || { echo "$0: $pe: not found (set POLYEVOLVE)" >&2; exit 2; }
jobs=${JOBS:-$(nproc 2> /dev/null || getconf _NPROCESSORS_ONLN 2> /dev/null || echo 1)}
case $jobs in '' | *[!0-9]* | 0) echo "$0: JOBS must be a positive number" >&2; exit 2 ;; esac
mkdir -p "$out" || exit 1

failed=$(mktemp "${TMPDIR:-/tmp}/batch-failed.XXXXXX") || exit 1
list=$(mktemp "${TMPDIR:-/tmp}/batch-list.XXXXXX") || exit 1
trap 'rm -f "$failed" "$list"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

find "$in" -maxdepth 1 -type f \( -iname '*.png' -o -iname '*.jpg' -o -iname '*.jpeg' \
    -o -iname '*.bmp' -o -iname '*.tga' -o -iname '*.gif' -o -iname '*.psd' -o -iname '*.pnm' \
    -o -iname '*.ppm' -o -iname '*.pgm' \) -print0 > "$list"
[ -s "$list" ] || { echo "$0: $in: no images found" >&2; exit 1; }
# two images with one name (a.png, a.jpg) would share a run directory
dups=$(tr '\0' '\n' < "$list" | sed 's|.*/||; s|\.[^.]*$||' | sort | uniq -d)
if [ -n "$dups" ]; then
    echo "$0: several images are named (without extension): $dups" >&2
    exit 2
fi
n=$(tr -cd '\0' < "$list" | wc -c)
echo "batch: $n images, $jobs at a time -> $out" >&2

# One job: run polyevolve on $1 into OUTPUT_DIR/NAME; the options follow. A failure appends
# the image's name to the failure list (one short line per write, atomic with O_APPEND).
# shellcheck disable=SC2016 # expanded by the job's own shell, not here
job='
img=$1 out=$2 failed=$3 pe=$4
shift 4
name=${img##*/}
name=${name%.*}
mkdir -p "$out/$name" || { printf "%s\n" "$img" >> "$failed"; exit 1; }
if "$pe" "$img" -o "$out/$name" -j1 --frames 0 -q "$@" > "$out/$name/batch.log" 2>&1; then
    echo "ok      $img -> $out/$name/final.svg" >&2
else
    rc=$?
    echo "FAILED  $img (exit $rc): $(tail -n 1 "$out/$name/batch.log")" >&2
    printf "%s\n" "$img" >> "$failed"
    exit 1
fi'
xargs -0 -P "$jobs" -I '{}' sh -c "$job" batch '{}' "$out" "$failed" "$pe" "$@" < "$list"

if [ -s "$failed" ]; then
    echo "batch: $(wc -l < "$failed") of $n images failed:" >&2
    sed 's/^/  /' "$failed" >&2
    exit 1
fi
echo "batch: all $n images done" >&2
