/* report: a step drawn, measured and handed to the progress callback. */
#include "report.h"

#include "trace.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

pe_status pe_report_init(pe_report *r, const pe_options *o, const pe_target *t)
{
    memset(r, 0, sizeof *r);
    r->opt = o;
    r->target = t;
    return pe_picture_init(&r->pic, t);
}

void pe_report_free(pe_report *r)
{
    pe_picture_free(&r->pic);
    free(r->tris);
    pe_result_free(&r->partial);
    memset(r, 0, sizeof *r);
}

bool pe_report_take(pe_report *r, const pe_stack *s, pe_picture *changes, const pe_progress *p,
                    const pe_result *fields)
{
    if (s->n > r->cap) {
        pe_tri *tris = realloc(r->tris, (size_t)s->n * sizeof *tris);
        pe_triangle *out = realloc(r->partial.triangles, (size_t)s->n * sizeof *out);
        if (tris)
            r->tris = tris;
        if (out)
            r->partial.triangles = out;
        if (!tris || !out)
            return false;
        r->cap = s->n;
    }
    if (s->n > 0)
        memcpy(r->tris, s->tris, (size_t)s->n * sizeof *r->tris);
    r->n = s->n;
    pe_picture_pass(changes, &r->pic);
    pe_triangle *keep = r->partial.triangles;
    r->partial = *fields;
    r->partial.triangles = keep;
    r->partial.count = (size_t)s->n;
    r->p = *p;
    r->ready = true;
    r->stop = PE_REPORT_GO_ON;
    return true;
}

void pe_report_run(pe_report *r)
{
    const double c0 = r->traced ? pe_trace_clock() : 0.0;
    const pe_target *t = r->target;
    const pe_stack view = { .tris = r->tris, .n = r->n, .w = t->w, .h = t->h };
    const double sse = pe_picture_update(&r->pic, t, &view);
    const double mse = sse / ((double)t->w * t->h * (t->alpha ? 4 : 3));
    r->p.loss = r->partial.loss = mse;
    r->p.psnr = r->partial.psnr = mse > 0.0 ? 10.0 * log10(1.0 / mse) : 99.0;
    r->p.canvas = &r->pic.canvas;
    const double target = r->opt->target_psnr;
    if (target > 0.0 && r->p.psnr >= target) {
        r->stop = PE_REPORT_REACHED;
        r->p.frame = r->opt->frames > 0; /* the last picture is always a frame */
    }
    if (r->opt->progress || r->stop != PE_REPORT_GO_ON) /* the callback's, or the result */
        pe_tris_export(r->tris, r->n, t->w, t->h, r->partial.width, r->partial.height,
                       r->partial.triangles);
    if (r->opt->progress) {
        if (r->opt->progress(&r->p, &r->partial, r->opt->progress_ctx) &&
            r->stop == PE_REPORT_GO_ON)
            r->stop = PE_REPORT_ASKED;
    }
    r->cost = r->traced ? pe_trace_clock() - c0 : 0.0;
}
