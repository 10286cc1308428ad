#!/bin/bash
# Nothing lost, nothing mixed (issue 25): every file a run writes is resolved, checked and
# claimed before the work (src/cli/claim.c). One case per argument:
#   default   the default output is named after the input (NAME/, stdin out/): a second default
#             run of another input or settings no longer destroys the first; the same command
#             reuses its directory, another takes NAME-2/ and says so; an explicit -o into a
#             directory holding another run's files is refused at once unless --force
#   same      two outputs naming one file (--state/--log/-o, other spellings, a hard link, a
#             frame pattern) and an output naming an input: exit 2 before anything is written (E3)
#   names     a name whose temporary (NAME.tmp-XXXXXX) is above NAME_MAX, a %d in a directory:
#             exit 2 before the work, nothing created (E6)
#   unwritable  a directory the run cannot write (a read-only mount: permission bits do not
#             stop root) is found before the work; a target that fails after the work does not
#             stop the others, and the state is still written (E5; tmpfs mounts: root only)
#   stale     -o DIR with DIR/frames as the frame pattern keeps its frames (E4); a sequence into
#             an older, longer sequence's directory is refused, and with --force leaves only its
#             own frames (E2); animate never removes a file it did not write
#   locks     one lock per place: a second run into a run directory, a sequence directory or a
#             frame pattern's directory while the first works is refused at once, and the first
#             ends intact; chunks of one sequence share their directory (E1); a run directory
#             and a frame pattern in its frames/ exclude each other, in either order (L6)
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"

# A run that works for minutes unless stopped: many triangles at full size, many rounds.
SLOW=(-n 3000 -r 0 --iterations 100 --frames 0 -j1 -q)

case_default()
{
    cp "$MONA32" a.png
    cp "$MONA64" b.png
    expect_ok "a default run of a.png" a.png -n 5 --frames 0 -q -j1 || return
    [ -f a/final.svg ] && [ ! -e out ] && ok "a.png's default output is a/" ||
        bad "no a/final.svg after a default run of a.png" "$(ls)"
    local before
    before="$(sum_of a/state.json)"
    expect_ok "a default run of b.png" b.png -n 5 --frames 0 -q -j1
    [ -f b/final.svg ] && [ "$(sum_of a/state.json)" = "$before" ] &&
        ok "b.png went to b/, a/ is intact" || bad "after b.png: a/ $(sum_of a/state.json), b/ $(ls b 2>&1)"
    expect_ok "the same command again" a.png -n 5 --frames 0 -q -j1
    [ ! -e a-2 ] && ok "the same command reuses a/" || bad "the same command went to a-2/"
    pe a.png -n 6 --frames 0 -j1
    [ "$RC" -eq 0 ] && [ -f a-2/final.svg ] && [ "$(pecheck_count a/state.json)" = 5 ] &&
        grep -q 'a-2/' "$WORK/.err" && grep -q 'a-2/final.svg' "$WORK/.out" &&
        ok "other settings: a-2/, said on stderr and in the summary ($(head -n 1 "$WORK/.err"))" ||
        bad "other settings: exit $RC, $(ls)" "$(show_err)"
    expect_ok "the first command again" a.png -n 5 --frames 0 -q -j1
    [ ! -e a-3 ] && ok "the first command still reuses a/" || bad "it went to a-3/"
    timeout 100 "$PE_BIN" - -n 5 --frames 0 -q -j1 <a.png >/dev/null 2>err.txt
    [ $? -eq 0 ] && [ -f out/final.svg ] && ok "stdin: out/" || bad "stdin: no out/final.svg" "$(cat err.txt)"
    # an explicit -o: refused at once when it holds another run's files, unless --force
    before="$(sum_of a/state.json)"
    expect_error 1 "--force" "-o a/ with another input" b.png -n 5 --frames 0 -q -j1 -o a
    [ "$(sum_of a/state.json)" = "$before" ] && ok "a/ is untouched" || bad "the refused run changed a/"
    expect_ok "-o a/ with another input and --force" b.png -n 5 --frames 0 -q -j1 -o a --force
    [ "$(sum_of a/state.json)" != "$before" ] && ok "--force replaced a/'s run" || bad "--force wrote nothing"
    # files no run recorded (yours, or of an older version): refused, kept
    mkdir -p mine
    echo "my notes" >mine/final.svg
    expect_error 1 "final.svg" "-o a directory holding a final.svg of no run" a.png -n 5 --frames 0 -q -j1 -o mine
    [ "$(cat mine/final.svg)" = "my notes" ] && ok "the file of no run is kept" || bad "mine/final.svg was changed"
}

