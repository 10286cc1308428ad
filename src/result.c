/* result: ownership of pe_result (free, deep copy). */
#include "polyevolve.h"

#include <stdlib.h>
#include <string.h>

void pe_result_free(pe_result *res)
{
    if (!res)
        return;
    free(res->triangles);
    memset(res, 0, sizeof *res);
}

pe_status pe_result_copy(const pe_result *src, pe_result *out)
{
    if (!out)
        return PE_ERR_INVALID_ARG;
    memset(out, 0, sizeof *out);
    if (!src || (src->count > 0 && !src->triangles) || src->count > SIZE_MAX / sizeof(pe_triangle))
        return PE_ERR_INVALID_ARG;
    pe_triangle *tris = malloc((src->count ? src->count : 1) * sizeof *tris);
    if (!tris)
        return PE_ERR_NOMEM;
    *out = *src;
    if (src->count)
        memcpy(tris, src->triangles, src->count * sizeof *tris);
    out->triangles = tris;
    return PE_OK;
}
