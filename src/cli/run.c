/* run: approximate an image, writing frames, checkpoints and the final outputs where -o says. */
#define _XOPEN_SOURCE 700
#include "run.h"

#include "artist.h"
#include "budget.h"
#include "frames.h"
#include "input.h"
#include "outdir.h"
#include "output.h"
#include "page.h"
#include "progress.h"
#include "resume.h"
#include "sizes.h"
#include "targets.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef PE_VERSION_STRING
#define PE_VERSION_STRING "0"
#endif

volatile int cli_stop_signal;

/* psnr spacing chooses N frames among PSNR_STEPS * N progress points: the library is asked for
 * that many (its steps follow --frames), so that the choice is fine enough. */
enum { MAX_META = 24, MAX_WRITTEN = 24, PSNR_STEPS = 4 };

/* Checkpoints (state.json and log.csv, each written and synced) at most this often, in seconds
 * of the run: a default mona run wrote one at each of its 100 frame points, about 0.1 s of
 * thread time of a 1-2 s run (-n 50 and -n 250), for no use a run that short needs. A run
 * killed at once loses at most this much work; the first checkpoint is never held back. */
#define CHECKPOINT_GAP 1.0

typedef struct run_ctx {
    const cli_options *o;
    const cli_artist *art;
    cli_targets tg;
    const char *input;                             /* absolute path of the image, or "-" */
    char state_path[PATH_MAX], log_path[PATH_MAX]; /* "" = not written */
    char frames_dir[PATH_MAX];
    cli_frames frames;
    cli_progress progress;
    char *log; /* log.csv so far */
    size_t log_len, log_cap;
    const char *keys[MAX_META], *values[MAX_META];
    pe_metadata meta;       /* the settings + software + input name: in every picture */
    pe_metadata state_meta; /* the same, always (the state file is for resuming, not publishing) */
    char input_name[256];
    char input_hash[CLI_INPUT_HASH_LEN]; /* the input's content, filled in once it is loaded */
    char written[MAX_WRITTEN][PATH_MAX]; /* for the summary */
    int nwritten;
    bool log_written;
    pe_progress last;     /* the last step reported (canvas cleared) */
    double checkpoint_at; /* run time of the last checkpoint written, < 0: none yet */
    long points;          /* frame points seen */
    int lock_fd;
    char failed_path[PATH_MAX]; /* set when a write failed */
    int failed_errno;
    pe_status failed;
} run_ctx;

static void fail_at(run_ctx *c, const char *path, pe_status st)
{
    if (c->failed != PE_OK)
        return;
    c->failed = st;
    c->failed_errno = errno;
    snprintf(c->failed_path, sizeof c->failed_path, "%s", path);
}

static void wrote(run_ctx *c, const char *path)
{
    if (c->nwritten < MAX_WRITTEN)
        snprintf(c->written[c->nwritten++], PATH_MAX, "%s", path);
}

/* ---------------------------------------------------------------- log.csv */

static void log_row(run_ctx *c, const pe_progress *p)
{
    char row[256];
    const int n =
        snprintf(row, sizeof row, "%.3f,%.3f,%" PRIu64 ",%" PRIu64 ",%.9g,%.4f\n", p->wall_seconds,
                 p->cpu_seconds, p->iterations, p->evaluations, p->loss, p->psnr);
    if (n <= 0)
        return;
    static const char header[] = "wall_seconds,cpu_seconds,iterations,evaluations,loss,psnr\n";
    if (c->log_len == 0 && c->log_cap == 0) {
        c->log = malloc(sizeof header + 256);
        if (!c->log)
            return;
        c->log_cap = sizeof header + 256;
        memcpy(c->log, header, sizeof header - 1);
        c->log_len = sizeof header - 1;
    }
    if (c->log_len + (size_t)n + 1 > c->log_cap) {
        const size_t cap = (c->log_cap + (size_t)n + 1) * 2;
        char *g = realloc(c->log, cap);
        if (!g)
            return;
        c->log = g;
        c->log_cap = cap;
    }
    memcpy(c->log + c->log_len, row, (size_t)n);
    c->log_len += (size_t)n;
}

static void write_log(run_ctx *c)
{
    if (!c->log_path[0] || !c->log)
        return;
    if (cli_write_text(c->log_path, c->log, c->log_len) != PE_OK)
        fail_at(c, c->log_path, PE_ERR_IO);
    else
        c->log_written = true;
}

