#!/bin/bash
# A quality table: judge PSNR of final.svg, CPU and wall seconds per image.
#   scripts/table.sh [BIN] [SHARED_DIR]     (needs ../shared/images and ../shared/tools/score)
set -u
cd "$(dirname "$0")/.."
BIN=${1:-./build/polyevolve}
SHARED=${2:-../shared}
[ -d "$SHARED/images" ] || { echo "table: no $SHARED/images" >&2; exit 2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
echo "| image | triangles | judge PSNR (SVG) | CPU s | wall s |"
echo "|---|---|---|---|---|"
for spec in mona:50 mona:100 mona:250 astronaut:250 chelsea:250 camera:250 rocket:250 \
            butterfly:250 seychelles:250 liza:250 tiny:250; do
    img=${spec%%:*}; n=${spec##*:}; f=$(ls "$SHARED"/images/$img.* | head -1)
    d=$tmp/${img}_$n
    t=$( { /usr/bin/time -f "%U %S %e" "$BIN" "$f" -n "$n" -o "$d" -q --frames 0; } 2>&1 | tail -1)
    cpu=$(echo "$t" | awk '{printf "%.2f", $1+$2}'); wall=$(echo "$t" | awk '{print $3}')
    s=$("$SHARED/tools/score" "$f" "$d/final.svg")
    p=$(echo "$s" | sed 's/.*psnr=\([0-9.]*\).*/\1/')
    echo "| $img | $n | $p | $cpu | $wall |"
done
