/* SPDX-License-Identifier: ISC */
/*
 * The -j worker pool (see worker.h).  The main thread queues each stream
 * as a job (a file to read, or the bytes of one it read whole); a worker
 * takes the oldest job not yet taken, scans it with its own rule set and
 * turns what -j 1 would have done with each record into events; the main
 * thread takes the jobs back strictly in queue order.  While it waits for
 * the oldest, the main thread decodes too, as worker 0: with a thread of
 * its own for each job besides, there was one thread more than cores,
 * and the threads took the cores, and their caches, from each other.
 * The main thread queues up to WORKER_AHEAD_JOBS jobs a thread and
 * WORKER_AHEAD_MAX bytes not yet decoded: with two jobs a thread, one
 * long file at the head of the queue left the other threads idle once
 * they had done the short ones behind it.  A worker whose job is not the
 * oldest waits while the events not yet consumed pass WORKER_BUFFER_MAX;
 * the main thread consumes them instead.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "correlate.h"
#include "eventtime.h"
#include "forms.h"
#include "log.h"
#include "record.h"
#include "record_int.h"
#include "rule.h"
#include "scan.h"
#include "source.h"
#include "worker.h"
#include "xmalloc.h"

#define WORKER_READ_SIZE	(256 * 1024)
/*
 * Events are counted against WORKER_BUFFER_MAX this many bytes at a time:
 * taking the lock for each record made the threads wait on each other.
 */
#define WORKER_CHARGE_BATCH	(64 * 1024)
/*
 * Records a job keeps are copied into blocks of this size, given back to
 * the pool when the job is freed: a malloc() for each copy, freed on
 * another thread, made the workers' heaps fault pages in all the time.
 */
#define WORKER_SLAB_SIZE	(256 * 1024)
#define WORKER_SLABS_KEPT	64		/* 16 MiB given back, at most */
/*
 * Each thread's struct worker starts a cache line of its own: the fields
 * a worker writes for every record, next to those its neighbour reads
 * for every record, kept the two cores taking the line from each other.
 */
#define WORKER_LINE		64
/*
 * A record only correlation rules matched is copied with just the
 * members they read (record_clone_part_to()), up to this many fields;
 * most records a worker keeps are such, and whole copies of them were
 * most of what -j cost over -j 1.
 */
#define WORKER_FIELDS		32

enum {
	WORKER_QUEUED,
	WORKER_RUNNING,
	WORKER_DONE,
};

/* A rule of a worker's set and its index in the main thread's. */
struct worker_map {
	const struct rule	*r;
	size_t			 i;
};

struct worker {
	_Alignas(WORKER_LINE) struct worker_pool *pool;
	pthread_t		 thread;
	struct rule_set		*rules;
	struct worker_map	*rmap, *fmap;
	size_t			 charged;	/* bytes not yet in buffered */
	size_t			 nrmap, nfmap;
	struct worker_job	*job;		/* being decoded */
	size_t			 first;		/* matches of this record */
	int			 keep;		/* some match not suppressed */
	int			 whole;		/* a finding: copy it all */
	size_t			 nfields;	/* else what correlation reads */
	const char		*fields[WORKER_FIELDS + 1];
};

struct worker_pool {
	struct worker_opts	 opts;
	pthread_mutex_t		 lock;
	pthread_cond_t		 work;		/* for the workers */
	pthread_cond_t		 done;		/* for the main thread */
	struct worker_job	*head, *tail;
	size_t			 queued;
	size_t			 ahead;		/* bytes read, not decoded */
	size_t			 buffered;	/* bytes of events */
	int			 quit;
	struct rule_tally	 tally;		/* threads 1 and up */
	struct worker		*w;
	/*
	 * Read buffers given back, for the next streams: made and freed
	 * for each file, they cost more than the decoding in page faults.
	 */
	struct worker_spare {
		char		*data;
		size_t		 size;
	}			*spare;
	size_t			 nspare;
	struct worker_slab	*slabs;		/* free, for the next jobs */
	size_t			 nslabs;
};

/* A block of record copies (record_clone_to()). */
struct worker_slab {
	struct worker_slab	*next;
	size_t			 used;
};

