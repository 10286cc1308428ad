/* picture: the whole-canvas render, cut into row bands drawn in parallel. */
#include "picture.h"

#include "fit.h"
#include "image.h"
#include "parallel.h"

#include <stdlib.h>
#include <string.h>

/* Row bands of the render: enough to keep every thread busy, each with bounded scratch. */
#define PE_PICTURE_BANDS 16

pe_status pe_picture_init(pe_picture *p, const pe_target *t, int threads)
{
    memset(p, 0, sizeof *p);
    const size_t px = (size_t)t->w * (size_t)t->h;
    p->nbands = PE_PICTURE_BANDS < t->h ? PE_PICTURE_BANDS : t->h;
    p->band_h = (t->h + p->nbands - 1) / p->nbands;
    p->nbands = (t->h + p->band_h - 1) / p->band_h;
    p->threads = threads;
    p->full = malloc(px * 4 * sizeof(float));
    p->error_cdf = malloc(px * sizeof(double));
    p->band_sse = malloc((size_t)p->nbands * sizeof(double));
    p->cov = calloc((size_t)threads, sizeof *p->cov);
    pe_status st = (p->full && p->error_cdf && p->band_sse && p->cov)
                       ? pe_image_alloc(t->w, t->h, &p->canvas)
                       : PE_ERR_NOMEM;
    for (int i = 0; st == PE_OK && i < threads; i++)
        if (!pe_cover_init(&p->cov[i], t->w, p->band_h))
            st = PE_ERR_NOMEM;
    if (st != PE_OK)
        pe_picture_free(p);
    return st;
}

void pe_picture_free(pe_picture *p)
{
    for (int i = 0; p->cov && i < p->threads; i++)
        pe_cover_free(&p->cov[i]);
    free(p->cov);
    free(p->full);
    free(p->error_cdf);
    free(p->band_sse);
    pe_image_free(&p->canvas);
    memset(p, 0, sizeof *p);
}

typedef struct draw_job {
    pe_picture *p;
    const pe_target *t;
    const pe_stack *s;
} draw_job;

static unsigned char to8(float v)
{
    return (unsigned char)(v <= 0.0f ? 0.0f : (v >= 1.0f ? 255.0f : v * 255.0f + 0.5f));
}

static void draw_band(void *ctx, int b, int thread)
{
    const draw_job *j = ctx;
    pe_picture *p = j->p;
    const pe_target *t = j->t;
    const int y0 = b * p->band_h, y1 = y0 + p->band_h < t->h ? y0 + p->band_h : t->h;
    const size_t first = (size_t)y0 * (size_t)t->w, px = (size_t)(y1 - y0) * (size_t)t->w;
    p->band_sse[b] = pe_fit_render(t->rgba, t->w, 0, y0, t->w, y1 - y0, t->bg, t->alpha,
                                   j->s->tris, j->s->n, &p->cov[thread], p->full + 4 * first);
    double cum = 0.0;
    for (size_t i = first; i < first + px; i++) {
        const float *src = p->full + 4 * i, *ref = t->rgba + 4 * i;
        unsigned char *dst = p->canvas.rgba + 4 * i;
        const float a = src[3];
        for (int c = 0; c < 3; c++)
            dst[c] = to8(a > 0.0f ? src[c] / a : 0.0f);
        dst[3] = to8(a);
        double e = 0.0; /* the error within the band; pe_picture_draw adds the bands before */
        for (int c = 0; c < (t->alpha ? 4 : 3); c++) {
            const double d = (double)src[c] - (double)ref[c];
            e += d * d;
        }
        cum += p->weight ? (double)p->weight[i] * e : e;
        p->error_cdf[i] = cum;
    }
}

double pe_picture_draw(pe_picture *p, const pe_target *t, const pe_stack *s)
{
    draw_job j = { p, t, s };
    pe_parallel_for(p->nbands, draw_band, &j);
    double sse = 0.0;
    for (int b = 0; b < p->nbands; b++) {
        if (b > 0) {
            const size_t first = (size_t)b * (size_t)p->band_h * (size_t)t->w;
            const size_t end = (size_t)t->w * (size_t)(b + 1 < p->nbands ? (b + 1) * p->band_h : t->h);
            const double base = p->error_cdf[first - 1];
            for (size_t i = first; i < end; i++)
                p->error_cdf[i] += base;
        }
        sse += p->band_sse[b];
    }
    return sse;
}
