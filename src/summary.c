/* SPDX-License-Identifier: ISC */
/*
 * The --summary report.  During the run main() hands every event and
 * every finding here, and the counters go into small hash tables, each
 * capped at SUMMARY_KEYS_MAX values (with an "other" count beyond), so
 * memory does not grow with the archive.  At the end summary_write()
 * only sorts and formats: text, ASCII only so that it survives e-mail
 * from cron, or JSON with the same content for scripts.
 *
 * The chart of findings over time has one row per hour when they span
 * two days or less, else one per day; past SUMMARY_ROWS_MAX rows several
 * units share a row.  Bars are scaled so that the largest fills the
 * width.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eventtime.h"
#include "forms.h"
#include "hash.h"
#include "output.h"
#include "record.h"
#include "rule.h"
#include "summary.h"
#include "xmalloc.h"

#define SUMMARY_HOUR_MS		(3600 * 1000LL)

struct summary_ent {
	char			*key;
	uint64_t		 n;
	const struct rule	*rule;		/* rule and filter tables */
};

struct summary_tab {
	const char		*json;		/* member name */
	const char		*title;		/* text heading */
	struct summary_ent	*v;
	size_t			 n, size;
	struct hash		 h;		/* keys of v */
	uint64_t		 other;		/* past the cap */
	uint64_t		 total;
};

enum {
	SUMMARY_T_RULE,
	SUMMARY_T_ACCOUNT,
	SUMMARY_T_REGION,
	SUMMARY_T_PRINCIPAL,
	SUMMARY_T_SOURCE,
	SUMMARY_T_AGENT,
	SUMMARY_T_FILTER,
	SUMMARY_T_EV_NAME,
	SUMMARY_T_EV_SOURCE,
	SUMMARY_T_EV_PRINCIPAL,
	SUMMARY_T_EV_REGION,
	SUMMARY_T_EV_ERROR,
	SUMMARY_T_HOURS,		/* hour since 1970 -> findings */
	SUMMARY_NTABS
};

static const struct {
	const char	*json, *title;
} summary_tabs[SUMMARY_NTABS] = {
	{ "rules",		"findings by rule" },
	{ "accounts",		"findings by account" },
	{ "regions",		"findings by region" },
	{ "principals",		"findings by principal" },
	{ "sourceAddresses",	"findings by source address" },
	{ "userAgents",	"findings by user agent" },
	{ "filters",		"findings suppressed by filter" },
	{ "eventNames",	"events by eventName" },
	{ "eventSources",	"events by eventSource" },
	{ "principals",		"events by principal" },
	{ "regions",		"events by region" },
	{ "errorCodes",	"failed events by errorCode" },
	{ "hours",		"findings by hour" },
};

struct summary {
	int			 top, width;
	struct summary_tab	 tabs[SUMMARY_NTABS];
	uint64_t		 levels[RULE_CRITICAL + 1];
	uint64_t		 findings, untimed;
	uint64_t		 events, failures, suppressed;
};

static int	 summary_eq(const void *, size_t, const void *);
static uint64_t	 summary_rehash(const void *, size_t);
static void	 summary_count(struct summary_tab *, const char *,
		    const struct rule *);
static const char *summary_principal(struct record *);
static int	 summary_cmp(const void *, const void *);
static int	 summary_cmp_hour(const void *, const void *);
static void	 summary_text_str(FILE *, const char *);
static void	 summary_chart_plan(const struct summary *, int64_t *,
		    int64_t *, size_t *);
static struct summary_ent **summary_sorted(const struct summary_tab *);
static void	 summary_text_tab(const struct summary *,
		    const struct summary_tab *, FILE *);
static void	 summary_text_chart(const struct summary *, FILE *);
static void	 summary_json_str(FILE *, const char *);
static void	 summary_json_tab(const struct summary *,
		    const struct summary_tab *, int, FILE *);

/* Make an empty report; top rows per table, width columns of bars. */
struct summary *
summary_create(int top, int width)
{
	struct summary	*s;
	size_t		 i;

	s = xcalloc(1, sizeof *s);
	s->top = top > 0 ? top : SUMMARY_TOP;
	s->width = width >= 10 ? width : SUMMARY_WIDTH;
	for (i = 0; i < SUMMARY_NTABS; i++) {
		s->tabs[i].json = summary_tabs[i].json;
		s->tabs[i].title = summary_tabs[i].title;
		hash_init(&s->tabs[i].h, SUMMARY_KEYS_MAX);
	}
	return s;
}

