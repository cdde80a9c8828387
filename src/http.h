/* SPDX-License-Identifier: ISC */
/*
 * The one HTTP client of ctaudit, over libcurl: the S3 reader, the SNS
 * publisher and the credential chain (STS, ECS, instance metadata) send
 * their requests through it.  It owns the transport policy, so that every
 * caller gets the same one:
 *
 *  - TLS certificates are always verified (there is no way to turn that
 *    off); AWS_CA_BUNDLE names another CA file.  Only http and https, and
 *    redirects are never followed (an S3 301 reaches the caller).
 *  - Connect and stall timeouts, the user agent "ctaudit/VERSION".
 *  - Retries of connection errors, timeouts, 429, 500, 502, 503, 504 and
 *    throttling error codes (SlowDown, Throttling, ...), a bounded number
 *    of times, with capped exponential backoff and full jitter; a
 *    Retry-After header is honoured (within the cap).
 *  - SigV4 signing (sigv4.h) when the request carries credentials.
 *
 * Synchronous use, with the body buffered under a cap:
 *
 *	struct http_header	 h[] = { { "Content-Type", "..." } };
 *	struct http_request	 rq = { .method = "POST", .url = url,
 *	    .headers = h, .nheaders = 1, .body = form, .bodylen = len,
 *	    .cred = &cred, .region = "us-east-1", .service = "sns",
 *	    .sigv4_flags = SIGV4_SERVICE };
 *	struct http_response	 rs;
 *
 *	http_response_init(&rs);
 *	if (http_do(client, &rq, &rs, &cause) == -1)
 *		... transport failure after retries: report cause ...
 *	else if (rs.status != 200)
 *		... aws_error_parse(rs.body.data, rs.body.len, &er)
 *	http_response_clear(&rs);
 *
 * Streaming: set rq.write and the body of a 2xx answer goes to it in
 * pieces as it arrives instead of into rs.body.  A caller that drives
 * several transfers itself (curl multi) uses http_easy_setup() for the
 * same TLS, timeout and signing set-up, and http_retry_status(),
 * http_retry_code() and http_backoff_ms() for the same retry policy; or,
 * for a whole request with http_do()'s answers and messages, a call:
 *
 *	call = http_call_create(client, &rq, &rs);	(rs initialised)
 *	try:
 *	if (http_call_try(call, easy, &cause) == -1)
 *		... failed: report cause ...
 *	curl_multi_add_handle(multi, easy);
 *	... until curl_multi_info_read() says easy is done with result ...
 *	curl_multi_remove_handle(multi, easy);
 *	switch (http_call_end(call, result, &wait_ms, &cause)) {
 *	case 1:  ... answered: rs as http_do() leaves it ...
 *	case 0:  ... goto try, wait_ms from now ...
 *	case -1: ... failed: report cause ...
 *	}
 *	http_call_free(call);
 */
#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "buf.h"

#define HTTP_BODY_MAX	(1024 * 1024)	/* a buffered body, by default */
#define HTTP_ERROR_MAX	(64 * 1024)	/* an error body (streaming too) */
#define HTTP_HEADER_MAX	(64 * 1024)	/* all response headers together */
#define HTTP_HEADERS_MAX	32	/* request headers, signed ones too */

#define HTTP_ATTEMPTS		4	/* default tries, the first included */
#define HTTP_BASE_DELAY_MS	100	/* first backoff cap */
#define HTTP_MAX_DELAY_MS	20000	/* longest wait between tries */
#define HTTP_CONNECT_TIMEOUT_MS	10000
#define HTTP_STALL_TIMEOUT_MS	30000	/* no byte received for this long */

struct sigv4_credentials;

/* Options of a client; a zero field takes the default above. */
struct http_opts {
	int		 max_attempts;		/* 1: never retry */
	long		 connect_timeout_ms;
	long		 stall_timeout_ms;
	long		 total_timeout_ms;	/* 0: none (big objects) */
	unsigned	 base_delay_ms;
	unsigned	 max_delay_ms;
	int		 no_proxy;		/* metadata endpoints: direct */
};

struct http_header {
	const char	*name;
	const char	*value;
};

struct http_request {
	const char		*method;	/* "GET", "PUT", "POST" */
	/*
	 * The whole URL as it goes on the wire: path and query already
	 * encoded with sigv4_uri_encode(), since the signature covers them
	 * as they are.
	 */
	const char		*url;
	const struct http_header *headers;	/* no Host: it is added */
	size_t			 nheaders;
	const void		*body;		/* or NULL */
	size_t			 bodylen;