static void load_log(run_ctx *c)
{
    FILE *f = c->log_path[0] ? fopen(c->log_path, "rb") : NULL;
    if (!f)
        return;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        if (c->log_len + n > c->log_cap) {
            const size_t cap = (c->log_len + n) * 2;
            char *g = realloc(c->log, cap);
            if (!g)
                break;
            c->log = g;
            c->log_cap = cap;
        }
        memcpy(c->log + c->log_len, buf, n);
        c->log_len += n;
    }
    fclose(f);
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

static void write_state(run_ctx *c, const pe_result *res)
{
    const state_job j = { res, c };
    pe_status st;
    if (c->state_path[0] && (st = cli_write_atomic(c->state_path, state_fn, &j)) != PE_OK)
        fail_at(c, c->state_path, st);
}

/* ---------------------------------------------------------------- during the run */

static void on_frame(void *ctx, const pe_progress *p, size_t triangles, int number)
{
    run_ctx *c = ctx;
    log_row(c, p); /* log.csv has one row per frame written */
    char what[32];
    snprintf(what, sizeof what, "frame %d", number);
    cli_progress_event(&c->progress, p, triangles, what);
}

static bool on_progress(const pe_progress *p, const pe_result *partial, void *ctx)
{
    run_ctx *c = ctx;
    c->last = *p;
    c->last.canvas = NULL;
    cli_frames_step(&c->frames, p, partial);
    /* checkpoints at the library's frame points (every PSNR_STEPS-th with psnr spacing, which
     * asks for that many more); without frames, every tenth step */
    const bool checkpoint = c->o->pe.frames > 0
                                ? p->frame && (!c->frames.by_psnr || ++c->points % PSNR_STEPS == 0)
                                : p->step % 10 == 0;
    if (checkpoint) {
        if (c->frames.max == 0)
            log_row(c, p); /* no frames: log.csv has one row per checkpoint point */
        const bool due =
            c->checkpoint_at < 0.0 || p->wall_seconds - c->checkpoint_at >= CHECKPOINT_GAP;
        if (due) {
            write_log(c);
            write_state(c, partial); /* the checkpoint --resume starts from */
            c->checkpoint_at = p->wall_seconds;
        }
        cli_progress_step(&c->progress, p, partial);
        cli_progress_event(&c->progress, p, partial->count,
                           due && c->state_path[0] ? "checkpoint" : "step");
    }
    cli_progress_step(&c->progress, p, partial);
    return cli_stop_signal != 0 || c->failed != PE_OK || c->frames.failed != PE_OK;
}

/* ---------------------------------------------------------------- setup */

static int report_write_failure(const run_ctx *c)
{
    const pe_status st = c->failed != PE_OK ? c->failed : c->frames.failed;
    const int e = c->failed != PE_OK ? c->failed_errno : c->frames.failed_errno;
    if (c->failed == PE_OK && c->frames.failed_why[0]) /* an animation's own words */
        fprintf(stderr, "polyevolve: %s\n", c->frames.failed_why);
    else
        fprintf(stderr, "polyevolve: %s: %s\n",
                c->failed != PE_OK ? c->failed_path : c->frames.failed_path,
                st == PE_ERR_IO && e ? strerror(e) : pe_status_str(st));
    return 1;
}

/* --resume FILE rather than --resume DIR: an existing file named *.json */
static bool resume_is_file(const char *resume)
{
    const size_t n = strlen(resume);
    struct stat sb;
    return n > 5 && !strcmp(resume + n - 5, ".json") && stat(resume, &sb) == 0 &&
           !S_ISDIR(sb.st_mode);
}

/* --resume DIR (DIR/state.json) or --resume FILE: the input path and settings come from the
 * state; command-line flags still win. */
