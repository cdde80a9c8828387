/* SPDX-License-Identifier: ISC */
/*
 * The chat sinks: Slack and Discord incoming webhooks and the Telegram
 * Bot API's sendMessage, one JSON POST per alert.  The three share this
 * file and differ only in where the secret comes from and in the shape
 * and limits of their payloads:
 *
 *   slack     {"text", "blocks": [header, section]}: a section's text is
 *             at most 3000 characters, the header's 150
 *   discord   {"content", "embeds": [{"title", "description"}]}: content
 *             2000, an embed's title 256 and description 4096, and no
 *             mention is ever resolved ("allowed_mentions")
 *   telegram  {"chat_id", "text"}: 4096 characters, as plain text
 *
 * Characters are counted in UTF-16 code units, which is what the three
 * count (or more than they count).  A body over the limit is cut, and
 * says so; the finding itself is whole in the output.  Text from records
 * is put in code blocks with its backticks replaced (U+02CB), and Slack's
 * &, < and > escaped, so a forged userAgent cannot format the message or
 * ping anyone.
 *
 * The webhook URLs and the bot token are secrets.  They come from the
 * environment or from a file ("slack:file=PATH"), are never printed (a
 * message names the sink, never the URL), go only over https (or http to
 * a loopback address, for tests), and are wiped on close.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <yajl/yajl_tree.h>

#include "alert.h"
#include "aws_error.h"
#include "buf.h"
#include "http.h"
#include "log.h"
#include "rule.h"
#include "scrub.h"
#include "sink.h"
#include "xmalloc.h"

#define SINK_WEBHOOK_SECRET_MAX	4096	/* bytes of a URL or token file */
#define SINK_WEBHOOK_ERROR_MAX	200	/* bytes of a server's complaint */
#define SINK_WEBHOOK_WAIT_MAX	20	/* seconds a 429 may ask for */
#define SINK_WEBHOOK_WAITS	2	/* 429s waited out past the client's */
#define SINK_WEBHOOK_TELEGRAM	"https://api.telegram.org"

#define SINK_SLACK_HEADER_MAX	150
#define SINK_SLACK_SECTION_MAX	3000
#define SINK_DISCORD_CONTENT_MAX	2000
#define SINK_DISCORD_TITLE_MAX	256
#define SINK_DISCORD_DESC_MAX	4096
#define SINK_TELEGRAM_TEXT_MAX	4096

#define SINK_WEBHOOK_CUT	"\n\xe2\x80\xa6 [cut: the whole finding is " \
				"in ctaudit's output]"

struct sink_webhook;

struct sink_webhook_kind {
	const char	*name;
	const char	*env;		/* the secret's variable */
	int		 token;		/* the secret is a bot token */
	char		*(*payload)(const struct sink_webhook *,
			    const struct alert *);
};

struct sink_webhook {
	const struct sink_webhook_kind *kind;
	char		*url;		/* a secret: wiped on close */
	/* What of it is secret (the path, the token), and percent-encoded. */
	char		*secret[2];
	char		*chat_id;	/* Telegram */
	int		 dry_run;
	FILE		*dry_out;
	struct http_client *http;
	int64_t		 deadline_at;	/* monotonic ms, or 0 */
	char		*deadline_why;
};

static void	*sink_webhook_open(const struct sink_webhook_kind *,
		    const char *, const struct sink_opts *, char **);
static void	*sink_slack_open(const char *, const struct sink_opts *,
		    char **);
static void	*sink_discord_open(const char *, const struct sink_opts *,
		    char **);
static void	*sink_telegram_open(const char *, const struct sink_opts *,
		    char **);
static size_t	 sink_webhook_send(void *, struct alert *const *, size_t,
		    char **);
static void	 sink_webhook_deadline(void *, int64_t, const char *);
static void	 sink_webhook_close(void *);
static char	*sink_webhook_read(const char *, char **);
static char	*sink_webhook_encode(const char *);
static int	 sink_webhook_url_ok(const char *);
static char	*sink_webhook_escape(const char *, int);
static char	*sink_webhook_block(const char *, int, size_t);
static char	*sink_webhook_cut(const char *, size_t);
static char	*sink_slack_payload(const struct sink_webhook *,
		    const struct alert *);
