#!/bin/bash
# Whole runs on tests/data/mona64.png with small budgets.
#   case "e2e":         every output exists and is valid (PNG size, SVG viewBox and polygon count,
#                       qpdf --check, state.json, log.csv rows, frames named without gaps, no two
#                       consecutive frames pixel-identical); final.svg has no clip path though
#                       triangles reach past the canvas.
#   case "determinism": -j1 and -j2 give byte-identical final.svg/png/pdf and state.json (and
#                       frames); another --seed gives another SVG.
#   case "render":      render state.json to PNG equals final.png byte for byte; -s 2x doubles the
#                       picture; .svg and .pdf work; a bad extension is a usage error.
#   case "paths":       input paths with XML/JSON special characters and non-UTF-8 bytes still give
#                       well-formed SVG, UTF-8 JSON and a PDF.
. "$(dirname "$0")/common.sh"
need_python

case_e2e()
{
    expect_ok "mona64 -n 30 --frames 5" "$MONA64" -n 30 --frames 5 -q -j1 -o o || return
    validate "mona64 -n 30 --frames 5" o 64 64 64 64 30 5
    # one canvas, no tiles: the viewBox is the canvas and nothing is clipped, though triangles
    # reach past its edges (the tiled core clipped each to its tile)
    local outside
    outside="$(grep -o 'points="[^"]*"' o/final.svg | sed 's/points="//; s/"//' | tr ' ,' '\n\n' |
        awk '$1 < 0 || $1 > 64' | wc -l)"
    if grep -q 'viewBox="0 0 64 64"' o/final.svg && ! grep -qi 'clip' o/final.svg &&
        [ "$outside" -gt 0 ]; then
        ok "final.svg: the canvas as viewBox, no clip path, $outside coordinates past its edges"
    else
        bad "final.svg: a clip path, another viewBox, or no triangle past the edges ($outside)" \
            "$(grep -i -m 3 'clip\|viewBox' o/final.svg)"
    fi
    expect_ok "mona64 -n 30 --frames 5 --frame-spacing log -s 100" "$MONA64" -n 30 \
        --frames 5 --frame-spacing log -s 100 -q -j1 -o o2 || return
    validate "mona64 -s 100" o2 64 64 100 100 30 5
    expect_ok "mona64 --frames 0 --background '#ff00aa'" "$MONA64" -n 12 --frames 0 \
        --background '#ff00aa' -q -j1 -o o3 || return
    validate "mona64 --frames 0" o3 64 64 64 64 12 0
    [ ! -e o3/frames ] || [ -z "$(ls o3/frames)" ] && ok "--frames 0 writes no frames" ||
        bad "--frames 0 wrote frames"
    # without -q the summary goes to stdout and stderr stays free of progress bars (not a tty)
    pe "$MONA64" -n 10 --frames 0 -j1 -o o4
    if [ "$RC" -eq 0 ] && [ ! -s "$WORK/.err" ] && printf '%s' "$OUT" | grep -q 'PSNR'; then
        ok "without -q: one summary line on stdout, nothing on stderr when it is not a tty"
    else
        bad "without -q: exit $RC, stdout '$OUT'" "$(show_err)"
    fi
    # a second run into the same directory (other settings: --force) replaces the first's frames
    expect_ok "a second run into o/ with --frames 2" "$MONA64" -n 30 --frames 2 -q -j1 -o o --force ||
        return
    validate "second run into o/" o 64 64 64 64 30 2
}

case_determinism()
{
    local args=("$MONA64" -n 40 --iterations 2 --frames 12 -q)
    expect_ok "-j1" "${args[@]}" -j1 -o j1 || return
    expect_ok "-j2" "${args[@]}" -j2 -o j2 || return
    local f
    for f in final.svg final.png final.pdf state.json; do
        cmp -s "j1/$f" "j2/$f" && ok "-j1 and -j2 give the same $f" ||
            bad "-j1 and -j2 give different $f"
    done
    # the frames are drawn and encoded on all threads: the same files, in the same order
    local n1 n2
    n1=$(ls j1/frames | wc -l)
    n2=$(ls j2/frames | wc -l)
    if [ "$n1" -ge 10 ] && [ "$n1" = "$n2" ] && diff -rq j1/frames j2/frames >/dev/null; then
        ok "-j1 and -j2 write the same $n1 frames"
    else
        bad "-j1 and -j2 frames differ ($n1 against $n2 files)"
    fi
    expect_ok "-j2 again" "${args[@]}" -j2 -o j2b || return
    cmp -s j2/final.svg j2b/final.svg && ok "two -j2 runs give the same final.svg" ||
        bad "two -j2 runs give different final.svg"
    expect_ok "--seed 7" "${args[@]}" -j2 --seed 7 -o s7 || return
    cmp -s j1/final.svg s7/final.svg && bad "--seed 7 gives the same final.svg as seed 1" ||
        ok "--seed 7 gives another final.svg"
}

