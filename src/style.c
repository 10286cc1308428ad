/* style: options -> pe_fit_style (mask scaling, the automatic weight, palette extraction with
 * libimagequant, the background on the palette). */
#include "style.h"

#include "image.h"

#include <libimagequant.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The mask at the working size: luminance (Rec. 709) times alpha, in [0, 1]. */
static pe_status scale_mask(const pe_image *mask, int w, int h, float *out)
{
    if (!mask->rgba || mask->width < 1 || mask->height < 1)
        return PE_ERR_INVALID_ARG;
    pe_image small = { 0 };
    const pe_status st = pe_image_resize(mask, w, h, &small);
    if (st != PE_OK)
        return st;
    double sum = 0.0;
    for (size_t i = 0; i < (size_t)w * (size_t)h; i++) {
        const unsigned char *p = small.rgba + 4 * i;
        const double y = 0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2];
        out[i] = (float)(y * p[3] / (255.0 * 255.0));
        sum += (double)out[i];
    }
    pe_image_free(&small);
    return sum > 0.0 ? PE_OK : PE_ERR_INVALID_ARG; /* all black: nothing would count */
}

/* Box mean of v (w x h) over (2r + 1)^2 windows clipped to the image, in place; tmp holds
 * w x h doubles. Separable running sums: O(pixels) whatever r. */
static void box_mean(float *v, int w, int h, int r, double *tmp)
{
    for (int y = 0; y < h; y++) {
        double s = 0.0;
        const float *row = v + (size_t)y * w;
        for (int x = 0; x < r && x < w; x++)
            s += (double)row[x];
        for (int x = 0; x < w; x++) {
            if (x + r < w)
                s += (double)row[x + r];
            if (x - r - 1 >= 0)
                s -= (double)row[x - r - 1];
            const int n = (x + r < w ? x + r : w - 1) - (x - r > 0 ? x - r : 0) + 1;
            tmp[(size_t)y * w + x] = s / n;
        }
    }
    for (int x = 0; x < w; x++) {
        double s = 0.0;
        for (int y = 0; y < r && y < h; y++)
            s += tmp[(size_t)y * w + x];
        for (int y = 0; y < h; y++) {
            if (y + r < h)
                s += tmp[(size_t)(y + r) * w + x];
            if (y - r - 1 >= 0)
                s -= tmp[(size_t)(y - r - 1) * w + x];
            const int n = (y + r < h ? y + r : h - 1) - (y - r > 0 ? y - r : 0) + 1;
            v[(size_t)y * w + x] = (float)(s / n);
        }
    }
}

/* Local contrast: the luminance gradient (central differences) averaged over a window of
 * 1/16 of the longest side, relative to twice its mean over the image and clipped at 1, then
 * mapped to [PE_AUTO_FLOOR, 1] so that flat areas still count. Detail (faces, text, edges)
 * gets the weight, large calm areas (sky, walls, blur) give it up; it needs no training data
 * and costs O(pixels). The floor keeps the calm areas from being left at the background. */
#define PE_AUTO_FLOOR 0.2
bool pe_style_auto_weight(const float *target, int w, int h, float *out)
{
    float *lum = malloc((size_t)w * (size_t)h * sizeof *lum);
    double *tmp = malloc((size_t)w * (size_t)h * sizeof *tmp);
    if (!lum || !tmp) {
        free(lum);
        free(tmp);
        return false;
    }
    for (size_t i = 0; i < (size_t)w * (size_t)h; i++) {
        const float *p = target + 4 * i;
        lum[i] = 0.2126f * p[0] + 0.7152f * p[1] + 0.0722f * p[2];
    }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            const int xl = x > 0 ? x - 1 : x, xr = x + 1 < w ? x + 1 : x;
            const int yu = y > 0 ? y - 1 : y, yd = y + 1 < h ? y + 1 : y;
            const float gx = lum[(size_t)y * w + xr] - lum[(size_t)y * w + xl];
            const float gy = lum[(size_t)yd * w + x] - lum[(size_t)yu * w + x];
            out[(size_t)y * w + x] = sqrtf(gx * gx + gy * gy);
        }
    const int longest = w > h ? w : h, r = longest / 32 > 1 ? longest / 32 : 1;
    box_mean(out, w, h, r, tmp);
    double mean = 0.0;
    for (size_t i = 0; i < (size_t)w * (size_t)h; i++)
        mean += (double)out[i];
    mean /= (double)w * (double)h;
    for (size_t i = 0; i < (size_t)w * (size_t)h; i++) {
        const double v = mean > 0.0 ? (double)out[i] / (2.0 * mean) : 1.0;
        out[i] = (float)(PE_AUTO_FLOOR + (1.0 - PE_AUTO_FLOOR) * (v < 1.0 ? v : 1.0));
    }
    free(lum);
    free(tmp);
    return true;
}

