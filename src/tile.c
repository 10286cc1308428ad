/* tile: grid geometry and the error-driven share of the triangle budget. */
#include "tile.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

/* Add up |difference| to the right and lower neighbours over the pixels [x0, x1) x [y0, y1)
 * (clipped to the image) into sum, and count those pixels. */
static void detail_in(const float *rgba, int w, int h, int x0, int y0, int x1, int y1, double *sum,
                      long *count)
{
    x0 = x0 < 0 ? 0 : x0;
    y0 = y0 < 0 ? 0 : y0;
    x1 = x1 > w ? w : x1;
    y1 = y1 > h ? h : y1;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            const float *p = rgba + 4 * ((size_t)y * (size_t)w + (size_t)x);
            for (int c = 0; c < 4; c++) {
                if (x + 1 < w)
                    *sum += fabs((double)p[c] - (double)p[c + 4]);
                if (y + 1 < h)
                    *sum += fabs((double)p[c] - (double)p[c + 4 * (size_t)w]);
            }
            (*count)++;
        }
}

double pe_tile_border_detail(const float *rgba, int w, int h, int cols, int rows)
{
    const int b = PE_TILE_BORDER_BAND;
    double sum = 0.0;
    long count = 0;
    for (int c = 1; c < cols; c++) { /* the same boundaries as pe_tile_grid */
        const int x = (int)(((long long)c * w + cols / 2) / cols);
        detail_in(rgba, w, h, x - b, 0, x + b, h, &sum, &count);
    }
    for (int r = 1; r < rows; r++) {
        const int y = (int)(((long long)r * h + rows / 2) / rows);
        detail_in(rgba, w, h, 0, y - b, w, y + b, &sum, &count);
    }
    return count > 0 ? sum / (double)count : 0.0;
}

void pe_tile_default_grid(const float *rgba, int w, int h, int triangles, int *cols, int *rows)
{
    int c = (int)lround(w / 128.0), r = (int)lround(h / 128.0);
    c = c < 1 ? 1 : c;
    r = r < 1 ? 1 : r;
    const int most = triangles / PE_TILE_MIN_TRIANGLES > 1 ? triangles / PE_TILE_MIN_TRIANGLES : 1;
    if (c * r > most) { /* the most tiles within the cap, the shape closest to the size grid */
        int bc = 1, br = 1;
        double bdiff = HUGE_VAL, bdetail = HUGE_VAL;
        for (int cc = 1; cc <= c; cc++) {
            const int rr = most / cc < r ? most / cc : r;
            if (rr < 1)
                break;
            const double diff = fabs(log(((double)cc / rr) / ((double)c / r)));
            const bool tie = cc * rr == bc * br && fabs(diff - bdiff) <= 1e-9;
            if (!(cc * rr > bc * br || (cc * rr == bc * br && diff < bdiff - 1e-9) ||
                  (tie && rgba)))
                continue;
            /* among equally good shapes, borders through the calmest parts of the picture */
            const double detail = rgba ? pe_tile_border_detail(rgba, w, h, cc, rr) : 0.0;
            if (tie && !(detail < bdetail))
                continue;
            bc = cc;
            br = rr;
            bdiff = diff;
            bdetail = detail;
        }
        c = bc;
        r = br;
    }
    *cols = c;
    *rows = r;
}

void pe_tile_grid(int w, int h, int cols, int rows, pe_tile_rect *rects)
{
    for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
            pe_tile_rect *t = &rects[r * cols + c];
            t->x0 = (int)(((long long)c * w + cols / 2) / cols);
            t->x1 = (int)(((long long)(c + 1) * w + cols / 2) / cols);
            t->y0 = (int)(((long long)r * h + rows / 2) / rows);
            t->y1 = (int)(((long long)(r + 1) * h + rows / 2) / rows);
        }
    }
}

void pe_tile_reach(const pe_tile_rect *r, int w, int h, int overlap, double box[4],
                   pe_tile_rect *reach)
{
    const int tw = r->x1 - r->x0, th = r->y1 - r->y0;
    const double ox = 0.25 * tw > 8.0 ? 0.25 * tw : 8.0, oy = 0.25 * th > 8.0 ? 0.25 * th : 8.0;
    reach->x0 = r->x0 - overlap > 0 ? r->x0 - overlap : 0;
    reach->y0 = r->y0 - overlap > 0 ? r->y0 - overlap : 0;
    reach->x1 = r->x1 + overlap < w ? r->x1 + overlap : w;
    reach->y1 = r->y1 + overlap < h ? r->y1 + overlap : h;
    box[0] = reach->x0 > 0 ? reach->x0 : -ox;
    box[1] = reach->y0 > 0 ? reach->y0 : -oy;
    box[2] = reach->x1 < w ? reach->x1 : w + ox;
    box[3] = reach->y1 < h ? reach->y1 : h + oy;
}

int pe_tile_default_overlap(const pe_tile_rect *r)
{
    const int side = r->x1 - r->x0 < r->y1 - r->y0 ? r->x1 - r->x0 : r->y1 - r->y0;
    const int o = (int)lround(PE_TILE_OVERLAP * side);
    return o > 2 ? o : 2;
}

void pe_tile_allocate(int total, const double *weight, int n, int min_each, int *out)
{
    double sum = 0.0;
    int positive = 0;
    for (int i = 0; i < n; i++) {
        out[i] = 0;
        if (weight[i] > 0.0) {
            sum += weight[i];
            positive++;
        }
    }
    if (n <= 0 || total <= 0)
        return;
    if (positive == 0) { /* nothing to fix anywhere: spread evenly */
        for (int i = 0; i < n; i++)
            out[i] = total / n + (i < total % n);
        return;
    }
    int left = total;
    if ((long long)min_each * positive <= total) {
        for (int i = 0; i < n; i++)
            if (weight[i] > 0.0) {
                out[i] = min_each;
                left -= min_each;
            }
    }
    /* largest remainder on what is left; ties go to the lower index */
    double *rem = malloc((size_t)n * sizeof *rem);
    int given = 0;
    for (int i = 0; i < n; i++) {
        const double exact = weight[i] > 0.0 ? left * (weight[i] / sum) : 0.0;
        const int share = (int)floor(exact);
        out[i] += share;
        given += share;
        if (rem)
            rem[i] = weight[i] > 0.0 ? exact - share : -1.0;
    }
    while (given < left) {
        int best = 0;
        if (rem) {
            for (int i = 1; i < n; i++)
                if (rem[i] > rem[best])
                    best = i;
            rem[best] = -2.0;
        } else {
            best = given % n; /* out of memory: still deterministic and complete */
        }
        out[best]++;
        given++;
    }
    free(rem);
}
