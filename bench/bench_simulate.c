/* bench_simulate: how a run would scale on machines with more cores than this one.
 *
 * It runs pe_approximate once with a trace (src/trace.h: every op's cost and the commits it
 * waited for, the issuing thread's own work in order, each cost in CPU seconds of the thread
 * that did it), then replays that trace by list scheduling on 1, 2, 4, 8, 16 and 32 threads:
 * one thread issues, commits and publishes in the traced order, waiting for the op it commits
 * (and running queued ops meanwhile, the awaited one first, as the OpenMP runtime does), and
 * for the bands of a redraw of the picture it handed out; the others take the oldest queued
 * task whenever they are free; a whole-canvas regrow's chain that runs on a thread that ran
 * none of its search's chains before draws its focus again, which the one traced thread did
 * not. The sequence of events does not
 * depend on the thread count (src/sched.h), so the replay is exact but for what it leaves
 * out: memory bandwidth, caches, the runtime's own overheads, and the whole-canvas focus an
 * add's chain draws in full on a thread that ran none of the last four adds' chains (the one
 * traced thread always drew on the focus it held).
 *
 *   bench_simulate IMAGE [-n N] [-r N] [--iterations N] [--seed N] [--frames N] [-j N]
 *                        [--threads-list "1 2 4"] [--report] [--what-if "A,B;C"]
 *
 * prints the measured session (wall and CPU at -j N, default 1), the simulated time at that
 * count beside it (the check that the model holds), then one line per count: THREADS SPEEDUP.
 * --report gives the run a progress callback that copies each step's result (as the program's
 * frames do). --what-if replays the same trace again with parts of it made free, to show what
 * holds the scaling back: for each ';'-separated list of `commits` (commits cost nothing),
 * `issue` (issue events and publishes cost nothing), `nosteal` (the issuing thread runs no op
 * but the one it waits for), `split` (an op's cost above 4 ms is spread over the threads) and
 * `adds` (the adds cost nothing), one line per count: THREADS SPEEDUP [LIST], against the same
 * changed trace on one thread. */
#define _POSIX_C_SOURCE 200809L
#include "polyevolve.h"
#include "trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_THREADS = 256 };

/* What a what-if replay makes free (see the top). */
typedef struct what_if {
    bool commits, issue, nosteal, split, adds;
} what_if;

/* An op's cost above this is spread over the threads in a `split` replay. */
#define SPLIT_ABOVE 0.004

/* A task of the replay: an op (by position), a report or a band of the picture. */
typedef struct task {
    double cost, ready, end;
    bool queued, started;
} task;

typedef struct sim {
    const pe_trace *tr;
    int threads;
    what_if w;
    task *ops;            /* by position */
    task *reports;        /* reports and the picture's bands, by event index */
    size_t *queue;        /* FIFO of task ids: op q as q, report e as nops + e */
    size_t qhead, qtail;
    double free_at[MAX_THREADS];
    size_t search_of[MAX_THREADS]; /* the first chain of the search each ran a chain of last */
    double busy;          /* thread-seconds of tasks and the issuer's work */
} sim;

static task *task_of(sim *s, size_t id)
{
    return id < s->tr->nops ? &s->ops[id] : &s->reports[id - s->tr->nops];
}

static void push(sim *s, size_t id, double at)
{
    task *t = task_of(s, id);
    t->ready = at;
    t->queued = true;
    s->queue[s->qtail++] = id;
}

/* Drop started tasks from the head of the queue. */
static void tidy(sim *s)
{
    while (s->qhead < s->qtail && task_of(s, s->queue[s->qhead])->started)
        s->qhead++;
}

/* What task id costs more on `thread` than it did traced: a whole-canvas regrow's chain after
 * the first draws its focus in full on a thread that ran no chain of that search before (the
 * trace ran them all on one thread, each drawing on the focus the one before left). */
static double moved_cost(sim *s, size_t id, int thread)
{
    if (id >= s->tr->nops)
        return 0.0;
    const pe_trace_op *op = &s->tr->ops[id];
    const size_t first = op->chains > 1 ? id - (size_t)op->chain : SIZE_MAX;
    const bool held = first != SIZE_MAX && s->search_of[thread] == first;
    s->search_of[thread] = first;
    return op->kind == 2 /* a regrow */ && op->chain > 0 && !held ? s->tr->ops[first].focus : 0.0;
}

