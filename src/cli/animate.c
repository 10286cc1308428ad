/* animate: render the flight animation of a state file's triangles as PNG frames
 * DIR/frame_00001.png ..., or as one GIF, MP4 or WebM file (anim.h) (the library builds each
 * frame: pe_animate_frame; they are drawn and encoded on all threads, and written in order). */
#define _POSIX_C_SOURCE 200809L
#include "anim.h"
#include "claim.h"
#include "input.h"
#include "output.h"
#include "progress.h"
#include "run.h"
#include "sizes.h"
#include "options.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

/* A frame of the animation made ready for writing (drawn and encoded on any thread). */
typedef struct anim_job {
    char *png; /* a frame file */
    size_t len;
    cli_anims_frame *frame; /* or a frame of the animation file */
    pe_status st;
} anim_job;

/* The frames being made and written (cli_make_put): job i is frame i. */
typedef struct anim_run {
    const pe_state *state;
    const cli_options *o;
    const pe_metadata *meta;
    cli_anims *anims; /* -o FILE.gif|.mp4|.webm, else NULL */
    int w, h;
    anim_job *jobs;
    int rc, done;
    cli_claim *claim;
    cli_progress *pr;
} anim_run;

static void make_frame(void *ctx, size_t i)
{
    const anim_run *r = ctx;
    anim_job *j = &r->jobs[i];
    pe_result frame = { 0 };
    j->png = NULL;
    if (cli_stop_signal) { /* it will not be written: not made either */
        j->st = PE_ERR_INTERRUPTED;
        return;
    }
    j->st = pe_animate_frame(&r->state->result, (int)i, r->o->anim_frames, r->o->pe.seed, &frame);
    pe_image img = { 0 };
    if (j->st == PE_OK)
        j->st = pe_render(&frame, r->w, r->h, &img);
    if (j->st == PE_OK)
        j->st = r->anims ? cli_anims_prepare(r->anims, &img, &j->frame)
                         : cli_png_encode(&img, r->meta, &j->png, &j->len);
    pe_image_free(&img);
    pe_result_free(&frame);
}

/* Write made frame f as frame_NNNNN.png (f + 1); 0 or 1 after the one-line error. */
static int put_frame(const anim_run *r, int f, anim_job *j)
{
    const cli_options *o = r->o;
    char name[32], path[PATH_MAX];
    snprintf(name, sizeof name, "frame_%05d.png", f + 1);
    if (!cli_join(path, sizeof path, o->output, name)) {
        cli_progress_end(r->pr);
        fprintf(stderr, "polyevolve: %s: path too long\n", o->output);
        return 1;
    }
    errno = 0;
    const pe_status st = j->st == PE_OK ? cli_write_text(path, j->png, j->len) : j->st;
    if (st != PE_OK) {
        const int e = errno;
        cli_progress_end(r->pr);
        fprintf(stderr, "polyevolve: %s: %s\n", path,
                st == PE_ERR_IO && e ? strerror(e) : pe_status_str(st));
        return 1;
    }
    cli_claim_wrote(r->claim, path);
    cli_progress_line(r->pr, "frame %d/%d written (%s)", f + 1, o->anim_frames, path);
    return 0;
}

/* Append made frame f, j, to the animation file; 0 or 1 after the one-line error. */
static int put_anim_frame(const anim_run *r, int f, anim_job *j)
{
    const pe_status st = j->st;
    const int rc = cli_anims_put(r->anims, st == PE_OK ? j->frame : NULL);
    j->frame = NULL;
    if (rc == 0) {
        cli_progress_line(r->pr, "frame %d/%d added to %s", f + 1, r->o->anim_frames,
                          r->o->output);
        return 0;
    }
    cli_progress_end(r->pr);
    fprintf(stderr, "polyevolve: %s\n", cli_anims_error(r->anims));
    return 1;
}

static bool put_frame_at(void *ctx, size_t i)
{
    anim_run *r = ctx;
    anim_job *j = &r->jobs[i];
    r->rc = cli_stop_signal ? 128 + cli_stop_signal
            : r->anims      ? put_anim_frame(r, (int)i, j)
                            : put_frame(r, (int)i, j);
    r->done += r->rc == 0;
    if (r->rc == 0)
        cli_progress_tick(r->pr, r->done);
    free(j->png);
    j->png = NULL;
    cli_anims_frame_free(j->frame);
    j->frame = NULL;
    return r->rc == 0;
}

/* The frames, made on all threads (-j) and written in order (cli_make_put). */
static int write_frames(const pe_state *state, const cli_options *o, cli_claim *claim,
                        cli_anims *anims, int side, cli_progress *pr, int *done)
{
    cli_meta_buf mb;
    const pe_metadata meta = cli_state_metadata(state, o->no_metadata, &mb);
    const size_t n = (size_t)o->anim_frames;
    const pe_result *res = &state->result;
    /* side: the longest side, as render and final.png; 0 = the state's (input) size */
    const int w = side > 0 && res->width >= res->height ? side : 0;
    const int h = side > 0 && res->width < res->height ? side : 0;
    anim_run r = { state, o, &meta, anims, w, h, calloc(n, sizeof *r.jobs), 0, 0, claim, pr };
    if (!r.jobs) {
        fprintf(stderr, "polyevolve: %s: out of memory\n", o->output);
        return 1;
    }
    size_t chunk = cli_png_chunk(res, side);
    if (anims) {
        int pw, ph;
        char err[8];
        cli_png_size(res->width, res->height, side, &pw, &ph, err, sizeof err);
        chunk = cli_anims_chunk(anims, chunk, pw, ph);
    }
    cli_make_put(o->pe.threads, n, chunk, make_frame, put_frame_at, &r);
    for (size_t i = 0; i < n; i++) { /* made and not written (a stop or a failed write) */
        free(r.jobs[i].png);
        cli_anims_frame_free(r.jobs[i].frame);
    }
    free(r.jobs);
    *done = r.done;
    return r.rc;
}

