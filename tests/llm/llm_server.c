/*
 * A fake LLM server for the tests: real HTTP/1.1 on 127.0.0.1 that speaks
 * enough of OpenAI's Chat Completions (POST /v1/chat/completions) and
 * Anthropic's Messages (POST /v1/messages) for the client, the judges and
 * the openai task to be tested end to end, including the failure paths a
 * real provider has: 429 with Retry-After, 5xx, garbage bodies, slow
 * replies and dropped connections.
 *
 * The behaviour is chosen by the request's model name, so one server
 * serves every test (see the usage text).  Faults that stop after K
 * requests count per request body, so retries of one request see the fault
 * go away while other requests are unaffected; POST /reset forgets counts.
 *
 *   llm_server --port-file FILE [--latency-ms N] [--api-key KEY]
 *
 * Binds port 0, writes the port to FILE (atomically, via a rename) and
 * serves with a thread per connection until SIGTERM or POST /shutdown.
 * --truth PATH (a JSONL file or a folder of them, repeatable) loads the
 * answers the simulated judges know: every line with "input" and
 * "correct" (the calibration records' format).
 * GET /stats: {"requests", "chat", "messages", "connections"};
 * GET /last: the last model request {"path", "body", "headers"}.
 * POST /v1/embeddings answers {"data": [{"embedding": [...]}], "usage"} for
 * each "input" (a string or an array of them): 64 numbers, the counts of the
 * text's lowercased character trigrams hashed into 64 buckets, scaled to
 * length 1.  Equal texts get equal vectors, texts sharing words get close
 * ones; model "fail-embed" answers 500.  Its requests go to --log too.
 * --capacity N plays a provider's concurrency limit: a model request that
 * arrives while N are being served gets 429 at once (no Retry-After), and
 * its --log line says "refused": true.
 * --log FILE appends a line per model request, for shell tests that have
 * no HTTP client: {"path", "model", "key", "in_flight"}, where key is the
 * API key the request carried and in_flight counts the model requests
 * being served when it arrived, itself included.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

/* Set by SIGTERM and by POST /shutdown, read by every connection thread:
 * atomic, which a signal handler may also store to (it is lock-free). */
static atomic_int stopping;
static long latency_ms;
static long capacity; /* --capacity; 0: none */
static const char *api_key;

/* What the simulated judges know: the correct answer to each question. */
typedef struct truth {
    char *input;    /* the question's text */
    cJSON *correct; /* its correct answer */
    struct truth *next;
} truth;
static truth *truths;

/* Shared counters and per-body fault counts, under one mutex. */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static long n_requests, n_chat, n_messages, n_connections;
static char *last_request; /* JSON text of GET /last */
static long in_flight;     /* model requests being served now */
static FILE *log_file;     /* --log, or NULL */

typedef struct seen {
    uint64_t hash;
    long count;
    struct seen *next;
} seen;
static seen *seen_list;

/* cJSON's parser writes a process-wide error variable, and connections are
 * served on threads: every parse in this server goes through here. */
static pthread_mutex_t parse_mu = PTHREAD_MUTEX_INITIALIZER;

static cJSON *parse_json(const char *text, const char **end, int whole)
{
    pthread_mutex_lock(&parse_mu);
    cJSON *v = cJSON_ParseWithOpts(text, end, whole);
    pthread_mutex_unlock(&parse_mu);
    return v;
}

static void on_term(int sig)
{
    (void)sig;
    stopping = 1;
}

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* How many requests with this body came before this one. */
static long seen_before(const char *body, size_t n)
{
    uint64_t h = fnv1a(body, n);
    pthread_mutex_lock(&mu);
    seen *s = seen_list;
    while (s && s->hash != h)
        s = s->next;
    if (!s) {
        s = calloc(1, sizeof *s);
        if (!s)
            abort();
        s->hash = h;
        s->next = seen_list;
        seen_list = s;
    }
    long before = s->count++;
    pthread_mutex_unlock(&mu);
    return before;
}

static void reset_state(void)
{
    pthread_mutex_lock(&mu);
    while (seen_list) {
        seen *next = seen_list->next;
        free(seen_list);
        seen_list = next;
    }
    n_requests = n_chat = n_messages = n_connections = 0;
    free(last_request);
    last_request = NULL;
    pthread_mutex_unlock(&mu);
}

