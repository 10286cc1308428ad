/* validate_anneal: the whole search-quality table of the dual-annealing SPEC §15, run with the
 * engine's own generator, printed next to SciPy 1.10.1's figures (SPEC §14/§15) with PASS/FAIL
 * against the "C must reach" column. Exit status 1 if any row fails. Not part of ctest (~seconds).
 *
 * Local-search statistics come from a second run of each seed whose local search is the same
 * L-BFGS-B driver wrapped to count its calls and evaluations; the program checks that this run is
 * bit-identical to the default one (local_search = NULL). */
#include "lbfgsb.h"
#include "polyevolve.h"
#include "../tests/objectives.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DIM   30
#define MAX_SEEDS 100




/* Counts evaluations and remembers when |f - f*| <= 1e-4 was first seen (f* = 0 for all). */
typedef struct probe {
    pe_objective_fn fn;
    uint64_t evals, first_hit;
} probe;

static double probed(const double *x, size_t dim, void *ctx)
{
    probe *p = ctx;
    const double v = p->fn(x, dim, NULL);
    p->evals++;
    if (p->first_hit == 0 && fabs(v) <= 1e-4)
        p->first_hit = p->evals;
    return v;
}

typedef struct ls_tally {
    pe_lbfgsb_work work;
    uint64_t calls, evals;
} ls_tally;

static pe_status tallied_lbfgsb(pe_objective_fn f, void *f_ctx, size_t dim, const double *lower,
                                const double *upper, double *x, double *fx, uint64_t *nfev,
                                void *ls_ctx)
{
    ls_tally *t = ls_ctx;
    const uint64_t before = *nfev;
    const pe_status st = pe_lbfgsb_search(f, f_ctx, dim, lower, upper, x, fx, nfev, &t->work);
    t->calls++;
    t->evals += *nfev - before;
    return st;
}

typedef struct row {
    const char *name;
    pe_objective_fn fn;
    size_t dim;
    double lo, hi;
    int with_ls;
    uint64_t maxfun; /* 0 = default */
    int seeds;
    double tol;                           /* success: |f - f*| <= tol */
    int need_min, need_max;               /* "C must reach": successes in [need_min, need_max] */
    const char *scipy_ok;                 /* SciPy's rate at tol (SPEC §14/§15) */
    double scipy_nfev;                    /* median nfev */
    double scipy_ls_calls, scipy_ls_nfev; /* medians, 0 = none */
    double scipy_hit;                     /* median evals to 1e-4, 0 = not given */
} row;

