/* SPDX-License-Identifier: ISC */
/*
 * Record forms, for the JSON stage and the stages after it: what a
 * finished object is, the lists of records in a file's top-level object,
 * the GuardDuty API's member names as the wire writes them, the members a
 * finding or an @timestamp export is given (eventTime, eventID), what a
 * stream that cannot be JSON looks like, and a finding's kind, severity
 * band, sample flag and console link.  Everything here looks at a record
 * tree, a key or a few leading bytes that the JSON stage hands over;
 * nothing here reads input.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compat.h"
#include "forms.h"
#include "record.h"
#include "record_int.h"
#include "rule.h"
#include "xmalloc.h"

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
		case 2:
			if (memcmp(m->key, "id", 2) == 0)
				slot = &sh->id;
			break;
		case 4:
			if (memcmp(m->key, "type", 4) == 0)
				sh->finding |= FORMS_HAS_TYPE;
			break;
		case 8:
			if (memcmp(m->key, "severity", 8) == 0)
				sh->finding |= FORMS_HAS_SEVERITY;
			break;
		case 9:
			if (memcmp(m->key, "eventName", 9) == 0)
				sh->event = 1;
			else if (memcmp(m->key, "eventTime", 9) == 0)
				slot = &sh->time;
			else if (memcmp(m->key, "updatedAt", 9) == 0)
				slot = &sh->updated;
			break;
		case 10:
			if (memcmp(m->key, "@timestamp", 10) == 0)
				slot = &sh->timestamp;
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
			else if (memcmp(m->key, "schemaVersion", 13) == 0)
				sh->finding |= FORMS_HAS_SCHEMA;
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
	/* A GuardDuty finding: its schema, id, type, severity and update. */
	if (sh->finding == (FORMS_HAS_SCHEMA | FORMS_HAS_TYPE |
	    FORMS_HAS_SEVERITY) && !sh->event && sh->id != NULL &&
	    sh->id->type == REC_STRING && sh->updated != NULL &&
	    sh->updated->type == REC_STRING)
		sh->finding = 1;
	else
		sh->finding = 0;
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
 * so on) or for GuardDuty ("GuardDuty Finding"), or NULL.
 */
const struct rec_value *
forms_envelope(const struct forms_shape *sh)
{
	static const char	 suffix[] = " via CloudTrail";
	static const char	 gd[] = "GuardDuty Finding";
	const struct rec_value	*dt = sh->detail_type;
	size_t			 n = sizeof suffix - 1;

	if (dt == NULL || dt->type != REC_STRING)
		return NULL;
	if ((dt->len < n || memcmp(dt->str + dt->len - n, suffix, n) != 0) &&
	    !(dt->len == sizeof gd - 1 && memcmp(dt->str, gd, dt->len) == 0))
		return NULL;
	if (sh->detail == NULL || sh->detail->type != REC_OBJECT)
		return NULL;
	return sh->detail;
}

/* The member names whose array holds the records of a file. */
static const struct {
	const char		*name;
	size_t			 len;
	enum forms_list		 list;
} forms_lists[] = {
	{ "Records", 7, FORMS_LIST_RECORDS },	/* CloudTrail's log file */
	{ "Events", 6, FORMS_LIST_EVENTS },	/* aws cloudtrail lookup-events */
	{ "Findings", 8, FORMS_LIST_FINDINGS },	/* aws guardduty get-findings */
	/* aws cloudtrail get-query-results: see forms_lake.c */
	{ "QueryResultRows", 15, FORMS_LIST_LAKE },
};

/* Which list a top-level member of this name holds, or FORMS_LIST_NONE. */
enum forms_list
forms_list_key(const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < nitems(forms_lists); i++) {
		if (forms_lists[i].len == len &&
		    memcmp(forms_lists[i].name, s, len) == 0)
			return forms_lists[i].list;
	}
	return FORMS_LIST_NONE;
}

/* The member name of a list, for messages. */
const char *
forms_list_name(enum forms_list l)
{
	size_t	i;

	for (i = 0; i < nitems(forms_lists); i++) {
		if (forms_lists[i].list == l)
			return forms_lists[i].name;
	}
	return "?";
}

