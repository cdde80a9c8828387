/* SPDX-License-Identifier: ISC */
/*
 * Findings rendered as alerts for the sinks, and a run's alerts folded
 * into a digest when there are too many.  Everything a record holds is
 * untrusted: it goes through the escapers of the output stage
 * (output_int.h), so that a message is valid UTF-8 and holds no byte a
 * terminal or a mail reader would act on, and it is cut to a fixed size
 * first.  The messages are built in memory streams, as the outputs write
 * theirs to a FILE.
 */
#include "config.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "alert.h"
#include "buf.h"
#include "eventtime.h"
#include "forms.h"
#include "log.h"
#include "output.h"
#include "output_int.h"
#include "record.h"
#include "rule.h"
#include "xmalloc.h"

#define ALERT_ELLIPSIS	"\xe2\x80\xa6"		/* U+2026 */
#define ALERT_FFFD	"\xef\xbf\xbd"		/* U+FFFD */
#define ALERT_ID_MAX	256	/* a rule or event id in a fallback */

/* A message under construction in memory. */
struct alert_mem {
	FILE	*f;
	char	*p;
	size_t	 len;
};

static const char *const alert_level_upper[] = {
	[RULE_INFORMATIONAL] = "INFO",
	[RULE_LOW] = "LOW",
	[RULE_MEDIUM] = "MEDIUM",
	[RULE_HIGH] = "HIGH",
	[RULE_CRITICAL] = "CRITICAL",
};

static FILE	*alert_mem_open(struct alert_mem *);
static size_t	 alert_subject_add(struct buf *, const char *, size_t);
static size_t	 alert_subject_len(const char *);
static char	*alert_mem_take(struct alert_mem *, size_t *);
static int	 alert_get(const struct finding *, const char *,
		    const char **, size_t *);
static void	 alert_text_value(FILE *, const char *, size_t, size_t);
static void	 alert_text_field(FILE *, const struct finding *,
		    const char *, size_t);
static void	 alert_text_row(FILE *, const char *,
		    const struct finding *, const char *);
static void	 alert_text_lines(FILE *, const char *, size_t);
static void	 alert_text_event(FILE *, const struct finding *);
static void	 alert_text_corr(FILE *, const struct corr_finding *);
static void	 alert_text_rule(FILE *, const struct rule *);
static void	 alert_json_value(FILE *, const char *, size_t, size_t,
		    int *);
static void	 alert_json_field(FILE *, const char *, size_t, void *);
static char	*alert_json_finding(const struct finding *);
static char	*alert_json_brief(const struct finding *);
static char	*alert_line(const struct finding *);
static char	*alert_trim_text(char *, size_t);
static char	*alert_group(const char *);
static const char *alert_corr_account(const struct corr_finding *,
		    size_t *);
static void	 alert_sha256_hex(const void *, size_t,
		    char [ALERT_DEDUP_LEN + 1]);
static void	 alert_dedup(struct alert *, const struct finding *);
static int	 alert_rule_cmp(const void *, const void *);
static void	 alert_batch_count(struct alert_batch *, const struct alert *);
static void	 alert_batch_top(struct alert_batch *, struct alert *);
static char	*alert_digest_text(const struct alert_batch *,
		    struct alert_rule_count **, size_t);
static char	*alert_digest_json(const struct alert_batch *,
		    struct alert_rule_count **, size_t);

static FILE *
alert_mem_open(struct alert_mem *m)
{
	m->p = NULL;
	m->len = 0;
	if ((m->f = open_memstream(&m->p, &m->len)) == NULL)
		fatal("open_memstream");
	return m->f;
}

static char *
alert_mem_take(struct alert_mem *m, size_t *lenp)
{
	if (fclose(m->f) == EOF)
		fatal("open_memstream");
	if (lenp != NULL)
		*lenp = m->len;
	return m->p;
}

/* The longest prefix of s within max bytes that ends on a boundary. */
size_t
alert_cut(const char *s, size_t len, size_t max)
{
	size_t	 n, back;

	if (len <= max)
		return len;
	n = max;
	/* Back over at most three continuation bytes to a lead byte. */
	for (back = 0; back < 3 && n > 0 &&
	    ((unsigned char)s[n] & 0xc0) == 0x80; back++)
		n--;
	return n;
}

/* The longest prefix of s within max UTF-16 code units; see alert.h. */
size_t
alert_cut_utf16(const char *s, size_t len, size_t max)
{
	uint32_t	 cp;
	size_t		 i = 0, n, units = 0, w;

	while (i < len) {
		if ((n = output_esc_utf8(s + i, len - i, &cp)) == 0) {
			n = 1;
			cp = 0xfffd;
		}
		w = cp >= 0x10000 ? 2 : 1;
		if (units + w > max)
			break;
		units += w;
		i += n;
	}
	return i;
}

