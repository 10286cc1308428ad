#!/bin/bash
# --background none on an image with transparency: final.png, the frames and the PDF stay
# transparent where nothing is drawn, and the SVG has no background rect.
set -u
BIN=${PE_BIN:?}; DATA=${PE_TEST_DATA:?}
/usr/bin/python3 -c 'import PIL, numpy' 2>/dev/null || { echo "skip: python3-pil/numpy absent"; exit 77; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
# a 40x40 picture: an opaque red disc on a fully transparent field
/usr/bin/python3 - "$work/in.png" <<'PY'
import sys
from PIL import Image, ImageDraw
im = Image.new("RGBA", (40, 40), (0, 0, 0, 0))
ImageDraw.Draw(im).ellipse((10, 10, 30, 30), fill=(220, 30, 30, 255))
im.save(sys.argv[1])
PY
"$BIN" "$work/in.png" --background none -n 12 --iterations 1 --frames 2 -q -j1 -o "$work/o" ||
    { echo "FAIL run exited $?"; exit 1; }
fail=0
# the only rect allowed is inside a clipPath; a background rect would carry a fill
if grep -q '<rect[^>]*fill=' "$work/o/final.svg"; then echo "FAIL final.svg has a background rect"; fail=1; fi
/usr/bin/python3 - "$work/o" <<'PY' || fail=1
import sys, numpy as np
from PIL import Image
d = sys.argv[1]
bad = 0
for name in ("final.png", "frames/frame_00001.png", "frames/frame_00002.png"):
    im = Image.open(f"{d}/{name}")
    a = np.asarray(im.convert("RGBA"))[..., 3]
    corner = int(a[:4, :4].max())
    centre = int(a[18:22, 18:22].min())
    ok = im.mode == "RGBA" and corner <= 32 and centre >= 128
    print(("ok  " if ok else "FAIL"), name, im.mode, "corner alpha max", corner, "centre alpha min", centre)
    bad += not ok
sys.exit(1 if bad else 0)
PY
if command -v pdftocairo >/dev/null; then
    pdftocairo -png -singlefile -transp "$work/o/final.pdf" "$work/pdf" &&
        /usr/bin/python3 -c "
import sys, numpy as np; from PIL import Image
a = np.asarray(Image.open('$work/pdf.png').convert('RGBA'))[..., 3]
print('ok   final.pdf transparent corner' if a[:4, :4].max() <= 32 else 'FAIL final.pdf corner is opaque')
sys.exit(0 if a[:4, :4].max() <= 32 else 1)" || fail=1
fi
[ $fail = 0 ] && echo "1 passed, 0 failed" || echo "0 passed, 1 failed"
exit $fail
