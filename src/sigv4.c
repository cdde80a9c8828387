/* SPDX-License-Identifier: ISC */
/*
 * AWS Signature Version 4, as pure functions: the S3 reader and the SNS
 * publisher describe a request (method, path and query as sent, headers,
 * payload hash, scope, time) and get back the canonical request, the
 * string to sign, the signature and the header lines to add.  The steps
 * follow AWS's published description and are checked against AWS's test
 * suite (tests/unit/t_sigv4.c) and against botocore, AWS's own signer
 * (tests/sigv4_botocore.sh).
 *
 * Secrets are the caller's secret key and the keys derived from it.  They
 * live only in fixed buffers on the stack or in the caller's struct
 * sigv4_key, and are wiped with explicit_bzero() as soon as they have been
 * used; nothing here writes them anywhere.
 */
#include "config.h"

#define OPENSSL_API_COMPAT	30000	/* nothing deprecated in OpenSSL 3 */
#define OPENSSL_NO_DEPRECATED	1

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "buf.h"
#include "log.h"
#include "sigv4.h"
#include "xmalloc.h"

#define SIGV4_ALGORITHM	"AWS4-HMAC-SHA256"
#define SIGV4_TERMINATOR	"aws4_request"

/* Headers the signer adds when the request lacks them. */
#define SIGV4_ADD_DATE		0x1
#define SIGV4_ADD_TOKEN		0x2
#define SIGV4_ADD_SHA256	0x4

/* One header on its way into the canonical request. */
struct sigv4_hdr {
	char	*name;		/* lower case */
	char	*value;		/* trimmed, inner blanks collapsed */
	size_t	 idx;		/* position in the request: keeps order */
};

/* One query parameter, both halves in canonical encoding. */
struct sigv4_param {
	char	*key;
	char	*value;
};

static void	 sigv4_hex(const unsigned char *, size_t, char *);
static void	 sigv4_hmac(const unsigned char *, size_t, const void *,
		    size_t, unsigned char [SIGV4_KEY_LEN]);
static int	 sigv4_is_unreserved(unsigned char);
static int	 sigv4_is_tchar(unsigned char);
static int	 sigv4_hexval(unsigned char);
static int	 sigv4_encode_buf(struct buf *, const char *, size_t, int);
static int	 sigv4_decode(const char *, size_t, char **, size_t *);
static char	*sigv4_normalize(const char *);
static char	*sigv4_trimall(const char *);
static int	 sigv4_check_date(const char *);
static int	 sigv4_check_scope(const char *);
static int	 sigv4_check_value(const char *);
static int	 sigv4_check_hash(const char *);
static int	 sigv4_check_request(const struct sigv4_request *,
		    const struct sigv4_credentials *, char **);
static int	 sigv4_canon_path(struct buf *, const char *, int, char **);
static int	 sigv4_param_cmp(const void *, const void *);
static int	 sigv4_canon_query(struct buf *, const char *, char **);
static int	 sigv4_hdr_cmp(const void *, const void *);
static int	 sigv4_hdr_add(struct sigv4_hdr *, size_t *, const char *,
		    const char *, char **);
static int	 sigv4_hdr_agree(const struct sigv4_request *, const char *,
		    const char *, int *, char **);
static int	 sigv4_canon_headers(struct buf *, const struct sigv4_request *,
		    const struct sigv4_credentials *, char **, int *, char **);
static char	*sigv4_canonical_request(const struct sigv4_request *,
		    const struct sigv4_credentials *, char **, int *, char **);

/* Write len bytes as lower-case hex and a NUL into out. */
static void
sigv4_hex(const unsigned char *p, size_t len, char *out)
{
	static const char	 digits[] = "0123456789abcdef";
	size_t			 i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0xf];
	}
	out[2 * len] = '\0';
}

/*
 * HMAC-SHA256 with the one-shot HMAC(), which is not deprecated and keeps
 * its context internal (libcrypto cleanses it on free).  It fails only
 * when libcrypto cannot allocate, which is as fatal as malloc failing.
 */
