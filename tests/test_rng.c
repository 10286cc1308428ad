/* test_rng: PCG32 is reproducible, its streams differ, and its draws have the right shape. */
#include "rng.h"
#include "test.h"

static void same_seed_same_sequence(void)
{
    pe_rng a, b;
    pe_rng_seed(&a, 42, 7);
    pe_rng_seed(&b, 42, 7);
    for (int i = 0; i < 1000; i++)
        CHECK(pe_rng_u32(&a) == pe_rng_u32(&b));
}

static void streams_differ(void)
{
    pe_rng a, b;
    pe_rng_seed(&a, 42, 0);
    pe_rng_seed(&b, 42, 1);
    int same = 0;
    for (int i = 0; i < 1000; i++)
        same += pe_rng_u32(&a) == pe_rng_u32(&b);
    CHECK(same < 5);
}

static void pcg32_reference_values(void)
{
    /* pcg32-demo from pcg_basic.c: initstate 42, initseq 54 prints 0xa15c02b7 0x7b47f409 ... */
    pe_rng r;
    pe_rng_seed(&r, 42, 54);
    CHECK(pe_rng_u32(&r) == 0xa15c02b7u);
    CHECK(pe_rng_u32(&r) == 0x7b47f409u);
    CHECK(pe_rng_u32(&r) == 0xba1d3330u);
}

static void uniform_and_normal_moments(void)
{
    pe_rng r;
    pe_rng_seed(&r, 1, 2);
    const int n = 200000;
    double su = 0, sn = 0, sn2 = 0, lo = 1, hi = 0;
    for (int i = 0; i < n; i++) {
        const double u = pe_rng_uniform(&r);
        su += u;
        lo = u < lo ? u : lo;
        hi = u > hi ? u : hi;
        const double g = pe_rng_normal(&r);
        sn += g;
        sn2 += g * g;
    }
    CHECK(lo >= 0.0 && hi < 1.0);
    CHECK_NEAR(su / n, 0.5, 0.005);
    CHECK_NEAR(sn / n, 0.0, 0.01);
    CHECK_NEAR(sn2 / n, 1.0, 0.02);
}

static void below_stays_in_range(void)
{
    pe_rng r;
    pe_rng_seed(&r, 3, 4);
    int counts[7] = { 0 };
    for (int i = 0; i < 70000; i++) {
        const uint32_t v = pe_rng_below(&r, 7);
        CHECK(v < 7);
        if (v < 7)
            counts[v]++;
    }
    for (int i = 0; i < 7; i++)
        CHECK(counts[i] > 9500 && counts[i] < 10500);
}

int main(int argc, char **argv)
{
    TEST_MAIN_BEGIN(argc, argv);
    RUN(same_seed_same_sequence);
    RUN(streams_differ);
    RUN(pcg32_reference_values);
    RUN(uniform_and_normal_moments);
    RUN(below_stays_in_range);
    TEST_MAIN_END();
}
