/* picture: the canvas drawn again block by block where it changed. */
#include "picture.h"

#include "fit.h"
#include "image.h"

#include <stdlib.h>
#include <string.h>

/* Block side: small enough that a commit's footprint redraws little beyond itself, large
 * enough that the per-block bookkeeping stays negligible. */
#define PE_PICTURE_BLOCK 32

pe_status pe_picture_init(pe_picture *p, const pe_target *t)
{
    memset(p, 0, sizeof *p);
    const size_t px = (size_t)t->w * (size_t)t->h;
    p->w = t->w;
    p->h = t->h;
    p->bw = (t->w + PE_PICTURE_BLOCK - 1) / PE_PICTURE_BLOCK;
    p->bh = (t->h + PE_PICTURE_BLOCK - 1) / PE_PICTURE_BLOCK;
    const int rows = t->h < PE_PICTURE_BLOCK ? t->h : PE_PICTURE_BLOCK;
    p->err = malloc(px * sizeof(float));
    p->row_sse = calloc((size_t)t->h, sizeof(double));
    p->row_err = calloc((size_t)t->h, sizeof(double));
    p->row_cdf = malloc((size_t)t->h * sizeof(double));
    p->dirty = malloc((size_t)p->bw * (size_t)p->bh);
    p->changed = calloc((size_t)p->bw * (size_t)p->bh, 1);
    p->scratch = malloc((size_t)t->w * (size_t)rows * 4 * sizeof(float));
    pe_status st = p->err && p->row_sse && p->row_err && p->row_cdf && p->dirty && p->changed &&
                           p->scratch &&
                           pe_cover_init(&p->cov, t->w, rows)
                       ? pe_image_alloc(t->w, t->h, &p->canvas)
                       : PE_ERR_NOMEM;
    if (st != PE_OK) {
        pe_picture_free(p);
        return st;
    }
    memset(p->dirty, 1, (size_t)p->bw * (size_t)p->bh); /* nothing drawn yet */
    p->any_dirty = p->cdf_stale = true;
    return PE_OK;
}

void pe_picture_free(pe_picture *p)
{
    pe_cover_free(&p->cov);
    free(p->err);
    free(p->row_sse);
    free(p->row_err);
    free(p->row_cdf);
    free(p->dirty);
    free(p->changed);
    free(p->scratch);
    pe_image_free(&p->canvas);
    memset(p, 0, sizeof *p);
}

void pe_picture_touch(pe_picture *p, const pe_box *b)
{
    if (b->x1 <= b->x0 || b->y1 <= b->y0)
        return;
    for (int by = b->y0 / PE_PICTURE_BLOCK; by <= (b->y1 - 1) / PE_PICTURE_BLOCK; by++)
        for (int bx = b->x0 / PE_PICTURE_BLOCK; bx <= (b->x1 - 1) / PE_PICTURE_BLOCK; bx++)
            p->dirty[(size_t)by * (size_t)p->bw + (size_t)bx] =
                p->changed[(size_t)by * (size_t)p->bw + (size_t)bx] = 1;
    p->any_dirty = true;
}

void pe_picture_pass(pe_picture *from, pe_picture *to)
{
    const size_t nb = (size_t)from->bw * (size_t)from->bh;
    for (size_t i = 0; i < nb; i++) {
        to->dirty[i] |= from->changed[i];
        to->any_dirty = to->any_dirty || from->changed[i];
    }
    memset(from->changed, 0, nb);
}

static unsigned char to8(float v)
{
    return (unsigned char)(v <= 0.0f ? 0.0f : (v >= 1.0f ? 255.0f : v * 255.0f + 0.5f));
}

