/* render: redraw a state file at any size, as PNG, SVG or PDF. */
#define _POSIX_C_SOURCE 200809L
#include "claim.h"
#include "input.h"
#include "sizes.h"
#include "output.h"
#include "page.h"
#include "run.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *ext_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    return dot ? dot + 1 : "";
}

int cli_render(const cli_options *o)
{
    const char *ext = ext_of(o->output);
    const bool png = !strcmp(ext, "png"), svg = !strcmp(ext, "svg"), pdf = !strcmp(ext, "pdf");
    const bool jpg = !strcasecmp(ext, "jpg") || !strcasecmp(ext, "jpeg");
    if (!png && !svg && !pdf && !jpg) {
        fprintf(stderr, "polyevolve: %s: the output must end in .png, .jpg, .svg or .pdf\n",
                o->output);
        return 2;
    }
    char err[PATH_MAX + 512];
    cli_claim *claim = cli_claim_new("render"); /* the one file: checked before anything else */
    int rc = !claim || !cli_claim_file(claim, o->output, "-o") ||
                     !cli_claim_read(claim, o->input, "state", false)
                 ? (snprintf(err, sizeof err, "out of memory"), 1)
                 : cli_claim_check(claim, err, sizeof err);
    if (rc == 0)
        rc = cli_claim_take(claim, false, false, err, sizeof err);
    cli_claim_free(claim);
    if (rc) {
        fprintf(stderr, "polyevolve: %s\n", err);
        return rc;
    }
    pe_state state;
    if (!cli_read_state(o->input, &state))
        return cli_stop_signal ? 128 + cli_stop_signal : 1; /* a signal while blocked on a FIFO */
    pe_status st;
    cli_meta_buf mb;
    const pe_metadata meta = cli_state_metadata(&state, o->no_metadata, &mb);
    const pe_result *res = &state.result;
    double w, h;
    cli_longest_side(res, o->size, &w, &h);
    int qw, qh;
    if ((pdf && cli_pdf_page(o, res->width, res->height, err, sizeof err)) ||
        ((png || jpg) &&
         cli_png_size(res->width, res->height, o->size, &qw, &qh, err, sizeof err))) {
        fprintf(stderr, "polyevolve: %s: %s\n", o->output, err); /* before any work */
        pe_state_free(&state);
        return 2;
    }
    if (png || jpg) {
        pe_image img = { 0 };
        st = pe_render(res, (int)w, (int)h, &img);
        if (st == PE_OK)
            st = png ? cli_write_png_of(o->output, &img, &meta)
                     : cli_write_jpeg_of(o->output, &img, &meta);
        pe_image_free(&img);
    } else if (svg) {
        st = cli_write_svg_for(o->output, o, res, &meta);
    } else {
        st = cli_write_pdf_for(o->output, o, res, &meta);
    }
    pe_state_free(&state);
    if (st != PE_OK) {
        fprintf(stderr, "polyevolve: %s: %s\n", o->output,
                st == PE_ERR_IO && errno ? strerror(errno) : pe_status_str(st));
        return 1;
    }
    return 0;
}
