/* SPDX-License-Identifier: ISC */
/*
 * The rule set: rules loaded from files and directories (sigma_load.c),
 * kept in load order after the level, id, tag and status filters, and
 * indexed for the hot path (rule_index.c).  Each rule's condition tells
 * which eventName values (or, failing that, eventSource or
 * userIdentity.type values) a record must have for the rule to match;
 * those rules sit in hash tables under the case-folded values.  Of the
 * rest, those that cannot match a record without an errorCode are on a
 * list tried only when there is one, and the others on a list that is
 * always evaluated.  For each record rule_set_eval() merges the lists and
 * buckets the record selects, in load order, without allocating or
 * copying anything.
 *
 * Correlation rules are not evaluated here (correlate.c keeps their
 * state).  At the end of each load their references are resolved, by id
 * and then by name, against the rules loaded so far; a rule left out by
 * the filters is kept aside until then, and taken back, silent, if a
 * correlation needs it.  A correlation is added only after the rules it
 * names, so load order is also an order in which chains can be computed.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "forms.h"
#include "hash.h"
#include "log.h"
#include "match.h"
#include "prefilter.h"
#include "record.h"
#include "rule_int.h"
#include "sigma.h"
#include "xmalloc.h"

struct rule_set {
	struct rule_opts	 opts;	/* deep copy */
	struct rule_set_stats	 stats;
	struct rule		**rules;
	size_t			 nrules;
	size_t			*always;	/* rules not indexed */
	size_t			 nalways;
	size_t			*onerror;	/* not indexed, need errorCode */
	size_t			 nonerror;
	struct rule		**pending;	/* correlations to resolve */
	size_t			 npending;
	struct rule		**held;		/* filtered out, for now */
	size_t			 nheld;
	struct rule		**filters;	/* Sigma filters, load order */
	size_t			 nfilters;
	struct rule_index	 byname;
	struct rule_index	 bysource;
	struct rule_index	 bytype;
	struct prefilter	*pf;	/* the rest, that need a literal */
	uint64_t		 gen;	/* records evaluated */
	uint64_t		 re_limits;	/* |re matches stopped */
	uint64_t		 data_events;	/* records of data events */
	/* Rule ids given so far, with where, in load order. */
	struct rule_idseen	*ids;
	size_t			 nids;
	struct hash		 idtab;
	/* Rule files and directories read so far (device and inode). */
	struct rule_fileseen	*files;
	size_t			 nfiles;
	/* Whether some rule read carries the i-th --rule-id or --tag. */
	unsigned char		*id_found;
	unsigned char		*tag_found;
};

/* rule_re_hook_set(): a -j worker's. */
static __thread rule_match_cb	*rule_re_hook;
static __thread void		*rule_re_hook_arg;

struct rule_idseen {
	char		*id;
	char		*path;
	unsigned long	 line;
};

struct rule_fileseen {
	dev_t		 dev;
	ino_t		 ino;
	char		*path;
};

/* What one rule evaluation needs to answer for a search identifier. */
struct rule_eval_ctx {
	struct rule	*r;
	struct record	*rec;
	uint64_t	 gen;
	unsigned int	 kind;		/* FORMS_CLOUDTRAIL or _GUARDDUTY */
};

static char	**rule_strv_copy(char **, size_t);
static void	 rule_strv_free(char **, size_t);
static int	 rule_strv_has(char **, size_t, const char *);
static int	 rule_keep(const struct rule_set *, const struct rule *);
static void	 rule_append(struct rule_set *, struct rule *);
static void	 rule_add(void *, struct rule *);
static int	 rule_eval_one(struct rule_set *, struct rule_eval_ctx *);
static const struct rule_idseen *rule_id_seen(struct rule_set *,
		    const struct rule *);
static int	 rule_id_eq(const void *, size_t, const void *);
static uint64_t	 rule_id_rehash(const void *, size_t);
static const char *rule_file_seen(struct rule_set *, const char *,
		    const struct stat *);
static struct rule *rule_find(struct rule **, size_t, const char *);
static struct rule *rule_take(struct rule **, size_t *, struct rule *);
static int	 rule_resolve_one(struct rule_set *, struct rule *);
static int	 rule_resolve(struct rule_set *);
static int	 rule_load_dir(struct rule_set *, const char *, int);
static int	 rule_yaml_name(const char *);
static int	 rule_cmp_names(const void *, const void *);
static int	 rule_sel_cb(void *, size_t);

