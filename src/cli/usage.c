/* usage: --help (the options most runs need, at most 25 lines of 80 columns) and --help-all
 * (every option), both written from the option table with the defaults it derives. */
#include "options.h"

#include "optable.h"

#include <stdio.h>
#include <string.h>

enum { WIDTH = 80, COLUMN = 24 };

/* text from column COLUMN, wrapped at WIDTH; a "(default X)" is never broken. */
static void put_wrapped(FILE *f, const char *left, const char *text)
{
    fputs(left, f);
    size_t col = strlen(left);
    if (col + 1 > COLUMN) {
        fputc('\n', f);
        col = 0;
    }
    fprintf(f, "%*s", (int)(COLUMN - col), "");
    col = COLUMN;
    const char *keep = strstr(text, "(default ");
    for (const char *p = text; *p;) {
        while (*p == ' ')
            p++;
        const char *end = p == keep ? strchr(p, ')') + 1 : p + strcspn(p, " ");
        const size_t n = (size_t)(end - p);
        if (col > COLUMN && col + 1 + n > WIDTH) {
            fprintf(f, "\n%*s", COLUMN, "");
            col = COLUMN;
        }
        if (col > COLUMN) {
            fputc(' ', f);
            col++;
        }
        fwrite(p, 1, n, f);
        col += n;
        p = end;
    }
    fputc('\n', f);
}

static bool shows_default(const cli_opt *d)
{
    switch (d->type) {
    case CLI_INT:
    case CLI_U64:
    case CLI_DOUBLE:
    case CLI_ENUM:
    case CLI_FILE:
    case CLI_COLOUR:
    case CLI_OPACITY:
    case CLI_LENGTH:
    case CLI_OUTPUT: return !(d->flags & CLI_PRIMITIVE);
    default: return false;
    }
}

static void put_option(FILE *f, const cli_opt *d, const cli_options *def)
{
    char left[64], text[256], buf[CLI_TEXT_LEN];
    const char *arg = d->arg && d->type != CLI_FLAG ? d->arg : "";
    if (d->name && d->dash)
        snprintf(left, sizeof left, "  -%s, --%s %s", d->dash, d->name, arg);
    else if (d->name)
        snprintf(left, sizeof left, "      --%s %s", d->name, arg);
    else
        snprintf(left, sizeof left, "  -%s %s", d->dash, arg);
    if (shows_default(d))
        snprintf(text, sizeof text, "%s (default %s)", d->help,
                 cli_opt_text(d, def, buf, sizeof buf));
    else
        snprintf(text, sizeof text, "%s", d->help);
    put_wrapped(f, left, text);
}

static const char brief_usage[] =
    "usage: polyevolve INPUT|- [-o PATH]... [options]   triangles from a picture\n"
    "       polyevolve --resume DIR [options]           go on with a stopped run\n"
    "       polyevolve render STATE.json -o OUT.png|.jpg|.svg|.pdf [-s N] [--page A4]\n"
    "       polyevolve animate STATE.json -o DIR | sequence INPUT... -o DIR\n\n";

static const char all_usage[] =
    "usage: polyevolve INPUT|- [-o PATH]... [options]   approximate an image\n"
    "       polyevolve --resume DIR|STATE [options]     continue an interrupted run\n"
    "       polyevolve render STATE.json -o OUT.png|.jpg|.svg|.pdf [-s N] [--page A4]\n"
    "       polyevolve animate STATE.json -o DIR [--frames N] [--seed N]\n"
    "       polyevolve sequence INPUT... -o DIR [--resume DIR] [options]\n"
    "                                  frames coherent over a sequence or a video\n\n"
    "INPUT - reads the image from stdin. -o may be given up to 16 times:\n"
    "  DIR or DIR/     DIR/final.png, final.svg, final.pdf, state.json, log.csv and\n"
    "                  frames/ (any other path that is not a file is a directory)\n"
    "  FILE.png|.jpg|.svg|.pdf  that one picture (JPEG: over white)\n"
    "  -               the SVG on stdout (the summary then goes to stderr)\n"
    "  NAME%03d.png    the frames, numbered from 1 (instead of DIR/frames)\n"
    "A value follows its option (-n 250, --triangles 250) or is attached to it\n"
    "(--triangles=250; a number also to a short option: -n250).\n\n"
    "options:\n";

static const char exit_text[] =
    "\nexit status: 0 done, 1 runtime error, 2 usage error, 129/130/143 stopped by\n"
    "SIGHUP/SIGINT/SIGTERM (outputs and state are still written; --resume continues).\n";

void cli_usage(FILE *f, bool all)
{
    cli_options def;
    cli_defaults(&def);
    size_t n;
    const cli_opt *t = cli_opt_table(&n);
    fputs(all ? all_usage : brief_usage, f);
    for (size_t i = 0; i < n; i++)
        if (t[i].type != CLI_GONE && !(t[i].flags & CLI_PRIMITIVE) &&
            (all || (t[i].flags & CLI_BRIEF)))
            put_option(f, &t[i], &def);
    if (all) {
        fputs("\nprimitive's flags (its -i -o -n -r -s -j -v mean the same here):\n", f);
        for (size_t i = 0; i < n; i++)
            if (t[i].flags & CLI_PRIMITIVE)
                put_option(f, &t[i], &def);
    }
    fputs(all ? exit_text : "\nexit: 0 done, 1 error, 2 usage error, 129/130/143 stopped "
                            "(--resume goes on)\n",
          f);
}
