/*
 * scopeset_ops.c
 *	  Set algebra on scopesets: union, intersection, difference, containment,
 *	  overlap and membership.
 *
 * A set denotes the concrete names its elements match.  Every operation
 * first walks the two sorted name lists in step, which settles all the
 * literal elements, and only then compares the wildcard elements, which are
 * usually few.
 */
#include "postgres.h"

#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "scopeset.h"

PG_FUNCTION_INFO_V1(scopeset_union);
PG_FUNCTION_INFO_V1(scopeset_intersect);
PG_FUNCTION_INFO_V1(scopeset_minus);
PG_FUNCTION_INFO_V1(scopeset_add);
PG_FUNCTION_INFO_V1(scopeset_remove);
PG_FUNCTION_INFO_V1(scopeset_contains);
PG_FUNCTION_INFO_V1(scopeset_contained);
PG_FUNCTION_INFO_V1(scopeset_overlaps);
PG_FUNCTION_INFO_V1(scopeset_has);
PG_FUNCTION_INFO_V1(scopeset_has_any);
PG_FUNCTION_INFO_V1(scopeset_has_all);

static inline int
NameCmp(const ScopeRef *a, const ScopeRef *b)
{
	int			r = memcmp(a->name, b->name, Min(a->len, b->len));

	return r != 0 ? r : (int) a->len - (int) b->len;
}

/* The wildcard elements of s, filled in for the pattern relations. */
static ScopeRef *
WildRefs(const Scopeset *s)
{
	const uint16 *wild = ScopesetWild(s);
	ScopeRef   *refs = palloc(sizeof(ScopeRef) * Max(s->nwild, 1));

	for (int i = 0; i < s->nwild; i++)
	{
		refs[i] = ScopesetRef(s, wild[i]);
		scope_fill(&refs[i]);
	}
	return refs;
}

/* Does some wildcard in wild[0..nwild) cover q, whose shape is filled? */
static bool
WildCovers(const ScopeRef *wild, int nwild, const ScopeRef *q)
{
	for (int i = 0; i < nwild; i++)
	{
		if (scope_covers(&wild[i], q))
			return true;
	}
	return false;
}

/* Binary search for an element of s equal to q. */
static bool
ScopesetHasExact(const Scopeset *s, const ScopeRef *q)
{
	int			lo = 0;
	int			hi = s->nscopes - 1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;
		ScopeRef	ref = ScopesetRef(s, mid);
		int			c = NameCmp(&ref, q);

		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return false;
}

/* Does s cover the scope q, whose wild flag and shape are filled? */
bool
ScopesetCovers(const Scopeset *s, const ScopeRef *q)
{
	const uint16 *wild = ScopesetWild(s);

	if (ScopesetHasExact(s, q))
		return true;
	for (int i = 0; i < s->nwild; i++)
	{
		ScopeRef	w = ScopesetRef(s, wild[i]);

		scope_fill(&w);
		if (scope_covers(&w, q))
			return true;
	}
	return false;
}

/*
 * Does a cover every element of b?  A merge settles the elements present in
 * both; a b element missing from a must be covered by one of a's wildcards.
 */
bool
ScopesetContains(const Scopeset *a, const Scopeset *b)
{
	ScopeRef   *awild = NULL;
	int			i = 0;

	if (b->nscopes > a->nscopes && a->nwild == 0)
		return false;
	for (int j = 0; j < b->nscopes; j++)
	{
		ScopeRef	bref = ScopesetRef(b, j);
		int			c = 1;

		while (i < a->nscopes)
		{
			ScopeRef	aref = ScopesetRef(a, i);

			c = NameCmp(&aref, &bref);
			if (c >= 0)
				break;
			i++;
		}
		if (c == 0)
		{
			i++;
			continue;
		}
		if (a->nwild == 0)
			return false;
		if (awild == NULL)
			awild = WildRefs(a);
		scope_fill(&bref);
		if (!WildCovers(awild, a->nwild, &bref))
			return false;
	}
	return true;
}

/* Does some element of p overlap some element of q? */
static bool
AnyOverlap(const ScopeRef *p, int np, const ScopeRef *q, int nq)
{
	for (int i = 0; i < np; i++)
	{
		for (int j = 0; j < nq; j++)
		{
			if (scope_overlaps(&p[i], &q[j]))
				return true;
		}
	}
	return false;
}

/*
 * Is there a concrete name both sets match?  Two literals share a name only
 * when equal, which the merge finds; every other pair involves a wildcard.
 */
