/* claim: see claim.h. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "claim.h"

#include "manifest.h"
#include "output.h"
#include "paths.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOCK_NAME  ".polyevolve.lock"
#define PROBE_NAME ".polyevolve-probe-XXXXXX"
#define TMP_SUFFIX ".tmp-XXXXXX" /* cli_write_atomic's temporaries: NAME.tmp-XXXXXX */
#define OPEN_END   INT_MAX       /* a pattern whose last number is not known */

typedef struct listing { /* a directory's names, sorted */
    char *rel;           /* "" for the place itself */
    char **names;
    size_t n;
} listing;

typedef struct place {
    char *dir, *canon, *role, *chunk;
    int flags;
    bool manifest; /* the run keeps this place's manifest (all but chunks) */
    int lock_fd, chunk_fd;
    bool made_lock, made_chunk_lock, made_manifest;
    char **made; /* directories this run created, outermost first */
    size_t nmade, capmade;
    cli_manifest man; /* the manifest as read */
    cli_entry *plan;
    size_t nplan, capplan;
    listing *ls;
    size_t nls, capls;
    bool wrote;
    bool cleaned; /* the files of the runs it continues or replaces are gone */
} place;

typedef struct wfile { /* something the run writes */
    char *path, *canon, *what;
    bool pattern;
    int first, step, last;
    int place; /* index, or -1 */
    char *rel;
    bool written; /* a file: written or kept */
    int *nums;    /* a pattern: the numbers written or kept */
    size_t nnums, capnums;
} wfile;

typedef struct rfile {
    char *path, *canon, *what;
    bool rewrite, exists;
    dev_t dev;
    ino_t ino;
} rfile;

struct cli_claim {
    char *command;
    cli_record id; /* this run's identity (role unused) */
    place *p;
    size_t np, capp;
    wfile *w;
    size_t nw, capw;
    rfile *r;
    size_t nr, capr;
    bool taken;
};

/* ---------------------------------------------------------------- helpers */

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 4, 5)))
#endif
static int
say(int rc, char *err, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
    return rc;
}

/* The manifest of p, written with this run's record mine. */
static bool write_manifest(place *p, const cli_record *mine)
{
    bool created = false;
    const bool ok = cli_manifest_write(p->dir, &p->man, mine, &created);
    p->made_manifest |= created;
    return ok;
}

/* ---------------------------------------------------------------- directory listings */

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void listing_free(listing *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->names[i]);
    free(l->names);
    free(l->rel);
}

static void forget_listings(place *p)
{
    for (size_t i = 0; i < p->nls; i++)
        listing_free(&p->ls[i]);
    p->nls = 0;
}

/* The names in the place's subdirectory rel ("" = itself); NULL when it cannot be read. */
static const listing *list_dir(place *p, const char *rel)
{
    for (size_t i = 0; i < p->nls; i++)
        if (!strcmp(p->ls[i].rel, rel))
            return &p->ls[i];
    char *path = *rel ? cli_path_join(p->dir, rel) : strdup(p->dir);
    DIR *d = path ? opendir(path) : NULL;
    free(path);
    if (!d || !cli_grow(&p->ls, p->nls, &p->capls, sizeof *p->ls)) {
        if (d)
            closedir(d);
        return NULL;
    }
    listing l = { strdup(rel), NULL, 0 };
    size_t cap = 0;
    const struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
            cli_grow(&l.names, l.n, &cap, sizeof *l.names) && (l.names[l.n] = strdup(e->d_name)))
            l.n++;
    closedir(d);
    if (l.n > 0)
        qsort(l.names, l.n, sizeof *l.names, by_name);
    p->ls[p->nls] = l;
    return &p->ls[p->nls++];
}

static bool is_internal(const char *name)
{
    return !strcmp(name, LOCK_NAME) || !strncmp(name, LOCK_NAME "-", sizeof LOCK_NAME) ||
           !strncmp(name, CLI_MANIFEST_NAME, sizeof CLI_MANIFEST_NAME - 1) ||
           !strncmp(name, ".polyevolve-probe-", 18);
}

/* Call fn for every existing file of entry e in place p (rel path, ctx): stops when fn returns
 * false; returns false then. */
