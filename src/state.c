/* SPDX-License-Identifier: ISC */
/*
 * The state file: what earlier runs audited, kept so that a run started
 * by cron reads only what is new, and which (rule, eventID) pairs it has
 * reported, so that an event CloudTrail delivers twice, or a re-audit,
 * does not alert twice.
 *
 * What is remembered is organised in scopes.  Each must stay bounded for
 * years of CloudTrail files, so none lists everything ever read:
 *
 * - An S3 region prefix (bucket, AWSLogs/.../CloudTrail/REGION/) keeps a
 *   mark, the last key of an unbroken run of keys read to the end, and
 *   the keys read after it.  CloudTrail names a file after its delivery
 *   time, so keys sort in time order within the prefix and the next run
 *   lists with StartAfter=mark.  Files delivered within the same minute
 *   can arrive out of key order, so the mark stops STATE_S3_SLACK_MS
 *   short of the run's start: younger keys are kept by name in the done
 *   set and skipped when listed again.  A key that could not be read
 *   stops the mark, so it is listed and read again.
 *
 * - A local tree (the realpath of a command-line directory or file)
 *   keeps a cut, a time before the last run began: every file whose
 *   ctime is older was there during that run, so it was read unless it
 *   failed, and failures are kept by name in a retry set (a directory
 *   there covers all below it).  Files changed after the cut are kept by
 *   relative path, size, mtime and ctime, and skipped only if all four
 *   match.  The ctime, unlike the mtime, cannot be set back by cp -p,
 *   rsync -t or aws s3 sync, so a file copied in late with an old mtime
 *   is still read.  The cut trails the run's start by STATE_FILE_SLACK_NS
 *   to absorb clock steps and file servers with their own clocks.
 *
 * Whenever a cap is reached the state forgets in the direction that makes
 * the next run read more, never less; the dedup set then keeps the extra
 * reading from alerting again.
 *
 * The format is line-oriented text that a person can read and diff, and
 * that needs no parser beyond this file: a version line, one record a
 * line (a keyword and fields separated by single spaces, each field
 * %XX-escaped), and an end line with the record count, so that a file
 * cut short is refused instead of being taken for a shorter history.
 *
 *	ctaudit-state 1
 *	file ROOT CUT_NS
 *	done PATH SIZE MTIME_NS CTIME_NS
 *	retry PATH
 *	s3 BUCKET PREFIX MARK
 *	key KEY
 *	seen EVENTTIME_MS RULE_ID EVENT_ID
 *	latest EVENTTIME_MS
 *	corr T_MS T0_MS ID CORR_ID NAMED_ID VALUES
 *	end N
 *
 * It is written to a temporary file in the same directory, synced,
 * renamed over the old one, and the directory synced.  A lock on
 * PATH.lock, held from state_open() to state_free(), keeps two runs from
 * working at once.
 *
 * The dedup set is in state_seen.c, the correlation matches carried to
 * the next run in state_carry.c, the cursors the sources ask about
 * in state_cursor.c, the journal in state_journal.c; state_int.h holds
 * what they share.
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

/* What state_tab_find() hands hash_find(): the key and where keys are. */
struct state_tab_key {
	state_key_fn	*get;
	const void	*arg;
};

static void	 state_scope_free(struct state_scope *);
static int	 state_parse(struct state *, char **, size_t,
		    struct state_scope **, char **);
static int	 state_read(struct state *, FILE *, unsigned long *, char **);
static int	 state_ent_cmp(const void *, const void *);
static void	 state_write_scope(FILE *, struct state *,
		    struct state_scope *, uint64_t *);

static int
state_tab_eq(const void *arg, size_t idx, const void *key)
{
	const struct state_tab_key	*k = arg;

	return strcmp(k->get(k->arg, idx), key) == 0;
}

static uint64_t
state_tab_rehash(const void *arg, size_t idx)
{
	const struct state_tab_key	*k = arg;

	return hash_str(k->get(k->arg, idx));
}

/* The index stored under key, or SIZE_MAX. */
size_t
state_tab_find(const struct hash *t, const char *key, state_key_fn *get,
    const void *arg)
{
	struct state_tab_key	k = { get, arg };

	return hash_find(t, hash_str(key), state_tab_eq, &k, key);
}