static char **
rule_strv_copy(char **v, size_t n)
{
	char	**copy;
	size_t	  i;

	if (n == 0)
		return NULL;
	copy = xcalloc(n, sizeof *copy);
	for (i = 0; i < n; i++)
		copy[i] = xstrdup(v[i]);
	return copy;
}

static void
rule_strv_free(char **v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int
rule_strv_has(char **v, size_t n, const char *s)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (s != NULL && strcasecmp(v[i], s) == 0)
			return 1;
	}
	return 0;
}

/* Create an empty rule set; opts (or NULL for none) is copied. */
struct rule_set *
rule_set_create(const struct rule_opts *opts)
{
	struct rule_set	*rs;

	rs = xcalloc(1, sizeof *rs);
	rs->byname.field = "eventName";
	rs->bysource.field = "eventSource";
	rs->bytype.field = "userIdentity.type";
	rs->pf = prefilter_create();
	if (opts == NULL)
		return rs;
	rs->opts.min_level = opts->min_level;
	rs->opts.ids = rule_strv_copy(opts->ids, opts->nids);
	rs->opts.nids = opts->nids;
	rs->opts.tags = rule_strv_copy(opts->tags, opts->ntags);
	rs->opts.ntags = opts->ntags;
	rs->opts.statuses = rule_strv_copy(opts->statuses, opts->nstatuses);
	rs->opts.nstatuses = opts->nstatuses;
	rs->id_found = xcalloc(opts->nids + 1, 1);
	rs->tag_found = xcalloc(opts->ntags + 1, 1);
	rs->opts.placeholders = rule_strv_copy(opts->placeholders,
	    opts->nplaceholders);
	rs->opts.nplaceholders = opts->nplaceholders;
	return rs;
}

/* Free a rule set and its rules. */
void
rule_set_free(struct rule_set *rs)
{
	size_t	i;

	if (rs == NULL)
		return;
	for (i = 0; i < rs->nrules; i++)
		sigma_rule_free(rs->rules[i]);
	free(rs->rules);
	for (i = 0; i < rs->npending; i++)
		sigma_rule_free(rs->pending[i]);
	free(rs->pending);
	for (i = 0; i < rs->nheld; i++)
		sigma_rule_free(rs->held[i]);
	free(rs->held);
	for (i = 0; i < rs->nfilters; i++)
		sigma_rule_free(rs->filters[i]);
	free(rs->filters);
	free(rs->always);
	free(rs->onerror);
	rule_index_free(&rs->byname);
	rule_index_free(&rs->bysource);
	rule_index_free(&rs->bytype);
	prefilter_free(rs->pf);
	rule_strv_free(rs->opts.ids, rs->opts.nids);
	rule_strv_free(rs->opts.tags, rs->opts.ntags);
	rule_strv_free(rs->opts.statuses, rs->opts.nstatuses);
	rule_strv_free(rs->opts.placeholders, rs->opts.nplaceholders);
	for (i = 0; i < rs->nids; i++) {
		free(rs->ids[i].id);
		free(rs->ids[i].path);
	}
	free(rs->ids);
	hash_clear(&rs->idtab);
	for (i = 0; i < rs->nfiles; i++)
		free(rs->files[i].path);
	free(rs->files);
	free(rs->id_found);
	free(rs->tag_found);
	free(rs);
}

/* 1 if the rule passes the level, id, tag and status filters. */
static int
rule_keep(const struct rule_set *rs, const struct rule *r)
{
	size_t	i;

	if (r->level < rs->opts.min_level)
		return 0;
	if (rs->opts.nids > 0 &&
	    !rule_strv_has(rs->opts.ids, rs->opts.nids, r->id))
		return 0;
	if (rs->opts.nstatuses > 0 &&
	    !rule_strv_has(rs->opts.statuses, rs->opts.nstatuses, r->status))
		return 0;
	if (rs->opts.ntags > 0) {
		for (i = 0; i < r->ntags; i++) {
			if (rule_strv_has(rs->opts.tags, rs->opts.ntags,
			    r->tags[i]))
				break;
		}
		if (i == r->ntags)
			return 0;
	}
	return 1;
}

