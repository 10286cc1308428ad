/* run: approximate an image, writing frames, checkpoints and the final outputs where -o says.
 * This file drives the run (load, approximate with a progress callback) and writes what the
 * run keeps while it works (log.csv, state.json, the preview); where the files go is settled
 * in run_plan.c, and the final outputs are written in run_end.c (run_int.h). */
#define _XOPEN_SOURCE 700
#include "run.h"

#include "run_int.h"

#include "budget.h"
#include "output.h"
#include "resume.h"
#include "sizes.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef PE_VERSION_STRING
#define PE_VERSION_STRING "0"
#endif

volatile int cli_stop_signal;

/* psnr spacing chooses N frames among PSNR_STEPS * N progress points: the library is asked for
 * that many (its steps follow --frames), so that the choice is fine enough. */
enum { PSNR_STEPS = 4 };

/* A resumed run reads its log.csv back; one row a frame or checkpoint is far below this. */
enum { MAX_LOG_BYTES = 64 << 20 };

/* Checkpoints (state.json and log.csv, each written and synced) at most this often, in seconds
 * of the run: one at each of a short run's 100 frame points costs it a noticeable share of its
 * time (docs/benchmarks.md, "CPU per run") for no use a run that short needs. A run killed at
 * once loses at most this much work; the first checkpoint is never held back. */
#define CHECKPOINT_GAP 1.0

/* DIR/preview.png, the picture so far for a user to watch a long run: rewritten at most this
 * often (seconds of the run; the first after as long, so a short run writes none), at the
 * working size (what the run sees; drawing it larger shows no more and costs more) and at most
 * PREVIEW_SIDE pixels on its longest side, and removed when the run ends (final.png is the
 * picture then). */
#define PREVIEW_GAP 1.0
enum { PREVIEW_SIDE = 512 };

void cli_run_fail_at(run_ctx *c, const char *path, pe_status st)
{
    const int e = errno;
    for (int i = 0; i < c->nfails; i++)
        if (!strcmp(c->fails[i].path, path))
            return;
    char *copy = c->nfails < MAX_FAILS ? strdup(path) : NULL;
    if (copy)
        c->fails[c->nfails++] = (fail_rec){ copy, e, st };
}

bool cli_run_failed(const run_ctx *c)
{
    return c->nfails > 0 || c->frames.failed != PE_OK;
}

/* path is written: for the summary and the claim (it is this run's now). */
void cli_run_wrote(run_ctx *c, const char *path)
{
    cli_claim_wrote(c->claim, path);
    if (!c->ending)
        return; /* a checkpoint */
    for (size_t i = 0; i < c->nwritten; i++)
        if (!strcmp(c->written[i], path))
            return;
    if (c->nwritten == c->capwritten) {
        const size_t cap = c->capwritten ? 2 * c->capwritten : 16;
        char **g = realloc(c->written, cap * sizeof *g);
        if (!g)
            return;
        c->written = g;
        c->capwritten = cap;
    }
    if ((c->written[c->nwritten] = strdup(path)) != NULL)
        c->nwritten++;
}

/* ---------------------------------------------------------------- log.csv */

void cli_run_log_row(run_ctx *c, const pe_progress *p)
{
    if (c->log)
        fprintf(c->log, "%.3f,%.3f,%" PRIu64 ",%" PRIu64 ",%.9g,%.4f\n", p->wall_seconds,
                p->cpu_seconds, p->iterations, p->evaluations, p->loss, p->psnr);
}

void cli_run_write_log(run_ctx *c)
{
    if (!c->log_path || !c->log)
        return;
    if (fflush(c->log) != 0 || ferror(c->log)) {
        errno = ENOMEM;
        cli_run_fail_at(c, c->log_path, PE_ERR_NOMEM);
    } else if (cli_write_text(c->log_path, c->log_text, c->log_len) != PE_OK) {
        cli_run_fail_at(c, c->log_path, PE_ERR_IO);
    } else {
        c->log_written = true;
        cli_run_wrote(c, c->log_path);
    }
}

/* log.csv in memory: a new run starts with the header; a resumed one goes on with the rows of
 * the frames it keeps (one a frame; with --frames 0 one a checkpoint, all kept). */
