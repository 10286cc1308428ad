/* picture: the canvas drawn again block by block where it changed. */
#include "picture.h"

#include "fit.h"
#include "image.h"

#include <stdlib.h>
#include <string.h>

/* The composite is kept (16 bytes a pixel) up to this canvas: 64 MB. */
#define PE_PICTURE_COMP_MAX (4 << 20)

pe_status pe_picture_init(pe_picture *p, const pe_target *t)
{
    memset(p, 0, sizeof *p);
    const size_t px = (size_t)t->w * (size_t)t->h;
    p->w = t->w;
    p->h = t->h;
    p->bw = (t->w + PE_PICTURE_BLOCK - 1) / PE_PICTURE_BLOCK;
    p->bh = (t->h + PE_PICTURE_BLOCK - 1) / PE_PICTURE_BLOCK;
    p->err = malloc(px * sizeof(float));
    p->row_sse = calloc((size_t)t->h, sizeof(double));
    p->row_err = calloc((size_t)t->h, sizeof(double));
    p->row_cdf = malloc((size_t)t->h * sizeof(double));
    p->dirty = malloc((size_t)p->bw * (size_t)p->bh);
    p->changed = calloc((size_t)p->bw * (size_t)p->bh, 1);
    p->comp = px <= PE_PICTURE_COMP_MAX ? malloc(px * 4 * sizeof(float)) : NULL;
    pe_status st = p->err && p->row_sse && p->row_err && p->row_cdf && p->dirty && p->changed &&
                           (p->comp || px > PE_PICTURE_COMP_MAX) &&
                           pe_picture_scratch_init(&p->own, t->w)
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
    pe_picture_scratch_free(&p->own);
    free(p->err);
    free(p->row_sse);
    free(p->row_err);
    free(p->row_cdf);
    free(p->dirty);
    free(p->changed);
    free(p->comp);
    free(p->pushed);
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

/* Mark the blocks b meets in map (1). */
static void mark(const pe_picture *p, unsigned char *map, const pe_box *b)
{
    for (int by = b->y0 / PE_PICTURE_BLOCK; by <= (b->y1 - 1) / PE_PICTURE_BLOCK; by++)
        for (int bx = b->x0 / PE_PICTURE_BLOCK; bx <= (b->x1 - 1) / PE_PICTURE_BLOCK; bx++)
            map[(size_t)by * (size_t)p->bw + (size_t)bx] = 1;
}

void pe_picture_push(pe_picture *p, const pe_tri *t, const pe_box *fp)
{
    if (fp->x1 <= fp->x0 || fp->y1 <= fp->y0)
        return;
    if (p->npushed == p->pushed_cap) {
        const int cap = p->pushed_cap ? 2 * p->pushed_cap : 16;
        pe_tri *g = p->comp ? realloc(p->pushed, (size_t)cap * sizeof *g) : NULL;
        if (!g) { /* no composite, or no memory: its blocks are drawn again */
            pe_picture_touch(p, fp);
            return;
        }
        p->pushed = g;
        p->pushed_cap = cap;
    }
    p->pushed[p->npushed++] = *t;
    mark(p, p->changed, fp);
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

/* The error and 8-bit pixels of [x0, x1) x [y0, y1) from its composite (src, stride 4 sw). */
static void measure(pe_picture *p, const pe_target *t, int x0, int y0, int x1, int y1,
                    const float *src0, int sw)
{
    const int rw = x1 - x0, rh = y1 - y0;
    for (int y = 0; y < rh; y++) {
        for (int x = 0; x < rw; x++) {
            const size_t i = (size_t)(y0 + y) * (size_t)t->w + (size_t)(x0 + x);
            const float *src = src0 + 4 * ((size_t)y * (size_t)sw + (size_t)x);
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

/* Draw [x0, x1) x [y0, y1) again: the composite, its error and its 8-bit pixels. */
static void draw_rect(pe_picture *p, const pe_target *t, const pe_stack *s, int x0, int y0,
                      int x1, int y1, pe_picture_scratch *sc)
{
    const int rw = x1 - x0, rh = y1 - y0;
    (void)pe_fit_render(t->rgba, t->w, x0, y0, rw, rh, t->bg, t->alpha, s->tris, s->n, &sc->cov,
                        sc->rows);
    for (int y = 0; p->comp && y < rh; y++)
        memcpy(p->comp + 4 * ((size_t)(y0 + y) * (size_t)t->w + (size_t)x0),
               sc->rows + 4 * (size_t)y * (size_t)rw, 4 * (size_t)rw * sizeof(float));
    measure(p, t, x0, y0, x1, y1, sc->rows, rw);
}

/* The sums of rows [y0, y1). */
static void sum_rows(pe_picture *p, int y0, int y1)
{
    for (int y = y0; y < y1; y++) {
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
}

/* The pushed triangles drawn over the composite in block rows [by0, by1), in order; then their
 * pixels there measured. Blocks to be drawn again anyway are drawn over too: harmless, and
 * simpler. */
static void draw_pushed(pe_picture *p, const pe_target *t, int by0, int by1, pe_cover *cov)
{
    const int band0 = by0 * PE_PICTURE_BLOCK;
    const int band1 = by1 * PE_PICTURE_BLOCK < p->h ? by1 * PE_PICTURE_BLOCK : p->h;
    for (int k = 0; k < p->npushed; k++) {
        const pe_tri *tr = &p->pushed[k];
        const pe_box fp = pe_tri_footprint(tr, p->w, p->h);
        const int y0 = fp.y0 > band0 ? fp.y0 : band0, y1 = fp.y1 < band1 ? fp.y1 : band1;
        if (fp.x1 <= fp.x0 || y1 <= y0)
            continue;
        for (int b = y0 - y0 % PE_PICTURE_BLOCK; b < y1; b += PE_PICTURE_BLOCK) {
            const int rows = b + PE_PICTURE_BLOCK < p->h ? PE_PICTURE_BLOCK : p->h - b;
            pe_fit_draw(tr, 0, b, p->w, rows, cov, p->comp + 4 * (size_t)b * (size_t)p->w);
        }
        measure(p, t, fp.x0, y0, fp.x1, y1,
                p->comp + 4 * ((size_t)y0 * (size_t)p->w + (size_t)fp.x0), p->w);
        sum_rows(p, y0, y1);
    }
}

bool pe_picture_scratch_init(pe_picture_scratch *sc, int w)
{
    memset(sc, 0, sizeof *sc);
    sc->rows = malloc((size_t)w * PE_PICTURE_BLOCK * 4 * sizeof(float));
    return sc->rows && pe_cover_init(&sc->cov, w, PE_PICTURE_BLOCK);
}

void pe_picture_scratch_free(pe_picture_scratch *sc)
{
    free(sc->rows);
    pe_cover_free(&sc->cov);
    memset(sc, 0, sizeof *sc);
}

bool pe_picture_stale(const pe_picture *p)
{
    return p->any_dirty || p->npushed > 0;
}

int pe_picture_dirty_in(const pe_picture *p, int by)
{
    int n = 0;
    for (int bx = 0; p->any_dirty && bx < p->bw; bx++)
        n += p->dirty[(size_t)by * (size_t)p->bw + (size_t)bx];
    return n;
}

bool pe_picture_draw_rows(pe_picture *p, const pe_target *t, const pe_stack *s, int by0, int by1,
                          pe_picture_scratch *sc)
{
    if (p->npushed > 0)
        draw_pushed(p, t, by0, by1, &sc->cov);
    bool drew = false;
    for (int by = by0; p->any_dirty && by < by1; by++) {
        unsigned char *row = p->dirty + (size_t)by * (size_t)p->bw;
        const int y0 = by * PE_PICTURE_BLOCK;
        const int y1 = y0 + PE_PICTURE_BLOCK < p->h ? y0 + PE_PICTURE_BLOCK : p->h;
        bool here = false;
        for (int bx = 0; bx < p->bw;) { /* each run of dirty blocks as one rectangle */
            if (!row[bx]) {
                bx++;
                continue;
            }
            int end = bx;
            while (end < p->bw && row[end])
                row[end++] = 0;
            const int x1 = end * PE_PICTURE_BLOCK < p->w ? end * PE_PICTURE_BLOCK : p->w;
            draw_rect(p, t, s, bx * PE_PICTURE_BLOCK, y0, x1, y1, sc);
            here = true;
            bx = end;
        }
        if (here)
            sum_rows(p, y0, y1);
        drew = drew || here;
    }
    return drew || p->npushed > 0;
}

void pe_picture_drawn(pe_picture *p, bool drew)
{
    p->npushed = 0;
    p->any_dirty = false;
    p->cdf_stale = p->cdf_stale || drew;
}

double pe_picture_update(pe_picture *p, const pe_target *t, const pe_stack *s)
{
    if (pe_picture_stale(p))
        pe_picture_drawn(p, pe_picture_draw_rows(p, t, s, 0, p->bh, &p->own));
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
