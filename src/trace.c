/* trace: growing the lists of a run's trace. */
#define _POSIX_C_SOURCE 200809L
#include "trace.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

double pe_trace_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void pe_trace_free(pe_trace *t)
{
    if (!t)
        return;
    free(t->events);
    free(t->ops);
    memset(t, 0, sizeof *t);
}

/* Room for `need` items of `size` bytes in *items (capacity *cap). */
static bool grow(void **items, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return true;
    const size_t n = need > 2 * *cap ? need : 2 * *cap;
    void *p = realloc(*items, n * size);
    if (!p)
        return false;
    *items = p;
    *cap = n;
    return true;
}

void pe_trace_event_add(pe_trace *t, pe_trace_what what, uint64_t op, double cost)
{
    if (!grow((void **)&t->events, &t->events_cap, t->nevents + 1, sizeof *t->events)) {
        t->failed = true;
        return;
    }
    t->events[t->nevents++] = (pe_trace_event){ what, op, cost };
}

pe_trace_op *pe_trace_op_at(pe_trace *t, uint64_t op)
{
    if (!grow((void **)&t->ops, &t->ops_cap, (size_t)op + 1, sizeof *t->ops)) {
        t->failed = true;
        return NULL;
    }
    while (t->nops <= op)
        t->ops[t->nops++] = (pe_trace_op){ 0 };
    return &t->ops[op];
}
