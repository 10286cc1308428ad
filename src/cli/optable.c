/* optable: the options of the command line, one typed entry each, and the readers and writers
 * of their values. Adding an option is adding a row (and its field in cli_options). */
#include "optable.h"

#include "sizes.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define F(field) offsetof(cli_options, field)

static const char *const spacing_words[] = { "psnr", "linear", "log", NULL };
static const char *const background_words[] = { "auto", "none", NULL };
static const char *const weight_words[] = { "none", "auto", NULL };
static const char *const palette_words[] = { "none", NULL };
static const char *const auto_words[] = { "auto", NULL }; /* an int's -1 */

/* The largest page side PDF readers take (PDF 1.x: 14400 units of 1/72 in), and the smallest
 * that is still a page. */
#define MAX_PAGE_PT 14400.0
#define MIN_PAGE_PT (72.0 / 25.4)

static const cli_opt table[] = {
    { "output", "o", CLI_OUTPUT, 0, 0, 0, NULL, "PATH",
      "DIR, FILE.png|.jpg|.svg|.pdf or -", CLI_BRIEF, NULL },
    { "triangles", "n", CLI_INT, F(pe.triangles), 1, 1000000, NULL, "N",
      "triangles in the picture", CLI_RECORD | CLI_BRIEF, NULL },
    { "resize", "r", CLI_INT, F(pe.resize), 0, 100000, NULL, "N",
      "work at this longest side, 0 = input size", CLI_RECORD | CLI_BRIEF, NULL },
    { "size", "s", CLI_INT, F(size), 0, CLI_MAX_SIZE, NULL, "N",
      "longest side of the outputs, 0 = input size", CLI_RECORD | CLI_BRIEF, NULL },
    { "threads", "j", CLI_INT, F(pe.threads), 0, 1024, NULL, "N",
      "threads, 0 = all cores", CLI_BRIEF, NULL },
    { "seed", NULL, CLI_U64, F(pe.seed), 0, 0, NULL, "N", "random seed", CLI_RECORD | CLI_BRIEF,
      NULL },
    { "iterations", NULL, CLI_INT, F(pe.iterations), 0, 1000000, NULL, "N",
      "refinement rounds over every triangle, 0 = 6 (or until --time)", CLI_RECORD, NULL },
    { "time", NULL, CLI_DOUBLE, F(pe.time_limit), 0, 1e7, NULL, "SECONDS",
      "finish within this wall time, 0 = no limit", CLI_RECORD | CLI_BRIEF, NULL },
    { "target-psnr", NULL, CLI_DOUBLE, F(pe.target_psnr), 0, 200, NULL, "DB",
      "stop once the working PSNR reaches DB, 0 = never", CLI_RECORD, NULL },
    { "background", NULL, CLI_COLOUR, F(background), 0, 0, background_words, "C",
      "canvas: auto, none, #RRGGBB, white..", CLI_RECORD | CLI_BRIEF, NULL },
    { "frames", NULL, CLI_INT, F(pe.frames), 0, 100000, NULL, "N",
      "at most N frames of the run, 0 = none", CLI_RECORD | CLI_BRIEF, NULL },
    { "frame-spacing", NULL, CLI_ENUM, F(spacing), 0, 0, spacing_words, "psnr|linear|log",
      "frames by PSNR gained, evenly over the work, or dense early", CLI_RECORD, NULL },
    { "max-pixels", NULL, CLI_U64, F(max_pixels), 1, 1e12, NULL, "N",
      "refuse input images with more pixels", CLI_RECORD, NULL },
    { "alpha", NULL, CLI_OPACITY, F(pe.alpha), 0, 0, NULL, "A|auto",
      "opacity 0-1, or 1-255 in 8 bits", CLI_RECORD | CLI_BRIEF, NULL },
    { "weight", NULL, CLI_FILE, F(weight), 0, 0, weight_words, "MASK|auto|none",
      "importance per pixel: a grayscale image (black ignored), or auto = local contrast",
      CLI_RECORD, NULL },
    { "palette", NULL, CLI_FILE, F(palette), 1, 256, palette_words, "N|FILE",
      "N colours from the image, or a file", CLI_RECORD | CLI_BRIEF, NULL },
    { "frame-size", NULL, CLI_INT, F(frame_size), 0, CLI_MAX_SIZE, auto_words, "N|auto",
      "frames' and animations' longest side: auto = -s, at most 1080; 0 = input size",
      CLI_RECORD, NULL },
    { "hold", NULL, CLI_DOUBLE, F(hold), 0, 3600, NULL, "SECONDS",
      "how long an animation shows the final picture", CLI_RECORD, NULL },
    { "page", NULL, CLI_PAGE, F(page), 0, 0, NULL, "SIZE",
      "print size: A4, letter, 210x297mm.. or 30cm", CLI_BRIEF, NULL },
    { "margin", NULL, CLI_LENGTH, F(margin_pt), 0, MAX_PAGE_PT / 2, NULL, "LENGTH",
      "blank paper round the picture on the PDF page: 10mm, 0.5in", 0, NULL },
    { "init", NULL, CLI_STRING, F(init), 0, 0, NULL, "STATE",
      "start from this state file, scaled to the image", CLI_RUN_ONLY, NULL },
    { "resume", NULL, CLI_STRING, F(resume), 0, 0, NULL, "DIR|STATE",
      "go on with the run whose state is DIR/state.json or STATE", 0, NULL },
    { "state", NULL, CLI_STRING, F(state_path), 0, 0, NULL, "FILE",
      "checkpoints and the final state (default DIR/state.json)", 0, NULL },
    { "log", NULL, CLI_STRING, F(log_path), 0, 0, NULL, "FILE", "log.csv (default DIR/log.csv)",
      0, NULL },
    { "no-metadata", NULL, CLI_FLAG, F(no_metadata), 0, 0, NULL, NULL,
      "pictures carry no settings, software or input name", 0, NULL },
    { "force", NULL, CLI_FLAG, F(force), 0, 0, NULL, NULL,
      "write into a place that holds another run's files", 0, NULL },
    { "allow-damaged", NULL, CLI_FLAG, F(allow_damaged), 0, 0, NULL, NULL,
      "a damaged video input goes on, with a warning", 0, NULL },
    { "input", "i", CLI_INPUT, 0, 0, 0, NULL, "PATH", "the input image (as giving it alone)", 0,
      NULL },
    { "warm-iterations", NULL, CLI_INT, F(warm_iterations), 1, 1000000, NULL, "N",
      "sequence: rounds of a frame started warm", CLI_SEQ_ONLY, NULL },
    { "first-frame", NULL, CLI_INT, F(first_frame), 1, 99999, NULL, "N",
      "sequence: number of the first frame written", CLI_SEQ_ONLY, NULL },
    { "keyframe-every", NULL, CLI_INT, F(keyframe_every), 0, 1000000, NULL, "K",
      "sequence: frames 1+K, 1+2K.. chain", CLI_SEQ_ONLY, NULL },
    { "frame-step", NULL, CLI_INT, F(frame_step), 1, 1000000, NULL, "N",
      "sequence: frame numbers go up by N", CLI_SEQ_ONLY, NULL },
    { "verbose", "v", CLI_FLAG, F(verbose), 0, 0, NULL, NULL,
      "a line per frame when stderr is not a terminal", CLI_BRIEF, NULL },
    { "quiet", "q", CLI_FLAG, F(quiet), 0, 0, NULL, NULL, "no progress and no summary",
      CLI_BRIEF, NULL },
    { "help", "h", CLI_HELP, 0, 0, 0, NULL, NULL, "this text; --help-all: every option",
      CLI_BRIEF, NULL },
    { "help-all", NULL, CLI_HELP, 0, 1, 0, NULL, NULL, "every option, primitive's flags too", 0,
      NULL },
    { "version", "V", CLI_VERSION, 0, 0, 0, NULL, NULL, "the version", CLI_BRIEF, NULL },
    /* primitive's flags (fogleman/primitive), so that its command lines run or say what to
     * type instead */
    { NULL, "a", CLI_OPACITY8, F(pe.alpha), 0, 255, NULL, "N",
      "alpha 0-255, 0 = auto (--alpha)", CLI_PRIMITIVE, "alpha" },
    { NULL, "bg", CLI_COLOUR, F(background), 0, 0, background_words, "RRGGBB",
      "background colour (--background)", CLI_PRIMITIVE, "background" },
    { NULL, "m", CLI_INT, F(prim_mode), 0, 8, NULL, "MODE", "shapes: 1 = triangles, the only ones",
      CLI_PRIMITIVE, NULL },
    { NULL, "nth", CLI_INT, F(prim_nth), 1, 1000000, NULL, "N",
      "a frame every N shapes: refused, says the --frames to give", CLI_PRIMITIVE, NULL },
    { NULL, "rep", CLI_INT, F(prim_rep), 0, 1000000, NULL, "N",
      "extra shapes per step: 0 only (no such shortcut here)", CLI_PRIMITIVE, NULL },
    { NULL, "vv", CLI_FLAG, F(verbose), 0, 0, NULL, NULL, "very verbose: -v", CLI_PRIMITIVE,
      "verbose" },
    { "tiles", NULL, CLI_GONE, 0, 0, 0, NULL, "RxC",
      "--tiles is gone: the threads share the work without a tile grid, whatever their number "
      "(drop the option)",
      0, NULL },
};
enum { NOPT = sizeof table / sizeof table[0] };
_Static_assert((int)NOPT <= (int)CLI_MAX_OPTIONS, "cli_options' per-option arrays are too small");

