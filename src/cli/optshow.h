/* optshow: each run option's value as text, for --help and state files (options.c's table). */
#ifndef CLI_OPTSHOW_H
#define CLI_OPTSHOW_H

#include "options.h"

#include <stddef.h>

typedef void (*shower)(const cli_options *o, char *buf, size_t len);

void cli_show_triangles(const cli_options *o, char *b, size_t n);
void cli_show_resize(const cli_options *o, char *b, size_t n);
void cli_show_size(const cli_options *o, char *b, size_t n);
void cli_show_threads(const cli_options *o, char *b, size_t n);
void cli_show_seed(const cli_options *o, char *b, size_t n);
void cli_show_iterations(const cli_options *o, char *b, size_t n);
void cli_show_time(const cli_options *o, char *b, size_t n);
void cli_show_target(const cli_options *o, char *b, size_t n);
void cli_show_frames(const cli_options *o, char *b, size_t n);
void cli_show_max_pixels(const cli_options *o, char *b, size_t n);
void cli_show_background(const cli_options *o, char *b, size_t n);
void cli_show_spacing(const cli_options *o, char *b, size_t n);
void cli_show_alpha(const cli_options *o, char *b, size_t n);
void cli_show_weight(const cli_options *o, char *b, size_t n);
void cli_show_palette(const cli_options *o, char *b, size_t n);

#endif