/* The animation's files, checked and claimed (claim.h): its file (anim), or its directory,
 * whose frames are one animation's, identified by the triangles it flies in and its settings.
 * 0 or the exit status. */
static int claim_files(const cli_options *o, const pe_result *res, bool anim, cli_claim **out)
{
    uint64_t h = 0xcbf29ce484222325u; /* FNV-1a 64 of the picture */
    const int size[2] = { res->width, res->height };
    const unsigned char *bytes[2] = { (const unsigned char *)size,
                                      (const unsigned char *)res->triangles };
    const size_t len[2] = { sizeof size, res->count * sizeof *res->triangles };
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < len[k]; i++)
            h = (h ^ bytes[k][i]) * 0x100000001b3u;
    char hash[32], settings[96], pattern[PATH_MAX], err[PATH_MAX + 512];
    snprintf(hash, sizeof hash, "fnv1a64:%016" PRIx64, h);
    snprintf(settings, sizeof settings, "frames %d seed %" PRIu64 " size %d hold %g",
             o->anim_frames, o->pe.seed, o->size, o->hold);
    cli_claim *c = *out = cli_claim_new("animate");
    if (!c || (anim && !cli_claim_file(c, o->output, "-o")) ||
        (!anim && (!cli_claim_place(c, o->output, CLI_PLACE_OWN, NULL) ||
                   !cli_join(pattern, sizeof pattern, o->output, "frame_%05d.png") ||
                   !cli_claim_pattern(c, pattern, 1, 1, o->anim_frames, "frames"))) ||
        !cli_claim_read(c, o->input, "state", false) || !cli_claim_id(c, "triangles", hash, true) ||
        !cli_claim_id(c, "settings", settings, false) || !cli_claim_info(c, "input", o->input)) {
        fprintf(stderr, "polyevolve: %s: out of memory or path too long\n", o->output);
        return 1;
    }
    int rc = cli_claim_check(c, err, sizeof err);
    if (rc == 0)
        rc = cli_claim_take(c, o->force, false, err, sizeof err);
    if (rc)
        fprintf(stderr, "polyevolve: %s\n", err);
    return rc == CLI_CLAIM_BUSY ? 1 : rc;
}

int cli_animate(const cli_options *o)
{
    const double t0 = cli_clock();
    if (o->anim_frames < 1) {
        fprintf(stderr, "polyevolve: animate needs --frames of at least 1\n");
        return 2;
    }
    pe_state state;
    if (!cli_read_state(o->input, &state))
        return 1;
    char err[256];
    int pw, ph;
    const pe_result *res = &state.result;
    /* -s or --frame-size, else the state's (input) size up to CLI_FRAME_SIDE */
    const int side = cli_frame_side(o->frame_size, o->size, cli_given(o, "size") != NULL,
                                    res->width, res->height);
    if (cli_png_size(res->width, res->height, side, &pw, &ph, err,
                     sizeof err)) { /* before any frame is made */
        fprintf(stderr, "polyevolve: %s: frames: %s\n", o->output, err);
        pe_state_free(&state);
        return 2;
    }
    cli_claim *claim = NULL;
    cli_anims *anims = NULL;
    const bool anim = cli_is_anim(o->output);
    int rc = claim_files(o, res, anim, &claim);
    if (rc == 0 && anim &&
        cli_anims_create(&o->output, 1, CLI_ANIM_FPS, o->hold, &anims, err, sizeof err) != 0) {
        fprintf(stderr, "polyevolve: %s\n", err);
        rc = 1;
    }
    int done = 0;
    cli_progress pr;
    cli_progress_init(&pr, o->quiet, o->verbose, t0);
    if (rc == 0) {
        const char *slash = strrchr(o->output, '/');
        if (anim)
            cli_progress_phase(&pr, o->anim_frames, "encoding %s",
                               slash && slash[1] ? slash + 1 : o->output);
        else
            cli_progress_phase(&pr, o->anim_frames, "writing frames");
        cli_progress_line(&pr, "%s %d frames (%zu triangles flying in) %s %s",
                          anim ? "encoding" : "writing", o->anim_frames, res->count,
                          anim ? "into" : "to", o->output);
        rc = write_frames(&state, o, claim, anims, side, &pr, &done);
    }
    if (anims && rc == 0) {
        const char *slash = strrchr(o->output, '/');
        cli_progress_phase(&pr, 0, "finishing %s", slash && slash[1] ? slash + 1 : o->output);
        cli_progress_line(&pr, "finishing %s", o->output);
        if (cli_anims_finish(anims) != 0) {
            cli_progress_end(&pr);
            fprintf(stderr, "polyevolve: %s\n", cli_anims_error(anims));
            rc = 1;
        } else {
            cli_claim_wrote(claim, o->output);
        }
    }
    cli_progress_end(&pr);
    cli_anims_free(anims);
    cli_claim_finish(claim, rc == 0); /* an earlier, longer animation's frames go */
    cli_claim_free(claim);
    if (rc == 0 && !o->quiet)
        printf("polyevolve: %d frames of %zu triangles -> %s\n", done, res->count, o->output);
    pe_state_free(&state);
    return rc;
}
