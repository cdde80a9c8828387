/* SPDX-License-Identifier: ISC */
/*
 * One CloudTrail event, as a small tree of JSON values.  The JSON stage
 * builds it from SAX callbacks into a per-record arena that is reset after
 * each event, so nothing in a record is freed on its own.  Rules and
 * outputs read it through the accessors below; pointers they get are
 * borrowed and valid only while the record is being delivered.
 */
#ifndef RECORD_H
#define RECORD_H

#include <stddef.h>
#include <stdint.h>

enum rec_type {
	REC_NULL,
	REC_FALSE,
	REC_TRUE,
	REC_NUMBER,
	REC_STRING,
	REC_OBJECT,
	REC_ARRAY,
};

struct rec_value {
	enum rec_type		 type;
	const char		*key;	/* member name in an object, else NULL */
	size_t			 keylen;
	/*
	 * STRING: the decoded value; NUMBER: its JSON text as written;
	 * TRUE, FALSE, NULL: "true", "false", "null".  Always NUL-terminated,
	 * but a string may also hold NULs, so use len.  NULL for containers.
	 */
	const char		*str;
	size_t			 len;
	struct rec_value	*child;	/* first member or element */
	struct rec_value	*next;	/* next sibling */
	size_t			 nchild;
};

struct record;

/* The top-level object of the event. */
const struct rec_value	*record_root(const struct record *);
/* The member of an object with exactly this name, or NULL. */
const struct rec_value	*record_member(const struct rec_value *,
			    const char *, size_t);
/*
 * The root's member named by the first len bytes of name (the last, if
 * repeated), or NULL, through an index of the root built at the first
 * call for an event.  Returns -1, and sets nothing, when the record has
 * no index (a copy) or its root cannot have one (a member name with a
 * dot, an empty one, too many members): then walk the members.
 */
int			 record_root_member(struct record *, const char *,
			    size_t, const struct rec_value **);
/* Value at a dotted path of object members ("userIdentity.arn"), or NULL. */
const struct rec_value	*record_path(const struct record *, const char *);
/* String or scalar text at a dotted path, or NULL if absent, null, or a
 * container. */
const char		*record_string(const struct record *, const char *);
/*
 * Compact JSON text of any value in the record, cached for the life of the
 * record (so repeated rules do not serialise it twice).
 */
const char		*record_json(struct record *, const struct rec_value *,
			    size_t *);
/* Where the record came from: a path, "<stdin>" or an s3:// URI. */
const char		*record_origin(const struct record *);
/* Its index in that origin, counting from 0 as jq does. */
uint64_t		 record_index(const struct record *);
/* Start loading it into this core's cache, to be read soon after. */
void			 record_prefetch(const struct record *);

#endif
