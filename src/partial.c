/* SPDX-License-Identifier: ISC */
/*
 * Correlation across shards.  A shard run with --partial keeps none of
 * its correlation state: correlate.c hands each match of a rule that a
 * correlation names to partial_emit(), which writes it as one JSON line
 * (the correlation, the rule's place in it, eventTime, the group-by
 * values and the value counted; never the record).  ctaudit merge reads
 * the partial files of shards 0 to N-1, checks that they are one set
 * made with these rules, and hands the matches back to the engine, whose
 * windows are computed as in a single run: the engine sorts each group
 * fully by time, rule and value, so the order in which the shards' files
 * are read does not change the findings.
 *
 * The file: a header line, one line per match, an end line.
 *	{"ctaudit-partial":1,"shard":0,"shards":3,"rules":"<hex>",
 *	    "correlations":5}
 *	{"c":2,"s":0,"t":1700000000000,"i":81985529216486895,
 *	    "v":["AKIA...","203.0.113.9"]}
 *	{"end":true,"events":1,"untimed":[0,0,0,0,0]}
 * A file without its end line is a shard that did not finish.  "i" is
 * the match's eventID hashed (correlate_id()), so that an event two
 * shards both read counts once; a record without an eventID has none.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "buf.h"
#include "correlate.h"
#include "hash.h"
#include "log.h"
#include "partial.h"
#include "rule.h"
#include "sigma.h"
#include "source.h"
#include "xmalloc.h"

#define PARTIAL_VALUES_MAX	(SIGMA_CORR_GROUPBY_MAX + 1)
#define PARTIAL_RULEFILE_MAX	(16 * 1024 * 1024)	/* bytes hashed */

struct partial {
	FILE			*f;
	char			*path;
	struct correlate	*corr;
	uint64_t		 events;
};

/* What one line held; which keys were seen is in the have_ flags. */
struct partial_line {
	int			 depth, top, failed;
	char			 key[32];	/* the current key, depth 1 */
	const char		*why;		/* what was wrong, or NULL */
	/* Header. */
	int			 have_version, have_shard, have_shards;
	int			 have_rules, have_ncorr;
	long long		 version, shard, shards, ncorr;
	char			 rules[32];
	/* Event. */
	int			 have_c, have_s, have_t, have_v;
	long long		 c, s, t, i;	/* i: eventID hashed, or 0 */
	struct buf		 vbuf;		/* the values, back to back */
	size_t			 voff[PARTIAL_VALUES_MAX];
	size_t			 vlen[PARTIAL_VALUES_MAX];
	size_t			 nv;
	/* End. */
	int			 have_end, have_events, have_untimed;
	int			 incomplete;	/* the shard missed input */
	long long		 events;
	uint64_t		*untimed;
	size_t			 nuntimed, maxuntimed;
};

/* One partial file read by ctaudit merge. */
struct partial_in {
	const char		*path;
	FILE			*f;
	unsigned long		 lineno;
	long long		 shard, shards;
};

static void	 partial_emit(size_t, uint32_t, int64_t, uint64_t,
		    const struct correlate_val *, size_t, void *);
static void	 partial_string(FILE *, const char *, size_t);
static uint64_t	 partial_hash_file(uint64_t, const char *);
static uint64_t	 partial_rules_hash(const struct correlate *);
static int	 partial_parse(yajl_handle *, struct partial_line *,
		    const char *, size_t);
static void	 partial_line_reset(struct partial_line *);
static int	 partial_read_line(struct partial_in *, char **, size_t *,
		    size_t *);
static int	 partial_header(struct partial_in *, yajl_handle *,
		    struct partial_line *, const char *);
static int	 partial_body(struct correlate *, struct partial_in *,
		    yajl_handle *, struct partial_line *);
static int	 partial_cmp_in(const void *, const void *);

