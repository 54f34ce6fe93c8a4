/* `scorekit baseline set|show|history`: which experiment stands for what
 * is in production, and whether it still matches the project.  Also the
 * staleness check `compare` shares. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/compare_report.h"
#include "base/error.h"
#include "run/engines.h"
#include "base/util.h"

static const char help_text[] =
    "usage: scorekit baseline set EXP [--note TEXT] [--force] [--json]\n"
    "       scorekit baseline show [--json] [--max-age DAYS]\n"
    "       scorekit baseline history [--json]\n"
    "\n"
    "The baseline is the experiment that stands for what is in production;\n"
    "`scorekit compare` compares against it when given no --base.  Setting one keeps\n"
    "the earlier ones in the history.\n"
    "\n"
    "  set EXP        make experiment EXP (an id or its start) the baseline; an\n"
    "                 unfinished experiment needs --force\n"
    "  show           the baseline's figures, and whether it is stale: the project's\n"
    "                 task, pack or dataset version changed since it ran, or it is\n"
    "                 older than --max-age DAYS (default: scorekit.json's\n"
    "                 \"baseline_max_age_days\"; 0: no limit)\n"
    "  history        every baseline set, newest first\n"
    "\n"
    "exit status: 0 done, 1 bad input or no baseline, 64 usage.\n";

static void help(void)
{
    fputs(help_text, stdout);
}

/* ---- staleness (shared with compare) ------------------------------------ */

int cli_baseline_staleness(const cli_ctx *ctx, const sk_project *proj, sk_store *st,
                           const sk_experiment *base, int max_age_days, sk_baseline_staleness *out)
{
    (void)ctx;
    if (max_age_days < 0)
        max_age_days = proj->baseline_max_age_days;
    char *err = NULL, *snap = NULL;
    sk_registry *reg = NULL;
    sk_pack *pack = NULL;
    if (!proj->pack) {
        cli_warn("%s names no pack, so whether the baseline still matches the project's "
                 "configuration cannot be checked",
                 proj->path);
    } else if (sk_engines_open(&reg, proj->dir, &err) != SK_OK ||
               sk_pack_load(&pack, proj->pack, reg, &err) != SK_OK) {
        cli_warn("cannot check whether the baseline still matches the project's configuration: "
                 "%s",
                 err);
    } else {
        char *abs = realpath(proj->pack, NULL);
        snap = sk_baseline_current_snapshot(st, proj, pack, abs, base->trials, base->dataset_ref,
                                            &err);
        free(abs);
        if (!snap)
            cli_warn("cannot check whether the baseline still matches the project's "
                     "configuration: %s",
                     err);
    }
    free(err);
    err = NULL;
    int rc = sk_baseline_check(base, snap, max_age_days, time(NULL), out, &err);
    if (rc) {
        cli_error("%s", err);
        free(err);
    }
    free(snap);
    sk_pack_free(pack);
    sk_registry_free(reg);
    return rc ? -1 : 0;
}

void cli_staleness_warn(const sk_experiment *base, const sk_baseline_staleness *s)
{
    if (s->config_changed) {
        size_t n = s->changes.variables - s->task_changes;
        cli_warn("the baseline %s is stale: the project's configuration changed since it ran "
                 "(%zu variable%s); re-run it and set the new run as the baseline:",
                 base->id, n, n == 1 ? "" : "s");
        for (size_t i = 0; i < s->changes.n; i++)
            if (s->changes.v[i].counts && !cli_is_task_change(&s->changes.v[i]))
                cli_print_change(stderr, &s->changes.v[i], "    ");
    }
    if (s->too_old)
        cli_warn("the baseline %s is stale: it ran %.1f days ago, more than the %d days "
                 "allowed (baseline_max_age_days / --max-age); production may have moved on: "
                 "re-run it",
                 base->id, s->age_days, s->max_age_days);
}

/* ---- subcommands -------------------------------------------------------- */

