/* fit: per-focus moments and the closed-form colour and alpha of one triangle. */
#include "fit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>


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
    free(fit->kept.rows);
    free(fit->kept.px);
    free(fit->kept.first);
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

/* Point the fit at region (ox, oy, w, h) of the picture; returns its pixels. */
static size_t set_region(pe_fit *fit, int ox, int oy, int w, int h, bool alpha)
{
    fit->w = w;
    fit->h = h;
    fit->ox = ox;
    fit->oy = oy;
    fit->alpha = alpha;
    return (size_t)w * (size_t)h;
}

void pe_fit_focus(pe_fit *fit, const float *target, int target_w, int ox, int oy, int w, int h,
                  const float bg[4], bool alpha, const pe_tri *tris, int n, int k)
{
    const size_t px = set_region(fit, ox, oy, w, h, alpha);
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
    return pe_fit_delta_of(s, u, (double)p[3]);
}

void pe_fit_eval(const pe_fit *fit, const double x[3], const double y[3], pe_fit_colour *out)
{
    double s[PE_FIT_NMOM];
    const int pixels = gather_cover(fit, x, y, s);
    pe_fit_solve(fit->style, s, pixels, out);
}

void pe_fit_screen(const pe_fit *fit, const double x[3], const double y[3], pe_fit_colour *out)
{
    double s[PE_FIT_NMOM];
    const int nr = pe_raster_centers(x, y, fit->ox, fit->oy, fit->ox + fit->w, fit->oy + fit->h,
                                     &fit->cov);
    pe_fit_solve(fit->style, s, gather(fit, nr, s), out);
}

/* Cheap rejection of a triangle that cannot touch the region. */
static bool misses(const pe_tri *t, int ox, int oy, int w, int h)
{
    double x0 = t->x[0], x1 = t->x[0], y0 = t->y[0], y1 = t->y[0];
    for (int v = 1; v < 3; v++) {
        x0 = t->x[v] < x0 ? t->x[v] : x0;
        x1 = t->x[v] > x1 ? t->x[v] : x1;
        y0 = t->y[v] < y0 ? t->y[v] : y0;
        y1 = t->y[v] > y1 ? t->y[v] : y1;
    }
    return x1 < ox - 1 || x0 > ox + w + 1 || y1 < oy - 1 || y0 > oy + h + 1;
}

/* Add sign times pixel (x, y)'s moments, as the scanned triangle (coverage in fit->mul) would
 * have them at the place the scan stands, to s. */
static void depth_px(const pe_fit *fit, int target_w, int x, int y, double sign,
                     double s[PE_FIT_NMOM])
{
    const size_t i = (size_t)y * (size_t)fit->w + (size_t)x;
    const double c = (double)fit->mul[i];
    const float *wmap = fit->style ? fit->style->weight : NULL;
    const double wt =
        wmap ? (double)wmap[(size_t)(fit->oy + y) * (size_t)target_w + (size_t)(fit->ox + x)] : 1.0;
    const double m = fit->mom[i] > 0.0 ? 0.0 : fit->cdf[i];
    const double quad = sign * wt * c * c * m * m, lin = sign * wt * c * m;
    const float *b = fit->below + 4 * i, *d = fit->add + 4 * i;
    s[0] += quad;
    for (int ch = 0; ch < 3; ch++) {
        s[1 + ch] += quad * (double)b[ch];
        s[4] += quad * (double)b[ch] * (double)b[ch];
        s[5 + ch] += lin * (double)d[ch];
        s[8] += lin * (double)b[ch] * (double)d[ch];
    }
    if (fit->alpha) {
        const double g = 1.0 - (double)b[3];
        s[9] += quad * g * g;
        s[10] += lin * g * (double)d[3];
    }
}

/* Room for `need` elements of `size` bytes in *p (capacity *cap), doubling. */
static bool grow(void **p, int *cap, int need, size_t size)
{
    if (need <= *cap)
        return true;
    const int c = need > 2 * *cap ? need : 2 * *cap;
    void *q = realloc(*p, (size_t)c * size);
    if (!q)
        return false;
    *p = q;
    *cap = c;
    return true;
}

