/* image_check: the structural checks of PNG, JPEG, GIF, BMP and TGA containers (see image.c for
 * why they run before stb_image). They only walk the container with bounds-checked reads. */
#include "image_format.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define ZLIB_CONST /* next_in is const: zlib never writes through it */
#include <zlib.h>

/* The bytes a w x h PNG's IDAT stream inflates to: each row is a filter byte and its packed
 * samples; an interlaced image has the seven Adam7 passes' rows instead. */
static uint64_t png_raw_size(uint64_t w, uint64_t h, uint64_t bits, bool interlaced)
{
    static const unsigned x0[7] = { 0, 4, 0, 2, 0, 1, 0 }, y0[7] = { 0, 0, 4, 0, 2, 0, 1 };
    static const unsigned dx[7] = { 8, 8, 4, 4, 2, 2, 1 }, dy[7] = { 8, 8, 8, 4, 4, 2, 2 };
    if (!interlaced)
        return h * (1 + (w * bits + 7) / 8);
    uint64_t total = 0;
    for (int p = 0; p < 7; p++) {
        const uint64_t pw = w > x0[p] ? (w - x0[p] + dx[p] - 1) / dx[p] : 0;
        const uint64_t ph = h > y0[p] ? (h - y0[p] + dy[p] - 1) / dy[p] : 0;
        if (pw && ph)
            total += ph * (1 + (pw * bits + 7) / 8);
    }
    return total;
}

/* Inflate the IDAT chunks (from the chunk at `pos` to IEND) into a small scratch buffer, only
 * counting: stb inflates into a buffer that doubles until the stream ends, so a small file whose
 * stream inflates far past its declared size would cost memory in proportion to the stream
 * (docs/benchmarks.md, "Memory"). More than `limit` bytes is refused
 * here, in constant memory. A stream zlib cannot read is left for stb to judge (stb does not
 * check the Adler-32 sum, for one). */
static pe_status png_inflate_bound(bytes b, size_t pos, uint64_t limit, char *why, size_t why_len)
{
    z_stream z = { 0 };
    if (inflateInit(&z) != Z_OK)
        return pe_img_fail(PE_ERR_NOMEM, why, why_len, "out of memory inflating a PNG");
    unsigned char scratch[16384];
    uint64_t total = 0;
    int ret = Z_OK;
    for (; ret == Z_OK && memcmp(b.d + pos + 4, "IEND", 4) != 0; pos += 12 + be32(b.d + pos)) {
        if (memcmp(b.d + pos + 4, "IDAT", 4) != 0)
            continue;
        z.next_in = b.d + pos + 8;
        z.avail_in = be32(b.d + pos);
        while (ret == Z_OK && z.avail_in > 0 && total <= limit) {
            z.next_out = scratch, z.avail_out = sizeof scratch;
            ret = inflate(&z, Z_NO_FLUSH);
            total += sizeof scratch - z.avail_out;
        }
        if (total > limit)
            break;
    }
    inflateEnd(&z);
    if (total > limit)
        return pe_img_fail(PE_ERR_FORMAT, why, why_len,
                           "corrupt PNG: the image data inflates to more than the %llu bytes its "
                           "header's size needs",
                           (unsigned long long)limit);
    return PE_OK;
}

/* PNG: chunks from the signature to IEND, all inside the file. A file cut anywhere lacks IEND.
 * Also compares the IDAT bytes with the size the header claims: deflate expands at most 1032:1
 * (a 258-byte match coded in 2 bits), so e.g. a 100000 x 100000 RGB image needs at least 29 MB of
 * IDAT. Claims beyond twice that bound are impossible and refused without allocating. */
