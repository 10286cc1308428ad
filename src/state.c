/* state: the state file (docs/state-format.md), written by hand for a stable layout and read
 * with cJSON in state_read.c; plus the checks on a pe_result that the writers share. */
#include "state.h"

#include <stdarg.h>
#include <stdio.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- checks */

static bool in_range(double v, double lo, double hi)
{
    return v >= lo && v <= hi; /* false for NaN */
}

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 3, 4)))
#endif
static pe_status why_not(char *why, size_t why_len, const char *fmt, ...)
{
    if (why && why_len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, why_len, fmt, ap);
        va_end(ap);
    }
    return PE_ERR_INVALID_ARG;
}

static bool size_ok(int w, int h, bool strict)
{
    if (w < 1 || h < 1)
        return false;
    return !strict || (double)w * (double)h <= MAX_PIXELS;
}

/* strict: how far outside the image a vertex may lie along an axis of `size` input pixels,
 * worked at `work` pixels. The optimiser lets vertices go at least 8 working pixels past the
 * edge, which is 8 * size / work input pixels: at -r 1..3 or along the short side of a very
 * long image that is more than 2 * size, so the margin grows with the scale. */
static double margin(int size, int work)
{
    const double scale = work > 0 && work < size ? (double)size / work : 1.0;
    return 2.0 * size + 64.0 * scale;
}

static pe_status triangle_ok(const pe_triangle *t, size_t i, const pe_result *res, bool strict,
                             char *why, size_t why_len)
{
    const double mx = strict ? margin(res->width, res->work_width) : LOOSE_COORD;
    const double my = strict ? margin(res->height, res->work_height) : LOOSE_COORD;
    const double wx = strict ? res->width : 0.0, wy = strict ? res->height : 0.0;
    for (int k = 0; k < 3; k++)
        if (!in_range((double)t->x[k], -mx, wx + mx) || !in_range((double)t->y[k], -my, wy + my))
            return why_not(why, why_len,
                           "triangles[%zu]: vertex %d (%g, %g) is outside [%g, %g] x [%g, %g]", i,
                           k + 1, (double)t->x[k], (double)t->y[k], -mx, wx + mx, -my, wy + my);
    return PE_OK;
}

/* The strict-only rules on sizes, counts and figures. */
static pe_status figures_ok(const pe_result *res, char *why, size_t why_len)
{
    if (!size_ok(res->work_width, res->work_height, true))
        return why_not(why, why_len, "work: size %dx%d is not within 1..1e8 pixels",
                       res->work_width, res->work_height);
    if (res->count > MAX_TRIANGLES)
        return why_not(why, why_len, "triangles: %zu, above the limit of %u", res->count,
                       MAX_TRIANGLES);
    if (!in_range(res->loss, 0.0, 1.0))
        return why_not(why, why_len, "loss: %g is outside [0, 1]", res->loss);
    if (res->rounds_done < 0 || res->rounds_done > MAX_ROUNDS)
        return why_not(why, why_len, "rounds_done: %d is outside [0, %d]", res->rounds_done,
                       MAX_ROUNDS);
    if (!(in_range(res->psnr, -MAX_PSNR, MAX_PSNR) || res->psnr == HUGE_VAL))
        return why_not(why, why_len, "psnr: %g is outside [-1e4, 1e4]", res->psnr);
    return PE_OK;
}

pe_status pe_state_check_why(const pe_result *res, bool strict, char *why, size_t why_len)
{
    if (why && why_len)
        why[0] = '\0';
    if (!res)
        return why_not(why, why_len, "no result (NULL)");
    if (!size_ok(res->width, res->height, strict))
        return why_not(why, why_len, "input: size %dx%d is not within 1..1e8 pixels", res->width,
                       res->height);
    if (res->count > 0 && !res->triangles)
        return why_not(why, why_len, "triangles: missing");
    pe_status st = strict ? figures_ok(res, why, why_len) : PE_OK;
    for (size_t i = 0; i < res->count && st == PE_OK; i++)
        st = triangle_ok(&res->triangles[i], i, res, strict, why, why_len);
    return st;
}

pe_status pe_state_check(const pe_result *res, bool strict)
{
    return pe_state_check_why(res, strict, NULL, 0);
}

bool pe_metadata_ok(const pe_metadata *meta)
{
    if (!meta || meta->count == 0)
        return true;
    if (!meta->keys || !meta->values)
        return false;
    for (size_t i = 0; i < meta->count; i++)
        if (!meta->keys[i] || !meta->values[i])
            return false;
    return true;
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

static void write_triangles(FILE *f, const pe_result *res)
{
    fputs("  \"triangles\": [", f);
    for (size_t i = 0; i < res->count; i++) {
        const pe_triangle *t = &res->triangles[i];
        fputs(i ? ",\n    [" : "\n    [", f);
        for (int k = 0; k < 3; k++) {
            if (k)
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
    if (!f || pe_state_check(res, true) != PE_OK)
        return PE_ERR_INVALID_ARG;
    /* duplicate keys would make a file the reader refuses; say so now, not at resume time */
    if (!pe_metadata_ok(options) ||
        (options && (options->count > MAX_OPTIONS || !keys_unique(options))))
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

pe_metadata pe_state_options(const pe_state *st)
{
    if (!st)
        return (pe_metadata){ 0 };
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
