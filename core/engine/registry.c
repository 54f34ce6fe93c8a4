/*
 * The plugin registry: scans the search path, dlopens each plugin, checks
 * its ABI before touching anything else, and validates its scorer table so
 * that the rest of the host can trust it (see registry.h).
 */
#include "engine/registry.h"

#include <dirent.h>
#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "base/error.h"
#include "engine/host.h"
#include "engine/params.h"
#include "base/text/suggest.h"
#include "base/util.h"

#ifndef SK_PLUGIN_DIR
#define SK_PLUGIN_DIR "/usr/local/lib/scorekit/plugins"
#endif

typedef struct loaded {
    sk_plugin_info info;
    char *path;
    void *dl;
} loaded;

struct sk_registry {
    loaded *v;
    size_t n, cap;
    sk_registry_problem *problems;
    size_t nproblems;
    char *search_path;
    const sk_engine_ops *engines[8]; /* besides plugins, which take every other use */
    size_t nengines;
    /* What entry points get: it must live as long as the plugins are
     * loaded, and belongs to no run (plugin.h, "Host tables"). */
    sk_host_ctx loader;
};

sk_registry *sk_registry_new(void)
{
    sk_registry *reg = sk_xcalloc(1, sizeof(sk_registry));
    sk_host_init(&reg->loader, NULL, NULL, NULL);
    reg->loader.stand_in = 1;
    return reg;
}

static void add_problem(sk_registry *reg, const char *path, const char *msg)
{
    reg->problems = sk_xrealloc(reg->problems, (reg->nproblems + 1) * sizeof *reg->problems);
    reg->problems[reg->nproblems].path = sk_xstrdup(path);
    reg->problems[reg->nproblems].message = sk_xstrdup(msg);
    reg->nproblems++;
}

