/* SPDX-License-Identifier: ISC */
/*
 * The AWS credential chain, region and endpoints for the S3 reader and
 * the SNS publisher: the environment, the profile files (static keys,
 * credential_process, AssumeRole, web identity), ECS container
 * credentials and EC2 instance metadata, in the AWS CLI's order.
 * Temporary credentials are fetched again before they expire.
 *
 * Secrets (keys, tokens, the bodies that carry them) are kept in buffers
 * allocated once at their final size, or through an allocator that wipes
 * on free (yajl and expat use it), and are wiped when done with.  Causes
 * name the source and what failed, never a secret.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <expat.h>
#include <yajl/yajl_parse.h>

#include "aws_config.h"
#include "aws_cred.h"
#include "eventtime.h"
#include "http.h"
#include "log.h"
#include "sigv4.h"
#include "xmalloc.h"
#include "xmldoc.h"

extern char **environ;

#define AWS_CRED_BODY_MAX	(64 * 1024)	/* a credentials document */
#define AWS_CRED_FIELD_MAX	(16 * 1024)	/* one key, secret or token */
#define AWS_CRED_DEPTH_MAX	8		/* source_profile hops */
#define AWS_CRED_PROCESS_MS	(60 * 1000)	/* credential_process */
#define AWS_CRED_IMDS		"http://169.254.169.254"
#define AWS_CRED_ECS		"http://169.254.170.2"
#define AWS_CRED_IMDS_TTL	"21600"
#define AWS_CRED_STS_VERSION	"2011-06-15"

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

struct aws_cred_chain {
	pthread_mutex_t		 lock;
	char			*profile;	/* the profile in use */
	int			 explicit;	/* named by --profile */
	char			*region;	/* for STS; or NULL */
	char			*container_base;
	long			 process_ms;
	struct aws_config	*cfg;
	struct http_client	*http;		/* STS */
	struct http_client	*meta;		/* container, IMDS */
	struct aws_cred		 cur;
	char			*source;
	unsigned		 fetches;
	int			 warned;
};

