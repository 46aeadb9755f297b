/*
 * scopeset_gin.c
 *	  GIN support for scopeset: one index key per scope, wildcard-aware.
 *
 * Every scope of a value becomes one text key, so a key may be a pattern
 * such as "agents:*:run".  A query element q is then looked up not only as
 * itself but as every stored pattern that relates to it.  Those patterns
 * share q's first segment or start with "*", so each is reached by a
 * partial-match scan of a key prefix ("agents:" and "*:"), and
 * comparePartial applies the exact relation to every key in that range.
 *
 * Because comparePartial tests the exact relation, a matched key proves it:
 * for @>, ?, ?& and ?| and && the index answer is exact and needs no
 * recheck (save for @> and ?& with many elements, below).  For <@ and =
 * the index cannot see the elements a row holds beyond the matched ones,
 * so those rows are rechecked.
 *
 * Large queries are bounded.  GIN scans each key's range on its own, with
 * interrupts held off, and sets the scan up in time quadratic in the number
 * of keys, so the number of keys is what must stay small:
 *  - For &&, ?| and <@ a row needs one matching key, so the keys need not
 *    say which query element they serve: each distinct key is looked up
 *    once, and comparePartial tests an indexed scope against the whole
 *    query with scope_search().  When some element needs every key (a
 *    leading "*") or the distinct keys are many, the one key "" (every
 *    key) replaces them all: one pass over the keys, never worse than that.
 *  - For @>, ?, ?& and = a row needs every query element, each served by
 *    its own keys.  At most GIN_MAX_GROUPS elements are looked up; rows
 *    that match those are rechecked against the whole query.
 */
#include "postgres.h"

#include "access/gin.h"
#include "access/stratnum.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "scopeset.h"

PG_FUNCTION_INFO_V1(gin_scopeset_compare_keys);
PG_FUNCTION_INFO_V1(gin_extract_scopeset);
PG_FUNCTION_INFO_V1(gin_extract_scopeset_query);
PG_FUNCTION_INFO_V1(gin_compare_partial_scopeset);
PG_FUNCTION_INFO_V1(gin_consistent_scopeset);
PG_FUNCTION_INFO_V1(gin_triconsistent_scopeset);

/* Strategy numbers, shared with the operator class in SQL. */
#define ScopesetOverlapStrategy		3	/* && */
#define ScopesetEqualStrategy		6	/* = */
#define ScopesetContainsStrategy	7	/* @> */
#define ScopesetContainedStrategy	8	/* <@ */
#define ScopesetHasStrategy			9	/* ? text */
#define ScopesetHasAnyStrategy		10	/* ?| text[] */
#define ScopesetHasAllStrategy		11	/* ?& text[] */

/* The most query elements @>, ?, ?& and = look up in the index. */
#define GIN_MAX_GROUPS		32

/* The most distinct keys &&, ?| and <@ look up before scanning every key once. */
#define GIN_MAX_ANY_KEYS	256

/* What an indexed scope must be to match one query element. */
typedef enum KeyRelation
{
	KEY_COVERS,					/* the indexed scope covers q */
	KEY_COVERED_BY,				/* q covers the indexed scope */
	KEY_OVERLAPS,				/* they share a concrete name */
	KEY_EQUALS					/* they are the same scope */
} KeyRelation;

/* The extra_data of one query key. */
typedef struct QueryKey
{
	int			group;			/* index of the query element it serves, or
								 * -1 when it serves the whole query */
	KeyRelation relation;
	bool		lossy;			/* some query elements were not looked up */
	ScopeRef	q;				/* the query element; name is palloc'd */
	ScopeRef   *set;			/* for group -1: every query element, in
								 * order and without repeats */
	int			nset;
} QueryKey;

/* Accumulates the keys extractQuery returns. */
typedef struct KeyList
{
	Datum	   *keys;
	bool	   *partial;
	Pointer    *extra;
	int			n;
	int			cap;
} KeyList;

static int
KeyCmp(const text *a, const text *b)
{
	int			alen = VARSIZE_ANY_EXHDR(a);
	int			blen = VARSIZE_ANY_EXHDR(b);
	int			r = memcmp(VARDATA_ANY(a), VARDATA_ANY(b), Min(alen, blen));

	return r != 0 ? r : alen - blen;
}

