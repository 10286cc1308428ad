/* claim_place: taking the places (cli_claim_take in claim.h): create the directories, lock,
 * probe that they are writable, read the manifest and judge whose files are there, record the
 * plan, remove a killed run's temporaries; and undoing all that when the run wrote nothing.
 * Its own file because it is the part that touches the file system and other runs. */
#define _XOPEN_SOURCE 700
#include "claim_int.h"

#include "paths.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define PROBE_NAME ".polyevolve-probe-XXXXXX"

/* The manifest of p, written with this run's record mine. */
bool cli_claim_write_manifest(place *p, const cli_record *mine)
{
    bool created = false;
    const bool ok = cli_manifest_write(p->dir, &p->man, mine, &created);
    p->made_manifest |= created;
    return ok;
}

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
        return cli_claim_say(1, err, len, "out of memory");
    const int fd = mkstemp(path);
    int rc = 0;
    if (fd < 0)
        rc = cli_claim_say(1, err, len, "%s: cannot write there: %s", dir, strerror(errno));
    else {
        close(fd);
        unlink(path);
    }
    free(path);
    return rc;
}

/* Undo what take did in p: unlock; remove the lock, manifest and directories it created. */
void cli_claim_undo_place(place *p, bool remove)
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
        for (size_t i = 0; i < p->nsub; i++) {
            char *path = p->sub[i].made ? cli_path_join(p->sub[i].dir, LOCK_NAME) : NULL;
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
    for (size_t i = 0; i < p->nsub; i++) {
        close(p->sub[i].fd);
        free(p->sub[i].dir);
    }
    free(p->sub);
    p->sub = NULL;
    p->nsub = p->capsub = 0;
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
            cli_claim_each_file(p, &r->e[k], whole ? stop_at : in_plan, &s);
        if (!s.found)
            continue;
        if (!force) {
            const char *input = cli_record_value(r, "input");
            return cli_claim_say(
                CLI_CLAIM_BUSY, err, len,
                "%s holds another run's files (%s%s%s%s%s; e.g. %s): choose another -o, "
                "or give --force to replace that run's files",
                p->dir, r->command, input ? " of " : "", input ? input : "", why[0] ? ", " : "",
                why, s.found);
        }
        r->taken = true;
    }
    if (resume || force)
        return 0;
    s.found = NULL;
    for (size_t k = 0; k < p->nplan && !s.found; k++)
        cli_claim_each_file(p, &p->plan[k], unrecorded, &s);
    if (s.found)
        return cli_claim_say(
            CLI_CLAIM_BUSY, err, len,
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

bool cli_claim_record_head(const cli_claim *c, const place *p, cli_record *r)
{
    memset(r, 0, sizeof *r);
    r->role = strdup(p->role);
    r->command = strdup(c->command);
    bool ok = r->role && r->command;
    for (size_t i = 0; ok && i < c->id.nid; i++)
        ok = cli_record_id(r, c->id.keys[i], c->id.values[i], c->id.kinds[i]);
    return ok;
}

/* The record this run keeps in p while it works: its plan, and the files of the runs it
 * continues or replaces (so that they stay its own if it is killed). */
static bool working_record(const cli_claim *c, const place *p, cli_record *r)
{
    bool ok = cli_claim_record_head(c, p, r);
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

/* The message for a lock of dir that open_lock could not take (fd -2: another run holds it). */
static int lock_failed(int fd, const char *dir, char *err, size_t len)
{
    return fd == -2 ? cli_claim_say(CLI_CLAIM_BUSY, err, len,
                                    "%s: another polyevolve run is writing there (it holds "
                                    "%s/" LOCK_NAME "); wait for it or choose another -o",
                                    dir, dir)
                    : cli_claim_say(1, err, len, "%s/" LOCK_NAME ": cannot create the lock file: %s",
                                    dir, strerror(errno));
}

/* Lock sub, a subdirectory p's plan writes into, as p's own directory is locked: a run's
 * frames/ may be another run's frame pattern, and one lock per directory written into keeps
 * the two apart whichever starts first. */
static int lock_sub(place *p, const char *sub, char *err, size_t len)
{
    if (!cli_grow(&p->sub, p->nsub, &p->capsub, sizeof *p->sub))
        return cli_claim_say(1, err, len, "out of memory");
    sublock *s = &p->sub[p->nsub];
    if (!(s->dir = strdup(sub)))
        return cli_claim_say(1, err, len, "out of memory");
    s->fd = open_lock(sub, LOCK_NAME, p->flags & CLI_PLACE_CHUNK ? LOCK_SH : LOCK_EX, &s->made);
    if (s->fd < 0) {
        const int rc = lock_failed(s->fd, sub, err, len);
        free(s->dir);
        return rc;
    }
    p->nsub++;
    return 0;
}

static int take_place(cli_claim *c, place *p, bool force, bool resume, char *err, size_t len)
{
    char *at = NULL;
    if (make_dirs(p, p->dir, &at) != 0) {
        const int e = errno;
        int rc =
            cli_claim_say(1, err, len, "%s: cannot create the output directory: %s%s%s", p->dir,
                          at && strcmp(at, p->dir) ? at : "", at && strcmp(at, p->dir) ? ": " : "",
                          e == ENOTDIR ? "a file is in the way (not a directory)" : strerror(e));
        if (e == ENOTDIR && at && !strcmp(at, p->dir)) /* occupied: a default moves on */
            rc = cli_claim_say(CLI_CLAIM_BUSY, err, len,
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
        return lock_failed(p->lock_fd, p->dir, err, len);
    if (p->chunk) {
        char name[64];
        snprintf(name, sizeof name, LOCK_NAME "-%.40s", p->chunk);
        p->chunk_fd = open_lock(p->dir, name, LOCK_EX, &made);
        p->made_chunk_lock = made;
        if (p->chunk_fd < 0)
            return cli_claim_say(
                p->chunk_fd == -2 ? CLI_CLAIM_BUSY : 1, err, len,
                "%s: another polyevolve run is making the frames from %s there (it holds "
                "%s)",
                p->dir, p->chunk, name);
    }
    char **dirs;
    size_t nd;
    if (!plan_dirs(p, &dirs, &nd))
        return cli_claim_say(1, err, len, "out of memory");
    int rc = 0;
    for (size_t i = 0; i < nd && rc == 0; i++) {
        char *sub = strcmp(dirs[i], ".") ? cli_path_join(p->dir, dirs[i]) : strdup(p->dir);
        if (!sub) {
            rc = cli_claim_say(1, err, len, "out of memory");
            break;
        }
        at = NULL;
        if (strcmp(dirs[i], ".") && make_dirs(p, sub, &at) != 0) {
            const int e = errno;
            rc = e == ENOTDIR ? cli_claim_say(1, err, len,
                                              "%s: is a file, not a directory (the %s go "
                                              "there)",
                                              at ? at : sub, dirs[i])
                              : cli_claim_say(1, err, len, "%s: cannot create the directory: %s",
                                              sub, strerror(e));
        }
        free(at);
        if (rc == 0 && strcmp(dirs[i], "."))
            rc = lock_sub(p, sub, err, len);
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
                cli_claim_list_dir(p, strcmp(d, ".") ? d : "");
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
        return cli_claim_say(1, err, len, "out of memory");
    if (!cli_claim_write_manifest(p, &mine))
        rc = cli_claim_say(1, err, len, "%s/" CLI_MANIFEST_NAME ": cannot write: %s", p->dir,
                           strerror(errno));
    for (size_t i = 0; i < p->nplan; i++) { /* list the directories the plan writes into */
        char *d = cli_path_dir(p->plan[i].rel);
        if (d)
            cli_claim_list_dir(p, strcmp(d, ".") ? d : "");
        free(d);
    }
    cli_claim_list_dir(p, "");
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
        rc = d ? probe(d, err, len) : cli_claim_say(1, err, len, "out of memory");
        free(d);
    }
    if (rc) {
        for (size_t i = 0; i < c->np; i++)
            cli_claim_undo_place(&c->p[i], true);
        return rc;
    }
    for (size_t i = 0; i < c->np; i++)
        cli_claim_forget_listings(&c->p[i]);
    c->taken = true;
    return 0;
}
