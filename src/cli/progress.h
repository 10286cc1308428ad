/* progress: what a run says while it works. On a terminal, one line redrawn in place that fits
 * its width; with -v and stderr not a terminal (batch logs, CI), one line per frame or
 * checkpoint; nothing with -q. */
#ifndef CLI_PROGRESS_H
#define CLI_PROGRESS_H

#include "polyevolve.h"

typedef struct cli_progress {
    bool tty;         /* redraw a bar on stderr */
    bool lines;       /* -v without a terminal: a line per event */
    int triangles;    /* requested, to tell placing from refining */
    int rounds;       /* refinement rounds to do, 0 = unknown (until --time) */
    double last_draw; /* wall seconds of the last redraw */
    bool drawn;       /* a bar is on screen */
} cli_progress;

void cli_progress_init(cli_progress *pr, bool quiet, bool verbose, int triangles, int rounds);

/* Every step: redraw the bar (at most 10 times a second). */
void cli_progress_step(cli_progress *pr, const pe_progress *p, const pe_result *partial);

/* A frame or checkpoint was written: with -v (no terminal), say so on one line. what is e.g.
 * "frame 12" or "checkpoint". */
void cli_progress_event(cli_progress *pr, const pe_progress *p, size_t triangles, const char *what);

/* Clear the bar before the summary. */
void cli_progress_end(cli_progress *pr);

/* The terminal's width in columns (TIOCGWINSZ on stderr, else $COLUMNS, else 80). */
int cli_terminal_width(void);

#endif
