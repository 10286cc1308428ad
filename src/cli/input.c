/* input: reading the image to approximate. */
#define _POSIX_C_SOURCE 200809L
#include "input.h"

#include "output.h"
#include "resume.h"
#include "run.h"
#include "sizes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool cli_load_input(const char *path, uint64_t max_pixels, pe_image *img)
{
    const pe_load_limits lim = { .max_pixels = max_pixels };
    char why[PE_IMAGE_WHY_LEN] = "";
    const bool in = !strcmp(path, "-");
    errno = 0;
    const pe_status st = in ? pe_image_load_stream_ex(stdin, &lim, img, why, sizeof why)
                            : pe_image_load_ex(path, &lim, img, why, sizeof why);
    if (st == PE_OK)
        return true;
    const int e = errno;
    if (st == PE_ERR_IO && e && e != EISDIR) /* the reason the system gave */
        fprintf(stderr, "polyevolve: %s: %s\n", in ? "stdin" : path, strerror(e));
    else
        fprintf(stderr, "polyevolve: %s: %s\n", in ? "stdin" : path,
                why[0] ? why : pe_status_str(st));
    return false;
}

void cli_input_name(const char *path, char *buf, size_t len)
{
    const char *slash = strrchr(path, '/');
    const char *name = !strcmp(path, "-") ? "stdin" : slash && slash[1] ? slash + 1 : path;
    size_t i = 0;
    for (; name[i] && i + 1 < len; i++) {
        const unsigned char ch = (unsigned char)name[i];
        buf[i] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
    }
    if (len)
        buf[i] = '\0';
}

pe_metadata cli_state_metadata(const pe_state *st, bool none, cli_meta_buf *buf)
{
    const pe_metadata all = pe_state_options(st);
    pe_metadata meta = { buf->keys, buf->values, 0 };
    const size_t sl = strlen(CLI_PATH_KEY_SUFFIX);
    for (size_t i = 0; i < all.count && meta.count < 64 && !none; i++) {
        const char *k = all.keys[i], *v = all.values[i];
        const size_t kl = strlen(k);
        if (kl > sl && !strcmp(k + kl - sl, CLI_PATH_KEY_SUFFIX))
            continue; /* the state's own: where resume finds a file */
        const char *slash = strrchr(v, '/');
        /* files by name only, also from states that stored a palette's or mask's full path */
        if ((!strcmp(k, "palette") || !strcmp(k, "weight")) && slash && slash[1])
            v = slash + 1;
        buf->keys[meta.count] = k;
        buf->values[meta.count++] = v;
        if (!strcmp(k, "input")) {
            cli_input_name(v, buf->name, sizeof buf->name);
            buf->values[meta.count - 1] = buf->name;
        }
    }
    return meta;
}

/* --init STATE: the state's triangles scaled onto img, rounds starting again. */
int cli_init_start(const cli_options *o, const pe_state *init, const pe_image *img,
                   pe_result *start)
{
    pe_warm_info info;
    const pe_status st = pe_warm_start(&init->result, NULL, img, &o->pe, start, &info);
    if (st != PE_OK) {
        fprintf(stderr, "polyevolve: %s: %s\n", o->init, pe_status_str(st));
        return 1;
    }
    return 0;
}

int cli_init_read(cli_options *o, pe_state *init)
{
    if (!cli_read_state(o->init, init))
        return 1;
    const size_t n = init->result.count;
    /* -n fewer than the state holds: the run keeps the most useful (pe_options.resume) */
    if (n <= (size_t)o->pe.triangles || cli_given(o, "triangles"))
        return 0;
    static char text[24]; /* recorded in the settings: lives as long as o */
    snprintf(text, sizeof text, "%zu", n);
    char err[128];
    return cli_apply(o, "triangles", text, err, sizeof err) ? 2 : 0;
}

static const char *stored_option(const pe_state *st, const char *key)
{
    for (size_t i = 0; st && i < st->option_count; i++)
        if (!strcmp(st->option_keys[i], key))
            return st->option_values[i];
    return NULL;
}

int cli_input_checked(const cli_options *o, const char *input, const pe_state *state,
                      unsigned outputs, char hash[CLI_INPUT_HASH_LEN], pe_image *img)
{
    if (!cli_load_input(input, o->max_pixels, img)) /* a signal while blocked on a FIFO */
        return cli_stop_signal ? 128 + cli_stop_signal : 1;
    cli_input_hash(img, hash);
    const char *was = o->resume ? stored_option(state, CLI_INPUT_HASH_KEY) : NULL;
    char why[256];
    int rc = 0, png_w, png_h;
    if (o->resume && !was) { /* nothing to check the image against: it could be any */
        fprintf(stderr, "polyevolve: %s: the state records no input-hash (written by an older "
                "polyevolve), so %s cannot be checked to be the image the run began with: start "
                "a new run, or --init from the state\n", o->resume, input);
        rc = 1;
    } else if (was && strcmp(was, hash)) { /* continuing on another picture mixes two runs */
        fprintf(stderr, "polyevolve: %s: not the image the run in %s began with (its content "
                "hash is %s, the state's %s); start a new run on it, or --init from its state\n",
                input, o->resume, hash, was);
        rc = 1;
    } else if (cli_picture_side(img->width, img->height, why, sizeof why)) {
        fprintf(stderr, "polyevolve: %s: %s\n", input, why); /* an input no option makes fit */
        rc = 1;
    } else if ((outputs & CLI_OUT_PDF) &&
               cli_pdf_page(o, img->width, img->height, why, sizeof why)) {
        fprintf(stderr, "polyevolve: %s: %s\n", input, why);
        rc = 2;
    } else if ((outputs & CLI_OUT_PNG) &&
               cli_png_size(img->width, img->height, o->size, &png_w, &png_h, why, sizeof why)) {
        fprintf(stderr, "polyevolve: %s: final.png: %s\n", input, why);
        rc = 2;
    }
    if (rc)
        pe_image_free(img);
    return rc;
}
