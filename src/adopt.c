/* adopt: see adopt.h. */
#include "adopt.h"

#include <stdlib.h>

typedef struct tri_use {
    double use;
    int slot;
} tri_use;

/* The most useful first (the most negative loss change); ties by slot. */
static int by_use(const void *a, const void *b)
{
    const tri_use *p = a, *q = b;
    if (p->use != q->use)
        return p->use < q->use ? -1 : 1;
    return (p->slot > q->slot) - (p->slot < q->slot);
}

static int by_slot(const void *a, const void *b)
{
    const tri_use *p = a, *q = b;
    return (p->slot > q->slot) - (p->slot < q->slot);
}

/* Keep the `keep` of tris[0..n) that remove the most loss where they are, in their order (a
 * start with more triangles than the run asks for). Returns how many are left, n when out of
 * memory (then nothing is dropped). */
static int keep_most_useful(const pe_brief *b, pe_worker *wk, pe_tri *tris, int n, int keep)
{
    pe_stack st = { .w = b->w, .h = b->h };
    tri_use *u = malloc((size_t)n * sizeof *u);
    if (!u || !pe_stack_reserve(&st, n)) {
        free(u);
        pe_stack_free(&st);
        return n;
    }
    for (int k = 0; k < n; k++)
        pe_stack_push(&st, &tris[k], 0.0);
    for (int k = 0; k < n; k++) {
        pe_tri t = tris[k];
        u[k] = (tri_use){ pe_op_delta_now(b, &st, k, -1, &t, false, wk), k };
    }
    qsort(u, (size_t)n, sizeof *u, by_use);
    qsort(u, (size_t)keep, sizeof *u, by_slot);
    for (int j = 0; j < keep; j++)
        tris[j] = st.tris[u[j].slot];
    free(u);
    pe_stack_free(&st);
    return keep;
}

pe_status pe_adopt(const pe_brief *b, const pe_style *style, const pe_result *prev,
                   pe_worker *wk, pe_sched *s)
{
    if (prev->width < 1 || prev->height < 1)
        return PE_ERR_INVALID_ARG;
    const double sx = (double)b->w / prev->width, sy = (double)b->h / prev->height;
    pe_tri *tris = malloc((prev->count ? prev->count : 1) * sizeof *tris);
    if (!tris)
        return PE_ERR_NOMEM;
    for (size_t i = 0; i < prev->count; i++) {
        const pe_triangle *t = &prev->triangles[i];
        pe_tri *d = &tris[i];
        *d = (pe_tri){ .rgba = { t->r, t->g, t->b, t->a } };
        for (int v = 0; v < 3; v++) {
            d->x[v] = (double)t->x[v] * sx;
            d->y[v] = (double)t->y[v] * sy;
        }
        pe_tri_fit_canvas(b, d);
        pe_style_snap(style, d->rgba);
    }
    int n = (int)prev->count;
    if (n > b->triangles)
        n = keep_most_useful(b, wk, tris, n, b->triangles);
    const bool ok = n <= b->triangles &&
                    pe_sched_adopt(s, tris, n, n < (int)prev->count ? 0 : prev->rounds_done);
    free(tris);
    return ok ? PE_OK : PE_ERR_NOMEM;
}
