/* anim: animations made from the frames in memory, written like every other output (a
 * temporary file beside the target, renamed when complete):
 * - .gif: libimagequant picks each frame's 255 colours and giflib writes the frame, each
 *   storing only the pixels that changed (the rest transparent), looping forever;
 * - .mp4: H.264 (libx264, yuv420p), .webm: VP9 (libvpx), through FFmpeg's libraries opened at
 *   run time (avlib.c). Odd sides are padded to even ones by repeating the last column or row
 *   (4:2:0 has one colour sample per 2 x 2 pixels).
 * Pixels with alpha are shown over white, as the JPEG output does. Every frame lasts 1/fps and
 * the last one `hold` seconds more. The same frames give the same bytes, whatever the number
 * of threads that made them (the encoders run on one thread each). */
#ifndef CLI_ANIM_H
#define CLI_ANIM_H

#include "polyevolve.h"

#include <stdbool.h>
#include <stddef.h>

/* Frames per second of the animations of a run and of `animate` (a GIF counts time in
 * hundredths of a second: 4 each at 25 fps). */
#define CLI_ANIM_FPS 25.0

/* The final picture's default hold, in seconds (as primitive's GIFs). */
#define CLI_ANIM_HOLD 2.5

typedef struct cli_anims cli_anims;
typedef struct cli_anims_frame cli_anims_frame;

/* By its name (.gif, .mp4, .webm, in any case): a file an animation is written to. */
bool cli_is_anim(const char *path);

/* The animations paths[0 .. n) (n >= 1, each a name cli_is_anim takes, kept by pointer) at fps,
 * the last frame held hold more seconds. What can be checked before any frame is checked now:
 * FFmpeg's libraries and their encoder for .mp4 and .webm. 0, or -1 with one line in why
 * ("x.mp4: ..."). Nothing is created on disk until the first frame. Free with cli_anims_free. */
int cli_anims_create(const char *const *paths, int n, double fps, double hold, cli_anims **out,
                     char *why, size_t why_len);

/* Make img ready for every animation (its colours for a GIF, YUV for a video): on any thread,
 * several at once. Takes img's pixels (img is zeroed). PE_OK, or PE_ERR_NOMEM (*out NULL). */
pe_status cli_anims_prepare(const cli_anims *a, pe_image *img, cli_anims_frame **out);

void cli_anims_frame_free(cli_anims_frame *f);

/* How many w x h frames to make at once (cli_make_put's chunk) when at most chunk would be
 * made for the files: fewer, so that two chunks of prepared frames stay within 64 MB. */
size_t cli_anims_chunk(const cli_anims *a, size_t chunk, int w, int h);

/* Append a prepared frame to every animation: on one thread, in order. The files are created at
 * the first frame, at its size; every frame must have that size. Takes f (NULL is a failed
 * prepare: out of memory). 0, or -1 once an animation has failed (cli_anims_error says which
 * and why; its temporary file is gone, the others go on). */
int cli_anims_put(cli_anims *a, cli_anims_frame *f);

/* Append the picture file name (read as inputs are: alpha over white) as the next frame, as
 * cli_anims_put does; one that cannot be read fails every animation ("NAME: why"). */
int cli_anims_put_file(cli_anims *a, const char *name);

/* Frames put so far. */
int cli_anims_count(const cli_anims *a);

/* Frames a video among a encodes again for the hold at the end (0 when a holds only GIFs: a
 * GIF's last frame just lasts longer). */
long cli_anims_held(const cli_anims *a);

/* Complete every animation (the last frame held), sync it and rename it into place. 0, or -1
 * when one failed (now or before: cli_anims_error). An animation without frames fails. */
int cli_anims_finish(cli_anims *a);

/* "PATH: why" of the first failure, or NULL. */
const char *cli_anims_error(const cli_anims *a);

/* Free a (NULL is fine), removing the temporary file of any animation not finished. */
void cli_anims_free(cli_anims *a);

/* Remove the temporary files of the animations being written: async-signal-safe, for a signal
 * handler that is about to leave the process. */
void cli_anims_unlink_tmp(void);

/* The animation path made from the frame files pattern (one %d: first, first + 1, .. first +
 * count - 1, PNG), as cli_anims_* make it; tick (may be NULL) is told after each file how many
 * are in. 0, or -1 with one line in why. */
int cli_anim_from_files(const char *pattern, int first, int count, const char *path, double fps,
                        double hold, void (*tick)(void *ctx, int done), void *tick_ctx,
                        char *why, size_t why_len);

#endif
