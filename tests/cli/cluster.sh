#!/bin/bash
# cluster: examples/slurm/ on a real scheduler (issues 15 and 26).
#   slurm     starts a one-node Slurm cluster on this machine (munged, slurmctld and slurmd on
#             localhost, from a temporary configuration with MaxArraySize=10; stopped at the
#             end); submits 20 images, 5 per task (submit-batch.sh: a 4-task array of
#             batch.sbatch, NAME.svg and NAME.png flat in one directory, two inputs of one name
#             in different folders) and a 12-frame sequence in 3 chunks (submit-sequence.sh: the
#             keyframe job, then the chunks' array), waits, and checks every output against
#             the local runs, byte for byte; checks that a K needing more tasks than
#             MaxArraySize is refused, and that a task run again redoes only the image whose
#             files are missing. Skips (77) with the reason only when Slurm cannot start here.
#   parallel  parallel-ssh.sh with GNU parallel on this machine (-S :), the same checks.
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
need_python
EX="$(cd "$(dirname "$0")/../../examples/slurm" && pwd)"
export POLYEVOLVE="$PE_BIN"
FAST=(-r 64 -n 20 --frames 0)
SMALL=(-r 40 -n 12)

# 20 small images (18 in imgs/, then a/dup.png and b/dup.png: lines 19 and 20 of the list, so
# named dup-19 and dup-20) and 12 frames (a pan over mona64 upscaled), listed with absolute paths
"$PY" - "$MONA64" <<'PYEOF' || { bad "cannot make the inputs"; finish; }
import os, sys
from PIL import Image
im = Image.open(sys.argv[1]).convert("RGB").resize((128, 128), Image.BICUBIC)
for d in ("imgs", "a", "b"):
    os.makedirs(d, exist_ok=True)
for k in range(18):
    im.crop((4 * k, 3 * k, 4 * k + 40, 3 * k + 48)).save(f"imgs/p{k + 1:02d}.png")
im.crop((80, 0, 120, 40)).save("a/dup.png")
im.crop((0, 80, 48, 120)).save("b/dup.png")
for k in range(12):
    im.crop((2 * k, k, 2 * k + 96, k + 96)).save(f"f{k + 1:03d}.png")
PYEOF
{ ls "$WORK"/imgs/p*.png; echo "$WORK/a/dup.png"; echo "$WORK/b/dup.png"; } >images.txt
NAMES=$(seq -f 'p%02g' 1 18; echo dup-19; echo dup-20)
ls "$WORK"/f*.png >frames.txt

# the local runs every cluster run must equal
mkdir local
i=0
while read -r img; do
    i=$((i + 1))
    name=$(echo "$NAMES" | sed -n "${i}p")
    pe "$img" -o "local/$name.svg" -o "local/$name.png" --frames 0 -q "${SMALL[@]}"
    [ "$RC" -eq 0 ] || bad "local run of $img: exit $RC" "$ERR"
done <images.txt
pe sequence $(cat frames.txt) -o localseq --keyframe-every 4 -q "${FAST[@]}"
[ "$RC" -eq 0 ] || bad "local sequence: exit $RC" "$ERR"