/* Store index idx (whose key is not there yet). */
void
state_tab_add(struct hash *t, size_t idx, state_key_fn *get, const void *arg)
{
	struct state_tab_key	k = { get, arg };

	if (hash_add(t, hash_str(get(arg, idx)), idx, state_tab_rehash,
	    &k) == -1)
		fatalx("state: more than %zu entries", (size_t)HASH_MAX);
}

const char *
state_ent_key(const void *arg, size_t i)
{
	return ((const struct state_scope *)arg)->ents[i].key;
}

const char *
state_pair_key(const void *arg, size_t i)
{
	return ((const struct state *)arg)->pairs[i].key;
}

struct state_ent *
state_ent_get(struct state_scope *sc, const char *key)
{
	size_t	i;

	if ((i = state_tab_find(&sc->tab, key, state_ent_key, sc)) ==
	    SIZE_MAX)
		return NULL;
	return &sc->ents[i];
}

/* The entry for key, made if there is none. */
struct state_ent *
state_ent_add(struct state_scope *sc, const char *key)
{
	struct state_ent	*e;

	if ((e = state_ent_get(sc, key)) != NULL)
		return e;
	if (sc->nents == sc->entsize) {
		sc->entsize = sc->entsize == 0 ? 16 : sc->entsize * 2;
		sc->ents = xreallocarray(sc->ents, sc->entsize,
		    sizeof *sc->ents);
	}
	e = &sc->ents[sc->nents];
	memset(e, 0, sizeof *e);
	e->key = xstrdup(key);
	state_tab_add(&sc->tab, sc->nents++, state_ent_key, sc);
	return e;
}

struct state_scope *
state_scope_add(struct state *st, enum state_kind kind, const char *a,
    const char *b)
{
	struct state_scope	*sc;

	sc = xcalloc(1, sizeof *sc);
	sc->kind = kind;
	sc->a = xstrdup(a);
	sc->b = b != NULL ? xstrdup(b) : NULL;
	st->scopes = xreallocarray(st->scopes, st->nscopes + 1,
	    sizeof *st->scopes);
	st->scopes[st->nscopes++] = sc;
	return sc;
}

struct state_scope *
state_scope_find(struct state *st, enum state_kind kind, const char *a,
    const char *b)
{
	struct state_scope	*sc;
	size_t			 i;

	for (i = 0; i < st->nscopes; i++) {
		sc = st->scopes[i];
		if (sc->kind == kind && strcmp(sc->a, a) == 0 &&
		    (b == NULL || strcmp(sc->b, b) == 0))
			return sc;
	}
	return NULL;
}

static void
state_scope_free(struct state_scope *sc)
{
	size_t	i;

	if (sc == NULL)
		return;
	for (i = 0; i < sc->nents; i++)
		free(sc->ents[i].key);
	free(sc->ents);
	hash_clear(&sc->tab);
	free(sc->a);
	free(sc->b);
	free(sc->mark);
	free(sc);
}

/* Whether a byte of a field is written %XX: up to space, DEL and '%'. */
int
state_needs_escape(unsigned char ch)
{
	return ch <= ' ' || ch == 0x7f || ch == '%';
}

/*
 * Escape a field: the bytes state_needs_escape() says as %XX; the empty
 * string is "-", and "-" itself "%2D".
 */
char *
state_escape(const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	char			*out, *p;

	if (*s == '\0')
		return xstrdup("-");
	if (strcmp(s, "-") == 0)
		return xstrdup("%2D");
	p = out = xreallocarray(NULL, strlen(s) + 1, 3);
	for (; *s != '\0'; s++) {
		if (state_needs_escape((unsigned char)*s)) {
			*p++ = '%';
			*p++ = hex[(unsigned char)*s >> 4];
			*p++ = hex[(unsigned char)*s & 0xf];
		} else
			*p++ = *s;
	}
	*p = '\0';
	return out;
}

