/* test_image: loading (every format, channel expansion, limits, every kind of malformed file) and
 * the pipeline helpers (resize, working size). Fixtures come from tests/data (PE_TEST_DATA); the
 * real-world images from ../shared/images (PE_SHARED), whose cases are skipped when absent. */
#define _POSIX_C_SOURCE 200809L /* opendir */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "image.h"
#include "polyevolve.h"
#include "test.h"

/* ---------------------------------------------------------------- helpers */

static const char *dir_of(const char *var)
{
    const char *d = getenv(var);
    return d && *d ? d : NULL;
}

/* dir/name into buf (static: the tests are single-threaded). */
static const char *join(const char *dir, const char *name)
{
    static char buf[4096 + 256];
    if (snprintf(buf, sizeof buf, "%s/%s", dir, name) >= (int)sizeof buf)
        buf[0] = '\0'; /* too long: an empty path fails to open, loudly */
    return buf;
}

/* tests/data: from PE_TEST_DATA (set by ctest), else next to this source file, so that running
 * the program by hand from any directory works too. */
static const char *data_path(const char *name)
{
    static char dir[4096];
    const char *d = dir_of("PE_TEST_DATA");
    if (!d) {
        const char *slash = strrchr(__FILE__, '/');
        snprintf(dir, sizeof dir, "%.*s/data", slash ? (int)(slash - __FILE__) : 1,
                 slash ? __FILE__ : ".");
        d = dir;
    }
    return join(d, name);
}

/* The shared images, or NULL (after saying so) when the directory is not there. */
static const char *shared_images(const char *test)
{
    static char buf[4096];
    const char *d = dir_of("PE_SHARED");
    DIR *dir = NULL;
    if (d) {
        snprintf(buf, sizeof buf, "%s/images", d);
        dir = opendir(buf);
    }
    if (!dir) {
        printf("skip %s: no shared images (set PE_SHARED to the directory holding images/)\n", test);
        return NULL;
    }
    closedir(dir);
    return buf;
}

static unsigned char *read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    unsigned char *d = NULL;
    *n = 0;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        const long len = ftell(f);
        rewind(f);
        d = malloc(len > 0 ? (size_t)len : 1);
        if (d && len > 0)
            *n = fread(d, 1, (size_t)len, f);
    }
    fclose(f);
    return d;
}

static pe_image load_ok(const char *path)
{
    pe_image img;
    char why[PE_IMAGE_WHY_LEN];
    const pe_status st = pe_image_load_ex(path, NULL, &img, why, sizeof why);
    if (st != PE_OK)
        fprintf(stderr, "%s: %s (%s)\n", path, pe_status_str(st), why);
    CHECK(st == PE_OK);
    return img;
}

typedef struct stats {
    int gray;        /* every pixel R = G = B */
    int opaque;      /* every A = 255 */
    long clear;      /* A = 0 */
    long partial;    /* 0 < A < 255 */
    int amin, amax;
} stats;

static stats measure(const pe_image *img)
{
    stats s = {1, 1, 0, 0, 255, 0};
    for (size_t i = 0; i < (size_t)img->width * (size_t)img->height; i++) {
        const unsigned char *p = img->rgba + 4 * i;
        s.gray &= p[0] == p[1] && p[1] == p[2];
        s.opaque &= p[3] == 255;
        s.clear += p[3] == 0;
        s.partial += p[3] > 0 && p[3] < 255;
        s.amin = p[3] < s.amin ? p[3] : s.amin;
        s.amax = p[3] > s.amax ? p[3] : s.amax;
    }
    return s;
}

/* Mean absolute difference over R, G, B of two same-size images. */
static double mean_diff(const pe_image *a, const pe_image *b)
{
    if (a->width != b->width || a->height != b->height || !a->rgba || !b->rgba)
        return 1e9;
    double sum = 0;
    const size_t n = (size_t)a->width * (size_t)a->height;
    for (size_t i = 0; i < n; i++)
        for (int c = 0; c < 3; c++)
            sum += abs(a->rgba[4 * i + c] - b->rgba[4 * i + c]);
    return sum / (3.0 * (double)n);
}

/* ---------------------------------------------------------------- shared images */

