/* batch: which ops run together, and how their results join the stack.
 *
 * A batch's ops are searched at once against the stack as it stood when the batch began. They
 * are then committed one by one in the batch's order: an op whose pixels (its old and new
 * triangle's footprints) no earlier commit of the batch has touched goes in as found, its loss
 * change exact; an op that meets an earlier one is checked again against the stack as it is
 * now (colour re-fitted) and kept only if it still improves on what is there (an add always
 * goes in: a budget of triangles is a promise). Which ops form a batch depends on the image
 * and the options only, never on the thread count or the frames asked for, so neither does
 * the picture. */
#ifndef PE_BATCH_H
#define PE_BATCH_H

#include "op.h"

/* Ops in one batch, at most. Refinements run PE_BATCH_MAX at a time. New triangles (adds,
 * and the regrow's) are searched in windows that do not overlap, so that each is exact
 * whatever the others find: windows of PE_WINDOW_SPAN typical triangles a side (a triangle
 * covers w h / placed pixels on average), centred where the picture's error is, as many as fit
 * without overlapping, at most PE_BATCH_MAX. While fewer than two such windows fit the
 * canvas, one triangle at a time is searched over the whole canvas (the first triangles are
 * large washes that must see it all), as PE_ADD_CHAINS annealing chains from the best
 * candidates, each of 1/PE_ADD_CHAINS of the iterations, the best one kept: as much work as one
 * chain, and a batch of ops again.
 * Measured, 9 shared images x seeds 1-3 at the defaults (judge PSNR, CPU at -j 1): windows of
 * 3 typical triangles and one chain 30.10 dB, 1.63 s; two chains 30.15 dB, 1.84 s; windows of 4
 * and two chains 30.20 dB, 2.10 s (against 30.08 dB, 1.88 s for the tiled core); of 2.5 and 5:
 * no better on camera, rocket and mona. */
#define PE_BATCH_MAX 16
#define PE_WINDOW_SPAN 4.0
#define PE_ADD_CHAINS 2

/* Where the run's fixed sequence of ops stands. */
typedef struct pe_cursor {
    int budget;          /* triangles the picture is to hold */
    uint64_t ops_done;   /* adds, then refinements, budget of them a round: what plans count */
    uint64_t serial;     /* ops issued so far: the next op's random stream */
    int *regrow;         /* after a round: the slots to regrow, highest first */
    int nregrow, regrow_at;
    bool steady;         /* no regrow: every triangle stays at its depth (pe_options.steady) */
    uint64_t evals, iters;
} pe_cursor;

typedef struct pe_batch {
    pe_op ops[PE_BATCH_MAX];
    int n;
    pe_box touched[PE_BATCH_MAX]; /* footprints of the commits so far */
    int ntouched;
    int best_of; /* > 1: the ops are alternative searches for one add; the best goes in */
} pe_batch;

/* Refinement rounds every triangle has had. */
int pe_cursor_rounds(const pe_cursor *c);

/* Whether the next batch searches new triangles in windows: it then needs the error of the
 * picture as it stands. */
bool pe_batch_wants_error(const pe_cursor *c, const pe_stack *s, int w, int h);

/* The next batch of the sequence for stack s (s->n < budget: adds; else refinements, and
 * after each round its regrow), over a w x h canvas whose cumulative squared error (row-major)
 * is error_cdf when pe_batch_wants_error said so. */
void pe_batch_next(pe_batch *b, pe_cursor *c, const pe_stack *s, int w, int h, uint64_t seed,
                   const double *error_cdf);

/* Apply b's results to s in order (see above), on wk's scratch. False when out of memory. */
bool pe_batch_commit(const pe_canvas *cv, pe_stack *s, pe_batch *b, pe_cursor *c,
                     pe_worker *wk);

void pe_cursor_free(pe_cursor *c);

#endif
