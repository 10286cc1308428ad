/* parallel: pe_parallel_for calls each index once and returns when all have ended. */
#include "polyevolve.h"
#include "test.h"

#include <stdatomic.h>
#include <stdint.h>

#ifdef _OPENMP
#include <omp.h>
#endif

enum { TASKS = 300, THREADS = 4 };

typedef struct for_state {
    atomic_int calls[TASKS];
    atomic_uintptr_t first;  /* the thread that made the first call (its marker's address) */
    atomic_bool others;      /* another thread made one too */
} for_state;

static bool with_openmp(void)
{
#ifdef _OPENMP
    return true;
#else
    return false;
#endif
}

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
        else if (asks[a] > 1 && with_openmp())
            CHECK(atomic_load(&s.others)); /* not all on one thread */
    }
    pe_parallel_for(THREADS, 0, count, &s); /* nothing to do: no call */
}

typedef struct serial_state {
    int calls;
    for_state s;
} serial_state;

static void count_threads(void *ctx)
{
    serial_state *x = ctx;
    x->calls++;
    pe_parallel_for(0, 64, count, &x->s); /* all the threads it may: as libimagequant asks */
}

/* fn is called once, here, and the loops it opens run on this one thread; NULL calls nothing. */
static void serial_runs_on_one_thread(void)
{
    static serial_state x;
    memset(&x, 0, sizeof x);
    pe_parallel_serial(count_threads, &x);
    CHECK(x.calls == 1);
    for (int i = 0; i < 64; i++)
        CHECK(atomic_load(&x.s.calls[i]) == 1);
    CHECK(!atomic_load(&x.s.others));
    pe_parallel_serial(NULL, &x);
    pe_parallel_for(4, 10, NULL, &x);
    CHECK(x.calls == 1);
}

int main(int argc, char **argv)
{
    TEST_MAIN_BEGIN(argc, argv);
    RUN(parallel_for_each_index_once);
    RUN(serial_runs_on_one_thread);
    TEST_MAIN_END();
}
