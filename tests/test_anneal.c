/* test_anneal: the dual-annealing engine against the acceptance tests of the dual-annealing SPEC
 * §15: formulas, evaluation accounting, stop rules, inputs, visiting-step quantiles and the cheap
 * search-quality rows. */
#include "anneal.h"
#include "polyevolve.h"
#include "objectives.h"
#include "rng.h"
#include "test.h"

#include <stdbool.h>
#include <stdint.h>

#ifndef PE_TEST_DATA_DIR
#define PE_TEST_DATA_DIR "tests/data"
#endif

/* ---------------------------------------------------------------- objectives */




static double always_inf(const double *x, size_t dim, void *ctx)
{
    (void)x, (void)dim, (void)ctx;
    return HUGE_VAL;
}

/* Records every evaluated point's relation to the box, and the first point. */
typedef struct recorder {
    const double *lo, *hi;
    double first[2];
    uint64_t calls;
    uint64_t outside; /* points after the first that left the box */
    int nan_first;    /* return NaN for this many first calls */
} recorder;

static double recorded_rastrigin(const double *x, size_t dim, void *ctx)
{
    recorder *rec = ctx;
    if (rec->calls == 0)
        memcpy(rec->first, x, 2 * sizeof *x);
    else
        for (size_t k = 0; k < dim; k++)
            rec->outside += !(x[k] >= rec->lo[k] && x[k] <= rec->hi[k]);
    rec->calls++;
    if (rec->calls <= (uint64_t)rec->nan_first)
        return (double)NAN;
    return rastrigin(x, dim, NULL);
}

static void box(double *lo, double *hi, size_t dim, double a, double b)
{
    for (size_t k = 0; k < dim; k++) {
        lo[k] = a;
        hi[k] = b;
    }
}

static pe_da_options no_ls(uint64_t seed, int maxiter)
{
    pe_da_options o = pe_da_options_default();
    o.no_local_search = true;
    o.seed = seed;
    o.maxiter = maxiter;
    return o;
}

/* ---------------------------------------------------------------- formulas */

static void schedule_values(void)
{
    static const int steps[] = { 0, 1, 2, 9, 99, 999 };
    static const double t[] = { 5230.0,           2200.6627745516685, 1283.8292812554237,
                                227.626339116254, 6.1447401516849895, 0.1494723778953874 };
    static const double t_acc[] = { 5230, 1100.33, 427.94, 22.763, 0.061447, 1.4947e-4 };
    for (int n = 0; n < 6; n++) {
        const double v = pe_da_temperature(5230.0, 2.62, steps[n]);
        CHECK_REL(v, t[n], 1e-12);
        CHECK_REL(v / (steps[n] + 1), t_acc[n], 1e-4);
    }
    CHECK(pe_da_reanneal_index(5230.0, 2.62, 2e-5) == 1246);
    CHECK(pe_da_reanneal_index(100.0, 2.62, 2e-5) == 1246); /* T(i)/T0 does not involve T0 */
}

static void constants_values(void)
{
    pe_da_constants c;
    pe_da_constants_init(&c, 2.62);
    CHECK_REL(c.factor2, 1.9459457116254493, 1e-12);
    CHECK_REL(c.factor3, 0.7669922740710831, 1e-12);
    CHECK_REL(c.factor4p, 11.83398652668741, 1e-12);
    CHECK_REL(c.factor5, 0.11728395061728392, 1e-12);
    CHECK_REL(c.factor6, 8.054035404548973, 1e-12);
    CHECK_REL(c.factor6, tgamma(c.factor5), 1e-12); /* the reflection formula */
}

static void sigma_values(void)
{
    pe_da_constants c;
    pe_da_constants_init(&c, 2.62);
    CHECK_REL(pe_da_sigma(&c, 5230.0), 3.15e10, 5e-3);
    CHECK_REL(pe_da_sigma(&c, 1.0), 5.158, 1e-3);
    CHECK_REL(pe_da_sigma(&c, 0.1), 0.01205, 1e-3);
    CHECK_REL(pe_da_sigma(&c, 0.01), 2.81e-5, 2e-3);
    /* step = sigma * a / |b|^((qv-1)/(3-qv)) */
    const double s = pe_da_sigma(&c, 1.0);
    CHECK_REL(pe_da_visit_step(&c, s, 0.5, 1.0), 0.5 * s, 1e-15);
    CHECK_REL(pe_da_visit_step(&c, s, -1.0, 0.5), -s * pow(2.0, 1.62 / 0.38), 1e-12);
}

