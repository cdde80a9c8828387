/* SPDX-License-Identifier: ISC */
/*
 * The findings stage, between the rules and the outputs.  Each record
 * of each stream is placed in the time window, counted for the summary
 * and evaluated; each match is then suppressed by a Sigma filter,
 * noted for correlation, dropped if --state has seen it, counted for
 * the summary, written, and last handed to the sinks.  The order is the
 * contract: a suppressed match never counts for a correlation, a
 * duplicate still does, and nothing reaches a sink before the output.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "correlate.h"
#include "eventtime.h"
#include "gz.h"
#include "hash.h"
#include "log.h"
#include "output.h"
#include "record.h"
#include "rule.h"
#include "scan.h"
#include "sink.h"
#include "source.h"
#include "state.h"
#include "summary.h"
#include "verify.h"
#include "worker.h"
#include "xmalloc.h"

struct audit {
	struct rule_set		*rules;
	struct audit_opts	 opts;
	struct audit_stats	 stats;
	struct gz		*vgz;	/* --verify: digest files */
	char			*vbuf;
	struct worker_pool	*pool;		/* -j 2 or more */
	struct rule_tally	 tally;		/* the workers' */
};

/* A stream too long to read ahead: the bytes read, then the rest. */
struct audit_prefixed {
	struct stream		*inner;
	const char		*data;
	size_t			 len, off;
};

static void	audit_on_record(struct record *, void *);
static void	audit_on_match(const struct rule *, struct record *, void *);
static void	audit_on_corr(const struct rule *,
		    const struct corr_finding *, void *);
static void	audit_emit(struct audit *, const struct finding *);
static int	audit_corr_duplicate(struct audit *, const struct rule *,
		    const struct corr_finding *);
static void	audit_kept(struct audit *, const struct rule *,
		    struct record *);
static void	audit_carry_in(struct audit *);
static void	audit_carry_put(struct audit *, int, size_t, uint32_t, int64_t,
		    int64_t, uint64_t, const struct correlate_val *, size_t);
static void	audit_carry_out(size_t, uint32_t, int64_t, int64_t, uint64_t,
		    const struct correlate_val *, size_t, void *);
static void	audit_carry_tap(size_t, uint32_t, int64_t, uint64_t,
		    const struct correlate_val *, size_t, void *);
static void	audit_consume(struct audit *, struct worker_job *);
static void	audit_consume_done(void *);
static void	audit_replay(struct audit *, const struct worker_job *,
		    const struct worker_ev *);
static void	audit_drain(struct audit *);
static void	audit_path_pool(struct audit *, struct source *);
static ssize_t	audit_prefixed_read(struct stream *, void *, size_t,
		    char **);
static int	audit_duplicate(struct audit *, const struct rule *,
		    struct record *);

/* Create the stage; it borrows rs and every part in opts. */
struct audit *
audit_create(struct rule_set *rs, const struct audit_opts *opts)
{
	struct audit	*a;

	a = xcalloc(1, sizeof *a);
	a->rules = rs;
	a->opts = *opts;
	return a;
}

/* Free the stage (not its parts). */
void
audit_free(struct audit *a)
{
	if (a == NULL)
		return;
	gz_free(a->vgz);
	free(a->vbuf);
	free(a);
}

const struct audit_stats *
audit_stats(const struct audit *a)
{
	return &a->stats;
}

/* Output first, then the sinks: a finding sent is a finding written. */
static void
audit_emit(struct audit *a, const struct finding *f)
{
	a->opts.out_ops->write(a->opts.out, f);
	sink_set_add(a->opts.sinks, f);
	a->stats.findings[rule_level(f->rule)]++;
	a->stats.nfindings++;
}

static void
audit_on_match(const struct rule *r, struct record *rec, void *arg)
{
	struct audit		*a = arg;
	const struct rule	*filter;

	/* A match a Sigma filter accepts is no match, as pySigma has it. */
	if ((filter = rule_set_suppress(a->rules, r, rec)) != NULL) {
		a->stats.suppressed++;
		if (a->opts.summary != NULL)
			summary_suppressed(a->opts.summary, filter);
		return;
	}
	audit_kept(a, r, rec);
}

