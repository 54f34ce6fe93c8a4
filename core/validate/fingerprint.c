/* Scorer fingerprints (see fingerprint.h). */
#include "validate/fingerprint.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/error.h"
#include "base/fileutil.h"
#include "base/hash.h"
#include "base/util.h"

/* Each part is followed by a NUL so that ("ab", "c") and ("a", "bc") hash
 * differently. */
static uint64_t add_part(uint64_t h, const char *s)
{
    return sk_fnv64(h, s ? s : "", s ? strlen(s) + 1 : 1);
}

/* Files a scorer's params name (a judge's "template", any "*_file") are as
 * much the scorer as its code: an edited prompt must count as a change. */
static int add_param_files(uint64_t *h, const char *params_json, const char *dir, char **err)
{
    cJSON *params = cJSON_Parse(params_json ? params_json : "{}");
    int rc = SK_OK;
    const cJSON *k;
    cJSON_ArrayForEach(k, params)
    {
        size_t n = strlen(k->string);
        int names_file = strcmp(k->string, "template") == 0 ||
                         (n > 5 && strcmp(k->string + n - 5, "_file") == 0);
        if (!names_file || !cJSON_IsString(k))
            continue;
        char *path = k->valuestring[0] == '/' || !dir ? sk_xstrdup(k->valuestring)
                                                      : sk_asprintf("%s/%s", dir, k->valuestring);
        if (sk_is_file(path)) {
            *h = add_part(*h, k->string);
            rc = sk_fnv64_file(h, path, err);
        }
        free(path);
        if (rc)
            break;
    }
    cJSON_Delete(params);
    return rc;
}

/* The params as cJSON writes them, which is what params_json held before
 * params kept their numbers as written (engine/params.c): how a number is
 * spelt (2, 2.0, 2e0) is no change to the scorer, and the fingerprints of
 * validations recorded before stay the same. */
static char *canonical_params(const char *params_json)
{
    cJSON *p = cJSON_Parse(params_json ? params_json : "{}");
    char *s = p ? cJSON_PrintUnformatted(p) : NULL;
    cJSON_Delete(p);
    return s ? s : sk_xstrdup(params_json ? params_json : "");
}

int sk_fingerprint_entry(const sk_pack_entry *e, const sk_registry *reg, const char *project_dir,
                         char out[17], char **err)
{
    uint64_t h = SK_FNV64_INIT;
    h = add_part(h, e->ops->kind);
    h = add_part(h, e->use);
    char *params = canonical_params(e->params_json);
    h = add_part(h, params);
    free(params);
    const char *file = e->ops->source_file ? e->ops->source_file(e->impl, reg) : NULL;
    if (!file && reg && e->ops->source_file)
        return sk_errf(err, SK_ENOTFOUND,
                       "scorer %s: its %s file is not in the registry, so it cannot be "
                       "fingerprinted",
                       e->name, e->ops->kind);
    if (file) {
        int rc = sk_fnv64_file(&h, file, err);
        if (rc)
            return rc;
    }
    int rc = add_param_files(&h, e->params_json, project_dir, err);
    if (rc)
        return rc;
    snprintf(out, 17, "%016llx", (unsigned long long)h);
    return SK_OK;
}
