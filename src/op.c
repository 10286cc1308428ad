/* op: one add, refinement or regrow, searched over a region of the working picture. */
#include "op.h"

#include "rng.h"
#include "trace.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Where an op looks: the focus region (working pixels, inside the canvas) and the box its
 * vertices may take (the region, and beyond the canvas's own edges: a large shape covering a
 * corner needs its vertices well outside). */
typedef struct region {
    int x0, y0, x1, y1;
    double box[4];
} region;

/* A region of a w x h picture, and beyond its edges where it meets them (margin: at least m
 * pixels, and a quarter of the region). */
static region region_in(int w, int h, const pe_box *b, double m)
{
    region r = { b->x0, b->y0, b->x1, b->y1, { 0 } };
    if (b->x1 <= b->x0) /* none given: the whole canvas */
        r = (region){ 0, 0, w, h, { 0 } };
    const double mx = fmax(m, (r.x1 - r.x0) / 4.0), my = fmax(m, (r.y1 - r.y0) / 4.0);
    r.box[0] = r.x0 == 0 ? -mx : r.x0;
    r.box[1] = r.y0 == 0 ? -my : r.y0;
    r.box[2] = r.x1 == w ? w + mx : r.x1;
    r.box[3] = r.y1 == h ? h + my : r.y1;
    return r;
}

/* A region of the canvas, and beyond the canvas's edges where it meets them. */
static region region_of(const pe_brief *br, const pe_box *b)
{
    return region_in(br->w, br->h, b, 8.0);
}

/* A side x side region around (cx, cy), moved inside the canvas. */
static region region_at(const pe_brief *br, double cx, double cy, int side)
{
    const pe_box b = pe_box_around(cx, cy, side, br->w, br->h);
    return region_of(br, &b);
}

/* Where an existing triangle is refined: a region around it, room to move included. The
 * region's focus costs about as much as the search in it, and a refinement seldom moves a
 * triangle far: a tighter region pays for more rounds (docs/benchmarks.md). */