static void acceptance_probabilities(void)
{
    CHECK_REL(pe_da_accept_probability(-5.0, 0.0, 1.0, 100.0), 1.0097587941791923, 1e-12);
    CHECK_REL(pe_da_accept_probability(-5.0, 0.0, 1.0, 2.0), 1.2599210498948732, 1e-12);
    CHECK_REL(pe_da_accept_probability(-5.0, 10.0, 1.0, 100.0), 0.8786035869128718, 1e-12);
    CHECK_REL(pe_da_accept_probability(-5.0, 10.0, 1.0, 60.0), 0.6812920690579612, 1e-12);
    CHECK_REL(pe_da_accept_probability(-5.0, 2.0, 1.0, 100.0), 0.9897404249173424, 1e-12);
    CHECK(pe_da_accept_probability(-5.0, 1.0, 1.0, 1e-3) == 1.0);   /* equal energies */
    CHECK(pe_da_accept_probability(-5.0, 11.0, 1.0, 60.0) == 0.0);  /* bracket exactly 0 */
    CHECK(pe_da_accept_probability(-5.0, 100.0, 1.0, 60.0) == 0.0); /* bracket negative */
    CHECK(pe_da_accept_probability(-5.0, HUGE_VAL, 1.0, 60.0) == 0.0);
    CHECK(!(pe_da_accept_probability(-5.0, (double)NAN, 1.0, 60.0) >= 0.0)); /* never accepted */
}

static void wrap_is_periodic(void)
{
    CHECK_NEAR(pe_da_wrap(1.5, -5.12, 10.24), 1.5, 1e-15); /* up to rounding */
    CHECK_NEAR(pe_da_wrap(5.12 + 0.5, -5.12, 10.24), -5.12 + 0.5, 1e-12);
    CHECK_NEAR(pe_da_wrap(-5.12 - 0.5, -5.12, 10.24), 5.12 - 0.5, 1e-12);
    CHECK_NEAR(pe_da_wrap(1e8 + 0.25, 0.0, 1.0), 0.25, 1e-7);
    CHECK(pe_da_wrap(0.0, 0.0, 1.0) == 1e-10); /* the nudge off the lower bound */
    CHECK(pe_da_wrap(1.0, 0.0, 1.0) == 1e-10); /* the upper bound is the lower bound */
    CHECK(pe_da_wrap(-3.0, 0.0, 1.0) == 1e-10);
}

static double reference_wrap(double v, double lo, double range)
{
    const double a = v - lo;
    const double b = fmod(a, range) + range;
    double w = fmod(b, range) + lo;
    if (fabs(w - lo) < 1e-10)
        w += 1e-10;
    return w;
}

static void wrap_matches_fmod_bit_for_bit(void)
{
    /* pe_da_wrap computes fmod its own (faster) way; it must give libm's bits. */
    pe_rng rng;
    pe_rng_seed(&rng, 5, 5);
    static const double ranges[] = { 10.24, 65.536, 15.0, 1e-3, 3.0, 1e6, 0.1 };
    long bad = 0;
    for (int n = 0; n < 2000000; n++) {
        const double range = ranges[n % 7] * (n % 3 ? 1.0 : 1.0 + pe_rng_uniform(&rng));
        const double lo = -0.5 * range + (n % 5 == 0 ? 0.0 : 3.7);
        const double u = pe_rng_uniform(&rng), g = pe_rng_normal(&rng);
        double v;
        switch (n % 6) {
        case 0: v = lo + range * (4.0 * u - 2.0); break; /* near the box */
        case 1: v = 1e8 * (2.0 * u - 1.0); break;        /* clipped steps */
        case 2: v = lo + range * floor(1e6 * g) + (u < 0.5 ? 0.0 : ldexp(u, -60)); break;
        case 3: v = g * pow(10.0, 30.0 * u - 10.0); break;      /* any scale */
        case 4: v = lo + range * (double)(int)(8.0 * g); break; /* exact multiples */
        default: v = ldexp(g, (int)(200.0 * u) - 100); break;
        }
        const double a = pe_da_wrap(v, lo, range), b = reference_wrap(v, lo, range);
        bad += memcmp(&a, &b, sizeof a) != 0;
    }
    static const double odd[] = { 0.0, -0.0, 1e300, -1e300, HUGE_VAL, 5e-324, 0x1p60, -0x1p53 };
    for (int n = 0; n < 8; n++) {
        const double a = pe_da_wrap(odd[n], -5.12, 10.24), b = reference_wrap(odd[n], -5.12, 10.24);
        bad += memcmp(&a, &b, sizeof a) != 0 && !(isnan(a) && isnan(b));
    }
    CHECK(bad == 0);
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    if (isnan(x) || isnan(y))
        return isnan(x) - isnan(y);
    return (x > y) - (x < y);
}

