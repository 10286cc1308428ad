/* state: internal checks on a pe_result, shared by the state reader and the writers. */
#ifndef PE_STATE_H
#define PE_STATE_H

#include "polyevolve.h"

#include <stdbool.h>

/* Is res safe to draw? Positive sizes, a tile grid with finite rects, every triangle's tile
 * in range and finite coordinates within +-1e7 (so that printing them cannot overflow).
 * strict adds the state-file limits of docs/state-format.md (sizes, counts, tiles inside
 * the image, vertices within the margin, loss and psnr ranges): a result the state reader
 * would refuse is refused by the state writer too. PE_OK or PE_ERR_INVALID_ARG. */
pe_status pe_state_check(const pe_result *res, bool strict);

/* true when the triangle lies inside its tile rect, so that clipping to it changes nothing.
 * The SVG writer and pe_render must agree on this, or their drawings would differ. */
bool pe_state_inside_tile(const pe_triangle *t, const pe_rect *tile);

#endif