static void start(sim *s, size_t id, double at, int thread)
{
    task *t = task_of(s, id);
    t->cost += moved_cost(s, id, thread);
    t->started = true;
    t->end = at + t->cost;
    s->free_at[thread] = t->end;
    s->busy += t->cost;
}

/* The other threads take the oldest queued task whenever they are free, up to time `until`. */
static void workers_until(sim *s, double until)
{
    for (;;) {
        tidy(s);
        if (s->qhead == s->qtail || s->threads < 2)
            return;
        int w = 1;
        for (int k = 2; k < s->threads; k++)
            w = s->free_at[k] < s->free_at[w] ? k : w;
        const size_t id = s->queue[s->qhead];
        const task *t = task_of(s, id);
        const double at = s->free_at[w] > t->ready ? s->free_at[w] : t->ready;
        if (at >= until)
            return;
        start(s, id, at, w);
    }
}

/* The issuing thread, at time *now, waits for task id to end, running queued tasks meanwhile:
 * the awaited one when nobody has started it, else the oldest. */
static void await_task(sim *s, size_t id, double *now)
{
    task *t = task_of(s, id);
    if (!t->queued)
        return;
    for (;;) {
        workers_until(s, *now);
        if (t->started && t->end <= *now)
            return;
        if (!t->started) {
            start(s, id, *now, 0);
            *now = t->end;
            continue;
        }
        tidy(s);
        if (!s->w.nosteal && s->qhead < s->qtail) {
            const size_t other = s->queue[s->qhead];
            start(s, other, *now, 0);
            *now = task_of(s, other)->end;
            continue;
        }
        *now = t->end; /* nothing else to do: wait */
    }
}

/* An op's cost in a replay. */
static double op_cost(const sim *s, const pe_trace_op *op)
{
    if (s->w.adds && op->kind == 0)
        return 0.0;
    if (s->w.split && op->cost > SPLIT_ABOVE)
        return SPLIT_ABOVE + (op->cost - SPLIT_ABOVE) / s->threads;
    return op->cost;
}

