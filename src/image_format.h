/* image_format: the structural checks image.c runs on a file's container before stb_image sees
 * it (see the top of image.c for why), split by format: image_check.c (PNG, JPEG, GIF, BMP,
 * TGA), image_pnm.c (PNM, with its own 16-bit decoder) and image_psd.c (PSD). Internal. */
#ifndef PE_IMAGE_FORMAT_H
#define PE_IMAGE_FORMAT_H

#include "polyevolve.h"

#include <stdint.h>
#include <string.h>

/* A borrowed view of the whole file. */
typedef struct bytes {
    const unsigned char *d;
    size_t n;
} bytes;

static inline uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline unsigned be16(const unsigned char *p) { return (unsigned)p[0] << 8 | p[1]; }
static inline uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}
static inline unsigned le16(const unsigned char *p) { return (unsigned)p[1] << 8 | p[0]; }

static inline int starts(bytes b, const char *magic)
{
    const size_t k = strlen(magic);
    return b.n >= k && memcmp(b.d, magic, k) == 0;
}

/* Write the reason for a failure into why (may be NULL) and return st; keeps errno, which the
 * caller of an I/O failure relies on. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 4, 5)))
#endif
pe_status pe_img_fail(pe_status st, char *why, size_t why_len, const char *fmt, ...);

/* The raw formats: the pixel data the header describes must fit in what follows it. */
pe_status pe_img_need(bytes b, uint64_t start, uint64_t len, const char *name, char *why,
                      size_t why_len);

/* Container checks: PE_OK or PE_ERR_FORMAT with the reason in why. */
pe_status pe_img_check_png(bytes b, int w, int h, char *why, size_t why_len);
pe_status pe_img_check_jpeg(bytes b, char *why, size_t why_len);
pe_status pe_img_check_gif(bytes b, char *why, size_t why_len);
pe_status pe_img_check_bmp(bytes b, char *why, size_t why_len);
pe_status pe_img_check_tga(bytes b, int w, int h, char *why, size_t why_len);
pe_status pe_img_check_pnm(bytes b, char *why, size_t why_len);
pe_status pe_img_check_psd(bytes b, int w, int h, char *why, size_t why_len);

/* stb's SOI test: the offset after the SOI marker, or 0 when b is not a JPEG. */
size_t pe_img_jpeg_soi_end(bytes b);

/* The PNM header: v = width, height, maxval; *data = where the samples start. */
pe_status pe_img_pnm_header(bytes b, uint64_t v[3], size_t *data, char *why, size_t why_len);

/* Decode a 16-bit binary PNM into out (RGBA, owned by the caller); PE_ERR_INVALID_ARG for an
 * 8-bit one, which stb decodes. */
pe_status pe_img_load_pnm16(bytes b, int w, int h, pe_image *out);

/* Where a PSD's merged image is: after the header and three length-prefixed sections comes
 * the compression (0 raw planes, 1 PackBits rows behind a table of per-row byte counts), then
 * the data, one plane per channel. */
typedef struct psd_info {
    unsigned channels, depth, mode, compression;
    uint64_t data; /* first byte after the compression field */
} psd_info;

pe_status pe_img_psd_read(bytes b, psd_info *p, char *why, size_t why_len);

/* A copy of the PSD with only channels [first, first + count) (malloc'd, owned by the caller;
 * *size its length), or NULL when out of memory. pe_img_check_psd must have passed. */
unsigned char *pe_img_psd_subset(bytes b, const psd_info *p, int w, int h, unsigned first,
                                 unsigned count, size_t *size);

#endif /* PE_IMAGE_FORMAT_H */
