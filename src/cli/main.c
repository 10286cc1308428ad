/* main: parse, dispatch, map signals. The library does the work; run.c words the messages. */
#define _POSIX_C_SOURCE 200809L
#include "anim.h"
#include "options.h"
#include "output.h"
#include "run.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* First SIGINT/SIGTERM/SIGHUP (a closed terminal or ssh session): finish at the end of the next step and write everything.
 * Second: leave at once (atomic writes mean no file is left half-written). */
static void on_signal(int sig)
{
    if (cli_stop_signal) {
        if (cli_tmp_valid) /* unlink is async-signal-safe; the name is complete */
            unlink(cli_current_tmp);
        cli_anims_unlink_tmp(); /* an animation being written */
        _exit(128 + sig);
    }
    cli_stop_signal = sig;
}

/* stdout carries only the summary (and --help, --version): when it could not be written (a
 * full disk, a reader that has gone: SIGPIPE is ignored so that it cannot kill a run between
 * its outputs) the run's files are still complete, but the exit status must not say all went
 * well. */
static int check_stdout(int rc)
{
    if (fflush(stdout) == 0 && !ferror(stdout))
        return rc;
    const int e = errno;
    fprintf(stderr, "polyevolve: stdout: %s\n", strerror(e ? e : EIO));
    return rc == 0 ? 1 : rc;
}

static int dispatch(cli_options *o)
{
    switch (o->command) {
    case CLI_RENDER: return cli_render(o);
    case CLI_ANIMATE: return cli_animate(o);
    case CLI_SEQUENCE: return cli_sequence(o);
    case CLI_RUN: break;
    }
    return cli_run(o);
}

int main(int argc, char **argv)
{
    cli_options o;
    char err[512];
    const int pr = cli_parse(argc, argv, &o, err, sizeof err);
    signal(SIGPIPE, SIG_IGN);
    if (pr == CLI_EXIT_OK) {
        free(o.inputs);
        return check_stdout(0);
    }
    if (pr != CLI_OK) {
        free(o.inputs);
        fprintf(stderr, "polyevolve: %s\n", err);
        return 2;
    }
    struct sigaction sa = { 0 };
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    const int rc = dispatch(&o);
    free(o.inputs);
    return check_stdout(rc);
}
