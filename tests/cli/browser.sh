#!/bin/bash
# final.svg as a browser shows it: headless Chromium (Debian: chromium) screenshots a page that
# shows final.svg at final.png's pixel size with no margin, and the screenshot must match
# final.png. Chromium draws with Skia, final.png is drawn with cairo: they differ by antialiasing
# and by the rounding of the blends (46-52 dB on the shared images), so the threshold is 42 dB,
# above what one missing triangle gives (docs/benchmarks.md, "Rendering agreement").
#   opaque       tests/data/mona64.png -n 30 on a white page: PSNR >= 42 dB; the screenshot is
#                not flat, and is below 42 dB against the picture without its most visible
#                triangle, so the comparison can fail
#   transparent  tests/data/mona32_la.png (an alpha ramp) -n 30 --background none -s 64 (the SVG
#                scaled by its viewBox) on a transparent page: premultiplied RGBA >= 42 dB, and
#                over white (what a white page shows) >= 42 dB; final.png flattened on white is
#                below 42 dB, so the alpha itself is compared
# One Chromium start per case (a second or more), bounded by `timeout`. Skips (77) when chromium
# or python3 PIL/numpy is missing. Usage: browser.sh CASE. Env: see common.sh.
#   measure IMAGE [OPTIONS...]  not a test: prints the agreement for one run on IMAGE
. "$(dirname "$0")/common.sh"
need_python
need_tool chromium chromium
CHROMIUM="$(command -v chromium)"
THRESHOLD=42

# png_size FILE: "W H" from the PNG header (no Python start for it)
png_size()
{
    od -An -tu1 -j16 -N8 "$1" |
        awk '{ print (($1 * 256 + $2) * 256 + $3) * 256 + $4,
                     (($5 * 256 + $6) * 256 + $7) * 256 + $8 }'
}

# page DIR W H BACKGROUND: DIR/page.html shows DIR/final.svg at W x H px at the top left, on
# BACKGROUND. Chromium's viewport is not always the window size asked for (some heights lose
# the height of the browser's toolbar), so a page whose viewport is not W x H turns magenta: a
# wrong window then reads as such, not as a bad SVG.
page()
{
    cat >"$1/page.html" <<EOF
<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>final.svg</title><style>
html, body { margin: 0; padding: 0; background: $4; }
img { display: block; }
@media not all and (width: ${2}px) and (height: ${3}px) {
  html, body { background: #ff00ff; } img { display: none; }
}
</style></head>
<body><img src="final.svg" width="$2" height="$3" alt=""></body></html>
EOF
}

# shoot NAME PAGE W H [FLAGS...]: Chromium's screenshot of the file PAGE in a W x H window at
# device scale 1, into NAME.png; a new profile and home in the test's directory each time.
shoot()
{
    local name="$1" page="$2" w="$3" h="$4" profile rc
    shift 4
    profile="$(mktemp -d "$WORK/chromium-profile.XXXXXX")" || return 1
    mkdir -p "$WORK/home"
    # Chromium makes the file:// URL of a path itself; timeout signals its whole process
    # group, so Chromium's helper processes go with it
    env -u XDG_CONFIG_HOME -u XDG_CACHE_HOME -u XDG_DATA_HOME HOME="$WORK/home" \
        timeout -k 5 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
        --no-first-run --disable-background-networking --disable-component-update \
        --disable-sync --disable-dev-shm-usage --user-data-dir="$profile" --hide-scrollbars \
        --force-device-scale-factor=1 --force-color-profile=srgb --window-size="$w,$h" \
        --screenshot="$WORK/$name.png" "$@" "$WORK/$page" >"$WORK/$name.log" 2>&1 </dev/null
    rc=$?
    if [ "$rc" -ne 0 ] || [ ! -s "$WORK/$name.png" ]; then
        bad "$name: Chromium exited $rc without a screenshot" \
            "$(grep -v -e dbus -e ':ERROR:' "$WORK/$name.log" | tail -n 4)"
        return 1
    fi
    ok "$name: Chromium took a screenshot"
}

# judge SHOT FINAL [NAME=REFERENCE]...: the measures of a screenshot, in one Python start:
#   size WxH       the screenshot's size
#   guard PERCENT  its share of the page's wrong-viewport magenta
#   spread LEVELS  the largest standard deviation of a channel (0 for a flat screenshot)
#   psnr DB        against FINAL, premultiplied RGBA (as tests/cli/svg_truth.sh compares)
#   white DB       both over white, what a white page shows
#   NAME DB        against REFERENCE; "flat" stands for FINAL flattened on white
judge()
{
    "$PY" - "$@" <<'EOF'
import math, sys
import numpy as np
from PIL import Image

def load(path):
    with Image.open(path) as im:
        im.load()
        return np.asarray(im.convert("RGBA"), dtype=np.float64)

def premultiplied(a):
    out = a.copy()
    out[..., :3] *= a[..., 3:4] / 255.0
    return out

def over_white(a):
    al = a[..., 3:4] / 255.0
    return np.concatenate([a[..., :3] * al + 255.0 * (1 - al), np.full_like(al, 255.0)], -1)

def psnr(a, b):
    if a.shape != b.shape:
        return "shape"
    mse = float(((premultiplied(a) - premultiplied(b)) ** 2).mean())
    return "99.000" if mse == 0 else f"{10 * math.log10(255.0 ** 2 / mse):.3f}"

shot, final = load(sys.argv[1]), load(sys.argv[2])
print(f"size {shot.shape[1]}x{shot.shape[0]}")
print(f"guard {100 * (shot == (255, 0, 255, 255)).all(axis=-1).mean():.1f}")
print(f"spread {shot.std(axis=(0, 1)).max():.1f}")
print(f"psnr {psnr(final, shot)}")
print(f"white {psnr(over_white(final), over_white(shot))}")
for arg in sys.argv[3:]:
    name, ref = arg.split("=", 1)
    other = np.rint(over_white(final)) if ref == "flat" else load(ref)
    print(f"{name} {psnr(other, shot)}")
EOF
}

# measure KEY: judge's value for KEY, from $J
measure()
{
    awk -v k="$1" '$1 == k { print $2 }' <<<"$J"
}

# at_least DB: status 0 when DB is a number >= THRESHOLD
at_least()
{
    [ -n "$1" ] && [ "$1" != shape ] && awk -v d="$1" -v t="$THRESHOLD" 'BEGIN { exit !(d >= t) }'
}

# usable NAME W H: the screenshot has the picture's size, the page saw a W x H viewport and the
# screenshot is not flat; status 1 (after a FAIL) when it cannot be compared
usable()
{
    local size guard spread
    size="$(measure size)" guard="$(measure guard)" spread="$(measure spread)"
    if [ "$size" != "${2}x$3" ]; then
        bad "$1: the screenshot is '$size', expected ${2}x$3" "$J"
        return 1
    fi
    ok "$1: the screenshot is ${2}x$3 (device scale 1)"
    if awk -v g="$guard" 'BEGIN { exit !(g > 50) }'; then
        bad "$1: Chromium's viewport was not ${2}x$3 (the page turned magenta on $guard % of it)"
        return 1
    fi
    if awk -v s="$spread" 'BEGIN { exit !(s >= 8) }'; then
        ok "$1: the screenshot shows a picture (spread $spread levels)"
    else
        bad "$1: the screenshot is blank or flat (spread '$spread' levels)"
        return 1
    fi
}

# matches KEY DESCRIPTION: judge's KEY is >= THRESHOLD
matches()
{
    local db
    db="$(measure "$1")"
    if at_least "$db"; then
        ok "$2 (PSNR $db dB >= $THRESHOLD)"
    else
        bad "$2: PSNR '$db' dB < $THRESHOLD"
    fi
}

# differs KEY DESCRIPTION: judge's KEY is a PSNR below THRESHOLD
differs()
{
    local db
    db="$(measure "$1")"
    if [ -n "$db" ] && [ "$db" != shape ] && ! at_least "$db"; then
        ok "$2 (PSNR $db dB < $THRESHOLD)"
    else
        bad "$2: PSNR '$db' dB >= $THRESHOLD: the comparison cannot tell them apart"
    fi
}

case "${1:-}" in
opaque)
    expect_ok "mona64 -n 30" "$MONA64" -n 30 --frames 0 -q -j1 -o out/ || finish
    read -r w h <<<"$(png_size out/final.png)"
    page out "$w" "$h" "#ffffff"
    shoot opaque out/page.html "$w" "$h" || finish
    # the picture without its most visible triangle (area times alpha), drawn by polyevolve
    "$PY" - out/state.json less.json <<'EOF' || { bad "cannot remove a triangle"; finish; }
