/* test_raster: coverage matches the analytic area, shared edges are covered once, clipping. */
#include "raster.h"
#include "rng.h"
#include "test.h"

#include <stdlib.h>

enum { N = 256 };

static int covered(const double x[3], const double y[3], unsigned char *grid, int add)
{
    pe_span spans[N];
    const int ns = pe_raster_triangle(x, y, 0, 0, N, N, spans);
    int px = 0;
    for (int s = 0; s < ns; s++) {
        CHECK(spans[s].x0 < spans[s].x1);
        for (int i = spans[s].x0; i < spans[s].x1; i++) {
            if (grid)
                grid[spans[s].y * N + i] += (unsigned char)add;
            px++;
        }
    }
    return px;
}

static void coverage_matches_area(void)
{
    pe_rng r;
    pe_rng_seed(&r, 5, 0);
    double err = 0, area = 0;
    for (int t = 0; t < 200; t++) {
        double x[3], y[3];
        for (int i = 0; i < 3; i++) {
            x[i] = 20 + 200 * pe_rng_uniform(&r);
            y[i] = 20 + 200 * pe_rng_uniform(&r);
        }
        const double a = fabs(pe_raster_area2(x, y)) / 2;
        const int px = covered(x, y, NULL, 0);
        err += fabs(px - a);
        area += a;
        /* pixel-centre sampling: the error is bounded by about the perimeter */
        CHECK(fabs(px - a) <= 3 * 400 + 1);
    }
    CHECK(err / area < 0.02);
}

static void axis_aligned_exact(void)
{
    /* the right triangle (0,0) (10,0) (0,10) covers 10+9+...: centres strictly under x+y<10 */
    const double x[3] = { 0, 10, 0 }, y[3] = { 0, 0, 10 };
    CHECK(covered(x, y, NULL, 0) == 45);
    /* a 10x10 square as two triangles covers exactly 100 pixels, none twice */
    unsigned char *grid = calloc(N * N, 1);
    const double ax[3] = { 0, 10, 10 }, ay[3] = { 0, 0, 10 };
    const double bx[3] = { 0, 10, 0 }, by[3] = { 0, 10, 10 };
    CHECK(covered(ax, ay, grid, 1) + covered(bx, by, grid, 1) == 100);
    for (int i = 0; i < N * N; i++)
        CHECK(grid[i] <= 1);
    free(grid);
}

static void shared_edges_cover_once(void)
{
    pe_rng r;
    pe_rng_seed(&r, 9, 0);
    unsigned char *grid = calloc(N * N, 1);
    for (int t = 0; t < 100; t++) {
        /* a random quadrilateral split along a diagonal */
        double px[4], py[4];
        for (int i = 0; i < 4; i++) {
            px[i] = 10 + 230 * pe_rng_uniform(&r);
            py[i] = 10 + 230 * pe_rng_uniform(&r);
        }
        const double ax[3] = { px[0], px[1], px[2] }, ay[3] = { py[0], py[1], py[2] };
        const double bx[3] = { px[0], px[2], px[3] }, by[3] = { py[0], py[2], py[3] };
        /* only when the quad is convex do the two halves tile it without overlap */
        const double s1 = pe_raster_area2(ax, ay), s2 = pe_raster_area2(bx, by);
        const double c1 = (px[1] - px[0]) * (py[3] - py[0]) - (px[3] - px[0]) * (py[1] - py[0]);
        (void)c1;
        if ((s1 > 0) != (s2 > 0))
            continue;
        memset(grid, 0, N * N);
        covered(ax, ay, grid, 1);
        covered(bx, by, grid, 1);
        /* pixels along the diagonal: never twice */
        int twice = 0;
        for (int i = 0; i < N * N; i++)
            twice += grid[i] > 1;
        /* non-convex quads can overlap legitimately; for convex ones there is none */
        const double d1 = pe_raster_area2((double[]){ px[1], px[2], px[3] },
                                          (double[]){ py[1], py[2], py[3] });
        const double d0 = pe_raster_area2((double[]){ px[0], px[1], px[3] },
                                          (double[]){ py[0], py[1], py[3] });
        if ((d1 > 0) == (s1 > 0) && (d0 > 0) == (s1 > 0))
            CHECK(twice == 0);
    }
    free(grid);
}

static void clipping_and_degenerate(void)
{
    pe_span spans[N];
    const double x[3] = { -50, 300, -50 }, y[3] = { -50, -50, 300 };
    const int ns = pe_raster_triangle(x, y, 10, 20, 30, 40, spans);
    CHECK(ns == 20);
    for (int s = 0; s < ns; s++)
        CHECK(spans[s].x0 >= 10 && spans[s].x1 <= 30 && spans[s].y >= 20 && spans[s].y < 40);
    const double lx[3] = { 0, 5, 10 }, ly[3] = { 0, 5, 10 }; /* collinear */
    CHECK(pe_raster_triangle(lx, ly, 0, 0, N, N, spans) == 0);
    const double nx[3] = { 0, NAN, 10 }, ny[3] = { 0, 5, 10 };
    CHECK(pe_raster_triangle(nx, ny, 0, 0, N, N, spans) == 0);
    /* a thin sliver between pixel centres covers nothing */
    const double sx[3] = { 0.1, 100, 0.1 }, sy[3] = { 0.1, 0.2, 0.3 };
    CHECK(pe_raster_triangle(sx, sy, 0, 0, N, N, spans) == 0);
}

int main(int argc, char **argv)
{
    TEST_MAIN_BEGIN(argc, argv);
    RUN(coverage_matches_area);
    RUN(axis_aligned_exact);
    RUN(shared_edges_cover_once);
    RUN(clipping_and_degenerate);
    TEST_MAIN_END();
}
