/* test.h: the whole test harness. Each test program runs every case, or only argv[1]. */
#ifndef PE_TEST_H
#define PE_TEST_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_failures;
static const char *test_only;

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #c);                  \
            test_failures++;                                                                       \
        }                                                                                          \
    } while (0)

#define CHECK_NEAR(a, e, tol)                                                                      \
    do {                                                                                           \
        const double a_ = (double)(a), e_ = (double)(e), t_ = (double)(tol);                       \
        if (!(fabs(a_ - e_) <= t_)) {                                                              \
            fprintf(stderr, "%s:%d: CHECK_NEAR(%s, %s, %s) failed: %.17g vs %.17g\n", __FILE__,   \
                    __LINE__, #a, #e, #tol, a_, e_);                                               \
            test_failures++;                                                                       \
        }                                                                                          \
    } while (0)

/* relative tolerance */
#define CHECK_REL(a, e, rtol) CHECK_NEAR(a, e, fabs((double)(e)) * (rtol))

#define RUN(fn)                                                                                    \
    do {                                                                                           \
        if (test_only && strcmp(test_only, #fn))                                                   \
            break;                                                                                 \
        const int b_ = test_failures;                                                              \
        fn();                                                                                      \
        printf("%s %s\n", test_failures == b_ ? "ok  " : "FAIL", #fn);                             \
        fflush(stdout);                                                                            \
    } while (0)

#define TEST_MAIN_BEGIN(argc, argv) test_only = (argc) > 1 ? (argv)[1] : NULL
#define TEST_MAIN_END() return test_failures ? 1 : 0
#define TEST_SKIP 77

#endif
