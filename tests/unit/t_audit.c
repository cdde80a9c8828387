/* SPDX-License-Identifier: ISC */
/*
 * Tests of the findings stage: the order suppress -> correlate -> dedup
 * -> summary -> output.  Two streams go through audit_stream() (the
 * second repeats an event of the first and brings one an earlier run
 * reported, as its state file says), with a rule that generates
 * findings, a correlation over it, a filter and the state file; the
 * findings written and the counts must be exactly these.  A filter that
 * came after correlation would count the filtered event; dedup before
 * correlation would not count the event reported earlier; a correlation
 * that counted the repeat twice would count three.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "correlate.h"
#include "log.h"
#include "output.h"
#include "record.h"
#include "rule.h"
#include "sigma.h"
#include "source.h"
#include "state.h"
#include "summary.h"
#include "xmalloc.h"

#define RULE(id, more) "title: rule " id "\nid: " id "\nname: " id "\n" \
		"logsource:\n  product: aws\n  service: cloudtrail\n" more \
		"detection:\n  sel:\n    eventName: Run\n" \
		"  condition: sel\n---\n"

static const char rules[] =
    RULE("gen", "")
    "title: hush\nid: hush\n"
    "logsource:\n  product: aws\n  service: cloudtrail\n"
    "filter:\n  rules: [gen]\n  sel:\n    k: skip\n"
    "  condition: sel\n---\n"
    "title: corr\nid: corr\ncorrelation:\n  type: event_count\n"
    "  rules: [gen]\n  timespan: 1h\n  condition: {gte: 2}\n"
    "  generate: true\n";

#define REC(id, s, more) "{\"eventTime\":\"2024-03-12T00:00:0" s "Z\"," \
		"\"eventID\":\"" id "\",\"eventName\":\"Run\"" more "}"

/* The second stream delivers e1 again, as CloudTrail may, and e3. */
static const char *const streams[] = {
	"{\"Records\":[" REC("e1", "1", "") "," REC("e2", "2", ",\"k\":\"skip\"")
	    "]}",
	"{\"Records\":[" REC("e1", "1", "") "," REC("e3", "3", "") "]}",
};

/* An earlier run reported e3. */
static const char state_file[] = "ctaudit-state 1\n"
    "seen 1710201603000 gen e3\n"
    "end 1\n";

/*
 * What the stage must write: not the repeat, the filtered match or e3;
 * the correlation counts e1 once and e3.
 */
static const char want[] = "gen:e1 corr:2 ";

struct mem_stream {
	struct stream	 s;
	const char	*p;
	size_t		 len;
};

static ssize_t
mem_read(struct stream *s, void *buf, size_t len, char **cause)
{
	struct mem_stream	*m = (struct mem_stream *)s;

	(void)cause;
	if (len > m->len)
		len = m->len;
	memcpy(buf, m->p, len);
	m->p += len;
	m->len -= len;
	return (ssize_t)len;
}

/* An output that notes each finding as "rule:eventID" or "rule:events". */
static void *
rec_open(FILE *f, const struct output_opts *oo)
{
	(void)f;
	(void)oo;
	return xcalloc(1, 256);
}

static void
rec_write(void *priv, const struct finding *f)
{
	char		*got = priv, item[64];
	const char	*id;

	if (f->corr != NULL)
		snprintf(item, sizeof item, "%s:%llu ", rule_id(f->rule),
		    (unsigned long long)f->corr->events);
	else {
		id = record_string(f->rec, "eventID");
		snprintf(item, sizeof item, "%s:%s ", rule_id(f->rule),
		    id != NULL ? id : "-");
	}
	if (strlen(got) + strlen(item) < 256)
		strcat(got, item);
}

static int
rec_close(void *priv)
{
	(void)priv;
	return 0;
}

static const struct output_ops rec_ops = {
	.name = "record",
	.open = rec_open,
	.write = rec_write,
	.close = rec_close,
};

int
main(void)
{
	struct audit_opts		 opts;
	struct state_opts		 sopts;
	struct rule_set			*rs;
	struct audit			*a;
	struct mem_stream		 m;
	const struct audit_stats	*as;
	char				 dir[] = "/tmp/t_audit.XXXXXX";
	char				*path, *cause = NULL, *where = NULL;
	char				*got;
	FILE				*f;
	unsigned long			 line;
	size_t				 i;
	int				 busy, failed = 0;

	diag_init("ctaudit");
	diag_set_quiet(1);
	if (mkdtemp(dir) == NULL)
		return 99;
	path = xprintf("%s/state", dir);
	if ((f = fopen(path, "w")) == NULL ||
	    fputs(state_file, f) == EOF || fclose(f) == EOF)
		return 99;

	rs = rule_set_create(NULL);
	if (rule_set_load_buffer(rs, "t.yml", rules, strlen(rules)) == -1)
		return 99;
	rule_set_filters_resolve(rs);

	memset(&opts, 0, sizeof opts);
	memset(&sopts, 0, sizeof sopts);
	sopts.now_ms = 1710201600000LL;		/* 2024-03-12 */
	if ((opts.state = state_open(path, &sopts, &busy, &where, &line,
	    &cause)) == NULL) {
		fprintf(stderr, "state: %s\n", cause);
		return 99;
	}
	opts.corr = correlate_create(rs, NULL);
	opts.summary = summary_create(SUMMARY_TOP, SUMMARY_WIDTH);
	opts.out_ops = &rec_ops;
	opts.out = got = rec_ops.open(stdout, NULL);
	a = audit_create(rs, &opts);
	for (i = 0; i < sizeof streams / sizeof streams[0]; i++) {
		memset(&m, 0, sizeof m);
		m.s.name = "mem";
		m.s.read = mem_read;
		m.p = streams[i];
		m.len = strlen(streams[i]);
		if (audit_stream(a, &m.s) != 0) {
			fprintf(stderr, "stream %zu not read whole\n", i);
			failed = 1;
		}
	}
	audit_finish(a);

	as = audit_stats(a);
	if (strcmp(got, want) != 0) {
		fprintf(stderr, "findings: got '%s', want '%s'\n", got, want);
		failed = 1;
	}
	if (as->scan.records != 4 || as->suppressed != 1 ||
	    as->nfindings != 2 || state_stats(opts.state)->duplicates != 2) {
		fprintf(stderr, "counts: records %llu, suppressed %llu, "
		    "findings %llu, duplicates %llu; want 4, 1, 2, 2\n",
		    (unsigned long long)as->scan.records,
		    (unsigned long long)as->suppressed,
		    (unsigned long long)as->nfindings,
		    (unsigned long long)state_stats(opts.state)->duplicates);
		failed = 1;
	}

	audit_free(a);
	free(got);
	summary_free(opts.summary);
	correlate_free(opts.corr);
	state_free(opts.state);
	rule_set_free(rs);
	unlink(path);
	free(path);
	path = xprintf("%s/state.lock", dir);
	unlink(path);
	free(path);
	rmdir(dir);
	return failed;
}
