/* SPDX-License-Identifier: ISC */
/*
 * The Amazon SNS sink (--sns-topic ARN): the Query API over POST, Publish
 * for one message and PublishBatch for up to ten, signed with SigV4 for
 * the service "sns" in the region of the topic's ARN.  The endpoint is
 * AWS_ENDPOINT_URL_SNS, AWS_ENDPOINT_URL, or the region's.
 *
 * Each alert becomes one message with MessageStructure json: "default"
 * is the text for people (e-mail, SMS, HTTP), "sqs" and "lambda" the
 * JSON object for programs.  Its subject is the alert's, and its
 * attributes (String) kind, level, ruleId and account let subscribers
 * filter.  A FIFO topic (".fifo") also gets a MessageGroupId (the rule
 * id) and a MessageDeduplicationId (a SHA-256 of the rule and event ids).
 *
 * SNS's limits hold exactly: 256 KiB per message, attributes and subject
 * included, and per PublishBatch request in total.  The HTTP client
 * retries throttling and 5xx; entries that PublishBatch lists as Failed
 * through no fault of the sender are sent again, up to
 * SINK_SNS_ROUNDS times in all, and the others are reported.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <expat.h>

#include "alert.h"
#include "aws_cred.h"
#include "aws_error.h"
#include "buf.h"
#include "http.h"
#include "log.h"
#include "rule.h"
#include "sigv4.h"
#include "sink.h"
#include "xmalloc.h"
#include "xmldoc.h"

#define SINK_SNS_BATCH		10		/* entries in PublishBatch */
#define SINK_SNS_SIZE_MAX	(256 * 1024)	/* a message; a batch */
#define SINK_SNS_BODY_MAX	(4 * 1024 * 1024)	/* a request, encoded */
#define SINK_SNS_ROUNDS		3	/* tries of a failed batch entry */
#define SINK_SNS_VERSION	"2010-03-31"
#define SINK_SNS_NAME_MAX	256	/* a topic name */
#define SINK_SNS_CTYPE	"application/x-www-form-urlencoded; charset=utf-8"

struct sink_sns {
	char			*arn;
	char			*region;
	char			*endpoint;	/* URL, ending in "/" */
	int			 fifo;
	int			 dry_run;
	FILE			*dry_out;
	struct aws_cred_chain	*chain;
	struct http_client	*http;
	int64_t			 deadline_at;	/* monotonic ms, or 0 */
	char			*deadline_why;
};

/* One message of a send. */
struct sink_sns_msg {
	const struct alert	*a;
	char			*message;	/* the MessageStructure json */
	size_t			 size;		/* as SNS counts it */
	char			 id[24];	/* its PublishBatch entry id */
	int			 state;		/* 0 to send, 1 sent, -1 lost */
	int			 retry;		/* failed, may be sent again */
	char			*cause;		/* why it failed last */
};

/* What PublishBatch answered about its entries. */
struct sink_sns_xml {
	struct sink_sns_msg	**v;		/* the batch */
	size_t			 n;
	int			 section;	/* 1 Successful, 2 Failed */
	int			 field;		/* Id, Code, Message, Fault */
	struct buf		 id, code, message, fault;
	int			 depth;
	int			 answered;	/* a PublishBatchResult seen */
};

static void	*sink_sns_open(const char *, const struct sink_opts *,
		    char **);
static size_t	 sink_sns_send(void *, struct alert *const *, size_t,
		    char **);
static void	 sink_sns_deadline(void *, int64_t, const char *);
static void	 sink_sns_close(void *);
static int	 sink_sns_arn(const char *, char **, int *);
static void	 sink_sns_param(struct buf *, const char *, const char *,
		    const char *);
static void	 sink_sns_entry(struct sink_sns *, struct buf *,
		    const char *, const struct sink_sns_msg *);
static void	 sink_sns_prepare(struct sink_sns_msg *,
		    const struct alert *, size_t);
static int	 sink_sns_post(struct sink_sns *, const struct buf *,
		    struct http_response *, char **);
