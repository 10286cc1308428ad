/* targets: what each -o names. The path alone decides (as primitive users expect), so that
 * `-o out.svg` is a file, `-o -` is stdout and `-o f%03d.png` is a frame sequence. */
#ifndef CLI_TARGETS_H
#define CLI_TARGETS_H

#include "options.h"

typedef enum cli_target_kind {
    CLI_T_DIR,     /* an existing directory, a path ending in '/', or any other path without a
                    * picture extension: final.*, state.json, log.csv and frames/ inside */
    CLI_T_PNG,     /* FILE.png: the final picture at -s */
    CLI_T_SVG,     /* FILE.svg */
    CLI_T_PDF,     /* FILE.pdf */
    CLI_T_JPG,     /* FILE.jpg or FILE.jpeg: the final picture over white, quality 95 */
    CLI_T_STDOUT,  /* "-": the SVG on stdout */
    CLI_T_ANIM,    /* FILE.gif, FILE.mp4, FILE.webm: an animation of the frames (anim.h) */
    CLI_T_PATTERN, /* a printf pattern with one %d (flags 0 and a width allowed) ending in .png:
                    * the frames */
} cli_target_kind;

typedef struct cli_target {
    cli_target_kind kind;
    const char *path;
} cli_target;

typedef struct cli_targets {
    cli_target t[CLI_MAX_OUTPUTS];
    int n;
    const char *dir;     /* the CLI_T_DIR target, or NULL */
    const char *pattern; /* the CLI_T_PATTERN target, or NULL */
    bool to_stdout;
} cli_targets;

/* Classify o->outputs (none when none: the caller picks the default). Returns CLI_OK, or CLI_USAGE with a one-line
 * message in err: an unsupported extension, a bad pattern, two directories, two patterns or
 * two "-". */
int cli_targets_of(const cli_options *o, cli_targets *out, char *err, size_t err_len);

/* The frame file of number n (from 1) under a pattern: buf, or NULL when too long. */
char *cli_pattern_name(char *buf, size_t len, const char *pattern, int n);

#endif
