/* paths: see paths.h. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "paths.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

char *cli_path_join(const char *a, const char *b)
{
    const size_t na = strlen(a), nb = strlen(b);
    const bool slash = na && a[na - 1] != '/' && nb;
    char *s = malloc(na + nb + 2);
    if (s)
        snprintf(s, na + nb + 2, "%s%s%s", a, slash ? "/" : "", b);
    return s;
}

/* The directory part of path ("." when none) and its last component. */
char *cli_path_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    return !slash ? strdup(".") : slash == path ? strdup("/") : dup_n(path, (size_t)(slash - path));
}

const char *cli_path_base(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* An absolute path without ".", ".." or links in the part that exists: the same file always
 * gets the same name, whatever way it was spelt. Malloc'ed; NULL when out of memory. */
char *cli_path_canon(const char *path)
{
    char *head = NULL, *rest = strdup(""), *out = NULL;
    if (!rest)
        return NULL;
    if (path[0] != '/') {
        char cwd[PATH_MAX];
        head = getcwd(cwd, sizeof cwd) ? cli_path_join(cwd, path) : strdup(path);
    } else {
        head = strdup(path);
    }
    while (head) { /* cut components off until what is left exists */
        char *real = realpath(head, NULL);
        if (real) {
            free(head);
            head = real;
            break;
        }
        char *slash = strrchr(head, '/');
        if (!slash || slash == head) { /* nothing of it exists: keep it as spelt */
            break;
        }
        char *r = cli_path_join(slash + 1, rest);
        free(rest);
        rest = r;
        *slash = '\0';
        if (!rest)
            break;
    }
    if (head && rest) { /* the part that does not exist: "." and ".." by their spelling */
        size_t cap = strlen(head) + strlen(rest) + 2;
        out = malloc(cap);
        if (out) {
            snprintf(out, cap, "%s", head);
            for (char *tok = strtok(rest, "/"); tok; tok = strtok(NULL, "/")) {
                if (!strcmp(tok, "."))
                    continue;
                size_t n = strlen(out);
                if (!strcmp(tok, "..")) {
                    char *s = strrchr(out, '/');
                    if (s && s != out)
                        *s = '\0';
                    else
                        snprintf(out, cap, "/");
                    continue;
                }
                snprintf(out + n, cap - n, "%s%s", n && out[n - 1] == '/' ? "" : "/", tok);
            }
        }
    }
    free(head);
    free(rest);
    return out;
}

/* ---------------------------------------------------------------- patterns */

/* The conversion of a pattern: its prefix length, the spec ("%05d") and the suffix. */
static bool split_pattern(const char *p, size_t *pre, char spec[16], const char **suffix)
{
    for (const char *s = p; *s; s++) {
        if (*s != '%')
            continue;
        if (s[1] == '%') {
            s++;
            continue;
        }
        const char *e = s + 1;
        while (*e >= '0' && *e <= '9')
            e++;
        if (*e != 'd' || e - s > 10)
            return false;
        *pre = (size_t)(s - p);
        snprintf(spec, 16, "%.*s", (int)(e - s + 1), s);
        *suffix = e + 1;
        return true;
    }
    return false;
}

bool cli_pattern_ok(const char *p)
{
    size_t pre;
    char spec[16];
    const char *suffix;
    return split_pattern(p, &pre, spec, &suffix);
}

/* "%%" as "%" in n bytes of a, compared with b; the length of b consumed, or 0. */
static size_t match_literal(const char *a, size_t n, const char *b)
{
    size_t j = 0;
    for (size_t i = 0; i < n; i++, j++) {
        if (a[i] == '%' && i + 1 < n && a[i + 1] == '%')
            i++;
        if (b[j] != a[i])
            return 0;
    }
    return j ? j : (size_t)-1; /* (size_t)-1: matched an empty prefix */
}

/* The number whose name under pattern is name, or -1. */
long cli_pattern_number(const char *pattern, const char *name)
{
    size_t pre;
    char spec[16];
    const char *suffix;
    if (!split_pattern(pattern, &pre, spec, &suffix))
        return -1;
    size_t at = match_literal(pattern, pre, name);
    if (at == 0)
        return -1;
    if (at == (size_t)-1)
        at = 0;
    const char *num = name + at, *end = num;
    while (*end == ' ')
        end++;
    const char *digits = end;
    while (*end >= '0' && *end <= '9' && end - digits < 10)
        end++;
    if (end == digits)
        return -1;
    const long n = strtol(digits, NULL, 10);
    char text[32];
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#endif
    const int k = snprintf(text, sizeof text, spec, (int)n);
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
    if (n > INT_MAX || k != end - num || memcmp(text, num, (size_t)k))
        return -1;
    const size_t sl = strlen(suffix);
    const size_t got = sl ? match_literal(suffix, sl, end) : (size_t)-1;
    if (got == 0 || end[got == (size_t)-1 ? 0 : got] != '\0')
        return -1;
    return n;
}

bool cli_in_range(long n, int first, int step, int last)
{
    return n >= first && n <= last && (n - first) % (step > 0 ? step : 1) == 0;
}

/* The file of pattern p for number n (malloc'ed). */
char *cli_pattern_file(const char *p, long n)
{
    size_t pre;
    char spec[16];
    const char *suffix;
    if (!split_pattern(p, &pre, spec, &suffix))
        return NULL;
    char num[32];
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#endif
    snprintf(num, sizeof num, spec, (int)n);
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
    const size_t cap = strlen(p) + sizeof num;
    char *s = malloc(cap);
    if (!s)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < pre; i++, k++) {
        if (p[i] == '%' && p[i + 1] == '%')
            i++;
        s[k] = p[i];
    }
    k += (size_t)snprintf(s + k, cap - k, "%s", num);
    for (const char *t = suffix; *t; t++, k++) {
        if (t[0] == '%' && t[1] == '%')
            t++;
        s[k] = *t;
    }
    s[k] = '\0';
    return s;
}
