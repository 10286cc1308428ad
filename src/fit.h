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

/* Coverage kept for a second pass over the same triangles (the depth scan): their rows one
 * after another, each row's edge pixels in px. */
typedef struct pe_fit_kept {
    pe_cover_row *rows;
    pe_cover_px *px;
    int *first; /* per triangle kept: its first row; first[count] = the rows kept */
    int nrows, npx, count, cap_rows, cap_px, cap_first;
} pe_fit_kept;

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
    pe_fit_kept kept;    /* the depth scan's, grown as needed */
} pe_fit;

/* The closed-form answer for one geometry. */
typedef struct pe_fit_colour {
    double u[3]; /* premultiplied colour a * c */
    double a;
    double delta; /* loss with the triangle minus loss without it */
    int pixels;
} pe_fit_colour;

/* The moments of a triangle's pixels summed, per pixel (M = its coverage times the product
 * of the layers' factors above it, b = below, d = F0 - target, g = 1 - b_alpha):
 * 0: M^2   1..3: M^2 b_c   4: sum_c M^2 b_c^2   5..7: M d_c   8: sum_c M b_c d_c
 * 9: M^2 g^2   10: M g d_alpha   (9 and 10 only on a transparent canvas) */
enum { PE_FIT_NMOM = 11, PE_FIT_NMOM_OPAQUE = 9 /* without the two alpha moments */ };
/* The lowest opacity a triangle is given (8 of 255). */
#define PE_FIT_ALPHA_MIN (8.0 / 255.0)

/* The loss change for premultiplied colour u and opacity a, from summed moments s. */
double pe_fit_delta_of(const double s[PE_FIT_NMOM], const double u[3], double a);
/* The best colour and opacity for summed moments s over `pixels` pixels, within style (NULL:
 * any), and its loss change. */
void pe_fit_solve(const pe_fit_style *style, const double s[PE_FIT_NMOM], int pixels,
                  pe_fit_colour *out);

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

/* Where a triangle's depth scan puts it (pe_fit_depth). */
typedef struct pe_fit_place {
    int anchor;       /* a layer that overlaps the triangle next to its new place, -1: it stays */
    bool above;       /* the place is just above that layer (else just below it) */
    unsigned char rgba[4]; /* the colour for the place, solved and drawn in 8 bits */
    double delta;     /* the loss change there */
    double delta_at;  /* the same at the place the triangle has now */
} pe_fit_place;

/* The depth among tris[0..n) (bottom to top, without t) where triangle t's geometry, its colour
 * solved for each depth, lowers the loss most, over the region (ox, oy, w, h) that must hold t's
 * footprint (within the fit's capacity). t now sits just below tris[at] (at == n: on top). Only
 * the layers that can touch the region tell places apart, so each gap between two of them is
 * measured once, in one pass up the layers: O(layers x region) in all. Returns the place (t just
 * below tris[p], p == n: on top of them all), at itself when no place beats the gap t is in.
 * The deltas are the loss model's, as a focus at that place would give them up to rounding (a
 * product of layer factors is divided back out on the way up, the moments follow the pixels
 * each layer changes). Rewrites the fit's focus. Returns -1 when out of memory. */
int pe_fit_depth(pe_fit *fit, const float *target, int target_w, int ox, int oy, int w, int h,
                 const float bg[4], bool alpha, const pe_tri *t, const pe_tri *tris, int n, int at,
                 pe_fit_place *out);

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
