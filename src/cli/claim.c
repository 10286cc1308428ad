/* claim: see claim.h. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "claim.h"

#include "output.h"

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

#define LOCK_NAME     ".polyevolve.lock"
#define MANIFEST_NAME ".polyevolve.manifest"
#define MANIFEST_HEAD "polyevolve-manifest 1"
#define PROBE_NAME    ".polyevolve-probe-XXXXXX"
#define TMP_SUFFIX    ".tmp-XXXXXX" /* cli_write_atomic's temporaries: NAME.tmp-XXXXXX */
#define OPEN_END      INT_MAX       /* a pattern whose last number is not known */

/* A manifest is a few lines a run; far above any real one, and read whole. */
enum { MAX_MANIFEST_BYTES = 64 << 20 };

typedef enum id_kind { ID_SETTING, ID_CORE, ID_INFO } id_kind;

typedef struct entry { /* a file, or a pattern's files first, first + step, .. last */
    char *rel;         /* relative to its place */
    bool pattern;
    int first, step, last;
} entry;

typedef struct record { /* one run of a manifest */
    char *role, *command;
    char **keys, **values;
    id_kind *kinds;
    size_t nid, capid;
    entry *e;
    size_t ne, cape;
    bool own, taken; /* this run's (its identity), or replaced by it (force) */
} record;

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
    record *rec; /* the manifest as read */
    size_t nrec, caprec;
    entry *plan;
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
    record id; /* this run's identity (role unused) */
    place *p;
    size_t np, capp;
    wfile *w;
    size_t nw, capw;
    rfile *r;
    size_t nr, capr;
    bool taken;
};

/* ---------------------------------------------------------------- small helpers */

/* Make room for one more element in *arr (n used, *cap allocated). */
static bool grow(void *arr, size_t n, size_t *cap, size_t size)
{
    void **a = arr;
    if (n < *cap)
        return true;
    const size_t c = *cap ? 2 * *cap : 8;
    void *g = realloc(*a, c * size);
    if (!g)
        return false;
    *a = g;
    *cap = c;
    return true;
}

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

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static char *join(const char *a, const char *b)
{
    const size_t na = strlen(a), nb = strlen(b);
    const bool slash = na && a[na - 1] != '/' && nb;
    char *s = malloc(na + nb + 2);
    if (s)
        snprintf(s, na + nb + 2, "%s%s%s", a, slash ? "/" : "", b);
    return s;
}

/* The directory part of path ("." when none) and its last component. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return !slash ? strdup(".") : slash == path ? strdup("/") : dup_n(path, (size_t)(slash - path));
}

static const char *base_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* An absolute path without ".", ".." or links in the part that exists: the same file always
 * gets the same name, whatever way it was spelt. Malloc'ed; NULL when out of memory. */
static char *canon(const char *path)
{
    char *head = NULL, *rest = strdup(""), *out = NULL;
    if (!rest)
        return NULL;
    if (path[0] != '/') {
        char cwd[PATH_MAX];
        head = getcwd(cwd, sizeof cwd) ? join(cwd, path) : strdup(path);
    } else {
        head = strdup(path);
    }
    while (head) { /* cut components off until what is left exists */
        char *real = realpath(head, NULL);
        if (real) {
            free(head);
            head = real;
            break;
        }
        char *slash = strrchr(head, '/');
        if (!slash || slash == head) { /* nothing of it exists: keep it as spelt */
            break;
        }
        char *r = join(slash + 1, rest);
        free(rest);
        rest = r;
        *slash = '\0';
        if (!rest)
            break;
    }
    if (head && rest) { /* the part that does not exist: "." and ".." by their spelling */
        size_t cap = strlen(head) + strlen(rest) + 2;
        out = malloc(cap);
        if (out) {
            snprintf(out, cap, "%s", head);
            for (char *tok = strtok(rest, "/"); tok; tok = strtok(NULL, "/")) {
                if (!strcmp(tok, "."))
                    continue;
                size_t n = strlen(out);
                if (!strcmp(tok, "..")) {
                    char *s = strrchr(out, '/');
                    if (s && s != out)
                        *s = '\0';
                    else
                        snprintf(out, cap, "/");
                    continue;
                }
                snprintf(out + n, cap - n, "%s%s", n && out[n - 1] == '/' ? "" : "/", tok);
            }
        }
    }
    free(head);
    free(rest);
    return out;
}

