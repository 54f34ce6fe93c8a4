/*
 * Scorer fingerprints: a content hash that changes when what a scorer
 * computes may have changed, and only then.  A verdict of `scorekit
 * validate` is stored with the fingerprint of the scorer it judged, so a
 * later run can tell "validated" from "changed since it was validated".
 *
 * The fingerprint covers the bytes of the plugin's shared object (or the
 * Lua script), the engine kind, the name the scorer is used under and its
 * resolved params (which hold a judge's model and prompt), and the bytes of
 * any file those params name ("template", "*_file": a judge's edited
 * prompt, relative to the project folder).  It never looks
 * at file times: touching a script keeps its fingerprint, editing one
 * byte changes it.
 *
 * The hash is FNV-1a with 64 bits, written out as 16 lower-case hex digits:
 * not cryptographic, which is fine, since it detects accidents, not
 * attackers.
 */
#ifndef SK_FINGERPRINT_H
#define SK_FINGERPRINT_H

#include <stddef.h>
#include <stdint.h>

#include "base/hash.h"
#include "engine/pack.h"
#include "engine/registry.h"

/* The fingerprint of pack entry e: 16 hex digits plus NUL in out.  `reg`
 * finds a plugin's file (may be NULL when e is not a plugin scorer);
 * relative file names in params are read in `project_dir` (NULL: the
 * working folder).  Returns 0, or a negative SK_E* code with *err (the
 * file cannot be read). */
int sk_fingerprint_entry(const sk_pack_entry *e, const sk_registry *reg, const char *project_dir,
                         char out[17], char **err);

#endif
