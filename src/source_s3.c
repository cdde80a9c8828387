/* SPDX-License-Identifier: ISC */
/*
 * The S3 source: s3://bucket[/prefix] as a sequence of streams, one per
 * object, in key order.
 *
 * Listing.  A prefix inside CloudTrail's layout (s3_list.c) is walked
 * level by level with delimiter listings: organizations and accounts
 * under AWSLogs/, regions under ACCOUNT/CloudTrail/, then, with a time
 * window, only the day prefixes that can hold it, keeping the files whose
 * delivery time fits.  Digest and Insights files are read only when the
 * prefix names their directory.  Any other prefix is first probed for an
 * AWSLogs/ below it and otherwise listed whole.  The walk is depth first
 * over sorted listings, so keys come out in S3's order.  A page is capped
 * at BUF_LISTING_MAX and parsed by s3_xml.c.
 *
 * The listings run in the same curl multi handle as the transfers, with
 * http.c's retries (http_call_*), ahead of the reader: the one on top of
 * the stack, and up to SOURCE_S3_LISTS below it while fewer than
 * SOURCE_S3_AHEAD listed keys wait, so that a listing is seldom what the
 * decoder waits for.  A page is used only when its task reaches the top,
 * and a failed listing is reported only when the keys before it have been
 * handed out, so keys and messages come in the order that one listing
 * after another would give.  Memory stays bounded: SOURCE_S3_AHEAD keys
 * plus a page per listing in flight.
 *
 * Reading.  Up to opts->jobs objects are fetched at once with the curl
 * multi interface, each into its own buffer of SOURCE_S3_XFER_BUF bytes;
 * a transfer whose buffer is full is paused until the reader drains it,
 * so memory is bounded by the number in flight, never by object size:
 * jobs buffers, and one more for the object being read once it has
 * arrived whole, when the next one is started behind it.
 * The stream handed out is always the oldest, so output order does not
 * depend on which transfer finishes first.  A transfer that fails part
 * way is resumed from the byte already delivered (Range, with If-Match on
 * the ETag), so the decoder never sees a byte twice; 5xx, throttling,
 * resets and timeouts wait with http.c's backoff.  Permanent errors name
 * the object and S3's Code and Message.  The transfers are driven not
 * only when the reader waits but also between its reads, so that a new
 * request goes out as soon as its stream is started and the objects
 * behind the one being decoded keep arriving.
 */
#include "config.h"

#include <sys/types.h>

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "aws_cred.h"
#include "buf.h"
#include "http.h"
#include "log.h"
#include "s3.h"
#include "sigv4.h"
#include "source.h"
#include "state.h"
#include "xmalloc.h"

#define SOURCE_S3_JOBS		8		/* objects in flight */
#define SOURCE_S3_JOBS_MAX	64
#define SOURCE_S3_XFER_BUF	(256 * 1024)	/* per object in flight */
#define SOURCE_S3_ATTEMPTS	HTTP_ATTEMPTS	/* tries without progress */
#define SOURCE_S3_POLL_MS	1000
#define SOURCE_S3_LISTS		4	/* listings in flight ahead */
#define SOURCE_S3_AHEAD		256	/* listed keys queued: no more */
#define SOURCE_S3_REGION	"us-east-1"	/* if none is configured */

enum source_s3_kind {
	SOURCE_S3_DISCOVER,	/* delimiter listing of a layout level */
	SOURCE_S3_LIST,		/* every key below a prefix */
};

struct source_s3_lop;

/* A listing still to do; the stack of them is walked depth first. */
struct source_s3_task {
	enum source_s3_kind	 kind;
	enum s3_level		 level;		/* of a DISCOVER */
	char			*prefix;
	char			*token;		/* continuation, or NULL */
	char			*start_after;	/* first page only */
	char			*stop;		/* keys >= stop end it */
	char			*fallback;	/* list this if it is empty */
	int			 filter;	/* by the time window */
	char			*scope;		/* --state prefix, or NULL */
	struct source_s3_lop	*op;		/* its request, once started */
};

enum source_s3_state {
	SOURCE_S3_RUN,		/* in the multi handle */
	SOURCE_S3_WAIT,		/* waiting to try again */
	SOURCE_S3_DONE,
	SOURCE_S3_FAILED,
};

/*
 * The ListObjectsV2 request of a task, run in the multi handle beside the
 * transfers.  Its page, or why there is none, waits here until the task
 * is on top of the stack: only then is it used, so keys and messages come
 * in the order one listing after another would give them.
 */
struct source_s3_lop {
	CURL			*h;
	struct http_call	*call;
	struct http_request	 rq;
	struct http_response	 rs;
	struct aws_cred		 cred;
	struct sigv4_credentials sc;	/* lends cred to rq */
	char			*query;		/* the URL's, after "?" */
	char			*url;
	char			*region;	/* the tries are signed for */
	char			*where;		/* what messages name */
	char			*prefix;
	int			 redirected;
	enum source_s3_state	 state;		/* RUN, WAIT or DONE */
	int64_t			 retry_at;	/* monotonic ms */
	int			 rv;		/* once DONE: 0, -1, -2 */
	struct s3_page		 pg;		/* rv 0 */
	char			*cause;		/* rv -1 or -2 */
};

/* One object being read. */
struct source_s3_xfer {
	struct source_s3	*s3;
	struct stream		 stream;
	char			*name;		/* s3://bucket/key */
	char			*key;
	char			*etag;		/* for If-Match, or NULL */
	uint64_t		 size;		/* from the listing */
	enum source_s3_state	 state;
	CURL			*h;
	struct curl_slist	*hdrs;
	int			 paused;

	char			*data;		/* data[off, off + len) */
	size_t			 off, len;
	uint64_t		 delivered;	/* object bytes buffered */
	uint64_t		 at_start;	/* delivered when this try began */
	uint64_t		 skip;		/* to drop from a 200 answer */

	long			 status;	/* of this try, 0 before */
	struct buf		 errbody;
	char			 hregion[SIGV4_SCOPE_MAX + 1];
	char			 hrange[128];
	char			 hetag[256];
	long			 retry_after;

	int			 attempts;	/* failed tries since progress */
	int			 redirected;
	int64_t			 retry_at;	/* monotonic ms */
	char			*cause;		/* why it failed */
};

struct source_s3 {
	char			*bucket;
	char			*region;
	char			*endpoint;	/* with the bucket if virtual */
	int			 custom;	/* AWS_ENDPOINT_URL: path style */
	struct http_client	*http;
	struct aws_cred_chain	*chain;
	CURLM			*multi;