/* ---------------------------------------------------------------- patterns */

/* The conversion of a pattern: its prefix length, the spec ("%05d") and the suffix. */
static bool split_pattern(const char *p, size_t *pre, char spec[16], const char **suffix)
{
    for (const char *s = p; *s; s++) {
        if (*s != '%')
            continue;
        if (s[1] == '%') {
            s++;
            continue;
        }
        const char *e = s + 1;
        while (*e >= '0' && *e <= '9')
            e++;
        if (*e != 'd' || e - s > 10)
            return false;
        *pre = (size_t)(s - p);
        snprintf(spec, 16, "%.*s", (int)(e - s + 1), s);
        *suffix = e + 1;
        return true;
    }
    return false;
}

static bool is_pattern(const char *p)
{
    size_t pre;
    char spec[16];
    const char *suffix;
    return split_pattern(p, &pre, spec, &suffix);
}

/* "%%" as "%" in n bytes of a, compared with b; the length of b consumed, or 0. */
static size_t match_literal(const char *a, size_t n, const char *b)
{
    size_t j = 0;
    for (size_t i = 0; i < n; i++, j++) {
        if (a[i] == '%' && i + 1 < n && a[i + 1] == '%')
            i++;
        if (b[j] != a[i])
            return 0;
    }
    return j ? j : (size_t)-1; /* (size_t)-1: matched an empty prefix */
}

/* The number whose name under pattern is name, or -1. */
static long pattern_number(const char *pattern, const char *name)
{
    size_t pre;
    char spec[16];
    const char *suffix;
    if (!split_pattern(pattern, &pre, spec, &suffix))
        return -1;
    size_t at = match_literal(pattern, pre, name);
    if (at == 0)
        return -1;
    if (at == (size_t)-1)
        at = 0;
    const char *num = name + at, *end = num;
    while (*end == ' ')
        end++;
    const char *digits = end;
    while (*end >= '0' && *end <= '9' && end - digits < 10)
        end++;
    if (end == digits)
        return -1;
    const long n = strtol(digits, NULL, 10);
    char text[32];
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#endif
    const int k = snprintf(text, sizeof text, spec, (int)n);
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
    if (n > INT_MAX || k != end - num || memcmp(text, num, (size_t)k))
        return -1;
    const size_t sl = strlen(suffix);
    const size_t got = sl ? match_literal(suffix, sl, end) : (size_t)-1;
    if (got == 0 || end[got == (size_t)-1 ? 0 : got] != '\0')
        return -1;
    return n;
}

static bool in_range(long n, int first, int step, int last)
{
    return n >= first && n <= last && (n - first) % (step > 0 ? step : 1) == 0;
}

/* The file of pattern p for number n (malloc'ed). */
static char *pattern_name(const char *p, long n)
{
    size_t pre;
    char spec[16];
    const char *suffix;
    if (!split_pattern(p, &pre, spec, &suffix))
        return NULL;
    char num[32];
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#endif
    snprintf(num, sizeof num, spec, (int)n);
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
    const size_t cap = strlen(p) + sizeof num;
    char *s = malloc(cap);
    if (!s)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < pre; i++, k++) {
        if (p[i] == '%' && p[i + 1] == '%')
            i++;
        s[k] = p[i];
    }
    k += (size_t)snprintf(s + k, cap - k, "%s", num);
    for (const char *t = suffix; *t; t++, k++) {
        if (t[0] == '%' && t[1] == '%')
            t++;
        s[k] = *t;
    }
    s[k] = '\0';
    return s;
}

