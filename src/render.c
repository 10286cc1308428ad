/* render: draw a pe_result with cairo, into an RGBA image (pe_render) or a PDF page
 * (pe_write_pdf). Both go through draw(), which mirrors write_svg.c element by element, so
 * that the PNG, the PDF and librsvg's rendering of the SVG show the same picture. */
#include "state.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RENDER_SIDE 32767 /* cairo's limit for image surfaces */
#define MAX_PAGE_SIDE   1e6   /* points; far beyond any real page */

static pe_status from_cairo(cairo_status_t s)
{
    switch (s) {
    case CAIRO_STATUS_SUCCESS: return PE_OK;
    case CAIRO_STATUS_NO_MEMORY: return PE_ERR_NOMEM;
    case CAIRO_STATUS_WRITE_ERROR: return PE_ERR_IO;
    default: return PE_ERR_INVALID_ARG;
    }
}

static void set_colour(cairo_t *cr, unsigned char r, unsigned char g, unsigned char b,
                       unsigned char a)
{
    cairo_set_source_rgba(cr, r / 255.0, g / 255.0, b / 255.0, a / 255.0);
}

/* The SVG's elements, in its order: background rect, then the polygons (no clips, as in
 * write_svg.c). */
static void draw(cairo_t *cr, const pe_result *res, double sx, double sy)
{
    cairo_scale(cr, sx, sy);
    cairo_set_antialias(cr, CAIRO_ANTIALIAS_DEFAULT);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
    cairo_set_operator(cr, CAIRO_OPERATOR_OVER);
    const unsigned char *bg = res->background;
    if (bg[3] != 0) {
        set_colour(cr, bg[0], bg[1], bg[2], bg[3]);
        cairo_rectangle(cr, 0, 0, res->width, res->height);
        cairo_fill(cr);
    }
    for (size_t i = 0; i < res->count; i++) {
        const pe_triangle *t = &res->triangles[i];
        cairo_move_to(cr, (double)t->x[0], (double)t->y[0]);
        cairo_line_to(cr, (double)t->x[1], (double)t->y[1]);
        cairo_line_to(cr, (double)t->x[2], (double)t->y[2]);
        cairo_close_path(cr);
        set_colour(cr, t->r, t->g, t->b, t->a);
        cairo_fill(cr);
    }
}

/* cairo's ARGB32 is premultiplied, native-endian; undo it the way cairo's own PNG writer
 * does (rounding to nearest) so that our PNG and rsvg-convert's agree. */
static void unpremultiply(const unsigned char *data, int stride, pe_image *img)
{
    for (int y = 0; y < img->height; y++) {
        const uint32_t *row = (const uint32_t *)(const void *)(data + (size_t)y * (size_t)stride);
        unsigned char *o = img->rgba + (size_t)y * (size_t)img->width * 4;
        for (int x = 0; x < img->width; x++, o += 4) {
            const uint32_t p = row[x];
            const unsigned a = p >> 24;
            if (a == 0) {
                o[0] = o[1] = o[2] = o[3] = 0;
                continue;
            }
            if (a == 255) { /* most pixels: the division would give c back */
                o[0] = (unsigned char)(p >> 16);
                o[1] = (unsigned char)(p >> 8);
                o[2] = (unsigned char)p;
                o[3] = 255;
                continue;
            }
            const unsigned c[3] = { (p >> 16) & 255u, (p >> 8) & 255u, p & 255u };
            for (int k = 0; k < 3; k++)
                o[k] = (unsigned char)((c[k] * 255u + a / 2) / a);
            o[3] = (unsigned char)a;
        }
    }
}

/* 0 = the input size; one 0 = that side from the other and the aspect ratio. */
static void output_size(const pe_result *res, double *w, double *h)
{
    if (*w == 0 && *h == 0) {
        *w = res->width;
        *h = res->height;
    } else if (*w == 0) {
        *w = *h * res->width / res->height;
    } else if (*h == 0) {
        *h = *w * res->height / res->width;
    }
}

pe_status pe_render(const pe_result *res, int width, int height, pe_image *out)
{
    if (!out)
        return PE_ERR_INVALID_ARG;
    memset(out, 0, sizeof *out);
    if (width < 0 || height < 0 || pe_state_check(res, false) != PE_OK)
        return PE_ERR_INVALID_ARG;
    double w = width, h = height;
    output_size(res, &w, &h);
    w = fmax(1.0, round(w));
    h = fmax(1.0, round(h));
    if (w > MAX_RENDER_SIDE || h > MAX_RENDER_SIDE)
        return PE_ERR_INVALID_ARG;
    const int iw = (int)w, ih = (int)h;

    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, iw, ih);
    cairo_t *cr = cairo_create(surface); /* never NULL: an error object on failure */
    draw(cr, res, w / res->width, h / res->height);
    cairo_surface_flush(surface);
    pe_status s = from_cairo(cairo_status(cr));
    if (s == PE_OK) {
        out->rgba = malloc((size_t)iw * (size_t)ih * 4);
        if (!out->rgba) {
            s = PE_ERR_NOMEM;
        } else {
            out->width = iw;
            out->height = ih;
            unpremultiply(cairo_image_surface_get_data(surface),
                          cairo_image_surface_get_stride(surface), out);
        }
    }
    cairo_destroy(cr);
    cairo_surface_destroy(surface);
    return s;
}