static void sleep_ms(long ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* ---- HTTP ------------------------------------------------------------- */

typedef struct request {
    char method[16], path[256];
    char *body;
    size_t body_len;
    char *headers; /* the raw header block, for lookups */
    int close_after;
} request;

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* The value of header `name` (case-insensitive) as a new string, or NULL. */
static char *header(const request *rq, const char *name)
{
    size_t nl = strlen(name);
    for (const char *line = rq->headers; line && *line;) {
        const char *eol = strstr(line, "\r\n");
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        if (len > nl && strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
            const char *v = line + nl + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            return strndup(v, (size_t)(line + len - v));
        }
        line = eol ? eol + 2 : NULL;
    }
    return NULL;
}

/* Read one request from the connection (buf holds bytes already read past
 * the previous one).  Returns 1 with *rq filled, 0 at a clean end of the
 * connection, -1 on an error. */
static int read_request(int fd, char **buf, size_t *len, size_t *cap, request *rq)
{
    memset(rq, 0, sizeof *rq);
    char *end;
    for (;;) {
        if (*len > 0 && (*buf)[*len] == '\0' && (end = strstr(*buf, "\r\n\r\n")))
            break;
        if (*len + 4096 + 1 > *cap) {
            *cap = (*cap + 4096) * 2;
            *buf = realloc(*buf, *cap);
            if (!*buf)
                abort();
        }
        ssize_t r = recv(fd, *buf + *len, *cap - *len - 1, 0);
        if (r < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) && !stopping)
            continue;
        if (r <= 0)
            return *len == 0 ? 0 : -1;
        *len += (size_t)r;
        (*buf)[*len] = '\0';
    }
    size_t head_len = (size_t)(end - *buf) + 4;
    char *line_end = strstr(*buf, "\r\n");
    if (sscanf(*buf, "%15s %255s", rq->method, rq->path) != 2)
        return -1;
    rq->headers = strndup(line_end + 2, (size_t)(end - line_end));
    char *cl = header(rq, "Content-Length");
    size_t body_len = cl ? (size_t)strtoul(cl, NULL, 10) : 0;
    free(cl);
    char *conn = header(rq, "Connection");
    rq->close_after = conn && strcasecmp(conn, "close") == 0;
    free(conn);
    char *expect = header(rq, "Expect");
    if (expect && strcasecmp(expect, "100-continue") == 0) {
        const char *cont = "HTTP/1.1 100 Continue\r\n\r\n";
        if (write_all(fd, cont, strlen(cont)))
            body_len = 0;
    }
    free(expect);
    while (*len < head_len + body_len) {
        if (head_len + body_len + 1 > *cap) {
            *cap = head_len + body_len + 1;
            *buf = realloc(*buf, *cap);
            if (!*buf)
                abort();
        }
        ssize_t r = recv(fd, *buf + *len, *cap - *len - 1, 0);
        if (r < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) && !stopping)
            continue;
        if (r <= 0)
            return -1;
        *len += (size_t)r;
        (*buf)[*len] = '\0';
    }
    rq->body = strndup(*buf + head_len, body_len);
    rq->body_len = body_len;
    memmove(*buf, *buf + head_len + body_len, *len - head_len - body_len);
    *len -= head_len + body_len;
    (*buf)[*len] = '\0';
    return 1;
}

static void request_free(request *rq)
{
    free(rq->body);
    free(rq->headers);
}

static const char *reason(int code)
{
    switch (code) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    default: return "Status";
    }
}

static int respond(int fd, int code, const char *extra_headers, const char *body)
{
    char head[512];
    size_t n = strlen(body);
    int hl = snprintf(head, sizeof head,
                      "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
                      "Content-Length: %zu\r\n%s\r\n",
                      code, reason(code), n, extra_headers ? extra_headers : "");
    if (write_all(fd, head, (size_t)hl))
        return -1;
    return write_all(fd, body, n);
}

static int respond_error(int fd, int code, const char *extra_headers, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cJSON *o = cJSON_CreateObject();
    cJSON *e = cJSON_AddObjectToObject(o, "error");
    cJSON_AddStringToObject(e, "message", msg);
    cJSON_AddStringToObject(e, "type", code == 429 ? "rate_limit_error" : "server_error");
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    int rc = respond(fd, code, extra_headers, text);
    free(text);
    return rc;
}

/* ---- the model protocols ------------------------------------------------ */

/* The text of a message's content: a string, or an array of parts/blocks
 * with "text". */
static void content_text(const cJSON *content, char **out, size_t *len)
{
    if (cJSON_IsString(content)) {
        size_t n = strlen(content->valuestring);
        *out = realloc(*out, *len + n + 1);
        memcpy(*out + *len, content->valuestring, n + 1);
        *len += n;
        return;
    }
    const cJSON *part;
    cJSON_ArrayForEach(part, content) content_text(cJSON_GetObjectItem(part, "text"), out, len);
}

typedef struct parsed {
    int anthropic;
    const char *model;
    char *last_user; /* text of the last user message */
    char *all_text;  /* every message (and system) concatenated */
    size_t prompt_bytes;
    const cJSON *tool; /* the first tool, NULL without */
    const cJSON *tool_schema;
    const char *tool_name;
} parsed;