const cli_opt *cli_opt_table(size_t *count)
{
    *count = NOPT;
    return table;
}

const cli_opt *cli_opt_find(const char *name, size_t len, bool dash)
{
    for (size_t i = 0; i < NOPT; i++) {
        const char *n = dash ? table[i].dash : table[i].name;
        if (n && strlen(n) == len && !strncmp(n, name, len))
            return &table[i];
    }
    return NULL;
}

const cli_opt *cli_opt_target(const cli_opt *d)
{
    return d->alias ? cli_opt_find(d->alias, strlen(d->alias), false) : d;
}

/* ---------------------------------------------------------------- numbers */

/* A whole number in [lo, hi]. */
static cli_read read_int(const char *v, double lo, double hi, long long *out)
{
    char *end;
    errno = 0;
    const double x = strtod(v, &end);
    if (!*v || isspace((unsigned char)*v) || *end)
        return CLI_READ_SYNTAX;
    errno = 0;
    const long long n = strtoll(v, &end, 10);
    if (errno || *end || !(x >= lo && x <= hi))
        return CLI_READ_RANGE;
    *out = n;
    return CLI_READ_OK;
}

static cli_read read_u64(const char *v, double lo, double hi, uint64_t *out)
{
    char *end;
    (void)strtod(v, &end);
    if (!*v || isspace((unsigned char)*v) || *end)
        return CLI_READ_SYNTAX;
    if (!isdigit((unsigned char)*v))
        return CLI_READ_RANGE;
    errno = 0;
    const unsigned long long n = strtoull(v, &end, 10);
    if (errno || *end || (hi > 0 && !((double)n >= lo && (double)n <= hi)))
        return CLI_READ_RANGE;
    *out = n;
    return CLI_READ_OK;
}

