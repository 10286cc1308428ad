#!/bin/bash
# bench_sequence: temporal coherence of `polyevolve sequence` (issue 15). Not a test.
#
#   bench/bench_sequence.sh [BUILD_DIR] [OUT_DIR]        (defaults: build, $TMPDIR/pe-bench-seq)
#
# Two inputs, each run twice with the same options (-n 250 -r 256 -j 2, seed 1): as a sequence
# (frame k starts from frame k-1) and cold (one independent `polyevolve FRAME` run per frame):
#   pan   12 crops 600x900 of ../shared/images/liza.jpg moving 3 px right and 2 px down per
#         frame (the issue's pan);
#   clip  a real H.264 clip made by ffmpeg from rocket.jpg (Debian python3-skimage's
#         skimage/data/rocket.jpg, in ../shared/images): 12 frames of 320x240 with a slow zoom
#         (1.00 -> 1.055) and drift, decoded by polyevolve through libavformat.
# Per frame: PSNR by the judge (../shared/tools/score REF frame.svg), CPU seconds of the frame
# (sequence: sequence.csv, finding the start included; cold: the run's own log.csv, the
# optimisation's CPU), and the frame-to-frame difference (mean absolute, RGB 0-255):
#   mc    pan only: frame k shifted back by the known pan against frame k-1 (0 = no flicker);
#   bmc   any video: block-motion-compensated difference. The motion is found on the INPUT
#         frames (16x16 blocks, the shift within +-8 px with the least absolute difference
#         from frame k-1), then the same shifts are applied to the outputs: mean |out_k(B) -
#         out_k-1(B + d)| over the blocks. Printed with the inputs' own figure (how much the
#         block model leaves unexplained even for the input: zoom, codec noise).
set -eu
BUILD=$(cd "${1:-build}" && pwd)
OUT=${2:-${TMPDIR:-/tmp}/pe-bench-seq}
HERE=$(cd "$(dirname "$0")" && pwd)
SHARED=$HERE/../../shared
[ -d "$SHARED/images" ] || { echo "bench_sequence: needs ../shared/images" >&2; exit 2; }
PE=$BUILD/polyevolve
PY=/usr/bin/python3
OPTS=(-n 250 -r 256 -j 2 --seed 1 -q)
rm -rf "$OUT"
mkdir -p "$OUT/pan" "$OUT/clipref"

cat >"$OUT/metrics.py" <<'PYEOF'
import os, sys, subprocess
import numpy as np
from PIL import Image

def load(p):
    return np.asarray(Image.open(p).convert("RGB"), dtype=np.float64)

def pan(src, out):
    im = Image.open(src).convert("RGB")
    for k in range(12):
        im.crop((3 * k, 2 * k, 3 * k + 600, 2 * k + 900)).save(f"{out}/in_{k + 1:03d}.png")

def block_motion(ia, ib, bs=16, r=8):
    # for each block of ib, the shift d (|d| <= r) with ia[B + d] closest to ib[B]
    h, w = ib.shape[:2]
    ny, nx = (h - 2 * r) // bs, (w - 2 * r) // bs
    best = np.full((ny, nx), np.inf)
    dxy = np.zeros((ny, nx, 2), dtype=int)
    gb = ib[r:r + ny * bs, r:r + nx * bs].sum(axis=2)
    ga = ia.sum(axis=2)
    for dy in range(-r, r + 1):
        for dx in range(-r, r + 1):
            sa = ga[r + dy:r + dy + ny * bs, r + dx:r + dx + nx * bs]
            sad = np.abs(gb - sa).reshape(ny, bs, nx, bs).sum(axis=(1, 3))
            m = sad < best
            best[m] = sad[m]
            dxy[m] = (dx, dy)
    return dxy

def bmc(a, b, dxy, bs=16, r=8):
    ny, nx = dxy.shape[:2]
    tot = 0.0
    for j in range(ny):
        for i in range(nx):
            dx, dy = dxy[j, i]
            y, x = r + j * bs, r + i * bs
            tot += np.abs(b[y:y + bs, x:x + bs] - a[y + dy:y + dy + bs, x + dx:x + dx + bs]).mean()
    return tot / (ny * nx)

def table(name, d, refs, score, shift):
    rows = [l.split(",") for l in open(f"{d}/sequence.csv").read().splitlines()[1:]]
    out, base = [], []
    for i, r in enumerate(rows):
        k = i + 1
        ref = refs % k
        ps = subprocess.run([score, ref, f"{d}/frame_{k:05d}.svg"], capture_output=True,
                            text=True).stdout
        psnr = float(ps.split()[0].split("=")[1])
        mc = tcd = float("nan")
        if k > 1:
            a, b = load(f"{d}/frame_{k - 1:05d}.png"), load(f"{d}/frame_{k:05d}.png")
            ia, ib = load(refs % (k - 1)), load(ref)
            motion = block_motion(ia, ib)
            tcd = bmc(a, b, motion)
            base.append(bmc(ia, ib, motion))
            if shift:
                dx, dy = shift
                h, w = a.shape[:2]
                mc = float(np.abs(b[: h - dy, : w - dx] - a[dy:, dx:]).mean())
        out.append((k, r[2], psnr, float(r[6]), mc, tcd))
    print(f"{name}: OUT/{os.path.basename(d)}: the inputs' own bmc {sum(base) / len(base):.2f}")
    return out