/* A match no filter suppressed, from correlation on. */
static void
audit_kept(struct audit *a, const struct rule *r, struct record *rec)
{
	struct finding	f;

	correlate_match(a->opts.corr, r, rec);
	if (!rule_generates(r))
		return;
	if (a->opts.state != NULL && audit_duplicate(a, r, rec))
		return;
	if (a->opts.summary != NULL)
		summary_finding(a->opts.summary, r, rec);
	f.rule = r;
	f.rec = rec;
	f.corr = NULL;
	audit_emit(a, &f);
}

/* A correlation finding, written and counted as any other. */
static void
audit_on_corr(const struct rule *r, const struct corr_finding *cf, void *arg)
{
	struct audit	*a = arg;
	struct finding	 f;

	if (a->opts.state != NULL && audit_corr_duplicate(a, r, cf))
		return;
	if (a->opts.summary != NULL)
		summary_finding(a->opts.summary, r, NULL);
	f.rule = r;
	f.rec = NULL;
	f.corr = cf;
	audit_emit(a, &f);
}

static void
audit_on_record(struct record *rec, void *arg)
{
	struct audit		*a = arg;

	if (worker_window_place(rec, a->opts.since, a->opts.until,
	    a->opts.timed, &a->stats.window) == -1)
		return;
	if (a->opts.summary != NULL)
		summary_record(a->opts.summary, rec);
	rule_set_eval(a->rules, rec, audit_on_match, a);
	if (a->opts.progress != NULL &&
	    (a->stats.scan.records + 1) % AUDIT_PROGRESS_EVERY == 0)
		a->opts.progress(&a->stats, 0, a->opts.progress_arg);
}

/* --state: 1 if this rule reported this event in this or an earlier run. */
static int
audit_duplicate(struct audit *a, const struct rule *r, struct record *rec)
{
	const struct rec_value	*root, *id, *t;
	int64_t			 ms = 0;

	if ((root = record_root(rec)) == NULL ||
	    (id = record_member(root, "eventID", 7)) == NULL ||
	    id->type != REC_STRING)
		return 0;	/* nothing to know it by: always report */
	if ((t = record_member(root, "eventTime", 9)) == NULL ||
	    t->type != REC_STRING ||
	    eventtime_parse(t->str, t->len, &ms) == -1)
		ms = 0;
	return state_seen(a->opts.state, rule_id(r), id->str, id->len, ms);
}

/*
 * --state: 1 if this correlation reported this window in this or an
 * earlier run.  A window is known by its group and first time, hashed
 * (values may hold NULs): a file read again after its matches made a
 * finding (one that failed half-way, one rewritten) makes that window
 * again, and it must not alert twice.
 */
static int
audit_corr_duplicate(struct audit *a, const struct rule *r,
    const struct corr_finding *cf)
{
	uint64_t	h = HASH_INIT;
	char		key[64];
	size_t		i;

	for (i = 0; i < cf->ngroupby; i++)
		h = correlate_hash(h, cf->values[i], cf->lens[i]);
	snprintf(key, sizeof key, "window:%016" PRIx64 ":%" PRId64, h,
	    cf->first);
	return state_seen(a->opts.state, rule_id(r), key, strlen(key),
	    cf->first);
}

/* Audit one stream and tell the state file whether it was read whole. */
int
audit_stream(struct audit *a, struct stream *st)
{
	char	hex[GZ_SHA256_HEX];
	int	rv;

	/* --verify: a digest is verify's to read; logs hash as they scan. */
	if (a->opts.verify != NULL && verify_is_digest(st->name)) {
		if (a->vgz == NULL) {
			a->vgz = gz_create();
			a->vbuf = xmalloc(VERIFY_READ_SIZE);
		}
		a->stats.scan.streams++;
		a->stats.scan.digests++;
		rv = verify_digest_stream(a->opts.verify, st, a->vgz, a->vbuf);
		if (rv == -1)
			a->stats.scan.streams_failed++;
	} else {
		scan_hash(a->opts.verify != NULL);
		rv = scan_stream(st, audit_on_record, a, &a->stats.scan);
		if (a->opts.verify != NULL && scan_hash_hex(hex) == 0 &&
		    rv == 0)
			(void)verify_add_log(a->opts.verify, st->name, hex);
	}
	/* Read to the end, or to be read again by the next run. */
	if (a->opts.state != NULL && !a->opts.hold)
		state_stream_done(a->opts.state, st->name, rv == 0);
	return rv;
}

