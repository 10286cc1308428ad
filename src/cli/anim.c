/* anim: the animations of a run or of animate (anim.h): their temporary files, the frames
 * prepared on any thread and put in order, and the encoders (anim_gif.c, anim_video.c) fed. */
#define _POSIX_C_SOURCE 200809L
#include "anim_enc.h"

#include "targets.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---------------------------------------------------------------- temporary files */

/* The temporaries being written, for a signal handler that leaves at once (anim.h). */
static char tmp_names[CLI_MAX_ANIMS][PATH_MAX + 16];
static volatile sig_atomic_t tmp_valid[CLI_MAX_ANIMS];

void cli_anims_unlink_tmp(void)
{
    for (int i = 0; i < CLI_MAX_ANIMS; i++)
        if (tmp_valid[i])
            unlink(tmp_names[i]);
}

int cli_anim_tmp(cli_anim *a)
{
    if (snprintf(a->tmp, sizeof a->tmp, "%s.tmp-XXXXXX", a->path) >= (int)sizeof a->tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    const int fd = mkstemp(a->tmp);
    if (fd < 0)
        return -1;
    fchmod(fd, 0644);
    for (int i = 0; i < CLI_MAX_ANIMS; i++)
        if (!tmp_valid[i]) {
            memcpy(tmp_names[i], a->tmp, sizeof a->tmp);
            tmp_valid[i] = 1;
            a->slot = i;
            break;
        }
    return fd;
}

static void drop_tmp(cli_anim *a, bool unlink_it)
{
    if (a->slot >= 0)
        tmp_valid[a->slot] = 0;
    a->slot = -1;
    if (unlink_it && a->tmp[0])
        unlink(a->tmp);
    a->tmp[0] = '\0';
}

int cli_anim_commit(cli_anim *a)
{
    const int fd = open(a->tmp, O_RDONLY);
    const int r = fd >= 0 && fsync(fd) == 0 ? 0 : -1;
    if (fd >= 0)
        close(fd);
    if (r != 0 || rename(a->tmp, a->path) != 0)
        return -1;
    drop_tmp(a, false);
    return 0;
}

int cli_anim_fail(cli_anims *s, cli_anim *a, const char *fmt, ...)
{
    if (!s->err[0]) {
        const int n = snprintf(s->err, sizeof s->err, "%s: ", a->path);
        va_list ap;
        va_start(ap, fmt);
        if (n > 0 && (size_t)n < sizeof s->err)
            vsnprintf(s->err + n, sizeof s->err - (size_t)n, fmt, ap);
        va_end(ap);
    }
    a->failed = true;
    return -1;
}

/* ---------------------------------------------------------------- creating */

bool cli_is_anim(const char *path)
{
    const char *dot = strrchr(path, '.');
    return dot && dot != path && dot[-1] != '/' &&
           (!strcasecmp(dot, ".gif") || !strcasecmp(dot, ".mp4") || !strcasecmp(dot, ".webm"));
}

const char *cli_anim_encoder(cli_anim_kind k)
{
    return k == CLI_ANIM_MP4 ? "libx264" : "libvpx-vp9";
}

int cli_anims_create(const char *const *paths, int n, double fps, double hold, cli_anims **out,
                     char *why, size_t why_len)
{
    *out = NULL;
    cli_anims *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(why, why_len, "%s: out of memory", paths[0]);
        return -1;
    }
    s->fps = fps;
    s->hold = hold;
    for (int i = 0; i < n && i < CLI_MAX_ANIMS; i++) {
        cli_anim *a = &s->a[s->n++];
        const char *dot = strrchr(paths[i], '.');
        a->path = paths[i];
        a->slot = -1;
        a->kind = !strcasecmp(dot, ".gif")   ? CLI_ANIM_GIF
                  : !strcasecmp(dot, ".mp4") ? CLI_ANIM_MP4
                                             : CLI_ANIM_WEBM;
        s->gif |= a->kind == CLI_ANIM_GIF;
        s->video |= a->kind != CLI_ANIM_GIF;
        char reason[512];
        if (a->kind != CLI_ANIM_GIF && !cli_av_load(reason, sizeof reason)) {
            snprintf(why, why_len, "%s: %s", a->path, reason);
            free(s);
            return -1;
        }
        if (a->kind != CLI_ANIM_GIF &&
            !cli_av.avcodec_find_encoder_by_name(cli_anim_encoder(a->kind))) {
            snprintf(why, why_len, "%s: FFmpeg's libavcodec here has no %s encoder (Debian's has)",
                     a->path, cli_anim_encoder(a->kind));
            free(s);
            return -1;
        }
    }
    *out = s;
    return 0;
}

/* ---------------------------------------------------------------- preparing a frame */

void cli_anims_frame_free(cli_anims_frame *f)
{
    if (!f)
        return;
    free(f->px);
    free(f->idx);
    if (f->yuv)
        cli_av.av_frame_free(&f->yuv);
    free(f);
}

size_t cli_anims_chunk(const cli_anims *a, size_t chunk, int w, int h)
{
    const size_t px = (size_t)(w + 1) * (size_t)(h + 1);
    const size_t per =
        (a->gif ? 5 * px : 0) + (a->video ? px * 3 / 2 : 0) + sizeof(cli_anims_frame);
    const size_t fit = ((size_t)32 << 20) / per;
    return fit < 1 ? 1 : fit < chunk ? fit : chunk;
}

/* What a viewer shows of a picture with alpha: the picture over white. */
static void over_white(unsigned char *px, size_t n)
{
    for (size_t i = 0; i < n; i++, px += 4) {
        const unsigned a = px[3];
        if (a == 255)
            continue;
        for (int k = 0; k < 3; k++)
            px[k] = (unsigned char)((px[k] * a + 255u * (255u - a) + 127u) / 255u);
        px[3] = 255;
    }
}

