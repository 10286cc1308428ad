/* plan: how the work budget is cut into steps, which steps are frames, and when to stop. A step
 * is the run's work between two pictures of it (the progress callback's). */
#ifndef PE_PLAN_H
#define PE_PLAN_H

#include "polyevolve.h"

#include <stdint.h>

/* Timed plans cut the budget into steps of this fraction of the run's triangles: short enough
 * that the clock is checked often, long enough that a step is more than bookkeeping. */
#define PE_PLAN_TIMED_STEP 8

/* The next step is expected to last as long as the longest of this many latest steps: a round
 * ends with a longer step (its regrow), and a timed round is PE_PLAN_TIMED_STEP steps. */
#define PE_PLAN_WINDOW (PE_PLAN_TIMED_STEP + 1)

typedef struct pe_plan {
    bool timed;          /* --time without --iterations: work until the clock runs out */
    int rounds;          /* refinement rounds in the budget (not timed) */
    int steps;           /* steps in the budget (not timed) */
    int frames;
    pe_frame_spacing spacing;
    double time_limit, target_psnr;
    int frames_done;     /* timed: frames flagged so far */
    double last_wall;    /* wall seconds at the end of the previous step */
    bool placing;        /* triangles remain to be placed: a time limit does not stop the run
                            (the adds speed up instead, past it to the least search: evolve.c) */
    double recent[PE_PLAN_WINDOW]; /* the latest steps' wall durations, a ring */
    int nrecent;                   /* steps seen (the ring holds the last PE_PLAN_WINDOW) */
} pe_plan;

void pe_plan_init(pe_plan *p, const pe_options *o);

/* Adds and refinements in the whole budget of `budget` triangles (UINT64_MAX when timed). */
uint64_t pe_plan_total(const pe_plan *p, int budget);

/* Fraction of the budget done after step s (1-based); timed plans return 0. */
double pe_plan_fraction(const pe_plan *p, int s);

/* Operations a run of `budget` triangles should have done at the end of the step whose
 * fraction is frac: its adds, then `rounds` sweeps over its slots. */
uint64_t pe_plan_target(const pe_plan *p, int budget, uint64_t ops_done, double frac);

/* After step s: fill p->steps, fraction and frame of pr (whose step and wall_seconds are set)
 * and return true when the run should stop here. With a time limit the run also stops when
 * another step as long as the longest of the latest PE_PLAN_WINDOW would end past the limit: a
 * limit is a promise. */
bool pe_plan_after_step(pe_plan *p, pe_progress *pr);

/* Whether a step whose picture has this PSNR reaches the target (--target-psnr): the run then
 * stops there, and that step is always a frame. */
bool pe_plan_reached(const pe_plan *p, double psnr);

#endif