/* Audit every stream one argument names. */
void
audit_path(struct audit *a, const char *path, const struct source_opts *sopts)
{
	struct source		*src;
	struct stream		*st;
	struct scan_stats	 before = a->stats.scan;
	uint64_t		 skipped, files, left = source_shard_left();
	char			*cause = NULL;
	size_t			 n;
	int			 rv;

	skipped = a->opts.state != NULL ?
	    state_stats(a->opts.state)->skipped : 0;

	if ((src = source_open(path, sopts, &cause)) == NULL) {
		/* diag() names the path: do not say it twice. */
		n = strlen(path);
		diag(DIAG_ERROR, path, 0, "%s", strncmp(cause, path, n) == 0 &&
		    strncmp(cause + n, ": ", 2) == 0 ? cause + n + 2 : cause);
		free(cause);
		a->stats.scan.streams++;
		a->stats.scan.streams_failed++;
		return;
	}
	if (a->pool != NULL) {
		audit_path_pool(a, src);
		goto done;
	}
	for (;;) {
		st = NULL;
		if ((rv = source_next(src, &st, &cause)) == 0)
			break;
		if (rv == -1) {
			/* st, if set, names the entry that failed. */
			diag(DIAG_ERROR, st != NULL ? st->name : NULL, 0, "%s",
			    cause);
			free(cause);
			cause = NULL;
			a->stats.scan.streams++;
			a->stats.scan.streams_failed++;
			continue;
		}
		audit_stream(a, st);
	}
done:
	source_close(src);

	/*
	 * Nothing to audit is no clean bill of health: an empty mirror, a
	 * wrong prefix or a tree of other files must not exit 0 from cron.
	 * Files that could not be read were reported already.  With a
	 * --state that has seen events, nothing new is --stale's to judge.
	 */
	if (a->opts.state != NULL &&
	    (state_stats(a->opts.state)->skipped != skipped ||
	    state_latest(a->opts.state) != 0))
		return;
	files = a->stats.scan.streams - before.streams;
	if (files == 0 && source_shard_left() != left)
		diag(DIAG_NOTE, path, 0, "nothing here is in shard %" PRIu32
		    "/%" PRIu32 ": other shards read it", sopts->shard.index,
		    sopts->shard.count);
	else if (files == 0)
		diag(DIAG_ERROR, path, 0, "no CloudTrail log files found");
	else if (a->stats.scan.records == before.records &&
	    a->stats.scan.records_skipped == before.records_skipped &&
	    a->stats.scan.streams_failed == before.streams_failed &&
	    a->stats.scan.digests == before.digests &&
	    a->stats.scan.insights == before.insights)
		diag(DIAG_ERROR, path, 0, "no CloudTrail events in %llu "
		    "file%s", (unsigned long long)files, files == 1 ? "" : "s");
}

/*
 * -j: list and read the streams here, in order, while the workers decode
 * them; take the results back in the same order and do with them what
 * audit_on_record() would have done, so the output is -j 1's.
 */
static void
audit_path_pool(struct audit *a, struct source *src)
{
	struct worker_job	*j;
	struct stream		*st, ps;
	struct audit_prefixed	 pp;
	char			*cause = NULL, *data;
	size_t			 len;
	int			 rv;

	for (;;) {
		j = worker_job_begin(a->pool);
		st = NULL;
		if ((rv = source_next(src, &st, &cause)) == 0) {
			worker_job_submit(a->pool, j);
			break;
		}
		if (rv == -1) {
			diag(DIAG_ERROR, st != NULL ? st->name : NULL, 0, "%s",
			    cause);
			free(cause);
			cause = NULL;
			j->failed = 1;
		} else if (worker_job_read(a->pool, j, st) == -1) {
			/* Too long to hold: here, once the rest is out. */
			data = worker_job_take(j, &len);
			worker_job_submit(a->pool, j);
			audit_drain(a);
			memset(&pp, 0, sizeof pp);
			pp.inner = st;
			pp.data = data;
			pp.len = len;
			memset(&ps, 0, sizeof ps);
			ps.name = st->name;
			ps.read = audit_prefixed_read;
			ps.priv = &pp;
			audit_stream(a, &ps);
			free(data);
			continue;
		}
		worker_job_submit(a->pool, j);
		while ((j = worker_job_next(a->pool,
		    worker_full(a->pool))) != NULL)
			audit_consume(a, j);
	}
	audit_drain(a);
}