static void parse_request(const cJSON *body, int anthropic, parsed *p)
{
    memset(p, 0, sizeof *p);
    p->anthropic = anthropic;
    p->model = cJSON_GetStringValue(cJSON_GetObjectItem(body, "model"));
    size_t all_len = 0;
    p->all_text = calloc(1, 1);
    if (anthropic)
        content_text(cJSON_GetObjectItem(body, "system"), &p->all_text, &all_len);
    const cJSON *m;
    cJSON_ArrayForEach(m, cJSON_GetObjectItem(body, "messages"))
    {
        const cJSON *content = cJSON_GetObjectItem(m, "content");
        content_text(content, &p->all_text, &all_len);
        const char *role = cJSON_GetStringValue(cJSON_GetObjectItem(m, "role"));
        if (role && strcmp(role, "user") == 0) {
            free(p->last_user);
            p->last_user = NULL;
            size_t n = 0;
            p->last_user = calloc(1, 1);
            content_text(content, &p->last_user, &n);
        }
    }
    p->prompt_bytes = all_len;
    if (!p->last_user)
        p->last_user = calloc(1, 1);
    const cJSON *tools = cJSON_GetObjectItem(body, "tools");
    p->tool = cJSON_GetArrayItem(tools, 0);
    if (p->tool) {
        if (anthropic) {
            p->tool_name = cJSON_GetStringValue(cJSON_GetObjectItem(p->tool, "name"));
            p->tool_schema = cJSON_GetObjectItem(p->tool, "input_schema");
        } else {
            const cJSON *fn = cJSON_GetObjectItem(p->tool, "function");
            p->tool_name = cJSON_GetStringValue(cJSON_GetObjectItem(fn, "name"));
            p->tool_schema = cJSON_GetObjectItem(fn, "parameters");
        }
        if (!p->tool_name)
            p->tool_name = "tool";
    }
}

static void parsed_free(parsed *p)
{
    free(p->last_user);
    free(p->all_text);
}

/* A successful reply: either text (tool_args NULL) or a tool call. */
static char *reply_body(const parsed *p, const char *text, const char *tool_args)
{
    size_t out_bytes = strlen(tool_args ? tool_args : text);
    cJSON *o = cJSON_CreateObject();
    if (p->anthropic) {
        cJSON_AddStringToObject(o, "id", "msg_test");
        cJSON_AddStringToObject(o, "type", "message");
        cJSON_AddStringToObject(o, "role", "assistant");
        cJSON_AddStringToObject(o, "model", p->model ? p->model : "");
        cJSON *content = cJSON_AddArrayToObject(o, "content");
        cJSON *block = cJSON_CreateObject();
        if (tool_args) {
            cJSON_AddStringToObject(block, "type", "tool_use");
            cJSON_AddStringToObject(block, "id", "toolu_test");
            cJSON_AddStringToObject(block, "name", p->tool_name);
            cJSON *input = parse_json(tool_args, NULL, 0);
            cJSON_AddItemToObject(block, "input", input ? input : cJSON_CreateObject());
        } else {
            cJSON_AddStringToObject(block, "type", "text");
            cJSON_AddStringToObject(block, "text", text);
        }
        cJSON_AddItemToArray(content, block);
        cJSON_AddStringToObject(o, "stop_reason", tool_args ? "tool_use" : "end_turn");
        cJSON *usage = cJSON_AddObjectToObject(o, "usage");
        cJSON_AddNumberToObject(usage, "input_tokens", (double)(p->prompt_bytes / 4));
        cJSON_AddNumberToObject(usage, "output_tokens", (double)(out_bytes / 4));
    } else {
        cJSON_AddStringToObject(o, "id", "chatcmpl-test");
        cJSON_AddStringToObject(o, "object", "chat.completion");
        cJSON_AddStringToObject(o, "model", p->model ? p->model : "");
        cJSON *choices = cJSON_AddArrayToObject(o, "choices");
        cJSON *choice = cJSON_CreateObject();
        cJSON_AddNumberToObject(choice, "index", 0);
        cJSON *msg = cJSON_AddObjectToObject(choice, "message");
        cJSON_AddStringToObject(msg, "role", "assistant");
        if (tool_args) {
            cJSON_AddNullToObject(msg, "content");
            cJSON *calls = cJSON_AddArrayToObject(msg, "tool_calls");
            cJSON *call = cJSON_CreateObject();
            cJSON_AddStringToObject(call, "id", "call_test");
            cJSON_AddStringToObject(call, "type", "function");
            cJSON *fn = cJSON_AddObjectToObject(call, "function");
            cJSON_AddStringToObject(fn, "name", p->tool_name);
            cJSON_AddStringToObject(fn, "arguments", tool_args);
            cJSON_AddItemToArray(calls, call);
        } else {
            cJSON_AddStringToObject(msg, "content", text);
        }
        cJSON_AddStringToObject(choice, "finish_reason", tool_args ? "tool_calls" : "stop");
        cJSON_AddItemToArray(choices, choice);
        cJSON *usage = cJSON_AddObjectToObject(o, "usage");
        cJSON_AddNumberToObject(usage, "prompt_tokens", (double)(p->prompt_bytes / 4));
        cJSON_AddNumberToObject(usage, "completion_tokens", (double)(out_bytes / 4));
        cJSON_AddNumberToObject(usage, "total_tokens",
                                (double)(p->prompt_bytes / 4 + out_bytes / 4));
    }
    char *text_out = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text_out;
}

