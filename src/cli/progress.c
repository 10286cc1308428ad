/* progress: the bar and the -v lines of run, sequence and animate. */
#define _POSIX_C_SOURCE 200809L
#include "progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

/* The bar's redraws at most this often, in seconds: a terminal need not see every step. */
#define REDRAW_GAP 0.1

int cli_terminal_width(void)
{
    struct winsize ws;
    if (ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    const char *c = getenv("COLUMNS");
    const int n = c ? atoi(c) : 0;
    return n > 0 && n < 10000 ? n : 80;
}

double cli_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void cli_progress_init(cli_progress *pr, bool quiet, bool verbose, double t0)
{
    memset(pr, 0, sizeof *pr);
    const bool tty = isatty(2);
    pr->tty = !quiet && tty;
    pr->lines = !quiet && verbose && !tty;
    pr->t0 = t0;
    pr->last_draw = -1.0;
}

double cli_progress_time(const cli_progress *pr)
{
    return cli_clock() - pr->t0;
}

void cli_progress_describe(const cli_progress *pr, const pe_result *res, bool line, char *buf,
                           size_t len)
{
    if (res->count < (size_t)pr->triangles)
        snprintf(buf, len, "%s %zu/%d", line ? "placed" : "placing", res->count, pr->triangles);
    else if (pr->rounds == 0) /* until --time: no last round known */
        snprintf(buf, len, "round %d", res->rounds_done + 1);
    else /* the last step has finished every round: it is still the last one */
        snprintf(buf, len, "round %d/%d",
                 res->rounds_done < pr->rounds ? res->rounds_done + 1 : pr->rounds, pr->rounds);
}

void cli_progress_bar(cli_progress *pr, double fraction, const char *text, bool force)
{
    if (!pr || !pr->tty)
        return;
    const double now = cli_progress_time(pr);
    if (!force && pr->last_draw >= 0.0 && now - pr->last_draw < REDRAW_GAP)
        return;
    pr->last_draw = now;
    fraction = fraction < 0.0 ? 0.0 : fraction > 1.0 ? 1.0 : fraction;
    char line[512];
    const int tn = (int)strlen(text);
    /* one column spare: writing the last column makes some terminals wrap */
    const int width = cli_terminal_width() - 1, room = width - tn - 3;
    int n = 0;
    if (room >= 5) {
        const int fill = (int)(fraction * room + 0.5);
        line[n++] = '[';
        for (int i = 0; i < room && n < (int)sizeof line - 2; i++)
            line[n++] = i < fill ? '#' : '.';
        line[n++] = ']';
        line[n++] = ' ';
    }
    const int avail = width - n < (int)sizeof line - 1 - n ? width - n : (int)sizeof line - 1 - n;
    const int keep = tn < avail ? tn : avail > 0 ? avail : 0;
    memcpy(line + n, text, (size_t)keep);
    n += keep;
    line[n] = '\0';
    fprintf(stderr, "\r%s\033[K", line);
    fflush(stderr);
    pr->drawn = true;
}

void cli_progress_step(cli_progress *pr, const pe_progress *p, const pe_result *partial)
{
    if (!pr || !pr->tty)
        return;
    char ph[48], text[200];
    cli_progress_describe(pr, partial, false, ph, sizeof ph);
    const double eta = p->fraction > 0.001 ? p->wall_seconds * (1.0 / p->fraction - 1.0) : 0.0;
    snprintf(text, sizeof text, "%3.0f%% %s %.1fs ETA %.0fs PSNR %.2f", 100 * p->fraction, ph,
             cli_progress_time(pr), eta, p->psnr);
    cli_progress_bar(pr, p->fraction, text, false);
}

void cli_progress_line(cli_progress *pr, const char *fmt, ...)
{
    if (!pr || !pr->lines)
        return;
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    /* the time is read as the line is written: lines come one at a time, so it never goes back */
    fprintf(stderr, "polyevolve: %8.2fs %s\n", cli_progress_time(pr), text);
    fflush(stderr);
}

/* The bar of the output phase: its name, k/total, elapsed and ETA. */
static void draw_phase(cli_progress *pr, bool force)
{
    char text[256];
    const double now = cli_progress_time(pr), spent = now - pr->phase0;
    if (pr->total <= 0) {
        snprintf(text, sizeof text, "%s %.1fs", pr->label, now);
        cli_progress_bar(pr, 1.0, text, force);
        return;
    }
    const long left = pr->total - pr->done;
    if (pr->done > 0 && left > 0)
        snprintf(text, sizeof text, "%s %ld/%ld %.1fs ETA %.0fs", pr->label, pr->done, pr->total,
                 now, spent / (double)pr->done * (double)(left > 0 ? left : 0));
    else
        snprintf(text, sizeof text, "%s %ld/%ld %.1fs", pr->label, pr->done, pr->total, now);
    cli_progress_bar(pr, (double)pr->done / (double)pr->total, text, force);
}

void cli_progress_phase(cli_progress *pr, long total, const char *fmt, ...)
{
    if (!pr)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pr->label, sizeof pr->label, fmt, ap);
    va_end(ap);
    pr->done = 0;
    pr->total = total;
    pr->phase0 = cli_progress_time(pr);
    if (pr->tty)
        draw_phase(pr, true);
}

void cli_progress_tick(cli_progress *pr, long done)
{
    if (!pr || !pr->tty)
        return;
    pr->done = done;
    draw_phase(pr, done >= pr->total);
}

void cli_progress_end(cli_progress *pr)
{
    if (!pr)
        return;
    if (pr->drawn)
        fputs("\r\033[K", stderr);
    pr->drawn = false;
    pr->last_draw = -1.0;
}