/* A quoted JSON string, valid UTF-8, hazards escaped. */
char *
alert_json_string(const char *s, size_t len)
{
	struct alert_mem	 m;

	output_esc_json(alert_mem_open(&m), s, len);
	return alert_mem_take(&m, NULL);
}

/*
 * Append s to b as subject text: controls and bidirectional characters
 * become spaces and bad UTF-8 U+FFFD.  Returns the characters added.
 */
static size_t
alert_subject_add(struct buf *b, const char *s, size_t maxchars)
{
	uint32_t	 cp;
	size_t		 i, n, chars = 0;
	int		 rv = 0;

	for (i = 0; s[i] != '\0' && chars < maxchars; i += n, chars++) {
		if ((n = output_esc_utf8(s + i, strlen(s + i), &cp)) == 0) {
			rv |= buf_add(b, ALERT_FFFD, 3);
			n = 1;
		} else if (output_esc_hazard(cp))
			rv |= buf_addc(b, ' ');
		else
			rv |= buf_add(b, s + i, n);
	}
	if (rv == -1)
		fatalx("alert subject");
	return chars;
}

/* Characters in s as alert_subject_add() writes them. */
static size_t
alert_subject_len(const char *s)
{
	uint32_t	 cp;
	size_t		 i, n, chars = 0;

	for (i = 0; s[i] != '\0'; i += n, chars++)
		if ((n = output_esc_utf8(s + i, strlen(s + i), &cp)) == 0)
			n = 1;
	return chars;
}

/* One line of at most max characters; the title is cut first. */
char *
alert_subject(const char *prefix, const char *title, const char *suffix,
    size_t max)
{
	struct buf	 b;
	size_t		 np, nt, ns, room;

	buf_init(&b, 4 * max + 16);
	np = alert_subject_len(prefix);
	nt = alert_subject_len(title);
	ns = alert_subject_len(suffix);
	if (np + ns + 1 >= max) {
		/* No room for the title: keep what fits of the rest. */
		room = alert_subject_add(&b, prefix, max);
		alert_subject_add(&b, suffix, max - room);
	} else if (np + nt + ns <= max) {
		alert_subject_add(&b, prefix, np);
		alert_subject_add(&b, title, nt);
		alert_subject_add(&b, suffix, ns);
	} else {
		alert_subject_add(&b, prefix, np);
		alert_subject_add(&b, title, max - np - ns - 1);
		while (b.len > 0 && b.data[b.len - 1] == ' ')
			b.len--;
		if (buf_add(&b, ALERT_ELLIPSIS, 3) == -1)
			fatalx("alert subject");
		alert_subject_add(&b, suffix, ns);
	}
	if (b.data == NULL)
		return xstrdup("");
	return buf_take(&b);
}

/* The record's value at path as text (see output_field()). */
static int
alert_get(const struct finding *fd, const char *path, const char **sp,
    size_t *lenp)
{
	*sp = NULL;
	*lenp = 0;
	if (strcmp(path, "@principal") == 0)
		return output_principal(fd, sp, lenp);
	return output_field(fd, path, sp, lenp);
}

/* A value for people: cut to max bytes, hazards made visible. */
static void
alert_text_value(FILE *f, const char *s, size_t len, size_t max)
{
	size_t	 n;

	if (s == NULL || len == 0) {
		putc('-', f);
		return;
	}
	n = alert_cut(s, len, max);
	output_esc_text(f, s, n);
	if (n < len)
		fprintf(f, ALERT_ELLIPSIS " [cut: %zu bytes in all]", len);
}

static void
alert_text_field(FILE *f, const struct finding *fd, const char *path,
    size_t max)
{
	const char	*s;
	size_t		 len;

	alert_get(fd, path, &s, &len);
	alert_text_value(f, s, len, max);
}

/* "Label:    value" from path, on a line of its own. */
static void
alert_text_row(FILE *f, const char *label, const struct finding *fd,
    const char *path)
{
	fprintf(f, "%-10s", label);
	alert_text_field(f, fd, path, ALERT_FIELD_MAX);
	putc('\n', f);
}

/* A rule's text, line by line, each line made visible. */
static void
alert_text_lines(FILE *f, const char *s, size_t max)
{
	const char	*nl;
	size_t		 len = alert_cut(s, strlen(s), max), n;

	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == ' '))
		len--;
	while (len > 0) {
		nl = memchr(s, '\n', len);
		n = nl != NULL ? (size_t)(nl - s) : len;
		output_esc_text(f, s, n);
		putc('\n', f);
		if (nl == NULL)
			break;
		len -= n + 1;
		s = nl + 1;
	}
}

/* The line that says which file and record a finding is from. */
static void
alert_text_record(FILE *f, const struct finding *fd)
{
	const char	*s;

	fputs("Record:   ", f);
	s = record_origin(fd->rec);
	alert_text_value(f, s, s != NULL ? strlen(s) : 0, ALERT_FIELD_MAX);
	fprintf(f, ", index %" PRIu64 "\n", record_index(fd->rec));
}