static void shared_images_load_with_their_documented_size(void)
{
    const char *dir = shared_images(__func__);
    if (!dir)
        return;
    static const struct {
        const char *name;
        int w, h;
        char alpha; /* 'o' opaque, 'a' has transparent and partly transparent pixels */
        int gray;
    } t[] = {
        {"mona.png", 512, 512, 'o', 0},      {"liza.jpg", 687, 1024, 'o', 0},
        {"astronaut.png", 512, 512, 'o', 0}, {"chelsea.png", 451, 300, 'o', 0},
        {"rocket.jpg", 640, 427, 'o', 0},    {"camera.png", 512, 512, 'o', 1},
        {"tiny.png", 16, 16, 'a', 0},        {"butterfly.png", 438, 376, 'a', 0},
        {"seychelles.png", 992, 496, 'o', 0},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        pe_image img = load_ok(join(dir, t[i].name));
        const stats s = measure(&img);
        CHECK(img.width == t[i].w && img.height == t[i].h);
        CHECK(s.gray == t[i].gray);
        CHECK(t[i].alpha == 'o' ? s.opaque : s.clear > 0 && s.partial > 0);
        if (test_failures)
            fprintf(stderr, "  (%s: %dx%d gray=%d opaque=%d)\n", t[i].name, img.width,
                    img.height, s.gray, s.opaque);
        pe_image_free(&img);
    }
    /* tiny.png is documented as 66% fully transparent. */
    pe_image tiny = load_ok(join(dir, "tiny.png"));
    CHECK_NEAR((double)measure(&tiny).clear / 256.0, 0.66, 0.01);
    pe_image_free(&tiny);
}

typedef struct bad_case {
    const char *name;
    pe_status expect;
} bad_case;

static void expect_rejected(const char *path, const pe_load_limits *lim, pe_status expect)
{
    pe_image img = {1, 1, NULL};
    char why[PE_IMAGE_WHY_LEN];
    why[0] = '\0';
    const pe_status st = pe_image_load_ex(path, lim, &img, why, sizeof why);
    if (st != expect || !why[0])
        fprintf(stderr, "%s: got \"%s\" (%s), expected \"%s\"\n", path, pe_status_str(st), why,
                pe_status_str(expect));
    CHECK(st == expect);
    CHECK(why[0] != '\0');
    CHECK(img.width == 0 && img.height == 0 && img.rgba == NULL);
}

