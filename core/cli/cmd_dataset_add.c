/* `scorekit dataset add`, `merge` and `diff`: growing a dataset from an
 * experiment's rows, a log file or a row file, with each row's provenance;
 * merging two datasets; and what changed between two versions. */
#include "cli/cmd_dataset_add.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/grow.h"
#include "analysis/topics_source.h"
#include "base/error.h"
#include "base/fileutil.h"
#include "store/dataset_grow.h"
#include "store/project.h"

static const char add_usage[] =
    "usage: scorekit dataset add NAME SOURCE [--note TEXT] [--json]\n"
    "\n"
    "Add rows to dataset NAME as its next version (made when NAME is new): the\n"
    "newest version's rows, then the new ones.  SOURCE is exactly one of:\n"
    "  --from EXP --failing        rows of experiment EXP with a failing trial\n"
    "  --from EXP --where 'S < X'  rows where scorer S's score compares so\n"
    "                              (< <= > >= == !=) in some trial\n"
    "  --from EXP --ids a,b,c      the rows with these ids\n"
    "  --from-logs FILE            a JSONL log: rows plus \"time\" and \"log_id\" or\n"
    "                              \"trace_id\"\n"
    "  --rule R --lowest N         the N logs online rule R scored lowest (`scorekit\n"
    "                              watch`); --rule R --failing: every log it failed\n"
    "  --topic RUN:T               the rows of topic T of topic run RUN (`scorekit\n"
    "                              topics`), with the values the run kept\n"
    "  FILE                        a row file (JSONL or CSV, as `dataset import` reads)\n"
    "Rows from an experiment keep their dataset values (input, expected, output,\n"
    "metadata, tags), not the task's output.  A row whose input and expected the\n"
    "dataset already holds (whitespace aside) is skipped and counted.  Each new row\n"
    "records where it came from (`dataset show` prints it).  When scorekit.json\n"
    "names NAME's file, the rows are appended to the file too (replaced whole), so\n"
    "the next `run` keeps them.  A bad selection writes nothing.\n"
    "\n"
    "  --note TEXT  kept with each new row's provenance\n"
    "  --json       print only {name, version, ref, added, skipped_duplicates,\n"
    "               need_expected, rows, file}\n";

/* Split "a,b,c" into owned words; empty words are refused. */
static char **split_ids(const char *s, size_t *n)
{
    *n = 0;
    char **v = NULL;
    const char *p = s;
    for (;;) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        if (len == 0) {
            for (size_t i = 0; i < *n; i++)
                free(v[i]);
            free(v);
            *n = 0;
            return NULL;
        }
        v = sk_xrealloc(v, (*n + 1) * sizeof *v);
        v[(*n)++] = sk_xstrndup(p, len);
        if (!c)
            return v;
        p = c + 1;
    }
}

/* Copy `path` to o->f, ending with a newline. */
static int copy_file(const char *path, FILE *to, char **err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return sk_errf(err, SK_EIO, "%s: %s", path, strerror(errno));
    char buf[65536];
    size_t n, total = 0;
    int last = '\n';
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        fwrite(buf, 1, n, to);
        total += n;
        last = buf[n - 1];
    }
    int bad = ferror(f);
    fclose(f);
    if (bad)
        return sk_errf(err, SK_EIO, "%s: cannot read it", path);
    if (total && last != '\n')
        fputc('\n', to);
    return SK_OK;
}

/* The file with the new rows appended, written whole to a temporary file
 * beside it (*o), which the caller puts in place (sk_out_file_commit: a
 * crash leaves the old file or the new one) once the store has the rows,
 * or drops. */
