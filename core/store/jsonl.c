/*
 * The JSONL line reader (see jsonl.h).  One growable buffer receives large
 * read(2)s; lines are found with memchr and handed out in place, terminated by
 * overwriting their newline, so there is no allocation per line.  Regular
 * files rewind with lseek; anything else is copied to a tmpfile() as it is
 * first read and replayed from there, because a pipe cannot be read twice.
 */
#include "store/jsonl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "base/error.h"
#include "base/util.h"

/* Large reads keep the system-call count per row near zero. */
#define READ_MIN  ((size_t)64 << 10)
#define BUF_START ((size_t)256 << 10)

struct sk_jsonl {
    int fd;
    int own_fd;
    char *name;
    off_t start; /* where a seekable input began, for rewind */

    /* Spool for non-seekable inputs: bytes [0, spool_len) were read from the
     * source; replay reads from spool_pos until it catches up. */
    FILE *spool;
    int spool_fd;
    off_t spool_len, spool_pos;
    int src_eof; /* the source itself said end of file: never read it again */

    char *buf;
    size_t cap;
    size_t pos;  /* first unconsumed byte */
    size_t scan; /* memchr resumes here: [pos, scan) holds no newline */
    size_t end;  /* end of the bytes read */
    int eof;     /* no more bytes will come in this pass */
    size_t lineno;
    size_t max_line;

    int failed; /* sticky error code, with its message */
    char *failmsg;
};

static int fail(sk_jsonl *r, char **err, int code, char *msg)
{
    free(r->failmsg);
    r->failmsg = msg;
    r->failed = code;
    return sk_errf(err, code, "%s", msg);
}

static int write_all(int fd, const char *p, size_t n, off_t at)
{
    while (n > 0) {
        ssize_t k = pwrite(fd, p, n, at);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return -1;
        p += k;
        n -= (size_t)k;
        at += k;
    }
    return 0;
}

/* Read up to n bytes of the current pass into dst: from the spool while it
 * is behind the source, then from the source (copying into the spool).
 * Returns the count (0 at end of input) or a negative code. */
static ssize_t read_some(sk_jsonl *r, char *dst, size_t n, char **err)
{
    if (r->spool && r->spool_pos < r->spool_len) {
        off_t left = r->spool_len - r->spool_pos;
        if ((off_t)n > left)
            n = (size_t)left;
        ssize_t k;
        do
            k = pread(r->spool_fd, dst, n, r->spool_pos);
        while (k < 0 && errno == EINTR);
        if (k <= 0)
            return fail(r, err, SK_EIO,
                        sk_asprintf("%s:%zu: cannot read back the temporary copy of the input: %s",
                                    r->name, r->lineno + 1, k < 0 ? strerror(errno) : "it shrank"));
        r->spool_pos += k;
        return k;
    }
    if (r->src_eof)
        return 0;
    ssize_t k;
    /* Signals are retried rather than reported: the caller polls its own
     * interrupt flag between rows. */
    do
        k = read(r->fd, dst, n);
    while (k < 0 && errno == EINTR);
    if (k < 0)
        return fail(
            r, err, SK_EIO,
            sk_asprintf("%s:%zu: cannot read: %s", r->name, r->lineno + 1, strerror(errno)));
    if (k == 0) {
        r->src_eof = 1;
        return 0;
    }
    if (r->spool) {
        if (write_all(r->spool_fd, dst, (size_t)k, r->spool_len) < 0)
            return fail(r, err, SK_EIO,
                        sk_asprintf("%s: cannot write the temporary copy of the input (needed to "
                                    "read it twice): %s; free space in the temporary directory",
                                    r->name, strerror(errno)));
        r->spool_len += k;
        r->spool_pos = r->spool_len;
    }
    return k;
}

/* Make room and read more bytes after r->end.  Returns 1 when bytes came, 0
 * at end of input, or a negative code. */
static int fill(sk_jsonl *r, char **err)
{
    if (r->pos == r->end) {
        r->pos = r->scan = r->end = 0;
    } else if (r->pos > 0 && r->cap - r->end < READ_MIN + 1) {
        /* Only the unfinished line moves, usually a few hundred bytes. */
        memmove(r->buf, r->buf + r->pos, r->end - r->pos);
        r->end -= r->pos;
        r->scan -= r->pos;
        r->pos = 0;
    }
    if (r->cap - r->end < READ_MIN + 1) {
        size_t cap = r->cap * 2;
        while (cap - r->end < READ_MIN + 1)
            cap *= 2;
        r->buf = sk_xrealloc(r->buf, cap);
        r->cap = cap;
    }
    /* One byte stays free for the NUL after an unterminated last line. */
    ssize_t k = read_some(r, r->buf + r->end, r->cap - r->end - 1, err);
    if (k < 0)
        return (int)k;
    r->end += (size_t)k;
    return k > 0;
}

static int too_long(sk_jsonl *r, char **err)
{
    return fail(
        r, err, SK_EPARSE,
        sk_asprintf("%s:%zu: line is longer than %zu bytes", r->name, r->lineno + 1, r->max_line));
}

