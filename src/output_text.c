/* SPDX-License-Identifier: ISC */
/*
 * Text output for people: one line per finding, so grep finds it whole,
 * with fixed-width leading columns (time, level, account, region,
 * eventName) that line up, then the principal, the source address and
 * the rule's title.  Times are shown in UTC to the second.  Every string
 * from the record or the rule goes through output_esc_text(), so escape
 * sequences in a forged userAgent or ARN are shown, never obeyed.  Colour
 * (the level only) is used when the caller asks for it.  A correlation
 * finding starts with its first time and level as well, then says
 * "correlation", what was counted, the group and the last time.  On a
 * terminal a finding is wrapped to its width (COLUMNS, or what the
 * terminal says) at the spaces between values, never inside one, and the
 * rule's title is kept whole on one line; written to a pipe or a file, a
 * finding stays on one line.  A finding of --verify names the object at
 * fault where the principal would be, and ends with what is wrong.
 */
#include "config.h"

#include <sys/ioctl.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eventtime.h"
#include "log.h"
#include "forms.h"
#include "output.h"
#include "output_int.h"
#include "progress.h"
#include "record.h"
#include "rule.h"
#include "verify.h"
#include "xmalloc.h"

/* Minimum widths; a longer value pushes the rest of its line along. */
#define OUTPUT_TEXT_W_TIME	20	/* 2026-11-01T10:22:31Z */
#define OUTPUT_TEXT_W_LEVEL	8	/* critical */
#define OUTPUT_TEXT_W_ACCOUNT	12	/* 123456789012 */
#define OUTPUT_TEXT_W_REGION	14	/* ap-southeast-2 */
#define OUTPUT_TEXT_W_EVENT	24

#define OUTPUT_TEXT_SGR_RESET	"\033[0m"

#define OUTPUT_TEXT_WRAP_MIN	40	/* narrower terminals get this */
#define OUTPUT_TEXT_WRAP_MAX	1000
#define OUTPUT_TEXT_INDENT	4	/* of a continuation line */

struct output_text {
	FILE	*f;
	int	 raw;
	int	 color;
	int	 tty;		/* f is a terminal */
	size_t	 width;		/* wrap to this; 0: one line */
};

static void	*output_text_open(FILE *, const struct output_opts *);
static void	 output_text_write(void *, const struct finding *);
static int	 output_text_close(void *);
static void	 output_text_pad(FILE *, size_t, size_t);
static void	 output_text_str(FILE *, const char *, size_t, size_t);
static void	 output_text_field(FILE *, const struct finding *,
		    const char *, size_t);
static void	 output_text_time(FILE *, const struct finding *);
static void	 output_text_corr(FILE *, const struct corr_finding *);
static size_t	 output_text_width(FILE *);
static void	 output_text_wrap(struct output_text *, const char *, size_t,
		    size_t);
static size_t	 output_text_line(struct output_text *, FILE *,
		    const struct finding *);

const struct output_ops output_text_ops = {
	.name = "text",
	.open = output_text_open,
	.write = output_text_write,
	.close = output_text_close,
};

/* Short names that fit the level column, and their colours. */
static const struct {
	const char	*name;
	const char	*sgr;		/* NULL: the terminal's default */
} output_text_levels[] = {
	[RULE_INFORMATIONAL] =	{ "info",	NULL },
	[RULE_LOW] =		{ "low",	"\033[36m" },	/* cyan */
	[RULE_MEDIUM] =		{ "medium",	"\033[33m" },	/* yellow */
	[RULE_HIGH] =		{ "high",	"\033[31m" },	/* red */
	[RULE_CRITICAL] =	{ "critical",	"\033[1;31m" },	/* bold red */
};

static void *
output_text_open(FILE *f, const struct output_opts *opts)
{
	struct output_text	*ot;

	ot = xcalloc(1, sizeof *ot);
	ot->f = f;
	ot->raw = opts->raw;
	ot->color = opts->color;
	ot->tty = isatty(fileno(f));
	if (ot->tty && !ot->raw)
		ot->width = output_text_width(f);
	return ot;
}

/*
 * The width to wrap to on a terminal: COLUMNS if it is a number, else
 * the terminal's own, else 0 (do not wrap).
 */
static size_t
output_text_width(FILE *f)
{
	struct winsize	 ws;
	const char	*s;
	char		*end;
	long		 n = 0;

	if ((s = getenv("COLUMNS")) != NULL && *s != '\0') {
		n = strtol(s, &end, 10);
		if (*end != '\0' || n < 1 || n > OUTPUT_TEXT_WRAP_MAX)
			n = 0;
	}
	if (n == 0 && ioctl(fileno(f), TIOCGWINSZ, &ws) == 0)
		n = ws.ws_col;
	if (n == 0)
		return 0;
	return n < OUTPUT_TEXT_WRAP_MIN ? OUTPUT_TEXT_WRAP_MIN : (size_t)n;
}

