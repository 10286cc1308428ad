/* waitpolicy: see waitpolicy.h for why a re-execution. */
#define _POSIX_C_SOURCE 200809L
#include "waitpolicy.h"

#include <stdlib.h>
#include <unistd.h>

void cli_prefer_passive_wait(char **argv)
{
#ifdef _OPENMP
    if (getenv("OMP_WAIT_POLICY") || getenv("GOMP_SPINCOUNT") || !argv || !argv[0])
        return;
    if (setenv("OMP_WAIT_POLICY", "passive", 1) != 0)
        return;
    execv("/proc/self/exe", argv);
    /* no /proc (or no exec): carry on; the runtime keeps its default */
    unsetenv("OMP_WAIT_POLICY");
#else
    (void)argv;
#endif
}

const char *cli_wait_policy(void)
{
#ifdef _OPENMP
    const char *p = getenv("OMP_WAIT_POLICY");
    return p && *p ? p : "default (spin, then sleep)";
#else
    return "none (built without OpenMP)";
#endif
}