/*
 * A GuardDuty finding: forms.c's rows, the severity with its band, the
 * description, whether it is a sample, and its link in the console.
 */
static void
alert_text_finding(FILE *f, const struct finding *fd)
{
	const struct forms_row	*row;
	const char		*s, *band;
	char			 url[FORMS_URL_MAX];
	size_t			 len;

	for (row = forms_finding_rows; row->label != NULL; row++) {
		alert_text_row(f, row->label, fd, row->path);
		if (row == forms_finding_rows) {
			alert_get(fd, "severity", &s, &len);
			band = forms_severity_band(s, len);
			fputs("Severity: ", f);
			alert_text_value(f, s, len, ALERT_FIELD_MAX);
			fprintf(f, " (%s)\n", band != NULL ? band : "?");
		}
	}
	fprintf(f, "Sample:   %s\n", forms_is_sample(fd->rec) ? "yes" : "no");
	if (forms_console_url(fd->rec, url, sizeof url) == 0)
		fprintf(f, "Console:  %s\n", url);
	fputs("Details:  ", f);
	alert_text_field(f, fd, "description", ALERT_FIELD_MAX);
	putc('\n', f);
	alert_text_record(f, fd);
}

/* When, in which account and region, which event, and where it is. */
static void
alert_text_when(FILE *f, const struct finding *fd)
{
	alert_text_row(f, "When:", fd, "eventTime");
	alert_text_row(f, "Account:", fd, "recipientAccountId");
	alert_text_row(f, "Region:", fd, "awsRegion");
	alert_text_row(f, "Event id:", fd, "eventID");
	alert_text_record(f, fd);
}

/*
 * An Insights event: which API's call or error rate left its baseline,
 * how far, and whom, what and which error CloudTrail attributes it to.
 */
static void
alert_text_insight(FILE *f, const struct finding *fd)
{
	static const struct {
		const char	*label, *path;
	} tops[] = {
		{ "Who:", "@principal" },
		{ "Agent:", "userAgent" },
		{ "Error:", "errorCode" },
	};
	const char	*s;
	size_t		 len, i;

	fputs("Insight:  ", f);
	alert_text_field(f, fd, "insightDetails.insightType", ALERT_FIELD_MAX);
	fputs(", ", f);
	alert_text_field(f, fd, "insightDetails.state", ALERT_FIELD_MAX);
	fputs("\nAbout:    ", f);
	alert_text_field(f, fd, "eventName", ALERT_FIELD_MAX);
	fputs(" on ", f);
	alert_text_field(f, fd, "eventSource", ALERT_FIELD_MAX);
	fputs("\nRate:     ", f);
	alert_text_field(f, fd,
	    "insightDetails.insightContext.statistics.insight.average",
	    ALERT_FIELD_MAX);
	fputs(" a minute, baseline ", f);
	alert_text_field(f, fd,
	    "insightDetails.insightContext.statistics.baseline.average",
	    ALERT_FIELD_MAX);
	putc('\n', f);
	/* What the outputs read from the attributions (output.c). */
	for (i = 0; i < nitems(tops); i++) {
		if (!alert_get(fd, tops[i].path, &s, &len) || len == 0)
			continue;
		fprintf(f, "%-10s", tops[i].label);
		alert_text_value(f, s, len, ALERT_FIELD_MAX);
		putc('\n', f);
	}
	alert_text_when(f, fd);
}

/* Who did what, from where, when, in which account and region. */
static void
alert_text_event(FILE *f, const struct finding *fd)
{
	const char	*s;
	size_t		 len;

	switch (forms_kind(record_root(fd->rec))) {
	case FORMS_GUARDDUTY:
		alert_text_finding(f, fd);
		return;
	case FORMS_INSIGHT:
		alert_text_insight(f, fd);
		return;
	}
	fputs("Who:      ", f);
	alert_text_field(f, fd, "@principal", ALERT_FIELD_MAX);
	if (alert_get(fd, "userIdentity.type", &s, &len) && len > 0) {
		fputs(" (", f);
		alert_text_value(f, s, len, ALERT_FIELD_MAX);
		putc(')', f);
	}
	fputs("\nDid:      ", f);
	alert_text_field(f, fd, "eventName", ALERT_FIELD_MAX);
	fputs(" on ", f);
	alert_text_field(f, fd, "eventSource", ALERT_FIELD_MAX);
	putc('\n', f);
	if (alert_get(fd, "errorCode", &s, &len) && len > 0) {
		fputs("Error:    ", f);
		alert_text_value(f, s, len, ALERT_FIELD_MAX);
		if (alert_get(fd, "errorMessage", &s, &len) && len > 0) {
			fputs(": ", f);
			alert_text_value(f, s, len, ALERT_FIELD_MAX);
		}
		putc('\n', f);
	}
	alert_text_row(f, "From:", fd, "sourceIPAddress");
	alert_text_row(f, "Agent:", fd, "userAgent");
	alert_text_when(f, fd);
}