int sk_jsonl_next(sk_jsonl *r, const char **line, size_t *len, size_t *lineno, char **err)
{
    if (r->failed)
        return sk_errf(err, r->failed, "%s", r->failmsg);
    for (;;) {
        size_t start, stop;
        char *nl = r->scan < r->end ? memchr(r->buf + r->scan, '\n', r->end - r->scan) : NULL;
        if (nl) {
            start = r->pos;
            stop = (size_t)(nl - r->buf);
            r->pos = r->scan = stop + 1;
        } else {
            r->scan = r->end;
            /* The slack covers a CR and a BOM that do not count toward the
             * limit; the exact check comes once the line is complete. */
            size_t pending = r->end - r->pos;
            if (pending > r->max_line && pending - r->max_line > 4)
                return too_long(r, err);
            if (!r->eof) {
                int rc = fill(r, err);
                if (rc < 0)
                    return rc;
                if (rc == 0)
                    r->eof = 1;
                continue;
            }
            if (r->pos == r->end)
                return 0;
            start = r->pos;
            stop = r->end;
            r->pos = r->scan = r->end;
        }
        r->lineno++;
        char *b = r->buf;
        if (stop > start && b[stop - 1] == '\r')
            stop--;
        if (r->lineno == 1 && stop - start >= 3 && memcmp(b + start, "\xEF\xBB\xBF", 3) == 0)
            start += 3;
        if (stop - start > r->max_line) {
            r->lineno--;
            return too_long(r, err);
        }
        b[stop] = '\0';
        size_t i = start;
        while (i < stop && (b[i] == ' ' || b[i] == '\t'))
            i++;
        if (i == stop)
            continue;
        *line = b + start;
        *len = stop - start;
        *lineno = r->lineno;
        return 1;
    }
}

int sk_jsonl_rewind(sk_jsonl *r, char **err)
{
    if (r->spool) {
        r->spool_pos = 0;
    } else {
        if (lseek(r->fd, r->start, SEEK_SET) < 0)
            return sk_errf(err, SK_EIO, "%s: cannot go back to the first line: %s", r->name,
                           strerror(errno));
        r->src_eof = 0; /* a file, unlike a pipe, can be read again */
    }
    r->pos = r->scan = r->end = 0;
    r->eof = 0;
    r->lineno = 0;
    r->failed = 0;
    free(r->failmsg);
    r->failmsg = NULL;
    return 0;
}

static int open_fd(sk_jsonl **out, int fd, int own_fd, const char *name, char **err)
{
    *out = NULL;
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int e = errno;
        if (own_fd)
            close(fd);
        return sk_errf(err, SK_EIO, "cannot read %s: %s", name, strerror(e));
    }
    if (S_ISDIR(st.st_mode)) {
        if (own_fd)
            close(fd);
        return sk_errf(err, SK_EIO, "cannot read %s: it is a directory, not a JSONL file", name);
    }
    sk_jsonl *r = sk_xcalloc(1, sizeof *r);
    r->fd = fd;
    r->own_fd = own_fd;
    r->name = sk_xstrdup(name);
    r->spool_fd = -1;
    r->max_line = SK_JSONL_MAX_LINE;
    off_t at = S_ISREG(st.st_mode) ? lseek(fd, 0, SEEK_CUR) : -1;
    if (at >= 0) {
        r->start = at;
#ifdef POSIX_FADV_SEQUENTIAL
        (void)posix_fadvise(fd, at, 0, POSIX_FADV_SEQUENTIAL);
#endif
    } else {
        r->spool = tmpfile();
        if (!r->spool) {
            int e = errno;
            sk_jsonl_close(r);
            return sk_errf(err, SK_EIO,
                           "%s: cannot create a temporary file to hold the input while it is "
                           "read twice: %s; pass a regular file instead",
                           name, strerror(e));
        }
        r->spool_fd = fileno(r->spool);
    }
    r->cap = BUF_START;
    r->buf = sk_xmalloc(r->cap);
    *out = r;
    return 0;
}

int sk_jsonl_open_fd(sk_jsonl **out, int fd, const char *name, char **err)
{
    return open_fd(out, fd, 0, name, err);
}

int sk_jsonl_open(sk_jsonl **out, const char *path, char **err)
{
    if (strcmp(path, "-") == 0)
        return open_fd(out, STDIN_FILENO, 0, "<stdin>", err);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *out = NULL;
        int e = errno;
        return sk_errf(err, e == ENOENT ? SK_ENOTFOUND : SK_EIO, "cannot open %s: %s", path,
                       strerror(e));
    }
    return open_fd(out, fd, 1, path, err);
}

void sk_jsonl_set_max_line(sk_jsonl *r, size_t max)
{
    r->max_line = max;
}

const char *sk_jsonl_path(const sk_jsonl *r)
{
    return r->name;
}

void sk_jsonl_close(sk_jsonl *r)
{
    if (!r)
        return;
    if (r->own_fd)
        close(r->fd);
    if (r->spool)
        fclose(r->spool);
    free(r->failmsg);
    free(r->buf);
    free(r->name);
    free(r);
}
