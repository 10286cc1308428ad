/* raster: triangle -> horizontal spans of covered pixels (pixel centres, no antialiasing). */
#ifndef PE_RASTER_H
#define PE_RASTER_H

typedef struct pe_span {
    int y, x0, x1; /* pixels x0 <= x < x1 of row y */
} pe_span;

/* Spans of the pixels whose centre (x + 0.5, y + 0.5) lies inside the triangle, clipped to
 * [cx0, cx1) x [cy0, cy1). A centre exactly on an edge belongs to the triangle on the edge's
 * right (x) or below it (y): two triangles sharing an edge never cover a pixel twice and leave
 * no gap. spans must hold cy1 - cy0 entries. Returns the number of spans (0 if degenerate). */
int pe_raster_triangle(const double x[3], const double y[3], int cx0, int cy0, int cx1, int cy1,
                       pe_span *spans);

/* Twice the signed area (positive when the vertices run counter-clockwise in y-down space). */
double pe_raster_area2(const double x[3], const double y[3]);

#endif
