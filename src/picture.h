/* picture: the whole canvas drawn from the stack at the end of a step: its loss, the 8-bit
 * canvas the frames show, and where its error lies (for the windows of a large canvas). */
#ifndef PE_PICTURE_H
#define PE_PICTURE_H

#include "polyevolve.h"
#include "raster.h"
#include "stack.h"
#include "target.h"

typedef struct pe_picture {
    float *full;       /* premultiplied composite, w x h */
    double *error_cdf; /* cumulative squared error, row-major */
    const float *weight; /* borrowed: each pixel's weight in error_cdf (NULL: 1) */
    pe_image canvas;   /* full in 8 bits, non-premultiplied */
    int nbands, band_h;
    double *band_sse;
    pe_cover *cov; /* one band's scratch per thread */
    int threads;
} pe_picture;

PE_NODISCARD pe_status pe_picture_init(pe_picture *p, const pe_target *t, int threads);
void pe_picture_free(pe_picture *p);

/* Draw s over t's background; returns the squared error summed over the canvas (alpha
 * counted on a transparent canvas). */
double pe_picture_draw(pe_picture *p, const pe_target *t, const pe_stack *s);

#endif
