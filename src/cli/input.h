/* input: the image of a run, from a file or ("-") from stdin. */
#ifndef CLI_INPUT_H
#define CLI_INPUT_H

#include "polyevolve.h"

/* Load path ("-" = all of stdin) into *img. On failure print one line naming the input and
 * return false. */
bool cli_load_input(const char *path, uint64_t max_pixels, pe_image *img);

/* The input as pictures' metadata records it: its file name without the directories (no
 * private paths in published files), "stdin" for "-", with bytes outside printable ASCII as
 * '?' (metadata must be valid text in SVG, PDF and PNG). */
void cli_input_name(const char *path, char *buf, size_t len);

/* A state's settings as pictures' metadata: as stored, but the input by its name only (states
 * of earlier versions record its whole path), and none at all when none is set
 * (--no-metadata). The result points into st and buf. */
typedef struct cli_meta_buf {
    const char *keys[64], *values[64];
    char name[256];
} cli_meta_buf;
pe_metadata cli_state_metadata(const pe_state *st, bool none, cli_meta_buf *buf);

#endif
