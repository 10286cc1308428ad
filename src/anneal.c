/* anneal: dual annealing over a box of doubles, a port of scipy.optimize.dual_annealing
 * (docs/dual-annealing/SPEC.md). Knows nothing about images; one seeded PCG32 per call. */
#define _DEFAULT_SOURCE /* lgamma_r */
#include "anneal.h"

#include "lbfgsb.h"
#include "polyevolve.h"
#include "rng.h"

#include <assert.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- formulas (SPEC §2-§5) */

void pe_da_constants_init(pe_da_constants *c, double qv)
{
    const double pi = 3.14159265358979323846;
    c->qv = qv;
    c->factor2 = exp((4.0 - qv) * log(qv - 1.0));
    c->factor3 = exp((2.0 - qv) * log(2.0) / (qv - 1.0));
    c->factor4p = sqrt(pi) * c->factor2 / (c->factor3 * (3.0 - qv));
    c->factor5 = 1.0 / (qv - 1.0) - 0.5;
    c->d1 = 2.0 - c->factor5;
    /* Gamma(factor5) by the reflection formula, as SciPy writes it (through exp(lgamma)).
     * lgamma_r: plain lgamma writes the global signgam, a data race when ops anneal at once
     * (ThreadSanitizer). */
    int sign;
    c->factor6 =
        pi * (1.0 - c->factor5) / sin(pi * (1.0 - c->factor5)) / exp(lgamma_r(c->d1, &sign));
}

double pe_da_temperature(double t0, double qv, int i)
{
    const double t1 = exp((qv - 1.0) * log(2.0)) - 1.0;
    const double s = (double)i + 2.0;
    const double t2 = exp((qv - 1.0) * log(s)) - 1.0;
    return t0 * t1 / t2;
}

int pe_da_reanneal_index(double t0, double qv, double ratio)
{
    for (int i = 0; i < 10000000; i++)
        if (pe_da_temperature(t0, qv, i) < t0 * ratio)
            return i;
    return -1;
}

double pe_da_sigma(const pe_da_constants *c, double temperature)
{
    const double qv = c->qv;
    const double factor1 = exp(log(temperature) / (qv - 1.0));
    const double factor4 = c->factor4p * factor1;
    return exp(-(qv - 1.0) * log(c->factor6 / factor4) / (3.0 - qv));
}

double pe_da_visit_step(const pe_da_constants *c, double sigma, double a, double b)
{
    /* The heavy tail comes from dividing by |b|^((qv-1)/(3-qv)); b == 0 gives an infinite step,
     * which the caller clips like any other huge one. */
    const double qv = c->qv;
    const double den = exp((qv - 1.0) * log(fabs(b)) / (3.0 - qv));
    return a * sigma / den;
}

/* fmod(a, r) for r > 0, bit for bit. fmod is exact, so any exact method gives the same bits;
 * glibc's fmod does long division bit by bit, which made it a third of the engine's time when
 * most steps are clipped to ~1e8. Here: the quotient n from one division (off by at most one
 * below 2^52) and the remainder by one fma, exact because the true remainder is representable. */
static double fmod_exact(double a, double r)
{
    const double m = fabs(a);
    if (m < r)
        return a;
    if (!(m < 0x1p52 * r)) /* also NaN and infinity */
        return fmod(a, r);
    const double n = trunc(m / r);
    double rem = fma(-n, r, m);
    if (rem < 0.0)
        rem = fma(-(n - 1.0), r, m);
    else if (rem >= r)
        rem = fma(-(n + 1.0), r, m);
    return copysign(rem, a);
}

double pe_da_wrap(double v, double lo, double range)
{
    /* Periodic box (a torus), as SciPy: fmod keeps the dividend's sign, hence the double fmod. */
    const double a = v - lo;
    const double b = fmod_exact(a, range) + range;
    double w = fmod_exact(b, range) + lo;
    if (fabs(w - lo) < PE_DA_MIN_VISIT_BOUND)
        w += PE_DA_MIN_VISIT_BOUND;
    return w;
}

