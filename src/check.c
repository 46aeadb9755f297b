/*
 * check.c
 *	  has_scope() and the other checks, as called from row-level security.
 *
 * A policy calls has_scope() once per row, usually with a constant scope and
 * the row's workspace (and resource).  Each call site keeps a memo in
 * fn_extra: the scope, already validated against the catalog, and the last
 * question with its answer.  A row in the same workspace as the one before
 * is then answered with a few comparisons.  The memo is trusted only while
 * the cache generation and the principal are unchanged, so it can never
 * outlive the data it was computed from.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/uuid.h"

#include "cache.h"
#include "principal.h"
#include "scopeset.h"

PG_FUNCTION_INFO_V1(rbac_has_scope);
PG_FUNCTION_INFO_V1(rbac_has_org_scope);
PG_FUNCTION_INFO_V1(rbac_principal_has_scope);
PG_FUNCTION_INFO_V1(rbac_effective_scopes);

/* Room for the raw bytes of an id argument, kept between calls. */
typedef struct MemoBytes
{
	char	   *data;
	int			len;
	int			cap;
} MemoBytes;

typedef struct CheckMemo
{
	MemoryContext cxt;
	Oid			argtypes[5];

	/* The scope asked for, and what the catalog says of it. */
	MemoBytes	scope;
	ScopeRef	q;
	CatalogStatus status;
	uint64		scope_generation;

	/* The last question and its answer. */
	bool		has_answer;
	bool		answer;
	uint64		generation;
	uint64		principal_generation;
	MemoBytes	ids[3];
} CheckMemo;

/* An id argument: its raw bytes, for comparison, and its text form. */
typedef struct IdArg
{
	const char *bytes;
	int			len;
	Oid			type;
	Datum		datum;
} IdArg;

static CheckMemo *
GetMemo(FunctionCallInfo fcinfo)
{
	CheckMemo  *memo = (CheckMemo *) fcinfo->flinfo->fn_extra;

	if (memo == NULL)
	{
		memo = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(CheckMemo));
		memo->cxt = fcinfo->flinfo->fn_mcxt;
		for (int i = 0; i < PG_NARGS() && i < 5; i++)
			memo->argtypes[i] = get_fn_expr_argtype(fcinfo->flinfo, i);
		fcinfo->flinfo->fn_extra = memo;
	}
	return memo;
}

static bool
MemoBytesEqual(const MemoBytes *m, const char *bytes, int len)
{
	return m->len == len && memcmp(m->data, bytes, len) == 0;
}

static void
MemoBytesSet(MemoryContext cxt, MemoBytes *m, const char *bytes, int len)
{
	if (m->cap < len)
	{
		m->cap = Max(len, 32);
		m->data = m->data ? repalloc(m->data, m->cap) : MemoryContextAlloc(cxt, m->cap);
	}
	memcpy(m->data, bytes, len);
	m->len = len;
}

/* The raw bytes of a text, uuid or bigint argument. */
static IdArg
GetIdArg(FunctionCallInfo fcinfo, CheckMemo *memo, int argno)
{
	IdArg		arg;

	arg.type = memo->argtypes[argno];
	arg.datum = PG_GETARG_DATUM(argno);
	switch (arg.type)
	{
		case UUIDOID:
			arg.bytes = (const char *) DatumGetUUIDP(arg.datum)->data;
			arg.len = UUID_LEN;
			break;
		case INT8OID:
			arg.bytes = (const char *) &fcinfo->args[argno].value;
			arg.len = sizeof(Datum);
			break;
		default:
			{
				text	   *t = DatumGetTextPP(arg.datum);

				arg.bytes = VARDATA_ANY(t);
				arg.len = VARSIZE_ANY_EXHDR(t);
			}
	}
	return arg;
}

/* The id as the text the rbac tables store it as. */
static char *
IdText(const IdArg *arg, int *len)
{
	char	   *s;

	switch (arg->type)
	{
		case UUIDOID:
			s = DatumGetCString(DirectFunctionCall1(uuid_out, arg->datum));
			break;
		case INT8OID:
			s = psprintf(INT64_FORMAT, DatumGetInt64(arg->datum));
			break;
		default:
			*len = arg->len;
			return pnstrdup(arg->bytes, arg->len);
	}
	*len = (int) strlen(s);
	return s;
}

