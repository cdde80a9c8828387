/* SPDX-License-Identifier: ISC */
/*
 * The journal of the state file (state.c says what the state keeps).
 *
 * The state is saved once, at the end of a run.  So that a run killed
 * half-way (kill -9, the OOM killer, a reboot) does not leave the next
 * one to write again what it had written, each stream is checkpointed in
 * a journal, PATH.journal, once its findings are in the output (flushed):
 * a line per finding written (its dedup pair, as in the state) and one
 * for the stream itself (what the state keeps of it), appended; the
 * correlation matches of its records come before them, as they are made
 * (as in the state; state_carry.c).
 *
 *	ctaudit-journal 1 BOOT_ID
 *	seen EVENTTIME_MS RULE_ID EVENT_ID
 *	corr T_MS T0_MS ID CORR_ID NAMED_ID VALUES
 *	file ROOT PATH SIZE MTIME_NS CTIME_NS
 *	key BUCKET PREFIX KEY
 *	sync
 *
 * The order of the writes is the whole design.  A line is appended only
 * after the output it covers has reached the kernel, so a process that
 * dies can only leave the findings of one stream written but not
 * journaled (killed between the two writes), never the other way round.
 * A machine that goes down loses what was not synced, in any order, so
 * every STATE_JOURNAL_SYNC_MS (no more often: an fsync per stream is too
 * slow on big archives) the output is fsynced, then a 'sync' line is
 * appended and the journal synced.  The header names the boot
 * (/proc/sys/kernel/random/boot_id): after a reboot only the lines
 * before the last 'sync' count, and the streams after it are read and
 * written again.  Lost checkpoints mean more reading, never less.
 *
 * The next run, under the lock, folds a journal it finds into the state,
 * saves that (so its own journal can start afresh) and removes it.  A
 * final line cut short is the mark of a crash and is ignored; anything
 * else wrong is an error, as in the state.  A clean end of the run saves
 * the state, which covers all the journal did, and removes the journal.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hash.h"
#include "log.h"
#include "s3.h"
#include "state.h"
#include "state_int.h"
#include "xmalloc.h"

static void	 state_boot_id(char *, size_t);
static int64_t	 state_monotonic(void);
static int	 state_journal_parse(struct state *, char **, size_t,
		    char **);
static void	 state_journal_stop(struct state *, const char *,
		    const char *);
static void	 state_journal_sync(struct state *);

/* This boot's id, or "-" where there is none to read. */
static void
state_boot_id(char *buf, size_t size)
{
	FILE	*f;
	size_t	 len = 0;

	if ((f = fopen(STATE_BOOT_ID, "re")) != NULL) {
		if (fgets(buf, (int)size, f) != NULL &&
		    (len = strcspn(buf, "\n")) > 0 &&
		    strspn(buf, "0123456789abcdef-") == len)
			buf[len] = '\0';
		else
			len = 0;
		fclose(f);
	}
	if (len == 0)
		snprintf(buf, size, "-");
}

