/*
 * Reading meta-cases (see metacase.h): calibration records expand into
 * their five checks, meta-cases into one; every problem is refused with
 * the place it was found, before anything is scored.
 */
#include "validate/metacase.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/json_keys.h"
#include "base/fileutil.h"
#include "base/util.h"

#ifndef SK_CALIBRATION_DIR
#define SK_CALIBRATION_DIR "/usr/local/share/scorekit/calibration"
#endif

static const char *const record_keys[] = {
    "id",    "category",      "kind",         "input",           "expected", "metadata", "correct",
    "wrong", "verbose_wrong", "formal_wrong", "confident_wrong", "scorers",  NULL};
static const char *const case_keys[] = {"id",     "category",  "kind",    "case",
                                        "expect", "tolerance", "better",  "worse",
                                        "margin", "bias",      "scorers", NULL};
static const char *const inner_keys[] = {"input", "expected", "metadata", "output", NULL};

const char *sk_calibration_dir(void)
{
    const char *env = getenv("SCOREKIT_CALIBRATION_PATH");
    return env && *env ? env : SK_CALIBRATION_DIR;
}

const char *sk_mc_bias_name(sk_mc_bias b)
{
    switch (b) {
    case SK_BIAS_VERBOSITY: return "verbosity";
    case SK_BIAS_FORMALITY: return "formality";
    case SK_BIAS_CONFIDENCE: return "confidence";
    default: return "none";
    }
}

const char *sk_mc_kind_name(unsigned kind)
{
    switch (kind) {
    case SK_ACCEPT_TEXT: return "text";
    case SK_ACCEPT_NUMBER: return "number";
    case SK_ACCEPT_JSON: return "json";
    case SK_ACCEPT_LIST: return "list";
    default: return "any";
    }
}

static int check_keys(const cJSON *o, const char *const *keys, const char *where, const char *what,
                      char **err)
{
    char *in = sk_asprintf(" in %s", what);
    int rc = sk_json_check_keys(o, keys, NULL, where, in, NULL, NULL, err);
    free(in);
    return rc;
}

/* The kind a JSON answer suggests. */
static unsigned infer_kind(const cJSON *v)
{
    if (cJSON_IsNumber(v))
        return SK_ACCEPT_NUMBER;
    if (cJSON_IsArray(v))
        return SK_ACCEPT_LIST;
    if (cJSON_IsObject(v))
        return SK_ACCEPT_JSON;
    if (cJSON_IsString(v))
        return SK_ACCEPT_TEXT;
    return 0;
}

static int parse_kind(const cJSON *j, const cJSON *answer, const char *where, unsigned *kind,
                      char **err)
{
    if (!j) {
        *kind = infer_kind(answer);
        return SK_OK;
    }
    static const char *const names[] = {"text", "number", "json", "list"};
    for (unsigned i = 0; cJSON_IsString(j) && i < 4; i++)
        if (strcmp(j->valuestring, names[i]) == 0) {
            *kind = 1u << i;
            return SK_OK;
        }
    return sk_errf(err, SK_EINVAL,
                   "%s: \"kind\" must be \"text\", \"number\", \"json\" or \"list\"", where);
}

static int parse_scorers(const cJSON *j, const char *where, char ***out, char **err)
{
    *out = NULL;
    if (!j)
        return SK_OK;
    int n = cJSON_GetArraySize(j);
    if (!cJSON_IsArray(j) || n == 0)
        return sk_errf(err, SK_EINVAL,
                       "%s: \"scorers\" must be a non-empty list of scorer names, like "
                       "[\"exact_match\"]",
                       where);
    char **v = sk_xcalloc((size_t)n + 1, sizeof *v);
    int i = 0;
    const cJSON *s;
    cJSON_ArrayForEach(s, j)
    {
        if (!cJSON_IsString(s)) {
            for (int k = 0; k < i; k++)
                free(v[k]);
            free(v);
            return sk_errf(err, SK_EINVAL, "%s: \"scorers\" must hold strings only", where);
        }
        v[i++] = sk_xstrdup(s->valuestring);
    }
    *out = v;
    return SK_OK;
}

