/* test_stack: triangles keep their names while others come and go or move to another depth,
 * footprints hold every pixel a triangle draws, and the boxes and the export behave as stack.h
 * says. */
#include "core_fixtures.h"
#include "stack.h"
#include "test.h"

enum { W = 40, H = 30 };

static void names_follow_their_triangles(void)
{
    pe_rng r;
    pe_rng_seed(&r, 1, 0);
    pe_stack s;
    fixture_stack(&r, W, H, 5, &s);
    uint32_t id[5];
    pe_tri t[5];
    for (int k = 0; k < 5; k++) {
        id[k] = s.id[k];
        t[k] = s.tris[k];
    }
    pe_stack_remove(&s, 1); /* slots above move down one */
    CHECK(s.n == 4);
    CHECK(pe_stack_find(&s, id[1], 1) == -1);
    CHECK(pe_stack_find(&s, id[3], 3) == 2); /* looked for from its old slot, found below */
    CHECK(pe_stack_find(&s, id[4], 4) == 3);
    CHECK(pe_stack_find(&s, id[0], 0) == 0);
    CHECK(pe_tri_same(&s.tris[2], &t[3]));
    pe_tri n;
    fixture_tri_in(&r, W, H, &n);
    pe_stack_set(&s, 0, &n, -5.0); /* a new triangle in the slot keeps the name */
    CHECK(s.id[0] == id[0] && pe_tri_same(&s.tris[0], &n) && s.use[0] == -5.0);
    CHECK(pe_box_overlap(&s.fp[0], &s.fp[0]) || s.fp[0].x1 <= s.fp[0].x0);
    pe_stack_push(&s, &t[1], 0.0); /* a triangle pushed again is a new one */
    CHECK(s.id[4] != id[1] && s.n == 5);
    for (int a = 0; a < s.n; a++)
        for (int b = a + 1; b < s.n; b++)
            CHECK(s.id[a] != s.id[b]);
    pe_stack_free(&s);
}

/* Every pixel a triangle's coverage reaches is inside its footprint; footprints are cut to
 * the canvas, and one that misses it is empty. */
static void footprints_hold_what_is_drawn(void)
{
    pe_rng r;
    pe_rng_seed(&r, 2, 0);
    pe_cover cov;
    CHECK(pe_cover_init(&cov, W, H));
    for (int trial = 0; trial < 200; trial++) {
        pe_tri t;
        fixture_tri_in(&r, W, H, &t);
        const pe_box b = pe_tri_footprint(&t, W, H);
        CHECK(b.x0 >= 0 && b.y0 >= 0 && b.x1 <= W && b.y1 <= H);
        const int nr = pe_raster_cover(t.x, t.y, 0, 0, W, H, &cov);
        for (int i = 0; i < nr; i++) {
            const pe_cover_row *row = &cov.rows[i];
            CHECK(row->y >= b.y0 && row->y < b.y1);
            if (row->x0 < row->x1)
                CHECK(row->x0 >= b.x0 && row->x1 <= b.x1);
            for (int e = row->e0; e < row->e0 + row->ne; e++)
                CHECK(cov.px[e].x >= b.x0 && cov.px[e].x < b.x1);
        }
    }
    const pe_tri away = { .x = { -50, -40, -45 }, .y = { 5, 5, 20 }, .rgba = { 1, 2, 3, 255 } };
    const pe_box none = pe_tri_footprint(&away, W, H);
    CHECK(none.x1 <= none.x0);
    pe_cover_free(&cov);
}

