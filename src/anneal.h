/* anneal: the pieces of the dual-annealing engine (pe_dual_annealing in polyevolve.h), exposed
 * for white-box tests. Every formula follows docs/dual-annealing SPEC §2–§5, written the way
 * SciPy writes it (powers as exp(b * log(a))) so the numbers track SciPy's closely. */
#ifndef PE_ANNEAL_H
#define PE_ANNEAL_H

#include <stddef.h>

/* Values beyond +-PE_DA_TAIL_LIMIT are replaced by a uniform jump (SPEC §4.2). */
#define PE_DA_TAIL_LIMIT 1.0e8
/* A wrapped coordinate this close to its lower bound is nudged up by the same amount (§4.3). */
#define PE_DA_MIN_VISIT_BOUND 1.0e-10
/* Non-finite start values tolerated before giving up (§5.2). */
#define PE_DA_MAX_REINIT 1000

/* Constants of the visiting distribution, fixed by q_v for the whole run (SPEC §2). */
typedef struct pe_da_constants {
    double qv;
    double factor2, factor3, factor4p, factor5, d1, factor6;
} pe_da_constants;

void pe_da_constants_init(pe_da_constants *c, double qv);

/* Visiting temperature of outer step i (0 after every (re)start): SPEC §3. */
double pe_da_temperature(double t0, double qv, int i);

/* First step index whose temperature falls below t0 * ratio (1246 with the defaults), or -1 if
 * none does within 10^7 steps. */
int pe_da_reanneal_index(double t0, double qv, double ratio);

/* Width sigma(T) of the raw visiting step (SPEC §4.1). */
double pe_da_sigma(const pe_da_constants *c, double temperature);

/* One raw step from two standard normals a, b, given sigma = pe_da_sigma(c, T): no clipping. */
double pe_da_visit_step(const pe_da_constants *c, double sigma, double a, double b);

/* Bring v back into [lo, lo + range) periodically, with the 1e-10 nudge (SPEC §4.3). */
double pe_da_wrap(double v, double lo, double range);

/* Tsallis acceptance value for a trial energy e_trial against e_cur at acceptance temperature
 * t_acc (SPEC §5.5). Not capped at 1 (downhill gives > 1); 0 when the bracket is not positive. */
double pe_da_accept_probability(double qa, double e_trial, double e_cur, double t_acc);

#endif
