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
	int			i = LowerBound(s, 0, q);
	ScopeRef	ref;

	if (i >= s->nscopes)
		return false;
	ref = ScopesetRef(s, i);
	return NameCmp(&ref, q) == 0;
}

/* Does s cover the scope q, whose wild flag and shape are filled? */
bool
ScopesetCovers(const Scopeset *s, const ScopeRef *q)
{
	const uint16 *wild = ScopesetWild(s);

	ScopesetPrefetch(s);
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
 * Does a cover every element of b?  Each b element is looked for in a from
 * where the last one was found: by a merge step when b is about as long as
 * a, by binary search when b is short.  A b element missing from a must be
 * covered by one of a's wildcards.
 */
bool
ScopesetContains(const Scopeset *a, const Scopeset *b)
{
	bool		search = b->nscopes * 8 < a->nscopes;
	ScopeRef   *awild = NULL;
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

/* Element i of s, with its wild flag; *w walks s's list of wildcards. */
static inline ScopeRef
WalkRef(const Scopeset *s, int i, int *w)
{
	ScopeRef	ref = ScopesetRef(s, i);

	ref.wild = *w < s->nwild && ScopesetWild(s)[*w] == i;
	*w += ref.wild ? 1 : 0;
	return ref;
}

/*
 * Merge two canonical sets into sorted, duplicate-free refs whose wild flags
 * are set and whose shapes are left for scope_drop_covered() to compute.
 */
static int
MergeRefs(const Scopeset *a, const Scopeset *b, ScopeRef *out)
{
	int			i = 0;
	int			j = 0;
	int			aw = 0;
	int			bw = 0;
	int			n = 0;

	while (i < a->nscopes || j < b->nscopes)
	{
		int			c;

		if (i >= a->nscopes)
			c = 1;
		else if (j >= b->nscopes)
			c = -1;
		else
		{
			ScopeRef	aref = ScopesetRef(a, i);
			ScopeRef	bref = ScopesetRef(b, j);

			c = NameCmp(&aref, &bref);
		}
		if (c <= 0)
			out[n++] = WalkRef(a, i++, &aw);
		else
			out[n++] = WalkRef(b, j++, &bw);
		/* An element of both: its wild flag was read from a. */
		if (c == 0)
			(void) WalkRef(b, j++, &bw);
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
	ScopeRef   *refs;
	int			n;
	Size		maxbytes = (Size) ScopesetStart(a, a->nscopes) + ScopesetStart(b, b->nscopes);

	if (a->nwild == 0 && b->nwild == 0 && maxbytes <= SCOPESET_MAX_NAME_BYTES)
		return UnionLiterals(a, b);

	refs = palloc(sizeof(ScopeRef) * Max(a->nscopes + b->nscopes, 1));
	n = MergeRefs(a, b, refs);
	/* A wildcard may cover elements of the other side: drop those. */
	n = scope_drop_covered(refs, n);
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
Scopeset *
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