/* Free a report; accepts NULL. */
void
summary_free(struct summary *s)
{
	size_t	i, k;

	if (s == NULL)
		return;
	for (i = 0; i < SUMMARY_NTABS; i++) {
		for (k = 0; k < s->tabs[i].n; k++)
			free(s->tabs[i].v[k].key);
		free(s->tabs[i].v);
		hash_clear(&s->tabs[i].h);
	}
	free(s);
}

static int
summary_eq(const void *arg, size_t idx, const void *key)
{
	return strcmp(((const struct summary_tab *)arg)->v[idx].key, key) == 0;
}

static uint64_t
summary_rehash(const void *arg, size_t idx)
{
	return hash_str(((const struct summary_tab *)arg)->v[idx].key);
}

/* Add one to key's count (cut to SUMMARY_KEY_MAX bytes). */
static void
summary_count(struct summary_tab *t, const char *key, const struct rule *r)
{
	char		 cut[SUMMARY_KEY_MAX + 1];
	size_t		 i;
	uint64_t	 h;

	t->total++;
	if (strlen(key) > SUMMARY_KEY_MAX) {
		memcpy(cut, key, SUMMARY_KEY_MAX);
		cut[SUMMARY_KEY_MAX] = '\0';
		key = cut;
	}
	h = hash_str(key);
	if ((i = hash_find(&t->h, h, summary_eq, t, key)) != SIZE_MAX) {
		t->v[i].n++;
		return;
	}
	if (hash_add(&t->h, h, t->n, summary_rehash, t) == -1) {
		t->other++;
		return;
	}
	if (t->n == t->size) {
		t->size = t->size == 0 ? 16 : t->size * 2;
		t->v = xreallocarray(t->v, t->size, sizeof *t->v);
	}
	t->v[t->n].key = xstrdup(key);
	t->v[t->n].n = 1;
	t->v[t->n].rule = r;
	t->n++;
}

/* Who did it, named as the findings' principalArn names it, else "-". */
static const char *
summary_principal(struct record *rec)
{
	const char	*p;

	if ((p = output_record_principal(rec)) != NULL)
		return p;
	return "-";
}

/* Count an event of the archive. */
void
summary_record(struct summary *s, struct record *rec)
{
	const char	*v, *err;

	if (forms_is_insight(rec))
		return;		/* AWS's own judgement, not an event */
	s->events++;
	v = record_string(rec, "eventName");
	summary_count(&s->tabs[SUMMARY_T_EV_NAME], v ? v : "-", NULL);
	v = record_string(rec, "eventSource");
	summary_count(&s->tabs[SUMMARY_T_EV_SOURCE], v ? v : "-", NULL);
	summary_count(&s->tabs[SUMMARY_T_EV_PRINCIPAL],
	    summary_principal(rec), NULL);
	v = record_string(rec, "awsRegion");
	summary_count(&s->tabs[SUMMARY_T_EV_REGION], v ? v : "-", NULL);
	if ((err = record_string(rec, "errorCode")) != NULL) {
		s->failures++;
		summary_count(&s->tabs[SUMMARY_T_EV_ERROR], err, NULL);
	}
}

/* Count a finding. */
void
summary_finding(struct summary *s, const struct rule *r, struct record *rec)
{
	const char	*v;
	char		 hour[32];
	int64_t		 t;

	s->findings++;
	s->levels[rule_level(r)]++;
	summary_count(&s->tabs[SUMMARY_T_RULE], rule_id(r), r);
	if (rec == NULL)
		return;		/* a correlation: no one event */
	if ((v = record_string(rec, "recipientAccountId")) == NULL)
		v = record_string(rec, "userIdentity.accountId");
	summary_count(&s->tabs[SUMMARY_T_ACCOUNT], v ? v : "-", NULL);
	v = record_string(rec, "awsRegion");
	summary_count(&s->tabs[SUMMARY_T_REGION], v ? v : "-", NULL);
	summary_count(&s->tabs[SUMMARY_T_PRINCIPAL], summary_principal(rec),
	    NULL);
	v = record_string(rec, "sourceIPAddress");
	summary_count(&s->tabs[SUMMARY_T_SOURCE], v ? v : "-", NULL);
	v = output_record_agent(rec);
	summary_count(&s->tabs[SUMMARY_T_AGENT], v ? v : "-", NULL);
	if ((v = record_string(rec, "eventTime")) == NULL ||
	    eventtime_parse(v, strlen(v), &t) == -1) {
		s->untimed++;
		return;
	}
	t = t >= 0 ? t / SUMMARY_HOUR_MS : (t + 1) / SUMMARY_HOUR_MS - 1;
	snprintf(hour, sizeof hour, "%lld", (long long)t);
	summary_count(&s->tabs[SUMMARY_T_HOURS], hour, NULL);
}

