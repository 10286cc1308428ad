/* frames: the PNG frames of a run, drawn from the triangles (pe_render, antialiased like
 * final.png) at the frame size (cli_frame_side), into DIR/frames/frame_NNNNN.png or an -o
 * pattern, and into the run's animations (anim.h): drawn once for both.
 *
 * Spacing. linear and log take the library's frame points (evenly over the work, or dense
 * early) and write each as it comes. psnr (the default) spaces frames by what the eye sees:
 * the run's steps are kept as candidates, and at the end up to N frames are chosen so that
 * each is at least delta dB of working PSNR above the one before, with delta as large as still
 * gives N frames; the last frame is the final picture. Work-spaced frames of a run whose PSNR
 * has levelled off stand still for half the video; these do not. The candidates are thinned as
 * they come (at most 4N + 16 kept, and no more than 4112 or 256 MB of triangles), so memory
 * stays bounded on long runs; past that, fewer frames than N may come out. */
#ifndef CLI_FRAMES_H
#define CLI_FRAMES_H

#include "anim.h"
#include "progress.h"
#include "targets.h"

#include <limits.h>

typedef struct cli_frame_cand cli_frame_cand;

/* Called for each frame written, with the progress point it shows (for log.csv). */
typedef void (*cli_frame_fn)(void *ctx, const pe_progress *p, int number);

typedef struct cli_frames {
    const char *dir;     /* DIR/frames, or NULL */
    const char *pattern; /* or an -o pattern */
    int size;            /* longest side (cli_frame_side), 0 = input size */
    int max;             /* frames this run may add (--frames, less those a resume keeps) */
    int total;           /* --frames: frame numbers never go past it */
    int triangles;       /* --triangles: sizes the candidates' memory */
    int threads;         /* -j: threads that draw and encode the frames (0 = all cores) */
    bool by_psnr;
    bool keep_old;     /* resume: numbering goes on after the frames already there */
    double floor_psnr; /* resume: the PSNR of the picture the last run ended on; a frame
                        * must be better (else it repeats that run's last frame).
                        * -HUGE_VAL otherwise */
    int written;       /* frames on disk of this sequence (numbered 1..written) */
    const pe_metadata *meta;
    cli_anims *anims;  /* the animations made of the frames (owned), or NULL */
    cli_frame_fn on_frame;
    void *ctx;
    cli_progress *progress; /* says what is written (-v lines, the bar after the run), or NULL */
    const char *anim_names; /* the animations' file names for it ("run.gif, run.mp4"), or NULL */
    /* private */
    cli_frame_cand *cand;
    size_t ncand, cap;
    double gap;
    unsigned char *last; /* the last frame written, to skip identical ones */
    size_t last_len;
    bool cleared;
    pe_status failed; /* the first write that failed, and where */
    int failed_errno;
    char failed_path[PATH_MAX];
    char failed_why[PATH_MAX + 256]; /* or, when set, the whole line after "polyevolve: " */
} cli_frames;

/* The animation targets among tg (their paths kept by pointer): made of the frames, also
 * when no frame file is written (then f->max is set here). 0, or the exit status after one
 * line on stderr: 2 with --frames 0, 1 when an encoder is missing. */
int cli_frames_anims(cli_frames *f, const cli_options *o, const cli_targets *tg);

/* Number of frame_NNNNN.png without gaps in dir (for a resume). */
int cli_frames_count(const char *dir);

/* Every progress step of the run. */
void cli_frames_step(cli_frames *f, const pe_progress *p, const pe_result *partial);

/* The end of the run: write the chosen frames (psnr spacing; with other spacings the final
 * picture ends the animations) and complete the animations. final_point describes res. */
void cli_frames_finish(cli_frames *f, const pe_progress *final_point, const pe_result *res);

void cli_frames_free(cli_frames *f);

#endif