/* Parse a number of days: 0 to 36500. */
static int parse_days(const char *s, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*end || end == s || v < 0 || v > 36500) {
        cli_error("--max-age needs a whole number of days from 0 (no limit) to 36500, got \"%s\"",
                  s);
        return -1;
    }
    *out = (int)v;
    return 0;
}

static int do_set(sk_store *st, int argc, char **argv)
{
    static const struct option opts[] = {{"note", required_argument, NULL, 'n'},
                                         {"force", no_argument, NULL, 'f'},
                                         {"json", no_argument, NULL, 'J'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *note = NULL;
    int force = 0, json = 0, c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "h", opts)) != -1) {
        switch (c) {
        case 'J': json = 1; break;
        case 'n': note = optarg; break;
        case 'f': force = 1; break;
        case 'h': help(); return CLI_OK;
        default: return CLI_USAGE;
        }
    }
    if (optind + 1 != argc) {
        cli_error("baseline set needs one experiment id (`scorekit experiments` lists them)");
        return CLI_USAGE;
    }
    sk_baseline b;
    char *err = NULL;
    if (sk_baseline_set(st, argv[optind], note, force, &b, &err) != SK_OK) {
        cli_error("%s", err);
        free(err);
        return CLI_FAIL;
    }
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "experiment", b.experiment_id);
        cJSON_AddStringToObject(o, "set_at", b.set_at);
        cli_json_str(o, "note", b.note);
        cli_json_print(o);
    } else {
        printf("baseline: %s (set %s)\n", b.experiment_id, b.set_at);
    }
    sk_baseline_clear(&b);
    return CLI_OK;
}

static int do_show(const cli_ctx *ctx, sk_project *proj, sk_store *st, int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'J'},
                                         {"max-age", required_argument, NULL, 'a'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int json = 0, max_age = -1, c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "h", opts)) != -1) {
        switch (c) {
        case 'J': json = 1; break;
        case 'a':
            if (parse_days(optarg, &max_age))
                return CLI_USAGE;
            break;
        case 'h': help(); return CLI_OK;
        default: return CLI_USAGE;
        }
    }
    if (optind < argc) {
        cli_error("baseline show takes no arguments (got \"%s\")", argv[optind]);
        return CLI_USAGE;
    }
    sk_baseline b;
    sk_experiment e;
    sk_exp_stats stats;
    char *err = NULL;
    if (sk_baseline_current(st, &b, &err) != SK_OK) {
        cli_error("%s", err);
        free(err);
        return CLI_FAIL;
    }
    if (sk_experiment_load(st, b.experiment_id, &e, &err) != SK_OK) {
        cli_error("%s", err);
        free(err);
        sk_baseline_clear(&b);
        return CLI_FAIL;
    }
    if (sk_experiment_stats(st, e.id, &stats, &err) != SK_OK) {
        cli_error("%s", err);
        free(err);
        sk_experiment_clear(&e);
        sk_baseline_clear(&b);
        return CLI_FAIL;
    }
    sk_baseline_staleness stale;
    int rc = cli_baseline_staleness(ctx, proj, st, &e, max_age, &stale) ? CLI_FAIL : CLI_OK;
    size_t total = cli_experiment_cells(st, &e);
    if (rc == CLI_OK && json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "experiment", e.id);
        cJSON_AddStringToObject(o, "name", e.name);
        cJSON_AddStringToObject(o, "created_at", e.created_at);
        cJSON_AddStringToObject(o, "dataset", e.dataset_ref);
        cJSON_AddNumberToObject(o, "trials", e.trials);
        cJSON_AddStringToObject(o, "set_at", b.set_at);
        if (b.note)
            cJSON_AddStringToObject(o, "note", b.note);
        else
            cJSON_AddNullToObject(o, "note");
        cJSON_AddItemToObject(o, "summary", cli_summary_json(&stats, total, e.trials));
        cJSON_AddItemToObject(o, "staleness", cli_staleness_json(&stale));
        char *text = cJSON_PrintUnformatted(o);
        puts(text);
        free(text);
        cJSON_Delete(o);
    } else if (rc == CLI_OK) {
        printf("baseline: %s \"%s\", ran %s on %s, %d trial%s\n", e.id, e.name, e.created_at,
               e.dataset_ref, e.trials, e.trials == 1 ? "" : "s");
        printf("set:      %s%s%s\n", b.set_at, b.note ? ", " : "", b.note ? b.note : "");
        if (stale.stale)
            printf("status:   STALE (see the warnings)\n");
        else if (stale.config_unknown)
            printf("status:   UNKNOWN: the project's configuration could not be compared with "
                   "its snapshot (see the warning)\n");
        else if (stale.task_changes)
            printf("status:   current: its dataset version, pack and scorers are the project's%s; "
                   "the task changed since (the change under test, what `compare` measures):\n",
                   stale.max_age_days ? ", and it is within the allowed age" : "");
        else
            printf("status:   current: the project's configuration matches its snapshot%s\n",
                   stale.max_age_days ? ", and it is within the allowed age" : "");
        for (size_t i = 0; !stale.stale && i < stale.changes.n; i++)
            if (stale.changes.v[i].counts && cli_is_task_change(&stale.changes.v[i]))
                cli_print_change(stdout, &stale.changes.v[i], "    ");
        printf("\n");
        cli_summary_print(e.id, &stats, total, e.trials, NULL);
    }
    if (rc == CLI_OK)
        cli_staleness_warn(&e, &stale);
    sk_baseline_staleness_clear(&stale);
    sk_exp_stats_clear(&stats);
    sk_experiment_clear(&e);
    sk_baseline_clear(&b);
    return rc;
}

