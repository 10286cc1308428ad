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

/* A triangle's three edges with its vertices sorted by y. */
typedef struct tri_edges {
    double ytop, ymid, ybot;
    edge el, eu, ed; /* long: top to bottom; upper and lower: the other two */
} tri_edges;

static tri_edges edges_of(const double x[3], const double y[3])
{
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
    tri_edges t = { .ytop = y[i0], .ymid = y[i1], .ybot = y[i2] };
    t.el = make_edge(x[i0], y[i0], x[i2], y[i2]);
    /* a flat part's edge is never evaluated: it gets the long one rather than a 0/0 slope */
    t.eu = t.ymid > t.ytop ? make_edge(x[i0], y[i0], x[i1], y[i1]) : t.el;
    t.ed = t.ybot > t.ymid ? make_edge(x[i1], y[i1], x[i2], y[i2]) : t.el;
    return t;
}

/* Where sub-row (or row centre) ys crosses the triangle's two edges, in no particular order. */
static void crossings(const tri_edges *t, double ys, double *xa, double *xb)
{
    *xa = edge_x(&t->el, ys);
    *xb = ys < t->ymid ? edge_x(&t->eu, ys) : edge_x(&t->ed, ys);
}

/* Whether the triangle lies left or right of the clip's columns, a pixel clear of it (a
 * crossing's rounding never reaches that far): its rows would all be empty. */
static bool beside(const double x[3], int cx0, int cx1)
{
    const double lo = fmin(x[0], fmin(x[1], x[2])), hi = fmax(x[0], fmax(x[1], x[2]));
    return hi < cx0 - 1.0 || lo > cx1 + 1.0;
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
    if (beside(x, cx0, cx1))
        return 0;
    const tri_edges te = edges_of(x, y);
    const double ytop = te.ytop, ybot = te.ybot;
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
            double xl, xs;
            crossings(&te, ys, &xl, &xs);
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

int pe_raster_centers(const double x[3], const double y[3], int cx0, int cy0, int cx1, int cy1,
                      const pe_cover *cv)
{
    int nrows = 0;
    if (!(pe_raster_area2(x, y) != 0.0))
        return 0;
    const tri_edges te = edges_of(x, y);
    /* rows whose centre yy + 0.5 lies in [ytop, ybot) */
    double fy0 = ceil(te.ytop - 0.5), fy1 = ceil(te.ybot - 0.5);
    if (fy0 < cy0)
        fy0 = cy0;
    if (fy1 > cy1)
        fy1 = cy1;
    for (int yy = (int)fy0; yy < (int)fy1; yy++) {
        const double yc = yy + 0.5;
        double xl, xs;
        crossings(&te, yc, &xl, &xs);
        double lo = ceil((xl < xs ? xl : xs) - 0.5), hi = ceil((xl < xs ? xs : xl) - 0.5);
        lo = lo < cx0 ? cx0 : lo;
        hi = hi > cx1 ? cx1 : hi;
        if (!(lo < hi))
            continue;
        cv->rows[nrows++] = (pe_cover_row){ .y = yy, .x0 = (int)lo, .x1 = (int)hi, .c = 1.0f };
    }
    return nrows;
}
