#!/bin/bash
# Outputs as primitive users, animators, printers and scripts expect them (issue 14).
#   files:    -o x.svg makes that file (no directory), repeated -o makes each, -o - gives a valid
#             SVG on stdout (summary on stderr), input - reads stdin, -o f%03d.png writes the
#             frames there, unsupported extensions and bad patterns are usage errors (exit 2).
#   frames:   frames have final.png's size (-s applies), and psnr spacing leaves no run of
#             near-equal frames. Measure: consecutive frames compared as images (PSNR of one
#             against the next, 8-bit RGB) must all be below 40 dB, and the working-PSNR gain
#             from one frame to the next (log.csv, one row per frame) must nowhere be under a
#             quarter of the mean gain. The same run with --frame-spacing linear fails both
#             (checked too, so the measure can fail).
#   progress: with -v and stderr a pipe, one line per checkpoint point and per frame; checkpoints
#             at most once a second (the others held back: no "checkpoint saved"); on a 50-column
#             pseudo-terminal (script(1)), no redrawn line is wider than 49 columns.
#   meta:     the input is recorded by its file name only; --no-metadata leaves it all out.
#   print:    render -s sizes the PDF page (1 pt per pixel), --page 10cm gives 283.46 pt, and the
#             SVG's width/height follow -s.
#   dir:      a second run into a directory in use fails at once (exit 1, one line); a *.tmp-*
#             left by a killed write is removed by the next run; frames and log.csv of an earlier
#             run that this run does not rewrite are removed.
#   stop:     SIGINT says how to resume.
. "$(dirname "$0")/common.sh"

# no_dir PATH DESC: PATH is a regular file, not a directory
is_file()
{
    [ -f "$1" ] && ok "$2: $1 is a file" || bad "$2: $1 is not a regular file" "$(ls -la "$1" 2>&1)"
}

case_files()
{
    need_python
    expect_ok "-o x.svg" "$MONA32" -n 8 --iterations 1 --frames 0 -q -j1 -o x.svg || return
    is_file x.svg "-o x.svg"
    pecheck svg-ok x.svg >/dev/null && ok "-o x.svg is a well-formed SVG" || bad "x.svg is not an SVG"
    [ ! -e out ] && ok "-o x.svg makes no out/ directory" || bad "-o x.svg also made out/"
    expect_ok "-o a.png -o a.svg -o a.pdf" "$MONA32" -n 8 --iterations 1 --frames 0 -q -j1 \
        -o a.png -o a.svg -o a.pdf -o adir/ || return
    local f
    for f in a.png a.svg a.pdf adir/final.svg adir/state.json adir/log.csv; do is_file "$f" "repeated -o"; done
    [ "$(pecheck size a.png)" = "32 32" ] && ok "a.png is 32x32" || bad "a.png is $(pecheck size a.png)"
    cmp -s a.svg adir/final.svg && ok "the SVG file and DIR/final.svg are the same bytes" ||
        bad "a.svg differs from adir/final.svg"
    # -o -: the SVG on stdout, the summary on stderr
    timeout 100 "$PE_BIN" "$MONA32" -n 8 --iterations 1 --frames 0 -j1 -o - >stdout.svg 2>err.txt
    RC=$?
    [ "$RC" -eq 0 ] && pecheck svg-ok stdout.svg >/dev/null && cmp -s stdout.svg a.svg &&
        ok "-o - writes the same valid SVG to stdout" || bad "-o -: exit $RC, stdout not the SVG"
    grep -q 'PSNR' err.txt && ok "-o -: the summary goes to stderr" || bad "-o -: no summary on stderr"
    [ ! -e ./- ] && ok "-o - creates no file named -" || bad "-o - created a file or directory '-'"
    # input - reads stdin
    timeout 100 "$PE_BIN" - -n 8 --iterations 1 --frames 0 -q -j1 -o s.svg <"$MONA32" 2>err.txt
    RC=$?
    grep -v 'name="input"' s.svg >s1 2>/dev/null
    grep -v 'name="input"' a.svg >s2
    [ "$RC" -eq 0 ] && cmp -s s1 s2 && ok "input - reads the image from stdin (the same SVG)" ||
        bad "input from stdin: exit $RC" "$(cat err.txt)"
    grep -q 'name="input" value="stdin"' s.svg && ok "stdin input is recorded as 'stdin'" ||
        bad "stdin input recorded as $(grep -o 'name="input"[^>]*' s.svg)"
    # a frame pattern
    expect_ok "-o f%03d.png" "$MONA32" -n 8 --iterations 1 --frames 4 -q -j1 -o seq/f%03d.png -o seq.svg || return
    [ -f seq/f001.png ] && [ -f seq/f004.png ] && [ ! -e seq/f005.png ] &&
        ok "the frames follow the pattern (f001.png .. f004.png)" || bad "pattern frames: $(ls seq)"
    expect_error 1 "nodir/x.svg" "-o into a missing directory, said before the run" "$MONA32" -n 8 -q -o nodir/x.svg
    expect_ok "-o x.jpg" "$MONA32" -n 8 --iterations 1 --frames 0 -q -j1 -o x.jpg -s 48 || return
    "$PY" -c 'import sys; from PIL import Image; im = Image.open(sys.argv[1]); sys.exit(not (im.format == "JPEG" and im.size == (48, 48)))' x.jpg &&
        ok "-o x.jpg is a 48x48 JPEG" || bad "x.jpg is not a 48x48 JPEG"
    grep -aq 'input=mona32.png' x.jpg && ok "the JPEG carries the metadata (COM)" || bad "x.jpg has no metadata"
    expect_error 2 "x.webp" "-o x.webp (no WebP writer)" "$MONA32" -n 8 -q -o x.webp
    expect_error 2 "f%s.png" "a pattern without %d" "$MONA32" -n 8 -q -o 'f%s.png'
    expect_error 2 "only one" "two directories" "$MONA32" -n 8 -q -o d1/ -o d2/
}