/* numpy.quantile's default (linear interpolation between order statistics). */
static double quantile(const double *sorted, size_t n, double q)
{
    const double pos = q * (double)(n - 1);
    const size_t lo = (size_t)pos;
    const double frac = pos - (double)lo;
    return lo + 1 < n ? sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]) : sorted[lo];
}

static void visit_quantiles_match_scipy(void)
{
    const char *dir = getenv("PE_TEST_DATA");
    char path[1024];
    snprintf(path, sizeof path, "%s/visit-quantiles.csv", dir ? dir : PE_TEST_DATA_DIR);
    FILE *fp = fopen(path, "r");
    CHECK(fp != NULL);
    if (!fp)
        return;
    enum { N = 400000 };
    double *steps = malloc(N * sizeof *steps);
    CHECK(steps != NULL);
    static const double qs[6] = { 0.1, 0.25, 0.5, 0.75, 0.9, 0.99 };
    char line[1024];
    int rows = 0;
    pe_rng rng;
    pe_rng_seed(&rng, 2024, 3);
    while (steps && fgets(line, sizeof line, fp)) {
        double qv, t, want[6];
        if (sscanf(line, "%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf", &qv, &t, &want[0], &want[1], &want[2],
                   &want[3], &want[4], &want[5]) != 8)
            continue; /* comment and header */
        pe_da_constants c;
        pe_da_constants_init(&c, qv);
        const double sigma = pe_da_sigma(&c, t);
        for (size_t n = 0; n < N; n++) {
            const double a = pe_rng_normal(&rng), b = pe_rng_normal(&rng);
            steps[n] = fabs(pe_da_visit_step(&c, sigma, a, b));
        }
        qsort(steps, N, sizeof *steps, cmp_double);
        for (int q = 0; q < 6; q++) {
            const double tol = q < 4 ? 0.05 : 0.12;
            const double got = quantile(steps, N, qs[q]);
            if (getenv("PE_VERBOSE") || !(fabs(got - want[q]) <= tol * want[q]))
                fprintf(stderr, "qv %g T %g q%g: %.6g vs SciPy %.6g\n", qv, t, qs[q], got, want[q]);
            CHECK_REL(got, want[q], tol);
        }
        rows++;
    }
    CHECK(rows == 18);
    free(steps);
    fclose(fp);
}

/* ---------------------------------------------------------------- accounting and stops */

static void check_nfev(size_t dim, int maxiter, uint64_t nfev, int reanneals)
{
    double lo[10], hi[10], x[10];
    box(lo, hi, dim, -5.12, 5.12);
    const pe_da_options o = no_ls(1234, maxiter);
    pe_da_result r;
    CHECK(pe_dual_annealing(rastrigin, NULL, dim, lo, hi, &o, x, &r) == PE_OK);
    if (r.nfev != nfev)
        fprintf(stderr, "dim %zu maxiter %d: nfev %llu, want %llu\n", dim, maxiter,
                (unsigned long long)r.nfev, (unsigned long long)nfev);
    CHECK(r.nfev == nfev);
    CHECK(r.nit == maxiter);
    CHECK(r.reanneals == reanneals);
    CHECK(r.success && r.stop == PE_DA_STOP_MAXITER);
    CHECK(strcmp(r.message, "Maximum number of iteration reached") == 0);
    CHECK(r.ls_calls == 0 && r.njev == 0);
}