	struct s3_window	 win;
	int			 has_window;
	char			**accounts, **regions;
	size_t			 naccounts, nregions;
	int			 jobs;
	struct state		*state;		/* --state, or NULL */
	struct source_shard	 shard;		/* --shard, source.c */
	size_t			 rootlen;	/* the prefix given */

	struct source_s3_task	*tasks;		/* a stack */
	size_t			 ntasks, tasksize;
	/* The listings started; the top task's may be one over the limit. */
	struct source_s3_lop	*lops[SOURCE_S3_LISTS + 1];
	size_t			 nlops;
	struct s3_object	*objs;		/* listed, not yet started */
	size_t			 nobjs, objhead, objsize;
	struct source_s3_xfer	**xfers;	/* in key order, jobs + 1 */
	size_t			 nxfers;
	int			 handed;	/* xfers[0] was handed out */
};

static void	*source_s3_open(const char *, const struct source_opts *,
		    char **);
static int	 source_s3_next(void *, struct stream **, char **);
static void	 source_s3_close(void *);
static ssize_t	 source_s3_read(struct stream *, void *, size_t, char **);
static void	 source_s3_lop_free(struct source_s3 *,
		    struct source_s3_lop *);
static void	 source_s3_pump(struct source_s3 *, int);
static void	 source_s3_begin(struct source_s3 *, struct s3_object *);

const struct source_ops source_s3_ops = {
	.scheme = "s3",
	.open = source_s3_open,
	.next = source_s3_next,
	.close = source_s3_close,
};

static int64_t
source_s3_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Split comma-separated values of repeated options into one list. */
static char **
source_s3_split(const char *const *v, size_t n, size_t *countp)
{
	char		**out = NULL, *copy, *p, *tok;
	size_t		  i, count = 0;

	for (i = 0; i < n; i++) {
		copy = p = xstrdup(v[i]);
		while ((tok = strsep(&p, ",")) != NULL) {
			if (*tok == '\0')
				continue;
			out = xreallocarray(out, count + 1, sizeof *out);
			out[count++] = xstrdup(tok);
		}
		free(copy);
	}
	*countp = count;
	return out;
}

static int
source_s3_wanted(char **list, size_t n, const char *s, size_t len)
{
	size_t	 i;

	if (n == 0)
		return 1;
	for (i = 0; i < n; i++)
		if (strlen(list[i]) == len && memcmp(list[i], s, len) == 0)
			return 1;
	return 0;
}

/* A bucket name as S3 allows it (3-63 of [a-z0-9.-], or older names). */
static int
source_s3_bucket_ok(const char *b, size_t n)
{
	size_t	 i;

	if (n < 3 || n > 255)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)b[i]) && b[i] != '.' &&
		    b[i] != '-' && b[i] != '_')
			return 0;
	return 1;
}

/* Where requests go: the endpoint, with the bucket in the host or not. */
static void
source_s3_set_endpoint(struct source_s3 *s)
{
	char	*ep, *host;

	free(s->endpoint);
	ep = aws_endpoint_resolve("s3", s->region, &s->custom);
	if (s->custom || strchr(s->bucket, '.') != NULL ||
	    (host = strstr(ep, "://")) == NULL) {
		xasprintf(&s->endpoint, "%s/%s", ep, s->bucket);
		free(ep);
		return;
	}
	host += 3;
	xasprintf(&s->endpoint, "%.*s%s.%s", (int)(host - ep), ep, s->bucket,
	    host);
	free(ep);
}

/* Push a listing; the task is returned for more settings. */
static struct source_s3_task *
source_s3_push(struct source_s3 *s, enum source_s3_kind kind,
    enum s3_level level, char *prefix, int filter)
{
	struct source_s3_task	*t;

	if (s->ntasks == s->tasksize) {
		s->tasksize = s->tasksize == 0 ? 16 : s->tasksize * 2;
		s->tasks = xreallocarray(s->tasks, s->tasksize,
		    sizeof *s->tasks);
	}
	t = &s->tasks[s->ntasks++];
	memset(t, 0, sizeof *t);
	t->kind = kind;
	t->level = level;
	t->prefix = prefix;		/* the task owns it */
	t->filter = filter;
	return t;
}

static void
source_s3_task_clear(struct source_s3 *s, struct source_s3_task *t)
{
	source_s3_lop_free(s, t->op);
	free(t->prefix);
	free(t->token);
	free(t->start_after);
	free(t->stop);
	free(t->fallback);
	free(t->scope);
}

static void
source_s3_pop(struct source_s3 *s)
{
	source_s3_task_clear(s, &s->tasks[--s->ntasks]);
}

/*
 * Plan a region directory: its day prefixes (pushed last first), or one
 * listing of it, bounded by the window's days where it has them.
 */
static void
source_s3_plan_region(struct source_s3 *s, const char *region)
{
	struct source_s3_task	*t;
	char			 day[S3_LIST_DAY_LEN + 1];
	const char		*mark = NULL;
	int64_t			 d;
	size_t			 len;

	/* --state: what an earlier run read up to, in key order. */
	if (s->state != NULL)
		mark = state_s3_start_after(s->state, s->bucket, region);
	if (s->has_window && s->win.days) {
		for (d = s->win.last_day; d >= s->win.first_day; d--) {
			s3_list_day(d, day);
			t = source_s3_push(s, SOURCE_S3_LIST, S3_LEVEL_DATE,
			    xprintf("%s%s", region, day), 1);
			if (s->state == NULL)
				continue;
			t->scope = xstrdup(region);
			len = strlen(t->prefix);
			if (mark == NULL || strcmp(mark, t->prefix) < 0)
				continue;
			if (strncmp(mark, t->prefix, len) == 0)
				t->start_after = xstrdup(mark);
			else
				source_s3_pop(s);	/* all read before */
		}
		return;
	}
	t = source_s3_push(s, SOURCE_S3_LIST, S3_LEVEL_REGION,
	    xstrdup(region), 1);
	if (s->has_window && s->win.has_first) {
		s3_list_day(s->win.first_day, day);
		t->start_after = xprintf("%s%s", region, day);
		len = strlen(t->start_after);
		t->start_after[len - 1] = '\0';	/* before "DD/" keys */
	}
	if (s->state != NULL) {
		t->scope = xstrdup(region);
		if (mark != NULL && (t->start_after == NULL ||
		    strcmp(mark, t->start_after) > 0)) {
			free(t->start_after);
			t->start_after = xstrdup(mark);
		}
	}
	if (s->has_window && s->win.has_last) {
		s3_list_day(s->win.last_day, day);
		t->stop = xprintf("%s%s", region, day);
		len = strlen(t->stop);
		t->stop[len - 1] = '0';		/* just after "DD/" keys */
	}
}

