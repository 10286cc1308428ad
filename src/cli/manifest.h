/* manifest: DIR/.polyevolve.manifest, the runs whose files are in a directory. Each record is
 * one run: its role there ("dir" for a directory that is the run's; "pattern NAME" for frames
 * in a directory shared with other files), its command, its identity (key = value: settings,
 * the core keys a resume compares, and information for messages) and its files (single names,
 * and a pattern's numbers as ranges), relative to the directory. Text, one item a line, bytes
 * that would break a line written %XX:
 *
 *   polyevolve-manifest 1
 *   record dir
 *   command run
 *   core input-hash fnv1a64:16f77a99c72d32b5
 *   info input mona.png
 *   id triangles 250
 *   file final.png
 *   pattern frames/frame_%2505d.png 1 1 100
 *   end
 */
#ifndef CLI_MANIFEST_H
#define CLI_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>

#define CLI_MANIFEST_NAME ".polyevolve.manifest"

typedef enum cli_id_kind { CLI_ID_SETTING, CLI_ID_CORE, CLI_ID_INFO } cli_id_kind;

typedef struct cli_entry { /* a file, or a pattern's files first, first + step, .. last */
    char *rel;             /* relative to the directory; owned */
    bool pattern;
    int first, step, last;
} cli_entry;

typedef struct cli_record { /* one run; every pointer owned */
    char *role, *command;
    char **keys, **values;
    cli_id_kind *kinds;
    size_t nid, capid;
    cli_entry *e;
    size_t ne, cape;
    bool own, taken; /* claim.c's marks: this run's (its identity), or replaced by it (force) */
} cli_record;

typedef struct cli_manifest {
    cli_record *rec;
    size_t n, cap;
} cli_manifest;

/* Make room for one more element in *arr (an array of n used and *cap allocated elements of
 * size bytes). False when out of memory (*arr unchanged). */
bool cli_grow(void *arr, size_t n, size_t *cap, size_t size);

bool cli_entry_add(cli_entry **e, size_t *n, size_t *cap, const char *rel, bool pattern, int first,
                   int step, int last);
void cli_entry_free(cli_entry *e);
/* Whether e (n of them) names the file rel. */
bool cli_entry_has(const cli_entry *e, const char *rel);
bool cli_entries_have(const cli_entry *e, size_t n, const char *rel);

bool cli_record_id(cli_record *r, const char *key, const char *value, cli_id_kind kind);
const char *cli_record_value(const cli_record *r, const char *key);
void cli_record_free(cli_record *r); /* and zero it */

/* Whether r is a run of command with identity id: every setting and core key equal (resume:
 * the command and the core keys). The first difference goes into why. */
bool cli_record_same_run(const cli_record *r, const char *command, const cli_record *id,
                         bool resume, char *why, size_t why_len);

/* Read DIR's manifest into m (appended). One that cannot be read or parsed counts as none:
 * every file in the directory is then one no run recorded (safe: never removed). */
void cli_manifest_read(const char *dir, cli_manifest *m);

/* Write DIR's manifest atomically: m's records not marked own or taken, then mine (may be
 * NULL). *created: the file did not exist before. */
bool cli_manifest_write(const char *dir, const cli_manifest *m, const cli_record *mine,
                        bool *created);

void cli_manifest_clear(cli_manifest *m); /* no records, the array kept */
void cli_manifest_free(cli_manifest *m);

#endif
