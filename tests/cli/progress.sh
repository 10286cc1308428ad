#!/bin/bash
# progress: what run, sequence and animate say while they work (issue 26).
#   lines     a run's -v lines under a pipe: "polyevolve: SECONDSs WHAT", the times never going
#             back (frames written after the run included), in words: placed k/N, round k/N,
#             PSNR, checkpoints, the frames being written, then one line per frame giving the
#             time of the picture it shows as such; psnr and linear spacing
#   sequence  sequence -v under a pipe: one line per frame, in time order; kept frames too
#   animate   animate -v under a pipe: one line per frame, in time order (frames and a GIF)
#   tty       on a pseudo-terminal (script(1)) the bar's last state names the output phase
#             (writing ..., finishing run.gif), never "100% ... ETA 0s"; sequence and animate
#             draw frame k/N
#   preview   a longer directory run writes DIR/preview.png (a valid PNG at the working size,
#             named in the run's claim) while it works, and removes it when it ends
. "$(dirname "$0")/common.sh"

# times_in_order FILE: every line is "polyevolve: SECONDSs TEXT" and SECONDS never goes down.
# Prints the first problem; status 1 then.
times_in_order()
{
    awk '
        !/^polyevolve: +[0-9]+\.[0-9]+s / { print "line " NR " is not a progress line: " $0; exit 1 }
        {
            t = $2; sub(/s$/, "", t); t += 0
            if (NR > 1 && t < last) { print "the time goes back at line " NR ": " $0; exit 1 }
            last = t
        }' "$1"
}

# in_order FILE DESC: times_in_order as a check
in_order()
{
    local why
    if why="$(times_in_order "$1")" && [ -s "$1" ]; then
        ok "$2: $(wc -l <"$1") lines, in time order"
    else
        bad "$2: lines not in time order" "${why:-no lines}" "$(head -n 3 "$1")"
    fi
}

# count_is N PATTERN FILE DESC: N lines of FILE match the extended regex PATTERN
count_is()
{
    local n
    n="$(grep -cE -- "$2" "$3")"
    [ "$n" -eq "$1" ] && ok "$4 ($n)" || bad "$4: $n lines match '$2', expected $1" "$(head -n 4 "$3")"
}

# bar_states FILE: the states a bar drew on the terminal, one a line
bar_states()
{
    sed 's/\x1b\[K//g' "$1" | tr '\r' '\n' | grep '^\['
}

case_lines()
{
    { timeout 100 "$PE_BIN" "$MONA64" -n 30 --frames 10 -v -j1 -o r 2>&1 >/dev/null; } | cat >r.txt
    in_order r.txt "run -v (psnr spacing: frames written after the run)"
    count_is 10 's frame ([0-9]+)/10 written \(the picture at [0-9.]+s: (placed [0-9]+/30|round [1-6]/6), PSNR [0-9.]+ dB\)$' \
        r.txt "a line per frame, naming the time of the picture it shows"
    grep -qE 's placed [0-9]+/30, PSNR [0-9.]+ dB' r.txt && grep -qE 's round [1-6]/6, PSNR' r.txt &&
        ok "the steps say what was placed and refined" || bad "no placed/round lines" "$(head -n 3 r.txt)"
    grep -q 'checkpoint saved$' r.txt && ok "a checkpoint is said" || bad "no checkpoint line"
    # the frames are announced before they are written, after the optimisation
    local fin ann first
    fin="$(grep -n 'optimisation finished: 30 triangles' r.txt | cut -d: -f1)"
    ann="$(grep -n 'writing the 10 frames chosen by PSNR (r/frames/frame_NNNNN.png)' r.txt | cut -d: -f1)"
    first="$(grep -n 's frame 1/10 written' r.txt | cut -d: -f1)"
    [ -n "$fin" ] && [ -n "$ann" ] && [ -n "$first" ] && [ "$fin" -lt "$ann" ] && [ "$ann" -lt "$first" ] &&
        ok "the end of the optimisation, then the frames announced, then written" ||
        bad "order: finished at line ${fin:-none}, announced ${ann:-none}, frame 1 ${first:-none}"
    grep -q 's writing r/final.png, r/final.svg, r/final.pdf$' r.txt &&
        grep -q 's writing r/log.csv, r/state.json$' r.txt && ok "the final outputs are said" ||
        bad "no line for the final outputs" "$(tail -n 3 r.txt)"
    # linear spacing: frames written during the run, among the steps
    { timeout 100 "$PE_BIN" "$MONA64" -n 30 --frames 6 --frame-spacing linear -v -j1 -o l \
        2>&1 >/dev/null; } | cat >l.txt
    in_order l.txt "run -v (linear spacing)"
    count_is 6 's frame [1-6]/6 written \((placed [0-9]+/30|round [1-6]/6), PSNR [0-9.]+ dB\)$' l.txt \
        "linear spacing: a line per frame as it is written"
}

# tiny_frames N DIR: N 32x32 frames DIR/in_NNN.png (mona32 rolled a pixel a frame)
tiny_frames()
{
    "$PY" -c "
import sys
import numpy as np
from PIL import Image
a = np.asarray(Image.open(sys.argv[1]).convert('RGB'))
for k in range(int(sys.argv[2])):
    Image.fromarray(np.roll(a, k, axis=1)).save(f'{sys.argv[3]}/in_{k + 1:03d}.png')
" "$MONA32" "$1" "$2"
}