static void
sigv4_hmac(const unsigned char *key, size_t keylen, const void *data,
    size_t len, unsigned char out[SIGV4_KEY_LEN])
{
	unsigned int	outlen = 0;

	if (HMAC(EVP_sha256(), key, (int)keylen, data, len, out,
	    &outlen) == NULL || outlen != SIGV4_KEY_LEN)
		fatalx("libcrypto: HMAC-SHA256 failed");
}

/* Hash len bytes with SHA-256 into lower-case hex. */
void
sigv4_sha256_hex(const void *p, size_t len, char out[SIGV4_HEX_LEN + 1])
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen = 0;

	if (EVP_Digest(p, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != SIGV4_HEX_LEN / 2)
		fatalx("libcrypto: SHA-256 failed");
	sigv4_hex(md, mdlen, out);
}

/* Format a time as X-Amz-Date wants it; -1 if it has no such form. */
int
sigv4_format_date(time_t t, char out[SIGV4_DATE_LEN + 1])
{
	struct tm	tm;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_year < -1900 + 1 ||
	    tm.tm_year > 9999 - 1900)
		return -1;
	if (strftime(out, SIGV4_DATE_LEN + 1, "%Y%m%dT%H%M%SZ", &tm) !=
	    SIGV4_DATE_LEN)
		return -1;
	return 0;
}

static int
sigv4_is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

/* A character allowed in an HTTP token (RFC 9110): names and methods. */
static int
sigv4_is_tchar(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int
sigv4_hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Append len bytes in RFC 3986 encoding: everything but the unreserved
 * characters (and '/' if keep_slash) as %XX with upper-case digits.
 * -1 past the buffer's cap.
 */
static int
sigv4_encode_buf(struct buf *b, const char *s, size_t len, int keep_slash)
{
	static const char	 digits[] = "0123456789ABCDEF";
	unsigned char		 c;
	char			 esc[3];
	size_t			 i;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (sigv4_is_unreserved(c) || (keep_slash && c == '/')) {
			if (buf_addc(b, (char)c) == -1)
				return -1;
			continue;
		}
		esc[0] = '%';
		esc[1] = digits[c >> 4];
		esc[2] = digits[c & 0xf];
		if (buf_add(b, esc, sizeof esc) == -1)
			return -1;
	}
	return 0;
}

/*
 * Encode len bytes of s as AWS wants in a canonical request and as the S3
 * reader must send them: RFC 3986 unreserved characters stay, '/' stays
 * if keep_slash (object keys in a path), every other byte becomes %XX.
 * Space is %20, never '+'.  The caller frees the result.
 */
char *
sigv4_uri_encode(const char *s, size_t len, int keep_slash)
{
	struct buf	b;

	buf_init(&b, SIZE_MAX / 4);
	if (sigv4_encode_buf(&b, s, len, keep_slash) == -1)
		fatalx("sigv4_uri_encode: %zu bytes", len);
	return buf_take(&b);
}

/*
 * Decode %XX escapes into a new buffer (which may hold NUL bytes, hence
 * *outlen).  '+' stays '+': AWS signs form-style spaces as %20 only.
 * -1 on a '%' not followed by two hex digits.
 */
static int
sigv4_decode(const char *s, size_t len, char **out, size_t *outlen)
{
	char	*d;
	size_t	 i, n = 0;
	int	 hi, lo;

	d = xmalloc(len + 1);
	for (i = 0; i < len; i++) {
		if (s[i] != '%') {
			d[n++] = s[i];
			continue;
		}
		if (len - i < 3 ||
		    (hi = sigv4_hexval((unsigned char)s[i + 1])) == -1 ||
		    (lo = sigv4_hexval((unsigned char)s[i + 2])) == -1) {
			free(d);
			return -1;
		}
		d[n++] = (char)(hi << 4 | lo);
		i += 2;
	}
	d[n] = '\0';
	*out = d;
	*outlen = n;
	return 0;
}

/*
 * Normalise an absolute path as AWS services other than S3 do (and as
 * botocore does): drop empty and "." segments, let ".." remove the one
 * before it, and keep a trailing '/' unless nothing is left but "/".
 */
