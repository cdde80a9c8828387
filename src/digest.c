/* SPDX-License-Identifier: ISC */
/*
 * CloudTrail digest files.  Every hour a trail writes, beside its log
 * files, a gzipped JSON digest that lists each log file delivered in that
 * hour with the SHA-256 of its inflated bytes, and names the digest before
 * it with that digest's SHA-256 and signature.  The digest itself is
 * signed (SHA256withRSA) over four lines: digestEndTime, bucket/object,
 * the hex SHA-256 of the inflated digest, and the previous digest's
 * signature ("null" for the first).  The signature travels as object
 * metadata, not in the document.  This file parses and checks one digest;
 * it does no I/O.
 */
#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <yajl/yajl_tree.h>

#include "digest.h"
#include "eventtime.h"
#include "log.h"
#include "xmalloc.h"

static char	*digest_str(yajl_val, const char *, int, char **);
static int64_t	 digest_time(yajl_val, const char *);
static int	 digest_unhex(const char *, unsigned char **, size_t *);
static yajl_val	 digest_tree(const void *, size_t, char **);

/* Parse len bytes of JSON into a tree, or NULL and *cause. */
static yajl_val
digest_tree(const void *p, size_t len, char **cause)
{
	char		 err[256], *s;
	yajl_val	 v;

	if (len > DIGEST_DOC_MAX) {
		*cause = xprintf("larger than %d bytes", DIGEST_DOC_MAX);
		return NULL;
	}
	if (memchr(p, '\0', len) != NULL) {
		*cause = xstrdup("NUL byte in JSON");
		return NULL;
	}
	s = xstrndup(p, len);
	err[0] = '\0';
	v = yajl_tree_parse(s, err, sizeof err);
	free(s);
	if (v == NULL) {
		err[strcspn(err, "\n")] = '\0';
		*cause = xprintf("JSON: %s", err[0] != '\0' ? err : "invalid");
	}
	return v;
}

/*
 * The string member key of object o, copied: NULL if it is absent or
 * null, unless required, which makes that (and any other type) an error.
 */
static char *
digest_str(yajl_val o, const char *key, int required, char **cause)
{
	const char	*path[] = { key, NULL };
	yajl_val	 v;

	v = yajl_tree_get(o, path, yajl_t_any);
	if (v != NULL && YAJL_IS_STRING(v))
		return xstrdup(YAJL_GET_STRING(v));
	if (*cause == NULL && (required || (v != NULL && !YAJL_IS_NULL(v))))
		*cause = xprintf("%s: %s", key, v == NULL ? "missing" :
		    "not a string");
	return NULL;
}

/*
 * A key's validity time in ms: RFC 3339 as the CLI prints it, or seconds
 * as the JSON protocol sends it; 0 if absent or unreadable.
 */
static int64_t
digest_time(yajl_val o, const char *key)
{
	const char	*path[] = { key, NULL };
	const char	*s;
	yajl_val	 v;
	int64_t		 t;

	v = yajl_tree_get(o, path, yajl_t_any);
	if (v != NULL && YAJL_IS_STRING(v) &&
	    (s = YAJL_GET_STRING(v)) != NULL &&
	    eventtime_parse(s, strlen(s), &t) == 0)
		return t;
	if (v != NULL && YAJL_IS_NUMBER(v) && YAJL_IS_DOUBLE(v) &&
	    YAJL_GET_DOUBLE(v) > 0 && YAJL_GET_DOUBLE(v) < 1e11)
		return (int64_t)(YAJL_GET_DOUBLE(v) * 1000);
	return 0;
}