case_sequence()
{
    need_python
    mkdir -p in && tiny_frames 3 in || { bad "cannot make the frames"; return; }
    { timeout 100 "$PE_BIN" sequence in -o s -n 5 -r 32 -j1 -v 2>&1 >/dev/null; } | cat >s.txt
    in_order s.txt "sequence -v"
    count_is 3 's frame [1-3]/3 written \((cold start|warm start[^)]*)\): 5 triangles, PSNR [0-9.]+ dB' \
        s.txt "sequence -v: a line per frame"
    { timeout 100 "$PE_BIN" sequence in -o s --resume s -n 5 -r 32 -j1 -v 2>&1 >/dev/null; } |
        cat >k.txt
    in_order k.txt "sequence --resume -v"
    count_is 3 's frame [1-3]/3 kept' k.txt "sequence --resume -v: a line per kept frame"
}

case_animate()
{
    expect_ok "a run to animate" "$MONA32" -n 6 --iterations 1 --frames 0 -q -j1 -o r || return
    { timeout 100 "$PE_BIN" animate r/state.json -o a --frames 6 -v 2>&1 >/dev/null; } | cat >a.txt
    in_order a.txt "animate -v"
    count_is 6 's frame [1-6]/6 written \(a/frame_0000[1-6].png\)$' a.txt "animate -v: a line per frame"
    { timeout 100 "$PE_BIN" animate r/state.json -o a.gif --frames 6 -v 2>&1 >/dev/null; } |
        cat >g.txt
    in_order g.txt "animate -o a.gif -v"
    count_is 6 's frame [1-6]/6 added to a.gif$' g.txt "animate -o a.gif -v: a line per frame"
    grep -q 's finishing a.gif$' g.txt && ok "animate -v says when the GIF is finished" ||
        bad "no 'finishing a.gif' line" "$(tail -n 2 g.txt)"
}

case_tty()
{
    need_tool script bsdutils
    script -qec "stty cols 100 rows 20; '$PE_BIN' '$MONA64' -n 30 --frames 10 -j1 -o t -o t.gif" \
        /dev/null >t.txt 2>&1 </dev/null
    local last
    last="$(bar_states t.txt | tail -n 1)"
    if [[ "$last" =~ (writing|encoding|finishing)\  ]] && ! [[ "$last" =~ ETA\ 0s ]]; then
        ok "a run's bar ends naming the output phase: ${last##*] }"
    else
        bad "a run's bar ends with: ${last:-nothing}" "$(bar_states t.txt | tail -n 3)"
    fi
    bar_states t.txt | grep -qE 'writing frames and t.gif [0-9]+/10 ' &&
        bar_states t.txt | grep -qE 'finishing t.gif ' &&
        ok "the bar counts the frames written after the run and names the GIF" ||
        bad "no 'writing frames and t.gif k/10' or 'finishing t.gif' on the bar" \
            "$(bar_states t.txt | tail -n 4)"
    need_python
    mkdir -p in && tiny_frames 3 in || { bad "cannot make the frames"; return; }
    script -qec "stty cols 100 rows 20; '$PE_BIN' sequence in -o s -n 5 -r 32 -j1" \
        /dev/null >s.txt 2>&1 </dev/null
    bar_states s.txt | grep -qE 'frame 3/3 .*PSNR [0-9.]+' &&
        ok "sequence draws a bar: $(bar_states s.txt | tail -n 1 | sed 's/^\[[#.]*\] //')" ||
        bad "sequence on a terminal: no bar with frame 3/3" "$(head -c 300 s.txt | cat -v)"
    script -qec "stty cols 100 rows 20; '$PE_BIN' animate t/state.json -o a --frames 6" \
        /dev/null >a.txt 2>&1 </dev/null
    bar_states a.txt | grep -qE 'writing frames 6/6 ' &&
        ok "animate draws a bar: $(bar_states a.txt | tail -n 1 | sed 's/^\[[#.]*\] //')" ||
        bad "animate on a terminal: no bar with 'writing frames 6/6'" "$(head -c 300 a.txt | cat -v)"
}

case_preview()
{
    need_python
    # a run that works for a minute unless stopped, reporting often
    timeout -k 5 100 "$PE_BIN" "$MONA64" -n 500 -r 0 --time 60 --frames 0 -j1 -q -o p \
        >/dev/null 2>p.err </dev/null &
    local pid=$!
    if ! wait_for p/preview.png; then
        bad "no p/preview.png after 60 s of the run"
        kill -INT "$pid"
        wait "$pid"
        return
    fi
    local size
    size="$(pecheck size p/preview.png 2>&1)"
    [ "$size" = "64 64" ] && ok "p/preview.png appears during the run, a valid 64x64 PNG" ||
        bad "p/preview.png: $size"
    grep -qx 'file preview.png' p/.polyevolve.manifest && ok "the run's claim names preview.png" ||
        bad "preview.png is not in the run's manifest" "$(cat p/.polyevolve.manifest)"
    kill -INT "$pid"
    wait "$pid"
    local rc=$?
    [ "$rc" -eq 130 ] && [ -s p/final.png ] && [ ! -e p/preview.png ] &&
        ok "the run's end removes preview.png (final.png is there)" ||
        bad "after the run (exit $rc): preview.png $([ -e p/preview.png ] && echo left || echo gone)" \
            "$(head -n 2 p.err)"
    grep -q preview p/.polyevolve.manifest && bad "the manifest still lists preview.png" ||
        ok "the manifest lists no preview.png after the run"
    [ -z "$(tmp_leftovers p)" ] && ok "no temporary file left" || bad "left: $(tmp_leftovers p)"
}

case "${1:-}" in
lines) case_lines ;;
sequence) case_sequence ;;
animate) case_animate ;;
tty) case_tty ;;
preview) case_preview ;;
*) echo "usage: $0 lines|sequence|animate|tty|preview" >&2; exit 2 ;;
esac
finish
