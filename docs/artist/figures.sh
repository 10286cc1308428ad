#!/bin/sh
# The issue-17 figures (README "Opacity, importance, palette"): judge PSNR of --palette 8,
# --alpha 0.5 and --weight auto against free colour and opacity on every shared image, and
# face masks on mona, astronaut and liza (PSNR inside the face and overall). -n 250, defaults.
#   docs/artist/figures.sh BUILD/polyevolve OUTDIR      (needs ../shared)
set -eu
BIN=$1 OUT=$2
HERE=$(cd "$(dirname "$0")" && pwd)
IMG=$HERE/../../../shared/images
SCORE=$HERE/../../../shared/tools/score
mkdir -p "$OUT"
run() { # name image args...
    n=$1 i=$2; shift 2
    [ -f "$OUT/$n/final.svg" ] || nice "$BIN" "$i" -o "$OUT/$n" -n 250 --frames 0 -q -j2 "$@"
    printf '%s %s\n' "$n" "$("$SCORE" "$i" "$OUT/$n/final.svg" | cut -d' ' -f1)"
}
for f in "$IMG"/*.png "$IMG"/*.jpg; do
    b=$(basename "${f%.*}")
    run "$b-free" "$f"
    run "$b-palette8" "$f" --palette 8
    run "$b-alpha05" "$f" --alpha 0.5
    run "$b-auto" "$f" --weight auto
done
for p in mona:mona.png astronaut:astronaut.png liza:liza.jpg; do
    b=${p%%:*} f=$IMG/${p#*:}
    for s in 1 2; do
        run "$b-s$s-free" "$f" --seed "$s"
        run "$b-s$s-face" "$f" --seed "$s" --weight "$HERE/mask-$b.png"
        for k in free face; do
            printf '%s-s%s-%s in-face %s\n' "$b" "$s" "$k" \
                "$(/usr/bin/python3 "$HERE/inmask.py" "$f" "$OUT/$b-s$s-$k/final.png" "$HERE/mask-$b.png")"
        done
    done
done