static char	*sink_discord_payload(const struct sink_webhook *,
		    const struct alert *);
static char	*sink_telegram_payload(const struct sink_webhook *,
		    const struct alert *);
static char	*sink_webhook_describe(const struct sink_webhook *,
		    const struct http_response *, long *);
static void	 sink_webhook_sleep(unsigned);

static const struct sink_webhook_kind sink_slack_kind = {
	"slack", "CTAUDIT_SLACK_WEBHOOK_URL", 0, sink_slack_payload
};
static const struct sink_webhook_kind sink_discord_kind = {
	"discord", "CTAUDIT_DISCORD_WEBHOOK_URL", 0, sink_discord_payload
};
static const struct sink_webhook_kind sink_telegram_kind = {
	"telegram", "CTAUDIT_TELEGRAM_BOT_TOKEN", 1, sink_telegram_payload
};

const struct sink_ops sink_slack_ops = {
	.name = "slack",
	.open = sink_slack_open,
	.send = sink_webhook_send,
	.deadline = sink_webhook_deadline,
	.close = sink_webhook_close,
};

const struct sink_ops sink_discord_ops = {
	.name = "discord",
	.open = sink_discord_open,
	.send = sink_webhook_send,
	.deadline = sink_webhook_deadline,
	.close = sink_webhook_close,
};

const struct sink_ops sink_telegram_ops = {
	.name = "telegram",
	.open = sink_telegram_open,
	.send = sink_webhook_send,
	.deadline = sink_webhook_deadline,
	.close = sink_webhook_close,
};

static void *
sink_slack_open(const char *arg, const struct sink_opts *opts, char **cause)
{
	return sink_webhook_open(&sink_slack_kind, arg, opts, cause);
}

static void *
sink_discord_open(const char *arg, const struct sink_opts *opts,
    char **cause)
{
	return sink_webhook_open(&sink_discord_kind, arg, opts, cause);
}

static void *
sink_telegram_open(const char *arg, const struct sink_opts *opts,
    char **cause)
{
	return sink_webhook_open(&sink_telegram_kind, arg, opts, cause);
}

/*
 * A secret as a server that percent-encodes what it echoes would show it:
 * every byte but the unreserved ones as %XX.
 */
static char *
sink_webhook_encode(const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	char			*out, *o;

	o = out = xmalloc(3 * strlen(s) + 1);
	for (; *s != '\0'; s++) {
		if (isalnum((unsigned char)*s) || strchr("-._~", *s) != NULL)
			*o++ = *s;
		else {
			*o++ = '%';
			*o++ = hex[(unsigned char)*s >> 4];
			*o++ = hex[(unsigned char)*s & 15];
		}
	}
	*o = '\0';
	return out;
}

