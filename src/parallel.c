/* parallel: one OpenMP parallel region per session, and a queue of tasks in it.
 *
 * The calling thread runs the orchestration and queues tasks (ops, a step's report); the
 * other threads take them oldest first, and so does the calling thread while it waits for one.
 * Oldest first is what the commit needs: it waits for the oldest op in flight. OpenMP's own
 * tasks with taskwait depend did not do this: libgomp's waiting thread ran the queue oldest
 * first while the others took the newest, then sat idle beside queued tasks until a new one
 * was created (mona -n 250 -j 2: the second thread idle 0.19 s of 1.48 s with 14 tasks queued
 * on average). Idle threads spin briefly, then sleep in growing naps, so a long wait (the
 * first, whole-canvas triangles keep two threads busy) costs little CPU.
 * pe_parallel_for, for work outside a run (the program's frames), is a plain OpenMP loop. */
#include "parallel.h"

#include "polyevolve.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdbool.h>
#include <time.h>

#ifdef _OPENMP
#include <omp.h>
#endif

/* Tasks queued at once, at most: more than the ops in flight and a report. */
#define PE_QUEUE 128

typedef struct job {
    pe_parallel_fn fn;
    void *ctx;
    pe_task *task;
} job;

typedef struct pool {
    job jobs[PE_QUEUE];
    atomic_uint_fast64_t head; /* next job to take */
    atomic_uint_fast64_t tail; /* next free place */
    atomic_bool closed;        /* the session's body has returned */
} pool;

/* The session the calling thread orchestrates (NULL: none, or one thread). */
static _Thread_local pool *current;

int pe_parallel_threads(int requested)
{
#ifdef _OPENMP
    return requested > 0 ? requested : omp_get_max_threads();
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

/* Take the oldest queued job and run it; false when none is queued. */
static bool run_one(pool *p)
{
    uint_fast64_t h = atomic_load_explicit(&p->head, memory_order_acquire);
    for (;;) {
        if (h >= atomic_load_explicit(&p->tail, memory_order_acquire))
            return false;
        if (atomic_compare_exchange_weak_explicit(&p->head, &h, h + 1, memory_order_acq_rel,
                                                  memory_order_acquire))
            break;
    }
    const job j = p->jobs[h % PE_QUEUE];
    j.fn(j.ctx, thread_index());
    atomic_store_explicit(&j.task->pending, false, memory_order_release);
    return true;
}

static void nap(long ns)
{
    struct timespec ts = { 0, ns };
    nanosleep(&ts, NULL);
}

/* A thread with nothing to do: spin a little (work usually comes within microseconds), then
 * sleep, longer the longer nothing comes (at most 0.2 ms late when it does). */
static void idle(int *waits)
{
    if (++*waits < 200)
        return;
    long ns = 2000L << (*waits - 200 < 7 ? *waits - 200 : 7);
    nap(ns < 200000L ? ns : 200000L);
}

static void worker(pool *p)
{
    int waits = 0;
    while (!atomic_load_explicit(&p->closed, memory_order_acquire)) {
        if (run_one(p))
            waits = 0;
        else
            idle(&waits);
    }
}

void pe_parallel_session(int threads, void (*body)(void *ctx), void *ctx)
{
#ifdef _OPENMP
    if (threads > 1) {
        pool p = { .head = 0, .tail = 0, .closed = false };
        pool *outer = current;
#pragma omp parallel num_threads(threads) default(none) shared(body, ctx, p, outer)
        {
            if (omp_get_thread_num() == 0) {
                current = &p;
                body(ctx);
                pe_parallel_join();
                current = outer;
                atomic_store_explicit(&p.closed, true, memory_order_release);
            } else {
                worker(&p);
            }
        }
        return;
    }
#endif
    (void)threads;
    pool *outer = current;
    current = NULL;
    body(ctx);
    current = outer;
}

void pe_parallel_for(int threads, size_t n, void (*fn)(void *ctx, size_t i), void *ctx)
{
#ifdef _OPENMP
    const int t = pe_parallel_threads(threads);
    if (t > 1 && n > 1) {
        const int used = n < (size_t)t ? (int)n : t;
#pragma omp parallel for schedule(dynamic, 1) num_threads(used) default(none) shared(fn, ctx, n)
        for (size_t i = 0; i < n; i++)
            fn(ctx, i);
        return;
    }
#endif
    (void)threads;
    for (size_t i = 0; i < n; i++)
        fn(ctx, i);
}

void pe_parallel_serial(void (*fn)(void *ctx), void *ctx)
{
#ifdef _OPENMP
    /* the nthreads ICV of this thread's task only: other threads, and this one after the
     * call, keep theirs */
    const int threads = omp_get_max_threads();
    omp_set_num_threads(1);
    fn(ctx);
    omp_set_num_threads(threads);
#else
    fn(ctx);
#endif
}

void pe_parallel_start(pe_task *t, pe_parallel_fn fn, void *ctx)
{
    pool *p = current;
    if (!p) {
        fn(ctx, thread_index());
        return;
    }
    atomic_store_explicit(&t->pending, true, memory_order_relaxed);
    const uint_fast64_t tl = atomic_load_explicit(&p->tail, memory_order_relaxed);
    while (tl - atomic_load_explicit(&p->head, memory_order_acquire) >= PE_QUEUE)
        (void)run_one(p); /* full: make room */
    p->jobs[tl % PE_QUEUE] = (job){ fn, ctx, t };
    atomic_store_explicit(&p->tail, tl + 1, memory_order_release);
}

void pe_parallel_await(pe_task *t)
{
    pool *p = current;
    int waits = 0;
    while (atomic_load_explicit(&t->pending, memory_order_acquire)) {
        if (p && run_one(p))
            waits = 0;
        else if (++waits > 1000)
            nap(1000); /* the task runs on another thread: it may be long */
    }
}

void pe_parallel_join(void)
{
    pool *p = current;
    if (!p)
        return;
    /* every queued job taken, then every taken one ended: the jobs' own flags say when */
    while (run_one(p))
        ;
    const uint_fast64_t tl = atomic_load_explicit(&p->tail, memory_order_acquire);
    for (uint_fast64_t q = tl > PE_QUEUE ? tl - PE_QUEUE : 0; q < tl; q++)
        pe_parallel_await(p->jobs[q % PE_QUEUE].task);
}

void pe_share_reset(pe_share *s, int parts)
{
    atomic_init(&s->claimed, 0);
    atomic_init(&s->done, 0);
    s->parts = parts;
}

int pe_share_claim(pe_share *s)
{
    const int k = atomic_fetch_add_explicit(&s->claimed, 1, memory_order_relaxed);
    return k < s->parts ? k : -1;
}

void pe_share_finish(pe_share *s)
{
    atomic_fetch_add_explicit(&s->done, 1, memory_order_release);
}

void pe_share_wait(pe_share *s)
{
    int waits = 0; /* the last parts take a fraction of a millisecond: spin, then nap */
    while (atomic_load_explicit(&s->done, memory_order_acquire) < s->parts)
        if (++waits > 1000)
            nap(1000);
}