/* Parse one digest document; see digest.h. */
struct digest *
digest_parse(const void *p, size_t len, char **cause)
{
	const char	*logpath[] = { "logFiles", NULL };
	struct digest	*d;
	struct digest_log *l;
	yajl_val	 top, logs, o;
	size_t		 i;

	*cause = NULL;
	if ((top = digest_tree(p, len, cause)) == NULL)
		return NULL;
	d = xcalloc(1, sizeof *d);
	digest_sha256_hex(p, len, d->sha256);
	if (!YAJL_IS_OBJECT(top)) {
		*cause = xstrdup("not a JSON object");
		goto bad;
	}
	d->account = digest_str(top, "awsAccountId", 0, cause);
	d->start = digest_str(top, "digestStartTime", 1, cause);
	d->end = digest_str(top, "digestEndTime", 1, cause);
	d->bucket = digest_str(top, "digestS3Bucket", 1, cause);
	d->object = digest_str(top, "digestS3Object", 1, cause);
	d->prev_bucket = digest_str(top, "previousDigestS3Bucket", 0, cause);
	d->prev_object = digest_str(top, "previousDigestS3Object", 0, cause);
	d->prev_hash = digest_str(top, "previousDigestHashValue", 0, cause);
	d->prev_hash_alg = digest_str(top, "previousDigestHashAlgorithm", 0,
	    cause);
	d->prev_sig = digest_str(top, "previousDigestSignature", 0, cause);
	d->fingerprint = digest_str(top, "digestPublicKeyFingerprint", 1,
	    cause);
	d->sig_alg = digest_str(top, "digestSignatureAlgorithm", 1, cause);
	if (*cause != NULL)
		goto bad;
	if (eventtime_parse(d->start, strlen(d->start), &d->start_ms) == -1 ||
	    eventtime_parse(d->end, strlen(d->end), &d->end_ms) == -1) {
		*cause = xstrdup("digestStartTime or digestEndTime: not a time");
		goto bad;
	}
	logs = yajl_tree_get(top, logpath, yajl_t_any);
	if (logs == NULL || !YAJL_IS_ARRAY(logs)) {
		*cause = xstrdup("logFiles: missing or not an array");
		goto bad;
	}
	if (logs->u.array.len > DIGEST_LOGS_MAX) {
		*cause = xprintf("logFiles: more than %d", DIGEST_LOGS_MAX);
		goto bad;
	}
	if (logs->u.array.len > 0)
		d->logs = xcalloc(logs->u.array.len, sizeof *d->logs);
	for (i = 0; i < logs->u.array.len; i++) {
		o = logs->u.array.values[i];
		if (!YAJL_IS_OBJECT(o)) {
			*cause = xprintf("logFiles[%zu]: not an object", i);
			goto bad;
		}
		l = &d->logs[d->nlogs++];
		l->bucket = digest_str(o, "s3Bucket", 1, cause);
		l->object = digest_str(o, "s3Object", 1, cause);
		l->hash = digest_str(o, "hashValue", 1, cause);
		l->algorithm = digest_str(o, "hashAlgorithm", 1, cause);
		if (*cause != NULL) {
			char *c = xprintf("logFiles[%zu].%s", i, *cause);

			free(*cause);
			*cause = c;
			goto bad;
		}
	}
	yajl_tree_free(top);
	return d;
bad:
	yajl_tree_free(top);
	digest_free(d);
	return NULL;
}

/* Free a digest. */
void
digest_free(struct digest *d)
{
	size_t	i;

	if (d == NULL)
		return;
	for (i = 0; i < d->nlogs; i++) {
		free(d->logs[i].bucket);
		free(d->logs[i].object);
		free(d->logs[i].hash);
		free(d->logs[i].algorithm);
	}
	free(d->logs);
	free(d->account);
	free(d->start);
	free(d->end);
	free(d->bucket);
	free(d->object);
	free(d->prev_bucket);
	free(d->prev_object);
	free(d->prev_hash);
	free(d->prev_hash_alg);
	free(d->prev_sig);
	free(d->fingerprint);
	free(d->sig_alg);
	free(d);
}

/* The string to sign; see digest.h. */
char *
digest_string_to_sign(const struct digest *d)
{
	/* The first digest of a chain signs the word "null". */
	return xprintf("%s\n%s/%s\n%s\n%s", d->end, d->bucket, d->object,
	    d->sha256, d->prev_sig != NULL ? d->prev_sig : "null");
}

/* Decode hex into an allocated buffer: 0, or -1 if it is not hex. */
static int
digest_unhex(const char *s, unsigned char **out, size_t *outlen)
{
	size_t		 len = strlen(s), i;
	unsigned char	*p;
	int		 hi, lo;

	if (len == 0 || len % 2 != 0)
		return -1;
	p = xmalloc(len / 2);
	for (i = 0; i < len; i += 2) {
		if (!isxdigit((unsigned char)s[i]) ||
		    !isxdigit((unsigned char)s[i + 1])) {
			free(p);
			return -1;
		}
		hi = isdigit((unsigned char)s[i]) ? s[i] - '0' :
		    tolower((unsigned char)s[i]) - 'a' + 10;
		lo = isdigit((unsigned char)s[i + 1]) ? s[i + 1] - '0' :
		    tolower((unsigned char)s[i + 1]) - 'a' + 10;
		p[i / 2] = (unsigned char)(hi << 4 | lo);
	}
	*out = p;
	*outlen = len / 2;
	return 0;
}

