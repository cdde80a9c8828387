/* SPDX-License-Identifier: ISC */
/* Unit tests for hash.c: FNV-1a vectors, find/add, growth and the cap. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

static int	failed;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond);	\
		failed = 1;						\
	}								\
} while (0)

/* Published FNV-1a 64-bit values. */
static const struct {
	const char	*s;
	uint64_t	 h;
} vectors[] = {
	{ "",		0xcbf29ce484222325ULL },
	{ "a",		0xaf63dc4c8601ec8cULL },
	{ "foobar",	0x85944171f73967e8ULL },
};

#define NKEYS	5000

static char	*keys[NKEYS];

static int
t_eq(const void *arg, size_t idx, const void *key)
{
	return strcmp(((char *const *)arg)[idx], key) == 0;
}

static uint64_t
t_rehash(const void *arg, size_t idx)
{
	return hash_str(((char *const *)arg)[idx]);
}

/* Every key hashes to one slot chain: probing must still find them. */
static uint64_t
t_rehash0(const void *arg, size_t idx)
{
	(void)arg;
	(void)idx;
	return 0;
}

int
main(void)
{
	struct hash	 t;
	char		 k[32];
	size_t		 i;

	for (i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
		CHECK(hash_str(vectors[i].s) == vectors[i].h);
		CHECK(hash_bytes(HASH_INIT, vectors[i].s,
		    strlen(vectors[i].s)) == vectors[i].h);
	}
	/* Continuing a chain is hashing the concatenation. */
	CHECK(hash_bytes(hash_bytes(HASH_INIT, "foo", 3), "bar", 3) ==
	    hash_str("foobar"));
	CHECK(hash_bytes(HASH_INIT, "a\0b", 3) != hash_str("a"));

	/* An empty table finds nothing and frees cleanly. */
	memset(&t, 0, sizeof t);
	CHECK(hash_find(&t, hash_str("x"), t_eq, keys, "x") == SIZE_MAX);
	hash_clear(&t);

	/* Many keys: the table grows, every key stays findable. */
	hash_init(&t, 0);
	for (i = 0; i < NKEYS; i++) {
		snprintf(k, sizeof k, "key-%zu", i);
		keys[i] = strdup(k);
		CHECK(hash_find(&t, hash_str(k), t_eq, keys, k) == SIZE_MAX);
		CHECK(hash_add(&t, hash_str(k), i, t_rehash, keys) == 0);
	}
	CHECK(t.used == NKEYS);
	CHECK(t.size >= 2 * NKEYS && (t.size & (t.size - 1)) == 0);
	for (i = 0; i < NKEYS; i++)
		CHECK(hash_find(&t, hash_str(keys[i]), t_eq, keys, keys[i]) ==
		    i);
	CHECK(hash_find(&t, hash_str("key-5000"), t_eq, keys, "key-5000") ==
	    SIZE_MAX);
	hash_clear(&t);
	CHECK(t.slots == NULL && t.size == 0 && t.used == 0);

	/* The cap: the max+1-th add fails and changes nothing. */
	hash_init(&t, 3);
	for (i = 0; i < 3; i++)
		CHECK(hash_add(&t, hash_str(keys[i]), i, t_rehash, keys) == 0);
	CHECK(hash_add(&t, hash_str(keys[3]), 3, t_rehash, keys) == -1);
	CHECK(t.used == 3);
	CHECK(hash_find(&t, hash_str(keys[3]), t_eq, keys, keys[3]) ==
	    SIZE_MAX);
	CHECK(hash_find(&t, hash_str(keys[2]), t_eq, keys, keys[2]) == 2);
	hash_clear(&t);

	/* All in one chain, through growth. */
	hash_init(&t, 0);
	for (i = 0; i < 200; i++)
		CHECK(hash_add(&t, 0, i, t_rehash0, keys) == 0);
	for (i = 0; i < 200; i++)
		CHECK(hash_find(&t, 0, t_eq, keys, keys[i]) == i);
	hash_clear(&t);

	CHECK(hash_bytes_per_entry() == 2 * sizeof(uint32_t));
	for (i = 0; i < NKEYS; i++)
		free(keys[i]);
	return failed;
}