static void shared_bad_files_are_rejected(void)
{
    const char *dir = shared_images(__func__);
    if (!dir)
        return;
    static const bad_case t[] = {
        {"bad/truncated.png", PE_ERR_FORMAT},  {"bad/truncated.jpg", PE_ERR_FORMAT},
        {"bad/truncated_hdr.jpg", PE_ERR_FORMAT}, {"bad/empty.png", PE_ERR_FORMAT},
        {"bad/text.png", PE_ERR_FORMAT},       {"bad/huge_dims.png", PE_ERR_LIMIT},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        expect_rejected(join(dir, t[i].name), NULL, t[i].expect);
    /* Above any limit, the 30 GB claim still fails cleanly: its data is one scanline. */
    const pe_load_limits huge = {.max_pixels = UINT64_MAX};
    expect_rejected(join(dir, "bad/huge_dims.png"), &huge, PE_ERR_FORMAT);
}

/* ---------------------------------------------------------------- fixtures in tests/data */

static void every_format_loads_as_rgba(void)
{
    pe_image ref = load_ok(data_path("mona32.png"));
    CHECK(ref.width == 32 && ref.height == 32 && measure(&ref).opaque);
    /* Lossless formats: the same pixels exactly. */
    const char *lossless[] = {"mona32.bmp", "mona32.tga", "mona32.ppm", "mona32_16bit.ppm",
                              "mona32.psd"};
    for (size_t i = 0; i < sizeof lossless / sizeof lossless[0]; i++) {
        pe_image img = load_ok(data_path(lossless[i]));
        CHECK(img.width == 32 && img.height == 32 && img.rgba);
        CHECK(img.rgba && ref.rgba && memcmp(img.rgba, ref.rgba, 32 * 32 * 4) == 0);
        pe_image_free(&img);
    }
    /* Lossy: JPEG (baseline and progressive) and GIF (palette of 256 colours). */
    const char *lossy[] = {"mona32.jpg", "mona32_progressive.jpg", "mona32.gif"};
    for (size_t i = 0; i < sizeof lossy / sizeof lossy[0]; i++) {
        pe_image img = load_ok(data_path(lossy[i]));
        CHECK(measure(&img).opaque);
        CHECK(mean_diff(&img, &ref) < 6.0);
        pe_image_free(&img);
    }
    pe_image big = load_ok(data_path("mona64.png"));
    CHECK(big.width == 64 && big.height == 64);
    pe_image_free(&big);
    pe_image_free(&ref);
}

static void gray_becomes_rgb_and_gray_alpha_keeps_alpha(void)
{
    pe_image rgb = load_ok(data_path("mona32.png"));
    pe_image pgm = load_ok(data_path("mona32.pgm"));
    const stats s = measure(&pgm);
    CHECK(s.gray && s.opaque);
    /* Pillow's L = (299 R + 587 G + 114 B) / 1000, truncated. */
    int worst = 0;
    for (int i = 0; rgb.rgba && pgm.rgba && i < 32 * 32; i++) {
        const unsigned char *p = rgb.rgba + 4 * i;
        const int l = (299 * p[0] + 587 * p[1] + 114 * p[2]) / 1000;
        const int d = abs(l - pgm.rgba[4 * i]);
        worst = d > worst ? d : worst;
    }
    CHECK(worst <= 1);
    pe_image la = load_ok(data_path("mona32_la.png"));
    const stats sl = measure(&la);
    CHECK(sl.gray && sl.amin < 16 && sl.amax > 239);
    pe_image_free(&la);
    pe_image_free(&pgm);
    pe_image_free(&rgb);
}

/* Photoshop stores a merged image with transparency composited over white; loading removes the
 * matte. The fixture is RLE with mona32_la.png's alpha ramp. */
static void psd_alpha_is_unmatted(void)
{
    pe_image psd = load_ok(data_path("mona32_alpha.psd"));
    pe_image rgb = load_ok(data_path("mona32.png"));
    pe_image la = load_ok(data_path("mona32_la.png"));
    int alpha_off = 0, colour_off = 0;
    for (int i = 0; psd.rgba && rgb.rgba && la.rgba && i < 32 * 32; i++) {
        const int a = la.rgba[4 * i + 3];
        alpha_off += psd.rgba[4 * i + 3] != a;
        /* Stored colours are rounded to 1/255, so the error after dividing by alpha is 255/a/2. */
        for (int c = 0; a >= 32 && c < 3; c++)
            colour_off += abs(psd.rgba[4 * i + c] - rgb.rgba[4 * i + c]) > 255 / a / 2 + 1;
    }
    CHECK(psd.rgba && alpha_off == 0 && colour_off == 0);
    pe_image_free(&la);
    pe_image_free(&rgb);
    pe_image_free(&psd);
}

/* Colours below the white matte (stored darker than 255 - alpha) are not in real files, but
 * crafted ones have them; stb's float un-matting overflowed unsigned char there (fuzz_image,
 * undefined behaviour). Raw 8- and 16-bit, two pixels: black at alpha 254 and 1. */
static void psd_below_the_matte_is_clamped(void)
{
    for (int bytes_per = 1; bytes_per <= 2; bytes_per++) {
        unsigned char d[26 + 12 + 2 + 4 * 2 * 2] = {'8', 'B', 'P', 'S', 0, 1};
        d[13] = 4;                                 /* channels */
        d[17] = 1, d[21] = 2;                      /* height 1, width 2 */
        d[23] = (unsigned char)(8 * bytes_per), d[25] = 3; /* depth, RGB */
        const size_t planes = 26 + 12 + 2, plane = 2 * (size_t)bytes_per;
        /* colour planes all zero; alpha 254 and 1 (high byte first when 16-bit) */
        d[planes + 3 * plane] = 254, d[planes + 3 * plane + (size_t)bytes_per] = 1;
        pe_image img;
        const pe_status st = pe_image_load_memory(d, planes + 4 * plane, NULL, &img);
        CHECK(st == PE_OK && img.width == 2 && img.height == 1);
        for (int i = 0; st == PE_OK && i < 2 * 4; i++)
            CHECK(img.rgba[i] == (i == 3 ? 254 : i == 7 ? 1 : 0));
        pe_image_free(&img);
    }
}

/* A 1 x 2 RGB PSD with RLE rows, each row one literal run of the row's bytes. */
static size_t psd_rle_2px(unsigned char *d, int depth)
{
    const int row = 2 * depth / 8; /* bytes of one row of one channel */
    memset(d, 0, 26 + 12 + 2 + 3 * 2 + 3 * (1 + row));
    memcpy(d, "8BPS\0\1", 6);
    d[13] = 3, d[17] = 1, d[21] = 2, d[23] = (unsigned char)depth, d[25] = 3;
    d[26 + 12 + 1] = 1; /* RLE */
    for (int r = 0; r < 3; r++) {
        d[26 + 12 + 2 + 2 * r + 1] = (unsigned char)(1 + row);    /* the row's byte count */
        d[26 + 12 + 2 + 6 + (1 + row) * r] = (unsigned char)(row - 1); /* literal of `row` */
    }
    return 26 + 12 + 2 + 3 * 2 + 3 * (size_t)(1 + row);
}

/* stb 2.27 reads RLE rows of 16-bit PSD channels one byte per sample: a wrong picture, so such
 * files are refused with a reason; the same file at 8 bits loads. */
static void psd_16bit_rle_is_refused(void)
{
    unsigned char d[64];
    pe_image img;
    char why[PE_IMAGE_WHY_LEN];
    CHECK(pe_image_load_memory_ex(d, psd_rle_2px(d, 16), NULL, &img, why, sizeof why) ==
          PE_ERR_FORMAT);
    CHECK(img.rgba == NULL && strstr(why, "16-bit") != NULL);
    CHECK(pe_image_load_memory_ex(d, psd_rle_2px(d, 8), NULL, &img, why, sizeof why) == PE_OK);
    CHECK(img.width == 2 && img.height == 1);
    pe_image_free(&img);
}

static void fixture_bad_files_are_rejected(void)
{
    static const bad_case t[] = {
        {"empty.png", PE_ERR_FORMAT},         {"text.png", PE_ERR_FORMAT},
        {"huge_dims.png", PE_ERR_LIMIT},      {"truncated_hdr.jpg", PE_ERR_FORMAT},
        {"truncated_idat.png", PE_ERR_FORMAT}, {"no_iend.png", PE_ERR_FORMAT},
        {"truncated_scan.jpg", PE_ERR_FORMAT}, {"no_eoi.jpg", PE_ERR_FORMAT},
        {"truncated_progressive.jpg", PE_ERR_FORMAT}, {"truncated.bmp", PE_ERR_FORMAT},
        {"truncated.ppm", PE_ERR_FORMAT},     {"truncated.psd", PE_ERR_FORMAT},
        {"truncated.tga", PE_ERR_FORMAT},     {"truncated.gif", PE_ERR_FORMAT},
    };
    char name[512];
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        snprintf(name, sizeof name, "bad/%s", t[i].name);
        expect_rejected(data_path(name), NULL, t[i].expect);
    }
    const pe_load_limits huge = {.max_pixels = UINT64_MAX};
    expect_rejected(data_path("bad/huge_dims.png"), &huge, PE_ERR_FORMAT);
    /* Anything added to bad/ later must be rejected too. */
    DIR *dir = opendir(data_path("bad"));
    CHECK(dir != NULL);
    for (struct dirent *e; dir && (e = readdir(dir));) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(name, sizeof name, "bad/%s", e->d_name);
        pe_image img;
        const pe_status st = pe_image_load(data_path(name), NULL, &img);
        if (st == PE_OK)
            fprintf(stderr, "%s was accepted\n", name);
        CHECK(st != PE_OK && img.rgba == NULL);
        pe_image_free(&img);
    }
    if (dir)
        closedir(dir);
}

