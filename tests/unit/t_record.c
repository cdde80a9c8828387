/* SPDX-License-Identifier: ISC */
/*
 * Records: building from JSON text, dotted paths, compact serialisation
 * and UTF-8 repair, one table each; then whole streams through
 * scan_stream() (shapes, gzip, caps, repair, resynchronisation), each read
 * at once and again one byte per read(2), which must not change a thing.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include <zlib.h>

#include "json.h"
#include "log.h"
#include "record.h"
#include "record_int.h"
#include "scan.h"
#include "source.h"

static int	failed;

static void	fail(const char *, ...) __printflike(1, 2);

static void __attribute__((__format__(printf, 1, 2)))
fail(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	failed = 1;
}

/* Append src to dst, a buffer of size bytes. */
static void
strlcat_compat(char *dst, const char *src, size_t size)
{
	size_t	n = strlen(dst);

	if (n + 1 < size)
		snprintf(dst + n, size - n, "%s", src);
}

/* Remove "ctaudit: " from the start of each line of s. */
static void
strip_progname(char *s)
{
	const char	*pfx = "ctaudit: ";
	char		*r = s, *w = s;
	size_t		 n = strlen(pfx);

	while (*r != '\0') {
		if (strncmp(r, pfx, n) == 0)
			r += n;
		while (*r != '\0' && *r != '\n')
			*w++ = *r++;
		if (*r == '\n')
			*w++ = *r++;
	}
	*w = '\0';
}

static const char *
str(const char *s)
{
	return s != NULL ? s : "(null)";
}

/* record_from_json: what is accepted, and the cause of what is not. */
static const struct {
	const char	*json;
	size_t		 len;		/* 0: strlen */
	const char	*cause;		/* NULL: accepted */
} from_cases[] = {
	{ "{}", 0,					NULL },
	{ " {\"a\":1}\n", 0,			NULL },
	{ "{\"a\":[1,{\"b\":null}]}", 0,		NULL },
	{ "", 0,					"empty file" },
	{ "   ", 0,				"no JSON data" },
	{ "[1]", 0,				"byte 1: not an object (array)" },
	{ "\"x\"", 0,				"record 0: not an object (string), "
						"skipped" },
	{ "{} {}", 0,				"byte 4: more than one JSON value" },
	{ "{\"a\":}", 0,				"byte 6: parse error: unallowed "
						"token at this point in JSON text" },
	{ "{\"a\":1", 0,				"byte 6: parse error: unexpected "
						"end of input" },
	{ "{\"a\":\"x\0y\"}", 11,			"byte 7: parse error: invalid "
						"character inside string" },
};

/* record_path and record_string on one event. */
static const char path_event[] =
    "{\"eventName\":\"GetObject\",\"readOnly\":true,\"n\":1.50,"
    "\"userIdentity\":{\"type\":\"IAMUser\",\"arn\":null,"
    "\"sessionContext\":{\"attributes\":{\"mfaAuthenticated\":\"false\"}}},"
    "\"requestParameters\":{\"bucket.name\":\"b\",\"bucket\":{\"x\":1}},"
    "\"resources\":[{\"ARN\":\"a\"}],\"a.b\":{\"c\":\"dotted\"},"
    "\"a\":{\"b\":{\"d\":\"plain\"}}}";

static const struct {
	const char	*path;
	int		 type;		/* -1: absent */
	const char	*string;	/* record_string() */
} path_cases[] = {
	{ "eventName",			REC_STRING,	"GetObject" },
	{ "readOnly",			REC_TRUE,	"true" },
	{ "n",				REC_NUMBER,	"1.50" },
	{ "userIdentity",		REC_OBJECT,	NULL },
	{ "userIdentity.type",		REC_STRING,	"IAMUser" },
	{ "userIdentity.arn",		REC_NULL,	NULL },
	{ "userIdentity.sessionContext.attributes.mfaAuthenticated",
					REC_STRING,	"false" },
	{ "userIdentity.nope",		-1,		NULL },
	{ "eventName.x",		-1,		NULL },
	{ "resources",			REC_ARRAY,	NULL },
	{ "resources.ARN",		-1,		NULL },
	{ "requestParameters.bucket.name", REC_STRING,	"b" },
	{ "requestParameters.bucket.x",	REC_NUMBER,	"1" },
	{ "a.b.c",			REC_STRING,	"dotted" },
	{ "a.b.d",			REC_STRING,	"plain" },
	{ "",				REC_OBJECT,	NULL },
	{ "Eventname",			-1,		NULL },	/* exact case */
};

