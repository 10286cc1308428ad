/* sched: the scheduler: the run's fixed sequence of ops, issued, run elsewhere and committed.
 *
 * The sequence: adds on top of the stack until the budget is placed, then refinement rounds
 * over every slot from the bottom up, each round ending with a regrow of its least useful
 * triangles. Ops are issued in sequence order and committed in the same order, at most
 * PE_LAG in flight (issued, not yet committed). An op reads the stack as
 * it was when it was issued (its view, op.h), so it does not see the ops still in flight then.
 * At its commit, an op whose pixels (its old and new triangle's footprints) none of those ops
 * touched goes in as found, its loss change exact; one that meets them is checked again
 * against the stack as it is now (colour re-fitted) and kept only if it still improves on what
 * is there (an add always goes in: a budget of triangles is a promise).
 *
 * Which ops are issued, and what each sees, depends on the image and the options only: an op
 * is issued as soon as the rules below allow, and the commits it waits for are fixed by the
 * sequence, never by which thread is faster. So neither the thread count nor the frames asked
 * for change the picture, while every thread finds an op to run whenever there are at least
 * PE_LAG to do: no batch boundary where threads wait for the slowest.
 *
 * The scheduler owns the stack and the picture, and only the thread that issues ops touches it
 * (evolve.c): next, commit and picture are its verbs. */
#ifndef PE_SCHED_H
#define PE_SCHED_H

#include "op.h"
#include "picture.h"
#include "target.h"

/* Ops in flight at most. It bounds the threads that can be busy (a run keeps about this many
 * ops open) and how much an op does not see. 32 is twice the threads of a 16-core machine, and
 * cost no quality against batches of 16 (docs/benchmarks.md). */
#define PE_LAG 32

/* New triangles (adds, and the regrow's) are searched in windows of PE_WINDOW_SPAN typical
 * triangles a side (a triangle covers w h / placed pixels on average), centred on a pixel
 * drawn from the picture's error, and no window overlaps another in flight: each new triangle
 * is exact whatever the others find. When no free window is found, the next op waits for the
 * oldest to commit. While fewer than two windows fit the canvas, one triangle at a time is
 * searched over the whole canvas (the first triangles are large washes that must see it all),
 * with nothing else in flight, as PE_ADD_CHAINS independent searches (chains) that run at
 * once, each with 1/PE_ADD_CHAINS of the candidates and of the iterations, on the coarse level
 * first (op.h); the best one is kept (one chain alone at a time limit's cheaper paces). */
#define PE_WINDOW_SPAN 4.0
#define PE_ADD_CHAINS 4

/* How much search a new triangle gets: the full one; a quick one when a time limit would not
 * hold every add at the full pace; the least one once the limit has passed with triangles still
 * to place (a user who asks for N triangles within a time gets N). */
typedef enum pe_pace { PE_PACE_FULL, PE_PACE_QUICK, PE_PACE_LEAST } pe_pace;

typedef struct pe_sched {
    const pe_brief *brief;
    pe_stack stack;      /* the picture's triangles, bottom to top */
    pe_picture pic;      /* the stack drawn: where its error is */
    const pe_target *target;
    /* where the sequence stands */
    int budget;          /* triangles the picture is to hold */
    bool steady;         /* no regrow: every triangle stays at its depth (pe_options.steady) */
    uint64_t done;       /* adds, then refinements (budget of them a round), committed */
    uint64_t next;       /* the same, issued */
    uint64_t total;      /* the same in the whole sequence (UINT64_MAX: until stopped) */
    uint64_t serial;     /* ops issued so far: the next op's random stream */
    int *regrow;         /* after a round: the slots to regrow, highest first */
    int nregrow, regrow_at;
    bool round_end;      /* a round's last op is issued: its regrow waits for it */
    int chain_next;      /* a whole-canvas add's chains still to issue */
    pe_search_cfg chain_cfg; /* their search, before each takes its share of the iterations */
    pe_pace pace;
    uint64_t evals, iters; /* of the ops committed */
    /* ops in flight: position q in ops[q % PE_LAG] */
    pe_op ops[PE_LAG];
    pe_box touched[PE_LAG]; /* the pixels the commit at that position changed */
    uint64_t issued, committed; /* positions */
    /* draws the picture's changes before it is read (NULL: pe_picture_update alone, here):
     * the issuing thread may hand bands of rows to the others (evolve.c) */
    void (*draw)(void *ctx);
    void *draw_ctx;
} pe_sched;

/* A scheduler for a run of `budget` triangles over target t (whose brief b ops read; weight,
 * w x h or NULL, says where new triangles go), `total` adds and refinements long. Free it with
 * pe_sched_free, also on failure. */
PE_NODISCARD pe_status pe_sched_init(pe_sched *s, const pe_brief *b, const pe_target *t,
                                     const float *weight, int budget, bool steady,
                                     uint64_t total);
void pe_sched_free(pe_sched *s);

/* Start from triangles of an earlier run (in working pixels, not searched yet: they keep
 * their depth until a refinement sees them). `rounds` refinement rounds were done over them;
 * when they are fewer than the budget the rest are added first and the rounds start again.
 * False when out of memory. */
bool pe_sched_adopt(pe_sched *s, const pe_tri *tris, int n, int rounds);

/* Refinement rounds every triangle has had. */
int pe_sched_rounds(const pe_sched *s);

static inline int pe_sched_open(const pe_sched *s)
{
    return (int)(s->issued - s->committed);
}

typedef enum pe_next {
    PE_NEXT_OP,     /* *op is issued: run it */
    PE_NEXT_COMMIT, /* commit the oldest op first */
    PE_NEXT_END,    /* the sequence is done and nothing is in flight */
    PE_NEXT_NOMEM
} pe_next;

/* The next step of the sequence. */
pe_next pe_sched_next(pe_sched *s, pe_op **op);

/* The op the next commit takes (the oldest in flight; pe_sched_open() > 0). */
static inline pe_op *pe_sched_oldest(pe_sched *s)
{
    return &s->ops[s->committed % PE_LAG];
}

/* Apply the oldest op's result to the stack (its run has ended), on wk's scratch for the
 * checks, and mark the pixels it changed on the picture. False when out of memory. */
bool pe_sched_commit(pe_sched *s, pe_worker *wk);

/* Let the oldest op go without applying it (a stop: the stack stays as it is). */
void pe_sched_drop(pe_sched *s);

/* New triangles issued from now on get this much search (never less than before). */
void pe_sched_pace(pe_sched *s, pe_pace pace);

/* Bring the picture up to date with the commits so far (through s->draw when set); returns its
 * squared error. */
double pe_sched_picture(pe_sched *s);

#endif
