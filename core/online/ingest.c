/* Storing logs in one transaction (see ingest.h). */
#include "online/ingest.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "store/logs.h"

int sk_logs_store(sk_store *st, const sk_log *logs, size_t n, size_t *added, char **err)
{
    *added = 0;
    int rc = sk_store_begin(st, err);
    if (rc)
        return rc;
    rc = sk_logs_insert(st, logs, n, added, err);
    if (rc == SK_OK)
        rc = sk_store_commit(st, err);
    if (rc) {
        sk_store_rollback(st);
        *added = 0;
    }
    return rc;
}

void sk_logs_time_ago(double ago, char out[32])
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    double now = (double)ts.tv_sec + ts.tv_nsec / 1e9 - ago;
    sk_log_time_from_ns(now > 0 ? (unsigned long long)(now * 1e9) : 0, out);
}

double sk_duration_parse(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || v < 0 || end[0] == 0 || end[1] != 0)
        return -1;
    switch (end[0]) {
    case 's': return v;
    case 'm': return v * 60;
    case 'h': return v * 3600;
    case 'd': return v * 86400;
    default: return -1;
    }
}
