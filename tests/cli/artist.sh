#!/bin/bash
# The artist controls of issue 17, end to end on mona64 (-n 30, one round: about a second each):
#   case "alpha":    --alpha 128 and 0.5 give every triangle opacity 128 (state.json), also on a
#                    transparent canvas (bad values: tests/test_options.c).
#   case "palette":  --palette FILE (hex list, GIMP .gpl): every triangle's colour and the
#                    background are palette entries; --palette 8 uses at most 8 colours, the
#                    same at -j1 and -j2; bad files exit 1 naming the file.
#   case "weight":   a mask that keeps only the left half makes that half better and the right
#                    half worse than no mask at the same -n and seed (judged on final.png);
#                    --weight auto runs; a missing mask exits 1, a black one 2, naming the file.
#   case "together": all three with --background none, then resume with more triangles, render
#                    and animate: the settings are in state.json, the colours stay in the palette,
#                    the SVG shares its fills as CSS classes and librsvg draws it as final.png.
. "$(dirname "$0")/common.sh"
need_python

M="$PE_TEST_DATA/mona64.png"
RUN=(-n 30 --iterations 1 --frames 0 -q -j1)

# check_state STATE PYTHON-CONDITION DESCRIPTION: the condition over s (the state's JSON),
# tris (its triangles as [x0, y0, x1, y1, x2, y2, r, g, b, a]) and pal (palette.txt's
# colours, when present) must hold.
check_state()
{
    if "$PY" - "$1" "$2" <<'EOF'; then ok "$3"; else bad "$3"; fi
import json, os, sys
s = json.load(open(sys.argv[1]))
tris = s["triangles"]
pal = set()
if os.path.exists("palette.txt"):
    for line in open("palette.txt"):
        for tok in line.replace(",", " ").split():
            h = tok.lstrip("#")
            if len(h) == 6 and all(c in "0123456789abcdefABCDEF" for c in h):
                pal.add(tuple(int(h[i:i + 2], 16) for i in (0, 2, 4)))
ok = eval(sys.argv[2])
if not ok:
    print("       state:", s["background"], tris[:3], file=sys.stderr)
sys.exit(0 if ok else 1)
EOF
}

case_alpha()
{
    expect_ok "--alpha 128" "$M" "${RUN[@]}" --alpha 128 -o a || return
    check_state a/state.json 'len(tris) == 30 and all(t[9] == 128 for t in tris)' \
        "--alpha 128: every triangle's opacity is 128"
    check_state a/state.json 's["options"]["alpha"] == "128"' "--alpha is recorded in state.json"
    expect_ok "--alpha 0.5" "$M" "${RUN[@]}" --alpha 0.5 -o b || return
    check_state b/state.json 'all(t[9] == 128 for t in tris)' "--alpha 0.5 is 128 of 255"
    expect_ok "--alpha 200 --background none" "$M" "${RUN[@]}" --alpha 200 --background none -o c
    check_state c/state.json 's["background"][3] == 0 and all(t[9] == 200 for t in tris)' \
        "--alpha 200 on a transparent canvas"
    expect_ok "--alpha auto" "$M" "${RUN[@]}" --alpha auto -o d
    check_state d/state.json 'len(set(t[9] for t in tris)) > 3' "--alpha auto fits opacities"
}

