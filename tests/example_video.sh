#!/bin/sh
# example_frames_to_video: examples/frames-to-video.sh makes an MP4 (H.264, yuv420p, even
# sides, here from odd-sized frames) and a GIF from `polyevolve animate` frames. Skipped
# (exit 77) without ffmpeg. Usage: example_video.sh PATH/examples/frames-to-video.sh
# Env: PE_BIN, PE_TEST_DATA.
set -u
: "${PE_BIN:?PE_BIN must name the polyevolve binary}" "${PE_TEST_DATA:?}"
SCRIPT=${1:?usage: example_video.sh examples/frames-to-video.sh}
if ! command -v ffmpeg > /dev/null 2>&1; then
    echo "SKIP: ffmpeg is not installed (Debian: apt-get install ffmpeg)"
    exit 77
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/pe-video.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

"$PE_BIN" "$PE_TEST_DATA/mona64.png" -n 20 --iterations 1 --frames 0 -q -o "$T/run" ||
    { echo "FAIL: the run that makes the state" >&2; exit 1; }
# -s 65: 65x65 frames, odd, which yuv420p cannot take as they are
"$PE_BIN" animate "$T/run/state.json" -o "$T/anim dir" --frames 5 -s 65 -q ||
    { echo "FAIL: animate" >&2; exit 1; }

sh "$SCRIPT" "$T/anim dir" "$T/flight" 10 || fail "frames-to-video.sh exited $?"
[ -s "$T/flight.mp4" ] || fail "flight.mp4 missing or empty"
[ -s "$T/flight.gif" ] || fail "flight.gif missing or empty"
head -c 6 "$T/flight.gif" | grep -q "GIF89a" || fail "flight.gif is not a GIF"
if command -v ffprobe > /dev/null 2>&1; then
    got=$(ffprobe -v error -select_streams v:0 -count_frames \
        -show_entries stream=codec_name,pix_fmt,width,height,nb_read_frames -of csv=p=0 \
        "$T/flight.mp4")
    [ "$got" = "h264,64,64,yuv420p,5" ] || fail "flight.mp4: $got, not h264,64,64,yuv420p,5"
fi

# hold: 5 frames at 10 fps and the last held 1 s make 15 frames (issue 14)
sh "$SCRIPT" "$T/anim dir" "$T/held" 10 1 2> /dev/null || fail "frames-to-video.sh with hold exited $?"
if command -v ffprobe > /dev/null 2>&1; then
    got=$(ffprobe -v error -select_streams v:0 -count_frames -show_entries stream=nb_read_frames \
        -of csv=p=0 "$T/held.mp4")
    [ "$got" = "15" ] || fail "held.mp4 has $got frames, not 5 + 10 held"
fi

sh "$SCRIPT" "$T/run" "$T/none" 2> /dev/null && fail "a folder without frames did not fail"
sh "$SCRIPT" "$T/anim dir" 2> /dev/null; rc=$?
[ "$rc" -eq 2 ] || fail "a missing OUT_BASENAME exited $rc, not 2"

[ "$fails" -eq 0 ] && echo "example_frames_to_video: all checks passed"
[ "$fails" -eq 0 ]
