/* video: decode a video's frames (FFmpeg's libraries). */
#ifndef CLI_VIDEO_H
#define CLI_VIDEO_H

#include "polyevolve.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct cli_video cli_video;

/* Open path's best video stream. 0, or -1 with a phrase in why. */
int cli_video_open(const char *path, cli_video **out, char *why, size_t why_len);

/* The next frame as RGBA (free with pe_image_free): 1, 0 at the end, -1 with why. */
int cli_video_next(cli_video *v, pe_image *out, char *why, size_t why_len);

/* Frames per second the container states (25 when it states none). */
double cli_video_fps(const cli_video *v);

/* Frames the container states (its count, or its duration times its rate), 0 when it states
 * neither: an estimate for the progress, not a promise. */
int64_t cli_video_frames(const cli_video *v);

void cli_video_close(cli_video *v);

/* After the last frame: how many frames the container promised that were not read (a gap in
 * the timestamps, a missing end) plus the damaged packets and frames the decoder met, 0 when
 * none; the frames lost, one phrase, in why ("damaged: frames 28-60 of 60 lost (27 read)"). */
int64_t cli_video_damage(const cli_video *v, char *why, size_t why_len);

/* By its name: a file the sequence command reads as a video rather than as an image. */
bool cli_is_video(const char *path);

#endif