/* The makespan of the trace on `threads` threads. */
static double replay(const pe_trace *tr, int threads, const what_if *w, double *busy)
{
    sim s = { .tr = tr, .threads = threads, .w = *w };
    for (int k = 0; k < MAX_THREADS; k++)
        s.search_of[k] = SIZE_MAX;
    s.ops = calloc(tr->nops + 1, sizeof *s.ops);
    s.reports = calloc(tr->nevents + 1, sizeof *s.reports);
    s.queue = calloc(tr->nops + tr->nevents + 1, sizeof *s.queue);
    if (!s.ops || !s.reports || !s.queue) {
        fprintf(stderr, "bench_simulate: out of memory\n");
        exit(1);
    }
    for (size_t q = 0; q < tr->nops; q++)
        s.ops[q].cost = op_cost(&s, &tr->ops[q]);
    double now = 0.0;
    size_t last_report = SIZE_MAX, draws = SIZE_MAX; /* draws: the first band in flight */
    for (size_t e = 0; e < tr->nevents; e++) {
        const pe_trace_event *ev = &tr->events[e];
        if (ev->what != PE_TRACE_DRAW && draws != SIZE_MAX) { /* an update's bands all drawn */
            for (size_t d = draws; d < e; d++)
                await_task(&s, tr->nops + d, &now);
            draws = SIZE_MAX;
        }
        switch (ev->what) {
        case PE_TRACE_ISSUE:
            now += s.w.issue ? 0.0 : ev->cost;
            s.busy += s.w.issue ? 0.0 : ev->cost;
            push(&s, ev->op, now);
            if (threads == 1) /* no region: a task runs where it is created */
                await_task(&s, ev->op, &now);
            break;
        case PE_TRACE_COMMIT:
        case PE_TRACE_DROP:
            await_task(&s, ev->op, &now);
            now += s.w.commits ? 0.0 : ev->cost;
            s.busy += s.w.commits ? 0.0 : ev->cost;
            break;
        case PE_TRACE_PUBLISH:
            if (last_report != SIZE_MAX)
                await_task(&s, tr->nops + last_report, &now);
            now += s.w.issue ? 0.0 : ev->cost;
            s.busy += s.w.issue ? 0.0 : ev->cost;
            break;
        case PE_TRACE_DRAW:
            s.reports[e].cost = ev->cost;
            push(&s, tr->nops + e, now);
            draws = draws == SIZE_MAX ? e : draws;
            if (threads == 1)
                await_task(&s, tr->nops + e, &now);
            break;
        case PE_TRACE_REPORT:
            s.reports[e].cost = ev->cost;
            push(&s, tr->nops + e, now);
            last_report = e;
            if (threads == 1)
                await_task(&s, tr->nops + e, &now);
            break;
        }
    }
    for (size_t d = draws; d < tr->nevents; d++)
        await_task(&s, tr->nops + d, &now);
    if (last_report != SIZE_MAX)
        await_task(&s, tr->nops + last_report, &now);
    if (getenv("PE_SIM_PHASES") && threads == atoi(getenv("PE_SIM_PHASES"))) {
        /* where the time goes: the span of each kind's ops, and their work */
        double first[4] = { 1e300, 1e300, 1e300, 1e300 }, last[4] = { 0 }, work[4] = { 0 };
        for (size_t q = 0; q < tr->nops; q++) {
            const int k = tr->ops[q].chains > 1 && tr->ops[q].kind == 0 ? 3 : tr->ops[q].kind;
            first[k] = s.ops[q].end - s.ops[q].cost < first[k] ? s.ops[q].end - s.ops[q].cost : first[k];
            last[k] = s.ops[q].end > last[k] ? s.ops[q].end : last[k];
            work[k] += s.ops[q].cost;
        }
        static const char *const names[] = { "add", "refine", "regrow", "whole-canvas add" };
        for (int k = 0; k < 4; k++)
            if (last[k] > 0.0)
                fprintf(stderr, "%-12s %.3f..%.3f s, work %.3f s\n", names[k], first[k], last[k],
                        work[k]);
            else
                fprintf(stderr, "%-12s none\n", names[k]);
    }
    double end = now;
    for (size_t q = 0; q < tr->nops; q++) {
        if (s.ops[q].queued && !s.ops[q].started)
            await_task(&s, q, &end);
        end = s.ops[q].end > end ? s.ops[q].end : end;
    }
    *busy = s.busy;
    free(s.ops);
    free(s.reports);
    free(s.queue);
    return end;
}

static bool copy_step(const pe_progress *p, const pe_result *partial, void *ctx)
{
    (void)p;
    (void)ctx;
    pe_result copy;
    if (pe_result_copy(partial, &copy) == PE_OK)
        pe_result_free(&copy);
    return false;
}

/* One line per thread count in list: THREADS SPEEDUP, and [label] for a what-if. */
static void speedups(const pe_trace *tr, const char *list, const what_if *w, const char *label)
{
    double busy;
    const double one = replay(tr, 1, w, &busy);
    for (const char *p = list; *p;) {
        char *end;
        const long t = strtol(p, &end, 10);
        if (end == p)
            break;
        p = end;
        if (t < 1 || t > MAX_THREADS)
            continue;
        const double span = replay(tr, (int)t, w, &busy);
        if (label)
            printf("%ld %.2fx [%s]\n", t, one / span, label);
        else
            printf("%ld %.2fx\n", t, one / span);
    }
}

/* A what-if list: words separated by ','; false for an unknown word. */
static bool parse_what_if(const char *words, what_if *w)
{
    *w = (what_if){ 0 };
    for (const char *p = words; *p;) {
        const size_t len = strcspn(p, ",");
        bool *flag = len == 7 && !strncmp(p, "commits", len)   ? &w->commits
                     : len == 5 && !strncmp(p, "issue", len)   ? &w->issue
                     : len == 7 && !strncmp(p, "nosteal", len) ? &w->nosteal
                     : len == 5 && !strncmp(p, "split", len)   ? &w->split
                     : len == 4 && !strncmp(p, "adds", len)    ? &w->adds
                                                               : NULL;
        if (!flag)
            return false;
        *flag = true;
        p += p[len] ? len + 1 : len;
    }
    return true;
}

/* Each ';'-separated list of a --what-if: checked (tr NULL; false with a message when one is
 * not a list of the words), or replayed. */