/* Every prefix of a good file is refused: nothing is padded. tail = bytes at the end the format
 * does not need (the GIF trailer, the TGA 2.0 footer); shorter cuts that keep the image must give
 * the same pixels. */
static void every_truncation_is_rejected(void)
{
    static const struct {
        const char *name;
        size_t tail;
    } t[] = {
        {"mona32.png", 0}, {"mona32_la.png", 0}, {"mona32.jpg", 0}, {"mona32_progressive.jpg", 0},
        {"mona32.bmp", 0}, {"mona32.ppm", 0},    {"mona32.pgm", 0}, {"mona32.psd", 0},
        {"mona32_16bit.ppm", 0},
        {"mona32.gif", 1}, {"mona32.tga", 26},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        size_t n;
        unsigned char *d = read_file(data_path(t[i].name), &n);
        CHECK(d && n > t[i].tail);
        pe_image full;
        CHECK(d && pe_image_load_memory(d, n, NULL, &full) == PE_OK);
        size_t accepted = 0;
        for (size_t len = 0; d && len < n; len++) {
            pe_image img;
            char why[PE_IMAGE_WHY_LEN];
            const pe_status st = pe_image_load_memory_ex(d, len, NULL, &img, why, sizeof why);
            if (st == PE_OK && len < n - t[i].tail) {
                fprintf(stderr, "%s cut to %zu of %zu bytes was accepted\n", t[i].name, len, n);
                accepted++;
            }
            CHECK(st == PE_OK ? mean_diff(&img, &full) == 0.0 : why[0] != '\0');
            pe_image_free(&img);
        }
        CHECK(accepted == 0);
        pe_image_free(&full);
        free(d);
    }
}