# the number of triangles in a state
pecheck_count() { grep -o '"triangles": *\[' "$1" >/dev/null && "$PY" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["triangles"]))' "$1" 2>/dev/null; }

case_same()
{
    need_python
    local args=("$MONA32" -n 5 --frames 0 -q -j1)
    expect_error 2 "ss.png" "-o ss.png --state ss.png" "${args[@]}" -o ss.png --state ss.png
    [ ! -e ss.png ] && ok "nothing written as ss.png" || bad "ss.png was written"
    expect_error 2 "x.json" "--state x.json --log x.json" "${args[@]}" -o x.svg --state x.json --log x.json
    expect_error 2 "s.json" "--state s.json --log ./s.json" "${args[@]}" -o x.svg --state s.json --log ./s.json
    expect_error 2 "d/final.png" "-o d --state d/final.png" "${args[@]}" -o d --state d/final.png
    [ ! -e d ] && ok "d/ was not created" || bad "the refused run created d/"
    mkdir -p sub
    expect_error 2 "a.png" "-o a.png -o ./sub/../a.png" "${args[@]}" -o a.png -o ./sub/../a.png
    expect_error 2 "pd/f003.png" "a pattern and a file naming one frame" "${args[@]}" --frames 4 \
        -o 'pd/f%03d.png' -o pd/f003.png
    cp "$MONA32" in.png
    local before
    before="$(sum_of in.png)"
    expect_error 2 "input" "-o naming the input" in.png -n 5 --frames 0 -q -j1 -o in.png
    ln in.png link.png
    expect_error 2 "input" "-o naming a hard link to the input" in.png -n 5 --frames 0 -q -j1 -o link.png
    [ "$(sum_of in.png)" = "$before" ] && ok "the input is intact" || bad "the input was overwritten"
}

case_names()
{
    local n246 n250
    n246="$(printf 'n%.0s' $(seq 246))"
    n250="$(printf 'n%.0s' $(seq 250))"
    expect_error 2 "NAME_MAX" "a 250-byte file name (its temporary is 261)" "$MONA32" -n 5 --frames 0 -q \
        -j1 --state s.json -o "$n246.svg"
    [ ! -e s.json ] && ok "refused before the work (no state written)" || bad "the state was written first"
    expect_error 2 "NAME_MAX" "a 250-byte frame pattern" "$MONA32" -n 5 --frames 3 -q -j1 \
        --state s.json -o "${n246:0:240}%05d.png"
    expect_error 2 "NAME_MAX" "a 254-byte --log" "$MONA32" -n 5 --frames 0 -q -j1 -o x.svg \
        --log "$n250.csv"
    expect_error 2 "directory" "%d in a directory" "$MONA32" -n 5 --frames 3 -q -j1 --state s.json \
        -o 'f%d/x.png'
    [ ! -e s.json ] && [ -z "$(ls -d f* 2>/dev/null)" ] && ok "nothing created" || bad "created: $(ls)"
}

