# validate: meta-cases and the built-in calibration set, the
# meta-evaluation of scorers and judges, and scorer fingerprints.
libskcore_la_SOURCES += \
	core/validate/metacase.c core/validate/metacase.h \
	core/validate/metaeval.c core/validate/metaeval.h core/validate/metaeval_judge.c \
	core/validate/fingerprint.c core/validate/fingerprint.h \
	core/validate/agreement.c core/validate/agreement.h
libskcore_la_CPPFLAGS += -DSK_CALIBRATION_DIR='"$(calibrationdir)"'

calibrationdir = $(pkgdatadir)/calibration
dist_calibration_DATA = core/validate/calibration/factual.jsonl \
	core/validate/calibration/numbers.jsonl core/validate/calibration/json.jsonl \
	core/validate/calibration/lists.jsonl core/validate/calibration/labels.jsonl \
	core/validate/calibration/explanations.jsonl core/validate/calibration/refusals.jsonl