case_palette()
{
    printf '#1b1b2f, #e0c080\n# a comment\n#5a6e3c 8a5a3a\n#ffffff\n' >palette.txt
    expect_ok "--palette FILE (hex)" "$M" "${RUN[@]}" --palette palette.txt -o a || return
    check_state a/state.json \
        'all(tuple(t[6:9]) in pal for t in tris) and tuple(s["background"][:3]) in pal' \
        "--palette FILE: every triangle and the background are palette colours"
    check_state a/state.json 'len(set(tuple(t[6:9]) for t in tris)) >= 3' \
        "--palette FILE: the triangles use several of the colours"
    { printf 'GIMP Palette\nName: test\nColumns: 4\n#\n'
      printf ' 27  27  47\tNight\n224 192 128 Sand\n 90 110  60\n138  90  58 Earth\n'; } >p.gpl
    expect_ok "--palette FILE (GIMP .gpl)" "$M" "${RUN[@]}" --palette p.gpl -o g || return
    check_state g/state.json 'all(tuple(t[6:9]) in pal - {(255, 255, 255)} for t in tris)' \
        "--palette .gpl: every triangle is one of its colours"
    expect_ok "--palette 8 -j1" "$M" "${RUN[@]}" --palette 8 -o e || return
    pe "$M" -n 30 --iterations 1 --frames 0 -q -j2 --palette 8 -o f
    cmp -s e/final.svg f/final.svg && ok "--palette 8: the same SVG at -j1 and -j2" ||
        bad "--palette 8: -j1 and -j2 differ"
    check_state e/state.json \
        'len(set(tuple(t[6:9]) for t in tris) | {tuple(s["background"][:3])}) <= 8' \
        "--palette 8: at most 8 colours, background included"
    printf '#12345\n' >bad.txt
    expect_error 1 "bad.txt" "a malformed hex palette" "$M" "${RUN[@]}" --palette bad.txt -o x
    printf 'GIMP Palette\n1 2 300\n' >bad.gpl
    expect_error 1 "line 2" "a GIMP palette value above 255" "$M" "${RUN[@]}" --palette bad.gpl -o x
    : >empty.txt
    expect_error 1 "empty.txt" "an empty palette" "$M" "${RUN[@]}" --palette empty.txt -o x
    expect_error 1 "nope.gpl" "a missing palette file" "$M" "${RUN[@]}" --palette nope.gpl -o x
}

# halves REFERENCE PICTURE -> "left right": PSNR of each half of the picture against the image
halves()
{
    "$PY" - "$1" "$2" <<'EOF'
import sys, numpy as np
from PIL import Image
r, o = (np.asarray(Image.open(p).convert("RGB"), dtype=np.float64) for p in sys.argv[1:3])
w = r.shape[1] // 2
ps = lambda a, b: 10 * np.log10(255.0 ** 2 / ((a - b) ** 2).mean())
print(f"{ps(r[:, :w], o[:, :w]):.2f} {ps(r[:, w:], o[:, w:]):.2f}")
EOF
}

case_weight()
{
    "$PY" -c "from PIL import Image
im = Image.new('L', (64, 64), 0); im.paste(255, (0, 0, 32, 64)); im.save('half.png')
Image.new('L', (16, 16), 0).save('black.png')" || { bad "cannot make the masks"; return; }
    expect_ok "no mask" "$M" "${RUN[@]}" -o u || return
    expect_ok "--weight half.png" "$M" "${RUN[@]}" --weight half.png -o w || return
    local pu pw
    read -r -a pu <<<"$(halves "$M" u/final.png)"
    read -r -a pw <<<"$(halves "$M" w/final.png)"
    # measured (seeds 1-3): left 25.6-26.1 dB -> 28.4-28.6, right 26.8-26.9 -> 13.1-13.5
    if "$PY" -c "import sys; sys.exit(0 if ${pw[0]} >= ${pu[0]} + 1.0 else 1)"; then
        ok "mask on the left half: left ${pu[0]} -> ${pw[0]} dB (at least +1)"
    else
        bad "mask on the left half: left ${pu[0]} -> ${pw[0]} dB, expected at least +1"
    fi
    if "$PY" -c "import sys; sys.exit(0 if ${pw[1]} <= ${pu[1]} - 3.0 else 1)"; then
        ok "mask on the left half: right ${pu[1]} -> ${pw[1]} dB (at least -3)"
    else
        bad "mask on the left half: right ${pu[1]} -> ${pw[1]} dB, expected at least 3 dB worse"
    fi
    # by name, as the input; the state keeps the path resume reads it from
    check_state w/state.json 's["options"]["weight"] == "half.png" and s["options"]["weight-path"] == os.path.abspath("half.png")' "--weight is in state.json"
    expect_ok "--weight auto" "$M" "${RUN[@]}" --weight auto -o a || return
    cmp -s a/final.svg u/final.svg && bad "--weight auto changed nothing" ||
        ok "--weight auto changes the picture"
    expect_error 2 "black.png" "a black mask" "$M" "${RUN[@]}" --weight black.png -o x
    expect_error 1 "nope.png" "a missing mask" "$M" "${RUN[@]}" --weight nope.png -o x
}

