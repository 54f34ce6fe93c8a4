/*
 * `scorekit view`: a read-only web viewer over the project's store.  Its
 * pages are the report's (report/report_html.h), served live: each one
 * runs the commands that print the figures (`experiments --json`, `show
 * --json`, `compare --json`, `dataset show --json`, `logs --json`) and
 * embeds what they print, as `scorekit report` does, so the viewer cannot
 * disagree with the commands.  The server (report/view_server.h) serves
 * one request at a time, which is what running commands with their output
 * redirected needs.
 */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/util.h"
#include "cli/cli.h"
#include "report/report_html.h"
#include "report/view_server.h"
#include "store/dataset.h"

static void help(void)
{
    printf("usage: scorekit view [--listen HOST:PORT]\n"
           "\n"
           "Serve a read-only viewer of the project's store and print its URL:\n"
           "  /                 the experiments, newest first, sortable, grouped by any\n"
           "                    configuration field that differs; tick two to compare\n"
           "  /exp/EXP          an experiment's report (as `scorekit report`), against the\n"
           "                    baseline; ?base=EXP against another, ?by=metadata.KEY to\n"
           "                    segment it\n"
           "  /datasets         the datasets; /datasets/NAME[?version=N] one version's rows\n"
           "                    and where they came from (provenance)\n"
           "  /logs             the production logs, newest first\n"
           "  /validation       the stored validation verdicts of the pack's scorers\n"
           "On 127.0.0.1 (the default) no login is needed.  Another address needs a token,\n"
           "SCOREKIT_VIEW_TOKEN (which, when set, is needed on 127.0.0.1 too): the printed\n"
           "URL carries it once (?token=...) and the browser keeps it in a cookie; scripts\n"
           "send \"Authorization: Bearer TOKEN\".\n"
           "SIGTERM or SIGINT stop it.\n"
           "\n"
           "  --listen H:P   address (default 127.0.0.1:8319); port 0 picks a free one\n"
           "\n"
           "exit status: 0 stopped by a signal, 1 cannot serve, 64 usage.\n");
}

static const char nav[] = "[[\"Experiments\",\"/\"],[\"Datasets\",\"/datasets\"],"
                          "[\"Logs\",\"/logs\"],[\"Validation\",\"/validation\"]]";

static void page_of(sk_view_reply *rp, const char *title, const sk_report_part *parts, size_t n)
{
    sk_report_part all[8];
    all[0] = (sk_report_part){"nav", nav};
    for (size_t i = 0; i < n && i + 1 < 8; i++)
        all[i + 1] = parts[i];
    sk_report_html(&rp->body, title, all, n + 1);
}

/* A page that says what went wrong: the commands' own messages. */
static void problem(sk_view_reply *rp, unsigned status, const char *title, const char *msg)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "title", title);
    cJSON_AddStringToObject(o, "message", msg && *msg ? msg : "(no message)");
    char *json = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    sk_report_part p = {"problem", json};
    sk_buf_free(&rp->body);
    rp->status = status;
    page_of(rp, title, &p, 1);
    free(json);
}

/* Run a command for its JSON; 0, or -1 with the page made a 500. */
static int json_of(const cli_ctx *ctx, sk_view_reply *rp, cli_cmd_fn fn, char **argv, int argc,
                   char **out)
{
    char *errs = NULL;
    int rc = cli_capture(fn, ctx, argc, argv, out, &errs);
    if (rc != CLI_OK || !*out || **out == '\0') {
        fputs(errs ? errs : "", stderr);
        problem(rp, 500, "The store could not be read", errs);
        free(errs);
        free(*out);
        *out = NULL;
        return -1;
    }
    free(errs);
    return 0;
}

