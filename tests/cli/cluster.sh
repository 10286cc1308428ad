#!/bin/bash
# cluster: examples/slurm/ on a real scheduler (issue 15).
#   slurm     starts a one-node Slurm cluster on this machine (munged, slurmctld and slurmd on
#             localhost, from a temporary configuration; stopped at the end), submits
#             batch.sbatch as an array over 4 images and a 12-frame sequence in 3 chunks
#             (submit-sequence.sh: the keyframe job, then the chunks' array), waits, and checks every output against the local run, byte
#             for byte. Skips (77) with the reason only when Slurm cannot start here.
#   parallel  parallel-ssh.sh with GNU parallel on this machine (-S :), the same checks.
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
need_python
EX="$(cd "$(dirname "$0")/../../examples/slurm" && pwd)"
export POLYEVOLVE="$PE_BIN"
FAST=(-r 64 -n 20 --frames 0)

# 4 images and 12 frames (a pan over mona64 upscaled), listed with absolute paths
"$PY" - "$MONA64" <<'PYEOF' || { bad "cannot make the inputs"; finish; }
import sys
from PIL import Image
im = Image.open(sys.argv[1]).convert("RGB").resize((128, 128), Image.BICUBIC)
for k in range(4):
    im.crop((8 * k, 4 * k, 8 * k + 64, 4 * k + 80)).save(f"img{k + 1}.png")
for k in range(12):
    im.crop((2 * k, k, 2 * k + 96, k + 96)).save(f"f{k + 1:03d}.png")
PYEOF
ls "$WORK"/img?.png >images.txt
ls "$WORK"/f*.png >frames.txt

# the local runs every cluster run must equal
for k in 1 2 3 4; do
    pe "$WORK/img$k.png" -o "local/img$k" -q "${FAST[@]}"
    [ "$RC" -eq 0 ] || bad "local run of img$k: exit $RC" "$ERR"
done
pe sequence $(cat frames.txt) -o localseq --keyframe-every 4 -q "${FAST[@]}"
[ "$RC" -eq 0 ] || bad "local sequence: exit $RC" "$ERR"

# compare_all DIR SEQDIR WHAT: the batch and sequence outputs equal the local ones
compare_all()
{
    local diffs=0 missing=0 f k
    for k in 1 2 3 4; do
        for f in final.png final.svg final.pdf state.json; do
            [ -f "$1/img$k/$f" ] || { missing=$((missing + 1)); continue; }
            cmp -s "local/img$k/$f" "$1/img$k/$f" || diffs=$((diffs + 1))
        done
    done
    [ $missing -eq 0 ] && [ $diffs -eq 0 ] && ok "$3: 4 images, 16 files identical to local runs" ||
        bad "$3: images: $missing files missing, $diffs differ"
    diffs=0 missing=0
    for k in $(seq 1 12); do
        for f in "frame_$(printf %05d "$k").png" "frame_$(printf %05d "$k").svg" \
            "states/frame_$(printf %05d "$k").json"; do
            [ -f "$2/$f" ] || { missing=$((missing + 1)); continue; }
            cmp -s "localseq/$f" "$2/$f" || diffs=$((diffs + 1))
        done
    done
    [ $missing -eq 0 ] && [ $diffs -eq 0 ] && ok "$3: 12 frames in 3 chunks, 36 files identical to the local sequence" ||
        bad "$3: sequence: $missing files missing, $diffs differ"
}

