/* rng: PCG32 generator, uniform, bounded and normal draws. */
#include "rng.h"

#include <math.h>

void pe_rng_seed(pe_rng *rng, uint64_t seed, uint64_t stream)
{
    rng->state = 0u;
    rng->inc = (stream << 1u) | 1u;
    pe_rng_u32(rng);
    rng->state += seed;
    pe_rng_u32(rng);
    rng->has_spare = 0;
    rng->spare = 0.0;
}

uint32_t pe_rng_u32(pe_rng *rng)
{
    const uint64_t old = rng->state;
    rng->state = old * 6364136223846793005ULL + rng->inc;
    const uint32_t xorshifted = (uint32_t)(((old >> 18u) ^ old) >> 27u);
    const uint32_t rot = (uint32_t)(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((-rot) & 31u));
}

double pe_rng_uniform(pe_rng *rng)
{
    const uint64_t a = pe_rng_u32(rng) >> 5;
    const uint64_t b = pe_rng_u32(rng) >> 6;
    return (double)(a * 67108864u + b) * (1.0 / 9007199254740992.0);
}

uint32_t pe_rng_below(pe_rng *rng, uint32_t n)
{
    /* Lemire-free classic: reject the short final bucket so every value is equally likely. */
    const uint32_t threshold = (uint32_t)(-n) % n;
    for (;;) {
        const uint32_t r = pe_rng_u32(rng);
        if (r >= threshold)
            return r % n;
    }
}

double pe_rng_normal(pe_rng *rng)
{
    if (rng->has_spare) {
        rng->has_spare = 0;
        return rng->spare;
    }
    double u, v, s;
    do {
        u = 2.0 * pe_rng_uniform(rng) - 1.0;
        v = 2.0 * pe_rng_uniform(rng) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    const double f = sqrt(-2.0 * log(s) / s);
    rng->spare = u * f;
    rng->has_spare = 1;
    return v * f;
}
