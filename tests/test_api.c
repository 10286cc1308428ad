/* test_api: the library is total. Every entry point of polyevolve.h is called with each of its
 * pointer arguments NULL in turn, and with the out-of-range values that matter; each call must
 * return its status (PE_ERR_INVALID_ARG, or PE_OK where the argument is optional), leave its
 * out-parameters zeroed and write nothing to its stream. A last case reads the header and
 * fails when it declares a function this file does not call. Run under ASan + UBSan in CI. */
#define _POSIX_C_SOURCE 200809L
#include "polyevolve.h"
#include "test.h"

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#ifndef PE_HEADER_PATH
#error "PE_HEADER_PATH must name include/polyevolve.h"
#endif

/* ---------------------------------------------------------------- fixtures */

enum { W = 8, H = 6 };
static unsigned char pixels[W * H * 4];
static pe_triangle tris[2] = {
    { { 0.5f, 6.5f, 1.0f }, { 0.5f, 1.0f, 5.5f }, 200, 100, 50, 200 },
    { { 7.0f, 2.0f, 7.5f }, { 0.0f, 3.0f, 6.0f }, 10, 20, 250, 128 },
};
static const char *keys3[] = { "a", "b", "c" }, *values3[] = { "1", "2", "3" };
static char dir[] = "/tmp/pe_test_api_XXXXXX";
static char png_path[64], state_path[64], palette_path[64];
static char *png_bytes, *state_text;
static size_t png_len, state_len;

static pe_image image(void)
{
    return (pe_image){ .width = W, .height = H, .rgba = pixels };
}

static pe_result result(void)
{
    return (pe_result){ .width = W,
                        .height = H,
                        .work_width = W,
                        .work_height = H,
                        .background = { 90, 80, 70, 255 },
                        .triangles = tris,
                        .count = 2,
                        .loss = 0.01,
                        .psnr = 20.0,
                        .rounds_done = 1,
                        .seed = 1 };
}

static pe_options options(void)
{
    pe_options o = pe_options_default();
    o.triangles = 2;
    o.resize = 0;
    o.threads = 1;
    o.iterations = 1;
    o.frames = 0;
    return o;
}

static double parabola(const double *x, size_t dim, void *ctx)
{
    (void)ctx;
    double s = 0.0;
    for (size_t k = 0; k < dim; k++)
        s += (x[k] - 0.25) * (x[k] - 0.25);
    return s;
}

/* the text of f up to its current position, malloc'd; closes f */
static char *slurp(FILE *f, size_t *len)
{
    fflush(f);
    const long n = ftell(f);
    rewind(f);
    char *text = malloc((size_t)n + 1);
    *len = fread(text, 1, (size_t)n, f);
    text[*len] = '\0';
    fclose(f);
    return text;
}

static bool write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    const bool ok = fwrite(data, 1, len, f) == len;
    return fclose(f) == 0 && ok;
}

static bool make_fixtures(void)
{
    for (int i = 0; i < W * H; i++) {
        pixels[4 * i] = (unsigned char)(i * 5);
        pixels[4 * i + 1] = (unsigned char)(255 - i * 3);
        pixels[4 * i + 2] = (unsigned char)(i % 7 * 30);
        pixels[4 * i + 3] = 255;
    }
    if (!mkdtemp(dir))
        return false;
    snprintf(png_path, sizeof png_path, "%s/in.png", dir);
    snprintf(state_path, sizeof state_path, "%s/state.json", dir);
    snprintf(palette_path, sizeof palette_path, "%s/palette.txt", dir);
    const pe_image img = image();
    const pe_result res = result();
    FILE *f = tmpfile(), *g = tmpfile();
    if (!f || !g || pe_write_png(f, &img, NULL) != PE_OK ||
        pe_state_write(g, &res, "in.png", NULL) != PE_OK)
        return false;
    png_bytes = slurp(f, &png_len);
    state_text = slurp(g, &state_len);
    return write_file(png_path, png_bytes, png_len) &&
           write_file(state_path, state_text, state_len) &&
           write_file(palette_path, "#ff0000 #00ff00\n", 16);
}

static void remove_fixtures(void)
{
    unlink(png_path);
    unlink(state_path);
    unlink(palette_path);
    rmdir(dir);
    free(png_bytes);
    free(state_text);
}

/* ---------------------------------------------------------------- out-parameter checks */

/* The out-parameter (or stream) a failed call left dirty, or NULL; reset by every call. */
static const char *dirty;

#define POISON(x) memset(&(x), 0xAB, sizeof(x))

static void must(bool clean, const char *what)
{
    if (!clean && !dirty)
        dirty = what;
}

static bool image_zero(const pe_image *p)
{
    return !p->rgba && p->width == 0 && p->height == 0;
}

static bool result_zero(const pe_result *r)
{
    return !r->triangles && r->count == 0 && r->width == 0 && r->height == 0 && r->rounds_done == 0;
}

static bool state_zero(const pe_state *s)
{
    return s->version == 0 && result_zero(&s->result) && !s->input_path && !s->option_keys &&
           !s->option_values && s->option_count == 0;
}

