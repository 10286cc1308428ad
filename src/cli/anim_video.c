/* anim_video: an MP4 (H.264 by libx264) or a WebM (VP9 by libvpx) of the frames, through
 * FFmpeg's libraries (avlib.h), on one encoder thread. */
#define _POSIX_C_SOURCE 200809L
#include "anim_enc.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *cli_anim_av_error(int e, char *buf, size_t len)
{
    if (e >= 0 || cli_av.av_strerror(e, buf, len) < 0)
        snprintf(buf, len, "error %d", e);
    return buf;
}

/* The frame in YUV 4:2:0 (BT.709, limited range: what players assume of HD video), its sides
 * made even by repeating the last column and row. NULL when out of memory. */
AVFrame *cli_avenc_yuv(const unsigned char *px, int w, int h)
{
    const int w2 = w + (w & 1), h2 = h + (h & 1);
    unsigned char *padded = NULL;
    const unsigned char *src = px;
    if (w2 != w || h2 != h) {
        if (!(padded = malloc((size_t)w2 * (size_t)h2 * 4)))
            return NULL;
        for (int y = 0; y < h2; y++) {
            unsigned char *row = padded + (size_t)y * (size_t)w2 * 4;
            memcpy(row, px + (size_t)(y < h ? y : h - 1) * (size_t)w * 4, (size_t)w * 4);
            if (w2 != w)
                memcpy(row + (size_t)w * 4, row + (size_t)(w - 1) * 4, 4);
        }
        src = padded;
    }
    AVFrame *fr = cli_av.av_frame_alloc();
    struct SwsContext *sws = cli_av.sws_getCachedContext(
        NULL, w2, h2, AV_PIX_FMT_RGBA, w2, h2, AV_PIX_FMT_YUV420P,
        SWS_BICUBIC | SWS_ACCURATE_RND | SWS_BITEXACT, NULL, NULL, NULL);
    bool ok = fr && sws;
    if (ok) {
        fr->format = AV_PIX_FMT_YUV420P;
        fr->width = w2;
        fr->height = h2;
        ok = cli_av.av_frame_get_buffer(fr, 0) >= 0;
    }
    if (ok) {
        const int *bt709 = cli_av.sws_getCoefficients(SWS_CS_ITU709);
        cli_av.sws_setColorspaceDetails(sws, bt709, 1, bt709, 0, 0, 1 << 16, 1 << 16);
        const uint8_t *const in[4] = { src, NULL, NULL, NULL };
        const int stride[4] = { 4 * w2, 0, 0, 0 };
        cli_av.sws_scale(sws, in, stride, 0, h2, fr->data, fr->linesize);
    }
    cli_av.sws_freeContext(sws);
    free(padded);
    if (!ok && fr)
        cli_av.av_frame_free(&fr);
    return fr;
}

/* fps as a fraction: n/1, n/1001 (NTSC's 29.97) or n/1000. */
static AVRational frame_rate(double fps)
{
    static const int dens[] = { 1, 1001, 1000 };
    for (int i = 0; i < 3; i++) {
        const double n = fps * dens[i];
        if (fabs(n - round(n)) < 1e-6 * dens[i] && n >= 1.0 && n < INT_MAX)
            return (AVRational){ (int)round(n), dens[i] };
    }
    return (AVRational){ (int)lround(fps * 1000.0), 1000 };
}

