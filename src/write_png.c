/* write_png: libpng writes the PNG, with one tEXt chunk per metadata entry right after IHDR.
 *
 * Row filter Paeth and zlib's run-length mode: on pictures of flat triangles, files within a
 * few percent of the smallest (every filter at zlib's default level) in a fraction of the time,
 * which the frames of a run need (docs/benchmarks.md, "Frames cost"). */
#include "state.h"

#include <limits.h>
#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* PNG keywords: 1-79 printable Latin-1 bytes, no leading, trailing or double spaces. */
static bool keyword_ok(const char *key)
{
    const size_t n = strlen(key);
    if (n < 1 || n > 79 || key[0] == ' ' || key[n - 1] == ' ')
        return false;
    for (size_t i = 0; i < n; i++) {
        const unsigned char c = (unsigned char)key[i];
        if (c < 32 || (c > 126 && c < 161) || (c == ' ' && key[i + 1] == ' '))
            return false;
    }
    return true;
}

static bool opaque(const pe_image *img)
{
    const size_t n = (size_t)img->width * (size_t)img->height;
    for (size_t i = 0; i < n; i++)
        if (img->rgba[4 * i + 3] != 255)
            return false;
    return true;
}

typedef struct png_out {
    FILE *f;
    bool failed;
} png_out;

static void out_write(png_structp png, png_bytep data, size_t n)
{
    png_out *o = png_get_io_ptr(png);
    if (!o->failed && fwrite(data, 1, n, o->f) != n)
        o->failed = true;
}

static void out_flush(png_structp png)
{
    (void)png;
}

/* libpng reports through these: an error ends the write (longjmp back to encode()), a warning
 * is dropped (the library never prints). */
static void on_error(png_structp png, png_const_charp msg)
{
    (void)msg;
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

/* Encode img to o: RGB when fully opaque (a quarter smaller), else RGBA. libpng allocates only
 * through malloc, so an error it raises is out of memory or a failed write. */
static pe_status encode(png_out *o, const pe_image *img, const pe_metadata *meta, size_t n_meta,
                        png_text *text)
{
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, on_error, on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        return PE_ERR_NOMEM;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return o->failed ? PE_ERR_IO : PE_ERR_NOMEM;
    }
    const bool rgb = opaque(img);
    png_set_write_fn(png, o, out_write, out_flush);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_PAETH);
    png_set_compression_strategy(png, Z_RLE);
    png_set_IHDR(png, info, (png_uint_32)img->width, (png_uint_32)img->height, 8,
                 rgb ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_RGB_ALPHA, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_BASE, PNG_FILTER_TYPE_BASE);
    for (size_t i = 0; i < n_meta; i++)
        text[i] = (png_text){ .compression = PNG_TEXT_COMPRESSION_NONE,
                              .key = (png_charp)(uintptr_t)meta->keys[i],
                              .text = (png_charp)(uintptr_t)meta->values[i],
                              .text_length = strlen(meta->values[i]) };
    if (n_meta)
        png_set_text(png, info, text, (int)n_meta);
    png_write_info(png, info);
    if (rgb)
        png_set_filler(png, 0, PNG_FILLER_AFTER); /* rows stay RGBA: the 4th byte is dropped */
    for (int y = 0; y < img->height; y++)
        png_write_row(png, img->rgba + (size_t)y * (size_t)img->width * 4);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    return o->failed ? PE_ERR_IO : PE_OK;
}

pe_status pe_write_png(FILE *f, const pe_image *img, const pe_metadata *meta)
{
    if (!f || !img || img->width < 1 || img->height < 1 || !img->rgba || !pe_metadata_ok(meta))
        return PE_ERR_INVALID_ARG;
    /* the limit of the writer before (stb_image_write), kept: callers check it before work */
    if ((double)img->height * (4.0 * img->width + 1.0) > INT_MAX)
        return PE_ERR_LIMIT;
    const size_t n_meta = meta ? meta->count : 0;
    for (size_t i = 0; i < n_meta; i++)
        if (!keyword_ok(meta->keys[i]) || strlen(meta->values[i]) > INT_MAX - 80)
            return PE_ERR_INVALID_ARG;
    png_text *text = n_meta ? malloc(n_meta * sizeof *text) : NULL;
    if (n_meta && !text)
        return PE_ERR_NOMEM;
    png_out o = { f, false };
    const pe_status s = encode(&o, img, meta, n_meta, text);
    free(text);
    return s == PE_OK && ferror(f) ? PE_ERR_IO : s;
}