/*
 * The GuardDuty API's member names (AccountId, Service.Action...) as the
 * finding is written on the wire, in EventBridge events and in the export
 * to S3: the service model's locationName, which is the name with its
 * first letter in lower case but for the three below.  Writes the name
 * to out (of size FORMS_KEY_MAX) and returns its length, or returns 0
 * when the name is kept as it is.
 */
static const struct {
	const char	*api, *wire;
} forms_api_names[] = {
	{ "Code", "productCodeId" },		/* ProductCode */
	{ "ProductType", "productCodeType" },	/* ProductCode */
	{ "TaskCreatedAt", "createdAt" },	/* EcsTaskDetails */
};

size_t
forms_api_key(const char *s, size_t len, char *out)
{
	size_t	i, n;

	if (len == 0 || len >= FORMS_KEY_MAX || s[0] < 'A' || s[0] > 'Z')
		return 0;
	for (i = 0; i < nitems(forms_api_names); i++) {
		if (strlen(forms_api_names[i].api) == len &&
		    memcmp(forms_api_names[i].api, s, len) == 0) {
			n = strlen(forms_api_names[i].wire);
			memcpy(out, forms_api_names[i].wire, n);
			return n;
		}
	}
	memcpy(out, s, len);
	out[0] = (char)(s[0] - 'A' + 'a');
	return len;
}

/*
 * Give a finished record the members the rest of the pipeline times and
 * knows a record by.  A GuardDuty finding gets eventTime from updatedAt
 * and eventID from its id and updatedAt, so that --since, --until and the
 * --state dedup see an updated finding as new and a re-read one as seen;
 * a Logstash or OpenSearch export without eventTime gets it from
 * @timestamp.  Returns 0, or -1 when the arena is full.
 */
int
forms_complete(struct record *r, const struct forms_shape *sh)
{
	char	buf[FORMS_ID_MAX];
	int	n;

	if (sh->finding) {
		n = snprintf(buf, sizeof buf, "%.*s@%.*s", (int)sh->id->len,
		    sh->id->str, (int)sh->updated->len, sh->updated->str);
		if (n < 0 || (size_t)n >= sizeof buf)
			return 0;	/* no id to know it by */
		if (sh->time == NULL && record_add_member(r, "eventTime",
		    sh->updated->str, sh->updated->len) != REC_BUILD_OK)
			return -1;
		if (record_add_member(r, "eventID", buf, (size_t)n) !=
		    REC_BUILD_OK)
			return -1;
		return 0;
	}
	if (sh->time == NULL && sh->timestamp != NULL &&
	    sh->timestamp->type == REC_STRING &&
	    record_add_member(r, "eventTime", sh->timestamp->str,
	    sh->timestamp->len) != REC_BUILD_OK)
		return -1;
	return 0;
}

/*
 * What kind of record a root object is, for the rules' logsource: a
 * GuardDuty finding (as forms_complete() left it), a CloudTrail Insights
 * event (an insightDetails member, or an eventCategory of "Insight", as
 * forms_shape() tells one) or a CloudTrail event.
 */
unsigned int
forms_kind(const struct rec_value *root)
{
	const struct rec_value	*m;
	unsigned int		 has = 0;

	if (root == NULL || root->type != REC_OBJECT)
		return FORMS_CLOUDTRAIL;
	for (m = root->child; m != NULL; m = m->next) {
		if (m->keylen == 13 && memcmp(m->key, "schemaVersion", 13) == 0)
			has |= 1;
		else if (m->keylen == 8 && memcmp(m->key, "severity", 8) == 0)
			has |= 2;
		else if (m->keylen == 9 && memcmp(m->key, "eventName", 9) == 0)
			has |= 4;
		else if (m->keylen == 14 &&
		    memcmp(m->key, "insightDetails", 14) == 0)
			return FORMS_INSIGHT;
		else if (m->keylen == 13 &&
		    memcmp(m->key, "eventCategory", 13) == 0 &&
		    m->type == REC_STRING && m->len == 7 &&
		    memcmp(m->str, "Insight", 7) == 0)
			return FORMS_INSIGHT;
	}
	/* An event that names itself is no finding, whatever it holds. */
	return has == 3 ? FORMS_GUARDDUTY : FORMS_CLOUDTRAIL;
}

