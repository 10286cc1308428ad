/* image: decode files into our own RGBA buffers through stb_image, refusing malformed or
 * oversized input before decoding; resample with stb_image_resize.
 *
 * Loading goes: read the whole file into memory -> probe the header (format, width, height) ->
 * check the pixel limit -> structural check of the container -> stbi_load_from_memory -> copy
 * into a malloc'd buffer that the caller owns -> stbi_image_free. stb's memory never leaves
 * this file.
 *
 * Why a structural check before stb: stb_image is built to show whatever it can, so for several
 * formats it pads missing data instead of failing. stb 2.27 accepts a BMP, TGA, PNM, PSD or GIF
 * cut in half and returns an image whose tail is black or transparent, and older stb releases
 * did the same with a JPEG missing its EOI marker (grey padding). A picture with a silently
 * invented half would be approximated without complaint, so we check that the data the header
 * promises is actually there: PNG ends with IEND, JPEG has an EOI after its scan data, GIF's
 * first image is complete, and the raw formats are long enough. These checks only walk the
 * container (bounds-checked reads in image_check.c, image_pnm.c and image_psd.c); they do not
 * decode.
 */
#define _POSIX_C_SOURCE 200809L /* fileno, fstat */
#include "image.h"
#include "image_format.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <stb_image.h>
#include <stb_image_resize.h>

/* 50 megapixels: 200 MB as RGBA; larger than any photo a phone takes today. */
#define DEFAULT_MAX_PIXELS 50000000u
#define SUPPORTED "PNG, JPEG, BMP, TGA, GIF, PSD or binary PNM"

typedef enum kind { K_PNG, K_JPEG, K_GIF, K_BMP, K_PSD, K_PNM, K_TGA } kind;

static const char *const kind_name[] = {"PNG", "JPEG", "GIF", "BMP", "PSD", "PNM", "TGA"};

pe_load_limits pe_load_limits_default(void)
{
    return (pe_load_limits){.max_pixels = DEFAULT_MAX_PIXELS};
}

void pe_image_free(pe_image *img)
{
    if (!img)
        return;
    free(img->rgba);
    *img = (pe_image){0};
}

/* Write the reason for a failure; keeps errno, which the caller of an I/O failure relies on. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 4, 5)))
#endif
pe_status pe_img_fail(pe_status st, char *why, size_t why_len, const char *fmt, ...)
{
    if (why && why_len) {
        const int saved = errno;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, why_len, fmt, ap);
        va_end(ap);
        errno = saved;
    }
    return st;
}

/* ---------------------------------------------------------------- probing and decoding */

/* stb_image's STBI_MAX_DIMENSIONS, left at its default (stb_impl.c says why) */
#define STB_MAX_SIDE (1 << 24)

/* Identify the format and read the size from the header. PNG is read here and not through
 * stbi_info because stb's PNG header check already refuses claims above 1 GiB, and we want to
 * report those as PE_ERR_LIMIT with the real numbers. */
