/* SPDX-License-Identifier: ISC */
/*
 * One CloudTrail event as a tree of JSON values.  The JSON stage builds it
 * from SAX events in document order; every node and string lives in a
 * per-record arena of large chunks that is rewound for the next event, so
 * building allocates nothing per field and nothing is freed on its own.
 * Strings are checked as they are stored: invalid UTF-8 is replaced with
 * U+FFFD rather than rejected, so that bad bytes in one field cannot hide
 * an event from the rules.  Rules and outputs read the tree through the
 * accessors of record.h; record_json() serialises a value once and keeps
 * the text for the rest of the record's life.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "log.h"
#include "record.h"
#include "record_int.h"
#include "xmalloc.h"

#define REC_CHUNK	(64 * 1024)	/* arena chunk; most events fit one */
#define REC_CHUNKS_KEPT	16		/* chunks kept for the next event */
/*
 * Zeroed bytes after each chunk.  PCRE2's JIT may load a few bytes past
 * the end of a subject to test many at once (it never uses them), so a
 * string at the end of a chunk must be followed by memory that is there;
 * and chunks are zeroed when made, so those bytes are never uninitialised
 * either, which keeps valgrind quiet about it.
 */
#define REC_CHUNK_PAD	64
#define REC_PREFETCH_BYTES	(8 * 1024)	/* see record_prefetch() */
#define REC_PART_PATHS		64	/* more: record_clone_part_to() copies all */

struct rec_chunk {
	struct rec_chunk	*next;
	size_t			 size;	/* bytes of data after the header */
	size_t			 used;
};

/* A value plus what only the record needs to know about it. */
struct rec_node {
	struct rec_value	 v;
	const char		*json;	/* cached compact text, or NULL */
	size_t			 jsonlen;
};

struct rec_frame {
	struct rec_value	*v;	/* an open container */
	struct rec_value	*last;	/* its last child so far */
};

/*
 * The root's members by name, for rules, which look up some thirty fields
 * of every event: open addressing, the last of a repeated name kept.
 */
#define REC_INDEX_BITS	6
#define REC_INDEX_SLOTS	(1 << REC_INDEX_BITS)
#define REC_INDEX_MAX	40	/* members indexed; more: no index */

enum rec_index_state {
	REC_INDEX_NONE = 0,	/* not built for this event yet */
	REC_INDEX_BUILT,
	REC_INDEX_UNFIT,	/* this root cannot have one */
};

struct rec_index {
	enum rec_index_state	 state;
	const struct rec_value	*slot[REC_INDEX_SLOTS];
};

struct record {
	struct rec_chunk	*head;	/* the arena: a list of chunks */
	struct rec_chunk	*cur;
	size_t			 mem;	/* bytes handed out for this event */

	struct rec_value	*root;
	struct rec_index	*ix;	/* NULL in copies */
	const char		*origin;
	uint64_t		 index;
	int			 repaired;
	int			 ascii;	/* strings known to be ASCII */

	/* Building: a member name waiting, the open containers. */
	size_t			 depth;
	const char		*key;
	size_t			 keylen;
	struct rec_frame	 stack[REC_DEPTH_MAX];	/* last: see below */
};

/* A record_clone_to() copy is never built on: it has no stack. */
#define REC_CLONE_HEAD	offsetof(struct record, stack)

static void		 record_index_drop(struct record *);
static void		 record_grow(struct record *, size_t);
static void		*record_alloc_slow(struct record *, size_t, size_t,
			    int);
static size_t		 record_stored_len(const struct record *, const char *,
			    size_t, int *);
static void		 record_store(struct record *, char *, const char *,
			    size_t, size_t, int);
static const char	*record_copy(struct record *, const char *, size_t,
			    size_t *);
static struct rec_value	*record_add(struct record *, enum rec_type, size_t);
static size_t		 record_utf8_seq(const unsigned char *, size_t, int *);
static const struct rec_value *record_path_from(const struct rec_value *,
			    const char *, size_t);
static struct rec_value	*record_clone_value(struct record *,
			    const struct rec_value *, const char *const *);
static void		 record_clone_fill(struct record *,
			    const struct record *, const char *const *);
static struct record	*record_clone_head(const struct record *, void *);
static size_t		 record_json_size(const struct rec_value *);
static char		*record_json_write(const struct rec_value *, char *);
static size_t		 record_json_strsize(const char *, size_t);
static char		*record_json_strwrite(const char *, size_t, char *);

static const char	 record_hex[] = "0123456789abcdef";

/* The event changed: its index, if the record has one, is rebuilt on use. */
static void
record_index_drop(struct record *r)
{
	if (r->ix != NULL)
		r->ix->state = REC_INDEX_NONE;
}

