/* `scorekit new scorer NAME [--lua|--c]`: write a working, commented scorer
 * into the project, ready to edit. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "base/fileutil.h"
#include "base/util.h"

/* @NAME@ is replaced by the scorer's name. */
static const char lua_template[] =
    "-- @NAME@: a Lua scorer.  Edit score() and try it in seconds:\n"
    "--   scorekit try lua:scorers/@NAME@.lua --output \"...\" --expected \"...\"\n"
    "-- then add it to the pack:  {\"use\": \"lua:scorers/@NAME@.lua\"}\n"
    "--\n"
    "-- score(case, params) gets case.input, case.output, case.expected and\n"
    "-- case.metadata (strings stay strings; JSON objects and arrays are tables;\n"
    "-- JSON null is sk.null) and returns one of:\n"
    "--   a number in [0,1]\n"
    "--   {score = 0.5, rationale = \"why\", meta = {any = \"table\"}}\n"
    "--   nil, \"reason\"      to skip a row the scorer does not apply to\n"
    "-- error(\"...\") marks the row as an error: never a 0, never a pass.\n"
    "-- The sk library: sk.text (similarity, levenshtein, normalize, tokens,\n"
    "-- contains, words), sk.json (encode, decode), sk.score(name, case) to call\n"
    "-- another scorer, sk.log(...), and require(\"sk.checks\") for helpers.\n"
    "\n"
    "local checks = require(\"sk.checks\")\n"
    "\n"
    "return {\n"
    "  name = \"@NAME@\",\n"
    "  summary = \"share of the expected answer's words that the output contains\",\n"
    "  needs_expected = true, -- rows without an expected value are skipped\n"
    "\n"
    "  -- Declared params, with defaults; a pack may set them:\n"
    "  --   {\"use\": \"lua:scorers/@NAME@.lua\", \"params\": {\"min_length\": 3}}\n"
    "  params = {\n"
    "    min_length = { default = 3, type = \"integer\", doc = \"ignore shorter words\" },\n"
    "  },\n"
    "\n"
    "  score = function(case, params)\n"
    "    local expected = {}\n"
    "    for _, w in ipairs(sk.text.tokens(checks.text(case.expected))) do\n"
    "      if #w >= params.min_length then expected[#expected + 1] = w end\n"
    "    end\n"
    "    if #expected == 0 then return nil, \"the expected answer has no long enough words\" "
    "end\n"
    "\n"
    "    local have = {}\n"
    "    for _, w in ipairs(sk.text.tokens(checks.text(case.output))) do have[w] = true end\n"
    "    local missing = {}\n"
    "    for _, w in ipairs(expected) do\n"
    "      if not have[w] then missing[#missing + 1] = w end\n"
    "    end\n"
    "\n"
    "    local score = 1 - #missing / #expected\n"
    "    if #missing == 0 then return 1 end\n"
    "    return {\n"
    "      score = score,\n"
    "      rationale = \"missing: \" .. table.concat(missing, \", \"),\n"
    "      meta = { missing = #missing },\n"
    "    }\n"
    "  end,\n"
    "\n"
    "  -- Cases `scorekit validate` will check this scorer on.\n"
    "  meta_cases = {\n"
    "    { case = { expected = \"Paris is the capital\", output = \"The capital is Paris\" }, "
    "expect = \"high\" },\n"
    "    { case = { expected = \"Paris is the capital\", output = \"Lyon\" }, expect = \"low\" },\n"
    "  },\n"
    "}\n";

