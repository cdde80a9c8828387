/* SPDX-License-Identifier: ISC */
/*
 * The registry of sinks, and the set of them a run delivers to.  The set
 * renders each finding once, keeps the alerts in one batch with the
 * digest threshold, and at the end gives every sink either the alerts or
 * the one digest, then reports what each delivered.
 */
#include "config.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert.h"
#include "buf.h"
#include "log.h"
#include "sink.h"
#include "source.h"
#include "xmalloc.h"

static const struct sink_ops *sink_table[] = {
	&sink_sns_ops,
	&sink_slack_ops,
	&sink_discord_ops,
	&sink_telegram_ops,
	NULL
};

struct sink_entry {
	const struct sink_ops	*ops;
	void			*priv;
	uint64_t		 delivered;	/* findings */
	size_t			 messages;	/* sent, digest included */
};

struct sink_set {
	struct sink_opts	 opts;
	struct sink_entry	*v;
	size_t			 n;
	struct alert_batch	 batch;
	uint64_t		 seq;
	int			 finished;
	int			 digest;	/* what finish sent */
	int64_t			 created;	/* monotonic ms */
};

static int64_t
sink_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Find a sink by name. */
const struct sink_ops *
sink_find(const char *name)
{
	size_t	 i;

	for (i = 0; sink_table[i] != NULL; i++)
		if (strcmp(sink_table[i]->name, name) == 0)
			return sink_table[i];
	return NULL;
}

/* An empty set; threshold is the digest threshold. */
struct sink_set *
sink_set_create(size_t threshold, const struct sink_opts *opts)
{
	struct sink_set	*ss;

	ss = xcalloc(1, sizeof *ss);
	ss->opts = *opts;
	if (ss->opts.dry_out == NULL)
		ss->opts.dry_out = stderr;
	alert_batch_init(&ss->batch, threshold);
	ss->created = sink_now_ms();
	return ss;
}

/* Open the sink a --notify spec names; see sink.h. */
int
sink_set_open(struct sink_set *ss, const char *spec, char **cause)
{
	const struct sink_ops	*ops;
	const char		*colon, *arg = NULL;
	char			*name, *why = NULL;
	void			*priv;
	size_t			 i;

	if ((colon = strchr(spec, ':')) != NULL) {
		name = xstrndup(spec, (size_t)(colon - spec));
		arg = colon + 1;
	} else
		name = xstrdup(spec);
	if ((ops = sink_find(name)) == NULL) {
		*cause = xprintf("%s: unknown sink (", name);
		for (i = 0; sink_table[i] != NULL; i++) {
			why = *cause;
			*cause = xprintf("%s%s%s", why, i > 0 ? ", " : "",
			    sink_table[i]->name);
			free(why);
		}
		why = *cause;
		*cause = xprintf("%s)", why);
		free(why);
		free(name);
		return -1;
	}
	free(name);
	if ((priv = ops->open(arg, &ss->opts, &why)) == NULL) {
		*cause = xprintf("%s: %s", ops->name, why);
		free(why);
		return -1;
	}
	ss->v = xreallocarray(ss->v, ss->n + 1, sizeof *ss->v);
	memset(&ss->v[ss->n], 0, sizeof *ss->v);
	ss->v[ss->n].ops = ops;
	ss->v[ss->n].priv = priv;
	ss->n++;
	return 0;
}

/* How many sinks are open. */
size_t
sink_set_count(const struct sink_set *ss)
{
	return ss != NULL ? ss->n : 0;
}

/* Render a finding now, while its record is alive, and keep it. */
void
sink_set_add(struct sink_set *ss, const struct finding *fd)
{
	if (ss == NULL || ss->n == 0)
		return;
	alert_batch_add(&ss->batch, alert_create(fd, ++ss->seq));
}

/* Send the alerts, or the digest, to every sink; see sink.h. */
/*
 * Give a sink the time left of the run deadline (the same moment as S3's
 * if an S3 source started its clock), or SINK_SEND_MS from now.
 */
static void
sink_set_deadline(const struct sink_set *ss, struct sink_entry *e)
{
	int64_t	 at;
	char	*why;

	if (ss->opts.run_deadline_ms > 0) {
		if ((at = source_s3_run_deadline()) == 0)
			at = ss->created + ss->opts.run_deadline_ms;
		why = xprintf("the run deadline of %lld s (--run-deadline) "
		    "passed", (long long)(ss->opts.run_deadline_ms / 1000));
	} else {
		at = sink_now_ms() + SINK_SEND_MS;
		why = xprintf("not delivered within the %d s a sink may take",
		    SINK_SEND_MS / 1000);
	}
	e->ops->deadline(e->priv, at, why);
	free(why);
}

size_t
sink_set_finish(struct sink_set *ss)
{
	struct sink_entry	*e;
	struct alert		*digest = NULL;
	struct alert *const	*v;
	uint64_t		 total, failed;
	size_t			 i, n, sent, nfailed = 0;
	char			*cause;

	if (ss == NULL || ss->finished)
		return 0;
	ss->finished = 1;
	total = ss->batch.total;
	if (total == 0)
		return 0;
	if (ss->batch.digest) {
		ss->digest = 1;
		digest = alert_digest(&ss->batch);
		v = &digest;
		n = 1;
	} else {
		v = ss->batch.v;
		n = ss->batch.n;
	}
	for (i = 0; i < ss->n; i++) {
		e = &ss->v[i];
		if (!ss->opts.dry_run && e->ops->deadline != NULL)
			sink_set_deadline(ss, e);
		cause = NULL;
		sent = e->ops->send(e->priv, v, n, &cause);
		e->messages = sent;
		e->delivered = ss->digest ? (sent == 1 ? total : 0) : sent;
		if (sent < n) {
			failed = total - e->delivered;
			diag(DIAG_ERROR, e->ops->name, 0, "%" PRIu64 " of %"
			    PRIu64 " findings not delivered: %s", failed,
			    total, cause != NULL ? cause : "unknown error");
			nfailed++;
		}
		free(cause);
	}
	alert_free(digest);
	return nfailed;
}

/* "delivery: sns 3 of 3 findings in 3 messages; slack ..." */
void
sink_set_summary(const struct sink_set *ss)
{
	struct buf	 b;
	size_t		 i;
	int		 rv = 0;

	if (ss == NULL || ss->n == 0)
		return;
	buf_init(&b, 64 * 1024);
	for (i = 0; i < ss->n; i++)
		rv |= buf_printf(&b, "%s%s %" PRIu64 " of %" PRIu64
		    " findings in %zu %s%s", i > 0 ? "; " : "",
		    ss->v[i].ops->name, ss->v[i].delivered, ss->batch.total,
		    ss->v[i].messages, ss->digest ? "digest" : "message",
		    ss->v[i].messages == 1 ? "" : "s");
	if (rv == -1)
		fatalx("delivery summary");
	diag(DIAG_NOTE, NULL, 0, "delivery%s: %s",
	    ss->opts.dry_run ? " (dry run, nothing sent)" : "", b.data);
	buf_clear(&b);
}

/* Close every sink (wiping their secrets) and free the set. */
void
sink_set_free(struct sink_set *ss)
{
	size_t	 i;

	if (ss == NULL)
		return;
	for (i = 0; i < ss->n; i++)
		ss->v[i].ops->close(ss->v[i].priv);
	free(ss->v);
	alert_batch_clear(&ss->batch);
	free(ss);
}
