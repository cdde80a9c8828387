/* SPDX-License-Identifier: ISC */
/*
 * The JSON stage of the pipeline.  Decompressed bytes go through a cheap
 * guard into yajl's SAX parser, whose callbacks build one record at a time
 * (record_int.h) and hand it to the caller.  The shape of the data is
 * recognised as it streams past:
 *
 *   {"Records":[...]}	CloudTrail's log file: each element is a record;
 *   [...]			a top-level array of records;
 *   {...}{...}		JSON Lines, or any concatenation of events;
 *
 * and an element or top-level object may be an EventBridge envelope (the
 * event is its "detail"), a CloudTrail-Digest file or an Insights event
 * (both counted and skipped).
 *
 * Hostile input meets a cap everywhere: yajl buffers a token that spans
 * two chunks, so the guard scans for quotes and backslashes with memchr()
 * and cuts any string longer than a record at a point where the JSON stays
 * valid; a record longer than BUF_RECORD_MAX, nested deeper than
 * REC_DEPTH_MAX or using more than REC_MEM_MAX of memory is skipped while
 * parsing goes on; nesting deeper than JSON_DEPTH_MAX ends the stream.  In
 * JSON Lines a syntax error skips to the next line that starts with '{'.
 *
 * Positions in messages are byte offsets into the decompressed stream, or
 * record indices counted from 0 as jq counts .Records[N].
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__SSE2__) && defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define JSON_AVX2	1	/* a second fast path, chosen at run time */
#endif

#include <yajl/yajl_parse.h>

#include "buf.h"
#include "forms.h"
#include "json.h"
#include "log.h"
#include "record.h"
#include "record_int.h"
#include "scan.h"
#include "xmalloc.h"

#define JSON_TOKEN_MAX	BUF_RECORD_MAX	/* longest string or number fed */
#define JSON_GAP_SLOW	(64 * 1024)	/* non-string run that is watched */
#define JSON_ESC_FIRST	5		/* the byte after a backslash */
#define JSON_STR(x)	JSON_STR1(x)
#define JSON_STR1(x)	#x

/* What the current top-level value has turned out to be. */
enum json_top {
	JSON_TOP_NONE,		/* between values */
	JSON_TOP_OBJECT,	/* an object: an event, envelope or digest */
	JSON_TOP_ARRAY,		/* an array of records */
	JSON_TOP_FILE,		/* an object with a Records array */
};

/* Why the record being built will not be delivered. */
enum json_skip {
	JSON_SKIP_NONE,
	JSON_SKIP_BIG,		/* more than BUF_RECORD_MAX bytes of JSON */
	JSON_SKIP_MEM,		/* more than REC_MEM_MAX bytes of memory */
	JSON_SKIP_DEEP,		/* nested deeper than REC_DEPTH_MAX */
	JSON_SKIP_DIGEST,	/* a CloudTrail-Digest file */
	JSON_SKIP_RECORDS,	/* "Records" is there but not an array */
};

struct json {
	const char		*name;	/* stream name; NULL: record_from_json */
	json_record_cb		*cb;
	void			*arg;
	struct scan_stats	*st;
	yajl_handle		 yh;
	struct record		*rec;
	int			 failed;	/* something was not read */
	int			 stopped;	/* the rest cannot be read */

	uint64_t		 base;	/* stream offset of the piece in yajl */
	uint64_t		 end;	/* and of the byte after it */
	uint64_t		 total;	/* bytes fed or dropped so far */
	uint64_t		 depth;	/* open containers */
	enum json_top		 top;
	int			 in_records;	/* inside the Records array */
	int			 records_key;	/* "Records" is the next member */
	uint64_t		 index;	/* index of the next record */
	uint64_t		 values;	/* top-level values begun */
	const char		*cancel;	/* why a callback stopped yajl */
	int			 had_error;	/* a parse error was reported */

	/* The record being built. */
	int			 building;
	int			 toplevel;	/* a top-level value */
	uint64_t		 rec_depth;	/* depth of its root */
	uint64_t		 rec_start;	/* offset of its '{' */
	enum json_skip		 skip;
	const char		*skip_what;	/* for JSON_SKIP_RECORDS */

	/* The guard in front of yajl. */
	int			 in_string;
	int			 esc;		/* escape bytes still to come */
	int			 cutting;	/* dropping a long string's tail */
	int			 num_cut;	/* dropping a long number's tail */
	size_t			 tok_len;	/* string or number so far */
	uint64_t		 gap;		/* bytes since the last string */
	uint64_t		 high_at;	/* after the last non-ASCII or \u */

