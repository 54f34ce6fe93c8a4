# report: the self-contained HTML page (`scorekit report`, `validate
# --html`): the page's CSS and JS, and the writer that embeds the JSON the
# commands print, escaped for HTML.
libskcore_la_SOURCES += \
	core/report/report_html.c core/report/report_html.h core/report/report_page.c
