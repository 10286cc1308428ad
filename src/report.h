/* report: a step's picture and result, handed to the progress callback while the next ops run.
 *
 * The run's reports follow one another (one at a time, in step order, on any thread) and keep
 * their own picture of the stack, drawn again where the commits since the previous report
 * changed it: the thread that issues ops only copies the step's triangles. The picture gives
 * the step's loss, its PSNR (a run with --target-psnr stops at the first step that reaches it)
 * and the canvas the callback sees. */
#ifndef PE_REPORT_H
#define PE_REPORT_H

#include "picture.h"
#include "polyevolve.h"
#include "stack.h"
#include "target.h"

typedef enum pe_report_stop {
    PE_REPORT_GO_ON = 0,
    PE_REPORT_REACHED, /* the step reached the target PSNR */
    PE_REPORT_ASKED    /* the progress callback asked to stop there */
} pe_report_stop;

typedef struct pe_report {
    const pe_options *opt;
    const pe_target *target;
    pe_picture pic;      /* the stack as of the latest report */
    pe_tri *tris;        /* the step's triangles, working pixels */
    int n, cap;
    pe_progress p;
    pe_result partial;   /* the step's result: triangles, loss and PSNR filled in by the report */
    bool ready;          /* it holds a step */
    pe_report_stop stop;
    double cost;         /* a traced run's: CPU seconds the report took */
    bool traced;
} pe_report;

PE_NODISCARD pe_status pe_report_init(pe_report *r, const pe_options *o, const pe_target *t);
void pe_report_free(pe_report *r);

/* Take a step for the next report: the stack's triangles, what changed since the previous
 * report (passed from the scheduler's picture), the progress so far (loss and PSNR left for the
 * report) and the result's other fields. False when out of memory. */
bool pe_report_take(pe_report *r, const pe_stack *s, pe_picture *changes, const pe_progress *p,
                    const pe_result *fields);

/* The report's own work, on any thread: draw, measure, and hand the step to the callback (when
 * the run has one). */
void pe_report_run(pe_report *r);

#endif