/* Queue the tasks for a directory the walk has reached. */
static void
source_s3_plan(struct source_s3 *s, enum s3_level level, const char *prefix)
{
	struct source_s3_task	*t;
	const char		*mark;

	switch (level) {
	case S3_LEVEL_ROOT:
	case S3_LEVEL_ORG:
	case S3_LEVEL_SERVICE:
		source_s3_push(s, SOURCE_S3_DISCOVER, level, xstrdup(prefix),
		    0);
		break;
	case S3_LEVEL_ACCOUNT:
		/* Only CloudTrail/: digests and insights when named. */
		source_s3_push(s, SOURCE_S3_DISCOVER, S3_LEVEL_SERVICE,
		    xprintf("%sCloudTrail/", prefix), 0);
		break;
	case S3_LEVEL_REGION:
		source_s3_plan_region(s, prefix);
		break;
	case S3_LEVEL_DATE:
	case S3_LEVEL_NONE:
		t = source_s3_push(s, SOURCE_S3_LIST, level, xstrdup(prefix),
		    1);
		if (s->state != NULL) {
			t->scope = xstrdup(prefix);
			if ((mark = state_s3_start_after(s->state, s->bucket,
			    prefix)) != NULL)
				t->start_after = xstrdup(mark);
		}
		break;
	}
}

