/* fit: per-focus moments and the closed-form colour and alpha of one triangle. */
#include "fit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { PE_FIT_NMOM = 11, PE_FIT_NMOM_OPAQUE = 9 /* without the two alpha moments */ };
/* Moment layout, per pixel (M = mul, b = below, d = F0 - target, g = 1 - b_alpha):
 * 0: M^2   1..3: M^2 b_c   4: sum_c M^2 b_c^2   5..7: M d_c   8: sum_c M b_c d_c
 * 9: M^2 g^2   10: M g d_alpha   (9 and 10 only in alpha mode) */

static const double alpha_min = 8.0 / 255.0;

bool pe_fit_init(pe_fit *fit, int max_w, int max_h)
{
    memset(fit, 0, sizeof *fit);
    const size_t px = (size_t)max_w * (size_t)max_h;
    fit->cap = (int)px;
    fit->below = malloc(px * 4 * sizeof(float));
    fit->mul = malloc(px * sizeof(float));
    fit->add = malloc(px * 4 * sizeof(float));
    fit->mom = malloc((size_t)(max_w + 1) * (size_t)max_h * PE_FIT_NMOM * sizeof(double));
    fit->cdf = malloc(px * sizeof(double));
    fit->row_cum = malloc((size_t)(max_h + 1) * sizeof(double));
    const bool cov = pe_cover_init(&fit->cov, max_w, max_h);
    if (!fit->below || !fit->mul || !fit->add || !fit->mom || !fit->cdf || !fit->row_cum || !cov) {
        pe_fit_free(fit);
        return false;
    }
    return true;
}

void pe_fit_free(pe_fit *fit)
{
    if (!fit)
        return;
    free(fit->below);
    free(fit->mul);
    free(fit->add);
    free(fit->mom);
    free(fit->cdf);
    free(fit->row_cum);
    pe_cover_free(&fit->cov);
    memset(fit, 0, sizeof *fit);
}

void pe_fit_set_style(pe_fit *fit, const pe_fit_style *style)
{
    fit->style = style;
}

void pe_tri_premul(const pe_tri *t, float out[4])
{
    const float a = t->rgba[3] / 255.0f;
    out[0] = a * (t->rgba[0] / 255.0f);
    out[1] = a * (t->rgba[1] / 255.0f);
    out[2] = a * (t->rgba[2] / 255.0f);
    out[3] = a;
}

/* The triangle's premultiplied colour scaled by a coverage: p -> p * k + cu. */
typedef struct layer_px {
    float k, cu[4];
} layer_px;

static layer_px at_coverage(const float u[4], float c)
{
    return (layer_px){ 1.0f - c * u[3], { c * u[0], c * u[1], c * u[2], c * u[3] } };
}

static void blend(float *p, const layer_px *l)
{
    for (int ch = 0; ch < 4; ch++)
        p[ch] = p[ch] * l->k + l->cu[ch];
}

/* out = out * (1 - c a) + c u over the triangle's coverage c; returns the rows of coverage it
 * left in cv. */
static int composite(const pe_tri *t, int ox, int oy, int w, int h, const pe_cover *cv, float *out)
{
    float u[4];
    pe_tri_premul(t, u);
    const int nr = pe_raster_cover(t->x, t->y, ox, oy, ox + w, oy + h, cv);
    for (int r = 0; r < nr; r++) {
        const pe_cover_row *row = &cv->rows[r];
        float *line = out + (size_t)(row->y - oy) * w * 4;
        const layer_px l = at_coverage(u, row->c);
        for (int x = row->x0; x < row->x1; x++)
            blend(line + 4 * (x - ox), &l);
        for (int e = row->e0; e < row->e0 + row->ne; e++) {
            const layer_px le = at_coverage(u, cv->px[e].c);
            blend(line + 4 * (cv->px[e].x - ox), &le);
        }
    }
    return nr;
}

void pe_fit_draw(const pe_tri *t, int ox, int oy, int w, int h, const pe_cover *cv, float *out)
{
    (void)composite(t, ox, oy, w, h, cv, out);
}

double pe_fit_render(const float *target, int target_w, int ox, int oy, int w, int h,
                     const float bg[4], bool alpha, const pe_tri *tris, int n, const pe_cover *cv,
                     float *out)
{
    return pe_fit_render_styled(target, target_w, ox, oy, w, h, bg, alpha, tris, n, cv, NULL, out);
}