/* What a correlation counted, in which group, and when. */
static void
alert_text_corr(FILE *f, const struct corr_finding *cf)
{
	char	 buf[EVENTTIME_BUFSIZE];
	char	 num[OUTPUT_CORR_VALUE_SIZE];
	size_t	 i;

	fprintf(f, "Matched:  %s", cf->type);
	if (cf->field != NULL) {
		putc('(', f);
		alert_text_value(f, cf->field, strlen(cf->field),
		    ALERT_FIELD_MAX);
		putc(')', f);
	}
	output_corr_value(num, sizeof num, cf->value);
	fprintf(f, " = %s\n", num);
	fputs("Group:    ", f);
	for (i = 0; i < cf->ngroupby; i++) {
		if (i > 0)
			fputs(", ", f);
		output_esc_text(f, cf->groupby[i], strlen(cf->groupby[i]));
		putc('=', f);
		alert_text_value(f, cf->values[i], cf->lens[i],
		    ALERT_FIELD_MAX);
	}
	if (cf->ngroupby == 0)
		putc('-', f);
	eventtime_format(cf->first, buf, sizeof buf);
	fprintf(f, "\nWhen:     %s to ", buf);
	eventtime_format(cf->last, buf, sizeof buf);
	fprintf(f, "%s\nEvents:   %" PRIu64 "%s\nRules:    ", buf, cf->events,
	    cf->incomplete ? " (a cap left some events out)" : "");
	for (i = 0; i < cf->nrules; i++) {
		if (i > 0)
			fputs(", ", f);
		alert_text_value(f, cf->rules[i], strlen(cf->rules[i]),
		    ALERT_FIELD_MAX);
	}
	putc('\n', f);
}

/* The rule's id, tags, description and false positives. */
static void
alert_text_rule(FILE *f, const struct rule *r)
{
	const char	*s;
	size_t		 i, n;

	fputs("Rule id:  ", f);
	s = rule_id(r);
	alert_text_value(f, s, strlen(s), ALERT_FIELD_MAX);
	putc('\n', f);
	if ((n = rule_ntags(r)) > 0) {
		fputs("Tags:     ", f);
		for (i = 0; i < n; i++) {
			if (i > 0)
				fputs(", ", f);
			s = rule_tag(r, i);
			alert_text_value(f, s, strlen(s), ALERT_FIELD_MAX);
		}
		putc('\n', f);
	}
	if (*(s = rule_description(r)) != '\0') {
		fputs("\nAbout this rule:\n", f);
		alert_text_lines(f, s, ALERT_DESC_MAX);
	}
	if ((n = rule_nfalsepositives(r)) > 0) {
		fputs("\nFalse positives:\n", f);
		for (i = 0; i < n && i < ALERT_FP_MAX; i++) {
			fputs("- ", f);
			s = rule_falsepositive(r, i);
			alert_text_value(f, s, strlen(s), ALERT_FIELD_MAX);
			putc('\n', f);
		}
		if (n > ALERT_FP_MAX)
			fprintf(f, "- and %zu more\n", n - ALERT_FP_MAX);
	}
}

/* A value as a JSON string cut to max bytes; *trunc set if it was cut. */
static void
alert_json_value(FILE *f, const char *s, size_t len, size_t max, int *trunc)
{
	size_t	 n = alert_cut(s, len, max);

	if (n < len)
		*trunc = 1;
	output_esc_json(f, s, n);
}

/* A string value of a finding, cut to ALERT_FIELD_MAX. */
static void
alert_json_field(FILE *f, const char *s, size_t len, void *trunc)
{
	alert_json_value(f, s, len, ALERT_FIELD_MAX, trunc);
}

/*
 * The finding as one JSON object with the keys of "ctaudit -f json"
 * (schema 1, without the raw event), every value cut to ALERT_FIELD_MAX
 * bytes; "truncated":true says that one was.  If even that is over
 * ALERT_JSON_MAX, only the ids are left.
 */
static char *
alert_json_finding(const struct finding *fd)
{
	struct alert_mem	 m;
	const char		*s;
	char			*out;
	size_t			 len;
	int			 trunc = 0;
	FILE			*f = alert_mem_open(&m);

	output_json_fields(f, fd, alert_json_field, &trunc);
	if (trunc)
		fputs(",\"truncated\":true", f);
	putc('}', f);
	out = alert_mem_take(&m, &len);
	if (len <= ALERT_JSON_MAX)
		return out;

	free(out);
	f = alert_mem_open(&m);
	fprintf(f, "{\"schema\":%d,\"ruleId\":", OUTPUT_SCHEMA_VERSION);
	s = rule_id(fd->rule);
	alert_json_value(f, s, strlen(s), ALERT_ID_MAX, &trunc);
	fprintf(f, ",\"level\":\"%s\",\"eventID\":",
	    rule_level_name(rule_level(fd->rule)));
	if (alert_get(fd, "eventID", &s, &len))
		alert_json_value(f, s, len, ALERT_ID_MAX, &trunc);
	else
		fputs("null", f);
	fputs(",\"truncated\":true}", f);
	return alert_mem_take(&m, NULL);
}

