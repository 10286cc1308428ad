"""What --weight auto aims at: PSNR weighted by the auto map (recomputed here as style.c does:
luminance gradient, box mean over 1/16 of the longest side, /(2 mean), clipped, 0.2..1), at
the working size (longest side 256, Lanczos).  autoweight.py REF OUT.png"""
import sys
import numpy as np
from PIL import Image

def rgb(path, size):
    a = np.asarray(Image.open(path).convert("RGBA").resize(size, Image.LANCZOS), dtype=np.float64)
    return a[..., :3] * a[..., 3:4] / 255.0 + 255.0 * (1.0 - a[..., 3:4] / 255.0)

im = Image.open(sys.argv[1])
s = 256 / max(im.size)
size = (max(1, round(im.size[0] * s)), max(1, round(im.size[1] * s))) if s < 1 else im.size
ref, out = rgb(sys.argv[1], size), rgb(sys.argv[2], size)
lum = (ref / 255.0) @ np.array([0.2126, 0.7152, 0.0722])
p = np.pad(lum, 1, mode="edge")
g = np.hypot(p[1:-1, 2:] - p[1:-1, :-2], p[2:, 1:-1] - p[:-2, 1:-1])
r = max(1, max(size) // 32)
c = np.cumsum(np.pad(g, ((0, 0), (r + 1, r)), mode="constant"), axis=1)
n = np.cumsum(np.pad(np.ones_like(g), ((0, 0), (r + 1, r)), mode="constant"), axis=1)
g = (c[:, 2 * r + 1:] - c[:, :-2 * r - 1]) / (n[:, 2 * r + 1:] - n[:, :-2 * r - 1])
c = np.cumsum(np.pad(g, ((r + 1, r), (0, 0)), mode="constant"), axis=0)
n = np.cumsum(np.pad(np.ones_like(g), ((r + 1, r), (0, 0)), mode="constant"), axis=0)
g = (c[2 * r + 1:] - c[:-2 * r - 1]) / (n[2 * r + 1:] - n[:-2 * r - 1])
w = 0.2 + 0.8 * np.minimum(1.0, g / (2 * g.mean())) if g.mean() > 0 else np.ones_like(g)
mse = (((ref - out) ** 2).sum(axis=2) * w).sum() / (3 * w.sum())
print(f"psnr_w={10 * np.log10(255.0 ** 2 / mse):.2f}")
