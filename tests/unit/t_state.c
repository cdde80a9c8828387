/* SPDX-License-Identifier: ISC */
/*
 * The state file: field escaping, every way a state file can be refused
 * (with its line), and a save and reload of S3 marks and dedup pairs.
 * The journal: what is folded in (all of it in the same boot, up to the
 * last 'sync' after a reboot), a last line cut short, and refusals.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "state.h"
#include "xmalloc.h"

static const struct {
	const char	*in, *out;
} escapes[] = {
	{ "",			"-" },
	{ "-",			"%2D" },
	{ "a b",		"a%20b" },
	{ "100%",		"100%25" },
	{ "tab\there",		"tab%09here" },
	{ "AWSLogs/1/x-y",	"AWSLogs/1/x-y" },
	{ "\x7f\xc3\xa9",	"%7F\xc3\xa9" },
};

static const struct {
	const char	*text;
	unsigned long	 line;
	const char	*cause;		/* NULL: loads */
} files[] = {
	{ "ctaudit-state 1\nend 0\n", 0, NULL },
	{ "# c\n\nctaudit-state 1\ns3 b p -\nkey p/k\nend 2\n", 0, NULL },
	{ "", 0, "empty, not a ctaudit state file" },
	{ "hello\n", 1, "not a ctaudit state file (no 'ctaudit-state' "
	    "line)" },
	{ "ctaudit-state 2\nend 0\n", 1, "state format version '2' is not "
	    "1 (written by another ctaudit?)" },
	{ "ctaudit-state 1\n", 2, "no 'end' record: the file was cut short" },
	{ "ctaudit-state 1\nend 0", 2, "last line cut short" },
	{ "ctaudit-state 1\nend 1\n", 2, "'end' record does not match the "
	    "0 records before it" },
	{ "ctaudit-state 1\nend 0\nseen 1 r e\n", 3, "text after the 'end' "
	    "record" },
	{ "ctaudit-state 1\nbogus x\nend 1\n", 2, "unknown record 'bogus'" },
	{ "ctaudit-state 1\nfile /x\nend 1\n", 2, "'file' wants 2 fields, "
	    "not 1" },
	{ "ctaudit-state 1\nfile /x 12a\nend 1\n", 2, "'file': bad number" },
	{ "ctaudit-state 1\nfile /x 99999999999999999999\nend 1\n", 2,
	    "'file': bad number" },
	{ "ctaudit-state 1\ndone a 1 2 3\nend 1\n", 2, "'done' outside a "
	    "'file' record" },
	{ "ctaudit-state 1\nfile /x 0\nkey a\nend 2\n", 3, "'key' outside "
	    "a 's3' record" },
	{ "ctaudit-state 1\ns3 b p %zz\nend 1\n", 2, "field 3: bad "
	    "%-escape" },
	{ "ctaudit-state 1\ns3 b p %00\nend 1\n", 2, "field 3: bad "
	    "%-escape" },
	{ "ctaudit-state 1\ns3 b p -\ns3 b p -\nend 2\n", 3, "prefix "
	    "'s3://b/p' is named twice" },
	{ "ctaudit-state 1\ns3 b p -\nkey k\nkey k\nend 3\n", 4, "'k' is "
	    "named twice" },
	{ "ctaudit-state 1\nseen 5 r e\nseen 6 r e\nend 2\n", 3, "'seen' "
	    "pair named twice" },
	{ "ctaudit-state 1\nseen 5 r\nend 1\n", 2, "'seen' wants 3 fields, "
	    "not 2" },
	{ "ctaudit-state 1\nseen 1 a b c d e f\nend 1\n", 2, "too many "
	    "fields" },
	{ "ctaudit-state 1\ncorr 5 4 0 c r v,a,%252C%2500\nend 1\n", 0,
	    NULL },
	{ "ctaudit-state 1\ncorr 5 4 7 c r v\nend 1\n", 0, NULL },
	{ "ctaudit-state 1\ncorr 5 6 0 c r v\nend 1\n", 2, "'corr': bad "
	    "time" },
	{ "ctaudit-state 1\ncorr 5 4 x c r v\nend 1\n", 2, "'corr': bad "
	    "event id" },
	{ "ctaudit-state 1\ncorr 5 4 0 - r v\nend 1\n", 2, "'corr': empty "
	    "rule id" },
	{ "ctaudit-state 1\ncorr 5 4 0 c r w,a\nend 1\n", 2, "'corr': bad "
	    "values" },
	{ "ctaudit-state 1\ncorr 5 4 0 c r v,%25zz\nend 1\n", 2, "'corr': "
	    "bad values" },
	{ "ctaudit-state 1\ncorr 5 4 0 c r va\nend 1\n", 2, "'corr': bad "
	    "values" },
	{ "ctaudit-state 1\ncorr 5 4 0 c r\nend 1\n", 2, "'corr' wants 6 "
	    "fields, not 5" },
};

