/* evolve: pe_approximate. Prepares the working target, splits it into tiles, runs every tile's
 * solver in THE one OpenMP parallel region of the library, step by step, and assembles the
 * result in tile order. Everything here only orchestrates: the search lives in search.c, the
 * loss in fit.c.
 *
 * The picture is one stack of triangles in tile order; a tile owns a run of it. Tiles overlap
 * (pe_tile_reach), so a tile's step s sees its neighbours' triangles as they stood at the end of
 * step s - 2 (PE_SEEN), and its own as they are now. That keeps every tile's work independent
 * of the schedule, hence the output independent of the thread count, and lets a tile run up to
 * a step ahead of the slowest: with as many tiles as threads, a barrier after every step made
 * each step as long as its slowest tile (the default mona run: 1.78x on 2 threads, with the
 * tiles' totals within 1 %). Between the tiles' steps, the calling thread draws the picture of
 * every finished step and reports it, while the other threads go on. */
#define _POSIX_C_SOURCE 200809L
#include "polyevolve.h"

#include "fit.h"
#include "image.h"
#include "plan.h"
#include "rng.h"
#include "search.h"
#include "style.h"
#include "tile.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef _OPENMP
#include <omp.h>
#endif

/* A tile's step s sees the other tiles as they stood at the end of step s - PE_SEEN; their
 * states are kept in a ring of PE_PAST: a tile ends step s (writing slot s) only after every
 * tile has ended step s - 2 and the picture of that step has been drawn, so slot s last held
 * step s - 4, which nobody reads any more. */
#define PE_SEEN 2
#define PE_PAST 4

static int slot_of(int s)
{
    return ((s % PE_PAST) + PE_PAST) % PE_PAST;
}

/* A tile as it stood at the end of one step: what the others see PE_SEEN steps later, what the
 * picture of that step is drawn from, and what a run that stops there returns. */
typedef struct tile_past {
    pe_tri *tris;
    int n, cap, budget;
    uint64_t ops_done, evals, iters;
    double gain;
} tile_past;

/* One tile's persistent state. The fields above `past` belong to the thread running the tile's
 * step (index, rects, prior and expect are fixed after setup); `past` is written by the tile at
 * the end of a step and read by others only once that step is known to have ended; the rest
 * is shared under the run's lock. */
typedef struct tile_work {
    int index;
    pe_tile_rect r;     /* the part of the picture the tile is responsible for */
    pe_tile_rect reach; /* where its triangles may draw (r plus the overlap), inside the image */
    double box[4];      /* where its vertices may go (reach, and beyond the image's edges) */
    int budget;        /* triangles this tile owns (while adding: will own after this step) */
    int expect;        /* triangles it was expected to own at the start: the search's scale */
    double prior;      /* its error against the background alone: 0 = nothing to fix */
    int n;             /* triangles placed so far */
    int cap;           /* entries tris and use hold */
    pe_tri *tris;
    double *use;       /* per slot: its triangle's delta when last searched (< 0: removes loss) */
    double gain;       /* loss removed per add in its latest step with adds; < 0: none yet */
    double gain_sum;   /* this step's adds: loss removed, and how many */
    int gain_adds;
    pe_rng rng;
    uint64_t ops_done; /* adds, then refinements, in a fixed order */
    uint64_t evals, iters;
    tile_past past[PE_PAST]; /* the end of step s in past[slot_of(s)] */
    int grant[PE_PAST];      /* adds granted for step s, in grant[slot_of(s)] */
    int granted;             /* adds granted so far, all steps */
    int steps_done;          /* under the lock */
    bool running;            /* under the lock */
} tile_work;

/* Row bands of the whole-picture render at each step: its scratch is one band's. */
#define PE_PUBLISH_BANDS 8