double pe_fit_render_styled(const float *target, int target_w, int ox, int oy, int w, int h,
                            const float bg[4], bool alpha, const pe_tri *tris, int n,
                            const pe_cover *cv, const pe_fit_style *style, float *out)
{
    const float *wmap = style ? style->weight : NULL;
    const size_t px = (size_t)w * (size_t)h;
    for (size_t i = 0; i < px; i++)
        memcpy(out + 4 * i, bg, 4 * sizeof(float));
    for (int j = 0; j < n; j++)
        composite(&tris[j], ox, oy, w, h, cv, out);
    const int nc = alpha ? 4 : 3;
    double loss = 0.0;
    for (int y = 0; y < h; y++) {
        const float *t = target + ((size_t)(oy + y) * target_w + (size_t)ox) * 4;
        const float *o = out + (size_t)y * w * 4;
        const float *wr = wmap ? wmap + (size_t)(oy + y) * target_w + (size_t)ox : NULL;
        double row = 0.0;
        for (int x = 0; x < w; x++) {
            double e = 0.0;
            for (int c = 0; c < nc; c++) {
                const double d = (double)o[4 * x + c] - (double)t[4 * x + c];
                e += d * d;
            }
            row += wr ? (double)wr[x] * e : e;
        }
        loss += row;
    }
    return loss;
}

/* Fold triangle t above whatever (mul, add) already maps: applying it after the maps
 * v -> v k + cu, and the composition of such maps stays affine. Returns the rows it covers
 * (left in cv). */
static int fold(const pe_tri *t, int ox, int oy, int w, int h, const pe_cover *cv,
                float *mul, float *add)
{
    float u[4];
    pe_tri_premul(t, u);
    const int nr = pe_raster_cover(t->x, t->y, ox, oy, ox + w, oy + h, cv);
    for (int r = 0; r < nr; r++) {
        const pe_cover_row *row = &cv->rows[r];
        const size_t base = (size_t)(row->y - oy) * w;
        const layer_px l = at_coverage(u, row->c);
        for (int x = row->x0; x < row->x1; x++) {
            const size_t i = base + (size_t)(x - ox);
            mul[i] *= l.k;
            blend(add + 4 * i, &l);
        }
        for (int e = row->e0; e < row->e0 + row->ne; e++) {
            const layer_px le = at_coverage(u, cv->px[e].c);
            const size_t i = base + (size_t)(cv->px[e].x - ox);
            mul[i] *= le.k;
            blend(add + 4 * i, &le);
        }
    }
    return nr;
}

/* Nothing drawn yet: below = bg everywhere, (mul, add) = identity. */
static void start_layers(size_t px, const float bg[4], float *below, float *mul, float *add)
{
    for (size_t i = 0; i < px; i++)
        memcpy(below + 4 * i, bg, 4 * sizeof(float));
    for (size_t i = 0; i < px; i++)
        mul[i] = 1.0f;
    memset(add, 0, px * 4 * sizeof(float));
}


/* The moments and error map of rows [y0, y1) of the focus, below and above drawn: each row's sums
 * and error start from 0. */
static void measure_rows(pe_fit *fit, const float *target, int target_w, int y0, int y1)
{
    const int w = fit->w, ox = fit->ox, oy = fit->oy;
    const bool alpha = fit->alpha;
    const float *wmap = fit->style ? fit->style->weight : NULL;
    for (int y = y0; y < y1; y++) {
        double acc[PE_FIT_NMOM] = { 0 }, cum = 0.0;
        double *row = fit->mom + (size_t)y * (size_t)(w + 1) * PE_FIT_NMOM;
        memset(row, 0, PE_FIT_NMOM * sizeof(double));
        const float *t = target + ((size_t)(oy + y) * target_w + (size_t)ox) * 4;
        const float *wr = wmap ? wmap + (size_t)(oy + y) * target_w + (size_t)ox : NULL;
        for (int x = 0; x < w; x++) {
            const size_t i = (size_t)y * w + (size_t)x;
            /* a pixel's weight scales all its moments: the weighted loss stays quadratic */
            const double wt = wr ? (double)wr[x] : 1.0;
            const double m = (double)fit->mul[i];
            const float *b = fit->below + 4 * i, *ad = fit->add + 4 * i;
            double d[4], e = 0.0;
            for (int c = 0; c < 4; c++)
                d[c] = m * (double)b[c] + (double)ad[c] - (double)t[4 * x + c];
            const double mm = wt * m * m, wm = wt * m;
            acc[0] += mm;
            for (int c = 0; c < 3; c++) {
                acc[1 + c] += mm * (double)b[c];
                acc[4] += mm * (double)b[c] * (double)b[c];
                acc[5 + c] += wm * d[c];
                acc[8] += wm * (double)b[c] * d[c];
                e += d[c] * d[c];
            }
            if (alpha) {
                const double g = 1.0 - (double)b[3];
                acc[9] += mm * g * g;
                acc[10] += wm * g * d[3];
                e += d[3] * d[3];
            }
            e *= wt;
            memcpy(row + (size_t)(x + 1) * PE_FIT_NMOM, acc, sizeof acc);
            cum += e;
            fit->cdf[i] = cum;
        }
    }
}