static int load_resume(cli_options *o, pe_state *state, char *input, size_t input_len)
{
    char path[PATH_MAX];
    const bool file = resume_is_file(o->resume);
    if (file) {
        snprintf(path, sizeof path, "%s", o->resume);
    } else if (!cli_join(path, sizeof path, o->resume, "state.json")) {
        fprintf(stderr, "polyevolve: %s: path too long\n", o->resume);
        return 2;
    }
    if (!cli_read_state(path, state)) /* a signal while blocked on a FIFO state.json: */
        return cli_stop_signal ? 128 + cli_stop_signal : 1;
    if (!state->input_path) {
        fprintf(stderr, "polyevolve: %s: names no input image to resume from\n", path);
        return 1;
    }
    char why[512];
    if (cli_resume_flags(o, state, why, sizeof why)) {
        fprintf(stderr, "polyevolve: %s\n", why);
        return 2;
    }
    if (cli_apply_state(o, state, why, sizeof why)) {
        fprintf(stderr, "polyevolve: %s: %s\n", path, why);
        return 1;
    }
    snprintf(input, input_len, "%s", state->input_path);
    if (file) {
        if (!o->state_path)
            o->state_path = o->resume; /* checkpoints go on into the same file */
    }
    return 0;
}

static void make_meta(run_ctx *c, const cli_options *o)
{
    size_t n = cli_settings(o, c->keys, c->values, MAX_META - 5);
    cli_input_name(c->input, c->input_name, sizeof c->input_name);
    c->keys[n] = "software";
    c->values[n++] = "polyevolve " PE_VERSION_STRING;
    c->keys[n] = "input";
    c->values[n++] = c->input_name;
    c->keys[n] = CLI_INPUT_HASH_KEY; /* what --resume checks the image against */
    c->values[n++] = c->input_hash;
    /* the pictures name files without their directories; the state keeps the paths resume
     * reads them from, after the keys the pictures carry */
    const size_t published = n;
    n += cli_artist_paths(c->art, c->keys + n, c->values + n);
    c->state_meta = (pe_metadata){ c->keys, c->values, n };
    c->meta = o->no_metadata ? (pe_metadata){ NULL, NULL, 0 }
                             : (pe_metadata){ c->keys, c->values, published };
}

/* Where state.json, log.csv and the frames go: --state/--log, else the directory target. */
static int place_files(run_ctx *c, const cli_options *o)
{
    const char *dir = c->tg.dir;
    if ((o->state_path && snprintf(c->state_path, PATH_MAX, "%s", o->state_path) >= PATH_MAX) ||
        (o->log_path && snprintf(c->log_path, PATH_MAX, "%s", o->log_path) >= PATH_MAX) ||
        (dir && ((!o->state_path && !cli_join(c->state_path, PATH_MAX, dir, "state.json")) ||
                 (!o->log_path && !cli_join(c->log_path, PATH_MAX, dir, "log.csv")) ||
                 !cli_join(c->frames_dir, PATH_MAX, dir, "frames")))) {
        fprintf(stderr, "polyevolve: %s: path too long (the names under it must stay within "
                "the limit of PATH_MAX, %d bytes)\n", dir ? dir : "--state/--log", PATH_MAX);
        return 2;
    }
    cli_frames *f = &c->frames;
    f->dir = c->tg.pattern ? NULL : dir ? c->frames_dir : NULL;
    f->pattern = c->tg.pattern;
    f->size = o->size;
    f->max = f->dir || f->pattern ? o->pe.frames : 0;
    f->triangles = o->pe.triangles;
    f->threads = o->pe.threads;
    f->by_psnr = o->spacing_psnr;
    f->keep_old = o->resume != NULL;
    f->meta = &c->meta;
    f->on_frame = on_frame;
    f->ctx = c;
    if (o->resume && f->dir)
        f->written = cli_frames_count(f->dir);
    f->floor_psnr = -HUGE_VAL; /* set from the state when resuming */
    return 0;
}

/* ---------------------------------------------------------------- the end */

static void write_dir(run_ctx *c, const pe_result *res, const pe_image *png)
{
    const cli_options *o = c->o;
    char path[PATH_MAX];
    pe_status st;
    if (cli_join(path, sizeof path, c->tg.dir, "final.png")) {
        if ((st = cli_write_png_of(path, png, &c->meta)) != PE_OK)
            fail_at(c, path, st);
        wrote(c, path);
    }
    if (cli_join(path, sizeof path, c->tg.dir, "final.svg")) {
        if ((st = cli_write_svg_for(path, o, res, &c->meta)) != PE_OK)
            fail_at(c, path, st);
        wrote(c, path);
    }
    if (cli_join(path, sizeof path, c->tg.dir, "final.pdf")) {
        if ((st = cli_write_pdf_for(path, o, res, &c->meta)) != PE_OK)
            fail_at(c, path, st);
        wrote(c, path);
    }
}

