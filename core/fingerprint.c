/* Scorer fingerprints (see fingerprint.h). */
#include "fingerprint.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "lua_engine.h"

uint64_t sk_fnv64(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

int sk_fnv64_file(uint64_t *h, const char *path, char **err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return sk_errf(err, SK_EIO, "%s: cannot read it to fingerprint the scorer: %s", path,
                       strerror(errno));
    unsigned char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        *h = sk_fnv64(*h, buf, n);
    int bad = ferror(f);
    fclose(f);
    if (bad)
        return sk_errf(err, SK_EIO, "%s: read error while fingerprinting the scorer", path);
    return SK_OK;
}

/* Each part is followed by a NUL so that ("ab", "c") and ("a", "bc") hash
 * differently. */
static uint64_t add_part(uint64_t h, const char *s)
{
    return sk_fnv64(h, s ? s : "", s ? strlen(s) + 1 : 1);
}

int sk_fingerprint_entry(const sk_pack_entry *e, const sk_registry *reg, char out[17], char **err)
{
    uint64_t h = SK_FNV64_INIT;
    h = add_part(h, e->ops->kind);
    h = add_part(h, e->use);
    h = add_part(h, e->params_json);
    const char *file = NULL;
    if (e->ops == &sk_engine_lua) {
        file = sk_lua_script_path(e->impl);
    } else if (e->ops == &sk_engine_plugin && reg) {
        const sk_scorer_def *def;
        const sk_plugin_info *info;
        if (sk_registry_find(reg, e->use, &def, &info, NULL) == SK_OK && def == e->impl)
            file = info->path;
        else
            return sk_errf(err, SK_ENOTFOUND,
                           "scorer %s: its plugin file is not in the registry, so it cannot be "
                           "fingerprinted",
                           e->name);
    }
    if (file) {
        int rc = sk_fnv64_file(&h, file, err);
        if (rc)
            return rc;
    }
    snprintf(out, 17, "%016llx", (unsigned long long)h);
    return SK_OK;
}
