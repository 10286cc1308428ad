/* sequence: where frame k of a sequence starts from frame k - 1's triangles. The previous
 * picture is moved by the camera's global translation (found between the two images), scaled to
 * the new image, and judged: when it keeps less than half of what it had gained over a flat
 * canvas on its own image, the scene has cut and the frame should start cold.
 *
 * Why move it first: refinement searches each triangle near where it is, so a start that is
 * already where the content went converges in one round, and consecutive pictures differ only
 * where the content does. Left in place, a 3 px pan made every edge chase its content. */
#include "polyevolve.h"

#include "image.h"
#include "state.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Coarse level of the translation search: longest side about this many pixels, shifts up to
 * PE_SHIFT_RANGE of them (1/4 of the picture) each way: keyframes K frames apart see K frames
 * of motion. */
#define PE_SHIFT_COARSE 64
#define PE_SHIFT_RANGE 16

/* A shift must beat standing still by this factor of the error to count: on a static scene
 * noise alone must not make the triangles drift. */
#define PE_SHIFT_GAIN 0.98

/* Scene cut: the start keeps less than this share of the loss the previous result removed. */
#define PE_CUT_KEEP 0.5

typedef struct gray {
    int w, h;
    float *v;
} gray;

/* Luma of img resized to w x h (composited over white: what the run compares). */
static pe_status to_gray(const pe_image *img, int w, int h, gray *out)
{
    pe_image small = { 0 };
    pe_status st = pe_image_resize(img, w, h, &small);
    if (st != PE_OK)
        return st;
    out->w = w;
    out->h = h;
    out->v = malloc((size_t)w * (size_t)h * sizeof *out->v);
    if (!out->v) {
        pe_image_free(&small);
        return PE_ERR_NOMEM;
    }
    for (size_t i = 0; i < (size_t)w * (size_t)h; i++) {
        const unsigned char *p = small.rgba + 4 * i;
        const float a = p[3] / 255.0f;
        const float y = (0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2]) / 255.0f;
        out->v[i] = y * a + (1.0f - a);
    }
    pe_image_free(&small);
    return PE_OK;
}

/* Mean squared difference between b(x + d) and a(x) over their overlap; HUGE_VAL when the
 * overlap is under half the picture (a big shift must not win by comparing a sliver). */
static double shift_cost(const gray *a, const gray *b, int dx, int dy)
{
    const int x0 = dx < 0 ? -dx : 0, x1 = dx > 0 ? a->w - dx : a->w;
    const int y0 = dy < 0 ? -dy : 0, y1 = dy > 0 ? a->h - dy : a->h;
    if (x1 <= x0 || y1 <= y0 || 2.0 * (x1 - x0) * (y1 - y0) < (double)a->w * a->h)
        return HUGE_VAL;
    double s = 0.0;
    for (int y = y0; y < y1; y++) {
        const float *pa = a->v + (size_t)y * a->w, *pb = b->v + (size_t)(y + dy) * b->w + dx;
        for (int x = x0; x < x1; x++) {
            const double d = (double)pb[x] - (double)pa[x];
            s += d * d;
        }
    }
    return s / ((double)(x1 - x0) * (y1 - y0));
}

/* The best integer shift within r of (cx, cy), in a fixed scan order (ties: the first). */
static void best_shift(const gray *a, const gray *b, int cx, int cy, int r, int *bx, int *by,
                       double *cost)
{
    *bx = cx;
    *by = cy;
    *cost = HUGE_VAL;
    for (int dy = cy - r; dy <= cy + r; dy++)
        for (int dx = cx - r; dx <= cx + r; dx++) {
            const double c = shift_cost(a, b, dx, dy);
            if (c < *cost) {
                *cost = c;
                *bx = dx;
                *by = dy;
            }
        }
}

