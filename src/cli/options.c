/* options: argv -> cli_options through the option table (optable.c), the state file's settings
 * back into them, and the messages that help a user recover from a mistyped command. */
#include "options.h"

#include "optable.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef PE_VERSION_STRING
#define PE_VERSION_STRING "0"
#endif

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 3, 4)))
#endif
static int fail(char *err, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
    return CLI_USAGE;
}

static size_t index_of(const cli_opt *d)
{
    size_t n;
    return (size_t)(d - cli_opt_table(&n));
}

/* The fields that follow from the table's own (see cli_options). */
static void derive(cli_options *o)
{
    o->pe.background_auto = o->background == CLI_BG_AUTO;
    o->pe.transparent = o->background == CLI_BG_NONE;
    if (o->background >= 0)
        for (int c = 0; c < 3; c++)
            o->pe.background[c] = (unsigned char)((unsigned)o->background >> (16 - 8 * c));
    o->spacing_psnr = o->spacing == CLI_SPACING_PSNR;
    o->pe.frame_spacing = o->spacing == CLI_SPACING_LOG ? PE_FRAMES_LOG : PE_FRAMES_LINEAR;
    o->pe.weight_auto = !strcmp(o->weight, "auto");
    o->weight_path = o->pe.weight_auto || !strcmp(o->weight, "none") ? NULL : o->weight;
    char *end;
    const long n = strtol(o->palette, &end, 10);
    const bool count = *o->palette && !*end;
    o->palette_path = count || !strcmp(o->palette, "none") ? NULL : o->palette;
    o->pe.palette_size = count ? (int)n : 0;
    o->pe.palette = NULL;
    if (o->given[index_of(cli_opt_find("frames", 6, false))])
        o->anim_frames = o->pe.frames;
}

/* Every option's value as text, kept in o for cli_given and cli_settings (text[i] holds it when
 * it had to be formatted; strings are pointed to where they live). */
static void write_texts(cli_options *o)
{
    size_t n;
    const cli_opt *t = cli_opt_table(&n);
    for (size_t i = 0; i < n; i++)
        (void)cli_opt_text(&t[i], o, o->text[i], sizeof o->text[i]);
}

void cli_defaults(cli_options *o)
{
    memset(o, 0, sizeof *o);
    o->pe = pe_options_default();
    o->max_pixels = pe_load_limits_default().max_pixels;
    o->background = o->pe.transparent       ? CLI_BG_NONE
                    : o->pe.background_auto ? CLI_BG_AUTO
                                            : o->pe.background[0] << 16 |
                                                  o->pe.background[1] << 8 | o->pe.background[2];
    o->spacing = CLI_SPACING_PSNR; /* the CLI's own: no stretch of the frames stands still */
    o->weight = o->pe.weight_auto ? "auto" : "none";
    o->palette = "none";
    o->anim_frames = 120;
    o->hold = 2.5; /* primitive's hold of the last frame */
    o->frame_size = -1; /* from -s, at most 1080 px (sizes.c) */
    o->warm_iterations = 1;
    o->first_frame = 1;
    o->frame_step = 1;
    o->prim_mode = 1;
    derive(o);
}

/* ---------------------------------------------------------------- did you mean */

/* Edit distance with transpositions (Damerau-Levenshtein, optimal string alignment). */
static size_t distance(const char *a, size_t na, const char *b, size_t nb)
{
    enum { MAXLEN = 40 };
    if (na >= MAXLEN || nb >= MAXLEN)
        return SIZE_MAX;
    size_t d[MAXLEN + 1][MAXLEN + 1];
    for (size_t i = 0; i <= na; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= nb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= na; i++)
        for (size_t j = 1; j <= nb; j++) {
            const size_t cost = a[i - 1] != b[j - 1];
            size_t best = d[i - 1][j - 1] + cost;
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[na][nb];
}

/* The option a mistyped word most likely meant: its spelling (--palette, -bg) into buf, or ""
 * when none is close (a prefix of one name, or at most a third of the letters wrong). */
static void suggest(const char *word, size_t len, char *buf, size_t buf_len)
{
    size_t n, best = SIZE_MAX;
    const cli_opt *t = cli_opt_table(&n);
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < 2; k++) {
            const char *name = k ? t[i].dash : t[i].name;
            if (!name || t[i].type == CLI_GONE)
                continue;
            const size_t nl = strlen(name);
            size_t d = distance(word, len, name, nl);
            if (len >= 3 && len < nl && !strncmp(word, name, len))
                d = 1; /* a prefix: --tri */
            const size_t limit = (nl > len ? nl : len) / 3;
            if (d <= (limit > 2 ? limit : 2) && d < best && (d < len || len > 2)) {
                best = d;
                snprintf(buf, buf_len, "%s%s", k ? "-" : "--", name);
            }
        }
}

