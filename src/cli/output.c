/* output: atomic file writes and the writers the CLI calls. */
#define _POSIX_C_SOURCE 200809L
#include "output.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool cli_read_state(const char *path, pe_state *out)
{
    char why[PE_STATE_WHY_LEN];
    const pe_status st = pe_state_read_ex(path, out, why, sizeof why);
    if (st == PE_OK)
        return true;
    if (st == PE_ERR_FORMAT) /* the reader names the field and the rule it breaks */
        fprintf(stderr, "polyevolve: %s: not a valid polyevolve state file: %s\n", path, why);
    else
        fprintf(stderr, "polyevolve: %s: %s\n", path,
                st == PE_ERR_IO ? strerror(errno) : pe_status_str(st));
    return false;
}

char *cli_join(char *buf, size_t len, const char *dir, const char *name)
{
    const size_t dl = strlen(dir);
    const int n = snprintf(buf, len, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/", name);
    return n < 0 || (size_t)n >= len ? NULL : buf;
}

int cli_mkdir(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) == 0) {
        if (S_ISDIR(sb.st_mode))
            return 0;
        errno = ENOTDIR;
        return -1;
    }
    char tmp[4096];
    if (strlen(path) >= sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(tmp, path);
    for (char *p = tmp + 1; *p; p++) { /* create parents first */
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

char cli_current_tmp[4200];
volatile sig_atomic_t cli_tmp_valid;

static void remember_tmp(const char *tmp)
{
    cli_tmp_valid = 0; /* the handler never reads a name being written */
    snprintf(cli_current_tmp, sizeof cli_current_tmp, "%s", tmp);
    cli_tmp_valid = 1;
}

pe_status cli_write_atomic(const char *path, cli_writer fn, const void *ctx)
{
    char tmp[4200];
    if (snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", path) >= (int)sizeof tmp) {
        errno = ENAMETOOLONG;
        return PE_ERR_IO;
    }
    const int fd = mkstemp(tmp);
    if (fd < 0)
        return PE_ERR_IO;
    remember_tmp(tmp);
    fchmod(fd, 0644);
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        const int e = errno;
        close(fd);
        unlink(tmp);
        errno = e;
        return PE_ERR_IO;
    }
    pe_status st = fn(f, ctx);
    int e = errno;
    /* a full disk often only shows at flush or close: check both */
    if (st == PE_OK && (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0)) {
        e = errno;
        st = PE_ERR_IO;
    }
    if (fclose(f) != 0 && st == PE_OK) {
        e = errno;
        st = PE_ERR_IO;
    }
    if (st == PE_OK && rename(tmp, path) != 0) {
        e = errno;
        st = PE_ERR_IO;
    }
    if (st != PE_OK)
        unlink(tmp);
    cli_tmp_valid = 0;
    errno = e;
    return st;
}

typedef struct png_job {
    const pe_image *img;
    const pe_metadata *meta;
} png_job;

static pe_status png_fn(FILE *f, const void *ctx)
{
    const png_job *j = ctx;
    return pe_write_png(f, j->img, j->meta);
}

pe_status cli_write_png_of(const char *path, const pe_image *img, const pe_metadata *meta)
{
    const png_job j = { img, meta };
    return cli_write_atomic(path, png_fn, &j);
}

static pe_status jpeg_fn(FILE *f, const void *ctx)
{
    const png_job *j = ctx;
    return pe_write_jpeg(f, j->img, 95, j->meta); /* 95: no visible ringing on triangle edges */
}

pe_status cli_write_jpeg_of(const char *path, const pe_image *img, const pe_metadata *meta)
{
    const png_job j = { img, meta };
    return cli_write_atomic(path, jpeg_fn, &j);
}

typedef struct res_job {
    const pe_result *res;
    double width, height;
    const pe_metadata *meta;
} res_job;

static pe_status svg_fn(FILE *f, const void *ctx)
{
    const res_job *j = ctx;
    return pe_write_svg_sized(f, j->res, j->width, j->height, j->meta);
}

pe_status cli_write_svg_of(const char *path, const pe_result *res, double width, double height,
                           const pe_metadata *meta)
{
    const res_job j = { res, width, height, meta };
    return cli_write_atomic(path, svg_fn, &j);
}

typedef struct text_job {
    const char *text;
    size_t len;
} text_job;

static pe_status text_fn(FILE *f, const void *ctx)
{
    const text_job *j = ctx;
    return fwrite(j->text, 1, j->len, f) == j->len ? PE_OK : PE_ERR_IO;
}

pe_status cli_write_text(const char *path, const char *text, size_t len)
{
    const text_job j = { text, len };
    return cli_write_atomic(path, text_fn, &j);
}

pe_status cli_png_encode(const pe_image *img, const pe_metadata *meta, char **png, size_t *len)
{
    *png = NULL;
    *len = 0;
    pe_status st = PE_ERR_NOMEM;
    FILE *mem = open_memstream(png, len);
    if (mem) {
        st = pe_write_png(mem, img, meta);
        if (fclose(mem) != 0 && st == PE_OK)
            st = PE_ERR_NOMEM;
    }
    if (st != PE_OK) {
        free(*png);
        *png = NULL;
        *len = 0;
    }
    return st;
}

pe_status cli_png_bytes(const pe_result *res, int w, int h, const pe_metadata *meta, char **png,
                        size_t *len)
{
    pe_image img = { 0 };
    *png = NULL;
    *len = 0;
    pe_status st = pe_render(res, w, h, &img);
    if (st == PE_OK)
        st = cli_png_encode(&img, meta, png, len);
    pe_image_free(&img);
    return st;
}

size_t cli_png_chunk(const pe_result *res, int size)
{
    enum { MOST = 32 };
    const double side = res->width > res->height ? res->width : res->height;
    const double scale = size > 0 && side > 0 ? size / side : 1.0;
    const double w = res->width * scale, h = res->height * scale;
    const double raw = 4.0 * (w > 1.0 ? w : 1.0) * (h > 1.0 ? h : 1.0);
    const double fit = (double)(128 << 20) / raw;
    return fit >= MOST ? MOST : fit < 1 ? 1 : (size_t)fit;
}

/* One pass of cli_make_put: index 0 puts the previous chunk (when there is one), the others
 * make the next. */
typedef struct make_put {
    void (*make)(void *ctx, size_t i);
    bool (*put)(void *ctx, size_t i);
    void *ctx;
    size_t put0, nput, make0;
    bool stopped;
} make_put;

static void make_put_pass(void *ctx, size_t i)
{
    make_put *p = ctx;
    if (p->nput > 0 && i == 0) {
        for (size_t j = p->put0; j < p->put0 + p->nput && !p->stopped; j++)
            p->stopped = !p->put(p->ctx, j);
        return;
    }
    p->make(p->ctx, p->make0 + i - (p->nput > 0 ? 1 : 0));
}

void cli_make_put(int threads, size_t n, size_t chunk, void (*make)(void *ctx, size_t i),
                  bool (*put)(void *ctx, size_t i), void *ctx)
{
    make_put p = { make, put, ctx, 0, 0, 0, false };
    chunk = chunk > 0 ? chunk : 1;
    while (!p.stopped && p.put0 + p.nput < n) {
        p.put0 += p.nput;
        p.nput = p.make0 - p.put0; /* made, not put */
        const size_t m = n - p.make0 < chunk ? n - p.make0 : chunk;
        pe_parallel_for(threads, m + (p.nput > 0 ? 1 : 0), make_put_pass, &p);
        p.make0 += m;
    }
}

void cli_longest_side(const pe_result *res, double side, double *width, double *height)
{
    *width = side > 0 && res->width >= res->height ? side : 0;
    *height = side > 0 && res->width < res->height ? side : 0;
}
