/* sizes: what the writers can write, checked before any work, so that a run never spends
 * minutes and gigabytes before "exceeds the configured limit". */
#ifndef CLI_SIZES_H
#define CLI_SIZES_H

#include "options.h"

#include <stdbool.h>
#include <stddef.h>

/* The largest -s: a square PNG of this side is the largest stb_image_write takes
 * ((4 * side + 1) * side <= INT_MAX; 23171 is over it). */
#define CLI_MAX_SIZE 23170

/* The renderer's limit per side (cairo's, as in pe_render). */
#define CLI_MAX_RENDER_SIDE 32767

/* The PNG a w x h picture (w, h >= 1) gets for -s size (0 = the picture's own size, else its
 * longest side), computed as pe_render does, into *ow x *oh. Returns 0 when pe_render and
 * pe_write_png can make it, else 2 (a usage error: -s is the remedy) with one line in err that
 * names the limit. */
int cli_png_size(int w, int h, int size, int *ow, int *oh, char *err, size_t err_len);

/* Frames and animations of a large input are drawn at most this long on their longest side
 * unless -s or --frame-size asks, so that a default run's 100 frames of a photo cost a
 * fraction of the run instead of most of it (docs/benchmarks.md, "Frames cost"). */
#define CLI_FRAME_SIDE 1080

/* The longest side to draw a w x h picture's frames at, 0 = its own size: --frame-size when
 * given (frame_size >= 0), else -s when above 0 or given (size_given: -s 0 asks for the input
 * size), else the picture's own side up to CLI_FRAME_SIDE. */
int cli_frame_side(int frame_size, int size, bool size_given, int w, int h);

/* Triangle coordinates are input pixels, and state files and the SVG keep them within 1e7. */
#define CLI_MAX_PICTURE_SIDE 10000000

/* The PDF page's sides in points, as pe_write_pdf_page takes them (cairo's fixed-point
 * coordinates allow more, the library's page check less). */
#define CLI_MAX_PDF_SIDE 1000000
#define CLI_MIN_PDF_SIDE 0.01

/* A w x h picture the state file and the SVG can hold: 0, else 2 with one line in err (the
 * caller picks the exit status: no option makes an input fit). */
int cli_picture_side(int w, int h, char *err, size_t err_len);

/* The PDF page of a w x h picture (cli_page_layout: -s, --page, --margin) within the PDF
 * writer's limit: 0, else 2 with one line in err naming it. */
int cli_pdf_page(const cli_options *o, int w, int h, char *err, size_t err_len);

#endif
