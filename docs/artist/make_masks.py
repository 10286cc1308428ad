"""Face masks for the issue-17 figures: white ellipse over the face, 40/255 elsewhere, made at
the working size (longest side 256). Face positions were read off the shared images by eye."""
from PIL import Image, ImageDraw, ImageFilter

FACES = {  # name: (size, centre x, centre y, radius x, radius y) at longest side 256
    "mona": ((256, 256), 120, 100, 42, 56),
    "astronaut": ((256, 256), 113, 58, 30, 40),
    "liza": ((172, 256), 84, 62, 22, 30),
}
for name, ((w, h), cx, cy, rx, ry) in FACES.items():
    im = Image.new("L", (w, h), 40)
    ImageDraw.Draw(im).ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=255)
    im.filter(ImageFilter.GaussianBlur(2)).save(f"mask-{name}.png", optimize=True)
