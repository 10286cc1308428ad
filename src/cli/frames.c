/* frames: drawing, spacing and naming the frames of a run. */
#define _POSIX_C_SOURCE 200809L
#include "frames.h"

#include "output.h"
#include "sizes.h"
#include "targets.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct cli_frame_cand {
    pe_progress p; /* canvas cleared: only the numbers are kept */
    pe_result res;
};

static bool frame_path(const cli_frames *f, int number, char *buf, size_t len)
{
    if (f->pattern)
        return cli_pattern_name(buf, len, f->pattern, number) != NULL;
    char name[64];
    snprintf(name, sizeof name, "frame_%05d.png", number);
    return cli_join(buf, len, f->dir, name) != NULL;
}

int cli_frames_count(const char *dir)
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

static void fail_at(cli_frames *f, const char *path, pe_status st)
{
    if (f->failed != PE_OK)
        return;
    f->failed = st;
    f->failed_errno = errno;
    snprintf(f->failed_path, sizeof f->failed_path, "%s", path);
}

/* Remove the frames an earlier run left in DIR/frames, so the sequence on disk is this run's;
 * only once this run has a frame to show (a run that fails early leaves them alone). */
static void clear_old(cli_frames *f)
{
    if (f->cleared || f->keep_old || !f->dir)
        return;
    f->cleared = true;
    DIR *d = opendir(f->dir);
    if (!d)
        return;
    struct dirent *e;
    char path[PATH_MAX];
    while ((e = readdir(d)))
        if (!strncmp(e->d_name, "frame_", 6) && strstr(e->d_name, ".png") &&
            cli_join(path, sizeof path, f->dir, e->d_name))
            unlink(path);
    closedir(d);
}

/* A frame made ready for writing: res drawn at the frame size, encoded as PNG for the files
 * and prepared for the animations. Frames are made on all threads and written in order by
 * one. */
typedef struct frame_job {
    const pe_progress *p;
    const pe_result *res;
    char *png; /* malloc'ed, when there are frame files */
    size_t len;
    cli_anims_frame *anim; /* when there are animations */
    bool anim_only;        /* the final picture ending the animations of a linear run */
    pe_status st;
} frame_job;

/* The frames being made and written (cli_make_put). */
typedef struct frame_run {
    cli_frames *f;
    frame_job *jobs;
    size_t n;  /* frames in this batch */
    bool late; /* written after the run (psnr spacing, the animations' last picture) */
} frame_run;

static bool has_files(const cli_frames *f)
{
    return f->dir || f->pattern;
}

static const char *anim_names(const cli_frames *f)
{
    return f->anim_names ? f->anim_names : "the animation";
}

/* A resumed run's animations are made at the end from all the frame files, the earlier run's
 * included: they show the whole work, not its second part. */
static bool anims_from_files(const cli_frames *f)
{
    return f->anims && f->keep_old && has_files(f);
}

static void make_frame(void *ctx, size_t i)
{
    const frame_run *r = ctx;
    frame_job *j = &r->jobs[i];
    const cli_frames *f = r->f; /* read here: size, meta and anims, which no put changes */
    const pe_result *res = j->res;
    const int w = f->size > 0 && res->width >= res->height ? f->size : 0;
    const int h = f->size > 0 && res->width < res->height ? f->size : 0;
    pe_image img = { 0 };
    j->st = pe_render(res, w, h, &img);
    if (j->st == PE_OK && has_files(f) && !j->anim_only)
        j->st = cli_png_encode(&img, f->meta, &j->png, &j->len);
    if (j->st == PE_OK && f->anims && (j->anim_only || !anims_from_files(f)))
        j->st = cli_anims_prepare(f->anims, &img, &j->anim); /* takes the pixels */
    pe_image_free(&img);
}

static void anims_failed(cli_frames *f)
{
    const char *why = cli_anims_error(f->anims);
    if (f->failed == PE_OK)
        snprintf(f->failed_why, sizeof f->failed_why, "%s", why ? why : "animation failed");
    fail_at(f, "animation", PE_ERR_IO);
}

static void free_job(frame_job *j)
{
    free(j->png);
    j->png = NULL;
    cli_anims_frame_free(j->anim);
    j->anim = NULL;
}

/* Say that the i-th frame of r was put (file: written as a file; same: not, as it is the frame
 * before). A frame written after the run shows an earlier point of it: its line gives that
 * point's time as such, and the bar counts the batch. */
