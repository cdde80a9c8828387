/* SPDX-License-Identifier: ISC */
/*
 * Credentials as values, and the parsers of the documents that carry
 * them: the JSON that credential_process prints and that the container
 * and instance metadata endpoints send, and the XML answer of STS
 * AssumeRole and AssumeRoleWithWebIdentity.  Pure functions over a
 * buffer, no I/O, so that the unit tests and the fuzzers reach them.
 *
 * The parsers see secrets: yajl and expat allocate through
 * aws_cred_malloc() and friends, which wipe every block before it is
 * freed or moved, and causes never quote a key, secret or token.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <expat.h>
#include <yajl/yajl_parse.h>

#include "aws_cred.h"
#include "aws_cred_int.h"
#include "eventtime.h"
#include "log.h"
#include "xmalloc.h"
#include "xmldoc.h"

/* The fields of a credentials document, JSON or XML. */
enum aws_cred_field {
	AWS_CRED_F_KEY,
	AWS_CRED_F_SECRET,
	AWS_CRED_F_TOKEN,
	AWS_CRED_F_EXPIRATION,
	AWS_CRED_F_CODE,
	AWS_CRED_F_MESSAGE,
	AWS_CRED_F_N
};

/* State of the JSON and XML credential parsers. */
struct aws_cred_doc {
	int		 depth;
	int		 field;		/* the value being read, or -1 */
	int		 in_creds;	/* XML: inside <Credentials> */
	int		 object;	/* JSON: the top is an object */
	int		 error;		/* a field too long, or bad JSON */
	long long	 version;
	int		 has_version;
	int		 token_key;	/* JSON: "SessionToken" or "Token" */
	char		*f[AWS_CRED_F_N];
	size_t		 flen[AWS_CRED_F_N];
};

static void	*aws_cred_malloc(size_t);
static void	*aws_cred_realloc(void *, size_t);
static void	 aws_cred_free(void *);
static void	*aws_cred_ymalloc(void *, size_t);
static void	*aws_cred_yrealloc(void *, void *, size_t);
static void	 aws_cred_yfree(void *, void *);
static void	 aws_cred_doc_clear(struct aws_cred_doc *);
static void	 aws_cred_doc_add(struct aws_cred_doc *, int, const char *,
		    size_t, int);
static int	 aws_cred_doc_take(struct aws_cred_doc *, struct aws_cred *,
		    char **);

/*
 * An allocator for the parsers that see secrets: each block remembers its
 * size in front of it and is wiped before it is freed or moved.
 */
#define AWS_CRED_HDR	16	/* keeps max_align_t alignment */

static void *
aws_cred_malloc(size_t n)
{
	unsigned char	*p;

	if (n > SIZE_MAX - AWS_CRED_HDR ||
	    (p = malloc(n + AWS_CRED_HDR)) == NULL)
		return NULL;
	memcpy(p, &n, sizeof n);
	return p + AWS_CRED_HDR;
}

static void
aws_cred_free(void *v)
{
	unsigned char	*p = v;
	size_t		 n;

	if (p == NULL)
		return;
	p -= AWS_CRED_HDR;
	memcpy(&n, p, sizeof n);
	explicit_bzero(p, n + AWS_CRED_HDR);
	free(p);
}

static void *
aws_cred_realloc(void *v, size_t n)
{
	unsigned char	*p = v, *q;
	size_t		 old;

	if ((q = aws_cred_malloc(n)) == NULL)
		return NULL;
	if (p != NULL) {
		memcpy(&old, p - AWS_CRED_HDR, sizeof old);
		memcpy(q, p, old < n ? old : n);
		aws_cred_free(p);
	}
	return q;
}

static void *
aws_cred_ymalloc(void *ctx, size_t n)
{
	(void)ctx;
	return aws_cred_malloc(n);
}

static void *
aws_cred_yrealloc(void *ctx, void *p, size_t n)
{
	(void)ctx;
	return aws_cred_realloc(p, n);
}

static void
aws_cred_yfree(void *ctx, void *p)
{
	(void)ctx;
	aws_cred_free(p);
}

/* Wipe and free the secrets of a credential; it may be used again. */
void
aws_cred_clear(struct aws_cred *c)
{
	if (c == NULL)
		return;
	freezero_str(c->access_key_id);
	freezero_str(c->secret_access_key);
	freezero_str(c->session_token);
	memset(c, 0, sizeof *c);
}

