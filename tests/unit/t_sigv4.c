/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for sigv4.c.
 *
 * Without arguments: AWS's Signature Version 4 test suite, read in place
 * from $SHARED/data/sigv4/aws-sig-v4-test-suite (each .req is parsed and
 * signed, and the canonical request, string to sign and Authorization are
 * compared byte for byte with .creq, .sts and .authz), then tables of S3
 * cases, encodings, errors and the signing key.  Exits 77 when the suite
 * is absent and everything else passed.
 *
 * With -s: a signing filter for tests/sigv4_botocore.sh.  It reads
 * requests from stdin, one field per line ("name value", the value being
 * the rest of the line), each request ended by "end":
 *
 *	method GET		path /b/k%20x		query a=1&b=
 *	header Host example.com	body 68656c6c6f		(hex; or:)
 *	payload UNSIGNED-PAYLOAD	region us-east-1	service s3
 *	date 20150830T123600Z	flags s3|service	key AKID...
 *	secret ...		token ... (optional)
 *
 * and prints, per request, the header lines to add (Authorization last)
 * or "error: cause", then an empty line.
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigv4.h"
#include "xmalloc.h"

#define T_FILE_MAX	(1024 * 1024)	/* one test-suite file */
#define T_LINE_MAX	(64 * 1024)	/* one line of -s input */

#define SUITE_DIR	"data/sigv4/aws-sig-v4-test-suite"
#define SUITE_DATE	"20150830T123600Z"

/* A request read from a .req file; strings point into text. */
struct t_req {
	char			*text;
	const char		*method, *path, *query;
	struct sigv4_header	 h[SIGV4_HEADERS_MAX];
	size_t			 nh;
	const char		*body;
	size_t			 bodylen;
};

static int	 failed;

static const struct sigv4_credentials suite_creds = {
	"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", NULL
};

/* From post-sts-token/readme.txt. */
#define SUITE_TOKEN \
	"AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwd" \
	"QWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kM" \
	"cGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp" \
	"75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZ" \
	"bqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/" \
	"oLxBA=="

/* All 31 cases of the suite, so that a missing one is a failure. */
static const char *suite_cases[] = {
	"get-header-key-duplicate",
	"get-header-value-multiline",
	"get-header-value-order",
	"get-header-value-trim",
	"get-unreserved",
	"get-utf8",
	"get-vanilla",
	"get-vanilla-empty-query-key",
	"get-vanilla-query",
	"get-vanilla-query-order-key",
	"get-vanilla-query-order-key-case",
	"get-vanilla-query-order-value",
	"get-vanilla-query-unreserved",
	"get-vanilla-utf8-query",
	"normalize-path/get-relative",
	"normalize-path/get-relative-relative",
	"normalize-path/get-slash",
	"normalize-path/get-slash-dot-slash",
	"normalize-path/get-slash-pointless-dot",
	"normalize-path/get-slashes",
	"normalize-path/get-space",
	"post-header-key-case",
	"post-header-key-sort",
	"post-header-value-case",
	"post-sts-token/post-sts-header-after",
	"post-sts-token/post-sts-header-before",
	"post-vanilla",
	"post-vanilla-empty-query-value",
	"post-vanilla-query",
	"post-x-www-form-urlencoded",
	"post-x-www-form-urlencoded-parameters",
};

/*
 * S3 and path cases.  The signatures come from botocore 1.29 (AWS's own
 * signer, through tests/tools/sigv4_botocore.py) at SUITE_DATE with the
 * suite's credentials, for the same request sent with its path and query
 * in canonical form; the rows whose input is not canonical must sign the
 * same.
 */
