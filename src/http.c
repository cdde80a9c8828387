/* SPDX-License-Identifier: ISC */
/*
 * The HTTP client over libcurl that the S3 reader, the SNS publisher and
 * the credential chain share.  One place decides how ctaudit talks to a
 * server: TLS always verified, no redirects, timeouts, SigV4 signing, and
 * retries of transient failures with capped exponential backoff and full
 * jitter.  Bodies are buffered under a cap or streamed to the caller.
 */
#include "config.h"

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "aws_error.h"
#include "buf.h"
#include "http.h"
#include "log.h"
#include "sigv4.h"
#include "xmalloc.h"

#define HTTP_USER_AGENT	"ctaudit/" PACKAGE_VERSION
/*
 * A try that curl timed out this close to the client's deadline was cut by
 * the deadline (curl's timer may fire a few milliseconds early), and says
 * so, rather than "Operation timed out after 1998 milliseconds".
 */
#define HTTP_DEADLINE_SLACK_MS	100

struct http_client {
	struct http_opts	 opts;
	char			*ca_bundle;	/* AWS_CA_BUNDLE, or NULL */
	CURL			*easy;		/* reused by http_do() */
	uint64_t		 rng;		/* jitter only: not a secret */
	int64_t			 deadline_at;	/* monotonic ms, or 0 */
	char			*deadline_why;	/* the cause past it */
};

/* One try of http_do(): where the callbacks put what arrives. */
struct http_xfer {
	const struct http_request *rq;
	struct http_response	*rs;
	CURL			*easy;
	size_t			 max;		/* cap on a buffered body */
	int			 status_known;
	int			 streaming;	/* 2xx with rq->write */
	char			*cause;		/* why a callback stopped */
};

/* A request and its tries; http_do() runs one on the client's handle. */
struct http_call {
	struct http_client	*client;
	const struct http_request *rq;
	struct http_response	*rs;
	CURL			*easy;		/* of the current try */
	struct curl_slist	*hdrs;		/* signed: wiped when freed */
	char			 err[CURL_ERROR_SIZE];
	struct http_xfer	 x;
};

static int	 http_global_init(char **);
static int64_t	 http_now_ms(void);
static long	 http_left_ms(const struct http_client *);
static uint64_t	 http_random(struct http_client *);
static size_t	 http_header_cb(char *, size_t, size_t, void *);
static size_t	 http_write_cb(char *, size_t, size_t, void *);
static int	 http_retry_curl(CURLcode);
static void	 http_sleep_ms(unsigned);
static long	 http_retry_after(const struct http_response *);

static int
http_global_init(char **cause)
{
	static int	done;
	CURLcode	rc;

	if (done)
		return 0;
	if ((rc = curl_global_init(CURL_GLOBAL_DEFAULT)) != CURLE_OK) {
		*cause = xprintf("libcurl: %s", curl_easy_strerror(rc));
		return -1;
	}
	done = 1;
	return 0;
}

