/* state_read: the state file reader (docs/state-format.md), with cJSON, in memory proportional
 * to what the file holds for us.
 *
 * Why not simply cJSON_Parse the whole text: cJSON spends a 64-byte node on every JSON value,
 * so a file of numbers in a field we ignore costs tens of times its size (docs/benchmarks.md,
 * "Memory"), and even the triangles we do read cost 11 nodes (704 bytes) each against 28 bytes
 * as pe_triangle. So a first pass (scan)
 * walks the text without building anything: it finds the "triangles" array and counts the
 * values of every other field against fixed budgets; then cJSON parses the text with the
 * triangles blanked out (a small tree), and each triangle is parsed on its own and dropped.
 *
 * Every refusal says which field and why, in the caller's why buffer.
 *
 * Version 1 files (written before the tile grid was removed) are read too: their "grid" and
 * "tiles" are ignored like any unknown field, and each triangle's leading tile index is
 * checked to be an index and dropped. */
#include "state.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Values allowed outside "triangles", "options" and a version-1 file's "tiles" (which have
 * budgets of their own): the known fields need about 30, the rest is room for fields a later
 * version may add, which this one ignores. */
#define MAX_OTHER_VALUES 65536
#define MAX_DEPTH        CJSON_NESTING_LIMIT

/* Bytes as well as values: one long string is one value, and cJSON holds it about three times
 * over (docs/benchmarks.md, "Memory"). Outside the triangles: 4096 options of up to two paths each,
 * 65536 tiles of five numbers, with room to spare; inside: one triangle is 11 numbers. */
#define MAX_OTHER_BYTES    ((size_t)64 << 20)
#define MAX_TRIANGLE_BYTES 4096

typedef struct reader {
    char *why;
    size_t why_len;
    int version; /* of the file, once read: a triangle's layout depends on it */
} reader;

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 2, 3)))
#endif
static pe_status
bad(reader *r, const char *fmt, ...)
{
    if (r->why && r->why_len && !r->why[0]) { /* the first reason is the one that matters */
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->why, r->why_len, fmt, ap);
        va_end(ap);
    }
    return PE_ERR_FORMAT;
}

/* ---------------------------------------------------------------- the scan */

