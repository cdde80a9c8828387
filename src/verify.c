/* SPDX-License-Identifier: ISC */
/*
 * "ctaudit verify".  One pass reads every stream the paths name: a log
 * file is inflated and its SHA-256 taken; a digest file is inflated,
 * kept and parsed.  Then, with everything in memory (a digest per trail
 * and hour, a 32-byte hash per log file), the checks run in a fixed
 * order: each digest where it says it lives and signed (when signatures
 * and keys are at hand), each chain link (previous object, hash and
 * signature), time continuity, each listed log file present with its
 * hash, log files no digest lists, and hours without delivery.  Every
 * failure is a critical finding with its own rule id.
 *
 * Objects are matched by their key from "AWSLogs/" on, so a downloaded
 * tree matches the keys its digests name whatever directory holds it.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <yajl/yajl_tree.h>

#include "aws_cred.h"
#include "aws_error.h"
#include "http.h"
#include "sigv4.h"

#include "buf.h"
#include "digest.h"
#include "eventtime.h"
#include "gz.h"
#include "json.h"
#include "log.h"
#include "scan.h"
#include "source.h"
#include "verify.h"
#include "xmalloc.h"

#define VERIFY_SIGS_MAX		(64 * 1024 * 1024)	/* --signatures file */
#define VERIFY_KEYS_MAX		(4 * 1024 * 1024)	/* --public-keys file */
#define VERIFY_UNLISTED_SLACK	(15 * 60 * 1000)	/* ms; see below */
#define VERIFY_HOUR		(3600 * 1000)
#define VERIFY_KEY_PAGES	64	/* ListPublicKeys pages per region */
#define VERIFY_KEY_REGIONS	64	/* regions asked for keys */
#define VERIFY_CT_TARGET	"com.amazonaws.cloudtrail.v20131101." \
				"CloudTrail_20131101.ListPublicKeys"

enum verify_rule {
	VERIFY_LOG_DELETED,
	VERIFY_LOG_MODIFIED,
	VERIFY_LOG_UNLISTED,
	VERIFY_DIGEST_INVALID,
	VERIFY_DIGEST_MISSING,
	VERIFY_CHAIN_BROKEN,
	VERIFY_SIG_BAD,
	VERIFY_SIG_MISSING,
	VERIFY_DIGEST_GAP,
	VERIFY_DELIVERY_GAP,
	VERIFY_NRULES
};

/* eventName of the events that carry findings into an audit. */
static const char *const verify_event_names[VERIFY_NRULES] = {
	"LogFileDeleted",
	"LogFileModified",
	"LogFileUnlisted",
	"DigestInvalid",
	"DigestMissing",
	"DigestChainBroken",
	"DigestSignatureInvalid",
	"DigestUnsigned",
	"DigestGap",
	"DeliveryGap",
};

/*
 * The rules --verify adds to an audit: one per finding, each matching
 * the events verify_emit() makes, so that verify's findings go through
 * the filters, the summary, the outputs and the sinks as any other.
 */
const char verify_rules_yaml[] =
#define VERIFY_RULE(id, name, title, desc)				\
	"title: " title "\n"						\
	"id: " id "\n"							\
	"status: stable\n"						\
	"description: " desc "\n"					\
	"level: critical\n"						\
	"tags: [attack.defense-evasion, attack.t1070]\n"		\
	"logsource: {product: aws, service: cloudtrail}\n"		\
	"detection:\n"							\
	"  selection: {eventSource: " VERIFY_EVENT_SOURCE ", eventName: " name "}\n" \
	"  condition: selection\n"					\
	"---\n"
	VERIFY_RULE("ctaudit-log-deleted", "LogFileDeleted",
	    "CloudTrail log file deleted",
	    "A log file a digest lists is missing.")
	VERIFY_RULE("ctaudit-log-modified", "LogFileModified",
	    "CloudTrail log file modified",
	    "A log file does not hash to the value its digest lists.")
	VERIFY_RULE("ctaudit-log-unlisted", "LogFileUnlisted",
	    "CloudTrail log file not in any digest",
	    "A log file in hours the digests cover that no digest lists.")
	VERIFY_RULE("ctaudit-digest-invalid", "DigestInvalid",
	    "CloudTrail digest file invalid",
	    "A digest file that cannot be read or was moved.")
	VERIFY_RULE("ctaudit-digest-missing", "DigestMissing",
	    "CloudTrail digest file deleted",
	    "A digest file the next digest names is missing.")
	VERIFY_RULE("ctaudit-digest-chain", "DigestChainBroken",
	    "CloudTrail digest chain broken",
	    "A digest's previous hash or signature does not match.")
	VERIFY_RULE("ctaudit-digest-signature", "DigestSignatureInvalid",
	    "CloudTrail digest signature invalid",
	    "A digest's signature does not verify with CloudTrail's key.")
	VERIFY_RULE("ctaudit-digest-unsigned", "DigestUnsigned",
	    "CloudTrail digest signature missing",
	    "No signature is recorded for a digest file.")
	VERIFY_RULE("ctaudit-digest-gap", "DigestGap",
	    "CloudTrail digests missing for a period",
	    "No digest covers a period between two digests of a trail.")
	VERIFY_RULE("ctaudit-delivery-gap", "DeliveryGap",
	    "CloudTrail delivered no log files for hours",
	    "Hours without a log file between hours with some.")
#undef VERIFY_RULE
	;

static const char *const verify_rule_ids[VERIFY_NRULES] = {
	"ctaudit-log-deleted",
	"ctaudit-log-modified",
	"ctaudit-log-unlisted",
	"ctaudit-digest-invalid",
	"ctaudit-digest-missing",
	"ctaudit-digest-chain",
	"ctaudit-digest-signature",
	"ctaudit-digest-unsigned",
	"ctaudit-digest-gap",
	"ctaudit-delivery-gap",
};

struct verify_log {
	char		*key;		/* from "AWSLogs/" on */
	char		*name;		/* as read */
	char		 hash[DIGEST_SHA256_HEX];
	int		 listed;
};

struct verify_dig {
	struct digest	*d;
	char		*key;		/* where it was read, normalized */
	char		*name;
	char		*chain;		/* trail, account and region */
	const char	*sig, *sigalg;	/* from S3 or the sidecar, or NULL */
	char		*msig, *msigalg;	/* S3 object metadata */
	int		 s3;		/* read from S3: metadata at hand */
	int		 bad;		/* a finding names it */
	int		 sig_ok;	/* its signature verified */
};