static int unknown(const char *arg, char *err, size_t err_len)
{
    const char *word = arg + (arg[1] == '-' ? 2 : 1);
    const char *eq = strchr(word, '=');
    char hint[48];
    suggest(word, eq ? (size_t)(eq - word) : strlen(word), hint, sizeof hint);
    if (hint[0])
        return fail(err, err_len, "unknown option '%s': did you mean %s? (see --help-all)", arg,
                    hint);
    return fail(err, err_len, "unknown option '%s' (see --help-all)", arg);
}

/* ---------------------------------------------------------------- one option */

static int bad_value(const cli_opt *d, const char *v, char *err, size_t err_len)
{
    char what[200];
    cli_opt_expects(d, what, sizeof what);
    const cli_opt *t = cli_opt_target(d);
    /* 1e-400 is inside "from 0 to ...": the range alone would not say why it is refused */
    const char *why = t->type == CLI_DOUBLE && cli_opt_underflows(v)
                          ? "too small for a double (the least above 0 is about 4.9e-324); "
                          : "";
    if (d->name)
        return fail(err, err_len, "invalid value '%s' for --%s: %s%s", v, d->name, why, what);
    if (t != d)
        return fail(err, err_len, "invalid value '%s' for -%s (primitive's; here --%s): %s%s", v,
                    d->dash, t->name, why, what);
    return fail(err, err_len, "invalid value '%s' for -%s: %s%s", v, d->dash, why, what);
}

/* Set d from v (NULL for a flag). */
static int set(cli_options *o, const cli_opt *d, const char *v, char *err, size_t err_len)
{
    const cli_opt *t = cli_opt_target(d);
    if (d->type == CLI_OUTPUT) {
        if (o->noutputs == CLI_MAX_OUTPUTS)
            return fail(err, err_len, "-o given more than %d times", CLI_MAX_OUTPUTS);
        o->outputs[o->noutputs++] = v;
        if (!o->output)
            o->output = v;
    } else if (d->type == CLI_INPUT) {
        if (o->input)
            return fail(err, err_len, "more than one input ('%s' and '%s')", o->input, v);
        o->input = v;
    } else if (cli_opt_read(d, o, v ? v : "") != CLI_READ_OK) {
        return bad_value(d, v ? v : "", err, err_len);
    }
    o->given[index_of(t)] = true;
    o->recorded[index_of(t)] = NULL;
    return CLI_OK;
}

/* The option arg names, and its value: attached (-n250, --triangles=250) or the next
 * argument (*i moves past it). An attached value must be one of the option's type: -rep is
 * primitive's flag or nothing, never -r ep. Returns CLI_OK with *d NULL when arg is no
 * option (an input). */
static int take(int argc, char **argv, int *i, const cli_opt **d, const char **v, char *err,
                size_t err_len)
{
    const char *a = argv[*i];
    *d = NULL;
    *v = NULL;
    if (a[0] != '-' || a[1] == '\0')
        return CLI_OK;
    const bool dash = a[1] != '-';
    const char *name = a + (dash ? 1 : 2);
    const char *eq = dash ? NULL : strchr(name, '=');
    const size_t len = eq ? (size_t)(eq - name) : strlen(name);
    const cli_opt *found = cli_opt_find(name, len, dash);
    if (!found && dash && len > 1) { /* -n250: a short option and an attached number */
        const cli_opt *s = cli_opt_find(name, 1, true);
        cli_options scratch;
        if (s && (s->type == CLI_INT || s->type == CLI_U64 || s->type == CLI_DOUBLE ||
                  s->type == CLI_OPACITY8) &&
            cli_opt_read(s, &scratch, name + 1) != CLI_READ_SYNTAX) {
            found = s;
            *v = name + 1;
        }
    }
    if (!found)
        return unknown(a, err, err_len);
    if (found->type == CLI_GONE)
        return fail(err, err_len, "%s", found->help);
    const bool takes = found->type != CLI_FLAG && found->type != CLI_HELP &&
                       found->type != CLI_VERSION;
    if (eq && !takes)
        return fail(err, err_len, "--%.*s takes no value", (int)len, name);
    if (eq)
        *v = eq + 1;
    if (takes && !*v) {
        if (*i + 1 >= argc)
            return fail(err, err_len, "%s needs a value (%s)", a, found->arg);
        *v = argv[++*i];
        if (!**v && (found->type == CLI_OUTPUT || found->type == CLI_INPUT))
            return fail(err, err_len, "%s needs a value (%s)", a, found->arg);
    }
    *d = found;
    return CLI_OK;
}

/* ---------------------------------------------------------------- whole command lines */