/* A stream handed to a call: a fresh temporary file; after a failed call, nothing in it. */
static FILE *stream(void)
{
    FILE *f = tmpfile();
    CHECK(f != NULL);
    return f;
}

static void done_with(FILE *f, pe_status st)
{
    if (!f)
        return;
    if (st != PE_OK)
        must(ftell(f) == 0, "the stream (written to)");
    fclose(f);
}

/* argument k of the call, or NULL when the case asks for argument k to be NULL */
#define ARG(k, p) (null_arg == (k) ? NULL : (p))

/* ---------------------------------------------------------------- one caller per entry point */

static pe_status c_dual_annealing(int null_arg)
{
    const double lo[2] = { -1.0, -1.0 }, hi[2] = { 1.0, 1.0 };
    pe_da_options o = pe_da_options_default();
    o.maxiter = 20;
    double x[2];
    pe_da_result r;
    POISON(r);
    const pe_status st =
        pe_dual_annealing(null_arg == 0 ? NULL : parabola, ARG(1, (void *)dir), 2, ARG(2, lo),
                          ARG(3, hi), ARG(4, &o), ARG(5, x), ARG(6, &r));
    if (null_arg != 6)
        must(st == PE_OK || (r.message && r.stop == PE_DA_STOP_NONE && r.nfev == 0), "res");
    return st;
}

static pe_status c_image_load(int null_arg)
{
    const pe_load_limits lim = pe_load_limits_default();
    pe_image out;
    POISON(out);
    const pe_status st = pe_image_load(ARG(0, png_path), ARG(1, &lim), ARG(2, &out));
    if (null_arg != 2) {
        must(st == PE_OK ? out.width == W : image_zero(&out), "out");
        pe_image_free(&out);
    }
    return st;
}

static pe_status c_image_load_ex(int null_arg)
{
    pe_image out;
    POISON(out);
    char why[PE_IMAGE_WHY_LEN];
    POISON(why);
    const pe_status st =
        pe_image_load_ex(ARG(0, png_path), ARG(1, NULL), ARG(2, &out), ARG(3, why), sizeof why);
    if (null_arg != 2) {
        must(st == PE_OK ? out.width == W : image_zero(&out), "out");
        pe_image_free(&out);
    }
    if (null_arg != 3)
        must(st == PE_OK ? why[0] == '\0' : strlen(why) > 0 && strlen(why) < sizeof why, "why");
    return st;
}

static pe_status c_image_load_memory(int null_arg)
{
    pe_image out;
    POISON(out);
    const pe_status st = pe_image_load_memory(ARG(0, (const unsigned char *)png_bytes), png_len,
                                              ARG(1, NULL), ARG(2, &out));
    if (null_arg != 2) {
        must(st == PE_OK ? out.width == W : image_zero(&out), "out");
        pe_image_free(&out);
    }
    return st;
}

static pe_status c_image_load_memory_ex(int null_arg)
{
    pe_image out;
    POISON(out);
    char why[PE_IMAGE_WHY_LEN];
    POISON(why);
    const pe_status st =
        pe_image_load_memory_ex(ARG(0, (const unsigned char *)png_bytes), png_len, ARG(1, NULL),
                                ARG(2, &out), ARG(3, why), sizeof why);
    if (null_arg != 2) {
        must(st == PE_OK ? out.width == W : image_zero(&out), "out");
        pe_image_free(&out);
    }
    if (null_arg != 3)
        must(st == PE_OK ? why[0] == '\0' : strlen(why) > 0 && strlen(why) < sizeof why, "why");
    return st;
}

static pe_status c_image_load_stream_ex(int null_arg)
{
    pe_image out;
    POISON(out);
    char why[PE_IMAGE_WHY_LEN];
    POISON(why);
    FILE *f = tmpfile();
    if (f) {
        fwrite(png_bytes, 1, png_len, f);
        rewind(f);
    }
    const pe_status st = pe_image_load_stream_ex(ARG(0, f), ARG(1, NULL), ARG(2, &out),
                                                 ARG(3, why), sizeof why);
    if (f)
        fclose(f);
    if (null_arg != 2) {
        must(st == PE_OK ? out.width == W : image_zero(&out), "out");
        pe_image_free(&out);
    }
    if (null_arg != 3 && null_arg != 2)
        must(st == PE_OK ? why[0] == '\0' : strlen(why) > 0 && strlen(why) < sizeof why, "why");
    return st;
}

static pe_status c_approximate(int null_arg)
{
    const pe_image img = image();
    const pe_options o = options();
    pe_result out;
    POISON(out);
    const pe_status st = pe_approximate(ARG(0, &img), ARG(1, &o), ARG(2, &out));
    if (null_arg != 2) {
        must(st == PE_OK ? out.count == 2 : result_zero(&out), "out");
        pe_result_free(&out);
    }
    return st;
}

