/* minimize: the dual-annealing minimizer on its own, through polyevolve.h only. Finds the global
 * minimum (0 at the origin) of the 10-D Rastrigin function, which has ~10^10 local minima. */
#include <polyevolve.h>

#include <math.h>
#include <stdio.h>

static double rastrigin(const double *x, size_t dim, void *ctx)
{
    (void)ctx;
    double s = 10.0 * (double)dim;
    for (size_t k = 0; k < dim; k++)
        s += x[k] * x[k] - 10.0 * cos(2.0 * 3.14159265358979323846 * x[k]);
    return s;
}

int main(void)
{
    enum { DIM = 10 };
    double lower[DIM], upper[DIM], x[DIM];
    for (int k = 0; k < DIM; k++) {
        lower[k] = -5.12;
        upper[k] = 5.12;
    }
    pe_da_options opt = pe_da_options_default();
    opt.seed = 1234;
    pe_da_result res;
    const pe_status st = pe_dual_annealing(rastrigin, NULL, DIM, lower, upper, &opt, x, &res);
    if (st != PE_OK) {
        fprintf(stderr, "minimize: %s: %s\n", pe_status_str(st), res.message);
        return 1;
    }
    printf("fun %.6g  nfev %llu  nit %d  local searches %d  (%s)\nx =", res.fun,
           (unsigned long long)res.nfev, res.nit, res.ls_calls, res.message);
    for (int k = 0; k < DIM; k++)
        printf(" %.3g", x[k]);
    printf("\n");
    return res.success && res.fun < 1e-6 ? 0 : 1;
}
