/* palette: reading --palette FILE (a GIMP .gpl palette or a list of hex colours). */
#include "polyevolve.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A line holds all 256 colours with room for names and comments; the file, thousands of
 * lines: what is beyond is no palette (and /dev/zero or an endless pipe ends there). */
enum { PE_PALETTE_MAX = 256, PE_PALETTE_LINE = 65536, PE_PALETTE_FILE = 16 << 20 };

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 3, 4)))
#endif
static pe_status why_format(char *why, size_t len, const char *fmt, ...)
{
    if (why && len > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, len, fmt, ap);
        va_end(ap);
    }
    return PE_ERR_FORMAT;
}

static int hexdigit(int c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* One "#RRGGBB" or "RRGGBB" token (exactly six hex digits). */
static bool parse_hex(const char *tok, size_t n, unsigned char rgb[3])
{
    if (n > 0 && tok[0] == '#') {
        tok++;
        n--;
    }
    if (n != 6)
        return false;
    for (int c = 0; c < 3; c++) {
        const int hi = hexdigit(tok[2 * c]), lo = hexdigit(tok[2 * c + 1]);
        if (hi < 0 || lo < 0)
            return false;
        rgb[c] = (unsigned char)(16 * hi + lo);
    }
    return true;
}

/* A GIMP palette line "R G B [name]"; skipped lines return 0, a colour 1, an error -1. */
static int gpl_line(const char *s, unsigned char rgb[3])
{
    while (isspace((unsigned char)*s))
        s++;
    if (!*s || *s == '#' || !strncmp(s, "Name:", 5) || !strncmp(s, "Columns:", 8))
        return 0;
    for (int c = 0; c < 3; c++) {
        char *end;
        errno = 0;
        const long v = strtol(s, &end, 10);
        if (end == s || errno || v < 0 || v > 255 || (*end && !isspace((unsigned char)*end)))
            return -1;
        rgb[c] = (unsigned char)v;
        s = end;
    }
    return 1;
}

/* The hex tokens of a line of a hex list; "# " or a lone "#" starts a comment. Returns the
 * colours added, or -1 at a bad token. */
static int hex_line(const char *s, unsigned char *pal, int *count)
{
    int added = 0;
    for (;;) {
        while (*s && (isspace((unsigned char)*s) || *s == ','))
            s++;
        if (!*s || (s[0] == '#' && (s[1] == '\0' || isspace((unsigned char)s[1]))))
            return added;
        const size_t n = strcspn(s, " \t\r\n,");
        if (*count >= PE_PALETTE_MAX)
            return -2;
        if (!parse_hex(s, n, pal + 3 * *count))
            return -1;
        (*count)++;
        added++;
        s += n;
    }
}

/* The next line of f into line (NUL-terminated, without its newline): 1, 0 at the end, or a
 * refusal in why: a NUL byte (not a text file), a line or a file beyond the bounds. */
static int next_line(FILE *f, char *line, int no, size_t *total, pe_status *st, char *why,
                     size_t len)
{
    size_t n = 0;
    int ch;
    while ((ch = getc(f)) != EOF && ch != '\n') {
        if (ch == 0) {
            *st = why_format(why, len, "line %d: a NUL byte (a binary file, not a palette)", no);
            return -1;
        }
        if (n + 1 >= PE_PALETTE_LINE || ++*total > PE_PALETTE_FILE) {
            *st = n + 1 >= PE_PALETTE_LINE
                      ? why_format(why, len, "line %d is longer than %d bytes", no,
                                   PE_PALETTE_LINE - 1)
                      : why_format(why, len, "longer than %d MiB", PE_PALETTE_FILE >> 20);
            return -1;
        }
        line[n++] = (char)ch;
    }
    line[n] = '\0';
    return ch == EOF && n == 0 ? 0 : 1;
}

static pe_status read_lines(FILE *f, unsigned char *pal, int *count, char *why, size_t len)
{
    char *buf = malloc(PE_PALETTE_LINE);
    if (!buf)
        return PE_ERR_NOMEM;
    bool gpl = false;
    size_t total = 0;
    pe_status st = PE_OK;
    int got;
    for (int no = 1; st == PE_OK && (got = next_line(f, buf, no, &total, &st, why, len)) > 0;
         no++) {
        char *line = buf;
        if (no == 1 && !strncmp(line, "\xEF\xBB\xBF", 3)) /* a UTF-8 byte-order mark */
            line += 3;
        if (no == 1 && !strncmp(line, "GIMP Palette", 12)) {
            gpl = true;
            continue;
        }
        if (gpl) {
            unsigned char rgb[3];
            const int r = gpl_line(line, rgb);
            if (r < 0)
                st = why_format(why, len, "line %d: expected 'R G B [name]' with values 0-255",
                                no);
            else if (r > 0 && *count >= PE_PALETTE_MAX)
                st = why_format(why, len, "more than %d colours", PE_PALETTE_MAX);
            else if (r > 0)
                memcpy(pal + 3 * (*count)++, rgb, 3);
            continue;
        }
        const int r = hex_line(line, pal, count);
        if (r == -2)
            st = why_format(why, len, "more than %d colours", PE_PALETTE_MAX);
        else if (r < 0)
            st = why_format(why, len, "line %d: expected colours as #RRGGBB", no);
    }
    free(buf);
    if (st != PE_OK)
        return st;
    if (ferror(f))
        return PE_ERR_IO;
    if (*count == 0)
        return why_format(why, len, "no colours in it");
    return PE_OK;
}

pe_status pe_palette_load(const char *path, unsigned char **rgb, int *count, char *why,
                          size_t why_len)
{
    if (rgb)
        *rgb = NULL;
    if (count)
        *count = 0;
    if (why && why_len > 0)
        why[0] = '\0';
    if (!path || !rgb || !count)
        return PE_ERR_INVALID_ARG;
    FILE *f = fopen(path, "rb");
    if (!f)
        return PE_ERR_IO;
    unsigned char *pal = malloc(3 * PE_PALETTE_MAX);
    if (!pal) {
        fclose(f);
        return PE_ERR_NOMEM;
    }
    int n = 0;
    const pe_status st = read_lines(f, pal, &n, why, why_len);
    fclose(f);
    if (st != PE_OK) {
        free(pal);
        return st;
    }
    *rgb = pal;
    *count = n;
    return PE_OK;
}
