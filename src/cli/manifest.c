/* manifest: see manifest.h. */
#define _POSIX_C_SOURCE 200809L
#include "manifest.h"

#include "output.h"
#include "paths.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define HEAD "polyevolve-manifest 1"

/* A manifest is a few lines a run; far above any real one, and read whole. */
enum { MAX_BYTES = 64 << 20 };

/* Make room for one more element in *arr (n used, *cap allocated). */
bool cli_grow(void *arr, size_t n, size_t *cap, size_t size)
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

/* Whether e names the file rel. */
bool cli_entry_has(const cli_entry *e, const char *rel)
{
    if (!e->pattern)
        return !strcmp(e->rel, rel);
    char *d1 = cli_path_dir(e->rel), *d2 = cli_path_dir(rel);
    const bool same = d1 && d2 && !strcmp(d1, d2);
    free(d1);
    free(d2);
    return same && cli_in_range(cli_pattern_number(cli_path_base(e->rel), cli_path_base(rel)),
                                e->first, e->step, e->last);
}

bool cli_entries_have(const cli_entry *e, size_t n, const char *rel)
{
    for (size_t i = 0; i < n; i++)
        if (cli_entry_has(&e[i], rel))
            return true;
    return false;
}

void cli_entry_free(cli_entry *e)
{
    free(e->rel);
    e->rel = NULL;
}

bool cli_entry_add(cli_entry **e, size_t *n, size_t *cap, const char *rel, bool pattern, int first,
                   int step, int last)
{
    if (!cli_grow(e, *n, cap, sizeof **e))
        return false;
    cli_entry *x = &(*e)[*n];
    *x = (cli_entry){ strdup(rel), pattern, first, step, last };
    if (!x->rel)
        return false;
    (*n)++;
    return true;
}

void cli_record_free(cli_record *r)
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
        cli_entry_free(&r->e[i]);
    free(r->e);
    memset(r, 0, sizeof *r);
}

