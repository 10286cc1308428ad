/* budget: --time promises the whole run's wall time, frames, animations and final pictures
 * included. Their cost is measured before the work, on a stand-in picture (as many triangles as
 * asked, sized as a finished picture's are) drawn and encoded at the frame size, and the
 * optimisation gets the time that is left. */
#ifndef CLI_BUDGET_H
#define CLI_BUDGET_H

#include "frames.h"
#include "targets.h"

typedef struct cli_budget {
    double optimise; /* seconds for pe_options.time_limit: above 0 */
    int frames;      /* frames that fit: f->max, or fewer when they would take more than half */
    double per_frame, finals; /* the estimates, seconds: one frame, all final pictures */
} cli_budget;

/* The budget of a run of o (o->pe.time_limit > 0) on a w x h input into tg, whose frames are
 * f (f->size and f->max set), elapsed seconds after its start. */
void cli_time_budget(const cli_options *o, const cli_targets *tg, const cli_frames *f, int w, int h,
                     double elapsed, cli_budget *out);

#endif
