/* A progress bar with rate and ETA on stderr, drawn only on a TTY. */
#include <stdio.h>
#include <unistd.h>

#include "cli/cli.h"
#include "llm/llm.h"

void cli_progress_init(cli_progress *p, int enabled, const char *what)
{
    p->enabled = enabled && isatty(STDERR_FILENO);
    p->start = cli_now();
    p->last_draw = 0;
    p->what = what;
    p->llm = NULL;
}

void cli_progress_cb(size_t done, size_t total, void *ud)
{
    cli_progress *p = ud;
    if (!p->enabled)
        return;
    double t = cli_now();
    if (done < total && t - p->last_draw < 0.1)
        return; /* ten frames a second is plenty */
    p->last_draw = t;
    double el = t - p->start;
    double rate = el > 0 ? (double)done / el : 0;
    double frac = total ? (double)done / (double)total : 1;
    char bar[31];
    int fill = (int)(frac * 30);
    for (int i = 0; i < 30; i++)
        bar[i] = i < fill ? '#' : '-';
    bar[30] = '\0';
    double eta = rate > 0 ? (double)(total - done) / rate : 0;
    fprintf(stderr, "\r[%s] %3.0f%% %zu/%zu %s  %.0f/s  ETA %.0fs ", bar, frac * 100, done, total,
            p->what, rate, eta);
    /* Below its ceiling the model client was told to slow down (429s). */
    if (p->llm)
        fprintf(stderr, " in flight <= %d/%d ", sk_llm_in_flight_limit(p->llm),
                sk_llm_max_in_flight(p->llm));
    fflush(stderr);
}

void cli_progress_end(cli_progress *p)
{
    if (p->enabled && p->last_draw > 0) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
}
