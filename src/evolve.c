/* evolve: pe_approximate, the orchestration in one sitting.
 *
 * The picture is one stack of triangles over one canvas (stack.h). The run is a fixed sequence
 * of ops (flight.h): first adds, then refinement rounds over every slot, each round ending with
 * a regrow of its least useful tenth. This thread issues ops, each with a copy of what it
 * reads (op.h), other threads run them as tasks (parallel.h), and this thread commits them in
 * the order they were issued; what an op sees never depends on the thread count, so neither
 * does the result. The plan (plan.h) cuts the sequence into steps; when a step's ops have
 * committed, the picture (picture.h, kept up to date where commits change it) is reported and
 * the stop rules are applied, while later ops run on. Nothing here searches or measures: the
 * search lives in search.c, the loss in fit.c. */
#define _POSIX_C_SOURCE 200809L
#include "polyevolve.h"

#include "flight.h"
#include "image.h"
#include "parallel.h"
#include "picture.h"
#include "plan.h"
#include "state.h"
#include "style.h"
#include "target.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The report of a step, handed to the progress callback in the background while the next
 * step runs: its own copies of the picture and the result, and the callback's answer. */
typedef struct report {
    const pe_options *opt;
    pe_progress p;
    pe_image canvas;
    pe_result partial;
    bool ready, stop;
} report;

/* What an op's task needs: the run and the op. */
typedef struct op_job {
    struct run *R;
    pe_op *op;
} op_job;

typedef struct run {
    const pe_options *opt;
    const pe_image *src;
    pe_target target;
    pe_style style;     /* the artist controls every fit honours */
    pe_canvas cv;
    pe_stack stack;
    pe_cursor cur;
    pe_flight flight;
    int threads;
    pe_worker *workers; /* one per thread, for the ops */
    pe_worker commit_wk; /* the committing thread's checks */
    pe_picture pic;
    pe_plan plan;
    double mse;         /* of the latest picture */
    bool started;       /* an op has committed */
    bool changed;       /* the stack changed since the latest report's copies */
    int step;           /* steps done */
    uint64_t goal;      /* ops_done that ends the current step */
    double last_commit, commit_gap; /* wall clock of the latest commit, and since the one before */
    int stop_kind;      /* 1: the plan ended, 2: a cancel or the progress callback asked */
    pe_status status;
    double wall0, cpu0;
    report rep;         /* the latest step's, while its callback runs */
    pe_task rep_task;
    op_job jobs[PE_LAG]; /* the task of the op in flight at that place of the flight */
} run;

static double now_wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double now_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

pe_options pe_options_default(void)
{
    return (pe_options){ .triangles = 250, .resize = 256, .seed = 1, .background_auto = true,
                         .frames = 100, .frame_spacing = PE_FRAMES_LINEAR };
}

/* A resume is checked as the state writer checks what it saves: rounds_done near INT_MAX
 * would overflow the op count, a huge count the allocation, and so on. */
static pe_status validate(const pe_image *target, const pe_options *o)
{
    if (!target || !target->rgba || target->width < 1 || target->height < 1 || !o)
        return PE_ERR_INVALID_ARG;
    if (o->triangles < 1 || o->triangles > 1000000 || o->resize < 0 || o->threads < 0 ||
        o->iterations < 0 || o->frames < 0 || o->frames > 100000 ||
        !(o->time_limit >= 0.0 && isfinite(o->time_limit)) ||
        !(o->target_psnr >= 0.0 && isfinite(o->target_psnr)) ||
        (o->frame_spacing != PE_FRAMES_LINEAR && o->frame_spacing != PE_FRAMES_LOG) ||
        (o->resume && pe_state_check(o->resume, true) != PE_OK))
        return PE_ERR_INVALID_ARG;
    return PE_OK;
}

static void free_run(run *R)
{
    for (int i = 0; R->workers && i < R->threads; i++)
        pe_worker_free(&R->workers[i]);
    free(R->workers);
    pe_worker_free(&R->commit_wk);
    pe_flight_free(&R->flight, &R->cur);
    pe_picture_free(&R->pic);
    pe_image_free(&R->rep.canvas);
    pe_result_free(&R->rep.partial);
    pe_stack_free(&R->stack);
    pe_target_free(&R->target);
    pe_style_free(&R->style);
    memset(R, 0, sizeof *R);
}

