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
 *	end N
 *
 * It is written to a temporary file in the same directory, synced,
 * renamed over the old one, and the directory synced.  A lock on
 * PATH.lock, held from state_open() to state_free(), keeps two runs from
 * working at once.
 *
 * The state is saved once, at the end of a run.  So that a run killed
 * half-way (kill -9, the OOM killer, a reboot) does not leave the next
 * one to write again what it had written, each stream is checkpointed in
 * a journal, PATH.journal, once its findings are in the output (flushed):
 * a line per finding written (its dedup pair, as in the state) and one
 * for the stream itself (what the state keeps of it), appended.
 *
 *	ctaudit-journal 1 BOOT_ID
 *	seen EVENTTIME_MS RULE_ID EVENT_ID
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
#include "xmalloc.h"

#define STATE_MAGIC		"ctaudit-state"
#define STATE_JOURNAL_MAGIC	"ctaudit-journal"
#define STATE_BOOT_ID		"/proc/sys/kernel/random/boot_id"
#define STATE_BOOT_MAX		64
#define STATE_JOURNAL_MAX_STR	"64 MB"
#define STATE_FIELDS_MAX	6

enum state_kind {
	STATE_FILE,
	STATE_S3,
};

/* What is known of one file or key. */
#define STATE_E_OLD	0x01	/* done in an earlier run */
#define STATE_E_SEEN	0x02	/* skipped this run because of that */
#define STATE_E_WANT	0x04	/* handed to the source this run */
#define STATE_E_OK	0x08	/* and read to the end */
#define STATE_E_FAILED	0x10	/* could not be read this run */
#define STATE_E_RETRY	0x20	/* failed in an earlier run */

struct state_ent {
	char		*key;		/* relative path, or S3 key */
	uint64_t	 size;
	int64_t		 mtime, ctime;	/* ns */
	int		 flags;
};

typedef const char *state_key_fn(const void *, size_t);

struct state_scope {
	enum state_kind	  kind;
	char		 *a;		/* realpath of root, or bucket */
	char		 *b;		/* S3 prefix; NULL for files */
	int64_t		  cut;		/* files: ctime ns, 0 if none */
	char		 *mark;		/* S3: NULL if none */
	int		  visited;
	struct state_ent *ents;
	size_t		  nents, entsize;
	struct hash	  tab;
};

struct state_pair {
	char		*key;		/* "RULE\tEVENT" */
	int64_t		 t;		/* eventTime, ms */
};

struct state {
	char			 *path;
	int			  lockfd;
	struct state_opts	  opts;
	struct state_scope	**scopes;
	size_t			  nscopes;
	struct state_scope	 *cur;		/* the file walk going on */
	char			 *cur_given;	/* its root as given */
	struct state_scope	 *last;		/* scope of the last S3 key */
	struct state_pair	 *pairs;
	size_t			  npairs, pairsize;
	struct hash		  pairtab;
	int64_t			  newest;	/* latest eventTime seen */
	int64_t			  latest;	/* of any event, for --stale */
	struct state_stats	  stats;

	char			 *jpath;	/* PATH.journal */
	FILE			 *jf;		/* NULL: no checkpoints */
	FILE			 *out;		/* where findings go */
	int			  out_sync;	/* out is a regular file */
	struct state_pair	 *pend;		/* written, not journaled */
	size_t			  npend, pendsize;
	int64_t			  jsync_ms;	/* monotonic, last sync */
	int			  jdirty;	/* lines since then */
};

/* A record word a reader knows, and its number of fields. */
struct state_rec {
	const char	*word;
	size_t		 nf;
};

static size_t	 state_tab_find(const struct hash *, const char *,
		    state_key_fn *, const void *);
static void	 state_tab_add(struct hash *, size_t, state_key_fn *,
		    const void *);
static const char *state_ent_key(const void *, size_t);
static const char *state_pair_key(const void *, size_t);
static struct state_ent *state_ent_get(struct state_scope *, const char *);
static struct state_ent *state_ent_add(struct state_scope *, const char *);
static struct state_scope *state_scope_add(struct state *, enum state_kind,
		    const char *, const char *);
static struct state_scope *state_scope_find(struct state *, enum state_kind,
		    const char *, const char *);
static void	 state_scope_free(struct state_scope *);
static const char *state_rel(struct state *, const char *);
static int	 state_number(const char *, int64_t *);
static int	 state_fields(const struct state_rec *, size_t, char **,
		    size_t, char **);
