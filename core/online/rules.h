/*
 * Online scoring rules, from scorekit.json's "online" list:
 *
 *   "online": [
 *     {"name": "refunds", "filter": "metadata.route == 'refund'", "sample": 0.25,
 *      "pack": "online.json",
 *      "alert": {"below": 0.7, "window": "1h", "command": "./notify.sh"}},
 *     {"name": "all", "scorers": [{"use": "contains", "params": {...}}]}]
 *
 * name: letters, digits, '-', '_' and '.'; filter (online/filter.h;
 * absent: every log); sample in (0, 1] (default 1): a log is in when a
 * hash of (rule name, log id) falls under it, so every worker and every
 * restart agrees; the scorers: a pack file ("pack", relative to the
 * project) or a list of pack entries ("scorers"); alert (optional): when
 * the mean of the rule's scores over a window falls below `below`,
 * `command` runs once per window with the window's summary as JSON on
 * stdin.  Errors say FILE:LINE (and the column in a filter).
 */
#ifndef SK_RULES_H
#define SK_RULES_H

#include <stddef.h>

#include "online/filter.h"
#include "store/project.h"

typedef struct sk_rule {
    char *name;
    char *filter_text; /* NULL: every log */
    sk_filter *filter;
    double sample;
    char *pack_path; /* resolved; NULL when the scorers are inline */
    char *pack_json; /* {"name": RULE, "scorers": [...]} for inline scorers, else NULL */
    char *where;     /* "FILE:LINE" of the rule, for messages */
    int has_alert;
    double alert_below;
    long alert_window_s;
    char *alert_command;
} sk_rule;

typedef struct sk_rules {
    sk_rule *v;
    size_t n;
} sk_rules;

/* The project's rules (none when it has no "online").  All or nothing:
 * SK_EINVAL / SK_EPARSE with *err. */
int sk_rules_load(const sk_project *p, sk_rules *out, char **err);
void sk_rules_free(sk_rules *r);

struct sk_log;

/* The log's fields as a filter sees them (filter.h): a JSON object the
 * caller frees with cJSON_Delete. */
cJSON *sk_log_fields(const struct sk_log *l);

/* Whether the rule samples this log in. */
int sk_rule_samples(const sk_rule *r, const char *log_id);

#endif
