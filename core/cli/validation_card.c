/*
 * The validation card a report shows: what `scorekit validate` stored for
 * each scorer of the project's pack, and whether that verdict still holds
 * for the scorer as it is now (its fingerprint: code and params).  Nothing
 * is scored here; a scorer never validated says so.
 */
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "cli/cli.h"
#include "store/validation_store.h"
#include "validate/fingerprint.h"

/* Worse verdicts rank higher: the card's verdict is its worst scorer's. */
static int rank(const char *v)
{
    return !v ? 3 : strcmp(v, "FAIL") == 0 ? 4 : strcmp(v, "WARN") == 0 ? 1 : 0;
}

static cJSON *scorer_card(const sk_pack_entry *e, const sk_validation_card *c, const char *state)
{
    cJSON *o = c->report ? cJSON_Parse(c->report) : NULL;
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", e->name);
        cJSON_AddItemToObject(o, "checks", cJSON_CreateObject());
        cJSON_AddItemToObject(o, "failing", cJSON_CreateArray());
        cJSON *r = cJSON_AddArrayToObject(o, "reasons");
        char *m = sk_asprintf("never validated: run `scorekit validate --scorer %s`", e->name);
        cJSON_AddItemToArray(r, cJSON_CreateString(m));
        free(m);
    }
    cJSON_DeleteItemFromObject(o, "verdict");
    cJSON_AddStringToObject(o, "verdict", c->verdict ? c->verdict : "NONE");
    cJSON_AddStringToObject(o, "state", state);
    cli_json_str(o, "validated_at", c->when);
    if (!c->same && c->verdict) {
        cJSON *r = cJSON_GetObjectItemCaseSensitive(o, "reasons");
        if (!cJSON_IsArray(r))
            r = cJSON_AddArrayToObject(o, "reasons");
        char *m = sk_asprintf("the scorer changed since (its code or params differ): run "
                              "`scorekit validate --scorer %s` again",
                              e->name);
        cJSON_InsertItemInArray(r, 0, cJSON_CreateString(m));
        free(m);
    }
    return o;
}

char *cli_validation_card(const cli_ctx *ctx, const sk_project *proj, sk_store *st)
{
    sk_registry *reg = NULL;
    sk_pack *pack = NULL;
    if (cli_pack(ctx, proj, NULL, NULL, 0, &reg, &pack) != 0) {
        cli_warn("the report has no validation card: the project's pack could not be loaded");
        return NULL;
    }
    cJSON *card = cJSON_CreateObject(), *list = cJSON_CreateArray();
    int worst = 0, failed = 0;
    for (size_t i = 0; i < pack->n && !failed; i++) {
        const sk_pack_entry *e = &pack->entries[i];
        char fp[17], *err = NULL;
        sk_validation_card c;
        if (sk_fingerprint_entry(e, reg, proj ? proj->dir : NULL, fp, &err) != SK_OK ||
            sk_validation_latest(st, e->name, fp, &c, &err) != SK_OK) {
            cli_warn("the report has no validation card: %s", err);
            free(err);
            failed = 1;
            break;
        }
        const char *state = !c.verdict ? "never validated" : c.same ? "current" : "changed since";
        int r = c.verdict && !c.same ? 3 : rank(c.verdict);
        if (r > worst)
            worst = r;
        cJSON_AddItemToArray(list, scorer_card(e, &c, state));
        sk_validation_card_clear(&c);
    }
    char *text = NULL;
    if (!failed) {
        cJSON_AddStringToObject(card, "pack", pack->name ? pack->name : "pack");
        cJSON_AddStringToObject(card, "verdict",
                                worst == 4   ? "FAIL"
                                : worst == 3 ? "INCOMPLETE"
                                : worst == 1 ? "WARN"
                                             : "PASS");
        char *what = sk_asprintf("The verdicts `scorekit validate` stored for the scorers of %s "
                                 "as they are now; a scorer changed since, or never validated, "
                                 "has no verdict that holds.",
                                 pack->path ? pack->path : "the project's pack");
        cJSON_AddStringToObject(card, "stored", what);
        free(what);
        cJSON_AddItemToObject(card, "scorers", list);
        list = NULL;
        text = cJSON_PrintUnformatted(card);
    }
    cJSON_Delete(list);
    cJSON_Delete(card);
    sk_pack_free(pack);
    sk_registry_free(reg);
    return text;
}
