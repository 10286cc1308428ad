/* target: the working picture and its background. */
#include "target.h"

#include "image.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void choose_background(pe_target *t, const pe_options *o, const double sum[3])
{
    const double px = (double)t->w * t->h;
    if (t->alpha) {
        memset(t->bg, 0, sizeof t->bg);
        return;
    }
    for (int c = 0; c < 3; c++)
        t->bg[c] = o->background_auto ? (float)lround(255.0 * sum[c] / px) / 255.0f
                                      : o->background[c] / 255.0f;
    t->bg[3] = 1.0f;
}

pe_status pe_target_prepare(const pe_image *src, const pe_options *o, pe_target *out)
{
    memset(out, 0, sizeof *out);
    int w, h;
    pe_image_working_size(src->width, src->height, o->resize, &w, &h);
    pe_image small = { 0 };
    pe_status st = pe_image_resize(src, w, h, &small);
    if (st != PE_OK)
        return st;
    out->w = w;
    out->h = h;
    out->alpha = o->transparent;
    out->rgba = malloc((size_t)w * (size_t)h * 4 * sizeof(float));
    if (!out->rgba) {
        pe_image_free(&small);
        return PE_ERR_NOMEM;
    }
    double sum[3] = { 0, 0, 0 };
    const size_t px = (size_t)w * (size_t)h;
    for (size_t i = 0; i < px; i++) {
        const unsigned char *p = small.rgba + 4 * i;
        const float a = p[3] / 255.0f;
        float *t = out->rgba + 4 * i;
        for (int c = 0; c < 3; c++) {
            const float v = p[c] / 255.0f;
            t[c] = out->alpha ? v * a : v * a + (1.0f - a);
            sum[c] += (double)t[c];
        }
        t[3] = out->alpha ? a : 1.0f;
    }
    pe_image_free(&small);
    choose_background(out, o, sum);
    return PE_OK;
}

void pe_target_free(pe_target *t)
{
    free(t->rgba);
    memset(t, 0, sizeof *t);
}