/* Create an empty record with one arena chunk. */
struct record *
record_create(void)
{
	struct record	*r;

	r = xcalloc(1, sizeof *r);
	r->ix = xcalloc(1, sizeof *r->ix);
	r->head = xcalloc(1, sizeof *r->head + REC_CHUNK + REC_CHUNK_PAD);
	r->head->next = NULL;
	r->head->size = REC_CHUNK;
	r->head->used = 0;
	r->cur = r->head;
	return r;
}

/* Free a record and its arena. */
void
record_free(struct record *r)
{
	struct rec_chunk	*c, *next;

	if (r == NULL)
		return;
	for (c = r->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(r->ix);
	free(r);
}

/*
 * Forget the previous event and start another.  The arena keeps a few
 * standard chunks for the next one; a chunk made for one large string, or
 * the surplus after a large event, goes back to malloc.
 */
void
record_begin(struct record *r, const char *origin, uint64_t index)
{
	struct rec_chunk	*c, **cp;
	size_t			 kept = 0;

	for (cp = &r->head; (c = *cp) != NULL;) {
		if (c == r->head ||
		    (c->size == REC_CHUNK && kept < REC_CHUNKS_KEPT)) {
			c->used = 0;
			kept++;
			cp = &c->next;
		} else {
			*cp = c->next;
			free(c);
		}
	}
	r->cur = r->head;
	r->mem = 0;
	r->root = NULL;
	record_index_drop(r);
	r->origin = origin;
	r->index = index;
	r->repaired = 0;
	r->ascii = 0;
	r->depth = 0;
	r->key = NULL;
	r->keylen = 0;
}

/*
 * Move on to a chunk with room for n bytes: the next one if it is big
 * enough (chunks after cur are unused in this event), else a new one.
 */
static void
record_grow(struct record *r, size_t n)
{
	struct rec_chunk	*c = r->cur, *nc;
	size_t			 size;

	if ((nc = c->next) == NULL || nc->size < n) {
		size = n > REC_CHUNK ? n : REC_CHUNK;
		nc = xcalloc(1, sizeof *nc + size + REC_CHUNK_PAD);
		nc->size = size;
		nc->next = c->next;
		c->next = nc;
	}
	nc->used = 0;
	r->cur = nc;
}

/*
 * Bump-allocate n bytes aligned to align (a power of two).  With capped
 * set, fail once the event has used REC_MEM_MAX; serialised text cached by
 * record_json() is not counted, as it is bounded by the values themselves.
 * This runs for every key and value of every event, so the case where the
 * current chunk has room is kept apart from the rest: it is small enough
 * to be inlined without making its callers save registers.
 */
static inline void *
record_alloc(struct record *r, size_t n, size_t align, int capped)
{
	struct rec_chunk	*c = r->cur;
	size_t			 off;

	off = (c->used + align - 1) & ~(align - 1);
	if (__builtin_expect(off <= c->size && n <= c->size - off &&
	    (!capped || n <= REC_MEM_MAX - r->mem), 1)) {
		c->used = off + n;
		r->mem += n;
		return (char *)(c + 1) + off;
	}
	return record_alloc_slow(r, n, align, capped);
}

/* record_alloc() when the cap is passed or a new chunk is needed. */
static __attribute__((__noinline__)) void *
record_alloc_slow(struct record *r, size_t n, size_t align, int capped)
{
	struct rec_chunk	*c;
	size_t			 off;

	if (capped && n > REC_MEM_MAX - r->mem)
		return NULL;
	for (;;) {
		c = r->cur;
		off = (c->used + align - 1) & ~(align - 1);
		if (off <= c->size && n <= c->size - off) {
			c->used = off + n;
			r->mem += n;
			return (char *)(c + 1) + off;
		}
		record_grow(r, n);
	}
}

/*
 * Copy n bytes.  Most keys and values of an event are a few bytes to a
 * few dozen, where a call to memcpy() costs more than the copy: up to 16
 * bytes go as two words that may overlap, longer ones to memcpy().
 */
static inline void
record_move(char *d, const char *s, size_t n)
{
	uint64_t	a, b;
	uint32_t	x, y;

	if (n >= 8 && n <= 16) {
		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
		memcpy(d, &a, 8);
		memcpy(d + n - 8, &b, 8);
	} else if (n >= 4 && n < 8) {
		memcpy(&x, s, 4);
		memcpy(&y, s + n - 4, 4);
		memcpy(d, &x, 4);
		memcpy(d + n - 4, &y, 4);
	} else if (n < 4) {
		while (n-- > 0)
			d[n] = s[n];
	} else
		memcpy(d, s, n);
}

/* Whether s is all ASCII: one pass, no branch per byte. */
static inline int
record_ascii(const char *s, size_t len)
{
	uint64_t	w, acc = 0;
	size_t		i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, s + i, 8);
		acc |= w;
	}
	for (; i < len; i++)
		acc |= (unsigned char)s[i];
	return (acc & 0x8080808080808080ULL) == 0;
}