/* Consume the jobs done, in order, up to the first that is not. */
static void
audit_consume_done(void *arg)
{
	struct audit		*a = arg;
	struct worker_job	*j;

	while ((j = worker_job_next(a->pool, 0)) != NULL)
		audit_consume(a, j);
}

/* Consume every job queued, in order. */
static void
audit_drain(struct audit *a)
{
	struct worker_job	*j;

	while ((j = worker_job_next(a->pool, 1)) != NULL)
		audit_consume(a, j);
}

static ssize_t
audit_prefixed_read(struct stream *s, void *buf, size_t len, char **cause)
{
	struct audit_prefixed	*pp = s->priv;
	size_t			 n;

	if (pp->off == pp->len)
		return pp->inner->read(pp->inner, buf, len, cause);
	n = pp->len - pp->off;
	if (n > len)
		n = len;
	memcpy(buf, pp->data + pp->off, n);
	pp->off += n;
	return (ssize_t)n;
}

/* One record's turn: the summary, then each match in the rules' order. */
static void
audit_replay(struct audit *a, const struct worker_job *j,
    const struct worker_ev *ev)
{
	const struct worker_match	*m;
	const struct rule		*filter;
	size_t				 i;

	if (a->opts.summary != NULL && ev->rec != NULL)
		summary_record(a->opts.summary, ev->rec);
	for (i = 0; i < ev->nmatch; i++) {
		m = &j->m[ev->first + i];
		if (m->filter >= 0) {
			filter = rule_set_filter_get(a->rules,
			    (size_t)m->filter);
			a->stats.suppressed++;
			if (a->opts.summary != NULL)
				summary_suppressed(a->opts.summary, filter);
			continue;
		}
		audit_kept(a, rule_set_get(a->rules, m->rule), ev->rec);
	}
}

/* A job's messages and records, as -j 1 would have had them. */
static void
audit_consume(struct audit *a, struct worker_job *j)
{
	struct scan_stats	*s = &a->stats.scan;
	const struct worker_ev	*ev;
	uint64_t		 before = s->records;
	size_t			 i;

	for (i = 0; i < j->pre.n; i++) {
		ev = &j->pre.v[i];
		diag(ev->level, ev->where, ev->line, "%s", ev->msg);
	}
	if (j->failed) {
		s->streams++;
		s->streams_failed++;
	}
	if (j->decode) {
		for (i = 0; i < j->evs.n; i++) {
			ev = &j->evs.v[i];
			if (i + 1 < j->evs.n)
				record_prefetch(j->evs.v[i + 1].rec);
			if (ev->type == WORKER_EV_DIAG)
				diag(ev->level, ev->where, ev->line, "%s",
				    ev->msg);
			else if (ev->type == WORKER_EV_RELIMIT)
				rule_set_re_limit(a->rules,
				    rule_set_get(a->rules, ev->first),
				    ev->where, ev->index);
			else
				audit_replay(a, j, ev);
		}
		s->streams += j->scan.streams;
		s->streams_failed += j->scan.streams_failed;
		s->records += j->scan.records;
		s->records_skipped += j->scan.records_skipped;
		s->digests += j->scan.digests;
		s->insights += j->scan.insights;
		s->repaired += j->scan.repaired;
		s->bytes_in += j->scan.bytes_in;
		s->bytes_json += j->scan.bytes_json;
		worker_window_add(&a->stats.window, &j->window);
		if (a->opts.state != NULL && !a->opts.hold)
			state_stream_done(a->opts.state, j->name, j->rv == 0);
		if (a->opts.progress != NULL && s->records /
		    AUDIT_PROGRESS_EVERY != before / AUDIT_PROGRESS_EVERY)
			a->opts.progress(&a->stats, 0, a->opts.progress_arg);
	}
	worker_job_free(a->pool, j);
}

/*
 * --state: give the engine the correlation matches the last run handed
 * on, before this run's.  Those of rules not loaded now are left out,
 * with a note: a run with other rules must not lose them silently.
 */