case_unwritable()
{
    mkdir -p ro
    if ! { [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o ro,size=64k tmpfs ro 2>/dev/null && T_MOUNTS="$T_MOUNTS $WORK/ro"; }; then
        [ "$(id -u)" -ne 0 ] || skip "cannot mount a read-only tmpfs (needs CAP_SYS_ADMIN)"
        chmod 555 ro
    fi
    expect_error 1 "ro" "-o into a read-only directory" "$MONA64" -n 30 --frames 0 -q -j1 --state s.json -o ro/x.svg
    [ ! -e s.json ] && ok "found before the work: no state written" || bad "the work was done first (s.json written)"
    expect_error 1 "ro/d" "-o a directory under a read-only one" "$MONA64" -n 30 --frames 0 -q -j1 -o ro/d
    # a target that fails after the work: the others and the state are still written
    mount_tmpfs "$WORK/small" 64k || { note "no small tmpfs: the after-the-work case is not checked"; return; }
    pe "$MONA32" -n 5 --frames 0 -q -j1 -s 2000 -o small/x.png -o ok.svg --state s.json
    [ "$RC" -eq 1 ] && grep -q 'small/x.png' "$WORK/.err" && [ -s ok.svg ] && [ -s s.json ] &&
        [ -z "$(tmp_leftovers "$WORK")" ] &&
        ok "a full disk for one target: exit 1 naming it, the next target and the state written" ||
        bad "after a target failed: exit $RC, ok.svg $(sum_of ok.svg), s.json $(sum_of s.json)" "$(show_err)"
}

case_stale()
{
    need_python
    # E4: the pattern names DIR's own frames
    expect_ok "-o pd -o pd/frames/frame_%05d.png" "$MONA32" -n 8 --frames 4 -q -j1 -o pd \
        -o pd/frames/frame_%05d.png || return
    [ "$(ls pd/frames 2>/dev/null | wc -l)" -eq 4 ] && ok "the 4 frames are kept" ||
        bad "pd/frames after the run: $(ls pd/frames 2>&1 | tr '\n' ' ')"
    # E2: an older, longer sequence in the directory
    mkdir -p in
    local k
    for k in 1 2 3 4 5 6 7; do cp "$MONA32" "in/f$k.png"; done
    "$PY" -c "from PIL import Image; Image.open('$MONA64').resize((32, 32)).save('in/g1.png')"
    expect_ok "a 7-frame sequence" sequence in/f?.png -o seq -n 5 -r 32 -q -j1 || return
    local before
    before="$(sum_of seq/frame_00007.png)"
    expect_error 1 "--force" "a 3-frame sequence of other inputs into it" sequence in/g1.png in/f1.png \
        in/f2.png -o seq -n 5 -r 32 -q -j1
    [ "$(sum_of seq/frame_00007.png)" = "$before" ] && [ "$(ls seq/states | wc -l)" -eq 7 ] &&
        ok "the older sequence is intact" || bad "the refused sequence changed seq/"
    expect_ok "the same with --force" sequence in/g1.png in/f1.png in/f2.png -o seq -n 5 -r 32 -q -j1 --force
    [ "$(ls seq/frame_*.png | wc -l)" -eq 3 ] && [ "$(ls seq/states | wc -l)" -eq 3 ] &&
        [ "$(grep -c '^[0-9]' seq/sequence.csv)" -eq 3 ] &&
        ok "--force: only the new 3 frames are left" || bad "after --force: $(ls seq | tr '\n' ' ')"
    # animate: a file it did not write stays
    expect_ok "a run to animate" "$MONA32" -n 5 --frames 0 -q -j1 -o r || return
    mkdir -p anim
    echo mine >anim/frame_00500.png
    pe animate r/state.json -o anim --frames 3 -q
    [ "$(cat anim/frame_00500.png)" = mine ] && ok "animate keeps anim/frame_00500.png it did not write (exit $RC)" ||
        bad "animate removed or changed anim/frame_00500.png"
    expect_ok "animate into a new directory" animate r/state.json -o anim2 --frames 4 -q
    expect_ok "the same animation with --frames 2" animate r/state.json -o anim2 --frames 2 -q --force
    [ "$(ls anim2 | wc -l)" -eq 2 ] && ok "the shorter animation's 2 frames are all that is left" ||
        bad "anim2: $(ls anim2 | tr '\n' ' ')"
}

# start_slow OUTFILE ARGS...: polyevolve in the background (stdout, stderr to OUTFILE.*); PID
start_slow()
{
    local out="$1"
    shift
    timeout --foreground -k 5 100 "$PE_BIN" "$@" >"$out.out" 2>"$out.err" </dev/null &
    PID=$!
}

# check_second DESC ARGS...: the second run must be refused at once, naming the lock
check_second()
{
    local desc="$1"
    shift
    pe "$@"
    [ "$RC" -eq 1 ] && grep -q "another polyevolve run" "$WORK/.err" && ! sanitizer_report &&
        ok "$desc: refused ($(head -n 1 "$WORK/.err"))" ||
        bad "$desc: exit $RC, expected 1 naming the other run" "$(show_err)"
}

# stop_first DESC: SIGINT to the first run, which must end as it would alone (exit 130 or 0)
stop_first()
{
    kill -INT "$PID" 2>/dev/null
    wait "$PID"
    local rc=$?
    [ "$rc" -eq 130 ] || [ "$rc" -eq 0 ] && ok "$1: the first run ends normally (exit $rc)" ||
        bad "$1: the first run exited $rc" "$(head -n 3 first.err)"
}

case_locks()
{
    need_python
    # a run directory (this lock is older than issue 25: the others are new)
    start_slow first "$MONA64" "${SLOW[@]}" -o dir
    wait_for dir/.polyevolve.manifest || note "no manifest in dir/ after 60 s"
    check_second "a second run into dir/" "$MONA32" -n 5 --frames 0 -q -j1 -o dir
    stop_first "dir/"
    [ "$(pecheck size dir/final.png)" = "64 64" ] && ok "dir/ holds the first run's 64x64 picture" ||
        bad "dir/final.png is $(pecheck size dir/final.png)"
    # a frame pattern's directory
    start_slow first "$MONA64" -n 3000 -r 0 --iterations 100 --frames 50 --frame-spacing linear -j1 -q \
        -o 'pat/f%03d.png' -o pat.svg
    wait_for pat/.polyevolve.manifest || note "no manifest in pat/ after 60 s"
    check_second "a second run into the frame pattern" "$MONA32" -n 5 --frames 5 -q -j1 -o 'pat/f%03d.png'
    stop_first "pat/"
    local sizes
    sizes="$(for f in pat/f*.png; do [ -e "$f" ] && pecheck size "$f"; done | sort -u | tr '\n' ' ')"
    [ -z "$sizes" ] || [ "$sizes" = "64 64 " ] && ok "the pattern's frames are all the first run's (${sizes:-none yet})" ||
        bad "frames of two runs in pat/: sizes $sizes"
    # a frame pattern in a running run's frames/, and a run whose frames/ is a running pattern:
    # one lock per directory written into, whichever starts first (L6)
    local slow_frames=(-n 3000 -r 0 --iterations 100 --frames 50 --frame-spacing linear -j1 -q)
    start_slow first "$MONA64" "${slow_frames[@]}" -o nest
    wait_for nest/.polyevolve.manifest || note "no manifest in nest/ after 60 s"
    check_second "a frame pattern in a running run's frames/" "$MONA32" -n 5 --frames 5 -q -j1 \
        -o 'nest/frames/frame_%05d.png'
    stop_first "nest/"
    sizes="$(for f in nest/frames/*.png; do [ -e "$f" ] && pecheck size "$f"; done | sort -u | tr '\n' ' ')"
    [ -z "$sizes" ] || [ "$sizes" = "64 64 " ] && ok "nest/frames holds only the run's frames (${sizes:-none yet})" ||
        bad "frames of two runs in nest/frames: sizes $sizes"
    start_slow first "$MONA64" "${slow_frames[@]}" -o 'nest2/frames/frame_%05d.png' -o nest2.svg
    wait_for nest2/frames/.polyevolve.manifest || note "no manifest in nest2/frames/ after 60 s"
    check_second "a run into the directory of a running frame pattern" "$MONA32" -n 5 --frames 5 -q -j1 \
        -o nest2
    stop_first "nest2/frames/"
    sizes="$(for f in nest2/frames/*.png; do [ -e "$f" ] && pecheck size "$f"; done | sort -u | tr '\n' ' ')"
    [ -z "$sizes" ] || [ "$sizes" = "64 64 " ] && [ ! -e nest2/final.png ] &&
        ok "nest2/ holds only the pattern's frames (${sizes:-none yet})" ||
        bad "nest2/ after the refused run: sizes $sizes, $(ls nest2 | tr '\n' ' ')"
    # a sequence directory
    mkdir -p frames
    cp "$MONA64" frames/a.png
    cp "$MONA64" frames/b.png
    start_slow first sequence frames -o seq "${SLOW[@]}"
    wait_for seq/.polyevolve.manifest || note "no manifest in seq/ after 60 s"
    check_second "a second sequence into seq/" sequence "$MONA32" -o seq -n 5 -q -j1
    stop_first "seq/"
    [ ! -e seq/frame_00001.png ] || [ "$(pecheck size seq/frame_00001.png)" = "64 64" ] &&
        ok "seq/ holds only the first sequence's frames" || bad "seq/frame_00001.png is $(pecheck size seq/frame_00001.png)"
    # chunks of one sequence share the directory; one chunk's frames are its own
    start_slow first sequence frames/a.png --resume chunks --first-frame 1 --keyframe-every 2 "${SLOW[@]}"
    wait_for chunks/.polyevolve.lock-00001 || note "no chunk lock after 60 s"
    BUSY="$WORK/chunks" expect_ok "another chunk at the same time" sequence "$MONA32" --resume chunks --first-frame 2 \
        --keyframe-every 2 -n 5 -r 32 -q -j1
    check_second "the same chunk twice" sequence frames/a.png --resume chunks --first-frame 1 \
        --keyframe-every 2 -n 5 -q -j1
    stop_first "chunks/"
}

case "${1:-}" in
default) need_python; case_default ;;
same) case_same ;;
names) case_names ;;
unwritable) case_unwritable ;;
stale) case_stale ;;
locks) case_locks ;;
*) echo "usage: $0 default|same|names|unwritable|stale|locks" >&2; exit 2 ;;
esac
finish
