#!/bin/bash
# Signals, resumes, damaged inputs, bounds and messages (issue 25). One case per argument:
#   signals    SIGHUP stops a run as SIGTERM does: exit 129, the outputs written, the resume
#              hint (E9); a sequence --resume removes the temporaries a kill -9 left (E21)
#   seqresume  sequence --resume checks each kept frame as a run's resume does: another
#              picture (exit 1), another -n, --seed, --warm-iterations or --keyframe-every
#              (exit 2), a state without input-hash
#              (exit 1); --force makes the frame again (E7)
#   video      a truncated or damaged video: one line naming the frames lost, exit 1 unless
#              --allow-damaged (E8); two videos as inputs: refused before any frame (E17)
#   bounds     stdin is read with a file's bounds (E14); a state file's ignored field is
#              bounded in bytes (E15)
#   messages   every message names the real cause (E17, E18, E23), --init of more triangles
#              than -n (E20), a resumed run never ends with more frames than --frames (E22)
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"

# frames_tiny N DIR: N 32x32 frames DIR/in_001.png.. (mona32 shifted a pixel a frame)
frames_tiny()
{
    mkdir -p "$2"
    "$PY" - "$MONA64" "$1" "$2" <<'EOF'
import sys
from PIL import Image
im = Image.open(sys.argv[1]).convert("RGB")
for k in range(int(sys.argv[2])):
    im.crop((k, k, k + 32, k + 32)).save(f"{sys.argv[3]}/in_{k + 1:03d}.png")
EOF
}

SEQ=(-n 5 -r 32 -q -j1)

# drop_key STATE: the state without its input-hash option (as an older version wrote it)
drop_key()
{
    "$PY" -c "
import json, sys
s = json.load(open(sys.argv[1]))
del s['options']['input-hash']
json.dump(s, open(sys.argv[1], 'w'))" "$1"
}

case_signals()
{
    timeout --foreground -k 5 100 "$PE_BIN" "$MONA64" -n 3000 -r 0 --iterations 100 --frames 0 -j1 \
        -o h >/dev/null 2>hup.err </dev/null &
    local pid=$!
    wait_for h/.polyevolve.manifest || note "h/ not claimed after 60 s"
    kill -HUP "$pid"
    wait "$pid"
    local rc=$?
    [ "$rc" -eq 129 ] && [ -s h/final.svg ] && grep -q 'SIGHUP.*--resume h' hup.err &&
        [ -z "$(tmp_leftovers h)" ] && ok "SIGHUP: exit 129, final.svg written, the resume hint" ||
        bad "SIGHUP: exit $rc, final.svg $(sum_of h/final.svg)" "$(head -n 2 hup.err)"
    # the files a sequence killed by kill -9 leaves: an incomplete frame and its temporaries
    need_python
    frames_tiny 3 in
    expect_ok "a 3-frame sequence" sequence in -o s "${SEQ[@]}" || return
    rm s/states/frame_00003.json
    echo partial >s/frame_00003.png.tmp-AbC123
    echo partial >s/states/frame_00003.json.tmp-XyZ789
    echo partial >s/sequence.csv.tmp-Qwe456
    echo mine >s/notes.txt.tmp-Mine00
    pe sequence in --resume s "${SEQ[@]}"
    [ "$RC" -eq 0 ] && [ "$(find s -name '*.tmp-*')" = s/notes.txt.tmp-Mine00 ] &&
        [ -f s/states/frame_00003.json ] &&
        ok "sequence --resume after kill -9: no temporary of the killed run is left, frame 3 made again" ||
        bad "after --resume (exit $RC): $(find s -name '*.tmp-*' | tr '\n' ' ')" "$(show_err)"
    [ -f s/notes.txt.tmp-Mine00 ] && ok "a temporary of no file of the sequence's stays" ||
        bad "s/notes.txt.tmp-Mine00 was removed"
}

