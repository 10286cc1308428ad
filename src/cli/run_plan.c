/* run_plan: before the work, where a run reads and writes: --resume's state and settings, the
 * targets, the default directory, the paths of state.json, log.csv and the frames, and every
 * file claimed and checked (claim.h), a default output moving on to NAME-2, ... when taken.
 * Its own file because it changes with the outputs a run may name, not with the run itself. */
#define _XOPEN_SOURCE 700
#include "run_int.h"

#include "output.h"
#include "resume.h"
#include "run.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* --resume FILE rather than --resume DIR: an existing file named *.json */
static bool resume_is_file(const char *resume)
{
    const size_t n = strlen(resume);
    struct stat sb;
    return n > 5 && !strcmp(resume + n - 5, ".json") && stat(resume, &sb) == 0 &&
           !S_ISDIR(sb.st_mode);
}

/* --resume DIR (DIR/state.json) or --resume FILE: the input path and settings come from the
 * state; command-line flags still win. */
int cli_run_load_resume(run_ctx *c, cli_options *o, pe_state *state, char *input, size_t input_len)
{
    char path[PATH_MAX];
    const bool file = resume_is_file(o->resume);
    if (file) {
        snprintf(path, sizeof path, "%s", o->resume);
    } else if (!cli_join(path, sizeof path, o->resume, "state.json")) {
        fprintf(stderr, "polyevolve: %s: path too long\n", o->resume);
        return 2;
    }
    if (!(c->resume_state = strdup(path)))
        return 1;
    if (!cli_read_state(path, state)) /* a signal while blocked on a FIFO state.json: */
        return cli_stop_signal ? 128 + cli_stop_signal : 1;
    if (!state->input_path) {
        fprintf(stderr, "polyevolve: %s: names no input image to resume from\n", path);
        return 1;
    }
    char why[512];
    if (cli_resume_flags(o, state, why, sizeof why)) {
        fprintf(stderr, "polyevolve: %s\n", why);
        return 2;
    }
    if (cli_apply_state(o, state, why, sizeof why)) {
        fprintf(stderr, "polyevolve: %s: %s\n", path, why);
        return 1;
    }
    snprintf(input, input_len, "%s", state->input_path);
    if (file) {
        if (!o->state_path)
            o->state_path = o->resume; /* checkpoints go on into the same file */
    }
    return 0;
}

static char *join_new(const char *dir, const char *name)
{
    char buf[PATH_MAX];
    return cli_join(buf, sizeof buf, dir, name) ? strdup(buf) : NULL;
}

/* Where state.json, log.csv and the frames go: --state/--log, else the directory target. */
static int place_files(run_ctx *c, const cli_options *o)
{
    free(c->state_path);
    free(c->log_path);
    free(c->frames_dir);
    free(c->preview_path);
    c->state_path = c->log_path = c->frames_dir = c->preview_path = NULL;
    const char *dir = c->dir;
    if ((o->state_path && !(c->state_path = strdup(o->state_path))) ||
        (o->log_path && !(c->log_path = strdup(o->log_path))) ||
        (dir && ((!o->state_path && !(c->state_path = join_new(dir, "state.json"))) ||
                 (!o->log_path && !(c->log_path = join_new(dir, "log.csv"))) ||
                 !(c->frames_dir = join_new(dir, "frames")) ||
                 !(c->preview_path = join_new(dir, "preview.png"))))) {
        fprintf(stderr, "polyevolve: %s: path too long (the names under it must stay within "
                "the limit of PATH_MAX, %d bytes)\n", dir ? dir : "--state/--log", PATH_MAX);
        return 2;
    }
    cli_frames *f = &c->frames;
    f->dir = c->tg.pattern ? NULL : dir ? c->frames_dir : NULL;
    f->pattern = c->tg.pattern;
    f->size = o->size;
    f->max = f->dir || f->pattern ? o->pe.frames : 0;
    f->total = f->max;
    f->triangles = o->pe.triangles;
    f->threads = o->pe.threads;
    f->by_psnr = o->spacing_psnr;
    f->keep_old = o->resume != NULL;
    f->meta = &c->meta;
    f->on_frame = cli_run_on_frame;
    f->ctx = c;
    f->progress = &c->progress;
    f->anim_names = c->anim_names;
    f->written = 0;
    if (o->resume && f->dir && f->max > 0) {
        /* the frames go on after the kept ones, and never past --frames: when they are all
         * there, the last one becomes the final picture */
        const int kept = cli_frames_count(f->dir);
        f->written = kept < f->max ? kept : f->max - 1;
        f->max -= f->written;
    }
    f->floor_psnr = -HUGE_VAL; /* set from the state when resuming */
    return 0;
}