/* {"ID": configuration snapshot, ...} for the experiments listed. */
static char *configs_of(sk_store *st, const char *list_json)
{
    cJSON *list = cJSON_Parse(list_json);
    sk_buf b = {0};
    sk_buf_addc(&b, '{');
    const cJSON *e;
    int n = 0;
    cJSON_ArrayForEach(e, list)
    {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "id");
        sk_experiment x = {0};
        if (!cJSON_IsString(id) || sk_experiment_load(st, id->valuestring, &x, NULL) != SK_OK)
            continue;
        if (n++)
            sk_buf_addc(&b, ',');
        sk_buf_add_json_string(&b, x.id, strlen(x.id));
        sk_buf_addc(&b, ':');
        sk_buf_adds(&b, x.config_json);
        sk_experiment_clear(&x);
    }
    sk_buf_addc(&b, '}');
    cJSON_Delete(list);
    return b.data;
}

static void experiments_page(const cli_ctx *ctx, sk_store *st, sk_view_reply *rp)
{
    char *argv[] = {"experiments", "--json", NULL}, *list = NULL;
    if (json_of(ctx, rp, cmd_experiments, argv, 2, &list))
        return;
    char *configs = configs_of(st, list);
    sk_report_part p[] = {{"experiments", list}, {"configs", configs}};
    page_of(rp, "scorekit: experiments", p, 2);
    free(configs);
    free(list);
}

/* 404 for an experiment that is not in the store, with the store's word. */
static int known_experiment(sk_store *st, const char *id, sk_view_reply *rp)
{
    sk_experiment x = {0};
    char *err = NULL;
    int rc = sk_experiment_load(st, id, &x, &err);
    sk_experiment_clear(&x);
    if (rc == SK_OK)
        return 1;
    problem(rp, rc == SK_ENOTFOUND ? 404 : 500, "No such experiment", err);
    free(err);
    return 0;
}

static void experiment_page(const cli_ctx *ctx, const sk_project *proj, sk_store *st,
                            const sk_view_request *rq, const char *id, sk_view_reply *rp)
{
    const char *base = sk_view_arg(rq, "base"), *by = sk_view_arg(rq, "by");
    if (!known_experiment(st, id, rp) || (base && !known_experiment(st, base, rp)))
        return;
    char *card = cli_validation_card(ctx, proj, st);
    char *bys[] = {(char *)by};
    cli_redirect e;
    if (cli_redirect_begin(&e, stderr)) {
        problem(rp, 500, "The report could not be made", "cannot redirect stderr");
        free(card);
        return;
    }
    int rc = cli_report_page(ctx, st, id, base, bys, by ? 1 : 0, "50", card, nav, &rp->body);
    char *errs = cli_redirect_end(&e, stderr);
    if (rc != CLI_OK) {
        fputs(errs ? errs : "", stderr);
        problem(rp, by ? 400 : 500, "The report could not be made", errs);
    }
    free(errs);
    free(card);
}

static void datasets_page(const cli_ctx *ctx, sk_view_reply *rp)
{
    char *argv[] = {"dataset", "list", "--json", NULL}, *list = NULL;
    if (json_of(ctx, rp, cmd_dataset, argv, 3, &list))
        return;
    sk_report_part p = {"datasets", list};
    page_of(rp, "scorekit: datasets", &p, 1);
    free(list);
}

static void dataset_page(const cli_ctx *ctx, sk_store *st, const sk_view_request *rq,
                         const char *name, sk_view_reply *rp)
{
    const char *v = sk_view_arg(rq, "version");
    char *ref = v ? sk_asprintf("%s@%s", name, v) : sk_xstrdup(name), *err = NULL;
    sk_dataset_version dv = {0};
    int rc = sk_dataset_resolve(st, ref, &dv, &err);
    sk_dataset_version_clear(&dv);
    if (rc != SK_OK) {
        problem(rp, rc == SK_ENOTFOUND ? 404 : 400, "No such dataset", err);
        free(err);
        free(ref);
        return;
    }
    char *argv[] = {"dataset", "show", ref, "--json", "--rows", "200", NULL}, *show = NULL;
    if (json_of(ctx, rp, cmd_dataset, argv, 6, &show) == 0) {
        sk_report_part p = {"dataset", show};
        char title[300];
        snprintf(title, sizeof title, "scorekit: dataset %s", ref);
        page_of(rp, title, &p, 1);
    }
    free(show);
    free(ref);
}