/* The judge's schema: the request's tool parameters, or (JSON fallback) the
 * first object in the prompt whose "properties" has "choice". */
static cJSON *find_judge_schema(const parsed *p)
{
    if (p->tool_schema)
        return cJSON_Duplicate(p->tool_schema, 1);
    for (const char *s = strchr(p->all_text, '{'); s; s = strchr(s + 1, '{')) {
        const char *end = NULL;
        cJSON *o = parse_json(s, &end, 0);
        if (o && cJSON_GetObjectItem(cJSON_GetObjectItem(o, "properties"), "choice"))
            return o;
        cJSON_Delete(o);
    }
    return NULL;
}

/* `judge`: the first enum label of "choice" found after ANSWER: in the last
 * user message, else the first label; every other string property says
 * "picked X". */
static char *judge_args(const parsed *p)
{
    cJSON *schema = find_judge_schema(p);
    const cJSON *props = cJSON_GetObjectItem(schema, "properties");
    const cJSON *choices = cJSON_GetObjectItem(cJSON_GetObjectItem(props, "choice"), "enum");
    const char *answer = strstr(p->last_user, "ANSWER:");
    const char *pick = NULL;
    const cJSON *c;
    if (answer) {
        cJSON_ArrayForEach(c, choices)
        {
            if (cJSON_IsString(c) && strstr(answer + 7, c->valuestring)) {
                pick = c->valuestring;
                break;
            }
        }
    }
    if (!pick)
        pick = cJSON_GetStringValue(cJSON_GetArrayItem(choices, 0));
    if (!pick)
        pick = "";
    char why[300];
    snprintf(why, sizeof why, "picked %s", pick);
    cJSON *args = cJSON_CreateObject();
    const cJSON *prop;
    cJSON_ArrayForEach(prop, props)
    {
        if (strcmp(prop->string, "choice") == 0)
            continue;
        const char *type = cJSON_GetStringValue(cJSON_GetObjectItem(prop, "type"));
        if (!type || strcmp(type, "string") == 0)
            cJSON_AddStringToObject(args, prop->string, why);
    }
    if (!cJSON_GetObjectItem(args, "reasons") && !props)
        cJSON_AddStringToObject(args, "reasons", why);
    cJSON_AddStringToObject(args, "choice", pick);
    char *text = cJSON_PrintUnformatted(args);
    cJSON_Delete(args);
    cJSON_Delete(schema);
    return text;
}

/* ---- simulated judges (model "sim:BEHAVIOUR") ---------------------------
 *
 * They read the built-in judge prompts the way a model would, by their
 * sections, and decide with what --truth taught them:
 *   sim:honest   factuality: C when the submitted answer states the
 *                expert's, else D.  closed_qa / rubric: a criterion that
 *                mentions "polite" is met by an answer that says "please"
 *                or "thank"; any other criterion by the correct answer.
 *                pairwise: the correct answer, A or B; "tie" when both or
 *                neither are.
 *   sim:first    always the first answer (A), else the first label
 *   sim:invalid  chooses "(C)", which no judge offers
 *   sim:noisy:TPR:TNR[:SEED]  (e.g. sim:noisy:0.8:0.9) decides as
 *                sim:honest, then keeps a pass with probability TPR and a
 *                fail with probability TNR, flipping the rest: a judge whose
 *                TPR and TNR are known.  The draw is a hash of the prompt
 *                and the model name, so the same case always gets the same
 *                verdict from one model, and models differing in SEED err
 *                independently.
 * Reasons go with the choice when the tool asks for them ("cot"). */

static void load_truth_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(1);
    }
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        cJSON *o = cJSON_Parse(line);
        const cJSON *in = cJSON_GetObjectItem(o, "input");
        const cJSON *correct = cJSON_GetObjectItem(o, "correct");
        if (in && correct) {
            truth *t = calloc(1, sizeof *t);
            if (!t)
                abort();
            t->input = cJSON_IsString(in) ? strdup(in->valuestring) : cJSON_PrintUnformatted(in);
            t->correct = cJSON_Duplicate(correct, 1);
            t->next = truths;
            truths = t;
        }
        cJSON_Delete(o);
    }
    free(line);
    fclose(f);
}

