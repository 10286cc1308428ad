/* bezier: cubic Bézier segments joined into a C1 spline (the flight paths of animate). */
#include "bezier.h"

#include <assert.h>

pe_vec2 pe_bezier_point(pe_vec2 p0, pe_vec2 c1, pe_vec2 c2, pe_vec2 p3, double t)
{
    const double s = 1.0 - t;
    const double b0 = s * s * s, b1 = 3.0 * s * s * t, b2 = 3.0 * s * t * t, b3 = t * t * t;
    const pe_vec2 p = { b0 * p0.x + b1 * c1.x + b2 * c2.x + b3 * p3.x,
                        b0 * p0.y + b1 * c1.y + b2 * c2.y + b3 * p3.y };
    return p;
}

static pe_vec2 tangent(const pe_vec2 *a, size_t n, size_t k)
{
    pe_vec2 m = { 0.0, 0.0 };
    if (k == 0) {
        m.x = a[1].x - a[0].x;
        m.y = a[1].y - a[0].y;
    } else if (k + 1 < n) {
        m.x = 0.5 * (a[k + 1].x - a[k - 1].x);
        m.y = 0.5 * (a[k + 1].y - a[k - 1].y);
    } /* the last anchor: zero, so the path comes to rest there */
    return m;
}

void pe_bezier_spline(const pe_vec2 *anchors, size_t n, pe_vec2 *ctrl)
{
    assert(n >= 2 && n <= PE_BEZIER_MAX_ANCHORS);
    for (size_t k = 0; k + 1 < n; k++) {
        /* a cubic's derivative at its ends is 3 (c1 - p0) and 3 (p3 - c2): with these control
         * points both equal the shared tangent, which makes the joints C1 */
        const pe_vec2 m0 = tangent(anchors, n, k), m1 = tangent(anchors, n, k + 1);
        ctrl[2 * k].x = anchors[k].x + m0.x / 3.0;
        ctrl[2 * k].y = anchors[k].y + m0.y / 3.0;
        ctrl[2 * k + 1].x = anchors[k + 1].x - m1.x / 3.0;
        ctrl[2 * k + 1].y = anchors[k + 1].y - m1.y / 3.0;
    }
}

pe_vec2 pe_bezier_spline_at(const pe_vec2 *anchors, const pe_vec2 *ctrl, size_t n, double u)
{
    assert(n >= 2);
    const size_t segments = n - 1;
    if (!(u > 0.0))
        return anchors[0];
    if (u >= 1.0)
        return anchors[n - 1];
    const double x = u * (double)segments;
    size_t k = (size_t)x;
    if (k >= segments)
        k = segments - 1;
    return pe_bezier_point(anchors[k], ctrl[2 * k], ctrl[2 * k + 1], anchors[k + 1], x - (double)k);
}
