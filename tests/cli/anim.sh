#!/bin/bash
# Animations straight from the tool and frames that cost a fraction of the run:
#   gif      -o x.gif: an animated GIF, looping, whose last frame (the final picture) lasts >= 2 s
#   video    -o x.mp4 / x.webm play (ffprobe: codec, frame count, duration), for a run and for
#            animate; an odd-sized input gives a valid MP4; --hold changes the hold
#   same     the GIF and the MP4 are byte-identical at -j 1 and -j 2
#   errors   --frames 0 with an animation, a directory that does not exist: refused before work
#   size     frames of a large input are at most 1080 px unless -s or --frame-size asks
#   time     a --time run with frames that would take far longer ends near its limit
# Usage: anim.sh CASE. Env: see common.sh.
. "$(dirname "$0")/common.sh"

FAST=(-n 12 --iterations 1 -j 1 -q)
M="$MONA64"

# frames DURATION_LAST LOOP of a GIF, through PIL
gif_info()
{
    "$PY" - "$1" <<'EOF'
import sys
from PIL import Image
im = Image.open(sys.argv[1])
n = im.n_frames
im.seek(n - 1)
print(n, im.info.get("duration"), im.info.get("loop"))
EOF
}

# frames DURATION of a video's first stream, through ffprobe
probe()
{
    ffprobe -v error -count_frames -select_streams v:0 \
        -show_entries stream=codec_name,width,height,nb_read_frames -of csv=p=0 "$1" 2>&1
}
duration()
{
    ffprobe -v error -show_entries format=duration -of csv=p=0 "$1" 2>&1
}

case "${1:-}" in
gif)
    need_python
    expect_ok "a run into -o run.gif and a directory" "$M" "${FAST[@]}" -o run.gif -o d || finish
    read -r n last loop <<<"$(gif_info run.gif)"
    [ "${n:-0}" -gt 2 ] && ok "run.gif is animated ($n frames)" || bad "run.gif has '$n' frames"
    [ "${last:-0}" -ge 2000 ] && ok "its last frame lasts $last ms" ||
        bad "the last frame lasts '$last' ms, expected >= 2000"
    [ "$loop" = 0 ] && ok "it loops forever" || bad "loop is '$loop', expected 0"
    # the GIF holds the frames of the run: as many (the held last included) as d/frames
    [ "$n" -eq "$(ls d/frames | wc -l)" ] && ok "one GIF frame per frame file" ||
        bad "$n GIF frames for $(ls d/frames | wc -l) frame files"
    "$PY" - run.gif d/final.png <<'EOF' && ok "the last GIF frame is the final picture (>= 30 dB)" ||
import math, sys
import numpy as np
from PIL import Image
im = Image.open(sys.argv[1])
im.seek(im.n_frames - 1)
a = np.asarray(im.convert("RGB"), dtype=float)
b = np.asarray(Image.open(sys.argv[2]).convert("RGB"), dtype=float)
mse = ((a - b) ** 2).mean()
sys.exit(0 if a.shape == b.shape and (mse == 0 or 10 * math.log10(255 ** 2 / mse) >= 30) else 1)
EOF
        bad "the last GIF frame is not the final picture"
    expect_ok "--hold 0.5" "$M" "${FAST[@]}" -o held.gif --hold 0.5
    read -r n last loop <<<"$(gif_info held.gif)"
    [ "$last" = 540 ] && ok "--hold 0.5: the last frame lasts 540 ms (40 + 500)" ||
        bad "--hold 0.5: the last frame lasts '$last' ms, expected 540"
    # a resumed run's GIF shows the whole work: the earlier run's frame files too (their number
    # stays within --frames: the last is the final picture)
    expect_ok "a run of 8 triangles" "$M" -n 8 --iterations 1 -j 1 -q -o res --frames 10
    expect_ok "--resume -n 16 -o all.gif" --resume res -n 16 -q -o all.gif
    read -r n last loop <<<"$(gif_info all.gif)"
    [ "$n" -eq "$(ls res/frames | wc -l)" ] && [ "$n" -le 10 ] && [ "$n" -gt 2 ] &&
        ok "the resumed run's GIF has its $n frames" ||
        bad "the resumed run's GIF has '$n' frames for $(ls res/frames | wc -l) frame files"
    expect_ok "--resume of a finished run -o done.gif" --resume res -q -o done.gif -o res
    [ -s done.gif ] && ok "a run with nothing left to do still makes its GIF" || bad "no done.gif"
    # nothing but the GIF: no frames directory, no temporary files
    mkdir alone && cd alone || finish
    expect_ok "-o x.gif alone" "$M" "${FAST[@]}" -o x.gif
    [ "$(ls -A)" = "x.gif" ] && ok "only x.gif written" || bad "written: $(ls -A | tr '\n' ' ')"
    cd ..
    ;;
