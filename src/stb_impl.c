/* stb_impl: the one translation unit that compiles stb's implementations (from Debian's
 * libstb-dev headers). It is built as its own target, pe_stb, without our warning flags:
 * third-party code we do not edit. Only image.c calls stb_image and stb_image_resize (PNGs
 * are written by libpng).
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

#define STB_IMAGE_RESIZE_IMPLEMENTATION
#include <stb_image_resize.h>
