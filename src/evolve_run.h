/* evolve_run: one call of pe_approximate's state (the run), and what is done to it before the
 * first op and after the last: checked, set up, its result assembled, freed. The loop that
 * drives it, and the threads, are in evolve.c. */
#ifndef PE_EVOLVE_RUN_H
#define PE_EVOLVE_RUN_H

#include "polyevolve.h"

#include "picture.h"
#include "plan.h"
#include "report.h"
#include "sched.h"
#include "style.h"
#include "target.h"
#include "trace.h"

#include <stdatomic.h>

typedef struct run {
    const pe_options *opt;
    const pe_image *src;
    pe_target target;
    pe_style style;
    pe_level coarse;    /* the brief's coarse level, and its style */
    pe_fit_style coarse_style;
    pe_brief brief;
    pe_sched sched;
    pe_plan plan;
    int threads;
    pe_worker *workers; /* one per thread, for the ops */
    pe_worker commit_wk; /* this thread's, for the commits' checks */
    pe_picture_scratch *paint; /* one per thread, for the picture's bands (draw_picture) */
    bool started;       /* an op has committed */
    int step;           /* steps done */
    uint64_t goal;      /* the scheduler's `done` that ends the current step */
    double last_commit, commit_gap; /* wall clock of the latest commit, and since the one before */
    int stop_kind;      /* 1: the plan ended (or the report of a step reached the target),
                         * 2: a cancel or the progress callback asked */
    pe_status status;
    double wall0, cpu0;
    bool reporting;     /* steps have reports: a progress callback or a target PSNR */
    pe_report rep;      /* the latest step's, while it runs */
    pe_trace *trace;    /* NULL: not traced */
    double owed;        /* traced: this thread's CPU seconds not yet put in an event */
    double aside;       /* traced: this thread's CPU seconds in events of their own (bands) */
    size_t rep_event;   /* traced: the event of the report in flight */
    atomic_int op_ended[PE_LAG]; /* by ring slot: the op's task has ended */
    atomic_int rep_ended;        /* the report's task has ended */
} run;

/* The target and options of a call, checked (a resume as the state writer checks what it
 * saves). */
PE_NODISCARD pe_status pe_run_validate(const pe_image *target, const pe_options *o);
/* R's brief, scheduler, workers and report, for R->threads threads over R->target (prepared),
 * R->style. Free R with pe_run_free, also on failure. */
PE_NODISCARD pe_status pe_run_setup(run *R);
void pe_run_free(run *R);
/* The fields of the run's result but its triangles, loss and PSNR. */
pe_result pe_run_fields(const run *R);
/* The result: the stack as it stands, in input pixels. */
PE_NODISCARD pe_status pe_run_assemble(run *R, pe_result *out);

#endif
