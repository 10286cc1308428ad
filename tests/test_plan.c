/* test_plan: steps reach the budget exactly, frames land where asked, and a time limit is kept
 * by not starting a step that would end past it. */
#include "plan.h"
#include "test.h"

static pe_progress after(pe_plan *p, int step, double wall, bool *stop)
{
    pe_progress pr = { .step = step, .wall_seconds = wall, .psnr = 20.0 };
    *stop = pe_plan_after_step(p, &pr);
    return pr;
}

/* A plan from the default options with these changed. */
static pe_plan plan_of(int iterations, double time_limit, int frames)
{
    pe_options o = pe_options_default();
    o.iterations = iterations;
    o.time_limit = time_limit;
    o.frames = frames;
    pe_plan p;
    pe_plan_init(&p, &o);
    return p;
}

static void budget_in_steps(void)
{
    pe_plan p = plan_of(3, 0.0, 10);
    const int budget = 37;
    uint64_t ops = 0;
    int frames = 0, steps = 0;
    bool stop = false;
    double last = 0.0;
    while (!stop) {
        steps++;
        const double f = pe_plan_fraction(&p, steps);
        CHECK(f > last && f <= 1.0);
        last = f;
        const uint64_t t = pe_plan_target(&p, budget, ops, f);
        CHECK(t >= ops);
        ops = t;
        const pe_progress pr = after(&p, steps, 0.01 * steps, &stop);
        frames += pr.frame;
    }
    CHECK(steps == 100);                       /* at least 100 progress points */
    CHECK(ops == (uint64_t)budget * (1 + 3)); /* adds and three rounds, exactly */
    CHECK(frames == 10);
}

static void time_limit_is_kept(void)
{
    pe_plan p = plan_of(0, 9.5, 4);
    CHECK(p.timed);
    CHECK(pe_plan_target(&p, 80, 5, 0.0) == 5 + 80 / PE_PLAN_TIMED_STEP);
    CHECK(pe_plan_target(&p, 3, 5, 0.0) == 6); /* at least one operation */
    /* steps of one second: the ninth ends at 9 s, a tenth would end at 10 s > 9.5 s */
    bool stop = false;
    int step = 0, frames = 0;
    while (!stop && step < 100) {
        step++;
        const pe_progress pr = after(&p, step, step * 1.0, &stop);
        frames += pr.frame;
        CHECK(pr.fraction <= 1.0);
    }
    CHECK(step == 9);
    CHECK(frames == 4); /* the last picture is a frame */
    /* a step that itself ran past the limit stops the run at once */
    p = plan_of(0, 9.5, 4);
    after(&p, 1, 12.0, &stop);
    CHECK(stop);
    /* --iterations with --time: the budget, unless the clock says otherwise */
    p = plan_of(1, 9.5, 4);
    CHECK(!p.timed);
    after(&p, 1, 4.0, &stop);
    CHECK(!stop);
    after(&p, 2, 8.0, &stop); /* a third step would end at 12 s */
    CHECK(stop);
    /* one long step among short ones (a round's regrow) is expected again: after steps of
     * 1, 3, 1, 1 s (ending at 6 s) a step of 3 s would end past 8.5 s */
    p = plan_of(0, 8.5, 0);
    const double ends[] = { 1.0, 4.0, 5.0, 6.0 };
    for (int i = 0; i < 4; i++) {
        after(&p, i + 1, ends[i], &stop);
        CHECK(stop == (i == 3));
    }
}

int main(int argc, char **argv)
{
    TEST_MAIN_BEGIN(argc, argv);
    RUN(budget_in_steps);
    RUN(time_limit_is_kept);
    TEST_MAIN_END();
}
