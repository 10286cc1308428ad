/* sequence: approximate the frames of a sequence (image files in order, a directory, or a
 * video) so that the picture stays coherent: frame k starts from frame k - 1's triangles,
 * moved with the camera (pe_warm_start), and refines them; a scene cut or a keyframe starts
 * cold. Each frame's PNG, SVG and state are written before the next starts, so --resume goes
 * on after the last complete frame and gives the same bytes as an uninterrupted run. */
#define _XOPEN_SOURCE 700
#include "sequence_int.h"

#include "anim.h"
#include "output.h"
#include "run.h"
#include "video.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static bool frame_path(const seq_ctx *c, char *out, size_t len, int num, const char *ext)
{
    char name[64];
    snprintf(name, sizeof name, "frame_%05d.%s", num, ext);
    return cli_join(out, len, strcmp(ext, "json") ? c->dir : c->states, name);
}

static void log_add(seq_ctx *c, const char *row)
{
    if (c->log)
        fputs(row, c->log);
}

/* A resumed sequence keeps the log rows of the frames it keeps: those numbered below upto. */
static void log_load(seq_ctx *c, int upto)
{
    char path[PATH_MAX], line[1024];
    log_add(c, "frame,input,start,dx,dy,psnr,cpu_seconds,evaluations\n");
    FILE *f = c->o->resume && cli_join(path, sizeof path, c->dir, c->csv)
                  ? fopen(path, "r") : NULL;
    while (f && fgets(line, sizeof line, f))
        if (line[0] >= '0' && line[0] <= '9' && atoi(line) < upto)
            log_add(c, line);
    if (f)
        fclose(f);
}

/* The options in every picture and state, plus the software, the frame's input and number. */
static pe_metadata frame_meta(seq_ctx *c, const char *name, int num)
{
    size_t i = 0;
    for (; name[i] && i < sizeof c->name_text - 1; i++) {
        const unsigned char ch = (unsigned char)name[i];
        c->name_text[i] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
    }
    c->name_text[i] = '\0';
    snprintf(c->frame_text, sizeof c->frame_text, "%d", num);
    size_t n = c->nmeta;
    c->keys[n] = "input";
    c->values[n++] = c->name_text;
    c->keys[n] = "frame";
    c->values[n++] = c->frame_text;
    c->keys[n] = CLI_INPUT_HASH_KEY; /* what a resume checks a kept frame against */
    c->values[n++] = c->hash;
    return (pe_metadata){ c->keys, c->values, n };
}

typedef struct state_job {
    const pe_result *res;
    const char *input;
    const pe_metadata *meta;
} state_job;

static pe_status state_fn(FILE *f, const void *ctx)
{
    const state_job *j = ctx;
    return pe_state_write(f, j->res, j->input, j->meta);
}

/* The log so far as DIR/sequence.csv, claimed as this run's; on failure its path in path. */
static pe_status write_log(seq_ctx *c, char *path, size_t len)
{
    char log_path[PATH_MAX];
    if (!cli_join(log_path, sizeof log_path, c->dir, c->csv))
        return PE_OK;
    errno = 0;
    const pe_status st =
        fflush(c->log) == 0 ? cli_write_text(log_path, c->log_text, c->log_len) : PE_ERR_NOMEM;
    if (st != PE_OK)
        snprintf(path, len, "%s", log_path);
    else
        cli_claim_wrote(c->claim, log_path);
    return st;
}

/* PNG, SVG, then the state: a frame whose state exists is complete. 0 or 1 after a message. */
static int write_frame(seq_ctx *c, const pe_result *res, const char *name, int num)
{
    const pe_metadata meta = frame_meta(c, name, num);
    const int size = c->o->size;
    pe_image big = { 0 };
    char path[PATH_MAX] = "";
    pe_status st = pe_render(res, size > 0 && res->width >= res->height ? size : 0,
                             size > 0 && res->width < res->height ? size : 0, &big);
    if (st == PE_OK && frame_path(c, path, sizeof path, num, "png") &&
        (st = cli_write_png_of(path, &big, &meta)) == PE_OK)
        cli_claim_wrote(c->claim, path);
    pe_image_free(&big);
    double w, h; /* -s sizes the SVG too */
    cli_longest_side(res, size, &w, &h);
    if (st == PE_OK && frame_path(c, path, sizeof path, num, "svg") &&
        (st = cli_write_svg_of(path, res, w, h, &meta)) == PE_OK)
        cli_claim_wrote(c->claim, path);
    const state_job j = { res, c->name_text, &meta };
    if (st == PE_OK && frame_path(c, path, sizeof path, num, "json") &&
        (st = cli_write_atomic(path, state_fn, &j)) == PE_OK)
        cli_claim_wrote(c->claim, path);
    if (st == PE_OK && (st = write_log(c, path, sizeof path)) == PE_OK)
        return 0;
    fprintf(stderr, "polyevolve: %s: %s\n", path[0] ? path : c->dir,
            st == PE_ERR_IO && errno ? strerror(errno) : pe_status_str(st));
    return 1;
}