/* Draw [x0, x1) x [y0, y1) again: the composite, its error and its 8-bit pixels. */
static void draw_rect(pe_picture *p, const pe_target *t, const pe_stack *s, int x0, int y0,
                      int x1, int y1)
{
    const int rw = x1 - x0, rh = y1 - y0;
    (void)pe_fit_render(t->rgba, t->w, x0, y0, rw, rh, t->bg, t->alpha, s->tris, s->n, &p->cov,
                        p->scratch);
    for (int y = 0; y < rh; y++) {
        for (int x = 0; x < rw; x++) {
            const size_t i = (size_t)(y0 + y) * (size_t)t->w + (size_t)(x0 + x);
            const float *src = p->scratch + 4 * ((size_t)y * (size_t)rw + (size_t)x);
            const float *ref = t->rgba + 4 * i;
            unsigned char *dst = p->canvas.rgba + 4 * i;
            const float a = src[3];
            for (int c = 0; c < 3; c++)
                dst[c] = to8(a > 0.0f ? src[c] / a : 0.0f);
            dst[3] = to8(a);
            double e = 0.0;
            for (int c = 0; c < (t->alpha ? 4 : 3); c++) {
                const double d = (double)src[c] - (double)ref[c];
                e += d * d;
            }
            p->err[i] = (float)e;
        }
    }
}

double pe_picture_update(pe_picture *p, const pe_target *t, const pe_stack *s)
{
    for (int by = 0; p->any_dirty && by < p->bh; by++) {
        unsigned char *row = p->dirty + (size_t)by * (size_t)p->bw;
        const int y0 = by * PE_PICTURE_BLOCK;
        const int y1 = y0 + PE_PICTURE_BLOCK < p->h ? y0 + PE_PICTURE_BLOCK : p->h;
        bool drew = false;
        for (int bx = 0; bx < p->bw;) { /* each run of dirty blocks as one rectangle */
            if (!row[bx]) {
                bx++;
                continue;
            }
            int end = bx;
            while (end < p->bw && row[end])
                row[end++] = 0;
            const int x1 = end * PE_PICTURE_BLOCK < p->w ? end * PE_PICTURE_BLOCK : p->w;
            draw_rect(p, t, s, bx * PE_PICTURE_BLOCK, y0, x1, y1);
            drew = true;
            bx = end;
        }
        for (int y = y0; drew && y < y1; y++) {
            const float *e = p->err + (size_t)y * (size_t)p->w;
            const float *wt = p->weight ? p->weight + (size_t)y * (size_t)p->w : NULL;
            double sum = 0.0, wsum = 0.0;
            for (int x = 0; x < p->w; x++) {
                sum += (double)e[x];
                wsum += wt ? (double)wt[x] * (double)e[x] : 0.0;
            }
            p->row_sse[y] = sum;
            p->row_err[y] = wt ? wsum : sum;
        }
        p->cdf_stale = p->cdf_stale || drew;
    }
    p->any_dirty = false;
    double sse = 0.0;
    for (int y = 0; y < p->h; y++)
        sse += p->row_sse[y];
    return sse;
}

size_t pe_picture_sample(pe_picture *p, double u)
{
    if (p->cdf_stale) {
        double cum = 0.0;
        for (int y = 0; y < p->h; y++)
            p->row_cdf[y] = cum += p->row_err[y];
        p->cdf_stale = false;
    }
    const double total = p->row_cdf[p->h - 1];
    const size_t n = (size_t)p->w * (size_t)p->h;
    if (!(total > 0.0)) {
        const size_t i = (size_t)(u * (double)n);
        return i < n ? i : n - 1;
    }
    const double v = u * total;
    int lo = 0, hi = p->h - 1; /* the first row whose cumulative error passes v */
    while (lo < hi) {
        const int mid = lo + (hi - lo) / 2;
        if (p->row_cdf[mid] > v)
            hi = mid;
        else
            lo = mid + 1;
    }
    double cum = lo > 0 ? p->row_cdf[lo - 1] : 0.0;
    const float *e = p->err + (size_t)lo * (size_t)p->w;
    const float *wt = p->weight ? p->weight + (size_t)lo * (size_t)p->w : NULL;
    int x = 0;
    while (x < p->w - 1 && (cum += wt ? (double)wt[x] * (double)e[x] : (double)e[x]) <= v)
        x++;
    return (size_t)lo * (size_t)p->w + (size_t)x;
}
