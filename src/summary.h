/* SPDX-License-Identifier: ISC */
/*
 * The --summary report: counters filled during a run (findings by rule,
 * level, account, region, principal, source address and user agent, over
 * time; events of the archive by name, source, principal, region and
 * outcome; what filters and dedup held back) and printed at the end as
 * text for people or JSON for scripts.  Every table is capped, with an
 * "other" count for what did not fit.
 */
#ifndef SUMMARY_H
#define SUMMARY_H

#include <stdint.h>
#include <stdio.h>

struct record;
struct rule;
struct summary;

#define SUMMARY_KEYS_MAX	10000	/* distinct values per table */
#define SUMMARY_KEY_MAX		256	/* bytes of a value kept */
#define SUMMARY_TOP		10	/* rows per table, by default */
#define SUMMARY_WIDTH		60	/* columns of the chart's bars */
#define SUMMARY_ROWS_MAX	60	/* rows of the chart */

enum summary_format {
	SUMMARY_TEXT,
	SUMMARY_JSON,
};

/* What main() knows of the run as a whole. */
struct summary_run {
	uint64_t	 files, files_failed, files_skipped;
	uint64_t	 records;
	uint64_t	 data_events;	/* records that are data events */
	uint64_t	 duplicates;
	/* Rules loaded, rejected, not for CloudTrail, left out; filters. */
	size_t		 rules, rules_rejected, rules_other, rules_left_out;
	size_t		 rules_data_only;	/* only data events can match */
	size_t		 filters;
};

struct summary	*summary_create(int top, int width);
void		 summary_free(struct summary *);
/* Count one event of the archive. */
void		 summary_record(struct summary *, struct record *);
/* Count a finding; rec is NULL for a correlation. */
void		 summary_finding(struct summary *, const struct rule *,
		    struct record *);
/* A match that filter held back. */
void		 summary_suppressed(struct summary *, const struct rule *);
void		 summary_write(const struct summary *,
		    const struct summary_run *, enum summary_format, FILE *);

#endif