double pe_da_accept_probability(double qa, double e_trial, double e_cur, double t_acc)
{
    const double p = 1.0 - ((1.0 - qa) * (e_trial - e_cur) / t_acc);
    if (p <= 0.0)
        return 0.0;
    return exp(log(p) / (1.0 - qa));
}

/* ---------------------------------------------------------------- the run's state */

typedef struct da_run {
    pe_objective_fn f;
    void *ctx;
    size_t dim;
    const double *lo, *hi;
    const pe_da_options *opt;
    pe_da_constants c;
    pe_rng rng;
    double *range;   /* hi - lo */
    double *x_cur;   /* chain's current point */
    double *x_trial; /* trial point; during single moves it equals x_cur except coordinate k */
    double *x_best;
    double *x_min; /* chain minimum, stale while xmin_is_cur */
    double *x_ls;  /* local-search start and answer */
    double *x_ls0; /* copy of the start, to restore a rejected answer */
    double *block; /* owns all of the above */
    double e_cur, e_best, e_min;
    /* x_min is set to the current point on every accepted uphill move (SciPy's quirk, §9.3).
     * Instead of copying dim values each time, this flag says "x_min is x_cur"; the copy is made
     * only when the current point moves for another reason. */
    bool xmin_is_cur;
    bool improved;
    double t_acc;
    uint64_t nfev, not_improved, not_improved_max;
    int ls_calls, reanneals;
    pe_local_search_fn ls;
    void *ls_ctx;
    pe_status ls_status;
    pe_lbfgsb_work lbfgsb;
} da_run;

static const char msg_maxiter[] = "Maximum number of iteration reached";
static const char msg_nonfinite[] = "Stopping algorithm because function create NaN or (+/-) "
                                    "infinity values even with trying new random parameters";

static const char *stop_message(pe_da_stop stop)
{
    switch (stop) {
    case PE_DA_STOP_MAXITER: return msg_maxiter;
    case PE_DA_STOP_MAXFUN_ANNEALING:
        return "Maximum number of function call reached during annealing";
    case PE_DA_STOP_MAXFUN_LOCAL:
        return "Maximum number of function call reached during local search";
    case PE_DA_STOP_MAXFUN_STALL:
        return "Maximum number of function call reached during dual annealing";
    case PE_DA_STOP_CALLBACK: return "Callback function requested to stop early by returning True";
    case PE_DA_STOP_ERROR: return "Local search returned an error";
    case PE_DA_STOP_NONE: break;
    }
    return "";
}

static double evaluate(da_run *r, const double *x)
{
    r->nfev++;
    return r->f(x, r->dim, r->ctx);
}

static void random_point(da_run *r, double *x)
{
    for (size_t k = 0; k < r->dim; k++)
        x[k] = r->lo[k] + r->range[k] * pe_rng_uniform(&r->rng);
}

/* Call before the current point changes for any reason other than an accepted move. */
static void detach_xmin(da_run *r)
{
    if (r->xmin_is_cur) {
        memcpy(r->x_min, r->x_cur, r->dim * sizeof *r->x_min);
        r->xmin_is_cur = false;
    }
}

/* x0 (or a random point), then fresh random points while f is not finite (SPEC §5.2). */
static pe_status start_point(da_run *r, const double *x0)
{
    if (x0)
        memcpy(r->x_cur, x0, r->dim * sizeof *r->x_cur);
    else
        random_point(r, r->x_cur);
    for (int retries = 0;; retries++) {
        r->e_cur = evaluate(r, r->x_cur);
        if (isfinite(r->e_cur))
            return PE_OK;
        if (retries >= PE_DA_MAX_REINIT)
            return PE_ERR_NONFINITE;
        random_point(r, r->x_cur);
    }
}