static void nfev_accounting(void)
{
    check_nfev(2, 1000, 4001, 0);
    check_nfev(3, 50, 301, 0);
    check_nfev(10, 200, 4001, 0);
    check_nfev(2, 1246, 4985, 0);
    check_nfev(2, 1247, 4990, 1);
    check_nfev(2, 3000, 12003, 2);
    check_nfev(2, 0, 1, 0); /* maxiter 0: only the start point */
}

static void maxfun_stops(void)
{
    double lo[2], hi[2], x[2];
    box(lo, hi, 2, -5.12, 5.12);
    static const uint64_t caps[] = { 100, 500 };
    for (int n = 0; n < 2; n++) {
        pe_da_options o = no_ls(1234, 1000);
        o.maxfun = caps[n];
        pe_da_result r;
        CHECK(pe_dual_annealing(rastrigin, NULL, 2, lo, hi, &o, x, &r) == PE_OK);
        CHECK(r.nfev == caps[n]);
        CHECK(!r.success && r.stop == PE_DA_STOP_MAXFUN_ANNEALING);
        CHECK(strcmp(r.message, "Maximum number of function call reached during annealing") == 0);
    }
    for (uint64_t seed = 0; seed < 10; seed++) {
        pe_da_options o = pe_da_options_default();
        o.maxfun = 100;
        o.seed = seed;
        pe_da_result r;
        CHECK(pe_dual_annealing(rastrigin, NULL, 2, lo, hi, &o, x, &r) == PE_OK);
        CHECK(r.nfev >= 100 && r.nfev <= 200);
        CHECK(!r.success);
        CHECK(r.stop == PE_DA_STOP_MAXFUN_ANNEALING || r.stop == PE_DA_STOP_MAXFUN_LOCAL ||
              r.stop == PE_DA_STOP_MAXFUN_STALL);
        CHECK(r.ls_calls >= 1);
    }
}

static void x0_evaluated_first_then_inside(void)
{
    double lo[2], hi[2], x[2];
    box(lo, hi, 2, -5.12, 5.12);
    const double x0[2] = { 10.0, 10.0 };
    for (int mode = 0; mode < 2; mode++) {
        recorder rec = { .lo = lo, .hi = hi };
        pe_da_options o = pe_da_options_default();
        o.seed = 1234;
        o.no_local_search = mode == 0;
        o.x0 = x0;
        pe_da_result r;
        CHECK(pe_dual_annealing(recorded_rastrigin, &rec, 2, lo, hi, &o, x, &r) == PE_OK);
        CHECK(rec.first[0] == 10.0 && rec.first[1] == 10.0);
        CHECK(rec.outside == 0);
        CHECK(rec.calls == r.nfev);
        CHECK(r.fun < 1e-3);
    }
}

static void nan_first_value_is_not_kept(void)
{
    /* SciPy keeps a NaN first value as the best forever (SPEC §5.2); we start from a finite one. */
    double lo[2], hi[2], x[2];
    box(lo, hi, 2, -5.12, 5.12);
    recorder rec = { .lo = lo, .hi = hi, .nan_first = 3 };
    const pe_da_options o = no_ls(7, 1000);
    pe_da_result r;
    CHECK(pe_dual_annealing(recorded_rastrigin, &rec, 2, lo, hi, &o, x, &r) == PE_OK);
    CHECK(r.nfev == 4001 + 3);
    CHECK(r.fun < 1e-3);
}