static pe_status probe(bytes b, kind *k, int *w, int *h, char *why, size_t why_len)
{
    if (b.n == 0)
        return pe_img_fail(PE_ERR_FORMAT, why, why_len, "empty file");
    if (b.n > INT32_MAX) /* stb takes the length as an int */
        return pe_img_fail(PE_ERR_LIMIT, why, why_len, "file is larger than 2 GiB");
    if (starts(b, "\x89PNG\r\n\x1a\n")) {
        *k = K_PNG;
        if (b.n < 33 || be32(b.d + 8) != 13 || memcmp(b.d + 12, "IHDR", 4) != 0)
            return pe_img_fail(PE_ERR_FORMAT, why, why_len,
                               "corrupt PNG: no IHDR chunk after the signature");
        const uint32_t pw = be32(b.d + 16), ph = be32(b.d + 20);
        if (pw == 0 || ph == 0 || pw > INT32_MAX || ph > INT32_MAX)
            return pe_img_fail(PE_ERR_FORMAT, why, why_len, "corrupt PNG: size %lux%lu",
                               (unsigned long)pw, (unsigned long)ph);
        *w = (int)pw, *h = (int)ph;
        return PE_OK;
    }
    *k = pe_img_jpeg_soi_end(b) ? K_JPEG
         : starts(b, "GIF87a") || starts(b, "GIF89a") ? K_GIF
         : starts(b, "BM")                            ? K_BMP
         : starts(b, "8BPS")                          ? K_PSD
         : starts(b, "P5") || starts(b, "P6")         ? K_PNM
                                                      : K_TGA; /* TGA has no magic number */
    /* Two checks guard stb's own header parsers, so they run before stbi_info: numbers in a PNM
     * header (see check_pnm) and the JPEG walk with its Huffman tables (see check_dht). A JPEG
     * damaged anywhere is therefore refused as PE_ERR_FORMAT before its size is compared with
     * the limit. */
    if (*k == K_PNM || *k == K_JPEG) {
        uint64_t v[3];
        size_t data;
        const pe_status st =
            *k == K_PNM ? pe_img_pnm_header(b, v, &data, why, why_len) : pe_img_check_jpeg(b, why, why_len);
        if (st != PE_OK)
            return st;
    }
    int comp;
    if (!stbi_info_from_memory(b.d, (int)b.n, w, h, &comp)) {
        if (!strcmp(stbi_failure_reason(), "too large"))
            return pe_img_fail(PE_ERR_LIMIT, why, why_len,
                               "the %s's size is above stb_image's limit of %d px a side",
                               kind_name[*k], STB_MAX_SIDE);
        if (*k == K_TGA)
            return pe_img_fail(PE_ERR_FORMAT, why, why_len, "not an image (" SUPPORTED ")");
        return pe_img_fail(PE_ERR_FORMAT, why, why_len, "corrupt %s header (stb_image: %s)",
                           kind_name[*k], stbi_failure_reason());
    }
    if (*w <= 0 || *h <= 0)
        return pe_img_fail(PE_ERR_FORMAT, why, why_len, "corrupt %s: size %dx%d", kind_name[*k], *w,
                           *h);
    return PE_OK;
}

static pe_status check_structure(bytes b, kind k, int w, int h, char *why, size_t why_len)
{
    switch (k) {
    case K_PNG: return pe_img_check_png(b, w, h, why, why_len);
    case K_JPEG: return PE_OK; /* checked in probe() */
    case K_GIF: return pe_img_check_gif(b, why, why_len);
    case K_BMP: return pe_img_check_bmp(b, why, why_len);
    case K_PSD: return pe_img_check_psd(b, w, h, why, why_len);
    case K_PNM: return pe_img_check_pnm(b, why, why_len);
    case K_TGA: return pe_img_check_tga(b, w, h, why, why_len);
    }
    return PE_OK;
}

/* Copy n pixels of 1 (gray), 3 (RGB) or 4 (RGBA) channels into RGBA. */
static void to_rgba(const unsigned char *px, int channels, size_t n, unsigned char *rgba)
{
    if (channels == 4) {
        memcpy(rgba, px, n * 4u);
        return;
    }
    for (size_t i = 0; i < n; i++, px += channels, rgba += 4) {
        rgba[0] = px[0];
        rgba[1] = px[channels == 3 ? 1 : 0];
        rgba[2] = px[channels == 3 ? 2 : 0];
        rgba[3] = 255;
    }
}