/* record_json of the root: compact, RFC 8259 escapes, UTF-8 as is. */
static const struct {
	const char	*json;
	const char	*want;
} json_cases[] = {
	{ "{ \"a\" : [ 1 , 2.5e3, -0 ] , \"b\" : { } }",
	    "{\"a\":[1,2.5e3,-0],\"b\":{}}" },
	{ "{\"s\":\"q\\\"b\\\\s\\/\"}",		"{\"s\":\"q\\\"b\\\\s/\"}" },
	{ "{\"c\":\"\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f\"}",
	    "{\"c\":\"\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f\"}" },
	{ "{\"nul\":\"a\\u0000b\"}",		"{\"nul\":\"a\\u0000b\"}" },
	{ "{\"u\":\"\\u00e9\\u20ac\\ud83d\\ude00 \xc3\xa9\"}",
	    "{\"u\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 \xc3\xa9\"}" },
	{ "{\"k\\n\":[true,false,null,[],{}]}",
	    "{\"k\\n\":[true,false,null,[],{}]}" },
	{ "{\"a\":{\"b\":{\"c\":[{\"d\":\"e\"}]}}}",
	    "{\"a\":{\"b\":{\"c\":[{\"d\":\"e\"}]}}}" },
};

/* UTF-8 repair: each maximal invalid subsequence becomes one U+FFFD. */
#define R	"\xef\xbf\xbd"
static const struct {
	const char	*in;
	const char	*want;		/* NULL: valid as it is */
} utf8_cases[] = {
	{ "plain ascii, longer than eight bytes",	NULL },
	{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",	NULL },
	{ "\xef\xbf\xbd",				NULL },
	{ "a\xff" "b",					"a" R "b" },
	{ "\xc3",					R },
	{ "\xc3(",					R "(" },
	{ "\xc0\xaf",					R R },	/* overlong */
	{ "\xe0\x80\xaf",				R R R },
	{ "\xe2\x82",					R },	/* truncated */
	{ "\xe2\x82x",					R "x" },
	{ "\xed\xa0\x80",				R R R },	/* surrogate */
	{ "\xf4\x90\x80\x80",				R R R R },
	{ "\xf0\x9f\x98",				R },
	{ "\x80\x80",					R R },
	{ "12345678\xfe" "12345678",			"12345678" R "12345678" },
};

static void
test_from_json(void)
{
	struct record	*r;
	char		*cause;
	size_t		 i, len;

	for (i = 0; i < nitems(from_cases); i++) {
		cause = NULL;
		len = from_cases[i].len;
		if (len == 0)
			len = strlen(from_cases[i].json);
		r = record_from_json(from_cases[i].json, len, "t", &cause);
		if (from_cases[i].cause == NULL && r == NULL)
			fail("%s: rejected: %s", from_cases[i].json, cause);
		else if (from_cases[i].cause != NULL &&
		    (r != NULL || strcmp(cause, from_cases[i].cause) != 0))
			fail("%s: cause '%s', want '%s'", from_cases[i].json,
			    str(cause), from_cases[i].cause);
		if (r != NULL && (strcmp(record_origin(r), "t") != 0 ||
		    record_index(r) != 0 || record_root(r) == NULL))
			fail("%s: origin %s", from_cases[i].json,
			    record_origin(r));
		record_free(r);
		free(cause);
	}
}

static void
test_paths(void)
{
	struct record		*r;
	const struct rec_value	*v;
	const char		*s;
	char			*cause = NULL;
	size_t			 i;
	int			 got;

	r = record_from_json(path_event, strlen(path_event), "p", &cause);
	if (r == NULL) {
		fail("path event: %s", cause);
		return;
	}
	for (i = 0; i < nitems(path_cases); i++) {
		v = record_path(r, path_cases[i].path);
		got = v == NULL ? -1 : (int)v->type;
		if (got != path_cases[i].type) {
			fail("path '%s': type %d, want %d", path_cases[i].path,
			    got, path_cases[i].type);
		}
		s = record_string(r, path_cases[i].path);
		if ((s == NULL) != (path_cases[i].string == NULL) ||
		    (s != NULL && strcmp(s, path_cases[i].string) != 0))
			fail("%s: string '%s', want '%s'", path_cases[i].path,
			    str(s), str(path_cases[i].string));
	}
	v = record_path(r, "userIdentity");
	if (v->nchild != 3 || strcmp(v->child->key, "type") != 0)
		fail("userIdentity: children wrong");
	record_free(r);
}

static void
test_json(void)
{
	struct record	*r;
	const char	*s, *again;
	char		*cause = NULL;
	size_t		 i, len;

	for (i = 0; i < nitems(json_cases); i++) {
		r = record_from_json(json_cases[i].json,
		    strlen(json_cases[i].json), "j", &cause);
		if (r == NULL) {
			fail("%s: %s", json_cases[i].json, cause);
			free(cause);
			cause = NULL;
			continue;
		}
		s = record_json(r, record_root(r), &len);
		if (strcmp(s, json_cases[i].want) != 0 ||
		    len != strlen(json_cases[i].want))
			fail("%s: json '%s', want '%s'", json_cases[i].json, s,
			    json_cases[i].want);
		again = record_json(r, record_root(r), NULL);
		if (again != s)
			fail("%s: not cached", json_cases[i].json);
		record_free(r);
	}
	/* A scalar's text is its own; a string gets quotes. */
	s = "{\"n\":42,\"s\":\"x\\\"\"}";
	r = record_from_json(s, strlen(s), "j", &cause);
	if (r == NULL ||
	    strcmp(record_json(r, record_path(r, "n"), NULL), "42") != 0 ||
	    strcmp(record_json(r, record_path(r, "s"), NULL), "\"x\\\"\"") != 0)
		fail("scalars: serialised wrongly");
	record_free(r);
}

static void
test_utf8(void)
{
	char		 out[64];
	size_t		 i, n, len;
	struct record	*r;
	char		*cause = NULL;
	const char	 bad[] = "{\"ua\":\"x\xff\",\"k\xc3\":1}";

	for (i = 0; i < nitems(utf8_cases); i++) {
		len = strlen(utf8_cases[i].in);
		n = record_utf8_repair(utf8_cases[i].in, len, NULL);
		if (utf8_cases[i].want == NULL) {
			if (n != (size_t)-1)
				fail("utf8 case %zu: repaired", i);
			continue;
		}
		if (n != strlen(utf8_cases[i].want) ||
		    record_utf8_repair(utf8_cases[i].in, len, out) != n ||
		    memcmp(out, utf8_cases[i].want, n) != 0) {
			fail("utf8 case %zu: wrong repair", i);
		}
	}
	r = record_from_json(bad, sizeof bad - 1, "u", &cause);
	if (r == NULL || !record_repaired(r) ||
	    strcmp(record_string(r, "ua"), "x" R) != 0 ||
	    record_path(r, "k" R) == NULL)
		fail("record repair: %s", str(cause));
	record_free(r);
	free(cause);
}

/* Whole streams: what is delivered, counted and said. */
#define EV(n)	"{\"eventVersion\":\"1.08\",\"eventName\":\"" n "\"}"
static const struct {
	const char	*in;
	int		 gzip;		/* 1: one member, 2: two members */
	const char	*want;		/* name@index of each record */
	const char	*msgs;		/* diagnostics, one per line */
	uint64_t	 skipped, digests, insights, repaired;
	int		 rv;
} stream_cases[] = {
	{ "{\"Records\":[" EV("A") "," EV("B") "],\"x\":{\"Records\":1}}", 0,
	    "A@0 B@1 ", "", 0, 0, 0, 0, 0 },
	{ "{\"Records\":[" EV("A") "," EV("B") "]}", 1,
	    "A@0 B@1 ", "", 0, 0, 0, 0, 0 },
	{ "{\"Records\":[" EV("A") "]}", 2,
	    "A@0 A@1 ", "", 0, 0, 0, 0, 0 },
	{ "[" EV("A") ",\n" EV("B") "]", 0, "A@0 B@1 ", "", 0, 0, 0, 0, 0 },
	{ EV("A") "\n" EV("B") "\n\n" EV("C"), 0,
	    "A@0 B@1 C@2 ", "", 0, 0, 0, 0, 0 },
	{ "{\"detail-type\":\"AWS API Call via CloudTrail\",\"detail\":"
	    EV("A") "}", 0, "A@0 ", "", 0, 0, 0, 0, 0 },
	{ "{\"detail\":" EV("A") ",\"detail-type\":\"Other\"}", 0, "",
	    "s: error: record 0: no Records array and no eventName, "
	    "eventSource or eventVersion, skipped\n", 1, 0, 0, 0, -1 },
	{ "{\"digestStartTime\":\"x\",\"logFiles\":[{\"a\":1}]}", 0, "", "",
	    0, 1, 0, 0, 0 },
	/* Insights events: delivered for their rules, counted apart. */
	{ "{\"Records\":[{\"eventVersion\":\"1\",\"eventCategory\":"
	    "\"Insight\"},{\"insightDetails\":{}}," EV("A") "]}", 0,
	    "-@0 -@1 A@2 ", "", 0, 0, 2, 0, 0 },
	{ "{\"Records\":[1," EV("A") ",\"x\"]}", 0, "A@1 ",
	    "s: error: record 0: not an object (number), skipped\n"
	    "s: error: record 2: not an object (string), skipped\n",
	    2, 0, 0, 0, -1 },
	{ "", 0, "", "s: error: empty file\n", 0, 0, 0, 0, -1 },
	{ "", 1, "", "s: error: empty file\n", 0, 0, 0, 0, -1 },
	{ "{\"Records\":[{\"eventName\":\"A\\u00e9\xff\"}]}", 0, "A\xc3\xa9"
	    "\xef\xbf\xbd@0 ", "s: warning: record 0: invalid UTF-8 replaced "
	    "with U+FFFD\n", 0, 0, 0, 1, 0 },
	/* A lone surrogate, high or low, decodes to bytes that are not
	 * UTF-8 and are repaired (yajl alone made a high one '?'). */
	{ "{\"Records\":[{\"eventName\":\"A\\ud800\"}]}", 0,
	    "A\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd@0 ", "s: warning: "
	    "record 0: invalid UTF-8 replaced with U+FFFD\n", 0, 0, 0, 1, 0 },
	{ "{\"Records\":[{\"eventName\":\"A\\udc00\"}]}", 0,
	    "A\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd@0 ", "s: warning: "
	    "record 0: invalid UTF-8 replaced with U+FFFD\n", 0, 0, 0, 1, 0 },
	{ EV("A") "\n{\"eventName\": tru\ngarbage\n" EV("B") "\n", 0,
	    "A@0 B@2 ", "s: error: byte 57 (line 2, column 18): parse error: "
	    "invalid string in json text\n", 1, 0, 0, 0, -1 },
	{ "{\"Records\":[" EV("A") ",]}", 0, "A@0 ",
	    "s: error: byte 53: parse error: unallowed token at this point "
	    "in JSON text\n", 0, 0, 0, 0, -1 },
	{ "{\"Records\":[" EV("A") "]} x", 0, "A@0 ",
	    "s: error: byte 55: parse error: invalid char in json text\n",
	    1, 0, 0, 0, -1 },
};

struct mem_stream {
	struct stream	 s;
	const char	*p;
	size_t		 len, step;
};

static ssize_t
mem_read(struct stream *s, void *buf, size_t len, char **cause)
{
	struct mem_stream	*m = (struct mem_stream *)s;

	(void)cause;
	if (len > m->step)
		len = m->step;
	if (len > m->len)
		len = m->len;
	memcpy(buf, m->p, len);
	m->p += len;
	m->len -= len;
	return (ssize_t)len;
}

static void
collect(struct record *r, void *arg)
{
	char	*got = arg, item[128];
	const char	*name = record_string(r, "eventName");

	snprintf(item, sizeof item, "%s@%llu ", name != NULL ? name : "-",
	    (unsigned long long)record_index(r));
	strlcat_compat(got, item, 1024);
}

/*
 * Run len bytes at in through scan_stream(), step bytes per read, into cb;
 * the counts go to st and the diagnostics, without the program name, to
 * msgs (size bytes).  Returns what scan_stream() returned.
 */
static int
scan_mem(const char *in, size_t len, size_t step, scan_record_cb *cb,
    void *arg, struct scan_stats *st, char *msgs, size_t size)
{
	struct mem_stream	 m;
	FILE			*f;
	size_t			 n;
	int			 rv, saved;

	memset(&m, 0, sizeof m);
	memset(st, 0, sizeof *st);
	m.s.name = "s";
	m.s.read = mem_read;
	m.p = in;
	m.len = len;
	m.step = step;

	fflush(stderr);
	if ((f = tmpfile()) == NULL || (saved = dup(2)) == -1)
		abort();
	dup2(fileno(f), 2);
	rv = scan_stream(&m.s, cb, arg, st);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	n = fread(msgs, 1, size - 1, f);
	msgs[n] = '\0';
	fclose(f);
	strip_progname(msgs);
	return rv;
}

/* Compress s into a gzip member, twice over if members is 2. */
static size_t
gzip_of(const char *s, int members, unsigned char *out, size_t size)
{
	z_stream	z;
	size_t		n = 0;
	int		i;

	for (i = 0; i < members; i++) {
		memset(&z, 0, sizeof z);
		if (deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8,
		    Z_DEFAULT_STRATEGY) != Z_OK)
			return 0;
		z.next_in = (unsigned char *)(uintptr_t)s;
		z.avail_in = (unsigned int)strlen(s);
		z.next_out = out + n;
		z.avail_out = (unsigned int)(size - n);
		if (deflate(&z, Z_FINISH) != Z_STREAM_END)
			return 0;
		n += z.total_out;
		deflateEnd(&z);
	}
	return n;
}