/* A digest's object about one finding: who, what, where, cut short. */
static char *
alert_json_brief(const struct finding *fd)
{
	static const struct {
		const char	*key, *path;
	} keys[] = {
		{ "eventTime",		"eventTime" },
		{ "eventName",		"eventName" },
		{ "recipientAccountId",	"recipientAccountId" },
		{ "awsRegion",		"awsRegion" },
		{ "principalArn",	"@principal" },
		{ "sourceIPAddress",	"sourceIPAddress" },
		{ "eventID",		"eventID" },
	};
	struct alert_mem	 m;
	const char		*s;
	size_t			 i, len;
	int			 trunc = 0;
	FILE			*f = alert_mem_open(&m);

	fputs("{\"ruleId\":", f);
	s = rule_id(fd->rule);
	alert_json_value(f, s, strlen(s), ALERT_LINE_FIELD_MAX, &trunc);
	fputs(",\"ruleTitle\":", f);
	s = rule_title(fd->rule);
	alert_json_value(f, s, strlen(s), ALERT_LINE_FIELD_MAX, &trunc);
	fprintf(f, ",\"level\":\"%s\"", rule_level_name(rule_level(fd->rule)));
	for (i = 0; i < nitems(keys); i++) {
		fprintf(f, ",\"%s\":", keys[i].key);
		if (alert_get(fd, keys[i].path, &s, &len))
			alert_json_value(f, s, len, ALERT_LINE_FIELD_MAX,
			    &trunc);
		else
			fputs("null", f);
	}
	putc('}', f);
	return alert_mem_take(&m, NULL);
}

/* A digest's line about one finding. */
static char *
alert_line(const struct finding *fd)
{
	static const char *const paths[] = {
		"eventTime", "recipientAccountId", "awsRegion", "eventName",
		"@principal", "sourceIPAddress",
	};
	struct alert_mem	 m;
	const char		*s;
	char			 buf[EVENTTIME_BUFSIZE];
	size_t			 i;
	FILE			*f = alert_mem_open(&m);

	fprintf(f, "[%s] ", rule_level_name(rule_level(fd->rule)));
	if (fd->corr != NULL) {
		eventtime_format(fd->corr->first, buf, sizeof buf);
		fprintf(f, "%s correlation %s (%" PRIu64 " events)", buf,
		    fd->corr->type, fd->corr->events);
	} else {
		for (i = 0; i < nitems(paths); i++) {
			if (i > 0)
				putc(' ', f);
			alert_text_field(f, fd, paths[i],
			    ALERT_LINE_FIELD_MAX);
		}
	}
	fputs(": ", f);
	s = rule_title(fd->rule);
	alert_text_value(f, s, strlen(s), ALERT_LINE_FIELD_MAX);
	return alert_mem_take(&m, NULL);
}

/* Text over ALERT_TEXT_MAX is cut, and says so. */
static char *
alert_trim_text(char *text, size_t len)
{
	char	*out;
	size_t	 n;

	if (len <= ALERT_TEXT_MAX)
		return text;
	n = alert_cut(text, len, ALERT_TEXT_MAX - 64);
	out = xprintf("%.*s\n" ALERT_ELLIPSIS "\n[message cut: %zu bytes in "
	    "all]\n", (int)n, text, len);
	free(text);
	return out;
}

/*
 * A FIFO MessageGroupId: the rule id when SNS accepts it as one (1 to 128
 * printable ASCII characters), else "rule-" and the id's SHA-256.
 */
static char *
alert_group(const char *id)
{
	char	 hex[ALERT_DEDUP_LEN + 1];
	size_t	 i, len = strlen(id);

	for (i = 0; i < len; i++)
		if ((unsigned char)id[i] <= 0x20 ||
		    (unsigned char)id[i] >= 0x7f)
			break;
	if (len > 0 && len <= ALERT_GROUP_MAX && i == len)
		return xstrdup(id);
	alert_sha256_hex(id, len, hex);
	return xprintf("rule-%s", hex);
}

/* The account a correlation's group names, if it is grouped by one. */
static const char *
alert_corr_account(const struct corr_finding *cf, size_t *lenp)
{
	size_t	 i;

	for (i = 0; i < cf->ngroupby; i++) {
		if (strcmp(cf->groupby[i], "recipientAccountId") == 0 ||
		    strcmp(cf->groupby[i], "userIdentity.accountId") == 0) {
			*lenp = cf->lens[i];
			return cf->values[i];
		}
	}
	return NULL;
}

