/* The ingestion endpoint (see server.h). */
#include "online/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>

#include "online/mhd_load.h"
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "base/hash.h"
#include "base/row.h"
#include "base/util.h"
#include "online/ingest.h"
#include "online/log_parse.h"
#include "online/stream.h"

struct sk_server {
    struct MHD_Daemon *d;
    sk_stream *sink; /* under sink_mu: one connection for every request */
    pthread_mutex_t sink_mu;
    atomic_int busy; /* requests past their headers, not yet answered */
    sk_server_opts o;
    unsigned char token_hash[32];
};

/* One request's state, kept between the calls MHD makes for it. */
typedef struct conn {
    sk_buf body;
    int too_large, route; /* route: 1 logs, 2 traces */
} conn;

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *json,
                             const char *retry_after)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(json), (void *)json, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "application/json");
    if (retry_after)
        MHD_add_response_header(r, "Retry-After", retry_after);
    if (status == 401)
        MHD_add_response_header(r, "WWW-Authenticate", "Bearer");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result reply_error(struct MHD_Connection *c, unsigned status, const char *msg,
                                   const char *retry_after)
{
    sk_buf b = {0};
    sk_buf_adds(&b, "{\"error\":");
    sk_buf_add_json_string(&b, msg, strlen(msg));
    sk_buf_adds(&b, "}");
    enum MHD_Result r = reply(c, status, b.data, retry_after);
    sk_buf_free(&b);
    return r;
}

static int authorized(const sk_server *s, struct MHD_Connection *c)
{
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    return h && strncmp(h, "Bearer ", 7) == 0 && sk_token_matches(s->token_hash, h + 7);
}

