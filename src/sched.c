/* sched: the sequence of ops, issued and committed in order. */
#include "sched.h"

#include "rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* After every refinement round, the least useful triangles (one in PE_REGROW_SHARE, at least
 * one; by the loss change each made when last searched) are taken out one by one, highest slot
 * first, and a new triangle is searched for the top of the stack as when adding. It stays if
 * it removes more loss there than the old one does at its slot, else the old one stays. A
 * refinement moves a triangle only among the triangles it overlaps; this move takes budget
 * from anywhere to the top, where the error is. */
#define PE_REGROW_SHARE 10

pe_status pe_sched_init(pe_sched *s, const pe_brief *b, const pe_target *t, const float *weight,
                        int budget, bool steady, uint64_t total)
{
    memset(s, 0, sizeof *s);
    s->brief = b;
    s->target = t;
    s->budget = budget;
    s->steady = steady;
    s->total = total;
    s->stack.w = t->w;
    s->stack.h = t->h;
    const pe_status st = pe_picture_init(&s->pic, t);
    if (st != PE_OK)
        return st;
    s->pic.weight = weight; /* new triangles' windows go where the weighted error is */
    return pe_stack_reserve(&s->stack, budget) ? PE_OK : PE_ERR_NOMEM;
}

void pe_sched_free(pe_sched *s)
{
    for (int i = 0; i < PE_LAG; i++)
        pe_op_free(&s->ops[i]);
    free(s->regrow);
    pe_stack_free(&s->stack);
    pe_picture_free(&s->pic);
    memset(s, 0, sizeof *s);
}

bool pe_sched_adopt(pe_sched *s, const pe_tri *tris, int n, int rounds)
{
    if (!pe_stack_reserve(&s->stack, n))
        return false;
    for (int k = 0; k < n; k++)
        pe_stack_push(&s->stack, &tris[k], -HUGE_VAL); /* not searched yet: never the least useful */
    const bool adding = n < s->budget;
    s->budget = adding ? s->budget : n;
    s->done = (uint64_t)n * (adding ? 1u : (uint64_t)(1 + rounds));
    s->next = s->done;
    /* streams of their own: not those of a fresh run's first ops */
    s->serial = ((uint64_t)(rounds + 1) << 40) + (uint64_t)n;
    return true;
}

void pe_sched_pace(pe_sched *s, pe_pace pace)
{
    s->pace = pace > s->pace ? pace : s->pace;
}

double pe_sched_picture(pe_sched *s)
{
    if (s->draw && pe_picture_stale(&s->pic))
        s->draw(s->draw_ctx);
    return pe_picture_update(&s->pic, s->target, &s->stack);
}

int pe_sched_rounds(const pe_sched *s)
{
    if (s->budget <= 0 || s->done < (uint64_t)s->budget)
        return 0;
    return (int)((s->done - (uint64_t)s->budget) / (uint64_t)s->budget);
}

/* The side of a new triangle's window. */
static int window_side(int w, int h, int placed)
{
    const double typical = sqrt((double)w * h / (placed > 0 ? placed : 1));
    const double side = ceil(PE_WINDOW_SPAN * typical);
    return side < PE_WINDOW_MAX ? (int)side : PE_WINDOW_MAX;
}

/* Whether new triangles are searched over the whole canvas now (see sched.h). */
static bool whole_canvas(const pe_stack *st, int w, int h)
{
    const int side = window_side(w, h, st->n); /* a window is cut to the canvas */
    const int fit = (w / (side < w ? side : w)) * (h / (side < h ? side : h));
    return fit < 2 && w <= PE_WINDOW_MAX && h <= PE_WINDOW_MAX;
}

static pe_op *slot_of(pe_sched *s, uint64_t q)
{
    return &s->ops[q % PE_LAG];
}

/* Whether box b meets the window of an add or regrow in flight. */
static bool window_taken(pe_sched *s, const pe_box *b)
{
    const pe_box whole = { 0, 0, s->brief->w, s->brief->h };
    for (uint64_t q = s->committed; q < s->issued; q++) {
        const pe_op *o = slot_of(s, q);
        if (o->kind != PE_OP_REFINE && pe_box_overlap(b, o->win.x1 > o->win.x0 ? &o->win : &whole))
            return true;
    }
    return false;
}

/* Draws for a free window before the next op waits for a commit (more found no more room). */
#define PE_WINDOW_TRIES 4

/* A free window for the next new triangle, centred where the error is (tries a few draws);
 * false when every draw met a window in flight. The draws come from the next op's own
 * stream, before the op's search draws from it. */
