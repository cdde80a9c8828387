/* SPDX-License-Identifier: ISC */
/*
 * The S3 source: s3://bucket[/prefix] as a sequence of streams, one per
 * object, in key order.
 *
 * Listing.  A prefix inside CloudTrail's layout (s3_list.c) is walked
 * level by level with delimiter listings: organizations and accounts
 * under AWSLogs/, regions under ACCOUNT/CloudTrail/, then, with a time
 * window, only the day prefixes that can hold it, keeping the files whose
 * delivery time fits.  Digest files are read when verifying, Insights
 * files when a rule reads Insights events, and either when the prefix
 * names their directory.  Any other prefix is first probed for an
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
 *
 * This file holds the source's ops, the messages and the region handling
 * both halves share; the listing planner is source_s3_plan.c and the
 * transfer engine source_s3_xfer.c, with their common types in
 * source_s3_int.h.
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
#include "aws_error.h"
#include "forms.h"
#include "buf.h"
#include "http.h"
#include "log.h"
#include "s3.h"
#include "sigv4.h"
#include "source.h"
#include "source_s3_int.h"
#include "state.h"
#include "xmalloc.h"

static void	*source_s3_open(const char *, const struct source_opts *,
		    char **);
static int	 source_s3_next(void *, struct stream **, char **);
static void	 source_s3_close(void *);

/* When the run deadline passes, monotonic ms: set by the first source. */
static int64_t	 source_s3_run_at;

const struct source_ops source_s3_ops = {
	.scheme = "s3",
	.open = source_s3_open,
	.next = source_s3_next,
	.close = source_s3_close,
};

int64_t
source_s3_run_deadline(void)
{
	return source_s3_run_at;
}

int64_t
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

int
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

/*
 * What an error answer says: "Code: Message (HTTP status)".  Sets
 * *region to a region the answer names (the bucket's), if any.
 */
char *
source_s3_describe(long status, const char *body, size_t len,
    const char *hregion, char **region, char **code)
{
	struct aws_error er;
	char		*out;

	if (region != NULL)
		*region = NULL;
	if (code != NULL)
		*code = NULL;
	if (body == NULL || aws_error_parse(body, len, &er) == -1 ||
	    er.code == NULL) {
		if (body != NULL)
			aws_error_clear(&er);
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
	if (er.message != NULL)
		out = xprintf("%s: %s (HTTP %ld)", er.code, er.message, status);
	else
		out = xprintf("%s (HTTP %ld)", er.code, status);
	if (code != NULL)
		*code = xstrdup(er.code);
	aws_error_clear(&er);
	return out;
}

/* Whether a region name from the server can be used. */
int
source_s3_region_ok(const char *r)
{
	size_t	 n = strlen(r);

	return n > 0 && n <= SIGV4_SCOPE_MAX &&
	    strspn(r, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

/* Move to the bucket's region. */
void
source_s3_set_region(struct source_s3 *s, const char *region)
{
	free(s->region);
	s->region = xstrdup(region);
	source_s3_set_endpoint(s);
}

/* Whether an error code means that no other request can succeed. */
int
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

/* The next object to fetch: 1, 0 when listed out, -1 and *cause. */
static int
source_s3_take(struct source_s3 *s, struct s3_object *o, char **cause)
{
	struct source_s3_lop	*op;

	for (;;) {
		if (s->run_expired)
			return 0;
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
	if (s->nxfers == 0) {
		if (s->run_expired && !s->run_reported &&
		    (s->ntasks > 0 || s->objhead < s->nobjs)) {
			s->run_reported = 1;
			*cause = xprintf("s3://%s: the run deadline of %lld s "
			    "(--run-deadline) passed with objects still to "
			    "list or read", s->bucket,
			    (long long)(s->run_ms / 1000));
			return -1;
		}
		return 0;
	}
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
	free(s->run_why);
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

	/* The run deadline counts from the first S3 source on. */
	s->run_ms = opts->run_deadline_ms;
	if (s->run_ms > 0 && source_s3_run_at == 0)
		source_s3_run_at = source_s3_now() + s->run_ms;
	s->run_at = s->run_ms > 0 ? source_s3_run_at : 0;
	s->run_why = xprintf("the run deadline of %lld s (--run-deadline) "
	    "passed", (long long)(s->run_ms / 1000));

	memset(&copts, 0, sizeof copts);
	copts.profile = opts->profile;
	copts.deadline_at = s->run_at;
	copts.deadline_why = s->run_why;
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
	s->digests = opts->digests;
	s->object_ms = opts->object_deadline_ms > 0 ?
	    opts->object_deadline_ms : SOURCE_S3_OBJECT_MS;
	s->shard = opts->shard;
	s->forms = opts->forms != 0 ? opts->forms : FORMS_CLOUDTRAIL;
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