/* Create a client; opts may be NULL for the defaults. */
struct http_client *
http_client_create(const struct http_opts *opts, char **cause)
{
	struct http_client	*c;
	struct timespec		 ts;
	const char		*ca;

	if (http_global_init(cause) == -1)
		return NULL;
	c = xcalloc(1, sizeof *c);
	if (opts != NULL)
		c->opts = *opts;
	if (c->opts.max_attempts <= 0)
		c->opts.max_attempts = HTTP_ATTEMPTS;
	if (c->opts.connect_timeout_ms <= 0)
		c->opts.connect_timeout_ms = HTTP_CONNECT_TIMEOUT_MS;
	if (c->opts.stall_timeout_ms <= 0)
		c->opts.stall_timeout_ms = HTTP_STALL_TIMEOUT_MS;
	if (c->opts.base_delay_ms == 0)
		c->opts.base_delay_ms = HTTP_BASE_DELAY_MS;
	if (c->opts.max_delay_ms == 0)
		c->opts.max_delay_ms = HTTP_MAX_DELAY_MS;
	if ((ca = getenv("AWS_CA_BUNDLE")) != NULL && *ca != '\0')
		c->ca_bundle = xstrdup(ca);
	if ((c->easy = curl_easy_init()) == NULL) {
		*cause = xstrdup("libcurl: cannot create a handle");
		http_client_free(c);
		return NULL;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	c->rng = ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec ^
	    ((uint64_t)getpid() << 16) ^ (uint64_t)(uintptr_t)c;
	if (c->rng == 0)
		c->rng = 1;
	return c;
}

/* Free a client. */
void
http_client_free(struct http_client *c)
{
	if (c == NULL)
		return;
	if (c->easy != NULL)
		curl_easy_cleanup(c->easy);
	free(c->ca_bundle);
	free(c->deadline_why);
	free(c);
}

static int64_t
http_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Set a deadline for every request of c; see http.h. */
void
http_client_deadline(struct http_client *c, int64_t at_ms, const char *why)
{
	free(c->deadline_why);
	c->deadline_why = NULL;
	c->deadline_at = at_ms;
	if (at_ms != 0)
		c->deadline_why = xstrdup(why);
}

/* Milliseconds left before the client's deadline: -1 none, 0 passed. */
static long
http_left_ms(const struct http_client *c)
{
	int64_t	 left;

	if (c->deadline_at == 0)
		return -1;
	left = c->deadline_at - http_now_ms();
	if (left <= 0)
		return 0;
	return left > LONG_MAX ? LONG_MAX : (long)left;
}

/* Prepare an empty response. */
void
http_response_init(struct http_response *rs)
{
	memset(rs, 0, sizeof *rs);
	buf_init(&rs->body, HTTP_BODY_MAX);
	buf_init(&rs->headers, HTTP_HEADER_MAX);
}

/* Free what a response holds; it may be used again after init. */
void
http_response_clear(struct http_response *rs)
{
	buf_clear(&rs->body);
	buf_clear(&rs->headers);
	rs->status = 0;
}

/* Wipe and free a header list from http_easy_setup(): it holds tokens. */
void
http_headers_free(struct curl_slist *list)
{
	struct curl_slist	*l;

	for (l = list; l != NULL; l = l->next)
		explicit_bzero(l->data, strlen(l->data));
	curl_slist_free_all(list);
}

/* xorshift64*: enough to spread retries, and never used for secrets. */
static uint64_t
http_random(struct http_client *c)
{
	c->rng ^= c->rng >> 12;
	c->rng ^= c->rng << 25;
	c->rng ^= c->rng >> 27;
	return c->rng * 0x2545F4914F6CDD1DULL;
}

/* See http.h.  Judged on curl's parse: the same host it connects to. */
int
http_url_secure(const char *url, const char *const *also)
{
	CURLU		*u;
	struct in_addr	 a4;
	struct in6_addr	 a6;
	char		*scheme = NULL, *host = NULL, *h;
	size_t		 n;
	int		 ok = 0;

	if ((u = curl_url()) == NULL)
		fatalx("curl_url: out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    *host == '\0')
		goto out;
	if (strcasecmp(scheme, "https") == 0) {
		ok = 1;
		goto out;
	}
	if (strcasecmp(scheme, "http") != 0)
		goto out;
	for (; also != NULL && *also != NULL; also++) {
		if (strcasecmp(host, *also) == 0) {
			ok = 1;
			goto out;
		}
	}
	h = host;
	n = strlen(h);
	if (h[0] == '[' && h[n - 1] == ']') {
		h[n - 1] = '\0';
		h++;
		ok = inet_pton(AF_INET6, h, &a6) == 1 &&
		    memcmp(&a6, &in6addr_loopback, sizeof a6) == 0;
	} else if (inet_pton(AF_INET, h, &a4) == 1)
		ok = (ntohl(a4.s_addr) >> 24) == 127;
	else
		ok = strcasecmp(h, "localhost") == 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return ok;
}

/* Whether an HTTP status is worth another try. */
int
http_retry_status(long status)
{
	return status == 429 || status == 500 || status == 502 ||
	    status == 503 || status == 504;
}

/* Whether an AWS error code is worth another try. */
int
http_retry_code(const char *code)
{
	static const char *codes[] = {
		"SlowDown", "Throttling", "ThrottlingException",
		"ThrottledException", "RequestThrottled",
		"RequestThrottledException", "TooManyRequestsException",
		"RequestLimitExceeded", "BandwidthLimitExceeded",
		"ProvisionedThroughputExceededException",
		"TransactionInProgressException", "RequestTimeout",
		"RequestTimeoutException", "InternalError",
		"InternalFailure", "ServiceUnavailable",
		"PriorRequestNotComplete",
		"IDPCommunicationError", "EC2ThrottledException",
	};
	size_t	i;

	if (code == NULL)
		return 0;
	for (i = 0; i < nitems(codes); i++)
		if (strcmp(code, codes[i]) == 0)
			return 1;
	return 0;
}

static int
http_retry_curl(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
		return 1;
	default:
		return 0;
	}
}

/* The wait before try attempt + 1: full jitter under a capped doubling. */
unsigned
http_backoff_ms(const struct http_client *c, int attempt, long retry_after_s)
{
	uint64_t	cap;
	int		i;

	if (retry_after_s > 0 &&
	    (uint64_t)retry_after_s * 1000 <= c->opts.max_delay_ms)
		return (unsigned)retry_after_s * 1000;
	cap = c->opts.base_delay_ms;
	for (i = 1; i < attempt && cap < c->opts.max_delay_ms; i++)
		cap *= 2;
	if (cap > c->opts.max_delay_ms)
		cap = c->opts.max_delay_ms;
	/* The state is only for jitter; const is kept for callers. */
	return (unsigned)(http_random((struct http_client *)(uintptr_t)c) %
	    (cap + 1));
}

static void
http_sleep_ms(unsigned ms)
{
	struct timespec	ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		continue;
}

/* Copy a header's value into out; NULL if it is absent. */
const char *
http_response_header(const struct http_response *rs, const char *name,
    char *out, size_t len)
{
	const char	*p, *end, *eol, *v;
	size_t		 nlen = strlen(name), vlen;

	if (rs->headers.data == NULL || len == 0)
		return NULL;
	p = rs->headers.data;
	end = p + rs->headers.len;
	for (; p < end; p = eol + 1) {
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		if ((size_t)(eol - p) <= nlen || p[nlen] != ':' ||
		    strncasecmp(p, name, nlen) != 0)
			continue;
		v = p + nlen + 1;
		while (v < eol && (*v == ' ' || *v == '\t'))
			v++;
		vlen = (size_t)(eol - v);
		while (vlen > 0 && (v[vlen - 1] == '\r' ||
		    v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
			vlen--;
		if (vlen >= len)
			vlen = len - 1;
		memcpy(out, v, vlen);
		out[vlen] = '\0';
		return out;
	}
	return NULL;
}

static long
http_retry_after(const struct http_response *rs)
{
	char		 v[32], *end;
	long		 n;

	if (http_response_header(rs, "Retry-After", v, sizeof v) == NULL)
		return 0;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < 0)
		return 0;	/* an HTTP date: fall back on the backoff */
	return n;
}

static size_t
http_header_cb(char *p, size_t size, size_t n, void *arg)
{
	struct http_xfer	*x = arg;
	size_t			 len = size * n;

	/* A new status line (after 100 Continue): forget the last block. */
	if (len >= 5 && memcmp(p, "HTTP/", 5) == 0)
		buf_reset(&x->rs->headers);
	if (buf_add(&x->rs->headers, p, len) == -1) {
		free(x->cause);
		x->cause = xprintf("response headers over %d bytes",
		    HTTP_HEADER_MAX);
		return 0;
	}
	return len;
}

static size_t
http_write_cb(char *p, size_t size, size_t n, void *arg)
{
	struct http_xfer	*x = arg;
	struct http_response	*rs = x->rs;
	size_t			 len = size * n, room;

	if (!x->status_known) {
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE,
		    &rs->status);
		x->status_known = 1;
		x->streaming = x->rq->write != NULL &&
		    rs->status >= 200 && rs->status <= 299;
		if (!(rs->status >= 200 && rs->status <= 299))
			x->max = HTTP_ERROR_MAX;
		rs->body.max = x->max;
	}
	if (x->streaming) {
		if (x->rq->write(x->rq->arg, p, len, &x->cause) == -1) {
			if (x->cause == NULL)
				x->cause = xstrdup("transfer aborted");
			return 0;
		}
		rs->delivered += len;
		return len;
	}
	if (!(rs->status >= 200 && rs->status <= 299)) {
		/* Keep the start of an error body; the rest says no more. */
		room = rs->body.max - rs->body.len;
		if (buf_add(&rs->body, p, len < room ? len : room) == -1)
			return 0;
		return len;
	}
	if (buf_add(&rs->body, p, len) == -1) {
		free(x->cause);
		x->cause = xprintf("response body over %zu bytes", x->max);
		return 0;
	}
	return len;
}

/* Set up an easy handle for one try of rq, signed if it has credentials. */
int
http_easy_setup(struct http_client *c, CURL *easy,
    const struct http_request *rq, struct curl_slist **hdrs, char **cause)
{
	struct sigv4_header	 sh[HTTP_HEADERS_MAX + 1];
	struct sigv4_request	 sr;
	struct sigv4_signed	 sg;
	struct curl_slist	*list = NULL, *l;
	CURLU			*u = NULL;
	char			*host = NULL, *port = NULL, *path = NULL;
	char			*query = NULL, *scheme = NULL, *hostport = NULL;
	char			*line;
	char			 date[SIGV4_DATE_LEN + 1];
	char			 hash[SIGV4_HEX_LEN + 1];
	const char		*method;
	size_t			 i, nh = 0;
	long			 total, left;
	int			 rv = -1, has_ctype = 0;

	*hdrs = NULL;
	memset(&sg, 0, sizeof sg);
	method = rq->method != NULL ? rq->method : "GET";
	if (rq->nheaders > HTTP_HEADERS_MAX) {
		*cause = xprintf("more than %d request headers",
		    HTTP_HEADERS_MAX);
		return -1;
	}
	if ((u = curl_url()) == NULL)
		fatalx("curl_url: out of memory");
	if (curl_url_set(u, CURLUPART_URL, rq->url,
	    CURLU_PATH_AS_IS) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK) {
		*cause = xstrdup("bad URL");
		goto out;
	}
	if (strcasecmp(scheme, "http") != 0 &&
	    strcasecmp(scheme, "https") != 0) {
		*cause = xprintf("URL scheme %s is not http or https", scheme);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_PORT, &port, 0) != CURLUE_OK)
		port = NULL;
	if (curl_url_get(u, CURLUPART_QUERY, &query, 0) != CURLUE_OK)
		query = NULL;
	if (port != NULL && !((strcasecmp(scheme, "http") == 0 &&
	    strcmp(port, "80") == 0) || (strcasecmp(scheme, "https") == 0 &&
	    strcmp(port, "443") == 0)))
		hostport = xprintf("%s:%s", host, port);
	else
		hostport = xstrdup(host);

	sh[nh].name = "Host";
	sh[nh++].value = hostport;
	for (i = 0; i < rq->nheaders; i++) {
		if (strcasecmp(rq->headers[i].name, "Host") == 0)
			continue;
		if (strcasecmp(rq->headers[i].name, "Content-Type") == 0)
			has_ctype = 1;
		sh[nh].name = rq->headers[i].name;
		sh[nh++].value = rq->headers[i].value;
	}
	for (i = 0; i < nh; i++) {
		if (strpbrk(sh[i].name, "\r\n:") != NULL ||
		    strpbrk(sh[i].value, "\r\n") != NULL) {
			*cause = xstrdup("a line break in a request header");
			goto out;
		}
		if (*sh[i].value == '\0')
			line = xprintf("%s;", sh[i].name);
		else
			line = xprintf("%s: %s", sh[i].name, sh[i].value);
		l = curl_slist_append(list, line);
		freezero_str(line);
		if (l == NULL)
			fatalx("curl_slist_append: out of memory");
		list = l;
	}

	if (rq->cred != NULL) {
		if (sigv4_format_date(time(NULL), date) == -1) {
			*cause = xstrdup("the clock is out of range");
			goto out;
		}
		if (rq->payload_hash == NULL)
			sigv4_sha256_hex(rq->body != NULL ? rq->body : "",
			    rq->bodylen, hash);
		memset(&sr, 0, sizeof sr);
		sr.method = method;
		sr.path = path;
		sr.query = query;
		sr.headers = sh;
		sr.nheaders = nh;
		sr.payload_hash = rq->payload_hash != NULL ?
		    rq->payload_hash : hash;
		sr.region = rq->region;
		sr.service = rq->service;
		sr.amz_date = date;
		sr.flags = rq->sigv4_flags;
		if (sigv4_sign(&sr, rq->cred, NULL, &sg, cause) == -1)
			goto out;
		for (i = 0; i < sg.nadd; i++) {
			if ((l = curl_slist_append(list, sg.add[i])) == NULL)
				fatalx("curl_slist_append: out of memory");
			list = l;
		}
	}
	/* No "Expect: 100-continue" round trip, no form Content-Type. */
	if ((l = curl_slist_append(list, "Expect:")) == NULL ||
	    (!has_ctype && (l = curl_slist_append(l, "Content-Type:")) ==
	    NULL))
		fatalx("curl_slist_append: out of memory");
	list = l;

	curl_easy_setopt(easy, CURLOPT_URL, rq->url);
	curl_easy_setopt(easy, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
	if (c->ca_bundle != NULL)
		curl_easy_setopt(easy, CURLOPT_CAINFO, c->ca_bundle);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_USERAGENT, HTTP_USER_AGENT);
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
	    c->opts.connect_timeout_ms);
	curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME,
	    (c->opts.stall_timeout_ms + 999) / 1000);
	total = c->opts.total_timeout_ms;
	if ((left = http_left_ms(c)) != -1 && (total <= 0 || left < total))
		total = left > 0 ? left : 1;
	if (total > 0)
		curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, total);
	if (c->opts.no_proxy)
		curl_easy_setopt(easy, CURLOPT_NOPROXY, "*");
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET") != 0 || rq->body != NULL) {
		curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)rq->bodylen);
		curl_easy_setopt(easy, CURLOPT_POSTFIELDS,
		    rq->body != NULL ? rq->body : "");
		if (strcmp(method, "POST") != 0)
			curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method);
	}
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, list);
	*hdrs = list;
	list = NULL;
	rv = 0;
