/* video: a video file's frames as RGBA images, through FFmpeg's libraries (Debian's
 * libavformat, libavcodec, libswscale; opened at run time, see avlib.c). */
#define _POSIX_C_SOURCE 200809L
#include "video.h"

#include "avlib.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Frames the container promised that were not decoded, as ranges of frame numbers (from 1). */
enum { MAX_LOST = 8 };

struct cli_video {
    AVFormatContext *fmt;
    AVCodecContext *dec;
    struct SwsContext *sws;
    AVPacket *pkt;
    AVFrame *frame;
    int stream;
    bool draining, done;
    double fps;
    double time_base; /* seconds per timestamp unit */
    int64_t start;    /* the stream's first timestamp, AV_NOPTS_VALUE when unknown */
    int64_t expected; /* frames the container states, 0 = unknown */
    int64_t decoded;  /* frames read */
    int64_t next;     /* the frame number (from 0) the next frame should have */
    int64_t lost[MAX_LOST][2], nlost, lost_total;
    int64_t broken;   /* packets the decoder refused and frames it marked corrupt */
};

void cli_video_close(cli_video *v)
{
    if (!v)
        return;
    cli_av.sws_freeContext(v->sws);
    cli_av.av_frame_free(&v->frame);
    cli_av.av_packet_free(&v->pkt);
    cli_av.avcodec_free_context(&v->dec);
    cli_av.avformat_close_input(&v->fmt);
    free(v);
}

static int fail(char *why, size_t len, const char *what, int err)
{
    char text[128] = "";
    if (err < 0)
        cli_av.av_strerror(err, text, sizeof text);
    snprintf(why, len, "%s%s%s", what, text[0] ? ": " : "", text);
    return -1;
}

int cli_video_open(const char *path, cli_video **out, char *why, size_t why_len)
{
    *out = NULL;
    if (!cli_av_load(why, why_len))
        return -1;
    cli_video *v = calloc(1, sizeof *v);
    if (!v)
        return fail(why, why_len, "out of memory", 0);
    int e = cli_av.avformat_open_input(&v->fmt, path, NULL, NULL);
    if (e < 0) {
        cli_video_close(v);
        return fail(why, why_len, "cannot open as a video", e);
    }
    if ((e = cli_av.avformat_find_stream_info(v->fmt, NULL)) < 0 ||
        (e = cli_av.av_find_best_stream(v->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0)) < 0) {
        cli_video_close(v);
        return fail(why, why_len, "no video stream", e);
    }
    v->stream = e;
    const AVStream *s = v->fmt->streams[e];
    const AVCodec *codec = cli_av.avcodec_find_decoder(s->codecpar->codec_id);
    if (!codec || !(v->dec = cli_av.avcodec_alloc_context3(codec)) ||
        cli_av.avcodec_parameters_to_context(v->dec, s->codecpar) < 0) {
        cli_video_close(v);
        return fail(why, why_len, "no decoder for its video codec", 0);
    }
    v->dec->thread_count = 1; /* the frames are the same either way; our threads are busy */
    if ((e = cli_av.avcodec_open2(v->dec, codec, NULL)) < 0) {
        cli_video_close(v);
        return fail(why, why_len, "cannot open its decoder", e);
    }
    const AVRational r = s->avg_frame_rate.num > 0 ? s->avg_frame_rate : s->r_frame_rate;
    v->fps = r.num > 0 && r.den > 0 ? av_q2d(r) : 25.0;
    v->time_base = s->time_base.num > 0 && s->time_base.den > 0 ? av_q2d(s->time_base) : 0.0;
    v->start = s->start_time;
    v->expected = s->nb_frames > 0 ? s->nb_frames
                  : s->duration > 0 && v->time_base > 0
                      ? (int64_t)llround((double)s->duration * v->time_base * v->fps)
                      : 0;
    v->pkt = cli_av.av_packet_alloc();
    v->frame = cli_av.av_frame_alloc();
    if (!v->pkt || !v->frame) {
        cli_video_close(v);
        return fail(why, why_len, "out of memory", 0);
    }
    *out = v;
    return 0;
}

double cli_video_fps(const cli_video *v)
{
    return v->fps;
}

int64_t cli_video_frames(const cli_video *v)
{
    return v->expected;
}

/* Frames first..last (from 0) were not decoded. */
static void lose(cli_video *v, int64_t first, int64_t last)
{
    if (last < first)
        return;
    if (v->nlost < MAX_LOST) {
        v->lost[v->nlost][0] = first;
        v->lost[v->nlost][1] = last;
        v->nlost++;
    }
    v->lost_total += last - first + 1;
}

/* Where the decoded frame falls by its timestamp: a jump past the next number means frames
 * were lost between (a damaged stretch the demuxer or the decoder skipped). */
static void account(cli_video *v)
{
    const AVFrame *f = v->frame;
    if (f->decode_error_flags || (f->flags & AV_FRAME_FLAG_CORRUPT))
        v->broken++;
    const int64_t ts = f->best_effort_timestamp;
    if (ts != AV_NOPTS_VALUE && v->time_base > 0) {
        const int64_t at = (int64_t)llround(
            (double)(ts - (v->start != AV_NOPTS_VALUE ? v->start : 0)) * v->time_base * v->fps);
        if (at > v->next)
            lose(v, v->next, at - 1);
        if (at >= v->next)
            v->next = at + 1;
        else
            v->next++;
    } else {
        v->next++;
    }
    v->decoded++;
}

