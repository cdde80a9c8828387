/* SPDX-License-Identifier: ISC */
/*
 * The findings stage: scan streams with a rule set and hand each finding
 * to the output and the sinks.  A match goes through a fixed order, which
 * lives here and nowhere else: the time window, then the Sigma filters
 * (suppress), correlation, the --state dedup set, the --summary counters,
 * the output and last the sinks.  Correlation findings come out at the
 * end, when audit_finish() closes the windows.  main() owns the parts
 * (rules, state, summary, output, sinks) and the exit status.
 */
#ifndef AUDIT_H
#define AUDIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rule.h"
#include "scan.h"
#include "summary.h"
#include "worker.h"

struct audit;
struct correlate;
struct output_ops;
struct rule_set;
struct sink_set;
struct source_opts;
struct state;
struct stream;
struct summary;
struct verify;

#define AUDIT_PROGRESS_EVERY	4096	/* records between progress calls */

/* What a run found and skipped, besides the scan's own counts. */
struct audit_stats {
	struct scan_stats	 scan;
	uint64_t		 findings[RULE_CRITICAL + 1];	/* by level */
	uint64_t		 nfindings;
	struct worker_window	 window;	/* what --since/--until left */
	uint64_t		 suppressed;	/* matches a filter accepted */
	uint64_t		 carried;	/* --state: matches taken over */
	uint64_t		 carried_out;	/* and handed on */
	int			 out_failed;	/* findings not written */
};

/* Called every AUDIT_PROGRESS_EVERY records, and once with done set. */
typedef void	 audit_progress_cb(const struct audit_stats *, int done,
		    void *);

/* The parts a run writes to; NULL parts are left out of the order. */
struct audit_opts {
	int64_t			 since, until;	/* eventTime, ms; 0: unbounded */
	int			 timed;		/* parse every eventTime */
	int64_t			 stale_cut;	/* --stale: ms; 0: no check */
	const char		*stale;		/* --stale as given, for notes */
	int			 hold;		/* do not mark streams audited */
	const char		*held;		/* rule paths rejected, or NULL */
	struct correlate	*corr;		/* correlation rules, or NULL */
	struct state		*state;		/* --state dedup, or NULL */
	int			 carry;		/* state: correlation matches */
	struct summary		*summary;	/* --summary, or NULL */
	const struct output_ops	*out_ops;	/* required */
	void			*out;
	struct sink_set		*sinks;		/* NULL: publish nowhere */
	struct verify		*verify;	/* --verify, or NULL */
	/* -j: threads, and what they need to load the same rules. */
	int			 jobs;		/* 0 or 1: none */
	const struct rule_opts	*ropts;
	char *const		*rulepaths;
	size_t			 nrulepaths;
	audit_progress_cb	*progress;	/* or NULL */
	void			*progress_arg;
};

/* The stage for rs; the parts in opts are borrowed, not owned. */
struct audit	*audit_create(struct rule_set *, const struct audit_opts *);
void		 audit_free(struct audit *);
/*
 * The one entry: audit every stream each path names, tell the progress
 * callback the scan is done, then close the correlation windows.
 * Problems are reported through diag().
 */
void		 audit_run(struct audit *, const char *const *paths,
		    size_t npaths, const struct source_opts *);
/* Audit one stream: 0 if it was read to the end, else -1. */
int		 audit_stream(struct audit *, struct stream *);
/* Audit every stream one path names. */
void		 audit_path(struct audit *, const char *,
		    const struct source_opts *);
/* Close the correlation windows and hand over their findings. */
void		 audit_finish(struct audit *);
const struct audit_stats *audit_stats(const struct audit *);
/*
 * Close the output (and outf, unless it is stdout; outname names it),
 * deliver to the sinks, then save the state (with the newest eventTime)
 * only if no write or delivery failed.  Return how many alerts were not
 * delivered; a failed write sets out_failed in the stats.
 */
size_t		 audit_commit(struct audit *, FILE *outf, const char *outname,
		    const char *statepath);
/*
 * Print the --stale error, the closing notes and the --summary report
 * (to the FILE).  Return -1 if the report could not be written to
 * stdout, else 0.
 */
int		 audit_report(const struct audit *, enum summary_format,
		    FILE *);

#endif
