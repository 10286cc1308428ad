/* resume: what --resume checks before it continues a run: the flags given with it, and that
 * the input image is the one the run began with. */
#ifndef CLI_RESUME_H
#define CLI_RESUME_H

#include "options.h"

/* The key of the input's content hash among the state's options (and the pictures'
 * metadata); its value is "fnv1a64:" and 16 hex digits. */
#define CLI_INPUT_HASH_KEY "input-hash"
#define CLI_INPUT_HASH_LEN 32

/* The --weight mask's content hash, the same way: a resume checks the mask has not changed. */
#define CLI_WEIGHT_HASH_KEY "weight-hash"

/* The content hash of img (its size and RGBA pixels, not its file: the same picture saved
 * again hashes the same) as the text stored in the state, into buf (CLI_INPUT_HASH_LEN). */
void cli_input_hash(const pe_image *img, char *buf);

/* The flags given with --resume DIR that it cannot honour: -o other than DIR, and any of the
 * options that define the picture being continued (triangles, resize, seed,
 * background) with a value other than the state's. Returns 0, or 2 with one line in err. */
int cli_resume_flags(const cli_options *o, const pe_state *st, char *err, size_t err_len);

#endif
