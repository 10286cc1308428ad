/* run_end: the run's end: every final output written (each whatever became of the others),
 * the last log.csv and state.json, the claim finished, and one line saying what was made, or
 * which writes failed, or how to go on after a signal. Its own file because it changes with
 * the outputs and the messages, not with how the run is driven. */
#define _XOPEN_SOURCE 700
#include "run_int.h"

#include "output.h"
#include "page.h"
#include "run.h"
#include "sizes.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The writes that failed, on one line ("A: why; also B: why"). stdout's is main's to say (it
 * checks the stream at the end): said here too, it would be said twice. */
static int report_write_failure(const run_ctx *c)
{
    const char *sep = "polyevolve: ";
    for (int i = 0; i <= c->nfails; i++) {
        const bool frames = i == c->nfails;
        if (frames && c->frames.failed == PE_OK)
            break;
        const char *path = frames ? c->frames.failed_path : c->fails[i].path;
        const pe_status st = frames ? c->frames.failed : c->fails[i].st;
        const int e = frames ? c->frames.failed_errno : c->fails[i].err;
        if (!frames && !strcmp(path, "stdout") && ferror(stdout))
            continue;
        if (frames && c->frames.failed_why[0]) /* an animation's own words */
            fprintf(stderr, "%s%s", sep, c->frames.failed_why);
        else
            fprintf(stderr, "%s%s: %s", sep, path,
                    st == PE_ERR_IO && e ? strerror(e) : pe_status_str(st));
        sep = "; also ";
    }
    if (strcmp(sep, "polyevolve: "))
        fputc('\n', stderr);
    return 1;
}

static void write_file(run_ctx *c, const char *path, pe_status st)
{
    if (st != PE_OK)
        cli_run_fail_at(c, path, st);
    else
        cli_run_wrote(c, path);
}

static void write_dir(run_ctx *c, const pe_result *res, const pe_image *png)
{
    const cli_options *o = c->o;
    char path[PATH_MAX];
    if (png->rgba && cli_join(path, sizeof path, c->dir, "final.png"))
        write_file(c, path, cli_write_png_of(path, png, &c->meta));
    if (cli_join(path, sizeof path, c->dir, "final.svg"))
        write_file(c, path, cli_write_svg_for(path, o, res, &c->meta));
    if (cli_join(path, sizeof path, c->dir, "final.pdf"))
        write_file(c, path, cli_write_pdf_for(path, o, res, &c->meta));
}

static void write_target(run_ctx *c, const cli_target *t, const pe_result *res, const pe_image *png)
{
    const cli_options *o = c->o;
    switch (t->kind) {
    case CLI_T_DIR: write_dir(c, res, png); return;
    case CLI_T_PATTERN: /* the frames */
    case CLI_T_ANIM: return; /* made of the frames (frames.c) */
    case CLI_T_PNG:
        if (png->rgba)
            write_file(c, t->path, cli_write_png_of(t->path, png, &c->meta));
        return;
    case CLI_T_JPG:
        if (png->rgba)
            write_file(c, t->path, cli_write_jpeg_of(t->path, png, &c->meta));
        return;
    case CLI_T_SVG: write_file(c, t->path, cli_write_svg_for(t->path, o, res, &c->meta)); return;
    case CLI_T_PDF: write_file(c, t->path, cli_write_pdf_for(t->path, o, res, &c->meta)); return;
    case CLI_T_STDOUT: {
        errno = 0;
        pe_status st = cli_put_svg(stdout, o, res, &c->meta);
        if (st == PE_OK && fflush(stdout) != 0)
            st = PE_ERR_IO;
        if (st != PE_OK)
            cli_run_fail_at(c, "stdout", st);
        return;
    }
    }
}

/* Whether a target needs the picture drawn: a directory, a PNG or a JPEG. */
bool cli_run_needs_png(const cli_targets *tg)
{
    for (int i = 0; i < tg->n; i++)
        if (tg->t[i].kind == CLI_T_DIR || tg->t[i].kind == CLI_T_PNG || tg->t[i].kind == CLI_T_JPG)
            return true;
    return false;
}

/* name (its last component when base) after the names in buf so far. */
void cli_run_add_name(char *buf, size_t len, const char *name, bool base)
{
    const char *slash = base ? strrchr(name, '/') : NULL;
    const size_t n = strlen(buf);
    if (n + 1 < len &&
        snprintf(buf + n, len - n, "%s%s", n ? ", " : "", slash && slash[1] ? slash + 1 : name) >=
            (int)(len - n) &&
        len >= 4)
        memcpy(buf + len - 4, "...", 4); /* more than the line holds: say it is cut */
}

/* What write_target writes, for the progress: file names (base) or paths. */
static void final_names(const run_ctx *c, bool base, char *buf, size_t len)
{
    static const char *const finals[] = { "final.png", "final.svg", "final.pdf" };
    char path[PATH_MAX];
    buf[0] = '\0';
    for (int i = 0; i < c->tg.n; i++) {
        const cli_target *t = &c->tg.t[i];
        switch (t->kind) {
        case CLI_T_DIR:
            for (size_t k = 0; k < sizeof finals / sizeof finals[0]; k++)
                if (cli_join(path, sizeof path, c->dir, finals[k]))
                    cli_run_add_name(buf, len, path, base);
            break;
        case CLI_T_PATTERN:
        case CLI_T_ANIM: break;
        case CLI_T_STDOUT: cli_run_add_name(buf, len, "the SVG to stdout", false); break;
        default: cli_run_add_name(buf, len, t->path, base);
        }
    }
}

