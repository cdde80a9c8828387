/* SPDX-License-Identifier: ISC */
/*
 * What the files of the credential chain share: aws_cred.c (profiles and
 * the cache), aws_cred_fetch.c (the requests and credential_process) and
 * aws_cred_doc.c (the documents).  Not for other modules.
 */
#ifndef AWS_CRED_INT_H
#define AWS_CRED_INT_H

#include <stdint.h>

#define AWS_CRED_BODY_MAX	(64 * 1024)	/* a credentials document */
#define AWS_CRED_FIELD_MAX	(16 * 1024)	/* one key, secret or token */

struct aws_config;
struct http_client;

struct aws_cred_chain {
	char			*profile;	/* the profile in use */
	int			 explicit;	/* named by --profile */
	char			*region;	/* for STS; or NULL */
	char			*container_base;
	long			 process_ms;
	int64_t			 deadline_at;	/* monotonic ms, or 0 */
	char			*deadline_why;
	struct aws_config	*cfg;
	struct http_client	*http;		/* STS */
	struct http_client	*meta;		/* container, IMDS */
	struct aws_cred		 cur;
	char			*source;
	unsigned		 fetches;
	int			 warned;
};

int64_t	 aws_cred_now_ms(void);
/* Whether c can go into a request; the cause never quotes a field. */
int	 aws_cred_check(const struct aws_cred *c, char **cause);

/* The fetchers (aws_cred_fetch.c): 0 and *out, or -1 and *cause. */
int	 aws_cred_sts(struct aws_cred_chain *, const char *,
	    const struct aws_cred *, const char *, const char *,
	    const char *, const char *, const char *,
	    struct aws_cred *, char **);
int	 aws_cred_web_identity(struct aws_cred_chain *, const char *,
	    const char *, const char *, struct aws_cred *, char **);
int	 aws_cred_container(struct aws_cred_chain *, struct aws_cred *,
	    char **);
int	 aws_cred_imds(struct aws_cred_chain *, struct aws_cred *, char **);
int	 aws_cred_process(struct aws_cred_chain *, const char *,
	    const char *, struct aws_cred *, char **);

#endif
