/*
 * Choosing a task provider by name.  The table of every provider this build
 * knows lives here, above the providers, so the base of the concept
 * (task.c) knows none of its implementations.
 */
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/text/suggest.h"
#include "base/util.h"
#include "task/task.h"
#include "task/task_openai.h"

/* Every provider this build knows, in the order the error lists them. */
static const sk_task_ops *const providers[] = {&sk_task_column, &sk_task_exec, &sk_task_stored,
                                               &sk_task_openai, &sk_task_anthropic};
#define NPROVIDERS (sizeof providers / sizeof providers[0])

const sk_task_ops *sk_task_find(const cJSON *config, char **err)
{
    const char *name = "column";
    const cJSON *p = config ? cJSON_GetObjectItemCaseSensitive(config, "provider") : NULL;
    int bad_type = p && !cJSON_IsString(p);
    if (p && !bad_type)
        name = p->valuestring;
    for (size_t i = 0; !bad_type && i < NPROVIDERS; i++)
        if (strcmp(providers[i]->provider, name) == 0)
            return providers[i];
    sk_buf known = {0};
    for (size_t i = 0; i < NPROVIDERS; i++)
        sk_buf_printf(&known, "%s%s", i ? ", " : "", providers[i]->provider);
    if (bad_type)
        sk_errf(err, SK_EINVAL, "task: \"provider\" must be a string naming the provider (%s)",
                known.data);
    else {
        const char *names[NPROVIDERS];
        for (size_t i = 0; i < NPROVIDERS; i++)
            names[i] = providers[i]->provider;
        const char *near = sk_suggest(name, names, NPROVIDERS);
        char *hint = near ? sk_asprintf("; did you mean \"%s\"?", near) : sk_xstrdup("");
        sk_errf(err, SK_ENOTFOUND, "task: unknown provider \"%s\"%s (known: %s)", name, hint,
                known.data);
        free(hint);
    }
    sk_buf_free(&known);
    return NULL;
}

int sk_task_check(const cJSON *config, const sk_json_src *src, const char *ptr, char **err)
{
    const sk_task_ops *ops = sk_task_find(config, err);
    if (!ops) {
        /* The provider's line, so the message points where the fix goes. */
        char *loc = sk_json_where(src, ptr, "provider");
        if (loc[0] && err && *err) {
            char *m = sk_asprintf("%s%s", loc, *err);
            free(*err);
            *err = m;
        }
        free(loc);
        return SK_EINVAL;
    }
    return sk_task_check_keys(ops, config, src, ptr, err);
}
