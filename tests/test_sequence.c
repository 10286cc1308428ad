/* test_sequence: pe_warm_start, the start of a sequence frame (issue 15). */
#include "polyevolve.h"
#include "test.h"

/* A smooth, textured picture: content at (x, y) of the plane, seen through a w x h window at
 * (ox, oy). Shifting the window by (sx, sy) moves the content by (-sx, -sy). */
static pe_image plane(int w, int h, double ox, double oy, bool invert)
{
    pe_image img = { w, h, malloc((size_t)w * (size_t)h * 4) };
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            const double u = x + ox, v = y + oy;
            const double f[3] = { 0.5 + 0.25 * sin(u / 7.0) + 0.2 * cos(v / 11.0),
                                  0.5 + 0.3 * sin((u + v) / 13.0) * cos(v / 5.0),
                                  0.5 + 0.25 * cos(u / 9.0 - v / 17.0) + 0.15 * sin(v / 4.0) };
            unsigned char *p = img.rgba + 4 * ((size_t)y * w + x);
            for (int c = 0; c < 3; c++) {
                const double t = invert ? 1.0 - f[c] : f[c];
                p[c] = (unsigned char)lround(255.0 * (t < 0 ? 0 : t > 1 ? 1 : t));
            }
            p[3] = 255;
        }
    return img;
}

static pe_options small_options(void)
{
    pe_options o = pe_options_default();
    o.triangles = 12;
    o.resize = 0;
    o.iterations = 1;
    o.frames = 0;
    o.threads = 1;
    return o;
}

/* The camera moved 5 px left and 3 px down: the content moved by (+5, -3). */
static void finds_the_translation_and_moves_the_triangles(void)
{
    pe_image a = plane(160, 120, 20, 20, false), b = plane(160, 120, 15, 23, false);
    const pe_options o = small_options();
    pe_result prev = { 0 }, start = { 0 };
    pe_warm_info info;
    CHECK(pe_approximate(&a, &o, &prev) == PE_OK);
    CHECK(pe_warm_start(&prev, &a, &b, &o, &start, &info) == PE_OK);
    CHECK_NEAR(info.dx, 5.0, 0.3);
    CHECK_NEAR(info.dy, -3.0, 0.3);
    CHECK(!info.cut);
    CHECK(info.warm_loss < info.flat_loss);
    CHECK(start.count == prev.count && start.rounds_done == 0);
    for (size_t i = 0; i < start.count; i++) {
        CHECK_NEAR(start.triangles[i].x[0], (double)prev.triangles[i].x[0] + info.dx, 0.011);
        CHECK_NEAR(start.triangles[i].y[2], (double)prev.triangles[i].y[2] + info.dy, 0.011);
        CHECK(start.triangles[i].r == prev.triangles[i].r && start.triangles[i].a == prev.triangles[i].a);
    }
    pe_result_free(&start);
    pe_result_free(&prev);
    pe_image_free(&a);
    pe_image_free(&b);
}

static void a_still_scene_does_not_drift(void)
{
    pe_image a = plane(96, 80, 0, 0, false);
    const pe_options o = small_options();
    pe_result prev = { 0 }, start = { 0 };
    pe_warm_info info;
    CHECK(pe_approximate(&a, &o, &prev) == PE_OK);
    CHECK(pe_warm_start(&prev, &a, &a, &o, &start, &info) == PE_OK);
    CHECK(info.dx == 0.0 && info.dy == 0.0 && !info.cut);
    CHECK_NEAR(info.warm_loss, info.prev_loss, 1e-12);
    for (size_t i = 0; i < start.count; i++)
        CHECK(start.triangles[i].x[1] == prev.triangles[i].x[1]);
    pe_result_free(&start);
    pe_result_free(&prev);
    pe_image_free(&a);
}

static void another_scene_is_a_cut(void)
{
    pe_image a = plane(96, 80, 0, 0, false), c = plane(96, 80, 40, 0, true);
    const pe_options o = small_options();
    pe_result prev = { 0 }, start = { 0 };
    pe_warm_info info;
    CHECK(pe_approximate(&a, &o, &prev) == PE_OK);
    CHECK(pe_warm_start(&prev, &a, &c, &o, &start, &info) == PE_OK);
    CHECK(info.cut);
    CHECK(info.prev_loss < info.flat_loss);
    pe_result_free(&start);
    pe_result_free(&prev);
    pe_image_free(&a);
    pe_image_free(&c);
}

/* Another size (an --init start): scaled, no translation, no cut test; the working size is
 * the new image's, so pe_approximate accepts it as resume. */
static void another_size_is_scaled_and_resumable(void)
{
    pe_image a = plane(96, 80, 0, 0, false), b = plane(192, 100, 0, 0, false);
    pe_options o = small_options();
    pe_result prev = { 0 }, start = { 0 }, next = { 0 };
    pe_warm_info info;
    CHECK(pe_approximate(&a, &o, &prev) == PE_OK);
    CHECK(pe_warm_start(&prev, NULL, &b, &o, &start, &info) == PE_OK);
    CHECK(info.dx == 0.0 && !info.cut && info.warm_loss == 0.0);
    CHECK(start.width == 192 && start.height == 100 && start.work_width == 192);
    for (size_t i = 0; i < start.count; i++)
        CHECK_NEAR(start.triangles[i].x[0], (double)prev.triangles[i].x[0] * 2.0, 0.011);
    o.resume = &start;
    CHECK(pe_approximate(&b, &o, &next) == PE_OK);
    CHECK(next.count == prev.count);
    pe_result_free(&next);
    pe_result_free(&start);
    pe_result_free(&prev);
    pe_image_free(&a);
    pe_image_free(&b);
}

static void bad_arguments_are_refused(void)
{
    pe_image a = plane(16, 16, 0, 0, false);
    const pe_options o = small_options();
    pe_result prev = { 0 }, start = { .count = 7 };
    pe_warm_info info;
    CHECK(pe_warm_start(NULL, NULL, &a, &o, &start, &info) == PE_ERR_INVALID_ARG);
    CHECK(start.count == 0 && start.triangles == NULL);
    CHECK(pe_warm_start(&prev, NULL, &a, &o, &start, &info) == PE_ERR_INVALID_ARG); /* 0x0 */
    pe_result_free(&start);
    pe_image_free(&a);
}

int main(int argc, char **argv)
{
    TEST_MAIN_BEGIN(argc, argv);
    RUN(finds_the_translation_and_moves_the_triangles);
    RUN(a_still_scene_does_not_drift);
    RUN(another_scene_is_a_cut);
    RUN(another_size_is_scaled_and_resumable);
    RUN(bad_arguments_are_refused);
    TEST_MAIN_END();
}