	/* Signing: cred NULL sends the request unsigned. */
	const struct sigv4_credentials *cred;
	const char		*region;	/* "us-east-1" */
	const char		*service;	/* "s3", "sns", "sts" */
	int			 sigv4_flags;	/* SIGV4_S3 or SIGV4_SERVICE */
	const char		*payload_hash;	/* NULL: SHA-256 of body */

	/* Cap on a buffered body; 0 means HTTP_BODY_MAX. */
	size_t			 body_max;
	/*
	 * Streaming: when set, the body of a 2xx answer is handed to
	 * write() as it arrives; it returns 0, or -1 to abort the transfer
	 * (http_do() then fails with *cause from write()'s own).  Once
	 * write() has been given a byte, http_do() does not retry the
	 * request: it fails, and the caller (who knows how to start over)
	 * decides.
	 */
	int			(*write)(void *arg, const void *, size_t,
				    char **cause);
	void			*arg;
};

struct http_response {
	long		 status;	/* 200; 0 before any answer */
	struct buf	 body;		/* buffered body, or an error body */
	struct buf	 headers;	/* raw header lines, for lookup */
	uint64_t	 delivered;	/* bytes given to request.write */
	int		 attempts;	/* tries made, the last included */
};

/* A client holds one curl handle: one thread at a time uses it. */
struct http_client;

struct http_client	*http_client_create(const struct http_opts *,
			    char **cause);
void			 http_client_free(struct http_client *);

/*
 * Give every later request of the client a deadline, at_ms on the
 * CLOCK_MONOTONIC clock in milliseconds (0: none): a try is cut when it
 * comes, no try starts or waits past it, and http_do() then fails with
 * why as the cause.
 */
void	 http_client_deadline(struct http_client *, int64_t at_ms,
	    const char *why);

void	 http_response_init(struct http_response *);
void	 http_response_clear(struct http_response *);

/*
 * Send a request, retrying what can be retried.  0 and rs filled when an
 * answer came (any status: the caller judges it, after the retries of 5xx
 * and throttling ran out); -1 and *cause when none did (connection
 * refused, timeout, a body over its cap, write() failed).
 */
int	 http_do(struct http_client *, const struct http_request *,
	    struct http_response *, char **cause);

/*
 * One request run try by try on a caller's easy handle, usually inside its
 * curl multi handle, with the same retries, caps and messages as
 * http_do() (which is a loop over these).  rq and rs must outlive the
 * call.  http_call_end() returns 1 when an answer came (rs filled), 0
 * when another try is due after *wait_ms, -1 and *cause when none can
 * come.
 */
struct http_call;

struct http_call *http_call_create(struct http_client *,
	    const struct http_request *, struct http_response *);
int	 http_call_try(struct http_call *, CURL *, char **cause);
int	 http_call_end(struct http_call *, CURLcode, unsigned *wait_ms,
	    char **cause);
void	 http_call_free(struct http_call *);

/*
 * The value of a response header, name in any case; NULL if it is absent.
 * The string is copied into the caller's buffer of size len (truncated).
 */
const char *http_response_header(const struct http_response *,
	    const char *name, char *out, size_t len);

/*
 * Whether a URL may carry a secret: https, or plain http to loopback
 * (127.0.0.0/8, ::1, localhost) or to one of the NULL-terminated hosts
 * in also.  The host is the one curl will connect to, not userinfo.
 */
int	 http_url_secure(const char *url, const char *const *also);

/* Whether a status, or an AWS error code, is worth another try. */
int	 http_retry_status(long status);
int	 http_retry_code(const char *code);
/*
 * How long to wait before try number attempt (1 for the first retry):
 * a uniform random delay up to min(max, base * 2^(attempt-1)) ("full
 * jitter"), or retry_after_s seconds if that is > 0 and not longer than
 * the cap.
 */
unsigned http_backoff_ms(const struct http_client *, int attempt,
	    long retry_after_s);

/*
 * Set up a curl easy handle for one try of rq, for a caller that runs
 * transfers itself: URL, method, body, TLS (verify on, AWS_CA_BUNDLE),
 * protocols, timeouts, user agent, and the headers, signed now when
 * rq->cred is set (sign again for every try: the date is part of the
 * signature).  *hdrs receives the header list, which the caller frees
 * with http_headers_free() after the transfer.  The caller sets the
 * write and header callbacks.  0, or -1 and *cause.
 */
int	 http_easy_setup(struct http_client *, CURL *,
	    const struct http_request *, struct curl_slist **hdrs,
	    char **cause);
/* Wipe and free the list from http_easy_setup(): it may hold a token. */
void	 http_headers_free(struct curl_slist *);

#endif
