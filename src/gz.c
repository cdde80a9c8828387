/* SPDX-License-Identifier: ISC */
/*
 * The decompression stage of the pipeline.  The first two bytes decide:
 * the gzip magic 1f 8b starts inflating, anything else is passed through
 * without a copy.  Member after member is inflated for as long as another
 * gzip header follows; bytes after the last member that are not a member
 * are an error, like truncated or corrupt data.  Output already produced
 * stays valid, so the caller can still parse whatever came before the
 * damage.  Errors carry the offset in the compressed input.
 */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "gz.h"
#include "log.h"
#include "xmalloc.h"

#define GZ_OUT_SIZE	(256 * 1024)	/* inflate output piece */

enum gz_state {
	GZ_SNIFF,	/* before the first two bytes */
	GZ_PLAIN,	/* not gzip: pass through */
	GZ_INFLATE,	/* inside a member */
	GZ_MEMBER_END,	/* after a member: another one, or the end */
	GZ_DONE,
	GZ_FAILED,
};

struct gz {
	enum gz_state		 state;
	z_stream		 z;
	int			 zinit;
	const unsigned char	*in;	/* input not yet used */
	size_t			 inlen;
	int			 eof;
	unsigned char		 hold[2];	/* too few bytes to sniff */
	size_t			 nhold;
	unsigned char		*carry;	/* hold plus the next input */
	uint64_t		 off;	/* input bytes used */
	char			*err;	/* to report after the last output */
	unsigned char		*out;
};

static int	gz_magic(struct gz *, char **);
static int	gz_inflate(struct gz *, const char **, size_t *, char **);

/* A decompressor that has not seen any input yet. */
struct gz *
gz_create(void)
{
	struct gz	*g;

	g = xcalloc(1, sizeof *g);
	g->state = GZ_SNIFF;
	return g;
}

/* Free the decompressor. */
void
gz_free(struct gz *g)
{
	if (g == NULL)
		return;
	if (g->zinit)
		inflateEnd(&g->z);
	free(g->carry);
	free(g->out);
	free(g->err);
	free(g);
}

/* Make the decompressor ready for another stream, keeping its buffers. */
void
gz_reset(struct gz *g)
{
	g->state = GZ_SNIFF;
	g->in = NULL;
	g->inlen = 0;
	g->eof = 0;
	g->nhold = 0;
	g->off = 0;
	free(g->err);
	g->err = NULL;
}

/*
 * Take the next input.  A byte or two held back while looking for a gzip
 * header go in front of it, which costs one copy in the rare case that a
 * read ended right there.
 */
void
gz_input(struct gz *g, const void *p, size_t len)
{
	if (len == 0) {
		g->eof = 1;
		if (g->nhold > 0) {
			g->in = g->hold;
			g->inlen = g->nhold;
			g->nhold = 0;
		}
		return;
	}
	if (g->nhold > 0) {
		g->carry = xreallocarray(g->carry, 1, g->nhold + len);
		memcpy(g->carry, g->hold, g->nhold);
		memcpy(g->carry + g->nhold, p, len);
		g->in = g->carry;
		g->inlen = g->nhold + len;
		g->nhold = 0;
		return;
	}
	g->in = p;
	g->inlen = len;
}

/*
 * At the start or after a member: see whether a gzip header follows.
 * Returns 1 to go on in the new state, 0 for more input, -1 on an error.
 */
static int
gz_magic(struct gz *g, char **cause)
{
	if (g->inlen < 2 && !g->eof) {
		memcpy(g->hold, g->in, g->inlen);
		g->nhold = g->inlen;
		g->inlen = 0;
		return 0;
	}
	if (g->inlen >= 2 && g->in[0] == 0x1f && g->in[1] == 0x8b) {
		if (!g->zinit) {
			if (inflateInit2(&g->z, 16 + MAX_WBITS) != Z_OK)
				fatalx("inflateInit2 failed");
			g->zinit = 1;
			g->out = xmalloc(GZ_OUT_SIZE);
		} else if (inflateReset(&g->z) != Z_OK)
			fatalx("inflateReset failed");
		g->state = GZ_INFLATE;
		return 1;
	}
	if (g->state == GZ_SNIFF) {
		g->state = GZ_PLAIN;
		return 1;
	}
	if (g->inlen == 0) {
		g->state = GZ_DONE;
		return 1;
	}
	g->state = GZ_FAILED;
	xasprintf(cause, "compressed byte %ju: trailing garbage after gzip "
	    "data", (uintmax_t)g->off);
	return -1;
}

/* Inflate what input there is into the next piece of output. */
static int
gz_inflate(struct gz *g, const char **out, size_t *len, char **cause)
{
	const char	*what;
	size_t		 used, made;
	int		 ret;

	for (;;) {
		g->z.next_in = (unsigned char *)g->in;
		g->z.avail_in = g->inlen > UINT_MAX ? UINT_MAX :
		    (unsigned int)g->inlen;
		g->z.next_out = g->out;
		g->z.avail_out = GZ_OUT_SIZE;
		ret = inflate(&g->z, Z_NO_FLUSH);
		used = (size_t)(g->z.next_in - g->in);
		g->in += used;
		g->inlen -= used;
		g->off += used;
		made = GZ_OUT_SIZE - g->z.avail_out;

		switch (ret) {
		case Z_STREAM_END:
			g->state = GZ_MEMBER_END;
			break;
		case Z_OK:
		case Z_BUF_ERROR:
			if (made == 0 && g->inlen == 0) {
				if (!g->eof)
					return 0;
				g->state = GZ_FAILED;
				xasprintf(cause, "compressed byte %ju: "
				    "truncated gzip data", (uintmax_t)g->off);
				return -1;
			}
			break;
		case Z_MEM_ERROR:
			fatalx("inflate: out of memory");
		default:
			/* Hand out what was inflated first, then the error. */
			g->state = GZ_FAILED;
			what = g->z.msg != NULL ? g->z.msg : "unknown error";
			if (strcmp(what, "incorrect data check") == 0)
				xasprintf(&g->err, "compressed byte %ju: gzip "
				    "CRC mismatch", (uintmax_t)g->off);
			else if (strcmp(what, "incorrect length check") == 0)
				xasprintf(&g->err, "compressed byte %ju: gzip "
				    "length mismatch", (uintmax_t)g->off);
			else
				xasprintf(&g->err, "compressed byte %ju: "
				    "corrupt gzip data (%s)", (uintmax_t)g->off,
				    what);
			break;
		}
		if (made > 0) {
			*out = (const char *)g->out;
			*len = made;
			return 1;
		}
		if (g->state != GZ_INFLATE)
			return 2;	/* the caller goes on in the new state */
	}
}

/* The next piece of output. */
int
gz_output(struct gz *g, const char **out, size_t *len, char **cause)
{
	int	rv;

	for (;;) {
		switch (g->state) {
		case GZ_SNIFF:
		case GZ_MEMBER_END:
			if ((rv = gz_magic(g, cause)) != 1)
				return rv;
			break;
		case GZ_PLAIN:
			if (g->inlen == 0)
				return 0;
			*out = (const char *)g->in;
			*len = g->inlen;
			g->off += g->inlen;
			g->in += g->inlen;
			g->inlen = 0;
			return 1;
		case GZ_INFLATE:
			if ((rv = gz_inflate(g, out, len, cause)) != 2)
				return rv;
			break;
		case GZ_FAILED:
			if (g->err != NULL) {
				*cause = g->err;
				g->err = NULL;
				return -1;
			}
			return 0;
		case GZ_DONE:
			return 0;
		}
	}
}
