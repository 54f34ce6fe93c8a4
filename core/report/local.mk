# report: the self-contained HTML page (`scorekit report`, `validate
# --html`): the page's CSS and JS, and the writer that embeds the JSON the
# commands print, escaped for HTML.
libskcore_la_SOURCES += \
	core/report/report_html.c core/report/report_html.h core/report/report_page.c
# `scorekit view`: the read-only server the pages are served from, and the
# list pages' script (experiments, datasets, logs).
libskcore_la_SOURCES += \
	core/report/view_server.c core/report/view_server.h core/report/view_page.c