static void
audit_carry_in(struct audit *a)
{
	struct correlate		*e = a->opts.corr;
	const struct state_carry	*c;
	struct correlate_val		 v[STATE_CARRY_VALUES_MAX];
	size_t				 i, k, corr, n, left = 0;
	uint32_t			 slot;

	n = state_carry_count(a->opts.state);
	for (i = 0; i < n; i++) {
		c = state_carry_get(a->opts.state, i);
		if ((corr = correlate_find(e, c->corr)) == SIZE_MAX ||
		    c->nvals != correlate_nvalues(e, corr)) {
			left++;
			continue;
		}
		for (slot = 0; slot < correlate_nslots(e, corr); slot++) {
			if (strcmp(rule_id(correlate_named(e, corr, slot)),
			    c->named) == 0)
				break;
		}
		if (slot == correlate_nslots(e, corr)) {
			left++;
			continue;
		}
		for (k = 0; k < c->nvals; k++) {
			v[k].s = c->vals[k];
			v[k].len = c->lens[k];
		}
		correlate_replay(e, corr, slot, c->t, c->t0, c->id, v);
	}
	if (left > 0)
		diag(DIAG_NOTE, NULL, 0, "%zu correlation matches an earlier "
		    "run handed on belong to correlation rules not loaded "
		    "now; they are left out", left);
	a->stats.carried = n - left;
	state_carry_clear(a->opts.state);
}

/*
 * A match for the state: handed on to the next run (out), or, for the
 * stream being read, for its checkpoint in the journal.
 */
static void
audit_carry_put(struct audit *a, int out, size_t corr, uint32_t slot,
    int64_t t, int64_t t0, uint64_t id, const struct correlate_val *v,
    size_t n)
{
	const char	*vals[STATE_CARRY_VALUES_MAX], *cid, *named;
	size_t		 lens[STATE_CARRY_VALUES_MAX], i;

	for (i = 0; i < n; i++) {
		vals[i] = v[i].s;
		lens[i] = v[i].len;
	}
	cid = rule_id(correlate_rule(a->opts.corr, corr));
	named = rule_id(correlate_named(a->opts.corr, corr, slot));
	if (out)
		state_carry_add(a->opts.state, t, t0, id, cid, named, vals,
		    lens, n);
	else
		state_carry_pend(a->opts.state, t, id, cid, named, vals, lens,
		    n);
}

static void
audit_carry_out(size_t corr, uint32_t slot, int64_t t, int64_t t0,
    uint64_t id, const struct correlate_val *v, size_t n, void *arg)
{
	audit_carry_put(arg, 1, corr, slot, t, t0, id, v, n);
}

static void
audit_carry_tap(size_t corr, uint32_t slot, int64_t t, uint64_t id,
    const struct correlate_val *v, size_t n, void *arg)
{
	struct audit	*a = arg;

	/* Every match comes here: no copies when nothing is journaled. */
	if (state_carry_journaling(a->opts.state))
		audit_carry_put(a, 0, corr, slot, t, t, id, v, n);
}

/*
 * The input is not in time order: windows are closed at the end.  With
 * --state, the matches a window still open could take are handed on,
 * from the newest eventTime this run or an earlier one saw (but no later
 * than a day ahead of the clock: state_clamp_time()).
 */
void
audit_finish(struct audit *a)
{
	int64_t	newest;

	correlate_finish(a->opts.corr, audit_on_corr, a);
	if (!a->opts.carry || a->opts.corr == NULL)
		return;
	newest = state_latest(a->opts.state);
	if (a->stats.window.latest > newest)
		newest = a->stats.window.latest;
	a->stats.carried_out = correlate_carry(a->opts.corr,
	    state_clamp_time(a->opts.state, newest), CORRELATE_CARRY_SLACK,
	    audit_carry_out, a);
}

/* Audit every path in order, then close the correlation windows. */
void
audit_run(struct audit *a, const char *const *paths, size_t npaths,
    const struct source_opts *sopts)
{
	struct worker_opts	wopts;
	size_t			i;

	if (a->opts.carry)
		audit_carry_in(a);
	if (a->opts.carry && a->opts.corr != NULL)
		correlate_set_tap(a->opts.corr, audit_carry_tap, a);
	/* --verify hashes on the thread that scans: it keeps to one. */
	if (a->opts.jobs > 1 && a->opts.verify == NULL) {
		memset(&wopts, 0, sizeof wopts);
		wopts.n = a->opts.jobs;
		wopts.since = a->opts.since;
		wopts.until = a->opts.until;
		wopts.timed = a->opts.timed;
		wopts.all = a->opts.summary != NULL;
		wopts.ropts = a->opts.ropts;
		wopts.rulepaths = a->opts.rulepaths;
		wopts.nrulepaths = a->opts.nrulepaths;
		wopts.rules = a->rules;
		wopts.corr = a->opts.corr;
		wopts.consume = audit_consume_done;
		wopts.arg = a;
		a->pool = worker_pool_create(&wopts);
	}
	for (i = 0; i < npaths; i++)
		audit_path(a, paths[i], sopts);
	if (a->opts.verify != NULL)
		verify_finish(a->opts.verify, audit_on_record, a);
	if (a->pool != NULL) {
		worker_pool_free(a->pool, &a->tally);
		a->pool = NULL;
	}
	if (a->opts.progress != NULL)
		a->opts.progress(&a->stats, 1, a->opts.progress_arg);
	audit_finish(a);
}

