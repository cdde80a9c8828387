/* SPDX-License-Identifier: ISC */
/*
 * The summary's formatting from counters alone: rule and filter tables,
 * their order and top-N cut, and JSON escaping of hostile values.  The
 * per-event tables and the chart are covered by tests/summary.sh.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rule.h"
#include "sigma.h"
#include "summary.h"

static const char yaml[] =
    "title: Alpha\nid: a\nlevel: high\n"
    "logsource: {product: aws, service: cloudtrail}\n"
    "detection: {s: {eventName: X}, condition: s}\n"
    "---\n"
    "title: Beta \"quoted\"\nid: \"b\\u0001\\u00e9\\\\\"\nlevel: low\n"
    "logsource: {product: aws, service: cloudtrail}\n"
    "detection: {s: {eventName: Y}, condition: s}\n"
    "---\n"
    "title: Gamma\nid: c\n"
    "logsource: {product: aws, service: cloudtrail}\n"
    "filter: {rules: [a], s: {eventName: X}, condition: s}\n";

static const char want_text[] =
    "ctaudit summary\n"
    "  files 3 (1 incomplete, 2 already audited), events 0 (5 data "
    "events)\n"
    "  rules 0 (0 rejected, 0 not for CloudTrail, 0 left out by "
    "selectors, 6 for data events only), filters 0\n"
    "  findings 3: critical 0, high 2, medium 0, low 1, "
    "informational 0\n"
    "  suppressed by filters 1, duplicates not reported 4\n"
    "\n"
    "findings by rule:\n"
    "         2  high          a  Alpha\n"
    "            (1 more values)\n";

static const char want_json[] =
    "{\"value\":\"b\\u0001\xc3\xa9\\\\\",\"title\":\"Beta \\\"quoted\\\"\","
    "\"level\":\"low\",\"count\":1}";

int
main(void)
{
	struct rule_opts	 opts;
	struct rule_set		*rs;
	struct summary		*s;
	struct summary_run	 run = { .files = 3, .files_failed = 1,
				    .files_skipped = 2, .data_events = 5,
				    .duplicates = 4, .rules_data_only = 6 };
	char			*buf = NULL;
	size_t			 len = 0;
	FILE			*f;
	int			 failed = 0;

	memset(&opts, 0, sizeof opts);
	rs = rule_set_create(&opts);
	if (rule_set_load_buffer(rs, "t.yml", yaml, strlen(yaml)) == -1 ||
	    rule_set_count(rs) != 2 || rule_set_nfilters(rs) != 1)
		return 99;
	s = summary_create(1, 0);
	summary_finding(s, rule_set_get(rs, 0), NULL);
	summary_finding(s, rule_set_get(rs, 1), NULL);
	summary_finding(s, rule_set_get(rs, 0), NULL);
	summary_suppressed(s, rule_set_filter_get(rs, 0));

	if ((f = open_memstream(&buf, &len)) == NULL)
		return 99;
	summary_write(s, &run, SUMMARY_TEXT, f);
	fclose(f);
	if (strncmp(buf, want_text, strlen(want_text)) != 0) {
		fprintf(stderr, "text: got\n%s\nwant it to start\n%s\n", buf,
		    want_text);
		failed = 1;
	}
	if (strstr(buf, "         1  c  Gamma\n") == NULL) {
		fprintf(stderr, "text: no filter row in\n%s\n", buf);
		failed = 1;
	}
	free(buf);

	buf = NULL;
	if ((f = open_memstream(&buf, &len)) == NULL)
		return 99;
	summary_write(s, &run, SUMMARY_JSON, f);
	fclose(f);
	if (strstr(buf, want_json) == NULL ||
	    strstr(buf, "\"suppressed\":1,\"duplicates\":4,") == NULL) {
		fprintf(stderr, "json: got\n%s\n", buf);
		failed = 1;
	}
	free(buf);
	summary_free(s);
	rule_set_free(rs);
	return failed;
}
