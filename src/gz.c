/* SPDX-License-Identifier: ISC */
/*
 * The decompression stage of the pipeline.  The first two bytes decide:
 * the gzip magic 1f 8b starts inflating, anything else is passed through
 * without a copy.  Member after member is inflated for as long as another
 * gzip header follows; bytes after the last member that are not a member
 * are an error, like truncated or corrupt data.  Output already produced
 * stays valid, so the caller can still parse whatever came before the
 * damage.  Errors carry the offset in the compressed input.
 *
 * Two inflaters do the work: zlib, and ISA-L's igzip where configure found
 * it, which is about twice as fast.  They must not differ in anything but
 * speed, and zlib's messages are the ones users and tests know, so while
 * ISA-L inflates a member its compressed bytes are kept (up to
 * GZ_REPLAY_MAX).  Should ISA-L find the member bad, zlib inflates it again
 * from those bytes, drops the output ISA-L has already handed out, and
 * reports the damage in its own words and at its own offset.
 */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <zlib.h>
#ifdef HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif

#include "gz.h"
#include "log.h"
#include "xmalloc.h"

#define GZ_OUT_SIZE	(256 * 1024)	/* inflate output piece */
#define GZ_REPLAY_MAX	(64 * 1024 * 1024)	/* member kept for zlib */

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
	enum gz_engine		 engine;
	z_stream		 z;
	int			 zinit;
	uint64_t		 skip;	/* zlib output ISA-L handed out */
#ifdef HAVE_ISAL
	struct inflate_state	*isal;
	int			 member_isal;	/* this member: ISA-L */
	unsigned char		*rec;	/* this member's input so far */
	size_t			 reclen, recsize;
	int			 recfull;	/* past GZ_REPLAY_MAX */
	uint64_t		 memoff;	/* where the member began */
	uint64_t		 memout;	/* its output handed out */
#endif
	const unsigned char	*in;	/* input not yet used */
	size_t			 inlen;
	int			 eof;
	unsigned char		 hold[2];	/* too few bytes to sniff */
	size_t			 nhold;
	unsigned char		*carry;	/* hold plus the next input */
	uint64_t		 off;	/* input bytes used */
	char			*err;	/* to report after the last output */
	unsigned char		*out;
	EVP_MD_CTX		*md;	/* gz_hash(): SHA-256 of the output */
	int			 hash;
};

static void	gz_zlib_start(struct gz *);
static int	gz_magic(struct gz *, char **);
static int	gz_output_raw(struct gz *, const char **, size_t *, char **);
static int	gz_inflate(struct gz *, const char **, size_t *, char **);
#ifdef HAVE_ISAL
static int	gz_isal(struct gz *, const char **, size_t *, char **);
#endif

static const char *gz_engine_names[] = {
	[GZ_ZLIB] = "zlib",
	[GZ_ISAL] = "isal",
};

/*
 * A decompressor with the inflater CTAUDIT_INFLATE names, or the fastest
 * one built in.
 */
struct gz *
gz_create(void)
{
	const char	*e = getenv("CTAUDIT_INFLATE");

	if (e != NULL && strcmp(e, gz_engine_names[GZ_ZLIB]) == 0)
		return gz_create_engine(GZ_ZLIB);
	return gz_create_engine(GZ_ISAL);
}

/* A decompressor with this inflater (ISA-L: if built in, else zlib). */
struct gz *
gz_create_engine(enum gz_engine engine)
{
	struct gz	*g;

	g = xcalloc(1, sizeof *g);
	g->state = GZ_SNIFF;
#ifdef HAVE_ISAL
	g->engine = engine;
#else
	(void)engine;
	g->engine = GZ_ZLIB;
#endif
	return g;
}

/* The name of the inflater a decompressor uses: "zlib" or "isal". */
const char *
gz_engine_name(const struct gz *g)
{
	return gz_engine_names[g->engine];
}

/* Free the decompressor. */
void
gz_free(struct gz *g)
{
	if (g == NULL)
		return;
	if (g->zinit)
		inflateEnd(&g->z);
#ifdef HAVE_ISAL
	free(g->isal);
	free(g->rec);
#endif
	free(g->carry);
	free(g->out);
	free(g->err);
	EVP_MD_CTX_free(g->md);
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
	g->skip = 0;
	free(g->err);
	g->err = NULL;
	if (g->hash && EVP_DigestInit_ex(g->md, EVP_sha256(), NULL) != 1)
		fatalx("EVP_DigestInit_ex");
}

