/*
 * Helpers shared by the Lua engine tests: a script written to a temporary
 * .lua file, a pack around it opened for one thread the way a worker opens
 * it, rows scored through sk_rowscore, and a log capture for print().
 * Everything fails the running test on an unexpected error, so the tests
 * themselves read as "this script, these rows, these verdicts".
 */
#ifndef SK_LUA_FIXTURE_H
#define SK_LUA_FIXTURE_H

#include <stddef.h>

#include "engine/pack.h"
#include "run/rowscore.h"

/* Write a Lua script to a new file under /tmp whose name ends in ".lua"
 * (the pack needs that to take "lua:PATH" as a file).  Free with
 * sk_lt_remove. */
char *sk_lt_script(const char *source);
void sk_lt_remove(char *path);

/* The file name part of a path (borrowed). */
const char *sk_lt_base(const char *path);

/* A pack opened for one thread, with its rowscore and the scripts it
 * wrote (removed by sk_lt_close). */
typedef struct sk_lt {
    sk_pack *pack;
    void **states;
    sk_rowscore rs;
    char *scripts[4];
    size_t nscripts;
} sk_lt;

/* Parse pack_json (named "t.json") with the fixture's registry and open
 * every entry; fails the test on any error. */
void sk_lt_open(sk_lt *t, const char *pack_json);

/* One Lua scorer: `source` in a temp file, used by a pack whose entry gets
 * `entry_extra` (e.g. ",\"params\":{...}", or "") and whose top level gets
 * `pack_extra` (e.g. ",\"lua\":{...}", or ""). */
void sk_lt_open_script(sk_lt *t, const char *source, const char *entry_extra,
                       const char *pack_extra);

/* The error of a pack that must fail to load: one Lua scorer as above.
 * Returns the message (caller frees). */
char *sk_lt_load_error(const char *source, const char *entry_extra);

/* Score one JSON row line (trial 0, or `trial`). */
void sk_lt_row(sk_lt *t, const char *row);
void sk_lt_row_trial(sk_lt *t, const char *row, unsigned trial);

/* Result i of the last row. */
const sk_result *sk_lt_res(const sk_lt *t, size_t i);

/* Assert result i is a score of `score` (within 1e-9). */
void sk_lt_assert_score(const sk_lt *t, size_t i, double score);

/* Assert result i has kind `kind` and its message contains `want`. */
void sk_lt_assert_msg(const sk_lt *t, size_t i, int kind, const char *want);

void sk_lt_close(sk_lt *t);

/* Capture host log lines ("LEVEL scorer: msg\n" each) until stopped. */
void sk_lt_log_start(void);
/* Stop capturing; returns what was logged (caller frees). */
char *sk_lt_log_stop(void);

#endif