static int valid_name(const char *s)
{
    if (!s || !*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-' || *s == '.'))
            return 0;
    return 1;
}

/* Everything a host relies on, checked once at load so a broken table is
 * refused with a reason instead of crashing later. */
static int check_table(const sk_plugin *p, const char *path, char **err)
{
    if (p->size < offsetof(sk_plugin, scorers) + sizeof(p->scorers))
        return sk_errf(err, SK_EINVAL, "%s: plugin table is too small (size %zu)", path, p->size);
    if (p->abi != SK_PLUGIN_ABI)
        return sk_errf(err, SK_EABI,
                       "%s: plugin table says ABI %d but this scorekit speaks ABI %d; rebuild the "
                       "plugin against this scorekit's <scorekit/plugin.h>",
                       path, p->abi, SK_PLUGIN_ABI);
    if (!valid_name(p->name))
        return sk_errf(err, SK_EINVAL,
                       "%s: plugin name is missing or has characters other than letters, digits, "
                       "'_', '-' and '.'",
                       path);
    if (p->nscorers == 0 || !p->scorers)
        return sk_errf(err, SK_EINVAL, "%s: plugin %s has no scorers", path, p->name);
    for (size_t i = 0; i < p->nscorers; i++) {
        const sk_scorer_def *d = p->scorers[i];
        if (!d)
            return sk_errf(err, SK_EINVAL, "%s: plugin %s: scorer #%zu is NULL", path, p->name, i);
        if (d->size < offsetof(sk_scorer_def, close) + sizeof(d->close))
            return sk_errf(err, SK_EINVAL, "%s: plugin %s: scorer #%zu has size %zu, too small",
                           path, p->name, i, d->size);
        if (!valid_name(d->name))
            return sk_errf(err, SK_EINVAL,
                           "%s: plugin %s: scorer #%zu has no name or a name with characters "
                           "other than letters, digits, '_', '-' and '.'",
                           path, p->name, i);
        if (!d->score)
            return sk_errf(err, SK_EINVAL, "%s: plugin %s: scorer %s has no score function", path,
                           p->name, d->name);
        for (size_t j = 0; j < i; j++)
            if (strcmp(p->scorers[j]->name, d->name) == 0)
                return sk_errf(err, SK_EINVAL, "%s: plugin %s defines scorer %s twice", path,
                               p->name, d->name);
        int rc = sk_params_check_defs(d, path, err);
        if (rc)
            return rc;
    }
    return SK_OK;
}

int sk_registry_load(sk_registry *reg, const char *path, char **err)
{
    void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!dl)
        return sk_errf(err, SK_EINVAL, "%s: cannot load plugin: %s", path, dlerror());

    /* The ABI symbol comes first: a plugin for another ABI may have an
     * entry point whose table means something else. */
    const int *abi = dlsym(dl, SK_PLUGIN_ABI_SYMBOL);
    if (!abi) {
        dlclose(dl);
        return sk_errf(err, SK_EINVAL,
                       "%s: not a scorekit plugin (no %s symbol); declare it with "
                       "SK_PLUGIN_DECLARE from <scorekit/plugin.h>",
                       path, SK_PLUGIN_ABI_SYMBOL);
    }
    if (*abi != SK_PLUGIN_ABI) {
        int theirs = *abi;
        dlclose(dl);
        return sk_errf(err, SK_EABI,
                       "%s: plugin was built for scorekit plugin ABI %d, but this scorekit (%s) "
                       "speaks ABI %d; rebuild it against this scorekit's <scorekit/plugin.h>",
                       path, theirs, PACKAGE_VERSION, SK_PLUGIN_ABI);
    }
    sk_plugin_entry_fn entry;
    void *sym = dlsym(dl, SK_PLUGIN_ENTRY_SYMBOL);
    if (!sym) {
        dlclose(dl);
        return sk_errf(err, SK_EINVAL, "%s: declares ABI %d but has no %s function", path,
                       SK_PLUGIN_ABI, SK_PLUGIN_ENTRY_SYMBOL);
    }
    memcpy(&entry, &sym, sizeof entry); /* ISO C forbids a direct object-to-function cast */
    const sk_plugin *p = entry(&reg->loader.table);
    if (!p) {
        dlclose(dl);
        return sk_errf(err, SK_EINVAL, "%s: %s returned no plugin table", path,
                       SK_PLUGIN_ENTRY_SYMBOL);
    }
    int rc = check_table(p, path, err);
    if (rc) {
        dlclose(dl);
        return rc;
    }
    for (size_t i = 0; i < reg->n; i++)
        if (strcmp(reg->v[i].info.name, p->name) == 0) {
            /* Same plugin name earlier on the path: it shadows this one. */
            char *msg = sk_asprintf("plugin %s is shadowed by %s, earlier on the search path",
                                    p->name, reg->v[i].path);
            add_problem(reg, path, msg);
            free(msg);
            dlclose(dl);
            return SK_OK;
        }
    reg->v = sk_xgrow(reg->v, &reg->cap, reg->n + 1, sizeof *reg->v);
    loaded *l = &reg->v[reg->n++];
    l->path = sk_xstrdup(path);
    l->dl = dl;
    l->info.name = p->name;
    l->info.version = p->version ? p->version : "";
    l->info.path = l->path;
    l->info.table = p;
    return SK_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void scan_dir(sk_registry *reg, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len > 3 && strcmp(e->d_name + len - 3, ".so") == 0) {
            names = sk_xrealloc(names, (n + 1) * sizeof *names);
            names[n++] = sk_asprintf("%s/%s", dir, e->d_name);
        }
    }
    closedir(d);
    /* Sorted, so which of two same-named plugins wins does not depend on
     * directory order. */
    qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        char *msg = NULL;
        if (sk_registry_load(reg, names[i], &msg) != SK_OK)
            add_problem(reg, names[i], msg);
        free(msg);
        free(names[i]);
    }
    free(names);
}

static void add_dir(sk_registry *reg, sk_buf *path, const char *dir)
{
    if (!dir || !*dir)
        return;
    if (path->len)
        sk_buf_addc(path, ':');
    sk_buf_adds(path, dir);
    scan_dir(reg, dir);
}

int sk_registry_open(sk_registry **out, const char *project_dir, char **err)
{
    (void)err;
    sk_registry *reg = sk_registry_new();
    sk_buf path = {0};
    if (project_dir) {
        char *dir = sk_asprintf("%s/plugins", project_dir);
        add_dir(reg, &path, dir);
        free(dir);
    }
    const char *env = getenv("SCOREKIT_PLUGIN_PATH");
    if (env) {
        char *copy = sk_xstrdup(env), *save = NULL;
        for (char *tok = strtok_r(copy, ":", &save); tok; tok = strtok_r(NULL, ":", &save))
            add_dir(reg, &path, tok);
        free(copy);
    }
    add_dir(reg, &path, SK_PLUGIN_DIR);
    reg->search_path = path.data ? path.data : sk_xstrdup("");
    *out = reg;
    return SK_OK;
}

