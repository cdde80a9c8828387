/* SPDX-License-Identifier: ISC */
/*
 * The guard in front of yajl.  yajl buffers a token that spans two
 * pieces, so hostile input could make it hold a string or a number of any
 * size: the guard follows the JSON text just far enough to know whether
 * it is inside a string (quotes and backslashes, and the four digits of
 * a \u escape), cuts any string longer than a record at a point where
 * the JSON stays valid, and drops the tail of an over-long number.  It
 * also notes where the last non-ASCII byte or \u escape was, so that a
 * record known to be ASCII skips the UTF-8 check (json.c, record.c).
 *
 * Nearly all CloudTrail is short strings without escapes, so there is a
 * fast path that classifies sixty-four bytes at a time with SSE2, or
 * AVX2 where the processor has it (chosen at run time), and an exact
 * path, byte by byte with an inline scan, for everything unusual.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__SSE2__) && defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define JSON_AVX2	1	/* a second fast path, chosen at run time */
#endif

#include "json.h"
#include "json_guard.h"

static size_t	 json_guard_scan(const char *, size_t, int *);
#if defined(__SSE2__)
static void	 json_guard_masks(const char *, uint64_t *, uint64_t *,
		    uint64_t *);
static size_t	 json_guard_blocks(struct json_guard *, const char *, size_t,
		    size_t, size_t *, int);
static size_t	 json_guard_fast(struct json_guard *, const char *, size_t,
		    size_t, size_t *);
#endif
#if defined(JSON_AVX2)
static void	 json_guard_masks_avx2(const char *, uint64_t *, uint64_t *,
		    uint64_t *);
static size_t	 json_guard_fast_avx2(struct json_guard *, const char *, size_t,
		    size_t, size_t *);

static __thread int json_guard_wide = -1;	/* use AVX2: 1, not: 0, unknown: -1 */
#endif
static int	 json_guard_low(char);
static int	 json_guard_surrogate(const struct json_guard *, const char *,
		    size_t);
static size_t	 json_guard_cut(struct json_guard *, const char *, size_t);
static size_t	 json_guard_gap(struct json_guard *, const char *, size_t,
		    size_t *);

/* Start guarding a stream. */
void
json_guard_init(struct json_guard *g)
{
#if defined(JSON_AVX2)
	if (json_guard_wide == -1)
		json_guard_wide = __builtin_cpu_supports("avx2") != 0;
#endif
	memset(g, 0, sizeof *g);
}

/* After a parse error: between values again (where non-ASCII was stays). */
void
json_guard_reset(struct json_guard *g)
{
	g->in_string = g->cutting = g->num_cut = g->esc = 0;
	g->tok_len = g->gap = 0;
	g->fix = g->subst = g->hold = 0;
}

/*
 * At the 'u' of an escape: 1 if it is a high surrogate (\uD800-\uDBFF)
 * that no low one (\uDC00-\uDFFF) follows at once, 0 if not, -1 if the
 * bytes to tell are not there yet.  yajl would join such a high surrogate
 * with whatever escape follows (\ud800\ud800 gives U+10000), or make it
 * '?' before anything else: the guard turns it into a lone low surrogate
 * instead, which yajl writes as the bytes of one and record.c replaces
 * like any other invalid UTF-8.
 */
static int
json_guard_surrogate(const struct json_guard *g, const char *q, size_t n)
{
	static const char *const	 next[] = { "\\", "u", "dD", "cdefCDEF" };
	size_t				 k;

	if (n < 3)
		return g->final ? 0 : -1;
	if ((q[1] != 'd' && q[1] != 'D') || q[2] == '\0' ||
	    strchr("89abAB", q[2]) == NULL)
		return 0;
	for (k = 5; k <= 8; k++) {
		if (k >= n)
			return g->final ? 1 : -1;
		if (q[k] == '\0' || strchr(next[k - 5], q[k]) == NULL)
			return 1;
	}
	return 0;
}

/* The second digit of a lone low surrogate for that of a high one. */
static int
json_guard_low(char c)
{
	switch (c) {
	case '8':
		return 'c';
	case '9':
		return 'd';
	case 'a':
	case 'A':
		return 'e';
	default:
		return 'f';
	}
}

/* Allow the AVX2 fast path (1), or keep to SSE2 (0). */
void
json_set_wide(int wide)
{
#if defined(JSON_AVX2)
	json_guard_wide = wide && __builtin_cpu_supports("avx2");
#else
	(void)wide;
#endif
}

