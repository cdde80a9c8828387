/* SPDX-License-Identifier: ISC */
/*
 * Sigma rule files to compiled rules.  A file is read whole (up to
 * SIGMA_FILE_MAX) and handed to libyaml's document loader one document at
 * a time; each document is one rule.  A document is first checked as a
 * tree (no aliases, bounded nesting and size, unique string keys), then
 * its metadata are read, rules for other log sources than AWS CloudTrail
 * are counted and skipped, and the detection is compiled: every search
 * identifier into groups of match items (match.h), the condition into a
 * tree (sigma_cond.c).  A correlation rule (a "correlation" section in
 * place of the detection) is checked and kept as written; the rules it
 * names are found later, by the rule set (rule.c).  Every rejected
 * document is reported with diag() at its YAML line, and loading goes on
 * with the next document.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "forms.h"
#include "log.h"
#include "match.h"
#include "sigma.h"
#include "xmalloc.h"

/* One document being read. */
struct sigma_load {
	const char		*path;
	struct sigma_load_ctx	*ctx;
	yaml_document_t		*doc;
	unsigned char		*seen;		/* one flag per node */
	size_t			 nnodes;
	size_t			 ndoc;		/* from 1 */
	unsigned long		 line;		/* of the error */
	char			*cause;
};

/* Values of one detection item, with the strings they own. */
struct sigma_load_vals {
	struct match_value	*v;
	size_t			 n;
	char			**owned;
	size_t			 nowned;
};

static const char *const sigma_corr_type_names[] = {
	[SIGMA_CORR_EVENT_COUNT] = "event_count",
	[SIGMA_CORR_VALUE_COUNT] = "value_count",
	[SIGMA_CORR_TEMPORAL] = "temporal",
	[SIGMA_CORR_TEMPORAL_ORDERED] = "temporal_ordered",
	[SIGMA_CORR_VALUE_SUM] = "value_sum",
	[SIGMA_CORR_VALUE_AVG] = "value_avg",
};

static const char *const sigma_corr_op_names[] = {
	[SIGMA_CORR_GT] = "gt",
	[SIGMA_CORR_GTE] = "gte",
	[SIGMA_CORR_LT] = "lt",
	[SIGMA_CORR_LTE] = "lte",
	[SIGMA_CORR_EQ] = "eq",
	[SIGMA_CORR_NEQ] = "neq",
};

static const char *const sigma_load_statuses[] = {
	"stable", "test", "experimental", "deprecated", "unsupported"
};

static int	 sigma_load_fail(struct sigma_load *, const yaml_node_t *,
		    const char *, ...) __printflike(3, 4);
static yaml_node_t *sigma_load_node(struct sigma_load *, int);
static int	 sigma_load_check(struct sigma_load *, int, unsigned long,
		    int);
static int	 sigma_load_isnull(const yaml_node_t *);
static const char *sigma_load_scalar(const yaml_node_t *);
static yaml_node_t *sigma_load_get(struct sigma_load *, yaml_node_t *,
		    const char *);
static int	 sigma_load_str(struct sigma_load *, yaml_node_t *,
		    const char *, char **);
static int	 sigma_load_strlist(struct sigma_load *, yaml_node_t *,
		    const char *, char ***, size_t *);
static int	 sigma_load_meta(struct sigma_load *, yaml_node_t *,
		    struct rule *);
static int	 sigma_load_isnumber(const char *);
static int	 sigma_load_value(struct sigma_load *, yaml_node_t *,
		    struct sigma_load_vals *);
static int	 sigma_load_expand(struct sigma_load *, yaml_node_t *,
		    struct sigma_load_vals *);
static void	 sigma_load_append(char **, size_t, const char *, size_t);
static char	**sigma_load_expand1(struct sigma_load *, yaml_node_t *,
		    const char *, size_t *);
static void	 sigma_load_vals_clear(struct sigma_load_vals *);
static struct match_item *sigma_load_item(struct sigma_load *,
		    yaml_node_t *, const char *, yaml_node_t *);
static int	 sigma_load_group(struct sigma_load *, yaml_node_t *,
		    struct sigma_group *);
static int	 sigma_load_sel(struct sigma_load *, yaml_node_t *,
		    yaml_node_t *, struct sigma_sel *);
static yaml_node_t *sigma_load_key(struct sigma_load *, yaml_node_t *,
		    const char *);
static int	 sigma_load_detection(struct sigma_load *, yaml_node_t *,
		    yaml_node_t *, struct rule *);
static int	 sigma_load_logsource(struct sigma_load *, yaml_node_t *);
static int	 sigma_load_for_us(struct sigma_load *, yaml_node_t *,
		    const char *);
static int	 sigma_load_timespan(struct sigma_load *, yaml_node_t *,
		    int64_t *);
static int	 sigma_load_corr_cond(struct sigma_load *, yaml_node_t *,
		    struct sigma_corr *);
static int	 sigma_load_corr_aliases(struct sigma_load *, yaml_node_t *,
		    struct sigma_corr *);
static int	 sigma_load_corr(struct sigma_load *, yaml_node_t *,
		    yaml_node_t *, struct rule *);
