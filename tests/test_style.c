/* test_style: the artist controls in the fit (per-pixel weight, fixed alpha, palette) keep the
 * incremental loss exact against a full weighted render, and the closed form keeps to them. */
#include "fit.h"
#include "polyevolve.h"
#include "rng.h"
#include "test.h"

#include <stdlib.h>

enum { W = 48, H = 40, TW = 64 };

static void random_tri(pe_rng *r, pe_tri *t)
{
    for (int i = 0; i < 3; i++) {
        t->x[i] = 3 + 58 * pe_rng_uniform(r); /* the tile starts at x = 8 */
        t->y[i] = -5 + 50 * pe_rng_uniform(r);
    }
    for (int c = 0; c < 4; c++)
        t->rgba[c] = (unsigned char)pe_rng_below(r, 256);
    if (t->rgba[3] < 10)
        t->rgba[3] = 10;
}

static float *random_target(pe_rng *r, bool alpha)
{
    float *t = malloc(sizeof(float) * 4 * TW * H);
    for (int i = 0; i < TW * H; i++) {
        const float a = alpha ? (float)pe_rng_uniform(r) : 1.0f;
        for (int c = 0; c < 3; c++)
            t[4 * i + c] = a * (float)pe_rng_uniform(r);
        t[4 * i + 3] = a;
    }
    return t;
}

/* Weights over the whole TW x H image: zero in a block, random elsewhere (a tile at x = 8 must
 * read them at its own offset). */
static float *random_weight(pe_rng *r)
{
    float *w = malloc(sizeof(float) * TW * H);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < TW; x++)
            w[y * TW + x] = (x < 20 && y < 15) ? 0.0f : (float)(2.0 * pe_rng_uniform(r));
    return w;
}

/* Weighted incremental evaluation equals a weighted full render, for the focus's e0, the
 * delta of a given colour and the closed form's promise once drawn. */
static void check_weighted(bool alpha)
{
    pe_rng r;
    pe_rng_seed(&r, alpha ? 22 : 21, 0);
    float *target = random_target(&r, alpha), *weight = random_weight(&r);
    float *canvas = malloc(sizeof(float) * 4 * W * H);
    pe_cover cov;
    CHECK(pe_cover_init(&cov, W, H));
    pe_fit fit;
    CHECK(pe_fit_init(&fit, W, H));
    const pe_fit_style style = { .weight = weight };
    pe_fit_set_style(&fit, &style);
    const float bg[4] = { alpha ? 0.0f : 0.3f, alpha ? 0.0f : 0.5f, alpha ? 0.0f : 0.2f,
                          alpha ? 0.0f : 1.0f };
    for (int trial = 0; trial < 40; trial++) {
        pe_tri tris[12], without[12];
        const int n = 1 + (int)pe_rng_below(&r, 12);
        for (int i = 0; i < n; i++)
            random_tri(&r, &tris[i]);
        const int k = (int)pe_rng_below(&r, (uint32_t)n);
        pe_fit_focus(&fit, target, TW, 8, 0, W, H, bg, NULL, alpha, tris, n, k);
        memcpy(without, tris, sizeof tris);
        memmove(&without[k], &without[k + 1], sizeof(pe_tri) * (size_t)(n - k - 1));
        const double e0 = pe_fit_render_styled(target, TW, 8, 0, W, H, bg, alpha, without, n - 1,
                                               &cov, &style, canvas);
        CHECK_REL(fit.e0, e0, 1e-6);
        const double e1 = pe_fit_render_styled(target, TW, 8, 0, W, H, bg, alpha, tris, n, &cov,
                                               &style, canvas);
        const double d = pe_fit_delta_with(&fit, tris[k].x, tris[k].y, tris[k].rgba);
        CHECK_NEAR(e0 + d, e1, 1e-6 * (1 + e1));
        pe_fit_colour best;
        pe_fit_eval(&fit, tris[k].x, tris[k].y, &best);
        CHECK(best.delta <= d + 1e-6 * (1 + fabs(d)));
        pe_fit_quantize(&best, tris[k].rgba);
        const double e2 = pe_fit_render_styled(target, TW, 8, 0, W, H, bg, alpha, tris, n, &cov,
                                               &style, canvas);
        CHECK(e2 - e0 <= best.delta + 1e-3 * (1 + best.pixels));
        /* and the weight really counts: the unweighted loss is another number */
        const double plain = pe_fit_render(target, TW, 8, 0, W, H, bg, alpha, tris, n, &cov,
                                           canvas);
        CHECK(fabs(plain - e2) > 1e-3 * plain);
    }
    pe_fit_free(&fit);
    pe_cover_free(&cov);
    free(canvas);
    free(weight);
    free(target);
}

static void weighted_delta_equals_weighted_render_opaque(void)
{
    check_weighted(false);
}

static void weighted_delta_equals_weighted_render_transparent(void)
{
    check_weighted(true);
}

