/* page: where the picture goes on paper. --page, --margin and -s as the layout the PDF and SVG
 * writers take (pe_page), and the vector outputs written with it. */
#ifndef CLI_PAGE_H
#define CLI_PAGE_H

#include "options.h"

/* The PDF page of res and the picture's place on it:
 * - no --page: the picture at -s (or the input size) in points, 1 pt per pixel, with --margin
 *   all round;
 * - --page LENGTH: the page's longest side is LENGTH, the picture's shape plus the margin;
 * - --page WxH: that page, the picture as large as fits inside the margins, centred;
 * - --page A4 (a named size): the same, the page turned landscape for a picture wider than
 *   tall, portrait otherwise. */
pe_page cli_page_layout(const cli_options *o, const pe_result *res);

/* res as an SVG (at print size in the page's unit when --page is given, else -s pixels) or a
 * PDF (cli_page_layout), written atomically to path, or to f. */
pe_status cli_write_svg_for(const char *path, const cli_options *o, const pe_result *res,
                            const pe_metadata *meta);
pe_status cli_write_pdf_for(const char *path, const cli_options *o, const pe_result *res,
                            const pe_metadata *meta);
pe_status cli_put_svg(FILE *f, const cli_options *o, const pe_result *res,
                      const pe_metadata *meta);

#endif
