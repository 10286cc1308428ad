#!/bin/bash
# Submit a list of images to Slurm as one job array of batch.sbatch, K images per task, and
# print the job id.
#
#   ls "$PWD"/photos/*.jpg > list.txt      # absolute paths, one a line
#   examples/slurm/submit-batch.sh [--images-per-task K] [--formats svg,png] [--max-running N] \
#       list.txt out -n 300 [-- sbatch options...]
#
# out/ gets NAME.svg (and NAME.png .. with --formats) per image: see batch.sbatch for the names.
# K: by default the larger of 10 (some 10-20 s of work at the defaults on 2 cores rather than
# one scheduler start-up per image) and what keeps the array within the cluster's
# MaxArraySize (from `scontrol show config`; 1001, Slurm's default, when it cannot be read):
# 100 000 images make 1000 tasks of 100. A K that needs more tasks than that is refused.
# --max-running N lets at most N tasks run at once (sbatch --array=..%N).
# Submitting the same command again redoes only the images whose files are missing.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=batch.sbatch
. "$here/batch.sbatch"
usage()
{
    echo "usage: submit-batch.sh [--images-per-task K] [--formats F] [--max-running N] LIST OUT [options] [-- sbatch options]" >&2
    exit 2
}
k="" formats=svg throttle=""
while [ $# -gt 0 ]; do
    case $1 in
    --images-per-task) k=${2:-} && shift $(($# > 1 ? 2 : 1)) ;;
    --formats) formats=${2:-} && shift $(($# > 1 ? 2 : 1)) ;;
    --max-running) throttle=${2:-} && shift $(($# > 1 ? 2 : 1)) ;;
    -*) usage ;;
    *) break ;;
    esac
done
[ $# -ge 2 ] || usage
list=$1 out=$2
shift 2
opts=() sb=()
while [ $# -gt 0 ]; do
    [ "$1" = "--" ] && { shift && sb=("$@") && break; }
    opts+=("$1")
    shift
done
case $k in *[!0-9]* | 0*) echo "submit-batch.sh: --images-per-task must be a positive number" >&2 && exit 2 ;; esac
case $throttle in *[!0-9]* | 0*) echo "submit-batch.sh: --max-running must be a positive number" >&2 && exit 2 ;; esac
pe_batch_formats "$formats" || { echo "submit-batch.sh: --formats takes svg,png,pdf,jpg" >&2 && exit 2; }
[ -r "$list" ] || { echo "submit-batch.sh: $list: cannot read the list" >&2 && exit 2; }
# every name once, before anything is submitted
pe_batch_names "$list" >/dev/null || exit 2
n=$(awk 'END { print NR }' "$list") # also a last line without its newline
[ "$n" -gt 0 ] || { echo "submit-batch.sh: $list is empty" >&2 && exit 2; }

max=$(scontrol show config 2>/dev/null | awk '$1 == "MaxArraySize" { print $3 }')
case $max in '' | *[!0-9]* | 0) max=1001 ;; esac
least=$(((n + max - 1) / max))
if [ -z "$k" ]; then
    k=$((least > 10 ? least : 10))
elif [ "$k" -lt "$least" ]; then
    echo "submit-batch.sh: $n images at $k per task need $(((n + k - 1) / k)) tasks, over this cluster's MaxArraySize of $max: use --images-per-task $least or more" >&2
    exit 2
fi
tasks=$(((n + k - 1) / k))
mkdir -p "$out" || exit 1
sbatch --parsable ${sb[@]+"${sb[@]}"} --array="0-$((tasks - 1))${throttle:+%$throttle}" \
    "$here/batch.sbatch" --images-per-task "$k" --formats "$formats" "$list" "$out" \
    ${opts[@]+"${opts[@]}"}