# frame_measure DIR: prints "SIZES MAXCONSEC MINGAIN MEANGAIN" for DIR/frames + log.csv; SIZES is
# the frames' distinct sizes (WxH, comma-separated) then "=" final.png's size, then whether the
# last frame is final.png
frame_measure()
{
    "$PY" - "$1" <<'EOF'
import glob, math, sys
import numpy as np
from PIL import Image
d = sys.argv[1]
fs = sorted(glob.glob(d + "/frames/frame_*.png"))
ims = [np.asarray(Image.open(f).convert("RGB"), dtype=np.float64) for f in fs]
fin = np.asarray(Image.open(d + "/final.png").convert("RGB"), dtype=np.float64)
sizes = ",".join(sorted({f"{a.shape[1]}x{a.shape[0]}" for a in ims}))
def psnr(a, b):
    m = ((a - b) ** 2).mean()
    return 99.0 if m == 0 else 10 * math.log10(255 ** 2 / m)
cons = max(psnr(ims[i], ims[i + 1]) for i in range(len(ims) - 1))
rows = [float(r.split(",")[5]) for r in open(d + "/log.csv").read().splitlines()[1:] if r]
gains = [b - a for a, b in zip(rows, rows[1:])]
last = "last=final" if ims[-1].shape == fin.shape and (ims[-1] == fin).all() else "last!=final"
print(f"{sizes}={fin.shape[1]}x{fin.shape[0]},{last} {cons:.2f} {min(gains):.4f} {sum(gains) / len(gains):.4f}")
EOF
}

case_frames()
{
    need_python
    expect_ok "frames at -s 100" "$MONA64" -n 30 --frames 10 -s 100 -q -j1 -o p || return
    [ "$(ls p/frames | wc -l)" -eq 10 ] && ok "10 frames" || bad "$(ls p/frames | wc -l) frames, not 10"
    local sizes cons min mean
    read -r sizes cons min mean <<<"$(frame_measure p)"
    [ "$sizes" = "100x100=100x100,last=final" ] &&
        ok "every frame has final.png's size, the last one is final.png ($sizes)" ||
        bad "frame sizes / last frame: $sizes (frames=final.png,last)"
    note "psnr spacing: consecutive frames at most $cons dB alike; gain min $min, mean $mean dB"
    awk -v c="$cons" -v m="$min" -v a="$mean" 'BEGIN { exit !(c < 40 && m >= a / 4) }' &&
        ok "psnr spacing: no near-equal consecutive frames" ||
        bad "psnr spacing: near-equal frames (consecutive $cons dB, min gain $min, mean $mean)"
    expect_ok "the same with linear spacing" "$MONA64" -n 30 --frames 10 -s 100 \
        --frame-spacing linear -q -j1 -o l || return
    read -r sizes cons min mean <<<"$(frame_measure l)"
    note "linear spacing: consecutive frames at most $cons dB alike; gain min $min, mean $mean dB"
    awk -v c="$cons" -v m="$min" -v a="$mean" 'BEGIN { exit !(c < 40 && m >= a / 4) }' &&
        bad "linear spacing passes the measure too: it cannot tell them apart" ||
        ok "the measure fails linear spacing (it can fail)"
}

