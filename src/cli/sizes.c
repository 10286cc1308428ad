/* sizes: see sizes.h. */
#include "sizes.h"

#include "page.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>

int cli_png_size(int w, int h, int size, int *ow, int *oh, char *err, size_t err_len)
{
    /* pe_render's rule: the given side, the other from the aspect ratio, rounded, at least 1 */
    double fw = w, fh = h;
    if (size > 0 && w >= h)
        fw = size, fh = fmax(1.0, round((double)size * h / w));
    else if (size > 0)
        fh = size, fw = fmax(1.0, round((double)size * w / h));
    *ow = fw > INT_MAX ? INT_MAX : (int)fw;
    *oh = fh > INT_MAX ? INT_MAX : (int)fh;
    if (fw > CLI_MAX_RENDER_SIDE || fh > CLI_MAX_RENDER_SIDE) {
        snprintf(err, err_len,
                 "a %.0fx%.0f PNG is above the renderer's limit of %d px a side: give -s N "
                 "(the longest side, at most %d)",
                 fw, fh, CLI_MAX_RENDER_SIDE, CLI_MAX_SIZE);
        return 2;
    }
    if (fh * (4.0 * fw + 1.0) > INT_MAX) {
        snprintf(err, err_len,
                 "a %.0fx%.0f PNG is above the PNG writer's limit ((4 x width + 1) x height < "
                 "2^31 bytes): give a smaller -s N",
                 fw, fh);
        return 2;
    }
    return 0;
}

int cli_frame_side(int frame_size, int size, bool size_given, int w, int h)
{
    if (frame_size >= 0)
        return frame_size;
    if (size > 0 || size_given)
        return size;
    return (w > h ? w : h) > CLI_FRAME_SIDE ? CLI_FRAME_SIDE : 0;
}

int cli_picture_side(int w, int h, char *err, size_t err_len)
{
    if (w <= CLI_MAX_PICTURE_SIDE && h <= CLI_MAX_PICTURE_SIDE)
        return 0;
    snprintf(err, err_len,
             "a %dx%d picture is above the limit of %d px a side of the state file and the SVG "
             "(their coordinates)",
             w, h, CLI_MAX_PICTURE_SIDE);
    return 2;
}

int cli_pdf_page(const cli_options *o, int w, int h, char *err, size_t err_len)
{
    const pe_result res = { .width = w, .height = h };
    const pe_page page = cli_page_layout(o, &res);
    const double side = page.width > page.height ? page.width : page.height;
    const double small = fmin(fmin(page.width, page.height), fmin(page.w, page.h));
    if (side > CLI_MAX_PDF_SIDE) {
        snprintf(err, err_len,
                 "a PDF page of %.0f pt is above the PDF writer's limit of %d pt a side: give "
                 "-s N or --page",
                 side, CLI_MAX_PDF_SIDE);
        return 2;
    }
    if (!(small >= CLI_MIN_PDF_SIDE)) { /* a picture far wider than high */
        snprintf(err, err_len,
                 "a PDF of %gx%g pt (the picture %gx%g) has a side below the PDF writer's "
                 "%g pt: leave out the PDF, or give a larger -s N",
                 page.width, page.height, page.w, page.h, CLI_MIN_PDF_SIDE);
        return 2;
    }
    return 0;
}
