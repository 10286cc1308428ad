#!/bin/bash
# Submit a long frame sequence to Slurm: the keyframe pass, then one array task per chunk of K
# frames once it has ended. Prints the two job ids.
#
#   ls "$PWD"/frames/*.png > list.txt      # the frames in order, absolute paths
#   examples/slurm/submit-sequence.sh list.txt out 48 -n 250 [-- sbatch options...]
#
# The files in out/ are byte for byte those of
#   polyevolve sequence $(cat list.txt) -o out --keyframe-every 48 -n 250
# on one machine.
set -eu
list=$1 out=$2 k=$3
shift 3
opts=() sb=()
while [ $# -gt 0 ]; do
    [ "$1" = "--" ] && { shift; sb=("$@"); break; }
    opts+=("$1")
    shift
done
here=$(cd "$(dirname "$0")" && pwd)
n=$(wc -l <"$list")
kf=$(sbatch --parsable ${sb[@]+"${sb[@]}"} "$here/keyframes.sbatch" "$list" "$out" "$k" ${opts[@]+"${opts[@]}"})
ch=$(sbatch --parsable ${sb[@]+"${sb[@]}"} --dependency=afterok:"$kf" --array=0-$(((n + k - 1) / k - 1)) \
    "$here/sequence.sbatch" "$list" "$out" "$k" ${opts[@]+"${opts[@]}"})
echo "$kf $ch"