/* The rows' errors (the last entry of each row's error map) summed in order, and e0. */
static void sum_rows(pe_fit *fit)
{
    double cum = 0.0;
    fit->row_cum[0] = 0.0;
    for (int y = 0; y < fit->h; y++) {
        cum += fit->cdf[(size_t)y * fit->w + (size_t)fit->w - 1];
        fit->row_cum[y + 1] = cum;
    }
    fit->e0 = cum;
}

void pe_fit_focus(pe_fit *fit, const float *target, int target_w, int ox, int oy, int w, int h,
                  const float bg[4], bool alpha, const pe_tri *tris, int n, int k)
{
    fit->w = w;
    fit->h = h;
    fit->ox = ox;
    fit->oy = oy;
    fit->alpha = alpha;
    const size_t px = (size_t)w * (size_t)h;
    start_layers(px, bg, fit->below, fit->mul, fit->add);
    for (int j = 0; j < k && j < n; j++)
        (void)composite(&tris[j], ox, oy, w, h, &fit->cov, fit->below);
    for (int j = k + 1; j < n; j++)
        (void)fold(&tris[j], ox, oy, w, h, &fit->cov, fit->mul, fit->add);
    measure_rows(fit, target, target_w, 0, h);
    sum_rows(fit);
}

void pe_fit_focus_more(pe_fit *fit, const float *target, int target_w, const pe_tri *more, int m)
{
    int y0 = fit->h, y1 = 0; /* the rows the new triangles touch */
    for (int j = 0; j < m; j++) {
        const int nr =
            composite(&more[j], fit->ox, fit->oy, fit->w, fit->h, &fit->cov, fit->below);
        if (nr > 0) {
            const int a = fit->cov.rows[0].y - fit->oy, b = fit->cov.rows[nr - 1].y - fit->oy;
            y0 = a < y0 ? a : y0;
            y1 = b + 1 > y1 ? b + 1 : y1;
        }
    }
    if (y0 < y1)
        measure_rows(fit, target, target_w, y0, y1);
    sum_rows(fit);
}

/* Add moments weighted by a coverage c: the ones quadratic in the triangle's contribution
 * (0..4, 9) by c^2, the ones linear in it (5..8, 10) by c. 9 and 10 are zero without alpha. */
static inline void add_weighted(double s[PE_FIT_NMOM], const double *r1, const double *r0, double c,
                                bool alpha)
{
    const double c2 = c * c;
    for (int m = 0; m < 5; m++)
        s[m] += c2 * (r1[m] - r0[m]);
    for (int m = 5; m < 9; m++)
        s[m] += c * (r1[m] - r0[m]);
    if (alpha) {
        s[9] += c2 * (r1[9] - r0[9]);
        s[10] += c * (r1[10] - r0[10]);
    }
}

/* Sum the moments over the coverage in cv (nr rows); returns the pixels it touches. */
static int gather(const pe_fit *fit, int nr, double s[PE_FIT_NMOM])
{
    const pe_cover *cv = &fit->cov;
    memset(s, 0, PE_FIT_NMOM * sizeof(double));
    int pixels = 0;
    const int nm = fit->alpha ? PE_FIT_NMOM : PE_FIT_NMOM_OPAQUE;
    const size_t stride = (size_t)(fit->w + 1) * PE_FIT_NMOM;
    for (int r = 0; r < nr; r++) {
        const pe_cover_row *row = &cv->rows[r];
        const double *line = fit->mom + (size_t)(row->y - fit->oy) * stride;
        if (row->x0 < row->x1) {
            const double *r1 = line + (size_t)(row->x1 - fit->ox) * PE_FIT_NMOM;
            const double *r0 = line + (size_t)(row->x0 - fit->ox) * PE_FIT_NMOM;
            if (row->c == 1.0f)
                for (int m = 0; m < nm; m++)
                    s[m] += r1[m] - r0[m];
            else
                add_weighted(s, r1, r0, (double)row->c, fit->alpha);
            pixels += row->x1 - row->x0;
        }
        for (int e = row->e0; e < row->e0 + row->ne; e++) {
            const double *r0 = line + (size_t)(cv->px[e].x - fit->ox) * PE_FIT_NMOM;
            add_weighted(s, r0 + PE_FIT_NMOM, r0, (double)cv->px[e].c, fit->alpha);
        }
        pixels += row->ne;
    }
    return pixels;
}