/* A SHA-256 digest in lower-case hex: dedup ids are no signing matter. */
static void
alert_sha256_hex(const void *p, size_t len, char out[ALERT_DEDUP_LEN + 1])
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 md[EVP_MAX_MD_SIZE];
	unsigned int		 mdlen = 0, i;

	if (EVP_Digest(p, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != ALERT_DEDUP_LEN / 2)
		fatalx("libcrypto: SHA-256 failed");
	for (i = 0; i < mdlen; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0xf];
	}
	out[2 * mdlen] = '\0';
}

/*
 * The FIFO deduplication id: the SHA-256 of the rule id and the event
 * id, or of the rule id and the whole event when it has no eventID; for
 * a correlation, of the rule id, the group and the window.
 */
static void
alert_dedup(struct alert *a, const struct finding *fd)
{
	struct alert_mem	 m;
	const char		*s;
	char			*text;
	size_t			 i, len;
	FILE			*f = alert_mem_open(&m);

	fputs(rule_id(fd->rule), f);
	putc('\n', f);
	if (fd->corr != NULL) {
		fprintf(f, "%s %" PRId64 " %" PRId64, fd->corr->type,
		    fd->corr->first, fd->corr->last);
		for (i = 0; i < fd->corr->ngroupby; i++) {
			putc('\n', f);
			fwrite(fd->corr->values[i], 1, fd->corr->lens[i], f);
		}
	} else if (alert_get(fd, "eventID", &s, &len) && len > 0)
		fwrite(s, 1, len, f);
	else if ((s = record_json(fd->rec, record_root(fd->rec), &len)) !=
	    NULL)
		fwrite(s, 1, len, f);
	text = alert_mem_take(&m, &len);
	alert_sha256_hex(text, len, a->dedup);
	free(text);
}

/* Render a finding; see alert.h. */
struct alert *
alert_create(const struct finding *fd, uint64_t seq)
{
	struct alert_mem	 m;
	struct alert		*a;
	const char		*s;
	char			*prefix, *suffix, *text;
	size_t			 len;
	enum rule_level		 level = rule_level(fd->rule);
	FILE			*f;

	if ((size_t)level >= nitems(alert_level_upper))
		level = RULE_INFORMATIONAL;
	a = xcalloc(1, sizeof *a);
	a->seq = seq;
	a->level = level;
	a->findings = 1;
	a->rule_id = xstrdup(rule_id(fd->rule));
	a->title = xstrdup(rule_title(fd->rule));
	if (fd->corr != NULL)
		s = alert_corr_account(fd->corr, &len);
	else if (!alert_get(fd, "recipientAccountId", &s, &len) &&
	    !alert_get(fd, "accountId", &s, &len))	/* a finding */
		s = NULL;
	if (s != NULL && len > 0)
		a->account = xstrndup(s, alert_cut(s, len,
		    ALERT_LINE_FIELD_MAX));

	prefix = xprintf("[%s] ", alert_level_upper[level]);
	suffix = a->account != NULL ? xprintf(" - %s", a->account) :
	    xstrdup("");
	a->subject = alert_subject(prefix, a->title, suffix,
	    ALERT_SUBJECT_MAX);
	free(prefix);
	free(suffix);

	f = alert_mem_open(&m);
	output_esc_text(f, a->title, strlen(a->title));
	fprintf(f, "\n\nLevel:    %s\n", rule_level_name(level));
	if (fd->corr != NULL)
		alert_text_corr(f, fd->corr);
	else
		alert_text_event(f, fd);
	alert_text_rule(f, fd->rule);
	fputs("\n-- \nctaudit " PACKAGE_VERSION ": every finding is also in "
	    "the output of the run.\n", f);
	text = alert_mem_take(&m, &len);
	a->text = alert_trim_text(text, len);

	a->json = alert_json_finding(fd);
	a->line = alert_line(fd);
	a->brief = alert_json_brief(fd);
	a->group = alert_group(a->rule_id);
	alert_dedup(a, fd);
	return a;
}

/* Free an alert. */
void
alert_free(struct alert *a)
{
	if (a == NULL)
		return;
	free(a->rule_id);
	free(a->title);
	free(a->account);
	free(a->subject);
	free(a->text);
	free(a->json);
	free(a->line);
	free(a->brief);
	free(a->group);
	free(a);
}

/* Start an empty batch. */
void
alert_batch_init(struct alert_batch *b, size_t threshold)
{
	memset(b, 0, sizeof *b);
	b->threshold = threshold;
}

/* Free what a batch holds. */
void
alert_batch_clear(struct alert_batch *b)
{
	size_t	 i;

	for (i = 0; i < b->n; i++)
		alert_free(b->v[i]);
	free(b->v);
	for (i = 0; i < b->nrules; i++) {
		free(b->rules[i].rule_id);
		free(b->rules[i].title);
	}
	free(b->rules);
	free(b->account);
	memset(b, 0, sizeof *b);
}

