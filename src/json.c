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
 * event is its "detail"), a CloudTrail-Digest file (counted and skipped)
 * or an Insights event (counted apart and delivered, for the rules whose
 * logsource reads Insights events).
 *
 * Hostile input meets a cap everywhere: yajl buffers a token that spans
 * two chunks, so the guard (json_guard.c) scans for quotes and backslashes
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

#include <yajl/yajl_parse.h>

#include "buf.h"
#include "forms.h"
#include "json.h"
#include "json_guard.h"
#include "log.h"
#include "record.h"
#include "record_int.h"
#include "xmalloc.h"

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
	struct json_stats	*st;
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
	int			 records_key;	/* a forms_list is the next member */
	enum forms_list		 list;		/* the file form's list */
	uint64_t		 verbatim;	/* depth of keys kept as they are */
	int			 nested;	/* a lookup-events CloudTrailEvent */
	int			 lake_told;	/* a Lake row without eventJson */
	const char		*prefix;	/* for its messages */
	uint64_t		 lines;		/* newlines before total */
	uint64_t		 line_at;	/* offset just past the last one */
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
	enum forms_list		 skip_list;

	struct json_guard	 guard;	/* in front of yajl */
	char			 held[JSON_GUARD_HOLD_MAX];
	size_t			 nheld;	/* bytes the guard wants again */

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
static void	 json_rec_begin_type(struct json *, int, enum rec_type);
static void	 json_ascii(struct json *);
static void	 json_rec_end(struct json *);
static void	 json_rec_skip(struct json *, enum rec_build);
static int	 json_check(struct json *);
static int	 json_depth_in(struct json *);
static int	 json_value(struct json *, enum rec_type, const char *, size_t);
static const char *json_type_name(enum rec_type);
static size_t	 json_resync(struct json *, const char *, size_t);
static size_t	 json_parse(struct json *, const char *, size_t);
static void	 json_parse_error(struct json *, const char *, size_t);
static void	 json_advance(struct json *, const char *, size_t);
static void	 json_lookup_event(struct json *, const struct rec_value *,
		    uint64_t);

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
static __thread struct record *json_spare;	/* one per thread */

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
	if (j->name != NULL && j->prefix != NULL &&
	    strncmp(fmt, "record ", 7) != 0)
		diag(level, j->name, 0, "%s%s", j->prefix, msg);
	else if (j->name != NULL)
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
    struct json_stats *st)
{
	struct json	*j;

