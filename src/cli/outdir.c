/* outdir: lock, leftovers and stale files of an output directory. */
#define _DEFAULT_SOURCE
#include "outdir.h"

#include "output.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* cli_write_atomic names its temporary files PATH.tmp-XXXXXX */
static void remove_leftovers(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char path[PATH_MAX];
    while ((e = readdir(d)))
        if (strstr(e->d_name, ".tmp-") && cli_join(path, sizeof path, dir, e->d_name))
            unlink(path);
    closedir(d);
}

int cli_outdir_open(const char *dir, bool with_frames)
{
    char frames[PATH_MAX], lock[PATH_MAX];
    if (!cli_join(frames, sizeof frames, dir, "frames") ||
        !cli_join(lock, sizeof lock, dir, ".polyevolve.lock")) {
        fprintf(stderr, "polyevolve: %s: path too long (above the limit of PATH_MAX, %d bytes)\n",
                dir, PATH_MAX);
        return -1;
    }
    if (cli_mkdir(dir) != 0 || (with_frames && cli_mkdir(frames) != 0)) {
        fprintf(stderr, "polyevolve: %s: cannot create output directory: %s\n", dir,
                strerror(errno));
        return -1;
    }
    /* flock, not a pid file: the kernel drops it when the holder dies, even by kill -9 */
    const int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        fprintf(stderr, "polyevolve: %s: cannot create the lock file: %s\n", lock, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        fprintf(stderr,
                "polyevolve: %s: another polyevolve run is writing there (it holds %s); "
                "wait for it or choose another -o\n",
                dir, lock);
        close(fd);
        return -1;
    }
    remove_leftovers(dir);
    remove_leftovers(frames);
    return fd;
}

void cli_outdir_trim_frames(const char *dir, int frames_kept)
{
    char frames[PATH_MAX], path[PATH_MAX];
    if (!cli_join(frames, sizeof frames, dir, "frames"))
        return;
    DIR *d = opendir(frames);
    if (!d)
        return;
    struct dirent *e;
    bool left = false;
    while ((e = readdir(d))) {
        int n = 0, used = 0;
        if (e->d_name[0] == '.')
            continue;
        if (sscanf(e->d_name, "frame_%d.png%n", &n, &used) == 1 && e->d_name[used] == '\0' &&
            n > frames_kept && cli_join(path, sizeof path, frames, e->d_name))
            unlink(path);
        else
            left = true;
    }
    closedir(d);
    if (!left)
        rmdir(frames);
}

void cli_outdir_drop(const char *dir, const char *name, bool wrote)
{
    char path[PATH_MAX];
    if (!wrote && cli_join(path, sizeof path, dir, name))
        unlink(path);
}

void cli_outdir_close(int lock_fd)
{
    if (lock_fd >= 0)
        close(lock_fd); /* the lock file stays: removing it would race with a run taking it */
}