static bool free_window(pe_sched *s, pe_box *win)
{
    const int w = s->pic.w, h = s->pic.h, side = window_side(w, h, s->stack.n);
    (void)pe_sched_picture(s);
    pe_rng rng;
    pe_rng_seed(&rng, s->brief->seed, s->serial);
    for (int tries = 0; tries < PE_WINDOW_TRIES; tries++) {
        const size_t i = pe_picture_sample(&s->pic, pe_rng_uniform(&rng));
        *win = pe_box_around((double)(i % (size_t)w) + 0.5, (double)(i / (size_t)w) + 0.5, side,
                             w, h);
        if (!window_taken(s, win))
            return true;
    }
    return false;
}

/* The op at the next position, blank but for what it is and its stream. */
static pe_op *issue(pe_sched *s, pe_op_kind kind, const pe_search_cfg *cfg)
{
    pe_op *op = slot_of(s, s->issued);
    pe_tri *view = op->view;
    uint32_t *view_id = op->view_id;
    const int cap = op->view_cap;
    *op = (pe_op){ .kind = kind, .serial = s->serial++, .cfg = *cfg, .seen = s->committed,
                   .view = view, .view_id = view_id, .view_cap = cap };
    return op;
}

/* The op at the next position, once filled in: copy its view and count it. */
static pe_next ready(pe_sched *s, pe_op *op, pe_op **out)
{
    if (op->kind != PE_OP_ADD)
        op->id = s->stack.id[op->slot];
    if (!pe_op_issue(s->brief, &s->stack, op))
        return PE_NEXT_NOMEM;
    s->issued++;
    *out = op;
    return PE_NEXT_OP;
}

/* The search a new triangle (an add's or a regrow's) gets at the pace the run is at. */
static const pe_search_cfg *new_cfg(const pe_sched *s, pe_op_kind kind)
{
    const pe_brief *b = s->brief;
    return s->pace == PE_PACE_LEAST   ? &b->least_cfg
           : s->pace == PE_PACE_QUICK ? &b->quick_cfg
           : kind == PE_OP_REGROW     ? &b->regrow_cfg
                                      : &b->add_cfg;
}

/* One of a whole-canvas search's chains: `chains` independent searches, each with its share
 * of the candidates and of the iterations; the best one is kept. */
static void make_chain(pe_op *op, int chain, int chains)
{
    op->chain = chain;
    op->chains = chains;
    op->cfg.candidates = (op->cfg.candidates + chains - 1) / chains;
    op->cfg.maxiter = (op->cfg.maxiter + chains - 1) / chains;
}

static bool plan_regrow(pe_sched *s);

/* A new triangle: on top (add) or in place of slot `slot` (regrow). */
static pe_next next_new(pe_sched *s, pe_op_kind kind, pe_op **out)
{
    const int open = pe_sched_open(s);
    pe_box win = { 0, 0, 0, 0 }; /* empty: the whole canvas */
    if (whole_canvas(&s->stack, s->brief->w, s->brief->h)) {
        if (open > 0)
            return PE_NEXT_COMMIT;
    } else if (!free_window(s, &win) && open > 0) {
        return PE_NEXT_COMMIT;
    }
    pe_op *op = issue(s, kind, new_cfg(s, kind));
    op->win = win;
    if (kind == PE_OP_REGROW)
        op->slot = s->regrow[s->regrow_at++];
    else
        s->next++;
    if (win.x1 <= win.x0 && s->pace == PE_PACE_FULL) { /* the chains share one stream */
        s->chain_cfg = op->cfg;
        make_chain(op, 0, PE_ADD_CHAINS);
        s->chain_next = 1;
    }
    return ready(s, op, out);
}

