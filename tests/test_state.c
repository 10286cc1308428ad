/* test_state: the state file round-trips every field bit for bit (and so renders the same
 * bytes), and the reader refuses every kind of malformed file with PE_ERR_FORMAT. */
#define _POSIX_C_SOURCE 200809L
#include "polyevolve.h"
#include "rng.h"
#include "test.h"

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

/* ---------------------------------------------------------------- helpers */

static char *write_text(const pe_result *res, const char *path, const pe_metadata *opt, size_t *len)
{
    FILE *f = tmpfile();
    CHECK(pe_state_write(f, res, path, opt) == PE_OK);
    fflush(f);
    const long n = ftell(f);
    rewind(f);
    char *text = malloc((size_t)n + 1);
    *len = fread(text, 1, (size_t)n, f);
    text[*len] = 0;
    fclose(f);
    return text;
}

static void check_same_result(const pe_result *a, const pe_result *b)
{
    CHECK(a->width == b->width && a->height == b->height);
    CHECK(a->work_width == b->work_width && a->work_height == b->work_height);
    CHECK(!memcmp(a->background, b->background, 4));
    CHECK(a->count == b->count);
    /* bit for bit: pe_triangle has no padding (6 floats, 4 bytes) */
    CHECK(a->count == 0 ||
          (b->triangles && !memcmp(a->triangles, b->triangles, a->count * sizeof *a->triangles)));
    CHECK(!memcmp(&a->loss, &b->loss, sizeof a->loss));
    CHECK(!memcmp(&a->psnr, &b->psnr, sizeof a->psnr));
    CHECK(a->evaluations == b->evaluations && a->iterations == b->iterations);
    CHECK(a->rounds_done == b->rounds_done && a->seed == b->seed);
}

static void check_same_render(const pe_result *a, const pe_result *b, int width)
{
    pe_image ia, ib;
    CHECK(pe_render(a, width, 0, &ia) == PE_OK);
    CHECK(pe_render(b, width, 0, &ib) == PE_OK);
    CHECK(ia.width == ib.width && ia.height == ib.height && ia.rgba && ib.rgba &&
          !memcmp(ia.rgba, ib.rgba, (size_t)ia.width * (size_t)ia.height * 4));
    pe_image_free(&ia);
    pe_image_free(&ib);
}

/* A 70 x 45 result with awkward numbers. */
static pe_result awkward_result(void)
{
    pe_result res = { .width = 70,
                      .height = 45,
                      .work_width = 35,
                      .work_height = 23,
                      .background = { 1, 2, 3, 255 },
                      .count = 60,
                      .loss = 0.012345678901234568,
                      .psnr = 19.084850188786497,
                      .evaluations = (UINT64_C(1) << 53) + 1,
                      .iterations = 123456789012,
                      .rounds_done = 3,
                      .seed = UINT64_MAX };
    res.triangles = malloc(res.count * sizeof *res.triangles);
    pe_rng rng;
    pe_rng_seed(&rng, 5, 1);
    for (size_t i = 0; i < res.count; i++) {
        pe_triangle *tr = &res.triangles[i];
        for (int k = 0; k < 3; k++) {
            tr->x[k] = (float)(pe_rng_uniform(&rng) * 90 - 10);
            tr->y[k] = (float)(pe_rng_uniform(&rng) * 65 - 10);
        }
        tr->r = (unsigned char)pe_rng_below(&rng, 256);
        tr->g = (unsigned char)pe_rng_below(&rng, 256);
        tr->b = (unsigned char)pe_rng_below(&rng, 256);
        tr->a = (unsigned char)pe_rng_below(&rng, 256);
    }
    /* values whose printing is easy to get wrong */
    res.triangles[0].x[0] = -0.0f;
    res.triangles[0].y[0] = 1e-40f; /* subnormal */
    res.triangles[0].x[1] = 1.0f / 3.0f;
    res.triangles[0].y[1] = 16777215.0f / 1048576.0f;
    res.triangles[0].x[2] = -203.99998f; /* near the margin -(2 * 70 + 64) */
    return res;
}

