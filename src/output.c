/* SPDX-License-Identifier: ISC */
/*
 * The last stage of the pipeline: the registry of output formats, and
 * what every format writes about a finding.  The columns are listed once
 * here, in the order of JSON schema version 1, so JSON and CSV cannot
 * drift apart; the text format picks its own subset for people.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "compat.h"
#include "eventtime.h"
#include "forms.h"
#include "output.h"
#include "output_int.h"
#include "record.h"
#include "rule.h"

static const struct output_ops *output_table[] = {
	&output_text_ops,
	&output_json_ops,
	&output_csv_ops,
	NULL
};

/*
 * JSON schema version 2 (1 ended at "index"); append only, and bump
 * OUTPUT_SCHEMA_VERSION.  CSV writes every column without json_only, in
 * this order, whatever the rules loaded.
 */
const struct output_col output_cols[] = {
	{ "ruleId",		OUTPUT_COL_RULE_ID,	NULL, 0 },
	{ "ruleTitle",		OUTPUT_COL_RULE_TITLE,	NULL, 0 },
	{ "level",		OUTPUT_COL_LEVEL,	NULL, 0 },
	{ "tags",		OUTPUT_COL_TAGS,	NULL, 0 },
	{ "eventTime",		OUTPUT_COL_FIELD,	"eventTime", 0 },
	{ "eventName",		OUTPUT_COL_FIELD,	"eventName", 0 },
	{ "eventSource",	OUTPUT_COL_FIELD,	"eventSource", 0 },
	{ "awsRegion",		OUTPUT_COL_FIELD,	"awsRegion", 0 },
	{ "recipientAccountId",	OUTPUT_COL_FIELD,
	    "recipientAccountId", 0 },
	{ "principalType",	OUTPUT_COL_FIELD,	"userIdentity.type", 0 },
	{ "principalArn",	OUTPUT_COL_PRINCIPAL,	NULL, 0 },
	{ "sourceIPAddress",	OUTPUT_COL_FIELD,	"sourceIPAddress", 0 },
	{ "userAgent",		OUTPUT_COL_FIELD,	"userAgent", 0 },
	{ "errorCode",		OUTPUT_COL_FIELD,	"errorCode", 0 },
	{ "eventID",		OUTPUT_COL_FIELD,	"eventID", 0 },
	{ "origin",		OUTPUT_COL_ORIGIN,	NULL, 0 },
	{ "index",		OUTPUT_COL_INDEX,	NULL, 0 },
	{ "accessKeyId",	OUTPUT_COL_FIELD,
	    "userIdentity.accessKeyId", 0 },
	{ "userName",		OUTPUT_COL_FIELD,	"userIdentity.userName", 0 },
	{ "sessionIssuer",	OUTPUT_COL_FIELD,
	    "userIdentity.sessionContext.sessionIssuer.arn", 0 },
	{ "eventTimeUtc",	OUTPUT_COL_TIME_UTC,	NULL, 0 },
	{ "ruleDescription",	OUTPUT_COL_RULE_DESC,	NULL, 0 },
	{ "ruleReferences",	OUTPUT_COL_REFS,	NULL, 0 },
	{ "ruleFalsePositives",	OUTPUT_COL_FALSEPOS,	NULL, 1 },
};
const size_t output_ncols = sizeof output_cols / sizeof output_cols[0];

/*
 * Who acted, most specific first.  Not every identity has an ARN: an AWS
 * service has only invokedBy ("config.amazonaws.com", "AWS Internal"), a
 * failed console sign-in or a SAML user has a userName, and principalId
 * is left as the last resort because it is an opaque id.
 */
static const char *const output_principal_paths[] = {
	"userIdentity.arn",
	"userIdentity.invokedBy",
	"userIdentity.userName",
	"userIdentity.principalId",
};

/*
 * A GuardDuty finding has no eventName, awsRegion or recipientAccountId:
 * those columns show its type, region and account; an Insights event
 * names the API it is about in insightDetails.  So findings line up with
 * events in every format (forms.c).
 */
static const struct {
	unsigned int	 kind;		/* FORMS_GUARDDUTY or _INSIGHT */
	const char	*event, *path;
} output_finding_paths[] = {
	{ FORMS_GUARDDUTY, "eventName", "type" },
	{ FORMS_GUARDDUTY, "awsRegion", "region" },
	{ FORMS_GUARDDUTY, "recipientAccountId", "accountId" },
	{ FORMS_INSIGHT, "eventName", "insightDetails.eventName" },
	{ FORMS_INSIGHT, "eventSource", "insightDetails.eventSource" },
};

/*
 * An Insights event has no caller: the principal, user agent and error
 * code columns read what CloudTrail attributes most of its calls to.
 */