static void said(const frame_run *r, size_t i, bool file, bool same)
{
    const cli_frames *f = r->f;
    cli_progress *pr = f->progress;
    const frame_job *j = &r->jobs[i];
    if (!pr || j->anim_only)
        return;
    char what[64], at[48] = "", pos[48];
    cli_progress_describe(pr, j->res, true, what, sizeof what);
    if (r->late) {
        snprintf(pos, sizeof pos, "%zu/%zu", i + 1, r->n);
        snprintf(at, sizeof at, "the picture at %.2fs: ", pr->run0 + j->p->wall_seconds);
    } else if (file || same) {
        snprintf(pos, sizeof pos, "%d/%d", f->written + (same ? 1 : 0), f->total);
    } else {
        snprintf(pos, sizeof pos, "%d", cli_anims_count(f->anims));
    }
    if (same)
        cli_progress_line(pr, "frame %s not written: the same picture as the frame before", pos);
    else
        cli_progress_line(pr, "frame %s %s%s (%s%s, PSNR %.2f dB)", pos,
                          file ? "written" : "added to ", file ? "" : anim_names(f), at, what,
                          j->p->psnr);
    if (r->late)
        cli_progress_tick(pr, (long)(i + 1));
}

/* Put a made frame: written as the next file, unless it is exactly the previous one (a video
 * gains nothing from it; the same pixels and metadata encode to the same bytes), and appended
 * to the animations. Takes j's buffers. */
static void put_frame(const frame_run *r, size_t i)
{
    cli_frames *f = r->f;
    frame_job *j = &r->jobs[i];
    char path[PATH_MAX] = "frame";
    if (f->failed == PE_OK && j->st != PE_OK)
        fail_at(f, path, j->st);
    /* frame files never go past --frames (a resumed run's included); the animations take all */
    const bool file = has_files(f) && !j->anim_only && !(f->total > 0 && f->written >= f->total);
    const bool anim = f->anims && (j->anim_only || !anims_from_files(f));
    if (f->failed != PE_OK || (!file && !anim)) {
        free_job(j);
        return;
    }
    if (file && f->last && f->last_len == j->len && !memcmp(f->last, j->png, j->len)) {
        said(r, i, false, true);
        free_job(j);
        return;
    }
    pe_status st;
    if (file) {
        clear_old(f);
        if (!frame_path(f, f->written + 1, path, sizeof path)) {
            errno = ENAMETOOLONG;
            fail_at(f, f->pattern ? f->pattern : f->dir, PE_ERR_IO);
        } else if ((st = cli_write_text(path, j->png, j->len)) != PE_OK) {
            fail_at(f, path, st);
        } else {
            f->written++;
            free(f->last);
            f->last = (unsigned char *)j->png; /* kept to compare with the next one */
            f->last_len = j->len;
            j->png = NULL;
        }
    }
    if (f->failed == PE_OK && anim) {
        const int put = cli_anims_put(f->anims, j->anim);
        j->anim = NULL;
        if (put != 0)
            anims_failed(f);
    }
    if (f->failed == PE_OK && !j->anim_only && f->on_frame)
        f->on_frame(f->ctx, j->p, file ? f->written : cli_anims_count(f->anims));
    if (f->failed == PE_OK)
        said(r, i, file, false);
    free_job(j);
}

static bool put_frame_at(void *ctx, size_t i)
{
    frame_run *r = ctx;
    put_frame(r, i);
    return r->f->failed == PE_OK;
}

/* Make and write these frames in order (cli_make_put: chunks of cli_png_chunk, smaller when
 * the animations' prepared frames wait in memory). */
static void write_frames(cli_frames *f, const pe_progress *const *p, const pe_result *const *res,
                         size_t n, bool anim_only, bool late, int threads)
{
    frame_run r = { f, calloc(n > 0 ? n : 1, sizeof *r.jobs), n, late };
    if (!r.jobs) {
        fail_at(f, "frames", PE_ERR_NOMEM);
        return;
    }
    for (size_t i = 0; i < n; i++)
        r.jobs[i] = (frame_job){ .p = p[i], .res = res[i], .anim_only = anim_only };
    size_t chunk = n > 0 ? cli_png_chunk(res[0], f->size) : 1;
    if (n > 0 && f->anims) {
        int w, h;
        char err[8];
        cli_png_size(res[0]->width, res[0]->height, f->size, &w, &h, err, sizeof err);
        chunk = cli_anims_chunk(f->anims, chunk, w, h);
    }
    cli_make_put(threads, n, chunk, make_frame, put_frame_at, &r);
    for (size_t i = 0; i < n; i++) /* made and not written (a write failed) */
        free_job(&r.jobs[i]);
    free(r.jobs);
}

