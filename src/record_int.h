/* SPDX-License-Identifier: ISC */
/*
 * The side of a record that only its builders see: the JSON stage fills a
 * record from SAX events through these calls, and tests build one from a
 * string with record_from_json().  Rules and outputs use record.h only.
 */
#ifndef RECORD_INT_H
#define RECORD_INT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "record.h"

#define REC_DEPTH_MAX	256			/* nesting inside one event */
#define REC_MEM_MAX	(8 * BUF_RECORD_MAX)	/* arena bytes for one event */

/* Why building a record stopped: the record is then skipped. */
enum rec_build {
	REC_BUILD_OK = 0,
	REC_BUILD_DEEP,		/* nested deeper than REC_DEPTH_MAX */
	REC_BUILD_MEM,		/* the arena would pass REC_MEM_MAX */
};

struct record	*record_create(void);
void		 record_free(struct record *);
/* Forget the event (the arena is reset) and start a new one. */
void		 record_begin(struct record *, const char *origin,
		    uint64_t index);

/*
 * Add to the event under construction, in document order.  Each returns
 * REC_BUILD_OK, or the reason the record cannot be completed; after a
 * failure the record must be abandoned with record_begin().  Strings that
 * are not valid UTF-8 are stored with U+FFFD in place of each bad
 * sequence, and record_repaired() then returns 1.
 */
enum rec_build	 record_key(struct record *, const char *, size_t);
enum rec_build	 record_scalar(struct record *, enum rec_type,
		    const char *, size_t);
enum rec_build	 record_open(struct record *, enum rec_type);
void		 record_close(struct record *);
/* Containers open in the event under construction (0: complete). */
size_t		 record_depth(const struct record *);
/* Set the origin to a copy of this string (record_begin borrows it). */
void		 record_set_origin(struct record *, const char *);
/* The strings added next are known to be ASCII: skip the UTF-8 check. */
void		 record_set_ascii(struct record *, int);
/* 1 if some string was repaired to valid UTF-8. */
int		 record_repaired(const struct record *);
/* Append a string member to the root of a finished record. */
enum rec_build	 record_add_member(struct record *, const char *,
		    const char *, size_t);
/* Make v (a value of this record) the root, e.g. an envelope's detail. */
void		 record_set_root(struct record *, const struct rec_value *);

/*
 * A copy of a finished record that lives on after the original is reset
 * (a -j worker hands it to the main thread); *sizep is what it holds.
 */
struct record	*record_clone(const struct record *, size_t *sizep);
size_t		 record_clone_size(const struct record *);
struct record	*record_clone_to(const struct record *, void *);
/*
 * A copy, into record_clone_size() bytes, of what record_path() can reach
 * by the dotted paths given (NULL-terminated), and all below it; it
 * takes record_clone_used() of them.
 */
struct record	*record_clone_part_to(const struct record *,
		    const char *const *, void *);
size_t		 record_clone_used(const struct record *);
void		 record_release(struct record *);

/*
 * Build a record from one JSON object, for tests.  Returns NULL and sets
 * *cause when the text is not a single JSON object or passes a cap.
 */
struct record	*record_from_json(const char *json, size_t len,
		    const char *origin, char **cause);

/* Check and repair UTF-8: the length of s with each invalid sequence
 * replaced by U+FFFD, written to out (which may be NULL to only count).
 * Returns (size_t)-1 when s is already valid. */
size_t		 record_utf8_repair(const char *s, size_t len, char *out);

#endif
