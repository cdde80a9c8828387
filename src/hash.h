/* SPDX-License-Identifier: ISC */
#ifndef HASH_H
#define HASH_H

#include <stddef.h>
#include <stdint.h>

/* FNV-1a's offset basis: the hash of nothing, and where a chain starts. */
#define HASH_INIT	0xcbf29ce484222325ULL

/* The most entries any table holds: slots are 32-bit. */
#define HASH_MAX	((size_t)UINT32_MAX / 2)

/*
 * An open-addressing table of indices into an array the caller keeps:
 * the keys stay in that array (owned or copied there, as the caller
 * needs), the table only finds them.  It is kept at most half full.
 */
struct hash {
	uint32_t	*slots;		/* index + 1, 0 if free */
	size_t		 size;		/* a power of two, or 0 */
	size_t		 used;
	size_t		 max;		/* entries allowed, 0: HASH_MAX */
};

/* Does entry idx of arg have this key? */
typedef int	 hash_eq_fn(const void *arg, size_t idx, const void *key);
/* The hash of entry idx of arg, to move it when the table grows. */
typedef uint64_t hash_key_fn(const void *arg, size_t idx);

uint64_t	 hash_bytes(uint64_t, const void *, size_t);
uint64_t	 hash_str(const char *);
void		 hash_init(struct hash *, size_t);
void		 hash_clear(struct hash *);
size_t		 hash_find(const struct hash *, uint64_t, hash_eq_fn *,
		    const void *, const void *);
int		 hash_add(struct hash *, uint64_t, size_t, hash_key_fn *,
		    const void *) __attribute__((__warn_unused_result__));
size_t		 hash_bytes_per_entry(void);

#endif