# compare_all DIR SEQDIR WHAT: the batch and sequence outputs equal the local ones
compare_all()
{
    local diffs=0 missing=0 f k name extra
    for name in $NAMES; do
        for f in "$name.svg" "$name.png"; do
            [ -f "$1/$f" ] || { missing=$((missing + 1)); continue; }
            cmp -s "local/$f" "$1/$f" || diffs=$((diffs + 1))
        done
    done
    extra=$(cd "$1" && ls | grep -vxF "$(cd "$WORK/local" && ls)")
    [ $missing -eq 0 ] && [ $diffs -eq 0 ] && [ -z "$extra" ] &&
        ok "$3: 20 images, 40 flat files (NAME.svg, NAME.png) identical to local runs, nothing else" ||
        bad "$3: images: $missing files missing, $diffs differ, others: $extra"
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

# rerun_check DIR WHAT COMMAND...: remove p07.svg (and leave a temporary file a killed run
# would leave), run COMMAND again: only p07's files are rewritten, equal to the local ones
rerun_check()
{
    local dir=$1 what=$2 newer
    shift 2
    rm -f "$dir/p07.svg"
    echo partial >"$dir/p07.svg.tmp-a1b2c3"
    touch "$WORK/marker"
    "$@"
    newer=$(cd "$dir" && find . -type f -newer "$WORK/marker" | sort | tr '\n' ' ')
    [ "$newer" = "./p07.png ./p07.svg " ] && ok "$what: run again, only the incomplete image is redone" ||
        bad "$what: run again, files rewritten: '$newer' (want p07.png and p07.svg)"
    cmp -s local/p07.svg "$dir/p07.svg" && ok "$what: p07.svg redone, identical to the local run" ||
        bad "$what: p07.svg redone differs or is missing"
    [ ! -e "$dir/p07.svg.tmp-a1b2c3" ] && ok "$what: the killed run's temporary file is removed" ||
        bad "$what: p07.svg.tmp-a1b2c3 left"
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
MaxArraySize=10
$node State=UNKNOWN
PartitionName=pe Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
    export SLURM_CONF="$S/slurm.conf"
    slurmctld -c -f "$SLURM_CONF" 2>"$S/ctld.err" || skip "slurmctld does not start: $(head -c 300 "$S/ctld.err")"
    slurmd -f "$SLURM_CONF" 2>"$S/d.err" || skip "slurmd does not start: $(head -c 300 "$S/d.err")"
    local i
    # generous bounds: the daemons start slowly on a loaded machine
    for i in $(seq 1 120); do
        [ -f "$S/slurmctld.pid" ] && [ -f "$S/slurmd.pid" ] &&
            sinfo -h -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)' && break
        sleep 0.5
    done
    PIDS="$PIDS $(cat "$S/slurmctld.pid" 2>/dev/null) $(cat "$S/slurmd.pid" 2>/dev/null)"
    sinfo -h -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)' ||
        skip "the Slurm node does not come up: $(sinfo -h -o '%t %E' 2>&1 | head -c 200); $(tail -n 3 "$S/slurmd.log" 2>/dev/null | tr '\n' ' ' | head -c 300)"
    ok "one-node Slurm cluster up ($(sinfo -h -o '%N %c CPUs %t'))"
}

# wait_jobs IDS: until none of the jobs (comma-separated) is pending, running or completing,
# polling for at most 240 s; status 1 if they are still there
wait_jobs()
{
    local i q
    for i in $(seq 1 480); do
        q=$(squeue -h -j "$1" 2>&1) && [ -z "$q" ] && return 0
        sleep 0.5
    done
    return 1
}

