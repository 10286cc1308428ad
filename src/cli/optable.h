/* optable: every option of the command line as one typed table entry (names, type, the field
 * it sets, its range, its help), and the typed readers and writers of values. */
#ifndef CLI_OPTABLE_H
#define CLI_OPTABLE_H

#include "options.h"

#include <stddef.h>

typedef enum cli_type {
    CLI_FLAG,     /* bool, takes no value */
    CLI_INT,      /* int in [lo, hi] */
    CLI_U64,      /* uint64_t in [lo, hi] (hi 0: any) */
    CLI_DOUBLE,   /* finite double in [lo, hi] */
    CLI_ENUM,     /* int: the index of one of words */
    CLI_STRING,   /* const char *: the argument itself */
    CLI_FILE,     /* const char *: one of words, a count in [lo, hi] when hi > 0, or a file
                   * (recorded by its name, without the directory) */
    CLI_COLOUR,   /* int: 0xRRGGBB from #RRGGBB, RRGGBB, #RGB or a name; or CLI_BG_AUTO/NONE */
    CLI_OPACITY,  /* double: a fraction in (0, 1], above 1 an 8-bit level; auto = 0 */
    CLI_OPACITY8, /* double, as primitive's -a: 0-255 in 8 bits, 0 = auto */
    CLI_LENGTH,   /* double, points, from a number and a unit (mm, cm, in, pt), in [lo, hi] */
    CLI_PAGE,     /* cli_page: a named size, WxH with a unit, or one length */
    CLI_OUTPUT,   /* -o: appended to outputs */
    CLI_INPUT,    /* -i: the input */
    CLI_HELP,     /* --help (lo = 0) and --help-all (lo = 1) */
    CLI_VERSION,
    CLI_GONE,     /* a removed option: its help is the message that says so */
} cli_type;

enum {
    CLI_RECORD = 1,  /* a picture setting: in metadata and state files, applied on --resume */
    CLI_BRIEF = 2,   /* listed by --help, not only --help-all */
    CLI_RUN_ONLY = 4, /* only for a single run (polyevolve INPUT) */
    CLI_SEQ_ONLY = 8, /* only for polyevolve sequence */
    CLI_PRIMITIVE = 16, /* one of primitive's flags, listed apart */
};

typedef struct cli_opt {
    const char *name;  /* --name; for a record, the state file's key */
    const char *dash;  /* its single-dash spelling ("n" for -n, "bg" for -bg), or NULL */
    cli_type type;
    size_t field;      /* offsetof(cli_options, ...) of the value */
    double lo, hi;
    const char *const *words; /* CLI_ENUM's names; CLI_FILE's and CLI_COLOUR's reserved words */
    const char *arg;   /* the value's name in --help */
    const char *help;  /* one line; --help adds "(default X)" for options with a value */
    unsigned flags;
    const char *alias; /* sets (and is recorded as) this option's value: -a is --alpha's */
} cli_opt;

/* The table, in --help order. */
const cli_opt *cli_opt_table(size_t *count);

/* The entry of --name (dash false) or -name (dash true), or NULL. */
const cli_opt *cli_opt_find(const char *name, size_t len, bool dash);

/* The entry a value is recorded under: the option itself, or the one it is an alias of. */
const cli_opt *cli_opt_target(const cli_opt *d);

/* What reading a value found. */
typedef enum cli_read { CLI_READ_OK, CLI_READ_RANGE, CLI_READ_SYNTAX } cli_read;

/* Read v as d's type into its field of o. CLI_READ_RANGE: a value of the type outside the
 * option's range; CLI_READ_SYNTAX: not a value of the type at all (no field is changed). */
cli_read cli_opt_read(const cli_opt *d, cli_options *o, const char *v);

/* Whether v is a number too small for a double, yet not 0 (1e-400): strtod reads it as 0. */
bool cli_opt_underflows(const char *v);

/* d's value in o as the text state files record (a file: its name only). Returns buf or a
 * string o points to. */
const char *cli_opt_text(const cli_opt *d, const cli_options *o, char *buf, size_t len);

/* One phrase saying what d takes, for messages: "a whole number from 1 to 1000000". */
void cli_opt_expects(const cli_opt *d, char *buf, size_t len);

#endif
