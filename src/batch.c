/* batch: the sequence of ops and their commit. */
#include "batch.h"

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

void pe_cursor_free(pe_cursor *c)
{
    free(c->regrow);
    c->regrow = NULL;
}


/* The side of a new triangle's window, and how many fit the canvas (at most PE_BATCH_MAX). */
static int window_side(int w, int h, int placed)
{
    const double typical = sqrt((double)w * h / (placed > 0 ? placed : 1));
    const double side = ceil(PE_WINDOW_SPAN * typical);
    return side < PE_WINDOW_MAX ? (int)side : PE_WINDOW_MAX;
}

static int windows_fit(int w, int h, int placed)
{
    const int side = window_side(w, h, placed); /* a window is cut to the canvas */
    const double fit = floor((double)w / (side < w ? side : w)) * floor((double)h / (side < h ? side : h));
    return fit < PE_BATCH_MAX ? (int)fit : PE_BATCH_MAX;
}

/* Which kind of op comes next, and how many of them. */
static pe_op_kind next_kind(const pe_cursor *c, const pe_stack *s)
{
    if (s->n < c->budget)
        return PE_OP_ADD;
    return c->regrow_at < c->nregrow ? PE_OP_REGROW : PE_OP_REFINE;
}

bool pe_batch_wants_error(const pe_cursor *c, const pe_stack *s, int w, int h)
{
    return next_kind(c, s) != PE_OP_REFINE &&
           (windows_fit(w, h, s->n) >= 2 || w > PE_WINDOW_MAX || h > PE_WINDOW_MAX);
}