/* Whether entry e names the file rel. */
static bool entry_has(const entry *e, const char *rel)
{
    if (!e->pattern)
        return !strcmp(e->rel, rel);
    char *d1 = dir_of(e->rel), *d2 = dir_of(rel);
    const bool same = d1 && d2 && !strcmp(d1, d2);
    free(d1);
    free(d2);
    return same &&
           in_range(pattern_number(base_of(e->rel), base_of(rel)), e->first, e->step, e->last);
}

static bool entries_have(const entry *e, size_t n, const char *rel)
{
    for (size_t i = 0; i < n; i++)
        if (entry_has(&e[i], rel))
            return true;
    return false;
}

static void entry_free(entry *e)
{
    free(e->rel);
    e->rel = NULL;
}

static bool entry_add(entry **e, size_t *n, size_t *cap, const char *rel, bool pattern, int first,
                      int step, int last)
{
    if (!grow(e, *n, cap, sizeof **e))
        return false;
    entry *x = &(*e)[*n];
    *x = (entry){ strdup(rel), pattern, first, step, last };
    if (!x->rel)
        return false;
    (*n)++;
    return true;
}

/* ---------------------------------------------------------------- records and manifests */

static void record_free(record *r)
{
    free(r->role);
    free(r->command);
    for (size_t i = 0; i < r->nid; i++) {
        free(r->keys[i]);
        free(r->values[i]);
    }
    free(r->keys);
    free(r->values);
    free(r->kinds);
    for (size_t i = 0; i < r->ne; i++)
        entry_free(&r->e[i]);
    free(r->e);
    memset(r, 0, sizeof *r);
}

static bool record_id(record *r, const char *key, const char *value, id_kind kind)
{
    if (!grow(&r->keys, r->nid, &r->capid, sizeof *r->keys)) /* the three grow together */
        return false;
    char **v = realloc(r->values, r->capid * sizeof *v);
    if (!v)
        return false;
    r->values = v;
    id_kind *k = realloc(r->kinds, r->capid * sizeof *k);
    if (!k)
        return false;
    r->kinds = k;
    r->keys[r->nid] = strdup(key);
    r->values[r->nid] = strdup(value);
    r->kinds[r->nid] = kind;
    if (!r->keys[r->nid] || !r->values[r->nid]) {
        free(r->keys[r->nid]);
        free(r->values[r->nid]);
        return false;
    }
    r->nid++;
    return true;
}

static const char *record_value(const record *r, const char *key)
{
    for (size_t i = 0; i < r->nid; i++)
        if (!strcmp(r->keys[i], key))
            return r->values[i];
    return NULL;
}

/* Whether record r is a run of identity id: every setting and core key equal (resume: the
 * command and the core keys). The first difference goes into why. */
static bool same_run(const record *r, const char *command, const record *id, bool resume, char *why,
                     size_t why_len)
{
    if (strcmp(r->command ? r->command : "", command)) {
        snprintf(why, why_len, "another command: %s", r->command ? r->command : "?");
        return false;
    }
    for (size_t i = 0; i < id->nid; i++) {
        if (id->kinds[i] == ID_INFO || (resume && id->kinds[i] != ID_CORE))
            continue;
        const char *v = record_value(r, id->keys[i]);
        if (!v || strcmp(v, id->values[i])) {
            if (id->kinds[i] == ID_CORE)
                snprintf(why, why_len, "another %s", id->keys[i]);
            else
                snprintf(why, why_len, "its %s is %s, this run's %s", id->keys[i], v ? v : "unset",
                         id->values[i]);
            return false;
        }
    }
    for (size_t i = 0; !resume && i < r->nid; i++) /* a setting this run does not have */
        if (r->kinds[i] != ID_INFO && !record_value(id, r->keys[i])) {
            snprintf(why, why_len, "its %s is %s", r->keys[i], r->values[i]);
            return false;
        }
    return true;
}

/* Bytes that would break a line or a field are written %XX. */
static void put_escaped(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= ' ' || *p == '%' || *p == 0x7f)
            fprintf(f, "%%%02X", *p);
        else
            fputc(*p, f);
}