pe_status pe_img_check_png(bytes b, int w, int h, char *why, size_t why_len)
{
    static const unsigned char channels[7] = { 1, 0, 3, 1, 2, 0, 4 };
    const unsigned depth = b.d[24], colour = b.d[25];
    if (colour > 6 || channels[colour] == 0 || depth == 0 || depth > 16)
        return pe_img_fail(PE_ERR_FORMAT, why, why_len, "corrupt PNG: colour type %u, bit depth %u",
                           colour, depth);
    uint64_t idat = 0;
    size_t pos = 8;
    for (;;) {
        if (b.n - pos < 12)
            return pe_img_fail(PE_ERR_FORMAT, why, why_len, "truncated PNG: no IEND chunk");
        const uint32_t len = be32(b.d + pos);
        const unsigned char *type = b.d + pos + 4;
        if (len > 0x7fffffffu)
            return pe_img_fail(PE_ERR_FORMAT, why, why_len,
                               "corrupt PNG: chunk length %lu at byte %zu", (unsigned long)len,
                               pos);
        if (len > b.n - pos - 12)
            return pe_img_fail(
                PE_ERR_FORMAT, why, why_len,
                "truncated PNG: a chunk at byte %zu runs past the end, no IEND chunk", pos);
        if (memcmp(type, "IDAT", 4) == 0)
            idat += len;
        if (memcmp(type, "IEND", 4) == 0)
            break;
        pos += 12 + (size_t)len;
    }
    if (idat == 0)
        return pe_img_fail(PE_ERR_FORMAT, why, why_len, "corrupt PNG: no image data (IDAT)");
    const double raw_bytes = (double)w * (double)h * channels[colour] * depth / 8.0;
    if ((double)idat * 2064.0 + 1024.0 < raw_bytes)
        return pe_img_fail(PE_ERR_FORMAT, why, why_len,
                           "corrupt PNG: %llu bytes of compressed data cannot hold a %dx%d image",
                           (unsigned long long)idat, w, h);
    /* 64 KiB of slack: stb refuses any excess of a plain image itself, and tolerates some
     * after an interlaced one's passes; what matters is that the bound is the declared size */
    const uint64_t raw =
        png_raw_size((uint64_t)w, (uint64_t)h, channels[colour] * depth, b.d[28] != 0);
    return png_inflate_bound(b, 8, raw + 65536, why, why_len);
}

/* stb's SOI test: FF, any number of fill bytes FF, then D8. Returns the offset after SOI or 0. */
size_t pe_img_jpeg_soi_end(bytes b)
{
    size_t pos = 1;
    if (b.n < 2 || b.d[0] != 0xFF)
        return 0;
    while (pos < b.n && b.d[pos] == 0xFF)
        pos++;
    return pos < b.n && b.d[pos] == 0xD8 ? pos + 1 : 0;
}

/* What the JPEG walk has seen so far: stb_image's decoder state is not zeroed (malloc, no
 * memset), so a scan that uses a Huffman or quantisation table nobody defined reads
 * uninitialised memory, and a garbage Huffman table makes stb index far outside its arrays (found
 * by fuzz_image). The walk therefore records which tables exist and refuses such scans. */
typedef struct jpeg_walk {
    unsigned huff;              /* bit 4 * class + id: Huffman tables defined (DC 0-3, AC 4-7) */
    unsigned quant;             /* bit id: quantisation tables defined */
    unsigned ncomp;             /* components in the frame header; 0 before it */
    unsigned char id[4], tq[4]; /* per component: its id and its quantisation table */
    unsigned covered;           /* bit i: a scan has set every coefficient of component i */
    int progressive;
} jpeg_walk;

/* DHT as stb reads it: tables (class/id byte, 16 code counts, the symbols) until the segment
 * length is used up. stb 2.27 as packaged by Debian does not check that a table has at most 256
 * symbols and then writes past its Huffman arrays (found by fuzz_image; fixed upstream in 2.28),
 * so such a table must never reach stb. */
static pe_status check_dht(bytes b, size_t pos, unsigned len, jpeg_walk *w, char *why,
                           size_t why_len)
{
    long left = (long)len - 2;
    while (left > 0) {
        if (b.n - pos < 17)
            return pe_img_fail(PE_ERR_FORMAT, why, why_len,
                               "truncated JPEG: incomplete Huffman table");
        const unsigned cls = b.d[pos] >> 4, id = b.d[pos] & 15u;
        if (cls > 1 || id > 3)
            return pe_img_fail(PE_ERR_FORMAT, why, why_len, "corrupt JPEG: Huffman table %u/%u",
                               cls, id);
        unsigned symbols = 0;
        for (int i = 1; i <= 16; i++)
            symbols += b.d[pos + (size_t)i];
        if (symbols > 256)
            return pe_img_fail(PE_ERR_FORMAT, why, why_len,
                               "corrupt JPEG: a Huffman table with %u symbols (at most 256)",
                               symbols);
        w->huff |= 1u << (4 * cls + id);
        pos += 17 + symbols;
        left -= 17 + (long)symbols;
        if (pos > b.n)
            return pe_img_fail(PE_ERR_FORMAT, why, why_len,
                               "truncated JPEG: incomplete Huffman table");
    }
    return left == 0 ? PE_OK : pe_img_fail(PE_ERR_FORMAT, why, why_len, "corrupt JPEG: DHT length");
}

