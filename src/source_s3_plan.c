/* SPDX-License-Identifier: ISC */
/*
 * The listing planner of the S3 source: the stack of listings still to
 * do, walked depth first over CloudTrail's layout (s3_list.c names the
 * levels), the ListObjectsV2 requests run ahead of the reader in the
 * shared multi handle, and the judging of each page or error once its
 * task is on top.  Listed keys go to the queue that source_s3_xfer.c
 * starts transfers from; see source_s3.c for the whole design.
 */
#include "config.h"

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "aws_cred.h"
#include "buf.h"
#include "forms.h"
#include "http.h"
#include "log.h"
#include "s3.h"
#include "sigv4.h"
#include "source.h"
#include "source_s3_int.h"
#include "state.h"
#include "xmalloc.h"

/* Push a listing; the task is returned for more settings. */
struct source_s3_task *
source_s3_push(struct source_s3 *s, enum source_s3_kind kind,
    enum s3_level level, char *prefix, int filter)
{
	struct source_s3_task	*t;

	if (s->ntasks == s->tasksize) {
		s->tasksize = s->tasksize == 0 ? 16 : s->tasksize * 2;
		s->tasks = xreallocarray(s->tasks, s->tasksize,
		    sizeof *s->tasks);
	}
	t = &s->tasks[s->ntasks++];
	memset(t, 0, sizeof *t);
	t->kind = kind;
	t->level = level;
	t->prefix = prefix;		/* the task owns it */
	t->filter = filter;
	return t;
}

static void
source_s3_task_clear(struct source_s3 *s, struct source_s3_task *t)
{
	source_s3_lop_free(s, t->op);
	free(t->prefix);
	free(t->token);
	free(t->start_after);
	free(t->stop);
	free(t->fallback);
	free(t->scope);
}

void
source_s3_pop(struct source_s3 *s)
{
	source_s3_task_clear(s, &s->tasks[--s->ntasks]);
}

/* Whether a key, or a day prefix, is --shard's to read (source.c). */
static int
source_s3_in_shard(const struct source_s3 *s, const char *key)
{
	size_t	 n = strlen(key);

	return source_shard_keep(&s->shard, key, key + (n > s->rootlen ?
	    s->rootlen : 0));
}

/*
 * Push the listing of a day prefix (the task owns it) of a region, unless
 * it is another shard's or, by --state's mark in the region (what an
 * earlier run read up to, in key order), read before.  With --state, the
 * region is the listing's scope.
 */
static void
source_s3_plan_day(struct source_s3 *s, const char *region, const char *mark,
    char *prefix)
{
	struct source_s3_task	*t;
	size_t			 len;

	if (!source_s3_in_shard(s, prefix)) {
		free(prefix);
		return;
	}
	t = source_s3_push(s, SOURCE_S3_LIST, S3_LEVEL_DATE, prefix, 1);
	if (s->state == NULL)
		return;
	t->scope = xstrdup(region);
	len = strlen(t->prefix);
	if (mark == NULL || strcmp(mark, t->prefix) < 0)
		return;
	if (strncmp(mark, t->prefix, len) == 0)
		t->start_after = xstrdup(mark);
	else
		source_s3_pop(s);	/* all read before */
}

/*
 * Plan a region directory: its day prefixes (pushed last first), or one
 * listing of it, bounded by the window's days where it has them.  With
 * --shard and no window of days, its years, months and days are walked
 * with the delimiter instead, so that a shard lists only its own days:
 * a few more requests (one a month) than one listing of the region, and
 * a 1/N share of its pages.
 */
