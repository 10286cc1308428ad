/* test_fit: the closed-form loss change equals a full re-render, and the colour is optimal. */
#include "fit.h"
#include "polyevolve.h"
#include "rng.h"
#include "fit_fixtures.h"
#include "test.h"

#include <stdlib.h>

enum { W = 48, H = 40, TW = 64 };

/* x from -5: past the left edge */
static void random_tri(pe_rng *r, pe_tri *t)
{
    fixture_tri(r, -5, t);
}

static float *random_target(pe_rng *r, bool alpha)
{
    return fixture_target(r, TW, H, alpha);
}

static void check_delta(bool alpha)
{
    pe_rng r;
    pe_rng_seed(&r, alpha ? 2 : 1, 0);
    float *target = random_target(&r, alpha);
    float *canvas = malloc(sizeof(float) * 4 * W * H);
    pe_cover cov;
    CHECK(pe_cover_init(&cov, W, H));
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
        const double e0 = pe_fit_render(target, TW, 8, 0, W, H, bg, alpha, without, n - 1, &cov,
                                        canvas);
        CHECK_REL(fit.e0, e0, 1e-6); /* float compositing in another order */
        const double e1 = pe_fit_render(target, TW, 8, 0, W, H, bg, alpha, tris, n, &cov, canvas);
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
        const double e2 = pe_fit_render(target, TW, 8, 0, W, H, bg, alpha, tris, n, &cov, canvas);
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
    pe_cover_free(&cov);
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

/* A focus grown by the triangles drawn on top since (pe_fit_focus_more) is bit for bit the
 * focus of the longer list drawn afresh: its below, moments, error map and loss; and sampling
 * picks the pixel where the running error passes u of the total. */
static void focus_more_equals_a_new_focus(void)
{
    enum { NMOM = 11 }; /* moments per pixel (fit.c) */
    pe_rng r;
    pe_rng_seed(&r, 5, 0);
    for (int alpha = 0; alpha < 2; alpha++) {
        float *target = random_target(&r, alpha);
        pe_fit a, b;
        CHECK(pe_fit_init(&a, W, H) && pe_fit_init(&b, W, H));
        const float bg[4] = { 0.2f, 0.3f, 0.1f, alpha ? 0.0f : 1.0f };
        for (int trial = 0; trial < 20; trial++) {
            pe_tri tris[14];
            const int n = (int)pe_rng_below(&r, 10), m = 1 + (int)pe_rng_below(&r, 4);
            for (int i = 0; i < n + m; i++)
                random_tri(&r, &tris[i]);
            pe_fit_focus(&a, target, TW, 8, 0, W, H, bg, alpha, tris, n, n);
            pe_fit_focus_more(&a, target, TW, tris + n, m);
            pe_fit_focus(&b, target, TW, 8, 0, W, H, bg, alpha, tris, n + m, n + m);
            const size_t px = (size_t)W * H;
            CHECK(!memcmp(a.below, b.below, px * 4 * sizeof *a.below));
            CHECK(!memcmp(a.mom, b.mom, (size_t)(W + 1) * H * NMOM * sizeof *a.mom));
            CHECK(!memcmp(a.cdf, b.cdf, px * sizeof *a.cdf));
            CHECK(!memcmp(a.row_cum, b.row_cum, (H + 1) * sizeof *a.row_cum));
            CHECK(a.e0 == b.e0);
            const double u = pe_rng_uniform(&r), v = u * a.e0, tol = 1e-9 * a.e0;
            const int i = pe_fit_sample(&a, u), y = i / W, x = i % W;
            CHECK(i >= 0 && i < W * H && i == pe_fit_sample(&b, u));
            CHECK(a.row_cum[y] + (x > 0 ? a.cdf[i - 1] : 0.0) <= v + tol);
            CHECK(v <= a.row_cum[y] + a.cdf[i] + tol);
        }
        pe_fit_free(&a);
        pe_fit_free(&b);
        free(target);
    }
}

/* The loss models what the outputs show: the same triangles drawn by pe_render (cairo,
 * antialiased, what PNG, SVG and PDF draw) and by pe_fit_render agree within 8-bit rounding
 * and the small difference between cairo's coverage and ours. */
static void model_matches_the_drawing(void)
{
    pe_rng r;
    pe_rng_seed(&r, 11, 0);
    float *canvas = malloc(sizeof(float) * 4 * W * H);
    float *target = calloc(4 * W * H, sizeof(float));
    pe_cover cov;
    CHECK(pe_cover_init(&cov, W, H));
    pe_tri tris[20];
    pe_triangle out[20];
    for (int i = 0; i < 20; i++) {
        for (int v = 0; v < 3; v++) { /* at 1/100 px, as results are */
            tris[i].x[v] = round(100.0 * (-5 + 58 * pe_rng_uniform(&r))) / 100.0;
            tris[i].y[v] = round(100.0 * (-5 + 50 * pe_rng_uniform(&r))) / 100.0;
            out[i].x[v] = (float)tris[i].x[v];
            out[i].y[v] = (float)tris[i].y[v];
            tris[i].x[v] = out[i].x[v];
            tris[i].y[v] = out[i].y[v];
        }
        for (int c = 0; c < 4; c++)
            tris[i].rgba[c] = (unsigned char)pe_rng_below(&r, 256);
        tris[i].rgba[3] = (unsigned char)(60 + pe_rng_below(&r, 196));
        out[i].r = tris[i].rgba[0];
        out[i].g = tris[i].rgba[1];
        out[i].b = tris[i].rgba[2];
        out[i].a = tris[i].rgba[3];
    }
    pe_result res = { .width = W, .height = H, .work_width = W, .work_height = H,
                      .background = { 51, 102, 153, 255 }, .triangles = out, .count = 20 };
    const float bg[4] = { 0.2f, 0.4f, 0.6f, 1.0f };
    pe_fit_render(target, W, 0, 0, W, H, bg, false, tris, 20, &cov, canvas);
    pe_image img = { 0 };
    CHECK(pe_render(&res, W, H, &img) == PE_OK);
    double se = 0;
    for (int i = 0; img.rgba && i < W * H; i++)
        for (int c = 0; c < 3; c++) {
            const double d = 255.0 * (double)canvas[4 * i + c] - img.rgba[4 * i + c];
            se += d * d;
        }
    const double psnr = 10 * log10(255.0 * 255.0 / (se / (3.0 * W * H)));
    /* measured: 49.1 dB with 4 sub-rows per row, 44.6 with 2, 36.6 with 1 (coverage in x only) */
    if (getenv("PE_TEST_VERBOSE") || !(psnr >= 46.0))
        fprintf(stderr, "model vs cairo: %.2f dB\n", psnr);
    CHECK(psnr >= 46.0);
    pe_image_free(&img);
    pe_cover_free(&cov);
    free(target);
    free(canvas);
}

/* The screen sums the same moments over the pixels whose centres are inside: where a triangle
 * covers whole pixels only (beyond the tile's edges) it agrees with the loss model, and on
 * random triangles it ranks about like it. */
static void screen_approximates_the_model(void)
{
    pe_rng r;
    pe_rng_seed(&r, 4, 0);
    float *target = random_target(&r, false);
    pe_fit fit;
    CHECK(pe_fit_init(&fit, W, H));
    const float bg[4] = { 0.3f, 0.5f, 0.2f, 1.0f };
    pe_tri under[3];
    for (int i = 0; i < 3; i++)
        random_tri(&r, &under[i]);
    pe_fit_focus(&fit, target, TW, 8, 0, W, H, bg, false, under, 3, 3);
    pe_fit_colour a, b;
    const double x[3] = { -100, 300, -100 }, y[3] = { -100, -100, 300 };
    pe_fit_eval(&fit, x, y, &a);
    pe_fit_screen(&fit, x, y, &b);
    CHECK(a.pixels == W * H && b.pixels == W * H);
    CHECK_NEAR(b.delta, a.delta, 1e-9 * fabs(a.delta));
    /* random triangles: the screen's delta follows the model's (correlation of the two) */
    double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
    const int n = 400;
    for (int t = 0; t < n; t++) {
        pe_tri g;
        random_tri(&r, &g);
        pe_fit_eval(&fit, g.x, g.y, &a);
        pe_fit_screen(&fit, g.x, g.y, &b);
        CHECK(abs(a.pixels - b.pixels) <= a.pixels / 2 + 60); /* edges: about a pixel per row */
        sa += a.delta;
        sb += b.delta;
        saa += a.delta * a.delta;
        sbb += b.delta * b.delta;
        sab += a.delta * b.delta;
    }
    const double cov = sab / n - sa / n * sb / n;
    const double corr = cov / sqrt((saa / n - sa / n * sa / n) * (sbb / n - sb / n * sb / n));
    if (getenv("PE_TEST_VERBOSE") || !(corr > 0.99))
        fprintf(stderr, "screen vs model: correlation %.4f\n", corr);
    CHECK(corr > 0.99);
    pe_fit_free(&fit);
    free(target);
}

/* The depth scan (pe_fit_depth) measures every place among a stack in one pass up it: at each
 * place it must agree with a focus of the stack with the triangle put there (colour solved and
 * drawn in 8 bits both ways), and it must pick the best of them, or the place the triangle
 * has when none is better. Opaque and transparent canvases, plain and with a weight map and a
 * fixed opacity (styles change the closed form the scan solves). */
static void depth_scan_equals_a_focus_at_every_place(void)
{
    pe_rng r;
    pe_rng_seed(&r, 9, 0);
    float weight[TW * H];
    for (int i = 0; i < TW * H; i++)
        weight[i] = (float)pe_rng_uniform(&r);
    for (int variant = 0; variant < 4; variant++) {
        const bool alpha = variant & 1;
        const pe_fit_style style = { .weight = weight, .alpha = 200 };
        float *target = random_target(&r, alpha);
        pe_fit fit, scan;
        CHECK(pe_fit_init(&fit, W, H) && pe_fit_init(&scan, W, H));
        if (variant >= 2) {
            pe_fit_set_style(&fit, &style);
            pe_fit_set_style(&scan, &style);
        }
        const float bg[4] = { alpha ? 0.0f : 0.3f, alpha ? 0.0f : 0.5f, alpha ? 0.0f : 0.2f,
                              alpha ? 0.0f : 1.0f };
        for (int trial = 0; trial < 30; trial++) {
            pe_tri rest[12], list[13], t;
            const int n = (int)pe_rng_below(&r, 12);
            for (int i = 0; i < n; i++)
                random_tri(&r, &rest[i]);
            if (n > 0 && trial % 3 == 0) /* an opaque layer: its factor is 0 where it covers */
                rest[pe_rng_below(&r, (uint32_t)n)].rgba[3] = 255;
            random_tri(&r, &t);
            const int at = (int)pe_rng_below(&r, (uint32_t)n + 1);
            pe_fit_place pl;
            const int p = pe_fit_depth(&scan, target, TW, 8, 0, W, H, bg, alpha, &t, rest, n, at,
                                       &pl);
            CHECK(p >= 0 && p <= n);
            double exact[13], best = HUGE_VAL;
            for (int q = 0; q <= n; q++) { /* t just below rest[q] */
                memcpy(list, rest, sizeof(pe_tri) * (size_t)q);
                list[q] = t;
                memcpy(list + q + 1, rest + q, sizeof(pe_tri) * (size_t)(n - q));
                pe_fit_focus(&fit, target, TW, 8, 0, W, H, bg, alpha, list, n + 1, q);
                pe_fit_colour c;
                pe_fit_eval(&fit, t.x, t.y, &c);
                unsigned char rgba[4];
                pe_fit_quantize(&c, rgba);
                exact[q] = pe_fit_delta_with(&fit, t.x, t.y, rgba);
                best = exact[q] < best ? exact[q] : best;
                if (q == p) /* the scan's colour drawn at its place: the same loss change */
                    CHECK_NEAR(pl.delta, pe_fit_delta_with(&fit, t.x, t.y, pl.rgba),
                               1e-6 * (1.0 + fabs(pl.delta)));
            }
            /* the best place, up to the 8-bit step a colour solved from moments summed in
             * another order may take */
            const double tol = 1e-3 * (1.0 + fabs(best));
            CHECK(pl.delta <= best + tol);
            CHECK(pl.delta_at <= exact[at] + tol);
            CHECK(p == at ? pl.delta == pl.delta_at : pl.delta < pl.delta_at);
            if (p != at) { /* the anchor is the place's neighbour */
                CHECK(pl.anchor >= 0 && pl.anchor < n);
                CHECK(pl.above ? pl.anchor == p - 1 : pl.anchor == p);
            }
        }
        pe_fit_free(&fit);
        pe_fit_free(&scan);
        free(target);
    }
}

int main(int argc, char **argv)
{
    TEST_MAIN_BEGIN(argc, argv);
    RUN(delta_equals_rerender_opaque);
    RUN(delta_equals_rerender_transparent);
    RUN(new_triangle_on_top);
    RUN(focus_more_equals_a_new_focus);
    RUN(model_matches_the_drawing);
    RUN(screen_approximates_the_model);
    RUN(depth_scan_equals_a_focus_at_every_place);
    TEST_MAIN_END();
}
