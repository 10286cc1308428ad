/* run: approximate an image, writing frames, checkpoints and the final outputs where -o says. */
#define _XOPEN_SOURCE 700
#include "run.h"

#include "anim.h"
#include "artist.h"
#include "budget.h"
#include "claim.h"
#include "frames.h"
#include "input.h"
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
enum { MAX_META = 24, MAX_FAILS = CLI_MAX_OUTPUTS + 4, PSNR_STEPS = 4 };

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

typedef struct fail_rec {
    char *path;
    int err;
    pe_status st;
} fail_rec;

typedef struct run_ctx {
    cli_options *o;
    cli_targets tg;
    const char *input;  /* absolute path of the image, or "-" */
    char *dir;          /* the directory target: -o's, --resume's or the default; owned */
    char *state_path;   /* owned; NULL = not written */
    char *log_path;     /* owned; NULL = not written */
    char *frames_dir;   /* DIR/frames, owned */
    char *preview_path; /* DIR/preview.png, owned; NULL = none */
    char *resume_state; /* the state file --resume reads, owned */
    cli_claim *claim;   /* every file the run writes (claim.h) */
    cli_frames frames;
    cli_progress progress;
    FILE *log; /* log.csv so far (open_memstream over log_text) */
    char *log_text;
    size_t log_len;
    const char *keys[MAX_META], *values[MAX_META];
    pe_metadata meta;       /* the settings + software + input name: in every picture */
    pe_metadata state_meta; /* the same, always (the state file is for resuming, not publishing) */
    char input_name[256];
    char input_hash[CLI_INPUT_HASH_LEN]; /* the input's content, filled in once it is loaded */
    char weight_hash[CLI_INPUT_HASH_LEN];
    char **written; /* for the summary, owned */
    size_t nwritten, capwritten;
    bool log_written;
    bool ending;          /* the final outputs are being written: the summary lists them */
    pe_progress last;     /* the last step reported (canvas cleared) */
    double checkpoint_at; /* run time of the last checkpoint written, < 0: none yet */
    double preview_at;    /* run time of the last preview written (0: none yet) */
    bool preview_on;      /* a preview.png of this run is there */
    bool preview_off;     /* one could not be written: no more tries */
    char anim_names[256]; /* the animations' file names, for the progress ("run.gif") */
    long points;          /* frame points seen */
    fail_rec fails[MAX_FAILS]; /* the writes that failed */
    int nfails;
    cli_artist art; /* --weight and --palette files */
    pe_state init;  /* --init STATE */
} run_ctx;

static void fail_at(run_ctx *c, const char *path, pe_status st)
{
    const int e = errno;
    for (int i = 0; i < c->nfails; i++)
        if (!strcmp(c->fails[i].path, path))
            return;
    char *copy = c->nfails < MAX_FAILS ? strdup(path) : NULL;
    if (copy)
        c->fails[c->nfails++] = (fail_rec){ copy, e, st };
}

static bool failed(const run_ctx *c)
{
    return c->nfails > 0 || c->frames.failed != PE_OK;
}

/* path is written: for the summary and the claim (it is this run's now). */
static void wrote(run_ctx *c, const char *path)
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

static void log_row(run_ctx *c, const pe_progress *p)
{
    if (c->log)
        fprintf(c->log, "%.3f,%.3f,%" PRIu64 ",%" PRIu64 ",%.9g,%.4f\n", p->wall_seconds,
                p->cpu_seconds, p->iterations, p->evaluations, p->loss, p->psnr);
}