static int	 state_read(struct state *, FILE *, unsigned long *, char **);
static int	 state_parse(struct state *, char **, size_t,
		    struct state_scope **, char **);
static void	 state_pair_add(struct state *, const char *, int64_t);
static void	 state_prune(struct state *, size_t);
static int	 state_pair_cmp(const void *, const void *);
static int	 state_ent_cmp(const void *, const void *);
static void	 state_put(FILE *, const char *);
static void	 state_write_scope(FILE *, struct state *,
		    struct state_scope *, uint64_t *);
static struct state_ent *state_stream_mark(struct state *, const char *,
		    int, struct state_scope **);
static void	 state_boot_id(char *, size_t);
static int64_t	 state_monotonic(void);
static int	 state_open_file(const char *, int, char **);
static int	 state_journal_parse(struct state *, char **, size_t,
		    char **);
static int	 state_journal_load(struct state *, unsigned long *,
		    char **);
static void	 state_journal_put(struct state *, struct state_scope *,
		    struct state_ent *);
static void	 state_journal_sync(struct state *);
static void	 state_journal_stop(struct state *, const char *,
		    const char *);

/* What state_tab_find() hands hash_find(): the key and where keys are. */
struct state_tab_key {
	state_key_fn	*get;
	const void	*arg;
};

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
static size_t
state_tab_find(const struct hash *t, const char *key, state_key_fn *get,
    const void *arg)
{
	struct state_tab_key	k = { get, arg };

	return hash_find(t, hash_str(key), state_tab_eq, &k, key);
}

/* Store index idx (whose key is not there yet). */
static void
state_tab_add(struct hash *t, size_t idx, state_key_fn *get, const void *arg)
{
	struct state_tab_key	k = { get, arg };

	if (hash_add(t, hash_str(get(arg, idx)), idx, state_tab_rehash,
	    &k) == -1)
		fatalx("state: more than %zu entries", (size_t)HASH_MAX);
}

static const char *
state_ent_key(const void *arg, size_t i)
{
	return ((const struct state_scope *)arg)->ents[i].key;
}

static const char *
state_pair_key(const void *arg, size_t i)
{
	return ((const struct state *)arg)->pairs[i].key;
}

static struct state_ent *
state_ent_get(struct state_scope *sc, const char *key)
{
	size_t	i;

	if ((i = state_tab_find(&sc->tab, key, state_ent_key, sc)) ==
	    SIZE_MAX)
		return NULL;
	return &sc->ents[i];
}

/* The entry for key, made if there is none. */
static struct state_ent *
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

static struct state_scope *
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

static struct state_scope *
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

/*
 * Escape a field: bytes up to space, DEL and '%' as %XX; the empty
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
		if ((unsigned char)*s <= ' ' || *s == 0x7f || *s == '%') {
			*p++ = '%';
			*p++ = hex[(unsigned char)*s >> 4];
			*p++ = hex[(unsigned char)*s & 0xf];
		} else
			*p++ = *s;
	}
	*p = '\0';
	return out;
}

static int
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
static int
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
static int
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
		{ "key", 2 }, { "seen", 4 }, { "latest", 2 },
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
static int
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

/* A walk of a local tree begins. */
void
state_file_begin(struct state *st, const char *root)
{
	char	*real;

	free(st->cur_given);
	st->cur_given = xstrdup(root);
	if ((real = realpath(root, NULL)) == NULL)
		real = xstrdup(root);
	if ((st->cur = state_scope_find(st, STATE_FILE, real, NULL)) == NULL)
		st->cur = state_scope_add(st, STATE_FILE, real, NULL);
	st->cur->visited = 1;
	free(real);
}

/* Path relative to the root of the walk: "" for the root itself. */
static const char *
state_rel(struct state *st, const char *path)
{
	size_t	len;

	if (st->cur_given == NULL)
		return NULL;
	len = strlen(st->cur_given);
	if (strncmp(path, st->cur_given, len) != 0)
		return NULL;
	path += len;
	while (*path == '/')
		path++;
	return path;
}

