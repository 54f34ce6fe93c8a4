/* The registry with every engine (see engines.h). */
#include "run/engines.h"

#include "engine/panel.h"
#include "lua/lua_engine.h"

void sk_engines_add(sk_registry *reg)
{
    sk_registry_add_engine(reg, &sk_engine_lua);
    sk_registry_add_engine(reg, &sk_engine_panel);
}

int sk_engines_open(sk_registry **out, const char *project_dir, char **err)
{
    int rc = sk_registry_open(out, project_dir, err);
    if (rc == 0)
        sk_engines_add(*out);
    return rc;
}