static void write_target(run_ctx *c, const cli_target *t, const pe_result *res, const pe_image *png)
{
    const cli_options *o = c->o;
    pe_status st = PE_OK;
    switch (t->kind) {
    case CLI_T_DIR: write_dir(c, res, png); return;
    case CLI_T_PATTERN: /* the frames */
    case CLI_T_ANIM: return; /* made of the frames (frames.c) */
    case CLI_T_PNG: st = cli_write_png_of(t->path, png, &c->meta); break;
    case CLI_T_JPG: st = cli_write_jpeg_of(t->path, png, &c->meta); break;
    case CLI_T_SVG: st = cli_write_svg_for(t->path, o, res, &c->meta); break;
    case CLI_T_PDF: st = cli_write_pdf_for(t->path, o, res, &c->meta); break;
    case CLI_T_STDOUT:
        errno = 0;
        st = cli_put_svg(stdout, o, res, &c->meta);
        if (st == PE_OK && fflush(stdout) != 0)
            st = PE_ERR_IO;
        if (st != PE_OK)
            fail_at(c, "stdout", st);
        return;
    }
    if (st != PE_OK)
        fail_at(c, t->path, st);
    wrote(c, t->path);
}

static void write_outputs(run_ctx *c, const pe_result *res, const pe_progress *last)
{
    pe_image png = { 0 };
    double w, h;
    cli_longest_side(res, c->o->size, &w, &h);
    const pe_status st = pe_render(res, (int)w, (int)h, &png);
    if (st != PE_OK) { /* an earlier run's final.png would contradict the new state.json */
        char path[PATH_MAX];
        fail_at(c, "final.png", st);
        if (c->tg.dir && cli_join(path, sizeof path, c->tg.dir, "final.png"))
            unlink(path);
    }
    for (int i = 0; i < c->tg.n && c->failed == PE_OK; i++)
        write_target(c, &c->tg.t[i], res, &png);
    pe_image_free(&png);
    cli_frames_finish(&c->frames, last, res);
    for (int i = 0; i < c->tg.n && c->frames.failed == PE_OK; i++)
        if (c->tg.t[i].kind == CLI_T_ANIM)
            wrote(c, c->tg.t[i].path);
    if (c->frames.max == 0)
        log_row(c, last); /* no frames: checkpoint rows and one for the end */
    write_log(c);
    write_state(c, res);
    if (c->state_path[0])
        wrote(c, c->state_path);
    if (c->log_written)
        wrote(c, c->log_path);
}

/* Files of an earlier run in the directory that this run did not rewrite go: what is in the
 * directory afterwards is one run's work. */
