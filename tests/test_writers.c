/* test_writers: SVG (golden bytes, escaping), PNG (read back, tEXt chunks), pe_render (the 6x5
 * fixture, librsvg agreement, transparency), PDF (qpdf, poppler agreement), determinism.
 * Cases that need rsvg-convert, qpdf or pdftoppm are skipped (exit 77) when those are absent.
 * PE_UPDATE_GOLDEN=1 rewrites tests/data/two_triangles.svg. */
#define _POSIX_C_SOURCE 200809L
#include "polyevolve.h"
#include "rng.h"
#include "test.h"

#include <stb_image.h>
#include <stdint.h>
#include <unistd.h>
#include <zlib.h>

static int skipped;

typedef struct bytes {
    unsigned char *data;
    size_t len;
} bytes;

/* ---------------------------------------------------------------- helpers */

/* Everything written to f so far (f is rewound), malloc'ed. */
static bytes slurp(FILE *f)
{
    bytes b = { 0 };
    fflush(f);
    fseek(f, 0, SEEK_END);
    const long n = ftell(f);
    rewind(f);
    b.data = malloc((size_t)n + 1);
    b.len = fread(b.data, 1, (size_t)n, f);
    b.data[b.len] = 0;
    return b;
}

static bytes read_path(const char *path)
{
    bytes b = { 0 };
    FILE *f = fopen(path, "rb");
    if (f) {
        b = slurp(f);
        fclose(f);
    }
    return b;
}

static bool write_path(const char *path, bytes b)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    const bool ok = fwrite(b.data, 1, b.len, f) == b.len;
    return fclose(f) == 0 && ok;
}

static bytes svg_bytes(const pe_result *res, const pe_metadata *meta)
{
    FILE *f = tmpfile();
    CHECK(pe_write_svg(f, res, meta) == PE_OK);
    bytes b = slurp(f);
    fclose(f);
    return b;
}

static bytes png_bytes(const pe_image *img, const pe_metadata *meta)
{
    FILE *f = tmpfile();
    CHECK(pe_write_png(f, img, meta) == PE_OK);
    bytes b = slurp(f);
    fclose(f);
    return b;
}

static bytes pdf_bytes(const pe_result *res, double w, double h, const pe_metadata *meta)
{
    FILE *f = tmpfile();
    CHECK(pe_write_pdf(f, res, w, h, meta) == PE_OK);
    bytes b = slurp(f);
    fclose(f);
    return b;
}

static bool contains(bytes b, const char *needle)
{
    const size_t n = strlen(needle);
    for (size_t i = 0; i + n <= b.len; i++)
        if (!memcmp(b.data + i, needle, n))
            return true;
    return false;
}

static bool have_tool(const char *name)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", name);
    return system(cmd) == 0;
}

static bool skip_without(const char *tool)
{
    if (have_tool(tool))
        return false;
    printf("skip: %s not found (install librsvg2-bin / poppler-utils / qpdf)\n", tool);
    skipped++;
    return true;
}

static int run(const char *cmd)
{
    const int rc = system(cmd);
    if (rc != 0)
        fprintf(stderr, "command failed (%d): %s\n", rc, cmd);
    return rc;
}

/* PSNR over premultiplied RGBA, so that colours under alpha 0 do not count. */
static double psnr(const unsigned char *a, const unsigned char *b, size_t pixels)
{
    double se = 0;
    for (size_t i = 0; i < pixels; i++)
        for (int k = 0; k < 4; k++) {
            const double va = k < 3 ? a[4 * i + k] * (a[4 * i + 3] / 255.0) : a[4 * i + 3];
            const double vb = k < 3 ? b[4 * i + k] * (b[4 * i + 3] / 255.0) : b[4 * i + 3];
            se += (va - vb) * (va - vb);
        }
    const double mse = se / (4.0 * (double)pixels);
    return mse == 0 ? 99.0 : 10.0 * log10(255.0 * 255.0 / mse);
}

static const unsigned char *pixel(const pe_image *img, int x, int y)
{
    return img->rgba + 4 * ((size_t)y * (size_t)img->width + (size_t)x);
}

