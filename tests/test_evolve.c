/* test_evolve: the pipeline as a whole. One canvas: triangles go anywhere (no grid bounds
 * them), the thread count changes nothing, and the output is pinned. */
#include "polyevolve.h"
#include "test.h"

#include <stdint.h>

enum { W = 96, H = 64 };

/* A picture with the same kind of content everywhere: soft diagonal waves, so a band along
 * any vertical line is neither easier nor harder than the rest. */
static void waves(pe_image *img)
{
    img->width = W;
    img->height = H;
    img->rgba = malloc(4 * W * H);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            unsigned char *p = img->rgba + 4 * (y * W + x);
            p[0] = (unsigned char)(128 + 100 * sin(0.21 * x + 0.13 * y));
            p[1] = (unsigned char)(128 + 90 * sin(0.17 * y - 0.07 * x + 1.0));
            p[2] = (unsigned char)(128 + 80 * cos(0.11 * (x + y)));
            p[3] = 255;
        }
}

static pe_options opts(int threads)
{
    pe_options o = pe_options_default();
    o.triangles = 60;
    o.resize = 0;
    o.threads = threads;
    o.iterations = 2;
    o.frames = 0;
    return o;
}

/* Triangles that reach well across the vertical line x = bx (4 px on each side): a border
 * of the old core's grid that no triangle could cross. */
static int spanning(const pe_result *res, double bx)
{
    int n = 0;
    for (size_t i = 0; i < res->count; i++) {
        const pe_triangle *t = &res->triangles[i];
        double lo = (double)t->x[0], hi = lo;
        for (int v = 1; v < 3; v++) {
            lo = fmin(lo, (double)t->x[v]);
            hi = fmax(hi, (double)t->x[v]);
        }
        n += lo < bx - 4.0 && hi > bx + 4.0;
    }
    return n;
}

/* No grid bounds a vertex: triangles span the middle line, where the old core's 2x1 grid had
 * its border (it kept each cell's vertices within 3 % of it: none spanned it). */
static void triangles_cross_any_old_border(void)
{
    pe_image img;
    waves(&img);
    pe_options o = opts(2);
    pe_result res;
    CHECK(pe_approximate(&img, &o, &res) == PE_OK);
    const int n = spanning(&res, W / 2.0);
    if (getenv("PE_TEST_VERBOSE") || n < 5)
        fprintf(stderr, "%d of %zu triangles span x = %d\n", n, res.count, W / 2);
    CHECK(n >= 5);
    pe_result_free(&res);
    pe_image_free(&img);
}

static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211u;
    return h;
}

/* FNV-1a over what the writers draw: each triangle's vertices and colour, and the background.
 * Field by field, not the struct's bytes: its layout (padding, fields the writers ignore) is
 * not the picture. */
static uint64_t result_hash(const pe_result *r)
{
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < r->count; i++) {
        const pe_triangle *t = &r->triangles[i];
        const unsigned char rgba[4] = { t->r, t->g, t->b, t->a };
        h = fnv1a(h, t->x, sizeof t->x);
        h = fnv1a(h, t->y, sizeof t->y);
        h = fnv1a(h, rgba, sizeof rgba);
    }
    return fnv1a(h, r->background, sizeof r->background);
}

/* The golden: any change of the picture a run makes must be deliberate, noted in its commit
 * with the new hash (PE_TEST_VERBOSE=1 prints it). */
#define GOLDEN_HASH 0x5407044d548b2aa8u
static void pinned_golden(void)
{
    pe_image img;
    waves(&img);
    pe_options o = opts(2);
    o.seed = 7;
    pe_result res;
    CHECK(pe_approximate(&img, &o, &res) == PE_OK);
    const uint64_t h = result_hash(&res);
    if (getenv("PE_TEST_VERBOSE") || h != GOLDEN_HASH)
        fprintf(stderr, "golden: 0x%016llxu (pinned 0x%016llxu), psnr %.4f\n",
                (unsigned long long)h, (unsigned long long)GOLDEN_HASH, res.psnr);
    CHECK(h == GOLDEN_HASH);
    pe_result_free(&res);
    pe_image_free(&img);
}

