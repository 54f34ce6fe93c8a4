/*
 * Where a project's store is (store/store_location.h): the URL split for
 * libpq, the schema taken out, passwords refused, and the environment
 * winning over scorekit.json.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "run_suite.h"
#include "store/store_location.h"

static void parses(const char *url, const char *conninfo, const char *schema, const char *display)
{
    sk_store_location loc;
    char *err = NULL;
    ck_assert_int_eq(sk_store_parse_url(&loc, url, "/tmp", &err), 0);
    ck_assert_ptr_null(err);
    ck_assert_str_eq(loc.conninfo, conninfo);
    if (schema)
        ck_assert_str_eq(loc.schema, schema);
    else
        ck_assert_ptr_null(loc.schema);
    ck_assert_str_eq(loc.display, display);
    sk_store_location_free(&loc);
}

static void refused(const char *url, const char *why)
{
    sk_store_location loc;
    char *err = NULL;
    ck_assert_int_eq(sk_store_parse_url(&loc, url, NULL, &err), SK_EINVAL);
    ck_assert_msg(err && strstr(err, why), "%s: %s", url, err ? err : "(no message)");
    ck_assert_msg(!strstr(err, "hunter2"), "the password shows: %s", err);
    free(err);
}

START_TEST(urls)
{
    ck_assert(sk_store_is_url("postgres://h/db"));
    ck_assert(sk_store_is_url("postgresql://h/db"));
    ck_assert(!sk_store_is_url("./.scorekit/scorekit.db"));
    ck_assert(!sk_store_is_url(NULL));
    parses("postgres://u@h:5433/db", "postgres://u@h:5433/db", NULL, "postgres://u@h:5433/db");
    parses("postgres://u@h/db?schema=team_qa", "postgres://u@h/db", "team_qa",
           "postgres://u@h/db?schema=team_qa");
    /* libpq's own parameters stay, in their order. */
    parses("postgres://h/db?sslmode=require&schema=x1&connect_timeout=5",
           "postgres://h/db?sslmode=require&connect_timeout=5", "x1",
           "postgres://h/db?sslmode=require&connect_timeout=5&schema=x1");
}
END_TEST

START_TEST(refusals)
{
    refused("postgres://u:hunter2@h/db", "it holds a password");
    refused("postgres://u@h/db?password=hunter2", "it holds a password");
    refused("postgres://h/db?schema=Team", "is not a plain name");
    refused("postgres://h/db?schema=1x", "is not a plain name");
    refused("postgres://h/db?schema=a;drop", "is not a plain name");
    refused("postgres://h/db?schema=auto", "schema=auto needs a project folder");
}
END_TEST

START_TEST(auto_schema_and_where)
{
    sk_store_location a, b;
    char *err = NULL;
    ck_assert_int_eq(sk_store_parse_url(&a, "postgres://h/db?schema=auto", "/tmp", &err), 0);
    ck_assert_int_eq(sk_store_parse_url(&b, "postgres://h/db?schema=auto", "/", &err), 0);
    ck_assert_int_eq((int)strlen(a.schema), 19); /* sk_ and 16 hex digits */
    ck_assert(strncmp(a.schema, "sk_", 3) == 0);
    ck_assert_str_ne(a.schema, b.schema);
    sk_store_location_free(&a);
    sk_store_location_free(&b);

    char *where = NULL;
    unsetenv("SCOREKIT_STORE");
    ck_assert_int_eq(sk_store_where(&where, "/p", NULL, &err), 0);
    ck_assert_str_eq(where, "/p/.scorekit/scorekit.db");
    free(where);
    ck_assert_int_eq(sk_store_where(&where, "/p", "postgres://h/db?schema=s", &err), 0);
    ck_assert_str_eq(where, "postgres://h/db?schema=s");
    free(where);
    setenv("SCOREKIT_STORE", "postgres://other/db", 1);
    ck_assert_int_eq(sk_store_where(&where, "/p", "postgres://h/db?schema=s", &err), 0);
    ck_assert_str_eq(where, "postgres://other/db");
    free(where);
    setenv("SCOREKIT_STORE", "/some/file.db", 1);
    ck_assert_int_eq(sk_store_where(&where, "/p", NULL, &err), SK_EINVAL);
    ck_assert(strstr(err, "SCOREKIT_STORE: the store must be a postgres:// URL"));
    free(err);
    unsetenv("SCOREKIT_STORE");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("store_location");
    TCase *tc = tcase_create("location");
    tcase_add_test(tc, urls);
    tcase_add_test(tc, refusals);
    tcase_add_test(tc, auto_schema_and_where);
    suite_add_tcase(s, tc);
    return sk_run_suite(s);
}
