"""The README's side-by-side picture: one row per image, columns = the original, free colour
and opacity, --alpha 0.5, --palette 8, the face mask and the run with it, --weight auto.
sheet.py FIGURES_DIR OUT.png   (FIGURES_DIR as figures.sh leaves it)"""
import sys
from PIL import Image, ImageDraw

D, OUT = sys.argv[1], sys.argv[2]
IMG = __file__.rsplit("/", 1)[0] + "/../../../shared/images/"
H = 128
cols = ["original", "free", "--alpha 0.5", "--palette 8", "face mask", "with the mask",
        "--weight auto"]
rows = [("mona", "mona.png"), ("astronaut", "astronaut.png"), ("liza", "liza.jpg")]
def fit(im):
    im = im.convert("RGB")
    return im.resize((round(im.width * H / im.height), H), Image.LANCZOS)
cells = []
for name, f in rows:
    here = __file__.rsplit("/", 1)[0]
    srcs = [IMG + f, f"{D}/{name}-free/final.png", f"{D}/{name}-alpha05/final.png",
            f"{D}/{name}-palette8/final.png", f"{here}/mask-{name}.png",
            f"{D}/{name}-s1-face/final.png", f"{D}/{name}-auto/final.png"]
    cells.append([fit(Image.open(s)) for s in srcs])
W = max(sum(c.width + 4 for c in row) for row in cells)
sheet = Image.new("RGB", (W, 16 + len(rows) * (H + 4)), "white")
d = ImageDraw.Draw(sheet)
x = 0
for i, c in enumerate(cells[0]):
    d.text((x + 2, 2), cols[i], fill="black")
    x += c.width + 4
for r, row in enumerate(cells):
    x = 0
    for c in row:
        sheet.paste(c, (x, 16 + r * (H + 4)))
        x += c.width + 4
sheet.quantize(256, dither=Image.Dither.NONE).save(OUT, optimize=True)  # small in git