/*
 * Look at the non-ASCII sequence at s: return how many bytes it spans and
 * set *valid.  An invalid one spans its maximal subpart (the longest
 * prefix of some valid sequence, at least one byte), which Unicode says
 * to replace with a single U+FFFD.
 */
static size_t
record_utf8_seq(const unsigned char *s, size_t len, int *valid)
{
	unsigned char	lo = 0x80, hi = 0xbf;
	size_t		n, i;

	*valid = 0;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;	/* no UTF-16 surrogates */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;	/* nothing past U+10FFFF */
	} else
		return 1;
	for (i = 1; i < n; i++) {
		if (i >= len || s[i] < lo || s[i] > hi)
			return i;
		lo = 0x80;
		hi = 0xbf;
	}
	*valid = 1;
	return n;
}

/*
 * Check s for valid UTF-8.  Returns (size_t)-1 if it is valid, else the
 * length of the repaired text, which is written to out unless out is NULL.
 * ASCII is skipped eight bytes at a time, as it is nearly all there is.
 */
size_t
record_utf8_repair(const char *s, size_t len, char *out)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, n, olen = 0;
	uint64_t		 w;
	int			 valid, bad = 0;

	while (i < len) {
		if (len - i >= 8) {
			memcpy(&w, p + i, 8);
			if ((w & 0x8080808080808080ULL) == 0) {
				if (out != NULL)
					memcpy(out + olen, p + i, 8);
				i += 8;
				olen += 8;
				continue;
			}
		}
		if (p[i] < 0x80) {
			if (out != NULL)
				out[olen] = (char)p[i];
			i++;
			olen++;
			continue;
		}
		n = record_utf8_seq(p + i, len - i, &valid);
		if (valid) {
			if (out != NULL)
				memcpy(out + olen, p + i, n);
			olen += n;
		} else {
			if (out != NULL)
				memcpy(out + olen, "\xef\xbf\xbd", 3);
			olen += 3;
			bad = 1;
		}
		i += n;
	}
	return bad ? olen : (size_t)-1;
}

/*
 * The length s will have once stored: len, or more if invalid UTF-8 must
 * be replaced, which *repair then says.
 */
static inline size_t
record_stored_len(const struct record *r, const char *s, size_t len,
    int *repair)
{
	size_t	n;

	*repair = 0;
	if (r->ascii || record_ascii(s, len) ||
	    (n = record_utf8_repair(s, len, NULL)) == (size_t)-1)
		return len;
	*repair = 1;
	return n;
}

/* Write s to p, n bytes as record_stored_len() said, and a NUL. */
static inline void
record_store(struct record *r, char *p, const char *s, size_t len, size_t n,
    int repair)
{
	if (repair) {
		record_utf8_repair(s, len, p);
		r->repaired = 1;
	} else
		record_move(p, s, len);
	p[n] = '\0';
}

/* Copy a string into the arena, NUL-terminated, repairing its UTF-8. */
static __attribute__((__noinline__)) const char *
record_copy(struct record *r, const char *s, size_t len, size_t *lenp)
{
	char	*p;
	size_t	 n;
	int	 repair;

	n = record_stored_len(r, s, len, &repair);
	if ((p = record_alloc(r, n + 1, 1, 1)) == NULL)
		return NULL;
	record_store(r, p, s, len, n, repair);
	*lenp = n;
	return p;
}

/*
 * Make a value of this type and link it into the open container, with
 * extra bytes right after it for its text (see record_scalar).
 */
static struct rec_value *
record_add(struct record *r, enum rec_type type, size_t extra)
{
	struct rec_node		*n;
	struct rec_value	*v;
	struct rec_frame	*f;

	n = record_alloc(r, sizeof *n + extra, _Alignof(struct rec_node), 1);
	if (n == NULL)
		return NULL;
	v = &n->v;
	v->type = type;
	v->key = r->key;
	v->keylen = r->keylen;
	v->str = NULL;
	v->len = 0;
	v->child = v->next = NULL;
	v->nchild = 0;
	n->json = NULL;
	n->jsonlen = 0;
	r->key = NULL;
	r->keylen = 0;

	if (r->depth == 0) {
		if (r->root == NULL)
			r->root = v;
		return v;
	}
	f = &r->stack[r->depth - 1];
	if (f->last == NULL)
		f->v->child = v;
	else
		f->last->next = v;
	f->last = v;
	f->v->nchild++;
	return v;
}

/* Name the next member of the open object. */
enum rec_build
record_key(struct record *r, const char *s, size_t len)
{
	char	*p;

	if (!r->ascii) {
		if ((r->key = record_copy(r, s, len, &r->keylen)) == NULL)
			return REC_BUILD_MEM;
		return REC_BUILD_OK;
	}
	/* Known ASCII: nothing to check, copy it as it is. */
	if ((p = record_alloc(r, len + 1, 1, 1)) == NULL)
		return REC_BUILD_MEM;
	record_move(p, s, len);
	p[len] = '\0';
	r->key = p;
	r->keylen = len;
	return REC_BUILD_OK;
}