static void write_log(run_ctx *c)
{
    if (!c->log_path || !c->log)
        return;
    if (fflush(c->log) != 0 || ferror(c->log)) {
        errno = ENOMEM;
        fail_at(c, c->log_path, PE_ERR_NOMEM);
    } else if (cli_write_text(c->log_path, c->log_text, c->log_len) != PE_OK) {
        fail_at(c, c->log_path, PE_ERR_IO);
    } else {
        c->log_written = true;
        wrote(c, c->log_path);
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

static void write_state(run_ctx *c, const pe_result *res)
{
    const state_job j = { res, c };
    pe_status st;
    if (!c->state_path)
        return;
    if ((st = cli_write_atomic(c->state_path, state_fn, &j)) != PE_OK)
        fail_at(c, c->state_path, st);
    else
        wrote(c, c->state_path);
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

static void on_frame(void *ctx, const pe_progress *p, int number)
{
    run_ctx *c = ctx;
    char path[PATH_MAX];
    if (frame_file(c, number, path, sizeof path))
        cli_claim_wrote(c->claim, path);
    log_row(c, p); /* log.csv has one row per frame written */
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
static void drop_preview(run_ctx *c)
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
            log_row(c, p); /* no frames: log.csv has one row per checkpoint point */
        const bool due =
            c->checkpoint_at < 0.0 || p->wall_seconds - c->checkpoint_at >= CHECKPOINT_GAP;
        if (due) {
            write_log(c);
            write_state(c, partial); /* the checkpoint --resume starts from */
            c->checkpoint_at = p->wall_seconds;
        }
        char what[48];
        cli_progress_describe(&c->progress, partial, true, what, sizeof what);
        cli_progress_line(&c->progress, "%s, PSNR %.2f dB%s", what, p->psnr,
                          due && c->state_path ? "; checkpoint saved" : "");
    }
    cli_progress_step(&c->progress, p, partial);
    return cli_stop_signal != 0 || failed(c);
}

/* ---------------------------------------------------------------- setup */

/* The writes that failed, on one line ("A: why; also B: why"). stdout's is main's to say (it
 * checks the stream at the end): said here too, it would be said twice. */
static int report_write_failure(const run_ctx *c)
{
    const char *sep = "polyevolve: ";
    for (int i = 0; i <= c->nfails; i++) {
        const bool frames = i == c->nfails;
        if (frames && c->frames.failed == PE_OK)
            break;
        const char *path = frames ? c->frames.failed_path : c->fails[i].path;
        const pe_status st = frames ? c->frames.failed : c->fails[i].st;
        const int e = frames ? c->frames.failed_errno : c->fails[i].err;
        if (!frames && !strcmp(path, "stdout") && ferror(stdout))
            continue;
        if (frames && c->frames.failed_why[0]) /* an animation's own words */
            fprintf(stderr, "%s%s", sep, c->frames.failed_why);
        else
            fprintf(stderr, "%s%s: %s", sep, path,
                    st == PE_ERR_IO && e ? strerror(e) : pe_status_str(st));
        sep = "; also ";
    }
    if (strcmp(sep, "polyevolve: "))
        fputc('\n', stderr);
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
static int load_resume(run_ctx *c, cli_options *o, pe_state *state, char *input, size_t input_len)
{
    char path[PATH_MAX];
    const bool file = resume_is_file(o->resume);
    if (file) {
        snprintf(path, sizeof path, "%s", o->resume);
    } else if (!cli_join(path, sizeof path, o->resume, "state.json")) {
        fprintf(stderr, "polyevolve: %s: path too long\n", o->resume);
        return 2;
    }
    if (!(c->resume_state = strdup(path)))
        return 1;
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

static char *join_new(const char *dir, const char *name)
{
    char buf[PATH_MAX];
    return cli_join(buf, sizeof buf, dir, name) ? strdup(buf) : NULL;
}

/* Where state.json, log.csv and the frames go: --state/--log, else the directory target. */
static int place_files(run_ctx *c, const cli_options *o)
{
    free(c->state_path);
    free(c->log_path);
    free(c->frames_dir);
    free(c->preview_path);
    c->state_path = c->log_path = c->frames_dir = c->preview_path = NULL;
    const char *dir = c->dir;
    if ((o->state_path && !(c->state_path = strdup(o->state_path))) ||
        (o->log_path && !(c->log_path = strdup(o->log_path))) ||
        (dir && ((!o->state_path && !(c->state_path = join_new(dir, "state.json"))) ||
                 (!o->log_path && !(c->log_path = join_new(dir, "log.csv"))) ||
                 !(c->frames_dir = join_new(dir, "frames")) ||
                 !(c->preview_path = join_new(dir, "preview.png"))))) {
        fprintf(stderr, "polyevolve: %s: path too long (the names under it must stay within "
                "the limit of PATH_MAX, %d bytes)\n", dir ? dir : "--state/--log", PATH_MAX);
        return 2;
    }
    cli_frames *f = &c->frames;
    f->dir = c->tg.pattern ? NULL : dir ? c->frames_dir : NULL;
    f->pattern = c->tg.pattern;
    f->size = o->size;
    f->max = f->dir || f->pattern ? o->pe.frames : 0;
    f->total = f->max;
    f->triangles = o->pe.triangles;
    f->threads = o->pe.threads;
    f->by_psnr = o->spacing_psnr;
    f->keep_old = o->resume != NULL;
    f->meta = &c->meta;
    f->on_frame = on_frame;
    f->ctx = c;
    f->progress = &c->progress;
    f->anim_names = c->anim_names;
    f->written = 0;
    if (o->resume && f->dir && f->max > 0) {
        /* the frames go on after the kept ones, and never past --frames: when they are all
         * there, the last one becomes the final picture */
        const int kept = cli_frames_count(f->dir);
        f->written = kept < f->max ? kept : f->max - 1;
        f->max -= f->written;
    }
    f->floor_psnr = -HUGE_VAL; /* set from the state when resuming */
    return 0;
}

/* Every file the run writes and reads, checked (claim.h): 0 or the exit status. dir: the
 * directory target (NULL: none). */
static int plan(run_ctx *c, cli_options *o, const char *dir)
{
    cli_claim_free(c->claim);
    char *copy = dir ? strdup(dir) : NULL;
    free(c->dir);
    c->dir = copy;
    for (int i = 0; i < c->tg.n; i++) /* the directory target is c->dir from now on */
        if (c->tg.t[i].kind == CLI_T_DIR)
            c->tg.t[i].path = c->dir;
    c->tg.dir = c->dir;
    if ((dir && !c->dir) || !(c->claim = cli_claim_new("run"))) {
        fprintf(stderr, "polyevolve: out of memory\n");
        return 1;
    }
    int rc = place_files(c, o);
    if (rc)
        return rc;
    cli_claim *cl = c->claim;
    bool ok = true;
    static const char *const finals[] = { "final.png", "final.svg", "final.pdf" };
    if (c->dir) {
        ok = cli_claim_place(cl, c->dir, CLI_PLACE_OWN, NULL);
        for (size_t i = 0; ok && i < 3; i++) {
            char *path = join_new(c->dir, finals[i]);
            ok = path && cli_claim_file(cl, path, finals[i]);
            free(path);
        }
        ok = ok && cli_claim_file(cl, c->preview_path, "preview.png");
    }
    if (ok && c->state_path)
        ok = cli_claim_file(cl, c->state_path, o->state_path ? "--state" : "state.json");
    if (ok && c->log_path)
        ok = cli_claim_file(cl, c->log_path, o->log_path ? "--log" : "log.csv");
    if (ok && c->frames.max > 0) {
        char pattern[PATH_MAX];
        const char *p = c->frames.pattern ? c->frames.pattern
                        : cli_join(pattern, sizeof pattern, c->frames.dir, "frame_%05d.png")
                            ? pattern
                            : NULL;
        ok = p && cli_claim_pattern(cl, p, 1, 1, o->pe.frames, c->frames.pattern ? "-o" : "frames");
    }
    for (int i = 0; ok && i < c->tg.n; i++) {
        const cli_target_kind k = c->tg.t[i].kind;
        if (k == CLI_T_PNG || k == CLI_T_SVG || k == CLI_T_PDF || k == CLI_T_JPG ||
            k == CLI_T_ANIM)
            ok = cli_claim_file(cl, c->tg.t[i].path, "-o");
    }
    if (ok && strcmp(c->input, "-"))
        ok = cli_claim_read(cl, c->input, "input", false);
    if (ok && o->weight_path)
        ok = cli_claim_read(cl, o->weight_path, "--weight mask", false);
    if (ok && o->palette_path)
        ok = cli_claim_read(cl, o->palette_path, "--palette file", false);
    if (ok && o->init)
        ok = cli_claim_read(cl, o->init, "--init state", false);
    if (ok && c->resume_state) /* its checkpoints go on into it */
        ok = cli_claim_read(cl, c->resume_state, "--resume state", true);
    if (!ok) {
        fprintf(stderr, "polyevolve: out of memory\n");
        return 1;
    }
    char err[PATH_MAX + 512];
    if ((rc = cli_claim_check(cl, err, sizeof err)) != 0)
        fprintf(stderr, "polyevolve: %s\n", err);
    return rc;
}

/* This run's identity in the claim: the input's content, the mask's and the settings. */
static bool identify(run_ctx *c, const cli_options *o)
{
    const char *keys[MAX_META], *values[MAX_META];
    const size_t n = cli_settings(o, keys, values, MAX_META);
    bool ok = cli_claim_id(c->claim, CLI_INPUT_HASH_KEY, c->input_hash, true) &&
              cli_claim_info(c->claim, "input", c->input_name) &&
              (!o->weight_path ||
               cli_claim_id(c->claim, CLI_WEIGHT_HASH_KEY, c->weight_hash, false));
    for (size_t i = 0; ok && i < n; i++)
        ok = cli_claim_id(c->claim, keys[i], values[i], false);
    return ok;
}

/* The default output: NAME for input NAME.ext (in the current directory), "out" for stdin. */
static void default_stem(const char *input, char *buf, size_t len)
{
    const char *in = input ? input : "-";
    const char *slash = strrchr(in, '/');
    const char *name = slash ? slash + 1 : in;
    const char *dot = strrchr(name, '.');
    const size_t n = dot && dot > name ? (size_t)(dot - name) : strlen(name);
    if (!strcmp(in, "-") || n == 0 || !strcmp(name, "..") || !strcmp(name, "."))
        snprintf(buf, len, "out");
    else
        snprintf(buf, len, "%.*s", (int)n, name);
}

/* Take the places (claim.h). A default output that holds another run's files moves on to
 * NAME-2, NAME-3, ... */
static int take(run_ctx *c, cli_options *o, bool by_default)
{
    char err[PATH_MAX + 512], name[PATH_MAX + 16];
    const char *stem = c->dir;
    char first[PATH_MAX];
    snprintf(first, sizeof first, "%s", stem ? stem : "");
    for (int k = 1;; k++) {
        int rc;
        if (k > 1) {
            snprintf(name, sizeof name, "%s-%d", first, k);
            if ((rc = plan(c, o, name)) != 0)
                return rc;
        }
        if (!identify(c, o)) {
            fprintf(stderr, "polyevolve: out of memory\n");
            return 1;
        }
        rc = cli_claim_take(c->claim, o->force, o->resume != NULL, err, sizeof err);
        if (rc == CLI_CLAIM_BUSY && by_default && !o->force && k < 1000)
            continue;
        if (rc) {
            fprintf(stderr, "polyevolve: %s\n", err);
            return rc == CLI_CLAIM_BUSY ? 1 : rc;
        }
        if (k > 1 && !o->quiet)
            fprintf(stderr, "polyevolve: %s/ is taken (another run's files, or not a "
                    "directory): writing to %s/\n", first, c->dir);
        return 0;
    }
}

/* ---------------------------------------------------------------- the end */

static void write_file(run_ctx *c, const char *path, pe_status st)
{
    if (st != PE_OK)
        fail_at(c, path, st);
    else
        wrote(c, path);
}

static void write_dir(run_ctx *c, const pe_result *res, const pe_image *png)
{
    const cli_options *o = c->o;
    char path[PATH_MAX];
    if (png->rgba && cli_join(path, sizeof path, c->dir, "final.png"))
        write_file(c, path, cli_write_png_of(path, png, &c->meta));
    if (cli_join(path, sizeof path, c->dir, "final.svg"))
        write_file(c, path, cli_write_svg_for(path, o, res, &c->meta));
    if (cli_join(path, sizeof path, c->dir, "final.pdf"))
        write_file(c, path, cli_write_pdf_for(path, o, res, &c->meta));
}

static void write_target(run_ctx *c, const cli_target *t, const pe_result *res, const pe_image *png)
{
    const cli_options *o = c->o;
    switch (t->kind) {
    case CLI_T_DIR: write_dir(c, res, png); return;
    case CLI_T_PATTERN: /* the frames */
    case CLI_T_ANIM: return; /* made of the frames (frames.c) */
    case CLI_T_PNG:
        if (png->rgba)
            write_file(c, t->path, cli_write_png_of(t->path, png, &c->meta));
        return;
    case CLI_T_JPG:
        if (png->rgba)
            write_file(c, t->path, cli_write_jpeg_of(t->path, png, &c->meta));
        return;
    case CLI_T_SVG: write_file(c, t->path, cli_write_svg_for(t->path, o, res, &c->meta)); return;
    case CLI_T_PDF: write_file(c, t->path, cli_write_pdf_for(t->path, o, res, &c->meta)); return;
    case CLI_T_STDOUT: {
        errno = 0;
        pe_status st = cli_put_svg(stdout, o, res, &c->meta);
        if (st == PE_OK && fflush(stdout) != 0)
            st = PE_ERR_IO;
        if (st != PE_OK)
            fail_at(c, "stdout", st);
        return;
    }
    }
}

/* Whether a target needs the picture drawn: a directory, a PNG or a JPEG. */
static bool needs_png(const cli_targets *tg)
{
    for (int i = 0; i < tg->n; i++)
        if (tg->t[i].kind == CLI_T_DIR || tg->t[i].kind == CLI_T_PNG || tg->t[i].kind == CLI_T_JPG)
            return true;
    return false;
}

/* name (its last component when base) after the names in buf so far. */
static void add_name(char *buf, size_t len, const char *name, bool base)
{
    const char *slash = base ? strrchr(name, '/') : NULL;
    const size_t n = strlen(buf);
    if (n < len)
        snprintf(buf + n, len - n, "%s%s", n ? ", " : "", slash && slash[1] ? slash + 1 : name);
}

/* What write_target writes, for the progress: file names (base) or paths. */
static void final_names(const run_ctx *c, bool base, char *buf, size_t len)
{
    static const char *const finals[] = { "final.png", "final.svg", "final.pdf" };
    char path[PATH_MAX];
    buf[0] = '\0';
    for (int i = 0; i < c->tg.n; i++) {
        const cli_target *t = &c->tg.t[i];
        switch (t->kind) {
        case CLI_T_DIR:
            for (size_t k = 0; k < sizeof finals / sizeof finals[0]; k++)
                if (cli_join(path, sizeof path, c->dir, finals[k]))
                    add_name(buf, len, path, base);
            break;
        case CLI_T_PATTERN:
        case CLI_T_ANIM: break;
        case CLI_T_STDOUT: add_name(buf, len, "the SVG to stdout", false); break;
        default: add_name(buf, len, t->path, base);
        }
    }
}

/* Every target, each whatever became of the others, then the frames, log and state. */
static void write_outputs(run_ctx *c, const pe_result *res, const pe_progress *last)
{
    pe_image png = { 0 };
    double w, h;
    char names[1024];
    c->ending = true;
    final_names(c, true, names, sizeof names);
    if (names[0])
        cli_progress_phase(&c->progress, 0, "writing %s", names);
    final_names(c, false, names, sizeof names);
    if (names[0])
        cli_progress_line(&c->progress, "writing %s", names);
    cli_longest_side(res, c->o->size, &w, &h);
    const pe_status st = needs_png(&c->tg) ? pe_render(res, (int)w, (int)h, &png) : PE_OK;
    if (st != PE_OK) { /* an earlier run's final.png would contradict the new state.json */
        char path[PATH_MAX];
        fail_at(c, "final.png", st);
        if (c->dir && cli_join(path, sizeof path, c->dir, "final.png"))
            unlink(path);
    }
    for (int i = 0; i < c->tg.n; i++)
        write_target(c, &c->tg.t[i], res, &png);
    pe_image_free(&png);
    cli_frames_finish(&c->frames, last, res);
    for (int i = 0; i < c->tg.n && c->frames.failed == PE_OK; i++)
        if (c->tg.t[i].kind == CLI_T_ANIM)
            wrote(c, c->tg.t[i].path);
    if (c->frames.max == 0)
        log_row(c, last); /* no frames: checkpoint rows and one for the end */
    for (int base = 1; base >= 0; base--) {
        names[0] = '\0';
        if (c->log_path)
            add_name(names, sizeof names, c->log_path, base);
        if (c->state_path)
            add_name(names, sizeof names, c->state_path, base);
        if (names[0] && base)
            cli_progress_phase(&c->progress, 0, "writing %s", names);
        else if (names[0])
            cli_progress_line(&c->progress, "writing %s", names);
    }
    write_log(c);
    write_state(c, res);
}

/* One line: what was made and where it went; then, for a stopped run, how to go on. */
static void summary(const run_ctx *c, const pe_result *res, double seconds)
{
    FILE *f = c->tg.to_stdout ? stderr : stdout; /* stdout may be the SVG */
    fprintf(f, "polyevolve: %zu triangles, PSNR %.2f dB at %dx%d, %" PRIu64 " evaluations, %.1f s",
            res->count, res->psnr, res->work_width, res->work_height, res->evaluations, seconds);
    const char *sep = "; wrote ";
    for (size_t i = 0; i < c->nwritten; i++, sep = ", ")
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
    const char *name = cli_stop_signal == 1    ? "SIGHUP"
                       : cli_stop_signal == 2  ? "SIGINT"
                       : cli_stop_signal == 15 ? "SIGTERM"
                                               : "a signal";
    char state_in_dir[PATH_MAX] = "";
    if (c->dir)
        cli_join(state_in_dir, sizeof state_in_dir, c->dir, "state.json");
    if (!c->state_path)
        fprintf(stderr,
                "polyevolve: stopped by %s; no state file was written (give -o DIR or "
                "--state FILE to be able to resume)\n",
                name);
    else
        fprintf(stderr, "polyevolve: stopped by %s; continue with: polyevolve --resume %s\n", name,
                !strcmp(state_in_dir, c->state_path) ? c->dir : c->state_path);
}

/* Where the run writes: targets classified and every file planned and checked (nothing is
 * created yet). *by_default: the directory is the default one. */
static int prepare(run_ctx *c, cli_options *o, bool *by_default)
{
    char err[512];
    if (cli_targets_of(o, &c->tg, err, sizeof err) != CLI_OK) {
        fprintf(stderr, "polyevolve: %s\n", err);
        return 2;
    }
    /* --resume DIR goes on in DIR (its checkpoints, log and frames) unless -o names another
     * directory: a resumed run given only -o x.svg must not lose its state */
    const bool dir_resume = o->resume && !resume_is_file(o->resume);
    char stem[PATH_MAX];
    *by_default = false;
    if (dir_resume && !c->tg.dir && c->tg.n < CLI_MAX_OUTPUTS) {
        c->tg.dir = o->resume;
        c->tg.t[c->tg.n++] = (cli_target){ CLI_T_DIR, o->resume };
    } else if (o->noutputs == 0 && !dir_resume) { /* named after the input: see take() */
        default_stem(o->resume ? c->input : o->input, stem, sizeof stem);
        c->tg.dir = stem;
        c->tg.t[c->tg.n++] = (cli_target){ CLI_T_DIR, NULL };
        *by_default = true;
    }
    for (int i = 0; i < c->tg.n; i++)
        if (c->tg.t[i].kind == CLI_T_ANIM)
            add_name(c->anim_names, sizeof c->anim_names, c->tg.t[i].path, true);
    const int rc = plan(c, o, c->tg.dir);
    return rc ? rc : cli_frames_anims(&c->frames, o, &c->tg);
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
    drop_preview(c);
    cli_progress_end(&c->progress);
    cli_claim_finish(c->claim, !failed(c));
    if (failed(c))
        return report_write_failure(c);
    if (!o->quiet)
        summary(c, res, cli_clock() - t0);
    if (res->count < (size_t)o->pe.triangles && o->pe.time_limit > 0.0 && !cli_stop_signal)
        fprintf(stderr, "polyevolve: --time %g s placed %zu of the %d triangles asked for (the "
                "adds were sped up, but the time could not hold them all)\n",
                o->pe.time_limit, res->count, o->pe.triangles);
    if (cli_stop_signal && !o->quiet)
        resume_hint(c);
    return cli_stop_signal ? 128 + cli_stop_signal : 0;
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
    if (needs_png(&c->tg) || c->frames.max > 0)
        outputs |= CLI_OUT_PNG;
    for (int i = 0; i < c->tg.n; i++)
        outputs |= c->tg.t[i].kind == CLI_T_PDF ? CLI_OUT_PDF : 0;
    int rc = cli_input_checked(c->o, c->input, state, outputs, c->input_hash, &img);
    if (rc)
        return rc;
    if (o->weight_path)
        cli_input_hash(&c->art.mask, c->weight_hash);
    if ((rc = check_weight(c, o, state)) == 0 && (rc = take(c, o, by_default)) == 0 &&
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
    /* rounds: --iterations, else 2, else (--time alone) as many as fit */
    const int rounds = o->pe.iterations > 0 ? o->pe.iterations : o->pe.time_limit > 0 ? 0 : 2;
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
        drop_preview(c);
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
        rc = finish(c, &res, t0);
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
    if (o->resume && (rc = load_resume(c, o, &state, input, sizeof input)) != 0)
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
    if ((rc = prepare(c, o, &by_default)) != 0)
        goto done;
    rc = approximate(c, o, &state, by_default, t0);
done:
    pe_state_free(&state);
    run_free(c);
    return rc;
}
