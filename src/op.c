/* op: one add, refinement or regrow, searched over a region of the working picture. */
#include "op.h"

#include "rng.h"

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

/* A region of the canvas, and beyond the canvas's edges where it meets them. */
static region region_of(const pe_brief *br, const pe_box *b)
{
    region r = { b->x0, b->y0, b->x1, b->y1, { 0 } };
    if (b->x1 <= b->x0) /* none given: the whole canvas */
        r = (region){ 0, 0, br->w, br->h, { 0 } };
    const double mx = fmax(8.0, (r.x1 - r.x0) / 4.0), my = fmax(8.0, (r.y1 - r.y0) / 4.0);
    r.box[0] = r.x0 == 0 ? -mx : r.x0;
    r.box[1] = r.y0 == 0 ? -my : r.y0;
    r.box[2] = r.x1 == br->w ? br->w + mx : r.x1;
    r.box[3] = r.y1 == br->h ? br->h + my : r.y1;
    return r;
}

/* A side x side region around (cx, cy), moved inside the canvas. */
static region region_at(const pe_brief *br, double cx, double cy, int side)
{
    const pe_box b = pe_box_around(cx, cy, side, br->w, br->h);
    return region_of(br, &b);
}

/* Where an existing triangle is refined: a region around it, room to move included. */
#define PE_REFINE_ROOM 32
static region refine_region(const pe_brief *br, const pe_tri *t)
{
    double b[4];
    pe_tri_bounds(t, b);
    int side = (int)ceil(2.0 * fmax(b[2] - b[0], b[3] - b[1])) + PE_REFINE_ROOM;
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
 * whole-canvas add finds one more, the previous add's). Measured, mona -n 50 at -j 1: the
 * whole-canvas focuses took 0.17 s of 0.84 s drawn in full. */
#define PE_FOCUS_MORE 4

static bool same_tris(const pe_tri *a, const pe_tri *b, int n)
{
    for (int j = 0; j < n; j++)
        if (!pe_tri_same(&a[j], &b[j]))
            return false;
    return true;
}

/* Keep what the fit's focus of a new triangle on top holds (false: none kept). */
static bool hold(pe_worker *wk, const region *r, const pe_tri *tris, int n)
{
    if (n > wk->held_cap) {
        const int cap = n > 2 * wk->held_cap ? n : 2 * wk->held_cap;
        pe_tri *grown = realloc(wk->held, (size_t)cap * sizeof *grown);
        if (!grown)
            return false; /* only a full focus next time */
        wk->held = grown;
        wk->held_cap = cap;
    }
    if (n > 0) /* an empty stack's view may be NULL */
        memcpy(wk->held, tris, (size_t)n * sizeof *tris);
    wk->nheld = n;
    wk->hx0 = r->x0;
    wk->hy0 = r->y0;
    wk->hx1 = r->x1;
    wk->hy1 = r->y1;
    return true;
}

static void focus(const pe_brief *br, const region *r, const pe_tri *tris, int n, int k,
                  pe_worker *wk)
{
    const bool top = k >= n;
    if (top && n > 0 && wk->hx1 > wk->hx0 && r->x0 == wk->hx0 && r->y0 == wk->hy0 &&
        r->x1 == wk->hx1 && r->y1 == wk->hy1 && n >= wk->nheld && n - wk->nheld <= PE_FOCUS_MORE &&
        same_tris(tris, wk->held, wk->nheld))
        pe_fit_focus_more(&wk->fit, br->target, br->w, tris + wk->nheld, n - wk->nheld);
    else
        pe_fit_focus(&wk->fit, br->target, br->w, r->x0, r->y0, r->x1 - r->x0, r->y1 - r->y0,
                     br->bg, NULL, br->alpha, tris, n, k);
    if (!top || !hold(wk, r, tris, n))
        wk->hx1 = wk->hx0 = 0;
}

/* The annealing's loss unit: the region's loss shared by the triangles it would hold. */
static double search_scale(const pe_brief *br, const region *r, const pe_fit *fit)
{
    const double share = (double)(r->x1 - r->x0) * (r->y1 - r->y0) / ((double)br->w * br->h);
    const double expect = fmax(1.0, br->triangles * share);
    return fit->e0 / expect + 1e-12;
}

bool pe_worker_init(pe_worker *wk, const pe_brief *br)
{
    memset(wk, 0, sizeof *wk);
    /* a footprint reaches a pixel past its region's triangle on each side */
    const int mw = br->w < PE_WINDOW_MAX + 2 ? br->w : PE_WINDOW_MAX + 2;
    const int mh = br->h < PE_WINDOW_MAX + 2 ? br->h : PE_WINDOW_MAX + 2;
    return pe_fit_init(&wk->fit, mw, mh);
}

void pe_worker_free(pe_worker *wk)
{
    pe_fit_free(&wk->fit);
    free(wk->buf);
    free(wk->held);
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
    if (op->kind != PE_OP_REFINE) {
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
        if (!grown)
            return false;
        op->view = grown;
        op->view_cap = cap;
    }
    op->nview = 0;
    op->at = -1;
    for (int k = 0; k < s->n; k++) {
        if (k == op->slot && op->kind != PE_OP_ADD)
            op->at = op->nview;
        else if (!pe_box_overlap(&s->fp[k], &a) && !pe_box_overlap(&s->fp[k], &b))
            continue;
        op->view[op->nview++] = s->tris[k];
    }
    return true;
}

void pe_op_free(pe_op *op)
{
    free(op->view);
    op->view = NULL;
    op->view_cap = op->nview = 0;
}

/* Search a new triangle for the top of tris[0..n). */
static void search_top(const pe_brief *br, const pe_tri *tris, int n, pe_op *op, pe_rng *rng,
                       pe_worker *wk)
{
    const region r = region_of(br, &op->win);
    focus(br, &r, tris, n, n, wk);
    pe_screen_part parts[PE_SCREEN_PARTS];
    const pe_screen_part *screened = NULL;
    if (op->chains > 1 && op->cfg.finalists > 0) { /* every chain screens the same candidates */
        for (int p = 0; p < PE_SCREEN_PARTS; p++)
            pe_search_screen(&wk->fit, &op->cfg, r.box, br->seed, op->serial, p, &parts[p]);
        screened = parts;
    }
    pe_search_stats st = { 0 };
    op->delta = pe_search_focus(&wk->fit, &op->cfg, r.box, rng, op->serial, NULL, screened,
                                search_scale(br, &r, &wk->fit), &op->tri, &st);
    op->evals += st.evaluations;
    op->iters += st.iterations;
}

bool pe_op_run(const pe_brief *br, pe_op *op, pe_worker *wk)
{
    pe_rng rng;
    pe_rng_seed(&rng, br->seed, op->serial);
    op->evals = op->iters = 0;
    if (op->kind == PE_OP_ADD) {
        search_top(br, op->view, op->nview, op, &rng, wk);
        return true;
    }
    const pe_tri *old = &op->view[op->at];
    const region r = refine_region(br, old);
    focus(br, &r, op->view, op->nview, op->at, wk);
    if (op->kind == PE_OP_REFINE) {
        pe_search_stats st = { 0 };
        op->delta = pe_search_focus(&wk->fit, &op->cfg, r.box, &rng, op->serial, old,
                                    NULL, search_scale(br, &r, &wk->fit), &op->tri, &st);
        op->evals += st.evaluations;
        op->iters += st.iterations;
        return true;
    }
    op->d_old = pe_fit_delta_with(&wk->fit, old->x, old->y, old->rgba);
    op->evals++;
    if (!without(op->view, op->nview, op->at, wk))
        return false;
    search_top(br, wk->buf, op->nview - 1, op, &rng, wk);
    return true;
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
        pe_fit_eval(&wk->fit, t->x, t->y, &c);
        pe_fit_quantize(&c, t->rgba);
    }
    return pe_fit_delta_with(&wk->fit, t->x, t->y, t->rgba);
}