/*
 * Add a scalar: the decoded string, or a number's text as written.  The
 * text is stored right after the value, in one allocation: the arena
 * would have put it there anyway, and there is one cap check less.
 */
enum rec_build
record_scalar(struct record *r, enum rec_type type, const char *s,
    size_t len)
{
	struct rec_value	*v;
	size_t			 n;
	int			 repair;
	char			*p;

	switch (type) {
	case REC_NULL:
		s = "null";
		break;
	case REC_FALSE:
		s = "false";
		break;
	case REC_TRUE:
		s = "true";
		break;
	case REC_NUMBER:
	case REC_STRING:
		n = record_stored_len(r, s, len, &repair);
		if ((v = record_add(r, type, n + 1)) == NULL)
			return REC_BUILD_MEM;
		p = (char *)((struct rec_node *)v + 1);
		record_store(r, p, s, len, n, repair);
		v->str = p;
		v->len = n;
		return REC_BUILD_OK;
	default:
		fatalx("record_scalar: type %d", (int)type);
	}
	if ((v = record_add(r, type, 0)) == NULL)
		return REC_BUILD_MEM;
	v->str = s;
	v->len = strlen(s);
	return REC_BUILD_OK;
}

/* Open an object or array; later values go into it until record_close. */
enum rec_build
record_open(struct record *r, enum rec_type type)
{
	struct rec_value	*v;

	if (r->depth == REC_DEPTH_MAX)
		return REC_BUILD_DEEP;
	if ((v = record_add(r, type, 0)) == NULL)
		return REC_BUILD_MEM;
	r->stack[r->depth].v = v;
	r->stack[r->depth].last = NULL;
	r->depth++;
	return REC_BUILD_OK;
}

/* Close the innermost open container. */
void
record_close(struct record *r)
{
	if (r->depth == 0)
		fatalx("record_close: nothing open");
	r->depth--;
}

/* How many containers are open. */
size_t
record_depth(const struct record *r)
{
	return r->depth;
}

/* Set the origin to a copy of the string, kept in the arena. */
void
record_set_origin(struct record *r, const char *origin)
{
	size_t	 len = strlen(origin);
	char	*p;

	p = record_alloc(r, len + 1, 1, 0);
	memcpy(p, origin, len + 1);
	r->origin = p;
}

/*
 * The caller vouches that the strings it adds next are ASCII (the JSON
 * stage saw no byte above 0x7f and no \u escape in the event so far), so
 * their UTF-8 need not be checked.
 */
void
record_set_ascii(struct record *r, int ascii)
{
	r->ascii = ascii;
}

/* Whether a string of this event had its UTF-8 repaired. */
int
record_repaired(const struct record *r)
{
	return r->repaired;
}

/*
 * Append a string member to the root object of a finished record (a
 * form's own time or id, see forms.c), as if it had been the last one.
 */
enum rec_build
record_add_member(struct record *r, const char *key, const char *s,
    size_t len)
{
	struct rec_value	*last;
	enum rec_build		 e;

	if (r->root == NULL || r->root->type != REC_OBJECT || r->depth != 0)
		return REC_BUILD_MEM;
	for (last = r->root->child; last != NULL && last->next != NULL;
	    last = last->next)
		;
	r->stack[0].v = r->root;
	r->stack[0].last = last;
	r->depth = 1;
	record_index_drop(r);
	if ((e = record_key(r, key, strlen(key))) == REC_BUILD_OK)
		e = record_scalar(r, REC_STRING, s, len);
	r->depth = 0;
	return e;
}

/* Re-root the record at one of its values (an envelope's payload). */
void
record_set_root(struct record *r, const struct rec_value *v)
{
	r->root = (struct rec_value *)v;
	r->root->key = NULL;
	r->root->keylen = 0;
	r->root->next = NULL;
	record_index_drop(r);
}

/* The top-level object. */
const struct rec_value *
record_root(const struct record *r)
{
	return r->root;
}

/* The member of an object with exactly this name (the last, if repeated). */
const struct rec_value *
record_member(const struct rec_value *v, const char *name, size_t len)
{
	const struct rec_value	*c, *found = NULL;

	if (v == NULL || v->type != REC_OBJECT)
		return NULL;
	/* A key given twice: the last value counts, as in jq and Python. */
	for (c = v->child; c != NULL; c = c->next) {
		if (c->keylen == len && memcmp(c->key, name, len) == 0)
			found = c;
	}
	return found;
}

/*
 * A slot for a name from its length and five of its bytes: names are
 * looked up more often than they are long, and a collision costs one
 * more probe.
 */
