/*
 * The registry fixture of the pack and row-scoring tests (see fixtures.h).
 * The plugins are the ones just built, found through SK_BUILDDIR, so the
 * tests never pick up an installed copy.
 */
#include "fixtures.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/util.h"
#include "run/engines.h"

sk_registry *sk_fixture_reg;

static char *built(const char *rel)
{
    const char *dir = getenv("SK_BUILDDIR");
    ck_assert_msg(dir && *dir, "SK_BUILDDIR is not set: run this test with `make check`");
    return sk_asprintf("%s/%s", dir, rel);
}

static void load(const char *rel)
{
    char *path = built(rel), *err = NULL;
    int rc = sk_registry_load(sk_fixture_reg, path, &err);
    ck_assert_msg(rc == SK_OK, "cannot load %s: %s", path, err ? err : "");
    free(path);
}

void sk_fixture_setup(void)
{
    sk_fixture_reg = sk_registry_new();
    sk_engines_add(sk_fixture_reg);
    load("plugins/.libs/heuristic.so");
    load("tests/plugins/.libs/misbehave.so");
}

void sk_fixture_teardown(void)
{
    sk_registry_free(sk_fixture_reg);
    sk_fixture_reg = NULL;
}

void sk_assert_has(const char *text, const char *want)
{
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(strstr(text, want) != NULL, "expected \"%s\" in: %s", want, text);
}