static void same_seed_same_result(void)
{
    double lo[3], hi[3];
    box(lo, hi, 3, -5.12, 5.12);
    for (int mode = 0; mode < 2; mode++) {
        double xa[3], xb[3], xc[3];
        pe_da_options o = pe_da_options_default();
        o.no_local_search = mode == 0;
        o.maxiter = 300;
        o.seed = 99;
        pe_da_result ra, rb, rc;
        CHECK(pe_dual_annealing(rastrigin, NULL, 3, lo, hi, &o, xa, &ra) == PE_OK);
        CHECK(pe_dual_annealing(rastrigin, NULL, 3, lo, hi, &o, xb, &rb) == PE_OK);
        o.seed = 100;
        CHECK(pe_dual_annealing(rastrigin, NULL, 3, lo, hi, &o, xc, &rc) == PE_OK);
        CHECK(memcmp(xa, xb, sizeof xa) == 0);
        CHECK(memcmp(&ra.fun, &rb.fun, sizeof ra.fun) == 0);
        CHECK(ra.nfev == rb.nfev && ra.njev == rb.njev);
        CHECK(memcmp(xa, xc, sizeof xa) != 0);
        /* the stream selects an independent sequence too */
        o.seed = 99;
        o.stream = 1;
        CHECK(pe_dual_annealing(rastrigin, NULL, 3, lo, hi, &o, xc, &rc) == PE_OK);
        CHECK(memcmp(xa, xc, sizeof xa) != 0);
    }
}

/* ---------------------------------------------------------------- callback */

typedef struct cb_log {
    int contexts[64];
    int count;
    double stop_below; /* return true once f <= this */
    int stop_context;  /* or in this context (-1: never) */
    double last_f, last_x[10];
    uint64_t *evals; /* objective counter, to see that nothing runs after the stop */
    uint64_t evals_at_stop;
} cb_log;

static bool log_callback(const double *x, size_t dim, double f, int context, void *ctx)
{
    cb_log *log = ctx;
    if (log->count < 64)
        log->contexts[log->count] = context;
    log->count++;
    log->last_f = f;
    memcpy(log->last_x, x, dim * sizeof *x);
    const bool stop = f <= log->stop_below || context == log->stop_context;
    if (stop && log->evals)
        log->evals_at_stop = *log->evals;
    return stop;
}

static double counted_rastrigin(const double *x, size_t dim, void *ctx)
{
    ++*(uint64_t *)ctx;
    return rastrigin(x, dim, NULL);
}

static void callback_stops_run(void)
{
    double lo[2], hi[2], x[2];
    box(lo, hi, 2, -5.12, 5.12);
    uint64_t evals = 0;
    cb_log log = { .stop_below = 1.0, .stop_context = -1, .evals = &evals };
    pe_da_options o = pe_da_options_default();
    o.seed = 1234;
    o.callback = log_callback;
    o.callback_ctx = &log;
    pe_da_result r;
    CHECK(pe_dual_annealing(counted_rastrigin, &evals, 2, lo, hi, &o, x, &r) == PE_OK);
    CHECK(!r.success && r.stop == PE_DA_STOP_CALLBACK);
    CHECK(strcmp(r.message, "Callback function requested to stop early by returning True") == 0);
    CHECK(r.fun <= 1.0 && r.fun == log.last_f);
    CHECK(memcmp(x, log.last_x, sizeof x) == 0);
    CHECK(r.nfev == log.evals_at_stop && r.nfev == evals);
    CHECK(log.count >= 1 && r.nit < 1000);
}

static void callback_contexts_chain_and_local(void)
{
    double lo[10], hi[10], x[10];
    box(lo, hi, 10, -5.12, 5.12);
    cb_log log = { .stop_below = -1.0, .stop_context = -1 };
    pe_da_options o = pe_da_options_default();
    o.seed = 1234;
    o.callback = log_callback;
    o.callback_ctx = &log;
    pe_da_result r;
    CHECK(pe_dual_annealing(rastrigin, NULL, 10, lo, hi, &o, x, &r) == PE_OK);
    int seen[3] = { 0 };
    for (int n = 0; n < log.count && n < 64; n++)
        seen[log.contexts[n]]++;
    CHECK(seen[0] > 0 && seen[1] > 0 && seen[2] == 0);
    CHECK(r.success && r.fun == log.last_f);

    /* stopping from a local-search improvement */
    cb_log stop1 = { .stop_below = -1.0, .stop_context = 1 };
    o.callback_ctx = &stop1;
    CHECK(pe_dual_annealing(rastrigin, NULL, 10, lo, hi, &o, x, &r) == PE_OK);
    CHECK(r.stop == PE_DA_STOP_CALLBACK && !r.success);
    CHECK(stop1.contexts[stop1.count - 1] == 1 && r.fun == stop1.last_f);
}