static pe_status setup(run *R)
{
    const pe_options *o = R->opt;
    const pe_target *t = &R->target;
    R->cv = (pe_canvas){ .target = t->rgba, .w = t->w, .h = t->h, .alpha = t->alpha,
                         .seed = o->seed, .triangles = o->triangles,
                         .add_cfg = pe_search_cfg_add(), .refine_cfg = pe_search_cfg_refine() };
    memcpy(R->cv.bg, t->bg, sizeof R->cv.bg);
    R->cur.budget = o->triangles;
    R->cur.steady = o->steady;
    R->stack.w = t->w;
    R->stack.h = t->h;
    pe_status st = pe_picture_init(&R->pic, t);
    if (st != PE_OK || (o->progress && (st = pe_image_alloc(t->w, t->h, &R->rep.canvas)) != PE_OK))
        return st;
    R->workers = calloc((size_t)R->threads, sizeof *R->workers);
    if (!R->workers || !pe_stack_reserve(&R->stack, o->triangles))
        return PE_ERR_NOMEM;
    for (int i = 0; i <= R->threads; i++) {
        pe_worker *wk = i < R->threads ? &R->workers[i] : &R->commit_wk;
        if (!pe_worker_init(wk, &R->cv))
            return PE_ERR_NOMEM;
        pe_fit_set_style(&wk->fit, &R->style.fit);
    }
    R->pic.weight = R->style.weight; /* new triangles' windows go where the weighted error is */
    return PE_OK;
}

/* Continue from a previous result, of this image or another (its triangles are scaled to this
 * canvas). When this run asks for more triangles than it holds, the rest are added first and
 * the rounds start again; otherwise the rounds go on from where it stopped. */
static pe_status adopt(run *R, const pe_result *prev)
{
    if (prev->width < 1 || prev->height < 1)
        return PE_ERR_INVALID_ARG;
    const double sx = (double)R->cv.w / prev->width, sy = (double)R->cv.h / prev->height;
    if (!pe_stack_reserve(&R->stack, (int)prev->count))
        return PE_ERR_NOMEM;
    for (size_t i = 0; i < prev->count; i++) {
        const pe_triangle *s = &prev->triangles[i];
        pe_tri d = { .rgba = { s->r, s->g, s->b, s->a } };
        for (int v = 0; v < 3; v++) {
            d.x[v] = (double)s->x[v] * sx;
            d.y[v] = (double)s->y[v] * sy;
        }
        pe_tri_fit_canvas(&R->cv, &d);
        pe_style_snap(&R->style, d.rgba); /* a resumed run may change palette or alpha */
        pe_stack_push(&R->stack, &d, -HUGE_VAL); /* not searched yet: never the least useful */
    }
    const int held = (int)prev->count;
    const bool adding = held < R->opt->triangles;
    R->cur.budget = adding ? R->opt->triangles : held;
    R->cur.ops_done = (uint64_t)held * (adding ? 1u : (uint64_t)(1 + prev->rounds_done));
    R->cur.issued = R->cur.ops_done;
    /* streams of their own: not those of a fresh run's first ops */
    R->cur.serial = ((uint64_t)(prev->rounds_done + 1) << 40) + (uint64_t)held;
    return PE_OK;
}

/* --time with triangles still to place: when the adds at their pace would not all fit before
 * the limit, the rest get a cheaper search (a user who asks for N triangles within a time gets
 * N). The only choice that depends on the clock, as a time limit must. */
static void pace_adds(run *R)
{
    const double limit = R->opt->time_limit;
    const int placed = R->stack.n, left = R->cur.budget - placed;
    if (!(limit > 0.0) || left <= 0 || placed < 2)
        return;
    const double elapsed = now_wall() - R->wall0;
    if (elapsed + elapsed / placed * left > 0.8 * limit)
        R->cv.add_cfg = pe_search_cfg_quick();
}

static void run_op(void *ctx, int thread)
{
    op_job *j = ctx;
    j->op->failed = !pe_op_run(&j->R->cv, j->op, &j->R->workers[thread]);
}

static bool cancelled(const run *R)
{
    return R->opt->cancel && *R->opt->cancel;
}

/* A time limit is looked at before every op is issued, so that a step of many ops (a large
 * --iterations, -n) cannot run past it: no op is issued when the ops in flight, committing at
 * the latest pace, would end past the limit. */
static bool past_limit(const run *R)
{
    const double limit = R->opt->time_limit;
    const double open = pe_flight_open(&R->flight) + 1;
    return limit > 0.0 && now_wall() - R->wall0 + open * R->commit_gap > limit;
}

