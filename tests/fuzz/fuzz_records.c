/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness: the record stream.  The input goes through
 * scan_stream() (gzip detection, inflate, the guard, yajl, records) with
 * read sizes drawn from the input itself, and every record through the
 * bundled rules (detections, filters and correlations), as the program
 * does.  Any crash, hang, leak or sanitizer report is a finding.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "correlate.h"
#include "log.h"
#include "record.h"
#include "rule.h"
#include "scan.h"
#include "source.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct fuzz_records_stream {
	struct stream	 s;
	const uint8_t	*p;
	size_t		 len;
	const uint8_t	*steps;		/* read sizes, used in turn */
	size_t		 nsteps, at;
};

static struct rule_set	*fuzz_records_rules;

static ssize_t
fuzz_records_read(struct stream *s, void *buf, size_t len, char **cause)
{
	struct fuzz_records_stream	*m = (struct fuzz_records_stream *)s;
	size_t				 n;

	(void)cause;
	n = 1 + m->steps[m->at++ % m->nsteps] * 37;
	if (len > n)
		len = n;
	if (len > m->len)
		len = m->len;
	memcpy(buf, m->p, len);
	m->p += len;
	m->len -= len;
	return (ssize_t)len;
}

/*
 * The correlation engine is made at the first match of an input: most
 * inputs match no rule, and an engine that saw nothing finds nothing,
 * while making one walks the whole rule set.
 */
static void
fuzz_records_match(const struct rule *r, struct record *rec, void *arg)
{
	struct correlate	**corr = arg;

	if (rule_set_suppress(fuzz_records_rules, r, rec) != NULL)
		return;
	if (*corr == NULL)
		*corr = correlate_create(fuzz_records_rules, NULL);
	correlate_match(*corr, r, rec);
}

static void
fuzz_records_corr(const struct rule *r, const struct corr_finding *cf,
    void *arg)
{
	(void)r;
	(void)cf;
	(void)arg;
}

static void
fuzz_records_record(struct record *rec, void *arg)
{
	rule_set_eval(fuzz_records_rules, rec, fuzz_records_match, arg);
}

/*
 * Load the bundled rules once: $CTAUDIT_FUZZ_RULES, or ./rules.  Unless
 * stderr is a terminal (a replay), it is fully buffered: a parse error
 * per input is still formatted and escaped, but costs no write(2) each.
 */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct rule_opts	 opts;
	const char		*path;

	(void)argc;
	(void)argv;
	diag_init("ctaudit");
	if (!isatty(STDERR_FILENO))
		setvbuf(stderr, NULL, _IOFBF, 64 * 1024);
	if ((path = getenv("CTAUDIT_FUZZ_RULES")) == NULL)
		path = "rules";
	memset(&opts, 0, sizeof opts);
	fuzz_records_rules = rule_set_create(&opts);
	if (rule_set_load(fuzz_records_rules, path) == -1 ||
	    rule_set_count(fuzz_records_rules) == 0)
		fatalx("%s: no rules loaded (set CTAUDIT_FUZZ_RULES)", path);
	rule_set_filters_resolve(fuzz_records_rules);
	return 0;
}

/*
 * The first byte says how many of the following bytes are read sizes;
 * the rest is the stream.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t		 whole = 255;
	struct fuzz_records_stream	 m;
	struct scan_stats		 st;
	struct correlate		*corr;
	size_t				 n;

	memset(&m, 0, sizeof m);
	n = size > 0 ? data[0] % 8 : 0;
	if (n + 1 > size)
		n = 0;
	m.s.name = "fuzz";
	m.s.read = fuzz_records_read;
	if (n > 0) {
		m.steps = data + 1;
		m.nsteps = n;
	} else {
		m.steps = &whole;
		m.nsteps = 1;
	}
	m.p = data + (size > 0 ? 1 + n : 0);
	m.len = size > 0 ? size - 1 - n : 0;
	memset(&st, 0, sizeof st);
	corr = NULL;
	scan_stream(&m.s, fuzz_records_record, &corr, &st);
	if (corr != NULL) {
		correlate_finish(corr, fuzz_records_corr, NULL);
		correlate_free(corr);
	}
	return 0;
}