	/* Resynchronising JSON Lines after a syntax error. */
	int			 resync;
	uint64_t		 open_at;	/* where yajl last started */
	int			 nl;		/* the last byte was a newline */

	/* record_from_json(): the finished record and the first error. */
	struct record		*taken;
	char			*cause;
};

static void	 json_report(struct json *, enum diag_level, const char *, ...)
		    __printflike(3, 4);
static void	 json_yajl_open(struct json *);
static uint64_t	 json_pos(const struct json *);
static int	 json_element(const struct json *);
static void	 json_rec_begin(struct json *, int);
static void	 json_ascii(struct json *);
static void	 json_rec_end(struct json *);
static void	 json_rec_skip(struct json *, enum rec_build);
static int	 json_check(struct json *);
static int	 json_depth_in(struct json *);
static int	 json_value(struct json *, enum rec_type, const char *, size_t);
static const char *json_type_name(enum rec_type);
static size_t	 json_scan(const char *, size_t, int *);
#if defined(__SSE2__)
static void	 json_masks(const char *, uint64_t *, uint64_t *, uint64_t *);
static size_t	 json_guard_blocks(struct json *, const char *, size_t,
		    size_t, size_t *, int);
static size_t	 json_guard_fast(struct json *, const char *, size_t, size_t,
		    size_t *);
#endif
#if defined(JSON_AVX2)
static void	 json_masks_avx2(const char *, uint64_t *, uint64_t *,
		    uint64_t *);
static size_t	 json_guard_fast_avx2(struct json *, const char *, size_t,
		    size_t, size_t *);

static int	 json_wide = -1;	/* use AVX2: 1, not: 0, unknown: -1 */
#endif
static size_t	 json_guard(struct json *, const char *, size_t, size_t *);
static size_t	 json_guard_cut(struct json *, const char *, size_t);
static size_t	 json_guard_gap(struct json *, const char *, size_t,
		    size_t *);
static size_t	 json_resync(struct json *, const char *, size_t);
static size_t	 json_parse(struct json *, const char *, size_t);
static void	 json_parse_error(struct json *, size_t);

static int	 json_cb_null(void *);
static int	 json_cb_boolean(void *, int);
static int	 json_cb_number(void *, const char *, size_t);
static int	 json_cb_string(void *, const unsigned char *, size_t);
static int	 json_cb_start_map(void *);
static int	 json_cb_map_key(void *, const unsigned char *, size_t);
static int	 json_cb_end_map(void *);
static int	 json_cb_start_array(void *);
static int	 json_cb_end_array(void *);

static const yajl_callbacks json_callbacks = {
	.yajl_null = json_cb_null,
	.yajl_boolean = json_cb_boolean,
	.yajl_number = json_cb_number,
	.yajl_string = json_cb_string,
	.yajl_start_map = json_cb_start_map,
	.yajl_map_key = json_cb_map_key,
	.yajl_end_map = json_cb_end_map,
	.yajl_start_array = json_cb_start_array,
	.yajl_end_array = json_cb_end_array,
};

/* A record kept from the last stream, so its arena is not made anew. */
static struct record	*json_spare;

/* Report under the stream's name; record_from_json() keeps the first. */
static void
json_report(struct json *j, enum diag_level level, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	if (level >= DIAG_ERROR)
		j->failed = 1;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatal("vasprintf");
	va_end(ap);
	if (j->name != NULL)
		diag(level, j->name, 0, "%s", msg);
	else if (level >= DIAG_ERROR && j->cause == NULL) {
		j->cause = msg;
		msg = NULL;
	}
	free(msg);
}

/*
 * A fresh yajl parser.  yajl's UTF-8 check is off because a bad byte must
 * not cost the whole record: strings are checked and repaired as they are
 * stored (record.c).
 */
static void
json_yajl_open(struct json *j)
{
	if (j->yh != NULL)
		yajl_free(j->yh);
	if ((j->yh = yajl_alloc(&json_callbacks, NULL, j)) == NULL)
		fatalx("yajl_alloc");
	yajl_config(j->yh, yajl_allow_multiple_values, 1);
	yajl_config(j->yh, yajl_dont_validate_strings, 1);
}