static void	*worker_main(void *);
static void	 worker_load(struct worker *);
static int	 worker_map_cmp(const void *, const void *);
static size_t	 worker_map_find(const struct worker_map *, size_t,
		    const struct rule *);
static void	 worker_decode(struct worker *, struct worker_job *);
static struct worker_job *worker_oldest_queued(struct worker_pool *);
static void	 worker_run(struct worker *, struct worker_job *);
static void	 worker_help(struct worker_pool *, struct worker_job *);
static void	 worker_on_record(struct record *, void *);
static void	 worker_on_match(const struct rule *, struct record *, void *);
static void	 worker_fields_add(struct worker *, const char *const *);
static void	 worker_re_stop(const struct rule *, struct record *, void *);
static struct worker_ev *worker_ev_add(struct worker_evs *);
static struct record *worker_clone(struct worker *, const struct record *,
		    size_t *, int *);
static void	 worker_evs_clear(struct worker_evs *);
static void	 worker_diag(enum diag_level, const char *, unsigned long,
		    const char *, void *);
static void	 worker_diag_main(enum diag_level, const char *,
		    unsigned long, const char *, void *);
static void	 worker_diag_drop(enum diag_level, const char *,
		    unsigned long, const char *, void *);
static void	 worker_ev_diag(struct worker_evs *, enum diag_level,
		    const char *, unsigned long, const char *);
static void	 worker_charge(struct worker *, size_t);
static ssize_t	 worker_stream_read(struct stream *, void *, size_t, char **);
static void	 worker_lock(struct worker_pool *);
static void	 worker_unlock(struct worker_pool *);

static void
worker_lock(struct worker_pool *p)
{
	if (pthread_mutex_lock(&p->lock) != 0)
		fatalx("pthread_mutex_lock");
}

static void
worker_unlock(struct worker_pool *p)
{
	if (pthread_mutex_unlock(&p->lock) != 0)
		fatalx("pthread_mutex_unlock");
}

/* The online CPUs, at least 1 and at most WORKER_MAX. */
int
worker_default(void)
{
	long	n;

	if ((n = sysconf(_SC_NPROCESSORS_ONLN)) < 1)
		return 1;
	return n > WORKER_MAX ? WORKER_MAX : (int)n;
}

/*
 * Start n - 1 threads; each loads the rules again, in its own thread.
 * Worker 0 is the main thread's, on its rules.
 */
struct worker_pool *
worker_pool_create(const struct worker_opts *opts)
{
	struct worker_pool	*p;
	int			 i, rv;

	p = xcalloc(1, sizeof *p);
	p->opts = *opts;
	if (pthread_mutex_init(&p->lock, NULL) != 0 ||
	    pthread_cond_init(&p->work, NULL) != 0 ||
	    pthread_cond_init(&p->done, NULL) != 0)
		fatalx("pthread init");
	if ((p->w = aligned_alloc(WORKER_LINE, (size_t)opts->n *
	    sizeof *p->w)) == NULL)
		fatal("aligned_alloc");
	memset(p->w, 0, (size_t)opts->n * sizeof *p->w);
	p->spare = xcalloc(2 * (size_t)opts->n + 2, sizeof *p->spare);
	p->w[0].pool = p;
	worker_load(&p->w[0]);
	for (i = 1; i < opts->n; i++) {
		p->w[i].pool = p;
		if ((rv = pthread_create(&p->w[i].thread, NULL, worker_main,
		    &p->w[i])) != 0) {
			errno = rv;
			fatal("pthread_create");
		}
	}
	return p;
}

/* Stop and join the threads. */
void
worker_pool_free(struct worker_pool *p, struct rule_tally *t)
{
	struct worker_slab	*sl;
	int			 i;

	if (p == NULL)
		return;
	worker_lock(p);
	p->quit = 1;
	if (pthread_cond_broadcast(&p->work) != 0)
		fatalx("pthread_cond_broadcast");
	worker_unlock(p);
	for (i = 1; i < p->opts.n; i++)
		if (pthread_join(p->w[i].thread, NULL) != 0)
			fatalx("pthread_join");
	free(p->w[0].rmap);
	free(p->w[0].fmap);
	if (p->head != NULL)
		fatalx("worker_pool_free: jobs left");
	t->re_limits += p->tally.re_limits;
	t->data_events += p->tally.data_events;
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	pthread_mutex_destroy(&p->lock);
	while (p->nspare > 0)
		free(p->spare[--p->nspare].data);
	while ((sl = p->slabs) != NULL) {
		p->slabs = sl->next;
		free(sl);
	}
	free(p->spare);
	free(p->w);
	free(p);
}

