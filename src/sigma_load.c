/* SPDX-License-Identifier: ISC */
/*
 * Sigma rule files to compiled rules.  A file is read whole (up to
 * SIGMA_FILE_MAX) and handed to libyaml's document loader one document at
 * a time; each document is one rule.  A document is first checked as a
 * tree (no aliases, bounded nesting and size, unique string keys), then
 * its metadata are read, rules for other log sources than AWS CloudTrail
 * are counted and skipped, and the detection is compiled: every search
 * identifier into groups of match items (match.h), the condition into a
 * tree (sigma_cond.c, by way of sigma_detect.c).  A correlation rule (a
 * "correlation" section in place of the detection) is checked and kept as
 * written (sigma_corr.c); the rules it names are found later, by the rule
 * set (rule.c).  Every rejected document is reported with diag() at its
 * YAML line, and loading goes on with the next document.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "buf.h"
#include "forms.h"
#include "log.h"
#include "match.h"
#include "sigma.h"
#include "sigma_int.h"
#include "xmalloc.h"

static const char *const sigma_load_statuses[] = {
	"stable", "test", "experimental", "deprecated", "unsupported"
};

static int	 sigma_load_check(struct sigma_load *, int, unsigned long,
		    int);
static int	 sigma_load_str(struct sigma_load *, yaml_node_t *,
		    const char *, char **);
static int	 sigma_load_meta(struct sigma_load *, yaml_node_t *,
		    struct rule *);
static yaml_node_t *sigma_load_key(struct sigma_load *, yaml_node_t *,
		    const char *);
static int	 sigma_load_logsource(struct sigma_load *, yaml_node_t *);
static int	 sigma_load_for_us(struct sigma_load *, yaml_node_t *,
		    const char *);
static void	 sigma_corr_free(struct sigma_corr *);
static int	 sigma_load_filter(struct sigma_load *, yaml_node_t *,
		    yaml_node_t *, struct rule *);
static struct rule *sigma_load_rule_new(struct sigma_load *,
		    const yaml_node_t *);
static void	 sigma_load_doc(struct sigma_load *, int *);
static size_t	 sigma_load_depth(const char *, size_t, unsigned long *);
static int	 sigma_load_too_large(const char *, struct sigma_load_ctx *);

/* Record why the document is rejected, at the node's line. */
int
sigma_load_fail(struct sigma_load *sl, const yaml_node_t *n,
    const char *fmt, ...)
{
	va_list	ap;

	if (sl->cause != NULL)
		return -1;
	sl->line = n != NULL ? n->start_mark.line + 1 : 0;
	va_start(ap, fmt);
	if (vasprintf(&sl->cause, fmt, ap) == -1)
		fatal("vasprintf");
	va_end(ap);
	return -1;
}

/* The node at idx of the document being read. */
yaml_node_t *
sigma_load_node(struct sigma_load *sl, int idx)
{
	return yaml_document_get_node(sl->doc, idx);
}

/*
 * Walk the tree once: a node reached twice is an alias (refused, so that
 * no alias bomb is ever expanded), and nesting, mapping sizes and keys
 * are checked.  line is where the reference to the node appears.
 */
