#!/bin/bash
# batch.sh: approximate every image of a folder with polyevolve, several images at a time.
#
# usage: examples/batch.sh [--formats svg,png] INPUT_DIR OUTPUT_DIR [polyevolve options]
#
#   Every image INPUT_DIR/NAME.EXT (png, jpg, jpeg, bmp, tga, gif, psd, pnm, ppm, pgm; not
#   recursive; no newline in the name) becomes OUTPUT_DIR/NAME.svg, and with --formats also
#   NAME.png, NAME.pdf or NAME.jpg (svg, png, pdf, jpg, comma-separated), by
#     polyevolve NAME.EXT -o OUTPUT_DIR/NAME.svg --frames 0 -q -j 1 [options]
#   Options after OUTPUT_DIR go to every run, after these, so they win: e.g.
#   examples/batch.sh photos out -n 500 --time 120.
#   When two images have one NAME (a.png, a.jpg), each is NAME-I instead, I its place among
#   the folder's images in byte order of their file names (slurm/batch.sbatch names them so).
#   An image whose files are all in OUTPUT_DIR already is skipped (files are written whole,
#   under a temporary name, then renamed), so the same command run again after an interruption
#   does only what is missing. Each image prints one line: ok, skip or FAILED.
#
#   The runs go in parallel with xargs -P: JOBS at once (environment variable JOBS, default
#   the number of cores from nproc), each single-threaded (-j 1). One image per core scales
#   better than all cores on one image, and processes that each start one OpenMP thread per
#   core would fight over the cores.
#
#   POLYEVOLVE (or PE_BIN) names the binary; default: polyevolve on PATH.
#   Exit status: 0 when every image succeeded; 1 when any failed (they are listed on stderr
#   at the end); 2 for a usage error.
set -u

usage()
{
    echo "usage: $0 [--formats svg,png] INPUT_DIR OUTPUT_DIR [polyevolve options]" >&2
    exit 2
}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=slurm/batch.sbatch
. "$here/slurm/batch.sbatch" || exit 2
formats=svg
if [ "${1:-}" = "--formats" ]; then
    [ $# -ge 2 ] || usage
    formats=$2
    shift 2
fi
pe_batch_formats "$formats" || { echo "$0: --formats takes svg,png,pdf,jpg" >&2 && exit 2; }
[ $# -ge 2 ] || usage
in=$1 out=$2
shift 2
[ -d "$in" ] || { echo "$0: $in: not a directory" >&2 && exit 2; }
POLYEVOLVE=${POLYEVOLVE:-${PE_BIN:-polyevolve}}
command -v "$POLYEVOLVE" >/dev/null 2>&1 || { echo "$0: $POLYEVOLVE: not found (set POLYEVOLVE)" >&2 && exit 2; }
case $POLYEVOLVE in */*) POLYEVOLVE=$(cd "$(dirname "$POLYEVOLVE")" && pwd)/$(basename "$POLYEVOLVE") ;; esac
export POLYEVOLVE
jobs=${JOBS:-$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)}
case $jobs in '' | *[!0-9]* | 0) echo "$0: JOBS must be a positive number" >&2 && exit 2 ;; esac
mkdir -p "$out" || exit 1
out=$(cd "$out" && pwd)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/batch.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
export PE_BATCH_FAILED="$tmp/failed"
: >"$PE_BATCH_FAILED"

# the runs start in INPUT_DIR, so the list holds bare file names
cd "$in" || exit 1
find . -maxdepth 1 -type f ! -name $'*\n*' \( -iname '*.png' -o -iname '*.jpg' \
    -o -iname '*.jpeg' -o -iname '*.bmp' -o -iname '*.tga' -o -iname '*.gif' -o -iname '*.psd' \
    -o -iname '*.pnm' -o -iname '*.ppm' -o -iname '*.pgm' \) -printf '%f\n' | LC_ALL=C sort >"$tmp/list"
n=$(wc -l <"$tmp/list")
[ "$n" -gt 0 ] || { echo "$0: $in: no images found" >&2 && exit 1; }
pe_batch_names "$tmp/list" >"$tmp/names" || exit 2
echo "batch: $n images, $jobs at a time -> $out" >&2

export -f pe_batch_run
# one image per job (NAME and file name: two lines of the names file)
xargs -d '\n' -n 2 -P "$jobs" bash -c 'pe_batch_run "$@"' batch "$out" "$formats" $(($# + 2)) \
    -j 1 "$@" <"$tmp/names"

if [ -s "$PE_BATCH_FAILED" ]; then
    echo "batch: $(wc -l <"$PE_BATCH_FAILED") of $n images failed:" >&2
    sed 's/^/  /' "$PE_BATCH_FAILED" >&2
    exit 1
fi
echo "batch: all $n images done" >&2