static bool unescape(char *s)
{
    char *o = s;
    for (; *s; s++) {
        if (*s != '%') {
            *o++ = *s;
            continue;
        }
        unsigned v;
        if (sscanf(s + 1, "%2x", &v) != 1 || !s[1] || !s[2] || v == 0)
            return false;
        *o++ = (char)v;
        s += 2;
    }
    *o = '\0';
    return true;
}

static void put_record(FILE *f, const record *r)
{
    fputs("record ", f);
    put_escaped(f, r->role);
    fputs("\ncommand ", f);
    put_escaped(f, r->command);
    fputc('\n', f);
    for (size_t i = 0; i < r->nid; i++) {
        fputs(r->kinds[i] == ID_INFO ? "info " : r->kinds[i] == ID_CORE ? "core " : "id ", f);
        put_escaped(f, r->keys[i]);
        fputc(' ', f);
        put_escaped(f, r->values[i]);
        fputc('\n', f);
    }
    for (size_t i = 0; i < r->ne; i++) {
        fputs(r->e[i].pattern ? "pattern " : "file ", f);
        put_escaped(f, r->e[i].rel);
        if (r->e[i].pattern)
            fprintf(f, " %d %d %d", r->e[i].first, r->e[i].step, r->e[i].last);
        fputc('\n', f);
    }
    fputs("end\n", f);
}

typedef struct manifest_job {
    const place *p;
    const record *extra; /* this run's record, or NULL */
} manifest_job;

static pe_status manifest_fn(FILE *f, const void *ctx)
{
    const manifest_job *j = ctx;
    fputs(MANIFEST_HEAD "\n", f);
    for (size_t i = 0; i < j->p->nrec; i++)
        if (!j->p->rec[i].own && !j->p->rec[i].taken)
            put_record(f, &j->p->rec[i]);
    if (j->extra)
        put_record(f, j->extra);
    return ferror(f) ? PE_ERR_IO : PE_OK;
}

static bool write_manifest(place *p, const record *mine)
{
    char *path = join(p->dir, MANIFEST_NAME);
    if (!path)
        return false;
    struct stat sb;
    const bool existed = stat(path, &sb) == 0;
    const manifest_job j = { p, mine };
    const bool ok = cli_write_atomic(path, manifest_fn, &j) == PE_OK;
    p->made_manifest |= ok && !existed;
    free(path);
    return ok;
}

/* Parse one manifest line into r; false when it is malformed. */
static bool parse_line(char *line, record **cur, place *p)
{
    char *sp = strchr(line, ' ');
    if (!sp)
        return !strcmp(line, "end") ? (*cur = NULL, true) : false;
    *sp = '\0';
    char *arg = sp + 1;
    if (!strcmp(line, "record")) {
        if (*cur || !unescape(arg) || !grow(&p->rec, p->nrec, &p->caprec, sizeof *p->rec))
            return false;
        *cur = &p->rec[p->nrec++];
        memset(*cur, 0, sizeof **cur);
        return ((*cur)->role = strdup(arg)) != NULL;
    }
    record *r = *cur;
    if (!r)
        return false;
    if (!strcmp(line, "command"))
        return !r->command && unescape(arg) && (r->command = strdup(arg)) != NULL;
    if (!strcmp(line, "id") || !strcmp(line, "core") || !strcmp(line, "info")) {
        char *v = strchr(arg, ' ');
        if (!v)
            return false;
        *v++ = '\0';
        const id_kind k = line[0] == 'i' && line[1] == 'n' ? ID_INFO
                          : line[0] == 'c'                 ? ID_CORE
                                                           : ID_SETTING;
        return unescape(arg) && unescape(v) && record_id(r, arg, v, k);
    }
    if (!strcmp(line, "file"))
        return unescape(arg) && entry_add(&r->e, &r->ne, &r->cape, arg, false, 0, 0, 0);
    if (!strcmp(line, "pattern")) {
        char *nums = strchr(arg, ' ');
        int first, step, last, used = 0;
        if (!nums)
            return false;
        *nums++ = '\0';
        if (sscanf(nums, "%d %d %d%n", &first, &step, &last, &used) != 3 || nums[used] ||
            step < 1 || first > last || !unescape(arg) || !is_pattern(base_of(arg)))
            return false;
        return entry_add(&r->e, &r->ne, &r->cape, arg, true, first, step, last);
    }
    return false;
}

