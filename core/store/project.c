/* Project folders and scorekit.json (see project.h). */
#include "store/project.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.h"
#include "base/fileutil.h"
#include "base/json_keys.h"
#include "base/util.h"

/* Every key scorekit.json may hold: anything else is a typo or a setting
 * of another version, and ignoring it would silently drop what the user
 * asked for ("require_validatd": true turning the gate off). */
static const char *const project_keys[] = {
    "name", "dataset",      "pack",   "task",  "jobs", "require_validated", "baseline_max_age_days",
    "llm",  "ingest_token", "online", "store", NULL};

static int get_string(const cJSON *o, const char *key, const char *path, char **out, char **err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    *out = NULL;
    if (!v || cJSON_IsNull(v))
        return SK_OK;
    if (!cJSON_IsString(v) || !v->valuestring[0])
        return sk_errf(err, SK_EINVAL, "%s: \"%s\" must be a non-empty string", path, key);
    *out = sk_xstrdup(v->valuestring);
    return SK_OK;
}

int sk_project_load(sk_project **out, const char *dir, char **err)
{
    *out = NULL;
    char *path = sk_asprintf("%s/%s", dir, SK_PROJECT_FILE);
    if (!sk_is_file(path)) {
        int rc = sk_errf(err, SK_ENOTFOUND,
                         "%s: no %s here; run `scorekit init` to create a project, or pass the "
                         "file and --pack explicitly",
                         dir, SK_PROJECT_FILE);
        free(path);
        return rc;
    }
    char *text;
    size_t len;
    int rc = sk_read_file(path, &text, &len, err);
    if (rc) {
        free(path);
        return rc;
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!root || !cJSON_IsObject(root)) {
        size_t line = 1;
        for (const char *p = text; end && p < end; p++)
            line += *p == '\n';
        rc = sk_errf(err, SK_EPARSE, "%s:%zu: %s", path, line,
                     root ? "must be a JSON object" : "not valid JSON near here");
        cJSON_Delete(root);
        free(text);
        free(path);
        return rc;
    }

    sk_project *p = sk_xcalloc(1, sizeof *p);
    p->dir = sk_xstrdup(dir);
    p->path = path;
    p->text = text;
    p->text_len = len;
    char *dataset = NULL, *pack = NULL;
    sk_json_src src = {path, text, len};
    rc = sk_json_check_keys(root, project_keys, NULL, NULL, NULL, &src, "", err);
    if (!rc)
        rc = get_string(root, "name", path, &p->name, err);
    if (!rc)
        rc = get_string(root, "dataset", path, &dataset, err);
    if (!rc)
        rc = get_string(root, "pack", path, &pack, err);
    const cJSON *task = cJSON_GetObjectItemCaseSensitive(root, "task");
    if (!rc && task && !cJSON_IsObject(task))
        rc = sk_errf(err, SK_EINVAL,
                     "%s: \"task\" must be an object like {\"provider\": \"column\"}", path);
    if (!rc && task) {
        char *provider = NULL; /* checked here for a clear message; the run opens it */
        rc = get_string(task, "provider", path, &provider, err);
        free(provider);
    }
    if (!rc && task)
        rc = get_string(task, "field", path, &p->task_field, err);
    const cJSON *jobs = cJSON_GetObjectItemCaseSensitive(root, "jobs");
    if (!rc && jobs) {
        if (!cJSON_IsNumber(jobs) || jobs->valuedouble < 0 || jobs->valuedouble > 1024 ||
            jobs->valuedouble != (int)jobs->valuedouble)
            rc = sk_errf(err, SK_EINVAL, "%s: \"jobs\" must be an integer from 0 to 1024", path);
        else
            p->jobs = (int)jobs->valuedouble;
    }
    const cJSON *rv = cJSON_GetObjectItemCaseSensitive(root, "require_validated");
    if (!rc && rv && !cJSON_IsBool(rv))
        rc = sk_errf(err, SK_EINVAL, "%s: \"require_validated\" must be true or false", path);
    p->require_validated = cJSON_IsTrue(rv);
    const cJSON *age = cJSON_GetObjectItemCaseSensitive(root, "baseline_max_age_days");
    if (!rc && age) {
        if (!cJSON_IsNumber(age) || age->valuedouble < 0 || age->valuedouble > 36500 ||
            age->valuedouble != (int)age->valuedouble)
            rc = sk_errf(err, SK_EINVAL,
                         "%s: \"baseline_max_age_days\" must be a whole number of days from 0 "
                         "(no limit) to 36500",
                         path);
        else
            p->baseline_max_age_days = (int)age->valuedouble;
    }
    /* The bearer token `scorekit serve` asks of clients when the
     * environment's SCOREKIT_INGEST_TOKEN is not set. */
    if (!rc)
        rc = get_string(root, "ingest_token", path, &p->ingest_token, err);
    /* Where the store is when not in .scorekit/ (store_location.h). */
    if (!rc)
        rc = get_string(root, "store", path, &p->store, err);
    /* The provider checks its own keys when a run opens it (task.c). */
    if (!rc && task)
        p->task_json = cJSON_PrintUnformatted(task);
    /* Kept whole: the LLM client checks its own keys when it opens. */
    const cJSON *llm = cJSON_GetObjectItemCaseSensitive(root, "llm");
    if (!rc && llm && !cJSON_IsObject(llm))
        rc = sk_errf(err, SK_EINVAL,
                     "%s: \"llm\" must be an object like {\"provider\": \"default\"}", path);
    else if (!rc && llm)
        p->llm_json = cJSON_PrintUnformatted(llm);
    cJSON_Delete(root);
    if (!p->task_field)
        p->task_field = sk_xstrdup("output");
    if (!p->name)
        p->name = sk_xstrdup("project");
    if (dataset) {
        p->dataset = sk_path_beside(path, dataset);
        p->dataset_name = sk_xstrdup(dataset);
    }
    if (pack)
        p->pack = sk_path_beside(path, pack);
    free(dataset);
    free(pack);
    if (rc) {
        sk_project_free(p);
        return rc;
    }
    *out = p;
    return SK_OK;
}