static bool new_best(da_run *r, const double *x, double e, int context)
{
    memcpy(r->x_best, x, r->dim * sizeof *x);
    r->e_best = e;
    const pe_da_options *o = r->opt;
    return o->callback && o->callback(r->x_best, r->dim, e, context, o->callback_ctx);
}

/* ---------------------------------------------------------------- the chain (SPEC §4, §5.4) */

/* Full move: every coordinate takes a raw step; the clipped ones share two uniforms. */
static void full_move(da_run *r, double sigma)
{
    const size_t dim = r->dim;
    for (size_t k = 0; k < dim; k++) {
        const double a = pe_rng_normal(&r->rng);
        const double b = pe_rng_normal(&r->rng);
        r->x_trial[k] = pe_da_visit_step(&r->c, sigma, a, b);
    }
    const double u_up = pe_rng_uniform(&r->rng);
    const double u_low = pe_rng_uniform(&r->rng);
    for (size_t k = 0; k < dim; k++) {
        double s = r->x_trial[k];
        if (s > PE_DA_TAIL_LIMIT)
            s = PE_DA_TAIL_LIMIT * u_up;
        else if (s < -PE_DA_TAIL_LIMIT)
            s = -PE_DA_TAIL_LIMIT * u_low;
        r->x_trial[k] = pe_da_wrap(s + r->x_cur[k], r->lo[k], r->range[k]);
    }
}

/* Single move on coordinate k; x_trial already equals x_cur. A uniform only when clipped. */
static void single_move(da_run *r, double sigma, size_t k)
{
    const double a = pe_rng_normal(&r->rng);
    const double b = pe_rng_normal(&r->rng);
    double s = pe_da_visit_step(&r->c, sigma, a, b);
    if (s > PE_DA_TAIL_LIMIT)
        s = PE_DA_TAIL_LIMIT * pe_rng_uniform(&r->rng);
    else if (s < -PE_DA_TAIL_LIMIT)
        s = -PE_DA_TAIL_LIMIT * pe_rng_uniform(&r->rng);
    r->x_trial[k] = pe_da_wrap(s + r->x_cur[k], r->lo[k], r->range[k]);
}

/* The trial becomes the current point. */
static void take_trial(da_run *r, size_t j, double e)
{
    if (j < r->dim) {
        double *t = r->x_cur; /* every coordinate changed: swap instead of copying */
        r->x_cur = r->x_trial;
        r->x_trial = t;
    } else {
        r->x_cur[j - r->dim] = r->x_trial[j - r->dim];
    }
    r->e_cur = e;
}

static void accept_reject(da_run *r, size_t j, double e)
{
    const double u = pe_rng_uniform(&r->rng); /* drawn first, always: keeps the stream aligned */
    const double p = pe_da_accept_probability(r->opt->accept, e, r->e_cur, r->t_acc);
    if (u <= p) {
        take_trial(r, j, e);
        r->xmin_is_cur = true; /* x_min moves, E_min does not (SPEC §9.3) */
    } else if (j >= r->dim) {
        r->x_trial[j - r->dim] = r->x_cur[j - r->dim];
    }
    if (r->not_improved >= r->not_improved_max && (j == 0 || r->e_cur < r->e_min)) {
        r->e_min = r->e_cur;
        r->xmin_is_cur = true;
    }
}

static pe_da_stop run_chain(da_run *r, int i, double temperature)
{
    const size_t dim = r->dim;
    const double sigma = pe_da_sigma(&r->c, temperature); /* one T for the whole chain */
    r->t_acc = temperature / (double)(i + 1);
    r->not_improved++;
    r->improved = i == 0; /* the first chain after a (re)start always counts as improving */
    for (size_t j = 0; j < 2 * dim; j++) {
        if (j < dim) {
            full_move(r, sigma);
        } else {
            if (j == dim) /* full moves left x_trial unrelated to x_cur */
                memcpy(r->x_trial, r->x_cur, dim * sizeof *r->x_trial);
            single_move(r, sigma, j - dim);
        }
        const double e = evaluate(r, r->x_trial);
        if (e < r->e_cur) {
            detach_xmin(r);
            take_trial(r, j, e);
            if (e < r->e_best) {
                if (new_best(r, r->x_cur, e, 0))
                    return PE_DA_STOP_CALLBACK;
                r->improved = true;
                r->not_improved = 0;
            }
        } else {
            accept_reject(r, j, e);
        }
        if (r->nfev >= r->opt->maxfun)
            return PE_DA_STOP_MAXFUN_ANNEALING;
    }
    return PE_DA_STOP_NONE;
}