/* A triangle entirely where the weight is zero changes nothing the loss sees. */
static void zero_weight_is_ignored(void)
{
    pe_rng r;
    pe_rng_seed(&r, 23, 0);
    float *target = random_target(&r, false), *weight = random_weight(&r);
    pe_fit fit;
    CHECK(pe_fit_init(&fit, W, H));
    const pe_fit_style style = { .weight = weight };
    pe_fit_set_style(&fit, &style);
    const float bg[4] = { 0.3f, 0.5f, 0.2f, 1.0f };
    pe_fit_focus(&fit, target, TW, 8, 0, W, H, bg, NULL, false, NULL, 0, 0);
    const double x[3] = { 9, 18, 9 }, y[3] = { 1, 1, 13 }; /* inside the zero block */
    pe_fit_colour c;
    pe_fit_eval(&fit, x, y, &c);
    CHECK(c.pixels > 0);
    CHECK_NEAR(c.delta, 0.0, 1e-12);
    const unsigned char red[4] = { 255, 0, 0, 255 };
    CHECK_NEAR(pe_fit_delta_with(&fit, x, y, red), 0.0, 1e-12);
    pe_fit_free(&fit);
    free(weight);
    free(target);
}

/* Fixed alpha: every answer has exactly that opacity, and its colour is optimal for it. */
static void fixed_alpha_is_kept(void)
{
    pe_rng r;
    pe_rng_seed(&r, 24, 0);
    for (int alpha = 0; alpha < 2; alpha++) {
        float *target = random_target(&r, alpha);
        pe_fit fit;
        CHECK(pe_fit_init(&fit, W, H));
        const int A[3] = { 128, 1, 255 };
        const float bg[4] = { 0.3f, 0.5f, 0.2f, 1.0f };
        for (int trial = 0; trial < 30; trial++) {
            const pe_fit_style style = { .alpha = A[trial % 3] };
            pe_fit_set_style(&fit, &style);
            pe_tri tris[6];
            for (int i = 0; i < 6; i++)
                random_tri(&r, &tris[i]);
            pe_fit_focus(&fit, target, TW, 8, 0, W, H, bg, NULL, alpha, tris, 6, trial % 6);
            const pe_tri *t = &tris[trial % 6];
            pe_fit_colour c;
            pe_fit_eval(&fit, t->x, t->y, &c);
            unsigned char q[4];
            pe_fit_quantize(&c, q);
            CHECK(q[3] == A[trial % 3]);
            pe_fit_screen(&fit, t->x, t->y, &c);
            pe_fit_quantize(&c, q);
            CHECK(q[3] == A[trial % 3]);
            pe_fit_eval(&fit, t->x, t->y, &c);
            pe_fit_quantize(&c, q);
            const double d = pe_fit_delta_with(&fit, t->x, t->y, q);
            for (int ch = 0; ch < 3; ch++) /* one step away in any channel is no better */
                for (int s = -8; s <= 8; s += 16) {
                    unsigned char p[4] = { q[0], q[1], q[2], q[3] };
                    const int v = p[ch] + s;
                    if (v < 0 || v > 255)
                        continue;
                    p[ch] = (unsigned char)v;
                    CHECK(pe_fit_delta_with(&fit, t->x, t->y, p) >= d - 1e-6 * (1 + fabs(d)));
                }
        }
        pe_fit_free(&fit);
        free(target);
    }
}

/* Palette: every answer is an entry, with the best opacity; no entry at any opacity beats it
 * by more than the 8-bit rounding of alpha. */
static void palette_colours_are_optimal(void)
{
    pe_rng r;
    pe_rng_seed(&r, 25, 0);
    unsigned char pal[3 * 6];
    for (int i = 0; i < 3 * 6; i++)
        pal[i] = (unsigned char)pe_rng_below(&r, 256);
    float *target = random_target(&r, false);
    pe_fit fit;
    CHECK(pe_fit_init(&fit, W, H));
    const float bg[4] = { 0.3f, 0.5f, 0.2f, 1.0f };
    for (int trial = 0; trial < 20; trial++) {
        const pe_fit_style style = { .palette = pal, .npalette = 6,
                                     .alpha = trial % 2 ? 100 : 0 };
        pe_fit_set_style(&fit, &style);
        pe_tri tris[4];
        for (int i = 0; i < 4; i++)
            random_tri(&r, &tris[i]);
        pe_fit_focus(&fit, target, TW, 8, 0, W, H, bg, NULL, false, tris, 4, trial % 4);
        const pe_tri *t = &tris[trial % 4];
        pe_fit_colour c;
        pe_fit_eval(&fit, t->x, t->y, &c);
        unsigned char q[4];
        pe_fit_quantize(&c, q);
        int found = -1;
        for (int e = 0; e < 6; e++)
            if (!memcmp(q, pal + 3 * e, 3))
                found = e;
        CHECK(found >= 0);
        if (trial % 2)
            CHECK(q[3] == 100);
        const double d = pe_fit_delta_with(&fit, t->x, t->y, q);
        double brute = HUGE_VAL;
        for (int e = 0; e < 6; e++)
            for (int a = trial % 2 ? 100 : 8; a <= (trial % 2 ? 100 : 255); a++) {
                const unsigned char p[4] = { pal[3 * e], pal[3 * e + 1], pal[3 * e + 2],
                                             (unsigned char)a };
                const double v = pe_fit_delta_with(&fit, t->x, t->y, p);
                brute = v < brute ? v : brute;
            }
        CHECK(d <= brute + 1e-6 * (1 + fabs(brute)));
    }
    pe_fit_free(&fit);
    free(target);
}

int main(int argc, char **argv)
{
    TEST_MAIN_BEGIN(argc, argv);
    RUN(weighted_delta_equals_weighted_render_opaque);
    RUN(weighted_delta_equals_weighted_render_transparent);
    RUN(zero_weight_is_ignored);
    RUN(fixed_alpha_is_kept);
    RUN(palette_colours_are_optimal);
    TEST_MAIN_END();
}
