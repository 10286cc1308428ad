/* claim_int: what the parts of the claim share (claim.c builds it, claim_check.c checks it,
 * claim_list.c reads the places' directories, claim_place.c takes the places, claim_finish.c
 * records and cleans): the claim's structs and the few functions more than one part calls.
 * Not for other files: commands use claim.h. */
#ifndef CLI_CLAIM_INT_H
#define CLI_CLAIM_INT_H

#include "claim.h"
#include "manifest.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define LOCK_NAME  ".polyevolve.lock"
#define TMP_SUFFIX ".tmp-XXXXXX" /* cli_write_atomic's temporaries: NAME.tmp-XXXXXX */
#define OPEN_END   INT_MAX       /* a pattern whose last number is not known */

typedef struct listing { /* a directory's names, sorted */
    char *rel;           /* "" for the place itself */
    char **names;
    size_t n;
} listing;

typedef struct sublock { /* the lock of a subdirectory the place's plan writes into */
    char *dir;
    int fd;
    bool made;
} sublock;

typedef struct place {
    char *dir, *canon, *role, *chunk;
    int flags;
    bool manifest; /* the run keeps this place's manifest (all but chunks) */
    int lock_fd, chunk_fd;
    bool made_lock, made_chunk_lock, made_manifest;
    sublock *sub; /* held while the run works, in the mode of lock_fd */
    size_t nsub, capsub;
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

/* One line into err (len bytes); returns rc, so that a check is one return statement. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 4, 5)))
#endif
int cli_claim_say(int rc, char *err, size_t len, const char *fmt, ...);

/* claim_list.c: the names in the place's subdirectory rel ("" = itself), read once and kept
 * until cli_claim_forget_listings; NULL when it cannot be read. */
const listing *cli_claim_list_dir(place *p, const char *rel);
void cli_claim_forget_listings(place *p);

/* Whether name is one of polyevolve's own files in a place (lock, manifest, probe). */
bool cli_claim_is_internal(const char *name);

/* Call fn for every existing file of entry e in place p (rel path, ctx): stops when fn returns
 * false; returns false then. */
bool cli_claim_each_file(place *p, const cli_entry *e, bool (*fn)(place *, const char *, void *),
                         void *ctx);

/* claim_place.c: the manifest of p, written with this run's record mine. */
bool cli_claim_write_manifest(place *p, const cli_record *mine);

/* claim_place.c: a record for this run in p, holding its role, command and identity (no files
 * yet). False when out of memory (what it holds is then r's to free). */
bool cli_claim_record_head(const cli_claim *c, const place *p, cli_record *r);

/* Undo what take did in p: unlock; when remove, also remove the lock, manifest and directories
 * it created. */
void cli_claim_undo_place(place *p, bool remove);

#endif
