/* lbfgsb: the default local search of the annealer, Debian's Fortran L-BFGS-B 3.0 (liblbfgsb)
 * driven the way SciPy's minimize(method="L-BFGS-B") drives it with a numeric gradient
 * (docs/dual-annealing SPEC §7). */
#ifndef PE_LBFGSB_H
#define PE_LBFGSB_H

#include "polyevolve.h"

#include <stddef.h>
#include <stdint.h>

/* The Fortran code indexes its workspace with default INTEGERs; this keeps 2mn + 5n + 11m^2 + 8m
 * below INT_MAX with m = 10. */
#define PE_LBFGSB_MAX_DIM ((size_t)80000000)

/* Scratch for one run of the annealer, allocated once and reused by every local search. */
typedef struct pe_lbfgsb_work {
    size_t dim;
    double *wa;     /* L-BFGS-B's double workspace */
    int *iwa;       /* its integer workspace, 3 * dim */
    int *nbd;       /* bound kinds: 2 = both bounds, for every coordinate */
    double *g;      /* gradient handed to L-BFGS-B */
    double *x_last; /* point of the last value/gradient computed (SciPy's cache) */
    double *g_last;
    double *x_fd;  /* x moved along one coordinate for the finite difference */
    uint64_t njev; /* gradients computed, summed over all searches */
} pe_lbfgsb_work;

/* Allocate w for problems of dimension dim (1 <= dim <= PE_LBFGSB_MAX_DIM). Free with
 * pe_lbfgsb_work_free, also after a failure. PE_ERR_NOMEM or PE_OK. */
PE_NODISCARD pe_status pe_lbfgsb_work_init(pe_lbfgsb_work *w, size_t dim);
void pe_lbfgsb_work_free(pe_lbfgsb_work *w); /* NULL or zeroed is fine */

/* A pe_local_search_fn: ls_ctx is a pe_lbfgsb_work of the same dim. Minimizes f from x (clipped
 * into the bounds) with m = 10, factr 1e7, pgtol 1e-5, maxiter min(max(6 dim, 100), 1000), its own
 * cap of 15000 evaluations, forward differences h = 1e-8. On return x and *fx hold the point and
 * value L-BFGS-B ended with (the caller judges whether it is better); *nfev grows by every
 * evaluation made. Always PE_OK. */
pe_status pe_lbfgsb_search(pe_objective_fn f, void *f_ctx, size_t dim, const double *lower,
                           const double *upper, double *x, double *fx, uint64_t *nfev,
                           void *ls_ctx);

#endif
