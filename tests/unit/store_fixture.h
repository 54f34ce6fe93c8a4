/*
 * The fixture of the store tests: a fresh project folder under /tmp for
 * each test, removed with everything in it afterwards, and small helpers to
 * write files into it and to ask the database questions directly in SQL,
 * so tests check what was stored, not only what the API says.
 */
#ifndef SK_STORE_FIXTURE_H
#define SK_STORE_FIXTURE_H

#include "store/store.h"

/* The running test's folder: set by sk_store_fx_setup. */
extern char *sk_store_fx_dir;

/* The pair to give tcase_add_checked_fixture (or call by hand). */
void sk_store_fx_setup(void);
void sk_store_fx_teardown(void);

/* Write text to DIR/name; returns the path (caller frees). */
char *sk_store_fx_write(const char *name, const char *text);

/* Same for n bytes that may hold NULs. */
char *sk_store_fx_write_n(const char *name, const char *data, size_t n);

/* Open the project's store; fails the test on an error. */
sk_store *sk_store_fx_open(void);

/* The first column of the first row of a query, as an integer or as text
 * (caller frees; NULL for SQL NULL or no row).  A SQL error fails the test. */
long long sk_store_fx_int(sk_store *st, const char *sql);
char *sk_store_fx_text(sk_store *st, const char *sql);

/* Fail the test unless text is non-NULL and contains want. */
void sk_store_fx_has(const char *text, const char *want);

/* Record experiment `id` (one scorer "A", over dataset "d" of one row),
 * held by this process as a run holds it. */
void sk_store_fx_experiment(sk_store *st, const char *id);

#endif