/* Bytewise order, so that all keys sharing a prefix are adjacent. */
Datum
gin_scopeset_compare_keys(PG_FUNCTION_ARGS)
{
	text	   *a = PG_GETARG_TEXT_PP(0);
	text	   *b = PG_GETARG_TEXT_PP(1);
	int			r = KeyCmp(a, b);

	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	PG_RETURN_INT32(r < 0 ? -1 : (r > 0 ? 1 : 0));
}

Datum
gin_extract_scopeset(PG_FUNCTION_ARGS)
{
	Scopeset   *s = PG_GETARG_SCOPESET_P(0);
	int32	   *nentries = (int32 *) PG_GETARG_POINTER(1);
	Datum	   *keys = palloc(sizeof(Datum) * Max(s->nscopes, 1));

	for (int i = 0; i < s->nscopes; i++)
	{
		ScopeRef	ref = ScopesetRef(s, i);

		CHECK_FOR_INTERRUPTS();
		keys[i] = PointerGetDatum(cstring_to_text_with_len(ref.name, ref.len));
	}
	*nentries = s->nscopes;
	PG_RETURN_POINTER(keys);
}

static void
AddKey(KeyList *list, const char *key, int keylen, bool partial, QueryKey *extra)
{
	if (list->n == list->cap)
	{
		list->cap *= 2;
		list->keys = repalloc(list->keys, sizeof(Datum) * list->cap);
		list->partial = repalloc(list->partial, sizeof(bool) * list->cap);
		list->extra = repalloc(list->extra, sizeof(Pointer) * list->cap);
	}
	list->keys[list->n] = PointerGetDatum(cstring_to_text_with_len(key, keylen));
	list->partial[list->n] = partial;
	list->extra[list->n] = (Pointer) extra;
	list->n++;
}

/* Length of q's first segment. */
static int
FirstSegmentLength(const ScopeRef *q)
{
	int			i = 0;

	while (i < q->len && q->name[i] != '.' && q->name[i] != ':')
		i++;
	return i;
}

/*
 * Add the keys that find indexed scopes standing in the given relation to
 * q.  A related scope has q's shape, so its first segment is q's or "*"
 * (or, for a relation that lets q's "*" match anything, any value).
 */
static void
AddRelatedKeys(KeyList *list, const ScopeRef *q, QueryKey *extra, KeyRelation rel)
{
	int			flen = FirstSegmentLength(q);
	bool		qwildfirst = (flen == 1 && q->name[0] == '*');
	bool		single = (flen == q->len);
	char		prefix[2] = {'*', single ? '\0' : q->name[flen]};

	switch (rel)
	{
		case KEY_EQUALS:
			AddKey(list, q->name, q->len, false, extra);
			return;
		case KEY_COVERS:
			/* Same first segment, or "*", which alone covers a leading "*". */
			if (!qwildfirst)
				AddKey(list, q->name, single ? q->len : flen + 1, !single, extra);
			AddKey(list, prefix, single ? 1 : 2, !single, extra);
			return;
		case KEY_COVERED_BY:
			if (!q->wild)
				AddKey(list, q->name, q->len, false, extra);
			else if (!qwildfirst)
				AddKey(list, q->name, flen + 1, true, extra);
			else
				AddKey(list, "", 0, true, extra);
			return;
		case KEY_OVERLAPS:
			if (qwildfirst)
			{
				AddKey(list, "", 0, true, extra);
				return;
			}
			AddKey(list, q->name, single ? q->len : flen + 1, !single, extra);
			AddKey(list, prefix, single ? 1 : 2, !single, extra);
			return;
	}
}

/* The query's elements as validated refs, whatever the operator's type. */
static int
QueryRefs(Datum query, StrategyNumber strategy, ScopeRef **refs)
{
	switch (strategy)
	{
		case ScopesetHasStrategy:
			*refs = palloc(sizeof(ScopeRef));
			**refs = ScopeFromText(DatumGetTextPP(query));
			return 1;
		case ScopesetHasAnyStrategy:
		case ScopesetHasAllStrategy:
			/* Not canonicalised: ?| must try every name it was given. */
			return ScopeRefsFromArray(DatumGetArrayTypeP(query), refs);
		default:
			{
				Scopeset   *s = DatumGetScopesetP(query);

				*refs = ScopesetRefs(s);
				return s->nscopes;
			}
	}
}