static int stage_file(const char *path, const sk_grow_set *set, sk_out_file *o, char **err)
{
    int rc = sk_out_file_open(o, path, err);
    if (rc)
        return rc;
    if ((rc = copy_file(path, o->f, err)) != 0) {
        sk_out_file_abort(o);
        return rc;
    }
    sk_buf line = {0};
    for (size_t i = 0; i < set->n; i++) {
        const sk_grow_row *g = &set->rows[i];
        sk_dataset_row r = {.id = g->id,
                            .id_len = strlen(g->id),
                            .input_json = g->input,
                            .expected_json = g->expected,
                            .output_json = g->output,
                            .metadata_json = g->metadata,
                            .tags_json = g->tags};
        sk_buf_reset(&line);
        sk_dataset_row_json(&r, &line);
        sk_buf_addc(&line, '\n');
        fwrite(line.data, 1, line.len, o->f);
    }
    sk_buf_free(&line);
    return SK_OK;
}

typedef struct add_opts {
    const char *name, *from, *logs, *file, *where, *ids, *note, *topic, *rule;
    int failing, json;
    long lowest;                     /* --lowest N; -1: not given */
    const sk_dataset_version *merge; /* merge: the source version */
    const char *merge_label;
} add_opts;

/* "RUN:T": the run (caller frees; NULL on error) and T >= 1. */
static int parse_topic(const char *s, char **run, int *topic, char **err)
{
    *run = NULL;
    const char *colon = strrchr(s, ':');
    char *end = NULL;
    long t = colon ? strtol(colon + 1, &end, 10) : 0;
    if (!colon || colon == s || !colon[1] || *end || colon[1] == '-' || colon[1] == '+' || t < 1 ||
        t > 100000)
        return sk_errf(err, SK_EINVAL,
                       "--topic \"%s\": write RUN:T, a topic run's id and a topic number from "
                       "1 (`scorekit topics list` lists the runs, `scorekit topics show RUN` "
                       "their topics)",
                       s);
    *run = sk_xstrndup(s, (size_t)(colon - s));
    *topic = (int)t;
    return SK_OK;
}

/* The candidate rows of the one source; nothing written. */
static int gather(sk_store *st, const add_opts *a, sk_grow_set *set, char **err)
{
    if (a->merge)
        return sk_grow_from_version(st, a->merge->id, a->merge_label, set, err);
    if (a->logs)
        return sk_grow_from_logs(a->logs, set, err);
    if (a->rule)
        return sk_grow_from_rule(st, a->rule, a->lowest > 0 ? (size_t)a->lowest : 0, a->failing,
                                 set, err);
    if (a->topic) {
        char *run;
        int t = 0;
        int rc = parse_topic(a->topic, &run, &t, err);
        if (!rc)
            rc = sk_grow_from_topic(st, run, t, set, err);
        free(run);
        return rc;
    }
    if (a->file)
        return sk_grow_from_file(a->file, set, err);
    if (a->failing)
        return sk_grow_from_experiment(st, a->from, SK_SELECT_FAILING, NULL, NULL, 0, set, err);
    if (a->where) {
        sk_where w;
        int rc = sk_where_parse(a->where, &w, err);
        if (!rc)
            rc = sk_grow_from_experiment(st, a->from, SK_SELECT_WHERE, &w, NULL, 0, set, err);
        sk_where_free(&w);
        return rc;
    }
    size_t n;
    char **ids = split_ids(a->ids, &n);
    if (!ids)
        return sk_errf(err, SK_EINVAL, "--ids \"%s\": write ids separated by commas, none empty",
                       a->ids);
    int rc = sk_grow_from_experiment(st, a->from, SK_SELECT_IDS, NULL, ids, n, set, err);
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
    return rc;
}