static bool pixel_is(const pe_image *img, int x, int y, int r, int g, int b, int a)
{
    const unsigned char *p = pixel(img, x, y);
    if (p[0] == r && p[1] == g && p[2] == b && p[3] == a)
        return true;
    fprintf(stderr, "pixel (%d,%d) = %d,%d,%d,%d, expected %d,%d,%d,%d\n", x, y, p[0], p[1], p[2],
            p[3], r, g, b, a);
    return false;
}

static char *data_path(const char *name)
{
    /* CMake compiles with absolute source paths: data/ sits next to this file */
    static char path[4096];
    const char *dir = getenv("PE_TEST_DATA");
    if (dir)
        snprintf(path, sizeof path, "%s/%s", dir, name);
    else {
        snprintf(path, sizeof path, "%s", __FILE__);
        char *slash = strrchr(path, '/');
        snprintf(slash ? slash + 1 : path, sizeof path - (size_t)(slash ? slash + 1 - path : 0),
                 "data/%s", name);
    }
    return path;
}

/* A private directory for files the external tools read and write. */
typedef struct scratch {
    char dir[64];
} scratch;

static void scratch_open(scratch *s)
{
    snprintf(s->dir, sizeof s->dir, "/tmp/pe_writers_XXXXXX");
    CHECK(mkdtemp(s->dir) != NULL);
}

static const char *scratch_file(const scratch *s, const char *name)
{
    static char path[4][128];
    static int next;
    char *p = path[next++ % 4];
    snprintf(p, 128, "%s/%s", s->dir, name);
    return p;
}

static void scratch_close(scratch *s)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
    CHECK(system(cmd) == 0);
}

static bool load_png_file(const char *path, pe_image *img)
{
    int n;
    img->rgba = stbi_load(path, &img->width, &img->height, &n, 4);
    return img->rgba != NULL;
}

static void free_stb_image(pe_image *img)
{
    stbi_image_free(img->rgba);
    img->rgba = NULL;
}

/* ---------------------------------------------------------------- fixtures */

/* 6 x 5, two translucent triangles that overlap. */
static pe_triangle two_tris[2] = {
    { { 0.5f, 2.75f, 1.0f }, { 0.25f, 1.0f, 4.5f }, 255, 128, 0, 128 },
    { { 2.0f, 5.5f, 4.125f }, { 1.0f, 0.333f, 4.9f }, 10, 200, 90, 200 },
};

static pe_result two_triangles(void)
{
    return (pe_result){ .width = 6,
                        .height = 5,
                        .work_width = 6,
                        .work_height = 5,
                        .background = { 16, 32, 48, 255 },
                        .triangles = two_tris,
                        .count = 2,
                        .seed = 1 };
}

static const char *meta_keys[] = { "seed", "triangles" };
static const char *meta_values[] = { "1", "2" };
static const pe_metadata two_meta = { meta_keys, meta_values, 2 };

/* The asymmetric fixture: a 6 x 5 blue canvas with one orange-brown (200, 100, 50) triangle
 * in the top-left corner. A flip in x or y, or an R/B swap, moves or changes that colour. */
static pe_triangle corner_tri[1] = { { { 0, 2, 0 }, { 0, 0, 2 }, 200, 100, 50, 255 } };

static pe_result corner(unsigned char bg_alpha)
{
    return (pe_result){ .width = 6,
                        .height = 5,
                        .work_width = 6,
                        .work_height = 5,
                        .background = { 0, 0, 255, bg_alpha },
                        .triangles = corner_tri,
                        .count = 1 };
}

/* ~50 random translucent triangles over a 100 x 60 image, vertices reaching up to 12 px past
 * its edges (not on pixel edges, not exact in the SVG). Free the triangles with free(). */
