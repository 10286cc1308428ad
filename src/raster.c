/* raster: sub-row scan conversion of a triangle into antialiased coverage. */
#include "raster.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

bool pe_cover_init(pe_cover *cv, int max_w, int max_h)
{
    memset(cv, 0, sizeof *cv);
    max_w = max_w > 1 ? max_w : 1;
    max_h = max_h > 1 ? max_h : 1;
    cv->rows = malloc((size_t)max_h * sizeof *cv->rows);
    cv->px = malloc((size_t)max_w * (size_t)max_h * sizeof *cv->px);
    if (!cv->rows || !cv->px) {
        pe_cover_free(cv);
        return false;
    }
    return true;
}

void pe_cover_free(pe_cover *cv)
{
    if (!cv)
        return;
    free(cv->rows);
    free(cv->px);
    memset(cv, 0, sizeof *cv);
}

/* An edge in canonical order (top endpoint first, ties by x), so the two triangles sharing it
 * compute bit-identical crossings. */
typedef struct edge {
    double ax, ay, slope;
} edge;

static edge make_edge(double ax, double ay, double bx, double by)
{
    if (ay > by || (ay == by && ax > bx)) {
        double t = ax;
        ax = bx;
        bx = t;
        t = ay;
        ay = by;
        by = t;
    }
    return (edge){ ax, ay, (bx - ax) / (by - ay) };
}

static double edge_x(const edge *e, double yc)
{
    return e->ax + (yc - e->ay) * e->slope;
}

double pe_raster_area2(const double x[3], const double y[3])
{
    return (x[1] - x[0]) * (y[2] - y[0]) - (x[2] - x[0]) * (y[1] - y[0]);
}

int pe_raster_cover(const double x[3], const double y[3], int cx0, int cy0, int cx1, int cy1,
                    const pe_cover *cv)
{
    int nrows = 0, npx = 0;
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
    /* long: top to bottom; upper and lower: the other two (unused when flat, never evaluated) */
    const edge el = make_edge(x[i0], y[i0], x[i2], y[i2]);
    const edge eu = ymid > ytop ? make_edge(x[i0], y[i0], x[i1], y[i1]) : el;
    const edge ed = ybot > ymid ? make_edge(x[i1], y[i1], x[i2], y[i2]) : el;
    double fy0 = floor(ytop), fy1 = ceil(ybot);
    if (fy0 < cy0)
        fy0 = cy0;
    if (fy1 > cy1)
        fy1 = cy1;
    const double inv = 1.0 / PE_RASTER_SUB;
    for (int yy = (int)fy0; yy < (int)fy1; yy++) {
        double a[PE_RASTER_SUB], b[PE_RASTER_SUB];
        int full = 0;
        double amin = HUGE_VAL, amax = -HUGE_VAL, bmin = HUGE_VAL, bmax = -HUGE_VAL;
        for (int s = 0; s < PE_RASTER_SUB; s++) {
            const double ys = yy + (s + 0.5) * inv;
            if (!(ytop <= ys && ys < ybot))
                continue;
            const double xl = edge_x(&el, ys);
            const double xs = ys < ymid ? edge_x(&eu, ys) : edge_x(&ed, ys);
            double lo = xl < xs ? xl : xs, hi = xl < xs ? xs : xl;
            lo = lo < cx0 ? cx0 : lo;
            hi = hi > cx1 ? cx1 : hi;
            if (!(lo < hi))
                continue;
            a[full] = lo; /* compacted: only the non-empty sub-rows */
            b[full] = hi;
            full++;
            amin = lo < amin ? lo : amin;
            amax = lo > amax ? lo : amax;
            bmin = hi < bmin ? hi : bmin;
            bmax = hi > bmax ? hi : bmax;
        }
        if (full == 0)
            continue;
        /* pixels every non-empty sub-row covers fully share one coverage */
        const int lo = (int)floor(amin), hi = (int)ceil(bmax);
        int in0 = (int)ceil(amax), in1 = (int)floor(bmin);
        if (in0 >= in1)
            in0 = in1 = hi;
        pe_cover_row *row = &cv->rows[nrows];
        row->y = yy;
        row->x0 = in0;
        row->x1 = in1;
        row->c = (float)(full * inv);
        row->e0 = npx;
        for (int px = lo; px < hi; px++) {
            if (px == in0 && in0 < in1) {
                px = in1 - 1;
                continue;
            }
            double c = 0.0;
            for (int s = 0; s < full; s++) {
                const double l = a[s] > px ? a[s] : px, r = b[s] < px + 1 ? b[s] : px + 1;
                c += r > l ? r - l : 0.0;
            }
            if (c > 0.0)
                cv->px[npx++] = (pe_cover_px){ px, (float)(c * inv) };
        }
        row->ne = npx - row->e0;
        if (row->ne > 0 || row->x0 < row->x1)
            nrows++;
    }
    return nrows;
}