static void stall_local_search_schedule(void)
{
    /* Started at Rastrigin's global minimum nothing ever improves: the stall search runs in the
     * 1000th iteration, then every dim = 2 iterations (999, 1001, ..., 1009), SPEC §6.3. */
    double lo[2], hi[2], x[2];
    box(lo, hi, 2, -5.12, 5.12);
    const double x0[2] = { 0.0, 0.0 };
    cb_log log = { .stop_below = -1.0, .stop_context = -1 };
    pe_da_options o = pe_da_options_default();
    o.seed = 0;
    o.maxiter = 1010;
    o.x0 = x0;
    o.callback = log_callback;
    o.callback_ctx = &log;
    pe_da_result r;
    CHECK(pe_dual_annealing(rastrigin, NULL, 2, lo, hi, &o, x, &r) == PE_OK);
    CHECK(r.ls_calls == 7); /* after iteration 0 (improved flag), then 6 stall searches */
    CHECK(r.nit == 1010 && r.success);
    CHECK(r.fun == 0.0 && x[0] == 0.0 && x[1] == 0.0);
    CHECK(log.count == 0);
}

/* A constant landscape with one magic point that only a local search "finds", on its second and
 * later calls; it records when it is called. */
typedef struct magic_ls {
    uint64_t *evals;
    uint64_t called_at[16];
    int calls;
    int evals_per_call;
    int mode; /* 0 = find the magic point from call 2, 1 = worse answer, 2 = outside, 3 = error */
} magic_ls;

static double flat(const double *x, size_t dim, void *ctx)
{
    (void)dim;
    ++*(uint64_t *)ctx;
    return x[0] == 0.25 && x[1] == 0.75 ? 0.0 : 1.0;
}

static pe_status magic_search(pe_objective_fn f, void *f_ctx, size_t dim, const double *lower,
                              const double *upper, double *x, double *fx, uint64_t *nfev,
                              void *ls_ctx)
{
    magic_ls *m = ls_ctx;
    (void)lower;
    if (m->calls < 16)
        m->called_at[m->calls] = *m->evals;
    m->calls++;
    for (int n = 0; n < m->evals_per_call; n++) {
        *fx = f(x, dim, f_ctx);
        ++*nfev;
    }
    if (m->mode == 0 && m->calls >= 2) {
        x[0] = 0.25;
        x[1] = 0.75;
        *fx = f(x, dim, f_ctx);
        ++*nfev;
    } else if (m->mode == 1) {
        x[0] = 0.5; /* a true, worse value */
        *fx = 2.0;
    } else if (m->mode == 2) {
        x[0] = upper[0] + 1.0; /* claims a better value outside the box */
        *fx = -1.0;
    } else if (m->mode == 3) {
        return PE_ERR_NOMEM;
    }
    return PE_OK;
}

static void stall_search_reports_context_2(void)
{
    double lo[2], hi[2], x[2];
    box(lo, hi, 2, 0.0, 1.0);
    uint64_t evals = 0;
    magic_ls m = { .evals = &evals };
    cb_log log = { .stop_below = -1.0, .stop_context = -1 };
    pe_da_options o = pe_da_options_default();
    o.maxiter = 1010;
    o.local_search = magic_search;
    o.local_search_ctx = &m;
    o.callback = log_callback;
    o.callback_ctx = &log;
    pe_da_result r;
    CHECK(pe_dual_annealing(flat, &evals, 2, lo, hi, &o, x, &r) == PE_OK);
    /* called after iteration 0 and at the stall of iteration 999 (start + 4 per iteration);
     * the magic point is a new best there, so the chain restarts from it and the next stall
     * search is dim iterations later. */
    CHECK(m.calls >= 2);
    CHECK(m.called_at[0] == 5);
    CHECK(m.called_at[1] == 1 + 4 * 1000);
    CHECK(log.count == 1 && log.contexts[0] == 2);
    CHECK(r.fun == 0.0 && x[0] == 0.25 && x[1] == 0.75);
    CHECK(r.nfev == evals);

    /* and stopping there */
    evals = 0;
    magic_ls m2 = { .evals = &evals };
    cb_log stop2 = { .stop_below = -1.0, .stop_context = 2 };
    o.local_search_ctx = &m2;
    o.callback_ctx = &stop2;
    CHECK(pe_dual_annealing(flat, &evals, 2, lo, hi, &o, x, &r) == PE_OK);
    CHECK(r.stop == PE_DA_STOP_CALLBACK && r.nit == 999 && r.nfev == 4002);
}