/* Count a match that a filter suppressed. */
void
summary_suppressed(struct summary *s, const struct rule *filter)
{
	s->suppressed++;
	summary_count(&s->tabs[SUMMARY_T_FILTER], rule_id(filter), filter);
}

/* Most first, then by value. */
static int
summary_cmp(const void *a, const void *b)
{
	const struct summary_ent	*x, *y;

	x = *(const struct summary_ent *const *)a;
	y = *(const struct summary_ent *const *)b;

	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return strcmp(x->key, y->key);
}

/* Earliest hour first. */
static int
summary_cmp_hour(const void *a, const void *b)
{
	long long	x, y;

	x = strtoll((*(const struct summary_ent *const *)a)->key, NULL, 10);
	y = strtoll((*(const struct summary_ent *const *)b)->key, NULL, 10);
	return x < y ? -1 : x > y;
}

static struct summary_ent **
summary_sorted(const struct summary_tab *t)
{
	struct summary_ent	**v;
	size_t			  i;

	v = xcalloc(t->n + 1, sizeof *v);
	for (i = 0; i < t->n; i++)
		v[i] = &t->v[i];
	qsort(v, t->n, sizeof *v, summary_cmp);
	return v;
}

/* Print a value for a terminal or a mail: printable ASCII only. */
static void
summary_text_str(FILE *f, const char *p)
{
	for (; *p != '\0'; p++)
		fputc((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f ?
		    *p : '?', f);
}

static void
summary_text_tab(const struct summary *s, const struct summary_tab *t,
    FILE *f)
{
	struct summary_ent	**v;
	size_t			  i;

	fprintf(f, "\n%s:\n", t->title);
	if (t->n == 0) {
		fprintf(f, "  (none)\n");
		return;
	}
	v = summary_sorted(t);
	for (i = 0; i < t->n && i < (size_t)s->top; i++) {
		fprintf(f, "  %8llu  ", (unsigned long long)v[i]->n);
		if (v[i]->rule != NULL && !rule_is_filter(v[i]->rule))
			fprintf(f, "%-13s ",
			    rule_level_name(rule_level(v[i]->rule)));
		summary_text_str(f, v[i]->key);
		if (v[i]->rule != NULL) {
			fputs("  ", f);
			summary_text_str(f, rule_title(v[i]->rule));
		}
		fputc('\n', f);
	}
	if (t->n > (size_t)s->top)
		fprintf(f, "  %8s  (%zu more values)\n", "", t->n -
		    (size_t)s->top);
	if (t->other != 0)
		fprintf(f, "  %8llu  (other: over %d distinct values)\n",
		    (unsigned long long)t->other, SUMMARY_KEYS_MAX);
	free(v);
}

/* Bucket size and label format for the chart. */
static void
summary_chart_plan(const struct summary *s, int64_t *first, int64_t *unit,
    size_t *rows)
{
	const struct summary_tab	*t = &s->tabs[SUMMARY_T_HOURS];
	int64_t				 lo = INT64_MAX, hi = INT64_MIN, h;
	int64_t				 n, per;
	size_t				 i;

	for (i = 0; i < t->n; i++) {
		h = strtoll(t->v[i].key, NULL, 10);
		if (h < lo)
			lo = h;
		if (h > hi)
			hi = h;
	}
	*unit = 1;
	if (hi - lo >= 48) {
		*unit = 24;
		lo = lo >= 0 ? lo / 24 * 24 : (lo - 23) / 24 * 24;
	}
	n = (hi - lo) / *unit + 1;
	per = (n + SUMMARY_ROWS_MAX - 1) / SUMMARY_ROWS_MAX;
	*unit *= per;
	*first = lo;
	*rows = (size_t)((hi - lo) / *unit + 1);
}

static void
summary_text_chart(const struct summary *s, FILE *f)
{
	const struct summary_tab	*t = &s->tabs[SUMMARY_T_HOURS];
	uint64_t			*counts, max = 0;
	int64_t				 first, unit;
	size_t				 rows, i, k, bar;
	char				 label[EVENTTIME_BUFSIZE];

	if (t->n == 0)
		return;
	summary_chart_plan(s, &first, &unit, &rows);
	counts = xcalloc(rows, sizeof *counts);
	for (i = 0; i < t->n; i++) {
		k = (size_t)((strtoll(t->v[i].key, NULL, 10) - first) / unit);
		counts[k] += t->v[i].n;
	}
	for (i = 0; i < rows; i++)
		if (counts[i] > max)
			max = counts[i];
	fprintf(f, "\nfindings over time (UTC, %lld hour%s a row):\n",
	    (long long)unit, unit == 1 ? "" : "s");
	for (i = 0; i < rows; i++) {
		eventtime_format((first + (int64_t)i * unit) * SUMMARY_HOUR_MS,
		    label, sizeof label);
		/* "2024-05-01T13:00:00Z" as "2024-05-01 13:00" */
		label[10] = ' ';
		label[16] = '\0';
		if (unit % 24 == 0)
			label[10] = '\0';
		bar = counts[i] == 0 ? 0 : (size_t)((counts[i] *
		    (uint64_t)s->width + max - 1) / max);
		fprintf(f, "  %-16s |", label);
		for (k = 0; k < bar; k++)
			fputc('#', f);
		fprintf(f, "%*s %llu\n", (int)((size_t)s->width - bar), "",
		    (unsigned long long)counts[i]);
	}
	if (s->untimed != 0)
		fprintf(f, "  %-16s  %llu\n", "(no eventTime)",
		    (unsigned long long)s->untimed);
	if (t->other != 0)
		fprintf(f, "  %-16s  %llu\n", "(other hours)",
		    (unsigned long long)t->other);
	free(counts);
}

/* A JSON string; bytes that are not valid UTF-8 become U+FFFD. */
static void
summary_json_str(FILE *f, const char *p)
{
	const unsigned char	*u = (const unsigned char *)p;
	size_t			 n, k;

	fputc('"', f);
	while (*u != '\0') {
		if (*u == '"' || *u == '\\') {
			fprintf(f, "\\%c", *u++);
			continue;
		}
		if (*u < 0x20 || *u == 0x7f) {
			fprintf(f, "\\u%04x", *u++);
			continue;
		}
		if (*u < 0x80) {
			fputc(*u++, f);
			continue;
		}
		n = *u >= 0xf0 && *u < 0xf5 ? 4 : *u >= 0xe0 ? 3 :
		    *u >= 0xc2 && *u < 0xe0 ? 2 : 0;
		for (k = 1; k < n; k++)
			if ((u[k] & 0xc0) != 0x80)
				break;
		if (n == 0 || k < n) {
			fputs("\\ufffd", f);
			u++;
			continue;
		}
		fwrite(u, 1, n, f);
		u += n;
	}
	fputc('"', f);
}

static void
summary_json_tab(const struct summary *s, const struct summary_tab *t,
    int all, FILE *f)
{
	struct summary_ent	**v;
	size_t			  i;

	summary_json_str(f, t->json);
	fputs(":{\"top\":[", f);
	v = summary_sorted(t);
	for (i = 0; i < t->n && (all || i < (size_t)s->top); i++) {
		fputs(i == 0 ? "{\"value\":" : ",{\"value\":", f);
		summary_json_str(f, v[i]->key);
		if (v[i]->rule != NULL) {
			fputs(",\"title\":", f);
			summary_json_str(f, rule_title(v[i]->rule));
			if (!rule_is_filter(v[i]->rule)) {
				fputs(",\"level\":", f);
				summary_json_str(f,
				    rule_level_name(rule_level(v[i]->rule)));
			}
		}
		fprintf(f, ",\"count\":%llu}", (unsigned long long)v[i]->n);
	}
	fprintf(f, "],\"distinct\":%zu,\"total\":%llu,\"other\":%llu}",
	    t->n, (unsigned long long)t->total,
	    (unsigned long long)t->other);
	free(v);
}

/* Print the report. */
void
summary_write(const struct summary *s, const struct summary_run *run,
    enum summary_format format, FILE *f)
{
	static const int	 levels[] = { RULE_CRITICAL, RULE_HIGH,
				    RULE_MEDIUM, RULE_LOW,
				    RULE_INFORMATIONAL };
	struct summary_ent	 **v;
	const struct summary_tab *t;
	char			 label[EVENTTIME_BUFSIZE];
	size_t			 i;

	if (format == SUMMARY_JSON) {
		fprintf(f, "{\"schema\":2,\"run\":{\"files\":%llu,"
		    "\"filesIncomplete\":%llu,\"filesSkipped\":%llu,"
		    "\"records\":%llu,\"dataEvents\":%llu,"
		    "\"rules\":{\"loaded\":%zu,"
		    "\"rejected\":%zu,\"notCloudTrail\":%zu,"
		    "\"leftOut\":%zu,\"dataOnly\":%zu,\"filters\":%zu}},"
		    "\"findings\":{\"total\":%llu,\"levels\":{",
		    (unsigned long long)run->files,
		    (unsigned long long)run->files_failed,
		    (unsigned long long)run->files_skipped,
		    (unsigned long long)run->records,
		    (unsigned long long)run->data_events, run->rules,
		    run->rules_rejected, run->rules_other, run->rules_left_out,
		    run->rules_data_only, run->filters,
		    (unsigned long long)s->findings);
		for (i = 0; i < nitems(levels); i++)
			fprintf(f, "%s\"%s\":%llu", i == 0 ? "" : ",",
			    rule_level_name(levels[i]),
			    (unsigned long long)s->levels[levels[i]]);
		fprintf(f, "},\"suppressed\":%llu,\"duplicates\":%llu,",
		    (unsigned long long)s->suppressed,
		    (unsigned long long)run->duplicates);
		for (i = SUMMARY_T_RULE; i <= SUMMARY_T_FILTER; i++) {
			summary_json_tab(s, &s->tabs[i], i == SUMMARY_T_RULE ||
			    i == SUMMARY_T_FILTER, f);
			fputc(',', f);
		}
		fputs("\"overTime\":[", f);
		t = &s->tabs[SUMMARY_T_HOURS];
		v = summary_sorted(t);
		qsort(v, t->n, sizeof *v, summary_cmp_hour);
		for (i = 0; i < t->n; i++) {
			eventtime_format(strtoll(v[i]->key, NULL, 10) *
			    SUMMARY_HOUR_MS, label, sizeof label);
			fprintf(f, "%s{\"hour\":\"%s\",\"count\":%llu}",
			    i == 0 ? "" : ",", label,
			    (unsigned long long)v[i]->n);
		}
		free(v);
		fprintf(f, "],\"untimed\":%llu},\"events\":{\"total\":%llu,"
		    "\"successes\":%llu,\"failures\":%llu,",
		    (unsigned long long)s->untimed,
		    (unsigned long long)s->events,
		    (unsigned long long)(s->events - s->failures),
		    (unsigned long long)s->failures);
		for (i = SUMMARY_T_EV_NAME; i <= SUMMARY_T_EV_ERROR; i++) {
			summary_json_tab(s, &s->tabs[i], 0, f);
			fputc(i == SUMMARY_T_EV_ERROR ? '}' : ',', f);
		}
		fputs("}\n", f);
		return;
	}

	fprintf(f, "ctaudit summary\n");
	fprintf(f, "  files %llu (%llu incomplete, %llu already audited), "
	    "events %llu (%llu data events)\n", (unsigned long long)run->files,
	    (unsigned long long)run->files_failed,
	    (unsigned long long)run->files_skipped,
	    (unsigned long long)run->records,
	    (unsigned long long)run->data_events);
	fprintf(f, "  rules %zu (%zu rejected, %zu not for CloudTrail, %zu "
	    "left out by selectors, %zu for data events only), filters %zu\n",
	    run->rules, run->rules_rejected, run->rules_other,
	    run->rules_left_out, run->rules_data_only, run->filters);
	fprintf(f, "  findings %llu:", (unsigned long long)s->findings);
	for (i = 0; i < nitems(levels); i++)
		fprintf(f, "%s %s %llu", i == 0 ? "" : ",",
		    rule_level_name(levels[i]),
		    (unsigned long long)s->levels[levels[i]]);
	fprintf(f, "\n  suppressed by filters %llu, duplicates not "
	    "reported %llu\n", (unsigned long long)s->suppressed,
	    (unsigned long long)run->duplicates);
	for (i = SUMMARY_T_RULE; i <= SUMMARY_T_FILTER; i++) {
		if (i == SUMMARY_T_FILTER && s->suppressed == 0)
			continue;
		summary_text_tab(s, &s->tabs[i], f);
	}
	summary_text_chart(s, f);
	fprintf(f, "\narchive: %llu events, %llu succeeded, %llu failed "
	    "(errorCode set)\n", (unsigned long long)s->events,
	    (unsigned long long)(s->events - s->failures),
	    (unsigned long long)s->failures);
	for (i = SUMMARY_T_EV_NAME; i <= SUMMARY_T_EV_ERROR; i++)
		summary_text_tab(s, &s->tabs[i], f);
}