/* Which source the options name, or a usage error. */
static int check_sources(const add_opts *a)
{
    int sources = (a->from != NULL) + (a->logs != NULL) + (a->file != NULL) + (a->topic != NULL) +
                  (a->rule != NULL);
    int modes = a->failing + (a->where != NULL) + (a->ids != NULL);
    if (sources != 1) {
        cli_error("dataset add takes exactly one source (%s): --from EXP with --failing, "
                  "--where or --ids; --from-logs FILE; --rule R; --topic RUN:T; or a row FILE",
                  sources ? "two were given" : "none was given");
        return CLI_USAGE;
    }
    if (a->rule && (a->where || a->ids || a->failing + (a->lowest > 0) != 1)) {
        cli_error("--rule R takes one of --lowest N (the N logs it scored lowest) or --failing "
                  "(every log it failed)");
        return CLI_USAGE;
    }
    if (!a->rule && a->lowest > 0) {
        cli_error("--lowest N picks the logs an online rule scored lowest: use it with --rule R");
        return CLI_USAGE;
    }
    if (a->rule)
        return CLI_OK;
    if (a->from && modes != 1) {
        cli_error("--from EXP takes exactly one of --failing, --where 'SCORER < X' or --ids a,b "
                  "(%s)",
                  modes ? "more than one was given" : "none was given");
        return CLI_USAGE;
    }
    if (!a->from && modes) {
        cli_error("--failing, --where and --ids select rows of an experiment: use them with "
                  "--from EXP");
        return CLI_USAGE;
    }
    return CLI_OK;
}

static int do_add(const cli_ctx *ctx, const add_opts *a, const char *label)
{
    sk_project *proj;
    sk_store *st;
    if (cli_open_store(ctx, &proj, &st))
        return CLI_FAIL;
    char *err = NULL;
    sk_grow_set set = {0};
    sk_dataset_version base = {0}, out = {0};
    size_t skipped = 0, candidates = 0;
    int imported = 0;
    char *file_name =
        proj->dataset && sk_is_file(proj->dataset) ? sk_dataset_name_for_file(proj->dataset) : NULL;
    const char *file = file_name && strcmp(file_name, a->name) == 0 ? proj->dataset : NULL;
    int rc = gather(st, a, &set, &err);
    candidates = set.n;
    if (!rc && file && sk_dataset_format_of(file) == SK_DATASET_CSV)
        rc = sk_errf(&err, SK_EINVAL,
                     "%s: dataset %s is kept in a CSV file; `dataset add` appends JSONL rows, "
                     "so convert the file to JSONL (or add to another dataset)",
                     file, a->name);
    if (!rc && file) /* the file is the truth: its rows are the base */
        rc = sk_dataset_sync(st, a->name, file, SK_DATASET_AUTO, &base, &imported, &err);
    else if (!rc && sk_dataset_resolve(st, a->name, &base, &err) != SK_OK) {
        free(err);
        err = NULL;
        sk_dataset_version_clear(&base);
        if ((rc = sk_dataset_check_name(a->name, &err)) == 0)
            memset(&base, 0, sizeof base); /* a new dataset */
    }
    if (!rc)
        rc = sk_grow_dedup(st, base.id, &set, &skipped, &err);
    size_t need_expected = 0;
    for (size_t i = 0; !rc && i < set.n; i++)
        need_expected += set.rows[i].expected == NULL;
    int wrote = 0, stored = 0;
    if (!rc && set.n > 0) {
        /* The file is replaced last, once the store has the rows: a store
         * that fails leaves the file as it was. */
        sk_out_file staged = {0};
        if (file)
            rc = stage_file(file, &set, &staged, &err);
        if (!rc)
            rc = sk_dataset_grow(st, a->name, base.id, file ? file : label, set.rows, set.n,
                                 a->note, &out, &err);
        stored = !rc;
        if (file && rc)
            sk_out_file_abort(&staged);
        else if (file) {
            char *why = NULL;
            if ((rc = sk_out_file_commit(&staged, 0, &why)) != 0) {
                err =
                    sk_asprintf("%s; the rows are in the store as %s@%d, but not in the file: run "
                                "the same `dataset add` again to append them",
                                why, a->name, out.version);
                free(why);
            }
        }
        wrote = !rc;
    }
    if (rc) {
        cli_error("%s", err);
        if (!stored)
            cli_error("nothing was %s", a->merge ? "merged" : "added");
    } else if (a->json) {
        const sk_dataset_version *v = wrote ? &out : &base;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", a->name);
        cJSON_AddNumberToObject(o, "version", v->version);
        char *ref = v->version ? sk_asprintf("%s@%d", a->name, v->version) : NULL;
        cli_json_str(o, "ref", ref);
        free(ref);
        cJSON_AddNumberToObject(o, "added", (double)set.n);
        cJSON_AddNumberToObject(o, "skipped_duplicates", (double)skipped);
        cJSON_AddNumberToObject(o, "need_expected", (double)need_expected);
        cJSON_AddNumberToObject(o, "rows", (double)v->rows);
        cli_json_str(o, "file", wrote ? file : NULL);
        if (a->merge)
            cli_json_str(o, "source", a->merge_label);
        cli_json_print(o);
    } else if (!wrote && candidates == 0) {
        printf("nothing to add: no rows selected (no new version)\n");
    } else if (!wrote) {
        printf("nothing to add: %zu row%s selected, all already in %s (no new version)\n",
               candidates, candidates == 1 ? "" : "s", a->name);
    } else {
        if (a->merge)
            printf("merged %zu row%s from %s@%d into %s@%d (%lld rows)\n", set.n,
                   set.n == 1 ? "" : "s", a->merge->name, a->merge->version, out.name, out.version,
                   (long long)out.rows);
        else
            printf("added %zu row%s to %s@%d (%lld rows)\n", set.n, set.n == 1 ? "" : "s", out.name,
                   out.version, (long long)out.rows);
        printf("skipped %zu duplicate%s (same input and expected as a row already there)\n",
               skipped, skipped == 1 ? "" : "s");
        if (need_expected)
            printf("%zu new row%s still need%s an expected value\n", need_expected,
                   need_expected == 1 ? "" : "s", need_expected == 1 ? "s" : "");
        if (file)
            printf("appended to %s\n", file);
    }
    free(err);
    free(file_name);
    sk_grow_set_free(&set);
    sk_dataset_version_clear(&base);
    sk_dataset_version_clear(&out);
    sk_store_close(st);
    sk_project_free(proj);
    return rc ? CLI_FAIL : CLI_OK;
}