video)
    need_tool ffprobe ffmpeg
    expect_ok "a run into -o run.mp4 -o run.webm -o d" "$M" "${FAST[@]}" -o run.mp4 -o run.webm -o d ||
        finish
    frames=$(ls d/frames | wc -l)
    want=$((frames + 63)) # the last frame held 2.5 s at 25 fps: 63 more
    [ "$(probe run.mp4)" = "h264,64,64,$want" ] && ok "run.mp4: H.264, $want frames" ||
        bad "run.mp4: '$(probe run.mp4)', expected h264,64,64,$want"
    [ "$(probe run.webm)" = "vp9,64,64,$want" ] && ok "run.webm: VP9, $want frames" ||
        bad "run.webm: '$(probe run.webm)', expected vp9,64,64,$want"
    d=$(duration run.mp4)
    awk -v d="$d" -v w="$want" 'BEGIN { exit !(d > 0 && (d - w / 25) ^ 2 < 0.01) }' &&
        ok "run.mp4 lasts $d s" || bad "run.mp4 lasts '$d' s, expected $want / 25"
    expect_ok "animate -o flight.mp4" animate d/state.json -o flight.mp4 --frames 10 -q
    [ "$(probe flight.mp4)" = "h264,64,64,73" ] && ok "animate's MP4: 10 frames + 63 held" ||
        bad "flight.mp4: '$(probe flight.mp4)', expected h264,64,64,73"
    expect_ok "animate --hold 0" animate d/state.json -o nohold.mp4 --frames 10 --hold 0 -q
    [ "$(probe nohold.mp4)" = "h264,64,64,10" ] && ok "--hold 0: 10 frames" ||
        bad "nohold.mp4: '$(probe nohold.mp4)', expected h264,64,64,10"
    need_python
    pecheck image pattern 65 49 odd.png
    expect_ok "an odd-sized input into -o odd.mp4" odd.png "${FAST[@]}" -o odd.mp4 -o oddgif.gif
    case "$(probe odd.mp4)" in
    h264,66,50,*) ok "odd.mp4: 65x49 padded to 66x50" ;;
    *) bad "odd.mp4: '$(probe odd.mp4)', expected h264,66,50,N" ;;
    esac
    ;;
same)
    for j in 1 2; do
        expect_ok "-j $j" "$M" -n 12 --iterations 1 -q -j $j -o d$j -o r$j.gif -o r$j.mp4 --frames 20
        expect_ok "animate -j $j" animate d1/state.json -q -j $j --frames 12 -o a$j.gif
        expect_ok "animate -j $j" animate d1/state.json -q -j $j --frames 12 -o a$j.mp4
    done
    for f in r.gif r.mp4 a.gif a.mp4; do
        one=${f%.*}1.${f#*.} two=${f%.*}2.${f#*.}
        cmp -s "$one" "$two" && ok "$one and $two are byte-identical" || bad "$one and $two differ"
    done
    ;;
errors)
    expect_error 2 "x.gif" "--frames 0 with an animation" "$M" "${FAST[@]}" --frames 0 -o x.gif
    expect_error 1 "missing/x.mp4" "an animation into a directory that does not exist" \
        "$M" "${FAST[@]}" -o missing/x.mp4
    expect_error 2 "--hold" "--hold -1" "$M" "${FAST[@]}" -o x.gif --hold -1
    expect_error 2 "--frame-size" "--frame-size x" "$M" "${FAST[@]}" --frame-size x
    [ ! -e x.gif ] && ok "no x.gif left" || bad "x.gif written by a refused run"
    ;;
size)
    need_python
    pecheck image pattern 1300 200 wide.png
    expect_ok "a 1300x200 input" wide.png "${FAST[@]}" -r 64 --frames 2 -o big
    [ "$(pecheck size big/frames/frame_00001.png)" = "1080 166" ] && ok "frames at 1080x166" ||
        bad "frames at $(pecheck size big/frames/frame_00001.png), expected 1080 166"
    [ "$(pecheck size big/final.png)" = "1300 200" ] && ok "final.png at the input size" ||
        bad "final.png at $(pecheck size big/final.png), expected 1300 200"
    expect_ok "-s 0" wide.png "${FAST[@]}" -r 64 --frames 2 -s 0 -o full
    [ "$(pecheck size full/frames/frame_00001.png)" = "1300 200" ] && ok "-s 0: frames at the input size" ||
        bad "-s 0: frames at $(pecheck size full/frames/frame_00001.png)"
    expect_ok "--frame-size 100" wide.png "${FAST[@]}" -r 64 --frames 2 --frame-size 100 -o small
    [ "$(pecheck size small/frames/frame_00001.png)" = "100 15" ] &&
        [ "$(pecheck size small/final.png)" = "1300 200" ] &&
        ok "--frame-size 100: frames at 100x15, final.png at the input size" ||
        bad "--frame-size 100: frames at $(pecheck size small/frames/frame_00001.png)"
    ;;
time)
    # 200 frames at 4000 px would take a minute or more (each is drawn and encoded whole); the
    # budget must leave most of them out. Not a timing test: the bound is ten times the limit.
    start=$(date +%s%N)
    pe "$M" -n 12 -j 2 --time 2 -s 4000 --frames 200 -o t
    took=$((($(date +%s%N) - start) / 1000000))
    [ "$RC" -eq 0 ] && [ -s t/final.png ] && ok "the --time run wrote its outputs" ||
        bad "the --time run exited $RC" "$(show_err)"
    [ "$took" -lt 20000 ] && ok "--time 2 with 200 4000-px frames took $took ms (< 20 s)" ||
        bad "--time 2 with 200 4000-px frames took $took ms: the frames are not counted"
    grep -q "frames fit" "$WORK/.err" && ok "it says how many frames fit" ||
        bad "no word of the frames left out" "$(show_err)"
    ;;
*)
    echo "usage: anim.sh gif|video|same|errors|size|time" >&2
    exit 2
    ;;
esac
finish
