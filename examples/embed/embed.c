/*
 * Embedding scorekit: score cases from a program, then record them as an
 * experiment, with libscorekit instead of the `scorekit` command.
 *
 *   embed PROJECT [CASES.jsonl]   score each case (default: the project's
 *                                  dataset file) and print its verdicts;
 *                                  then run an experiment and print its id
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <scorekit/scorekit.h>

static int fail(const char *what, char *err)
{
    fprintf(stderr, "embed: %s: %s\n", what, err ? err : "(no message)");
    scorekit_free(err);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: embed PROJECT [CASES.jsonl]\n");
        return 2;
    }
    char *err = NULL;
    scorekit *sk;
    if (scorekit_open(&sk, argv[1], NULL, &err) != 0)
        return fail("open", err);
    printf("scorekit %s, %zu scorers:", scorekit_version(), scorekit_scorer_count(sk));
    for (size_t i = 0; i < scorekit_scorer_count(sk); i++)
        printf(" %s", scorekit_scorer_name(sk, i));
    printf("\n");

    if (argc == 3) {
        FILE *f = fopen(argv[2], "r");
        if (!f) {
            perror(argv[2]);
            scorekit_close(sk);
            return 1;
        }
        char line[65536];
        while (fgets(line, sizeof line, f)) {
            if (strspn(line, " \t\r\n") == strlen(line))
                continue;
            char *result = NULL;
            if (scorekit_score(sk, line, 0, &result, &err) != 0) {
                fclose(f);
                scorekit_close(sk);
                return fail("score", err);
            }
            printf("%s\n", result);
            scorekit_free(result);
        }
        fclose(f);
    }

    scorekit_run_opts o = {sizeof o, "embedded", NULL, NULL, 1, 0};
    char *id = NULL;
    if (scorekit_run(sk, &o, &id, &err) != 0) {
        scorekit_close(sk);
        return fail("run", err);
    }
    printf("experiment %s\n", id);
    scorekit_free(id);
    scorekit_close(sk);
    return 0;
}
