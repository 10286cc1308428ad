#!/bin/bash
# The command line: --help and --version (case "help"), and every usage error, which must exit 2
# with one line on stderr naming the flag or the problem, and create no output (case "usage").
. "$(dirname "$0")/common.sh"

case_help()
{
    pe --help
    if [ "$RC" -eq 0 ] && [ ! -s "$WORK/.err" ] && ! sanitizer_report; then
        ok "--help exits 0 with nothing on stderr"
    else
        bad "--help: exit $RC" "$(show_err)"
    fi
    local help="$OUT"
    pe -h
    [ "$RC" -eq 0 ] && [ "$OUT" = "$help" ] && ok "-h is --help" || bad "-h differs from --help (exit $RC)"
    # every flag, and every flag that takes a value states its default
    local flag
    for flag in --output --triangles --resize --size --threads --seed --iterations --time \
        --target-psnr --background --frames --frame-spacing --max-pixels --resume --quiet \
        --help --version; do
        printf '%s\n' "$help" | grep -qE -- "$flag\\b" && ok "--help lists $flag" ||
            bad "--help does not list $flag"
    done
    for flag in --output --triangles --resize --size --threads --seed --iterations --time \
        --target-psnr --background --frames --frame-spacing --max-pixels; do
        local line
        line="$(printf '%s\n' "$help" | grep -E -- "^ +(-[a-zA-Z], )?$flag\\b" | head -n 1)"
        printf '%s' "$line" | grep -qE 'default [^)]+\)' && ok "--help gives the default of $flag" ||
            bad "--help gives no '(default ...)' for $flag" "$line"
    done
    for flag in render --resume; do
        printf '%s\n' "$help" | grep -qF -- "$flag" && ok "--help shows the '$flag' usage" ||
            bad "--help does not show '$flag'"
    done
    pe --version
    if [ "$RC" -eq 0 ] && printf '%s' "$OUT" | grep -qE '^polyevolve [0-9]+\.[0-9]+\.[0-9]+'; then
        ok "--version prints 'polyevolve X.Y.Z' ($OUT)"
    else
        bad "--version: exit $RC, output '$OUT'"
    fi
    pe -V
    [ "$RC" -eq 0 ] && ok "-V exits 0" || bad "-V: exit $RC"
    pe render --help
    [ "$RC" -eq 0 ] && ok "render --help exits 0" || bad "render --help: exit $RC"
}

case_usage()
{
    local img="$MONA32"
    # the tile grid is gone: an old script's --tiles is told so
    expect_error 2 "--tiles" "usage: --tiles 2x2 (removed)" "$img" --tiles 2x2 -n 5 -q -j1 -o o
    # each: NEEDLE (flag or value that the message must name) then the arguments
    u()
    {
        local needle="$1"
        shift
        rm -rf o
        expect_error 2 "$needle" "usage: $*" "$@"
        [ ! -e o ] || [ -z "$(find o -type f)" ] || bad "usage error $* wrote files into o/: $(find o -type f | head -3)"
    }
    u --no-such-flag "$img" --no-such-flag -o o
    u -x "$img" -x -o o
    u -n "$img" -o o -n
    u -o "$img" -o
    u --resume --resume
    u --triangles "$img" -n 0 -o o
    u --triangles "$img" -n -5 -o o
    u --triangles "$img" -n abc -o o
    u --triangles "$img" -n 99999999999 -o o
    u --triangles "$img" -n 1.5 -o o
    u --triangles "$img" -n "" -o o
    u --background "$img" --background bad -o o
    u --background "$img" --background '#12345' -o o
    u --background "$img" --background '#12345g' -o o
    u --seed "$img" --seed -1 -o o
    u --seed "$img" --seed 99999999999999999999999 -o o
    u --threads "$img" -j -1 -o o
    u --time "$img" --time nan -o o
    u --time "$img" --time -1 -o o
    u --target-psnr "$img" --target-psnr inf -o o
    u --frame-spacing "$img" --frame-spacing cubic -o o
    u --size "$img" -s -1 -o o
    u --max-pixels "$img" --max-pixels 0 -o o
    u "no input" -n 5
    u "no input" -o o
    u "more than one input" "$img" "$MONA64" -o o
    u "either an input image or --resume" "$img" --resume o
    u "no state file" render -o x.png
    u "render needs -o" render some.json
}

case "${1:-}" in
help) case_help ;;
usage) case_usage ;;
*) echo "usage: $0 help|usage" >&2; exit 2 ;;
esac
finish
