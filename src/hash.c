/* SPDX-License-Identifier: ISC */
/*
 * The one hash table of the program, behind the state file's entries
 * and rule/event pairs, the --summary counters, the correlation groups
 * and values, and the rule ids seen.  It maps a 64-bit FNV-1a hash to an
 * index into an array the caller keeps, with linear probing, so that the
 * caller's entries keep their order (load order, first seen) and the
 * keys can be anything the caller compares: strings, byte runs with NULs,
 * several values at once.  Growth doubles the slots when the table would
 * be more than half full, and stops at a cap the caller sets: hash_add()
 * then fails and the caller decides (count "other", drop and warn).
 *
 * The rule index of rule.c is not built on this: it hashes and compares
 * ASCII case-folded keys eight bytes at a time on the per-record path.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "hash.h"
#include "xmalloc.h"

#define HASH_PRIME	0x100000001b3ULL
#define HASH_MIN_SLOTS	64

/* FNV-1a over len bytes of p, continued from h (HASH_INIT to start). */
uint64_t
hash_bytes(uint64_t h, const void *p, size_t len)
{
	const unsigned char	*s = p;
	size_t			 i;

	for (i = 0; i < len; i++) {
		h ^= s[i];
		h *= HASH_PRIME;
	}
	return h;
}

/* FNV-1a of a NUL-terminated string. */
uint64_t
hash_str(const char *s)
{
	uint64_t	h = HASH_INIT;

	while (*s != '\0') {
		h ^= (unsigned char)*s++;
		h *= HASH_PRIME;
	}
	return h;
}

/*
 * Make an empty table for at most max entries (0: HASH_MAX).  A zeroed
 * struct hash is the same as hash_init(t, 0).
 */
void
hash_init(struct hash *t, size_t max)
{
	t->slots = NULL;
	t->size = t->used = 0;
	t->max = max == 0 || max > HASH_MAX ? HASH_MAX : max;
}

/* Free the slots; the table is empty and usable again. */
void
hash_clear(struct hash *t)
{
	free(t->slots);
	t->slots = NULL;
	t->size = t->used = 0;
}

/* The index stored under key (hash h, compared by eq), or SIZE_MAX. */
size_t
hash_find(const struct hash *t, uint64_t h, hash_eq_fn *eq, const void *arg,
    const void *key)
{
	size_t	i, idx;

	if (t->size == 0)
		return SIZE_MAX;
	for (i = h & (t->size - 1); t->slots[i] != 0;
	    i = (i + 1) & (t->size - 1)) {
		idx = t->slots[i] - 1;
		if (eq(arg, idx, key))
			return idx;
	}
	return SIZE_MAX;
}

/* Put idx into the first free slot from hash h; the table has room. */
static void
hash_put(struct hash *t, uint64_t h, size_t idx)
{
	size_t	i;

	for (i = h & (t->size - 1); t->slots[i] != 0;
	    i = (i + 1) & (t->size - 1))
		;
	t->slots[i] = (uint32_t)(idx + 1);
}

/*
 * Store index idx, whose key (hash h) is not there yet: 0, or -1 when the
 * table holds max entries already.  Growing rehashes every entry through
 * rehash(arg, index).
 */
int
hash_add(struct hash *t, uint64_t h, size_t idx, hash_key_fn *rehash,
    const void *arg)
{
	uint32_t	*old = t->slots;
	size_t		 oldsize = t->size, k;

	if (t->used >= (t->max == 0 ? HASH_MAX : t->max) || idx >= HASH_MAX)
		return -1;
	if (2 * (t->used + 1) > t->size) {
		t->size = oldsize == 0 ? HASH_MIN_SLOTS : oldsize * 2;
		t->slots = xcalloc(t->size, sizeof *t->slots);
		for (k = 0; k < oldsize; k++) {
			if (old[k] != 0)
				hash_put(t, rehash(arg, old[k] - 1),
				    old[k] - 1);
		}
		free(old);
	}
	hash_put(t, h, idx);
	t->used++;
	return 0;
}

/* What one entry costs in slots, the table kept at most half full. */
size_t
hash_bytes_per_entry(void)
{
	return 2 * sizeof(uint32_t);
}
