#!/bin/sh
# Install what polyevolve needs from Debian (12, bookworm) when it is missing.
#   scripts/setup.sh          build dependencies
#   scripts/setup.sh --test   and what the test suite uses (librsvg, chromium, poppler, qpdf, ...)
set -eu
pkgs="build-essential cmake pkg-config libstb-dev liblbfgsb-dev libcjson-dev libcairo2-dev zlib1g-dev libimagequant-dev libavformat-dev libavcodec-dev libswscale-dev libavutil-dev libjpeg-dev libpng-dev libgif-dev"
if [ "${1:-}" = "--test" ]; then
    pkgs="$pkgs librsvg2-bin poppler-utils qpdf python3-numpy python3-pil ffmpeg clang libclang-rt-14-dev libomp-14-dev strace gnuplot-nox slurm-wlm munge parallel"
fi
# Debian's Chromium draws final.svg as a browser shows it (tests/cli/browser.sh)
[ "${1:-}" = "--test" ] && pkgs="$pkgs chromium"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "setup: please install:$missing (e.g. sudo apt-get install$missing)" >&2
    exit 1
fi
echo "setup: installing$missing" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
