/* evolve_run: a run checked, set up, its result assembled, and freed. */
#include "evolve_run.h"

#include "state.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

pe_options pe_options_default(void)
{
    return (pe_options){ .triangles = 250, .resize = 256, .seed = 1, .background_auto = true,
                         .frames = 100, .frame_spacing = PE_FRAMES_LINEAR };
}

/* A resume is checked as the state writer checks what it saves: rounds_done near INT_MAX
 * would overflow the op count, a huge count the allocation, and so on. */
pe_status pe_run_validate(const pe_image *target, const pe_options *o)
{
    if (!target || !target->rgba || target->width < 1 || target->height < 1 || !o)
        return PE_ERR_INVALID_ARG;
    if (o->triangles < 1 || o->triangles > 1000000 || o->resize < 0 || o->threads < 0 ||
        o->iterations < 0 || o->iterations > 1000000 || o->frames < 0 || o->frames > 100000 ||
        !(o->time_limit >= 0.0 && isfinite(o->time_limit)) ||
        !(o->target_psnr >= 0.0 && isfinite(o->target_psnr)) ||
        (o->frame_spacing != PE_FRAMES_LINEAR && o->frame_spacing != PE_FRAMES_LOG) ||
        (o->resume && pe_state_check(o->resume, true) != PE_OK))
        return PE_ERR_INVALID_ARG;
    return PE_OK;
}

void pe_run_free(run *R)
{
    for (int i = 0; R->workers && i < R->threads; i++)
        pe_worker_free(&R->workers[i]);
    free(R->workers);
    for (int i = 0; R->paint && i < R->threads; i++)
        pe_picture_scratch_free(&R->paint[i]);
    free(R->paint);
    pe_worker_free(&R->commit_wk);
    pe_sched_free(&R->sched);
    pe_report_free(&R->rep);
    pe_target_free(&R->target);
    pe_level_free(&R->coarse);
    pe_style_free(&R->style);
    memset(R, 0, sizeof *R);
}

/* The longest side of the coarse level where the whole-canvas searches look first. */
#define PE_COARSE_SIDE 64


pe_status pe_run_setup(run *R)
{
    const pe_options *o = R->opt;
    const pe_target *t = &R->target;
    R->brief = (pe_brief){ .target = t->rgba, .w = t->w, .h = t->h, .alpha = t->alpha,
                           .seed = o->seed, .triangles = o->triangles,
                           .add_cfg = pe_search_cfg_add(), .regrow_cfg = pe_search_cfg_regrow(),
                           .quick_cfg = pe_search_cfg_quick(),
                           .least_cfg = pe_search_cfg_least(),
                           .refine_cfg = pe_search_cfg_refine() };
    memcpy(R->brief.bg, t->bg, sizeof R->brief.bg);
    pe_status st = pe_target_reduce(t, R->style.weight, PE_COARSE_SIDE, &R->coarse);
    if (st != PE_OK)
        return st;
    R->coarse_style = R->style.fit;
    R->coarse_style.weight = R->coarse.weight;
    R->brief.style = &R->style.fit;
    R->brief.coarse = R->coarse;
    R->brief.coarse_style = &R->coarse_style;
    st = pe_sched_init(&R->sched, &R->brief, t, R->style.weight, o->triangles,
                                 o->steady, 0);
    R->reporting = o->progress || o->target_psnr > 0.0;
    if (st != PE_OK || (R->reporting && (st = pe_report_init(&R->rep, o, t)) != PE_OK))
        return st;
    R->workers = calloc((size_t)R->threads, sizeof *R->workers);
    if (!R->workers)
        return PE_ERR_NOMEM;
    for (int i = 0; i <= R->threads; i++) {
        pe_worker *wk = i < R->threads ? &R->workers[i] : &R->commit_wk;
        if (!pe_worker_init(wk, &R->brief))
            return PE_ERR_NOMEM;
    }
    if (R->threads > 1 || R->trace) { /* one thread: bands only to trace them */
        R->paint = calloc((size_t)R->threads, sizeof *R->paint);
        if (!R->paint)
            return PE_ERR_NOMEM;
        for (int i = 0; i < R->threads; i++)
            if (!pe_picture_scratch_init(&R->paint[i], t->w))
                return PE_ERR_NOMEM;
    }
    return PE_OK;
}

static double psnr_of(double mse)
{
    return mse > 0.0 ? 10.0 * log10(1.0 / mse) : 99.0;
}

pe_result pe_run_fields(const run *R)
{
    pe_result f = { .width = R->src->width, .height = R->src->height,
                    .work_width = R->brief.w, .work_height = R->brief.h,
                    .rounds_done = pe_sched_rounds(&R->sched), .evaluations = R->sched.evals,
                    .iterations = R->sched.iters, .seed = R->opt->seed };
    for (int c = 0; c < 4; c++)
        f.background[c] = (unsigned char)lroundf(R->brief.bg[c] * 255.0f);
    return f;
}

pe_status pe_run_assemble(run *R, pe_result *out)
{
    *out = pe_run_fields(R);
    const pe_stack *st = &R->sched.stack;
    out->triangles = malloc((st->n ? (size_t)st->n : 1) * sizeof *out->triangles);
    if (!out->triangles) {
        pe_result_free(out);
        return PE_ERR_NOMEM;
    }
    pe_tris_export(st->tris, st->n, R->brief.w, R->brief.h, R->src->width, R->src->height,
                   out->triangles);
    out->count = (size_t)st->n;
    const double sse = pe_sched_picture(&R->sched);
    out->loss = sse / ((double)R->brief.w * R->brief.h * (R->brief.alpha ? 4 : 3));
    out->psnr = psnr_of(out->loss);
    return PE_OK;
}