static cli_read read_double(const char *v, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    const double x = strtod(v, &end);
    if (!*v || isspace((unsigned char)*v) || *end)
        return CLI_READ_SYNTAX;
    /* strtod's ERANGE is also a subnormal (1e-320), a number like any other; only an
     * underflow to 0 would read a positive value as another one */
    if (!isfinite(x) || !(x >= lo && x <= hi) || (errno == ERANGE && x == 0))
        return CLI_READ_RANGE;
    *out = x;
    return CLI_READ_OK;
}

bool cli_opt_underflows(const char *v)
{
    char *end;
    errno = 0;
    const double x = strtod(v, &end);
    return *v && !*end && errno == ERANGE && x == 0;
}

/* The shortest text that reads back as x. */
static void put_double(char *buf, size_t len, double x)
{
    for (int digits = 6; digits <= 17; digits++) {
        snprintf(buf, len, "%.*g", digits, x);
        if (strtod(buf, NULL) == x)
            return;
    }
}

/* ---------------------------------------------------------------- colours */

static int hex(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* #RRGGBB, RRGGBB, #RGB or a name (CSS's), as 0xRRGGBB; -1 when none of these (three letters
 * without # are more likely a mistyped word than a colour: "bad"). */
static long read_rgb(const char *v)
{
    static const struct {
        const char *name;
        long rgb;
    } names[] = {
        { "black", 0x000000 },  { "white", 0xffffff },  { "gray", 0x808080 },
        { "grey", 0x808080 },   { "silver", 0xc0c0c0 }, { "red", 0xff0000 },
        { "green", 0x008000 },  { "blue", 0x0000ff },   { "yellow", 0xffff00 },
        { "cyan", 0x00ffff },   { "magenta", 0xff00ff }, { "orange", 0xffa500 },
        { "purple", 0x800080 }, { "navy", 0x000080 },
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcasecmp(v, names[i].name))
            return names[i].rgb;
    const char *h = v[0] == '#' ? v + 1 : v;
    const size_t n = strlen(h);
    if (n != 6 && !(n == 3 && h != v))
        return -1;
    long rgb = 0;
    for (size_t i = 0; i < n; i++) {
        const int d = hex(h[i]);
        if (d < 0)
            return -1;
        rgb = n == 6 ? rgb * 16 + d : rgb * 256 + d * 17; /* #abc is #aabbcc */
    }
    return rgb;
}

/* ---------------------------------------------------------------- lengths and pages */

static const struct {
    const char *name;
    double pt;
    pe_unit unit;
} units[] = {
    { "mm", 72.0 / 25.4, PE_UNIT_MM },
    { "cm", 72.0 / 2.54, PE_UNIT_CM },
    { "in", 72.0, PE_UNIT_IN },
    { "pt", 1.0, PE_UNIT_PT },
};

/* A number followed by a unit, in points; *unit receives the unit. SYNTAX when it is not one. */
static cli_read read_length(const char *v, double *pt, pe_unit *unit)
{
    char *end;
    errno = 0;
    const double x = strtod(v, &end);
    if (end == v || isspace((unsigned char)*v))
        return CLI_READ_SYNTAX;
    if (!*end && x == 0) { /* "0" needs no unit */
        *pt = 0;
        *unit = PE_UNIT_PT;
        return CLI_READ_OK;
    }
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (!strcmp(end, units[i].name)) {
            if (errno || !isfinite(x))
                return CLI_READ_RANGE;
            *pt = x * units[i].pt;
            *unit = units[i].unit;
            return CLI_READ_OK;
        }
    return CLI_READ_SYNTAX;
}

/* Paper sizes in millimetres (ISO 216) and inches (ANSI), portrait. */
static const struct {
    const char *name;
    double w, h;
    pe_unit unit;
} papers[] = {
    { "A0", 841, 1189, PE_UNIT_MM }, { "A1", 594, 841, PE_UNIT_MM },
    { "A2", 420, 594, PE_UNIT_MM },  { "A3", 297, 420, PE_UNIT_MM },
    { "A4", 210, 297, PE_UNIT_MM },  { "A5", 148, 210, PE_UNIT_MM },
    { "A6", 105, 148, PE_UNIT_MM },  { "letter", 8.5, 11, PE_UNIT_IN },
    { "legal", 8.5, 14, PE_UNIT_IN }, { "tabloid", 11, 17, PE_UNIT_IN },
};

static double unit_pt(pe_unit u)
{
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (units[i].unit == u)
            return units[i].pt;
    return 1.0;
}

static cli_read read_page(const char *v, cli_page *out)
{
    cli_page p = { 0 };
    snprintf(p.name, sizeof p.name, "%s", v);
    bool found = false;
    for (size_t i = 0; i < sizeof papers / sizeof papers[0] && !found; i++)
        if (!strcasecmp(v, papers[i].name)) {
            p.width = papers[i].w * unit_pt(papers[i].unit);
            p.height = papers[i].h * unit_pt(papers[i].unit);
            p.unit = papers[i].unit;
            p.turn = found = true;
        }
    char *x = strpbrk(v, "xX");
    if (!found && x) { /* WxH and one unit: 297x420mm */
        char *end;
        const double w = strtod(v, &end);
        if (end != x || x == v)
            return CLI_READ_SYNTAX;
        double h;
        if (read_length(x + 1, &h, &p.unit) != CLI_READ_OK || h == 0)
            return CLI_READ_SYNTAX;
        p.width = w * unit_pt(p.unit);
        p.height = h;
        found = true;
    }
    if (!found) {
        const cli_read r = read_length(v, &p.width, &p.unit);
        if (r != CLI_READ_OK)
            return r;
        p.height = p.width;
        p.longest = true;
    }
    if (!(p.width >= MIN_PAGE_PT && p.width <= MAX_PAGE_PT && p.height >= MIN_PAGE_PT &&
          p.height <= MAX_PAGE_PT))
        return CLI_READ_RANGE;
    *out = p;
    return CLI_READ_OK;
}

/* ---------------------------------------------------------------- reading and writing */

static bool is_word(const char *const *words, const char *v, size_t *index)
{
    for (size_t i = 0; words && words[i]; i++)
        if (!strcmp(words[i], v)) {
            *index = i;
            return true;
        }
    return false;
}

cli_read cli_opt_read(const cli_opt *d, cli_options *o, const char *v)
{
    void *field = (char *)o + d->field;
    long long n;
    double x;
    size_t w;
    cli_read r = CLI_READ_OK;
    switch (d->type) {
    case CLI_INT:
        if (d->words && is_word(d->words, v, &w)) { /* the one word an int takes: -1 */
            *(int *)field = -1;
            return r;
        }
        if ((r = read_int(v, d->lo, d->hi, &n)) == CLI_READ_OK)
            *(int *)field = (int)n;
        return r;
    case CLI_U64: return read_u64(v, d->lo, d->hi, (uint64_t *)field);
    case CLI_DOUBLE: return read_double(v, d->lo, d->hi, (double *)field);
    case CLI_ENUM:
        if (!is_word(d->words, v, &w))
            return CLI_READ_SYNTAX;
        *(int *)field = (int)w;
        return r;
    case CLI_STRING:
        if (!*v)
            return CLI_READ_RANGE;
        *(const char **)field = v;
        return r;
    case CLI_FILE:
        if (!*v)
            return CLI_READ_RANGE;
        if (!is_word(d->words, v, &w) && read_double(v, -HUGE_VAL, HUGE_VAL, &x) != CLI_READ_SYNTAX &&
            (d->hi == 0 || read_int(v, d->lo, d->hi, &n) != CLI_READ_OK))
            return CLI_READ_RANGE; /* a number that is not a count it takes: no file name */
        *(const char **)field = v;
        return r;
    case CLI_COLOUR:
        if (is_word(d->words, v, &w)) {
            *(int *)field = -1 - (int)w;
            return r;
        }
        n = read_rgb(v);
        if (n < 0)
            return CLI_READ_SYNTAX;
        *(int *)field = (int)n;
        return r;
    case CLI_OPACITY:
    case CLI_OPACITY8:
        if (!strcmp(v, "auto")) {
            *(double *)field = 0.0;
            return r;
        }
        if ((r = read_double(v, 0.0, 255.0, &x)) != CLI_READ_OK)
            return r;
        if (d->type == CLI_OPACITY && x == 0.0)
            return CLI_READ_RANGE; /* a fraction of 0 is invisible; auto says "fitted" */
        *(double *)field = d->type == CLI_OPACITY && x <= 1.0 ? x : x / 255.0;
        return r;
    case CLI_LENGTH: {
        pe_unit u;
        if ((r = read_length(v, &x, &u)) != CLI_READ_OK)
            return r;
        if (!(x >= d->lo && x <= d->hi))
            return CLI_READ_RANGE;
        *(double *)field = x;
        return r;
    }
    case CLI_PAGE: return read_page(v, (cli_page *)field);
    case CLI_FLAG: *(bool *)field = true; return r;
    case CLI_OUTPUT:
    case CLI_INPUT:
    case CLI_HELP:
    case CLI_VERSION:
    case CLI_GONE: break; /* the parser's own */
    }
    return CLI_READ_SYNTAX;
}

static const char *file_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}

