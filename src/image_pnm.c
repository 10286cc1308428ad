/* image_pnm: binary PNM (P5/P6): the header, its structural check and the 16-bit decoder. */
#include "image_format.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

/* Mirrors stb's PNM header parser: P5/P6, numbers separated by whitespace or # comments, one
 * whitespace byte, then binary samples (two bytes each when maxval > 255). The header is read
 * before stbi_info too: stb accumulates the numbers in an int without an overflow check
 * (undefined behaviour on "P6 99999999999 ..."), so longer numbers are refused here first. */
static int pnm_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* Parses the header into v (width, height, maxval) and *data (where the samples start). */
pe_status pe_img_pnm_header(bytes b, uint64_t v[3], size_t *data, char *why, size_t why_len)
{
    size_t pos = 2;
    for (int i = 0; i < 3; i++) {
        v[i] = 0;
        for (;;) {
            while (pos < b.n && pnm_space(b.d[pos]))
                pos++;
            if (pos >= b.n || b.d[pos] != '#')
                break;
            while (pos < b.n && b.d[pos] != '\n' && b.d[pos] != '\r')
                pos++;
        }
        while (pos < b.n && b.d[pos] >= '0' && b.d[pos] <= '9' && v[i] < 100000000u)
            v[i] = v[i] * 10 + (uint64_t)(b.d[pos++] - '0');
        if (pos < b.n && b.d[pos] >= '0' && b.d[pos] <= '9')
            return pe_img_fail(PE_ERR_FORMAT, why, why_len,
                               "corrupt PNM: a number in the header is too large");
    }
    *data = pos + 1;
    return PE_OK;
}

pe_status pe_img_check_pnm(bytes b, char *why, size_t why_len)
{
    uint64_t v[3];
    size_t data;
    const pe_status st = pe_img_pnm_header(b, v, &data, why, why_len);
    if (st != PE_OK)
        return st;
    const uint64_t samples = (b.d[1] == '6' ? 3u : 1u) * (v[2] > 255 ? 2u : 1u);
    return pe_img_need(b, data, v[0] * v[1] * samples, "PNM", why, why_len);
}

/* Skip PNM whitespace and comments; false at the end of the data. */
static bool pnm_skip(bytes b, size_t *i)
{
    while (*i < b.n) {
        if (b.d[*i] == '#') {
            while (*i < b.n && b.d[*i] != '\n')
                (*i)++;
        } else if (b.d[*i] == ' ' || b.d[*i] == '\t' || b.d[*i] == '\n' || b.d[*i] == '\r') {
            (*i)++;
        } else {
            return true;
        }
    }
    return false;
}

static bool pnm_number(bytes b, size_t *i, long *v)
{
    if (!pnm_skip(b, i) || b.d[*i] < '0' || b.d[*i] > '9')
        return false;
    *v = 0;
    while (*i < b.n && b.d[*i] >= '0' && b.d[*i] <= '9' && *v < 1000000) {
        *v = *v * 10 + (b.d[*i] - '0');
        (*i)++;
    }
    return true;
}

/* 16-bit binary PNM (P5/P6 with maxval > 255), decoded here because stb 2.27's 16-bit PNM
 * path is unsafe (a heap overflow found by fuzz_image) and gives wrong pixels when optimised.
 * Returns PE_ERR_INVALID_ARG for an 8-bit PNM, which stb handles. */
pe_status pe_img_load_pnm16(bytes b, int w, int h, pe_image *out)
{
    size_t i = 2;
    long pw, ph, maxval;
    if (b.n < 3 || b.d[0] != 'P' || (b.d[1] != '5' && b.d[1] != '6'))
        return PE_ERR_INVALID_ARG;
    if (!pnm_number(b, &i, &pw) || !pnm_number(b, &i, &ph) || !pnm_number(b, &i, &maxval))
        return PE_ERR_FORMAT;
    if (maxval <= 255)
        return PE_ERR_INVALID_ARG;
    if (maxval > 65535 || pw != w || ph != h || i >= b.n)
        return PE_ERR_FORMAT;
    i++; /* the single whitespace byte before the samples */
    const size_t ch = b.d[1] == '6' ? 3 : 1, n = (size_t)w * (size_t)h;
    if (n > SIZE_MAX / (2 * ch) || b.n - i < n * ch * 2)
        return PE_ERR_FORMAT;
    if (!(out->rgba = malloc(n * 4u)))
        return PE_ERR_NOMEM;
    const unsigned char *p = b.d + i;
    for (size_t k = 0; k < n; k++) {
        for (size_t c = 0; c < 3; c++) {
            const size_t at = 2 * (k * ch + (ch == 3 ? c : 0));
            const unsigned long v = ((unsigned long)p[at] << 8) | p[at + 1];
            const unsigned long v8 = (v > (unsigned long)maxval ? (unsigned long)maxval : v) * 255u;
            out->rgba[4 * k + c] =
                (unsigned char)((v8 + (unsigned long)maxval / 2) / (unsigned long)maxval);
        }
        out->rgba[4 * k + 3] = 255;
    }
    out->width = w;
    out->height = h;
    return PE_OK;
}