/* Count an alert by level, rule and account. */
static void
alert_batch_count(struct alert_batch *b, const struct alert *a)
{
	struct alert_rule_count	*rc;
	size_t			 i;

	b->total++;
	b->levels[a->level]++;
	for (i = b->nrules; i > 0; i--)
		if (strcmp(b->rules[i - 1].rule_id, a->rule_id) == 0)
			break;
	if (i > 0)
		b->rules[i - 1].count++;
	else {
		b->rules = xreallocarray(b->rules, b->nrules + 1,
		    sizeof *b->rules);
		rc = &b->rules[b->nrules++];
		rc->rule_id = xstrdup(a->rule_id);
		rc->title = xstrdup(a->title);
		rc->level = a->level;
		rc->count = 1;
	}
	if (b->accounts == 0 && a->account != NULL) {
		b->account = xstrdup(a->account);
		b->accounts = 1;
	} else if (b->accounts == 1 && (a->account == NULL ||
	    strcmp(a->account, b->account) != 0))
		b->accounts = 2;
	else if (b->accounts == 0)
		b->accounts = 2;	/* one without an account */
}

/*
 * Keep a among the ALERT_TOP most severe, earlier first among equals; v
 * is sorted that way.  a is freed if it does not make it.
 */
static void
alert_batch_top(struct alert_batch *b, struct alert *a)
{
	size_t	 i;

	for (i = 0; i < b->n && b->v[i]->level >= a->level; i++)
		continue;
	if (i >= ALERT_TOP) {
		alert_free(a);
		return;
	}
	if (b->n == ALERT_TOP)
		alert_free(b->v[--b->n]);
	memmove(&b->v[i + 1], &b->v[i], (b->n - i) * sizeof *b->v);
	b->v[i] = a;
	b->n++;
}

/* Add an alert; past the threshold only the top ones are kept. */
void
alert_batch_add(struct alert_batch *b, struct alert *a)
{
	struct alert	**old;
	size_t		  i, n;

	alert_batch_count(b, a);
	if (!b->digest && b->n < b->threshold) {
		b->v = xreallocarray(b->v, b->n + 1, sizeof *b->v);
		b->v[b->n++] = a;
		return;
	}
	if (!b->digest) {
		b->digest = 1;
		old = b->v;
		n = b->n;
		b->v = xcalloc(ALERT_TOP, sizeof *b->v);
		b->n = 0;
		for (i = 0; i < n; i++)
			alert_batch_top(b, old[i]);
		free(old);
	}
	alert_batch_top(b, a);
}

/* Most severe first, then most frequent, then by id. */
static int
alert_rule_cmp(const void *pa, const void *pb)
{
	const struct alert_rule_count	*a = *(const void *const *)pa;
	const struct alert_rule_count	*b = *(const void *const *)pb;

	if (a->level != b->level)
		return a->level > b->level ? -1 : 1;
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return strcmp(a->rule_id, b->rule_id);
}

static char *
alert_digest_text(const struct alert_batch *b,
    struct alert_rule_count **rules, size_t nrules)
{
	struct alert_mem	 m;
	uint64_t		 rest = 0;
	size_t			 i;
	int			 l;
	FILE			*f = alert_mem_open(&m);

	fprintf(f, "ctaudit found %" PRIu64 " findings, more than the digest "
	    "threshold of %zu,\nso they come in this one message.  Every "
	    "finding is in the output of the run.\n\nFindings by level:\n",
	    b->total, b->threshold);
	for (l = RULE_CRITICAL; l >= RULE_INFORMATIONAL; l--)
		if (b->levels[l] != 0)
			fprintf(f, "  %-14s %6" PRIu64 "\n",
			    rule_level_name((enum rule_level)l), b->levels[l]);
	fputs("\nFindings by rule:\n", f);
	for (i = 0; i < nrules; i++) {
		if (i >= ALERT_DIGEST_RULES) {
			rest += rules[i]->count;
			continue;
		}
		fprintf(f, "  %-14s %6" PRIu64 "  ",
		    rule_level_name(rules[i]->level), rules[i]->count);
		alert_text_value(f, rules[i]->title, strlen(rules[i]->title),
		    ALERT_LINE_FIELD_MAX);
		fputs(" [", f);
		alert_text_value(f, rules[i]->rule_id,
		    strlen(rules[i]->rule_id), ALERT_LINE_FIELD_MAX);
		fputs("]\n", f);
	}
	if (nrules > ALERT_DIGEST_RULES)
		fprintf(f, "  and %zu more rules (%" PRIu64 " findings)\n",
		    nrules - ALERT_DIGEST_RULES, rest);
	fprintf(f, "\nThe %zu most severe findings:\n", b->n);
	for (i = 0; i < b->n; i++)
		fprintf(f, "%2zu. %s\n", i + 1, b->v[i]->line);
	fputs("\n-- \nctaudit " PACKAGE_VERSION "\n", f);
	return alert_mem_take(&m, NULL);
}