/* Inputs fuzz_image once crashed on (scripts/fuzz.sh copies them to fuzz-regressions/image-*):
 * loading them must return, whatever the status, with the fuzz target's limit. */
static void fuzz_regressions_do_not_crash(void)
{
    DIR *dir = opendir(data_path("fuzz-regressions"));
    if (!dir)
        return;
    int count = 0;
    for (struct dirent *e; (e = readdir(dir));) {
        if (strncmp(e->d_name, "image-", 6) != 0) /* state-* inputs belong to test_state */
            continue;
        char name[512];
        snprintf(name, sizeof name, "fuzz-regressions/%s", e->d_name);
        size_t n;
        unsigned char *d = read_file(data_path(name), &n);
        pe_image img;
        const pe_load_limits lim = {.max_pixels = 1000000};
        const pe_status st = pe_image_load_memory(d, n, &lim, &img);
        CHECK(st == PE_OK ? img.rgba != NULL : img.rgba == NULL);
        pe_image_free(&img);
        free(d);
        count++;
    }
    closedir(dir);
    printf("     %d fuzz regression inputs\n", count);
}

static void missing_file_and_directory_are_io_errors(void)
{
    pe_image img;
    char why[PE_IMAGE_WHY_LEN];
    errno = 0;
    CHECK(pe_image_load_ex(data_path("no-such-file.png"), NULL, &img, why, sizeof why) ==
          PE_ERR_IO);
    CHECK(errno == ENOENT && why[0] && img.rgba == NULL);
    errno = 0;
    CHECK(pe_image_load_ex(data_path("bad"), NULL, &img, why, sizeof why) == PE_ERR_IO);
    CHECK(errno == EISDIR && why[0] && img.rgba == NULL);
}

static void the_pixel_limit_is_checked_before_decoding(void)
{
    size_t n;
    unsigned char *d = read_file(data_path("mona32.png"), &n);
    CHECK(d && n > 100);
    if (!d)
        return;
    pe_image img;
    char why[PE_IMAGE_WHY_LEN];
    pe_load_limits lim = {.max_pixels = 32 * 32};
    CHECK(pe_image_load_memory(d, n, &lim, &img) == PE_OK); /* equal to the limit is fine */
    pe_image_free(&img);
    lim.max_pixels = 32 * 32 - 1;
    CHECK(pe_image_load_memory_ex(d, n, &lim, &img, why, sizeof why) == PE_ERR_LIMIT);
    CHECK(strstr(why, "32x32") != NULL);
    /* Destroy everything after the header: with the limit it is still LIMIT (nothing was
     * decoded), without it the damage is found. */
    memset(d + 33, 0xAB, n - 33);
    CHECK(pe_image_load_memory(d, n, &lim, &img) == PE_ERR_LIMIT);
    CHECK(pe_image_load_memory(d, n, NULL, &img) == PE_ERR_FORMAT);
    CHECK(pe_load_limits_default().max_pixels == 50000000u);
    free(d);
}

static void reasons_fit_any_buffer(void)
{
    pe_image img;
    char small[8];
    memset(small, 'x', sizeof small);
    CHECK(pe_image_load_ex(data_path("bad/no_iend.png"), NULL, &img, small, sizeof small) ==
          PE_ERR_FORMAT);
    CHECK(strlen(small) == sizeof small - 1);
    CHECK(pe_image_load_ex(data_path("bad/no_iend.png"), NULL, &img, NULL, 0) == PE_ERR_FORMAT);
    char why[PE_IMAGE_WHY_LEN] = "stale";
    CHECK(pe_image_load_ex(data_path("mona32.png"), NULL, &img, why, sizeof why) == PE_OK);
    CHECK(why[0] == '\0');
    pe_image_free(&img);
    pe_image_free(&img); /* twice, and NULL: both fine */
    pe_image_free(NULL);
    CHECK(pe_image_load_memory(NULL, 0, NULL, &img) == PE_ERR_FORMAT);
}

