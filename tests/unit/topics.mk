# Topics (issue 14): TF-IDF, spherical k-means, the silhouette and the
# adjusted Rand index against hand-worked values (test_topics); the CLI
# test runs `topics`, `topics show` and `dataset add --topic` end to end.
check_PROGRAMS += tests/unit/test_topics
TESTS += tests/unit/test_topics
CLI_TESTS += tests/cli/topics.sh
CLI_TESTS += tests/cli/topics_embed.sh