/* Every target, each whatever became of the others, then the frames, log and state. */
static void write_outputs(run_ctx *c, const pe_result *res, const pe_progress *last)
{
    pe_image png = { 0 };
    double w, h;
    char names[1024];
    c->ending = true;
    final_names(c, true, names, sizeof names);
    if (names[0])
        cli_progress_phase(&c->progress, 0, "writing %s", names);
    final_names(c, false, names, sizeof names);
    if (names[0])
        cli_progress_line(&c->progress, "writing %s", names);
    cli_longest_side(res, c->o->size, &w, &h);
    const pe_status st = cli_run_needs_png(&c->tg) ? pe_render(res, (int)w, (int)h, &png) : PE_OK;
    if (st != PE_OK) { /* an earlier run's final.png would contradict the new state.json */
        char path[PATH_MAX];
        cli_run_fail_at(c, "final.png", st);
        if (c->dir && cli_join(path, sizeof path, c->dir, "final.png"))
            unlink(path);
    }
    for (int i = 0; i < c->tg.n; i++)
        write_target(c, &c->tg.t[i], res, &png);
    pe_image_free(&png);
    cli_frames_finish(&c->frames, last, res);
    for (int i = 0; i < c->tg.n && c->frames.failed == PE_OK; i++)
        if (c->tg.t[i].kind == CLI_T_ANIM)
            cli_run_wrote(c, c->tg.t[i].path);
    if (c->frames.max == 0)
        cli_run_log_row(c, last); /* no frames: checkpoint rows and one for the end */
    for (int base = 1; base >= 0; base--) {
        names[0] = '\0';
        if (c->log_path)
            cli_run_add_name(names, sizeof names, c->log_path, base);
        if (c->state_path)
            cli_run_add_name(names, sizeof names, c->state_path, base);
        if (names[0] && base)
            cli_progress_phase(&c->progress, 0, "writing %s", names);
        else if (names[0])
            cli_progress_line(&c->progress, "writing %s", names);
    }
    cli_run_write_log(c);
    cli_run_write_state(c, res);
}

/* One line: what was made and where it went; then, for a stopped run, how to go on. */
static void summary(const run_ctx *c, const pe_result *res, double seconds)
{
    FILE *f = c->tg.to_stdout ? stderr : stdout; /* stdout may be the SVG */
    fprintf(f, "polyevolve: %zu triangles, PSNR %.2f dB at %dx%d, %" PRIu64 " evaluations, %.1f s",
            res->count, res->psnr, res->work_width, res->work_height, res->evaluations, seconds);
    const char *sep = "; wrote ";
    for (size_t i = 0; i < c->nwritten; i++, sep = ", ")
        fprintf(f, "%s%s", sep, c->written[i]);
    if (c->tg.to_stdout) {
        fprintf(f, "%sthe SVG to stdout", sep);
        sep = ", ";
    }
    if (c->frames.written > 0)
        fprintf(f, "%s%d frames (%s%s)", sep, c->frames.written,
                c->frames.pattern ? c->frames.pattern : c->frames_dir,
                c->frames.pattern ? "" : "/frame_NNNNN.png");
    fputc('\n', f);
    fflush(f);
}

static void resume_hint(const run_ctx *c)
{
    const char *name = cli_stop_signal == 1    ? "SIGHUP"
                       : cli_stop_signal == 2  ? "SIGINT"
                       : cli_stop_signal == 15 ? "SIGTERM"
                                               : "a signal";
    char state_in_dir[PATH_MAX] = "";
    if (c->dir)
        cli_join(state_in_dir, sizeof state_in_dir, c->dir, "state.json");
    if (!c->state_path)
        fprintf(stderr,
                "polyevolve: stopped by %s; no state file was written (give -o DIR or "
                "--state FILE to be able to resume)\n",
                name);
    else
        fprintf(stderr, "polyevolve: stopped by %s; continue with: polyevolve --resume %s\n", name,
                !strcmp(state_in_dir, c->state_path) ? c->dir : c->state_path);
}

/* The run's end: outputs, stale files, summary. Returns the exit status. */
int cli_run_finish(run_ctx *c, const pe_result *res, double t0)
{
    const cli_options *o = c->o;
    pe_progress last = c->last;
    if (last.step == 0) { /* no step ran (nothing left to do) */
        last.loss = res->loss;
        last.psnr = res->psnr;
    }
    write_outputs(c, res, &last);
    cli_run_drop_preview(c);
    cli_progress_end(&c->progress);
    cli_claim_finish(c->claim, !cli_run_failed(c));
    if (cli_run_failed(c))
        return report_write_failure(c);
    if (!o->quiet)
        summary(c, res, cli_clock() - t0);
    if (res->count < (size_t)o->pe.triangles && o->pe.time_limit > 0.0 && !cli_stop_signal)
        fprintf(stderr, "polyevolve: --time %g s placed %zu of the %d triangles asked for (the "
                "adds were sped up, but the time could not hold them all)\n",
                o->pe.time_limit, res->count, o->pe.triangles);
    if (cli_stop_signal && !o->quiet)
        resume_hint(c);
    return cli_stop_signal ? 128 + cli_stop_signal : 0;
}
