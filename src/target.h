/* target: the picture the optimiser works against: the input at the working size as
 * premultiplied floats, and the background the triangles are drawn over. */
#ifndef PE_TARGET_H
#define PE_TARGET_H

#include "polyevolve.h"

#include <stdbool.h>

typedef struct pe_target {
    float *rgba; /* premultiplied RGBA, w x h */
    int w, h;
    float bg[4]; /* premultiplied background */
    bool alpha;  /* transparent canvas: alpha is fitted too */
} pe_target;

/* An opaque run composites transparent pixels over white (what a viewer shows behind them), a
 * transparent run keeps the alpha. The automatic background is the mean colour, rounded to
 * 8 bits: what the outputs will draw. */
PE_NODISCARD pe_status pe_target_prepare(const pe_image *src, const pe_options *o, pe_target *out);
void pe_target_free(pe_target *t);

/* The target reduced f times in each direction (each pixel the mean of f x f, fewer at the
 * edges), with its weight map (NULL: none) reduced alike: where the first, large triangles are
 * searched before a short search at full size finishes them. */
typedef struct pe_level {
    float *target;  /* premultiplied RGBA, w x h */
    float *weight;  /* w x h, or NULL */
    int w, h, f;    /* f == 1: no level (nothing allocated) */
} pe_level;

/* The coarse level of t for a longest side of about `side` pixels (f == 1 when t is not
 * larger than twice that). */
PE_NODISCARD pe_status pe_target_reduce(const pe_target *t, const float *weight, int side,
                                        pe_level *out);
void pe_level_free(pe_level *l);

#endif
