/* test_search: one triangle's search: it finds what a simple target asks for, stays in its box,
 * never makes a slot worse, is deterministic, and the screen only ranks candidates. */
#include "search.h"
#include "test.h"

#include <stdlib.h>

enum { W = 40, H = 32 };

static float target[W * H * 4];
static const float bg[4] = { 0.1f, 0.1f, 0.1f, 1.0f };

/* A dark background with a bright red right triangle (0,0)-(24,0)-(0,24) in it. */
static void make_target(void)
{
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            float *p = target + 4 * (y * W + x);
            const bool in = x + y < 24;
            p[0] = in ? 0.9f : bg[0];
            p[1] = in ? 0.2f : bg[1];
            p[2] = in ? 0.2f : bg[2];
            p[3] = 1.0f;
        }
}

static const double box[4] = { -8, -8, W + 8, H + 8 };

static bool in_box(const pe_tri *t)
{
    for (int v = 0; v < 3; v++)
        if (t->x[v] < box[0] || t->x[v] > box[2] || t->y[v] < box[1] || t->y[v] > box[3])
            return false;
    return true;
}

static double search(const pe_fit *fit, const pe_search_cfg *cfg, const pe_tri *cur, uint64_t seed,
                     pe_tri *out)
{
    pe_rng rng;
    pe_rng_seed(&rng, seed, 0);
    pe_search_stats st = { 0 };
    return pe_search_focus(fit, cfg, box, &rng, 1, cur, 1.0, out, &st);
}

static void finds_the_shape(void)
{
    pe_fit fit;
    CHECK(pe_fit_init(&fit, W, H));
    pe_fit_focus(&fit, target, W, 0, 0, W, H, bg, false, NULL, 0, 0);
    const pe_search_cfg add = pe_search_cfg_add();
    pe_tri a, b;
    const double d = search(&fit, &add, NULL, 3, &a);
    /* the red triangle carries all the error: a good add removes most of it */
    CHECK(d < -0.8 * fit.e0);
    CHECK(in_box(&a));
    CHECK(a.rgba[0] > 200 && a.rgba[1] < 80 && a.rgba[2] < 80);
    /* the returned delta is the loss change of the triangle as drawn, 8-bit colour included */
    CHECK_NEAR(d, pe_fit_delta_with(&fit, a.x, a.y, a.rgba), 1e-9);
    /* deterministic */
    CHECK_NEAR(search(&fit, &add, NULL, 3, &b), d, 0.0);
    CHECK(!memcmp(a.x, b.x, sizeof a.x) && !memcmp(a.y, b.y, sizeof a.y) &&
          !memcmp(a.rgba, b.rgba, sizeof a.rgba)); /* the fields: padding is not part of it */
    pe_fit_free(&fit);
}

static void screen_only_ranks(void)
{
    pe_fit fit;
    CHECK(pe_fit_init(&fit, W, H));
    pe_fit_focus(&fit, target, W, 0, 0, W, H, bg, false, NULL, 0, 0);
    /* candidates only: with every candidate a finalist, the screen's ranking cannot matter */
    pe_search_cfg all = { .candidates = 24, .finalists = 0 };
    pe_search_cfg ranked = all;
    ranked.finalists = 24;
    pe_tri a, b;
    CHECK_NEAR(search(&fit, &ranked, NULL, 7, &b), search(&fit, &all, NULL, 7, &a), 0.0);
    CHECK(!memcmp(a.x, b.x, sizeof a.x) && !memcmp(a.y, b.y, sizeof a.y) &&
          !memcmp(a.rgba, b.rgba, sizeof a.rgba)); /* the fields: padding is not part of it */
    /* a single finalist is the screen's favourite: a fair candidate, but no better than the
     * loss model's pick among the same candidates */
    ranked.finalists = 1;
    const double d1 = search(&fit, &ranked, NULL, 7, &b);
    CHECK(d1 >= search(&fit, &all, NULL, 7, &a));
    CHECK(d1 < 0.0);
    pe_fit_free(&fit);
}

static void refinement_never_worse(void)
{
    pe_fit fit;
    CHECK(pe_fit_init(&fit, W, H));
    pe_tri cur = { .x = { 2, 20, 3 }, .y = { 3, 2, 18 }, .rgba = { 200, 60, 60, 200 } };
    pe_fit_focus(&fit, target, W, 0, 0, W, H, bg, false, &cur, 1, 0);
    const double d0 = pe_fit_delta_with(&fit, cur.x, cur.y, cur.rgba);
    const pe_search_cfg refine = pe_search_cfg_refine();
    pe_tri out;
    const double d = search(&fit, &refine, &cur, 5, &out);
    CHECK(d < d0); /* this one is easy to improve on */
    CHECK(in_box(&out));
    CHECK_NEAR(d, pe_fit_delta_with(&fit, out.x, out.y, out.rgba), 1e-9);
    /* with nothing to try, the slot keeps its geometry and gets the colour that suits it */
    const pe_search_cfg none = { 0 };
    const double dn = search(&fit, &none, &cur, 5, &out);
    CHECK(memcmp(out.x, cur.x, sizeof cur.x) == 0 && memcmp(out.y, cur.y, sizeof cur.y) == 0);
    CHECK(dn < d0 && memcmp(out.rgba, cur.rgba, 4) != 0);
    pe_fit_colour best;
    pe_fit_eval(&fit, cur.x, cur.y, &best);
    unsigned char q[4];
    pe_fit_quantize(&best, q);
    CHECK(memcmp(out.rgba, q, 4) == 0);
    pe_fit_free(&fit);
}

int main(int argc, char **argv)
{
    TEST_MAIN_BEGIN(argc, argv);
    make_target();
    RUN(finds_the_shape);
    RUN(screen_only_ranks);
    RUN(refinement_never_worse);
    TEST_MAIN_END();
}