static void
test_streams(void)
{
	struct scan_stats	 st;
	unsigned char		 gz[4096];
	char			 got[1024], msgs[4096];
	const char		*in;
	size_t			 i, len, steps[] = { 256 * 1024, 1 };
	int			 k, rv;

	for (i = 0; i < nitems(stream_cases); i++) {
		in = stream_cases[i].in;
		len = strlen(in);
		if (stream_cases[i].gzip) {
			len = gzip_of(in, stream_cases[i].gzip, gz, sizeof gz);
			in = (const char *)gz;
		}
		for (k = 0; k < 2; k++) {
			got[0] = '\0';
			rv = scan_mem(in, len, steps[k], collect, got, &st, msgs,
			    sizeof msgs);
			if (strcmp(got, stream_cases[i].want) != 0)
				fail("stream %zu/%d: records '%s', want '%s'", i,
				    k, got, stream_cases[i].want);
			if (strcmp(msgs, stream_cases[i].msgs) != 0)
				fail("stream %zu/%d: messages '%s', want '%s'",
				    i, k, msgs, stream_cases[i].msgs);
			if (st.records_skipped != stream_cases[i].skipped ||
			    st.digests != stream_cases[i].digests ||
			    st.insights != stream_cases[i].insights ||
			    st.repaired != stream_cases[i].repaired ||
			    rv != stream_cases[i].rv)
				fail("stream %zu/%d: skipped %llu digests %llu "
				    "insights %llu repaired %llu rv %d", i, k,
				    (unsigned long long)st.records_skipped,
				    (unsigned long long)st.digests,
				    (unsigned long long)st.insights,
				    (unsigned long long)st.repaired, rv);
		}
	}
}

