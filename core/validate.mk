# `scorekit validate`: meta-cases and the built-in calibration set, the
# meta-evaluation, scorer fingerprints and the stored verdicts.
libscorekit_la_SOURCES += core/metacase.c core/metacase.h core/metaeval.c core/metaeval.h \
	core/metaeval_judge.c core/fingerprint.c core/fingerprint.h \
	core/validation_store.c core/validation_store.h
libscorekit_la_CPPFLAGS += -DSK_CALIBRATION_DIR='"$(calibrationdir)"'
scorekit_SOURCES += core/cli/validate.c core/cli/validate_report.c core/cli/validate_gate.h

calibrationdir = $(pkgdatadir)/calibration
dist_calibration_DATA = core/calibration/factual.jsonl core/calibration/numbers.jsonl \
	core/calibration/json.jsonl core/calibration/lists.jsonl core/calibration/labels.jsonl \
	core/calibration/explanations.jsonl core/calibration/refusals.jsonl