/* Every file the run writes and reads, checked (claim.h): 0 or the exit status. dir: the
 * directory target (NULL: none). */
static int plan(run_ctx *c, cli_options *o, const char *dir)
{
    cli_claim_free(c->claim);
    char *copy = dir ? strdup(dir) : NULL;
    free(c->dir);
    c->dir = copy;
    for (int i = 0; i < c->tg.n; i++) /* the directory target is c->dir from now on */
        if (c->tg.t[i].kind == CLI_T_DIR)
            c->tg.t[i].path = c->dir;
    c->tg.dir = c->dir;
    if ((dir && !c->dir) || !(c->claim = cli_claim_new("run"))) {
        fprintf(stderr, "polyevolve: out of memory\n");
        return 1;
    }
    int rc = place_files(c, o);
    if (rc)
        return rc;
    cli_claim *cl = c->claim;
    bool ok = true;
    static const char *const finals[] = { "final.png", "final.svg", "final.pdf" };
    if (c->dir) {
        ok = cli_claim_place(cl, c->dir, CLI_PLACE_OWN, NULL);
        for (size_t i = 0; ok && i < 3; i++) {
            char *path = join_new(c->dir, finals[i]);
            ok = path && cli_claim_file(cl, path, finals[i]);
            free(path);
        }
        ok = ok && cli_claim_file(cl, c->preview_path, "preview.png");
    }
    if (ok && c->state_path)
        ok = cli_claim_file(cl, c->state_path, o->state_path ? "--state" : "state.json");
    if (ok && c->log_path)
        ok = cli_claim_file(cl, c->log_path, o->log_path ? "--log" : "log.csv");
    if (ok && c->frames.max > 0) {
        char pattern[PATH_MAX];
        const char *p = c->frames.pattern ? c->frames.pattern
                        : cli_join(pattern, sizeof pattern, c->frames.dir, "frame_%05d.png")
                            ? pattern
                            : NULL;
        ok = p && cli_claim_pattern(cl, p, 1, 1, o->pe.frames, c->frames.pattern ? "-o" : "frames");
    }
    for (int i = 0; ok && i < c->tg.n; i++) {
        const cli_target_kind k = c->tg.t[i].kind;
        if (k == CLI_T_PNG || k == CLI_T_SVG || k == CLI_T_PDF || k == CLI_T_JPG ||
            k == CLI_T_ANIM)
            ok = cli_claim_file(cl, c->tg.t[i].path, "-o");
    }
    if (ok && strcmp(c->input, "-"))
        ok = cli_claim_read(cl, c->input, "input", false);
    if (ok && o->weight_path)
        ok = cli_claim_read(cl, o->weight_path, "--weight mask", false);
    if (ok && o->palette_path)
        ok = cli_claim_read(cl, o->palette_path, "--palette file", false);
    if (ok && o->init)
        ok = cli_claim_read(cl, o->init, "--init state", false);
    if (ok && c->resume_state) /* its checkpoints go on into it */
        ok = cli_claim_read(cl, c->resume_state, "--resume state", true);
    if (!ok) {
        fprintf(stderr, "polyevolve: out of memory\n");
        return 1;
    }
    char err[PATH_MAX + 512];
    if ((rc = cli_claim_check(cl, err, sizeof err)) != 0)
        fprintf(stderr, "polyevolve: %s\n", err);
    return rc;
}