static pe_result random_result(uint64_t seed, int n, unsigned char bg_alpha)
{
    pe_result res = { .width = 100,
                      .height = 60,
                      .work_width = 100,
                      .work_height = 60,
                      .background = { 240, 230, 200, bg_alpha },
                      .count = (size_t)n,
                      .seed = seed };
    res.triangles = malloc((size_t)n * sizeof *res.triangles);
    pe_rng rng;
    pe_rng_seed(&rng, seed, 0);
    for (int i = 0; i < n; i++) {
        pe_triangle *tr = &res.triangles[i];
        for (int k = 0; k < 3; k++) {
            tr->x[k] = (float)(-12 + pe_rng_uniform(&rng) * (100 + 24));
            tr->y[k] = (float)(-12 + pe_rng_uniform(&rng) * (60 + 24));
        }
        tr->r = (unsigned char)pe_rng_below(&rng, 256);
        tr->g = (unsigned char)pe_rng_below(&rng, 256);
        tr->b = (unsigned char)pe_rng_below(&rng, 256);
        tr->a = (unsigned char)(20 + pe_rng_below(&rng, 211));
    }
    return res;
}

static void free_random(pe_result *res)
{
    free(res->triangles);
}

/* ---------------------------------------------------------------- SVG */

static void svg_matches_golden(void)
{
    const pe_result res = two_triangles();
    bytes got = svg_bytes(&res, &two_meta);
    const char *path = data_path("two_triangles.svg");
    if (getenv("PE_UPDATE_GOLDEN"))
        CHECK(write_path(path, got));
    bytes want = read_path(path);
    CHECK(want.data != NULL);
    CHECK(got.len == want.len && want.data && !memcmp(got.data, want.data, got.len));
    if (want.data && (got.len != want.len || memcmp(got.data, want.data, got.len)))
        fprintf(stderr, "got:\n%s\n", (char *)got.data);
    free(got.data);
    free(want.data);
}

/* No clip paths: the viewBox is the canvas; nothing else bounds a triangle. */
static void svg_has_no_clip_paths(void)
{
    const pe_result res = two_triangles();
    bytes b = svg_bytes(&res, NULL);
    const char *s = (const char *)b.data;
    CHECK(!strstr(s, "clip"));
    CHECK(strstr(s, "viewBox=\"0 0 6 5\""));
    CHECK(strstr(s, "\n<polygon points=\"2,1 5.5,0.33 4.13,4.9\""));
    CHECK(strstr(s, "fill=\"#ff8000\" fill-opacity=\"0.502\""));
    CHECK(!strstr(s, "<metadata"));
    free(b.data);
}

static void svg_escapes_metadata(void)
{
    const pe_result res = two_triangles();
    const char *keys[] = { "a<b&c", "path" };
    const char *values[] = { "\"x\" & 'y' <z>\n\x01", "caf\xc3\xa9.png" };
    const pe_metadata meta = { keys, values, 2 };
    bytes b = svg_bytes(&res, &meta);
    const char *s = (const char *)b.data;
    CHECK(strstr(s, "<pe:param name=\"a&lt;b&amp;c\" value=\"&quot;x&quot; &amp; &apos;y&apos; "
                    "&lt;z&gt;&#10;&#xFFFD;\"/>"));
    CHECK(strstr(s, "value=\"caf\xc3\xa9.png\""));
    CHECK(strstr(s, "<!--") && strstr(s, "-->"));
    free(b.data);
}

/* Every fill-opacity must give the byte back through round(o * 255). */
static void svg_opacity_recovers_every_byte(void)
{
    pe_triangle tris[256];
    for (int a = 0; a < 256; a++)
        tris[a] = (pe_triangle){ { 0, 1, 0 }, { 0, 0, 1 }, 1, 2, 3, (unsigned char)a };
    pe_result res = corner(255);
    res.triangles = tris;
    res.count = 256;
    bytes b = svg_bytes(&res, NULL);
    const char *p = (const char *)b.data;
    int a = 0;
    while ((p = strstr(p, "<polygon")) != NULL) {
        const char *o = strstr(p, "fill-opacity=\"");
        const char *end = strchr(p, '>');
        double v = 1.0;
        if (o && o < end) {
            /* parse by hand: the test must not depend on the locale either */
            o += 14;
            v = o[0] == '1' ? 1.0 : 0.0;
            double scale = 0.1;
            for (const char *d = o + 2; *d >= '0' && *d <= '9' && o[1] == '.'; d++, scale /= 10)
                v += (*d - '0') * scale;
        }
        CHECK(lround(v * 255.0) == a);
        a++;
        p = end;
    }
    CHECK(a == 256);
    free(b.data);
}