/* Decode with stb into out (RGBA, owned by the caller) after every check has passed. */
static pe_status decode(bytes b, kind k, int w, int h, pe_image *out, char *why, size_t why_len)
{
    const uint64_t pixels = (uint64_t)w * (uint64_t)h;
    /* PNM is decoded in its own channel count and expanded here: stb 2.27 converts a 16-bit
     * PNM to the requested channels with its 8-bit converter and then reads twice the buffer it
     * made (heap overflow found by fuzz_image; fixed upstream in 2.28). Without a requested
     * count stb skips that step and reduces 16 to 8 bits correctly. */
    const int req = k == K_PNM ? 0 : 4;
    int x = 0, y = 0, comp = 0;
    unsigned char *px = stbi_load_from_memory(b.d, (int)b.n, &x, &y, &comp, req);
    if (!px) {
        const char *r = stbi_failure_reason();
        if (r && strcmp(r, "outofmem") == 0)
            return pe_img_fail(PE_ERR_NOMEM, why, why_len, "out of memory decoding a %dx%d %s", w,
                               h, kind_name[k]);
        return pe_img_fail(PE_ERR_FORMAT, why, why_len, "corrupt %s data (stb_image: %s)",
                           kind_name[k], r ? r : "?");
    }
    if (x != w || y != h) { /* cannot happen with stb 2.27; do not trust a size we did not check */
        stbi_image_free(px);
        return pe_img_fail(PE_ERR_FORMAT, why, why_len, "corrupt %s: header says %dx%d, data %dx%d",
                           kind_name[k], w, h, x, y);
    }
    const int channels = req ? req : comp;
    if (channels != 1 && channels != 3 && channels != 4) { /* PNM is gray or RGB */
        stbi_image_free(px);
        return pe_img_fail(PE_ERR_FORMAT, why, why_len, "corrupt %s: %d channels", kind_name[k],
                           channels);
    }
    /* stb's size checks use int; ours use size_t and also hold on 32-bit systems. */
    if (pixels > SIZE_MAX / 4u || !(out->rgba = malloc((size_t)pixels * 4u))) {
        stbi_image_free(px);
        return pe_img_fail(PE_ERR_NOMEM, why, why_len, "out of memory for a %dx%d image", w, h);
    }
    to_rgba(px, channels, (size_t)pixels, out->rgba);
    stbi_image_free(px);
    out->width = w, out->height = h;
    return PE_OK;
}

/* stb un-mattes a PSD with alpha (its colours are stored composited over white) in floats, and
 * for colours below the matte, which crafted files have, the float is out of the range of
 * unsigned char: undefined behaviour (found by fuzz_image in stb 2.27, the PSD loader's white
 * matte removal). So stb decodes the colour planes and the alpha plane as two PSDs of their own,
 * neither with alpha, and the matte is removed here, in integers, clamped. */
static pe_status decode_psd_alpha(bytes b, const psd_info *p, int w, int h, pe_image *out,
                                  char *why, size_t why_len)
{
    size_t n_rgb = 0, n_alpha = 0;
    unsigned char *rgb = pe_img_psd_subset(b, p, w, h, 0, 3, &n_rgb);
    unsigned char *alpha = rgb ? pe_img_psd_subset(b, p, w, h, 3, 1, &n_alpha) : NULL;
    pe_image a = {0};
    pe_status st = alpha ? decode((bytes){rgb, n_rgb}, K_PSD, w, h, out, why, why_len)
                         : pe_img_fail(PE_ERR_NOMEM, why, why_len, "out of memory splitting a PSD");
    if (st == PE_OK)
        st = decode((bytes){alpha, n_alpha}, K_PSD, w, h, &a, why, why_len);
    free(alpha);
    free(rgb);
    if (st != PE_OK) {
        pe_image_free(out);
        return st;
    }
    for (size_t i = 0, n = (size_t)w * (size_t)h; i < n; i++) {
        unsigned char *px = out->rgba + 4 * i;
        const int alpha_i = a.rgba[4 * i]; /* the one-channel PSD's plane lands in red */
        px[3] = (unsigned char)alpha_i;
        if (alpha_i == 0 || alpha_i == 255)
            continue;
        for (int c = 0; c < 3; c++) { /* stored = c * a / 255 + 255 - a; rounded back */
            const int num = (px[c] - (255 - alpha_i)) * 255;
            const int v = num <= 0 ? 0 : (num + alpha_i / 2) / alpha_i;
            px[c] = (unsigned char)(v > 255 ? 255 : v);
        }
    }
    pe_image_free(&a);
    return PE_OK;
}

