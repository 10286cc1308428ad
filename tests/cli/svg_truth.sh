#!/bin/bash
# The SVG tells the truth: for every image in $PE_SHARED/images, a short run must load it and write
# valid outputs, and final.svg drawn by rsvg-convert at final.png's size must match final.png with
# a PSNR of at least 40 dB (premultiplied RGBA, so transparent pixels compare as what is seen).
# Skips (77) when PE_SHARED/images is absent or rsvg-convert / python3 PIL are missing.
. "$(dirname "$0")/common.sh"
need_python
need_tool rsvg-convert librsvg2-bin
[ -n "$PE_SHARED" ] && [ -d "$PE_SHARED/images" ] ||
    skip "PE_SHARED is unset or \$PE_SHARED/images is absent: no shared images to try"

# Short runs: 60 triangles, one refinement round, no frames, working at 128 px. The PSNR compares
# two renderings of the same triangles, so a short run checks the writers as well as a long one.
# Under AddressSanitizer drawing final.png at full size dominates (~1 s per picture), so there
# final.png is drawn at a longest side of 256 px (-s 256) and rsvg-convert draws at that size.
size=()
[ "$PE_SANITIZED" = 1 ] && size=(-s 256 -r 64)
n=0
for img in "$PE_SHARED"/images/*; do
    [ -f "$img" ] || continue
    case "$img" in *.md | *.txt) continue ;; esac
    name="$(basename "$img")"
    n=$((n + 1))
    read -r iw ih <<<"$(pecheck size "$img")" || { bad "$name: PIL cannot read it"; continue; }
    expect_ok "$name loads and runs" "$img" -n 60 --iterations 1 --frames 0 -r 128 "${size[@]}" \
        -q -j1 -o "out_$name/" || continue
    read -r pw ph <<<"$(pecheck size "out_$name/final.png")"
    ew="$iw" eh="$ih"
    if [ "$PE_SANITIZED" = 1 ]; then
        ew="$pw" eh="$ph"
        [ "$pw" = 256 ] || [ "$ph" = 256 ] || bad "$name: -s 256 gave a ${pw}x$ph final.png"
    fi
    validate "$name" "out_$name" "$iw" "$ih" "$ew" "$eh" 60 0
    if ! rsvg-convert -w "$pw" -h "$ph" -o "svg_$name.png" "out_$name/final.svg" 2>rsvg.err; then
        bad "$name: rsvg-convert cannot draw final.svg" "$(head -n 3 rsvg.err)"
        continue
    fi
    db="$(pecheck psnr "out_$name/final.png" "svg_$name.png")"
    if [ "$db" != shape ] && awk -v d="$db" 'BEGIN { exit !(d >= 40) }'; then
        ok "$name: final.svg drawn by rsvg-convert matches final.png (PSNR $db dB >= 40)"
    else
        bad "$name: final.svg drawn by rsvg-convert differs from final.png (PSNR $db dB < 40)"
    fi
done
[ "$n" -gt 0 ] || skip "no images in $PE_SHARED/images"
finish