static bool each_file(place *p, const cli_entry *e, bool (*fn)(place *, const char *, void *),
                      void *ctx)
{
    char *dir = cli_path_dir(e->rel);
    if (!dir)
        return true;
    const char *sub = !strcmp(dir, ".") ? "" : dir;
    const listing *l = list_dir(p, sub);
    bool go = true;
    if (l && !e->pattern) {
        const char *name = cli_path_base(e->rel);
        if (l->n > 0 && bsearch(&name, l->names, l->n, sizeof *l->names, by_name))
            go = fn(p, e->rel, ctx);
    } else if (l) {
        for (size_t i = 0; go && i < l->n; i++) {
            if (is_internal(l->names[i]) ||
                !cli_in_range(cli_pattern_number(cli_path_base(e->rel), l->names[i]), e->first,
                              e->step, e->last))
                continue;
            char *rel = *sub ? cli_path_join(sub, l->names[i]) : strdup(l->names[i]);
            go = !rel || fn(p, rel, ctx);
            free(rel);
        }
    }
    free(dir);
    return go;
}

/* ---------------------------------------------------------------- building the claim */

cli_claim *cli_claim_new(const char *command)
{
    cli_claim *c = calloc(1, sizeof *c);
    if (c && !(c->command = strdup(command))) {
        free(c);
        c = NULL;
    }
    return c;
}

bool cli_claim_id(cli_claim *c, const char *key, const char *value, bool core)
{
    return cli_record_id(&c->id, key, value, core ? CLI_ID_CORE : CLI_ID_SETTING);
}

bool cli_claim_info(cli_claim *c, const char *key, const char *value)
{
    return cli_record_id(&c->id, key, value, CLI_ID_INFO);
}

static int add_place(cli_claim *c, const char *dir, int flags, const char *chunk, const char *role)
{
    if (!cli_grow(&c->p, c->np, &c->capp, sizeof *c->p))
        return -1;
    place *p = &c->p[c->np];
    memset(p, 0, sizeof *p);
    p->lock_fd = p->chunk_fd = -1;
    p->flags = flags;
    p->manifest = !(flags & CLI_PLACE_CHUNK);
    p->dir = strdup(dir);
    p->canon = cli_path_canon(dir);
    p->role = strdup(role);
    p->chunk = chunk ? strdup(chunk) : NULL;
    if (!p->dir || !p->canon || !p->role || (chunk && !p->chunk)) {
        free(p->dir);
        free(p->canon);
        free(p->role);
        free(p->chunk);
        return -1;
    }
    return (int)c->np++;
}

bool cli_claim_place(cli_claim *c, const char *dir, int flags, const char *chunk)
{
    return add_place(c, dir, flags, chunk, "dir") >= 0;
}

/* The place whose directory holds canonical path cp (the deepest), with the rest in *rel. */
static int place_of(const cli_claim *c, const char *cp, const char **rel)
{
    int best = -1;
    size_t best_len = 0;
    for (size_t i = 0; i < c->np; i++) {
        const size_t n = strlen(c->p[i].canon);
        const bool root = n == 1;
        if (!strncmp(cp, c->p[i].canon, n) && (cp[n] == '/' || root) && cp[n + !root] &&
            n >= best_len) {
            best = (int)i;
            best_len = n;
            *rel = cp + n + !root;
        }
    }
    return best;
}

static bool add_wfile(cli_claim *c, const char *path, const char *what, bool pattern, int first,
                      int step, int last)
{
    if (!cli_grow(&c->w, c->nw, &c->capw, sizeof *c->w))
        return false;
    wfile *w = &c->w[c->nw];
    memset(w, 0, sizeof *w);
    w->path = strdup(path);
    w->what = strdup(what);
    w->pattern = pattern;
    w->first = first;
    w->step = step;
    w->last = last;
    w->place = -1;
    if (pattern) { /* the directory part exists or not; the name part stays a pattern */
        char *d = cli_path_dir(path), *cd = d ? cli_path_canon(d) : NULL;
        w->canon = cd ? cli_path_join(cd, cli_path_base(path)) : NULL;
        free(d);
        free(cd);
    } else {
        w->canon = cli_path_canon(path);
    }
    if (!w->path || !w->what || !w->canon) {
        free(w->path);
        free(w->what);
        free(w->canon);
        return false;
    }
    const char *rel = NULL;
    int pl = place_of(c, w->canon, &rel);
    if (pl < 0 && pattern) { /* a frame pattern elsewhere: its directory becomes a place */
        char *d = cli_path_dir(path), *role = malloc(strlen(cli_path_base(path)) + 9);
        if (role)
            snprintf(role, strlen(cli_path_base(path)) + 9, "pattern %s", cli_path_base(path));
        pl = d && role ? add_place(c, d, 0, NULL, role) : -1;
        free(d);
        free(role);
        if (pl < 0)
            return false;
        rel = cli_path_base(w->canon);
    }
    if (pl >= 0) {
        place *p = &c->p[pl];
        w->place = pl;
        w->rel = strdup(rel);
        if (!w->rel ||
            !cli_entry_add(&p->plan, &p->nplan, &p->capplan, rel, pattern, first, step, last))
            return false;
    }
    c->nw++;
    return true;
}