static void svg_transparent_has_no_background(void)
{
    const pe_result res = corner(0);
    bytes b = svg_bytes(&res, NULL);
    CHECK(!strstr((const char *)b.data, "<rect"));
    free(b.data);
}

/* -s for SVG (issue 14): the root's width/height follow the size asked, the viewBox and the
 * drawing stay in input pixels, and size 0 x 0 is byte for byte pe_write_svg. */
static void svg_sized_sets_only_the_root_size(void)
{
    const pe_result res = corner(255);
    bytes plain = svg_bytes(&res, NULL);
    FILE *f = tmpfile();
    CHECK(pe_write_svg_sized(f, &res, 0, 0, NULL) == PE_OK);
    bytes same = slurp(f);
    fclose(f);
    CHECK(same.len == plain.len && !memcmp(same.data, plain.data, plain.len));
    f = tmpfile();
    CHECK(pe_write_svg_sized(f, &res, 3 * res.width, 0, NULL) == PE_OK);
    bytes big = slurp(f);
    fclose(f);
    char want[128];
    snprintf(want, sizeof want, "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\"", 3 * res.width,
             3 * res.height, res.width, res.height);
    CHECK(contains(big, want));
    /* everything after the root element is the same */
    const char *a = strstr((const char *)plain.data, "\">\n"),
               *b = strstr((const char *)big.data, "\">\n");
    CHECK(a && b && !strcmp(a, b));
    f = tmpfile();
    CHECK(pe_write_svg_sized(f, &res, -1, 0, NULL) == PE_ERR_INVALID_ARG);
    fclose(f);
    free(plain.data);
    free(same.data);
    free(big.data);
}

/* JPEG (issue 14): decodes back at its size, transparent pixels over white, metadata in a COM
 * segment, bad quality refused. */
static void jpeg_reads_back_over_white(void)
{
    enum { W = 16, H = 8 };
    unsigned char px[W * H * 4];
    for (int i = 0; i < W * H; i++) {
        const unsigned char v[4] = { 255, 0, 0, 128 }; /* half-transparent red */
        memcpy(px + 4 * i, v, 4);
    }
    const pe_image img = { W, H, px };
    const char *keys[] = { "seed" }, *values[] = { "7" };
    const pe_metadata meta = { keys, values, 1 };
    FILE *f = tmpfile();
    CHECK(pe_write_jpeg(f, &img, 95, &meta) == PE_OK);
    bytes b = slurp(f);
    fclose(f);
    CHECK(contains(b, "seed=7"));
    pe_image back = { 0 };
    CHECK(pe_image_load_memory(b.data, b.len, NULL, &back) == PE_OK);
    CHECK(back.width == W && back.height == H);
    if (back.rgba) {
        CHECK_NEAR(back.rgba[4 * 20 + 0], 255, 6);
        CHECK_NEAR(back.rgba[4 * 20 + 1], 127, 6);
        CHECK_NEAR(back.rgba[4 * 20 + 2], 127, 6);
    }
    pe_image_free(&back);
    free(b.data);
    f = tmpfile();
    CHECK(pe_write_jpeg(f, &img, 0, NULL) == PE_ERR_INVALID_ARG);
    fclose(f);
}

