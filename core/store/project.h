/*
 * A project is a folder with a scorekit.json naming its dataset, task and
 * pack:
 *
 *   {"name": "qa", "dataset": "data.jsonl", "pack": "pack.json",
 *    "task": {"provider": "column", "field": "output"}, "jobs": 4}
 *
 * Paths are relative to the folder.  A key this version does not know is
 * an error (FILE:LINE, and the key it probably meant): a typo must not
 * turn a setting silently off.  The "task" and "llm" objects are checked
 * by their owners (sk_project_check in run/project_check.h), the "online"
 * rules by theirs (online/rules.h), from `text`.
 */
#ifndef SK_PROJECT_H
#define SK_PROJECT_H

#include <stddef.h>

typedef struct sk_project {
    char *dir;  /* the folder */
    char *path; /* its scorekit.json */
    char *name;
    char *dataset;             /* resolved path, or NULL */
    char *dataset_name;        /* "dataset" as written: a file, or a dataset of the store */
    char *pack;                /* resolved path, or NULL */
    char *task_field;          /* for "column": the output field, "output" when absent */
    char *task_json;           /* the whole "task" object, or NULL */
    char *llm_json;            /* the whole "llm" object (LLM client settings), or NULL */
    int jobs;                  /* 0: not set */
    int baseline_max_age_days; /* compare warns past this age; 0: no limit */
    int require_validated;     /* "require_validated": run refuses unvalidated scorers */
    char *ingest_token;        /* "ingest_token" for `scorekit serve`, or NULL */
    char *store;               /* "store": a PostgreSQL URL (store_location.h), or NULL */
    char *text;                /* the file as read, for FILE:LINE in later checks */
    size_t text_len;
} sk_project;

#define SK_PROJECT_FILE "scorekit.json"

/* Load dir/scorekit.json.  Returns SK_ENOTFOUND (with *err) when the
 * folder has none.  Caller frees with sk_project_free. */
int sk_project_load(sk_project **out, const char *dir, char **err);

/* Write a new project into dir (created if missing): scorekit.json,
 * pack.json and data.jsonl with a few example rows.  Refuses to overwrite
 * any existing file.  All or nothing: each file is written whole (see
 * sk_write_file), and when one cannot be, the ones written before it (and
 * the folder, when this call made it) are removed.  *created lists the
 * files written, '\n'-separated (caller frees). */
int sk_project_init(const char *dir, char **created, char **err);

void sk_project_free(sk_project *p);

/* The git commit checked out in dir or a parent folder, or NULL (also when
 * it cannot be read).  Reads .git directly: no git process.  Caller frees. */
char *sk_git_commit(const char *dir);

#endif
