/* SPDX-License-Identifier: ISC */
/*
 * Scanning one stream: read it in large chunks, inflate it if it is gzip
 * (gz.c), parse it and build records (json.c), and hand each record to the
 * caller.  Whatever stops the stream early (a read error, corrupt or
 * truncated gzip, a JSON syntax error outside JSON Lines) is reported here
 * or below it with the stream's name; the records before the damage have
 * already been delivered.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "gz.h"
#include "json.h"
#include "log.h"
#include "scan.h"
#include "source.h"
#include "xmalloc.h"

#define SCAN_READ_SIZE	(256 * 1024)

/*
 * Kept from one stream to the next: an archive is thousands of small
 * files, and making these anew for each costs more than reading it.
 */
static __thread char	*scan_buf;	/* one each per thread */
static __thread struct gz *scan_gz;
static __thread int	 scan_hashing;	/* scan_hash() */

/*
 * One stream's scan: the caller's callback, and the JSON stage's counts,
 * added to the caller's as they change so that progress stays current.
 */
struct scan_ctx {
	scan_record_cb		*cb;
	void			*arg;
	struct scan_stats	*st;
	struct json_stats	 js, added;
};

static void	 scan_sync(struct scan_ctx *);
static void	 scan_record(struct record *, void *);

/* Add the JSON stage's counts since the last call to the caller's. */
static void
scan_sync(struct scan_ctx *c)
{
	struct scan_stats	*st = c->st;

	st->records += c->js.records - c->added.records;
	st->records_skipped += c->js.records_skipped -
	    c->added.records_skipped;
	st->digests += c->js.digests - c->added.digests;
	st->insights += c->js.insights - c->added.insights;
	st->repaired += c->js.repaired - c->added.repaired;
	st->bytes_json += c->js.bytes_json - c->added.bytes_json;
	c->added = c->js;
}

static void
scan_record(struct record *rec, void *arg)
{
	struct scan_ctx	*c = arg;

	scan_sync(c);
	c->cb(rec, c->arg);
}

/* Free what this thread kept from one stream to the next. */
void
scan_thread_clear(void)
{
	free(scan_buf);
	scan_buf = NULL;
	gz_free(scan_gz);
	scan_gz = NULL;
	json_thread_clear();
}

/* Scan a stream to its end, or as far as it can be read. */
int
scan_stream(struct stream *s, scan_record_cb *cb, void *arg,
    struct scan_stats *st)
{
	struct gz	*g;
	struct json	*j;
	char		*buf, *cause = NULL;
	const char	*out;
	size_t		 len;
	ssize_t		 n;
	struct scan_ctx	 c;
	int		 r = 0, cut = 0, stopped = 0, rv;

	memset(&c, 0, sizeof c);
	c.cb = cb;
	c.arg = arg;
	c.st = st;
	st->streams++;
	if (scan_buf == NULL) {
		scan_buf = xmalloc(SCAN_READ_SIZE);
		scan_gz = gz_create();
	}
	buf = scan_buf;
	g = scan_gz;
	gz_hash(g, scan_hashing);
	gz_reset(g);
	j = json_create(s->name, scan_record, &c, &c.js);
	do {
		if ((n = s->read(s, buf, SCAN_READ_SIZE, &cause)) == -1) {
			diag(DIAG_ERROR, s->name, 0, "%s", cause);
			cut = 1;
			break;
		}
		st->bytes_in += (uint64_t)n;
		gz_input(g, buf, (size_t)n);
		while ((r = gz_output(g, &out, &len, &cause)) == 1) {
			rv = json_feed(j, out, len);
			scan_sync(&c);
			if (rv == -1) {
				stopped = 1;
				break;
			}
		}
		if (r == -1) {
			diag(DIAG_ERROR, s->name, 0, "%s", cause);
			cut = 1;
		}
	} while (n != 0 && !cut && !stopped);

	rv = json_end(j, !cut);
	scan_sync(&c);
	if (cut || stopped || rv == -1 || json_incomplete(j))
		st->streams_failed++;
	rv = cut || stopped || rv == -1 || json_failed(j) ? -1 : 0;
	json_free(j);
	free(cause);
	return rv;
}

/* --verify: hash each stream's inflated bytes as it is scanned (gz.c). */
void
scan_hash(int on)
{
	scan_hashing = on;
}

/* The hex SHA-256 of the last stream scanned: 0, or -1 if not hashed. */
int
scan_hash_hex(char *hex)
{
	return scan_gz != NULL ? gz_hash_hex(scan_gz, hex) : -1;
}
