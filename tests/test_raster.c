/* test_raster: coverage matches the analytic area, shared edges split pixels exactly, clipping. */
#include "raster.h"
#include "rng.h"
#include "test.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum { N = 256 };

static pe_cover cov;

/* Sum of the triangle's coverage; with grid, add it into grid (floats, N x N). */
static double covered(const double x[3], const double y[3], float *grid)
{
    const int nr = pe_raster_cover(x, y, 0, 0, N, N, &cov);
    double sum = 0;
    for (int r = 0; r < nr; r++) {
        const pe_cover_row *row = &cov.rows[r];
        CHECK(row->x0 <= row->x1 && row->c > 0.0f && row->c <= 1.0f);
        CHECK(row->x0 < row->x1 || row->ne > 0);
        for (int i = row->x0; i < row->x1; i++) {
            if (grid)
                grid[row->y * N + i] += row->c;
            sum += (double)row->c;
        }
        for (int e = row->e0; e < row->e0 + row->ne; e++) {
            const pe_cover_px *p = &cov.px[e];
            CHECK(p->c > 0.0f && p->c <= 1.0f && (p->x < row->x0 || p->x >= row->x1));
            if (grid)
                grid[row->y * N + p->x] += p->c;
            sum += (double)p->c;
        }
    }
    return sum;
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
        const double px = covered(x, y, NULL);
        err += fabs(px - a);
        area += a;
        /* sub-row sampling: exact in x, so the error comes from the rows' y sampling only */
        CHECK(fabs(px - a) <= 0.01 * a + 2.0);
    }
    CHECK(err / area < 0.002);
}

static void axis_aligned_exact(void)
{
    /* the right triangle (0,0) (10,0) (0,10): area 50, exact on sub-rows up to their sampling */
    const double x[3] = { 0, 10, 0 }, y[3] = { 0, 0, 10 };
    CHECK_NEAR(covered(x, y, NULL), 50.0, 1e-9);
    /* a 10x10 square as two triangles covers exactly 100 pixels, each exactly once */
    float *grid = calloc(N * N, sizeof *grid);
    const double ax[3] = { 0, 10, 10 }, ay[3] = { 0, 0, 10 };
    const double bx[3] = { 0, 10, 0 }, by[3] = { 0, 10, 10 };
    CHECK_NEAR(covered(ax, ay, grid) + covered(bx, by, grid), 100.0, 1e-9);
    for (int yy = 0; yy < N; yy++)
        for (int xx = 0; xx < N; xx++)
            CHECK_NEAR(grid[yy * N + xx], xx < 10 && yy < 10 ? 1.0 : 0.0, 1e-6);
    /* a half-pixel-wide vertical bar: half coverage in one column */
    const double vx[3] = { 3.0, 3.5, 3.5 }, vy[3] = { 0, 0, 8 };
    const double wx[3] = { 3.0, 3.5, 3.0 }, wy[3] = { 0, 8, 8 };
    memset(grid, 0, N * N * sizeof *grid);
    covered(vx, vy, grid);
    covered(wx, wy, grid);
    for (int yy = 0; yy < 8; yy++)
        CHECK_NEAR(grid[yy * N + 3], 0.5, 1e-6);
    free(grid);
}