int cmd_dataset_add(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        {"from", required_argument, NULL, 'f'},  {"from-logs", required_argument, NULL, 'l'},
        {"failing", no_argument, NULL, 'F'},     {"where", required_argument, NULL, 'w'},
        {"ids", required_argument, NULL, 'i'},   {"note", required_argument, NULL, 'n'},
        {"topic", required_argument, NULL, 'T'}, {"json", no_argument, NULL, 'J'},
        {"rule", required_argument, NULL, 'R'},  {"lowest", required_argument, NULL, 'L'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0}};
    add_opts a = {0};
    a.lowest = -1;
    int c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "h", opts)) != -1) {
        switch (c) {
        case 'f': a.from = optarg; break;
        case 'l': a.logs = optarg; break;
        case 'F': a.failing = 1; break;
        case 'w': a.where = optarg; break;
        case 'i': a.ids = optarg; break;
        case 'n': a.note = optarg; break;
        case 'T': a.topic = optarg; break;
        case 'R': a.rule = optarg; break;
        case 'L': {
            char *end;
            a.lowest = strtol(optarg, &end, 10);
            if (*end || end == optarg || a.lowest < 1) {
                cli_error("--lowest needs a number of logs, 1 or more, got \"%s\"", optarg);
                return CLI_USAGE;
            }
            break;
        }
        case 'J': a.json = 1; break;
        case 'h': fputs(add_usage, stdout); return CLI_OK;
        default: return CLI_USAGE;
        }
    }
    if (optind >= argc || argc - optind > 2) {
        cli_error("dataset add takes a dataset name and one source: scorekit dataset add NAME "
                  "--from EXP --failing (see `scorekit dataset add --help`)");
        return CLI_USAGE;
    }
    a.name = argv[optind];
    a.file = argc - optind == 2 ? argv[optind + 1] : NULL;
    int rc = check_sources(&a);
    if (rc)
        return rc;
    char *err = NULL;
    if (sk_dataset_check_name(a.name, &err)) {
        cli_error("%s", err);
        free(err);
        return CLI_USAGE;
    }
    char *label = a.from    ? sk_asprintf("add from experiment %s", a.from)
                  : a.topic ? sk_asprintf("add from topic %s", a.topic)
                  : a.rule  ? sk_asprintf("add from the logs of rule %s", a.rule)
                            : sk_asprintf("add from %s", a.logs ? a.logs : a.file);
    rc = do_add(ctx, &a, label);
    free(label);
    return rc;
}

