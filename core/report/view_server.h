/*
 * The HTTP side of `scorekit view`: a read-only server over libmicrohttpd
 * that hands each GET to a page function and sends what it makes.  One
 * thread serves every request in turn, so the page function is never run
 * twice at once (the CLI's pages reuse commands that print to stdout).
 *
 * Loopback needs no login.  On any other address a token is required
 * (sk_view_start refuses to listen without one): a request is let in with
 * "Authorization: Bearer TOKEN", the cookie the server sets, or ?token=
 * in the URL (which sets that cookie, so the links of the page work).
 */
#ifndef SK_VIEW_SERVER_H
#define SK_VIEW_SERVER_H

#include "base/util.h"

typedef struct sk_view_request {
    const char *method; /* GET or HEAD: the others get 405 before a page is asked */
    const char *path;   /* the URL's path, decoded; the query is apart */
    void *conn;         /* for sk_view_arg */
} sk_view_request;

/* What a page function fills: status (default 200), content type (static
 * text; default HTML), the body (the server frees it). */
typedef struct sk_view_reply {
    unsigned status;
    const char *content_type;
    sk_buf body;
} sk_view_reply;

typedef void (*sk_view_page_fn)(void *ud, const sk_view_request *rq, sk_view_reply *rp);

/* The value of query argument `key` (decoded), or NULL; valid during the
 * page function's call. */
const char *sk_view_arg(const sk_view_request *rq, const char *key);

typedef struct sk_view_opts {
    const char *host;  /* numeric IPv4 address */
    unsigned port;     /* 0: any free port */
    const char *token; /* NULL or "": none (loopback only); borrowed for the server's life */
    sk_view_page_fn page;
    void *ud; /* passed to page; borrowed */
} sk_view_opts;

typedef struct sk_view sk_view;

/* Listen.  SK_EINVAL with *err for a bad address or a non-loopback one
 * without a token; SK_EIO when libmicrohttpd is missing or the port is
 * taken. */
int sk_view_start(sk_view **out, const sk_view_opts *o, char **err);
unsigned sk_view_port(const sk_view *v);

/* Stop and free (the request in progress is finished first); NULL is
 * allowed. */
void sk_view_stop(sk_view *v);

/* Whether a numeric IPv4 address is on the loopback network 127/8. */
int sk_view_is_loopback(const char *host);

#endif
