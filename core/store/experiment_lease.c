/*
 * Who is running an experiment (see experiment.h).  A run holds a lease on
 * its experiment in the store: its process id, host name, the process's
 * start time, a random token, and a heartbeat it renews while it writes.
 * Other processes read the lease to tell a live run from one that was
 * killed (which stays "running" in the store: nothing was left to say
 * otherwise), and to refuse a second run of the same cells.  A lease is
 * taken and handed over inside one write transaction, by an UPDATE that
 * names the token it replaces, so two processes can never both win it.
 */
#include "store/experiment.h"
#include "store/experiment_stats.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"
#include "base/util.h"

/* ---- this process as a holder -------------------------------------------- */

typedef struct holder {
    long long pid;
    char host[256];
    char token[33];
    char start[96]; /* "" when this system cannot tell */
} holder;

static pthread_mutex_t self_mu = PTHREAD_MUTEX_INITIALIZER;
static holder self_cache;

/* The start of process pid as "BOOT_ID/TICKS" (the kernel's boot id, and
 * the start time in clock ticks since boot), which a reused pid does not
 * share; *state gets its state letter (Z: a zombie, as good as gone).
 * NULL without Linux's /proc.  Caller frees. */
static char *process_start(long long pid, char *state)
{
    char path[64], buf[1024], boot[64] = "";
    snprintf(path, sizeof path, "/proc/%lld/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* The command name (field 2) may hold spaces and parentheses: fields
     * are counted from the last ')'. */
    char *p = strrchr(buf, ')');
    if (!p)
        return NULL;
    p++;
    char *save = NULL, *tok = strtok_r(p, " ", &save);
    if (state)
        *state = tok ? tok[0] : '?';
    for (int field = 3; tok && field < 22; field++)
        tok = strtok_r(NULL, " ", &save);
    if (!tok)
        return NULL;
    f = fopen("/proc/sys/kernel/random/boot_id", "r");
    if (f) {
        if (!fgets(boot, sizeof boot, f))
            boot[0] = '\0';
        fclose(f);
        boot[strcspn(boot, "\n")] = '\0';
    }
    return sk_asprintf("%s/%s", boot, tok);
}

static void random_token(char out[33])
{
    unsigned char b[16];
    FILE *f = fopen("/dev/urandom", "rb");
    size_t got = f ? fread(b, 1, sizeof b, f) : 0;
    if (f)
        fclose(f);
    if (got != sizeof b) {
        /* No urandom: the clock, the pid and an address still make two
         * live processes differ. */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        unsigned long long x = (unsigned long long)ts.tv_nsec ^
                               ((unsigned long long)ts.tv_sec << 30) ^
                               ((unsigned long long)getpid() << 12) ^ (unsigned long long)(size_t)b;
        for (size_t i = 0; i < sizeof b; i++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            b[i] = (unsigned char)(x >> 56);
        }
    }
    for (size_t i = 0; i < sizeof b; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* This process's identity, made once per process (again after a fork). */
static void self_get(holder *out)
{
    pthread_mutex_lock(&self_mu);
    if (self_cache.pid != (long long)getpid()) {
        memset(&self_cache, 0, sizeof self_cache);
        self_cache.pid = (long long)getpid();
        if (gethostname(self_cache.host, sizeof self_cache.host - 1) != 0)
            snprintf(self_cache.host, sizeof self_cache.host, "localhost");
        random_token(self_cache.token);
        char *start = process_start(self_cache.pid, NULL);
        if (start)
            snprintf(self_cache.start, sizeof self_cache.start, "%s", start);
        free(start);
    }
    *out = self_cache;
    pthread_mutex_unlock(&self_mu);
}

/* ---- reading a lease ------------------------------------------------------ */

typedef struct lease {
    long long pid, heartbeat;
    const char *host, *token, *start; /* borrowed from the statement */
} lease;

static lease lease_at(sk_stmt *s, int col)
{
    lease l;
    l.pid = sk_db_column_int64(s, col);
    l.host = sk_db_column_text(s, col + 1);
    l.token = sk_db_column_text(s, col + 2);
    l.start = sk_db_column_text(s, col + 3);
    l.heartbeat = sk_db_column_int64(s, col + 4);
    return l;
}

/* On this host a process can be asked directly, and a live one holds its
 * lease however late its heartbeat (it may be stopped, or waiting on a
 * lock): taking it over would run its cells twice.  Another host's holder
 * is gone once its heartbeat is older than SK_LEASE_TIMEOUT_S. */
static int holder_gone(const lease *l, const holder *me)
{
    if (!l->token)
        return 1; /* nobody holds it: killed before the lease, or released */
    if (l->host && strcmp(l->host, me->host) == 0) {
        if (l->pid <= 0)
            return 1;
        if (kill((pid_t)l->pid, 0) != 0 && errno == ESRCH)
            return 1;
        char state = '?';
        char *start = process_start(l->pid, &state);
        int gone = start && (state == 'Z' || state == 'X' || (l->start && strcmp(start, l->start)));
        free(start);
        return gone; /* a different start: the pid was reused */
    }
    return (long long)time(NULL) - l->heartbeat > SK_LEASE_TIMEOUT_S;
}

char *sk_experiment_status_at(sk_stmt *s, int col)
{
    const char *status = sk_db_column_text(s, col);
    if (!status)
        return NULL;
    if (strcmp(status, "running") == 0) {
        holder me;
        self_get(&me);
        lease l = lease_at(s, col + 1);
        if (holder_gone(&l, &me))
            return sk_xstrdup("interrupted");
    }
    return sk_xstrdup(status);
}

/* "pid 123 on host h" and how long ago it was last heard of. */
static char *describe(const lease *l, const holder *me)
{
    long long ago = (long long)time(NULL) - l->heartbeat;
    if (ago < 0)
        ago = 0;
    return sk_asprintf(
        "pid %lld on %s%s (its last heartbeat %llds ago)", l->pid, l->host ? l->host : "?",
        l->pid == me->pid && l->host && strcmp(l->host, me->host) == 0 ? ", this process" : "",
        ago);
}

/* ---- taking, renewing and giving back ------------------------------------- */

#define LEASE_COLUMNS "lease_pid, lease_host, lease_token, lease_start, lease_heartbeat"

static void bind_self(sk_stmt *s, int first, const holder *me)
{
    sk_db_bind_int64(s, first, me->pid);
    sk_db_bind_text(s, first + 1, me->host, -1, SK_DB_TRANSIENT);
    sk_db_bind_text(s, first + 2, me->token, -1, SK_DB_TRANSIENT);
    if (me->start[0])
        sk_db_bind_text(s, first + 3, me->start, -1, SK_DB_TRANSIENT);
    else
        sk_db_bind_null(s, first + 3);
    sk_db_bind_int64(s, first + 4, (long long)time(NULL));
}

/* Who holds experiment id now, for a message; NULL when nobody does. */
static char *current_holder(sk_store *st, const char *id, const holder *me)
{
    sk_stmt *s = NULL;
    char *who = NULL;
    if (sk_store_prepare(st, &s, "SELECT " LEASE_COLUMNS " FROM experiments WHERE id = ?", NULL) ==
        SK_OK) {
        sk_db_bind_text(s, 1, id, -1, SK_DB_TRANSIENT);
        if (sk_db_step(s) == SK_DB_ROW) {
            lease l = lease_at(s, 0);
            who = l.token ? describe(&l, me) : NULL;
        }
    }
    sk_db_finalize(s);
    return who;
}

/* Write this process into the lease of experiment id, inside the caller's
 * transaction, on the condition that the lease still has old_token (NULL:
 * nobody holds it).  The condition is what makes the hand-over safe: the
 * write lock already serialises it today; the condition keeps it right
 * should the locking ever change. */
static int claim(sk_store *st, const char *id, const char *old_token, const holder *me, char **err)
{
    sk_stmt *s = NULL;
    int rc = sk_store_prepare(st, &s,
                              "UPDATE experiments SET lease_pid = ?1, lease_host = ?2, "
                              "lease_token = ?3, lease_start = ?4, lease_heartbeat = ?5, "
                              "status = 'running', finished_at = NULL "
                              "WHERE id = ?6 AND lease_token IS ?7",
                              err);
    if (rc)
        return rc;
    bind_self(s, 1, me);
    sk_db_bind_text(s, 6, id, -1, SK_DB_TRANSIENT);
    if (old_token)
        sk_db_bind_text(s, 7, old_token, -1, SK_DB_TRANSIENT);
    else
        sk_db_bind_null(s, 7);
    rc = sk_store_step_done(st, s, "taking the experiment's lease", err);
    sk_db_finalize(s);
    if (rc == SK_OK && sk_db_changes(sk_store_db(st)) != 1)
        rc = sk_errf(err, SK_EBUSY,
                     "experiment %s was taken by another run while this one looked; "
                     "`scorekit experiments` shows whether it runs",
                     id);
    return rc;
}

int sk_experiment_lease_claim_new(sk_store *st, const char *id, char **err)
{
    holder me;
    self_get(&me);
    return claim(st, id, NULL, &me, err);
}

int sk_experiment_lease_take(sk_store *st, const char *id, char **err)
{
    holder me;
    self_get(&me);
    int rc = sk_store_begin(st, err);
    if (rc)
        return rc;
    sk_stmt *s = NULL;
    rc = sk_store_prepare(st, &s, "SELECT " LEASE_COLUMNS " FROM experiments WHERE id = ?", err);
    char *old_token = NULL;
    if (rc == SK_OK) {
        sk_db_bind_text(s, 1, id, -1, SK_DB_TRANSIENT);
        int step = sk_db_step(s);
        if (step == SK_DB_ROW) {
            lease l = lease_at(s, 0);
            if (!holder_gone(&l, &me)) {
                char *who = describe(&l, &me);
                char *stop = l.host && strcmp(l.host, me.host) == 0
                                 ? sk_asprintf("kill %lld", l.pid)
                                 : sk_asprintf("on %s; a run whose heartbeat is older than "
                                               "%d s counts as gone",
                                               l.host ? l.host : "its host", SK_LEASE_TIMEOUT_S);
                rc = sk_errf(err, SK_EBUSY,
                             "experiment %s is being run by %s; a second run would run its "
                             "missing cells twice. Wait for that run to finish, or stop it "
                             "(%s) and resume again",
                             id, who, stop);
                free(stop);
                free(who);
            } else if (l.token) {
                old_token = sk_xstrdup(l.token);
            }
        } else if (step == SK_DB_DONE) {
            rc = sk_errf(err, SK_ENOTFOUND, "no experiment \"%s\"", id);
        } else {
            rc = sk_store_error(st, "reading the experiment's lease", err);
        }
    }
    sk_db_finalize(s);
    if (rc == SK_OK)
        rc = claim(st, id, old_token, &me, err);
    free(old_token);
    if (rc == SK_OK)
        return sk_store_commit(st, err);
    sk_store_rollback(st);
    return rc;
}

/* Run one UPDATE that only touches experiment id while this process holds
 * it; SK_EBUSY, naming the new holder, when another run took it over. */
static int update_held(sk_store *st, const char *id, const char *sql, const char *status,
                       const char *what, char **err)
{
    holder me;
    self_get(&me);
    sk_stmt *s = NULL;
    int rc = sk_store_prepare(st, &s, sql, err);
    if (rc)
        return rc;
    char *now = sk_now_utc();
    sk_db_bind_text(s, 1, id, -1, SK_DB_TRANSIENT);
    sk_db_bind_text(s, 2, me.token, -1, SK_DB_TRANSIENT);
    if (status) {
        sk_db_bind_text(s, 3, status, -1, SK_DB_TRANSIENT);
        sk_db_bind_text(s, 4, now, -1, SK_DB_TRANSIENT);
    } else {
        sk_db_bind_int64(s, 3, (long long)time(NULL));
    }
    rc = sk_store_step_done(st, s, what, err);
    sk_db_finalize(s);
    free(now);
    if (rc == SK_OK && sk_db_changes(sk_store_db(st)) != 1) {
        char *who = current_holder(st, id, &me);
        if (who)
            rc = sk_errf(err, SK_EBUSY,
                         "experiment %s was taken over by %s while this run held it (this run "
                         "looked gone: a long pause?); this run stops and leaves the rest to "
                         "that one",
                         id, who);
        else
            rc = sk_errf(err, SK_EBUSY,
                         "experiment %s is no longer held by this run (another run took it "
                         "over and ended); this run stops, `scorekit experiments` shows where "
                         "it stands",
                         id);
        free(who);
    }
    return rc;
}

int sk_experiment_lease_renew(sk_store *st, const char *id, char **err)
{
    return update_held(st, id,
                       "UPDATE experiments SET lease_heartbeat = ?3 "
                       "WHERE id = ?1 AND lease_token = ?2",
                       NULL, "renewing the experiment's lease", err);
}

int sk_experiment_lease_release(sk_store *st, const char *id, const char *status, char **err)
{
    /* The summary is stored with the end of the run, in one transaction:
     * `experiments` and `show` then read it instead of every cell. */
    int rc = sk_store_begin(st, err);
    if (rc)
        return rc;
    rc = update_held(st, id,
                     "UPDATE experiments SET status = ?3, finished_at = ?4, lease_pid = NULL, "
                     "lease_host = NULL, lease_token = NULL, lease_start = NULL, "
                     "lease_heartbeat = NULL WHERE id = ?1 AND lease_token = ?2",
                     status, "recording the end of the run", err);
    if (rc == SK_OK)
        rc = sk_experiment_summary_store(st, id, err);
    if (rc == SK_OK)
        return sk_store_commit(st, err);
    sk_store_rollback(st);
    return rc;
}