static pe_status c_result_copy(int null_arg)
{
    const pe_result res = result();
    pe_result out;
    POISON(out);
    const pe_status st = pe_result_copy(ARG(0, &res), ARG(1, &out));
    if (null_arg != 1) {
        must(st == PE_OK ? out.count == 2 && out.triangles != tris : result_zero(&out), "out");
        pe_result_free(&out);
    }
    return st;
}

static pe_status c_palette_load(int null_arg)
{
    unsigned char *rgb;
    int count;
    POISON(rgb);
    POISON(count);
    char why[128];
    const pe_status st = pe_palette_load(ARG(0, palette_path), ARG(1, &rgb), ARG(2, &count),
                                         ARG(3, why), sizeof why);
    if (null_arg != 1) {
        must(st == PE_OK ? rgb != NULL : rgb == NULL, "rgb");
        if (st == PE_OK)
            free(rgb);
    }
    if (null_arg != 2)
        must(st == PE_OK ? count == 2 : count == 0, "count");
    return st;
}

static pe_status c_write_svg(int null_arg)
{
    const pe_result res = result();
    const pe_metadata meta = { keys3, values3, 3 };
    FILE *f = ARG(0, stream());
    const pe_status st = pe_write_svg(f, ARG(1, &res), ARG(2, &meta));
    done_with(f, st);
    return st;
}

static pe_status c_write_svg_sized(int null_arg)
{
    const pe_result res = result();
    FILE *f = ARG(0, stream());
    const pe_status st = pe_write_svg_sized(f, ARG(1, &res), 100.0, 0.0, ARG(2, NULL));
    done_with(f, st);
    return st;
}

static pe_status c_render(int null_arg)
{
    const pe_result res = result();
    pe_image out;
    POISON(out);
    const pe_status st = pe_render(ARG(0, &res), 0, 0, ARG(1, &out));
    if (null_arg != 1) {
        must(st == PE_OK ? out.width == W : image_zero(&out), "out");
        pe_image_free(&out);
    }
    return st;
}

static pe_status c_write_png(int null_arg)
{
    const pe_image img = image();
    const pe_metadata meta = { keys3, values3, 3 };
    FILE *f = ARG(0, stream());
    const pe_status st = pe_write_png(f, ARG(1, &img), ARG(2, &meta));
    done_with(f, st);
    return st;
}

static pe_status c_write_jpeg(int null_arg)
{
    const pe_image img = image();
    const pe_metadata meta = { keys3, values3, 3 };
    FILE *f = ARG(0, stream());
    const pe_status st = pe_write_jpeg(f, ARG(1, &img), 90, ARG(2, &meta));
    done_with(f, st);
    return st;
}

static pe_status c_write_pdf(int null_arg)
{
    const pe_result res = result();
    const pe_metadata meta = { keys3, values3, 3 };
    FILE *f = ARG(0, stream());
    const pe_status st = pe_write_pdf(f, ARG(1, &res), 0.0, 0.0, ARG(2, &meta));
    done_with(f, st);
    return st;
}

/* A page larger than the picture, the picture centred: both page writers. */
static pe_page a_page(void)
{
    return (pe_page){ .width = 200.0, .height = 100.0, .x = 70.0, .y = 20.0, .w = 60.0,
                      .h = 60.0 * H / W, .unit = PE_UNIT_MM };
}

static pe_status c_write_pdf_page(int null_arg)
{
    const pe_result res = result();
    const pe_metadata meta = { keys3, values3, 3 };
    const pe_page page = a_page();
    FILE *f = ARG(0, stream());
    const pe_status st = pe_write_pdf_page(f, ARG(1, &res), ARG(2, &page), ARG(3, &meta));
    done_with(f, st);
    return st;
}

static pe_status c_write_svg_page(int null_arg)
{
    const pe_result res = result();
    const pe_metadata meta = { keys3, values3, 3 };
    const pe_page page = a_page();
    FILE *f = ARG(0, stream());
    const pe_status st = pe_write_svg_page(f, ARG(1, &res), ARG(2, &page), ARG(3, &meta));
    done_with(f, st);
    return st;
}

static pe_status c_state_write(int null_arg)
{
    const pe_result res = result();
    const pe_metadata meta = { keys3, values3, 3 };
    FILE *f = ARG(0, stream());
    const pe_status st = pe_state_write(f, ARG(1, &res), ARG(2, "in.png"), ARG(3, &meta));
    done_with(f, st);
    return st;
}

static pe_status state_out(pe_status st, int null_arg, int out_arg, pe_state *out)
{
    if (null_arg != out_arg) {
        must(st == PE_OK ? out->result.count == 2 : state_zero(out), "out");
        pe_state_free(out);
    }
    return st;
}

static pe_status c_state_read(int null_arg)
{
    pe_state out;
    POISON(out);
    return state_out(pe_state_read(ARG(0, state_path), ARG(1, &out)), null_arg, 1, &out);
}

static pe_status c_state_read_ex(int null_arg)
{
    pe_state out;
    POISON(out);
    char why[PE_STATE_WHY_LEN];
    const pe_status st =
        pe_state_read_ex(ARG(0, state_path), ARG(1, &out), ARG(2, why), sizeof why);
    return state_out(st, null_arg, 1, &out);
}