/* The oldest op in flight: wait for it and commit it. */
static pe_status commit_oldest(run *R)
{
    pe_flight *f = &R->flight;
    pe_parallel_await(&f->task[f->committed % PE_LAG]);
    if (!pe_flight_commit(f, &R->cur, &R->cv, &R->stack, &R->pic, &R->commit_wk))
        return PE_ERR_NOMEM;
    const double now = now_wall();
    R->commit_gap = now - R->last_commit;
    R->last_commit = now;
    R->started = R->changed = true;
    return PE_OK;
}

static pe_status publish(run *R);

/* Publish the steps that the commits so far have ended. This is done just before the next
 * commit, not at once: the stack does not change meanwhile, and the ops issued in between keep
 * the other threads busy while this one draws the picture (mona -n 50 at the default frames,
 * -j 2: publishing right after the commit left the second thread idle while whole-canvas adds
 * waited for it). */
static pe_status publish_due(run *R)
{
    while (R->status == PE_OK && R->stop_kind == 0 && R->cur.ops_done >= R->goal &&
           R->goal < R->cur.total)
        R->status = publish(R);
    return R->status;
}

/* Wait for every op in flight; commit them when keep, until a step's rule or report asks to
 * stop (else the stack stays as it is). */
static pe_status land(run *R, bool keep)
{
    pe_status st = PE_OK;
    while (pe_flight_open(&R->flight) > 0 && st == PE_OK) {
        if (keep && (st = publish_due(R)) == PE_OK && R->stop_kind == 0) {
            st = commit_oldest(R);
        } else if (st == PE_OK) {
            pe_parallel_await(&R->flight.task[R->flight.committed % PE_LAG]);
            R->flight.committed++;
        }
    }
    return st;
}

static double psnr_of(double mse)
{
    return mse > 0.0 ? 10.0 * log10(1.0 / mse) : 99.0;
}

/* The stack as it stands, in input pixels. */
static pe_status assemble(const run *R, pe_result *out)
{
    memset(out, 0, sizeof *out);
    const pe_image *src = R->src;
    out->triangles = malloc((R->stack.n ? (size_t)R->stack.n : 1) * sizeof *out->triangles);
    if (!out->triangles)
        return PE_ERR_NOMEM;
    out->width = src->width;
    out->height = src->height;
    out->work_width = R->cv.w;
    out->work_height = R->cv.h;
    for (int c = 0; c < 4; c++)
        out->background[c] = (unsigned char)lroundf(R->cv.bg[c] * 255.0f);
    pe_stack_export(&R->stack, R->cv.w, R->cv.h, src->width, src->height, out->triangles);
    out->count = (size_t)R->stack.n;
    out->rounds_done = pe_cursor_rounds(&R->cur);
    out->loss = R->mse;
    out->psnr = psnr_of(R->mse);
    out->evaluations = R->cur.evals;
    out->iterations = R->cur.iters;
    out->seed = R->opt->seed;
    return PE_OK;
}

static void report_job(void *ctx, int thread)
{
    (void)thread;
    report *r = ctx;
    r->stop = r->opt->progress(&r->p, &r->partial, r->opt->progress_ctx);
}

/* The goal of the step after R->step: the ops that end it. */
static void next_goal(run *R)
{
    const double frac = pe_plan_fraction(&R->plan, R->step + 1);
    R->goal = pe_plan_target(&R->plan, R->cur.budget, R->cur.ops_done, frac);
}

/* The step just ended: hand the picture to the progress callback and apply the stop rules
 * (the plan's now, the callback's from the previous step's report). */
static pe_status publish(run *R)
{
    pe_parallel_await(&R->rep_task); /* the previous report: its answer, its buffers free */
    report *rep = &R->rep;
    if (rep->ready && rep->stop) {
        R->stop_kind = 2;
        return PE_OK;
    }
    const double sse = pe_picture_update(&R->pic, &R->target, &R->stack);
    R->mse = sse / ((double)R->cv.w * R->cv.h * (R->cv.alpha ? 4 : 3));
    pe_progress p = { .step = ++R->step, .loss = R->mse, .psnr = psnr_of(R->mse),
                      .evaluations = R->cur.evals, .iterations = R->cur.iters,
                      .cpu_seconds = now_cpu() - R->cpu0, .wall_seconds = now_wall() - R->wall0,
                      .canvas = &rep->canvas };
    R->plan.placing = R->stack.n < R->cur.budget;
    R->stop_kind = pe_plan_after_step(&R->plan, &p) ? 1 : cancelled(R) ? 2 : 0;
    next_goal(R);
    /* a resumed run's steps that were already done are not reported again */
    if (!R->opt->progress || (!R->started && R->stop_kind == 0))
        return PE_OK;
    if (R->changed || !rep->ready) {
        pe_result_free(&rep->partial);
        const pe_status st = assemble(R, &rep->partial);
        if (st != PE_OK)
            return st;
        memcpy(rep->canvas.rgba, R->pic.canvas.rgba, (size_t)R->cv.w * (size_t)R->cv.h * 4);
        R->changed = false;
    }
    rep->p = p;
    rep->ready = true;
    rep->stop = false;
    pe_parallel_start(&R->rep_task, report_job, rep);
    return PE_OK;
}