/* The value of a hex digit, or -1. */
int
state_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Undo state_escape() in place: 0, or -1 if s is not escaped right. */
int
state_unescape(char *s)
{
	char	*in, *out;
	int	 hi, lo;

	if (strcmp(s, "-") == 0) {
		*s = '\0';
		return 0;
	}
	for (in = out = s; *in != '\0'; in++) {
		if (*in != '%') {
			*out++ = *in;
			continue;
		}
		if ((hi = state_hexval((unsigned char)in[1])) == -1 ||
		    (lo = state_hexval((unsigned char)in[2])) == -1 ||
		    (hi == 0 && lo == 0))
			return -1;
		*out++ = (char)(hi << 4 | lo);
		in += 2;
	}
	*out = '\0';
	return 0;
}

/* A decimal number that fits in an int64_t: 0, or -1. */
int
state_number(const char *s, int64_t *out)
{
	int64_t	n = 0;
	size_t	len = strlen(s), i;

	if (len == 0 || len > 19 || strspn(s, "0123456789") != len)
		return -1;
	for (i = 0; i < len; i++) {
		if (n > (INT64_MAX - (s[i] - '0')) / 10)
			return -1;
		n = n * 10 + (s[i] - '0');
	}
	*out = n;
	return 0;
}

/*
 * Check a record's fields against the words a reader knows (with their
 * field counts, the word included) and undo their %-escapes in place.
 */
int
state_fields(const struct state_rec *recs, size_t nrecs, char **f, size_t nf,
    char **cause)
{
	size_t	i;

	for (i = 0; i < nrecs; i++)
		if (strcmp(f[0], recs[i].word) == 0)
			break;
	if (i == nrecs) {
		*cause = xprintf("unknown record '%.32s'", f[0]);
		return -1;
	}
	if (nf != recs[i].nf) {
		*cause = xprintf("'%s' wants %zu fields, not %zu", f[0],
		    recs[i].nf - 1, nf - 1);
		return -1;
	}
	for (i = 1; i < nf; i++) {
		if (state_unescape(f[i]) == -1) {
			*cause = xprintf("field %zu: bad %%-escape", i);
			return -1;
		}
	}
	return 0;
}