static char **dup_names(char *const *v)
{
    if (!v)
        return NULL;
    size_t n = 0;
    while (v[n])
        n++;
    char **d = sk_xcalloc(n + 1, sizeof *d);
    for (size_t i = 0; i < n; i++)
        d[i] = sk_xstrdup(v[i]);
    return d;
}

static void free_names(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

/* {"input":..., "expected":..., "metadata":...} from the fields of `src`. */
static char *case_text(const cJSON *src, const char *where, int *has_expected, char **err)
{
    const cJSON *md = cJSON_GetObjectItemCaseSensitive(src, "metadata");
    if (md && !cJSON_IsObject(md) && !cJSON_IsNull(md)) {
        sk_errf(err, SK_EINVAL, "%s: \"metadata\" must be an object", where);
        return NULL;
    }
    cJSON *o = cJSON_CreateObject();
    const cJSON *in = cJSON_GetObjectItemCaseSensitive(src, "input");
    cJSON_AddItemToObject(o, "input", in ? cJSON_Duplicate(in, 1) : cJSON_CreateNull());
    const cJSON *ex = cJSON_GetObjectItemCaseSensitive(src, "expected");
    *has_expected = ex && !cJSON_IsNull(ex);
    if (*has_expected)
        cJSON_AddItemToObject(o, "expected", cJSON_Duplicate(ex, 1));
    if (cJSON_IsObject(md))
        cJSON_AddItemToObject(o, "metadata", cJSON_Duplicate(md, 1));
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

static sk_metacase *push(sk_metacase_set *set)
{
    set->items = sk_xgrow(set->items, &set->cap, set->n + 1, sizeof *set->items);
    sk_metacase *m = &set->items[set->n++];
    memset(m, 0, sizeof *m);
    return m;
}

static void free_item(sk_metacase *m)
{
    free(m->id);
    free(m->where);
    free(m->category);
    free(m->case_json);
    free(m->output_json);
    free(m->better_json);
    free(m->worse_json);
    free(m->record_correct_json);
    free(m->worse_case_json);
    free_names(m->scorers);
}

static char *json_of(const cJSON *v)
{
    return cJSON_PrintUnformatted(v);
}

static int parse_record(sk_metacase_set *set, const cJSON *o, const char *where,
                        sk_mc_origin origin, char **err)
{
    int rc = check_keys(o, record_keys, where, "a calibration record", err);
    if (rc)
        return rc;
    static const char *const answers[] = {"correct", "wrong", "verbose_wrong", "formal_wrong",
                                          "confident_wrong"};
    const cJSON *a[5];
    for (int i = 0; i < 5; i++) {
        a[i] = cJSON_GetObjectItemCaseSensitive(o, answers[i]);
        if (!a[i])
            return sk_errf(err, SK_EINVAL,
                           "%s: a calibration record needs \"%s\" (records have correct, wrong, "
                           "verbose_wrong, formal_wrong and confident_wrong answers)",
                           where, answers[i]);
    }
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "id");
    if (!cJSON_IsString(id) || !id->valuestring[0])
        return sk_errf(err, SK_EINVAL, "%s: a calibration record needs a non-empty string \"id\"",
                       where);
    const cJSON *ex = cJSON_GetObjectItemCaseSensitive(o, "expected");
    if (!ex || cJSON_IsNull(ex))
        return sk_errf(err, SK_EINVAL, "%s: a calibration record needs an \"expected\" answer",
                       where);
    const cJSON *cat = cJSON_GetObjectItemCaseSensitive(o, "category");
    if (cat && !cJSON_IsString(cat))
        return sk_errf(err, SK_EINVAL, "%s: \"category\" must be a string", where);
    unsigned kind;
    char **scorers = NULL;
    if ((rc = parse_kind(cJSON_GetObjectItemCaseSensitive(o, "kind"), ex, where, &kind, err)) ||
        (rc = parse_scorers(cJSON_GetObjectItemCaseSensitive(o, "scorers"), where, &scorers, err)))
        return rc;
    int has_expected = 0;
    char *ct = case_text(o, where, &has_expected, err);
    if (!ct) {
        free_names(scorers);
        return SK_EINVAL;
    }
    static const char *const suffix[] = {"correct", "wrong", "verbosity", "formality",
                                         "confidence"};
    for (int i = 0; i < 5; i++) {
        sk_metacase *m = push(set);
        m->id = sk_asprintf("%s/%s", id->valuestring, suffix[i]);
        m->where = sk_xstrdup(where);
        m->category = sk_xstrdup(cat ? cat->valuestring : "");
        m->kind = kind;
        m->case_json = sk_xstrdup(ct);
        m->scorers = dup_names(scorers);
        m->has_expected = has_expected;
        m->origin = origin;
        m->record_correct_json = json_of(a[0]);
        if (i < 2) {
            m->type = i == 0 ? SK_MC_HIGH : SK_MC_LOW;
            m->output_json = json_of(a[i]);
        } else {
            m->type = SK_MC_PAIR;
            m->bias = (sk_mc_bias)(SK_BIAS_VERBOSITY + (i - 2));
            m->better_json = json_of(a[0]);
            m->worse_json = json_of(a[i]);
        }
    }
    free(ct);
    free_names(scorers);
    return SK_OK;
}

static int number_in(const cJSON *j, double lo, double hi)
{
    return cJSON_IsNumber(j) && isfinite(j->valuedouble) && j->valuedouble >= lo &&
           j->valuedouble <= hi;
}

static int parse_case(sk_metacase_set *set, const cJSON *o, const char *where, sk_mc_origin origin,
                      char **err)
{
    int rc = check_keys(o, case_keys, where, "a meta-case", err);
    if (rc)
        return rc;
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(o, "case");
    if (!cJSON_IsObject(c))
        return sk_errf(err, SK_EINVAL,
                       "%s: a meta-case needs \"case\": {\"input\": ..., \"expected\": ..., "
                       "\"output\": ...}",
                       where);
    if ((rc = check_keys(c, inner_keys, where, "\"case\"", err)))
        return rc;
    const cJSON *expect = cJSON_GetObjectItemCaseSensitive(o, "expect");
    const cJSON *better = cJSON_GetObjectItemCaseSensitive(o, "better");
    const cJSON *worse = cJSON_GetObjectItemCaseSensitive(o, "worse");
    const cJSON *tol = cJSON_GetObjectItemCaseSensitive(o, "tolerance");
    const cJSON *margin = cJSON_GetObjectItemCaseSensitive(o, "margin");
    const cJSON *bias = cJSON_GetObjectItemCaseSensitive(o, "bias");
    const cJSON *output = cJSON_GetObjectItemCaseSensitive(c, "output");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "id");
    const cJSON *cat = cJSON_GetObjectItemCaseSensitive(o, "category");
    if (id && (!cJSON_IsString(id) || !id->valuestring[0]))
        return sk_errf(err, SK_EINVAL, "%s: \"id\" must be a non-empty string", where);
    if (cat && !cJSON_IsString(cat))
        return sk_errf(err, SK_EINVAL, "%s: \"category\" must be a string", where);
    sk_metacase m = {0};
    if (expect && (better || worse))
        return sk_errf(err, SK_EINVAL,
                       "%s: give either \"expect\" (one output) or \"better\" and \"worse\" (a "
                       "pair), not both",
                       where);
    if (expect) {
        if (!output)
            return sk_errf(err, SK_EINVAL,
                           "%s: \"expect\" needs the output to score in \"case\": {\"output\": "
                           "...}",
                           where);
        if (margin || bias)
            return sk_errf(err, SK_EINVAL,
                           "%s: \"margin\" and \"bias\" go with a pair (better, "
                           "worse), not with \"expect\"",
                           where);
        if (cJSON_IsString(expect) && strcmp(expect->valuestring, "high") == 0)
            m.type = SK_MC_HIGH;
        else if (cJSON_IsString(expect) && strcmp(expect->valuestring, "low") == 0)
            m.type = SK_MC_LOW;
        else if (number_in(expect, 0, 1))
            m.type = SK_MC_NUMBER, m.expect = expect->valuedouble;
        else
            return sk_errf(err, SK_EINVAL,
                           "%s: \"expect\" must be \"high\", \"low\" or a score in [0,1]", where);
        m.tolerance = 0.1;
        if (tol) {
            if (m.type != SK_MC_NUMBER || !number_in(tol, 0, 1))
                return sk_errf(err, SK_EINVAL,
                               "%s: \"tolerance\" must be a number in [0,1] and goes with a "
                               "numeric \"expect\"",
                               where);
            m.tolerance = tol->valuedouble;
        }
    } else if (better && worse) {
        if (output)
            return sk_errf(err, SK_EINVAL,
                           "%s: a pair takes its outputs from \"better\" and \"worse\"; remove "
                           "\"output\" from \"case\"",
                           where);
        if (tol)
            return sk_errf(err, SK_EINVAL, "%s: \"tolerance\" goes with a numeric \"expect\"",
                           where);
        m.type = SK_MC_PAIR;
        if (margin) {
            if (!number_in(margin, 0, 0.999999))
                return sk_errf(err, SK_EINVAL, "%s: \"margin\" must be a number in [0,1)", where);
            m.margin = margin->valuedouble;
        }
        if (bias) {
            static const char *const names[] = {"verbosity", "formality", "confidence"};
            for (int i = 0; cJSON_IsString(bias) && i < 3; i++)
                if (strcmp(bias->valuestring, names[i]) == 0)
                    m.bias = (sk_mc_bias)(SK_BIAS_VERBOSITY + i);
            if (!m.bias)
                return sk_errf(err, SK_EINVAL,
                               "%s: \"bias\" must be \"verbosity\", \"formality\" or "
                               "\"confidence\"",
                               where);
        }
    } else {
        return sk_errf(err, SK_EINVAL,
                       "%s: a meta-case needs \"expect\" (\"high\", \"low\" or a score) or a pair "
                       "\"better\" and \"worse\"",
                       where);
    }
    unsigned kind;
    char **scorers = NULL;
    if ((rc = parse_kind(cJSON_GetObjectItemCaseSensitive(o, "kind"), expect ? output : better,
                         where, &kind, err)) ||
        (rc = parse_scorers(cJSON_GetObjectItemCaseSensitive(o, "scorers"), where, &scorers, err)))
        return rc;
    int has_expected = 0;
    char *ct = case_text(c, where, &has_expected, err);
    if (!ct) {
        free_names(scorers);
        return SK_EINVAL;
    }
    sk_metacase *p = push(set);
    *p = m;
    p->id = sk_xstrdup(id ? id->valuestring : where);
    p->where = sk_xstrdup(where);
    p->category = sk_xstrdup(cat ? cat->valuestring : "");
    p->kind = kind;
    p->case_json = ct;
    p->scorers = scorers;
    p->has_expected = has_expected;
    p->origin = origin;
    if (expect)
        p->output_json = json_of(output);
    else {
        p->better_json = json_of(better);
        p->worse_json = json_of(worse);
    }
    return SK_OK;
}