static size_t skip_ws(const char *t, size_t n, size_t i)
{
    while (i < n && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r'))
        i++;
    return i;
}

/* The end of the value that starts at t[i] (no whitespace before it), counting every value in
 * it into *count; 0 when it is malformed or nested deeper than cJSON accepts. Only the
 * structure is checked here: what the value says is cJSON's to judge later. */
static size_t skip_value(const char *t, size_t n, size_t i, int depth, uint64_t *count)
{
    if (i >= n || depth > MAX_DEPTH)
        return 0;
    (*count)++;
    if (t[i] == '"') {
        for (i++; i < n && t[i] != '"'; i++)
            if (t[i] == '\\')
                i++;
        return i < n ? i + 1 : 0;
    }
    if (t[i] != '[' && t[i] != '{') { /* number, true, false, null */
        const size_t start = i;
        while (i < n && !strchr(",]} \t\r\n", t[i]))
            i++;
        return i > start ? i : 0;
    }
    const char close = t[i] == '[' ? ']' : '}';
    const bool object = close == '}';
    i = skip_ws(t, n, i + 1);
    if (i < n && t[i] == close)
        return i + 1;
    for (;;) {
        if (object) {
            uint64_t key = 0;
            if (i >= n || t[i] != '"' || !(i = skip_value(t, n, i, depth + 1, &key)))
                return 0;
            i = skip_ws(t, n, i);
            if (i >= n || t[i] != ':')
                return 0;
            i = skip_ws(t, n, i + 1);
        }
        if (!(i = skip_value(t, n, i, depth + 1, count)))
            return 0;
        i = skip_ws(t, n, i);
        if (i < n && t[i] == close)
            return i + 1;
        if (i >= n || t[i] != ',')
            return 0;
        i = skip_ws(t, n, i + 1);
    }
}

typedef struct scan {
    size_t tri_at, tri_end; /* the "triangles" array: its '[' and one past its ']'; 0 = none */
    size_t triangles;       /* its elements */
    bool tri_seen;          /* a "triangles" member was met (cJSON uses the first) */
} scan;

static bool key_is(const char *t, size_t at, size_t end, const char *name)
{
    const size_t k = strlen(name);
    return end - at == k + 2 && !memcmp(t + at + 1, name, k);
}

/* The root object, member by member: each member's values against its budget. */
static pe_status scan_root(reader *r, const char *t, size_t n, scan *s)
{
    size_t i = skip_ws(t, n, 0);
    uint64_t other = 0, dummy = 0;
    size_t other_bytes = 0;
    if (i >= n || t[i] != '{')
        return bad(r, "not a JSON object (the file starts with neither '{' nor whitespace)");
    i = skip_ws(t, n, i + 1);
    while (i < n && t[i] != '}') {
        const size_t key = i;
        if (t[i] != '"' || !(i = skip_value(t, n, i, 1, &dummy)))
            return bad(r, "not valid JSON: a malformed member name at byte %zu", key);
        const size_t key_end = i;
        i = skip_ws(t, n, i);
        if (i >= n || t[i] != ':')
            return bad(r, "not valid JSON: no ':' after the member name at byte %zu", key);
        const size_t v = skip_ws(t, n, i + 1);
        uint64_t values = 0;
        if (!(i = skip_value(t, n, v, 1, &values)))
            return bad(r, "not valid JSON: field %.*s at byte %zu is malformed or cut off",
                       (int)(key_end - key > 40 ? 40 : key_end - key), t + key, key);
        const uint64_t cap = key_is(t, key, key_end, "tiles")     ? 1 + 5 * (uint64_t)MAX_TILES
                             : key_is(t, key, key_end, "options") ? 1 + (uint64_t)MAX_OPTIONS
                                                                  : 0;
        const bool tri = key_is(t, key, key_end, "triangles") && !s->tri_seen;
        s->tri_seen |= tri;
        if (tri && t[v] == '[') {
            s->tri_at = v, s->tri_end = i;
        } else if ((other_bytes += i - key) > MAX_OTHER_BYTES) {
            return bad(r, "field %.*s: more than %zu MiB outside the triangles, above the limit",
                       (int)(key_end - key > 40 ? 40 : key_end - key), t + key,
                       MAX_OTHER_BYTES >> 20);
        } else if (cap && values > cap) {
            return bad(r, "field %.*s: %llu JSON values, above the limit of %llu",
                       (int)(key_end - key), t + key, (unsigned long long)values,
                       (unsigned long long)cap);
        } else if (!cap && (other += values) > MAX_OTHER_VALUES) {
            return bad(r,
                       "field %.*s: more JSON values outside the triangles and options "
                       "than the limit of %d",
                       (int)(key_end - key > 40 ? 40 : key_end - key), t + key, MAX_OTHER_VALUES);
        }
        i = skip_ws(t, n, i);
        if (i < n && t[i] == ',')
            i = skip_ws(t, n, i + 1);
        else if (i >= n || t[i] != '}')
            return bad(r, "not valid JSON: expected ',' or '}' at byte %zu", i);
    }
    if (i >= n)
        return bad(r, "not valid JSON: the text ends before the closing '}' (truncated?)");
    if (skip_ws(t, n, i + 1) != n)
        return bad(r, "not valid JSON: text after the closing '}' at byte %zu", i);
    return PE_OK;
}

/* Count the triangles (the array's elements) before anything is allocated for them. */
static pe_status count_triangles(reader *r, const char *t, scan *s)
{
    if (!s->tri_at)
        return PE_OK;
    size_t i = skip_ws(t, s->tri_end, s->tri_at + 1);
    while (t[i] != ']') {
        uint64_t values = 0;
        const size_t at = i;
        i = skip_value(t, s->tri_end, i, 2, &values);
        if (i - at > MAX_TRIANGLE_BYTES)
            return bad(r, "triangles[%zu]: %zu bytes, above the limit of %d", s->triangles,
                       i - at, MAX_TRIANGLE_BYTES);
        i = skip_ws(t, s->tri_end, i);
        if (++s->triangles > MAX_TRIANGLES)
            return bad(r, "triangles: more than the limit of %u", MAX_TRIANGLES);
        if (t[i] == ',')
            i = skip_ws(t, s->tri_end, i + 1);
    }
    return PE_OK;
}

/* ---------------------------------------------------------------- fields */

/* The getters below say what is wrong with the field `name` (missing, wrong type, out of
 * range) and return false; every such case is PE_ERR_FORMAT to the caller. */

static const cJSON *field(const cJSON *obj, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(obj, name); /* NULL-safe */
}

static bool get_number(reader *r, const cJSON *item, const char *name, double lo, double hi,
                       double *out)
{
    if (!item)
        return bad(r, "%s: missing", name), false;
    if (!cJSON_IsNumber(item))
        return bad(r, "%s: not a number", name), false;
    if (!(item->valuedouble >= lo && item->valuedouble <= hi)) /* NaN fails too */
        return bad(r, "%s: %.10g is outside [%.10g, %.10g]", name, item->valuedouble, lo, hi),
               false;
    *out = item->valuedouble;
    return true;
}

static bool get_int(reader *r, const cJSON *item, const char *name, int lo, int hi, int *out)
{
    double v;
    if (!get_number(r, item, name, lo, hi, &v))
        return false;
    if (v != floor(v))
        return bad(r, "%s: %g is not an integer", name, v), false;
    *out = (int)v;
    return true;
}

/* Canonical decimal: 1-20 digits, no sign, no leading zero, at most UINT64_MAX. */
static bool get_u64(reader *r, const cJSON *item, const char *name, uint64_t *out)
{
    if (!cJSON_IsString(item))
        return bad(r, "%s: %s", name, item ? "not a string of decimal digits" : "missing"), false;
    const char *s = item->valuestring;
    const size_t n = strlen(s);
    uint64_t v = 0;
    bool ok = n > 0 && n <= 20 && !(s[0] == '0' && n > 1);
    for (size_t i = 0; ok && i < n; i++) {
        const uint64_t d = (uint64_t)(s[i] - '0');
        ok = s[i] >= '0' && s[i] <= '9' && v <= (UINT64_MAX - d) / 10;
        v = v * 10 + d;
    }
    if (!ok)
        return bad(r, "%s: \"%.24s\" is not a decimal number in 0..2^64-1", name, s), false;
    *out = v;
    return true;
}

static bool get_size(reader *r, const cJSON *obj, const char *name, const char *a, const char *b,
                     int *x, int *y)
{
    char na[64], nb[64];
    snprintf(na, sizeof na, "%s.%s", name, a);
    snprintf(nb, sizeof nb, "%s.%s", name, b);
    if (!cJSON_IsObject(obj))
        return bad(r, "%s: %s", name, obj ? "not an object" : "missing"), false;
    return get_int(r, field(obj, a), na, 1, INT_MAX, x) &&
           get_int(r, field(obj, b), nb, 1, INT_MAX, y);
}

/* A JSON array of exactly n items. */
static bool array_of(reader *r, const cJSON *item, const char *name, int n)
{
    if (cJSON_IsArray(item) && cJSON_GetArraySize(item) == n)
        return true;
    if (!cJSON_IsArray(item))
        return bad(r, "%s: %s", name, item ? "not an array" : "missing"), false;
    return bad(r, "%s: %d items, expected %d", name, cJSON_GetArraySize(item), n), false;
}

static char *dup_string(const char *s)
{
    const size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static pe_status read_input(reader *r, const cJSON *root, pe_state *st)
{
    const cJSON *in = field(root, "input");
    if (!get_size(r, in, "input", "width", "height", &st->result.width, &st->result.height))
        return PE_ERR_FORMAT;
    const cJSON *path = field(in, "path");
    if (cJSON_IsNull(path))
        return PE_OK;
    if (!cJSON_IsString(path))
        return bad(r, "input.path: %s", path ? "neither a string nor null" : "missing");
    st->input_path = dup_string(path->valuestring);
    return st->input_path ? PE_OK : PE_ERR_NOMEM;
}

static pe_status read_options(reader *r, const cJSON *root, pe_state *st)
{
    const cJSON *opts = field(root, "options");
    if (!cJSON_IsObject(opts))
        return bad(r, "options: %s", opts ? "not an object" : "missing");
    const int n = cJSON_GetArraySize(opts);
    if (n > MAX_OPTIONS)
        return bad(r, "options: %d, above the limit of %d", n, MAX_OPTIONS);
    if (n == 0)
        return PE_OK;
    st->option_keys = calloc((size_t)n, sizeof *st->option_keys);
    st->option_values = calloc((size_t)n, sizeof *st->option_values);
    if (!st->option_keys || !st->option_values)
        return PE_ERR_NOMEM;
    for (const cJSON *it = opts->child; it; it = it->next) {
        if (!cJSON_IsString(it) || !it->string)
            return bad(r, "options.%.64s: not a string", it->string ? it->string : "?");
        for (size_t j = 0; j < st->option_count; j++)
            if (!strcmp(st->option_keys[j], it->string)) /* which one would be meant? */
                return bad(r, "options.%.64s: given twice", it->string);
        const size_t i = st->option_count++;
        st->option_keys[i] = dup_string(it->string);
        st->option_values[i] = dup_string(it->valuestring);
        if (!st->option_keys[i] || !st->option_values[i])
            return PE_ERR_NOMEM;
    }
    return PE_OK;
}

/* [x0, y0, x1, y1, x2, y2, r, g, b, a]; version 1 puts a tile index first. */
static bool read_triangle(reader *r, const cJSON *item, size_t i, pe_triangle *t)
{
    char name[64];
    snprintf(name, sizeof name, "triangles[%zu]", i);
    const int lead = r->version == 1; /* the tile index of version 1 */
    if (!array_of(r, item, name, 10 + lead))
        return false;
    const cJSON *c = item->child;
    int v[4], tile;
    double xy[6];
    for (int k = 0; k < 10 + lead; k++, c = c->next) {
        snprintf(name, sizeof name, "triangles[%zu][%d]", i, k);
        const int at = k - lead;
        /* coordinates are range-checked before the conversion: a double beyond FLT_MAX is UB
         * as a float; pe_state_check applies the real, image-relative bound afterwards */
        const bool ok = at < 0    ? get_int(r, c, name, 0, MAX_TILES - 1, &tile)
                        : at < 6 ? get_number(r, c, name, -LOOSE_COORD, LOOSE_COORD, &xy[at])
                                 : get_int(r, c, name, 0, 255, &v[at - 6]);
        if (!ok)
            return false;
    }
    for (int k = 0; k < 3; k++)
        t->x[k] = (float)xy[2 * k], t->y[k] = (float)xy[2 * k + 1];
    t->r = (unsigned char)v[0], t->g = (unsigned char)v[1], t->b = (unsigned char)v[2];
    t->a = (unsigned char)v[3];
    return true;
}

/* The triangles from the text the scan found (text[s->tri_at] is their '['): each element is
 * parsed with cJSON on its own and freed at once, so the tree never holds more than one. */
static pe_status read_triangles_text(reader *r, const char *t, const scan *s, pe_result *res)
{
    if (s->triangles == 0)
        return PE_OK;
    res->triangles = calloc(s->triangles, sizeof *res->triangles);
    if (!res->triangles)
        return PE_ERR_NOMEM;
    size_t i = skip_ws(t, s->tri_end, s->tri_at + 1);
    while (res->count < s->triangles) {
        uint64_t values = 0;
        const size_t end = skip_value(t, s->tri_end, i, 2, &values); /* the scan passed it */
        cJSON *item = cJSON_ParseWithLengthOpts(t + i, end - i, NULL, false);
        const bool ok = item ? read_triangle(r, item, res->count, &res->triangles[res->count])
                             : (bad(r, "triangles[%zu]: not valid JSON", res->count), false);
        cJSON_Delete(item);
        if (!ok)
            return PE_ERR_FORMAT;
        res->count++;
        i = skip_ws(t, s->tri_end, skip_ws(t, s->tri_end, end) + 1); /* past the ',' */
    }
    return PE_OK;
}

/* The triangles from the tree: when the scan did not find them (the field is missing, not an
 * array, or its name is written with escapes); then the scan's budget bounded them. */
static pe_status read_triangles_tree(reader *r, const cJSON *root, pe_result *res)
{
    const cJSON *tris = field(root, "triangles");
    if (!cJSON_IsArray(tris))
        return bad(r, "triangles: %s", tris ? "not an array" : "missing");
    const int n = cJSON_GetArraySize(tris);
    if (n == 0)
        return PE_OK;
    res->triangles = calloc((size_t)n, sizeof *res->triangles);
    if (!res->triangles)
        return PE_ERR_NOMEM;
    for (const cJSON *t = tris->child; t; t = t->next, res->count++)
        if (!read_triangle(r, t, res->count, &res->triangles[res->count]))
            return PE_ERR_FORMAT;
    return PE_OK;
}

static bool read_background(reader *r, const cJSON *root, pe_result *res)
{
    const cJSON *bg = field(root, "background");
    if (!array_of(r, bg, "background", 4))
        return false;
    int k = 0;
    for (const cJSON *c = bg->child; c; c = c->next, k++) {
        int v;
        char name[32];
        snprintf(name, sizeof name, "background[%d]", k);
        if (!get_int(r, c, name, 0, 255, &v))
            return false;
        res->background[k] = (unsigned char)v;
    }
    return true;
}

static bool read_figures(reader *r, const cJSON *root, pe_result *res)
{
    const cJSON *psnr = field(root, "psnr");
    if (cJSON_IsNull(psnr))
        res->psnr = HUGE_VAL;
    else if (!get_number(r, psnr, "psnr", -MAX_PSNR, MAX_PSNR, &res->psnr))
        return false;
    return get_number(r, field(root, "loss"), "loss", 0.0, 1.0, &res->loss) &&
           get_u64(r, field(root, "seed"), "seed", &res->seed) &&
           get_u64(r, field(root, "iterations"), "iterations", &res->iterations) &&
           get_u64(r, field(root, "evaluations"), "evaluations", &res->evaluations) &&
           get_int(r, field(root, "rounds_done"), "rounds_done", 0, MAX_ROUNDS, &res->rounds_done);
}

static pe_status read_root(reader *r, const cJSON *root, const char *text, const scan *s,
                           pe_state *st)
{
    const cJSON *format = field(root, "format");
    if (!cJSON_IsString(format) || strcmp(format->valuestring, PE_STATE_FORMAT))
        return bad(r, "format: not \"%s\"", PE_STATE_FORMAT);
    if (!get_int(r, field(root, "version"), "version", 1, PE_STATE_VERSION, &st->version))
        return PE_ERR_FORMAT;
    r->version = st->version;
    pe_result *res = &st->result;
    pe_status e;
    if ((e = read_input(r, root, st)) != PE_OK || (e = read_options(r, root, st)) != PE_OK ||
        (e = s->tri_at ? read_triangles_text(r, text, s, res)
                       : read_triangles_tree(r, root, res)) != PE_OK)
        return e;
    if (!get_size(r, field(root, "work"), "work", "width", "height", &res->work_width,
                  &res->work_height) ||
        !read_background(r, root, res) || !read_figures(r, root, res))
        return PE_ERR_FORMAT;
    /* the relations between fields: sizes, vertices near the image, ... */
    char why[200];
    return pe_state_check_why(res, true, why, sizeof why) == PE_OK ? PE_OK : bad(r, "%s", why);
}

/* ---------------------------------------------------------------- entry points */

pe_status pe_state_parse_ex(const char *text, size_t len, pe_state *out, char *why, size_t why_len)
{
    reader r = { why, why_len, 0 };
    if (why && why_len)
        why[0] = '\0';
    if (!out)
        return PE_ERR_INVALID_ARG;
    memset(out, 0, sizeof *out);
    if (!text && len > 0)
        return PE_ERR_INVALID_ARG;
    if (len > MAX_FILE_BYTES)
        return bad(&r, "larger than the limit of 1 GiB");
    /* cJSON wants a NUL-terminated string; an embedded NUL would silently cut the text */
    const char *nul = len > 0 ? memchr(text, 0, len) : NULL;
    if (nul)
        return bad(&r, "a NUL byte at byte %zu: not a text file", (size_t)(nul - text));
    scan s = { 0 };
    pe_status e = scan_root(&r, text, len, &s);
    if (e == PE_OK)
        e = count_triangles(&r, text, &s);
    if (e != PE_OK)
        return e;
    char *copy = malloc(len + 1);
    if (!copy)
        return PE_ERR_NOMEM;
    memcpy(copy, text, len);
    copy[len] = '\0';
    if (s.tri_at) /* the triangles are read from text, one at a time */
        memset(copy + s.tri_at + 1, ' ', s.tri_end - s.tri_at - 2);
    cJSON *root = cJSON_ParseWithOpts(copy, NULL, true);
    e = root ? read_root(&r, root, text, &s, out) : bad(&r, "not valid JSON");
    cJSON_Delete(root);
    free(copy);
    if (e != PE_OK)
        pe_state_free(out);
    return e;
}

pe_status pe_state_parse(const char *text, size_t len, pe_state *out)
{
    return pe_state_parse_ex(text, len, out, NULL, 0);
}

/* Read the file, refusing early what cannot be a state file (a NUL byte: /dev/zero, a binary
 * file) so that an endless stream is not read up to the 1 GiB limit first. */
static pe_status read_text(reader *r, FILE *f, char **buf, size_t *len)
{
    size_t cap = 0, start = 0; /* start: the first byte that is not whitespace, once known */
    *buf = NULL, *len = 0;
    for (;;) {
        if (*len == cap) {
            if (cap >= MAX_FILE_BYTES)
                return bad(r, "larger than the limit of 1 GiB");
            cap = cap ? 2 * cap : 65536;
            char *bigger = realloc(*buf, cap);
            if (!bigger)
                return PE_ERR_NOMEM;
            *buf = bigger;
        }
        const size_t got = fread(*buf + *len, 1, cap - *len, f);
        const char *nul = memchr(*buf + *len, 0, got);
        if (nul)
            return bad(r, "a NUL byte at byte %zu: not a text file", (size_t)(nul - *buf));
        if (start == *len) {
            start = skip_ws(*buf, *len + got, start);
            if (start < *len + got && (*buf)[start] != '{')
                return bad(r, "not a JSON object (the file starts with neither '{' nor "
                              "whitespace)");
        }
        *len += got;
        if (got == 0)
            break;
    }
    return ferror(f) ? PE_ERR_IO : PE_OK;
}

pe_status pe_state_read_ex(const char *path, pe_state *out, char *why, size_t why_len)
{
    reader r = { why, why_len, 0 };
    if (why && why_len)
        why[0] = '\0';
    if (!out)
        return PE_ERR_INVALID_ARG;
    memset(out, 0, sizeof *out);
    if (!path)
        return PE_ERR_INVALID_ARG;
    FILE *f = fopen(path, "rb");
    if (!f)
        return PE_ERR_IO;
    char *buf = NULL;
    size_t len = 0;
    pe_status s = read_text(&r, f, &buf, &len);
    const int err = errno;
    if (s == PE_OK)
        s = pe_state_parse_ex(buf, len, out, why, why_len);
    free(buf);
    fclose(f);
    errno = err;
    return s;
}

pe_status pe_state_read(const char *path, pe_state *out)
{
    return pe_state_read_ex(path, out, NULL, 0);
}