static void
source_s3_plan_region(struct source_s3 *s, const char *region)
{
	struct source_s3_task	*t;
	char			 day[S3_LIST_DAY_LEN + 1];
	const char		*mark = NULL;
	int64_t			 d;
	size_t			 len;

	/* --state: what an earlier run read up to, in key order. */
	if (s->state != NULL)
		mark = state_s3_start_after(s->state, s->bucket, region);
	if (s->has_window && s->win.days) {
		for (d = s->win.last_day; d >= s->win.first_day; d--) {
			s3_list_day(d, day);
			source_s3_plan_day(s, region, mark,
			    xprintf("%s%s", region, day));
		}
		return;
	}
	if (s->shard.count > 1) {
		t = source_s3_push(s, SOURCE_S3_DISCOVER, S3_LEVEL_DATE,
		    xstrdup(region), 1);
		if (s->state != NULL)
			t->scope = xstrdup(region);	/* keys beside dates */
		return;
	}
	t = source_s3_push(s, SOURCE_S3_LIST, S3_LEVEL_REGION,
	    xstrdup(region), 1);
	if (s->has_window && s->win.has_first) {
		s3_list_day(s->win.first_day, day);
		t->start_after = xprintf("%s%s", region, day);
		len = strlen(t->start_after);
		t->start_after[len - 1] = '\0';	/* before "DD/" keys */
	}
	if (s->state != NULL) {
		t->scope = xstrdup(region);
		if (mark != NULL && (t->start_after == NULL ||
		    strcmp(mark, t->start_after) > 0)) {
			free(t->start_after);
			t->start_after = xstrdup(mark);
		}
	}
	if (s->has_window && s->win.has_last) {
		s3_list_day(s->win.last_day, day);
		t->stop = xprintf("%s%s", region, day);
		len = strlen(t->stop);
		t->stop[len - 1] = '0';		/* just after "DD/" keys */
	}
}

/* Queue the tasks for a directory the walk has reached. */
void
source_s3_plan(struct source_s3 *s, enum s3_level level, const char *prefix)
{
	struct source_s3_task	*t;
	const char		*mark;

	switch (level) {
	case S3_LEVEL_ROOT:
	case S3_LEVEL_ORG:
	case S3_LEVEL_SERVICE:
		source_s3_push(s, SOURCE_S3_DISCOVER, level, xstrdup(prefix),
		    0);
		break;
	case S3_LEVEL_ACCOUNT:
		/*
		 * CloudTrail/, GuardDuty/ when a rule reads findings,
		 * CloudTrail-Insight/ when a rule reads Insights events and
		 * CloudTrail-Digest/ when verifying.  The stack: pushed
		 * last, read first.
		 */
		if (s->digests)
			source_s3_push(s, SOURCE_S3_DISCOVER, S3_LEVEL_SERVICE,
			    xprintf("%sCloudTrail-Digest/", prefix), 0);
		if (s->forms & FORMS_INSIGHT)
			source_s3_push(s, SOURCE_S3_DISCOVER, S3_LEVEL_SERVICE,
			    xprintf("%sCloudTrail-Insight/", prefix), 0);
		if (s->forms & FORMS_GUARDDUTY)
			source_s3_push(s, SOURCE_S3_DISCOVER, S3_LEVEL_SERVICE,
			    xprintf("%sGuardDuty/", prefix), 0);
		if (s->forms & FORMS_CLOUDTRAIL)
			source_s3_push(s, SOURCE_S3_DISCOVER, S3_LEVEL_SERVICE,
			    xprintf("%sCloudTrail/", prefix), 0);
		break;
	case S3_LEVEL_REGION:
		source_s3_plan_region(s, prefix);
		break;
	case S3_LEVEL_DATE:
	case S3_LEVEL_NONE:
		t = source_s3_push(s, SOURCE_S3_LIST, level, xstrdup(prefix),
		    1);
		if (s->state != NULL) {
			t->scope = xstrdup(prefix);
			if ((mark = state_s3_start_after(s->state, s->bucket,
			    prefix)) != NULL)
				t->start_after = xstrdup(mark);
		}
		break;
	}
}

/* A listing has ended: rv 0 and op->pg, or -1 or -2 and cause. */
static void
source_s3_lop_done(struct source_s3_lop *op, int rv, char *cause)
{
	op->state = SOURCE_S3_DONE;
	op->rv = rv;
	op->cause = cause;
	aws_cred_clear(&op->cred);
	http_call_free(op->call);
	op->call = NULL;
	http_response_clear(&op->rs);
}

/* Run the next try of a listing's request. */
void
source_s3_lop_try(struct source_s3 *s, struct source_s3_lop *op)
{
	char	*why = NULL;

	if (http_call_try(op->call, op->h, &why) == -1) {
		source_s3_lop_done(op, -2, xprintf("s3://%s/%s: listing: %s",
		    s->bucket, op->where, why));
		free(why);
		return;
	}
	if (curl_multi_add_handle(s->multi, op->h) != CURLM_OK)
		fatalx("curl_multi_add_handle failed");
	op->state = SOURCE_S3_RUN;
	op->expired = 0;
	op->deadline_at = source_s3_now() + s->object_ms;
}

