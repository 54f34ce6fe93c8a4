/*
 * Retry decisions and waits for the LLM client (see llm_retry.h).
 */
#include "llm/llm_retry.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int sk_llm_retryable(long status)
{
    return status == 0 || status == 408 || status == 409 || status == 425 || status == 429 ||
           (status >= 500 && status <= 599);
}

static uint64_t next(uint64_t *s)
{
    uint64_t x = *s ? *s : 0x9e3779b97f4a7c15ULL;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *s = x;
    return x;
}

double sk_llm_backoff_ms(int retry, double base_ms, double cap_ms, uint64_t *rng)
{
    double ceiling = base_ms;
    for (int i = 1; i < retry && ceiling < cap_ms; i++)
        ceiling *= 2;
    if (ceiling > cap_ms)
        ceiling = cap_ms;
    /* 53 random bits make a uniform double in [0, 1]. */
    double u = (double)(next(rng) >> 11) / (double)(1ULL << 53);
    return u * ceiling;
}

static int month_of(const char *m)
{
    static const char *names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    for (int i = 0; i < 12; i++)
        if (strncasecmp(m, names[i], 3) == 0)
            return i;
    return -1;
}

int sk_llm_retry_after_parse(const char *value, time_t now, double *seconds)
{
    if (!value)
        return -1;
    while (isspace((unsigned char)*value))
        value++;
    if (isdigit((unsigned char)*value)) {
        char *end;
        double s = strtod(value, &end);
        while (isspace((unsigned char)*end))
            end++;
        if (*end)
            return -1;
        *seconds = s;
        return 0;
    }
    /* IMF-fixdate, the form HTTP/1.1 senders must use: "Sun, 06 Nov 1994 08:49:37 GMT". */
    char wday[4], mon[4], zone[4];
    int day, year, hh, mm, ss;
    if (sscanf(value, "%3s, %d %3s %d %d:%d:%d %3s", wday, &day, mon, &year, &hh, &mm, &ss, zone) !=
            8 ||
        month_of(mon) < 0 || strcmp(zone, "GMT") != 0)
        return -1;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = year - 1900;
    tm.tm_mon = month_of(mon);
    tm.tm_mday = day;
    tm.tm_hour = hh;
    tm.tm_min = mm;
    tm.tm_sec = ss;
    time_t at = timegm(&tm);
    if (at == (time_t)-1)
        return -1;
    double d = difftime(at, now);
    *seconds = d > 0 ? d : 0;
    return 0;
}

double sk_llm_retry_wait_ms(int retry, double retry_after_s, double base_ms, double cap_ms,
                            uint64_t *rng)
{
    if (retry_after_s >= 0)
        return retry_after_s * 1000.0;
    return sk_llm_backoff_ms(retry, base_ms, cap_ms, rng);
}
