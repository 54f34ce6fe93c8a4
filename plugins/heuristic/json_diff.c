/* STUB: to be written. */
#include "heuristic.h"
static int sopen(const sk_host *h, const char *p, void **st, char *err, size_t n) { (void)h; (void)p; (void)st; (void)err; (void)n; return 0; }
static int sscore(const sk_host *h, void *st, const sk_case *c, sk_result *r) { (void)st; (void)c; h->set_error(r, "not implemented"); return 0; }
const sk_scorer_def sk_h_json_diff = {sizeof(sk_scorer_def), "json_diff", "stub", SK_SCORER_THREAD_SAFE, 0, NULL, sopen, sscore, NULL};
