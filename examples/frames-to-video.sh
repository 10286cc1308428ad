#!/bin/sh
# frames-to-video.sh: turn polyevolve's PNG frames into an MP4 and a GIF with ffmpeg.
#
# usage: examples/frames-to-video.sh FRAMES_DIR OUT_BASENAME [fps [hold]]
#
#   FRAMES_DIR holds frame_00001.png, frame_00002.png, ... numbered without gaps: the frames of
#   `polyevolve animate STATE -o FRAMES_DIR`, or a run's DIR/frames. Writes
#   OUT_BASENAME.mp4 (H.264 by libx264, yuv420p so that every player can show it, sides
#   rounded down to even numbers as yuv420p requires) and OUT_BASENAME.gif (a palette made
#   for these frames with palettegen, applied with paletteuse). fps: frames per second,
#   default 30. hold: seconds the last frame (the final picture) stays on screen at the end,
#   default 0; e.g. 100 frames at 25 fps with hold 3 make a 7-second video.
#
#   Needs ffmpeg (Debian: apt-get install ffmpeg). Transparent frames (--background none)
#   come out on black in the MP4.
#   Exit status: 0 done, 1 ffmpeg missing or failed, or no frames; 2 usage error.
set -u

usage() {
    echo "usage: $0 FRAMES_DIR OUT_BASENAME [fps [hold]]" >&2
    exit 2
}
if [ $# -lt 2 ] || [ $# -gt 4 ]; then
    usage
fi
dir=$1 base=$2 fps=${3:-30} hold=${4:-0}
case $fps in '' | *[!0-9.]* | 0 | .*) echo "$0: fps must be a positive number" >&2; exit 2 ;; esac
case $hold in '' | *[!0-9.]* | .*) echo "$0: hold must be a number of seconds" >&2; exit 2 ;; esac
# tpad repeats the last frame (the final picture) for hold seconds
pad="tpad=stop_mode=clone:stop_duration=$hold"
command -v ffmpeg > /dev/null 2>&1 ||
    { echo "$0: ffmpeg not found (Debian: apt-get install ffmpeg)" >&2; exit 1; }
[ -f "$dir/frame_00001.png" ] || { echo "$0: $dir: no frame_00001.png" >&2; exit 1; }
n=$(find "$dir" -maxdepth 1 -name 'frame_*.png' | wc -l)

# the input, shared by both outputs (as positional parameters, so that paths may hold spaces)
set -- -nostdin -hide_banner -loglevel error -y -framerate "$fps" -start_number 1 -i "$dir/frame_%05d.png"

ffmpeg "$@" -vf "$pad,scale=trunc(iw/2)*2:trunc(ih/2)*2" -c:v libx264 -pix_fmt yuv420p \
    -movflags +faststart "$base.mp4" || { echo "$0: ffmpeg failed on $base.mp4" >&2; exit 1; }
ffmpeg "$@" -vf "$pad,split[a][b];[a]palettegen=stats_mode=diff[p];[b][p]paletteuse=dither=bayer:bayer_scale=3" \
    "$base.gif" || { echo "$0: ffmpeg failed on $base.gif" >&2; exit 1; }
echo "frames-to-video: $n frames at $fps fps, the last held ${hold}s -> $base.mp4, $base.gif" >&2