/* ---- merge ---- */

int cmd_dataset_merge(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"note", required_argument, NULL, 'n'},
                                         {"json", no_argument, NULL, 'J'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int c, json = 0;
    const char *note = NULL;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "h", opts)) != -1) {
        if (c == 'h') {
            printf("usage: scorekit dataset merge SRC[@VER] INTO [--note TEXT] [--json]\n\n"
                   "Make INTO's next version: its rows, then SRC's rows it does not hold\n"
                   "(same input and expected: skipped), each with the provenance\n"
                   "\"merged from SRC vN\" (INTO is made when new).  An id both hold with\n"
                   "other content is an error.  When scorekit.json names INTO's file, the\n"
                   "rows are appended to it, as `dataset add` does.\n");
            return CLI_OK;
        } else if (c == 'n') {
            note = optarg;
        } else if (c == 'J') {
            json = 1;
        } else {
            return CLI_USAGE;
        }
    }
    if (argc - optind != 2) {
        cli_error("dataset merge takes two datasets: scorekit dataset merge SRC INTO");
        return CLI_USAGE;
    }
    /* The source's version first: its number names the provenance. */
    sk_project *proj;
    sk_store *st;
    if (cli_open_store(ctx, &proj, &st))
        return CLI_FAIL;
    char *err = NULL;
    sk_dataset_version src = {0};
    int rc = sk_dataset_resolve(st, argv[optind], &src, &err);
    char *into = NULL;
    int into_ver = 0;
    if (!rc)
        rc = sk_dataset_parse_ref(argv[optind + 1], &into, &into_ver, &err);
    if (!rc && into_ver)
        rc = sk_errf(&err, SK_EINVAL, "merge adds to the newest version: write %s, not %s", into,
                     argv[optind + 1]);
    sk_store_close(st);
    sk_project_free(proj);
    if (rc) {
        cli_error("%s", err);
        cli_error("nothing was merged");
        free(err);
        free(into);
        sk_dataset_version_clear(&src);
        return CLI_FAIL;
    }
    char *label = sk_asprintf("merged from %s v%d", src.name, src.version);
    add_opts a = {.name = into, .note = note, .json = json, .merge = &src, .merge_label = label};
    rc = do_add(ctx, &a, label);
    free(label);
    free(into);
    sk_dataset_version_clear(&src);
    return rc;
}

/* ---- diff ---- */

typedef struct differ {
    int json;
    cJSON *lists[3]; /* removed, added, changed */
    size_t counts[3];
} differ;

static int diff_one(void *ud, const char *change, const char *row_id)
{
    differ *d = ud;
    int k = change[0] == 'r' ? 0 : change[0] == 'a' ? 1 : 2;
    d->counts[k]++;
    if (d->json)
        cJSON_AddItemToArray(d->lists[k], cJSON_CreateString(row_id));
    else
        printf("%c %s\n", "-+~"[k], row_id);
    return 0;
}