/* ---------------------------------------------------------------- helpers for the pipeline */

static pe_image filled(int w, int h, const unsigned char rgba[4])
{
    pe_image img;
    CHECK(pe_image_alloc(w, h, &img) == PE_OK);
    for (size_t i = 0; img.rgba && i < (size_t)w * (size_t)h; i++)
        memcpy(img.rgba + 4 * i, rgba, 4);
    return img;
}

static void alloc_is_zeroed_and_checks_its_size(void)
{
    pe_image img;
    CHECK(pe_image_alloc(7, 3, &img) == PE_OK);
    int nonzero = 0;
    for (int i = 0; img.rgba && i < 7 * 3 * 4; i++)
        nonzero += img.rgba[i] != 0;
    CHECK(img.width == 7 && img.height == 3 && nonzero == 0);
    pe_image_free(&img);
    CHECK(img.rgba == NULL && img.width == 0);
    CHECK(pe_image_alloc(0, 3, &img) == PE_ERR_INVALID_ARG && img.rgba == NULL);
    CHECK(pe_image_alloc(3, -1, &img) == PE_ERR_INVALID_ARG && img.rgba == NULL);
}

static void resize_keeps_a_constant_image_constant(void)
{
    const unsigned char c[4] = {200, 100, 50, 180};
    pe_image src = filled(37, 23, c);
    const int sizes[][2] = {{10, 7}, {1, 1}, {37, 23}, {80, 51}, {5, 40}};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        pe_image dst;
        CHECK(pe_image_resize(&src, sizes[k][0], sizes[k][1], &dst) == PE_OK);
        CHECK(dst.width == sizes[k][0] && dst.height == sizes[k][1]);
        int worst = 0;
        for (int i = 0; dst.rgba && i < dst.width * dst.height * 4; i++) {
            const int d = abs(dst.rgba[i] - c[i % 4]);
            worst = d > worst ? d : worst;
        }
        CHECK(worst <= 1);
        pe_image_free(&dst);
    }
    pe_image_free(&src);
}

static void halving_a_checker_averages_it(void)
{
    pe_image src;
    CHECK(pe_image_alloc(64, 48, &src) == PE_OK);
    for (int y = 0; src.rgba && y < 48; y++)
        for (int x = 0; x < 64; x++) {
            unsigned char *p = src.rgba + 4 * (y * 64 + x);
            p[0] = p[1] = p[2] = (x + y) % 2 ? 255 : 0;
            p[3] = 255;
        }
    pe_image dst;
    CHECK(pe_image_resize(&src, 32, 24, &dst) == PE_OK);
    /* Away from the border every output pixel is the mean, 127.5 (the filter is symmetric and
     * each symmetric pair of taps is one black and one white pixel); at the border the clamped
     * edge weighs one colour more, so only a loose bound holds there. */
    int lo = 255, hi = 0, edge_lo = 255, edge_hi = 0;
    for (int y = 0; dst.rgba && y < 24; y++)
        for (int x = 0; x < 32; x++)
            for (int c = 0; c < 4; c++) {
                const int v = dst.rgba[4 * (y * 32 + x) + c];
                if (c == 3) {
                    CHECK(v == 255);
                } else if (x >= 2 && x < 30 && y >= 2 && y < 22) {
                    lo = v < lo ? v : lo, hi = v > hi ? v : hi;
                } else {
                    edge_lo = v < edge_lo ? v : edge_lo, edge_hi = v > edge_hi ? v : edge_hi;
                }
            }
    CHECK(lo >= 127 && hi <= 128);
    CHECK(edge_lo >= 112 && edge_hi <= 143);
    pe_image_free(&dst);
    pe_image_free(&src);
}

