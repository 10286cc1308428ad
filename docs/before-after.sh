#!/bin/sh
# before-after.sh: make docs/before-after.png, the README's picture: examples/mona.png (public
# domain, see examples/README.md) beside 50 and 250 of its triangles, each 256 px, drawn by the
# program itself at its defaults. Needs a build and ffmpeg (Debian: ffmpeg) to put the three
# side by side.
#   docs/before-after.sh [BUILD_DIR]    (default build)
set -eu
cd "$(dirname "$0")/.."
bin=${1:-build}/polyevolve
t=$(mktemp -d "${TMPDIR:-/tmp}/pe-before-after.XXXXXX")
trap 'rm -rf "$t"' EXIT
for n in 50 250; do
    "$bin" examples/mona.png -n "$n" -s 256 --frames 0 -q --no-metadata -o "$t/n$n.png"
done
ffmpeg -v error -y -i examples/mona.png -i "$t/n50.png" -i "$t/n250.png" -filter_complex \
    '[0]scale=256:256:flags=lanczos[a];[1]pad=264:256:8:0:white[b];[2]pad=264:256:8:0:white[c];[a][b][c]hstack=3,format=rgb24' \
    -frames:v 1 -update 1 docs/before-after.png
echo "wrote docs/before-after.png"