static const char *const primitive_modes[] = { "any shape",       "triangles", "rectangles",
                                               "ellipses",        "circles",   "rotated rectangles",
                                               "Bezier curves",   "rotated ellipses",
                                               "polygons" };

/* primitive's flags that have no equal here: one line saying what to type instead. */
static int check_primitive(const cli_options *o, char *err, size_t err_len)
{
    if (o->prim_mode != 1)
        return fail(err, err_len, "-m %d: polyevolve draws triangles only (primitive's -m 1), "
                                  "not %s: drop -m",
                    o->prim_mode, primitive_modes[o->prim_mode]);
    if (o->prim_nth > 0) {
        const int frames = (o->pe.triangles + o->prim_nth - 1) / o->prim_nth;
        return fail(err, err_len, "-nth is primitive's frame interval: polyevolve writes at most "
                                  "N frames spread over the run with --frames N (for -n %d "
                                  "-nth %d: --frames %d)",
                    o->pe.triangles, o->prim_nth, frames);
    }
    if (o->prim_rep > 0)
        return fail(err, err_len, "-rep %d: primitive's extra shapes per step with a reduced "
                                  "search have no equal here: drop -rep (--time SECONDS bounds "
                                  "a run)",
                    o->prim_rep);
    return CLI_OK;
}

/* Each of the page's sides must keep room for a picture inside the margins. */
static int check_page(const cli_options *o, char *err, size_t err_len)
{
    const cli_page *p = &o->page;
    const double side = p->width < p->height ? p->width : p->height;
    if (p->width > 0 && side - 2 * o->margin_pt < 72.0 / 25.4)
        return fail(err, err_len, "--margin: twice the margin leaves less than 1mm of the "
                                  "page's shorter side (--page %s: %.1fmm)",
                    p->name, side * 25.4 / 72.0);
    return CLI_OK;
}

static int check_parsed(cli_options *o, char *err, size_t err_len)
{
    if (o->command == CLI_SEQUENCE) {
        if (o->ninputs == 0)
            return fail(err, err_len, "sequence: no input given (image files, a directory or a "
                                      "video; see --help)");
        if (o->resume && o->output && strcmp(o->resume, o->output))
            return fail(err, err_len, "sequence: --resume DIR is the output directory: give -o "
                                      "or --resume, not two different ones");
        if (!o->output)
            o->output = o->resume ? o->resume : "out";
        return CLI_OK;
    }
    if (o->command == CLI_RUN && !o->input && !o->resume)
        return fail(err, err_len, "no input image given (see --help)");
    if (o->command == CLI_RUN && o->input && o->resume)
        return fail(err, err_len, "give either an input image or --resume, not both");
    if (o->init && o->resume)
        return fail(err, err_len, "give either --init or --resume, not both");
    if (o->command != CLI_RUN && !o->input)
        return fail(err, err_len, "no state file given (see --help)");
    if (o->command == CLI_RENDER && !o->output)
        return fail(err, err_len, "render needs -o OUT.png, OUT.svg or OUT.pdf");
    if (o->command != CLI_RUN && o->noutputs > 1)
        return fail(err, err_len, "%s takes one -o",
                    o->command == CLI_RENDER ? "render" : "animate");
    if (!o->output)
        o->output = "out";
    return CLI_OK;
}

/* The command word, if any: the index of the first argument after it. */
static int command(int argc, char **argv, cli_options *o)
{
    static const struct {
        const char *word;
        cli_command cmd;
    } words[] = { { "render", CLI_RENDER }, { "animate", CLI_ANIMATE },
                  { "sequence", CLI_SEQUENCE } };
    for (size_t k = 0; argc > 1 && k < sizeof words / sizeof words[0]; k++)
        if (!strcmp(argv[1], words[k].word)) {
            o->command = words[k].cmd;
            return 2;
        }
    return 1;
}

static int restrict_to(const cli_options *o, const cli_opt *d, char *err, size_t err_len)
{
    if ((d->flags & CLI_RUN_ONLY) && o->command != CLI_RUN)
        return fail(err, err_len, "--%s is for a single run (a sequence starts from its previous "
                                  "frame)",
                    d->name);
    if ((d->flags & CLI_SEQ_ONLY) && o->command != CLI_SEQUENCE)
        return fail(err, err_len, "--%s is an option of 'polyevolve sequence'", d->name);
    return CLI_OK;
}

