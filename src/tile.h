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
 * lost 2.2 dB with 2x2 tiles against one tile, 0.8 dB with two; with the adds shared by gain,
 * at -n 100 two tiles still cost 0.18 dB mean at equal CPU, six images). When two grids are
 * equally close to that (a square picture in two tiles: 1x2 or 2x1), the one whose internal
 * borders cross the least detail is taken (pe_tile_border_detail of rgba; rgba NULL: the
 * first). Depends on the picture and the triangle count, never on the thread count. */
#define PE_TILE_MIN_TRIANGLES 125
void pe_tile_default_grid(const float *rgba, int w, int h, int triangles, int *cols, int *rows);

/* How much detail the internal borders of a cols x rows grid cross: the mean absolute difference
 * between neighbouring pixels (summed over the channels of premultiplied float RGBA, w x h) in
 * a band of PE_TILE_BORDER_BAND px each side of every border. 0 for a 1x1 grid. */
#define PE_TILE_BORDER_BAND 4
double pe_tile_border_detail(const float *rgba, int w, int h, int cols, int rows);

/* Fill rects (cols * rows, row-major) with the grid: boundaries at round(i * w / cols), so
 * the tiles cover every pixel exactly once. cols <= w and rows <= h. */
void pe_tile_grid(int w, int h, int cols, int rows, pe_tile_rect *rects);

/* Where a tile's triangles may go. Tiles are units of work, not clips: a tile's triangles may
 * reach `overlap` pixels into each neighbouring tile (so no border is a line nobody can draw
 * across), and beyond the image's own edges by a quarter of the tile's size (at least 8 px: a
 * large shape covering a corner needs its vertices well outside). box receives the vertex
 * bounds (x0, y0, x1, y1), reach the part of the box inside the image. */
void pe_tile_reach(const pe_tile_rect *r, int w, int h, int overlap, double box[4],
                   pe_tile_rect *reach);

/* The default overlap for tiles of the given size: PE_TILE_OVERLAP of the smaller side, at
 * least 2 px. Measured (mean judge PSNR and seam ratio over six shared images, two seeds, -n 250):
 * 4 px on 128 px tiles removes the seams as well as 16 or 32 px do, and the wider the overlap,
 * the more the tiles' simultaneous changes get in each other's way (0.03: 27.85 dB, 0.125:
 * 27.75 dB, 0.25: 27.66 dB). */
#define PE_TILE_OVERLAP 0.03
int pe_tile_default_overlap(const pe_tile_rect *r);

/* Share total triangles among n tiles in proportion to weight[i] (largest remainder, ties to
 * the lower index), every tile with a positive weight getting at least min_each while the
 * total allows. Deterministic. out[i] receives the counts, summing to total. */
void pe_tile_allocate(int total, const double *weight, int n, int min_each, int *out);

#endif