/* Copy a credential into dst, which is overwritten (not cleared). */
void
aws_cred_copy(struct aws_cred *dst, const struct aws_cred *src)
{
	dst->access_key_id = src->access_key_id != NULL ?
	    xstrdup(src->access_key_id) : NULL;
	dst->secret_access_key = src->secret_access_key != NULL ?
	    xstrdup(src->secret_access_key) : NULL;
	dst->session_token = src->session_token != NULL ?
	    xstrdup(src->session_token) : NULL;
	dst->expiration_ms = src->expiration_ms;
}

int64_t
aws_cred_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Whether the fields can go into a request: present, printable ASCII
 * without blanks, and not too long.  The cause never quotes them.
 */
int
aws_cred_check(const struct aws_cred *c, char **cause)
{
	const char	*what[3] = { "access key id", "secret access key",
			    "session token" };
	const char	*v[3];
	const unsigned char *p;
	size_t		 i, max;

	v[0] = c->access_key_id;
	v[1] = c->secret_access_key;
	v[2] = c->session_token;
	for (i = 0; i < 3; i++) {
		if (v[i] == NULL) {
			if (i == 2)
				continue;
			*cause = xprintf("no %s", what[i]);
			return -1;
		}
		if (*v[i] == '\0') {
			*cause = xprintf("empty %s", what[i]);
			return -1;
		}
		max = i == 0 ? 128 : i == 1 ? 256 : AWS_CRED_FIELD_MAX;
		if (strlen(v[i]) > max) {
			*cause = xprintf("%s longer than %zu bytes", what[i],
			    max);
			return -1;
		}
		for (p = (const unsigned char *)v[i]; *p != '\0'; p++)
			if (*p <= 0x20 || *p >= 0x7f) {
				*cause = xprintf("%s has a byte that is not "
				    "printable ASCII", what[i]);
				return -1;
			}
	}
	return 0;
}

static void
aws_cred_doc_clear(struct aws_cred_doc *d)
{
	size_t	i;

	for (i = 0; i < AWS_CRED_F_N; i++)
		if (d->f[i] != NULL)
			aws_cred_free(d->f[i]);
	memset(d, 0, sizeof *d);
}

/* Store a field's value, or more of it (XML text comes in pieces). */
static void
aws_cred_doc_add(struct aws_cred_doc *d, int field, const char *s,
    size_t len, int append)
{
	char	*p;
	size_t	 have = append ? d->flen[field] : 0;

	if (len > AWS_CRED_FIELD_MAX - have) {
		d->error = 1;
		return;
	}
	if ((p = aws_cred_malloc(have + len + 1)) == NULL)
		fatalx("out of memory");
	if (have != 0)
		memcpy(p, d->f[field], have);
	memcpy(p + have, s, len);
	p[have + len] = '\0';
	if (d->f[field] != NULL)
		aws_cred_free(d->f[field]);
	d->f[field] = p;
	d->flen[field] = have + len;
}

/*
 * Move the fields of a parsed document into *out: key and secret needed,
 * a token and an expiration if present.
 */
static int
aws_cred_doc_take(struct aws_cred_doc *d, struct aws_cred *out, char **cause)
{
	memset(out, 0, sizeof *out);
	if (d->f[AWS_CRED_F_KEY] == NULL) {
		*cause = xstrdup("no AccessKeyId in it");
		return -1;
	}
	if (d->f[AWS_CRED_F_SECRET] == NULL) {
		*cause = xstrdup("no SecretAccessKey in it");
		return -1;
	}
	if (d->f[AWS_CRED_F_EXPIRATION] != NULL &&
	    eventtime_parse(d->f[AWS_CRED_F_EXPIRATION],
	    d->flen[AWS_CRED_F_EXPIRATION], &out->expiration_ms) == -1) {
		*cause = xstrdup("Expiration is not an RFC 3339 time");
		return -1;
	}
	out->access_key_id = xstrdup(d->f[AWS_CRED_F_KEY]);
	out->secret_access_key = xstrdup(d->f[AWS_CRED_F_SECRET]);
	if (d->f[AWS_CRED_F_TOKEN] != NULL)
		out->session_token = xstrdup(d->f[AWS_CRED_F_TOKEN]);
	if (aws_cred_check(out, cause) == -1) {
		aws_cred_clear(out);
		return -1;
	}
	return 0;
}

