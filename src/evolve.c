/* evolve: pe_approximate, the orchestration in one sitting, and the one place with threads.
 *
 * The concepts, each in its own file:
 * - target (target.h): the input at the working size, and the background;
 * - style (style.h): the artist controls every fit honours (opacity, importance, palette);
 * - brief (op.h): what every op reads, fixed before the first one runs;
 * - stack (stack.h): the picture's triangles, bottom to top;
 * - picture (picture.h): the stack drawn, kept up to date where commits change it, and where
 *   its error lies;
 * - op (op.h): one unit of work (add, refine or regrow one triangle) with its own copy
 *   of what it reads, its own search config and random stream, and its result;
 * - worker (op.h): one thread's scratch;
 * - scheduler (sched.h): the fixed sequence of ops, issued and committed in order;
 * - plan (plan.h): how the work is cut into steps, which are frames, and when to stop;
 * - report: a step's picture and result, handed to the progress callback.
 * Below them, search.h finds one triangle for a prepared focus and fit.h solves its colour;
 * beside this file, evolve_run.h holds one call's state (the run) and its setup and teardown.
 *
 * The threads are one OpenMP parallel region: this thread issues the scheduler's ops as tasks
 * and commits them in the order they were issued, waiting for the oldest to end (and running
 * tasks meanwhile, as the other threads do); when a step's ops have
 * committed, the step is published: a report task hands its picture to the progress callback
 * while later ops run on. When the picture has much to draw again before a new triangle's
 * window is chosen (after a round), its bands of rows are tasks too, which this thread waits
 * for. Idle threads wait inside the OpenMP runtime. What an op sees never
 * depends on the thread count, so neither does the result. */
#define _POSIX_C_SOURCE 200809L
#include "polyevolve.h"

#include "adopt.h"
#include "evolve_run.h"
#include "image.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef _OPENMP
#include <omp.h>
#endif

/* ThreadSanitizer does not see the OpenMP runtime's own synchronisation (the runtime is not
 * built with it): in a TSan build, what a task's creation and end order is told to it. */
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#include <sanitizer/tsan_interface.h>
void __tsan_ignore_thread_begin(void); /* in the runtime, not in every version's header */
void __tsan_ignore_thread_end(void);
#define PE_TSAN_SEES(how, p) how((void *)(p))
/* a task's copy of its arguments is written as the task is made and read where it runs, with
 * only the runtime between: making a task is left unseen, as the runtime's own work is (a task
 * the runtime runs at once is then unseen too) */
#define PE_TSAN_BLIND(on) ((on) ? __tsan_ignore_thread_begin() : __tsan_ignore_thread_end())
#endif
#endif
#ifndef PE_TSAN_SEES
#define PE_TSAN_SEES(how, p) ((void)(p))
#define PE_TSAN_BLIND(on) ((void)(on))
#endif
/* What this thread wrote before is visible to whoever takes p next. */
#define handed(p) PE_TSAN_SEES(__tsan_release, p)
/* What was written before p was handed is visible here. */
#define taken(p) PE_TSAN_SEES(__tsan_acquire, p)

static double now_wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double now_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Threads for `requested` (0 = all the OpenMP runtime offers; 1 without OpenMP): never more
 * than PE_THREADS_PER_CPU a processor, nor more than the ops a run keeps in flight (and the
 * thread that issues them): more would only contend (docs/benchmarks.md), and a runtime that
 * cannot start them ends the process. */
#define PE_THREADS_PER_CPU 4
static int threads_for(int requested)
{
#ifdef _OPENMP
    int t = requested > 0 ? requested : omp_get_max_threads();
    const int cpus = omp_get_num_procs();
    t = t < PE_THREADS_PER_CPU * cpus ? t : PE_THREADS_PER_CPU * cpus;
    t = t < PE_LAG + 1 ? t : PE_LAG + 1;
    return t > 1 ? t : 1;
#else
    (void)requested;
    return 1;
#endif
}