static void	 sink_sns_publish(struct sink_sns *, struct sink_sns_msg *);
static int	 sink_sns_batch(struct sink_sns *, struct sink_sns_msg **,
		    size_t, char **);
static void	 sink_sns_fail(struct sink_sns_msg *, const char *, int);
static int	 sink_sns_sleep(const struct sink_sns *, unsigned);
static void	 sink_sns_xml_start(void *, const XML_Char *,
		    const XML_Char **);
static void	 sink_sns_xml_end(void *, const XML_Char *);
static void	 sink_sns_xml_text(void *, const XML_Char *, int);

const struct sink_ops sink_sns_ops = {
	.name = "sns",
	.open = sink_sns_open,
	.send = sink_sns_send,
	.deadline = sink_sns_deadline,
	.close = sink_sns_close,
};

/*
 * Check arn:PARTITION:sns:REGION:ACCOUNT:NAME; *region is allocated and
 * *fifo set.  0, or -1 if it is not a topic's ARN.
 */
static int
sink_sns_arn(const char *arn, char **region, int *fifo)
{
	const char	*f[6], *p;
	size_t		 len[6], i, n;

	p = arn;
	for (i = 0; i < 6; i++) {
		f[i] = p;
		n = i < 5 ? strcspn(p, ":") : strlen(p);
		len[i] = n;
		if (i < 5 && p[n] != ':')
			return -1;
		p += n + 1;
	}
	if (len[0] != 3 || memcmp(f[0], "arn", 3) != 0 || len[1] == 0 ||
	    len[2] != 3 || memcmp(f[2], "sns", 3) != 0 ||
	    len[3] == 0 || len[3] > SIGV4_SCOPE_MAX || len[4] != 12 ||
	    len[5] == 0 || len[5] > SINK_SNS_NAME_MAX)
		return -1;
	for (i = 0; i < len[3]; i++)
		if (!islower((unsigned char)f[3][i]) &&
		    !isdigit((unsigned char)f[3][i]) && f[3][i] != '-')
			return -1;
	for (i = 0; i < 12; i++)
		if (!isdigit((unsigned char)f[4][i]))
			return -1;
	*fifo = len[5] > 5 && strcmp(f[5] + len[5] - 5, ".fifo") == 0;
	n = *fifo ? len[5] - 5 : len[5];
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)f[5][i]) && f[5][i] != '-' &&
		    f[5][i] != '_')
			return -1;
	*region = xstrndup(f[3], len[3]);
	return 0;
}

/* Open a topic: its region and endpoint, credentials unless a dry run. */
static void *
sink_sns_open(const char *arg, const struct sink_opts *opts, char **cause)
{
	struct sink_sns		*s;
	struct aws_cred_opts	 copts;
	char			*ep, *why = NULL;
	int			 custom = 0;

	if (arg == NULL || *arg == '\0') {
		*cause = xstrdup("no topic ARN (--sns-topic ARN)");
		return NULL;
	}
	s = xcalloc(1, sizeof *s);
	s->arn = xstrdup(arg);
	if (sink_sns_arn(arg, &s->region, &s->fifo) == -1) {
		*cause = xprintf("%s: not a topic ARN "
		    "(arn:aws:sns:REGION:ACCOUNT:NAME)", arg);
		sink_sns_close(s);
		return NULL;
	}
	ep = aws_endpoint_resolve("sns", s->region, &custom);
	if (!custom && strncmp(arg, "arn:aws-cn:", 11) == 0)
		s->endpoint = xprintf("%s.cn/", ep);
	else
		s->endpoint = xprintf("%s/", ep);
	free(ep);
	s->dry_run = opts->dry_run;
	s->dry_out = opts->dry_out;
	if (s->dry_run)
		return s;

	memset(&copts, 0, sizeof copts);
	copts.profile = opts->profile;
	copts.region = s->region;
	if ((s->chain = aws_cred_chain_create(&copts, &why)) == NULL ||
	    (s->http = http_client_create(NULL, &why)) == NULL) {
		*cause = xprintf("%s: %s", arg, why);
		free(why);
		sink_sns_close(s);
		return NULL;
	}
	return s;
}

