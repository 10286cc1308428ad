/* anim_gif: a GIF of the frames: libimagequant picks each frame's colours, giflib writes the
 * frame, storing only the pixels that changed since the one before (the rest transparent). */
#define _POSIX_C_SOURCE 200809L
#include "anim_enc.h"

#include <libimagequant.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* libimagequant's fastest speed, and no dithering: flat triangles gain nothing from dithering
 * noise, so slower speeds give GIFs no smaller or closer, and dithering makes them larger,
 * further from the frames and slower to make (docs/benchmarks.md, "Frames cost"). */
#define GIF_SPEED  10
#define GIF_DITHER 0.0f

static void quantize(void *ctx)
{
    cli_anims_frame *f = ctx;
    liq_attr *attr = liq_attr_create();
    liq_image *img = NULL;
    liq_result *res = NULL;
    bool ok = attr && liq_set_max_colors(attr, 255) == LIQ_OK && /* 255: one is "unchanged" */
              liq_set_speed(attr, GIF_SPEED) == LIQ_OK &&
              (img = liq_image_create_rgba(attr, f->px, f->w, f->h, 0)) != NULL &&
              liq_image_quantize(img, attr, &res) == LIQ_OK &&
              liq_set_dithering_level(res, GIF_DITHER) == LIQ_OK &&
              liq_write_remapped_image(res, img, f->idx, (size_t)f->w * (size_t)f->h) == LIQ_OK;
    if (ok) {
        const liq_palette *p = liq_get_palette(res);
        f->colors = (int)p->count;
        for (int i = 0; i < f->colors; i++)
            f->pal[i] = (GifColorType){ p->entries[i].r, p->entries[i].g, p->entries[i].b };
    } else {
        f->colors = 0;
    }
    if (res)
        liq_result_destroy(res);
    if (img)
        liq_image_destroy(img);
    if (attr)
        liq_attr_destroy(attr);
}

bool cli_gif_prepare(cli_anims_frame *f)
{
    /* libimagequant's sums depend on its number of threads: one, whatever -j */
    pe_parallel_serial(quantize, f);
    return f->colors > 0;
}

static int gif_out(GifFileType *g, const GifByteType *b, int n)
{
    return (int)fwrite(b, 1, (size_t)n, g->UserData);
}

int cli_gif_open(cli_anims *s, cli_anim *a)
{
    const int fd = cli_anim_tmp(a);
    if (fd < 0)
        return cli_anim_fail(s, a, "%s", strerror(errno));
    if (!(a->file = fdopen(fd, "wb"))) {
        const int e = errno;
        close(fd);
        return cli_anim_fail(s, a, "%s", strerror(e));
    }
    int err = 0;
    if (!(a->gif = EGifOpen(a->file, gif_out, &err)))
        return cli_anim_fail(s, a, "cannot start the GIF: %s", GifErrorString(err));
    EGifSetGifVersion(a->gif, true);
    /* no global colour table: every frame has its own; NETSCAPE2.0: loop forever */
    static const unsigned char loop[3] = { 1, 0, 0 };
    if (EGifPutScreenDesc(a->gif, s->w, s->h, 8, 0, NULL) == GIF_ERROR ||
        EGifPutExtensionLeader(a->gif, APPLICATION_EXT_FUNC_CODE) == GIF_ERROR ||
        EGifPutExtensionBlock(a->gif, 11, "NETSCAPE2.0") == GIF_ERROR ||
        EGifPutExtensionBlock(a->gif, 3, loop) == GIF_ERROR ||
        EGifPutExtensionTrailer(a->gif) == GIF_ERROR)
        return cli_anim_fail(s, a, "cannot write: %s", GifErrorString(a->gif->Error));
    return 0;
}

/* Hundredths of a second from the start to frame number k. */
static long gif_time(const cli_anims *s, long k)
{
    return lround(100.0 * (double)k / s->fps);
}

/* Write the waiting frame, shown until frame number end and extra hundredths more. */
static int gif_write(cli_anims *s, cli_anim *a, long end, long extra)
{
    cli_gif_frame *p = &a->pend;
    long delay = gif_time(s, end) - gif_time(s, p->start) + extra;
    delay = delay < 1 ? 1 : delay > 65535 ? 65535 : delay;
    GraphicsControlBlock gcb = { .DisposalMode = DISPOSE_DO_NOT,
                                 .UserInputFlag = false,
                                 .DelayTime = (int)delay,
                                 .TransparentColor =
                                     p->transparent >= 0 ? p->transparent : NO_TRANSPARENT_COLOR };
    GifByteType ext[4];
    EGifGCBToExtension(&gcb, ext);
    ColorMapObject *map = GifMakeMapObject(p->map_size, p->pal);
    bool ok = map && EGifPutExtension(a->gif, GRAPHICS_EXT_FUNC_CODE, 4, ext) != GIF_ERROR &&
              EGifPutImageDesc(a->gif, p->x, p->y, p->w, p->h, false, map) != GIF_ERROR;
    for (int y = 0; ok && y < p->h; y++)
        ok = EGifPutLine(a->gif, p->idx + (size_t)y * (size_t)p->w, p->w) != GIF_ERROR;
    GifFreeMapObject(map);
    free(p->idx);
    p->idx = NULL;
    if (!ok)
        return cli_anim_fail(s, a, "cannot write: %s",
                             map ? GifErrorString(a->gif->Error) : "out of memory");
    return 0;
}