pe_status pe_image_load_memory_ex(const unsigned char *data, size_t size, const pe_load_limits *lim,
                                  pe_image *out, char *why, size_t why_len)
{
    if (why && why_len)
        why[0] = '\0';
    if (!out)
        return pe_img_fail(PE_ERR_INVALID_ARG, why, why_len, "no image to load into (out is NULL)");
    *out = (pe_image){0};
    if (!data && size > 0)
        return pe_img_fail(PE_ERR_INVALID_ARG, why, why_len, "no data (data is NULL)");
    const bytes b = {data, size};
    const uint64_t max_pixels = lim ? lim->max_pixels : DEFAULT_MAX_PIXELS;
    kind k = K_TGA;
    int w = 0, h = 0;
    pe_status st = probe(b, &k, &w, &h, why, why_len);
    if (st != PE_OK)
        return st;
    if (w > STB_MAX_SIDE || h > STB_MAX_SIDE) /* stb would call it corrupt ("too large") */
        return pe_img_fail(PE_ERR_LIMIT, why, why_len,
                           "a %dx%d image is above stb_image's limit of %d px a side", w, h,
                           STB_MAX_SIDE);
    const uint64_t pixels = (uint64_t)w * (uint64_t)h;
    if (pixels > max_pixels)
        return pe_img_fail(PE_ERR_LIMIT, why, why_len,
                           "image is %dx%d = %.3g pixels, above the limit of %.3g", w, h,
                           (double)pixels, (double)max_pixels);
    st = check_structure(b, k, w, h, why, why_len);
    if (st != PE_OK)
        return st;

    if (k == K_PNM) {
        const pe_status pst = pe_img_load_pnm16(b, w, h, out);
        if (pst != PE_ERR_INVALID_ARG) /* INVALID_ARG: an 8-bit PNM, stb decodes it */
            return pst == PE_OK ? PE_OK
                                : pe_img_fail(pst, why, why_len, "corrupt or truncated 16-bit PNM");
    }
    psd_info p;
    if (k == K_PSD && pe_img_psd_read(b, &p, NULL, 0) == PE_OK && p.channels >= 4 && p.mode == 3 &&
        p.compression <= 1 && (p.depth == 8 || p.depth == 16))
        return decode_psd_alpha(b, &p, w, h, out, why, why_len);
    return decode(b, k, w, h, out, why, why_len);
}

pe_status pe_image_load_memory(const unsigned char *data, size_t size, const pe_load_limits *lim,
                               pe_image *out)
{
    return pe_image_load_memory_ex(data, size, lim, out, NULL, 0);
}

/* Could b (the first bytes of a file, at least 18) start an image we read? The magic numbers,
 * or for TGA, which has none, a colour-map type and an image type that stb accepts. Lets a
 * stream that is no image (/dev/zero) be refused at its first block, not after 2 GiB. */
static bool plausible_start(bytes b)
{
    return starts(b, "\x89PNG") || pe_img_jpeg_soi_end(b) || starts(b, "GIF8") ||
           starts(b, "BM") || starts(b, "8BPS") || starts(b, "P5") || starts(b, "P6") ||
           (b.d[1] == 0 && (b.d[2] == 2 || b.d[2] == 3 || b.d[2] == 10 || b.d[2] == 11)) ||
           (b.d[1] == 1 && (b.d[2] == 1 || b.d[2] == 9));
}

/* Read a whole stream into a malloc'd buffer (*data, owned by the caller). Growing reads, so
 * pipes and /proc files without a meaningful st_size work too. Refuses, with the reason in why,
 * a stream whose first block is no image and one longer than `limit` bytes. */