/* Whether to read a file of the walk. */
int
state_file_want(struct state *st, const char *path, const struct stat *sb)
{
	struct state_scope	*sc = st->cur;
	struct state_ent	*e;
	const char		*rel;
	char			*dir, *slash;
	int64_t			 mtime, ctime;
	int			 retry = 0;

	if (sc == NULL || (rel = state_rel(st, path)) == NULL)
		return 1;
	mtime = (int64_t)sb->st_mtim.tv_sec * 1000000000 +
	    sb->st_mtim.tv_nsec;
	ctime = (int64_t)sb->st_ctim.tv_sec * 1000000000 +
	    sb->st_ctim.tv_nsec;

	/* A failure here or in a directory above: read it regardless. */
	dir = xstrdup(rel);
	for (;;) {
		if ((e = state_ent_get(sc, dir)) != NULL &&
		    (e->flags & STATE_E_RETRY))
			retry = 1;
		if ((slash = strrchr(dir, '/')) == NULL)
			break;
		*slash = '\0';
	}
	free(dir);

	e = state_ent_get(sc, rel);
	if (!retry && e != NULL && (e->flags & STATE_E_OLD) && e->size ==
	    (uint64_t)sb->st_size && e->mtime == mtime && e->ctime == ctime) {
		e->flags |= STATE_E_SEEN;
		st->stats.skipped++;
		return 0;
	}
	/* No entry is made for these: memory stays bounded by the new. */
	if (!retry && e == NULL && sc->cut != 0 && ctime < sc->cut) {
		st->stats.skipped++;
		return 0;
	}
	if (e == NULL)
		e = state_ent_add(sc, rel);
	e->flags &= ~(STATE_E_OLD | STATE_E_RETRY);
	e->flags |= STATE_E_WANT;
	e->size = (uint64_t)sb->st_size;
	e->mtime = mtime;
	e->ctime = ctime;
	return 1;
}

/* Something below the root could not be read: try it again next time. */
void
state_file_failed(struct state *st, const char *path)
{
	struct state_ent	*e;
	const char		*rel;

	if (st->cur == NULL || (rel = state_rel(st, path)) == NULL)
		return;
	e = state_ent_add(st->cur, rel);
	e->flags = STATE_E_FAILED;
}

/* Where to start listing an S3 prefix. */
const char *
state_s3_start_after(struct state *st, const char *bucket,
    const char *prefix)
{
	struct state_scope	*sc;

	if ((sc = state_scope_find(st, STATE_S3, bucket, prefix)) == NULL)
		sc = state_scope_add(st, STATE_S3, bucket, prefix);
	sc->visited = 1;
	return sc->mark;
}

/* Whether to read a listed key. */
int
state_s3_want(struct state *st, const char *bucket, const char *prefix,
    const char *key)
{
	struct state_scope	*sc;
	struct state_ent	*e;

	if ((sc = state_scope_find(st, STATE_S3, bucket, prefix)) == NULL) {
		(void)state_s3_start_after(st, bucket, prefix);
		sc = st->scopes[st->nscopes - 1];
	}
	if (sc->mark != NULL && strcmp(key, sc->mark) <= 0) {
		st->stats.skipped++;
		return 0;
	}
	e = state_ent_add(sc, key);
	if (e->flags & STATE_E_OLD) {
		e->flags |= STATE_E_SEEN;
		st->stats.skipped++;
		return 0;
	}
	e->flags = STATE_E_WANT;
	return 1;
}

/* A stream was read to the end, or not; checkpoint it. */
void
state_stream_done(struct state *st, const char *name, int ok)
{
	struct state_scope	*sc = NULL;
	struct state_ent	*e;

	e = state_stream_mark(st, name, ok, &sc);
	if (st->jf != NULL)
		state_journal_put(st, sc, ok ? e : NULL);
}

/* Note how a stream ended: its entry (and *scp), or NULL if it has none. */
static struct state_ent *
state_stream_mark(struct state *st, const char *name, int ok,
    struct state_scope **scp)
{
	struct state_scope	*sc, *best = NULL;
	struct state_ent	*e;
	const char		*key, *rel;
	size_t			 i, blen, plen, bestlen = 0;

