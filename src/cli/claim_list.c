/* claim_list: a place's directory listings, each read once, sorted, and shared by the parts
 * that ask what is in a place (judging another run's files, the leftovers of a killed run,
 * cleaning stale files), and the walk over the existing files of a manifest entry. */
#define _XOPEN_SOURCE 700
#include "claim_int.h"

#include "paths.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

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

void cli_claim_forget_listings(place *p)
{
    for (size_t i = 0; i < p->nls; i++)
        listing_free(&p->ls[i]);
    p->nls = 0;
}

/* The names in the place's subdirectory rel ("" = itself); NULL when it cannot be read. */
const listing *cli_claim_list_dir(place *p, const char *rel)
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

bool cli_claim_is_internal(const char *name)
{
    return !strcmp(name, LOCK_NAME) || !strncmp(name, LOCK_NAME "-", sizeof LOCK_NAME) ||
           !strncmp(name, CLI_MANIFEST_NAME, sizeof CLI_MANIFEST_NAME - 1) ||
           !strncmp(name, ".polyevolve-probe-", 18);
}

/* Call fn for every existing file of entry e in place p (rel path, ctx): stops when fn returns
 * false; returns false then. */
bool cli_claim_each_file(place *p, const cli_entry *e, bool (*fn)(place *, const char *, void *),
                         void *ctx)
{
    char *dir = cli_path_dir(e->rel);
    if (!dir)
        return true;
    const char *sub = !strcmp(dir, ".") ? "" : dir;
    const listing *l = cli_claim_list_dir(p, sub);
    bool go = true;
    if (l && !e->pattern) {
        const char *name = cli_path_base(e->rel);
        if (l->n > 0 && bsearch(&name, l->names, l->n, sizeof *l->names, by_name))
            go = fn(p, e->rel, ctx);
    } else if (l) {
        for (size_t i = 0; go && i < l->n; i++) {
            if (cli_claim_is_internal(l->names[i]) ||
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