/*
 * --verify: from the next gz_reset() on, take the SHA-256 of the output
 * as it is handed out, so a log file is hashed in the pass that audits
 * it (CloudTrail's digests list the hash of the inflated file).
 */
void
gz_hash(struct gz *g, int on)
{
	if (on && g->md == NULL && (g->md = EVP_MD_CTX_new()) == NULL)
		fatalx("EVP_MD_CTX_new");
	g->hash = on;
}

/* The hex SHA-256 of the output since gz_reset(): 0, or -1 if not hashed. */
int
gz_hash_hex(struct gz *g, char hex[GZ_SHA256_HEX])
{
	static const char	 x[] = "0123456789abcdef";
	unsigned char		 h[EVP_MAX_MD_SIZE];
	unsigned int		 hlen, i;

	if (!g->hash)
		return -1;
	if (EVP_DigestFinal_ex(g->md, h, &hlen) != 1 || hlen != 32)
		fatalx("EVP_DigestFinal_ex");
	for (i = 0; i < hlen; i++) {
		hex[2 * i] = x[h[i] >> 4];
		hex[2 * i + 1] = x[h[i] & 15];
	}
	hex[64] = '\0';
	/* Good for one answer: the next stream starts anew. */
	if (EVP_DigestInit_ex(g->md, EVP_sha256(), NULL) != 1)
		fatalx("EVP_DigestInit_ex");
	return 0;
}

/* Make zlib ready for a member. */
static void
gz_zlib_start(struct gz *g)
{
	if (!g->zinit) {
		if (inflateInit2(&g->z, 16 + MAX_WBITS) != Z_OK)
			fatalx("inflateInit2 failed");
		g->zinit = 1;
	} else if (inflateReset(&g->z) != Z_OK)
		fatalx("inflateReset failed");
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

#ifdef HAVE_ISAL
/*
 * Whether the gzip header at p (RFC 1952, section 2.3) lies whole in the n
 * bytes there.  ISA-L 2.30 reads a variable of its own that it has not set
 * when a header reaches it in pieces, and may then inflate from the wrong
 * place (valgrind shows it; the output then depends on the machine): such
 * a member, rare with reads of 64 KiB and more, goes to zlib instead.
 */
static int
gz_header_whole(const unsigned char *p, size_t n)
{
	const unsigned char	*nul;
	size_t			 at = 10;
	int			 flags, f;

	if (n < at)
		return 0;
	flags = p[3];
	if (flags & 0x04) {		/* FEXTRA: a length, then that much */
		if (n < at + 2)
			return 0;
		at += 2 + (p[at] | (size_t)p[at + 1] << 8);
	}
	for (f = 0x08; f <= 0x10; f <<= 1) {	/* FNAME, FCOMMENT */
		if (!(flags & f))
			continue;
		if (at >= n || (nul = memchr(p + at, 0, n - at)) == NULL)
			return 0;
		at = (size_t)(nul - p) + 1;
	}
	if (flags & 0x02)		/* FHCRC */
		at += 2;
	return at <= n;
}
#endif

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
		if (g->out == NULL)
			g->out = xmalloc(GZ_OUT_SIZE);
		g->state = GZ_INFLATE;
#ifdef HAVE_ISAL
		/*
		 * A member that follows one zlib inflated again is read from
		 * the kept bytes, which cannot be kept again: zlib goes on.
		 */
		g->member_isal = g->engine == GZ_ISAL && (g->rec == NULL ||
		    g->in < g->rec || g->in >= g->rec + g->reclen) &&
		    gz_header_whole(g->in, g->inlen);
		if (g->member_isal) {
			if (g->isal == NULL) {
				g->isal = xmalloc(sizeof *g->isal);
				isal_inflate_init(g->isal);
			} else
				isal_inflate_reset(g->isal);
			g->isal->crc_flag = ISAL_GZIP;
			g->reclen = 0;
			g->recfull = 0;
			g->memoff = g->off;
			g->memout = 0;
			return 1;
		}
#endif
		gz_zlib_start(g);
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
	unsigned char	*from;
	size_t		 used, made, n;
	int		 ret;

#ifdef HAVE_ISAL
	if (g->member_isal)
		return gz_isal(g, out, len, cause);
#endif
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
		from = g->out;
		if (g->skip > 0 && made > 0) {
			n = g->skip < made ? (size_t)g->skip : made;
			g->skip -= n;
			from += n;
			made -= n;
		}
		if (made > 0) {
			*out = (const char *)from;
			*len = made;
			return 1;
		}
		if (g->state != GZ_INFLATE)
			return 2;	/* the caller goes on in the new state */
	}
}