/* ---------------------------------------------------------------- PNG */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Walk the chunks checking every CRC; collect tEXt chunks as "key=value" lines into text. */
static bool parse_chunks(bytes b, char *text, size_t text_size, int *first_text_index)
{
    static const unsigned char sig[8] = { 137, 80, 78, 71, 13, 10, 26, 10 };
    if (b.len < 8 || memcmp(b.data, sig, 8))
        return false;
    text[0] = 0;
    *first_text_index = -1;
    size_t pos = 8;
    for (int index = 0; pos + 12 <= b.len; index++) {
        const uint32_t n = be32(b.data + pos);
        if (pos + 12 + n > b.len)
            return false;
        const unsigned char *type = b.data + pos + 4;
        if (crc32(0, type, n + 4) != be32(type + 4 + n))
            return false;
        if (!memcmp(type, "tEXt", 4)) {
            if (*first_text_index < 0)
                *first_text_index = index;
            const char *key = (const char *)type + 4;
            const size_t kn = strnlen(key, n);
            const size_t used = strlen(text);
            snprintf(text + used, text_size - used, "%s=%.*s\n", key, (int)(n - kn - 1),
                     key + kn + 1);
        }
        if (!memcmp(type, "IEND", 4))
            return pos + 12 == b.len;
        pos += 12 + n;
    }
    return false;
}

static void png_reads_back_with_text_chunks(void)
{
    unsigned char px[7 * 3 * 4];
    for (size_t i = 0; i < sizeof px; i++)
        px[i] = (unsigned char)(i * 37 + 11);
    const pe_image img = { 7, 3, px };
    const char *keys[] = { "Software", "seed" };
    const char *values[] = { "polyevolve", "18446744073709551615" };
    const pe_metadata meta = { keys, values, 2 };
    bytes b = png_bytes(&img, &meta);
    char text[256];
    int first = -2;
    CHECK(parse_chunks(b, text, sizeof text, &first));
    CHECK(first == 1); /* right after IHDR */
    CHECK(!strcmp(text, "Software=polyevolve\nseed=18446744073709551615\n"));
    CHECK(b.len > 25 && b.data[25] == 6); /* colour type RGBA: some alpha is not 255 */
    int w, h, n;
    unsigned char *back = stbi_load_from_memory(b.data, (int)b.len, &w, &h, &n, 4);
    CHECK(back && w == 7 && h == 3 && n == 4 && !memcmp(back, px, sizeof px));
    stbi_image_free(back);
    free(b.data);
}

static void png_of_opaque_image_is_rgb(void)
{
    unsigned char px[5 * 4 * 4];
    for (size_t i = 0; i < sizeof px; i++)
        px[i] = i % 4 == 3 ? 255 : (unsigned char)(i * 53 + 7);
    const pe_image img = { 5, 4, px };
    bytes b = png_bytes(&img, NULL);
    CHECK(b.len > 25 && b.data[25] == 2); /* colour type RGB */
    int w, h, n;
    unsigned char *back = stbi_load_from_memory(b.data, (int)b.len, &w, &h, &n, 4);
    CHECK(back && w == 5 && h == 4 && n == 3 && !memcmp(back, px, sizeof px));
    stbi_image_free(back);
    free(b.data);
}

static void png_refuses_bad_keywords(void)
{
    unsigned char px[4] = { 1, 2, 3, 4 };
    const pe_image img = { 1, 1, px };
    char long_key[81];
    memset(long_key, 'k', 80);
    long_key[80] = 0;
    const char *bad[] = { "", long_key, "new\nline", " lead", "trail ", "two  spaces" };
    const char *value[] = { "v" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const pe_metadata meta = { &bad[i], value, 1 };
        FILE *f = tmpfile();
        CHECK(pe_write_png(f, &img, &meta) == PE_ERR_INVALID_ARG);
        CHECK(ftell(f) == 0); /* nothing written */
        fclose(f);
    }
    long_key[79] = 0; /* 79 is the longest allowed */
    const char *good[] = { long_key };
    const pe_metadata meta = { good, value, 1 };
    bytes b = png_bytes(&img, &meta);
    free(b.data);
}

/* ---------------------------------------------------------------- render */