/* Sub-pixel offset of the minimum of the parabola through (-1, cm), (0, c0), (1, cp). */
static double parabola(double cm, double c0, double cp)
{
    const double den = cm - 2.0 * c0 + cp;
    if (!isfinite(den) || den <= 1e-12)
        return 0.0;
    const double t = 0.5 * (cm - cp) / den;
    return t > 0.5 ? 0.5 : (t < -0.5 ? -0.5 : t);
}

/* The translation d with b(x + d) = a(x), in pixels of a and b (w x h each): coarse to fine,
 * then sub-pixel. */
static pe_status find_shift(const pe_image *ia, const pe_image *ib, int w, int h, double *sx,
                            double *sy)
{
    *sx = *sy = 0.0;
    const int longest = w > h ? w : h;
    const int f = longest > PE_SHIFT_COARSE ? (longest + PE_SHIFT_COARSE - 1) / PE_SHIFT_COARSE : 1;
    const int cw = w / f > 0 ? w / f : 1, ch = h / f > 0 ? h / f : 1;
    gray ca = { 0 }, cb = { 0 }, fa = { 0 }, fb = { 0 };
    pe_status st;
    if ((st = to_gray(ia, cw, ch, &ca)) != PE_OK || (st = to_gray(ib, cw, ch, &cb)) != PE_OK ||
        (st = to_gray(ia, w, h, &fa)) != PE_OK || (st = to_gray(ib, w, h, &fb)) != PE_OK)
        goto done;
    int cx, cy, bx, by;
    double c;
    best_shift(&ca, &cb, 0, 0, PE_SHIFT_RANGE, &cx, &cy, &c);
    best_shift(&fa, &fb, cx * f, cy * f, f, &bx, &by, &c);
    const double still = shift_cost(&fa, &fb, 0, 0);
    if (!(c < PE_SHIFT_GAIN * still))
        goto done; /* standing still is as good: no drift */
    *sx = bx + parabola(shift_cost(&fa, &fb, bx - 1, by), c, shift_cost(&fa, &fb, bx + 1, by));
    *sy = by + parabola(shift_cost(&fa, &fb, bx, by - 1), c, shift_cost(&fa, &fb, bx, by + 1));
done:
    free(ca.v);
    free(cb.v);
    free(fa.v);
    free(fb.v);
    return st;
}

/* Mean squared error per channel value in 0..1 of drawn against img, both w x h, as the run
 * measures it: over white and RGB for an opaque run, premultiplied RGBA for a transparent one.
 * drawn NULL: a flat canvas of img's mean colour (transparent: an empty canvas). */
static double loss_of(const pe_image *drawn, const pe_image *img, bool alpha)
{
    const size_t px = (size_t)img->width * (size_t)img->height;
    const int nc = alpha ? 4 : 3;
    double mean[4] = { 0, 0, 0, 0 }, s = 0.0;
    for (int pass = drawn ? 1 : 0; pass < 2; pass++)
        for (size_t i = 0; i < px; i++) {
            const unsigned char *p = img->rgba + 4 * i;
            const unsigned char *q = drawn ? drawn->rgba + 4 * i : NULL;
            const double a = p[3] / 255.0, qa = q ? q[3] / 255.0 : 1.0;
            for (int c = 0; c < nc; c++) {
                const double t = c == 3 ? a : alpha ? p[c] / 255.0 * a : p[c] / 255.0 * a + 1 - a;
                double v = mean[c];
                if (q)
                    v = c == 3 ? qa : alpha ? q[c] / 255.0 * qa : q[c] / 255.0 * qa + 1 - qa;
                if (pass == 0)
                    mean[c] += alpha ? 0.0 : t / (double)px;
                else
                    s += (t - v) * (t - v);
            }
        }
    return s / ((double)px * nc);
}

/* res drawn at w x h against img resized to w x h. */
static pe_status loss_at(const pe_result *res, const pe_image *img, int w, int h, bool alpha,
                         double *drawn_loss, double *flat_loss)
{
    pe_image small = { 0 }, drawn = { 0 };
    pe_status st = pe_image_resize(img, w, h, &small);
    if (st == PE_OK && drawn_loss && (st = pe_render(res, w, h, &drawn)) == PE_OK)
        *drawn_loss = loss_of(&drawn, &small, alpha);
    if (st == PE_OK && flat_loss)
        *flat_loss = loss_of(NULL, &small, alpha);
    pe_image_free(&small);
    pe_image_free(&drawn);
    return st;
}