static const struct {
	const char	*name, *path, *query, *host, *service, *payload;
	int		 flags, token;
	const char	*creq, *sig;
} sign_cases[] = {
	{ "s3 unsigned payload", "/examplebucket/AWSLogs/x.json.gz", NULL,
	  "s3.amazonaws.com", "s3", SIGV4_UNSIGNED, SIGV4_S3, 0,
	  "GET\n/examplebucket/AWSLogs/x.json.gz\n\n"
	  "host:s3.amazonaws.com\n"
	  "x-amz-content-sha256:UNSIGNED-PAYLOAD\n"
	  "x-amz-date:20150830T123600Z\n\n"
	  "host;x-amz-content-sha256;x-amz-date\nUNSIGNED-PAYLOAD",
	  "b61478076935f9064dcb7c255300096d66b3405a55210f7733eea85e17880d98" },
	{ "s3 path not normalised", "/bucket/a//b/./c/../d", NULL,
	  "s3.amazonaws.com", "s3", SIGV4_EMPTY_SHA256, SIGV4_S3, 0,
	  "GET\n/bucket/a//b/./c/../d\n\n"
	  "host:s3.amazonaws.com\n"
	  "x-amz-content-sha256:" SIGV4_EMPTY_SHA256 "\n"
	  "x-amz-date:20150830T123600Z\n\n"
	  "host;x-amz-content-sha256;x-amz-date\n" SIGV4_EMPTY_SHA256,
	  "17eaed2879acaf754614982669e39c20c648973c05378ff0ef0a79b0a6cf375c" },
	{ "other services normalise", "/bucket/a//b/./c/../d", NULL,
	  "example.amazonaws.com", "service", SIGV4_EMPTY_SHA256,
	  SIGV4_SERVICE, 0,
	  "GET\n/bucket/a/b/d\n\n"
	  "host:example.amazonaws.com\n"
	  "x-amz-date:20150830T123600Z\n\n"
	  "host;x-amz-date\n" SIGV4_EMPTY_SHA256,
	  "6f0db9523009f2c7330da4dffa52055e4cb33e4d035ff4f88b60dcd4916241ba" },
	{ "other services encode twice", "/a%20b/%C3%A9", NULL,
	  "example.amazonaws.com", "service", SIGV4_EMPTY_SHA256,
	  SIGV4_SERVICE, 0,
	  "GET\n/a%2520b/%25C3%25A9\n\n"
	  "host:example.amazonaws.com\n"
	  "x-amz-date:20150830T123600Z\n\n"
	  "host;x-amz-date\n" SIGV4_EMPTY_SHA256,
	  "7feef237926f4f33385aeec1d53d9d5ccf4ca66c7ac2692f357a3e78ff85c310" },
#define ENCODED_CREQ							\
	"GET\n/bucket/sp%20ace/uni%C3%A9/plus%2Bequals%3D~\n\n"		\
	"host:s3.amazonaws.com\n"					\
	"x-amz-content-sha256:UNSIGNED-PAYLOAD\n"			\
	"x-amz-date:20150830T123600Z\n\n"				\
	"host;x-amz-content-sha256;x-amz-date\nUNSIGNED-PAYLOAD"
#define ENCODED_SIG							\
	"236671b4b8cf75d4049a9bf31476d76c04e854add19a50cd1251ed05c2d61bb9"
	{ "s3 key escapes, canonical", "/bucket/sp%20ace/uni%C3%A9/"
	  "plus%2Bequals%3D~", NULL, "s3.amazonaws.com", "s3", SIGV4_UNSIGNED,
	  SIGV4_S3, 0, ENCODED_CREQ, ENCODED_SIG },
	{ "s3 key escapes, raw bytes", "/bucket/sp ace/uni\xc3\xa9/"
	  "plus+equals=~", NULL, "s3.amazonaws.com", "s3", SIGV4_UNSIGNED,
	  SIGV4_S3, 0, ENCODED_CREQ, ENCODED_SIG },
	{ "s3 key escapes, lower case and needless", "/bucket/sp%20ace/"
	  "uni%c3%a9/plus%2bequals%3d%7E", NULL, "s3.amazonaws.com", "s3",
	  SIGV4_UNSIGNED, SIGV4_S3, 0, ENCODED_CREQ, ENCODED_SIG },
#define QUERY_CREQ							\
	"GET\n/bucket\nacl=&list-type=2&prefix=a%20b%2F\n"		\
	"host:s3.amazonaws.com\n"					\
	"x-amz-content-sha256:UNSIGNED-PAYLOAD\n"			\
	"x-amz-date:20150830T123600Z\n\n"				\
	"host;x-amz-content-sha256;x-amz-date\nUNSIGNED-PAYLOAD"
#define QUERY_SIG							\
	"f27ec57c6d2a6dedfe13000bcb7838aac604ac80793aab9bdda373ef224bddfc"
	{ "s3 query, canonical", "/bucket", "acl=&list-type=2&prefix=a%20b%2F",
	  "s3.amazonaws.com", "s3", SIGV4_UNSIGNED, SIGV4_S3, 0,
	  QUERY_CREQ, QUERY_SIG },
	{ "s3 query, raw and unsorted", "/bucket",
	  "prefix=a b/&&list-type=2&acl",
	  "s3.amazonaws.com", "s3", SIGV4_UNSIGNED, SIGV4_S3, 0,
	  QUERY_CREQ, QUERY_SIG },
	{ "s3 session token", "/bucket/key", NULL, "s3.amazonaws.com", "s3",
	  SIGV4_UNSIGNED, SIGV4_S3, 1,
	  "GET\n/bucket/key\n\n"
	  "host:s3.amazonaws.com\n"
	  "x-amz-content-sha256:UNSIGNED-PAYLOAD\n"
	  "x-amz-date:20150830T123600Z\n"
	  "x-amz-security-token:" SUITE_TOKEN "\n\n"
	  "host;x-amz-content-sha256;x-amz-date;x-amz-security-token\n"
	  "UNSIGNED-PAYLOAD",
	  "ffc6af4e57db167603b7eccb780e55839537ea5d8b915a9f1963de5c78e26dcf" },
};