/* One record of the file; *sc is the scope records belong to. */
static int
state_parse(struct state *st, char **f, size_t nf, struct state_scope **sc,
    char **cause)
{
	static const struct state_rec	recs[] = {
		{ "file", 3 }, { "done", 5 }, { "retry", 2 }, { "s3", 4 },
		{ "key", 2 }, { "seen", 4 }, { "latest", 2 }, { "corr", 7 },
	};
	struct state_ent	*e;
	char			*key;
	int64_t			 n[3];
	size_t			 i;

	if (state_fields(recs, nitems(recs), f, nf, cause) == -1)
		return -1;
	if (strcmp(f[0], "file") == 0 || strcmp(f[0], "s3") == 0) {
		if (st->nscopes == STATE_SCOPES_MAX) {
			*cause = xprintf("more than %d scopes",
			    STATE_SCOPES_MAX);
			return -1;
		}
		if (*f[0] == 'f') {
			if (state_number(f[2], &n[0]) == -1)
				goto badnum;
			if (state_scope_find(st, STATE_FILE, f[1], NULL)) {
				*cause = xprintf("tree '%.256s' is named "
				    "twice", f[1]);
				return -1;
			}
			*sc = state_scope_add(st, STATE_FILE, f[1], NULL);
			(*sc)->cut = n[0];
		} else {
			if (state_scope_find(st, STATE_S3, f[1], f[2])) {
				*cause = xprintf("prefix 's3://%.64s/%.256s' "
				    "is named twice", f[1], f[2]);
				return -1;
			}
			*sc = state_scope_add(st, STATE_S3, f[1], f[2]);
			if (*f[3] != '\0')
				(*sc)->mark = xstrdup(f[3]);
		}
		return 0;
	}
	if (strcmp(f[0], "corr") == 0)
		return state_carry_parse(st, f, 0, cause);
	if (strcmp(f[0], "latest") == 0) {
		if (state_number(f[1], &n[0]) == -1)
			goto badnum;
		st->latest = n[0];
		return 0;
	}
	if (strcmp(f[0], "seen") == 0) {
		if (state_number(f[1], &n[0]) == -1)
			goto badnum;
		if (st->npairs == STATE_SEEN_MAX) {
			*cause = xprintf("more than %d 'seen' records",
			    STATE_SEEN_MAX);
			return -1;
		}
		if (strchr(f[2], '\t') != NULL || *f[2] == '\0' ||
		    *f[3] == '\0') {
			*cause = xstrdup("bad rule or event id");
			return -1;
		}
		key = xprintf("%s\t%s", f[2], f[3]);
		if (state_tab_find(&st->pairtab, key, state_pair_key, st) !=
		    SIZE_MAX) {
			free(key);
			*cause = xstrdup("'seen' pair named twice");
			return -1;
		}
		state_pair_add(st, key, n[0]);
		free(key);
		return 0;
	}

	/* done, retry, key: an entry of the scope above them. */
	if (*sc == NULL || ((*sc)->kind == STATE_S3) != (*f[0] == 'k')) {
		*cause = xprintf("'%s' outside a '%s' record", f[0],
		    *f[0] == 'k' ? "s3" : "file");
		return -1;
	}
	if ((*sc)->nents == STATE_DONE_MAX + STATE_RETRY_MAX) {
		*cause = xprintf("more than %d entries in one scope",
		    STATE_DONE_MAX + STATE_RETRY_MAX);
		return -1;
	}
	if (*f[1] == '\0' && *f[0] == 'k') {
		*cause = xstrdup("empty key");
		return -1;
	}
	if (state_ent_get(*sc, f[1]) != NULL) {
		*cause = xprintf("'%.256s' is named twice", f[1]);
		return -1;
	}
	if (*f[0] == 'd') {
		for (i = 0; i < 3; i++)
			if (state_number(f[2 + i], &n[i]) == -1)
				goto badnum;
	}
	e = state_ent_add(*sc, f[1]);
	e->flags = *f[0] == 'r' ? STATE_E_RETRY : STATE_E_OLD;
	if (*f[0] == 'd') {
		e->size = (uint64_t)n[0];
		e->mtime = n[1];
		e->ctime = n[2];
	}
	return 0;
badnum:
	*cause = xprintf("'%s': bad number", f[0]);
	return -1;
}

/* Read the whole file: 0, or -1 with *cause and *line. */
static int
state_read(struct state *st, FILE *f, unsigned long *line, char **cause)
{
	struct state_scope	*sc = NULL;
	char			*buf = NULL, *p, *fields[STATE_FIELDS_MAX];
	size_t			 size = 0, nf;
	ssize_t			 len;
	uint64_t		 nrec = 0;
	int64_t			 n;
	int			 version = 0, ended = 0, rv = -1;

	*line = 0;
	while ((len = getline(&buf, &size, f)) != -1) {
		(*line)++;
		if (len > STATE_LINE_MAX) {
			*cause = xprintf("line longer than %d bytes",
			    STATE_LINE_MAX);
			goto out;
		}
		if (len == 0 || buf[len - 1] != '\n') {
			*cause = xstrdup("last line cut short");
			goto out;
		}
		buf[--len] = '\0';
		if (strlen(buf) != (size_t)len) {
			*cause = xstrdup("NUL byte");
			goto out;
		}
		if (*buf == '#' || *buf == '\0')
			continue;
		if (ended) {
			*cause = xstrdup("text after the 'end' record");
			goto out;
		}
		for (nf = 0, p = buf; p != NULL && nf < STATE_FIELDS_MAX;)
			fields[nf++] = strsep(&p, " ");
		if (p != NULL) {
			*cause = xstrdup("too many fields");
			goto out;
		}
		if (!version) {
			if (strcmp(fields[0], STATE_MAGIC) != 0 || nf != 2) {
				*cause = xstrdup("not a ctaudit state file "
				    "(no '" STATE_MAGIC "' line)");
				goto out;
			}
			if (state_number(fields[1], &n) == -1 ||
			    n != STATE_VERSION) {
				*cause = xprintf("state format version "
				    "'%.16s' is not %d (written by another "
				    "ctaudit?)", fields[1], STATE_VERSION);
				goto out;
			}
			version = 1;
			continue;
		}
		if (strcmp(fields[0], "end") == 0) {
			if (nf != 2 || state_number(fields[1], &n) == -1 ||
			    (uint64_t)n != nrec) {
				*cause = xprintf("'end' record does not "
				    "match the %llu records before it",
				    (unsigned long long)nrec);
				goto out;
			}
			ended = 1;
			continue;
		}
		if (state_parse(st, fields, nf, &sc, cause) == -1)
			goto out;
		nrec++;
	}
	if (ferror(f)) {
		*cause = xprintf("read error: %s", strerror(errno));
		*line = 0;
		goto out;
	}
	if (!version) {
		*cause = xstrdup("empty, not a ctaudit state file");
		*line = 0;
		goto out;
	}
	if (!ended) {
		*cause = xstrdup("no 'end' record: the file was cut short");
		(*line)++;
		goto out;
	}
	rv = 0;
out:
	free(buf);
	return rv;
}