/* Keep the nr rows of coverage in fit->cov after those kept before. */
static bool keep_cover(pe_fit *fit, int nr)
{
    pe_fit_kept *k = &fit->kept;
    const int npx = nr > 0 ? fit->cov.rows[nr - 1].e0 + fit->cov.rows[nr - 1].ne : 0;
    if (!grow((void **)&k->rows, &k->cap_rows, k->nrows + nr, sizeof *k->rows) ||
        !grow((void **)&k->px, &k->cap_px, k->npx + npx, sizeof *k->px) ||
        !grow((void **)&k->first, &k->cap_first, k->count + 2, sizeof *k->first))
        return false;
    for (int r = 0; r < nr; r++) {
        k->rows[k->nrows + r] = fit->cov.rows[r];
        k->rows[k->nrows + r].e0 += k->npx;
    }
    if (npx > 0) /* a layer with no edge pixels may leave px unallocated */
        memcpy(k->px + k->npx, fit->cov.px, (size_t)npx * sizeof *k->px);
    k->first[k->count] = k->nrows;
    k->nrows += nr;
    k->npx += npx;
    k->first[++k->count] = k->nrows;
    return true;
}

/* One layer of the depth scan passed (its coverage: nr rows whose edge pixels are in px), over
 * the scanned triangle's pixels: composited into below, and its factor k (1 - coverage * alpha)
 * taken into (pass > 0) or out of (pass < 0) the product of the layers above the place. A fully
 * opaque pixel (k == 0) is counted instead, so that it can come out. With s, the moments of the
 * pixels it changes follow. */
static void depth_pass(pe_fit *fit, const pe_tri *t, const pe_cover_row *rows, int nr,
                       const pe_cover_px *px, int pass, int target_w, double s[PE_FIT_NMOM])
{
    float u[4];
    pe_tri_premul(t, u);
    for (int r = 0; r < nr; r++) {
        const pe_cover_row *row = &rows[r];
        const int y = row->y - fit->oy;
        const size_t base = (size_t)y * (size_t)fit->w;
        for (int e = -1; e < row->ne; e++) { /* the row's run, then its edge pixels */
            const int x0 = e < 0 ? row->x0 : px[row->e0 + e].x;
            const int x1 = e < 0 ? row->x1 : x0 + 1;
            const layer_px l = at_coverage(u, e < 0 ? row->c : px[row->e0 + e].c);
            for (int x = x0 - fit->ox; x < x1 - fit->ox; x++) {
                const size_t i = base + (size_t)x;
                if (fit->mul[i] == 0.0f) /* only the scanned triangle's pixels count */
                    continue;
                if (s)
                    depth_px(fit, target_w, x, y, -1.0, s);
                blend(fit->below + 4 * i, &l);
                if (l.k == 0.0f)
                    fit->mom[i] += pass;
                else
                    fit->cdf[i] = pass > 0 ? fit->cdf[i] * (double)l.k : fit->cdf[i] / (double)l.k;
                if (s)
                    depth_px(fit, target_w, x, y, 1.0, s);
            }
        }
    }
}

/* The loss change for the moments s over the scanned triangle's pixels, its colour solved and
 * drawn in 8 bits; rgba gets that colour. */
static double depth_delta(const pe_fit *fit, const double s[PE_FIT_NMOM], int pixels,
                          unsigned char rgba[4])
{
    pe_fit_colour col;
    pe_fit_solve(fit->style, s, pixels, &col);
    pe_fit_quantize(&col, rgba);
    const pe_tri q = { .rgba = { rgba[0], rgba[1], rgba[2], rgba[3] } };
    float p[4];
    pe_tri_premul(&q, p);
    const double u[3] = { (double)p[0], (double)p[1], (double)p[2] };
    return pe_fit_delta_of(s, u, (double)p[3]);
}