/* This run's identity in the claim: the input's content, the mask's and the settings. */
static bool identify(run_ctx *c, const cli_options *o)
{
    const char *keys[MAX_META], *values[MAX_META];
    const size_t n = cli_settings(o, keys, values, MAX_META);
    bool ok = cli_claim_id(c->claim, CLI_INPUT_HASH_KEY, c->input_hash, true) &&
              cli_claim_info(c->claim, "input", c->input_name) &&
              (!o->weight_path ||
               cli_claim_id(c->claim, CLI_WEIGHT_HASH_KEY, c->weight_hash, false));
    for (size_t i = 0; ok && i < n; i++)
        ok = cli_claim_id(c->claim, keys[i], values[i], false);
    return ok;
}

/* The default output: NAME for input NAME.ext (in the current directory), "out" for stdin. */
static void default_stem(const char *input, char *buf, size_t len)
{
    const char *in = input ? input : "-";
    const char *slash = strrchr(in, '/');
    const char *name = slash ? slash + 1 : in;
    const char *dot = strrchr(name, '.');
    const size_t n = dot && dot > name ? (size_t)(dot - name) : strlen(name);
    if (!strcmp(in, "-") || n == 0 || !strcmp(name, "..") || !strcmp(name, "."))
        snprintf(buf, len, "out");
    else
        snprintf(buf, len, "%.*s", (int)n, name);
}

/* Take the places (claim.h). A default output that holds another run's files moves on to
 * NAME-2, NAME-3, ... */
int cli_run_take(run_ctx *c, cli_options *o, bool by_default)
{
    char err[PATH_MAX + 512], name[PATH_MAX + 16];
    const char *stem = c->dir;
    char first[PATH_MAX];
    snprintf(first, sizeof first, "%s", stem ? stem : "");
    for (int k = 1;; k++) {
        int rc;
        if (k > 1) {
            snprintf(name, sizeof name, "%s-%d", first, k);
            if ((rc = plan(c, o, name)) != 0)
                return rc;
        }
        if (!identify(c, o)) {
            fprintf(stderr, "polyevolve: out of memory\n");
            return 1;
        }
        rc = cli_claim_take(c->claim, o->force, o->resume != NULL, err, sizeof err);
        if (rc == CLI_CLAIM_BUSY && by_default && !o->force && k < 1000)
            continue;
        if (rc) {
            fprintf(stderr, "polyevolve: %s\n", err);
            return rc == CLI_CLAIM_BUSY ? 1 : rc;
        }
        if (k > 1 && !o->quiet)
            fprintf(stderr, "polyevolve: %s/ is taken (another run's files, or not a "
                    "directory): writing to %s/\n", first, c->dir);
        return 0;
    }
}

/* Where the run writes: targets classified and every file planned and checked (nothing is
 * created yet). *by_default: the directory is the default one. */
int cli_run_prepare(run_ctx *c, cli_options *o, bool *by_default)
{
    char err[512];
    if (cli_targets_of(o, &c->tg, err, sizeof err) != CLI_OK) {
        fprintf(stderr, "polyevolve: %s\n", err);
        return 2;
    }
    /* --resume DIR goes on in DIR (its checkpoints, log and frames) unless -o names another
     * directory: a resumed run given only -o x.svg must not lose its state */
    const bool dir_resume = o->resume && !resume_is_file(o->resume);
    char stem[PATH_MAX];
    *by_default = false;
    if (dir_resume && !c->tg.dir && c->tg.n < CLI_MAX_OUTPUTS) {
        c->tg.dir = o->resume;
        c->tg.t[c->tg.n++] = (cli_target){ CLI_T_DIR, o->resume };
    } else if (o->noutputs == 0 && !dir_resume) { /* after the input: cli_run_take */
        default_stem(o->resume ? c->input : o->input, stem, sizeof stem);
        c->tg.dir = stem;
        c->tg.t[c->tg.n++] = (cli_target){ CLI_T_DIR, NULL };
        *by_default = true;
    }
    for (int i = 0; i < c->tg.n; i++)
        if (c->tg.t[i].kind == CLI_T_ANIM)
            cli_run_add_name(c->anim_names, sizeof c->anim_names, c->tg.t[i].path, true);
    const int rc = plan(c, o, c->tg.dir);
    return rc ? rc : cli_frames_anims(&c->frames, o, &c->tg);
}