static const row rows[] = {
    { "rastrigin", rastrigin, 2, -5.12, 5.12, 1, 0, 20, 1e-4, 19, 20, "20/20 (100/100)", 4097, 3,
      96, 467 },
    { "rastrigin", rastrigin, 2, -5.12, 5.12, 0, 0, 20, 1e-4, 19, 20, "20/20 (100/100)", 4001, 0, 0,
      2626 },
    { "rastrigin", rastrigin, 8, -5.12, 5.12, 1, 0, 20, 1e-4, 19, 20, "20/20", 16667, 8, 666,
      3135 },
    { "rastrigin", rastrigin, 8, -5.12, 5.12, 0, 0, 20, 1e-3, 19, 20, "20/20 (@1e-4)", 16001, 0, 0,
      14749 },
    { "rastrigin", rastrigin, 10, -5.12, 5.12, 1, 0, 20, 1e-4, 19, 20, "20/20 (100/100)", 21018, 10,
      1017, 4757 },
    { "rastrigin", rastrigin, 10, -5.12, 5.12, 1, 10000, 20, 1e-4, 19, 20, "100/100 (seeds 0-99)",
      10000, 0, 0, 4711 },
    { "rastrigin", rastrigin, 10, -5.12, 5.12, 1, 5000, 100, 1e-4, 48, 74, "61/100", 5000, 0, 0,
      3838 },
    { "rastrigin", rastrigin, 10, -5.12, 5.12, 0, 0, 20, 1e-3, 19, 20, "20/20", 20001, 0, 0,
      18478 },
    { "rastrigin", rastrigin, 30, -5.12, 5.12, 1, 0, 20, 1e-4, 19, 20, "20/20", 67146, 27.5, 7145,
      21611 },
    { "rastrigin", rastrigin, 30, -5.12, 5.12, 0, 0, 20, 1e-3, 19, 20, "20/20", 60001, 0, 0, 0 },
    { "rosenbrock", rosenbrock, 2, -5.12, 5.12, 1, 0, 20, 1e-4, 19, 20, "20/20", 4119, 1, 118,
      109 },
    { "rosenbrock", rosenbrock, 5, -5.0, 10.0, 1, 0, 20, 1e-4, 19, 20, "20/20", 10361, 1, 360,
      351 },
    { "rosenbrock", rosenbrock, 5, -5.0, 10.0, 1, 5000, 20, 1e-4, 19, 20, "20/20", 5000, 1, 360,
      351 },
    { "ackley", ackley, 2, -32.768, 32.768, 1, 0, 20, 1e-4, 19, 20, "20/20", 4307, 3.5, 306, 459 },
    { "ackley", ackley, 2, -32.768, 32.768, 0, 0, 20, 1e-2, 19, 20, "20/20 (100/100)", 4001, 0, 0,
      0 },
};

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    if (n == 0)
        return (double)NAN;
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Runs one row; prints it; returns 1 when it passes. */
static int run_row(const row *w)
{
    double lo[MAX_DIM], hi[MAX_DIM], x[MAX_DIM], x2[MAX_DIM];
    for (size_t k = 0; k < w->dim; k++) {
        lo[k] = w->lo;
        hi[k] = w->hi;
    }
    static double nfev[MAX_SEEDS], err[MAX_SEEDS], calls[MAX_SEEDS], ls_nfev[MAX_SEEDS],
        hit[MAX_SEEDS];
    int ok = 0, ok4 = 0, ok2 = 0, hits = 0, mismatches = 0;
    double worst = 0.0;
    ls_tally tally = { 0 };
    if (w->with_ls && pe_lbfgsb_work_init(&tally.work, w->dim) != PE_OK)
        return 0;
    for (int s = 0; s < w->seeds; s++) {
        pe_da_options o = pe_da_options_default();
        o.seed = (uint64_t)s;
        o.no_local_search = !w->with_ls;
        if (w->maxfun)
            o.maxfun = w->maxfun;
        probe p = { .fn = w->fn };
        pe_da_result r, r2;
        if (pe_dual_annealing(probed, &p, w->dim, lo, hi, &o, x, &r) != PE_OK)
            return 0;
        const double e = fabs(r.fun);
        ok += e <= w->tol;
        ok4 += e <= 1e-4;
        ok2 += e <= 1e-2;
        worst = e > worst ? e : worst;
        nfev[s] = (double)r.nfev;
        err[s] = e;
        calls[s] = r.ls_calls;
        if (p.first_hit)
            hit[hits++] = (double)p.first_hit;
        if (w->with_ls) {
            tally.calls = tally.evals = 0;
            o.local_search = tallied_lbfgsb;
            o.local_search_ctx = &tally;
            probe p2 = { .fn = w->fn };
            if (pe_dual_annealing(probed, &p2, w->dim, lo, hi, &o, x2, &r2) != PE_OK)
                return 0;
            mismatches += r2.nfev != r.nfev || memcmp(&r2.fun, &r.fun, sizeof r.fun) != 0 ||
                          memcmp(x, x2, w->dim * sizeof *x) != 0;
            ls_nfev[s] = (double)tally.evals;
        } else {
            ls_nfev[s] = 0;
        }
    }
    pe_lbfgsb_work_free(&tally.work);
    const int n = w->seeds;
    const int pass = ok >= w->need_min && ok <= w->need_max && mismatches == 0;
    const double med_nfev = median(nfev, n);
    char settings[64], need[64], ls[48], scipy_ls[32], hitbuf[32], scipy_hit[16];
    if (w->maxfun)
        snprintf(settings, sizeof settings, "%s, maxfun %llu", w->with_ls ? "default" : "no_ls",
                 (unsigned long long)w->maxfun);
    else
        snprintf(settings, sizeof settings, "%s", w->with_ls ? "default" : "no_ls");
    if (w->need_max < n)
        snprintf(need, sizeof need, "%d-%d/%d @%g", w->need_min, w->need_max, n, w->tol);
    else
        snprintf(need, sizeof need, ">=%d/%d @%g", w->need_min, n, w->tol);
    if (w->with_ls)
        snprintf(ls, sizeof ls, "%g / %g", median(calls, n), median(ls_nfev, n));
    else
        snprintf(ls, sizeof ls, "-");
    if (w->scipy_ls_calls > 0)
        snprintf(scipy_ls, sizeof scipy_ls, "%g / %g", w->scipy_ls_calls, w->scipy_ls_nfev);
    else
        snprintf(scipy_ls, sizeof scipy_ls, "-");
    if (hits)
        snprintf(hitbuf, sizeof hitbuf, "%g", median(hit, hits));
    else
        snprintf(hitbuf, sizeof hitbuf, "-");
    if (w->scipy_hit > 0)
        snprintf(scipy_hit, sizeof scipy_hit, "%g", w->scipy_hit);
    else
        snprintf(scipy_hit, sizeof scipy_hit, "-");
    printf("| %s %zu-D [%g, %g] | %s | 0-%d | %d/%d | %d/%d | %d/%d | %.2g | %.2g | %s | %.0f | "
           "%.0f (%+.1f%%) | %s | %s | %s | %s | %s | %s%s |\n",
           w->name, w->dim, w->lo, w->hi, settings, n - 1, ok, n, ok4, n, ok2, n, median(err, n),
           worst, w->scipy_ok, med_nfev, w->scipy_nfev, 100.0 * (med_nfev / w->scipy_nfev - 1.0),
           ls, scipy_ls, hitbuf, scipy_hit, need, pass ? "PASS" : "FAIL",
           mismatches ? " (tallied run differs from the default run)" : "");
    return pass;
}

int main(void)
{
    printf(
        "| case | settings | seeds | C ok@tol | C ok@1e-4 | C ok@1e-2 | C median err | C worst err "
        "| SciPy ok@tol | C median nfev | SciPy median nfev (C vs SciPy) | C LS calls / LS "
        "nfev | SciPy LS calls / LS nfev | C evals to 1e-4 | SciPy evals to 1e-4 | C must "
        "reach | result |\n");
    printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    int failed = 0;
    const int n = (int)(sizeof rows / sizeof rows[0]);
    for (int i = 0; i < n; i++)
        failed += !run_row(&rows[i]);
    printf("\n%d of %d rows pass\n", n - failed, n);
    return failed ? 1 : 0;
}
