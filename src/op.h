/* op: one unit of work on the stack, done by one thread: add a triangle on top, refine one
 * (search it again, then look for a better depth for it among the triangles it overlaps),
 * or regrow one (take it out and search a new one for the top). An op is
 * self-contained: when it is issued it gets its own copy of the part of the stack it reads (its
 * view) and its own search config; it then runs on any thread while the stack changes, reads
 * nothing else but the run's brief, and writes only its own result. The scheduler (sched.h)
 * commits the results in the order the ops were issued. So no op waits for another, and the
 * picture does not depend on which thread ran which op, or when. */
#ifndef PE_OP_H
#define PE_OP_H

#include "fit.h"
#include "search.h"
#include "target.h"
#include "stack.h"

#include <stdint.h>

/* The brief: what every op of a run reads, fixed before the first op is issued and never
 * changed while ops run (ops hold it as const). */
typedef struct pe_brief {
    const float *target; /* premultiplied RGBA, w x h: the working picture (target.h) */
    int w, h;
    float bg[4];
    bool alpha;
    uint64_t seed;
    int triangles;       /* the run's budget: the search's loss unit is the loss per triangle */
    /* what an op's cfg is copied from */
    pe_search_cfg add_cfg, regrow_cfg, quick_cfg, least_cfg, refine_cfg;
    const pe_fit_style *style; /* the artist controls every fit honours (style.h) */
    pe_level coarse;     /* where whole-canvas searches look first (f == 1: none, target.h) */
    const pe_fit_style *coarse_style; /* the style with the coarse level's weights */
} pe_brief;

typedef enum pe_op_kind { PE_OP_ADD, PE_OP_REFINE, PE_OP_REGROW } pe_op_kind;

typedef struct pe_op {
    pe_op_kind kind;
    int slot;            /* refine, regrow: the triangle's slot when it was issued */
    uint32_t id;         /* refine, regrow: the triangle's name (stack.h) */
    bool reorder;        /* refine: then look for a better depth for it (an order move) */
    uint64_t serial;     /* the op's number in the run: its random stream */
    pe_search_cfg cfg;   /* its search, chosen when it was issued (a chain's share included) */
    pe_box win;          /* add, regrow: where the new triangle is searched (sched.h) */
    int chain, chains;   /* one of `chains` independent searches for one triangle over the whole
                          * canvas, each with its share of the candidates and iterations */
    uint64_t seen;       /* commits done when it was issued: it did not see the later ones */
    pe_tri *view;        /* the triangles that meet its regions, bottom to top, as issued */
    uint32_t *view_id;   /* their names */
    int nview, view_cap;
    int at;              /* refine, regrow: the op's triangle in the view */
    pe_tri tri;          /* result: the triangle found (refine: the old one when none beat it) */
    double delta;        /* its loss change where it goes, against its view */
    bool moves;          /* refine: tri goes to another depth, next to the triangle
                          * named anchor: just above it, or just below */
    bool above;
    uint32_t anchor;
    double d_old;        /* regrow: the old triangle's loss change at its slot (a whole-canvas
                          * search's last chain measures it for all its chains) */
    uint64_t evals, iters;
    bool failed;         /* out of memory: the op changes nothing */
    bool traced;         /* its run is traced: its record below is kept */
    double cost, start, end; /* a traced run's record (trace.h): CPU seconds, wall from..to */
    double focus;        /* and a whole-canvas search's focus on the working picture: CPU s */
    int thread;
} pe_op;

/* One thread's scratch, rewritten by every op: a focus on the working picture and one on the
 * coarse level. When a focus holds a new triangle on top, its region and the triangles below
 * are kept (held): the next such focus over the same region, with the same triangles and a few
 * more on top (the next whole-canvas add on this thread), draws just those
 * (pe_fit_focus_more, bit-identical to a full focus). */
typedef struct pe_focus {
    pe_fit fit;
    pe_tri *held;
    int nheld, held_cap;
    int hx0, hy0, hx1, hy1; /* the held focus's region; hx1 == hx0: none held */
} pe_focus;

typedef struct pe_worker {
    pe_focus full;   /* on the working picture */
    pe_focus coarse; /* on the brief's coarse level */
    pe_tri *buf;     /* the stack without one slot (regrow) */
    int buf_cap;
    pe_tri *scaled;  /* a view brought to the coarse level */
    int scaled_cap;
} pe_worker;

bool pe_worker_init(pe_worker *wk, const pe_brief *b);
void pe_worker_free(pe_worker *wk);

/* The largest region an op ever needs: a bound on every thread's scratch (132 bytes per
 * pixel) on large canvases. */
#define PE_WINDOW_MAX 1024

/* Make op ready to run against stack s as it is now: copy its view. False when out of memory. */
bool pe_op_issue(const pe_brief *b, const pe_stack *s, pe_op *op);
/* Do op on wk's scratch (it reads only its view and the brief).
 * False when out of memory (the op then changes nothing). */
bool pe_op_run(const pe_brief *b, pe_op *op, pe_worker *wk);
/* The view's memory. */
void pe_op_free(pe_op *op);

/* Commit-time checks against the stack as it is now, over just the pixels t can touch:
 * the loss change of t at slot k (k == s->n: on top; skip >= 0: as if that slot were out),
 * with t's colour re-fitted in closed form when refit (t is updated). */
double pe_op_delta_now(const pe_brief *b, const pe_stack *s, int k, int skip, pe_tri *t,
                       bool refit, pe_worker *wk);

/* A refinement's check: the loss change of t in slot k (colour re-fitted: t is updated) and of
 * the triangle there now, both on one focus over their footprints. */
void pe_op_recheck(const pe_brief *br, const pe_stack *s, int k, pe_tri *t, double *d_new,
                   double *d_cur, pe_worker *wk);

/* The loss change of t taken out of slot `from` and put in at slot `to` of what is left (its
 * slot once moved), its colour re-fitted when refit (t is updated). */
double pe_op_delta_moved(const pe_brief *b, const pe_stack *s, int from, int to, pe_tri *t,
                         bool refit, pe_worker *wk);

/* Bring a triangle from elsewhere (a resumed or initial state) inside what an op could have
 * made: vertices within the canvas's margins and within one PE_WINDOW_MAX window. */
void pe_tri_fit_canvas(const pe_brief *b, pe_tri *t);

#endif
