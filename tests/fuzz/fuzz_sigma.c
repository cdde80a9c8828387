/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness: the Sigma loader and evaluator.  The input up to its
 * first NUL byte is a rule file (YAML, several documents allowed); what
 * follows is JSON Lines of records to test against it, or a few built-in
 * records when there is none.  Matches feed the correlation engine, which
 * is then run to the end, as the program does.
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
#include "record_int.h"
#include "rule.h"
#include "sigma.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_SIGMA_RECORDS	64	/* records tried per input */

static const char *fuzz_sigma_builtin[] = {
	"{\"eventVersion\":\"1.08\",\"eventSource\":\"iam.amazonaws.com\","
	"\"eventName\":\"CreateUser\",\"eventTime\":\"2024-03-01T10:00:00Z\","
	"\"userIdentity\":{\"type\":\"Root\",\"arn\":\"arn:aws:iam::1:root\"},"
	"\"sourceIPAddress\":\"10.1.2.3\",\"requestParameters\":"
	"{\"userName\":\"x\",\"tags\":[1,true,null,\"a\"]},\"errorCode\":null}",
	"{\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"PutBucketPolicy\","
	"\"eventTime\":\"2024-03-01T10:00:05Z\",\"readOnly\":\"false\","
	"\"sourceIPAddress\":\"2001:db8::1\",\"userAgent\":\"aws-cli/2\"}",
	"{\"eventSource\":\"signin.amazonaws.com\",\"eventName\":\"ConsoleLogin\","
	"\"eventTime\":\"2024-03-01T10:01:00Z\",\"additionalEventData\":"
	"{\"MFAUsed\":\"No\"},\"responseElements\":{\"ConsoleLogin\":"
	"\"Failure\"},\"errorMessage\":\"Failed authentication\"}",
};

#define FUZZ_SIGMA_NBUILTIN \
	(sizeof fuzz_sigma_builtin / sizeof fuzz_sigma_builtin[0])

static struct record	*fuzz_sigma_recs[FUZZ_SIGMA_NBUILTIN];
static struct correlate	*fuzz_sigma_corr;
static struct rule_set	*fuzz_sigma_rules;

static void
fuzz_sigma_match(const struct rule *r, struct record *rec, void *arg)
{
	(void)arg;
	if (rule_set_suppress(fuzz_sigma_rules, r, rec) == NULL)
		correlate_match(fuzz_sigma_corr, r, rec);
}

static void
fuzz_sigma_found(const struct rule *r, const struct corr_finding *cf,
    void *arg)
{
	(void)r;
	(void)cf;
	(void)arg;
}

static void
fuzz_sigma_eval(const char *json, size_t len)
{
	struct record	*rec;
	char		*cause = NULL;

	if ((rec = record_from_json(json, len, "fuzz", &cause)) == NULL) {
		free(cause);
		return;
	}
	rule_set_eval(fuzz_sigma_rules, rec, fuzz_sigma_match, NULL);
	record_free(rec);
}

/*
 * The built-in records do not depend on the input: they are parsed once
 * here (evaluation only reads a record).  Unless stderr is a terminal (a
 * replay), it is fully buffered: a rule error per input is still
 * formatted and escaped, but costs no write(2) each.
 */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char	*cause = NULL;
	size_t	 i;

	(void)argc;
	(void)argv;
	diag_init("ctaudit");
	if (!isatty(STDERR_FILENO))
		setvbuf(stderr, NULL, _IOFBF, 64 * 1024);
	for (i = 0; i < FUZZ_SIGMA_NBUILTIN; i++) {
		fuzz_sigma_recs[i] = record_from_json(fuzz_sigma_builtin[i],
		    strlen(fuzz_sigma_builtin[i]), "fuzz", &cause);
		if (fuzz_sigma_recs[i] == NULL)
			fatalx("built-in record %zu: %s", i, cause);
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rule_opts	 opts;
	const char		*p = (const char *)data, *nul, *e, *end;
	size_t			 i, n = 0;

	memset(&opts, 0, sizeof opts);
	fuzz_sigma_rules = rule_set_create(&opts);
	nul = memchr(p, '\0', size);
	rule_set_load_buffer(fuzz_sigma_rules, "fuzz.yml", p,
	    nul != NULL ? (size_t)(nul - p) : size);
	rule_set_filters_resolve(fuzz_sigma_rules);
	fuzz_sigma_corr = correlate_create(fuzz_sigma_rules, NULL);
	if (nul == NULL) {
		for (i = 0; i < FUZZ_SIGMA_NBUILTIN; i++)
			rule_set_eval(fuzz_sigma_rules, fuzz_sigma_recs[i],
			    fuzz_sigma_match, NULL);
	} else {
		end = p + size;
		for (p = nul + 1; p < end && n++ < FUZZ_SIGMA_RECORDS;
		    p = e + 1) {
			if ((e = memchr(p, '\n', end - p)) == NULL)
				e = end;
			fuzz_sigma_eval(p, e - p);
		}
	}
	if (fuzz_sigma_corr != NULL)
		correlate_finish(fuzz_sigma_corr, fuzz_sigma_found, NULL);
	correlate_free(fuzz_sigma_corr);
	rule_set_free(fuzz_sigma_rules);
	return 0;
}
