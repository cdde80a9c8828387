/* SPDX-License-Identifier: ISC */
/*
 * The detection section of a Sigma document: every search identifier is
 * compiled into groups of match items (match.h), with values typed as
 * YAML writes them and placeholders expanded (|expand), and the condition
 * into a tree (sigma_cond.c).  Filters use the same code for their own
 * selections and condition.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "match.h"
#include "sigma.h"
#include "sigma_int.h"
#include "xmalloc.h"

/* Values of one detection item, with the strings they own. */
struct sigma_load_vals {
	struct match_value	*v;
	size_t			 n;
	char			**owned;
	size_t			 nowned;
};

static int	 sigma_load_value(struct sigma_load *, yaml_node_t *,
		    struct sigma_load_vals *);
static void	 sigma_load_append(char **, size_t, const char *, size_t);
static char	**sigma_load_expand1(struct sigma_load *, yaml_node_t *,
		    const char *, size_t *);
static int	 sigma_load_expand(struct sigma_load *, yaml_node_t *,
		    struct sigma_load_vals *);
static void	 sigma_load_vals_clear(struct sigma_load_vals *);
static struct match_item *sigma_load_item(struct sigma_load *,
		    yaml_node_t *, const char *, yaml_node_t *);
static int	 sigma_load_group(struct sigma_load *, yaml_node_t *,
		    struct sigma_group *);
static int	 sigma_load_sel(struct sigma_load *, yaml_node_t *,
		    yaml_node_t *, struct sigma_sel *);

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
int
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
