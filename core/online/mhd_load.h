/* libmicrohttpd, dlopen'd on first use (see mhd_load.c). */
#ifndef SK_MHD_LOAD_H
#define SK_MHD_LOAD_H

/* Load it now: NULL when it can be used, else why not (static text). */
const char *sk_mhd_load(void);

#endif
