/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for digest.c: parsing, the string to sign, signatures made
 * with a key generated here (test-only, never written anywhere), and the
 * ListPublicKeys reader.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "digest.h"
#include "xmalloc.h"

static int	failed;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond);	\
		failed = 1;						\
	}								\
} while (0)

static const char doc_first[] =
    "{\"awsAccountId\":\"111122223333\","
    "\"digestStartTime\":\"2026-11-01T10:00:00Z\","
    "\"digestEndTime\":\"2026-11-01T11:00:00Z\","
    "\"digestS3Bucket\":\"trail-bucket\","
    "\"digestS3Object\":\"AWSLogs/111122223333/CloudTrail-Digest/us-east-1/"
    "2026/11/01/111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_"
    "20261101T110000Z.json.gz\","
    "\"digestPublicKeyFingerprint\":\"00112233445566778899aabbccddeeff\","
    "\"digestSignatureAlgorithm\":\"SHA256withRSA\","
    "\"newestEventTime\":null,\"oldestEventTime\":null,"
    "\"previousDigestS3Bucket\":null,\"previousDigestS3Object\":null,"
    "\"previousDigestHashValue\":null,\"previousDigestHashAlgorithm\":null,"
    "\"previousDigestSignature\":null,"
    "\"logFiles\":[{\"s3Bucket\":\"trail-bucket\",\"s3Object\":\"a.json.gz\","
    "\"hashValue\":\"ab\",\"hashAlgorithm\":\"SHA-256\","
    "\"newestEventTime\":\"2026-11-01T10:10:00Z\","
    "\"oldestEventTime\":\"2026-11-01T10:01:00Z\"}]}";

static const struct {
	const char	*doc;
	const char	*cause;		/* NULL: parses */
} bad[] = {
	{ "[]", "not a JSON object" },
	{ "{", NULL },
	{ "{\"digestStartTime\":\"x\"}", "digestEndTime: missing" },
	{ "{\"digestStartTime\":1}", "digestStartTime: not a string" },
};

/* Sign s with pk: the hex signature (allocated). */
static char *
sign_hex(EVP_PKEY *pk, const char *s)
{
	EVP_MD_CTX	*md = EVP_MD_CTX_new();
	unsigned char	 sig[1024];
	size_t		 len = sizeof sig, i;
	char		*hex;

	if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, pk) != 1 ||
	    EVP_DigestSign(md, sig, &len, (const unsigned char *)s,
	    strlen(s)) != 1)
		abort();
	EVP_MD_CTX_free(md);
	hex = xmalloc(len * 2 + 1);
	for (i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", sig[i]);
	return hex;
}

/* The PKCS #1 DER of pk's public half. */
static size_t
pub_der(EVP_PKEY *pk, unsigned char **der)
{
	int	n;

	*der = NULL;
	if ((n = i2d_PublicKey(pk, der)) <= 0)
		abort();
	return (size_t)n;
}