static int
aws_cred_j_start_map(void *arg)
{
	struct aws_cred_doc	*d = arg;

	if (d->depth == 0)
		d->object = 1;
	d->depth++;
	d->field = -1;
	return 1;
}

static int
aws_cred_j_end(void *arg)
{
	struct aws_cred_doc	*d = arg;

	d->depth--;
	d->field = -1;
	return 1;
}

static int
aws_cred_j_start_array(void *arg)
{
	struct aws_cred_doc	*d = arg;

	d->depth++;
	d->field = -1;
	return 1;
}

static int
aws_cred_j_key(void *arg, const unsigned char *s, size_t len)
{
	static const struct {
		const char	*name;
		int		 field;
	} keys[] = {
		{ "AccessKeyId", AWS_CRED_F_KEY },
		{ "SecretAccessKey", AWS_CRED_F_SECRET },
		{ "SessionToken", AWS_CRED_F_TOKEN },
		{ "Token", AWS_CRED_F_TOKEN },
		{ "Expiration", AWS_CRED_F_EXPIRATION },
		{ "Code", AWS_CRED_F_CODE },
		{ "Message", AWS_CRED_F_MESSAGE },
		{ "Version", -2 },
	};
	struct aws_cred_doc	*d = arg;
	size_t			 i;

	d->field = -1;
	if (d->depth != 1)
		return 1;
	for (i = 0; i < nitems(keys); i++) {
		if (strlen(keys[i].name) != len ||
		    memcmp(keys[i].name, s, len) != 0)
			continue;
		/* The token's key is the one for this kind of document. */
		if (keys[i].field == AWS_CRED_F_TOKEN &&
		    (i == 2) != (d->token_key == 0))
			continue;
		d->field = keys[i].field;
		break;
	}
	return 1;
}

static int
aws_cred_j_string(void *arg, const unsigned char *s, size_t len)
{
	struct aws_cred_doc	*d = arg;

	if (d->field >= 0)
		aws_cred_doc_add(d, d->field, (const char *)s, len, 0);
	d->field = -1;
	return !d->error;
}

static int
aws_cred_j_integer(void *arg, long long n)
{
	struct aws_cred_doc	*d = arg;

	if (d->field == -2) {
		d->version = n;
		d->has_version = 1;
	}
	d->field = -1;
	return 1;
}

static int
aws_cred_j_other(void *arg)
{
	struct aws_cred_doc	*d = arg;

	d->field = -1;
	return 1;
}

static int
aws_cred_j_bool(void *arg, int b)
{
	(void)b;
	return aws_cred_j_other(arg);
}

static int
aws_cred_j_double(void *arg, double n)
{
	(void)n;
	return aws_cred_j_other(arg);
}

/*
 * Parse a JSON credentials document: what credential_process prints
 * (kind AWS_CRED_JSON_PROCESS: "Version": 1, "SessionToken") or what the
 * container and instance metadata endpoints send ("Token", and "Code":
 * "Success" if a Code is there).  0 and *out, or -1 and *cause.
 */
int
aws_cred_json_parse(const char *text, size_t len, int kind,
    struct aws_cred *out, char **cause)
{
	static const yajl_callbacks cb = {
		.yajl_null = aws_cred_j_other,
		.yajl_boolean = aws_cred_j_bool,
		.yajl_integer = aws_cred_j_integer,
		.yajl_double = aws_cred_j_double,
		.yajl_string = aws_cred_j_string,
		.yajl_start_map = aws_cred_j_start_map,
		.yajl_map_key = aws_cred_j_key,
		.yajl_end_map = aws_cred_j_end,
		.yajl_start_array = aws_cred_j_start_array,
		.yajl_end_array = aws_cred_j_end,
	};
	yajl_alloc_funcs	 af = { aws_cred_ymalloc, aws_cred_yrealloc,
				    aws_cred_yfree, NULL };
	struct aws_cred_doc	 d;
	yajl_handle		 h;
	int			 rv = -1;