static inline size_t
record_index_hash(const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	uint32_t		 h;

	h = (uint32_t)n * 0x9e3779b1u + p[0] * 0x85ebca6bu +
	    p[n - 1] * 0xc2b2ae35u + p[n / 2] * 0x27d4eb2fu;
	if (n > 1)
		h += p[1] * 0x165667b1u + p[n - 2] * 0xd3a2646du;
	return h >> (32 - REC_INDEX_BITS);
}

/* Index the root's members, or find that it cannot be done. */
static void
record_index_build(struct rec_index *ix, const struct rec_value *root)
{
	const struct rec_value	*m, **sp;
	size_t			 h, i, n = 0;

	memset(ix->slot, 0, sizeof ix->slot);
	ix->state = REC_INDEX_UNFIT;
	if (root == NULL || root->type != REC_OBJECT)
		return;
	for (m = root->child; m != NULL; m = m->next) {
		if (m->keylen == 0 || ++n > REC_INDEX_MAX)
			return;
		for (i = 0; i < m->keylen; i++)	/* short: no memchr() */
			if (m->key[i] == '.')
				return;
		h = record_index_hash(m->key, m->keylen);
		for (;; h = (h + 1) & (REC_INDEX_SLOTS - 1)) {
			sp = &ix->slot[h];
			if (*sp == NULL || ((*sp)->keylen == m->keylen &&
			    memcmp((*sp)->key, m->key, m->keylen) == 0))
				break;
		}
		*sp = m;	/* a repeated name: the later one counts */
	}
	ix->state = REC_INDEX_BUILT;
}

/* The root's member of this name, through the index (see record.h). */
int
record_root_member(struct record *r, const char *name, size_t len,
    const struct rec_value **mp)
{
	struct rec_index	*ix = r->ix;
	const struct rec_value	*m;
	size_t			 h;

	if (ix == NULL || len == 0)
		return -1;
	if (ix->state == REC_INDEX_NONE)
		record_index_build(ix, r->root);
	if (ix->state != REC_INDEX_BUILT)
		return -1;
	h = record_index_hash(name, len);
	for (;; h = (h + 1) & (REC_INDEX_SLOTS - 1)) {
		if ((m = ix->slot[h]) == NULL ||
		    (m->keylen == len && memcmp(m->key, name, len) == 0))
			break;
	}
	*mp = m;
	return 0;
}

/*
 * Follow a dotted path below v.  A member name may itself contain dots,
 * so each shorter split is tried first and a longer one after it fails.
 */
static const struct rec_value *
record_path_from(const struct rec_value *v, const char *p, size_t len)
{
	const struct rec_value	*c, *found;
	const char		*dot;
	size_t			 seg, from = 0;

	for (;;) {
		dot = memchr(p + from, '.', len - from);
		seg = dot != NULL ? (size_t)(dot - p) : len;
		if ((c = record_member(v, p, seg)) != NULL) {
			if (seg == len)
				return c;
			found = record_path_from(c, p + seg + 1, len - seg - 1);
			if (found != NULL)
				return found;
		}
		if (dot == NULL)
			return NULL;
		from = seg + 1;
	}
}

/* The value at a dotted path of members, or NULL. */
const struct rec_value *
record_path(const struct record *r, const char *path)
{
	if (r->root == NULL)
		return NULL;
	if (*path == '\0')
		return r->root;
	return record_path_from(r->root, path, strlen(path));
}

/* The text of a scalar at a path; NULL if absent, null or a container. */
const char *
record_string(const struct record *r, const char *path)
{
	const struct rec_value	*v;

	if ((v = record_path(r, path)) == NULL)
		return NULL;
	switch (v->type) {
	case REC_NULL:
	case REC_OBJECT:
	case REC_ARRAY:
		return NULL;
	default:
		return v->str;
	}
}

/* Bytes of a JSON string literal for s, quotes included. */
static size_t
record_json_strsize(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n = 2, i;

	for (i = 0; i < len; i++) {
		if (p[i] == '"' || p[i] == '\\' || p[i] == '\b' ||
		    p[i] == '\f' || p[i] == '\n' || p[i] == '\r' ||
		    p[i] == '\t')
			n += 2;
		else if (p[i] < 0x20 || p[i] == 0x7f)
			n += 6;
		else
			n++;
	}
	return n;
}

/*
 * Write s as a JSON string literal: RFC 8259 escapes, the short forms
 * where JSON has them, other control characters (and DEL) as \u00XX, as
 * jq writes them; UTF-8 is kept as it is.
 */