static void load_truth(const char *path)
{
    DIR *d = opendir(path);
    if (!d) {
        load_truth_file(path);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n > 6 && strcmp(e->d_name + n - 6, ".jsonl") == 0) {
            char *p;
            if (asprintf(&p, "%s/%s", path, e->d_name) < 0)
                abort();
            load_truth_file(p);
            free(p);
        }
    }
    closedir(d);
}

/* The text of the prompt section under "[NAME]" up to the next blank
 * line, trimmed; NULL when the prompt has no such section. */
static char *section(const char *prompt, const char *name)
{
    char head[64];
    snprintf(head, sizeof head, "[%s]\n", name);
    const char *s = strstr(prompt, head);
    if (!s)
        return NULL;
    s += strlen(head);
    const char *e = strstr(s, "\n\n");
    if (!e)
        e = s + strlen(s);
    while (e > s && (e[-1] == '\n' || e[-1] == ' '))
        e--;
    return strndup(s, (size_t)(e - s));
}

/* Is `answer` the correct answer to `question`?  Unknown questions: no. */
static int is_correct(const char *question, const char *answer)
{
    for (const truth *t = truths; question && answer && t; t = t->next) {
        if (strcmp(t->input, question) != 0)
            continue;
        if (cJSON_IsString(t->correct))
            return strcmp(t->correct->valuestring, answer) == 0;
        cJSON *a = cJSON_Parse(answer);
        int same = a && cJSON_Compare(t->correct, a, 1);
        cJSON_Delete(a);
        return same;
    }
    return 0;
}

static int polite(const char *answer)
{
    return answer && (strcasestr(answer, "please") || strcasestr(answer, "thank"));
}

static char *sim_args(const parsed *p, const char *behaviour)
{
    cJSON *schema = find_judge_schema(p);
    const cJSON *props = cJSON_GetObjectItem(schema, "properties");
    const cJSON *labels = cJSON_GetObjectItem(cJSON_GetObjectItem(props, "choice"), "enum");
    const char *first = cJSON_GetStringValue(cJSON_GetArrayItem(labels, 0));
    const char *last =
        cJSON_GetStringValue(cJSON_GetArrayItem(labels, cJSON_GetArraySize(labels) - 1));
    const char *prompt = p->last_user;
    char *q = section(prompt, "Question");
    char *a = section(prompt, "Answer A"), *b = section(prompt, "Answer B");
    char *expert = section(prompt, "Expert answer"), *sub = section(prompt, "Submitted answer");
    char *crit = section(prompt, "Criterion"), *rubric = section(prompt, "Rubric");
    char *answer = section(prompt, "Answer");
    const char *pick = first ? first : "";
    char why[200];
    snprintf(why, sizeof why, "%s judge", behaviour);
    double keep_pass = 1, keep_fail = 1;
    const char *model = behaviour;
    if (sscanf(behaviour, "noisy:%lf:%lf", &keep_pass, &keep_fail) == 2)
        behaviour = "honest";
    if (strcmp(behaviour, "invalid") == 0) {
        pick = "(C)";
    } else if (strcmp(behaviour, "first") == 0) {
        pick = a ? "A" : pick;
    } else if (strcmp(behaviour, "honest") == 0) {
        if (a && b) {
            int ca = is_correct(q, a), cb = is_correct(q, b);
            pick = ca && !cb ? "A" : cb && !ca ? "B" : "tie";
        } else if (expert && sub) {
            pick = strcmp(expert, sub) == 0 ? "C" : "D";
        } else if ((crit || rubric) && last) {
            const char *c = crit ? crit : rubric;
            int good = strcasestr(c, "polite") ? polite(answer) : is_correct(q, answer);
            /* FNV-1a of the prompt, mixed (prompts differ by a digit or
             * two): the same case, the same draw. */
            uint64_t h = 1469598103934665603ull;
            for (const char *c = prompt; c && *c; c++)
                h = (h ^ (unsigned char)*c) * 1099511628211ull;
            for (const char *c = model; *c; c++)
                h = (h ^ (unsigned char)*c) * 1099511628211ull;
            h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ull;
            h = (h ^ (h >> 27)) * 0x94D049BB133111EBull;
            h ^= h >> 31;
            double u = (double)(h >> 11) / 9007199254740992.0;
            if (good ? u >= keep_pass : u >= keep_fail)
                good = !good;
            pick = good ? (crit ? "Y" : last) : (crit ? "N" : first);
        }
        snprintf(why, sizeof why, "honest judge: picked %s", pick);
    }
    cJSON *args = cJSON_CreateObject();
    if (cJSON_GetObjectItem(props, "reasons"))
        cJSON_AddStringToObject(args, "reasons", why);
    cJSON_AddStringToObject(args, "choice", pick);
    char *text = cJSON_PrintUnformatted(args);
    cJSON_Delete(args);
    cJSON_Delete(schema);
    free(q);
    free(a);
    free(b);
    free(expert);
    free(sub);
    free(crit);
    free(rubric);
    free(answer);
    return text;
}