/* DQT: tables of 64 values, 8 or 16 bits each, until the segment length is used up. */
static pe_status check_dqt(bytes b, size_t pos, unsigned len, jpeg_walk *w, char *why,
                           size_t why_len)
{
    long left = (long)len - 2;
    while (left > 0) {
        const unsigned precision = b.d[pos] >> 4, id = b.d[pos] & 15u;
        const long size = precision ? 129 : 65;
        if (precision > 1 || id > 3 || size > left)
            return pe_img_fail(PE_ERR_FORMAT, why, why_len, "corrupt JPEG: quantisation table");
        w->quant |= 1u << id;
        pos += (size_t)size;
        left -= size;
    }
    return PE_OK;
}

/* SOF0/1/2 (the frames stb decodes): components with their quantisation tables. */
static pe_status check_sof(bytes b, size_t pos, unsigned len, unsigned m, jpeg_walk *w, char *why,
                           size_t why_len)
{
    const unsigned n = len >= 8 ? b.d[pos + 7] : 0;
    if (w->ncomp)
        return pe_img_fail(PE_ERR_FORMAT, why, why_len, "corrupt JPEG: two frame headers");
    if ((n != 1 && n != 3 && n != 4) || len != 8 + 3 * n)
        return pe_img_fail(PE_ERR_FORMAT, why, why_len, "corrupt JPEG: frame header");
    for (unsigned i = 0; i < n; i++)
        w->id[i] = b.d[pos + 8 + 3 * i], w->tq[i] = b.d[pos + 10 + 3 * i] & 3u;
    w->ncomp = n;
    w->progressive = m == 0xC2;
    return PE_OK;
}

/* SOS: every table the scan will use must exist. Baseline scans use the DC and the AC table of
 * each component and its quantisation table; progressive scans use the DC table (first DC scan)
 * or the AC table (AC scans), and the quantisation tables only at the end (see check_jpeg). */
static pe_status check_sos(bytes b, size_t pos, unsigned len, jpeg_walk *w, char *why,
                           size_t why_len)
{
    const unsigned ns = len >= 3 ? b.d[pos + 2] : 0;
    if (!w->ncomp)
        return pe_img_fail(PE_ERR_FORMAT, why, why_len,
                           "corrupt JPEG: a scan before the frame header");
    if (ns < 1 || ns > 4 || len != 6 + 2 * ns)
        return pe_img_fail(PE_ERR_FORMAT, why, why_len, "corrupt JPEG: scan header");
    const unsigned ss = b.d[pos + 3 + 2 * ns], ah = b.d[pos + 5 + 2 * ns] >> 4;
    for (unsigned i = 0; i < ns; i++) {
        const unsigned cid = b.d[pos + 3 + 2 * i], dc = b.d[pos + 4 + 2 * i] >> 4,
                       ac = 4u + (b.d[pos + 4 + 2 * i] & 15u);
        unsigned c = 0;
        while (c < w->ncomp && w->id[c] != cid)
            c++;
        if (c == w->ncomp || dc > 3 || ac > 7)
            return pe_img_fail(PE_ERR_FORMAT, why, why_len, "corrupt JPEG: scan header");
        const int uses_dc = !w->progressive || (ss == 0 && ah == 0);
        const int uses_ac = !w->progressive || ss > 0;
        if ((uses_dc && !(w->huff >> dc & 1u)) || (uses_ac && !(w->huff >> ac & 1u)))
            return pe_img_fail(PE_ERR_FORMAT, why, why_len,
                               "corrupt JPEG: a scan uses a Huffman table that is not defined");
        if (!w->progressive && !(w->quant >> w->tq[c] & 1u))
            return pe_img_fail(
                PE_ERR_FORMAT, why, why_len,
                "corrupt JPEG: a scan uses a quantisation table that is not defined");
        if (uses_dc)
            w->covered |= 1u << c; /* stb zeroes a block when it decodes its first DC */
    }
    return PE_OK;
}