int cli_avenc_open(cli_anims *s, cli_anim *a)
{
    char buf[128];
    const int fd = cli_anim_tmp(a);
    if (fd < 0)
        return cli_anim_fail(s, a, "%s", strerror(errno));
    close(fd); /* FFmpeg writes it by name: its MP4 muxer reads it back to move the index */
    const int w2 = s->w + (s->w & 1), h2 = s->h + (s->h & 1);
    const AVCodec *codec = cli_av.avcodec_find_encoder_by_name(cli_anim_encoder(a->kind));
    int e = cli_av.avformat_alloc_output_context2(&a->fmt, NULL,
                                                  a->kind == CLI_ANIM_MP4 ? "mp4" : "webm", a->tmp);
    if (e < 0 || !codec || !(a->st = cli_av.avformat_new_stream(a->fmt, NULL)) ||
        !(a->enc = cli_av.avcodec_alloc_context3(codec)) || !(a->pkt = cli_av.av_packet_alloc()) ||
        !(a->last = cli_av.av_frame_alloc()))
        return cli_anim_fail(s, a, "cannot start the %s encoder: %s", cli_anim_encoder(a->kind),
                             e < 0 ? cli_anim_av_error(e, buf, sizeof buf) : "out of memory");
    a->fmt->flags |= AVFMT_FLAG_BITEXACT; /* no version strings: the same frames, the same bytes */
    AVCodecContext *c = a->enc;
    const AVRational rate = frame_rate(s->fps);
    c->width = w2;
    c->height = h2;
    c->pix_fmt = AV_PIX_FMT_YUV420P;
    c->time_base = (AVRational){ rate.den, rate.num };
    c->framerate = rate;
    c->bit_rate = 0;     /* constant quality (crf) */
    c->thread_count = 1; /* a frame-threaded encoder's bytes depend on its thread count */
    c->flags |= AV_CODEC_FLAG_BITEXACT;
    c->color_range = AVCOL_RANGE_MPEG;
    c->colorspace = AVCOL_SPC_BT709;
    c->color_primaries = AVCOL_PRI_BT709;
    c->color_trc = AVCOL_TRC_BT709;
    if (a->fmt->oformat->flags & AVFMT_GLOBALHEADER)
        c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    AVDictionary *opt = NULL, *mux = NULL;
    if (a->kind == CLI_ANIM_MP4) {
        /* veryfast: the smallest of x264's presets on these frames, and among the fastest */
        cli_av.av_dict_set(&opt, "preset", "veryfast", 0);
        cli_av.av_dict_set(&opt, "crf", "20", 0);
        cli_av.av_dict_set(&mux, "movflags", "+faststart", 0); /* plays while it downloads */
    } else {
        cli_av.av_dict_set(&opt, "deadline", "realtime", 0);
        cli_av.av_dict_set(&opt, "cpu-used", "8", 0);
        cli_av.av_dict_set(&opt, "crf", "30", 0);
        cli_av.av_dict_set(&opt, "row-mt", "0", 0);
    }
    e = cli_av.avcodec_open2(c, codec, &opt);
    cli_av.av_dict_free(&opt);
    if (e >= 0 && (e = cli_av.avcodec_parameters_from_context(a->st->codecpar, c)) >= 0) {
        a->st->time_base = c->time_base;
        e = cli_av.avio_open(&a->fmt->pb, a->tmp, AVIO_FLAG_WRITE);
    }
    if (e >= 0)
        e = cli_av.avformat_write_header(a->fmt, &mux);
    cli_av.av_dict_free(&mux);
    if (e < 0)
        return cli_anim_fail(s, a, "cannot start the video: %s",
                             cli_anim_av_error(e, buf, sizeof buf));
    return 0;
}

/* Send fr (NULL: the end) and write the packets the encoder has ready. */
static int video_send(cli_anims *s, cli_anim *a, AVFrame *fr)
{
    char buf[128];
    if (fr)
        fr->pts = a->pts++;
    int e = cli_av.avcodec_send_frame(a->enc, fr);
    while (e >= 0) {
        e = cli_av.avcodec_receive_packet(a->enc, a->pkt);
        if (e < 0)
            break;
        if (a->pkt->duration <= 0) /* every frame lasts 1/fps: also the last, for the index */
            a->pkt->duration = 1;
        cli_av.av_packet_rescale_ts(a->pkt, a->enc->time_base, a->st->time_base);
        a->pkt->stream_index = a->st->index;
        e = cli_av.av_interleaved_write_frame(a->fmt, a->pkt);
    }
    if (e < 0 && e != AVERROR(EAGAIN) && e != AVERROR_EOF)
        return cli_anim_fail(s, a, "cannot encode: %s", cli_anim_av_error(e, buf, sizeof buf));
    return 0;
}

int cli_avenc_put(cli_anims *s, cli_anim *a, cli_anims_frame *f)
{
    cli_av.av_frame_unref(a->last);
    if (cli_av.av_frame_ref(a->last, f->yuv) < 0)
        return cli_anim_fail(s, a, "out of memory");
    return video_send(s, a, a->last);
}

int cli_avenc_finish(cli_anims *s, cli_anim *a)
{
    char buf[128];
    const long hold = cli_anims_held(s); /* the last frame again, as many times */
    for (long i = 0; i < hold; i++)
        if (video_send(s, a, a->last) != 0)
            return -1;
    if (video_send(s, a, NULL) != 0)
        return -1;
    int e = cli_av.av_write_trailer(a->fmt);
    const int c = cli_av.avio_closep(&a->fmt->pb);
    if (e >= 0)
        e = c;
    if (e < 0)
        return cli_anim_fail(s, a, "cannot write: %s", cli_anim_av_error(e, buf, sizeof buf));
    if (cli_anim_commit(a) != 0)
        return cli_anim_fail(s, a, "%s", strerror(errno));
    return 0;
}

void cli_avenc_close(cli_anim *a)
{
    if (a->fmt && a->fmt->pb)
        cli_av.avio_closep(&a->fmt->pb);
    if (a->fmt)
        cli_av.avformat_free_context(a->fmt);
    a->fmt = NULL;
    if (a->enc)
        cli_av.avcodec_free_context(&a->enc);
    if (a->pkt)
        cli_av.av_packet_free(&a->pkt);
    if (a->last)
        cli_av.av_frame_free(&a->last);
}
