/* SPDX-License-Identifier: ISC */
/*
 * Decode one stream: sniff gzip or plain JSON, inflate, parse with yajl,
 * assemble records one at a time and hand each to a callback.  Problems
 * are reported through diag() with the stream's name and position; the
 * scan of a stream goes on past a bad record wherever the format allows.
 */
#ifndef SCAN_H
#define SCAN_H

#include <stdint.h>

struct record;
struct stream;

struct scan_stats {
	uint64_t	 streams;		/* streams opened */
	uint64_t	 streams_failed;	/* not read to the end */
	uint64_t	 records;		/* events delivered */
	uint64_t	 records_skipped;	/* bad events not delivered */
	uint64_t	 digests;		/* CloudTrail-Digest files skipped */
	uint64_t	 insights;		/* Insights events delivered */
	uint64_t	 repaired;		/* delivered after a repair */
	uint64_t	 bytes_in;		/* bytes read from streams */
	uint64_t	 bytes_json;		/* bytes of JSON after inflate */
};

typedef void	 scan_record_cb(struct record *, void *);

/* Free this thread's read buffer and inflater (a worker, at its end). */
void	 scan_thread_clear(void);
/* 0 if the whole stream was read, -1 if part of it was not. */
int	 scan_stream(struct stream *, scan_record_cb *, void *,
	    struct scan_stats *);

/* --verify: take the SHA-256 of each stream's inflated bytes, or not. */
void	 scan_hash(int);
/* The hex SHA-256 (65 bytes) of the last stream: 0, or -1 if not hashed. */
int	 scan_hash_hex(char *);

#endif