/* The bar: the sequence's share, frame k/N, the frame's phase and PSNR, elapsed and ETA. */
static bool on_progress(const pe_progress *p, const pe_result *partial, void *ctx)
{
    seq_ctx *c = ctx;
    cli_progress *pr = &c->pr;
    if (!pr->tty)
        return cli_stop_signal != 0;
    char ph[48], pos[48], eta[32] = "", text[200];
    cli_progress_describe(pr, partial, false, ph, sizeof ph);
    double fraction = p->fraction;
    if (c->count > c->index) {
        fraction = (c->index + p->fraction) / c->count;
        /* frames made so far, this one's share included: the time they took per frame */
        const double done = c->made + p->fraction, spent = c->spent + p->wall_seconds;
        snprintf(pos, sizeof pos, "%3.0f%% frame %d/%d", 100.0 * fraction, c->index + 1,
                 c->count);
        if (done > 0.01)
            snprintf(eta, sizeof eta, " ETA %.0fs",
                     spent / done * (c->count - c->index - p->fraction));
    } else {
        snprintf(pos, sizeof pos, "frame %d", c->index + 1);
    }
    snprintf(text, sizeof text, "%s %s %.1fs%s PSNR %.2f", pos, ph, cli_progress_time(pr), eta,
             p->psnr);
    cli_progress_bar(pr, fraction, text, false);
    return cli_stop_signal != 0;
}

/* "3/24" (or "3" when the count is not known), and the file's number when it is another. */
static void position(const seq_ctx *c, int num, char *buf, size_t len)
{
    const int n = c->count > c->index ? snprintf(buf, len, "%d/%d", c->index + 1, c->count)
                                      : snprintf(buf, len, "%d", c->index + 1);
    if (num != c->index + 1 && n > 0 && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, " (frame_%05d)", num);
}