static void boxes(void)
{
    const pe_box a = { 0, 0, 10, 10 }, b = { 10, 0, 20, 10 }, c = { 9, 9, 12, 12 };
    CHECK(!pe_box_overlap(&a, &b)); /* [0, 10) and [10, 20) share no pixel */
    CHECK(pe_box_overlap(&a, &c) && pe_box_overlap(&b, &c));
    const pe_box u = pe_box_union(&a, &b);
    CHECK(u.x0 == 0 && u.y0 == 0 && u.x1 == 20 && u.y1 == 10);
    const pe_box empty = { 0, 0, 0, 0 };
    const pe_box ue = pe_box_union(&empty, &c);
    CHECK(ue.x0 == 9 && ue.x1 == 12);
    const pe_box near_edge = pe_box_around(2.0, 29.0, 10, W, H); /* moved inside */
    CHECK(near_edge.x0 == 0 && near_edge.x1 == 10 && near_edge.y1 == H && near_edge.y0 == H - 10);
    const pe_box wide = pe_box_around(20.0, 15.0, 100, W, H); /* no larger than the canvas */
    CHECK(wide.x0 == 0 && wide.x1 == W && wide.y0 == 0 && wide.y1 == H);
}

/* The export scales to the input's pixels and rounds to 1/100 px once. */
static void export_scales_and_rounds(void)
{
    const pe_tri t = { .x = { 1.0 / 3.0, 10.0, 20.005 }, .y = { 0.0, 7.126, 15.0 },
                       .rgba = { 10, 20, 30, 40 } };
    pe_triangle out;
    pe_tris_export(&t, 1, 20, 15, 40, 45, &out); /* x twice, y three times */
    CHECK_NEAR(out.x[0], 0.67, 1e-6);
    CHECK_NEAR(out.x[1], 20.0, 1e-6);
    CHECK_NEAR(out.y[1], 21.38, 1e-5);
    CHECK(out.r == 10 && out.g == 20 && out.b == 30 && out.a == 40);
}

enum { N = 6 };

/* A stack of N triangles; triangle i's first vertex is at x = i, its use is -i. */
static void fill(pe_stack *s)
{
    memset(s, 0, sizeof *s);
    s->w = s->h = 32;
    CHECK(pe_stack_reserve(s, N));
    for (int i = 0; i < N; i++) {
        const pe_tri t = { .x = { i, i + 4, i }, .y = { 0, 0, 4 + i }, .rgba = { 1, 2, 3, 255 } };
        pe_stack_push(s, &t, -i);
    }
}

static void move_keeps_each_triangle_whole(void)
{
    static const struct {
        int from, to;
        int order[N]; /* the names bottom to top afterwards */
    } cases[] = {
        { 1, 4, { 0, 2, 3, 4, 1, 5 } }, { 4, 1, { 0, 4, 1, 2, 3, 5 } },
        { 0, 5, { 1, 2, 3, 4, 5, 0 } }, { 5, 0, { 5, 0, 1, 2, 3, 4 } },
        { 2, 2, { 0, 1, 2, 3, 4, 5 } }, { 3, 4, { 0, 1, 2, 4, 3, 5 } },
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        pe_stack s;
        fill(&s);
        pe_stack_move(&s, cases[c].from, cases[c].to);
        for (int k = 0; k < N; k++) {
            const int i = cases[c].order[k];
            CHECK(s.id[k] == (uint32_t)i);
            CHECK(s.tris[k].x[0] == i && s.use[k] == -i);
            const pe_box fp = pe_tri_footprint(&s.tris[k], s.w, s.h);
            CHECK(!memcmp(&fp, &s.fp[k], sizeof fp));
            /* found from any hint, up or down */
            for (int hint = -1; hint <= N; hint++)
                CHECK(pe_stack_find(&s, (uint32_t)i, hint) == k);
        }
        CHECK(pe_stack_find(&s, N + 1, 2) == -1);
        pe_stack_free(&s);
    }
}

int main(int argc, char **argv)
{
    TEST_MAIN_BEGIN(argc, argv);
    RUN(names_follow_their_triangles);
    RUN(footprints_hold_what_is_drawn);
    RUN(boxes);
    RUN(export_scales_and_rounds);
    RUN(move_keeps_each_triangle_whole);
    TEST_MAIN_END();
}