static const struct {
	const char	*event, *attribute;
} output_insight_tops[] = {
	{ "userIdentity.arn", "userIdentityArn" },
	{ "userAgent", "userAgent" },
	{ "errorCode", "errorCode" },
};

/* The attribution an Insights event's column reads, or NULL. */
static const char *
output_insight_attribute(const char *path)
{
	size_t	 i;

	for (i = 0; i < nitems(output_insight_tops); i++)
		if (strcmp(path, output_insight_tops[i].event) == 0)
			return output_insight_tops[i].attribute;
	return NULL;
}

/* Find an output format by name. */
const struct output_ops *
output_find(const char *name)
{
	size_t	 i;

	for (i = 0; output_table[i] != NULL; i++) {
		if (strcmp(output_table[i]->name, name) == 0)
			return output_table[i];
	}
	return NULL;
}

/*
 * The record's value at a dotted path as text.  Strings come as decoded,
 * numbers and booleans as written; an object or array where a string was
 * expected (only a forged record has one) comes as its compact JSON, so
 * that every column is a string or absent.
 */
int
output_field(const struct finding *fd, const char *path, const char **sp,
    size_t *lenp)
{
	const struct rec_value	*v;
	const char		*attribute;
	unsigned int		 kind = 0;	/* looked up when needed */
	size_t			 i;

	if (fd->rec == NULL)		/* a correlation finding */
		return 0;
	for (i = 0; i < nitems(output_finding_paths); i++) {
		if (strcmp(path, output_finding_paths[i].event) != 0)
			continue;
		if (kind == 0)
			kind = forms_kind(record_root(fd->rec));
		if (output_finding_paths[i].kind == kind) {
			path = output_finding_paths[i].path;
			break;
		}
	}
	if ((attribute = output_insight_attribute(path)) != NULL) {
		if (kind == 0)
			kind = forms_kind(record_root(fd->rec));
		if (kind == FORMS_INSIGHT)
			return forms_insight_top(fd->rec, attribute, sp, lenp);
	}
	if ((v = record_path(fd->rec, path)) == NULL || v->type == REC_NULL)
		return 0;
	if (v->type == REC_OBJECT || v->type == REC_ARRAY) {
		if ((*sp = record_json(fd->rec, v, lenp)) == NULL)
			return 0;
		return 1;
	}
	*sp = v->str;
	*lenp = v->len;
	return 1;
}

/*
 * A string member of an event as its finding's column reads it (an
 * Insights event's attributions included), for the --summary tables, or
 * NULL; insight says whether rec is an Insights event.
 */
static const char *
output_record_column(const struct record *rec, int insight,
    const char *path)
{
	const char	*attribute, *s;
	size_t		 len;

	if (insight && (attribute = output_insight_attribute(path)) != NULL)
		return forms_insight_top(rec, attribute, &s, &len) ? s : NULL;
	return record_string(rec, path);
}

/* The user agent of an event, as the finding's userAgent reads it. */
const char *
output_record_agent(const struct record *rec)
{
	return output_record_column(rec, forms_is_insight(rec), "userAgent");
}

/*
 * Who acted in an event, named as a finding's principalArn names it (for
 * the --summary tables), or NULL.
 */
const char *
output_record_principal(const struct record *rec)
{
	const char	*s;
	size_t		 i;
	int		 insight = forms_is_insight(rec);

	for (i = 0; i < nitems(output_principal_paths); i++)
		if ((s = output_record_column(rec, insight,
		    output_principal_paths[i])) != NULL && *s != '\0')
			return s;
	return NULL;
}

/* How many items a list column has for this finding. */
size_t
output_list_count(const struct finding *fd, const struct output_col *col)
{
	switch (col->kind) {
	case OUTPUT_COL_TAGS:
		return rule_ntags(fd->rule);
	case OUTPUT_COL_REFS:
		return rule_nreferences(fd->rule);
	case OUTPUT_COL_FALSEPOS:
		return rule_nfalsepositives(fd->rule);
	default:
		return 0;
	}
}

/* Item i of a list column. */
const char *
output_list_get(const struct finding *fd, const struct output_col *col,
    size_t i)
{
	switch (col->kind) {
	case OUTPUT_COL_TAGS:
		return rule_tag(fd->rule, i);
	case OUTPUT_COL_REFS:
		return rule_reference(fd->rule, i);
	case OUTPUT_COL_FALSEPOS:
		return rule_falsepositive(fd->rule, i);
	default:
		return NULL;
	}
}

/*
 * eventTime as UTC ("2026-11-01T10:22:31Z"): an offset such as +02:00 is
 * applied, so findings from several sources sort and compare as text.
 */