/* Keep a rule: a detection is indexed, a correlation is not evaluated. */
static void
rule_append(struct rule_set *rs, struct rule *r)
{
	r->index = rs->nrules;
	rs->rules = xreallocarray(rs->rules, rs->nrules + 1,
	    sizeof *rs->rules);
	rs->rules[rs->nrules++] = r;
	rs->stats.loaded++;
	if (r->corr != NULL)
		return;
	r->needs_error = rule_needs_cond(r, r->cond, "errorCode");
	if (rule_data_only(r))
		rs->stats.data_only++;
	if (rule_index_rule(&rs->byname, r) == 0) {
		rule_defer(r, "eventName", "eventSource");
		return;
	}
	if (rule_index_rule(&rs->bysource, r) == 0) {
		rule_defer(r, "eventSource", NULL);
		return;
	}
	if (rule_index_rule(&rs->bytype, r) == 0) {
		rule_defer(r, "userIdentity.type", NULL);
		return;
	}
	if (r->needs_error) {
		rs->onerror = xreallocarray(rs->onerror, rs->nonerror + 1,
		    sizeof *rs->onerror);
		rs->onerror[rs->nonerror++] = r->index;
		return;
	}
	if (prefilter_add(rs->pf, r) == 0)
		return;
	rs->always = xreallocarray(rs->always, rs->nalways + 1,
	    sizeof *rs->always);
	rs->always[rs->nalways++] = r->index;
}

/*
 * Remember the id of rule r; if a rule loaded before had it, return where
 * that one came from instead.  Ids taken from file names are not given
 * by anyone, so they may repeat.
 */
static const struct rule_idseen *
rule_id_seen(struct rule_set *rs, const struct rule *r)
{
	uint64_t	h = hash_str(r->id);
	size_t		i;

	if ((i = hash_find(&rs->idtab, h, rule_id_eq, rs, r->id)) != SIZE_MAX)
		return &rs->ids[i];
	if (hash_add(&rs->idtab, h, rs->nids, rule_id_rehash, rs) == -1)
		fatalx("more than %zu rule ids", (size_t)HASH_MAX);
	rs->ids = xreallocarray(rs->ids, rs->nids + 1, sizeof *rs->ids);
	rs->ids[rs->nids].id = xstrdup(r->id);
	rs->ids[rs->nids].path = xstrdup(r->path);
	rs->ids[rs->nids].line = r->line;
	rs->nids++;
	return NULL;
}

static int
rule_id_eq(const void *arg, size_t idx, const void *key)
{
	return strcmp(((const struct rule_set *)arg)->ids[idx].id, key) == 0;
}

static uint64_t
rule_id_rehash(const void *arg, size_t idx)
{
	return hash_str(((const struct rule_set *)arg)->ids[idx].id);
}

/*
 * Remember a rule file or directory; if it was read before (by another
 * path, a link, or a loop of links), return the path it was read as.
 */
static const char *
rule_file_seen(struct rule_set *rs, const char *path, const struct stat *sb)
{
	size_t	i;

	for (i = 0; i < rs->nfiles; i++) {
		if (rs->files[i].dev == sb->st_dev &&
		    rs->files[i].ino == sb->st_ino)
			return rs->files[i].path;
	}
	rs->files = xreallocarray(rs->files, rs->nfiles + 1,
	    sizeof *rs->files);
	rs->files[rs->nfiles].dev = sb->st_dev;
	rs->files[rs->nfiles].ino = sb->st_ino;
	rs->files[rs->nfiles].path = xstrdup(path);
	rs->nfiles++;
	return NULL;
}

/*
 * Take a compiled rule from the loader: filter, keep and index it.  A
 * rule left out is held until the end of the load, in case a correlation
 * names it; a correlation waits there for its references.
 */
