/* SPDX-License-Identifier: ISC */
/*
 * The JSON stage: decompressed bytes in, one record at a time out.  It
 * recognises CloudTrail's shapes (the {"Records":[...]} file, a top-level
 * array, JSON Lines, EventBridge envelopes), skips digest files, counts
 * Insights events apart from the others, and reports every problem
 * through diag() under the stream's name, going on past a bad record
 * wherever the format allows.
 */
#ifndef JSON_H
#define JSON_H

#include <stddef.h>
#include <stdint.h>

struct json;
struct record;

#define JSON_DEPTH_MAX	1000000		/* nesting that ends the stream */

/* What the JSON stage counts, added to as it goes. */
struct json_stats {
	uint64_t	 records;		/* events delivered */
	uint64_t	 records_skipped;	/* bad events not delivered */
	uint64_t	 digests;		/* CloudTrail-Digest files skipped */
	uint64_t	 insights;		/* Insights events delivered */
	uint64_t	 repaired;		/* delivered after a repair */
	uint64_t	 bytes_json;		/* bytes of JSON after inflate */
};

typedef void	 json_record_cb(struct record *, void *);

/*
 * Parse one stream called name; counts go to st.  With no name, nothing
 * is reported: the first record is kept for json_take().
 */
struct json	*json_create(const char *name, json_record_cb *, void *,
		    struct json_stats *st);
/* Parse the next bytes: 0 to go on, -1 if the rest cannot be read. */
int		 json_feed(struct json *, const char *, size_t);
/*
 * The input has ended, cleanly (complete) or because of an error before
 * this stage (a record in progress is then lost without another message).
 * Returns 0, or -1 if the end was bad.
 */
int		 json_end(struct json *, int complete);
/* 1 if any part of the stream was not read or a record was skipped. */
int		 json_failed(const struct json *);
/* 1 if some bytes were not parsed (a syntax error, a cap on nesting). */
int		 json_incomplete(const struct json *);
/*
 * After json_end() on a stream without a name: its one record, which the
 * caller owns, or NULL and *cause.
 */
struct record	*json_take(struct json *, char **cause);
void		 json_free(struct json *);
/* Free the record this thread keeps for its next stream. */
void		 json_thread_clear(void);
/*
 * For tests: 0 keeps the guard to the fast path every x86-64 has, 1 lets
 * it take a wider one where the processor has it (the default).
 */
void		 json_set_wide(int);

#endif