static void transparent_pixels_do_not_bleed_colour(void)
{
    /* Left half: red, fully transparent. Right half: opaque blue. */
    pe_image src;
    CHECK(pe_image_alloc(40, 10, &src) == PE_OK);
    for (int i = 0; src.rgba && i < 400; i++) {
        unsigned char *p = src.rgba + 4 * i;
        if (i % 40 < 20)
            p[0] = 255, p[3] = 0;
        else
            p[2] = 255, p[3] = 255;
    }
    pe_image dst;
    CHECK(pe_image_resize(&src, 13, 4, &dst) == PE_OK);
    int red = 0, mixed = 0;
    for (int i = 0; dst.rgba && i < 13 * 4; i++) {
        const unsigned char *p = dst.rgba + 4 * i;
        if (p[3] > 0) {
            red = p[0] > red ? p[0] : red;
            mixed += p[3] < 255;
        }
    }
    CHECK(red <= 1);  /* the transparent red contributed nothing */
    CHECK(mixed > 0); /* while alpha itself was filtered across the edge */
    pe_image_free(&dst);
    pe_image_free(&src);
}

static void resize_of_the_same_size_copies_and_bad_sizes_fail(void)
{
    pe_image src = load_ok(data_path("mona32.png"));
    if (!src.rgba)
        return;
    pe_image dst;
    CHECK(pe_image_resize(&src, 32, 32, &dst) == PE_OK);
    CHECK(dst.rgba && src.rgba && memcmp(dst.rgba, src.rgba, 32 * 32 * 4) == 0);
    pe_image_free(&dst);
    CHECK(pe_image_resize(&src, 0, 5, &dst) == PE_ERR_INVALID_ARG && dst.rgba == NULL);
    pe_image_free(&src);
}

static void working_size_rounds_and_never_enlarges(void)
{
    static const int t[][5] = {
        /* w, h, longest -> ow, oh */
        {2000, 20, 256, 256, 3},  /* 2.56 -> 3 */
        {20, 2000, 256, 3, 256},  {2000, 2, 256, 256, 1}, /* 0.256 -> at least 1 */
        {1, 1, 256, 1, 1},        {1, 1, 0, 1, 1},
        {512, 512, 0, 512, 512},  {512, 512, 512, 512, 512},
        {512, 512, 1000, 512, 512}, /* no upscaling */
        {512, 512, 256, 256, 256}, {1000, 500, 256, 256, 128},
        {451, 300, 256, 256, 170}, /* 170.29 */
        {8, 3, 4, 4, 2},           /* 1.5 -> 2: halves round up */
        {4, 1, 2, 2, 1},           /* 0.5 -> 1 */
        {687, 1024, 256, 172, 256}, /* 171.75 */
        {640, 427, 256, 256, 171},  /* 170.8 */
        {3, 2, 2, 2, 1},           /* 1.33 */
        {-5, 7, 256, -5, 7},       /* garbage in, unchanged out (callers validate) */
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        int w = -1, h = -1;
        pe_image_working_size(t[i][0], t[i][1], t[i][2], &w, &h);
        if (w != t[i][3] || h != t[i][4])
            fprintf(stderr, "working size %dx%d longest %d: got %dx%d, expected %dx%d\n", t[i][0],
                    t[i][1], t[i][2], w, h, t[i][3], t[i][4]);
        CHECK(w == t[i][3] && h == t[i][4]);
    }
}

int main(int argc, char **argv)
{
    TEST_MAIN_BEGIN(argc, argv);
    RUN(shared_images_load_with_their_documented_size);
    RUN(shared_bad_files_are_rejected);
    RUN(every_format_loads_as_rgba);
    RUN(gray_becomes_rgb_and_gray_alpha_keeps_alpha);
    RUN(psd_alpha_is_unmatted);
    RUN(psd_below_the_matte_is_clamped);
    RUN(psd_16bit_rle_is_refused);
    RUN(fixture_bad_files_are_rejected);
    RUN(every_truncation_is_rejected);
    RUN(fuzz_regressions_do_not_crash);
    RUN(missing_file_and_directory_are_io_errors);
    RUN(the_pixel_limit_is_checked_before_decoding);
    RUN(reasons_fit_any_buffer);
    RUN(alloc_is_zeroed_and_checks_its_size);
    RUN(resize_keeps_a_constant_image_constant);
    RUN(halving_a_checker_averages_it);
    RUN(transparent_pixels_do_not_bleed_colour);
    RUN(resize_of_the_same_size_copies_and_bad_sizes_fail);
    RUN(working_size_rounds_and_never_enlarges);
    TEST_MAIN_END();
}
