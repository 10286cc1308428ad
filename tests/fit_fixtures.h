/* fit_fixtures.h: random triangles and targets for the loss tests (test_fit, test_style), drawn
 * from a seeded stream so that every failure replays. */
#ifndef PE_TEST_FIT_FIXTURES_H
#define PE_TEST_FIT_FIXTURES_H

#include "fit.h"
#include "rng.h"

#include <stdbool.h>
#include <stdlib.h>

/* A triangle with x in [x0, x0 + 58), y in [-5, 45), any colour, alpha at least 10. */
static inline void fixture_tri(pe_rng *r, double x0, pe_tri *t)
{
    for (int i = 0; i < 3; i++) {
        t->x[i] = x0 + 58 * pe_rng_uniform(r);
        t->y[i] = -5 + 50 * pe_rng_uniform(r);
    }
    for (int c = 0; c < 4; c++)
        t->rgba[c] = (unsigned char)pe_rng_below(r, 256);
    if (t->rgba[3] < 10)
        t->rgba[3] = 10;
}

/* A premultiplied w x h target of random colours (random alphas when alpha, else opaque). */
static inline float *fixture_target(pe_rng *r, int w, int h, bool alpha)
{
    float *t = malloc(sizeof(float) * 4 * (size_t)w * (size_t)h);
    for (int i = 0; t && i < w * h; i++) {
        const float a = alpha ? (float)pe_rng_uniform(r) : 1.0f;
        for (int c = 0; c < 3; c++)
            t[4 * i + c] = a * (float)pe_rng_uniform(r);
        t[4 * i + 3] = a;
    }
    return t;
}

#endif
