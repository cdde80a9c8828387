/* SPDX-License-Identifier: ISC */
/*
 * The forms a record comes in.  The JSON stage streams values past; this
 * module says what a finished object is (an event, an EventBridge
 * envelope, an Insights event) and which top-level member names mark a
 * CloudTrail-Digest file, so that the JSON stage only parses.
 */
#ifndef FORMS_H
#define FORMS_H

#include <stddef.h>

struct rec_value;

/* What a finished object is: its members that tell. */
struct forms_shape {
	const struct rec_value	*detail;	/* an envelope's event */
	const struct rec_value	*detail_type;
	const struct rec_value	*category;	/* eventCategory */
	int			 insight;	/* an Insights event */
	int			 event;		/* names an event */
};

/* Fill sh with the members of object v that tell what it is. */
void		 forms_shape(const struct rec_value *, struct forms_shape *);
/* 1 if a top-level member of this name marks a CloudTrail-Digest file. */
int		 forms_is_digest_key(const char *, size_t);
/* The event inside an EventBridge envelope, or NULL. */
const struct rec_value *forms_envelope(const struct forms_shape *);

#endif
