/* output: files the CLI writes, always atomically (temporary name in the same directory, then
 * rename), so an existing file is never left truncated or half-written. */
#ifndef CLI_OUTPUT_H
#define CLI_OUTPUT_H

#include "polyevolve.h"

typedef pe_status (*cli_writer)(FILE *f, const void *ctx);

/* Write path through fn. On failure returns the status, leaves path as it was, and sets errno
 * where the system said why. */
pe_status cli_write_atomic(const char *path, cli_writer fn, const void *ctx);

/* The temporary file being written, valid while cli_tmp_valid is set: the signal handler
 * removes it before leaving. */
#include <signal.h>
extern char cli_current_tmp[4200];
extern volatile sig_atomic_t cli_tmp_valid;

/* mkdir -p for one or two levels; returns 0 or -1 with errno. */
int cli_mkdir(const char *path);

/* join dir and name into buf (PATH_MAX-safe); returns buf or NULL when too long */
char *cli_join(char *buf, size_t len, const char *dir, const char *name);

/* Read a state file; on failure print the one-line error naming path and return false. */
bool cli_read_state(const char *path, pe_state *out);

/* The artefacts of a result. */
pe_status cli_write_png_of(const char *path, const pe_image *img, const pe_metadata *meta);
/* SVG at width x height pixels (0 = input size, one 0 = keep the aspect ratio); the print
 * sizes of --page: page.h. */
pe_status cli_write_svg_of(const char *path, const pe_result *res, double width, double height,
                           const pe_metadata *meta);
pe_status cli_write_jpeg_of(const char *path, const pe_image *img, const pe_metadata *meta);
pe_status cli_write_text(const char *path, const char *text, size_t len);

/* Many pictures made on all threads and written by one: res drawn at w x h (0 = input size,
 * one 0 = keep the aspect ratio) and encoded as PNG in memory (*png malloc'ed, free() it; NULL
 * on failure). Safe on any thread: the atomic writes (one temporary file known to the signal
 * handler at a time) stay on the writing thread. */
pe_status cli_png_bytes(const pe_result *res, int w, int h, const pe_metadata *meta, char **png,
                        size_t *len);
/* img as PNG in memory (*png malloc'ed, free() it; NULL on failure), on any thread. */
pe_status cli_png_encode(const pe_image *img, const pe_metadata *meta, char **png, size_t *len);
/* Pictures of res at -s size (0: its own) to make at once before writing them: 128 MB of raw
 * pixels (two chunks' PNGs
 * may wait in memory), at least 1 (a picture larger than that is drawn alone, as before
 * threads drew frames), at most 32 (enough for 16 threads). */
size_t cli_png_chunk(const pe_result *res, int size);

/* Make n items on all threads and put them in order on one: make(ctx, i) may run for several
 * i at once, on any thread; put(ctx, i) runs for i = 0, 1, .. one at a time, each after its
 * make, while the next chunk is made (two chunks of `chunk` items in flight), so the puts'
 * writes and syncs overlap the drawing. A put that returns false stops it: no later item is
 * made or put (the caller frees what was made and not put). */
void cli_make_put(int threads, size_t n, size_t chunk, void (*make)(void *ctx, size_t i),
                  bool (*put)(void *ctx, size_t i), void *ctx);

/* -s N as a width x height pair for the writers: N on the longest side, the other 0 (from the
 * aspect ratio); both 0 when side is 0. */
void cli_longest_side(const pe_result *res, double side, double *width, double *height);

#endif
