/* stack: the triangles of the picture, bottom to top. */
#include "stack.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

bool pe_stack_reserve(pe_stack *s, int need)
{
    if (need <= s->cap)
        return true;
    const int cap = s->cap * 2 > need ? s->cap * 2 : need;
    pe_tri *tris = realloc(s->tris, (size_t)cap * sizeof *tris);
    if (tris)
        s->tris = tris;
    double *use = tris ? realloc(s->use, (size_t)cap * sizeof *use) : NULL;
    if (use)
        s->use = use;
    uint32_t *id = use ? realloc(s->id, (size_t)cap * sizeof *id) : NULL;
    if (id)
        s->id = id;
    pe_box *fp = id ? realloc(s->fp, (size_t)cap * sizeof *fp) : NULL;
    if (fp)
        s->fp = fp;
    if (!tris || !use || !id || !fp)
        return false;
    s->cap = cap;
    return true;
}

void pe_stack_free(pe_stack *s)
{
    free(s->tris);
    free(s->use);
    free(s->id);
    free(s->fp);
    memset(s, 0, sizeof *s);
}

void pe_stack_push(pe_stack *s, const pe_tri *t, double use)
{
    s->tris[s->n] = *t;
    s->use[s->n] = use;
    s->id[s->n] = s->next_id++;
    s->fp[s->n] = pe_tri_footprint(t, s->w, s->h);
    s->n++;
}

void pe_stack_set(pe_stack *s, int k, const pe_tri *t, double use)
{
    s->tris[k] = *t;
    s->use[k] = use;
    s->fp[k] = pe_tri_footprint(t, s->w, s->h);
}


void pe_stack_move(pe_stack *s, int from, int to)
{
    const pe_tri t = s->tris[from];
    const double use = s->use[from];
    const uint32_t id = s->id[from];
    const pe_box fp = s->fp[from];
    const int lo = from < to ? from : to, n = from < to ? to - from : from - to;
    const int dst = from < to ? lo : lo + 1, src = from < to ? lo + 1 : lo;
    memmove(s->tris + dst, s->tris + src, (size_t)n * sizeof *s->tris);
    memmove(s->use + dst, s->use + src, (size_t)n * sizeof *s->use);
    memmove(s->id + dst, s->id + src, (size_t)n * sizeof *s->id);
    memmove(s->fp + dst, s->fp + src, (size_t)n * sizeof *s->fp);
    s->tris[to] = t;
    s->use[to] = use;
    s->id[to] = id;
    s->fp[to] = fp;
}

void pe_stack_remove(pe_stack *s, int k)
{
    const size_t above = (size_t)(s->n - 1 - k);
    memmove(s->tris + k, s->tris + k + 1, above * sizeof *s->tris);
    memmove(s->use + k, s->use + k + 1, above * sizeof *s->use);
    memmove(s->id + k, s->id + k + 1, above * sizeof *s->id);
    memmove(s->fp + k, s->fp + k + 1, above * sizeof *s->fp);
    s->n--;
}

int pe_stack_find(const pe_stack *s, uint32_t id, int hint)
{
    if (hint >= 0 && hint < s->n && s->id[hint] == id)
        return hint;
    /* most often a triangle has moved down (slots below it taken out); an order move takes
     * one either way */
    hint = hint < 0 ? 0 : (hint < s->n ? hint : s->n - 1);
    for (int k = hint; k >= 0; k--)
        if (s->id[k] == id)
            return k;
    for (int k = hint + 1; k < s->n; k++)
        if (s->id[k] == id)
            return k;
    return -1;
}

void pe_tri_bounds(const pe_tri *t, double b[4])
{
    b[0] = b[2] = t->x[0];
    b[1] = b[3] = t->y[0];
    for (int v = 1; v < 3; v++) {
        b[0] = fmin(b[0], t->x[v]);
        b[1] = fmin(b[1], t->y[v]);
        b[2] = fmax(b[2], t->x[v]);
        b[3] = fmax(b[3], t->y[v]);
    }
}

pe_box pe_tri_footprint(const pe_tri *t, int w, int h)
{
    double bb[4];
    pe_tri_bounds(t, bb);
    const double x0 = bb[0], y0 = bb[1], x1 = bb[2], y1 = bb[3];
    /* one pixel of margin: coverage reaches the pixels the bounds cut */
    pe_box b = { (int)fmax(0.0, floor(x0) - 1.0), (int)fmax(0.0, floor(y0) - 1.0),
                 (int)fmin((double)w, ceil(x1) + 1.0), (int)fmin((double)h, ceil(y1) + 1.0) };
    if (b.x1 <= b.x0 || b.y1 <= b.y0)
        b = (pe_box){ 0, 0, 0, 0 };
    return b;
}

bool pe_box_overlap(const pe_box *a, const pe_box *b)
{
    return a->x0 < b->x1 && b->x0 < a->x1 && a->y0 < b->y1 && b->y0 < a->y1;
}

pe_box pe_box_union(const pe_box *a, const pe_box *b)
{
    if (a->x1 <= a->x0)
        return *b;
    if (b->x1 <= b->x0)
        return *a;
    return (pe_box){ a->x0 < b->x0 ? a->x0 : b->x0, a->y0 < b->y0 ? a->y0 : b->y0,
                     a->x1 > b->x1 ? a->x1 : b->x1, a->y1 > b->y1 ? a->y1 : b->y1 };
}

pe_box pe_box_around(double cx, double cy, int side, int w, int h)
{
    const int sw = side < w ? side : w, sh = side < h ? side : h;
    int x0 = (int)floor(cx - sw / 2.0), y0 = (int)floor(cy - sh / 2.0);
    x0 = x0 < 0 ? 0 : (x0 > w - sw ? w - sw : x0);
    y0 = y0 < 0 ? 0 : (y0 > h - sh ? h - sh : y0);
    return (pe_box){ x0, y0, x0 + sw, y0 + sh };
}

void pe_tris_export(const pe_tri *tris, int n, int w, int h, int src_w, int src_h,
                    pe_triangle *out)
{
    const double sx = (double)src_w / w, sy = (double)src_h / h;
    for (int k = 0; k < n; k++) {
        pe_triangle *d = &out[k];
        for (int v = 0; v < 3; v++) {
            d->x[v] = (float)(round(tris[k].x[v] * sx * 100.0) / 100.0);
            d->y[v] = (float)(round(tris[k].y[v] * sy * 100.0) / 100.0);
        }
        d->r = tris[k].rgba[0];
        d->g = tris[k].rgba[1];
        d->b = tris[k].rgba[2];
        d->a = tris[k].rgba[3];
    }
}
