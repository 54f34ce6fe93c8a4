/* The viewer's HTTP server (see view_server.h). */
#include "report/view_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/hash.h"
#include "online/mhd_load.h"

#define COOKIE "scorekit_view"

struct sk_view {
    struct MHD_Daemon *d;
    sk_view_opts o;
    int need_token;
    unsigned char token_hash[32];
};

const char *sk_view_arg(const sk_view_request *rq, const char *key)
{
    return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, key);
}

int sk_view_is_loopback(const char *host)
{
    struct in_addr a;
    return inet_pton(AF_INET, host, &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

static enum MHD_Result send_page(struct MHD_Connection *c, unsigned status, const char *type,
                                 const char *body, size_t len, const char *cookie)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", type);
    /* The pages read the store as it is now: never from a cache. */
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    if (status == 405)
        MHD_add_response_header(r, "Allow", "GET, HEAD");
    if (cookie)
        MHD_add_response_header(r, "Set-Cookie", cookie);
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status, const char *text)
{
    return send_page(c, status, "text/plain; charset=utf-8", text, strlen(text), NULL);
}

/* Which of the three ways the request carries the token; 2 for the URL's
 * (the reply then sets the cookie), 1 for the others, 0 for none. */
static int token_given(const sk_view *v, struct MHD_Connection *c)
{
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (h && strncmp(h, "Bearer ", 7) == 0 && sk_token_matches(v->token_hash, h + 7))
        return 1;
    if (sk_token_matches(v->token_hash, MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE)))
        return 1;
    if (sk_token_matches(v->token_hash,
                         MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "token")))
        return 2;
    return 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    (void)upload_data;
    sk_view *v = cls;
    if (!*con_cls) {
        /* Headers only, so far: answer once the (ignored) body is in. */
        *con_cls = v;
        return MHD_YES;
    }
    if (*upload_data_size) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return send_text(c, 405, "the viewer is read-only: use GET\n");
    if (strcmp(url, "/healthz") == 0)
        return send_text(c, 200, "ok\n");
    int how = v->need_token ? token_given(v, c) : 1;
    if (!how)
        return send_text(c, 401,
                         "a token is needed: open the URL `scorekit view` printed (it ends in "
                         "?token=...), or send \"Authorization: Bearer TOKEN\" "
                         "(SCOREKIT_VIEW_TOKEN)\n");
    sk_view_request rq = {method, url, c};
    sk_view_reply rp = {200, NULL, {0}};
    v->o.page(v->o.ud, &rq, &rp);
    char *cookie = NULL;
    if (how == 2) {
        const char *t = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "token");
        cookie = sk_asprintf(COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict", t);
    }
    enum MHD_Result r = send_page(c, rp.status ? rp.status : 200,
                                  rp.content_type ? rp.content_type : "text/html; charset=utf-8",
                                  rp.body.data ? rp.body.data : "", rp.body.len, cookie);
    free(cookie);
    sk_buf_free(&rp.body);
    return r;
}

int sk_view_start(sk_view **out, const sk_view_opts *o, char **err)
{
    *out = NULL;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)o->port);
    if (inet_pton(AF_INET, o->host, &addr.sin_addr) != 1)
        return sk_errf(err, SK_EINVAL, "--listen: \"%s\" is not an IPv4 address (like 127.0.0.1)",
                       o->host);
    int need_token = o->token && *o->token;
    if (!need_token && !sk_view_is_loopback(o->host))
        return sk_errf(err, SK_EINVAL,
                       "refusing to serve the store on %s without a token: anyone who can reach "
                       "it could read every row; set SCOREKIT_VIEW_TOKEN, or listen on 127.0.0.1",
                       o->host);
    const char *why = sk_mhd_load();
    if (why)
        return sk_errf(err, SK_EIO, "%s", why);
    sk_view *v = sk_xcalloc(1, sizeof *v);
    v->o = *o;
    v->need_token = need_token;
    if (need_token)
        sk_token_hash(o->token, v->token_hash);
    /* One internal thread, no thread per connection: requests are served
     * one after another (see view_server.h). */
    v->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
                            on_request, v, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                            MHD_OPTION_CONNECTION_LIMIT, 64u, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
                            MHD_OPTION_END);
    if (!v->d) {
        free(v);
        return sk_errf(err, SK_EIO,
                       "cannot listen on %s:%u (in use, or not an address of this machine); "
                       "pick another with --listen HOST:PORT (port 0: any free one)",
                       o->host, o->port);
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(v->d, MHD_DAEMON_INFO_BIND_PORT);
    if (info)
        v->o.port = info->port;
    *out = v;
    return SK_OK;
}

unsigned sk_view_port(const sk_view *v)
{
    return v->o.port;
}

void sk_view_stop(sk_view *v)
{
    if (!v)
        return;
    MHD_stop_daemon(v->d);
    free(v);
}
