/* sequence_source: where a sequence's frames come from, one at a time: the image files given
 * (a directory's by name), or one video. */
#ifndef CLI_SEQUENCE_SOURCE_H
#define CLI_SEQUENCE_SOURCE_H

#include "options.h"
#include "video.h"

#include <polyevolve.h>
#include <stddef.h>

/* Where the frames come from: a list of image files, or one video. */
typedef struct cli_seq_source {
    char **files;    /* owned, each owned */
    int nfiles, next;
    cli_video *video;
    const char *video_path;
    int video_frame;
} cli_seq_source;

/* Open the sources o names (its inputs; directories are read whole). 0, or the exit status
 * after a message. Close with cli_seq_source_close, also after a failure. */
int cli_seq_source_open(cli_seq_source *s, const cli_options *o);

void cli_seq_source_close(cli_seq_source *s);

/* The next frame into *img and its name (a path, or "video#N"): 1, 0 at the end, -1 after
 * printing why. */
int cli_seq_source_next(cli_seq_source *s, const cli_options *o, pe_image *img, char *name,
                        size_t name_len);

#endif