static const char init_project[] =
    "{\n"
    "  \"name\": \"%s\",\n"
    "  \"dataset\": \"data.jsonl\",\n"
    "  \"task\": {\"provider\": \"column\", \"field\": \"output\"},\n"
    "  \"pack\": \"pack.json\"\n"
    "}\n";

static const char init_pack[] =
    "{\n"
    "  \"name\": \"starter\",\n"
    "  \"version\": \"1\",\n"
    "  \"description\": \"Exact answers must match; free text must be close.\",\n"
    "  \"scorers\": [\n"
    "    {\"use\": \"exact_match\", \"params\": {\"ignore_case\": true, "
    "\"normalize_whitespace\": true}},\n"
    "    {\"use\": \"levenshtein\", \"as\": \"similarity\", \"threshold\": 0.7}\n"
    "  ]\n"
    "}\n";

static const char init_data[] =
    "{\"id\": \"capital-fr\", \"input\": \"What is the capital of France?\", \"output\": "
    "\"Paris\", \"expected\": \"Paris\", \"metadata\": {\"topic\": \"geography\"}}\n"
    "{\"id\": \"capital-au\", \"input\": \"What is the capital of Australia?\", \"output\": "
    "\"Sydney\", \"expected\": \"Canberra\", \"metadata\": {\"topic\": \"geography\"}}\n"
    "{\"id\": \"boiling\", \"input\": \"At what temperature does water boil at sea level, in "
    "Celsius?\", \"output\": \"100 degrees\", \"expected\": \"100 degrees\", \"metadata\": "
    "{\"topic\": \"science\"}}\n"
    "{\"id\": \"author\", \"input\": \"Who wrote Pride and Prejudice?\", \"output\": \"jane "
    "austen\", \"expected\": \"Jane Austen\", \"metadata\": {\"topic\": \"literature\"}}\n"
    "{\"id\": \"planet\", \"input\": \"Which planet is known as the Red Planet?\", \"output\": "
    "\"The planet Mars\", \"expected\": \"Mars\", \"metadata\": {\"topic\": \"science\"}}\n";