static void	 sigma_corr_free(struct sigma_corr *);
static int	 sigma_load_filter(struct sigma_load *, yaml_node_t *,
		    yaml_node_t *, struct rule *);
static struct rule *sigma_load_rule_new(struct sigma_load *,
		    const yaml_node_t *);
static void	 sigma_load_doc(struct sigma_load *, int *);
static size_t	 sigma_load_depth(const char *, size_t, unsigned long *);

/* Record why the document is rejected, at the node's line. */
static int
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

static yaml_node_t *
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
static int
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

static const char *
sigma_load_scalar(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/* The value of key in a mapping, or NULL. */
static yaml_node_t *
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
static int
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
static int
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

/* Append the values of a scalar or a list of scalars. */
static int
sigma_load_value(struct sigma_load *sl, yaml_node_t *n,
    struct sigma_load_vals *vals)
{
	struct match_value	*v;
	const char		*s;
	size_t			 i;

	if (n->type == YAML_SEQUENCE_NODE) {
		if (n->data.sequence.items.top ==
		    n->data.sequence.items.start)
			return sigma_load_fail(sl, n, "empty list of values");
		for (i = 0; n->data.sequence.items.start + i <
		    n->data.sequence.items.top; i++) {
			if (sigma_load_value(sl, sigma_load_node(sl,
			    n->data.sequence.items.start[i]), vals) == -1)
				return -1;
		}
		return 0;
	}
	if (n->type != YAML_SCALAR_NODE)
		return sigma_load_fail(sl, n, "a value must be a string, "
		    "a number, a boolean or null");
	if (vals->n >= SIGMA_VALUES_MAX)
		return sigma_load_fail(sl, n, "more than %d values",
		    SIGMA_VALUES_MAX);
	vals->v = xreallocarray(vals->v, vals->n + 1, sizeof *vals->v);
	v = &vals->v[vals->n++];
	s = sigma_load_scalar(n);
	v->text = s;
	v->quoted = n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
	v->type = MATCH_V_STRING;
	if (v->quoted)
		return 0;
	if (sigma_load_isnull(n)) {
		v->type = MATCH_V_NULL;
		v->text = "";
	} else if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 ||
	    strcmp(s, "TRUE") == 0) {
		v->type = MATCH_V_BOOL;
		v->text = "true";
	} else if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0 ||
	    strcmp(s, "FALSE") == 0) {
		v->type = MATCH_V_BOOL;
		v->text = "false";
	} else if (sigma_load_isnumber(s))
		v->type = MATCH_V_NUMBER;
	return 0;
}

/* Append s[0..n-1] to each of the strings v[0..nv-1]. */
static void
sigma_load_append(char **v, size_t nv, const char *s, size_t n)
{
	size_t	i, len;

	for (i = 0; i < nv; i++) {
		len = strlen(v[i]);
		v[i] = xreallocarray(v[i], len + n + 1, 1);
		memcpy(v[i] + len, s, n);
		v[i][len + n] = '\0';
	}
}

/*
 * Expand one string: each %name% is replaced by every value given for
 * name, so the result has one string per combination.  "\%" is a plain
 * percent sign.  Returns the strings, or NULL and the error in sl.
 */
static char **
sigma_load_expand1(struct sigma_load *sl, yaml_node_t *at, const char *text,
    size_t *nout)
{
	const struct rule_opts	 *opts = sl->ctx->opts;
	char			**cur, **next = NULL;
	const char		 *p, *run, *end, *eq;
	size_t			  ncur, nnext, j, k, namelen;

	cur = xcalloc(1, sizeof *cur);
	cur[0] = xstrdup("");
	ncur = 1;
	for (p = run = text; *p != '\0';) {
		if (p[0] == '\\' && p[1] == '%') {
			sigma_load_append(cur, ncur, run, p - run);
			run = p + 1;
			p += 2;
			continue;
		}
		if (*p != '%' || (end = strchr(p + 1, '%')) == NULL ||
		    end == p + 1) {
			p++;
			continue;
		}
		sigma_load_append(cur, ncur, run, p - run);
		namelen = end - p - 1;
		nnext = 0;
		for (k = 0; k < opts->nplaceholders; k++) {
			eq = strchr(opts->placeholders[k], '=');
			if (eq == NULL ||
			    (size_t)(eq - opts->placeholders[k]) != namelen ||
			    strncmp(opts->placeholders[k], p + 1, namelen) != 0)
				continue;
			if (nnext + ncur > SIGMA_VALUES_MAX) {
				sigma_load_fail(sl, at, "placeholders expand "
				    "to more than %d values", SIGMA_VALUES_MAX);
				goto fail;
			}
			next = xreallocarray(next, nnext + ncur, sizeof *next);
			for (j = 0; j < ncur; j++)
				next[nnext++] = xprintf("%s%s", cur[j], eq + 1);
		}
		if (nnext == 0) {
			sigma_load_fail(sl, at, "placeholder %.*s has no value",
			    (int)(namelen + 2), p);
			goto fail;
		}
		for (j = 0; j < ncur; j++)
			free(cur[j]);
		free(cur);
		cur = next;
		ncur = nnext;
		next = NULL;
		p = run = end + 1;
	}
	sigma_load_append(cur, ncur, run, p - run);
	*nout = ncur;
	return cur;
fail:
	for (j = 0; j < ncur; j++)
		free(cur[j]);
	free(cur);
	for (j = 0; j < nnext; j++)
		free(next[j]);
	free(next);
	return NULL;
}

