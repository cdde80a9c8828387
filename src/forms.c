/* SPDX-License-Identifier: ISC */
/*
 * Record forms, for the JSON stage: what a finished object is (an event,
 * the EventBridge envelope around one, an Insights event to count and
 * skip) and which member names mark a CloudTrail-Digest file.  Everything
 * here looks at a record tree or a key that the JSON stage has already
 * parsed; nothing here reads bytes.
 */
#include "config.h"

#include <string.h>

#include "compat.h"
#include "forms.h"
#include "record.h"

/* Top-level members that only a CloudTrail-Digest file has. */
#define FORMS_KEY(s)	{ s, sizeof s - 1 }
static const struct {
	const char	*name;
	size_t		 len;
} forms_digest_keys[] = {
	FORMS_KEY("digestStartTime"),
	FORMS_KEY("digestEndTime"),
	FORMS_KEY("digestS3Bucket"),
	FORMS_KEY("digestS3Object"),
	FORMS_KEY("logFiles"),
	FORMS_KEY("previousDigestSignature"),
};

/*
 * The members of an object that say what it is, found in one pass: this
 * runs for every record, and a search per name went through all members
 * of an ordinary event for each name it lacks.  The first member of a
 * name is the one taken, as record_member() would take it.
 */
void
forms_shape(const struct rec_value *v, struct forms_shape *sh)
{
	const struct rec_value	*m, **slot;

	memset(sh, 0, sizeof *sh);
	for (m = v->child; m != NULL; m = m->next) {
		slot = NULL;
		switch (m->keylen) {
		case 6:
			if (memcmp(m->key, "detail", 6) == 0)
				slot = &sh->detail;
			break;
		case 9:
			if (memcmp(m->key, "eventName", 9) == 0)
				sh->event = 1;
			break;
		case 11:
			if (memcmp(m->key, "detail-type", 11) == 0)
				slot = &sh->detail_type;
			else if (memcmp(m->key, "eventSource", 11) == 0)
				sh->event = 1;
			break;
		case 12:
			if (memcmp(m->key, "eventVersion", 12) == 0)
				sh->event = 1;
			break;
		case 13:
			if (memcmp(m->key, "eventCategory", 13) == 0)
				slot = &sh->category;
			break;
		case 14:
			if (memcmp(m->key, "insightDetails", 14) == 0)
				sh->insight = 1;
			break;
		}
		if (slot != NULL && *slot == NULL)
			*slot = m;
	}
	if (sh->category != NULL && sh->category->type == REC_STRING &&
	    sh->category->len == 7 && memcmp(sh->category->str, "Insight",
	    7) == 0)
		sh->insight = 1;
}

/* Whether a top-level member name is one only a digest file has. */
int
forms_is_digest_key(const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < nitems(forms_digest_keys); i++) {
		if (forms_digest_keys[i].len == len &&
		    memcmp(forms_digest_keys[i].name, s, len) == 0)
			return 1;
	}
	return 0;
}

/*
 * The event inside an EventBridge envelope for CloudTrail ("detail-type"
 * "AWS API Call via CloudTrail", "AWS Console Sign In via CloudTrail" and
 * so on), or NULL.
 */
const struct rec_value *
forms_envelope(const struct forms_shape *sh)
{
	static const char	 suffix[] = " via CloudTrail";
	const struct rec_value	*dt = sh->detail_type;
	size_t			 n = sizeof suffix - 1;

	if (dt == NULL || dt->type != REC_STRING || dt->len < n ||
	    memcmp(dt->str + dt->len - n, suffix, n) != 0)
		return NULL;
	if (sh->detail == NULL || sh->detail->type != REC_OBJECT)
		return NULL;
	return sh->detail;
}
