"""PSNR inside a mask (pixels whose mask value is above 128), as the judge measures: reference
and output brought to the mask's size (the working size) with Lanczos, RGB over white."""
import sys
import numpy as np
from PIL import Image

def rgb(path, size):
    im = Image.open(path).convert("RGBA").resize(size, Image.LANCZOS)
    a = np.asarray(im, dtype=np.float64)
    return a[..., :3] * a[..., 3:4] / 255.0 + 255.0 * (1.0 - a[..., 3:4] / 255.0)

mask = Image.open(sys.argv[3]).convert("L")
inside = np.asarray(mask) > 128
ref, out = rgb(sys.argv[1], mask.size), rgb(sys.argv[2], mask.size)
mse = ((ref - out) ** 2)[inside].mean()
print(f"psnr={10 * np.log10(255.0 ** 2 / mse):.2f}")