/* ---------------------------------------------------------------- local search (SPEC §6) */

/* Runs the local search from x_ls with value *e; keeps its answer in x_ls / *e only if it is
 * finite, inside the box and strictly lower, else restores the start. */
static pe_status local_search(da_run *r, double *e)
{
    const size_t dim = r->dim;
    memcpy(r->x_ls0, r->x_ls, dim * sizeof *r->x_ls0);
    double fx = *e;
    uint64_t used = 0;
    const pe_status st = r->ls(r->f, r->ctx, dim, r->lo, r->hi, r->x_ls, &fx, &used, r->ls_ctx);
    r->nfev += used;
    r->ls_calls++;
    if (st != PE_OK)
        return st;
    bool valid = isfinite(fx) && fx < *e;
    for (size_t k = 0; valid && k < dim; k++)
        valid = isfinite(r->x_ls[k]) && r->x_ls[k] >= r->lo[k] && r->x_ls[k] <= r->hi[k];
    if (valid)
        *e = fx;
    else
        memcpy(r->x_ls, r->x_ls0, dim * sizeof *r->x_ls);
    return PE_OK;
}

static void set_current(da_run *r, const double *x, double e)
{
    detach_xmin(r);
    memcpy(r->x_cur, x, r->dim * sizeof *x);
    r->e_cur = e;
}

static pe_da_stop local_phase(da_run *r)
{
    const size_t dim = r->dim;
    if (r->improved) {
        memcpy(r->x_ls, r->x_best, dim * sizeof *r->x_ls);
        double e = r->e_best;
        if ((r->ls_status = local_search(r, &e)) != PE_OK)
            return PE_DA_STOP_ERROR;
        if (e < r->e_best) {
            r->not_improved = 0;
            if (new_best(r, r->x_ls, e, 1))
                return PE_DA_STOP_CALLBACK;
            set_current(r, r->x_ls, e);
        }
        if (r->nfev >= r->opt->maxfun)
            return PE_DA_STOP_MAXFUN_LOCAL;
    }
    /* SciPy's probabilistic trigger (K < 90 dim) is dead code there and left out here (§6.2). */
    if (r->not_improved >= r->not_improved_max) {
        memcpy(r->x_ls, r->xmin_is_cur ? r->x_cur : r->x_min, dim * sizeof *r->x_ls);
        double e = r->e_min;
        if ((r->ls_status = local_search(r, &e)) != PE_OK)
            return PE_DA_STOP_ERROR;
        memcpy(r->x_min, r->x_ls, dim * sizeof *r->x_min);
        r->xmin_is_cur = false;
        r->e_min = e;
        r->not_improved = 0;
        r->not_improved_max = dim; /* from now on a stall is dim iterations, not 1000 */
        if (e < r->e_best) {
            if (new_best(r, r->x_ls, e, 2))
                return PE_DA_STOP_CALLBACK;
            set_current(r, r->x_ls, e);
        }
        if (r->nfev >= r->opt->maxfun)
            return PE_DA_STOP_MAXFUN_STALL;
    }
    return PE_DA_STOP_NONE;
}

/* ---------------------------------------------------------------- entry point */

pe_da_options pe_da_options_default(void)
{
    return (pe_da_options){
        .maxiter = 1000,
        .maxfun = 10000000,
        .initial_temp = 5230.0,
        .restart_temp_ratio = 2e-5,
        .visit = 2.62,
        .accept = -5.0,
    };
}