pe_next pe_sched_next(pe_sched *s, pe_op **out)
{
    const int open = pe_sched_open(s);
    if (open >= PE_LAG)
        return PE_NEXT_COMMIT;
    if (s->chain_next > 0) { /* the rest of a whole-canvas search's chains */
        const pe_op *first = slot_of(s, s->issued - (uint64_t)s->chain_next);
        pe_op *op = issue(s, first->kind, &s->chain_cfg);
        s->serial--;
        op->serial = first->serial;
        op->slot = first->slot;
        make_chain(op, s->chain_next, first->chains);
        s->chain_next = op->chain + 1 < op->chains ? op->chain + 1 : 0;
        return ready(s, op, out);
    }
    if (open > 0 && slot_of(s, s->committed)->chains > 1)
        return PE_NEXT_COMMIT; /* a whole-canvas add has the canvas to itself, after too */
    if (s->round_end) { /* the regrow ranks the round's triangles: all of it committed */
        if (open > 0)
            return PE_NEXT_COMMIT;
        s->round_end = false;
        if (!s->steady && !plan_regrow(s))
            return PE_NEXT_NOMEM;
    }
    if (s->regrow_at < s->nregrow)
        return next_new(s, PE_OP_REGROW, out);
    if (s->next < (uint64_t)s->budget)
        return next_new(s, PE_OP_ADD, out);
    if (s->next >= s->total)
        return open > 0 ? PE_NEXT_COMMIT : PE_NEXT_END;
    const int at = (int)((s->next - (uint64_t)s->budget) % (uint64_t)s->budget);
    if (at >= s->stack.n) /* its triangle is still in flight */
        return open > 0 ? PE_NEXT_COMMIT : PE_NEXT_END;
    pe_op *op = issue(s, PE_OP_REFINE, &s->brief->refine_cfg);
    op->slot = at;
    op->reorder = !s->steady; /* steady: every triangle stays at its depth */
    s->next++;
    if (at == s->budget - 1) /* the round's last refinement: its regrow comes next */
        s->round_end = true;
    return ready(s, op, out);
}

typedef struct slot_use {
    double use;
    int slot;
} slot_use;

/* Least useful first (largest delta); ties by slot, so the order is total. */
static int by_use(const void *a, const void *b)
{
    const slot_use *p = a, *q = b;
    if (p->use != q->use)
        return p->use > q->use ? -1 : 1;
    return (p->slot > q->slot) - (p->slot < q->slot);
}

static int by_slot_down(const void *a, const void *b)
{
    const slot_use *p = a, *q = b;
    return (q->slot > p->slot) - (q->slot < p->slot);
}

/* The round just ended: choose its regrow (slots highest first, so that taking one out never
 * moves a slot still to do, and new triangles go above them all). */
static bool plan_regrow(pe_sched *s)
{
    const int n = s->stack.n;
    s->nregrow = s->regrow_at = 0;
    if (n < 2)
        return true;
    int m = (n + PE_REGROW_SHARE / 2) / PE_REGROW_SHARE;
    m = m < 1 ? 1 : m;
    slot_use *order = malloc((size_t)n * sizeof *order);
    int *slots = realloc(s->regrow, (size_t)m * sizeof *slots);
    if (slots)
        s->regrow = slots;
    if (!order || !slots) {
        free(order);
        return false;
    }
    for (int k = 0; k < n; k++)
        order[k] = (slot_use){ s->stack.use[k], k };
    qsort(order, (size_t)n, sizeof *order, by_use);
    qsort(order, (size_t)m, sizeof *order, by_slot_down);
    for (int j = 0; j < m; j++)
        s->regrow[j] = order[j].slot;
    s->nregrow = m;
    free(order);
    return true;
}

/* Whether fp meets what the commits op did not see changed. */
static bool met(const pe_sched *s, const pe_op *op, const pe_box *fp)
{
    for (uint64_t q = op->seen; q < s->committed; q++)
        if (pe_box_overlap(&s->touched[q % PE_LAG], fp))
            return true;
    return false;
}

static const pe_box nothing = { 0, 0, 0, 0 };

/* The pixels a move of slot k's triangle from old to new changes. */
static pe_box moved(const pe_sched *s, const pe_tri *old, const pe_tri *new)
{
    const pe_box a = pe_tri_footprint(old, s->stack.w, s->stack.h);
    const pe_box n = pe_tri_footprint(new, s->stack.w, s->stack.h);
    return pe_box_union(&a, &n);
}

static pe_box commit_add(pe_sched *s, pe_op *op, pe_worker *wk)
{
    pe_stack *st = &s->stack;
    const pe_box fp = pe_tri_footprint(&op->tri, st->w, st->h);
    if (met(s, op, &fp))
        op->delta = pe_op_delta_now(s->brief, st, st->n, -1, &op->tri, true, wk);
    pe_stack_push(st, &op->tri, op->delta);
    return fp;
}

/* A refinement that moves its triangle to another depth: next to its anchor as the
 * stack is now. When the commits it did not see touched its pixels, both places are measured
 * again (the anchor's neighbours among the triangles it overlaps may have changed), and it
 * goes only if it still improves on what is there. */
