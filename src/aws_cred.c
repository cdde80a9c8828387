/* SPDX-License-Identifier: ISC */
/*
 * The AWS credential chain for the S3 reader and the SNS publisher: the
 * environment, the profile files (static keys, credential_process,
 * AssumeRole, web identity), ECS container credentials and EC2 instance
 * metadata, in the AWS CLI's order; the chain object that holds the
 * current credentials and fetches them again before they expire.
 *
 * This file resolves profiles and keeps the cache; the requests to STS,
 * the container and instance metadata endpoints and credential_process
 * are in aws_cred_fetch.c, the parsers of what they answer in
 * aws_cred_doc.c, the region and endpoints in aws_region.c.
 *
 * Secrets (keys, tokens, the bodies that carry them) are kept in buffers
 * allocated once at their final size, or through an allocator that wipes
 * on free (yajl and expat use it), and are wiped when done with.  Causes
 * name the source and what failed, never a secret.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aws_config.h"
#include "aws_cred.h"
#include "aws_cred_int.h"
#include "http.h"
#include "log.h"
#include "sigv4.h"
#include "xmalloc.h"

#define AWS_CRED_DEPTH_MAX	8		/* source_profile hops */
#define AWS_CRED_PROCESS_MS	(60 * 1000)	/* credential_process */
#define AWS_CRED_STS_MS		(60 * 1000)	/* one try at STS */

static int	 aws_cred_env(struct aws_cred *, char **);
static int	 aws_cred_static(struct aws_cred_chain *, const char *, int,
		    struct aws_cred *, char **);
static int	 aws_cred_profile(struct aws_cred_chain *, const char *, int,
		    const char **, struct aws_cred *, char **, char **);
static int	 aws_cred_resolve(struct aws_cred_chain *, struct aws_cred *,
		    char **, char **);