const char *cli_opt_text(const cli_opt *d, const cli_options *o, char *buf, size_t len)
{
    const void *field = (const char *)o + d->field;
    long long n;
    size_t w;
    buf[0] = '\0';
    switch (d->type) {
    case CLI_INT:
        if (d->words && *(const int *)field == -1)
            return d->words[0];
        snprintf(buf, len, "%d", *(const int *)field);
        break;
    case CLI_U64: snprintf(buf, len, "%" PRIu64, *(const uint64_t *)field); break;
    case CLI_DOUBLE: put_double(buf, len, *(const double *)field); break;
    case CLI_ENUM: return d->words[*(const int *)field];
    case CLI_STRING: {
        const char *s = *(const char *const *)field;
        return s ? s : buf;
    }
    case CLI_FILE: {
        const char *s = *(const char *const *)field;
        if (!s || is_word(d->words, s, &w))
            return s ? s : buf;
        if (d->hi > 0 && read_int(s, d->lo, d->hi, &n) == CLI_READ_OK) {
            snprintf(buf, len, "%lld", n);
            break;
        }
        return file_name(s);
    }
    case CLI_COLOUR: {
        const int c = *(const int *)field;
        if (c < 0)
            return d->words[-1 - c];
        snprintf(buf, len, "#%06x", (unsigned)c);
        break;
    }
    case CLI_OPACITY:
    case CLI_OPACITY8: {
        const double a = *(const double *)field;
        const double k = round(a * 255.0);
        if (a == 0.0)
            snprintf(buf, len, "auto");
        else if (k > 1.0 && k < 255.0 && k / 255.0 == a) /* 128, not 0.50196078431372548 */
            snprintf(buf, len, "%.0f", k);
        else
            put_double(buf, len, a);
        break;
    }
    case CLI_LENGTH: {
        const double pt = *(const double *)field;
        put_double(buf, len, pt);
        if (pt != 0.0)
            strncat(buf, "pt", len - strlen(buf) - 1);
        break;
    }
    case CLI_PAGE: {
        const cli_page *p = field;
        return p->width > 0 ? p->name : "none";
    }
    case CLI_OUTPUT: return o->output ? o->output : "NAME/";
    case CLI_FLAG: return *(const bool *)field ? "true" : "false";
    case CLI_INPUT:
    case CLI_HELP:
    case CLI_VERSION:
    case CLI_GONE: break;
    }
    return buf;
}