/* Resolve the placeholders of every string value (|expand). */
static int
sigma_load_expand(struct sigma_load *sl, yaml_node_t *at,
    struct sigma_load_vals *vals)
{
	struct sigma_load_vals	  out;
	char			**v;
	size_t			  i, j, n;

	memset(&out, 0, sizeof out);
	for (i = 0; i < vals->n; i++) {
		if (vals->v[i].type != MATCH_V_STRING) {
			out.v = xreallocarray(out.v, out.n + 1,
			    sizeof *out.v);
			out.v[out.n++] = vals->v[i];
			continue;
		}
		if ((v = sigma_load_expand1(sl, at, vals->v[i].text, &n)) ==
		    NULL) {
			sigma_load_vals_clear(&out);
			return -1;
		}
		out.owned = xreallocarray(out.owned, out.nowned + n,
		    sizeof *out.owned);
		memcpy(out.owned + out.nowned, v, n * sizeof *v);
		out.nowned += n;
		free(v);
		if (out.n + n > SIGMA_VALUES_MAX) {
			sigma_load_vals_clear(&out);
			return sigma_load_fail(sl, at, "placeholders expand "
			    "to more than %d values", SIGMA_VALUES_MAX);
		}
		out.v = xreallocarray(out.v, out.n + n, sizeof *out.v);
		for (j = 0; j < n; j++) {
			out.v[out.n].type = MATCH_V_STRING;
			out.v[out.n].quoted = 1;
			out.v[out.n++].text = out.owned[out.nowned - n + j];
		}
	}
	sigma_load_vals_clear(vals);
	*vals = out;
	return 0;
}

static void
sigma_load_vals_clear(struct sigma_load_vals *vals)
{
	size_t	i;

	for (i = 0; i < vals->nowned; i++)
		free(vals->owned[i]);
	free(vals->owned);
	free(vals->v);
	memset(vals, 0, sizeof *vals);
}

/*
 * Compile one detection item: key is "field|mod|..." ("" or "|mod" for a
 * keyword search) and val its value or values.
 */
static struct match_item *
sigma_load_item(struct sigma_load *sl, yaml_node_t *keynode, const char *key,
    yaml_node_t *val)
{
	struct sigma_load_vals	 vals;
	struct match_item	*mi = NULL;
	const char		*mods[SIGMA_MODS_MAX];
	char			*field, *s, *bar, *cause = NULL;
	size_t			 nmods = 0;
	int			 expand = 0;

	memset(&vals, 0, sizeof vals);
	field = xstrdup(key);
	if ((bar = strchr(field, '|')) != NULL) {
		*bar = '\0';
		for (s = bar + 1; s != NULL; s = bar) {
			if ((bar = strchr(s, '|')) != NULL)
				*bar++ = '\0';
			if (*s == '\0') {
				sigma_load_fail(sl, keynode, "empty modifier "
				    "in '%s'", key);
				goto out;
			}
			if (strcmp(s, "expand") == 0) {
				expand = 1;
				continue;
			}
			if (nmods == SIGMA_MODS_MAX) {
				sigma_load_fail(sl, keynode, "more than %d "
				    "modifiers in '%s'", SIGMA_MODS_MAX, key);
				goto out;
			}
			mods[nmods++] = s;
		}
	}
	if (sigma_load_value(sl, val, &vals) == -1)
		goto out;
	if (expand && sigma_load_expand(sl, val, &vals) == -1)
		goto out;
	mi = match_item_compile(*field != '\0' ? field : NULL, mods, nmods,
	    vals.v, vals.n, &cause);
	if (mi == NULL) {
		if (*key == '\0') {
			sigma_load_fail(sl, keynode, "%s", cause != NULL ?
			    cause : "bad keyword");
		} else {
			sigma_load_fail(sl, keynode, "%s: %s", key,
			    cause != NULL ? cause : "bad item");
		}
	}
out:
	sigma_load_vals_clear(&vals);
	free(cause);
	free(field);
	return mi;
}

/* A YAML map: all its items must match. */
static int
sigma_load_group(struct sigma_load *sl, yaml_node_t *map,
    struct sigma_group *g)
{
	yaml_node_pair_t	*pair;
	yaml_node_t		*k, *v;
	struct match_item	*mi;
	size_t			 n;

	n = map->data.mapping.pairs.top - map->data.mapping.pairs.start;
	g->items = xcalloc(n, sizeof *g->items);
	for (pair = map->data.mapping.pairs.start;
	    pair < map->data.mapping.pairs.top; pair++) {
		k = sigma_load_node(sl, pair->key);
		v = sigma_load_node(sl, pair->value);
		if (v->type == YAML_MAPPING_NODE)
			return sigma_load_fail(sl, k, "'%s' has a map as its "
			    "value: want a value or a list of values",
			    sigma_load_scalar(k));
		if ((mi = sigma_load_item(sl, k, sigma_load_scalar(k), v)) ==
		    NULL)
			return -1;
		g->items[g->nitems++] = mi;
	}
	return 0;
}