int cli_frames_anims(cli_frames *f, const cli_options *o, const cli_targets *tg)
{
    const char *paths[CLI_MAX_OUTPUTS];
    int n = 0;
    for (int i = 0; i < tg->n; i++)
        if (tg->t[i].kind == CLI_T_ANIM)
            paths[n++] = tg->t[i].path;
    if (n == 0)
        return 0;
    if (o->pe.frames == 0) {
        fprintf(stderr, "polyevolve: %s: an animation is made of the frames: --frames 0 leaves "
                "none\n", paths[0]);
        return 2;
    }
    char why[PATH_MAX + 256];
    if (cli_anims_create(paths, n, CLI_ANIM_FPS, o->hold, &f->anims, why, sizeof why) != 0) {
        fprintf(stderr, "polyevolve: %s\n", why);
        return 1;
    }
    f->max = o->pe.frames;
    return 0;
}

/* Keep every candidate at least gap dB above the one before it (and the first). */
static void thin(cli_frames *f)
{
    size_t k = 1;
    for (size_t i = 1; i < f->ncand; i++) {
        if (f->cand[i].p.psnr >= f->cand[k - 1].p.psnr + f->gap)
            f->cand[k++] = f->cand[i];
        else
            pe_result_free(&f->cand[i].res);
    }
    f->ncand = k;
}

static void add_candidate(cli_frames *f, const pe_progress *p, const pe_result *partial)
{
    if (f->ncand > 0 && !(p->psnr > f->cand[f->ncand - 1].p.psnr + f->gap))
        return;
    if (f->ncand == f->cap) {
        /* full: double the spacing until a quarter is free */
        const double range = p->psnr - f->cand[0].p.psnr;
        if (f->gap <= 0.0)
            f->gap = range > 0.0 ? range / (double)f->cap : 1e-3;
        while (f->ncand > f->cap * 3 / 4) {
            f->gap *= 2.0;
            thin(f);
        }
        if (f->ncand > 0 && !(p->psnr > f->cand[f->ncand - 1].p.psnr + f->gap))
            return;
    }
    cli_frame_cand *c = &f->cand[f->ncand];
    if (pe_result_copy(partial, &c->res) != PE_OK)
        return; /* out of memory: one frame fewer to choose from */
    c->p = *p;
    c->p.canvas = NULL;
    f->ncand++;
}

void cli_frames_step(cli_frames *f, const pe_progress *p, const pe_result *partial)
{
    if (f->max <= 0 || f->failed != PE_OK || !(p->psnr > f->floor_psnr))
        return;
    if (!f->by_psnr) {
        if (p->frame)
            /* during the run, on the thread of its progress report: no region of its own */
            write_frames(f, &p, &partial, 1, false, false, 1);
        return;
    }
    if (!f->cand) {
        enum { MAX_CAND = 4112 };
        const size_t per = (size_t)(f->triangles > 0 ? f->triangles : 1) * sizeof(pe_triangle);
        const size_t by_memory = ((size_t)256 << 20) / per;
        f->cap = (size_t)f->max * 4 + 16;
        f->cap = f->cap < MAX_CAND ? f->cap : MAX_CAND;
        f->cap = f->cap < by_memory ? f->cap : by_memory < 64 ? 64 : by_memory;
        f->cand = calloc(f->cap, sizeof *f->cand);
        if (!f->cand)
            return;
    }
    add_candidate(f, p, partial);
}

/* Greedy picks at spacing delta: the first candidate, then each next one at least delta above
 * the last pick. Writes up to cap indices into pick; returns how many there would be. */
static size_t picks(const cli_frames *f, double delta, size_t *pick, size_t cap)
{
    size_t n = 0;
    double last = 0.0;
    for (size_t i = 0; i < f->ncand; i++) {
        if (n > 0 && f->cand[i].p.psnr < last + delta)
            continue;
        if (n < cap)
            pick[n] = i;
        n++;
        last = f->cand[i].p.psnr;
    }
    return n;
}

