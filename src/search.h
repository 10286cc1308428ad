/* search: where one triangle should go, for the focus slot a pe_fit has prepared.
 * Random candidates drawn where the error is, then dual annealing over the six vertex
 * coordinates (colour and alpha are closed form), with a vertex hill climb as its local search. */
#ifndef PE_SEARCH_H
#define PE_SEARCH_H

#include "fit.h"
#include "rng.h"

#include <stdint.h>

enum { PE_SEARCH_MAX_FINALISTS = 32 };
typedef struct pe_search_cfg {
    int candidates;      /* random geometries tried first */
    int finalists;       /* 0: every candidate gets the loss model; else the best this many by
                            the cheap screen (pe_fit_screen) do, at most PE_SEARCH_MAX_FINALISTS */
    int maxiter;         /* dual-annealing outer iterations; 0 = no annealing */
    double initial_temp; /* annealing T0 (vertex steps are in working pixels) */
    double visit;        /* annealing q_v */
    int ls_moves;        /* hill-climb moves per local search; 0 = none */
} pe_search_cfg;

typedef struct pe_search_stats {
    uint64_t evaluations, iterations;
} pe_search_stats;

/* The defaults the pipeline uses for a new triangle, for the regrow's and for refining one. */
pe_search_cfg pe_search_cfg_add(void);
pe_search_cfg pe_search_cfg_regrow(void);
pe_search_cfg pe_search_cfg_refine(void);
/* A new triangle when a time limit would not hold every add at the full search's pace. */
pe_search_cfg pe_search_cfg_quick(void);
/* A new triangle once the time limit has passed with triangles still to place. */
pe_search_cfg pe_search_cfg_least(void);

/* Search a geometry for the prepared focus slot, vertices within box (x0, y0, x1, y1 in working
 * pixels; the triangle is then inside it too, so the caller's focus region must cover the box's
 * part inside the image). cur is the triangle now in the slot (NULL for
 * a new one). scale normalises the loss for the annealing's acceptance test (the loss change a
 * typical triangle makes). On return *out holds the best triangle found (cur itself when
 * nothing beat it) and the function returns its loss change against the slot left empty.
 * stream makes the annealing's random stream unique per caller. Deterministic. */
double pe_search_focus(const pe_fit *fit, const pe_search_cfg *cfg, const double box[4],
                       pe_rng *rng, uint64_t stream, const pe_tri *cur, double scale, pe_tri *out,
                       pe_search_stats *st);

#endif
