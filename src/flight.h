/* flight: the run's fixed sequence of ops, as they are issued, run and committed.
 *
 * Ops are issued in sequence order and committed in the same order, and at most PE_LAG of
 * them are in flight (issued, not yet committed) at once. An op reads the stack as it was
 * when it was issued (its view, op.h), so it does not see the ops still in flight then. At
 * its commit, an op whose pixels (its old and new triangle's footprints) none of those ops
 * touched goes in as found, its loss change exact; one that meets them is checked again
 * against the stack as it is now (colour re-fitted) and kept only if it still improves on
 * what is there (an add always goes in: a budget of triangles is a promise).
 *
 * Which ops are issued, and what each sees, depends on the image and the options only: an op
 * is issued as soon as the rules below allow, and the commits it waits for are fixed by the
 * sequence, never by which thread is faster. So neither the thread count nor the frames asked
 * for change the picture, while every thread finds an op to run whenever there are at least
 * PE_LAG to do: no batch boundary where threads wait for the slowest. */
#ifndef PE_FLIGHT_H
#define PE_FLIGHT_H

#include "op.h"
#include "parallel.h"
#include "picture.h"

/* Ops in flight at most. It bounds the threads that can be busy (a run keeps about this many
 * ops open) and how much an op does not see. 32 is twice the threads of a 16-core machine, and
 * cost no quality against the batches of 16 it replaced (9 images x seeds 1-3 at the
 * defaults: 30.201 against 30.195 dB mean judge PSNR). */
#define PE_LAG 32

/* New triangles (adds, and the regrow's) are searched in windows of PE_WINDOW_SPAN typical
 * triangles a side (a triangle covers w h / placed pixels on average), centred on a pixel
 * drawn from the picture's error, and no window overlaps another in flight: each new triangle
 * is exact whatever the others find. When no free window is found, the next op waits for the
 * oldest to commit. While fewer than two windows fit the canvas, one triangle at a time is
 * searched over the whole canvas (the first triangles are large washes that must see it all),
 * with nothing else in flight, as PE_ADD_CHAINS annealing chains from the best candidates,
 * each of 1/PE_ADD_CHAINS of the iterations, the best one kept.
 * Measured, 9 shared images x seeds 1-3 at the defaults (judge PSNR, CPU at -j 1): windows of
 * 3 typical triangles and one chain 30.10 dB, 1.63 s; two chains 30.15 dB, 1.84 s; windows of 4
 * and two chains 30.20 dB, 2.10 s (against 30.08 dB, 1.88 s for the tiled core); of 2.5 and 5:
 * no better on camera, rocket and mona. */
#define PE_WINDOW_SPAN 4.0
#define PE_ADD_CHAINS 2

/* Where the run's sequence stands. */
typedef struct pe_cursor {
    int budget;          /* triangles the picture is to hold */
    uint64_t ops_done;   /* adds, then refinements (budget of them a round), committed */
    uint64_t issued;     /* the same, issued */
    uint64_t total;      /* the same in the whole sequence (UINT64_MAX: until stopped) */
    uint64_t serial;     /* ops issued so far: the next op's random stream */
    int *regrow;         /* after a round: the slots to regrow, highest first */
    int nregrow, regrow_at;
    bool round_end;      /* a round's last refinement is issued: its regrow waits for it */
    int chain_next;      /* a whole-canvas add's chains still to issue */
    bool steady;         /* no regrow: every triangle stays at its depth (pe_options.steady) */
    uint64_t evals, iters;
} pe_cursor;

typedef struct pe_flight {
    pe_op ops[PE_LAG];       /* position q in ops[q % PE_LAG] */
    pe_task task[PE_LAG];
    pe_box touched[PE_LAG];  /* the pixels the commit at that position changed */
    pe_screen screen;        /* the whole-canvas search in flight (one at a time) */
    uint64_t issued, committed; /* positions */
} pe_flight;

/* Refinement rounds every triangle has had. */
int pe_cursor_rounds(const pe_cursor *c);

typedef enum pe_next {
    PE_NEXT_OP,     /* *op is issued: run it */
    PE_NEXT_COMMIT, /* commit the oldest op first */
    PE_NEXT_END,    /* the sequence is done and nothing is in flight */
    PE_NEXT_NOMEM
} pe_next;

/* The next step of the sequence for stack s, whose picture (kept up to date with t) says
 * where new triangles go. */
pe_next pe_flight_next(pe_flight *f, pe_cursor *c, const pe_canvas *cv, const pe_stack *s,
                       pe_picture *pic, const pe_target *t, pe_op **op);

static inline int pe_flight_open(const pe_flight *f)
{
    return (int)(f->issued - f->committed);
}

/* Apply the oldest op's result to s (its task has ended), on wk's scratch, and mark the
 * pixels it changed on pic. False when out of memory. */
bool pe_flight_commit(pe_flight *f, pe_cursor *c, const pe_canvas *cv, pe_stack *s,
                      pe_picture *pic, pe_worker *wk);

void pe_flight_free(pe_flight *f, pe_cursor *c);

#endif
