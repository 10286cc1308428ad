#!/bin/bash
# Budgets and limits (issue 16): every limit checked before the work, memory proportional to
# what is used, resume checks, errors that name the field or the limit. One case per argument:
#   limits   a picture above the renderer's limit: exit 2 up front;
#            -r 1..3 work end to end
#   render_fail  a final.png that cannot be rendered: exit 1, and no stale final.png is left
#   state    refused state files name the field and the rule; hostile ones stay small
#   image    a PNG whose data inflates past its declared size, /dev/zero and an endless FIFO
#            as the image: refused early, in little memory
#   resume   --resume refuses another image of the same size, -o elsewhere, and options that
#            would change the run it continues; accepts the ones it honours
#   errors   stdout on /dev/full or a closed pipe: exit 1 with a message; a long -o; SIGINT
#            while blocked on a FIFO input exits 130
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
    # -s above 23170 is refused at parse time: tests/test_options.c
    "$PY" -c "from PIL import Image; Image.new('RGB', (1, 40000), (10, 200, 30)).save('long.png')"
    expect_error 2 "32767" "a 1x40000 input at -s 0 is refused before the work" long.png -n 5 \
        --frames 0 -q -j1 -o long
    no_finals long "1x40000 at -s 0"
    expect_ok "a 1x40000 input at -s 1000" long.png -n 5 --frames 0 -q -j1 -o long -s 1000
    expect_error 2 "32767" "render of a 1x40000 state at -s 0 is refused" render \
        long/state.json -o long.png
    expect_ok "render of a 1x40000 state at -s 500" render long/state.json -o long.png -s 500
    expect_error 2 "32767" "animate of a 1x40000 state at -s 0 is refused" animate \
        long/state.json -o anim --frames 2 -s 0
    [ ! -e anim ] && ok "animate at -s 0: nothing created" || bad "animate at -s 0 created anim/"
    # without -s, frames are at most 1080 px long (--frame-size)
    expect_ok "animate of a 1x40000 state without -s" animate long/state.json -o anim --frames 2 -q
    [ "$(pecheck size anim/frame_00002.png)" = "1 1080" ] && ok "its frames are 1x1080" ||
        bad "animate without -s: frames $(pecheck size anim/frame_00002.png), expected 1 1080"
    for r in 1 3; do # the state writer refused what -r 1 and 2 made
        expect_ok "-r $r runs" "$MONA64" -n 8 -r "$r" --frames 0 -q -j1 -o "r$r" &&
            validate "-r $r" "r$r" 64 64 64 64 8 any
    done
    expect_ok "-r 1: its state renders" render r1/state.json -o r1/x.svg
    expect_ok "-r 1: resumes" --resume r1 --iterations 2 -q -j1
}

case_render_fail()
{
    [ "$PE_SANITIZED" -eq 0 ] || skip "needs ulimit -v, which AddressSanitizer cannot run under"
    expect_ok "a run that leaves a final.png" "$MONA32" -n 5 --frames 0 -q -j1 -o o
    # 20000x20000 RGBA needs 1.6 GB twice: under 800 MB of address space the render fails
    (ulimit -v 800000 && exec "$PE_BIN" "$MONA32" -n 5 --frames 0 -q -j1 -o o -s 20000 --force) \
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
    mkstate good/state.json vertex.json 's["triangles"][3][3] = -1e6'
    state_error "triangles[3]" "a vertex far outside the image" vertex.json
    mkstate good/state.json colour.json 's["triangles"][2][6] = 300'
    state_error "triangles[2][6]" "a colour of 300" colour.json
    mkstate good/state.json version.json 's["version"] = 7'
    state_error "version" "version 7" version.json
    mkstate good/state.json seed.json 's["seed"] = 5'
    state_error "seed" "a seed that is not a string" seed.json
    mkstate good/state.json tri.json 's["triangles"][1] = s["triangles"][1][:5]'
    state_error "triangles[1]" "a short triangle" tri.json
    # memory: an ignored array took 64 bytes per number (a 100 MB file: 4.1 GB); now refused
    mkstate good/state.json junk.json 's["junk"] = [0] * 200000'
    local lim=""
    [ "$PE_SANITIZED" -eq 0 ] && lim="ulimit -v 100000 &&"
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

# a PNG declaring 64x64 RGB whose one zlib stream goes on for MIB more mebibytes
make_bomb()
{
    "$PY" - "$1" "$2" <<'PYEOF'
import struct, sys, zlib
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
co = zlib.compressobj(9)
data = co.compress(b"\0" * (64 * (1 + 3 * 64)))
for _ in range(int(sys.argv[2])):
    data += co.compress(b"\0" * (1 << 20))
data += co.flush()
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0))
open(sys.argv[1], "wb").write(png + chunk(b"IDAT", data) + chunk(b"IEND", b""))
PYEOF
}