/* sigv4_uri_encode(). */
static const struct {
	const char	*in;
	int		 keep_slash;
	const char	*want;
} encode_cases[] = {
	{ "",			0, "" },
	{ "AZaz09-._~",		0, "AZaz09-._~" },
	{ "a b+c=d&e",		0, "a%20b%2Bc%3Dd%26e" },
	{ "a/b",		0, "a%2Fb" },
	{ "a/b",		1, "a/b" },
	{ "100%",		1, "100%25" },
	{ "\xe1\x88\xb4",	0, "%E1%88%B4" },
	{ "!*'();:@$,?#[]",	1,
	  "%21%2A%27%28%29%3B%3A%40%24%2C%3F%23%5B%5D" },
	{ "\x01\x7f\xff",	0, "%01%7F%FF" },
};

/* Requests that must be refused, with the exact cause. */
enum t_err {
	E_METHOD, E_METHOD_SP, E_DATE, E_DATE_MONTH, E_REGION, E_SERVICE,
	E_HASH, E_NOHOST, E_CRLF, E_NAME, E_PATH_ESC, E_QUERY_ESC, E_RELATIVE,
	E_DATE_HDR, E_SHA_HDR, E_TOKEN_HDR, E_NOSECRET, E_TOKEN, E_AKID,
	E_HEADERS, E_PARAMS, E_TOOLONG, E_AUTHZ
};
static const struct {
	enum t_err	 what;
	const char	*cause;
} error_cases[] = {
	{ E_METHOD,	"no request method" },
	{ E_METHOD_SP,	"bad request method \"GET /\"" },
	{ E_DATE,	"bad signing time \"2015-08-30\", want "
			"YYYYMMDDTHHMMSSZ" },
	{ E_DATE_MONTH,	"bad signing time \"20151330T123600Z\", want "
			"YYYYMMDDTHHMMSSZ" },
	{ E_REGION,	"bad region \"us east\"" },
	{ E_SERVICE,	"bad service \"s3/x\"" },
	{ E_HASH,	"bad payload hash \"E3B0C44298FC1C149AFBF4C8996FB924"
			"27AE41E4649B934CA495991B7852B855\"" },
	{ E_NOHOST,	"no host header to sign" },
	{ E_CRLF,	"bad value in header X-Evil" },
	{ E_NAME,	"bad header name \"Bad Name\"" },
	{ E_PATH_ESC,	"bad percent escape in path \"/b/%zz\"" },
	{ E_QUERY_ESC,	"bad percent escape in query parameter 2" },
	{ E_RELATIVE,	"path \"relative\" does not start with '/'" },
	{ E_DATE_HDR,	"header x-amz-date does not agree with the signing "
			"parameters" },
	{ E_SHA_HDR,	"header x-amz-content-sha256 does not agree with the "
			"signing parameters" },
	{ E_TOKEN_HDR,	"header x-amz-security-token does not agree with the "
			"signing parameters" },
	{ E_NOSECRET,	"no secret access key" },
	{ E_TOKEN,	"bad session token" },
	{ E_AKID,	"bad character in access key id" },
	{ E_HEADERS,	"more than 64 headers to sign" },
	{ E_PARAMS,	"more than 256 query parameters" },
	{ E_TOOLONG,	"canonical request longer than 262144 bytes" },
	{ E_AUTHZ,	"header Authorization cannot be signed" },
};

static char	*t_read_file(const char *);
static int	 t_parse_req(char *, struct t_req *);
static void	 t_compare(const char *, const char *, const char *,
		    const char *);
static int	 t_suite(void);
static void	 t_sign_cases(void);
static void	 t_aws_s3_example(void);
static void	 t_encode_cases(void);
static void	 t_format_date(void);
static void	 t_error_cases(void);
static void	 t_key(void);
static int	 t_filter(void);

/* Read a whole file, NUL-terminated; NULL if it cannot be read. */
static char *
t_read_file(const char *path)
{
	FILE	*f;
	char	*p;
	size_t	 n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	p = xmalloc(T_FILE_MAX + 1);
	n = fread(p, 1, T_FILE_MAX + 1, f);
	if (ferror(f) || n > T_FILE_MAX) {
		fclose(f);
		free(p);
		return NULL;
	}
	fclose(f);
	p[n] = '\0';
	return p;
}

/*
 * Parse a .req in place: "METHOD target HTTP/1.1", header lines, an empty
 * line and the body.  The target may hold spaces (get-space).  A line that
 * starts with a blank continues the previous header; the suite wants each
 * such line signed as one more value of that header (get-header-value-
 * multiline: "value1,value2,value3").
 */
static int
t_parse_req(char *text, struct t_req *r)
{
	char	*line, *next, *sp, *colon, *q;

	memset(r, 0, sizeof *r);
	r->text = text;
	if ((next = strchr(text, '\n')) != NULL)
		*next++ = '\0';
	line = text;
	if ((sp = strchr(line, ' ')) == NULL ||
	    (q = strrchr(line, ' ')) == sp)
		return -1;
	*sp = '\0';
	*q = '\0';
	r->method = line;
	r->path = sp + 1;
	if ((q = strchr(sp + 1, '?')) != NULL) {
		*q = '\0';
		r->query = q + 1;
	}
	r->body = "";
	while ((line = next) != NULL) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (*line == '\0') {
			r->body = next != NULL ? next : "";
			break;
		}
		if (r->nh == SIGV4_HEADERS_MAX)
			return -1;
		if (*line == ' ' || *line == '\t') {
			if (r->nh == 0)
				return -1;
			r->h[r->nh].name = r->h[r->nh - 1].name;
			r->h[r->nh++].value = line;
			continue;
		}
		if ((colon = strchr(line, ':')) == NULL)
			return -1;
		*colon = '\0';
		r->h[r->nh].name = line;
		r->h[r->nh++].value = colon + 1;
	}
	r->bodylen = strlen(r->body);
	return 0;
}