static pe_status c_state_parse(int null_arg)
{
    pe_state out;
    POISON(out);
    const pe_status st = pe_state_parse(ARG(0, state_text), state_len, ARG(1, &out));
    return state_out(st, null_arg, 1, &out);
}

static pe_status c_state_parse_ex(int null_arg)
{
    pe_state out;
    POISON(out);
    char why[PE_STATE_WHY_LEN];
    const pe_status st =
        pe_state_parse_ex(ARG(0, state_text), state_len, ARG(1, &out), ARG(2, why), sizeof why);
    return state_out(st, null_arg, 1, &out);
}

static pe_status c_animate_frame(int null_arg)
{
    const pe_result res = result();
    pe_result out;
    POISON(out);
    const pe_status st = pe_animate_frame(ARG(0, &res), 3, 10, 7, ARG(1, &out));
    if (null_arg != 1) {
        must(st == PE_OK ? out.count > 0 : result_zero(&out), "out");
        pe_result_free(&out);
    }
    return st;
}

static pe_status c_warm_start(int null_arg)
{
    const pe_result prev = result();
    const pe_image img = image();
    const pe_options o = options();
    pe_result start;
    pe_warm_info info;
    POISON(start);
    POISON(info);
    const pe_status st = pe_warm_start(ARG(0, &prev), ARG(1, &img), ARG(2, &img), ARG(3, &o),
                                       ARG(4, &start), ARG(5, &info));
    if (null_arg != 4) {
        must(st == PE_OK ? start.count == 2 : result_zero(&start), "start");
        pe_result_free(&start);
    }
    if (null_arg != 5 && st != PE_OK)
        must(info.dx == 0.0 && info.dy == 0.0 && info.prev_loss == 0.0 && info.warm_loss == 0.0 &&
                 info.flat_loss == 0.0 && !info.cut,
             "info");
    return st;
}

/* ---------------------------------------------------------------- the NULL table */

enum { MAX_ARGS = 7 };
#define INV PE_ERR_INVALID_ARG

typedef struct entry {
    const char *name;
    pe_status (*call)(int null_arg);
    const char *arg[MAX_ARGS];     /* its pointer arguments, in order */
    pe_status when_null[MAX_ARGS]; /* the status with that one NULL: optional ones give PE_OK */
} entry;

static const entry entries[] = {
    { "pe_dual_annealing",
      c_dual_annealing,
      { "f", "ctx", "lower", "upper", "opt", "x_best", "res" },
      { INV, PE_OK, INV, INV, PE_OK, INV, PE_OK } },
    { "pe_image_load", c_image_load, { "path", "lim", "out" }, { INV, PE_OK, INV } },
    { "pe_image_load_ex",
      c_image_load_ex,
      { "path", "lim", "out", "why" },
      { INV, PE_OK, INV, PE_OK } },
    { "pe_image_load_memory", c_image_load_memory, { "data", "lim", "out" }, { INV, PE_OK, INV } },
    { "pe_image_load_memory_ex",
      c_image_load_memory_ex,
      { "data", "lim", "out", "why" },
      { INV, PE_OK, INV, PE_OK } },
    { "pe_image_load_stream_ex",
      c_image_load_stream_ex,
      { "f", "lim", "out", "why" },
      { INV, PE_OK, INV, PE_OK } },
    { "pe_approximate", c_approximate, { "target", "opt", "out" }, { INV, INV, INV } },
    { "pe_result_copy", c_result_copy, { "src", "out" }, { INV, INV } },
    { "pe_palette_load",
      c_palette_load,
      { "path", "rgb", "count", "why" },
      { INV, INV, INV, PE_OK } },
    { "pe_write_svg", c_write_svg, { "f", "res", "meta" }, { INV, INV, PE_OK } },
    { "pe_write_svg_sized", c_write_svg_sized, { "f", "res", "meta" }, { INV, INV, PE_OK } },
    { "pe_render", c_render, { "res", "out" }, { INV, INV } },
    { "pe_write_png", c_write_png, { "f", "img", "meta" }, { INV, INV, PE_OK } },
    { "pe_write_jpeg", c_write_jpeg, { "f", "img", "meta" }, { INV, INV, PE_OK } },
    { "pe_write_pdf", c_write_pdf, { "f", "res", "meta" }, { INV, INV, PE_OK } },
    { "pe_write_pdf_page", c_write_pdf_page, { "f", "res", "page", "meta" },
      { INV, INV, INV, PE_OK } },
    { "pe_write_svg_page", c_write_svg_page, { "f", "res", "page", "meta" },
      { INV, INV, INV, PE_OK } },
    { "pe_state_write",
      c_state_write,
      { "f", "res", "input_path", "options" },
      { INV, INV, PE_OK, PE_OK } },
    { "pe_state_read", c_state_read, { "path", "out" }, { INV, INV } },
    { "pe_state_read_ex", c_state_read_ex, { "path", "out", "why" }, { INV, INV, PE_OK } },
    { "pe_state_parse", c_state_parse, { "text", "out" }, { INV, INV } },
    { "pe_state_parse_ex", c_state_parse_ex, { "text", "out", "why" }, { INV, INV, PE_OK } },
    { "pe_animate_frame", c_animate_frame, { "final", "out" }, { INV, INV } },
    { "pe_warm_start",
      c_warm_start,
      { "prev", "prev_image", "image", "opt", "start", "info" },
      { INV, PE_OK, INV, INV, INV, PE_OK } },
};

