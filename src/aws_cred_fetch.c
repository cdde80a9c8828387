/* SPDX-License-Identifier: ISC */
/*
 * The fetchers of the credential chain: STS AssumeRole and
 * AssumeRoleWithWebIdentity (signed, over the chain's STS client), ECS
 * and EKS container credentials and EC2 instance metadata with an IMDSv2
 * token (over the metadata client: short waits, no proxy), and
 * credential_process run without a shell under a deadline.  Each answer
 * goes into a buffer allocated once at AWS_CRED_BODY_MAX and wiped, and
 * is handed to aws_cred_doc.c.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aws_config.h"
#include "aws_cred.h"
#include "aws_cred_int.h"
#include "aws_error.h"
#include "http.h"
#include "log.h"
#include "scrub.h"
#include "sigv4.h"
#include "xmalloc.h"

extern char **environ;

#define AWS_CRED_IMDS		"http://169.254.169.254"
#define AWS_CRED_ECS		"http://169.254.170.2"
#define AWS_CRED_IMDS_TTL	"21600"
#define AWS_CRED_STS_VERSION	"2011-06-15"
#define AWS_CRED_HIDE_MAX	8	/* secrets scrubbed from a cause */

/* Where a credentials response body goes: allocated once, wiped. */
struct aws_cred_sink {
	char	*data;
	size_t	 len, max;
};

static void	 aws_cred_sink_init(struct aws_cred_sink *);
static void	 aws_cred_sink_clear(struct aws_cred_sink *);
static int	 aws_cred_sink_write(void *, const void *, size_t, char **);
static char	*aws_cred_read_token(const char *, char **);
static int	 aws_cred_container_host_ok(const char *);
static int	 aws_cred_fetch(struct aws_cred_chain *, struct http_client *,
		    const char *, const char *, const struct http_header *,
		    size_t, const char *, size_t, const struct aws_cred *,
		    const char *const *, struct aws_cred_sink *, long *,
		    char **);
static char	*aws_cred_form(const char *);

static int
aws_cred_sink_write(void *arg, const void *p, size_t len, char **cause)
{
	struct aws_cred_sink	*s = arg;

	if (len > s->max - s->len) {
		*cause = xprintf("answer over %zu bytes", s->max);
		return -1;
	}
	memcpy(s->data + s->len, p, len);
	s->len += len;
	s->data[s->len] = '\0';
	return 0;
}

static void
aws_cred_sink_init(struct aws_cred_sink *s)
{
	s->max = AWS_CRED_BODY_MAX;
	s->len = 0;
	s->data = xcalloc(1, s->max + 1);
}

static void
aws_cred_sink_clear(struct aws_cred_sink *s)
{
	if (s->data != NULL) {
		explicit_bzero(s->data, s->max + 1);
		free(s->data);
	}
	s->data = NULL;
	s->len = 0;
}

/*
 * Send one request whose 2xx answer holds secrets: the body goes into the
 * sink, an error body into *cause as "HTTP 403: Code: Message", scrubbed
 * of the signing secret and token, the Authorization and IMDS token
 * headers' values and the NULL-terminated secrets (or NULL) of the body,
 * as a server may echo the request.  0 and
 * *status for a 2xx answer; 1 and *status and *cause for any other; -1
 * and *cause if no answer came.
 */
