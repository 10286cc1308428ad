/* animate: the flight animation of a state file's triangles (not yet written). */
#include "run.h"

#include <stdio.h>

int cli_animate(const cli_options *o)
{
    fprintf(stderr, "polyevolve: %s: animate is not available in this build yet\n", o->input);
    return 1;
}
