/*
 * Where a project's store is (store_location.h).
 */
#include "store/store_location.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/hash.h"
#include "base/util.h"

int sk_store_is_url(const char *where)
{
    return where &&
           (strncmp(where, "postgres://", 11) == 0 || strncmp(where, "postgresql://", 13) == 0);
}

void sk_store_location_free(sk_store_location *loc)
{
    free(loc->conninfo);
    free(loc->schema);
    free(loc->display);
    memset(loc, 0, sizeof *loc);
}

/* A schema name scorekit creates: lower-case letters, digits and _, not
 * starting with a digit, so it needs no quoting anywhere. */
static int schema_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 63 || (s[0] >= '0' && s[0] <= '9'))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

static char *auto_schema(const char *project_dir)
{
    char abs[PATH_MAX];
    const char *p = realpath(project_dir, abs) ? abs : project_dir;
    uint64_t h = sk_fnv64(SK_FNV64_INIT, p, strlen(p));
    return sk_asprintf("sk_%016llx", (unsigned long long)h);
}

int sk_store_parse_url(sk_store_location *loc, const char *url, const char *project_dir, char **err)
{
    memset(loc, 0, sizeof *loc);
    const char *rest = strstr(url, "://") + 3;
    size_t auth = strcspn(rest, "/?");
    const char *at = memchr(rest, '@', auth);
    if (at && memchr(rest, ':', (size_t)(at - rest)))
        return sk_errf(err, SK_EINVAL,
                       "store URL: it holds a password; take it out and give it in the "
                       "environment (PGPASSWORD) or ~/.pgpass, which libpq reads");
    const char *q = strchr(rest, '?');
    size_t base_len = q ? (size_t)(q - url) : strlen(url);
    sk_buf kept = {0};
    sk_buf_add(&kept, url, base_len);
    char sep = '?';
    int rc = SK_OK;
    for (const char *p = q ? q + 1 : NULL; p && *p && !rc;) {
        size_t len = strcspn(p, "&");
        if (len > 7 && strncmp(p, "schema=", 7) == 0) {
            free(loc->schema);
            loc->schema = sk_xstrndup(p + 7, len - 7);
        } else if (len >= 9 && strncmp(p, "password=", 9) == 0) {
            rc = sk_errf(err, SK_EINVAL,
                         "store URL: it holds a password; take it out and give it in the "
                         "environment (PGPASSWORD) or ~/.pgpass, which libpq reads");
        } else if (len) {
            sk_buf_addc(&kept, sep);
            sk_buf_add(&kept, p, len);
            sep = '&';
        }
        p += len + (p[len] == '&');
    }
    if (!rc && loc->schema && strcmp(loc->schema, "auto") == 0) {
        free(loc->schema);
        loc->schema = project_dir ? auto_schema(project_dir) : NULL;
        if (!loc->schema)
            rc = sk_errf(err, SK_EINVAL, "store URL: schema=auto needs a project folder");
    }
    if (!rc && loc->schema && !schema_ok(loc->schema))
        rc = sk_errf(err, SK_EINVAL,
                     "store URL: schema \"%s\" is not a plain name; use lower-case letters, "
                     "digits and _ (at most 63), not starting with a digit",
                     loc->schema);
    if (rc) {
        sk_buf_free(&kept);
        sk_store_location_free(loc);
        return rc;
    }
    loc->conninfo = kept.data ? kept.data : sk_xstrdup("");
    loc->display = loc->schema ? sk_asprintf("%s%cschema=%s", loc->conninfo, sep, loc->schema)
                               : sk_xstrdup(loc->conninfo);
    return SK_OK;
}

int sk_store_where(char **where, const char *project_dir, const char *config, char **err)
{
    *where = NULL;
    const char *env = getenv("SCOREKIT_STORE");
    const char *url = env && *env ? env : config;
    if (!url) {
        *where = sk_asprintf("%s/%s/%s", project_dir, SK_STORE_DIR, SK_STORE_FILE);
        return SK_OK;
    }
    if (!sk_store_is_url(url))
        return sk_errf(err, SK_EINVAL,
                       "%s: the store must be a postgres:// URL (or unset, for the project's "
                       "SQLite file)",
                       env && *env ? "SCOREKIT_STORE" : "scorekit.json \"store\"");
    sk_store_location loc;
    int rc = sk_store_parse_url(&loc, url, project_dir, err);
    if (rc)
        return rc;
    *where = loc.display;
    loc.display = NULL;
    sk_store_location_free(&loc);
    return SK_OK;
}
