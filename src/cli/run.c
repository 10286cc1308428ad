/* run: approximate an image, writing frames, checkpoints and the final outputs. */
#define _XOPEN_SOURCE 700
#include "run.h"

#include "sizes.h"
#include "artist.h"
#include "output.h"
#include "resume.h"

#include <dirent.h>
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

enum { MAX_META = 24 };

typedef struct run_ctx {
    const cli_options *o;
    const char *input;     /* absolute path of the image */
    char dir[PATH_MAX], frames_dir[PATH_MAX];
    int frame_no;
    unsigned char *last;   /* the last frame written, to skip identical ones */
    size_t last_len;
    char *log;             /* log.csv so far */
    size_t log_len, log_cap;
    const char *keys[MAX_META], *values[MAX_META];
    pe_metadata meta;      /* the settings + software + input: in every picture and the state */
    char input_text[PATH_MAX]; /* the input path as printable UTF-8-safe text */
    char input_hash[CLI_INPUT_HASH_LEN]; /* the input's content, filled in once it is loaded */
    bool frames_cleared;
    bool tty;
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

static void log_row(run_ctx *c, const pe_progress *p)
{
    char row[256];
    const int n = snprintf(row, sizeof row, "%.3f,%.3f,%" PRIu64 ",%" PRIu64 ",%.9g,%.4f\n",
                           p->wall_seconds, p->cpu_seconds, p->iterations, p->evaluations,
                           p->loss, p->psnr);
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
    char path[PATH_MAX];
    if (cli_join(path, sizeof path, c->dir, "log.csv") &&
        cli_write_text(path, c->log, c->log_len) != PE_OK)
        fail_at(c, path, PE_ERR_IO);
}

static void load_log(run_ctx *c)
{
    char path[PATH_MAX];
    FILE *f = cli_join(path, sizeof path, c->dir, "log.csv") ? fopen(path, "rb") : NULL;
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
    /* JSON is UTF-8: a path that is not keeps its printable form (resume then cannot find it) */
    const char *path = valid_utf8(j->c->input) ? j->c->input : j->c->input_text;
    return pe_state_write(f, j->res, path, &j->c->meta);
}

static void write_state(run_ctx *c, const pe_result *res)
{
    char path[PATH_MAX];
    const state_job j = { res, c };
    pe_status st;
    if (cli_join(path, sizeof path, c->dir, "state.json") &&
        (st = cli_write_atomic(path, state_fn, &j)) != PE_OK)
        fail_at(c, path, st);
}

static void clear_frames(const char *dir);

/* Returns true when a frame was written. */
static bool write_frame(run_ctx *c, const pe_image *canvas)
{
    const size_t len = (size_t)canvas->width * (size_t)canvas->height * 4;
    if (c->last && c->last_len == len && !memcmp(c->last, canvas->rgba, len))
        return false; /* identical to the previous frame: a video gains nothing from it */
    if (!c->frames_cleared && !c->o->resume)
        clear_frames(c->frames_dir); /* only now that this run really has a frame to show */
    c->frames_cleared = true;
    char name[64], path[PATH_MAX];
    snprintf(name, sizeof name, "frame_%05d.png", c->frame_no + 1);
    if (!cli_join(path, sizeof path, c->frames_dir, name))
        return false;
    const pe_status st = cli_write_png_of(path, canvas, &c->meta);
    if (st != PE_OK) {
        fail_at(c, path, st);
        return false;
    }
    c->frame_no++;
    unsigned char *keep = realloc(c->last, len);
    if (keep) {
        memcpy(keep, canvas->rgba, len);
        c->last = keep;
        c->last_len = len;
    }
    return true;
}

static void show_progress(const run_ctx *c, const pe_progress *p)
{
    if (!c->tty)
        return;
    const int width = 30, fill = (int)(p->fraction * width + 0.5);
    char bar[64];
    for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[width] = '\0';
    const double eta = p->fraction > 0.001 ? p->wall_seconds * (1.0 / p->fraction - 1.0) : 0.0;
    fprintf(stderr, "\r[%s] %3.0f%%  %6.1fs  ETA %6.1fs  PSNR %.2f dB ", bar, 100 * p->fraction,
            p->wall_seconds, eta, p->psnr);
    fflush(stderr);
}

static bool on_progress(const pe_progress *p, const pe_result *partial, void *ctx)
{
    run_ctx *c = ctx;
    /* checkpoints at every frame; without frames, every tenth step */
    const bool checkpoint = c->o->pe.frames > 0 ? p->frame : p->step % 10 == 0;
    if (checkpoint) {
        /* log.csv has one row per frame written */
        if (c->o->pe.frames > 0 && write_frame(c, p->canvas)) {
            log_row(c, p);
            write_log(c);
        }
        write_state(c, partial); /* the checkpoint --resume starts from */
    }
    show_progress(c, p);
    return cli_stop_signal != 0 || c->failed != PE_OK;
}

/* Remove frames a previous run left, so the sequence on disk is exactly this run's. */
static void clear_frames(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char path[PATH_MAX];
    while ((e = readdir(d)))
        if (!strncmp(e->d_name, "frame_", 6) && strstr(e->d_name, ".png") &&
            cli_join(path, sizeof path, dir, e->d_name))
            unlink(path);
    closedir(d);
}

static int count_frames(const char *dir)
{
    int n = 0;
    char name[64], path[PATH_MAX];
    for (;;) {
        snprintf(name, sizeof name, "frame_%05d.png", n + 1);
        if (!cli_join(path, sizeof path, dir, name) || access(path, F_OK) != 0)
            return n;
        n++;
    }
}

static int report_write_failure(const run_ctx *c)
{
    fprintf(stderr, "polyevolve: %s: %s\n", c->failed_path,
            c->failed == PE_ERR_IO && c->failed_errno ? strerror(c->failed_errno)
                                                      : pe_status_str(c->failed));
    return 1;
}

/* Take the input path and settings from DIR/state.json; command-line flags still win. */
static int load_resume(cli_options *o, pe_state *state, char *input, size_t input_len)
{
    char path[PATH_MAX];
    if (!cli_join(path, sizeof path, o->resume, "state.json")) {
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
    for (size_t i = 0; i < state->option_count; i++) {
        char err[256];
        const char *k = state->option_keys[i];
        if (!strcmp(k, "software") || !strcmp(k, "input") || !strcmp(k, CLI_INPUT_HASH_KEY))
            continue; /* the pictures' metadata, kept beside the settings */
        if (cli_apply(o, k, state->option_values[i], err, sizeof err)) {
            fprintf(stderr, "polyevolve: %s: %s\n", path, err);
            return 1;
        }
    }
    snprintf(input, input_len, "%s", state->input_path);
    o->output = o->resume;
    return 0;
}

/* Metadata must be valid text in SVG, PDF and PNG: bytes outside printable ASCII in the path
 * become '?' there (the state file keeps the real path). */
static void make_meta(run_ctx *c, const cli_options *o)
{
    size_t n = cli_settings(o, c->keys, c->values, MAX_META - 3);
    size_t i = 0;
    for (; c->input[i] && i < sizeof c->input_text - 1; i++) {
        const unsigned char ch = (unsigned char)c->input[i];
        c->input_text[i] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
    }
    c->input_text[i] = '\0';
    c->keys[n] = "software";
    c->values[n++] = "polyevolve " PE_VERSION_STRING;
    c->keys[n] = "input";
    c->values[n++] = c->input_text;
    c->keys[n] = CLI_INPUT_HASH_KEY; /* what --resume checks the image against */
    c->values[n++] = c->input_hash;
    c->meta = (pe_metadata){ c->keys, c->values, n };
}

/* -o must leave room for the longest path under it: snprintf would cut the name, and errno
 * would say nothing about it. Returns 0 or 2 (a usage error), with the message printed. */
static int check_output_length(const char *output)
{
    static const char longest[] = "/frames/frame_00000.png.tmp-XXXXXX";
    if (strlen(output) + sizeof longest <= PATH_MAX)
        return 0;
    fprintf(stderr, "polyevolve: -o: the output path is %zu bytes, above the limit of %zu\n",
            strlen(output), PATH_MAX - sizeof longest);
    return 2;
}

/* Load c->input into *img (freed here on failure) and check it before any work: the image of
 * the run being resumed (its content hash), a final.png the writers can make. Returns 0 or the
 * exit status, with the message printed. */
static int load_input(run_ctx *c, const pe_state *state, pe_image *img)
{
    const cli_options *o = c->o;
    const pe_load_limits lim = { .max_pixels = o->max_pixels };
    char why[PE_IMAGE_WHY_LEN];
    const pe_status st = pe_image_load_ex(c->input, &lim, img, why, sizeof why);
    if (st != PE_OK && cli_stop_signal) { /* a signal while blocked opening or reading a FIFO */
        fprintf(stderr, "polyevolve: %s: stopped by a signal before the image was read\n",
                c->input);
        return 128 + cli_stop_signal;
    }
    if (st != PE_OK) {
        fprintf(stderr, "polyevolve: %s: %s\n", c->input, why[0] ? why : pe_status_str(st));
        return 1;
    }
    cli_input_hash(img, c->input_hash);
    const char *was = NULL;
    for (size_t i = 0; o->resume && i < state->option_count; i++)
        if (!strcmp(state->option_keys[i], CLI_INPUT_HASH_KEY))
            was = state->option_values[i];
    int rc = 0, png_w, png_h;
    if (was && strcmp(was, c->input_hash)) { /* continuing on another picture mixes two runs */
        fprintf(stderr, "polyevolve: %s: not the image the run in %s began with (its content "
                "hash is %s, the state's %s); start a new run on it\n", c->input, o->resume,
                c->input_hash, was);
        rc = 1;
    } else if (cli_png_size(img->width, img->height, o->size, &png_w, &png_h, why, sizeof why)) {
        fprintf(stderr, "polyevolve: %s: final.png: %s\n", c->dir, why);
        rc = 2;
    }
    if (rc)
        pe_image_free(img);
    return rc;
}

/* final.png at -s. A render that fails (out of memory) is a failure of the run, and an
 * earlier run's final.png is removed: it would contradict the new state.json. */
static void write_final_png(run_ctx *c, const pe_result *res)
{
    const int size = c->o->size;
    const int w = size > 0 && res->width >= res->height ? size : 0;
    const int h = size > 0 && res->width < res->height ? size : 0;
    char path[PATH_MAX];
    pe_image big = { 0 };
    pe_status st = pe_render(res, w, h, &big);
    if (cli_join(path, sizeof path, c->dir, "final.png")) {
        if (st == PE_OK)
            st = cli_write_png_of(path, &big, &c->meta);
        else
            unlink(path);
        if (st != PE_OK)
            fail_at(c, path, st);
    }
    pe_image_free(&big);
}

/* --init STATE: the state's triangles scaled onto img, rounds starting again. */
static int init_start(const cli_options *o, const pe_image *img, pe_result *start)
{
    pe_state init = { 0 };
    if (!cli_read_state(o->init, &init))
        return 1;
    pe_warm_info info;
    const pe_status st = pe_warm_start(&init.result, NULL, img, &o->pe, start, &info);
    pe_state_free(&init);
    if (st != PE_OK) {
        fprintf(stderr, "polyevolve: %s: %s\n", o->init, pe_status_str(st));
        return 1;
    }
    return 0;
}

int cli_run(cli_options *o)
{
    static run_ctx c; /* large buffers; one run per process */
    memset(&c, 0, sizeof c);
    pe_state state = { 0 };
    char input[PATH_MAX];
    int rc = 0;
    static cli_artist art; /* --weight and --palette files */
    if (o->resume && (rc = load_resume(o, &state, input, sizeof input)) != 0)
        goto done;
    if (!o->resume && !realpath(o->input, input)) {
        fprintf(stderr, "polyevolve: %s: %s\n", o->input, strerror(errno));
        rc = 1;
        goto done;
    }
    if ((rc = cli_artist_load(o, &art)) != 0)
        goto done;
    c.o = o;
    c.input = input;
    c.tty = !o->quiet && isatty(2);
    if ((rc = check_output_length(o->output)) != 0)
        goto done;
    snprintf(c.dir, sizeof c.dir, "%s", o->output);
    if (!cli_join(c.frames_dir, sizeof c.frames_dir, c.dir, "frames") || cli_mkdir(c.dir) != 0 ||
        (o->pe.frames > 0 && cli_mkdir(c.frames_dir) != 0)) {
        fprintf(stderr, "polyevolve: %s: cannot create output directory: %s\n", o->output,
                strerror(errno));
        rc = 1;
        goto done;
    }
    if (o->resume) {
        c.frame_no = count_frames(c.frames_dir);
        load_log(&c); /* a resumed run goes on with the same log */
    }
    make_meta(&c, o);

    pe_image img = { 0 };
    if ((rc = load_input(&c, &state, &img)) != 0)
        goto done;
    pe_status st;
    o->pe.progress = on_progress;
    o->pe.progress_ctx = &c;
    o->pe.resume = o->resume ? &state.result : NULL;
    pe_result start = { 0 }; /* --init: that state moved onto this image */
    if (o->init && (rc = init_start(o, &img, &start)) != 0) {
        pe_image_free(&img);
        goto done;
    }
    if (o->init)
        o->pe.resume = &start;
    pe_result res = { 0 };
    st = pe_approximate(&img, &o->pe, &res);
    pe_image_free(&img);
    pe_result_free(&start);
    if (c.tty)
        fputc('\n', stderr);
    if (st == PE_ERR_INVALID_ARG) {
        /* a stale state file is a runtime problem; a grid too fine for the image is a usage one */
        const bool mask = !o->resume && !o->init && o->weight_path;
        fprintf(stderr, "polyevolve: %s: %s\n", mask ? o->weight_path : input,
                o->resume || o->init ? "the state file does not match this image and its settings"
                : mask ? "--tiles asks for more tiles than the working image has pixels, or "
                         "the --weight mask is black at the working size"
                       : "--tiles asks for more tiles than the working image has pixels");
        rc = o->resume || o->init ? 1 : 2;
        goto done;
    }
    if (st != PE_OK && st != PE_ERR_INTERRUPTED) {
        fprintf(stderr, "polyevolve: %s: %s\n", input, pe_status_str(st));
        rc = 1;
        goto done;
    }
    char path[PATH_MAX];
    pe_status wst;
    write_final_png(&c, &res);
    if (cli_join(path, sizeof path, c.dir, "final.svg") &&
        (wst = cli_write_svg_of(path, &res, &c.meta)) != PE_OK)
        fail_at(&c, path, wst);
    if (cli_join(path, sizeof path, c.dir, "final.pdf") &&
        (wst = cli_write_pdf_of(path, &res, &c.meta)) != PE_OK)
        fail_at(&c, path, wst);
    write_state(&c, &res);
    if (c.failed != PE_OK) {
        rc = report_write_failure(&c);
    } else {
        if (!o->quiet)
            printf("polyevolve: %zu triangles, PSNR %.2f dB at %dx%d, %" PRIu64
                   " evaluations -> %s\n",
                   res.count, res.psnr, res.work_width, res.work_height, res.evaluations, c.dir);
        rc = cli_stop_signal ? 128 + cli_stop_signal : 0;
    }
    pe_result_free(&res);
done:
    cli_artist_free(&art);
    pe_state_free(&state);
    free(c.last);
    free(c.log);
    return rc;
}
