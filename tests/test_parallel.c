/* parallel: tasks run once each, on per-thread scratch, and an awaited task's output is there;
 * pe_parallel_for calls each index once and returns when all have ended. */
#include "parallel.h"
#include "polyevolve.h"
#include "test.h"
#include <stdint.h>

#include <stdatomic.h>

enum { TASKS = 300, IN_FLIGHT = 8, THREADS = 4 };

typedef struct state {
    pe_task task[IN_FLIGHT];
    int out[TASKS];           /* written by task i only */
    atomic_int runs[TASKS];
    atomic_int busy[THREADS]; /* tasks running on each thread's scratch now */
    int bad_thread, overlap;
    int arg[TASKS];
} state;

typedef struct item {
    state *s;
    int i;
} item;

static item items[TASKS];

static void square(void *ctx, int thread)
{
    const item *it = ctx;
    state *s = it->s;
    if (thread < 0 || thread >= THREADS) {
        s->bad_thread = 1;
        return;
    }
    if (atomic_fetch_add(&s->busy[thread], 1) != 0)
        s->overlap = 1; /* two tasks on one thread's scratch at once */
    volatile double spin = 0.0; /* unequal lengths, as ops have */
    for (int k = 0; k < (it->i % 7) * 2000; k++)
        spin += k;
    s->out[it->i] = it->i * it->i;
    atomic_fetch_add(&s->runs[it->i], 1);
    atomic_fetch_sub(&s->busy[thread], 1);
}

/* The pattern the core uses: at most IN_FLIGHT started, the oldest awaited before reuse, its
 * output read right after. */
static void body(void *ctx)
{
    state *s = ctx;
    for (int i = 0; i < TASKS; i++) {
        if (i >= IN_FLIGHT) {
            const int old = i - IN_FLIGHT;
            pe_parallel_await(&s->task[old % IN_FLIGHT]);
            CHECK(s->out[old] == old * old && atomic_load(&s->runs[old]) == 1);
        }
        items[i] = (item){ s, i };
        pe_parallel_start(&s->task[i % IN_FLIGHT], square, &items[i]);
    }
    pe_parallel_join();
}

static void each_task_once_in_order_of_need(int threads)
{
    static state s;
    memset(&s, 0, sizeof s);
    pe_parallel_session(threads, body, &s);
    for (int i = 0; i < TASKS; i++)
        CHECK(s.out[i] == i * i && atomic_load(&s.runs[i]) == 1);
    CHECK(!s.bad_thread && !s.overlap);
}

static void one_thread(void)
{
    each_task_once_in_order_of_need(1);
}

static void four_threads(void)
{
    each_task_once_in_order_of_need(pe_parallel_threads(THREADS) > 1 ? THREADS : 1);
}

/* A task never started counts as done: awaiting it returns at once. */
static void await_unstarted(void)
{
    pe_task t = { 0 };
    pe_parallel_await(&t);
    CHECK(!atomic_load(&t.pending));
}

typedef struct for_state {
    atomic_int calls[TASKS];
    atomic_uintptr_t first;  /* the thread that made the first call (its marker's address) */
    atomic_bool others;      /* another thread made one too */
} for_state;

static void count(void *ctx, size_t i)
{
    for_state *s = ctx;
    volatile double spin = 0.0;
    for (int k = 0; k < (int)(i % 5) * 4000; k++)
        spin += k;
    static _Thread_local char marker;
    uintptr_t none = 0;
    atomic_fetch_add(&s->calls[i], 1);
    if (!atomic_compare_exchange_strong(&s->first, &none, (uintptr_t)&marker) &&
        none != (uintptr_t)&marker)
        atomic_store(&s->others, true);
}

/* Every index once, none past n, for any thread count (0 = all cores); more than one thread
 * works when asked for more. */
static void parallel_for_each_index_once(void)
{
    static for_state s;
    const int asks[] = { 1, 2, THREADS, 0 };
    for (size_t a = 0; a < sizeof asks / sizeof *asks; a++) {
        memset(&s, 0, sizeof s);
        pe_parallel_for(asks[a], TASKS - 1, count, &s);
        for (int i = 0; i < TASKS - 1; i++)
            CHECK(atomic_load(&s.calls[i]) == 1);
        CHECK(atomic_load(&s.calls[TASKS - 1]) == 0);
        if (asks[a] == 1)
            CHECK(!atomic_load(&s.others));
        else if (asks[a] > 1 && pe_parallel_threads(asks[a]) > 1)
            CHECK(atomic_load(&s.others)); /* not all on one thread */
    }
    pe_parallel_for(THREADS, 0, count, &s); /* nothing to do: no call */
}

/* pe_share: tasks of one group each do the parts nobody has claimed, then wait for all; every
 * part is done exactly once and every task sees all of them done, at one thread (the first task
 * does them all) and at several. */
enum { SHARE_PARTS = 8, SHARE_TASKS = 3 };
typedef struct share_state {
    pe_share share;
    atomic_int done[SHARE_PARTS];
    int seen_all[SHARE_TASKS];
    pe_task task[SHARE_TASKS];
    int who[SHARE_TASKS];
} share_state;
static share_state sh;

static void share_task(void *ctx, int thread)
{
    (void)thread;
    const int me = *(const int *)ctx;
    for (int p; (p = pe_share_claim(&sh.share)) >= 0;) {
        atomic_fetch_add(&sh.done[p], 1);
        pe_share_finish(&sh.share);
    }
    pe_share_wait(&sh.share);
    int all = 1;
    for (int p = 0; p < SHARE_PARTS; p++)
        all &= atomic_load(&sh.done[p]) == 1;
    sh.seen_all[me] = all;
}

static void share_body(void *ctx)
{
    (void)ctx;
    for (int k = 0; k < SHARE_TASKS; k++) {
        sh.who[k] = k;
        pe_parallel_start(&sh.task[k], share_task, &sh.who[k]);
    }
    for (int k = 0; k < SHARE_TASKS; k++)
        pe_parallel_await(&sh.task[k]);
}

static void share_parts_once(void)
{
    const int threads[] = { 1, 2, THREADS };
    for (size_t t = 0; t < sizeof threads / sizeof *threads; t++) {
        memset(&sh, 0, sizeof sh);
        pe_share_reset(&sh.share, SHARE_PARTS);
        pe_parallel_session(threads[t], share_body, NULL);
        for (int p = 0; p < SHARE_PARTS; p++)
            CHECK(atomic_load(&sh.done[p]) == 1);
        for (int k = 0; k < SHARE_TASKS; k++)
            CHECK(sh.seen_all[k]);
    }
}

int main(int argc, char **argv)
{
    TEST_MAIN_BEGIN(argc, argv);
    RUN(one_thread);
    RUN(four_threads);
    RUN(await_unstarted);
    RUN(parallel_for_each_index_once);
    RUN(share_parts_once);
    TEST_MAIN_END();
}