/* "@" in a journal stands for this boot's id. */
static const struct {
	const char	*text;
	unsigned long	 line;
	const char	*cause;		/* NULL: loads */
	uint64_t	 recovered;
} journals[] = {
	{ "", 0, NULL, 0 },
	{ "ctaudit-journal 1 @", 0, NULL, 0 },
	{ "ctaudit-journal 1 @\nkey b r/ r/k\nkey b r/ r/l", 0, NULL, 1 },
	{ "ctaudit-journal 1 @\nfile /r a 1 2 3\nkey b r/ r/k\n", 0, NULL,
	    2 },
	/* Another boot: only what a 'sync' line covers. */
	{ "ctaudit-journal 1 x\nkey b r/ r/k\nsync\nkey b r/ r/l\n", 0,
	    NULL, 1 },
	{ "ctaudit-journal 1 x\nkey b r/ r/k\n", 0, NULL, 0 },
	{ "ctaudit-journal 1 x\nsync\nbogus\n", 0, NULL, 0 },
	{ "ctaudit-journal 1 x\nsync\nbogus\nsync\n", 3,
	    "unknown record 'bogus'", 0 },
	{ "hello\n", 1, "not a ctaudit journal (no 'ctaudit-journal 1' "
	    "line)", 0 },
	{ "ctaudit-journal 2 @\n", 1, "not a ctaudit journal (no "
	    "'ctaudit-journal 1' line)", 0 },
	{ "ctaudit-journal 1 @\nfile /r a 1 2\n", 2, "'file' wants 5 "
	    "fields, not 4", 0 },
	{ "ctaudit-journal 1 @\nfile /r a 1 x 3\n", 2, "'file': bad "
	    "number", 0 },
	{ "ctaudit-journal 1 @\nkey b r/ -\n", 2, "empty key", 0 },
	{ "ctaudit-journal 1 @\nkey b r/ %zz\n", 2, "field 3: bad "
	    "%-escape", 0 },
	{ "ctaudit-journal 1 @\nseen x r e\n", 2, "'seen': bad number", 0 },
	{ "ctaudit-journal 1 @\nseen 1 - e\n", 2, "bad rule or event id",
	    0 },
	{ "ctaudit-journal 1 @\nsync 1\n", 2, "'sync' wants 0 fields, not "
	    "1", 0 },
	{ "ctaudit-journal 1 @\nseen 1 a b c d e f\n", 2, "too many "
	    "fields", 0 },
};

/*
 * Write text with "@" replaced by the boot id: 0, 1 if there is none to
 * read (no Linux), or -1.
 */
static int
write_journal(const char *path, const char *text)
{
	FILE	*f, *b;
	char	 boot[128] = "-";

	if ((b = fopen("/proc/sys/kernel/random/boot_id", "r")) != NULL) {
		if (fgets(boot, sizeof boot, b) == NULL)
			strcpy(boot, "-");
		boot[strcspn(boot, "\n")] = '\0';
		fclose(b);
	}
	if (strcmp(boot, "-") == 0 && strchr(text, '@') != NULL)
		return 1;
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	for (; *text != '\0'; text++) {
		if (*text == '@')
			fputs(boot, f);
		else
			fputc(*text, f);
	}
	return fclose(f);
}

