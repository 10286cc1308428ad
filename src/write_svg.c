/* write_svg: a pe_result as SVG, compact and byte-deterministic. Numbers are formatted by
 * hand (integers only go through printf) so that LC_NUMERIC can never put a comma in them.
 * render.c's draw() mirrors the elements written here: change both together. */
#include "state.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/* c hundredths as "-12.5", "3", "0.05": at most 2 decimals, no trailing zeros. */
static void put_centi(FILE *f, long long c)
{
    if (c < 0) {
        fputc('-', f);
        c = -c;
    }
    fprintf(f, "%lld", c / 100);
    const int frac = (int)(c % 100);
    if (frac) {
        fputc('.', f);
        fputc('0' + frac / 10, f);
        if (frac % 10)
            fputc('0' + frac % 10, f);
    }
}

/* pe_state_check bounds coordinates to +-1e7, so v * 100 fits a long long. */
static long long centi(double v)
{
    return llround(v * 100.0);
}

/* a / 255 with 3 decimals: the error is at most 0.0005 * 255 < 0.5, so round(o * 255)
 * gives a back. */
static void put_opacity(FILE *f, unsigned char a)
{
    int m = (a * 2000 + 255) / 510; /* round(a * 1000 / 255) in integers */
    if (m == 1000 || m == 0) {
        fputc(m ? '1' : '0', f);
        return;
    }
    fputs("0.", f);
    char digits[4] = { (char)('0' + m / 100), (char)('0' + m / 10 % 10), (char)('0' + m % 10), 0 };
    for (int k = 2; k > 0 && digits[k] == '0'; k--)
        digits[k] = '\0';
    fputs(digits, f);
}

static void put_colour(FILE *f, const char *attr, const unsigned char *rgb, unsigned char a)
{
    fprintf(f, " %s=\"#%02x%02x%02x\"", attr, rgb[0], rgb[1], rgb[2]);
    if (a != 255) {
        fprintf(f, " %s-opacity=\"", attr);
        put_opacity(f, a);
        fputc('"', f);
    }
}

/* XML text for an attribute value. Control characters other than tab, LF and CR are not
 * allowed in XML 1.0 even as references: they become U+FFFD. Other bytes pass through
 * (the metadata is expected to be UTF-8, the document's encoding). */
static void put_escaped(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        case '\t':
        case '\n':
        case '\r': fprintf(f, "&#%d;", *p); break; /* survive parsing */
        default:
            if (*p < 0x20)
                fputs("&#xFFFD;", f);
            else
                fputc(*p, f);
        }
    }
}

static void put_metadata(FILE *f, const pe_metadata *meta)
{
    fputs("<metadata xmlns:pe=\"urn:polyevolve\">\n<!-- made with polyevolve; "
          "pe:param holds the parameters of the run -->\n",
          f);
    for (size_t i = 0; i < meta->count; i++) {
        fputs("<pe:param name=\"", f);
        put_escaped(f, meta->keys[i]);
        fputs("\" value=\"", f);
        put_escaped(f, meta->values[i]);
        fputs("\"/>\n", f);
    }
    fputs("</metadata>\n", f);
}

/* Colour classes (issue 17): when few distinct fills each serve several triangles (a --palette
 * run), one CSS class per fill keeps the file small (about 26 bytes less per triangle); else
 * every polygon carries its fill, as always. keys: the distinct fills, sorted, or NULL. */
typedef struct svg_classes {
    uint32_t *keys;
    size_t n;
} svg_classes;

static uint32_t fill_key(const pe_triangle *t)
{
    return (uint32_t)t->r << 24 | (uint32_t)t->g << 16 | (uint32_t)t->b << 8 | (uint32_t)t->a;
}