/* Start parsing a stream. */
struct json *
json_create(const char *name, json_record_cb *cb, void *arg,
    struct scan_stats *st)
{
	struct json	*j;

#if defined(JSON_AVX2)
	if (json_wide == -1)
		json_wide = __builtin_cpu_supports("avx2") != 0;
#endif
	j = xcalloc(1, sizeof *j);
	j->name = name;
	j->cb = cb;
	j->arg = arg;
	j->st = st;
	if (json_spare != NULL) {
		j->rec = json_spare;
		json_spare = NULL;
	} else
		j->rec = record_create();
	j->nl = 1;
	json_yajl_open(j);
	return j;
}

/* Allow the AVX2 fast path (1), or keep to SSE2 (0). */
void
json_set_wide(int wide)
{
#if defined(JSON_AVX2)
	json_wide = wide && __builtin_cpu_supports("avx2");
#else
	(void)wide;
#endif
}

/* Free the parser (and a record nobody took). */
void
json_free(struct json *j)
{
	if (j == NULL)
		return;
	if (j->yh != NULL)
		yajl_free(j->yh);
	if (json_spare == NULL)
		json_spare = j->rec;
	else
		record_free(j->rec);
	record_free(j->taken);
	free(j->cause);
	free(j);
}

/* Whether part of the stream was not read. */
int
json_failed(const struct json *j)
{
	return j->failed;
}

/* Whether some of the stream's bytes were not parsed. */
int
json_incomplete(const struct json *j)
{
	return j->stopped || j->had_error;
}

/*
 * Stream offset just past the token yajl is reporting.  yajl 2 keeps the
 * offset into the current chunk up to date while it parses, so that
 * yajl_get_bytes_consumed() is exact inside a callback too.
 */
static uint64_t
json_pos(const struct json *j)
{
	return j->base + yajl_get_bytes_consumed(j->yh);
}

/* Whether the next value is an element of an array of records. */
static int
json_element(const struct json *j)
{
	return (j->top == JSON_TOP_ARRAY && j->depth == 1) ||
	    (j->top == JSON_TOP_FILE && j->in_records && j->depth == 2);
}

static const char *
json_type_name(enum rec_type t)
{
	switch (t) {
	case REC_NULL:
		return "null";
	case REC_FALSE:
	case REC_TRUE:
		return "boolean";
	case REC_NUMBER:
		return "number";
	case REC_STRING:
		return "string";
	case REC_OBJECT:
		return "object";
	case REC_ARRAY:
		return "array";
	}
	return "?";
}

/*
 * Tell the record whether its strings are known to be ASCII: no byte
 * above 0x7f and no \u escape since it began, in what the guard has seen.
 * That changes only when a record begins or a piece has been guarded, so
 * it is said then rather than for every string.
 */
static void
json_ascii(struct json *j)
{
	record_set_ascii(j->rec, j->high_at <= j->rec_start);
}

/* An object just opened at j->depth is a record: start building it. */
static void
json_rec_begin(struct json *j, int toplevel)
{
	j->building = 1;
	j->toplevel = toplevel;
	j->rec_depth = j->depth;
	j->rec_start = json_pos(j) - 1;
	j->skip = JSON_SKIP_NONE;
	record_begin(j->rec, j->name != NULL ? j->name : "-", j->index++);
	json_ascii(j);
	if (record_open(j->rec, REC_OBJECT) != REC_BUILD_OK)
		json_rec_skip(j, REC_BUILD_MEM);
}

/* The record cannot be built: stop adding to it. */
static void
json_rec_skip(struct json *j, enum rec_build why)
{
	if (j->skip != JSON_SKIP_NONE)
		return;
	j->skip = why == REC_BUILD_DEEP ? JSON_SKIP_DEEP : JSON_SKIP_MEM;
}

/*
 * Before adding to the record: 1 if it is still being built.  Asking yajl
 * for the position costs a call into the library for every value, so it
 * is asked only when the end of the piece being parsed is too far.
 */
static int
json_check(struct json *j)
{
	if (j->skip != JSON_SKIP_NONE)
		return 0;
	if (j->end - j->rec_start > BUF_RECORD_MAX &&
	    json_pos(j) - j->rec_start > BUF_RECORD_MAX) {
		j->skip = JSON_SKIP_BIG;
		return 0;
	}
	return 1;
}

/* Count one more level; 0 (stop yajl) past the hard cap. */
static int
json_depth_in(struct json *j)
{
	if (++j->depth > JSON_DEPTH_MAX) {
		j->cancel = "nested deeper than " JSON_STR(JSON_DEPTH_MAX)
		    " levels";
		return 0;
	}
	if (j->depth == 1)
		j->values++;
	return 1;
}