static void same_result_for_any_thread_count(void)
{
    pe_image img;
    waves(&img);
    pe_result a;
    pe_options o1 = opts(1);
    o1.triangles = 40; /* whole-canvas adds, windows and rounds: all of a run's kinds of op */
    CHECK(pe_approximate(&img, &o1, &a) == PE_OK);
    static const int threads[] = { 2, 3, 4, 8 };
    for (int i = 0; i < 4; i++) {
        pe_result b;
        pe_options o = opts(threads[i]);
        o.triangles = o1.triangles;
        CHECK(pe_approximate(&img, &o, &b) == PE_OK);
        CHECK(a.count == b.count && a.loss == b.loss && a.evaluations == b.evaluations);
        CHECK(a.count == b.count &&
              memcmp(a.triangles, b.triangles, a.count * sizeof *a.triangles) == 0);
        pe_result_free(&b);
    }
    pe_result_free(&a);
    pe_image_free(&img);
}

/* Left half flat black on a white background: far from it, but two triangles fix it. Right
 * half fine waves around near-white: little error against the background, and every triangle
 * helps. The adds go where they still remove loss (centroids in the right half). */
static void adds_go_where_they_fix_the_most(void)
{
    pe_image img;
    waves(&img);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            unsigned char *p = img.rgba + 4 * (y * W + x);
            for (int c = 0; c < 3; c++)
                p[c] = x < W / 2 ? 0 : (unsigned char)(200 + p[c] / 5);
        }
    pe_options o = opts(2);
    o.triangles = 40;
    o.background_auto = false;
    o.background[0] = o.background[1] = o.background[2] = 255;
    pe_result res;
    CHECK(pe_approximate(&img, &o, &res) == PE_OK);
    int right = 0;
    for (size_t i = 0; i < res.count; i++) {
        const pe_triangle *t = &res.triangles[i];
        right += (double)(t->x[0] + t->x[1] + t->x[2]) > 1.5 * W;
    }
    if (getenv("PE_TEST_VERBOSE") || !(right >= 30))
        fprintf(stderr, "adds: %d of %zu triangles in the detailed half\n", right, res.count);
    CHECK(res.count == 40 && right >= 30);
    pe_result_free(&res);
    pe_image_free(&img);
}

/* Triangles go where the picture differs from the (white) background: its bottom-right
 * quarter. None is spent on the blank rest, with few triangles or many, but to paint over
 * another's spill there. */
static void check_only_where_the_picture_is(int triangles, int iterations)
{
    pe_image img;
    waves(&img);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            if (x < W / 2 || y < H / 2)
                memset(img.rgba + 4 * (y * W + x), 255, 3);
    pe_options o = opts(2);
    o.triangles = triangles;
    o.iterations = iterations;
    o.background_auto = false;
    o.background[0] = o.background[1] = o.background[2] = 255;
    pe_result res;
    CHECK(pe_approximate(&img, &o, &res) == PE_OK);
    CHECK(res.count == (size_t)triangles);
    int astray = 0;
    for (size_t i = 0; i < res.count; i++) {
        const pe_triangle *t = &res.triangles[i];
        double mx = (double)t->x[0], my = (double)t->y[0];
        for (int v = 1; v < 3; v++) {
            mx = fmax(mx, (double)t->x[v]);
            my = fmax(my, (double)t->y[v]);
        }
        /* one that misses the quarter may only repair another's spill, in the background's
         * white (no grid keeps a large shape from spilling) */
        const bool repair = t->r == 255 && t->g == 255 && t->b == 255;
        astray += !(mx > W / 2.0 + 1.0 && my > H / 2.0 + 1.0) && !repair;
    }
    if (getenv("PE_TEST_VERBOSE") || astray)
        fprintf(stderr, "%d triangles, %d rounds: %d only on the blank part\n", triangles,
                iterations, astray);
    CHECK(astray == 0);
    pe_result_free(&res);
    pe_image_free(&img);
}

static void few_triangles_go_where_the_picture_is(void)
{
    check_only_where_the_picture_is(4, 2);
    check_only_where_the_picture_is(20, 30);
}

/* With log-spaced frames and very few of them there are very few steps; the step that gives
 * out the last adds must still do the rounds. */