/* A body that is not JSON: where, as line and column. */
static char *json_position_error(const char *p, size_t n)
{
    size_t at = 0;
    char why[200];
    if (sk_json_check(p, n, &at, why, sizeof why) == 0)
        return NULL;
    size_t line = 1, col = 1;
    for (size_t i = 0; i < at && i < n; i++) {
        if (p[i] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    return sk_asprintf("body:%zu: column %zu: %s", line, col, why);
}

static enum MHD_Result ingest(sk_server *s, struct MHD_Connection *c, conn *k)
{
    const char *p = k->body.data ? k->body.data : "";
    size_t n = k->body.len;
    sk_log_vec lv = {0};
    char *err = NULL;
    int rc;
    if (k->route == 2) {
        /* OTLP is one JSON document: place a syntax error in it first. */
        if ((err = json_position_error(p, n)) != NULL)
            rc = SK_EPARSE;
        else if ((rc = sk_otlp_parse(p, n, &lv, &err)) != SK_OK) {
            char *e = sk_asprintf("body: %s", err);
            free(err);
            err = e;
        } else if (lv.n > s->o.max_rows) {
            rc = sk_errf(&err, SK_EINVAL, "body: %zu logs, more than the %zu allowed at once", lv.n,
                         s->o.max_rows);
        }
    } else {
        rc = sk_logs_parse_text(p, n, "body", s->o.max_rows, &lv, &err);
    }
    if (rc) {
        sk_log_vec_free(&lv);
        enum MHD_Result r = reply_error(c, rc == SK_EINVAL ? 413 : 400, err, NULL);
        free(err);
        return r;
    }
    size_t total = lv.n, added = 0;
    /* The stream gets the logs once they are committed; kept as lines
     * here, because the queue takes the logs. */
    sk_buf lines = {0};
    size_t *ends = s->sink ? sk_xcalloc(lv.n + 1, sizeof *ends) : NULL;
    for (size_t i = 0; s->sink && i < lv.n; i++) {
        sk_log_to_json(&lv.v[i], &lines);
        sk_buf_addc(&lines, '\0');
        ends[i] = lines.len;
    }
    rc = sk_log_queue_submit(s->o.queue, &lv, &added, &err);
    int sink_failed = 0;
    if (rc == SK_OK && s->sink) {
        pthread_mutex_lock(&s->sink_mu);
        for (size_t i = 0, at = 0; rc == SK_OK && i < total; at = ends[i++])
            rc = sk_stream_add(s->sink, lines.data + at, &err);
        pthread_mutex_unlock(&s->sink_mu);
        sink_failed = rc != SK_OK;
    }
    sk_buf_free(&lines);
    free(ends);
    if (sink_failed) {
        char *m = sk_asprintf("the logs are stored, but not all reached the stream: %s", err);
        free(err);
        enum MHD_Result r = reply_error(c, 502, m, NULL);
        free(m);
        return r;
    }
    if (rc == SK_EBUSY)
        return reply_error(c, 503, "the write queue is full; retry after the Retry-After seconds",
                           "1");
    if (rc) {
        char *m = sk_asprintf("nothing was stored: %s", err ? err : "the store failed");
        free(err);
        enum MHD_Result r = reply_error(c, 503, m, "1");
        free(m);
        return r;
    }
    char json[128];
    snprintf(json, sizeof json, "{\"read\":%zu,\"added\":%zu,\"duplicates\":%zu}", total, added,
             total - added);
    return reply(c, 200, json, NULL);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    sk_server *s = cls;
    conn *k = *con_cls;
    if (!k) {
        /* The first call: only the headers are in. */
        int post = strcmp(method, "POST") == 0;
        if (strcmp(url, "/healthz") == 0)
            return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0
                       ? reply(c, 200, "{\"status\":\"ok\"}", NULL)
                       : reply_error(c, 405, "use GET /healthz", NULL);
        int route = strcmp(url, "/v1/logs") == 0 ? 1 : strcmp(url, "/v1/traces") == 0 ? 2 : 0;
        if (!route)
            return reply_error(
                c, 404, "no such path; use POST /v1/logs, POST /v1/traces or GET /healthz", NULL);
        if (!post)
            return reply_error(c, 405, "use POST", NULL);
        if (!authorized(s, c))
            return reply_error(c, 401,
                               "a valid \"Authorization: Bearer TOKEN\" header is required "
                               "(the server's SCOREKIT_INGEST_TOKEN)",
                               NULL);
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > s->o.max_body) {
            char m[128];
            snprintf(m, sizeof m, "the body is over %zu bytes; send fewer logs at once",
                     s->o.max_body);
            return reply_error(c, 413, m, NULL);
        }
        k = sk_xcalloc(1, sizeof *k);
        k->route = route;
        atomic_fetch_add(&s->busy, 1);
        *con_cls = k;
        return MHD_YES;
    }
    if (*upload_data_size) {
        /* A chunked body has no Content-Length: count as it comes, and
         * keep nothing past the limit. */
        if (!k->too_large && k->body.len + *upload_data_size > s->o.max_body) {
            k->too_large = 1;
            sk_buf_free(&k->body);
        }
        if (!k->too_large)
            sk_buf_add(&k->body, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (k->too_large) {
        char m[128];
        snprintf(m, sizeof m, "the body is over %zu bytes; send fewer logs at once", s->o.max_body);
        return reply_error(c, 413, m, NULL);
    }
    return ingest(s, c, k);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    sk_server *s = cls;
    (void)c;
    (void)toe;
    conn *k = *con_cls;
    if (k) {
        atomic_fetch_sub(&s->busy, 1);
        sk_buf_free(&k->body);
        free(k);
        *con_cls = NULL;
    }
}

int sk_server_start(sk_server **out, const sk_server_opts *o, char **err)
{
    *out = NULL;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)o->port);
    if (inet_pton(AF_INET, o->host, &addr.sin_addr) != 1)
        return sk_errf(err, SK_EINVAL, "--listen: \"%s\" is not an IPv4 address (like 127.0.0.1)",
                       o->host);
    if (!o->token || !*o->token)
        return sk_errf(err, SK_EINVAL,
                       "no ingest token: set SCOREKIT_INGEST_TOKEN (or \"ingest_token\" in "
                       "scorekit.json); clients send it as \"Authorization: Bearer TOKEN\"");
    const char *why = sk_mhd_load();
    if (why)
        return sk_errf(err, SK_EIO, "%s", why);
    sk_server *s = sk_xcalloc(1, sizeof *s);
    s->o = *o;
    pthread_mutex_init(&s->sink_mu, NULL);
    if (o->sink) {
        int rc = sk_stream_open(&s->sink, o->sink, err);
        if (rc) {
            free(s);
            return rc;
        }
    }
    sk_token_hash(o->token, s->token_hash);
    s->d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                                MHD_USE_ITC | MHD_USE_ERROR_LOG,
                            0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
                            (struct sockaddr *)&addr, MHD_OPTION_CONNECTION_LIMIT, o->max_conns,
                            MHD_OPTION_CONNECTION_TIMEOUT, o->timeout_s,
                            MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
    if (!s->d) {
        sk_stream_close(s->sink);
        free(s);
        return sk_errf(err, SK_EIO,
                       "cannot listen on %s:%u (in use, or not an address of this machine); "
                       "pick another with --listen HOST:PORT (port 0: any free one)",
                       o->host, o->port);
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    if (info)
        s->o.port = info->port;
    *out = s;
    return SK_OK;
}

unsigned sk_server_port(const sk_server *s)
{
    return s->o.port;
}

void sk_server_stop(sk_server *s)
{
    if (!s)
        return;
    /* Stop accepting, then let the requests in progress be answered (their
     * logs committed) before the connections are closed; a client that
     * stalls mid-body is not waited for past the connection timeout. */
    MHD_quiesce_daemon(s->d);
    struct timespec tick = {0, 10 * 1000 * 1000};
    for (unsigned waited = 0; atomic_load(&s->busy) > 0 && waited < s->o.timeout_s * 100; waited++)
        nanosleep(&tick, NULL);
    MHD_stop_daemon(s->d);
    sk_stream_close(s->sink);
    pthread_mutex_destroy(&s->sink_mu);
    free(s);
}
