/* write_jpeg: JPEG through libjpeg(-turbo), for users whose tools want JPEG (primitive's
 * `-o out.jpg`). JPEG has no alpha: pixels are composited over white, as the loader does with
 * input alpha. Metadata goes into one COM marker, "key=value; key=value".
 *
 * libjpeg reports errors by calling error_exit, which by default exits the process: the library
 * never exits, so error_exit jumps back here (setjmp/longjmp, libjpeg's documented way). */
#include "state.h"

#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

typedef struct jpeg_error {
    struct jpeg_error_mgr mgr; /* first: libjpeg sees a jpeg_error_mgr */
    jmp_buf jump;
} jpeg_error;

static void on_error(j_common_ptr cinfo)
{
    jpeg_error *e = (jpeg_error *)(void *)cinfo->err;
    longjmp(e->jump, 1);
}

static void on_message(j_common_ptr cinfo)
{
    (void)cinfo; /* warnings: the library never prints */
}

/* "key=value; key=value" (malloc'ed), cut to what one marker holds (65533 bytes: a comment is
 * informative only); NULL when out of memory. */
static char *comment_of(const pe_metadata *meta, size_t *len)
{
    enum { MAX = 65533 };
    char *text = malloc(MAX + 1);
    size_t n = 0;
    for (size_t i = 0; text && i < meta->count && n < MAX; i++) {
        const int k = snprintf(text + n, MAX + 1 - n, "%s%s=%s", i ? "; " : "", meta->keys[i],
                               meta->values[i]);
        n = k < 0 ? n : n + (size_t)k > MAX ? MAX : n + (size_t)k;
    }
    *len = n;
    return text;
}

/* Row y of img over white. */
static void row_over_white(const pe_image *img, int y, unsigned char *rgb)
{
    const unsigned char *p = img->rgba + (size_t)y * (size_t)img->width * 4;
    for (int x = 0; x < img->width; x++, p += 4)
        for (int c = 0; c < 3; c++)
            rgb[3 * x + c] = (unsigned char)((p[c] * p[3] + 255 * (255 - p[3]) + 127) / 255);
}

typedef struct jpeg_job {
    FILE *f;
    const pe_image *img;
    int quality;
    const char *comment; /* NULL: no COM marker */
    size_t comment_len;
    unsigned char *row; /* one RGB row */
} jpeg_job;

/* The libjpeg calls, alone in their function: nothing here changes after setjmp, so the jump
 * back clobbers nothing. false when libjpeg failed. */
static bool compress(const jpeg_job *j)
{
    struct jpeg_compress_struct cinfo;
    jpeg_error err;
    cinfo.err = jpeg_std_error(&err.mgr);
    err.mgr.error_exit = on_error;
    err.mgr.output_message = on_message;
    if (setjmp(err.jump)) {
        jpeg_destroy_compress(&cinfo);
        return false;
    }
    jpeg_create_compress(&cinfo);
    jpeg_stdio_dest(&cinfo, j->f);
    cinfo.image_width = (JDIMENSION)j->img->width;
    cinfo.image_height = (JDIMENSION)j->img->height;
    cinfo.input_components = 3;
    cinfo.in_color_space = JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, j->quality, TRUE);
    cinfo.optimize_coding = TRUE; /* smaller files, same pixels */
    jpeg_start_compress(&cinfo, TRUE);
    if (j->comment)
        jpeg_write_marker(&cinfo, JPEG_COM, (const JOCTET *)j->comment, (unsigned)j->comment_len);
    while (cinfo.next_scanline < cinfo.image_height) {
        row_over_white(j->img, (int)cinfo.next_scanline, j->row);
        JSAMPROW rows[1] = { j->row };
        jpeg_write_scanlines(&cinfo, rows, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    return true;
}

pe_status pe_write_jpeg(FILE *f, const pe_image *img, int quality, const pe_metadata *meta)
{
    if (!f || !img || img->width < 1 || img->height < 1 || !img->rgba || quality < 1 ||
        quality > 100 || img->width > 65500 || img->height > 65500 || !pe_metadata_ok(meta))
        return PE_ERR_INVALID_ARG;
    jpeg_job j = { f, img, quality, NULL, 0, malloc((size_t)img->width * 3) };
    char *comment = meta && meta->count ? comment_of(meta, &j.comment_len) : NULL;
    j.comment = comment;
    pe_status s = PE_ERR_NOMEM;
    if (j.row && (comment || !meta || !meta->count))
        s = !compress(&j) ? (ferror(f) ? PE_ERR_IO : PE_ERR_NOMEM) : ferror(f) ? PE_ERR_IO : PE_OK;
    free(j.row);
    free(comment);
    return s;
}