static void
sink_sns_close(void *priv)
{
	struct sink_sns	*s = priv;

	if (s == NULL)
		return;
	aws_cred_chain_free(s->chain);
	http_client_free(s->http);
	free(s->arn);
	free(s->region);
	free(s->endpoint);
	free(s->deadline_why);
	free(s);
}

/* No request, credential fetch or wait past at_ms; see sink.h. */
static void
sink_sns_deadline(void *priv, int64_t at_ms, const char *why)
{
	struct sink_sns	*s = priv;

	free(s->deadline_why);
	s->deadline_at = at_ms;
	s->deadline_why = xstrdup(why);
	if (s->http != NULL)
		http_client_deadline(s->http, at_ms, why);
	if (s->chain != NULL)
		aws_cred_chain_deadline(s->chain, at_ms, why);
}

/* Append "&prefixname=value" to a form, the value percent-encoded. */
static void
sink_sns_param(struct buf *b, const char *prefix, const char *name,
    const char *value)
{
	char	*e;
	int	 rv;

	e = sigv4_uri_encode(value, strlen(value), 0);
	rv = buf_printf(b, "%s%s%s=%s", b->len > 0 ? "&" : "", prefix, name,
	    e);
	free(e);
	if (rv == -1)
		fatalx("sns request over %zu bytes", b->max);
}

/*
 * The names and values of a message's attributes, in the order they are
 * sent; returns how many.
 */
static size_t
sink_sns_attrs(const struct alert *a, const char *name[4],
    const char *value[4])
{
	size_t	 n = 0;

	name[n] = "kind";
	value[n++] = a->rule_id != NULL ? "finding" : "digest";
	name[n] = "level";
	value[n++] = rule_level_name(a->level);
	if (a->rule_id != NULL && *a->rule_id != '\0') {
		name[n] = "ruleId";
		value[n++] = a->rule_id;
	}
	if (a->account != NULL && *a->account != '\0') {
		name[n] = "account";
		value[n++] = a->account;
	}
	return n;
}

/* The parameters of one message, each name after prefix. */
static void
sink_sns_entry(struct sink_sns *s, struct buf *b, const char *prefix,
    const struct sink_sns_msg *m)
{
	const char	*name[4], *value[4];
	char		 key[64];
	size_t		 i, n;

	sink_sns_param(b, prefix, "Message", m->message);
	sink_sns_param(b, prefix, "MessageStructure", "json");
	sink_sns_param(b, prefix, "Subject", m->a->subject);
	n = sink_sns_attrs(m->a, name, value);
	for (i = 0; i < n; i++) {
		snprintf(key, sizeof key, "MessageAttributes.entry.%zu.Name",
		    i + 1);
		sink_sns_param(b, prefix, key, name[i]);
		snprintf(key, sizeof key, "MessageAttributes.entry.%zu."
		    "Value.DataType", i + 1);
		sink_sns_param(b, prefix, key, "String");
		snprintf(key, sizeof key, "MessageAttributes.entry.%zu."
		    "Value.StringValue", i + 1);
		sink_sns_param(b, prefix, key, value[i]);
	}
	if (s->fifo) {
		sink_sns_param(b, prefix, "MessageGroupId", m->a->group);
		sink_sns_param(b, prefix, "MessageDeduplicationId",
		    m->a->dedup);
	}
}

/*
 * The message of an alert and its size as SNS counts it: the message,
 * the subject, and each attribute's name, type and value.
 */
static void
sink_sns_prepare(struct sink_sns_msg *m, const struct alert *a, size_t i)
{
	const char	*name[4], *value[4];
	char		*text, *json;
	size_t		 j, n;

	memset(m, 0, sizeof *m);
	m->a = a;
	snprintf(m->id, sizeof m->id, "m%zu", i + 1);
	text = alert_json_string(a->text, strlen(a->text));
	json = alert_json_string(a->json, strlen(a->json));
	m->message = xprintf("{\"default\":%s,\"sqs\":%s,\"lambda\":%s}",
	    text, json, json);
	free(text);
	free(json);
	m->size = strlen(m->message) + strlen(a->subject);
	n = sink_sns_attrs(a, name, value);
	for (j = 0; j < n; j++)
		m->size += strlen(name[j]) + strlen("String") +
		    strlen(value[j]);
	if (m->size > SINK_SNS_SIZE_MAX)
		sink_sns_fail(m, "message over SNS's 262144 bytes", 0);
}

