/* resume: see resume.h. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "resume.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cli_input_hash(const pe_image *img, char *buf)
{
    uint64_t h = 0xcbf29ce484222325u; /* FNV-1a 64: fast, and no adversary to resist here */
    const uint32_t size[2] = { (uint32_t)img->width, (uint32_t)img->height };
    const unsigned char *p = (const unsigned char *)size;
    for (size_t i = 0; i < sizeof size; i++)
        h = (h ^ p[i]) * 0x100000001b3u;
    const size_t n = (size_t)img->width * (size_t)img->height * 4u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ img->rgba[i]) * 0x100000001b3u;
    snprintf(buf, CLI_INPUT_HASH_LEN, "fnv1a64:%016" PRIx64, h);
}

static const char *stored(const pe_state *st, const char *key)
{
    for (size_t i = 0; i < st->option_count; i++)
        if (!strcmp(st->option_keys[i], key))
            return st->option_values[i];
    return NULL;
}

int cli_resume_flags(const cli_options *o, const pe_state *st, char *err, size_t err_len)
{
    /* what the triangles were made for: changing it would continue a different run (-n 10 on
     * a state of 200 kept the 200 and recorded 10). More triangles are honoured: the run adds
     * the rest first, then refines them all. */
    static const char *const fixed[] = { "triangles", "resize", "seed", "background" };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        const char *given = cli_given(o, fixed[i]), *was = stored(st, fixed[i]);
        const bool more = i == 0 && given && was && atol(given) > atol(was);
        if (given && was && strcmp(given, was) && !more) {
            snprintf(err, err_len,
                     "--resume: --%s %s differs from the run's %s, which its "
                     "triangles were made for (drop the option, or start a new run)",
                     fixed[i], given, was);
            return 2;
        }
    }
    return 0;
}
