/* flight: the sequence of ops, issued and committed in order. */
#include "flight.h"

#include "rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* After every refinement round, the least useful triangles (one in PE_REGROW_SHARE, at least
 * one; by the loss change each made when last searched) are taken out one by one, highest slot
 * first, and a new triangle is searched for the top of the stack as when adding. It stays if
 * it removes more loss there than the old one does at its slot, else the old one stays. A
 * refinement keeps a triangle at its depth; this move changes the order of the stack, which
 * the rounds alone never do. Measured at 20 rounds (-n 250, seed 1): mona +0.12 dB, astronaut
 * +0.25, chelsea +0.15, butterfly +0.59, for 6-14 % more CPU. */
#define PE_REGROW_SHARE 10

int pe_cursor_rounds(const pe_cursor *c)
{
    if (c->budget <= 0 || c->ops_done < (uint64_t)c->budget)
        return 0;
    return (int)((c->ops_done - (uint64_t)c->budget) / (uint64_t)c->budget);
}

void pe_flight_free(pe_flight *f, pe_cursor *c)
{
    for (int i = 0; i < PE_LAG; i++)
        pe_op_free(&f->ops[i]);
    free(c->regrow);
    c->regrow = NULL;
}


/* The side of a new triangle's window. */
static int window_side(int w, int h, int placed)
{
    const double typical = sqrt((double)w * h / (placed > 0 ? placed : 1));
    const double side = ceil(PE_WINDOW_SPAN * typical);
    return side < PE_WINDOW_MAX ? (int)side : PE_WINDOW_MAX;
}

/* Whether new triangles are searched over the whole canvas now (see flight.h). */
static bool whole_canvas(const pe_stack *s, int w, int h)
{
    const int side = window_side(w, h, s->n); /* a window is cut to the canvas */
    const int fit = (w / (side < w ? side : w)) * (h / (side < h ? side : h));
    return fit < 2 && w <= PE_WINDOW_MAX && h <= PE_WINDOW_MAX;
}

static pe_op *slot_of(pe_flight *f, uint64_t q)
{
    return &f->ops[q % PE_LAG];
}

/* Whether box b meets the window of an add or regrow in flight. */
static bool window_taken(pe_flight *f, const pe_box *b, int w, int h)
{
    for (uint64_t q = f->committed; q < f->issued; q++) {
        const pe_op *o = slot_of(f, q);
        if (o->kind == PE_OP_REFINE)
            continue;
        const pe_box whole = { 0, 0, w, h };
        if (pe_box_overlap(b, o->win.x1 > o->win.x0 ? &o->win : &whole))
            return true;
    }
    return false;
}

/* A free window for the next new triangle, centred where the error is (tries a few draws);
 * false when every draw met a window in flight. */
static bool free_window(pe_flight *f, const pe_cursor *c, const pe_canvas *cv,
                        const pe_stack *s, pe_picture *pic, const pe_target *t, pe_box *win)
{
    const int w = pic->w, h = pic->h, side = window_side(w, h, s->n);
    (void)pe_picture_update(pic, t, s);
    /* the next op's own stream, the window's draw coming first: a seed of its own instead (as
     * the screen's parts take, search.c) moved the 9 shared images by +0.008 dB (seeds 1-6)
     * and tiny.png by -0.05 dB (24 seeds), within their noise; the output was kept */
    pe_rng rng;
    pe_rng_seed(&rng, cv->seed, c->serial);
    for (int tries = 0; tries < 4; tries++) {
        const size_t i = pe_picture_sample(pic, pe_rng_uniform(&rng));
        *win = pe_box_around((double)(i % (size_t)w) + 0.5, (double)(i / (size_t)w) + 0.5, side,
                             w, h);
        if (!window_taken(f, win, w, h))
            return true;
    }
    return false;
}

static pe_op *issue(pe_flight *f, pe_op_kind kind, pe_cursor *c)
{
    pe_op *op = slot_of(f, f->issued);
    pe_tri *view = op->view;
    const int cap = op->view_cap;
    *op = (pe_op){ .kind = kind, .serial = c->serial++, .seen = f->committed, .view = view,
                   .view_cap = cap };
    return op;
}

/* The op named by position f->issued, once filled in: copy its view and count it. */
static pe_next ready(pe_flight *f, const pe_canvas *cv, const pe_stack *s, pe_op *op,
                     pe_op **out)
{
    if (op->kind != PE_OP_ADD)
        op->id = s->id[op->slot];
    if (!pe_op_issue(cv, s, op))
        return PE_NEXT_NOMEM;
    f->issued++;
    *out = op;
    return PE_NEXT_OP;
}

