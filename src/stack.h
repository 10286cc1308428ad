/* stack: the one list of triangles over the one canvas, bottom to top, with what each last
 * removed from the loss and a name that stays with it while other triangles come and go. Only
 * the commit changes it; ops read copies of the parts they need (op.h). */
#ifndef PE_STACK_H
#define PE_STACK_H

#include "fit.h"
#include "polyevolve.h"

#include <stdbool.h>
#include <stdint.h>

/* The pixels a triangle may touch, antialiasing included: [x0, x1) x [y0, y1), clipped to
 * w x h (empty when it misses). */
typedef struct pe_box {
    int x0, y0, x1, y1;
} pe_box;

typedef struct pe_stack {
    pe_tri *tris;
    double *use; /* per slot: its triangle's loss change when last searched (< 0: removes loss) */
    uint32_t *id;  /* per slot: its triangle's name, given when pushed */
    pe_box *fp;    /* per slot: its triangle's footprint (pe_tri_footprint on w x h) */
    uint32_t next_id;
    int n, cap;
    int w, h;      /* the canvas the footprints are cut to */
} pe_stack;

/* Room for `need` triangles. False when out of memory; what was there stays valid. */
bool pe_stack_reserve(pe_stack *s, int need);
void pe_stack_free(pe_stack *s);

/* Put t on top (room must have been reserved). */
void pe_stack_push(pe_stack *s, const pe_tri *t, double use);
/* Put t in slot k, in place of the triangle there (it keeps the slot's name). */
void pe_stack_set(pe_stack *s, int k, const pe_tri *t, double use);
/* Take the triangle in slot from out and put it in again so that it ends in slot to, with its
 * name and use; the slots between move one towards from. */
void pe_stack_move(pe_stack *s, int from, int to);
/* Take slot k out; the slots above move down one. */
void pe_stack_remove(pe_stack *s, int k);
/* The slot of the triangle named id (looked for from slot hint first), or -1 when it is gone. */
int pe_stack_find(const pe_stack *s, uint32_t id, int hint);

pe_box pe_tri_footprint(const pe_tri *t, int w, int h);
/* The triangle's vertex bounds: b = { x0, y0, x1, y1 }. */
void pe_tri_bounds(const pe_tri *t, double b[4]);
bool pe_box_overlap(const pe_box *a, const pe_box *b);
pe_box pe_box_union(const pe_box *a, const pe_box *b);
/* A side x side box around (cx, cy), moved inside w x h (and no larger). */
pe_box pe_box_around(double cx, double cy, int side, int w, int h);

/* Triangles tris[0..n) in input pixels (src_w x src_h for a working canvas of w x h) as a
 * pe_result's: coordinates rounded to 1/100 px here, once, so that every writer (SVG, PDF, PNG,
 * state) draws exactly the same numbers. out must hold n. */
void pe_tris_export(const pe_tri *tris, int n, int w, int h, int src_w, int src_h,
                    pe_triangle *out);

#endif