/* Sanitise text from the server for a message: no control bytes. */
static char *
source_s3_clean(const char *s)
{
	char	*out = xstrdup(s), *p;

	for (p = out; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return out;
}

/*
 * What an error answer says: "Code: Message (HTTP status)".  Sets
 * *region to a region the answer names (the bucket's), if any.
 */
static char *
source_s3_describe(long status, const char *body, size_t len,
    const char *hregion, char **region, char **code)
{
	struct s3_error	 er;
	char		*c, *m, *out;

	if (region != NULL)
		*region = NULL;
	if (code != NULL)
		*code = NULL;
	if (body == NULL || s3_xml_error(body, len, &er) == -1) {
		if (region != NULL && hregion != NULL && *hregion != '\0')
			*region = xstrdup(hregion);
		if (status == 404)
			return xstrdup("not found (HTTP 404)");
		return xprintf("HTTP %ld", status);
	}
	if (region != NULL) {
		if (hregion != NULL && *hregion != '\0')
			*region = xstrdup(hregion);
		else if (er.region != NULL)
			*region = xstrdup(er.region);
	}
	c = source_s3_clean(er.code);
	if (er.message != NULL) {
		m = source_s3_clean(er.message);
		out = xprintf("%s: %s (HTTP %ld)", c, m, status);
		free(m);
	} else
		out = xprintf("%s (HTTP %ld)", c, status);
	if (code != NULL)
		*code = xstrdup(er.code);
	free(c);
	s3_error_clear(&er);
	return out;
}

/* Whether a region name from the server can be used. */
static int
source_s3_region_ok(const char *r)
{
	size_t	 n = strlen(r);

	return n > 0 && n <= SIGV4_SCOPE_MAX &&
	    strspn(r, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

/* Move to the bucket's region. */
static void
source_s3_set_region(struct source_s3 *s, const char *region)
{
	free(s->region);
	s->region = xstrdup(region);
	source_s3_set_endpoint(s);
}

/* Whether an error code means that no other request can succeed. */
static int
source_s3_fatal_code(const char *code)
{
	static const char *const fatal[] = {
		"NoSuchBucket", "ExpiredToken", "InvalidAccessKeyId",
		"SignatureDoesNotMatch", "InvalidToken", "AllAccessDisabled",
		"TokenRefreshRequired", "AccountProblem", "InvalidBucketName",
	};
	size_t	 i;

	for (i = 0; code != NULL && i < nitems(fatal); i++)
		if (strcmp(code, fatal[i]) == 0)
			return 1;
	return 0;
}

/* A listing has ended: rv 0 and op->pg, or -1 or -2 and cause. */
static void
source_s3_lop_done(struct source_s3_lop *op, int rv, char *cause)
{
	op->state = SOURCE_S3_DONE;
	op->rv = rv;
	op->cause = cause;
	aws_cred_clear(&op->cred);
	http_call_free(op->call);
	op->call = NULL;
	http_response_clear(&op->rs);
}

/* Run the next try of a listing's request. */
static void
source_s3_lop_try(struct source_s3 *s, struct source_s3_lop *op)
{
	char	*why = NULL;

	if (http_call_try(op->call, op->h, &why) == -1) {
		source_s3_lop_done(op, -2, xprintf("s3://%s/%s: listing: %s",
		    s->bucket, op->where, why));
		free(why);
		return;
	}
	if (curl_multi_add_handle(s->multi, op->h) != CURLM_OK)
		fatalx("curl_multi_add_handle failed");
	op->state = SOURCE_S3_RUN;
}

/* Send a listing's request, to the bucket's endpoint as now known. */
static void
source_s3_lop_call(struct source_s3 *s, struct source_s3_lop *op)
{
	char	*why = NULL;

	aws_cred_clear(&op->cred);
	if (aws_cred_get(s->chain, &op->cred, &why) == -1) {
		source_s3_lop_done(op, -2, xprintf("s3://%s/%s: "
		    "credentials: %s", s->bucket, op->where, why));
		free(why);
		return;
	}
	free(op->url);
	op->url = xprintf("%s/?%s", s->endpoint, op->query);
	free(op->region);
	op->region = xstrdup(s->region);
	memset(&op->rq, 0, sizeof op->rq);
	op->rq.method = "GET";
	op->rq.url = op->url;
	aws_cred_sigv4(&op->cred, &op->sc);
	op->rq.cred = &op->sc;
	op->rq.region = op->region;
	op->rq.service = "s3";
	op->rq.sigv4_flags = SIGV4_S3;
	op->rq.payload_hash = SIGV4_EMPTY_SHA256;
	op->rq.body_max = BUF_LISTING_MAX;
	http_response_clear(&op->rs);
	http_response_init(&op->rs);
	http_call_free(op->call);
	op->call = http_call_create(s->http, &op->rq, &op->rs);
	source_s3_lop_try(s, op);
}

/* Start the listing of a task. */
static void
source_s3_lop_start(struct source_s3 *s, struct source_s3_task *t)
{
	struct source_s3_lop	*op;
	struct buf		 q;
	char			*e;

	buf_init(&q, SIZE_MAX / 2);
	e = sigv4_uri_encode(t->prefix, strlen(t->prefix), 0);
	if (buf_printf(&q, "list-type=2&prefix=%s", e) == -1)
		fatalx("listing query");
	free(e);
	if (t->kind == SOURCE_S3_DISCOVER &&
	    buf_printf(&q, "&delimiter=%%2F") == -1)
		fatalx("listing query");
	if (t->token != NULL) {
		e = sigv4_uri_encode(t->token, strlen(t->token), 0);
		if (buf_printf(&q, "&continuation-token=%s", e) == -1)
			fatalx("listing query");
		free(e);
	} else if (t->start_after != NULL) {
		e = sigv4_uri_encode(t->start_after, strlen(t->start_after),
		    0);
		if (buf_printf(&q, "&start-after=%s", e) == -1)
			fatalx("listing query");
		free(e);
	}

	op = xcalloc(1, sizeof *op);
	op->query = xstrdup(q.data);
	buf_clear(&q);
	/* Name what the user asked for, not the probe below it. */
	op->where = xstrdup(t->fallback != NULL ? t->fallback : t->prefix);
	op->prefix = xstrdup(t->prefix);
	http_response_init(&op->rs);
	if ((op->h = curl_easy_init()) == NULL)
		fatalx("curl_easy_init failed");
	if (s->nlops == nitems(s->lops))
		fatalx("more listings than SOURCE_S3_LISTS + 1");
	s->lops[s->nlops++] = op;
	t->op = op;
	source_s3_lop_call(s, op);
}

/* A try of a listing has ended: judge the answer as a page or an error. */
static void
source_s3_lop_end(struct source_s3 *s, struct source_s3_lop *op,
    CURLcode rc)
{
	struct http_response	*rs = &op->rs;
	char			*why = NULL, *region, *code;
	char			 hregion[SIGV4_SCOPE_MAX + 1];
	unsigned		 wait;
	long			 status;

	curl_multi_remove_handle(s->multi, op->h);
	switch (http_call_end(op->call, rc, &wait, &why)) {
	case 0:
		op->state = SOURCE_S3_WAIT;
		op->retry_at = source_s3_now() + wait;
		return;
	case -1:
		source_s3_lop_done(op, -2, xprintf("s3://%s/%s: listing: %s",
		    s->bucket, op->where, why));
		free(why);
		return;
	}
	if (rs->status == 200) {
		if (s3_xml_page(rs->body.data, rs->body.len, &op->pg,
		    &why) == -1) {
			source_s3_lop_done(op, -1, xprintf("s3://%s/%s: %s",
			    s->bucket, op->prefix, why));
			free(why);
		} else
			source_s3_lop_done(op, 0, NULL);
		return;
	}
	status = rs->status;
	if (http_response_header(rs, "x-amz-bucket-region", hregion,
	    sizeof hregion) == NULL)
		hregion[0] = '\0';
	why = source_s3_describe(status, rs->body.data, rs->body.len,
	    hregion, &region, &code);
	if (!op->redirected && region != NULL &&
	    (status == 301 || status == 400) &&
	    source_s3_region_ok(region) && strcmp(region, op->region) != 0) {
		/* Another listing may have moved there already. */
		if (strcmp(region, s->region) != 0)
			source_s3_set_region(s, region);
		op->redirected = 1;
		free(region);
		free(code);
		free(why);
		source_s3_lop_call(s, op);
		return;
	}
	source_s3_lop_done(op, source_s3_fatal_code(code) || status == 301 ?
	    -2 : -1, xprintf("s3://%s/%s: %s", s->bucket, op->where, why));
	free(region);
	free(code);
	free(why);
}

static void
source_s3_lop_free(struct source_s3 *s, struct source_s3_lop *op)
{
	size_t	 i;

	if (op == NULL)
		return;
	if (op->state == SOURCE_S3_RUN)
		curl_multi_remove_handle(s->multi, op->h);
	for (i = 0; i < s->nlops; i++) {
		if (s->lops[i] == op) {
			s->lops[i] = s->lops[--s->nlops];
			break;
		}
	}
	curl_easy_cleanup(op->h);
	http_call_free(op->call);
	aws_cred_clear(&op->cred);
	http_response_clear(&op->rs);
	s3_page_clear(&op->pg);
	free(op->query);
	free(op->url);
	free(op->region);
	free(op->where);
	free(op->prefix);
	free(op->cause);
	free(op);
}

/*
 * Start listings ahead of the reader: always the one on top of the stack
 * (everything waits for it), and below it up to SOURCE_S3_LISTS in all
 * while fewer than SOURCE_S3_AHEAD keys are queued, so that the next
 * pages are there when the queue runs out.  They wait, though, while
 * nothing at all is being read (the reader waits for the top one alone),
 * and while at least jobs keys are queued and an object is still on its
 * way: a server may take longer to list a prefix than to send an object
 * (s3rver does, one request at a time), and the reader needs the objects
 * first.  Nothing below a listing that ends the walk (-2) is started: it
 * would never be read.
 */
static void
source_s3_ahead(struct source_s3 *s)
{
	struct source_s3_task	*t;
	size_t			 i, queued = s->nobjs - s->objhead;
	int			 idle = s->nxfers > 0;

	for (i = 0; i < s->nxfers; i++)
		if (s->xfers[i]->state == SOURCE_S3_RUN ||
		    s->xfers[i]->state == SOURCE_S3_WAIT)
			idle = 0;
	for (i = s->ntasks; i-- > 0;) {
		t = &s->tasks[i];
		if (t->op == NULL) {
			if (i != s->ntasks - 1 && (s->nlops >= SOURCE_S3_LISTS ||
			    queued >= SOURCE_S3_AHEAD ||
			    (queued == 0 && s->nxfers == 0) ||
			    (queued >= (size_t)s->jobs && !idle)))
				break;
			source_s3_lop_start(s, t);
		}
		if (t->op->state == SOURCE_S3_DONE && t->op->rv == -2)
			break;
	}
}

/* The last component of a common prefix "a/b/c/": "c", length 1. */
static const char *
source_s3_component(const char *prefix, size_t *lenp)
{
	size_t		 n = strlen(prefix);
	const char	*p;

	if (n > 0 && prefix[n - 1] == '/')
		n--;
	for (p = prefix + n; p > prefix && p[-1] != '/'; p--)
		;
	*lenp = (size_t)(prefix + n - p);
	return p;
}

/* Queue a listed key, unless the window or its form rules it out. */
static void
source_s3_add_object(struct source_s3 *s, const struct source_s3_task *t,
    struct s3_object *o)
{
	size_t	 n = strlen(o->key);

	if (n == 0 || o->key[n - 1] == '/' ||
	    (t->filter && s->has_window &&
	    !s3_list_key_in_window(o->key, &s->win)))
		return;
	if (!source_shard_keep(&s->shard, o->key + (n > s->rootlen ?
	    s->rootlen : 0)))
		return;		/* another shard's */
	if (t->scope != NULL &&
	    !state_s3_want(s->state, s->bucket, t->scope, o->key))
		return;		/* read by an earlier run */
	if (s->nobjs == s->objsize) {
		s->objsize = s->objsize == 0 ? 64 : s->objsize * 2;
		s->objs = xreallocarray(s->objs, s->objsize, sizeof *s->objs);
	}
	s->objs[s->nobjs++] = *o;
	memset(o, 0, sizeof *o);	/* the queue owns the strings */
}

/*
 * Use the ended listing on top of the stack: its keys join the queue, its
 * prefixes become tasks.  0, or -1 and *cause if the listing failed.
 */
static int
source_s3_step(struct source_s3 *s, char **cause)
{
	struct source_s3_task	 t;
	struct source_s3_lop	*op = s->tasks[s->ntasks - 1].op;
	struct s3_page		*pg = &op->pg;
	const char		*c;
	char			*where;
	size_t			 i, n;

	if (op->rv != 0) {
		*cause = op->cause;
		op->cause = NULL;
		if (op->rv == -2) {
			/* The bucket is out of reach: nothing more to list. */
			while (s->ntasks > 0)
				source_s3_pop(s);
		} else
			source_s3_pop(s);
		return -1;
	}
	if (s->objhead > 0) {
		memmove(s->objs, s->objs + s->objhead,
		    (s->nobjs - s->objhead) * sizeof *s->objs);
		s->nobjs -= s->objhead;
		s->objhead = 0;
	}

	/* Take the task off, and put its next page back first. */
	t = s->tasks[--s->ntasks];
	if (pg->truncated) {
		source_s3_push(s, t.kind, t.level, xstrdup(t.prefix),
		    t.filter);
		s->tasks[s->ntasks - 1].token = xstrdup(pg->next_token);
		if (t.stop != NULL)
			s->tasks[s->ntasks - 1].stop = xstrdup(t.stop);
		if (t.scope != NULL)
			s->tasks[s->ntasks - 1].scope = xstrdup(t.scope);
	}

	if (t.kind == SOURCE_S3_LIST) {
		for (i = 0; i < pg->nobjects; i++) {
			if (t.stop != NULL &&
			    strcmp(pg->objects[i].key, t.stop) >= 0) {
				/* Past the window: no more pages either. */
				if (pg->truncated)
					source_s3_pop(s);
				break;
			}
			source_s3_add_object(s, &t, &pg->objects[i]);
		}
		goto out;
	}

	if (t.fallback != NULL && pg->nprefixes == 0 && pg->nobjects == 0) {
		/* No AWSLogs/ below the prefix: list it whole. */
		source_s3_plan(s, S3_LEVEL_NONE, t.fallback);
		goto out;
	}
	/* Children go on the stack last first, so they come out in order. */
	for (i = pg->nprefixes; i-- > 0;) {
		c = source_s3_component(pg->prefixes[i], &n);
		switch (t.level) {
		case S3_LEVEL_ROOT:
			if (s3_list_is_org(c, n)) {
				source_s3_plan(s, S3_LEVEL_ORG,
				    pg->prefixes[i]);
				break;
			}
			/* FALLTHROUGH */
		case S3_LEVEL_ORG:
			if (!s3_list_is_account(c, n)) {
				/* Never drop what the walk cannot place. */
				where = xprintf("s3://%s/%s", s->bucket,
				    pg->prefixes[i]);
				diag(DIAG_WARN, where, 0, "neither an account "
				    "nor an organization id: not walked (give "
				    "it as the prefix to read it)");
				free(where);
				break;
			}
			if (source_s3_wanted(s->accounts, s->naccounts, c, n))
				source_s3_plan(s, S3_LEVEL_ACCOUNT,
				    pg->prefixes[i]);
			break;
		case S3_LEVEL_SERVICE:
			if (source_s3_wanted(s->regions, s->nregions, c, n))
				source_s3_plan(s, S3_LEVEL_REGION,
				    pg->prefixes[i]);
			break;
		default:
			break;
		}
	}
out:
	source_s3_task_clear(s, &t);	/* and the listing with its page */
	return 0;
}

/* The header callback: the status line and the headers retries need. */
static size_t
source_s3_header(char *p, size_t size, size_t n, void *arg)
{
	struct source_s3_xfer	*x = arg;
	size_t			 len = size * n, vlen;
	const char		*v;
	char			*dst = NULL;
	size_t			 dstsize = 0;

	if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
		/* A new answer (after 100 Continue, say): forget the last. */
		x->hregion[0] = x->hrange[0] = x->hetag[0] = '\0';
		x->retry_after = 0;
		return len;
	}
	if ((v = memchr(p, ':', len)) == NULL)
		return len;
	if ((size_t)(v - p) == 19 &&
	    strncasecmp(p, "x-amz-bucket-region", 19) == 0) {
		dst = x->hregion;
		dstsize = sizeof x->hregion;
	} else if ((size_t)(v - p) == 13 &&
	    strncasecmp(p, "content-range", 13) == 0) {
		dst = x->hrange;
		dstsize = sizeof x->hrange;
	} else if ((size_t)(v - p) == 4 && strncasecmp(p, "etag", 4) == 0) {
		dst = x->hetag;
		dstsize = sizeof x->hetag;
	} else if ((size_t)(v - p) == 11 &&
	    strncasecmp(p, "retry-after", 11) == 0) {
		x->retry_after = strtol(v + 1, NULL, 10);
		if (x->retry_after < 0)
			x->retry_after = 0;
		return len;
	} else
		return len;
	v++;
	while (v < p + len && (*v == ' ' || *v == '\t'))
		v++;
	vlen = (size_t)(p + len - v);
	while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' ||
	    v[vlen - 1] == ' '))
		vlen--;
	if (vlen >= dstsize)
		vlen = dstsize - 1;
	memcpy(dst, v, vlen);
	dst[vlen] = '\0';
	return len;
}

