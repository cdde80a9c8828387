/* SPDX-License-Identifier: ISC */
/*
 * Sinks deliver a run's findings to people after they have been written
 * to the output: Amazon SNS (--sns-topic), and Slack, Discord and
 * Telegram (--notify).  Each sink is a const ops table that the registry
 * in sink.c finds by name.  A protocol is one file: sink_sns.c holds the
 * SNS table, sink_webhook.c the three chat tables, which share the JSON
 * POST, the retries and the scrubbing of secrets and differ only in a
 * small kind table.  Another sink is one ops table (in a new file, or a
 * new kind in sink_webhook.c for another webhook) and one line in
 * sink.c.
 *
 * The set of sinks renders each finding once (alert.h), as it is found,
 * and collects the alerts in one batch for all sinks: each finding up to
 * the digest threshold, then counts and the most severe only.  At the
 * end of the run sink_set_finish() hands every sink the alerts, or the
 * one digest, to send.  A sink that fails loses nothing (the findings
 * are in the output already): the set reports it, one diag line per
 * sink, and main() turns it into its exit status.
 */
#ifndef SINK_H
#define SINK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct alert;
struct finding;

/*
 * Without --run-deadline, the time each sink may take to deliver all its
 * messages, their retries and waits included.
 */
#define SINK_SEND_MS	(120 * 1000)

struct sink_opts {
	const char	*profile;	/* --profile, for the AWS credentials */
	int		 dry_run;	/* show each request, send nothing */
	FILE		*dry_out;	/* where --dry-run shows them */
	int64_t		 run_deadline_ms;	/* --run-deadline; 0: none */
};

struct sink_ops {
	const char	 *name;		/* "sns", "slack", ... */
	/*
	 * Check arg (what follows "name:" in --notify, or NULL) and get
	 * ready: read secrets, find credentials.  NULL and *cause on a
	 * configuration error, which never names a secret.
	 */
	void		*(*open)(const char *arg, const struct sink_opts *,
			    char **cause);
	/*
	 * Send n alerts, in order; return how many were delivered, and set
	 * *cause if that is fewer than n.  Each alert goes once at most,
	 * unless its service deduplicates (a FIFO topic).
	 */
	size_t		 (*send)(void *, struct alert *const *, size_t n,
			    char **cause);
	/*
	 * Before send: no request, wait or credential fetch goes on past
	 * at_ms (CLOCK_MONOTONIC, ms); what is cut fails with why.
	 */
	void		 (*deadline)(void *, int64_t at_ms, const char *why);
	void		 (*close)(void *);	/* wipes secrets; NULL ok */
};

extern const struct sink_ops	sink_sns_ops;
extern const struct sink_ops	sink_slack_ops;
extern const struct sink_ops	sink_discord_ops;
extern const struct sink_ops	sink_telegram_ops;

struct sink_set;

const struct sink_ops	*sink_find(const char *);

struct sink_set	*sink_set_create(size_t threshold,
		    const struct sink_opts *);
/*
 * Open a sink from "name" or "name:arg" ("slack", "slack:file=PATH",
 * "sns:ARN").  0, or -1 and *cause.
 */
int		 sink_set_open(struct sink_set *, const char *spec,
		    char **cause);
size_t		 sink_set_count(const struct sink_set *);
/* Render and keep a finding (a NULL set or one with no sink: nothing). */
void		 sink_set_add(struct sink_set *, const struct finding *);
/*
 * Deliver what was kept, each sink within the run deadline (what is left
 * of --run-deadline, counted from the first S3 source or else from the
 * set's creation) or, without one, within SINK_SEND_MS of its start.
 * Each sink that fails is reported with diag(DIAG_ERROR).  Returns the
 * number of sinks that did not deliver every finding.
 */
size_t		 sink_set_finish(struct sink_set *);
/* One note for the summary: what each sink delivered. */
void		 sink_set_summary(const struct sink_set *);
void		 sink_set_free(struct sink_set *);

#endif
