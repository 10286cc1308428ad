/* avlib: FFmpeg's libraries (libavformat, libavcodec, libswscale, libavutil), opened at run
 * time by the sonames the program was built against, for reading videos and writing MP4 and
 * WebM. */
#ifndef CLI_AVLIB_H
#define CLI_AVLIB_H

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/dict.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>

#include <stdbool.h>
#include <stddef.h>

#define CLI_AV_FUNCS(X) \
    X(CLI_AVFORMAT, av_find_best_stream) \
    X(CLI_AVFORMAT, av_interleaved_write_frame) \
    X(CLI_AVFORMAT, av_read_frame) \
    X(CLI_AVFORMAT, av_write_trailer) \
    X(CLI_AVFORMAT, avformat_alloc_output_context2) \
    X(CLI_AVFORMAT, avformat_close_input) \
    X(CLI_AVFORMAT, avformat_find_stream_info) \
    X(CLI_AVFORMAT, avformat_free_context) \
    X(CLI_AVFORMAT, avformat_new_stream) \
    X(CLI_AVFORMAT, avformat_open_input) \
    X(CLI_AVFORMAT, avformat_write_header) \
    X(CLI_AVFORMAT, avio_closep) \
    X(CLI_AVFORMAT, avio_open) \
    X(CLI_AVUTIL, av_dict_free) \
    X(CLI_AVUTIL, av_dict_set) \
    X(CLI_AVUTIL, av_frame_alloc) \
    X(CLI_AVUTIL, av_frame_free) \
    X(CLI_AVUTIL, av_frame_get_buffer) \
    X(CLI_AVUTIL, av_frame_ref) \
    X(CLI_AVUTIL, av_frame_unref) \
    X(CLI_AVUTIL, av_log_set_level) \
    X(CLI_AVUTIL, av_strerror) \
    X(CLI_AVCODEC, av_packet_alloc) \
    X(CLI_AVCODEC, av_packet_free) \
    X(CLI_AVCODEC, av_packet_rescale_ts) \
    X(CLI_AVCODEC, av_packet_unref) \
    X(CLI_AVCODEC, avcodec_alloc_context3) \
    X(CLI_AVCODEC, avcodec_find_decoder) \
    X(CLI_AVCODEC, avcodec_find_encoder_by_name) \
    X(CLI_AVCODEC, avcodec_free_context) \
    X(CLI_AVCODEC, avcodec_open2) \
    X(CLI_AVCODEC, avcodec_parameters_from_context) \
    X(CLI_AVCODEC, avcodec_parameters_to_context) \
    X(CLI_AVCODEC, avcodec_receive_frame) \
    X(CLI_AVCODEC, avcodec_receive_packet) \
    X(CLI_AVCODEC, avcodec_send_frame) \
    X(CLI_AVCODEC, avcodec_send_packet) \
    X(CLI_SWSCALE, sws_freeContext) \
    X(CLI_SWSCALE, sws_getCachedContext) \
    X(CLI_SWSCALE, sws_getCoefficients) \
    X(CLI_SWSCALE, sws_scale) \
    X(CLI_SWSCALE, sws_setColorspaceDetails)

enum { CLI_AVUTIL, CLI_SWSCALE, CLI_AVCODEC, CLI_AVFORMAT, CLI_AVLIBS };

#define CLI_AV_DECLARE(lib, fn) __typeof__(&fn) fn;
typedef struct cli_av_api {
    CLI_AV_FUNCS(CLI_AV_DECLARE)
} cli_av_api;
#undef CLI_AV_DECLARE

/* The functions, once cli_av_load has returned true. */
extern cli_av_api cli_av;

/* Open the libraries and find every function (once; later calls return at once). False with
 * the reason in why ("cannot load libavcodec.so.59 (install FFmpeg's libraries): ..."). Call
 * it from one thread, before any other thread uses cli_av. */
bool cli_av_load(char *why, size_t why_len);

#endif
