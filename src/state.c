/* state: the state file (docs/state-format.md), written by hand for a stable layout and read
 * with cJSON; plus the checks on a pe_result that the writers share. */
#include "state.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Limits of the reader (and, through pe_state_check(strict), of the writer). They are far
 * above anything pe_approximate makes; they exist so that a hostile file cannot make us
 * allocate or loop without bound. */
#define MAX_PIXELS     100000000.0 /* width * height, input and working size */
#define MAX_TILES      65536       /* tile_cols * tile_rows */
#define MAX_TRIANGLES  (1u << 24)
#define MAX_OPTIONS    4096
#define MAX_FILE_BYTES (1u << 30)
#define MAX_PSNR       1e4  /* the PSNR of the smallest positive double loss is ~3233 */
#define LOOSE_COORD    1e7  /* the writers' bound: keeps printed numbers small */
#define TILE_SLACK     1e-6 /* px a tile edge may stray outside the image */

/* ---------------------------------------------------------------- checks */

static bool in_range(double v, double lo, double hi)
{
    return v >= lo && v <= hi; /* false for NaN */
}

static bool size_ok(int w, int h, bool strict)
{
    if (w < 1 || h < 1)
        return false;
    return !strict || (double)w * (double)h <= MAX_PIXELS;
}

static bool tile_ok(const pe_rect *t, const pe_result *res, bool strict)
{
    /* Inside the image, give or take TILE_SLACK: tiles are scaled from the working size
     * (x1 = w * (W / w)), which can land a rounding error past W. */
    const double e = TILE_SLACK;
    if (strict)
        return in_range(t->x0, -e, res->width + e) && in_range(t->x1, -e, res->width + e) &&
               in_range(t->y0, -e, res->height + e) && in_range(t->y1, -e, res->height + e) &&
               t->x0 < t->x1 && t->y0 < t->y1;
    return in_range(t->x0, -LOOSE_COORD, LOOSE_COORD) &&
           in_range(t->x1, -LOOSE_COORD, LOOSE_COORD) &&
           in_range(t->y0, -LOOSE_COORD, LOOSE_COORD) &&
           in_range(t->y1, -LOOSE_COORD, LOOSE_COORD) && t->x0 < t->x1 && t->y0 < t->y1;
}

static bool triangle_ok(const pe_triangle *t, const pe_result *res, size_t n_tiles, bool strict)
{
    if (t->tile < 0 || (size_t)t->tile >= n_tiles)
        return false;
    /* strict: a margin of 2 * size + 64 around the image, generous for any optimiser bound */
    const double mx = strict ? 2.0 * res->width + 64.0 : LOOSE_COORD;
    const double my = strict ? 2.0 * res->height + 64.0 : LOOSE_COORD;
    const double wx = strict ? res->width : 0.0, wy = strict ? res->height : 0.0;
    for (int k = 0; k < 3; k++)
        if (!in_range((double)t->x[k], -mx, wx + mx) || !in_range((double)t->y[k], -my, wy + my))
            return false;
    return true;
}

pe_status pe_state_check(const pe_result *res, bool strict)
{
    if (!size_ok(res->width, res->height, strict) || res->tile_cols < 1 || res->tile_rows < 1 ||
        res->tile_cols > MAX_TILES || res->tile_rows > MAX_TILES || !res->tiles)
        return PE_ERR_INVALID_ARG;
    const size_t n_tiles = (size_t)res->tile_cols * (size_t)res->tile_rows;
    if (n_tiles > MAX_TILES || (res->count > 0 && !res->triangles))
        return PE_ERR_INVALID_ARG;
    if (strict) {
        if (!size_ok(res->work_width, res->work_height, true) || res->count > MAX_TRIANGLES ||
            !in_range(res->loss, 0.0, 1.0) || res->rounds_done < 0 ||
            !(in_range(res->psnr, -MAX_PSNR, MAX_PSNR) || res->psnr == HUGE_VAL))
            return PE_ERR_INVALID_ARG;
    }
    for (size_t i = 0; i < n_tiles; i++)
        if (!tile_ok(&res->tiles[i], res, strict))
            return PE_ERR_INVALID_ARG;
    for (size_t i = 0; i < res->count; i++)
        if (!triangle_ok(&res->triangles[i], res, n_tiles, strict))
            return PE_ERR_INVALID_ARG;
    return PE_OK;
}