/*
 * What the rules of a set read, so that the S3 walk lists GuardDuty/
 * beside CloudTrail/ only when a rule would read the findings there.
 */
unsigned int
forms_wanted(const struct rule_set *rs)
{
	unsigned int	 want = 0;
	size_t		 i;

	if (rs == NULL)
		return FORMS_CLOUDTRAIL;
	for (i = 0; i < rule_set_count(rs); i++)
		want |= rule_forms(rule_set_get(rs, i));
	return want != 0 ? want : FORMS_CLOUDTRAIL;
}

/*
 * S3 refuses an SSE-KMS encrypted object with 403 AccessDenied when the
 * caller has s3:GetObject but may not use the object's key; the message
 * then reads "User: ARN is not authorized to perform: kms:Decrypt on
 * resource: KEY-ARN because ...".  Say so, and name the key, in front of
 * what S3 said (why, "AccessDenied: ... (HTTP 403)").  A bare "Access
 * Denied" for an object of GuardDuty's export (always KMS-encrypted) gets
 * a hint instead.  A new cause, or NULL when there is nothing to add.
 */
char *
forms_s3_denied(const char *key, const char *code, const char *why)
{
	const char	*p, *e;
	int		 n;

	if (code == NULL || strcmp(code, "AccessDenied") != 0 || why == NULL)
		return NULL;
	if (strstr(why, "kms:Decrypt") != NULL) {
		if ((p = strstr(why, "on resource: arn:")) != NULL) {
			p += 13;
			e = p + strcspn(p, " ");
			n = (int)(e - p);
			return xprintf("object is KMS-encrypted and the caller "
			    "may not decrypt it: it needs kms:Decrypt on key "
			    "%.*s; %s", n, p, why);
		}
		return xprintf("object is KMS-encrypted and the caller may "
		    "not decrypt it: it needs kms:Decrypt on the object's "
		    "key; %s", why);
	}
	if (key != NULL && strstr(key, "/GuardDuty/") != NULL)
		return xprintf("%s; GuardDuty's export is KMS-encrypted: "
		    "reading it needs s3:GetObject on the object and "
		    "kms:Decrypt on the export's key", why);
	return NULL;
}

/* Magic numbers of what people hand over instead of JSON. */
static const struct {
	size_t		 off;
	const char	*magic;
	size_t		 len;
	const char	*what;
} forms_magic[] = {
	{ 257, "ustar", 5, "looks like a tar archive, not JSON: extract it "
	    "first (tar -xf)" },
	{ 0, "PK\003\004", 4, "looks like a zip archive, not JSON: extract "
	    "it first (unzip)" },
	{ 0, "PK\005\006", 4, "looks like an empty zip archive, not JSON" },
	{ 0, "BZh", 3, "looks like bzip2 data, not JSON: decompress it "
	    "first (bunzip2)" },
	{ 0, "\3757zXZ", 5, "looks like xz data, not JSON: decompress it "
	    "first (unxz)" },
	{ 0, "\050\265\057\375", 4, "looks like zstd data, not JSON: "
	    "decompress it first (unzstd)" },
	{ 0, "7z\274\257", 4, "looks like a 7-Zip archive, not JSON: "
	    "extract it first" },
	{ 0, "PAR1", 4, "looks like a Parquet file, not JSON: export the "
	    "query results as JSON" },
	{ 0, "\037\213", 2, "looks like gzip data inside gzip data: "
	    "decompress it once first" },
};

/*
 * What the first bytes of a stream look like when they cannot begin JSON
 * (an archive, other compression, text), as a message; NULL if they may.
 */
