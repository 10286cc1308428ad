/* bezier: cubic Bézier curves and the C1 spline of cubic segments that the flight animation
 * moves triangles along. Pure geometry: no randomness, no images. */
#ifndef PE_BEZIER_H
#define PE_BEZIER_H

#include <stddef.h>

typedef struct pe_vec2 {
    double x, y;
} pe_vec2;

/* The most anchors a spline may have (bounds the stack arrays of its users). */
#define PE_BEZIER_MAX_ANCHORS 16

/* The point at t in [0, 1] of the cubic with end points p0, p3 and control points c1, c2
 * (Bernstein form). t = 0 gives p0 and t = 1 gives p3 exactly. */
pe_vec2 pe_bezier_point(pe_vec2 p0, pe_vec2 c1, pe_vec2 c2, pe_vec2 p3, double t);

/* A spline through n anchors (2 <= n <= PE_BEZIER_MAX_ANCHORS): n - 1 cubic segments, each
 * covering an equal share of u in [0, 1]. Tangents are Catmull-Rom's (A[k+1] - A[k-1]) / 2 at
 * interior anchors, A[1] - A[0] at the first and zero at the last (it arrives at rest), and
 * segment k's control points are A[k] + m[k] / 3 and A[k+1] - m[k+1] / 3: position and
 * velocity are continuous in u (C1). ctrl receives 2 * (n - 1) control points. */
void pe_bezier_spline(const pe_vec2 *anchors, size_t n, pe_vec2 *ctrl);

/* The spline's point at u (clamped to [0, 1]); u = 1 gives the last anchor exactly. */
pe_vec2 pe_bezier_spline_at(const pe_vec2 *anchors, const pe_vec2 *ctrl, size_t n, double u);

#endif
