/* `scorekit scorers`: what scorers exist, what they take, where they come from. */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "lua/lua_engine.h"
#include "run/engines.h"
#include "engine/params.h"
#include "base/util.h"

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* " [thread-safe needs-expected]", or "" with no flags. */
static const char *flag_names(unsigned flags, char *buf, size_t n)
{
    snprintf(buf, n, " [%s%s%s%s%s", flags & SK_SCORER_THREAD_SAFE ? "thread-safe " : "",
             flags & SK_SCORER_NONDETERMINISTIC ? "nondeterministic " : "",
             flags & SK_SCORER_NEEDS_EXPECTED ? "needs-expected " : "",
             flags & SK_SCORER_USES_LLM ? "uses-llm " : "",
             flags & SK_SCORER_PAIRWISE ? "pairwise " : "");
    size_t len = strlen(buf);
    if (len == 2)
        buf[0] = '\0';
    else
        buf[len - 1] = ']';
    return buf;
}

static cJSON *flags_json(unsigned flags)
{
    cJSON *a = cJSON_CreateArray();
    if (flags & SK_SCORER_THREAD_SAFE)
        cJSON_AddItemToArray(a, cJSON_CreateString("thread-safe"));
    if (flags & SK_SCORER_NONDETERMINISTIC)
        cJSON_AddItemToArray(a, cJSON_CreateString("nondeterministic"));
    if (flags & SK_SCORER_NEEDS_EXPECTED)
        cJSON_AddItemToArray(a, cJSON_CreateString("needs-expected"));
    if (flags & SK_SCORER_USES_LLM)
        cJSON_AddItemToArray(a, cJSON_CreateString("uses-llm"));
    if (flags & SK_SCORER_PAIRWISE)
        cJSON_AddItemToArray(a, cJSON_CreateString("pairwise"));
    return a;
}

