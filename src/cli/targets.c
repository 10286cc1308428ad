/* targets: -o paths classified by their shape. */
#define _POSIX_C_SOURCE 200809L
#include "targets.h"

#include "anim.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static bool ends_with(const char *s, const char *suffix)
{
    const size_t n = strlen(s), k = strlen(suffix);
    return n > k && !strcasecmp(s + n - k, suffix);
}

/* One %d conversion ("%d", "%03d", "%5d"), no other '%' but "%%": the pattern is then safe
 * to hand to snprintf with one int. */
static bool valid_pattern(const char *p)
{
    int conversions = 0;
    for (; *p; p++) {
        if (*p != '%')
            continue;
        if (p[1] == '%') {
            p++;
            continue;
        }
        p++;
        if (*p == '0')
            p++;
        for (int digits = 0; *p >= '0' && *p <= '9'; p++)
            if (++digits > 2)
                return false;
        if (*p != 'd')
            return false;
        conversions++;
    }
    return conversions == 1;
}

static bool has_conversion(const char *p)
{
    for (; (p = strchr(p, '%')) != NULL; p += 2)
        if (p[1] != '%')
            return true;
    return false;
}

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 3, 4)))
#endif
static int
fail(char *err, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
    return CLI_USAGE;
}

static cli_target_kind kind_of(const char *path)
{
    struct stat sb;
    if (!strcmp(path, "-"))
        return CLI_T_STDOUT;
    if (has_conversion(path))
        return CLI_T_PATTERN;
    if (path[strlen(path) - 1] == '/' || (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)))
        return CLI_T_DIR;
    if (ends_with(path, ".png"))
        return CLI_T_PNG;
    if (ends_with(path, ".svg"))
        return CLI_T_SVG;
    if (ends_with(path, ".pdf"))
        return CLI_T_PDF;
    if (ends_with(path, ".jpg") || ends_with(path, ".jpeg"))
        return CLI_T_JPG;
    if (cli_is_anim(path))
        return CLI_T_ANIM;
    return CLI_T_DIR;
}

int cli_targets_of(const cli_options *o, cli_targets *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < o->noutputs; i++) {
        const char *p = o->outputs[i];
        const cli_target_kind k = kind_of(p);
        if (k == CLI_T_DIR && ends_with(p, ".webp"))
            return fail(err, err_len, "%s: unsupported output format (use .png, .jpg, .svg, "
                        ".pdf, or .gif, .mp4, .webm for an animation)", p);
        if (k == CLI_T_PATTERN && (!valid_pattern(p) || !ends_with(p, ".png")))
            return fail(err, err_len,
                        "%s: a frame pattern needs exactly one %%d (e.g. frame%%03d.png) and .png",
                        p);
        if ((k == CLI_T_DIR && out->dir) || (k == CLI_T_PATTERN && out->pattern) ||
            (k == CLI_T_STDOUT && out->to_stdout))
            return fail(err, err_len, "%s: only one -o may be a %s", p,
                        k == CLI_T_DIR       ? "directory"
                        : k == CLI_T_PATTERN ? "frame pattern"
                                             : "'-'");
        if (k == CLI_T_DIR)
            out->dir = p;
        else if (k == CLI_T_PATTERN)
            out->pattern = p;
        else if (k == CLI_T_STDOUT)
            out->to_stdout = true;
        out->t[out->n++] = (cli_target){ k, p };
    }
    return CLI_OK;
}

char *cli_pattern_name(char *buf, size_t len, const char *pattern, int n)
{
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#endif
    const int k = snprintf(buf, len, pattern, n); /* checked by valid_pattern: one %d */
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
    return k < 0 || (size_t)k >= len ? NULL : buf;
}