static int
worker_map_cmp(const void *a, const void *b)
{
	const struct worker_map	*x = a, *y = b;

	if ((uintptr_t)x->r < (uintptr_t)y->r)
		return -1;
	return (uintptr_t)x->r > (uintptr_t)y->r;
}

/* The main thread's index of a rule of this worker's set. */
static size_t
worker_map_find(const struct worker_map *map, size_t n, const struct rule *r)
{
	struct worker_map	 key, *m;

	key.r = r;
	if ((m = bsearch(&key, map, n, sizeof *map, worker_map_cmp)) == NULL)
		fatalx("worker: a rule not in the set");
	return m->i;
}

/*
 * Load the rules the main thread loaded, in the same order, so that a
 * rule is known to both by its index; the messages were shown already.
 * Worker 0, the main thread, evaluates its own set.
 */
static void
worker_load(struct worker *w)
{
	const struct worker_opts	*o = &w->pool->opts;
	size_t				 i;

	if (w == &w->pool->w[0])
		w->rules = o->rules;
	else {
		diag_capture(worker_diag_drop, NULL);
		w->rules = rule_set_create(o->ropts);
		for (i = 0; i < o->nrulepaths; i++)
			(void)rule_set_load(w->rules, o->rulepaths[i]);
		rule_set_filters_resolve(w->rules);
	}
	if (rule_set_count(w->rules) != rule_set_count(o->rules) ||
	    rule_set_nfilters(w->rules) != rule_set_nfilters(o->rules))
		fatalx("worker: the rules changed while loading");
	w->nrmap = rule_set_count(w->rules);
	w->rmap = xcalloc(w->nrmap + 1, sizeof *w->rmap);
	for (i = 0; i < w->nrmap; i++) {
		w->rmap[i].r = rule_set_get(w->rules, i);
		w->rmap[i].i = i;
		if (strcmp(rule_id(w->rmap[i].r),
		    rule_id(rule_set_get(o->rules, i))) != 0)
			fatalx("worker: the rules changed while loading");
	}
	qsort(w->rmap, w->nrmap, sizeof *w->rmap, worker_map_cmp);
	w->nfmap = rule_set_nfilters(w->rules);
	w->fmap = xcalloc(w->nfmap + 1, sizeof *w->fmap);
	for (i = 0; i < w->nfmap; i++) {
		w->fmap[i].r = rule_set_filter_get(w->rules, i);
		w->fmap[i].i = i;
	}
	qsort(w->fmap, w->nfmap, sizeof *w->fmap, worker_map_cmp);
}

static void *
worker_main(void *arg)
{
	struct worker		*w = arg;
	struct worker_pool	*p = w->pool;
	struct worker_job	*j;

	worker_load(w);
	diag_capture(worker_diag, w);
	rule_re_hook_set(worker_re_stop, w);
	worker_lock(p);
	for (;;) {
		if ((j = worker_oldest_queued(p)) == NULL) {
			if (p->quit)
				break;
			if (pthread_cond_wait(&p->work, &p->lock) != 0)
				fatalx("pthread_cond_wait");
			continue;
		}
		worker_run(w, j);
		if (pthread_cond_broadcast(&p->done) != 0)
			fatalx("pthread_cond_broadcast");
	}
	rule_set_tally(w->rules, &p->tally);
	worker_unlock(p);
	diag_capture(NULL, NULL);
	rule_re_hook_set(NULL, NULL);
	rule_set_free(w->rules);
	free(w->rmap);
	free(w->fmap);
	scan_thread_clear();
	return NULL;
}