static int
sigma_load_check(struct sigma_load *sl, int idx, unsigned long line,
    int depth)
{
	yaml_node_t		*n, *k, *k2;
	yaml_node_pair_t	*pair, *p2;
	yaml_node_item_t	*item;
	size_t			 npairs;

	if ((n = sigma_load_node(sl, idx)) == NULL)
		return sigma_load_fail(sl, NULL, "bad YAML node");
	if (sl->seen[idx - 1]) {
		sl->line = line;
		xasprintf(&sl->cause, "YAML aliases are not supported (the "
		    "anchor is at line %zu)", n->start_mark.line + 1);
		return -1;
	}
	sl->seen[idx - 1] = 1;
	if (depth > SIGMA_DEPTH_MAX) {
		return sigma_load_fail(sl, n, "YAML nested deeper than %d "
		    "levels", SIGMA_DEPTH_MAX);
	}
	switch (n->type) {
	case YAML_SCALAR_NODE:
		if (strlen((char *)n->data.scalar.value) !=
		    n->data.scalar.length)
			return sigma_load_fail(sl, n, "NUL byte in a string");
		break;
	case YAML_SEQUENCE_NODE:
		for (item = n->data.sequence.items.start;
		    item < n->data.sequence.items.top; item++) {
			if (sigma_load_check(sl, *item,
			    n->start_mark.line + 1, depth + 1) == -1)
				return -1;
		}
		break;
	case YAML_MAPPING_NODE:
		npairs = n->data.mapping.pairs.top -
		    n->data.mapping.pairs.start;
		if (npairs > SIGMA_MAP_MAX) {
			return sigma_load_fail(sl, n, "YAML mapping with more "
			    "than %d keys", SIGMA_MAP_MAX);
		}
		for (pair = n->data.mapping.pairs.start;
		    pair < n->data.mapping.pairs.top; pair++) {
			if (sigma_load_check(sl, pair->key,
			    n->start_mark.line + 1, depth + 1) == -1)
				return -1;
			k = sigma_load_node(sl, pair->key);
			if (k->type != YAML_SCALAR_NODE)
				return sigma_load_fail(sl, k, "mapping keys "
				    "must be strings");
			for (p2 = n->data.mapping.pairs.start; p2 < pair;
			    p2++) {
				k2 = sigma_load_node(sl, p2->key);
				if (strcmp((char *)k->data.scalar.value,
				    (char *)k2->data.scalar.value) == 0)
					return sigma_load_fail(sl, k,
					    "duplicate key '%s'",
					    k->data.scalar.value);
			}
			if (sigma_load_check(sl, pair->value,
			    k->start_mark.line + 1, depth + 1) == -1)
				return -1;
		}
		break;
	default:
		return sigma_load_fail(sl, n, "empty YAML node");
	}
	return 0;
}