/* A JSON string: quotes, backslashes and control bytes escaped. */
static void
partial_string(FILE *f, const char *s, size_t len)
{
	size_t		i;
	unsigned char	c;

	putc('"', f);
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			putc('\\', f);
			putc(c, f);
		} else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			putc(c, f);
	}
	putc('"', f);
}

/* One match, as correlate.c hands it on. */
static void
partial_emit(size_t corr, uint32_t slot, int64_t t, uint64_t id,
    const struct correlate_val *v, size_t n, void *arg)
{
	struct partial	*p = arg;
	size_t		 i;

	fprintf(p->f, "{\"c\":%zu,\"s\":%" PRIu32 ",\"t\":%" PRId64,
	    corr, slot, t);
	if (id != 0)
		fprintf(p->f, ",\"i\":%" PRIu64, id);
	fputs(",\"v\":[", p->f);
	for (i = 0; i < n; i++) {
		if (i > 0)
			putc(',', p->f);
		partial_string(p->f, v[i].s, v[i].len);
	}
	fputs("]}\n", p->f);
	p->events++;
}

/* Continue h over the bytes of a rule file (its path if unreadable). */
static uint64_t
partial_hash_file(uint64_t h, const char *path)
{
	FILE	*f;
	char	 b[8192];
	size_t	 n, total = 0;

	if ((f = fopen(path, "r")) == NULL)
		return hash_bytes(h, path, strlen(path));
	while ((n = fread(b, 1, sizeof b, f)) > 0 &&
	    total < PARTIAL_RULEFILE_MAX) {
		h = hash_bytes(h, b, n);
		total += n;
	}
	fclose(f);
	return h;
}

/*
 * What the matches in a partial file depend on: the correlations in
 * order, with the ids and the files of the rules they name.
 */
static uint64_t
partial_rules_hash(const struct correlate *e)
{
	const struct rule	*r, *ref;
	size_t			 i, k;
	uint64_t		 h = HASH_INIT;

	for (i = 0; i < correlate_count(e); i++) {
		r = correlate_rule(e, i);
		h = hash_bytes(h, rule_id(r), strlen(rule_id(r)) + 1);
		h = partial_hash_file(h, rule_path(r));
		for (k = 0; k < r->corr->nrefs; k++) {
			ref = r->corr->refs[k].rule;
			h = hash_bytes(h, rule_id(ref),
			    strlen(rule_id(ref)) + 1);
			h = partial_hash_file(h, rule_path(ref));
		}
	}
	return h;
}

/* Create path and write its header; matches go there from now on. */
struct partial *
partial_create(const char *path, const struct source_shard *sh,
    struct correlate *e, char **cause)
{
	struct partial	*p;
	FILE		*f;

	if ((f = fopen(path, "w")) == NULL) {
		*cause = xprintf("%s", strerror(errno));
		return NULL;
	}
	p = xcalloc(1, sizeof *p);
	p->f = f;
	p->path = xstrdup(path);
	p->corr = e;
	fprintf(f, "{\"ctaudit-partial\":%d,\"shard\":%" PRIu32 ",\"shards\":%"
	    PRIu32 ",\"rules\":\"%016" PRIx64 "\",\"correlations\":%zu}\n",
	    PARTIAL_VERSION, sh->count == 0 ? 0 : sh->index,
	    sh->count == 0 ? 1 : sh->count, partial_rules_hash(e),
	    correlate_count(e));
	if (e != NULL)
		correlate_set_emit(e, partial_emit, p);
	return p;
}

/* The end line, then close the file. */
int
partial_finish(struct partial *p, int incomplete, char **cause)
{
	size_t	i;
	int	rv = 0;

	fprintf(p->f, "{\"end\":true,\"incomplete\":%s,\"events\":%" PRIu64
	    ",\"untimed\":[", incomplete ? "true" : "false", p->events);
	for (i = 0; i < correlate_count(p->corr); i++)
		fprintf(p->f, "%s%" PRIu64, i > 0 ? "," : "",
		    correlate_untimed(p->corr, i));
	fputs("]}\n", p->f);
	if (fflush(p->f) == EOF || ferror(p->f)) {
		*cause = xprintf("write error: %s", strerror(errno));
		rv = -1;
	}
	if (fclose(p->f) == EOF && rv == 0) {
		*cause = xprintf("write error: %s", strerror(errno));
		rv = -1;
	}
	p->f = NULL;
	return rv;
}

