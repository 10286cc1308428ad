/* search: candidates, dual annealing and a hill climb for one triangle's vertices. */
#include "search.h"

#include "polyevolve.h"

#include <math.h>
#include <string.h>

/* The numbers below were chosen by measurement (docs/benchmarks.md, "Search settings").
 * Candidates are cheap (one evaluation costs O(rows)), so a new triangle tries many, ranked by
 * the pixel-centre screen, several times cheaper than the loss model; the loss model then picks
 * among the best 16, which ranks them as well as the model ranking all of them. q_v = 2 instead
 * of SciPy's 2.62 makes the step width scale like T rather than T^2.6, so the annealing spends
 * its iterations across useful step sizes (tens of pixels down to a fraction of one) instead of
 * jumping from box-wide steps to negligible ones in three iterations. A new triangle's annealing
 * runs 12 iterations with 64 climb moves: effort spent placing a triangle well pays more than
 * the same effort spent in later refinement rounds (but six rounds of refinement climb more
 * than the add's last 32 moves would). */
pe_search_cfg pe_search_cfg_add(void)
{
    return (pe_search_cfg){ .candidates = 500, .finalists = 16, .maxiter = 12, .initial_temp = 3.0,
                            .visit = 2.0, .ls_moves = 64 };
}

/* A regrow's new triangle: with a regrow every round, about half of an add's search places it
 * as well for the picture (docs/benchmarks.md). */
pe_search_cfg pe_search_cfg_regrow(void)
{
    return (pe_search_cfg){ .candidates = 250, .finalists = 16, .maxiter = 6, .initial_temp = 3.0,
                            .visit = 2.0, .ls_moves = 48 };
}

/* A refinement starts from a placed triangle, so a short annealing from it and a few random
 * candidates: CPU spent on more iterations or candidates per refinement buys less than more
 * rounds do (docs/benchmarks.md). */
pe_search_cfg pe_search_cfg_refine(void)
{
    return (pe_search_cfg){ .candidates = 4, .maxiter = 10, .initial_temp = 3.0, .visit = 2.0,
                            .ls_moves = 32 };
}

/* About a tenth of the add search's evaluations: with --time under load, all triangles placed
 * (and then refined while time is left) is better than a few placed well. */
pe_search_cfg pe_search_cfg_quick(void)
{
    return (pe_search_cfg){ .candidates = 120, .finalists = 8, .maxiter = 2, .initial_temp = 3.0,
                            .visit = 2.0, .ls_moves = 24 };
}

/* Once a time limit has passed with triangles still to place: a handful of candidates and a
 * short climb, so that every triangle asked for is placed at a small fraction of the cost. */
pe_search_cfg pe_search_cfg_least(void)
{
    return (pe_search_cfg){ .candidates = 40, .finalists = 4, .maxiter = 0, .initial_temp = 3.0,
                            .visit = 2.0, .ls_moves = 8 };
}

typedef struct objective {
    const pe_fit *fit;
    double inv_scale;
    uint64_t evals;
} objective;

/* The search vector (x0, y0, x1, y1, x2, y2) as the fit's vertex arrays. */
static void to_xy(const double v[6], double x[3], double y[3])
{
    for (int k = 0; k < 3; k++) {
        x[k] = v[2 * k];
        y[k] = v[2 * k + 1];
    }
}

static double f_vertices(const double *v, size_t dim, void *ctx)
{
    (void)dim;
    objective *o = ctx;
    double x[3], y[3];
    to_xy(v, x, y);
    pe_fit_colour c;
    pe_fit_eval(o->fit, x, y, &c);
    o->evals++;
    return c.delta * o->inv_scale;
}

typedef struct climb_ctx {
    pe_rng *rng;
    int moves;
} climb_ctx;

static const double pe_pi = 3.14159265358979323846;

/* Hill climb: move one vertex (or the whole triangle) by a normal step whose size adapts to
 * success, keep strict improvements. The image loss is piecewise constant in the vertices at
 * sub-pixel scale, so a gradient method sees zero gradient; this is the local search that
 * works for it. */