static void
rule_add(void *arg, struct rule *r)
{
	struct rule_set			*rs = arg;
	const struct rule_idseen	*prev;
	size_t				 i, j;

	/* A --rule-id or --tag no rule carries is a typo: note the others. */
	for (i = 0; i < rs->opts.nids; i++)
		if (r->id != NULL && strcasecmp(rs->opts.ids[i], r->id) == 0)
			rs->id_found[i] = 1;
	for (i = 0; i < rs->opts.ntags; i++)
		for (j = 0; j < r->ntags; j++)
			if (strcasecmp(rs->opts.tags[i], r->tags[j]) == 0)
				rs->tag_found[i] = 1;

	/* Two rules with one id would double findings and confuse state. */
	if (!r->id_derived && (prev = rule_id_seen(rs, r)) != NULL) {
		diag(DIAG_CONFIG, r->path, r->line, "rule id %s is already "
		    "used by %s:%lu; this rule is not loaded", r->id,
		    prev->path, prev->line);
		rs->stats.rejected++;
		sigma_rule_free(r);
		return;
	}
	/* Filters are kept whatever --min-level, --tag and the like say. */
	if (r->filter != NULL) {
		rs->filters = xreallocarray(rs->filters, rs->nfilters + 1,
		    sizeof *rs->filters);
		rs->filters[rs->nfilters++] = r;
		return;
	}
	if (!rule_keep(rs, r)) {
		rs->stats.filtered++;
		rs->held = xreallocarray(rs->held, rs->nheld + 1,
		    sizeof *rs->held);
		rs->held[rs->nheld++] = r;
		return;
	}
	if (r->corr != NULL) {
		rs->pending = xreallocarray(rs->pending, rs->npending + 1,
		    sizeof *rs->pending);
		rs->pending[rs->npending++] = r;
		return;
	}
	rule_append(rs, r);
}

/* The rule with this id, or failing that this name, in a list. */
static struct rule *
rule_find(struct rule **v, size_t n, const char *text)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (strcmp(v[i]->id, text) == 0)
			return v[i];
	}
	for (i = 0; i < n; i++) {
		if (v[i]->name != NULL && strcmp(v[i]->name, text) == 0)
			return v[i];
	}
	return NULL;
}

/* Remove r from a list; return it. */
static struct rule *
rule_take(struct rule **v, size_t *n, struct rule *r)
{
	size_t	i;

	for (i = 0; i < *n && v[i] != r; i++)
		;
	if (i == *n)
		fatalx("%s: rule not in list", __func__);
	memmove(v + i, v + i + 1, (*n - i - 1) * sizeof *v);
	(*n)--;
	return r;
}

/*
 * Resolve the references of one pending correlation: 1 when done, 0 when
 * it must wait for another pending correlation, -1 when it is rejected
 * (reported).  Ids are looked up before names, kept rules before held
 * ones; a held rule that is needed is taken back, silent.
 */
static int
rule_resolve_one(struct rule_set *rs, struct rule *c)
{
	struct sigma_corr	*sc = c->corr;
	struct sigma_corr_alias	*a;
	struct rule		*t;
	size_t			 i, j;
	int			 wait = 0;

	for (i = 0; i < sc->nrefs; i++) {
		if ((t = rule_find(rs->rules, rs->nrules,
		    sc->refs[i].text)) != NULL) {
			sc->refs[i].rule = t;
			continue;
		}
		if ((t = rule_find(rs->pending, rs->npending,
		    sc->refs[i].text)) != NULL) {
			if (t == c) {
				diag(DIAG_CONFIG, c->path, sc->refs[i].line,
				    "correlation rule '%s' refers to itself",
				    c->title);
				return -1;
			}
			wait = 1;
			continue;
		}
		if ((t = rule_find(rs->held, rs->nheld,
		    sc->refs[i].text)) != NULL) {
			rule_take(rs->held, &rs->nheld, t);
			rs->stats.filtered--;
			t->silent = 1;
			if (t->corr != NULL) {
				rs->pending = xreallocarray(rs->pending,
				    rs->npending + 1, sizeof *rs->pending);
				rs->pending[rs->npending++] = t;
				wait = 1;
			} else {
				rule_append(rs, t);
				sc->refs[i].rule = t;
			}
			continue;
		}
		diag(DIAG_CONFIG, c->path, sc->refs[i].line, "correlation rule "
		    "'%s' refers to rule '%s', which is not loaded by this or an "
		    "earlier -r", c->title, sc->refs[i].text);
		return -1;
	}
	if (wait)
		return 0;
	for (i = 0; i < sc->nrefs; i++) {
		for (j = 0; j < i; j++) {
			if (sc->refs[i].rule == sc->refs[j].rule) {
				diag(DIAG_CONFIG, c->path, sc->refs[i].line,
				    "correlation rule '%s' names rule '%s' "
				    "twice", c->title, sc->refs[i].text);
				return -1;
			}
		}
	}
	for (i = 0; i < sc->naliases; i++) {
		a = &sc->aliases[i];
		for (j = 0; j < sc->nrefs; j++) {
			t = sc->refs[j].rule;
			if (strcmp(a->rule, sc->refs[j].text) == 0 ||
			    strcmp(a->rule, t->id) == 0 ||
			    (t->name != NULL && strcmp(a->rule, t->name) == 0))
				break;
		}
		if (j == sc->nrefs) {
			diag(DIAG_CONFIG, c->path, a->line, "alias '%s' names "
			    "rule '%s', which the correlation does not refer "
			    "to", a->alias, a->rule);
			return -1;
		}
		a->ref = j;
	}
	if (!sc->generate) {
		for (i = 0; i < sc->nrefs; i++)
			sc->refs[i].rule->silent = 1;
	}
	return 1;
}