/*
 * Open the lock or the journal, never through a symlink (a dangling one
 * would create its target), and only a regular file of this user: the
 * descriptor, or -1 with *cause (errno ENOENT kept for the caller).
 */
int
state_open_file(const char *path, int flags, char **cause)
{
	struct stat	sb;
	int		fd, saved;

	fd = open(path, flags | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK |
	    O_CLOEXEC, 0600);
	if (fd == -1) {
		saved = errno;
		if (errno == ELOOP)
			*cause = xstrdup("a symbolic link; refused");
		else
			*cause = xstrdup(strerror(errno));
		errno = saved;
		return -1;
	}
	if (fstat(fd, &sb) == -1)
		*cause = xstrdup(strerror(errno));
	else if (!S_ISREG(sb.st_mode))
		*cause = xstrdup("not a regular file; refused");
	else if (sb.st_uid != geteuid())
		*cause = xprintf("owned by uid %lu, not by this user; "
		    "refused", (unsigned long)sb.st_uid);
	else if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) == -1)
		*cause = xstrdup(strerror(errno));
	else
		return fd;
	close(fd);
	errno = EPERM;
	return -1;
}

/* Lock and load. */
struct state *
state_open(const char *path, const struct state_opts *opts, int *busy,
    char **where, unsigned long *line, char **cause)
{
	struct state	*st;
	FILE		*f;
	char		*lockpath;
	int		 fd;

	*busy = 0;
	*line = 0;
	*where = NULL;
	st = xcalloc(1, sizeof *st);
	st->path = xstrdup(path);
	st->jpath = xprintf("%s.journal", path);
	st->lockfd = -1;
	st->opts = *opts;
	if (st->opts.window_ms <= 0)
		st->opts.window_ms = STATE_SEEN_DAYS * 86400000LL;
	if (st->opts.seen_max == 0 || st->opts.seen_max > STATE_SEEN_MAX)
		st->opts.seen_max = STATE_SEEN_MAX;
	if (st->opts.journal_corr_max == 0 ||
	    st->opts.journal_corr_max > STATE_JOURNAL_CORR_MAX)
		st->opts.journal_corr_max = STATE_JOURNAL_CORR_MAX;

	lockpath = xprintf("%s.lock", path);
	st->lockfd = state_open_file(lockpath, O_RDWR | O_CREAT, cause);
	if (st->lockfd == -1) {
		*where = lockpath;
		state_free(st);
		return NULL;
	}
	while (flock(st->lockfd, LOCK_EX | (opts->wait ? 0 : LOCK_NB)) ==
	    -1) {
		if (errno == EINTR)
			continue;
		if (errno == EWOULDBLOCK) {
			*busy = 1;
			*cause = xprintf("locked by another run (%s)",
			    lockpath);
		} else
			*cause = xprintf("%s: %s", lockpath, strerror(errno));
		free(lockpath);
		goto fail;
	}
	free(lockpath);

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno != ENOENT) {
			*cause = xstrdup(strerror(errno));
			goto fail;
		}
		/* The first run, or the first was killed. */
	} else {
		if ((f = fdopen(fd, "r")) == NULL)
			fatal("fdopen");
		if (state_read(st, f, line, cause) == -1) {
			fclose(f);
			goto fail;
		}
		fclose(f);
	}
	if (state_journal_load(st, line, cause) == -1) {
		*where = xstrdup(st->jpath);
		state_free(st);
		return NULL;
	}
	return st;
