/* progress: the bar and the -v lines. */
#define _POSIX_C_SOURCE 200809L
#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int cli_terminal_width(void)
{
    struct winsize ws;
    if (ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    const char *c = getenv("COLUMNS");
    const int n = c ? atoi(c) : 0;
    return n > 0 && n < 10000 ? n : 80;
}

void cli_progress_init(cli_progress *pr, bool quiet, bool verbose, int triangles, int rounds)
{
    memset(pr, 0, sizeof *pr);
    const bool tty = isatty(2);
    pr->tty = !quiet && tty;
    pr->lines = !quiet && verbose && !tty;
    pr->triangles = triangles;
    pr->rounds = rounds;
    pr->last_draw = -1.0;
}

/* "placing 120/250" while triangles are being added, then "round 2/3" */
static void phase(const cli_progress *pr, const pe_result *partial, char *buf, size_t len)
{
    if (partial->count < (size_t)pr->triangles)
        snprintf(buf, len, "placing %zu/%d", partial->count, pr->triangles);
    else if (pr->rounds == 0) /* until --time: no last round known */
        snprintf(buf, len, "round %d", partial->rounds_done + 1);
    else /* the last step has finished every round: it is still the last one */
        snprintf(buf, len, "round %d/%d",
                 partial->rounds_done < pr->rounds ? partial->rounds_done + 1 : pr->rounds,
                 pr->rounds);
}

void cli_progress_step(cli_progress *pr, const pe_progress *p, const pe_result *partial)
{
    if (!pr->tty || (p->wall_seconds - pr->last_draw < 0.1 && p->fraction < 1.0))
        return;
    pr->last_draw = p->wall_seconds;
    char ph[48], text[160], line[512];
    phase(pr, partial, ph, sizeof ph);
    const double eta = p->fraction > 0.001 ? p->wall_seconds * (1.0 / p->fraction - 1.0) : 0.0;
    const int tn = snprintf(text, sizeof text, " %3.0f%% %s %.1fs ETA %.0fs PSNR %.2f",
                            100 * p->fraction, ph, p->wall_seconds, eta, p->psnr);
    /* one column spare: writing the last column makes some terminals wrap */
    const int width = cli_terminal_width() - 1, room = width - tn - 2;
    int n = 0;
    if (room >= 5) {
        const int fill = (int)(p->fraction * room + 0.5);
        line[n++] = '[';
        for (int i = 0; i < room; i++)
            line[n++] = i < fill ? '#' : '.';
        line[n++] = ']';
    }
    const char *t = n == 0 && tn > 0 ? text + 1 : text; /* no bar: no leading space */
    const int tl = (int)strlen(t), keep = tl < width - n ? tl : (width - n > 0 ? width - n : 0);
    memcpy(line + n, t, (size_t)keep);
    n += keep;
    line[n] = '\0';
    fprintf(stderr, "\r%s\033[K", line);
    fflush(stderr);
    pr->drawn = true;
}

void cli_progress_event(cli_progress *pr, const pe_progress *p, size_t triangles, const char *what)
{
    if (!pr->lines)
        return;
    fprintf(stderr, "polyevolve: %8.2fs %6zu triangles  PSNR %6.2f dB  %s\n", p->wall_seconds,
            triangles, p->psnr, what);
    fflush(stderr);
}

void cli_progress_end(cli_progress *pr)
{
    if (pr->drawn)
        fputs("\r\033[K", stderr);
    pr->drawn = false;
}