static char *
record_json_strwrite(const char *s, size_t len, char *o)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i;

	*o++ = '"';
	for (i = 0; i < len; i++) {
		switch (p[i]) {
		case '"':
		case '\\':
			*o++ = '\\';
			*o++ = (char)p[i];
			break;
		case '\b':
			*o++ = '\\';
			*o++ = 'b';
			break;
		case '\f':
			*o++ = '\\';
			*o++ = 'f';
			break;
		case '\n':
			*o++ = '\\';
			*o++ = 'n';
			break;
		case '\r':
			*o++ = '\\';
			*o++ = 'r';
			break;
		case '\t':
			*o++ = '\\';
			*o++ = 't';
			break;
		default:
			if (p[i] < 0x20 || p[i] == 0x7f) {
				memcpy(o, "\\u00", 4);
				o[4] = record_hex[p[i] >> 4];
				o[5] = record_hex[p[i] & 0xf];
				o += 6;
			} else
				*o++ = (char)p[i];
			break;
		}
	}
	*o++ = '"';
	return o;
}

/* Bytes of the compact JSON text of v. */
static size_t
record_json_size(const struct rec_value *v)
{
	const struct rec_value	*c;
	size_t			 n;

	switch (v->type) {
	case REC_STRING:
		return record_json_strsize(v->str, v->len);
	case REC_OBJECT:
	case REC_ARRAY:
		n = 2;
		for (c = v->child; c != NULL; c = c->next) {
			if (c != v->child)
				n++;
			if (v->type == REC_OBJECT)
				n += record_json_strsize(c->key, c->keylen) + 1;
			n += record_json_size(c);
		}
		return n;
	default:
		return v->len;
	}
}

/* Write the compact JSON text of v; returns the end. */
static char *
record_json_write(const struct rec_value *v, char *o)
{
	const struct rec_value	*c;

	switch (v->type) {
	case REC_STRING:
		return record_json_strwrite(v->str, v->len, o);
	case REC_OBJECT:
	case REC_ARRAY:
		*o++ = v->type == REC_OBJECT ? '{' : '[';
		for (c = v->child; c != NULL; c = c->next) {
			if (c != v->child)
				*o++ = ',';
			if (v->type == REC_OBJECT) {
				o = record_json_strwrite(c->key, c->keylen, o);
				*o++ = ':';
			}
			o = record_json_write(c, o);
		}
		*o++ = v->type == REC_OBJECT ? '}' : ']';
		return o;
	default:
		memcpy(o, v->str, v->len);
		return o + v->len;
	}
}

/* Compact JSON text of a value, made once and kept with the record. */
const char *
record_json(struct record *r, const struct rec_value *v, size_t *lenp)
{
	struct rec_node	*n = (struct rec_node *)v;
	char		*p, *end;
	size_t		 len;

	switch (v->type) {
	case REC_NULL:
	case REC_FALSE:
	case REC_TRUE:
	case REC_NUMBER:
		if (lenp != NULL)
			*lenp = v->len;
		return v->str;
	default:
		break;
	}
	if (n->json == NULL) {
		len = record_json_size(v);
		p = record_alloc(r, len + 1, 1, 0);
		end = record_json_write(v, p);
		*end = '\0';
		n->json = p;
		n->jsonlen = (size_t)(end - p);
	}
	if (lenp != NULL)
		*lenp = n->jsonlen;
	return n->json;
}

/* Where the record came from. */
const char *
record_origin(const struct record *r)
{
	return r->origin;
}

/* Its position there, from 0. */
uint64_t
record_index(const struct record *r)
{
	return r->index;
}

/*
 * Where record_path() may go below a member of this name for the dotted
 * paths given (NULL-terminated): any dot in a path may part two member
 * names.  Returns 0 if no path goes through the member; 1 if some path
 * ends at it, so that all below it counts; else 2, with the rest of each
 * path that goes on below it in sub (REC_PART_PATHS + 1 entries).
 */
static int
record_reaches(const char *key, size_t keylen, const char *const *paths,
    const char **sub)
{
	size_t	len, n = 0;

	for (; *paths != NULL; paths++) {
		len = strlen(*paths);
		if (len < keylen || memcmp(*paths, key, keylen) != 0)
			continue;
		if (len == keylen || n == REC_PART_PATHS)
			return 1;
		if ((*paths)[keylen] == '.')
			sub[n++] = *paths + keylen + 1;
	}
	sub[n] = NULL;
	return n > 0 ? 2 : 0;
}

/*
 * Copy the members of v into r's arena, all of them or, if paths is not
 * NULL, what record_reaches() says the paths may reach: first their nodes side by side,
 * then their keys and strings, then what is below each.  Whoever reads
 * the copy, on another thread and long after, looks members up by
 * walking a list and comparing keys: kept together, they take a few
 * cache lines instead of one or two per member.
 */