bool pe_state_inside_tile(const pe_triangle *t, const pe_rect *tile)
{
    for (int k = 0; k < 3; k++) {
        const double x = (double)t->x[k], y = (double)t->y[k];
        if (!(x >= tile->x0 && x <= tile->x1 && y >= tile->y0 && y <= tile->y1))
            return false;
    }
    return true; /* a triangle is convex: its vertices inside means all of it inside */
}

/* ---------------------------------------------------------------- writing */

/* The shortest %.*g (from min_digits up to max_digits) that strtod reads back to v, rounded
 * to a float when is_float; max_digits (9 for float, 17 for double) always round-trips.
 * Then '.' whatever LC_NUMERIC says: the library never sets the locale, its caller may have
 * (strtod above reads in the same locale, so the check is consistent). Whatever snprintf put
 * between the digits that is not a sign or an exponent is the locale's decimal point
 * (possibly several bytes): replace it by '.'. */
static void format_number(char *buf, size_t size, double v, bool is_float)
{
    const int max_digits = is_float ? 9 : 17;
    for (int digits = is_float ? 6 : 15; digits <= max_digits; digits++) {
        snprintf(buf, size, "%.*g", digits, v);
        const double back = strtod(buf, NULL);
        if (is_float ? (float)back == (float)v && signbit(back) == signbit(v) : back == v)
            break; /* -0 prints as "-0": the sign check is only a guard */
    }
    char *p = buf;
    while (*p && strchr("0123456789+-eE", *p))
        p++;
    if (!*p)
        return;
    char *q = p;
    while (*q && !strchr("0123456789+-eE", *q))
        q++;
    *p = '.';
    memmove(p + 1, q, strlen(q) + 1);
}

static void write_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", f);
        else if (*p == '\t')
            fputs("\\t", f);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f); /* UTF-8 passes through; JSON text is UTF-8 */
    }
    fputc('"', f);
}

/* Floats and doubles in as few digits as read back to the same bits. */
static void write_float(FILE *f, float v)
{
    char buf[48];
    format_number(buf, sizeof buf, (double)v, true);
    fputs(buf, f);
}

static void write_double(FILE *f, double v)
{
    char buf[48];
    format_number(buf, sizeof buf, v, false);
    fputs(buf, f);
}

static bool keys_unique(const pe_metadata *m)
{
    for (size_t i = 0; i < m->count; i++) {
        if (!m->keys[i] || !m->values[i])
            return false;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(m->keys[i], m->keys[j]))
                return false;
    }
    return true;
}

static void write_options(FILE *f, const pe_metadata *options)
{
    const size_t n = options ? options->count : 0;
    fputs("  \"options\": {", f);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ",\n    " : "\n    ", f);
        write_string(f, options->keys[i]);
        fputs(": ", f);
        write_string(f, options->values[i]);
    }
    fputs(n ? "\n  },\n" : "},\n", f);
}

static void write_tiles(FILE *f, const pe_result *res)
{
    const size_t n = (size_t)res->tile_cols * (size_t)res->tile_rows;
    fputs("  \"tiles\": [", f);
    for (size_t i = 0; i < n; i++) {
        const pe_rect *t = &res->tiles[i];
        fputs(i ? ",\n    [" : "\n    [", f);
        write_double(f, t->x0);
        fputs(", ", f);
        write_double(f, t->y0);
        fputs(", ", f);
        write_double(f, t->x1);
        fputs(", ", f);
        write_double(f, t->y1);
        fputc(']', f);
    }
    fputs("\n  ],\n", f);
}

static void write_triangles(FILE *f, const pe_result *res)
{
    fputs("  \"triangles\": [", f);
    for (size_t i = 0; i < res->count; i++) {
        const pe_triangle *t = &res->triangles[i];
        fprintf(f, "%s[%d", i ? ",\n    " : "\n    ", t->tile);
        for (int k = 0; k < 3; k++) {
            fputs(", ", f);
            write_float(f, t->x[k]);
            fputs(", ", f);
            write_float(f, t->y[k]);
        }
        fprintf(f, ", %d, %d, %d, %d]", t->r, t->g, t->b, t->a);
    }
    fputs(res->count ? "\n  ],\n" : "],\n", f);
}

