/* SPDX-License-Identifier: ISC */
/*
 * The state file (--state): what earlier runs audited, so that a run from
 * cron reads only what arrived since, and which findings it already
 * reported, so that an event delivered twice does not alert twice.  The
 * sources ask it which streams to read; main() tells it which were read
 * to the end and saves it once their findings are written.  The format
 * and the reasoning behind it are in state.c.
 */
#ifndef STATE_H
#define STATE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct stat;
struct state;

#define STATE_VERSION		1
#define STATE_LINE_MAX		8192		/* bytes in one line */
#define STATE_DONE_MAX		100000		/* per scope, past its mark */
#define STATE_RETRY_MAX		10000		/* per scope */
#define STATE_SCOPES_MAX	100000
#define STATE_SEEN_MAX		200000		/* (rule, eventID) pairs */
#define STATE_SEEN_DAYS		7		/* the default window */
/* Files changed this long before a run are judged by the cut alone. */
#define STATE_FILE_SLACK_NS	(3600LL * 1000000000)
/* S3 keys younger than this (by their name) stay in the done set. */
#define STATE_S3_SLACK_MS	(15LL * 60 * 1000)
/* The journal: the output is synced at most this often ... */
#define STATE_JOURNAL_SYNC_MS	100
/* ... and checkpoints stop past this size (the rest is audited again). */
#define STATE_JOURNAL_MAX	(64 * 1024 * 1024)
/* Correlation matches handed on to the next run, and values in one. */
#define STATE_CARRY_MAX		100000
#define STATE_CARRY_VALUES_MAX	17	/* a correlation match has */
/* A longer rule or event id is never deduplicated (no CloudTrail ID is). */
#define STATE_ID_MAX		1024

struct state_opts {
	int		 wait;		/* wait for the lock, or give up */
	int64_t		 now_ms;	/* wall clock at the start */
	int64_t		 window_ms;	/* dedup window; 0: the default */
	size_t		 seen_max;	/* dedup cap; 0: the default */
	size_t		 journal_corr_max; /* 0: STATE_JOURNAL_CORR_MAX */
};

struct state_stats {
	uint64_t	 skipped;	/* streams not read again */
	uint64_t	 duplicates;	/* findings already reported */
	uint64_t	 seen;		/* dedup pairs kept */
	uint64_t	 recovered;	/* streams a dead run had finished */
};

/*
 * Lock the state beside path (path.lock), read path if it exists, and
 * fold into it the journal (path.journal) a run that died left behind.
 * NULL on error with *cause, *where (the file at fault, for the caller
 * to free) and *line (0 if not about a line); *busy is set if another
 * run holds the lock and opts->wait is 0.
 */
struct state	*state_open(const char *path, const struct state_opts *,
		    int *busy, char **where, unsigned long *line,
		    char **cause);
/*
 * Checkpoint each stream from now on in path.journal.  Findings go to
 * out: it is flushed before each checkpoint, and synced (if a regular
 * file) before the journal is.  0, or -1 and *cause.
 */
int		 state_journal_begin(struct state *, FILE *out, char **cause);
/* Remove the journal: the next run reads again what it covered. */
void		 state_journal_drop(struct state *);
/* Write the state atomically and remove the journal: 0, or -1, *cause. */
int		 state_save(struct state *, char **cause);
/* Free it and release the lock; accepts NULL. */
void		 state_free(struct state *);
const struct state_stats *state_stats(const struct state *);
/* --stale: the latest eventTime any run saw (0: none), and this run's. */
int64_t		 state_latest(const struct state *);
void		 state_latest_add(struct state *, int64_t);

/* Local trees.  A walk of root begins; path is root or below it. */
void		 state_file_begin(struct state *, const char *root);
/* 1 if the file should be read, 0 if an earlier run read it. */
int		 state_file_want(struct state *, const char *path,
		    const struct stat *);
/* A file or directory below root that could not be read. */
void		 state_file_failed(struct state *, const char *path);

/* S3.  The key to list after in a prefix, or NULL for all of it. */
const char	*state_s3_start_after(struct state *, const char *bucket,
		    const char *prefix);
/* 1 if the listed key should be read, 0 if an earlier run read it. */
int		 state_s3_want(struct state *, const char *bucket,
		    const char *prefix, const char *key);

/*
 * A stream the source handed out was read to the end (ok) or not, and
 * its findings written: with a journal, checkpoint it.
 */
void		 state_stream_done(struct state *, const char *name, int ok);

/*
 * 1 if this rule already reported this event (within the window), else
 * 0, and the pair is remembered.
 */
int		 state_seen(struct state *, const char *rule_id,
		    const char *event_id, size_t event_id_len,
		    int64_t event_ms);

/*
 * Correlation matches carried from one run to the next (state_carry.c):
 * those the state file held, until state_carry_clear(), then those this
 * run hands on, saved with the state.  state_carry_pend(): a match of
 * the stream being read, for its checkpoint in the journal.
 */
struct state_carry {
	int64_t		 t, t0;		/* eventTime ms; the span's start */
	uint64_t	 id;		/* correlate_id() of its eventID, or 0 */
	char		*corr;		/* id of the correlation rule */
	char		*named;		/* id of the rule that matched */
	char		**vals;		/* NUL-terminated, may hold NULs */
	size_t		*lens;
	size_t		 nvals;
};
size_t		 state_carry_count(const struct state *);
const struct state_carry *state_carry_get(const struct state *, size_t);
void		 state_carry_clear(struct state *);
void		 state_carry_add(struct state *, int64_t, int64_t, uint64_t,
		    const char *, const char *, const char *const *,
		    const size_t *, size_t);
void		 state_carry_pend(struct state *, int64_t, uint64_t,
		    const char *, const char *, const char *const *,
		    const size_t *, size_t);
int		 state_carry_journaling(const struct state *);
/* A newest eventTime, no later than a day past the clock. */
int64_t		 state_clamp_time(const struct state *, int64_t);

/* Escaping of one field, exposed for the unit test. */
char		*state_escape(const char *);
int		 state_unescape(char *);

#endif
