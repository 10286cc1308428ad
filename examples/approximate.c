/* approximate: an image as translucent triangles, written as SVG to stdout, through polyevolve.h
 * only. The program polyevolve.h's "Typical use" comment shows, whole:
 *
 *     approximate IMAGE [TRIANGLES] > picture.svg
 *
 * Build it against an installed polyevolve with either
 *     cc approximate.c $(pkg-config --cflags --libs polyevolve) -o approximate
 * or, in CMake, find_package(polyevolve) and link polyevolve::polyevolve. */
#include <polyevolve.h>

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: approximate IMAGE [TRIANGLES] > picture.svg\n");
        return 2;
    }
    const pe_load_limits lim = pe_load_limits_default();
    pe_image img; /* owned by us, free with pe_image_free */
    pe_status st = pe_image_load(argv[1], &lim, &img);
    if (st != PE_OK) {
        fprintf(stderr, "approximate: %s: %s\n", argv[1], pe_status_str(st));
        return 1;
    }
    pe_options opt = pe_options_default();
    opt.triangles = argc > 2 ? atoi(argv[2]) : 250;
    pe_result res; /* owned by us, free with pe_result_free */
    st = pe_approximate(&img, &opt, &res);
    if (st == PE_OK)
        st = pe_write_svg(stdout, &res, NULL);
    if (st != PE_OK)
        fprintf(stderr, "approximate: %s\n", pe_status_str(st));
    else
        fprintf(stderr, "approximate: %zu triangles, PSNR %.2f dB\n", res.count, res.psnr);
    pe_result_free(&res);
    pe_image_free(&img);
    return st == PE_OK ? 0 : 1;
}
