/*
 * scopeset_cast.c
 *	  Casts between scopeset and text[], and from jsonb.
 *
 * The jsonb cast accepts the two shapes tokens carry scopes in: a JSON array
 * of names (a "scopes" claim) or one string of space-separated names (an
 * OAuth "scope" claim).
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "scopeset.h"

PG_FUNCTION_INFO_V1(scopeset_from_array);
PG_FUNCTION_INFO_V1(scopeset_to_array);
PG_FUNCTION_INFO_V1(scopeset_from_jsonb);

/*
 * Validate the elements of a text[] as scopes, in array order and not yet
 * canonical.  A NULL element is an error rather than skipped: in an
 * authorization check a missing name must never read as a granted one.
 * An array with more elements than any input may have is refused before
 * it is taken apart.
 */
int
ScopeRefsFromArray(ArrayType *arr, ScopeRef **refs)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;

	ScopesetCheckInputSize(0, ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr)));
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	*refs = palloc(sizeof(ScopeRef) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("scope array must not contain nulls"),
					 errdetail("Element %d of the array is NULL.", i + 1),
					 errhint("Remove the NULL elements, for example with array_remove(arr, NULL).")));
		(*refs)[i] = ScopeFromText(DatumGetTextPP(elems[i]));
	}
	return n;
}

Datum
scopeset_from_array(PG_FUNCTION_ARGS)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	ScopeRef   *refs;
	int			n;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("cannot cast a %d-dimensional array to scopeset", ARR_NDIM(arr)),
				 errdetail("A scopeset is built from a one-dimensional array of scope names."),
				 errhint("Flatten the array first, for example with ARRAY(SELECT unnest(arr)).")));
	n = ScopeRefsFromArray(arr, &refs);
	PG_RETURN_SCOPESET_P(ScopesetFromRefs(refs, n));
}

Datum
scopeset_to_array(PG_FUNCTION_ARGS)
{
	Scopeset   *s = PG_GETARG_SCOPESET_P(0);
	Datum	   *elems = palloc(sizeof(Datum) * Max(s->nscopes, 1));

	for (int i = 0; i < s->nscopes; i++)
	{
		ScopeRef	ref = ScopesetRef(s, i);

		CHECK_FOR_INTERRUPTS();
		elems[i] = PointerGetDatum(cstring_to_text_with_len(ref.name, ref.len));
	}
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, s->nscopes, TEXTOID, -1, false,
										  TYPALIGN_INT));
}

static pg_noreturn void ReportJsonShape(const char *what);

static void
ReportJsonShape(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("cannot cast jsonb %s to scopeset", what),
			 errdetail("A scopeset is read from a JSON array of strings or from one string of space-separated scopes."),
			 errhint("Pass the \"scopes\" array or the \"scope\" string of the token, for example claims -> 'scopes'.")));
}

static inline bool
IsOAuthSpace(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Split an OAuth scope string on whitespace into validated refs. */
static int
SplitScopeString(const char *s, int len, ScopeRef **refs)
{
	int			n = 0;
	int			i = 0;

	ScopesetCheckInputSize(len, 0);
	*refs = palloc(sizeof(ScopeRef) * (len / 2 + 1));
	while (i < len)
	{
		int			start;

		CHECK_FOR_INTERRUPTS();
		while (i < len && IsOAuthSpace(s[i]))
			i++;
		start = i;
		while (i < len && !IsOAuthSpace(s[i]))
			i++;
		if (i > start)
			ScopeParseOrError(s + start, i - start, &(*refs)[n++]);
	}
	return n;
}

/* Collect the string elements of a JSON array into validated refs. */
static int
ArrayScopes(Jsonb *jb, ScopeRef **refs)
{
	JsonbIterator *it = JsonbIteratorInit(&jb->root);
	JsonbValue	v;
	JsonbIteratorToken tok;
	int			n = 0;

	ScopesetCheckInputSize(0, JB_ROOT_COUNT(jb));
	*refs = palloc(sizeof(ScopeRef) * Max(JB_ROOT_COUNT(jb), 1));
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		CHECK_FOR_INTERRUPTS();
		if (tok != WJB_ELEM)
			continue;
		if (v.type != jbvString)
			ReportJsonShape("array with a non-string element");
		ScopeParseOrError(v.val.string.val, v.val.string.len, &(*refs)[n++]);
	}
	return n;
}

Datum
scopeset_from_jsonb(PG_FUNCTION_ARGS)
{
	Jsonb	   *jb = PG_GETARG_JSONB_P(0);
	ScopeRef   *refs;
	int			n;

	if (JB_ROOT_IS_SCALAR(jb))
	{
		JsonbValue	v;

		if (!JsonbExtractScalar(&jb->root, &v) || v.type != jbvString)
			ReportJsonShape("scalar other than a string");
		n = SplitScopeString(v.val.string.val, v.val.string.len, &refs);
	}
	else if (JB_ROOT_IS_ARRAY(jb))
		n = ArrayScopes(jb, &refs);
	else
		ReportJsonShape("object");
	PG_RETURN_SCOPESET_P(ScopesetFromRefs(refs, n));
}