/* Free the writer (closing the file if partial_finish() was not run). */
void
partial_free(struct partial *p)
{
	if (p == NULL)
		return;
	if (p->f != NULL)
		fclose(p->f);
	free(p->path);
	free(p);
}

/* The yajl callbacks: one flat object per line, arrays of scalars. */
static int
partial_y_int(void *arg, long long v)
{
	struct partial_line	*l = arg;

	if (l->depth == 1) {
		if (strcmp(l->key, "ctaudit-partial") == 0) {
			l->version = v;
			l->have_version = 1;
		} else if (strcmp(l->key, "shard") == 0) {
			l->shard = v;
			l->have_shard = 1;
		} else if (strcmp(l->key, "shards") == 0) {
			l->shards = v;
			l->have_shards = 1;
		} else if (strcmp(l->key, "correlations") == 0) {
			l->ncorr = v;
			l->have_ncorr = 1;
		} else if (strcmp(l->key, "c") == 0) {
			l->c = v;
			l->have_c = 1;
		} else if (strcmp(l->key, "s") == 0) {
			l->s = v;
			l->have_s = 1;
		} else if (strcmp(l->key, "t") == 0) {
			l->t = v;
			l->have_t = 1;
		} else if (strcmp(l->key, "i") == 0) {
			if (v <= 0) {
				l->why = "an event id that is not positive";
				return 0;
			}
			l->i = v;
		} else if (strcmp(l->key, "events") == 0) {
			l->events = v;
			l->have_events = 1;
		}
		return 1;
	}
	if (l->depth == 2 && strcmp(l->key, "untimed") == 0) {
		if (v < 0) {
			l->why = "a negative count";
			return 0;
		}
		if (l->nuntimed == l->maxuntimed) {
			l->maxuntimed = l->maxuntimed == 0 ? 8 :
			    l->maxuntimed * 2;
			l->untimed = xreallocarray(l->untimed, l->maxuntimed,
			    sizeof *l->untimed);
		}
		l->untimed[l->nuntimed++] = (uint64_t)v;
		return 1;
	}
	l->why = "a number where none belongs";
	return 0;
}

static int
partial_y_bool(void *arg, int v)
{
	struct partial_line	*l = arg;

	if (l->depth == 1 && strcmp(l->key, "end") == 0 && v) {
		l->have_end = 1;
		return 1;
	}
	if (l->depth == 1 && strcmp(l->key, "incomplete") == 0) {
		l->incomplete = v;
		return 1;
	}
	l->why = "a boolean where none belongs";
	return 0;
}

static int
partial_y_null(void *arg)
{
	struct partial_line	*l = arg;

	l->why = "a null";
	return 0;
}

static int
partial_y_double(void *arg, double v)
{
	struct partial_line	*l = arg;

	(void)v;
	l->why = "a number that is not an integer";
	return 0;
}

static int
partial_y_string(void *arg, const unsigned char *s, size_t len)
{
	struct partial_line	*l = arg;

	if (l->depth == 1 && strcmp(l->key, "rules") == 0) {
		if (len >= sizeof l->rules) {
			l->why = "a rules hash too long";
			return 0;
		}
		memcpy(l->rules, s, len);
		l->rules[len] = '\0';
		l->have_rules = 1;
		return 1;
	}
	if (l->depth == 2 && strcmp(l->key, "v") == 0) {
		if (l->nv == PARTIAL_VALUES_MAX) {
			l->why = "too many values";
			return 0;
		}
		l->voff[l->nv] = l->vbuf.len;
		l->vlen[l->nv] = len;
		if (buf_add(&l->vbuf, s, len) == -1) {
			l->why = "values too long";
			return 0;
		}
		l->nv++;
		return 1;
	}
	l->why = "a string where none belongs";
	return 0;
}