static char *
sigv4_normalize(const char *path)
{
	const char	*s, *e;
	char		*out;
	size_t		 n = 1, seg, len;

	len = strlen(path);
	out = xmalloc(len + 2);
	out[0] = '/';
	for (s = path; *s != '\0'; s = *e == '\0' ? e : e + 1) {
		e = strchr(s, '/');
		if (e == NULL)
			e = s + strlen(s);
		seg = (size_t)(e - s);
		if (seg == 0 || (seg == 1 && s[0] == '.'))
			continue;
		if (seg == 2 && s[0] == '.' && s[1] == '.') {
			if (n > 1) {
				for (n--; n > 1 && out[n - 1] != '/'; n--)
					/* back to the previous '/' */;
			}
			continue;
		}
		memcpy(out + n, s, seg);
		n += seg;
		out[n++] = '/';
	}
	if (n > 1 && path[len - 1] != '/')
		n--;
	out[n] = '\0';
	return out;
}

/* Copy a header value, trimmed, with each run of blanks made one space. */
static char *
sigv4_trimall(const char *v)
{
	char	*out;
	size_t	 n = 0;
	int	 blank = 0;

	out = xmalloc(strlen(v) + 1);
	for (; *v != '\0'; v++) {
		if (*v == ' ' || *v == '\t') {
			blank = 1;
			continue;
		}
		if (blank && n > 0)
			out[n++] = ' ';
		blank = 0;
		out[n++] = *v;
	}
	out[n] = '\0';
	return out;
}

/* Is s a well-formed "YYYYMMDDTHHMMSSZ"? */
static int
sigv4_check_date(const char *s)
{
	static const char	 shape[] = "ddddddddTddddddZ";
	size_t			 i;
	int			 mon, day, hour, min, sec;

	if (s == NULL || strlen(s) != SIGV4_DATE_LEN)
		return 0;
	for (i = 0; i < SIGV4_DATE_LEN; i++) {
		if (shape[i] == 'd' ? s[i] < '0' || s[i] > '9' :
		    s[i] != shape[i])
			return 0;
	}
#define SIGV4_D2(p)	(((p)[0] - '0') * 10 + (p)[1] - '0')
	mon = SIGV4_D2(s + 4);
	day = SIGV4_D2(s + 6);
	hour = SIGV4_D2(s + 9);
	min = SIGV4_D2(s + 11);
	sec = SIGV4_D2(s + 13);
#undef SIGV4_D2
	return mon >= 1 && mon <= 12 && day >= 1 && day <= 31 &&
	    hour <= 23 && min <= 59 && sec <= 60;
}