out:
	if (sg.canonical_request != NULL)	/* it holds the token */
		explicit_bzero(sg.canonical_request,
		    strlen(sg.canonical_request));
	sigv4_signed_clear(&sg);
	http_headers_free(list);
	free(hostport);
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(query);
	curl_url_cleanup(u);
	return rv;
}

/* Set up a call to run rq; rs must have been through http_response_init(). */
static void
http_call_init(struct http_call *call, struct http_client *c,
    const struct http_request *rq, struct http_response *rs)
{
	memset(call, 0, sizeof *call);
	call->client = c;
	call->rq = rq;
	call->rs = rs;
	rs->attempts = 0;
}

struct http_call *
http_call_create(struct http_client *c, const struct http_request *rq,
    struct http_response *rs)
{
	struct http_call	*call;

	call = xmalloc(sizeof *call);
	http_call_init(call, c, rq, rs);
	return call;
}

void
http_call_free(struct http_call *call)
{
	if (call == NULL)
		return;
	http_headers_free(call->hdrs);
	free(call->x.cause);
	free(call);
}

/* Set up easy for the next try of a call: 0, or -1 and *cause. */
int
http_call_try(struct http_call *call, CURL *easy, char **cause)
{
	struct http_client	*c = call->client;
	const struct http_request *rq = call->rq;
	struct http_response	*rs = call->rs;
	struct http_xfer	*x = &call->x;

	rs->attempts++;
	buf_reset(&rs->body);
	buf_reset(&rs->headers);
	rs->status = 0;
	free(x->cause);
	memset(x, 0, sizeof *x);
	x->rq = rq;
	x->rs = rs;
	x->easy = easy;
	x->max = rq->body_max != 0 ? rq->body_max : HTTP_BODY_MAX;
	rs->body.max = x->max;
	call->easy = easy;

	curl_easy_reset(easy);
	http_headers_free(call->hdrs);
	call->hdrs = NULL;
	if (http_easy_setup(c, easy, rq, &call->hdrs, cause) == -1)
		return -1;
	call->err[0] = '\0';
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, call->err);
	curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, http_header_cb);
	curl_easy_setopt(easy, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, http_write_cb);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, x);
	return 0;
}