/* A stream over the bytes the main thread read, then its read error. */
static ssize_t
worker_stream_read(struct stream *s, void *buf, size_t len, char **cause)
{
	struct worker_job	*j = s->priv;
	size_t			 n;

	if (j->stream != NULL)
		return j->stream->read(j->stream, buf, len, cause);
	if (j->off == j->len) {
		if (j->cause != NULL) {
			*cause = xstrdup(j->cause);
			return -1;
		}
		return 0;
	}
	n = j->len - j->off;
	if (n > len)
		n = len;
	memcpy(buf, j->data + j->off, n);
	j->off += n;
	return (ssize_t)n;
}

/* Scan the job's stream as -j 1 would, keeping events for the main one. */
static void
worker_decode(struct worker *w, struct worker_job *j)
{
	struct stream	 s;

	memset(&s, 0, sizeof s);
	s.name = j->name;
	s.read = worker_stream_read;
	s.priv = j;
	w->job = j;
	j->rv = scan_stream(&s, worker_on_record, w, &j->scan);
	w->job = NULL;
	if (j->stream != NULL) {
		j->stream->close(j->stream);
		j->stream = NULL;
		return;
	}
	worker_lock(w->pool);
	w->pool->ahead -= j->len;
	if (w->pool->nspare < 2 * (size_t)w->pool->opts.n + 2) {
		w->pool->spare[w->pool->nspare].data = j->data;
		w->pool->spare[w->pool->nspare++].size = j->size;
	} else
		free(j->data);
	worker_unlock(w->pool);
	j->data = NULL;
}

/* Count bytes against the cap; wait while over it, unless the oldest. */
static void
worker_charge(struct worker *w, size_t n)
{
	struct worker_pool	*p = w->pool;

	w->job->bytes += n;
	if ((w->charged += n) < WORKER_CHARGE_BATCH)
		return;
	worker_lock(p);
	p->buffered += w->charged;
	w->charged = 0;
	if (w != &p->w[0]) {
		while (p->buffered > WORKER_BUFFER_MAX &&
		    p->head != w->job && !p->quit)
			if (pthread_cond_wait(&p->work, &p->lock) != 0)
				fatalx("pthread_cond_wait");
		worker_unlock(p);
		return;
	}
	/*
	 * The main thread, whose waiting would wait for itself: it consumes
	 * the jobs before its own instead, as they are done.  Each of them
	 * was taken before its own, the oldest not yet taken then.
	 */
	while (p->buffered > WORKER_BUFFER_MAX && p->head != w->job) {
		if (p->head->state != WORKER_DONE) {
			if (pthread_cond_wait(&p->done, &p->lock) != 0)
				fatalx("pthread_cond_wait");
			continue;
		}
		worker_unlock(p);
		diag_capture(NULL, NULL);
		p->opts.consume(p->opts.arg);
		diag_capture(worker_diag, w);
		worker_lock(p);
	}
	worker_unlock(p);
}

static struct worker_ev *
worker_ev_add(struct worker_evs *e)
{
	struct worker_ev	*ev;

	if (e->n == e->size) {
		e->size = e->size == 0 ? 16 : e->size * 2;
		e->v = xreallocarray(e->v, e->size, sizeof *e->v);
	}
	ev = &e->v[e->n++];
	memset(ev, 0, sizeof *ev);
	return ev;
}

static void
worker_evs_clear(struct worker_evs *e)
{
	size_t	i;

	for (i = 0; i < e->n; i++) {
		free(e->v[i].where);
		free(e->v[i].msg);
		if (e->v[i].slab)
			record_release(e->v[i].rec);
		else
			record_free(e->v[i].rec);
	}
	free(e->v);
	memset(e, 0, sizeof *e);
}

static void
worker_ev_diag(struct worker_evs *e, enum diag_level level, const char *where,
    unsigned long line, const char *msg)
{
	struct worker_ev	*ev;

	ev = worker_ev_add(e);
	ev->type = WORKER_EV_DIAG;
	ev->level = level;
	ev->where = where != NULL ? xstrdup(where) : NULL;
	ev->line = line;
	ev->msg = xstrdup(msg);
}

