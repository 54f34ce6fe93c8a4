/*
 * Prompt templates: text with {{placeholders}} filled from a row, shared
 * by the LLM judges (plugins/judge) and the openai task, so both read
 * {{input}}, {{output}}, {{expected}}, {{metadata.topic}} the same way.
 *
 *   {{name}}        the variable's text: a JSON string is inserted as its
 *                   decoded text, any other JSON value as compact JSON
 *   {{name.a.b}}    a member of an object value, by a dotted path of keys,
 *                   inserted the same way
 *   {{ name }}      spaces inside the braces are ignored
 *
 * A placeholder that names no variable is an error when the template is
 * checked (at open), and a value the row lacks is an error when it is
 * rendered: a prompt is never sent with a hole in it.  Text outside
 * placeholders is copied unchanged; a "{{" without its "}}" is an error.
 *
 * No global state: any number of threads may check and render at once.
 * This is a small convenience library (libsktemplate) linked into both the
 * core and the judge plugin, so it uses malloc and cJSON only.
 */
#ifndef SK_TEMPLATE_H
#define SK_TEMPLATE_H

#include <stddef.h>

/* One value a template may name.  Every pointer is borrowed for the call. */
typedef struct sk_tpl_var {
    const char *name; /* "input", "output", "metadata", "criterion", ... */
    const char *json; /* the value as JSON text; NULL when the row lacks it
                         (unless `text` is set) */
    const char *text; /* optional: the text {{name}} inserts (e.g. a decoded
                         string); NULL: derived from json */
    size_t text_len;  /* bytes of text */
} sk_tpl_var;

/* Check the syntax of tpl and that every placeholder's first name is one
 * of `names` (a NULL-terminated list).  Returns 0, or -1 with a message
 * naming the line and placeholder in err (errlen > 0 bytes). */
int sk_tpl_check(const char *tpl, const char *const *names, char *err, size_t errlen);

/* Render tpl with vars.  Returns a NUL-terminated text the caller frees
 * with free(), or NULL with a message in err: an unknown variable, a value
 * the row lacks ("{{metadata.topic}}: the row has no metadata.topic"), or
 * a path into a value that is not an object. */
char *sk_tpl_render(const char *tpl, const sk_tpl_var *vars, size_t nvars, char *err,
                    size_t errlen);

#endif