/*
 * Copies a -j worker hands on (record_clone(), record_clone_to()): made
 * while the record is delivered, read after the stream's record is gone.
 * The first event is copied after its requestParameters were serialised
 * (a cached text inside the arena); the second has a string longer than
 * an arena chunk, so it is not in one chunk and is copied node by node.
 */
#define CLONE_EV1 "{\"eventName\":\"A\",\"requestParameters\":{\"a\":[1," \
	"true,null,{\"b\":\"\xc3\xa9\"}],\"c\":\"\"},\"x\":false,\"y\":[]," \
	"\"z\":{}}"
#define CLONE_BIG	(70 * 1024)

struct clones {
	struct record	*r[4];
	void		*mem[4];
	size_t		 n;
};

static void
clone_each(struct record *r, void *arg)
{
	struct clones		*c = arg;
	const struct rec_value	*v;
	size_t			 size;

	if ((v = record_path(r, "requestParameters")) != NULL)
		(void)record_json(r, v, NULL);
	if (c->n + 2 > nitems(c->r))
		return;
	c->mem[c->n] = NULL;
	c->r[c->n++] = record_clone(r, &size);
	if ((c->mem[c->n] = malloc(record_clone_size(r))) == NULL)
		abort();
	c->r[c->n] = record_clone_to(r, c->mem[c->n]);
	c->n++;
}

