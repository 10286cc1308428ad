#!/bin/bash
# Inputs that cannot be read (case "bad"): a missing file, a directory, an unreadable file, every
# malformed file in tests/data/bad and $PE_SHARED/images/bad. Each must exit 1 with one line on
# stderr naming the file, no crash, no final.* and no temporary file.
# Case "keep": a run that fails on its input must leave a previous run's outputs in the same
# directory alone (frames included).
. "$(dirname "$0")/common.sh"

bad_input()
{
    local path="$1" desc="$2"
    rm -rf o
    # the message may give the path made absolute (realpath): look for the file's name
    expect_error 1 "$(basename "$path")" "$desc" "$path" -n 10 --frames 3 -q -j1 -o o
    no_finals o "$desc"
}

case_bad()
{
    bad_input "$WORK/no-such-file.png" "a missing file"
    mkdir -p adir.png
    bad_input "$WORK/adir.png" "a directory as input"
    cp "$MONA32" unreadable.png
    chmod 000 unreadable.png
    if [ "$(id -u)" -ne 0 ]; then
        bad_input "$WORK/unreadable.png" "an unreadable file (chmod 000)"
    elif command -v setpriv >/dev/null 2>&1 &&
        setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$PE_BIN" 2>/dev/null; then
        # root reads a chmod 000 file: try as nobody, in a directory nobody may write to
        chmod 711 "$WORK"
        mkdir -m 777 nobody
        cp "$MONA32" nobody/unreadable.png
        chmod 000 nobody/unreadable.png
        PE_RUN_AS=(setpriv --reuid=65534 --regid=65534 --clear-groups)
        expect_error 1 unreadable.png "an unreadable file (chmod 000), run as nobody" \
            "$WORK/nobody/unreadable.png" -n 10 --frames 3 -q -j1 -o "$WORK/nobody/o"
        no_finals nobody/o "an unreadable file"
        PE_RUN_AS=()
    else
        note "unreadable file: skipped, running as root (root reads a chmod 000 file) without setpriv"
    fi
    local f n=0
    for f in "$PE_TEST_DATA"/bad/*; do
        [ -f "$f" ] || continue
        bad_input "$f" "tests/data/bad/$(basename "$f")"
        n=$((n + 1))
    done
    [ "$n" -gt 0 ] || bad "tests/data/bad holds no files"
    if [ -n "$PE_SHARED" ] && [ -d "$PE_SHARED/images/bad" ]; then
        for f in "$PE_SHARED"/images/bad/*; do
            [ -f "$f" ] || continue
            bad_input "$f" "\$PE_SHARED/images/bad/$(basename "$f")"
        done
    else
        note "\$PE_SHARED/images/bad is absent: only tests/data/bad was tried"
    fi
    # the pixel limit is a runtime refusal too
    rm -rf o
    expect_error 1 "$MONA32" "--max-pixels 100 on a 32x32 image" "$MONA32" --max-pixels 100 -n 5 \
        --frames 2 -q -j1 -o o
    no_finals o "--max-pixels 100"
}

case_keep()
{
    expect_ok "a first run into o/" "$MONA32" -n 10 --frames 3 -q -j1 -o o || return
    (cd o && find . -type f | sort | xargs md5sum) >before.txt
    expect_error 1 "text.png" "a second run on a bad input into the same o/" \
        "$PE_TEST_DATA/bad/text.png" -n 10 --frames 3 -q -j1 -o o
    (cd o && find . -type f | sort | xargs md5sum) >after.txt
    if cmp -s before.txt after.txt; then
        ok "the failed run left the previous outputs unchanged"
    else
        bad "KNOWN BUG: a run that fails on its input deletes the previous run's frames/*.png" \
            "(src/cli/run.c: clear_frames() runs before the image is loaded)" \
            "$(diff before.txt after.txt | head -n 6 | tr '\n' ' ')"
    fi
}

case "${1:-}" in
bad) case_bad ;;
keep) case_keep ;;
*) echo "usage: $0 bad|keep" >&2; exit 2 ;;
esac
finish
