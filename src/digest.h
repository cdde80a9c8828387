/* SPDX-License-Identifier: ISC */
/*
 * CloudTrail digest files, the pure part: parse one digest document,
 * build the string CloudTrail signs, check a SHA256withRSA signature
 * against a public key, and read the output of ListPublicKeys.  No I/O
 * here; verify.c walks the archive and chains the digests.
 */
#ifndef DIGEST_H
#define DIGEST_H

#include <stddef.h>
#include <stdint.h>

#define DIGEST_DOC_MAX		(64 * 1024 * 1024)	/* one digest file */
#define DIGEST_LOGS_MAX		1000000		/* log files one digest lists */
#define DIGEST_KEYS_MAX		4096		/* public keys in one list */
#define DIGEST_SHA256_HEX	65		/* 64 hex digits and a NUL */

struct digest_log {
	char		*bucket;
	char		*object;
	char		*hash;		/* hex SHA-256 of the inflated file */
	char		*algorithm;	/* "SHA-256" */
};

struct digest {
	char		*account;	/* awsAccountId, or NULL */
	char		*start;		/* digestStartTime, as written */
	char		*end;		/* digestEndTime, as written */
	int64_t		 start_ms, end_ms;
	char		*bucket;	/* digestS3Bucket */
	char		*object;	/* digestS3Object */
	char		*prev_bucket;	/* previousDigestS3Bucket, or NULL */
	char		*prev_object;	/* previousDigestS3Object, or NULL */
	char		*prev_hash;	/* previousDigestHashValue, or NULL */
	char		*prev_hash_alg;	/* previousDigestHashAlgorithm */
	char		*prev_sig;	/* previousDigestSignature, or NULL */
	char		*fingerprint;	/* digestPublicKeyFingerprint */
	char		*sig_alg;	/* digestSignatureAlgorithm */
	struct digest_log *logs;
	size_t		 nlogs;
	char		 sha256[DIGEST_SHA256_HEX];	/* of the document */
};

struct digest_key {
	char		*fingerprint;
	unsigned char	*der;		/* PKCS #1 RSAPublicKey */
	size_t		 derlen;
	int64_t		 from_ms, to_ms;	/* validity; 0: unbounded */
};

struct digest_keys {
	struct digest_key *v;
	size_t		 n;
};

/*
 * Parse one inflated digest document of len bytes: the digest, or NULL
 * and *cause.
 */
struct digest	*digest_parse(const void *, size_t, char **cause);
void		 digest_free(struct digest *);
/* The string CloudTrail signs for d (allocated, NUL-terminated). */
char		*digest_string_to_sign(const struct digest *);
/*
 * Check the hex signature sighex of d made with the PKCS #1 DER key:
 * 1 if it verifies, 0 if it does not, -1 and *cause if the key, the
 * signature or the algorithm could not be used.
 */
int		 digest_verify(const struct digest *, const char *sighex,
		    const char *sigalg, const unsigned char *der, size_t derlen,
		    char **cause);
/* The hex SHA-256 of len bytes into hex. */
void		 digest_sha256_hex(const void *, size_t,
		    char hex[DIGEST_SHA256_HEX]);
/*
 * Read the output of ListPublicKeys ({"PublicKeyList": [...]}) into
 * keys: 0, or -1 and *cause.
 */
int		 digest_keys_parse(struct digest_keys *, const void *, size_t,
		    char **cause);
/* The key with fingerprint fp, or NULL. */
const struct digest_key *digest_keys_find(const struct digest_keys *,
		    const char *fp);
void		 digest_keys_clear(struct digest_keys *);

#endif
