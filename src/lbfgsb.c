/* lbfgsb: the reverse-communication loop around Debian's L-BFGS-B 3.0 (setulb_), reproducing
 * SciPy's driver: numeric forward-difference gradient, iteration and evaluation caps (SPEC §7). */
#include "lbfgsb.h"

#include <assert.h>
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* liblbfgsb ships no header: this is the gfortran ABI of upstream's setulb (no maxls argument,
 * the line search is limited to 20 steps inside, SciPy's default), with the two hidden lengths of
 * the CHARACTER*60 arguments at the end. */
void setulb_(int *n, int *m, double *x, const double *l, const double *u, const int *nbd, double *f,
             double *g, const double *factr, const double *pgtol, double *wa, int *iwa, char *task,
             const int *iprint, char *csave, int *lsave, int *isave, double *dsave, size_t task_len,
             size_t csave_len);

enum {
    LBFGSB_M = 10,        /* SciPy's maxcor */
    LBFGSB_MAXFUN = 15000 /* SciPy's maxfun, counted with the finite differences */
};
#define TASK_LEN 60

pe_status pe_lbfgsb_work_init(pe_lbfgsb_work *w, size_t dim)
{
    memset(w, 0, sizeof *w);
    assert(dim >= 1 && dim <= PE_LBFGSB_MAX_DIM);
    const size_t m = LBFGSB_M;
    const size_t nwa = 2 * m * dim + 5 * dim + 11 * m * m + 8 * m;
    w->dim = dim;
    w->wa = malloc(nwa * sizeof *w->wa);
    w->iwa = malloc(3 * dim * sizeof *w->iwa);
    w->nbd = malloc(dim * sizeof *w->nbd);
    w->g = malloc(dim * sizeof *w->g);
    w->x_last = malloc(dim * sizeof *w->x_last);
    w->g_last = malloc(dim * sizeof *w->g_last);
    w->x_fd = malloc(dim * sizeof *w->x_fd);
    if (!w->wa || !w->iwa || !w->nbd || !w->g || !w->x_last || !w->g_last || !w->x_fd) {
        pe_lbfgsb_work_free(w);
        return PE_ERR_NOMEM;
    }
    for (size_t k = 0; k < dim; k++)
        w->nbd[k] = 2; /* the annealer's box is always finite on both sides */
    return PE_OK;
}

void pe_lbfgsb_work_free(pe_lbfgsb_work *w)
{
    if (!w)
        return;
    free(w->wa);
    free(w->iwa);
    free(w->nbd);
    free(w->g);
    free(w->x_last);
    free(w->g_last);
    free(w->x_fd);
    memset(w, 0, sizeof *w);
}

static void set_task(char *task, const char *text)
{
    /* Fortran compares blank-padded CHARACTER*60, so pad rather than NUL-terminate. */
    const size_t len = strlen(text);
    memset(task, ' ', TASK_LEN);
    memcpy(task, text, len < TASK_LEN ? len : TASK_LEN);
}

/* Forward-difference gradient at x (value f0) exactly as scipy.optimize._numdiff.approx_derivative
 * with method "2-point", abs_step 1e-8 and the box: flip to a backward step where x + h leaves the
 * box, and divide by the step as actually represented. Costs dim evaluations. */
static void fd_gradient(pe_lbfgsb_work *w, pe_objective_fn f, void *f_ctx, const double *lo,
                        const double *hi, const double *x, double f0, double *g)
{
    const size_t dim = w->dim;
    memcpy(w->x_fd, x, dim * sizeof *x);
    for (size_t k = 0; k < dim; k++) {
        const double xk = x[k];
        double h = 1e-8;
        if ((xk + h) - xk == 0.0) /* |x| so large that h vanishes: SciPy's relative fallback */
            h = sqrt(DBL_EPSILON) * (xk >= 0.0 ? 1.0 : -1.0) * fmax(1.0, fabs(xk));
        const double lower_dist = xk - lo[k], upper_dist = hi[k] - xk;
        const double moved = xk + h;
        const bool violated = moved < lo[k] || moved > hi[k];
        const bool fitting = fabs(h) <= fmax(lower_dist, upper_dist);
        if (violated && fitting)
            h = -h;
        else if (!fitting)
            h = upper_dist >= lower_dist ? upper_dist : -lower_dist;
        w->x_fd[k] = xk + h;
        const double dx = w->x_fd[k] - xk;
        g[k] = (f(w->x_fd, dim, f_ctx) - f0) / dx;
        w->x_fd[k] = xk;
    }
}