int sk_registry_find(const sk_registry *reg, const char *use, const sk_scorer_def **def,
                     const sk_plugin_info **info, char **err)
{
    const char *slash = strchr(use, '/');
    size_t plen = slash ? (size_t)(slash - use) : 0;
    const char *name = slash ? slash + 1 : use;
    for (size_t i = 0; i < reg->n; i++) {
        const sk_plugin *p = reg->v[i].info.table;
        if (slash && (strlen(p->name) != plen || memcmp(p->name, use, plen) != 0))
            continue;
        for (size_t j = 0; j < p->nscorers; j++)
            if (strcmp(p->scorers[j]->name, name) == 0) {
                *def = p->scorers[j];
                if (info)
                    *info = &reg->v[i].info;
                return SK_OK;
            }
    }
    /* The nearest scorer name, written the way `use` was (with the
     * plugin's name when it had one). */
    size_t count = 0;
    for (size_t i = 0; i < reg->n; i++)
        count += reg->v[i].info.table->nscorers;
    char **cands = sk_xcalloc(count + 1, sizeof *cands);
    count = 0;
    for (size_t i = 0; i < reg->n; i++) {
        const sk_plugin *p = reg->v[i].info.table;
        for (size_t j = 0; j < p->nscorers; j++)
            cands[count++] = slash ? sk_asprintf("%s/%s", p->name, p->scorers[j]->name)
                                   : sk_xstrdup(p->scorers[j]->name);
    }
    const char *near = sk_suggest(use, (const char *const *)cands, count);
    sk_buf msg = {0};
    sk_buf_printf(&msg, "no scorer named \"%s\" in any plugin on the search path (%s)", use,
                  reg->search_path && *reg->search_path ? reg->search_path : "empty");
    if (near)
        sk_buf_printf(&msg, "; did you mean \"%s\"?", near);
    for (size_t i = 0; i < count; i++)
        free(cands[i]);
    free(cands);
    if (reg->nproblems) {
        sk_buf_adds(&msg, "; plugins that were refused:");
        for (size_t i = 0; i < reg->nproblems; i++)
            sk_buf_printf(&msg, "\n  %s", reg->problems[i].message);
    }
    sk_buf_adds(&msg, "\n  (`scorekit scorers` lists what is available; set SCOREKIT_PLUGIN_PATH "
                      "or put the plugin in the project's plugins/ folder)");
    int rc = sk_errf(err, SK_ENOTFOUND, "%s", msg.data);
    sk_buf_free(&msg);
    return rc;
}

size_t sk_registry_count(const sk_registry *reg)
{
    return reg->n;
}

const sk_plugin_info *sk_registry_get(const sk_registry *reg, size_t i)
{
    return i < reg->n ? &reg->v[i].info : NULL;
}

size_t sk_registry_problem_count(const sk_registry *reg)
{
    return reg->nproblems;
}

const sk_registry_problem *sk_registry_problem_get(const sk_registry *reg, size_t i)
{
    return i < reg->nproblems ? &reg->problems[i] : NULL;
}

const char *sk_registry_search_path(const sk_registry *reg)
{
    return reg->search_path ? reg->search_path : "";
}

void sk_registry_free(sk_registry *reg)
{
    if (!reg)
        return;
    for (size_t i = 0; i < reg->n; i++) {
        dlclose(reg->v[i].dl);
        free(reg->v[i].path);
    }
    for (size_t i = 0; i < reg->nproblems; i++) {
        free((char *)reg->problems[i].path);
        free((char *)reg->problems[i].message);
    }
    free(reg->problems);
    free(reg->v);
    free(reg->search_path);
    free(reg);
}

void sk_registry_add_engine(sk_registry *reg, const sk_engine_ops *ops)
{
    for (size_t i = 0; i < reg->nengines; i++)
        if (reg->engines[i] == ops)
            return;
    if (reg->nengines < sizeof reg->engines / sizeof reg->engines[0])
        reg->engines[reg->nengines++] = ops;
}

const sk_engine_ops *sk_registry_engine_for(const sk_registry *reg, const char *use)
{
    for (size_t i = 0; reg && i < reg->nengines; i++) {
        const char *p = reg->engines[i]->prefix;
        if (p && strncmp(use, p, strlen(p)) == 0)
            return reg->engines[i];
    }
    return &sk_engine_plugin;
}

const sk_engine_ops *sk_registry_engine_get(const sk_registry *reg, size_t i)
{
    return reg && i < reg->nengines ? reg->engines[i] : NULL;
}

const sk_plugin_info *sk_registry_info_of(const sk_registry *reg, const sk_scorer_def *def)
{
    for (size_t i = 0; reg && i < reg->n; i++) {
        const sk_plugin *p = reg->v[i].info.table;
        for (size_t j = 0; j < p->nscorers; j++)
            if (p->scorers[j] == def)
                return &reg->v[i].info;
    }
    return NULL;
}
