/* claim: see claim.h. This file builds the claim (the identity, places, files, patterns and
 * reads a command names) and frees it; the checks, the listings, taking the places and the
 * run's end are each in their own claim_*.c (claim_int.h). */
#define _XOPEN_SOURCE 700
#include "claim_int.h"

#include "paths.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int cli_claim_say(int rc, char *err, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
    return rc;
}

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

void cli_claim_free(cli_claim *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->np; i++) {
        place *p = &c->p[i];
        cli_claim_undo_place(p, c->taken && !p->wrote);
        free(p->dir);
        free(p->canon);
        free(p->role);
        free(p->chunk);
        free(p->made);
        cli_manifest_free(&p->man);
        for (size_t k = 0; k < p->nplan; k++)
            cli_entry_free(&p->plan[k]);
        free(p->plan);
        cli_claim_forget_listings(p);
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