/* End a listing that has not, with cause (taken). */
void
source_s3_lop_stop(struct source_s3 *s, struct source_s3_lop *op,
    char *cause)
{
	if (op->state == SOURCE_S3_RUN)
		curl_multi_remove_handle(s->multi, op->h);
	source_s3_lop_done(op, -2, cause);
}

/* Send a listing's request, to the bucket's endpoint as now known. */
static void
source_s3_lop_call(struct source_s3 *s, struct source_s3_lop *op)
{
	char	*why = NULL;

	aws_cred_clear(&op->cred);
	if (aws_cred_get(s->chain, &op->cred, &why) == -1) {
		source_s3_lop_done(op, -2, xprintf("s3://%s/%s: "
		    "credentials: %s", s->bucket, op->where, why));
		free(why);
		return;
	}
	free(op->url);
	op->url = xprintf("%s/?%s", s->endpoint, op->query);
	free(op->region);
	op->region = xstrdup(s->region);
	memset(&op->rq, 0, sizeof op->rq);
	op->rq.method = "GET";
	op->rq.url = op->url;
	aws_cred_sigv4(&op->cred, &op->sc);
	op->rq.cred = &op->sc;
	op->rq.region = op->region;
	op->rq.service = "s3";
	op->rq.sigv4_flags = SIGV4_S3;
	op->rq.payload_hash = SIGV4_EMPTY_SHA256;
	op->rq.body_max = BUF_LISTING_MAX;
	http_response_clear(&op->rs);
	http_response_init(&op->rs);
	http_call_free(op->call);
	op->call = http_call_create(s->http, &op->rq, &op->rs);
	source_s3_lop_try(s, op);
}

/* Start the listing of a task. */
static void
source_s3_lop_start(struct source_s3 *s, struct source_s3_task *t)
{
	struct source_s3_lop	*op;
	struct buf		 q;
	char			*e;

	buf_init(&q, SIZE_MAX / 2);
	e = sigv4_uri_encode(t->prefix, strlen(t->prefix), 0);
	if (buf_printf(&q, "list-type=2&prefix=%s", e) == -1)
		fatalx("listing query");
	free(e);
	if (t->kind == SOURCE_S3_DISCOVER &&
	    buf_printf(&q, "&delimiter=%%2F") == -1)
		fatalx("listing query");
	if (t->token != NULL) {
		e = sigv4_uri_encode(t->token, strlen(t->token), 0);
		if (buf_printf(&q, "&continuation-token=%s", e) == -1)
			fatalx("listing query");
		free(e);
	} else if (t->start_after != NULL) {
		e = sigv4_uri_encode(t->start_after, strlen(t->start_after),
		    0);
		if (buf_printf(&q, "&start-after=%s", e) == -1)
			fatalx("listing query");
		free(e);
	}

	op = xcalloc(1, sizeof *op);
	op->query = xstrdup(q.data);
	buf_clear(&q);
	/* Name what the user asked for, not the probe below it. */
	op->where = xstrdup(t->fallback != NULL ? t->fallback : t->prefix);
	op->prefix = xstrdup(t->prefix);
	http_response_init(&op->rs);
	if ((op->h = curl_easy_init()) == NULL)
		fatalx("curl_easy_init failed");
	if (s->nlops == nitems(s->lops))
		fatalx("more listings than SOURCE_S3_LISTS + 1");
	s->lops[s->nlops++] = op;
	t->op = op;
	source_s3_lop_call(s, op);
}

