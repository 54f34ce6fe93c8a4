/* A row's verdict across its trials (see reducer.h). */
#include "base/reducer.h"

#include <string.h>

static const char *const names[] = {"mean", "majority", "min", "max", "pass^k", "pass@k"};

int sk_reducer_parse(const char *name, sk_reducer *out)
{
    for (int i = 0; i < (int)(sizeof names / sizeof *names); i++)
        if (strcmp(name, names[i]) == 0) {
            *out = (sk_reducer)i;
            return 0;
        }
    return -1;
}

const char *sk_reducer_name(sk_reducer r)
{
    return (unsigned)r < sizeof names / sizeof *names ? names[r] : "mean";
}

const char *sk_reducer_names(void)
{
    return "mean, majority, min, max, pass^k, pass@k";
}

int sk_reducer_pass(sk_reducer r, unsigned pass, unsigned fail, double mean, double threshold)
{
    if (pass + fail == 0)
        return 0;
    switch (r) {
    case SK_REDUCE_MAJORITY: return pass > fail;
    case SK_REDUCE_MIN:
    case SK_REDUCE_PASS_ALL: return fail == 0;
    case SK_REDUCE_MAX:
    case SK_REDUCE_PASS_ANY: return pass > 0;
    case SK_REDUCE_MEAN:
    default: return mean >= threshold;
    }
}