/* At EOI: every component was decoded (else its pixels would be stb's uninitialised memory). */
static pe_status check_eoi(const jpeg_walk *w, int scans, char *why, size_t why_len)
{
    if (!scans)
        return pe_img_fail(PE_ERR_FORMAT, why, why_len, "corrupt JPEG: EOI before any image data");
    for (unsigned c = 0; c < w->ncomp; c++)
        if (!(w->covered >> c & 1u) || !(w->quant >> w->tq[c] & 1u))
            return pe_img_fail(PE_ERR_FORMAT, why, why_len,
                               "corrupt JPEG: component %u is not decoded", c + 1);
    return PE_OK;
}

/* JPEG: walk the marker segments; every segment must fit in the file, the tables must be sound
 * (see jpeg_walk), there must be a scan (SOS), and an EOI marker must follow the scan data.
 * Progressive files have several scans with table segments between them; the walk follows them.
 * Entropy-coded data never contains FF followed by anything but 00 (byte stuffing) or a restart
 * marker, so the first other FF xx after a scan is the next real marker, which is also where stb
 * resumes. Junk between segments and after EOI is skipped, as stb does. Runs before stbi_info,
 * which already parses the tables that precede the frame header. */
pe_status pe_img_check_jpeg(bytes b, char *why, size_t why_len)
{
    jpeg_walk w = { 0 };
    size_t pos = pe_img_jpeg_soi_end(b);
    int scans = 0;
    for (;;) {
        while (pos < b.n && b.d[pos] != 0xFF) /* junk between segments */
            pos++;
        while (pos < b.n && b.d[pos] == 0xFF) /* fill bytes */
            pos++;
        if (pos >= b.n)
            return scans ? pe_img_fail(PE_ERR_FORMAT, why, why_len,
                                       "truncated JPEG: no EOI marker after the scan data")
                         : pe_img_fail(PE_ERR_FORMAT, why, why_len,
                                       "truncated JPEG: the file ends before any image data");
        const unsigned m = b.d[pos++];
        if (m == 0xD9)
            return check_eoi(&w, scans, why, why_len);
        if (m == 0x01 || (m >= 0xD0 && m <= 0xD7)) /* TEM, RSTn: no length */
            continue;
        if (b.n - pos < 2 || be16(b.d + pos) < 2 || be16(b.d + pos) > b.n - pos)
            return pe_img_fail(
                PE_ERR_FORMAT, why, why_len,
                "truncated JPEG: the file ends inside the header segment FF%02X at byte %zu", m,
                pos - 2);
        const unsigned len = be16(b.d + pos);
        pe_status st = PE_OK;
        if (m == 0xC4)
            st = check_dht(b, pos + 2, len, &w, why, why_len);
        else if (m == 0xDB)
            st = check_dqt(b, pos + 2, len, &w, why, why_len);
        else if (m >= 0xC0 && m <= 0xC2)
            st = check_sof(b, pos, len, m, &w, why, why_len);
        else if (m == 0xDA)
            st = check_sos(b, pos, len, &w, why, why_len);
        if (st != PE_OK)
            return st;
        pos += len;
        if (m != 0xDA)
            continue;
        scans++;
        while (pos + 1 < b.n) { /* entropy-coded data up to the next marker */
            if (b.d[pos] == 0xFF && b.d[pos + 1] != 0 && b.d[pos + 1] != 0xFF &&
                !(b.d[pos + 1] >= 0xD0 && b.d[pos + 1] <= 0xD7))
                break;
            pos++;
        }
        if (pos + 1 >= b.n)
            return pe_img_fail(PE_ERR_FORMAT, why, why_len,
                               "truncated JPEG: the scan data is cut off (no EOI marker)");
    }
}

/* GIF sub-blocks: length byte, data, ..., a zero byte. Returns the position after the
 * terminator or 0 when the file ends first. */
static size_t skip_sub_blocks(bytes b, size_t pos)
{
    while (pos < b.n && b.d[pos] != 0)
        pos += 1u + b.d[pos];
    return pos < b.n ? pos + 1 : 0;
}

/* GIF: we show the first frame, so the blocks up to the end of the first image's data must be
 * present. The trailer (3B) is not required: many GIFs in the wild lack it. */
