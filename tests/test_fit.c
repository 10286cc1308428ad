/* test_fit: the closed-form loss change equals a full re-render, and the colour is optimal. */
#include "fit.h"
#include "rng.h"
#include "test.h"

#include <stdlib.h>

enum { W = 48, H = 40, TW = 64 };

static void random_tri(pe_rng *r, pe_tri *t)
{
    for (int i = 0; i < 3; i++) {
        t->x[i] = -5 + 58 * pe_rng_uniform(r);
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

static void check_delta(bool alpha)
{
    pe_rng r;
    pe_rng_seed(&r, alpha ? 2 : 1, 0);
    float *target = random_target(&r, alpha);
    float *canvas = malloc(sizeof(float) * 4 * W * H);
    pe_span spans[H];
    pe_fit fit;
    CHECK(pe_fit_init(&fit, W, H));
    const float bg[4] = { alpha ? 0.0f : 0.3f, alpha ? 0.0f : 0.5f, alpha ? 0.0f : 0.2f,
                          alpha ? 0.0f : 1.0f };
    for (int trial = 0; trial < 40; trial++) {
        pe_tri tris[12];
        const int n = 1 + (int)pe_rng_below(&r, 12);
        for (int i = 0; i < n; i++)
            random_tri(&r, &tris[i]);
        const int k = (int)pe_rng_below(&r, (uint32_t)n);
        /* tile at (8, 0) of the wider target: offsets must be honoured */
        pe_fit_focus(&fit, target, TW, 8, 0, W, H, bg, alpha, tris, n, k);
        pe_tri without[12];
        memcpy(without, tris, sizeof tris);
        memmove(&without[k], &without[k + 1], sizeof(pe_tri) * (size_t)(n - k - 1));
        const double e0 = pe_fit_render(target, TW, 8, 0, W, H, bg, alpha, without, n - 1, spans,
                                        canvas);
        CHECK_REL(fit.e0, e0, 1e-6); /* float compositing in another order */
        const double e1 = pe_fit_render(target, TW, 8, 0, W, H, bg, alpha, tris, n, spans, canvas);
        const double d = pe_fit_delta_with(&fit, tris[k].x, tris[k].y, tris[k].rgba);
        CHECK_NEAR(e0 + d, e1, 1e-6 * (1 + e1));
        /* the closed form is at least as good as the triangle's own colour */
        pe_fit_colour best;
        pe_fit_eval(&fit, tris[k].x, tris[k].y, &best);
        if (!(best.delta <= d + 1e-6 * (1 + fabs(d))))
            fprintf(stderr, "closed form %.9g vs own colour %.9g\n", best.delta, d);
        CHECK(best.delta <= d + 1e-6 * (1 + fabs(d)));
        /* and its quantized colour, really drawn, is close to what it promised */
        pe_fit_quantize(&best, tris[k].rgba);
        const double e2 = pe_fit_render(target, TW, 8, 0, W, H, bg, alpha, tris, n, spans, canvas);
        CHECK(e2 - e0 <= best.delta + 1e-3 * (1 + best.pixels));
        /* perturbing the optimal colour never helps */
        for (int c = 0; c < 3; c++) {
            pe_fit_colour p = best;
            p.u[c] = p.u[c] + 0.05 <= p.a ? p.u[c] + 0.05 : p.u[c] - 0.05;
            if (p.u[c] < 0)
                continue;
            unsigned char q[4];
            pe_fit_quantize(&p, q);
            CHECK(pe_fit_delta_with(&fit, tris[k].x, tris[k].y, q) >= best.delta - 1e-3 * (1 + best.pixels));
        }
    }
    pe_fit_free(&fit);
    free(canvas);
    free(target);
}

static void delta_equals_rerender_opaque(void)
{
    check_delta(false);
}

static void delta_equals_rerender_transparent(void)
{
    check_delta(true);
}

static void new_triangle_on_top(void)
{
    /* a flat target and a flat wrong background: a covering triangle fixes it exactly */
    float *target = malloc(sizeof(float) * 4 * TW * H);
    for (int i = 0; i < TW * H; i++) {
        target[4 * i] = 0.8f;
        target[4 * i + 1] = 0.1f;
        target[4 * i + 2] = 0.4f;
        target[4 * i + 3] = 1.0f;
    }
    pe_fit fit;
    CHECK(pe_fit_init(&fit, W, H));
    const float bg[4] = { 0, 0, 0, 1 };
    pe_fit_focus(&fit, target, TW, 0, 0, W, H, bg, false, NULL, 0, 0);
    const double x[3] = { -100, 300, -100 }, y[3] = { -100, -100, 300 };
    pe_fit_colour c;
    pe_fit_eval(&fit, x, y, &c);
    CHECK(c.pixels == W * H);
    CHECK_NEAR(fit.e0 + c.delta, 0.0, 1e-6);
    unsigned char q[4];
    pe_fit_quantize(&c, q);
    CHECK(q[3] == 255 && q[0] == 204 && q[1] == 26 && q[2] == 102);
    /* sampling follows the error: here uniform, so any index is valid */
    CHECK(pe_fit_sample(&fit, 0.0) == 0 && pe_fit_sample(&fit, 0.999999) == W * H - 1);
    pe_fit_free(&fit);
    free(target);
}

int main(int argc, char **argv)
{
    TEST_MAIN_BEGIN(argc, argv);
    RUN(delta_equals_rerender_opaque);
    RUN(delta_equals_rerender_transparent);
    RUN(new_triangle_on_top);
    TEST_MAIN_END();
}
