/* artist: reading the mask and palette files of a run. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "artist.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A mask that is black (or transparent) everywhere would make every pixel count for nothing. */
static bool all_zero(const pe_image *m)
{
    const size_t px = (size_t)m->width * (size_t)m->height;
    for (size_t i = 0; i < px; i++) {
        const unsigned char *p = m->rgba + 4 * i;
        if (p[3] > 0 && (p[0] | p[1] | p[2]))
            return false;
    }
    return true;
}

static int load_mask(cli_options *o, cli_artist *a)
{
    const pe_load_limits lim = { .max_pixels = o->max_pixels };
    char why[PE_IMAGE_WHY_LEN];
    const pe_status st = pe_image_load_ex(o->weight_path, &lim, &a->mask, why, sizeof why);
    if (st != PE_OK) {
        fprintf(stderr, "polyevolve: --weight %s: %s\n", o->weight_path,
                why[0]            ? why
                : st == PE_ERR_IO ? strerror(errno)
                                  : pe_status_str(st));
        return 1;
    }
    if (all_zero(&a->mask)) { /* a usage error, as a mask black at the working size is */
        fprintf(stderr,
                "polyevolve: --weight %s: the mask is black everywhere: nothing would "
                "count\n",
                o->weight_path);
        return 2;
    }
    o->pe.weight = &a->mask;
    return 0;
}

int cli_artist_load(cli_options *o, cli_artist *a)
{
    memset(a, 0, sizeof *a);
    int rc;
    if (o->weight_path && (rc = load_mask(o, a)) != 0)
        return rc;
    if (o->weight_path && !realpath(o->weight_path, a->weight_abs))
        a->weight_abs[0] = '\0';
    if (o->palette_path) {
        char why[256];
        int n = 0;
        errno = 0;
        const pe_status st = pe_palette_load(o->palette_path, &a->palette, &n, why, sizeof why);
        if (st != PE_OK) {
            fprintf(stderr, "polyevolve: --palette %s: %s\n", o->palette_path,
                    st == PE_ERR_FORMAT && why[0] ? why
                    : st == PE_ERR_IO && errno    ? strerror(errno)
                                                  : pe_status_str(st));
            return 1;
        }
        o->pe.palette = a->palette;
        o->pe.palette_size = n;
        if (!realpath(o->palette_path, a->palette_abs))
            a->palette_abs[0] = '\0';
    }
    return 0;
}

size_t cli_artist_paths(const cli_artist *a, const char **keys, const char **values)
{
    size_t n = 0;
    if (a->weight_abs[0]) {
        keys[n] = "weight" CLI_PATH_KEY_SUFFIX;
        values[n++] = a->weight_abs;
    }
    if (a->palette_abs[0]) {
        keys[n] = "palette" CLI_PATH_KEY_SUFFIX;
        values[n++] = a->palette_abs;
    }
    return n;
}

void cli_artist_free(cli_artist *a)
{
    if (!a)
        return;
    pe_image_free(&a->mask);
    free(a->palette);
    memset(a, 0, sizeof *a);
}
