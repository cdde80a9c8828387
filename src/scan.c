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
static char		*scan_buf;
static struct gz	*scan_gz;

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
	int		 r = 0, cut = 0, stopped = 0, rv;

	st->streams++;
	if (scan_buf == NULL) {
		scan_buf = xmalloc(SCAN_READ_SIZE);
		scan_gz = gz_create();
	}
	buf = scan_buf;
	g = scan_gz;
	gz_reset(g);
	j = json_create(s->name, cb, arg, st);
	do {
		if ((n = s->read(s, buf, SCAN_READ_SIZE, &cause)) == -1) {
			diag(DIAG_ERROR, s->name, 0, "%s", cause);
			cut = 1;
			break;
		}
		st->bytes_in += (uint64_t)n;
		gz_input(g, buf, (size_t)n);
		while ((r = gz_output(g, &out, &len, &cause)) == 1) {
			if (json_feed(j, out, len) == -1) {
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
	if (cut || stopped || rv == -1 || json_incomplete(j))
		st->streams_failed++;
	rv = cut || stopped || rv == -1 || json_failed(j) ? -1 : 0;
	json_free(j);
	free(cause);
	return rv;
}
