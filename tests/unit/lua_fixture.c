/*
 * Helpers of the Lua engine tests (see lua_fixture.h).  Scripts get a
 * ".lua" name because that is how a pack tells a script file from a named
 * scorer; the log capture takes a lock because the host may log from
 * worker threads.
 */
#include "lua_fixture.h"

#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "fixtures.h"
#include "tmpfile_util.h"
#include "base/util.h"
#include "sk_test.h"

char *sk_lt_script(const char *source)
{
    char *tmp = sk_tmp_write(source, strlen(source));
    char *path = sk_asprintf("%s.lua", tmp);
    ck_assert_int_eq(rename(tmp, path), 0);
    free(tmp);
    return path;
}

void sk_lt_remove(char *path)
{
    sk_tmp_remove(path);
}

const char *sk_lt_base(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

void sk_lt_open(sk_lt *t, const char *pack_json)
{
    char *err = NULL;
    int rc = sk_pack_parse(&t->pack, pack_json, strlen(pack_json), "t.json", sk_fixture_reg, &err);
    ck_assert_msg(rc == SK_OK, "pack %s: %s", pack_json, err ? err : "");
    t->states = sk_xcalloc(t->pack->n, sizeof(void *));
    rc = sk_pack_open(t->pack, sk_test_host_ctx(), t->states, &err);
    ck_assert_msg(rc == SK_OK, "open: %s", err ? err : "");
    sk_rowscore_init(&t->rs, t->pack, sk_test_host_ctx(), t->states);
}

static char *one_script_pack(const char *path, const char *entry_extra, const char *pack_extra)
{
    return sk_asprintf("{\"name\":\"t\",\"scorers\":[{\"use\":\"lua:%s\"%s}]%s}", path,
                       entry_extra ? entry_extra : "", pack_extra ? pack_extra : "");
}

void sk_lt_open_script(sk_lt *t, const char *source, const char *entry_extra,
                       const char *pack_extra)
{
    memset(t, 0, sizeof *t);
    char *path = sk_lt_script(source);
    t->scripts[t->nscripts++] = path;
    char *pack = one_script_pack(path, entry_extra, pack_extra);
    sk_lt_open(t, pack);
    free(pack);
}

char *sk_lt_load_error(const char *source, const char *entry_extra)
{
    char *path = sk_lt_script(source);
    char *text = one_script_pack(path, entry_extra, "");
    sk_pack *pack = NULL;
    char *err = NULL;
    int rc = sk_pack_parse(&pack, text, strlen(text), "t.json", sk_fixture_reg, &err);
    ck_assert_msg(rc != SK_OK, "the pack loaded; expected an error:\n%s", source);
    ck_assert_ptr_null(pack);
    ck_assert_ptr_nonnull(err);
    free(text);
    sk_lt_remove(path);
    return err;
}

void sk_lt_row_trial(sk_lt *t, const char *row, unsigned trial)
{
    sk_span spans[SK_F_COUNT];
    char msg[256];
    int rc = sk_row_parse(row, strlen(row), sk_row_keys, spans, msg, sizeof msg);
    ck_assert_msg(rc == SK_OK, "row %s: %s", row, msg);
    sk_rowscore_run(&t->rs, spans, trial);
}

void sk_lt_row(sk_lt *t, const char *row)
{
    sk_lt_row_trial(t, row, 0);
}

const sk_result *sk_lt_res(const sk_lt *t, size_t i)
{
    ck_assert_uint_lt(i, t->pack->n);
    return &t->rs.results[i];
}

static const char *kind_name(int kind)
{
    static const char *const names[] = {"none", "score", "skip", "error"};
    return kind >= 0 && kind < 4 ? names[kind] : "?";
}

void sk_lt_assert_score(const sk_lt *t, size_t i, double score)
{
    const sk_result *r = sk_lt_res(t, i);
    ck_assert_msg(r->kind == SK_VERDICT_SCORE, "scorer %zu: %s, not a score: %s", i,
                  kind_name(r->kind), r->message.data ? r->message.data : "");
    ck_assert_double_eq_tol(r->score, score, 1e-9);
}

void sk_lt_assert_msg(const sk_lt *t, size_t i, int kind, const char *want)
{
    const sk_result *r = sk_lt_res(t, i);
    ck_assert_msg((int)r->kind == kind, "scorer %zu: %s, not %s: %s", i, kind_name(r->kind),
                  kind_name(kind), r->message.data ? r->message.data : "");
    sk_assert_has(r->message.data, want);
}

void sk_lt_close(sk_lt *t)
{
    sk_rowscore_free(&t->rs);
    sk_pack_close(t->pack, sk_test_host_ctx(), t->states);
    free(t->states);
    sk_pack_free(t->pack);
    for (size_t i = 0; i < t->nscripts; i++)
        sk_lt_remove(t->scripts[i]);
    memset(t, 0, sizeof *t);
}

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static sk_buf log_text;

static void capture(sk_log_level level, const char *scorer, const char *msg, void *ud)
{
    static const char *const levels[] = {"DEBUG", "INFO", "WARN", "ERROR"};
    (void)ud;
    pthread_mutex_lock(&log_lock);
    sk_buf_printf(&log_text, "%s %s: %s\n", level <= SK_LOG_ERROR ? levels[level] : "?",
                  scorer ? scorer : "-", msg);
    pthread_mutex_unlock(&log_lock);
}

void sk_lt_log_start(void)
{
    sk_buf_free(&log_text);
    memset(&log_text, 0, sizeof log_text);
    sk_buf_adds(&log_text, "");
    sk_host_set_logger(capture, NULL);
}

char *sk_lt_log_stop(void)
{
    sk_host_set_logger(NULL, NULL);
    char *s = log_text.data;
    memset(&log_text, 0, sizeof log_text);
    return s;
}