static void fixture_catches_flips_and_swaps(void)
{
    const pe_result res = corner(255);
    pe_image img;
    CHECK(pe_render(&res, 0, 0, &img) == PE_OK);
    CHECK(img.width == 6 && img.height == 5);
    CHECK(pixel_is(&img, 0, 0, 200, 100, 50, 255));
    CHECK(pixel_is(&img, 5, 0, 0, 0, 255, 255));
    CHECK(pixel_is(&img, 0, 4, 0, 0, 255, 255));
    CHECK(pixel_is(&img, 5, 4, 0, 0, 255, 255));

    /* the same through the PNG writer and stb's reader */
    bytes b = png_bytes(&img, NULL);
    int w, h, n;
    unsigned char *back = stbi_load_from_memory(b.data, (int)b.len, &w, &h, &n, 4);
    CHECK(back && w == 6 && h == 5 && !memcmp(back, img.rgba, 6 * 5 * 4));
    stbi_image_free(back);
    free(b.data);
    pe_image_free(&img);

    /* scaled twice, with the height from the aspect ratio */
    CHECK(pe_render(&res, 12, 0, &img) == PE_OK);
    CHECK(img.width == 12 && img.height == 10);
    CHECK(pixel_is(&img, 0, 0, 200, 100, 50, 255));
    CHECK(pixel_is(&img, 1, 1, 200, 100, 50, 255));
    CHECK(pixel_is(&img, 11, 0, 0, 0, 255, 255));
    CHECK(pixel_is(&img, 0, 9, 0, 0, 255, 255));
    pe_image_free(&img);
}

static void transparent_background_stays_transparent(void)
{
    const pe_result res = corner(0);
    pe_image img;
    CHECK(pe_render(&res, 0, 0, &img) == PE_OK);
    CHECK(pixel_is(&img, 0, 0, 200, 100, 50, 255));
    CHECK(pixel_is(&img, 5, 4, 0, 0, 0, 0));
    CHECK(pixel_is(&img, 3, 3, 0, 0, 0, 0));
    bytes b = png_bytes(&img, NULL);
    CHECK(b.len > 25 && b.data[25] == 6);
    int w, h, n;
    unsigned char *back = stbi_load_from_memory(b.data, (int)b.len, &w, &h, &n, 4);
    CHECK(back && back[4 * (4 * 6 + 5) + 3] == 0 && !memcmp(back, img.rgba, 6 * 5 * 4));
    stbi_image_free(back);
    free(b.data);
    pe_image_free(&img);
}

static void render_refuses_bad_input(void)
{
    pe_result res = two_triangles();
    pe_image img;
    CHECK(pe_render(&res, -1, 0, &img) == PE_ERR_INVALID_ARG && !img.rgba);
    CHECK(pe_render(&res, 40000, 0, &img) == PE_ERR_INVALID_ARG);
    pe_triangle bad[2] = { two_tris[0], two_tris[1] };
    res.triangles = bad;
    bad[1].x[2] = NAN;
    FILE *f = tmpfile();
    CHECK(pe_write_svg(f, &res, NULL) == PE_ERR_INVALID_ARG);
    CHECK(pe_write_pdf(f, &res, 0, 0, NULL) == PE_ERR_INVALID_ARG);
    CHECK(pe_render(&res, 0, 0, &img) == PE_ERR_INVALID_ARG);
    bad[1].x[2] = 2e7f; /* finite, but beyond what the writers print */
    CHECK(pe_write_svg(f, &res, NULL) == PE_ERR_INVALID_ARG);
    CHECK(pe_render(&res, 0, 0, &img) == PE_ERR_INVALID_ARG);
    CHECK(ftell(f) == 0);
    fclose(f);
}