struct verify_sig {
	char		*key;
	char		*sig;
	char		*alg;
};

struct verify {
	struct verify_log *logs;
	size_t		 nlogs, logsize;
	struct verify_dig *digs;
	size_t		 ndigs, digsize;
	struct verify_sig *sigs;
	size_t		 nsigs;
	int		 have_sigs;	/* --signatures given */
	uint64_t	 nmeta;		/* digests read from S3 */
	const char	*profile;	/* for ListPublicKeys, or NULL */
	const char	*savepath;	/* --save-signatures, or NULL */
	struct digest_keys keys;
	int		 have_keys;	/* --public-keys given */
	int		 json;
	FILE		*out;
	uint64_t	 findings[VERIFY_NRULES];
	uint64_t	 nfindings;
	uint64_t	 dig_valid, dig_invalid, log_valid, log_invalid;
	uint64_t	 others;	/* streams neither log nor digest */
	int64_t		 first, last;	/* digest times covered */
	scan_record_cb	*emit;		/* in an audit: findings as events */
	void		*emit_arg;
};

static int64_t	 verify_log_time(const char *);
static void	 verify_emit(struct verify *, struct verify_dig *,
		    enum verify_rule, const char *, const char *);
static void	 verify_where(const char *, char *, size_t, char *, size_t);
static void	 verify_finding(struct verify *, struct verify_dig *,
		    enum verify_rule, const char *, const char *, ...)
		    __printflike(5, 6);

/* The key from "AWSLogs/" on, or the whole name. */
static const char *
verify_norm(const char *name)
{
	const char	*p, *q = NULL;

	/* The last one: a prefix could hold the word too. */
	for (p = name; (p = strstr(p, "AWSLogs/")) != NULL; p++)
		q = p;
	return q != NULL ? q : name;
}

/* An object's S3 URI, in a static buffer good until the next call. */
static const char *
verify_s3(const char *bucket, const char *key)
{
	static char	*uri;

	free(uri);
	uri = xprintf("s3://%s/%s", bucket, key);
	return uri;
}

/* Write s with control bytes and backslashes escaped as \\xNN. */
static void
verify_text(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == '\\')
			fprintf(f, "\\x%02x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
}

/* Write s as the inside of a JSON string. */
static void
verify_json(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
}

/* Write one finding. */
static void
verify_finding(struct verify *v, struct verify_dig *vd, enum verify_rule r,
    const char *object, const char *fmt, ...)
{
	va_list		 ap;
	char		*msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatal("vasprintf");
	va_end(ap);
	if (vd != NULL)
		vd->bad = 1;
	v->findings[r]++;
	v->nfindings++;
	if (v->emit != NULL) {
		verify_emit(v, vd, r, object, msg);
		free(msg);
		return;
	}
	if (!v->json) {
		/* Names come from the archive: no forged lines. */
		fprintf(v->out, "critical %s ", verify_rule_ids[r]);
		verify_text(v->out, object);
		fputs(": ", v->out);
		verify_text(v->out, msg);
		fputc('\n', v->out);
		free(msg);
		return;
	}
	fprintf(v->out, "{\"level\":\"critical\",\"rule\":\"%s\","
	    "\"object\":\"", verify_rule_ids[r]);
	verify_json(v->out, object);
	fprintf(v->out, "\",\"message\":\"");
	verify_json(v->out, msg);
	fprintf(v->out, "\"}\n");
	free(msg);
}

/*
 * Read one stream to its end through gz: hash the inflated bytes and,
 * when keep is set, keep them in b.  0, or -1 after a diag().
 */
static int
verify_read(struct stream *s, struct gz *g, char *rbuf, struct buf *b,
    int keep, char hex[DIGEST_SHA256_HEX])
{
	const char		*out;
	char			*cause = NULL;
	size_t			 len;
	ssize_t			 n;
	int			 r, rv = -1;

	gz_hash(g, 1);
	gz_reset(g);
	do {
		if ((n = s->read(s, rbuf, VERIFY_READ_SIZE, &cause)) == -1) {
			diag(DIAG_ERROR, s->name, 0, "%s", cause);
			goto out;
		}
		gz_input(g, rbuf, (size_t)n);
		while ((r = gz_output(g, &out, &len, &cause)) == 1) {
			if (keep && buf_add(b, out, len) == -1) {
				diag(DIAG_ERROR, s->name, 0, "digest file "
				    "larger than %d bytes", DIGEST_DOC_MAX);
				goto out;
			}
		}
		if (r == -1) {
			diag(DIAG_ERROR, s->name, 0, "%s", cause);
			goto out;
		}
	} while (n != 0);
	if (gz_hash_hex(g, hex) == -1)
		fatalx("gz_hash_hex");
	rv = 0;
out:
	free(cause);
	return rv;
}

/* The chain a digest key belongs to: its name without the time. */
static char *
verify_chain_of(const char *key)
{
	const char	*slash, *us;

	/* .../ACCT_CloudTrail-Digest_REGION_TRAIL_REGION_YYYYMMDDTHHMMSSZ.json.gz */
	slash = strrchr(key, '/');
	us = strrchr(key, '_');
	if (slash == NULL || us == NULL || us < slash)
		return xstrdup(key);
	/* The prefix up to CloudTrail-Digest/, then the file's stem. */
	return xprintf("%.*s%.*s", (int)(strstr(key, "/CloudTrail-Digest/") !=
	    NULL ? strstr(key, "/CloudTrail-Digest/") - key : 0), key,
	    (int)(us - slash), slash);
}

/* 1 if name is a digest file's, by its key. */
int
verify_is_digest(const char *name)
{
	return strstr(verify_norm(name), "/CloudTrail-Digest/") != NULL;
}

/* 1 if name is a CloudTrail log file's, by its key. */
static int
verify_is_log(const char *name)
{
	const char	*key = verify_norm(name);
	size_t		 n = strlen(key);

	return strstr(key, "/CloudTrail/") != NULL && n >= 8 &&
	    strcmp(key + n - 8, ".json.gz") == 0;
}

