#!/bin/bash
# Bad state files, for both `render` and `--resume`: truncated, empty, not JSON, another format or
# version, NaN/infinite/huge coordinates, colours outside 0..255, short triangles, negative or huge
# sizes, a NaN PSNR, a triangle in version 1's layout (a tile index first). Each must exit 1
# with one line naming the state file, write nothing (no final.*, no render output, no
# temporary file).
. "$(dirname "$0")/common.sh"
need_python

expect_ok "a run to take a good state file from" "$MONA32" -n 10 --frames 0 -q -j1 \
    -o good || finish
for kind in truncated empty not-json version format nan-coordinate inf-coordinate \
    huge-coordinate colour-300 colour-negative short-triangle negative-size huge-size nan-psnr \
    old-layout; do
    mkdir -p "$kind"
    pecheck corrupt "$kind" good/state.json "$kind/state.json" || { bad "cannot make $kind"; continue; }
    expect_error 1 "$kind/state.json" "render of a state file: $kind" render "$kind/state.json" \
        -o "$kind/x.png"
    [ ! -e "$kind/x.png" ] || bad "render of $kind wrote $kind/x.png"
    expect_error 1 "$kind/state.json" "--resume from a state file: $kind" --resume "$kind" \
        --frames 2 -q -j1
    no_finals "$kind" "--resume from $kind"
done
# settings in the state file are checked like the command line's
mkdir -p bad-option
pecheck corrupt bad-option good/state.json bad-option/state.json
expect_error 1 "bad-option/state.json" "--resume from a state file with triangles '-7'" \
    --resume bad-option --frames 2 -q -j1
no_finals bad-option "--resume from bad-option"
expect_error 1 "no-such-dir" "--resume from a missing directory" --resume no-such-dir -q
expect_error 1 "no-such.json" "render of a missing state file" render no-such.json -o x.png
expect_error 1 "$MONA32" "render of an image instead of a state file" render "$MONA32" -o x.png
[ ! -e x.png ] || bad "render of a bad state file wrote x.png"
finish
