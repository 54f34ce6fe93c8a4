/*
 * The fixture shared by the pack and row-scoring tests: a registry holding
 * the heuristic plugin and the misbehave test plugin, loaded from the build
 * tree before each test and freed after it, so every test starts from the
 * same scorers.  Also an assert on message text, since both check errors by
 * what they say.
 */
#ifndef SK_FIXTURES_H
#define SK_FIXTURES_H

#include "engine/registry.h"

/* The registry of the running test: set by sk_fixture_setup, NULL after
 * sk_fixture_teardown. */
extern sk_registry *sk_fixture_reg;

/* The pair to give tcase_add_checked_fixture.  Setup fails the test when
 * SK_BUILDDIR is unset or a plugin does not load. */
void sk_fixture_setup(void);
void sk_fixture_teardown(void);

/* Fail the test unless text is non-NULL and contains want. */
void sk_assert_has(const char *text, const char *want);

#endif
