/* parallel: OpenMP tasks in one parallel region. Items are tasks (a batch's ops take unequal
 * times: a large triangle's evaluations cost more, so they are handed out as threads come
 * free), and a step's report is a background task, so that drawing and writing frames runs
 * beside the next step's work instead of holding every thread. */
#include "parallel.h"

#ifdef _OPENMP
#include <omp.h>
#endif

int pe_parallel_threads(int requested)
{
#ifdef _OPENMP
    return requested > 0 ? requested : omp_get_max_threads();
#else
    (void)requested;
    return 1;
#endif
}

void pe_parallel_session(int threads, void (*body)(void *ctx), void *ctx)
{
#ifdef _OPENMP
    if (threads > 1) {
#pragma omp parallel num_threads(threads) default(none) shared(body, ctx)
#pragma omp single
        body(ctx);
        return;
    }
#endif
    (void)threads;
    body(ctx);
}

static int thread_index(void)
{
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

void pe_parallel_for(int items, pe_parallel_fn fn, void *ctx)
{
#ifdef _OPENMP
    if (omp_get_num_threads() > 1 && items > 1) {
#pragma omp taskgroup
        for (int i = 0; i < items; i++) {
#pragma omp task default(none) firstprivate(i) shared(fn, ctx)
            fn(ctx, i, thread_index());
        }
        return;
    }
#endif
    for (int i = 0; i < items; i++)
        fn(ctx, i, thread_index());
}

void pe_parallel_spawn(void (*job)(void *ctx), void *ctx)
{
#ifdef _OPENMP
    if (omp_get_num_threads() > 1) {
#pragma omp task default(none) firstprivate(job, ctx)
        job(ctx);
        return;
    }
#endif
    job(ctx);
}

void pe_parallel_join(void)
{
#ifdef _OPENMP
#pragma omp taskwait
#endif
}