static KeyRelation
StrategyRelation(StrategyNumber strategy)
{
	switch (strategy)
	{
		case ScopesetOverlapStrategy:
			return KEY_OVERLAPS;
		case ScopesetEqualStrategy:
			return KEY_EQUALS;
		case ScopesetContainedStrategy:
			return KEY_COVERED_BY;
		case ScopesetContainsStrategy:
		case ScopesetHasStrategy:
		case ScopesetHasAnyStrategy:
		case ScopesetHasAllStrategy:
			return KEY_COVERS;
	}
	elog(ERROR, "unrecognized scopeset strategy number: %d", strategy);
	return KEY_EQUALS;			/* keep the compiler quiet */
}

/*
 * With no query elements: everything contains the empty set, nothing
 * overlaps it, and only empty rows equal it or lie inside it.  <@ must
 * always include empty rows, which have no keys at all.
 */
static int32
SearchMode(StrategyNumber strategy, int nelems)
{
	if (strategy == ScopesetContainedStrategy)
		return GIN_SEARCH_MODE_INCLUDE_EMPTY;
	if (nelems > 0)
		return GIN_SEARCH_MODE_DEFAULT;
	switch (strategy)
	{
		case ScopesetContainsStrategy:
		case ScopesetHasAllStrategy:
			return GIN_SEARCH_MODE_ALL;
		case ScopesetEqualStrategy:
			return GIN_SEARCH_MODE_INCLUDE_EMPTY;
		default:
			return GIN_SEARCH_MODE_DEFAULT;
	}
}

/* Does a strategy match a row as soon as one key matches? */
static bool
AnyKeyStrategy(StrategyNumber strategy)
{
	return strategy == ScopesetOverlapStrategy ||
		strategy == ScopesetHasAnyStrategy ||
		strategy == ScopesetContainedStrategy;
}

/* A copy of q whose name lives as long as the scan. */
static ScopeRef
CopyRef(const ScopeRef *q)
{
	ScopeRef	copy = *q;

	copy.name = pnstrdup(q->name, q->len);
	return copy;
}

/* Order keys by partial flag, then bytes, so that repeats are adjacent. */
static int
KeyIndexCmp(const void *a, const void *b, void *arg)
{
	const KeyList *list = (const KeyList *) arg;
	int			i = *(const int *) a;
	int			j = *(const int *) b;

	if (list->partial[i] != list->partial[j])
		return list->partial[i] ? 1 : -1;
	return KeyCmp(DatumGetTextPP(list->keys[i]), DatumGetTextPP(list->keys[j]));
}

/* Keep one of each distinct key; all of them share one extra_data. */
static void
DropRepeatedKeys(KeyList *list)
{
	int		   *order = palloc(sizeof(int) * Max(list->n, 1));
	Datum	   *keys = palloc(sizeof(Datum) * Max(list->n, 1));
	bool	   *partial = palloc(sizeof(bool) * Max(list->n, 1));
	int			n = 0;

	for (int i = 0; i < list->n; i++)
		order[i] = i;
	qsort_arg(order, list->n, sizeof(int), KeyIndexCmp, list);
	for (int i = 0; i < list->n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (i > 0 && KeyIndexCmp(&order[i - 1], &order[i], list) == 0)
			continue;
		keys[n] = list->keys[order[i]];
		partial[n++] = list->partial[order[i]];
	}
	memcpy(list->keys, keys, sizeof(Datum) * n);
	memcpy(list->partial, partial, sizeof(bool) * n);
	list->n = n;
}

/* Is one of the keys the partial key "", which matches every key? */
static bool
HasEveryKey(const KeyList *list)
{
	for (int i = 0; i < list->n; i++)
	{
		if (list->partial[i] && VARSIZE_ANY_EXHDR(DatumGetTextPP(list->keys[i])) == 0)
			return true;
	}
	return false;
}

/*
 * Keys for &&, ?| and <@: every query element's keys, each distinct key
 * once, all testing an indexed scope against the whole query.  When one of
 * them is "" (every key), or there are too many, that one key replaces them.
 */
static void
AnyKeys(KeyList *list, const ScopeRef *refs, int n, KeyRelation rel)
{
	QueryKey   *extra = palloc0(sizeof(QueryKey));

	extra->group = -1;
	extra->relation = rel;
	extra->set = palloc(sizeof(ScopeRef) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		extra->set[i] = CopyRef(&refs[i]);
		AddRelatedKeys(list, &refs[i], extra, rel);
	}
	extra->nset = scope_sort_unique(extra->set, n);
	DropRepeatedKeys(list);
	if (list->n > GIN_MAX_ANY_KEYS || HasEveryKey(list))
	{
		list->n = 0;
		AddKey(list, "", 0, true, extra);
	}
}