const char *
forms_sniff(const char *p, size_t len)
{
	size_t	i;

	for (i = 0; i < nitems(forms_magic); i++) {
		if (len >= forms_magic[i].off + forms_magic[i].len &&
		    memcmp(p + forms_magic[i].off, forms_magic[i].magic,
		    forms_magic[i].len) == 0)
			return forms_magic[i].what;
	}
	for (i = 0; i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' ||
	    p[i] == '\r'); i++)
		;
	if (i == len)
		return NULL;
	switch (p[i]) {
	case '{': case '[': case '"': case '-': case 't': case 'f': case 'n':
	case '0': case '1': case '2': case '3': case '4': case '5': case '6':
	case '7': case '8': case '9': case '\357':	/* a UTF-8 BOM */
		return NULL;
	case '<':
		return "looks like XML or HTML, not JSON";
	}
	for (; i < len && i < 512; i++) {
		if ((unsigned char)p[i] < 0x20 && p[i] != '\t' &&
		    p[i] != '\n' && p[i] != '\r')
			return "looks like binary data, not JSON";
	}
	return "looks like text, not JSON (CSV or a log?)";
}

/* The records a Sigma logsource service names (FORMS_ bits), or 0. */
int
forms_service(const char *service)
{
	if (strcasecmp(service, "cloudtrail") == 0)
		return FORMS_CLOUDTRAIL;
	if (strcasecmp(service, "guardduty") == 0)
		return FORMS_GUARDDUTY;
	if (strcasecmp(service, "cloudtrail-insights") == 0)
		return FORMS_INSIGHT;
	return 0;
}

/* What an alert shows of a GuardDuty finding, in order (alert.c). */
const struct forms_row forms_finding_rows[] = {
	{ "Title:", "title" },
	{ "Type:", "type" },
	{ "Account:", "accountId" },
	{ "Region:", "region" },
	{ "Count:", "service.count" },
	{ "First:", "service.eventFirstSeen" },
	{ "Last:", "service.eventLastSeen" },
	{ "Updated:", "updatedAt" },
	{ "Finding:", "id" },
	{ NULL, NULL },
};

/*
 * GuardDuty's name for the band of a severity: low below 4.0, medium to
 * 6.9, high to 8.9, critical from 9.0.  NULL if s is not a number.
 */
const char *
forms_severity_band(const char *s, size_t len)
{
	char	 buf[32], *end;
	double	 d;

	if (s == NULL || len == 0 || len >= sizeof buf)
		return NULL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	d = strtod(buf, &end);
	if (*end != '\0' || d != d)
		return NULL;
	if (d >= 9.0)
		return "critical";
	if (d >= 7.0)
		return "high";
	if (d >= 4.0)
		return "medium";
	return "low";
}

/* Whether a finding is one of GuardDuty's sample findings. */
int
forms_is_sample(const struct record *r)
{
	const char	*s;

	if ((s = record_string(r, "service.additionalInfo.sample")) != NULL)
		return strcmp(s, "true") == 0;
	return (s = record_string(r, "service.additionalInfo.value")) != NULL &&
	    strstr(s, "\"sample\":true") != NULL;
}

/* Only the characters of a region name or a finding id go into a link. */
static int
forms_link_safe(const char *s)
{
	if (s == NULL || *s == '\0' || strlen(s) > 128)
		return 0;
	for (; *s != '\0'; s++) {
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		    *s == '-'))
			return 0;
	}
	return 1;
}

/*
 * The finding in the GuardDuty console of its region, in the form
 * GuardDuty itself links findings (Security Hub's SourceUrl), written to
 * buf; 0, or -1 when region or id is missing or not safe in a link.
 */