static bool plan_regrow(pe_cursor *c, const pe_stack *s);

/* A new triangle: on top (add) or in place of slot `slot` (regrow). */
static pe_next next_new(pe_flight *f, pe_cursor *c, const pe_canvas *cv, const pe_stack *s,
                        pe_picture *pic, const pe_target *t, pe_op_kind kind, pe_op **out)
{
    const int open = pe_flight_open(f);
    pe_box win = { 0, 0, 0, 0 }; /* empty: the whole canvas */
    if (whole_canvas(s, cv->w, cv->h)) {
        if (open > 0)
            return PE_NEXT_COMMIT;
    } else if (!free_window(f, c, cv, s, pic, t, &win) && open > 0) {
        return PE_NEXT_COMMIT;
    }
    pe_op *op = issue(f, kind, c);
    op->win = win;
    if (kind == PE_OP_REGROW)
        op->slot = c->regrow[c->regrow_at++];
    else
        c->issued++;
    if (win.x1 <= win.x0 && PE_ADD_CHAINS > 1) { /* the chains share one stream */
        op->chains = PE_ADD_CHAINS;
        c->chain_next = 1;
        pe_share_reset(&f->screen.share, PE_SCREEN_PARTS);
        op->screen = &f->screen;
    }
    return ready(f, cv, s, op, out);
}

