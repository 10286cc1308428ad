/* budget: what the outputs of a --time run will cost, measured before the work. */
#define _POSIX_C_SOURCE 200809L
#include "budget.h"

#include "output.h"
#include "sizes.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* The stand-in is drawn at most this long a side, and its cost scaled by the pixels: drawing
 * and encoding cost about the same per pixel at every size above it. */
#define PROBE_SIDE 1080

#define TURN 6.283185307179586 /* 2 pi */

/* An animation's encoder (giflib's LZW, x264, libvpx) runs on the writing thread: about one
 * PNG encode of the same frame each, and a held frame that x264 encodes again a third of that
 * (docs/benchmarks.md, "Frames cost"). */
#define ENCODE_PER_PNG 1.0
#define HELD_PER_PNG   0.3

/* The optimisation keeps at least this share of what is left: frames beyond it are dropped. */
#define OPTIMISE_SHARE 0.5

/* When the outputs alone would take the whole limit, the optimisation still gets this share of
 * it (and the run ends late): the picture comes first. */
#define OPTIMISE_FLOOR 0.25

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A picture like a finished one: n triangles whose areas fall as 1/(i + 4), covering the
 * canvas about 5 times over (as a run's 250 do), at seeded places and colours. NULL when out
 * of memory; free res->triangles. */
static pe_triangle *stand_in(int w, int h, int n, pe_result *res)
{
    pe_triangle *t = calloc((size_t)n, sizeof *t);
    if (!t)
        return NULL;
    double sum = 0.0;
    for (int i = 0; i < n; i++)
        sum += 1.0 / (i + 4);
    uint64_t x = 0x9E3779B97F4A7C15u;
    for (int i = 0; i < n; i++) {
        double u[6];
        for (int k = 0; k < 6; k++) { /* xorshift64*: a fixed sequence, no clock */
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            u[k] = (double)((x * 0x2545F4914F6CDD1Du) >> 11) / 9007199254740992.0;
        }
        const double area = 5.0 * w * h * (1.0 / (i + 4)) / sum;
        const double r = sqrt(4.0 * area / sqrt(27.0)); /* an equilateral triangle's circumradius */
        const double cx = u[0] * w, cy = u[1] * h, turn = u[2] * TURN;
        for (int k = 0; k < 3; k++) {
            t[i].x[k] = (float)(cx + r * cos(turn + k * TURN / 3.0));
            t[i].y[k] = (float)(cy + r * sin(turn + k * TURN / 3.0));
        }
        t[i].r = (unsigned char)(u[3] * 255.0);
        t[i].g = (unsigned char)(u[4] * 255.0);
        t[i].b = (unsigned char)(u[5] * 255.0);
        t[i].a = 128;
    }
    *res = (pe_result){ .width = w,
                        .height = h,
                        .background = { 128, 128, 128, 255 },
                        .triangles = t,
                        .count = (size_t)n };
    return t;
}

/* Seconds per pixel to draw (*draw), to encode as PNG (*png) and to prepare for the
 * animations anims (*prep; NULL: none) a picture like the run's. */
static void probe(int w, int h, int n, int side, const cli_anims *anims, double *draw, double *png,
                  double *prep)
{
    *draw = *png = *prep = 0.0;
    pe_result res;
    pe_triangle *t = stand_in(w, h, n, &res);
    if (!t)
        return;
    const int own = w > h ? w : h, drawn = side > 0 ? side : own;
    const int probe_side = drawn < PROBE_SIDE ? drawn : PROBE_SIDE;
    const int pw = w >= h ? probe_side : 0, ph = w >= h ? 0 : probe_side;
    pe_image img = { 0 };
    char *bytes = NULL;
    size_t len = 0;
    const double t0 = now();
    if (pe_render(&res, pw, ph, &img) == PE_OK) {
        const double px = (double)img.width * img.height, t1 = now();
        if (cli_png_encode(&img, NULL, &bytes, &len) == PE_OK) {
            const double t2 = now();
            *draw = (t1 - t0) / px;
            *png = (t2 - t1) / px;
            cli_anims_frame *f = NULL;
            if (anims && cli_anims_prepare(anims, &img, &f) == PE_OK)
                *prep = (now() - t2) / px;
            cli_anims_frame_free(f);
        }
    }
    free(bytes);
    pe_image_free(&img);
    free(t);
}

/* Pixels of the longest-side-side picture of a w x h input (0 = its own size). */
static double pixels(int w, int h, int side)
{
    int pw, ph;
    char err[8];
    cli_png_size(w, h, side, &pw, &ph, err, sizeof err);
    return (double)pw * ph;
}

void cli_time_budget(const cli_options *o, const cli_targets *tg, const cli_frames *f, int w, int h,
                     double elapsed, cli_budget *out)
{
    const double t0 = now();
    const double limit = o->pe.time_limit;
    int rasters = 0; /* final pictures drawn and encoded at -s; the vector ones are cheap */
    for (int i = 0; i < tg->n; i++)
        rasters +=
            tg->t[i].kind == CLI_T_DIR || tg->t[i].kind == CLI_T_PNG || tg->t[i].kind == CLI_T_JPG;
    *out = (cli_budget){ fmax(limit - elapsed, OPTIMISE_FLOOR * limit), f->max, 0.0, 0.0 };
    if (rasters == 0 && f->max == 0)
        return; /* nothing to draw: no stand-in either */
    double draw, png, prep;
    probe(w, h, o->pe.triangles > 0 ? o->pe.triangles : 1, f->size, f->anims, &draw, &png, &prep);
    double finals = rasters * pixels(w, h, o->size) * (draw + png);

    /* a frame: drawn, encoded for the files and prepared for the animations on all threads,
     * then written and encoded into the animations on one */
    const bool files = f->dir || f->pattern;
    const double frame_px = pixels(w, h, f->size);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    cores = cores > 0 ? cores : 1;
    const long threads = o->pe.threads > 0 && o->pe.threads < cores ? o->pe.threads : cores;
    const double made = frame_px * (draw + (files ? png : 0.0) + prep);
    const double put = f->anims ? frame_px * png * ENCODE_PER_PNG : 0.0;
    const double per_frame = fmax(made / (double)threads, put);
    if (f->anims) /* an MP4 or WebM encodes the held last frame again, 25 times a second */
        finals += (double)cli_anims_held(f->anims) * frame_px * png * HELD_PER_PNG;

    const double left = limit - elapsed - (now() - t0) - finals;
    int frames = f->max;
    if (frames > 0 && per_frame > 0.0 && frames * per_frame > OPTIMISE_SHARE * left) {
        const double fit = floor(OPTIMISE_SHARE * left / per_frame);
        frames = fit < 1.0 ? 1 : fit < frames ? (int)fit : frames;
    }
    if (frames < f->max && !o->quiet)
        fprintf(stderr,
                "polyevolve: --time %g: %d of the %d frames fit (about %.3f s each "
                "here, and the picture keeps half the time): give more time, fewer frames or a "
                "smaller --frame-size\n",
                limit, frames, f->max, per_frame);
    out->optimise = fmax(left - frames * per_frame, OPTIMISE_FLOOR * limit);
    out->frames = frames;
    out->per_frame = per_frame;
    out->finals = finals;
}