static pe_status read_all(FILE *f, size_t hint, uint64_t limit, unsigned char **data,
                          size_t *size, char *why, size_t why_len)
{
    size_t cap = hint + 1 > 4096 ? hint + 1 : 4096, n = 0;
    unsigned char *buf = malloc(cap);
    pe_status st = buf ? PE_OK : PE_ERR_NOMEM;
    while (st == PE_OK) {
        const size_t before = n;
        n += fread(buf + n, 1, cap - n, f);
        if (before == 0 && n >= 18 && !plausible_start((bytes){buf, n}))
            st = pe_img_fail(PE_ERR_FORMAT, why, why_len, "not an image (" SUPPORTED ")");
        else if (n > limit)
            st = pe_img_fail(PE_ERR_LIMIT, why, why_len,
                             "more than %llu bytes: larger than any image within the pixel limit",
                             (unsigned long long)limit);
        if (st != PE_OK || n < cap)
            break;
        unsigned char *more = realloc(buf, cap * 2);
        if (!more)
            st = PE_ERR_NOMEM;
        else
            buf = more, cap *= 2;
    }
    if (st == PE_OK && ferror(f)) {
        const int saved = errno;
        st = PE_ERR_IO;
        errno = saved ? saved : EIO;
    }
    if (st != PE_OK) {
        const int saved = errno;
        free(buf);
        errno = saved;
        return st;
    }
    *data = buf, *size = n;
    return PE_OK;
}

/* Read f to its end within the byte bound of lim's pixel limit and decode it. hint: the size
 * fstat gave a regular file (0 when unknown); size: that file's size, refused at once when
 * above the bound. */
static pe_status load_stream(FILE *f, const struct stat *sb, const pe_load_limits *lim,
                             pe_image *out, char *why, size_t why_len)
{
    unsigned char *data = NULL;
    size_t size = 0;
    const bool regular = S_ISREG(sb->st_mode);
    const size_t hint =
        regular && sb->st_size > 0 && (uint64_t)sb->st_size < INT32_MAX ? (size_t)sb->st_size : 0;
    /* 8 bytes a pixel (16-bit RGBA, uncompressed) and 16 MiB of other chunks is more than any
     * image within the pixel limit needs; and stb takes the length as an int */
    const uint64_t max_pixels = lim ? lim->max_pixels : DEFAULT_MAX_PIXELS;
    uint64_t limit = max_pixels < (uint64_t)INT32_MAX / 8 ? max_pixels * 8 + (16u << 20) : 0;
    limit = limit && limit < (uint64_t)INT32_MAX ? limit : (uint64_t)INT32_MAX;
    errno = 0;
    pe_status st = regular && (uint64_t)sb->st_size > limit
                       ? pe_img_fail(PE_ERR_LIMIT, why, why_len,
                                     "%llu bytes: larger than any image within the pixel limit",
                                     (unsigned long long)sb->st_size)
                       : read_all(f, hint, limit, &data, &size, why, why_len);
    if (st == PE_ERR_FORMAT || st == PE_ERR_LIMIT)
        return st;
    if (st == PE_ERR_IO)
        return pe_img_fail(st, why, why_len, "cannot read the file");
    if (st == PE_ERR_NOMEM)
        return pe_img_fail(st, why, why_len, "out of memory reading the file");
    st = pe_image_load_memory_ex(data, size, lim, out, why, why_len);
    free(data);
    return st;
}

pe_status pe_image_load_ex(const char *path, const pe_load_limits *lim, pe_image *out, char *why,
                           size_t why_len)
{
    if (why && why_len)
        why[0] = '\0';
    if (!out)
        return pe_img_fail(PE_ERR_INVALID_ARG, why, why_len, "no image to load into (out is NULL)");
    *out = (pe_image){0};
    if (!path)
        return pe_img_fail(PE_ERR_INVALID_ARG, why, why_len, "no path (path is NULL)");
    FILE *f = fopen(path, "rb");
    if (!f)
        return pe_img_fail(PE_ERR_IO, why, why_len, "cannot open the file");
    /* fopen succeeds on a directory on Linux (reading then fails with EISDIR); say so at once. */
    struct stat sb;
    const int stat_ok = fstat(fileno(f), &sb) == 0;
    if (!stat_ok || S_ISDIR(sb.st_mode)) {
        const int err = stat_ok ? EISDIR : errno;
        fclose(f);
        errno = err;
        return pe_img_fail(PE_ERR_IO, why, why_len,
                           err == EISDIR ? "is a directory" : "cannot read the file");
    }
    const pe_status st = load_stream(f, &sb, lim, out, why, why_len);
    const int err = errno;
    fclose(f);
    errno = err;
    return st;
}