int
forms_console_url(const struct record *r, char *buf, size_t size)
{
	const char	*region, *id;
	int		 n;

	region = record_string(r, "region");
	id = record_string(r, "id");
	if (!forms_link_safe(region) || !forms_link_safe(id))
		return -1;
	n = snprintf(buf, size, "https://%s.console.aws.amazon.com/guardduty/"
	    "home?region=%s#/findings?macros=current&fId=%s", region, region,
	    id);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* A finding's own fields, as the outputs write them, in order. */
const struct forms_col forms_finding_cols[] = {
	{ "type", "findingType" },
	{ "severity", "findingSeverity" },
	{ "resource", "findingResource" },
	{ "accountId", "findingAccountId" },
	{ "region", "findingRegion" },
	{ "id", "findingId" },
	{ "consoleUrl", "findingConsoleUrl" },
	{ "title", "findingTitle" },
	{ "description", "findingDescription" },
	{ "band", "findingSeverityBand" },
	{ "count", "findingCount" },
	{ "firstSeen", "findingFirstSeen" },
	{ "lastSeen", "findingLastSeen" },
	{ "sample", "findingSample" },
	{ NULL, NULL },
};

/*
 * What a finding is about, most specific first: the access key's user,
 * the instance, the cluster, the function, the database; else the kind
 * of resource alone.
 */
static const char *const forms_resource_paths[] = {
	"resource.accessKeyDetails.userName",
	"resource.instanceDetails.instanceId",
	"resource.eksClusterDetails.name",
	"resource.ecsClusterDetails.name",
	"resource.lambdaDetails.functionName",
	"resource.rdsDbInstanceDetails.dbInstanceIdentifier",
	"resource.accessKeyDetails.accessKeyId",
	"resource.resourceType",
};

/* Whether a record is a GuardDuty finding. */
int
forms_is_finding(const struct record *r)
{
	return r != NULL && forms_kind(record_root(r)) == FORMS_GUARDDUTY;
}

/* Whether a record is a CloudTrail Insights event. */
int
forms_is_insight(const struct record *r)
{
	return r != NULL && forms_kind(record_root(r)) == FORMS_INSIGHT;
}

/*
 * The value an Insights event attributes most of the unusual activity to
 * for one attribute ("userIdentityArn", "userAgent", "errorCode"): the
 * first of that attribution's insight list, as CloudTrail orders them.
 */
int
forms_insight_top(const struct record *r, const char *attribute,
    const char **sp, size_t *lenp)
{
	const struct rec_value	*list, *a, *name, *top, *v;
	size_t			 n = strlen(attribute);

	list = record_path(r, "insightDetails.insightContext.attributions");
	if (list == NULL || list->type != REC_ARRAY)
		return 0;
	for (a = list->child; a != NULL; a = a->next) {
		if (a->type != REC_OBJECT ||
		    (name = record_member(a, "attribute", 9)) == NULL ||
		    name->type != REC_STRING || name->len != n ||
		    memcmp(name->str, attribute, n) != 0)
			continue;
		if ((top = record_member(a, "insight", 7)) == NULL ||
		    top->type != REC_ARRAY || (top = top->child) == NULL ||
		    top->type != REC_OBJECT ||
		    (v = record_member(top, "value", 5)) == NULL ||
		    v->type != REC_STRING || v->len == 0 ||
		    (v->len == 4 && memcmp(v->str, "null", 4) == 0))
			return 0;	/* "null": no error code */
		*sp = v->str;
		*lenp = v->len;
		return 1;
	}
	return 0;
}

static int
forms_scalar(const struct record *r, const char *path, const char **sp,
    size_t *lenp)
{
	const struct rec_value	*v;

	if ((v = record_path(r, path)) == NULL || v->str == NULL ||
	    v->type == REC_NULL || v->len == 0)
		return 0;
	*sp = v->str;
	*lenp = v->len;
	return 1;
}

int
forms_finding_col(const struct record *r, size_t i, char *buf,
    const char **sp, size_t *lenp)
{
	size_t	 j;

	switch (i) {
	case 2:
		for (j = 0; j < nitems(forms_resource_paths); j++)
			if (forms_scalar(r, forms_resource_paths[j], sp, lenp))
				return 1;
		return 0;
	case 6:
		if (forms_console_url(r, buf, FORMS_URL_MAX) == -1)
			return 0;
		*sp = buf;
		*lenp = strlen(buf);
		return 1;
	case 9:
		if (!forms_scalar(r, "severity", sp, lenp) ||
		    (*sp = forms_severity_band(*sp, *lenp)) == NULL)
			return 0;
		*lenp = strlen(*sp);
		return 1;
	case 10:
		return forms_scalar(r, "service.count", sp, lenp);
	case 11:
		return forms_scalar(r, "service.eventFirstSeen", sp, lenp);
	case 12:
		return forms_scalar(r, "service.eventLastSeen", sp, lenp);
	case 13:
		*sp = forms_is_sample(r) ? "true" : "false";
		*lenp = strlen(*sp);
		return 1;
	default:
		if (i >= nitems(forms_finding_cols) - 1)
			return 0;
		return forms_scalar(r, forms_finding_cols[i].json, sp, lenp);
	}
}
