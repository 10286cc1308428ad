/* waitpolicy: OpenMP threads with nothing to do should sleep, not spin.
 *
 * Between steps (a tile finishing before its neighbour, the picture being published, a frame
 * being written) a worker thread has nothing to do. GNU OpenMP's default is to spin for a while
 * before sleeping, and on the machines we measure that spin cost 20-45 % extra CPU at -j 2 for
 * no gain in wall time; it also steals a core from a second polyevolve in a batch. The runtime
 * reads its wait policy once, when it loads, so the only way to choose it is the environment
 * the process starts with. */
#ifndef CLI_WAITPOLICY_H
#define CLI_WAITPOLICY_H

/* Call first in main. Unless the user chose a policy (OMP_WAIT_POLICY or GOMP_SPINCOUNT set),
 * set OMP_WAIT_POLICY=passive and re-execute this program with the same arguments; returns
 * only when that was not needed or not possible (then the run goes on as it is). */
void cli_prefer_passive_wait(char **argv);

/* The wait policy this process runs with, for --version: "passive", "active" or the default. */
const char *cli_wait_policy(void);

#endif