/* A worker's message: an event of the job it decodes. */
static void
worker_diag(enum diag_level level, const char *where, unsigned long line,
    const char *msg, void *arg)
{
	struct worker	*w = arg;

	if (w->job == NULL)
		return;
	worker_ev_diag(&w->job->evs, level, where, line, msg);
	worker_charge(w, sizeof(struct worker_ev) + strlen(msg));
}

/* The main thread's, while it lists and reads a job: shown before it. */
static void
worker_diag_main(enum diag_level level, const char *where, unsigned long line,
    const char *msg, void *arg)
{
	struct worker_job	*j = arg;

	worker_ev_diag(&j->pre, level, where, line, msg);
}

/* A worker's while it loads the rules: the main thread showed them. */
static void
worker_diag_drop(enum diag_level level, const char *where,
    unsigned long line, const char *msg, void *arg)
{
	(void)level;
	(void)where;
	(void)line;
	(void)msg;
	(void)arg;
}

/* A |re stopped by PCRE2's limits: the main thread counts and warns. */
static void
worker_re_stop(const struct rule *r, struct record *rec, void *arg)
{
	struct worker		*w = arg;
	struct worker_ev	*ev;
	const char		*origin = record_origin(rec);

	if (w->job == NULL)
		return;
	ev = worker_ev_add(&w->job->evs);
	ev->type = WORKER_EV_RELIMIT;
	ev->first = worker_map_find(w->rmap, w->nrmap, r);
	ev->where = origin != NULL ? xstrdup(origin) : NULL;
	ev->index = record_index(rec);
	worker_charge(w, sizeof *ev + (origin != NULL ? strlen(origin) : 0));
}

static void
worker_on_match(const struct rule *r, struct record *rec, void *arg)
{
	struct worker		*w = arg;
	struct worker_job	*j = w->job;
	const struct rule	*filter;
	struct worker_match	*m;

	if (j->nm == j->msize) {
		j->msize = j->msize == 0 ? 16 : j->msize * 2;
		j->m = xreallocarray(j->m, j->msize, sizeof *j->m);
	}
	m = &j->m[j->nm++];
	m->rule = (uint32_t)worker_map_find(w->rmap, w->nrmap, r);
	m->filter = -1;
	if ((filter = rule_set_suppress(w->rules, r, rec)) != NULL) {
		m->filter = (int32_t)worker_map_find(w->fmap, w->nfmap,
		    filter);
		return;
	}
	w->keep = 1;
	if (rule_generates(r))
		w->whole = 1;
	else
		worker_fields_add(w, correlate_fields(w->pool->opts.corr,
		    m->rule));
}

/* Add fields, NULL-terminated, to those the main thread will read. */
static void
worker_fields_add(struct worker *w, const char *const *f)
{
	for (; *f != NULL && !w->whole; f++) {
		if (w->nfields == WORKER_FIELDS)
			w->whole = 1;
		else
			w->fields[w->nfields++] = *f;
	}
}

/* Copy a record for the main thread, into the job's current slab. */
static struct record *
worker_clone(struct worker *w, const struct record *rec, size_t *sizep,
    int *slab)
{
	struct worker_pool	*p = w->pool;
	struct worker_job	*j = w->job;
	struct worker_slab	*sl = j->slabs;
	struct record		*copy;
	size_t			 n;
	char			*mem;

	n = record_clone_size(rec);
	if (n > WORKER_SLAB_SIZE - sizeof *sl - 16) {
		*slab = 0;
		return record_clone(rec, sizep);
	}
	w->fields[w->nfields] = NULL;
	if (sl == NULL || n > WORKER_SLAB_SIZE - sl->used) {
		worker_lock(p);
		if ((sl = p->slabs) != NULL) {
			p->slabs = sl->next;
			p->nslabs--;
		}
		worker_unlock(p);
		if (sl == NULL)
			sl = xmalloc(WORKER_SLAB_SIZE);
		sl->used = (sizeof *sl + 15) & ~(size_t)15;
		sl->next = j->slabs;
		j->slabs = sl;
	}
	mem = (char *)sl + sl->used;
	*slab = 1;
	if (w->whole)
		copy = record_clone_to(rec, mem);
	else
		copy = record_clone_part_to(rec, w->fields, mem);
	n = record_clone_used(copy);
	sl->used += n;
	*sizep = n;
	return copy;
}