/* n frames are written now, after the run: say so, and name the phase on the bar. */
static void begin_batch(const cli_frames *f, size_t n)
{
    cli_progress *pr = f->progress;
    if (!pr || n == 0)
        return;
    char where[PATH_MAX + 32];
    if (f->pattern)
        snprintf(where, sizeof where, "%s", f->pattern);
    else
        snprintf(where, sizeof where, "%s/frame_NNNNN.png", f->dir ? f->dir : ".");
    if (has_files(f) && f->anims) {
        cli_progress_phase(pr, (long)n, "writing frames and %s", anim_names(f));
        cli_progress_line(pr, "writing the %zu frames chosen by PSNR (%s) and %s", n, where,
                          anim_names(f));
    } else if (has_files(f)) {
        cli_progress_phase(pr, (long)n, "writing frames");
        cli_progress_line(pr, "writing the %zu frames chosen by PSNR (%s)", n, where);
    } else {
        cli_progress_phase(pr, (long)n, "encoding %s", anim_names(f));
        cli_progress_line(pr, "encoding the %zu frames chosen by PSNR into %s", n, anim_names(f));
    }
}

/* psnr spacing: write the frames chosen among the candidates, the final picture last. */
static void write_chosen(cli_frames *f, const pe_progress *final_point, const pe_result *res)
{
    const size_t want = (size_t)f->max;
    size_t *pick = malloc((f->ncand + 1) * sizeof *pick);
    if (!pick) {
        fail_at(f, "frames", PE_ERR_NOMEM);
        return;
    }
    /* the largest spacing that still gives want frames (bisection: fewer picks as it grows) */
    double lo = 0.0, hi = final_point->psnr - (f->ncand ? f->cand[0].p.psnr : 0.0);
    for (int it = 0; it < 60 && hi > 0.0; it++) {
        const double mid = 0.5 * (lo + hi);
        if (picks(f, mid, pick, 0) >= want)
            lo = mid;
        else
            hi = mid;
    }
    size_t n = picks(f, lo, pick, f->ncand);
    if (n > f->ncand)
        n = f->ncand;
    /* the last frame is the final picture itself: drop picks past want - 1 and any pick that
     * is already (or is no better than) the final one */
    if (n > want - 1)
        n = want - 1;
    while (n > 0 && !(f->cand[pick[n - 1]].p.psnr < final_point->psnr))
        n--;
    const bool last = final_point->psnr > f->floor_psnr;
    const pe_progress **ps = malloc((n + 1) * sizeof *ps);
    const pe_result **rs = malloc((n + 1) * sizeof *rs);
    if (ps && rs) {
        for (size_t i = 0; i < n; i++) {
            ps[i] = &f->cand[pick[i]].p;
            rs[i] = &f->cand[pick[i]].res;
        }
        ps[n] = final_point;
        rs[n] = res;
        begin_batch(f, n + (last ? 1 : 0));
        write_frames(f, ps, rs, n + (last ? 1 : 0), false, true, f->threads);
    } else {
        fail_at(f, "frames", PE_ERR_NOMEM);
    }
    free(ps);
    free(rs);
    free(pick);
}

void cli_frames_finish(cli_frames *f, const pe_progress *final_point, const pe_result *res)
{
    if (f->max > 0 && f->failed == PE_OK) {
        if (f->by_psnr)
            write_chosen(f, final_point, res);
        else if (f->anims && !anims_from_files(f)) /* they end on the final picture */
            write_frames(f, &final_point, &res, 1, true, true, f->threads);
    }
    if (!f->anims || f->failed != PE_OK)
        return;
    cli_progress *pr = f->progress;
    char path[PATH_MAX];
    if (anims_from_files(f) && f->written > 0) {
        cli_progress_phase(pr, f->written, "encoding %s", anim_names(f));
        cli_progress_line(pr, "encoding %s from the %d frame files", anim_names(f), f->written);
    }
    for (int k = 1; anims_from_files(f) && k <= f->written && f->failed == PE_OK; k++) {
        if (!frame_path(f, k, path, sizeof path) || cli_anims_put_file(f->anims, path) != 0)
            anims_failed(f);
        cli_progress_tick(pr, k);
    }
    if (f->failed == PE_OK && cli_anims_count(f->anims) == 0) /* a run with nothing left to do */
        write_frames(f, &final_point, &res, 1, true, true, f->threads);
    if (f->failed == PE_OK) {
        cli_progress_phase(pr, 0, "finishing %s", anim_names(f));
        cli_progress_line(pr, "finishing %s", anim_names(f));
    }
    if (f->failed == PE_OK && cli_anims_finish(f->anims) != 0)
        anims_failed(f);
}

void cli_frames_free(cli_frames *f)
{
    for (size_t i = 0; i < f->ncand; i++)
        pe_result_free(&f->cand[i].res);
    free(f->cand);
    free(f->last);
    cli_anims_free(f->anims); /* removes an unfinished animation's temporary file */
    f->anims = NULL;
    f->cand = NULL;
    f->last = NULL;
    f->ncand = 0;
}
