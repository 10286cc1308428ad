/* image_psd: where a PSD's merged image lies, its structural check, and channel subsets. */
#include "image_format.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

pe_status pe_img_psd_read(bytes b, psd_info *p, char *why, size_t why_len)
{
    if (b.n < 26)
        return pe_img_fail(PE_ERR_FORMAT, why, why_len, "truncated PSD: incomplete header");
    p->channels = be16(b.d + 12), p->depth = be16(b.d + 22), p->mode = be16(b.d + 24);
    uint64_t pos = 26;
    for (int section = 0; section < 3; section++) {
        if (pos + 4 > b.n)
            return pe_img_fail(PE_ERR_FORMAT, why, why_len, "truncated PSD: incomplete sections");
        pos += 4u + be32(b.d + pos);
    }
    if (pos + 2 > b.n)
        return pe_img_fail(PE_ERR_FORMAT, why, why_len, "truncated PSD: no image data");
    p->compression = be16(b.d + pos);
    p->data = pos + 2;
    return PE_OK;
}

/* Byte count of rows [from, to) of the RLE table. */
static uint64_t psd_rows(bytes b, const psd_info *p, uint64_t from, uint64_t to)
{
    uint64_t total = 0;
    for (uint64_t row = from; row < to; row++)
        total += be16(b.d + p->data + 2 * row);
    return total;
}

/* stb reads the first four channels; those must be present. */
pe_status pe_img_check_psd(bytes b, int w, int h, char *why, size_t why_len)
{
    psd_info p = { 0 }; /* gcc -O3 cannot see that a failed read returns first */
    pe_status st = pe_img_psd_read(b, &p, why, why_len);
    if (st != PE_OK)
        return st;
    const unsigned used = p.channels < 4 ? p.channels : 4;
    const uint64_t plane = (uint64_t)w * (uint64_t)h * (p.depth / 8u);
    if (p.compression == 1 && p.depth == 16) /* stb reads one byte per sample: a wrong picture */
        return pe_img_fail(
            PE_ERR_FORMAT, why, why_len,
            "unsupported PSD: 16-bit channels with RLE compression (save it as PNG)");
    if (p.compression == 0) /* plane <= b.n first: used * plane cannot wrap around */
        return pe_img_need(b, p.data, plane > b.n ? plane : used * plane, "PSD", why, why_len);
    if (p.compression != 1)
        return PE_OK; /* stb refuses it */
    const uint64_t table = 2u * (uint64_t)p.channels * (uint64_t)h;
    st = pe_img_need(b, p.data, table, "PSD", why, why_len);
    const uint64_t total = st == PE_OK ? psd_rows(b, &p, 0, (uint64_t)used * (uint64_t)h) : 0;
    return st == PE_OK ? pe_img_need(b, p.data + table, total, "PSD", why, why_len) : st;
}

/* A copy of the PSD with only channels [first, first + count): the channel count in the header
 * patched, the RLE table and the data cut to those planes. check_psd has checked that every
 * byte copied is present. NULL when out of memory. */
unsigned char *pe_img_psd_subset(bytes b, const psd_info *p, int w, int h, unsigned first,
                                 unsigned count, size_t *size)
{
    const uint64_t rows = (uint64_t)h;
    uint64_t table_at = 0, table_len = 0, at, len;
    if (p->compression == 0) {
        const uint64_t plane = (uint64_t)w * rows * (p->depth / 8u);
        at = p->data + first * plane, len = count * plane;
    } else {
        table_at = p->data + 2u * first * rows, table_len = 2u * count * rows;
        at = p->data + 2u * p->channels * rows + psd_rows(b, p, 0, first * rows);
        len = psd_rows(b, p, first * rows, (first + count) * rows);
    }
    const uint64_t n = p->data + table_len + len;
    unsigned char *out = n <= SIZE_MAX ? malloc((size_t)n) : NULL;
    if (!out)
        return NULL;
    memcpy(out, b.d, (size_t)p->data);
    out[12] = (unsigned char)(count >> 8), out[13] = (unsigned char)count;
    memcpy(out + p->data, b.d + table_at, (size_t)table_len);
    memcpy(out + p->data + table_len, b.d + at, (size_t)len);
    *size = (size_t)n;
    return out;
}
