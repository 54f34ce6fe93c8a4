/* The run plan (see plan.h). */
#include "run/plan.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/util.h"
#include "run/run.h"

int sk_plan_set(cJSON *task, const char *kv, char **err)
{
    const char *eq = strchr(kv, '=');
    if (!eq || eq == kv)
        return sk_errf(err, SK_EINVAL, "--set needs key=value, got \"%s\"", kv);
    char *key = sk_xstrndup(kv, (size_t)(eq - kv));
    const char *k = strncmp(key, "task.", 5) == 0 ? key + 5 : key;
    cJSON *v = cJSON_Parse(eq + 1);
    if (!v)
        v = cJSON_CreateString(eq + 1);
    const cJSON *was = cJSON_GetObjectItemCaseSensitive(task, "provider");
    if (strcmp(k, "provider") == 0 && cJSON_IsString(v) &&
        !(cJSON_IsString(was) && strcmp(was->valuestring, v->valuestring) == 0)) {
        /* Another provider: the old one's keys mean nothing to it. */
        while (task->child)
            cJSON_Delete(cJSON_DetachItemViaPointer(task, task->child));
    }
    cJSON_DeleteItemFromObjectCaseSensitive(task, k);
    cJSON_AddItemToObject(task, k, v);
    free(key);
    return SK_OK;
}

int sk_plan_apply_sets(cJSON *task, const char *const *sets, size_t n, char **err)
{
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n; i++) {
            int is_provider = strncmp(sets[i], "provider=", 9) == 0 ||
                              strncmp(sets[i], "task.provider=", 14) == 0;
            int rc = is_provider == (pass == 0) ? sk_plan_set(task, sets[i], err) : SK_OK;
            if (rc)
                return rc;
        }
    return SK_OK;
}

int sk_plan_sync_dataset(sk_store *st, const char *name, const char *path, char **ref,
                         sk_dataset_version *v, int *imported, char **err)
{
    sk_dataset_version mine;
    int made = 0;
    sk_dataset_version *out = v ? v : &mine;
    *ref = NULL;
    int rc = sk_dataset_sync(st, name, path, SK_DATASET_AUTO, out, &made, err);
    if (rc == SK_OK) {
        *ref = sk_asprintf("%s@%d", out->name, out->version);
        if (!v)
            sk_dataset_version_clear(&mine);
    }
    if (imported)
        *imported = made;
    return rc;
}

int sk_plan_resume_load(sk_store *st, const char *id, sk_resume_plan *out, char **err)
{
    memset(out, 0, sizeof *out);
    int rc = sk_experiment_load(st, id, &out->e, err);
    if (rc)
        return rc;
    cJSON *snap = cJSON_Parse(out->e.config_json);
    const cJSON *pp = cJSON_GetObjectItemCaseSensitive(snap, "pack_path");
    if (!cJSON_IsString(pp)) {
        rc = sk_errf(err, SK_EINVAL, "experiment %s recorded no pack file; it cannot be resumed",
                     out->e.id);
    } else {
        out->pack_path = sk_xstrdup(pp->valuestring);
        const cJSON *task = cJSON_GetObjectItemCaseSensitive(snap, "task");
        out->task = task ? cJSON_Duplicate(task, 1) : cJSON_CreateObject();
    }
    cJSON_Delete(snap);
    if (rc)
        sk_plan_resume_clear(out);
    return rc;
}

int sk_plan_resume_check(const sk_resume_plan *p, const sk_pack *pack, char **err)
{
    sk_run_opts o = {0};
    o.pack = pack;
    o.task = p->task;
    o.trials = p->e.trials;
    char *hash = NULL;
    char *snapshot = sk_run_snapshot(&o, p->e.dataset_ref, &hash);
    int rc = SK_OK;
    if (strcmp(hash, p->e.pack_hash) != 0)
        rc = sk_errf(err, SK_EINVAL,
                     "the pack %s changed since experiment %s ran (its scorers, params or "
                     "thresholds differ); resuming would mix two packs. Start a new run, or "
                     "restore the pack",
                     p->pack_path, p->e.id);
    free(hash);
    free(snapshot);
    return rc;
}

void sk_plan_resume_clear(sk_resume_plan *p)
{
    sk_experiment_clear(&p->e);
    free(p->pack_path);
    cJSON_Delete(p->task);
    memset(p, 0, sizeof *p);
}
