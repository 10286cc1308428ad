/* outdir: the rules of an output directory. One run at a time (a lock), no temporary file of a
 * killed run left behind, and no file of an earlier run that this one did not rewrite. */
#ifndef CLI_OUTDIR_H
#define CLI_OUTDIR_H

#include <stdbool.h>

/* Create dir (and its frames/ when with_frames), take DIR/.polyevolve.lock and remove the
 * *.tmp-* files a killed run left in DIR and DIR/frames (safe: the lock says no other run
 * writes there). Returns the lock's descriptor (keep it open for the run), or -1 after printing
 * one line: the directory cannot be made, or another run holds it. */
int cli_outdir_open(const char *dir, bool with_frames);

/* Remove DIR/frames/frame_NNNNN.png from frames_kept + 1 on (and frames/ itself when it is left
 * empty). Files of an earlier run that would otherwise sit beside this run's as if they were
 * its own. */
void cli_outdir_trim_frames(const char *dir, int frames_kept);

/* Remove DIR/name unless this run wrote it (wrote == true). */
void cli_outdir_drop(const char *dir, const char *name, bool wrote);

void cli_outdir_close(int lock_fd);

#endif