static void few_steps_still_refine(void)
{
    pe_image img;
    waves(&img);
    pe_options o = opts(2);
    o.frames = 2;
    o.frame_spacing = PE_FRAMES_LOG;
    pe_result res;
    CHECK(pe_approximate(&img, &o, &res) == PE_OK);
    CHECK(res.count == (size_t)o.triangles);
    if (getenv("PE_TEST_VERBOSE") || res.rounds_done != o.iterations)
        fprintf(stderr, "2 log frames: %d of %d rounds\n", res.rounds_done, o.iterations);
    CHECK(res.rounds_done == o.iterations);
    pe_result_free(&res);
    pe_image_free(&img);
}


typedef struct loss_log {
    double loss[512];
    int steps;
} loss_log;

static bool log_loss(const pe_progress *p, const pe_result *partial, void *ctx)
{
    (void)partial;
    loss_log *l = ctx;
    if (l->steps < 512)
        l->loss[l->steps++] = p->loss;
    return false;
}

/* Every move (an add, a refinement, a regrow to the top of the stack) keeps only what lowers
 * the loss, checked against the picture as it is when the move is committed, so the loss never
 * rises from one step to the next. */
static void loss_never_rises(void)
{
    pe_image img;
    waves(&img);
    pe_options o = opts(2);
    o.triangles = 30;
    o.iterations = 6;
    loss_log log = { .steps = 0 };
    o.progress = log_loss;
    o.progress_ctx = &log;
    pe_result res;
    CHECK(pe_approximate(&img, &o, &res) == PE_OK);
    CHECK(log.steps == 100);
    for (int i = 1; i < log.steps; i++) {
        if (!(log.loss[i] <= log.loss[i - 1] * (1.0 + 1e-12)))
            fprintf(stderr, "loss rose at step %d: %.9g -> %.9g\n", i + 1, log.loss[i - 1],
                    log.loss[i]);
        CHECK(log.loss[i] <= log.loss[i - 1] * (1.0 + 1e-12));
    }
    pe_result_free(&res);
    pe_image_free(&img);
}

static bool stop_at_step_10(const pe_progress *p, const pe_result *partial, void *ctx)
{
    (void)partial;
    (void)ctx;
    return p->step >= 10;
}

/* A run on the waves, stopped at step 10 of 100 (the adds take the first third). */
static void stopped_during_the_adds(pe_image *img, pe_options *o, pe_result *part)
{
    waves(img);
    *o = opts(2);
    o->progress = stop_at_step_10;
    CHECK(pe_approximate(img, o, part) == PE_ERR_INTERRUPTED);
    o->progress = NULL;
}

/* A run stopped while it still adds triangles and resumed ends with every triangle asked for,
 * not only those it had. */
static void resume_during_the_adds_adds_the_rest(void)
{
    pe_image img;
    pe_options o;
    pe_result part, full;
    stopped_during_the_adds(&img, &o, &part);
    CHECK(part.count > 0 && part.count < (size_t)o.triangles);
    CHECK(part.rounds_done == 0);
    o.resume = &part;
    CHECK(pe_approximate(&img, &o, &full) == PE_OK);
    CHECK(full.count == (size_t)o.triangles);
    CHECK(full.rounds_done == 2);
    pe_result_free(&part);
    pe_result_free(&full);
    pe_image_free(&img);
}

/* A run may start from another image's result (a video's previous frame, --init): its
 * triangles are scaled to this image and refined. */
static void start_from_another_size(void)
{
    pe_image img;
    pe_options o;
    pe_result part, small;
    stopped_during_the_adds(&img, &o, &part);
    pe_image half = { .width = W / 2, .height = H / 2 };
    half.rgba = malloc(4 * (size_t)half.width * half.height);
    for (int y = 0; y < half.height; y++)
        for (int x = 0; x < half.width; x++)
            memcpy(half.rgba + 4 * (y * half.width + x), img.rgba + 4 * (2 * y * W + 2 * x), 4);
    o.resume = &part;
    CHECK(pe_approximate(&half, &o, &small) == PE_OK);
    CHECK(small.width == W / 2 && small.count == (size_t)o.triangles);
    for (size_t i = 0; i < small.count; i++) /* scaled, not clipped at the old size */
        for (int v = 0; v < 3; v++)
            CHECK((double)small.triangles[i].x[v] <= W / 2 + W / 8 + 0.01);
    pe_result_free(&part);
    pe_result_free(&small);
    pe_image_free(&half);
    pe_image_free(&img);
}

/* A start with more triangles than the run asks for keeps that many, the ones that remove the
 * most loss: better than keeping the first ones or the last ones as they are. */
