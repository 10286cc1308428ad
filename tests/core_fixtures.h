/* core_fixtures.h: a small working picture, a brief and stacks of random triangles for the
 * tests of the core's parts (stack, picture, op, sched), and the loss of a stack by a full
 * render, the reference every incremental answer is held against. */
#ifndef PE_TEST_CORE_FIXTURES_H
#define PE_TEST_CORE_FIXTURES_H

#include "fit_fixtures.h"
#include "op.h"
#include "search.h"
#include "stack.h"
#include "target.h"

#include <stdlib.h>
#include <string.h>

/* A w x h opaque target of random colours over a flat background. */
static inline pe_target fixture_picture(pe_rng *r, int w, int h)
{
    pe_target t = { .rgba = fixture_target(r, w, h, false), .w = w, .h = h,
                    .bg = { 0.4f, 0.5f, 0.3f, 1.0f } };
    return t;
}

/* The brief of a run on t with `triangles` triangles and the pipeline's searches. */
static inline pe_brief fixture_brief(const pe_target *t, const pe_fit_style *style, int triangles)
{
    pe_brief b = { .target = t->rgba, .w = t->w, .h = t->h, .alpha = t->alpha, .seed = 7,
                   .triangles = triangles, .add_cfg = pe_search_cfg_add(),
                   .regrow_cfg = pe_search_cfg_regrow(),
                   .quick_cfg = pe_search_cfg_quick(), .least_cfg = pe_search_cfg_least(),
                   .refine_cfg = pe_search_cfg_refine(), .style = style,
                   .coarse = { .w = t->w, .h = t->h, .f = 1 } };
    memcpy(b.bg, t->bg, sizeof b.bg);
    return b;
}

/* A triangle inside a w x h picture (a little past its edges), alpha at least 10. */
static inline void fixture_tri_in(pe_rng *r, int w, int h, pe_tri *t)
{
    for (int i = 0; i < 3; i++) {
        t->x[i] = -3 + (w + 6) * pe_rng_uniform(r);
        t->y[i] = -3 + (h + 6) * pe_rng_uniform(r);
    }
    for (int c = 0; c < 4; c++)
        t->rgba[c] = (unsigned char)pe_rng_below(r, 256);
    t->rgba[3] = t->rgba[3] < 10 ? 10 : t->rgba[3];
}

/* A stack for a w x h canvas with n random triangles. */
static inline void fixture_stack(pe_rng *r, int w, int h, int n, pe_stack *s)
{
    memset(s, 0, sizeof *s);
    s->w = w;
    s->h = h;
    if (!pe_stack_reserve(s, n > 0 ? n : 1))
        abort();
    for (int k = 0; k < n; k++) {
        pe_tri t;
        fixture_tri_in(r, w, h, &t);
        pe_stack_push(s, &t, -1.0);
    }
}

/* The squared error of tris[0..n) drawn over t's background, by a full render. */
static inline double fixture_loss(const pe_target *t, const pe_tri *tris, int n)
{
    pe_cover cov;
    float *out = malloc(sizeof(float) * 4 * (size_t)t->w * (size_t)t->h);
    if (!out || !pe_cover_init(&cov, t->w, t->h))
        abort();
    const double e =
        pe_fit_render(t->rgba, t->w, 0, 0, t->w, t->h, t->bg, t->alpha, tris, n, &cov, out);
    pe_cover_free(&cov);
    free(out);
    return e;
}

#endif