/* Is s usable as a region or service name inside the credential scope? */
static int
sigv4_check_scope(const char *s)
{
	size_t	i;

	if (s == NULL || *s == '\0' || strlen(s) > SIGV4_SCOPE_MAX)
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (!sigv4_is_unreserved((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

/* May s go into a header value: no CR, LF or other control characters? */
static int
sigv4_check_value(const char *s)
{
	unsigned char	c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if ((c < ' ' && c != '\t') || c == 0x7f)
			return 0;
	}
	return 1;
}

/* Is s a payload hash: lower-case hex SHA-256 or UNSIGNED-PAYLOAD? */
static int
sigv4_check_hash(const char *s)
{
	size_t	i;

	if (s == NULL)
		return 0;
	if (strcmp(s, SIGV4_UNSIGNED) == 0)
		return 1;
	for (i = 0; i < SIGV4_HEX_LEN; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	}
	return s[i] == '\0';
}

/* Check everything that goes into the signature verbatim. */
static int
sigv4_check_request(const struct sigv4_request *rq,
    const struct sigv4_credentials *cr, char **cause)
{
	const char	*s;

	if (rq->method == NULL || *rq->method == '\0') {
		*cause = xstrdup("no request method");
		return -1;
	}
	for (s = rq->method; *s != '\0'; s++) {
		if (!sigv4_is_tchar((unsigned char)*s)) {
			*cause = xprintf("bad request method \"%s\"",
			    rq->method);
			return -1;
		}
	}
	if (!sigv4_check_date(rq->amz_date)) {
		*cause = xprintf("bad signing time \"%s\", want "
		    "YYYYMMDDTHHMMSSZ", rq->amz_date != NULL ?
		    rq->amz_date : "");
		return -1;
	}
	if (!sigv4_check_scope(rq->region)) {
		*cause = xprintf("bad region \"%s\"",
		    rq->region != NULL ? rq->region : "");
		return -1;
	}
	if (!sigv4_check_scope(rq->service)) {
		*cause = xprintf("bad service \"%s\"",
		    rq->service != NULL ? rq->service : "");
		return -1;
	}
	if (!sigv4_check_hash(rq->payload_hash)) {
		*cause = xprintf("bad payload hash \"%s\"",
		    rq->payload_hash != NULL ? rq->payload_hash : "");
		return -1;
	}
	if (rq->nheaders > SIGV4_HEADERS_MAX) {
		*cause = xprintf("more than %d headers to sign",
		    SIGV4_HEADERS_MAX);
		return -1;
	}
	if (cr == NULL || cr->access_key_id == NULL ||
	    *cr->access_key_id == '\0') {
		*cause = xstrdup("no access key id");
		return -1;
	}
	for (s = cr->access_key_id; *s != '\0'; s++) {
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f ||
		    *s == '/' || *s == ',') {
			*cause = xstrdup("bad character in access key id");
			return -1;
		}
	}
	if (cr->session_token != NULL && (*cr->session_token == '\0' ||
	    !sigv4_check_value(cr->session_token))) {
		*cause = xstrdup("bad session token");
		return -1;
	}
	return 0;
}

/*
 * Append the canonical URI.  The path is taken as sent.  With
 * SIGV4_DOUBLE_ENCODE it is encoded once more, as every service but S3
 * wants ("%20" signs as "%2520").  Without, S3's way, escapes are decoded
 * and the bytes encoded again, which is what S3 does with the key it
 * receives: "%7e" and "~" sign alike, and a raw space signs as "%20".
 */
static int
sigv4_canon_path(struct buf *b, const char *path, int flags, char **cause)
{
	const char	*p;
	char		*norm = NULL, *dec = NULL;
	size_t		 declen;
	int		 rv = -1;

	p = path == NULL || *path == '\0' ? "/" : path;
	if (*p != '/') {
		*cause = xprintf("path \"%s\" does not start with '/'", p);
		return -1;
	}
	if (flags & SIGV4_NORMALIZE_PATH)
		p = norm = sigv4_normalize(p);
	if (flags & SIGV4_DOUBLE_ENCODE) {
		if (sigv4_encode_buf(b, p, strlen(p), 1) == -1)
			goto toolong;
	} else {
		if (sigv4_decode(p, strlen(p), &dec, &declen) == -1) {
			*cause = xprintf("bad percent escape in path \"%s\"",
			    p);
			goto out;
		}
		if (sigv4_encode_buf(b, dec, declen, 1) == -1)
			goto toolong;
	}
	rv = 0;
	goto out;
toolong:
	*cause = xprintf("canonical request longer than %d bytes",
	    SIGV4_CANON_MAX);
out:
	free(norm);
	free(dec);
	return rv;
}

static int
sigv4_param_cmp(const void *a, const void *b)
{
	const struct sigv4_param	*pa = a, *pb = b;
	int				 c;

	if ((c = strcmp(pa->key, pb->key)) != 0)
		return c;
	return strcmp(pa->value, pb->value);
}

/*
 * Append the canonical query: each name and value decoded and encoded
 * again (so the caller's choice of escapes does not matter), sorted by
 * name, then value, joined with '&'; a name without '=' gets an empty
 * value.  Empty pieces ("a=1&&b=2") are skipped.
 */
static int
sigv4_canon_query(struct buf *b, const char *query, char **cause)
{
	struct sigv4_param	 params[SIGV4_PARAMS_MAX];
	const char		*s, *e, *eq;
	char			*dec;
	size_t			 n = 0, i, declen;
	int			 rv = -1;

	if (query == NULL)
		return 0;
	for (s = query; *s != '\0'; s = *e == '\0' ? e : e + 1) {
		if ((e = strchr(s, '&')) == NULL)
			e = s + strlen(s);
		if (e == s)
			continue;
		if (n == SIGV4_PARAMS_MAX) {
			*cause = xprintf("more than %d query parameters",
			    SIGV4_PARAMS_MAX);
			goto out;
		}
		if ((eq = memchr(s, '=', (size_t)(e - s))) == NULL)
			eq = e;
		if (sigv4_decode(s, (size_t)(eq - s), &dec, &declen) == -1)
			goto bad;
		params[n].key = sigv4_uri_encode(dec, declen, 0);
		free(dec);
		if (eq == e)
			dec = xstrdup("");
		else if (sigv4_decode(eq + 1, (size_t)(e - eq - 1), &dec,
		    &declen) == -1) {
			free(params[n].key);
			goto bad;
		}
		params[n].value = sigv4_uri_encode(dec, eq == e ? 0 : declen,
		    0);
		free(dec);
		n++;
	}
	qsort(params, n, sizeof params[0], sigv4_param_cmp);
	for (i = 0; i < n; i++) {
		if ((i > 0 && buf_addc(b, '&') == -1) ||
		    buf_add(b, params[i].key, strlen(params[i].key)) == -1 ||
		    buf_addc(b, '=') == -1 || buf_add(b, params[i].value,
		    strlen(params[i].value)) == -1) {
			*cause = xprintf("canonical request longer than %d "
			    "bytes", SIGV4_CANON_MAX);
			goto out;
		}
	}
	rv = 0;
	goto out;
bad:
	*cause = xprintf("bad percent escape in query parameter %zu", n + 1);
out:
	for (i = 0; i < n; i++) {
		free(params[i].key);
		free(params[i].value);
	}
	return rv;
}

static int
sigv4_hdr_cmp(const void *a, const void *b)
{
	const struct sigv4_hdr	*ha = a, *hb = b;
	int			 c;

	if ((c = strcmp(ha->name, hb->name)) != 0)
		return c;
	return ha->idx < hb->idx ? -1 : ha->idx > hb->idx;
}

/* Check one header and add it, canonicalised, to h[*n]. */
static int
sigv4_hdr_add(struct sigv4_hdr *h, size_t *n, const char *name,
    const char *value, char **cause)
{
	char	*lname;
	size_t	 i;

	if (name == NULL || *name == '\0') {
		*cause = xstrdup("empty header name");
		return -1;
	}
	for (i = 0; name[i] != '\0'; i++) {
		if (!sigv4_is_tchar((unsigned char)name[i])) {
			*cause = xprintf("bad header name \"%s\"", name);
			return -1;
		}
	}
	if (value == NULL || !sigv4_check_value(value)) {
		*cause = xprintf("bad value in header %s", name);
		return -1;
	}
	/* A retried request must not sign its old signature. */
	if (strcasecmp(name, "authorization") == 0) {
		*cause = xstrdup("header Authorization cannot be signed");
		return -1;
	}
	lname = xstrdup(name);
	for (i = 0; lname[i] != '\0'; i++) {
		if (lname[i] >= 'A' && lname[i] <= 'Z')
			lname[i] = (char)(lname[i] - 'A' + 'a');
	}
	h[*n].name = lname;
	h[*n].value = sigv4_trimall(value);
	h[*n].idx = *n;
	(*n)++;
	return 0;
}

/*
 * A header the signer would add may already be in the request: then each
 * of its values must be want, and *present is set.
 */
static int
sigv4_hdr_agree(const struct sigv4_request *rq, const char *name,
    const char *want, int *present, char **cause)
{
	char	*v;
	size_t	 i;
	int	 same;

	*present = 0;
	for (i = 0; i < rq->nheaders; i++) {
		if (rq->headers[i].name == NULL ||
		    strcasecmp(rq->headers[i].name, name) != 0)
			continue;
		*present = 1;
		if (want == NULL || rq->headers[i].value == NULL)
			continue;
		v = sigv4_trimall(rq->headers[i].value);
		same = strcmp(v, want) == 0;
		free(v);
		if (!same) {
			*cause = xprintf("header %s does not agree with the "
			    "signing parameters", name);
			return -1;
		}
	}
	return 0;
}

/*
 * Append the canonical headers, each "name:value\n" with the values of a
 * repeated name joined by ',' in request order, sorted by name; return
 * the signed-headers list in *signedp and, in *addp, the SIGV4_ADD_*
 * headers the caller must add to the request.
 */
static int
sigv4_canon_headers(struct buf *b, const struct sigv4_request *rq,
    const struct sigv4_credentials *cr, char **signedp, int *addp,
    char **cause)
{
	struct sigv4_hdr	 h[SIGV4_HEADERS_MAX + SIGV4_ADD_MAX];
	struct buf		 sh;
	size_t			 n = 0, i;
	int			 present, host = 0, rv = -1, full = 0;

	*addp = 0;
	buf_init(&sh, SIGV4_CANON_MAX);
	for (i = 0; i < rq->nheaders; i++) {
		if (sigv4_hdr_add(h, &n, rq->headers[i].name,
		    rq->headers[i].value, cause) == -1)
			goto out;
		if (strcmp(h[n - 1].name, "host") == 0)
			host = 1;
	}
	if (!host) {
		*cause = xstrdup("no host header to sign");
		goto out;
	}

	if (sigv4_hdr_agree(rq, "x-amz-date", rq->amz_date, &present,
	    cause) == -1)
		goto out;
	if (!present) {
		if (sigv4_hdr_add(h, &n, "x-amz-date", rq->amz_date,
		    cause) == -1)
			goto out;
		*addp |= SIGV4_ADD_DATE;
	}
	if (sigv4_hdr_agree(rq, "x-amz-security-token", cr->session_token,
	    &present, cause) == -1)
		goto out;
	if (!present && cr->session_token != NULL) {
		if ((rq->flags & SIGV4_TOKEN_UNSIGNED) == 0 &&
		    sigv4_hdr_add(h, &n, "x-amz-security-token",
		    cr->session_token, cause) == -1)
			goto out;
		*addp |= SIGV4_ADD_TOKEN;
	}
	if (sigv4_hdr_agree(rq, "x-amz-content-sha256", rq->payload_hash,
	    &present, cause) == -1)
		goto out;
	if (!present && (rq->flags & SIGV4_CONTENT_SHA256)) {
		if (sigv4_hdr_add(h, &n, "x-amz-content-sha256",
		    rq->payload_hash, cause) == -1)
			goto out;
		*addp |= SIGV4_ADD_SHA256;
	}

	qsort(h, n, sizeof h[0], sigv4_hdr_cmp);
	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(h[i].name, h[i - 1].name) == 0) {
			full |= buf_addc(b, ',') == -1;
			full |= buf_add(b, h[i].value,
			    strlen(h[i].value)) == -1;
			continue;
		}
		if (i > 0) {
			full |= buf_addc(b, '\n') == -1;
			full |= buf_addc(&sh, ';') == -1;
		}
		full |= buf_add(b, h[i].name, strlen(h[i].name)) == -1;
		full |= buf_addc(b, ':') == -1;
		full |= buf_add(b, h[i].value, strlen(h[i].value)) == -1;
		full |= buf_add(&sh, h[i].name, strlen(h[i].name)) == -1;
	}
	full |= buf_addc(b, '\n') == -1;
	if (full) {
		*cause = xprintf("canonical request longer than %d bytes",
		    SIGV4_CANON_MAX);
		goto out;
	}
	*signedp = buf_take(&sh);
	rv = 0;
out:
	for (i = 0; i < n; i++) {
		free(h[i].name);
		free(h[i].value);
	}
	buf_clear(&sh);
	return rv;
}