bool cli_record_id(cli_record *r, const char *key, const char *value, cli_id_kind kind)
{
    if (!cli_grow(&r->keys, r->nid, &r->capid, sizeof *r->keys)) /* the three grow together */
        return false;
    char **v = realloc(r->values, r->capid * sizeof *v);
    if (!v)
        return false;
    r->values = v;
    cli_id_kind *k = realloc(r->kinds, r->capid * sizeof *k);
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

const char *cli_record_value(const cli_record *r, const char *key)
{
    for (size_t i = 0; i < r->nid; i++)
        if (!strcmp(r->keys[i], key))
            return r->values[i];
    return NULL;
}

/* Whether r is a run of identity id: every setting and core key equal (resume: the
 * command and the core keys). The first difference goes into why. */
bool cli_record_same_run(const cli_record *r, const char *command, const cli_record *id,
                         bool resume, char *why, size_t why_len)
{
    if (strcmp(r->command ? r->command : "", command)) {
        snprintf(why, why_len, "another command: %s", r->command ? r->command : "?");
        return false;
    }
    for (size_t i = 0; i < id->nid; i++) {
        if (id->kinds[i] == CLI_ID_INFO || (resume && id->kinds[i] != CLI_ID_CORE))
            continue;
        const char *v = cli_record_value(r, id->keys[i]);
        if (!v || strcmp(v, id->values[i])) {
            if (id->kinds[i] == CLI_ID_CORE)
                snprintf(why, why_len, "another %s", id->keys[i]);
            else
                snprintf(why, why_len, "its %s is %s, this run's %s", id->keys[i], v ? v : "unset",
                         id->values[i]);
            return false;
        }
    }
    for (size_t i = 0; !resume && i < r->nid; i++) /* a setting this run does not have */
        if (r->kinds[i] != CLI_ID_INFO && !cli_record_value(id, r->keys[i])) {
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

static void put_record(FILE *f, const cli_record *r)
{
    fputs("record ", f);
    put_escaped(f, r->role);
    fputs("\ncommand ", f);
    put_escaped(f, r->command);
    fputc('\n', f);
    for (size_t i = 0; i < r->nid; i++) {
        fputs(r->kinds[i] == CLI_ID_INFO   ? "info "
              : r->kinds[i] == CLI_ID_CORE ? "core "
                                           : "id ",
              f);
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
    const cli_manifest *m;
    const cli_record *extra; /* this run's record, or NULL */
} manifest_job;

static pe_status manifest_fn(FILE *f, const void *ctx)
{
    const manifest_job *j = ctx;
    fputs(HEAD "\n", f);
    for (size_t i = 0; i < j->m->n; i++)
        if (!j->m->rec[i].own && !j->m->rec[i].taken)
            put_record(f, &j->m->rec[i]);
    if (j->extra)
        put_record(f, j->extra);
    return ferror(f) ? PE_ERR_IO : PE_OK;
}

bool cli_manifest_write(const char *dir, const cli_manifest *m, const cli_record *mine,
                        bool *created)
{
    char *path = cli_path_join(dir, CLI_MANIFEST_NAME);
    if (!path)
        return false;
    struct stat sb;
    const bool existed = stat(path, &sb) == 0;
    const manifest_job j = { m, mine };
    const bool ok = cli_write_atomic(path, manifest_fn, &j) == PE_OK;
    *created = ok && !existed;
    free(path);
    return ok;
}

/* Parse one manifest line into r; false when it is malformed. */
static bool parse_line(char *line, cli_record **cur, cli_manifest *m)
{
    char *sp = strchr(line, ' ');
    if (!sp)
        return !strcmp(line, "end") ? (*cur = NULL, true) : false;
    *sp = '\0';
    char *arg = sp + 1;
    if (!strcmp(line, "record")) {
        if (*cur || !unescape(arg) || !cli_grow(&m->rec, m->n, &m->cap, sizeof *m->rec))
            return false;
        *cur = &m->rec[m->n++];
        memset(*cur, 0, sizeof **cur);
        return ((*cur)->role = strdup(arg)) != NULL;
    }
    cli_record *r = *cur;
    if (!r)
        return false;
    if (!strcmp(line, "command"))
        return !r->command && unescape(arg) && (r->command = strdup(arg)) != NULL;
    if (!strcmp(line, "id") || !strcmp(line, "core") || !strcmp(line, "info")) {
        char *v = strchr(arg, ' ');
        if (!v)
            return false;
        *v++ = '\0';
        const cli_id_kind k = line[0] == 'i' && line[1] == 'n' ? CLI_ID_INFO
                              : line[0] == 'c'                 ? CLI_ID_CORE
                                                               : CLI_ID_SETTING;
        return unescape(arg) && unescape(v) && cli_record_id(r, arg, v, k);
    }
    if (!strcmp(line, "file"))
        return unescape(arg) && cli_entry_add(&r->e, &r->ne, &r->cape, arg, false, 0, 0, 0);
    if (!strcmp(line, "pattern")) {
        char *nums = strchr(arg, ' ');
        int first, step, last, used = 0;
        if (!nums)
            return false;
        *nums++ = '\0';
        if (sscanf(nums, "%d %d %d%n", &first, &step, &last, &used) != 3 || nums[used] ||
            step < 1 || first > last || !unescape(arg) || !cli_pattern_ok(cli_path_base(arg)))
            return false;
        return cli_entry_add(&r->e, &r->ne, &r->cape, arg, true, first, step, last);
    }
    return false;
}

void cli_manifest_read(const char *dir, cli_manifest *m)
{
    char *path = cli_path_join(dir, CLI_MANIFEST_NAME);
    FILE *f = path ? fopen(path, "rb") : NULL;
    free(path);
    if (!f)
        return;
    char *line = NULL;
    size_t cap = 0, total = 0;
    ssize_t n;
    bool ok = true, first = true;
    cli_record *cur = NULL;
    while (ok && (n = getline(&line, &cap, f)) > 0) {
        total += (size_t)n;
        if (total > MAX_BYTES || memchr(line, 0, (size_t)n)) {
            ok = false;
            break;
        }
        if (line[n - 1] == '\n')
            line[--n] = '\0';
        if (first) {
            ok = !strcmp(line, HEAD);
            first = false;
            continue;
        }
        ok = parse_line(line, &cur, m);
    }
    free(line);
    fclose(f);
    for (size_t i = 0; ok && i < m->n; i++)
        ok = m->rec[i].role && m->rec[i].command;
    if (!ok || cur)
        cli_manifest_clear(m);
}

void cli_manifest_clear(cli_manifest *m)
{
    for (size_t i = 0; i < m->n; i++)
        cli_record_free(&m->rec[i]);
    m->n = 0;
}

void cli_manifest_free(cli_manifest *m)
{
    cli_manifest_clear(m);
    free(m->rec);
    m->rec = NULL;
    m->cap = 0;
}