/* libimagequant's palette of n colours for rgba (w x h) into pal and *count. */
typedef struct liq_job {
    const unsigned char *rgba;
    int w, h, n;
    unsigned char *pal;
    int *count;
    pe_status st;
} liq_job;

static void quantize(void *ctx)
{
    liq_job *j = ctx;
    liq_attr *attr = liq_attr_create();
    liq_image *img = attr ? liq_image_create_rgba(attr, j->rgba, j->w, j->h, 0) : NULL;
    liq_result *res = NULL;
    if (!attr || !img || liq_set_max_colors(attr, j->n) != LIQ_OK ||
        liq_image_quantize(img, attr, &res) != LIQ_OK) {
        j->st = PE_ERR_NOMEM; /* its only failure on a valid image and 2..256 colours */
    } else {
        const liq_palette *lp = liq_get_palette(res);
        *j->count = (int)lp->count;
        for (int e = 0; e < *j->count; e++) {
            j->pal[3 * e] = lp->entries[e].r;
            j->pal[3 * e + 1] = lp->entries[e].g;
            j->pal[3 * e + 2] = lp->entries[e].b;
        }
    }
    if (res)
        liq_result_destroy(res);
    if (img)
        liq_image_destroy(img);
    if (attr)
        liq_attr_destroy(attr);
}

/* N colours from the working target by libimagequant (its median cut and k-means refinement,
 * speed 4). It runs OpenMP loops whose sums depend on the thread count, so it gets one thread:
 * the palette, and so the picture, must be the same at any -j. One colour: the mean. */
static pe_status extract_palette(const float *target, int w, int h, int n, unsigned char *pal,
                                 int *count)
{
    const size_t px = (size_t)w * (size_t)h;
    unsigned char *rgba = malloc(px * 4);
    if (!rgba)
        return PE_ERR_NOMEM;
    double sum[3] = { 0, 0, 0 };
    for (size_t i = 0; i < px; i++) {
        const float *p = target + 4 * i;
        for (int c = 0; c < 4; c++) {
            const float v = c < 3 ? (p[3] > 0.0f ? p[c] / p[3] : 0.0f) : p[3];
            rgba[4 * i + c] = (unsigned char)lroundf(255.0f * (v < 0 ? 0 : (v > 1 ? 1 : v)));
            if (c < 3)
                sum[c] += rgba[4 * i + c];
        }
    }
    if (n == 1) {
        for (int c = 0; c < 3; c++)
            pal[c] = (unsigned char)lround(sum[c] / (double)px);
        *count = 1;
        free(rgba);
        return PE_OK;
    }
    liq_job job = { rgba, w, h, n, pal, count, PE_OK };
    pe_parallel_serial(quantize, &job); /* its sums depend on its number of threads */
    free(rgba);
    return job.st;
}

static int nearest_entry(const unsigned char *pal, int n, const double rgb[3])
{
    int best = 0;
    double bd = HUGE_VAL;
    for (int e = 0; e < n; e++) {
        double d = 0.0;
        for (int c = 0; c < 3; c++) {
            const double v = pal[3 * e + c] - rgb[c];
            d += v * v;
        }
        if (d < bd) {
            bd = d;
            best = e;
        }
    }
    return best;
}