static int
aws_cred_fetch(struct aws_cred_chain *ch, struct http_client *hc,
    const char *method, const char *url, const struct http_header *h,
    size_t nh, const char *body, size_t bodylen, const struct aws_cred *sign,
    const char *const *secrets, struct aws_cred_sink *sink, long *status,
    char **cause)
{
	const char		*hide[AWS_CRED_HIDE_MAX];
	size_t			 nhide = 0, i;
	char			*text;
	struct http_request	 rq;
	struct http_response	 rs;
	struct sigv4_credentials sc;
	struct aws_error	 er;
	int			 rv = -1;

	memset(&rq, 0, sizeof rq);
	rq.method = method;
	rq.url = url;
	rq.headers = h;
	rq.nheaders = nh;
	rq.body = body;
	rq.bodylen = bodylen;
	rq.write = aws_cred_sink_write;
	rq.arg = sink;
	if (sign != NULL) {
		aws_cred_sigv4(sign, &sc);
		rq.cred = &sc;
		rq.region = ch->region != NULL ? ch->region : "us-east-1";
		rq.service = "sts";
		rq.sigv4_flags = SIGV4_SERVICE;
	}
	sink->len = 0;
	http_response_init(&rs);
	if (http_do(hc, &rq, &rs, cause) == -1)
		goto out;
	*status = rs.status;
	if (rs.status >= 200 && rs.status <= 299) {
		rv = 0;
		goto out;
	}
	if (aws_error_parse(rs.body.data, rs.body.len, &er) == 0) {
		if (sign != NULL) {
			hide[nhide++] = sign->secret_access_key;
			hide[nhide++] = sign->session_token;
		}
		for (i = 0; i < nh && nhide < AWS_CRED_HIDE_MAX; i++)
			if (strcasecmp(h[i].name, "Authorization") == 0 ||
			    strcasecmp(h[i].name,
			    "X-aws-ec2-metadata-token") == 0)
				hide[nhide++] = h[i].value;
		for (i = 0; secrets != NULL && secrets[i] != NULL &&
		    nhide < AWS_CRED_HIDE_MAX; i++)
			hide[nhide++] = secrets[i];
		text = xprintf("HTTP %ld%s%s%s%s", rs.status,
		    er.code != NULL ? ": " : "", er.code != NULL ? er.code : "",
		    er.message != NULL ? ": " : "",
		    er.message != NULL ? er.message : "");
		*cause = scrub(text, hide, nhide);
		freezero_str(text);
		aws_error_clear(&er);
	} else
		*cause = xprintf("HTTP %ld", rs.status);
	rv = 1;
out:
	http_response_clear(&rs);
	return rv;
}

/* A value encoded for a form body, in a buffer of its final size. */
static char *
aws_cred_form(const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*p;
	char			*out, *o;

	o = out = xmalloc(strlen(s) * 3 + 1);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' ||
		    *p == '~')
			*o++ = (char)*p;
		else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 0xf];
		}
	}
	*o = '\0';
	return out;
}

/*
 * STS AssumeRole (src set: signed with it) or AssumeRoleWithWebIdentity
 * (token set: unsigned).  The cause starts with the action's name.
 */
int
aws_cred_sts(struct aws_cred_chain *ch, const char *role_arn,
    const struct aws_cred *src, const char *token, const char *session,
    const char *external_id, const char *duration, const char *label,
    struct aws_cred *out, char **cause)
{
	static const struct http_header h[] = {
		{ "Content-Type",
		    "application/x-www-form-urlencoded; charset=utf-8" },
	};
	struct aws_cred_sink	 sink;
	const char		*action = src != NULL ? "AssumeRole" :
				    "AssumeRoleWithWebIdentity";
	char			*url, *e_arn, *e_sess, *e_ext = NULL;
	char			*e_tok = NULL, *e_dur = NULL, *body;
	const char		*secrets[3];
	char			*why = NULL;
	long			 status = 0;
	size_t			 len;
	int			 custom, r, rv = -1;