/*
 * Keys for @>, ?, ?& and =: each query element's keys serve it alone.  Past
 * GIN_MAX_GROUPS elements the rest are not looked up, and every row found
 * is rechecked.
 */
static void
GroupKeys(KeyList *list, const ScopeRef *refs, int n, KeyRelation rel)
{
	for (int i = 0; i < Min(n, GIN_MAX_GROUPS); i++)
	{
		QueryKey   *extra = palloc0(sizeof(QueryKey));

		CHECK_FOR_INTERRUPTS();
		extra->group = i;
		extra->relation = rel;
		extra->lossy = n > GIN_MAX_GROUPS;
		extra->q = CopyRef(&refs[i]);
		AddRelatedKeys(list, &refs[i], extra, rel);
	}
}

Datum
gin_extract_scopeset_query(PG_FUNCTION_ARGS)
{
	Datum		query = PG_GETARG_DATUM(0);
	int32	   *nentries = (int32 *) PG_GETARG_POINTER(1);
	StrategyNumber strategy = PG_GETARG_UINT16(2);
	bool	  **pmatch = (bool **) PG_GETARG_POINTER(3);
	Pointer   **extra_data = (Pointer **) PG_GETARG_POINTER(4);
	int32	   *searchMode = (int32 *) PG_GETARG_POINTER(6);
	KeyRelation rel = StrategyRelation(strategy);
	ScopeRef   *refs;
	int			n = QueryRefs(query, strategy, &refs);
	KeyList		list;

	list.cap = Max(2 * Min(n, GIN_MAX_ANY_KEYS), 2);
	list.n = 0;
	list.keys = palloc(sizeof(Datum) * list.cap);
	list.partial = palloc(sizeof(bool) * list.cap);
	list.extra = palloc(sizeof(Pointer) * list.cap);
	if (AnyKeyStrategy(strategy))
		AnyKeys(&list, refs, n, rel);
	else
		GroupKeys(&list, refs, n, rel);

	*nentries = list.n;
	*pmatch = list.partial;
	*extra_data = list.extra;
	*searchMode = SearchMode(strategy, n);
	PG_RETURN_POINTER(list.keys);
}

/* The search that finds the query elements standing in rel to a key. */
static ScopeRelation
SetRelation(KeyRelation rel)
{
	switch (rel)
	{
		case KEY_COVERS:
			return SCOPE_COVERS;	/* the key covers the element */
		case KEY_COVERED_BY:
			return SCOPE_COVERED_BY;
		case KEY_OVERLAPS:
			return SCOPE_OVERLAPS;
		case KEY_EQUALS:
			break;
	}
	elog(ERROR, "no set search for scopeset key relation %d", (int) rel);
	return SCOPE_OVERLAPS;		/* keep the compiler quiet */
}

static bool
KeyMatches(const QueryKey *qk, const ScopeRef *key)
{
	if (qk->set != NULL)
	{
		ScopeList	set = scope_list_of(qk->set, qk->nset);

		return scope_search_any(&set, key, SetRelation(qk->relation), false);
	}
	switch (qk->relation)
	{
		case KEY_COVERS:
			return scope_covers(key, &qk->q);
		case KEY_COVERED_BY:
			return scope_covers(&qk->q, key);
		case KEY_OVERLAPS:
			return scope_overlaps(key, &qk->q);
		case KEY_EQUALS:
			return scope_cmp(key, &qk->q) == 0;
	}
	return false;
}

/*
 * Scan the keys that start with the partial key's prefix, keeping those that
 * stand in the wanted relation to the query element.
 */
Datum
gin_compare_partial_scopeset(PG_FUNCTION_ARGS)
{
	text	   *prefix = PG_GETARG_TEXT_PP(0);
	text	   *key = PG_GETARG_TEXT_PP(1);
	QueryKey   *qk = (QueryKey *) PG_GETARG_POINTER(3);
	int			plen = VARSIZE_ANY_EXHDR(prefix);
	ScopeRef	ref;

	if ((int) VARSIZE_ANY_EXHDR(key) < plen ||
		memcmp(VARDATA_ANY(key), VARDATA_ANY(prefix), plen) != 0)
		PG_RETURN_INT32(1);		/* past the range: stop */

	ref.name = VARDATA_ANY(key);
	ref.len = VARSIZE_ANY_EXHDR(key);
	scope_fill(&ref);
	PG_RETURN_INT32(KeyMatches(qk, &ref) ? 0 : -1);
}

