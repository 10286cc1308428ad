/* test_sched: the scheduler issues the run's sequence (adds, then rounds each ending with a
 * regrow), keeps new triangles' windows apart while they are in flight, gives new
 * triangles the search of the pace the run is at, and commits in order: an op that meets a
 * commit it did not see is checked again against the stack as it is, and kept only if it still
 * improves; a triangle moved to another depth lands next to the triangle it was placed by. */
#include "core_fixtures.h"
#include "sched.h"
#include "test.h"

typedef struct bench {
    pe_target t;
    pe_fit_style style;
    pe_brief b;
    pe_sched s;
    pe_worker wk;
} bench;

static void setup(bench *x, uint64_t seed, int w, int h, int budget, uint64_t total)
{
    pe_rng r;
    pe_rng_seed(&r, seed, 0);
    x->t = fixture_picture(&r, w, h);
    x->style = (pe_fit_style){ 0 };
    x->b = fixture_brief(&x->t, &x->style, budget);
    CHECK(pe_sched_init(&x->s, &x->b, &x->t, NULL, budget, false, total) == PE_OK);
    CHECK(pe_worker_init(&x->wk, &x->b));
}

static void teardown(bench *x)
{
    pe_worker_free(&x->wk);
    pe_sched_free(&x->s);
    free(x->t.rgba);
}

/* Random triangles adopted as an earlier run's, rounds done over them. */
static void adopt_random(bench *x, int n, int rounds, uint64_t seed)
{
    pe_rng r;
    pe_rng_seed(&r, seed, 1);
    pe_tri *tris = malloc(sizeof *tris * (size_t)n);
    for (int k = 0; k < n; k++)
        fixture_tri_in(&r, x->t.w, x->t.h, &tris[k]);
    CHECK(pe_sched_adopt(&x->s, tris, n, rounds));
    free(tris);
}

/* The whole sequence of a small run, each op run as soon as it is issued: adds (whole-canvas
 * ones as chains), then two rounds of refinements in slot order, each ending with a regrow of
 * its least useful triangle; every op has seen the commits done when it was issued. */
static void the_sequence(void)
{
    bench x;
    enum { BUDGET = 4, ROUNDS = 2 };
    setup(&x, 1, 40, 30, BUDGET, BUDGET * (1 + ROUNDS));
    int adds = 0, refines = 0, regrows = 0, next_slot = 0;
    for (;;) {
        pe_op *op = NULL;
        const pe_next nx = pe_sched_next(&x.s, &op);
        if (nx == PE_NEXT_END)
            break;
        CHECK(nx != PE_NEXT_NOMEM);
        if (nx == PE_NEXT_COMMIT) {
            CHECK(pe_sched_commit(&x.s, &x.wk));
            continue;
        }
        CHECK(op->seen == x.s.committed);
        if (op->kind == PE_OP_ADD) {
            CHECK(refines == 0);
            adds++;
        } else if (op->kind == PE_OP_REFINE) {
            CHECK(op->slot == next_slot); /* bottom up, every slot once a round */
            next_slot = (next_slot + 1) % BUDGET;
            CHECK(regrows == refines / BUDGET * PE_ADD_CHAINS); /* a round's regrow before the next */
            refines++;
        } else {
            CHECK(refines > 0 && refines % BUDGET == 0 && next_slot == 0);
            int worst = 0; /* the least useful: the largest loss change */
            for (int k = 1; k < x.s.stack.n; k++)
                worst = x.s.stack.use[k] > x.s.stack.use[worst] ? k : worst;
            if (op->chain == 0)
                CHECK(op->slot == worst);
            regrows++;
        }
        CHECK(pe_op_run(&x.b, op, &x.wk));
    }
    CHECK(adds == BUDGET * PE_ADD_CHAINS); /* a canvas this small: whole-canvas adds */
    CHECK(refines == BUDGET * ROUNDS);
    CHECK(regrows == ROUNDS * PE_ADD_CHAINS);
    CHECK(x.s.stack.n == BUDGET && x.s.done == x.s.total && pe_sched_rounds(&x.s) == ROUNDS);
    teardown(&x);
}

/* Once windows fit, new triangles in flight never share pixels: their windows are apart, and
 * an op that finds no free window waits for a commit. */
