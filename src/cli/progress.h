/* progress: what a long command (a run, sequence, animate) says while it works.
 *
 * On a terminal, one line on stderr redrawn in place (at most ten times a second) that fits its
 * width: a bar, then what is being done and how far it is (the optimisation's share, phase,
 * PSNR and ETA; a sequence's or animation's frame k/N; the output being written, e.g.
 * "writing frames 37/100"). With -v and stderr not a terminal (batch logs, CI), one line per
 * event instead, "polyevolve: SECONDSs WHAT", SECONDS being the time since the command started
 * when the line is written, so that the times of successive lines never go backwards. Nothing
 * with -q.
 *
 * The calls may come from any thread (the library's progress callback, the thread that writes
 * the frames), one at a time; they do no more than format one line and write it. */
#ifndef CLI_PROGRESS_H
#define CLI_PROGRESS_H

#include "polyevolve.h"

#include <stddef.h>

typedef struct cli_progress {
    bool tty;         /* redraw a bar on stderr */
    bool lines;       /* -v without a terminal: a line per event */
    int triangles;    /* requested, to tell placing from refining */
    int rounds;       /* refinement rounds to do, 0 = unknown (until --time) */
    double t0;        /* the command's start (cli_clock) */
    double run0;      /* seconds of the command when the optimisation started: the library's
                       * times (pe_progress.wall_seconds) count from there */
    double last_draw; /* seconds of the command at the last redraw, < 0: none yet */
    bool drawn;       /* a bar is on screen */
    char label[160];  /* the output phase (cli_progress_phase), "" during the work */
    long done, total; /* its count so far and in all (total 0: not counted) */
    double phase0;    /* seconds of the command when it began */
} cli_progress;

/* Monotonic seconds (CLOCK_MONOTONIC). */
double cli_clock(void);

/* t0: the command's start (cli_clock). triangles and rounds are 0 until set. */
void cli_progress_init(cli_progress *pr, bool quiet, bool verbose, double t0);

/* Seconds since the command started. */
double cli_progress_time(const cli_progress *pr);

/* What res is at: while triangles are being added "placing 120/250" (bar) or "placed 120/250"
 * (a line, past), then "round 2/3" ("round 3" until --time, when no last round is known). */
void cli_progress_describe(const cli_progress *pr, const pe_result *res, bool line, char *buf,
                           size_t len);

/* Redraw the bar: fraction in [0, 1] of the work, text after it. At most ten times a second,
 * unless force. */
void cli_progress_bar(cli_progress *pr, double fraction, const char *text, bool force);

/* A run's step: its bar (share, phase, elapsed, ETA, PSNR). */
void cli_progress_step(cli_progress *pr, const pe_progress *p, const pe_result *partial);

/* With -v (no terminal): one line, "polyevolve: SECONDSs " and the text. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 2, 3)))
#endif
void cli_progress_line(cli_progress *pr, const char *fmt, ...);

/* An output phase begins ("writing frames", "encoding run.gif"): the bar names it from now on,
 * with k/total and an ETA when total > 0 (cli_progress_tick). No line: the caller says what it
 * wants said with cli_progress_line. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 3, 4)))
#endif
void cli_progress_phase(cli_progress *pr, long total, const char *fmt, ...);

/* done of the phase's total are done: redraw its bar. */
void cli_progress_tick(cli_progress *pr, long done);

/* Clear the bar (before a message or the summary); the next draw starts it again. */
void cli_progress_end(cli_progress *pr);

/* The terminal's width in columns (TIOCGWINSZ on stderr, else $COLUMNS, else 80). */
int cli_terminal_width(void);

#endif
