/* SPDX-License-Identifier: ISC */
/*
 * The transfer engine of the S3 source: GetObject requests in the curl
 * multi handle, each into a buffer of SOURCE_S3_XFER_BUF bytes that is
 * paused when full, resumed from the byte already delivered after a
 * failure (Range with If-Match), with http.c's backoff; the pump that
 * drives transfers and listings together, and the stream the reader
 * reads the oldest object from.  See source_s3.c for the whole design.
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
#include "forms.h"
#include "http.h"
#include "log.h"
#include "s3.h"
#include "sigv4.h"
#include "source.h"
#include "source_s3_int.h"
#include "state.h"
#include "xmalloc.h"

static void	 source_s3_unpause(struct source_s3_xfer *);
static void	 source_s3_deadlines(struct source_s3 *);
static int64_t	 source_s3_due(const struct source_s3 *, int64_t, int64_t);

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
		x->hsig[0] = x->hsigalg[0] = '\0';
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
	} else if ((size_t)(v - p) == 20 &&
	    strncasecmp(p, "x-amz-meta-signature", 20) == 0) {
		dst = x->hsig;
		dstsize = sizeof x->hsig;
	} else if ((size_t)(v - p) == 30 &&
	    strncasecmp(p, "x-amz-meta-signature-algorithm", 30) == 0) {
		dst = x->hsigalg;
		dstsize = sizeof x->hsigalg;
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
		x->paused_at = source_s3_now();
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
	x->expired = 0;
	x->deadline_at = source_s3_now() + s->object_ms;
	buf_reset(&x->errbody);
	x->hregion[0] = x->hrange[0] = x->hetag[0] = '\0';
	x->hsig[0] = x->hsigalg[0] = '\0';
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
		if (x->cause == NULL && x->status == 403 &&
		    (x->cause = forms_s3_denied(x->key, code, why)) != NULL)
			free(why);
		else if (x->cause == NULL)
			x->cause = why;
		else
			free(why);
		free(region);
		free(code);
	} else if (x->expired) {
		/* Like a reset: resumed, but never more than the tries. */
		x->cause = xprintf("no whole answer within the object deadline "
		    "of %lld s (--object-deadline)",
		    (long long)(s->object_ms / 1000));
		retry = ++x->expiries < SOURCE_S3_ATTEMPTS;
		if (!retry) {
			why = x->cause;
			x->cause = xprintf("%s, %d times", why, x->expiries);
			free(why);
		}
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

	if (s->run_expired || !s->handed || s->nxfers != (size_t)s->jobs ||
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
void
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
		curl_multi_poll(s->multi, NULL, 0,
		    (int)source_s3_due(s, now, wait), NULL);
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
	source_s3_deadlines(s);
	source_s3_settle(s);
	if (source_s3_fill(s))
		curl_multi_perform(s->multi, &running);
}

/* Go on with a paused transfer; its wait for the reader is not its time. */
static void
source_s3_unpause(struct source_s3_xfer *x)
{
	x->paused = 0;
	x->deadline_at += source_s3_now() - x->paused_at;
	curl_easy_pause(x->h, CURLPAUSE_CONT);
}

/*
 * The deadlines: a try at an object that has run (not paused) past the
 * object deadline ends as a reset would, and is tried again, and so does
 * a try at a listing page; past the run deadline, every object not yet
 * read fails, each naming the deadline, and the listings stop.  Once the
 * run deadline has passed this is done at every call, so nothing started
 * after it can run on.
 */
static void
source_s3_deadlines(struct source_s3 *s)
{
	struct source_s3_xfer	*x;
	struct source_s3_lop	*op;
	int64_t			 now = source_s3_now();
	size_t			 i;

	for (i = 0; i < s->nxfers; i++) {
		x = s->xfers[i];
		if (x->state != SOURCE_S3_RUN || x->paused ||
		    now < x->deadline_at)
			continue;
		x->expired = 1;
		source_s3_finished(x, CURLE_OPERATION_TIMEDOUT);
	}
	for (i = 0; i < s->nlops; i++) {
		op = s->lops[i];
		if (op->state != SOURCE_S3_RUN || now < op->deadline_at)
			continue;
		op->expired = 1;
		source_s3_lop_end(s, op, CURLE_OPERATION_TIMEDOUT);
	}
	if (s->run_at == 0 || now < s->run_at)
		return;
	s->run_expired = 1;
	for (i = 0; i < s->nxfers; i++) {
		x = s->xfers[i];
		if (x->state == SOURCE_S3_DONE || x->state == SOURCE_S3_FAILED)
			continue;
		if (x->state == SOURCE_S3_RUN)
			curl_multi_remove_handle(s->multi, x->h);
		free(x->cause);
		x->cause = xprintf("not read whole within the run deadline of "
		    "%lld s (--run-deadline)", (long long)(s->run_ms / 1000));
		x->state = SOURCE_S3_FAILED;
	}
	for (i = 0; i < s->nlops; i++)
		if (s->lops[i]->state != SOURCE_S3_DONE)
			source_s3_lop_stop(s, s->lops[i],
			    xprintf("s3://%s/%s: listing: %s", s->bucket,
			    s->lops[i]->where, s->run_why));
}

/* How long the pump may wait before a deadline is due, at most wait. */
static int64_t
source_s3_due(const struct source_s3 *s, int64_t now, int64_t wait)
{
	const struct source_s3_xfer	*x;
	const struct source_s3_lop	*op;
	size_t				 i;

	for (i = 0; i < s->nxfers; i++) {
		x = s->xfers[i];
		if (x->state == SOURCE_S3_RUN && !x->paused &&
		    x->deadline_at - now < wait)
			wait = x->deadline_at - now;
	}
	for (i = 0; i < s->nlops; i++) {
		op = s->lops[i];
		if (op->state == SOURCE_S3_RUN && op->deadline_at - now < wait)
			wait = op->deadline_at - now;
	}
	if (s->run_at != 0 && s->run_at - now < wait)
		wait = s->run_at - now;
	return wait > 0 ? wait : 0;
}

/* Read from the oldest object, running every transfer meanwhile. */
ssize_t
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
			    SOURCE_S3_XFER_BUF - x->len >= CURL_MAX_WRITE_SIZE)
				source_s3_unpause(x);
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
			source_s3_unpause(x);
			continue;
		}
		source_s3_pump(x->s3, 1);
	}
}

void
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

/* The signature metadata CloudTrail puts on a digest object, or NULL. */
static const char *
source_s3_meta(struct stream *st, const char *name)
{
	struct source_s3_xfer	*x = st->priv;

	if (strcmp(name, "signature") == 0 && x->hsig[0] != '\0')
		return x->hsig;
	if (strcmp(name, "signature-algorithm") == 0 &&
	    x->hsigalg[0] != '\0')
		return x->hsigalg;
	return NULL;
}

/* Begin fetching the next listed object. */
void
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
	x->stream.meta = source_s3_meta;
	s->xfers[s->nxfers++] = x;
	if (s->run_expired) {
		x->cause = xprintf("not read whole within the run deadline of "
		    "%lld s (--run-deadline)", (long long)(s->run_ms / 1000));
		x->state = SOURCE_S3_FAILED;
	} else if (x->size == 0)
		x->state = SOURCE_S3_DONE;	/* nothing to fetch */
	else
		source_s3_start(x);
}