static int parse_value(sk_metacase_set *set, const cJSON *o, const char *where, sk_mc_origin origin,
                       char **err)
{
    if (!cJSON_IsObject(o))
        return sk_errf(err, SK_EINVAL,
                       "%s: a meta-case must be a JSON object ({\"case\": ..., \"expect\": ...} "
                       "or a calibration record)",
                       where);
    if (cJSON_GetObjectItemCaseSensitive(o, "correct"))
        return parse_record(set, o, where, origin, err);
    return parse_case(set, o, where, origin, err);
}

int sk_metacase_parse(sk_metacase_set *set, const char *text, size_t len, const char *where,
                      sk_mc_origin origin, char **err)
{
    cJSON *o = cJSON_ParseWithLength(text, len);
    if (!o)
        return sk_errf(err, SK_EPARSE, "%s: not valid JSON (near byte %zu)", where,
                       cJSON_GetErrorPtr() ? (size_t)(cJSON_GetErrorPtr() - text) + 1 : 1);
    size_t before = set->n;
    int rc = parse_value(set, o, where, origin, err);
    cJSON_Delete(o);
    if (rc)
        while (set->n > before)
            free_item(&set->items[--set->n]);
    return rc;
}

int sk_metacase_parse_array(sk_metacase_set *set, const char *json, const char *where,
                            sk_mc_origin origin, char **err)
{
    cJSON *a = cJSON_Parse(json);
    if (!cJSON_IsArray(a)) {
        cJSON_Delete(a);
        return sk_errf(err, SK_EINVAL, "%s: meta-cases must be a list of objects", where);
    }
    size_t before = set->n;
    int rc = SK_OK, i = 0;
    const cJSON *o;
    cJSON_ArrayForEach(o, a)
    {
        char *w = sk_asprintf("%s[%d]", where, ++i);
        rc = parse_value(set, o, w, origin, err);
        free(w);
        if (rc)
            break;
    }
    cJSON_Delete(a);
    if (rc)
        while (set->n > before)
            free_item(&set->items[--set->n]);
    return rc;
}