/* Read DIR/.polyevolve.manifest into p->rec. One that cannot be read or parsed counts as none:
 * every file in the place is then one no run recorded (safe: never removed). */
static void read_manifest(place *p)
{
    char *path = join(p->dir, MANIFEST_NAME);
    FILE *f = path ? fopen(path, "rb") : NULL;
    free(path);
    if (!f)
        return;
    char *line = NULL;
    size_t cap = 0, total = 0;
    ssize_t n;
    bool ok = true, first = true;
    record *cur = NULL;
    while (ok && (n = getline(&line, &cap, f)) > 0) {
        total += (size_t)n;
        if (total > MAX_MANIFEST_BYTES || memchr(line, 0, (size_t)n)) {
            ok = false;
            break;
        }
        if (line[n - 1] == '\n')
            line[--n] = '\0';
        if (first) {
            ok = !strcmp(line, MANIFEST_HEAD);
            first = false;
            continue;
        }
        ok = parse_line(line, &cur, p);
    }
    free(line);
    fclose(f);
    for (size_t i = 0; ok && i < p->nrec; i++)
        ok = p->rec[i].role && p->rec[i].command;
    if (!ok || cur) {
        for (size_t i = 0; i < p->nrec; i++)
            record_free(&p->rec[i]);
        p->nrec = 0;
    }
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
    char *path = *rel ? join(p->dir, rel) : strdup(p->dir);
    DIR *d = path ? opendir(path) : NULL;
    free(path);
    if (!d || !grow(&p->ls, p->nls, &p->capls, sizeof *p->ls)) {
        if (d)
            closedir(d);
        return NULL;
    }
    listing l = { strdup(rel), NULL, 0 };
    size_t cap = 0;
    const struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
            grow(&l.names, l.n, &cap, sizeof *l.names) && (l.names[l.n] = strdup(e->d_name)))
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
           !strncmp(name, MANIFEST_NAME, sizeof MANIFEST_NAME - 1) ||
           !strncmp(name, ".polyevolve-probe-", 18);
}

/* Call fn for every existing file of entry e in place p (rel path, ctx): stops when fn returns
 * false; returns false then. */
