/* avlib: FFmpeg's libraries opened with dlopen. */
#define _POSIX_C_SOURCE 200809L
#include "avlib.h"

#include <dlfcn.h>
#include <stdio.h>

/* FFmpeg's libraries pull in a shared library for every codec and protocol they can use.
 * Linked into the program, they would cost every run at start, also runs that read or write no
 * video, in time and in address space (a `ulimit -v` user meets it; docs/benchmarks.md, "CPU
 * per run"). So they are opened here, the first time a video is read or written, by the
 * sonames of the versions the program was built against. */
static const char *const sonames[CLI_AVLIBS] = { PE_AVUTIL_SO, PE_SWSCALE_SO, PE_AVCODEC_SO,
                                                 PE_AVFORMAT_SO };
static void *libs[CLI_AVLIBS];
static bool loaded;
cli_av_api cli_av;

bool cli_av_load(char *why, size_t why_len)
{
    if (loaded)
        return true;
    for (int i = 0; i < CLI_AVLIBS; i++)
        if (!libs[i] && !(libs[i] = dlopen(sonames[i], RTLD_NOW | RTLD_LOCAL))) {
            snprintf(why, why_len, "cannot load %s (install FFmpeg's libraries): %s", sonames[i],
                     dlerror());
            return false;
        }
#define CLI_AV_FIND(l, fn)                                       \
    if (!(*(void **)&cli_av.fn = dlsym(libs[l], #fn))) {         \
        snprintf(why, why_len, "%s has no %s", sonames[l], #fn); \
        return false;                                            \
    }
    CLI_AV_FUNCS(CLI_AV_FIND)
#undef CLI_AV_FIND
    cli_av.av_log_set_level(AV_LOG_QUIET); /* errors are ours to word, in one line */
    loaded = true;
    return true;
}