static void every_pointer_argument_null_in_turn(void)
{
    for (size_t e = 0; e < sizeof entries / sizeof *entries; e++) {
        const entry *en = &entries[e];
        for (int k = -1; k < MAX_ARGS && (k < 0 || en->arg[k]); k++) {
            dirty = NULL;
            const pe_status want = k < 0 ? PE_OK : en->when_null[k];
            const pe_status got = en->call(k);
            if (got != want || dirty) {
                fprintf(stderr, "%s(%s = NULL): %s (want %s)%s%s\n", en->name,
                        k < 0 ? "nothing" : en->arg[k], pe_status_str(got), pe_status_str(want),
                        dirty ? ", left dirty: " : "", dirty ? dirty : "");
                CHECK(!"status or out-parameters");
            }
        }
    }
}

/* The functions that cannot fail take NULL and zeroed structs. */
static void frees_and_views_take_null(void)
{
    pe_image_free(NULL);
    pe_result_free(NULL);
    pe_state_free(NULL);
    pe_image img = { 0 };
    pe_result res = { 0 };
    pe_state st = { 0 };
    pe_image_free(&img);
    pe_result_free(&res);
    pe_state_free(&st);
    const pe_metadata m = pe_state_options(NULL);
    CHECK(m.count == 0 && !m.keys && !m.values);
    CHECK(pe_state_options(&st).count == 0);
    /* every status has words, also one out of range */
    for (int s = -2; s < 20; s++)
        CHECK(pe_status_str((pe_status)s) != NULL && pe_status_str((pe_status)s)[0]);
    const pe_da_options d = pe_da_options_default();
    const pe_load_limits l = pe_load_limits_default();
    const pe_options o = pe_options_default();
    CHECK(d.maxiter > 0 && l.max_pixels > 0 && o.triangles > 0);
}

/* ---------------------------------------------------------------- out-of-range values */

/* pe_options fields set to a value out of range: pe_approximate refuses each. */
typedef struct opt_case {
    const char *name;
    size_t offset;
    char type; /* 'i' int, 'd' double */
    double value;
} opt_case;

#define OPT(field, type, v)                                   \
    {                                                         \
#field " = " #v, offsetof(pe_options, field), type, v \
    }

static const opt_case opt_cases[] = {
    OPT(triangles, 'i', 0),
    OPT(triangles, 'i', -1),
    OPT(triangles, 'i', 1000001),
    OPT(resize, 'i', -1),
    OPT(iterations, 'i', -1),
    OPT(iterations, 'i', 1000001),
    OPT(iterations, 'i', INT_MAX),
    OPT(frames, 'i', -1),
    OPT(frames, 'i', 100001),
    OPT(frame_spacing, 'i', 7),
    OPT(time_limit, 'd', -1),
    OPT(time_limit, 'd', NAN),
    OPT(time_limit, 'd', INFINITY),
    OPT(time_limit, 'd', -INFINITY),
    OPT(target_psnr, 'd', -1),
    OPT(target_psnr, 'd', NAN),
    OPT(target_psnr, 'd', INFINITY),
    OPT(target_psnr, 'd', -INFINITY),
    OPT(alpha, 'd', 1.5),
    OPT(alpha, 'd', -0.5),
    OPT(alpha, 'd', NAN),
    OPT(palette_size, 'i', -1),
    OPT(palette_size, 'i', 257),
};

static pe_status approximate_with(const pe_options *o)
{
    const pe_image img = image();
    pe_result out;
    POISON(out);
    dirty = NULL;
    const pe_status st = pe_approximate(&img, o, &out);
    must(st == PE_OK || st == PE_ERR_INTERRUPTED || result_zero(&out), "out");
    pe_result_free(&out);
    return st;
}