static void custom_local_search_is_used_and_judged(void)
{
    double lo[2], hi[2], x[2];
    box(lo, hi, 2, 0.0, 1.0);
    for (int mode = 1; mode <= 3; mode++) {
        uint64_t evals = 0;
        magic_ls m = { .evals = &evals, .evals_per_call = 3, .mode = mode };
        pe_da_options o = pe_da_options_default();
        o.maxiter = 1010;
        o.local_search = magic_search;
        o.local_search_ctx = &m;
        pe_da_result r;
        const pe_status st = pe_dual_annealing(flat, &evals, 2, lo, hi, &o, x, &r);
        if (mode == 3) {
            CHECK(st == PE_ERR_NOMEM && r.stop == PE_DA_STOP_ERROR && !r.success);
            CHECK(m.calls == 1 && r.nfev == 5 + 3 && r.fun == 1.0);
            continue;
        }
        CHECK(st == PE_OK);
        /* 1 + 4 * 1010 chain evaluations, plus 3 per search: 0, 999, 1001, ..., 1009 */
        CHECK(m.calls == 7 && r.ls_calls == 7);
        CHECK(r.nfev == 1 + 4 * 1010 + 3 * 7 && r.nfev == evals);
        CHECK(r.fun == 1.0); /* the worse or out-of-box answers were rejected */
        CHECK(x[0] >= 0.0 && x[0] <= 1.0);
    }
}

/* ---------------------------------------------------------------- inputs */

static void rejected_inputs(void)
{
    double lo[2] = { -1, -1 }, hi[2] = { 1, 1 }, x[2];
    pe_da_result r;
    const pe_da_options d = pe_da_options_default();
    CHECK(pe_dual_annealing(NULL, NULL, 2, lo, hi, &d, x, &r) == PE_ERR_INVALID_ARG);
    CHECK(r.message && r.message[0] && r.stop == PE_DA_STOP_NONE);
    CHECK(pe_dual_annealing(rastrigin, NULL, 2, NULL, hi, &d, x, &r) == PE_ERR_INVALID_ARG);
    CHECK(pe_dual_annealing(rastrigin, NULL, 2, lo, hi, &d, NULL, &r) == PE_ERR_INVALID_ARG);
    CHECK(pe_dual_annealing(rastrigin, NULL, 0, lo, hi, &d, x, &r) == PE_ERR_INVALID_ARG);

    const double bad_lo[][2] = { { 1, -1 }, { 2, -1 }, { -HUGE_VAL, -1 }, { (double)NAN, -1 } };
    for (int n = 0; n < 4; n++) {
        CHECK(pe_dual_annealing(rastrigin, NULL, 2, bad_lo[n], hi, &d, x, &r) ==
              PE_ERR_INVALID_ARG);
        CHECK(r.message && r.message[0]);
    }
    const double huge_lo[2] = { -1e308, -1 }, huge_hi[2] = { 1e308, 1 };
    CHECK(pe_dual_annealing(rastrigin, NULL, 2, huge_lo, huge_hi, &d, x, &r) == PE_ERR_INVALID_ARG);

    pe_da_options o;
    static const double ratios[] = { 0.0, 1.0, -0.5, 2.0 };
    for (int n = 0; n < 4; n++) {
        o = d;
        o.restart_temp_ratio = ratios[n];
        CHECK(pe_dual_annealing(rastrigin, NULL, 2, lo, hi, &o, x, &r) == PE_ERR_INVALID_ARG);
        CHECK(strcmp(r.message, "Restart temperature ratio has to be in range (0, 1)") == 0);
    }
    static const double visits[] = { 1.0, 0.5, 3.01 };
    for (int n = 0; n < 3; n++) {
        o = d;
        o.visit = visits[n];
        CHECK(pe_dual_annealing(rastrigin, NULL, 2, lo, hi, &o, x, &r) == PE_ERR_INVALID_ARG);
    }
    static const double accepts[] = { -1e4, -4.9, 0.0 };
    for (int n = 0; n < 3; n++) {
        o = d;
        o.accept = accepts[n];
        CHECK(pe_dual_annealing(rastrigin, NULL, 2, lo, hi, &o, x, &r) == PE_ERR_INVALID_ARG);
    }
    static const double temps[] = { 0.01, 0.0, 5e4 + 1, (double)NAN };
    for (int n = 0; n < 4; n++) {
        o = d;
        o.initial_temp = temps[n];
        CHECK(pe_dual_annealing(rastrigin, NULL, 2, lo, hi, &o, x, &r) == PE_ERR_INVALID_ARG);
    }
    o = d;
    o.maxiter = -1;
    CHECK(pe_dual_annealing(rastrigin, NULL, 2, lo, hi, &o, x, &r) == PE_ERR_INVALID_ARG);

    /* edges of the ranges are accepted */
    o = no_ls(1, 20);
    o.visit = 3.0;
    o.accept = -9999.0;
    o.initial_temp = 5e4;
    CHECK(pe_dual_annealing(rastrigin, NULL, 2, lo, hi, &o, x, &r) == PE_OK);
    CHECK(r.nfev == 81);
    CHECK(pe_dual_annealing(rastrigin, NULL, 2, lo, hi, NULL, x, NULL) == PE_OK);

    /* f never finite: the start point and 1000 random retries, then SciPy's message */
    CHECK(pe_dual_annealing(always_inf, NULL, 2, lo, hi, &d, x, &r) == PE_ERR_NONFINITE);
    CHECK(r.nfev == 1001 && r.stop == PE_DA_STOP_ERROR && !r.success);
    CHECK(strcmp(r.message, "Stopping algorithm because function create NaN or (+/-) infinity "
                            "values even with trying new random parameters") == 0);
}