/*
 * A search identifier: a map (AND of its items), a list of maps (OR of
 * the maps), or a string or list of strings (a keyword search).
 */
static int
sigma_load_sel(struct sigma_load *sl, yaml_node_t *key, yaml_node_t *val,
    struct sigma_sel *sel)
{
	struct sigma_load_vals	 vals;
	yaml_node_item_t	*item;
	yaml_node_t		*v, *kw = NULL;
	struct match_item	*mi;
	char			*cause = NULL;
	size_t			 n;
	int			 rv = -1;

	sel->name = xstrdup(sigma_load_scalar(key));
	sel->line = key->start_mark.line + 1;
	if (sigma_load_isnull(val) ||
	    (val->type == YAML_MAPPING_NODE &&
	    val->data.mapping.pairs.top == val->data.mapping.pairs.start) ||
	    (val->type == YAML_SEQUENCE_NODE &&
	    val->data.sequence.items.top == val->data.sequence.items.start))
		return sigma_load_fail(sl, key, "search identifier '%s' is "
		    "empty", sel->name);

	if (val->type == YAML_MAPPING_NODE) {
		sel->groups = xcalloc(1, sizeof *sel->groups);
		sel->ngroups = 1;
		return sigma_load_group(sl, val, &sel->groups[0]);
	}
	if (val->type == YAML_SCALAR_NODE) {
		if ((mi = sigma_load_item(sl, key, "", val)) == NULL)
			return -1;
		sel->groups = xcalloc(1, sizeof *sel->groups);
		sel->groups[0].items = xcalloc(1, sizeof mi);
		sel->groups[0].items[0] = mi;
		sel->groups[0].nitems = 1;
		sel->ngroups = 1;
		return 0;
	}

	/* A list: maps are groups; its strings together are one keyword item. */
	n = val->data.sequence.items.top - val->data.sequence.items.start;
	sel->groups = xcalloc(n, sizeof *sel->groups);
	memset(&vals, 0, sizeof vals);
	for (item = val->data.sequence.items.start;
	    item < val->data.sequence.items.top; item++) {
		v = sigma_load_node(sl, *item);
		if (v->type == YAML_SEQUENCE_NODE) {
			sigma_load_fail(sl, v, "search identifier '%s' has a "
			    "list in a list", sel->name);
			goto out;
		}
		if (v->type == YAML_SCALAR_NODE) {
			if (kw == NULL)
				kw = v;
			if (sigma_load_value(sl, v, &vals) == -1)
				goto out;
			continue;
		}
		if (v->data.mapping.pairs.top ==
		    v->data.mapping.pairs.start) {
			sigma_load_fail(sl, v, "search identifier '%s' has an "
			    "empty map", sel->name);
			goto out;
		}
		if (sigma_load_group(sl, v, &sel->groups[sel->ngroups++]) ==
		    -1)
			goto out;
	}
	if (kw != NULL) {
		mi = match_item_compile(NULL, NULL, 0, vals.v, vals.n, &cause);
		if (mi == NULL) {
			sigma_load_fail(sl, kw, "%s", cause != NULL ? cause :
			    "bad keyword");
			goto out;
		}
		sel->groups[sel->ngroups].items = xcalloc(1, sizeof mi);
		sel->groups[sel->ngroups].items[0] = mi;
		sel->groups[sel->ngroups++].nitems = 1;
	}
	rv = 0;
out:
	free(cause);
	free(vals.v);
	return rv;
}

