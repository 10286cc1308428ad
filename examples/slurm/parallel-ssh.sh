#!/bin/bash
# Without Slurm: GNU parallel (Debian: parallel) spreads the same tasks over machines by ssh.
#
#   examples/slurm/parallel-ssh.sh images [--images-per-task K] [--formats svg,png] \
#       LIST OUT HOSTS [polyevolve options]
#   examples/slurm/parallel-ssh.sh sequence LIST OUT HOSTS K [polyevolve options]
#
# HOSTS is parallel's --sshlogin list, e.g. "4/node1,4/node2" (4 jobs each) or ":" for this
# machine only. Every host needs polyevolve on its PATH (or POLYEVOLVE set to it) and sees LIST's
# files and OUT at the same paths (a shared file system); the tasks are those of batch.sbatch
# and sequence.sbatch, so the files are the same bytes as one machine's.
# images: one flat OUT/NAME.svg (NAME.png .. with --formats) per line of LIST, named as
# batch.sbatch names them; one job (one ssh connection) does K images one after the other
# (default 10); images whose files are all there are skipped, so the same command run again
# does only what is missing; a failed image does not stop the others, and the exit status is
# then 1. Each job's polyevolve uses every core of its host unless the options say -j: give
# -j 1 with as many jobs per host as it has cores.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
mode=${1:-}
[ $# -gt 0 ] && shift
pe=${POLYEVOLVE:-polyevolve}
case "$mode" in
images)
    # shellcheck source=batch.sbatch
    . "$here/batch.sbatch"
    k=10 formats=svg
    while [ $# -gt 0 ]; do
        case $1 in
        --images-per-task) k=${2:-} && shift $(($# > 1 ? 2 : 1)) ;;
        --formats) formats=${2:-} && shift $(($# > 1 ? 2 : 1)) ;;
        *) break ;;
        esac
    done
    case $k in '' | *[!0-9]* | 0*) echo "parallel-ssh.sh: --images-per-task must be a positive number" >&2 && exit 2 ;; esac
    pe_batch_formats "$formats" || { echo "parallel-ssh.sh: --formats takes svg,png,pdf,jpg" >&2 && exit 2; }
    [ $# -ge 3 ] || { echo "usage: parallel-ssh.sh images [--images-per-task K] [--formats F] LIST OUT HOSTS [options]" >&2 && exit 2; }
    list=$1 out=$2 hosts=$3
    shift 3
    mkdir -p "$out"
    # absolute, for the hosts, whose ssh sessions start in their home directories
    list=$(realpath "$list") out=$(realpath "$out")
    names=$(mktemp)
    trap 'rm -f "$names"' EXIT
    pe_batch_names "$list" >"$names" || exit 2
    export -f pe_batch_run
    # a job: K pairs (NAME, path) of the list, one argument a line
    parallel -S "$hosts" --env pe_batch_run ${POLYEVOLVE:+--env POLYEVOLVE} -a "$names" -N $((2 * k)) \
        pe_batch_run "$out" "$formats" $# "$@" {} || exit 1
    ;;
sequence)
    [ $# -ge 4 ] || { echo "usage: parallel-ssh.sh sequence LIST OUT HOSTS K [options]" >&2 && exit 2; }
    list=$1 out=$2 hosts=$3 k=$4
    shift 4
    mkdir -p "$out"
    n=$(wc -l <"$list")
    # the keyframe pass (frames 1, 1+K, ..: each from the one before) on the first host, then
    # the chunks at once: chunk c is lines c*K+1 .. c*K+K of the list, from keyframe c*K+1
    sed -n "1~${k}p" "$list" | parallel --halt now,fail=1 -S "${hosts%%,*}" -X -j 1 \
        "$pe" sequence {} --resume "$out" --frame-step "$k" --keyframe-every "$k" -q "$@"
    seq 0 $(((n + k - 1) / k - 1)) | parallel --halt now,fail=1 -S "$hosts" \
        "$pe" sequence '$(sed -n "$(({}*'"$k"'+1)),$(({}*'"$k"'+'"$k"'))p" '"$list"')' \
        --resume "$out" --first-frame '$(({}*'"$k"'+1))' --keyframe-every "$k" -q "$@"
    ;;
*)
    echo "usage: parallel-ssh.sh images|sequence ..." >&2
    exit 2
    ;;
esac
