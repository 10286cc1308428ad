/* animate: the flight animation's frames (pe_animate_frame): when each triangle flies, along
 * which path (anchors drawn from a PCG32 stream per triangle), and where it is at a frame. */
#include "bezier.h"
#include "rng.h"
#include "state.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { ANCHORS = 5 };

/* The point at fraction `at` (any real; taken modulo 1) of the perimeter of the rectangle
 * [x0, x1] x [y0, y1], walked clockwise from the top-left corner. */
static pe_vec2 on_perimeter(double x0, double y0, double x1, double y1, double at)
{
    const double w = x1 - x0, h = y1 - y0;
    double d = (at - floor(at)) * 2.0 * (w + h);
    pe_vec2 p;
    if (d < w) {
        p.x = x0 + d, p.y = y0;
    } else if ((d -= w) < h) {
        p.x = x1, p.y = y0 + d;
    } else if ((d -= h) < w) {
        p.x = x1 - d, p.y = y1;
    } else {
        d -= w;
        p.x = x0, p.y = y1 - fmin(d, h);
    }
    return p;
}

/* The anchors of triangle i's path, as shifts from its final place (the last one is 0).
 * The first two put the centroid on a ring so far out that the whole triangle (its vertices
 * lie within rx, ry of the centroid) is at least 1 px off the canvas; the next two close in
 * with random sideways wobble; the path then lands. */
static void flight_anchors(const pe_result *fin, const pe_triangle *t, uint64_t seed, size_t i,
                           pe_vec2 *a)
{
    pe_rng rng;
    pe_rng_seed(&rng, seed, (uint64_t)i);
    const double cx = ((double)t->x[0] + (double)t->x[1] + (double)t->x[2]) / 3.0;
    const double cy = ((double)t->y[0] + (double)t->y[1] + (double)t->y[2]) / 3.0;
    double rx = 0.0, ry = 0.0;
    for (int k = 0; k < 3; k++) {
        rx = fmax(rx, fabs((double)t->x[k] - cx));
        ry = fmax(ry, fabs((double)t->y[k] - cy));
    }
    const double w = fin->width, h = fin->height, side = fmax(w, h);
    const double at = pe_rng_uniform(&rng);
    for (int k = 0; k < 2; k++) {
        /* the second anchor: a closer ring, up to a sixth of the way round from the first */
        const double spread =
            k == 0 ? 0.05 + 0.20 * pe_rng_uniform(&rng) : 0.02 + 0.10 * pe_rng_uniform(&rng);
        const double margin = spread * side + 1.0;
        const double along = k == 0 ? at : at + (pe_rng_uniform(&rng) - 0.5) / 3.0;
        const pe_vec2 q =
            on_perimeter(-rx - margin, -ry - margin, w + rx + margin, h + ry + margin, along);
        a[k].x = q.x - cx;
        a[k].y = q.y - cy;
    }
    static const double pull[2] = { 0.40, 0.12 }; /* how much of the outside shift is left */
    for (int k = 0; k < 2; k++) {
        const double jx = (pe_rng_uniform(&rng) - 0.5) * pull[k] * w;
        const double jy = (pe_rng_uniform(&rng) - 0.5) * pull[k] * h;
        a[2 + k].x = pull[k] * a[1].x + jx;
        a[2 + k].y = pull[k] * a[1].y + jy;
    }
    a[4].x = a[4].y = 0.0;
}

/* Where a triangle is in its flight at time `now`: < 0 not started, >= 1 landed. */
static double progress(size_t i, size_t n, double now)
{
    const double start = n > 1 ? (1.0 - PE_ANIMATE_FLIGHT) * (double)i / (double)(n - 1) : 0.0;
    if (now >= 1.0)
        return 1.0; /* the last frame: everything has landed, whatever the rounding */
    if (now < start)
        return -1.0;
    return (now - start) / PE_ANIMATE_FLIGHT;
}

pe_status pe_animate_frame(const pe_result *fin, int frame, int frames, uint64_t seed,
                           pe_result *out)
{
    if (!out)
        return PE_ERR_INVALID_ARG;
    memset(out, 0, sizeof *out);
    if (frames < 1 || frame < 0 || frame >= frames || pe_state_check(fin, false) != PE_OK)
        return PE_ERR_INVALID_ARG;
    pe_triangle *tris = malloc((fin->count ? fin->count : 1) * sizeof *tris);
    if (!tris)
        return PE_ERR_NOMEM;
    const double now = frames > 1 ? (double)frame / (double)(frames - 1) : 1.0;
    size_t count = 0;
    for (size_t i = 0; i < fin->count; i++) {
        const double p = progress(i, fin->count, now);
        if (p < 0.0)
            break; /* start times grow with i: nobody after i has started either */
        pe_triangle t = fin->triangles[i];
        if (p < 1.0) {
            pe_vec2 a[ANCHORS], ctrl[2 * (ANCHORS - 1)];
            flight_anchors(fin, &t, seed, i, a);
            pe_bezier_spline(a, ANCHORS, ctrl);
            const pe_vec2 s = pe_bezier_spline_at(a, ctrl, ANCHORS, p);
            for (int k = 0; k < 3; k++) {
                t.x[k] = (float)((double)t.x[k] + s.x);
                t.y[k] = (float)((double)t.y[k] + s.y);
            }
        }
        tris[count++] = t;
    }
    *out = *fin;
    out->triangles = tris;
    out->count = count;
    return PE_OK;
}