/* Judge a try that curl has ended with rc; see http.h. */
int
http_call_end(struct http_call *call, CURLcode rc, unsigned *wait_ms,
    char **cause)
{
	struct http_client	*c = call->client;
	struct http_response	*rs = call->rs;
	struct http_xfer	*x = &call->x;
	CURL			*easy = call->easy;
	struct aws_error	 er;
	long			 after;
	int			 retry;

	http_headers_free(call->hdrs);
	call->hdrs = NULL;
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, NULL);

	if (rc == CURLE_OK) {
		curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &rs->status);
		retry = http_retry_status(rs->status);
		if (!retry && rs->status >= 400 && rs->status <= 499 &&
		    aws_error_parse(rs->body.data, rs->body.len, &er) == 0) {
			retry = http_retry_code(er.code);
			aws_error_clear(&er);
		}
		if (!retry || rs->delivered != 0 ||
		    rs->attempts >= c->opts.max_attempts)
			return 1;
		after = http_retry_after(rs);
	} else {
		if (x->cause != NULL) {
			*cause = x->cause;
			x->cause = NULL;
			return -1;
		}
		if (!http_retry_curl(rc) || rs->delivered != 0 ||
		    rs->attempts >= c->opts.max_attempts) {
			*cause = xprintf("%s%s%s",
			    call->err[0] != '\0' ? call->err :
			    curl_easy_strerror(rc),
			    rs->delivered != 0 ? " (part-way through "
			    "the body)" : "",
			    rs->attempts > 1 ? " (after retries)" : "");
			rs->status = 0;
			return -1;
		}
		after = 0;
	}
	*wait_ms = http_backoff_ms(c, rs->attempts, after);
	return 0;
}