static bool each_file(place *p, const entry *e, bool (*fn)(place *, const char *, void *),
                      void *ctx)
{
    char *dir = dir_of(e->rel);
    if (!dir)
        return true;
    const char *sub = !strcmp(dir, ".") ? "" : dir;
    const listing *l = list_dir(p, sub);
    bool go = true;
    if (l && !e->pattern) {
        const char *name = base_of(e->rel);
        if (l->n > 0 && bsearch(&name, l->names, l->n, sizeof *l->names, by_name))
            go = fn(p, e->rel, ctx);
    } else if (l) {
        for (size_t i = 0; go && i < l->n; i++) {
            if (is_internal(l->names[i]) ||
                !in_range(pattern_number(base_of(e->rel), l->names[i]), e->first, e->step, e->last))
                continue;
            char *rel = *sub ? join(sub, l->names[i]) : strdup(l->names[i]);
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
    return record_id(&c->id, key, value, core ? ID_CORE : ID_SETTING);
}

bool cli_claim_info(cli_claim *c, const char *key, const char *value)
{
    return record_id(&c->id, key, value, ID_INFO);
}

static int add_place(cli_claim *c, const char *dir, int flags, const char *chunk, const char *role)
{
    if (!grow(&c->p, c->np, &c->capp, sizeof *c->p))
        return -1;
    place *p = &c->p[c->np];
    memset(p, 0, sizeof *p);
    p->lock_fd = p->chunk_fd = -1;
    p->flags = flags;
    p->manifest = !(flags & CLI_PLACE_CHUNK);
    p->dir = strdup(dir);
    p->canon = canon(dir);
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
    if (!grow(&c->w, c->nw, &c->capw, sizeof *c->w))
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
        char *d = dir_of(path), *cd = d ? canon(d) : NULL;
        w->canon = cd ? join(cd, base_of(path)) : NULL;
        free(d);
        free(cd);
    } else {
        w->canon = canon(path);
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
        char *d = dir_of(path), *role = malloc(strlen(base_of(path)) + 9);
        if (role)
            snprintf(role, strlen(base_of(path)) + 9, "pattern %s", base_of(path));
        pl = d && role ? add_place(c, d, 0, NULL, role) : -1;
        free(d);
        free(role);
        if (pl < 0)
            return false;
        rel = base_of(w->canon);
    }
    if (pl >= 0) {
        place *p = &c->p[pl];
        w->place = pl;
        w->rel = strdup(rel);
        if (!w->rel ||
            !entry_add(&p->plan, &p->nplan, &p->capplan, rel, pattern, first, step, last))
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
    if (!grow(&c->r, c->nr, &c->capr, sizeof *c->r))
        return false;
    rfile *r = &c->r[c->nr];
    memset(r, 0, sizeof *r);
    r->path = strdup(path);
    r->what = strdup(what);
    r->canon = canon(path);
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
    char *d = dir_of(path);
    long m = -1;
    while (d && m < 0) {
        errno = 0;
        m = pathconf(d, _PC_NAME_MAX);
        if (m >= 0 || !strcmp(d, "/") || !strcmp(d, "."))
            break;
        char *up = dir_of(d);
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
    char *d = dir_of(w->path);
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
    char *dp = dir_of(pat), *df = dir_of(file);
    const bool same = dp && df && !strcmp(dp, df) &&
                      in_range(pattern_number(base_of(pat), base_of(file)), first, step, last);
    free(dp);
    free(df);
    return same;
}

int cli_claim_check(cli_claim *c, char *err, size_t len)
{
    for (size_t i = 0; i < c->nw; i++) {
        const wfile *w = &c->w[i];
        if (w->pattern && strchr(w->path, '%') < base_of(w->path))
            return say(2, err, len,
                       "%s: the %%d of a frame pattern must be in the file name, not in a "
                       "directory",
                       w->path);
        int rc;
        if (w->pattern) {
            char *longest = pattern_name(w->path, w->last == OPEN_END ? 9999999 : w->last);
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
            if (c->w[j].place == (int)i && rel && is_internal(base_of(rel)))
                return say(2, err, len, "%s: %s is polyevolve's own file in %s", c->w[j].path,
                           c->w[j].what, c->p[i].dir);
        }
        char *m = join(c->p[i].dir, MANIFEST_NAME TMP_SUFFIX);
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
            if (!d || !grow(&p->made, p->nmade, &p->capmade, sizeof *p->made)) {
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
    char *path = join(dir, name);
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
            char *p2 = join(dir, name);
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
    char *path = join(dir, PROBE_NAME);
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
                                p->made_manifest ? MANIFEST_NAME : NULL };
        for (size_t i = 0; i < 2; i++) {
            char *path = names[i] ? join(p->dir, names[i]) : NULL;
            if (path)
                unlink(path);
            free(path);
        }
        if (p->made_chunk_lock && p->chunk) {
            char name[64];
            snprintf(name, sizeof name, LOCK_NAME "-%.40s", p->chunk);
            char *path = join(p->dir, name);
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
    const record *rec; /* all records of the place */
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
        if (entries_have(s->rec[i].e, s->rec[i].ne, rel))
            return true;
    return stop_at(p, rel, ctx);
}

/* A foreign record's existing file that this run would write (a shared place). */
static bool in_plan(place *p, const char *rel, void *ctx)
{
    return entries_have(p->plan, p->nplan, rel) ? stop_at(p, rel, ctx) : true;
}

/* Decide whose the place's records are; a conflict into err (CLI_CLAIM_BUSY) unless force. */
static int judge(cli_claim *c, place *p, bool force, bool resume, char *err, size_t len)
{
    char file[PATH_MAX];
    scan_ctx s = { p->rec, p->nrec, NULL, file, sizeof file };
    const bool whole = p->flags & CLI_PLACE_OWN;
    for (size_t i = 0; i < p->nrec; i++) {
        record *r = &p->rec[i];
        char why[256] = "";
        r->own =
            !strcmp(r->role, p->role) && same_run(r, c->command, &c->id, resume, why, sizeof why);
        if (r->own)
            continue;
        s.found = NULL;
        for (size_t k = 0; k < r->ne && !s.found; k++)
            each_file(p, &r->e[k], whole ? stop_at : in_plan, &s);
        if (!s.found)
            continue;
        if (!force) {
            const char *input = record_value(r, "input");
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
static bool add_new(record *r, const entry *e)
{
    for (size_t i = 0; i < r->ne; i++)
        if (r->e[i].pattern == e->pattern && !strcmp(r->e[i].rel, e->rel) &&
            (!e->pattern || (r->e[i].first == e->first && r->e[i].step == e->step &&
                             r->e[i].last == e->last)))
            return true;
    return entry_add(&r->e, &r->ne, &r->cape, e->rel, e->pattern, e->first, e->step, e->last);
}

/* The record this run keeps in p while it works: its plan, and the files of the runs it
 * continues or replaces (so that they stay its own if it is killed). */
static bool working_record(const cli_claim *c, const place *p, record *r)
{
    memset(r, 0, sizeof *r);
    r->role = strdup(p->role);
    r->command = strdup(c->command);
    bool ok = r->role && r->command;
    for (size_t i = 0; ok && i < c->id.nid; i++)
        ok = record_id(r, c->id.keys[i], c->id.values[i], c->id.kinds[i]);
    for (size_t i = 0; ok && i < p->nplan; i++)
        ok = add_new(r, &p->plan[i]);
    for (size_t i = 0; ok && i < p->nrec; i++)
        for (size_t k = 0; ok && (p->rec[i].own || p->rec[i].taken) && k < p->rec[i].ne; k++)
            ok = add_new(r, &p->rec[i].e[k]);
    if (!ok)
        record_free(r);
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
static void remove_leftovers(place *p, const record *mine)
{
    for (size_t i = 0; i < p->nls; i++) {
        const listing *l = &p->ls[i];
        for (size_t k = 0; k < l->n; k++) {
            char base[NAME_MAX + 1];
            if (!tmp_base(l->names[k], base, sizeof base))
                continue;
            char *rel = *l->rel ? join(l->rel, base) : strdup(base);
            const bool ours = rel && ((p->manifest && !strcmp(base, MANIFEST_NAME)) ||
                                      entries_have(p->plan, p->nplan, rel) ||
                                      (mine && entries_have(mine->e, mine->ne, rel)));
            char *sub = ours ? (*l->rel ? join(p->dir, l->rel) : strdup(p->dir)) : NULL;
            char *path = sub ? join(sub, l->names[k]) : NULL;
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
        char *d = i == 0 ? strdup(".") : dir_of(p->plan[i - 1].rel);
        if (!d)
            return false;
        bool dup = false;
        for (size_t k = 0; k < *n && !dup; k++)
            dup = !strcmp((*out)[k], d);
        if (dup || !grow(out, *n, &cap, sizeof **out)) {
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
        char *sub = strcmp(dirs[i], ".") ? join(p->dir, dirs[i]) : strdup(p->dir);
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
            char *d = dir_of(p->plan[i].rel);
            if (d)
                list_dir(p, strcmp(d, ".") ? d : "");
            free(d);
        }
        remove_leftovers(p, NULL);
        return 0;
    }
    read_manifest(p);
    if ((rc = judge(c, p, force, resume, err, len)) != 0)
        return rc;
    record mine;
    if (!working_record(c, p, &mine))
        return say(1, err, len, "out of memory");
    if (!write_manifest(p, &mine))
        rc = say(1, err, len, "%s/" MANIFEST_NAME ": cannot write: %s", p->dir, strerror(errno));
    for (size_t i = 0; i < p->nplan; i++) { /* list the directories the plan writes into */
        char *d = dir_of(p->plan[i].rel);
        if (d)
            list_dir(p, strcmp(d, ".") ? d : "");
        free(d);
    }
    list_dir(p, "");
    if (rc == 0)
        remove_leftovers(p, &mine);
    record_free(&mine);
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
        char *d = dir_of(c->w[i].path);
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
        if (w->pattern ? !in_range(n = pattern_number(w->path, path), w->first, w->step, w->last)
                       : strcmp(w->path, path))
            continue;
        if (w->place >= 0)
            c->p[w->place].wrote = true;
        if (!w->pattern)
            w->written = true;
        else if (grow(&w->nums, w->nnums, &w->capnums, sizeof *w->nums))
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
static bool final_record(cli_claim *c, size_t pl, record *r)
{
    const place *p = &c->p[pl];
    memset(r, 0, sizeof *r);
    r->role = strdup(p->role);
    r->command = strdup(c->command);
    bool ok = r->role && r->command;
    for (size_t i = 0; ok && i < c->id.nid; i++)
        ok = record_id(r, c->id.keys[i], c->id.values[i], c->id.kinds[i]);
    for (size_t i = 0; ok && i < c->nw; i++) {
        wfile *w = &c->w[i];
        if (w->place != (int)pl)
            continue;
        if (!w->pattern) {
            ok = !w->written || entry_add(&r->e, &r->ne, &r->cape, w->rel, false, 0, 0, 0);
            continue;
        }
        if (w->nnums > 0)
            qsort(w->nums, w->nnums, sizeof *w->nums, by_number);
        for (size_t k = 0; ok && k < w->nnums;) {
            size_t e = k;
            while (e + 1 < w->nnums && w->nums[e + 1] - w->nums[e] <= w->step)
                e++;
            ok = entry_add(&r->e, &r->ne, &r->cape, w->rel, true, w->nums[k], w->step, w->nums[e]);
            k = e + 1;
        }
    }
    if (!ok)
        record_free(r);
    return ok;
}

typedef struct stale_ctx {
    const record *keep;
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
    if (entries_have(s->keep->e, s->keep->ne, rel))
        return true;
    char *path = join(p->dir, rel);
    if (path && !is_read(s->c, path) && unlink(path) == 0)
        s->removed = true;
    free(path);
    return true;
}

/* Remove from p the files of the runs this one continues or replaces that it did not write
 * (mine: what it wrote), and the subdirectories that leaves empty. */
static void clean_place(const cli_claim *c, place *p, const record *mine)
{
    forget_listings(p);
    stale_ctx s = { mine, c, false };
    for (size_t k = 0; k < p->nrec; k++)
        for (size_t e = 0; (p->rec[k].own || p->rec[k].taken) && e < p->rec[k].ne; e++)
            each_file(p, &p->rec[k].e[e], remove_stale, &s);
    for (size_t k = 0; s.removed && k < p->nrec; k++)
        for (size_t e = 0; (p->rec[k].own || p->rec[k].taken) && e < p->rec[k].ne; e++) {
            char *d = dir_of(p->rec[k].e[e].rel);
            char *path = d && strcmp(d, ".") ? join(p->dir, d) : NULL;
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
        record mine;
        if (!c->p[i].manifest || !final_record(c, i, &mine))
            continue;
        clean_place(c, &c->p[i], &mine);
        record_free(&mine);
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
        record mine;
        if (!final_record(c, i, &mine))
            continue;
        if (!p->cleaned)
            clean_place(c, p, &mine);
        write_manifest(p, &mine);
        record_free(&mine);
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
        for (size_t k = 0; k < p->nrec; k++)
            record_free(&p->rec[k]);
        free(p->rec);
        for (size_t k = 0; k < p->nplan; k++)
            entry_free(&p->plan[k]);
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
    record_free(&c->id);
    free(c->command);
    free(c);
}