static void
test_clones(void)
{
	struct clones		 c;
	struct scan_stats	 st;
	const struct rec_value	*v;
	char			*in, *want[2], msgs[1024];
	const char		*got;
	size_t			 i, len, biglen;

	biglen = CLONE_BIG + 64;
	if ((want[1] = malloc(biglen)) == NULL ||
	    (in = malloc(2 * biglen + 64)) == NULL)
		abort();
	want[0] = (char *)CLONE_EV1;
	len = (size_t)snprintf(want[1], biglen, "{\"eventName\":\"B\",\"s\":\"");
	memset(want[1] + len, 'q', CLONE_BIG);
	strcpy(want[1] + len + CLONE_BIG, "\",\"t\":true}");
	snprintf(in, 2 * biglen + 64, "{\"Records\":[%s,%s]}", want[0],
	    want[1]);
	memset(&c, 0, sizeof c);
	(void)scan_mem(in, strlen(in), 4096, clone_each, &c, &st, msgs,
	    sizeof msgs);
	if (c.n != 4 || msgs[0] != '\0')
		fail("clones: %zu copies, messages '%s'", c.n, msgs);
	for (i = 0; i < c.n; i++) {
		got = record_json(c.r[i], record_root(c.r[i]), &len);
		if (got == NULL || strcmp(got, want[i / 2]) != 0 ||
		    len != strlen(want[i / 2]))
			fail("clone %zu: '%.60s', want '%.60s'", i,
			    got != NULL ? got : "(null)", want[i / 2]);
		if (strcmp(record_origin(c.r[i]), "s") != 0 ||
		    record_index(c.r[i]) != i / 2)
			fail("clone %zu: origin '%s' index %llu", i,
			    record_origin(c.r[i]),
			    (unsigned long long)record_index(c.r[i]));
		if (i / 2 == 0 && ((v = record_path(c.r[i],
		    "requestParameters")) == NULL ||
		    strcmp(record_json(c.r[i], v, NULL), "{\"a\":[1,true,null,"
		    "{\"b\":\"\xc3\xa9\"}],\"c\":\"\"}") != 0 ||
		    strcmp(record_string(c.r[i], "requestParameters.c"),
		    "") != 0))
			fail("clone %zu: requestParameters", i);
		if (i / 2 == 1 && ((got = record_string(c.r[i], "s")) ==
		    NULL || strlen(got) != CLONE_BIG))
			fail("clone %zu: long string", i);
		if (c.mem[i] == NULL)
			record_free(c.r[i]);
		else {
			record_release(c.r[i]);
			free(c.mem[i]);
		}
	}
	free(in);
	free(want[1]);
}

