/* trace: what a run's ops and its issuing thread did, and what each cost: the input of the
 * scaling simulator (bench/bench_simulate.c), which replays a run on any number of threads.
 *
 * The issuing thread's work is a list of events in the order it did them (issue an op, commit
 * one, publish a step), each with its cost; each op has its cost and the commits it waited for
 * (those done when it was issued). Costs are CPU seconds of the thread that did the work, so a
 * trace taken on a busy machine still says what the work costs. The sequence of events is the
 * same at any thread count (sched.h), so one trace replays every count. */
#ifndef PE_TRACE_H
#define PE_TRACE_H

#include "polyevolve.h"

#include <stdint.h>

typedef enum pe_trace_what {
    PE_TRACE_ISSUE,   /* op `op` issued (its view copied, its window chosen) */
    PE_TRACE_COMMIT,  /* op `op` committed (after waiting for it to end) */
    PE_TRACE_DROP,    /* op `op` let go at a stop */
    PE_TRACE_PUBLISH, /* a step published: the picture drawn, the report's copies made */
    PE_TRACE_REPORT,  /* the report of the step published last handed to the callback (`cost`
                       * on whichever thread ran it; the next publish waits for it) */
    PE_TRACE_DRAW     /* a band of the picture's changes drawn (`cost` on whichever thread drew
                       * it): the bands of one update are consecutive events, drawn at once, and
                       * the issuing thread waits for them all before its next event */
} pe_trace_what;

typedef struct pe_trace_event {
    pe_trace_what what;
    uint64_t op;    /* the op's position (ISSUE, COMMIT, DROP) */
    double cost;    /* CPU seconds */
} pe_trace_event;

typedef struct pe_trace_op {
    int kind;       /* pe_op_kind */
    int chain, chains; /* chains > 1: chain `chain` of a whole-canvas search (the first at
                        * position - chain) */
    double cost;    /* CPU seconds its run took */
    double focus;   /* of which its focus on the working picture (whole-canvas searches): a
                     * chain after the first draws on the one its thread holds, when it ran the
                     * chain before; on another thread a regrow's chain draws it in full */
    double start, end; /* wall seconds since the run began */
    int thread;
} pe_trace_op;

typedef struct pe_trace {
    pe_trace_event *events;
    size_t nevents, events_cap;
    pe_trace_op *ops;   /* by position */
    size_t nops, ops_cap;
    double wall;        /* wall seconds of the parallel session */
    double cpu;         /* CPU seconds of the process during it */
    int threads;
    bool failed;        /* out of memory while recording: incomplete */
} pe_trace;

/* pe_approximate, recording into trace (NULL: none). Free the trace with pe_trace_free. */
PE_NODISCARD pe_status pe_approximate_traced(const pe_image *target, const pe_options *opt,
                                             pe_result *out, pe_trace *trace);

void pe_trace_free(pe_trace *t);

/* CPU seconds of the calling thread. */
double pe_trace_clock(void);

/* Append an event; room for op `op`'s record (NULL when out of memory). */
void pe_trace_event_add(pe_trace *t, pe_trace_what what, uint64_t op, double cost);
pe_trace_op *pe_trace_op_at(pe_trace *t, uint64_t op);

#endif