static int thread_index(void)
{
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

/* --time with triangles still to place: when the adds at their pace would not all fit before
 * the limit, the rest get a cheaper search, and once it has passed the cheapest (a user who
 * asks for N triangles within a time gets N). The only choice that depends on the clock, as a
 * time limit must; it is made here, before an op is issued, and the op keeps it. */
static void pace_adds(run *R)
{
    const double limit = R->opt->time_limit;
    const int placed = R->sched.stack.n, left = R->sched.budget - placed;
    if (!(limit > 0.0) || left <= 0 || placed < 2)
        return;
    const double elapsed = now_wall() - R->wall0;
    if (elapsed >= limit)
        pe_sched_pace(&R->sched, PE_PACE_LEAST);
    else if (elapsed + elapsed / placed * left > 0.8 * limit)
        pe_sched_pace(&R->sched, PE_PACE_QUICK);
}

static bool cancelled(const run *R)
{
    return R->opt->cancel && *R->opt->cancel;
}

/* A time limit is looked at before every op is issued, so that a step of many ops (a large
 * --iterations, -n) cannot run past it: no op is issued when the ops in flight, committing at
 * the latest pace, would end past the limit. The adds are never cut short: pace_adds makes
 * them cheap instead. */
static bool past_limit(const run *R)
{
    const double limit = R->opt->time_limit;
    const double open = pe_sched_open(&R->sched) + 1;
    return limit > 0.0 && R->sched.next >= (uint64_t)R->sched.budget &&
           now_wall() - R->wall0 + open * R->commit_gap > limit;
}

/* ---------------------------------------------------------------- the threads */

static atomic_int *op_ended(run *R, const pe_op *op)
{
    return &R->op_ended[op - R->sched.ops];
}

static void run_op(run *R, pe_op *op)
{
    taken(op);
    const double c0 = R->trace ? pe_trace_clock() : 0.0, w0 = R->trace ? now_wall() : 0.0;
    op->traced = R->trace != NULL;
    op->failed = !pe_op_run(&R->brief, op, &R->workers[thread_index()]);
    if (R->trace) {
        op->cost = pe_trace_clock() - c0;
        op->start = w0 - R->wall0;
        op->end = now_wall() - R->wall0;
        op->thread = thread_index();
    }
    handed(op);
    atomic_store_explicit(op_ended(R, op), 1, memory_order_release);
}

/* Wait until the task that sets *ended has ended, running other tasks meanwhile. LLVM's runtime
 * before version 19 lets the thread that ends the awaited task write to the waiter's node of a
 * `taskwait depend` after the waiter has returned (llvm-project issue 85963: it crashed here
 * under load), so with it this thread polls the flag and runs tasks between polls; GCC's
 * runtime keeps its nodes, and its taskyield runs nothing. */
static void await_ended(atomic_int *ended)
{
#if defined(_OPENMP) && defined(KMP_VERSION_MAJOR)
    while (!atomic_load_explicit(ended, memory_order_acquire)) {
#pragma omp taskyield
    }
#else
    (void)ended; /* gcc does not count a depend clause as a use */
#ifdef _OPENMP
#pragma omp taskwait depend(in : ended[0])
#endif
#endif
}

/* Run op on any thread of the region (here and now on one thread: the caller's own parallel
 * region, if any, must not take it). */
static void start_op(run *R, pe_op *op)
{
    atomic_int *ended = op_ended(R, op);
    atomic_store_explicit(ended, 0, memory_order_relaxed);
    if (R->threads == 1) {
        run_op(R, op);
        return;
    }
    handed(op);
    PE_TSAN_BLIND(1);
#ifdef _OPENMP
#pragma omp task default(none) firstprivate(R, op, ended) depend(out : ended[0])
#endif
    run_op(R, op);
    PE_TSAN_BLIND(0);
}

/* Wait until op has run. */
static void await_op(run *R, pe_op *op)
{
    await_ended(op_ended(R, op));
    taken(op);
}

/* Hand the report to its task on any thread of the region. */
static void start_report(run *R, pe_report *r)
{
    atomic_int *ended = &R->rep_ended;
    atomic_store_explicit(ended, 0, memory_order_relaxed);
    if (R->threads == 1) {
        pe_report_run(r);
        atomic_store_explicit(ended, 1, memory_order_relaxed);
        return;
    }
    handed(r);
    PE_TSAN_BLIND(1);
#ifdef _OPENMP
#pragma omp task default(none) firstprivate(r, ended) depend(out : ended[0])
#endif
    {
        taken(r);
        pe_report_run(r);
        handed(r);
        atomic_store_explicit(ended, 1, memory_order_release);
    }
    PE_TSAN_BLIND(0);
}

static void await_report(run *R)
{
    await_ended(&R->rep_ended);
    taken(&R->rep);
}

/* ---------------------------------------------------------------- the trace */

/* This thread's CPU clock when the run is traced. */
static double clock_if(const run *R)
{
    return R->trace ? pe_trace_clock() : 0.0;
}

/* An event of this thread's, costing what it did since c0 and what was owed. */
static void traced(run *R, pe_trace_what what, uint64_t op, double c0)
{
    if (!R->trace)
        return;
    pe_trace_event_add(R->trace, what, op, pe_trace_clock() - c0 + R->owed - R->aside);
    R->owed = R->aside = 0.0;
    const pe_op *o = op < R->sched.issued ? &R->sched.ops[op % PE_LAG] : NULL;
    pe_trace_op *t = what != PE_TRACE_PUBLISH ? pe_trace_op_at(R->trace, op) : NULL;
    if (t && o && what != PE_TRACE_ISSUE)
        *t = (pe_trace_op){ o->kind, o->chain, o->chains, o->cost, o->focus, o->start, o->end,
                            o->thread };
}

/* The report in flight has ended: its cost goes into its event. */
static void report_ended(run *R)
{
    if (R->trace && R->rep.ready && R->rep_event < R->trace->nevents)
        R->trace->events[R->rep_event].cost = R->rep.cost;
}

/* ---------------------------------------------------------------- the picture's bands */

/* Fewer blocks of the picture than this to draw again: drawn on the issuing thread alone
 * (tasks would cost more than they save). */
#define PE_DRAW_MIN_BLOCKS 4
/* Bands at most: enough for every thread of a large machine twice over. */
#define PE_DRAW_BANDS 64

typedef struct band {
    int by0, by1; /* block rows */
    bool drew;
    double cost;  /* traced: CPU seconds */
    int thread;
} band;

static void draw_band(run *R, band *b)
{
    taken(&R->sched.pic);
    const double c0 = clock_if(R);
    b->thread = thread_index();
    b->drew = pe_picture_draw_rows(&R->sched.pic, &R->target, &R->sched.stack, b->by0, b->by1,
                                   &R->paint[b->thread]);
    b->cost = R->trace ? pe_trace_clock() - c0 : 0.0;
    handed(b);
}

/* Cut the picture's changes into bands of block rows with about as many blocks to draw each
 * (every row in one band: triangles pushed on top are drawn band by band too). */
static int cut_bands(const pe_picture *p, int dirty, int want, band *bands)
{
    int nb = 0, acc = 0, by0 = 0;
    for (int by = 0; by < p->bh; by++) {
        acc += pe_picture_dirty_in(p, by);
        if (by == p->bh - 1 || (nb < want - 1 && (long)acc * want >= (long)(nb + 1) * dirty)) {
            bands[nb++] = (band){ .by0 = by0, .by1 = by + 1 };
            by0 = by + 1;
        }
    }
    return nb;
}

/* The scheduler's picture brought up to date by every thread of the region, band by band,
 * while this one waits (running bands too): after a refinement round, a large canvas is drawn
 * again in full, work that on the issuing thread alone holds up every op behind it. */
static void draw_picture(void *ctx)
{
    run *R = ctx;
    pe_picture *p = &R->sched.pic;
    int dirty = 0;
    for (int by = 0; by < p->bh; by++)
        dirty += pe_picture_dirty_in(p, by);
    if (dirty < PE_DRAW_MIN_BLOCKS)
        return; /* pe_picture_update draws it here */
    band bands[PE_DRAW_BANDS];
    const int want = 2 * R->threads < PE_DRAW_BANDS ? 2 * R->threads : PE_DRAW_BANDS;
    const int nb = cut_bands(p, dirty, want, bands);
    handed(p);
#ifdef _OPENMP
    if (R->threads > 1) {
#pragma omp taskgroup
        {
            for (int i = 0; i < nb; i++) {
                band *b = &bands[i];
                PE_TSAN_BLIND(1);
#pragma omp task default(none) firstprivate(R, b)
                draw_band(R, b);
                PE_TSAN_BLIND(0);
            }
        }
    } else
#endif
    { /* one thread, traced: the bands one by one, each in its own event */
        for (int i = 0; i < nb; i++)
            draw_band(R, &bands[i]);
    }
    bool drew = false;
    for (int i = 0; i < nb; i++) {
        taken(&bands[i]);
        drew = drew || bands[i].drew;
        if (R->trace) {
            pe_trace_event_add(R->trace, PE_TRACE_DRAW, 0, bands[i].cost);
            if (bands[i].thread == thread_index()) /* not this thread's own event's */
                R->aside += bands[i].cost;
        }
    }
    taken(p);
    pe_picture_drawn(p, drew);
}

/* ---------------------------------------------------------------- the sequence */

/* The oldest op in flight: wait for it and commit it. */
static pe_status commit_oldest(run *R)
{
    await_op(R, pe_sched_oldest(&R->sched));
    const double c0 = clock_if(R);
    const uint64_t q = R->sched.committed;
    if (!pe_sched_commit(&R->sched, &R->commit_wk))
        return PE_ERR_NOMEM;
    traced(R, PE_TRACE_COMMIT, q, c0);
    const double now = now_wall();
    R->commit_gap = now - R->last_commit;
    R->last_commit = now;
    R->started = true;
    return PE_OK;
}

static pe_status publish(run *R);

/* Publish the steps that the commits so far have ended. This is done just before the next
 * commit, not at once: the stack does not change meanwhile, and the ops issued in between keep
 * the other threads busy while this one draws the picture. */
static pe_status publish_due(run *R)
{
    while (R->status == PE_OK && R->stop_kind == 0 && R->sched.done >= R->goal &&
           R->goal < R->sched.total)
        R->status = publish(R);
    return R->status;
}

/* Wait for every op in flight; commit them when keep, until a step's rule or report asks to
 * stop (else the stack stays as it is). */
static pe_status land(run *R, bool keep)
{
    pe_status st = PE_OK;
    while (pe_sched_open(&R->sched) > 0 && st == PE_OK) {
        if (keep && (st = publish_due(R)) == PE_OK && R->stop_kind == 0) {
            st = commit_oldest(R);
        } else if (st == PE_OK) {
            await_op(R, pe_sched_oldest(&R->sched));
            const double c0 = clock_if(R);
            const uint64_t q = R->sched.committed;
            pe_sched_drop(&R->sched);
            traced(R, PE_TRACE_DROP, q, c0);
        }
    }
    return st;
}

/* The goal of the step after R->step: the ops that end it. */
static void next_goal(run *R)
{
    const double frac = pe_plan_fraction(&R->plan, R->step + 1);
    R->goal = pe_plan_target(&R->plan, R->sched.budget, R->sched.done, frac);
}

/* The previous step's report has ended: a stop it asked for ends the run at that step. */
static void heed_report(run *R)
{
    pe_report *rep = &R->rep;
    await_report(R);
    report_ended(R);
    if (rep->ready && rep->stop != PE_REPORT_GO_ON && R->stop_kind == 0)
        R->stop_kind = rep->stop == PE_REPORT_ASKED ? 2 : 1;
}

/* The step just ended: apply the plan's stop rules, and hand the step to a report (which
 * applies the target PSNR and the callback's answer: the next publish heeds them). */
static pe_status publish(run *R)
{
    heed_report(R);
    if (R->stop_kind != 0)
        return PE_OK;
    const double c0 = clock_if(R);
    pe_progress p = { .step = ++R->step, .evaluations = R->sched.evals,
                      .iterations = R->sched.iters, .cpu_seconds = now_cpu() - R->cpu0,
                      .wall_seconds = now_wall() - R->wall0 };
    R->plan.placing = R->sched.stack.n < R->sched.budget;
    R->stop_kind = pe_plan_after_step(&R->plan, &p) ? 1 : cancelled(R) ? 2 : 0;
    next_goal(R);
    /* a resumed run's steps that were already done are not reported again */
    if (!R->reporting || (!R->started && R->stop_kind == 0)) {
        traced(R, PE_TRACE_PUBLISH, 0, c0);
        return PE_OK;
    }
    const pe_result f = pe_run_fields(R);
    if (!pe_report_take(&R->rep, &R->sched.stack, &R->sched.pic, &p, &f))
        return PE_ERR_NOMEM;
    R->rep.traced = R->trace != NULL;
    traced(R, PE_TRACE_PUBLISH, 0, c0);
    if (R->trace) {
        R->rep_event = R->trace->nevents;
        pe_trace_event_add(R->trace, PE_TRACE_REPORT, 0, 0.0);
    }
    start_report(R, &R->rep);
    return PE_OK;
}

/* Issue the next op, or commit the oldest (once the steps ended before it are published);
 * false at the end of the sequence. */
static bool advance(run *R)
{
    const double c0 = clock_if(R);
    pace_adds(R);
    pe_op *op = NULL;
    const pe_next next = pe_sched_next(&R->sched, &op);
    if (next == PE_NEXT_OP)
        traced(R, PE_TRACE_ISSUE, R->sched.issued - 1, c0);
    else if (R->trace) {
        R->owed += pe_trace_clock() - c0 - R->aside;
        R->aside = 0.0;
    }
    switch (next) {
    case PE_NEXT_OP:
        start_op(R, op);
        return true;
    case PE_NEXT_COMMIT:
        if (publish_due(R) == PE_OK && R->stop_kind == 0)
            R->status = commit_oldest(R);
        return true;
    case PE_NEXT_END:
        return false;
    case PE_NEXT_NOMEM:
        break;
    }
    R->status = PE_ERR_NOMEM;
    return false;
}

/* The whole run, on the thread that issues the ops. */
static void body(run *R)
{
    if (R->paint) {
        R->sched.draw = draw_picture;
        R->sched.draw_ctx = R;
    }
    R->last_commit = now_wall();
    next_goal(R);
    (void)publish_due(R); /* a resumed run's steps already done */
    bool ended = false;
    while (R->status == PE_OK && R->stop_kind == 0 && !cancelled(R) && !past_limit(R))
        if (!advance(R)) {
            ended = true;
            break;
        }
    /* the sequence ended or a stop came: what is in flight lands (unless a step's rule or
     * report asked to stop: that step is the result), then the last steps are published */
    if (R->status == PE_OK)
        R->status = land(R, R->stop_kind == 0);
    if (publish_due(R) == PE_OK && R->stop_kind == 0)
        R->status = publish(R);
    while (ended && R->status == PE_OK && R->stop_kind == 0)
        R->status = publish(R);
    if (R->stop_kind == 0)
        R->stop_kind = cancelled(R) ? 2 : 1;
    (void)land(R, false);
    heed_report(R);
    R->sched.draw = NULL; /* the region ends: what is left is drawn here */
}

/* The run on R->threads threads: this one issues, every one runs tasks. */
static void drive(run *R)
{
#ifdef _OPENMP
    if (R->threads > 1) {
        /* the calling thread issues; the others run tasks at the region's closing barrier */
#pragma omp parallel num_threads(R->threads) default(none) shared(R)
#pragma omp master
        body(R);
        return;
    }
#endif
    body(R);
}

pe_status pe_approximate(const pe_image *target, const pe_options *opt, pe_result *out)
{
    return pe_approximate_traced(target, opt, out, NULL);
}

pe_status pe_approximate_traced(const pe_image *target, const pe_options *opt, pe_result *out,
                                pe_trace *trace)
{
    if (!out)
        return PE_ERR_INVALID_ARG;
    memset(out, 0, sizeof *out);
    pe_status st = pe_run_validate(target, opt);
    if (st != PE_OK)
        return st;
    run R = { .opt = opt, .src = target, .wall0 = now_wall(), .cpu0 = now_cpu(),
              .threads = threads_for(opt->threads), .rep = { .opt = opt }, .trace = trace };
    atomic_init(&R.rep_ended, 1); /* no report in flight */
    pe_plan_init(&R.plan, opt);
    pe_target *t = &R.target;
    if ((st = pe_target_prepare(target, opt, t)) != PE_OK ||
        (st = pe_style_prepare(opt, t->rgba, t->w, t->h, t->alpha, t->bg, &R.style)) != PE_OK ||
        (st = pe_run_setup(&R)) != PE_OK ||
        (opt->resume && (st = pe_adopt(&R.brief, &R.style, opt->resume, &R.commit_wk,
                                       &R.sched)) != PE_OK)) {
        pe_run_free(&R);
        return st;
    }
    R.sched.total = pe_plan_total(&R.plan, R.sched.budget);
    const double w0 = now_wall(), c0 = now_cpu();
    drive(&R);
    if (trace) {
        trace->wall = now_wall() - w0;
        trace->cpu = now_cpu() - c0;
        trace->threads = R.threads;
    }
    st = R.status;
    pe_status ast;
    if (R.rep.ready && R.rep.stop != PE_REPORT_GO_ON) { /* the step whose report stopped it */
        *out = R.rep.partial;
        memset(&R.rep.partial, 0, sizeof R.rep.partial);
        ast = PE_OK;
        st = st == PE_OK && R.rep.stop == PE_REPORT_ASKED ? PE_ERR_INTERRUPTED : st;
    } else {
        ast = pe_run_assemble(&R, out);
        st = st == PE_OK && R.stop_kind == 2 ? PE_ERR_INTERRUPTED : st;
    }
    pe_run_free(&R);
    return ast != PE_OK ? ast : st;
}