int sk_project_init(const char *dir, char **created, char **err)
{
    *created = NULL;
    int made_dir = mkdir(dir, 0777) == 0;
    if (!made_dir && errno != EEXIST)
        return sk_errf(err, SK_EIO, "%s: cannot create folder: %s", dir, strerror(errno));
    const char *names[] = {SK_PROJECT_FILE, "pack.json", "data.jsonl"};
    for (size_t i = 0; i < 3; i++) {
        char *p = sk_asprintf("%s/%s", dir, names[i]);
        int exists = sk_is_file(p) || sk_is_dir(p);
        free(p);
        if (exists)
            return sk_errf(err, SK_EINVAL,
                           "%s/%s already exists; scorekit init never overwrites files (pick an "
                           "empty folder)",
                           dir, names[i]);
    }
    const char *base = strrchr(dir, '/');
    base = base && base[1] ? base + 1 : dir;
    if (strcmp(base, ".") == 0)
        base = "project";
    char *proj = sk_asprintf(init_project, base);
    const char *texts[] = {proj, init_pack, init_data};
    char *paths[3] = {NULL, NULL, NULL};
    int rc = SK_OK;
    size_t done = 0;
    for (; done < 3 && !rc; done++) {
        paths[done] = sk_asprintf("%s/%s", dir, names[done]);
        rc = sk_write_file(paths[done], texts[done], strlen(texts[done]), SK_WRITE_NEW, err);
    }
    free(proj);
    sk_buf list = {0};
    for (size_t i = 0; i < done; i++) {
        /* All or nothing: a half-made project would make the next init
         * refuse, and `score` fail on a file nobody wrote. */
        if (rc && i + 1 < done)
            unlink(paths[i]);
        else if (!rc) {
            sk_buf_adds(&list, paths[i]);
            sk_buf_addc(&list, '\n');
        }
        free(paths[i]);
    }
    if (rc) {
        if (made_dir)
            rmdir(dir);
        sk_buf_free(&list);
        return rc;
    }
    *created = list.data;
    return SK_OK;
}

void sk_project_free(sk_project *p)
{
    if (!p)
        return;
    free(p->ingest_token);
    free(p->store);
    free(p->dir);
    free(p->path);
    free(p->name);
    free(p->dataset);
    free(p->pack);
    free(p->task_json);
    free(p->llm_json);
    free(p->dataset_name);
    free(p->task_field);
    free(p->text);
    free(p);
}

/* .git/HEAD, then the ref it names (loose, or in packed-refs). */
char *sk_git_commit(const char *dir)
{
    char *base = realpath(dir, NULL);
    if (!base)
        return NULL;
    char *commit = NULL;
    for (char *d = base; !commit;) {
        char *head_path = sk_asprintf("%s/.git/HEAD", d);
        char *head = NULL;
        size_t n;
        if (sk_read_file(head_path, &head, &n, NULL) == SK_OK) {
            while (n > 0 && (head[n - 1] == '\n' || head[n - 1] == '\r'))
                head[--n] = '\0';
            if (strncmp(head, "ref: ", 5) == 0) {
                char *ref_path = sk_asprintf("%s/.git/%s", d, head + 5);
                char *ref = NULL;
                size_t m;
                if (sk_read_file(ref_path, &ref, &m, NULL) == SK_OK) {
                    while (m > 0 && (ref[m - 1] == '\n' || ref[m - 1] == '\r'))
                        ref[--m] = '\0';
                    commit = ref;
                } else {
                    char *packed_path = sk_asprintf("%s/.git/packed-refs", d);
                    char *packed = NULL;
                    if (sk_read_file(packed_path, &packed, &m, NULL) == SK_OK) {
                        for (char *line = strtok(packed, "\n"); line; line = strtok(NULL, "\n")) {
                            char *sp = strchr(line, ' ');
                            if (sp && strcmp(sp + 1, head + 5) == 0) {
                                commit = sk_xstrndup(line, (size_t)(sp - line));
                                break;
                            }
                        }
                    }
                    free(packed);
                    free(packed_path);
                }
                free(ref_path);
            } else if (n >= 40) {
                commit = sk_xstrdup(head); /* detached HEAD */
            }
            free(head);
            free(head_path);
            break; /* found the work tree: stop, commit or not */
        }
        free(head_path);
        char *slash = strrchr(d, '/');
        if (!slash || slash == d)
            break;
        *slash = '\0';
    }
    free(base);
    return commit;
}