static pe_status climb(pe_objective_fn f, void *f_ctx, size_t dim, const double *lower,
                       const double *upper, double *x, double *fx, uint64_t *nfev, void *ls_ctx)
{
    const climb_ctx *c = ls_ctx;
    const int moves = c->moves;
    double step = 2.0; /* working pixels; grows on success, shrinks on failure */
    double trial[6];
    for (int m = 0; m < moves; m++) {
        memcpy(trial, x, dim * sizeof(double));
        const uint32_t which = pe_rng_below(c->rng, 4);
        const double dx = step * pe_rng_normal(c->rng), dy = step * pe_rng_normal(c->rng);
        for (int v = 0; v < 3; v++) {
            if (which != 3 && (int)which != v)
                continue;
            trial[2 * v] += dx;
            trial[2 * v + 1] += dy;
        }
        for (size_t k = 0; k < dim; k++)
            trial[k] = trial[k] < lower[k] ? lower[k] : (trial[k] > upper[k] ? upper[k] : trial[k]);
        const double ft = f(trial, dim, f_ctx);
        (*nfev)++;
        if (ft < *fx) {
            memcpy(x, trial, dim * sizeof(double));
            *fx = ft;
            step = step * 1.5 < 16.0 ? step * 1.5 : 16.0;
        } else {
            step = step * 0.85 > 0.3 ? step * 0.85 : 0.3;
        }
    }
    return PE_OK;
}

static void random_geometry(const pe_fit *fit, pe_rng *rng, double v[6])
{
    const int i = pe_fit_sample(fit, pe_rng_uniform(rng));
    const double cx = fit->ox + i % fit->w + pe_rng_uniform(rng);
    const double cy = fit->oy + i / fit->w + pe_rng_uniform(rng);
    const double big = fit->w > fit->h ? fit->w : fit->h;
    /* log-uniform size: small detail and large washes are equally likely to be tried */
    const double size = exp(log(2.0) + pe_rng_uniform(rng) * (log(big) - log(2.0)));
    const double base = 2.0 * pe_pi * pe_rng_uniform(rng);
    for (int k = 0; k < 3; k++) {
        const double ang = base + k * (2.0 * pe_pi / 3.0) + 0.6 * pe_rng_normal(rng);
        const double r = size * (0.4 + pe_rng_uniform(rng));
        v[2 * k] = cx + r * cos(ang);
        v[2 * k + 1] = cy + r * sin(ang);
    }
}

/* The best candidates by the screen, best first. */
typedef struct shortlist {
    double v[PE_SEARCH_MAX_FINALISTS][6];
    double score[PE_SEARCH_MAX_FINALISTS];
    int n;
} shortlist;

/* Keep v among the nf best candidates of part by the screen's delta, sorted best first (ties
 * keep the earlier one, so the ranking is deterministic). */
static void screen_in(const pe_fit *fit, const double v[6], shortlist *part, int nf)
{
    double x[3], y[3];
    to_xy(v, x, y);
    pe_fit_colour c;
    pe_fit_screen(fit, x, y, &c);
    int at = part->n;
    while (at > 0 && c.delta < part->score[at - 1])
        at--;
    if (at >= nf)
        return;
    const int last = part->n < nf ? part->n : nf - 1; /* the slot the shift ends in */
    for (int i = last; i > at; i--) {
        memcpy(part->v[i], part->v[i - 1], sizeof part->v[i]);
        part->score[i] = part->score[i - 1];
    }
    memcpy(part->v[at], v, sizeof part->v[at]);
    part->score[at] = c.delta;
    if (part->n < nf)
        part->n++;
}

static void clamp_to(double v[6], const double lo[6], const double hi[6])
{
    for (int k = 0; k < 6; k++)
        v[k] = v[k] < lo[k] ? lo[k] : (v[k] > hi[k] ? hi[k] : v[k]);
}

/* One search's state: the objective, the vertex bounds and the best geometry so far. */
typedef struct search {
    objective obj;
    double lo[6], hi[6];
    double best[6], fbest;
} search;

static void set_box(search *S, const double box[4])
{
    for (int k = 0; k < 3; k++) {
        S->lo[2 * k] = box[0];
        S->lo[2 * k + 1] = box[1];
        S->hi[2 * k] = box[2];
        S->hi[2 * k + 1] = box[3];
    }
}

static int finalists_of(const pe_search_cfg *cfg)
{
    return cfg->finalists < PE_SEARCH_MAX_FINALISTS ? cfg->finalists : PE_SEARCH_MAX_FINALISTS;
}


/* The loss model decides among the finalists. */
static void choose(search *S, double fin[][6], int nfin)
{
    double model[PE_SEARCH_MAX_FINALISTS];
    for (int f = 0; f < nfin; f++) {
        model[f] = f_vertices(fin[f], 6, &S->obj);
        if (model[f] < S->fbest) {
            S->fbest = model[f];
            memcpy(S->best, fin[f], sizeof S->best);
        }
    }
}