def report(name, warm, cold):
    print(f"\n{name}: frame | start | judge PSNR warm / cold | CPU s warm / cold | mc warm / cold | bmc warm / cold")
    for w, c in zip(warm, cold):
        print(f"{w[0]:3d} | {w[1]:4s} | {w[2]:6.2f} / {c[2]:6.2f} | {w[3]:5.2f} / {c[3]:5.2f} | "
              f"{w[4]:5.2f} / {c[4]:5.2f} | {w[5]:5.2f} / {c[5]:5.2f}")
    mean = lambda rows, j, skip=0: sum(r[j] for r in rows[skip:]) / len(rows[skip:])
    print(f"mean | PSNR {mean(warm, 2):.2f} / {mean(cold, 2):.2f} dB | CPU per frame after the "
          f"first {mean(warm, 3, 1):.2f} / {mean(cold, 3, 1):.2f} s "
          f"({100 * mean(warm, 3, 1) / mean(cold, 3, 1):.0f} %) | mc {mean(warm, 4, 1):.2f} / "
          f"{mean(cold, 4, 1):.2f} | bmc {mean(warm, 5, 1):.2f} / {mean(cold, 5, 1):.2f}")

if __name__ == "__main__":
    if sys.argv[1] == "pan":
        pan(sys.argv[2], sys.argv[3])
    else:
        name, warm, cold, refs, score = sys.argv[2:7]
        shift = tuple(map(int, sys.argv[7:9])) if len(sys.argv) > 8 else None
        report(name, table(name, warm, refs, score, shift), table(name, cold, refs, score, shift))
PYEOF

# cold DIR REFS...: one independent run per frame, laid out as a sequence's directory
cold()
{
    local d=$1 k=0 f
    shift
    mkdir -p "$d"
    echo "frame,input,start,dx,dy,psnr,cpu_seconds,evaluations" >"$d/sequence.csv"
    for f in "$@"; do
        k=$((k + 1))
        nice "$PE" "$f" -o "$d/run$k" --frames 1 "${OPTS[@]}"
        cp "$d/run$k/final.png" "$d/$(printf 'frame_%05d.png' "$k")"
        cp "$d/run$k/final.svg" "$d/$(printf 'frame_%05d.svg' "$k")"
        echo "$k,$f,cold,0,0,0,$(tail -n 1 "$d/run$k/log.csv" | cut -d, -f2),0" >>"$d/sequence.csv"
    done
}

echo "bench_sequence: $(date -u +%FT%TZ), $(git -C "$HERE" rev-parse --short HEAD), $(nproc) cores"
$PY "$OUT/metrics.py" pan "$SHARED/images/liza.jpg" "$OUT/pan"
nice "$PE" sequence "$OUT/pan" -o "$OUT/pan_warm" "${OPTS[@]}"
cold "$OUT/pan_cold" "$OUT"/pan/in_*.png
$PY "$OUT/metrics.py" table "pan (liza, 3 px right, 2 px down per frame)" "$OUT/pan_warm" \
    "$OUT/pan_cold" "$OUT/pan/in_%03d.png" "$SHARED/tools/score" 3 2
# chunks of 4 (keyframes 5 and 9 start from the keyframe before): what the joins look like
nice "$PE" sequence "$OUT/pan" -o "$OUT/pan_key4" --keyframe-every 4 "${OPTS[@]}"
$PY "$OUT/metrics.py" table "pan, --keyframe-every 4 (joins at frames 5 and 9)" "$OUT/pan_key4" \
    "$OUT/pan_cold" "$OUT/pan/in_%03d.png" "$SHARED/tools/score" 3 2

ffmpeg -nostdin -loglevel error -loop 1 -i "$SHARED/images/rocket.jpg" -vf \
    "scale=640:480,zoompan=z='1+0.005*on':x='40+4*on':y='30+2*on':d=1:s=320x240:fps=10" \
    -frames:v 12 -c:v libx264 -pix_fmt yuv420p -threads 1 "$OUT/clip.mp4"
ffmpeg -nostdin -loglevel error -i "$OUT/clip.mp4" "$OUT/clipref/in_%03d.png"
nice "$PE" sequence "$OUT/clip.mp4" -o "$OUT/clip_warm" "${OPTS[@]}"
cold "$OUT/clip_cold" "$OUT"/clipref/in_*.png
$PY "$OUT/metrics.py" table "clip (rocket.jpg zoom and drift, H.264)" "$OUT/clip_warm" \
    "$OUT/clip_cold" "$OUT/clipref/in_%03d.png" "$SHARED/tools/score"