	j = xcalloc(1, sizeof *j);
	json_guard_init(&j->guard);
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

/* Free the spare record before a worker thread ends. */
void
json_thread_clear(void)
{
	record_free(json_spare);
	json_spare = NULL;
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
	record_set_ascii(j->rec, j->guard.high_at <= j->rec_start);
}

/* An object just opened at j->depth is a record: start building it. */
static void
json_rec_begin(struct json *j, int toplevel)
{
	json_rec_begin_type(j, toplevel, REC_OBJECT);
}

/* A record whose root is of this type (an array: a Lake row). */
static void
json_rec_begin_type(struct json *j, int toplevel, enum rec_type type)
{
	j->building = 1;
	j->toplevel = toplevel;
	j->rec_depth = j->depth;
	j->rec_start = json_pos(j) - 1;
	j->skip = JSON_SKIP_NONE;
	record_begin(j->rec, j->name != NULL ? j->name : "-", j->index++);
	json_ascii(j);
	if (record_open(j->rec, type) != REC_BUILD_OK)
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

/*
 * Parse the JSON text in string v (a lookup-events CloudTrailEvent, a
 * Lake row's eventJson) as the record, with the same caps, delivered
 * with the element's index; label names it in messages.
 */
static void
json_nested(struct json *j, const struct rec_value *v, const char *label,
    uint64_t index)
{
	struct json	*n;
	char		*prefix;

	if (asprintf(&prefix, "record %ju: %s: ", (uintmax_t)index,
	    label) == -1)
		fatal("asprintf");
	/* The string lives in j->rec, which n leaves alone. */
	n = json_create(j->name, j->cb, j->arg, j->st);
	n->nested = 1;
	n->prefix = prefix;
	n->index = index;
	if (json_feed(n, v->str, v->len) == 0)
		json_end(n, 1);
	j->st->bytes_json -= v->len;
	if (n->failed)
		j->failed = 1;
	json_free(n);
	free(prefix);
}

/*
 * An element of aws cloudtrail lookup-events' "Events": the record is the
 * JSON text in its CloudTrailEvent string.
 */
static void
json_lookup_event(struct json *j, const struct rec_value *root,
    uint64_t index)
{
	const struct rec_value	*v;

	v = record_member(root, "CloudTrailEvent", 15);
	if (v == NULL || v->type != REC_STRING) {
		json_report(j, DIAG_ERROR, "record %ju: no CloudTrailEvent "
		    "string, skipped", (uintmax_t)index);
		j->st->records_skipped++;
		return;
	}
	json_nested(j, v, "CloudTrailEvent", index);
}

/*
 * A row of CloudTrail Lake query results: the record is the JSON text in
 * its eventJson column (forms_lake.c).  A row without one is reported
 * once per stream, with the columns it has; the rest are counted.
 */
static void
json_lake_row(struct json *j, const struct rec_value *root, uint64_t index)
{
	const struct rec_value	*v;
	char			 cols[FORMS_LAKE_COLS_MAX];

	if ((v = forms_lake_event(root, cols, sizeof cols)) != NULL) {
		json_nested(j, v, "eventJson", index);
		return;
	}
	if (!j->lake_told)
		json_report(j, DIAG_ERROR, "record %ju: CloudTrail Lake row "
		    "has no eventJson column (it has: %s), skipped; select "
		    "eventJson to audit whole events", (uintmax_t)index, cols);
	else
		j->failed = 1;
	j->lake_told = 1;
	j->st->records_skipped++;
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
		json_report(j, DIAG_ERROR, "record %ju: %s is not an "
		    "array (%s)", (uintmax_t)index, forms_list_name(j->skip_list),
		    j->skip_what);
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
	if (j->list == FORMS_LIST_LAKE && j->top == JSON_TOP_FILE) {
		json_lake_row(j, root, index);
		return;
	}
	if (j->list == FORMS_LIST_EVENTS && j->top == JSON_TOP_FILE) {
		json_lookup_event(j, root, index);
		return;
	}
	forms_shape(root, &sh);
	if ((detail = forms_envelope(&sh)) != NULL) {
		record_set_root(r, detail);
		forms_shape(detail, &sh);
	}
	if (!sh.insight && !sh.event && !sh.finding) {
		json_report(j, DIAG_ERROR, "record %ju: no %seventName, "
		    "eventSource or eventVersion, skipped", (uintmax_t)index,
		    j->toplevel && j->top == JSON_TOP_OBJECT ?
		    "Records array and no " : "");
		j->st->records_skipped++;
		return;
	}
	if (forms_complete(r, &sh) == -1) {
		json_report(j, DIAG_ERROR, "record %ju: more than %d bytes "
		    "in memory, skipped", (uintmax_t)index, REC_MEM_MAX);
		j->st->records_skipped++;
		return;
	}
	if (record_repaired(r)) {
		json_report(j, DIAG_WARN, "record %ju: invalid UTF-8 replaced "
		    "with U+FFFD", (uintmax_t)index);
		j->st->repaired++;
	}
	/* Insights events go on to the rules that read them (forms.h). */
	if (sh.insight)
		j->st->insights++;
	else
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
			j->skip_list = j->records_key;
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
			j->skip_list = j->records_key;
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
	char		 key[FORMS_KEY_MAX];
	size_t		 n;

	/* A second "Records" array in the file form is read too. */
	if (!j->building && j->top == JSON_TOP_FILE && j->depth == 1) {
		j->records_key = forms_list_key((const char *)s, len);
		if (j->nested && (j->records_key == FORMS_LIST_EVENTS ||
		    j->records_key == FORMS_LIST_LAKE))
			j->records_key = FORMS_LIST_NONE;
		return 1;
	}
	if (!j->building)
		return 1;
	/* A finding from the API: its member names as on the wire. */
	if (j->list == FORMS_LIST_FINDINGS && j->depth != j->verbatim) {
		if ((n = forms_api_key((const char *)s, len, key)) != 0) {
			s = (const unsigned char *)key;
			len = n;
			/* Its keys are resource types, not member names. */
			if (len == 17 && memcmp(s, "affectedResources", 17) == 0)
				j->verbatim = j->depth + 1;
		}
	}
	/* Only these letters start a name that changes the shape. */
	if (j->depth == j->rec_depth && j->name != NULL && len > 0 &&
	    (s[0] == 'R' || s[0] == 'd' || s[0] == 'l' || s[0] == 'p' ||
	    s[0] == 'E' || s[0] == 'F' || s[0] == 'Q')) {
		if (j->top == JSON_TOP_OBJECT && j->depth == 1 &&
		    (j->records_key = forms_list_key((const char *)s, len)) !=
		    FORMS_LIST_NONE) {
			if (j->nested &&
			    (j->records_key == FORMS_LIST_EVENTS ||
			    j->records_key == FORMS_LIST_LAKE))
				j->records_key = FORMS_LIST_NONE;
		} else if (forms_is_digest_key((const char *)s, len) &&
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
	if (j->depth == j->verbatim)
		j->verbatim = 0;
	if (--j->depth == 0) {
		j->top = JSON_TOP_NONE;
		j->in_records = 0;
		j->list = FORMS_LIST_NONE;
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
			j->list = j->records_key;
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
		j->list = j->records_key;
		j->records_key = 0;
		j->in_records = 1;
	} else if (j->depth == 1) {
		if (j->name == NULL) {
			j->cancel = "not an object (array)";
			return 0;
		}
		j->top = JSON_TOP_ARRAY;
	} else if (j->top == JSON_TOP_FILE && j->in_records &&
	    j->depth == 3 && j->list == FORMS_LIST_LAKE) {
		/* A Lake row: a list of {"column": "value"}. */
		json_rec_begin_type(j, 0, REC_ARRAY);
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
	if (j->building && j->depth == j->rec_depth)
		json_rec_end(j);	/* a Lake row */
	if (j->top == JSON_TOP_FILE && j->depth == 2)
		j->in_records = 0;
	if (--j->depth == 0)
		j->top = JSON_TOP_NONE;
	return 1;
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
json_parse_error(struct json *j, const char *p, size_t off)
{
	unsigned char	*msg;
	char		*reason, *e, where[96];
	const char	*q;
	uint64_t	 line = j->lines, line_at = j->line_at, pos;
	size_t		 i;
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
	/* Where, as a line and column too when it is not the first line. */
	pos = j->base + off;
	for (i = 0; p != NULL && i < off &&
	    (q = memchr(p + i, '\n', off - i)) != NULL; i = (size_t)(q - p) + 1) {
		line++;
		line_at = j->base + (uint64_t)(q - p) + 1;
	}
	if (line > 0)
		snprintf(where, sizeof where, "byte %ju (line %ju, column %ju)",
		    (uintmax_t)pos, (uintmax_t)line + 1,
		    (uintmax_t)(pos - line_at + 1));
	else
		snprintf(where, sizeof where, "byte %ju", (uintmax_t)pos);
	json_report(j, DIAG_ERROR, "%s: parse error: %s", where, reason);
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
	j->list = FORMS_LIST_NONE;
	j->verbatim = 0;
	json_guard_reset(&j->guard);
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
		json_advance(j, p, len);
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
		json_advance(j, p, len);
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
	json_parse_error(j, p, off);
	j->nl = off > 0 ? p[off - 1] == '\n' : j->nl;
	json_advance(j, p, off);
	return off;
}

/*
 * The stream has moved on by the n bytes at p: count them and their
 * newlines, for the line and column of a parse error.
 */
static void
json_advance(struct json *j, const char *p, size_t n)
{
	const char	*q, *end = p + n;

	for (q = p; q < end && (q = memchr(q, '\n', (size_t)(end - q))) !=
	    NULL; q++) {
		j->lines++;
		j->line_at = j->total + (uint64_t)(q - p) + 1;
	}
	j->total += n;
}

/*
 * Feed one piece through the guard to yajl.  What the guard wants to see
 * again together with more input is kept in j->held.
 */
static void
json_feed_piece(struct json *j, const char *p, size_t len)
{
	size_t	n, drop;
	char	c;

	while (len > 0 && !j->stopped) {
		if (j->resync) {
			n = json_resync(j, p, len);
			json_advance(j, p, n);
			p += n;
			len -= n;
			continue;
		}
		n = json_guard(&j->guard, j->total, p, len, &drop);
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
		p += n;
		len -= n;
		if (j->guard.subst != 0) {
			c = (char)j->guard.subst;
			j->guard.subst = 0;
			if (json_parse(j, &c, 1) == 1) {
				p++;
				len--;
			}
			continue;
		}
		if (j->guard.hold) {
			j->guard.hold = 0;
			if (len >= sizeof j->held)
				fatalx("json: guard held %zu bytes", len);
			memcpy(j->held, p, len);
			j->nheld = len;
			return;
		}
		json_advance(j, p, drop);
		p += drop;
		len -= drop;
	}
}

/* Parse the next bytes of the stream. */
int
json_feed(struct json *j, const char *p, size_t len)
{
	const char	*what;
	char		 buf[JSON_GUARD_HOLD_MAX + 64];
	size_t		 k, n;

	if (j->name != NULL)
		j->st->bytes_json += len;
	if (j->total == 0 && j->nheld == 0 && len > 0 && j->name != NULL &&
	    !j->nested && (what = forms_sniff(p, len)) != NULL) {
		json_report(j, DIAG_ERROR, "%s", what);
		j->st->records_skipped++;
		j->stopped = 1;
		return -1;
	}
	while (j->nheld > 0 && len > 0 && !j->stopped) {
		k = len < 64 ? len : 64;
		memcpy(buf, j->held, j->nheld);
		memcpy(buf + j->nheld, p, k);
		n = j->nheld + k;
		j->nheld = 0;
		json_feed_piece(j, buf, n);
		p += k;
		len -= k;
	}
	json_feed_piece(j, p, len);
	return j->stopped ? -1 : 0;
}

/* The input has ended. */
int
json_end(struct json *j, int complete)
{
	yajl_status	st;
	char		held[JSON_GUARD_HOLD_MAX];
	size_t		n;
	int		rv = 0;

	if (j->nheld > 0 && complete) {
		/* The end decides what the guard waited for. */
		j->guard.final = 1;
		n = j->nheld;
		memcpy(held, j->held, n);
		j->nheld = 0;
		json_feed_piece(j, held, n);
	}
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
		json_parse_error(j, NULL, 0);
		j->stopped = 1;
		rv = -1;
	}
	return rv;
}

/*
 * The record of a stream parsed without a name, or NULL and *cause: the
 * first error reported, or that there was no object.
 */
struct record *
json_take(struct json *j, char **cause)
{
	struct record	*r = NULL;

	if (j->cause == NULL) {
		if (j->taken == NULL)
			j->cause = xstrdup("not an object");
		else {
			r = j->taken;
			j->taken = NULL;
		}
	}
	if (r == NULL) {
		*cause = j->cause != NULL ? j->cause : xstrdup("bad JSON");
		j->cause = NULL;
	}
	return r;
}