/* The moments under the triangle's antialiased coverage (the loss model). */
static int gather_cover(const pe_fit *fit, const double x[3], const double y[3],
                        double s[PE_FIT_NMOM])
{
    const int nr = pe_raster_cover(x, y, fit->ox, fit->oy, fit->ox + fit->w, fit->oy + fit->h,
                                   &fit->cov);
    return gather(fit, nr, s);
}

/* delta for premultiplied colour u and alpha a, from the summed moments */
static double delta_of(const double s[PE_FIT_NMOM], const double u[3], double a)
{
    double delta = a * a * (s[4] + s[9]) - 2.0 * a * s[8] + 2.0 * a * s[10];
    for (int c = 0; c < 3; c++)
        delta += u[c] * u[c] * s[0] - 2.0 * u[c] * a * s[1 + c] + 2.0 * u[c] * s[5 + c];
    return delta;
}

double pe_fit_delta_with(const pe_fit *fit, const double x[3], const double y[3],
                         const unsigned char rgba[4])
{
    double s[PE_FIT_NMOM];
    if (gather_cover(fit, x, y, s) == 0)
        return 0.0;
    /* the same float arithmetic as compositing, so the answer matches a real render */
    const pe_tri t = { .rgba = { rgba[0], rgba[1], rgba[2], rgba[3] } };
    float p[4];
    pe_tri_premul(&t, p);
    const double u[3] = { (double)p[0], (double)p[1], (double)p[2] };
    return delta_of(s, u, (double)p[3]);
}

/* The best colour and alpha for summed moments s over the given pixels, and its delta. */
static void solve(const double s[PE_FIT_NMOM], int pixels, pe_fit_colour *out)
{
    out->pixels = pixels;
    const double m0 = s[0];
    if (pixels == 0 || !(m0 > 1e-12)) {
        /* covers nothing that shows: no colour can help, the loss is unchanged */
        out->u[0] = out->u[1] = out->u[2] = 0.0;
        out->a = alpha_min;
        out->delta = 0.0;
        return;
    }
    /* Eliminating the free u_c = (a s_bc - s_dc) / m0 leaves delta(a) = A2 a^2 + 2 A1 a + const.
     * Channels whose optimum leaves [0, a] are pinned to 0 (black) or a (full colour) and a is
     * solved again with them pinned; two rounds settle every case met in practice. */
    int pin[3] = { 0, 0, 0 }; /* 0 free, -1 at 0, +1 at a */
    double a = 1.0;
    for (int round = 0; round < 3; round++) {
        double a2 = s[4] + s[9], a1 = -s[8] + s[10];
        for (int c = 0; c < 3; c++) {
            if (pin[c] == 0) {
                a2 -= s[1 + c] * s[1 + c] / m0;
                a1 += s[1 + c] * s[5 + c] / m0;
            } else if (pin[c] > 0) {
                a2 += m0 - 2.0 * s[1 + c];
                a1 += s[5 + c];
            }
        }
        if (a2 > 1e-12 * m0)
            a = -a1 / a2;
        else /* the loss is (nearly) linear in a: take the end that lowers it, opaque on a tie */
            a = a1 <= 0.0 ? 1.0 : alpha_min;
        a = a < alpha_min ? alpha_min : (a > 1.0 ? 1.0 : a);
        int changed = 0;
        for (int c = 0; c < 3; c++) {
            const double u = (a * s[1 + c] - s[5 + c]) / m0;
            const int p = u < 0.0 ? -1 : (u > a ? 1 : 0);
            changed |= p != pin[c] && p != 0;
            if (p != 0)
                pin[c] = p;
            out->u[c] = p < 0 ? 0.0 : (p > 0 ? a : u);
        }
        if (!changed)
            break;
    }
    out->a = a;
    out->delta = delta_of(s, out->u, a);
}

/* An opacity rounded to the 8 bits it will be drawn with, kept in [alpha_min, 1]: a palette
 * colour is then compared at the opacity it will really have. */
static double alpha8(double a)
{
    a = a < alpha_min ? alpha_min : (a > 1.0 ? 1.0 : a);
    return (double)lround(a * 255.0) / 255.0;
}

/* The best palette entry for the moments s, each at its own best opacity (or the fixed one):
 * with u = a p the loss change is a^2 A2 + 2 a A1, a parabola per entry. Ties go to the lowest
 * index, so the choice is deterministic. */