/* Where a credentials response body goes: allocated once, wiped. */
struct aws_cred_sink {
	char	*data;
	size_t	 len, max;
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
static int	 aws_cred_check(const struct aws_cred *, char **);
static int64_t	 aws_cred_now_ms(void);
static int	 aws_cred_env(struct aws_cred *, char **);
static void	 aws_cred_sink_init(struct aws_cred_sink *);
static void	 aws_cred_sink_clear(struct aws_cred_sink *);
static int	 aws_cred_sink_write(void *, const void *, size_t, char **);
static char	*aws_cred_read_token(const char *, char **);
static int	 aws_cred_container_host_ok(const char *);
static int	 aws_cred_fetch(struct aws_cred_chain *, struct http_client *,
		    const char *, const char *, const struct http_header *,
		    size_t, const char *, size_t, const struct aws_cred *,
		    struct aws_cred_sink *, long *, char **);
static char	*aws_cred_form(const char *);
static int	 aws_cred_sts(struct aws_cred_chain *, const char *,
		    const struct aws_cred *, const char *, const char *,
		    const char *, const char *, const char *,
		    struct aws_cred *, char **);
static int	 aws_cred_web_identity(struct aws_cred_chain *, const char *,
		    const char *, const char *, struct aws_cred *, char **);
static int	 aws_cred_container(struct aws_cred_chain *, struct aws_cred *,
		    char **);
static int	 aws_cred_imds(struct aws_cred_chain *, struct aws_cred *,
		    char **);
static int	 aws_cred_process(struct aws_cred_chain *, const char *,
		    const char *, struct aws_cred *, char **);
static int	 aws_cred_static(struct aws_cred_chain *, const char *, int,
		    struct aws_cred *, char **);
static int	 aws_cred_profile(struct aws_cred_chain *, const char *, int,
		    const char **, struct aws_cred *, char **, char **);
static int	 aws_cred_resolve(struct aws_cred_chain *, struct aws_cred *,
		    char **, char **);
static int	 aws_cred_region_ok(const char *);

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

static int64_t
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
static int
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

/* The environment: 1 and *out, 0 if unset, -1 if half set. */
static int
aws_cred_env(struct aws_cred *out, char **cause)
{
	const char	*k, *s, *t;

	k = getenv("AWS_ACCESS_KEY_ID");
	s = getenv("AWS_SECRET_ACCESS_KEY");
	t = getenv("AWS_SESSION_TOKEN");
	if (k != NULL && *k == '\0')
		k = NULL;
	if (s != NULL && *s == '\0')
		s = NULL;
	if (k == NULL && s == NULL)
		return 0;
	if (k == NULL || s == NULL) {
		*cause = xprintf("environment: %s without %s",
		    k != NULL ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
		    k != NULL ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
		return -1;
	}
	memset(out, 0, sizeof *out);
	out->access_key_id = xstrdup(k);
	out->secret_access_key = xstrdup(s);
	if (t != NULL && *t != '\0')
		out->session_token = xstrdup(t);
	if (aws_cred_check(out, cause) == -1) {
		aws_cred_clear(out);
		*cause = xprintf("environment: %s", *cause);
		return -1;
	}
	return 1;
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

static int
aws_cred_sink_write(void *arg, const void *p, size_t len, char **cause)
{
	struct aws_cred_sink	*s = arg;

	if (len > s->max - s->len) {
		*cause = xprintf("answer over %zu bytes", s->max);
		return -1;
	}
	memcpy(s->data + s->len, p, len);
	s->len += len;
	s->data[s->len] = '\0';
	return 0;
}

static void
aws_cred_sink_init(struct aws_cred_sink *s)
{
	s->max = AWS_CRED_BODY_MAX;
	s->len = 0;
	s->data = xcalloc(1, s->max + 1);
}

static void
aws_cred_sink_clear(struct aws_cred_sink *s)
{
	if (s->data != NULL) {
		explicit_bzero(s->data, s->max + 1);
		free(s->data);
	}
	s->data = NULL;
	s->len = 0;
}

/*
 * Send one request whose 2xx answer holds secrets: the body goes into the
 * sink, an error body into *cause as "HTTP 403: Code: Message".  0 and
 * *status for a 2xx answer; 1 and *status and *cause for any other; -1
 * and *cause if no answer came.
 */
static int
aws_cred_fetch(struct aws_cred_chain *ch, struct http_client *hc,
    const char *method, const char *url, const struct http_header *h,
    size_t nh, const char *body, size_t bodylen, const struct aws_cred *sign,
    struct aws_cred_sink *sink, long *status, char **cause)
{
	struct http_request	 rq;
	struct http_response	 rs;
	struct sigv4_credentials sc;
	char			*code, *msg;
	int			 rv = -1;

	memset(&rq, 0, sizeof rq);
	rq.method = method;
	rq.url = url;
	rq.headers = h;
	rq.nheaders = nh;
	rq.body = body;
	rq.bodylen = bodylen;
	rq.write = aws_cred_sink_write;
	rq.arg = sink;
	if (sign != NULL) {
		aws_cred_sigv4(sign, &sc);
		rq.cred = &sc;
		rq.region = ch->region != NULL ? ch->region : "us-east-1";
		rq.service = "sts";
		rq.sigv4_flags = SIGV4_SERVICE;
	}
	sink->len = 0;
	http_response_init(&rs);
	if (http_do(hc, &rq, &rs, cause) == -1)
		goto out;
	*status = rs.status;
	if (rs.status >= 200 && rs.status <= 299) {
		rv = 0;
		goto out;
	}
	if (http_error_parse(rs.body.data, rs.body.len, &code, &msg) == 0) {
		*cause = xprintf("HTTP %ld%s%s%s%s", rs.status,
		    code != NULL ? ": " : "", code != NULL ? code : "",
		    msg != NULL ? ": " : "", msg != NULL ? msg : "");
		free(code);
		free(msg);
	} else
		*cause = xprintf("HTTP %ld", rs.status);
	rv = 1;
out:
	http_response_clear(&rs);
	return rv;
}

/* A value encoded for a form body, in a buffer of its final size. */
static char *
aws_cred_form(const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*p;
	char			*out, *o;

	o = out = xmalloc(strlen(s) * 3 + 1);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' ||
		    *p == '~')
			*o++ = (char)*p;
		else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 0xf];
		}
	}
	*o = '\0';
	return out;
}

/*
 * STS AssumeRole (src set: signed with it) or AssumeRoleWithWebIdentity
 * (token set: unsigned).  The cause starts with the action's name.
 */
static int
aws_cred_sts(struct aws_cred_chain *ch, const char *role_arn,
    const struct aws_cred *src, const char *token, const char *session,
    const char *external_id, const char *duration, const char *label,
    struct aws_cred *out, char **cause)
{
	static const struct http_header h[] = {
		{ "Content-Type",
		    "application/x-www-form-urlencoded; charset=utf-8" },
	};
	struct aws_cred_sink	 sink;
	const char		*action = src != NULL ? "AssumeRole" :
				    "AssumeRoleWithWebIdentity";
	char			*url, *e_arn, *e_sess, *e_ext = NULL;
	char			*e_tok = NULL, *e_dur = NULL, *body;
	char			*why = NULL;
	long			 status = 0;
	size_t			 len;
	int			 custom, r, rv = -1;