static void
record_clone_kids(struct record *r, struct rec_value *c,
    const struct rec_value *v, const char *const *paths)
{
	struct rec_node		*n;
	struct rec_value	*kid, *last = NULL, *from;
	const struct rec_value	*k;
	const char		*sub[REC_PART_PATHS + 1];
	char			*p;

	c->nchild = 0;
	for (k = v->child; k != NULL; k = k->next) {
		if (paths != NULL && (k->key == NULL ||
		    record_reaches(k->key, k->keylen, paths, sub) == 0))
			continue;
		n = record_alloc(r, sizeof *n, _Alignof(struct rec_node), 0);
		kid = &n->v;
		*kid = *k;
		/* Until the last pass, child is the value copied. */
		kid->child = (struct rec_value *)(uintptr_t)k;
		kid->next = NULL;
		n->json = NULL;
		n->jsonlen = 0;
		if (last == NULL)
			c->child = kid;
		else
			last->next = kid;
		last = kid;
		c->nchild++;
	}
	for (kid = c->child; kid != NULL; kid = kid->next) {
		if (kid->key != NULL) {
			p = record_alloc(r, kid->keylen + 1, 1, 0);
			memcpy(p, kid->key, kid->keylen);
			p[kid->keylen] = '\0';
			kid->key = p;
		}
		if (kid->str != NULL) {
			p = record_alloc(r, kid->len + 1, 1, 0);
			memcpy(p, kid->str, kid->len);
			p[kid->len] = '\0';
			kid->str = p;
		}
	}
	for (kid = c->child; kid != NULL; kid = kid->next) {
		from = kid->child;
		kid->child = NULL;
		if (from->child == NULL)
			continue;
		if (paths == NULL || record_reaches(kid->key, kid->keylen,
		    paths, sub) == 1)
			record_clone_kids(r, kid, from, NULL);
		else
			record_clone_kids(r, kid, from, sub);
	}
}

/*
 * Copy v into r's arena, and everything below it or, if paths is not
 * NULL, what they may reach (record_clone_kids()).
 */
static struct rec_value *
record_clone_value(struct record *r, const struct rec_value *v,
    const char *const *paths)
{
	struct rec_node		*n;
	struct rec_value	*c;
	char			*p;

	n = record_alloc(r, sizeof *n, _Alignof(struct rec_node), 0);
	c = &n->v;
	*c = *v;
	c->child = c->next = NULL;
	n->json = NULL;
	n->jsonlen = 0;
	if (v->key != NULL) {
		p = record_alloc(r, v->keylen + 1, 1, 0);
		memcpy(p, v->key, v->keylen);
		p[v->keylen] = '\0';
		c->key = p;
	}
	if (v->str != NULL) {
		p = record_alloc(r, v->len + 1, 1, 0);
		memcpy(p, v->str, v->len);
		p[v->len] = '\0';
		c->str = p;
	}
	if (v->child != NULL)
		record_clone_kids(r, c, v, paths);
	return c;
}

/*
 * Where p, if it points into the len bytes at from, points in their copy
 * at to; else p.
 */
static inline void *
record_moved(const void *p, uintptr_t from, size_t len, uintptr_t to)
{
	uintptr_t	a = (uintptr_t)p;

	if (a - from < len)
		return (void *)(to + (a - from));
	return (void *)(uintptr_t)p;
}

/*
 * Point the copy of v and of everything below it at the copy of the
 * arena chunk they are in; pointers outside it ("true", a borrowed
 * origin) are left alone.
 */
static void
record_relocate(struct rec_value *v, uintptr_t from, size_t len,
    uintptr_t to)
{
	struct rec_node	*n;

	for (; v != NULL; v = v->next) {
		n = (struct rec_node *)v;
		v->key = record_moved(v->key, from, len, to);
		v->str = record_moved(v->str, from, len, to);
		n->json = record_moved(n->json, from, len, to);
		v->child = record_moved(v->child, from, len, to);
		v->next = record_moved(v->next, from, len, to);
		if (v->child != NULL)
			record_relocate(v->child, from, len, to);
	}
}

/*
 * Copy an event that fits the first chunk of src's arena as it is, bytes
 * and all, and then move its pointers: several times quicker than the
 * node by node copy, which most of a -j worker's copying was.
 */
static void
record_clone_flat(struct record *r, const struct record *src)
{
	struct rec_chunk	*sc = src->head, *c = r->head;
	uintptr_t		 from = (uintptr_t)(sc + 1), to;

	to = (uintptr_t)(c + 1);
	memcpy(c + 1, sc + 1, sc->used);
	c->used = sc->used;
	r->root = record_moved(src->root, from, sc->used, to);
	if (r->root != (void *)(uintptr_t)src->root)
		record_relocate(r->root, from, sc->used, to);
	else
		r->root = record_clone_value(r, src->root, NULL);
}

/* The arena a copy of src needs (record_clone(), record_clone_to()). */
static size_t
record_clone_mem(const struct record *src)
{
	size_t	size;

	size = src->mem;
	if (src->cur == src->head && src->head->used > size)
		size = src->head->used;
	size += 256;
	if (src->origin != NULL)
		size += strlen(src->origin) + 1;
	return size;
}

/*
 * Copy src into r, whose arena is empty and large enough: all of it, or,
 * if paths is not NULL and the event is an object, what the paths may
 * reach (record_clone_part_to()).
 */
