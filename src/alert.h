/* SPDX-License-Identifier: ISC */
/*
 * Alerts: findings rendered for the people and programs that the sinks
 * (sink.h) deliver them to.  Pure formatting, no I/O, so that the exact
 * messages are tested on their own (tests/unit/t_alert.c).
 *
 * A finding becomes one struct alert as soon as it is found, because
 * its record lives only while the finding is delivered: a subject of at
 * most ALERT_SUBJECT_MAX characters with no control character, a text
 * body for an e-mail or a chat, a JSON object for programs (the keys of
 * "ctaudit -f json", schema 1), a one-line summary for a digest, and the
 * ids a FIFO topic needs.  Every value taken from a record is cut to
 * ALERT_FIELD_MAX bytes on a character boundary, so a forged 300 KB
 * userAgent makes a long message, never an oversized one.
 *
 * A run's alerts are collected in a struct alert_batch: all of them up to
 * a threshold, then only counts and the ALERT_TOP most severe, and the
 * whole run is sent as one digest (alert_digest()).
 */
#ifndef ALERT_H
#define ALERT_H

#include <stddef.h>
#include <stdint.h>

#include "rule.h"

#define ALERT_DEDUP_LEN	64	/* a SHA-256 in hex */

struct finding;

#define ALERT_SUBJECT_MAX	99	/* characters: SNS wants < 100 */
#define ALERT_FIELD_MAX		1024	/* bytes of one value of a record */
#define ALERT_LINE_FIELD_MAX	128	/* the same in a one-line summary */
#define ALERT_DESC_MAX		4096	/* bytes of a rule's description */
#define ALERT_FP_MAX		16	/* false positives listed */
#define ALERT_TEXT_MAX		(32 * 1024)	/* the text body */
#define ALERT_JSON_MAX		(32 * 1024)	/* the JSON object */
#define ALERT_GROUP_MAX		128	/* a FIFO MessageGroupId */
#define ALERT_TOP		10	/* findings a digest names */
#define ALERT_DIGEST_RULES	50	/* rules a digest counts by name */
#define ALERT_THRESHOLD_DEFAULT	20
#define ALERT_THRESHOLD_MAX	1000

struct alert {
	uint64_t	 seq;		/* 1 for the run's first finding */
	enum rule_level	 level;
	uint64_t	 findings;	/* 1, or the run's count in a digest */
	char		*rule_id;	/* NULL in a digest */
	char		*title;
	char		*account;	/* recipientAccountId, or NULL */
	char		*subject;	/* one line, UTF-8, no controls */
	char		*text;		/* the body for people */
	char		*json;		/* one JSON object, for programs */
	char		*line;		/* a digest's line about it */
	char		*brief;		/* a digest's JSON object about it */
	char		*group;		/* FIFO MessageGroupId */
	char		 dedup[ALERT_DEDUP_LEN + 1];	/* and its dedup id */
};

struct alert_rule_count {
	char		*rule_id;
	char		*title;
	enum rule_level	 level;
	uint64_t	 count;
};

struct alert_batch {
	size_t			  threshold;
	uint64_t		  total;
	uint64_t		  levels[RULE_CRITICAL + 1];
	int			  digest;	/* past the threshold */
	struct alert		**v;	/* in order; the top once a digest */
	size_t			  n;
	struct alert_rule_count	 *rules;
	size_t			  nrules;
	char			 *account;	/* the account, if only one */
	int			  accounts;	/* 0, 1, or 2 for "several" */
};

/* Render a finding now: its record is only valid during the call. */
struct alert	*alert_create(const struct finding *, uint64_t seq);
void		 alert_free(struct alert *);

void		 alert_batch_init(struct alert_batch *, size_t threshold);
/* Add an alert; the batch owns it (and may free it at once). */
void		 alert_batch_add(struct alert_batch *, struct alert *);
void		 alert_batch_clear(struct alert_batch *);
/* The one message that stands for a batch past its threshold. */
struct alert	*alert_digest(const struct alert_batch *);

/*
 * Text helpers, exposed for the sinks and the unit test.
 * alert_subject(): prefix, title and suffix made one line (control and
 * bidirectional characters become spaces, bad UTF-8 U+FFFD) of at most
 * max characters; the title is cut first, with an ellipsis.
 */
char	*alert_subject(const char *prefix, const char *title,
	    const char *suffix, size_t max);
/* The longest prefix of s (bytes) that ends on a UTF-8 boundary. */
size_t	 alert_cut(const char *s, size_t len, size_t max);
/*
 * The bytes of the longest prefix of s that is at most max UTF-16 code
 * units long (what Slack, Discord and Telegram count), on a boundary.
 */
size_t	 alert_cut_utf16(const char *s, size_t len, size_t max);
/* Append s to a JSON document under construction: a quoted string. */
char	*alert_json_string(const char *s, size_t len);

#endif