/*
 * Resolve the pending correlations, each after the ones it names; what is
 * left when nothing moves any more refers to itself through others.
 * Returns 0, or -1 if any was rejected.
 */
static int
rule_resolve(struct rule_set *rs)
{
	struct rule	*c;
	size_t		 i;
	int		 progress = 1, rv = 0, st;

	while (progress) {
		progress = 0;
		for (i = 0; i < rs->npending;) {
			c = rs->pending[i];
			if ((st = rule_resolve_one(rs, c)) == 0) {
				i++;
				continue;
			}
			rule_take(rs->pending, &rs->npending, c);
			progress = 1;
			if (st == 1) {
				rule_append(rs, c);
				continue;
			}
			rs->stats.rejected++;
			rv = -1;
			sigma_rule_free(c);
		}
	}
	for (i = 0; i < rs->npending; i++) {
		c = rs->pending[i];
		diag(DIAG_CONFIG, c->path, c->line, "correlation rule '%s' "
		    "refers to itself through other correlations", c->title);
		rs->stats.rejected++;
		rv = -1;
		sigma_rule_free(c);
	}
	rs->npending = 0;
	return rv;
}

static int
rule_yaml_name(const char *name)
{
	size_t	len = strlen(name);

	return (len > 4 && strcmp(name + len - 4, ".yml") == 0) ||
	    (len > 5 && strcmp(name + len - 5, ".yaml") == 0);
}