static int
partial_y_start_map(void *arg)
{
	struct partial_line	*l = arg;

	if (l->depth != 0 || l->top) {
		l->why = "not one flat object";
		return 0;
	}
	l->depth = 1;
	return 1;
}

static int
partial_y_key(void *arg, const unsigned char *s, size_t len)
{
	struct partial_line	*l = arg;

	/* Keys of later versions are not this version's to judge. */
	if (len >= sizeof l->key)
		len = sizeof l->key - 1;
	memcpy(l->key, s, len);
	l->key[len] = '\0';
	return 1;
}

static int
partial_y_end_map(void *arg)
{
	struct partial_line	*l = arg;

	l->depth = 0;
	l->top = 1;
	return 1;
}

static int
partial_y_start_array(void *arg)
{
	struct partial_line	*l = arg;

	if (l->depth != 1 || (strcmp(l->key, "v") != 0 &&
	    strcmp(l->key, "untimed") != 0)) {
		l->why = "an array where none belongs";
		return 0;
	}
	if (strcmp(l->key, "v") == 0)
		l->have_v = 1;
	else
		l->have_untimed = 1;
	l->depth = 2;
	return 1;
}

static int
partial_y_end_array(void *arg)
{
	struct partial_line	*l = arg;

	l->depth = 1;
	return 1;
}

static const yajl_callbacks partial_callbacks = {
	.yajl_null = partial_y_null,
	.yajl_boolean = partial_y_bool,
	.yajl_integer = partial_y_int,
	.yajl_double = partial_y_double,
	.yajl_string = partial_y_string,
	.yajl_start_map = partial_y_start_map,
	.yajl_map_key = partial_y_key,
	.yajl_end_map = partial_y_end_map,
	.yajl_start_array = partial_y_start_array,
	.yajl_end_array = partial_y_end_array,
};

/* Forget the last line, keeping the storage. */
static void
partial_line_reset(struct partial_line *l)
{
	struct buf	 vbuf = l->vbuf;
	uint64_t	*untimed = l->untimed;
	size_t		 maxuntimed = l->maxuntimed;

	buf_reset(&vbuf);
	memset(l, 0, sizeof *l);
	l->vbuf = vbuf;
	l->untimed = untimed;
	l->maxuntimed = maxuntimed;
}

/* Parse one line into l: 0, or -1 with l->why. */
static int
partial_parse(yajl_handle *hp, struct partial_line *l, const char *s,
    size_t len)
{
	partial_line_reset(l);
	if (*hp != NULL)
		yajl_free(*hp);
	if ((*hp = yajl_alloc(&partial_callbacks, NULL, l)) == NULL)
		fatalx("yajl_alloc: out of memory");
	/* Values are written as the records held them. */
	yajl_config(*hp, yajl_dont_validate_strings, 1);
	if (yajl_parse(*hp, (const unsigned char *)s, len) != yajl_status_ok ||
	    yajl_complete_parse(*hp) != yajl_status_ok) {
		if (l->why == NULL)
			l->why = "not JSON";
		return -1;
	}
	if (!l->top) {
		l->why = "not a JSON object";
		return -1;
	}
	return 0;
}

/*
 * The next line of in, without its newline: 1, 0 at the end of the
 * file, -1 (reported) on a read error or a line past the cap.
 */
static int
partial_read_line(struct partial_in *in, char **bufp, size_t *sizep,
    size_t *lenp)
{
	ssize_t	n;

	errno = 0;
	if ((n = getline(bufp, sizep, in->f)) == -1) {
		if (ferror(in->f)) {
			diag(DIAG_CONFIG, in->path, in->lineno + 1, "%s",
			    strerror(errno));
			return -1;
		}
		return 0;
	}
	in->lineno++;
	if ((size_t)n > PARTIAL_LINE_MAX) {
		diag(DIAG_CONFIG, in->path, in->lineno, "line longer than %d "
		    "bytes", PARTIAL_LINE_MAX);
		return -1;
	}
	if (n > 0 && (*bufp)[n - 1] == '\n')
		n--;
	*lenp = (size_t)n;
	return 1;
}

