/* test_picture: the picture kept up to date where commits change it draws what a full render
 * draws; another picture handed the changes catches up; its error says where to sample. */
#include "core_fixtures.h"
#include "picture.h"
#include "test.h"

enum { W = 70, H = 45 }; /* not a multiple of the block size */

/* After random changes, each touched, the picture's loss is the full render's and its 8-bit
 * canvas is the full render's too. */
static void updates_match_a_full_render(void)
{
    pe_rng r;
    pe_rng_seed(&r, 3, 0);
    pe_target t = fixture_picture(&r, W, H);
    pe_stack s;
    fixture_stack(&r, W, H, 12, &s);
    pe_picture p, fresh;
    CHECK(pe_picture_init(&p, &t) == PE_OK);
    CHECK_REL(pe_picture_update(&p, &t, &s), fixture_loss(&t, s.tris, s.n), 1e-9);
    for (int step = 0; step < 30; step++) {
        const int k = (int)pe_rng_below(&r, (uint32_t)s.n);
        pe_tri n;
        fixture_tri_in(&r, W, H, &n);
        pe_box changed = pe_box_union(&s.fp[k], &(pe_box){ 0, 0, 0, 0 });
        if (step % 3 == 0) { /* a move in place */
            pe_stack_set(&s, k, &n, 0.0);
        } else { /* taken out, and a new one on top */
            pe_stack_remove(&s, k);
            pe_stack_push(&s, &n, 0.0);
        }
        const pe_box now = pe_tri_footprint(&n, W, H);
        changed = pe_box_union(&changed, &now);
        pe_picture_touch(&p, &changed);
        if (step % 4 == 3) { /* several changes between updates */
            const double e = pe_picture_update(&p, &t, &s);
            CHECK_REL(e, fixture_loss(&t, s.tris, s.n), 1e-9);
        }
    }
    (void)pe_picture_update(&p, &t, &s);
    CHECK(pe_picture_init(&fresh, &t) == PE_OK);
    (void)pe_picture_update(&fresh, &t, &s);
    CHECK(memcmp(p.canvas.rgba, fresh.canvas.rgba, (size_t)W * H * 4) == 0);
    CHECK(memcmp(p.err, fresh.err, (size_t)W * H * sizeof *p.err) == 0);
    pe_picture_free(&fresh);
    pe_picture_free(&p);
    pe_stack_free(&s);
    free(t.rgba);
}

/* Triangles pushed on top are drawn over the picture, bit for bit as drawing their blocks
 * again would, also mixed with moves in place and taken out between updates. */
static void pushes_draw_what_blocks_draw(void)
{
    pe_rng r;
    pe_rng_seed(&r, 5, 0);
    pe_target t = fixture_picture(&r, W, H);
    pe_stack s;
    fixture_stack(&r, W, H, 6, &s);
    CHECK(pe_stack_reserve(&s, 64));
    pe_picture p, fresh;
    CHECK(pe_picture_init(&p, &t) == PE_OK && p.comp);
    (void)pe_picture_update(&p, &t, &s);
    for (int step = 0; step < 40; step++) {
        pe_tri n;
        fixture_tri_in(&r, W, H, &n);
        if (step % 5 == 4) { /* a move in place among the pushes */
            const int k = (int)pe_rng_below(&r, (uint32_t)s.n);
            const pe_box old = s.fp[k];
            pe_stack_set(&s, k, &n, 0.0);
            const pe_box changed = pe_box_union(&old, &s.fp[k]);
            pe_picture_touch(&p, &changed);
        } else {
            pe_stack_push(&s, &n, 0.0);
            pe_picture_push(&p, &n, &s.fp[s.n - 1]);
        }
        if (step % 3 == 2) {
            const double e = pe_picture_update(&p, &t, &s);
            CHECK(e == pe_picture_update(&p, &t, &s)); /* nothing left to draw */
        }
    }
    (void)pe_picture_update(&p, &t, &s);
    CHECK(pe_picture_init(&fresh, &t) == PE_OK);
    (void)pe_picture_update(&fresh, &t, &s);
    CHECK(memcmp(p.canvas.rgba, fresh.canvas.rgba, (size_t)W * H * 4) == 0);
    CHECK(memcmp(p.err, fresh.err, (size_t)W * H * sizeof *p.err) == 0);
    CHECK(memcmp(p.comp, fresh.comp, (size_t)W * H * 4 * sizeof *p.comp) == 0);
    CHECK(memcmp(p.row_sse, fresh.row_sse, (size_t)H * sizeof *p.row_sse) == 0);
    pe_picture_free(&fresh);
    pe_picture_free(&p);
    pe_stack_free(&s);
    free(t.rgba);
}