/* A plain null scalar: empty, ~ or null. */
int
sigma_load_isnull(const yaml_node_t *n)
{
	const char	*s;

	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	s = (const char *)n->data.scalar.value;
	return *s == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	    strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

/* The text of a scalar node. */
const char *
sigma_load_scalar(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/* The value of key in a mapping, or NULL. */
yaml_node_t *
sigma_load_get(struct sigma_load *sl, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t	*pair;

	if (map->type != YAML_MAPPING_NODE)
		return NULL;
	for (pair = map->data.mapping.pairs.start;
	    pair < map->data.mapping.pairs.top; pair++) {
		if (strcmp(sigma_load_scalar(sigma_load_node(sl, pair->key)),
		    key) == 0)
			return sigma_load_node(sl, pair->value);
	}
	return NULL;
}

/* The key node of key in a mapping, or NULL. */
static yaml_node_t *
sigma_load_key(struct sigma_load *sl, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t	*pair;
	yaml_node_t		*k;

	for (pair = map->data.mapping.pairs.start;
	    pair < map->data.mapping.pairs.top; pair++) {
		k = sigma_load_node(sl, pair->key);
		if (strcmp(sigma_load_scalar(k), key) == 0)
			return k;
	}
	return NULL;
}

/* A string attribute; a null value leaves *out alone. */
static int
sigma_load_str(struct sigma_load *sl, yaml_node_t *n, const char *what,
    char **out)
{
	if (n == NULL || sigma_load_isnull(n))
		return 0;
	if (n->type != YAML_SCALAR_NODE)
		return sigma_load_fail(sl, n, "'%s' must be a string", what);
	free(*out);
	*out = xstrdup(sigma_load_scalar(n));
	return 0;
}

/* A list of strings, or one string as a list of one. */
int
sigma_load_strlist(struct sigma_load *sl, yaml_node_t *n, const char *what,
    char ***out, size_t *nout)
{
	yaml_node_item_t	*item;
	yaml_node_t		*v;
	size_t			 max;

	if (n == NULL || sigma_load_isnull(n))
		return 0;
	if (n->type == YAML_SCALAR_NODE) {
		*out = xcalloc(1, sizeof **out);
		(*out)[(*nout)++] = xstrdup(sigma_load_scalar(n));
		return 0;
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return sigma_load_fail(sl, n, "'%s' must be a list of strings",
		    what);
	max = n->data.sequence.items.top - n->data.sequence.items.start;
	*out = xcalloc(max > 0 ? max : 1, sizeof **out);
	for (item = n->data.sequence.items.start;
	    item < n->data.sequence.items.top; item++) {
		v = sigma_load_node(sl, *item);
		if (v->type != YAML_SCALAR_NODE)
			return sigma_load_fail(sl, v, "'%s' must be a list of "
			    "strings", what);
		if (!sigma_load_isnull(v))
			(*out)[(*nout)++] = xstrdup(sigma_load_scalar(v));
	}
	return 0;
}

/* The metadata of a rule. */
static int
sigma_load_meta(struct sigma_load *sl, yaml_node_t *root, struct rule *r)
{
	yaml_node_t	*n;
	const char	*base, *dot;
	size_t		 i;

	n = sigma_load_get(sl, root, "title");
	if (sigma_load_str(sl, n, "title", &r->title) == -1)
		return -1;
	if (r->title == NULL || *r->title == '\0')
		return sigma_load_fail(sl, n != NULL ? n : root,
		    "rule has no title");

	n = sigma_load_get(sl, root, "id");
	if (sigma_load_str(sl, n, "id", &r->id) == -1)
		return -1;
	if (r->id != NULL && *r->id == '\0')
		return sigma_load_fail(sl, n, "'id' is empty");
	if (r->id == NULL) {
		/* No id: the file name stands in, so findings still say. */
		r->id_derived = 1;
		base = (base = strrchr(sl->path, '/')) != NULL ? base + 1 :
		    sl->path;
		if ((dot = strrchr(base, '.')) == NULL || dot == base)
			dot = base + strlen(base);
		if (sl->ndoc > 1) {
			xasprintf(&r->id, "%.*s#%zu", (int)(dot - base), base,
			    sl->ndoc);
		} else
			r->id = xstrndup(base, dot - base);
	}

	n = sigma_load_get(sl, root, "name");
	if (sigma_load_str(sl, n, "name", &r->name) == -1)
		return -1;
	if (r->name != NULL && *r->name == '\0')
		return sigma_load_fail(sl, n, "'name' is empty");

	n = sigma_load_get(sl, root, "status");
	if (sigma_load_str(sl, n, "status", &r->status) == -1)
		return -1;
	if (r->status != NULL) {
		for (i = 0; i < nitems(sigma_load_statuses); i++) {
			if (strcmp(r->status, sigma_load_statuses[i]) == 0)
				break;
		}
		if (i == nitems(sigma_load_statuses))
			return sigma_load_fail(sl, n, "unknown status '%s' "
			    "(want stable, test, experimental, deprecated or "
			    "unsupported)", r->status);
	}

	n = sigma_load_get(sl, root, "level");
	r->level = RULE_MEDIUM;		/* the default: see RULES in the man */
	if (n != NULL && !sigma_load_isnull(n)) {
		if (n->type != YAML_SCALAR_NODE)
			return sigma_load_fail(sl, n, "'level' must be a "
			    "string");
		if (sigma_level_parse(sigma_load_scalar(n), &r->level) == -1)
			return sigma_load_fail(sl, n, "unknown level '%s' "
			    "(want informational, low, medium, high or "
			    "critical)", sigma_load_scalar(n));
	}

	if (sigma_load_str(sl, sigma_load_get(sl, root, "description"),
	    "description", &r->description) == -1 ||
	    sigma_load_str(sl, sigma_load_get(sl, root, "author"),
	    "author", &r->author) == -1 ||
	    sigma_load_str(sl, sigma_load_get(sl, root, "date"),
	    "date", &r->date) == -1 ||
	    sigma_load_str(sl, sigma_load_get(sl, root, "modified"),
	    "modified", &r->modified) == -1 ||
	    sigma_load_strlist(sl, sigma_load_get(sl, root, "tags"),
	    "tags", &r->tags, &r->ntags) == -1 ||
	    sigma_load_strlist(sl, sigma_load_get(sl, root, "references"),
	    "references", &r->references, &r->nreferences) == -1 ||
	    sigma_load_strlist(sl, sigma_load_get(sl, root, "falsepositives"),
	    "falsepositives", &r->falsepositives, &r->nfalsepositives) == -1)
		return -1;
	return 0;
}

/* A YAML 1.2 core schema number: [-+]digits[.digits][(e|E)[-+]digits]. */
int
sigma_load_isnumber(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	if (*s < '0' || *s > '9')
		return 0;
	while (*s >= '0' && *s <= '9')
		s++;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '-' || *s == '+')
			s++;
		if (*s < '0' || *s > '9')
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

/*
 * The records a rule is for (forms.h): FORMS_CLOUDTRAIL for service
 * cloudtrail, FORMS_GUARDDUTY for guardduty, both for a list naming both;
 * 0 if none, -1 on error.
 */
static int
sigma_load_logsource(struct sigma_load *sl, yaml_node_t *ls)
{
	yaml_node_t		*product, *service, *n;
	yaml_node_item_t	*it;
	int			 forms = 0;

	if (ls->type != YAML_MAPPING_NODE)
		return sigma_load_fail(sl, ls, "'logsource' must be a map");
	product = sigma_load_get(sl, ls, "product");
	service = sigma_load_get(sl, ls, "service");
	if (product == NULL || service == NULL ||
	    product->type != YAML_SCALAR_NODE ||
	    strcasecmp(sigma_load_scalar(product), "aws") != 0)
		return 0;
	if (service->type == YAML_SCALAR_NODE)
		return forms_service(sigma_load_scalar(service));
	if (service->type != YAML_SEQUENCE_NODE)
		return 0;
	for (it = service->data.sequence.items.start;
	    it < service->data.sequence.items.top; it++) {
		n = yaml_document_get_node(sl->doc, *it);
		if (n != NULL && n->type == YAML_SCALAR_NODE)
			forms |= forms_service(sigma_load_scalar(n));
	}
	return forms;
}

/*
 * The "rules" a correlation or a filter (what) names: one id or name, or
 * a list of at most SIGMA_CORR_RULES_MAX, none twice.  Each is stored in
 * *refsp as it is read, so that the rule frees them on failure.  0, or -1
 * after sigma_load_fail().
 */
int
sigma_load_refs(struct sigma_load *sl, yaml_node_t *v, const char *what,
    struct sigma_corr_ref **refsp, size_t *nrefsp)
{
	yaml_node_item_t	*item;
	yaml_node_t		*k;
	const char		*s;
	size_t			 j, max;

	if (v->type == YAML_SCALAR_NODE && !sigma_load_isnull(v) &&
	    *sigma_load_scalar(v) != '\0') {
		*refsp = xcalloc(1, sizeof **refsp);
		(*refsp)[0].text = xstrdup(sigma_load_scalar(v));
		(*refsp)[0].line = v->start_mark.line + 1;
		*nrefsp = 1;
	} else if (v->type == YAML_SEQUENCE_NODE) {
		max = v->data.sequence.items.top - v->data.sequence.items.start;
		if (max > SIGMA_CORR_RULES_MAX)
			return sigma_load_fail(sl, v, "a %s may name at most "
			    "%d rules", what, SIGMA_CORR_RULES_MAX);
		*refsp = xcalloc(max > 0 ? max : 1, sizeof **refsp);
		for (item = v->data.sequence.items.start;
		    item < v->data.sequence.items.top; item++) {
			k = sigma_load_node(sl, *item);
			if (k->type != YAML_SCALAR_NODE ||
			    sigma_load_isnull(k) ||
			    *sigma_load_scalar(k) == '\0')
				return sigma_load_fail(sl, k, "'rules' must "
				    "be a list of rule ids or names");
			s = sigma_load_scalar(k);
			for (j = 0; j < *nrefsp; j++)
				if (strcmp((*refsp)[j].text, s) == 0)
					return sigma_load_fail(sl, k, "rule "
					    "'%s' is named twice", s);
			(*refsp)[*nrefsp].text = xstrdup(s);
			(*refsp)[(*nrefsp)++].line = k->start_mark.line + 1;
		}
	}
	if (*nrefsp == 0)
		return sigma_load_fail(sl, v, "'rules' must be a list of rule "
		    "ids or names");
	return 0;
}

/*
 * The filter section of a Sigma filter: the rules it names and, as in a
 * detection, its selections and condition.
 */
static int
sigma_load_filter(struct sigma_load *sl, yaml_node_t *key, yaml_node_t *n,
    struct rule *r)
{
	yaml_node_t	*v;

	if (n->type != YAML_MAPPING_NODE)
		return sigma_load_fail(sl, n, "'filter' must be a map");
	r->filter = xcalloc(1, sizeof *r->filter);
	if ((v = sigma_load_get(sl, n, "rules")) == NULL)
		return sigma_load_fail(sl, key, "filter has no rules (the "
		    "ids or names of the rules it applies to)");
	if (sigma_load_refs(sl, v, "filter", &r->filter->refs,
	    &r->filter->nrefs) == -1)
		return -1;
	return sigma_load_detection(sl, key, n, r);
}

/*
 * Whether the document at root (a rule or a filter, as what says) is for
 * AWS CloudTrail or GuardDuty: the FORMS_ mask of what it is for, 0 if its
 * logsource is another (counted), -1 if it has none or a bad one
 * (reported).
 */
static int
sigma_load_for_us(struct sigma_load *sl, yaml_node_t *root, const char *what)
{
	yaml_node_t	*ls;
	int		 forms;

	if ((ls = sigma_load_get(sl, root, "logsource")) == NULL) {
		sigma_load_fail(sl, root, "%s has no logsource", what);
		return -1;
	}
	if ((forms = sigma_load_logsource(sl, ls)) == 0)
		sl->ctx->stats->other_logsource++;
	return forms;
}

/* A new rule that starts at root, in the file being loaded. */
static struct rule *
sigma_load_rule_new(struct sigma_load *sl, const yaml_node_t *root)
{
	struct rule	*r;

	r = xcalloc(1, sizeof *r);
	r->path = xstrdup(sl->path);
	r->line = root->start_mark.line + 1;
	return r;
}

/*
 * Turn the document in sl into a rule and hand it over; report and count
 * it when it is rejected.  *failed is set if it was.
 */
static void
sigma_load_doc(struct sigma_load *sl, int *failed)
{
	struct rule_set_stats	*st = sl->ctx->stats;
	struct rule		*r = NULL;
	yaml_node_t		*root, *n, *title;
	const char		*kind = NULL, *what;
	int			 forms;

	root = yaml_document_get_root_node(sl->doc);
	sl->nnodes = sl->doc->nodes.top - sl->doc->nodes.start;
	if (sl->nnodes > SIGMA_NODES_MAX) {
		sigma_load_fail(sl, root, "more than %d YAML nodes in one "
		    "document", SIGMA_NODES_MAX);
		goto out;
	}
	sl->seen = xcalloc(sl->nnodes, 1);
	if (sigma_load_check(sl, 1, root->start_mark.line + 1, 0) == -1)
		goto out;
	if (sigma_load_isnull(root))
		goto out;	/* an empty document, as after a last "---" */
	if (root->type != YAML_MAPPING_NODE) {
		sigma_load_fail(sl, root, "a rule must be a YAML map");
		goto out;
	}

	/* A Sigma filter: rules it applies to, selections, condition. */
	if ((n = sigma_load_get(sl, root, "filter")) != NULL) {
		if ((forms = sigma_load_for_us(sl, root, "filter")) <= 0)
			goto out;
		r = sigma_load_rule_new(sl, root);
		r->forms = forms;
		if (sigma_load_meta(sl, root, r) == -1 ||
		    sigma_load_filter(sl, sigma_load_key(sl, root, "filter"),
		    n, r) == -1)
			goto out;
		sl->ctx->add(sl->ctx->arg, r);
		r = NULL;
		goto out;
	}
	if (sigma_load_get(sl, root, "action") != NULL)
		kind = "rule collection action";
	if (kind != NULL) {
		title = sigma_load_get(sl, root, "title");
		if ((n = sigma_load_get(sl, root, "name")) == NULL ||
		    n->type != YAML_SCALAR_NODE)
			n = sigma_load_get(sl, root, "id");
		what = title != NULL && title->type == YAML_SCALAR_NODE ?
		    sigma_load_scalar(title) : n != NULL &&
		    n->type == YAML_SCALAR_NODE ? sigma_load_scalar(n) : "";
		sigma_load_fail(sl, root, "%s%s%s%s: %ss are not supported "
		    "yet", kind, *what != '\0' ? " '" : "", what,
		    *what != '\0' ? "'" : "", kind);
		goto out;
	}

	/* A correlation has no log source of its own: its rules have. */
	if ((n = sigma_load_get(sl, root, "correlation")) != NULL) {
		if (sigma_load_get(sl, root, "detection") != NULL) {
			sigma_load_fail(sl, sigma_load_key(sl, root,
			    "detection"), "a rule has either a detection or "
			    "a correlation, not both");
			goto out;
		}
		r = sigma_load_rule_new(sl, root);
		if (sigma_load_meta(sl, root, r) == -1 ||
		    sigma_load_corr(sl, root, n, r) == -1)
			goto out;
		sl->ctx->add(sl->ctx->arg, r);
		r = NULL;
		goto out;
	}

	if ((forms = sigma_load_for_us(sl, root, "rule")) <= 0)
		goto out;

	r = sigma_load_rule_new(sl, root);
	r->forms = forms;
	if (sigma_load_meta(sl, root, r) == -1)
		goto out;
	if ((n = sigma_load_get(sl, root, "detection")) == NULL) {
		sigma_load_fail(sl, root, "rule has no detection");
		goto out;
	}
	if (sigma_load_detection(sl, sigma_load_key(sl, root, "detection"),
	    n, r) == -1)
		goto out;
	sl->ctx->add(sl->ctx->arg, r);
	r = NULL;
out:
	if (sl->cause != NULL) {
		diag(DIAG_CONFIG, sl->path, sl->line, "%s", sl->cause);
		st->rejected++;
		*failed = 1;
	}
	sigma_rule_free(r);
	free(sl->cause);
	sl->cause = NULL;
	free(sl->seen);
	sl->seen = NULL;
}

/*
 * Find the first document nested deeper than SIGMA_DEPTH_MAX, reading
 * libyaml's events and stopping there: libyaml's scanner takes time
 * quadratic in the nesting (100000 levels in 200 KB take 20 s), so the
 * cap must hold before the document is built, not after.  Returns that
 * document's number (from 1), with *line set to where the cap was passed;
 * 0 if there is none, or if a YAML error comes first (the loader then
 * reports it).
 */
static size_t
sigma_load_depth(const char *data, size_t len, unsigned long *line)
{
	yaml_parser_t	parser;
	yaml_event_t	ev;
	size_t		depth = 0, ndoc = 0, bad = 0;
	int		done = 0;

	if (!yaml_parser_initialize(&parser))
		fatalx("yaml_parser_initialize");
	yaml_parser_set_input_string(&parser, (const unsigned char *)data,
	    len);
	while (!done && bad == 0) {
		if (!yaml_parser_parse(&parser, &ev))
			break;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_DOCUMENT_START_EVENT:
			ndoc++;
			depth = 0;
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
		case YAML_SCALAR_EVENT:
		case YAML_ALIAS_EVENT:
			/* Where sigma_load_check() counts the root as 0. */
			if (depth > SIGMA_DEPTH_MAX) {
				bad = ndoc;
				*line = ev.start_mark.line + 1;
			}
			if (ev.type == YAML_SEQUENCE_START_EVENT ||
			    ev.type == YAML_MAPPING_START_EVENT)
				depth++;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return bad;
}

/* Reject a rule file past the cap; returns -1. */
static int
sigma_load_too_large(const char *name, struct sigma_load_ctx *ctx)
{
	diag(DIAG_CONFIG, name, 0, "rule file larger than %d bytes",
	    SIGMA_FILE_MAX);
	ctx->stats->rejected++;
	return -1;
}

/*
 * Load every document of a rule file held in memory; name is used in
 * messages and as the rules' path.  Returns 0, or -1 if anything was
 * rejected.
 */
int
sigma_load_buffer(const char *name, const char *data, size_t len,
    struct sigma_load_ctx *ctx)
{
	struct sigma_load	sl;
	yaml_parser_t		parser;
	yaml_document_t		doc;
	unsigned long		deepline = 0;
	size_t			deep;
	int			failed = 0;

	if (len > SIGMA_FILE_MAX)
		return sigma_load_too_large(name, ctx);
	memset(&sl, 0, sizeof sl);
	sl.path = name;
	sl.ctx = ctx;
	sl.doc = &doc;
	deep = sigma_load_depth(data, len, &deepline);
	if (!yaml_parser_initialize(&parser))
		fatalx("yaml_parser_initialize");
	yaml_parser_set_input_string(&parser, (const unsigned char *)data,
	    len);
	for (;;) {
		if (deep != 0 && sl.ndoc + 1 == deep) {
			diag(DIAG_CONFIG, name, deepline, "YAML nested deeper "
			    "than %d levels; the rest of the file is not read",
			    SIGMA_DEPTH_MAX);
			ctx->stats->rejected++;
			failed = 1;
			break;
		}
		if (!yaml_parser_load(&parser, &doc)) {
			diag(DIAG_CONFIG, name, parser.problem_mark.line + 1,
			    "YAML: %s%s%s", parser.problem != NULL ?
			    parser.problem : "syntax error",
			    parser.context != NULL ? " " : "",
			    parser.context != NULL ? parser.context : "");
			ctx->stats->rejected++;
			failed = 1;
			break;
		}
		if (yaml_document_get_root_node(&doc) == NULL) {
			yaml_document_delete(&doc);
			break;
		}
		sl.ndoc++;
		sigma_load_doc(&sl, &failed);
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	return failed ? -1 : 0;
}

/* Load a rule file (whatever its name). */
int
sigma_load_file(const char *path, struct sigma_load_ctx *ctx)
{
	FILE		*f;
	struct buf	 b;
	int		 rv = -1;

	if ((f = fopen(path, "rb")) == NULL) {
		diag(DIAG_CONFIG, path, 0, "%s", strerror(errno));
		ctx->stats->rejected++;
		return -1;
	}
	/*
	 * Grown as it is read, so that a rule of a few kilobytes costs a few
	 * kilobytes: a pack of hundreds, each read into a buffer of the cap,
	 * made every run allocate and touch hundreds of megabytes.
	 */
	buf_init(&b, SIGMA_FILE_MAX);
	switch (buf_fread(&b, f)) {
	case -1:
		diag(DIAG_CONFIG, path, 0, "%s", strerror(errno));
		ctx->stats->rejected++;
		break;
	case 1:
		sigma_load_too_large(path, ctx);
		break;
	default:
		rv = sigma_load_buffer(path, b.len > 0 ? b.data : "", b.len,
		    ctx);
		break;
	}
	buf_clear(&b);
	fclose(f);
	return rv;
}

static void
sigma_rule_free_strv(char **v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Free a rule and everything it owns. */
void
sigma_rule_free(struct rule *r)
{
	size_t	i, j, k;

	if (r == NULL)
		return;
	for (i = 0; i < r->nsels; i++) {
		for (j = 0; j < r->sels[i].ngroups; j++) {
			for (k = 0; k < r->sels[i].groups[j].nitems; k++)
				match_item_free(r->sels[i].groups[j].items[k]);
			free(r->sels[i].groups[j].items);
		}
		free(r->sels[i].groups);
		free(r->sels[i].name);
	}
	free(r->sels);
	sigma_cond_free(r->cond);
	sigma_corr_free(r->corr);
	if (r->filter != NULL) {
		for (i = 0; i < r->filter->nrefs; i++)
			free(r->filter->refs[i].text);
		free(r->filter->refs);
		free(r->filter);
	}
	free(r->name);
	sigma_rule_free_strv(r->tags, r->ntags);
	sigma_rule_free_strv(r->falsepositives, r->nfalsepositives);
	sigma_rule_free_strv(r->references, r->nreferences);
	free(r->id);
	free(r->title);
	free(r->description);
	free(r->status);
	free(r->author);
	free(r->date);
	free(r->modified);
	free(r->path);
	free(r);
}

static void
sigma_corr_free(struct sigma_corr *sc)
{
	size_t	i;

	if (sc == NULL)
		return;
	for (i = 0; i < sc->nrefs; i++)
		free(sc->refs[i].text);
	free(sc->refs);
	sigma_rule_free_strv(sc->groupby, sc->ngroupby);
	for (i = 0; i < sc->naliases; i++) {
		free(sc->aliases[i].alias);
		free(sc->aliases[i].rule);
		free(sc->aliases[i].field);
	}
	free(sc->aliases);
	free(sc->field);
	free(sc);
}

static const char *const sigma_level_names[] = {
	[RULE_INFORMATIONAL] = "informational",
	[RULE_LOW] = "low",
	[RULE_MEDIUM] = "medium",
	[RULE_HIGH] = "high",
	[RULE_CRITICAL] = "critical",
};

/* The name of a Sigma level: "high", or "unknown". */
const char *
sigma_level_name(enum rule_level level)
{
	if ((size_t)level >= nitems(sigma_level_names))
		return "unknown";
	return sigma_level_names[level];
}

/* Parse a Sigma level name (any case): 0, or -1 if unknown. */
int
sigma_level_parse(const char *s, enum rule_level *level)
{
	size_t	i;

	for (i = 0; i < nitems(sigma_level_names); i++) {
		if (strcasecmp(s, sigma_level_names[i]) == 0) {
			*level = (enum rule_level)i;
			return 0;
		}
	}
	return -1;
}
