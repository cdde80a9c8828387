/* SPDX-License-Identifier: ISC */
/*
 * The forms a record comes in.  The JSON stage streams values past; this
 * module says what a finished object is (a CloudTrail event, an
 * EventBridge envelope, an Insights event, a GuardDuty finding), which
 * top-level arrays hold records (CloudTrail's Records, lookup-events'
 * Events, get-findings' Findings) and how the API's member names read,
 * which member names mark a CloudTrail-Digest file, what a stream that is
 * not JSON looks like, and what rules and alerts need to know of a
 * finding (its kind, band, sample flag and console link), so that the
 * JSON stage only parses.
 */
#ifndef FORMS_H
#define FORMS_H

#include <stddef.h>

struct rec_value;
struct record;

/* What a finished object is: its members that tell. */
struct forms_shape {
	const struct rec_value	*detail;	/* an envelope's event */
	const struct rec_value	*detail_type;
	const struct rec_value	*category;	/* eventCategory */
	const struct rec_value	*id;		/* a finding's id */
	const struct rec_value	*updated;	/* updatedAt */
	const struct rec_value	*time;		/* eventTime */
	const struct rec_value	*timestamp;	/* @timestamp */
	int			 insight;	/* an Insights event */
	int			 event;		/* names an event */
	int			 finding;	/* is a GuardDuty finding */
};

#define FORMS_HAS_SCHEMA	0x2
#define FORMS_HAS_TYPE		0x4
#define FORMS_HAS_SEVERITY	0x8

#define FORMS_KEY_MAX	64	/* longest API member name renamed */
#define FORMS_ID_MAX	512	/* a finding's id@updatedAt */

/* The array a file form holds its records in. */
enum forms_list {
	FORMS_LIST_NONE,
	FORMS_LIST_RECORDS,	/* {"Records":[...]}: CloudTrail's file */
	FORMS_LIST_EVENTS,	/* {"Events":[...]}: lookup-events */
	FORMS_LIST_FINDINGS,	/* {"Findings":[...]}: get-findings */
	FORMS_LIST_LAKE,	/* {"QueryResultRows":[[...]]}: Lake */
};

/* What a record is, for a rule's logsource (a bit mask). */
#define FORMS_CLOUDTRAIL	0x1
#define FORMS_GUARDDUTY		0x2
#define FORMS_INSIGHT		0x4	/* a CloudTrail Insights event */

/* Fill sh with the members of object v that tell what it is. */
void		 forms_shape(const struct rec_value *, struct forms_shape *);
/* 1 if a top-level member of this name marks a CloudTrail-Digest file. */
int		 forms_is_digest_key(const char *, size_t);
/* The event inside an EventBridge envelope, or NULL. */
const struct rec_value *forms_envelope(const struct forms_shape *);
/* The list a top-level member of this name holds. */
enum forms_list	 forms_list_key(const char *, size_t);
const char	*forms_list_name(enum forms_list);
/* A GuardDuty API member name as the finding's wire name. */
size_t		 forms_api_key(const char *, size_t, char *);
/* Add the members a finding or an @timestamp export lacks; -1: no room. */
int		 forms_complete(struct record *, const struct forms_shape *);
/* What a stream that cannot be JSON looks like, or NULL. */
const char	*forms_sniff(const char *, size_t);
/* The FORMS_ bit of a Sigma logsource service, or 0. */
int		 forms_service(const char *);
/* A row of what an alert shows of a finding: label and field path. */
struct forms_row {
	const char	*label;
	const char	*path;
};
extern const struct forms_row forms_finding_rows[];	/* NULL ends it */
#define FORMS_URL_MAX	512

/* "low", "medium", "high" or "critical" for a severity, or NULL. */
const char	*forms_severity_band(const char *, size_t);
/* 1 if the finding is a sample finding. */
int		 forms_is_sample(const struct record *);
/* Its link in the GuardDuty console; -1 if it has none. */
int		 forms_console_url(const struct record *, char *, size_t);
/* A CloudTrail Lake row's eventJson, or NULL and the columns it has. */
#define FORMS_LAKE_COLS_MAX	256
const struct rec_value *forms_lake_event(const struct rec_value *, char *,
		    size_t);
/* The FORMS_ bits the rules of a set read, for the S3 walk. */
struct rule_set;
unsigned int	 forms_wanted(const struct rule_set *);
/* What a 403 from S3 for an object takes to mend, or NULL (forms.c). */
char		*forms_s3_denied(const char *key, const char *code,
		    const char *why);
/* A finding's own fields in the outputs: JSON key and CSV header. */
struct forms_col {
	const char	*json, *csv;
};
extern const struct forms_col forms_finding_cols[];	/* NULL ends it */
/*
 * Column i of a finding: 1 and *sp, *lenp set (borrowed from the record,
 * or written to buf of FORMS_URL_MAX bytes), or 0 when it has none.
 */
int		 forms_finding_col(const struct record *, size_t, char *,
		    const char **, size_t *);
/* 1 if a record is a GuardDuty finding. */
int		 forms_is_finding(const struct record *);
/* 1 if a record is a CloudTrail Insights event. */
int		 forms_is_insight(const struct record *);
/*
 * The value an Insights event attributes the most unusual activity to for
 * an attribute (userIdentityArn, userAgent, errorCode): 1 and *sp, *lenp
 * set (borrowed from the record), or 0.
 */
int		 forms_insight_top(const struct record *, const char *,
		    const char **, size_t *);
/* FORMS_CLOUDTRAIL, FORMS_GUARDDUTY or FORMS_INSIGHT. */
unsigned int	 forms_kind(const struct rec_value *);

#endif