/* Send a request, with retries; see http.h. */
int
http_do(struct http_client *c, const struct http_request *rq,
    struct http_response *rs, char **cause)
{
	struct http_call	 call;
	CURLcode		 code;
	unsigned		 wait;
	long			 left;
	int			 rv;

	http_call_init(&call, c, rq, rs);
	for (;;) {
		if (http_left_ms(c) == 0) {
			*cause = xstrdup(c->deadline_why);
			rv = -1;
			break;
		}
		if (http_call_try(&call, c->easy, cause) == -1) {
			rv = -1;
			break;
		}
		code = curl_easy_perform(c->easy);
		rv = http_call_end(&call, code, &wait, cause);
		left = http_left_ms(c);
		if (rv == -1 && (left == 0 || (left != -1 &&
		    left <= HTTP_DEADLINE_SLACK_MS &&
		    code == CURLE_OPERATION_TIMEDOUT))) {
			/* Cut by the deadline: say so, not "timed out". */
			free(*cause);
			*cause = xstrdup(c->deadline_why);
		}
		if (rv != 0)
			break;
		left = http_left_ms(c);
		if (left != -1 && (long)wait > left)
			wait = (unsigned)left;
		http_sleep_ms(wait);
	}
	http_headers_free(call.hdrs);
	free(call.x.cause);
	return rv == 1 ? 0 : -1;
}
