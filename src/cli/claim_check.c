/* claim_check: the checks before anything is created or read (cli_claim_check in claim.h):
 * two outputs naming one file, an output naming an input, a name too long for its temporary,
 * a single file without its directory. Its own file because it changes with the rules of what
 * a command may name, not with how places are taken or cleaned. */
#define _XOPEN_SOURCE 700
#include "claim_int.h"

#include "paths.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
        return cli_claim_say(
            2, err, len,
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
            return cli_claim_say(
                2, err, len,
                "%s: %s: a directory name is %zu bytes, above the file system's limit of "
                "%ld (NAME_MAX)",
                path, what, n, max);
        if (last && (long)(n + suffix) > max)
            return cli_claim_say(
                2, err, len,
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
        return cli_claim_say(1, err, len, "out of memory");
    struct stat sb;
    const int r = stat(d, &sb);
    int rc = 0;
    if (r == 0 && !S_ISDIR(sb.st_mode))
        rc = cli_claim_say(1, err, len, "%s: %s is not a directory", w->path, d);
    else if (r != 0 && errno == ENOTDIR)
        rc = cli_claim_say(1, err, len, "%s: %s is not a directory", w->path, d);
    else if (r != 0)
        rc = cli_claim_say(1, err, len, "%s: %s", w->path,
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
            return cli_claim_say(
                2, err, len,
                "%s: the %%d of a frame pattern must be in the file name, not in a "
                "directory",
                w->path);
        int rc;
        if (w->pattern) {
            char *longest = cli_pattern_file(w->path, w->last == OPEN_END ? 9999999 : w->last);
            rc = longest ? check_length(longest, w->what, err, len)
                         : cli_claim_say(1, err, len, "out of memory");
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
                return cli_claim_say(2, err, len,
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
                return cli_claim_say(2, err, len,
                                     "%s (%s) names %s, the %s this run reads: it would be "
                                     "overwritten",
                                     w->path, w->what, r->path, r->what);
        }
    }
    for (size_t i = 0; i < c->np; i++) { /* the place's own files are not outputs */
        for (size_t j = 0; j < c->nw; j++) {
            const char *rel = c->w[j].rel;
            if (c->w[j].place == (int)i && rel && cli_claim_is_internal(cli_path_base(rel)))
                return cli_claim_say(2, err, len, "%s: %s is polyevolve's own file in %s",
                                     c->w[j].path, c->w[j].what, c->p[i].dir);
        }
        char *m = cli_path_join(c->p[i].dir, CLI_MANIFEST_NAME TMP_SUFFIX);
        const int rc = m ? check_length(m, "the manifest", err, len)
                         : cli_claim_say(1, err, len, "out of memory");
        free(m);
        if (rc)
            return rc;
    }
    return 0;
}