static void approximate_refuses_out_of_range_options(void)
{
    for (size_t i = 0; i < sizeof opt_cases / sizeof *opt_cases; i++) {
        const opt_case *c = &opt_cases[i];
        pe_options o = options();
        if (c->type == 'i') {
            const int v = (int)c->value;
            memcpy((char *)&o + c->offset, &v, sizeof v);
        } else {
            memcpy((char *)&o + c->offset, &c->value, sizeof c->value);
        }
        const pe_status st = approximate_with(&o);
        if (st != PE_ERR_INVALID_ARG || dirty) {
            fprintf(stderr, "pe_approximate(%s): %s%s\n", c->name, pe_status_str(st),
                    dirty ? ", out left dirty" : "");
            CHECK(!"option out of range accepted");
        }
    }
    /* the borrowed objects */
    pe_options o = options();
    const pe_image no_pixels = { .width = W, .height = H, .rgba = NULL };
    o.weight = &no_pixels;
    CHECK(approximate_with(&o) == PE_ERR_INVALID_ARG);
    o = options();
    static const unsigned char rgb[3] = { 1, 2, 3 };
    o.palette = rgb; /* with palette_size 0 */
    CHECK(approximate_with(&o) == PE_ERR_INVALID_ARG);
    o = options();
    pe_result out;
    POISON(out);
    CHECK(pe_approximate(&no_pixels, &o, &out) == PE_ERR_INVALID_ARG && result_zero(&out));
    const pe_image empty = { .width = 0, .height = H, .rgba = pixels };
    POISON(out);
    CHECK(pe_approximate(&empty, &o, &out) == PE_ERR_INVALID_ARG && result_zero(&out));
}

/* A resume result is checked as pe_state_write checks one: each of these was accepted before
 * (rounds_done = INT_MAX overflowed a signed shift in the engine). */
typedef struct resume_case {
    const char *name;
    size_t offset;
    char type; /* 'i' int, 'd' double, 'z' size_t */
    double value;
} resume_case;

#define RES(field, type, v)                                  \
    {                                                        \
#field " = " #v, offsetof(pe_result, field), type, v \
    }

static const resume_case resume_cases[] = {
    RES(rounds_done, 'i', INT_MAX),
    RES(rounds_done, 'i', -1),
    RES(rounds_done, 'i', (1 << 24) + 1),
    RES(width, 'i', 0),
    RES(height, 'i', -5),
    RES(work_width, 'i', 0),
    RES(loss, 'd', NAN),
    RES(loss, 'd', 2),
    RES(psnr, 'd', NAN),
    RES(psnr, 'd', -INFINITY),
    RES(count, 'z', (1 << 24) + 1),
};

static void approximate_refuses_a_bad_resume(void)
{
    for (size_t i = 0; i < sizeof resume_cases / sizeof *resume_cases; i++) {
        const resume_case *c = &resume_cases[i];
        pe_result prev = result();
        if (c->type == 'i') {
            const int v = (int)c->value;
            memcpy((char *)&prev + c->offset, &v, sizeof v);
        } else if (c->type == 'z') {
            const size_t v = (size_t)c->value; /* the count limit is checked before any read */
            memcpy((char *)&prev + c->offset, &v, sizeof v);
        } else {
            memcpy((char *)&prev + c->offset, &c->value, sizeof c->value);
        }
        pe_options o = options();
        o.resume = &prev;
        const pe_status st = approximate_with(&o);
        if (st != PE_ERR_INVALID_ARG || dirty) {
            fprintf(stderr, "pe_approximate(resume.%s): %s%s\n", c->name, pe_status_str(st),
                    dirty ? ", out left dirty" : "");
            CHECK(!"bad resume accepted");
        }
    }
    pe_triangle bad[2] = { tris[0], tris[1] };
    pe_result prev = result();
    prev.triangles = bad;
    pe_options o = options();
    o.resume = &prev;
    static const float wrong[] = { NAN, INFINITY, -1e9f, 1e6f };
    for (size_t i = 0; i < sizeof wrong / sizeof *wrong; i++) {
        bad[1].y[2] = wrong[i];
        CHECK(approximate_with(&o) == PE_ERR_INVALID_ARG && !dirty);
    }
    prev.triangles = NULL; /* count 2 */
    CHECK(approximate_with(&o) == PE_ERR_INVALID_ARG && !dirty);
    /* and a good one is taken: the rounds go on from it */
    prev = result();
    CHECK(approximate_with(&o) == PE_OK);
}

/* Malformed results for everything that draws or copies one. */
static void malformed_results_are_refused(void)
{
    pe_triangle bad[2] = { tris[0], tris[1] };
    pe_result res = result();
    res.triangles = bad;
    for (int k = 0; k < 4; k++) {
        memcpy(bad, tris, sizeof bad);
        res.width = k == 0 ? 0 : W;
        res.triangles = k == 1 ? NULL : bad;
        bad[0].x[1] = k == 2 ? NAN : bad[0].x[1];
        bad[1].y[0] = k == 3 ? 2e7f : bad[1].y[0]; /* beyond what a writer prints */
        FILE *f = stream();
        pe_image img;
        POISON(img);
        CHECK(pe_write_svg(f, &res, NULL) == PE_ERR_INVALID_ARG);
        CHECK(pe_write_svg_sized(f, &res, 0, 0, NULL) == PE_ERR_INVALID_ARG);
        CHECK(pe_write_pdf(f, &res, 0, 0, NULL) == PE_ERR_INVALID_ARG);
        CHECK(pe_state_write(f, &res, NULL, NULL) == PE_ERR_INVALID_ARG);
        CHECK(ftell(f) == 0);
        fclose(f);
        CHECK(pe_render(&res, 0, 0, &img) == PE_ERR_INVALID_ARG && image_zero(&img));
        pe_result out;
        POISON(out);
        CHECK(pe_animate_frame(&res, 0, 2, 1, &out) == PE_ERR_INVALID_ARG && result_zero(&out));
        const pe_image im = image();
        const pe_options o = options();
        pe_warm_info info;
        POISON(out);
        CHECK(pe_warm_start(&res, &im, &im, &o, &out, &info) == PE_ERR_INVALID_ARG &&
              result_zero(&out) && info.dx == 0.0);
        if (k == 1) { /* a copy needs only the triangles it copies */
            POISON(out);
            CHECK(pe_result_copy(&res, &out) == PE_ERR_INVALID_ARG && result_zero(&out));
        }
    }
}

