/*
 * Temporary files for tests (see tmpfile_util.h).  mkstemp gives each test
 * its own name, so parallel `make check` runs do not collide.
 */
#include "tmpfile_util.h"

#include <check.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/util.h"

char *sk_tmp_write(const void *data, size_t n)
{
    char *path = sk_xstrdup("/tmp/sk_test_XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    const char *p = data;
    /* write() may stop short on a large buffer: keep going */
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        ck_assert_int_gt(k, 0);
        p += k;
        n -= (size_t)k;
    }
    close(fd);
    return path;
}

void sk_tmp_remove(char *path)
{
    unlink(path);
    free(path);
}