case_progress()
{
    # stderr a pipe, -v: one line per checkpoint and per frame
    { timeout 100 "$PE_BIN" "$MONA32" -n 8 --iterations 1 --frames 3 -v -j1 -o v 2>&1 >out.txt; } |
        cat >err.txt
    local n
    n="$(grep -c 's frame [0-9]*/3 written (.*PSNR' err.txt)"
    [ "$n" -eq 3 ] && ok "-v without a terminal: a line per frame ($n)" ||
        bad "-v: $n frame lines, expected 3" "$(head -n 5 err.txt)"
    grep -q 'checkpoint saved$' err.txt && ok "-v without a terminal: checkpoint lines" ||
        bad "-v: no checkpoint lines"
    grep -q $'\r' err.txt && bad "-v without a terminal drew a bar (carriage returns)" ||
        ok "-v without a terminal draws no bar"
    grep -q 'v/final.png' out.txt && grep -qE '[0-9.]+ s' out.txt &&
        ok "the summary gives the time and the files written" || bad "summary: $(cat out.txt)"
    # checkpoints at most once a second of the run (the first at once): -v says which points
    # wrote one ("checkpoint saved") and which were held back (the line ends at the PSNR)
    local t0 t1 secs ck st
    t0=$(date +%s%N)
    { timeout 100 "$PE_BIN" "$MONA64" -n 30 --frames 40 -v -j1 -o ck 2>&1 >/dev/null; } |
        cat >ck.txt
    t1=$(date +%s%N)
    secs=$(((t1 - t0 + 999999999) / 1000000000))
    ck="$(grep -c '; checkpoint saved$' ck.txt)"
    st="$(grep -cE '(placed [0-9]+/30|round [0-9]+/6), PSNR [0-9.]+ dB$' ck.txt)"
    [ "$ck" -ge 1 ] && [ "$ck" -le $((secs + 1)) ] && [ "$st" -ge 5 ] && [ -s ck/state.json ] &&
        ok "$ck checkpoints in a run of at most $secs s, $st points held back" ||
        bad "checkpoints: $ck written, $st held back in at most $secs s" "$(head -n 5 ck.txt)"
    # a 50-column terminal: every redraw fits
    need_tool script bsdutils
    script -qec "stty cols 50 rows 20; '$PE_BIN' '$MONA64' -n 30 --frames 0 -j1 -o t" /dev/null \
        >tty.txt 2>&1 </dev/null
    local widest
    widest="$(sed 's/\x1b\[K//g' tty.txt | tr '\r' '\n' | grep -v 'polyevolve:' |
        awk '{ if (length($0) > w) w = length($0) } END { print w + 0 }')"
    grep -q 'PSNR' tty.txt && [ "$widest" -le 49 ] && [ "$widest" -gt 20 ] &&
        ok "on a 50-column terminal the progress line is $widest columns" ||
        bad "progress on a 50-column terminal: widest line $widest" "$(head -c 300 tty.txt | cat -v)"
    grep -qE 'placing|round' tty.txt && ok "the progress line shows the phase" ||
        bad "no phase (placing/round) in the progress line"
}

case_meta()
{
    mkdir -p "sub dir"
    cp "$MONA32" "sub dir/pic.png"
    expect_ok "a run with metadata" "$WORK/sub dir/pic.png" -n 8 --iterations 1 --frames 2 -q -j1 -o m ||
        return
    local f
    for f in m/final.svg m/final.pdf m/final.png m/frames/frame_00001.png; do
        if grep -aq "sub dir" "$f" || grep -aq "$WORK" "$f"; then
            bad "$f records the input's directory"
        else
            grep -aq "pic.png" "$f" && ok "$f records the input as pic.png only" ||
                bad "$f does not record the input name"
        fi
    done
    expect_ok "--no-metadata" "$WORK/sub dir/pic.png" -n 8 --iterations 1 --frames 2 --no-metadata -q -j1 -o n ||
        return
    for f in n/final.svg n/final.pdf n/final.png n/frames/frame_00001.png; do
        grep -aqE "pic.png|triangles|seed" "$f" && bad "--no-metadata: $f still has metadata" ||
            ok "--no-metadata: $f has none"
    done
    grep -q "pic.png" n/state.json && ok "the state file still names the input (to resume)" ||
        bad "state.json lost the input path"
    # render and animate: a state of an earlier version records the whole path in its options
    sed 's|"input": *"pic.png"|"input": "/secret/dir/pic.png"|' m/state.json >old.json
    grep -q '/secret/dir' old.json || { bad "could not make an old-style state"; return; }
    pe render old.json -o old.svg
    grep -q 'value="pic.png"' old.svg && ! grep -q secret old.svg &&
        ok "render publishes an old state's input by its name only" || bad "render: $(grep -o 'name="input"[^>]*' old.svg)"
    pe animate old.json -o anim --frames 2 -q
    grep -aq secret anim/frame_00002.png && bad "animate published the input's directory" ||
        ok "animate publishes the input by its name only"
    pe render old.json -o none.svg --no-metadata
    grep -q 'metadata' none.svg && bad "render --no-metadata wrote metadata" ||
        ok "render --no-metadata writes none"
}