/* The detection: search identifiers and the condition over them. */
static int
sigma_load_detection(struct sigma_load *sl, yaml_node_t *key,
    yaml_node_t *det, struct rule *r)
{
	yaml_node_pair_t	 *pair;
	yaml_node_item_t	 *item;
	yaml_node_t		 *k, *v, *cond = NULL, *timeframe = NULL;
	struct sigma_cond	**conds = NULL;
	const char		**names = NULL, *name;
	char			 *cause = NULL;
	size_t			  npairs, nconds = 0, i;
	int			  rv = -1;

	if (det->type != YAML_MAPPING_NODE)
		return sigma_load_fail(sl, det, "'detection' must be a map");
	npairs = det->data.mapping.pairs.top - det->data.mapping.pairs.start;
	r->sels = xcalloc(npairs > 0 ? npairs : 1, sizeof *r->sels);
	names = xcalloc(npairs > 0 ? npairs : 1, sizeof *names);
	for (pair = det->data.mapping.pairs.start;
	    pair < det->data.mapping.pairs.top; pair++) {
		k = sigma_load_node(sl, pair->key);
		name = sigma_load_scalar(k);
		if (strcmp(name, "condition") == 0)
			cond = sigma_load_node(sl, pair->value);
		else if (r->filter != NULL && strcmp(name, "rules") == 0)
			continue;	/* a filter's, read by the caller */
		else if (strcmp(name, "timeframe") == 0)
			timeframe = k;
		else
			names[r->nsels++] = name;
	}
	if (cond == NULL) {
		sigma_load_fail(sl, key, "detection has no condition");
		goto out;
	}

	/* The condition first: its errors say most about the rule. */
	if (cond->type == YAML_SCALAR_NODE && !sigma_load_isnull(cond)) {
		conds = xcalloc(1, sizeof *conds);
		conds[0] = sigma_cond_parse(sigma_load_scalar(cond), names,
		    r->nsels, &cause);
		if (conds[0] == NULL) {
			sigma_load_fail(sl, cond, "condition: %s", cause);
			goto out;
		}
		nconds = 1;
	} else if (cond->type == YAML_SEQUENCE_NODE &&
	    cond->data.sequence.items.top > cond->data.sequence.items.start) {
		conds = xcalloc(cond->data.sequence.items.top -
		    cond->data.sequence.items.start, sizeof *conds);
		for (item = cond->data.sequence.items.start;
		    item < cond->data.sequence.items.top; item++) {
			v = sigma_load_node(sl, *item);
			if (v->type != YAML_SCALAR_NODE) {
				sigma_load_fail(sl, v, "'condition' must be "
				    "a string or a list of strings");
				goto out;
			}
			conds[nconds] = sigma_cond_parse(sigma_load_scalar(v),
			    names, r->nsels, &cause);
			if (conds[nconds] == NULL) {
				sigma_load_fail(sl, v, "condition: %s", cause);
				goto out;
			}
			nconds++;
		}
	} else {
		sigma_load_fail(sl, cond, "'condition' must be a string or a "
		    "list of strings");
		goto out;
	}
	if (timeframe != NULL) {
		sigma_load_fail(sl, timeframe, "'timeframe' in a detection is "
		    "obsolete: write a correlation rule instead");
		goto out;
	}
	r->cond = sigma_cond_or(conds, nconds);
	nconds = 0;

	i = 0;
	for (pair = det->data.mapping.pairs.start;
	    pair < det->data.mapping.pairs.top; pair++) {
		k = sigma_load_node(sl, pair->key);
		name = sigma_load_scalar(k);
		if (strcmp(name, "condition") == 0 ||
		    strcmp(name, "timeframe") == 0 ||
		    (r->filter != NULL && strcmp(name, "rules") == 0))
			continue;
		if (sigma_load_sel(sl, k, sigma_load_node(sl, pair->value),
		    &r->sels[i++]) == -1)
			goto out;
	}
	rv = 0;
out:
	for (i = 0; i < nconds; i++)
		sigma_cond_free(conds[i]);
	free(conds);
	free(names);
	free(cause);
	return rv;
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
 * A timespan as the specification writes it: a positive number and one
 * of s, m, h, d (and w, a week), in milliseconds.
 */
static int
sigma_load_timespan(struct sigma_load *sl, yaml_node_t *n, int64_t *out)
{
	const char	*s, *p;
	int64_t		 v = 0, unit;

	if (n->type != YAML_SCALAR_NODE)
		return sigma_load_fail(sl, n, "'timespan' must be a string "
		    "such as 5m");
	s = sigma_load_scalar(n);
	for (p = s; *p >= '0' && *p <= '9'; p++) {
		if (v > SIGMA_CORR_TIMESPAN_MAX)
			break;
		v = v * 10 + (*p - '0');
	}
	switch (*p) {
	case 's':
		unit = 1000;
		break;
	case 'm':
		unit = 60 * 1000;
		break;
	case 'h':
		unit = 60 * 60 * 1000;
		break;
	case 'd':
		unit = 24 * 60 * 60 * 1000;
		break;
	case 'w':
		unit = 7 * 24 * 60 * 60 * 1000;
		break;
	default:
		unit = 0;
		break;
	}
	if (p == s || unit == 0 || p[1] != '\0' || v == 0)
		return sigma_load_fail(sl, n, "bad timespan '%s' (want a "
		    "number and s, m, h, d or w, such as 90m)", s);
	if (v > SIGMA_CORR_TIMESPAN_MAX / unit)
		return sigma_load_fail(sl, n, "timespan '%s' is longer than "
		    "366 days", s);
	*out = v * unit;
	return 0;
}

/* The condition: comparisons that must all hold, and field. */
static int
sigma_load_corr_cond(struct sigma_load *sl, yaml_node_t *n,
    struct sigma_corr *sc)
{
	yaml_node_pair_t	*pair;
	yaml_node_t		*k, *v;
	const char		*key, *text;
	char			*end;
	double			 d;
	size_t			 i;

	if (n->type != YAML_MAPPING_NODE)
		return sigma_load_fail(sl, n, "'condition' of a correlation "
		    "must be a map such as {gte: 5}");
	for (pair = n->data.mapping.pairs.start;
	    pair < n->data.mapping.pairs.top; pair++) {
		k = sigma_load_node(sl, pair->key);
		v = sigma_load_node(sl, pair->value);
		key = sigma_load_scalar(k);
		if (strcmp(key, "field") == 0) {
			if (v->type != YAML_SCALAR_NODE ||
			    sigma_load_isnull(v) ||
			    *sigma_load_scalar(v) == '\0')
				return sigma_load_fail(sl, v, "'field' must be "
				    "one field name");
			sc->field = xstrdup(sigma_load_scalar(v));
			continue;
		}
		for (i = 0; i < nitems(sigma_corr_op_names); i++) {
			if (strcmp(key, sigma_corr_op_names[i]) == 0)
				break;
		}
		if (i == nitems(sigma_corr_op_names))
			return sigma_load_fail(sl, k, "unknown key '%s' in a "
			    "correlation condition (want gt, gte, lt, lte, "
			    "eq, neq or field)", key);
		text = v->type == YAML_SCALAR_NODE ? sigma_load_scalar(v) : "";
		errno = 0;
		d = strtod(text, &end);
		if (v->type != YAML_SCALAR_NODE ||
		    v->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
		    !sigma_load_isnumber(text) || *end != '\0' ||
		    errno == ERANGE)
			return sigma_load_fail(sl, v, "'%s' must be a number",
			    key);
		sc->conds[sc->nconds].op = (enum sigma_corr_op)i;
		sc->conds[sc->nconds++].value = d;
	}
	return 0;
}

/* aliases: a map of alias names to maps of rule names to fields. */
static int
sigma_load_corr_aliases(struct sigma_load *sl, yaml_node_t *n,
    struct sigma_corr *sc)
{
	yaml_node_pair_t	*pair, *p2;
	yaml_node_t		*k, *v, *rk, *rv;
	struct sigma_corr_alias	*a;

	if (n->type != YAML_MAPPING_NODE)
		return sigma_load_fail(sl, n, "'aliases' must be a map of "
		    "alias names to maps of rule names to fields");
	for (pair = n->data.mapping.pairs.start;
	    pair < n->data.mapping.pairs.top; pair++) {
		k = sigma_load_node(sl, pair->key);
		v = sigma_load_node(sl, pair->value);
		if (v->type != YAML_MAPPING_NODE ||
		    v->data.mapping.pairs.top == v->data.mapping.pairs.start)
			return sigma_load_fail(sl, k, "alias '%s' must be a "
			    "map of rule names to fields",
			    sigma_load_scalar(k));
		for (p2 = v->data.mapping.pairs.start;
		    p2 < v->data.mapping.pairs.top; p2++) {
			rk = sigma_load_node(sl, p2->key);
			rv = sigma_load_node(sl, p2->value);
			if (rv->type != YAML_SCALAR_NODE ||
			    sigma_load_isnull(rv) ||
			    *sigma_load_scalar(rv) == '\0')
				return sigma_load_fail(sl, rv, "alias '%s': "
				    "the field for rule '%s' must be a field "
				    "name", sigma_load_scalar(k),
				    sigma_load_scalar(rk));
			if (sc->naliases == SIGMA_CORR_ALIASES_MAX)
				return sigma_load_fail(sl, rk, "more than %d "
				    "alias entries", SIGMA_CORR_ALIASES_MAX);
			sc->aliases = xreallocarray(sc->aliases,
			    sc->naliases + 1, sizeof *sc->aliases);
			a = &sc->aliases[sc->naliases++];
			a->alias = xstrdup(sigma_load_scalar(k));
			a->rule = xstrdup(sigma_load_scalar(rk));
			a->field = xstrdup(sigma_load_scalar(rv));
			a->line = rk->start_mark.line + 1;
			a->ref = 0;
		}
	}
	return 0;
}

/*
 * The correlation section.  Everything that can be checked without the
 * other rules is checked here; the references are resolved by rule.c.
 */
static int
sigma_load_corr(struct sigma_load *sl, yaml_node_t *root, yaml_node_t *n,
    struct rule *r)
{
	static const char *const	 keys[] = {
		"type", "rules", "group-by", "timespan", "condition",
		"aliases", "generate"
	};
	struct sigma_corr		*sc;
	yaml_node_pair_t		*pair;
	yaml_node_item_t		*item;
	yaml_node_t			*k, *v, *gen, *gen2, *cond;
	const char			*s;
	size_t				 i, j;

	if (n->type != YAML_MAPPING_NODE)
		return sigma_load_fail(sl, n, "'correlation' must be a map");
	sc = r->corr = xcalloc(1, sizeof *r->corr);
	for (pair = n->data.mapping.pairs.start;
	    pair < n->data.mapping.pairs.top; pair++) {
		k = sigma_load_node(sl, pair->key);
		for (i = 0; i < nitems(keys); i++) {
			if (strcmp(sigma_load_scalar(k), keys[i]) == 0)
				break;
		}
		if (i == nitems(keys))
			return sigma_load_fail(sl, k, "unknown key '%s' in "
			    "'correlation'", sigma_load_scalar(k));
	}

	if ((v = sigma_load_get(sl, n, "type")) == NULL)
		return sigma_load_fail(sl, n, "correlation has no type");
	s = v->type == YAML_SCALAR_NODE ? sigma_load_scalar(v) : "";
	for (i = 0; i < nitems(sigma_corr_type_names); i++) {
		if (strcmp(s, sigma_corr_type_names[i]) == 0)
			break;
	}
	if (i == nitems(sigma_corr_type_names)) {
		if (strcmp(s, "value_median") == 0 ||
		    strcmp(s, "value_percentile") == 0)
			return sigma_load_fail(sl, v, "correlation type '%s' "
			    "is not supported (see RULES in ctaudit(1))", s);
		return sigma_load_fail(sl, v, "unknown correlation type '%s' "
		    "(want event_count, value_count, temporal, "
		    "temporal_ordered, value_sum or value_avg)", s);
	}
	sc->type = (enum sigma_corr_type)i;

	if ((v = sigma_load_get(sl, n, "rules")) == NULL)
		return sigma_load_fail(sl, n, "correlation has no rules");
	if (v->type == YAML_SCALAR_NODE && !sigma_load_isnull(v)) {
		sc->refs = xcalloc(1, sizeof *sc->refs);
		sc->refs[0].text = xstrdup(sigma_load_scalar(v));
		sc->refs[0].line = v->start_mark.line + 1;
		sc->nrefs = 1;
	} else if (v->type == YAML_SEQUENCE_NODE) {
		if (v->data.sequence.items.top - v->data.sequence.items.start >
		    SIGMA_CORR_RULES_MAX)
			return sigma_load_fail(sl, v, "a correlation may name "
			    "at most %d rules", SIGMA_CORR_RULES_MAX);
		sc->refs = xcalloc(SIGMA_CORR_RULES_MAX, sizeof *sc->refs);
		for (item = v->data.sequence.items.start;
		    item < v->data.sequence.items.top; item++) {
			k = sigma_load_node(sl, *item);
			if (k->type != YAML_SCALAR_NODE ||
			    sigma_load_isnull(k) ||
			    *sigma_load_scalar(k) == '\0')
				return sigma_load_fail(sl, k, "'rules' must "
				    "be a list of rule ids or names");
			s = sigma_load_scalar(k);
			for (j = 0; j < sc->nrefs; j++) {
				if (strcmp(sc->refs[j].text, s) == 0)
					return sigma_load_fail(sl, k, "rule "
					    "'%s' is named twice", s);
			}
			sc->refs[sc->nrefs].text = xstrdup(s);
			sc->refs[sc->nrefs++].line = k->start_mark.line + 1;
		}
	}
	if (sc->nrefs == 0)
		return sigma_load_fail(sl, v, "'rules' must be a list of rule "
		    "ids or names");
	if ((sc->type == SIGMA_CORR_TEMPORAL ||
	    sc->type == SIGMA_CORR_TEMPORAL_ORDERED) && sc->nrefs < 2)
		return sigma_load_fail(sl, v, "a %s correlation needs at "
		    "least two rules", sigma_corr_type_names[sc->type]);

	v = sigma_load_get(sl, n, "group-by");
	if (sigma_load_strlist(sl, v, "group-by", &sc->groupby,
	    &sc->ngroupby) == -1)
		return -1;
	if (sc->ngroupby > SIGMA_CORR_GROUPBY_MAX)
		return sigma_load_fail(sl, v, "more than %d group-by fields",
		    SIGMA_CORR_GROUPBY_MAX);
	for (i = 0; i < sc->ngroupby; i++) {
		if (*sc->groupby[i] == '\0')
			return sigma_load_fail(sl, v, "empty group-by field");
		for (j = 0; j < i; j++) {
			if (strcmp(sc->groupby[i], sc->groupby[j]) == 0)
				return sigma_load_fail(sl, v, "group-by field "
				    "'%s' is named twice", sc->groupby[i]);
		}
	}

	if ((v = sigma_load_get(sl, n, "timespan")) == NULL)
		return sigma_load_fail(sl, n, "correlation has no timespan");
	if (sigma_load_timespan(sl, v, &sc->timespan) == -1)
		return -1;

	if ((v = sigma_load_get(sl, n, "aliases")) != NULL &&
	    sigma_load_corr_aliases(sl, v, sc) == -1)
		return -1;

	cond = sigma_load_get(sl, n, "condition");
	if (cond != NULL && sigma_load_corr_cond(sl, cond, sc) == -1)
		return -1;
	switch (sc->type) {
	case SIGMA_CORR_EVENT_COUNT:
	case SIGMA_CORR_VALUE_COUNT:
	case SIGMA_CORR_VALUE_SUM:
	case SIGMA_CORR_VALUE_AVG:
		if (sc->nconds == 0)
			return sigma_load_fail(sl, cond != NULL ? cond : n,
			    "a %s correlation needs a condition such as "
			    "{gte: 5}", sigma_corr_type_names[sc->type]);
		if (sc->type == SIGMA_CORR_EVENT_COUNT && sc->field != NULL)
			return sigma_load_fail(sl, cond, "an event_count "
			    "correlation takes no field");
		if (sc->type != SIGMA_CORR_EVENT_COUNT && sc->field == NULL)
			return sigma_load_fail(sl, cond, "a %s correlation "
			    "needs a field in its condition",
			    sigma_corr_type_names[sc->type]);
		break;
	case SIGMA_CORR_TEMPORAL:
		if (sc->field != NULL)
			return sigma_load_fail(sl, cond, "a temporal "
			    "correlation takes no field");
		if (sc->nconds == 0) {
			/* Every rule must occur: the specification's default. */
			sc->conds[0].op = SIGMA_CORR_GTE;
			sc->conds[0].value = (double)sc->nrefs;
			sc->nconds = 1;
		}
		break;
	case SIGMA_CORR_TEMPORAL_ORDERED:
		if (sc->field != NULL || sc->nconds > 1 || (sc->nconds == 1 &&
		    (sc->conds[0].op != SIGMA_CORR_GTE ||
		    sc->conds[0].value != (double)sc->nrefs)))
			return sigma_load_fail(sl, cond, "a temporal_ordered "
			    "correlation matches all its rules in order: its "
			    "condition can only be {gte: %zu}", sc->nrefs);
		sc->conds[0].op = SIGMA_CORR_GTE;
		sc->conds[0].value = (double)sc->nrefs;
		sc->nconds = 1;
		break;
	}
	if (sc->type != SIGMA_CORR_VALUE_SUM &&
	    sc->type != SIGMA_CORR_VALUE_AVG) {
		for (i = 0; i < sc->nconds; i++) {
			if (sc->conds[i].value < 0 ||
			    sc->conds[i].value != (double)(int64_t)
			    sc->conds[i].value)
				return sigma_load_fail(sl, cond, "a count in "
				    "a condition must be a whole number");
		}
	}

	/* generate: in the correlation (pySigma) or beside it (the schema). */
	gen = sigma_load_get(sl, n, "generate");
	gen2 = sigma_load_get(sl, root, "generate");
	if (gen != NULL && gen2 != NULL)
		return sigma_load_fail(sl, gen2, "'generate' is given twice");
	if (gen == NULL)
		gen = gen2;
	if (gen != NULL) {
		s = gen->type == YAML_SCALAR_NODE ? sigma_load_scalar(gen) : "";
		if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 ||
		    strcmp(s, "TRUE") == 0)
			sc->generate = 1;
		else if (strcmp(s, "false") != 0 && strcmp(s, "False") != 0 &&
		    strcmp(s, "FALSE") != 0)
			return sigma_load_fail(sl, gen, "'generate' must be "
			    "true or false");
	}
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
	yaml_node_item_t	*item;
	yaml_node_t		*v, *k;
	const char		*s;
	size_t			 j, max;

	if (n->type != YAML_MAPPING_NODE)
		return sigma_load_fail(sl, n, "'filter' must be a map");
	r->filter = xcalloc(1, sizeof *r->filter);
	if ((v = sigma_load_get(sl, n, "rules")) == NULL)
		return sigma_load_fail(sl, key, "filter has no rules (the "
		    "ids or names of the rules it applies to)");
	if (v->type == YAML_SCALAR_NODE && !sigma_load_isnull(v) &&
	    *sigma_load_scalar(v) != '\0') {
		r->filter->refs = xcalloc(1, sizeof *r->filter->refs);
		r->filter->refs[0].text = xstrdup(sigma_load_scalar(v));
		r->filter->refs[0].line = v->start_mark.line + 1;
		r->filter->nrefs = 1;
	} else if (v->type == YAML_SEQUENCE_NODE) {
		max = v->data.sequence.items.top - v->data.sequence.items.start;
		if (max > SIGMA_CORR_RULES_MAX)
			return sigma_load_fail(sl, v, "a filter may name at "
			    "most %d rules", SIGMA_CORR_RULES_MAX);
		r->filter->refs = xcalloc(max > 0 ? max : 1,
		    sizeof *r->filter->refs);
		for (item = v->data.sequence.items.start;
		    item < v->data.sequence.items.top; item++) {
			k = sigma_load_node(sl, *item);
			if (k->type != YAML_SCALAR_NODE ||
			    sigma_load_isnull(k) ||
			    *sigma_load_scalar(k) == '\0')
				return sigma_load_fail(sl, k, "'rules' must "
				    "be a list of rule ids or names");
			s = sigma_load_scalar(k);
			for (j = 0; j < r->filter->nrefs; j++)
				if (strcmp(r->filter->refs[j].text, s) == 0)
					return sigma_load_fail(sl, k, "rule "
					    "'%s' is named twice", s);
			r->filter->refs[r->filter->nrefs].text = xstrdup(s);
			r->filter->refs[r->filter->nrefs++].line =
			    k->start_mark.line + 1;
		}
	}
	if (r->filter->nrefs == 0)
		return sigma_load_fail(sl, v, "'rules' must be a list of rule "
		    "ids or names");
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

	if (len > SIGMA_FILE_MAX) {
		diag(DIAG_CONFIG, name, 0, "rule file larger than %d bytes",
		    SIGMA_FILE_MAX);
		ctx->stats->rejected++;
		return -1;
	}
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
	FILE	*f;
	char	*data;
	size_t	 len;
	int	 rv;

	if ((f = fopen(path, "rb")) == NULL) {
		diag(DIAG_CONFIG, path, 0, "%s", strerror(errno));
		ctx->stats->rejected++;
		return -1;
	}
	data = xmalloc(SIGMA_FILE_MAX + 1);
	len = fread(data, 1, SIGMA_FILE_MAX + 1, f);
	if (ferror(f)) {
		diag(DIAG_CONFIG, path, 0, "%s", strerror(errno));
		ctx->stats->rejected++;
		rv = -1;
	} else
		rv = sigma_load_buffer(path, data, len, ctx);
	free(data);
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

/* The name of a correlation type, as rules write it. */
const char *
sigma_corr_type_name(enum sigma_corr_type type)
{
	if ((size_t)type >= nitems(sigma_corr_type_names))
		return "unknown";
	return sigma_corr_type_names[type];
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
