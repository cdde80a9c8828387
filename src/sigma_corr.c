/* SPDX-License-Identifier: ISC */
/*
 * Correlation rules: the "correlation" section of a Sigma document, read
 * from the YAML tree into a struct sigma_corr and checked as far as it can
 * be without the other rules (type, rules named, group-by, timespan,
 * aliases, condition, generate).  The rules it names are resolved later by
 * the rule set (rule.c), and its state is kept by correlate.c.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "sigma.h"
#include "sigma_int.h"
#include "xmalloc.h"

/* 2^63: counts are compared as int64_t, which holds less. */
#define SIGMA_CORR_COUNT_LIMIT	9223372036854775808.0

static int	 sigma_load_timespan(struct sigma_load *, yaml_node_t *,
		    int64_t *);
static int	 sigma_load_corr_cond(struct sigma_load *, yaml_node_t *,
		    struct sigma_corr *);
static int	 sigma_load_corr_aliases(struct sigma_load *, yaml_node_t *,
		    struct sigma_corr *);

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
int
sigma_load_corr(struct sigma_load *sl, yaml_node_t *root, yaml_node_t *n,
    struct rule *r)
{
	static const char *const	 keys[] = {
		"type", "rules", "group-by", "timespan", "condition",
		"aliases", "generate"
	};
	struct sigma_corr		*sc;
	yaml_node_pair_t		*pair;
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
	if (sigma_load_refs(sl, v, "correlation", &sc->refs, &sc->nrefs) ==
	    -1)
		return -1;
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
			/* Converting 2^63 or more to int64_t is undefined. */
			if (sc->conds[i].value >= SIGMA_CORR_COUNT_LIMIT)
				return sigma_load_fail(sl, cond, "a count in "
				    "a condition must be less than 2^63");
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

/* The name of a correlation type, as rules write it. */
const char *
sigma_corr_type_name(enum sigma_corr_type type)
{
	if ((size_t)type >= nitems(sigma_corr_type_names))
		return "unknown";
	return sigma_corr_type_names[type];
}
