#!/bin/sh
# Quick start: install what is missing, build, and approximate the bundled example image.
#   scripts/run-example.sh [extra polyevolve options]   -> out/final.png, final.svg, final.pdf, frames/
#   (--force: each run replaces the one before, whatever its options)
set -eu
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" >/dev/null
./build/polyevolve examples/mona.png -n 250 -o out/ --force "$@"
