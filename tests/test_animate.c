/* test_animate: the Bézier spline (ends exact, C1 joints) and pe_animate_frame (starts off the
 * canvas, lands exactly, deterministic for a seed, the last frame draws as the final result). */
#include "bezier.h"
#include "polyevolve.h"
#include "rng.h"
#include "test.h"

#include <stdlib.h>

enum { W = 64, H = 48 };

/* A result with n random triangles, the first quarter of them in the top-left quarter of the
 * canvas, the next in the top-right, and so on (each poking 4 px out of its quarter), colours
 * and alphas random. Free with pe_result_free. */
static pe_result make_result(size_t n, uint64_t seed)
{
    pe_result r = { 0 };
    r.width = r.work_width = W;
    r.height = r.work_height = H;
    r.triangles = malloc(n * sizeof *r.triangles);
    r.background[0] = 90, r.background[1] = 80, r.background[2] = 70, r.background[3] = 255;
    pe_rng rng;
    pe_rng_seed(&rng, seed, 99);
    for (size_t i = 0; i < n; i++) {
        pe_triangle *t = &r.triangles[i];
        const int q = (int)(i * 4 / n);
        const double x0 = (q % 2) * W / 2.0, y0 = (q / 2) * H / 2.0;
        for (int k = 0; k < 3; k++) {
            t->x[k] = (float)(x0 - 4 + pe_rng_uniform(&rng) * (W / 2.0 + 8));
            t->y[k] = (float)(y0 - 4 + pe_rng_uniform(&rng) * (H / 2.0 + 8));
        }
        t->r = (unsigned char)pe_rng_below(&rng, 256);
        t->g = (unsigned char)pe_rng_below(&rng, 256);
        t->b = (unsigned char)pe_rng_below(&rng, 256);
        t->a = (unsigned char)(40 + pe_rng_below(&rng, 200));
    }
    r.count = n;
    r.seed = seed;
    return r;
}

static void spline_ends_exactly_at_its_anchors(void)
{
    const pe_vec2 a[4] = { { -50.5, 3.25 }, { 10, -20 }, { 7, 7 }, { 0.1, 0.3 } };
    pe_vec2 c[6];
    pe_bezier_spline(a, 4, c);
    const pe_vec2 p0 = pe_bezier_spline_at(a, c, 4, 0.0), p1 = pe_bezier_spline_at(a, c, 4, 1.0);
    CHECK(p0.x == a[0].x && p0.y == a[0].y);
    CHECK(p1.x == a[3].x && p1.y == a[3].y);
    /* interior anchors are passed through at u = k / 3 */
    const pe_vec2 m = pe_bezier_spline_at(a, c, 4, 1.0 / 3.0);
    CHECK_NEAR(m.x, a[1].x, 1e-9);
    CHECK_NEAR(m.y, a[1].y, 1e-9);
}

static void spline_is_c1_at_its_joints(void)
{
    pe_rng rng;
    pe_rng_seed(&rng, 7, 0);
    for (int trial = 0; trial < 50; trial++) {
        pe_vec2 a[5], c[8];
        for (int k = 0; k < 5; k++)
            a[k].x = 200 * pe_rng_uniform(&rng) - 100, a[k].y = 200 * pe_rng_uniform(&rng) - 100;
        pe_bezier_spline(a, 5, c);
        const double h = 1e-7;
        for (int j = 1; j < 4; j++) {
            const double u = j / 4.0;
            const pe_vec2 l = pe_bezier_spline_at(a, c, 5, u - h),
                          m = pe_bezier_spline_at(a, c, 5, u),
                          r = pe_bezier_spline_at(a, c, 5, u + h);
            CHECK_NEAR(m.x, a[j].x, 1e-9); /* C0: the joint is the anchor */
            CHECK_NEAR(m.y, a[j].y, 1e-9);
            /* C1: one-sided velocities agree (to finite-difference accuracy) */
            CHECK_NEAR((m.x - l.x) / h, (r.x - m.x) / h, 1e-3 * (1 + fabs((r.x - m.x) / h)));
            CHECK_NEAR((m.y - l.y) / h, (r.y - m.y) / h, 1e-3 * (1 + fabs((r.y - m.y) / h)));
        }
        /* arrives at rest: zero velocity at the last anchor */
        const pe_vec2 e = pe_bezier_spline_at(a, c, 5, 1.0 - h);
        CHECK_NEAR((a[4].x - e.x) / h, 0.0, 1e-3);
        CHECK_NEAR((a[4].y - e.y) / h, 0.0, 1e-3);
    }
}