void cli_opt_expects(const cli_opt *d, char *buf, size_t len)
{
    switch (d->type) {
    case CLI_INT:
        snprintf(buf, len, "a whole number from %.0f to %.0f", d->lo, d->hi);
        break;
    case CLI_U64:
        if (d->hi > 0)
            snprintf(buf, len, "a whole number from %.0f to %.0f", d->lo, d->hi);
        else
            snprintf(buf, len, "a whole number from 0 to %" PRIu64, UINT64_MAX);
        break;
    case CLI_DOUBLE: snprintf(buf, len, "a number from %g to %g", d->lo, d->hi); break;
    case CLI_ENUM: {
        snprintf(buf, len, "one of");
        for (size_t i = 0; d->words[i]; i++)
            snprintf(buf + strlen(buf), len - strlen(buf), "%s %s", i ? "," : "", d->words[i]);
        break;
    }
    case CLI_STRING: snprintf(buf, len, "a path"); break;
    case CLI_FILE:
        if (d->hi > 0)
            snprintf(buf, len, "a count from %.0f to %.0f, a file or %s", d->lo, d->hi,
                     d->words[0]);
        else
            snprintf(buf, len, "an image file, %s or %s", d->words[1], d->words[0]);
        break;
    case CLI_COLOUR:
        snprintf(buf, len, "#RRGGBB, RRGGBB or #RGB (e.g. #ffffff), a colour name (white, black, "
                           "gray, red, green, blue..), auto or none");
        break;
    case CLI_OPACITY:
        snprintf(buf, len, "a fraction above 0 up to 1, an 8-bit level up to 255, or auto");
        break;
    case CLI_OPACITY8: snprintf(buf, len, "0 to 255 (0 = auto)"); break;
    case CLI_LENGTH:
        snprintf(buf, len, "a length with a unit (mm, cm, in, pt), at most %gin", d->hi / 72.0);
        break;
    case CLI_PAGE:
        snprintf(buf, len,
                 "A0-A6, letter, legal, tabloid, WxH with a unit (210x297mm) or one length "
                 "(30cm), each side from 1mm to %gin",
                 MAX_PAGE_PT / 72.0);
        break;
    case CLI_OUTPUT:
    case CLI_INPUT: snprintf(buf, len, "a path"); break;
    case CLI_FLAG:
    case CLI_HELP:
    case CLI_VERSION:
    case CLI_GONE: snprintf(buf, len, "no value"); break;
    }
}