/*
 * End the run in the order that keeps the state honest: close the output
 * (and outf, unless it is stdout), deliver to the sinks, and save the
 * state only if nothing failed since.  Return how many alerts were not
 * delivered.
 */
size_t
audit_commit(struct audit *a, FILE *outf, const char *outname,
    const char *statepath)
{
	struct state	*st = a->opts.state;
	unsigned long	 errors;
	size_t		 undelivered;
	char		*cause = NULL;

	errors = diag_count(DIAG_ERROR);
	if (a->opts.out_ops->close(a->opts.out) == -1 ||
	    fflush(outf) == EOF || ferror(outf) ||
	    (outf != stdout && fclose(outf) == EOF)) {
		/* Findings lost are not an input problem: status 4. */
		diag(DIAG_ERROR, outname, 0, "write error: %s; findings not "
		    "written%s", strerror(errno),
		    st != NULL ? ", state not saved" : "");
		a->stats.out_failed = 1;
	}
	undelivered = sink_set_finish(a->opts.sinks);
	/* The output failed: write it all again, checkpoints or not. */
	if (st != NULL && diag_count(DIAG_ERROR) != errors)
		state_journal_drop(st);
	/*
	 * The state moves on only once the findings it covers are written
	 * and, with sinks, delivered (sink_set_finish() above): a write or
	 * delivery error since the output was closed keeps the old state,
	 * so the next run audits and reports the same again (dedup pairs
	 * of this run are not saved either).
	 */
	if (st != NULL)
		state_latest_add(st, a->stats.window.latest);
	if (st != NULL && undelivered == 0 &&
	    diag_count(DIAG_ERROR) == errors &&
	    state_save(st, &cause) == -1) {
		diag(DIAG_ERROR, statepath, 0, "state file not saved: %s",
		    cause);
		free(cause);
	}
	return undelivered;
}

/*
 * The --stale error, the closing notes, the --summary report to sout, the
 * sinks' tallies.  -1 if the report could not be written to stdout.
 */