/* ---------------------------------------------------------------- PDF */

static cairo_status_t write_to_file(void *closure, const unsigned char *data, unsigned int length)
{
    return fwrite(data, 1, length, (FILE *)closure) == length ? CAIRO_STATUS_SUCCESS
                                                              : CAIRO_STATUS_WRITE_ERROR;
}

/* "key=value; key=value", malloc'ed (caller frees), or NULL when out of memory. */
static char *join_metadata(const pe_metadata *meta)
{
    size_t n = 1;
    for (size_t i = 0; i < meta->count; i++)
        n += strlen(meta->keys[i]) + strlen(meta->values[i]) + 3;
    char *s = malloc(n), *p = s;
    if (!s)
        return NULL;
    for (size_t i = 0; i < meta->count; i++) {
        const size_t kn = strlen(meta->keys[i]), vn = strlen(meta->values[i]);
        if (i) {
            memcpy(p, "; ", 2);
            p += 2;
        }
        memcpy(p, meta->keys[i], kn);
        p[kn] = '=';
        memcpy(p + kn + 1, meta->values[i], vn);
        p += kn + 1 + vn;
    }
    *p = '\0';
    return s;
}

pe_status pe_page_check(const pe_page *page)
{
    enum { SLACK = 1 }; /* points a rounded layout may stray past the page's edge */
    if (!page || page->unit < PE_UNIT_PT || page->unit > PE_UNIT_IN)
        return PE_ERR_INVALID_ARG;
    const double side[4] = { page->width, page->height, page->w, page->h };
    for (int i = 0; i < 4; i++)
        if (!(side[i] >= 0.01 && side[i] <= MAX_PAGE_SIDE))
            return PE_ERR_INVALID_ARG;
    if (!(page->x >= 0 && page->y >= 0 && page->x + page->w <= page->width + SLACK &&
          page->y + page->h <= page->height + SLACK))
        return PE_ERR_INVALID_ARG;
    return PE_OK;
}

pe_status pe_write_pdf(FILE *f, const pe_result *res, double width, double height,
                       const pe_metadata *meta)
{
    if (!f || !res || !(width >= 0 && width <= MAX_PAGE_SIDE && height >= 0 &&
                        height <= MAX_PAGE_SIDE) || pe_state_check(res, false) != PE_OK ||
        !pe_metadata_ok(meta))
        return PE_ERR_INVALID_ARG;
    output_size(res, &width, &height);
    const pe_page page = { width, height, 0, 0, width, height, PE_UNIT_PT };
    return pe_write_pdf_page(f, res, &page, meta);
}

pe_status pe_write_pdf_page(FILE *f, const pe_result *res, const pe_page *page,
                            const pe_metadata *meta)
{
    if (!f || !res || pe_page_check(page) != PE_OK || pe_state_check(res, false) != PE_OK ||
        !pe_metadata_ok(meta))
        return PE_ERR_INVALID_ARG;
    char *keywords = NULL;
    if (meta && meta->count > 0 && !(keywords = join_metadata(meta)))
        return PE_ERR_NOMEM;

    cairo_surface_t *surface =
        cairo_pdf_surface_create_for_stream(write_to_file, f, page->width, page->height);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "polyevolve");
    if (keywords)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_KEYWORDS, keywords);
    /* cairo stamps the current time by default; a fixed date keeps the bytes deterministic
     * (the library never reads the clock) */
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, "2000-01-01T00:00:00Z");
    cairo_t *cr = cairo_create(surface);
    if (page->x != 0 || page->y != 0 || page->w != page->width || page->h != page->height) {
        /* triangles reach past the canvas (their corners may lie outside it): on a page
         * larger than the picture only the picture's rectangle may show them */
        cairo_rectangle(cr, page->x, page->y, page->w, page->h);
        cairo_clip(cr);
        cairo_translate(cr, page->x, page->y);
    }
    draw(cr, res, page->w / res->width, page->h / res->height);
    cairo_show_page(cr);
    pe_status s = from_cairo(cairo_status(cr));
    cairo_destroy(cr);
    cairo_surface_finish(surface); /* writes the rest of the file through write_to_file */
    if (s == PE_OK)
        s = from_cairo(cairo_surface_status(surface));
    cairo_surface_destroy(surface);
    free(keywords);
    return s;
}
