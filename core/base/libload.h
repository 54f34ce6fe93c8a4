/*
 * Libraries loaded when first needed rather than linked (libcurl, SQLite,
 * libpq, libmicrohttpd, hiredis): a command that never needs one never
 * maps it, nor the libraries it pulls in.  Each user lists the functions
 * it calls, defines them as forwarders to pointers it fills here on first
 * use, and reports this file's message when the library cannot be used.
 */
#ifndef SK_LIBLOAD_H
#define SK_LIBLOAD_H

#include <stddef.h>

typedef struct sk_lib {
    const char *what;    /* as messages name it: "libpq" */
    const char *env;     /* the variable naming another file to load */
    const char *soname;  /* the file configure found: "libpq.so.5" */
    const char *package; /* the Debian package that installs it: "libpq5" */
    const char *version; /* the oldest that has every function used: "libpq 13" */
} sk_lib;

/* dlopen the file lib->env names, else lib->soname.  Returns the handle
 * (never closed), or NULL with why (size bytes) saying what failed and
 * what to do. */
void *sk_lib_open(const sk_lib *lib, char *why, size_t size);

/* Look up function `name` in the library opened as `handle` and copy its
 * address into the function pointer at slot (slot_size bytes: C has no
 * cast from dlsym's void * to a function pointer).  0, or -1 with why
 * naming the function and the version that has it. */
int sk_lib_resolve(const sk_lib *lib, void *handle, const char *name, void *slot, size_t slot_size,
                   char *why, size_t size);

#endif
