/* SPDX-License-Identifier: ISC */
/*
 * The index of the rule set.  Each rule's condition is read for the
 * literals that eventName, eventSource or userIdentity.type must equal
 * for it to match, and the rule is filed under those values, case-folded,
 * in a hash table per field; what a rule cannot match without (errorCode)
 * is found the same way.  For each record, rule.c asks for the members
 * that select rules and for the buckets they name.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compat.h"
#include "match.h"
#include "record.h"
#include "rule_int.h"
#include "sigma.h"
#include "xmalloc.h"

/* A set of literals a field must equal; borrowed from match items. */
struct rule_lits {
	const char	**v;
	size_t		  n;
};

static unsigned char rule_fold(unsigned char);
static uint64_t	 rule_fold8(const char *, size_t);
static uint64_t	 rule_hash(const char *, size_t);
static struct rule_bucket *rule_index_find(const struct rule_index *,
		    const char *, size_t);
static void	 rule_index_grow(struct rule_index *);
static void	 rule_index_add(struct rule_index *, const char *, size_t);
static int	 rule_lits_item(const struct match_item *, const char *,
		    struct rule_lits *);
static void	 rule_lits_union(struct rule_lits *, struct rule_lits *);
static int	 rule_lits_sel(const struct sigma_sel *, const char *,
		    struct rule_lits *);
static int	 rule_lits_cond(const struct rule *, const struct sigma_cond *,
		    const char *, struct rule_lits *);
static int	 rule_needs_sel(const struct sigma_sel *, const char *);
static int	 rule_data_name(const char *);

