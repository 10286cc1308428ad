/* options: the command line. One table of typed options (optable.c) drives parsing, the
 * defaults shown, --help, and the settings recorded in pictures and state files. */
#ifndef CLI_OPTIONS_H
#define CLI_OPTIONS_H

#include "polyevolve.h"

enum { CLI_MAX_OUTPUTS = 16, CLI_MAX_OPTIONS = 64, CLI_TEXT_LEN = 48 };

typedef enum cli_command { CLI_RUN, CLI_RENDER, CLI_ANIMATE, CLI_SEQUENCE } cli_command;

/* --background: a colour 0xRRGGBB, or one of these. */
enum { CLI_BG_AUTO = -1, CLI_BG_NONE = -2 };

/* --frame-spacing, in the order of its words. */
enum { CLI_SPACING_PSNR, CLI_SPACING_LINEAR, CLI_SPACING_LOG };

/* --page: a print size. */
typedef struct cli_page {
    double width, height; /* points; both 0 = no --page */
    bool longest;         /* a single length: the page's longest side, shaped like the picture */
    bool turn;            /* a named size (A4, letter): turned to the picture's orientation */
    pe_unit unit;         /* the unit the SVG's width and height are written in */
    char name[24];        /* as typed, for messages */
} cli_page;

typedef struct cli_options {
    cli_command command;
    const char *input;   /* the image (run), or the state file (render, animate) */
    const char *output;  /* the first -o: run, animate: see outputs; render: a file */
    const char *outputs[CLI_MAX_OUTPUTS]; /* run: every -o in order (targets.h says what each is) */
    int noutputs;
    const char *state_path; /* --state FILE: where checkpoints go (default DIR/state.json) */
    const char *log_path;   /* --log FILE: where log.csv goes (default DIR/log.csv) */
    bool verbose;        /* -v: one line per frame or checkpoint when stderr is not a terminal */
    bool no_metadata;    /* --no-metadata: pictures carry no settings, software or input name */
    bool spacing_psnr;   /* --frame-spacing psnr: frames chosen by PSNR gained (the CLI's own) */
    cli_page page;       /* --page: the PDF page for print, and the SVG's physical size */
    double margin_pt;    /* --margin: blank paper around the picture on the PDF page, points */
    pe_options pe;
    int size;            /* -s: final PNG longest side, 0 = input size */
    uint64_t max_pixels; /* --max-pixels */
    const char *resume;  /* --resume DIR */
    bool quiet;
    bool force;          /* --force: write into a place that holds another run's files */
    bool allow_damaged;  /* --allow-damaged: a sequence of a damaged video exits 0 */
    int anim_frames;     /* animate: --frames */
    double hold;         /* --hold: seconds an animation shows its last frame (more than 1/fps) */
    int frame_size;      /* --frame-size: frames' longest side, 0 = input size, -1 = auto (-s,
                          * at most 1080 px for large inputs) */
    const char *weight_path;  /* --weight MASK (a file), else NULL */
    const char *palette_path; /* --palette FILE, else NULL */
    const char *init;    /* run: --init STATE, start from that state scaled to the image */
    const char **inputs; /* sequence: every INPUT in order (owned; free with free()) */
    int ninputs;
    int warm_iterations; /* sequence: refinement rounds of a frame started from the last */
    int first_frame;     /* sequence: the number of the first frame written (a chunk's) */
    int keyframe_every;  /* sequence: frames 1 + k * this start from the previous keyframe */
    int frame_step;      /* sequence: frame numbers go up by this (the keyframe pass: K) */

    /* The table's own: options whose value sets several fields above (cli_parse derives them:
     * background -> pe.background*, pe.transparent; spacing -> spacing_psnr,
     * pe.frame_spacing; weight -> weight_path, pe.weight_auto; palette -> palette_path,
     * pe.palette_size). Read the derived fields. */
    int background;      /* 0xRRGGBB or CLI_BG_AUTO, CLI_BG_NONE */
    int spacing;         /* CLI_SPACING_* */
    const char *weight;  /* MASK, auto or none */
    const char *palette; /* N, FILE or none */
    int prim_mode, prim_nth, prim_rep; /* primitive's -m, -nth, -rep (checked, never used) */
    bool given[CLI_MAX_OPTIONS];                /* which table options were set by the user */
    const char *recorded[CLI_MAX_OPTIONS];      /* cli_record's values */
    char text[CLI_MAX_OPTIONS][CLI_TEXT_LEN];   /* each option's value as text */
} cli_options;

enum { CLI_OK = 0, CLI_EXIT_OK = -1, CLI_USAGE = 2 };

/* The settings a run starts with: pe_options_default() and pe_load_limits_default() for the
 * library's (the one place they live), and the CLI's own (--frame-spacing psnr, --hold 2.5..).
 * What --help shows as defaults. */
void cli_defaults(cli_options *o);

/* Parse argv. Returns CLI_OK, CLI_EXIT_OK after printing --help, --help-all or --version to
 * stdout, or CLI_USAGE with a one-line message (no newline) in err. */
int cli_parse(int argc, char **argv, cli_options *o, char *err, size_t err_len);

/* Apply one option by its long name (as stored in a state file): ignored when the user gave
 * it (the command line wins). Returns 0 or CLI_USAGE with a message in err. */
int cli_apply(cli_options *o, const char *name, const char *value, char *err, size_t err_len);

/* Apply every setting a state file stores (cli_apply each; the pictures' metadata beside them
 * is skipped; a palette or mask file is found by the path the state keeps for it). */
int cli_apply_state(cli_options *o, const pe_state *st, char *err, size_t err_len);

/* The value of the option `name` (long name) when the user gave it, in the form state files
 * record (-bg white gives "#ffffff"), else NULL. */
const char *cli_given(const cli_options *o, const char *name);

/* Record value (it must outlive o) as the setting of option name for metadata and state files,
 * without applying it again. */
void cli_record(cli_options *o, const char *name, const char *value);

/* Every picture setting of the run as (long name, value) strings, for metadata and state
 * files: the value given, else the default; a file by its name only (no directory). The
 * strings live as long as argv, the state applied and o. Returns the count. */
size_t cli_settings(const cli_options *o, const char **keys, const char **values, size_t cap);

/* The state-file key that keeps the full path of the file an option names ("palette" ->
 * "palette-path"), which pictures do not carry: resume reads the file from there. */
#define CLI_PATH_KEY_SUFFIX "-path"

/* Print the usage: brief (at most 25 lines of 80 columns) or all options. */
void cli_usage(FILE *f, bool all);

#endif