static void shared_edges_cover_once(void)
{
    pe_rng r;
    pe_rng_seed(&r, 9, 0);
    float *grid = calloc(N * N, sizeof *grid);
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
        memset(grid, 0, N * N * sizeof *grid);
        covered(ax, ay, grid);
        covered(bx, by, grid);
        /* pixels along the diagonal: split between the two, never more than whole */
        int twice = 0;
        for (int i = 0; i < N * N; i++)
            twice += grid[i] > 1.0f + 1e-5f;
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
    const double x[3] = { -50, 300, -50 }, y[3] = { -50, -50, 300 };
    const int nr = pe_raster_cover(x, y, 10, 20, 30, 40, &cov);
    CHECK(nr == 20);
    for (int r = 0; r < nr; r++) {
        const pe_cover_row *row = &cov.rows[r];
        CHECK(row->x0 == 10 && row->x1 == 30 && row->c == 1.0f && row->ne == 0);
        CHECK(row->y >= 20 && row->y < 40);
    }
    const double lx[3] = { 0, 5, 10 }, ly[3] = { 0, 5, 10 }; /* collinear */
    CHECK(pe_raster_cover(lx, ly, 0, 0, N, N, &cov) == 0);
    const double nx[3] = { 0, NAN, 10 }, ny[3] = { 0, 5, 10 };
    CHECK(pe_raster_cover(nx, ny, 0, 0, N, N, &cov) == 0);
    /* a thin sliver between sub-rows covers nothing; one across a sub-row covers a little */
    const double sx[3] = { 0.1, 100, 0.1 }, sy[3] = { 0.13, 0.14, 0.15 };
    CHECK(pe_raster_cover(sx, sy, 0, 0, N, N, &cov) == 0);
    const double tx[3] = { 0.1, 100, 0.1 }, ty[3] = { 0.1, 0.125, 0.2 };
    CHECK(pe_raster_cover(tx, ty, 0, 0, N, N, &cov) == 1);
    CHECK(covered(tx, ty, NULL) > 0.0 && covered(tx, ty, NULL) < 25.0);
}

/* The screen's raster: exactly the pixels whose centres a point-in-triangle test puts inside
 * (centres on an edge are left out of the comparison: either answer is fine there). */
static void centers_match_point_test(void)
{
    pe_rng r;
    pe_rng_seed(&r, 9, 0);
    int compared = 0;
    for (int t = 0; t < 200; t++) {
        double x[3], y[3];
        for (int i = 0; i < 3; i++) {
            x[i] = -30 + 120 * pe_rng_uniform(&r);
            y[i] = -30 + 120 * pe_rng_uniform(&r);
        }
        const int cx0 = 5, cy0 = 3, cx1 = 70, cy1 = 64; /* a clip inside the grid */
        static unsigned char in[N * N];
        memset(in, 0, sizeof in);
        const int nr = pe_raster_centers(x, y, cx0, cy0, cx1, cy1, &cov);
        for (int k = 0; k < nr; k++) {
            const pe_cover_row *row = &cov.rows[k];
            CHECK(row->c == 1.0f && row->ne == 0 && row->x0 < row->x1);
            CHECK(row->x0 >= cx0 && row->x1 <= cx1 && row->y >= cy0 && row->y < cy1);
            CHECK(k == 0 || row->y > cov.rows[k - 1].y);
            for (int i = row->x0; i < row->x1; i++)
                in[row->y * N + i] = 1;
        }
        const double s = pe_raster_area2(x, y) > 0 ? 1.0 : -1.0;
        for (int py = 0; py < 80; py++)
            for (int px = 0; px < 80; px++) {
                const double cx = px + 0.5, cy = py + 0.5;
                double d[3], dmin = HUGE_VAL;
                for (int e = 0; e < 3; e++) {
                    const int a = e, b = (e + 1) % 3;
                    const double ex = x[b] - x[a], ey = y[b] - y[a];
                    d[e] = s * (ex * (cy - y[a]) - ey * (cx - x[a])) / sqrt(ex * ex + ey * ey);
                    dmin = d[e] < dmin ? d[e] : dmin;
                }
                if (fabs(dmin) < 1e-9)
                    continue;
                const bool inside = dmin > 0 && px >= cx0 && px < cx1 && py >= cy0 && py < cy1;
                CHECK(in[py * N + px] == inside);
                compared++;
            }
    }
    CHECK(compared > 200 * 80 * 80 - 100);
    const double lx[3] = { 0, 5, 10 }, ly[3] = { 0, 5, 10 }; /* collinear */
    CHECK(pe_raster_centers(lx, ly, 0, 0, N, N, &cov) == 0);
}

int main(int argc, char **argv)
{
    TEST_MAIN_BEGIN(argc, argv);
    if (!pe_cover_init(&cov, N, N))
        return 1;
    RUN(coverage_matches_area);
    RUN(axis_aligned_exact);
    RUN(shared_edges_cover_once);
    RUN(clipping_and_degenerate);
    RUN(centers_match_point_test);
    TEST_MAIN_END();
}
