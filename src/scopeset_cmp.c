/*
 * scopeset_cmp.c
 *	  Equality, the btree order and hashing for scopesets.
 *
 * Values are canonical, so two sets are equal exactly when their bytes are.
 * The order compares the sorted scope names one by one, bytewise, and a set
 * that is a prefix of another sorts first: a total order consistent with =.
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "scopeset.h"

PG_FUNCTION_INFO_V1(scopeset_cmp);
PG_FUNCTION_INFO_V1(scopeset_eq);
PG_FUNCTION_INFO_V1(scopeset_ne);
PG_FUNCTION_INFO_V1(scopeset_lt);
PG_FUNCTION_INFO_V1(scopeset_le);
PG_FUNCTION_INFO_V1(scopeset_gt);
PG_FUNCTION_INFO_V1(scopeset_ge);
PG_FUNCTION_INFO_V1(hash_scopeset);
PG_FUNCTION_INFO_V1(hash_scopeset_extended);

int
ScopesetCmp(const Scopeset *a, const Scopeset *b)
{
	int			n = Min(a->nscopes, b->nscopes);

	for (int i = 0; i < n; i++)
	{
		ScopeRef	aref = ScopesetRef(a, i);
		ScopeRef	bref = ScopesetRef(b, i);
		int			c = scope_cmp(&aref, &bref);

		CHECK_FOR_INTERRUPTS();
		if (c != 0)
			return c;
	}
	return (int) a->nscopes - (int) b->nscopes;
}

static bool
ScopesetEqual(const Scopeset *a, const Scopeset *b)
{
	return VARSIZE(a) == VARSIZE(b) &&
		memcmp(VARDATA(a), VARDATA(b), VARSIZE(a) - VARHDRSZ) == 0;
}

/* Fetch both arguments, compare them, and free any detoasted copies. */
#define SCOPESET_COMPARE(expr) \
	do { \
		Scopeset   *a = PG_GETARG_SCOPESET_P(0); \
		Scopeset   *b = PG_GETARG_SCOPESET_P(1); \
		bool		result = (expr); \
		PG_FREE_IF_COPY(a, 0); \
		PG_FREE_IF_COPY(b, 1); \
		PG_RETURN_BOOL(result); \
	} while (0)

Datum
scopeset_cmp(PG_FUNCTION_ARGS)
{
	Scopeset   *a = PG_GETARG_SCOPESET_P(0);
	Scopeset   *b = PG_GETARG_SCOPESET_P(1);
	int			result = ScopesetCmp(a, b);

	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	PG_RETURN_INT32(result < 0 ? -1 : (result > 0 ? 1 : 0));
}

Datum
scopeset_eq(PG_FUNCTION_ARGS)
{
	SCOPESET_COMPARE(ScopesetEqual(a, b));
}

Datum
scopeset_ne(PG_FUNCTION_ARGS)
{
	SCOPESET_COMPARE(!ScopesetEqual(a, b));
}

Datum
scopeset_lt(PG_FUNCTION_ARGS)
{
	SCOPESET_COMPARE(ScopesetCmp(a, b) < 0);
}

Datum
scopeset_le(PG_FUNCTION_ARGS)
{
	SCOPESET_COMPARE(ScopesetCmp(a, b) <= 0);
}

Datum
scopeset_gt(PG_FUNCTION_ARGS)
{
	SCOPESET_COMPARE(ScopesetCmp(a, b) > 0);
}

Datum
scopeset_ge(PG_FUNCTION_ARGS)
{
	SCOPESET_COMPARE(ScopesetCmp(a, b) >= 0);
}

/*
 * Hash the canonical bytes.  hash_any_extended with seed 0 agrees with
 * hash_any in its low 32 bits, as hash opclasses require.
 */
Datum
hash_scopeset(PG_FUNCTION_ARGS)
{
	Scopeset   *s = PG_GETARG_SCOPESET_P(0);
	Datum		result = hash_any((unsigned char *) VARDATA(s), VARSIZE(s) - VARHDRSZ);

	PG_FREE_IF_COPY(s, 0);
	return result;
}

Datum
hash_scopeset_extended(PG_FUNCTION_ARGS)
{
	Scopeset   *s = PG_GETARG_SCOPESET_P(0);
	Datum		result = hash_any_extended((unsigned char *) VARDATA(s),
										   VARSIZE(s) - VARHDRSZ,
										   PG_GETARG_INT64(1));

	PG_FREE_IF_COPY(s, 0);
	return result;
}
