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
 * recheck.  For <@ and = the index cannot see the elements a row holds
 * beyond the matched ones, so those rows are rechecked.
 */
#include "postgres.h"

#include "access/gin.h"
#include "access/stratnum.h"
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
	int			group;			/* index of the query element it serves */
	KeyRelation relation;
	ScopeRef	q;				/* the query element; name is palloc'd */
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

		keys[i] = PointerGetDatum(cstring_to_text_with_len(ref.name, ref.len));
	}
	*nentries = s->nscopes;
	PG_RETURN_POINTER(keys);
}

static void
AddKey(KeyList *list, const char *key, int keylen, bool partial, int group,
	   KeyRelation relation, const ScopeRef *q)
{
	QueryKey   *extra = palloc(sizeof(QueryKey));

	if (list->n == list->cap)
	{
		list->cap *= 2;
		list->keys = repalloc(list->keys, sizeof(Datum) * list->cap);
		list->partial = repalloc(list->partial, sizeof(bool) * list->cap);
		list->extra = repalloc(list->extra, sizeof(Pointer) * list->cap);
	}
	extra->group = group;
	extra->relation = relation;
	extra->q = *q;
	extra->q.name = pnstrdup(q->name, q->len);
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
AddRelatedKeys(KeyList *list, const ScopeRef *q, int group, KeyRelation rel)
{
	int			flen = FirstSegmentLength(q);
	bool		qwildfirst = (flen == 1 && q->name[0] == '*');
	bool		single = (flen == q->len);
	char		prefix[2] = {'*', single ? '\0' : q->name[flen]};

	switch (rel)
	{
		case KEY_EQUALS:
			AddKey(list, q->name, q->len, false, group, rel, q);
			return;
		case KEY_COVERS:
			/* Same first segment, or "*", which alone covers a leading "*". */
			if (!qwildfirst)
				AddKey(list, q->name, single ? q->len : flen + 1, !single, group, rel, q);
			AddKey(list, prefix, single ? 1 : 2, !single, group, rel, q);
			return;
		case KEY_COVERED_BY:
			if (!q->wild)
				AddKey(list, q->name, q->len, false, group, rel, q);
			else if (!qwildfirst)
				AddKey(list, q->name, flen + 1, true, group, rel, q);
			else
				AddKey(list, "", 0, true, group, rel, q);
			return;
		case KEY_OVERLAPS:
			if (qwildfirst)
			{
				AddKey(list, "", 0, true, group, rel, q);
				return;
			}
			AddKey(list, q->name, single ? q->len : flen + 1, !single, group, rel, q);
			AddKey(list, prefix, single ? 1 : 2, !single, group, rel, q);
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

	list.cap = Max(2 * n, 2);
	list.n = 0;
	list.keys = palloc(sizeof(Datum) * list.cap);
	list.partial = palloc(sizeof(bool) * list.cap);
	list.extra = palloc(sizeof(Pointer) * list.cap);
	for (int i = 0; i < n; i++)
		AddRelatedKeys(&list, &refs[i], i, rel);

	*nentries = list.n;
	*pmatch = list.partial;
	*extra_data = list.extra;
	*searchMode = SearchMode(strategy, n);
	PG_RETURN_POINTER(list.keys);
}

static bool
KeyMatches(const QueryKey *qk, const ScopeRef *key)
{
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
