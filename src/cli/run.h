/* run, render, animate: the three commands. Each returns the process exit status. */
#ifndef CLI_RUN_H
#define CLI_RUN_H

#include "options.h"

int cli_run(cli_options *o);
int cli_render(const cli_options *o);
int cli_animate(const cli_options *o);
int cli_sequence(cli_options *o); /* sequence.c */

/* The signal that asked us to stop (0 if none), set by main's handlers. */
extern volatile int cli_stop_signal;

#endif