int
main(void)
{
	struct digest	*d;
	struct digest_keys ks = { NULL, 0 };
	const struct digest_key *k;
	EVP_PKEY	*pk, *other;
	unsigned char	*der, *der2;
	size_t		 derlen, der2len, i;
	char		*cause = NULL, *s, *sig, *b64, *list, hex[DIGEST_SHA256_HEX];
	int		 n;

	d = digest_parse(doc_first, strlen(doc_first), &cause);
	CHECK(d != NULL && cause == NULL);
	if (d == NULL)
		return 1;
	CHECK(strcmp(d->account, "111122223333") == 0);
	CHECK(d->end_ms - d->start_ms == 3600 * 1000);
	CHECK(d->prev_object == NULL && d->prev_sig == NULL);
	CHECK(d->nlogs == 1 && strcmp(d->logs[0].object, "a.json.gz") == 0);
	digest_sha256_hex(doc_first, strlen(doc_first), hex);
	CHECK(strcmp(d->sha256, hex) == 0);
	digest_sha256_hex("", 0, hex);
	CHECK(strcmp(hex, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855") == 0);

	s = digest_string_to_sign(d);
	n = snprintf(NULL, 0, "2026-11-01T11:00:00Z\ntrail-bucket/%s\n%s\nnull",
	    d->object, d->sha256);
	CHECK(n > 0 && strlen(s) == (size_t)n);
	CHECK(strncmp(s, "2026-11-01T11:00:00Z\ntrail-bucket/AWSLogs/", 42)
	    == 0);
	CHECK(strcmp(s + strlen(s) - 5, "\nnull") == 0);

	/* A key made here; another one for the wrong-key case. */
	pk = EVP_RSA_gen(2048);
	other = EVP_RSA_gen(2048);
	CHECK(pk != NULL && other != NULL);
	derlen = pub_der(pk, &der);
	der2len = pub_der(other, &der2);
	sig = sign_hex(pk, s);
	CHECK(digest_verify(d, sig, "SHA256withRSA", der, derlen, &cause) == 1);
	CHECK(digest_verify(d, sig, NULL, der2, der2len, &cause) == 0);
	sig[10] = sig[10] == '0' ? '1' : '0';
	CHECK(digest_verify(d, sig, NULL, der, derlen, &cause) == 0);
	CHECK(digest_verify(d, "xyz", NULL, der, derlen, &cause) == -1);
	CHECK(cause != NULL && strcmp(cause, "signature is not hex") == 0);
	free(cause);
	cause = NULL;
	CHECK(digest_verify(d, sig, "SHA1withRSA", der, derlen, &cause) == -1);
	CHECK(cause != NULL &&
	    strcmp(cause, "signature algorithm SHA1withRSA not supported") == 0);
	free(cause);
	cause = NULL;
	CHECK(digest_verify(d, sig, NULL, der, derlen - 1, &cause) == -1);
	free(cause);
	cause = NULL;
	free(sig);
	free(s);

	/* A signed chain: the second signs the first's signature. */
	free(d->prev_sig);
	d->prev_sig = xstrdup("abcd");
	s = digest_string_to_sign(d);
	CHECK(strcmp(s + strlen(s) - 5, "\nabcd") == 0);
	free(s);
	digest_free(d);

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		d = digest_parse(bad[i].doc, strlen(bad[i].doc), &cause);
		CHECK(d == NULL && cause != NULL);
		if (bad[i].cause != NULL && cause != NULL &&
		    strcmp(cause, bad[i].cause) != 0) {
			fprintf(stderr, "bad[%zu]: %s\n", i, cause);
			failed = 1;
		}
		free(cause);
	}

	/* ListPublicKeys output, as the CLI prints it. */
	b64 = xmalloc(derlen * 2 + 8);
	EVP_EncodeBlock((unsigned char *)b64, der, (int)derlen);
	list = xprintf("{\"PublicKeyList\":[{\"Value\":\"%s\","
	    "\"ValidityStartTime\":\"2026-01-01T00:00:00Z\","
	    "\"ValidityEndTime\":\"2027-01-01T00:00:00Z\","
	    "\"Fingerprint\":\"00112233445566778899AABBCCDDEEFF\"}]}", b64);
	CHECK(digest_keys_parse(&ks, list, strlen(list), &cause) == 0);
	CHECK(ks.n == 1);
	k = digest_keys_find(&ks, "00112233445566778899aabbccddeeff");
	CHECK(k != NULL && k->derlen == derlen &&
	    memcmp(k->der, der, derlen) == 0);
	CHECK(digest_keys_find(&ks, "ff") == NULL);
	CHECK(digest_keys_parse(&ks, "{}", 2, &cause) == -1);
	CHECK(cause != NULL);
	free(cause);
	digest_keys_clear(&ks);
	free(list);
	free(b64);
	OPENSSL_free(der);
	OPENSSL_free(der2);
	EVP_PKEY_free(pk);
	EVP_PKEY_free(other);
	return failed;
}
