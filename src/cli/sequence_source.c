/* sequence_source: see sequence_source.h. Its own file because what a sequence reads
 * (which names are images, how a directory is ordered, a video's limits) changes apart from
 * how its frames are made. */
#define _XOPEN_SOURCE 700
#include "sequence_source.h"

#include "output.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static bool is_image_name(const char *name)
{
    static const char *const ext[] = { ".png", ".jpg", ".jpeg", ".bmp", ".tga", ".gif",
                                       ".psd", ".pnm", ".ppm", ".pgm" };
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof ext / sizeof ext[0]; i++)
        if (!strcmp(dot, ext[i]))
            return true;
    return false;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool add_file(cli_seq_source *s, const char *path, int *cap)
{
    if (s->nfiles == *cap) {
        const int n = *cap ? 2 * *cap : 64;
        char **g = realloc(s->files, (size_t)n * sizeof *g);
        if (!g)
            return false;
        s->files = g;
        *cap = n;
    }
    return (s->files[s->nfiles++] = strdup(path)) != NULL;
}

/* A directory's image files, by name (byte order: the same on every machine). */
static int add_dir(cli_seq_source *s, const char *dir, int *cap)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "polyevolve: %s: %s\n", dir, strerror(errno));
        return 1;
    }
    const int from = s->nfiles;
    struct dirent *e;
    char path[PATH_MAX];
    int rc = 0;
    while (rc == 0 && (e = readdir(d)))
        if (e->d_name[0] != '.' && is_image_name(e->d_name) &&
            (!cli_join(path, sizeof path, dir, e->d_name) || !add_file(s, path, cap)))
            rc = 1;
    closedir(d);
    if (rc) {
        fprintf(stderr, "polyevolve: %s: out of memory or path too long\n", dir);
        return 1;
    }
    if (s->nfiles == from) {
        fprintf(stderr, "polyevolve: %s: no image files (.png, .jpg, ...) in this directory\n",
                dir);
        return 1;
    }
    qsort(s->files + from, (size_t)(s->nfiles - from), sizeof *s->files, by_name);
    return 0;
}

int cli_seq_source_open(cli_seq_source *s, const cli_options *o)
{
    memset(s, 0, sizeof *s);
    for (int i = 0; o->ninputs > 1 && i < o->ninputs; i++)
        if (cli_is_video(o->inputs[i])) { /* frames are numbered through one source */
            fprintf(stderr, "polyevolve: %s: a video must be the only input of a sequence (%d "
                    "inputs given); make one sequence per video, or extract its frames first "
                    "(ffmpeg -i VIDEO frames/%%05d.png)\n", o->inputs[i], o->ninputs);
            return 2;
        }
    if (o->ninputs == 1 && cli_is_video(o->inputs[0])) {
        char why[256];
        if (cli_video_open(o->inputs[0], &s->video, why, sizeof why) != 0) {
            fprintf(stderr, "polyevolve: %s: %s\n", o->inputs[0], why);
            return 1;
        }
        s->video_path = o->inputs[0];
        return 0;
    }
    int cap = 0;
    for (int i = 0; i < o->ninputs; i++) {
        struct stat st;
        if (stat(o->inputs[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            if (add_dir(s, o->inputs[i], &cap))
                return 1;
        } else if (!add_file(s, o->inputs[i], &cap)) {
            fprintf(stderr, "polyevolve: out of memory\n");
            return 1;
        }
    }
    return 0;
}

void cli_seq_source_close(cli_seq_source *s)
{
    for (int i = 0; i < s->nfiles; i++)
        free(s->files[i]);
    free(s->files);
    cli_video_close(s->video);
}

/* The next frame into *img and its name (a path, or "video#N"): 1, 0 at the end, -1 after
 * printing why. */
int cli_seq_source_next(cli_seq_source *s, const cli_options *o, pe_image *img, char *name,
                        size_t name_len)
{
    char why[PE_IMAGE_WHY_LEN];
    if (s->video) {
        const int r = cli_video_next(s->video, img, why, sizeof why);
        if (r < 0)
            fprintf(stderr, "polyevolve: %s: frame %d: %s\n", s->video_path, s->video_frame + 1,
                    why);
        if (r > 0 && (uint64_t)img->width * (uint64_t)img->height > o->max_pixels) {
            fprintf(stderr, "polyevolve: %s: frames of %dx%d pixels are above --max-pixels\n",
                    s->video_path, img->width, img->height);
            pe_image_free(img);
            return -1;
        }
        snprintf(name, name_len, "%s#%d", s->video_path, ++s->video_frame);
        return r;
    }
    if (s->next >= s->nfiles)
        return 0;
    const char *path = s->files[s->next++];
    const pe_load_limits lim = { .max_pixels = o->max_pixels };
    const pe_status st = pe_image_load_ex(path, &lim, img, why, sizeof why);
    if (st != PE_OK) {
        fprintf(stderr, "polyevolve: %s: %s\n", path,
                st == PE_ERR_IO ? strerror(errno) : why[0] ? why : pe_status_str(st));
        return -1;
    }
    snprintf(name, name_len, "%s", path);
    return 1;
}
