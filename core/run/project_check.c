/* Checking the task and llm objects of scorekit.json (see project_check.h). */
#include "run/project_check.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

#include "base/error.h"
#include "base/json_keys.h"
#include "base/json_tree.h"
#include "llm/llm_config.h"
#include "task/task.h"

int sk_project_check(const sk_project *p, char **err)
{
    sk_json_src src = {p->path, p->text, p->text_len};
    int rc = SK_OK;
    if (p->task_json) {
        cJSON *task = sk_json_parse_cstr(p->task_json);
        rc = sk_task_check(task, &src, "/task", err);
        cJSON_Delete(task);
    }
    if (rc == SK_OK && p->llm_json) {
        cJSON *llm = sk_json_parse_cstr(p->llm_json);
        rc = sk_llm_config_check_keys(llm, &src, "/llm", err);
        cJSON_Delete(llm);
    }
    return rc;
}