/* The first line of a secret file, without its blanks. */
static char *
sink_webhook_read(const char *path, char **cause)
{
	char	 buf[SINK_WEBHOOK_SECRET_MAX + 1], *s, *out = NULL;
	size_t	 len = 0;
	ssize_t	 n;
	int	 fd;

	if ((fd = open(path, O_RDONLY)) == -1) {
		*cause = xprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	while (len < sizeof buf - 1 &&
	    (n = read(fd, buf + len, sizeof buf - 1 - len)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			*cause = xprintf("%s: %s", path, strerror(errno));
			goto out;
		}
		len += (size_t)n;
	}
	buf[len] = '\0';
	s = buf + strspn(buf, " \t\r\n");
	s[strcspn(s, "\r\n")] = '\0';
	len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		s[--len] = '\0';
	if (len == 0)
		*cause = xprintf("%s: empty", path);
	else if (len >= SINK_WEBHOOK_SECRET_MAX)
		*cause = xprintf("%s: longer than %d bytes", path,
		    SINK_WEBHOOK_SECRET_MAX - 1);
	else
		out = xstrdup(s);
out:
	explicit_bzero(buf, sizeof buf);
	close(fd);
	return out;
}

/* https://, or http:// to a loopback address. */
static int
sink_webhook_url_ok(const char *url)
{
	return http_url_secure(url, NULL);
}

/*
 * Options: "chat=ID" (Telegram) and "file=PATH", which takes the rest of
 * the spec; separated by commas.
 */
static void *
sink_webhook_open(const struct sink_webhook_kind *kind, const char *arg,
    const struct sink_opts *opts, char **cause)
{
	struct sink_webhook	*w;
	const char		*p = arg, *v, *base, *q;
	char			*path = NULL, *secret = NULL, *why = NULL;
	size_t			 n;

	w = xcalloc(1, sizeof *w);
	w->kind = kind;
	w->dry_run = opts->dry_run;
	w->dry_out = opts->dry_out;
	while (p != NULL && *p != '\0') {
		if (strncmp(p, "file=", 5) == 0 && p[5] != '\0') {
			path = xstrdup(p + 5);
			break;
		}
		n = strcspn(p, ",");
		if (kind->token && strncmp(p, "chat=", 5) == 0 && n > 5) {
			free(w->chat_id);
			w->chat_id = xstrndup(p + 5, n - 5);
		} else {
			/*
			 * Never echo it: a webhook URL or a bot token given
			 * here would otherwise go to stderr and into logs.
			 */
			v = memchr(p, '=', n);
			if (v != NULL && v > p && v - p <= 16 &&
			    strspn(p, "abcdefghijklmnopqrstuvwxyz_") ==
			    (size_t)(v - p))
				*cause = xprintf("unknown option \"%.*s=\" "
				    "(want %sfile=PATH)", (int)(v - p), p,
				    kind->token ? "chat=ID or " : "");
			else
				*cause = xprintf("an option that is not %s"
				    "file=PATH (not shown: a URL or token "
				    "belongs in the file)",
				    kind->token ? "chat=ID or " : "");
			goto fail;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	if (kind->token && w->chat_id == NULL &&
	    (v = getenv("CTAUDIT_TELEGRAM_CHAT_ID")) != NULL && *v != '\0')
		w->chat_id = xstrdup(v);
	if (kind->token && w->chat_id == NULL) {
		*cause = xstrdup("no chat id (CTAUDIT_TELEGRAM_CHAT_ID or "
		    "telegram:chat=ID)");
		goto fail;
	}
	if (kind->token && strspn(w->chat_id, "-0123456789") !=
	    strlen(w->chat_id) && w->chat_id[0] != '@') {
		*cause = xstrdup("the chat id is not a number or @channel");
		goto fail;
	}
	if (w->dry_run) {
		free(path);
		return w;
	}

	if (path != NULL) {
		if ((secret = sink_webhook_read(path, &why)) == NULL) {
			*cause = why;
			goto fail;
		}
	} else if ((v = getenv(kind->env)) != NULL && *v != '\0')
		secret = xstrdup(v);
	else {
		*cause = xprintf("%s is not set (or use %s:file=PATH)",
		    kind->env, kind->name);
		goto fail;
	}
	if (kind->token) {
		/* It goes into a URL's path: only a token's characters. */
		if (strspn(secret, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
		    "opqrstuvwxyz0123456789:_-") != strlen(secret)) {
			*cause = xstrdup("the bot token has characters a "
			    "token cannot have");
			goto fail;
		}
		if ((base = getenv("CTAUDIT_TELEGRAM_API_URL")) == NULL ||
		    *base == '\0')
			base = SINK_WEBHOOK_TELEGRAM;
		n = strlen(base);
		while (n > 0 && base[n - 1] == '/')
			n--;
		w->url = xprintf("%.*s/bot%s/sendMessage", (int)n, base,
		    secret);
		w->secret[0] = secret;
		secret = NULL;
		if (!sink_webhook_url_ok(w->url)) {
			*cause = xstrdup("CTAUDIT_TELEGRAM_API_URL is not an "
			    "https URL");
			goto fail;
		}
	} else {
		w->url = secret;
		secret = NULL;
		if (!sink_webhook_url_ok(w->url)) {
			*cause = xstrdup("the webhook URL is not an https "
			    "URL");
			goto fail;
		}
		/* The path is the secret: what follows "scheme://host". */
		if ((q = strstr(w->url, "://")) != NULL &&
		    (q = strchr(q + 3, '/')) != NULL)
			w->secret[0] = xstrdup(q);
		else
			w->secret[0] = xstrdup(w->url);
	}
	w->secret[1] = sink_webhook_encode(w->secret[0]);
	if ((w->http = http_client_create(NULL, &why)) == NULL) {
		*cause = why;
		goto fail;
	}
	free(path);
	return w;
fail:
	freezero_str(secret);
	free(path);
	sink_webhook_close(w);
	return NULL;
}

static void
sink_webhook_close(void *priv)
{
	struct sink_webhook	*w = priv;

	if (w == NULL)
		return;
	freezero_str(w->url);
	freezero_str(w->secret[0]);
	freezero_str(w->secret[1]);
	free(w->chat_id);
	free(w->deadline_why);
	http_client_free(w->http);
	free(w);
}

/* No request or wait past at_ms; see sink.h. */
static void
sink_webhook_deadline(void *priv, int64_t at_ms, const char *why)
{
	struct sink_webhook	*w = priv;

	free(w->deadline_why);
	w->deadline_at = at_ms;
	w->deadline_why = xstrdup(why);
	http_client_deadline(w->http, at_ms, why);
}

/* Backticks replaced (U+02CB); Slack's &, < and > escaped if slack. */
static char *
sink_webhook_escape(const char *text, int slack)
{
	struct buf	 b;
	const char	*p;
	int		 rv = 0;

	buf_init(&b, SIZE_MAX / 2);
	for (p = text; *p != '\0'; p++) {
		if (*p == '`')
			rv |= buf_add(&b, "\xcb\x8b", 2);
		else if (slack && *p == '&')
			rv |= buf_add(&b, "&amp;", 5);
		else if (slack && *p == '<')
			rv |= buf_add(&b, "&lt;", 4);
		else if (slack && *p == '>')
			rv |= buf_add(&b, "&gt;", 4);
		else
			rv |= buf_addc(&b, *p);
	}
	if (rv == -1)
		fatalx("webhook message");
	return b.data != NULL ? buf_take(&b) : xstrdup("");
}

/*
 * Text as a code block of at most max UTF-16 units, escaped, and cut
 * with a note if it is too long.
 */
static char *
sink_webhook_block(const char *text, int slack, size_t max)
{
	char	*esc, *out;
	size_t	 len, room, n, cut;

	esc = sink_webhook_escape(text, slack);
	len = strlen(esc);
	while (len > 0 && esc[len - 1] == '\n')
		esc[--len] = '\0';
	room = max - 8;				/* the fences */
	if (alert_cut_utf16(esc, len, room) < len) {
		room -= strlen(SINK_WEBHOOK_CUT);
		cut = alert_cut_utf16(esc, len, room);
		/* Never leave half an entity ("&am"). */
		for (n = cut; n > 0 && cut - n < 5; n--) {
			if (esc[n - 1] == ';')
				break;
			if (esc[n - 1] == '&') {
				cut = n - 1;
				break;
			}
		}
		esc[cut] = '\0';
		out = xprintf("```\n%s%s\n```", esc, SINK_WEBHOOK_CUT);
	} else
		out = xprintf("```\n%s\n```", esc);
	free(esc);
	return out;
}

/* A JSON string of at most max UTF-16 units of s. */
static char *
sink_webhook_cut(const char *s, size_t max)
{
	return alert_json_string(s, alert_cut_utf16(s, strlen(s), max));
}

static char *
sink_slack_payload(const struct sink_webhook *w, const struct alert *a)
{
	char	*esc, *text, *head, *block, *body, *out;

	(void)w;
	esc = sink_webhook_escape(a->subject, 1);
	text = alert_json_string(esc, strlen(esc));
	head = sink_webhook_cut(a->subject, SINK_SLACK_HEADER_MAX);
	block = sink_webhook_block(a->text, 1, SINK_SLACK_SECTION_MAX);
	body = alert_json_string(block, strlen(block));
	out = xprintf("{\"text\":%s,\"blocks\":[{\"type\":\"header\","
	    "\"text\":{\"type\":\"plain_text\",\"text\":%s}},"
	    "{\"type\":\"section\",\"text\":{\"type\":\"mrkdwn\","
	    "\"text\":%s}}]}", text, head, body);
	free(esc);
	free(text);
	free(head);
	free(block);
	free(body);
	return out;
}

static char *
sink_discord_payload(const struct sink_webhook *w, const struct alert *a)
{
	static const unsigned int colors[] = {
		[RULE_INFORMATIONAL] = 0x808080,
		[RULE_LOW] = 0x1e90ff,
		[RULE_MEDIUM] = 0xf2a20c,
		[RULE_HIGH] = 0xe01e1e,
		[RULE_CRITICAL] = 0x8b0000,
	};
	char	*content, *title, *block, *desc, *out;

	(void)w;
	content = sink_webhook_cut(a->subject, SINK_DISCORD_CONTENT_MAX);
	title = sink_webhook_cut(a->title, SINK_DISCORD_TITLE_MAX);
	block = sink_webhook_block(a->text, 0, SINK_DISCORD_DESC_MAX);
	desc = alert_json_string(block, strlen(block));
	out = xprintf("{\"content\":%s,\"embeds\":[{\"title\":%s,"
	    "\"description\":%s,\"color\":%u}],"
	    "\"allowed_mentions\":{\"parse\":[]}}", content, title, desc,
	    colors[a->level]);
	free(content);
	free(title);
	free(block);
	free(desc);
	return out;
}

static char *
sink_telegram_payload(const struct sink_webhook *w, const struct alert *a)
{
	char	*all, *text, *chat, *out;
	size_t	 len, cut;

	all = xprintf("%s\n\n%s", a->subject, a->text);
	len = strlen(all);
	while (len > 0 && all[len - 1] == '\n')
		all[--len] = '\0';
	if (alert_cut_utf16(all, len, SINK_TELEGRAM_TEXT_MAX) < len) {
		cut = alert_cut_utf16(all, len, SINK_TELEGRAM_TEXT_MAX -
		    strlen(SINK_WEBHOOK_CUT));
		all[cut] = '\0';
		text = all;
		all = xprintf("%s%s", text, SINK_WEBHOOK_CUT);
		free(text);
	}
	text = alert_json_string(all, strlen(all));
	chat = alert_json_string(w->chat_id != NULL ? w->chat_id : "",
	    w->chat_id != NULL ? strlen(w->chat_id) : 0);
	out = xprintf("{\"chat_id\":%s,\"text\":%s,"
	    "\"disable_web_page_preview\":true}", chat, text);
	free(all);
	free(text);
	free(chat);
	return out;
}

/*
 * "HTTP 404: no_service": the status and the start of the server's
 * complaint, printable, never holding the secret.  *retry_after gets a
 * Telegram 429's parameters.retry_after.
 */
static char *
sink_webhook_describe(const struct sink_webhook *w,
    const struct http_response *rs, long *retry_after)
{
	static const char	*desc[] = { "description", NULL };
	static const char	*after[] = { "parameters", "retry_after",
				    NULL };
	struct aws_error	 er;
	yajl_val		 tree = NULL, v;
	char			*text, *clean, *out;
	const char		*s = NULL;
	size_t			 i, len = 0;

	*retry_after = 0;
	memset(&er, 0, sizeof er);
	if (rs->body.len > 0 && rs->body.data[0] == '{') {
		text = xstrndup(rs->body.data, rs->body.len);
		tree = yajl_tree_parse(text, NULL, 0);
		free(text);
	}
	if (tree != NULL && (v = yajl_tree_get(tree, after,
	    yajl_t_number)) != NULL && YAJL_IS_INTEGER(v))
		*retry_after = (long)YAJL_GET_INTEGER(v);
	if (tree != NULL && (v = yajl_tree_get(tree, desc,
	    yajl_t_string)) != NULL)
		s = YAJL_GET_STRING(v);
	else if (aws_error_parse(rs->body.data, rs->body.len, &er) == 0)
		s = er.message != NULL ? er.message : er.code;
	else if (rs->body.len > 0 && rs->body.data[0] != '<' &&
	    rs->body.data[0] != '{')
		s = rs->body.data;
	/*
	 * Scrubbed whole, then cut (never inside a mark), then scrubbed
	 * again, for a piece the cut may have set apart.
	 */
	clean = scrub(s != NULL ? s : "", (const char *const *)w->secret,
	    nitems(w->secret));
	len = alert_cut(clean, strlen(clean), SINK_WEBHOOK_ERROR_MAX);
	/* A mark is never split: the cut may end past the limit for it. */
	for (i = len > sizeof SCRUB_MARK ? len - sizeof SCRUB_MARK : 0;
	    i < len; i++)
		if (strncmp(clean + i, SCRUB_MARK, sizeof SCRUB_MARK - 1) == 0 &&
		    i + sizeof SCRUB_MARK - 1 > len) {
			len = i + sizeof SCRUB_MARK - 1;
			break;
		}
	text = xstrndup(clean, len);
	freezero_str(clean);
	for (i = 0; text[i] != '\0'; i++)
		if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f)
			text[i] = ' ';
	clean = scrub(text, (const char *const *)w->secret,
	    nitems(w->secret));
	freezero_str(text);
	out = xprintf("HTTP %ld%s%s", rs->status, *clean != '\0' ? ": " : "",
	    clean);
	free(clean);
	aws_error_clear(&er);
	yajl_tree_free(tree);
	return out;
}

static int64_t
sink_webhook_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sink_webhook_sleep(unsigned ms)
{
	struct timespec	ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		continue;
}

/* POST each alert in turn; see sink.h. */
static size_t
sink_webhook_send(void *priv, struct alert *const *v, size_t n,
    char **cause)
{
	struct sink_webhook	*w = priv;
	struct http_header	 h[] = {
		{ "Content-Type", "application/json" }
	};
	struct http_request	 rq;
	struct http_response	 rs;
	char			*body, *why;
	size_t			 i, sent = 0;
	long			 after;
	int			 waits;

	for (i = 0; i < n; i++) {
		body = w->kind->payload(w, v[i]);
		if (w->dry_run) {
			fprintf(w->dry_out, "ctaudit: dry run: %s: POST <%s%s>"
			    "\nContent-Type: application/json\n\n%s\n\n",
			    w->kind->name, w->kind->token ? "Telegram Bot API "
			    "sendMessage with " : "", w->kind->env, body);
			fflush(w->dry_out);
			free(body);
			sent++;
			continue;
		}
		memset(&rq, 0, sizeof rq);
		rq.method = "POST";
		rq.url = w->url;
		rq.headers = h;
		rq.nheaders = nitems(h);
		rq.body = body;
		rq.bodylen = strlen(body);
		why = NULL;
		for (waits = 0;; waits++) {
			http_response_init(&rs);
			if (http_do(w->http, &rq, &rs, &why) == -1)
				break;
			if (rs.status >= 200 && rs.status <= 299)
				break;
			why = sink_webhook_describe(w, &rs, &after);
			/* Telegram says how long to wait in its JSON. */
			if (rs.status != 429 || after <= 0 ||
			    after > SINK_WEBHOOK_WAIT_MAX ||
			    waits >= SINK_WEBHOOK_WAITS)
				break;
			free(why);
			why = NULL;
			/* A wait that ends past the deadline is not begun. */
			if (w->deadline_at != 0 && sink_webhook_now_ms() +
			    after * 1000 >= w->deadline_at) {
				why = xstrdup(w->deadline_why);
				break;
			}
			http_response_clear(&rs);
			sink_webhook_sleep((unsigned)after * 1000);
		}
		free(body);
		if (why == NULL) {
			http_response_clear(&rs);
			sent++;
			continue;
		}
		if (*cause == NULL)
			*cause = xprintf("message %zu of %zu: %s", i + 1, n,
			    why);
		free(why);
		/* A 400 is about the message; anything else, the service. */
		if (rs.status != 400) {
			http_response_clear(&rs);
			break;
		}
		http_response_clear(&rs);
	}
	return sent;
}