start_slurm()
{
    for p in munged slurmctld slurmd sbatch squeue sinfo scontrol; do
        command -v "$p" >/dev/null 2>&1 || skip "$p is not installed (Debian: slurm-wlm munge; scripts/setup.sh --test)"
    done
    [ "$(id -u)" -eq 0 ] || skip "starting slurmd needs root"
    local S="$WORK/slurm" node port
    mkdir -p "$S/state" "$S/spool" "$S/munge"
    chmod 700 "$S/munge"
    # a key of our own: the test needs nothing from the machine's munge
    dd if=/dev/urandom of="$S/munge/key" bs=1024 count=1 2>/dev/null
    chmod 400 "$S/munge/key"
    munged --force --socket="$S/munge/sock" --key-file="$S/munge/key" --pid-file="$S/munge/pid" \
        --log-file="$S/munge/log" --seed-file="$S/munge/seed" 2>"$S/munged.err" ||
        skip "munged does not start: $(head -c 300 "$S/munged.err")"
    PIDS="$(cat "$S/munge/pid")"
    node="$(slurmd -C 2>/dev/null | head -n 1)"
    [ -n "$node" ] || skip "slurmd -C does not describe this machine"
    port=$((20000 + $$ % 20000))
    cat >"$S/slurm.conf" <<EOF
ClusterName=petest
SlurmctldHost=$(hostname -s)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$S/munge/sock
CredType=cred/munge
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/slurmctld.pid
SlurmdPidFile=$S/slurmd.pid
SlurmctldLogFile=$S/slurmctld.log
SlurmdLogFile=$S/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
SlurmdTimeout=30
$node State=UNKNOWN
PartitionName=pe Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
    export SLURM_CONF="$S/slurm.conf"
    slurmctld -c -f "$SLURM_CONF" 2>"$S/ctld.err" || skip "slurmctld does not start: $(head -c 300 "$S/ctld.err")"
    slurmd -f "$SLURM_CONF" 2>"$S/d.err" || skip "slurmd does not start: $(head -c 300 "$S/d.err")"
    local i
    for i in $(seq 1 40); do
        [ -f "$S/slurmctld.pid" ] && [ -f "$S/slurmd.pid" ] &&
            sinfo -h -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)' && break
        sleep 0.5
    done
    PIDS="$PIDS $(cat "$S/slurmctld.pid" 2>/dev/null) $(cat "$S/slurmd.pid" 2>/dev/null)"
    sinfo -h -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)' ||
        skip "the Slurm node does not come up: $(sinfo -h -o '%t %E' 2>&1 | head -c 200); $(tail -n 3 "$S/slurmd.log" 2>/dev/null | tr '\n' ' ' | head -c 300)"
    ok "one-node Slurm cluster up ($(sinfo -h -o '%N %c CPUs %t'))"
}

PIDS=""
stop_daemons()
{
    local p
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    sleep 0.5
    for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
    t_cleanup
}

case "${1:-}" in
slurm)
    trap stop_daemons EXIT
    start_slurm
    j1=$(sbatch --parsable --array=1-4 -c 1 -o "$WORK/b-%a.log" "$EX/batch.sbatch" \
        "$WORK/images.txt" "$WORK/cluster" "${FAST[@]}" 2>&1) || bad "sbatch batch.sbatch" "$j1"
    jobs=$("$EX/submit-sequence.sh" "$WORK/frames.txt" "$WORK/clusterseq" 4 "${FAST[@]}" -- -c 1 \
        -o "$WORK/s-%a.log" 2>&1) || bad "submit-sequence.sh" "$jobs"
    j2=${jobs// /,}
    for i in $(seq 1 180); do
        [ -z "$(squeue -h -j "$j1,$j2" 2>/dev/null)" ] && break
        sleep 0.5
    done
    [ -z "$(squeue -h -j "$j1,$j2" 2>/dev/null)" ] && ok "both arrays ended" ||
        bad "jobs still queued after 90 s" "$(squeue 2>&1 | head -n 5)"
    states=$(for j in ${j2//,/ } "$j1"; do scontrol show job "$j"; done 2>/dev/null | grep -o 'JobState=[A-Z]*' |
        sort | uniq -c | tr -s ' \n' ' ')
    note "job states:$states"
    [ "$(grep -c . "$WORK"/b-*.log "$WORK"/s-*.log 2>/dev/null | awk -F: '{ n += $2 } END { print n + 0 }')" -eq 0 ] &&
        ok "the tasks printed nothing (no errors)" || bad "task logs" "$(head -n 3 "$WORK"/b-*.log "$WORK"/s-*.log)"
    compare_all cluster clusterseq "Slurm"
    ;;
parallel)
    need_tool parallel parallel
    "$EX/parallel-ssh.sh" images images.txt par : "${FAST[@]}" >/dev/null 2>par.err ||
        bad "parallel-ssh.sh images failed" "$(head -n 3 par.err)"
    "$EX/parallel-ssh.sh" sequence frames.txt parseq : 4 "${FAST[@]}" >/dev/null 2>parseq.err ||
        bad "parallel-ssh.sh sequence failed" "$(head -n 3 parseq.err)"
    compare_all par parseq "GNU parallel"
    ;;
*)
    echo "usage: cluster.sh slurm|parallel" >&2
    exit 1
    ;;
esac
finish
