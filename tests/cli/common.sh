# common.sh: the harness every CLI test script sources (bash). Not a test by itself.
#
# Environment (set by tests/cli/CMakeLists.txt through PE_TEST_ENV):
#   PE_BIN        the polyevolve binary under test (required)
#   PE_TEST_DATA  tests/data (defaults to the directory next to this script)
#   PE_SHARED     the shared test images, optional: $PE_SHARED/images, $PE_SHARED/images/bad
#
# Each script makes checks with ok/bad, never stops at the first failure, and ends with `finish`:
# exit 0 when every check passed, 1 otherwise, 77 (ctest SKIP_RETURN_CODE) when a tool it needs is
# missing. A check that fails because of a known, reported program bug says so ("KNOWN BUG").
# The exit status of polyevolve is always compared exactly, so a sanitizer abort (ASan exits 1 or
# 23 after printing a report) is caught both by its report on stderr and by its status.

set -u

if [ -z "${PE_BIN:-}" ] || [ ! -x "$PE_BIN" ]; then
    echo "PE_BIN must name the polyevolve binary (got '${PE_BIN:-}')" >&2
    exit 1
fi
case "$PE_BIN" in /*) ;; *) PE_BIN="$(pwd)/$PE_BIN" ;; esac
PE_TEST_DATA="${PE_TEST_DATA:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../data" && pwd)}"
PE_SHARED="${PE_SHARED:-}"
[ -n "$PE_SHARED" ] && [ -d "$PE_SHARED" ] && PE_SHARED="$(cd "$PE_SHARED" && pwd -P)"

T_FAILS=0
T_PASSES=0
T_MOUNTS=""
WORK="$(mktemp -d "${TMPDIR:-/tmp}/pe-cli.XXXXXX")" || exit 1

t_cleanup()
{
    for m in $T_MOUNTS; do umount "$m" 2>/dev/null; done
    chmod -R u+rwX "$WORK" 2>/dev/null
    rm -rf "$WORK"
}
trap t_cleanup EXIT
cd "$WORK" || exit 1

ok()
{
    T_PASSES=$((T_PASSES + 1))
    printf 'ok   %s\n' "$1"
}

# bad DESCRIPTION [DETAIL...]
bad()
{
    T_FAILS=$((T_FAILS + 1))
    printf 'FAIL %s\n' "$1"
    shift
    for line in "$@"; do printf '       %s\n' "$line"; done
}

note()
{
    printf 'note %s\n' "$*"
}

skip()
{
    printf 'SKIP: %s\n' "$*"
    exit 77
}

finish()
{
    printf '%d checks passed, %d failed\n' "$T_PASSES" "$T_FAILS"
    [ "$T_FAILS" -eq 0 ] && exit 0
    exit 1
}

# --- tools -------------------------------------------------------------------------------------

# The first python3 that has PIL and numpy (Debian: python3-pil python3-numpy). A pyenv shim on
# PATH may lack them, so /usr/bin/python3 is tried first.
PY=""
for p in /usr/bin/python3 python3; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import PIL, numpy' >/dev/null 2>&1; then
        PY="$(command -v "$p")"
        break
    fi
done

need_python()
{
    [ -n "$PY" ] || skip "python3 with PIL and numpy is not installed (Debian: python3-pil python3-numpy)"
}

# need_tool PROGRAM DEBIAN_PACKAGE
need_tool()
{
    command -v "$1" >/dev/null 2>&1 || skip "$1 is not installed (Debian: $2)"
}

have_tool()
{
    command -v "$1" >/dev/null 2>&1
}

# --- running polyevolve -------------------------------------------------------------------------

# pe ARGS...: run polyevolve (never longer than 100 s; as another user when the array PE_RUN_AS
# holds a command prefix such as setpriv), leaving the status in RC, stdout in OUT and
# stderr in ERR (also in $WORK/.out and $WORK/.err).
pe()
{
    timeout -k 5 100 ${PE_RUN_AS[@]+"${PE_RUN_AS[@]}"} "$PE_BIN" "$@" >"$WORK/.out" 2>"$WORK/.err" </dev/null
    RC=$?
    OUT="$(cat "$WORK/.out")"
    ERR="$(cat "$WORK/.err")"
}

# A sanitizer report or a crash, whatever the exit status.
sanitizer_report()
{
    grep -qE 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:|Segmentation fault|core dumped' \
        "$WORK/.err"
}

show_err()
{
    sed -n '1,12s/^/       stderr: /p' "$WORK/.err"
}

# tmp_leftovers DIR: temporary files an atomic write left behind anywhere under DIR.
# wait_for PATH: until PATH exists (at most 60 s: a loaded machine), 0 when it does
wait_for()
{
    local i
    for i in $(seq 600); do
        [ -e "$1" ] && return 0
        sleep 0.1
    done
    return 1
}

# sum_of FILE: its cksum, or "none"
sum_of() { [ -f "$1" ] && cksum <"$1" || echo none; }

tmp_leftovers()
{
    # BUSY: a directory another run is still writing (its temporaries are its own, not leftovers)
    find "$1" -path "${BUSY:-/nonexistent}" -prune -o -name '*.tmp-*' -print 2>/dev/null
}

# expect_ok DESCRIPTION ARGS...: exit 0, nothing on stderr (runs are given -q), no temp files.
expect_ok()
{
    local desc="$1"
    shift
    pe "$@"
    if [ "$RC" -ne 0 ] || [ -s "$WORK/.err" ] || sanitizer_report; then
        bad "$desc: expected exit 0 and a silent stderr, got exit $RC" "command: polyevolve $*" \
            "$(show_err)"
        return 1
    fi
    local left
    left="$(tmp_leftovers "$WORK")"
    if [ -n "$left" ]; then
        bad "$desc: temporary files left behind" "$left"
        return 1
    fi
    ok "$desc"
}

# expect_error CODE NEEDLE DESCRIPTION ARGS...
# polyevolve must exit with exactly CODE, print exactly one line on stderr that starts with
# "polyevolve: " and contains NEEDLE (the file or the flag at fault), not crash and leave no
# *.tmp-* file under the work directory.
expect_error()
{
    local code="$1" needle="$2" desc="$3"
    shift 3
    pe "$@"
    local lines problems=()
    lines="$(wc -l <"$WORK/.err")"
    [ "$RC" -eq "$code" ] || problems+=("exit status $RC, expected $code")
    [ "$RC" -lt 128 ] || problems+=("killed by signal $((RC - 128))")
    sanitizer_report && problems+=("sanitizer report or crash on stderr")
    [ "$lines" -eq 1 ] || problems+=("$lines lines on stderr, expected exactly 1")
    head -n 1 "$WORK/.err" | grep -q '^polyevolve: ' || problems+=("stderr does not start with 'polyevolve: '")
    grep -qF -- "$needle" "$WORK/.err" || problems+=("stderr does not name '$needle'")
    local left
    left="$(tmp_leftovers "$WORK")"
    [ -z "$left" ] || problems+=("temporary files left: $left")
    if [ "${#problems[@]}" -eq 0 ]; then
        ok "$desc (exit $code: $(head -n 1 "$WORK/.err"))"
        return 0
    fi
    bad "$desc" "command: polyevolve $*" "${problems[@]}" "$(show_err)"
    return 1
}

# no_finals DIR DESCRIPTION: a failed run must not create any final.* file.
no_finals()
{
    local found
    found="$(find "$1" -maxdepth 1 -name 'final.*' 2>/dev/null)"
    if [ -z "$found" ]; then
        ok "$2: no final.* created"
    else
        bad "$2: a failed run created output files" "$found"
    fi
}

# --- checking outputs (python3 + PIL + numpy) ---------------------------------------------------

# pecheck COMMAND ARGS...: run one of the checks of the python helper below; its stdout is the
# result (or one problem per line), its status says whether the check passed.
PE_CHECK_PY="$WORK/.pe_check.py"
cat >"$PE_CHECK_PY" <<'PYEOF'
import json, math, os, re, sys
import xml.etree.ElementTree as ET

def load_rgba(path):
    import numpy as np
    from PIL import Image
    with Image.open(path) as im:
        im.load()
        return np.asarray(im.convert("RGBA"), dtype=np.float64)

def premultiplied(a):
    # compare what is seen: colour weighted by alpha, plus alpha itself
    out = a.copy()
    out[..., :3] *= a[..., 3:4] / 255.0
    return out

def psnr(a, b):
    if a.shape != b.shape:
        return None
    mse = float(((premultiplied(a) - premultiplied(b)) ** 2).mean())
    return 99.0 if mse == 0 else 10 * math.log10(255.0 ** 2 / mse)

def svg_info(path, problems):
    try:
        root = ET.parse(path).getroot()
    except Exception as e:
        problems.append(f"{path}: not well-formed XML: {e}")
        return None, 0
    vb = root.get("viewBox")
    n = sum(1 for el in root.iter() if el.tag.split("}")[-1] == "polygon")
    return vb, n

def read_state(path, problems):
    try:
        with open(path, "rb") as f:
            return json.loads(f.read().decode("utf-8"))
    except Exception as e:
        problems.append(f"{path}: not valid UTF-8 JSON: {e}")
        return None

def validate(argv):
    """validate DIR IN_W IN_H PNG_W PNG_H TRIANGLES FRAMES: FRAMES is an exact count, 'some'
    (at least one) or 'any'; TRIANGLES may be 'any' (then svg and state must agree)."""
    d, iw, ih, pw, ph, ntri, frames = argv
    iw, ih, pw, ph = int(iw), int(ih), int(pw), int(ph)
    problems = []
    for name in ("final.png", "final.svg", "final.pdf", "state.json"):
        if not os.path.isfile(os.path.join(d, name)):
            problems.append(f"{name} missing")
    if problems:
        return problems
    try:
        a = load_rgba(os.path.join(d, "final.png"))
        if (a.shape[1], a.shape[0]) != (pw, ph):
            problems.append(f"final.png is {a.shape[1]}x{a.shape[0]}, expected {pw}x{ph}")
    except Exception as e:
        problems.append(f"final.png does not load: {e}")
    vb, npoly = svg_info(os.path.join(d, "final.svg"), problems)
    if vb is not None and [float(v) for v in vb.split()] != [0, 0, iw, ih]:
        problems.append(f"final.svg viewBox is '{vb}', expected '0 0 {iw} {ih}'")
    st = read_state(os.path.join(d, "state.json"), problems)
    if st is not None:
        tri = st.get("triangles")
        if not isinstance(tri, list):
            problems.append("state.json has no triangle list")
        else:
            if ntri != "any" and len(tri) != int(ntri):
                problems.append(f"state.json holds {len(tri)} triangles, expected {ntri}")
            if vb is not None and len(tri) != npoly:
                problems.append(f"state.json holds {len(tri)} triangles, final.svg {npoly} polygons")
        inp = st.get("input", {})
        if (inp.get("width"), inp.get("height")) != (iw, ih):
            problems.append(f"state.json input size {inp.get('width')}x{inp.get('height')}, expected {iw}x{ih}")
    if vb is not None and ntri != "any" and npoly != int(ntri):
        problems.append(f"final.svg has {npoly} <polygon> elements, expected {ntri}")
    problems += check_frames(d, frames)
    return problems

def check_frames(d, frames):
    problems = []
    fdir = os.path.join(d, "frames")
    names = sorted(os.listdir(fdir)) if os.path.isdir(fdir) else []
    # frame_NNNNN.png only: a kill -9 may leave frame_NNNNN.png.tmp-XXXXXX behind
    names = [n for n in names if re.fullmatch(r"frame_\d+\.png", n)]
    want = [f"frame_{i:05d}.png" for i in range(1, len(names) + 1)]
    if names != want:
        bad_at = next(i for i, (n, w) in enumerate(zip(names, want)) if n != w)
        problems.append(f"frames are not frame_00001.png.. without gaps: {want[bad_at]} is missing, "
                        f"found {names[bad_at]} ({len(names)} frames)")
    if frames == "some" and not names:
        problems.append("no frames written")
    elif frames not in ("any", "some") and len(names) != int(frames):
        problems.append(f"{len(names)} frames, expected {frames}")
    prev = None
    for n in names:
        try:
            cur = load_rgba(os.path.join(fdir, n))
        except Exception as e:
            problems.append(f"frames/{n} does not load: {e}")
            prev = None
            continue
        if prev is not None and prev.shape == cur.shape and (prev == cur).all():
            problems.append(f"frames/{n} is pixel-identical to the frame before it")
        prev = cur
    log = os.path.join(d, "log.csv")
    # one log.csv row per written frame (with --frames 0 the log may still record progress)
    if names:
        rows = [r for r in open(log).read().splitlines() if r and r[0].isdigit()] if os.path.exists(log) else []
        if frames != "any" and len(rows) != len(names):
            problems.append(f"log.csv has {len(rows)} data rows for {len(names)} written frames")
    return problems

def main():
    cmd, argv = sys.argv[1], sys.argv[2:]
    if cmd == "validate":
        p = validate(argv)
        for line in p:
            print(line)
        sys.exit(1 if p else 0)
    if cmd == "frames":       # frames DIR FRAMES
        p = check_frames(argv[0], argv[1])
        for line in p:
            print(line)
        sys.exit(1 if p else 0)
    if cmd == "size":         # size IMAGE -> "W H"
        from PIL import Image
        with Image.open(argv[0]) as im:
            print(im.size[0], im.size[1])
        return
    if cmd == "psnr":         # psnr A B -> dB (premultiplied RGBA), 'shape' if sizes differ
        v = psnr(load_rgba(argv[0]), load_rgba(argv[1]))
        print("shape" if v is None else f"{v:.3f}")
        return
    if cmd == "same-pixels":  # same-pixels A B: status 0 when pixel-identical
        a, b = load_rgba(argv[0]), load_rgba(argv[1])
        sys.exit(0 if a.shape == b.shape and (a == b).all() else 1)
    if cmd == "state":        # state FILE KEY -> the value (psnr, rounds_done, triangle count)
        st = read_state(argv[0], [])
        if st is None:
            sys.exit(1)
        v = len(st["triangles"]) if argv[1] == "count" else st[argv[1]]
        print(v)
        return
    if cmd == "svg-ok":       # svg-ok FILE: well-formed XML with an <svg> root
        p = []
        vb, n = svg_info(argv[0], p)
        for line in p:
            print(line)
        sys.exit(1 if p or vb is None else 0)
    if cmd == "image":        # image KIND W H PATH: make a test picture
        make_image(*argv)
        return
    if cmd == "corrupt":      # corrupt KIND SRC DST: make a bad state file
        corrupt(*argv)
        return
    sys.exit(f"unknown command {cmd}")

def make_image(kind, w, h, path):
    import numpy as np
    from PIL import Image
    w, h = int(w), int(h)
    y, x = np.mgrid[0:h, 0:w]
    r = (x * 255 // max(w - 1, 1)).astype(np.uint8)
    g = (y * 255 // max(h - 1, 1)).astype(np.uint8)
    b = (((x // 7) + (y // 5)) % 2 * 200 + 30).astype(np.uint8)
    a = np.stack([r, g, b], axis=-1)
    if kind == "solid":
        a[...] = (200, 40, 60)
    Image.fromarray(a, "RGB").save(path)

def corrupt(kind, src, dst):
    text = open(src, encoding="utf-8").read()
    st = json.loads(text)
    if kind == "truncated":
        out = text[: len(text) // 2]
    elif kind == "empty":
        out = ""
    elif kind == "not-json":
        out = "this is not a state file\n"
    elif kind == "version":
        st["version"] = st["version"] + 41
        out = json.dumps(st)
    elif kind == "format":
        st["format"] = "something-else"
        out = json.dumps(st)
    elif kind == "nan-coordinate":
        st["triangles"][0][0] = "NAN_HERE"
        out = json.dumps(st).replace('"NAN_HERE"', "NaN")
    elif kind == "inf-coordinate":
        st["triangles"][0][1] = "INF_HERE"
        out = json.dumps(st).replace('"INF_HERE"', "1e999")
    elif kind == "huge-coordinate":
        st["triangles"][0][0] = 1e300
        out = json.dumps(st)
    elif kind == "colour-300":
        st["triangles"][0][6] = 300
        out = json.dumps(st)
    elif kind == "colour-negative":
        st["triangles"][0][9] = -1
        out = json.dumps(st)
    elif kind == "short-triangle":
        st["triangles"][0] = st["triangles"][0][:5]
        out = json.dumps(st)
    elif kind == "negative-size":
        st["work"]["width"] = -st["work"]["width"]
        out = json.dumps(st)
    elif kind == "huge-size":
        st["input"]["width"] = 2 ** 40
        st["work"]["width"] = 2 ** 40
        out = json.dumps(st)
    elif kind == "nan-psnr":
        st["psnr"] = "NAN_HERE"
        out = json.dumps(st).replace('"NAN_HERE"', "NaN")
    elif kind == "old-layout":
        st["triangles"][0] = [0] + st["triangles"][0]
        out = json.dumps(st)
    elif kind == "bad-option":
        st["options"]["triangles"] = "-7"
        out = json.dumps(st)
    else:
        sys.exit(f"unknown corruption {kind}")
    open(dst, "w", encoding="utf-8").write(out)

main()
PYEOF

pecheck()
{
    "$PY" "$PE_CHECK_PY" "$@"
}

# validate DESCRIPTION DIR IN_W IN_H PNG_W PNG_H TRIANGLES FRAMES [--no-qpdf]
validate()
{
    local desc="$1"
    shift
    local problems
    problems="$(pecheck validate "$1" "$2" "$3" "$4" "$5" "$6" "$7" 2>&1)"
    # qpdf exits 0 for a clean file, 2 for errors and 3 for warnings: only 0 passes
    if [ -f "$1/final.pdf" ] && have_tool qpdf && ! qpdf --check "$1/final.pdf" >"$WORK/.qpdf" 2>&1; then
        problems="$problems${problems:+
}final.pdf fails qpdf --check: $(grep -v '^checking\|^PDF Version\|^File is not' "$WORK/.qpdf" | head -n 2 | tr '\n' ' ')"
    fi
    if [ -z "$problems" ]; then
        ok "$desc: outputs valid"
        return 0
    fi
    local IFS=$'\n'
    # shellcheck disable=SC2086
    bad "$desc: outputs invalid" $problems
    return 1
}

# mount_tmpfs DIR SIZE: a small tmpfs at DIR (root only); status 1 when that is not possible.
mount_tmpfs()
{
    [ "$(id -u)" -eq 0 ] || return 1
    mkdir -p "$1" || return 1
    mount -t tmpfs -o "size=$2" tmpfs "$1" 2>/dev/null || return 1
    T_MOUNTS="$T_MOUNTS $1"
}

# A build with AddressSanitizer runs several times slower: tests with big pictures shrink them.
PE_SANITIZED=0
grep -qa '__asan_init' "$PE_BIN" 2>/dev/null && PE_SANITIZED=1

# A small, fast run: a 64x64 image, few triangles, one thread (ctest runs tests side by side).
MONA32="$PE_TEST_DATA/mona32.png"
MONA64="$PE_TEST_DATA/mona64.png"
