/* options: the command line. Every run option has one table entry with its long name, its
 * setter and its help line, so --help, parsing and state files cannot disagree. */
#include "options.h"
#include "optshow.h"
#include "sizes.h"
#include "waitpolicy.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
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

static int parse_long(const char *s, long long lo, long long hi, long long *out)
{
    if (!s || !*s)
        return -1;
    char *end;
    errno = 0;
    const long long v = strtoll(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int parse_double(const char *s, double lo, double hi, double *out)
{
    if (!s || !*s)
        return -1;
    char *end;
    errno = 0;
    const double v = strtod(s, &end);
    if (errno || *end || !(v >= lo && v <= hi))
        return -1;
    *out = v;
    return 0;
}

typedef int (*setter)(cli_options *o, const char *v);

static int set_triangles(cli_options *o, const char *v)
{
    long long n;
    if (parse_long(v, 1, 1000000, &n))
        return -1;
    o->pe.triangles = (int)n;
    return 0;
}

static int set_resize(cli_options *o, const char *v)
{
    long long n;
    if (parse_long(v, 0, 100000, &n))
        return -1;
    o->pe.resize = (int)n;
    return 0;
}

static int set_size(cli_options *o, const char *v)
{
    long long n;
    if (parse_long(v, 0, CLI_MAX_SIZE, &n)) /* larger: the PNG writer would refuse it at the end */
        return -1;
    o->size = (int)n;
    return 0;
}

static int set_threads(cli_options *o, const char *v)
{
    long long n;
    if (parse_long(v, 0, 1024, &n))
        return -1;
    o->pe.threads = (int)n;
    return 0;
}

static int set_seed(cli_options *o, const char *v)
{
    if (!v || !*v || *v == '-')
        return -1;
    char *end;
    errno = 0;
    const unsigned long long s = strtoull(v, &end, 10);
    if (errno || *end)
        return -1;
    o->pe.seed = s;
    return 0;
}

static int set_iterations(cli_options *o, const char *v)
{
    long long n;
    if (parse_long(v, 0, 1000000, &n))
        return -1;
    o->pe.iterations = (int)n;
    return 0;
}

static int set_time(cli_options *o, const char *v)
{
    return parse_double(v, 0.0, 1e7, &o->pe.time_limit);
}

static int set_target(cli_options *o, const char *v)
{
    return parse_double(v, 0.0, 200.0, &o->pe.target_psnr);
}

static int hex(char c)
{
    return c >= '0' && c <= '9' ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

static int set_background(cli_options *o, const char *v)
{
    if (!strcmp(v, "auto")) {
        o->pe.background_auto = true;
        o->pe.transparent = false;
        return 0;
    }
    if (!strcmp(v, "none")) {
        o->pe.background_auto = false;
        o->pe.transparent = true;
        return 0;
    }
    if (v[0] != '#' || strlen(v) != 7)
        return -1;
    for (int c = 0; c < 3; c++) {
        const int hi = hex(v[1 + 2 * c]), lo = hex(v[2 + 2 * c]);
        if (hi < 0 || lo < 0)
            return -1;
        o->pe.background[c] = (unsigned char)(16 * hi + lo);
    }
    o->pe.background_auto = false;
    o->pe.transparent = false;
    return 0;
}

static int set_frames(cli_options *o, const char *v)
{
    long long n;
    if (parse_long(v, 0, 100000, &n))
        return -1;
    o->pe.frames = (int)n;
    o->anim_frames = (int)n;
    return 0;
}

static int set_spacing(cli_options *o, const char *v)
{
    o->spacing_psnr = !strcmp(v, "psnr");
    if (o->spacing_psnr)
        return 0;
    if (!strcmp(v, "linear"))
        o->pe.frame_spacing = PE_FRAMES_LINEAR;
    else if (!strcmp(v, "log"))
        o->pe.frame_spacing = PE_FRAMES_LOG;
    else
        return -1;
    return 0;
}

static int set_max_pixels(cli_options *o, const char *v)
{
    long long n;
    if (parse_long(v, 1, 1000000000000LL, &n))
        return -1;
    o->max_pixels = (uint64_t)n;
    return 0;
}

/* --alpha: a fraction in (0, 1], or an 8-bit level above 1 up to 255 (primitive's -a 128). */
static int set_alpha(cli_options *o, const char *v)
{
    double a;
    if (!strcmp(v, "auto")) {
        o->pe.alpha = 0.0;
        return 0;
    }
    if (parse_double(v, 0.0, 255.0, &a) || !(a > 0.0))
        return -1;
    o->pe.alpha = a <= 1.0 ? a : a / 255.0;
    return 0;
}

static int set_weight(cli_options *o, const char *v)
{
    o->pe.weight_auto = !strcmp(v, "auto");
    o->weight_path = !strcmp(v, "none") || o->pe.weight_auto || !*v ? NULL : v;
    return *v ? 0 : -1;
}

/* --palette: a count of colours to extract, or a file (anything that is not a number). */
static int set_palette(cli_options *o, const char *v)
{
    long long n;
    o->palette_path = NULL;
    o->pe.palette = NULL;
    o->pe.palette_size = 0;
    if (!strcmp(v, "none"))
        return 0;
    if (!*v)
        return -1;
    if (isdigit((unsigned char)v[0]) || ((v[0] == '-' || v[0] == '+') && isdigit((unsigned char)v[1]))) {
        if (parse_long(v, 1, 256, &n))
            return -1;
        o->pe.palette_size = (int)n;
        return 0;
    }
    o->palette_path = v;
    return 0;
}

typedef struct option_def {
    char short_name;
    const char *name;
    const char *arg;
    setter set;
    shower show;
    const char *help; /* "(default X)" is added from show */
} option_def;

static const option_def table[] = {
    { 'n', "triangles", "N", set_triangles, cli_show_triangles, "triangles in the whole picture" },
    { 'r', "resize", "N", set_resize, cli_show_resize,
      "work at this longest side in pixels, 0 = input size" },
    { 's', "size", "N", set_size, cli_show_size,
      "longest side of all outputs and frames (PDF: points), 0 = input size" },
    { 'j', "threads", "N", set_threads, cli_show_threads, "threads, 0 = all cores" },
    { 0, "seed", "N", set_seed, cli_show_seed, "random seed" },
    { 0, "iterations", "N", set_iterations, cli_show_iterations,
      "refinement rounds over every triangle, 0 = 2 (or until --time)" },
    { 0, "time", "SECONDS", set_time, cli_show_time,
      "finish within this wall time (no step starts that is expected to end past it), "
      "0 = no limit" },
    { 0, "target-psnr", "DB", set_target, cli_show_target,
      "stop once the working PSNR reaches DB, 0 = never" },
    { 0, "background", "auto|none|#RRGGBB", set_background, cli_show_background,
      "canvas colour: auto = mean colour, none = transparent" },
    { 0, "frames", "N", set_frames, cli_show_frames,
      "PNG frames (DIR/frames or the -o pattern), at most N, 0 = none" },
    { 0, "frame-spacing", "psnr|linear|log", set_spacing, cli_show_spacing,
      "frames by PSNR gained, evenly over the work, or dense early" },
    { 0, "max-pixels", "N", set_max_pixels, cli_show_max_pixels, "refuse input images with more pixels" },
    { 0, "alpha", "A|auto", set_alpha, cli_show_alpha,
      "every triangle's opacity: a fraction 0-1, or 8 bits above 1 (128 = half); auto = "
      "fitted" },
    { 0, "weight", "MASK|auto|none", set_weight, cli_show_weight,
      "importance mask (grayscale image: black ignored, white full), or auto = local contrast" },
    { 0, "palette", "N|FILE|none", set_palette, cli_show_palette,
      "colours: N extracted from the image, or a file of #RRGGBB or a GIMP .gpl" },
};
enum { NOPT = sizeof table / sizeof table[0] };

/* Lengths for --page: a number and a unit, in PostScript points. */
static int parse_page(const char *v, double *pt)
{
    static const struct {
        const char *unit;
        double pt;
    } units[] = {
        { "pt", 1.0 },
        { "in", 72.0 },
        { "cm", 72.0 / 2.54 },
        { "mm", 72.0 / 25.4 },
    };
    char *end;
    errno = 0;
    const double x = v && *v ? strtod(v, &end) : -1.0;
    if (errno || !(x > 0.0))
        return -1;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (!strcmp(end, units[i].unit) && x * units[i].pt <= 14400.0) {
            *pt = x * units[i].pt; /* 14400 pt = 200 in: the largest page PDF readers accept */
            return 0;
        }
    return -1;
}

static void usage(FILE *f, const cli_options *o)
{
    fprintf(f,
            "usage: polyevolve INPUT|- [options]        approximate an image with triangles\n"
            "       polyevolve --resume DIR|STATE [options]  continue an interrupted run\n"
            "       polyevolve render STATE.json -o OUT.png|.jpg|.svg|.pdf [-s N] [--page L]\n"
            "       polyevolve animate STATE.json -o DIR [--frames N] [--seed N]\n"
            "       polyevolve sequence INPUT... -o DIR [--resume DIR] [options]\n"
            "                                           frames coherent over a sequence\n\n"
            "INPUT - reads the image from stdin. -o may be given up to 16 times:\n"
            "  DIR or DIR/     DIR/final.png, final.svg, final.pdf, state.json, log.csv, frames/\n"
            "                  (any other path that is not a file is a directory)\n"
            "  FILE.png|.jpg|.svg|.pdf  that one picture (JPEG: over white)\n"
            "  -               the SVG on stdout (the summary then goes to stderr)\n"
            "  NAME%%03d.png    the frames, numbered from 1 (instead of DIR/frames)\n\n"
            "options:\n");
    fprintf(f, "  -o, --output PATH      where to write, as above (default NAME/ for INPUT NAME.ext)\n"
               "                         (NAME-2/.. when NAME/ holds another run; stdin: out/)\n");
    for (int i = 0; i < NOPT; i++) {
        char left[64];
        if (table[i].short_name)
            snprintf(left, sizeof left, "-%c, --%s %s", table[i].short_name, table[i].name,
                     table[i].arg);
        else
            snprintf(left, sizeof left, "    --%s %s", table[i].name, table[i].arg);
        fprintf(f, "  %-22s %s (default %s)\n", left, table[i].help, o->def_text[i]);
    }
    fprintf(f, "      --init STATE       start from this state file, scaled to the image\n"
               "      --warm-iterations N  sequence: rounds of a frame started warm (default 1)\n"
               "      --first-frame N    sequence: number of the first frame written (default 1)\n"
               "      --keyframe-every K sequence: frames 1+K, 1+2K.. chain (default 0)\n"
               "      --frame-step N     sequence: frame numbers go up by N (default 1)\n");
    fprintf(f, "      --page LENGTH      PDF page's longest side for print: 30cm, 300mm, 12in or "
               "864pt\n                         (default: 1 pt per pixel of -s or the input)\n"
               "      --state FILE       checkpoints and the final state, to resume from "
               "(default DIR/state.json)\n"
               "      --log FILE         log.csv (default DIR/log.csv)\n"
               "      --no-metadata      pictures carry no settings, software or input name\n"
               "      --force            write into a place that holds another run's files\n"
               "      --allow-damaged    sequence: a damaged video's readable frames are enough\n"
               "  -i, --input PATH       the input image (as primitive's -i)\n"
               "      --resume DIR|STATE continue the run whose state is DIR/state.json or STATE\n"
               "  -v, --verbose          one line per frame/checkpoint when stderr is not a "
               "terminal\n"
               "  -q, --quiet            no progress and no summary\n"
               "  -h, --help             this text\n"
               "  -V, --version          the version\n\n"
               "exit status: 0 done, 1 runtime error, 2 usage error, 129/130/143 stopped by "
               "SIGHUP/SIGINT/SIGTERM\n(outputs and state are still written; --resume "
               "continues).\n");
}

int cli_apply(cli_options *o, const char *name, const char *value, char *err, size_t err_len)
{
    for (int i = 0; i < NOPT; i++) {
        if (strcmp(table[i].name, name))
            continue;
        if (o->given[i]) /* the command line wins over a stored setting */
            return CLI_OK;
        if (table[i].set(o, value))
            return fail(err, err_len, "invalid value '%s' for --%s", value ? value : "", name);
        o->value[i] = value;
        return CLI_OK;
    }
    return fail(err, err_len, "unknown option --%s", name);
}

/* Find the option of arg: "-n", "-n250", "--triangles" or "--triangles=250". *inline_value
 * receives the attached value, if any. */
static const option_def *find(const char *arg, const char **inline_value)
{
    *inline_value = NULL;
    for (int i = 0; i < NOPT; i++) {
        if (arg[1] != '-' && arg[1] == table[i].short_name) {
            *inline_value = arg[2] ? arg + 2 : NULL;
            return &table[i];
        }
        const size_t n = strlen(table[i].name);
        if (arg[1] == '-' && !strncmp(arg + 2, table[i].name, n) &&
            (arg[2 + n] == '\0' || arg[2 + n] == '=')) {
            *inline_value = arg[2 + n] == '=' ? arg + 3 + n : NULL;
            return &table[i];
        }
    }
    return NULL;
}

/* The sequence command's defaults and room for its inputs. */
static int seq_init(cli_options *o, int argc)
{
    o->command = CLI_SEQUENCE;
    o->warm_iterations = 1;
    o->first_frame = 1;
    o->frame_step = 1;
    o->inputs = malloc((size_t)argc * sizeof *o->inputs);
    return o->inputs ? CLI_OK : CLI_USAGE;
}

enum { CLI_NOT_MINE = 1 };

/* The flags of sequence and --init: not settings of a picture, so not in the table.
 * CLI_NOT_MINE when a is none of them. */
static int seq_flag(cli_options *o, const char *a, const char *v, char *err, size_t err_len)
{
    if (strcmp(a, "--init") && strcmp(a, "--warm-iterations") && strcmp(a, "--first-frame") &&
        strcmp(a, "--keyframe-every") && strcmp(a, "--frame-step"))
        return CLI_NOT_MINE;
    if (!v || !*v)
        return fail(err, err_len, "%s needs a value", a);
    if (!strcmp(a, "--init")) {
        if (o->command != CLI_RUN)
            return fail(err, err_len, "--init is for a single run (a sequence starts from its "
                                      "previous frame)");
        o->init = v;
        return CLI_OK;
    }
    if (o->command != CLI_SEQUENCE)
        return fail(err, err_len, "%s is an option of 'polyevolve sequence'", a);
    long long n;
    const bool first = !strcmp(a, "--first-frame"), warm = !strcmp(a, "--warm-iterations");
    const bool step = !strcmp(a, "--frame-step");
    if (parse_long(v, first || warm || step ? 1 : 0, first ? 99999 : 1000000, &n))
        return fail(err, err_len, "invalid value '%s' for %s", v, a);
    if (first)
        o->first_frame = (int)n;
    else if (warm)
        o->warm_iterations = (int)n;
    else if (step)
        o->frame_step = (int)n;
    else
        o->keyframe_every = (int)n;
    return CLI_OK;
}

static int seq_check(cli_options *o, char *err, size_t err_len)
{
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

/* Options of the CLI itself, not of the picture: never stored in a state file. Returns 1 when
 * arg was one (taking its value from argv[*i + 1]), 0 when not, CLI_USAGE on error. */
static int parse_cli_only(int argc, char **argv, int *i, cli_options *o, char *err, size_t len)
{
    const char *a = argv[*i];
    static const char *const flag_names[] = { "-q",           "--quiet", "-v",
                                              "--verbose",    "--no-metadata", "--force",
                                              "--allow-damaged" };
    static const char *const value_names[] = { "-o",    "--output", "--resume", "--state",
                                               "--log", "--page",   "-i",       "--input" };
    for (size_t k = 0; k < sizeof flag_names / sizeof flag_names[0]; k++) {
        if (strcmp(a, flag_names[k]))
            continue;
        if (k < 2)
            o->quiet = true;
        else if (k < 4)
            o->verbose = true;
        else if (k == 4)
            o->no_metadata = true;
        else if (k == 5)
            o->force = true;
        else
            o->allow_damaged = true;
        return 1;
    }
    size_t k = 0;
    while (k < sizeof value_names / sizeof value_names[0] && strcmp(a, value_names[k]))
        k++;
    if (k == sizeof value_names / sizeof value_names[0])
        return 0;
    if (*i + 1 >= argc || !*argv[*i + 1])
        return fail(err, len, "%s needs a value", a);
    const char *v = argv[++*i];
    if (k < 2) {
        if (o->noutputs == CLI_MAX_OUTPUTS)
            return fail(err, len, "-o given more than %d times", CLI_MAX_OUTPUTS);
        o->outputs[o->noutputs++] = v;
        if (!o->output)
            o->output = v;
    } else if (k == 2) {
        o->resume = v;
    } else if (k == 3) {
        o->state_path = v;
    } else if (k == 4) {
        o->log_path = v;
    } else if (k == 5) {
        if (parse_page(v, &o->page_pt))
            return fail(err, len,
                        "invalid value '%s' for --page (a length such as 30cm, 300mm, "
                        "12in or 864pt, at most 200in)",
                        v);
    } else {
        if (o->input)
            return fail(err, len, "more than one input ('%s' and '%s')", o->input, v);
        o->input = v;
    }
    return 1;
}

static int check_parsed(cli_options *o, char *err, size_t err_len)
{
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
    return CLI_OK;
}

int cli_parse(int argc, char **argv, cli_options *o, char *err, size_t err_len)
{
    memset(o, 0, sizeof *o);
    o->pe = pe_options_default(); /* the only source of the run's defaults */
    o->max_pixels = pe_load_limits_default().max_pixels;
    o->spacing_psnr = true;
    o->anim_frames = 120;
    for (int k = 0; k < NOPT; k++)
        table[k].show(o, o->def_text[k], sizeof o->def_text[k]);
    int i = 1;
    if (argc > 1 && !strcmp(argv[1], "render")) {
        o->command = CLI_RENDER;
        i = 2;
    } else if (argc > 1 && !strcmp(argv[1], "animate")) {
        o->command = CLI_ANIMATE;
        i = 2;
    } else if (argc > 1 && !strcmp(argv[1], "sequence")) {
        if (seq_init(o, argc) != CLI_OK)
            return fail(err, err_len, "out of memory");
        i = 2;
    }
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout, o);
            return CLI_EXIT_OK;
        }
        if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
            printf("polyevolve %s\nOpenMP wait policy: %s\n", PE_VERSION_STRING, cli_wait_policy());
            return CLI_EXIT_OK;
        }
        const int c = parse_cli_only(argc, argv, &i, o, err, err_len);
        if (c == CLI_USAGE)
            return c;
        if (c)
            continue;
        const int sr = seq_flag(o, a, i + 1 < argc ? argv[i + 1] : NULL, err, err_len);
        if (sr != CLI_NOT_MINE) {
            if (sr != CLI_OK)
                return sr;
            i++;
            continue;
        }
        if (a[0] == '-' && a[1] != '\0') {
            const char *v;
            const option_def *d = find(a, &v);
            if (!d && !strncmp(a, "--tiles", 7))
                return fail(err, err_len, "--tiles is gone: the threads share the work without a "
                                          "tile grid, whatever their number (drop the option)");
            if (!d)
                return fail(err, err_len, "unknown option '%s' (see --help)", a);
            if (!v && i + 1 >= argc)
                return fail(err, err_len, "%s needs a value", a);
            if (!v)
                v = argv[++i];
            if (d->set(o, v))
                return fail(err, err_len, "invalid value '%s' for --%s%s", v, d->name,
                            d->set == set_size ? " (0..23170: a larger square PNG is above the "
                                                 "PNG writer's limit)"
                            : d->set == set_palette ? " (a count of colours is 1-256)"
                                                    : "");
            o->given[d - table] = true;
            o->value[d - table] = v;
            continue;
        }
        if (o->command == CLI_SEQUENCE) { /* any number of inputs */
            o->inputs[o->ninputs++] = a;
            continue;
        }
        if (o->input)
            return fail(err, err_len, "more than one input ('%s' and '%s')", o->input, a);
        o->input = a;
    }
    if (o->command == CLI_SEQUENCE)
        return seq_check(o, err, err_len);
    const int rc = check_parsed(o, err, err_len);
    if (rc != CLI_OK)
        return rc;
    if (!o->output)
        o->output = "out";
    return CLI_OK;
}

const char *cli_given(const cli_options *o, const char *name)
{
    for (int i = 0; i < NOPT; i++)
        if (!strcmp(table[i].name, name))
            return o->given[i] ? o->value[i] : NULL;
    return NULL;
}

void cli_record(cli_options *o, const char *name, const char *value)
{
    for (int i = 0; i < NOPT; i++)
        if (!strcmp(table[i].name, name))
            o->value[i] = value;
}

size_t cli_settings(const cli_options *o, const char **keys, const char **values, size_t cap)
{
    size_t n = 0;
    for (int i = 0; i < NOPT && n < cap; i++) {
        if (table[i].set == set_threads)
            continue; /* never part of the picture: outputs are identical for any count */
        keys[n] = table[i].name;
        values[n++] = o->value[i] ? o->value[i] : o->def_text[i];
    }
    return n;
}