/* The record's root has closed: deliver it, count it or report it. */
static void
json_rec_end(struct json *j)
{
	struct record		*r = j->rec;
	const struct rec_value	*root, *detail;
	struct forms_shape	 sh;
	uint64_t		 index = record_index(r);

	j->building = 0;
	if (j->skip == JSON_SKIP_NONE && json_pos(j) - j->rec_start >
	    BUF_RECORD_MAX)
		j->skip = JSON_SKIP_BIG;
	switch (j->skip) {
	case JSON_SKIP_NONE:
		break;
	case JSON_SKIP_DIGEST:
		j->st->digests++;
		return;
	case JSON_SKIP_BIG:
		json_report(j, DIAG_ERROR, "record %ju: larger than %d bytes, "
		    "skipped", (uintmax_t)index, BUF_RECORD_MAX);
		j->st->records_skipped++;
		return;
	case JSON_SKIP_MEM:
		json_report(j, DIAG_ERROR, "record %ju: more than %d bytes "
		    "in memory, skipped", (uintmax_t)index, REC_MEM_MAX);
		j->st->records_skipped++;
		return;
	case JSON_SKIP_DEEP:
		json_report(j, DIAG_ERROR, "record %ju: nested deeper than %d "
		    "levels, skipped", (uintmax_t)index, REC_DEPTH_MAX);
		j->st->records_skipped++;
		return;
	case JSON_SKIP_RECORDS:
		json_report(j, DIAG_ERROR, "record %ju: Records is not an "
		    "array (%s)", (uintmax_t)index, j->skip_what);
		j->st->records_skipped++;
		return;
	}

	if (j->name == NULL) {
		/* record_from_json(): any object, as it is. */
		if (j->taken == NULL) {
			j->taken = r;
			j->rec = record_create();
		}
		return;
	}

	root = record_root(r);
	forms_shape(root, &sh);
	if ((detail = forms_envelope(&sh)) != NULL) {
		record_set_root(r, detail);
		forms_shape(detail, &sh);
	}
	if (sh.insight) {
		j->st->insights++;
		return;
	}
	if (!sh.event) {
		json_report(j, DIAG_ERROR, "record %ju: no %seventName, "
		    "eventSource or eventVersion, skipped", (uintmax_t)index,
		    j->toplevel && j->top == JSON_TOP_OBJECT ?
		    "Records array and no " : "");
		j->st->records_skipped++;
		return;
	}
	if (record_repaired(r)) {
		json_report(j, DIAG_WARN, "record %ju: invalid UTF-8 replaced "
		    "with U+FFFD", (uintmax_t)index);
		j->st->repaired++;
	}
	j->st->records++;
	j->cb(r, j->arg);
}

/* A scalar: part of a record, or a record that is not an object. */
static inline int
json_value(struct json *j, enum rec_type type, const char *s, size_t len)
{
	enum rec_build	e;

	if (j->building) {
		if (j->records_key) {
			j->records_key = 0;
			j->skip = JSON_SKIP_RECORDS;
			j->skip_what = json_type_name(type);
		}
		if (json_check(j) &&
		    (e = record_scalar(j->rec, type, s, len)) != REC_BUILD_OK)
			json_rec_skip(j, e);
		return 1;
	}
	if (j->depth == 0)
		j->values++;
	if (j->depth == 0 || json_element(j)) {
		json_report(j, DIAG_ERROR, "record %ju: not an object (%s), "
		    "skipped", (uintmax_t)j->index++, json_type_name(type));
		j->st->records_skipped++;
	}
	return 1;
}

static int
json_cb_null(void *ctx)
{
	return json_value(ctx, REC_NULL, NULL, 0);
}

static int
json_cb_boolean(void *ctx, int b)
{
	return json_value(ctx, b ? REC_TRUE : REC_FALSE, NULL, 0);
}

static int
json_cb_number(void *ctx, const char *s, size_t len)
{
	return json_value(ctx, REC_NUMBER, s, len);
}

static int
json_cb_string(void *ctx, const unsigned char *s, size_t len)
{
	return json_value(ctx, REC_STRING, (const char *)s, len);
}

