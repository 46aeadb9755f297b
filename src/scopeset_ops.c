/*
 * scopeset_ops.c
 *	  Set algebra on scopesets: union, intersection, difference, containment,
 *	  overlap and membership.
 *
 * A set denotes the concrete names its elements match.  Every operation
 * first walks the two sorted name lists in step, which settles all the
 * literal elements, and only then looks at the wildcard elements.  Those
 * are found with scope_search(), not compared pair by pair, so many
 * wildcards cost O(log n) per element looked up rather than O(n).  The
 * intersection is in scopeset_intersect.c.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "scopeset.h"

PG_FUNCTION_INFO_V1(scopeset_union);
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
	return ScopeNameCmp(a->name, a->len, b->name, b->len);
}

/* The first index in [lo, s->nscopes) whose name is not below q. */
static int
LowerBound(const Scopeset *s, int lo, const ScopeRef *q)
{
	int			hi = s->nscopes;

	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;
		ScopeRef	ref = ScopesetRef(s, mid);

		if (NameCmp(&ref, q) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The elements of s, or only its wildcards, as an array of refs in
 * canonical order, with their wild flags, made ready for many searches
 * (scope_search_prepare) and for scope_mark_covered().
 */
static ScopeRef *
SearchRefs(const Scopeset *s, bool wild_only)
{
	const uint16 *wild = ScopesetWild(s);
	int			n = wild_only ? s->nwild : s->nscopes;
	ScopeRef   *refs = palloc(sizeof(ScopeRef) * Max(n, 1));
	int			w = 0;

	for (int i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (wild_only)
		{
			refs[i] = ScopesetRef(s, wild[i]);
			refs[i].wild = true;
		}
		else
			refs[i] = ScopesetWalkRef(s, i, &w);
	}
	scope_search_prepare(refs, n);
	return refs;
}

/*
 * The elements of a and of b as refs, in order, each marked (its shape set
 * to SCOPE_SHAPE_COVERED) when a wildcard of the other set covers it, one
 * equal to it aside.
 */
void
ScopesetMarkCovered(const Scopeset *a, const Scopeset *b, ScopeRef **arefs, ScopeRef **brefs)
{
	*arefs = SearchRefs(a, false);
	*brefs = SearchRefs(b, false);
	if (b->nwild > 0)
		scope_mark_covered(SearchRefs(b, true), b->nwild, *arefs, a->nscopes);
	if (a->nwild > 0)
		scope_mark_covered(SearchRefs(a, true), a->nwild, *brefs, b->nscopes);
}

/* Binary search for an element of s equal to q. */
static bool
HasExact(const Scopeset *s, const ScopeRef *q)
{
	int			i = LowerBound(s, 0, q);
	ScopeRef	ref;

	if (i >= s->nscopes)
		return false;
	ref = ScopesetRef(s, i);
	return NameCmp(&ref, q) == 0;
}

/*
 * Does s cover the scope q, whose wild flag and shape are filled?  Either
 * s holds q, or one of its wildcards covers q: looked up with
 * scope_search(), which reads s where it lies.
 */
bool
ScopesetCovers(const Scopeset *s, const ScopeRef *q)
{
	ScopeList	wild;

	ScopesetPrefetch(s);
	if (HasExact(s, q))
		return true;
	if (s->nwild == 0)
		return false;
	wild = ScopesetList(s, true);
	return scope_search_any(&wild, q, SCOPE_COVERED_BY, false);
}

/*
 * As ScopesetCovers, for a set asked about many scopes: on the first
 * question that needs them, its wildcards are copied out as refs made
 * ready for many searches (*wild starts empty).
 */
static bool
CoversEach(const Scopeset *s, ScopeList *wild, const ScopeRef *q)
{
	if (HasExact(s, q))
		return true;
	if (s->nwild == 0)
		return false;
	if (wild->n == 0)
		*wild = scope_list_of(SearchRefs(s, true), s->nwild);
	return scope_search_any(wild, q, SCOPE_COVERED_BY, false);
}

/*
 * Does a cover every element of b?  Each b element is looked for in a from
 * where the last one was found: by a merge step when b is about as long as
 * a, by binary search when b is short.  A b element missing from a must be
 * covered by one of a's wildcards.
 */
bool
ScopesetContains(const Scopeset *a, const Scopeset *b)
{
	bool		search = b->nscopes * 8 < a->nscopes;
	ScopeList	awild = ScopesetList(a, true);
	int			i = 0;

	if (search)
		ScopesetPrefetch(a);
	if (b->nscopes > a->nscopes && a->nwild == 0)
		return false;
	for (int j = 0; j < b->nscopes; j++)
	{
		ScopeRef	bref = ScopesetRef(b, j);
		ScopeRef	aref;
		int			c = 1;

		CHECK_FOR_INTERRUPTS();
		if (search)
			i = LowerBound(a, i, &bref);
		else
		{
			while (i < a->nscopes)
			{
				aref = ScopesetRef(a, i);
				if (NameCmp(&aref, &bref) >= 0)
					break;
				i++;
			}
		}
		if (i < a->nscopes)
		{
			aref = ScopesetRef(a, i);
			c = NameCmp(&aref, &bref);
		}
		if (c == 0)
		{
			i++;
			continue;
		}
		if (a->nwild == 0)
			return false;
		scope_fill(&bref);
		if (!scope_search_any(&awild, &bref, SCOPE_COVERED_BY, false))
			return false;
	}
	return true;
}

/*
 * Does some wildcard of w overlap some element of s (with literals_only,
 * some literal: pairs of two wildcards are tried from the other side)?
 * The smaller side is looked up in the larger one.
 */
static bool
WildOverlaps(const Scopeset *w, const Scopeset *s, bool literals_only)
{
	ScopeList	all = ScopesetList(s, false);
	ScopeList	wild = ScopesetList(w, true);

	if (w->nwild < s->nscopes)
	{
		/* w's wildcards among all of s: a wildcard of s found overlaps too. */
		for (int i = 0; i < w->nwild; i++)
		{
			ScopeRef	q = scope_list_get(&wild, i);

			CHECK_FOR_INTERRUPTS();
			scope_fill(&q);
			if (scope_search_any(&all, &q, SCOPE_OVERLAPS, false))
				return true;
		}
		return false;
	}
	for (int i = 0; i < s->nscopes; i++)
	{
		ScopeRef	q = ScopesetRef(s, i);

		CHECK_FOR_INTERRUPTS();
		scope_fill(&q);
		if (literals_only && q.wild)
			continue;
		if (scope_search_any(&wild, &q, SCOPE_OVERLAPS, false))
			return true;
	}
	return false;
}

/*
 * Do two sets hold an element in common?  By a merge, or, when one is
 * much the shorter, by looking its elements up in the other.
 */
static bool
AnyShared(const Scopeset *a, const Scopeset *b)
{
	int			i = 0;
	int			j = 0;

	if (a->nscopes * 8 < b->nscopes || b->nscopes * 8 < a->nscopes)
	{
		const Scopeset *small = a->nscopes < b->nscopes ? a : b;
		const Scopeset *large = small == a ? b : a;

		for (int k = 0; k < small->nscopes; k++)
		{
			ScopeRef	ref = ScopesetRef(small, k);

			CHECK_FOR_INTERRUPTS();
			if (HasExact(large, &ref))
				return true;
		}
		return false;
	}
	while (i < a->nscopes && j < b->nscopes)
	{
		ScopeRef	aref = ScopesetRef(a, i);
		ScopeRef	bref = ScopesetRef(b, j);
		int			c = NameCmp(&aref, &bref);

		CHECK_FOR_INTERRUPTS();
		if (c == 0)
			return true;
		if (c < 0)
			i++;
		else
			j++;
	}
	return false;
}

/*
 * Is there a concrete name both sets match?  Two literals share a name only
 * when equal; every other pair holds a wildcard, and is found by looking up
 * each element of one set among the other's wildcards.
 */
bool
ScopesetOverlaps(const Scopeset *a, const Scopeset *b)
{
	if (AnyShared(a, b))
		return true;
	if (a->nwild > 0 && WildOverlaps(a, b, false))
		return true;
	if (b->nwild > 0 && WildOverlaps(b, a, true))
		return true;
	return false;
}

/*
 * Merge two sorted ref arrays into out, each name once, leaving out the
 * elements scope_mark_covered() marked.
 */
static int
MergeUnmarked(const ScopeRef *a, int na, const ScopeRef *b, int nb, ScopeRef *out)
{
	int			i = 0;
	int			j = 0;
	int			n = 0;

	while (i < na || j < nb)
	{
		int			c;
		const ScopeRef *next;

		CHECK_FOR_INTERRUPTS();
		if (i >= na)
			c = 1;
		else if (j >= nb)
			c = -1;
		else
			c = NameCmp(&a[i], &b[j]);
		next = c <= 0 ? &a[i] : &b[j];
		if (next->shape != SCOPE_SHAPE_COVERED)
			out[n++] = *next;
		i += c <= 0 ? 1 : 0;
		j += c >= 0 ? 1 : 0;
	}
	return n;
}

/* Append names[from..to) of s, a contiguous run, to the result. */
static void
AppendRun(Scopeset *r, char *names, int *n, Size *pos, const Scopeset *s, int from, int to)
{
	uint16		start = ScopesetStart(s, from);
	Size		bytes = ScopesetStart(s, to) - start;

	memcpy(names + *pos, ScopesetNames(s) + start, bytes);
	for (int k = from; k < to; k++)
		r->ends[(*n)++] = (uint16) (*pos + s->ends[k] - start);
	*pos += bytes;
}

/*
 * Union of two sets without wildcards whose names fit in one value: merge
 * the names straight into the result.  Room is made for every name of both;
 * when some were shared, the names are moved down over the unused end
 * offsets.
 */
static Scopeset *
UnionLiterals(const Scopeset *a, const Scopeset *b)
{
	int			maxn = a->nscopes + b->nscopes;
	Size		maxbytes = (Size) ScopesetStart(a, a->nscopes) + ScopesetStart(b, b->nscopes);
	const char *anames = ScopesetNames(a);
	const char *bnames = ScopesetNames(b);
	Scopeset   *r;
	char	   *names;
	int			i = 0;
	int			j = 0;
	int			astart = 0;
	int			bstart = 0;
	int			n = 0;
	Size		pos = 0;

	ScopesetPrefetch(a);
	ScopesetPrefetch(b);
	r = palloc(ScopesetSize(maxn, 0, maxbytes));
	names = (char *) (r->ends + maxn);

	/*
	 * Offsets live in locals, not in a cursor struct picked by pointer: the
	 * names written below are char stores, which may alias anything the
	 * compiler cannot keep in a register.
	 */
	while (i < a->nscopes && j < b->nscopes)
	{
		int			alen = a->ends[i] - astart;
		int			blen = b->ends[j] - bstart;
		int			c = ScopeNameCmp(anames + astart, alen, bnames + bstart, blen);
		int			len = c <= 0 ? alen : blen;

		CHECK_FOR_INTERRUPTS();
		ScopeNameCopy(names + pos, c <= 0 ? anames + astart : bnames + bstart, len);
		pos += len;
		r->ends[n++] = (uint16) pos;
		astart = c <= 0 ? a->ends[i] : astart;
		bstart = c >= 0 ? b->ends[j] : bstart;
		i += c <= 0;
		j += c >= 0;
	}
	AppendRun(r, names, &n, &pos, a, i, a->nscopes);
	AppendRun(r, names, &n, &pos, b, j, b->nscopes);
	if (n < maxn)
		memmove(r->ends + n, names, pos);
	SET_VARSIZE(r, ScopesetSize(n, 0, pos));
	r->nscopes = (uint16) n;
	r->nwild = 0;
	return r;
}

Scopeset *
ScopesetUnion(const Scopeset *a, const Scopeset *b)
{
	ScopeRef   *arefs;
	ScopeRef   *brefs;
	ScopeRef   *refs;
	int			n;
	Size		maxbytes = (Size) ScopesetStart(a, a->nscopes) + ScopesetStart(b, b->nscopes);

	if (a->nwild == 0 && b->nwild == 0 && maxbytes <= SCOPESET_MAX_NAME_BYTES)
		return UnionLiterals(a, b);

	/*
	 * An element of either set that a wildcard of the other covers is left
	 * out; no element covers another of its own set.
	 */
	ScopesetMarkCovered(a, b, &arefs, &brefs);
	refs = palloc(sizeof(ScopeRef) * Max(a->nscopes + b->nscopes, 1));
	n = MergeUnmarked(arefs, a->nscopes, brefs, b->nscopes, refs);
	return ScopesetBuild(refs, n);
}

/* Elements of a that no element of b covers. */
Scopeset *
ScopesetMinus(const Scopeset *a, const Scopeset *b)
{
	ScopeRef   *refs = ScopesetRefs(a);
	ScopeList	bwild = {0};
	int			n = 0;

	for (int i = 0; i < a->nscopes; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (!CoversEach(b, &bwild, &refs[i]))
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

/* The scope argument of a call site, parsed once while it stays the same. */
typedef struct ScopeArgMemo
{
	char	   *name;
	int			len;
	ScopeRef	q;
} ScopeArgMemo;

static const ScopeRef *
ScopeArg(FunctionCallInfo fcinfo, int argno)
{
	text	   *t = PG_GETARG_TEXT_PP(argno);
	int			len = VARSIZE_ANY_EXHDR(t);
	ScopeArgMemo *memo = (ScopeArgMemo *) fcinfo->flinfo->fn_extra;

	if (memo != NULL && memo->len == len && memcmp(memo->name, VARDATA_ANY(t), len) == 0)
		return &memo->q;
	if (memo == NULL)
		memo = fcinfo->flinfo->fn_extra =
			MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(ScopeArgMemo));
	else
		pfree(memo->name);
	memo->len = 0;
	memo->name = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, Max(len, 1));
	memcpy(memo->name, VARDATA_ANY(t), len);
	ScopeParseOrError(memo->name, len, &memo->q);
	memo->len = len;
	return &memo->q;
}

Datum
scopeset_has(PG_FUNCTION_ARGS)
{
	Scopeset   *a = PG_GETARG_SCOPESET_P(0);
	bool		result = ScopesetCovers(a, ScopeArg(fcinfo, 1));

	PG_FREE_IF_COPY(a, 0);
	PG_RETURN_BOOL(result);
}

/* Count how many scopes of a text[] the set covers, validating all. */
static int
CountCovered(const Scopeset *s, ArrayType *arr, int *total)
{
	ScopeRef   *refs;
	ScopeList	wild = {0};
	int			covered = 0;

	*total = ScopeRefsFromArray(arr, &refs);
	for (int i = 0; i < *total; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (CoversEach(s, &wild, &refs[i]))
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
