/* SPDX-License-Identifier: ISC */
/*
 * --sort time: a format's findings written in eventTime order, in bounded
 * memory.  The format (text, json, csv) writes each finding to a memory
 * stream; the bytes are kept with their time and arrival number.  Past
 * the cap (OUTPUT_SORT_CAP) the kept findings are sorted and spilled to
 * an unlinked temporary file in $TMPDIR, a "run"; at the end the runs are
 * merged, OUTPUT_SORT_FANIN at a time, into the output.  Ties keep the
 * arrival order; a finding without a usable eventTime comes last, and a
 * correlation finding sorts by the first event of its window.  The bytes
 * the format writes when it opens (the CSV header) and closes stay first
 * and last.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eventtime.h"
#include "log.h"
#include "output.h"
#include "output_int.h"
#include "xmalloc.h"

struct output_sort_rec {
	int64_t		 key;		/* eventTime, ms */
	uint64_t	 seq;		/* arrival, for a stable order */
	size_t		 len;
	char		*data;
};

/* One run being merged: its file and the record at its head. */
struct output_sort_run {
	FILE			*f;
	struct output_sort_rec	 head;
	int			 live;
};

struct output_sort {
	FILE			 *out;
	const struct output_ops	 *inner;
	void			 *ip;
	FILE			 *mem;		/* the format writes here */
	char			 *membuf;
	size_t			  memlen;
	char			 *header;
	size_t			  headerlen;
	struct output_sort_rec	 *v;
	size_t			  n, size;
	size_t			  bytes, cap;
	uint64_t		  seq;
	FILE			**runs;
	size_t			  nruns;
	int			  failed;
};

static void	*output_sort_open(FILE *, const struct output_opts *);
static void	 output_sort_write(void *, const struct finding *);
static int	 output_sort_close(void *);
static int	 output_sort_cmp(const void *, const void *);
static int64_t	 output_sort_key(const struct finding *);
static FILE	*output_sort_tmp(struct output_sort *);
static void	 output_sort_spill(struct output_sort *);
static int	 output_sort_put(FILE *, const struct output_sort_rec *, int);
static int	 output_sort_get(FILE *, struct output_sort_rec *);
static int	 output_sort_merge(struct output_sort *, FILE **, size_t,
		    FILE *, int);
static size_t	 output_sort_take(struct output_sort *);

const struct output_ops output_sort_ops = {
	.name = "sort",
	.open = output_sort_open,
	.write = output_sort_write,
	.close = output_sort_close,
};

static void *
output_sort_open(FILE *f, const struct output_opts *opts)
{
	struct output_sort	*os;

	os = xcalloc(1, sizeof *os);
	os->out = f;
	os->inner = opts->sort_inner;
	os->cap = opts->sort_cap != 0 ? opts->sort_cap : OUTPUT_SORT_CAP;
	if ((os->mem = open_memstream(&os->membuf, &os->memlen)) == NULL)
		fatal("open_memstream");
	os->ip = os->inner->open(os->mem, opts);
	os->headerlen = output_sort_take(os);
	os->header = xmalloc(os->headerlen + 1);
	memcpy(os->header, os->membuf, os->headerlen);
	return os;
}

/* Flush what the format wrote: its length in membuf; then start over. */
static size_t
output_sort_take(struct output_sort *os)
{
	off_t	len;

	if (fflush(os->mem) == EOF || (len = ftello(os->mem)) == -1)
		fatal("open_memstream");
	if (fseeko(os->mem, 0, SEEK_SET) == -1)
		fatal("open_memstream");
	return (size_t)len;
}

/* The time a finding sorts by. */
static int64_t
output_sort_key(const struct finding *fd)
{
	const char	*s;
	size_t		 len;
	int64_t		 t;

	if (fd->corr != NULL)
		return fd->corr->first;
	if (!output_field(fd, "eventTime", &s, &len) ||
	    eventtime_parse(s, len, &t) == -1)
		return INT64_MAX;
	return t;
}

static int
output_sort_cmp(const void *a, const void *b)
{
	const struct output_sort_rec	*x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return 0;
}

static void
output_sort_write(void *priv, const struct finding *fd)
{
	struct output_sort	*os = priv;
	struct output_sort_rec	*r;
	size_t			 len;

	os->inner->write(os->ip, fd);
	len = output_sort_take(os);
	if (os->n == os->size) {
		os->size = os->size == 0 ? 1024 : os->size * 2;
		os->v = xreallocarray(os->v, os->size, sizeof *os->v);
	}
	r = &os->v[os->n++];
	r->key = output_sort_key(fd);
	r->seq = os->seq++;
	r->len = len;
	r->data = xmalloc(len + 1);
	memcpy(r->data, os->membuf, len);
	os->bytes += len + sizeof *r;
	if (os->bytes > os->cap)
		output_sort_spill(os);
}

/* An unlinked temporary file in $TMPDIR (or /tmp), or NULL (reported). */
static FILE *
output_sort_tmp(struct output_sort *os)
{
	const char	*dir;
	char		*path;
	FILE		*f = NULL;
	int		 fd;

	if ((dir = getenv("TMPDIR")) == NULL || *dir == '\0')
		dir = "/tmp";
	path = xprintf("%s/ctaudit-sort.XXXXXXXXXX", dir);
	if ((fd = mkstemp(path)) == -1 || unlink(path) == -1 ||
	    (f = fdopen(fd, "w+")) == NULL) {
		/* Once: every later spill would fail the same way. */
		if (!os->failed)
			diag(DIAG_ERROR, dir, 0, "--sort: temporary file: %s",
			    strerror(errno));
		if (fd != -1)
			close(fd);
		os->failed = 1;
	}
	free(path);
	return f;
}