static int
json_cb_start_map(void *ctx)
{
	struct json	*j = ctx;
	enum rec_build	 e;

	if (!json_depth_in(j))
		return 0;
	if (j->building) {
		if (j->records_key) {
			j->records_key = 0;
			j->skip = JSON_SKIP_RECORDS;
			j->skip_what = "object";
		}
		if (json_check(j) &&
		    (e = record_open(j->rec, REC_OBJECT)) != REC_BUILD_OK)
			json_rec_skip(j, e);
		return 1;
	}
	if (j->depth == 1) {
		if (j->name == NULL && j->values > 1) {
			j->cancel = "more than one JSON value";
			return 0;
		}
		j->top = JSON_TOP_OBJECT;
		json_rec_begin(j, 1);
	} else if (j->top == JSON_TOP_ARRAY && j->depth == 2)
		json_rec_begin(j, 1);
	else if (j->top == JSON_TOP_FILE && j->in_records && j->depth == 3)
		json_rec_begin(j, 0);
	return 1;
}

static int
json_cb_map_key(void *ctx, const unsigned char *s, size_t len)
{
	struct json	*j = ctx;
	enum rec_build	 e;

	/* A second "Records" array in the file form is read too. */
	if (!j->building && j->top == JSON_TOP_FILE && j->depth == 1) {
		j->records_key = len == 7 && memcmp(s, "Records", 7) == 0;
		return 1;
	}
	if (!j->building)
		return 1;
	/* Only 'R', 'd', 'l' and 'p' start a name that changes the shape. */
	if (j->depth == j->rec_depth && j->name != NULL && len > 0 &&
	    (s[0] == 'R' || s[0] == 'd' || s[0] == 'l' || s[0] == 'p')) {
		if (j->top == JSON_TOP_OBJECT && j->depth == 1 && len == 7 &&
		    memcmp(s, "Records", 7) == 0)
			j->records_key = 1;
		else if (forms_is_digest_key((const char *)s, len) &&
		    j->skip == JSON_SKIP_NONE)
			j->skip = JSON_SKIP_DIGEST;
	}
	if (json_check(j) && (e = record_key(j->rec, (const char *)s, len)) !=
	    REC_BUILD_OK)
		json_rec_skip(j, e);
	return 1;
}

static int
json_cb_end_map(void *ctx)
{
	struct json	*j = ctx;

	if (j->building) {
		if (j->skip == JSON_SKIP_NONE)
			record_close(j->rec);
		if (j->depth == j->rec_depth)
			json_rec_end(j);
	}
	if (--j->depth == 0) {
		j->top = JSON_TOP_NONE;
		j->in_records = 0;
	}
	return 1;
}

static int
json_cb_start_array(void *ctx)
{
	struct json	*j = ctx;
	enum rec_build	 e;

	if (!json_depth_in(j))
		return 0;
	if (j->building) {
		if (j->records_key) {
			/* The file form: the object was not a record. */
			j->records_key = 0;
			j->building = 0;
			j->top = JSON_TOP_FILE;
			j->in_records = 1;
			j->index--;
			return 1;
		}
		if (json_check(j) &&
		    (e = record_open(j->rec, REC_ARRAY)) != REC_BUILD_OK)
			json_rec_skip(j, e);
		return 1;
	}
	if (j->records_key && j->top == JSON_TOP_FILE && j->depth == 2) {
		j->records_key = 0;
		j->in_records = 1;
	} else if (j->depth == 1) {
		if (j->name == NULL) {
			j->cancel = "not an object (array)";
			return 0;
		}
		j->top = JSON_TOP_ARRAY;
	} else if ((j->top == JSON_TOP_ARRAY && j->depth == 2) ||
	    (j->top == JSON_TOP_FILE && j->in_records && j->depth == 3)) {
		json_report(j, DIAG_ERROR, "record %ju: not an object (array), "
		    "skipped", (uintmax_t)j->index++);
		j->st->records_skipped++;
	}
	return 1;
}

static int
json_cb_end_array(void *ctx)
{
	struct json	*j = ctx;

	if (j->building && j->skip == JSON_SKIP_NONE)
		record_close(j->rec);
	if (j->top == JSON_TOP_FILE && j->depth == 2)
		j->in_records = 0;
	if (--j->depth == 0)
		j->top = JSON_TOP_NONE;
	return 1;
}

/*
 * Drop the rest of an over-long string up to its closing quote, which
 * is kept.  Returns how many bytes to drop.
 */
