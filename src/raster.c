/* raster: scanline conversion of a triangle into spans.
 * A pixel is covered when its centre is inside, with a half-open rule on both axes
 * (xl <= xc < xr, yl <= yc < yr). Each edge's crossing of a row is computed from its endpoints
 * in one canonical order, so the two triangles sharing an edge get bit-identical crossings:
 * that is what makes shared edges gap-free and overlap-free. */
#include "raster.h"

#include <math.h>

/* x where the edge (ax,ay)-(bx,by) crosses the horizontal line y = yc; ay != by. */
static double edge_x(double ax, double ay, double bx, double by, double yc)
{
    if (ay > by || (ay == by && ax > bx)) {
        double t = ax;
        ax = bx;
        bx = t;
        t = ay;
        ay = by;
        by = t;
    }
    return ax + (yc - ay) * (bx - ax) / (by - ay);
}

double pe_raster_area2(const double x[3], const double y[3])
{
    return (x[1] - x[0]) * (y[2] - y[0]) - (x[2] - x[0]) * (y[1] - y[0]);
}

int pe_raster_triangle(const double x[3], const double y[3], int cx0, int cy0, int cx1, int cy1,
                       pe_span *spans)
{
    if (!(pe_raster_area2(x, y) != 0.0)) /* also rejects NaN */
        return 0;
    int i0 = 0, i1 = 1, i2 = 2; /* sort by y: i0 top, i2 bottom */
    if (y[i1] < y[i0]) {
        int t = i0;
        i0 = i1;
        i1 = t;
    }
    if (y[i2] < y[i1]) {
        int t = i1;
        i1 = i2;
        i2 = t;
    }
    if (y[i1] < y[i0]) {
        int t = i0;
        i0 = i1;
        i1 = t;
    }
    const double ytop = y[i0], ymid = y[i1], ybot = y[i2];
    /* rows whose centre satisfies ytop <= y + 0.5 < ybot */
    double fy0 = ceil(ytop - 0.5), fy1 = ceil(ybot - 0.5);
    if (fy0 < cy0)
        fy0 = cy0;
    if (fy1 > cy1)
        fy1 = cy1;
    int n = 0;
    for (int yy = (int)fy0; yy < (int)fy1; yy++) {
        const double yc = yy + 0.5;
        const double xl = edge_x(x[i0], y[i0], x[i2], y[i2], yc);
        const double xs = yc < ymid ? edge_x(x[i0], y[i0], x[i1], y[i1], yc)
                                    : edge_x(x[i1], y[i1], x[i2], y[i2], yc);
        const double a = xl < xs ? xl : xs, b = xl < xs ? xs : xl;
        double fx0 = ceil(a - 0.5), fx1 = ceil(b - 0.5);
        if (fx0 < cx0)
            fx0 = cx0;
        if (fx1 > cx1)
            fx1 = cx1;
        if (fx0 < fx1) {
            spans[n].y = yy;
            spans[n].x0 = (int)fx0;
            spans[n].x1 = (int)fx1;
            n++;
        }
    }
    return n;
}
