/*
 * SHA-256, for the keys of the LLM response cache: a request's canonical
 * text hashes to 64 hex digits.  Neither SQLite nor libcurl exports a hash
 * we could call, and a cryptographic one makes collisions between distinct
 * requests a non-issue.
 */
#ifndef SK_LLM_HASH_H
#define SK_LLM_HASH_H

#include <stddef.h>
#include <stdint.h>

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

#endif
