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

#endif