static bool off_canvas(const pe_triangle *t)
{
    float x0 = t->x[0], x1 = t->x[0], y0 = t->y[0], y1 = t->y[0];
    for (int k = 1; k < 3; k++) {
        x0 = fminf(x0, t->x[k]), x1 = fmaxf(x1, t->x[k]);
        y0 = fminf(y0, t->y[k]), y1 = fmaxf(y1, t->y[k]);
    }
    return x1 <= -1.0f || x0 >= W + 1.0f || y1 <= -1.0f || y0 >= H + 1.0f;
}

/* With 4 triangles and 5 frames, triangle i starts exactly at frame i (start times 0, 1/4,
 * 1/2, 3/4): there it must sit wholly outside the canvas. */
static void every_triangle_starts_off_the_canvas(void)
{
    for (uint64_t seed = 0; seed < 300; seed++) {
        pe_result fin = make_result(4, seed + 1000);
        for (int f = 0; f < 4; f++) {
            pe_result fr;
            CHECK(pe_animate_frame(&fin, f, 5, seed, &fr) == PE_OK);
            CHECK(fr.count == (size_t)f + 1);
            CHECK(fr.width == W && fr.height == H);
            if (fr.count == (size_t)f + 1)
                CHECK(off_canvas(&fr.triangles[f]));
            pe_result_free(&fr);
        }
        pe_result_free(&fin);
    }
}

static void last_frame_is_the_final_result(void)
{
    pe_result fin = make_result(37, 3);
    pe_result fr;
    CHECK(pe_animate_frame(&fin, 119, 120, 5, &fr) == PE_OK);
    CHECK(fr.count == fin.count);
    CHECK(!memcmp(fr.triangles, fin.triangles, fin.count * sizeof *fin.triangles));
    CHECK(!memcmp(fr.background, fin.background, 4));
    pe_image a = { 0 }, b = { 0 };
    CHECK(pe_render(&fin, 0, 0, &a) == PE_OK);
    CHECK(pe_render(&fr, 0, 0, &b) == PE_OK);
    CHECK(a.width == b.width && a.height == b.height &&
          !memcmp(a.rgba, b.rgba, (size_t)a.width * (size_t)a.height * 4));
    pe_image_free(&a);
    pe_image_free(&b);
    pe_image c = { 0 }, d = { 0 };
    CHECK(pe_render(&fin, 200, 0, &c) == PE_OK);
    CHECK(pe_render(&fr, 200, 0, &d) == PE_OK);
    CHECK(c.width == d.width && c.height == d.height &&
          !memcmp(c.rgba, d.rgba, (size_t)c.width * (size_t)c.height * 4));
    pe_image_free(&c);
    pe_image_free(&d);
    pe_result_free(&fr);
    /* a one-frame animation is just the picture */
    CHECK(pe_animate_frame(&fin, 0, 1, 5, &fr) == PE_OK);
    CHECK(fr.count == fin.count &&
          !memcmp(fr.triangles, fin.triangles, fin.count * sizeof *fin.triangles));
    pe_result_free(&fr);
    pe_result_free(&fin);
}

static void triangles_land_in_drawing_order(void)
{
    pe_result fin = make_result(50, 4);
    size_t before = 0;
    for (int f = 0; f < 60; f++) {
        pe_result fr;
        CHECK(pe_animate_frame(&fin, f, 60, 1, &fr) == PE_OK);
        CHECK(fr.count >= before); /* never one less than the frame before */
        before = fr.count;
        bool flying_seen = false;
        for (size_t i = 0; i < fr.count; i++) {
            const bool landed =
                !memcmp(&fr.triangles[i], &fin.triangles[i], sizeof fin.triangles[i]);
            /* a landed triangle never follows one still in flight: later ones start later */
            CHECK(!(landed && flying_seen));
            flying_seen |= !landed;
            if (!landed)
                CHECK(fr.triangles[i].r == fin.triangles[i].r &&
                      fr.triangles[i].a == fin.triangles[i].a);
        }
        pe_result_free(&fr);
    }
    pe_result_free(&fin);
}