static void
t_compare(const char *name, const char *what, const char *got,
    const char *want)
{
	if (got != NULL && want != NULL && strcmp(got, want) == 0)
		return;
	fprintf(stderr, "%s: %s differs\n--- want\n%s\n--- got\n%s\n---\n",
	    name, what, want != NULL ? want : "(none)",
	    got != NULL ? got : "(none)");
	failed = 1;
}

/* Run the suite; 0 if it ran, -1 if $SHARED has no copy of it. */
static int
t_suite(void)
{
	struct sigv4_credentials	 cr;
	struct sigv4_request		 rq;
	struct sigv4_signed		 sg, sg2;
	struct sigv4_key		 key;
	struct t_req			 r;
	const char			*shared, *base, *tok;
	char				*dir, *path, *text, *want, *cause;
	char				 hash[SIGV4_HEX_LEN + 1];
	size_t				 i, ran = 0;
	int				 after;

	if ((shared = getenv("SHARED")) == NULL)
		return -1;
	dir = xprintf("%s/%s", shared, SUITE_DIR);
	path = xprintf("%s/get-vanilla/get-vanilla.req", dir);
	text = t_read_file(path);
	free(path);
	if (text == NULL) {
		free(dir);
		return -1;
	}
	free(text);

	for (i = 0; i < nitems(suite_cases); i++) {
		base = strrchr(suite_cases[i], '/');
		base = base != NULL ? base + 1 : suite_cases[i];
		path = xprintf("%s/%s/%s.req", dir, suite_cases[i], base);
		text = t_read_file(path);
		free(path);
		if (text == NULL || t_parse_req(text, &r) == -1) {
			fprintf(stderr, "%s: cannot read or parse .req\n",
			    suite_cases[i]);
			failed = 1;
			free(text);
			continue;
		}
		after = strcmp(base, "post-sts-header-after") == 0;
		cr = suite_creds;
		if (strncmp(suite_cases[i], "post-sts-token/", 15) == 0)
			cr.session_token = SUITE_TOKEN;
		sigv4_sha256_hex(r.body, r.bodylen, hash);
		memset(&rq, 0, sizeof rq);
		rq.method = r.method;
		rq.path = r.path;
		rq.query = r.query;
		rq.headers = r.h;
		rq.nheaders = r.nh;
		rq.payload_hash = hash;
		rq.region = "us-east-1";
		rq.service = "service";
		rq.amz_date = SUITE_DATE;
		rq.flags = SIGV4_SERVICE | (after ? SIGV4_TOKEN_UNSIGNED : 0);
		if (sigv4_sign(&rq, &cr, NULL, &sg, &cause) == -1) {
			fprintf(stderr, "%s: %s\n", suite_cases[i], cause);
			free(cause);
			failed = 1;
			free(text);
			continue;
		}
		path = xprintf("%s/%s/%s.creq", dir, suite_cases[i], base);
		want = t_read_file(path);
		t_compare(suite_cases[i], "canonical request",
		    sg.canonical_request, want);
		free(want);
		free(path);
		path = xprintf("%s/%s/%s.sts", dir, suite_cases[i], base);
		want = t_read_file(path);
		t_compare(suite_cases[i], "string to sign", sg.string_to_sign,
		    want);
		free(want);
		free(path);
		path = xprintf("%s/%s/%s.authz", dir, suite_cases[i], base);
		want = t_read_file(path);
		t_compare(suite_cases[i], "authorization", sg.authorization,
		    want);
		free(want);
		free(path);

		/*
		 * X-Amz-Date is in every .req, so only Authorization is left
		 * to add; and the token, unsigned, in post-sts-header-after.
		 */
		tok = "X-Amz-Security-Token: " SUITE_TOKEN;
		if (sg.nadd != (after ? 2u : 1u) ||
		    strncmp(sg.add[sg.nadd - 1], "Authorization: ", 15) != 0 ||
		    strcmp(sg.add[sg.nadd - 1] + 15, sg.authorization) != 0 ||
		    (after && strcmp(sg.add[0], tok) != 0)) {
			fprintf(stderr, "%s: wrong headers to add\n",
			    suite_cases[i]);
			failed = 1;
		}

		/* A cached key signs the same. */
		if (sigv4_key_init(&key, cr.secret_key, SUITE_DATE,
		    "us-east-1", "service", &cause) == -1)
			abort();
		cr.secret_key = NULL;
		if (sigv4_sign(&rq, &cr, &key, &sg2, &cause) == -1) {
			fprintf(stderr, "%s: with key: %s\n", suite_cases[i],
			    cause);
			free(cause);
			failed = 1;
		} else {
			t_compare(suite_cases[i], "signature with a key",
			    sg2.signature, sg.signature);
			sigv4_signed_clear(&sg2);
		}
		sigv4_key_clear(&key);
		sigv4_signed_clear(&sg);
		free(text);
		ran++;
	}
	free(dir);
	if (ran != 31) {
		fprintf(stderr, "suite: %zu of 31 cases ran\n", ran);
		failed = 1;
	}
	return 0;
}

