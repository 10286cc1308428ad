/* claim_finish: the run's end (cli_claim_wrote, cli_claim_clean, cli_claim_finish in
 * claim.h): what was written, the record the manifest keeps of it, and the removal of the
 * files of the runs this one continues or replaces that it did not rewrite. Its own file
 * because it is the only part that removes a user's files, and it should be read alone. */
#define _XOPEN_SOURCE 700
#include "claim_int.h"

#include "paths.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

void cli_claim_wrote(cli_claim *c, const char *path)
{
    for (size_t i = 0; i < c->nw; i++) {
        wfile *w = &c->w[i];
        long n = 0;
        if (w->pattern
                ? !cli_in_range(n = cli_pattern_number(w->path, path), w->first, w->step, w->last)
                : strcmp(w->path, path))
            continue;
        if (w->place >= 0)
            c->p[w->place].wrote = true;
        if (!w->pattern)
            w->written = true;
        else if (cli_grow(&w->nums, w->nnums, &w->capnums, sizeof *w->nums))
            w->nums[w->nnums++] = (int)n;
        return;
    }
}

static int by_number(const void *a, const void *b)
{
    const int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* The files written, as the record keeps them: a pattern's numbers as runs of consecutive
 * ones (by its step). */
static bool final_record(cli_claim *c, size_t pl, cli_record *r)
{
    bool ok = cli_claim_record_head(c, &c->p[pl], r);
    for (size_t i = 0; ok && i < c->nw; i++) {
        wfile *w = &c->w[i];
        if (w->place != (int)pl)
            continue;
        if (!w->pattern) {
            ok = !w->written || cli_entry_add(&r->e, &r->ne, &r->cape, w->rel, false, 0, 0, 0);
            continue;
        }
        if (w->nnums > 0)
            qsort(w->nums, w->nnums, sizeof *w->nums, by_number);
        for (size_t k = 0; ok && k < w->nnums;) {
            size_t e = k;
            while (e + 1 < w->nnums && w->nums[e + 1] - w->nums[e] <= w->step)
                e++;
            ok = cli_entry_add(&r->e, &r->ne, &r->cape, w->rel, true, w->nums[k], w->step,
                               w->nums[e]);
            k = e + 1;
        }
    }
    if (!ok)
        cli_record_free(r);
    return ok;
}

typedef struct stale_ctx {
    const cli_record *keep;
    const cli_claim *c;
    bool removed;
} stale_ctx;

/* Whether path is a file the run reads (an animation of a run's state in its directory). */
static bool is_read(const cli_claim *c, const char *path)
{
    struct stat sb;
    if (c->nr == 0 || stat(path, &sb) != 0)
        return false;
    for (size_t i = 0; i < c->nr; i++)
        if (c->r[i].exists && c->r[i].dev == sb.st_dev && c->r[i].ino == sb.st_ino)
            return true;
    return false;
}

static bool remove_stale(place *p, const char *rel, void *ctx)
{
    stale_ctx *s = ctx;
    if (cli_entries_have(s->keep->e, s->keep->ne, rel))
        return true;
    char *path = cli_path_join(p->dir, rel);
    if (path && !is_read(s->c, path) && unlink(path) == 0)
        s->removed = true;
    free(path);
    return true;
}

/* Whether all that dir holds is its lock file. */
static bool only_lock(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return false;
    bool lock = false, other = false;
    for (const struct dirent *e; !other && (e = readdir(d)) != NULL;) {
        if (!strcmp(e->d_name, LOCK_NAME))
            lock = true;
        else
            other = strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    }
    closedir(d);
    return lock && !other;
}

/* rmdir dir when it is empty, or holds nothing but a lock file that no run holds (every
 * directory a run writes into has one): a run that opened that file just before it went
 * finds the directory gone when it probes it, and stops. */
static void remove_empty_dir(const char *dir)
{
    if (rmdir(dir) == 0 || (errno != ENOTEMPTY && errno != EEXIST) || !only_lock(dir))
        return;
    char *lock = cli_path_join(dir, LOCK_NAME);
    const int fd = lock ? open(lock, O_RDWR | O_CLOEXEC) : -1;
    if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0 && unlink(lock) == 0)
        rmdir(dir);
    if (fd >= 0)
        close(fd);
    free(lock);
}

/* Remove from p the files of the runs this one continues or replaces that it did not write
 * (mine: what it wrote), and the subdirectories that leaves empty. */
static void clean_place(const cli_claim *c, place *p, const cli_record *mine)
{
    cli_claim_forget_listings(p);
    stale_ctx s = { mine, c, false };
    for (size_t k = 0; k < p->man.n; k++)
        for (size_t e = 0; (p->man.rec[k].own || p->man.rec[k].taken) && e < p->man.rec[k].ne; e++)
            cli_claim_each_file(p, &p->man.rec[k].e[e], remove_stale, &s);
    for (size_t k = 0; s.removed && k < p->man.n; k++)
        for (size_t e = 0; (p->man.rec[k].own || p->man.rec[k].taken) && e < p->man.rec[k].ne;
             e++) {
            char *d = cli_path_dir(p->man.rec[k].e[e].rel);
            char *path = d && strcmp(d, ".") ? cli_path_join(p->dir, d) : NULL;
            if (path)
                remove_empty_dir(path);
            free(path);
            free(d);
        }
    cli_claim_forget_listings(p);
    p->cleaned = true;
}

void cli_claim_clean(cli_claim *c)
{
    for (size_t i = 0; c && c->taken && i < c->np; i++) {
        cli_record mine;
        if (!c->p[i].manifest || !final_record(c, i, &mine))
            continue;
        clean_place(c, &c->p[i], &mine);
        cli_record_free(&mine);
    }
}

void cli_claim_finish(cli_claim *c, bool clean)
{
    if (!c || !c->taken)
        return;
    for (size_t i = 0; i < c->np; i++) {
        place *p = &c->p[i];
        if (!p->manifest || !clean)
            continue; /* the working record already names every file as this run's */
        cli_record mine;
        if (!final_record(c, i, &mine))
            continue;
        if (!p->cleaned)
            clean_place(c, p, &mine);
        cli_claim_write_manifest(p, &mine);
        cli_record_free(&mine);
    }
}