/*
 * Drop the rest of an over-long string up to its closing quote, which
 * is kept.  Returns how many bytes to drop.
 */
static size_t
json_guard_cut(struct json_guard *g, const char *p, size_t len)
{
	const char	*q, *b;
	size_t		 i = 0, lim;

	while (i < len) {
		if (g->esc > 0) {
			g->esc = g->esc == JSON_ESC_FIRST && p[i] == 'u' ? 4 :
			    g->esc == JSON_ESC_FIRST ? 0 : g->esc - 1;
			i++;
			continue;
		}
		q = memchr(p + i, '"', len - i);
		lim = q != NULL ? (size_t)(q - p) : len;
		if ((b = memchr(p + i, '\\', lim - i)) != NULL) {
			i = (size_t)(b - p) + 1;
			g->esc = JSON_ESC_FIRST;
			continue;
		}
		if (q != NULL)
			g->cutting = 0;
		return lim;
	}
	return len;
}

/*
 * Between strings: numbers are the only other tokens yajl may buffer, and
 * legitimate data never goes far without a string, so a long stretch
 * without one is looked at byte by byte for an over-long number, whose
 * tail is then dropped.  Returns how many bytes to feed; *drop is set when
 * dropping should start after them.
 */
static size_t
json_guard_gap(struct json_guard *g, const char *p, size_t len, size_t *drop)
{
	size_t	i;
	int	numc;

	if (g->num_cut) {
		for (i = 0; i < len; i++) {
			if (!((p[i] >= '0' && p[i] <= '9') || p[i] == '.' ||
			    p[i] == 'e' || p[i] == 'E' || p[i] == '+' ||
			    p[i] == '-'))
				break;
		}
		if (i < len)
			g->num_cut = 0;
		if (i > 0) {
			*drop = i;
			return 0;
		}
	}
	if (g->gap + len <= JSON_GAP_SLOW) {
		g->gap += len;
		return len;
	}
	for (i = 0; i < len; i++) {
		numc = (p[i] >= '0' && p[i] <= '9') || p[i] == '.' ||
		    p[i] == 'e' || p[i] == 'E' || p[i] == '+' || p[i] == '-';
		if (!numc) {
			g->tok_len = 0;
			continue;
		}
		if (++g->tok_len > JSON_TOKEN_MAX && p[i] >= '0' &&
		    p[i] <= '9') {
			g->num_cut = 1;
			g->tok_len = 0;
			*drop = 1;
			return i;
		}
	}
	g->gap += len;
	return len;
}

/*
 * The first quote or backslash in p, or len: sixteen bytes at a time with
 * SSE2, eight with plain integers elsewhere.  The strings of an event are
 * short, so one inline scan for both characters beats two memchr() calls.
 */
static inline size_t
json_guard_scan(const char *p, size_t len, int *high)
{
	size_t		 i = 0;
#if defined(__SSE2__)
	const __m128i	 quote = _mm_set1_epi8('"');
	const __m128i	 bslash = _mm_set1_epi8('\\');
	__m128i		 v;
	unsigned int	 m;

	for (; i + 16 <= len; i += 16) {
		v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		*high |= _mm_movemask_epi8(v);
		m = (unsigned int)_mm_movemask_epi8(_mm_or_si128(
		    _mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)));
		if (m != 0)
			return i + (size_t)__builtin_ctz(m);
	}
#elif defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const uint64_t	 ones = 0x0101010101010101ULL;
	const uint64_t	 highs = 0x8080808080808080ULL;
	uint64_t	 w, q, b;

	for (; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		*high |= (w & highs) != 0;
		q = w ^ (ones * '"');
		b = w ^ (ones * '\\');
		/* A zero byte is a match; the lowest flag is always exact. */
		q = (q - ones) & ~q & highs;
		b = (b - ones) & ~b & highs;
		if ((q | b) != 0)
			return i + (size_t)(__builtin_ctzll(q | b) >> 3);
	}
#endif
	for (; i < len; i++) {
		if (p[i] == '"' || p[i] == '\\')
			break;
		*high |= p[i] & 0x80;
	}
	return i;
}

#if defined(__SSE2__)
/*
 * Bit i set for each quote and backslash at p[i], i < 64; *high is 0 if
 * no byte is above 0x7f, else has bit i set for each one.
 */
