EXTRA_DIST += examples
