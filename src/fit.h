/* fit: the loss over a focus region as a function of ONE triangle's geometry, with its colour and alpha
 * solved in closed form.
 *
 * For a focus slot k, every pixel's final colour is an affine function of what triangle k
 * leaves there: final = M * (below * (1 - w a) + w a c) + B, where w is the pixel's coverage
 * (antialiasing, see raster.h), below is the composite of the background and triangles 0..k-1
 * and (M, B) fold the triangles above k. That is linear in (a * c, a), so the best colour and
 * alpha for a given geometry are a small least squares problem whose sums come from per-row
 * prefix sums (weighted by w for the linear terms and w^2 for the quadratic ones): evaluating a
 * geometry costs O(rows it spans + pixels along its edges), not O(pixels). */
#ifndef PE_FIT_H
#define PE_FIT_H

#include "raster.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* A triangle in working-image pixels with its 8-bit non-premultiplied colour and alpha. */
typedef struct pe_tri {
    double x[3], y[3];
    unsigned char rgba[4];
} pe_tri;

/* What the artist controls change in the loss and the fit (all borrowed, held by pointer):
 * - weight: per-pixel importance over the WHOLE working image (stride = the target's width,
 *   values >= 0), multiplying each pixel's squared error; NULL = every pixel weighs 1;
 * - alpha: 0 = each triangle's opacity is solved; 1..255 = every triangle has alpha/255;
 * - palette (npalette RGB triples, 8-bit): when npalette > 0 every triangle's colour is the
 *   entry that lowers the loss most for its geometry (and its opacity, solved or fixed).
 * A pe_fit without a style behaves as with the zeroed one. */
typedef struct pe_fit_style {
    const float *weight;
    int alpha;
    const unsigned char *palette;
    int npalette;
} pe_fit_style;

/* Scratch for one focus at a time; fully rewritten by every pe_fit_focus. */
typedef struct pe_fit {
    int cap;             /* pixels the buffers hold */
    int w, h, ox, oy;    /* the focus region: size and origin in the working image */
    bool alpha;          /* the loss includes the alpha channel (transparent canvas) */
    float *below, *mul, *add;
    double *mom;         /* per row: (w + 1) prefix entries of PE_FIT_NMOM moments */
    double *cdf;         /* per row: the cumulative F0 error along it, for sampling */
    double *row_cum;     /* h + 1 entries: the error of the rows above row y */
    pe_cover cov;        /* raster scratch (pe_fit_eval writes it: one pe_fit per thread) */
    double e0;           /* loss of the region without the focus triangle */
    const pe_fit_style *style; /* borrowed; NULL = plain (pe_fit_set_style) */
} pe_fit;

/* The closed-form answer for one geometry. */
typedef struct pe_fit_colour {
    double u[3]; /* premultiplied colour a * c */
    double a;
    double delta; /* loss with the triangle minus loss without it */
    int pixels;
} pe_fit_colour;

/* Allocate scratch for regions up to max_w x max_h. Returns false when out of memory. */
bool pe_fit_init(pe_fit *fit, int max_w, int max_h);
void pe_fit_free(pe_fit *fit);

/* Make every later focus, evaluation and quantization of fit honour style (borrowed: it must
 * outlive fit's use; NULL = plain). Call once after pe_fit_init. */
void pe_fit_set_style(pe_fit *fit, const pe_fit_style *style);

/* Whether two triangles are the same: vertices and colour, field by field (not the padding). */
static inline bool pe_tri_same(const pe_tri *a, const pe_tri *b)
{
    return memcmp(a->x, b->x, sizeof a->x) == 0 && memcmp(a->y, b->y, sizeof a->y) == 0 &&
           memcmp(a->rgba, b->rgba, sizeof a->rgba) == 0;
}

/* Premultiplied float RGBA of a triangle's 8-bit colour. */
void pe_tri_premul(const pe_tri *t, float out[4]);

/* Prepare the focus: slot k among tris[0..n) (k == n: a new triangle on top) over the region
 * (ox, oy, w, h) of a working image whose premultiplied float RGBA target is target
 * (stride 4 * target_w). bg is the premultiplied background. */
void pe_fit_focus(pe_fit *fit, const float *target, int target_w, int ox, int oy, int w, int h,
                  const float bg[4], bool alpha, const pe_tri *tris, int n, int k);

/* A focus prepared for a new triangle on top (k == n) of tris[0..n) becomes that of
 * tris[0..n + m) with more[0..m) on top: they are drawn over what is below, and only the rows
 * they touch are measured again. The result is bit-identical to pe_fit_focus of the longer
 * list (each row's sums start afresh; the rows' totals are summed again in order). */
void pe_fit_focus_more(pe_fit *fit, const float *target, int target_w, const pe_tri *more, int m);

/* Evaluate a geometry (x[0..2], y[0..2] in working pixels) for the focus slot. */
void pe_fit_eval(const pe_fit *fit, const double x[3], const double y[3], pe_fit_colour *out);

/* The same with pixel-centre sampling instead of coverage (pe_raster_centers): several times
 * cheaper, for ranking many candidates; its delta is an estimate, not the loss model's. */
void pe_fit_screen(const pe_fit *fit, const double x[3], const double y[3], pe_fit_colour *out);
/* The loss change of a geometry drawn with a given 8-bit colour (not the closed form). */
double pe_fit_delta_with(const pe_fit *fit, const double x[3], const double y[3],
                         const unsigned char rgba[4]);

/* The 8-bit colour (as the triangle will be drawn) of a closed-form answer. With a style's
 * fixed alpha or palette the answer already holds those exactly, so they come out unchanged. */
void pe_fit_quantize(const pe_fit_colour *c, unsigned char rgba[4]);

/* Draw per-pixel from the error map: a pixel index (row-major in the region), u in [0, 1). */
int pe_fit_sample(const pe_fit *fit, double u);

/* Draw t over out, the region (ox, oy, w, h) of a picture (4 premultiplied floats a pixel,
 * stride 4 w), with its coverage: exactly as pe_fit_render draws each of its triangles. */
void pe_fit_draw(const pe_tri *t, int ox, int oy, int w, int h, const pe_cover *cv, float *out);

/* Composite tris[0..n) over bg into out (4 floats per pixel, stride 4 * w) for the region;
 * returns the region's loss against target (squared error summed over channels; alpha counted
 * only when alpha is true). */
double pe_fit_render(const float *target, int target_w, int ox, int oy, int w, int h,
                     const float bg[4], bool alpha, const pe_tri *tris, int n, const pe_cover *cv,
                     float *out);

/* pe_fit_render with the style's per-pixel weight on the loss (style NULL: the same as
 * pe_fit_render). The whole-picture loss the weighted closed form and deltas are exact for. */
double pe_fit_render_styled(const float *target, int target_w, int ox, int oy, int w, int h,
                            const float bg[4], bool alpha, const pe_tri *tris, int n,
                            const pe_cover *cv, const pe_fit_style *style, float *out);

#endif