/*
 * Write one finding's line (without its newline) wrapped to ot->width:
 * break at a run of spaces when the next value would not fit, indent the
 * continuation, and take everything from title on as one piece.
 */
static void
output_text_wrap(struct output_text *ot, const char *s, size_t len,
    size_t title)
{
	size_t	 i = 0, ws, word, end, cols, col = 0;

	while (i < len) {
		for (ws = i; ws < len && s[ws] == ' '; ws++)
			;
		if (ws >= title)
			end = len;
		else
			for (end = ws; end < len && s[end] != ' '; end++)
				;
		if (ws == end)
			break;		/* trailing spaces */
		word = ws;
		cols = output_esc_cols(s + word, end - word);
		if (col > OUTPUT_TEXT_INDENT &&
		    col + (ws - i) + cols > ot->width) {
			fprintf(ot->f, "\n%*s", OUTPUT_TEXT_INDENT, "");
			col = OUTPUT_TEXT_INDENT;
		} else {
			fwrite(s + i, 1, ws - i, ot->f);
			col += ws - i;
		}
		fwrite(s + word, 1, end - word, ot->f);
		col += cols;
		i = end;
	}
	putc('\n', ot->f);
}

/* Spaces from used up to width, and always at least one. */
static void
output_text_pad(FILE *f, size_t used, size_t width)
{
	do
		putc(' ', f);
	while (++used < width + 1);
}

/* A value, or "-" when it is absent or empty, padded to width. */
static void
output_text_str(FILE *f, const char *s, size_t len, size_t width)
{
	size_t	 used;

	if (s == NULL || len == 0) {
		putc('-', f);
		used = 1;
	} else
		used = output_esc_text(f, s, len);
	if (width > 0)
		output_text_pad(f, used, width);
}

/* The record's value at path, padded to width (0: no padding). */
static void
output_text_field(FILE *f, const struct finding *fd, const char *path,
    size_t width)
{
	const char	*s = NULL;
	size_t		 len = 0;

	output_field(fd, path, &s, &len);
	output_text_str(f, s, len, width);
}

/*
 * eventTime in UTC to the second, whatever offset or fraction it was
 * written with; as written (made visible) if it is not RFC 3339.
 */
static void
output_text_time(FILE *f, const struct finding *fd)
{
	char		 buf[EVENTTIME_BUFSIZE];
	const char	*s = NULL;
	size_t		 len = 0;
	int64_t		 t;

	if (fd->corr != NULL) {
		t = fd->corr->first;
		t -= t % 1000 + (t % 1000 < 0 ? 1000 : 0);
		eventtime_format(t, buf, sizeof buf);
		output_text_str(f, buf, strlen(buf), OUTPUT_TEXT_W_TIME);
		return;
	}
	if (output_field(fd, "eventTime", &s, &len) &&
	    eventtime_parse(s, len, &t) == 0) {
		t -= t % 1000 + (t % 1000 < 0 ? 1000 : 0);
		eventtime_format(t, buf, sizeof buf);
		s = buf;
		len = strlen(buf);
	}
	output_text_str(f, s, len, OUTPUT_TEXT_W_TIME);
}

/*
 * Write one finding to f as one line, without the newline; return the
 * offset of the rule's title in it.
 */
