/*
 * Running a test program's suite (see run_suite.h).  CK_FORK and the other
 * Check environment variables still apply, since srunner reads them itself.
 */
#include "run_suite.h"

#include <stdlib.h>

int sk_run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
