/*
 * Where a project's store is.  By default the SQLite file
 * PROJECT/.scorekit/scorekit.db; a team shares one on PostgreSQL instead,
 * named by a URL in the environment's SCOREKIT_STORE or scorekit.json's
 * "store" (the environment wins):
 *
 *   postgres://USER@HOST:PORT/DATABASE?schema=NAME
 *
 * Any libpq URL works; `schema` (scorekit's own parameter, taken out
 * before libpq sees the URL) names the schema the project's tables live
 * in, so several projects can share one database; "auto" derives it from
 * the project folder's absolute path.  A password is refused in the URL,
 * since scorekit.json is committed and the URL is printed: libpq reads it
 * from PGPASSWORD or ~/.pgpass.
 */
#ifndef SK_STORE_LOCATION_H
#define SK_STORE_LOCATION_H

#define SK_STORE_DIR  ".scorekit"
#define SK_STORE_FILE "scorekit.db"

typedef struct sk_store_location {
    char *conninfo; /* the URL libpq is given (no schema parameter) */
    char *schema;   /* NULL: the server's default search path */
    char *display;  /* the URL as messages show it */
} sk_store_location;

/* 1 when `where` is a PostgreSQL URL rather than a file path. */
int sk_store_is_url(const char *where);

/* Split a URL into *loc (freed with sk_store_location_free).  schema=auto
 * needs `project_dir` (NULL refuses it).  Returns 0, or SK_EINVAL naming
 * what is wrong in the URL. */
int sk_store_parse_url(sk_store_location *loc, const char *url, const char *project_dir,
                       char **err);
void sk_store_location_free(sk_store_location *loc);

/* Where the store of the project in `project_dir` is: a new string (the
 * URL, with schema=auto resolved; or the SQLite file's path) in *where,
 * caller frees.  `config` is scorekit.json's "store" (may be NULL). */
int sk_store_where(char **where, const char *project_dir, const char *config, char **err);

#endif