static size_t
output_text_line(struct output_text *ot, FILE *f, const struct finding *fd)
{
	const struct rec_value	*root;
	const char		*s = NULL;
	char			 url[FORMS_URL_MAX];
	size_t			 len = 0, title;
	enum rule_level		 level;

	output_text_time(f, fd);

	level = rule_level(fd->rule);
	if ((size_t)level >= nitems(output_text_levels))
		level = RULE_INFORMATIONAL;
	s = output_text_levels[level].name;
	if (ot->color && output_text_levels[level].sgr != NULL)
		fprintf(f, "%s%s%s", output_text_levels[level].sgr, s,
		    OUTPUT_TEXT_SGR_RESET);
	else
		fputs(s, f);
	output_text_pad(f, strlen(s), OUTPUT_TEXT_W_LEVEL);

	if (fd->corr != NULL) {
		output_text_corr(f, fd->corr);
		title = (size_t)ftello(f);
		s = rule_title(fd->rule);
		output_text_str(f, s, s != NULL ? strlen(s) : 0, 0);
		return title;
	}
	output_text_field(f, fd, "recipientAccountId", OUTPUT_TEXT_W_ACCOUNT);
	output_text_field(f, fd, "awsRegion", OUTPUT_TEXT_W_REGION);
	output_text_field(f, fd, "eventName", OUTPUT_TEXT_W_EVENT);

	s = NULL;
	len = 0;
	if (forms_is_finding(fd->rec)) {
		/* A finding: its resource, severity, title and link. */
		forms_finding_col(fd->rec, 2, url, &s, &len);
		output_text_str(f, s, len, 1);
		s = NULL;
		len = 0;
		forms_finding_col(fd->rec, 1, url, &s, &len);
		fputs("severity ", f);
		output_text_str(f, s, len, 1);
		if (forms_finding_col(fd->rec, 9, url, &s, &len))
			output_text_str(f, s, len, 1);
		if (forms_is_sample(fd->rec))
			fputs("sample ", f);
		title = (size_t)ftello(f);
		s = rule_title(fd->rule);
		output_text_str(f, s, s != NULL ? strlen(s) : 0, 0);
		if (forms_finding_col(fd->rec, 6, url, &s, &len)) {
			putc(' ', f);
			output_text_str(f, s, len, 0);
		}
	} else if (output_field(fd, "eventSource", &s, &len) &&
	    len == sizeof VERIFY_EVENT_SOURCE - 1 &&
	    memcmp(s, VERIFY_EVENT_SOURCE, len) == 0) {
		/* --verify: the object at fault, the title, what is wrong. */
		output_text_field(f, fd, "requestParameters.object", 1);
		title = (size_t)ftello(f);
		s = rule_title(fd->rule);
		output_text_str(f, s, s != NULL ? strlen(s) : 0, 0);
		if (output_field(fd, "errorMessage", &s, &len) && len > 0) {
			fputs(": ", f);
			output_text_str(f, s, len, 0);
		}
	} else {
		s = NULL;
		len = 0;
		output_principal(fd, &s, &len);
		output_text_str(f, s, len, 1);
		/* An Insights event has no address: its kind instead. */
		output_text_field(f, fd, forms_is_insight(fd->rec) ?
		    "insightDetails.insightType" : "sourceIPAddress", 1);
		title = (size_t)ftello(f);
		s = rule_title(fd->rule);
		output_text_str(f, s, s != NULL ? strlen(s) : 0, 0);
	}

	if (ot->raw && (root = record_root(fd->rec)) != NULL &&
	    (s = record_json(fd->rec, root, &len)) != NULL) {
		putc(' ', f);
		output_esc_jsontext(f, s, len);
	}
	return title;
}

/*
 * Write one finding: one line, or on a terminal wrapped to its width,
 * with the progress line cleared first and drawn again after.
 */
static void
output_text_write(void *priv, const struct finding *fd)
{
	struct output_text	*ot = priv;
	FILE			*mf;
	char			*buf = NULL;
	size_t			 size = 0, title;

	if (!ot->tty) {
		flockfile(ot->f);	/* once, not for each putc() */
		output_text_line(ot, ot->f, fd);
		putc('\n', ot->f);
		funlockfile(ot->f);
		return;
	}
	progress_hide();
	if (ot->width == 0) {
		output_text_line(ot, ot->f, fd);
		putc('\n', ot->f);
	} else {
		if ((mf = open_memstream(&buf, &size)) == NULL)
			fatal("open_memstream");
		title = output_text_line(ot, mf, fd);
		if (fclose(mf) != 0)
			fatal("open_memstream");
		output_text_wrap(ot, buf, size, title);
		free(buf);
	}
	fflush(ot->f);
	progress_show();
}

/*
 * "correlation event_count=6 sourceIPAddress=203.0.113.7 until TIME",
 * "value_count(field)=3", "[incomplete]" when a cap left events out.
 */
static void
output_text_corr(FILE *f, const struct corr_finding *cf)
{
	char	 buf[EVENTTIME_BUFSIZE];
	char	 num[OUTPUT_CORR_VALUE_SIZE];
	size_t	 i;
	int64_t	 t;

	fprintf(f, "correlation %s", cf->type);
	if (cf->field != NULL) {
		putc('(', f);
		output_esc_text(f, cf->field, strlen(cf->field));
		putc(')', f);
	}
	output_corr_value(num, sizeof num, cf->value);
	fprintf(f, "=%s", num);
	for (i = 0; i < cf->ngroupby; i++) {
		putc(' ', f);
		output_esc_text(f, cf->groupby[i], strlen(cf->groupby[i]));
		putc('=', f);
		output_text_str(f, cf->values[i], cf->lens[i], 0);
	}
	t = cf->last;
	t -= t % 1000 + (t % 1000 < 0 ? 1000 : 0);
	eventtime_format(t, buf, sizeof buf);
	fprintf(f, " until %s%s ", buf, cf->incomplete ? " [incomplete]" : "");
}

static int
output_text_close(void *priv)
{
	struct output_text	*ot = priv;

	if (ot == NULL)
		return 0;
	fflush(ot->f);
	free(ot);
	return 0;
}
