/* parallel: the one place where the library runs threads (OpenMP). A session is one parallel
 * region whose calling thread runs the orchestration; the others take tasks it starts: ops,
 * and a step's report. Which thread runs a task never changes a result, because every task
 * writes only its own output and reads nothing that changes while it runs. */
#ifndef PE_PARALLEL_H
#define PE_PARALLEL_H

#include <stdatomic.h>

/* Threads to use for `requested` (0 = all the OpenMP runtime offers; 1 without OpenMP). */
int pe_parallel_threads(int requested);

/* Run body(ctx) on the calling thread with `threads` threads (it included) to share the tasks
 * it starts. */
void pe_parallel_session(int threads, void (*body)(void *ctx), void *ctx);

/* A task started in a session: fn(ctx, thread) on any thread of the session (thread in
 * [0, threads): the index of the caller's per-thread scratch; a thread runs one task at a
 * time; the calling thread runs queued tasks while it waits in pe_parallel_await or
 * pe_parallel_join). Tasks start in the order they were queued. Outside a session, or with
 * one thread, the task runs at once. Only the session's calling thread starts and awaits. */
typedef void (*pe_parallel_fn)(void *ctx, int thread);
typedef struct pe_task {
    atomic_bool pending; /* started and not yet ended (zero: a task never started is done) */
} pe_task;
void pe_parallel_start(pe_task *t, pe_parallel_fn fn, void *ctx);
/* Wait until the task last started on t has ended. */
void pe_parallel_await(pe_task *t);
/* Wait until every task started so far has ended. */
void pe_parallel_join(void);

/* Work shared by the tasks of one group (the chains of one search): parts 0 .. parts - 1, each
 * done by whichever task claims it first, and waited for by all. A claimed part is always being
 * done by a running task, so at one thread the first task does them all and none waits. What
 * a part writes is read by the others after pe_share_wait. */
typedef struct pe_share {
    atomic_int claimed, done;
    int parts;
} pe_share;
void pe_share_reset(pe_share *s, int parts);
/* The next part to do, or -1 when all are claimed. */
int pe_share_claim(pe_share *s);
/* A claimed part is done. */
void pe_share_finish(pe_share *s);
/* Wait until every part is done. */
void pe_share_wait(pe_share *s);

#endif