/* Check a 206 answer starts where the object was left: 0, or -1. */
static int
source_s3_range_ok(const struct source_s3_xfer *x)
{
	unsigned long long	 start;
	char			*end;

	if (strncmp(x->hrange, "bytes ", 6) != 0)
		return -1;
	start = strtoull(x->hrange + 6, &end, 10);
	if (end == x->hrange + 6 || *end != '-')
		return -1;
	return start == x->delivered ? 0 : -1;
}

/* The write callback: buffer the body, or pause when the buffer is full. */
static size_t
source_s3_write(char *p, size_t size, size_t n, void *arg)
{
	struct source_s3_xfer	*x = arg;
	size_t			 len = size * n, drop, rest;

	if (x->status == 0) {
		curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &x->status);
		if (x->status == 206 && source_s3_range_ok(x) == -1) {
			x->cause = xprintf("resumed at byte %llu, but the "
			    "answer starts elsewhere (%s)",
			    (unsigned long long)x->delivered, x->hrange);
			return 0;
		}
		/* A whole object again: drop what was delivered. */
		x->skip = x->status == 200 ? x->delivered : 0;
		if (x->status == 200 && x->delivered != 0 && x->etag != NULL &&
		    x->hetag[0] != '\0' && strcmp(x->hetag, x->etag) != 0) {
			x->cause = xstrdup("object changed while it was read");
			return 0;
		}
	}
	if (x->status != 200 && x->status != 206) {
		/* An error document, capped; what is over the cap is lost. */
		drop = HTTP_ERROR_MAX - x->errbody.len;
		if (drop > len)
			drop = len;
		if (drop > 0 && buf_add(&x->errbody, p, drop) == -1)
			fatalx("error body over its cap");
		return len;
	}
	drop = x->skip < len ? (size_t)x->skip : len;
	rest = len - drop;
	if (rest > SOURCE_S3_XFER_BUF - x->len) {
		x->paused = 1;
		return CURL_WRITEFUNC_PAUSE;
	}
	if (x->off + x->len + rest > SOURCE_S3_XFER_BUF) {
		memmove(x->data, x->data + x->off, x->len);
		x->off = 0;
	}
	memcpy(x->data + x->off + x->len, p + drop, rest);
	x->len += rest;
	x->skip -= drop;
	x->delivered += rest;
	return len;
}

