/* SPDX-License-Identifier: ISC */
/*
 * The guard in front of yajl (json_guard.c), for json.c only: it decides
 * how much of each piece yajl may see, so that no token yajl buffers can
 * grow past a record's size, and notes where non-ASCII text was seen.
 */
#ifndef JSON_GUARD_H
#define JSON_GUARD_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define JSON_TOKEN_MAX	BUF_RECORD_MAX	/* longest string or number fed */
#define JSON_GAP_SLOW	(64 * 1024)	/* non-string run that is watched */
#define JSON_ESC_FIRST	5		/* the byte after a backslash */

struct json_guard {
	uint64_t	 base;		/* stream offset of the piece */
	int		 in_string;
	int		 esc;		/* escape bytes still to come */
	int		 cutting;	/* dropping a long string's tail */
	int		 num_cut;	/* dropping a long number's tail */
	size_t		 tok_len;	/* string or number so far */
	uint64_t	 gap;		/* bytes since the last string */
	uint64_t	 high_at;	/* after the last non-ASCII or \u */
	int		 fix;		/* an unpaired high surrogate's \u */
	int		 subst;		/* feed this byte for the next, or 0 */
	int		 hold;		/* see the rest again with more input */
	int		 final;		/* there is no more input */
};

/* The most bytes json_guard() asks to see again (hold). */
#define JSON_GUARD_HOLD_MAX	16

/* Start guarding a stream. */
void		 json_guard_init(struct json_guard *);
/* After a parse error: yajl starts again between values. */
void		 json_guard_reset(struct json_guard *);
/*
 * How many bytes of p (at stream offset base) may be fed to yajl as they
 * are; *drop says how many after them to leave out.  Then, if subst is
 * set, feed that byte instead of the next one (and clear it); if hold is
 * set, keep the rest of p (fewer than JSON_GUARD_HOLD_MAX bytes) to be
 * guarded again in front of the next piece (and clear it).
 */
size_t		 json_guard(struct json_guard *, uint64_t, const char *,
		    size_t, size_t *);

#endif