static bool open_log(run_ctx *c)
{
    c->log = open_memstream(&c->log_text, &c->log_len);
    if (!c->log)
        return false;
    FILE *f = c->o->resume && c->log_path ? fopen(c->log_path, "rb") : NULL;
    char *line = NULL;
    size_t cap = 0, total = 0;
    long rows = 0;
    const long keep = c->frames.total > 0 ? c->frames.written : LONG_MAX;
    ssize_t n;
    while (f && (n = getline(&line, &cap, f)) > 0 && (total += (size_t)n) <= MAX_LOG_BYTES) {
        const bool row = line[0] >= '0' && line[0] <= '9';
        if (total == (size_t)n && row)
            break; /* no header: not a log of ours */
        if (!row || rows++ < keep)
            fwrite(line, 1, (size_t)n, c->log);
    }
    free(line);
    if (f)
        fclose(f);
    if (fflush(c->log) != 0 || c->log_len == 0 || total > MAX_LOG_BYTES) { /* a new log */
        fclose(c->log);
        free(c->log_text);
        c->log_text = NULL;
        c->log_len = 0;
        if (!(c->log = open_memstream(&c->log_text, &c->log_len)))
            return false;
        fputs("wall_seconds,cpu_seconds,iterations,evaluations,loss,psnr\n", c->log);
    }
    return !ferror(c->log);
}

/* ---------------------------------------------------------------- state.json */

typedef struct state_job {
    const pe_result *res;
    const run_ctx *c;
} state_job;

static bool valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int n = *p < 0x80 ? 0 : (*p >> 5) == 6 ? 1 : (*p >> 4) == 14 ? 2 : (*p >> 3) == 30 ? 3 : -1;
        if (n < 0)
            return false;
        for (p++; n > 0; n--, p++)
            if ((*p >> 6) != 2)
                return false;
    }
    return true;
}

static pe_status state_fn(FILE *f, const void *ctx)
{
    const state_job *j = ctx;
    /* JSON is UTF-8: a path that is not keeps its printable name (resume then cannot find it) */
    const char *path = valid_utf8(j->c->input) ? j->c->input : j->c->input_name;
    return pe_state_write(f, j->res, path, &j->c->state_meta);
}

void cli_run_write_state(run_ctx *c, const pe_result *res)
{
    const state_job j = { res, c };
    pe_status st;
    if (!c->state_path)
        return;
    if ((st = cli_write_atomic(c->state_path, state_fn, &j)) != PE_OK)
        cli_run_fail_at(c, c->state_path, st);
    else
        cli_run_wrote(c, c->state_path);
}

/* ---------------------------------------------------------------- during the run */

/* Frame number's file (DIR/frames/frame_NNNNN.png or the -o pattern's) into buf. */
static bool frame_file(const run_ctx *c, int number, char *buf, size_t len)
{
    if (c->frames.pattern)
        return cli_pattern_name(buf, len, c->frames.pattern, number) != NULL;
    char name[32];
    snprintf(name, sizeof name, "frame_%05d.png", number);
    return c->frames.dir && cli_join(buf, len, c->frames.dir, name) != NULL;
}

void cli_run_on_frame(void *ctx, const pe_progress *p, int number)
{
    run_ctx *c = ctx;
    char path[PATH_MAX];
    if (frame_file(c, number, path, sizeof path))
        cli_claim_wrote(c->claim, path);
    cli_run_log_row(c, p); /* log.csv has one row per frame written */
}

/* The picture so far, small, as DIR/preview.png (atomically: a viewer never reads half a
 * file). Best effort: a preview that cannot be written is given up, the run goes on. */
static void write_preview(run_ctx *c, const pe_result *partial)
{
    const int side = partial->work_width > partial->work_height ? partial->work_width
                                                                : partial->work_height;
    const int longest = side > 0 && side < PREVIEW_SIDE ? side : PREVIEW_SIDE;
    pe_image img = { 0 };
    pe_status st = pe_render(partial, partial->width >= partial->height ? longest : 0,
                             partial->width < partial->height ? longest : 0, &img);
    if (st == PE_OK)
        st = cli_write_png_of(c->preview_path, &img, NULL);
    pe_image_free(&img);
    if (st != PE_OK) {
        c->preview_off = true;
        return;
    }
    if (!c->preview_on)
        cli_progress_line(&c->progress, "%s shows the picture so far (rewritten every %.0f s "
                          "until the run ends)", c->preview_path, PREVIEW_GAP);
    c->preview_on = true;
}

/* The run has ended: its preview goes (final.png is the picture now). */
void cli_run_drop_preview(run_ctx *c)
{
    if (c->preview_on)
        unlink(c->preview_path);
    c->preview_on = false;
}

