/* paths: file names as claim.c compares them: one canonical spelling, and the frame patterns
 * (one %d, flags 0 and a width) matched both ways. Everything malloc'ed is the caller's. */
#ifndef CLI_PATHS_H
#define CLI_PATHS_H

#include <stdbool.h>
#include <stddef.h>

/* An absolute path without ".", ".." or links in the part that exists: the same file always
 * gets the same name, whatever way it was spelt (malloc'ed; NULL when out of memory). */
char *cli_path_canon(const char *path);

/* a/b (one slash; b alone when a is ""), malloc'ed. */
char *cli_path_join(const char *a, const char *b);

/* The directory part of path ("." when none, "/" for the root), malloc'ed. */
char *cli_path_dir(const char *path);

/* The last component of path (a pointer into it). */
const char *cli_path_base(const char *path);

/* Whether p holds a %d conversion (flags 0 and a width). */
bool cli_pattern_ok(const char *p);

/* The number whose file under pattern is name, or -1. */
long cli_pattern_number(const char *pattern, const char *name);

/* The file of pattern for number n, malloc'ed ("%%" read as "%"). */
char *cli_pattern_file(const char *pattern, long n);

/* Whether n is one of first, first + step, .. up to last. */
bool cli_in_range(long n, int first, int step, int last);

#endif
