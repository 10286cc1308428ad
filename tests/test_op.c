/* test_op: an op, run on its own copy of what it reads, reports the loss change its result
 * really makes (a full render says so), never makes its slot worse, and gives the same answer
 * on any worker; commit-time checks agree with a full render too. */
#include "core_fixtures.h"
#include "op.h"
#include "test.h"

enum { W = 48, H = 36, N = 10 };

typedef struct bench {
    pe_target t;
    pe_fit_style style;
    pe_brief b;
    pe_stack s;
    pe_worker wk, other;
} bench;

static void setup(bench *x, uint64_t seed)
{
    pe_rng r;
    pe_rng_seed(&r, seed, 0);
    x->t = fixture_picture(&r, W, H);
    x->style = (pe_fit_style){ 0 };
    x->b = fixture_brief(&x->t, &x->style, 20);
    fixture_stack(&r, W, H, N, &x->s);
    CHECK(pe_worker_init(&x->wk, &x->b) && pe_worker_init(&x->other, &x->b));
}

static void teardown(bench *x)
{
    pe_worker_free(&x->wk);
    pe_worker_free(&x->other);
    pe_stack_free(&x->s);
    free(x->t.rgba);
}

/* The op of kind at slot, issued against x->s and run on wk. */
static pe_op run(bench *x, pe_op_kind kind, int slot, const pe_box *win, pe_worker *wk)
{
    pe_op op = { .kind = kind, .slot = slot, .serial = 3 + (uint64_t)slot,
                 .cfg = kind == PE_OP_REFINE ? x->b.refine_cfg : x->b.add_cfg };
    if (win)
        op.win = *win;
    CHECK(pe_op_issue(&x->b, &x->s, &op));
    CHECK(pe_op_run(&x->b, &op, wk));
    return op;
}

/* tris without slot k, then t on top (t NULL: nothing on top). */
static int without_then(const pe_stack *s, int k, const pe_tri *t, pe_tri *out)
{
    int n = 0;
    for (int j = 0; j < s->n; j++)
        if (j != k)
            out[n++] = s->tris[j];
    if (t)
        out[n++] = *t;
    return n;
}

static void an_add_reports_its_loss_change(void)
{
    bench x;
    setup(&x, 1);
    const pe_box win = { 10, 5, 40, 30 };
    for (int w = 0; w < 2; w++) {
        pe_op op = run(&x, PE_OP_ADD, 0, w ? &win : NULL, &x.wk);
        pe_tri all[N + 1];
        memcpy(all, x.s.tris, sizeof(pe_tri) * N);
        all[N] = op.tri;
        const double before = fixture_loss(&x.t, x.s.tris, N);
        CHECK_NEAR(fixture_loss(&x.t, all, N + 1) - before, op.delta, 1e-6 * before);
        CHECK(op.delta < 0.0); /* random triangles leave plenty to fix */
        if (w) { /* found inside its window */
            const pe_box fp = pe_tri_footprint(&op.tri, W, H);
            CHECK(fp.x0 >= win.x0 - 1 && fp.x1 <= win.x1 + 1 && fp.y0 >= win.y0 - 1 &&
                  fp.y1 <= win.y1 + 1);
        }
        pe_op_free(&op);
    }
    teardown(&x);
}

static void a_refine_never_makes_its_slot_worse(void)
{
    bench x;
    setup(&x, 2);
    for (int k = 0; k < N; k += 3) {
        pe_op op = run(&x, PE_OP_REFINE, k, NULL, &x.wk);
        pe_tri rest[N];
        const int n = without_then(&x.s, k, NULL, rest);
        const double empty = fixture_loss(&x.t, rest, n);
        const double old = fixture_loss(&x.t, x.s.tris, N) - empty;
        pe_tri moved[N];
        memcpy(moved, x.s.tris, sizeof moved);
        moved[k] = op.tri;
        CHECK_NEAR(fixture_loss(&x.t, moved, N) - empty, op.delta, 1e-6 * empty);
        CHECK(op.delta <= old + 1e-9 * empty);
        pe_op_free(&op);
    }
    teardown(&x);
}