case_together()
{
    printf '#1b1b2f #e0c080 #5a6e3c #8a5a3a #c0a070 #ffffff\n' >palette.txt
    mkdir -p kit && cp palette.txt kit/
    "$PY" -c "from PIL import Image
im = Image.new('L', (64, 64), 60); im.paste(255, (16, 8, 48, 40)); im.save('kit/face.png')" ||
        { bad "cannot make the mask"; return; }
    local all=(--alpha 0.75 --weight kit/face.png --palette kit/palette.txt --background none)
    expect_ok "all three, transparent" "$M" -n 20 --iterations 1 --frames 2 -q -j1 "${all[@]}" \
        -o r || return
    validate "all three" r 64 64 64 64 20 any
    check_state r/state.json 's["background"][3] == 0 and all(t[9] == 191 and tuple(t[6:9]) in pal for t in tris)' \
        "all three: opacity 191 and palette colours"
    # the files by name, as the input; the state alone keeps the paths resume reads them from
    check_state r/state.json 'all(s["options"][k] == v for k, v in (("alpha", "0.75"), ("weight", "face.png"), ("palette", "palette.txt"), ("weight-path", os.path.abspath("kit/face.png")), ("palette-path", os.path.abspath("kit/palette.txt"))))' \
        "all three are recorded in state.json, the files by name"
    grep -q '<pe:param name="palette" value="palette.txt"/>' r/final.svg &&
        grep -q '<pe:param name="weight" value="face.png"/>' r/final.svg &&
        ! grep -q -e "$PWD" -e 'kit/' -e '-path"' r/final.svg r/final.png r/final.pdf &&
        ok "the pictures name the palette and the mask by file name only" ||
        bad "the pictures name the palette or mask otherwise" "$(grep -a -e palette -e weight r/final.svg | head -3)"
    grep -q '^<style>' r/final.svg && ! grep -q '<polygon[^>]*fill=' r/final.svg &&
        ok "palette and fixed alpha: the SVG shares its fills as CSS classes" ||
        bad "palette and fixed alpha: the SVG does not share its fills"
    if have_tool rsvg-convert; then # the classes draw what final.png shows
        rsvg-convert -w 64 -h 64 r/final.svg -o rsvg.png
        local db
        db="$(pecheck psnr rsvg.png r/final.png)"
        "$PY" -c "import sys; sys.exit(0 if float('$db') >= 40 else 1)" &&
            ok "librsvg draws the classed SVG as final.png ($db dB)" ||
            bad "librsvg's drawing of the classed SVG differs from final.png ($db dB)"
    fi
    mkdir -p elsewhere
    cd elsewhere || return
    expect_ok "resume to 30 triangles, from another directory" --resume ../r -n 30 -q -j1
    cd .. || return
    [ "$RC" -eq 0 ] || return
    check_state r/state.json 'len(tris) == 30 and all(t[9] == 191 and tuple(t[6:9]) in pal for t in tris)' \
        "resumed: 30 triangles, all still opacity 191 and palette colours"
    expect_ok "render" render r/state.json -o x.png
    cmp -s x.png r/final.png && ok "render equals final.png" || bad "render differs from final.png"
    expect_ok "animate" animate r/state.json -o anim --frames 3 -q
    cmp -s anim/frame_00003.png r/final.png && ok "animate's last frame is final.png" ||
        bad "animate's last frame differs from final.png"
}

case "${1:-}" in
alpha) case_alpha ;;
palette) case_palette ;;
weight) case_weight ;;
together) case_together ;;
*) echo "usage: $0 alpha|palette|weight|together" >&2; exit 2 ;;
esac
finish