fail:
	*where = xstrdup(path);
	state_free(st);
	return NULL;
}

/* Free the state and let the next run in. */
void
state_free(struct state *st)
{
	size_t	i;

	if (st == NULL)
		return;
	for (i = 0; i < st->nscopes; i++)
		state_scope_free(st->scopes[i]);
	free(st->scopes);
	for (i = 0; i < st->npairs; i++)
		free(st->pairs[i].key);
	free(st->pairs);
	hash_clear(&st->pairtab);
	state_carry_clear(st);
	free(st->cur_given);
	free(st->path);
	/* A journal left here is folded in by the next run. */
	if (st->jf != NULL)
		fclose(st->jf);
	free(st->jpath);
	for (i = 0; i < st->npend; i++)
		free(st->pend[i].key);
	free(st->pend);
	if (st->lockfd != -1)
		close(st->lockfd);	/* releases the lock */
	free(st);
}

const struct state_stats *
state_stats(const struct state *st)
{
	return &st->stats;
}

/* --stale: the latest eventTime of any run; 0 if none was seen. */
int64_t
state_latest(const struct state *st)
{
	return st->latest;
}

/* An event of this run was this recent; the state keeps the latest. */
void
state_latest_add(struct state *st, int64_t ms)
{
	if (ms > st->latest)
		st->latest = ms;
}

/* One escaped field, after a space. */
void
state_put(FILE *f, const char *s)
{
	char	*e = state_escape(s);

	fputc(' ', f);
	fputs(e, f);
	free(e);
}

static int
state_ent_cmp(const void *a, const void *b)
{
	return strcmp(((const struct state_ent *)a)->key,
	    ((const struct state_ent *)b)->key);
}

/* Work out and write what a scope keeps for the next run. */
static void
state_write_scope(FILE *f, struct state *st, struct state_scope *sc,
    uint64_t *nrec)
{
	struct state_ent	*e;
	size_t			 i, ndone = 0, nretry = 0, nfailed = 0;
	int64_t			 cut, t;
	int			 done;

	if (sc->nents > 0)
		qsort(sc->ents, sc->nents, sizeof *sc->ents, state_ent_cmp);
	if (sc->kind == STATE_S3) {
		/* Move the mark over an unbroken run of old keys read. */
		for (i = 0; sc->visited && i < sc->nents; i++) {
			e = &sc->ents[i];
			done = (e->flags & (STATE_E_OLD | STATE_E_OK)) &&
			    !(e->flags & STATE_E_FAILED);
			if (!done)
				break;
			if (s3_list_key_time(e->key, &t) == 0 &&
			    t > st->opts.now_ms - STATE_S3_SLACK_MS)
				break;
			free(sc->mark);
			sc->mark = xstrdup(e->key);
		}
		fprintf(f, "s3");
		state_put(f, sc->a);
		state_put(f, sc->b);
		state_put(f, sc->mark != NULL ? sc->mark : "");
		fputc('\n', f);
		(*nrec)++;
		for (i = 0; i < sc->nents && ndone < STATE_DONE_MAX; i++) {
			e = &sc->ents[i];
			if (sc->mark != NULL && strcmp(e->key, sc->mark) <= 0)
				continue;
			if (!(e->flags & (STATE_E_OLD | STATE_E_OK)) ||
			    (e->flags & STATE_E_FAILED))
				continue;
			fprintf(f, "key");
			state_put(f, e->key);
			fputc('\n', f);
			(*nrec)++;
			ndone++;
		}
		return;
	}

	cut = sc->cut;
	if (sc->visited) {
		cut = st->opts.now_ms * 1000000 - STATE_FILE_SLACK_NS;
		for (i = 0; i < sc->nents; i++)
			if (sc->ents[i].flags & (STATE_E_FAILED |
			    STATE_E_WANT))
				nfailed++;
		/* Too many failures to name: read it all next time. */
		if (nfailed > STATE_RETRY_MAX)
			cut = 0;
	}
	fprintf(f, "file");
	state_put(f, sc->a);
	fprintf(f, " %lld\n", (long long)cut);
	(*nrec)++;
	for (i = 0; i < sc->nents; i++) {
		e = &sc->ents[i];
		if (sc->visited) {
			/* Not read to the end, or never reached. */
			if (e->flags & (STATE_E_FAILED | STATE_E_WANT)) {
				if (cut == 0 || nretry == STATE_RETRY_MAX)
					continue;
				fprintf(f, "retry");
				state_put(f, e->key);
				fputc('\n', f);
				(*nrec)++;
				nretry++;
				continue;
			}
			/* Files gone since, and those the cut covers. */
			if (!(e->flags & (STATE_E_OK | STATE_E_SEEN)) ||
			    e->ctime < cut)
				continue;
		}
		if ((e->flags & STATE_E_RETRY) && nretry < STATE_RETRY_MAX) {
			fprintf(f, "retry");
			state_put(f, e->key);
			fputc('\n', f);
			(*nrec)++;
			nretry++;
			continue;
		}
		if (e->flags & STATE_E_RETRY || ndone == STATE_DONE_MAX)
			continue;
		fprintf(f, "done");
		state_put(f, e->key);
		fprintf(f, " %llu %lld %lld\n", (unsigned long long)e->size,
		    (long long)e->mtime, (long long)e->ctime);
		(*nrec)++;
		ndone++;
	}
}

