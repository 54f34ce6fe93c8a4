/*
 * The main() of a Check test program, shared so each program only builds
 * its suite: run it, print the usual report, and turn the outcome into the
 * exit status `make check` reads.
 */
#ifndef SK_RUN_SUITE_H
#define SK_RUN_SUITE_H

#include <check.h>

/* Run every test of s (taking it over) and return EXIT_SUCCESS if all
 * passed, EXIT_FAILURE otherwise. */
int sk_run_suite(Suite *s);

#endif