static int64_t
state_monotonic(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		fatal("clock_gettime");
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Fold one journal record into the state: 0, or -1 and *cause. */
static int
state_journal_parse(struct state *st, char **f, size_t nf, char **cause)
{
	static const struct state_rec	recs[] = {
		{ "seen", 4 }, { "file", 6 }, { "key", 4 }, { "sync", 1 },
		{ "corr", 7 },
	};
	struct state_scope	*sc;
	struct state_ent	*e;
	enum state_kind		 kind;
	char			*key;
	int64_t			 n[3];
	size_t			 i;

	if (state_fields(recs, nitems(recs), f, nf, cause) == -1)
		return -1;
	if (strcmp(f[0], "sync") == 0)
		return 0;	/* only its place matters */
	if (strcmp(f[0], "corr") == 0)
		return state_carry_parse(st, f, 1, cause);
	if (strcmp(f[0], "seen") == 0) {
		if (state_number(f[1], &n[0]) == -1)
			goto badnum;
		if (strchr(f[2], '\t') != NULL || *f[2] == '\0' ||
		    *f[3] == '\0') {
			*cause = xstrdup("bad rule or event id");
			return -1;
		}
		key = xprintf("%s\t%s", f[2], f[3]);
		if (state_tab_find(&st->pairtab, key, state_pair_key, st) ==
		    SIZE_MAX) {
			state_pair_add(st, key, n[0]);
			if (st->npairs >= 2 * st->opts.seen_max)
				state_prune(st, st->opts.seen_max);
		}
		free(key);
		return 0;
	}

	/* file ROOT PATH SIZE MTIME CTIME, or key BUCKET PREFIX KEY. */
	kind = *f[0] == 'f' ? STATE_FILE : STATE_S3;
	if (kind == STATE_FILE) {
		for (i = 0; i < 3; i++)
			if (state_number(f[3 + i], &n[i]) == -1)
				goto badnum;
	} else if (*f[3] == '\0') {
		*cause = xstrdup("empty key");
		return -1;
	}
	st->stats.recovered++;
	if ((sc = state_scope_find(st, kind, f[1],
	    kind == STATE_S3 ? f[2] : NULL)) == NULL) {
		/* Past a cap, forget: the next run reads it again. */
		if (st->nscopes == STATE_SCOPES_MAX)
			return 0;
		sc = state_scope_add(st, kind, f[1],
		    kind == STATE_S3 ? f[2] : NULL);
	}
	key = kind == STATE_FILE ? f[2] : f[3];
	if (kind == STATE_S3 && sc->mark != NULL && strcmp(key, sc->mark) <= 0)
		return 0;
	if (state_ent_get(sc, key) == NULL &&
	    sc->nents == STATE_DONE_MAX + STATE_RETRY_MAX)
		return 0;
	e = state_ent_add(sc, key);
	e->flags = STATE_E_OLD;
	if (kind == STATE_FILE) {
		e->size = (uint64_t)n[0];
		e->mtime = n[1];
		e->ctime = n[2];
	}
	return 0;
badnum:
	*cause = xprintf("'%s': bad number", f[0]);
	return -1;
}

/*
 * Fold in the journal of a run that died, save the state and remove the
 * journal: 0 (also if there is none), or -1 with *cause and *line.
 */
int
state_journal_load(struct state *st, unsigned long *line, char **cause)
{
	FILE		*f;
	char		 boot[STATE_BOOT_MAX + 2], *buf = NULL, *p;
	char		*fields[STATE_FIELDS_MAX];
	size_t		 size = 0, nf;
	ssize_t		 len;
	unsigned long	 last = 0, upto, lastsync = 0;
	int		 fd, same = 0, rv = -1;

	*line = 0;
	if ((fd = state_open_file(st->jpath, O_RDONLY, cause)) == -1) {
		if (errno != ENOENT)
			return -1;
		free(*cause);
		*cause = NULL;
		return 0;
	}
	if ((f = fdopen(fd, "r")) == NULL)
		fatal("fdopen");

	/*
	 * First the extent: complete lines only, and after a reboot only
	 * those up to the last 'sync' (the rest may cover lost output).
	 */
	state_boot_id(boot, sizeof boot);
	while ((len = getline(&buf, &size, f)) != -1) {
		if (buf[len - 1] != '\n')
			break;		/* cut short by the crash */
		last++;
		if (strcmp(buf, "sync\n") == 0)
			lastsync = last;
		if (last == 1 && strncmp(buf, STATE_JOURNAL_MAGIC " 1 ",
		    sizeof STATE_JOURNAL_MAGIC + 2) == 0) {
			buf[len - 1] = '\0';
			same = strcmp(boot, "-") != 0 && strcmp(buf +
			    sizeof STATE_JOURNAL_MAGIC + 2, boot) == 0;
		}
	}
	if (ferror(f)) {
		*cause = xprintf("read error: %s", strerror(errno));
		goto out;
	}
	upto = same ? last : lastsync;
	if (last > 0 && upto == 0)
		upto = 1;	/* the header is checked all the same */

	rewind(f);
	while (*line < upto && (len = getline(&buf, &size, f)) != -1) {
		(*line)++;
		if (len > STATE_LINE_MAX) {
			*cause = xprintf("line longer than %d bytes",
			    STATE_LINE_MAX);
			goto out;
		}
		buf[--len] = '\0';
		if (strlen(buf) != (size_t)len) {
			*cause = xstrdup("NUL byte");
			goto out;
		}
		for (nf = 0, p = buf; p != NULL && nf < STATE_FIELDS_MAX;)
			fields[nf++] = strsep(&p, " ");
		if (p != NULL) {
			*cause = xstrdup("too many fields");
			goto out;
		}
		if (*line == 1) {
			if (strcmp(fields[0], STATE_JOURNAL_MAGIC) != 0 ||
			    nf != 3 || strcmp(fields[1], "1") != 0) {
				*cause = xstrdup("not a ctaudit journal (no "
				    "'" STATE_JOURNAL_MAGIC " 1' line)");
				goto out;
			}
			continue;
		}
		if (state_journal_parse(st, fields, nf, cause) == -1)
			goto out;
	}
	if (ferror(f)) {
		*cause = xprintf("read error: %s", strerror(errno));
		*line = 0;
		goto out;
	}
	*line = 0;
	if (st->stats.recovered > 0)
		diag(DIAG_NOTE, st->jpath, 0, "a run that did not finish "
		    "audited %llu files: not read again",
		    (unsigned long long)st->stats.recovered);
	if (state_save(st, cause) == -1)
		goto out;
	rv = 0;
out:
	free(buf);
	fclose(f);
	return rv;
}

/* Start checkpointing in a new journal. */
int
state_journal_begin(struct state *st, FILE *out, char **cause)
{
	struct stat	sb;
	char		boot[STATE_BOOT_MAX + 2];
	int		fd;

	/* Loading removed the last one; never write through a link. */
	fd = open(st->jpath, O_WRONLY | O_CREAT | O_EXCL | O_APPEND |
	    O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1) {
		*cause = xprintf("%s: %s", st->jpath, strerror(errno));
		return -1;
	}
	if ((st->jf = fdopen(fd, "a")) == NULL)
		fatal("fdopen");
	state_boot_id(boot, sizeof boot);
	st->out = out;
	st->out_sync = fstat(fileno(out), &sb) == 0 && S_ISREG(sb.st_mode);
	st->jsync_ms = state_monotonic();
	fprintf(st->jf, "%s 1 %s\n", STATE_JOURNAL_MAGIC, boot);
	if (fflush(st->jf) == EOF || fdatasync(fd) == -1) {
		*cause = xprintf("%s: %s", st->jpath, strerror(errno));
		fclose(st->jf);
		st->jf = NULL;
		(void)unlink(st->jpath);
		return -1;
	}
	return 0;
}

/* Forget this run's checkpoints. */
void
state_journal_drop(struct state *st)
{
	if (st->jf != NULL) {
		fclose(st->jf);
		st->jf = NULL;
	}
	(void)unlink(st->jpath);
}

/* No more checkpoints this run; what the journal has stays good. */
static void
state_journal_stop(struct state *st, const char *what, const char *why)
{
	diag(DIAG_WARN, st->jpath, 0, "%s: %s; no more checkpoints this run",
	    what, why);
	fclose(st->jf);
	st->jf = NULL;
}

/* Journal a stream's findings and, if e, the stream itself. */
void
state_journal_put(struct state *st, struct state_scope *sc,
    struct state_ent *e)
{
	char	*tab;
	size_t	 i;

	/* The output first: a line must never cover what is not out. */
	if (fflush(st->out) == EOF || ferror(st->out)) {
		/* main() reports the output's error itself. */
		fclose(st->jf);
		st->jf = NULL;
		goto out;
	}
	for (i = 0; i < st->npend; i++) {
		tab = strchr(st->pend[i].key, '\t');
		*tab = '\0';
		fprintf(st->jf, "seen %lld", (long long)st->pend[i].t);
		state_put(st->jf, st->pend[i].key);
		state_put(st->jf, tab + 1);
		fputc('\n', st->jf);
	}
	if (e != NULL && sc->kind == STATE_FILE) {
		fputs("file", st->jf);
		state_put(st->jf, sc->a);
		state_put(st->jf, e->key);
		fprintf(st->jf, " %llu %lld %lld\n",
		    (unsigned long long)e->size, (long long)e->mtime,
		    (long long)e->ctime);
	} else if (e != NULL) {
		fputs("key", st->jf);
		state_put(st->jf, sc->a);
		state_put(st->jf, sc->b);
		state_put(st->jf, e->key);
		fputc('\n', st->jf);
	}
	if (fflush(st->jf) == EOF || ferror(st->jf)) {
		state_journal_stop(st, "write error", strerror(errno));
		goto out;
	}
	st->jdirty = 1;
	if (ftello(st->jf) > STATE_JOURNAL_MAX) {
		state_journal_stop(st, "journal full", "past "
		    STATE_JOURNAL_MAX_STR " bytes");
		goto out;
	}
	if (state_monotonic() - st->jsync_ms >= STATE_JOURNAL_SYNC_MS)
		state_journal_sync(st);
out:
	for (i = 0; i < st->npend; i++)
		free(st->pend[i].key);
	st->npend = 0;
}

/* Make the output, then the journal, durable up to here. */
static void
state_journal_sync(struct state *st)
{
	if (!st->jdirty)
		return;
	if (st->out_sync && fsync(fileno(st->out)) == -1) {
		/* Maybe not durable: no 'sync' line may cover it. */
		state_journal_stop(st, "output not synced", strerror(errno));
		return;
	}
	fputs("sync\n", st->jf);
	if (fflush(st->jf) == EOF || fdatasync(fileno(st->jf)) == -1) {
		state_journal_stop(st, "write error", strerror(errno));
		return;
	}
	st->jdirty = 0;
	st->jsync_ms = state_monotonic();
}