	url = aws_endpoint_resolve("sts", ch->region, &custom);
	e_arn = aws_cred_form(role_arn);
	e_sess = aws_cred_form(session);
	if (external_id != NULL)
		e_ext = aws_cred_form(external_id);
	if (duration != NULL)
		e_dur = aws_cred_form(duration);
	if (token != NULL)
		e_tok = aws_cred_form(token);
	len = strlen(action) + strlen(e_arn) + strlen(e_sess) + 128 +
	    (e_ext != NULL ? strlen(e_ext) : 0) +
	    (e_dur != NULL ? strlen(e_dur) : 0) +
	    (e_tok != NULL ? strlen(e_tok) : 0);
	body = xmalloc(len);
	snprintf(body, len, "Action=%s&Version=%s&RoleArn=%s"
	    "&RoleSessionName=%s%s%s%s%s%s%s", action, AWS_CRED_STS_VERSION,
	    e_arn, e_sess,
	    e_ext != NULL ? "&ExternalId=" : "", e_ext != NULL ? e_ext : "",
	    e_dur != NULL ? "&DurationSeconds=" : "",
	    e_dur != NULL ? e_dur : "",
	    e_tok != NULL ? "&WebIdentityToken=" : "",
	    e_tok != NULL ? e_tok : "");
	aws_cred_sink_init(&sink);
	secrets[0] = token;
	secrets[1] = e_tok;
	secrets[2] = NULL;
	r = aws_cred_fetch(ch, ch->http, "POST", url, h, nitems(h), body,
	    strlen(body), src, secrets, &sink, &status, &why);
	if (r == 0 && aws_cred_sts_parse(sink.data, sink.len, out, &why) == 0)
		rv = 0;
	if (rv == -1)
		*cause = xprintf("%s: %s: %s", label, action, why);
	free(why);
	aws_cred_sink_clear(&sink);
	freezero_str(body);
	freezero_str(e_tok);
	free(e_arn);
	free(e_sess);
	free(e_ext);
	free(e_dur);
	free(url);
	return rv;
}

