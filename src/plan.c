/* plan: the budget as steps, frame points and stop rules. */
#include "plan.h"

#include <math.h>

void pe_plan_init(pe_plan *p, const pe_options *o)
{
    p->timed = o->time_limit > 0.0 && o->iterations == 0;
    p->rounds = o->iterations > 0 ? o->iterations : PE_DEFAULT_ROUNDS;
    p->frames = o->frames;
    p->spacing = o->frame_spacing;
    /* log spacing puts one step on each frame; linear runs keep at least 100 progress points */
    if (o->frames > 0 && o->frame_spacing == PE_FRAMES_LOG)
        p->steps = o->frames;
    else
        p->steps = o->frames > 100 ? o->frames : 100;
    p->time_limit = o->time_limit;
    p->target_psnr = o->target_psnr;
    p->frames_done = 0;
    p->last_wall = 0.0;
    p->nrecent = 0;
    p->placing = false;
}

/* Log spacing: equal steps of log(1 + 99 f), so the first frame is about 1/100 of the way in
 * when the picture still changes fast, and frames thin out as it settles. */
static double log_fraction(int s, int n)
{
    return (pow(100.0, (double)s / n) - 1.0) / 99.0;
}

double pe_plan_fraction(const pe_plan *p, int s)
{
    if (p->timed)
        return 0.0;
    if (s >= p->steps)
        return 1.0;
    return p->spacing == PE_FRAMES_LOG && p->frames > 0 ? log_fraction(s, p->steps)
                                                         : (double)s / p->steps;
}

uint64_t pe_plan_total(const pe_plan *p, int budget)
{
    return p->timed ? UINT64_MAX : (uint64_t)budget * (uint64_t)(1 + p->rounds);
}

uint64_t pe_plan_target(const pe_plan *p, int budget, uint64_t ops_done, double frac)
{
    if (budget <= 0)
        return ops_done;
    if (p->timed) {
        const int step = budget / PE_PLAN_TIMED_STEP;
        return ops_done + (uint64_t)(step > 1 ? step : 1);
    }
    const double total = (double)budget * (1.0 + p->rounds);
    const uint64_t t = (uint64_t)ceil(total * frac - 1e-9);
    return t > ops_done ? t : ops_done;
}

bool pe_plan_after_step(pe_plan *p, pe_progress *pr)
{
    /* the next step is predicted to take as long as the longest of the latest ones, not the
     * last one: the step after a short one may hold a round's regrow, and a limit is a promise
     * (docs/benchmarks.md, "Search settings") */
    p->recent[p->nrecent++ % PE_PLAN_WINDOW] = pr->wall_seconds - p->last_wall;
    p->last_wall = pr->wall_seconds;
    double longest = 0.0;
    for (int i = 0; i < p->nrecent && i < PE_PLAN_WINDOW; i++)
        longest = p->recent[i] > longest ? p->recent[i] : longest;
    const double next_end = pr->wall_seconds + longest;
    const bool out_of_time =
        p->time_limit > 0.0 && !p->placing && next_end > p->time_limit;
    bool stop = false;
    if (p->timed) {
        pr->steps = 0;
        pr->fraction = pr->wall_seconds / p->time_limit;
        if (out_of_time) {
            pr->fraction = 1.0;
            stop = true;
        }
        pr->frame = p->frames > 0 && pr->fraction * p->frames >= p->frames_done + 1;
    } else {
        pr->steps = p->steps;
        pr->fraction = pe_plan_fraction(p, pr->step);
        stop = pr->step >= p->steps;
        if (p->spacing == PE_FRAMES_LOG)
            pr->frame = p->frames > 0;
        else
            pr->frame = p->frames > 0 && (long long)pr->step * p->frames / p->steps >
                                             (long long)(pr->step - 1) * p->frames / p->steps;
        if (out_of_time)
            stop = true;
    }
    if (stop && p->frames > 0)
        pr->frame = true; /* the last picture is always a frame */
    if (pr->frame)
        p->frames_done++;
    return stop;
}

bool pe_plan_reached(const pe_plan *p, double psnr)
{
    return p->target_psnr > 0.0 && psnr >= p->target_psnr;
}