#ifdef HAVE_ISAL
/* Keep n more bytes of the member, for zlib should ISA-L find it bad. */
static void
gz_record(struct gz *g, const unsigned char *p, size_t n, int force)
{
	if (g->recfull || n == 0)
		return;
	if (!force && g->reclen + n > GZ_REPLAY_MAX) {
		g->recfull = 1;
		return;
	}
	if (g->reclen + n > g->recsize) {
		g->recsize = g->recsize == 0 ? 256 * 1024 : g->recsize;
		while (g->recsize < g->reclen + n)
			g->recsize *= 2;
		g->rec = xreallocarray(g->rec, 1, g->recsize);
	}
	memcpy(g->rec + g->reclen, p, n);
	g->reclen += n;
}

/*
 * Hand the member over to zlib: it starts again from the kept bytes and the
 * input not yet used, and drops the output ISA-L handed out.
 */
static void
gz_replay(struct gz *g)
{
	gz_record(g, g->in, g->inlen, 1);
	g->in = g->rec;
	g->inlen = g->reclen;
	g->off = g->memoff;
	g->skip = g->memout;
	g->member_isal = 0;
	gz_zlib_start(g);
}

/* The words for an ISA-L error, when the member was too large to keep. */
static const char *
gz_isal_error(int ret)
{
	switch (ret) {
	case ISAL_INVALID_BLOCK:
		return "invalid block";
	case ISAL_INVALID_SYMBOL:
		return "invalid symbol";
	case ISAL_INVALID_LOOKBACK:
		return "invalid distance too far back";
	case ISAL_INVALID_WRAPPER:
		return "incorrect header";
	case ISAL_UNSUPPORTED_METHOD:
		return "unknown compression method";
	case ISAL_INCORRECT_CHECKSUM:
		return "incorrect data check";
	default:
		return "unknown error";
	}
}

/*
 * Inflate with ISA-L.  On bad data, hand the member over to zlib, which
 * starts again from the kept bytes and the input not yet used.
 */
static int
gz_isal(struct gz *g, const char **out, size_t *len, char **cause)
{
	struct inflate_state	*s = g->isal;
	size_t			 used, made;
	int			 ret;

	for (;;) {
		s->next_in = (uint8_t *)g->in;
		s->avail_in = g->inlen > UINT32_MAX ? UINT32_MAX :
		    (uint32_t)g->inlen;
		s->next_out = g->out;
		s->avail_out = GZ_OUT_SIZE;
		ret = isal_inflate(s);
		used = (size_t)(s->next_in - g->in);
		gz_record(g, g->in, used, 0);
		g->in += used;
		g->inlen -= used;
		g->off += used;
		made = GZ_OUT_SIZE - s->avail_out;

		/* Stuck with input left is bad data too, to be safe. */
		if ((ret != ISAL_DECOMP_OK && ret != ISAL_END_INPUT) ||
		    (s->block_state != ISAL_BLOCK_FINISH && made == 0 &&
		    used == 0 && g->inlen > 0)) {
			if (!g->recfull) {
				gz_replay(g);	/* what ISA-L made now is lost */
				return 2;
			}
			g->state = GZ_FAILED;
			xasprintf(&g->err, "compressed byte %ju: corrupt gzip "
			    "data (%s)", (uintmax_t)g->off, gz_isal_error(ret));
		} else if (s->block_state == ISAL_BLOCK_FINISH)
			g->state = GZ_MEMBER_END;
		else if (made == 0 && used == 0) {
			if (!g->eof)
				return 0;
			/*
			 * Cut short, or ISA-L read what zlib rejects (a
			 * reserved header flag) as a name to the end.
			 */
			if (!g->recfull) {
				gz_replay(g);
				return 2;
			}
			g->state = GZ_FAILED;
			xasprintf(cause, "compressed byte %ju: truncated gzip "
			    "data", (uintmax_t)g->off);
			return -1;
		}
		if (made > 0) {
			g->memout += made;
			*out = (const char *)g->out;
			*len = made;
			return 1;
		}
		if (g->state != GZ_INFLATE)
			return 2;
	}
}
#endif

/* The next piece of output. */
static int
gz_output_raw(struct gz *g, const char **out, size_t *len, char **cause)
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

/* The next piece of output, hashed on its way out when gz_hash() asks. */
int
gz_output(struct gz *g, const char **out, size_t *len, char **cause)
{
	int	rv;

	rv = gz_output_raw(g, out, len, cause);
	if (rv == 1 && g->hash && EVP_DigestUpdate(g->md, *out, *len) != 1)
		fatalx("EVP_DigestUpdate");
	return rv;
}