/*
 * A copy of only what some dotted paths reach (record_clone_part_to()):
 * each member on the way, all below the last, a name holding a dot, an
 * array a path cannot go into, and nothing else.
 */
static void
test_clone_part(void)
{
	static const char	*in = "{\"eventTime\":\"T\",\"x\":1,"
	    "\"userIdentity\":{\"type\":\"IAMUser\",\"arn\":\"A\","
	    "\"sessionContext\":{\"attributes\":{\"mfa\":\"false\"}}},"
	    "\"a.b\":\"dot\",\"a\":{\"b\":{\"c\":[1,{\"d\":2}]},\"e\":3},"
	    "\"r\":[{\"f\":4}],\"userIdentityX\":5}";
	static const char	*want = "{\"eventTime\":\"T\","
	    "\"userIdentity\":{\"arn\":\"A\",\"sessionContext\":{"
	    "\"attributes\":{\"mfa\":\"false\"}}},\"a.b\":\"dot\","
	    "\"a\":{\"b\":{\"c\":[1,{\"d\":2}]}},\"r\":[]}";
	static const char *const paths[] = { "eventTime", "userIdentity.arn",
	    "a.b", "userIdentity.sessionContext", "r.f", "nothere.arn", NULL };
	struct record	*src, *part;
	const char	*got, *a, *b;
	char		*cause = NULL, *mem;
	size_t		 i, size;

	if ((src = record_from_json(in, strlen(in), "o", &cause)) == NULL)
		fail("clone part: %s", cause);
	size = record_clone_size(src);
	if ((mem = malloc(size)) == NULL)
		abort();
	part = record_clone_part_to(src, paths, mem);
	got = record_json(part, record_root(part), NULL);
	if (strcmp(got, want) != 0)
		fail("clone part: '%s', want '%s'", got, want);
	for (i = 0; paths[i] != NULL; i++) {
		a = record_string(src, paths[i]);
		b = record_string(part, paths[i]);
		if ((a == NULL) != (b == NULL) || (a != NULL && strcmp(a, b)))
			fail("clone part: %s is '%s' in the copy, '%s'",
			    paths[i], b != NULL ? b : "(null)",
			    a != NULL ? a : "(null)");
	}
	if (record_clone_used(part) > size ||
	    strcmp(record_origin(part), "o") != 0)
		fail("clone part: %zu bytes of %zu, origin '%s'",
		    record_clone_used(part), size, record_origin(part));
	record_release(part);
	free(mem);
	record_free(src);
}