bool cli_claim_file(cli_claim *c, const char *path, const char *what)
{
    return add_wfile(c, path, what, false, 0, 0, 0);
}

bool cli_claim_pattern(cli_claim *c, const char *pattern, int first, int step, int count,
                       const char *what)
{
    step = step > 0 ? step : 1;
    const long long last = count < 0 ? OPEN_END : (long long)first + (long long)step * (count - 1);
    return add_wfile(c, pattern, what, true, first, step,
                     last > OPEN_END ? OPEN_END
                     : last < first  ? first
                                     : (int)last);
}

bool cli_claim_read(cli_claim *c, const char *path, const char *what, bool rewrite)
{
    if (!cli_grow(&c->r, c->nr, &c->capr, sizeof *c->r))
        return false;
    rfile *r = &c->r[c->nr];
    memset(r, 0, sizeof *r);
    r->path = strdup(path);
    r->what = strdup(what);
    r->canon = cli_path_canon(path);
    r->rewrite = rewrite;
    struct stat sb;
    if (stat(path, &sb) == 0) {
        r->exists = true;
        r->dev = sb.st_dev;
        r->ino = sb.st_ino;
    }
    if (!r->path || !r->what || !r->canon) {
        free(r->path);
        free(r->what);
        free(r->canon);
        return false;
    }
    c->nr++;
    return true;
}

/* ---------------------------------------------------------------- the checks */

/* The limit on one name in the directory of path (its nearest existing ancestor's). */
static long name_max(const char *path)
{
    char *d = cli_path_dir(path);
    long m = -1;
    while (d && m < 0) {
        errno = 0;
        m = pathconf(d, _PC_NAME_MAX);
        if (m >= 0 || !strcmp(d, "/") || !strcmp(d, "."))
            break;
        char *up = cli_path_dir(d);
        free(d);
        d = up;
    }
    free(d);
    return m > 0 ? m : NAME_MAX;
}

/* A file name the system will take, with the temporary suffix it is first written under. */
static int check_length(const char *path, const char *what, char *err, size_t len)
{
    const size_t suffix = sizeof TMP_SUFFIX - 1, total = strlen(path);
    if (total + suffix >= PATH_MAX)
        return say(2, err, len,
                   "%.200s...: %s: the path is %zu bytes; with the temporary suffix %s it is above "
                   "the limit of PATH_MAX, %d bytes",
                   path, what, total, TMP_SUFFIX, PATH_MAX);
    const long max = name_max(path);
    const char *s = path;
    while (*s) {
        const char *e = strchr(s, '/');
        const size_t n = e ? (size_t)(e - s) : strlen(s);
        const bool last = !e;
        if (!last && (long)n > max)
            return say(2, err, len,
                       "%s: %s: a directory name is %zu bytes, above the file system's limit of "
                       "%ld (NAME_MAX)",
                       path, what, n, max);
        if (last && (long)(n + suffix) > max)
            return say(2, err, len,
                       "%s: %s: the file name is %zu bytes, and the temporary it is first written "
                       "as (NAME" TMP_SUFFIX ") %zu: above the file system's limit of %ld "
                       "(NAME_MAX)",
                       path, what, n, n + suffix, max);
        if (!e)
            break;
        s = e + 1;
    }
    return 0;
}

/* The existing directory a single file goes into. */
static int check_parent(const wfile *w, char *err, size_t len)
{
    char *d = cli_path_dir(w->path);
    if (!d)
        return say(1, err, len, "out of memory");
    struct stat sb;
    const int r = stat(d, &sb);
    int rc = 0;
    if (r == 0 && !S_ISDIR(sb.st_mode))
        rc = say(1, err, len, "%s: %s is not a directory", w->path, d);
    else if (r != 0 && errno == ENOTDIR)
        rc = say(1, err, len, "%s: %s is not a directory", w->path, d);
    else if (r != 0)
        rc = say(1, err, len, "%s: %s", w->path,
                 errno == ENOENT ? "its directory does not exist" : strerror(errno));
    free(d);
    return rc;
}