static void windows_in_flight_are_apart(void)
{
    bench x;
    setup(&x, 2, 200, 160, 120, 120 * 2);
    adopt_random(&x, 60, 0, 2);
    pe_box win[PE_LAG];
    int n = 0;
    pe_op *op = NULL;
    pe_next nx;
    while ((nx = pe_sched_next(&x.s, &op)) == PE_NEXT_OP) {
        CHECK(op->kind == PE_OP_ADD && op->chains <= 1 && op->win.x1 > op->win.x0);
        for (int j = 0; j < n; j++)
            CHECK(!pe_box_overlap(&win[j], &op->win));
        win[n++] = op->win;
    }
    CHECK(nx == PE_NEXT_COMMIT && n >= 2);
    teardown(&x);
}

/* The next op issued (committing, and running, the oldest as often as needed first). */
static pe_op *next_op(bench *x)
{
    pe_op *op = NULL;
    pe_next nx;
    while ((nx = pe_sched_next(&x->s, &op)) == PE_NEXT_COMMIT) {
        CHECK(pe_op_run(&x->b, pe_sched_oldest(&x->s), &x->wk));
        CHECK(pe_sched_commit(&x->s, &x->wk));
    }
    CHECK(nx == PE_NEXT_OP);
    return op;
}

/* New triangles get the search of the pace the run is at, never a richer one again; a
 * refinement keeps its own. */
static void pace_chooses_the_search(void)
{
    bench x;
    setup(&x, 3, 200, 160, 120, 120 * 2);
    adopt_random(&x, 60, 0, 3);
    pe_op *op = next_op(&x);
    CHECK(op->cfg.candidates == x.b.add_cfg.candidates && op->cfg.maxiter == x.b.add_cfg.maxiter);
    pe_sched_pace(&x.s, PE_PACE_QUICK);
    op = next_op(&x);
    CHECK(op->cfg.candidates == x.b.quick_cfg.candidates);
    pe_sched_pace(&x.s, PE_PACE_LEAST);
    pe_sched_pace(&x.s, PE_PACE_FULL); /* no way back */
    op = next_op(&x);
    CHECK(op->cfg.candidates == x.b.least_cfg.candidates && op->cfg.maxiter == 0);
    teardown(&x);
    setup(&x, 3, 60, 40, 6, 6 * 2); /* refinements only */
    adopt_random(&x, 6, 0, 4);
    pe_sched_pace(&x.s, PE_PACE_LEAST);
    op = next_op(&x);
    CHECK(op->kind == PE_OP_REFINE && op->cfg.candidates == x.b.refine_cfg.candidates);
    teardown(&x);
}

/* n random triangles adopted, then their n refinements issued at once and run, each against
 * the stack as it was when issued (reorder: whether they look for a better depth). */
static void refines_run(bench *x, int n, uint64_t seed, bool reorder, pe_op **ops)
{
    adopt_random(x, n, 0, seed);
    for (int i = 0; i < n; i++) {
        CHECK(pe_sched_next(&x->s, &ops[i]) == PE_NEXT_OP);
        CHECK(ops[i]->kind == PE_OP_REFINE && ops[i]->seen == 0 && ops[i]->reorder);
    }
    for (int i = 0; i < n; i++) {
        ops[i]->reorder = reorder;
        CHECK(pe_op_run(&x->b, ops[i], &x->wk));
    }
}

/* Whether a commit that op did not see touched fp. */
static bool unseen_touch(const bench *x, const pe_op *op, const pe_box *fp)
{
    bool met = false;
    for (uint64_t q = op->seen; q < x->s.committed; q++)
        met = met || pe_box_overlap(&x->s.touched[q % PE_LAG], fp);
    return met;
}

/* The same for the pixels op's move from cur to its triangle changes. */
static bool unseen_touch_move(const bench *x, const pe_op *op, const pe_tri *cur)
{
    const pe_stack *st = &x->s.stack;
    const pe_box a = pe_tri_footprint(cur, st->w, st->h);
    const pe_box b = pe_tri_footprint(&op->tri, st->w, st->h);
    const pe_box fp = pe_box_union(&a, &b);
    return unseen_touch(x, op, &fp);
}

/* Refinements all in flight at once, each run against the stack as it was when issued, then
 * committed in order: one whose pixels a commit it did not see changed goes in only if it
 * still improves on what is there now (by a full render); the others go in as found; the loss
 * never rises. */