/* Open in and check its header against the engine: 0, or -1 (reported). */
static int
partial_header(struct partial_in *in, yajl_handle *hp,
    struct partial_line *l, const char *want)
{
	char	*line = NULL;
	size_t	 size = 0, len;
	int	 rv = -1, got;

	if ((in->f = fopen(in->path, "r")) == NULL) {
		diag(DIAG_CONFIG, in->path, 0, "%s", strerror(errno));
		return -1;
	}
	if ((got = partial_read_line(in, &line, &size, &len)) == -1)
		goto out;
	if (got == 0 || partial_parse(hp, l, line, len) == -1 ||
	    !l->have_version) {
		diag(DIAG_CONFIG, in->path, 1, "not a ctaudit partial file "
		    "(no {\"ctaudit-partial\":%d,...} header)",
		    PARTIAL_VERSION);
		goto out;
	}
	if (l->version != PARTIAL_VERSION) {
		diag(DIAG_CONFIG, in->path, 1, "partial file version %lld; "
		    "this ctaudit reads version %d", l->version,
		    PARTIAL_VERSION);
		goto out;
	}
	if (!l->have_shard || !l->have_shards || !l->have_rules ||
	    !l->have_ncorr || l->shards < 1 || l->shards > UINT32_MAX ||
	    l->shard < 0 || l->shard >= l->shards) {
		diag(DIAG_CONFIG, in->path, 1, "bad header: want shard, "
		    "shards, rules and correlations");
		goto out;
	}
	if (strcmp(l->rules, want) != 0) {
		diag(DIAG_CONFIG, in->path, 1, "made with other rules (rules "
		    "%s, here %s): merge with the -r and rule options the "
		    "shards ran with", l->rules, want);
		goto out;
	}
	in->shard = l->shard;
	in->shards = l->shards;
	rv = 0;
out:
	free(line);
	return rv;
}

/* Keep the matches of in (after its header) in e: 0, or -1 (reported). */
static int
partial_body(struct correlate *e, struct partial_in *in, yajl_handle *hp,
    struct partial_line *l)
{
	struct correlate_val	 v[PARTIAL_VALUES_MAX];
	char			*line = NULL;
	size_t			 size = 0, len, i, ncorr;
	uint64_t		 events = 0;
	int			 got, rv = -1;

	ncorr = correlate_count(e);
	for (;;) {
		if ((got = partial_read_line(in, &line, &size, &len)) == -1)
			goto out;
		if (got == 0) {
			diag(DIAG_CONFIG, in->path, in->lineno, "truncated: "
			    "no end line (did shard %lld/%lld finish?)",
			    in->shard, in->shards);
			goto out;
		}
		if (partial_parse(hp, l, line, len) == -1) {
			diag(DIAG_CONFIG, in->path, in->lineno, "bad line: %s",
			    l->why);
			goto out;
		}
		if (l->have_end)
			break;
		if (!l->have_c || !l->have_s || !l->have_t || !l->have_v ||
		    l->c < 0 || (size_t)l->c >= ncorr || l->s < 0 ||
		    l->s >= correlate_nslots(e, (size_t)l->c) ||
		    l->nv != correlate_nvalues(e, (size_t)l->c)) {
			diag(DIAG_CONFIG, in->path, in->lineno, "bad line: "
			    "not a match of these correlation rules");
			goto out;
		}
		for (i = 0; i < l->nv; i++) {
			v[i].s = l->vbuf.data + l->voff[i];
			v[i].len = l->vlen[i];
		}
		correlate_replay(e, (size_t)l->c, (uint32_t)l->s, l->t, l->t,
		    (uint64_t)l->i, v);
		events++;
	}
	if (!l->have_events || l->events < 0 || !l->have_untimed ||
	    l->nuntimed != ncorr) {
		diag(DIAG_CONFIG, in->path, in->lineno, "bad end line: want "
		    "events and %zu untimed counts", ncorr);
		goto out;
	}
	if ((uint64_t)l->events != events) {
		diag(DIAG_CONFIG, in->path, in->lineno, "the end line counts "
		    "%lld matches, the file holds %llu", l->events,
		    (unsigned long long)events);
		goto out;
	}
	if (partial_read_line(in, &line, &size, &len) != 0) {
		diag(DIAG_CONFIG, in->path, in->lineno, "more after the end "
		    "line");
		goto out;
	}
	for (i = 0; i < ncorr; i++)
		correlate_untimed_add(e, i, l->untimed[i]);
	/* Not a refusal: what the shard read is merged, as it would be. */
	if (l->incomplete)
		diag(DIAG_ERROR, in->path, in->lineno, "shard %lld/%lld did "
		    "not read all its input: correlation findings may be "
		    "missing", in->shard, in->shards);
	rv = 0;
out:
	free(line);
	return rv;
}