/* Metadata that cannot be read, sizes and numbers out of range, for every writer. */
static void writers_refuse_out_of_range_values(void)
{
    const pe_result res = result();
    const pe_image img = image();
    const char *with_null[] = { "a", NULL, "c" };
    const pe_metadata no_keys = { NULL, values3, 3 }, no_values = { keys3, NULL, 3 },
                      null_key = { with_null, values3, 3 }, null_value = { keys3, with_null, 3 };
    const pe_metadata *bad_meta[] = { &no_keys, &no_values, &null_key, &null_value };
    FILE *f = stream();
    for (size_t i = 0; i < sizeof bad_meta / sizeof *bad_meta; i++) {
        const pe_metadata *m = bad_meta[i];
        CHECK(pe_write_svg(f, &res, m) == PE_ERR_INVALID_ARG);
        CHECK(pe_write_pdf(f, &res, 0, 0, m) == PE_ERR_INVALID_ARG);
        CHECK(pe_write_png(f, &img, m) == PE_ERR_INVALID_ARG);
        CHECK(pe_write_jpeg(f, &img, 90, m) == PE_ERR_INVALID_ARG);
        CHECK(pe_state_write(f, &res, NULL, m) == PE_ERR_INVALID_ARG);
    }
    /* count 0 with NULL arrays is no metadata */
    const pe_metadata none = { NULL, NULL, 0 };
    static const double sizes[] = { -1.0, NAN, INFINITY, 1e12 };
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        CHECK(pe_write_svg_sized(f, &res, sizes[i], 0, NULL) == PE_ERR_INVALID_ARG);
        CHECK(pe_write_svg_sized(f, &res, 0, sizes[i], NULL) == PE_ERR_INVALID_ARG);
        CHECK(pe_write_pdf(f, &res, sizes[i], 0, NULL) == PE_ERR_INVALID_ARG);
        CHECK(pe_write_pdf(f, &res, 0, sizes[i], NULL) == PE_ERR_INVALID_ARG);
    }
    const pe_image no_pixels = { .width = W, .height = H, .rgba = NULL };
    const pe_image zero_width = { .width = 0, .height = H, .rgba = pixels };
    CHECK(pe_write_png(f, &no_pixels, NULL) == PE_ERR_INVALID_ARG);
    CHECK(pe_write_png(f, &zero_width, NULL) == PE_ERR_INVALID_ARG);
    CHECK(pe_write_jpeg(f, &no_pixels, 90, NULL) == PE_ERR_INVALID_ARG);
    CHECK(pe_write_jpeg(f, &img, 0, NULL) == PE_ERR_INVALID_ARG);
    CHECK(pe_write_jpeg(f, &img, 101, NULL) == PE_ERR_INVALID_ARG);
    const char *bad_key[] = { "" };
    const pe_metadata empty_key = { bad_key, values3, 1 };
    CHECK(pe_write_png(f, &img, &empty_key) == PE_ERR_INVALID_ARG);
    const char *dup[] = { "k", "k" };
    const pe_metadata dup_keys = { dup, values3, 2 };
    CHECK(pe_state_write(f, &res, NULL, &dup_keys) == PE_ERR_INVALID_ARG);
    CHECK(ftell(f) == 0);
    CHECK(pe_write_svg(f, &res, &none) == PE_OK);
    fclose(f);
    pe_image out;
    static const int sides[][2] = { { -1, 0 }, { 0, -1 }, { 40000, 0 }, { INT_MAX, INT_MAX } };
    for (size_t i = 0; i < sizeof sides / sizeof *sides; i++) {
        POISON(out);
        CHECK(pe_render(&res, sides[i][0], sides[i][1], &out) == PE_ERR_INVALID_ARG &&
              image_zero(&out));
    }
}

