#!/bin/bash
# Budgets and limits (issue 16): every limit checked before the work, memory proportional to
# what is used, resume checks, errors that name the field or the limit. One case per argument:
#   limits   -s above the PNG writer's cap and a picture above the renderer's: exit 2 up front;
#            -r 1..3 work end to end
#   render_fail  a final.png that cannot be rendered: exit 1, and no stale final.png is left
#   state    refused state files name the field and the rule; hostile ones stay small
. "$(dirname "$0")/common.sh"
need_python

# mkstate SRC DST PYTHON-EXPRESSION-ON-s: a state file edited in python
mkstate()
{
    "$PY" - "$1" "$2" "$3" <<'PYEOF'
import json, sys
s = json.load(open(sys.argv[1]))
exec(sys.argv[3])
open(sys.argv[2], "w").write(json.dumps(s))
PYEOF
}

case_limits()
{
    expect_error 2 "23170" "-s 23171 is refused at parse time (PNG writer's cap)" \
        "$MONA32" -n 5 -s 23171 -q -o big
    [ ! -e big ] && ok "-s 23171: nothing created" || bad "-s 23171 created big/"
    expect_ok "a small run" "$MONA32" -n 5 --frames 0 -q -j1 -o small
    expect_error 2 "23170" "render -s 30000 is refused at parse time" render small/state.json \
        -o big.png -s 30000
    [ ! -e big.png ] && ok "render -s 30000: no big.png" || bad "render -s 30000 wrote big.png"
    "$PY" -c "from PIL import Image; Image.new('RGB', (1, 40000), (10, 200, 30)).save('long.png')"
    expect_error 2 "32767" "a 1x40000 input at -s 0 is refused before the work" long.png -n 5 \
        --frames 0 -q -j1 -o long
    no_finals long "1x40000 at -s 0"
    expect_ok "a 1x40000 input at -s 1000" long.png -n 5 --frames 0 -q -j1 -o long -s 1000
    expect_error 2 "32767" "render of a 1x40000 state at -s 0 is refused" render \
        long/state.json -o long.png
    expect_ok "render of a 1x40000 state at -s 500" render long/state.json -o long.png -s 500
    for r in 1 2 3; do
        expect_ok "-r $r runs" "$MONA64" -n 12 -r "$r" --frames 0 -q -j1 -o "r$r" &&
            validate "-r $r" "r$r" 64 64 64 64 12 any
        expect_ok "-r $r: its state renders" render "r$r/state.json" -o "r$r/x.svg"
        expect_ok "-r $r: resumes" --resume "r$r" --iterations 2 -q -j1
    done
}

case_render_fail()
{
    [ "$PE_SANITIZED" -eq 0 ] || skip "needs ulimit -v, which AddressSanitizer cannot run under"
    expect_ok "a run that leaves a final.png" "$MONA32" -n 5 --frames 0 -q -j1 -o o
    # 20000x20000 RGBA needs 1.6 GB twice: under 800 MB of address space the render fails
    (ulimit -v 800000 && exec "$PE_BIN" "$MONA32" -n 5 --frames 0 -q -j1 -o o -s 20000) \
        >out.txt 2>err.txt
    local rc=$?
    [ "$rc" -eq 1 ] && ok "a failed final render exits 1" ||
        bad "a failed final render exits $rc, expected 1" "$(cat err.txt)"
    grep -q "final.png" err.txt && ok "its message names final.png ($(cat err.txt))" ||
        bad "the message does not name final.png" "$(cat err.txt)"
    [ ! -e o/final.png ] && ok "the earlier run's final.png is gone" ||
        bad "a stale final.png from the earlier run contradicts state.json"
}

# state_error NEEDLE DESCRIPTION FILE: render and --resume both refuse FILE naming NEEDLE
state_error()
{
    mkdir -p "$3.d" && cp "$3" "$3.d/state.json"
    expect_error 1 "$1" "render: $2" render "$3" -o x.svg
    expect_error 1 "$1" "--resume: $2" --resume "$3.d" -q -j1 --frames 0
}

case_state()
{
    expect_ok "a run to take a state from" "$MONA32" -n 10 --frames 0 -q -j1 -o good || return
    mkstate good/state.json rounds.json 's["rounds_done"] = 2147483647'
    state_error "rounds_done" "rounds_done 2147483647 (an int overflow in the engine)" rounds.json
    mkstate good/state.json vertex.json 's["triangles"][3][4] = -1e6'
    state_error "triangles[3]" "a vertex far outside the image" vertex.json
    mkstate good/state.json colour.json 's["triangles"][2][7] = 300'
    state_error "triangles[2][7]" "a colour of 300" colour.json
    mkstate good/state.json version.json 's["version"] = 7'
    state_error "version" "version 7" version.json
    mkstate good/state.json seed.json 's["seed"] = 5'
    state_error "seed" "a seed that is not a string" seed.json
    mkstate good/state.json grid.json 's["grid"]["cols"] = 0'
    state_error "grid.cols" "grid.cols 0" grid.json
    mkstate good/state.json tri.json 's["triangles"][1] = s["triangles"][1][:5]'
    state_error "triangles[1]" "a short triangle" tri.json
    # memory: an ignored array of 2 million numbers (4 MB) took 64 bytes per number
    mkstate good/state.json junk.json 's["junk"] = [0] * 2000000'
    local lim=""
    [ "$PE_SANITIZED" -eq 0 ] && lim="ulimit -v 200000 &&"
    (eval "$lim true" && exec "$PE_BIN" render junk.json -o x.svg) >out.txt 2>err.txt
    grep -q '"junk"' err.txt && ok "a huge ignored field is refused by name ($(cat err.txt))" ||
        bad "a huge ignored field: no message naming it" "$(cat err.txt)"
    # /dev/zero never ends: refused at its first byte, not after reading 1 GiB
    mkdir -p zero && ln -sf /dev/zero zero/state.json
    SECONDS=0
    expect_error 1 "NUL" "render of /dev/zero" render /dev/zero -o x.svg
    expect_error 1 "NUL" "--resume from a state.json that is /dev/zero" --resume zero -q
    [ "$SECONDS" -le 5 ] && ok "/dev/zero refused in ${SECONDS}s" ||
        bad "/dev/zero took ${SECONDS}s to refuse"
    [ ! -e x.svg ] && ok "no x.svg written" || bad "a refused state wrote x.svg"
}

case "${1:-}" in
limits) case_limits ;;
render_fail) case_render_fail ;;
state) case_state ;;
*) echo "usage: $0 limits|render_fail|state" >&2; exit 2 ;;
esac
finish