/* One record of a run: key, seq, length, bytes. */
static int
output_sort_put(FILE *f, const struct output_sort_rec *r, int as_run)
{
	uint64_t	len = r->len;

	if (as_run && (fwrite(&r->key, sizeof r->key, 1, f) != 1 ||
	    fwrite(&r->seq, sizeof r->seq, 1, f) != 1 ||
	    fwrite(&len, sizeof len, 1, f) != 1))
		return -1;
	if (r->len != 0 && fwrite(r->data, r->len, 1, f) != 1)
		return -1;
	return 0;
}

/* The next record of a run: 1, 0 at its end, -1 on error. */
static int
output_sort_get(FILE *f, struct output_sort_rec *r)
{
	uint64_t	len;

	if (fread(&r->key, sizeof r->key, 1, f) != 1)
		return ferror(f) ? -1 : 0;
	if (fread(&r->seq, sizeof r->seq, 1, f) != 1 ||
	    fread(&len, sizeof len, 1, f) != 1 || len > SIZE_MAX - 1)
		return -1;
	r->len = (size_t)len;
	r->data = xmalloc(r->len + 1);
	if (r->len != 0 && fread(r->data, r->len, 1, f) != 1) {
		free(r->data);
		r->data = NULL;
		return -1;
	}
	return 1;
}

/* Sort what is kept and write it to a new run. */
static void
output_sort_spill(struct output_sort *os)
{
	FILE	*f;
	size_t	 i;

	qsort(os->v, os->n, sizeof *os->v, output_sort_cmp);
	if ((f = output_sort_tmp(os)) != NULL) {
		for (i = 0; i < os->n; i++)
			if (output_sort_put(f, &os->v[i], 1) == -1)
				break;
		if (i < os->n || fflush(f) == EOF) {
			if (!os->failed)
				diag(DIAG_ERROR, NULL, 0, "--sort: temporary "
				    "file: %s", strerror(errno));
			os->failed = 1;
			fclose(f);
		} else {
			rewind(f);
			os->runs = xreallocarray(os->runs, os->nruns + 1,
			    sizeof *os->runs);
			os->runs[os->nruns++] = f;
		}
	}
	for (i = 0; i < os->n; i++)
		free(os->v[i].data);
	os->n = 0;
	os->bytes = 0;
}

/* Merge n runs (and close them) into out, as a run or as plain bytes. */
static int
output_sort_merge(struct output_sort *os, FILE **in, size_t n, FILE *out,
    int as_run)
{
	struct output_sort_run	*r;
	size_t			 i, best;
	int			 rv = 0, got;

	r = xcalloc(n, sizeof *r);
	for (i = 0; i < n; i++) {
		r[i].f = in[i];
		if ((got = output_sort_get(r[i].f, &r[i].head)) == -1)
			rv = -1;
		r[i].live = got == 1;
	}
	for (;;) {
		best = n;
		for (i = 0; i < n; i++)
			if (r[i].live && (best == n ||
			    output_sort_cmp(&r[i].head, &r[best].head) < 0))
				best = i;
		if (best == n)
			break;
		if (output_sort_put(out, &r[best].head, as_run) == -1)
			rv = -1;
		free(r[best].head.data);
		if ((got = output_sort_get(r[best].f, &r[best].head)) == -1)
			rv = -1;
		r[best].live = got == 1;
	}
	for (i = 0; i < n; i++)
		fclose(r[i].f);
	free(r);
	if (rv == -1 && !os->failed) {
		diag(DIAG_ERROR, NULL, 0, "--sort: temporary file: %s",
		    strerror(errno));
		os->failed = 1;
	}
	return rv;
}

static int
output_sort_close(void *priv)
{
	struct output_sort	*os = priv;
	FILE			*f;
	size_t			 i, trailer;
	int			 rv;

	if (os == NULL)
		return 0;
	os->inner->close(os->ip);
	trailer = output_sort_take(os);
	fwrite(os->header, 1, os->headerlen, os->out);
	if (os->nruns == 0) {
		qsort(os->v, os->n, sizeof *os->v, output_sort_cmp);
		for (i = 0; i < os->n; i++) {
			output_sort_put(os->out, &os->v[i], 0);
			free(os->v[i].data);
		}
	} else {
		if (os->n > 0)
			output_sort_spill(os);
		/* Few enough runs to hold open at once, then the output. */
		while (os->nruns > OUTPUT_SORT_FANIN &&
		    (f = output_sort_tmp(os)) != NULL) {
			output_sort_merge(os, os->runs, OUTPUT_SORT_FANIN, f, 1);
			if (fflush(f) == EOF)
				os->failed = 1;
			rewind(f);
			memmove(os->runs, os->runs + OUTPUT_SORT_FANIN,
			    (os->nruns - OUTPUT_SORT_FANIN) * sizeof *os->runs);
			os->nruns -= OUTPUT_SORT_FANIN - 1;
			os->runs[os->nruns - 1] = f;
		}
		if (os->nruns <= OUTPUT_SORT_FANIN)
			output_sort_merge(os, os->runs, os->nruns, os->out, 0);
		else {
			for (i = 0; i < os->nruns; i++)
				fclose(os->runs[i]);
		}
	}
	fwrite(os->membuf, 1, trailer, os->out);
	fclose(os->mem);
	free(os->membuf);
	free(os->header);
	free(os->v);
	free(os->runs);
	rv = os->failed ? -1 : 0;
	free(os);
	if (rv == -1)
		errno = EIO;
	return rv;
}