	url = aws_endpoint_resolve("sts", ch->region, &custom);
	e_arn = aws_cred_form(role_arn);
	e_sess = aws_cred_form(session);
	if (external_id != NULL)
		e_ext = aws_cred_form(external_id);
	if (duration != NULL)
		e_dur = aws_cred_form(duration);
	if (token != NULL)
		e_tok = aws_cred_form(token);
	len = strlen(action) + strlen(e_arn) + strlen(e_sess) + 128 +
	    (e_ext != NULL ? strlen(e_ext) : 0) +
	    (e_dur != NULL ? strlen(e_dur) : 0) +
	    (e_tok != NULL ? strlen(e_tok) : 0);
	body = xmalloc(len);
	snprintf(body, len, "Action=%s&Version=%s&RoleArn=%s"
	    "&RoleSessionName=%s%s%s%s%s%s%s", action, AWS_CRED_STS_VERSION,
	    e_arn, e_sess,
	    e_ext != NULL ? "&ExternalId=" : "", e_ext != NULL ? e_ext : "",
	    e_dur != NULL ? "&DurationSeconds=" : "",
	    e_dur != NULL ? e_dur : "",
	    e_tok != NULL ? "&WebIdentityToken=" : "",
	    e_tok != NULL ? e_tok : "");
	aws_cred_sink_init(&sink);
	r = aws_cred_fetch(ch, ch->http, "POST", url, h, nitems(h), body,
	    strlen(body), src, &sink, &status, &why);
	if (r == 0 && aws_cred_sts_parse(sink.data, sink.len, out, &why) == 0)
		rv = 0;
	if (rv == -1)
		*cause = xprintf("%s: %s: %s", label, action, why);
	free(why);
	aws_cred_sink_clear(&sink);
	freezero_str(body);
	freezero_str(e_tok);
	free(e_arn);
	free(e_sess);
	free(e_ext);
	free(e_dur);
	free(url);
	return rv;
}