static const char c_template[] =
    "/*\n"
    " * @NAME@: a scorer plugin.  Build it and put it where scorekit looks:\n"
    " *   make && make install-local       (copies @NAME@.so to the project's plugins/)\n"
    " *   scorekit try @NAME@ --output \"...\" --expected \"...\"\n"
    " * It needs only <scorekit/plugin.h> (pkg-config --cflags scorekit).\n"
    " *\n"
    " * This one scores 1 when the output starts with the expected text,\n"
    " * ignoring leading spaces; replace score() with your own logic.\n"
    " */\n"
    "#include <stdio.h>\n"
    "#include <string.h>\n"
    "\n"
    "#include <scorekit/plugin.h>\n"
    "\n"
    "static const sk_param_def params[] = {\n"
    "    {\"max_skip\", SK_PARAM_INTEGER, \"0\", \"characters of the output that may come "
    "first\"},\n"
    "    {NULL, 0, NULL, NULL}};\n"
    "\n"
    "typedef struct state {\n"
    "    double max_skip;\n"
    "} state;\n"
    "\n"
    "/* Params arrive checked against the table above, defaults filled in. */\n"
    "static int s_open(const sk_host *host, const char *params_json, void **out, char *err,\n"
    "                  size_t errlen)\n"
    "{\n"
    "    state *s = host->alloc(sizeof *s);\n"
    "    host->json_get_number(params_json, \"max_skip\", &s->max_skip);\n"
    "    if (s->max_skip < 0) {\n"
    "        snprintf(err, errlen, \"max_skip must be >= 0\");\n"
    "        host->free(s);\n"
    "        return -1;\n"
    "    }\n"
    "    *out = s;\n"
    "    return 0;\n"
    "}\n"
    "\n"
    "static int s_score(const sk_host *host, void *st, const sk_case *c, sk_result *r)\n"
    "{\n"
    "    const state *s = st;\n"
    "    const char *out = c->output_text;\n"
    "    size_t n = c->output_len, skip = 0;\n"
    "    while (skip < n && skip <= (size_t)s->max_skip) {\n"
    "        if (n - skip >= c->expected_len &&\n"
    "            memcmp(out + skip, c->expected_text, c->expected_len) == 0) {\n"
    "            host->set_score(r, 1);\n"
    "            return 0;\n"
    "        }\n"
    "        skip++;\n"
    "    }\n"
    "    host->set_score(r, 0);\n"
    "    host->set_rationale(r, \"the output does not start with the expected text\");\n"
    "    return 0;\n"
    "}\n"
    "\n"
    "static void s_close(const sk_host *host, void *st)\n"
    "{\n"
    "    host->free(st);\n"
    "}\n"
    "\n"
    "static const sk_scorer_def @NAME@_def = {\n"
    "    .size = sizeof(sk_scorer_def),\n"
    "    .name = \"@NAME@\",\n"
    "    .summary = \"1 when the output starts with the expected text\",\n"
    "    .flags = SK_SCORER_THREAD_SAFE | SK_SCORER_NEEDS_EXPECTED,\n"
    "    .accepts = SK_ACCEPT_TEXT,\n"
    "    .params = params,\n"
    "    .open = s_open,\n"
    "    .score = s_score,\n"
    "    .close = s_close,\n"
    "};\n"
    "\n"
    "static const sk_scorer_def *const scorers[] = {&@NAME@_def};\n"
    "\n"
    "SK_PLUGIN_DECLARE(\"@NAME@\", \"0.1\", scorers)\n";

static const char c_makefile[] =
    "# Builds the @NAME@ scorer plugin against the installed scorekit SDK.\n"
    "PKG_CONFIG ?= pkg-config\n"
    "CFLAGS ?= -O2 -g\n"
    "SK_CFLAGS := $(shell $(PKG_CONFIG) --cflags scorekit)\n"
    "\n"
    "@NAME@.so: @NAME@.c\n"
    "\t$(CC) -std=c11 -Wall -Wextra -fPIC -shared -fvisibility=hidden $(CFLAGS) $(SK_CFLAGS) "
    "-o $@ @NAME@.c\n"
    "\n"
    "install-local: @NAME@.so\n"
    "\tmkdir -p ../../plugins && cp @NAME@.so ../../plugins/\n"
    "\n"
    "clean:\n"
    "\trm -f @NAME@.so\n"
    "\n"
    ".PHONY: install-local clean\n";

static char *fill(const char *tpl, const char *name)
{
    sk_buf b = {0};
    for (const char *p = tpl; *p;) {
        const char *at = strstr(p, "@NAME@");
        if (!at) {
            sk_buf_adds(&b, p);
            break;
        }
        sk_buf_add(&b, p, (size_t)(at - p));
        sk_buf_adds(&b, name);
        p = at + 6;
    }
    return b.data;
}

/* Every file is written whole (sk_write_file) and never over an existing
 * one; when a later file or folder fails, what this command made before
 * is removed again, so a failed `new` leaves nothing half made. */
typedef struct made {
    const char *paths[4];
    int is_dir[4];
    size_t n;
} made;

static int make_dir(made *m, const char *path)
{
    if (mkdir(path, 0777) == 0) {
        m->is_dir[m->n] = 1;
        m->paths[m->n++] = path;
        return 0;
    }
    if (errno == EEXIST && sk_is_dir(path))
        return 0;
    cli_error("%s: cannot create folder: %s", path,
              errno == EEXIST ? "a file of that name is in the way" : strerror(errno));
    return -1;
}

static int write_new(made *m, const char *path, const char *text)
{
    char *err = NULL;
    if (sk_write_file(path, text, strlen(text), SK_WRITE_NEW, &err) != 0) {
        cli_error("%s", err); /* never overwrite someone's scorer */
        free(err);
        return -1;
    }
    m->is_dir[m->n] = 0;
    m->paths[m->n++] = path;
    return 0;
}

