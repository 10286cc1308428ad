#!/bin/bash
# Without Slurm: GNU parallel (Debian: parallel) spreads the same tasks over machines by ssh.
#
#   examples/slurm/parallel-ssh.sh images LIST OUT HOSTS [polyevolve options]
#   examples/slurm/parallel-ssh.sh sequence LIST OUT HOSTS K [polyevolve options]
#
# HOSTS is parallel's --sshlogin list, e.g. "4/node1,4/node2" (4 jobs each) or ":" for this
# machine only. Every host needs polyevolve on its PATH (or POLYEVOLVE set to it) and sees LIST's
# files and OUT at the same paths (a shared file system); the tasks are those of batch.sbatch
# and sequence.sbatch, so the files are the same bytes as one machine's.
set -eu
mode=$1 list=$2 out=$3 hosts=$4
shift 4
pe=${POLYEVOLVE:-polyevolve}
mkdir -p "$out"
case "$mode" in
images)
    parallel --halt now,fail=1 -S "$hosts" -a "$list" \
        "$pe" {} -o "$out"/{/.} -q "$@"
    ;;
sequence)
    k=$1
    shift
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
    echo "usage: parallel-ssh.sh images|sequence LIST OUT HOSTS [K] [options]" >&2
    exit 2
    ;;
esac
