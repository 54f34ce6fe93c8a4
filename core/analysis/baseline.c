/*
 * The baseline and its history in the store, and whether it went stale
 * (see baseline.h).
 */
#include "analysis/baseline.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/dataset.h"
#include "base/error.h"
#include "base/fileutil.h"
#include "run/run.h"
#include "base/util.h"

/* What `scorekit run` would record now with dataset `ref`. */
static char *snapshot_with(const sk_project *proj, const sk_pack *pack, const char *pack_path,
                           int trials, const char *ref)
{
    cJSON *task = proj->task_json ? cJSON_Parse(proj->task_json) : cJSON_CreateObject();
    sk_run_opts o = {0};
    o.project_dir = proj->dir; /* files the task refers to, e.g. a prompt file */
    o.pack = pack;
    o.pack_path = pack_path;
    o.task = task;
    o.trials = trials;
    char *hash = NULL;
    char *snap = sk_run_snapshot(&o, ref, &hash);
    free(hash);
    cJSON_Delete(task);
    return snap;
}

char *sk_baseline_current_snapshot(sk_store *st, const sk_project *proj, const sk_pack *pack,
                                   const char *pack_path, int trials, const char *fallback_dataset,
                                   char **err)
{
    /* The dataset `scorekit run` would use: the project's, when it names a
     * dataset of the store; its newest version.  A file named there is the
     * dataset named after it, in the version a run would make of it now:
     * the newest when that holds the file's rows, else the next one. */
    sk_dataset_version dv = {0};
    int found = 0;
    if (proj->dataset && sk_is_file(proj->dataset)) {
        char *name = sk_dataset_name_for_file(proj->dataset);
        int same = 0;
        int rc = sk_dataset_file_current(st, name, proj->dataset, SK_DATASET_AUTO, &dv, &same, err);
        char *ref = rc ? NULL : sk_asprintf("%s@%d", name, dv.version + (same ? 0 : 1));
        sk_dataset_version_clear(&dv);
        free(name);
        if (!ref)
            return NULL;
        char *snap = snapshot_with(proj, pack, pack_path, trials, ref);
        free(ref);
        return snap;
    }
    if (proj->dataset_name)
        found = sk_dataset_resolve(st, proj->dataset_name, &dv, NULL) == SK_OK;
    if (!found && fallback_dataset) {
        char *name = NULL;
        int ver = 0;
        if (sk_dataset_parse_ref(fallback_dataset, &name, &ver, NULL) == SK_OK)
            found = sk_dataset_resolve(st, name, &dv, NULL) == SK_OK;
        free(name);
    }
    if (!found) {
        sk_errf(err, SK_ENOTFOUND,
                "cannot tell which dataset a run would use now: %s names none in the store "
                "and dataset %s is gone",
                proj->path, fallback_dataset ? fallback_dataset : "(none)");
        return NULL;
    }
    char *ref = sk_asprintf("%s@%d", dv.name, dv.version);
    sk_dataset_version_clear(&dv);
    char *snap = snapshot_with(proj, pack, pack_path, trials, ref);
    free(ref);
    return snap;
}

time_t sk_parse_utc(const char *iso)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    char z = 0;
    if (!iso ||
        sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec, &z) != 7 ||
        z != 'Z')
        return (time_t)-1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return timegm(&tm);
}

void sk_baseline_staleness_clear(sk_baseline_staleness *s)
{
    sk_config_diff_clear(&s->changes);
    memset(s, 0, sizeof *s);
}

int sk_baseline_check(const sk_experiment *base, const char *current_snapshot, int max_age_days,
                      time_t now, sk_baseline_staleness *out, char **err)
{
    memset(out, 0, sizeof *out);
    out->max_age_days = max_age_days;
    out->age_days = NAN;
    if (current_snapshot) {
        int rc = sk_config_diff_compute(base->config_json, current_snapshot, &out->changes, err);
        if (rc)
            return rc;
        for (size_t i = 0; i < out->changes.n; i++) {
            const sk_config_change *ch = &out->changes.v[i];
            if (!ch->counts)
                continue;
            if (strcmp(ch->variable, "task") == 0 || strncmp(ch->variable, "task.", 5) == 0)
                out->task_changes++;
            else
                out->config_changed = 1;
        }
    } else {
        out->config_unknown = 1;
    }
    time_t t = sk_parse_utc(base->created_at);
    if (t != (time_t)-1)
        out->age_days = difftime(now, t) / 86400.0;
    out->too_old = max_age_days > 0 && !isnan(out->age_days) && out->age_days > max_age_days;
    out->stale = out->config_changed || out->too_old;
    return SK_OK;
}