/* The environment: 1 and *out, 0 if unset, -1 if half set. */
static int
aws_cred_env(struct aws_cred *out, char **cause)
{
	const char	*k, *s, *t;

	k = getenv("AWS_ACCESS_KEY_ID");
	s = getenv("AWS_SECRET_ACCESS_KEY");
	t = getenv("AWS_SESSION_TOKEN");
	if (k != NULL && *k == '\0')
		k = NULL;
	if (s != NULL && *s == '\0')
		s = NULL;
	if (k == NULL && s == NULL)
		return 0;
	if (k == NULL || s == NULL) {
		*cause = xprintf("environment: %s without %s",
		    k != NULL ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
		    k != NULL ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
		return -1;
	}
	memset(out, 0, sizeof *out);
	out->access_key_id = xstrdup(k);
	out->secret_access_key = xstrdup(s);
	if (t != NULL && *t != '\0')
		out->session_token = xstrdup(t);
	if (aws_cred_check(out, cause) == -1) {
		aws_cred_clear(out);
		*cause = xprintf("environment: %s", *cause);
		return -1;
	}
	return 1;
}


/* Static keys of a profile in one file: 1, 0 if none, -1 if half. */
static int
aws_cred_static(struct aws_cred_chain *ch, const char *profile, int which,
    struct aws_cred *out, char **cause)
{
	const char	*k, *s, *t;
	char		*why = NULL;

	k = aws_config_get(ch->cfg, profile, "aws_access_key_id", which);
	s = aws_config_get(ch->cfg, profile, "aws_secret_access_key", which);
	t = aws_config_get(ch->cfg, profile, "aws_session_token", which);
	if (k == NULL && s == NULL)
		return 0;
	if (k == NULL || s == NULL) {
		*cause = xprintf("profile %s: %s without %s in %s", profile,
		    k != NULL ? "aws_access_key_id" : "aws_secret_access_key",
		    k != NULL ? "aws_secret_access_key" : "aws_access_key_id",
		    aws_config_path(ch->cfg, which));
		return -1;
	}
	memset(out, 0, sizeof *out);
	out->access_key_id = xstrdup(k);
	out->secret_access_key = xstrdup(s);
	if (t != NULL && *t != '\0')
		out->session_token = xstrdup(t);
	if (aws_cred_check(out, &why) == -1) {
		*cause = xprintf("profile %s: %s in %s", profile, why,
		    aws_config_path(ch->cfg, which));
		free(why);
		aws_cred_clear(out);
		return -1;
	}
	return 1;
}

/*
 * The credentials of a profile: 1, *out and *label; 0 if it holds none;
 * -1 and *cause.  depth counts source_profile hops; seen[] holds the
 * profiles on the way, to catch loops.
 */
static int
aws_cred_profile(struct aws_cred_chain *ch, const char *name, int depth,
    const char **seen, struct aws_cred *out, char **label, char **cause)
{
	struct aws_cred	 src;
	const char	*role, *wif, *sp, *cs, *v, *session, *ext, *dur;
	char		*slabel = NULL, *sess = NULL, *end;
	long		 n;
	int		 i, r;

	for (i = 0; i < depth; i++)
		if (strcmp(seen[i], name) == 0) {
			*cause = xprintf("profile %s: source_profile loop",
			    seen[0]);
			return -1;
		}
	if (depth == AWS_CRED_DEPTH_MAX) {
		*cause = xprintf("profile %s: more than %d source_profile "
		    "hops", seen[0], AWS_CRED_DEPTH_MAX);
		return -1;
	}
	seen[depth] = name;

	role = aws_config_get(ch->cfg, name, "role_arn", AWS_CONFIG_ANY);
	wif = aws_config_get(ch->cfg, name, "web_identity_token_file",
	    AWS_CONFIG_ANY);
	if (role != NULL && wif == NULL) {
		sp = aws_config_get(ch->cfg, name, "source_profile",
		    AWS_CONFIG_ANY);
		cs = aws_config_get(ch->cfg, name, "credential_source",
		    AWS_CONFIG_ANY);
		if (sp != NULL && cs != NULL) {
			*cause = xprintf("profile %s: both source_profile "
			    "and credential_source", name);
			return -1;
		}
		if (sp == NULL && cs == NULL) {
			*cause = xprintf("profile %s: role_arn without "
			    "source_profile or credential_source", name);
			return -1;
		}
		if (aws_config_get(ch->cfg, name, "mfa_serial",
		    AWS_CONFIG_ANY) != NULL) {
			*cause = xprintf("profile %s: mfa_serial is not "
			    "supported", name);
			return -1;
		}
		dur = aws_config_get(ch->cfg, name, "duration_seconds",
		    AWS_CONFIG_ANY);
		if (dur != NULL) {
			errno = 0;
			n = strtol(dur, &end, 10);
			if (errno != 0 || end == dur || *end != '\0' ||
			    n < 900 || n > 43200) {
				*cause = xprintf("profile %s: duration_seconds "
				    "is not a number from 900 to 43200", name);
				return -1;
			}
		}
		memset(&src, 0, sizeof src);
		if (sp != NULL && strcmp(sp, name) == 0) {
			/* A role assumed with the profile's own keys. */
			r = aws_cred_static(ch, name, AWS_CONFIG_ANY, &src,
			    cause);
			if (r == 0)
				*cause = xprintf("profile %s: source_profile "
				    "is itself, which has no keys", name);
			if (r != 1)
				return -1;
		} else if (sp != NULL) {
			if (!aws_config_has_profile(ch->cfg, sp)) {
				*cause = xprintf("profile %s: source_profile "
				    "%s not found", name, sp);
				return -1;
			}
			r = aws_cred_profile(ch, sp, depth + 1, seen, &src,
			    &slabel, cause);
			free(slabel);
			if (r == 0)
				*cause = xprintf("profile %s: source_profile "
				    "%s has no credentials", name, sp);
			if (r != 1)
				return -1;
		} else if (strcmp(cs, "Environment") == 0) {
			if ((r = aws_cred_env(&src, cause)) == 0)
				*cause = xprintf("profile %s: "
				    "credential_source Environment: no keys "
				    "in the environment", name);
			if (r != 1)
				return -1;
		} else if (strcmp(cs, "EcsContainer") == 0) {
			if (aws_cred_container(ch, &src, cause) == -1)
				return -1;
		} else if (strcmp(cs, "Ec2InstanceMetadata") == 0) {
			if (aws_cred_imds(ch, &src, cause) == -1)
				return -1;
		} else {
			*cause = xprintf("profile %s: credential_source is "
			    "not Environment, Ec2InstanceMetadata or "
			    "EcsContainer", name);
			return -1;
		}
		session = aws_config_get(ch->cfg, name, "role_session_name",
		    AWS_CONFIG_ANY);
		if (session == NULL)
			session = sess = xprintf("ctaudit-%ld", (long)getpid());
		ext = aws_config_get(ch->cfg, name, "external_id",
		    AWS_CONFIG_ANY);
		*label = xprintf("assume-role (profile %s)", name);
		r = aws_cred_sts(ch, role, &src, NULL, session, ext, dur,
		    *label, out, cause);
		aws_cred_clear(&src);
		free(sess);
		if (r == -1) {
			free(*label);
			*label = NULL;
			return -1;
		}
		return 1;
	}

	/* Web identity: the environment's, else the profile's. */
	if (depth == 0 && (v = getenv("AWS_WEB_IDENTITY_TOKEN_FILE")) !=
	    NULL && *v != '\0')
		wif = v;
	if (wif != NULL) {
		if (depth == 0 && (v = getenv("AWS_ROLE_ARN")) != NULL &&
		    *v != '\0')
			role = v;
		if (role == NULL) {
			*cause = xstrdup("web-identity: "
			    "AWS_WEB_IDENTITY_TOKEN_FILE without AWS_ROLE_ARN");
			return -1;
		}
		session = depth == 0 ? getenv("AWS_ROLE_SESSION_NAME") : NULL;
		if (session == NULL || *session == '\0')
			session = aws_config_get(ch->cfg, name,
			    "role_session_name", AWS_CONFIG_ANY);
		if (session == NULL)
			session = sess = xprintf("ctaudit-%ld", (long)getpid());
		r = aws_cred_web_identity(ch, wif, role, session, out, cause);
		free(sess);
		if (r == -1)
			return -1;
		*label = xstrdup("web-identity");
		return 1;
	}

	if ((r = aws_cred_static(ch, name, AWS_CONFIG_CREDENTIALS, out,
	    cause)) != 0) {
		if (r == 1)
			*label = xprintf("profile %s", name);
		return r;
	}
	if ((v = aws_config_get(ch->cfg, name, "credential_process",
	    AWS_CONFIG_ANY)) != NULL) {
		if (aws_cred_process(ch, name, v, out, cause) == -1)
			return -1;
		*label = xprintf("credential_process (profile %s)", name);
		return 1;
	}
	if ((r = aws_cred_static(ch, name, AWS_CONFIG_CONFIG, out,
	    cause)) == 1)
		*label = xprintf("profile %s", name);
	return r;
}

/* Walk the chain from the top; see aws_cred.h. */
static int
aws_cred_resolve(struct aws_cred_chain *ch, struct aws_cred *out,
    char **label, char **cause)
{
	const char	*seen[AWS_CRED_DEPTH_MAX], *v;
	char		*why = NULL;
	int		 r;

	*label = NULL;
	if (!ch->explicit) {
		if ((r = aws_cred_env(out, cause)) == -1)
			return -1;
		if (r == 1) {
			*label = xstrdup("environment");
			return 0;
		}
	}
	if ((r = aws_cred_profile(ch, ch->profile, 0, seen, out, label,
	    cause)) == -1)
		return -1;
	if (r == 1)
		return 0;
	if (((v = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) != NULL &&
	    *v != '\0') ||
	    ((v = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI")) != NULL &&
	    *v != '\0')) {
		if (aws_cred_container(ch, out, cause) == -1)
			return -1;
		*label = xstrdup("container");
		return 0;
	}
	v = getenv("AWS_EC2_METADATA_DISABLED");
	if (v != NULL && strcasecmp(v, "true") == 0) {
		*cause = xstrdup("no credentials: none in the environment, "
		    "the profile files or a container, and instance metadata "
		    "is disabled");
		return -1;
	}
	if (aws_cred_imds(ch, out, &why) == -1) {
		*cause = xprintf("no credentials: none in the environment, "
		    "the profile files or a container (%s)", why);
		free(why);
		return -1;
	}
	*label = xstrdup("instance-metadata");
	return 0;
}

/* Find the credentials; see aws_cred.h. */
struct aws_cred_chain *
aws_cred_chain_create(const struct aws_cred_opts *opts, char **cause)
{
	struct aws_cred_chain	*ch;
	struct http_opts	 ho;
	const char		*p;
	char			*why = NULL;

	ch = xcalloc(1, sizeof *ch);
	p = opts != NULL ? opts->profile : NULL;
	if (p != NULL && *p != '\0')
		ch->explicit = 1;
	else if ((p = getenv("AWS_PROFILE")) == NULL || *p == '\0')
		p = "default";
	ch->profile = xstrdup(p);
	if (opts != NULL && opts->container_base != NULL)
		ch->container_base = xstrdup(opts->container_base);
	ch->process_ms = opts != NULL && opts->process_timeout_ms > 0 ?
	    opts->process_timeout_ms : AWS_CRED_PROCESS_MS;
	if ((ch->cfg = aws_config_load(cause)) == NULL)
		goto fail;
	if (strcmp(ch->profile, "default") != 0 &&
	    !aws_config_has_profile(ch->cfg, ch->profile)) {
		*cause = xprintf("profile %s: not found in %s or %s",
		    ch->profile,
		    aws_config_path(ch->cfg, AWS_CONFIG_CREDENTIALS),
		    aws_config_path(ch->cfg, AWS_CONFIG_CONFIG));
		goto fail;
	}
	ch->region = aws_region_resolve(opts != NULL ? opts->region : NULL,
	    ch->profile, &why);
	if (ch->region == NULL && why != NULL) {
		*cause = why;
		goto fail;
	}

	memset(&ho, 0, sizeof ho);
	ho.max_attempts = 3;
	ho.total_timeout_ms = AWS_CRED_STS_MS;
	if ((ch->http = http_client_create(&ho, cause)) == NULL)
		goto fail;
	/* Metadata endpoints are near or absent: short waits, no proxy. */
	ho.max_attempts = 2;
	ho.connect_timeout_ms = 1000;
	ho.total_timeout_ms = 5000;
	ho.no_proxy = 1;
	if ((ch->meta = http_client_create(&ho, cause)) == NULL)
		goto fail;
	if (opts != NULL && opts->deadline_at != 0)
		aws_cred_chain_deadline(ch, opts->deadline_at,
		    opts->deadline_why);

	if (aws_cred_resolve(ch, &ch->cur, &ch->source, cause) == -1)
		goto fail;
	ch->fetches = 1;
	return ch;
fail:
	aws_cred_chain_free(ch);
	return NULL;
}

/* Set the deadline of every later fetch (0: none); see aws_cred.h. */
void
aws_cred_chain_deadline(struct aws_cred_chain *ch, int64_t at_ms,
    const char *why)
{
	free(ch->deadline_why);
	ch->deadline_why = NULL;
	ch->deadline_at = at_ms;
	if (at_ms != 0)
		ch->deadline_why = xstrdup(why);
	http_client_deadline(ch->http, at_ms, why);
	http_client_deadline(ch->meta, at_ms, why);
}

/* Free a chain, wiping the credentials. */
void
aws_cred_chain_free(struct aws_cred_chain *ch)
{
	if (ch == NULL)
		return;
	aws_cred_clear(&ch->cur);
	aws_config_free(ch->cfg);
	http_client_free(ch->http);
	http_client_free(ch->meta);
	free(ch->profile);
	free(ch->region);
	free(ch->container_base);
	free(ch->deadline_why);
	free(ch->source);
	free(ch);
}

/* A copy of the current credentials, refreshed first if need be. */
int
aws_cred_get(struct aws_cred_chain *ch, struct aws_cred *out, char **cause)
{
	struct aws_cred	 fresh;
	char		*label = NULL, *why = NULL;
	int64_t		 now;
	int		 rv = -1;

	memset(out, 0, sizeof *out);
	now = aws_cred_now_ms();
	if (ch->cur.expiration_ms != 0 &&
	    now + AWS_CRED_REFRESH_MS >= ch->cur.expiration_ms) {
		memset(&fresh, 0, sizeof fresh);
		if (aws_cred_resolve(ch, &fresh, &label, &why) == 0) {
			aws_cred_clear(&ch->cur);
			ch->cur = fresh;
			free(ch->source);
			ch->source = label;
			ch->fetches++;
			ch->warned = 0;
		} else if (now < ch->cur.expiration_ms) {
			if (!ch->warned)
				diag(DIAG_WARN, ch->source, 0, "refreshing "
				    "credentials: %s (using the current ones "
				    "until they expire)", why);
			ch->warned = 1;
			free(why);
		} else {
			*cause = xprintf("credentials expired and could not "
			    "be refreshed: %s", why);
			free(why);
			goto out;
		}
	}
	aws_cred_copy(out, &ch->cur);
	rv = 0;
out:
	return rv;
}

/* Where the credentials come from, for messages. */
const char *
aws_cred_source(const struct aws_cred_chain *ch)
{
	return ch->source;
}

/* How many times the credentials were fetched. */
unsigned
aws_cred_fetches(const struct aws_cred_chain *ch)
{
	return ch->fetches;
}

/* Lend c's keys to the signer: http.c signs with sigv4.h's type alone. */
void
aws_cred_sigv4(const struct aws_cred *c, struct sigv4_credentials *sc)
{
	sc->access_key_id = c->access_key_id;
	sc->secret_key = c->secret_access_key;
	sc->session_token = c->session_token;
}