case_render()
{
    expect_ok "mona64 run" "$MONA64" -n 30 --frames 0 -q -j1 -o o || return
    expect_ok "render -o x.png" render o/state.json -o x.png || return
    cmp -s x.png o/final.png && ok "render -o x.png equals final.png byte for byte" ||
        bad "render -o x.png differs from final.png"
    expect_ok "render -o x2.png -s 128" render o/state.json -o x2.png -s 128 || return
    [ "$(pecheck size x2.png)" = "128 128" ] && ok "render -s 128 of a 64x64 picture is 128x128" ||
        bad "render -s 128 gives $(pecheck size x2.png)"
    expect_ok "render -o x.svg" render o/state.json -o x.svg &&
        { cmp -s x.svg o/final.svg && ok "render -o x.svg equals final.svg" ||
            bad "render -o x.svg differs from final.svg"; }
    pecheck svg-ok x.svg >/dev/null && ok "x.svg is well-formed" || bad "x.svg is not well-formed"
    expect_ok "render -o x.pdf" render o/state.json -o x.pdf &&
        { cmp -s x.pdf o/final.pdf && ok "render -o x.pdf equals final.pdf" ||
            bad "render -o x.pdf differs from final.pdf"; }
    if have_tool qpdf; then
        qpdf --check x.pdf >/dev/null 2>&1 && ok "x.pdf passes qpdf --check" || bad "x.pdf fails qpdf --check"
    fi
    expect_error 2 "x.gif" "render -o x.gif" render o/state.json -o x.gif
    expect_error 2 "noext" "render -o noext" render o/state.json -o noext
    [ ! -e x.gif ] && [ ! -e noext ] && ok "a bad extension writes nothing" || bad "a bad extension wrote a file"
    # a wide picture: -s is the longest side
    pecheck image gradient 90 30 wide.png
    expect_ok "wide run" wide.png -n 10 --frames 0 -q -j1 -o w || return
    expect_ok "render wide -s 180" render w/state.json -o w.png -s 180 &&
        { [ "$(pecheck size w.png)" = "180 60" ] && ok "render -s 180 of 90x30 is 180x60" ||
            bad "render -s 180 of 90x30 gives $(pecheck size w.png)"; }
}

# One run on a copy of mona32 at PATH: exit 0, SVG well-formed, state.json UTF-8 JSON, PDF clean.
odd_path()
{
    local path="$1" desc="$2"
    mkdir -p "$(dirname "$path")"
    cp "$MONA32" "$path"
    rm -rf o
    expect_ok "input named $desc" "$path" -n 8 --frames 0 -q -j1 -o o || {
        [ -n "${3:-}" ] && note "$3"
        return
    }
    validate "input named $desc" o 32 32 32 32 8 any || { [ -n "${3:-}" ] && note "$3"; }
    expect_ok "render of the state of an input named $desc" render o/state.json -o r.png
}

case_paths()
{
    odd_path "$WORK/we\"ird <&> 'x'/a b\\c.png" "with \" < & > ' \\ and spaces"
    odd_path "$WORK/$(printf 'ctl\001\ttab').png" "with control characters"
    odd_path "$WORK/$(printf 'caf\303\251').png" "in UTF-8 (café)"
    odd_path "$WORK/$(printf 'lat\377in').png" "with a non-UTF-8 byte (0xFF)" \
        "KNOWN BUG: a non-UTF-8 input path gives invalid outputs (see above): the path is copied byte for byte into state.json (JSON must be UTF-8) and, before the fix in progress, into the SVG metadata; the PDF writer refused it with 'invalid argument'"
}

case "${1:-}" in
e2e) case_e2e ;;
determinism) case_determinism ;;
render) case_render ;;
paths) case_paths ;;
*) echo "usage: $0 e2e|determinism|render|paths" >&2; exit 2 ;;
esac
finish