/* Mark a message failed, for good unless retry. */
static void
sink_sns_fail(struct sink_sns_msg *m, const char *cause, int retry)
{
	free(m->cause);
	m->cause = xstrdup(cause);
	m->retry = retry;
	if (!retry)
		m->state = -1;
}

/*
 * Wait before a round of retries (the HTTP client's own are per try): 0,
 * or -1 when the wait would end past the deadline (none is begun).
 */
static int
sink_sns_sleep(const struct sink_sns *s, unsigned ms)
{
	struct timespec	ts;

	if (s->deadline_at != 0) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		if ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + ms >=
		    s->deadline_at)
			return -1;
	}
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		continue;
	return 0;
}

/*
 * POST a form: shown on a dry run, else signed and sent.  0 and rs (any
 * status), 1 on a dry run, -1 and *cause if no answer came.
 */
static int
sink_sns_post(struct sink_sns *s, const struct buf *form,
    struct http_response *rs, char **cause)
{
	struct http_header	 h[] = { { "Content-Type", SINK_SNS_CTYPE } };
	struct http_request	 rq;
	struct aws_cred		 cred;
	struct sigv4_credentials sc;
	char			*why = NULL;
	int			 rv;

	if (s->dry_run) {
		fprintf(s->dry_out, "ctaudit: dry run: sns: POST %s\n"
		    "Content-Type: %s\nContent-Length: %zu\n\n%s\n\n",
		    s->endpoint, SINK_SNS_CTYPE, form->len, form->data);
		fflush(s->dry_out);
		return 1;
	}
	memset(&cred, 0, sizeof cred);
	if (aws_cred_get(s->chain, &cred, &why) == -1) {
		*cause = xprintf("credentials: %s", why);
		free(why);
		return -1;
	}
	memset(&rq, 0, sizeof rq);
	rq.method = "POST";
	rq.url = s->endpoint;
	rq.headers = h;
	rq.nheaders = nitems(h);
	rq.body = form->data;
	rq.bodylen = form->len;
	aws_cred_sigv4(&cred, &sc);
	rq.cred = &sc;
	rq.region = s->region;
	rq.service = "sns";
	rq.sigv4_flags = SIGV4_SERVICE;
	rv = http_do(s->http, &rq, rs, &why);
	aws_cred_clear(&cred);
	if (rv == -1) {
		*cause = why;
		return -1;
	}
	return 0;
}

/* Publish one message. */
static void
sink_sns_publish(struct sink_sns *s, struct sink_sns_msg *m)
{
	struct http_response	 rs;
	struct buf		 form;
	char			*why = NULL;
	int			 rv;

	buf_init(&form, SINK_SNS_BODY_MAX);
	sink_sns_param(&form, "", "Action", "Publish");
	sink_sns_param(&form, "", "Version", SINK_SNS_VERSION);
	sink_sns_param(&form, "", "TopicArn", s->arn);
	sink_sns_entry(s, &form, "", m);
	http_response_init(&rs);
	rv = sink_sns_post(s, &form, &rs, &why);
	if (rv == 1 || (rv == 0 && rs.status == 200))
		m->state = 1;
	else {
		if (rv == 0)
			why = aws_error_describe(rs.body.data, rs.body.len,
			    rs.status);
		sink_sns_fail(m, why, 0);
		free(why);
	}
	http_response_clear(&rs);
	buf_clear(&form);
}

