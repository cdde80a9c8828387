/* SPDX-License-Identifier: ISC */
/*
 * The -j worker pool: N - 1 threads and the main thread decode streams
 * (gunzip, yajl, records) and match their records against rule sets of
 * their own; the main thread also lists the streams, in source order,
 * and consumes the results in the same order.  Each stream is a job; a
 * job is a list of events (the messages its decoding reported, and each
 * record that matched or that the summary needs, copied with its
 * matches), which audit.c replays exactly as -j 1 would have made them.
 * Everything that depends on order (correlation, dedup, state, output,
 * sinks, summary) stays on the main thread.
 */
#ifndef WORKER_H
#define WORKER_H

#include <stddef.h>
#include <stdint.h>

#include "log.h"
#include "scan.h"

struct record;
struct rule_opts;
struct rule_set;
struct rule_tally;
struct stream;
struct worker_pool;
struct worker_slab;

#define WORKER_MAX		64		/* -j */
#define WORKER_STREAM_MAX	(32 * 1024 * 1024)	/* one stream, read ahead */
#define WORKER_BUFFER_MAX	(32 * 1024 * 1024)	/* events not consumed */
#define WORKER_AHEAD_JOBS	8		/* streams queued ahead, per thread */
#define WORKER_AHEAD_MAX	(32 * 1024 * 1024)	/* bytes read ahead, in all */

/* One match of a record: the rule, and the filter that suppressed it. */
struct worker_match {
	uint32_t	 rule;		/* rule_set_get() index */
	int32_t		 filter;	/* rule_set_filter_get() index, or -1 */
};

enum worker_ev_type {
	WORKER_EV_DIAG,
	WORKER_EV_REC,
	WORKER_EV_RELIMIT,	/* rule_set_re_limit(): where, index, first */
};

struct worker_ev {
	enum worker_ev_type	 type;
	/* WORKER_EV_DIAG */
	enum diag_level		 level;
	char			*where;		/* or NULL */
	unsigned long		 line;
	char			*msg;
	uint64_t		 index;		/* WORKER_EV_RELIMIT */
	/* WORKER_EV_REC: the record (NULL if no one needs it), matches */
	struct record		*rec;
	int			 slab;		/* rec is in a worker_slab */
	size_t			 first, nmatch;
};

/* An event list. */
struct worker_evs {
	struct worker_ev	*v;
	size_t			 n, size;
};

/* What the time window left out, and the newest eventTime seen. */
struct worker_window {
	uint64_t		 outside;	/* records outside the window */
	uint64_t		 outside_insights;	/* Insights events */
	uint64_t		 untimed;	/* no usable eventTime (audited) */
	int64_t			 latest;	/* newest eventTime, or 0 */
};

/*
 * Place a record in [since, until) (0: unbounded) and count it in *ww:
 * 0 to audit it, -1 if it falls outside.  Nothing is read unless a bound
 * is set or timed.  For the workers and audit.c's one-thread path alike.
 */
int	 worker_window_place(struct record *, int64_t since, int64_t until,
	    int timed, struct worker_window *);
/* Add one job's counts to a run's. */
void	 worker_window_add(struct worker_window *,
	    const struct worker_window *);

/* One stream (or only messages), in source order. */
struct worker_job {
	struct worker_job	*next;
	int			 state;
	int			 decode;	/* has a stream to scan */
	int			 failed;	/* an entry that did not open */
	char			*name;		/* the stream's */
	struct stream		*stream;	/* a file, moved here, or */
	char			*data;		/* its bytes, read ahead */
	size_t			 len, off, size;
	char			*cause;		/* the read error at the end */

	/* Results. */
	struct worker_evs	 pre;		/* main's messages before it */
	struct worker_evs	 evs;		/* the decoding's */
	struct worker_slab	*slabs;		/* the records' copies */
	struct worker_match	*m;
	size_t			 nm, msize;
	size_t			 bytes;		/* counted against the cap */
	int			 rv;		/* scan_stream()'s */
	struct scan_stats	 scan;
	struct worker_window	 window;
};

struct worker_opts {
	int			 n;		/* threads */
	int64_t			 since, until;
	int			 timed;
	int			 all;		/* copy every record (summary) */
	const struct rule_opts	*ropts;		/* to load the same rules */
	char *const		*rulepaths;
	size_t			 nrulepaths;
	struct rule_set		*rules;		/* the main thread's: worker 0's */
	const struct correlate	*corr;		/* what it reads: correlate_fields() */
	/*
	 * Consume, in order, the jobs done so far (worker_job_next() without
	 * waiting): the main thread, decoding a job itself, calls it when the
	 * events not consumed pass WORKER_BUFFER_MAX.
	 */
	void			(*consume)(void *);
	void			*arg;
};

struct worker_pool *worker_pool_create(const struct worker_opts *);
/*
 * Wait for the threads to end (nothing may be queued) and add what their
 * rule sets counted to *t (PCRE2's match-limit stops are none of it: they
 * are WORKER_EV_RELIMIT events).
 */
void		 worker_pool_free(struct worker_pool *, struct rule_tally *);
/*
 * Start the next job: until worker_job_submit(), this thread's messages
 * are kept in it, to be shown when it is consumed.
 */
struct worker_job *worker_job_begin(struct worker_pool *);
/*
 * Read the stream into the job: 0, or -1 if it is longer than
 * WORKER_STREAM_MAX (what was read is then taken back with
 * worker_job_take()).
 */
int		 worker_job_read(struct worker_pool *, struct worker_job *,
		    struct stream *);
/* Take the bytes read so far (the caller frees them). */
char		*worker_job_take(struct worker_job *, size_t *);
/* Queue the job: for decoding if it has a stream, else as it is. */
void		 worker_job_submit(struct worker_pool *, struct worker_job *);
/*
 * Whether the main thread has read far enough ahead: WORKER_AHEAD_JOBS
 * jobs a thread submitted and not yet taken by worker_job_next(), or
 * WORKER_AHEAD_MAX bytes of streams not yet decoded.
 */
int		 worker_full(struct worker_pool *);
/*
 * The oldest job if it is done, else NULL; with wait, decode the oldest
 * job not yet taken on this thread (worker 0) until the oldest is done.
 */
struct worker_job *worker_job_next(struct worker_pool *, int wait);
/* Free a consumed job (and the records in it). */
void		 worker_job_free(struct worker_pool *, struct worker_job *);
/* The online CPUs, for the default -j. */
int		 worker_default(void);

#endif