/* The reason the input is refused, or NULL. SciPy's wording where SciPy checks the same thing. */
static const char *check_input(pe_objective_fn f, size_t dim, const double *lower,
                               const double *upper, const pe_da_options *o, const double *x_best)
{
    if (!f || !lower || !upper || !x_best)
        return "f, lower, upper and x_best must not be NULL";
    if (dim == 0)
        return "dim must be at least 1";
    if (dim > SIZE_MAX / (8 * sizeof(double)))
        return "dim is too large";
    for (size_t k = 0; k < dim; k++) {
        if (!isfinite(lower[k]) || !isfinite(upper[k]))
            return "Some bounds values are inf values or nan values";
        if (!(lower[k] < upper[k]))
            return "Bounds are not consistent min < max";
        if (!isfinite(upper[k] - lower[k])) /* wrapping divides by the width */
            return "Bounds are too far apart: upper - lower overflows";
    }
    if (o->maxiter < 0)
        return "maxiter must be >= 0";
    if (!(o->initial_temp > 0.01 && o->initial_temp <= 5e4))
        return "initial_temp must be in (0.01, 5e4]";
    if (!(o->restart_temp_ratio > 0.0 && o->restart_temp_ratio < 1.0))
        return "Restart temperature ratio has to be in range (0, 1)";
    if (!(o->visit > 1.0 && o->visit <= 3.0))
        return "visit must be in (1, 3]";
    if (!(o->accept > -1e4 && o->accept <= -5.0))
        return "accept must be in (-1e4, -5]";
    if (!o->no_local_search && !o->local_search && dim > PE_LBFGSB_MAX_DIM)
        return "dim is too large for the L-BFGS-B local search";
    return NULL;
}

/* The outer loop (SPEC §5.3). *nit receives the iterations completed. */
static pe_da_stop anneal_loop(da_run *r, int *nit, pe_status *status)
{
    const pe_da_options *o = r->opt;
    const double t_restart = o->initial_temp * o->restart_temp_ratio;
    int iteration = 0;
    pe_da_stop stop = PE_DA_STOP_NONE;
    for (int i = 0; stop == PE_DA_STOP_NONE;) {
        const double temperature = pe_da_temperature(o->initial_temp, o->visit, i);
        if (iteration >= o->maxiter) {
            stop = PE_DA_STOP_MAXITER;
            break;
        }
        if (temperature < t_restart) {
            /* Re-anneal: a fresh random point (never x0); best, chain minimum and counters are
             * kept, and it does not count as an iteration. */
            detach_xmin(r);
            r->reanneals++;
            if ((*status = start_point(r, NULL)) != PE_OK)
                stop = PE_DA_STOP_ERROR;
            i = 0;
            continue;
        }
        stop = run_chain(r, i, temperature);
        if (stop == PE_DA_STOP_NONE && !o->no_local_search) {
            stop = local_phase(r);
            if (stop == PE_DA_STOP_ERROR)
                *status = r->ls_status;
        }
        if (stop == PE_DA_STOP_NONE) {
            iteration++;
            i++;
        }
    }
    *nit = iteration;
    return stop;
}

/* Contract details beyond polyevolve.h:
 * - opt may be NULL (the defaults); res may be NULL.
 * - maxiter 0 is allowed: only the start point is evaluated (SciPy would loop forever).
 * - x0 is not checked against the box (SciPy does not either): it is evaluated as given; its
 *   length is dim by construction, so SciPy's "wrong length" error has no C counterpart.
 * - A local search gets a copy of x_best, which lies in the box except when a user x0 outside
 *   the box is still the best point; the default L-BFGS-B clips it (as SciPy's does). Its nfev
 *   counter starts at 0 for each call and is added to the run's total.
 * - PE_ERR_NONFINITE at the start: x_best and res->fun get the last start point tried and its
 *   value. During a re-anneal: x_best and res hold the best point so far.
 * - A local search's own error stops the run with that status, res->stop PE_DA_STOP_ERROR and
 *   the best point so far in x_best.
 * - PE_ERR_INVALID_ARG and PE_ERR_NOMEM leave x_best untouched. */