/* A try of a listing has ended: judge the answer as a page or an error. */
void
source_s3_lop_end(struct source_s3 *s, struct source_s3_lop *op,
    CURLcode rc)
{
	struct http_response	*rs = &op->rs;
	char			*why = NULL, *region, *code;
	char			 hregion[SIGV4_SCOPE_MAX + 1];
	unsigned		 wait;
	long			 status;

	curl_multi_remove_handle(s->multi, op->h);
	switch (http_call_end(op->call, rc, &wait, &why)) {
	case 0:
		op->state = SOURCE_S3_WAIT;
		op->retry_at = source_s3_now() + wait;
		return;
	case -1:
		if (op->expired) {
			/* Cut by source_s3_deadlines(), not by curl. */
			free(why);
			why = xprintf("no whole answer within the object "
			    "deadline of %lld s (--object-deadline), %d times",
			    (long long)(s->object_ms / 1000), rs->attempts);
		}
		source_s3_lop_done(op, -2, xprintf("s3://%s/%s: listing: %s",
		    s->bucket, op->where, why));
		free(why);
		return;
	}
	if (rs->status == 200) {
		if (s3_xml_page(rs->body.data, rs->body.len, &op->pg,
		    &why) == -1) {
			source_s3_lop_done(op, -1, xprintf("s3://%s/%s: %s",
			    s->bucket, op->prefix, why));
			free(why);
		} else
			source_s3_lop_done(op, 0, NULL);
		return;
	}
	status = rs->status;
	if (http_response_header(rs, "x-amz-bucket-region", hregion,
	    sizeof hregion) == NULL)
		hregion[0] = '\0';
	why = source_s3_describe(status, rs->body.data, rs->body.len,
	    hregion, &region, &code);
	if (!op->redirected && region != NULL &&
	    (status == 301 || status == 400) &&
	    source_s3_region_ok(region) && strcmp(region, op->region) != 0) {
		/* Another listing may have moved there already. */
		if (strcmp(region, s->region) != 0)
			source_s3_set_region(s, region);
		op->redirected = 1;
		free(region);
		free(code);
		free(why);
		source_s3_lop_call(s, op);
		return;
	}
	source_s3_lop_done(op, source_s3_fatal_code(code) || status == 301 ?
	    -2 : -1, xprintf("s3://%s/%s: %s", s->bucket, op->where, why));
	free(region);
	free(code);
	free(why);
}

void
source_s3_lop_free(struct source_s3 *s, struct source_s3_lop *op)
{
	size_t	 i;

	if (op == NULL)
		return;
	if (op->state == SOURCE_S3_RUN)
		curl_multi_remove_handle(s->multi, op->h);
	for (i = 0; i < s->nlops; i++) {
		if (s->lops[i] == op) {
			s->lops[i] = s->lops[--s->nlops];
			break;
		}
	}
	curl_easy_cleanup(op->h);
	http_call_free(op->call);
	aws_cred_clear(&op->cred);
	http_response_clear(&op->rs);
	s3_page_clear(&op->pg);
	free(op->query);
	free(op->url);
	free(op->region);
	free(op->where);
	free(op->prefix);
	free(op->cause);
	free(op);
}

/*
 * Start listings ahead of the reader: always the one on top of the stack
 * (everything waits for it), and below it up to SOURCE_S3_LISTS in all
 * while fewer than SOURCE_S3_AHEAD keys are queued, so that the next
 * pages are there when the queue runs out.  They wait, though, while
 * nothing at all is being read (the reader waits for the top one alone),
 * and while at least jobs keys are queued and an object is still on its
 * way: a server may take longer to list a prefix than to send an object
 * (s3rver does, one request at a time), and the reader needs the objects
 * first.  Nothing below a listing that ends the walk (-2) is started: it
 * would never be read.
 */
void
source_s3_ahead(struct source_s3 *s)
{
	struct source_s3_task	*t;
	size_t			 i, queued = s->nobjs - s->objhead;
	int			 idle = s->nxfers > 0;

	if (s->run_expired)
		return;		/* nothing more will be read */
	for (i = 0; i < s->nxfers; i++)
		if (s->xfers[i]->state == SOURCE_S3_RUN ||
		    s->xfers[i]->state == SOURCE_S3_WAIT)
			idle = 0;
	for (i = s->ntasks; i-- > 0;) {
		t = &s->tasks[i];
		if (t->op == NULL) {
			if (i != s->ntasks - 1 && (s->nlops >= SOURCE_S3_LISTS ||
			    queued >= SOURCE_S3_AHEAD ||
			    (queued == 0 && s->nxfers == 0) ||
			    (queued >= (size_t)s->jobs && !idle)))
				break;
			source_s3_lop_start(s, t);
		}
		if (t->op->state == SOURCE_S3_DONE && t->op->rv == -2)
			break;
	}
}

/* The last component of a common prefix "a/b/c/": "c", length 1. */
static const char *
source_s3_component(const char *prefix, size_t *lenp)
{
	size_t		 n = strlen(prefix);
	const char	*p;

	if (n > 0 && prefix[n - 1] == '/')
		n--;
	for (p = prefix + n; p > prefix && p[-1] != '/'; p--)
		;
	*lenp = (size_t)(prefix + n - p);
	return p;
}

