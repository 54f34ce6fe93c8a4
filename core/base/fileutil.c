/* Whole-file reads and writes, and path helpers (see fileutil.h). */
#include "base/fileutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"
#include "base/util.h"

int sk_read_file(const char *path, char **out, size_t *len, char **err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return sk_errf(err, SK_EIO, "%s: cannot open: %s", path, strerror(errno));
    sk_buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        sk_buf_add(&b, chunk, n);
        if (b.len > (64u << 20)) {
            fclose(f);
            sk_buf_free(&b);
            return sk_errf(err, SK_EINVAL, "%s: larger than 64 MiB; is this the right file?", path);
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        sk_buf_free(&b);
        return sk_errf(err, SK_EIO, "%s: read error", path);
    }
    sk_buf_reserve(&b, 0);
    b.data[b.len] = '\0';
    *out = b.data;
    *len = b.len;
    return SK_OK;
}

/* The text is kept in memory (open_memstream) until commit, which writes
 * it with write(2): a failure then carries the system's own errno, which a
 * stdio stream's buffering would blur.  The temporary file is created at
 * open, so a folder that cannot be written is reported before any work. */
int sk_out_file_open(sk_out_file *o, const char *path, char **err)
{
    memset(o, 0, sizeof *o);
    const char *slash = strrchr(path, '/');
    int dirlen = slash ? (int)(slash - path) + 1 : 0;
    const char *base = slash ? slash + 1 : path;
    static unsigned counter;
    for (int attempt = 0; attempt < 100 && !o->tmp; attempt++) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        /* Hidden, and named after the target, so a leftover explains itself. */
        char *tmp = sk_asprintf("%.*s.%s.tmp-%ld-%u-%lx", dirlen, path, base, (long)getpid(),
                                counter++, (unsigned long)ts.tv_nsec);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0) {
            int e = errno;
            free(tmp);
            if (e != EEXIST)
                return sk_errf(err, SK_EIO, "%s: cannot create: %s", path, strerror(e));
            continue;
        }
        close(fd);
        o->tmp = tmp;
    }
    if (!o->tmp)
        return sk_errf(err, SK_EIO, "%s: cannot create a temporary file beside it", path);
    o->f = open_memstream(&o->buf, &o->len);
    if (!o->f) {
        int e = errno;
        unlink(o->tmp);
        free(o->tmp);
        o->tmp = NULL;
        return sk_errf(err, SK_EIO, "%s: %s", path, strerror(e));
    }
    o->path = sk_xstrdup(path);
    return SK_OK;
}

void sk_out_file_abort(sk_out_file *o)
{
    if (o->f)
        fclose(o->f);
    if (o->tmp)
        unlink(o->tmp);
    free(o->buf);
    free(o->tmp);
    free(o->path);
    memset(o, 0, sizeof *o);
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = EIO;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* A rename is durable once the folder's entry is on disk too; a file
 * system that cannot sync a folder has nothing more to do. */
static void sync_dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir =
        slash ? sk_xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : sk_xstrdup(".");
    int fd = open(dir, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

/* Put the complete temporary file in place without replacing a file that
 * is there: link fails when the target exists, so two writers cannot both
 * create it.  A file system without hard links gets a check, then a
 * rename.  Returns 0 or an errno. */
static int place_new(const char *tmp, const char *path)
{
    if (link(tmp, path) == 0) {
        unlink(tmp);
        return 0;
    }
    int e = errno;
    if (e != EPERM && e != ENOTSUP && e != EOPNOTSUPP && e != ENOSYS && e != EMLINK)
        return e;
    struct stat sb;
    if (lstat(path, &sb) == 0)
        return EEXIST;
    return rename(tmp, path) == 0 ? 0 : errno;
}

int sk_out_file_commit(sk_out_file *o, unsigned flags, char **err)
{
    int stream_bad = fclose(o->f) != 0;
    o->f = NULL;
    if (stream_bad) {
        int rc = sk_errf(err, SK_ENOMEM, "%s: out of memory while preparing it", o->path);
        sk_out_file_abort(o);
        return rc;
    }
    int e = 0;
    int fd = open(o->tmp, O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0 || write_all(fd, o->buf ? o->buf : "", o->len) != 0)
        e = errno;
    else if (fsync(fd) != 0 && errno != EINVAL) /* EINVAL: nothing to sync (a pipe, /dev) */
        e = errno;
    if (fd >= 0 && close(fd) != 0 && !e)
        e = errno;
    if (!e)
        e = (flags & SK_WRITE_NEW) ? place_new(o->tmp, o->path)
                                   : (rename(o->tmp, o->path) == 0 ? 0 : errno);
    int rc = SK_OK;
    if (e == EEXIST)
        rc = sk_errf(err, SK_EINVAL, "%s: cannot create: it exists already (left as it was)",
                     o->path);
    else if (e)
        rc =
            sk_errf(err, SK_EIO, "%s: cannot write: %s; nothing was written", o->path, strerror(e));
    if (!e) {
        sync_dir_of(o->path);
        free(o->tmp);
        o->tmp = NULL; /* in place (or linked and removed): nothing to remove */
    }
    sk_out_file_abort(o);
    return rc;
}

int sk_write_file(const char *path, const void *data, size_t len, unsigned flags, char **err)
{
    sk_out_file o;
    int rc = sk_out_file_open(&o, path, err);
    if (rc)
        return rc;
    if (len && fwrite(data, 1, len, o.f) != len) {
        sk_out_file_abort(&o);
        return sk_errf(err, SK_ENOMEM, "%s: out of memory while preparing it", path);
    }
    return sk_out_file_commit(&o, flags, err);
}

char *sk_path_beside(const char *base_file, const char *rel)
{
    if (rel[0] == '/' || !base_file)
        return sk_xstrdup(rel);
    const char *slash = strrchr(base_file, '/');
    if (!slash)
        return sk_xstrdup(rel);
    return sk_asprintf("%.*s/%s", (int)(slash - base_file), base_file, rel);
}

int sk_is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int sk_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}