static void a_larger_start_keeps_the_most_useful(void)
{
    pe_image img;
    waves(&img);
    pe_options o = opts(2);
    o.triangles = 30;
    pe_result big, fewer;
    CHECK(pe_approximate(&img, &o, &big) == PE_OK && big.count == 30);
    o.triangles = 10;
    o.iterations = 1;
    o.resume = &big;
    CHECK(pe_approximate(&img, &o, &fewer) == PE_OK);
    CHECK(fewer.count == 10);
    /* the same start cut to its first and its last 10 */
    for (int end = 0; end < 2; end++) {
        pe_result cut = big, run;
        cut.count = 10;
        cut.triangles = big.triangles + (end ? 20 : 0);
        o.resume = &cut;
        CHECK(pe_approximate(&img, &o, &run) == PE_OK && run.count == 10);
        CHECK(fewer.loss < run.loss);
        pe_result_free(&run);
    }
    pe_result_free(&big);
    pe_result_free(&fewer);
    pe_image_free(&img);
}

static bool never_called(const pe_progress *p, const pe_result *partial, void *ctx)
{
    (void)p;
    (void)partial;
    *(int *)ctx += 1;
    return false;
}

/* A cancel (a signal handler's flag) stops the run within one batch: with the flag raised from
 * the start, the result holds no more than the first batch's triangles, and it is reported. */
static void cancel_stops_within_a_batch(void)
{
    pe_image img;
    waves(&img);
    pe_options o = opts(2);
    o.triangles = 200;
    static volatile int flag = 1;
    o.cancel = &flag;
    int calls = 0;
    o.progress = never_called;
    o.progress_ctx = &calls;
    pe_result res;
    CHECK(pe_approximate(&img, &o, &res) == PE_ERR_INTERRUPTED);
    CHECK(res.count <= 16 && calls == 1);
    pe_result_free(&res);
    pe_image_free(&img);
}

typedef struct step_watch {
    int calls, out_of_order;
    double loss;
    pe_result at_stop; /* a copy of the partial result the stop was asked at */
} step_watch;

static bool watch_and_stop_at_10(const pe_progress *p, const pe_result *partial, void *ctx)
{
    step_watch *w = ctx;
    w->calls++;
    w->out_of_order += p->step != w->calls;
    if (p->step < 10)
        return false;
    w->loss = p->loss;
    w->at_stop = *partial;
    w->at_stop.triangles = malloc(partial->count * sizeof *partial->triangles);
    if (w->at_stop.triangles)
        memcpy(w->at_stop.triangles, partial->triangles,
               partial->count * sizeof *partial->triangles);
    return true;
}

/* Progress is reported in the background while the next step runs, yet it comes once per step,
 * in order, and a run stopped at a step returns exactly that step's triangles (not the work
 * done after it). */
static void progress_in_order_and_a_stop_returns_its_step(void)
{
    pe_image img;
    waves(&img);
    pe_options o = opts(2);
    step_watch w = { .calls = 0 };
    o.progress = watch_and_stop_at_10;
    o.progress_ctx = &w;
    pe_result res;
    CHECK(pe_approximate(&img, &o, &res) == PE_ERR_INTERRUPTED);
    CHECK(w.calls == 10 && w.out_of_order == 0);
    CHECK(res.loss == w.loss);
    CHECK(res.count == w.at_stop.count && w.at_stop.triangles &&
          memcmp(res.triangles, w.at_stop.triangles, res.count * sizeof *res.triangles) == 0);
    free(w.at_stop.triangles);
    pe_result_free(&res);
    pe_image_free(&img);
}

int main(int argc, char **argv)
{
    TEST_MAIN_BEGIN(argc, argv);
    RUN(triangles_cross_any_old_border);
    RUN(pinned_golden);
    RUN(same_result_for_any_thread_count);
    RUN(adds_go_where_they_fix_the_most);
    RUN(few_triangles_go_where_the_picture_is);
    RUN(loss_never_rises);
    RUN(few_steps_still_refine);
    RUN(start_from_another_size);
    RUN(a_larger_start_keeps_the_most_useful);
    RUN(cancel_stops_within_a_batch);
    RUN(resume_during_the_adds_adds_the_rest);
    RUN(progress_in_order_and_a_stop_returns_its_step);
    TEST_MAIN_END();
}