/* Whether w and b (a canonical name; a pattern with its numbers first..last by step when
 * pattern) name one file. Two patterns overlap when they are the same. */
static bool same_file(const wfile *w, const char *b, bool pattern, int first, int step, int last)
{
    if (w->pattern == pattern)
        return !strcmp(w->canon, b);
    const char *pat = pattern ? b : w->canon, *file = pattern ? w->canon : b;
    if (w->pattern)
        first = w->first, step = w->step, last = w->last;
    char *dp = cli_path_dir(pat), *df = cli_path_dir(file);
    const bool same = dp && df && !strcmp(dp, df) &&
                      cli_in_range(cli_pattern_number(cli_path_base(pat), cli_path_base(file)),
                                   first, step, last);
    free(dp);
    free(df);
    return same;
}

int cli_claim_check(cli_claim *c, char *err, size_t len)
{
    for (size_t i = 0; i < c->nw; i++) {
        const wfile *w = &c->w[i];
        if (w->pattern && strchr(w->path, '%') < cli_path_base(w->path))
            return say(2, err, len,
                       "%s: the %%d of a frame pattern must be in the file name, not in a "
                       "directory",
                       w->path);
        int rc;
        if (w->pattern) {
            char *longest = cli_pattern_file(w->path, w->last == OPEN_END ? 9999999 : w->last);
            rc = longest ? check_length(longest, w->what, err, len)
                         : say(1, err, len, "out of memory");
            free(longest);
        } else {
            rc = check_length(w->path, w->what, err, len);
        }
        if (rc)
            return rc;
        if (w->place < 0 && !w->pattern && (rc = check_parent(w, err, len)) != 0)
            return rc;
        for (size_t j = 0; j < i; j++) {
            const wfile *v = &c->w[j];
            struct stat sa, sb;
            const bool linked = !w->pattern && !v->pattern && stat(w->path, &sa) == 0 &&
                                stat(v->path, &sb) == 0 && sa.st_dev == sb.st_dev &&
                                sa.st_ino == sb.st_ino;
            if (linked || same_file(v, w->canon, w->pattern, w->first, w->step, w->last))
                return say(2, err, len,
                           "%s (%s) and %s (%s) name the same file: one would "
                           "overwrite the other",
                           v->path, v->what, w->path, w->what);
        }
        for (size_t j = 0; j < c->nr; j++) {
            const rfile *r = &c->r[j];
            struct stat sa;
            const bool linked = !w->pattern && r->exists && stat(w->path, &sa) == 0 &&
                                sa.st_dev == r->dev && sa.st_ino == r->ino;
            if (!r->rewrite && (linked || same_file(w, r->canon, false, 0, 0, 0)))
                return say(2, err, len,
                           "%s (%s) names %s, the %s this run reads: it would be "
                           "overwritten",
                           w->path, w->what, r->path, r->what);
        }
    }
    for (size_t i = 0; i < c->np; i++) { /* the place's own files are not outputs */
        for (size_t j = 0; j < c->nw; j++) {
            const char *rel = c->w[j].rel;
            if (c->w[j].place == (int)i && rel && is_internal(cli_path_base(rel)))
                return say(2, err, len, "%s: %s is polyevolve's own file in %s", c->w[j].path,
                           c->w[j].what, c->p[i].dir);
        }
        char *m = cli_path_join(c->p[i].dir, CLI_MANIFEST_NAME TMP_SUFFIX);
        const int rc =
            m ? check_length(m, "the manifest", err, len) : say(1, err, len, "out of memory");
        free(m);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---------------------------------------------------------------- taking the places */

/* mkdir -p, remembering what it made. 0, or -1 with errno and the failing path in *at. */
static int make_dirs(place *p, const char *dir, char **at)
{
    char *tmp = strdup(dir);
    if (!tmp)
        return errno = ENOMEM, -1;
    size_t n = strlen(tmp);
    while (n > 1 && tmp[n - 1] == '/')
        tmp[--n] = '\0';
    for (char *s = tmp + 1;; s++) {
        const bool end = *s == '\0';
        if (!end && *s != '/')
            continue;
        *s = '\0';
        struct stat sb;
        if (stat(tmp, &sb) == 0) {
            if (!S_ISDIR(sb.st_mode)) {
                *at = strdup(tmp);
                free(tmp);
                return errno = ENOTDIR, -1;
            }
        } else if (mkdir(tmp, 0777) == 0) {
            char *d = strdup(tmp);
            if (!d || !cli_grow(&p->made, p->nmade, &p->capmade, sizeof *p->made)) {
                free(d);
                free(tmp);
                return errno = ENOMEM, -1;
            }
            p->made[p->nmade++] = d;
        } else if (errno != EEXIST) {
            const int e = errno;
            *at = strdup(tmp);
            free(tmp);
            return errno = e, -1;
        }
        if (end)
            break;
        *s = '/';
    }
    free(tmp);
    return 0;
}

static int open_lock(const char *dir, const char *name, int how, bool *made)
{
    char *path = cli_path_join(dir, name);
    if (!path)
        return errno = ENOMEM, -1;
    /* flock, not a pid file: the kernel drops it when the holder dies, even by kill -9 */
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    *made = fd >= 0;
    if (fd < 0 && errno == EEXIST)
        fd = open(path, O_RDWR | O_CLOEXEC);
    free(path);
    if (fd >= 0 && flock(fd, how | LOCK_NB) != 0) {
        const int e = errno;
        if (*made) { /* nobody waits on a lock file it could not take: LOCK_NB */
            char *p2 = cli_path_join(dir, name);
            if (p2)
                unlink(p2);
            free(p2);
        }
        close(fd);
        *made = false;
        errno = e == EWOULDBLOCK ? EWOULDBLOCK : e;
        return -2;
    }
    return fd;
}

/* Create and remove a file in dir: proof that the run can write there (permission bits do
 * not tell: root, read-only mounts, ACLs, quotas). */
static int probe(const char *dir, char *err, size_t len)
{
    char *path = cli_path_join(dir, PROBE_NAME);
    if (!path)
        return say(1, err, len, "out of memory");
    const int fd = mkstemp(path);
    int rc = 0;
    if (fd < 0)
        rc = say(1, err, len, "%s: cannot write there: %s", dir, strerror(errno));
    else {
        close(fd);
        unlink(path);
    }
    free(path);
    return rc;
}

/* Undo what take did in p: unlock; remove the lock, manifest and directories it created. */
static void undo_place(place *p, bool remove)
{
    if (remove) {
        const char *names[] = { p->made_lock ? LOCK_NAME : NULL,
                                p->made_manifest ? CLI_MANIFEST_NAME : NULL };
        for (size_t i = 0; i < 2; i++) {
            char *path = names[i] ? cli_path_join(p->dir, names[i]) : NULL;
            if (path)
                unlink(path);
            free(path);
        }
        if (p->made_chunk_lock && p->chunk) {
            char name[64];
            snprintf(name, sizeof name, LOCK_NAME "-%.40s", p->chunk);
            char *path = cli_path_join(p->dir, name);
            if (path)
                unlink(path);
            free(path);
        }
        for (size_t i = p->nmade; i-- > 0;)
            rmdir(p->made[i]);
        p->made_lock = p->made_chunk_lock = p->made_manifest = false;
    }
    for (size_t i = 0; i < p->nmade; i++)
        free(p->made[i]);
    p->nmade = 0;
    if (p->lock_fd >= 0)
        close(p->lock_fd); /* the lock file stays: removing it would race with a run taking it */
    if (p->chunk_fd >= 0)
        close(p->chunk_fd);
    p->lock_fd = p->chunk_fd = -1;
}

typedef struct scan_ctx {
    const cli_record *rec; /* all records of the place */
    size_t nrec;
    const char *found; /* the first offending file */
    char *buf;
    size_t buf_len;
} scan_ctx;

static bool stop_at(place *p, const char *rel, void *ctx)
{
    (void)p;
    scan_ctx *s = ctx;
    snprintf(s->buf, s->buf_len, "%s", rel);
    s->found = s->buf;
    return false;
}

/* A file of the plan that exists and that no record names: stop. */
static bool unrecorded(place *p, const char *rel, void *ctx)
{
    scan_ctx *s = ctx;
    for (size_t i = 0; i < s->nrec; i++)
        if (cli_entries_have(s->rec[i].e, s->rec[i].ne, rel))
            return true;
    return stop_at(p, rel, ctx);
}

/* A foreign record's existing file that this run would write (a shared place). */
static bool in_plan(place *p, const char *rel, void *ctx)
{
    return cli_entries_have(p->plan, p->nplan, rel) ? stop_at(p, rel, ctx) : true;
}

/* Decide whose the place's records are; a conflict into err (CLI_CLAIM_BUSY) unless force. */
static int judge(cli_claim *c, place *p, bool force, bool resume, char *err, size_t len)
{
    char file[PATH_MAX];
    scan_ctx s = { p->man.rec, p->man.n, NULL, file, sizeof file };
    const bool whole = p->flags & CLI_PLACE_OWN;
    for (size_t i = 0; i < p->man.n; i++) {
        cli_record *r = &p->man.rec[i];
        char why[256] = "";
        r->own = !strcmp(r->role, p->role) &&
                 cli_record_same_run(r, c->command, &c->id, resume, why, sizeof why);
        if (r->own)
            continue;
        s.found = NULL;
        for (size_t k = 0; k < r->ne && !s.found; k++)
            each_file(p, &r->e[k], whole ? stop_at : in_plan, &s);
        if (!s.found)
            continue;
        if (!force) {
            const char *input = cli_record_value(r, "input");
            return say(CLI_CLAIM_BUSY, err, len,
                       "%s holds another run's files (%s%s%s%s%s; e.g. %s): choose another -o, "
                       "or give --force to replace that run's files",
                       p->dir, r->command, input ? " of " : "", input ? input : "",
                       why[0] ? ", " : "", why, s.found);
        }
        r->taken = true;
    }
    if (resume || force)
        return 0;
    s.found = NULL;
    for (size_t k = 0; k < p->nplan && !s.found; k++)
        each_file(p, &p->plan[k], unrecorded, &s);
    if (s.found)
        return say(CLI_CLAIM_BUSY, err, len,
                   "%s: %s is there, and no polyevolve run recorded it as its own (a file of "
                   "yours, or of an older version): choose another -o, or give --force to "
                   "overwrite it",
                   p->dir, s.found);
    return 0;
}

/* Add e to r unless r has it already (a run failing again and again must not grow it). */
static bool add_new(cli_record *r, const cli_entry *e)
{
    for (size_t i = 0; i < r->ne; i++)
        if (r->e[i].pattern == e->pattern && !strcmp(r->e[i].rel, e->rel) &&
            (!e->pattern ||
             (r->e[i].first == e->first && r->e[i].step == e->step && r->e[i].last == e->last)))
            return true;
    return cli_entry_add(&r->e, &r->ne, &r->cape, e->rel, e->pattern, e->first, e->step, e->last);
}

/* The record this run keeps in p while it works: its plan, and the files of the runs it
 * continues or replaces (so that they stay its own if it is killed). */
static bool working_record(const cli_claim *c, const place *p, cli_record *r)
{
    memset(r, 0, sizeof *r);
    r->role = strdup(p->role);
    r->command = strdup(c->command);
    bool ok = r->role && r->command;
    for (size_t i = 0; ok && i < c->id.nid; i++)
        ok = cli_record_id(r, c->id.keys[i], c->id.values[i], c->id.kinds[i]);
    for (size_t i = 0; ok && i < p->nplan; i++)
        ok = add_new(r, &p->plan[i]);
    for (size_t i = 0; ok && i < p->man.n; i++)
        for (size_t k = 0; ok && (p->man.rec[i].own || p->man.rec[i].taken) && k < p->man.rec[i].ne;
             k++)
            ok = add_new(r, &p->man.rec[i].e[k]);
    if (!ok)
        cli_record_free(r);
    return ok;
}

/* name is NAME.tmp-XXXXXX: NAME into base (len bytes). */
static bool tmp_base(const char *name, char *base, size_t len)
{
    const size_t n = strlen(name), k = sizeof TMP_SUFFIX - 1;
    if (n <= k || strncmp(name + n - k, ".tmp-", 5) || n - k >= len)
        return false;
    memcpy(base, name, n - k);
    base[n - k] = '\0';
    return true;
}

/* The temporary files a killed run left of this run's files (or of the runs it continues or
 * replaces): safe to remove under the lock. */
static void remove_leftovers(place *p, const cli_record *mine)
{
    for (size_t i = 0; i < p->nls; i++) {
        const listing *l = &p->ls[i];
        for (size_t k = 0; k < l->n; k++) {
            char base[NAME_MAX + 1];
            if (!tmp_base(l->names[k], base, sizeof base))
                continue;
            char *rel = *l->rel ? cli_path_join(l->rel, base) : strdup(base);
            const bool ours = rel && ((p->manifest && !strcmp(base, CLI_MANIFEST_NAME)) ||
                                      cli_entries_have(p->plan, p->nplan, rel) ||
                                      (mine && cli_entries_have(mine->e, mine->ne, rel)));
            char *sub = ours ? (*l->rel ? cli_path_join(p->dir, l->rel) : strdup(p->dir)) : NULL;
            char *path = sub ? cli_path_join(sub, l->names[k]) : NULL;
            if (path)
                unlink(path);
            free(path);
            free(sub);
            free(rel);
        }
    }
}

/* The subdirectories of p that its plan writes into ("" first). */
static bool plan_dirs(const place *p, char ***out, size_t *n)
{
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    for (size_t i = 0; i <= p->nplan; i++) {
        char *d = i == 0 ? strdup(".") : cli_path_dir(p->plan[i - 1].rel);
        if (!d)
            return false;
        bool dup = false;
        for (size_t k = 0; k < *n && !dup; k++)
            dup = !strcmp((*out)[k], d);
        if (dup || !cli_grow(out, *n, &cap, sizeof **out)) {
            free(d);
            if (!dup)
                return false;
            continue;
        }
        (*out)[(*n)++] = d;
    }
    return true;
}

static void free_strings(char **s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(s[i]);
    free(s);
}

static int take_place(cli_claim *c, place *p, bool force, bool resume, char *err, size_t len)
{
    char *at = NULL;
    if (make_dirs(p, p->dir, &at) != 0) {
        const int e = errno;
        int rc = say(1, err, len, "%s: cannot create the output directory: %s%s%s", p->dir,
                     at && strcmp(at, p->dir) ? at : "", at && strcmp(at, p->dir) ? ": " : "",
                     e == ENOTDIR ? "a file is in the way (not a directory)" : strerror(e));
        if (e == ENOTDIR && at && !strcmp(at, p->dir)) /* occupied: a default moves on */
            rc = say(CLI_CLAIM_BUSY, err, len,
                     "%s: is a file, not a directory (an output "
                     "directory is needed here)",
                     p->dir);
        free(at);
        return rc;
    }
    bool made;
    p->lock_fd =
        open_lock(p->dir, LOCK_NAME, p->flags & CLI_PLACE_CHUNK ? LOCK_SH : LOCK_EX, &made);
    p->made_lock = made;
    if (p->lock_fd < 0)
        return p->lock_fd == -2
                   ? say(CLI_CLAIM_BUSY, err, len,
                         "%s: another polyevolve run is writing there (it holds %s/" LOCK_NAME
                         "); wait for it or choose another -o",
                         p->dir, p->dir)
                   : say(1, err, len, "%s/" LOCK_NAME ": cannot create the lock file: %s", p->dir,
                         strerror(errno));
    if (p->chunk) {
        char name[64];
        snprintf(name, sizeof name, LOCK_NAME "-%.40s", p->chunk);
        p->chunk_fd = open_lock(p->dir, name, LOCK_EX, &made);
        p->made_chunk_lock = made;
        if (p->chunk_fd < 0)
            return say(p->chunk_fd == -2 ? CLI_CLAIM_BUSY : 1, err, len,
                       "%s: another polyevolve run is making the frames from %s there (it holds "
                       "%s)",
                       p->dir, p->chunk, name);
    }
    char **dirs;
    size_t nd;
    if (!plan_dirs(p, &dirs, &nd))
        return say(1, err, len, "out of memory");
    int rc = 0;
    for (size_t i = 0; i < nd && rc == 0; i++) {
        char *sub = strcmp(dirs[i], ".") ? cli_path_join(p->dir, dirs[i]) : strdup(p->dir);
        if (!sub) {
            rc = say(1, err, len, "out of memory");
            break;
        }
        at = NULL;
        if (strcmp(dirs[i], ".") && make_dirs(p, sub, &at) != 0) {
            const int e = errno;
            rc = e == ENOTDIR
                     ? say(1, err, len,
                           "%s: is a file, not a directory (the %s go "
                           "there)",
                           at ? at : sub, dirs[i])
                     : say(1, err, len, "%s: cannot create the directory: %s", sub, strerror(e));
        }
        free(at);
        if (rc == 0)
            rc = probe(sub, err, len);
        free(sub);
    }
    free_strings(dirs, nd);
    if (rc)
        return rc;
    if (!p->manifest) { /* a chunk: only the temporaries of its own frames are its business */
        for (size_t i = 0; i < p->nplan; i++) {
            char *d = cli_path_dir(p->plan[i].rel);
            if (d)
                list_dir(p, strcmp(d, ".") ? d : "");
            free(d);
        }
        remove_leftovers(p, NULL);
        return 0;
    }
    cli_manifest_read(p->dir, &p->man);
    if ((rc = judge(c, p, force, resume, err, len)) != 0)
        return rc;
    cli_record mine;
    if (!working_record(c, p, &mine))
        return say(1, err, len, "out of memory");
    if (!write_manifest(p, &mine))
        rc =
            say(1, err, len, "%s/" CLI_MANIFEST_NAME ": cannot write: %s", p->dir, strerror(errno));
    for (size_t i = 0; i < p->nplan; i++) { /* list the directories the plan writes into */
        char *d = cli_path_dir(p->plan[i].rel);
        if (d)
            list_dir(p, strcmp(d, ".") ? d : "");
        free(d);
    }
    list_dir(p, "");
    if (rc == 0)
        remove_leftovers(p, &mine);
    cli_record_free(&mine);
    return rc;
}

int cli_claim_take(cli_claim *c, bool force, bool resume, char *err, size_t len)
{
    int rc = 0;
    for (size_t i = 0; i < c->np && rc == 0; i++)
        rc = take_place(c, &c->p[i], force, resume, err, len);
    for (size_t i = 0; i < c->nw && rc == 0; i++) { /* the single files' directories */
        if (c->w[i].place >= 0)
            continue;
        char *d = cli_path_dir(c->w[i].path);
        rc = d ? probe(d, err, len) : say(1, err, len, "out of memory");
        free(d);
    }
    if (rc) {
        for (size_t i = 0; i < c->np; i++)
            undo_place(&c->p[i], true);
        return rc;
    }
    for (size_t i = 0; i < c->np; i++)
        forget_listings(&c->p[i]);
    c->taken = true;
    return 0;
}

/* ---------------------------------------------------------------- the run's end */

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
    const place *p = &c->p[pl];
    memset(r, 0, sizeof *r);
    r->role = strdup(p->role);
    r->command = strdup(c->command);
    bool ok = r->role && r->command;
    for (size_t i = 0; ok && i < c->id.nid; i++)
        ok = cli_record_id(r, c->id.keys[i], c->id.values[i], c->id.kinds[i]);
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

/* Remove from p the files of the runs this one continues or replaces that it did not write
 * (mine: what it wrote), and the subdirectories that leaves empty. */
static void clean_place(const cli_claim *c, place *p, const cli_record *mine)
{
    forget_listings(p);
    stale_ctx s = { mine, c, false };
    for (size_t k = 0; k < p->man.n; k++)
        for (size_t e = 0; (p->man.rec[k].own || p->man.rec[k].taken) && e < p->man.rec[k].ne; e++)
            each_file(p, &p->man.rec[k].e[e], remove_stale, &s);
    for (size_t k = 0; s.removed && k < p->man.n; k++)
        for (size_t e = 0; (p->man.rec[k].own || p->man.rec[k].taken) && e < p->man.rec[k].ne;
             e++) {
            char *d = cli_path_dir(p->man.rec[k].e[e].rel);
            char *path = d && strcmp(d, ".") ? cli_path_join(p->dir, d) : NULL;
            if (path)
                rmdir(path); /* only when empty */
            free(path);
            free(d);
        }
    forget_listings(p);
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
        write_manifest(p, &mine);
        cli_record_free(&mine);
    }
}

void cli_claim_free(cli_claim *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->np; i++) {
        place *p = &c->p[i];
        undo_place(p, c->taken && !p->wrote);
        free(p->dir);
        free(p->canon);
        free(p->role);
        free(p->chunk);
        free(p->made);
        cli_manifest_free(&p->man);
        for (size_t k = 0; k < p->nplan; k++)
            cli_entry_free(&p->plan[k]);
        free(p->plan);
        forget_listings(p);
        free(p->ls);
    }
    free(c->p);
    for (size_t i = 0; i < c->nw; i++) {
        free(c->w[i].path);
        free(c->w[i].canon);
        free(c->w[i].what);
        free(c->w[i].rel);
        free(c->w[i].nums);
    }
    free(c->w);
    for (size_t i = 0; i < c->nr; i++) {
        free(c->r[i].path);
        free(c->r[i].canon);
        free(c->r[i].what);
    }
    free(c->r);
    cli_record_free(&c->id);
    free(c->command);
    free(c);
}