/*
 * Build the canonical request; the signed-headers list goes to *signedp
 * and the headers to add to *addp.
 */
static char *
sigv4_canonical_request(const struct sigv4_request *rq,
    const struct sigv4_credentials *cr, char **signedp, int *addp,
    char **cause)
{
	struct buf	 b;
	char		*sh = NULL;

	buf_init(&b, SIGV4_CANON_MAX);
	if (buf_add(&b, rq->method, strlen(rq->method)) == -1 ||
	    buf_addc(&b, '\n') == -1)
		goto toolong;
	if (sigv4_canon_path(&b, rq->path, rq->flags, cause) == -1)
		goto fail;
	if (buf_addc(&b, '\n') == -1)
		goto toolong;
	if (sigv4_canon_query(&b, rq->query, cause) == -1)
		goto fail;
	if (buf_addc(&b, '\n') == -1)
		goto toolong;
	if (sigv4_canon_headers(&b, rq, cr, &sh, addp, cause) == -1)
		goto fail;
	if (buf_addc(&b, '\n') == -1 ||
	    buf_add(&b, sh, strlen(sh)) == -1 ||
	    buf_addc(&b, '\n') == -1 ||
	    buf_add(&b, rq->payload_hash, strlen(rq->payload_hash)) == -1)
		goto toolong;
	*signedp = sh;
	return buf_take(&b);
toolong:
	*cause = xprintf("canonical request longer than %d bytes",
	    SIGV4_CANON_MAX);
fail:
	free(sh);
	buf_clear(&b);
	return NULL;
}

