/* test_target: the working picture (size, premultiplied colour, transparency over white or
 * kept, the background) and its coarse level. */
#include "polyevolve.h"
#include "target.h"
#include "test.h"

#include <stdlib.h>

static pe_image image(int w, int h, unsigned char r, unsigned char g, unsigned char b,
                      unsigned char a)
{
    pe_image img = { w, h, malloc((size_t)w * h * 4) };
    for (int i = 0; i < w * h; i++) {
        img.rgba[4 * i] = r;
        img.rgba[4 * i + 1] = g;
        img.rgba[4 * i + 2] = b;
        img.rgba[4 * i + 3] = a;
    }
    return img;
}

/* An opaque run shows transparent pixels over white; the automatic background is the mean,
 * in 8 bits; the working size keeps the aspect ratio and never enlarges. */
static void opaque_over_white(void)
{
    pe_image img = image(40, 20, 0, 0, 0, 0); /* transparent black: white in an opaque run */
    for (int i = 0; i < 800; i++) /* the left half opaque red */
        if (i % 40 < 20)
            img.rgba[4 * i] = 255, img.rgba[4 * i + 3] = 255;
    pe_options o = pe_options_default();
    o.resize = 20;
    pe_target t;
    CHECK(pe_target_prepare(&img, &o, &t) == PE_OK);
    CHECK(t.w == 20 && t.h == 10 && !t.alpha);
    CHECK_NEAR(t.rgba[0], 1.0, 1e-6);            /* red */
    CHECK_NEAR(t.rgba[1], 0.0, 1e-6);
    CHECK_NEAR(t.rgba[4 * 19 + 1], 1.0, 1e-6);   /* white */
    CHECK_NEAR(t.rgba[4 * 19 + 3], 1.0, 1e-6);
    CHECK_NEAR(t.bg[0], 1.0, 1e-6);              /* mean: (1 + 1) / 2 */
    CHECK_NEAR(t.bg[1], 128.0 / 255.0, 1e-6);     /* 0.5, rounded to what outputs draw */
    CHECK_NEAR(t.bg[3], 1.0, 1e-6);
    pe_target_free(&t);
    o.resize = 0; /* the input's own size */
    o.background_auto = false;
    o.background[0] = 10;
    CHECK(pe_target_prepare(&img, &o, &t) == PE_OK);
    CHECK(t.w == 40 && t.h == 20);
    CHECK_NEAR(t.bg[0], 10.0 / 255.0, 1e-6);
    pe_target_free(&t);
    pe_image_free(&img);
}

/* A transparent run keeps alpha, premultiplied, over a transparent background. */
static void transparent_kept(void)
{
    pe_image img = image(8, 8, 200, 100, 0, 128);
    pe_options o = pe_options_default();
    o.transparent = true;
    o.background_auto = false;
    pe_target t;
    CHECK(pe_target_prepare(&img, &o, &t) == PE_OK);
    CHECK(t.alpha);
    CHECK_NEAR(t.rgba[3], 128.0 / 255.0, 1e-6);
    CHECK_NEAR(t.rgba[0], (200.0 / 255.0) * (128.0 / 255.0), 1e-6);
    CHECK(t.bg[0] == 0.0f && t.bg[3] == 0.0f);
    pe_target_free(&t);
    pe_image_free(&img);
}

/* The coarse level: block means (fewer pixels at the edges), the weights alike, none for a
 * small picture. */
static void coarse_level(void)
{
    pe_target t = { .w = 10, .h = 7 };
    t.rgba = malloc(sizeof(float) * 4 * 70);
    float *weight = malloc(sizeof(float) * 70);
    for (int i = 0; i < 70; i++) {
        for (int c = 0; c < 4; c++)
            t.rgba[4 * i + c] = (float)(i % 10); /* x */
        weight[i] = (float)(i / 10);             /* y */
    }
    pe_level l;
    CHECK(pe_target_reduce(&t, weight, 3, &l) == PE_OK);
    CHECK(l.f == 3 && l.w == 4 && l.h == 3);
    CHECK_NEAR(l.target[0], 1.0, 1e-6);                /* x 0..2 */
    CHECK_NEAR(l.target[4 * 3], 9.0, 1e-6);            /* x 9 alone */
    CHECK_NEAR(l.weight[0], 1.0, 1e-6);                /* y 0..2 */
    CHECK_NEAR(l.weight[4 * 2], 6.0, 1e-6);            /* y 6 alone */
    pe_level_free(&l);
    CHECK(pe_target_reduce(&t, NULL, 6, &l) == PE_OK); /* 10 < 2 x 6: no level */
    CHECK(l.f == 1 && !l.target && !l.weight);
    free(t.rgba);
    free(weight);
}

int main(int argc, char **argv)
{
    TEST_MAIN_BEGIN(argc, argv);
    RUN(opaque_over_white);
    RUN(transparent_kept);
    RUN(coarse_level);
    TEST_MAIN_END();
}
