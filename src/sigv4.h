/* SPDX-License-Identifier: ISC */
/*
 * AWS Signature Version 4 for the S3 reader and the SNS publisher: pure
 * functions from a request description and credentials to the headers
 * that sign it.  No I/O and no global state; libcrypto does SHA-256 and
 * HMAC-SHA256.
 *
 * A request is signed in one call:
 *
 *	struct sigv4_request	 rq = { .method = "GET", .path = "/k",
 *	    .headers = hdrs, .nheaders = 1, .payload_hash = SIGV4_UNSIGNED,
 *	    .region = "eu-west-1", .service = "s3", .amz_date = now,
 *	    .flags = SIGV4_S3 };
 *	struct sigv4_signed	 sg;
 *
 *	if (sigv4_sign(&rq, &creds, NULL, &sg, &cause) == -1)
 *		... report cause ...
 *	for (i = 0; i < sg.nadd; i++)
 *		list = curl_slist_append(list, sg.add[i]);
 *	sigv4_signed_clear(&sg);
 *
 * The path and query are taken as they go on the wire.  Build them with
 * sigv4_uri_encode(), so that what is sent and what is signed agree: the
 * signer decodes %XX in the query (and, for S3, in the path) and encodes
 * again, but leaves '+' a plus, never a space.  Header values are signed
 * trimmed, with runs of blanks made one space; a Host header is required,
 * and Authorization refused.
 */
#ifndef SIGV4_H
#define SIGV4_H

#include <stddef.h>
#include <time.h>

#define SIGV4_DATE_LEN	16		/* "20150830T123600Z" */
#define SIGV4_HEX_LEN	64		/* SHA-256 in lower-case hex */
#define SIGV4_KEY_LEN	32		/* a derived HMAC-SHA256 key */
#define SIGV4_SCOPE_MAX	63		/* longest region or service */
#define SIGV4_SECRET_MAX	256	/* longest secret access key */
#define SIGV4_CANON_MAX	(256 * 1024)	/* canonical request */
#define SIGV4_HEADERS_MAX	64	/* headers in one request */
#define SIGV4_PARAMS_MAX	256	/* query parameters */
#define SIGV4_ADD_MAX	4		/* lines in sigv4_signed.add */

#define SIGV4_UNSIGNED		"UNSIGNED-PAYLOAD"
#define SIGV4_EMPTY_SHA256	\
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* Options in sigv4_request.flags. */
#define SIGV4_NORMALIZE_PATH	0x1	/* drop "." and "..", merge "//" */
#define SIGV4_DOUBLE_ENCODE	0x2	/* encode the wire path again */
#define SIGV4_CONTENT_SHA256	0x4	/* add x-amz-content-sha256 */
#define SIGV4_TOKEN_UNSIGNED	0x8	/* add the token after signing */

/* Every service but S3 (SNS, STS, ...); and S3. */
#define SIGV4_SERVICE	(SIGV4_NORMALIZE_PATH | SIGV4_DOUBLE_ENCODE)
#define SIGV4_S3	SIGV4_CONTENT_SHA256

struct sigv4_header {
	const char	*name;		/* any case */
	const char	*value;		/* trimmed when signed */
};

struct sigv4_credentials {
	const char	*access_key_id;
	const char	*secret_key;	/* NULL if a sigv4_key is given */
	const char	*session_token;	/* NULL without one */
};

struct sigv4_request {
	const char	*method;	/* "GET" */
	const char	*path;		/* as sent: "/a%20b" */
	const char	*query;		/* as sent, no '?'; or NULL */
	const struct sigv4_header *headers;	/* Host among them */
	size_t		 nheaders;
	const char	*payload_hash;	/* hex, or SIGV4_UNSIGNED */
	const char	*region;	/* "us-east-1" */
	const char	*service;	/* "s3", "sns" */
	const char	*amz_date;	/* "20150830T123600Z" */
	int		 flags;		/* SIGV4_* */
};

/*
 * The result of signing.  add[] holds the header lines the caller adds to
 * the request, "Name: value", ready for curl_slist_append(3): those of
 * X-Amz-Date, X-Amz-Security-Token and X-Amz-Content-SHA256 that were not
 * in the request already, then Authorization, always last.
 */
struct sigv4_signed {
	char	*canonical_request;
	char	*string_to_sign;
	char	*signed_headers;		/* "host;x-amz-date" */
	char	 signature[SIGV4_HEX_LEN + 1];
	char	*authorization;			/* the value only */
	char	*add[SIGV4_ADD_MAX];
	size_t	 nadd;
};

/*
 * A signing key, derived from the secret for one day, region and service.
 * Deriving takes four HMACs; a caller that signs many requests may keep
 * one key and derive a new one when sigv4_key_matches() says the day,
 * region or service changed.  sigv4_key_matches() does not see the
 * secret: derive again when the credentials change (rotated temporary
 * credentials).  The storage is the caller's (on the stack or in a
 * longer-lived struct), so the key never passes through the heap;
 * sigv4_key_clear() wipes it.  Never log it.  Treat the fields as private.
 */
struct sigv4_key {
	char		date[9];		/* "20150830" */
	char		region[SIGV4_SCOPE_MAX + 1];
	char		service[SIGV4_SCOPE_MAX + 1];
	unsigned char	k[SIGV4_KEY_LEN];	/* kSigning */
	int		valid;
};

int	 sigv4_key_init(struct sigv4_key *, const char *secret,
	    const char *amz_date, const char *region, const char *service,
	    char **cause);
int	 sigv4_key_matches(const struct sigv4_key *, const char *amz_date,
	    const char *region, const char *service);
void	 sigv4_key_clear(struct sigv4_key *);

int	 sigv4_sign(const struct sigv4_request *,
	    const struct sigv4_credentials *, const struct sigv4_key *,
	    struct sigv4_signed *, char **cause);
void	 sigv4_signed_clear(struct sigv4_signed *);

char	*sigv4_uri_encode(const char *, size_t, int keep_slash);
void	 sigv4_sha256_hex(const void *, size_t, char [SIGV4_HEX_LEN + 1]);
int	 sigv4_format_date(time_t, char [SIGV4_DATE_LEN + 1]);

#endif