case_print()
{
    need_tool pdfinfo poppler-utils
    expect_ok "a run" "$MONA32" -n 8 --iterations 1 --frames 0 -q -j1 -o r || return
    pe render r/state.json -o big.pdf -s 3000
    pdfinfo big.pdf | grep -q 'Page size: *3000 x 3000 pts' && ok "render -s 3000 gives a 3000 pt page" ||
        bad "render -s 3000: $(pdfinfo big.pdf | grep 'Page size')"
    pe render r/state.json -o cm.pdf --page 10cm
    pdfinfo cm.pdf | grep -qE 'Page size: *283.46[0-9]* x 283.46[0-9]* pts' && ok "--page 10cm gives 283.46 pt" ||
        bad "--page 10cm: $(pdfinfo cm.pdf | grep 'Page size')"
    pe render r/state.json -o big.svg -s 300
    grep -q 'width="300" height="300" viewBox="0 0 32 32"' big.svg && ok "render -s 300 sizes the SVG" ||
        bad "render -s 300: $(grep -o '<svg[^>]*' big.svg)"
    expect_ok "run -s 64 --page 2in" "$MONA32" -n 8 --iterations 1 --frames 0 -s 64 --page 2in -q -j1 -o q || return
    pdfinfo q/final.pdf | grep -q 'Page size: *144 x 144 pts' && ok "run --page 2in: a 144 pt page" ||
        bad "run --page 2in: $(pdfinfo q/final.pdf | grep 'Page size')"
    grep -q 'width="2in" height="2in" viewBox="0 0 32 32"' q/final.svg &&
        ok "run --page 2in: the SVG is 2 in, its viewBox the input's" || bad "run --page 2in: SVG size: $(grep -o '<svg[^>]*' q/final.svg)"
    pe render r/state.json -o r.jpg -s 50
    [ "$RC" -eq 0 ] && [ "$(head -c 2 r.jpg | od -An -tx1 | tr -d ' ')" = "ffd8" ] &&
        ok "render -o r.jpg writes a JPEG" || bad "render -o r.jpg: exit $RC"
    # a named page: A3 (297 x 420 mm = 841.89 x 1190.55 pt), portrait for a square picture,
    # the picture as wide as the page inside 10 mm margins, centred; the SVG in millimetres
    expect_ok "run --page A3 --margin 10mm" "$MONA32" -n 8 --iterations 1 --frames 0 \
        --page A3 --margin 10mm -q -j1 -o a3 || return
    local size
    size="$(pdfinfo a3/final.pdf | sed -n 's/^Page size: *\([0-9.]*\) x \([0-9.]*\) pts.*/\1 \2/p')"
    awk -v s="$size" 'BEGIN { split(s, p, " "); exit !(p[1] > 841.4 && p[1] < 842.4 &&
        p[2] > 1190 && p[2] < 1191.1) }' && ok "--page A3: an A3 page ($size pt)" ||
        bad "--page A3: page size '$size' pt, expected 841.89 x 1190.55"
    grep -q 'width="277mm" height="277mm" viewBox="0 0 32 32"' a3/final.svg &&
        ok "--page A3 --margin 10mm: the SVG is 277 mm, its viewBox the input's" ||
        bad "--page A3: SVG $(grep -o '<svg[^>]*' a3/final.svg)"
    if have_tool pdftoppm && [ -n "$PY" ]; then
        pdftoppm -r 36 -png -singlefile a3/final.pdf a3page
        # the picture (no white in mona) lies in the middle: equal blank space each side
        if "$PY" - a3page.png <<'PYEOF'; then ok "--page A3: the picture is centred on the page"; else bad "--page A3: the picture is not centred"; fi
import sys
import numpy as np
from PIL import Image
a = np.asarray(Image.open(sys.argv[1]).convert("L"))
rows = np.where((a < 250).any(axis=1))[0]
cols = np.where((a < 250).any(axis=0))[0]
h, w = a.shape
left, right = cols[0], w - 1 - cols[-1]
top, bottom = rows[0], h - 1 - rows[-1]
print(f"       page {w}x{h} px: margins left {left} right {right} top {top} bottom {bottom}",
      file=sys.stderr)
