/* SPDX-License-Identifier: ISC */
/*
 * The JSON stage: decompressed bytes in, one record at a time out.  It
 * recognises CloudTrail's shapes (the {"Records":[...]} file, a top-level
 * array, JSON Lines, EventBridge envelopes), skips digest files and
 * Insights events, and reports every problem through diag() under the
 * stream's name, going on past a bad record wherever the format allows.
 */
#ifndef JSON_H
#define JSON_H

#include <stddef.h>

struct json;
struct record;
struct scan_stats;

#define JSON_DEPTH_MAX	1000000		/* nesting that ends the stream */

typedef void	 json_record_cb(struct record *, void *);

/* Parse one stream called name; counts go to st. */
struct json	*json_create(const char *name, json_record_cb *, void *,
		    struct scan_stats *st);
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
void		 json_free(struct json *);
/*
 * For tests: 0 keeps the guard to the fast path every x86-64 has, 1 lets
 * it take a wider one where the processor has it (the default).
 */
void		 json_set_wide(int);

#endif