/* Read a small token file, trimmed; NULL and *cause. */
static char *
aws_cred_read_token(const char *path, char **cause)
{
	struct aws_cred_sink	 s;
	ssize_t			 n;
	char			*tok;
	int			 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		*cause = xprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	aws_cred_sink_init(&s);
	for (;;) {
		n = read(fd, s.data + s.len, s.max - s.len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			*cause = xprintf("%s: %s", path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		s.len += (size_t)n;
		if (s.len == s.max) {
			*cause = xprintf("%s: longer than %zu bytes", path,
			    s.max);
			goto fail;
		}
	}
	close(fd);
	while (s.len > 0 && isspace((unsigned char)s.data[s.len - 1]))
		s.len--;
	s.data[s.len] = '\0';
	if (s.len == 0 || strpbrk(s.data, "\r\n") != NULL) {
		*cause = xprintf("%s: %s", path, s.len == 0 ? "empty" :
		    "more than one line");
		aws_cred_sink_clear(&s);
		return NULL;
	}
	tok = xstrdup(s.data);
	aws_cred_sink_clear(&s);
	return tok;
fail:
	close(fd);
	aws_cred_sink_clear(&s);
	return NULL;
}

/* AssumeRoleWithWebIdentity with the token in a file. */
int
aws_cred_web_identity(struct aws_cred_chain *ch, const char *file,
    const char *role_arn, const char *session, struct aws_cred *out,
    char **cause)
{
	char	*token, *why = NULL;
	int	 rv;

	if ((token = aws_cred_read_token(file, &why)) == NULL) {
		*cause = xprintf("web-identity: %s", why);
		free(why);
		return -1;
	}
	rv = aws_cred_sts(ch, role_arn, NULL, token, session, NULL, NULL,
	    "web-identity", out, cause);
	freezero_str(token);
	return rv;
}

/* Whether a full container URI may be sent over plain http. */
static int
aws_cred_container_host_ok(const char *url)
{
	static const char *const ecs[] = {
		"169.254.170.2", "169.254.170.23", "[fd00:ec2::23]", NULL
	};

	return http_url_secure(url, ecs);
}

/* ECS (or EKS Pod Identity) container credentials. */
int
aws_cred_container(struct aws_cred_chain *ch, struct aws_cred *out,
    char **cause)
{
	struct aws_cred_sink	 sink;
	struct http_header	 h[1];
	const char		*rel, *full, *tfile, *tenv;
	char			*url, *token = NULL, *why = NULL;
	long			 status;
	size_t			 nh = 0;
	int			 rv = -1;

	rel = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	full = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	if (rel != NULL && *rel != '\0')
		url = xprintf("%s%s%s", ch->container_base != NULL ?
		    ch->container_base : AWS_CRED_ECS, *rel == '/' ? "" : "/",
		    rel);
	else if (full != NULL && *full != '\0') {
		if (!aws_cred_container_host_ok(full)) {
			*cause = xstrdup("container: "
			    "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, "
			    "or http to a loopback or the ECS or EKS address");
			return -1;
		}
		url = xstrdup(full);
	} else {
		*cause = xstrdup("container: no "
		    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI");
		return -1;
	}
	tfile = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	tenv = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	if (tfile != NULL && *tfile != '\0') {
		if ((token = aws_cred_read_token(tfile, &why)) == NULL)
			goto out;
	} else if (tenv != NULL && *tenv != '\0') {
		if (strpbrk(tenv, "\r\n") != NULL) {
			why = xstrdup("AWS_CONTAINER_AUTHORIZATION_TOKEN has "
			    "a line break");
			goto out;
		}
		token = xstrdup(tenv);
	}
	if (token != NULL) {
		h[0].name = "Authorization";
		h[0].value = token;
		nh = 1;
	}
	aws_cred_sink_init(&sink);
	if (aws_cred_fetch(ch, ch->meta, "GET", url, h, nh, NULL, 0, NULL,
	    NULL, &sink, &status, &why) == 0 &&
	    aws_cred_json_parse(sink.data, sink.len, AWS_CRED_JSON_METADATA,
	    out, &why) == 0)
		rv = 0;
	aws_cred_sink_clear(&sink);
out:
	if (rv == -1)
		*cause = xprintf("container: %s", why);
	free(why);
	freezero_str(token);
	free(url);
	return rv;
}

/* EC2 instance metadata with an IMDSv2 session token. */
int
aws_cred_imds(struct aws_cred_chain *ch, struct aws_cred *out, char **cause)
{
	struct aws_cred_sink	 sink;
	struct http_header	 h[1];
	const char		*base, *p;
	char			*url = NULL, *token = NULL, *why = NULL;
	char			*role = NULL;
	long			 status = 0;
	size_t			 len, blen;
	int			 rv = -1;

	base = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	if (base == NULL || *base == '\0')
		base = AWS_CRED_IMDS;
	blen = strlen(base);
	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	aws_cred_sink_init(&sink);

	url = xprintf("%.*s/latest/api/token", (int)blen, base);
	h[0].name = "X-aws-ec2-metadata-token-ttl-seconds";
	h[0].value = AWS_CRED_IMDS_TTL;
	if (aws_cred_fetch(ch, ch->meta, "PUT", url, h, 1, NULL, 0, NULL,
	    NULL, &sink, &status, &why) != 0) {
		*cause = xprintf("instance-metadata: token: %s", why);
		goto out;
	}
	if (sink.len == 0 || strpbrk(sink.data, "\r\n") != NULL) {
		*cause = xstrdup("instance-metadata: token: not one line");
		goto out;
	}
	token = xstrdup(sink.data);
	h[0].name = "X-aws-ec2-metadata-token";
	h[0].value = token;

	free(url);
	url = xprintf("%.*s/latest/meta-data/iam/security-credentials/",
	    (int)blen, base);
	switch (aws_cred_fetch(ch, ch->meta, "GET", url, h, 1, NULL, 0, NULL,
	    NULL, &sink, &status, &why)) {
	case 0:
		break;
	case 1:
		if (status == 404) {
			*cause = xstrdup("instance-metadata: no IAM role is "
			    "attached to this instance");
			goto out;
		}
		FALLTHROUGH;
	default:
		*cause = xprintf("instance-metadata: role: %s", why);
		goto out;
	}
	len = strcspn(sink.data, "\r\n");
	for (p = sink.data; p < sink.data + len; p++)
		if (!isalnum((unsigned char)*p) && strchr("+=,.@_-", *p) ==
		    NULL)
			break;
	if (len == 0 || p != sink.data + len || len > 64) {
		*cause = xstrdup("instance-metadata: role: not a role name");
		goto out;
	}
	role = xstrndup(sink.data, len);

	free(url);
	url = xprintf("%.*s/latest/meta-data/iam/security-credentials/%s",
	    (int)blen, base, role);
	if (aws_cred_fetch(ch, ch->meta, "GET", url, h, 1, NULL, 0, NULL,
	    NULL, &sink, &status, &why) != 0 ||
	    aws_cred_json_parse(sink.data, sink.len, AWS_CRED_JSON_METADATA,
	    out, &why) == -1) {
		*cause = xprintf("instance-metadata: role %s: %s", role, why);
		goto out;
	}
	rv = 0;
out:
	free(why);
	free(role);
	free(url);
	freezero_str(token);
	aws_cred_sink_clear(&sink);
	return rv;
}

/* Run credential_process without a shell and read its JSON. */
int
aws_cred_process(struct aws_cred_chain *ch, const char *profile,
    const char *cmd, struct aws_cred *out, char **cause)
{
	posix_spawn_file_actions_t fa;
	struct aws_cred_sink	 sink;
	struct pollfd		 pfd;
	char			**argv, *why = NULL;
	struct timespec		 ts;
	int64_t			 deadline, left;
	pid_t			 pid;
	ssize_t			 n;
	int			 fds[2], status, err, rv = -1, killed = 0;
	int			 cut = 0;

	if ((argv = aws_config_split(cmd, &why)) == NULL) {
		*cause = xprintf("profile %s: credential_process: %s",
		    profile, why);
		free(why);
		return -1;
	}
	if (pipe2(fds, O_CLOEXEC) == -1) {
		*cause = xprintf("profile %s: credential_process: pipe: %s",
		    profile, strerror(errno));
		aws_config_argv_free(argv);
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
	err = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (err != 0) {
		*cause = xprintf("profile %s: credential_process: %s: %s",
		    profile, argv[0], strerror(err));
		close(fds[0]);
		aws_config_argv_free(argv);
		return -1;
	}

	aws_cred_sink_init(&sink);
	deadline = aws_cred_now_ms() + ch->process_ms;
	if (ch->deadline_at != 0) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		left = ch->deadline_at - ((int64_t)ts.tv_sec * 1000 +
		    ts.tv_nsec / 1000000);
		if (left < ch->process_ms) {
			deadline = aws_cred_now_ms() + (left > 0 ? left : 0);
			cut = 1;
		}
	}
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	for (;;) {
		if ((left = deadline - aws_cred_now_ms()) <= 0) {
			if (cut)
				why = xstrdup(ch->deadline_why);
			else if (ch->process_ms % 1000 == 0)
				why = xprintf("no answer within %ld seconds",
				    ch->process_ms / 1000);
			else
				why = xprintf("no answer within %ld ms",
				    ch->process_ms);
			break;
		}
		if (poll(&pfd, 1, (int)left) == -1) {
			if (errno == EINTR)
				continue;
			why = xprintf("poll: %s", strerror(errno));
			break;
		}
		if (pfd.revents == 0)
			continue;
		n = read(fds[0], sink.data + sink.len, sink.max - sink.len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			why = xprintf("read: %s", strerror(errno));
			break;
		}
		if (n == 0)
			break;
		sink.len += (size_t)n;
		if (sink.len == sink.max) {
			why = xprintf("output over %zu bytes", sink.max - 1);
			break;
		}
	}
	close(fds[0]);
	if (why != NULL) {
		kill(pid, SIGKILL);
		killed = 1;
	}
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR) {
			status = 0;
			break;
		}
	if (why == NULL && WIFEXITED(status) && WEXITSTATUS(status) != 0)
		why = xprintf("%s exited with status %d", argv[0],
		    WEXITSTATUS(status));
	else if (why == NULL && WIFSIGNALED(status) && !killed)
		why = xprintf("%s killed by signal %d", argv[0],
		    WTERMSIG(status));
	if (why == NULL) {
		sink.data[sink.len] = '\0';
		if (aws_cred_json_parse(sink.data, sink.len,
		    AWS_CRED_JSON_PROCESS, out, &why) == 0)
			rv = 0;
	}
	if (rv == -1)
		*cause = xprintf("profile %s: credential_process: %s",
		    profile, why);
	free(why);
	aws_cred_sink_clear(&sink);
	aws_config_argv_free(argv);
	return rv;
}