static bool same_point(const double *a, const double *b, size_t dim)
{
    for (size_t k = 0; k < dim; k++)
        if (!(a[k] == b[k])) /* NaN never matches, as with numpy.array_equal */
            return false;
    return true;
}

pe_status pe_lbfgsb_search(pe_objective_fn f, void *f_ctx, size_t dim, const double *lower,
                           const double *upper, double *x, double *fx, uint64_t *nfev, void *ls_ctx)
{
    pe_lbfgsb_work *w = ls_ctx;
    assert(w && w->dim == dim);
    int n = (int)dim, m = LBFGSB_M;
    const int iprint = -1;
    /* SciPy passes factr = ftol / eps with its default ftol; the quotient is 1e7. */
    const double factr = 2.220446049250313e-09 / DBL_EPSILON;
    const double pgtol = 1e-5;
    const size_t maxiter_z = dim * 6 < 100 ? 100 : (dim * 6 > 1000 ? 1000 : dim * 6);
    const int maxiter = (int)maxiter_z;
    char task[TASK_LEN], csave[TASK_LEN];
    int lsave[4] = { 0 }, isave[44] = { 0 };
    double dsave[29] = { 0 };

    /* SciPy clips the start into the box; comparisons (not fmin/fmax) keep a NaN as numpy does. */
    for (size_t k = 0; k < dim; k++)
        x[k] = x[k] < lower[k] ? lower[k] : (x[k] > upper[k] ? upper[k] : x[k]);

    /* The value and gradient at the start are computed once, before the first request, and
     * reused by it (SciPy builds its ScalarFunction there). */
    uint64_t evals = 1 + dim;
    double f_last = f(x, dim, f_ctx);
    fd_gradient(w, f, f_ctx, lower, upper, x, f_last, w->g_last);
    w->njev++;
    memcpy(w->x_last, x, dim * sizeof *x);

    memcpy(w->g, w->g_last, dim * sizeof *w->g);
    double fcur = f_last;
    int iterations = 0;
    set_task(task, "START");
    memset(csave, ' ', TASK_LEN);
    for (;;) {
        setulb_(&n, &m, x, lower, upper, w->nbd, &fcur, w->g, &factr, &pgtol, w->wa, w->iwa, task,
                &iprint, csave, lsave, isave, dsave, TASK_LEN, TASK_LEN);
        if (task[0] == 'F' && task[1] == 'G') {
            if (!same_point(x, w->x_last, dim)) {
                f_last = f(x, dim, f_ctx);
                fd_gradient(w, f, f_ctx, lower, upper, x, f_last, w->g_last);
                memcpy(w->x_last, x, dim * sizeof *x);
                evals += 1 + dim;
                w->njev++;
            }
            fcur = f_last;
            memcpy(w->g, w->g_last, dim * sizeof *w->g);
        } else if (strncmp(task, "NEW_X", 5) == 0) {
            /* The caps are only looked at between iterations, as in SciPy: a line search in
             * progress always finishes. */
            iterations++;
            if (iterations >= maxiter)
                set_task(task, "STOP: TOTAL NO. of ITERATIONS REACHED LIMIT");
            else if (evals > LBFGSB_MAXFUN)
                set_task(task, "STOP: TOTAL NO. of f AND g EVALUATIONS EXCEEDS LIMIT");
        } else {
            break; /* CONVERGENCE, STOP, ABNORMAL_TERMINATION, ERROR, WARNING */
        }
    }
    *fx = fcur;
    *nfev += evals;
    return PE_OK;
}