static void
sink_sns_xml_start(void *arg, const XML_Char *name, const XML_Char **attr)
{
	struct sink_sns_xml	*x = arg;

	(void)attr;
	x->depth++;
	x->field = 0;
	if (strcmp(name, "PublishBatchResult") == 0)
		x->answered = 1;
	else if (strcmp(name, "Successful") == 0)
		x->section = 1;
	else if (strcmp(name, "Failed") == 0)
		x->section = 2;
	else if (strcmp(name, "member") == 0) {
		buf_reset(&x->id);
		buf_reset(&x->code);
		buf_reset(&x->message);
		buf_reset(&x->fault);
	} else if (x->section != 0 && strcmp(name, "Id") == 0)
		x->field = 1;
	else if (x->section != 0 && strcmp(name, "Code") == 0)
		x->field = 2;
	else if (x->section != 0 && strcmp(name, "Message") == 0)
		x->field = 3;
	else if (x->section != 0 && strcmp(name, "SenderFault") == 0)
		x->field = 4;
}

static void
sink_sns_xml_end(void *arg, const XML_Char *name)
{
	struct sink_sns_xml	*x = arg;
	struct sink_sns_msg	*m = NULL;
	char			*why;
	size_t			 i;

	x->depth--;
	x->field = 0;
	if (strcmp(name, "Successful") == 0 || strcmp(name, "Failed") == 0) {
		x->section = 0;
		return;
	}
	if (x->section == 0 || strcmp(name, "member") != 0)
		return;
	for (i = 0; i < x->n; i++)
		if (x->id.data != NULL && strcmp(x->v[i]->id, x->id.data) == 0)
			m = x->v[i];
	if (m == NULL || m->state != 0)
		return;
	if (x->section == 1) {
		m->state = 1;
		return;
	}
	why = xprintf("%s%s%s", x->code.data != NULL ? x->code.data :
	    "failed", x->message.data != NULL ? ": " : "",
	    x->message.data != NULL ? x->message.data : "");
	/* The sender's fault will not go away by sending again. */
	sink_sns_fail(m, why, x->fault.data == NULL ||
	    strcmp(x->fault.data, "true") != 0);
	free(why);
}

static void
sink_sns_xml_text(void *arg, const XML_Char *s, int len)
{
	struct sink_sns_xml	*x = arg;
	struct buf		*b;
	size_t			 i;

	switch (x->field) {
	case 1:
		b = &x->id;
		break;
	case 2:
		b = &x->code;
		break;
	case 3:
		b = &x->message;
		break;
	case 4:
		b = &x->fault;
		break;
	default:
		return;
	}
	/* Keep what fits, printable: it may end up in a message. */
	for (i = 0; i < (size_t)len; i++)
		if (buf_addc(b, (unsigned char)s[i] < 0x20 ? ' ' : s[i]) == -1)
			break;
}

static const struct xmldoc_ops sink_sns_xml_ops = {
	.start = sink_sns_xml_start,
	.end = sink_sns_xml_end,
	.text = sink_sns_xml_text,
};

/*
 * One PublishBatch request of the messages in v.  Marks each sent,
 * failed, or failed to be retried.  0, or -1 and *cause when the whole
 * request failed (the messages are then marked failed).
 */