/* Write the state to a temporary file and rename it over the old one. */
int
state_save(struct state *st, char **cause)
{
	FILE		*f;
	char		*tmp, *dir, *slash, *tab;
	uint64_t	 nrec = 0;
	size_t		 i;
	int		 fd, dfd;

	tmp = xprintf("%s.XXXXXX", st->path);
	if ((fd = mkstemp(tmp)) == -1) {
		*cause = xprintf("%s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	if ((f = fdopen(fd, "w")) == NULL)
		fatal("fdopen");
	fprintf(f, "# ctaudit state: what was audited, and the findings "
	    "reported.\n# See STATE FILE in ctaudit(1); do not edit it "
	    "while a run holds the lock.\n%s %d\n", STATE_MAGIC,
	    STATE_VERSION);
	for (i = 0; i < st->nscopes; i++)
		state_write_scope(f, st, st->scopes[i], &nrec);
	state_prune(st, st->opts.seen_max);
	for (i = 0; i < st->npairs; i++) {
		tab = strchr(st->pairs[i].key, '\t');
		*tab = '\0';
		fprintf(f, "seen %lld", (long long)st->pairs[i].t);
		state_put(f, st->pairs[i].key);
		state_put(f, tab + 1);
		fputc('\n', f);
		*tab = '\t';
		nrec++;
	}
	st->stats.seen = st->npairs;
	if (st->latest != 0) {
		fprintf(f, "latest %lld\n", (long long)st->latest);
		nrec++;
	}
	state_carry_write(st, f, &nrec);
	fprintf(f, "end %llu\n", (unsigned long long)nrec);
	if (fflush(f) == EOF || ferror(f) || fsync(fd) == -1) {
		*cause = xprintf("%s: %s", tmp, strerror(errno));
		fclose(f);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	if (fclose(f) == EOF || rename(tmp, st->path) == -1) {
		*cause = xprintf("%s: %s", tmp, strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);

	/* The rename is durable once the directory is. */
	dir = xstrdup(st->path);
	if ((slash = strrchr(dir, '/')) == NULL) {
		free(dir);
		dir = xstrdup(".");
	} else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)fsync(dfd);
		close(dfd);
	}
	free(dir);

	/* The state covers all the journal did: if unlink fails, no harm. */
	if (st->jf != NULL) {
		fclose(st->jf);
		st->jf = NULL;
	}
	(void)unlink(st->jpath);
	return 0;
}
