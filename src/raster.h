/* raster: a triangle's antialiased coverage of the pixel grid, as rows of pixels.
 *
 * Output pictures are drawn antialiased (cairo, librsvg), so the optimiser models coverage too:
 * a pixel's coverage is the fraction of it inside the triangle, measured on PE_RASTER_SUB
 * sub-rows per pixel row, each exactly in x. A row is a run of pixels with one coverage (every
 * sub-row covers them fully) plus the pixels at its ends, each with its own coverage. */
#ifndef PE_RASTER_H
#define PE_RASTER_H

#include <stdbool.h>

#define PE_RASTER_SUB 4

typedef struct pe_cover_row {
    int y;
    int x0, x1; /* pixels x0 <= x < x1 all have coverage c (x0 == x1: none) */
    float c;
    int e0, ne; /* the row's other pixels: pe_cover.px[e0 .. e0 + ne) */
} pe_cover_row;

typedef struct pe_cover_px {
    int x;
    float c; /* in (0, 1] */
} pe_cover_px;

/* Buffers pe_raster_cover writes its result into. */
typedef struct pe_cover {
    pe_cover_row *rows; /* capacity: the clip's rows */
    pe_cover_px *px;    /* capacity: the clip's pixels */
} pe_cover;

/* Buffers for clips up to max_w x max_h. Returns false when out of memory. */
bool pe_cover_init(pe_cover *cv, int max_w, int max_h);
void pe_cover_free(pe_cover *cv);

/* Coverage of the triangle clipped to [cx0, cx1) x [cy0, cy1) (within the capacity). A sub-row
 * at height ys is inside when ytop <= ys < ybot, and each edge's crossing of it is computed from
 * its endpoints in one canonical order: two triangles sharing an edge split every pixel along it
 * exactly (their coverages add up to the pixel's). Returns the rows written to cv->rows (0 if
 * degenerate); their pixels are in cv->px. */
int pe_raster_cover(const double x[3], const double y[3], int cx0, int cy0, int cx1, int cy1,
                    const pe_cover *cv);

/* The coarse model, for screening: the pixels whose centres are inside (a centre on the left or
 * top edge counts), all with coverage 1 and no edge pixels. About as fast as the old
 * non-antialiased loss; a ranking aid, never the loss itself. */
int pe_raster_centers(const double x[3], const double y[3], int cx0, int cy0, int cx1, int cy1,
                      const pe_cover *cv);
/* Twice the signed area (positive when the vertices run counter-clockwise in y-down space). */
double pe_raster_area2(const double x[3], const double y[3]);

#endif