static void free_result(pe_result *res)
{
    free(res->triangles);
}

/* ---------------------------------------------------------------- round trip */

static void state_round_trips_every_field(void)
{
    pe_result res = awkward_result();
    const char *keys[] = { "seed", "note", "empty" };
    const char *values[] = { "18446744073709551615", "q\"b\\s/n\nt\tc\x01 caf\xc3\xa9", "" };
    const pe_metadata opt = { keys, values, 3 };
    const char *input = "dir/\xc3\xbc \"x\".png";

    char path[] = "/tmp/pe_state_XXXXXX";
    const int fd = mkstemp(path);
    CHECK(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    CHECK(pe_state_write(f, &res, input, &opt) == PE_OK);
    CHECK(fclose(f) == 0);

    pe_state st;
    CHECK(pe_state_read(path, &st) == PE_OK);
    CHECK(st.version == PE_STATE_VERSION);
    check_same_result(&res, &st.result);
    CHECK(st.input_path && !strcmp(st.input_path, input));
    CHECK(st.option_count == 3);
    for (size_t i = 0; i < 3 && i < st.option_count; i++)
        CHECK(!strcmp(st.option_keys[i], keys[i]) && !strcmp(st.option_values[i], values[i]));
    const pe_metadata view = pe_state_options(&st);
    CHECK(view.count == 3 && !strcmp(view.values[1], values[1]));
    check_same_render(&res, &st.result, 0);
    check_same_render(&res, &st.result, 333);

    /* writing the read-back state gives the same bytes */
    size_t n1, n2;
    char *t1 = write_text(&res, input, &opt, &n1);
    char *t2 = write_text(&st.result, st.input_path, &view, &n2);
    CHECK(n1 == n2 && !memcmp(t1, t2, n1));
    free(t1);
    free(t2);
    pe_state_free(&st);
    CHECK(st.input_path == NULL && st.result.triangles == NULL && st.option_count == 0);
    pe_state_free(&st); /* twice is fine: zeroed */
    unlink(path);
    free_result(&res);
}

static void state_round_trips_edge_cases(void)
{
    /* no triangles, transparent, no path, no options, a perfect fit (psnr = inf) */
    pe_result res = {
        .width = 1, .height = 1, .work_width = 1, .work_height = 1, .psnr = HUGE_VAL
    };
    size_t n;
    char *text = write_text(&res, NULL, NULL, &n);
    pe_state st;
    CHECK(pe_state_parse(text, n, &st) == PE_OK);
    check_same_result(&res, &st.result);
    CHECK(st.input_path == NULL && st.option_count == 0 && st.result.triangles == NULL);
    pe_state_free(&st);
    free(text);
}

/* Random float bit patterns (every exponent, subnormals, -0) survive the text. */
static void state_round_trips_random_floats(void)
{
    pe_result res = { .width = 100,
                      .height = 100,
                      .work_width = 100,
                      .work_height = 100,
                      .count = 5000,
                      .loss = 1.0 / 3.0,
                      .psnr = 4.7712125471966244 };
    res.triangles = calloc(res.count, sizeof *res.triangles);
    pe_rng rng;
    pe_rng_seed(&rng, 99, 0);
    for (size_t i = 0; i < res.count; i++)
        for (int k = 0; k < 6; k++) {
            float v;
            do {
                const uint32_t bits = pe_rng_u32(&rng);
                memcpy(&v, &bits, sizeof v);
            } while (!(v >= -264.0f && v <= 364.0f)); /* inside the margin, not NaN */
            (k < 3 ? res.triangles[i].x : res.triangles[i].y)[k % 3] = v;
        }
    size_t n;
    char *text = write_text(&res, "r", NULL, &n);
    pe_state st;
    CHECK(pe_state_parse(text, n, &st) == PE_OK);
    check_same_result(&res, &st.result);
    pe_state_free(&st);
    free(text);
    free(res.triangles);
}

static void state_writer_refuses_what_reader_would(void)
{
    pe_result res = awkward_result();
    const char *keys[] = { "k", "k" };
    const char *values[] = { "1", "2" };
    const pe_metadata dup = { keys, values, 2 };
    FILE *f = tmpfile();
    CHECK(pe_state_write(f, &res, "x", &dup) == PE_ERR_INVALID_ARG);
    res.triangles[3].y[1] = NAN;
    CHECK(pe_state_write(f, &res, "x", NULL) == PE_ERR_INVALID_ARG);
    res.triangles[3].y[1] = 500.0f; /* beyond the margin 45 + 2 * 45 + 64 */
    CHECK(pe_state_write(f, &res, "x", NULL) == PE_ERR_INVALID_ARG);
    res.triangles[3].y[1] = 1.0f;
    res.rounds_done = -1;
    CHECK(pe_state_write(f, &res, "x", NULL) == PE_ERR_INVALID_ARG);
    CHECK(ftell(f) == 0);
    fclose(f);
    free_result(&res);
}

static void state_read_reports_missing_file(void)
{
    pe_state st;
    CHECK(pe_state_read("/nonexistent/dir/state.json", &st) == PE_ERR_IO);
    CHECK(st.input_path == NULL && st.result.triangles == NULL);
    CHECK(pe_state_read("/tmp", &st) == PE_ERR_IO); /* a directory */
}

/* ---------------------------------------------------------------- rejection */

static pe_triangle small_tris[2] = {
    { { 0.5f, 2.75f, 1.0f }, { 0.25f, 1.0f, 4.5f }, 255, 128, 0, 128 },
    { { 2.0f, 5.5f, 4.125f }, { 1.0f, 0.333f, 4.9f }, 10, 200, 90, 200 },
};

static char *small_text(size_t *len)
{
    const pe_result res = { .width = 6,
                            .height = 5,
                            .work_width = 6,
                            .work_height = 5,
                            .background = { 16, 32, 48, 255 },
                            .triangles = small_tris,
                            .count = 2,
                            .loss = 0.25,
                            .psnr = 6.0,
                            .seed = 1 };
    const char *keys[] = { "triangles" };
    const char *values[] = { "2" };
    const pe_metadata opt = { keys, values, 1 };
    return write_text(&res, "in.png", &opt, len);
}

static bool rejected(const char *text, size_t len)
{
    pe_state st;
    memset(&st, 0xAB, sizeof st); /* must come back zeroed */
    const pe_status s = pe_state_parse(text, len, &st);
    const bool zeroed = !st.input_path && !st.result.triangles &&
                        !st.option_keys && st.option_count == 0;
    if (s == PE_OK)
        pe_state_free(&st);
    return s == PE_ERR_FORMAT && zeroed;
}

static void state_rejects_every_truncation(void)
{
    size_t len;
    char *text = small_text(&len);
    pe_state st;
    CHECK(pe_state_parse(text, len, &st) == PE_OK); /* the base text is fine */
    pe_state_free(&st);
    const size_t end = (size_t)(strrchr(text, '}') - text); /* past it is only whitespace */
    int bad = 0;
    for (size_t n = 0; n <= end; n++)
        if (!rejected(text, n)) {
            fprintf(stderr, "truncated at %zu of %zu: accepted\n", n, len);
            bad++;
        }
    CHECK(bad == 0);
    free(text);
}

static void state_rejects_malformed_files(void)
{
    size_t len;
    char *text = small_text(&len);
    /* each case: replace the first occurrence of `from` in the valid text by `to` */
    static const char *const cases[][2] = {
        /* identity and version */
        { "\"polyevolve-state\"", "\"polyevolve-stat\"" },
        { "\"polyevolve-state\"", "1" },
        { "\"version\": 2", "\"version\": 3" },
        { "\"version\": 2", "\"version\": 0" },
        { "\"version\": 2", "\"version\": \"2\"" },
        { "\"version\": 2", "\"version\": 1.5" },
        { "\"version\": 2,", "" },
        /* a version-1 layout (a leading tile index) in a version-2 file, and the reverse */
        { "[0.5, 0.25,", "[0, 0.5, 0.25," },
        { "\"version\": 2", "\"version\": 1" },
        /* input */
        { "\"width\": 6, \"height\": 5}", "\"width\": 0, \"height\": 5}" },
        { "\"width\": 6, \"height\": 5}", "\"width\": -6, \"height\": 5}" },
        { "\"width\": 6, \"height\": 5}", "\"width\": 6.5, \"height\": 5}" },
        { "\"width\": 6, \"height\": 5}", "\"width\": 20000, \"height\": 20000}" },
        { "\"width\": 6, \"height\": 5}", "\"width\": 1e400, \"height\": 5}" },
        { "\"width\": 6, \"height\": 5}", "\"width\": \"6\", \"height\": 5}" },
        { "\"path\": \"in.png\"", "\"path\": 7" },
        { "\"input\": {", "\"inputs\": {" },
        /* options */
        { "\"triangles\": \"2\"", "\"triangles\": 2" },
        { "\"triangles\": \"2\"", "\"triangles\": \"2\", \"triangles\": \"3\"" },
        { "\"options\": {", "\"options\": [{" },
        /* uint64 as strings */
        { "\"seed\": \"1\"", "\"seed\": 1" },
        { "\"seed\": \"1\"", "\"seed\": \"-1\"" },
        { "\"seed\": \"1\"", "\"seed\": \"01\"" },
        { "\"seed\": \"1\"", "\"seed\": \"\"" },
        { "\"seed\": \"1\"", "\"seed\": \"1x\"" },
        { "\"seed\": \"1\"", "\"seed\": \"18446744073709551616\"" },
        { "\"iterations\": \"0\"", "\"iterations\": null" },
        { "\"evaluations\": \"0\"", "\"evaluations\": \"1e3\"" },
        /* work size */
        { "\"work\": {\"width\": 6", "\"work\": {\"width\": 0" },
        /* background */
        { "[16, 32, 48, 255]", "[16, 32, 48]" },
        { "[16, 32, 48, 255]", "[16, 32, 48, 256]" },
        { "[16, 32, 48, 255]", "[16, 32, -48, 255]" },
        { "[16, 32, 48, 255]", "[16, 32, 48.5, 255]" },
        /* triangles */
        { "[0.5, 0.25,", "[\"0.5\", 0.25," },
        { "[0.5, 0.25,", "[[0.5], 0.25," },
        { "0.5, 0.25", "\"NaN\", 0.25" },
        { "0.5, 0.25", "NaN, 0.25" },
        { "0.5, 0.25", "Infinity, 0.25" },
        { "0.5, 0.25", "1e400, 0.25" },
        { "0.5, 0.25", "-1e400, 0.25" },
        { "0.5, 0.25", "1e30, 0.25" },
        { "0.5, 0.25", "83, 0.25" }, /* the margin is [-(2*6+64), 6 + 2*6+64] = [-76, 82] */
        { "0.5, 0.25", "-77, 0.25" },
        { "0.5, 0.25", "null, 0.25" },
        { "255, 128, 0, 128]", "256, 128, 0, 128]" },
        { "255, 128, 0, 128]", "255, 128, 0, -1]" },
        { "255, 128, 0, 128]", "255, 128, 0]" },
        { "255, 128, 0, 128]", "255, 128, 0, 128, 1]" },
        { "\"triangles\": [", "\"triangles\": {" },
        { "\"triangles\": [\n", "\"triangles\": [\n    7,\n" },
        /* figures */
        { "\"loss\": 0.25", "\"loss\": -1" },
        { "\"loss\": 0.25", "\"loss\": 2" },
        { "\"loss\": 0.25", "\"loss\": \"0.25\"" },
        { "\"psnr\": 6", "\"psnr\": 1e400" },
        { "\"psnr\": 6", "\"psnr\": \"inf\"" },
        { "\"rounds_done\": 0", "\"rounds_done\": -1" },
        { ",\n  \"rounds_done\": 0", "" },
        /* the whole document */
        { "{\n", "[\n" },
        { "\n}\n", "\n}\n}" },
        { "\n}\n", "\n} x" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *at = strstr(text, cases[i][0]);
        if (!at) {
            fprintf(stderr, "case %zu: \"%s\" not in the base text\n", i, cases[i][0]);
            CHECK(!"case does not apply");
            continue;
        }
        const size_t head = (size_t)(at - text), fn = strlen(cases[i][0]), tn = strlen(cases[i][1]);
        char *bad = malloc(len - fn + tn + 1);
        memcpy(bad, text, head);
        memcpy(bad + head, cases[i][1], tn);
        memcpy(bad + head + tn, at + fn, len - head - fn + 1);
        if (!rejected(bad, len - fn + tn)) {
            fprintf(stderr, "case %zu (%s -> %s) accepted\n", i, cases[i][0], cases[i][1]);
            CHECK(!"malformed state accepted");
        }
        free(bad);
    }
    free(text);
}

static void state_rejects_odd_documents(void)
{
    static const char *const docs[] = { "",
                                        " ",
                                        "null",
                                        "[]",
                                        "{}",
                                        "\"polyevolve-state\"",
                                        "{\"format\": \"polyevolve-state\"}",
                                        "{\"format\": \"polyevolve-state\", \"version\": 1}",
                                        "{\"format\": \"polyevolve-state\", \"version\": 1," };
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++)
        CHECK(rejected(docs[i], strlen(docs[i])));
    /* an embedded NUL: cJSON would stop there and accept the prefix */
    size_t len;
    char *text = small_text(&len);
    char *with_nul = malloc(len + 8);
    memcpy(with_nul, text, len);
    memcpy(with_nul + len, "\0{}", 3);
    CHECK(rejected(with_nul, len + 3));
    CHECK(!rejected(with_nul, len));
    /* deep nesting must not overflow the stack */
    const size_t depth = 100000;
    char *deep = malloc(depth + 1);
    memset(deep, '[', depth);
    CHECK(rejected(deep, depth));
    free(deep);
    free(with_nul);
    free(text);
}

/* ---------------------------------------------------------------- reasons and budgets */

/* text with the first `from` replaced by `to` (malloc'd), or NULL when from is absent */
static char *edited(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    if (!at)
        return NULL;
    const size_t head = (size_t)(at - text), fn = strlen(from), tn = strlen(to);
    char *out = malloc(strlen(text) - fn + tn + 1);
    memcpy(out, text, head);
    memcpy(out + head, to, tn);
    strcpy(out + head + tn, at + fn);
    return out;
}

/* pe_state_parse_ex on text edited so: PE_ERR_FORMAT with `needle` in the reason */
static bool refused_naming(const char *text, const char *from, const char *to, const char *needle)
{
    char *bad = edited(text, from, to);
    if (!bad)
        return false;
    char why[PE_STATE_WHY_LEN];
    pe_state st;
    const pe_status s = pe_state_parse_ex(bad, strlen(bad), &st, why, sizeof why);
    if (s == PE_OK)
        pe_state_free(&st);
    free(bad);
    if (s != PE_ERR_FORMAT || !strstr(why, needle)) {
        fprintf(stderr, "%s -> %s: status %d, why \"%s\", wanted \"%s\"\n", from, to, s, why, needle);
        return false;
    }
    return true;
}

static void state_reader_names_the_field(void)
{
    size_t len;
    char *text = small_text(&len);
    CHECK(refused_naming(text, "\"rounds_done\": 0", "\"rounds_done\": 2147483647", "rounds_done"));
    CHECK(refused_naming(text, "\"version\": 2", "\"version\": 3", "version"));
    CHECK(refused_naming(text, "\"seed\": \"1\"", "\"seed\": 1", "seed"));
    CHECK(refused_naming(text, "[2, 1", "[2, [1]", "triangles[1][1]"));
    CHECK(refused_naming(text, "255, 128, 0, 128]", "255, 128, 0, 256]", "triangles[0][9]"));
    CHECK(refused_naming(text, "\"loss\": 0.25", "\"loss\": 2", "loss"));
    CHECK(refused_naming(text, "\"background\": [16", "\"background\": [16, 1", "background"));
    CHECK(refused_naming(text, "\"polyevolve-state\"", "\"x\"", "format"));
    free(text);
}

/* ---------------------------------------------------------------- version 1 */

/* small_text as the tiled versions wrote it: a 2x1 grid, its tiles, and each triangle's tile
 * index in front. */
static const char v1_text[] =
    "{\n  \"format\": \"polyevolve-state\",\n  \"version\": 1,\n"
    "  \"input\": {\"path\": \"in.png\", \"width\": 6, \"height\": 5},\n"
    "  \"options\": {\n    \"triangles\": \"2\"\n  },\n  \"seed\": \"1\",\n"
    "  \"work\": {\"width\": 6, \"height\": 5},\n  \"grid\": {\"cols\": 2, \"rows\": 1},\n"
    "  \"tiles\": [\n    [0, 0, 3, 5],\n    [3, 0, 6, 5]\n  ],\n"
    "  \"background\": [16, 32, 48, 255],\n  \"triangles\": [\n"
    "    [0, 0.5, 0.25, 2.75, 1, 1, 4.5, 255, 128, 0, 128],\n"
    "    [1, 2, 1, 5.5, 0.333, 4.125, 4.9, 10, 200, 90, 200]\n  ],\n"
    "  \"loss\": 0.25,\n  \"psnr\": 6,\n  \"iterations\": \"0\",\n"
    "  \"evaluations\": \"0\",\n  \"rounds_done\": 0\n}\n";

/* A file of the tiled versions reads as the same result (its grid, tiles and tile indices
 * ignored) and draws the same; written again, it is version 2. */
static void state_reads_version_1_files(void)
{
    size_t len;
    char *text = small_text(&len);
    CHECK(strstr(text, "\"version\": 2") && !strstr(text, "tiles") && !strstr(text, "grid"));
    pe_state now, old;
    CHECK(pe_state_parse(text, len, &now) == PE_OK && now.version == 2);
    CHECK(pe_state_parse(v1_text, strlen(v1_text), &old) == PE_OK && old.version == 1);
    check_same_result(&now.result, &old.result);
    check_same_render(&now.result, &old.result, 0);
    const pe_metadata view = pe_state_options(&old);
    size_t n2;
    char *again = write_text(&old.result, old.input_path, &view, &n2);
    CHECK(n2 == len && !memcmp(again, text, len));
    free(again);
    pe_state_free(&old);
    /* the old fields are ignored, also when absent or out of date */
    char *no_grid = edited(v1_text, "\"grid\": {\"cols\": 2, \"rows\": 1},", "");
    CHECK(no_grid && pe_state_parse(no_grid, strlen(no_grid), &old) == PE_OK);
    check_same_result(&now.result, &old.result);
    pe_state_free(&old);
    free(no_grid);
    char *other_tiles = edited(v1_text, "[0, 0, 3, 5]", "[0, 0, 3, 50]");
    CHECK(other_tiles && pe_state_parse(other_tiles, strlen(other_tiles), &old) == PE_OK);
    pe_state_free(&old);
    free(other_tiles);
    /* a large grid of an old -r 0 run has a budget of its own (5 values a tile) */
    const size_t tiles = 20000;
    char *grid = malloc(tiles * 16 + 32), *p = grid + sprintf(grid, "\"tiles\": [");
    for (size_t i = 0; i < tiles; i++)
        p += sprintf(p, i ? ",[0,0,1,1]" : "[0,0,1,1]");
    strcpy(p, "],\n  \"background\"");
    char *big = edited(v1_text, "\"background\"", grid);
    CHECK(big && pe_state_parse(big, strlen(big), &old) == PE_OK);
    pe_state_free(&old);
    free(big);
    free(grid);
    /* the tile index must still be one: the layout is checked, not trusted */
    static const char *const bad_index[] = { "[-1, 0.5,", "[0.5, 0.5,", "[\"0\", 0.5,", "[0.5," };
    for (size_t i = 0; i < sizeof bad_index / sizeof *bad_index; i++) {
        char *bad = edited(v1_text, "[0, 0.5,", bad_index[i]);
        CHECK(bad && rejected(bad, strlen(bad)));
        free(bad);
    }
    CHECK(refused_naming(v1_text, "[1, 2, 1", "[1, 2, [1]", "triangles[1][2]"));
    pe_state_free(&now);
    free(text);
}

/* What the reader builds stays proportional to what it keeps: an ignored field may hold a few
 * values (a later version's), not millions; the triangles are read one at a time, also when
 * their field is written with escapes (then from the tree, within the same budget). */
static void state_reader_budgets(void)
{
    size_t len;
    char *text = small_text(&len);
    const size_t n = 70000;
    char *big = malloc(n * 2 + 64), *p = big + sprintf(big, "\"junk\": [");
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, i ? ",0" : "0");
    strcpy(p, "],\n  \"seed\"");
    CHECK(refused_naming(text, "\"seed\"", big, "\"junk\""));
    free(big);
    /* a few ignored values are fine (forward compatibility) */
    char *small = edited(text, "\"seed\"", "\"later\": [1, 2, {\"a\": [3]}],\n  \"seed\"");
    pe_state st, ref;
    CHECK(small && pe_state_parse(small, strlen(small), &st) == PE_OK);
    CHECK(pe_state_parse(text, len, &ref) == PE_OK);
    check_same_result(&ref.result, &st.result);
    pe_state_free(&st);
    free(small);
    /* the triangles' name written with an escape: cJSON reads it as "triangles" */
    char *esc = edited(text, "\"triangles\": [", "\"tri\\u0061ngles\": [");
    CHECK(esc && pe_state_parse(esc, strlen(esc), &st) == PE_OK);
    check_same_result(&ref.result, &st.result);
    pe_state_free(&st);
    free(esc);
    /* two "triangles" members: the first one counts, as for every other field */
    char *two = edited(text, "\"loss\"", "\"triangles\": [[5]],\n  \"loss\"");
    CHECK(two && pe_state_parse(two, strlen(two), &st) == PE_OK);
    check_same_result(&ref.result, &st.result);
    pe_state_free(&st);
    free(two);
    char *first_bad = edited(text, "\"options\"", "\"triangles\": 3,\n  \"options\"");
    CHECK(first_bad && rejected(first_bad, strlen(first_bad)));
    free(first_bad);
    pe_state_free(&ref);
    free(text);
}

int main(int argc, char **argv)
{
    TEST_MAIN_BEGIN(argc, argv);
    RUN(state_round_trips_every_field);
    RUN(state_round_trips_edge_cases);
    RUN(state_round_trips_random_floats);
    RUN(state_writer_refuses_what_reader_would);
    RUN(state_read_reports_missing_file);
    RUN(state_rejects_every_truncation);
    RUN(state_rejects_malformed_files);
    RUN(state_rejects_odd_documents);
    RUN(state_reader_names_the_field);
    RUN(state_reader_budgets);
    RUN(state_reads_version_1_files);
    TEST_MAIN_END();
}
