/* image.h: internal pe_image helpers for the pipeline (allocation, resizing, working size).
 * Loading is public and declared in polyevolve.h. */
#ifndef PE_IMAGE_H
#define PE_IMAGE_H

#include "polyevolve.h"

/* Allocate a w x h image with every byte zero (transparent black) into *out; free it with
 * pe_image_free. PE_ERR_INVALID_ARG if w or h < 1, PE_ERR_NOMEM if 4 * w * h bytes cannot be
 * allocated (or do not fit in size_t). On failure *out is zeroed. */
PE_NODISCARD pe_status pe_image_alloc(int w, int h, pe_image *out);

/* Resample src to w x h into *out (a new image: free it with pe_image_free). Filter:
 * Catmull-Rom both ways (sharper than stb's default Mitchell when shrinking; image.c says what
 * it measured); edges clamp (the border pixel repeats). The filter works on the stored 8-bit
 * values as they are (no sRGB linearisation), because the loss compares stored values too.
 * Colour is weighted by alpha, so a fully transparent pixel's colour does not bleed into its
 * neighbours. When w x h equals src's size the pixels are copied unchanged. PE_ERR_INVALID_ARG
 * if w or h < 1, PE_ERR_NOMEM. On failure *out is zeroed. src and out must be different. */
PE_NODISCARD pe_status pe_image_resize(const pe_image *src, int w, int h, pe_image *out);

/* The working size for a w x h image (w, h >= 1) whose longest side should be `longest`:
 * the longer side becomes exactly `longest` and the other round(side * longest / max(w, h)),
 * halves rounded up, at least 1. Never enlarges: longest <= 0 or longest >= max(w, h) keeps
 * w x h, because upscaling adds no detail for the triangles to fit and only costs time. */
void pe_image_working_size(int w, int h, int longest, int *ow, int *oh);

#endif /* PE_IMAGE_H */
