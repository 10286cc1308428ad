/* parallel: pe_parallel_for, the library's threads lent to a caller's independent pieces of
 * work (the program draws and encodes its frames this way). */
#include "polyevolve.h"

#ifdef _OPENMP
#include <omp.h>
#endif

void pe_parallel_for(int threads, size_t n, void (*fn)(void *ctx, size_t i), void *ctx)
{
    if (!fn)
        return;
#ifdef _OPENMP
    const int cpus = omp_get_num_procs(); /* at most 4 a processor, as pe_approximate */
    int t = threads > 0 ? threads : omp_get_max_threads();
    t = t < 4 * cpus ? t : 4 * cpus;
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
    if (!fn)
        return;
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