static pe_box commit_move(pe_sched *s, pe_op *op, int k, pe_worker *wk)
{
    pe_stack *st = &s->stack;
    int a = pe_stack_find(st, op->anchor, op->slot);
    if (a < 0) /* the anchor was regrown meanwhile: the place is gone */
        return nothing;
    a = a > k ? a - 1 : a; /* in the stack without the triangle */
    const int to = op->above ? a + 1 : a;
    pe_tri old = st->tris[k];
    const pe_box fp = moved(s, &old, &op->tri);
    double d_new = op->delta;
    if (met(s, op, &fp)) {
        d_new = pe_op_delta_moved(s->brief, st, k, to, &op->tri, true, wk);
        const double d_cur = pe_op_delta_now(s->brief, st, k, -1, &old, false, wk);
        if (!(d_new < d_cur)) {
            st->use[k] = d_cur;
            return nothing;
        }
    }
    pe_stack_set(st, k, &op->tri, d_new);
    pe_stack_move(st, k, to);
    return fp;
}

static pe_box commit_refine(pe_sched *s, pe_op *op, pe_worker *wk)
{
    pe_stack *st = &s->stack;
    const int k = pe_stack_find(st, op->id, op->slot);
    if (k < 0) /* regrown meanwhile */
        return nothing;
    if (op->moves)
        return commit_move(s, op, k, wk);
    pe_tri old = st->tris[k];
    if (pe_tri_same(&old, &op->tri)) {
        st->use[k] = op->delta;
        return nothing;
    }
    const pe_box fp = moved(s, &old, &op->tri);
    double d_new = op->delta;
    if (met(s, op, &fp)) {
        double d_cur;
        pe_op_recheck(s->brief, st, k, &op->tri, &d_new, &d_cur, wk);
        if (!(d_new < d_cur)) {
            st->use[k] = d_cur;
            return nothing;
        }
    }
    pe_stack_set(st, k, &op->tri, d_new);
    return fp;
}

static pe_box commit_regrow(pe_sched *s, pe_op *op, pe_worker *wk)
{
    pe_stack *st = &s->stack;
    const int k = pe_stack_find(st, op->id, op->slot);
    if (k < 0)
        return nothing;
    pe_tri old = st->tris[k];
    const pe_box fp = moved(s, &old, &op->tri);
    double d_old = op->d_old, d_new = op->delta;
    if (met(s, op, &fp)) {
        d_old = pe_op_delta_now(s->brief, st, k, -1, &old, false, wk);
        d_new = pe_op_delta_now(s->brief, st, st->n, k, &op->tri, true, wk);
    }
    if (!(d_new < d_old)) {
        st->use[k] = d_old;
        return nothing;
    }
    pe_stack_remove(st, k);
    pe_stack_push(st, &op->tri, d_new);
    return fp;
}

/* The op that commits for op: itself, or for the last of a whole-canvas search's chains the
 * best of them (NULL for the others: they wait for the last). */
static pe_op *chains_best(pe_sched *s, pe_op *op)
{
    if (op->chains <= 1)
        return op;
    if (op->chain < op->chains - 1)
        return NULL;
    pe_op *best = op;
    for (int j = 1; j < op->chains; j++) {
        pe_op *o = slot_of(s, s->committed - (uint64_t)j);
        best = o->delta < best->delta ? o : best;
    }
    return best;
}

bool pe_sched_commit(pe_sched *s, pe_worker *wk)
{
    pe_op *op = slot_of(s, s->committed);
    if (op->failed || (op->kind == PE_OP_ADD && !pe_stack_reserve(&s->stack, s->stack.n + 1)))
        return false;
    s->evals += op->evals;
    s->iters += op->iters;
    pe_box changed = nothing;
    pe_op *best = chains_best(s, op);
    switch (op->kind) {
    case PE_OP_ADD:
        if (!best)
            break;
        changed = commit_add(s, best, wk);
        pe_picture_push(&s->pic, &best->tri, &changed); /* on top: drawn over the picture */
        s->done++;
        break;
    case PE_OP_REFINE:
        changed = commit_refine(s, op, wk);
        s->done++;
        break;
    case PE_OP_REGROW:
        if (best) {
            best->d_old = op->d_old; /* the last chain measured it for all */
            changed = commit_regrow(s, best, wk);
        }
        break;
    }
    s->touched[s->committed % PE_LAG] = changed;
    if (op->kind != PE_OP_ADD)
        pe_picture_touch(&s->pic, &changed);
    s->committed++;
    return true;
}

void pe_sched_drop(pe_sched *s)
{
    s->touched[s->committed % PE_LAG] = nothing;
    s->committed++;
}
