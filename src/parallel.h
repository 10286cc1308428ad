/* parallel: the one place where the library runs threads (OpenMP). A session is one parallel
 * region whose calling thread runs the orchestration; the others take tasks: the items of a
 * loop, and background jobs. Which thread runs an item never changes a result, because every
 * item writes only its own output and reads nothing another item of the same loop writes. */
#ifndef PE_PARALLEL_H
#define PE_PARALLEL_H

/* Threads to use for `requested` (0 = all the OpenMP runtime offers; 1 without OpenMP). */
int pe_parallel_threads(int requested);

/* Run body(ctx) on the calling thread with `threads` threads (it included) to share the loops
 * and jobs it starts. */
void pe_parallel_session(int threads, void (*body)(void *ctx), void *ctx);

/* Inside a session: fn(ctx, item, thread) for every item in [0, items), on any thread of the
 * session (thread in [0, threads): the index of the caller's per-thread scratch; a thread runs
 * one item at a time). Returns when all items are done; background jobs may still run. */
typedef void (*pe_parallel_fn)(void *ctx, int item, int thread);
void pe_parallel_for(int items, pe_parallel_fn fn, void *ctx);

/* Inside a session: start job(ctx) in the background, and wait for every job started so far. */
void pe_parallel_spawn(void (*job)(void *ctx), void *ctx);
void pe_parallel_join(void);

#endif
