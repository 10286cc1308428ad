#!/bin/bash
# Promises about time that a busy machine puts to the test, and starts of another size.
#   load   --time 1 with four busy processes beside the run (two per core on two cores) still
#          places every triangle asked for, at -r 0 (the input's size) and with more threads
#          than cores (-j 8): a limit makes the search cheaper, it never drops triangles
#   init   --init with more triangles than -n asks for keeps -n of them, and records -n
. "$(dirname "$0")/common.sh"
need_python

triangles_of()
{
    "$PY" -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["triangles"]))' "$1"
}

case_load()
{
    local burners=""
    for _ in 1 2 3 4; do
        (while :; do :; done) &
        burners="$burners $!"
    done
    for j in 1 8; do
        pe "$MONA64" -r 0 -n 250 --time 1 --frames 0 -q -j "$j" -o "l$j.svg" --state "l$j.json"
        local n
        n=$(triangles_of "l$j.json" 2>/dev/null)
        if [ "$RC" -eq 0 ] && [ "$n" = 250 ] && [ -s "l$j.svg" ]; then
            ok "--time 1 -r 0 -j $j under load: all 250 triangles placed"
        else
            bad "--time 1 -r 0 -j $j under load: exit $RC, $n of 250 triangles" "$(show_err)"
        fi
    done
    # shellcheck disable=SC2086
    kill $burners 2>/dev/null
    wait 2>/dev/null
}

case_init()
{
    expect_ok "a 30-triangle state" "$MONA32" -n 30 --frames 0 -q -j1 -o big || return
    expect_ok "--init it with -n 10" "$MONA64" --init big/state.json -n 10 --frames 0 -q -j1 \
        -o small || return
    local n recorded
    n=$(triangles_of small/state.json)
    recorded=$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["options"]["triangles"])' \
        small/state.json)
    [ "$n" = 10 ] && [ "$recorded" = 10 ] && ok "--init -n 10 keeps 10 triangles and records 10" ||
        bad "--init -n 10 from 30: $n triangles, $recorded recorded"
}

case "${1:-}" in
load) case_load ;;
init) case_init ;;
*) echo "usage: $0 load|init" >&2; exit 2 ;;
esac
finish