/* Start one try of a transfer: 0, or -1 and x failed. */
static int
source_s3_start(struct source_s3_xfer *x)
{
	struct source_s3	*s = x->s3;
	struct http_header	 hv[2];
	struct http_request	 rq;
	struct aws_cred		 cred;
	struct sigv4_credentials sc;
	char			*url, *e, range[64], *why = NULL;
	size_t			 nh = 0;

	memset(&cred, 0, sizeof cred);
	if (aws_cred_get(s->chain, &cred, &why) == -1) {
		x->cause = xprintf("credentials: %s", why);
		free(why);
		x->state = SOURCE_S3_FAILED;
		return -1;
	}
	if (x->delivered != 0) {
		snprintf(range, sizeof range, "bytes=%llu-",
		    (unsigned long long)x->delivered);
		hv[nh].name = "Range";
		hv[nh++].value = range;
		if (x->etag != NULL) {
			hv[nh].name = "If-Match";
			hv[nh++].value = x->etag;
		}
	}
	e = sigv4_uri_encode(x->key, strlen(x->key), 1);
	url = xprintf("%s/%s", s->endpoint, e);
	free(e);
	memset(&rq, 0, sizeof rq);
	rq.method = "GET";
	rq.url = url;
	rq.headers = hv;
	rq.nheaders = nh;
	aws_cred_sigv4(&cred, &sc);
	rq.cred = &sc;
	rq.region = s->region;
	rq.service = "s3";
	rq.sigv4_flags = SIGV4_S3;
	rq.payload_hash = SIGV4_EMPTY_SHA256;

	if (x->h == NULL && (x->h = curl_easy_init()) == NULL)
		fatalx("curl_easy_init failed");
	curl_easy_reset(x->h);
	curl_slist_free_all(x->hdrs);
	x->hdrs = NULL;
	if (http_easy_setup(s->http, x->h, &rq, &x->hdrs, &why) == -1) {
		x->cause = why;
		x->state = SOURCE_S3_FAILED;
		aws_cred_clear(&cred);
		free(url);
		return -1;
	}
	aws_cred_clear(&cred);
	free(url);
	curl_easy_setopt(x->h, CURLOPT_WRITEFUNCTION, source_s3_write);
	curl_easy_setopt(x->h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->h, CURLOPT_HEADERFUNCTION, source_s3_header);
	curl_easy_setopt(x->h, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(x->h, CURLOPT_PRIVATE, x);
	x->status = 0;
	x->paused = 0;
	x->skip = 0;
	x->at_start = x->delivered;
	buf_reset(&x->errbody);
	x->hregion[0] = x->hrange[0] = x->hetag[0] = '\0';
	x->retry_after = 0;
	if (curl_multi_add_handle(s->multi, x->h) != CURLM_OK)
		fatalx("curl_multi_add_handle failed");
	x->state = SOURCE_S3_RUN;
	return 0;
}

/* Whether a transport error is worth another try. */
static int
source_s3_retry_curl(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_GOT_NOTHING:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

/* A try has ended: done, failed, or to be tried again later. */
static void
source_s3_finished(struct source_s3_xfer *x, CURLcode rc)
{
	struct source_s3	*s = x->s3;
	char			*why, *region = NULL, *code = NULL;
	int			 retry = 0;

	curl_multi_remove_handle(s->multi, x->h);
	if (x->cause != NULL) {
		x->state = SOURCE_S3_FAILED;
		return;
	}
	if (x->delivered != x->at_start)
		x->attempts = 0;	/* progress: a fresh set of tries */
	if (rc == CURLE_OK && (x->status == 200 || x->status == 206)) {
		if (x->delivered != x->size)
			x->cause = xprintf("object is %llu bytes, %llu were "
			    "listed", (unsigned long long)x->delivered,
			    (unsigned long long)x->size);
		x->state = x->cause != NULL ? SOURCE_S3_FAILED :
		    SOURCE_S3_DONE;
		return;
	}
	if (rc == CURLE_OK) {
		if (x->status == 0)
			curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE,
			    &x->status);
		why = source_s3_describe(x->status, x->errbody.data,
		    x->errbody.len, x->hregion, &region, &code);
		if (!x->redirected && region != NULL &&
		    (x->status == 301 || x->status == 400) &&
		    source_s3_region_ok(region)) {
			if (strcmp(region, s->region) != 0)
				source_s3_set_region(s, region);
			x->redirected = 1;
			free(region);
			free(code);
			free(why);
			source_s3_start(x);
			return;
		}
		if (x->status == 412)
			x->cause = xstrdup("object changed while it was read "
			    "(If-Match failed)");
		else if (http_retry_status(x->status) ||
		    (code != NULL && http_retry_code(code)))
			retry = 1;
		if (x->cause == NULL)
			x->cause = why;
		else
			free(why);
		free(region);
		free(code);
	} else {
		x->cause = xstrdup(curl_easy_strerror(rc));
		retry = source_s3_retry_curl(rc);
	}
	if (retry && ++x->attempts < SOURCE_S3_ATTEMPTS) {
		free(x->cause);
		x->cause = NULL;
		x->state = SOURCE_S3_WAIT;
		x->retry_at = source_s3_now() +
		    http_backoff_ms(s->http, x->attempts, x->retry_after);
		return;
	}
	if (retry) {
		why = x->cause;
		x->cause = xprintf("%s, after %d tries", why, x->attempts);
		free(why);
	}
	x->state = SOURCE_S3_FAILED;
}

/*
 * Use the listings that have ended, in stack order, while the queue has
 * room; then start more.
 */
static void
source_s3_settle(struct source_s3 *s)
{
	struct source_s3_lop	*op;
	char			*cause = NULL;

	while (s->ntasks > 0 && s->nobjs - s->objhead < SOURCE_S3_AHEAD &&
	    (op = s->tasks[s->ntasks - 1].op) != NULL &&
	    op->state == SOURCE_S3_DONE && op->rv == 0)
		(void)source_s3_step(s, &cause);	/* cannot fail */
	source_s3_ahead(s);
}

/*
 * Keep jobs objects coming behind the one being read: once that one has
 * arrived whole it is no longer fetched, and one more is started from the
 * queue (never waiting for a listing here), so that even with -j 1 the
 * network works while the reader decodes.  1 if one was started.
 */
static int
source_s3_fill(struct source_s3 *s)
{
	struct s3_object	 o;

	if (!s->handed || s->nxfers != (size_t)s->jobs ||
	    (s->xfers[0]->state != SOURCE_S3_DONE &&
	    s->xfers[0]->state != SOURCE_S3_FAILED) ||
	    s->objhead == s->nobjs)
		return 0;
	o = s->objs[s->objhead++];
	source_s3_begin(s, &o);
	return 1;
}

/*
 * Drive the transfers and listings: wait for activity if block is set,
 * run them, note the ends.  Without block it only does what is ready,
 * which the reader does between its reads so that requests go out and
 * answers come in while it decodes, not only when it has run dry.
 */
static void
source_s3_pump(struct source_s3 *s, int block)
{
	struct source_s3_xfer	*x;
	struct source_s3_lop	*op;
	CURLMsg			*msg;
	int64_t			 now, wait = SOURCE_S3_POLL_MS;
	size_t			 i;
	int			 running, left;

	now = source_s3_now();
	for (i = 0; i < s->nxfers; i++) {
		x = s->xfers[i];
		if (x->state != SOURCE_S3_WAIT)
			continue;
		if (x->retry_at <= now)
			source_s3_start(x);
		else if (x->retry_at - now < wait)
			wait = x->retry_at - now;
	}
	for (i = 0; i < s->nlops; i++) {
		op = s->lops[i];
		if (op->state != SOURCE_S3_WAIT)
			continue;
		if (op->retry_at <= now)
			source_s3_lop_try(s, op);
		else if (op->retry_at - now < wait)
			wait = op->retry_at - now;
	}
	if (block)
		curl_multi_poll(s->multi, NULL, 0, (int)wait, NULL);
	curl_multi_perform(s->multi, &running);
	while ((msg = curl_multi_info_read(s->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		for (i = 0; i < s->nlops; i++)
			if (s->lops[i]->h == msg->easy_handle)
				break;
		if (i < s->nlops) {
			source_s3_lop_end(s, s->lops[i], msg->data.result);
			continue;
		}
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &x);
		source_s3_finished(x, msg->data.result);
	}
	source_s3_settle(s);
	if (source_s3_fill(s))
		curl_multi_perform(s->multi, &running);
}

/* Read from the oldest object, running every transfer meanwhile. */
static ssize_t
source_s3_read(struct stream *st, void *out, size_t len, char **cause)
{
	struct source_s3_xfer	*x = st->priv;

	for (;;) {
		if (x->len > 0) {
			if (len > x->len)
				len = x->len;
			memcpy(out, x->data + x->off, len);
			x->off += len;
			x->len -= len;
			if (x->len == 0)
				x->off = 0;
			if (x->paused && x->state == SOURCE_S3_RUN &&
			    SOURCE_S3_XFER_BUF - x->len >= CURL_MAX_WRITE_SIZE) {
				x->paused = 0;
				curl_easy_pause(x->h, CURLPAUSE_CONT);
			}
			source_s3_pump(x->s3, 0);
			return (ssize_t)len;
		}
		if (x->state == SOURCE_S3_DONE)
			return 0;
		if (x->state == SOURCE_S3_FAILED) {
			*cause = xstrdup(x->cause);
			return -1;
		}
		if (x->paused) {
			x->paused = 0;
			curl_easy_pause(x->h, CURLPAUSE_CONT);
			continue;
		}
		source_s3_pump(x->s3, 1);
	}
}

static void
source_s3_xfer_free(struct source_s3_xfer *x)
{
	if (x == NULL)
		return;
	if (x->h != NULL) {
		if (x->state == SOURCE_S3_RUN)
			curl_multi_remove_handle(x->s3->multi, x->h);
		curl_easy_cleanup(x->h);
	}
	curl_slist_free_all(x->hdrs);
	buf_clear(&x->errbody);
	free(x->data);
	free(x->name);
	free(x->key);
	free(x->etag);
	free(x->cause);
	free(x);
}

/* Begin fetching the next listed object. */
static void
source_s3_begin(struct source_s3 *s, struct s3_object *o)
{
	struct source_s3_xfer	*x;

	x = xcalloc(1, sizeof *x);
	x->s3 = s;
	x->key = o->key;
	x->etag = o->etag;
	x->size = o->size;
	x->name = xprintf("s3://%s/%s", s->bucket, x->key);
	x->data = xmalloc(SOURCE_S3_XFER_BUF);
	buf_init(&x->errbody, HTTP_ERROR_MAX);
	x->stream.name = x->name;
	x->stream.read = source_s3_read;
	x->stream.priv = x;
	s->xfers[s->nxfers++] = x;
	if (x->size == 0)
		x->state = SOURCE_S3_DONE;	/* nothing to fetch */
	else
		source_s3_start(x);
}

/* The next object to fetch: 1, 0 when listed out, -1 and *cause. */
static int
source_s3_take(struct source_s3 *s, struct s3_object *o, char **cause)
{
	struct source_s3_lop	*op;

	for (;;) {
		if (s->objhead < s->nobjs) {
			*o = s->objs[s->objhead++];
			return 1;
		}
		if (s->ntasks == 0)
			return 0;
		if ((op = s->tasks[s->ntasks - 1].op) == NULL)
			source_s3_ahead(s);
		else if (op->state != SOURCE_S3_DONE)
			source_s3_pump(s, 1);
		else if (source_s3_step(s, cause) == -1)
			return -1;
	}
}

static int
source_s3_next(void *priv, struct stream **sp, char **cause)
{
	struct source_s3	*s = priv;
	struct s3_object	 o;
	int			 rv;

	if (s->handed) {
		source_s3_xfer_free(s->xfers[0]);
		memmove(s->xfers, s->xfers + 1,
		    (s->nxfers - 1) * sizeof *s->xfers);
		s->nxfers--;
		s->handed = 0;
	}
	while (s->nxfers < (size_t)s->jobs) {
		if ((rv = source_s3_take(s, &o, cause)) == -1)
			return -1;
		if (rv == 0)
			break;
		source_s3_begin(s, &o);
	}
	if (s->nxfers == 0)
		return 0;
	source_s3_pump(s, 0);	/* send the new requests now */
	s->handed = 1;
	*sp = &s->xfers[0]->stream;
	return 1;
}

static void
source_s3_close(void *priv)
{
	struct source_s3	*s = priv;
	size_t			 i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nxfers; i++)
		source_s3_xfer_free(s->xfers[i]);
	free(s->xfers);
	while (s->ntasks > 0)
		source_s3_pop(s);
	free(s->tasks);
	for (i = s->objhead; i < s->nobjs; i++) {
		free(s->objs[i].key);
		free(s->objs[i].etag);
	}
	free(s->objs);
	for (i = 0; i < s->naccounts; i++)
		free(s->accounts[i]);
	free(s->accounts);
	for (i = 0; i < s->nregions; i++)
		free(s->regions[i]);
	free(s->regions);
	if (s->multi != NULL)
		curl_multi_cleanup(s->multi);
	aws_cred_chain_free(s->chain);
	http_client_free(s->http);
	free(s->bucket);
	free(s->region);
	free(s->endpoint);
	free(s);
}

/* Open s3://bucket[/prefix]: credentials and a plan; no request yet. */
static void *
source_s3_open(const char *uri, const struct source_opts *opts,
    char **cause)
{
	struct source_s3	*s;
	struct aws_cred_opts	 copts;
	struct http_opts	 hopts;
	const char		*b, *slash;
	char			*prefix, *why = NULL;
	enum s3_level		 level;
	size_t			 blen;

	b = uri + 5;		/* "s3://" */
	slash = strchr(b, '/');
	blen = slash != NULL ? (size_t)(slash - b) : strlen(b);
	if (!source_s3_bucket_ok(b, blen)) {
		*cause = xprintf("%s: not a bucket name", uri);
		return NULL;
	}
	s = xcalloc(1, sizeof *s);
	s->bucket = xstrndup(b, blen);
	prefix = xstrdup(slash != NULL ? slash + 1 : "");
	if (strlen(prefix) > S3_KEY_MAX) {
		*cause = xprintf("%s: prefix too long", uri);
		goto fail;
	}

	memset(&copts, 0, sizeof copts);
	copts.profile = opts->profile;
	if ((s->chain = aws_cred_chain_create(&copts, &why)) == NULL) {
		*cause = xprintf("%s: %s", uri, why);
		goto fail;
	}
	s->region = aws_region_resolve(NULL, opts->profile, &why);
	if (s->region == NULL && why != NULL) {
		*cause = xprintf("%s: %s", uri, why);
		goto fail;
	}
	if (s->region == NULL)
		s->region = xstrdup(SOURCE_S3_REGION);
	source_s3_set_endpoint(s);
	memset(&hopts, 0, sizeof hopts);
	if ((s->http = http_client_create(&hopts, &why)) == NULL) {
		*cause = xprintf("%s: %s", uri, why);
		goto fail;
	}
	if ((s->multi = curl_multi_init()) == NULL)
		fatalx("curl_multi_init failed");

	s->state = opts->state;
	s->shard = opts->shard;
	s->rootlen = strlen(prefix);
	s->jobs = opts->jobs > 0 ? opts->jobs : SOURCE_S3_JOBS;
	if (s->jobs > SOURCE_S3_JOBS_MAX)
		s->jobs = SOURCE_S3_JOBS_MAX;
	s->xfers = xcalloc((size_t)s->jobs + 1, sizeof *s->xfers);
	s->accounts = source_s3_split(opts->accounts, opts->naccounts,
	    &s->naccounts);
	s->regions = source_s3_split(opts->regions, opts->nregions,
	    &s->nregions);
	if (opts->since_ms != 0 || opts->until_ms != 0) {
		s->has_window = 1;
		s3_list_window(opts->since_ms, opts->until_ms,
		    (int64_t)time(NULL) * 1000, &s->win);
	}

	level = s3_list_level(prefix);
	if (level != S3_LEVEL_NONE) {
		if (*prefix != '\0' && prefix[strlen(prefix) - 1] != '/') {
			why = prefix;
			prefix = xprintf("%s/", why);
			free(why);
		}
		source_s3_plan(s, level, prefix);
	} else if (*prefix == '\0' || prefix[strlen(prefix) - 1] == '/' ||
	    strstr(prefix, "AWSLogs") == NULL) {
		/* Probe for the layout below; list it all if there is none. */
		source_s3_push(s, SOURCE_S3_DISCOVER, S3_LEVEL_ROOT,
		    xprintf("%s%sAWSLogs/", prefix, *prefix == '\0' ||
		    prefix[strlen(prefix) - 1] == '/' ? "" : "/"), 0);
		s->tasks[0].fallback = prefix;
		return s;
	} else
		source_s3_plan(s, S3_LEVEL_NONE, prefix);
	free(prefix);
	return s;
fail:
	free(why);
	free(prefix);
	source_s3_close(s);
	return NULL;
}