case_seqresume()
{
    need_python
    frames_tiny 4 in
    mkdir -p other
    local k
    for k in 1 2 3 4; do "$PY" -c "from PIL import Image, ImageOps; ImageOps.invert(Image.open('in/in_00$k.png').convert('RGB')).save('other/in_00$k.png')"; done
    expect_ok "a 4-frame sequence" sequence in -o s "${SEQ[@]}" || return
    local before
    before="$(sum_of s/frame_00002.png)"
    expect_error 1 "another picture" "--resume with other pictures" sequence other --resume s "${SEQ[@]}"
    expect_error 2 "triangles" "--resume with another -n" sequence in --resume s -n 6 -r 32 -q -j1
    expect_error 2 "--seed" "--resume with another --seed" sequence in --resume s "${SEQ[@]}" --seed 9
    # sequence-only settings that change a frame are recorded and checked too
    expect_error 2 "--warm-iterations" "--resume with another --warm-iterations" sequence in --resume s \
        "${SEQ[@]}" --warm-iterations 3
    expect_error 2 "--keyframe-every" "--resume with another --keyframe-every" sequence in --resume s \
        "${SEQ[@]}" --keyframe-every 2
    [ "$(sum_of s/frame_00002.png)" = "$before" ] && ok "the kept frames are untouched" ||
        bad "a refused resume changed frame 2"
    expect_ok "--resume with other pictures and --force" sequence other --resume s "${SEQ[@]}" --force
    grep -q '"input": "other/in_002.png"' s/states/frame_00002.json &&
        ok "--force: the frames are made again from the new pictures" ||
        bad "frame 2's state after --force: $(grep -o '"input": "[^"]*"' s/states/frame_00002.json | head -n 1)"
    # a kept frame whose state has no input-hash (an older version's)
    drop_key s/states/frame_00001.json
    expect_error 1 "input-hash" "--resume over a frame state without input-hash" sequence other --resume s "${SEQ[@]}"
}

case_video()
{
    need_tool ffmpeg ffmpeg
    # a 30-frame clip cut after the first key frame's packets (the first 70 %), and a 60-frame
    # one with bytes flipped from a third on
    local f
    for f in 30 60; do
        ffmpeg -nostdin -loglevel error -f lavfi -i testsrc=size=32x32:rate=10 -frames:v "$f" \
            -c:v mpeg4 -q:v 5 "clip$f.avi" || { bad "ffmpeg could not make the clip"; return; }
    done
    head -c "$(($(stat -c %s clip30.avi) * 7 / 10))" clip30.avi >cut.avi
    "$PY" -c "
d = bytearray(open('clip60.avi', 'rb').read())
for i in range(30):
    d[len(d) // 3 + i * 200] ^= 0xff
open('dmg.avi', 'wb').write(d)"
    expect_error 1 "lost" "a truncated video" sequence cut.avi -o v1 "${SEQ[@]}"
    grep -qE 'frames [0-9]+-30 of 30 lost' "$WORK/.err" && ok "the frames lost are named" ||
        bad "the message does not name the frames lost" "$(show_err)"
    local n
    n="$(ls v1/frame_*.png 2>/dev/null | wc -l)"
    [ "$n" -gt 0 ] && [ "$n" -lt 30 ] && ok "the $n frames read are written" || bad "$n frames written"
    expect_error 1 "damaged" "a damaged video" sequence dmg.avi -o v0 "${SEQ[@]}"
    pe sequence cut.avi -o v2 "${SEQ[@]}" --allow-damaged
    [ "$RC" -eq 0 ] && grep -q 'lost' "$WORK/.err" && ok "--allow-damaged: exit 0, the warning still given" ||
        bad "--allow-damaged: exit $RC" "$(show_err)"
    expect_error 2 "video" "two videos" sequence clip30.avi clip60.avi -o v3 "${SEQ[@]}"
    [ ! -e v3 ] && ok "refused before anything was made" || bad "two videos: v3/ was created"
}

case_bounds()
{
    # an endless stream that is no image, and one that starts as a PNG and never ends
    timeout 100 bash -c 'cat /dev/zero | "$0" - -n 5 --frames 0 -q -j1 -o z.svg' "$PE_BIN" 2>err.txt
    local rc=$?
    [ "$rc" -eq 1 ] && grep -q '^polyevolve: stdin: not an image' err.txt &&
        ok "cat /dev/zero | polyevolve -: refused at its first block ($(cat err.txt))" ||
        bad "cat /dev/zero | polyevolve -: exit $rc" "$(head -c 300 err.txt)"
    timeout 100 bash -c '{ printf "\211PNG\r\n\032\n\0\0\0\rIHDR\0\0\0\20\0\0\0\20\10\6\0\0\0"; cat /dev/zero; } |
        "$0" - --max-pixels 1000 -n 5 --frames 0 -q -j1 -o z.svg' "$PE_BIN" 2>err.txt
    rc=$?
    [ "$rc" -eq 1 ] && grep -q 'stdin: more than [0-9]* bytes' err.txt &&
        ok "an endless PNG on stdin: refused at the file bound ($(cat err.txt))" ||
        bad "an endless PNG on stdin: exit $rc" "$(head -c 300 err.txt)"
    # a state whose ignored field is one 70 MB string
    need_python
    expect_ok "a run" "$MONA32" -n 5 --frames 0 -q -j1 -o r || return
    "$PY" - <<'EOF'
import json
s = json.load(open("r/state.json"))
s["notes"] = "x" * (70 << 20)
json.dump(s, open("big.json", "w"))
EOF
    expect_error 1 "notes" "a state with a 70 MB ignored string" render big.json -o big.svg
}

case_messages()
{
    need_python
    "$PY" - <<'EOF'
from PIL import Image
Image.new("RGB", (40000, 1), (10, 200, 30)).save("wide.png")
Image.new("RGB", (20000000, 1), (10, 200, 30)).save("wider.png")
Image.new("RGB", (16000000, 1), (10, 200, 30)).save("w16.png")
Image.new("L", (64, 64), 0).save("black.png")
Image.new("RGBA", (64, 64), (255, 255, 255, 0)).save("clear.png")
Image.new("L", (64, 64), 255).save("white.png")
Image.new("L", (64, 64), 128).save("gray.png")
EOF
    # E17
    expect_error 1 "stb_image's limit" "a 20000000x1 PNG" wider.png -n 5 --frames 0 -q -j1 -o w.svg
    expect_error 1 "10000000 px a side" "a 16000000x1 PNG" w16.png -n 5 --frames 0 -q -j1 -o w.svg
    expect_ok "an SVG-only run of a 40000x1 input (no PNG: above the renderer), with a state" wide.png -n 5 --frames 0 -q -j1 \
        -o w.svg --state ws.json &&
        "$PY" -c "import json; s = json.load(open('ws.json')); s['input']['width'] = 9000000; json.dump(s, open('wide.json', 'w'))" &&
        expect_error 2 "PDF writer's limit" "render of a 9000000 px wide state to PDF" render wide.json -o w.pdf
    # between the library's page limit (1e6 pt) and cairo's (8388607 pt); and a side below 0.01 pt
    "$PY" -c "import json; s = json.load(open('ws.json')); s['input']['width'] = 2000000; json.dump(s, open('wide2.json', 'w'))" &&
        expect_error 2 "PDF writer's limit" "render of a 2000000 px wide state to PDF" render wide2.json -o w2.pdf
    expect_error 2 "below the PDF writer's" "a PDF 300 pt wide of a 40000x1 input, before the work" \
        wide.png -n 5 --frames 0 -q -j1 -o w3.svg -o w3.pdf -s 300
    mkdir -p fd
    touch fd/frames
    expect_error 1 "fd/frames" "DIR/frames a file" "$MONA32" -n 5 --frames 3 -q -j1 -o fd
    # E18
    "$PY" -c "print(', '.join('#%06x' % (i * 4099) for i in range(128)))" >p128.txt
    printf '\357\273\277GIMP Palette\n255 0 0 red\n0 0 255\n' >bom.gpl
    printf '#ff0000\n#00\000ff00\n' >nul.txt
    expect_ok "128 colours on one palette line" "$MONA32" -n 5 --frames 0 -q -j1 -o p1.svg --palette p128.txt
    expect_ok "a UTF-8 BOM before GIMP Palette" "$MONA32" -n 5 --frames 0 -q -j1 -o p2.svg --palette bom.gpl
    expect_error 1 "NUL byte" "a palette with a NUL byte" "$MONA32" -n 5 --frames 0 -q -j1 -o p3.svg --palette nul.txt
    expect_error 2 "count" "--palette -3" "$MONA32" -n 5 --frames 0 -q -j1 -o p4.svg --palette -3
    # E13: a subnormal --time is a tiny limit inside the range; below every double the line says so
    expect_ok "--time 1e-320 (a subnormal)" "$MONA32" -n 5 --frames 0 -q -j1 -o t1.svg --time 1e-320
    expect_error 2 "too small for a double" "--time 1e-400" "$MONA32" -n 5 --frames 0 -q -j1 -o t2.svg \
        --time 1e-400
    # E23: a black mask is a usage error however it is black
    expect_error 2 "black" "an all-black mask" "$MONA64" -n 5 --frames 0 -q -j1 -o m1.svg --weight black.png
    expect_error 2 "black" "a transparent mask" "$MONA64" -n 5 --frames 0 -q -j1 -o m2.svg --weight clear.png
    echo "not an image" >bad.png
    expect_error 1 "bad.png" "a run that fails on its input" bad.png -n 5 --frames 3 -q -j1 -o failed
    [ ! -e failed ] && ok "it leaves no failed/" || bad "it left $(find failed | tr '\n' ' ')"
    expect_error 1 "bad.png" "a sequence that fails on its first frame" sequence bad.png -o sfailed -n 5 -q -j1
    [ ! -e sfailed ] && ok "it leaves no sfailed/" || bad "it left $(find sfailed | tr '\n' ' ')"
    timeout 100 "$PE_BIN" "$MONA32" -n 5 --frames 0 -q -j1 -o - >/dev/full 2>err.txt
    [ "$(wc -l <err.txt)" -eq 1 ] && grep -q '^polyevolve: stdout: No space left' err.txt &&
        ok "stdout on a full disk: said once" || bad "stdout on a full disk: $(cat err.txt)"
    # a state without input-hash is not resumed on any image
    expect_ok "a run to resume" "$MONA32" -n 5 --frames 0 -q -j1 -o nh || return
    drop_key nh/state.json
    expect_error 1 "input-hash" "--resume of a state without input-hash" --resume nh --iterations 3 -q -j1
    # a changed --weight file
    cp white.png mask.png
    expect_ok "a run with a mask" "$MONA64" -n 5 --frames 0 -q -j1 -o wm --weight mask.png || return
    cp gray.png mask.png
    expect_error 1 "mask.png" "--resume after the mask changed" --resume wm --iterations 3 -q -j1
    expect_ok "--resume with --weight given again" --resume wm --iterations 3 -q -j1 --weight mask.png
    # E20 (--init of more triangles than -n keeps -n of them): tests/cli/timing.sh init
    # E22: a resumed run keeps --frames
    expect_ok "a run of 4 frames" "$MONA32" -n 8 --frames 4 -q -j1 -o f4 || return
    expect_ok "its resume with more rounds" --resume f4 --iterations 4 -q -j1
    [ "$(ls f4/frames | wc -l)" -le 4 ] && ok "the resumed run has at most 4 frames ($(ls f4/frames | wc -l))" ||
        bad "the resumed run has $(ls f4/frames | wc -l) frames for --frames 4"
}

case "${1:-}" in
signals) case_signals ;;
seqresume) case_seqresume ;;
video) case_video ;;
bounds) case_bounds ;;
messages) case_messages ;;
*) echo "usage: $0 signals|seqresume|video|bounds|messages" >&2; exit 2 ;;
esac
finish