static void a_regrow_weighs_old_against_new(void)
{
    bench x;
    setup(&x, 3);
    const int k = 4;
    pe_op op = run(&x, PE_OP_REGROW, k, NULL, &x.wk);
    pe_tri rest[N + 1];
    const int n = without_then(&x.s, k, NULL, rest);
    const double empty = fixture_loss(&x.t, rest, n);
    CHECK_NEAR(fixture_loss(&x.t, x.s.tris, N) - empty, op.d_old, 1e-6 * empty);
    const int m = without_then(&x.s, k, &op.tri, rest);
    CHECK_NEAR(fixture_loss(&x.t, rest, m) - empty, op.delta, 1e-6 * empty);
    pe_op_free(&op);
    teardown(&x);
}

/* Same op, another worker (with other work done on it before): the same bits. */
static void any_worker_gives_the_same_answer(void)
{
    bench x;
    setup(&x, 4);
    pe_op warm = run(&x, PE_OP_REFINE, 2, NULL, &x.other); /* leaves its scratch used */
    pe_op a = run(&x, PE_OP_ADD, 0, NULL, &x.wk), b = run(&x, PE_OP_ADD, 0, NULL, &x.other);
    CHECK(pe_tri_same(&a.tri, &b.tri) && a.delta == b.delta && a.evals == b.evals);
    pe_op_free(&warm);
    pe_op_free(&a);
    pe_op_free(&b);
    teardown(&x);
}

/* The commit's check: the loss change of a triangle at a slot of the stack as it is, with its
 * colour re-fitted or not, slot skipped or not. */
static void commit_checks_agree_with_a_render(void)
{
    bench x;
    setup(&x, 5);
    pe_rng r;
    pe_rng_seed(&r, 9, 0);
    for (int trial = 0; trial < 20; trial++) {
        pe_tri t;
        fixture_tri_in(&r, W, H, &t);
        const int k = (int)pe_rng_below(&r, N);
        pe_tri rest[N + 1], with[N + 1];
        const int n = without_then(&x.s, k, NULL, rest);
        const double empty = fixture_loss(&x.t, rest, n);
        /* in slot k (refit: the colour changes) */
        pe_tri u = t;
        const double d = pe_op_delta_now(&x.b, &x.s, k, -1, &u, trial % 2 == 0, &x.wk);
        memcpy(with, x.s.tris, sizeof(pe_tri) * N);
        with[k] = u;
        CHECK_NEAR(fixture_loss(&x.t, with, N) - empty, d, 1e-6 * empty);
        if (trial % 2 == 0) { /* the re-fitted colour is no worse than the triangle's own */
            with[k] = t;
            CHECK(d <= fixture_loss(&x.t, with, N) - empty + 1e-9 * empty);
        }
        /* on top, slot k taken out (a regrow's check) */
        u = t;
        const double dt = pe_op_delta_now(&x.b, &x.s, N, k, &u, false, &x.wk);
        const int m = without_then(&x.s, k, &u, with);
        CHECK_NEAR(fixture_loss(&x.t, with, m) - empty, dt, 1e-6 * empty);
    }
    teardown(&x);
}

/* On a coarse level, a whole-canvas add is searched there and finished at full size: what it
 * reports is still the loss change at full size. */
static void a_coarse_search_reports_the_full_size_change(void)
{
    bench x;
    setup(&x, 6);
    CHECK(pe_target_reduce(&x.t, NULL, 16, &x.b.coarse) == PE_OK && x.b.coarse.f == 3);
    x.b.coarse_style = &x.style;
    pe_worker_free(&x.wk);
    CHECK(pe_worker_init(&x.wk, &x.b));
    pe_op op = run(&x, PE_OP_ADD, 0, NULL, &x.wk);
    pe_tri all[N + 1];
    memcpy(all, x.s.tris, sizeof(pe_tri) * N);
    all[N] = op.tri;
    const double before = fixture_loss(&x.t, x.s.tris, N);
    CHECK_NEAR(fixture_loss(&x.t, all, N + 1) - before, op.delta, 1e-6 * before);
    CHECK(op.delta < 0.0);
    pe_op_free(&op);
    pe_level_free(&x.b.coarse);
    teardown(&x);
}

int main(int argc, char **argv)
{
    TEST_MAIN_BEGIN(argc, argv);
    RUN(an_add_reports_its_loss_change);
    RUN(a_refine_never_makes_its_slot_worse);
    RUN(a_regrow_weighs_old_against_new);
    RUN(any_worker_gives_the_same_answer);
    RUN(commit_checks_agree_with_a_render);
    RUN(a_coarse_search_reports_the_full_size_change);
    TEST_MAIN_END();
}