static int
rule_cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Load the .yml and .yaml files below a directory, in sorted order. */
static int
rule_load_dir(struct rule_set *rs, const char *dir, int depth)
{
	struct sigma_load_ctx	  ctx;
	struct dirent		 *de;
	struct stat		  sb;
	DIR			 *d;
	const char		 *first;
	char			**names = NULL, *path;
	size_t			  n = 0, i;
	int			  rv = 0;

	if (depth > SIGMA_DIR_DEPTH) {
		diag(DIAG_CONFIG, dir, 0, "rule directories nested deeper "
		    "than %d levels", SIGMA_DIR_DEPTH);
		return -1;
	}
	if ((d = opendir(dir)) == NULL) {
		diag(DIAG_CONFIG, dir, 0, "%s", strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof *names, rule_cmp_names);

	ctx.opts = &rs->opts;
	ctx.stats = &rs->stats;
	ctx.add = rule_add;
	ctx.arg = rs;
	for (i = 0; i < n; i++) {
		path = xprintf("%s%s%s", dir,
		    dir[strlen(dir) - 1] == '/' ? "" : "/", names[i]);
		if (stat(path, &sb) == -1) {
			diag(DIAG_CONFIG, path, 0, "%s", strerror(errno));
			rv = -1;
		} else if ((S_ISDIR(sb.st_mode) || (S_ISREG(sb.st_mode) &&
		    rule_yaml_name(names[i]))) &&
		    (first = rule_file_seen(rs, path, &sb)) != NULL) {
			diag(DIAG_NOTE, path, 0, "the same %s as %s, already "
			    "read", S_ISDIR(sb.st_mode) ? "directory" : "file",
			    first);
		} else if (S_ISDIR(sb.st_mode)) {
			if (rule_load_dir(rs, path, depth + 1) == -1)
				rv = -1;
		} else if (S_ISREG(sb.st_mode) && rule_yaml_name(names[i])) {
			rs->stats.files++;
			if (sigma_load_file(path, &ctx) == -1)
				rv = -1;
		}
		free(path);
		free(names[i]);
	}
	free(names);
	return rv;
}

/*
 * Load a rule file or every .yml/.yaml file below a directory, in sorted
 * order.  Returns 0, or -1 if any rule was rejected or the path could not
 * be read (each problem already reported); the good rules stay loaded.
 */
int
rule_set_load(struct rule_set *rs, const char *path)
{
	struct sigma_load_ctx	ctx;
	struct stat		sb;
	const char		*first;
	size_t			rejected = rs->stats.rejected;
	int			rv;

	if (stat(path, &sb) == -1) {
		diag(DIAG_CONFIG, path, 0, "%s", strerror(errno));
		return -1;
	}
	if ((first = rule_file_seen(rs, path, &sb)) != NULL) {
		diag(DIAG_NOTE, path, 0, "the same %s as %s, already read",
		    S_ISDIR(sb.st_mode) ? "directory" : "file", first);
		return 0;
	}
	if (S_ISDIR(sb.st_mode))
		rv = rule_load_dir(rs, path, 0);
	else {
		ctx.opts = &rs->opts;
		ctx.stats = &rs->stats;
		ctx.add = rule_add;
		ctx.arg = rs;
		rs->stats.files++;
		rv = sigma_load_file(path, &ctx);
	}
	if (rule_resolve(rs) == -1)
		rv = -1;
	/* A rule dropped on the way (a second use of an id) is one lost. */
	if (rs->stats.rejected != rejected)
		rv = -1;
	return rv;
}

/* Load rules from a string, as if read from the file name (for tests). */
int
rule_set_load_buffer(struct rule_set *rs, const char *name, const char *data,
    size_t len)
{
	struct sigma_load_ctx	ctx;
	int			rv;

	ctx.opts = &rs->opts;
	ctx.stats = &rs->stats;
	ctx.add = rule_add;
	ctx.arg = rs;
	rs->stats.files++;
	rv = sigma_load_buffer(name, data, len, &ctx);
	if (rule_resolve(rs) == -1)
		rv = -1;
	return rv;
}

/* The result of search identifier i, computed once per record. */
static int
rule_sel_cb(void *arg, size_t i)
{
	struct rule_eval_ctx	*ctx = arg;
	struct sigma_sel	*sel = &ctx->r->sels[i];
	const struct sigma_group *g;
	size_t			 k, n;

	if (sel->gen == ctx->gen)
		return sel->value;
	sel->value = 0;
	for (k = 0; k < sel->ngroups && !sel->value; k++) {
		g = &sel->groups[k];
		for (n = 0; n < g->nitems; n++) {
			if (!match_item_eval(g->items[n], ctx->rec))
				break;
		}
		sel->value = n == g->nitems;
	}
	sel->gen = ctx->gen;
	return sel->value;
}

/*
 * Evaluate one rule's condition.  A regular expression that PCRE2's
 * limits stopped counts as no match, which could hide an event: say so,
 * for the first RULE_RE_WARN_MAX times, and count every one.
 */
static int
rule_eval_one(struct rule_set *rs, struct rule_eval_ctx *ctx)
{
	uint64_t	before = match_re_limits();
	int		rv;

	/* A rule reads only the records its logsource names. */
	if (((ctx->r->forms != 0 ? ctx->r->forms : FORMS_CLOUDTRAIL) &
	    ctx->kind) == 0)
		return 0;
	rv = sigma_cond_eval(ctx->r->cond, rule_sel_cb, ctx);
	if (match_re_limits() == before)
		return rv;
	if (rule_re_hook != NULL)
		rule_re_hook(ctx->r, ctx->rec, rule_re_hook_arg);
	else
		rule_set_re_limit(rs, ctx->r, record_origin(ctx->rec),
		    record_index(ctx->rec));
	return rv;
}

/*
 * -j: this thread's stops are handed to cb instead, for the main thread
 * to count and warn about with rule_set_re_limit() in input order, so
 * that the warnings are -j 1's whatever the number of workers.
 */
void
rule_re_hook_set(rule_match_cb *cb, void *arg)
{
	rule_re_hook = cb;
	rule_re_hook_arg = arg;
}

/* Count a stopped evaluation; warn about the first RULE_RE_WARN_MAX. */
void
rule_set_re_limit(struct rule_set *rs, const struct rule *r,
    const char *origin, uint64_t index)
{
	rs->re_limits++;
	if (rs->re_limits <= RULE_RE_WARN_MAX)
		diag(DIAG_WARN, origin, 0, "record %ju: rule "
		    "%s: a regular expression stopped at PCRE2's match "
		    "limit, counted as no match%s",
		    (uintmax_t)index, r->id,
		    rs->re_limits == RULE_RE_WARN_MAX ? " (further ones are "
		    "only counted in the summary)" : "");
}

/*
 * Add the evaluations stopped by a regular expression's limits (see
 * above) and the records of data events to *t.
 */
void
rule_set_tally(const struct rule_set *rs, struct rule_tally *t)
{
	t->re_limits += rs->re_limits;
	t->data_events += rs->data_events;
}

/* Test a record against every rule that can match it, in load order. */
void
rule_set_eval(struct rule_set *rs, struct record *rec, rule_match_cb *cb,
    void *arg)
{
	struct rule_eval_ctx	 ctx;
	struct rule_keys	 keys;
	const struct rec_value	*root;
	const size_t		*list[6];
	size_t			 len[6], pos[6], i, best, k;
	int			 all = 0;

	ctx.rec = rec;
	ctx.gen = ++rs->gen;
	memset(&keys, 0, sizeof keys);
	if ((root = record_root(rec)) != NULL && root->type == REC_OBJECT)
		all = rule_index_members(root, &keys);
	if (keys.data)
		rs->data_events++;
	ctx.kind = forms_kind(root);
	list[0] = rs->always;
	len[0] = rs->nalways;
	list[1] = rs->onerror;
	len[1] = keys.error ? rs->nonerror : 0;
	list[2] = rule_bucket_get(&rs->byname, keys.name, &len[2], &all);
	list[3] = rule_bucket_get(&rs->bysource, keys.source, &len[3], &all);
	list[4] = rule_bucket_get(&rs->bytype, keys.type, &len[4], &all);
	list[5] = all ? NULL : prefilter_eval(rs->pf, rec, &len[5]);
	if (all)
		len[5] = 0;

	if (all) {
		for (i = 0; i < rs->nrules; i++) {
			ctx.r = rs->rules[i];
			if (ctx.r->cond != NULL && rule_eval_one(rs, &ctx))
				cb(ctx.r, rec, arg);
		}
		return;
	}
	/* A rule is on exactly one list, so merging needs no dedup. */
	memset(pos, 0, sizeof pos);
	for (;;) {
		best = SIZE_MAX;
		for (k = 0; k < nitems(list); k++) {
			if (pos[k] < len[k] && list[k][pos[k]] < best) {
				best = list[k][pos[k]];
				i = k;
			}
		}
		if (best == SIZE_MAX)
			break;
		pos[i]++;
		ctx.r = rs->rules[best];
		if (ctx.r->needs_error && !keys.error)
			continue;
		if (rule_eval_one(rs, &ctx))
			cb(ctx.r, rec, arg);
	}
}

/*
 * Rules that the index cannot place: evaluated for every record, or for
 * those in which the prefilter finds one of their literals.
 */
size_t
rule_set_nalways(const struct rule_set *rs)
{
	return rs->nalways + prefilter_count(rs->pf);
}

/* Of those, the rules the prefilter took. */
size_t
rule_set_nprefiltered(const struct rule_set *rs)
{
	return prefilter_count(rs->pf);
}

/* Counts of rules loaded, rejected and left out. */
const struct rule_set_stats *
rule_set_stats(const struct rule_set *rs)
{
	return &rs->stats;
}

/* Rules in the set. */
size_t
rule_set_count(const struct rule_set *rs)
{
	return rs->nrules;
}

/* Rule number i, in load order. */
const struct rule *
rule_set_get(const struct rule_set *rs, size_t i)
{
	return i < rs->nrules ? rs->rules[i] : NULL;
}

const char *
rule_id(const struct rule *r)
{
	return r->id;
}

/* The rule's Sigma name, or NULL. */
const char *
rule_name(const struct rule *r)
{
	return r->name;
}

/* 1 for a correlation rule, 0 for a detection. */
int
rule_is_correlation(const struct rule *r)
{
	return r->corr != NULL;
}

/*
 * 1 if the rule's matches are findings, 0 if they only feed correlations
 * (a correlation with generate: false names it, or it was filtered out
 * and taken back for a correlation).
 */
int
rule_generates(const struct rule *r)
{
	return !r->silent;
}

const char *
rule_title(const struct rule *r)
{
	return r->title;
}

const char *
rule_description(const struct rule *r)
{
	return r->description != NULL ? r->description : "";
}

const char *
rule_status(const struct rule *r)
{
	return r->status != NULL ? r->status : "";
}

const char *
rule_path(const struct rule *r)
{
	return r->path;
}

enum rule_level
rule_level(const struct rule *r)
{
	return r->level;
}

/* The records a rule reads (forms.h): FORMS_CLOUDTRAIL unless it says. */
unsigned int
rule_forms(const struct rule *r)
{
	return r->forms != 0 ? (unsigned int)r->forms : FORMS_CLOUDTRAIL;
}

size_t
rule_ntags(const struct rule *r)
{
	return r->ntags;
}

const char *
rule_tag(const struct rule *r, size_t i)
{
	return i < r->ntags ? r->tags[i] : NULL;
}

size_t
rule_nfalsepositives(const struct rule *r)
{
	return r->nfalsepositives;
}

const char *
rule_falsepositive(const struct rule *r, size_t i)
{
	return i < r->nfalsepositives ? r->falsepositives[i] : NULL;
}

size_t
rule_nreferences(const struct rule *r)
{
	return r->nreferences;
}

const char *
rule_reference(const struct rule *r, size_t i)
{
	return i < r->nreferences ? r->references[i] : NULL;
}

/* The name of a level, as in rules: "high" (sigma_load.c has the names). */
const char *
rule_level_name(enum rule_level level)
{
	return sigma_level_name(level);
}

/* Parse a level name (any case): 0, or -1 if unknown. */
int
rule_level_parse(const char *s, enum rule_level *level)
{
	return sigma_level_parse(s, level);
}

/* 1 if some rule read carries the i-th --rule-id given. */
int
rule_set_id_found(const struct rule_set *rs, size_t i)
{
	return i < rs->opts.nids && rs->id_found[i];
}

/* 1 if some rule read carries the i-th --tag given. */
int
rule_set_tag_found(const struct rule_set *rs, size_t i)
{
	return i < rs->opts.ntags && rs->tag_found[i];
}

/* How many Sigma filters were loaded. */
size_t
rule_set_nfilters(const struct rule_set *rs)
{
	return rs->nfilters;
}

/* The i-th filter, in load order. */
const struct rule *
rule_set_filter_get(const struct rule_set *rs, size_t i)
{
	return rs->filters[i];
}

/* 1 if the rule is a Sigma filter. */
int
rule_is_filter(const struct rule *r)
{
	return r->filter != NULL;
}

/*
 * Look up the rules each filter names, once every rule file is loaded.
 * A name that matches no rule, even one left out by the options, is
 * reported as a warning: the filter may be for another rule pack.
 */
void
rule_set_filters_resolve(struct rule_set *rs)
{
	struct sigma_filter	*f;
	struct sigma_corr_ref	*ref;
	size_t			 i, j;

	for (i = 0; i < rs->nfilters; i++) {
		f = rs->filters[i]->filter;
		if (f->resolved)
			continue;
		f->resolved = 1;
		for (j = 0; j < f->nrefs; j++) {
			ref = &f->refs[j];
			if ((ref->rule = rule_find(rs->rules, rs->nrules,
			    ref->text)) != NULL ||
			    rule_find(rs->held, rs->nheld, ref->text) != NULL)
				continue;
			diag(DIAG_WARN, rs->filters[i]->path, ref->line,
			    "filter '%s' names rule '%s', which is not "
			    "loaded", rs->filters[i]->title, ref->text);
		}
	}
}

/*
 * The first filter that names rule r and matches rec, or NULL: a match
 * to be suppressed.  Call it from the match callback of rule_set_eval(),
 * so that selections shared with the rule are not evaluated twice.
 */
const struct rule *
rule_set_suppress(struct rule_set *rs, const struct rule *r,
    struct record *rec)
{
	struct rule_eval_ctx	 ctx;
	struct sigma_filter	*f;
	size_t			 i, j;

	for (i = 0; i < rs->nfilters; i++) {
		f = rs->filters[i]->filter;
		if (!f->resolved)
			rule_set_filters_resolve(rs);
		for (j = 0; j < f->nrefs; j++)
			if (f->refs[j].rule == r)
				break;
		if (j == f->nrefs)
			continue;
		ctx.r = rs->filters[i];
		ctx.rec = rec;
		ctx.gen = rs->gen;
		if (sigma_cond_eval(ctx.r->cond, rule_sel_cb, &ctx))
			return ctx.r;
	}
	return NULL;
}
