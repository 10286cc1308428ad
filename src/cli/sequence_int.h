/* sequence_int: what sequence.c (making the frames) and sequence_plan.c (where the sequence
 * writes) share: the sequence's context. Not for other files: commands use run.h. */
#ifndef CLI_SEQUENCE_INT_H
#define CLI_SEQUENCE_INT_H

#include "claim.h"
#include "options.h"
#include "progress.h"
#include "resume.h"
#include "sequence_source.h"

#include <limits.h>
#include <polyevolve.h>
#include <stddef.h>
#include <stdio.h>

enum { SEQ_META = 30 };

/* The sequence run: output paths, metadata and the log. */
typedef struct seq_ctx {
    const cli_options *o;
    char dir[PATH_MAX], states[PATH_MAX];
    char csv[32];         /* sequence.csv; a chunk's (--first-frame N): sequence_N.csv */
    const char *keys[SEQ_META], *values[SEQ_META];
    size_t nmeta;
    char name_text[PATH_MAX], frame_text[16];
    char warm_text[16], keyframe_text[16]; /* --warm-iterations, --keyframe-every */
    char hash[CLI_INPUT_HASH_LEN]; /* the frame's input, by content */
    FILE *log;                     /* sequence.csv so far (open_memstream over log_text) */
    char *log_text;
    size_t log_len;
    cli_claim *claim; /* every file the sequence writes (claim.h) */
    cli_progress pr;  /* the bar and the -v lines */
    int index, count; /* the frame being made (from 0) and the frames in all (0: not known) */
    int made;         /* frames this run has made so far (not kept from an earlier one) */
    double spent;     /* seconds of the command they took, for the ETA */
    const char *kind; /* how the frame made last started: "cold", "warm" or "cut" */
    pe_warm_info info;
    double cpu; /* its CPU seconds */
} seq_ctx;

/* sequence_plan.c: the context's paths, metadata and log set up for o, and every file the
 * sequence writes claimed, checked and taken (claim.h). 0, or the exit status after a
 * message. */
int cli_seq_setup(seq_ctx *c, cli_options *o, const cli_seq_source *src);

#endif