int
output_time_utc(const struct finding *fd, char *buf, size_t size)
{
	const char	*s;
	size_t		 len;
	int64_t		 t;

	if (!output_field(fd, "eventTime", &s, &len) ||
	    eventtime_parse(s, len, &t) == -1)
		return 0;
	eventtime_format(t, buf, size);
	return 1;
}

/* The first non-empty value of output_principal_paths. */
int
output_principal(const struct finding *fd, const char **sp, size_t *lenp)
{
	size_t	 i;

	for (i = 0; i < nitems(output_principal_paths); i++) {
		if (output_field(fd, output_principal_paths[i], sp, lenp) &&
		    *lenp > 0)
			return 1;
	}
	return 0;
}

/* A string column's text, or 0 when it is absent. */
int
output_value(const struct finding *fd, const struct output_col *col,
    const char **sp, size_t *lenp)
{
	const char	*s;

	switch (col->kind) {
	case OUTPUT_COL_RULE_ID:
		s = rule_id(fd->rule);
		break;
	case OUTPUT_COL_RULE_TITLE:
		s = rule_title(fd->rule);
		break;
	case OUTPUT_COL_LEVEL:
		s = rule_level_name(rule_level(fd->rule));
		break;
	case OUTPUT_COL_ORIGIN:
		s = fd->rec != NULL ? record_origin(fd->rec) : NULL;
		break;
	case OUTPUT_COL_RULE_DESC:
		s = rule_description(fd->rule);
		if (s != NULL && *s == '\0')
			s = NULL;
		break;
	case OUTPUT_COL_FIELD:
		return output_field(fd, col->path, sp, lenp);
	case OUTPUT_COL_PRINCIPAL:
		return output_principal(fd, sp, lenp);
	default:
		return 0;
	}
	if (s == NULL)
		return 0;
	*sp = s;
	*lenp = strlen(s);
	return 1;
}

/*
 * A correlation's value as a JSON number: whole numbers without a
 * fraction, others with enough digits to read back the same double.
 */
void
output_corr_value(char *buf, size_t size, double v)
{
	if (v > -9007199254740992.0 && v < 9007199254740992.0 &&
	    v == (double)(int64_t)v)
		snprintf(buf, size, "%.0f", v);
	else
		snprintf(buf, size, "%.17g", v);
}

/* Write a rule's metadata as one JSON object on a line. */
void
output_rule_json(FILE *f, const struct rule *r)
{
	const char	*kind, *s;
	size_t		 i;

	if (rule_is_filter(r))
		kind = "filter";
	else if (rule_is_correlation(r))
		kind = "correlation";
	else
		kind = "detection";
	fputs("{\"ruleId\":", f);
	s = rule_id(r);
	output_esc_json(f, s, strlen(s));
	fprintf(f, ",\"kind\":\"%s\",\"level\":", kind);
	if (rule_is_filter(r))
		fputs("null", f);
	else {
		s = rule_level_name(rule_level(r));
		output_esc_json(f, s, strlen(s));
	}
	fputs(",\"ruleTitle\":", f);
	s = rule_title(r);
	output_esc_json(f, s, strlen(s));
	fputs(",\"status\":", f);
	s = rule_status(r);
	output_esc_json(f, s, strlen(s));
	fputs(",\"tags\":[", f);
	for (i = 0; i < rule_ntags(r); i++) {
		if (i > 0)
			fputc(',', f);
		s = rule_tag(r, i);
		output_esc_json(f, s, strlen(s));
	}
	fputs("],\"path\":", f);
	s = rule_path(r);
	output_esc_json(f, s, strlen(s));
	fputs("}\n", f);
}

/*
 * List the rule set ("ctaudit rules"): the rules, then the Sigma filters
 * (what they accept is not reported), as text columns or JSON Lines.
 * Return -1 if f could not be written (errno set), else 0.
 */
int
output_rule_list(FILE *f, const struct rule_set *rs, int json)
{
	const struct rule	*r;
	size_t			 i;

	for (i = 0; i < rule_set_count(rs); i++) {
		r = rule_set_get(rs, i);
		if (json)
			output_rule_json(f, r);
		else
			fprintf(f, "%-36s  %-13s  %s  %s\n", rule_id(r),
			    rule_level_name(rule_level(r)), rule_title(r),
			    rule_path(r));
	}
	for (i = 0; i < rule_set_nfilters(rs); i++) {
		r = rule_set_filter_get(rs, i);
		if (json)
			output_rule_json(f, r);
		else
			fprintf(f, "%-36s  %-13s  %s  %s\n", rule_id(r),
			    "filter", rule_title(r), rule_path(r));
	}
	if (fflush(f) == EOF || ferror(f))
		return -1;
	return 0;
}