pe_status pe_state_write(FILE *f, const pe_result *res, const char *input_path,
                         const pe_metadata *options)
{
    if (pe_state_check(res, true) != PE_OK)
        return PE_ERR_INVALID_ARG;
    /* duplicate keys would make a file the reader refuses; say so now, not at resume time */
    if (options && (options->count > MAX_OPTIONS || !keys_unique(options)))
        return PE_ERR_INVALID_ARG;

    fprintf(f, "{\n  \"format\": \"%s\",\n  \"version\": %d,\n  \"input\": {\"path\": ",
            PE_STATE_FORMAT, PE_STATE_VERSION);
    if (input_path)
        write_string(f, input_path);
    else
        fputs("null", f);
    fprintf(f, ", \"width\": %d, \"height\": %d},\n", res->width, res->height);
    write_options(f, options);
    /* uint64 as decimal strings: cJSON keeps numbers as doubles, exact only up to 2^53 */
    fprintf(f, "  \"seed\": \"%" PRIu64 "\",\n", res->seed);
    fprintf(f, "  \"work\": {\"width\": %d, \"height\": %d},\n", res->work_width, res->work_height);
    fprintf(f, "  \"grid\": {\"cols\": %d, \"rows\": %d},\n", res->tile_cols, res->tile_rows);
    write_tiles(f, res);
    fprintf(f, "  \"background\": [%d, %d, %d, %d],\n", res->background[0], res->background[1],
            res->background[2], res->background[3]);
    write_triangles(f, res);
    fputs("  \"loss\": ", f);
    write_double(f, res->loss);
    fputs(",\n  \"psnr\": ", f);
    if (res->psnr == HUGE_VAL)
        fputs("null", f); /* a perfect fit (loss 0); JSON has no infinity */
    else
        write_double(f, res->psnr);
    fprintf(f, ",\n  \"iterations\": \"%" PRIu64 "\",\n  \"evaluations\": \"%" PRIu64 "\",\n",
            res->iterations, res->evaluations);
    fprintf(f, "  \"rounds_done\": %d\n}\n", res->rounds_done);
    return ferror(f) ? PE_ERR_IO : PE_OK;
}

/* ---------------------------------------------------------------- reading */

/* The readers below return false for a missing item, a wrong type or a value out of range;
 * every such case is PE_ERR_FORMAT to the caller. */

static const cJSON *field(const cJSON *obj, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(obj, name); /* NULL-safe */
}

static bool get_number(const cJSON *item, double lo, double hi, double *out)
{
    if (!cJSON_IsNumber(item) || !in_range(item->valuedouble, lo, hi))
        return false;
    *out = item->valuedouble;
    return true;
}

static bool get_int(const cJSON *item, int lo, int hi, int *out)
{
    double v;
    if (!get_number(item, lo, hi, &v) || v != floor(v))
        return false;
    *out = (int)v;
    return true;
}