/* Read a small token file, trimmed; NULL and *cause. */
static char *
aws_cred_read_token(const char *path, char **cause)
{
	struct aws_cred_sink	 s;
	ssize_t			 n;
	char			*tok;
	int			 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		*cause = xprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	aws_cred_sink_init(&s);
	for (;;) {
		n = read(fd, s.data + s.len, s.max - s.len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			*cause = xprintf("%s: %s", path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		s.len += (size_t)n;
		if (s.len == s.max) {
			*cause = xprintf("%s: longer than %zu bytes", path,
			    s.max);
			goto fail;
		}
	}
	close(fd);
	while (s.len > 0 && isspace((unsigned char)s.data[s.len - 1]))
		s.len--;
	s.data[s.len] = '\0';
	if (s.len == 0 || strpbrk(s.data, "\r\n") != NULL) {
		*cause = xprintf("%s: %s", path, s.len == 0 ? "empty" :
		    "more than one line");
		aws_cred_sink_clear(&s);
		return NULL;
	}
	tok = xstrdup(s.data);
	aws_cred_sink_clear(&s);
	return tok;
fail:
	close(fd);
	aws_cred_sink_clear(&s);
	return NULL;
}

/* AssumeRoleWithWebIdentity with the token in a file. */
static int
aws_cred_web_identity(struct aws_cred_chain *ch, const char *file,
    const char *role_arn, const char *session, struct aws_cred *out,
    char **cause)
{
	char	*token, *why = NULL;
	int	 rv;

	if ((token = aws_cred_read_token(file, &why)) == NULL) {
		*cause = xprintf("web-identity: %s", why);
		free(why);
		return -1;
	}
	rv = aws_cred_sts(ch, role_arn, NULL, token, session, NULL, NULL,
	    "web-identity", out, cause);
	freezero_str(token);
	return rv;
}

/* Whether a full container URI may be sent over plain http. */
static int
aws_cred_container_host_ok(const char *url)
{
	static const char *const ecs[] = {
		"169.254.170.2", "169.254.170.23", "[fd00:ec2::23]", NULL
	};

	return http_url_secure(url, ecs);
}

/* ECS (or EKS Pod Identity) container credentials. */
static int
aws_cred_container(struct aws_cred_chain *ch, struct aws_cred *out,
    char **cause)
{
	struct aws_cred_sink	 sink;
	struct http_header	 h[1];
	const char		*rel, *full, *tfile, *tenv;
	char			*url, *token = NULL, *why = NULL;
	long			 status;
	size_t			 nh = 0;
	int			 rv = -1;

	rel = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	full = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	if (rel != NULL && *rel != '\0')
		url = xprintf("%s%s%s", ch->container_base != NULL ?
		    ch->container_base : AWS_CRED_ECS, *rel == '/' ? "" : "/",
		    rel);
	else if (full != NULL && *full != '\0') {
		if (!aws_cred_container_host_ok(full)) {
			*cause = xstrdup("container: "
			    "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, "
			    "or http to a loopback or the ECS or EKS address");
			return -1;
		}
		url = xstrdup(full);
	} else {
		*cause = xstrdup("container: no "
		    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI");
		return -1;
	}
	tfile = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	tenv = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	if (tfile != NULL && *tfile != '\0') {
		if ((token = aws_cred_read_token(tfile, &why)) == NULL)
			goto out;
	} else if (tenv != NULL && *tenv != '\0') {
		if (strpbrk(tenv, "\r\n") != NULL) {
			why = xstrdup("AWS_CONTAINER_AUTHORIZATION_TOKEN has "
			    "a line break");
			goto out;
		}
		token = xstrdup(tenv);
	}
	if (token != NULL) {
		h[0].name = "Authorization";
		h[0].value = token;
		nh = 1;
	}
	aws_cred_sink_init(&sink);
	if (aws_cred_fetch(ch, ch->meta, "GET", url, h, nh, NULL, 0, NULL,
	    &sink, &status, &why) == 0 &&
	    aws_cred_json_parse(sink.data, sink.len, AWS_CRED_JSON_METADATA,
	    out, &why) == 0)
		rv = 0;
	aws_cred_sink_clear(&sink);
out:
	if (rv == -1)
		*cause = xprintf("container: %s", why);
	free(why);
	freezero_str(token);
	free(url);
	return rv;
}

/* EC2 instance metadata with an IMDSv2 session token. */
static int
aws_cred_imds(struct aws_cred_chain *ch, struct aws_cred *out, char **cause)
{
	struct aws_cred_sink	 sink;
	struct http_header	 h[1];
	const char		*base, *p;
	char			*url = NULL, *token = NULL, *why = NULL;
	char			*role = NULL;
	long			 status = 0;
	size_t			 len, blen;
	int			 rv = -1;

	base = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	if (base == NULL || *base == '\0')
		base = AWS_CRED_IMDS;
	blen = strlen(base);
	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	aws_cred_sink_init(&sink);

	url = xprintf("%.*s/latest/api/token", (int)blen, base);
	h[0].name = "X-aws-ec2-metadata-token-ttl-seconds";
	h[0].value = AWS_CRED_IMDS_TTL;
	if (aws_cred_fetch(ch, ch->meta, "PUT", url, h, 1, NULL, 0, NULL,
	    &sink, &status, &why) != 0) {
		*cause = xprintf("instance-metadata: token: %s", why);
		goto out;
	}
	if (sink.len == 0 || strpbrk(sink.data, "\r\n") != NULL) {
		*cause = xstrdup("instance-metadata: token: not one line");
		goto out;
	}
	token = xstrdup(sink.data);
	h[0].name = "X-aws-ec2-metadata-token";
	h[0].value = token;

	free(url);
	url = xprintf("%.*s/latest/meta-data/iam/security-credentials/",
	    (int)blen, base);
	switch (aws_cred_fetch(ch, ch->meta, "GET", url, h, 1, NULL, 0, NULL,
	    &sink, &status, &why)) {
	case 0:
		break;
	case 1:
		if (status == 404) {
			*cause = xstrdup("instance-metadata: no IAM role is "
			    "attached to this instance");
			goto out;
		}
		/* FALLTHROUGH */
	default:
		*cause = xprintf("instance-metadata: role: %s", why);
		goto out;
	}
	len = strcspn(sink.data, "\r\n");
	for (p = sink.data; p < sink.data + len; p++)
		if (!isalnum((unsigned char)*p) && strchr("+=,.@_-", *p) ==
		    NULL)
			break;
	if (len == 0 || p != sink.data + len || len > 64) {
		*cause = xstrdup("instance-metadata: role: not a role name");
		goto out;
	}
	role = xstrndup(sink.data, len);

	free(url);
	url = xprintf("%.*s/latest/meta-data/iam/security-credentials/%s",
	    (int)blen, base, role);
	if (aws_cred_fetch(ch, ch->meta, "GET", url, h, 1, NULL, 0, NULL,
	    &sink, &status, &why) != 0 ||
	    aws_cred_json_parse(sink.data, sink.len, AWS_CRED_JSON_METADATA,
	    out, &why) == -1) {
		*cause = xprintf("instance-metadata: role %s: %s", role, why);
		goto out;
	}
	rv = 0;
out:
	free(why);
	free(role);
	free(url);
	freezero_str(token);
	aws_cred_sink_clear(&sink);
	return rv;
}

/* Run credential_process without a shell and read its JSON. */
static int
aws_cred_process(struct aws_cred_chain *ch, const char *profile,
    const char *cmd, struct aws_cred *out, char **cause)
{
	posix_spawn_file_actions_t fa;
	struct aws_cred_sink	 sink;
	struct pollfd		 pfd;
	char			**argv, *why = NULL;
	int64_t			 deadline, left;
	pid_t			 pid;
	ssize_t			 n;
	int			 fds[2], status, err, rv = -1, killed = 0;

	if ((argv = aws_config_split(cmd, &why)) == NULL) {
		*cause = xprintf("profile %s: credential_process: %s",
		    profile, why);
		free(why);
		return -1;
	}
	if (pipe2(fds, O_CLOEXEC) == -1) {
		*cause = xprintf("profile %s: credential_process: pipe: %s",
		    profile, strerror(errno));
		aws_config_argv_free(argv);
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
	err = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (err != 0) {
		*cause = xprintf("profile %s: credential_process: %s: %s",
		    profile, argv[0], strerror(err));
		close(fds[0]);
		aws_config_argv_free(argv);
		return -1;
	}

	aws_cred_sink_init(&sink);
	deadline = aws_cred_now_ms() + ch->process_ms;
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	for (;;) {
		if ((left = deadline - aws_cred_now_ms()) <= 0) {
			if (ch->process_ms % 1000 == 0)
				why = xprintf("no answer within %ld seconds",
				    ch->process_ms / 1000);
			else
				why = xprintf("no answer within %ld ms",
				    ch->process_ms);
			break;
		}
		if (poll(&pfd, 1, (int)left) == -1) {
			if (errno == EINTR)
				continue;
			why = xprintf("poll: %s", strerror(errno));
			break;
		}
		if (pfd.revents == 0)
			continue;
		n = read(fds[0], sink.data + sink.len, sink.max - sink.len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			why = xprintf("read: %s", strerror(errno));
			break;
		}
		if (n == 0)
			break;
		sink.len += (size_t)n;
		if (sink.len == sink.max) {
			why = xprintf("output over %zu bytes", sink.max - 1);
			break;
		}
	}
	close(fds[0]);
	if (why != NULL) {
		kill(pid, SIGKILL);
		killed = 1;
	}
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR) {
			status = 0;
			break;
		}
	if (why == NULL && WIFEXITED(status) && WEXITSTATUS(status) != 0)
		why = xprintf("%s exited with status %d", argv[0],
		    WEXITSTATUS(status));
	else if (why == NULL && WIFSIGNALED(status) && !killed)
		why = xprintf("%s killed by signal %d", argv[0],
		    WTERMSIG(status));
	if (why == NULL) {
		sink.data[sink.len] = '\0';
		if (aws_cred_json_parse(sink.data, sink.len,
		    AWS_CRED_JSON_PROCESS, out, &why) == 0)
			rv = 0;
	}
	if (rv == -1)
		*cause = xprintf("profile %s: credential_process: %s",
		    profile, why);
	free(why);
	aws_cred_sink_clear(&sink);
	aws_config_argv_free(argv);
	return rv;
}

/* Static keys of a profile in one file: 1, 0 if none, -1 if half. */
static int
aws_cred_static(struct aws_cred_chain *ch, const char *profile, int which,
    struct aws_cred *out, char **cause)
{
	const char	*k, *s, *t;
	char		*why = NULL;

	k = aws_config_get(ch->cfg, profile, "aws_access_key_id", which);
	s = aws_config_get(ch->cfg, profile, "aws_secret_access_key", which);
	t = aws_config_get(ch->cfg, profile, "aws_session_token", which);
	if (k == NULL && s == NULL)
		return 0;
	if (k == NULL || s == NULL) {
		*cause = xprintf("profile %s: %s without %s in %s", profile,
		    k != NULL ? "aws_access_key_id" : "aws_secret_access_key",
		    k != NULL ? "aws_secret_access_key" : "aws_access_key_id",
		    aws_config_path(ch->cfg, which));
		return -1;
	}
	memset(out, 0, sizeof *out);
	out->access_key_id = xstrdup(k);
	out->secret_access_key = xstrdup(s);
	if (t != NULL && *t != '\0')
		out->session_token = xstrdup(t);
	if (aws_cred_check(out, &why) == -1) {
		*cause = xprintf("profile %s: %s in %s", profile, why,
		    aws_config_path(ch->cfg, which));
		free(why);
		aws_cred_clear(out);
		return -1;
	}
	return 1;
}

/*
 * The credentials of a profile: 1, *out and *label; 0 if it holds none;
 * -1 and *cause.  depth counts source_profile hops; seen[] holds the
 * profiles on the way, to catch loops.
 */
static int
aws_cred_profile(struct aws_cred_chain *ch, const char *name, int depth,
    const char **seen, struct aws_cred *out, char **label, char **cause)
{
	struct aws_cred	 src;
	const char	*role, *wif, *sp, *cs, *v, *session, *ext, *dur;
	char		*slabel = NULL, *sess = NULL, *end;
	long		 n;
	int		 i, r;

	for (i = 0; i < depth; i++)
		if (strcmp(seen[i], name) == 0) {
			*cause = xprintf("profile %s: source_profile loop",
			    seen[0]);
			return -1;
		}
	if (depth == AWS_CRED_DEPTH_MAX) {
		*cause = xprintf("profile %s: more than %d source_profile "
		    "hops", seen[0], AWS_CRED_DEPTH_MAX);
		return -1;
	}
	seen[depth] = name;

	role = aws_config_get(ch->cfg, name, "role_arn", AWS_CONFIG_ANY);
	wif = aws_config_get(ch->cfg, name, "web_identity_token_file",
	    AWS_CONFIG_ANY);
	if (role != NULL && wif == NULL) {
		sp = aws_config_get(ch->cfg, name, "source_profile",
		    AWS_CONFIG_ANY);
		cs = aws_config_get(ch->cfg, name, "credential_source",
		    AWS_CONFIG_ANY);
		if (sp != NULL && cs != NULL) {
			*cause = xprintf("profile %s: both source_profile "
			    "and credential_source", name);
			return -1;
		}
		if (sp == NULL && cs == NULL) {
			*cause = xprintf("profile %s: role_arn without "
			    "source_profile or credential_source", name);
			return -1;
		}
		if (aws_config_get(ch->cfg, name, "mfa_serial",
		    AWS_CONFIG_ANY) != NULL) {
			*cause = xprintf("profile %s: mfa_serial is not "
			    "supported", name);
			return -1;
		}
		dur = aws_config_get(ch->cfg, name, "duration_seconds",
		    AWS_CONFIG_ANY);
		if (dur != NULL) {
			errno = 0;
			n = strtol(dur, &end, 10);
			if (errno != 0 || end == dur || *end != '\0' ||
			    n < 900 || n > 43200) {
				*cause = xprintf("profile %s: duration_seconds "
				    "is not a number from 900 to 43200", name);
				return -1;
			}
		}
		memset(&src, 0, sizeof src);
		if (sp != NULL && strcmp(sp, name) == 0) {
			/* A role assumed with the profile's own keys. */
			r = aws_cred_static(ch, name, AWS_CONFIG_ANY, &src,
			    cause);
			if (r == 0)
				*cause = xprintf("profile %s: source_profile "
				    "is itself, which has no keys", name);
			if (r != 1)
				return -1;
		} else if (sp != NULL) {
			if (!aws_config_has_profile(ch->cfg, sp)) {
				*cause = xprintf("profile %s: source_profile "
				    "%s not found", name, sp);
				return -1;
			}
			r = aws_cred_profile(ch, sp, depth + 1, seen, &src,
			    &slabel, cause);
			free(slabel);
			if (r == 0)
				*cause = xprintf("profile %s: source_profile "
				    "%s has no credentials", name, sp);
			if (r != 1)
				return -1;
		} else if (strcmp(cs, "Environment") == 0) {
			if ((r = aws_cred_env(&src, cause)) == 0)
				*cause = xprintf("profile %s: "
				    "credential_source Environment: no keys "
				    "in the environment", name);
			if (r != 1)
				return -1;
		} else if (strcmp(cs, "EcsContainer") == 0) {
			if (aws_cred_container(ch, &src, cause) == -1)
				return -1;
		} else if (strcmp(cs, "Ec2InstanceMetadata") == 0) {
			if (aws_cred_imds(ch, &src, cause) == -1)
				return -1;
		} else {
			*cause = xprintf("profile %s: credential_source is "
			    "not Environment, Ec2InstanceMetadata or "
			    "EcsContainer", name);
			return -1;
		}
		session = aws_config_get(ch->cfg, name, "role_session_name",
		    AWS_CONFIG_ANY);
		if (session == NULL)
			session = sess = xprintf("ctaudit-%ld", (long)getpid());
		ext = aws_config_get(ch->cfg, name, "external_id",
		    AWS_CONFIG_ANY);
		*label = xprintf("assume-role (profile %s)", name);
		r = aws_cred_sts(ch, role, &src, NULL, session, ext, dur,
		    *label, out, cause);
		aws_cred_clear(&src);
		free(sess);
		if (r == -1) {
			free(*label);
			*label = NULL;
			return -1;
		}
		return 1;
	}

	/* Web identity: the environment's, else the profile's. */
	if (depth == 0 && (v = getenv("AWS_WEB_IDENTITY_TOKEN_FILE")) !=
	    NULL && *v != '\0')
		wif = v;
	if (wif != NULL) {
		if (depth == 0 && (v = getenv("AWS_ROLE_ARN")) != NULL &&
		    *v != '\0')
			role = v;
		if (role == NULL) {
			*cause = xstrdup("web-identity: "
			    "AWS_WEB_IDENTITY_TOKEN_FILE without AWS_ROLE_ARN");
			return -1;
		}
		session = depth == 0 ? getenv("AWS_ROLE_SESSION_NAME") : NULL;
		if (session == NULL || *session == '\0')
			session = aws_config_get(ch->cfg, name,
			    "role_session_name", AWS_CONFIG_ANY);
		if (session == NULL)
			session = sess = xprintf("ctaudit-%ld", (long)getpid());
		r = aws_cred_web_identity(ch, wif, role, session, out, cause);
		free(sess);
		if (r == -1)
			return -1;
		*label = xstrdup("web-identity");
		return 1;
	}

	if ((r = aws_cred_static(ch, name, AWS_CONFIG_CREDENTIALS, out,
	    cause)) != 0) {
		if (r == 1)
			*label = xprintf("profile %s", name);
		return r;
	}
	if ((v = aws_config_get(ch->cfg, name, "credential_process",
	    AWS_CONFIG_ANY)) != NULL) {
		if (aws_cred_process(ch, name, v, out, cause) == -1)
			return -1;
		*label = xprintf("credential_process (profile %s)", name);
		return 1;
	}
	if ((r = aws_cred_static(ch, name, AWS_CONFIG_CONFIG, out,
	    cause)) == 1)
		*label = xprintf("profile %s", name);
	return r;
}

/* Walk the chain from the top; see aws_cred.h. */
static int
aws_cred_resolve(struct aws_cred_chain *ch, struct aws_cred *out,
    char **label, char **cause)
{
	const char	*seen[AWS_CRED_DEPTH_MAX], *v;
	char		*why = NULL;
	int		 r;

	*label = NULL;
	if (!ch->explicit) {
		if ((r = aws_cred_env(out, cause)) == -1)
			return -1;
		if (r == 1) {
			*label = xstrdup("environment");
			return 0;
		}
	}
	if ((r = aws_cred_profile(ch, ch->profile, 0, seen, out, label,
	    cause)) == -1)
		return -1;
	if (r == 1)
		return 0;
	if (((v = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) != NULL &&
	    *v != '\0') ||
	    ((v = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI")) != NULL &&
	    *v != '\0')) {
		if (aws_cred_container(ch, out, cause) == -1)
			return -1;
		*label = xstrdup("container");
		return 0;
	}
	v = getenv("AWS_EC2_METADATA_DISABLED");
	if (v != NULL && strcasecmp(v, "true") == 0) {
		*cause = xstrdup("no credentials: none in the environment, "
		    "the profile files or a container, and instance metadata "
		    "is disabled");
		return -1;
	}
	if (aws_cred_imds(ch, out, &why) == -1) {
		*cause = xprintf("no credentials: none in the environment, "
		    "the profile files or a container (%s)", why);
		free(why);
		return -1;
	}
	*label = xstrdup("instance-metadata");
	return 0;
}

/* Find the credentials; see aws_cred.h. */
struct aws_cred_chain *
aws_cred_chain_create(const struct aws_cred_opts *opts, char **cause)
{
	struct aws_cred_chain	*ch;
	struct http_opts	 ho;
	const char		*p;
	char			*why = NULL;

	ch = xcalloc(1, sizeof *ch);
	if (pthread_mutex_init(&ch->lock, NULL) != 0)
		fatalx("pthread_mutex_init failed");
	p = opts != NULL ? opts->profile : NULL;
	if (p != NULL && *p != '\0')
		ch->explicit = 1;
	else if ((p = getenv("AWS_PROFILE")) == NULL || *p == '\0')
		p = "default";
	ch->profile = xstrdup(p);
	if (opts != NULL && opts->container_base != NULL)
		ch->container_base = xstrdup(opts->container_base);
	ch->process_ms = opts != NULL && opts->process_timeout_ms > 0 ?
	    opts->process_timeout_ms : AWS_CRED_PROCESS_MS;
	if ((ch->cfg = aws_config_load(cause)) == NULL)
		goto fail;
	if (strcmp(ch->profile, "default") != 0 &&
	    !aws_config_has_profile(ch->cfg, ch->profile)) {
		*cause = xprintf("profile %s: not found in %s or %s",
		    ch->profile,
		    aws_config_path(ch->cfg, AWS_CONFIG_CREDENTIALS),
		    aws_config_path(ch->cfg, AWS_CONFIG_CONFIG));
		goto fail;
	}
	ch->region = aws_region_resolve(opts != NULL ? opts->region : NULL,
	    ch->profile, &why);
	if (ch->region == NULL && why != NULL) {
		*cause = why;
		goto fail;
	}

	memset(&ho, 0, sizeof ho);
	ho.max_attempts = 3;
	if ((ch->http = http_client_create(&ho, cause)) == NULL)
		goto fail;
	/* Metadata endpoints are near or absent: short waits, no proxy. */
	ho.max_attempts = 2;
	ho.connect_timeout_ms = 1000;
	ho.total_timeout_ms = 5000;
	ho.no_proxy = 1;
	if ((ch->meta = http_client_create(&ho, cause)) == NULL)
		goto fail;

	if (aws_cred_resolve(ch, &ch->cur, &ch->source, cause) == -1)
		goto fail;
	ch->fetches = 1;
	return ch;
fail:
	aws_cred_chain_free(ch);
	return NULL;
}

/* Free a chain, wiping the credentials. */
void
aws_cred_chain_free(struct aws_cred_chain *ch)
{
	if (ch == NULL)
		return;
	aws_cred_clear(&ch->cur);
	aws_config_free(ch->cfg);
	http_client_free(ch->http);
	http_client_free(ch->meta);
	free(ch->profile);
	free(ch->region);
	free(ch->container_base);
	free(ch->source);
	pthread_mutex_destroy(&ch->lock);
	free(ch);
}

/* A copy of the current credentials, refreshed first if need be. */
int
aws_cred_get(struct aws_cred_chain *ch, struct aws_cred *out, char **cause)
{
	struct aws_cred	 fresh;
	char		*label = NULL, *why = NULL;
	int64_t		 now;
	int		 rv = -1;

	memset(out, 0, sizeof *out);
	pthread_mutex_lock(&ch->lock);
	now = aws_cred_now_ms();
	if (ch->cur.expiration_ms != 0 &&
	    now + AWS_CRED_REFRESH_MS >= ch->cur.expiration_ms) {
		memset(&fresh, 0, sizeof fresh);
		if (aws_cred_resolve(ch, &fresh, &label, &why) == 0) {
			aws_cred_clear(&ch->cur);
			ch->cur = fresh;
			free(ch->source);
			ch->source = label;
			ch->fetches++;
			ch->warned = 0;
		} else if (now < ch->cur.expiration_ms) {
			if (!ch->warned)
				diag(DIAG_WARN, ch->source, 0, "refreshing "
				    "credentials: %s (using the current ones "
				    "until they expire)", why);
			ch->warned = 1;
			free(why);
		} else {
			*cause = xprintf("credentials expired and could not "
			    "be refreshed: %s", why);
			free(why);
			goto out;
		}
	}
	aws_cred_copy(out, &ch->cur);
	rv = 0;
out:
	pthread_mutex_unlock(&ch->lock);
	return rv;
}

/* Where the credentials come from, for messages. */
const char *
aws_cred_source(const struct aws_cred_chain *ch)
{
	return ch->source;
}

/* How many times the credentials were fetched. */
unsigned
aws_cred_fetches(const struct aws_cred_chain *ch)
{
	return ch->fetches;
}

static int
aws_cred_region_ok(const char *r)
{
	size_t	i;

	for (i = 0; r[i] != '\0'; i++)
		if (!(islower((unsigned char)r[i]) ||
		    isdigit((unsigned char)r[i]) || r[i] == '-'))
			return 0;
	return i > 0 && i <= 63;
}

/* The region; see aws_cred.h. */
char *
aws_region_resolve(const char *cli_region, const char *profile,
    char **cause)
{
	static const char	*vars[] = {
		"AWS_REGION", "AWS_DEFAULT_REGION"
	};
	struct aws_config	*cfg;
	const char		*v = NULL, *from = "--region";
	char			*out = NULL;
	size_t			 i;

	*cause = NULL;
	if (cli_region != NULL && *cli_region != '\0')
		v = cli_region;
	for (i = 0; v == NULL && i < nitems(vars); i++)
		if ((v = getenv(vars[i])) != NULL && *v == '\0')
			v = NULL;
		else if (v != NULL)
			from = vars[i];
	if (v != NULL) {
		if (!aws_cred_region_ok(v)) {
			*cause = xprintf("%s: not a region name", from);
			return NULL;
		}
		return xstrdup(v);
	}
	if (profile == NULL || *profile == '\0')
		if ((profile = getenv("AWS_PROFILE")) == NULL ||
		    *profile == '\0')
			profile = "default";
	if ((cfg = aws_config_load(cause)) == NULL)
		return NULL;
	v = aws_config_get(cfg, profile, "region", AWS_CONFIG_ANY);
	if (v != NULL && *v != '\0') {
		if (aws_cred_region_ok(v))
			out = xstrdup(v);
		else
			*cause = xprintf("profile %s: region is not a region "
			    "name", profile);
	}
	aws_config_free(cfg);
	return out;
}

/* The endpoint of a service; see aws_cred.h. */
char *
aws_endpoint_resolve(const char *service, const char *region, int *custom)
{
	char		 var[64], *out;
	const char	*v;
	size_t		 i, len;

	snprintf(var, sizeof var, "AWS_ENDPOINT_URL_%s", service);
	for (i = strlen("AWS_ENDPOINT_URL_"); var[i] != '\0'; i++)
		var[i] = var[i] == '-' ? '_' :
		    (char)toupper((unsigned char)var[i]);
	if (((v = getenv(var)) != NULL && *v != '\0') ||
	    ((v = getenv("AWS_ENDPOINT_URL")) != NULL && *v != '\0')) {
		*custom = 1;
		len = strlen(v);
		while (len > 0 && v[len - 1] == '/')
			len--;
		return xstrndup(v, len);
	}
	*custom = 0;
	if (region == NULL && strcmp(service, "sts") == 0)
		return xstrdup("https://sts.amazonaws.com");
	out = xprintf("https://%s.%s.amazonaws.com", service,
	    region != NULL ? region : "us-east-1");
	return out;
}

/* Lend c's keys to the signer: http.c signs with sigv4.h's type alone. */
void
aws_cred_sigv4(const struct aws_cred *c, struct sigv4_credentials *sc)
{
	sc->access_key_id = c->access_key_id;
	sc->secret_key = c->secret_access_key;
	sc->session_token = c->session_token;
}