static void logs_page(const cli_ctx *ctx, sk_view_reply *rp)
{
    char *argv[] = {"logs", "--json", "--limit", "500", NULL}, *logs = NULL;
    if (json_of(ctx, rp, cmd_logs, argv, 4, &logs))
        return;
    sk_report_part p = {"logs", logs};
    page_of(rp, "scorekit: logs", &p, 1);
    free(logs);
}

static void validation_page(const cli_ctx *ctx, const sk_project *proj, sk_store *st,
                            sk_view_reply *rp)
{
    char *card = cli_validation_card(ctx, proj, st);
    if (!card) {
        problem(rp, 500, "No validation card", "the project's pack could not be loaded");
        return;
    }
    sk_report_part p = {"validate", card};
    page_of(rp, "scorekit: validation", &p, 1);
    free(card);
}

static void serve_page(void *ud, const sk_view_request *rq, sk_view_reply *rp)
{
    const cli_ctx *ctx = ud;
    const char *path = rq->path;
    sk_project *proj = NULL;
    sk_store *st = NULL;
    cli_redirect e;
    char *errs = NULL;
    int opened = -1;
    if (cli_redirect_begin(&e, stderr) == 0) {
        opened = cli_open_store(ctx, &proj, &st);
        errs = cli_redirect_end(&e, stderr);
    }
    if (opened != 0) {
        fputs(errs ? errs : "", stderr);
        problem(rp, 500, "The store could not be opened", errs);
    } else if (strcmp(path, "/") == 0) {
        experiments_page(ctx, st, rp);
    } else if (strncmp(path, "/exp/", 5) == 0 && path[5] && !strchr(path + 5, '/')) {
        experiment_page(ctx, proj, st, rq, path + 5, rp);
    } else if (strcmp(path, "/datasets") == 0) {
        datasets_page(ctx, rp);
    } else if (strncmp(path, "/datasets/", 10) == 0 && path[10] && !strchr(path + 10, '/')) {
        dataset_page(ctx, st, rq, path + 10, rp);
    } else if (strcmp(path, "/logs") == 0) {
        logs_page(ctx, rp);
    } else if (strcmp(path, "/validation") == 0) {
        validation_page(ctx, proj, st, rp);
    } else {
        char *m = sk_asprintf("no page at %s: the pages are /, /exp/EXP, /datasets, "
                              "/datasets/NAME, /logs and /validation",
                              path);
        problem(rp, 404, "No such page", m);
        free(m);
    }
    free(errs);
    sk_store_close(st);
    sk_project_free(proj);
}

int cmd_view(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"listen", required_argument, NULL, 'l'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *listen = "127.0.0.1:8319";
    int c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "h", opts)) != -1) {
        switch (c) {
        case 'l': listen = optarg; break;
        case 'h': help(); return CLI_OK;
        default: return CLI_USAGE;
        }
    }
    if (optind != argc) {
        cli_error("view takes no arguments, got \"%s\"", argv[optind]);
        return CLI_USAGE;
    }
    char *host = NULL;
    unsigned port = 0;
    if (cli_parse_listen(listen, &host, &port))
        return CLI_USAGE;
    /* The store must open now, not on the first visit. */
    sk_project *proj = NULL;
    sk_store *st = NULL;
    if (cli_open_store(ctx, &proj, &st)) {
        free(host);
        return CLI_FAIL;
    }
    sk_store_close(st);
    sk_project_free(proj);

    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    const char *token = getenv("SCOREKIT_VIEW_TOKEN");
    sk_view_opts o = {host, port, token, serve_page, (void *)ctx};
    sk_view *v = NULL;
    char *err = NULL;
    if (sk_view_start(&v, &o, &err) != SK_OK) {
        cli_error("%s", err);
        free(err);
        free(host);
        return CLI_FAIL;
    }
    if (token && *token)
        printf("viewing on http://%s:%u/?token=%s\n", host, sk_view_port(v), token);
    else
        printf("viewing on http://%s:%u/\n", host, sk_view_port(v));
    fflush(stdout);
    int sig = 0;
    sigwait(&stop, &sig);
    sk_view_stop(v);
    free(host);
    return CLI_OK;
}