static int
write_file(const char *path, const char *text)
{
	FILE	*f;

	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* Correlation matches handed on read back as they were, oldest first. */
static int
carry_round_trip(const char *path, const struct state_opts *opts)
{
	static const char *const	 vals[] = { "a,b", "\0%", " x%25" };
	static const size_t		 lens[] = { 3, 2, 5 };
	const struct state_carry	*c;
	struct state			*st;
	char				*cause = NULL, *where = NULL;
	unsigned long			 line;
	size_t				 i;
	int				 busy, failed = 0;

	if (write_file(path, "ctaudit-state 1\nend 0\n") == -1 ||
	    (st = state_open(path, opts, &busy, &where, &line,
	    &cause)) == NULL)
		return 1;
	state_carry_add(st, 20, 10, 42, "c id", "r", vals, lens, 3);
	state_carry_add(st, 5, 5, 0, "c", "r", NULL, NULL, 0);
	state_carry_add(st, 30, 30, 1, "-", "r", NULL, NULL, 0);
	if (state_save(st, &cause) == -1) {
		fprintf(stderr, "carry: save: %s\n", cause);
		return 1;
	}
	state_free(st);
	if ((st = state_open(path, opts, &busy, &where, &line,
	    &cause)) == NULL) {
		fprintf(stderr, "carry: %lu: %s\n", line, cause);
		return 1;
	}
	if (state_carry_count(st) != 3 ||
	    strcmp(state_carry_get(st, 2)->corr, "-") != 0)
		failed = 1;
	else {
		c = state_carry_get(st, 0);
		if (c->t != 5 || c->t0 != 5 || c->id != 0 || c->nvals != 0 ||
		    strcmp(c->corr, "c") != 0)
			failed = 1;
		c = state_carry_get(st, 1);
		if (c->t != 20 || c->t0 != 10 || c->id != 42 ||
		    c->nvals != 3 || strcmp(c->corr, "c id") != 0 ||
		    strcmp(c->named, "r") != 0)
			failed = 1;
		for (i = 0; !failed && i < 3; i++) {
			if (c->lens[i] != lens[i] ||
			    memcmp(c->vals[i], vals[i], lens[i]) != 0)
				failed = 1;
		}
	}
	if (failed)
		fprintf(stderr, "carry: the matches did not read back\n");
	state_free(st);
	return failed;
}

int
main(void)
{
	struct state_opts	 opts;
	struct state		*st;
	char			 dir[] = "/tmp/t_state.XXXXXX", *path, *cause;
	char			*e, *copy, *where = NULL, *jpath;
	FILE			*out;
	unsigned long		 line;
	size_t			 i;
	int			 busy, failed = 0, rv;

	for (i = 0; i < nitems(escapes); i++) {
		e = state_escape(escapes[i].in);
		if (strcmp(e, escapes[i].out) != 0) {
			fprintf(stderr, "escape '%s': got '%s', want '%s'\n",
			    escapes[i].in, e, escapes[i].out);
			failed = 1;
		}
		copy = xstrdup(e);
		if (state_unescape(copy) == -1 ||
		    strcmp(copy, escapes[i].in) != 0) {
			fprintf(stderr, "unescape '%s': got '%s'\n", e, copy);
			failed = 1;
		}
		free(copy);
		free(e);
	}

	diag_set_quiet(1);	/* the notes of folded journals */
	if (mkdtemp(dir) == NULL)
		return 99;
	path = xprintf("%s/state", dir);
	memset(&opts, 0, sizeof opts);
	opts.now_ms = 1700000000000LL;
	for (i = 0; i < nitems(files); i++) {
		if (write_file(path, files[i].text) == -1)
			return 99;
		cause = NULL;
		st = state_open(path, &opts, &busy, &where, &line, &cause);
		if ((st == NULL) != (files[i].cause != NULL) ||
		    (cause != NULL && (strcmp(cause, files[i].cause) != 0 ||
		    line != files[i].line))) {
			fprintf(stderr, "file %zu: got %lu '%s', want %lu "
			    "'%s'\n", i, line, cause ? cause : "(loaded)",
			    files[i].line, files[i].cause ? files[i].cause :
			    "(loaded)");
			failed = 1;
		}
		free(cause);
		free(where);
		state_free(st);
	}

	/* Journals, each beside an empty state. */
	jpath = xprintf("%s.journal", path);
	for (i = 0; i < nitems(journals); i++) {
		if (write_file(path, "ctaudit-state 1\nend 0\n") == -1 ||
		    (rv = write_journal(jpath, journals[i].text)) == -1)
			return 99;
		if (rv == 1)
			continue;	/* the boot is not known */
		cause = where = NULL;
		st = state_open(path, &opts, &busy, &where, &line, &cause);
		if ((st == NULL) != (journals[i].cause != NULL) ||
		    (cause != NULL && (strcmp(cause, journals[i].cause) != 0 ||
		    line != journals[i].line || strcmp(where, jpath) != 0)) ||
		    (st != NULL && (state_stats(st)->recovered !=
		    journals[i].recovered || access(jpath, F_OK) == 0))) {
			fprintf(stderr, "journal %zu: got %lu '%s', %llu, "
			    "want %lu '%s', %llu\n", i, line,
			    cause ? cause : "(loaded)", st ? (unsigned long
			    long)state_stats(st)->recovered : 0,
			    journals[i].line, journals[i].cause ?
			    journals[i].cause : "(loaded)", (unsigned long
			    long)journals[i].recovered);
			failed = 1;
		}
		free(cause);
		free(where);
		state_free(st);
	}

	/* What a journal names is folded in: not read, not reported. */
	unlink(jpath);
	if (write_file(path, "ctaudit-state 1\nend 0\n") == -1)
		return 99;
	st = state_open(path, &opts, &busy, &where, &line, &cause);
	if (st == NULL || (out = tmpfile()) == NULL)
		return 99;
	if (state_journal_begin(st, out, &cause) == -1)
		return 99;
	state_s3_start_after(st, "b", "r/");
	state_s3_want(st, "b", "r/", "r/a_20230101T0000Z_x.json.gz");
	state_s3_want(st, "b", "r/", "r/b_20230101T0005Z_x.json.gz");
	state_seen(st, "rule", "ev1", 3, opts.now_ms);
	state_stream_done(st, "s3://b/r/a_20230101T0000Z_x.json.gz", 1);
	state_seen(st, "rule", "ev2", 3, opts.now_ms);
	state_stream_done(st, "s3://b/r/b_20230101T0005Z_x.json.gz", 0);
	state_free(st);		/* killed */
	fclose(out);
	st = state_open(path, &opts, &busy, &where, &line, &cause);
	if (st == NULL) {
		fprintf(stderr, "fold: %lu %s\n", line, cause);
		return 1;
	}
	if (state_stats(st)->recovered != 1 || access(jpath, F_OK) == 0 ||
	    state_s3_want(st, "b", "r/", "r/a_20230101T0000Z_x.json.gz") !=
	    0 ||
	    state_s3_want(st, "b", "r/", "r/b_20230101T0005Z_x.json.gz") !=
	    1 ||
	    state_seen(st, "rule", "ev1", 3, opts.now_ms) != 1 ||
	    state_seen(st, "rule", "ev2", 3, opts.now_ms) != 1) {
		fprintf(stderr, "fold: journal not folded in\n");
		failed = 1;
	}
	state_free(st);
	free(jpath);

	/* A mark moves over old keys only; a failed key stops it. */
	unlink(path);
	st = state_open(path, &opts, &busy, &where, &line, &cause);
	if (st == NULL)
		return 99;
	if (state_s3_start_after(st, "b", "r/") != NULL)
		failed = 1;
	state_s3_want(st, "b", "r/", "r/a_20230101T0000Z_x.json.gz");
	state_s3_want(st, "b", "r/", "r/b_20230101T0005Z_x.json.gz");
	state_s3_want(st, "b", "r/", "r/c_20230101T0010Z_x.json.gz");
	state_s3_want(st, "b", "r/", "r/d_20231114T2210Z_x.json.gz");
	state_stream_done(st, "s3://b/r/a_20230101T0000Z_x.json.gz", 1);
	state_stream_done(st, "s3://b/r/b_20230101T0005Z_x.json.gz", 0);
	state_stream_done(st, "s3://b/r/c_20230101T0010Z_x.json.gz", 1);
	state_stream_done(st, "s3://b/r/d_20231114T2210Z_x.json.gz", 1);
	if (state_seen(st, "rule", "ev1", 3, opts.now_ms) != 0 ||
	    state_seen(st, "rule", "ev1", 3, opts.now_ms) != 1 ||
	    state_seen(st, "rule2", "ev1", 3, opts.now_ms) != 0 ||
	    state_seen(st, "old", "ev", 2, opts.now_ms - 8 * 86400000LL) != 0)
		failed = 1;
	if (state_save(st, &cause) == -1)
		return 99;
	state_free(st);
	st = state_open(path, &opts, &busy, &where, &line, &cause);
	if (st == NULL) {
		fprintf(stderr, "reload: %lu %s\n", line, cause);
		return 1;
	}
	if ((e = (char *)state_s3_start_after(st, "b", "r/")) == NULL ||
	    strcmp(e, "r/a_20230101T0000Z_x.json.gz") != 0) {
		fprintf(stderr, "mark: %s\n", e ? e : "(none)");
		failed = 1;
	}
	/* b failed: read again; c and the too-young d: not. */
	if (state_s3_want(st, "b", "r/", "r/b_20230101T0005Z_x.json.gz") != 1 ||
	    state_s3_want(st, "b", "r/", "r/c_20230101T0010Z_x.json.gz") != 0 ||
	    state_s3_want(st, "b", "r/", "r/d_20231114T2210Z_x.json.gz") != 0)
		failed = 1;
	if (state_seen(st, "rule", "ev1", 3, opts.now_ms) != 1 ||
	    state_seen(st, "old", "ev", 2, opts.now_ms) != 0)
		failed = 1;

	/* A second run waits or gives up. */
	if (state_open(path, &opts, &busy, &where, &line, &cause) != NULL ||
	    !busy) {
		fprintf(stderr, "second open got the lock\n");
		failed = 1;
	}
	free(cause);
	free(where);
	state_free(st);

	failed |= carry_round_trip(path, &opts);

	unlink(path);
	copy = xprintf("%s.lock", path);
	unlink(copy);
	free(copy);
	rmdir(dir);
	free(path);
	return failed;
}
