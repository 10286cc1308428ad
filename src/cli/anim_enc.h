/* anim_enc: what the animations (anim.c) share with their encoders, anim_gif.c (GIF) and
 * anim_video.c (MP4 and WebM). Not for other files. */
#ifndef CLI_ANIM_ENC_H
#define CLI_ANIM_ENC_H

#include "anim.h"
#include "avlib.h"
#include "options.h"

#include <gif_lib.h>
#include <limits.h>

enum { CLI_MAX_ANIMS = CLI_MAX_OUTPUTS };

typedef enum cli_anim_kind { CLI_ANIM_GIF, CLI_ANIM_MP4, CLI_ANIM_WEBM } cli_anim_kind;

/* A GIF frame waiting for the next different one, which decides how long it is shown. */
typedef struct cli_gif_frame {
    unsigned char *idx; /* w x h palette indices of the changed rectangle */
    int x, y, w, h;
    GifColorType pal[256];
    int map_size;    /* a power of two, >= colours + 1 */
    int transparent; /* the index of "unchanged", or -1 */
    long start;      /* the frame number it is first shown at */
} cli_gif_frame;

typedef struct cli_anim {
    cli_anim_kind kind;
    const char *path;
    char tmp[PATH_MAX + 16];
    int slot; /* in tmp_names, or -1 */
    bool open, failed;
    /* GIF */
    FILE *file;
    GifFileType *gif;
    unsigned char *prev; /* the last frame's pixels, to find what changed */
    cli_gif_frame pend;  /* pend.idx != NULL: a frame to write */
    /* MP4, WebM */
    AVFormatContext *fmt;
    AVCodecContext *enc;
    AVStream *st;
    AVPacket *pkt;
    AVFrame *last; /* the last frame, sent again for the hold */
    int64_t pts;
} cli_anim;

struct cli_anims {
    cli_anim a[CLI_MAX_ANIMS];
    int n;
    double fps, hold;
    bool gif, video; /* what a frame is prepared for */
    int w, h;        /* every frame's size: the first one's */
    long frames;
    char err[PATH_MAX + 256];
};

struct cli_anims_frame {
    int w, h;
    unsigned char *px;  /* opaque RGBA (GIF: what changed is found from it) */
    unsigned char *idx; /* GIF: w x h indices into pal */
    GifColorType pal[256];
    int colors;
    AVFrame *yuv; /* MP4, WebM */
};

/* anim.c: the first failure of a, worded "PATH: ..." into s->err; returns -1. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 3, 4)))
#endif
int cli_anim_fail(cli_anims *s, cli_anim *a, const char *fmt, ...);
/* A new temporary file beside a->path, known to the signal handler: its descriptor, or -1. */
int cli_anim_tmp(cli_anim *a);
/* Sync the finished temporary file and rename it to a->path: 0, or -1 with errno. */
int cli_anim_commit(cli_anim *a);
/* The FFmpeg encoder of an MP4 or a WebM. */
const char *cli_anim_encoder(cli_anim_kind k);

/* anim_gif.c: the frame's colours (f->px into f->idx, f->pal, f->colors); false when out of
 * memory. Then a GIF's life: open, put each frame, finish (the last held), close. 0 or -1
 * after cli_anim_fail. */
bool cli_gif_prepare(cli_anims_frame *f);
int cli_gif_open(cli_anims *s, cli_anim *a);
int cli_gif_put(cli_anims *s, cli_anim *a, const cli_anims_frame *f);
int cli_gif_finish(cli_anims *s, cli_anim *a);
void cli_gif_close(cli_anim *a);

/* anim_video.c: the frame in YUV (NULL when out of memory), then an MP4's or WebM's life. */
AVFrame *cli_avenc_yuv(const unsigned char *px, int w, int h);
int cli_avenc_open(cli_anims *s, cli_anim *a);
int cli_avenc_put(cli_anims *s, cli_anim *a, cli_anims_frame *f);
int cli_avenc_finish(cli_anims *s, cli_anim *a);
void cli_avenc_close(cli_anim *a);

#endif