static bool what_ifs(const char *what, const pe_trace *tr, const char *list)
{
    while (*what) {
        const size_t len = strcspn(what, ";");
        char words[256];
        snprintf(words, sizeof words, "%.*s", (int)len, what);
        what_if w;
        if (!parse_what_if(words, &w)) {
            fprintf(stderr, "bench_simulate: --what-if: '%s' is not a list of commits, issue, "
                            "nosteal, split, adds\n", words);
            return false;
        }
        if (tr)
            speedups(tr, list, &w, words);
        what += what[len] ? len + 1 : len;
    }
    return true;
}

static int usage(void)
{
    fprintf(stderr, "usage: bench_simulate IMAGE [-n N] [-r N] [--iterations N] [--seed N] "
                    "[--frames N] [-j N] [--threads-list \"1 2 4\"] [--report] "
                    "[--what-if \"A,B;C\"]\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage();
    pe_options o = pe_options_default();
    o.threads = 1;
    o.frames = 0;
    const char *list = "1 2 4 8 16 32", *what = NULL;
    bool report = false;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--report")) {
            report = true;
            continue;
        }
        if (!v)
            return usage();
        i++;
        if (!strcmp(a, "-n"))
            o.triangles = atoi(v);
        else if (!strcmp(a, "-r"))
            o.resize = atoi(v);
        else if (!strcmp(a, "--iterations"))
            o.iterations = atoi(v);
        else if (!strcmp(a, "--seed"))
            o.seed = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--frames"))
            o.frames = atoi(v);
        else if (!strcmp(a, "-j"))
            o.threads = atoi(v);
        else if (!strcmp(a, "--threads-list"))
            list = v;
        else if (!strcmp(a, "--what-if") && !what_ifs(v, NULL, NULL))
            return 2;
        else if (!strcmp(a, "--what-if"))
            what = v;
        else
            return usage();
    }
    if (report)
        o.progress = copy_step;
    pe_image img;
    if (pe_image_load(argv[1], NULL, &img) != PE_OK) {
        fprintf(stderr, "bench_simulate: %s: cannot load\n", argv[1]);
        return 1;
    }
    pe_trace tr = { 0 };
    pe_result res;
    const pe_status st = pe_approximate_traced(&img, &o, &res, &tr);
    pe_image_free(&img);
    if (st != PE_OK || tr.failed) {
        fprintf(stderr, "bench_simulate: the run failed: %s\n", pe_status_str(st));
        return 1;
    }
    double ops = 0.0, serial = 0.0, busy;
    for (size_t q = 0; q < tr.nops; q++)
        ops += tr.ops[q].cost;
    for (size_t e = 0; e < tr.nevents; e++)
        serial += tr.events[e].what == PE_TRACE_REPORT || tr.events[e].what == PE_TRACE_DRAW
                      ? 0.0
                      : tr.events[e].cost;
    const what_if as_traced = { 0 };
    const double at_traced = replay(&tr, tr.threads, &as_traced, &busy);
    printf("# %s -n %d -r %d, %zu ops, PSNR %.3f: measured at -j %d: %.3f s wall, %.3f s CPU; "
           "simulated at -j %d: %.3f s (%+.1f %%)\n",
           argv[1], o.triangles, o.resize, tr.nops, res.psnr, tr.threads, tr.wall, tr.cpu,
           tr.threads, at_traced, 100.0 * (at_traced / tr.wall - 1.0));
    double by[PE_TRACE_DRAW + 1] = { 0 };
    for (size_t e = 0; e < tr.nevents; e++)
        by[tr.events[e].what] += tr.events[e].cost;
    printf("# work: ops %.3f s, issuing thread %.3f s (%.1f %%: issue %.3f, commit %.3f, "
           "publish %.3f), reports %.3f s, the picture's bands %.3f s\n",
           ops, serial, 100.0 * serial / (ops + serial), by[PE_TRACE_ISSUE],
           by[PE_TRACE_COMMIT] + by[PE_TRACE_DROP], by[PE_TRACE_PUBLISH], by[PE_TRACE_REPORT],
           by[PE_TRACE_DRAW]);
    printf("THREADS SPEEDUP\n");
    speedups(&tr, list, &as_traced, NULL);
    if (what)
        (void)what_ifs(what, &tr, list);
    pe_result_free(&res);
    pe_trace_free(&tr);
    return 0;
}
