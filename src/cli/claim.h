/* claim: every file a command writes, resolved, checked and claimed before the work, so that
 * nothing already written is lost and no two runs' files are mixed.
 *
 * A command names to a cli_claim what it will write: the places it fills as a whole (a run's
 * directory, a sequence's, an animation's: PLACE_OWN), the frame patterns, the single files,
 * and the files it reads. Then:
 *
 *   cli_claim_check  before anything is created or read: two outputs naming one file (also
 *                    through a pattern, a link or another spelling), an output naming an input,
 *                    a name too long for its temporary NAME.tmp-XXXXXX (NAME_MAX, PATH_MAX), a
 *                    single file whose directory does not exist.
 *   cli_claim_take   creates the places, takes one lock per directory a place writes into
 *                    (flock on DIR/.polyevolve.lock, and DIR/frames/...: the kernel drops it
 *                    when its holder dies, even by kill -9), proves every directory writable by creating and removing a probe
 *                    file, and reads DIR/.polyevolve.manifest: the runs whose files are there,
 *                    each with its identity (command, input, settings) and its files. A place
 *                    holding another run's files, or files no run recorded, is refused unless
 *                    force. The plan is then recorded in the manifest (so that a run killed
 *                    midway leaves files its manifest calls its own), and the temporary files
 *                    of a killed run of this plan are removed.
 *   cli_claim_wrote  each file written (or kept, on a resume).
 *   cli_claim_finish records what was written, and removes the files of an earlier run of the
 *                    same identity (or, with force, of the run replaced) that this one did not
 *                    rewrite. No other file is ever removed.
 *   cli_claim_free   unlocks; places it created are removed again when nothing was written.
 *
 * A sequence chunk (PLACE_CHUNK) shares its directory with the other chunks of its sequence: it
 * takes the directory's lock shared and its own chunk lock exclusively, and leaves the manifest
 * alone (each frame's state says what made it). */
#ifndef CLI_CLAIM_H
#define CLI_CLAIM_H

#include <stdbool.h>
#include <stddef.h>

typedef struct cli_claim cli_claim;

enum {
    CLI_PLACE_OWN = 1,   /* the directory holds one run's files */
    CLI_PLACE_CHUNK = 2, /* a sequence chunk: see above */
};

/* cli_claim_take's result besides 0, 1 (runtime) and 2 (usage): the place is occupied (another
 * run's files, files of no run, another run holding its lock, or not a directory). The message
 * is in err; a default output tries the next name. */
enum { CLI_CLAIM_BUSY = 3 };

/* A new, empty claim for command ("run", "sequence", "animate", "render"); NULL when out of
 * memory. Free with cli_claim_free. */
cli_claim *cli_claim_new(const char *command);

/* Free everything; unlock; remove the places take created (lock, manifest, directories) when
 * nothing was written in them. NULL is fine. */
void cli_claim_free(cli_claim *c);

/* Add key = value to the identity: runs with the same command and identity are the same run.
 * core keys (the input's hash) are all a resume compares: its settings may change. */
bool cli_claim_id(cli_claim *c, const char *key, const char *value, bool core);

/* key = value for the messages only (the input's name: the same picture may be renamed). */
bool cli_claim_info(cli_claim *c, const char *key, const char *value);

/* A place: a directory the run writes into. flags: CLI_PLACE_OWN or CLI_PLACE_CHUNK (then
 * chunk names its lock, e.g. "00013"). False when out of memory. */
bool cli_claim_place(cli_claim *c, const char *dir, int flags, const char *chunk);

/* A file the run writes. what names it in messages ("-o", "--state", ...). */
bool cli_claim_file(cli_claim *c, const char *path, const char *what);

/* Files pattern(first), pattern(first + step), ... count of them (count < 0: no known end);
 * pattern has one %d conversion (flags 0 and a width) in its last component. */
bool cli_claim_pattern(cli_claim *c, const char *pattern, int first, int step, int count,
                       const char *what);

/* A file the run reads: no output may name it, unless rewrite (the state a resume goes on
 * writing). */
bool cli_claim_read(cli_claim *c, const char *path, const char *what, bool rewrite);

/* The checks before anything is created: 0, or the exit status (1 or 2) with one line in err. */
int cli_claim_check(cli_claim *c, char *err, size_t err_len);

/* Create, lock, probe, and check the manifests (see above): 0, 1, 2 or CLI_CLAIM_BUSY with one
 * line in err. force: another run's files may be replaced. resume: the run goes on from its
 * own files: a record with the same command and core identity is its own, and files no run
 * recorded are taken as its own. On failure, what it created is removed again. */
int cli_claim_take(cli_claim *c, bool force, bool resume, char *err, size_t err_len);

/* path (as the run named it, or a frame of a pattern) was written, or kept from a run before. */
void cli_claim_wrote(cli_claim *c, const char *path);

/* Remove now the files of an earlier run of this identity (or of the run replaced) that this
 * one has not written: before a step that reads the place whole (a video of its frames). */
void cli_claim_clean(cli_claim *c);

/* The run's end. clean: its outputs are complete (the files of an earlier run of this identity
 * that it did not rewrite go); else the manifest keeps every file as its own. */
void cli_claim_finish(cli_claim *c, bool clean);

#endif