static void solve_palette(const pe_fit_style *st, const double s[PE_FIT_NMOM], pe_fit_colour *out)
{
    double best = HUGE_VAL;
    for (int e = 0; e < st->npalette; e++) {
        const unsigned char *q = st->palette + 3 * e;
        double a2 = s[4] + s[9], a1 = -s[8] + s[10];
        for (int c = 0; c < 3; c++) {
            const double p = q[c] / 255.0;
            a2 += p * p * s[0] - 2.0 * p * s[1 + c];
            a1 += p * s[5 + c];
        }
        double a;
        if (st->alpha > 0)
            a = st->alpha / 255.0;
        else if (a2 > 1e-12 * s[0])
            a = alpha8(-a1 / a2);
        else
            a = a1 <= 0.0 ? 1.0 : alpha_min;
        const double d = a * a * a2 + 2.0 * a * a1;
        if (d < best) {
            best = d;
            out->a = a;
            for (int c = 0; c < 3; c++)
                out->u[c] = a * (q[c] / 255.0);
        }
    }
    out->delta = delta_of(s, out->u, out->a);
}

/* The closed form under a style's fixed alpha: the loss is a separate parabola in each u_c, so
 * clamping each free optimum into [0, a] is optimal. */
static void solve_fixed_alpha(double a, const double s[PE_FIT_NMOM], pe_fit_colour *out)
{
    out->a = a;
    for (int c = 0; c < 3; c++) {
        const double u = (a * s[1 + c] - s[5 + c]) / s[0];
        out->u[c] = u < 0.0 ? 0.0 : (u > a ? a : u);
    }
    out->delta = delta_of(s, out->u, a);
}

/* solve, honouring the fit's style. */
static void solve_styled(const pe_fit *fit, const double s[PE_FIT_NMOM], int pixels,
                         pe_fit_colour *out)
{
    const pe_fit_style *st = fit->style;
    if (!st || (st->alpha <= 0 && st->npalette <= 0)) {
        solve(s, pixels, out);
        return;
    }
    out->pixels = pixels;
    if (pixels == 0 || !(s[0] > 1e-12)) { /* nothing shows: any allowed colour will do */
        out->a = st->alpha > 0 ? st->alpha / 255.0 : alpha_min;
        for (int c = 0; c < 3; c++)
            out->u[c] = st->npalette > 0 ? out->a * (st->palette[c] / 255.0) : 0.0;
        out->delta = 0.0;
    } else if (st->npalette > 0) {
        solve_palette(st, s, out);
    } else {
        solve_fixed_alpha(st->alpha / 255.0, s, out);
    }
}

void pe_fit_eval(const pe_fit *fit, const double x[3], const double y[3], pe_fit_colour *out)
{
    double s[PE_FIT_NMOM];
    const int pixels = gather_cover(fit, x, y, s);
    solve_styled(fit, s, pixels, out);
}

void pe_fit_screen(const pe_fit *fit, const double x[3], const double y[3], pe_fit_colour *out)
{
    double s[PE_FIT_NMOM];
    const int nr = pe_raster_centers(x, y, fit->ox, fit->oy, fit->ox + fit->w, fit->oy + fit->h,
                                     &fit->cov);
    solve_styled(fit, s, gather(fit, nr, s), out);
}

void pe_fit_quantize(const pe_fit_colour *c, unsigned char rgba[4])
{
    const double a = c->a;
    for (int i = 0; i < 3; i++) {
        const double v = a > 0.0 ? c->u[i] / a : 0.0;
        const long q = lround(v * 255.0);
        rgba[i] = (unsigned char)(q < 0 ? 0 : (q > 255 ? 255 : q));
    }
    const long qa = lround(a * 255.0);
    rgba[3] = (unsigned char)(qa < 1 ? 1 : (qa > 255 ? 255 : qa));
}

int pe_fit_sample(const pe_fit *fit, double u)
{
    const int w = fit->w, h = fit->h;
    const double total = fit->row_cum[h];
    if (!(total > 0.0))
        return (int)(u * (double)w * h);
    const double v = u * total;
    int lo = 0, hi = h - 1;
    while (lo < hi) { /* the first row whose end is past v */
        const int mid = lo + (hi - lo) / 2;
        if (fit->row_cum[mid + 1] > v)
            hi = mid;
        else
            lo = mid + 1;
    }
    const double *row = fit->cdf + (size_t)lo * w;
    const double vr = v - fit->row_cum[lo];
    int a = 0, b = w - 1;
    while (a < b) { /* then the first pixel along it */
        const int mid = a + (b - a) / 2;
        if (row[mid] > vr)
            b = mid;
        else
            a = mid + 1;
    }
    return lo * w + a;
}
