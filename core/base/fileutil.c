/* Whole-file reads and path helpers (see fileutil.h). */
#include "base/fileutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
