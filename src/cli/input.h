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

#endif