static size_t
json_guard_cut(struct json *j, const char *p, size_t len)
{
	const char	*q, *b;
	size_t		 i = 0, lim;

	while (i < len) {
		if (j->esc > 0) {
			j->esc = j->esc == JSON_ESC_FIRST && p[i] == 'u' ? 4 :
			    j->esc == JSON_ESC_FIRST ? 0 : j->esc - 1;
			i++;
			continue;
		}
		q = memchr(p + i, '"', len - i);
		lim = q != NULL ? (size_t)(q - p) : len;
		if ((b = memchr(p + i, '\\', lim - i)) != NULL) {
			i = (size_t)(b - p) + 1;
			j->esc = JSON_ESC_FIRST;
			continue;
		}
		if (q != NULL)
			j->cutting = 0;
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
json_guard_gap(struct json *j, const char *p, size_t len, size_t *drop)
{
	size_t	i;
	int	numc;

	if (j->num_cut) {
		for (i = 0; i < len; i++) {
			if (!((p[i] >= '0' && p[i] <= '9') || p[i] == '.' ||
			    p[i] == 'e' || p[i] == 'E' || p[i] == '+' ||
			    p[i] == '-'))
				break;
		}
		if (i < len)
			j->num_cut = 0;
		if (i > 0) {
			*drop = i;
			return 0;
		}
	}
	if (j->gap + len <= JSON_GAP_SLOW) {
		j->gap += len;
		return len;
	}
	for (i = 0; i < len; i++) {
		numc = (p[i] >= '0' && p[i] <= '9') || p[i] == '.' ||
		    p[i] == 'e' || p[i] == 'E' || p[i] == '+' || p[i] == '-';
		if (!numc) {
			j->tok_len = 0;
			continue;
		}
		if (++j->tok_len > JSON_TOKEN_MAX && p[i] >= '0' &&
		    p[i] <= '9') {
			j->num_cut = 1;
			j->tok_len = 0;
			*drop = 1;
			return i;
		}
	}
	j->gap += len;
	return len;
}

/*
 * The first quote or backslash in p, or len: sixteen bytes at a time with
 * SSE2, eight with plain integers elsewhere.  The strings of an event are
 * short, so one inline scan for both characters beats two memchr() calls.
 */
static inline size_t
json_scan(const char *p, size_t len, int *high)
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
json_masks(const char *p, uint64_t *q, uint64_t *b, uint64_t *high)
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
/* json_masks() in two 32-byte steps, where the processor has AVX2. */
static inline __attribute__((__target__("avx2"))) void
json_masks_avx2(const char *p, uint64_t *q, uint64_t *b, uint64_t *high)
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
json_guard_blocks(struct json *j, const char *p, size_t len, size_t off,
    size_t *seen, int wide)
{
	uint64_t	 q, b, h, tok = j->tok_len, gap = j->gap;
	size_t		 i, end, last;
	int		 in = j->in_string;

	for (i = 0; i + 64 <= len; i += 64) {
		if (in ? tok + 64 > JSON_TOKEN_MAX : gap + 64 > JSON_GAP_SLOW)
			break;
#if defined(JSON_AVX2)
		if (wide)
			json_masks_avx2(p + i, &q, &b, &h);
		else
#endif
			json_masks(p + i, &q, &b, &h);
		if (h != 0)
			j->high_at = j->total + off + i + 64 -
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
	j->in_string = in;
	j->tok_len = tok;
	j->gap = gap;
	return i;
}

/* The fast path with SSE2, which every x86-64 has. */
static size_t
json_guard_fast(struct json *j, const char *p, size_t len, size_t off,
    size_t *seen)
{
	return json_guard_blocks(j, p, len, off, seen, 0);
}

#if defined(JSON_AVX2)
/* The same, compiled for AVX2, taken when the processor has it. */
static __attribute__((__target__("avx2"))) size_t
json_guard_fast_avx2(struct json *j, const char *p, size_t len, size_t off,
    size_t *seen)
{
	return json_guard_blocks(j, p, len, off, seen, 1);
}
#endif
#endif

/*
 * The guard in front of yajl.  Returns how many bytes of p may be fed to
 * yajl as they are; *drop says how many after them to leave out.  Only
 * quotes and backslashes are looked for; everything else is left to yajl.
 */
static size_t
json_guard(struct json *j, const char *p, size_t len, size_t *drop)
{
	size_t	 i = 0, k, lim, stop, n;
	int	 high = 0;
#if defined(__SSE2__)
	size_t	 fast = 0, seen;	/* where the fast path may look again */
#endif

	*drop = 0;
	if (j->cutting) {
		*drop = json_guard_cut(j, p, len);
		return 0;
	}
	while (i < len) {
#if defined(__SSE2__)
		if (i >= fast && j->esc == 0 && !j->num_cut) {
#if defined(JSON_AVX2)
			if (json_wide)
				n = json_guard_fast_avx2(j, p + i, len - i, i,
				    &seen);
			else
#endif
				n = json_guard_fast(j, p + i, len - i, i,
				    &seen);
			fast = i + seen;
			i += n;
			continue;
		}
#endif
		if (!j->in_string) {
			/* A backslash out here is yajl's to reject. */
			k = i;
			do {
				lim = k + json_scan(p + k, len - k, &high);
				k = lim + 1;
			} while (lim < len && p[lim] == '\\');
			if (high) {
				j->high_at = j->total + lim + 16;
				high = 0;
			}
			n = json_guard_gap(j, p + i, lim - i, drop);
			if (*drop != 0 || n < lim - i)
				return i + n;
			i = lim;
			if (i < len) {
				j->in_string = 1;
				j->tok_len = 0;
				j->gap = 0;
				i++;
			}
			continue;
		}
		if (j->esc > 0) {
			if (j->esc == JSON_ESC_FIRST && p[i] == 'u') {
				/* May decode to a lone surrogate: not ASCII. */
				j->esc = 4;
				j->high_at = j->total + i + 5;
			} else
				j->esc = j->esc == JSON_ESC_FIRST ? 0 :
				    j->esc - 1;
			j->tok_len++;
			i++;
			continue;
		}
		stop = i + json_scan(p + i, len - i, &high);
		if (high) {
			j->high_at = j->total + stop + 16;
			high = 0;
		}
		if (stop > i && j->tok_len + (stop - i) > JSON_TOKEN_MAX) {
			/* Cut between plain bytes, where the JSON stays valid. */
			n = j->tok_len < JSON_TOKEN_MAX ?
			    JSON_TOKEN_MAX - j->tok_len : 0;
			j->tok_len += n;
			j->cutting = 1;
			return i + n;
		}
		j->tok_len += stop - i;
		i = stop;
		if (i == len)
			break;
		if (p[i] == '\\') {
			j->esc = JSON_ESC_FIRST;
			j->tok_len++;
		} else
			j->in_string = 0;
		i++;
	}
	return len;
}

/*
 * Skip to the next line that starts with '{' and restart there with a
 * fresh parser.  Returns how many bytes were skipped.
 */
static size_t
json_resync(struct json *j, const char *p, size_t len)
{
	const char	*q;
	size_t		 i = 0;

	while (i < len) {
		if (j->nl && p[i] == '{') {
			j->resync = 0;
			j->open_at = j->total + i;
			json_yajl_open(j);
			return i;
		}
		j->nl = p[i] == '\n';
		if (j->nl) {
			i++;
			continue;
		}
		if ((q = memchr(p + i, '\n', len - i)) == NULL)
			return len;
		i = (size_t)(q - p) + 1;
		j->nl = 1;
	}
	return len;
}

/* yajl stopped at offset off of the piece p: report it, then go on or stop. */
static void
json_parse_error(struct json *j, size_t off)
{
	unsigned char	*msg;
	char		*reason, *e;
	int		 lines;

	msg = yajl_get_error(j->yh, 0, NULL, 0);
	reason = (char *)msg;
	if ((e = strstr(reason, "error: ")) != NULL)
		reason = e + 7;
	reason[strcspn(reason, "\n")] = '\0';
	if ((e = strrchr(reason, '.')) != NULL && e[1] == '\0')
		*e = '\0';
	if (strcmp(reason, "premature EOF") == 0)
		reason = (char *)"unexpected end of input";
	json_report(j, DIAG_ERROR, "byte %ju: parse error: %s",
	    (uintmax_t)(j->base + off), reason);
	yajl_free_error(j->yh, msg);
	j->had_error = 1;

	/* The record being read, or a bad stretch between values, counts. */
	if (j->building || j->top == JSON_TOP_NONE)
		j->st->records_skipped++;
	if (!j->building && j->top == JSON_TOP_NONE)
		j->index++;
	j->building = 0;

	/*
	 * Only JSON Lines (top-level objects, no file form or array) can be
	 * picked up again, at the next line that starts with '{'.  A parse
	 * error is reported just past the token that caused it, which may be
	 * that '{' itself.
	 */
	lines = j->name != NULL &&
	    (j->top == JSON_TOP_NONE || j->top == JSON_TOP_OBJECT);
	j->depth = 0;
	j->top = JSON_TOP_NONE;
	j->in_records = j->records_key = 0;
	j->in_string = j->cutting = j->num_cut = j->esc = 0;
	j->tok_len = j->gap = 0;
	if (!lines) {
		j->stopped = 1;
		return;
	}
	j->resync = 1;
}

/* Feed one piece to yajl.  Returns the bytes used, less on an error. */
static size_t
json_parse(struct json *j, const char *p, size_t len)
{
	yajl_status	st;
	size_t		off;

	j->base = j->total;
	j->end = j->total + len;
	if (j->building)
		json_ascii(j);
	st = yajl_parse(j->yh, (const unsigned char *)p, len);
	if (st == yajl_status_ok) {
		j->total += len;
		return len;
	}
	off = yajl_get_bytes_consumed(j->yh);
	if (st == yajl_status_client_canceled) {
		json_report(j, DIAG_ERROR, "byte %ju: %s",
		    (uintmax_t)(j->base + off), j->cancel);
		if (j->building)
			j->st->records_skipped++;
		j->building = 0;
		j->stopped = 1;
		j->total += len;
		return len;
	}
	/*
	 * Restart at the error, or at the '{' just before it when that '{'
	 * may begin a good line.  Not when yajl started there, or when it
	 * opened the record that failed: reading it again would fail the
	 * same way, forever ("{/").
	 */
	if (off > len)
		off = len;
	if (off > 0 && p[off - 1] == '{' &&
	    (off >= 2 ? p[off - 2] == '\n' : j->nl) &&
	    j->base + off - 1 != j->open_at &&
	    !(j->building && j->rec_start == j->base + off - 1))
		off--;
	json_parse_error(j, off);
	j->nl = off > 0 ? p[off - 1] == '\n' : j->nl;
	j->total += off;
	return off;
}

/* Parse the next bytes of the stream. */
int
json_feed(struct json *j, const char *p, size_t len)
{
	size_t	n, drop;

	if (j->name != NULL)
		j->st->bytes_json += len;
	while (len > 0 && !j->stopped) {
		if (j->resync) {
			n = json_resync(j, p, len);
			j->total += n;
			p += n;
			len -= n;
			continue;
		}
		n = json_guard(j, p, len, &drop);
		if (n > 0) {
			if (json_parse(j, p, n) < n) {
				/* An error: the guard starts again after it. */
				n = (size_t)(j->total - j->base);
				p += n;
				len -= n;
				continue;
			}
			j->nl = p[n - 1] == '\n';
		}
		j->total += drop;
		p += n + drop;
		len -= n + drop;
	}
	return j->stopped ? -1 : 0;
}

/* The input has ended. */
int
json_end(struct json *j, int complete)
{
	yajl_status	st;
	int		rv = 0;

	if (j->stopped || j->resync)
		return j->stopped ? -1 : 0;
	if (!complete) {
		if (j->building)
			j->st->records_skipped++;
		j->building = 0;
		return -1;
	}
	if (j->values == 0 && !j->had_error) {
		json_report(j, DIAG_ERROR, j->total == 0 ? "empty file" :
		    "no JSON data");
		return -1;
	}
	j->base = j->end = j->total;
	st = yajl_complete_parse(j->yh);
	if (st == yajl_status_client_canceled) {
		json_report(j, DIAG_ERROR, "byte %ju: %s", (uintmax_t)j->total,
		    j->cancel);
		rv = -1;
	} else if (st != yajl_status_ok) {
		json_parse_error(j, 0);
		j->stopped = 1;
		rv = -1;
	}
	return rv;
}

/* Build a record from the text of one JSON object (for tests). */
struct record *
record_from_json(const char *json, size_t len, const char *origin,
    char **cause)
{
	struct scan_stats	 st;
	struct json		*j;
	struct record		*r = NULL;

	memset(&st, 0, sizeof st);
	j = json_create(NULL, NULL, NULL, &st);
	if (json_feed(j, json, len) == 0 && json_end(j, 1) == 0 &&
	    j->cause == NULL) {
		if (j->taken == NULL)
			j->cause = xstrdup("not an object");
		else {
			r = j->taken;
			j->taken = NULL;
			record_set_origin(r, origin);
		}
	}
	if (r == NULL)
		*cause = j->cause != NULL ? j->cause : xstrdup("bad JSON");
	else
		free(j->cause);
	j->cause = NULL;
	json_free(j);
	return r;
}
