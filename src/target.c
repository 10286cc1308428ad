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

/* out[i] = the mean of in's f x f block i (w x h in, channels values a pixel). */
static void block_mean(const float *in, int w, int h, int channels, int f, int ow, int oh,
                       float *out)
{
    for (int by = 0; by < oh; by++)
        for (int bx = 0; bx < ow; bx++) {
            double sum[4] = { 0, 0, 0, 0 };
            int n = 0;
            for (int y = by * f; y < by * f + f && y < h; y++)
                for (int x = bx * f; x < bx * f + f && x < w; x++, n++)
                    for (int c = 0; c < channels; c++)
                        sum[c] += (double)in[((size_t)y * (size_t)w + (size_t)x) * channels + c];
            for (int c = 0; c < channels; c++)
                out[((size_t)by * (size_t)ow + (size_t)bx) * channels + c] = (float)(sum[c] / n);
        }
}

pe_status pe_target_reduce(const pe_target *t, const float *weight, int side, pe_level *out)
{
    memset(out, 0, sizeof *out);
    const int longest = t->w > t->h ? t->w : t->h;
    out->f = side > 0 && longest >= 2 * side ? longest / side : 1;
    if (out->f == 1) {
        out->w = t->w;
        out->h = t->h;
        return PE_OK;
    }
    out->w = (t->w + out->f - 1) / out->f;
    out->h = (t->h + out->f - 1) / out->f;
    const size_t px = (size_t)out->w * (size_t)out->h;
    out->target = malloc(px * 4 * sizeof(float));
    out->weight = weight ? malloc(px * sizeof(float)) : NULL;
    if (!out->target || (weight && !out->weight)) {
        pe_level_free(out);
        return PE_ERR_NOMEM;
    }
    block_mean(t->rgba, t->w, t->h, 4, out->f, out->w, out->h, out->target);
    if (weight)
        block_mean(weight, t->w, t->h, 1, out->f, out->w, out->h, out->weight);
    return PE_OK;
}

void pe_level_free(pe_level *l)
{
    free(l->target);
    free(l->weight);
    memset(l, 0, sizeof *l);
}