/* prev moved by (dx, dy) of its own pixels and scaled to width x height, starting its rounds
 * again: what pe_options.resume takes for the new image. */
static pe_status moved_copy(const pe_result *prev, int width, int height, int work_w, int work_h,
                            double dx, double dy, pe_result *out)
{
    pe_status st = pe_result_copy(prev, out);
    if (st != PE_OK)
        return st;
    const double sx = (double)width / prev->width, sy = (double)height / prev->height;
    for (size_t i = 0; i < out->count; i++)
        for (int v = 0; v < 3; v++) { /* rounded to 1/100 px as every result is */
            pe_triangle *t = &out->triangles[i];
            t->x[v] = (float)(round(((double)t->x[v] + dx) * sx * 100.0) / 100.0);
            t->y[v] = (float)(round(((double)t->y[v] + dy) * sy * 100.0) / 100.0);
        }
    out->width = width;
    out->height = height;
    out->work_width = work_w;
    out->work_height = work_h;
    out->rounds_done = 0;
    return PE_OK;
}

pe_status pe_warm_start(const pe_result *prev, const pe_image *prev_image, const pe_image *image,
                        const pe_options *opt, pe_result *start, pe_warm_info *info)
{
    pe_warm_info unused;
    if (!info)
        info = &unused;
    memset(info, 0, sizeof *info);
    if (!start)
        return PE_ERR_INVALID_ARG;
    memset(start, 0, sizeof *start);
    if (!prev || !image || !image->rgba || image->width < 1 || image->height < 1 || !opt ||
        pe_state_check(prev, false) != PE_OK || opt->resize < 0 ||
        (prev_image && (!prev_image->rgba || prev_image->width < 1 || prev_image->height < 1)))
        return PE_ERR_INVALID_ARG;
    int w, h;
    pe_image_working_size(image->width, image->height, opt->resize, &w, &h);
    const bool same = prev_image && prev_image->width == image->width &&
                      prev_image->height == image->height;
    double mx = 0.0, my = 0.0; /* in working pixels */
    pe_status st = same ? find_shift(prev_image, image, w, h, &mx, &my) : PE_OK;
    if (st != PE_OK)
        return st;
    info->dx = mx * image->width / w;
    info->dy = my * image->height / h;
    /* the shift in the previous result's own pixels (same size here, so the same numbers) */
    st = moved_copy(prev, image->width, image->height, w, h, same ? info->dx : 0.0,
                    same ? info->dy : 0.0, start);
    if (st != PE_OK)
        memset(info, 0, sizeof *info);
    if (st != PE_OK || !prev_image)
        return st;
    int pw, ph;
    pe_image_working_size(prev_image->width, prev_image->height, opt->resize, &pw, &ph);
    double prev_flat = 0.0;
    if ((st = loss_at(prev, prev_image, pw, ph, opt->transparent, &info->prev_loss,
                      &prev_flat)) != PE_OK ||
        (st = loss_at(start, image, w, h, opt->transparent, &info->warm_loss,
                      &info->flat_loss)) != PE_OK) {
        pe_result_free(start);
        memset(info, 0, sizeof *info);
        return st;
    }
    /* the share of a flat canvas's loss each removes: a start that keeps less than half of
     * what the previous picture had is a new scene */
    const double had = prev_flat > 0.0 ? 1.0 - info->prev_loss / prev_flat : 0.0;
    const double keeps = info->flat_loss > 0.0 ? 1.0 - info->warm_loss / info->flat_loss : 0.0;
    info->cut = had > 0.0 && keeps < PE_CUT_KEEP * had;
    return PE_OK;
}
