/* fit_solve: the colour and opacity that lower the loss most for a triangle's summed moments,
 * in closed form, within the style's fixed opacity or palette; and its 8-bit form. fit.c
 * gathers the moments. */
#include "fit.h"

#include <math.h>

static const double alpha_min = PE_FIT_ALPHA_MIN;

double pe_fit_delta_of(const double s[PE_FIT_NMOM], const double u[3], double a)
{
    double delta = a * a * (s[4] + s[9]) - 2.0 * a * s[8] + 2.0 * a * s[10];
    for (int c = 0; c < 3; c++)
        delta += u[c] * u[c] * s[0] - 2.0 * u[c] * a * s[1 + c] + 2.0 * u[c] * s[5 + c];
    return delta;
}

/* The best colour and alpha for summed moments s over the given pixels, and its delta. */
static void solve(const double s[PE_FIT_NMOM], int pixels, pe_fit_colour *out)
{
    out->pixels = pixels;
    const double m0 = s[0];
    if (pixels == 0 || !(m0 > 1e-12)) {
        /* covers nothing that shows: no colour can help, the loss is unchanged */
        out->u[0] = out->u[1] = out->u[2] = 0.0;
        out->a = alpha_min;
        out->delta = 0.0;
        return;
    }
    /* Eliminating the free u_c = (a s_bc - s_dc) / m0 leaves delta(a) = A2 a^2 + 2 A1 a + const.
     * Channels whose optimum leaves [0, a] are pinned to 0 (black) or a (full colour) and a is
     * solved again with them pinned; two rounds settle every case met in practice. */
    int pin[3] = { 0, 0, 0 }; /* 0 free, -1 at 0, +1 at a */
    double a = 1.0;
    for (int round = 0; round < 3; round++) {
        double a2 = s[4] + s[9], a1 = -s[8] + s[10];
        for (int c = 0; c < 3; c++) {
            if (pin[c] == 0) {
                a2 -= s[1 + c] * s[1 + c] / m0;
                a1 += s[1 + c] * s[5 + c] / m0;
            } else if (pin[c] > 0) {
                a2 += m0 - 2.0 * s[1 + c];
                a1 += s[5 + c];
            }
        }
        if (a2 > 1e-12 * m0)
            a = -a1 / a2;
        else /* the loss is (nearly) linear in a: take the end that lowers it, opaque on a tie */
            a = a1 <= 0.0 ? 1.0 : alpha_min;
        a = a < alpha_min ? alpha_min : (a > 1.0 ? 1.0 : a);
        int changed = 0;
        for (int c = 0; c < 3; c++) {
            const double u = (a * s[1 + c] - s[5 + c]) / m0;
            const int p = u < 0.0 ? -1 : (u > a ? 1 : 0);
            changed |= p != pin[c] && p != 0;
            if (p != 0)
                pin[c] = p;
            out->u[c] = p < 0 ? 0.0 : (p > 0 ? a : u);
        }
        if (!changed)
            break;
    }
    out->a = a;
    out->delta = pe_fit_delta_of(s, out->u, a);
}

/* An opacity rounded to the 8 bits it will be drawn with, kept in [alpha_min, 1]: a palette
 * colour is then compared at the opacity it will really have. */
static double alpha8(double a)
{
    a = a < alpha_min ? alpha_min : (a > 1.0 ? 1.0 : a);
    return (double)lround(a * 255.0) / 255.0;
}

/* The best palette entry for the moments s, each at its own best opacity (or the fixed one):
 * with u = a p the loss change is a^2 A2 + 2 a A1, a parabola per entry. Ties go to the lowest
 * index, so the choice is deterministic. */
static void solve_palette(const pe_fit_style *st, const double s[PE_FIT_NMOM], pe_fit_colour *out)
{
    double best = HUGE_VAL;
    for (int e = 0; e < st->npalette; e++) {
        const unsigned char *q = st->palette + 3 * e;
        double a2 = s[4] + s[9], a1 = -s[8] + s[10];
        for (int c = 0; c < 3; c++) {
            const double p = q[c] / 255.0;
            a2 += p * p * s[0] - 2.0 * p * s[1 + c];
            a1 += p * s[5 + c];
        }
        double a;
        if (st->alpha > 0)
            a = st->alpha / 255.0;
        else if (a2 > 1e-12 * s[0])
            a = alpha8(-a1 / a2);
        else
            a = a1 <= 0.0 ? 1.0 : alpha_min;
        const double d = a * a * a2 + 2.0 * a * a1;
        if (d < best) {
            best = d;
            out->a = a;
            for (int c = 0; c < 3; c++)
                out->u[c] = a * (q[c] / 255.0);
        }
    }
    out->delta = pe_fit_delta_of(s, out->u, out->a);
}

/* The closed form under a style's fixed alpha: the loss is a separate parabola in each u_c, so
 * clamping each free optimum into [0, a] is optimal. */
static void solve_fixed_alpha(double a, const double s[PE_FIT_NMOM], pe_fit_colour *out)
{
    out->a = a;
    for (int c = 0; c < 3; c++) {
        const double u = (a * s[1 + c] - s[5 + c]) / s[0];
        out->u[c] = u < 0.0 ? 0.0 : (u > a ? a : u);
    }
    out->delta = pe_fit_delta_of(s, out->u, a);
}

void pe_fit_solve(const pe_fit_style *st, const double s[PE_FIT_NMOM], int pixels,
                  pe_fit_colour *out)
{
    if (!st || (st->alpha <= 0 && st->npalette <= 0)) {
        solve(s, pixels, out);
        return;
    }
    out->pixels = pixels;
    if (pixels == 0 || !(s[0] > 1e-12)) { /* nothing shows: any allowed colour will do */
        out->a = st->alpha > 0 ? st->alpha / 255.0 : alpha_min;
        for (int c = 0; c < 3; c++)
            out->u[c] = st->npalette > 0 ? out->a * (st->palette[c] / 255.0) : 0.0;
        out->delta = 0.0;
    } else if (st->npalette > 0) {
        solve_palette(st, s, out);
    } else {
        solve_fixed_alpha(st->alpha / 255.0, s, out);
    }
}

void pe_fit_quantize(const pe_fit_colour *c, unsigned char rgba[4])
{
    const double a = c->a;
    for (int i = 0; i < 3; i++) {
        const double v = a > 0.0 ? c->u[i] / a : 0.0;
        const long q = lround(v * 255.0);
        rgba[i] = (unsigned char)(q < 0 ? 0 : (q > 255 ? 255 : q));
    }
    const long qa = lround(a * 255.0);
    rgba[3] = (unsigned char)(qa < 1 ? 1 : (qa > 255 ? 255 : qa));
}