# slurm_failures IDS: why the tasks of the jobs that did not complete ended (Slurm's own
# words: exit code, reason, and the daemons' last errors), for a failure's message
slurm_failures()
{
    local j
    for j in ${1//,/ }; do scontrol -o show job "$j" 2>/dev/null; done |
        grep -v 'JobState=COMPLETED' | grep -o 'ArrayTaskId=[0-9]* \|JobState=[A-Z_]*\|Reason=[^ ]*\|ExitCode=[0-9:]*' |
        tr '\n' ' '
    grep -hi 'error' "$WORK/slurm/slurmd.log" "$WORK/slurm/slurmctld.log" 2>/dev/null |
        grep -v 'state file\|state save' | tail -n 5 # a fresh cluster has no saved state
}

PIDS=""
stop_daemons()
{
    local p i
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    for i in $(seq 1 40); do
        for p in $PIDS; do kill -0 "$p" 2>/dev/null && break; done
        kill -0 "$p" 2>/dev/null || break
        sleep 0.25
    done
    for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
    t_cleanup
}

case "${1:-}" in
slurm)
    trap stop_daemons EXIT
    start_slurm
    # 20 images at 1 per task need 20 tasks: over MaxArraySize=10, refused before submitting
    msg=$("$EX/submit-batch.sh" --images-per-task 1 images.txt refused "${SMALL[@]}" 2>&1)
    rc=$?
    [ "$rc" -eq 2 ] && [[ $msg == *"MaxArraySize of 10"*"--images-per-task 2 or more"* ]] &&
        [ -z "$(squeue -h 2>&1)" ] && ok "a K that needs 20 tasks is refused (exit 2: $msg)" ||
        bad "--images-per-task 1 over MaxArraySize=10: exit $rc" "$msg" "$(squeue -h 2>&1 | head -n 3)"
    j1=$("$EX/submit-batch.sh" --images-per-task 5 --formats svg,png "$WORK/images.txt" "$WORK/cluster" \
        "${SMALL[@]}" -- -c 1 -o "$WORK/b-%a.log" 2>&1) || bad "submit-batch.sh" "$j1"
    jobs=$("$EX/submit-sequence.sh" "$WORK/frames.txt" "$WORK/clusterseq" 4 "${FAST[@]}" -- -c 1 \
        -o "$WORK/s-%a.log" 2>&1) || bad "submit-sequence.sh" "$jobs"
    j2=${jobs// /,}
    wait_jobs "$j1,$j2" && ok "the arrays ended" || bad "jobs still queued after 240 s" "$(squeue 2>&1 | head -n 5)"
    states=$(for j in ${j2//,/ } "$j1"; do scontrol show job "$j"; done 2>/dev/null | grep -o 'JobState=[A-Z]*' |
        sort | uniq -c | tr -s ' \n' ' ')
    [[ $states =~ ^\ *8\ JobState=COMPLETED\ *$ ]] && ok "all 8 tasks completed" ||
        bad "job states:$states" "$(slurm_failures "$j1,$j2")"
    tasks=$(scontrol show job "$j1" 2>/dev/null | grep -o 'ArrayTaskId=[0-9]*' | sort | tr '\n' ' ')
    [ "$tasks" = "ArrayTaskId=0 ArrayTaskId=1 ArrayTaskId=2 ArrayTaskId=3 " ] &&
        ok "20 images at 5 per task: tasks 0-3" || bad "the image array's tasks: $tasks"
    per=$(for t in 0 1 2 3; do grep -c '^ok ' "$WORK/b-$t.log" 2>/dev/null; done | tr '\n' ' ')
    [ "$per" = "5 5 5 5 " ] && ok "each task made 5 images" || bad "images per task: $per" "$(head -n 3 "$WORK"/b-*.log)"
    [ "$(grep -vc '^ok ' "$WORK"/b-*.log "$WORK"/s-*.log 2>/dev/null | awk -F: '{ n += $2 } END { print n + 0 }')" -eq 0 ] &&
        ok "the tasks printed nothing else (no errors)" || bad "task logs" "$(grep -hv '^ok ' "$WORK"/b-*.log "$WORK"/s-*.log | head -n 3)"
    compare_all cluster clusterseq "Slurm"
    # task 1 (lines 6-10) submitted again by hand
    rerun_slurm()
    {
        local j
        j=$(sbatch --parsable --array=1 -c 1 -o "$WORK/r-%a.log" "$EX/batch.sbatch" --images-per-task 5 \
            --formats svg,png "$WORK/images.txt" "$WORK/cluster" "${SMALL[@]}" 2>&1) || bad "sbatch batch.sbatch" "$j"
        wait_jobs "$j" || bad "the task run again is still queued after 240 s"
    }
    rerun_check cluster "Slurm" rerun_slurm
    [ "$(grep -c '^skip ' "$WORK/r-1.log")" -eq 4 ] && ok "Slurm: the task run again skips its 4 complete images" ||
        bad "Slurm: the task run again printed" "$(cat "$WORK/r-1.log")"
    ;;
parallel)
    need_tool parallel parallel
    "$EX/parallel-ssh.sh" images --images-per-task 5 --formats svg,png images.txt par : "${SMALL[@]}" \
        >/dev/null 2>par.err || bad "parallel-ssh.sh images failed" "$(head -n 3 par.err)"
    "$EX/parallel-ssh.sh" sequence frames.txt parseq : 4 "${FAST[@]}" >/dev/null 2>parseq.err ||
        bad "parallel-ssh.sh sequence failed" "$(head -n 3 parseq.err)"
    compare_all par parseq "GNU parallel"
    rerun_par()
    {
        "$EX/parallel-ssh.sh" images --images-per-task 5 --formats svg,png images.txt par : "${SMALL[@]}" \
            >/dev/null 2>par2.err || bad "parallel-ssh.sh images run again failed" "$(head -n 3 par2.err)"
    }
    rerun_check par "GNU parallel" rerun_par
    [ "$(grep -c '^skip ' par2.err)" -eq 19 ] && ok "GNU parallel: run again, 19 images skipped" ||
        bad "GNU parallel: run again printed" "$(head -n 5 par2.err)"
    ;;
*)
    echo "usage: cluster.sh slurm|parallel" >&2
    exit 1
    ;;
esac
finish