static bool on_progress(const pe_progress *p, const pe_result *partial, void *ctx)
{
    run_ctx *c = ctx;
    c->last = *p;
    c->last.canvas = NULL;
    cli_frames_step(&c->frames, p, partial);
    if (c->preview_path && !c->preview_off && p->wall_seconds - c->preview_at >= PREVIEW_GAP) {
        write_preview(c, partial);
        c->preview_at = p->wall_seconds;
    }
    /* checkpoints at the library's frame points (every PSNR_STEPS-th with psnr spacing, which
     * asks for that many more); without frames, every tenth step */
    const bool checkpoint = c->o->pe.frames > 0
                                ? p->frame && (!c->frames.by_psnr || ++c->points % PSNR_STEPS == 0)
                                : p->step % 10 == 0;
    if (checkpoint) {
        if (c->frames.max == 0)
            cli_run_log_row(c, p); /* no frames: log.csv has one row per checkpoint point */
        const bool due =
            c->checkpoint_at < 0.0 || p->wall_seconds - c->checkpoint_at >= CHECKPOINT_GAP;
        if (due) {
            cli_run_write_log(c);
            cli_run_write_state(c, partial); /* the checkpoint --resume starts from */
            c->checkpoint_at = p->wall_seconds;
        }
        char what[48];
        cli_progress_describe(&c->progress, partial, true, what, sizeof what);
        cli_progress_line(&c->progress, "%s, PSNR %.2f dB%s", what, p->psnr,
                          due && c->state_path ? "; checkpoint saved" : "");
    }
    cli_progress_step(&c->progress, p, partial);
    return cli_stop_signal != 0 || cli_run_failed(c);
}

static void make_meta(run_ctx *c, const cli_options *o)
{
    size_t n = cli_settings(o, c->keys, c->values, MAX_META - 6);
    c->keys[n] = "software";
    c->values[n++] = "polyevolve " PE_VERSION_STRING;
    c->keys[n] = "input";
    c->values[n++] = c->input_name;
    c->keys[n] = CLI_INPUT_HASH_KEY; /* what --resume checks the image against */
    c->values[n++] = c->input_hash;
    if (o->weight_path) { /* and the mask */
        c->keys[n] = CLI_WEIGHT_HASH_KEY;
        c->values[n++] = c->weight_hash;
    }
    /* the pictures name files without their directories; the state keeps the paths resume
     * reads them from, after the keys the pictures carry */
    const size_t published = n;
    n += cli_artist_paths(&c->art, c->keys + n, c->values + n);
    c->state_meta = (pe_metadata){ c->keys, c->values, n };
    c->meta = o->no_metadata ? (pe_metadata){ NULL, NULL, 0 }
                             : (pe_metadata){ c->keys, c->values, published };
}

/* A resumed run whose --weight comes from its state: the mask file must still be the one the
 * run began with. 0, or 1 after a message. */
static int check_weight(const run_ctx *c, const cli_options *o, const pe_state *state)
{
    const char *was = NULL;
    for (size_t i = 0; o->resume && i < state->option_count; i++)
        if (!strcmp(state->option_keys[i], CLI_WEIGHT_HASH_KEY))
            was = state->option_values[i];
    if (!was || !o->weight_path || cli_given(o, "weight") || !strcmp(was, c->weight_hash))
        return 0;
    fprintf(stderr, "polyevolve: --weight %s: the mask has changed since the run in %s began (its "
            "content hash is %s, the state's %s): give --weight to go on with it as it is now, or "
            "start a new run\n", o->weight_path, o->resume, c->weight_hash, was);
    return 1;
}

