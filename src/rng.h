/* rng: PCG32 (O'Neill, pcg-random.org, "pcg32_random_r" of pcg_basic.c, Apache-2.0 algorithm),
 * one generator per op or per annealing run, selected by (seed, stream). */
#ifndef PE_RNG_H
#define PE_RNG_H

#include <stdint.h>

typedef struct pe_rng {
    uint64_t state, inc;
    double spare;  /* cached second normal of the polar method */
    int has_spare;
} pe_rng;

/* Same (seed, stream) gives the same sequence; different streams are independent. */
void pe_rng_seed(pe_rng *rng, uint64_t seed, uint64_t stream);
uint32_t pe_rng_u32(pe_rng *rng);
/* Uniform in [0, 1) with 53 random bits. */
double pe_rng_uniform(pe_rng *rng);
/* Uniform integer in [0, n), n > 0, without modulo bias. */
uint32_t pe_rng_below(pe_rng *rng, uint32_t n);
/* Standard normal (Marsaglia polar method). */
double pe_rng_normal(pe_rng *rng);

#endif