/* Queue a listed key, unless the window or its form rules it out. */
static void
source_s3_add_object(struct source_s3 *s, const struct source_s3_task *t,
    struct s3_object *o)
{
	size_t	 n = strlen(o->key);

	if (n == 0 || o->key[n - 1] == '/' ||
	    (t->filter && s->has_window &&
	    !s3_list_key_in_window(o->key, &s->win)))
		return;
	if (!source_s3_in_shard(s, o->key))
		return;		/* another shard's */
	if (t->scope != NULL &&
	    !state_s3_want(s->state, s->bucket, t->scope, o->key))
		return;		/* read by an earlier run */
	if (s->nobjs == s->objsize) {
		s->objsize = s->objsize == 0 ? 64 : s->objsize * 2;
		s->objs = xreallocarray(s->objs, s->objsize, sizeof *s->objs);
	}
	s->objs[s->nobjs++] = *o;
	memset(o, 0, sizeof *o);	/* the queue owns the strings */
}

/*
 * A page of a region's date walk (--shard): years, then months, then the
 * day prefixes, each listed only by its shard.  Keys beside the dates are
 * queued as a listing of the region would have, and a directory that is
 * not a date is listed whole, its keys judged one by one.
 */
static void
source_s3_walk_date(struct source_s3 *s, const struct source_s3_task *t,
    struct s3_page *pg)
{
	struct source_s3_task	*c;
	char			 day[S3_LIST_DAY_LEN + 1];
	const char		*p, *name, *mark = NULL;
	size_t			 i, n, k;

	/* With --state, the walk's scope is its region (plan_region). */
	if (t->scope != NULL && t->depth == 2)
		mark = state_s3_start_after(s->state, s->bucket, t->scope);

	for (i = 0; i < pg->nobjects; i++)
		source_s3_add_object(s, t, &pg->objects[i]);
	for (i = pg->nprefixes; i-- > 0;) {
		p = pg->prefixes[i];
		name = source_s3_component(p, &n);
		for (k = 0; k < n && name[k] >= '0' && name[k] <= '9'; k++)
			;
		if (k != n || n != (t->depth == 0 ? 4 : 2)) {
			source_s3_plan(s, S3_LEVEL_NONE, p);
			continue;
		}
		if (t->depth < 2) {
			c = source_s3_push(s, SOURCE_S3_DISCOVER,
			    S3_LEVEL_DATE, xstrdup(p), 1);
			c->depth = t->depth + 1;
			if (t->scope != NULL)
				c->scope = xstrdup(t->scope);
			continue;
		}
		/*
		 * ".../YYYY/MM/DD/": source_s3_page_below() kept only prefixes
		 * below the month's; this keeps the day's arithmetic in bounds.
		 */
		n = strlen(p);
		if (n < S3_LIST_DAY_LEN) {
			source_s3_plan(s, S3_LEVEL_NONE, p);
			continue;
		}
		/* An open end of the window (too many days to list). */
		if (s->has_window && s->win.has_first) {
			s3_list_day(s->win.first_day, day);
			if (strcmp(p + n - S3_LIST_DAY_LEN, day) < 0)
				continue;
		}
		if (s->has_window && s->win.has_last) {
			s3_list_day(s->win.last_day, day);
			if (strcmp(p + n - S3_LIST_DAY_LEN, day) > 0)
				continue;
		}
		source_s3_plan_day(s, t->scope, mark, xstrdup(p));
	}
}

/*
 * Leave out what a listing named outside the prefix it was asked for (a
 * common prefix must also be longer than it): S3 never does, and a
 * server that did would widen the audit, or a --state mark's scope, to
 * keys nobody asked for, or walk a directory again.
 */
static void
source_s3_page_below(struct source_s3 *s, const struct source_s3_task *t,
    struct s3_page *pg)
{
	size_t	 len = strlen(t->prefix), i, n, out = 0;
	char	*where;

	for (i = n = 0; i < pg->nobjects; i++) {
		if (strncmp(pg->objects[i].key, t->prefix, len) == 0) {
			pg->objects[n++] = pg->objects[i];
			continue;
		}
		free(pg->objects[i].key);
		free(pg->objects[i].etag);
		out++;
	}
	pg->nobjects = n;
	for (i = n = 0; i < pg->nprefixes; i++) {
		if (strncmp(pg->prefixes[i], t->prefix, len) == 0 &&
		    pg->prefixes[i][len] != '\0') {
			pg->prefixes[n++] = pg->prefixes[i];
			continue;
		}
		free(pg->prefixes[i]);
		out++;
	}
	pg->nprefixes = n;
	if (out == 0)
		return;
	where = xprintf("s3://%s/%s", s->bucket, t->prefix);
	diag(DIAG_WARN, where, 0, "the listing named %zu key%s or prefix%s "
	    "not below it: left out", out, out == 1 ? "" : "s",
	    out == 1 ? "" : "es");
	free(where);
}