int sk_metacase_load_file(sk_metacase_set *set, const char *path, sk_mc_origin origin, char **err)
{
    char *text;
    size_t len;
    int rc = sk_read_file(path, &text, &len, err);
    if (rc)
        return rc;
    size_t before = set->n, lineno = 0;
    for (char *p = text, *end = text + len; p < end && !rc;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *e = nl ? nl : end;
        lineno++;
        char *q = p;
        while (q < e && (*q == ' ' || *q == '\t' || *q == '\r'))
            q++;
        if (q < e && *q != '#') {
            char *where = sk_asprintf("%s:%zu", path, lineno);
            rc = sk_metacase_parse(set, q, (size_t)(e - q), where, origin, err);
            free(where);
        }
        p = e + 1;
    }
    free(text);
    if (rc)
        while (set->n > before)
            free_item(&set->items[--set->n]);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int sk_metacase_load_dir(sk_metacase_set *set, const char *dir, sk_mc_origin origin, char **err)
{
    DIR *d = opendir(dir);
    if (!d)
        return sk_errf(err, SK_ENOTFOUND,
                       "%s: the calibration folder cannot be opened; set "
                       "SCOREKIT_CALIBRATION_PATH to the folder holding the *.jsonl files, or "
                       "pass --no-builtin",
                       dir);
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (l > 6 && strcmp(de->d_name + l - 6, ".jsonl") == 0) {
            names = sk_xgrow(names, &cap, n + 1, sizeof *names);
            names[n++] = sk_asprintf("%s/%s", dir, de->d_name);
        }
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    size_t before = set->n;
    int rc = SK_OK;
    for (size_t i = 0; i < n; i++) {
        if (!rc)
            rc = sk_metacase_load_file(set, names[i], origin, err);
        free(names[i]);
    }
    free(names);
    if (rc)
        while (set->n > before)
            free_item(&set->items[--set->n]);
    return rc;
}

void sk_metacase_add_label(sk_metacase_set *set, const char *id, const char *where,
                           const char *case_json, const char *output_json, const char *scorer,
                           double label)
{
    sk_metacase *p = push(set);
    memset(p, 0, sizeof *p);
    p->id = sk_xstrdup(id);
    p->where = sk_xstrdup(where);
    p->category = sk_xstrdup("labelled");
    p->case_json = sk_xstrdup(case_json);
    p->output_json = sk_xstrdup(output_json);
    p->type = SK_MC_LABEL;
    p->expect = label;
    p->origin = SK_MC_LABELS;
    p->scorers = sk_xcalloc(2, sizeof *p->scorers);
    p->scorers[0] = sk_xstrdup(scorer);
    cJSON *cj = cJSON_Parse(case_json), *oj = cJSON_Parse(output_json);
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(cj, "expected");
    p->has_expected = x && !cJSON_IsNull(x);
    p->kind = oj ? infer_kind(oj) : 0;
    cJSON_Delete(cj);
    cJSON_Delete(oj);
}

void sk_metacase_append_copy(sk_metacase_set *set, const sk_metacase *m)
{
    sk_metacase *p = push(set);
    *p = *m;
    p->id = sk_xstrdup(m->id);
    p->where = sk_xstrdup(m->where);
    p->category = sk_xstrdup(m->category);
    p->case_json = sk_xstrdup(m->case_json);
    p->output_json = m->output_json ? sk_xstrdup(m->output_json) : NULL;
    p->better_json = m->better_json ? sk_xstrdup(m->better_json) : NULL;
    p->worse_json = m->worse_json ? sk_xstrdup(m->worse_json) : NULL;
    p->record_correct_json = m->record_correct_json ? sk_xstrdup(m->record_correct_json) : NULL;
    p->worse_case_json = m->worse_case_json ? sk_xstrdup(m->worse_case_json) : NULL;
    p->scorers = dup_names(m->scorers);
}

/* case_json with the answer `value` (JSON text) where `other` says the
 * scorer reads it; intermediate objects are made as needed. */
static char *case_with_other(const char *case_json, const char *other, const char *value)
{
    cJSON *c = cJSON_Parse(case_json);
    cJSON *v = cJSON_Parse(value);
    cJSON *at = c;
    const char *p = other;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        char *key = sk_xstrndup(p, n);
        if (!dot) {
            cJSON_DeleteItemFromObjectCaseSensitive(at, key);
            cJSON_AddItemToObject(at, key, v);
            free(key);
            break;
        }
        cJSON *child = cJSON_GetObjectItemCaseSensitive(at, key);
        if (!cJSON_IsObject(child)) {
            cJSON_DeleteItemFromObjectCaseSensitive(at, key);
            child = cJSON_AddObjectToObject(at, key);
        }
        free(key);
        at = child;
        p = dot + 1;
    }
    char *s = cJSON_PrintUnformatted(c);
    cJSON_Delete(c);
    return s;
}

