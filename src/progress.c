/* SPDX-License-Identifier: ISC */
/*
 * The progress line: what the scan has read so far, on one line of a
 * terminal's standard error that is redrawn with a carriage return.  It
 * shows the files done (out of the total when the paths are local and
 * could be counted first), the records, the rate and, with a total, an
 * estimate of the time left.  Anything else written to the terminal (a
 * diagnostic from diag(), a finding from the text output) calls
 * progress_hide() first and progress_show() after, so that no line is
 * ever written over the progress line or appended to it.  Short runs
 * never show it; a run that showed it clears it when the scan is done.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <fts.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "progress.h"
#include "xmalloc.h"

#define PROGRESS_LINE_MAX	256
#define PROGRESS_COUNT_MAX	1000000	/* files counted before giving up */

struct progress {
	struct timespec	 start;
	time_t		 last;		/* the second of the last redraw */
	int		 always;	/* redraw at every call (tests) */
	int		 shown;		/* the line has been drawn */
	int		 visible;	/* and is on the terminal now */
	uint64_t	 files;		/* total files, or 0: not known */
	uint64_t	 bytes;		/* and their bytes */
	char		 line[PROGRESS_LINE_MAX];
};

/* The line on standard error now, for progress_hide(), or NULL. */
static struct progress	*progress_active;

static void	progress_count(struct progress *, const char *const *,
		    size_t);
static double	progress_elapsed(const struct progress *);

/*
 * Count the files and bytes under local paths, for a total; any path
 * that is not local (S3, standard input) or a tree too large to count
 * leaves the total unknown.
 */
static void
progress_count(struct progress *p, const char *const *paths, size_t npaths)
{
	char		*argv[2];
	FTS		*fts;
	FTSENT		*e;
	size_t		 i;
	uint64_t	 files = 0, bytes = 0;

	for (i = 0; i < npaths; i++) {
		if (strcmp(paths[i], "-") == 0 || strstr(paths[i], "://"))
			return;
		argv[0] = (char *)paths[i];
		argv[1] = NULL;
		if ((fts = fts_open(argv, FTS_PHYSICAL | FTS_NOCHDIR,
		    NULL)) == NULL)
			return;
		while ((e = fts_read(fts)) != NULL) {
			if (e->fts_info != FTS_F)
				continue;
			if (++files > PROGRESS_COUNT_MAX) {
				fts_close(fts);
				return;
			}
			bytes += (uint64_t)e->fts_statp->st_size;
		}
		fts_close(fts);
	}
	p->files = files;
	p->bytes = bytes;
}

/* Start a progress line for a scan of these paths. */
struct progress *
progress_create(const char *const *paths, size_t npaths)
{
	struct progress	*p;
	const char	*s;

	p = xcalloc(1, sizeof *p);
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	p->always = (s = getenv("CTAUDIT_PROGRESS")) != NULL &&
	    strcmp(s, "always") == 0;
	progress_count(p, paths, npaths);
	progress_active = p;
	return p;
}

/* Free a progress line; it is no longer drawn. */
void
progress_free(struct progress *p)
{
	if (p != NULL && progress_active == p)
		progress_active = NULL;
	free(p);
}

static double
progress_elapsed(const struct progress *p)
{
	struct timespec	now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - p->start.tv_sec) +
	    (double)(now.tv_nsec - p->start.tv_nsec) / 1e9;
}

/* Clear the progress line, if it is drawn, before writing a line. */
void
progress_hide(void)
{
	struct progress	*p = progress_active;

	if (p == NULL || !p->visible)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	p->visible = 0;
}

/* Draw the progress line again after progress_hide(). */
void
progress_show(void)
{
	struct progress	*p = progress_active;

	if (p == NULL || !p->shown || p->visible)
		return;
	fputs(p->line, stderr);
	fflush(stderr);
	p->visible = 1;
}

/* Redraw the progress line at most once a second; done clears it. */
void
progress_update(const struct audit_stats *st, int done, void *arg)
{
	struct progress	*p = arg;
	struct winsize	 ws;
	char		 files[64], eta[32];
	double		 secs, rate, left;
	size_t		 width = PROGRESS_LINE_MAX - 1;
	time_t		 now;

	if (done) {
		progress_hide();
		p->shown = 0;
		return;
	}
	now = time(NULL);
	if (!p->always) {
		if (now == p->last)
			return;
		if (p->last == 0) {
			/* Short runs never show the line. */
			p->last = now;
			return;
		}
	}
	p->last = now;

	secs = progress_elapsed(p);
	rate = secs > 0 ? (double)st->scan.bytes_in / secs : 0;
	if (p->files != 0)
		snprintf(files, sizeof files, "%llu/%llu files",
		    (unsigned long long)st->scan.streams,
		    (unsigned long long)p->files);
	else
		snprintf(files, sizeof files, "%llu files",
		    (unsigned long long)st->scan.streams);
	if (p->bytes != 0 && rate > 0 && st->scan.bytes_in <= p->bytes) {
		left = (double)(p->bytes - st->scan.bytes_in) / rate;
		snprintf(eta, sizeof eta, ", ETA %lu:%02lu",
		    (unsigned long)(left / 60), (unsigned long)left % 60);
	} else
		eta[0] = '\0';
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 &&
	    (size_t)ws.ws_col - 1 < width)
		width = ws.ws_col - 1;
	/* Never wider than the terminal: a wrapped line cannot be cleared. */
	snprintf(p->line, sizeof p->line, "\r\033[Kctaudit: %s, %.1f MB, "
	    "%llu records, %llu findings, %.1f MB/s%s", files,
	    (double)st->scan.bytes_in / (1024 * 1024),
	    (unsigned long long)st->scan.records,
	    (unsigned long long)st->nfindings, rate / (1024 * 1024), eta);
	if (strlen(p->line) > width + 4)
		p->line[width + 4] = '\0';
	p->shown = 1;
	p->visible = 0;
	progress_show();
}