	memset(out, 0, sizeof *out);
	memset(&d, 0, sizeof d);
	d.field = -1;
	d.token_key = kind == AWS_CRED_JSON_PROCESS ? 0 : 1;
	if ((h = yajl_alloc(&cb, &af, &d)) == NULL)
		fatalx("yajl_alloc: out of memory");
	if (yajl_parse(h, (const unsigned char *)text, len) != yajl_status_ok ||
	    yajl_complete_parse(h) != yajl_status_ok) {
		*cause = xstrdup(d.error ? "a field longer than the limit" :
		    "not valid JSON");
		goto out;
	}
	if (!d.object) {
		*cause = xstrdup("not a JSON object");
		goto out;
	}
	if (kind == AWS_CRED_JSON_PROCESS && !d.has_version) {
		*cause = xstrdup("no Version in it");
		goto out;
	}
	if (kind == AWS_CRED_JSON_PROCESS && d.version != 1) {
		*cause = xprintf("Version %lld, not 1", d.version);
		goto out;
	}
	if (kind == AWS_CRED_JSON_METADATA && d.f[AWS_CRED_F_CODE] != NULL &&
	    strcmp(d.f[AWS_CRED_F_CODE], "Success") != 0) {
		*cause = xprintf("Code is not Success%s%.200s",
		    d.f[AWS_CRED_F_MESSAGE] != NULL ? ": " : "",
		    d.f[AWS_CRED_F_MESSAGE] != NULL ?
		    d.f[AWS_CRED_F_MESSAGE] : "");
		goto out;
	}
	rv = aws_cred_doc_take(&d, out, cause);
out:
	yajl_free(h);
	aws_cred_doc_clear(&d);
	return rv;
}

static void
aws_cred_x_start(void *arg, const XML_Char *name, const XML_Char **attr)
{
	struct aws_cred_doc	*d = arg;

	(void)attr;
	d->depth++;
	d->field = -1;
	if (strcmp(name, "Credentials") == 0)
		d->in_creds = d->depth;
	else if (d->in_creds != 0 && d->depth == d->in_creds + 1) {
		if (strcmp(name, "AccessKeyId") == 0)
			d->field = AWS_CRED_F_KEY;
		else if (strcmp(name, "SecretAccessKey") == 0)
			d->field = AWS_CRED_F_SECRET;
		else if (strcmp(name, "SessionToken") == 0)
			d->field = AWS_CRED_F_TOKEN;
		else if (strcmp(name, "Expiration") == 0)
			d->field = AWS_CRED_F_EXPIRATION;
		if (d->field >= 0)	/* a repeated element: the last */
			aws_cred_doc_add(d, d->field, "", 0, 0);
	}
}

static void
aws_cred_x_end(void *arg, const XML_Char *name)
{
	struct aws_cred_doc	*d = arg;

	(void)name;
	if (d->in_creds == d->depth)
		d->in_creds = 0;
	d->depth--;
	d->field = -1;
}

static void
aws_cred_x_text(void *arg, const XML_Char *s, int len)
{
	struct aws_cred_doc	*d = arg;

	if (d->field >= 0)
		aws_cred_doc_add(d, d->field, s, (size_t)len, 1);
}

static const struct xmldoc_ops aws_cred_x_ops = {
	.start = aws_cred_x_start,
	.end = aws_cred_x_end,
	.text = aws_cred_x_text,
};

/*
 * Parse the answer of STS AssumeRole or AssumeRoleWithWebIdentity:
 * <...Result><Credentials><AccessKeyId>... 0 and *out, or -1 and *cause.
 */
int
aws_cred_sts_parse(const char *text, size_t len, struct aws_cred *out,
    char **cause)
{
	XML_Memory_Handling_Suite ms = { aws_cred_malloc, aws_cred_realloc,
				    aws_cred_free };
	struct aws_cred_doc	 d;
	struct xmldoc		*x;
	int			 rv = -1;

	memset(out, 0, sizeof *out);
	memset(&d, 0, sizeof d);
	d.field = -1;
	if (len > AWS_CRED_BODY_MAX) {
		*cause = xprintf("answer over %d bytes", AWS_CRED_BODY_MAX);
		return -1;
	}
	x = xmldoc_create(&aws_cred_x_ops, &d, &ms);
	if (xmldoc_parse(x, text, len) == -1) {
		*cause = xprintf("answer is not XML: %s", xmldoc_cause(x));
		goto out;
	}
	if (d.error) {
		*cause = xprintf("a field longer than %d bytes",
		    AWS_CRED_FIELD_MAX);
		goto out;
	}
	rv = aws_cred_doc_take(&d, out, cause);
out:
	xmldoc_free(x);
	aws_cred_doc_clear(&d);
	return rv;
}