static int do_history(sk_store *st, int argc, char **argv)
{
    int json, c = cli_json_opts(argc, argv, help_text, &json);
    if (c >= 0)
        return c;
    if (optind < argc) {
        cli_error("baseline history takes no arguments (got \"%s\")", argv[optind]);
        return CLI_USAGE;
    }
    sk_baseline *v;
    size_t n;
    char *err = NULL;
    if (sk_baseline_history(st, &v, &n, &err) != SK_OK) {
        cli_error("%s", err);
        free(err);
        return CLI_FAIL;
    }
    if (json) {
        cJSON *arr = cJSON_CreateArray();
        for (size_t i = 0; i < n; i++) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "experiment", v[i].experiment_id);
            cJSON_AddStringToObject(o, "set_at", v[i].set_at);
            if (v[i].note)
                cJSON_AddStringToObject(o, "note", v[i].note);
            else
                cJSON_AddNullToObject(o, "note");
            cJSON_AddBoolToObject(o, "current", i == 0);
            cJSON_AddItemToArray(arr, o);
        }
        char *text = cJSON_PrintUnformatted(arr);
        puts(text);
        free(text);
        cJSON_Delete(arr);
    } else if (n == 0) {
        printf("no baseline set yet (scorekit baseline set EXP)\n");
    } else {
        printf("%-20s  %-13s  %-7s  %s\n", "set at", "experiment", "", "note");
        for (size_t i = 0; i < n; i++)
            printf("%-20s  %-13s  %-7s  %s\n", v[i].set_at, v[i].experiment_id,
                   i == 0 ? "current" : "", v[i].note ? v[i].note : "");
    }
    sk_baseline_list_free(v, n);
    return CLI_OK;
}

int cmd_baseline(const cli_ctx *ctx, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        help();
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "set") != 0 && strcmp(sub, "show") != 0 && strcmp(sub, "history") != 0) {
        cli_error("baseline: unknown command \"%s\"; use set, show or history", sub);
        return CLI_USAGE;
    }
    sk_project *proj;
    sk_store *st;
    if (cli_open_store(ctx, &proj, &st))
        return CLI_FAIL;
    int rc;
    if (strcmp(sub, "set") == 0)
        rc = do_set(st, argc - 1, argv + 1);
    else if (strcmp(sub, "show") == 0)
        rc = do_show(ctx, proj, st, argc - 1, argv + 1);
    else
        rc = do_history(st, argc - 1, argv + 1);
    sk_store_close(st);
    sk_project_free(proj);
    return rc;
}