static void
ReportNullScope(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
			 errmsg("scope must not be null"),
			 errdetail("A check needs the name of the scope it asks about."),
			 errhint("Pass a scope from the catalog, such as 'documents.read'.")));
}

/*
 * Validate the scope against the catalog, once per call site and cache
 * generation.  An unknown name is an error whatever the row holds: a typo
 * must not silently read as "no".
 */
static void
ValidateScope(CheckMemo *memo, text *scope)
{
	const char *name = VARDATA_ANY(scope);
	int			len = VARSIZE_ANY_EXHDR(scope);

	if (memo->scope_generation == CacheGeneration() && MemoBytesEqual(&memo->scope, name, len))
		return;
	MemoBytesSet(memo->cxt, &memo->scope, name, len);
	ScopeParseOrError(memo->scope.data, len, &memo->q);
	if (memo->q.wild)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("scope \"%s\" is a pattern", pnstrdup(name, len)),
				 errdetail("A check asks about one concrete scope, and a wildcard names many."),
				 errhint("Check each scope, or compare with rbac.effective_scopes() using @>.")));
	memo->status = CacheScopeStatus(&memo->q);
	if (memo->status == CATALOG_UNKNOWN)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown scope \"%s\"", pnstrdup(name, len)),
				 errdetail("The scope is not in the catalog rbac.scopes."),
				 errhint("Check the spelling, or add it with rbac.create_scope().")));
	memo->scope_generation = CacheGeneration();
	memo->has_answer = false;
}

/* Does the principal hold q in the workspace, or on the resource there? */
static bool
HoldsInWorkspace(const char *principal, int plen, const ScopeRef *q,
				 const IdArg *ws, const IdArg *rtype, const IdArg *rid)
{
	int			wlen;
	char	   *workspace = IdText(ws, &wlen);
	const WorkspaceReach *reach = CacheWorkspaceReach(principal, plen, workspace, wlen);
	const Scopeset *on_resource;
	int			idlen;
	char	   *id;

	if (ScopesetCovers(reach->scopes, q))
		return true;
	if (rtype == NULL)
		return false;
	id = IdText(rid, &idlen);
	on_resource = ResourceReachOf(reach, rtype->bytes, rtype->len, id, idlen);
	return on_resource != NULL && ScopesetCovers(on_resource, q);
}

static bool
MemoAnswers(CheckMemo *memo, const IdArg *ids, int nids)
{
	if (!memo->has_answer || memo->generation != CacheGeneration() ||
		memo->principal_generation != PrincipalGeneration())
		return false;
	for (int i = 0; i < nids; i++)
	{
		if (!MemoBytesEqual(&memo->ids[i], ids[i].bytes, ids[i].len))
			return false;
	}
	return true;
}

static void
MemoRemember(CheckMemo *memo, const IdArg *ids, int nids, bool answer)
{
	for (int i = 0; i < nids; i++)
		MemoBytesSet(memo->cxt, &memo->ids[i], ids[i].bytes, ids[i].len);
	memo->has_answer = true;
	memo->answer = answer;
	memo->generation = CacheGeneration();
	memo->principal_generation = PrincipalGeneration();
}

/*
 * has_scope(scope, workspace [, resource_type, resource_id]) for text, uuid
 * and bigint ids.  No principal, or a NULL id, is "no"; never an error.
 */
Datum
rbac_has_scope(PG_FUNCTION_ARGS)
{
	CheckMemo  *memo = GetMemo(fcinfo);
	int			nids = PG_NARGS() - 1;
	IdArg		ids[3];
	const char *principal;
	int			plen;
	bool		answer;

	if (PG_ARGISNULL(0))
		ReportNullScope();
	CacheBeginCheck();
	ValidateScope(memo, PG_GETARG_TEXT_PP(0));
	principal = CurrentPrincipal(&plen);
	if (principal == NULL || memo->status == CATALOG_RETIRED)
		PG_RETURN_BOOL(false);
	for (int i = 0; i < nids; i++)
	{
		if (PG_ARGISNULL(i + 1))
			PG_RETURN_BOOL(false);
		ids[i] = GetIdArg(fcinfo, memo, i + 1);
	}
	if (MemoAnswers(memo, ids, nids))
		PG_RETURN_BOOL(memo->answer);

	answer = HoldsInWorkspace(principal, plen, &memo->q, &ids[0],
							  nids == 3 ? &ids[1] : NULL, nids == 3 ? &ids[2] : NULL);
	MemoRemember(memo, ids, nids, answer);
	PG_RETURN_BOOL(answer);
}