bool
ScopesetOverlaps(const Scopeset *a, const Scopeset *b)
{
	int			i = 0;
	int			j = 0;

	while (i < a->nscopes && j < b->nscopes)
	{
		ScopeRef	aref = ScopesetRef(a, i);
		ScopeRef	bref = ScopesetRef(b, j);
		int			c = NameCmp(&aref, &bref);

		if (c == 0)
			return true;
		if (c < 0)
			i++;
		else
			j++;
	}
	if (a->nwild > 0 && AnyOverlap(WildRefs(a), a->nwild, ScopesetRefs(b), b->nscopes))
		return true;
	if (b->nwild > 0 && AnyOverlap(WildRefs(b), b->nwild, ScopesetRefs(a), a->nscopes))
		return true;
	return false;
}

/* Merge two canonical sets into sorted, duplicate-free refs. */
static int
MergeRefs(const Scopeset *a, const Scopeset *b, ScopeRef *out)
{
	int			i = 0;
	int			j = 0;
	int			n = 0;

	while (i < a->nscopes || j < b->nscopes)
	{
		ScopeRef	aref;
		ScopeRef	bref;
		int			c;

		if (i < a->nscopes)
			aref = ScopesetRef(a, i);
		if (j < b->nscopes)
			bref = ScopesetRef(b, j);
		if (i >= a->nscopes)
			c = 1;
		else if (j >= b->nscopes)
			c = -1;
		else
			c = NameCmp(&aref, &bref);
		out[n++] = c <= 0 ? aref : bref;
		i += c <= 0 ? 1 : 0;
		j += c >= 0 ? 1 : 0;
	}
	return n;
}

Scopeset *
ScopesetUnion(const Scopeset *a, const Scopeset *b)
{
	ScopeRef   *refs = palloc(sizeof(ScopeRef) * Max(a->nscopes + b->nscopes, 1));
	int			n = MergeRefs(a, b, refs);

	/* Without wildcards nothing can cover anything else. */
	if (a->nwild > 0 || b->nwild > 0)
	{
		for (int i = 0; i < n; i++)
			scope_fill(&refs[i]);
		n = scope_drop_covered(refs, n);
	}
	return ScopesetBuild(refs, n);
}

/* Collects candidate elements, some of them computed meets. */
typedef struct RefList
{
	ScopeRef   *refs;
	int			n;
	int			cap;
} RefList;

static void
RefListAdd(RefList *list, ScopeRef ref)
{
	if (list->n == list->cap)
	{
		list->cap *= 2;
		list->refs = repalloc_huge(list->refs, sizeof(ScopeRef) * list->cap);
	}
	list->refs[list->n++] = ref;
}

/* Add the meet of every pair from p x q that shares a name. */
static void
AddMeets(RefList *list, const ScopeRef *p, int np, const ScopeRef *q, int nq,
		 bool skip_wild_q)
{
	char		buf[SCOPE_MAX_BYTES];

	for (int i = 0; i < np; i++)
	{
		for (int j = 0; j < nq; j++)
		{
			int			len;
			ScopeRef	meet;

			if (skip_wild_q && q[j].wild)
				continue;
			len = scope_meet(&p[i], &q[j], buf);
			if (len < 0)
				continue;
			meet.name = pnstrdup(buf, len);
			meet.len = (uint16) len;
			scope_fill(&meet);
			RefListAdd(list, meet);
		}
	}
}

/*
 * The meet of every pair of elements, canonicalised.  Literal pairs meet
 * only when equal, so a merge finds those; pairs with a wildcard go through
 * scope_meet.  Pairs of two wildcards are met once, from a's side.
 */
Scopeset *
ScopesetIntersect(const Scopeset *a, const Scopeset *b)
{
	RefList		list;
	int			i = 0;
	int			j = 0;

	list.cap = Max(Min(a->nscopes, b->nscopes), 4);
	list.refs = palloc(sizeof(ScopeRef) * list.cap);
	list.n = 0;
	while (i < a->nscopes && j < b->nscopes)
	{
		ScopeRef	aref = ScopesetRef(a, i);
		ScopeRef	bref = ScopesetRef(b, j);
		int			c = NameCmp(&aref, &bref);

		if (c == 0)
		{
			scope_fill(&aref);
			RefListAdd(&list, aref);
		}
		i += c <= 0 ? 1 : 0;
		j += c >= 0 ? 1 : 0;
	}
	if (a->nwild == 0 && b->nwild == 0)
		return ScopesetBuild(list.refs, list.n);

	if (a->nwild > 0)
		AddMeets(&list, WildRefs(a), a->nwild, ScopesetRefs(b), b->nscopes, false);
	if (b->nwild > 0)
		AddMeets(&list, WildRefs(b), b->nwild, ScopesetRefs(a), a->nscopes, true);
	return ScopesetFromRefs(list.refs, list.n);
}