/* ASCII case folding: the index must not depend on the locale. */
static unsigned char
rule_fold(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/*
 * Up to eight bytes of s as a little word, zero-padded, with ASCII capitals
 * folded: each byte's low seven bits plus a constant set its top bit when
 * it is at least 'A', and another when it is past 'Z'; neither sum can
 * carry into the next byte.  Bytes above 0x7f are left alone.  The hash
 * and the compare of every lookup, once per record and index, go eight
 * bytes at a time this way.
 */
static inline uint64_t
rule_fold8(const char *s, size_t n)
{
	const uint64_t	 ones = 0x0101010101010101ULL;
	const uint64_t	 highs = 0x8080808080808080ULL;
	uint64_t	 w = 0, low, caps;

	if (n >= 8)
		memcpy(&w, s, 8);
	else {
		while (n-- > 0)
			w = w << 8 | (unsigned char)s[n];
	}
	low = w & ~highs;
	caps = (low + ones * (0x80 - 'A')) & ~(low + ones * (0x80 - 'Z' - 1)) &
	    ~w & highs;
	return w | caps >> 2;
}

/*
 * A multiply-xorshift hash of the folded words.  This index stays apart
 * from hash.c: it is probed for every record, up to three times, and
 * hashing and comparing case-folded keys a word at a time here is what
 * keeps that cheap; hash.c's byte-wise FNV-1a over keys folded first
 * would need a copy per lookup.
 */
static uint64_t
rule_hash(const char *s, size_t len)
{
	uint64_t	h = len * 0x9e3779b97f4a7c15ULL;
	size_t		i;

	for (i = 0; i < len; i += 8) {
		h ^= rule_fold8(s + i, len - i);
		h *= 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	return h;
}

/* The bucket for s (any case), or the free slot where it would go. */
static struct rule_bucket *
rule_index_find(const struct rule_index *ix, const char *s, size_t len)
{
	struct rule_bucket	*b;
	size_t			 i, k;

	if (ix->size == 0)
		return NULL;
	i = rule_hash(s, len) & (ix->size - 1);
	for (;; i = (i + 1) & (ix->size - 1)) {
		b = &ix->b[i];
		if (b->key == NULL)
			return b;
		if (b->keylen != len)
			continue;
		/* Keys are stored folded, so fold8 leaves them as they are. */
		for (k = 0; k < len; k += 8) {
			if (rule_fold8(b->key + k, len - k) !=
			    rule_fold8(s + k, len - k))
				break;
		}
		if (k >= len)
			return b;
	}
}

static void
rule_index_grow(struct rule_index *ix)
{
	struct rule_bucket	*old = ix->b, *b;
	size_t			 oldsize = ix->size, i;

	ix->size = oldsize == 0 ? 64 : oldsize * 2;
	ix->b = xcalloc(ix->size, sizeof *ix->b);
	for (i = 0; i < oldsize; i++) {
		if (old[i].key == NULL)
			continue;
		b = rule_index_find(ix, old[i].key, old[i].keylen);
		*b = old[i];
	}
	free(old);
}

/* File rule number idx under the value s. */
static void
rule_index_add(struct rule_index *ix, const char *s, size_t idx)
{
	struct rule_bucket	*b;
	size_t			 len = strlen(s), i;

	if ((ix->used + 1) * 2 > ix->size)
		rule_index_grow(ix);
	b = rule_index_find(ix, s, len);
	if (b->key == NULL) {
		b->key = xmalloc(len + 1);
		for (i = 0; i < len; i++)
			b->key[i] = rule_fold((unsigned char)s[i]);
		b->key[len] = '\0';
		b->keylen = len;
		ix->used++;
	}
	if (b->nrules > 0 && b->rules[b->nrules - 1] == idx)
		return;		/* the same value twice in one rule */
	b->rules = xreallocarray(b->rules, b->nrules + 1, sizeof *b->rules);
	b->rules[b->nrules++] = idx;
}

/* Free the buckets of an index. */
void
rule_index_free(struct rule_index *ix)
{
	size_t	i;

	for (i = 0; i < ix->size; i++) {
		free(ix->b[i].key);
		free(ix->b[i].rules);
	}
	free(ix->b);
}

/*
 * The literals an item needs field to equal: 0 and *out set, or -1 if
 * the item does not pin the field.  Empty and non-ASCII values are not
 * used, so that case folding here agrees with any matcher.
 */
static int
rule_lits_item(const struct match_item *mi, const char *field,
    struct rule_lits *out)
{
	const char *const	*vals;
	const char		*f, *s;
	size_t			 n, i;

	if ((f = match_item_literals(mi, &vals, &n)) == NULL ||
	    strcmp(f, field) != 0 || n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (*vals[i] == '\0')
			return -1;
		for (s = vals[i]; *s != '\0'; s++) {
			if ((unsigned char)*s >= 0x80)
				return -1;
		}
	}
	out->v = xcalloc(n, sizeof *out->v);
	memcpy(out->v, vals, n * sizeof *out->v);
	out->n = n;
	return 0;
}

/* Append b to a (b is emptied). */
static void
rule_lits_union(struct rule_lits *a, struct rule_lits *b)
{
	a->v = xreallocarray(a->v, a->n + b->n, sizeof *a->v);
	memcpy(a->v + a->n, b->v, b->n * sizeof *b->v);
	a->n += b->n;
	free(b->v);
	b->v = NULL;
	b->n = 0;
}

/*
 * The literals a search identifier needs field to equal: a group (AND)
 * needs those of any one item, the smallest set; the identifier (OR of
 * its groups) needs the union, if every group pins the field.
 */
static int
rule_lits_sel(const struct sigma_sel *sel, const char *field,
    struct rule_lits *out)
{
	struct rule_lits	 best, one;
	size_t			 g, i;

	out->v = NULL;
	out->n = 0;
	for (g = 0; g < sel->ngroups; g++) {
		best.v = NULL;
		best.n = 0;
		for (i = 0; i < sel->groups[g].nitems; i++) {
			if (rule_lits_item(sel->groups[g].items[i], field,
			    &one) == -1)
				continue;
			if (best.v == NULL || one.n < best.n) {
				free(best.v);
				best = one;
			} else
				free(one.v);
		}
		if (best.v == NULL) {
			free(out->v);
			out->v = NULL;
			return -1;
		}
		rule_lits_union(out, &best);
	}
	return out->v != NULL ? 0 : -1;
}

/*
 * The same over a condition: AND needs any one kid's set (the smallest),
 * NOT pins nothing, and "need of n" (OR when need is 1) needs the union of
 * the kids that pin the field, if fewer than need kids do not.
 */
static int
rule_lits_cond(const struct rule *r, const struct sigma_cond *c,
    const char *field, struct rule_lits *out)
{
	struct rule_lits	one;
	size_t			i, loose = 0, need;

	out->v = NULL;
	out->n = 0;
	switch (c->type) {
	case SIGMA_COND_SEL:
		return rule_lits_sel(&r->sels[c->sel], field, out);
	case SIGMA_COND_NOT:
		return -1;
	case SIGMA_COND_AND:
		for (i = 0; i < c->nkids; i++) {
			if (rule_lits_cond(r, c->kids[i], field, &one) == -1)
				continue;
			if (out->v == NULL || one.n < out->n) {
				free(out->v);
				*out = one;
			} else
				free(one.v);
		}
		return out->v != NULL ? 0 : -1;
	case SIGMA_COND_OR:
	case SIGMA_COND_OF:
		need = c->type == SIGMA_COND_OR ? 1 : c->need;
		for (i = 0; i < c->nkids; i++) {
			if (rule_lits_cond(r, c->kids[i], field, &one) == -1)
				loose++;
			else
				rule_lits_union(out, &one);
		}
		if (loose < need && out->v != NULL)
			return 0;
		free(out->v);
		out->v = NULL;
		out->n = 0;
		return -1;
	}
	return -1;
}

/* File a rule under the values of ix->field it needs; -1 if none. */
int
rule_index_rule(struct rule_index *ix, const struct rule *r)
{
	struct rule_lits	lits;
	size_t			i;

	if (rule_lits_cond(r, r->cond, ix->field, &lits) == -1)
		return -1;
	for (i = 0; i < lits.n; i++)
		rule_index_add(ix, lits.v[i], r->index);
	free(lits.v);
	return 0;
}

/*
 * A rule filed under field f1 is only tried on records whose f1 has one of
 * the values it tests for, and those with a value of f1 nearly always
 * have the same f2 (an eventName belongs to one eventSource): its plain
 * tests of these fields are then nearly always true.  Try them last in
 * each group (an AND, so the order changes nothing but the cost), and the
 * tests that tell records apart first.
 */
void
rule_defer(struct rule *r, const char *f1, const char *f2)
{
	struct sigma_group	*g;
	struct match_item	*mi;
	const char *const	*vals;
	const char		*f;
	size_t			 s, k, i, n, nvals;

	for (s = 0; s < r->nsels; s++) {
		for (k = 0; k < r->sels[s].ngroups; k++) {
			g = &r->sels[s].groups[k];
			/* A stable partition, moving each deferred item back. */
			for (i = 0, n = g->nitems; i < n;) {
				mi = g->items[i];
				f = match_item_literals(mi, &vals, &nvals);
				if (f == NULL || (strcmp(f, f1) != 0 &&
				    (f2 == NULL || strcmp(f, f2) != 0))) {
					i++;
					continue;
				}
				memmove(&g->items[i], &g->items[i + 1],
				    (g->nitems - i - 1) * sizeof *g->items);
				g->items[g->nitems - 1] = mi;
				n--;
			}
		}
	}
}

/*
 * Whether a search identifier can be true only for a record with a member
 * that resolves field: each of its groups (OR) has an item (AND) that
 * needs it.
 */
static int
rule_needs_sel(const struct sigma_sel *sel, const char *field)
{
	const char	*f;
	size_t		 g, i;

	for (g = 0; g < sel->ngroups; g++) {
		for (i = 0; i < sel->groups[g].nitems; i++) {
			f = match_item_needs(sel->groups[g].items[i]);
			if (f != NULL && strcmp(f, field) == 0)
				break;
		}
		if (i == sel->groups[g].nitems)
			return 0;
	}
	return sel->ngroups > 0;
}

/* The same over a condition, as rule_lits_cond() reasons. */
int
rule_needs_cond(const struct rule *r, const struct sigma_cond *c,
    const char *field)
{
	size_t	i, loose = 0, need;

	switch (c->type) {
	case SIGMA_COND_SEL:
		return rule_needs_sel(&r->sels[c->sel], field);
	case SIGMA_COND_NOT:
		return 0;
	case SIGMA_COND_AND:
		for (i = 0; i < c->nkids; i++) {
			if (rule_needs_cond(r, c->kids[i], field))
				return 1;
		}
		return 0;
	case SIGMA_COND_OR:
	case SIGMA_COND_OF:
		need = c->type == SIGMA_COND_OR ? 1 : c->need;
		for (i = 0; i < c->nkids; i++) {
			if (!rule_needs_cond(r, c->kids[i], field))
				loose++;
		}
		return c->nkids > 0 && loose < need;
	}
	return 0;
}

/*
 * The operations CloudTrail logs only as data events, which a trail records
 * only when its event selectors ask for them: S3's object calls, Lambda's
 * Invoke and DynamoDB's item calls (the resource types of the API's
 * DataResource).  Other data events are left out: a rule is called blind
 * only when it surely is.
 */
static const char *const rule_data_names[] = {
	"AbortMultipartUpload", "BatchGetItem", "BatchWriteItem",
	"CompleteMultipartUpload", "CopyObject", "CreateMultipartUpload",
	"DeleteItem", "DeleteObject", "DeleteObjectTagging", "DeleteObjects",
	"GetItem", "GetObject", "GetObjectAcl", "GetObjectAttributes",
	"GetObjectLegalHold", "GetObjectRetention", "GetObjectTagging",
	"GetObjectTorrent", "HeadObject", "Invoke", "PutItem", "PutObject",
	"PutObjectAcl", "PutObjectLegalHold", "PutObjectRetention",
	"PutObjectTagging", "RestoreObject", "SelectObjectContent",
	"TransactGetItems", "TransactWriteItems", "UpdateItem", "UploadPart",
	"UploadPartCopy",
};

/*
 * 1 if s is one of rule_data_names, in any case (strcasecmp() is ASCII's:
 * ctaudit never calls setlocale()).
 */
static int
rule_data_name(const char *s)
{
	size_t	i;

	for (i = 0; i < nitems(rule_data_names); i++)
		if (strcasecmp(s, rule_data_names[i]) == 0)
			return 1;
	return 0;
}

/*
 * 1 if every eventName the rule can match is a data event's: on a trail
 * that logs none, it cannot match at all.
 */
int
rule_data_only(const struct rule *r)
{
	struct rule_lits	lits;
	size_t			i;
	int			only;

	if (rule_lits_cond(r, r->cond, "eventName", &lits) == -1)
		return 0;
	only = lits.n > 0;
	for (i = 0; i < lits.n && only; i++)
		only = rule_data_name(lits.v[i]);
	free(lits.v);
	return only;
}

/*
 * The rules filed under the record's value v of the index's field.  A
 * container value cannot be looked up, so *all is set: every rule must
 * then be tried.
 */
const size_t *
rule_bucket_get(const struct rule_index *ix, const struct rec_value *v,
    size_t *n, int *all)
{
	const struct rule_bucket	*b;

	*n = 0;
	if (v == NULL || ix->size == 0)
		return NULL;
	if (v->type == REC_OBJECT || v->type == REC_ARRAY) {
		*all = 1;
		return NULL;
	}
	if ((b = rule_index_find(ix, v->str, v->len)) == NULL ||
	    b->key == NULL)
		return NULL;
	*n = b->nrules;
	return b->rules;
}

/*
 * Find the members of the record that select its rules.  The matcher
 * tries every member of a name, every element of an array on the way, and
 * takes "userIdentity.type" as a member of that name too, so a record
 * that repeats one of these members or has an unusual shape (no CloudTrail
 * record does, but a forged file could) cannot be looked up by them:
 * return 1 and every rule is tried.
 */
int
rule_index_members(const struct rec_value *root, struct rule_keys *k)
{
	const struct rec_value	*v, *ui = NULL;

	for (v = root->child; v != NULL; v = v->next) {
		if (v->keylen == 9 && memcmp(v->key, "eventName", 9) == 0) {
			if (k->name != NULL)
				return 1;
			k->name = v;
		} else if (v->keylen == 11 &&
		    memcmp(v->key, "eventSource", 11) == 0) {
			if (k->source != NULL)
				return 1;
			k->source = v;
		} else if (v->keylen == 9 &&
		    memcmp(v->key, "errorCode", 9) == 0)
			k->error = 1;
		else if (v->keylen == 13 &&
		    memcmp(v->key, "eventCategory", 13) == 0)
			k->data |= v->type == REC_STRING && v->len == 4 &&
			    memcmp(v->str, "Data", 4) == 0;
		else if (v->keylen == 15 &&
		    memcmp(v->key, "managementEvent", 15) == 0)
			k->data |= v->type == REC_FALSE;
		else if (v->keylen >= 12 &&
		    memcmp(v->key, "userIdentity", 12) == 0) {
			if (v->keylen > 12 && v->key[12] != '.')
				continue;
			if (ui != NULL || v->keylen > 12)
				return 1;
			ui = v;
		}
	}
	if (ui == NULL || ui->type != REC_OBJECT)
		return ui != NULL && ui->type == REC_ARRAY;
	for (v = ui->child; v != NULL; v = v->next) {
		if (v->keylen == 4 && memcmp(v->key, "type", 4) == 0) {
			if (k->type != NULL)
				return 1;
			k->type = v;
		}
	}
	return 0;
}