Datum
rbac_has_org_scope(PG_FUNCTION_ARGS)
{
	CheckMemo  *memo = GetMemo(fcinfo);
	IdArg		org;
	const char *principal;
	int			plen;
	bool		answer;

	if (PG_ARGISNULL(0))
		ReportNullScope();
	CacheBeginCheck();
	ValidateScope(memo, PG_GETARG_TEXT_PP(0));
	principal = CurrentPrincipal(&plen);
	if (principal == NULL || memo->status == CATALOG_RETIRED || PG_ARGISNULL(1))
		PG_RETURN_BOOL(false);
	org = GetIdArg(fcinfo, memo, 1);
	if (MemoAnswers(memo, &org, 1))
		PG_RETURN_BOOL(memo->answer);

	answer = ScopesetCovers(CacheOrganizationReach(principal, plen, org.bytes, org.len), &memo->q);
	MemoRemember(memo, &org, 1, answer);
	PG_RETURN_BOOL(answer);
}

/* The principal argument of an administrative check, after the access rule. */
static char *
InspectedPrincipal(FunctionCallInfo fcinfo)
{
	char	   *principal = text_to_cstring(PG_GETARG_TEXT_PP(0));

	CheckMayInspectPrincipal(principal);
	return principal;
}

/* principal_has_scope(principal, scope, workspace [, resource_type, resource_id]) */
Datum
rbac_principal_has_scope(PG_FUNCTION_ARGS)
{
	CheckMemo  *memo = GetMemo(fcinfo);
	char	   *principal;
	IdArg		ids[3];
	bool		on_resource = !PG_ARGISNULL(3) || !PG_ARGISNULL(4);

	if (PG_ARGISNULL(0) || PG_ARGISNULL(2))
		PG_RETURN_NULL();
	if (PG_ARGISNULL(1))
		ReportNullScope();
	principal = InspectedPrincipal(fcinfo);
	CacheBeginCheck();
	ValidateScope(memo, PG_GETARG_TEXT_PP(1));
	if (memo->status == CATALOG_RETIRED)
		PG_RETURN_BOOL(false);
	if (on_resource && (PG_ARGISNULL(3) || PG_ARGISNULL(4)))
		PG_RETURN_BOOL(false);
	for (int i = 0; i < (on_resource ? 3 : 1); i++)
		ids[i] = GetIdArg(fcinfo, memo, i + 2);
	PG_RETURN_BOOL(HoldsInWorkspace(principal, (int) strlen(principal), &memo->q, &ids[0],
									on_resource ? &ids[1] : NULL,
									on_resource ? &ids[2] : NULL));
}

/* effective_scopes(principal, workspace [, resource_type, resource_id]) */
Datum
rbac_effective_scopes(PG_FUNCTION_ARGS)
{
	CheckMemo  *memo = GetMemo(fcinfo);
	char	   *principal;
	IdArg		ws;
	int			wlen;
	char	   *workspace;
	const WorkspaceReach *reach;
	const Scopeset *on_resource = NULL;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	principal = InspectedPrincipal(fcinfo);
	CacheBeginCheck();
	ws = GetIdArg(fcinfo, memo, 1);
	workspace = IdText(&ws, &wlen);
	reach = CacheWorkspaceReach(principal, (int) strlen(principal), workspace, wlen);
	if (!PG_ARGISNULL(2) && !PG_ARGISNULL(3))
	{
		IdArg		rtype = GetIdArg(fcinfo, memo, 2);
		IdArg		rid = GetIdArg(fcinfo, memo, 3);
		int			idlen;
		char	   *id = IdText(&rid, &idlen);

		on_resource = ResourceReachOf(reach, rtype.bytes, rtype.len, id, idlen);
	}
	PG_RETURN_SCOPESET_P(on_resource ? ScopesetUnion(reach->scopes, on_resource)
						 : ScopesetCopy(reach->scopes));
}