static void other_ranges_are_refused(void)
{
    /* animation frames */
    const pe_result res = result();
    pe_result out;
    static const int frames[][2] = { { 0, 0 }, { -1, 5 }, { 5, 5 }, { 0, -3 }, { INT_MAX, 2 } };
    for (size_t i = 0; i < sizeof frames / sizeof *frames; i++) {
        POISON(out);
        CHECK(pe_animate_frame(&res, frames[i][0], frames[i][1], 1, &out) == PE_ERR_INVALID_ARG &&
              result_zero(&out));
    }
    /* memory that is absent: data NULL with a size, an empty buffer */
    pe_image img;
    POISON(img);
    CHECK(pe_image_load_memory(NULL, 10, NULL, &img) == PE_ERR_INVALID_ARG && image_zero(&img));
    POISON(img);
    CHECK(pe_image_load_memory(NULL, 0, NULL, &img) == PE_ERR_FORMAT && image_zero(&img));
    pe_state st;
    POISON(st);
    CHECK(pe_state_parse(NULL, 10, &st) == PE_ERR_INVALID_ARG && state_zero(&st));
    POISON(st);
    CHECK(pe_state_parse(NULL, 0, &st) == PE_ERR_FORMAT && state_zero(&st));
    /* the warm start's image and options */
    const pe_image good = image(), no_pixels = { .width = W, .height = H, .rgba = NULL };
    pe_options o = options();
    POISON(out);
    CHECK(pe_warm_start(&res, NULL, &no_pixels, &o, &out, NULL) == PE_ERR_INVALID_ARG &&
          result_zero(&out));
    CHECK(pe_warm_start(&res, &no_pixels, &good, &o, &out, NULL) == PE_ERR_INVALID_ARG);
    o.resize = -1;
    CHECK(pe_warm_start(&res, NULL, &good, &o, &out, NULL) == PE_ERR_INVALID_ARG);
    /* dual annealing: its documented ranges */
    const double lo[1] = { -1.0 }, hi[1] = { 1.0 }, flat[1] = { 1.0 };
    double x[1];
    pe_da_result r;
    pe_da_options d = pe_da_options_default();
    CHECK(pe_dual_annealing(parabola, NULL, 0, lo, hi, &d, x, &r) == PE_ERR_INVALID_ARG &&
          r.message);
    CHECK(pe_dual_annealing(parabola, NULL, 1, flat, hi, &d, x, &r) == PE_ERR_INVALID_ARG);
    d.maxiter = -1;
    CHECK(pe_dual_annealing(parabola, NULL, 1, lo, hi, &d, x, &r) == PE_ERR_INVALID_ARG);
    d = pe_da_options_default();
    d.visit = NAN;
    CHECK(pe_dual_annealing(parabola, NULL, 1, lo, hi, &d, x, &r) == PE_ERR_INVALID_ARG);
    /* the palette file that is not there, a directory */
    unsigned char *rgb;
    int count;
    POISON(rgb);
    POISON(count);
    CHECK(pe_palette_load(dir, &rgb, &count, NULL, 0) != PE_OK && !rgb && count == 0);
}

/* ---------------------------------------------------------------- coverage */

/* What the header declares and this file does not call through the tables above. */
static const char *const also_covered[] = {
    "pe_status_str",
    "pe_da_options_default",
    "pe_load_limits_default",
    "pe_options_default",
    "pe_image_free",
    "pe_result_free",
    "pe_state_options",
    "pe_state_free",
    /* the threads are the scheduler's to bound: not this file's */
    "pe_parallel_for",
    "pe_parallel_serial",
};

static bool covered(const char *name)
{
    for (size_t i = 0; i < sizeof entries / sizeof *entries; i++)
        if (!strcmp(entries[i].name, name))
            return true;
    for (size_t i = 0; i < sizeof also_covered / sizeof *also_covered; i++)
        if (!strcmp(also_covered[i], name))
            return true;
    return false;
}

/* Every function polyevolve.h declares (a name "pe_..." followed by "(", as the shared
 * library's export list is made) is in a table here. */
static void every_declared_function_is_called(void)
{
    FILE *f = fopen(PE_HEADER_PATH, "r");
    CHECK(f != NULL);
    if (!f)
        return;
    fseek(f, 0, SEEK_END);
    size_t len;
    char *text = slurp(f, &len);
    int found = 0;
    for (const char *p = text; (p = strstr(p, "pe_")) != NULL; p++) {
        if (p > text && p[-1] != ' ' && p[-1] != '*')
            continue;
        size_t n = 3;
        while ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= '0' && p[n] <= '9') || p[n] == '_')
            n++;
        if (p[n] != '(' || n >= 64)
            continue;
        char name[64];
        memcpy(name, p, n);
        name[n] = '\0';
        found++;
        if (!covered(name)) {
            fprintf(stderr, "%s is declared in polyevolve.h but not tested here\n", name);
            CHECK(!"an entry point without a NULL/range case");
        }
    }
    CHECK(found > 25);
    free(text);
}

int main(int argc, char **argv)
{
    TEST_MAIN_BEGIN(argc, argv);
    if (!make_fixtures()) {
        fprintf(stderr, "test_api: cannot make the fixtures in %s\n", dir);
        return 1;
    }
    RUN(every_pointer_argument_null_in_turn);
    RUN(frees_and_views_take_null);
    RUN(approximate_refuses_out_of_range_options);
    RUN(approximate_refuses_a_bad_resume);
    RUN(malformed_results_are_refused);
    RUN(writers_refuse_out_of_range_values);
    RUN(other_ranges_are_refused);
    RUN(every_declared_function_is_called);
    remove_fixtures();
    TEST_MAIN_END();
}