#define PE_REFINE_SPAN 1.5
#define PE_REFINE_ROOM 16
static region refine_region(const pe_brief *br, const pe_tri *t)
{
    double b[4];
    pe_tri_bounds(t, b);
    int side = (int)ceil(PE_REFINE_SPAN * fmax(b[2] - b[0], b[3] - b[1])) + PE_REFINE_ROOM;
    side = side > PE_WINDOW_MAX ? PE_WINDOW_MAX : side;
    return region_at(br, (b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0, side);
}

void pe_tri_fit_canvas(const pe_brief *br, pe_tri *t)
{
    double cx = 0.0, cy = 0.0;
    for (int v = 0; v < 3; v++) {
        cx += t->x[v] / 3.0;
        cy += t->y[v] / 3.0;
    }
    cx = fmin(fmax(cx, 0.0), br->w);
    cy = fmin(fmax(cy, 0.0), br->h);
    const region r = region_at(br, cx, cy, PE_WINDOW_MAX);
    for (int v = 0; v < 3; v++) {
        t->x[v] = fmin(fmax(t->x[v], r.box[0]), r.box[2]);
        t->y[v] = fmin(fmax(t->y[v], r.box[1]), r.box[3]);
    }
}

/* Triangles drawn on top of a held focus rather than a new one drawn: at most this many (a
 * whole-canvas add finds one more, the previous add's); a whole-canvas focus drawn in full
 * costs a fifth of a small run (docs/benchmarks.md). */
#define PE_FOCUS_MORE 4

static bool same_tris(const pe_tri *a, const pe_tri *b, int n)
{
    for (int j = 0; j < n; j++)
        if (!pe_tri_same(&a[j], &b[j]))
            return false;
    return true;
}

/* Keep what a focus of a new triangle on top holds (false: none kept). */
static bool hold(pe_focus *fc, const region *r, const pe_tri *tris, int n)
{
    if (n > fc->held_cap) {
        const int cap = n > 2 * fc->held_cap ? n : 2 * fc->held_cap;
        pe_tri *grown = realloc(fc->held, (size_t)cap * sizeof *grown);
        if (!grown)
            return false; /* only a full focus next time */
        fc->held = grown;
        fc->held_cap = cap;
    }
    if (n > 0) /* an empty stack's view may be NULL */
        memcpy(fc->held, tris, (size_t)n * sizeof *tris);
    fc->nheld = n;
    fc->hx0 = r->x0;
    fc->hy0 = r->y0;
    fc->hx1 = r->x1;
    fc->hy1 = r->y1;
    return true;
}

/* Prepare fc for slot k of tris[0..n) over region r of a picture (target, its width tw). */
static void focus_on(pe_focus *fc, const float *target, int tw, const pe_brief *br,
                     const region *r, const pe_tri *tris, int n, int k)
{
    const bool top = k >= n;
    if (top && n > 0 && fc->hx1 > fc->hx0 && r->x0 == fc->hx0 && r->y0 == fc->hy0 &&
        r->x1 == fc->hx1 && r->y1 == fc->hy1 && n >= fc->nheld && n - fc->nheld <= PE_FOCUS_MORE &&
        same_tris(tris, fc->held, fc->nheld))
        pe_fit_focus_more(&fc->fit, target, tw, tris + fc->nheld, n - fc->nheld);
    else
        pe_fit_focus(&fc->fit, target, tw, r->x0, r->y0, r->x1 - r->x0, r->y1 - r->y0, br->bg,
                     br->alpha, tris, n, k);
    if (!top || !hold(fc, r, tris, n))
        fc->hx1 = fc->hx0 = 0;
}

/* The focus on the working picture. */
static void focus(const pe_brief *br, const region *r, const pe_tri *tris, int n, int k,
                  pe_worker *wk)
{
    focus_on(&wk->full, br->target, br->w, br, r, tris, n, k);
}

/* The annealing's loss unit: the region's loss shared by the triangles it would hold. */
static double search_scale(const pe_brief *br, const region *r, int w, int h, const pe_fit *fit)
{
    const double share = (double)(r->x1 - r->x0) * (r->y1 - r->y0) / ((double)w * h);
    const double expect = fmax(1.0, br->triangles * share);
    return fit->e0 / expect + 1e-12;
}

bool pe_worker_init(pe_worker *wk, const pe_brief *br)
{
    memset(wk, 0, sizeof *wk);
    /* a footprint reaches a pixel past its region's triangle on each side */
    const int mw = br->w < PE_WINDOW_MAX + 2 ? br->w : PE_WINDOW_MAX + 2;
    const int mh = br->h < PE_WINDOW_MAX + 2 ? br->h : PE_WINDOW_MAX + 2;
    if (!pe_fit_init(&wk->full.fit, mw, mh) ||
        (br->coarse.f > 1 && !pe_fit_init(&wk->coarse.fit, br->coarse.w, br->coarse.h)))
        return false;
    pe_fit_set_style(&wk->full.fit, br->style);
    if (br->coarse.f > 1)
        pe_fit_set_style(&wk->coarse.fit, br->coarse_style);
    return true;
}

static void focus_free(pe_focus *fc)
{
    pe_fit_free(&fc->fit);
    free(fc->held);
}

void pe_worker_free(pe_worker *wk)
{
    focus_free(&wk->full);
    focus_free(&wk->coarse);
    free(wk->buf);
    free(wk->scaled);
    memset(wk, 0, sizeof *wk);
}

/* wk->buf = tris[0..n) without slot k. */
static bool without(const pe_tri *tris, int n, int k, pe_worker *wk)
{
    if (n > wk->buf_cap) {
        pe_tri *grown = realloc(wk->buf, (size_t)n * sizeof *grown);
        if (!grown)
            return false;
        wk->buf = grown;
        wk->buf_cap = n;
    }
    memcpy(wk->buf, tris, (size_t)k * sizeof *wk->buf);
    memcpy(wk->buf + k, tris + k + 1, (size_t)(n - 1 - k) * sizeof *wk->buf);
    return true;
}

static pe_box pixels_of(const region *r)
{
    return (pe_box){ r->x0, r->y0, r->x1, r->y1 };
}

bool pe_op_issue(const pe_brief *br, const pe_stack *s, pe_op *op)
{
    pe_box a = { 0, 0, 0, 0 }, b = { 0, 0, 0, 0 };
    if (op->kind == PE_OP_ADD || op->kind == PE_OP_REGROW) {
        const region r = region_of(br, &op->win);
        a = pixels_of(&r);
    }
    if (op->kind != PE_OP_ADD) {
        const region r = refine_region(br, &s->tris[op->slot]);
        b = pixels_of(&r);
    }
    if (s->n > op->view_cap) {
        const int cap = s->n > 2 * op->view_cap ? s->n : 2 * op->view_cap;
        pe_tri *grown = realloc(op->view, (size_t)cap * sizeof *grown);
        if (grown)
            op->view = grown;
        uint32_t *ids = grown ? realloc(op->view_id, (size_t)cap * sizeof *ids) : NULL;
        if (!ids)
            return false;
        op->view_id = ids;
        op->view_cap = cap;
    }
    op->nview = 0;
    op->at = -1;
    for (int k = 0; k < s->n; k++) {
        if (k == op->slot && op->kind != PE_OP_ADD)
            op->at = op->nview;
        else if (!pe_box_overlap(&s->fp[k], &a) && !pe_box_overlap(&s->fp[k], &b))
            continue;
        op->view_id[op->nview] = s->id[k];
        op->view[op->nview++] = s->tris[k];
    }
    return true;
}

void pe_op_free(pe_op *op)
{
    free(op->view);
    free(op->view_id);
    op->view = NULL;
    op->view_id = NULL;
    op->view_cap = op->nview = 0;
}

/* Candidates screened, the best annealed as op->cfg says, over region r of the focus fit. */
static double search_in(const pe_brief *br, const pe_fit *fit, const region *r, int w, int h,
                        const pe_tri *cur, pe_op *op, pe_rng *rng, pe_tri *out)
{
    pe_search_stats st = { 0 };
    const double d = pe_search_focus(fit, &op->cfg, r->box, rng, op->serial, cur,
                                     search_scale(br, r, w, h, fit), out, &st);
    op->evals += st.evaluations;
    op->iters += st.iterations;
    return d;
}

/* Moves of the hill climb that finishes at full size a triangle found on the coarse level. */
#define PE_FINISH_MOVES 48

/* A whole-canvas search on the coarse level (the view reduced to it), then a short climb on the
 * working picture from what it found. */
static bool search_coarse(const pe_brief *br, const pe_tri *tris, int n, pe_op *op, pe_rng *rng,
                          pe_worker *wk)
{
    const pe_level *lv = &br->coarse;
    if (n > wk->scaled_cap) {
        pe_tri *grown = realloc(wk->scaled, (size_t)n * sizeof *grown);
        if (!grown)
            return false;
        wk->scaled = grown;
        wk->scaled_cap = n;
    }
    const double f = lv->f;
    for (int j = 0; j < n; j++) {
        wk->scaled[j] = tris[j];
        for (int v = 0; v < 3; v++) {
            wk->scaled[j].x[v] = tris[j].x[v] / f;
            wk->scaled[j].y[v] = tris[j].y[v] / f;
        }
    }
    const pe_box whole = { 0, 0, 0, 0 };
    const region rc = region_in(lv->w, lv->h, &whole, 8.0 / f);
    focus_on(&wk->coarse, lv->target, lv->w, br, &rc, wk->scaled, n, n);
    pe_tri t;
    (void)search_in(br, &wk->coarse.fit, &rc, lv->w, lv->h, NULL, op, rng, &t);
    const region r = region_of(br, &whole);
    for (int v = 0; v < 3; v++) {
        t.x[v] = fmin(fmax(t.x[v] * f, r.box[0]), r.box[2]);
        t.y[v] = fmin(fmax(t.y[v] * f, r.box[1]), r.box[3]);
    }
    const double c0 = op->traced ? pe_trace_clock() : 0.0;
    focus(br, &r, tris, n, n, wk);
    op->focus = op->traced ? pe_trace_clock() - c0 : 0.0;
    /* a cheaper search (a time limit's) finishes with fewer moves too */
    const pe_search_cfg finish = { .ls_moves = op->cfg.ls_moves < PE_FINISH_MOVES
                                                   ? op->cfg.ls_moves
                                                   : PE_FINISH_MOVES };
    pe_search_stats st = { 0 };
    op->delta = pe_search_focus(&wk->full.fit, &finish, r.box, rng, op->serial, &t,
                                search_scale(br, &r, br->w, br->h, &wk->full.fit), &op->tri,
                                &st);
    op->evals += st.evaluations;
    return true;
}

/* Search a new triangle for the top of tris[0..n). */
static bool search_top(const pe_brief *br, const pe_tri *tris, int n, pe_op *op, pe_rng *rng,
                       pe_worker *wk)
{
    if (op->win.x1 <= op->win.x0 && br->coarse.f > 1)
        return search_coarse(br, tris, n, op, rng, wk);
    const region r = region_of(br, &op->win);
    focus(br, &r, tris, n, n, wk);
    op->delta = search_in(br, &wk->full.fit, &r, br->w, br->h, NULL, op, rng, &op->tri);
    return true;
}

/* The footprint of t as a region (inside the canvas). */
static region footprint_region(const pe_brief *br, const pe_tri *t)
{
    const pe_box b = pe_tri_footprint(t, br->w, br->h);
    return (region){ b.x0, b.y0, b.x1, b.y1, { 0 } };
}

/* An order move: the depth, among the triangles of its view that op->tri overlaps, where its
 * colour re-fitted there lowers the loss more than op->delta (the greedy adds and the regrow
 * only ever put a triangle on top, and a search keeps it at its depth). Its own place counts
 * too, its colour re-fitted. One depth scan (fit.h) measures every place. */
static bool reorder(const pe_brief *br, pe_op *op, pe_worker *wk)
{
    const region r = footprint_region(br, &op->tri);
    if (r.x1 <= r.x0)
        return true;
    if (!without(op->view, op->nview, op->at, wk))
        return false;
    pe_fit_place pl;
    const int p = pe_fit_depth(&wk->full.fit, br->target, br->w, r.x0, r.y0, r.x1 - r.x0,
                               r.y1 - r.y0, br->bg, br->alpha, &op->tri, wk->buf, op->nview - 1,
                               op->at, &pl);
    wk->full.hx1 = wk->full.hx0 = 0; /* the scan rewrote the focus */
    op->evals++;
    if (p < 0)
        return false;
    if (!(pl.delta < op->delta))
        return true;
    if (p != op->at) {
        const int a = pl.anchor < op->at ? pl.anchor : pl.anchor + 1; /* in the view */
        op->moves = true;
        op->above = pl.above;
        op->anchor = op->view_id[a];
    }
    memcpy(op->tri.rgba, pl.rgba, sizeof pl.rgba);
    op->delta = pl.delta;
    return true;
}

bool pe_op_run(const pe_brief *br, pe_op *op, pe_worker *wk)
{
    /* the chains of one search share its number: each draws from a seed of its own (streams that
     * differ only in their high bits run in step in their low bits) */
    pe_rng rng;
    pe_rng_seed(&rng, br->seed ^ (0x9E3779B97F4A7C15ull * (uint64_t)op->chain), op->serial);
    op->evals = op->iters = 0;
    if (op->kind == PE_OP_ADD)
        return search_top(br, op->view, op->nview, op, &rng, wk);
    const pe_tri *old = &op->view[op->at];
    const region r = refine_region(br, old);
    if (op->kind == PE_OP_REFINE) {
        focus(br, &r, op->view, op->nview, op->at, wk);
        op->delta = search_in(br, &wk->full.fit, &r, br->w, br->h, old, op, &rng, &op->tri);
        return !op->reorder || reorder(br, op, wk);
    }
    /* the new triangle first, and the old one measured by the last chain alone (the chains
     * share one view): the focus on the top of the same stack then stays for the next chain
     * on this thread */
    if (!without(op->view, op->nview, op->at, wk) ||
        !search_top(br, wk->buf, op->nview - 1, op, &rng, wk))
        return false;
    if (op->chain < op->chains - 1)
        return true;
    focus(br, &r, op->view, op->nview, op->at, wk);
    op->d_old = pe_fit_delta_with(&wk->full.fit, old->x, old->y, old->rgba);
    op->evals++;
    return true;
}

void pe_op_recheck(const pe_brief *br, const pe_stack *s, int k, pe_tri *t, double *d_new,
                   double *d_cur, pe_worker *wk)
{
    const pe_tri *cur = &s->tris[k];
    const pe_box a = pe_tri_footprint(cur, br->w, br->h), n = pe_tri_footprint(t, br->w, br->h);
    const pe_box b = pe_box_union(&a, &n);
    *d_new = *d_cur = 0.0;
    if (b.x1 <= b.x0)
        return;
    const region r = { b.x0, b.y0, b.x1, b.y1, { 0 } };
    focus(br, &r, s->tris, s->n, k, wk);
    pe_fit_colour c;
    pe_fit_eval(&wk->full.fit, t->x, t->y, &c);
    pe_fit_quantize(&c, t->rgba);
    *d_new = pe_fit_delta_with(&wk->full.fit, t->x, t->y, t->rgba);
    *d_cur = pe_fit_delta_with(&wk->full.fit, cur->x, cur->y, cur->rgba);
}

double pe_op_delta_now(const pe_brief *br, const pe_stack *s, int k, int skip, pe_tri *t,
                       bool refit, pe_worker *wk)
{
    const pe_box b = pe_tri_footprint(t, br->w, br->h);
    if (b.x1 <= b.x0)
        return 0.0;
    const region r = { b.x0, b.y0, b.x1, b.y1, { 0 } };
    const pe_tri *tris = s->tris;
    int n = s->n;
    if (skip >= 0) {
        if (!without(s->tris, s->n, skip, wk))
            return HUGE_VAL; /* never better: the commit keeps what it has */
        tris = wk->buf;
        n--;
        k = k > skip ? k - 1 : k;
    }
    focus(br, &r, tris, n, k, wk);
    if (refit) {
        pe_fit_colour c;
        pe_fit_eval(&wk->full.fit, t->x, t->y, &c);
        pe_fit_quantize(&c, t->rgba);
    }
    return pe_fit_delta_with(&wk->full.fit, t->x, t->y, t->rgba);
}

/* wk->buf = tris[0..n) with slot `from` taken out and t put in at slot `to` of the rest. */
static bool moved(const pe_tri *tris, int n, int from, int to, const pe_tri *t, pe_worker *wk)
{
    if (!without(tris, n, from, wk))
        return false;
    memmove(wk->buf + to + 1, wk->buf + to, (size_t)(n - 1 - to) * sizeof *wk->buf);
    wk->buf[to] = *t;
    return true;
}

double pe_op_delta_moved(const pe_brief *br, const pe_stack *s, int from, int to, pe_tri *t,
                         bool refit, pe_worker *wk)
{
    const region r = footprint_region(br, t);
    if (r.x1 <= r.x0)
        return 0.0;
    if (!moved(s->tris, s->n, from, to, t, wk))
        return HUGE_VAL; /* never better: the commit keeps what it has */
    focus(br, &r, wk->buf, s->n, to, wk);
    if (refit) {
        pe_fit_colour c;
        pe_fit_eval(&wk->full.fit, t->x, t->y, &c);
        pe_fit_quantize(&c, t->rgba);
    }
    return pe_fit_delta_with(&wk->full.fit, t->x, t->y, t->rgba);
}