int
audit_report(const struct audit *a, enum summary_format fmt, FILE *sout)
{
	const struct audit_stats	*as = &a->stats;
	const struct scan_stats		*s = &as->scan;
	const struct state_stats	*ss = NULL;
	const struct rule_set_stats	*rs = rule_set_stats(a->rules);
	struct summary_run		 srun;
	struct rule_tally		 tally = a->tally;
	char				 tbuf[EVENTTIME_BUFSIZE];
	int64_t				 latest = as->window.latest;
	int				 rv = 0;

	if (a->opts.state != NULL)
		ss = state_stats(a->opts.state);
	rule_set_tally(a->rules, &tally);
	/* After the save: an old newest event is news, not a failure. */
	if (a->opts.state != NULL && state_latest(a->opts.state) > latest)
		latest = state_latest(a->opts.state);
	if (a->opts.stale_cut != 0 && latest != 0 &&
	    latest < a->opts.stale_cut) {
		eventtime_format(latest, tbuf, sizeof tbuf);
		diag(DIAG_ERROR, NULL, 0, "stale: the newest event is from "
		    "%s, older than --stale %s: are logs still arriving?",
		    tbuf, a->opts.stale != NULL ? a->opts.stale : "");
	}
	if (a->opts.hold)
		diag(DIAG_WARN, NULL, 0, "%zu rule%s rejected did not run "
		    "(in %s)%s", rs->rejected, rs->rejected == 1 ? "" : "s",
		    a->opts.held != NULL ? a->opts.held : "?",
		    a->opts.state != NULL ? "; the next run reads this "
		    "input again" : "");
	/*
	 * What did not run, and why: coverage is part of the result.  Only
	 * when some rule did not run, so that adding a bundled rule does not
	 * change every run's messages (--summary always has the counts).
	 */
	if (rs->rejected != 0 || rs->other_logsource != 0 || rs->filtered != 0)
		diag(DIAG_NOTE, NULL, 0, "rules: %zu loaded, %zu rejected, "
		    "%zu not for CloudTrail (skipped), %zu left out by "
		    "--min-level, --rule-id, --tag or --status, %zu filters",
		    rs->loaded, rs->rejected, rs->other_logsource,
		    rs->filtered, rule_set_nfilters(a->rules));
	if (a->opts.since != 0 || a->opts.until != 0)
		diag(DIAG_NOTE, NULL, 0, "%llu records and %llu insights "
		    "events outside the time window, %llu without a usable "
		    "eventTime (audited)",
		    (unsigned long long)as->window.outside,
		    (unsigned long long)as->window.outside_insights,
		    (unsigned long long)as->window.untimed);
	diag(DIAG_NOTE, NULL, 0, "summary: %llu files (%llu incomplete), "
	    "%llu records (%llu skipped, %llu repaired), %llu digest files, "
	    "%llu insights events, %llu findings (critical %llu, high %llu, "
	    "medium %llu, low %llu, informational %llu)",
	    (unsigned long long)s->streams,
	    (unsigned long long)s->streams_failed,
	    (unsigned long long)s->records,
	    (unsigned long long)s->records_skipped,
	    (unsigned long long)s->repaired,
	    (unsigned long long)s->digests,
	    (unsigned long long)s->insights,
	    (unsigned long long)as->nfindings,
	    (unsigned long long)as->findings[RULE_CRITICAL],
	    (unsigned long long)as->findings[RULE_HIGH],
	    (unsigned long long)as->findings[RULE_MEDIUM],
	    (unsigned long long)as->findings[RULE_LOW],
	    (unsigned long long)as->findings[RULE_INFORMATIONAL]);
	if (tally.re_limits > 0)
		diag(DIAG_NOTE, NULL, 0, "summary: %llu rule evaluations had "
		    "a regular expression stopped at PCRE2's match limit "
		    "(counted as no match)",
		    (unsigned long long)tally.re_limits);
	/*
	 * Rules that only data events can match are blind on a trail that
	 * does not log them, the default: say so, rather than let an empty
	 * result read as a clean one.
	 */
	if (rs->data_only > 0 && s->records > 0 && tally.data_events == 0)
		diag(DIAG_NOTE, NULL, 0, "rules: %zu rule%s match only data "
		    "events (S3 object calls, Lambda invocations, DynamoDB "
		    "items) and none of the %llu records is one: a trail logs "
		    "them only if its event selectors ask",
		    rs->data_only, rs->data_only == 1 ? "" : "s",
		    (unsigned long long)s->records);
	if (ss != NULL || as->suppressed != 0)
		diag(DIAG_NOTE, NULL, 0, "%llu files already audited, %llu "
		    "matches suppressed by filters, %llu duplicate findings "
		    "not reported",
		    (unsigned long long)(ss != NULL ? ss->skipped : 0),
		    (unsigned long long)as->suppressed,
		    (unsigned long long)(ss != NULL ? ss->duplicates : 0));
	if (as->carried != 0 || as->carried_out != 0)
		diag(DIAG_NOTE, NULL, 0, "correlation: %llu matches taken "
		    "over from the last run, %llu handed on to the next",
		    (unsigned long long)as->carried,
		    (unsigned long long)as->carried_out);
	if (a->opts.summary != NULL) {
		memset(&srun, 0, sizeof srun);
		srun.files = s->streams;
		srun.files_failed = s->streams_failed;
		srun.records = s->records;
		srun.data_events = tally.data_events;
		srun.rules = rs->loaded;
		srun.rules_rejected = rs->rejected;
		srun.rules_other = rs->other_logsource;
		srun.rules_left_out = rs->filtered;
		srun.rules_data_only = rs->data_only;
		srun.filters = rule_set_nfilters(a->rules);
		if (ss != NULL) {
			srun.files_skipped = ss->skipped;
			srun.duplicates = ss->duplicates;
		}
		summary_write(a->opts.summary, &srun, fmt, sout);
		if (fflush(stdout) == EOF) {
			diag(DIAG_ERROR, "<stdout>", 0, "write error: %s",
			    strerror(errno));
			if (sout == stdout)
				rv = -1;
		}
	}
	sink_set_summary(a->opts.sinks);
	return rv;
}
