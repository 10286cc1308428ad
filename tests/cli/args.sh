#!/bin/bash
# The command line through the process: --help and --help-all (case "help"), and what only a
# process shows of a usage error: exit 2 through main, one line on stderr, nothing written
# (case "usage"); primitive's command line end to end (case "primitive"). Which arguments are
# usage errors, and their messages, are tests/test_options.c.
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
    local lines wide
    lines=$(printf '%s\n' "$help" | wc -l)
    wide=$(printf '%s\n' "$help" | awk 'length($0) > 80' | wc -l)
    [ "$lines" -le 25 ] && [ "$wide" -eq 0 ] && ok "--help fits 25 x 80 ($lines lines)" ||
        bad "--help: $lines lines, $wide of them over 80 columns"
    pe -h
    [ "$RC" -eq 0 ] && [ "$OUT" = "$help" ] && ok "-h is --help" || bad "-h differs from --help (exit $RC)"
    pe --help-all
    local all="$OUT"
    wide=$(printf '%s\n' "$all" | awk 'length($0) > 80' | wc -l)
    [ "$RC" -eq 0 ] && [ "$wide" -eq 0 ] && ok "--help-all exits 0, no line over 80 columns" ||
        bad "--help-all: exit $RC, $wide lines over 80 columns"
    # every flag, and every flag that takes a value states its default
    local flag
    for flag in --output --triangles --resize --size --threads --seed --iterations --time \
        --target-psnr --background --frames --frame-spacing --max-pixels --page --margin \
        --force --allow-damaged --hold --frame-size --resume --quiet --help --version; do
        printf '%s\n' "$all" | grep -qE -- "$flag\\b" && ok "--help-all lists $flag" ||
            bad "--help-all does not list $flag"
    done
    for flag in --output --triangles --resize --size --threads --seed --iterations --time \
        --target-psnr --background --frames --frame-spacing --max-pixels --hold --frame-size; do
        # the entry: its line and the indented lines that continue it
        local entry
        entry="$(printf '%s\n' "$all" | awk -v f="$flag" '
            /^  -|^      --/ { on = 0 } $0 ~ "^ +(-[a-zA-Z], )?" f "( |$)" { on = 1 } on' | tr '\n' ' ')"
        printf '%s' "$entry" | grep -qE 'default [^)]+\)' && ok "--help-all gives the default of $flag" ||
            bad "--help-all gives no '(default ...)' for $flag" "$entry"
    done
    for flag in -a -bg -m -nth -rep; do
        printf '%s\n' "$all" | grep -qE -- "^  $flag " && ok "--help-all lists primitive's $flag" ||
            bad "--help-all does not list primitive's $flag"
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
    # each: NEEDLE (flag or value that the message must name) then the arguments
    u()
    {
        local needle="$1"
        shift
        rm -rf o
        expect_error 2 "$needle" "usage: $*" "$@"
        [ ! -e o ] || [ -z "$(find o -type f)" ] || bad "usage error $* wrote files into o/: $(find o -type f | head -3)"
    }
    u --tiles "$img" --tiles 2x2 -n 5 -q -j1 -o o
    u "did you mean --palette" "$img" --pallete 8 -o o
    u --triangles "$img" -n 0 -o o
    u "-rep 2" "$img" -rep 2 -o o
    u "no input" -o o
    u "render needs -o" render some.json
}

# primitive's command line runs: -i, -o, -n, -a (8-bit alpha), -bg (hex without #), -m 1,
# -rep 0; its flags that have no equal here exit 2 naming what to type instead
case_primitive()
{
    expect_ok "primitive's flags" -i "$MONA32" -o p.png -o p.svg -n 6 -a 128 -bg FFFFFF -m 1 \
        -rep 0 -j 1 --frames 0 --state p.json -q || return
    grep -q '"background": \[255, 255, 255, 255\]' p.json && ok "-bg FFFFFF: a white canvas" ||
        bad "-bg FFFFFF: $(grep '"background"' p.json)"
    local n128
    n128=$(grep -cE '^ +\[.*, 128\],?$' p.json)
    [ "$n128" -eq 6 ] && ok "-a 128: every triangle's opacity is 128" ||
        bad "-a 128: $n128 of 6 triangles at opacity 128"
    [ -s p.png ] && grep -q '<pe:param name="alpha" value="128"/>' p.svg &&
        ok "-o p.png -o p.svg: both written, alpha recorded as 128" || bad "-o p.png -o p.svg"
    expect_error 2 "triangles only" "-m 3" "$MONA32" -m 3 -o q
    expect_error 2 "--frames 25" "-nth 10" "$MONA32" -n 250 -nth 10 -o 'q%03d.png'
    expect_error 2 "-rep 2" "-rep 2" "$MONA32" -rep 2 -o q
    [ ! -e q ] && ok "no output from the refused ones" || bad "a refused primitive flag wrote q"
}

# One process start: the program execs nothing (it once re-executed itself to choose the OpenMP
# wait policy, two starts for every call).
case_exec()
{
    need_tool strace strace
    strace -f -e trace=execve -o trace.txt "$PE_BIN" --version >/dev/null 2>&1
    local n
    n=$(grep -c 'execve(' trace.txt)
    [ "$n" -eq 1 ] && ok "--version is one exec" || bad "--version made $n execs" "$(head -5 trace.txt)"
}

case "${1:-}" in
exec) case_exec ;;
help) case_help ;;
usage) case_usage ;;
primitive) case_primitive ;;
*) echo "usage: $0 help|usage|primitive" >&2; exit 2 ;;
esac
finish
