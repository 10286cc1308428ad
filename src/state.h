/* state: internal checks on a pe_result, shared by the state reader and the writers. */
#ifndef PE_STATE_H
#define PE_STATE_H

#include "polyevolve.h"

#include <stdbool.h>
#include <stddef.h>

/* Limits of the reader (and, through pe_state_check(strict), of the writer). They are far
 * above anything pe_approximate makes; they exist so that a hostile file cannot make us
 * allocate or loop without bound. */
#define MAX_PIXELS     100000000.0 /* width * height, input and working size */
#define MAX_TILES      65536       /* grid cells of a version-1 file (read, then ignored) */
#define MAX_TRIANGLES  (1u << 24)
#define MAX_OPTIONS    4096
#define MAX_FILE_BYTES (1u << 30)
#define MAX_ROUNDS     (1 << 24) /* rounds_done: far above --iterations' 10^6, and
                                  * small enough that no sum with it can overflow an int */
#define MAX_PSNR       1e4  /* the PSNR of the smallest positive double loss is ~3233 */
#define LOOSE_COORD    1e7  /* the writers' bound: keeps printed numbers small */

/* Is res safe to draw? Not NULL, positive sizes, triangles present when counted and finite
 * coordinates within +-1e7 (so that printing them cannot overflow). strict adds the
 * state-file limits of docs/state-format.md (sizes, counts, vertices within the margin, loss
 * and psnr ranges): a result the state reader would refuse is refused by the state writer
 * too, and by pe_approximate as a resume. PE_OK or PE_ERR_INVALID_ARG. */
pe_status pe_state_check(const pe_result *res, bool strict);

/* The same, and on failure one English phrase naming the field and the rule it breaks in why
 * (why_len bytes, may be NULL), e.g. "triangles[3]: vertex 2 (-900, 4) is outside the margin
 * [-192, 256] x [-192, 256] around the image". */
pe_status pe_state_check_why(const pe_result *res, bool strict, char *why, size_t why_len);

/* Can a writer read meta? NULL (no metadata) is fine; otherwise keys and values must be
 * present for count entries, none of them NULL. */
bool pe_metadata_ok(const pe_metadata *meta);

/* Is page a layout the PDF and SVG writers take (see pe_page)? PE_OK or PE_ERR_INVALID_ARG.
 * Defined in render.c. */
pe_status pe_page_check(const pe_page *page);

#endif