/* A frame is done: its -v line. */
static void frame_said(seq_ctx *c, int num, const pe_result *res, bool kept)
{
    char pos[64];
    position(c, num, pos, sizeof pos);
    if (kept) {
        cli_progress_line(&c->pr, "frame %s kept, made by an earlier run (PSNR %.2f dB)", pos,
                          res->psnr);
        return;
    }
    char how[96];
    if (!strcmp(c->kind, "warm"))
        snprintf(how, sizeof how, "warm start, moved %.1f, %.1f px", c->info.dx,
                 c->info.dy);
    else
        snprintf(how, sizeof how, "%s", !strcmp(c->kind, "cut") ? "scene cut: cold start"
                                                                : "cold start");
    cli_progress_line(&c->pr, "frame %s written (%s): %zu triangles, PSNR %.2f dB, %.2fs of CPU",
                      pos, how, res->count, res->psnr, c->cpu);
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* One frame: warm from prev (moved with the camera) unless it is a keyframe or a scene cut.
 * *res receives the result. 0, 1 after a message, or 128 + signal. */
static int run_frame(seq_ctx *c, const pe_result *prev, const pe_image *prev_img,
                     const pe_image *img, const char *name, int num, pe_result *res)
{
    const cli_options *o = c->o;
    pe_options opt = o->pe;
    opt.frames = 0;
    opt.progress = on_progress;
    opt.progress_ctx = c;
    opt.cancel = &cli_stop_signal; /* a signal stops the frame within one batch, as a run */
    pe_warm_info info = { 0 };
    pe_result start = { 0 };
    const char *kind = "cold";
    frame_meta(c, name, num); /* the printable name, for the log row */
    const double cpu0 = cpu_now(); /* the frame's CPU: finding the start counts too */
    const double t = cli_progress_time(&c->pr);
    if (prev) {
        const pe_status st = pe_warm_start(prev, prev_img, img, &o->pe, &start, &info);
        if (st != PE_OK) {
            fprintf(stderr, "polyevolve: %s: %s\n", name, pe_status_str(st));
            return 1;
        }
        kind = info.cut ? "cut" : "warm";
        if (!info.cut) {
            opt.resume = &start;
            opt.iterations = o->warm_iterations;
            opt.steady = true; /* a regrown triangle would jump between frames */
        }
    }
    c->pr.triangles = opt.triangles;
    c->pr.rounds = opt.iterations > 0 ? opt.iterations
                   : opt.time_limit > 0 ? 0
                                        : PE_DEFAULT_ROUNDS;
    const pe_status st = pe_approximate(img, &opt, res);
    const double cpu = cpu_now() - cpu0;
    /* cleared between frames: what is said next (an error) starts on a line of its own */
    cli_progress_end(&c->pr);
    c->spent += cli_progress_time(&c->pr) - t;
    c->made++;
    c->kind = kind;
    c->info = info;
    c->cpu = cpu;
    pe_result_free(&start);
    if (st == PE_ERR_INTERRUPTED || cli_stop_signal) /* the frame is done again on --resume */
        return 128 + (cli_stop_signal ? cli_stop_signal : 2);
    if (st != PE_OK) {
        fprintf(stderr, "polyevolve: %s: %s\n", name,
                st == PE_ERR_INVALID_ARG ? "the --weight mask is black at the working size"
                                         : pe_status_str(st));
        return st == PE_ERR_INVALID_ARG ? 2 : 1;
    }
    char row[PATH_MAX + 160], quoted[PATH_MAX];
    size_t q = 0; /* the name as a CSV field: commas and quotes would split it */
    for (const char *s = c->name_text; *s && q < sizeof quoted - 1; s++)
        quoted[q++] = *s == ',' || *s == '"' ? '_' : *s;
    quoted[q] = '\0';
    snprintf(row, sizeof row, "%d,%s,%s,%.3f,%.3f,%.4f,%.3f,%" PRIu64 "\n", num, quoted, kind,
             info.dx, info.dy, res->psnr, cpu, res->evaluations);
    log_add(c, row);
    return 0;
}

static const char *stored(const pe_state *st, const char *key)
{
    for (size_t i = 0; i < st->option_count; i++)
        if (!strcmp(st->option_keys[i], key))
            return st->option_values[i];
    return NULL;
}

/* A kept frame must be what this sequence would make there, as a run's resume checks: the same
 * input (by content) and the settings that define its picture. 0, or the exit status with one
 * line in why. */
static int kept_frame_ok(const seq_ctx *c, const pe_state *st, const char *path, char *why,
                         size_t why_len)
{
    static const char *const fixed[] = { "triangles", "resize", "seed",     "background",
                                         "alpha",     "weight", "palette",  "size",
                                         "warm-iterations", "keyframe-every" };
    const char *was = stored(st, CLI_INPUT_HASH_KEY);
    if (!was) {
        snprintf(why, why_len, "%s records no input-hash (made by an older polyevolve): it cannot "
                 "be checked against its input; give --force to make the frame again", path);
        return 1;
    }
    if (strcmp(was, c->hash)) {
        snprintf(why, why_len, "%s was made from another picture than %s (content hash %s, this "
                 "input's %s): start the sequence in another directory, or give --force to make "
                 "the frame again", path, c->name_text, was, c->hash);
        return 1;
    }
    for (size_t k = 0; k < sizeof fixed / sizeof fixed[0]; k++) {
        const char *now = NULL, *then = stored(st, fixed[k]);
        for (size_t i = 0; i < c->nmeta && !now; i++)
            if (!strcmp(c->keys[i], fixed[k]))
                now = c->values[i];
        if (now && then && strcmp(now, then)) {
            snprintf(why, why_len, "%s was made with --%s %s, this sequence has %s: give "
                     "--%s %s as before, start the sequence in another directory, or give --force "
                     "to make the frame again", path, fixed[k], then, now, fixed[k], then);
            return 2;
        }
    }
    return 0;
}

/* A frame an earlier run completed (an interrupted run, or the keyframe pass), checked against
 * img: its state into *out. 1: complete and loaded; 0: it must be made; < 0: -(exit status)
 * after a message. */
static int load_done(seq_ctx *c, int num, const pe_image *img, const char *name, pe_result *out)
{
    char path[PATH_MAX], png[PATH_MAX], svg[PATH_MAX];
    if (!c->o->resume || !frame_path(c, path, sizeof path, num, "json") ||
        !frame_path(c, png, sizeof png, num, "png") ||
        !frame_path(c, svg, sizeof svg, num, "svg") || access(path, F_OK) != 0 ||
        access(png, F_OK) != 0 || access(svg, F_OK) != 0)
        return 0;
    pe_state st = { 0 };
    if (pe_state_read(path, &st) != PE_OK)
        return 0; /* unreadable: made again */
    cli_input_hash(img, c->hash);
    frame_meta(c, name, num);
    char why[3 * PATH_MAX];
    const int rc = kept_frame_ok(c, &st, path, why, sizeof why);
    if (rc && !c->o->force) {
        fprintf(stderr, "polyevolve: %s\n", why);
        pe_state_free(&st);
        return -rc;
    }
    if (rc) { /* --force: made again */
        pe_state_free(&st);
        return 0;
    }
    *out = st.result;
    memset(&st.result, 0, sizeof st.result);
    pe_state_free(&st);
    cli_claim_wrote(c->claim, path); /* kept: this run's from now on */
    cli_claim_wrote(c->claim, png);
    cli_claim_wrote(c->claim, svg);
    return 1;
}

static void tick(void *ctx, int done)
{
    cli_progress_tick(ctx, done);
}

/* A video input's frames as DIR/video.mp4, at its frame rate (consecutive numbers only: not
 * the keyframe pass). 0, or 1 after one line. */
static int finish_video(seq_ctx *c, const cli_seq_source *src, int frames)
{
    char pattern[PATH_MAX], mp4[PATH_MAX], why[PATH_MAX + 256];
    if (!src->video || frames == 0 || c->o->frame_step != 1 ||
        !cli_join(pattern, sizeof pattern, c->dir, "frame_%05d.png") ||
        !cli_join(mp4, sizeof mp4, c->dir, "video.mp4"))
        return 0;
    cli_progress *pr = &c->pr;
    cli_progress_phase(pr, frames, "encoding video.mp4");
    cli_progress_line(pr, "encoding %s from the %d frames", mp4, frames);
    const int rc = cli_anim_from_files(pattern, c->o->first_frame, frames, mp4,
                                       cli_video_fps(src->video), 0.0, tick, pr, why, sizeof why);
    cli_progress_end(pr);
    if (rc == 0) {
        cli_claim_wrote(c->claim, mp4);
        return 0;
    }
    fprintf(stderr, "polyevolve: %s (the frames are written)\n", why);
    return 1;
}

/* The picture a frame starts from: the previous frame's, and for a keyframe the previous
 * keyframe's (so keyframes chain among themselves and chunks that start at them need nothing
 * from the chunk before). */
typedef struct seq_link {
    pe_result res;
    pe_image img;
    bool have;
} seq_link;

static void link_free(seq_link *l)
{
    pe_result_free(&l->res);
    pe_image_free(&l->img);
    l->have = false;
}

/* Keep a copy of res and img in l. False when out of memory. */
static bool link_copy(seq_link *l, const pe_result *res, const pe_image *img)
{
    link_free(l);
    const size_t n = (size_t)img->width * (size_t)img->height * 4;
    if (pe_result_copy(res, &l->res) != PE_OK || !(l->img.rgba = malloc(n)))
        return false;
    memcpy(l->img.rgba, img->rgba, n);
    l->img.width = img->width;
    l->img.height = img->height;
    l->have = true;
    return true;
}

/* What frame num starts from: NULL for cold. 0, or 1 after a message (a keyframe whose
 * predecessor keyframe this run does not have). */
static int base_of(const cli_options *o, int num, const seq_link *prev, const seq_link *kf,
                   const seq_link **base)
{
    const bool key = o->keyframe_every > 0 && (num - 1) % o->keyframe_every == 0;
    *base = key ? (kf->have ? kf : NULL) : (prev->have ? prev : NULL);
    if (key && num > 1 && !kf->have) {
        fprintf(stderr, "polyevolve: frame %d is a keyframe, started from keyframe %d: make the "
                        "keyframes first into %s (every %d-th frame with --frame-step %d)\n",
                num, num - o->keyframe_every, o->output, o->keyframe_every, o->keyframe_every);
        return 1;
    }
    return 0;
}

/* A damaged video: which frames were lost, and (without --allow-damaged) a failure. */
static int check_damage(const cli_options *o, const cli_seq_source *src)
{
    char why[512];
    if (!src->video || cli_video_damage(src->video, why, sizeof why) == 0)
        return 0;
    fprintf(stderr, "polyevolve: %s: %s%s\n", src->video_path, why,
            o->allow_damaged ? " (--allow-damaged: the frames read are the sequence)"
                             : "; the frames read are written: give --allow-damaged to accept "
                               "them");
    return o->allow_damaged ? 0 : 1;
}

int cli_sequence(cli_options *o)
{
    const double t0 = cli_clock();
    seq_ctx *c = calloc(1, sizeof *c);
    if (!c) {
        fprintf(stderr, "polyevolve: out of memory\n");
        return 1;
    }
    cli_seq_source src;
    int rc = cli_seq_source_open(&src, o);
    if (rc == 0)
        rc = cli_seq_setup(c, o, &src);
    cli_progress_init(&c->pr, o->quiet, o->verbose, t0);
    if (rc == 0) {
        const int64_t n = src.video ? cli_video_frames(src.video) : src.nfiles;
        c->count = n > 0 && n < INT_MAX ? (int)n : 0;
    }
    seq_link prev = { 0 }, kf = { 0 };
    bool logged = false, ended = false; /* ended: the source was read to its end */
    int k = 0, made = 0;
    char name[PATH_MAX];
    double psnr_sum = 0.0;
    for (; rc == 0; k++) {
        pe_image img = { 0 };
        const int r = cli_seq_source_next(&src, o, &img, name, sizeof name);
        if (r <= 0) {
            ended = r == 0;
            rc = r < 0 ? 1 : 0;
            break;
        }
        const int num = o->first_frame + k * o->frame_step;
        pe_result res = { 0 };
        const seq_link *base = NULL;
        c->index = k;
        const int done = load_done(c, num, &img, name, &res);
        if (done < 0) {
            rc = -done;
        } else if (done) {
            rc = 0;
            frame_said(c, num, &res, true);
        } else if ((rc = base_of(o, num, &prev, &kf, &base)) == 0) {
            if (!logged)
                log_load(c, num);
            logged = true;
            cli_input_hash(&img, c->hash);
            rc = run_frame(c, base ? &base->res : NULL, base ? &base->img : NULL, &img, name,
                           num, &res);
            if (rc == 0)
                rc = write_frame(c, &res, name, num);
            if (rc == 0)
                frame_said(c, num, &res, false);
            psnr_sum += res.psnr;
            made++;
        }
        const bool key = o->keyframe_every > 0 && (num - 1) % o->keyframe_every == 0;
        if (rc == 0 && ((key && !link_copy(&kf, &res, &img)) || !link_copy(&prev, &res, &img))) {
            fprintf(stderr, "polyevolve: out of memory\n");
            rc = 1;
        }
        pe_result_free(&res);
        pe_image_free(&img);
    }
    if (rc == 0 && k == 0) {
        fprintf(stderr, "polyevolve: %s: no frames\n", o->inputs[0]);
        rc = 1;
    }
    if (rc == 0 && !logged) { /* every frame kept: the log is still theirs, not stale */
        char path[PATH_MAX] = "";
        log_load(c, o->first_frame + k * o->frame_step);
        const pe_status st = write_log(c, path, sizeof path);
        if (st != PE_OK) {
            fprintf(stderr, "polyevolve: %s: %s\n", path[0] ? path : c->dir,
                    st == PE_ERR_IO && errno ? strerror(errno) : pe_status_str(st));
            rc = 1;
        }
    }
    if (rc == 0)
        cli_claim_clean(c->claim); /* an earlier, longer run's frames must not join the video */
    if (rc == 0)
        rc = finish_video(c, &src, k);
    if (rc == 0 && !o->quiet)
        printf("polyevolve: %d frames (%d made now, mean PSNR %.2f dB) -> %s\n", k, made,
               made ? psnr_sum / made : 0.0, c->dir);
    /* frames never read (a refused or failed run) are not frames lost */
    const int damage = ended && (rc == 0 || rc == 1) ? check_damage(o, &src) : 0;
    cli_claim_finish(c->claim, rc == 0);
    if (rc == 0)
        rc = damage;
    link_free(&prev);
    link_free(&kf);
    cli_seq_source_close(&src);
    cli_claim_free(c->claim);
    if (c->log)
        fclose(c->log);
    free(c->log_text);
    free(c);
    return rc;
}