static int
partial_cmp_in(const void *a, const void *b)
{
	const struct partial_in	*x = a, *y = b;

	return x->shard < y->shard ? -1 : x->shard > y->shard;
}

/* ctaudit merge: check every header, then read the files shard by shard. */
int
partial_merge(struct correlate *e, char *const *paths, size_t n)
{
	struct partial_in	*in;
	struct partial_line	 l;
	yajl_handle		 h = NULL;
	char			 want[32];
	size_t			 i, j, bad = 0;
	long long		 k;

	memset(&l, 0, sizeof l);
	buf_init(&l.vbuf, PARTIAL_LINE_MAX);
	snprintf(want, sizeof want, "%016" PRIx64, partial_rules_hash(e));
	in = xcalloc(n, sizeof *in);
	for (i = 0; i < n; i++) {
		in[i].path = paths[i];
		in[i].shard = -1;
		if (partial_header(&in[i], &h, &l, want) == -1) {
			bad++;
			continue;
		}
		/* The first good header sets the count. */
		for (j = 0; j < i && in[j].shard == -1; j++)
			;
		if (j < i && in[j].shards != in[i].shards) {
			diag(DIAG_CONFIG, in[i].path, 1, "shard %lld/%lld, "
			    "but %s is of %lld shards", in[i].shard,
			    in[i].shards, in[j].path, in[j].shards);
			in[i].shard = -1;
			bad++;
			continue;
		}
		for (; j < i; j++) {
			if (in[j].shard == -1)
				continue;
			if (in[j].shard == in[i].shard) {
				diag(DIAG_CONFIG, in[i].path, 1, "shard "
				    "%lld/%lld again (also in %s)",
				    in[i].shard, in[i].shards, in[j].path);
				bad++;
				break;
			}
		}
	}
	if (bad == 0) {
		qsort(in, n, sizeof *in, partial_cmp_in);
		/* Sorted and without duplicates: the gaps are the missing. */
		for (k = 0, i = 0; k < in[0].shards; k++) {
			if (i < n && in[i].shard == k)
				i++;
			else {
				diag(DIAG_CONFIG, NULL, 0, "no partial file for "
				    "shard %lld/%lld", k, in[0].shards);
				bad++;
			}
		}
	}
	for (i = 0; bad == 0 && i < n; i++) {
		if (partial_body(e, &in[i], &h, &l) == -1)
			bad++;
	}
	for (i = 0; i < n; i++) {
		if (in[i].f != NULL)
			fclose(in[i].f);
	}
	if (h != NULL)
		yajl_free(h);
	buf_clear(&l.vbuf);
	free(l.untimed);
	free(in);
	return bad == 0 ? 0 : -1;
}