static int check_key(int fd, const request *rq, int anthropic)
{
    if (!api_key)
        return 0;
    char *got = header(rq, anthropic ? "x-api-key" : "Authorization");
    const char *v = got;
    if (v && !anthropic && strncmp(v, "Bearer ", 7) == 0)
        v += 7;
    int ok = v && strcmp(v, api_key) == 0;
    free(got);
    if (ok)
        return 0;
    respond_error(fd, 401, NULL, "test server: missing or wrong API key");
    return 1;
}

static void remember_last(const request *rq)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "path", rq->path);
    cJSON *body = parse_json(rq->body, NULL, 0);
    cJSON_AddItemToObject(o, "body", body ? body : cJSON_CreateString(rq->body));
    cJSON *h = cJSON_AddObjectToObject(o, "headers");
    const char *names[] = {"authorization", "x-api-key", "anthropic-version", "content-type"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char *v = header(rq, names[i]);
        if (v)
            cJSON_AddStringToObject(h, names[i], v);
        free(v);
    }
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    pthread_mutex_lock(&mu);
    free(last_request);
    last_request = text;
    pthread_mutex_unlock(&mu);
}

/* Serve one model request.  Returns 0 to keep the connection, -1 to drop it. */
/* One --log line (see the top of the file). */
static void log_request(const request *rq, int anthropic, long arrived_with, int refused)
{
    if (!log_file)
        return;
    cJSON *body = parse_json(rq->body, NULL, 0);
    const cJSON *m = cJSON_GetObjectItem(body, "model");
    char *key = header(rq, anthropic ? "x-api-key" : "Authorization");
    const char *k = key;
    if (k && !anthropic && strncmp(k, "Bearer ", 7) == 0)
        k += 7;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "path", rq->path);
    cJSON_AddStringToObject(o, "model", cJSON_IsString(m) ? m->valuestring : "");
    cJSON_AddStringToObject(o, "key", k ? k : "");
    cJSON_AddNumberToObject(o, "in_flight", (double)arrived_with);
    if (refused)
        cJSON_AddTrueToObject(o, "refused");
    char *text = cJSON_PrintUnformatted(o);
    pthread_mutex_lock(&mu);
    fprintf(log_file, "%s\n", text);
    fflush(log_file);
    pthread_mutex_unlock(&mu);
    free(text);
    free(key);
    cJSON_Delete(o);
    cJSON_Delete(body);
}

/* The embedding of text[0, n) (see the top of the file) into v[64]. */
static void embed_text(const char *text, size_t n, double v[64])
{
    memset(v, 0, 64 * sizeof *v);
    for (size_t i = 0; i + 3 <= n || (i == 0 && n > 0); i++) {
        uint32_t h = 2166136261u;
        for (size_t k = i; k < i + 3 && k < n; k++) {
            unsigned char c = (unsigned char)text[k];
            if (c >= 'A' && c <= 'Z')
                c = (unsigned char)(c - 'A' + 'a');
            h = (h ^ c) * 16777619u;
        }
        v[h % 64] += 1;
        if (n < 3)
            break;
    }
    double norm = 0;
    for (int i = 0; i < 64; i++)
        norm += v[i] * v[i];
    norm = norm > 0 ? 1 / sqrt(norm) : 0;
    for (int i = 0; i < 64; i++)
        v[i] *= norm;
}

static int serve_embeddings(int fd, const request *rq)
{
    pthread_mutex_lock(&mu);
    n_requests++;
    pthread_mutex_unlock(&mu);
    log_request(rq, 0, 1, 0);
    sleep_ms(latency_ms);
    if (check_key(fd, rq, 0))
        return 0;
    cJSON *body = parse_json(rq->body, NULL, 0);
    const cJSON *m = cJSON_GetObjectItem(body, "model");
    const cJSON *in = cJSON_GetObjectItem(body, "input");
    if (!cJSON_IsString(m) || !(cJSON_IsString(in) || cJSON_IsArray(in))) {
        cJSON_Delete(body);
        return respond_error(fd, 400, NULL,
                             "test server: an embeddings request needs \"model\" and \"input\"");
    }
    if (strcmp(m->valuestring, "fail-embed") == 0) {
        cJSON_Delete(body);
        return respond_error(fd, 500, NULL, "test server: fail-embed always fails");
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "object", "list");
    cJSON *data = cJSON_AddArrayToObject(o, "data");
    long tokens = 0;
    int idx = 0;
    const cJSON *one = cJSON_IsString(in) ? in : in->child;
    for (; one; one = cJSON_IsString(in) ? NULL : one->next, idx++) {
        const char *t = cJSON_IsString(one) ? one->valuestring : "";
        double v[64];
        embed_text(t, strlen(t), v);
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "object", "embedding");
        cJSON_AddNumberToObject(d, "index", idx);
        cJSON_AddItemToObject(d, "embedding", cJSON_CreateDoubleArray(v, 64));
        cJSON_AddItemToArray(data, d);
        tokens += 1 + (long)strlen(t) / 4;
    }
    cJSON_AddStringToObject(o, "model", m->valuestring);
    cJSON *u = cJSON_AddObjectToObject(o, "usage");
    cJSON_AddNumberToObject(u, "prompt_tokens", (double)tokens);
    cJSON_AddNumberToObject(u, "total_tokens", (double)tokens);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    cJSON_Delete(body);
    int rc = respond(fd, 200, NULL, text);
    free(text);
    return rc;
}