pe_next pe_flight_next(pe_flight *f, pe_cursor *c, const pe_canvas *cv, const pe_stack *s,
                       pe_picture *pic, const pe_target *t, pe_op **out)
{
    const int open = pe_flight_open(f);
    if (open >= PE_LAG)
        return PE_NEXT_COMMIT;
    if (c->chain_next > 0) { /* the rest of a whole-canvas search's chains */
        const pe_op *first = slot_of(f, f->issued - (uint64_t)c->chain_next);
        pe_op *op = issue(f, first->kind, c);
        c->serial--;
        op->serial = first->serial;
        op->slot = first->slot;
        op->chain = c->chain_next;
        op->chains = first->chains;
        op->screen = first->screen;
        c->chain_next = op->chain + 1 < op->chains ? op->chain + 1 : 0;
        return ready(f, cv, s, op, out);
    }
    if (open > 0 && slot_of(f, f->committed)->chains > 1)
        return PE_NEXT_COMMIT; /* a whole-canvas add has the canvas to itself, after too */
    if (c->round_end) { /* the regrow ranks the round's triangles: all of it committed */
        if (open > 0)
            return PE_NEXT_COMMIT;
        c->round_end = false;
        if (!c->steady && !plan_regrow(c, s))
            return PE_NEXT_NOMEM;
    }
    if (c->regrow_at < c->nregrow)
        return next_new(f, c, cv, s, pic, t, PE_OP_REGROW, out);
    if (c->issued < (uint64_t)c->budget)
        return next_new(f, c, cv, s, pic, t, PE_OP_ADD, out);
    if (c->issued >= c->total)
        return open > 0 ? PE_NEXT_COMMIT : PE_NEXT_END;
    const int at = (int)((c->issued - (uint64_t)c->budget) % (uint64_t)c->budget);
    if (at >= s->n) /* its triangle is still in flight */
        return open > 0 ? PE_NEXT_COMMIT : PE_NEXT_END;
    pe_op *op = issue(f, PE_OP_REFINE, c);
    op->slot = at;
    c->issued++;
    c->round_end = at == c->budget - 1;
    return ready(f, cv, s, op, out);
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
static bool plan_regrow(pe_cursor *c, const pe_stack *s)
{
    const int n = s->n;
    c->nregrow = c->regrow_at = 0;
    if (n < 2)
        return true;
    int m = (n + PE_REGROW_SHARE / 2) / PE_REGROW_SHARE;
    m = m < 1 ? 1 : m;
    slot_use *order = malloc((size_t)n * sizeof *order);
    int *slots = realloc(c->regrow, (size_t)m * sizeof *slots);
    if (slots)
        c->regrow = slots;
    if (!order || !slots) {
        free(order);
        return false;
    }
    for (int k = 0; k < n; k++)
        order[k] = (slot_use){ s->use[k], k };
    qsort(order, (size_t)n, sizeof *order, by_use);
    qsort(order, (size_t)m, sizeof *order, by_slot_down);
    for (int j = 0; j < m; j++)
        c->regrow[j] = order[j].slot;
    c->nregrow = m;
    free(order);
    return true;
}

/* Whether fp meets what the commits op did not see changed. */
static bool met(const pe_flight *f, const pe_op *op, const pe_box *fp)
{
    for (uint64_t q = op->seen; q < f->committed; q++)
        if (pe_box_overlap(&f->touched[q % PE_LAG], fp))
            return true;
    return false;
}

static pe_box commit_add(const pe_flight *f, const pe_canvas *cv, pe_stack *s, pe_op *op,
                         pe_worker *wk)
{
    const pe_box fp = pe_tri_footprint(&op->tri, cv->w, cv->h);
    if (met(f, op, &fp))
        op->delta = pe_op_delta_now(cv, s, s->n, -1, &op->tri, true, wk);
    pe_stack_push(s, &op->tri, op->delta);
    return fp;
}

static const pe_box nothing = { 0, 0, 0, 0 };

static pe_box commit_refine(const pe_flight *f, const pe_canvas *cv, pe_stack *s, pe_op *op,
                            pe_worker *wk)
{
    const int k = pe_stack_find(s, op->id, op->slot);
    if (k < 0) /* regrown meanwhile */
        return nothing;
    pe_tri old = s->tris[k];
    if (pe_tri_same(&old, &op->tri)) {
        s->use[k] = op->delta;
        return nothing;
    }
    const pe_box a = pe_tri_footprint(&old, cv->w, cv->h);
    const pe_box n = pe_tri_footprint(&op->tri, cv->w, cv->h);
    const pe_box fp = pe_box_union(&a, &n);
    double d_new = op->delta;
    if (met(f, op, &fp)) {
        d_new = pe_op_delta_now(cv, s, k, -1, &op->tri, true, wk);
        const double d_cur = pe_op_delta_now(cv, s, k, -1, &old, false, wk);
        if (!(d_new < d_cur)) {
            s->use[k] = d_cur;
            return nothing;
        }
    }
    pe_stack_set(s, k, &op->tri, d_new);
    return fp;
}

static pe_box commit_regrow(const pe_flight *f, const pe_canvas *cv, pe_stack *s, pe_op *op,
                            pe_worker *wk)
{
    const int k = pe_stack_find(s, op->id, op->slot);
    if (k < 0)
        return nothing;
    pe_tri old = s->tris[k];
    const pe_box a = pe_tri_footprint(&old, cv->w, cv->h);
    const pe_box n = pe_tri_footprint(&op->tri, cv->w, cv->h);
    const pe_box fp = pe_box_union(&a, &n);
    double d_old = op->d_old, d_new = op->delta;
    if (met(f, op, &fp)) {
        d_old = pe_op_delta_now(cv, s, k, -1, &old, false, wk);
        d_new = pe_op_delta_now(cv, s, s->n, k, &op->tri, true, wk);
    }
    if (!(d_new < d_old)) {
        s->use[k] = d_old;
        return nothing;
    }
    pe_stack_remove(s, k);
    pe_stack_push(s, &op->tri, d_new);
    return fp;
}

/* The op that commits for op: itself, or for the last of a whole-canvas search's chains the
 * best of them (NULL for the others: they wait for the last). */
static pe_op *chains_best(pe_flight *f, pe_op *op)
{
    if (op->chains <= 1)
        return op;
    if (op->chain < op->chains - 1)
        return NULL;
    pe_op *best = op;
    for (int j = 1; j < op->chains; j++) {
        pe_op *o = slot_of(f, f->committed - (uint64_t)j);
        best = o->delta < best->delta ? o : best;
    }
    return best;
}

bool pe_flight_commit(pe_flight *f, pe_cursor *c, const pe_canvas *cv, pe_stack *s,
                      pe_picture *pic, pe_worker *wk)
{
    pe_op *op = slot_of(f, f->committed);
    if (op->failed || (op->kind == PE_OP_ADD && !pe_stack_reserve(s, s->n + 1)))
        return false;
    c->evals += op->evals;
    c->iters += op->iters;
    pe_box changed = nothing;
    pe_op *best = chains_best(f, op);
    switch (op->kind) {
    case PE_OP_ADD:
        if (!best)
            break;
        changed = commit_add(f, cv, s, best, wk);
        c->ops_done++;
        break;
    case PE_OP_REFINE:
        changed = commit_refine(f, cv, s, op, wk);
        c->ops_done++;
        break;
    case PE_OP_REGROW:
        if (best)
            changed = commit_regrow(f, cv, s, best, wk);
        break;
    }
    f->touched[f->committed % PE_LAG] = changed;
    pe_picture_touch(pic, &changed);
    f->committed++;
    return true;
}