static void
t_sign_cases(void)
{
	struct sigv4_credentials	 cr;
	struct sigv4_request		 rq;
	struct sigv4_signed		 sg;
	struct sigv4_header		 h[1];
	char				*cause;
	size_t				 i;

	for (i = 0; i < nitems(sign_cases); i++) {
		cr = suite_creds;
		if (sign_cases[i].token)
			cr.session_token = SUITE_TOKEN;
		h[0].name = "Host";
		h[0].value = sign_cases[i].host;
		memset(&rq, 0, sizeof rq);
		rq.method = "GET";
		rq.path = sign_cases[i].path;
		rq.query = sign_cases[i].query;
		rq.headers = h;
		rq.nheaders = 1;
		rq.payload_hash = sign_cases[i].payload;
		rq.region = "us-east-1";
		rq.service = sign_cases[i].service;
		rq.amz_date = SUITE_DATE;
		rq.flags = sign_cases[i].flags;
		if (sigv4_sign(&rq, &cr, NULL, &sg, &cause) == -1) {
			fprintf(stderr, "%s: %s\n", sign_cases[i].name, cause);
			free(cause);
			failed = 1;
			continue;
		}
		t_compare(sign_cases[i].name, "canonical request",
		    sg.canonical_request, sign_cases[i].creq);
		t_compare(sign_cases[i].name, "signature", sg.signature,
		    sign_cases[i].sig);
		sigv4_signed_clear(&sg);
	}
}

/*
 * The GET Object example of the Amazon S3 API Reference, "Signature
 * Calculations for the Authorization Header: Transferring Payload in a
 * Single Chunk": each step as published.  AWS writes the Authorization
 * header without spaces after the commas; both forms are accepted.
 */