static int serve_model_counted(int fd, const request *rq, int anthropic);

static int serve_model(int fd, const request *rq, int anthropic)
{
    pthread_mutex_lock(&mu);
    long arrived_with = ++in_flight;
    pthread_mutex_unlock(&mu);
    int refused = capacity > 0 && arrived_with > capacity;
    log_request(rq, anthropic, arrived_with, refused);
    int rc = refused ? respond_error(fd, 429, NULL, "test server: over capacity (%ld in flight)",
                                     capacity)
                     : serve_model_counted(fd, rq, anthropic);
    pthread_mutex_lock(&mu);
    in_flight--;
    pthread_mutex_unlock(&mu);
    return rc;
}

static int serve_model_counted(int fd, const request *rq, int anthropic)
{
    pthread_mutex_lock(&mu);
    n_requests++;
    if (anthropic)
        n_messages++;
    else
        n_chat++;
    pthread_mutex_unlock(&mu);
    remember_last(rq);
    sleep_ms(latency_ms);
    if (check_key(fd, rq, anthropic))
        return 0;
    cJSON *body = parse_json(rq->body, NULL, 0);
    if (!cJSON_IsObject(body)) {
        cJSON_Delete(body);
        return respond_error(fd, 400, NULL, "test server: the request body is not JSON");
    }
    parsed p;
    parse_request(body, anthropic, &p);
    const char *model = p.model ? p.model : "";
    int rc = 0;
    char *reply = NULL;
    long before;
    if (strcmp(model, "garbage") == 0) {
        rc = respond(fd, 200, NULL, "<html>this is not JSON</html>");
        goto done;
    }
    if (strcmp(model, "empty") == 0) {
        reply = reply_body(&p, "", NULL);
    } else if (strncmp(model, "text:", 5) == 0) {
        reply = reply_body(&p, model + 5, NULL);
    } else if (strncmp(model, "json:", 5) == 0) {
        reply = reply_body(&p, model + 5, NULL);
    } else if (strncmp(model, "tool:", 5) == 0) {
        reply = p.tool ? reply_body(&p, NULL, model + 5) : reply_body(&p, model + 5, NULL);
    } else if (strcmp(model, "judge") == 0) {
        char *args = judge_args(&p);
        reply = p.tool ? reply_body(&p, NULL, args) : reply_body(&p, args, NULL);
        free(args);
    } else if (strncmp(model, "sim:", 4) == 0) {
        char *args = sim_args(&p, model + 4);
        reply = p.tool ? reply_body(&p, NULL, args) : reply_body(&p, args, NULL);
        free(args);
    } else if (strncmp(model, "status:", 7) == 0) {
        int code = 0;
        long k = 0, retry_after = -1;
        int n = sscanf(model + 7, "%d:%ld:%ld", &code, &k, &retry_after);
        before = seen_before(rq->body, rq->body_len);
        if (n >= 2 && before < k) {
            char extra[64] = "";
            if (n == 3)
                snprintf(extra, sizeof extra, "Retry-After: %ld\r\n", retry_after);
            rc = respond_error(fd, code, extra, "test server: status %d (%ld of %ld)", code,
                               before + 1, k);
            goto done;
        }
        reply = reply_body(&p, p.last_user, NULL);
    } else if (strncmp(model, "slow:", 5) == 0) {
        sleep_ms(strtol(model + 5, NULL, 10));
        reply = reply_body(&p, p.last_user, NULL);
    } else if (strncmp(model, "drop:", 5) == 0) {
        before = seen_before(rq->body, rq->body_len);
        if (before < strtol(model + 5, NULL, 10)) {
            rc = -1;
            goto done;
        }
        reply = reply_body(&p, p.last_user, NULL);
    } else {
        /* echo, and any model name not listed above */
        reply = reply_body(&p, p.last_user, NULL);
    }
    rc = respond(fd, 200, NULL, reply);
done:
    free(reply);
    parsed_free(&p);
    cJSON_Delete(body);
    return rc;
}