/*
 * Combine the per-key answers.  "All groups" strategies need every query
 * element matched by at least one of its keys; "any" strategies need one key.
 */
static GinTernaryValue
Combine(const GinTernaryValue *check, int nkeys, Pointer *extra,
		StrategyNumber strategy, int ngroups)
{
	bool		all_groups = (strategy == ScopesetContainsStrategy ||
							  strategy == ScopesetHasStrategy ||
							  strategy == ScopesetHasAllStrategy);
	GinTernaryValue *group;
	GinTernaryValue result = GIN_FALSE;

	if (strategy == ScopesetContainedStrategy)
		return GIN_MAYBE;
	if (strategy == ScopesetEqualStrategy)
	{
		for (int i = 0; i < nkeys; i++)
		{
			if (check[i] == GIN_FALSE)
				return GIN_FALSE;
		}
		return GIN_MAYBE;
	}
	if (!all_groups)
	{
		for (int i = 0; i < nkeys; i++)
		{
			if (check[i] == GIN_TRUE)
				return GIN_TRUE;
			if (check[i] == GIN_MAYBE)
				result = GIN_MAYBE;
		}
		return result;
	}

	/* Per group: TRUE if any key is TRUE, else MAYBE if any is MAYBE. */
	group = palloc0(sizeof(GinTernaryValue) * Max(ngroups, 1));
	for (int i = 0; i < nkeys; i++)
	{
		int			g = ((QueryKey *) extra[i])->group;

		if (check[i] == GIN_TRUE)
			group[g] = GIN_TRUE;
		else if (check[i] == GIN_MAYBE && group[g] != GIN_TRUE)
			group[g] = GIN_MAYBE;
	}
	result = GIN_TRUE;
	for (int g = 0; g < ngroups; g++)
	{
		if (group[g] == GIN_FALSE)
			return GIN_FALSE;
		if (group[g] == GIN_MAYBE)
			result = GIN_MAYBE;
	}
	/* Query elements left out of the lookup are checked on the row. */
	if (result == GIN_TRUE && ((QueryKey *) extra[0])->lossy)
		result = GIN_MAYBE;
	return result;
}

static int
GroupCount(int nkeys, Pointer *extra)
{
	int			ngroups = 0;

	for (int i = 0; i < nkeys; i++)
		ngroups = Max(ngroups, ((QueryKey *) extra[i])->group + 1);
	return ngroups;
}

Datum
gin_consistent_scopeset(PG_FUNCTION_ARGS)
{
	bool	   *check = (bool *) PG_GETARG_POINTER(0);
	StrategyNumber strategy = PG_GETARG_UINT16(1);
	int32		nkeys = PG_GETARG_INT32(3);
	Pointer    *extra = (Pointer *) PG_GETARG_POINTER(4);
	bool	   *recheck = (bool *) PG_GETARG_POINTER(5);
	GinTernaryValue *tri = palloc(sizeof(GinTernaryValue) * Max(nkeys, 1));
	GinTernaryValue result;

	if (nkeys == 0)
	{
		/* Only the empty-query modes get here: ALL, or INCLUDE_EMPTY rows. */
		*recheck = (strategy != ScopesetContainsStrategy &&
					strategy != ScopesetHasAllStrategy);
		PG_RETURN_BOOL(true);
	}
	for (int i = 0; i < nkeys; i++)
		tri[i] = check[i] ? GIN_TRUE : GIN_FALSE;
	result = Combine(tri, nkeys, extra, strategy, GroupCount(nkeys, extra));
	*recheck = (result == GIN_MAYBE);
	PG_RETURN_BOOL(result != GIN_FALSE);
}

Datum
gin_triconsistent_scopeset(PG_FUNCTION_ARGS)
{
	GinTernaryValue *check = (GinTernaryValue *) PG_GETARG_POINTER(0);
	StrategyNumber strategy = PG_GETARG_UINT16(1);
	int32		nkeys = PG_GETARG_INT32(3);
	Pointer    *extra = (Pointer *) PG_GETARG_POINTER(4);

	if (nkeys == 0)
		PG_RETURN_GIN_TERNARY_VALUE((strategy == ScopesetContainsStrategy ||
									 strategy == ScopesetHasAllStrategy) ?
									GIN_TRUE : GIN_MAYBE);
	PG_RETURN_GIN_TERNARY_VALUE(Combine(check, nkeys, extra, strategy,
										GroupCount(nkeys, extra)));
}
