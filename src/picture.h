/* picture: the whole canvas as the stack draws it, kept up to date where commits change it:
 * its loss, the 8-bit canvas the frames show, and where its error lies (where new triangles
 * are searched). A commit marks the pixels it changed; pe_picture_update draws just those
 * again, in blocks, so keeping it costs about what the commits changed, not a whole render
 * per use: whole renders are a large share of a large run's CPU, all of it on the one thread
 * that commits (docs/benchmarks.md, "CPU per run"). */
#ifndef PE_PICTURE_H
#define PE_PICTURE_H

#include "polyevolve.h"
#include "raster.h"
#include "stack.h"
#include "target.h"

#include <stdbool.h>

/* Block side: small enough that a commit's footprint redraws little beyond itself, large
 * enough that the per-block bookkeeping stays negligible. */
#define PE_PICTURE_BLOCK 32

/* What drawing a block row of the picture needs: the picture's own, or a thread's (below). */
typedef struct pe_picture_scratch {
    float *rows; /* one block row's render */
    pe_cover cov;
} pe_picture_scratch;

typedef struct pe_picture {
    int w, h;
    float *err;          /* per pixel: squared error, weighted (where new triangles go) */
    double *row_sse;     /* per row: squared error, unweighted (the loss) */
    double *row_err;     /* per row: the sum of err */
    double *row_cdf;     /* cumulative row_err, valid while !cdf_stale */
    bool cdf_stale;
    const float *weight; /* borrowed: each pixel's weight in err (NULL: 1) */
    pe_image canvas;     /* full in 8 bits, non-premultiplied */
    unsigned char *dirty; /* per block: to be drawn again */
    unsigned char *changed; /* per block: touched since the last pe_picture_pass */
    int bw, bh;          /* blocks across and down */
    bool any_dirty;
    pe_picture_scratch own;
    float *comp;         /* the composite, premultiplied (4 a pixel), or NULL (a canvas over
                          * PE_PICTURE_COMP_MAX pixels): triangles pushed on top are drawn
                          * over it rather than their blocks drawn again */
    pe_tri *pushed;      /* pushed since the last update, bottom to top */
    int npushed, pushed_cap;
} pe_picture;

PE_NODISCARD pe_status pe_picture_init(pe_picture *p, const pe_target *t);
void pe_picture_free(pe_picture *p);

/* The pixels in b changed (or will have when the picture is next updated). */
void pe_picture_touch(pe_picture *p, const pe_box *b);

/* Triangle t (footprint fp) was pushed on top of the stack: at the next update it is drawn over
 * the picture where it is, in the order pushed (a new triangle costs its own pixels, not its
 * blocks' whole stacks; bit for bit what drawing the blocks again gives). */
void pe_picture_push(pe_picture *p, const pe_tri *t, const pe_box *fp);

/* Hand what changed since the last pass to another picture of the same size (one that follows
 * the same stack later, on another thread): its blocks are drawn again at its next update. */
void pe_picture_pass(pe_picture *from, pe_picture *to);

/* Draw the changed pixels of s over t's background; returns the squared error summed over the
 * canvas (alpha counted on a transparent canvas). */
double pe_picture_update(pe_picture *p, const pe_target *t, const pe_stack *s);

/* The same update cut into bands of block rows (PE_PICTURE_BLOCK pixels high), which threads
 * may draw at once, each on scratch of its own: a whole round's changes on a large canvas are a
 * whole render. pe_picture_draw_rows draws block rows [by0, by1) (true: it drew something);
 * once every band is drawn, pe_picture_drawn ends the update (drew: one of them did), and
 * pe_picture_update has nothing left to draw. Bit for bit what pe_picture_update draws. */
bool pe_picture_scratch_init(pe_picture_scratch *sc, int w); /* false: out of memory */
void pe_picture_scratch_free(pe_picture_scratch *sc);
/* Something changed since the last update. */
bool pe_picture_stale(const pe_picture *p);
/* Blocks of block row by to be drawn again (the triangles pushed on top aside). */
int pe_picture_dirty_in(const pe_picture *p, int by);
bool pe_picture_draw_rows(pe_picture *p, const pe_target *t, const pe_stack *s, int by0, int by1,
                          pe_picture_scratch *sc);
void pe_picture_drawn(pe_picture *p, bool drew);

/* A pixel (row-major index) drawn with probability proportional to its error, for u in
 * [0, 1); uniform when the picture has no error. Needs an up-to-date picture. */
size_t pe_picture_sample(pe_picture *p, double u);

#endif
