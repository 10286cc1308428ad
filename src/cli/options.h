/* options: argv -> cli_options, the usage text, and the option table that state files reuse. */
#ifndef CLI_OPTIONS_H
#define CLI_OPTIONS_H

#include "polyevolve.h"

enum { CLI_MAX_OUTPUTS = 16 };

typedef enum cli_command { CLI_RUN, CLI_RENDER, CLI_ANIMATE, CLI_SEQUENCE } cli_command;

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
    double page_pt;      /* --page: the PDF page's longest side in points, 0 = from -s */
    pe_options pe;
    int size;            /* -s: final PNG longest side, 0 = input size */
    uint64_t max_pixels; /* --max-pixels */
    const char *resume;  /* --resume DIR */
    bool quiet;
    bool force;          /* --force: write into a place that holds another run's files */
    bool allow_damaged;  /* --allow-damaged: a sequence of a damaged video exits 0 */
    int anim_frames;     /* animate: --frames */
    const char *weight_path;  /* --weight MASK (a file), else NULL */
    const char *palette_path; /* --palette FILE, else NULL */
    const char *init;    /* run: --init STATE, start from that state scaled to the image */
    const char **inputs; /* sequence: every INPUT in order (owned; free with free()) */
    int ninputs;
    int warm_iterations; /* sequence: refinement rounds of a frame started from the last */
    int first_frame;     /* sequence: the number of the first frame written (a chunk's) */
    int keyframe_every;  /* sequence: frames 1 + k * this start from the previous keyframe */
    int frame_step;      /* sequence: frame numbers go up by this (the keyframe pass: K) */
    bool given[64];      /* which table options were on the command line */
    const char *value[64]; /* each table option's value as given (argv or a state file) */
    char def_text[64][32]; /* each table option's default, from pe_options_default() */
} cli_options;

enum { CLI_OK = 0, CLI_EXIT_OK = -1, CLI_USAGE = 2 };

/* Parse argv. Returns CLI_OK, CLI_EXIT_OK after printing --help or --version, or CLI_USAGE
 * with a one-line message (no newline) in err. */
int cli_parse(int argc, char **argv, cli_options *o, char *err, size_t err_len);

/* Apply one option by its long name (as stored in a state file). Returns 0 or CLI_USAGE. */
int cli_apply(cli_options *o, const char *name, const char *value, char *err, size_t err_len);

/* The value of the option `name` (long name) when it was given on the command line, else NULL. */
const char *cli_given(const cli_options *o, const char *name);
/* Record value (it must outlive o) as the setting of option name for metadata and state files,
 * without applying it again: e.g. a file's absolute path for the relative one given. */
void cli_record(cli_options *o, const char *name, const char *value);

/* Every option of the run as (long name, value) strings, for metadata and state files: the
 * value given, else the default. The strings live as long as argv and o. Returns the count. */
size_t cli_settings(const cli_options *o, const char **keys, const char **values, size_t cap);

#endif