static void
record_clone_fill(struct record *r, const struct record *src,
    const char *const *paths)
{
	r->cur = r->head;
	r->index = src->index;
	r->repaired = src->repaired;
	if (src->root != NULL && paths != NULL &&
	    src->root->type == REC_OBJECT)
		r->root = record_clone_value(r, src->root, paths);
	else if (src->root != NULL && src->cur == src->head)
		record_clone_flat(r, src);
	else if (src->root != NULL)
		r->root = record_clone_value(r, src->root, NULL);
	if (src->origin != NULL)
		record_set_origin(r, src->origin);
}

/* Copy a finished record into an arena of its own, sized to fit. */
struct record *
record_clone(const struct record *src, size_t *sizep)
{
	struct record	*r;
	size_t		 size;

	size = record_clone_mem(src);
	r = xcalloc(1, sizeof *r);
	r->head = xcalloc(1, sizeof *r->head + size + REC_CHUNK_PAD);
	r->head->size = size;
	record_clone_fill(r, src, NULL);
	*sizep = sizeof *r + sizeof *r->head + r->head->size;
	return r;
}

/* The bytes record_clone_to() needs to copy src. */
size_t
record_clone_size(const struct record *src)
{
	size_t	size;

	size = REC_CLONE_HEAD + sizeof(struct rec_chunk) +
	    record_clone_mem(src) + REC_CHUNK_PAD;
	return (size + 15) & ~(size_t)15;
}

/*
 * record_clone() into the caller's memory, record_clone_size(src) bytes
 * aligned as malloc's are: for the -j workers, which copy thousands of
 * records into blocks they reuse.  Give it back with record_release().
 */
struct record *
record_clone_to(const struct record *src, void *mem)
{
	struct record	*r;

	r = record_clone_head(src, mem);
	record_clone_fill(r, src, NULL);
	return r;
}

/*
 * record_clone_to() of what a reader looking up only paths (dotted,
 * NULL-terminated) with record_path() can see: the members on the way to
 * each, and all below the last.  It takes record_clone_used() of the
 * bytes given.
 */
struct record *
record_clone_part_to(const struct record *src, const char *const *paths,
    void *mem)
{
	struct record		*r;
	struct rec_chunk	*c;

	r = record_clone_head(src, mem);
	record_clone_fill(r, src, paths);
	if ((c = r->head) == r->cur) {
		/* What PCRE2's JIT may read past the end (REC_CHUNK_PAD). */
		c->size = c->used;
		memset((char *)(c + 1) + c->used, 0, REC_CHUNK_PAD);
	}
	return r;
}

/* The bytes a record_clone_to() or record_clone_part_to() copy took. */
size_t
record_clone_used(const struct record *r)
{
	size_t	size;

	size = REC_CLONE_HEAD + sizeof(struct rec_chunk) + r->head->size +
	    REC_CHUNK_PAD;
	return (size + 15) & ~(size_t)15;
}

/* Start a copy of src in mem: the record and its first, empty chunk. */
static struct record *
record_clone_head(const struct record *src, void *mem)
{
	struct record	*r = mem;

	memset(r, 0, REC_CLONE_HEAD);
	r->head = (struct rec_chunk *)((char *)r + REC_CLONE_HEAD);
	r->head->next = NULL;
	r->head->size = record_clone_mem(src);
	r->head->used = 0;
	return r;
}

/*
 * The main thread reads each copy a worker made once, long after, from
 * memory no cache of its core holds: asking for the next one's first
 * lines while it writes this one hides most of that wait.
 */
void
record_prefetch(const struct record *r)
{
	const char	*p, *end;

	if (r == NULL)
		return;
	p = (const char *)(r->head + 1);
	end = p + (r->head->used < REC_PREFETCH_BYTES ? r->head->used :
	    REC_PREFETCH_BYTES);
	for (; p < end; p += 64)
		__builtin_prefetch(p, 0, 3);
}

/* Free what was added to a record_clone_to() copy, not the copy. */
void
record_release(struct record *r)
{
	struct rec_chunk	*c, *next;

	if (r == NULL)
		return;
	for (c = r->head->next; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	r->head->next = NULL;
}

/* Build a record from the text of one JSON object (for tests). */
struct record *
record_from_json(const char *json, size_t len, const char *origin,
    char **cause)
{
	struct json_stats	 st;
	struct json		*j;
	struct record		*r;
	int			 ok;

	memset(&st, 0, sizeof st);
	j = json_create(NULL, NULL, NULL, &st);
	ok = json_feed(j, json, len) == 0 && json_end(j, 1) == 0;
	if ((r = json_take(j, cause)) != NULL && !ok) {
		record_free(r);
		r = NULL;
		*cause = xstrdup("bad JSON");
	}
	if (r != NULL)
		record_set_origin(r, origin);
	json_free(j);
	return r;
}