static void commits_check_what_they_did_not_see(void)
{
    bench x;
    enum { N = 12 };
    setup(&x, 4, 48, 36, N, N * 2);
    pe_op *ops[N];
    refines_run(&x, N, 5, false, ops); /* at their depth: moves have their own test */
    int met = 0, kept_after_check = 0;
    for (int i = 0; i < N; i++) {
        pe_op *op = pe_sched_oldest(&x.s);
        CHECK(op == ops[i]);
        const int k = op->slot;
        pe_stack *st = &x.s.stack;
        const pe_tri cur = st->tris[k];
        const bool unseen = unseen_touch_move(&x, op, &cur);
        const double before = fixture_loss(&x.t, st->tris, st->n);
        /* the truth now: the op's triangle (colour re-fitted as the check does) in slot k */
        pe_tri fitted = op->tri;
        const double d_new = pe_op_delta_now(&x.b, st, k, -1, &fitted, true, &x.wk);
        const double d_cur = pe_op_delta_now(&x.b, st, k, -1, (pe_tri[]){ cur }, false, &x.wk);
        CHECK(pe_sched_commit(&x.s, &x.wk));
        const double after = fixture_loss(&x.t, st->tris, st->n);
        CHECK(after <= before + 1e-9 * before);
        const bool changed = !pe_tri_same(&st->tris[k], &cur);
        if (pe_tri_same(&op->tri, &cur)) { /* nothing found: nothing to check */
            CHECK(!changed);
        } else if (unseen) {
            met++;
            CHECK(changed == (d_new < d_cur));
            if (changed) {
                kept_after_check++;
                CHECK(pe_tri_same(&st->tris[k], &fitted)); /* with its re-fitted colour */
            }
        } else {
            CHECK(changed == !pe_tri_same(&op->tri, &cur));
            if (changed)
                CHECK_NEAR(after - before, op->delta - d_cur, 1e-6 * before);
        }
    }
    CHECK(met >= 3); /* random triangles this large meet one another */
    teardown(&x);
}

/* Refinements that look for a better depth, all in flight at once: the loss never rises; one
 * that moves lands next to the triangle it named (its anchor), and when no commit it did not
 * see touched its pixels, the loss falls by exactly what it measured. */
static void moves_land_by_their_anchor(void)
{
    bench x;
    enum { N = 16 };
    setup(&x, 6, 48, 36, N, N * 2);
    pe_op *ops[N];
    refines_run(&x, N, 6, true, ops);
    int moves = 0, exact = 0;
    for (int i = 0; i < N; i++) {
        pe_op *op = pe_sched_oldest(&x.s);
        pe_stack *st = &x.s.stack;
        const int k = pe_stack_find(st, op->id, op->slot);
        const pe_tri cur = st->tris[k];
        const bool unseen = unseen_touch_move(&x, op, &cur);
        const double before = fixture_loss(&x.t, st->tris, st->n);
        const double d_cur = pe_op_delta_now(&x.b, st, k, -1, (pe_tri[]){ cur }, false, &x.wk);
        const bool moves_op = op->moves;
        const uint32_t id = op->id, anchor = op->anchor;
        const bool above = op->above;
        const double delta = op->delta;
        CHECK(pe_sched_commit(&x.s, &x.wk));
        const double after = fixture_loss(&x.t, st->tris, st->n);
        CHECK(after <= before + 1e-9 * before);
        if (!moves_op)
            continue;
        moves++;
        const int now = pe_stack_find(st, id, k), by = pe_stack_find(st, anchor, k);
        if (!pe_tri_same(&st->tris[now], &cur)) /* it went: by its anchor */
            CHECK(by >= 0 && now == (above ? by + 1 : by - 1));
        if (!unseen) {
            exact++;
            CHECK_NEAR(after - before, delta - d_cur, 1e-6 * before);
        }
    }
    CHECK(moves >= 2 && exact >= 1); /* random triangles this large cover one another */
    teardown(&x);
}

int main(int argc, char **argv)
{
    TEST_MAIN_BEGIN(argc, argv);
    RUN(the_sequence);
    RUN(windows_in_flight_are_apart);
    RUN(pace_chooses_the_search);
    RUN(commits_check_what_they_did_not_see);
    RUN(moves_land_by_their_anchor);
    TEST_MAIN_END();
}
