/* A plugin built for a future ABI (2): the host must refuse it by reading
 * scorekit_plugin_abi, before calling anything. */
#include "scorekit/plugin.h"

SK_PLUGIN_EXPORT const int scorekit_plugin_abi = 2;
SK_PLUGIN_EXPORT const void *scorekit_plugin_v2(const void *host);

const void *scorekit_plugin_v2(const void *host)
{
    return host;
}
