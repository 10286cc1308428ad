/* objectives.h: the standard test functions of the dual-annealing spec (minimum 0 at the
 * origin for Rastrigin and Ackley, at (1, ..., 1) for Rosenbrock), as pe_objective_fn.
 * Shared by tests/test_anneal.c, bench/bench_anneal.c and bench/validate_anneal.c. */
#ifndef PE_TEST_OBJECTIVES_H
#define PE_TEST_OBJECTIVES_H

#include <math.h>
#include <stddef.h>

#define PE_TEST_PI 3.14159265358979323846

static inline double rastrigin(const double *x, size_t dim, void *ctx)
{
    (void)ctx;
    double s = 10.0 * (double)dim;
    for (size_t k = 0; k < dim; k++)
        s += x[k] * x[k] - 10.0 * cos(2.0 * PE_TEST_PI * x[k]);
    return s;
}

static inline double rosenbrock(const double *x, size_t dim, void *ctx)
{
    (void)ctx;
    double s = 0.0;
    for (size_t k = 0; k + 1 < dim; k++)
        s += 100.0 * (x[k + 1] - x[k] * x[k]) * (x[k + 1] - x[k] * x[k]) + (1 - x[k]) * (1 - x[k]);
    return s;
}

static inline double ackley(const double *x, size_t dim, void *ctx)
{
    (void)ctx;
    double s2 = 0.0, sc = 0.0;
    for (size_t k = 0; k < dim; k++) {
        s2 += x[k] * x[k];
        sc += cos(2.0 * PE_TEST_PI * x[k]);
    }
    const double n = (double)dim;
    return -20.0 * exp(-0.2 * sqrt(s2 / n)) - exp(sc / n) + exp(1.0) + 20.0;
}

#endif
