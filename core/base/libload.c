/* Lazily loaded libraries (see libload.h). */
#include "base/libload.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The file loaded, for messages. */
static const char *file_of(const sk_lib *lib)
{
    const char *name = getenv(lib->env);
    return name && *name ? name : lib->soname;
}

void *sk_lib_open(const sk_lib *lib, char *why, size_t size)
{
    const char *name = file_of(lib);
    void *h = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        snprintf(why, size,
                 "cannot load %s: %s; install it (on Debian: apt-get install %s) or set %s to "
                 "the file to load",
                 lib->what, e ? e : name, lib->package, lib->env);
    }
    return h;
}

int sk_lib_resolve(const sk_lib *lib, void *handle, const char *name, void *slot, size_t slot_size,
                   char *why, size_t size)
{
    void *sym = dlsym(handle, name);
    if (!sym) {
        snprintf(why, size, "cannot use %s: %s has no %s (%s or later is needed)", lib->what,
                 file_of(lib), name, lib->version);
        return -1;
    }
    memcpy(slot, &sym, slot_size < sizeof sym ? slot_size : sizeof sym);
    return 0;
}