static char *
alert_digest_json(const struct alert_batch *b,
    struct alert_rule_count **rules, size_t nrules)
{
	struct alert_mem	 m;
	char			*out;
	size_t			 i, len;
	int			 l, first, trunc = 0, full;
	FILE			*f;

	for (full = 1;; full = 0) {
		f = alert_mem_open(&m);
		fprintf(f, "{\"schema\":%d,\"digest\":{\"findings\":%" PRIu64
		    ",\"threshold\":%zu,\"levels\":{", OUTPUT_SCHEMA_VERSION,
		    b->total, b->threshold);
		for (first = 1, l = RULE_CRITICAL; l >= RULE_INFORMATIONAL;
		    l--) {
			if (b->levels[l] == 0)
				continue;
			fprintf(f, "%s\"%s\":%" PRIu64, first ? "" : ",",
			    rule_level_name((enum rule_level)l),
			    b->levels[l]);
			first = 0;
		}
		putc('}', f);
		if (full) {
			fputs(",\"rules\":[", f);
			for (i = 0; i < nrules && i < ALERT_DIGEST_RULES;
			    i++) {
				fputs(i > 0 ? ",{\"ruleId\":" : "{\"ruleId\":",
				    f);
				alert_json_value(f, rules[i]->rule_id,
				    strlen(rules[i]->rule_id),
				    ALERT_LINE_FIELD_MAX, &trunc);
				fputs(",\"ruleTitle\":", f);
				alert_json_value(f, rules[i]->title,
				    strlen(rules[i]->title),
				    ALERT_LINE_FIELD_MAX, &trunc);
				fprintf(f, ",\"level\":\"%s\",\"count\":%"
				    PRIu64 "}",
				    rule_level_name(rules[i]->level),
				    rules[i]->count);
			}
			fprintf(f, "],\"moreRules\":%zu,\"top\":[",
			    nrules > ALERT_DIGEST_RULES ?
			    nrules - ALERT_DIGEST_RULES : 0);
			for (i = 0; i < b->n; i++)
				fprintf(f, "%s%s", i > 0 ? "," : "",
				    b->v[i]->brief);
			putc(']', f);
		}
		fprintf(f, "}%s}", full ? "" : ",\"truncated\":true");
		out = alert_mem_take(&m, &len);
		if (len <= ALERT_JSON_MAX || !full)
			return out;
		free(out);
	}
}

/* The digest of a batch as one alert; see alert.h. */
struct alert *
alert_digest(const struct alert_batch *b)
{
	struct alert_rule_count	**rules;
	struct alert		 *a;
	struct buf		  counts;
	char			 *prefix, *suffix, *text;
	size_t			  i;
	int			  l, sep = 0;

	a = xcalloc(1, sizeof *a);
	a->findings = b->total;
	a->level = RULE_INFORMATIONAL;
	for (l = RULE_CRITICAL; l >= RULE_INFORMATIONAL; l--)
		if (b->levels[l] != 0) {
			a->level = (enum rule_level)l;
			break;
		}
	a->title = xstrdup("ctaudit digest");
	if (b->accounts == 1)
		a->account = xstrdup(b->account);

	rules = xcalloc(b->nrules + 1, sizeof *rules);
	for (i = 0; i < b->nrules; i++)
		rules[i] = &b->rules[i];
	qsort(rules, b->nrules, sizeof *rules, alert_rule_cmp);

	buf_init(&counts, 256);
	for (l = RULE_CRITICAL; l >= RULE_INFORMATIONAL; l--) {
		if (b->levels[l] == 0)
			continue;
		if (buf_printf(&counts, "%s%" PRIu64 " %s", sep ? ", " : "",
		    b->levels[l], rule_level_name((enum rule_level)l)) == -1)
			fatalx("digest subject");
		sep = 1;
	}
	prefix = xprintf("[%s] ", alert_level_upper[a->level]);
	text = xprintf("ctaudit: %" PRIu64 " findings (%s)", b->total,
	    counts.data != NULL ? counts.data : "");
	buf_clear(&counts);
	suffix = a->account != NULL ? xprintf(" - %s", a->account) :
	    xstrdup("");
	a->subject = alert_subject(prefix, text, suffix, ALERT_SUBJECT_MAX);
	free(prefix);
	free(text);
	free(suffix);

	text = alert_digest_text(b, rules, b->nrules);
	a->text = alert_trim_text(text, strlen(text));
	a->json = alert_digest_json(b, rules, b->nrules);
	free(rules);
	a->line = xstrdup(a->subject);
	a->brief = xstrdup("{}");
	a->group = xstrdup("ctaudit-digest");
	alert_sha256_hex(a->json, strlen(a->json), a->dedup);
	return a;
}