static void remove_stale(run_ctx *c)
{
    const char *dir = c->tg.dir;
    if (!dir || c->failed != PE_OK || c->frames.failed != PE_OK)
        return;
    char mine[PATH_MAX];
    cli_join(mine, sizeof mine, dir, "state.json");
    cli_outdir_drop(dir, "state.json", !strcmp(mine, c->state_path));
    cli_join(mine, sizeof mine, dir, "log.csv");
    cli_outdir_drop(dir, "log.csv", c->log_written && !strcmp(mine, c->log_path));
    cli_outdir_trim_frames(dir, c->frames.dir ? c->frames.written : 0);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* One line: what was made and where it went; then, for a stopped run, how to go on. */
static void summary(const run_ctx *c, const pe_result *res, double seconds)
{
    FILE *f = c->tg.to_stdout ? stderr : stdout; /* stdout may be the SVG */
    fprintf(f, "polyevolve: %zu triangles, PSNR %.2f dB at %dx%d, %" PRIu64 " evaluations, %.1f s",
            res->count, res->psnr, res->work_width, res->work_height, res->evaluations, seconds);
    const char *sep = "; wrote ";
    for (int i = 0; i < c->nwritten; i++, sep = ", ")
        fprintf(f, "%s%s", sep, c->written[i]);
    if (c->tg.to_stdout) {
        fprintf(f, "%sthe SVG to stdout", sep);
        sep = ", ";
    }
    if (c->frames.written > 0)
        fprintf(f, "%s%d frames (%s%s)", sep, c->frames.written,
                c->frames.pattern ? c->frames.pattern : c->frames_dir,
                c->frames.pattern ? "" : "/frame_NNNNN.png");
    fputc('\n', f);
    fflush(f);
}

static void resume_hint(const run_ctx *c)
{
    const char *name = cli_stop_signal == 2    ? "SIGINT"
                       : cli_stop_signal == 15 ? "SIGTERM"
                                               : "a signal";
    char state_in_dir[PATH_MAX] = "";
    if (c->tg.dir)
        cli_join(state_in_dir, sizeof state_in_dir, c->tg.dir, "state.json");
    if (!c->state_path[0])
        fprintf(stderr,
                "polyevolve: stopped by %s; no state file was written (give -o DIR or "
                "--state FILE to be able to resume)\n",
                name);
    else
        fprintf(stderr, "polyevolve: stopped by %s; continue with: polyevolve --resume %s\n", name,
                !strcmp(state_in_dir, c->state_path) ? c->tg.dir : c->state_path);
}

/* A single-file target must have a directory to go into: said now, not after the run. */
static bool cli_parent_ok(const cli_target *t)
{
    if (t->kind != CLI_T_PNG && t->kind != CLI_T_SVG && t->kind != CLI_T_PDF &&
        t->kind != CLI_T_JPG && t->kind != CLI_T_ANIM)
        return true;
    char parent[PATH_MAX];
    snprintf(parent, sizeof parent, "%s", t->path);
    char *slash = strrchr(parent, '/');
    if (!slash)
        return true;
    slash[slash == parent ? 1 : 0] = '\0';
    struct stat sb;
    const int r = stat(parent, &sb);
    if (r == 0 && S_ISDIR(sb.st_mode))
        return true;
    if (r == 0 || errno == ENOTDIR)
        fprintf(stderr, "polyevolve: %s: %s is not a directory\n", t->path, parent);
    else
        fprintf(stderr, "polyevolve: %s: %s\n", t->path,
                errno == ENOENT ? "its directory does not exist" : strerror(errno));
    return false;
}

/* Where the run writes: targets classified, files placed, the directory locked. */
static int prepare(run_ctx *c, cli_options *o)
{
    char err[512];
    if (cli_targets_of(o, &c->tg, err, sizeof err) != CLI_OK) {
        fprintf(stderr, "polyevolve: %s\n", err);
        return 2;
    }
    /* --resume DIR goes on in DIR (its checkpoints, log and frames) unless -o names another
     * directory: a resumed run given only -o x.svg must not lose its state */
    const bool dir_resume = o->resume && !resume_is_file(o->resume);
    if (dir_resume && (!c->tg.dir || o->noutputs == 0) && c->tg.n < CLI_MAX_OUTPUTS) {
        if (o->noutputs == 0)
            c->tg.n = 0; /* the default "out" gives way to DIR */
        c->tg.dir = o->resume;
        c->tg.t[c->tg.n++] = (cli_target){ CLI_T_DIR, o->resume };
    }
    int rc = place_files(c, o);
    if (rc || (rc = cli_frames_anims(&c->frames, o, &c->tg)) != 0)
        return rc;
    for (int i = 0; i < c->tg.n; i++)
        if (!cli_parent_ok(&c->tg.t[i]))
            return 1;
    if (c->tg.dir && (c->lock_fd = cli_outdir_open(c->tg.dir, c->frames.dir != NULL)) < 0)
        return 1;
    if (c->tg.pattern) {
        /* the frames' directory must exist: made as for a -o directory */
        char parent[PATH_MAX];
        snprintf(parent, sizeof parent, "%s", c->tg.pattern);
        char *slash = strrchr(parent, '/');
        if (slash && slash != parent && (*slash = '\0', cli_mkdir(parent) != 0)) {
            fprintf(stderr, "polyevolve: %s: cannot create the frames' directory: %s\n", parent,
                    strerror(errno));
            return 1;
        }
    }
    if (o->resume)
        load_log(c); /* a resumed run goes on with the same log */
    return 0;
}

/* The run's end: outputs, stale files, summary. Returns the exit status. */
static int finish(run_ctx *c, const pe_result *res, double t0)
{
    const cli_options *o = c->o;
    pe_progress last = c->last;
    if (last.step == 0) { /* no step ran (nothing left to do) */
        last.loss = res->loss;
        last.psnr = res->psnr;
    }
    write_outputs(c, res, &last);
    remove_stale(c);
    if (c->failed != PE_OK || c->frames.failed != PE_OK)
        return report_write_failure(c);
    if (!o->quiet)
        summary(c, res, now() - t0);
    if (res->count < (size_t)o->pe.triangles && o->pe.time_limit > 0.0 && !cli_stop_signal)
        fprintf(stderr, "polyevolve: --time %g s placed %zu of the %d triangles asked for (the "
                "adds were sped up, but the time could not hold them all)\n",
                o->pe.time_limit, res->count, o->pe.triangles);
    if (cli_stop_signal && !o->quiet)
        resume_hint(c);
    return cli_stop_signal ? 128 + cli_stop_signal : 0;
}

static int approximate(run_ctx *c, cli_options *o, pe_state *state, double t0)
{
    pe_image img = { 0 };
    int rc = cli_input_checked(c->o, c->input, state, c->input_hash, &img);
    if (rc)
        return rc;
    c->frames.size = cli_frame_side(o->frame_size, o->size, cli_given(o, "size") != NULL,
                                    img.width, img.height);
    pe_result start = { 0 }; /* --init: that state moved onto this image */
    if (o->init && (rc = cli_init_start(o, &img, &start)) != 0) {
        pe_image_free(&img);
        return rc;
    }
    /* rounds: --iterations, else 2, else (--time alone) as many as fit */
    const int rounds = o->pe.iterations > 0 ? o->pe.iterations : o->pe.time_limit > 0 ? 0 : 2;
    cli_progress_init(&c->progress, o->quiet, o->verbose, o->pe.triangles, rounds);
    pe_options po = o->pe; /* o->pe stays as given: it is what state files record */
    po.progress = on_progress;
    po.progress_ctx = c;
    po.resume = o->resume ? &state->result : o->init ? &start : NULL;
    po.cancel = &cli_stop_signal; /* a signal stops the run within one batch */
    if (po.time_limit > 0.0) { /* --time counts the outputs too: they get their share first */
        cli_budget b;
        cli_time_budget(o, &c->tg, &c->frames, img.width, img.height, now() - t0, &b);
        po.time_limit = b.optimise;
        if (b.frames < c->frames.max)
            po.frames = c->frames.max = b.frames;
    }
    if (c->frames.by_psnr && po.frames > 0)
        po.frames = po.frames > 100000 / PSNR_STEPS ? 100000 : po.frames * PSNR_STEPS;
    if (o->resume)
        c->frames.floor_psnr = state->result.psnr;
    pe_result res = { 0 };
    const pe_status st = pe_approximate(&img, &po, &res);
    pe_image_free(&img);
    pe_result_free(&start);
    cli_progress_end(&c->progress);
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
        rc = finish(c, &res, t0);
    }
    pe_result_free(&res);
    return rc;
}