/* Canonical decimal: 1-20 digits, no sign, no leading zero, at most UINT64_MAX. */
static bool get_u64(const cJSON *item, uint64_t *out)
{
    if (!cJSON_IsString(item))
        return false;
    const char *s = item->valuestring;
    const size_t n = strlen(s);
    if (n == 0 || n > 20 || (s[0] == '0' && n > 1))
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        const uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

static bool get_size(const cJSON *obj, const char *a, const char *b, int *x, int *y)
{
    return cJSON_IsObject(obj) && get_int(field(obj, a), 1, INT_MAX, x) &&
           get_int(field(obj, b), 1, INT_MAX, y);
}

/* A JSON array of exactly n items. */
static bool is_array_of(const cJSON *item, int n)
{
    return cJSON_IsArray(item) && cJSON_GetArraySize(item) == n;
}

static char *dup_string(const char *s)
{
    const size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static pe_status read_input(const cJSON *root, pe_state *st)
{
    const cJSON *in = field(root, "input");
    if (!get_size(in, "width", "height", &st->result.width, &st->result.height))
        return PE_ERR_FORMAT;
    const cJSON *path = field(in, "path");
    if (cJSON_IsNull(path))
        return PE_OK;
    if (!cJSON_IsString(path))
        return PE_ERR_FORMAT;
    st->input_path = dup_string(path->valuestring);
    return st->input_path ? PE_OK : PE_ERR_NOMEM;
}

static pe_status read_options(const cJSON *root, pe_state *st)
{
    const cJSON *opts = field(root, "options");
    if (!cJSON_IsObject(opts))
        return PE_ERR_FORMAT;
    const int n = cJSON_GetArraySize(opts);
    if (n > MAX_OPTIONS)
        return PE_ERR_FORMAT;
    if (n == 0)
        return PE_OK;
    st->option_keys = calloc((size_t)n, sizeof *st->option_keys);
    st->option_values = calloc((size_t)n, sizeof *st->option_values);
    if (!st->option_keys || !st->option_values)
        return PE_ERR_NOMEM;
    for (const cJSON *it = opts->child; it; it = it->next) {
        if (!cJSON_IsString(it) || !it->string)
            return PE_ERR_FORMAT;
        for (size_t j = 0; j < st->option_count; j++)
            if (!strcmp(st->option_keys[j], it->string))
                return PE_ERR_FORMAT; /* a duplicate key: which one would be meant? */
        const size_t i = st->option_count++;
        st->option_keys[i] = dup_string(it->string);
        st->option_values[i] = dup_string(it->valuestring);
        if (!st->option_keys[i] || !st->option_values[i])
            return PE_ERR_NOMEM;
    }
    return PE_OK;
}

static pe_status read_tiles(const cJSON *root, pe_result *res)
{
    const cJSON *grid = field(root, "grid");
    if (!get_size(grid, "cols", "rows", &res->tile_cols, &res->tile_rows) ||
        res->tile_cols > MAX_TILES || res->tile_rows > MAX_TILES)
        return PE_ERR_FORMAT;
    const size_t n = (size_t)res->tile_cols * (size_t)res->tile_rows;
    const cJSON *tiles = field(root, "tiles");
    if (n > MAX_TILES || !is_array_of(tiles, (int)n))
        return PE_ERR_FORMAT;
    res->tiles = calloc(n, sizeof *res->tiles);
    if (!res->tiles)
        return PE_ERR_NOMEM;
    size_t i = 0;
    for (const cJSON *t = tiles->child; t; t = t->next, i++) {
        double v[4];
        if (!is_array_of(t, 4))
            return PE_ERR_FORMAT;
        int k = 0;
        for (const cJSON *c = t->child; c; c = c->next, k++)
            if (!get_number(c, 0.0, (double)INT_MAX, &v[k]))
                return PE_ERR_FORMAT;
        res->tiles[i] = (pe_rect){ v[0], v[1], v[2], v[3] };
    }
    return PE_OK;
}

static bool read_triangle(const cJSON *item, pe_triangle *t)
{
    if (!is_array_of(item, 11))
        return false;
    const cJSON *c = item->child;
    int tile;
    if (!get_int(c, 0, MAX_TILES - 1, &tile))
        return false;
    t->tile = tile;
    for (int k = 0; k < 3; k++) {
        double x, y;
        /* range-check before the conversion: a double beyond FLT_MAX is UB as a float;
         * pe_state_check applies the real, image-relative bound afterwards */
        c = c->next;
        if (!get_number(c, -LOOSE_COORD, LOOSE_COORD, &x))
            return false;
        c = c->next;
        if (!get_number(c, -LOOSE_COORD, LOOSE_COORD, &y))
            return false;
        t->x[k] = (float)x;
        t->y[k] = (float)y;
    }
    unsigned char *rgba[4] = { &t->r, &t->g, &t->b, &t->a };
    for (int k = 0; k < 4; k++) {
        int v;
        c = c->next;
        if (!get_int(c, 0, 255, &v))
            return false;
        *rgba[k] = (unsigned char)v;
    }
    return true;
}

static pe_status read_triangles(const cJSON *root, pe_result *res)
{
    const cJSON *tris = field(root, "triangles");
    if (!cJSON_IsArray(tris))
        return PE_ERR_FORMAT;
    const int n = cJSON_GetArraySize(tris);
    if (n < 0 || (unsigned)n > MAX_TRIANGLES)
        return PE_ERR_FORMAT;
    if (n == 0)
        return PE_OK;
    res->triangles = calloc((size_t)n, sizeof *res->triangles);
    if (!res->triangles)
        return PE_ERR_NOMEM;
    for (const cJSON *t = tris->child; t; t = t->next, res->count++)
        if (!read_triangle(t, &res->triangles[res->count]))
            return PE_ERR_FORMAT;
    return PE_OK;
}

static bool read_background(const cJSON *root, pe_result *res)
{
    const cJSON *bg = field(root, "background");
    if (!is_array_of(bg, 4))
        return false;
    int k = 0;
    for (const cJSON *c = bg->child; c; c = c->next, k++) {
        int v;
        if (!get_int(c, 0, 255, &v))
            return false;
        res->background[k] = (unsigned char)v;
    }
    return true;
}

static bool read_figures(const cJSON *root, pe_result *res)
{
    const cJSON *psnr = field(root, "psnr");
    if (cJSON_IsNull(psnr))
        res->psnr = HUGE_VAL;
    else if (!get_number(psnr, -MAX_PSNR, MAX_PSNR, &res->psnr))
        return false;
    return get_number(field(root, "loss"), 0.0, 1.0, &res->loss) &&
           get_u64(field(root, "seed"), &res->seed) &&
           get_u64(field(root, "iterations"), &res->iterations) &&
           get_u64(field(root, "evaluations"), &res->evaluations) &&
           get_int(field(root, "rounds_done"), 0, INT_MAX, &res->rounds_done);
}

static pe_status read_root(const cJSON *root, pe_state *st)
{
    if (!cJSON_IsObject(root))
        return PE_ERR_FORMAT;
    const cJSON *format = field(root, "format");
    if (!cJSON_IsString(format) || strcmp(format->valuestring, PE_STATE_FORMAT) ||
        !get_int(field(root, "version"), PE_STATE_VERSION, PE_STATE_VERSION, &st->version))
        return PE_ERR_FORMAT;
    pe_result *res = &st->result;
    pe_status s;
    if ((s = read_input(root, st)) != PE_OK || (s = read_options(root, st)) != PE_OK ||
        (s = read_tiles(root, res)) != PE_OK || (s = read_triangles(root, res)) != PE_OK)
        return s;
    if (!get_size(field(root, "work"), "width", "height", &res->work_width, &res->work_height) ||
        !read_background(root, res) || !read_figures(root, res))
        return PE_ERR_FORMAT;
    /* the relations between fields: sizes, tiles inside the image, vertices near it, ... */
    return pe_state_check(res, true) == PE_OK ? PE_OK : PE_ERR_FORMAT;
}

pe_status pe_state_parse(const char *text, size_t len, pe_state *out)
{
    memset(out, 0, sizeof *out);
    /* cJSON wants a NUL-terminated string; an embedded NUL would silently cut the text */
    if (len > MAX_FILE_BYTES || (len > 0 && memchr(text, 0, len)))
        return PE_ERR_FORMAT;
    char *copy = malloc(len + 1);
    if (!copy)
        return PE_ERR_NOMEM;
    if (len > 0)
        memcpy(copy, text, len);
    copy[len] = '\0';
    cJSON *root = cJSON_ParseWithOpts(copy, NULL, true);
    const pe_status s = root ? read_root(root, out) : PE_ERR_FORMAT;
    cJSON_Delete(root);
    free(copy);
    if (s != PE_OK)
        pe_state_free(out);
    return s;
}

pe_status pe_state_read(const char *path, pe_state *out)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f)
        return PE_ERR_IO;
    pe_status s = PE_OK;
    size_t len = 0, cap = 0;
    char *buf = NULL;
    for (;;) {
        if (len == cap) {
            if (cap >= MAX_FILE_BYTES) {
                s = PE_ERR_FORMAT; /* no state file is this large */
                goto done;
            }
            cap = cap ? 2 * cap : 65536;
            char *bigger = realloc(buf, cap);
            if (!bigger) {
                s = PE_ERR_NOMEM;
                goto done;
            }
            buf = bigger;
        }
        const size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        s = PE_ERR_IO;
        goto done;
    }
    s = pe_state_parse(buf, len, out);
done:
    free(buf);
    fclose(f);
    return s;
}

pe_metadata pe_state_options(const pe_state *st)
{
    return (pe_metadata){ .keys = (const char *const *)st->option_keys,
                          .values = (const char *const *)st->option_values,
                          .count = st->option_count };
}

void pe_state_free(pe_state *st)
{
    if (!st)
        return;
    pe_result_free(&st->result);
    for (size_t i = 0; i < st->option_count; i++) {
        free(st->option_keys[i]);
        free(st->option_values[i]);
    }
    free(st->option_keys);
    free(st->option_values);
    free(st->input_path);
    memset(st, 0, sizeof *st);
}