static void
t_aws_s3_example(void)
{
	static const struct sigv4_credentials	 cr = {
		"AKIAIOSFODNN7EXAMPLE",
		"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", NULL
	};
	static const struct sigv4_header	 h[] = {
		{ "Host", "examplebucket.s3.amazonaws.com" },
		{ "Range", "bytes=0-9" },
	};
	static const char			*add[] = {
		"X-Amz-Date: 20130524T000000Z",
		"X-Amz-Content-SHA256: " SIGV4_EMPTY_SHA256,
		"Authorization: AWS4-HMAC-SHA256 Credential="
		"AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
		"SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
		"Signature=f0e8bdb87c964420e857bd35b5d6ed31"
		"0bd44f0170aba48dd91039c6036bdb41",
	};
	struct sigv4_request			 rq;
	struct sigv4_signed			 sg;
	char					*cause;
	size_t					 i;

	memset(&rq, 0, sizeof rq);
	rq.method = "GET";
	rq.path = "/test.txt";
	rq.headers = h;
	rq.nheaders = nitems(h);
	rq.payload_hash = SIGV4_EMPTY_SHA256;
	rq.region = "us-east-1";
	rq.service = "s3";
	rq.amz_date = "20130524T000000Z";
	rq.flags = SIGV4_S3;
	if (sigv4_sign(&rq, &cr, NULL, &sg, &cause) == -1) {
		fprintf(stderr, "aws s3 example: %s\n", cause);
		free(cause);
		failed = 1;
		return;
	}
	t_compare("aws s3 example", "canonical request", sg.canonical_request,
	    "GET\n/test.txt\n\n"
	    "host:examplebucket.s3.amazonaws.com\n"
	    "range:bytes=0-9\n"
	    "x-amz-content-sha256:" SIGV4_EMPTY_SHA256 "\n"
	    "x-amz-date:20130524T000000Z\n\n"
	    "host;range;x-amz-content-sha256;x-amz-date\n"
	    SIGV4_EMPTY_SHA256);
	t_compare("aws s3 example", "string to sign", sg.string_to_sign,
	    "AWS4-HMAC-SHA256\n20130524T000000Z\n"
	    "20130524/us-east-1/s3/aws4_request\n"
	    "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
	t_compare("aws s3 example", "signature", sg.signature,
	    "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
	if (sg.nadd != nitems(add)) {
		fprintf(stderr, "aws s3 example: %zu headers to add\n",
		    sg.nadd);
		failed = 1;
	} else {
		for (i = 0; i < nitems(add); i++)
			t_compare("aws s3 example", "header to add",
			    sg.add[i], add[i]);
	}
	sigv4_signed_clear(&sg);
}

static void
t_encode_cases(void)
{
	char	*got;
	size_t	 i;

	for (i = 0; i < nitems(encode_cases); i++) {
		got = sigv4_uri_encode(encode_cases[i].in,
		    strlen(encode_cases[i].in), encode_cases[i].keep_slash);
		t_compare(encode_cases[i].in, "encoding", got,
		    encode_cases[i].want);
		free(got);
	}
	got = sigv4_uri_encode("a\0b", 3, 0);	/* NUL is data too */
	t_compare("a\\0b", "encoding", got, "a%00b");
	free(got);
}

static void
t_format_date(void)
{
	char	out[SIGV4_DATE_LEN + 1];

	if (sigv4_format_date(1440938160, out) == -1)
		snprintf(out, sizeof out, "(failed)");
	t_compare("1440938160", "date", out, SUITE_DATE);
	if (sigv4_format_date(0, out) == -1)
		snprintf(out, sizeof out, "(failed)");
	t_compare("0", "date", out, "19700101T000000Z");
}

static void
t_error_cases(void)
{
	struct sigv4_credentials	 cr;
	struct sigv4_request		 rq;
	struct sigv4_signed		 sg;
	struct sigv4_header		 h[SIGV4_HEADERS_MAX + 1];
	struct sigv4_key		 key;
	const struct sigv4_key		*kp;
	char				*cause, *big = NULL;
	size_t				 i, j;

	for (i = 0; i < nitems(error_cases); i++) {
		cr = suite_creds;
		h[0].name = "Host";
		h[0].value = "example.amazonaws.com";
		h[1].name = "X-Amz-Date";
		h[1].value = SUITE_DATE;
		memset(&rq, 0, sizeof rq);
		rq.method = "GET";
		rq.path = "/";
		rq.headers = h;
		rq.nheaders = 2;
		rq.payload_hash = SIGV4_EMPTY_SHA256;
		rq.region = "us-east-1";
		rq.service = "s3";
		rq.amz_date = SUITE_DATE;
		rq.flags = SIGV4_S3;
		kp = NULL;
		switch (error_cases[i].what) {
		case E_METHOD:
			rq.method = "";
			break;
		case E_METHOD_SP:
			rq.method = "GET /";
			break;
		case E_DATE:
			rq.amz_date = "2015-08-30";
			break;
		case E_DATE_MONTH:
			rq.amz_date = "20151330T123600Z";
			break;
		case E_REGION:
			rq.region = "us east";
			break;
		case E_SERVICE:
			rq.service = "s3/x";
			break;
		case E_HASH:
			rq.payload_hash = "E3B0C44298FC1C149AFBF4C8996FB924"
			    "27AE41E4649B934CA495991B7852B855";
			break;
		case E_NOHOST:
			rq.headers = h + 1;
			rq.nheaders = 1;
			break;
		case E_CRLF:
			h[1].name = "X-Evil";
			h[1].value = "a\r\nX-Injected: b";
			break;
		case E_NAME:
			h[1].name = "Bad Name";
			break;
		case E_PATH_ESC:
			rq.path = "/b/%zz";
			break;
		case E_QUERY_ESC:
			rq.query = "a=1&b=%4";
			break;
		case E_RELATIVE:
			rq.path = "relative";
			break;
		case E_DATE_HDR:
			h[1].value = "20150830T123601Z";
			break;
		case E_SHA_HDR:
			h[1].name = "X-Amz-Content-SHA256";
			h[1].value = SIGV4_UNSIGNED;
			break;
		case E_TOKEN_HDR:
			cr.session_token = "token-a";
			h[1].name = "X-Amz-Security-Token";
			h[1].value = "token-b";
			break;
		case E_NOSECRET:
			cr.secret_key = NULL;
			break;
		case E_TOKEN:
			cr.session_token = "abc\ndef";
			break;
		case E_AKID:
			cr.access_key_id = "AKID/EXAMPLE";
			break;
		case E_HEADERS:
			for (j = 0; j < nitems(h); j++) {
				h[j].name = "X-Many";
				h[j].value = "v";
			}
			rq.nheaders = nitems(h);
			break;
		case E_PARAMS:
			big = xmalloc(4 * (SIGV4_PARAMS_MAX + 1));
			for (j = 0; j <= SIGV4_PARAMS_MAX; j++)
				memcpy(big + 4 * j, "a=1&", 4);
			big[4 * SIGV4_PARAMS_MAX + 3] = '\0';
			rq.query = big;
			break;
		case E_TOOLONG:
			big = xmalloc(SIGV4_CANON_MAX / 3 + 2);
			big[0] = '/';
			memset(big + 1, ' ', SIGV4_CANON_MAX / 3);
			big[SIGV4_CANON_MAX / 3 + 1] = '\0';
			rq.path = big;
			break;
		case E_AUTHZ:
			h[1].name = "authorization";
			h[1].value = "AWS4-HMAC-SHA256 Credential=...";
			break;
		}
		if (sigv4_sign(&rq, &cr, kp, &sg, &cause) != -1) {
			fprintf(stderr, "error case %zu: signed, want \"%s\"\n",
			    i, error_cases[i].cause);
			failed = 1;
			sigv4_signed_clear(&sg);
		} else {
			t_compare("error case", "cause", cause,
			    error_cases[i].cause);
			free(cause);
			if (sg.canonical_request != NULL || sg.nadd != 0) {
				fprintf(stderr, "error case %zu: result not "
				    "cleared\n", i);
				failed = 1;
			}
		}
		free(big);
		big = NULL;
	}

	/* A key for another day, region or service is refused. */
	if (sigv4_key_init(&key, suite_creds.secret_key, "20150831T000000Z",
	    "us-east-1", "s3", &cause) == -1)
		abort();
	h[0].name = "Host";
	h[0].value = "example.amazonaws.com";
	memset(&rq, 0, sizeof rq);
	rq.method = "GET";
	rq.path = "/";
	rq.headers = h;
	rq.nheaders = 1;
	rq.payload_hash = SIGV4_EMPTY_SHA256;
	rq.region = "us-east-1";
	rq.service = "s3";
	rq.amz_date = SUITE_DATE;
	if (sigv4_sign(&rq, &suite_creds, &key, &sg, &cause) != -1) {
		fprintf(stderr, "key for another day: signed\n");
		failed = 1;
		sigv4_signed_clear(&sg);
	} else {
		t_compare("key for another day", "cause", cause,
		    "signing key is for another day, region or service");
		free(cause);
	}
	sigv4_key_clear(&key);
}

/*
 * The signing key: the derivation example of the AWS General Reference
 * ("Examples of how to derive a signing key for Signature Version 4"),
 * the scope check, and that sigv4_key_clear() leaves no byte of it.
 */
static void
t_key(void)
{
	static const unsigned char	 want[SIGV4_KEY_LEN] = {
		0xf4, 0x78, 0x0e, 0x2d, 0x9f, 0x65, 0xfa, 0x89,
		0x5f, 0x9c, 0x67, 0xb3, 0x2c, 0xe1, 0xba, 0xf0,
		0xb0, 0xd8, 0xa4, 0x35, 0x05, 0xa0, 0x00, 0xa1,
		0xa9, 0xe0, 0x90, 0xd4, 0x14, 0xdb, 0x40, 0x4d,
	};
	struct sigv4_key		 key;
	const unsigned char		*p;
	char				*cause;
	size_t				 i;

	if (sigv4_key_init(&key, suite_creds.secret_key, "20120215T000000Z",
	    "us-east-1", "iam", &cause) == -1) {
		fprintf(stderr, "key: %s\n", cause);
		free(cause);
		failed = 1;
		return;
	}
	if (memcmp(key.k, want, sizeof want) != 0) {
		fprintf(stderr, "key: wrong kSigning\n");
		failed = 1;
	}
	if (!sigv4_key_matches(&key, "20120215T235959Z", "us-east-1", "iam") ||
	    sigv4_key_matches(&key, "20120216T000000Z", "us-east-1", "iam") ||
	    sigv4_key_matches(&key, "20120215T000000Z", "us-west-2", "iam") ||
	    sigv4_key_matches(&key, "20120215T000000Z", "us-east-1", "s3")) {
		fprintf(stderr, "key: sigv4_key_matches wrong\n");
		failed = 1;
	}
	sigv4_key_clear(&key);
	p = (const unsigned char *)&key;
	for (i = 0; i < sizeof key; i++) {
		if (p[i] != 0) {
			fprintf(stderr, "key: byte %zu not wiped\n", i);
			failed = 1;
			break;
		}
	}
	if (sigv4_key_matches(&key, "20120215T000000Z", "us-east-1", "iam")) {
		fprintf(stderr, "key: matches after clear\n");
		failed = 1;
	}
	if (sigv4_key_init(&key, "x", "20120215T000000Z", "us-east-1",
	    "a-service-name-that-is-much-longer-than-sixty-three-characters-"
	    "in-all", &cause) != -1) {
		fprintf(stderr, "key: long service accepted\n");
		failed = 1;
	} else
		free(cause);
}

/* One request read by the -s filter; every string is allocated. */
struct t_filter_req {
	char	*method, *path, *query, *payload, *region, *service, *date;
	char	*flags, *key, *secret, *token;
	char	*hname[SIGV4_HEADERS_MAX], *hvalue[SIGV4_HEADERS_MAX];
	size_t	 nh;
};

static void	 t_filter_sign(struct t_filter_req *);
static void	 t_filter_reset(struct t_filter_req *);
static int	 t_filter_field(struct t_filter_req *, const char *,
		    const char *);

/* Sign one request of the filter and print the result. */
static void
t_filter_sign(struct t_filter_req *fr)
{
	struct sigv4_credentials	 cr;
	struct sigv4_request		 rq;
	struct sigv4_signed		 sg;
	struct sigv4_header		 h[SIGV4_HEADERS_MAX];
	char				*cause;
	size_t				 i;

	for (i = 0; i < fr->nh; i++) {
		h[i].name = fr->hname[i];
		h[i].value = fr->hvalue[i];
	}
	memset(&rq, 0, sizeof rq);
	rq.method = fr->method;
	rq.path = fr->path;
	rq.query = fr->query;
	rq.headers = h;
	rq.nheaders = fr->nh;
	rq.payload_hash = fr->payload;
	rq.region = fr->region;
	rq.service = fr->service;
	rq.amz_date = fr->date;
	if (fr->flags != NULL && strcmp(fr->flags, "s3") == 0)
		rq.flags = SIGV4_S3;
	else
		rq.flags = SIGV4_SERVICE;
	cr.access_key_id = fr->key;
	cr.secret_key = fr->secret;
	cr.session_token = fr->token;
	if (sigv4_sign(&rq, &cr, NULL, &sg, &cause) == -1) {
		printf("error: %s\n\n", cause);
		free(cause);
		return;
	}
	for (i = 0; i < sg.nadd; i++)
		printf("%s\n", sg.add[i]);
	printf("\n");
	sigv4_signed_clear(&sg);
}

static void
t_filter_reset(struct t_filter_req *fr)
{
	size_t	i;

	free(fr->method);
	free(fr->path);
	free(fr->query);
	free(fr->payload);
	free(fr->region);
	free(fr->service);
	free(fr->date);
	free(fr->flags);
	free(fr->key);
	freezero_str(fr->secret);
	freezero_str(fr->token);
	for (i = 0; i < fr->nh; i++) {
		free(fr->hname[i]);
		free(fr->hvalue[i]);
	}
	memset(fr, 0, sizeof *fr);
}

/* Take one "name value" line; -1 if it is not understood. */
static int
t_filter_field(struct t_filter_req *fr, const char *name, const char *v)
{
	static const struct {
		const char	*name;
		size_t		 off;
	} simple[] = {
#define F(x)	{ #x, offsetof(struct t_filter_req, x) }
		F(method), F(path), F(query), F(payload), F(region),
		F(service), F(flags), F(key), F(secret), F(token),
		{ "date", offsetof(struct t_filter_req, date) },
#undef F
	};
	unsigned char	*body;
	const char	*sp;
	char		**slot, hash[SIGV4_HEX_LEN + 1];
	size_t		 i, len;
	unsigned int	 byte;

	for (i = 0; i < nitems(simple); i++) {
		if (strcmp(name, simple[i].name) != 0)
			continue;
		slot = (char **)((char *)fr + simple[i].off);
		free(*slot);
		*slot = xstrdup(v);
		return 0;
	}
	if (strcmp(name, "header") == 0) {
		if (fr->nh == SIGV4_HEADERS_MAX ||
		    (sp = strchr(v, ' ')) == NULL)
			return -1;
		fr->hname[fr->nh] = xstrndup(v, (size_t)(sp - v));
		fr->hvalue[fr->nh++] = xstrdup(sp + 1);
		return 0;
	}
	if (strcmp(name, "body") == 0) {
		if ((len = strlen(v)) % 2 != 0)
			return -1;
		body = xmalloc(len / 2 + 1);
		for (i = 0; i < len / 2; i++) {
			if (sscanf(v + 2 * i, "%2x", &byte) != 1) {
				free(body);
				return -1;
			}
			body[i] = (unsigned char)byte;
		}
		sigv4_sha256_hex(body, len / 2, hash);
		free(body);
		free(fr->payload);
		fr->payload = xstrdup(hash);
		return 0;
	}
	return -1;
}

/* The -s filter; see the comment at the top. */
static int
t_filter(void)
{
	struct t_filter_req	 fr;
	char			*line, *sp;
	size_t			 len;
	int			 rv = 0;

	memset(&fr, 0, sizeof fr);
	line = xmalloc(T_LINE_MAX + 2);
	while (fgets(line, T_LINE_MAX + 2, stdin) != NULL) {
		len = strlen(line);
		if (len == 0 || line[len - 1] != '\n') {
			fprintf(stderr, "t_sigv4 -s: line too long\n");
			rv = 99;
			break;
		}
		line[len - 1] = '\0';
		if (strcmp(line, "end") == 0) {
			t_filter_sign(&fr);
			t_filter_reset(&fr);
			continue;
		}
		if ((sp = strchr(line, ' ')) != NULL)
			*sp++ = '\0';
		if (t_filter_field(&fr, line, sp != NULL ? sp : "") == -1) {
			fprintf(stderr, "t_sigv4 -s: bad line: %s\n", line);
			rv = 99;
			break;
		}
	}
	t_filter_reset(&fr);
	free(line);
	if (rv == 0 && fflush(stdout) == EOF)
		rv = 99;
	return rv;
}

int
main(int argc, char **argv)
{
	int	suite;

	if (argc == 2 && strcmp(argv[1], "-s") == 0)
		return t_filter();
	if (argc != 1) {
		fprintf(stderr, "usage: t_sigv4 [-s]\n");
		return 99;
	}
	suite = t_suite();
	t_sign_cases();
	t_aws_s3_example();
	t_encode_cases();
	t_format_date();
	t_error_cases();
	t_key();
	if (failed)
		return 1;
	if (suite == -1) {
		printf("skip: AWS test suite not found under $SHARED\n");
		return 77;
	}
	return 0;
}