static int by_key(const void *a, const void *b)
{
    const uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* False when out of memory. */
static bool make_classes(const pe_result *res, svg_classes *c)
{
    c->keys = NULL;
    c->n = 0;
    if (res->count < 8)
        return true;
    uint32_t *k = malloc(res->count * sizeof *k);
    if (!k)
        return false;
    for (size_t i = 0; i < res->count; i++)
        k[i] = fill_key(&res->triangles[i]);
    qsort(k, res->count, sizeof *k, by_key);
    size_t n = 1;
    for (size_t i = 1; i < res->count; i++)
        if (k[i] != k[n - 1])
            k[n++] = k[i];
    if (n > 256 || 2 * n > res->count) { /* a class would not pay for its definition */
        free(k);
        return true;
    }
    c->keys = k;
    c->n = n;
    return true;
}

static void put_style(FILE *f, const svg_classes *c)
{
    fputs("<style>\n", f);
    for (size_t i = 0; i < c->n; i++) {
        const uint32_t k = c->keys[i];
        fprintf(f, ".c%zu{fill:#%06x", i, (unsigned)(k >> 8));
        if ((k & 0xff) != 255) {
            fputs(";fill-opacity:", f);
            put_opacity(f, (unsigned char)(k & 0xff));
        }
        fputs("}\n", f);
    }
    fputs("</style>\n", f);
}

static void put_polygon(FILE *f, const pe_triangle *t, const svg_classes *c)
{
    fputs("<polygon points=\"", f);
    for (int k = 0; k < 3; k++) {
        if (k)
            fputc(' ', f);
        put_centi(f, centi((double)t->x[k]));
        fputc(',', f);
        put_centi(f, centi((double)t->y[k]));
    }
    fputc('"', f);
    if (c->keys) {
        const uint32_t k = fill_key(t);
        const uint32_t *at = bsearch(&k, c->keys, c->n, sizeof k, by_key);
        fprintf(f, " class=\"c%zu\"", (size_t)(at - c->keys));
    } else {
        const unsigned char rgb[3] = { t->r, t->g, t->b };
        put_colour(f, "fill", rgb, t->a);
    }
    fputs("/>\n", f);
}

pe_status pe_write_svg(FILE *f, const pe_result *res, const pe_metadata *meta)
{
    return pe_write_svg_sized(f, res, 0, 0, meta);
}

/* The root's width and height: what a viewer shows and a browser lays out. Whole numbers as
 * before (the input size), other sizes to 0.01 px, or to 0.01 of a physical unit. */
static void put_root(FILE *f, const pe_result *res, double width, double height, const char *unit)
{
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"",
          f);
    put_centi(f, centi(width));
    fprintf(f, "%s\" height=\"", unit);
    put_centi(f, centi(height));
    fprintf(f, "%s\" viewBox=\"0 0 %d %d\">\n", unit, res->width, res->height);
}

static pe_status write_svg(FILE *f, const pe_result *res, double width, double height,
                           const char *unit, const pe_metadata *meta)
{
    svg_classes classes;
    if (!make_classes(res, &classes))
        return PE_ERR_NOMEM;

    put_root(f, res, width, height, unit);
    if (meta && meta->count > 0)
        put_metadata(f, meta);
    if (classes.keys)
        put_style(f, &classes);
    if (res->background[3] != 0) {
        fprintf(f, "<rect width=\"%d\" height=\"%d\"", res->width, res->height);
        put_colour(f, "fill", res->background, res->background[3]);
        fputs("/>\n", f);
    }
    /* no clip paths: the viewBox is the canvas, and no triangle is bounded by anything else
     * (older state files' tiles bounded their triangles' vertices to the tile's reach inside
     * the image, so a clip to it never changed a visible pixel) */
    for (size_t i = 0; i < res->count; i++)
        put_polygon(f, &res->triangles[i], &classes);
    free(classes.keys);
    fputs("</svg>\n", f);
    return ferror(f) ? PE_ERR_IO : PE_OK;
}

pe_status pe_write_svg_sized(FILE *f, const pe_result *res, double width, double height,
                             const pe_metadata *meta)
{
    if (!f || !res || !(width >= 0 && width <= 1e7 && height >= 0 && height <= 1e7) ||
        pe_state_check(res, false) != PE_OK || !pe_metadata_ok(meta))
        return PE_ERR_INVALID_ARG;
    if (width == 0 && height == 0) {
        width = res->width;
        height = res->height;
    } else if (width == 0) {
        width = height * res->width / res->height;
    } else if (height == 0) {
        height = width * res->height / res->width;
    }
    return write_svg(f, res, width, height, "", meta);
}

pe_status pe_write_svg_page(FILE *f, const pe_result *res, const pe_page *page,
                            const pe_metadata *meta)
{
    static const struct {
        const char *name;
        double pt;
    } units[] = { [PE_UNIT_PT] = { "pt", 1.0 },
                  [PE_UNIT_MM] = { "mm", 72.0 / 25.4 },
                  [PE_UNIT_CM] = { "cm", 72.0 / 2.54 },
                  [PE_UNIT_IN] = { "in", 72.0 } };
    if (!f || !res || pe_page_check(page) != PE_OK || pe_state_check(res, false) != PE_OK ||
        !pe_metadata_ok(meta))
        return PE_ERR_INVALID_ARG;
    const double per = units[page->unit].pt;
    return write_svg(f, res, page->w / per, page->h / per, units[page->unit].name, meta);
}