int pe_fit_depth(pe_fit *fit, const float *target, int target_w, int ox, int oy, int w, int h,
                 const float bg[4], bool alpha, const pe_tri *t, const pe_tri *tris, int n, int at,
                 pe_fit_place *out)
{
    const size_t px = set_region(fit, ox, oy, w, h, alpha);
    out->anchor = -1;
    out->above = false;
    memset(fit->mul, 0, px * sizeof *fit->mul); /* the scanned triangle's coverage */
    const int nr = pe_raster_cover(t->x, t->y, ox, oy, ox + w, oy + h, &fit->cov);
    for (int r = 0; r < nr; r++) {
        const pe_cover_row *row = &fit->cov.rows[r];
        float *line = fit->mul + (size_t)(row->y - oy) * (size_t)w - ox;
        for (int x = row->x0; x < row->x1; x++)
            line[x] = row->c;
        for (int e = row->e0; e < row->e0 + row->ne; e++)
            line[fit->cov.px[e].x] = fit->cov.px[e].c;
    }
    /* first every layer: the picture without t (its error d is the same at every depth) and
     * the product of all the layers' factors, the one of the bottom place */
    for (size_t i = 0; i < px; i++) {
        memcpy(fit->below + 4 * i, bg, 4 * sizeof(float));
        fit->cdf[i] = 1.0;
        fit->mom[i] = 0.0;
    }
    fit->kept.nrows = fit->kept.npx = fit->kept.count = 0;
    for (int j = 0; j < n; j++) {
        if (misses(&tris[j], ox, oy, w, h))
            continue;
        const int nl = pe_raster_cover(tris[j].x, tris[j].y, ox, oy, ox + w, oy + h, &fit->cov);
        if (!keep_cover(fit, nl))
            return -1;
        depth_pass(fit, &tris[j], fit->cov.rows, nl, fit->cov.px, 1, target_w, NULL);
    }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            const size_t i = (size_t)y * (size_t)w + (size_t)x;
            const float *tg = target + ((size_t)(oy + y) * (size_t)target_w + (size_t)(ox + x)) * 4;
            for (int c = 0; c < 4; c++)
                fit->add[4 * i + c] = fit->below[4 * i + c] - tg[c];
            memcpy(fit->below + 4 * i, bg, 4 * sizeof(float));
        }
    /* then up through the places between the layers, the layer below each place composited
     * and its factor taken out, the moments following the pixels it changes */
    double mom[PE_FIT_NMOM] = { 0 };
    int pixels = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            if (fit->mul[(size_t)y * (size_t)w + (size_t)x] != 0.0f) {
                depth_px(fit, target_w, x, y, 1.0, mom);
                pixels++;
            }
    int best = at, prev = -1, layer = 0;
    double dbest = HUGE_VAL, dat = HUGE_VAL;
    for (int j = 0; j <= n; j++) {
        if (j < n && misses(&tris[j], ox, oy, w, h))
            continue;
        /* the place just below layer j (j == n: on top), the highest of the places since the
         * previous layer; t's own place stands for its whole gap */
        const bool here = at > prev && at <= j;
        unsigned char rgba[4];
        const double d = depth_delta(fit, mom, pixels, rgba);
        if (here)
            dat = d;
        if (d < dbest || (here && d == dbest)) {
            dbest = d;
            best = here ? at : j;
            memcpy(out->rgba, rgba, 4);
            out->anchor = here ? -1 : (j < n ? j : prev);
            out->above = !here && j == n;
        }
        if (j < n) {
            const pe_fit_kept *k = &fit->kept;
            const int r0 = k->first[layer], r1 = k->first[layer + 1];
            depth_pass(fit, &tris[j], k->rows + r0, r1 - r0, k->px, -1, target_w, mom);
            layer++;
        }
        prev = j;
    }
    out->delta = dbest;
    out->delta_at = dat;
    return best;
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