/*
 * Use the ended listing on top of the stack: its keys join the queue, its
 * prefixes become tasks.  0, or -1 and *cause if the listing failed.
 */
int
source_s3_step(struct source_s3 *s, char **cause)
{
	struct source_s3_task	 t;
	struct source_s3_lop	*op = s->tasks[s->ntasks - 1].op;
	struct s3_page		*pg = &op->pg;
	const char		*c;
	char			*where;
	size_t			 i, n;

	if (op->rv != 0) {
		*cause = op->cause;
		op->cause = NULL;
		if (op->rv == -2) {
			/* The bucket is out of reach: nothing more to list. */
			while (s->ntasks > 0)
				source_s3_pop(s);
		} else
			source_s3_pop(s);
		return -1;
	}
	if (s->objhead > 0) {
		memmove(s->objs, s->objs + s->objhead,
		    (s->nobjs - s->objhead) * sizeof *s->objs);
		s->nobjs -= s->objhead;
		s->objhead = 0;
	}

	/* Take the task off, and put its next page back first. */
	t = s->tasks[--s->ntasks];
	source_s3_page_below(s, &t, pg);
	if (pg->truncated) {
		source_s3_push(s, t.kind, t.level, xstrdup(t.prefix),
		    t.filter);
		s->tasks[s->ntasks - 1].token = xstrdup(pg->next_token);
		if (t.stop != NULL)
			s->tasks[s->ntasks - 1].stop = xstrdup(t.stop);
		if (t.scope != NULL)
			s->tasks[s->ntasks - 1].scope = xstrdup(t.scope);
		s->tasks[s->ntasks - 1].depth = t.depth;
	}

	if (t.kind == SOURCE_S3_LIST) {
		for (i = 0; i < pg->nobjects; i++) {
			if (t.stop != NULL &&
			    strcmp(pg->objects[i].key, t.stop) >= 0) {
				/* Past the window: no more pages either. */
				if (pg->truncated)
					source_s3_pop(s);
				break;
			}
			source_s3_add_object(s, &t, &pg->objects[i]);
		}
		goto out;
	}

	if (t.level == S3_LEVEL_DATE) {
		source_s3_walk_date(s, &t, pg);
		goto out;
	}
	if (t.fallback != NULL && pg->nprefixes == 0 && pg->nobjects == 0) {
		/* No AWSLogs/ below the prefix: list it whole. */
		source_s3_plan(s, S3_LEVEL_NONE, t.fallback);
		goto out;
	}
	/* Children go on the stack last first, so they come out in order. */
	for (i = pg->nprefixes; i-- > 0;) {
		c = source_s3_component(pg->prefixes[i], &n);
		switch (t.level) {
		case S3_LEVEL_ROOT:
			if (s3_list_is_org(c, n)) {
				source_s3_plan(s, S3_LEVEL_ORG,
				    pg->prefixes[i]);
				break;
			}
			FALLTHROUGH;
		case S3_LEVEL_ORG:
			if (!s3_list_is_account(c, n)) {
				/* Never drop what the walk cannot place. */
				where = xprintf("s3://%s/%s", s->bucket,
				    pg->prefixes[i]);
				diag(DIAG_WARN, where, 0, "neither an account "
				    "nor an organization id: not walked (give "
				    "it as the prefix to read it)");
				free(where);
				break;
			}
			if (source_s3_wanted(s->accounts, s->naccounts, c, n))
				source_s3_plan(s, S3_LEVEL_ACCOUNT,
				    pg->prefixes[i]);
			break;
		case S3_LEVEL_SERVICE:
			if (source_s3_wanted(s->regions, s->nregions, c, n))
				source_s3_plan(s, S3_LEVEL_REGION,
				    pg->prefixes[i]);
			break;
		default:
			break;
		}
	}
out:
	source_s3_task_clear(s, &t);	/* and the listing with its page */
	return 0;
}