/* Place a record in the time window (see worker.h). */
int
worker_window_place(struct record *rec, int64_t since, int64_t until,
    int timed, struct worker_window *ww)
{
	const struct rec_value	*v;
	int64_t			 t;

	if (since == 0 && until == 0 && !timed)
		return 0;
	v = record_member(record_root(rec), "eventTime", 9);
	if (v == NULL || v->type != REC_STRING ||
	    eventtime_parse(v->str, v->len, &t) == -1) {
		/* Cannot place it in the window: audit it anyway. */
		ww->untimed++;
		return 0;
	}
	if (t > ww->latest)
		ww->latest = t;
	if ((since != 0 && t < since) || (until != 0 && t >= until)) {
		if (forms_is_insight(rec))
			ww->outside_insights++;
		else
			ww->outside++;
		return -1;
	}
	return 0;
}

/* Add one job's counts to a run's. */
void
worker_window_add(struct worker_window *to, const struct worker_window *ww)
{
	to->outside += ww->outside;
	to->outside_insights += ww->outside_insights;
	to->untimed += ww->untimed;
	if (ww->latest > to->latest)
		to->latest = ww->latest;
}

/* audit.c's audit_on_record() up to the rules, then the rules. */
static void
worker_on_record(struct record *rec, void *arg)
{
	struct worker			*w = arg;
	struct worker_job		*j = w->job;
	const struct worker_opts	*o = &w->pool->opts;
	struct worker_ev		*ev;
	size_t				 size;

	if (worker_window_place(rec, o->since, o->until, o->timed,
	    &j->window) == -1)
		return;
	w->first = j->nm;
	w->keep = 0;
	w->whole = o->all;
	w->nfields = 0;
	rule_set_eval(w->rules, rec, worker_on_match, w);
	if (!o->all && j->nm == w->first)
		return;
	ev = worker_ev_add(&j->evs);
	ev->type = WORKER_EV_REC;
	ev->first = w->first;
	ev->nmatch = j->nm - w->first;
	size = sizeof *ev + ev->nmatch * sizeof *j->m;
	if (o->all || w->keep) {
		ev->rec = worker_clone(w, rec, &size, &ev->slab);
		size += sizeof *ev + ev->nmatch * sizeof *j->m;
	}
	worker_charge(w, size);
}

/* Start a job; this thread's messages go to it until it is submitted. */
struct worker_job *
worker_job_begin(struct worker_pool *p)
{
	struct worker_job	*j;

	(void)p;
	j = xcalloc(1, sizeof *j);
	diag_capture(worker_diag_main, j);
	return j;
}

/*
 * Take the stream over if it can be moved (a file: the worker reads it),
 * else read it whole, up to WORKER_STREAM_MAX.
 */
int
worker_job_read(struct worker_pool *p, struct worker_job *j, struct stream *s)
{
	ssize_t	 n;

	j->name = xstrdup(s->name);
	j->decode = 1;
	if (s->detach != NULL && (j->stream = s->detach(s)) != NULL)
		return 0;
	worker_lock(p);
	if (p->nspare > 0) {
		j->data = p->spare[--p->nspare].data;
		j->size = p->spare[p->nspare].size;
	}
	worker_unlock(p);
	for (;;) {
		if (j->len + WORKER_READ_SIZE > j->size) {
			if (j->size >= WORKER_STREAM_MAX)
				return -1;
			j->size = j->size == 0 ? WORKER_READ_SIZE * 2 :
			    j->size * 2;
			j->data = xreallocarray(j->data, j->size, 1);
		}
		if ((n = s->read(s, j->data + j->len, WORKER_READ_SIZE,
		    &j->cause)) == -1)
			return 0;
		if (n == 0)
			return 0;
		j->len += (size_t)n;
	}
}