int cmd_dataset_diff(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'J'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int c, json = 0;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "h", opts)) != -1) {
        if (c == 'h') {
            printf("usage: scorekit dataset diff A B [--json]\n\n"
                   "The rows of B against A (each NAME or NAME@VERSION), by id:\n"
                   "  - ID  removed (in A, not in B)\n"
                   "  + ID  added (in B, not in A)\n"
                   "  ~ ID  changed (input, expected, output, metadata or tags differ)\n");
            return CLI_OK;
        }
        if (c != 'J')
            return CLI_USAGE;
        json = 1;
    }
    if (argc - optind != 2) {
        cli_error("dataset diff takes two datasets: scorekit dataset diff A B (NAME or "
                  "NAME@VERSION)");
        return CLI_USAGE;
    }
    sk_project *proj;
    sk_store *st;
    if (cli_open_store(ctx, &proj, &st))
        return CLI_FAIL;
    char *err = NULL;
    sk_dataset_version a = {0}, b = {0};
    differ d = {.json = json};
    for (int i = 0; i < 3; i++)
        d.lists[i] = cJSON_CreateArray();
    int rc = sk_dataset_resolve(st, argv[optind], &a, &err);
    if (!rc)
        rc = sk_dataset_resolve(st, argv[optind + 1], &b, &err);
    if (!rc && !json)
        printf("%s@%d -> %s@%d\n", a.name, a.version, b.name, b.version);
    if (!rc)
        rc = sk_dataset_each_change(st, a.id, b.id, diff_one, &d, &err);
    if (rc) {
        cli_error("%s", err);
    } else if (json) {
        cJSON *o = cJSON_CreateObject();
        char *ra = sk_asprintf("%s@%d", a.name, a.version);
        char *rb = sk_asprintf("%s@%d", b.name, b.version);
        cJSON_AddStringToObject(o, "a", ra);
        cJSON_AddStringToObject(o, "b", rb);
        free(ra);
        free(rb);
        cJSON_AddItemToObject(o, "removed", d.lists[0]);
        cJSON_AddItemToObject(o, "added", d.lists[1]);
        cJSON_AddItemToObject(o, "changed", d.lists[2]);
        d.lists[0] = d.lists[1] = d.lists[2] = NULL;
        cli_json_print(o);
    } else {
        printf("%zu added, %zu removed, %zu changed\n", d.counts[1], d.counts[0], d.counts[2]);
    }
    for (int i = 0; i < 3; i++)
        cJSON_Delete(d.lists[i]);
    free(err);
    sk_dataset_version_clear(&a);
    sk_dataset_version_clear(&b);
    sk_store_close(st);
    sk_project_free(proj);
    return rc ? CLI_FAIL : CLI_OK;
}

/* ---- provenance in `dataset show` ---- */

typedef struct prov_report {
    int json;
    sk_buf *b;
    size_t n;
} prov_report;

static void json_opt(sk_buf *b, const char *key, const char *v)
{
    sk_buf_printf(b, ", \"%s\": ", key);
    if (v)
        sk_buf_add_json_string(b, v, strlen(v));
    else
        sk_buf_adds(b, "null");
}

static int prov_one(void *ud, const sk_provenance *p)
{
    prov_report *r = ud;
    if (r->json) {
        sk_buf_adds(r->b, r->n ? ",\n  {\"id\": " : "{\"id\": ");
        sk_buf_add_json_string(r->b, p->row_id, strlen(p->row_id));
        json_opt(r->b, "kind", p->kind);
        json_opt(r->b, "source", p->source);
        json_opt(r->b, "experiment", p->experiment_id);
        if (p->trial >= 0)
            sk_buf_printf(r->b, ", \"trial\": %d", p->trial);
        json_opt(r->b, "file", p->file);
        if (p->line)
            sk_buf_printf(r->b, ", \"line\": %ld", p->line);
        json_opt(r->b, "log_id", p->log_id);
        json_opt(r->b, "note", p->note);
        json_opt(r->b, "added_at", p->added_at);
        sk_buf_addc(r->b, '}');
    } else {
        if (r->n == 0)
            printf("\nprovenance (rows added by `dataset add` or `merge`):\n");
        printf("  %s: %s%s%s, %s", p->row_id, p->source, p->log_id ? ", log id " : "",
               p->log_id ? p->log_id : "", p->added_at);
        if (p->note)
            printf(" (%s)", p->note);
        printf("\n");
    }
    r->n++;
    return 0;
}

int dataset_provenance_report(sk_store *st, int64_t vid, int json, sk_buf *b, char **err)
{
    prov_report r = {.json = json, .b = b};
    if (json)
        sk_buf_adds(b, ", \"provenance\": [");
    int rc = sk_dataset_each_provenance(st, vid, prov_one, &r, err);
    if (json)
        sk_buf_adds(b, "]");
    return rc;
}
