/* stb_impl: the one translation unit that compiles stb's implementations (from Debian's
 * libstb-dev headers). It is built as its own target, pe_stb, without our warning flags:
 * third-party code we do not edit. Only image.c calls stb_image and stb_image_resize; the
 * writers may call stb_image_write.
 *
 * Why these defines:
 * - STBI_ONLY_*: exactly the formats polyevolve.h promises. HDR and Softimage PIC are left out,
 *   so they are not reachable from untrusted input (less decoder surface for the fuzzer and for
 *   users), and an .hdr file gets a clean PE_ERR_FORMAT instead of a tone-mapped surprise.
 * - STBI_MAX_DIMENSIONS is left at stb's default (1 << 24 per side). Giant header claims are
 *   refused earlier and more cheaply in image.c: the caller's pe_load_limits.max_pixels is checked
 *   from the header, and a structural check compares the claimed size with the data actually
 *   present (a 100000 x 100000 PNG whose IDAT is 300 bytes is rejected before any allocation).
 *   stb itself also refuses to allocate more than 1 GiB for one image.
 * - stb keeps its failure reason in a thread-local variable (STBI_THREAD_LOCAL, C11), and we
 *   never call the global stbi_set_* switches (flip, unpremultiply, iphone), so decoding from
 *   several threads at once is safe.
 * - STBIW_ZLIB_COMPRESS: PNGs are deflated by zlib (Debian's zlib1g, already a dependency)
 *   instead of stb's own compressor, which its author calls neither small nor fast: a default
 *   run writes 100 frames, and stb's deflate took a quarter of that run's CPU.
 */
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_ONLY_BMP
#define STBI_ONLY_TGA
#define STBI_ONLY_GIF
#define STBI_ONLY_PSD
#define STBI_ONLY_PNM

#define STB_IMAGE_IMPLEMENTATION
#include <stb_image.h>

#include <stdlib.h>
#include <zlib.h>

/* stb's contract: a malloc'ed zlib stream (stb frees it), NULL on failure. Z_RLE: on PNG's
 * filtered rows of these pictures run-length matching is both the fastest zlib mode and the
 * smallest output (a default mona run's 100 frames: 5.2 MB, against 5.5 MB at zlib's default
 * and 6.8 MB from stb, with the run 17-19 % shorter than with stb's compressor). */
static unsigned char *zlib_compress(unsigned char *data, int data_len, int *out_len, int quality)
{
    (void)quality;
    z_stream zs = { 0 };
    if (data_len < 0 || deflateInit2(&zs, 6, Z_DEFLATED, 15, 8, Z_RLE) != Z_OK)
        return NULL;
    const uLong cap = deflateBound(&zs, (uLong)data_len);
    unsigned char *out = cap <= (uLong)0x7fffffff ? malloc(cap) : NULL;
    int r = Z_MEM_ERROR;
    if (out) {
        zs.next_in = data;
        zs.avail_in = (uInt)data_len;
        zs.next_out = out;
        zs.avail_out = (uInt)cap;
        r = deflate(&zs, Z_FINISH);
        *out_len = (int)zs.total_out;
    }
    deflateEnd(&zs);
    if (r != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    return out;
}
#define STBIW_ZLIB_COMPRESS zlib_compress

#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>

#define STB_IMAGE_RESIZE_IMPLEMENTATION
#include <stb_image_resize.h>