/* A triangle within a few pixels of a random point: it changes a block or two. */
static void small_tri(pe_rng *r, int w, int h, pe_tri *t)
{
    const double cx = w * pe_rng_uniform(r), cy = h * pe_rng_uniform(r);
    fixture_tri_in(r, w, h, t);
    for (int i = 0; i < 3; i++) {
        t->x[i] = cx + 12.0 * (pe_rng_uniform(r) - 0.5);
        t->y[i] = cy + 12.0 * (pe_rng_uniform(r) - 0.5);
    }
}

/* The update drawn in bands of block rows, each on scratch of its own and in any order (as
 * threads draw them), is the update drawn at once, bit for bit: pushes, moves and removals
 * mixed. */
static void bands_draw_what_one_update_draws(void)
{
    enum { BW = 100, BH = 130 }; /* five block rows, the last one short */
    pe_rng r;
    pe_rng_seed(&r, 8, 0);
    pe_target t = fixture_picture(&r, BW, BH);
    pe_stack s;
    fixture_stack(&r, BW, BH, 10, &s);
    CHECK(pe_stack_reserve(&s, 64));
    for (int i = 0; i < 30; i++) { /* small ones, so that a change leaves most blocks as drawn */
        pe_tri n;
        small_tri(&r, BW, BH, &n);
        pe_stack_push(&s, &n, 0.0);
    }
    pe_picture one, banded;
    pe_picture_scratch sc[2];
    CHECK(pe_picture_init(&one, &t) == PE_OK && pe_picture_init(&banded, &t) == PE_OK);
    CHECK(pe_picture_scratch_init(&sc[0], BW) && pe_picture_scratch_init(&sc[1], BW));
    CHECK(banded.bh == 5);
    (void)pe_picture_update(&one, &t, &s);
    (void)pe_picture_update(&banded, &t, &s);
    for (int step = 0; step < 24; step++) {
        pe_tri n;
        small_tri(&r, BW, BH, &n);
        const int k = 10 + (int)pe_rng_below(&r, (uint32_t)(s.n - 10)); /* a small one */
        if (step % 3 != 2) { /* on top */
            pe_stack_push(&s, &n, 0.0);
            pe_picture_push(&one, &n, &s.fp[s.n - 1]);
            pe_picture_push(&banded, &n, &s.fp[s.n - 1]);
        } else { /* a move in place, or taken out */
            pe_box changed = s.fp[k];
            if (step % 2 == 0) {
                pe_stack_set(&s, k, &n, 0.0);
                changed = pe_box_union(&changed, &s.fp[k]);
            } else {
                pe_stack_remove(&s, k);
            }
            pe_picture_touch(&one, &changed);
            pe_picture_touch(&banded, &changed);
        }
        if (step % 4 != 3)
            continue;
        CHECK(pe_picture_stale(&banded));
        bool drew = false;
        for (int by = banded.bh - 1; by >= 0; by--) /* last band first */
            drew = pe_picture_draw_rows(&banded, &t, &s, by, by + 1, &sc[by % 2]) || drew;
        pe_picture_drawn(&banded, drew);
        CHECK(!pe_picture_stale(&banded));
        CHECK(pe_picture_update(&banded, &t, &s) == pe_picture_update(&one, &t, &s));
        CHECK(memcmp(one.canvas.rgba, banded.canvas.rgba, (size_t)BW * BH * 4) == 0);
        CHECK(memcmp(one.err, banded.err, (size_t)BW * BH * sizeof *one.err) == 0);
        CHECK(memcmp(one.comp, banded.comp, (size_t)BW * BH * 4 * sizeof *one.comp) == 0);
        CHECK(memcmp(one.row_err, banded.row_err, (size_t)BH * sizeof *one.row_err) == 0);
        CHECK(pe_picture_sample(&one, 0.37) == pe_picture_sample(&banded, 0.37));
    }
    for (int i = 0; i < 2; i++)
        pe_picture_scratch_free(&sc[i]);
    pe_picture_free(&one);
    pe_picture_free(&banded);
    pe_stack_free(&s);
    free(t.rgba);
}