pe_status cli_anims_prepare(const cli_anims *a, pe_image *img, cli_anims_frame **out)
{
    *out = NULL;
    cli_anims_frame *f = calloc(1, sizeof *f);
    if (!f) {
        pe_image_free(img);
        return PE_ERR_NOMEM;
    }
    f->w = img->width;
    f->h = img->height;
    f->px = img->rgba;
    *img = (pe_image){ 0 };
    const size_t n = (size_t)f->w * (size_t)f->h;
    over_white(f->px, n);
    bool ok = true;
    if (a->gif) {
        /* libimagequant's sums depend on its number of threads: one, whatever -j */
        ok = (f->idx = malloc(n)) != NULL;
        ok = ok && cli_gif_prepare(f);
    }
    if (ok && a->video)
        ok = (f->yuv = cli_avenc_yuv(f->px, f->w, f->h)) != NULL;
    if (!a->gif) { /* the pixels were only needed for the YUV */
        free(f->px);
        f->px = NULL;
    }
    if (!ok) {
        cli_anims_frame_free(f);
        return PE_ERR_NOMEM;
    }
    *out = f;
    return PE_OK;
}

/* ---------------------------------------------------------------- the set */

/* An animation that failed: its file goes, the others go on. */
static void abandon(cli_anim *a)
{
    if (a->kind == CLI_ANIM_GIF) {
        cli_gif_close(a);
    } else {
        cli_avenc_close(a);
    }
    drop_tmp(a, true);
    a->open = false;
}

int cli_anims_put(cli_anims *s, cli_anims_frame *f)
{
    int rc = 0;
    if (s->frames == 0 && f) {
        s->w = f->w;
        s->h = f->h;
    }
    for (int i = 0; i < s->n; i++) {
        cli_anim *a = &s->a[i];
        if (a->failed) {
            rc = -1;
            continue;
        }
        int r = 0;
        if (!f)
            r = cli_anim_fail(s, a, "out of memory");
        else if (f->w != s->w || f->h != s->h)
            r = cli_anim_fail(s, a, "frame %ld is %dx%d, the first %dx%d", s->frames + 1, f->w,
                              f->h, s->w, s->h);
        else if (!a->open &&
                 (r = a->kind == CLI_ANIM_GIF ? cli_gif_open(s, a) : cli_avenc_open(s, a)) == 0)
            a->open = true;
        if (r == 0)
            r = a->kind == CLI_ANIM_GIF ? cli_gif_put(s, a, f) : cli_avenc_put(s, a, f);
        if (r != 0) {
            abandon(a);
            rc = -1;
        }
    }
    cli_anims_frame_free(f);
    s->frames++;
    return rc;
}

int cli_anims_count(const cli_anims *s)
{
    return (int)s->frames;
}

long cli_anims_held(const cli_anims *s)
{
    return s->video ? lround(s->hold * s->fps) : 0;
}

int cli_anims_finish(cli_anims *s)
{
    int rc = 0;
    for (int i = 0; i < s->n; i++) {
        cli_anim *a = &s->a[i];
        int r = a->failed ? -1 : 0;
        if (r == 0 && !a->open)
            r = cli_anim_fail(s, a, "no frames to animate");
        if (r == 0)
            r = a->kind == CLI_ANIM_GIF ? cli_gif_finish(s, a) : cli_avenc_finish(s, a);
        if (r != 0)
            rc = -1;
        abandon(a); /* frees what is left; a finished file has been renamed already */
    }
    return rc;
}

const char *cli_anims_error(const cli_anims *s)
{
    return s->err[0] ? s->err : NULL;
}

void cli_anims_free(cli_anims *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->n; i++)
        abandon(&s->a[i]);
    free(s);
}

/* ---------------------------------------------------------------- from files */

int cli_anims_put_file(cli_anims *s, const char *name)
{
    char reason[PE_IMAGE_WHY_LEN];
    pe_image img = { 0 };
    const pe_load_limits lim = pe_load_limits_default();
    if (pe_image_load_ex(name, &lim, &img, reason, sizeof reason) != PE_OK) {
        for (int i = 0; i < s->n; i++)
            if (!s->a[i].failed) {
                cli_anim_fail(s, &s->a[i], "%s: %s", name, reason);
                abandon(&s->a[i]);
            }
        return -1;
    }
    cli_anims_frame *f = NULL;
    if (cli_anims_prepare(s, &img, &f) != PE_OK)
        f = NULL; /* out of memory: cli_anims_put says so */
    return cli_anims_put(s, f);
}

int cli_anim_from_files(const char *pattern, int first, int count, const char *path, double fps,
                        double hold, void (*tick)(void *ctx, int done), void *tick_ctx,
                        char *why, size_t why_len)
{
    cli_anims *s;
    if (cli_anims_create(&path, 1, fps, hold, &s, why, why_len) != 0)
        return -1;
    int rc = 0;
    for (int k = 0; k < count && rc == 0; k++) {
        char name[PATH_MAX];
        if (!cli_pattern_name(name, sizeof name, pattern, first + k)) {
            snprintf(why, why_len, "%s: frame %d: path too long", path, first + k);
            rc = -1;
        } else if (cli_anims_put_file(s, name) != 0) {
            rc = -1;
        } else if (tick) {
            tick(tick_ctx, k + 1);
        }
    }
    if (rc == 0 && cli_anims_finish(s) != 0)
        rc = -1;
    const char *err = cli_anims_error(s);
    if (rc != 0 && err)
        snprintf(why, why_len, "%s", err);
    cli_anims_free(s);
    return rc;
}