case_image()
{
    make_bomb bomb.png 256 || { bad "cannot make bomb.png"; return; }
    local lim=""
    [ "$PE_SANITIZED" -eq 0 ] && lim="ulimit -v 150000 &&" # it took 256 MB to inflate
    (eval "$lim true" && exec "$PE_BIN" bomb.png -n 5 --frames 0 -q -j1 -o b) >out.txt 2>err.txt
    local rc=$?
    [ "$rc" -eq 1 ] && grep -q "inflates" err.txt &&
        ok "a PNG inflating 256 MiB past its 64x64 header is refused ($(cat err.txt))" ||
        bad "a PNG inflating 256 MiB past its 64x64 header: exit $rc" "$(cat err.txt)"
    no_finals b "the inflating PNG"
    SECONDS=0
    expect_error 1 "not an image" "/dev/zero as the image" /dev/zero -n 5 --frames 0 -q -o z
    [ "$SECONDS" -le 5 ] && ok "/dev/zero refused in ${SECONDS}s" ||
        bad "/dev/zero took ${SECONDS}s to refuse"
    # an endless stream that starts like a PNG: cut at the size limit (8 B/pixel + 16 MiB)
    mkfifo endless.fifo
    { head -c 100 "$MONA32"; cat /dev/zero; } >endless.fifo 2>/dev/null &
    local writer=$!
    expect_error 1 "larger than any image" "an endless FIFO is read up to a cap" endless.fifo \
        --max-pixels 1000 -n 5 --frames 0 -q -o e
    kill "$writer" 2>/dev/null
    wait "$writer" 2>/dev/null
}

case_errors()
{
    "$PE_BIN" "$MONA32" -n 5 --frames 0 -j1 -o o >/dev/full 2>err.txt
    local rc=$?
    [ "$rc" -eq 1 ] && grep -q "stdout" err.txt && ok "stdout on /dev/full: exit 1 ($(cat err.txt))" ||
        bad "stdout on /dev/full: exit $rc, expected 1 with a message" "$(cat err.txt)"
    "$PE_BIN" --version >/dev/full 2>err.txt
    rc=$?
    [ "$rc" -eq 1 ] && ok "--version on /dev/full: exit 1" || bad "--version on /dev/full: exit $rc"
    # a closed pipe: the reader is gone before the summary is written
    { sleep 0.3; "$PE_BIN" "$MONA32" -n 5 --frames 0 -j1 -o p 2>err.txt; echo $? >rc.txt; } | true
    rc="$(cat rc.txt)"
    [ "$rc" -eq 1 ] && grep -q "Broken pipe" err.txt &&
        ok "a closed stdout pipe: exit 1 ($(cat err.txt))" ||
        bad "a closed stdout pipe: exit $rc, expected 1 (documented)" "$(cat err.txt)"
    validate "a closed stdout pipe: the outputs are still written" p 32 32 32 32 5 0
    local long
    long="$(printf 'd%.0s' $(seq 4220))"
    expect_error 2 "limit" "a 4220-byte -o names the limit" "$MONA32" -n 5 -q -o "$long"
    grep -q "Success\|No such" "$WORK/.err" && bad "a 4220-byte -o prints a stale errno"
    mkfifo in.fifo
    "$PE_BIN" in.fifo -n 5 --frames 0 -q -o f 2>err.txt &
    local pid=$!
    sleep 0.5
    kill -INT "$pid"
    wait "$pid"
    rc=$?
    [ "$rc" -eq 130 ] && ok "SIGINT while blocked opening a FIFO input exits 130" ||
        bad "SIGINT while blocked opening a FIFO input: exit $rc" "$(cat err.txt)"
    exec 7<>in.fifo # a writer that never writes: the read blocks
    "$PE_BIN" in.fifo -n 5 --frames 0 -q -o f 2>err.txt &
    pid=$!
    sleep 0.5
    kill -INT "$pid"
    wait "$pid"
    rc=$?
    exec 7>&-
    [ "$rc" -eq 130 ] && ok "SIGINT while blocked reading a FIFO input exits 130" ||
        bad "SIGINT while blocked reading a FIFO input: exit $rc" "$(cat err.txt)"
    "$PE_BIN" render in.fifo -o x.svg 2>err.txt &
    pid=$!
    sleep 0.5
    kill -TERM "$pid"
    wait "$pid"
    rc=$?
    [ "$rc" -eq 143 ] && ok "SIGTERM while render is blocked on a FIFO state exits 143" ||
        bad "SIGTERM while render is blocked on a FIFO state: exit $rc" "$(cat err.txt)"
}

case_resume()
{
    cp "$MONA32" in.png
    expect_ok "a run to resume" in.png -n 20 --frames 2 -q -j1 -o o || return
    expect_error 2 "--triangles" "--resume -n 10 on a run of 20 is refused" --resume o -n 10 -q
    # -o is honoured: the run goes on in the directory -o names (the old one stays as it was)
    expect_ok "--resume o -o x.svg writes x.svg" --resume o -o x.svg -q -j1
    [ -s x.svg ] && ok "--resume -o x.svg: x.svg written" || bad "--resume -o x.svg: no x.svg"
    expect_ok "--resume with the run's own -n, -o and more --iterations" --resume o -o o/ -n 20 \
        --iterations 8 -q -j1
    [ "$(pecheck state o/state.json rounds_done)" = 8 ] && ok "the resumed run did 8 rounds" ||
        bad "the resumed run's rounds_done is $(pecheck state o/state.json rounds_done)"
    # the same size, another picture: continuing would mix two runs (PSNR 9.5 dB)
    "$PY" -c "from PIL import Image; Image.open('in.png').convert('RGB').transpose(Image.FLIP_LEFT_RIGHT).save('in.png')"
    cp o/state.json before.json
    expect_error 1 "not the image" "--resume on another image of the same size" --resume o -q
    cmp -s o/state.json before.json && ok "the refused resume left state.json as it was" ||
        bad "the refused resume changed state.json"
}

case "${1:-}" in
resume) case_resume ;;
limits) case_limits ;;
render_fail) case_render_fail ;;
state) case_state ;;
image) case_image ;;
errors) case_errors ;;
*) echo "usage: $0 limits|render_fail|state|image|resume|errors" >&2; exit 2 ;;
esac
finish