/* Take back the bytes read (a stream too long to read ahead). */
char *
worker_job_take(struct worker_job *j, size_t *lenp)
{
	char	*data = j->data;

	*lenp = j->len;
	j->data = NULL;
	j->len = 0;
	j->size = 0;
	j->decode = 0;
	return data;
}

/* Queue a job, to be decoded if it has a stream. */
void
worker_job_submit(struct worker_pool *p, struct worker_job *j)
{
	diag_capture(NULL, NULL);
	worker_lock(p);
	j->state = j->decode ? WORKER_QUEUED : WORKER_DONE;
	if (p->tail == NULL)
		p->head = j;
	else
		p->tail->next = j;
	p->tail = j;
	p->queued++;
	if (j->decode)
		p->ahead += j->len;
	if (j->decode && pthread_cond_signal(&p->work) != 0)
		fatalx("pthread_cond_signal");
	worker_unlock(p);
}

int
worker_full(struct worker_pool *p)
{
	int	full;

	if (p->queued >= WORKER_AHEAD_JOBS * (size_t)p->opts.n)
		return 1;
	worker_lock(p);
	full = p->ahead >= WORKER_AHEAD_MAX;
	worker_unlock(p);
	return full;
}

/* The oldest job no thread has taken, or NULL; the pool is locked. */
static struct worker_job *
worker_oldest_queued(struct worker_pool *p)
{
	struct worker_job	*j;

	for (j = p->head; j != NULL; j = j->next)
		if (j->state == WORKER_QUEUED)
			return j;
	return NULL;
}

/*
 * Take a job and decode it on this thread; the pool is locked on the way
 * in and out, not while decoding.
 */
static void
worker_run(struct worker *w, struct worker_job *j)
{
	struct worker_pool	*p = w->pool;

	j->state = WORKER_RUNNING;
	worker_unlock(p);
	worker_decode(w, j);
	worker_lock(p);
	p->buffered += w->charged;
	w->charged = 0;
	j->state = WORKER_DONE;
}

/* Decode a job on the main thread, as worker 0; the pool is locked. */
static void
worker_help(struct worker_pool *p, struct worker_job *j)
{
	struct worker	*w = &p->w[0];

	diag_capture(worker_diag, w);
	rule_re_hook_set(worker_re_stop, w);
	worker_run(w, j);
	rule_re_hook_set(NULL, NULL);
	diag_capture(NULL, NULL);
}

/* Take the oldest job once it is done. */
struct worker_job *
worker_job_next(struct worker_pool *p, int wait)
{
	struct worker_job	*j, *q;

	worker_lock(p);
	while ((j = p->head) != NULL && j->state != WORKER_DONE) {
		if (!wait) {
			j = NULL;
			break;
		}
		if ((q = worker_oldest_queued(p)) != NULL)
			worker_help(p, q);
		else if (pthread_cond_wait(&p->done, &p->lock) != 0)
			fatalx("pthread_cond_wait");
	}
	if (j != NULL) {
		if ((p->head = j->next) == NULL)
			p->tail = NULL;
		p->queued--;
		/* The next oldest may be waiting for the cap. */
		if (pthread_cond_broadcast(&p->work) != 0)
			fatalx("pthread_cond_broadcast");
	}
	worker_unlock(p);
	return j;
}

/* Free a consumed job and give its bytes back to the cap. */
void
worker_job_free(struct worker_pool *p, struct worker_job *j)
{
	struct worker_slab	*sl;

	if (j == NULL)
		return;
	worker_lock(p);
	p->buffered -= j->bytes;
	if (pthread_cond_broadcast(&p->work) != 0)
		fatalx("pthread_cond_broadcast");
	worker_unlock(p);
	worker_evs_clear(&j->pre);
	worker_evs_clear(&j->evs);
	worker_lock(p);
	while ((sl = j->slabs) != NULL) {
		j->slabs = sl->next;
		if (p->nslabs < WORKER_SLABS_KEPT) {
			sl->next = p->slabs;
			p->slabs = sl;
			p->nslabs++;
		} else
			free(sl);
	}
	worker_unlock(p);
	if (j->stream != NULL)
		j->stream->close(j->stream);
	free(j->m);
	free(j->name);
	free(j->data);
	free(j->cause);
	free(j);
}
