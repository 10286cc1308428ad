/* input: the image of a run, from a file or ("-") from stdin. */
#ifndef CLI_INPUT_H
#define CLI_INPUT_H

#include "options.h"
#include "polyevolve.h"
#include "resume.h"

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

/* What a run writes, for the size checks: cli_input_checked's outputs. */
enum { CLI_OUT_PNG = 1, CLI_OUT_SVG = 2, CLI_OUT_PDF = 4 };

/* cli_load_input, then the checks before any work: the image of the run being resumed (its
 * content hash, stored in hash; a state without one is refused), and pictures the writers can
 * make of it (outputs: CLI_OUT_* of what the run writes). Returns 0 or the exit status, with
 * the message printed (img freed on failure). */
int cli_input_checked(const cli_options *o, const char *input, const pe_state *state,
                      unsigned outputs, char hash[CLI_INPUT_HASH_LEN], pe_image *img);

/* --init STATE read into *init before anything else: without -n its count becomes the run's
 * (with a smaller -n the run keeps the most useful of its triangles). 0, or the exit status
 * after a message. Free *init with pe_state_free. */
int cli_init_read(cli_options *o, pe_state *init);

/* --init: init's triangles moved and scaled onto img (pe_warm_start), rounds starting again.
 * 0, or 1 after a message. */
int cli_init_start(const cli_options *o, const pe_state *init, const pe_image *img,
                   pe_result *start);

#endif