/* Elements of a that no element of b covers. */
static Scopeset *
ScopesetMinus(const Scopeset *a, const Scopeset *b)
{
	ScopeRef   *refs = ScopesetRefs(a);
	int			n = 0;

	for (int i = 0; i < a->nscopes; i++)
	{
		if (!ScopesetCovers(b, &refs[i]))
			refs[n++] = refs[i];
	}
	return ScopesetBuild(refs, n);
}

Datum
scopeset_union(PG_FUNCTION_ARGS)
{
	Scopeset   *a = PG_GETARG_SCOPESET_P(0);
	Scopeset   *b = PG_GETARG_SCOPESET_P(1);

	PG_RETURN_SCOPESET_P(ScopesetUnion(a, b));
}

Datum
scopeset_intersect(PG_FUNCTION_ARGS)
{
	Scopeset   *a = PG_GETARG_SCOPESET_P(0);
	Scopeset   *b = PG_GETARG_SCOPESET_P(1);

	PG_RETURN_SCOPESET_P(ScopesetIntersect(a, b));
}

/*
 * a - b removes each element of a that b covers.  A wildcard of a that b
 * covers only in part stays whole, because a set holds no "all but" form.
 */
Datum
scopeset_minus(PG_FUNCTION_ARGS)
{
	Scopeset   *a = PG_GETARG_SCOPESET_P(0);
	Scopeset   *b = PG_GETARG_SCOPESET_P(1);

	PG_RETURN_SCOPESET_P(ScopesetMinus(a, b));
}

/* A one-element set holding the scope named by a text argument. */
static Scopeset *
SingletonFromText(const text *t)
{
	ScopeRef	ref = ScopeFromText(t);

	return ScopesetBuild(&ref, 1);
}

Datum
scopeset_add(PG_FUNCTION_ARGS)
{
	Scopeset   *a = PG_GETARG_SCOPESET_P(0);

	PG_RETURN_SCOPESET_P(ScopesetUnion(a, SingletonFromText(PG_GETARG_TEXT_PP(1))));
}

Datum
scopeset_remove(PG_FUNCTION_ARGS)
{
	Scopeset   *a = PG_GETARG_SCOPESET_P(0);

	PG_RETURN_SCOPESET_P(ScopesetMinus(a, SingletonFromText(PG_GETARG_TEXT_PP(1))));
}

Datum
scopeset_contains(PG_FUNCTION_ARGS)
{
	Scopeset   *a = PG_GETARG_SCOPESET_P(0);
	Scopeset   *b = PG_GETARG_SCOPESET_P(1);
	bool		result = ScopesetContains(a, b);

	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	PG_RETURN_BOOL(result);
}

Datum
scopeset_contained(PG_FUNCTION_ARGS)
{
	Scopeset   *a = PG_GETARG_SCOPESET_P(0);
	Scopeset   *b = PG_GETARG_SCOPESET_P(1);
	bool		result = ScopesetContains(b, a);

	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	PG_RETURN_BOOL(result);
}

Datum
scopeset_overlaps(PG_FUNCTION_ARGS)
{
	Scopeset   *a = PG_GETARG_SCOPESET_P(0);
	Scopeset   *b = PG_GETARG_SCOPESET_P(1);
	bool		result = ScopesetOverlaps(a, b);

	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	PG_RETURN_BOOL(result);
}

Datum
scopeset_has(PG_FUNCTION_ARGS)
{
	Scopeset   *a = PG_GETARG_SCOPESET_P(0);
	ScopeRef	q = ScopeFromText(PG_GETARG_TEXT_PP(1));
	bool		result = ScopesetCovers(a, &q);

	PG_FREE_IF_COPY(a, 0);
	PG_RETURN_BOOL(result);
}

/* Count how many scopes of a text[] the set covers, validating all. */
static int
CountCovered(const Scopeset *s, ArrayType *arr, int *total)
{
	ScopeRef   *refs;
	int			covered = 0;

	*total = ScopeRefsFromArray(arr, &refs);
	for (int i = 0; i < *total; i++)
	{
		if (ScopesetCovers(s, &refs[i]))
			covered++;
	}
	return covered;
}

Datum
scopeset_has_any(PG_FUNCTION_ARGS)
{
	Scopeset   *a = PG_GETARG_SCOPESET_P(0);
	int			total;
	int			covered = CountCovered(a, PG_GETARG_ARRAYTYPE_P(1), &total);

	PG_FREE_IF_COPY(a, 0);
	PG_RETURN_BOOL(covered > 0);
}

Datum
scopeset_has_all(PG_FUNCTION_ARGS)
{
	Scopeset   *a = PG_GETARG_SCOPESET_P(0);
	int			total;
	int			covered = CountCovered(a, PG_GETARG_ARRAYTYPE_P(1), &total);

	PG_FREE_IF_COPY(a, 0);
	PG_RETURN_BOOL(covered == total);
}
