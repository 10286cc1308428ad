/* tile: the grid that divides the working image, and how triangles are shared among tiles. */
#ifndef PE_TILE_H
#define PE_TILE_H

#include <stddef.h>

typedef struct pe_tile_rect {
    int x0, y0, x1, y1; /* working pixels, half-open */
} pe_tile_rect;

/* The default grid for a working image of w x h and `triangles` in all: tiles of about 128 px
 * a side, but no more tiles than one per PE_TILE_MIN_TRIANGLES triangles, because a tile with
 * few triangles cannot afford the large shapes a picture needs (measured: camera.png at -n 250
 * loses 2.2 dB with 2x2 tiles against one tile, 0.8 dB with two). Depends only on the image size
 * and the triangle count, never on the thread count. */
#define PE_TILE_MIN_TRIANGLES 125
void pe_tile_default_grid(int w, int h, int triangles, int *cols, int *rows);

/* Fill rects (cols * rows, row-major) with the grid: boundaries at round(i * w / cols), so
 * the tiles cover every pixel exactly once. cols <= w and rows <= h. */
void pe_tile_grid(int w, int h, int cols, int rows, pe_tile_rect *rects);

/* Share total triangles among n tiles in proportion to weight[i] (largest remainder, ties to
 * the lower index), every tile with a positive weight getting at least min_each while the
 * total allows. Deterministic. out[i] receives the counts, summing to total. */
void pe_tile_allocate(int total, const double *weight, int n, int min_each, int *out);

#endif