/* Random candidates, ranked by the screen; the loss model decides among the finalists (or
 * among all, without finalists). */
static void candidates(search *S, const pe_fit *fit, const pe_search_cfg *cfg, pe_rng *rng)
{
    const int nf = finalists_of(cfg);
    if (nf > 0) {
        shortlist part = { .n = 0 };
        for (int c = 0; c < cfg->candidates; c++) {
            double v[6];
            random_geometry(fit, rng, v);
            clamp_to(v, S->lo, S->hi);
            screen_in(fit, v, &part, nf);
        }
        choose(S, part.v, part.n);
        return;
    }
    for (int c = 0; c < cfg->candidates; c++) {
        double v[6];
        random_geometry(fit, rng, v);
        clamp_to(v, S->lo, S->hi);
        const double fv = f_vertices(v, 6, &S->obj);
        if (fv < S->fbest) {
            S->fbest = fv;
            memcpy(S->best, v, sizeof v);
        }
    }
}

/* Dual annealing from the best geometry, the hill climb as its local search (or the climb
 * alone without annealing). Returns the annealing's iterations. */
static uint64_t anneal(search *S, const pe_search_cfg *cfg, pe_rng *rng, uint64_t stream)
{
    climb_ctx cc = { .rng = rng, .moves = cfg->ls_moves };
    if (cfg->maxiter <= 0) {
        uint64_t n = 0;
        if (cfg->ls_moves > 0) {
            double fb = f_vertices(S->best, 6, &S->obj);
            (void)climb(f_vertices, &S->obj, 6, S->lo, S->hi, S->best, &fb, &n, &cc);
        }
        return 0;
    }
    pe_da_options o = pe_da_options_default();
    o.maxiter = cfg->maxiter;
    o.initial_temp = cfg->initial_temp;
    o.visit = cfg->visit;
    const uint64_t seed_hi = pe_rng_u32(rng); /* two statements: C leaves the order of */
    o.seed = (seed_hi << 32) | pe_rng_u32(rng); /* two calls in one expression open */
    o.stream = stream;
    o.x0 = S->best;
    o.local_search = climb;
    o.local_search_ctx = &cc;
    o.no_local_search = cfg->ls_moves <= 0;
    double xb[6];
    pe_da_result r;
    if (pe_dual_annealing(f_vertices, &S->obj, 6, S->lo, S->hi, &o, xb, &r) == PE_OK &&
        r.fun < f_vertices(S->best, 6, &S->obj))
        memcpy(S->best, xb, sizeof xb);
    return (uint64_t)r.nit;
}

double pe_search_focus(const pe_fit *fit, const pe_search_cfg *cfg, const double box[4],
                       pe_rng *rng, uint64_t stream, const pe_tri *cur, double scale, pe_tri *out,
                       pe_search_stats *st)
{
    search S = { .obj = { .fit = fit, .inv_scale = scale > 0.0 ? 1.0 / scale : 1.0 },
                 .fbest = HUGE_VAL };
    set_box(&S, box);
    if (cur) {
        for (int k = 0; k < 3; k++) {
            S.best[2 * k] = cur->x[k];
            S.best[2 * k + 1] = cur->y[k];
        }
        clamp_to(S.best, S.lo, S.hi);
        S.fbest = f_vertices(S.best, 6, &S.obj);
    }
    candidates(&S, fit, cfg, rng);
    if (!(S.fbest < HUGE_VAL)) { /* no candidates and no current triangle */
        random_geometry(fit, rng, S.best);
        clamp_to(S.best, S.lo, S.hi);
    }
    const uint64_t iterations = anneal(&S, cfg, rng, stream);
    /* the answer, drawn with the 8-bit colour it will really have */
    pe_tri t;
    to_xy(S.best, t.x, t.y);
    pe_fit_colour col;
    pe_fit_eval(fit, t.x, t.y, &col);
    pe_fit_quantize(&col, t.rgba);
    double d = pe_fit_delta_with(fit, t.x, t.y, t.rgba);
    S.obj.evals += 2;
    if (cur) {
        const double dcur = pe_fit_delta_with(fit, cur->x, cur->y, cur->rgba);
        if (!(d < dcur)) {
            t = *cur;
            d = dcur;
        }
    }
    *out = t;
    if (st) {
        st->evaluations += S.obj.evals;
        st->iterations += iterations;
    }
    return d;
}