/* The best flat opaque canvas for the weighted loss: the weighted mean, rounded to what the
 * outputs draw, or the palette entry nearest it (the loss of a flat colour is the distance to
 * the mean plus a constant). */
static void auto_background(const pe_style *st, const float *target, int w, int h, float bg[4])
{
    double sum[3] = { 0, 0, 0 }, wsum = 0.0;
    for (size_t i = 0; i < (size_t)w * (size_t)h; i++) {
        const double wt = st->weight ? (double)st->weight[i] : 1.0;
        for (int c = 0; c < 3; c++)
            sum[c] += wt * (double)target[4 * i + c];
        wsum += wt;
    }
    double mean[3];
    for (int c = 0; c < 3; c++)
        mean[c] = (double)lround(255.0 * sum[c] / wsum);
    if (st->fit.npalette > 0) {
        const int e = nearest_entry(st->palette, st->fit.npalette, mean);
        const unsigned char *q = st->palette + 3 * e;
        for (int c = 0; c < 3; c++)
            mean[c] = q[c];
    }
    for (int c = 0; c < 3; c++)
        bg[c] = (float)mean[c] / 255.0f;
    bg[3] = 1.0f;
}

static pe_status check(const pe_options *o)
{
    if (!(o->alpha >= 0.0 && o->alpha <= 1.0) || o->palette_size < 0 || o->palette_size > 256 ||
        (o->palette && o->palette_size < 1))
        return PE_ERR_INVALID_ARG;
    return PE_OK;
}

pe_status pe_style_prepare(const pe_options *o, const float *target, int w, int h, bool alpha,
                           float bg[4], pe_style *out)
{
    memset(out, 0, sizeof *out);
    pe_status st = check(o);
    if (st != PE_OK)
        return st;
    if (o->alpha > 0.0) {
        const long a = lround(o->alpha * 255.0);
        out->fit.alpha = a < 1 ? 1 : (int)a;
    }
    const size_t px = (size_t)w * (size_t)h;
    if (o->weight || o->weight_auto) {
        out->weight = malloc(px * sizeof *out->weight);
        if (!out->weight)
            st = PE_ERR_NOMEM;
        else if (o->weight)
            st = scale_mask(o->weight, w, h, out->weight);
        else if (!pe_style_auto_weight(target, w, h, out->weight))
            st = PE_ERR_NOMEM;
        out->fit.weight = out->weight;
    }
    if (st == PE_OK && o->palette_size > 0) {
        out->palette = malloc((size_t)o->palette_size * 3);
        if (!out->palette)
            st = PE_ERR_NOMEM;
        else if (o->palette) {
            memcpy(out->palette, o->palette, (size_t)o->palette_size * 3);
            out->fit.npalette = o->palette_size;
        } else {
            st = extract_palette(target, w, h, o->palette_size, out->palette, &out->fit.npalette);
        }
        out->fit.palette = out->palette;
    }
    if (st != PE_OK) {
        pe_style_free(out);
        return st;
    }
    if (!alpha && o->background_auto && (out->weight || out->palette)) /* else as it was */
        auto_background(out, target, w, h, bg);
    return PE_OK;
}

void pe_style_snap(const pe_style *st, unsigned char rgba[4])
{
    if (st->fit.npalette > 0) {
        const double rgb[3] = { rgba[0], rgba[1], rgba[2] };
        memcpy(rgba, st->palette + 3 * nearest_entry(st->palette, st->fit.npalette, rgb), 3);
    }
    if (st->fit.alpha > 0)
        rgba[3] = (unsigned char)st->fit.alpha;
}

void pe_style_free(pe_style *st)
{
    if (!st)
        return;
    free(st->weight);
    free(st->palette);
    memset(st, 0, sizeof *st);
}
