/* test_style: the artist controls in the fit (per-pixel weight, fixed alpha, palette) keep the
 * incremental loss exact against a full weighted render, and the closed form keeps to them. */
#define _XOPEN_SOURCE 700 /* mkstemp */
#include "fit.h"
#include "polyevolve.h"
#include "rng.h"
#include "style.h"
#include "fit_fixtures.h"
#include "test.h"

#include <stdlib.h>
#include <unistd.h>

enum { W = 48, H = 40, TW = 64 };

/* x from 3: the tile starts at x = 8 */
static void random_tri(pe_rng *r, pe_tri *t)
{
    fixture_tri(r, 3, t);
}

static float *random_target(pe_rng *r, bool alpha)
{
    return fixture_target(r, TW, H, alpha);
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
        pe_fit_focus(&fit, target, TW, 8, 0, W, H, bg, alpha, tris, n, k);
        memcpy(without, tris, sizeof tris);
        memmove(&without[k], &without[k + 1], sizeof(pe_tri) * (size_t)(n - k - 1));
        const double e0 = pe_fit_render_styled(target, TW, 8, 0, W, H, bg, alpha, without, n - 1,
                                               &cov, &style, canvas);
        CHECK_REL(fit.e0, e0, 1e-6);
        const double e1 =
            pe_fit_render_styled(target, TW, 8, 0, W, H, bg, alpha, tris, n, &cov, &style, canvas);
        const double d = pe_fit_delta_with(&fit, tris[k].x, tris[k].y, tris[k].rgba);
        CHECK_NEAR(e0 + d, e1, 1e-6 * (1 + e1));
        pe_fit_colour best;
        pe_fit_eval(&fit, tris[k].x, tris[k].y, &best);
        CHECK(best.delta <= d + 1e-6 * (1 + fabs(d)));
        pe_fit_quantize(&best, tris[k].rgba);
        const double e2 =
            pe_fit_render_styled(target, TW, 8, 0, W, H, bg, alpha, tris, n, &cov, &style, canvas);
        CHECK(e2 - e0 <= best.delta + 1e-3 * (1 + best.pixels));
        /* and the weight really counts: the unweighted loss is another number */
        const double plain =
            pe_fit_render(target, TW, 8, 0, W, H, bg, alpha, tris, n, &cov, canvas);
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
    pe_fit_focus(&fit, target, TW, 8, 0, W, H, bg, false, NULL, 0, 0);
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
            pe_fit_focus(&fit, target, TW, 8, 0, W, H, bg, alpha, tris, 6, trial % 6);
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
        const pe_fit_style style = { .palette = pal, .npalette = 6, .alpha = trial % 2 ? 100 : 0 };
        pe_fit_set_style(&fit, &style);
        pe_tri tris[4];
        for (int i = 0; i < 4; i++)
            random_tri(&r, &tris[i]);
        pe_fit_focus(&fit, target, TW, 8, 0, W, H, bg, false, tris, 4, trial % 4);
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

/* Write text to a fresh temporary file; its path is left in path (PATH_MAX-free: 64 bytes). */
static bool temp_file(const char *text, char path[64])
{
    snprintf(path, 64, "/tmp/pe-test-palette.XXXXXX");
    const int fd = mkstemp(path);
    if (fd < 0)
        return false;
    const size_t n = strlen(text);
    const bool ok = write(fd, text, n) == (ssize_t)n;
    close(fd);
    return ok;
}

static pe_status load_text(const char *text, unsigned char **rgb, int *n, char *why)
{
    char path[64];
    if (!temp_file(text, path))
        return PE_ERR_IO;
    const pe_status st = pe_palette_load(path, rgb, n, why, 256);
    unlink(path);
    return st;
}

static void palette_files(void)
{
    unsigned char *rgb;
    int n;
    char why[256];
    CHECK(load_text("#ff0000, 00FF00\n# comment line\n  #0000ff # trailing\n", &rgb, &n, why) ==
          PE_OK);
    CHECK(n == 3 && rgb && !memcmp(rgb, "\xff\0\0\0\xff\0\0\0\xff", 9));
    free(rgb);
    CHECK(load_text("GIMP Palette\nName: x\nColumns: 2\n#\n 1  2  3\tOne\n255 254 253\n", &rgb, &n,
                    why) == PE_OK);
    CHECK(n == 2 && rgb && rgb[0] == 1 && rgb[2] == 3 && rgb[5] == 253);
    free(rgb);
    CHECK(load_text("#12345\n", &rgb, &n, why) == PE_ERR_FORMAT && !rgb && n == 0);
    CHECK(strstr(why, "line 1") != NULL);
    CHECK(load_text("GIMP Palette\n1 2\n", &rgb, &n, why) == PE_ERR_FORMAT);
    CHECK(strstr(why, "line 2") != NULL);
    CHECK(load_text("", &rgb, &n, why) == PE_ERR_FORMAT);
    char many[257 * 8 + 1] = { 0 };
    for (int i = 0; i < 257; i++)
        memcpy(many + 8 * i, "#010203\n", 8);
    CHECK(load_text(many, &rgb, &n, why) == PE_ERR_FORMAT && strstr(why, "256"));
    CHECK(pe_palette_load("/nonexistent/p.gpl", &rgb, &n, why, sizeof why) == PE_ERR_IO);
}

/* prepare: options are checked, the mask is scaled, an auto background goes to the palette. */
static void prepare_checks_and_scales(void)
{
    enum { PW = 8, PH = 4 };
    float target[4 * PW * PH];
    for (int i = 0; i < PW * PH; i++) { /* left half red, right half blue */
        target[4 * i] = (i % PW) < PW / 2 ? 1.0f : 0.0f;
        target[4 * i + 1] = 0.0f;
        target[4 * i + 2] = (i % PW) < PW / 2 ? 0.0f : 1.0f;
        target[4 * i + 3] = 1.0f;
    }
    unsigned char mrgba[4 * 4 * 2];
    for (int i = 0; i < 8; i++) /* a 4x2 mask: white on the left half, black on the right */
        memcpy(mrgba + 4 * i, (i % 4) < 2 ? "\xff\xff\xff\xff" : "\0\0\0\xff", 4);
    const pe_image mask = { 4, 2, mrgba };
    const unsigned char pal[6] = { 250, 0, 0, 0, 0, 250 };
    pe_options o = pe_options_default();
    o.weight = &mask;
    o.palette = pal;
    o.palette_size = 2;
    o.alpha = 0.5;
    float bg[4] = { 0.5f, 0.5f, 0.5f, 1.0f };
    pe_style st;
    CHECK(pe_style_prepare(&o, target, PW, PH, false, bg, &st) == PE_OK);
    CHECK(st.fit.alpha == 128 && st.fit.npalette == 2 && st.fit.weight);
    CHECK(st.weight && st.weight[0] > 0.99f && st.weight[PW - 1] < 0.01f);
    CHECK_NEAR(bg[0], 250 / 255.0, 1e-6); /* the weighted mean is red: the red entry */
    CHECK(bg[2] == 0.0f);
    unsigned char rgba[4] = { 10, 10, 200, 255 };
    pe_style_snap(&st, rgba);
    CHECK(rgba[0] == 0 && rgba[2] == 250 && rgba[3] == 128);
    pe_style_free(&st);
    CHECK(!st.weight && !st.palette);
    o.alpha = 1.5;
    CHECK(pe_style_prepare(&o, target, PW, PH, false, bg, &st) == PE_ERR_INVALID_ARG);
    o.alpha = 0.0;
    o.palette_size = 0; /* palette given without a size */
    CHECK(pe_style_prepare(&o, target, PW, PH, false, bg, &st) == PE_ERR_INVALID_ARG);
    o.palette = NULL;
    memset(mrgba, 0, sizeof mrgba); /* all black */
    CHECK(pe_style_prepare(&o, target, PW, PH, false, bg, &st) == PE_ERR_INVALID_ARG);
    CHECK(!st.weight);
}

/* --weight auto: in [0.2, 1], higher on an edge than on flat areas. */
static void auto_weight_follows_contrast(void)
{
    enum { AW = 64, AH = 32 };
    float *t = malloc(sizeof(float) * 4 * AW * AH), *w = malloc(sizeof(float) * AW * AH);
    for (int i = 0; i < AW * AH; i++) {
        const float v = (i % AW) < 40 ? 0.1f : 0.9f; /* one vertical edge at x = 40 */
        t[4 * i] = t[4 * i + 1] = t[4 * i + 2] = v;
        t[4 * i + 3] = 1.0f;
    }
    CHECK(pe_style_auto_weight(t, AW, AH, w));
    float lo = 1.0f, hi = 0.0f;
    for (int i = 0; i < AW * AH; i++) {
        lo = w[i] < lo ? w[i] : lo;
        hi = w[i] > hi ? w[i] : hi;
    }
    CHECK(lo >= 0.2f - 1e-6f && hi <= 1.0f + 1e-6f);
    CHECK(w[16 * AW + 40] > 0.99f && w[16 * AW + 5] < 0.21f);
    free(t);
    free(w);
}

/* A palette run's SVG defines each fill once as a CSS class; a free-colour one does not. */
static void svg_shares_palette_fills(void)
{
    pe_triangle tris[20];
    for (int i = 0; i < 20; i++)
        tris[i] = (pe_triangle){ { 0, 9, 0 }, { 0, 0, 9 }, (unsigned char)(i % 3 * 100), 7, 9,
                                 i % 3 == 2 ? 255 : 128 };
    pe_result res = { .width = 10, .height = 10, .work_width = 10, .work_height = 10,
                      .background = { 1, 2, 3, 255 }, .triangles = tris, .count = 20 };
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    CHECK(f && pe_write_svg(f, &res, NULL) == PE_OK);
    fclose(f);
    CHECK(text && strstr(text, "<style>\n.c0{fill:#000709;fill-opacity:0.502}\n"
                               ".c1{fill:#640709;fill-opacity:0.502}\n.c2{fill:#c80709}\n"
                               "</style>\n"));
    CHECK(text && strstr(text, "<polygon points=\"0,0 9,0 0,9\" class=\"c1\"/>"));
    CHECK(text && !strstr(text, "<polygon points=\"0,0 9,0 0,9\" fill"));
    free(text);
    for (int i = 0; i < 20; i++) /* every fill different: attributes, as always */
        tris[i].g = (unsigned char)i;
    f = open_memstream(&text, &len);
    CHECK(f && pe_write_svg(f, &res, NULL) == PE_OK);
    fclose(f);
    CHECK(text && !strstr(text, "<style>") && strstr(text, "fill=\"#000009\""));
    free(text);
}

int main(int argc, char **argv)
{
    TEST_MAIN_BEGIN(argc, argv);
    RUN(weighted_delta_equals_weighted_render_opaque);
    RUN(weighted_delta_equals_weighted_render_transparent);
    RUN(zero_weight_is_ignored);
    RUN(fixed_alpha_is_kept);
    RUN(palette_colours_are_optimal);
    RUN(palette_files);
    RUN(prepare_checks_and_scales);
    RUN(auto_weight_follows_contrast);
    RUN(svg_shares_palette_fills);
    TEST_MAIN_END();
}
