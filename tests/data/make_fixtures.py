#!/usr/bin/python3
"""Regenerate the image fixtures in tests/data from ../shared/images (run once; the results are
committed, so the tests never need Python, Pillow or ImageMagick).  Needs Debian's python3-pil.

Usage: tests/data/make_fixtures.py [path/to/shared/images]
Every picture here is derived from public-domain mona.png (see README.md)."""

import io
import os
import struct
import sys

from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "..", "shared", "images")


def out(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def save(im, fmt, **kw):
    b = io.BytesIO()
    im.save(b, fmt, **kw)
    return b.getvalue()


def psd_rgb(im):
    """A minimal Photoshop file: header, no colour mode data / resources / layers, raw planar RGB.
    Pillow reads PSD but cannot write it, so it is written by hand (Adobe PSD spec, section
    'File header' and 'Image data')."""
    w, h = im.size
    head = b"8BPS" + struct.pack(">H6xHIIHH", 1, 3, h, w, 8, 3)   # version 1, 3 channels, 8-bit, RGB
    body = struct.pack(">III", 0, 0, 0) + struct.pack(">H", 0)      # three empty sections, raw data
    planes = b"".join(im.getchannel(c).tobytes() for c in "RGB")
    return head + body + planes


def packbits(row):
    """PackBits (Apple TN1023), as PSD's RLE rows use: runs of 2-128 equal bytes as (1 - n, b),
    everything else as literals of up to 128 bytes (n - 1, bytes...)."""
    out, i, lit = bytearray(), 0, bytearray()
    while i < len(row):
        n = 1
        while i + n < len(row) and n < 128 and row[i + n] == row[i]:
            n += 1
        if n >= 2:
            if lit:
                out += bytes([len(lit) - 1]) + lit
                lit = bytearray()
            out += bytes([257 - n, row[i]])
        else:
            lit.append(row[i])
            if len(lit) == 128:
                out += bytes([127]) + lit
                lit = bytearray()
        i += n
    if lit:
        out += bytes([len(lit) - 1]) + lit
    return bytes(out)


def psd_rgba_rle(im):
    """RGBA as Photoshop stores a merged image with transparency: colours composited over white,
    alpha as a fourth channel, every row PackBits-compressed behind a table of row byte counts."""
    w, h = im.size
    r, g, b, a = (list(im.getchannel(c).getdata()) for c in "RGBA")
    matte = [[(c * al + 255 * (255 - al) + 127) // 255 for c, al in zip(ch, a)] for ch in (r, g, b)]
    planes = matte + [a]
    rows = [packbits(bytes(p[y * w:(y + 1) * w])) for p in planes for y in range(h)]
    head = b"8BPS" + struct.pack(">H6xHIIHH", 1, 4, h, w, 8, 3)   # 4 channels, 8-bit, RGB
    body = struct.pack(">III", 0, 0, 0) + struct.pack(">H", 1)      # three empty sections, RLE
    return head + body + b"".join(struct.pack(">H", len(x)) for x in rows) + b"".join(rows)


mona = Image.open(os.path.join(SHARED, "mona.png")).convert("RGB")
m64 = mona.resize((64, 64), Image.LANCZOS)
m32 = mona.resize((32, 32), Image.LANCZOS)

out("mona64.png", save(m64, "PNG", optimize=True))
out("mona32.png", save(m32, "PNG", optimize=True))
out("mona32.bmp", save(m32, "BMP"))
out("mona32.tga", save(m32, "TGA", compression="tga_rle"))
out("mona32.ppm", save(m32, "PPM"))                       # P6
out("mona32.pgm", save(m32.convert("L"), "PPM"))          # P5
# 16-bit P6 (maxval 65535, each sample v * 257): Pillow writes 8-bit PPM only.
out("mona32_16bit.ppm", b"P6\n32 32\n65535\n" + bytes(b for v in m32.tobytes() for b in (v, v)))
out("mona32.psd", psd_rgb(m32))
out("mona32.gif", save(m32, "GIF"))                       # palette (adaptive quantisation)
out("mona32_progressive.jpg", save(m32, "JPEG", quality=90, progressive=True))
baseline = save(m32, "JPEG", quality=90)
out("mona32.jpg", baseline)

# Gray + alpha PNG (a horizontal alpha ramp) for the LA -> RGBA expansion.
la = Image.merge("LA", (m32.convert("L"), Image.linear_gradient("L").resize((32, 32)).transpose(Image.ROTATE_90)))
out("mona32_la.png", save(la, "PNG"))
# The same ramp as the alpha of an RLE Photoshop file.
out("mona32_alpha.psd", psd_rgba_rle(Image.merge("RGBA", m32.split() + (la.getchannel("A"),))))

# Malformed inputs, small cousins of ../shared/images/bad (same kinds of damage).
png = save(m32, "PNG")
out("bad/truncated_idat.png", png[: len(png) // 2])       # ends inside IDAT, no IEND
out("bad/no_iend.png", png[:-12])                         # every IDAT complete, only IEND missing
out("bad/truncated_scan.jpg", baseline[: len(baseline) // 2])  # cut inside the scan, no EOI
out("bad/no_eoi.jpg", baseline[:-2])                      # complete scan, only EOI missing
prog = save(m32, "JPEG", quality=90, progressive=True)
out("bad/truncated_progressive.jpg", prog[: len(prog) * 3 // 4])
bmp = save(m32, "BMP")
out("bad/truncated.bmp", bmp[: len(bmp) // 2])
ppm = save(m32, "PPM")
out("bad/truncated.ppm", ppm[: len(ppm) // 2])
out("bad/truncated.psd", psd_rgb(m32)[:2000])
tga = save(m32, "TGA")
out("bad/truncated.tga", tga[: len(tga) // 2])
gif = save(m32, "GIF")
out("bad/truncated.gif", gif[: len(gif) // 2])