/* A second picture that follows the same stack later catches up on the changes passed to it. */
static void a_second_picture_catches_up(void)
{
    pe_rng r;
    pe_rng_seed(&r, 4, 0);
    pe_target t = fixture_picture(&r, W, H);
    pe_stack s;
    fixture_stack(&r, W, H, 8, &s);
    pe_picture a, b;
    CHECK(pe_picture_init(&a, &t) == PE_OK && pe_picture_init(&b, &t) == PE_OK);
    (void)pe_picture_update(&a, &t, &s);
    pe_picture_pass(&a, &b);
    (void)pe_picture_update(&b, &t, &s);
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 4; i++) {
            const int k = (int)pe_rng_below(&r, (uint32_t)s.n);
            const pe_box old = s.fp[k];
            pe_tri n;
            fixture_tri_in(&r, W, H, &n);
            pe_stack_set(&s, k, &n, 0.0);
            const pe_box changed = pe_box_union(&old, &s.fp[k]);
            pe_picture_touch(&a, &changed);
        }
        (void)pe_picture_update(&a, &t, &s); /* the first picture's own updates... */
        pe_picture_pass(&a, &b);              /* ...do not take the changes from the second */
        const double e = pe_picture_update(&b, &t, &s);
        CHECK_REL(e, fixture_loss(&t, s.tris, s.n), 1e-9);
        CHECK(memcmp(a.canvas.rgba, b.canvas.rgba, (size_t)W * H * 4) == 0);
    }
    pe_picture_free(&a);
    pe_picture_free(&b);
    pe_stack_free(&s);
    free(t.rgba);
}

/* Samples land where the error is: never on a pixel without error when there is some, in
 * proportion to it; uniform when there is none. */
static void samples_follow_the_error(void)
{
    pe_target t = { .w = W, .h = H, .bg = { 0.5f, 0.5f, 0.5f, 1.0f } };
    t.rgba = malloc(sizeof(float) * 4 * W * H);
    for (int i = 0; i < W * H; i++) /* the background exactly, but one 5 x 5 patch */
        memcpy(t.rgba + 4 * i, t.bg, sizeof t.bg);
    for (int y = 10; y < 15; y++)
        for (int x = 60; x < 65; x++)
            t.rgba[4 * (y * W + x)] = 1.0f;
    pe_picture p;
    CHECK(pe_picture_init(&p, &t) == PE_OK);
    const pe_stack none = { .w = W, .h = H };
    (void)pe_picture_update(&p, &t, &none);
    for (int i = 0; i < 500; i++) {
        const size_t at = pe_picture_sample(&p, (i + 0.5) / 500.0);
        const int x = (int)(at % W), y = (int)(at / W);
        CHECK(x >= 60 && x < 65 && y >= 10 && y < 15);
    }
    for (int i = 0; i < W * H; i++)
        memcpy(t.rgba + 4 * i, t.bg, sizeof t.bg);
    const pe_box all = { 0, 0, W, H };
    pe_picture_touch(&p, &all);
    (void)pe_picture_update(&p, &t, &none);
    CHECK(pe_picture_sample(&p, 0.0) == 0);
    CHECK(pe_picture_sample(&p, 0.5) == (size_t)(W * H / 2));
    CHECK(pe_picture_sample(&p, 0.9999999) == (size_t)(W * H - 1));
    pe_picture_free(&p);
    free(t.rgba);
}

int main(int argc, char **argv)
{
    TEST_MAIN_BEGIN(argc, argv);
    RUN(updates_match_a_full_render);
    RUN(bands_draw_what_one_update_draws);
    RUN(a_second_picture_catches_up);
    RUN(pushes_draw_what_blocks_draw);
    RUN(samples_follow_the_error);
    TEST_MAIN_END();
}