pe_status pe_image_load_stream_ex(FILE *f, const pe_load_limits *lim, pe_image *out, char *why,
                                  size_t why_len)
{
    if (!out)
        return PE_ERR_INVALID_ARG;
    *out = (pe_image){0};
    if (why && why_len)
        why[0] = '\0';
    if (!f)
        return pe_img_fail(PE_ERR_INVALID_ARG, why, why_len, "no stream");
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0)
        return pe_img_fail(PE_ERR_IO, why, why_len, "cannot read the stream");
    if (S_ISDIR(sb.st_mode)) {
        errno = EISDIR;
        return pe_img_fail(PE_ERR_IO, why, why_len, "is a directory");
    }
    return load_stream(f, &sb, lim, out, why, why_len);
}

pe_status pe_image_load(const char *path, const pe_load_limits *lim, pe_image *out)
{
    return pe_image_load_ex(path, lim, out, NULL, 0);
}

/* ---------------------------------------------------------------- helpers for the pipeline */

pe_status pe_image_alloc(int w, int h, pe_image *out)
{
    *out = (pe_image){0};
    if (w < 1 || h < 1)
        return PE_ERR_INVALID_ARG;
    if ((size_t)w > SIZE_MAX / 4u / (size_t)h)
        return PE_ERR_NOMEM;
    out->rgba = calloc((size_t)w * (size_t)h, 4);
    if (!out->rgba)
        return PE_ERR_NOMEM;
    out->width = w, out->height = h;
    return PE_OK;
}

pe_status pe_image_resize(const pe_image *src, int w, int h, pe_image *out)
{
    assert(src && src->rgba && out && out != src);
    pe_status st = pe_image_alloc(w, h, out);
    if (st != PE_OK)
        return st;
    if (w == src->width && h == src->height) {
        memcpy(out->rgba, src->rgba, (size_t)w * (size_t)h * 4u);
        return PE_OK;
    }
    /* Alpha is channel 3 and STBIR_FLAG_ALPHA_PREMULTIPLIED is not set: stb weights colour by
     * alpha while filtering, so transparent pixels do not darken or tint the result.
     * Catmull-Rom, not stb's default Mitchell, because it keeps the detail a sharp
     * (Lanczos-like) downscale keeps, and a picture fitted to a blurrier target is further from
     * the sharp one people compare it with (docs/benchmarks.md, "Search settings"). */
    if (!stbir_resize_uint8_generic(src->rgba, src->width, src->height, 0, out->rgba, w, h, 0, 4, 3,
                                    0, STBIR_EDGE_CLAMP, STBIR_FILTER_CATMULLROM,
                                    STBIR_COLORSPACE_LINEAR, NULL)) {
        pe_image_free(out);
        return PE_ERR_NOMEM;
    }
    return PE_OK;
}

void pe_image_working_size(int w, int h, int longest, int *ow, int *oh)
{
    const int64_t big = w > h ? w : h;
    *ow = w, *oh = h;
    if (longest <= 0 || longest >= big)
        return;
    /* round(side * longest / big) in integers, halves up; exact, unlike float rounding. */
    const int64_t sw = ((int64_t)w * longest * 2 + big) / (2 * big);
    const int64_t sh = ((int64_t)h * longest * 2 + big) / (2 * big);
    *ow = w >= h ? longest : (int)(sw > 0 ? sw : 1);
    *oh = h > w ? longest : (int)(sh > 0 ? sh : 1);
}
