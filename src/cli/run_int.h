/* run_int: what the parts of the run command share (run.c drives the run and writes its
 * checkpoints, run_plan.c settles before the work where every file goes, run_end.c writes the
 * final outputs and says what became of them): the run's context and the functions more than
 * one part calls. Not for other files: commands use run.h. */
#ifndef CLI_RUN_INT_H
#define CLI_RUN_INT_H

#include "artist.h"
#include "claim.h"
#include "frames.h"
#include "input.h"
#include "options.h"
#include "progress.h"
#include "targets.h"

#include <polyevolve.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum { MAX_META = 24, MAX_FAILS = CLI_MAX_OUTPUTS + 4 };

typedef struct fail_rec {
    char *path;
    int err;
    pe_status st;
} fail_rec;

typedef struct run_ctx {
    cli_options *o;
    cli_targets tg;
    const char *input;  /* absolute path of the image, or "-" */
    char *dir;          /* the directory target: -o's, --resume's or the default; owned */
    char *state_path;   /* owned; NULL = not written */
    char *log_path;     /* owned; NULL = not written */
    char *frames_dir;   /* DIR/frames, owned */
    char *preview_path; /* DIR/preview.png, owned; NULL = none */
    char *resume_state; /* the state file --resume reads, owned */
    cli_claim *claim;   /* every file the run writes (claim.h) */
    cli_frames frames;
    cli_progress progress;
    FILE *log; /* log.csv so far (open_memstream over log_text) */
    char *log_text;
    size_t log_len;
    const char *keys[MAX_META], *values[MAX_META];
    pe_metadata meta;       /* the settings + software + input name: in every picture */
    pe_metadata state_meta; /* the same, always (the state file is for resuming, not publishing) */
    char input_name[256];
    char input_hash[CLI_INPUT_HASH_LEN]; /* the input's content, filled in once it is loaded */
    char weight_hash[CLI_INPUT_HASH_LEN];
    char **written; /* for the summary, owned */
    size_t nwritten, capwritten;
    bool log_written;
    bool ending;          /* the final outputs are being written: the summary lists them */
    pe_progress last;     /* the last step reported (canvas cleared) */
    double checkpoint_at; /* run time of the last checkpoint written, < 0: none yet */
    double preview_at;    /* run time of the last preview written (0: none yet) */
    bool preview_on;      /* a preview.png of this run is there */
    bool preview_off;     /* one could not be written: no more tries */
    char anim_names[256]; /* the animations' file names, for the progress ("run.gif") */
    long points;          /* frame points seen */
    fail_rec fails[MAX_FAILS]; /* the writes that failed */
    int nfails;
    cli_artist art; /* --weight and --palette files */
    pe_state init;  /* --init STATE */
} run_ctx;

/* run.c: a write to path failed (with errno as it is now): for the report at the end. */
void cli_run_fail_at(run_ctx *c, const char *path, pe_status st);
/* Whether a write failed: the run stops, and ends with exit status 1. */
bool cli_run_failed(const run_ctx *c);
/* path is written: for the summary and the claim (it is this run's now). */
void cli_run_wrote(run_ctx *c, const char *path);
/* log.csv: a row for p (in memory), and the whole log written out. */
void cli_run_log_row(run_ctx *c, const pe_progress *p);
void cli_run_write_log(run_ctx *c);
/* state.json (or --state) for res. */
void cli_run_write_state(run_ctx *c, const pe_result *res);
/* cli_frames' on_frame: frame number was written. */
void cli_run_on_frame(void *ctx, const pe_progress *p, int number);
/* The run has ended: its preview goes (final.png is the picture now). */
void cli_run_drop_preview(run_ctx *c);

/* run_plan.c: --resume DIR or FILE read into *state, its settings applied to o and its input
 * path into input. 0 or the exit status after a message. */
int cli_run_load_resume(run_ctx *c, cli_options *o, pe_state *state, char *input, size_t input_len);
/* The targets classified and every file planned and checked, nothing created yet. 0 or the
 * exit status. *by_default: the directory is the default one. */
int cli_run_prepare(run_ctx *c, cli_options *o, bool *by_default);
/* The places taken (claim.h), once the input is loaded: 0 or the exit status. */
int cli_run_take(run_ctx *c, cli_options *o, bool by_default);

/* run_end.c: the outputs, the stale files, the summary. Returns the exit status. */
int cli_run_finish(run_ctx *c, const pe_result *res, double t0);
/* Whether a target needs the picture drawn: a directory, a PNG or a JPEG. */
bool cli_run_needs_png(const cli_targets *tg);
/* name (its last component when base) after the names in buf so far. */
void cli_run_add_name(char *buf, size_t len, const char *name, bool base);

#endif
