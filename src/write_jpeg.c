/* write_jpeg: JPEG through stb_image_write's baseline encoder, for users whose tools want JPEG
 * (primitive's `-o out.jpg`). JPEG has no alpha: pixels are composited over white, as the loader
 * does with input alpha. Metadata goes into one COM segment right after SOI, "key=value; ...". */
#include "polyevolve.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <stb_image_write.h>

typedef struct jbuf {
    unsigned char *data;
    size_t len, cap;
    bool failed;
} jbuf;

static void append(void *ctx, void *data, int size)
{
    jbuf *b = ctx;
    if (b->failed || size <= 0)
        return;
    const size_t n = (size_t)size;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        unsigned char *bigger = realloc(b->data, cap);
        if (!bigger) {
            b->failed = true;
            return;
        }
        b->data = bigger;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, n);
    b->len += n;
}

/* One COM segment with the metadata, none without. Text longer than a segment holds (65533
 * bytes) is cut: a comment is informative only. */
static void put_comment(FILE *f, const pe_metadata *meta)
{
    if (!meta || meta->count == 0)
        return;
    size_t n = 0;
    char text[65533];
    for (size_t i = 0; i < meta->count && n < sizeof text; i++) {
        const int k = snprintf(text + n, sizeof text - n, "%s%s=%s", i ? "; " : "", meta->keys[i],
                               meta->values[i]);
        if (k < 0)
            return;
        n += (size_t)k;
    }
    if (n > sizeof text - 1)
        n = sizeof text - 1;
    const unsigned char head[4] = { 0xFF, 0xFE, (unsigned char)((n + 2) >> 8),
                                    (unsigned char)((n + 2) & 0xFF) };
    fwrite(head, 1, 4, f);
    fwrite(text, 1, n, f);
}

pe_status pe_write_jpeg(FILE *f, const pe_image *img, int quality, const pe_metadata *meta)
{
    if (img->width < 1 || img->height < 1 || !img->rgba || quality < 1 || quality > 100 ||
        img->width > 65535 || img->height > 65535)
        return PE_ERR_INVALID_ARG;
    const size_t n = (size_t)img->width * (size_t)img->height;
    unsigned char *rgb = malloc(n * 3);
    if (!rgb)
        return PE_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        const unsigned a = img->rgba[4 * i + 3];
        for (int c = 0; c < 3; c++) /* over white, rounded */
            rgb[3 * i + c] =
                (unsigned char)((img->rgba[4 * i + c] * a + 255 * (255 - a) + 127) / 255);
    }
    jbuf b = { 0 };
    const int ok = stbi_write_jpg_to_func(append, &b, img->width, img->height, 3, rgb, quality);
    free(rgb);
    pe_status s = ok && !b.failed ? PE_OK : PE_ERR_NOMEM;
    if (s == PE_OK && (b.len < 2 || b.data[0] != 0xFF || b.data[1] != 0xD8))
        s = PE_ERR_FORMAT; /* not what stb writes; refuse rather than splice blindly */
    if (s == PE_OK) {
        fwrite(b.data, 1, 2, f);
        put_comment(f, meta);
        fwrite(b.data + 2, 1, b.len - 2, f);
        s = ferror(f) ? PE_ERR_IO : PE_OK;
    }
    free(b.data);
    return s;
}