static int
sink_sns_batch(struct sink_sns *s, struct sink_sns_msg **v, size_t n,
    char **cause)
{
	struct sink_sns_xml	 x;
	struct http_response	 rs;
	struct buf		 form;
	char			 prefix[64], *why = NULL;
	size_t			 i;
	int			 rv;

	buf_init(&form, SINK_SNS_BODY_MAX);
	sink_sns_param(&form, "", "Action", "PublishBatch");
	sink_sns_param(&form, "", "Version", SINK_SNS_VERSION);
	sink_sns_param(&form, "", "TopicArn", s->arn);
	for (i = 0; i < n; i++) {
		snprintf(prefix, sizeof prefix,
		    "PublishBatchRequestEntries.member.%zu.", i + 1);
		sink_sns_param(&form, prefix, "Id", v[i]->id);
		sink_sns_entry(s, &form, prefix, v[i]);
	}
	http_response_init(&rs);
	rv = sink_sns_post(s, &form, &rs, &why);
	buf_clear(&form);
	if (rv == 1) {
		for (i = 0; i < n; i++)
			v[i]->state = 1;
		http_response_clear(&rs);
		return 0;
	}
	if (rv == 0 && rs.status != 200)
		why = aws_error_describe(rs.body.data, rs.body.len,
		    rs.status);
	if (why == NULL) {
		memset(&x, 0, sizeof x);
		x.v = v;
		x.n = n;
		buf_init(&x.id, 64);
		buf_init(&x.code, 256);
		buf_init(&x.message, 1024);
		buf_init(&x.fault, 16);
		if (xmldoc_run(&sink_sns_xml_ops, &x, NULL, rs.body.data,
		    rs.body.len) == -1 || !x.answered)
			why = xstrdup("PublishBatch: an answer that is not "
			    "a PublishBatchResponse");
		buf_clear(&x.id);
		buf_clear(&x.code);
		buf_clear(&x.message);
		buf_clear(&x.fault);
	}
	http_response_clear(&rs);
	if (why != NULL) {
		for (i = 0; i < n; i++)
			if (v[i]->state == 0)
				sink_sns_fail(v[i], why, 0);
		*cause = why;
		return -1;
	}
	for (i = 0; i < n; i++)
		if (v[i]->state == 0 && !v[i]->retry)
			sink_sns_fail(v[i], "PublishBatch: no result for "
			    "the entry", 0);
	return 0;
}

/* Send the alerts: Publish for one, PublishBatch for more; see sink.h. */
static size_t
sink_sns_send(void *priv, struct alert *const *alerts, size_t n,
    char **cause)
{
	struct sink_sns		 *s = priv;
	struct sink_sns_msg	 *msgs, *batch[SINK_SNS_BATCH];
	size_t			  i, k, size, sent = 0, failed = 0;
	char			 *why = NULL;
	int			  round, stop = 0, pending;

	msgs = xcalloc(n, sizeof *msgs);
	for (i = 0; i < n; i++)
		sink_sns_prepare(&msgs[i], alerts[i], i);
	if (n == 1 && msgs[0].state == 0)
		sink_sns_publish(s, &msgs[0]);
	for (round = 0; n > 1 && round < SINK_SNS_ROUNDS && !stop; round++) {
		if (round > 0 && sink_sns_sleep(s,
		    http_backoff_ms(s->http, round, 0)) == -1) {
			for (i = 0; i < n; i++)
				if (msgs[i].state == 0)
					sink_sns_fail(&msgs[i],
					    s->deadline_why, 0);
			break;
		}
		pending = 0;
		for (i = 0; i < n && !stop;) {
			/* Up to ten waiting messages, 256 KiB in all. */
			for (k = 0, size = 0; i < n && k < SINK_SNS_BATCH;
			    i++) {
				if (msgs[i].state != 0)
					continue;
				if (size + msgs[i].size > SINK_SNS_SIZE_MAX)
					break;
				msgs[i].retry = 0;
				size += msgs[i].size;
				batch[k++] = &msgs[i];
			}
			if (k == 0)
				continue;
			if (sink_sns_batch(s, batch, k, &why) == -1) {
				/* The next request would fare no better. */
				for (k = 0; k < n; k++)
					if (msgs[k].state == 0)
						sink_sns_fail(&msgs[k], why, 0);
				stop = 1;
				free(why);
				why = NULL;
				k = 0;
			}
			while (k > 0)
				pending |= batch[--k]->state == 0;
		}
		if (!pending)
			break;
	}
	for (i = 0; i < n; i++) {
		if (msgs[i].state == 1)
			sent++;
		else {
			if (failed++ == 0)
				why = xstrdup(msgs[i].cause != NULL ?
				    msgs[i].cause : "not sent");
		}
	}
	if (failed > 0) {
		*cause = xprintf("%s: %s", s->arn, why);
		free(why);
	}
	for (i = 0; i < n; i++) {
		free(msgs[i].message);
		free(msgs[i].cause);
	}
	free(msgs);
	return sent;
}