/* Keep an inflated digest document read from name. */
static void
verify_add_digest(struct verify *v, struct stream *st, const char *data,
    size_t len)
{
	const char		*name = st->name, *sig, *alg;
	struct verify_dig	*vd;
	struct digest		*d;
	char			*cause = NULL;

	d = digest_parse(data, len, &cause);
	if (v->ndigs == v->digsize) {
		v->digsize = v->digsize == 0 ? 64 : v->digsize * 2;
		v->digs = xreallocarray(v->digs, v->digsize, sizeof *v->digs);
	}
	vd = &v->digs[v->ndigs++];
	memset(vd, 0, sizeof *vd);
	vd->d = d;
	vd->key = xstrdup(verify_norm(name));
	vd->name = xstrdup(name);
	vd->chain = verify_chain_of(vd->key);
	/* From S3 the signature is the object's metadata. */
	if (st->meta != NULL) {
		vd->s3 = 1;
		v->nmeta++;
		if ((sig = st->meta(st, "signature")) != NULL) {
			alg = st->meta(st, "signature-algorithm");
			vd->sig = vd->msig = xstrdup(sig);
			vd->sigalg = vd->msigalg = xstrdup(alg != NULL ? alg :
			    "SHA256withRSA");
		}
	}
	if (d == NULL) {
		verify_finding(v, vd, VERIFY_DIGEST_INVALID, name, "%s", cause);
		free(cause);
	}
}

/*
 * Note the hex SHA-256 of the inflated log file name, if its key is a
 * CloudTrail log file's: 1 if it is, else 0.
 */
int
verify_add_log(struct verify *v, const char *name, const char *hex)
{
	struct verify_log	*l;

	if (!verify_is_log(name))
		return 0;
	if (v->nlogs == v->logsize) {
		v->logsize = v->logsize == 0 ? 256 : v->logsize * 2;
		v->logs = xreallocarray(v->logs, v->logsize, sizeof *v->logs);
	}
	l = &v->logs[v->nlogs++];
	memset(l, 0, sizeof *l);
	l->key = xstrdup(verify_norm(name));
	l->name = xstrdup(name);
	snprintf(l->hash, sizeof l->hash, "%s", hex);
	return 1;
}

/*
 * Read a digest stream to its end and keep it: 0, or -1 after a diag()
 * (read error, corrupt gzip, over DIGEST_DOC_MAX).
 */
int
verify_digest_stream(struct verify *v, struct stream *s, struct gz *g,
    char *rbuf)
{
	struct buf	 b;
	char		 hex[DIGEST_SHA256_HEX];

	buf_init(&b, DIGEST_DOC_MAX);
	if (verify_read(s, g, rbuf, &b, 1, hex) == -1) {
		buf_clear(&b);
		return -1;
	}
	verify_add_digest(v, s, b.data, b.len);
	buf_clear(&b);
	return 0;
}

/* Take one stream of the archive. */
static void
verify_stream(struct verify *v, struct stream *s, struct gz *g, char *rbuf)
{
	char	 hex[DIGEST_SHA256_HEX];

	if (verify_is_digest(s->name)) {
		(void)verify_digest_stream(v, s, g, rbuf);
		return;
	}
	/* Only the log files, by name, are read. */
	if (!verify_is_log(s->name)) {
		v->others++;
		return;
	}
	if (verify_read(s, g, rbuf, NULL, 0, hex) == -1)
		return;
	(void)verify_add_log(v, s->name, hex);
}

static int
verify_log_cmp(const void *a, const void *b)
{
	return strcmp(((const struct verify_log *)a)->key,
	    ((const struct verify_log *)b)->key);
}

/* Digests in chain order: by chain, then by end time, then by key. */
static int
verify_dig_cmp(const void *a, const void *b)
{
	const struct verify_dig	*x = a, *y = b;
	int64_t			 xe, ye;
	int			 c;

	if ((c = strcmp(x->chain, y->chain)) != 0)
		return c;
	xe = x->d != NULL ? x->d->end_ms : 0;
	ye = y->d != NULL ? y->d->end_ms : 0;
	if (xe != ye)
		return xe < ye ? -1 : 1;
	return strcmp(x->key, y->key);
}

static int
verify_sig_cmp(const void *a, const void *b)
{
	return strcmp(((const struct verify_sig *)a)->key,
	    ((const struct verify_sig *)b)->key);
}

static struct verify_log *
verify_log_find(struct verify *v, const char *key)
{
	struct verify_log	 k;

	k.key = (char *)(uintptr_t)key;
	return bsearch(&k, v->logs, v->nlogs, sizeof *v->logs,
	    verify_log_cmp);
}

static struct verify_sig *
verify_sig_find(struct verify *v, const char *key)
{
	struct verify_sig	 k;

	k.key = (char *)(uintptr_t)key;
	return bsearch(&k, v->sigs, v->nsigs, sizeof *v->sigs,
	    verify_sig_cmp);
}

/* Read a whole (small) file into b: 0, or -1 after a diag(). */
static int
verify_slurp(const char *path, struct buf *b)
{
	FILE	*f;
	int	 rv;

	if ((f = fopen(path, "r")) == NULL) {
		diag(DIAG_CONFIG, path, 0, "%s", strerror(errno));
		return -1;
	}
	if ((rv = buf_fread(b, f)) == 1)
		diag(DIAG_CONFIG, path, 0, "larger than %zu bytes", b->max);
	else if (rv == -1)
		diag(DIAG_CONFIG, path, 0, "%s", strerror(errno));
	fclose(f);
	return rv == 0 ? 0 : -1;
}

/*
 * Load a signatures sidecar: one digest a line, "key TAB signature TAB
 * algorithm", as --save-signatures writes it.  0, or -1 after a diag().
 */
static int
verify_sigs_load(struct verify *v, const char *path)
{
	struct buf	 b;
	char		*p, *line, *t1, *t2;
	unsigned long	 lineno = 0;
	size_t		 size = 0;

	buf_init(&b, VERIFY_SIGS_MAX);
	if (verify_slurp(path, &b) == -1) {
		buf_clear(&b);
		return -1;
	}
	p = b.data;
	while ((line = strsep(&p, "\n")) != NULL) {
		lineno++;
		if (*line == '\0' || *line == '#')
			continue;
		if ((t1 = strchr(line, '\t')) == NULL ||
		    (t2 = strchr(t1 + 1, '\t')) == NULL) {
			diag(DIAG_CONFIG, path, lineno, "want key, signature "
			    "and algorithm separated by tabs");
			buf_clear(&b);
			return -1;
		}
		*t1++ = '\0';
		*t2++ = '\0';
		if (v->nsigs == size) {
			size = size == 0 ? 64 : size * 2;
			v->sigs = xreallocarray(v->sigs, size, sizeof *v->sigs);
		}
		v->sigs[v->nsigs].key = xstrdup(verify_norm(line));
		v->sigs[v->nsigs].sig = xstrdup(t1);
		v->sigs[v->nsigs].alg = xstrdup(t2);
		v->nsigs++;
	}
	buf_clear(&b);
	if (v->nsigs > 0)
		qsort(v->sigs, v->nsigs, sizeof *v->sigs, verify_sig_cmp);
	v->have_sigs = 1;
	return 0;
}