/* pe_render against librsvg's rendering of our SVG, opaque and transparent backgrounds. */
static void render_matches_librsvg(void)
{
    if (skip_without("rsvg-convert"))
        return;
    static const int sizes[][2] = { { 100, 60 }, { 250, 150 }, { 37, 0 } };
    for (int bg = 0; bg < 2; bg++) {
        pe_result res = random_result(7 + (uint64_t)bg, 50, bg ? 255 : 0);
        scratch s;
        scratch_open(&s);
        bytes svg = svg_bytes(&res, &two_meta);
        CHECK(write_path(scratch_file(&s, "in.svg"), svg));
        for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
            pe_image mine, theirs = { 0 };
            CHECK(pe_render(&res, sizes[k][0], sizes[k][1], &mine) == PE_OK);
            char cmd[512];
            snprintf(cmd, sizeof cmd, "rsvg-convert -w %d -h %d -o '%s' '%s'", mine.width,
                     mine.height, scratch_file(&s, "rsvg.png"), scratch_file(&s, "in.svg"));
            CHECK(run(cmd) == 0);
            CHECK(load_png_file(scratch_file(&s, "rsvg.png"), &theirs));
            if (theirs.rgba && theirs.width == mine.width && theirs.height == mine.height) {
                const double p =
                    psnr(mine.rgba, theirs.rgba, (size_t)mine.width * (size_t)mine.height);
                printf("  render vs rsvg-convert, %s background, %dx%d: PSNR %.2f dB\n",
                       bg ? "opaque" : "transparent", mine.width, mine.height, p);
                CHECK(p >= 40.0);
            } else {
                CHECK(!"rsvg-convert gave an image of another size");
            }
            free_stb_image(&theirs);
            pe_image_free(&mine);
        }
        free(svg.data);
        scratch_close(&s);
        free_random(&res);
    }
}

/* ---------------------------------------------------------------- PDF */

static void pdf_passes_qpdf_and_matches_render(void)
{
    if (skip_without("qpdf") || skip_without("pdftoppm"))
        return;
    pe_result res = random_result(11, 50, 255);
    scratch s;
    scratch_open(&s);
    bytes pdf = pdf_bytes(&res, 0, 0, &two_meta);
    CHECK(write_path(scratch_file(&s, "out.pdf"), pdf));
    char cmd[512];
    snprintf(cmd, sizeof cmd, "qpdf --check '%s' >/dev/null", scratch_file(&s, "out.pdf"));
    CHECK(run(cmd) == 0);
    snprintf(cmd, sizeof cmd, "qpdf --show-npages '%s' | grep -qx 1", scratch_file(&s, "out.pdf"));
    CHECK(run(cmd) == 0);
    static const int sizes[][2] = { { 100, 60 }, { 300, 180 } };
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        const int w = sizes[k][0], h = sizes[k][1];
        snprintf(cmd, sizeof cmd,
                 "pdftoppm -png -singlefile -scale-to-x %d -scale-to-y %d '%s' '%s'", w, h,
                 scratch_file(&s, "out.pdf"), scratch_file(&s, "poppler"));
        CHECK(run(cmd) == 0);
        pe_image mine, theirs = { 0 };
        CHECK(pe_render(&res, w, h, &mine) == PE_OK);
        CHECK(load_png_file(scratch_file(&s, "poppler.png"), &theirs));
        if (theirs.rgba && theirs.width == w && theirs.height == h) {
            const double p = psnr(mine.rgba, theirs.rgba, (size_t)w * (size_t)h);
            printf("  PDF through pdftoppm vs render, %dx%d: PSNR %.2f dB\n", w, h, p);
            CHECK(p >= 35.0);
        } else {
            CHECK(!"pdftoppm gave an image of another size");
        }
        free_stb_image(&theirs);
        pe_image_free(&mine);
    }
    /* the metadata is in the Info dictionary */
    CHECK(pdf.len > 0 && contains(pdf, "seed=1; triangles=2"));
    free(pdf.data);
    scratch_close(&s);
    free_random(&res);
}

static void pdf_page_size_keeps_aspect(void)
{
    const pe_result res = two_triangles(); /* 6 x 5 */
    bytes pdf = pdf_bytes(&res, 300, 0, NULL);
    CHECK(contains(pdf, "/MediaBox [ 0 0 300 250 ]"));
    free(pdf.data);
    pdf = pdf_bytes(&res, 0, 0, NULL);
    CHECK(contains(pdf, "/MediaBox [ 0 0 6 5 ]"));
    free(pdf.data);
}