pe_status pe_img_check_gif(bytes b, char *why, size_t why_len)
{
    if (b.n < 13)
        return pe_img_fail(PE_ERR_FORMAT, why, why_len, "truncated GIF: incomplete header");
    size_t pos = 13 + (b.d[10] & 0x80 ? 3u * (2u << (b.d[10] & 7)) : 0u);
    while (pos < b.n) {
        const unsigned block = b.d[pos];
        if (block == 0x21) { /* extension: label, sub-blocks */
            pos = pos + 2 <= b.n ? skip_sub_blocks(b, pos + 2) : 0;
            if (!pos)
                break;
        } else if (block == 0x2C) { /* image: descriptor, local table, LZW size, sub-blocks */
            if (b.n - pos < 10)
                break;
            const unsigned flags = b.d[pos + 9];
            pos += 10 + (flags & 0x80 ? 3u * (2u << (flags & 7)) : 0u) + 1;
            return pos < b.n && skip_sub_blocks(b, pos)
                       ? PE_OK
                       : pe_img_fail(PE_ERR_FORMAT, why, why_len,
                                     "truncated GIF: the first image's data is cut off");
        } else if (block == 0x3B) {
            return pe_img_fail(PE_ERR_FORMAT, why, why_len,
                               "corrupt GIF: no image before the trailer");
        } else {
            return pe_img_fail(PE_ERR_FORMAT, why, why_len,
                               "corrupt GIF: unknown block 0x%02X at byte %zu", block, pos);
        }
    }
    return pe_img_fail(PE_ERR_FORMAT, why, why_len,
                       "truncated GIF: the file ends before the first image");
}

/* The raw formats: the pixel data the header describes must fit in what follows it. */
pe_status pe_img_need(bytes b, uint64_t start, uint64_t len, const char *name, char *why,
                      size_t why_len)
{
    if (start > b.n || len > b.n - start)
        return pe_img_fail(PE_ERR_FORMAT, why, why_len,
                           "truncated %s: the pixel data needs %llu bytes, the file has %llu", name,
                           (unsigned long long)len,
                           (unsigned long long)(start > b.n ? 0 : b.n - start));
    return PE_OK;
}

pe_status pe_img_check_bmp(bytes b, char *why, size_t why_len)
{
    if (b.n < 30)
        return pe_img_fail(PE_ERR_FORMAT, why, why_len, "truncated BMP: incomplete header");
    const uint32_t offset = le32(b.d + 10), hsz = le32(b.d + 14);
    int64_t w, h;
    unsigned bpp;
    uint32_t compression = 0;
    if (hsz == 12) { /* OS/2 core header */
        w = le16(b.d + 18), h = le16(b.d + 20), bpp = le16(b.d + 24);
    } else {
        if (b.n < 34)
            return pe_img_fail(PE_ERR_FORMAT, why, why_len, "truncated BMP: incomplete header");
        w = (int32_t)le32(b.d + 18), h = (int32_t)le32(b.d + 22), bpp = le16(b.d + 28);
        compression = le32(b.d + 30);
    }
    if (compression != 0 && compression != 3) /* compressed: stb refuses those itself */
        return PE_OK;
    const uint64_t stride = ((uint64_t)(w < 0 ? -w : w) * bpp + 31) / 32 * 4;
    return pe_img_need(b, offset, stride * (uint64_t)(h < 0 ? -h : h), "BMP", why, why_len);
}

pe_status pe_img_check_tga(bytes b, int w, int h, char *why, size_t why_len)
{
    if (b.n < 18)
        return pe_img_fail(PE_ERR_FORMAT, why, why_len, "truncated TGA: incomplete header");
    const unsigned type = b.d[2], bpp = b.d[16];
    const uint64_t pb = (bpp + 7u) / 8u, pixels = (uint64_t)w * (uint64_t)h;
    uint64_t pos = 18u + b.d[0] + (b.d[1] ? le16(b.d + 5) * ((b.d[7] + 7u) / 8u) : 0u);
    if (type < 8)
        return pe_img_need(b, pos, pixels * pb, "TGA", why, why_len);
    for (uint64_t done = 0; done < pixels;) { /* RLE packets: header byte, 1 or k pixels */
        if (pos >= b.n)
            return pe_img_fail(PE_ERR_FORMAT, why, why_len,
                               "truncated TGA: the RLE data is cut off");
        const unsigned head = b.d[pos++];
        done += (head & 0x7fu) + 1u;
        pos += (head & 0x80u ? 1u : (head & 0x7fu) + 1u) * pb;
    }
    return pos <= b.n
               ? PE_OK
               : pe_img_fail(PE_ERR_FORMAT, why, why_len, "truncated TGA: the RLE data is cut off");
}
