/* fuzz_image: any bytes through pe_image_load_memory_ex (every decoder, every structural check).
 * The pixel limit (one megapixel) is small so that header claims cannot make one input allocate
 * gigabytes, as pe_load_limits protects a real caller, and so that the fuzzer stays fast: a
 * 64 KB PNG can legitimately hold 16 MB of pixels. tests/test_image.c replays with the same limit. A successful load must give an image
 * of the size it claims, within the limit, and a failure must give a reason. */
#include <stdint.h>
#include <stdlib.h>

#include "polyevolve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const pe_load_limits lim = {.max_pixels = 1000000};
    pe_image img;
    char why[PE_IMAGE_WHY_LEN];
    const pe_status st = pe_image_load_memory_ex(data, size, &lim, &img, why, sizeof why);
    if (st == PE_OK) {
        if (img.width < 1 || img.height < 1 || !img.rgba ||
            (uint64_t)img.width * (uint64_t)img.height > lim.max_pixels)
            abort();
        /* Touch every byte so that ASan sees a short buffer and MSan-like tools see garbage. */
        unsigned sum = 0;
        for (size_t i = 0; i < (size_t)img.width * (size_t)img.height * 4u; i++)
            sum += img.rgba[i];
        volatile unsigned sink = sum;
        (void)sink;
    } else if (why[0] == '\0' || img.rgba || img.width || img.height) {
        abort(); /* every failure says why and leaves a zeroed image */
    }
    pe_image_free(&img);
    return 0;
}