	if (strncmp(name, "s3://", 5) != 0) {
		if (st->cur == NULL || (rel = state_rel(st, name)) == NULL ||
		    (e = state_ent_get(st->cur, rel)) == NULL)
			return NULL;
		e->flags &= ~STATE_E_WANT;
		e->flags |= ok ? STATE_E_OK : STATE_E_FAILED;
		*scp = st->cur;
		return e;
	}
	name += 5;
	if ((key = strchr(name, '/')) == NULL)
		return NULL;
	blen = (size_t)(key - name);
	key++;
	/* The longest prefix of the bucket that holds the key. */
	sc = st->last;
	if (sc != NULL && strlen(sc->a) == blen &&
	    strncmp(sc->a, name, blen) == 0 &&
	    strncmp(key, sc->b, strlen(sc->b)) == 0 &&
	    (e = state_ent_get(sc, key)) != NULL)
		best = sc;
	for (i = 0; best == NULL && i < st->nscopes; i++) {
		sc = st->scopes[i];
		plen = sc->b != NULL ? strlen(sc->b) : 0;
		if (sc->kind != STATE_S3 || strlen(sc->a) != blen ||
		    strncmp(sc->a, name, blen) != 0 ||
		    strncmp(key, sc->b, plen) != 0 || plen < bestlen)
			continue;
		if (state_ent_get(sc, key) == NULL)
			continue;
		best = sc;
		bestlen = plen;
	}
	if (best == NULL || (e = state_ent_get(best, key)) == NULL)
		return NULL;
	st->last = best;
	e->flags &= ~STATE_E_WANT;
	e->flags |= ok ? STATE_E_OK : STATE_E_FAILED;
	*scp = best;
	return e;
}

static int
state_pair_cmp(const void *a, const void *b)
{
	const struct state_pair	*x = a, *y = b;

	/* Newest first. */
	return x->t < y->t ? 1 : x->t > y->t ? -1 : strcmp(x->key, y->key);
}

/* Keep the newest max pairs within the window. */
static void
state_prune(struct state *st, size_t max)
{
	int64_t	floor;
	size_t	i, n = 0;

	/*
	 * The window ends at the latest eventTime seen, so that an old
	 * archive audited today keeps its pairs, but not past tomorrow, so
	 * that one event from a skewed clock cannot push every pair out.
	 */
	floor = st->newest;
	if (floor > st->opts.now_ms + 86400000LL)
		floor = st->opts.now_ms + 86400000LL;
	floor -= st->opts.window_ms;
	if (st->npairs > 0)
		qsort(st->pairs, st->npairs, sizeof *st->pairs,
		    state_pair_cmp);
	for (i = 0; i < st->npairs; i++) {
		if (n < max && st->pairs[i].t >= floor)
			st->pairs[n++] = st->pairs[i];
		else
			free(st->pairs[i].key);
	}
	st->npairs = n;
	hash_clear(&st->pairtab);
	for (i = 0; i < n; i++)
		state_tab_add(&st->pairtab, i, state_pair_key, st);
}

static void
state_pair_add(struct state *st, const char *key, int64_t t)
{
	if (st->npairs == st->pairsize) {
		st->pairsize = st->pairsize == 0 ? 256 : st->pairsize * 2;
		st->pairs = xreallocarray(st->pairs, st->pairsize,
		    sizeof *st->pairs);
	}
	st->pairs[st->npairs].key = xstrdup(key);
	st->pairs[st->npairs].t = t;
	state_tab_add(&st->pairtab, st->npairs++, state_pair_key, st);
	if (t > st->newest)
		st->newest = t;
}

/* Whether this rule has reported this event before. */
int
state_seen(struct state *st, const char *rule_id, const char *event_id,
    size_t len, int64_t t)
{
	char	*key;
	int	 dup;

	/* Such a pair would make a state line too long to read back. */
	if (len == 0 || len > STATE_ID_MAX ||
	    strlen(rule_id) > STATE_ID_MAX ||
	    memchr(event_id, '\0', len) != NULL)
		return 0;
	key = xprintf("%s\t%.*s", rule_id, (int)len, event_id);
	dup = state_tab_find(&st->pairtab, key, state_pair_key, st) !=
	    SIZE_MAX;
	if (dup)
		st->stats.duplicates++;
	else {
		state_pair_add(st, key, t);
		/* To the journal once the finding is out, if not too many. */
		if (st->jf != NULL && st->npend < STATE_SEEN_MAX) {
			if (st->npend == st->pendsize) {
				st->pendsize = st->pendsize == 0 ? 64 :
				    st->pendsize * 2;
				st->pend = xreallocarray(st->pend,
				    st->pendsize, sizeof *st->pend);
			}
			st->pend[st->npend].key = xstrdup(key);
			st->pend[st->npend++].t = t;
		}
		/* Bounded in memory too: prune when twice the cap. */
		if (st->npairs >= 2 * st->opts.seen_max)
			state_prune(st, st->opts.seen_max);
	}
	free(key);
	return dup;
}

/* One escaped field, after a space. */
static void
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
static int
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
static void
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