int sk_metacase_add_for_pairwise(sk_metacase_set *set, const sk_metacase *m, const char *other)
{
    const char *better = NULL, *worse = NULL;
    int versus = 0;
    if (m->type == SK_MC_PAIR) {
        better = m->better_json;
        worse = m->worse_json;
        versus = SK_MC_VS_PAIR;
    } else if (m->record_correct_json && m->type == SK_MC_LOW) {
        better = m->record_correct_json;
        worse = m->output_json;
        versus = SK_MC_VS_WRONG;
    } else if (m->record_correct_json && m->type == SK_MC_HIGH) {
        return 0;
    } else {
        sk_metacase_append_copy(set, m);
        return 1;
    }
    sk_metacase *p = push(set);
    p->id = sk_xstrdup(m->id);
    p->where = sk_xstrdup(m->where);
    p->category = sk_xstrdup(m->category);
    p->kind = m->kind;
    p->type = SK_MC_PAIR;
    p->bias = m->bias;
    p->margin = m->margin;
    p->scorers = dup_names(m->scorers);
    p->has_expected = m->has_expected || strcmp(other, "expected") == 0;
    p->origin = m->origin;
    p->better_json = sk_xstrdup(better);
    p->worse_json = sk_xstrdup(worse);
    p->versus = versus;
    p->case_json = case_with_other(m->case_json, other, worse);
    p->worse_case_json = case_with_other(m->case_json, other, better);
    return 1;
}

int sk_metacase_for(const sk_metacase *m, const char *name, const char *use)
{
    if (!m->scorers)
        return 1;
    for (char **s = m->scorers; *s; s++)
        if ((name && strcmp(*s, name) == 0) || (use && strcmp(*s, use) == 0))
            return 1;
    return 0;
}

void sk_metacase_set_free(sk_metacase_set *set)
{
    for (size_t i = 0; i < set->n; i++)
        free_item(&set->items[i]);
    free(set->items);
    set->items = NULL;
    set->n = set->cap = 0;
}
