/* SPDX-License-Identifier: ISC */
/*
 * The decompression stage: bytes in, JSON text out.  Content is recognised
 * by its first bytes, not by a file name: gzip (every member of a
 * multi-member file) is inflated, anything else passes through unchanged.
 */
#ifndef GZ_H
#define GZ_H

#include <stddef.h>

struct gz;

enum gz_engine {
	GZ_ZLIB,
	GZ_ISAL,	/* ISA-L's igzip, when built with it */
};

/* The inflater named by CTAUDIT_INFLATE ("zlib"), else the fastest. */
struct gz	*gz_create(void);
struct gz	*gz_create_engine(enum gz_engine);
const char	*gz_engine_name(const struct gz *);
void		 gz_free(struct gz *);
/* Start on another stream, keeping the buffers. */
void		 gz_reset(struct gz *);
/*
 * Hand over the next len bytes, which must stay valid until gz_output()
 * returns 0.  len 0 means the input has ended.
 */
void		 gz_input(struct gz *, const void *, size_t);
/*
 * The next piece of output: 1 and *out, *len set (valid until the next
 * call); 0 when more input is needed, or after the end when all is done;
 * -1 and *cause (allocated, "compressed byte N: ...") on corrupt,
 * truncated or trailing data.
 */
int		 gz_output(struct gz *, const char **out, size_t *len,
		    char **cause);

#define GZ_SHA256_HEX	65	/* 64 hex digits and a NUL */
/* Hash the output of the streams after the next gz_reset() (or not). */
void		 gz_hash(struct gz *, int);
/* The hex SHA-256 of the output since gz_reset(): 0, or -1 if off. */
int		 gz_hash_hex(struct gz *, char hex[GZ_SHA256_HEX]);
#endif
