/* optshow: each run option's current value as it would be typed: what --help gives as its
 * default (shown from pe_options_default(), the one place defaults live) and what state files
 * record. */
#include "optshow.h"

#include <inttypes.h>
#include <stdio.h>

void cli_show_triangles(const cli_options *o, char *b, size_t n)
{
    snprintf(b, n, "%d", o->pe.triangles);
}
void cli_show_resize(const cli_options *o, char *b, size_t n)
{
    snprintf(b, n, "%d", o->pe.resize);
}
void cli_show_size(const cli_options *o, char *b, size_t n)
{
    snprintf(b, n, "%d", o->size);
}
void cli_show_threads(const cli_options *o, char *b, size_t n)
{
    snprintf(b, n, "%d", o->pe.threads);
}
void cli_show_seed(const cli_options *o, char *b, size_t n)
{
    snprintf(b, n, "%" PRIu64, o->pe.seed);
}
void cli_show_iterations(const cli_options *o, char *b, size_t n)
{
    snprintf(b, n, "%d", o->pe.iterations);
}
void cli_show_time(const cli_options *o, char *b, size_t n)
{
    snprintf(b, n, "%.17g", o->pe.time_limit);
}
void cli_show_target(const cli_options *o, char *b, size_t n)
{
    snprintf(b, n, "%.17g", o->pe.target_psnr);
}
void cli_show_frames(const cli_options *o, char *b, size_t n)
{
    snprintf(b, n, "%d", o->pe.frames);
}
void cli_show_max_pixels(const cli_options *o, char *b, size_t n)
{
    snprintf(b, n, "%" PRIu64, o->max_pixels);
}

void cli_show_background(const cli_options *o, char *b, size_t n)
{
    if (o->pe.transparent)
        snprintf(b, n, "none");
    else if (o->pe.background_auto)
        snprintf(b, n, "auto");
    else
        snprintf(b, n, "#%02x%02x%02x", o->pe.background[0], o->pe.background[1],
                 o->pe.background[2]);
}

void cli_show_spacing(const cli_options *o, char *b, size_t n)
{
    snprintf(b, n, "%s",
             o->spacing_psnr                        ? "psnr"
             : o->pe.frame_spacing == PE_FRAMES_LOG ? "log"
                                                    : "linear");
}

void cli_show_alpha(const cli_options *o, char *b, size_t n)
{
    if (o->pe.alpha > 0.0)
        snprintf(b, n, "%.17g", o->pe.alpha);
    else
        snprintf(b, n, "auto");
}

void cli_show_weight(const cli_options *o, char *b, size_t n)
{
    snprintf(b, n, "%s", o->weight_path ? o->weight_path : o->pe.weight_auto ? "auto" : "none");
}

void cli_show_palette(const cli_options *o, char *b, size_t n)
{
    if (o->palette_path)
        snprintf(b, n, "%s", o->palette_path);
    else if (o->pe.palette_size > 0)
        snprintf(b, n, "%d", o->pe.palette_size);
    else
        snprintf(b, n, "none");
}