static void same_seed_same_frames_other_seed_other_paths(void)
{
    pe_result fin = make_result(40, 5);
    pe_result a, b, c;
    CHECK(pe_animate_frame(&fin, 30, 60, 11, &a) == PE_OK);
    CHECK(pe_animate_frame(&fin, 30, 60, 11, &b) == PE_OK);
    CHECK(pe_animate_frame(&fin, 30, 60, 12, &c) == PE_OK);
    CHECK(a.count == b.count && a.count == c.count && a.count > 0);
    CHECK(!memcmp(a.triangles, b.triangles, a.count * sizeof *a.triangles));
    CHECK(memcmp(a.triangles, c.triangles, a.count * sizeof *a.triangles) != 0);
    pe_result_free(&a);
    pe_result_free(&b);
    pe_result_free(&c);
    pe_result_free(&fin);
}

static void bad_arguments_are_refused(void)
{
    pe_result fin = make_result(3, 6);
    pe_result fr;
    CHECK(pe_animate_frame(&fin, 0, 0, 1, &fr) == PE_ERR_INVALID_ARG);
    CHECK(fr.triangles == NULL && fr.count == 0);
    CHECK(pe_animate_frame(&fin, 5, 5, 1, &fr) == PE_ERR_INVALID_ARG);
    CHECK(pe_animate_frame(&fin, -1, 5, 1, &fr) == PE_ERR_INVALID_ARG);
    fin.triangles[1].y[2] = NAN;
    CHECK(pe_animate_frame(&fin, 0, 5, 1, &fr) == PE_ERR_INVALID_ARG);
    pe_result_free(&fr);
    pe_result_free(&fin);
}

static void no_triangles_gives_the_background(void)
{
    pe_result fin = make_result(1, 7);
    fin.count = 0;
    pe_result fr;
    CHECK(pe_animate_frame(&fin, 2, 4, 1, &fr) == PE_OK);
    CHECK(fr.count == 0);
    pe_result_free(&fr);
    pe_result_free(&fin);
}

/* A picture with detail everywhere: the pipeline's triangles land all over it, not one region
 * after another (an older core's stack was in the order of its grid's cells, so the first half
 * of an animation filled the left part only). In the middle frame every quarter holds a share
 * of the landed triangles. */
static void middle_frame_covers_the_whole_canvas(void)
{
    pe_image img = { .width = W, .height = H };
    img.rgba = malloc(4 * W * H);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            unsigned char *p = img.rgba + 4 * (y * W + x);
            p[0] = (unsigned char)(128 + 100 * sin(0.31 * x + 0.17 * y));
            p[1] = (unsigned char)(128 + 90 * sin(0.23 * y - 0.11 * x + 1.0));
            p[2] = (unsigned char)(128 + 80 * cos(0.19 * (x + y)));
            p[3] = 255;
        }
    pe_options o = pe_options_default();
    o.triangles = 80;
    o.resize = 0;
    o.iterations = 1;
    o.frames = 0;
    pe_result fin, mid;
    CHECK(pe_approximate(&img, &o, &fin) == PE_OK);
    CHECK(pe_animate_frame(&fin, 60, 121, 1, &mid) == PE_OK);
    int quarter[4] = { 0 }, landed = 0;
    for (size_t i = 0; i < mid.count; i++) {
        const pe_triangle *t = &mid.triangles[i];
        if (memcmp(t->x, fin.triangles[i].x, sizeof t->x) || memcmp(t->y, fin.triangles[i].y, sizeof t->y))
            continue; /* still in flight */
        const double cx = (double)(t->x[0] + t->x[1] + t->x[2]) / 3.0;
        const double cy = (double)(t->y[0] + t->y[1] + t->y[2]) / 3.0;
        quarter[(cx >= W / 2.0) + 2 * (cy >= H / 2.0)]++;
        landed++;
    }
    if (getenv("PE_TEST_VERBOSE") || landed < 20)
        fprintf(stderr, "middle frame: %d landed, quarters %d %d %d %d\n", landed, quarter[0],
                quarter[1], quarter[2], quarter[3]);
    CHECK(landed >= 20);
    for (int q = 0; q < 4; q++)
        CHECK(quarter[q] >= landed / 10);
    pe_result_free(&mid);
    pe_result_free(&fin);
    pe_image_free(&img);
}

int main(int argc, char **argv)
{
    TEST_MAIN_BEGIN(argc, argv);
    RUN(spline_ends_exactly_at_its_anchors);
    RUN(spline_is_c1_at_its_joints);
    RUN(every_triangle_starts_off_the_canvas);
    RUN(last_frame_is_the_final_result);
    RUN(triangles_land_in_drawing_order);
    RUN(same_seed_same_frames_other_seed_other_paths);
    RUN(bad_arguments_are_refused);
    RUN(no_triangles_gives_the_background);
    RUN(middle_frame_covers_the_whole_canvas);
    TEST_MAIN_END();
}