/*
 * Derive the signing key for the day of amz_date, region and service:
 * kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" secret, day), region), service),
 * "aws4_request").  The intermediate keys are wiped here; the caller
 * wipes the result with sigv4_key_clear().
 */
int
sigv4_key_init(struct sigv4_key *key, const char *secret,
    const char *amz_date, const char *region, const char *service,
    char **cause)
{
	unsigned char	 k0[4 + SIGV4_SECRET_MAX];
	unsigned char	 kdate[SIGV4_KEY_LEN], kregion[SIGV4_KEY_LEN];
	unsigned char	 kservice[SIGV4_KEY_LEN];
	size_t		 len;

	memset(key, 0, sizeof *key);
	if (secret == NULL || *secret == '\0') {
		*cause = xstrdup("no secret access key");
		return -1;
	}
	if ((len = strlen(secret)) > SIGV4_SECRET_MAX) {
		*cause = xprintf("secret access key longer than %d bytes",
		    SIGV4_SECRET_MAX);
		return -1;
	}
	if (!sigv4_check_date(amz_date)) {
		*cause = xprintf("bad signing time \"%s\", want "
		    "YYYYMMDDTHHMMSSZ", amz_date != NULL ? amz_date : "");
		return -1;
	}
	if (!sigv4_check_scope(region) || !sigv4_check_scope(service)) {
		*cause = xprintf("bad region \"%s\" or service \"%s\"",
		    region != NULL ? region : "",
		    service != NULL ? service : "");
		return -1;
	}

	memcpy(k0, "AWS4", 4);
	memcpy(k0 + 4, secret, len);
	sigv4_hmac(k0, 4 + len, amz_date, 8, kdate);
	explicit_bzero(k0, sizeof k0);
	sigv4_hmac(kdate, sizeof kdate, region, strlen(region), kregion);
	explicit_bzero(kdate, sizeof kdate);
	sigv4_hmac(kregion, sizeof kregion, service, strlen(service),
	    kservice);
	explicit_bzero(kregion, sizeof kregion);
	sigv4_hmac(kservice, sizeof kservice, SIGV4_TERMINATOR,
	    strlen(SIGV4_TERMINATOR), key->k);
	explicit_bzero(kservice, sizeof kservice);

	memcpy(key->date, amz_date, 8);
	key->date[8] = '\0';
	memcpy(key->region, region, strlen(region) + 1);
	memcpy(key->service, service, strlen(service) + 1);
	key->valid = 1;
	return 0;
}