/* ---------------------------------------------------------------- search quality (cheap rows) */

static int successes(pe_objective_fn f, size_t dim, double a, double b, bool with_ls, double tol,
                     uint64_t *nfev_max)
{
    double lo[8], hi[8], x[8];
    box(lo, hi, dim, a, b);
    int ok = 0;
    *nfev_max = 0;
    for (uint64_t seed = 0; seed < 20; seed++) {
        pe_da_options o = pe_da_options_default();
        o.seed = seed;
        o.no_local_search = !with_ls;
        pe_da_result r;
        CHECK(pe_dual_annealing(f, NULL, dim, lo, hi, &o, x, &r) == PE_OK);
        ok += fabs(r.fun) <= tol;
        *nfev_max = r.nfev > *nfev_max ? r.nfev : *nfev_max;
    }
    return ok;
}

static void search_quality_cheap_rows(void)
{
    uint64_t nfev_max;
    CHECK(successes(rastrigin, 2, -5.12, 5.12, true, 1e-4, &nfev_max) >= 19);
    CHECK(successes(rastrigin, 2, -5.12, 5.12, false, 1e-4, &nfev_max) >= 19);
    CHECK(nfev_max == 4001);
    CHECK(successes(rosenbrock, 2, -5.12, 5.12, true, 1e-4, &nfev_max) >= 19);
    CHECK(successes(ackley, 2, -32.768, 32.768, true, 1e-4, &nfev_max) >= 19);
    CHECK(successes(ackley, 2, -32.768, 32.768, false, 1e-2, &nfev_max) >= 19);
}

int main(int argc, char **argv)
{
    TEST_MAIN_BEGIN(argc, argv);
    RUN(schedule_values);
    RUN(constants_values);
    RUN(sigma_values);
    RUN(acceptance_probabilities);
    RUN(wrap_is_periodic);
    RUN(wrap_matches_fmod_bit_for_bit);
    RUN(visit_quantiles_match_scipy);
    RUN(nfev_accounting);
    RUN(maxfun_stops);
    RUN(x0_evaluated_first_then_inside);
    RUN(nan_first_value_is_not_kept);
    RUN(same_seed_same_result);
    RUN(callback_stops_run);
    RUN(callback_contexts_chain_and_local);
    RUN(stall_local_search_schedule);
    RUN(stall_search_reports_context_2);
    RUN(custom_local_search_is_used_and_judged);
    RUN(rejected_inputs);
    RUN(search_quality_cheap_rows);
    TEST_MAIN_END();
}