/* Undo on failure (newest first, so folders are empty when removed), or
 * list what was created. */
static void finish(made *m, int failed, int json)
{
    for (size_t i = m->n; failed && i-- > 0;)
        (void)(m->is_dir[i] ? rmdir(m->paths[i]) : unlink(m->paths[i]));
    for (size_t i = 0; !failed && !json && i < m->n; i++)
        if (!m->is_dir[i])
            printf("created %s\n", m->paths[i]);
}

/* --json: {"name", "kind", "use" (what a pack names it by), "created"}. */
static void print_json(const made *m, const char *name, const char *kind, const char *use)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", name);
    cJSON_AddStringToObject(o, "kind", kind);
    cJSON_AddStringToObject(o, "use", use);
    cJSON *list = cJSON_AddArrayToObject(o, "created");
    for (size_t i = 0; i < m->n; i++)
        if (!m->is_dir[i])
            cJSON_AddItemToArray(list, cJSON_CreateString(m->paths[i]));
    cli_json_print(o);
}

int cmd_new(const cli_ctx *ctx, int argc, char **argv)
{
    enum { O_LUA = 256, O_C, O_JSON };
    static const struct option opts[] = {{"lua", no_argument, NULL, O_LUA},
                                         {"c", no_argument, NULL, O_C},
                                         {"json", no_argument, NULL, O_JSON},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int want_c = 0, json = 0, c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "h", opts)) != -1) {
        switch (c) {
        case O_LUA: want_c = 0; break;
        case O_C: want_c = 1; break;
        case O_JSON: json = 1; break;
        case 'h':
            printf("usage: scorekit new scorer NAME [--lua|--c] [--json]\n\n"
                   "Write a working, commented scorer into the project: scorers/NAME.lua\n"
                   "(the default), or with --c a plugin in plugins-src/NAME/ with its Makefile.\n"
                   "--json prints only {\"name\", \"kind\", \"use\", \"created\": [paths]}.\n");
            return CLI_OK;
        default: return CLI_USAGE;
        }
    }
    if (argc - optind != 2 || strcmp(argv[optind], "scorer") != 0) {
        cli_error("usage: scorekit new scorer NAME [--lua|--c]");
        return CLI_USAGE;
    }
    const char *name = argv[optind + 1];
    int ok = name[0] >= 'a' && name[0] <= 'z';
    for (const char *p = name; ok && *p; p++)
        ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_';
    if (!ok) {
        cli_error("scorer name \"%s\": use lower-case letters, digits and '_', starting with a "
                  "letter (it becomes a C identifier and a file name)",
                  name);
        return CLI_USAGE;
    }
    int rc = CLI_OK;
    if (!want_c) {
        char *dir = sk_asprintf("%s/scorers", ctx->dir);
        char *path = sk_asprintf("%s/%s.lua", dir, name);
        char *text = fill(lua_template, name);
        made m = {0};
        if (make_dir(&m, dir) || write_new(&m, path, text))
            rc = CLI_FAIL;
        finish(&m, rc != CLI_OK, json);
        char *use = sk_asprintf("lua:scorers/%s.lua", name);
        if (rc == CLI_OK && json)
            print_json(&m, name, "lua", use);
        free(use);
        if (rc == CLI_OK && !json)
            printf("next: scorekit try lua:scorers/%s.lua --output \"The capital is Paris\" "
                   "--expected \"Paris\"\n      then add {\"use\": \"lua:scorers/%s.lua\"} to "
                   "the pack\n",
                   name, name);
        free(dir);
        free(path);
        free(text);
        return rc;
    }
    char *top = sk_asprintf("%s/plugins-src", ctx->dir);
    char *dir = sk_asprintf("%s/%s", top, name);
    char *src = sk_asprintf("%s/%s.c", dir, name);
    char *mk = sk_asprintf("%s/Makefile", dir);
    char *t1 = fill(c_template, name), *t2 = fill(c_makefile, name);
    made m = {0};
    if (make_dir(&m, top) || make_dir(&m, dir) || write_new(&m, src, t1) || write_new(&m, mk, t2))
        rc = CLI_FAIL;
    finish(&m, rc != CLI_OK, json);
    if (rc == CLI_OK && json)
        print_json(&m, name, "c", name);
    if (rc == CLI_OK && !json)
        printf("next: make -C %s install-local && scorekit try %s --output \"...\" --expected "
               "\"...\"\n",
               dir, name);
    free(top);
    free(dir);
    free(src);
    free(mk);
    free(t1);
    free(t2);
    return rc;
}