/* A digest of every record delivered: its text and index. */
static void
digest(struct record *r, void *arg)
{
	uint32_t	*crc = arg;
	const char	*s;
	size_t		 n;

	s = record_json(r, record_root(r), &n);
	*crc = (uint32_t)crc32(*crc, (const unsigned char *)s, (uInt)n);
	*crc = (uint32_t)crc32(*crc, (const unsigned char *)&(uint64_t){
	    record_index(r) }, sizeof(uint64_t));
}

/* A little generator, so that the streams are the same on every run. */
static uint32_t
rnd(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/*
 * Append one JSON string to b at *n: any length up to 200, quotes and
 * backslashes escaped or not, \u escapes, UTF-8, a bad byte now and then,
 * so that quotes, backslashes and high bytes fall everywhere in the
 * guard's 64-byte blocks.
 */
static void
gen_string(char *b, size_t *n, uint32_t *x)
{
	static const char *const bits[] = {
		"a", "b", "Z", "0", " ", ":", "/", "\\\"", "\\\\", "\\n",
		"\\u00e9", "\\ud83d\\ude00", "\\ud800", "\xc3\xa9",
		"\xe4\xb8\xad", "\xff", "\x80",
	};
	size_t	len = rnd(x) % 4 == 0 ? rnd(x) % 200 : rnd(x) % 24, i;
	int	plain = rnd(x) % 2;

	b[(*n)++] = '"';
	for (i = 0; i < len; i++) {
		const char *t = bits[plain ? rnd(x) % 7 : rnd(x) % nitems(bits)];

		memcpy(b + *n, t, strlen(t));
		*n += strlen(t);
	}
	b[(*n)++] = '"';
}

/*
 * The guard in front of yajl takes 64 bytes at a time when it can and
 * falls back to an exact scan around anything unusual; reading the same
 * stream in pieces of other sizes moves every block boundary, and one
 * byte per read never takes the fast path at all.  Records, messages and
 * counts must not change, with the SSE2 blocks or the AVX2 ones.  One stream also has a 70,000-byte stretch
 * without a string, which the guard watches byte by byte.
 */
static void
test_guard_blocks(void)
{
	static const size_t	 steps[] = { 256 * 1024, 1, 7, 64, 65, 4099 };
	struct scan_stats	 st, st0;
	char			*b, *msgs, *msgs0 = NULL;
	size_t			 n, i, k, len;
	uint32_t		 x, crc, crc0 = 0;
	int			 stream, rv, rv0 = 0, wide;

	b = malloc(1 << 20);
	msgs = malloc(1 << 16);
	if (b == NULL || msgs == NULL)
		abort();
	for (stream = 0; stream < 8; stream++) {
		x = 2463534242U + (uint32_t)stream;
		n = 0;
		n += (size_t)sprintf(b + n, "{\"Records\":[");
		for (i = 0; i < 150; i++) {
			if (i > 0)
				b[n++] = ',';
			n += (size_t)sprintf(b + n, "{\"eventVersion\":\"1.08\","
			    "\"eventName\":");
			gen_string(b, &n, &x);
			for (k = rnd(&x) % 6; k > 0; k--) {
				b[n++] = ',';
				gen_string(b, &n, &x);
				b[n++] = ':';
				if (rnd(&x) % 5 == 0)
					n += (size_t)sprintf(b + n, "%u", rnd(&x));
				else
					gen_string(b, &n, &x);
			}
			if (stream == 0 && i == 75) {
				n += (size_t)sprintf(b + n, ",\"n\":[");
				for (k = 0; k < 10000; k++)
					n += (size_t)sprintf(b + n, "%s%zu", k ?
					    "," : "", k % 10);
				n += (size_t)sprintf(b + n, "]");
			}
			b[n++] = '}';
		}
		n += (size_t)sprintf(b + n, "]}");
		len = n;

		for (k = 0; k < 2 * nitems(steps); k++) {
			wide = k >= nitems(steps);
			json_set_wide(wide);
			crc = 0;
			rv = scan_mem(b, len, steps[k % nitems(steps)], digest,
			    &crc, &st, msgs, 1 << 16);
			if (k == 0) {
				if (st.records + st.records_skipped != 150)
					fail("guard %d: %llu records, %llu "
					    "skipped", stream,
					    (unsigned long long)st.records,
					    (unsigned long long)
					    st.records_skipped);
				crc0 = crc;
				st0 = st;
				rv0 = rv;
				free(msgs0);
				msgs0 = strdup(msgs);
				continue;
			}
			if (crc != crc0 || rv != rv0 ||
			    st.records != st0.records ||
			    st.records_skipped != st0.records_skipped ||
			    st.repaired != st0.repaired)
				fail("guard %d, %zu-byte reads%s: records differ "
				    "(%llu, %llu skipped, %llu repaired)", stream,
				    steps[k % nitems(steps)], wide ? ", wide" : "",
				    (unsigned long long)st.records,
				    (unsigned long long)st.records_skipped,
				    (unsigned long long)st.repaired);
			if (strcmp(msgs, msgs0) != 0)
				fail("guard %d, %zu-byte reads%s: messages '%s', "
				    "want '%s'", stream, steps[k % nitems(steps)],
				    wide ? ", wide" : "", msgs, msgs0);
		}
	}
	json_set_wide(1);
	free(msgs0);
	free(msgs);
	free(b);
}

/*
 * \u escapes of UTF-16 surrogates: a pair is one character; any surrogate
 * not in a pair is invalid UTF-8, replaced (and counted) like any other,
 * however the input is cut into pieces.
 */
static const struct {
	const char	*json;
	const char	*want;		/* the value of "a" */
	int		 repaired;
} surrogate_cases[] = {
	{ "{\"a\":\"\\ud800\\ud800\"}", R R R R R R, 1 },
	{ "{\"a\":\"\\ud83d\\ude00\"}", "\xf0\x9f\x98\x80", 0 },
	{ "{\"a\":\"\\uD83D\\uDE00x\"}", "\xf0\x9f\x98\x80x", 0 },
	{ "{\"a\":\"x\\ud800\"}", "x" R R R, 1 },
	{ "{\"a\":\"\\udc00\"}", R R R, 1 },
	{ "{\"a\":\"\\ud800\\ud800\\udc00\"}", R R R "\xf0\x90\x80\x80", 1 },
	{ "{\"a\":\"\\uDBFF\\u0041\"}", R R R "A", 1 },
	{ "{\"a\":\"\\ud800b\\ud800\"}", R R R "b" R R R, 1 },
	{ "{\"a\":\"\\\\ud800\\\\ud800\"}", "\\ud800\\ud800", 0 },
	{ "{\"a\":\"\\u00e9\\ud7ff\"}", "\xc3\xa9\xed\x9f\xbf", 0 },
};

static void
test_surrogates(void)
{
	struct json_stats	 st;
	struct json		*j;
	struct record		*r;
	char			*cause;
	const char		*in, *v;
	size_t			 i, k, len;
	int			 bytewise;

	for (i = 0; i < nitems(surrogate_cases); i++) {
		in = surrogate_cases[i].json;
		len = strlen(in);
		for (bytewise = 0; bytewise < 2; bytewise++) {
			cause = NULL;
			if (!bytewise)
				r = record_from_json(in, len, "s", &cause);
			else {
				memset(&st, 0, sizeof st);
				j = json_create(NULL, NULL, NULL, &st);
				for (k = 0; k < len; k++)
					(void)json_feed(j, in + k, 1);
				(void)json_end(j, 1);
				r = json_take(j, &cause);
				json_free(j);
			}
			if (r == NULL) {
				fail("surrogate case %zu/%d: %s", i, bytewise,
				    str(cause));
				free(cause);
				continue;
			}
			v = record_string(r, "a");
			if (v == NULL || strcmp(v, surrogate_cases[i].want) != 0)
				fail("surrogate case %zu/%d: wrong value", i,
				    bytewise);
			if (record_repaired(r) != surrogate_cases[i].repaired)
				fail("surrogate case %zu/%d: repaired %d", i,
				    bytewise, record_repaired(r));
			record_free(r);
		}
	}
}

int
main(void)
{
	test_from_json();
	test_paths();
	test_json();
	test_utf8();
	test_surrogates();
	test_streams();
	test_clones();
	test_clone_part();
	test_guard_blocks();
	return failed;
}