static cJSON *params_json(const sk_param_def *p)
{
    cJSON *a = cJSON_CreateArray();
    for (; p && p->name; p++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", p->name);
        cJSON_AddStringToObject(o, "type", sk_param_type_name(p->type));
        if (p->default_json)
            cJSON_AddItemToObject(o, "default", cJSON_Parse(p->default_json));
        else
            cJSON_AddBoolToObject(o, "required", 1);
        cJSON_AddStringToObject(o, "doc", p->doc ? p->doc : "");
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static void print_params(const sk_param_def *p)
{
    for (; p && p->name; p++)
        printf("      %s (%s%s%s): %s\n", p->name, sk_param_type_name(p->type),
               p->default_json ? ", default " : ", required",
               p->default_json ? p->default_json : "", p->doc ? p->doc : "");
}

/* Lua scorers usable by name ("lua:NAME"): the project's scorers/ folder,
 * then scorers/ on the Lua path; the first of a name wins, as in packs. */
static void list_lua(const char *project_dir, cJSON *arr)
{
    sk_buf dirs = {0};
    sk_buf_printf(&dirs, "%s/scorers", project_dir);
    for (const char *p = sk_lua_path(); *p;) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        if (n)
            sk_buf_printf(&dirs, ":%.*s/scorers", (int)n, p);
        p += n + (colon ? 1 : 0);
    }
    char **seen = NULL;
    size_t nseen = 0;
    int header = 0;
    char *save = NULL;
    for (char *dir = strtok_r(dirs.data, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
        DIR *d = opendir(dir);
        if (!d)
            continue;
        struct dirent *e;
        char **names = NULL;
        size_t nn = 0;
        while ((e = readdir(d))) {
            size_t len = strlen(e->d_name);
            if (len > 4 && strcmp(e->d_name + len - 4, ".lua") == 0) {
                names = sk_xrealloc(names, (nn + 1) * sizeof *names);
                names[nn++] = sk_xstrndup(e->d_name, len - 4);
            }
        }
        closedir(d);
        qsort(names, nn, sizeof *names, cmp_name);
        for (size_t i = 0; i < nn; i++) {
            int dup = 0;
            for (size_t j = 0; j < nseen && !dup; j++)
                dup = strcmp(seen[j], names[i]) == 0;
            char *path = sk_asprintf("%s/%s.lua", dir, names[i]);
            char *display = sk_asprintf("%s.lua", names[i]);
            sk_lua_limits lim = {SK_LUA_DEFAULT_INSTRUCTIONS, SK_LUA_DEFAULT_MEMORY,
                                 SK_LUA_DEFAULT_SECONDS};
            sk_lua_script *script = NULL;
            char *err = NULL;
            if (!dup && sk_lua_script_load(&script, path, display, &lim, &err) != 0) {
                cli_warn("%s: %s", path, err);
            } else if (!dup) {
                const sk_scorer_def *def = sk_lua_script_def(script);
                char use[300], buf[128];
                snprintf(use, sizeof use, "lua:%s", names[i]);
                if (arr) {
                    cJSON *o = cJSON_CreateObject();
                    cJSON_AddStringToObject(o, "name", def->name);
                    cJSON_AddStringToObject(o, "use", use);
                    cJSON_AddStringToObject(o, "path", path);
                    cJSON_AddStringToObject(o, "summary", def->summary);
                    cJSON_AddItemToObject(o, "flags", flags_json(def->flags));
                    cJSON_AddItemToObject(o, "params", params_json(def->params));
                    cJSON_AddItemToArray(arr, o);
                } else {
                    if (!header)
                        printf("\nLua scorers (\"use\": \"lua:NAME\")\n");
                    header = 1;
                    printf("  %-14s %s%s\n", use, def->summary,
                           flag_names(def->flags, buf, sizeof buf));
                    print_params(def->params);
                }
                seen = sk_xrealloc(seen, (nseen + 1) * sizeof *seen);
                seen[nseen++] = sk_xstrdup(names[i]);
            }
            sk_lua_script_free(script);
            free(err);
            free(path);
            free(display);
            free(names[i]);
        }
        free(names);
    }
    for (size_t i = 0; i < nseen; i++)
        free(seen[i]);
    free(seen);
    sk_buf_free(&dirs);
}

int cmd_scorers(const cli_ctx *ctx, int argc, char **argv)
{
    enum { O_PACK = 256, O_JSON };
    static const struct option opts[] = {{"pack", required_argument, NULL, O_PACK},
                                         {"json", no_argument, NULL, O_JSON},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *pack_file = NULL;
    int json = 0, c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "h", opts)) != -1) {
        switch (c) {
        case O_PACK: pack_file = optarg; break;
        case O_JSON: json = 1; break;
        case 'h':
            printf("usage: scorekit scorers [--pack FILE] [--json]\n\n"
                   "List every scorer on the plugin search path with its summary and params;\n"
                   "with --pack, the scorers of that pack with their resolved params.\n");
            return CLI_OK;
        default: return CLI_USAGE;
        }
    }
    sk_project *proj = NULL;
    if (cli_project(ctx, 0, &proj))
        return CLI_FAIL;
    sk_registry *reg = NULL;
    sk_pack *pack = NULL;
    char buf[128];
    int rc = CLI_OK;
    cJSON *out = json ? cJSON_CreateObject() : NULL;

    if (pack_file) {
        if (cli_pack(ctx, proj, pack_file, NULL, 0, &reg, &pack)) {
            sk_project_free(proj);
            cJSON_Delete(out);
            return CLI_FAIL;
        }
        cJSON *arr = out ? cJSON_AddArrayToObject(out, "scorers") : NULL;
        if (out) {
            cJSON_AddStringToObject(out, "pack", pack->name);
            cJSON_AddStringToObject(out, "version", pack->version);
        } else
            printf("pack %s %s (%s)\n", pack->name, pack->version, pack_file);
        for (size_t i = 0; i < pack->n; i++) {
            const sk_pack_entry *e = &pack->entries[i];
            if (arr) {
                cJSON *o = cJSON_CreateObject();
                cJSON_AddStringToObject(o, "name", e->name);
                cJSON_AddStringToObject(o, "use", e->use);
                cJSON_AddStringToObject(o, "summary", e->summary);
                cJSON_AddStringToObject(o, "origin", e->origin);
                cJSON_AddItemToObject(o, "params", cJSON_Parse(e->params_json));
                if (e->has_threshold)
                    cJSON_AddNumberToObject(o, "threshold", e->threshold);
                cJSON_AddNumberToObject(o, "weight", e->weight);
                cJSON_AddItemToObject(o, "flags", flags_json(e->flags));
                cJSON_AddItemToArray(arr, o);
                continue;
            }
            printf("  %s", e->name);
            if (strcmp(e->name, e->use) != 0)
                printf(" (%s)", e->use);
            printf(" - %s\n      params %s", e->summary, e->params_json);
            if (e->has_threshold)
                printf(", threshold %g", e->threshold);
            printf(", weight %g\n      %s%s\n", e->weight, e->origin,
                   flag_names(e->flags, buf, sizeof buf));
        }
    } else {
        char *err = NULL;
        sk_engines_open(&reg, proj ? proj->dir : (ctx->dir_given ? ctx->dir : NULL), &err);
        free(err);
        cJSON *arr = out ? cJSON_AddArrayToObject(out, "scorers") : NULL;
        if (!out)
            printf("search path: %s\n", sk_registry_search_path(reg));
        for (size_t i = 0; i < sk_registry_count(reg); i++) {
            const sk_plugin_info *pi = sk_registry_get(reg, i);
            if (!out)
                printf("\nplugin %s %s (%s)\n", pi->name, pi->version, pi->path);
            for (size_t j = 0; j < pi->table->nscorers; j++) {
                const sk_scorer_def *d = pi->table->scorers[j];
                if (arr) {
                    cJSON *o = cJSON_CreateObject();
                    cJSON_AddStringToObject(o, "name", d->name);
                    cJSON_AddStringToObject(o, "plugin", pi->name);
                    cJSON_AddStringToObject(o, "path", pi->path);
                    cJSON_AddStringToObject(o, "summary", d->summary ? d->summary : "");
                    cJSON_AddItemToObject(o, "flags", flags_json(d->flags));
                    cJSON_AddItemToObject(o, "params", params_json(d->params));
                    cJSON_AddItemToArray(arr, o);
                    continue;
                }
                printf("  %-14s %s%s\n", d->name, d->summary ? d->summary : "",
                       flag_names(d->flags, buf, sizeof buf));
                print_params(d->params);
            }
        }
        list_lua(proj ? proj->dir : (ctx->dir_given ? ctx->dir : "."), arr);
        /* Not a scorer of its own, so no plugin lists it. */
        if (!out)
            printf("\nJudge panels (\"use\": \"panel\")\n"
                   "  panel          votes scorers of the pack: \"params\": {\"judges\": "
                   "[NAME, ...], \"reduce\": \"majority\" | \"mean\", \"pass_at\": 0.5}\n");
        size_t np = sk_registry_problem_count(reg);
        cJSON *probs = out && np ? cJSON_AddArrayToObject(out, "refused") : NULL;
        for (size_t i = 0; i < np; i++) {
            const sk_registry_problem *p = sk_registry_problem_get(reg, i);
            if (probs)
                cJSON_AddItemToArray(probs, cJSON_CreateString(p->message));
            else
                cli_warn("%s", p->message);
        }
        if (sk_registry_count(reg) == 0) {
            if (!out)
                cli_error("no plugins found on the search path (%s); set SCOREKIT_PLUGIN_PATH",
                          sk_registry_search_path(reg));
            rc = CLI_FAIL;
        }
    }
    if (out) {
        char *s = cJSON_Print(out);
        puts(s);
        free(s);
        cJSON_Delete(out);
    }
    sk_pack_free(pack);
    sk_registry_free(reg);
    sk_project_free(proj);
    return rc;
}