static int approximate(run_ctx *c, cli_options *o, pe_state *state, bool by_default, double t0)
{
    pe_image img = { 0 };
    unsigned outputs = CLI_OUT_SVG | (c->dir ? CLI_OUT_PDF : 0); /* and the state, always */
    if (cli_run_needs_png(&c->tg) || c->frames.max > 0)
        outputs |= CLI_OUT_PNG;
    for (int i = 0; i < c->tg.n; i++)
        outputs |= c->tg.t[i].kind == CLI_T_PDF ? CLI_OUT_PDF : 0;
    int rc = cli_input_checked(c->o, c->input, state, outputs, c->input_hash, &img);
    if (rc)
        return rc;
    if (o->weight_path)
        cli_input_hash(&c->art.mask, c->weight_hash);
    if ((rc = check_weight(c, o, state)) == 0 && (rc = cli_run_take(c, o, by_default)) == 0 &&
        !open_log(c)) {
        fprintf(stderr, "polyevolve: out of memory\n");
        rc = 1;
    }
    if (rc) {
        pe_image_free(&img);
        return rc;
    }
    make_meta(c, o);
    c->frames.size = cli_frame_side(o->frame_size, o->size, cli_given(o, "size") != NULL,
                                    img.width, img.height);
    for (int n = 1; n <= c->frames.written; n++) { /* the frames a resume keeps are its own */
        char path[PATH_MAX];
        if (frame_file(c, n, path, sizeof path))
            cli_claim_wrote(c->claim, path);
    }
    pe_result start = { 0 }; /* --init: that state moved onto this image */
    if (o->init && (rc = cli_init_start(o, &c->init, &img, &start)) != 0) {
        pe_image_free(&img);
        return rc;
    }
    /* rounds: --iterations, else the default, else (--time alone) as many as fit */
    const int rounds = o->pe.iterations > 0         ? o->pe.iterations
                       : o->pe.time_limit > 0 ? 0
                                              : PE_DEFAULT_ROUNDS;
    cli_progress_init(&c->progress, o->quiet, o->verbose, t0);
    c->progress.triangles = o->pe.triangles;
    c->progress.rounds = rounds;
    pe_options po = o->pe; /* o->pe stays as given: it is what state files record */
    po.progress = on_progress;
    po.progress_ctx = c;
    po.resume = o->resume ? &state->result : o->init ? &start : NULL;
    po.cancel = &cli_stop_signal; /* a signal stops the run within one batch */
    if (po.time_limit > 0.0) { /* --time counts the outputs too: they get their share first */
        cli_budget b;
        cli_time_budget(o, &c->tg, &c->frames, img.width, img.height, cli_clock() - t0, &b);
        po.time_limit = b.optimise;
        if (b.frames < c->frames.max)
            po.frames = c->frames.max = b.frames;
    }
    if (c->frames.by_psnr && po.frames > 0)
        po.frames = po.frames > 100000 / PSNR_STEPS ? 100000 : po.frames * PSNR_STEPS;
    if (o->resume)
        c->frames.floor_psnr = state->result.psnr;
    pe_result res = { 0 };
    c->progress.run0 = cli_progress_time(&c->progress);
    const pe_status st = pe_approximate(&img, &po, &res);
    pe_image_free(&img);
    pe_result_free(&start);
    if (st == PE_OK || st == PE_ERR_INTERRUPTED) /* the bar goes on with the outputs */
        cli_progress_line(&c->progress, "%s: %zu triangles, PSNR %.2f dB",
                          st == PE_OK ? "optimisation finished" : "optimisation stopped",
                          res.count, res.psnr);
    else {
        cli_progress_end(&c->progress);
        cli_run_drop_preview(c);
    }
    if (st == PE_ERR_INVALID_ARG) {
        /* a stale state file is a runtime problem; a mask black at the working size a usage one */
        const bool from_state = o->resume || o->init;
        fprintf(stderr, "polyevolve: %s: %s\n", from_state ? c->input : o->weight_path ? o->weight_path : c->input,
                from_state ? "the state file does not match this image and its settings"
                           : "the --weight mask is black at the working size");
        rc = from_state ? 1 : 2;
    } else if (st != PE_OK && st != PE_ERR_INTERRUPTED) {
        fprintf(stderr, "polyevolve: %s: %s\n", c->input, pe_status_str(st));
        rc = 1;
    } else {
        rc = cli_run_finish(c, &res, t0);
    }
    pe_result_free(&res);
    return rc;
}

static void run_free(run_ctx *c)
{
    cli_artist_free(&c->art);
    pe_state_free(&c->init);
    cli_claim_free(c->claim);
    cli_frames_free(&c->frames);
    if (c->log)
        fclose(c->log);
    free(c->log_text);
    for (size_t i = 0; i < c->nwritten; i++)
        free(c->written[i]);
    free(c->written);
    for (int i = 0; i < c->nfails; i++)
        free(c->fails[i].path);
    free(c->dir);
    free(c->state_path);
    free(c->log_path);
    free(c->frames_dir);
    free(c->preview_path);
    free(c->resume_state);
    free(c);
}

int cli_run(cli_options *o)
{
    run_ctx *c = calloc(1, sizeof *c);
    if (!c) {
        fprintf(stderr, "polyevolve: out of memory\n");
        return 1;
    }
    c->checkpoint_at = -1.0;
    c->o = o;
    const double t0 = cli_clock();
    pe_state state = { 0 };
    char input[PATH_MAX];
    int rc = 0;
    bool by_default = false;
    if (o->resume && (rc = cli_run_load_resume(c, o, &state, input, sizeof input)) != 0)
        goto done;
    if (!o->resume && strcmp(o->input, "-") && !realpath(o->input, input)) {
        fprintf(stderr, "polyevolve: %s: %s\n", o->input, strerror(errno));
        rc = 1;
        goto done;
    }
    if (!o->resume && !strcmp(o->input, "-"))
        snprintf(input, sizeof input, "-");
    c->input = input;
    cli_input_name(c->input, c->input_name, sizeof c->input_name);
    if ((rc = cli_artist_load(o, &c->art)) != 0 ||
        (o->init && (rc = cli_init_read(o, &c->init)) != 0))
        goto done;
    if ((rc = cli_run_prepare(c, o, &by_default)) != 0)
        goto done;
    rc = approximate(c, o, &state, by_default, t0);
done:
    pe_state_free(&state);
    run_free(c);
    return rc;
}
