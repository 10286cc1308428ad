/* style: the artist controls of pe_options (fixed alpha, importance weight, palette) turned
 * into the pe_fit_style the fit honours, at the working size. */
#ifndef PE_STYLE_H
#define PE_STYLE_H

#include "fit.h"
#include "polyevolve.h"

/* What a run's fits point to. fit's pointers lead into the owned buffers below. */
typedef struct pe_style {
    pe_fit_style fit;
    float *weight;          /* owned, w x h, or NULL */
    unsigned char *palette; /* owned, 3 per entry, or NULL */
} pe_style;

/* Build the style for a run on the working target (premultiplied float RGBA, w x h; alpha:
 * the run fits alpha, a transparent canvas). bg is the run's premultiplied background: when
 * the background is automatic on an opaque canvas it becomes the weighted mean colour, and with
 * a palette the entry nearest it (the best flat canvas for the weighted loss). Options checked
 * here: alpha in [0, 1], palette_size in [0, 256] (and > 0 when palette is set), a weight image
 * that is valid and not entirely zero: else PE_ERR_INVALID_ARG. PE_ERR_NOMEM. On failure *out
 * is zeroed; free it with pe_style_free either way. */
PE_NODISCARD pe_status pe_style_prepare(const pe_options *o, const float *target, int w, int h,
                                        bool alpha, float bg[4], pe_style *out);

/* Make a resumed triangle's colour one the style allows: the nearest palette entry, the fixed
 * alpha. Unchanged when the style has neither. */
void pe_style_snap(const pe_style *st, unsigned char rgba[4]);

void pe_style_free(pe_style *st);

/* The --weight auto map (exposed for tests): local contrast, see style.c. out is w x h.
 * False when out of memory. */
bool pe_style_auto_weight(const float *target, int w, int h, float *out);

#endif