/* Issue the next op, or commit the oldest (once the steps ended before it are published);
 * false at the end of the sequence. */
static bool advance(run *R)
{
    pace_adds(R);
    pe_op *op = NULL;
    switch (pe_flight_next(&R->flight, &R->cur, &R->cv, &R->stack, &R->pic, &R->target, &op)) {
    case PE_NEXT_OP: {
        const int at = (int)((R->flight.issued - 1) % PE_LAG);
        R->jobs[at] = (op_job){ R, op };
        pe_parallel_start(&R->flight.task[at], run_op, &R->jobs[at]);
        return true;
    }
    case PE_NEXT_COMMIT:
        if (publish_due(R) == PE_OK && R->stop_kind == 0)
            R->status = commit_oldest(R);
        return true;
    case PE_NEXT_END:
        return false;
    case PE_NEXT_NOMEM:
        break;
    }
    R->status = PE_ERR_NOMEM;
    return false;
}

/* The whole run, on the calling thread of the session. */
static void body(void *ctx)
{
    run *R = ctx;
    R->last_commit = now_wall();
    next_goal(R);
    (void)publish_due(R); /* a resumed run's steps already done */
    bool ended = false;
    while (R->status == PE_OK && R->stop_kind == 0 && !cancelled(R) && !past_limit(R))
        if (!advance(R)) {
            ended = true;
            break;
        }
    /* the sequence ended or a stop came: what is in flight lands (unless a step's rule or
     * report asked to stop: that step is the result), then the last steps are published */
    if (R->status == PE_OK)
        R->status = land(R, R->stop_kind == 0);
    if (publish_due(R) == PE_OK && R->stop_kind == 0)
        R->status = publish(R);
    while (ended && R->status == PE_OK && R->stop_kind == 0)
        R->status = publish(R);
    if (R->stop_kind == 0)
        R->stop_kind = cancelled(R) ? 2 : 1;
    (void)land(R, false);
    pe_parallel_join();
    if (R->rep.ready && R->rep.stop && R->stop_kind == 0)
        R->stop_kind = 2;
}

pe_status pe_approximate(const pe_image *target, const pe_options *opt, pe_result *out)
{
    if (!out)
        return PE_ERR_INVALID_ARG;
    memset(out, 0, sizeof *out);
    pe_status st = validate(target, opt);
    if (st != PE_OK)
        return st;
    run R = { .opt = opt, .src = target, .wall0 = now_wall(), .cpu0 = now_cpu(),
              .threads = pe_parallel_threads(opt->threads), .rep = { .opt = opt } };
    pe_plan_init(&R.plan, opt);
    pe_target *t = &R.target;
    if ((st = pe_target_prepare(target, opt, t)) != PE_OK ||
        (st = pe_style_prepare(opt, t->rgba, t->w, t->h, t->alpha, t->bg, &R.style)) != PE_OK ||
        (st = setup(&R)) != PE_OK ||
        (opt->resume && (st = adopt(&R, opt->resume)) != PE_OK)) {
        free_run(&R);
        return st;
    }
    R.cur.total = pe_plan_total(&R.plan, R.cur.budget);
    pe_parallel_session(R.threads, body, &R);
    st = R.status;
    pe_status ast;
    if (R.rep.ready && R.rep.stop && R.stop_kind == 2) { /* the step whose report asked */
        *out = R.rep.partial;
        memset(&R.rep.partial, 0, sizeof R.rep.partial);
        ast = PE_OK;
        st = st == PE_OK ? PE_ERR_INTERRUPTED : st;
    } else {
        ast = assemble(&R, out);
        st = st == PE_OK && R.stop_kind == 2 ? PE_ERR_INTERRUPTED : st;
    }
    free_run(&R);
    return ast != PE_OK ? ast : st;
}