/* pe_page: the PDF's page and the picture's place on it; the SVG's physical size. */
static void a_page_places_the_picture(void)
{
    const pe_result res = two_triangles(); /* 6 x 5 */
    const pe_page page = { 200, 100, 40, 10, 96, 80, PE_UNIT_MM };
    FILE *f = tmpfile();
    CHECK(pe_write_pdf_page(f, &res, &page, NULL) == PE_OK);
    bytes pdf = slurp(f);
    fclose(f);
    CHECK(contains(pdf, "/MediaBox [ 0 0 200 100 ]"));
    free(pdf.data);
    f = tmpfile();
    CHECK(pe_write_svg_page(f, &res, &page, NULL) == PE_OK);
    bytes svg = slurp(f);
    fclose(f);
    /* 96 pt = 33.87 mm, 80 pt = 28.22 mm; the viewBox stays in pixels */
    CHECK(contains(svg, "width=\"33.87mm\" height=\"28.22mm\" viewBox=\"0 0 6 5\""));
    free(svg.data);
    const pe_page bad[] = {
        { 200, 100, 150, 10, 96, 80, PE_UNIT_MM },  /* past the page's right edge */
        { 200, 100, 0, 0, 0, 80, PE_UNIT_PT },      /* no width */
        { 2e6, 100, 0, 0, 96, 80, PE_UNIT_PT },     /* a page past 1e6 pt */
        { NAN, 100, 0, 0, 96, 80, PE_UNIT_PT },
        { 200, 100, 0, 0, 96, 80, (pe_unit)9 },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        f = tmpfile();
        CHECK(pe_write_pdf_page(f, &res, &bad[i], NULL) == PE_ERR_INVALID_ARG);
        CHECK(pe_write_svg_page(f, &res, &bad[i], NULL) == PE_ERR_INVALID_ARG);
        fclose(f);
    }
    f = tmpfile();
    CHECK(pe_write_pdf_page(f, &res, NULL, NULL) == PE_ERR_INVALID_ARG);
    fclose(f);
}

/* ---------------------------------------------------------------- determinism */

static void writers_are_deterministic(void)
{
    pe_result res = random_result(3, 40, 255);
    bytes a = svg_bytes(&res, &two_meta), b = svg_bytes(&res, &two_meta);
    CHECK(a.len == b.len && !memcmp(a.data, b.data, a.len));
    free(a.data);
    free(b.data);

    pe_image img;
    CHECK(pe_render(&res, 64, 0, &img) == PE_OK);
    a = png_bytes(&img, &two_meta);
    b = png_bytes(&img, &two_meta);
    CHECK(a.len == b.len && !memcmp(a.data, b.data, a.len));
    free(a.data);
    free(b.data);
    pe_image_free(&img);

    a = pdf_bytes(&res, 0, 0, &two_meta);
    sleep(1); /* a clock-derived date would show here */
    b = pdf_bytes(&res, 0, 0, &two_meta);
    CHECK(a.len == b.len && !memcmp(a.data, b.data, a.len));
    free(a.data);
    free(b.data);
    free_random(&res);
}

int main(int argc, char **argv)
{
    TEST_MAIN_BEGIN(argc, argv);
    RUN(svg_matches_golden);
    RUN(svg_has_no_clip_paths);
    RUN(svg_escapes_metadata);
    RUN(svg_opacity_recovers_every_byte);
    RUN(svg_transparent_has_no_background);
    RUN(svg_sized_sets_only_the_root_size);
    RUN(jpeg_reads_back_over_white);
    RUN(png_reads_back_with_text_chunks);
    RUN(png_of_opaque_image_is_rgb);
    RUN(png_refuses_bad_keywords);
    RUN(fixture_catches_flips_and_swaps);
    RUN(transparent_background_stays_transparent);
    RUN(render_refuses_bad_input);
    RUN(render_matches_librsvg);
    RUN(pdf_passes_qpdf_and_matches_render);
    RUN(pdf_page_size_keeps_aspect);
    RUN(a_page_places_the_picture);
    RUN(writers_are_deterministic);
    if (test_failures)
        return 1;
    return skipped ? TEST_SKIP : 0;
}
