/* SPDX-License-Identifier: ISC */
/*
 * What the three files of the S3 source share: source_s3.c (the ops,
 * messages and regions), source_s3_plan.c (the listing planner) and
 * source_s3_xfer.c (the transfer engine).  Not for other modules.
 */
#ifndef SOURCE_S3_INT_H
#define SOURCE_S3_INT_H

#include <stdint.h>

#include <curl/curl.h>

#include "aws_cred.h"
#include "buf.h"
#include "http.h"
#include "s3.h"
#include "sigv4.h"
#include "source.h"

#define SOURCE_S3_JOBS		8		/* objects in flight */
#define SOURCE_S3_JOBS_MAX	64
#define SOURCE_S3_XFER_BUF	(256 * 1024)	/* per object in flight */
#define SOURCE_S3_ATTEMPTS	HTTP_ATTEMPTS	/* tries without progress */
#define SOURCE_S3_POLL_MS	1000
#define SOURCE_S3_LISTS		4	/* listings in flight ahead */
#define SOURCE_S3_AHEAD		256	/* listed keys queued: no more */
#define SOURCE_S3_REGION	"us-east-1"	/* if none is configured */
#define SOURCE_S3_OBJECT_MS	(300 * 1000)	/* one try, not paused */

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
	int			 depth;		/* a date walk's: 0 region, */
						/* 1 year, 2 month */
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
	int64_t			 deadline_at;	/* of this try, monotonic ms */
	int			 expired;	/* this try ran out of time */
	int			 rv;		/* once DONE: 0, -1, -2 */
	struct s3_page		 pg;		/* rv 0 */
	char			*cause;		/* rv -1 or -2 */
};

/* One object being read. */
#define SOURCE_S3_SIG_MAX	2048	/* x-amz-meta-signature, hex */

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
	char			 hsig[SOURCE_S3_SIG_MAX];	/* digests */
	char			 hsigalg[64];
	long			 retry_after;

	int			 attempts;	/* failed tries since progress */
	int64_t			 deadline_at;	/* of this try, monotonic ms */
	int64_t			 paused_at;
	int			 expired;	/* this try ran out of time */
	int			 expiries;	/* tries that ran out of time */
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
	int64_t			 object_ms;	/* --object-deadline */
	int64_t			 run_ms;	/* --run-deadline, or 0 */
	int64_t			 run_at;	/* monotonic ms, or 0 */
	char			*run_why;	/* "the run deadline ... passed" */
	int			 run_expired;
	int			 run_reported;
	struct source_shard	 shard;		/* --shard, source.c */
	unsigned int		 forms;		/* services walked, forms.h */
	size_t			 rootlen;	/* the prefix given */
	int			 digests;	/* list CloudTrail-Digest/ too */

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

/* source_s3.c */
int64_t	 source_s3_now(void);
int	 source_s3_wanted(char **, size_t, const char *, size_t);
char	*source_s3_describe(long, const char *, size_t, const char *,
	    char **, char **);
int	 source_s3_region_ok(const char *);
void	 source_s3_set_region(struct source_s3 *, const char *);
int	 source_s3_fatal_code(const char *);

/* source_s3_plan.c */
struct source_s3_task *source_s3_push(struct source_s3 *,
	    enum source_s3_kind, enum s3_level, char *, int);
void	 source_s3_pop(struct source_s3 *);
void	 source_s3_plan(struct source_s3 *, enum s3_level, const char *);
void	 source_s3_lop_try(struct source_s3 *, struct source_s3_lop *);
void	 source_s3_lop_end(struct source_s3 *, struct source_s3_lop *,
	    CURLcode);
void	 source_s3_lop_free(struct source_s3 *, struct source_s3_lop *);
void	 source_s3_ahead(struct source_s3 *);
void	 source_s3_lop_stop(struct source_s3 *, struct source_s3_lop *,
	    char *);
int	 source_s3_step(struct source_s3 *, char **);

/* source_s3_xfer.c */
void	 source_s3_pump(struct source_s3 *, int);
ssize_t	 source_s3_read(struct stream *, void *, size_t, char **);
void	 source_s3_xfer_free(struct source_s3_xfer *);
void	 source_s3_begin(struct source_s3 *, struct s3_object *);

#endif
