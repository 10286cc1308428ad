#!/bin/bash
# Outputs that cannot be written.
#   case "paths": an output directory under a regular file, an output path that is a file,
#                 /dev/full, and render to the same kinds of places: exit 1, one line naming it.
#   case "full":  a full disk, on a 200 KB tmpfs (root only; skipped when mount is refused):
#                 exit 1, one line with "No space left on device", no temporary file, and a
#                 final.svg already there is left whole (the old file or a complete new one,
#                 never a truncated one).
. "$(dirname "$0")/common.sh"

case_paths()
{
    echo "a file" >afile
    expect_error 1 "afile/sub" "-o under a regular file" "$MONA32" -n 5 --frames 2 -q -j1 -o afile/sub
    expect_error 1 "afile" "-o naming an existing file" "$MONA32" -n 5 --frames 2 -q -j1 -o afile
    [ "$(cat afile)" = "a file" ] && ok "the file given as -o is unchanged" ||
        bad "the file given as -o was changed"
    expect_error 1 "/dev/full" "-o /dev/full" "$MONA32" -n 5 --frames 0 -q -j1 -o /dev/full
    expect_ok "a run for the render checks" "$MONA32" -n 5 --frames 0 -q -j1 -o run || return
    expect_error 1 "afile/x.png" "render -o under a regular file" render run/state.json -o afile/x.png
    expect_error 1 "nodir/x.svg" "render -o in a missing directory" render run/state.json -o nodir/x.svg
    mkdir -p adir.png
    expect_error 1 "adir.png" "render -o naming a directory" render run/state.json -o adir.png
    [ -d adir.png ] && ok "the directory given to render -o is still there" ||
        bad "render replaced the directory adir.png"
}

case_full()
{
    mount_tmpfs "$WORK/small" 200k || skip "cannot mount a small tmpfs (needs root and CAP_SYS_ADMIN)"
    need_python
    # 1) a completely full disk: nothing new fits, so the old final.svg must stay as it was
    mkdir -p small/out
    printf '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"></svg>\n' >small/out/final.svg
    cp small/out/final.svg old.svg
    dd if=/dev/zero of=small/filler bs=4k 2>/dev/null
    expect_error 1 "No space left on device" "a full disk" "$MONA64" -n 30 --frames 3 -q -j1 -o small/out --force
    grep -q "small/out" "$WORK/.err" && ok "the message names the output path" ||
        bad "the full-disk message names no path under small/out" "$(show_err)"
    cmp -s old.svg small/out/final.svg && ok "full disk: the previous final.svg is intact" ||
        bad "full disk: the previous final.svg was changed" "$(head -c 200 small/out/final.svg)"
    # 2) a disk that fills up during the run: whatever was written is whole, the rest is missing
    #    (-s 1500: final.png alone outgrows the 200 KB disk, whichever input is at hand)
    rm -rf small/filler small/out
    mkdir -p small/out
    cp old.svg small/out/final.svg
    expect_error 1 "No space left on device" "a disk that fills up during the run" \
        "$PE_SHARED_MEDIUM" -n 60 --iterations 1 --frames 3 -s 1500 -q -j1 -o small/out --force
    if cmp -s old.svg small/out/final.svg || pecheck svg-ok small/out/final.svg >/dev/null; then
        ok "filling disk: final.svg is the old file or a complete new one"
    else
        bad "filling disk: final.svg is truncated or malformed"
    fi
    local f
    for f in small/out/final.png small/out/frames/*.png; do
        [ -f "$f" ] || continue
        pecheck size "$f" >/dev/null 2>&1 && ok "filling disk: $(basename "$f") is complete" ||
            bad "filling disk: $f is truncated"
    done
    [ -f small/out/state.json ] && { pecheck state small/out/state.json count >/dev/null &&
        ok "filling disk: state.json is complete" || bad "filling disk: state.json is truncated"; }
    # 3) render onto the full disk
    expect_ok "a run for render" "$MONA32" -n 5 --frames 0 -q -j1 -o run || return
    dd if=/dev/zero of=small/filler bs=4k 2>/dev/null
    local ext
    for ext in png svg pdf; do
        expect_error 1 "No space left on device" "render -o x.$ext on a full disk" \
            render run/state.json -o small/x.$ext
        [ ! -e small/x.$ext ] && ok "render on a full disk created no x.$ext" ||
            bad "render on a full disk left small/x.$ext"
    done
}

# a picture large enough to overflow 200 KB of PNG output
PE_SHARED_MEDIUM="$MONA64"
if [ -n "$PE_SHARED" ] && [ -f "$PE_SHARED/images/mona.png" ]; then
    PE_SHARED_MEDIUM="$PE_SHARED/images/mona.png"
fi

case "${1:-}" in
paths) case_paths ;;
full) case_full ;;
*) echo "usage: $0 paths|full" >&2; exit 2 ;;
esac
finish
