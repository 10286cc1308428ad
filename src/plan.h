/* plan: how the work budget is cut into synchronisation steps, which steps are frames, and
 * when to stop. A step is the unit between two joins of the tile loop. */
#ifndef PE_PLAN_H
#define PE_PLAN_H

#include "polyevolve.h"

#include <stdint.h>

/* Refinement rounds when neither --iterations nor --time is given. */
#define PE_DEFAULT_ROUNDS 2

typedef struct pe_plan {
    bool timed;          /* --time without --iterations: work until the clock runs out */
    int rounds;          /* refinement rounds in the budget (not timed) */
    int steps;           /* steps in the budget (not timed) */
    int frames;
    pe_frame_spacing spacing;
    double time_limit, target_psnr;
    int frames_done;     /* timed: frames flagged so far */
    double last_wall;    /* wall seconds at the end of the previous step */
} pe_plan;

void pe_plan_init(pe_plan *p, const pe_options *o);

/* Fraction of the budget done after step s (1-based); timed plans return 0. */
double pe_plan_fraction(const pe_plan *p, int s);

/* Operations a tile with `budget` triangles should have done at the end of the step whose
 * fraction is frac: its adds, then `rounds` sweeps over its slots. */
uint64_t pe_plan_target(const pe_plan *p, int budget, uint64_t ops_done, double frac);

/* Timed plans cut the budget into steps of this fraction of a tile's triangles: short enough
 * that the clock is checked often, long enough that joins stay rare. */
#define PE_PLAN_TIMED_STEP 8

/* After step s: fill p->steps, fraction and frame of pr (whose step, psnr and wall_seconds are
 * set) and return true when the run should stop here. With a time limit the run also stops
 * when another step as long as the last one would end past the limit: a limit is a promise. */
bool pe_plan_after_step(pe_plan *p, pe_progress *pr);

#endif
