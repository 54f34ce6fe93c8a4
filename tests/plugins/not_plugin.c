/* A shared object that is not a scorekit plugin at all. */
#include "scorekit/plugin.h"

SK_PLUGIN_EXPORT int some_function(void);

int some_function(void)
{
    return 42;
}