typedef struct run {
    const pe_options *opt;
    int w, h;            /* working size */
    float *target;       /* premultiplied RGBA floats, w x h */
    float bg[4];         /* premultiplied background */
    pe_style style;      /* the artist controls every fit honours (issue 17) */
    bool alpha;          /* transparent canvas: alpha is fitted too */
    int cols, rows, ntiles;
    tile_work *tiles;
    int nthreads;
    pe_fit *fits;        /* scratch, one per thread, fully rewritten at every focus */
    pe_fit_layers *layers; /* per thread, over a tile's reach, rebuilt at every step */
    size_t layer_px;     /* reach pixels each thread's layers hold */
    int layer_rows;      /* and rows */
    pe_tri *snap;        /* every tile's triangles at the end of the step drawn, in tile order */
    int snap_n;          /* triangles in snap */
    float *full;         /* the whole composite, premultiplied floats */
    int nbands, band_h;  /* the whole-image render is cut into row bands (bounded scratch) */
    pe_cover band_cov;   /* for one band */
    pe_image canvas;     /* the working canvas (frames), converted from full */
    pe_search_cfg add_cfg, refine_cfg;
    pe_tri **seen;       /* per thread: the other tiles' triangles a step sees, below then above */
    double *weight;      /* scratch of grant_adds, ntiles each */
    int *extra;
    /* the schedule, under mu: steps [0, opened) may run, [0, published) have been drawn */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool sync_ready;
    int opened, published;
    double step_frac[PE_PAST]; /* of step s: the plan's fraction, and whether adds remain */
    bool step_placing[PE_PAST];
    atomic_bool stopping;      /* no step opens any more; running ones may give up */
    pe_status status;
    int stop_kind;             /* 1: the plan ended, 2: the progress callback asked */
    double mse;                /* of the last step drawn */
    pe_plan *plan;
    const pe_image *src;
    double wall0, cpu0;
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

static pe_status validate(const pe_image *target, const pe_options *o)
{
    if (!target || !target->rgba || target->width < 1 || target->height < 1)
        return PE_ERR_INVALID_ARG;
    if (o->triangles < 1 || o->triangles > 1000000 || o->resize < 0 || o->tile_cols < 0 ||
        o->tile_rows < 0 || o->threads < 0 || o->iterations < 0 || o->frames < 0 ||
        o->frames > 100000 || !(o->time_limit >= 0.0) || !(o->target_psnr >= 0.0) ||
        (o->frame_spacing != PE_FRAMES_LINEAR && o->frame_spacing != PE_FRAMES_LOG))
        return PE_ERR_INVALID_ARG;
    return PE_OK;
}

/* The working target: premultiplied floats. An opaque run composites transparent pixels over
 * white (what a viewer shows behind them), a transparent run keeps the alpha. */
static pe_status prepare_target(run *R, const pe_image *src)
{
    const pe_options *o = R->opt;
    int w, h;
    pe_image_working_size(src->width, src->height, o->resize, &w, &h);
    pe_image small = { 0 };
    pe_status st = pe_image_resize(src, w, h, &small);
    if (st != PE_OK)
        return st;
    R->w = w;
    R->h = h;
    R->alpha = o->transparent;
    R->target = malloc((size_t)w * (size_t)h * 4 * sizeof(float));
    if (!R->target) {
        pe_image_free(&small);
        return PE_ERR_NOMEM;
    }
    double sum[3] = { 0, 0, 0 };
    const size_t px = (size_t)w * (size_t)h;
    for (size_t i = 0; i < px; i++) {
        const unsigned char *p = small.rgba + 4 * i;
        const float a = p[3] / 255.0f;
        float *t = R->target + 4 * i;
        for (int c = 0; c < 3; c++) {
            const float v = p[c] / 255.0f;
            t[c] = R->alpha ? v * a : v * a + (1.0f - a);
            sum[c] += (double)t[c];
        }
        t[3] = R->alpha ? a : 1.0f;
    }
    pe_image_free(&small);
    if (R->alpha) {
        memset(R->bg, 0, sizeof R->bg);
    } else if (o->background_auto) {
        for (int c = 0; c < 3; c++) /* rounded to 8 bits: what the outputs will draw */
            R->bg[c] = (float)lround(255.0 * sum[c] / (double)px) / 255.0f;
        R->bg[3] = 1.0f;
    } else {
        for (int c = 0; c < 3; c++)
            R->bg[c] = o->background[c] / 255.0f;
        R->bg[3] = 1.0f;
    }
    return PE_OK;
}

static void free_run(run *R)
{
    if (R->tiles)
        for (int t = 0; t < R->ntiles; t++) {
            free(R->tiles[t].tris);
            free(R->tiles[t].use);
            for (int k = 0; k < PE_PAST; k++)
                free(R->tiles[t].past[k].tris);
        }
    free(R->tiles);
    if (R->seen)
        for (int i = 0; i < R->nthreads; i++)
            free(R->seen[i]);
    free(R->seen);
    free(R->weight);
    free(R->extra);
    if (R->sync_ready) {
        pthread_mutex_destroy(&R->mu);
        pthread_cond_destroy(&R->cv);
    }
    if (R->fits)
        for (int i = 0; i < R->nthreads; i++)
            pe_fit_free(&R->fits[i]);
    free(R->fits);
    if (R->layers)
        for (int i = 0; i < R->nthreads; i++) {
            free(R->layers[i].below); /* one block per thread; the other pointers are inside */
            free(R->layers[i].lo);
        }
    free(R->layers);
    free(R->snap);
    free(R->full);
    pe_cover_free(&R->band_cov);
    free(R->target);
    pe_style_free(&R->style);
    pe_image_free(&R->canvas);
    memset(R, 0, sizeof *R);
}

/* Copy every tile's triangles as they stood at the end of step s into the snapshot, in tile
 * order: what the picture of that step is drawn from. */
static void take_snapshot(run *R, int s)
{
    int at = 0;
    for (int t = 0; t < R->ntiles; t++) {
        const tile_past *p = &R->tiles[t].past[slot_of(s)];
        if (p->n > 0) /* a tile without triangles may have no array yet */
            memcpy(R->snap + at, p->tris, (size_t)p->n * sizeof *R->snap);
        at += p->n;
    }
    R->snap_n = at;
}

/* Keep the tile as it stands at the end of step s. False when out of memory. */
static bool remember(tile_work *tw, int s)
{
    tile_past *p = &tw->past[slot_of(s)];
    if (tw->n > p->cap) {
        pe_tri *grown = realloc(p->tris, (size_t)tw->n * sizeof *grown);
        if (!grown)
            return false;
        p->tris = grown;
        p->cap = tw->n;
    }
    if (tw->n > 0)
        memcpy(p->tris, tw->tris, (size_t)tw->n * sizeof *p->tris);
    p->n = tw->n;
    p->budget = tw->budget;
    p->ops_done = tw->ops_done;
    p->evals = tw->evals;
    p->iters = tw->iters;
    p->gain = tw->gain;
    return true;
}

/* Render row band b of the snapshot's stack into the canvas; returns the band's loss. */
static double publish_band(run *R, int b, const pe_cover *cv)
{
    const int y0 = b * R->band_h, y1 = y0 + R->band_h < R->h ? y0 + R->band_h : R->h;
    const size_t first = (size_t)y0 * (size_t)R->w, px = (size_t)(y1 - y0) * (size_t)R->w;
    const double sse = pe_fit_render(R->target, R->w, 0, y0, R->w, y1 - y0, R->bg, R->alpha,
                                     R->snap, R->snap_n, cv, R->full + 4 * first);
    for (size_t i = first; i < first + px; i++) {
        unsigned char *dst = R->canvas.rgba + 4 * i;
        const float *src = R->full + 4 * i;
        const float a = src[3];
        for (int c = 0; c < 3; c++) {
            const float v = a > 0.0f ? src[c] / a : 0.0f;
            dst[c] = (unsigned char)(v <= 0.0f ? 0.0f : (v >= 1.0f ? 255.0f : v * 255.0f + 0.5f));
        }
        dst[3] = (unsigned char)(a <= 0.0f ? 0.0f : (a >= 1.0f ? 255.0f : a * 255.0f + 0.5f));
    }
    return sse;
}

/* Prepare fit for slot k among the tile's first n triangles (k == n: a new one on top). */
static void focus_on(const run *R, const tile_work *tw, pe_fit *fit, const pe_fit_layers *layers,
                     int n, int k)
{
    const pe_tile_rect *q = &tw->reach;
    pe_fit_focus(fit, R->target, R->w, q->x0, q->y0, q->x1 - q->x0, q->y1 - q->y0, R->bg, layers,
                 R->alpha, tw->tris, n, k);
}

/* The annealing's loss unit for the prepared focus: the tile's loss without the slot, shared
 * by the triangles it was expected to hold. */
static double search_scale(const tile_work *tw, const pe_fit *fit)
{
    return fit->e0 / (double)(tw->expect > 0 ? tw->expect : 1) + 1e-12;
}

/* Move count slots (triangles and their use) from src to dst; the ranges may overlap. */
static void slide(tile_work *tw, int dst, int src, int count)
{
    memmove(tw->tris + dst, tw->tris + src, (size_t)count * sizeof *tw->tris);
    memmove(tw->use + dst, tw->use + src, (size_t)count * sizeof *tw->use);
}

/* After every refinement round, the tile's least useful triangles (one in PE_REGROW_SHARE, at
 * least one; by the delta each had when last searched) are taken out one by one, highest slot
 * first, and a new triangle is searched for the top of the stack as when adding. It stays if it
 * removes more loss there than the old one does at its slot, else the old one goes back. A
 * refinement keeps a triangle at its depth; this move changes the order of the stack, which
 * the rounds alone never do. Measured at 20 rounds (-n 250, seed 1): mona +0.12 dB, astronaut
 * +0.25, chelsea +0.15, butterfly +0.59, for 6-14 % more CPU; mona -n 50 after 30 rounds
 * +0.15 / +0.08 / +0.03 dB at seeds 1 / 2 / 3. */
#define PE_REGROW_SHARE 10

typedef struct slot_use {
    double use;
    int slot;
} slot_use;

/* Least useful first (largest delta); ties by slot, so the order is total and deterministic. */
static int by_use(const void *a, const void *b)
{
    const slot_use *p = a, *q = b;
    if (p->use != q->use)
        return p->use > q->use ? -1 : 1;
    return (p->slot > q->slot) - (p->slot < q->slot);
}

/* Highest slot first. */
static int by_slot_down(const void *a, const void *b)
{
    const slot_use *p = a, *q = b;
    return (q->slot > p->slot) - (q->slot < p->slot);
}

static void regrow(run *R, tile_work *tw, pe_fit *fit, const pe_fit_layers *layers)
{
    const int n = tw->n;
    int m = (n + PE_REGROW_SHARE / 2) / PE_REGROW_SHARE;
    m = m < 1 ? 1 : m;
    if (n < 2)
        return;
    slot_use *order = malloc((size_t)n * sizeof *order);
    if (!order)
        return; /* a skipped move, not an error: the run stays deterministic and complete */
    for (int k = 0; k < n; k++)
        order[k] = (slot_use){ tw->use[k], k };
    qsort(order, (size_t)n, sizeof *order, by_use);
    qsort(order, (size_t)m, sizeof *order, by_slot_down);
    for (int j = 0; j < m; j++) {
        const int k = order[j].slot; /* the slots still to do lie below k: they keep their place */
        const pe_tri old = tw->tris[k];
        focus_on(R, tw, fit, layers, n, k);
        const double d_old = pe_fit_delta_with(fit, old.x, old.y, old.rgba);
        slide(tw, k, k + 1, n - 1 - k);
        focus_on(R, tw, fit, layers, n - 1, n - 1);
        pe_search_stats st = { 0 };
        pe_tri best;
        const uint64_t stream = ((uint64_t)tw->index << 40) ^ ((uint64_t)1 << 39) ^
                                (tw->ops_done << 8) ^ (uint64_t)j;
        const double d = pe_search_focus(fit, &R->add_cfg, tw->box, &tw->rng, stream, NULL,
                                         search_scale(tw, fit), &best, &st);
        tw->evals += st.evaluations + 1;
        tw->iters += st.iterations;
        if (d < d_old) {
            tw->tris[n - 1] = best;
            tw->use[n - 1] = d;
        } else {
            slide(tw, k + 1, k, n - 1 - k);
            tw->tris[k] = old;
            tw->use[k] = d_old;
        }
    }
    free(order);
}

/* One operation of a tile's fixed schedule: first its triangles are added one at a time on
 * top, then refinement rounds revisit every slot from the bottom up (each round ending with
 * regrow). */
static void tile_op(run *R, tile_work *tw, pe_fit *fit, const pe_fit_layers *layers)
{
    const uint64_t op = tw->ops_done;
    const bool adding = op < (uint64_t)tw->budget;
    const int k = adding ? tw->n : (int)((op - (uint64_t)tw->budget) % (uint64_t)tw->budget);
    focus_on(R, tw, fit, layers, tw->n, k);
    const double scale = search_scale(tw, fit);
    pe_search_stats st = { 0 };
    pe_tri best;
    const uint64_t stream = ((uint64_t)tw->index << 40) ^ op;
    const double d = pe_search_focus(fit, adding ? &R->add_cfg : &R->refine_cfg, tw->box, &tw->rng,
                                     stream, adding ? NULL : &tw->tris[k], scale, &best, &st);
    tw->tris[k] = best;
    tw->use[k] = d;
    if (adding) {
        tw->n++;
        tw->gain_sum -= d;
        tw->gain_adds++;
    }
    tw->ops_done++;
    tw->evals += st.evaluations;
    tw->iters += st.iterations;
    if (!adding && k == tw->budget - 1)
        regrow(R, tw, fit, layers);
}

/* Room for `need` triangles in the tile's arrays (at least doubling). False when out of memory;
 * what was there stays valid either way. */
static bool reserve(tile_work *tw, int need)
{
    if (need <= tw->cap)
        return true;
    const int cap = tw->cap * 2 > need ? tw->cap * 2 : need;
    pe_tri *tris = realloc(tw->tris, (size_t)cap * sizeof *tris);
    if (tris)
        tw->tris = tris;
    double *use = tris ? realloc(tw->use, (size_t)cap * sizeof *use) : NULL;
    if (use)
        tw->use = use;
    if (!tris || !use)
        return false;
    tw->cap = cap;
    return true;
}

/* Run the tile's operations up to `until` on thread me's scratch, seeing the other tiles as
 * they stood at the end of step s - PE_SEEN. Gives up when the run is stopping: that step's
 * work is never used. */
static void run_ops(run *R, tile_work *tw, int s, int me, uint64_t until)
{
    if (tw->ops_done >= until || tw->budget <= 0)
        return;
    pe_fit *fit = &R->fits[me];
    const int t = tw->index, seen = slot_of(s - PE_SEEN);
    pe_tri *buf = R->seen[me];
    int below = 0, above = 0;
    const pe_tile_rect *q = &tw->reach;
    for (int u = 0; u < R->ntiles; u++) {
        const tile_past *p = &R->tiles[u].past[seen];
        const double *b = R->tiles[u].box; /* where u's vertices can be: beyond it, nothing */
        if (u == t || p->n == 0 || b[2] <= q->x0 || b[0] >= q->x1 || b[3] <= q->y0 ||
            b[1] >= q->y1)
            continue;
        memcpy(buf + below + above, p->tris, (size_t)p->n * sizeof *buf);
        if (u < t)
            below += p->n;
        else
            above += p->n;
    }
    if (below + above == 0) { /* no other tile's triangles reach this one */
        while (tw->ops_done < until && !atomic_load_explicit(&R->stopping, memory_order_relaxed))
            tile_op(R, tw, fit, NULL);
        return;
    }
    const int w = q->x1 - q->x0, h = q->y1 - q->y0;
    const size_t px = (size_t)w * (size_t)h;
    /* the thread's block laid out for this tile's reach */
    const pe_fit_layers *lay = &R->layers[me];
    pe_fit_layers layers = { lay->below, lay->below + 4 * px, lay->below + 5 * px, lay->lo,
                             lay->lo + h };
    pe_fit_layers_build(&layers, q->x0, q->y0, w, h, R->bg, buf, below, buf + below, above,
                        &fit->cov);
    while (tw->ops_done < until && !atomic_load_explicit(&R->stopping, memory_order_relaxed))
        tile_op(R, tw, fit, &layers);
}

/* Tile tw's step s on thread me: take the adds granted for it, run its operations up to the
 * plan's goal for the step (while triangles remain to be given out, only the adds; the step that
 * gives out the last ones also refines as far as the plan says), note the loss its adds removed
 * and keep its state at the end. False when out of memory. */
static bool tile_step(run *R, tile_work *tw, int s, int me)
{
    const int slot = slot_of(s);
    const int budget = tw->budget + tw->grant[slot];
    if (!reserve(tw, budget))
        return false;
    tw->budget = budget;
    const uint64_t goal = pe_plan_target(R->plan, budget, tw->ops_done, R->step_frac[slot]);
    run_ops(R, tw, s, me,
            R->step_placing[slot] || goal < (uint64_t)budget ? (uint64_t)budget : goal);
    if (tw->gain_adds > 0)
        tw->gain = tw->gain_sum / tw->gain_adds;
    tw->gain_sum = 0.0;
    tw->gain_adds = 0;
    return remember(tw, s);
}

/* Step s's adds, decided when it opens, from what every tile had done by the end of step
 * s - PE_SEEN. While triangles remain to be placed, the adds the plan wants done by the end of
 * the step go to the tiles where their latest adds removed the most loss, in proportion: the
 * budget follows what triangles can still fix, measured, not a guess made before any was placed
 * (with 8 tiles on astronaut and camera at -r 512 -n 1000 that was worth 0.9 and 1.2 dB over
 * shares fixed by the error against the background). Until a tile has added, that error is all
 * there is to go by: a tile with some gets one add first (the largest errors first when there are
 * fewer adds than such tiles), and while no tile has a gain yet the rest follows the errors too.
 * A tile equal to the background gets none. Decided from the tiles' own figures, so the same at
 * any thread count. */
static void grant_adds(run *R, int s)
{
    const int total = R->opt->triangles, nt = R->ntiles;
    const int slot = slot_of(s), seen = slot_of(s - PE_SEEN);
    const double frac = pe_plan_fraction(R->plan, s + 1);
    int placed = 0, fresh = 0;
    bool measured = false;
    for (int t = 0; t < nt; t++) {
        const tile_work *tw = &R->tiles[t];
        placed += tw->granted;
        fresh += tw->granted == 0 && tw->prior > 0.0;
        measured = measured || tw->past[seen].gain >= 0.0;
        R->tiles[t].grant[slot] = 0;
    }
    R->step_frac[slot] = frac;
    R->step_placing[slot] = false;
    if (placed >= total)
        return;
    const uint64_t want = pe_plan_target(R->plan, total, (uint64_t)placed, frac);
    const int quota = (int)((want < (uint64_t)total ? want : (uint64_t)total) - (uint64_t)placed);
    R->step_placing[slot] = placed + quota < total;
    fresh = fresh < quota ? fresh : quota;
    double *weight = R->weight;
    int *extra = R->extra;
    for (int t = 0; t < nt; t++) {
        const tile_work *tw = &R->tiles[t];
        const double gain = tw->past[seen].gain;
        weight[t] = measured ? (gain > 0.0 ? gain : 0.0) : tw->prior;
    }
    pe_tile_allocate(quota - fresh, weight, nt, 0, extra);
    for (int k = 0; k < fresh; k++) {
        int pick = -1;
        for (int t = 0; t < nt; t++) {
            const tile_work *tw = &R->tiles[t];
            if (tw->granted == 0 && tw->prior > 0.0 && weight[t] >= 0.0 &&
                (pick < 0 || tw->prior > R->tiles[pick].prior))
                pick = t;
        }
        extra[pick]++;
        weight[pick] = -1.0; /* chosen */
    }
    for (int t = 0; t < nt; t++) {
        R->tiles[t].grant[slot] = extra[t];
        R->tiles[t].granted += extra[t];
    }
}

static pe_status setup_tiles(run *R)
{
    const pe_options *o = R->opt;
    if (o->tile_cols > 0 || o->tile_rows > 0) {
        R->cols = o->tile_cols > 0 ? o->tile_cols : 1;
        R->rows = o->tile_rows > 0 ? o->tile_rows : 1;
        if (R->cols > R->w || R->rows > R->h)
            return PE_ERR_INVALID_ARG;
    } else if (o->resume) { /* the grid of the run it continues, whatever today's default */
        R->cols = o->resume->tile_cols;
        R->rows = o->resume->tile_rows;
        if (R->cols < 1 || R->rows < 1 || R->cols > R->w || R->rows > R->h)
            return PE_ERR_INVALID_ARG;
    } else {
        pe_tile_default_grid(R->target, R->w, R->h, o->triangles, &R->cols, &R->rows);
    }
    R->ntiles = R->cols * R->rows;
    /* never more threads than tiles: an idle OpenMP thread may spin and steal a busy core, and
     * every thread has its own scratch */
    R->nthreads = R->nthreads < R->ntiles ? R->nthreads : R->ntiles;
    pe_tile_rect *rects = malloc((size_t)R->ntiles * sizeof *rects);
    double *weight = malloc((size_t)R->ntiles * sizeof *weight);
    int *budget = malloc((size_t)R->ntiles * sizeof *budget);
    R->tiles = calloc((size_t)R->ntiles, sizeof *R->tiles);
    pe_status st = (rects && weight && budget && R->tiles) ? PE_OK : PE_ERR_NOMEM;
    int max_w = 1, max_h = 1;
    if (st == PE_OK) {
        pe_tile_grid(R->w, R->h, R->cols, R->rows, rects);
        /* harder tiles get more triangles: the share follows each tile's error against the
         * background alone, which is what the triangles have to remove */
        for (int t = 0; t < R->ntiles; t++) {
            const pe_tile_rect *r = &rects[t];
            double e = 0.0;
            for (int y = r->y0; y < r->y1; y++)
                for (int x = r->x0; x < r->x1; x++) {
                    const float *p = R->target + ((size_t)y * R->w + x) * 4;
                    const double wt = R->style.weight ? R->style.weight[(size_t)y * R->w + x] : 1;
                    for (int c = 0; c < (R->alpha ? 4 : 3); c++) {
                        const double d = (double)p[c] - (double)R->bg[c];
                        e += wt * d * d;
                    }
                }
            weight[t] = e;
            R->tiles[t].prior = e;
        }
        pe_tile_allocate(o->triangles, weight, R->ntiles, 1, budget);
        for (int t = 0; t < R->ntiles && st == PE_OK; t++) {
            tile_work *tw = &R->tiles[t];
            tw->index = t;
            tw->r = rects[t];
            tw->expect = budget[t];
            tw->gain = -1.0;
            pe_tile_reach(&rects[t], R->w, R->h,
                          R->ntiles > 1 ? pe_tile_default_overlap(&rects[t]) : 0, tw->box,
                          &tw->reach);
            const int rw = tw->reach.x1 - tw->reach.x0, rh = tw->reach.y1 - tw->reach.y0;
            max_w = rw > max_w ? rw : max_w;
            max_h = rh > max_h ? rh : max_h;
            R->layer_px = (size_t)rw * (size_t)rh > R->layer_px ? (size_t)rw * (size_t)rh
                                                                : R->layer_px;
            R->layer_rows = rh > R->layer_rows ? rh : R->layer_rows;
            pe_rng_seed(&tw->rng, o->seed, (uint64_t)t);
            tw->cap = budget[t] > 0 ? budget[t] : 1;
            tw->tris = calloc((size_t)tw->cap, sizeof *tw->tris);
            tw->use = calloc((size_t)tw->cap, sizeof *tw->use);
            if (!tw->tris || !tw->use)
                st = PE_ERR_NOMEM;
        }
    }
    if (st == PE_OK) {
        R->fits = calloc((size_t)R->nthreads, sizeof *R->fits);
        R->layers = calloc((size_t)R->nthreads, sizeof *R->layers);
        for (int i = 0; R->layers && R->ntiles > 1 && i < R->nthreads; i++) { /* 1 tile: none */
            R->layers[i].below = malloc(R->layer_px * 9 * sizeof(float));
            R->layers[i].lo = malloc((size_t)R->layer_rows * 2 * sizeof(int));
            if (!R->layers[i].below || !R->layers[i].lo)
                st = PE_ERR_NOMEM;
        }
        R->snap = malloc((size_t)(o->triangles > 0 ? o->triangles : 1) * sizeof *R->snap);
        R->full = malloc((size_t)R->w * (size_t)R->h * 4 * sizeof(float));
        R->nbands = PE_PUBLISH_BANDS < R->h ? PE_PUBLISH_BANDS : R->h;
        R->band_h = (R->h + R->nbands - 1) / R->nbands;
        R->nbands = (R->h + R->band_h - 1) / R->band_h;
        if (!R->fits || !R->layers || !R->snap || !R->full ||
            !pe_cover_init(&R->band_cov, R->w, R->band_h))
            st = PE_ERR_NOMEM;
        for (int i = 0; i < R->nthreads && st == PE_OK; i++)
            if (!pe_fit_init(&R->fits[i], max_w, max_h))
                st = PE_ERR_NOMEM;
            else
                pe_fit_set_style(&R->fits[i], &R->style.fit);
    }
    free(rects);
    free(weight);
    free(budget);
    return st;
}

static double psnr_of(double mse)
{
    return mse > 0.0 ? 10.0 * log10(1.0 / mse) : 99.0;
}

/* The tiles as they stood at the end of step s, back in input pixels, in tile order.
 * Coordinates are rounded to 1/100 px here, once, so that every writer (SVG, PDF, PNG, state)
 * draws exactly the same numbers. */
static pe_status assemble(const run *R, int s, const pe_image *src, double mse, pe_result *out)
{
    memset(out, 0, sizeof *out);
    const double sx = (double)src->width / R->w, sy = (double)src->height / R->h;
    const int slot = slot_of(s);
    size_t count = 0;
    uint64_t evals = 0, iters = 0;
    for (int t = 0; t < R->ntiles; t++) {
        count += (size_t)R->tiles[t].past[slot].n;
        evals += R->tiles[t].past[slot].evals;
        iters += R->tiles[t].past[slot].iters;
    }
    out->tiles = malloc((size_t)R->ntiles * sizeof *out->tiles);
    out->triangles = malloc((count ? count : 1) * sizeof *out->triangles);
    if (!out->tiles || !out->triangles) {
        pe_result_free(out);
        return PE_ERR_NOMEM;
    }
    out->width = src->width;
    out->height = src->height;
    out->work_width = R->w;
    out->work_height = R->h;
    out->tile_cols = R->cols;
    out->tile_rows = R->rows;
    for (int c = 0; c < 4; c++)
        out->background[c] = (unsigned char)lroundf(R->bg[c] * 255.0f);
    size_t i = 0;
    for (int t = 0; t < R->ntiles; t++) {
        const tile_past *p = &R->tiles[t].past[slot];
        const pe_tile_rect *q = &R->tiles[t].reach; /* where its triangles may draw */
        out->tiles[t] = (pe_rect){ q->x0 * sx, q->y0 * sy, q->x1 * sx, q->y1 * sy };
        for (int k = 0; k < p->n; k++, i++) {
            pe_triangle *d = &out->triangles[i];
            for (int v = 0; v < 3; v++) {
                d->x[v] = (float)(round(p->tris[k].x[v] * sx * 100.0) / 100.0);
                d->y[v] = (float)(round(p->tris[k].y[v] * sy * 100.0) / 100.0);
            }
            d->r = p->tris[k].rgba[0];
            d->g = p->tris[k].rgba[1];
            d->b = p->tris[k].rgba[2];
            d->a = p->tris[k].rgba[3];
            d->tile = t;
        }
    }
    /* whole refinement rounds every tile has finished: where a resume starts again */
    int rounds = -1;
    for (int t = 0; t < R->ntiles; t++) {
        const tile_past *p = &R->tiles[t].past[slot];
        if (p->budget <= 0)
            continue;
        const uint64_t done = p->ops_done / (uint64_t)p->budget;
        const int r = done > 0 ? (int)(done - 1) : 0;
        rounds = rounds < 0 || r < rounds ? r : rounds;
    }
    out->rounds_done = rounds < 0 ? 0 : rounds;
    out->count = count;
    out->loss = mse;
    out->psnr = psnr_of(mse);
    out->evaluations = evals;
    out->iterations = iters;
    out->seed = R->opt->seed;
    return PE_OK;
}

/* Continue from a previous result: its triangles become each tile's first ones. When this run's
 * options ask for more triangles than it holds, the rest are added first (shared out by gain as
 * in any run) and the rounds start again; otherwise the rounds go on from where it stopped. */
static pe_status adopt(run *R, const pe_result *prev)
{
    if (prev->work_width != R->w || prev->work_height != R->h || prev->tile_cols != R->cols ||
        prev->tile_rows != R->rows)
        return PE_ERR_INVALID_ARG;
    const double sx = (double)R->w / prev->width, sy = (double)R->h / prev->height;
    for (size_t i = 0; i < prev->count; i++) {
        const pe_triangle *s = &prev->triangles[i];
        if (s->tile < 0 || s->tile >= R->ntiles)
            return PE_ERR_INVALID_ARG;
        tile_work *tw = &R->tiles[s->tile];
        if (!reserve(tw, tw->n + 1))
            return PE_ERR_NOMEM;
        tw->use[tw->n] = -HUGE_VAL; /* not searched yet: never the least useful */
        pe_tri *d = &tw->tris[tw->n++];
        for (int v = 0; v < 3; v++) { /* into the tile's box: what it draws is what it sees */
            const double x = (double)s->x[v] * sx, y = (double)s->y[v] * sy;
            d->x[v] = x < tw->box[0] ? tw->box[0] : (x > tw->box[2] ? tw->box[2] : x);
            d->y[v] = y < tw->box[1] ? tw->box[1] : (y > tw->box[3] ? tw->box[3] : y);
        }
        d->rgba[0] = s->r;
        d->rgba[1] = s->g;
        d->rgba[2] = s->b;
        d->rgba[3] = s->a;
        pe_style_snap(&R->style, d->rgba); /* a resumed run may change palette or alpha */
    }
    const bool adding = prev->count < (size_t)R->opt->triangles;
    for (int t = 0; t < R->ntiles; t++) {
        tile_work *tw = &R->tiles[t];
        tw->budget = tw->n;
        tw->ops_done = (uint64_t)tw->n * (adding ? 1u : (uint64_t)(1 + prev->rounds_done));
        pe_rng_seed(&tw->rng, R->opt->seed, (uint64_t)t + ((uint64_t)prev->rounds_done << 32));
    }
    if (prev->count > (size_t)R->opt->triangles) {
        pe_tri *grown = realloc(R->snap, prev->count * sizeof *grown);
        if (!grown)
            return PE_ERR_NOMEM;
        R->snap = grown;
    }
    return PE_OK;
}

/* Draw the picture of step s (every tile has ended it), report it, and apply the plan's stop
 * rules. The calling thread's work: progress is reported from there. 0: go on; 1: the plan
 * ends here; 2: the progress callback asked to stop. */
static int publish(run *R, int s)
{
    take_snapshot(R, s);
    double sse = 0.0;
    for (int b = 0; b < R->nbands; b++) {
        sse += publish_band(R, b, &R->band_cov);
    }
    uint64_t evals = 0, iters = 0;
    for (int t = 0; t < R->ntiles; t++) {
        evals += R->tiles[t].past[slot_of(s)].evals;
        iters += R->tiles[t].past[slot_of(s)].iters;
    }
    const double mse = sse / ((double)R->w * R->h * (R->alpha ? 4 : 3));
    R->mse = mse;
    pe_progress p = { .step = s + 1, .loss = mse, .psnr = psnr_of(mse), .evaluations = evals,
                      .iterations = iters, .cpu_seconds = now_cpu() - R->cpu0,
                      .wall_seconds = now_wall() - R->wall0, .canvas = &R->canvas };
    const bool stop = pe_plan_after_step(R->plan, &p);
    bool cb_stop = false;
    if (R->opt->progress) {
        pe_result partial = { 0 };
        if (assemble(R, s, R->src, mse, &partial) == PE_OK)
            cb_stop = R->opt->progress(&p, &partial, R->opt->progress_ctx);
        pe_result_free(&partial);
    }
    return stop ? 1 : cb_stop ? 2 : 0;
}

static bool step_ended(const run *R, int s)
{
    for (int t = 0; t < R->ntiles; t++)
        if (R->tiles[t].steps_done <= s)
            return false;
    return true;
}

/* One thread's share of the run, until it stops: open the steps whose view is complete, draw
 * every ended step in order (thread 0, the caller's), and run the next open step of the tile
 * furthest behind. Every change is announced on cv. */
static void work(run *R, int me)
{
    pthread_mutex_lock(&R->mu);
    for (;;) {
        while (!atomic_load(&R->stopping) && R->opened <= R->published + 1)
            grant_adds(R, R->opened++); /* step s sees step s - 2, which is drawn */
        if (me == 0 && R->published < R->opened &&
            step_ended(R, R->published) && !atomic_load(&R->stopping)) {
            const int s = R->published;
            pthread_mutex_unlock(&R->mu);
            const int stop = publish(R, s);
            pthread_mutex_lock(&R->mu);
            R->published = s + 1;
            if (stop) {
                R->stop_kind = stop;
                atomic_store(&R->stopping, true);
            }
            pthread_cond_broadcast(&R->cv);
            continue;
        }
        if (atomic_load(&R->stopping))
            break;
        tile_work *pick = NULL;
        for (int t = 0; t < R->ntiles; t++) {
            tile_work *tw = &R->tiles[t];
            if (!tw->running && tw->steps_done < R->opened &&
                (!pick || tw->steps_done < pick->steps_done))
                pick = tw;
        }
        if (!pick) {
            pthread_cond_wait(&R->cv, &R->mu);
            continue;
        }
        const int s = pick->steps_done;
        pick->running = true;
        pthread_mutex_unlock(&R->mu);
        const bool ok = tile_step(R, pick, s, me);
        pthread_mutex_lock(&R->mu);
        pick->running = false;
        pick->steps_done = s + 1;
        if (!ok) {
            R->status = PE_ERR_NOMEM;
            atomic_store(&R->stopping, true);
        }
        pthread_cond_broadcast(&R->cv);
    }
    pthread_mutex_unlock(&R->mu);
}

/* Everything the schedule needs once the tiles hold their first triangles (none, or a resumed
 * run's): the states of steps -2 and -1, the scratch for the other tiles' triangles, the lock. */
static pe_status start_schedule(run *R)
{
    int held = 0;
    for (int t = 0; t < R->ntiles; t++) {
        tile_work *tw = &R->tiles[t];
        tw->granted = tw->budget;
        if (!remember(tw, -2) || !remember(tw, -1))
            return PE_ERR_NOMEM;
        held += tw->n;
    }
    /* a resumed run may hold more than this one asks for */
    const int total = held > R->opt->triangles ? held : R->opt->triangles;
    R->seen = calloc((size_t)R->nthreads, sizeof *R->seen);
    R->weight = malloc((size_t)R->ntiles * sizeof *R->weight);
    R->extra = malloc((size_t)R->ntiles * sizeof *R->extra);
    if (!R->seen || !R->weight || !R->extra)
        return PE_ERR_NOMEM;
    for (int i = 0; i < R->nthreads; i++)
        if (!(R->seen[i] = malloc((size_t)total * sizeof *R->seen[i])))
            return PE_ERR_NOMEM;
    if (pthread_mutex_init(&R->mu, NULL) != 0)
        return PE_ERR_NOMEM;
    if (pthread_cond_init(&R->cv, NULL) != 0) {
        pthread_mutex_destroy(&R->mu);
        return PE_ERR_NOMEM;
    }
    R->sync_ready = true;
    atomic_init(&R->stopping, false);
    return PE_OK;
}

pe_status pe_approximate(const pe_image *target, const pe_options *opt, pe_result *out)
{
    memset(out, 0, sizeof *out);
    pe_status st = validate(target, opt);
    if (st != PE_OK)
        return st;
    run R = { .opt = opt, .add_cfg = pe_search_cfg_add(), .refine_cfg = pe_search_cfg_refine(),
              .src = target, .wall0 = now_wall(), .cpu0 = now_cpu() };
#ifdef _OPENMP
    R.nthreads = opt->threads > 0 ? opt->threads : omp_get_max_threads();
#else
    R.nthreads = 1;
#endif
    pe_plan plan;
    pe_plan_init(&plan, opt);
    R.plan = &plan;
    if ((st = prepare_target(&R, target)) != PE_OK ||
        (st = pe_style_prepare(opt, R.target, R.w, R.h, R.alpha, R.bg, &R.style)) != PE_OK ||
        (st = setup_tiles(&R)) != PE_OK ||
        (st = pe_image_alloc(R.w, R.h, &R.canvas)) != PE_OK ||
        (opt->resume && (st = adopt(&R, opt->resume)) != PE_OK) ||
        (st = start_schedule(&R)) != PE_OK) {
        free_run(&R);
        return st;
    }
    /* The one parallel region, one thread per tile at most (setup_tiles) */
    const int threads = R.nthreads;
    run *const Rp = &R;
#ifdef _OPENMP
#pragma omp parallel num_threads(threads) default(none) shared(Rp)
    work(Rp, omp_get_thread_num());
#else
    work(Rp, 0);
#endif
    (void)threads; /* used only by the pragma */
    /* OpenMP's join already orders every thread's last unlock before this; taking the lock once
     * shows it to ThreadSanitizer too, which cannot see inside libgomp */
    pthread_mutex_lock(&R.mu);
    pthread_mutex_unlock(&R.mu);
    st = R.status != PE_OK ? R.status : R.stop_kind == 2 ? PE_ERR_INTERRUPTED : PE_OK;
    const pe_status ast = assemble(&R, R.published - 1, target, R.mse, out);
    free_run(&R);
    return ast != PE_OK ? ast : st;
}