/* The run's buffers (one block), its local search and its random stream. */
static pe_status setup_run(da_run *r)
{
    const size_t dim = r->dim;
    const pe_da_options *opt = r->opt;
    r->block = malloc(7 * dim * sizeof *r->block);
    if (!r->block)
        return PE_ERR_NOMEM;
    r->range = r->block;
    r->x_cur = r->block + dim;
    r->x_trial = r->block + 2 * dim;
    r->x_best = r->block + 3 * dim;
    r->x_min = r->block + 4 * dim;
    r->x_ls = r->block + 5 * dim;
    r->x_ls0 = r->block + 6 * dim;
    if (!opt->no_local_search) {
        if (opt->local_search) {
            r->ls = opt->local_search;
            r->ls_ctx = opt->local_search_ctx;
        } else {
            const pe_status st = pe_lbfgsb_work_init(&r->lbfgsb, dim);
            if (st != PE_OK)
                return st;
            r->ls = pe_lbfgsb_search;
            r->ls_ctx = &r->lbfgsb;
        }
    }
    for (size_t k = 0; k < dim; k++)
        r->range[k] = r->hi[k] - r->lo[k];
    pe_rng_seed(&r->rng, opt->seed, opt->stream);
    pe_da_constants_init(&r->c, opt->visit);
    return PE_OK;
}

pe_status pe_dual_annealing(pe_objective_fn f, void *ctx, size_t dim, const double *lower,
                            const double *upper, const pe_da_options *opt, double *x_best,
                            pe_da_result *res)
{
    pe_da_result scratch;
    if (!res)
        res = &scratch;
    memset(res, 0, sizeof *res);
    const pe_da_options defaults = pe_da_options_default();
    if (!opt)
        opt = &defaults;
    const char *why = check_input(f, dim, lower, upper, opt, x_best);
    if (why) {
        res->message = why;
        res->fun = (double)NAN;
        return PE_ERR_INVALID_ARG;
    }

    da_run run = { .f = f, .ctx = ctx, .dim = dim, .lo = lower, .hi = upper, .opt = opt };
    da_run *r = &run;
    pe_status status = setup_run(r);
    if (status != PE_OK)
        goto done;
    if ((status = start_point(r, opt->x0)) != PE_OK) {
        /* The caller gets the last start point tried and its (non-finite) value. */
        memcpy(x_best, r->x_cur, dim * sizeof *x_best);
        res->fun = r->e_cur;
        res->nfev = r->nfev;
        res->stop = PE_DA_STOP_ERROR;
        res->message = msg_nonfinite;
        goto done;
    }
    /* Best from the first finite value (SciPy keeps a NaN first value forever: §5.2). */
    memcpy(r->x_best, r->x_cur, dim * sizeof *r->x_best);
    r->e_best = r->e_cur;
    r->xmin_is_cur = true;
    r->e_min = r->e_cur;
    r->not_improved = 0;
    r->not_improved_max = 1000;

    int nit = 0;
    const pe_da_stop stop = anneal_loop(r, &nit, &status);
    memcpy(x_best, r->x_best, dim * sizeof *x_best);
    res->fun = r->e_best;
    res->nfev = r->nfev;
    res->njev = r->lbfgsb.njev;
    res->nit = nit;
    res->reanneals = r->reanneals;
    res->ls_calls = r->ls_calls;
    res->success = stop == PE_DA_STOP_MAXITER;
    res->stop = stop;
    res->message = status == PE_ERR_NONFINITE ? msg_nonfinite : stop_message(stop);
done:
    if (status == PE_ERR_NOMEM)
        res->message = "out of memory";
    pe_lbfgsb_work_free(&r->lbfgsb);
    free(r->block);
    return status;
}
