/* The default number of workers (see jobs.h). */
#include "run/jobs.h"

#include <unistd.h>

#include "llm/llm.h"

int sk_jobs_default(const sk_pack *pack, int task_waits, struct sk_llm *llm)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int jobs = cores > 0 ? (int)cores : 1;
    int waits = task_waits;
    for (size_t i = 0; pack && i < pack->n; i++)
        waits |= (pack->entries[i].flags & SK_SCORER_USES_LLM) != 0;
    if (!waits)
        return jobs;
    /* A worker waiting on a model holds one request in flight: more
     * workers than the client admits would only queue at its limit. */
    int in_flight = llm ? sk_llm_max_in_flight(llm) : 8;
    if (in_flight > SK_JOBS_MODEL_MAX)
        in_flight = SK_JOBS_MODEL_MAX;
    return in_flight > jobs ? in_flight : jobs;
}