static inline void
json_guard_masks(const char *p, uint64_t *q, uint64_t *b, uint64_t *high)
{
	const __m128i	 quote = _mm_set1_epi8('"');
	const __m128i	 bslash = _mm_set1_epi8('\\');
	__m128i		 v[4];
	uint64_t	 h;
	int		 k;

	*q = *b = 0;
	for (k = 0; k < 4; k++) {
		v[k] = _mm_loadu_si128((const __m128i *)(const void *)
		    (p + 16 * k));
		*q |= (uint64_t)(unsigned int)_mm_movemask_epi8(
		    _mm_cmpeq_epi8(v[k], quote)) << (16 * k);
		*b |= (uint64_t)(unsigned int)_mm_movemask_epi8(
		    _mm_cmpeq_epi8(v[k], bslash)) << (16 * k);
	}
	/* Nearly always none: one test for the block, the bits if any. */
	*high = 0;
	if (_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(v[0], v[1]),
	    _mm_or_si128(v[2], v[3]))) == 0)
		return;
	for (k = 0, h = 0; k < 4; k++)
		h |= (uint64_t)(unsigned int)_mm_movemask_epi8(v[k]) <<
		    (16 * k);
	*high = h;
}

#if defined(JSON_AVX2)
/* json_guard_masks() in two 32-byte steps, where the processor has AVX2. */
static inline __attribute__((__target__("avx2"))) void
json_guard_masks_avx2(const char *p, uint64_t *q, uint64_t *b, uint64_t *high)
{
	const __m256i	 quote = _mm256_set1_epi8('"');
	const __m256i	 bslash = _mm256_set1_epi8('\\');
	__m256i		 lo, hi;

	lo = _mm256_loadu_si256((const __m256i *)(const void *)p);
	hi = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));
	*q = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, quote)) |
	    (uint64_t)(uint32_t)_mm256_movemask_epi8(
	    _mm256_cmpeq_epi8(hi, quote)) << 32;
	*b = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, bslash)) |
	    (uint64_t)(uint32_t)_mm256_movemask_epi8(
	    _mm256_cmpeq_epi8(hi, bslash)) << 32;
	*high = (uint32_t)_mm256_movemask_epi8(lo) |
	    (uint64_t)(uint32_t)_mm256_movemask_epi8(hi) << 32;
}
#endif

/*
 * The guard's fast path, for what nearly all CloudTrail is: short strings
 * without escapes.  Sixty-four bytes are classified at once, and the
 * quotes in them (none of them escaped, as long as there is no backslash)
 * move the state by their count and the position of the last one: an odd
 * count flips in_string, and the last quote starts the string or the
 * stretch between strings that the block ends in.  No string in a block
 * can grow long on its own, so it is enough to stop before a block that
 * could take the open string or stretch past the exact path's limits.
 * It stops at a backslash (taking the quotes before it), with fewer than
 * 64 bytes left, or before such a block, and leaves the state exactly as
 * the exact path below would have it there, which then decides
 * everything unusual.  off is p's offset in the piece; returns the bytes
 * taken and sets *seen to how far it looked.
 */
static inline __attribute__((__always_inline__)) size_t
json_guard_blocks(struct json_guard *g, const char *p, size_t len, size_t off,
    size_t *seen, int wide)
{
	uint64_t	 q, b, h, tok = g->tok_len, gap = g->gap;
	size_t		 i, end, last;
	int		 in = g->in_string;

	for (i = 0; i + 64 <= len; i += 64) {
		if (in ? tok + 64 > JSON_TOKEN_MAX : gap + 64 > JSON_GAP_SLOW)
			break;
#if defined(JSON_AVX2)
		if (wide)
			json_guard_masks_avx2(p + i, &q, &b, &h);
		else
#endif
			json_guard_masks(p + i, &q, &b, &h);
		if (h != 0)
			g->high_at = g->base + off + i + 64 -
			    (uint64_t)__builtin_clzll(h);
		end = 64;
		if (b != 0) {
			/* Up to the backslash; the exact path goes on. */
			end = (size_t)__builtin_ctzll(b);
			q &= (b & -b) - 1;
		}
		if (q == 0) {
			if (in)
				tok += end;
			else
				gap += end;
		} else {
			last = 63 - (size_t)__builtin_clzll(q);
			in ^= __builtin_popcountll(q) & 1;
			if (in) {
				tok = end - last - 1;
				gap = 0;
			} else {
				tok = 0;
				gap = end - last - 1;
			}
		}
		if (b != 0) {
			i += end;
			break;
		}
	}
	*seen = i + 64 <= len ? i + 64 : len;
	g->in_string = in;
	g->tok_len = tok;
	g->gap = gap;
	return i;
}