/* Check a signature; see digest.h. */
int
digest_verify(const struct digest *d, const char *sighex, const char *sigalg,
    const unsigned char *der, size_t derlen, char **cause)
{
	EVP_PKEY	*pk = NULL;
	EVP_MD_CTX	*md = NULL;
	const unsigned char *dp = der;
	unsigned char	*sig = NULL;
	char		*tosign = NULL;
	size_t		 siglen;
	int		 r, rv = -1;

	if (strcmp(d->sig_alg, "SHA256withRSA") != 0 ||
	    (sigalg != NULL && strcmp(sigalg, "SHA256withRSA") != 0)) {
		*cause = xprintf("signature algorithm %s not supported",
		    sigalg != NULL && strcmp(sigalg, "SHA256withRSA") != 0 ?
		    sigalg : d->sig_alg);
		return -1;
	}
	if (digest_unhex(sighex, &sig, &siglen) == -1) {
		*cause = xstrdup("signature is not hex");
		return -1;
	}
	if (derlen > LONG_MAX ||
	    (pk = d2i_PublicKey(EVP_PKEY_RSA, NULL, &dp, (long)derlen)) ==
	    NULL || dp != der + derlen) {
		*cause = xprintf("public key %s: not a PKCS #1 RSA key",
		    d->fingerprint);
		goto out;
	}
	tosign = digest_string_to_sign(d);
	if ((md = EVP_MD_CTX_new()) == NULL)
		fatalx("EVP_MD_CTX_new");
	if (EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pk) != 1) {
		*cause = xstrdup("cannot verify with this key");
		goto out;
	}
	r = EVP_DigestVerify(md, sig, siglen, (const unsigned char *)tosign,
	    strlen(tosign));
	rv = r == 1 ? 1 : 0;
out:
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pk);
	free(sig);
	free(tosign);
	return rv;
}

/* The hex SHA-256 of a buffer; see digest.h. */
void
digest_sha256_hex(const void *p, size_t len, char hex[DIGEST_SHA256_HEX])
{
	static const char	 x[] = "0123456789abcdef";
	unsigned char		 md[EVP_MAX_MD_SIZE];
	unsigned int		 mdlen, i;

	if (EVP_Digest(p, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != 32)
		fatalx("EVP_Digest");
	for (i = 0; i < mdlen; i++) {
		hex[2 * i] = x[md[i] >> 4];
		hex[2 * i + 1] = x[md[i] & 15];
	}
	hex[64] = '\0';
}

/* Read ListPublicKeys output; see digest.h. */
int
digest_keys_parse(struct digest_keys *ks, const void *p, size_t len,
    char **cause)
{
	const char	*listpath[] = { "PublicKeyList", NULL };
	struct digest_key *k;
	yajl_val	 top, list, o;
	char		*value = NULL;
	size_t		 i, vlen;
	int		 n;

	*cause = NULL;
	if ((top = digest_tree(p, len, cause)) == NULL)
		return -1;
	list = yajl_tree_get(top, listpath, yajl_t_any);
	if (list == NULL || !YAJL_IS_ARRAY(list)) {
		*cause = xstrdup("PublicKeyList: missing or not an array");
		goto bad;
	}
	if (ks->n + list->u.array.len > DIGEST_KEYS_MAX) {
		*cause = xprintf("more than %d public keys", DIGEST_KEYS_MAX);
		goto bad;
	}
	ks->v = xreallocarray(ks->v, ks->n + list->u.array.len + 1,
	    sizeof *ks->v);
	for (i = 0; i < list->u.array.len; i++) {
		o = list->u.array.values[i];
		if (!YAJL_IS_OBJECT(o)) {
			*cause = xprintf("PublicKeyList[%zu]: not an object",
			    i);
			goto bad;
		}
		k = &ks->v[ks->n];
		memset(k, 0, sizeof *k);
		value = digest_str(o, "Value", 1, cause);
		k->fingerprint = digest_str(o, "Fingerprint", 1, cause);
		k->from_ms = digest_time(o, "ValidityStartTime");
		k->to_ms = digest_time(o, "ValidityEndTime");
		if (*cause != NULL) {
			free(k->fingerprint);
			goto bad;
		}
		/* Base64 in the CLI's output: 3 bytes per 4 characters. */
		vlen = strlen(value);
		k->der = xmalloc(vlen / 4 * 3 + 3);
		n = EVP_DecodeBlock(k->der, (const unsigned char *)value,
		    (int)vlen);
		if (n < 0 || vlen % 4 != 0 || vlen > INT32_MAX) {
			free(k->der);
			free(k->fingerprint);
			*cause = xprintf("PublicKeyList[%zu].Value: not base64",
			    i);
			goto bad;
		}
		/* EVP_DecodeBlock counts the padding as zero bytes. */
		if (vlen >= 1 && value[vlen - 1] == '=')
			n--;
		if (vlen >= 2 && value[vlen - 2] == '=')
			n--;
		k->derlen = (size_t)n;
		free(value);
		value = NULL;
		ks->n++;
	}
	yajl_tree_free(top);
	return 0;
bad:
	free(value);
	yajl_tree_free(top);
	return -1;
}

/* The key with a fingerprint; see digest.h. */
const struct digest_key *
digest_keys_find(const struct digest_keys *ks, const char *fp)
{
	size_t	i;

	for (i = 0; i < ks->n; i++)
		if (strcasecmp(ks->v[i].fingerprint, fp) == 0)
			return &ks->v[i];
	return NULL;
}

/* Free the keys. */
void
digest_keys_clear(struct digest_keys *ks)
{
	size_t	i;

	for (i = 0; i < ks->n; i++) {
		free(ks->v[i].fingerprint);
		free(ks->v[i].der);
	}
	free(ks->v);
	ks->v = NULL;
	ks->n = 0;
}
