/* bench_anneal: what the dual-annealing engine itself costs. (1) Engine overhead per evaluation
 * on a trivial objective (sum of x, no local search) at dim 10 and 1000: the run's time minus the
 * objective's own time for the same number of calls, per call. (2) Wall and CPU time of a
 * default 10-D Rastrigin run, and the objective's share of it. Not part of ctest. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "polyevolve.h"
#include "../tests/objectives.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>


static double now(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double sum_x(const double *x, size_t dim, void *ctx)
{
    (void)ctx;
    double s = 0.0;
    for (size_t k = 0; k < dim; k++)
        s += x[k];
    return s;
}


/* Seconds (CPU) that calls evaluations of f take on points spread over the box, with the result
 * consumed so the calls are not optimised away. */
static double objective_seconds(pe_objective_fn f, size_t dim, uint64_t calls, double *x)
{
    for (size_t k = 0; k < dim; k++)
        x[k] = -5.0 + 10.0 * (double)k / (double)dim;
    volatile double sink = 0.0;
    const double t0 = now(CLOCK_PROCESS_CPUTIME_ID);
    for (uint64_t n = 0; n < calls; n++) {
        x[n % dim] += 1e-9;
        sink += f(x, dim, NULL);
    }
    (void)sink;
    return now(CLOCK_PROCESS_CPUTIME_ID) - t0;
}

static void overhead(size_t dim, int maxiter, int runs)
{
    double *lo = malloc(dim * sizeof *lo), *hi = malloc(dim * sizeof *hi);
    double *x = malloc(dim * sizeof *x);
    if (!lo || !hi || !x)
        exit(1);
    for (size_t k = 0; k < dim; k++) {
        lo[k] = -5.0;
        hi[k] = 5.0;
    }
    pe_da_options o = pe_da_options_default();
    o.no_local_search = true;
    o.maxiter = maxiter;
    uint64_t evals = 0;
    const double t0 = now(CLOCK_PROCESS_CPUTIME_ID);
    for (int r = 0; r < runs; r++) {
        pe_da_result res;
        o.seed = (uint64_t)r;
        if (pe_dual_annealing(sum_x, NULL, dim, lo, hi, &o, x, &res) != PE_OK)
            exit(1);
        evals += res.nfev;
    }
    const double total = now(CLOCK_PROCESS_CPUTIME_ID) - t0;
    const double obj = objective_seconds(sum_x, dim, evals, x);
    printf("dim %4zu, no local search, maxiter %d x %d runs: %llu evaluations, %.3f s CPU\n", dim,
           maxiter, runs, (unsigned long long)evals, total);
    printf("    per evaluation: %.1f ns total, %.1f ns objective (sum of x), %.1f ns engine "
           "(%.2f ns per coordinate); engine / objective = %.1f\n",
           1e9 * total / (double)evals, 1e9 * obj / (double)evals,
           1e9 * (total - obj) / (double)evals, 1e9 * (total - obj) / (double)evals / (double)dim,
           (total - obj) / obj);
    free(lo);
    free(hi);
    free(x);
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void rastrigin_10d(int runs)
{
    enum { DIM = 10 };
    double lo[DIM], hi[DIM], x[DIM];
    for (int k = 0; k < DIM; k++) {
        lo[k] = -5.12;
        hi[k] = 5.12;
    }
    double wall[64], cpu[64];
    uint64_t evals = 0;
    for (int r = 0; r < runs && r < 64; r++) {
        pe_da_options o = pe_da_options_default();
        o.seed = (uint64_t)r;
        pe_da_result res;
        const double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
        if (pe_dual_annealing(rastrigin, NULL, DIM, lo, hi, &o, x, &res) != PE_OK)
            exit(1);
        wall[r] = now(CLOCK_MONOTONIC) - w0;
        cpu[r] = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
        evals += res.nfev;
    }
    double cpu_total = 0.0;
    for (int r = 0; r < runs; r++)
        cpu_total += cpu[r];
    const double obj = objective_seconds(rastrigin, DIM, evals, x);
    qsort(wall, (size_t)runs, sizeof *wall, cmp_double);
    qsort(cpu, (size_t)runs, sizeof *cpu, cmp_double);
    printf("Rastrigin 10-D, defaults (local search on), seeds 0-%d: median %.2f ms wall, "
           "%.2f ms CPU per run; %.0f evaluations per run\n",
           runs - 1, 1e3 * wall[runs / 2], 1e3 * cpu[runs / 2], (double)evals / runs);
    printf("    objective alone: %.1f ns per evaluation = %.0f%% of the run's CPU time; engine + "
           "L-BFGS-B: %.1f ns per evaluation; engine / objective = %.2f\n",
           1e9 * obj / (double)evals, 100.0 * obj / cpu_total,
           1e9 * (cpu_total - obj) / (double)evals, (cpu_total - obj) / obj);
}

int main(void)
{
    overhead(10, 1000, 50);
    overhead(1000, 20, 3);
    rastrigin_10d(21);
    return 0;
}
