/*
 * The two hashes of scorekit, once each.
 *
 * FNV-1a with 64 bits: fast, for hash tables, row ids, pack hashes and
 * scorer fingerprints.  Row ids and pack hashes are stored, so they keep the
 * offset basis they were first released with (SK_FNV64_LEGACY_INIT, a digit
 * short of FNV's standard basis): changing it would change every derived row
 * id and make every stored baseline look stale.
 *
 * SHA-256, for the keys of the LLM response cache: a request's canonical
 * text hashes to 64 hex digits.  Neither SQLite nor libcurl exports a hash
 * we could call, and a cryptographic one makes collisions between distinct
 * requests a non-issue.
 */
#ifndef SK_HASH_H
#define SK_HASH_H

#include <stddef.h>
#include <stdint.h>

#define SK_FNV64_INIT        0xcbf29ce484222325ULL
#define SK_FNV64_LEGACY_INIT 1469598103934665603ULL

/* Continue an FNV-1a 64 hash over n bytes; start from SK_FNV64_INIT. */
uint64_t sk_fnv64(uint64_t h, const void *p, size_t n);

/* Hash the content of the file at path into *h (continuing it).  Returns
 * 0, or SK_EIO with *err naming the file. */
int sk_fnv64_file(uint64_t *h, const char *path, char **err);

typedef struct sk_sha256 {
    uint32_t h[8];
    uint64_t len; /* bytes hashed so far */
    unsigned char block[64];
    size_t used; /* bytes waiting in block */
} sk_sha256;

void sk_sha256_init(sk_sha256 *c);
void sk_sha256_update(sk_sha256 *c, const void *data, size_t n);
void sk_sha256_final(sk_sha256 *c, unsigned char digest[32]);

/* The digest of n bytes as 64 lowercase hex digits and a NUL, in hex. */
void sk_sha256_hex(const void *data, size_t n, char hex[65]);

/* The SHA-256 of a NUL-terminated secret, into digest. */
void sk_token_hash(const char *token, unsigned char digest[32]);

/* Whether `given` (may be NULL: no) hashes to `want`.  The digests are
 * compared over all 32 bytes, so the time taken says nothing about how
 * much of the secret matched, nor its length. */
int sk_token_matches(const unsigned char want[32], const char *given);

#endif