int cli_parse(int argc, char **argv, cli_options *o, char *err, size_t err_len)
{
    cli_defaults(o);
    int i = command(argc, argv, o);
    if (o->command == CLI_SEQUENCE && !(o->inputs = malloc((size_t)argc * sizeof *o->inputs)))
        return fail(err, err_len, "out of memory");
    for (; i < argc; i++) {
        const cli_opt *d;
        const char *v;
        int rc = take(argc, argv, &i, &d, &v, err, err_len);
        if (rc != CLI_OK)
            return rc;
        if (!d && o->command == CLI_SEQUENCE) { /* any number of inputs */
            o->inputs[o->ninputs++] = argv[i];
            continue;
        }
        if (!d && o->input)
            return fail(err, err_len, "more than one input ('%s' and '%s')", o->input, argv[i]);
        if (!d) {
            o->input = argv[i];
            continue;
        }
        if (d->type == CLI_HELP) {
            cli_usage(stdout, d->lo > 0);
            return CLI_EXIT_OK;
        }
        if (d->type == CLI_VERSION) {
            printf("polyevolve %s\n", PE_VERSION_STRING);
            return CLI_EXIT_OK;
        }
        if ((rc = restrict_to(o, d, err, err_len)) != CLI_OK ||
            (rc = set(o, d, v, err, err_len)) != CLI_OK)
            return rc;
    }
    derive(o);
    write_texts(o);
    int rc;
    if ((rc = check_primitive(o, err, err_len)) != CLI_OK ||
        (rc = check_page(o, err, err_len)) != CLI_OK)
        return rc;
    return check_parsed(o, err, err_len);
}

/* ---------------------------------------------------------------- settings and state files */

static const cli_opt *by_name(const char *name)
{
    const cli_opt *d = cli_opt_find(name, strlen(name), false);
    return d && d->type != CLI_GONE ? d : NULL;
}

int cli_apply(cli_options *o, const char *name, const char *value, char *err, size_t err_len)
{
    const cli_opt *d = by_name(name);
    if (!d || d->type == CLI_OUTPUT || d->type == CLI_INPUT || d->type == CLI_HELP ||
        d->type == CLI_VERSION)
        return fail(err, err_len, "unknown option --%s", name);
    const size_t k = index_of(d);
    if (o->given[k]) /* the command line wins over a stored setting */
        return CLI_OK;
    if (cli_opt_read(d, o, value ? value : "") != CLI_READ_OK)
        return bad_value(d, value ? value : "", err, err_len);
    derive(o);
    (void)cli_opt_text(d, o, o->text[k], sizeof o->text[k]);
    o->recorded[k] = NULL;
    return CLI_OK;
}

static const char *stored(const pe_state *st, const char *key)
{
    for (size_t i = 0; i < st->option_count; i++)
        if (!strcmp(st->option_keys[i], key))
            return st->option_values[i];
    return NULL;
}

int cli_apply_state(cli_options *o, const pe_state *st, char *err, size_t err_len)
{
    for (size_t i = 0; i < st->option_count; i++) {
        const char *k = st->option_keys[i], *v = st->option_values[i];
        const size_t kl = strlen(k), sl = strlen(CLI_PATH_KEY_SUFFIX);
        /* the pictures' metadata kept beside the settings, and the tile grid of older
         * versions: there is none now */
        if (!strcmp(k, "software") || !strcmp(k, "input") || !strcmp(k, "input-hash") ||
            !strcmp(k, "weight-hash") || !strcmp(k, "frame") || !strcmp(k, "tiles") ||
            (kl > sl && !strcmp(k + kl - sl, CLI_PATH_KEY_SUFFIX)))
            continue;
        char path_key[64];
        snprintf(path_key, sizeof path_key, "%s%s", k, CLI_PATH_KEY_SUFFIX);
        const char *path = stored(st, path_key); /* the file itself, not its name */
        const int rc = cli_apply(o, k, path ? path : v, err, err_len);
        if (rc != CLI_OK)
            return rc;
    }
    return CLI_OK;
}

const char *cli_given(const cli_options *o, const char *name)
{
    const cli_opt *d = by_name(name);
    if (!d || !o->given[index_of(d)])
        return NULL;
    char buf[CLI_TEXT_LEN];
    const char *s = cli_opt_text(d, o, buf, sizeof buf);
    return s == buf ? o->text[index_of(d)] : s;
}

void cli_record(cli_options *o, const char *name, const char *value)
{
    const cli_opt *d = by_name(name);
    if (d)
        o->recorded[index_of(d)] = value;
}

size_t cli_settings(const cli_options *o, const char **keys, const char **values, size_t cap)
{
    size_t n = 0, count;
    const cli_opt *t = cli_opt_table(&count);
    for (size_t i = 0; i < count && n < cap; i++) {
        if (!(t[i].flags & CLI_RECORD))
            continue;
        char buf[CLI_TEXT_LEN];
        const char *s = cli_opt_text(&t[i], o, buf, sizeof buf);
        keys[n] = t[i].name;
        values[n++] = o->recorded[i] ? o->recorded[i] : s == buf ? o->text[i] : s;
    }
    return n;
}