sys.exit(0 if abs(left - right) <= 1 and abs(top - bottom) <= 1 and 10 <= left <= 16 else 1)
PYEOF
    fi
    # a landscape picture on a named page turns it
    "$PY" -c "from PIL import Image; Image.open('$MONA32').resize((64, 32)).save('wide.png')" 2>/dev/null &&
        expect_ok "a wide picture --page A4" wide.png -n 5 --iterations 1 --frames 0 --page A4 \
            -q -j1 -o wide.pdf &&
        { pdfinfo wide.pdf | grep -qE 'Page size: *841.8[0-9]* x 595.2[0-9]* pts' &&
            ok "--page A4 turns landscape for a wide picture" ||
            bad "--page A4, wide picture: $(pdfinfo wide.pdf | grep 'Page size')"; }
}

case_dir()
{
    # a run holding the directory (stopped at a pipe: its progress callback cannot block, so a
    # slow run stands in: many triangles at full size)
    timeout 100 "$PE_BIN" "$MONA64" -n 400 -r 0 --frames 0 -q -j1 -o busy &
    local pid=$!
    local i
    for i in $(seq 50); do [ -e busy/.polyevolve.lock ] && break; sleep 0.1; done
    sleep 0.3
    BUSY="$WORK/busy" expect_error 1 "another polyevolve run" "a second run into a directory in use" \
        "$MONA32" -n 5 -q -j1 -o busy
    kill -INT "$pid" 2>/dev/null
    wait "$pid"
    local left
    left="$(tmp_leftovers busy)"
    [ -z "$left" ] && ok "the interrupted run left no temporary file" ||
        bad "the interrupted run left temporary files" "$left"
    # leftovers of a killed write, stale frames and log of an earlier run
    expect_ok "a run with 4 frames" "$MONA32" -n 8 --iterations 1 --frames 4 -q -j1 -o k || return
    echo partial >k/final.svg.tmp-AbC123
    echo partial >k/frames/frame_00002.png.tmp-XyZ789
    expect_ok "a second run with --frames 2" "$MONA32" -n 8 --iterations 1 --frames 2 -q -j1 -o k --force || return
    [ -z "$(find k -name '*.tmp-*')" ] && ok "the next run removed the killed run's temporary files" ||
        bad "temporary files left: $(find k -name '*.tmp-*')"
    [ "$(ls k/frames | wc -l)" -eq 2 ] && ok "only this run's 2 frames are left" ||
        bad "frames left: $(ls k/frames | tr '\n' ' ')"
    expect_ok "a third run with --frames 0 --state elsewhere" "$MONA32" -n 8 --iterations 1 --frames 0 \
        --state k.json -q -j1 -o k --force || return
    [ ! -e k/frames ] && [ ! -e k/state.json ] && [ -f k.json ] && [ -f k/log.csv ] &&
        ok "no frames and no state of the earlier runs are left beside the new outputs" ||
        bad "after --frames 0 --state k.json: $(find k | tr '\n' ' ')"
}

case_stop()
{
    # --foreground: timeout then passes the SIGINT to polyevolve alone; without it, it also
    # signals its process group, so polyevolve may get two and take the second as "leave now"
    timeout --foreground 100 "$PE_BIN" "$MONA64" -n 400 -r 0 --frames 0 -j1 -o st >/dev/null 2>err.txt &
    local pid=$! i
    for i in $(seq 100); do [ -f st/state.json ] && break; sleep 0.1; done
    kill -INT "$pid"
    wait "$pid"
    local rc=$?
    [ "$rc" -eq 130 ] && grep -q 'polyevolve --resume st' err.txt && ok "SIGINT says: polyevolve --resume st" ||
        bad "after SIGINT: exit $rc, stderr: $(cat err.txt)"
    # resuming with only a file as -o still keeps the state in the run's directory
    local before
    before="$(cksum <st/state.json)"
    expect_ok "--resume st -o done.svg" --resume st --time 1 -o done.svg -q -j1 || return
    [ -f done.svg ] && [ "$(cksum <st/state.json)" != "$before" ] &&
        ok "the resumed run wrote done.svg and went on checkpointing in st/" ||
        bad "resume -o done.svg: done.svg $( [ -f done.svg ] && echo there || echo missing), state unchanged"
}

case "${1:-}" in
files) case_files ;;
frames) case_frames ;;
progress) case_progress ;;
meta) case_meta ;;
print) case_print ;;
dir) case_dir ;;
stop) case_stop ;;
*) echo "usage: $0 files|frames|progress|meta|print|dir|stop" >&2; exit 2 ;;
esac
finish