int cli_run(cli_options *o)
{
    static run_ctx c;      /* large buffers; one run per process */
    static cli_artist art; /* --weight and --palette files */
    memset(&c, 0, sizeof c);
    c.lock_fd = -1;
    c.checkpoint_at = -1.0;
    const double t0 = now();
    pe_state state = { 0 };
    char input[PATH_MAX];
    int rc = 0;
    if (o->resume && (rc = load_resume(o, &state, input, sizeof input)) != 0)
        goto done;
    if (!o->resume && strcmp(o->input, "-") && !realpath(o->input, input)) {
        fprintf(stderr, "polyevolve: %s: %s\n", o->input, strerror(errno));
        rc = 1;
        goto done;
    }
    if (!o->resume && !strcmp(o->input, "-"))
        snprintf(input, sizeof input, "-");
    if ((rc = cli_artist_load(o, &art)) != 0)
        goto done;
    c.o = o;
    c.art = &art;
    c.input = input;
    if ((rc = prepare(&c, o)) != 0)
        goto done;
    make_meta(&c, o);
    rc = approximate(&c, o, &state, t0);
done:
    cli_artist_free(&art);
    cli_outdir_close(c.lock_fd);
    pe_state_free(&state);
    cli_frames_free(&c.frames);
    free(c.log);
    return rc;
}
