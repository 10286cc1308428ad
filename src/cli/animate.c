/* animate: render the flight animation of a state file's triangles as PNG frames
 * DIR/frame_00001.png ... (the library builds each frame: pe_animate_frame). */
#define _POSIX_C_SOURCE 200809L
#include "sizes.h"
#include "input.h"
#include "output.h"
#include "run.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

/* Remove DIR/frame_N.png for N > frames, left by an earlier, longer animation, so that the
 * frames on disk are exactly this run's, without gaps (a video tool reads them all). */
static void remove_stale_frames(const char *dir, int frames)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    const struct dirent *e;
    char path[PATH_MAX];
    while ((e = readdir(d))) {
        const char *name = e->d_name, *digits = name + 6;
        if (strncmp(name, "frame_", 6) || !isdigit((unsigned char)*digits))
            continue;
        char *end;
        const long n = strtol(digits, &end, 10);
        if (strcmp(end, ".png") || end - digits < 5 || n <= frames)
            continue;
        if (cli_join(path, sizeof path, dir, name))
            unlink(path);
    }
    closedir(d);
}

/* Render frame f (0-based) of the animation and write it atomically to path. */
static pe_status write_frame(const pe_state *state, const cli_options *o, int f, int w, int h,
                             const char *path)
{
    pe_result frame = { 0 };
    pe_image img = { 0 };
    cli_meta_buf mb;
    const pe_metadata meta = cli_state_metadata(state, o->no_metadata, &mb);
    pe_status st = pe_animate_frame(&state->result, f, o->anim_frames, o->pe.seed, &frame);
    if (st == PE_OK)
        st = pe_render(&frame, w, h, &img);
    if (st == PE_OK)
        st = cli_write_png_of(path, &img, &meta);
    pe_image_free(&img);
    pe_result_free(&frame);
    return st;
}

int cli_animate(const cli_options *o)
{
    if (o->anim_frames < 1) {
        fprintf(stderr, "polyevolve: animate needs --frames of at least 1\n");
        return 2;
    }
    pe_state state;
    if (!cli_read_state(o->input, &state))
        return 1;
    pe_status st;
    char err[256];
    int pw, ph;
    if (cli_png_size(state.result.width, state.result.height, o->size, &pw, &ph, err,
                     sizeof err)) { /* before any frame is made */
        fprintf(stderr, "polyevolve: %s: frames: %s\n", o->output, err);
        pe_state_free(&state);
        return 2;
    }
    if (cli_mkdir(o->output) != 0) {
        fprintf(stderr, "polyevolve: %s: cannot create output directory: %s\n", o->output,
                strerror(errno));
        pe_state_free(&state);
        return 1;
    }
    const pe_result *res = &state.result;
    /* -s: the longest side, as render and final.png; 0 = the state's (input) size */
    const int w = o->size > 0 && res->width >= res->height ? o->size : 0;
    const int h = o->size > 0 && res->width < res->height ? o->size : 0;
    remove_stale_frames(o->output, o->anim_frames);
    int rc = 0, done = 0;
    char name[32], path[PATH_MAX];
    for (int f = 0; f < o->anim_frames; f++) {
        if (cli_stop_signal) {
            rc = 128 + cli_stop_signal;
            break;
        }
        snprintf(name, sizeof name, "frame_%05d.png", f + 1);
        if (!cli_join(path, sizeof path, o->output, name)) {
            fprintf(stderr, "polyevolve: %s: path too long\n", o->output);
            rc = 1;
            break;
        }
        errno = 0;
        st = write_frame(&state, o, f, w, h, path);
        if (st != PE_OK) {
            fprintf(stderr, "polyevolve: %s: %s\n", path,
                    st == PE_ERR_IO && errno ? strerror(errno) : pe_status_str(st));
            rc = 1;
            break;
        }
        done++;
    }
    if (rc == 0 && !o->quiet)
        printf("polyevolve: %d frames of %zu triangles -> %s\n", done, res->count, o->output);
    pe_state_free(&state);
    return rc;
}
