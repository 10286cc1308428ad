/* page: see page.h. */
#include "page.h"

#include "output.h"

pe_page cli_page_layout(const cli_options *o, const pe_result *res)
{
    const cli_page *p = &o->page;
    const double m = o->margin_pt, rw = res->width, rh = res->height;
    pe_page out = { .unit = p->width > 0 ? p->unit : PE_UNIT_PT, .x = m, .y = m };
    if (p->width == 0 || p->longest) {
        /* the picture's longest side: -s or the input's pixels, or what the page leaves */
        const double side = p->longest ? p->width - 2 * m : o->size;
        out.w = side > 0 && rw >= rh ? side : rw;
        out.h = side > 0 && rw < rh ? side : rh;
        if (side > 0 && rw >= rh) /* as pe_write_pdf keeps the aspect ratio */
            out.h = out.w * res->height / res->width;
        else if (side > 0)
            out.w = out.h * res->width / res->height;
        out.width = out.w + 2 * m;
        out.height = out.h + 2 * m;
        return out;
    }
    out.width = p->width;
    out.height = p->height;
    if (p->turn && (rw > rh) != (p->width > p->height)) {
        out.width = p->height;
        out.height = p->width;
    }
    const double iw = out.width - 2 * m, ih = out.height - 2 * m;
    const double scale = iw / rw < ih / rh ? iw / rw : ih / rh;
    out.w = rw * scale;
    out.h = rh * scale;
    out.x = (out.width - out.w) / 2;
    out.y = (out.height - out.h) / 2;
    return out;
}

typedef struct vector_job {
    const cli_options *o;
    const pe_result *res;
    const pe_metadata *meta;
} vector_job;

pe_status cli_put_svg(FILE *f, const cli_options *o, const pe_result *res,
                      const pe_metadata *meta)
{
    if (o->page.width > 0) {
        const pe_page page = cli_page_layout(o, res);
        return pe_write_svg_page(f, res, &page, meta);
    }
    double w, h;
    cli_longest_side(res, o->size, &w, &h);
    return pe_write_svg_sized(f, res, w, h, meta);
}

static pe_status svg_fn(FILE *f, const void *ctx)
{
    const vector_job *j = ctx;
    return cli_put_svg(f, j->o, j->res, j->meta);
}

static pe_status pdf_fn(FILE *f, const void *ctx)
{
    const vector_job *j = ctx;
    const pe_page page = cli_page_layout(j->o, j->res);
    return pe_write_pdf_page(f, j->res, &page, j->meta);
}

pe_status cli_write_svg_for(const char *path, const cli_options *o, const pe_result *res,
                            const pe_metadata *meta)
{
    const vector_job j = { o, res, meta };
    return cli_write_atomic(path, svg_fn, &j);
}

pe_status cli_write_pdf_for(const char *path, const cli_options *o, const pe_result *res,
                            const pe_metadata *meta)
{
    const vector_job j = { o, res, meta };
    return cli_write_atomic(path, pdf_fn, &j);
}