/* A pixel drawn from the error: the first whose cumulative error passes u * total. */
static size_t draw_pixel(const double *cdf, size_t n, double u)
{
    const double v = u * cdf[n - 1];
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (cdf[mid] > v)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* Up to `want` windows that do not overlap, centred on pixels drawn from the error; returns
 * how many were found (at least one). */
static int choose_windows(pe_box *win, int want, int w, int h, int placed, pe_rng *rng,
                          const double *cdf)
{
    const int side = window_side(w, h, placed);
    const size_t n = (size_t)w * (size_t)h;
    int got = 0;
    want = want > 0 ? want : 1;
    for (int tries = 0; got < want && tries < 4 * want; tries++) {
        const size_t i = cdf[n - 1] > 0.0 ? draw_pixel(cdf, n, pe_rng_uniform(rng))
                                          : (size_t)(pe_rng_uniform(rng) * (double)n);
        const pe_box b = pe_box_around((double)(i % (size_t)w) + 0.5,
                                       (double)(i / (size_t)w) + 0.5, side, w, h);
        bool free_ = true;
        for (int k = 0; k < got && free_; k++)
            free_ = !pe_box_overlap(&b, &win[k]);
        if (free_)
            win[got++] = b;
    }
    return got;
}

void pe_batch_next(pe_batch *b, pe_cursor *c, const pe_stack *s, int w, int h, uint64_t seed,
                   const double *error_cdf)
{
    b->n = b->ntouched = 0;
    b->best_of = 1;
    const pe_op_kind kind = next_kind(c, s);
    if (kind != PE_OP_REFINE) {
        const int left = kind == PE_OP_ADD ? c->budget - s->n : c->nregrow - c->regrow_at;
        pe_box win[PE_BATCH_MAX] = { { 0, 0, 0, 0 } }; /* empty: the whole canvas */
        int n = 1;
        if (pe_batch_wants_error(c, s, w, h)) {
            const int fit = windows_fit(w, h, s->n);
            pe_rng rng; /* a stream of its own, apart from every op's */
            pe_rng_seed(&rng, seed, c->serial | ((uint64_t)1 << 63));
            n = choose_windows(win, left < fit ? left : fit, w, h, s->n, &rng, error_cdf);
            n = n > 0 ? n : 1; /* at least the whole canvas's first window */
        }
        const int chains = n == 1 && kind == PE_OP_ADD ? PE_ADD_CHAINS : 1;
        if (chains > 1) {
            b->best_of = chains;
            const uint64_t serial = c->serial++;
            for (int j = 0; j < chains; j++)
                b->ops[b->n++] = (pe_op){ .kind = kind, .serial = serial, .chain = j, .chains = chains };
            return;
        }
        for (int j = 0; j < n; j++) {
            pe_op *op = &b->ops[b->n++];
            *op = (pe_op){ .kind = kind, .serial = c->serial++, .win = win[j] };
            if (kind == PE_OP_REGROW)
                op->slot = c->regrow[c->regrow_at++];
        }
        return;
    }
    const int at = (int)((c->ops_done - (uint64_t)c->budget) % (uint64_t)c->budget);
    const int left = c->budget - at;
    const int n = left < PE_BATCH_MAX ? left : PE_BATCH_MAX;
    for (int j = 0; j < n; j++)
        b->ops[b->n++] = (pe_op){ .kind = PE_OP_REFINE, .slot = at + j, .serial = c->serial++ };
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

static bool met(const pe_batch *b, const pe_box *fp)
{
    for (int i = 0; i < b->ntouched; i++)
        if (pe_box_overlap(&b->touched[i], fp))
            return true;
    return false;
}

static void touch(pe_batch *b, const pe_box *fp)
{
    if (fp->x1 > fp->x0)
        b->touched[b->ntouched++] = *fp;
}

static bool same_tri(const pe_tri *a, const pe_tri *b)
{
    return memcmp(a->x, b->x, sizeof a->x) == 0 && memcmp(a->y, b->y, sizeof a->y) == 0 &&
           memcmp(a->rgba, b->rgba, sizeof a->rgba) == 0;
}

static void commit_add(const pe_canvas *cv, pe_stack *s, pe_batch *b, pe_op *op, pe_worker *wk)
{
    const pe_box fp = pe_tri_footprint(&op->tri, cv->w, cv->h);
    if (met(b, &fp))
        op->delta = pe_op_delta_now(cv, s, s->n, -1, &op->tri, true, wk);
    pe_stack_push(s, &op->tri, op->delta);
    touch(b, &fp);
}

static void commit_refine(const pe_canvas *cv, pe_stack *s, pe_batch *b, pe_op *op,
                          pe_worker *wk)
{
    const int k = op->slot;
    pe_tri old = s->tris[k];
    if (same_tri(&old, &op->tri)) {
        s->use[k] = op->delta;
        return;
    }
    const pe_box a = pe_tri_footprint(&old, cv->w, cv->h);
    const pe_box n = pe_tri_footprint(&op->tri, cv->w, cv->h);
    const pe_box fp = pe_box_union(&a, &n);
    double d_new = op->delta;
    if (met(b, &fp)) {
        d_new = pe_op_delta_now(cv, s, k, -1, &op->tri, true, wk);
        const double d_cur = pe_op_delta_now(cv, s, k, -1, &old, false, wk);
        if (!(d_new < d_cur)) {
            s->use[k] = d_cur;
            return;
        }
    }
    s->tris[k] = op->tri;
    s->use[k] = d_new;
    touch(b, &fp);
}

static void commit_regrow(const pe_canvas *cv, pe_stack *s, pe_batch *b, pe_op *op,
                          pe_worker *wk)
{
    const int k = op->slot;
    pe_tri old = s->tris[k];
    const pe_box a = pe_tri_footprint(&old, cv->w, cv->h);
    const pe_box n = pe_tri_footprint(&op->tri, cv->w, cv->h);
    const pe_box fp = pe_box_union(&a, &n);
    double d_old = op->d_old, d_new = op->delta;
    if (met(b, &fp)) {
        d_old = pe_op_delta_now(cv, s, k, -1, &old, false, wk);
        d_new = pe_op_delta_now(cv, s, s->n, k, &op->tri, true, wk);
    }
    if (!(d_new < d_old)) {
        s->use[k] = d_old;
        return;
    }
    pe_stack_remove(s, k);
    pe_stack_push(s, &op->tri, d_new);
    touch(b, &fp);
}

bool pe_batch_commit(const pe_canvas *cv, pe_stack *s, pe_batch *b, pe_cursor *c,
                     pe_worker *wk)
{
    bool round_ended = false;
    if (b->best_of > 1) {
        int best = 0;
        for (int j = 0; j < b->n; j++) {
            if (b->ops[j].failed)
                return false;
            c->evals += b->ops[j].evals;
            c->iters += b->ops[j].iters;
            best = b->ops[j].delta < b->ops[best].delta ? j : best;
        }
        pe_stack_push(s, &b->ops[best].tri, b->ops[best].delta);
        c->ops_done++;
        return true;
    }
    for (int j = 0; j < b->n; j++) {
        pe_op *op = &b->ops[j];
        if (op->failed)
            return false;
        c->evals += op->evals;
        c->iters += op->iters;
        switch (op->kind) {
        case PE_OP_ADD:
            commit_add(cv, s, b, op, wk);
            c->ops_done++;
            break;
        case PE_OP_REFINE:
            commit_refine(cv, s, b, op, wk);
            c->ops_done++;
            round_ended = round_ended || op->slot == c->budget - 1;
            break;
        case PE_OP_REGROW:
            commit_regrow(cv, s, b, op, wk);
            break;
        }
    }
    return round_ended && !c->steady ? plan_regrow(c, s) : true;
}