/* The rectangle [x0, x1) x [y0, y1) holding every pixel that differs between prev and cur;
 * false when none does. */
static bool changed(const unsigned char *prev, const unsigned char *cur, int w, int h, int *x0,
                    int *y0, int *x1, int *y1)
{
    const size_t row = (size_t)w * 4;
    int top = 0, bottom = h;
    while (top < h && !memcmp(prev + top * row, cur + top * row, row))
        top++;
    if (top == h)
        return false;
    while (!memcmp(prev + (bottom - 1) * row, cur + (bottom - 1) * row, row))
        bottom--;
    int left = w, right = 0;
    const uint32_t *p = (const uint32_t *)(const void *)prev;
    const uint32_t *c = (const uint32_t *)(const void *)cur;
    for (int y = top; y < bottom; y++) {
        const size_t o = (size_t)y * (size_t)w;
        int l = 0, r = w;
        while (l < left && p[o + l] == c[o + l])
            l++;
        while (r > right && p[o + r - 1] == c[o + r - 1])
            r--;
        left = l < left ? l : left;
        right = r > right ? r : right;
    }
    *x0 = left;
    *x1 = right;
    *y0 = top;
    *y1 = bottom;
    return true;
}

int cli_gif_put(cli_anims *s, cli_anim *a, const cli_anims_frame *f)
{
    const size_t bytes = (size_t)f->w * (size_t)f->h * 4;
    int x0 = 0, y0 = 0, x1 = f->w, y1 = f->h;
    if (a->prev && !changed(a->prev, f->px, f->w, f->h, &x0, &y0, &x1, &y1))
        return 0; /* the same picture: the waiting frame is shown longer */
    if (a->pend.idx && gif_write(s, a, s->frames, 0) != 0)
        return -1;
    cli_gif_frame *p = &a->pend;
    p->x = x0;
    p->y = y0;
    p->w = x1 - x0;
    p->h = y1 - y0;
    p->start = s->frames;
    /* pixels that did not change are transparent: what is shown there stays */
    p->transparent = a->prev ? f->colors : -1;
    const int needed = f->colors + (a->prev ? 1 : 0);
    for (p->map_size = 2; p->map_size < needed; p->map_size *= 2)
        ;
    memset(p->pal, 0, sizeof p->pal);
    memcpy(p->pal, f->pal, (size_t)f->colors * sizeof *p->pal);
    if (!(p->idx = malloc((size_t)p->w * (size_t)p->h)) || (!a->prev && !(a->prev = malloc(bytes))))
        return cli_anim_fail(s, a, "out of memory");
    const uint32_t *old = (const uint32_t *)(const void *)a->prev;
    const uint32_t *cur = (const uint32_t *)(const void *)f->px;
    const bool first = p->transparent < 0;
    for (int y = 0; y < p->h; y++) {
        const size_t o = (size_t)(y0 + y) * (size_t)f->w + (size_t)x0;
        unsigned char *out = p->idx + (size_t)y * (size_t)p->w;
        for (int x = 0; x < p->w; x++)
            out[x] =
                !first && old[o + x] == cur[o + x] ? (unsigned char)p->transparent : f->idx[o + x];
    }
    memcpy(a->prev, f->px, bytes);
    return 0;
}

int cli_gif_finish(cli_anims *s, cli_anim *a)
{
    if (a->pend.idx && gif_write(s, a, s->frames, lround(100.0 * s->hold)) != 0)
        return -1;
    int err = 0;
    const int r = EGifCloseFile(a->gif, &err);
    a->gif = NULL;
    if (r == GIF_ERROR)
        return cli_anim_fail(s, a, "cannot write: %s", GifErrorString(err));
    FILE *f = a->file;
    a->file = NULL;
    int e = 0;
    if (fflush(f) != 0 || ferror(f))
        e = errno ? errno : EIO;
    if (fclose(f) != 0 && !e)
        e = errno;
    if (e || cli_anim_commit(a) != 0)
        return cli_anim_fail(s, a, "%s", strerror(e ? e : errno));
    return 0;
}

void cli_gif_close(cli_anim *a)
{
    int err;
    if (a->gif)
        EGifCloseFile(a->gif, &err);
    if (a->file)
        fclose(a->file);
    a->gif = NULL;
    a->file = NULL;
    free(a->prev);
    free(a->pend.idx);
    a->prev = NULL;
    a->pend.idx = NULL;
}