/* May this key sign a request at amz_date for region and service? */
int
sigv4_key_matches(const struct sigv4_key *key, const char *amz_date,
    const char *region, const char *service)
{
	return key->valid && amz_date != NULL &&
	    strncmp(key->date, amz_date, 8) == 0 && region != NULL &&
	    strcmp(key->region, region) == 0 && service != NULL &&
	    strcmp(key->service, service) == 0;
}

/* Wipe a signing key. */
void
sigv4_key_clear(struct sigv4_key *key)
{
	if (key != NULL)
		explicit_bzero(key, sizeof *key);
}

/*
 * Sign a request.  With key NULL, the signing key is derived from
 * cr->secret_key for this request and wiped before returning; otherwise
 * key is used and must match the request's day, region and service.  On
 * success the caller owns *sg and frees it with sigv4_signed_clear().
 */
int
sigv4_sign(const struct sigv4_request *rq, const struct sigv4_credentials *cr,
    const struct sigv4_key *key, struct sigv4_signed *sg, char **cause)
{
	struct sigv4_key	 local;
	unsigned char		 mac[SIGV4_KEY_LEN];
	char			 hash[SIGV4_HEX_LEN + 1], day[9];
	int			 add = 0, rv = -1;

	memset(sg, 0, sizeof *sg);
	memset(&local, 0, sizeof local);
	if (sigv4_check_request(rq, cr, cause) == -1)
		return -1;
	if (key == NULL) {
		if (cr->secret_key == NULL) {
			*cause = xstrdup("no secret access key");
			return -1;
		}
		if (sigv4_key_init(&local, cr->secret_key, rq->amz_date,
		    rq->region, rq->service, cause) == -1)
			return -1;
		key = &local;
	} else if (!sigv4_key_matches(key, rq->amz_date, rq->region,
	    rq->service)) {
		*cause = xstrdup("signing key is for another day, region or "
		    "service");
		return -1;
	}

	sg->canonical_request = sigv4_canonical_request(rq, cr,
	    &sg->signed_headers, &add, cause);
	if (sg->canonical_request == NULL)
		goto out;
	sigv4_sha256_hex(sg->canonical_request,
	    strlen(sg->canonical_request), hash);
	memcpy(day, rq->amz_date, 8);
	day[8] = '\0';
	sg->string_to_sign = xprintf("%s\n%s\n%s/%s/%s/%s\n%s",
	    SIGV4_ALGORITHM, rq->amz_date, day, rq->region, rq->service,
	    SIGV4_TERMINATOR, hash);

	sigv4_hmac(key->k, sizeof key->k, sg->string_to_sign,
	    strlen(sg->string_to_sign), mac);
	sigv4_hex(mac, sizeof mac, sg->signature);
	explicit_bzero(mac, sizeof mac);

	sg->authorization = xprintf("%s Credential=%s/%s/%s/%s/%s, "
	    "SignedHeaders=%s, Signature=%s", SIGV4_ALGORITHM,
	    cr->access_key_id, day, rq->region, rq->service, SIGV4_TERMINATOR,
	    sg->signed_headers, sg->signature);

	if (add & SIGV4_ADD_DATE)
		sg->add[sg->nadd++] = xprintf("X-Amz-Date: %s", rq->amz_date);
	if (add & SIGV4_ADD_TOKEN)
		sg->add[sg->nadd++] = xprintf("X-Amz-Security-Token: %s",
		    cr->session_token);
	if (add & SIGV4_ADD_SHA256)
		sg->add[sg->nadd++] = xprintf("X-Amz-Content-SHA256: %s",
		    rq->payload_hash);
	sg->add[sg->nadd++] = xprintf("Authorization: %s",
	    sg->authorization);
	rv = 0;
out:
	sigv4_key_clear(&local);
	if (rv == -1)
		sigv4_signed_clear(sg);
	return rv;
}

/* Free a signing result; the session token in it is wiped. */
void
sigv4_signed_clear(struct sigv4_signed *sg)
{
	size_t	i;

	if (sg == NULL)
		return;
	free(sg->canonical_request);
	free(sg->string_to_sign);
	free(sg->signed_headers);
	free(sg->authorization);
	for (i = 0; i < sg->nadd; i++)
		freezero_str(sg->add[i]);
	memset(sg, 0, sizeof *sg);
}