import json, sys
st = json.load(open(sys.argv[1], encoding="utf-8"))
def weight(t):
    x1, y1, x2, y2, x3, y3 = t[:6]
    return abs((x2 - x1) * (y3 - y1) - (x3 - x1) * (y2 - y1)) * t[9]
tri = st["triangles"]
tri.pop(max(range(len(tri)), key=lambda i: weight(tri[i])))
json.dump(st, open(sys.argv[2], "w", encoding="utf-8"))
EOF
    pe render less.json -o less.png -q
    [ "$RC" -eq 0 ] || { bad "cannot draw the picture without a triangle" "$(show_err)"; finish; }
    J="$(judge opaque.png out/final.png less=less.png)"
    usable opaque "$w" "$h" || finish
    matches psnr "final.svg in Chromium on a white page matches final.png"
    differs less "the screenshot is told apart from the picture without its most visible triangle"
    ;;
transparent)
    expect_ok "mona32_la --background none -s 64" "$PE_TEST_DATA/mona32_la.png" -n 30 \
        --background none -s 64 --frames 0 -q -j1 -o out/ || finish
    read -r w h <<<"$(png_size out/final.png)"
    # no page background and a transparent default: the screenshot keeps the alpha
    page out "$w" "$h" transparent
    shoot transparent out/page.html "$w" "$h" --default-background-color=00000000 || finish
    J="$(judge transparent.png out/final.png flat=flat)"
    usable transparent "$w" "$h" || finish
    matches psnr "final.svg in Chromium on a transparent page matches final.png (RGBA)"
    matches white "over white, as a white page shows it, they match too"
    differs flat "the alpha is compared: final.png flattened on white is told apart"
    ;;
measure)
    # not a test: the agreement on any picture, for docs/benchmarks.md (a transparent page
    # shows an opaque picture as a white one would)
    img="${2:?usage: browser.sh measure IMAGE [OPTIONS...]}"
    case "$img" in /*) ;; *) img="$OLDPWD/$img" ;; esac
    shift 2
    pe "$img" --frames 0 -q -o out/ "$@"
    [ "$RC" -eq 0 ] || { show_err; exit 1; }
    read -r w h <<<"$(png_size out/final.png)"
    page out "$w" "$h" transparent
    shoot measure out/page.html "$w" "$h" --default-background-color=00000000 >/dev/null ||
        exit 1
    J="$(judge measure.png out/final.png)"
    echo "$(basename "$img") ${w}x$h psnr $(measure psnr) white $(measure white) $*"
    exit 0
    ;;
*)
    echo "usage: browser.sh opaque|transparent|measure IMAGE [OPTIONS...]" >&2
    exit 2
    ;;
esac
finish
