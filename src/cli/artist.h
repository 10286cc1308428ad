/* artist: the files behind --weight MASK and --palette FILE, read into the run's pe_options. */
#ifndef CLI_ARTIST_H
#define CLI_ARTIST_H

#include "options.h"

#include <limits.h>

/* What cli_artist_load read: owned, free with cli_artist_free. */
typedef struct cli_artist {
    pe_image mask;
    unsigned char *palette;
    char weight_abs[PATH_MAX], palette_abs[PATH_MAX]; /* the files' absolute paths, or "" */
} cli_artist;

/* Read o->weight_path and o->palette_path (when set) and point o->pe at them. The settings
 * record the files by name only (as the input); their absolute paths are kept in a for the
 * state file (cli_artist_paths), so that a resume from another directory finds them. Prints a
 * one-line error naming the file and returns 1 when one cannot be used (2 for a mask black
 * everywhere), else 0. */
int cli_artist_load(cli_options *o, cli_artist *a);

/* The state file's keys for the files' paths ("weight-path", "palette-path") and their values
 * into keys and values (room for 2). Returns the count. */
size_t cli_artist_paths(const cli_artist *a, const char **keys, const char **values);
void cli_artist_free(cli_artist *a);

#endif