static void *serve_connection(void *arg)
{
    int fd = (int)(intptr_t)arg;
    pthread_mutex_lock(&mu);
    n_connections++;
    pthread_mutex_unlock(&mu);
    char *buf = NULL;
    size_t len = 0, cap = 0;
    request rq;
    while (!stopping && read_request(fd, &buf, &len, &cap, &rq) == 1) {
        int rc = 0;
        if (strcmp(rq.method, "POST") == 0 && strcmp(rq.path, "/v1/chat/completions") == 0) {
            rc = serve_model(fd, &rq, 0);
        } else if (strcmp(rq.method, "POST") == 0 && strcmp(rq.path, "/v1/messages") == 0) {
            rc = serve_model(fd, &rq, 1);
        } else if (strcmp(rq.method, "POST") == 0 && strcmp(rq.path, "/v1/embeddings") == 0) {
            rc = serve_embeddings(fd, &rq);
        } else if (strcmp(rq.method, "GET") == 0 && strcmp(rq.path, "/stats") == 0) {
            char stats[256];
            pthread_mutex_lock(&mu);
            snprintf(stats, sizeof stats,
                     "{\"requests\":%ld,\"chat\":%ld,\"messages\":%ld,\"connections\":%ld}",
                     n_requests, n_chat, n_messages, n_connections);
            pthread_mutex_unlock(&mu);
            rc = respond(fd, 200, NULL, stats);
        } else if (strcmp(rq.method, "GET") == 0 && strcmp(rq.path, "/last") == 0) {
            pthread_mutex_lock(&mu);
            char *copy = strdup(last_request ? last_request : "null");
            pthread_mutex_unlock(&mu);
            rc = respond(fd, 200, NULL, copy);
            free(copy);
        } else if (strcmp(rq.method, "POST") == 0 && strcmp(rq.path, "/reset") == 0) {
            reset_state();
            rc = respond(fd, 200, NULL, "{}");
        } else if (strcmp(rq.method, "POST") == 0 && strcmp(rq.path, "/shutdown") == 0) {
            stopping = 1;
            respond(fd, 200, NULL, "{}");
            rc = -1;
        } else {
            rc = respond_error(fd, 404, NULL, "test server: no route %s %s", rq.method, rq.path);
        }
        int close_after = rq.close_after;
        request_free(&rq);
        if (rc || close_after)
            break;
    }
    free(buf);
    close(fd);
    return NULL;
}

int main(int argc, char **argv)
{
    const char *port_file = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--port-file") == 0 && i + 1 < argc)
            port_file = argv[++i];
        else if (strcmp(argv[i], "--latency-ms") == 0 && i + 1 < argc)
            latency_ms = strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--capacity") == 0 && i + 1 < argc)
            capacity = atol(argv[++i]);
        else if (strcmp(argv[i], "--api-key") == 0 && i + 1 < argc)
            api_key = argv[++i];
        else if (strcmp(argv[i], "--truth") == 0 && i + 1 < argc)
            load_truth(argv[++i]);
        else if (strcmp(argv[i], "--log") == 0 && i + 1 < argc) {
            log_file = fopen(argv[++i], "a");
            if (!log_file) {
                perror("llm_server: --log");
                return 1;
            }
        } else {
            fprintf(stderr, "usage: llm_server --port-file FILE [--latency-ms N] [--api-key KEY] "
                            "[--truth PATH]... [--log FILE] [--capacity N]\n");
            return 64;
        }
    }
    if (!port_file) {
        fprintf(stderr, "llm_server: --port-file is required\n");
        return 64;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t alen = sizeof addr;
    if (ls < 0 || bind(ls, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(ls, 128) != 0 ||
        getsockname(ls, (struct sockaddr *)&addr, &alen) != 0) {
        perror("llm_server: listen on 127.0.0.1");
        return 1;
    }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", port_file);
    FILE *f = fopen(tmp, "w");
    if (!f || fprintf(f, "%d\n", ntohs(addr.sin_port)) < 0 || fclose(f) != 0 ||
        rename(tmp, port_file) != 0) {
        perror("llm_server: writing the port file");
        return 1;
    }
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    while (!stopping) {
        struct pollfd pfd = {ls, POLLIN, 0};
        int n = poll(&pfd, 1, 100);
        if (n <= 0)
            continue;
        int fd = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        /* A receive timeout lets idle keep-alive threads notice a shutdown. */
        struct timeval tv = {0, 200000};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        /* Headers and body go out in separate writes: without this, Nagle
         * holds the body until the client's delayed ACK, 40 ms a reply. */
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        pthread_t t;
        if (pthread_create(&t, &attr, serve_connection, (void *)(intptr_t)fd) != 0)
            close(fd);
    }
    pthread_attr_destroy(&attr);
    close(ls);
    return 0; /* exit closes --log; a connection thread may still write to it */
}