/* The fast path with SSE2, which every x86-64 has. */
static size_t
json_guard_fast(struct json_guard *g, const char *p, size_t len, size_t off,
    size_t *seen)
{
	return json_guard_blocks(g, p, len, off, seen, 0);
}

#if defined(JSON_AVX2)
/* The same, compiled for AVX2, taken when the processor has it. */
static __attribute__((__target__("avx2"))) size_t
json_guard_fast_avx2(struct json_guard *g, const char *p, size_t len, size_t off,
    size_t *seen)
{
	return json_guard_blocks(g, p, len, off, seen, 1);
}
#endif
#endif

/*
 * The guard in front of yajl.  Returns how many bytes of p may be fed to
 * yajl as they are; *drop says how many after them to leave out.  Only
 * quotes and backslashes are looked for; everything else is left to yajl.
 */
size_t
json_guard(struct json_guard *g, uint64_t base, const char *p, size_t len,
    size_t *drop)
{
	size_t	 i = 0, k, lim, stop, n;
	int	 high = 0;
#if defined(__SSE2__)
	size_t	 fast = 0, seen;	/* where the fast path may look again */
#endif

	g->base = base;
	*drop = 0;
	if (g->cutting) {
		*drop = json_guard_cut(g, p, len);
		return 0;
	}
	while (i < len) {
#if defined(__SSE2__)
		if (i >= fast && g->esc == 0 && !g->num_cut) {
#if defined(JSON_AVX2)
			if (json_guard_wide)
				n = json_guard_fast_avx2(g, p + i, len - i, i,
				    &seen);
			else
#endif
				n = json_guard_fast(g, p + i, len - i, i,
				    &seen);
			fast = i + seen;
			i += n;
			continue;
		}
#endif
		if (!g->in_string) {
			/* A backslash out here is yajl's to reject. */
			k = i;
			do {
				lim = k + json_guard_scan(p + k, len - k,
				    &high);
				k = lim + 1;
			} while (lim < len && p[lim] == '\\');
			if (high) {
				g->high_at = g->base + lim + 16;
				high = 0;
			}
			n = json_guard_gap(g, p + i, lim - i, drop);
			if (*drop != 0 || n < lim - i)
				return i + n;
			i = lim;
			if (i < len) {
				g->in_string = 1;
				g->tok_len = 0;
				g->gap = 0;
				i++;
			}
			continue;
		}
		if (g->esc > 0) {
			if (g->esc == JSON_ESC_FIRST && p[i] == 'u') {
				switch (json_guard_surrogate(g, p + i,
				    len - i)) {
				case -1:
					g->hold = 1;
					return i;
				case 1:
					g->fix = 1;
					break;
				}
				/* May decode to a lone surrogate: not ASCII. */
				g->esc = 4;
				g->high_at = g->base + i + 5;
			} else if (g->esc == 3 && g->fix) {
				/* The second digit: D8-DB becomes DC-DF. */
				g->fix = 0;
				g->subst = json_guard_low(p[i]);
				g->esc = 2;
				g->tok_len++;
				return i;
			} else
				g->esc = g->esc == JSON_ESC_FIRST ? 0 :
				    g->esc - 1;
			g->tok_len++;
			i++;
			continue;
		}
		stop = i + json_guard_scan(p + i, len - i, &high);
		if (high) {
			g->high_at = g->base + stop + 16;
			high = 0;
		}
		if (stop > i && g->tok_len + (stop - i) > JSON_TOKEN_MAX) {
			/* Cut between plain bytes, where the JSON stays valid. */
			n = g->tok_len < JSON_TOKEN_MAX ?
			    JSON_TOKEN_MAX - g->tok_len : 0;
			g->tok_len += n;
			g->cutting = 1;
			return i + n;
		}
		g->tok_len += stop - i;
		i = stop;
		if (i == len)
			break;
		if (p[i] == '\\') {
			g->esc = JSON_ESC_FIRST;
			g->tok_len++;
		} else
			g->in_string = 0;
		i++;
	}
	return len;
}
