/* sequence_plan: where a sequence writes: its directory, its log's name (a chunk keeps its
 * own), the settings every frame records, and every file claimed and taken (claim.h): a whole
 * sequence owns its directory, a chunk of one shares it. Its own file because it changes with
 * the files a sequence writes and how chunks share them, not with how a frame is made. */
#define _XOPEN_SOURCE 700
#include "sequence_int.h"

#include "output.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#ifndef PE_VERSION_STRING
#define PE_VERSION_STRING "0"
#endif

/* A chunk of a longer sequence (its frames start at a keyframe another run made, or it is the
 * keyframe pass): it shares the directory with the other chunks. */
static bool is_chunk(const cli_options *o)
{
    return o->resume && (o->first_frame != 1 || o->frame_step != 1 || o->keyframe_every > 0);
}

/* The sequence's identity: its inputs (by path and size), settings and numbering. */
static bool identify(seq_ctx *c, const cli_options *o, const cli_seq_source *src)
{
    /* FNV-1a 64 of the inputs' paths and sizes: reading every frame to know the sequence
     * would cost a pass over all of them, and a frame of its own that this sequence makes
     * again is its own to replace whatever its content */
    uint64_t h = 0xcbf29ce484222325u;
    for (int i = 0; i < o->ninputs; i++) {
        struct stat sb;
        char buf[PATH_MAX + 64];
        const int n = stat(o->inputs[i], &sb) == 0
                          ? snprintf(buf, sizeof buf, "%s|%lld\n", o->inputs[i],
                                     (long long)sb.st_size)
                          : snprintf(buf, sizeof buf, "%s\n", o->inputs[i]);
        for (int k = 0; k < n && k < (int)sizeof buf; k++)
            h = (h ^ (unsigned char)buf[k]) * 0x100000001b3u;
    }
    char hash[32], num[64];
    snprintf(hash, sizeof hash, "fnv1a64:%016" PRIx64, h);
    snprintf(num, sizeof num, "%d %d %d %d", o->first_frame, o->frame_step, o->keyframe_every,
             o->warm_iterations);
    bool ok = cli_claim_id(c->claim, "inputs", hash, false) &&
              cli_claim_info(c->claim, "input", src->video_path ? src->video_path
                                                : o->ninputs > 0 ? o->inputs[0] : "") &&
              cli_claim_id(c->claim, "numbering", num, false);
    for (size_t i = 0; ok && i < c->nmeta; i++)
        ok = cli_claim_id(c->claim, c->keys[i], c->values[i], false);
    return ok;
}

/* Every file the sequence writes, checked and claimed (claim.h). 0, or the exit status. */
static int claim_files(seq_ctx *c, const cli_options *o, const cli_seq_source *src)
{
    const bool chunk = is_chunk(o);
    char lock[16], pattern[PATH_MAX], file[PATH_MAX], err[PATH_MAX + 512];
    snprintf(lock, sizeof lock, "%05d", o->first_frame);
    const int count = src->video ? -1 : src->nfiles;
    static const char *const kinds[] = { "frame_%05d.png", "frame_%05d.svg",
                                         "states/frame_%05d.json" };
    bool ok = (c->claim = cli_claim_new("sequence")) != NULL &&
              cli_claim_place(c->claim, c->dir, chunk ? CLI_PLACE_CHUNK : CLI_PLACE_OWN,
                              chunk ? lock : NULL);
    for (size_t i = 0; ok && i < 3; i++)
        ok = cli_join(pattern, sizeof pattern, c->dir, kinds[i]) &&
             cli_claim_pattern(c->claim, pattern, o->first_frame, o->frame_step, count, "frames");
    ok = ok && cli_join(file, sizeof file, c->dir, c->csv) && cli_claim_file(c->claim, file, "log");
    if (ok && src->video)
        ok = cli_join(file, sizeof file, c->dir, "video.mp4") &&
             cli_claim_file(c->claim, file, "video.mp4");
    for (int i = 0; ok && src->video && i < 1; i++)
        ok = cli_claim_read(c->claim, src->video_path, "input", false);
    for (int i = 0; ok && i < src->nfiles; i++)
        ok = cli_claim_read(c->claim, src->files[i], "input", false);
    if (!ok || !identify(c, o, src)) {
        fprintf(stderr, "polyevolve: %s: out of memory or path too long\n", c->dir);
        return 1;
    }
    int rc = cli_claim_check(c->claim, err, sizeof err);
    if (rc == 0)
        rc = cli_claim_take(c->claim, o->force, o->resume != NULL, err, sizeof err);
    if (rc)
        fprintf(stderr, "polyevolve: %s\n", err);
    return rc == CLI_CLAIM_BUSY ? 1 : rc;
}

int cli_seq_setup(seq_ctx *c, cli_options *o, const cli_seq_source *src)
{
    c->o = o;
    snprintf(c->dir, sizeof c->dir, "%s", o->output);
    /* chunks of one sequence share the directory, each keeps its own log */
    if (o->frame_step > 1) /* the keyframe pass */
        snprintf(c->csv, sizeof c->csv, "keyframes.csv");
    else if (o->first_frame == 1)
        snprintf(c->csv, sizeof c->csv, "sequence.csv");
    else
        snprintf(c->csv, sizeof c->csv, "sequence_%05d.csv", o->first_frame);
    if (!cli_join(c->states, sizeof c->states, c->dir, "states")) {
        fprintf(stderr, "polyevolve: %s: path too long\n", o->output);
        return 2;
    }
    c->nmeta = cli_settings(o, c->keys, c->values, SEQ_META - 6);
    /* a run has no use for these, so cli_settings leaves them out; a frame's picture depends
     * on them, so each frame records them for a resume to check */
    snprintf(c->warm_text, sizeof c->warm_text, "%d", o->warm_iterations);
    snprintf(c->keyframe_text, sizeof c->keyframe_text, "%d", o->keyframe_every);
    c->keys[c->nmeta] = "warm-iterations";
    c->values[c->nmeta++] = c->warm_text;
    c->keys[c->nmeta] = "keyframe-every";
    c->values[c->nmeta++] = c->keyframe_text;
    c->keys[c->nmeta] = "software";
    c->values[c->nmeta++] = "polyevolve " PE_VERSION_STRING;
    if (!(c->log = open_memstream(&c->log_text, &c->log_len))) {
        fprintf(stderr, "polyevolve: out of memory\n");
        return 1;
    }
    return claim_files(c, o, src);
}