/*
 * --save-signatures: the signatures read from S3 metadata, in the form
 * verify_sigs_load() reads, for a later check of a downloaded copy.  0,
 * or -1 after a diag().
 */
static int
verify_sigs_save(struct verify *v, const char *path)
{
	FILE		*f;
	const char	*name;
	size_t		 i;
	int		 bad;

	if ((f = fopen(path, "w")) == NULL) {
		diag(DIAG_CONFIG, path, 0, "%s", strerror(errno));
		return -1;
	}
	for (i = 0; i < v->ndigs; i++) {
		if (v->digs[i].msig == NULL)
			continue;
		name = v->digs[i].name;
		if (strncmp(name, "s3://", 5) == 0)
			name += 5;
		/* A tab or newline would break the line apart. */
		if (strpbrk(name, "\t\n") != NULL ||
		    strpbrk(v->digs[i].msig, "\t\n") != NULL ||
		    strpbrk(v->digs[i].msigalg, "\t\n") != NULL)
			continue;
		fprintf(f, "%s\t%s\t%s\n", name, v->digs[i].msig,
		    v->digs[i].msigalg);
	}
	bad = fflush(f) == EOF || ferror(f);
	if (fclose(f) == EOF || bad) {
		diag(DIAG_CONFIG, path, 0, "%s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Load --public-keys: 0, or -1 after a diag(). */
static int
verify_keys_load(struct verify *v, const char *path)
{
	struct buf	 b;
	char		*cause = NULL;
	int		 rv = 0;

	buf_init(&b, VERIFY_KEYS_MAX);
	if (verify_slurp(path, &b) == -1)
		rv = -1;
	else if (digest_keys_parse(&v->keys, b.data, b.len, &cause) == -1) {
		diag(DIAG_CONFIG, path, 0, "%s", cause);
		free(cause);
		rv = -1;
	}
	buf_clear(&b);
	v->have_keys = rv == 0;
	return rv;
}

/*
 * The time in a log file's name (..._YYYYMMDDTHHMMZ_...) or a digest's
 * (..._YYYYMMDDTHHMMSSZ.json.gz), or -1.
 */
static int64_t
verify_log_time(const char *key)
{
	const char	*p;
	char		 iso[32];
	size_t		 n;
	int64_t		 t;

	if ((p = strrchr(key, '/')) == NULL)
		p = key;
	for (; (p = strchr(p, '_')) != NULL; p++) {
		/* A log file's HHMMZ, or a digest's HHMMSSZ. */
		if (strlen(p) < 15 || p[9] != 'T' ||
		    strspn(p + 1, "0123456789") != 8)
			continue;
		n = strspn(p + 10, "0123456789");
		if (n == 4 && p[14] == 'Z')
			snprintf(iso, sizeof iso, "%.4s-%.2s-%.2sT%.2s:%.2s:"
			    "00Z", p + 1, p + 5, p + 7, p + 10, p + 12);
		else if (n == 6 && p[16] == 'Z')
			snprintf(iso, sizeof iso, "%.4s-%.2s-%.2sT%.2s:%.2s:"
			    "%.2sZ", p + 1, p + 5, p + 7, p + 10, p + 12,
			    p + 14);
		else
			continue;
		if (eventtime_parse(iso, strlen(iso), &t) == 0)
			return t;
	}
	return -1;
}

/*
 * The account and region of a key, as "prefix/region": the part before
 * kind ("/CloudTrail/" or "/CloudTrail-Digest/") and the directory after
 * it.  Allocated, or NULL.
 */
static char *
verify_scope(const char *key, const char *kind)
{
	const char	*p, *e;

	if ((p = strstr(key, kind)) == NULL)
		return NULL;
	e = p + strlen(kind);
	if ((e = strchr(e, '/')) == NULL)
		return NULL;
	return xprintf("%.*s/%.*s", (int)(p - key), key,
	    (int)(e - (p + strlen(kind))), p + strlen(kind));
}

/*
 * Ask CloudTrail in region for the public keys of the period, page by
 * page (JSON 1.1 protocol, SigV4, the usual credential chain and
 * AWS_ENDPOINT_URL_CLOUDTRAIL): 0, or -1 and *cause.
 */
static int
verify_keys_ask(struct verify *v, struct aws_cred_chain *chain,
    struct http_client *http, const char *region, char **cause)
{
	const char		*tokpath[] = { "NextToken", NULL };
	struct http_header	 h[] = {
		{ "Content-Type", "application/x-amz-json-1.1" },
		{ "X-Amz-Target", VERIFY_CT_TARGET },
	};
	struct http_request	 rq;
	struct http_response	 rs;
	struct aws_cred		 cred;
	struct sigv4_credentials sc;
	yajl_val		 top, tok;
	FILE			*f;
	char			*ep, *url, *body = NULL, *token = NULL, *why;
	char			 err[128];
	size_t			 len;
	int			 page, custom, rv = -1;

	ep = aws_endpoint_resolve("cloudtrail", region, &custom);
	url = xprintf("%s/", ep);
	free(ep);
	for (page = 0; page < VERIFY_KEY_PAGES; page++) {
		if ((f = open_memstream(&body, &len)) == NULL)
			fatal("open_memstream");
		/* Seconds, as the JSON protocol has timestamps. */
		fprintf(f, "{\"StartTime\":%lld,\"EndTime\":%lld",
		    (long long)(v->first / 1000),
		    (long long)(v->last / 1000 + 1));
		if (token != NULL) {
			fputs(",\"NextToken\":\"", f);
			verify_json(f, token);
			fputc('"', f);
		}
		fputc('}', f);
		if (fclose(f) == EOF)
			fatal("open_memstream");
		free(token);
		token = NULL;
		why = NULL;
		memset(&cred, 0, sizeof cred);
		if (aws_cred_get(chain, &cred, &why) == -1) {
			*cause = xprintf("credentials: %s", why);
			free(why);
			goto out;
		}
		memset(&rq, 0, sizeof rq);
		rq.method = "POST";
		rq.url = url;
		rq.headers = h;
		rq.nheaders = sizeof h / sizeof h[0];
		rq.body = body;
		rq.bodylen = len;
		aws_cred_sigv4(&cred, &sc);
		rq.cred = &sc;
		rq.region = region;
		rq.service = "cloudtrail";
		rq.sigv4_flags = SIGV4_SERVICE;
		rq.body_max = VERIFY_KEYS_MAX;
		http_response_init(&rs);
		if (http_do(http, &rq, &rs, &why) == -1) {
			aws_cred_clear(&cred);
			http_response_clear(&rs);
			*cause = why;
			goto out;
		}
		aws_cred_clear(&cred);
		if (rs.status != 200) {
			*cause = aws_error_describe(rs.body.data, rs.body.len,
			    rs.status);
			http_response_clear(&rs);
			goto out;
		}
		if (digest_keys_parse(&v->keys, rs.body.data, rs.body.len,
		    cause) == -1) {
			http_response_clear(&rs);
			goto out;
		}
		if ((top = yajl_tree_parse(rs.body.data, err,
		    sizeof err)) != NULL) {
			tok = yajl_tree_get(top, tokpath, yajl_t_string);
			if (tok != NULL && *YAJL_GET_STRING(tok) != '\0')
				token = xstrdup(YAJL_GET_STRING(tok));
			yajl_tree_free(top);
		}
		http_response_clear(&rs);
		free(body);
		body = NULL;
		if (token == NULL) {
			rv = 0;
			goto out;
		}
	}
	*cause = xprintf("more than %d pages", VERIFY_KEY_PAGES);
out:
	free(token);
	free(body);
	free(url);
	return rv;
}

/*
 * Digests from S3 and no --public-keys: ask CloudTrail for the keys of
 * each region the digests come from (each region signs with its own).
 */
static void
verify_keys_fetch(struct verify *v)
{
	struct aws_cred_opts	 copts;
	struct aws_cred_chain	*chain = NULL;
	struct http_client	*http = NULL;
	char			*regions[VERIFY_KEY_REGIONS], acct[128], reg[64];
	char			*why = NULL;
	size_t			 i, j, nregions = 0;

	for (i = 0; i < v->ndigs; i++) {
		if (v->digs[i].sig == NULL)
			continue;
		verify_where(v->digs[i].key, acct, sizeof acct, reg,
		    sizeof reg);
		for (j = 0; j < nregions; j++)
			if (strcmp(regions[j], reg) == 0)
				break;
		/* The region goes into a host name: letters, digits, '-'. */
		if (j == nregions && nregions < VERIFY_KEY_REGIONS &&
		    *reg != '\0' && strspn(reg, "abcdefghijklmnopqrstuvwxyz"
		    "0123456789-") == strlen(reg))
			regions[nregions++] = xstrdup(reg);
	}
	if (nregions == 0)
		return;
	memset(&copts, 0, sizeof copts);
	copts.profile = v->profile;
	copts.region = regions[0];
	if ((chain = aws_cred_chain_create(&copts, &why)) == NULL ||
	    (http = http_client_create(NULL, &why)) == NULL) {
		diag(DIAG_ERROR, NULL, 0, "verify: ListPublicKeys: %s", why);
		free(why);
		goto out;
	}
	v->have_keys = 1;
	for (j = 0; j < nregions; j++) {
		if (verify_keys_ask(v, chain, http, regions[j], &why) == -1) {
			diag(DIAG_ERROR, NULL, 0, "verify: ListPublicKeys in "
			    "%s: %s", regions[j], why);
			free(why);
			why = NULL;
			v->have_keys = 0;
		}
	}
out:
	aws_cred_chain_free(chain);
	http_client_free(http);
	for (j = 0; j < nregions; j++)
		free(regions[j]);
}

/* Check one digest's place, signature and listed log files. */
static void
verify_one(struct verify *v, struct verify_dig *vd)
{
	struct digest		*d = vd->d;
	const struct digest_key	*k;
	struct verify_log	*l;
	struct verify_sig	*s;
	char			*cause = NULL;
	size_t			 i;
	int			 r;

	if (strcmp(verify_norm(d->object), vd->key) != 0)
		verify_finding(v, vd, VERIFY_DIGEST_INVALID, vd->name,
		    "has been moved from its original location %s/%s",
		    d->bucket, d->object);
	if (vd->sig == NULL && v->have_sigs &&
	    (s = verify_sig_find(v, vd->key)) != NULL) {
		vd->sig = s->sig;
		vd->sigalg = s->alg;
	}
	if (vd->sig == NULL && vd->s3)
		verify_finding(v, vd, VERIFY_SIG_MISSING, vd->name,
		    "no x-amz-meta-signature on the object");
	else if (vd->sig == NULL && v->have_sigs)
		verify_finding(v, vd, VERIFY_SIG_MISSING, vd->name,
		    "no signature recorded for this digest");
	if (vd->sig != NULL && v->have_keys) {
		if ((k = digest_keys_find(&v->keys, d->fingerprint)) == NULL)
			verify_finding(v, vd, VERIFY_SIG_BAD, vd->name,
			    "public key not found for fingerprint %s",
			    d->fingerprint);
		else if ((r = digest_verify(d, vd->sig, vd->sigalg, k->der,
		    k->derlen, &cause)) == -1) {
			verify_finding(v, vd, VERIFY_SIG_BAD, vd->name, "%s",
			    cause);
			free(cause);
			cause = NULL;
		} else if (r == 0)
			verify_finding(v, vd, VERIFY_SIG_BAD, vd->name,
			    "signature verification failed");
		else
			vd->sig_ok = 1;
	}
	for (i = 0; i < d->nlogs; i++) {
		l = verify_log_find(v, verify_norm(d->logs[i].object));
		if (l == NULL) {
			v->log_invalid++;
			verify_finding(v, NULL, VERIFY_LOG_DELETED,
			    verify_s3(d->logs[i].bucket, d->logs[i].object),
			    "not found (listed in %s)", vd->name);
			continue;
		}
		l->listed = 1;
		if (strcasecmp(d->logs[i].algorithm, "SHA-256") != 0 ||
		    strcasecmp(l->hash, d->logs[i].hash) != 0) {
			v->log_invalid++;
			verify_finding(v, NULL, VERIFY_LOG_MODIFIED, l->name,
			    "hash value does not match the digest (SHA-256 "
			    "%s, listed %s)", l->hash, d->logs[i].hash);
		} else
			v->log_valid++;
	}
}

/* Check the link from digest a to the digest b after it in one chain. */
static void
verify_link(struct verify *v, struct verify_dig *a, struct verify_dig *b)
{
	struct digest	*pd = a->d, *d = b->d;

	if (d->prev_object == NULL) {
		/*
		 * CloudTrail starts a new chain when a trail starts logging
		 * again: its own word for the hours between, as validate-logs
		 * has it, not a finding (StopLogging is the rules' to see).
		 */
		diag(DIAG_WARN, b->name, 0, "no log files were delivered by "
		    "CloudTrail between %s and %s", pd->end, d->start);
		return;
	}
	if (strcmp(verify_norm(d->prev_object), a->key) != 0) {
		v->dig_invalid++;
		verify_finding(v, NULL, VERIFY_DIGEST_MISSING,
		    verify_s3(d->prev_bucket != NULL ? d->prev_bucket : "",
		    d->prev_object), "not found (named by %s)", b->name);
		return;
	}
	if (d->prev_hash == NULL || strcasecmp(d->prev_hash, pd->sha256) != 0)
		verify_finding(v, b, VERIFY_CHAIN_BROKEN, b->name,
		    "previousDigestHashValue %s, but %s hashes to %s",
		    d->prev_hash != NULL ? d->prev_hash : "null", a->name,
		    pd->sha256);
	if (a->sig != NULL && (d->prev_sig == NULL ||
	    strcasecmp(d->prev_sig, a->sig) != 0))
		verify_finding(v, b, VERIFY_CHAIN_BROKEN, b->name,
		    "previousDigestSignature differs from the signature "
		    "of %s", a->name);
	if (d->start_ms > pd->end_ms)
		verify_finding(v, NULL, VERIFY_DIGEST_GAP, b->name,
		    "no digest covers %s to %s", pd->end, d->start);
}

/* Run the checks over what was read. */
static void
verify_check(struct verify *v)
{
	struct verify_dig	*vd, *prev;
	struct verify_log	*l;
	struct {
		char	*name;
		int64_t	 lo, hi;
	}			*scopes = NULL;
	char			*scope;
	size_t			 i, j, nscopes = 0;
	int64_t			 t;
	int			 vouched;

	/* The period the digests cover, for ListPublicKeys. */
	for (i = 0; i < v->ndigs; i++) {
		vd = &v->digs[i];
		if (vd->d == NULL)
			continue;
		if (v->first == 0 || vd->d->start_ms < v->first)
			v->first = vd->d->start_ms;
		if (vd->d->end_ms > v->last)
			v->last = vd->d->end_ms;
	}
	if (!v->have_keys && v->nmeta > 0)
		verify_keys_fetch(v);
	/* qsort() must not be handed the NULL of an empty array. */
	if (v->nlogs > 0)
		qsort(v->logs, v->nlogs, sizeof *v->logs, verify_log_cmp);
	if (v->ndigs > 0)
		qsort(v->digs, v->ndigs, sizeof *v->digs, verify_dig_cmp);
	for (i = 0; i < v->ndigs; i++) {
		vd = &v->digs[i];
		if (vd->d == NULL)
			continue;
		verify_one(v, vd);
		if (v->first == 0 || vd->d->start_ms < v->first)
			v->first = vd->d->start_ms;
		if (vd->d->end_ms > v->last)
			v->last = vd->d->end_ms;
	}
	for (i = 1; i < v->ndigs; i++) {
		prev = &v->digs[i - 1];
		vd = &v->digs[i];
		if (prev->d == NULL || vd->d == NULL ||
		    strcmp(prev->chain, vd->chain) != 0)
			continue;
		verify_link(v, prev, vd);
	}
	/*
	 * Hours without a log file, between hours with some.  Where every
	 * empty digest of the run is signed by CloudTrail and verified (and
	 * nothing else is wrong with it), CloudTrail itself says that nothing
	 * was delivered: a quiet hour, not a finding.  Unsigned or unchecked
	 * (a downloaded tree without --signatures), an empty digest could be
	 * a forgery over deleted files, so the gap is reported.
	 */
	for (i = 0; i < v->ndigs; i++) {
		vd = &v->digs[i];
		if (vd->d == NULL || vd->d->nlogs == 0)
			continue;
		vouched = 1;
		for (j = i + 1; j < v->ndigs && v->digs[j].d != NULL &&
		    v->digs[j].d->nlogs == 0 &&
		    strcmp(v->digs[j].chain, vd->chain) == 0; j++)
			if (!v->digs[j].sig_ok || v->digs[j].bad)
				vouched = 0;
		if (j > i + 1 && j < v->ndigs && v->digs[j].d != NULL &&
		    strcmp(v->digs[j].chain, vd->chain) == 0 && !vouched)
			verify_finding(v, NULL, VERIFY_DELIVERY_GAP,
			    v->digs[i + 1].name, "no log files were delivered "
			    "between %s and %s", vd->d->end,
			    v->digs[j].d->start);
	}
	for (i = 0; i < v->ndigs; i++) {
		if (v->digs[i].d == NULL || v->digs[i].bad)
			v->dig_invalid++;
		else
			v->dig_valid++;
	}
	/* The hours the digests of each account and region cover. */
	for (i = 0; i < v->ndigs; i++) {
		vd = &v->digs[i];
		if (vd->d == NULL ||
		    (scope = verify_scope(vd->key, "/CloudTrail-Digest/")) ==
		    NULL)
			continue;
		for (j = 0; j < nscopes; j++)
			if (strcmp(scopes[j].name, scope) == 0)
				break;
		if (j == nscopes) {
			scopes = xreallocarray(scopes, ++nscopes,
			    sizeof *scopes);
			scopes[j].name = scope;
			scopes[j].lo = vd->d->start_ms;
			scopes[j].hi = vd->d->end_ms;
			continue;
		}
		free(scope);
		if (vd->d->start_ms < scopes[j].lo)
			scopes[j].lo = vd->d->start_ms;
		if (vd->d->end_ms > scopes[j].hi)
			scopes[j].hi = vd->d->end_ms;
	}
	/* Log files no digest lists, in hours the digests cover. */
	for (i = 0; i < v->nlogs; i++) {
		l = &v->logs[i];
		if (l->listed || (t = verify_log_time(l->key)) == -1 ||
		    (scope = verify_scope(l->key, "/CloudTrail/")) == NULL)
			continue;
		for (j = 0; j < nscopes; j++)
			if (strcmp(scopes[j].name, scope) == 0)
				break;
		free(scope);
		/*
		 * A file named for the last minutes may be in the next
		 * digest, not yet written: give it some slack.
		 */
		if (j < nscopes && t >= scopes[j].lo &&
		    t + VERIFY_UNLISTED_SLACK < scopes[j].hi) {
			v->log_invalid++;
			verify_finding(v, NULL, VERIFY_LOG_UNLISTED, l->name,
			    "no digest lists this log file");
		}
	}
	for (j = 0; j < nscopes; j++)
		free(scopes[j].name);
	free(scopes);
}

/* The account and region in an object's key, or "". */
static void
verify_where(const char *name, char *acct, size_t asz, char *reg,
    size_t rsz)
{
	const char	*key = verify_norm(name), *p, *a, *r, *e;

	*acct = *reg = '\0';
	if ((p = strstr(key, "/CloudTrail/")) == NULL &&
	    (p = strstr(key, "/CloudTrail-Digest/")) == NULL)
		return;
	for (a = p; a > key && a[-1] != '/'; a--)
		;
	snprintf(acct, asz, "%.*s", (int)(p - a), a);
	r = strchr(p + 1, '/') + 1;
	if ((e = strchr(r, '/')) != NULL)
		snprintf(reg, rsz, "%.*s", (int)(e - r), r);
}

/*
 * In an audit, a finding becomes an event (eventSource ctaudit.verify,
 * eventName for the rule, the object in requestParameters) that goes
 * through the audit's own path: verify_rules_yaml matches it.
 */
static void
verify_emit(struct verify *v, struct verify_dig *vd, enum verify_rule r,
    const char *object, const char *msg)
{
	struct json_stats	 js;
	struct json		*j;
	FILE			*f;
	char			*text = NULL, acct[128], reg[64];
	char			 tbuf[EVENTTIME_BUFSIZE];
	size_t			 len = 0;
	int64_t			 t;

	if (vd != NULL && vd->d != NULL)
		t = vd->d->end_ms;
	else
		t = verify_log_time(object);
	verify_where(object, acct, sizeof acct, reg, sizeof reg);
	if ((f = open_memstream(&text, &len)) == NULL)
		fatal("open_memstream");
	fprintf(f, "{\"eventVersion\":\"1.11\",");
	if (t != -1) {
		eventtime_format(t, tbuf, sizeof tbuf);
		fprintf(f, "\"eventTime\":\"%s\",", tbuf);
	}
	fprintf(f, "\"eventSource\":\"" VERIFY_EVENT_SOURCE "\",\"eventName\":"
	    "\"%s\",\"awsRegion\":\"", verify_event_names[r]);
	verify_json(f, reg);
	fprintf(f, "\",\"recipientAccountId\":\"");
	verify_json(f, acct);
	fprintf(f, "\",\"errorCode\":\"%s\",\"errorMessage\":\"",
	    verify_rule_ids[r]);
	verify_json(f, msg);
	fprintf(f, "\",\"requestParameters\":{\"object\":\"");
	verify_json(f, object);
	fprintf(f, "\"},\"readOnly\":true,\"eventType\":\"ctauditVerify\"}\n");
	if (fclose(f) == EOF)
		fatal("open_memstream");
	memset(&js, 0, sizeof js);
	j = json_create(object, v->emit, v->emit_arg, &js);
	(void)json_feed(j, text, len);
	(void)json_end(j, 1);
	json_free(j);
	free(text);
}

/* Free what v holds, not v. */
static void
verify_clear(struct verify *v)
{
	size_t	 i;

	for (i = 0; i < v->nlogs; i++) {
		free(v->logs[i].key);
		free(v->logs[i].name);
	}
	free(v->logs);
	for (i = 0; i < v->ndigs; i++) {
		digest_free(v->digs[i].d);
		free(v->digs[i].key);
		free(v->digs[i].name);
		free(v->digs[i].chain);
		free(v->digs[i].msig);
		free(v->digs[i].msigalg);
	}
	free(v->digs);
	for (i = 0; i < v->nsigs; i++) {
		free(v->sigs[i].key);
		free(v->sigs[i].sig);
		free(v->sigs[i].alg);
	}
	free(v->sigs);
	digest_keys_clear(&v->keys);
}

/* --verify in an audit. */
struct verify *
verify_create(void)
{
	struct verify	*v;

	v = xcalloc(1, sizeof *v);
	v->out = stdout;
	return v;
}

void
verify_free(struct verify *v)
{
	if (v == NULL)
		return;
	verify_clear(v);
	free(v);
}

/* --profile, for ListPublicKeys; borrowed. */
void
verify_set_profile(struct verify *v, const char *profile)
{
	v->profile = profile;
}

/* --save-signatures in an audit, or NULL; borrowed. */
void
verify_set_save(struct verify *v, const char *path)
{
	v->savepath = path;
}

/* --signatures and --public-keys: 0, or -1 after a diag(). */
int
verify_load_signatures(struct verify *v, const char *path)
{
	return verify_sigs_load(v, path);
}

int
verify_load_keys(struct verify *v, const char *path)
{
	return verify_keys_load(v, path);
}

/* What was not checked, said once at the end. */
static void
verify_notes(struct verify *v)
{
	if (v->ndigs == 0)
		diag(DIAG_ERROR, NULL, 0, "verify: no CloudTrail digest files "
		    "found");
	else if (!v->have_sigs && v->nmeta == 0)
		diag(DIAG_NOTE, NULL, 0, "verify: signatures were not checked: "
		    "a downloaded tree has no object metadata "
		    "(use --signatures)");
	else if (!v->have_keys)
		diag(DIAG_NOTE, NULL, 0, "verify: signatures were not checked: "
		    "no public keys (use --public-keys)");
}

/*
 * After the audit's pass: run the checks (each finding an event for the
 * callback), then say what was not checked and the counts.
 */
void
verify_finish(struct verify *v, scan_record_cb *cb, void *arg)
{
	v->emit = cb;
	v->emit_arg = arg;
	/* As ctaudit verify does: the file is written before the checks. */
	if (v->savepath != NULL)
		(void)verify_sigs_save(v, v->savepath);
	verify_check(v);
	verify_notes(v);
	if (v->ndigs > 0)
		diag(DIAG_NOTE, NULL, 0, "verify: %llu/%llu digest files "
		    "valid, %llu/%llu log files valid, %llu findings",
		    (unsigned long long)v->dig_valid,
		    (unsigned long long)(v->dig_valid + v->dig_invalid),
		    (unsigned long long)v->log_valid,
		    (unsigned long long)(v->log_valid + v->log_invalid),
		    (unsigned long long)v->nfindings);
}

static void
verify_usage(void)
{
	fprintf(stderr, "usage: ctaudit verify [-q] [-f text|json] "
	    "[--public-keys file] [--signatures file] [--summary]\n"
	    "                      [--save-signatures file]\n"
	    "                      path | s3://bucket[/prefix] ...\n");
}

/* Print what validate-logs prints at the end: files valid and invalid. */
static void
verify_summary(struct verify *v, FILE *f)
{
	char	 a[EVENTTIME_BUFSIZE], b[EVENTTIME_BUFSIZE];
	uint64_t n;

	if (v->dig_valid + v->dig_invalid == 0) {
		fprintf(f, "No digests found\n");
		return;
	}
	eventtime_format(v->first, a, sizeof a);
	eventtime_format(v->last, b, sizeof b);
	fprintf(f, "Results found for %s to %s:\n\n", a, b);
	n = v->dig_valid + v->dig_invalid;
	fprintf(f, "%llu/%llu digest files valid", (unsigned long long)
	    v->dig_valid, (unsigned long long)n);
	if (v->dig_invalid > 0)
		fprintf(f, ", %llu/%llu digest files INVALID",
		    (unsigned long long)v->dig_invalid, (unsigned long long)n);
	fputc('\n', f);
	n = v->log_valid + v->log_invalid;
	if (n > 0) {
		fprintf(f, "%llu/%llu log files valid", (unsigned long long)
		    v->log_valid, (unsigned long long)n);
		if (v->log_invalid > 0)
			fprintf(f, ", %llu/%llu log files INVALID",
			    (unsigned long long)v->log_invalid,
			    (unsigned long long)n);
		fputc('\n', f);
	}
}

/* The subcommand; see verify.h. */
int
verify_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format",		required_argument, NULL, 'f' },
		{ "help",		no_argument,	   NULL, 'h' },
		{ "public-keys",	required_argument, NULL, 'k' },
		{ "quiet",		no_argument,	   NULL, 'q' },
		{ "save-signatures",	required_argument, NULL, 'W' },
		{ "signatures",		required_argument, NULL, 's' },
		{ "summary",		no_argument,	   NULL, 'S' },
		{ NULL,			0,		   NULL, 0 }
	};
	struct verify		 v;
	struct source_opts	 sopts;
	struct source		*src;
	struct stream		*st;
	struct gz		*g;
	char			*rbuf, *cause = NULL;
	size_t			 i, n;
	const char		*savepath = NULL;
	int			 ch, rv, summary = 0, status;

	memset(&v, 0, sizeof v);
	memset(&sopts, 0, sizeof sopts);
	sopts.digests = 1;
	v.out = stdout;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":f:hq", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (strcmp(optarg, "json") == 0)
				v.json = 1;
			else if (strcmp(optarg, "text") != 0) {
				diag(DIAG_CONFIG, NULL, 0, "verify: -f %s: "
				    "want text or json", optarg);
				status = 3;
				goto out;
			}
			break;
		case 'h':
			verify_usage();
			status = 0;
			goto out;
		case 'k':
			if (verify_keys_load(&v, optarg) == -1) {
				status = 3;
				goto out;
			}
			break;
		case 'q':
			diag_set_quiet(1);
			break;
		case 's':
			if (verify_sigs_load(&v, optarg) == -1) {
				status = 3;
				goto out;
			}
			break;
		case 'S':
			summary = 1;
			break;
		case 'W':
			savepath = optarg;
			break;
		case ':':
			diag(DIAG_CONFIG, NULL, 0, "verify: %s needs a value",
			    argv[optind - 1]);
			verify_usage();
			status = 3;
			goto out;
		default:
			diag(DIAG_CONFIG, NULL, 0, "verify: unknown option %s",
			    argv[optind - 1]);
			verify_usage();
			status = 3;
			goto out;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		diag(DIAG_CONFIG, NULL, 0, "verify: no path or s3:// URI");
		verify_usage();
		status = 3;
		goto out;
	}

	g = gz_create();
	rbuf = xmalloc(VERIFY_READ_SIZE);
	for (i = 0; i < (size_t)argc; i++) {
		if ((src = source_open(argv[i], &sopts, &cause)) == NULL) {
			n = strlen(argv[i]);
			diag(DIAG_ERROR, argv[i], 0, "%s", strncmp(cause,
			    argv[i], n) == 0 && strncmp(cause + n, ": ", 2) ==
			    0 ? cause + n + 2 : cause);
			free(cause);
			cause = NULL;
			continue;
		}
		for (;;) {
			st = NULL;
			if ((rv = source_next(src, &st, &cause)) == 0)
				break;
			if (rv == -1) {
				diag(DIAG_ERROR, st != NULL ? st->name : NULL,
				    0, "%s", cause);
				free(cause);
				cause = NULL;
				continue;
			}
			verify_stream(&v, st, g, rbuf);
		}
		source_close(src);
	}
	free(rbuf);
	gz_free(g);

	if (savepath != NULL && verify_sigs_save(&v, savepath) == -1) {
		status = 3;
		goto out;
	}
	verify_check(&v);
	verify_notes(&v);
	/* On stderr, as the audit's: stdout stays findings only. */
	if (summary)
		verify_summary(&v, stderr);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		diag(DIAG_ERROR, NULL, 0, "stdout: %s", strerror(errno));
	}
	switch (diag_worst()) {
	case DIAG_CONFIG:
		status = 3;
		break;
	case DIAG_ERROR:
		status = 2;
		break;
	default:
		status = v.nfindings > 0 ? 1 : 0;
		break;
	}
out:
	verify_clear(&v);
	return status;
}