int64_t cli_video_damage(const cli_video *v, char *why, size_t why_len)
{
    int64_t lost = v->lost_total, tail = 0;
    if (v->expected > v->next) { /* the end is missing: a truncated file */
        tail = v->expected - v->next;
        lost += tail;
    }
    if (lost == 0 && v->broken == 0)
        return 0;
    size_t n = 0;
    n += (size_t)snprintf(why + n, why_len - n, "damaged: ");
    const char *sep = "frames ";
    for (int64_t i = 0; i < v->nlost && n < why_len; i++, sep = ", ")
        n += (size_t)snprintf(why + n, why_len - n,
                              v->lost[i][0] == v->lost[i][1] ? "%s%" PRId64 : "%s%" PRId64 "-%" PRId64,
                              sep, v->lost[i][0] + 1, v->lost[i][1] + 1);
    if (v->lost_total > 0 && v->nlost == MAX_LOST && n < why_len)
        n += (size_t)snprintf(why + n, why_len - n, ", ...");
    if (tail > 0 && n < why_len)
        n += (size_t)snprintf(why + n, why_len - n, "%s%" PRId64 "-%" PRId64, sep,
                              v->next + 1, v->expected);
    if (lost > 0 && n < why_len)
        n += (size_t)snprintf(why + n, why_len - n, " of %" PRId64 " lost (%" PRId64 " read)",
                              v->expected > v->next ? v->expected : v->next, v->decoded);
    if (v->broken > 0 && n < why_len)
        snprintf(why + n, why_len - n, "%s%" PRId64 " damaged packets or frames", lost ? "; " : "",
                 v->broken);
    return lost + v->broken;
}

/* The decoded frame as RGBA. */
static int convert(cli_video *v, pe_image *out, char *why, size_t why_len)
{
    const AVFrame *f = v->frame;
    v->sws = cli_av.sws_getCachedContext(v->sws, f->width, f->height, f->format, f->width, f->height,
                                  AV_PIX_FMT_RGBA, SWS_BICUBIC | SWS_ACCURATE_RND | SWS_BITEXACT,
                                  NULL, NULL, NULL);
    out->rgba = malloc((size_t)f->width * (size_t)f->height * 4);
    if (!v->sws || !out->rgba) {
        free(out->rgba);
        out->rgba = NULL;
        return fail(why, why_len, "cannot convert its frames to RGBA", 0);
    }
    out->width = f->width;
    out->height = f->height;
    uint8_t *dst[4] = { out->rgba, NULL, NULL, NULL };
    const int stride[4] = { 4 * f->width, 0, 0, 0 };
    cli_av.sws_scale(v->sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, dst, stride);
    return 1;
}

int cli_video_next(cli_video *v, pe_image *out, char *why, size_t why_len)
{
    memset(out, 0, sizeof *out);
    while (!v->done) {
        int e = cli_av.avcodec_receive_frame(v->dec, v->frame);
        if (e == 0) {
            account(v);
            const int r = convert(v, out, why, why_len);
            cli_av.av_frame_unref(v->frame);
            return r;
        }
        if (e == AVERROR_EOF) {
            v->done = true;
            break;
        }
        if (e == AVERROR_INVALIDDATA) { /* a damaged frame: counted, and the rest goes on */
            v->broken++;
            continue;
        }
        if (e != AVERROR(EAGAIN))
            return fail(why, why_len, "cannot decode a frame", e);
        if (v->draining) {
            v->done = true;
            break;
        }
        e = cli_av.av_read_frame(v->fmt, v->pkt);
        if (e == AVERROR_EOF) {
            v->draining = true;
            cli_av.avcodec_send_packet(v->dec, NULL);
            continue;
        }
        if (e < 0)
            return fail(why, why_len, "cannot read", e);
        if (v->pkt->stream_index == v->stream)
            e = cli_av.avcodec_send_packet(v->dec, v->pkt);
        cli_av.av_packet_unref(v->pkt);
        if (e == AVERROR_INVALIDDATA) { /* a damaged packet: counted, and the rest goes on */
            v->broken++;
            continue;
        }
        if (e < 0 && e != AVERROR(EAGAIN))
            return fail(why, why_len, "cannot decode a packet", e);
    }
    return 0;
}

bool cli_is_video(const char *path)
{
    static const char *const ext[] = { ".mp4", ".mkv", ".mov", ".avi", ".webm", ".m4v",
                                       ".mpg", ".mpeg", ".ogv", ".y4m", ".flv", ".ts" };
    const char *dot = strrchr(path, '.');
    if (!dot)
        return false;
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        size_t k = 0;
        while (ext[i][k] && dot[k] && (dot[k] | 0x20) == ext[i][k])
            k++;
        if (!ext[i][k] && !dot[k])
            return true;
    }
    return false;
}
