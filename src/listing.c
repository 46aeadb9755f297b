/*
 * listing.c
 *	  What the current principal can reach, as arrays an index scan can use.
 *
 * has_scope() answers one row at a time and cannot use an index.  These
 * functions answer "which workspaces, which resources" once per statement,
 * so a policy can say workspace_id = ANY (rbac.accessible_workspaces(...))
 * and let an index find the candidate rows, with has_scope() still deciding
 * each one.  Lists agree with has_scope() exactly:
 *
 *	 has_scope(s, w)          iff w = ANY (accessible_workspaces(s))
 *	 has_scope(s, w, t, r)    iff has_scope_everywhere(s, w, t)
 *	                              or r = ANY (accessible_resources(s, w, t))
 *
 * A check in a workspace rbac does not know is false whatever the
 * credential, so even an authoritative token's reach can be listed: it is
 * every workspace rbac knows.
 *
 * Ids are stored as text; the uuid and bigint variants convert them to the
 * column's own type, leaving out ids that are not of that type.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/uuid.h"

#include "cache.h"
#include "listing.h"
#include "principal.h"
#include "reach.h"
#include "scopeset.h"

PG_FUNCTION_INFO_V1(rbac_accessible_workspaces);
PG_FUNCTION_INFO_V1(rbac_accessible_organizations);
PG_FUNCTION_INFO_V1(rbac_accessible_resources);
PG_FUNCTION_INFO_V1(rbac_has_scope_everywhere);

/* The context a listing is for, and what it allows of a scope. */
typedef struct Listing
{
	const PrincipalContext *ctx;
	ScopeRef	q;
	bool		allowed;		/* token, narrowing and key restriction cover q */
	const char *key_workspace;	/* an API key reaches only this workspace */
	char	   *scope;
} Listing;

/*
 * Read the context for a scope, as has_scope() does: no principal, a
 * retired scope or a credential that rules it out lists nothing.  Returns
 * the catalog's word on the scope; the caller decides what unknown means.
 */
static CatalogStatus
StartListing(const char *scope, Listing *l)
{
	size_t		errpos;
	CatalogStatus status;

	l->scope = pstrdup(scope);
	l->allowed = false;
	l->key_workspace = NULL;
	CacheBeginCheck();
	l->ctx = CurrentContext();
	if (scope_parse(l->scope, strlen(l->scope), &l->q, &errpos) != SCOPE_OK || l->q.wild)
		return CATALOG_UNKNOWN;
	status = ReachScopeStatus(&l->q);
	/* The credential rule, as the gate applies it (principal.h). */
	l->allowed = l->ctx->principal != NULL && status == CATALOG_ACTIVE && ContextAllows(l->ctx, &l->q);
	l->key_workspace = l->allowed ? ContextKeyWorkspace(l->ctx) : NULL;
	return status;
}

/* The same for a SQL call, where an unknown scope is an error. */
static void
BeginListing(FunctionCallInfo fcinfo, Listing *l)
{
	char	   *scope;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("scope must not be null"),
				 errdetail("A listing needs the name of the scope it asks about."),
				 errhint("Pass a scope from the catalog, such as 'documents.read'.")));
	scope = TextDatumGetCString(PG_GETARG_DATUM(0));
	if (StartListing(scope, l) != CATALOG_UNKNOWN)
		return;
	ScopeParseOrError(scope, strlen(scope), &l->q);
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown scope \"%s\"", scope),
			 errdetail("The scope is not a concrete name in the catalog rbac.scopes."),
			 errhint("Check the spelling, or add it with rbac.create_scope().")));
}

static bool
Authoritative(const Listing *l)
{
	return l->ctx->kind == CREDENTIAL_TOKEN && l->ctx->authoritative;
}

/*
 * Ids are stored as the checks write them: uuids in uuid_out's lowercase
 * form, bigints in decimal.  Any other text names no row of such a column.
 */
static bool
IsCanonicalUuid(const char *id)
{
	if (strlen(id) != 36)
		return false;
	for (int i = 0; i < 36; i++)
	{
		bool		dash = (i == 8 || i == 13 || i == 18 || i == 23);

		if (dash ? id[i] != '-' : !((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
			return false;
	}
	return true;
}

/* Keep only the ids an API key may reach, and convert them to the result type. */
static ArrayType *
ConvertIds(ArrayType *ids, const char *only, Oid type)
{
	Datum	   *elems;
	int			n;
	int			kept = 0;
	Datum	   *out;

	deconstruct_array(ids, TEXTOID, -1, false, TYPALIGN_INT, &elems, NULL, &n);
	out = palloc(sizeof(Datum) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		char	   *id = TextDatumGetCString(elems[i]);

		if (only != NULL && strcmp(id, only) != 0)
			continue;
		if (type == UUIDOID)
		{
			if (IsCanonicalUuid(id))
				out[kept++] = DirectFunctionCall1(uuid_in, CStringGetDatum(id));
		}
		else if (type == INT8OID)
		{
			int64		v;
			char	   *end;

			errno = 0;
			v = strtoi64(id, &end, 10);
			if (errno != 0 || *end != '\0' || strcmp(psprintf(INT64_FORMAT, v), id) != 0)
				continue;
			out[kept++] = Int64GetDatum(v);
		}
		else
			out[kept++] = elems[i];
	}
	if (type == UUIDOID)
		return construct_array(out, kept, UUIDOID, UUID_LEN, false, TYPALIGN_CHAR);
	if (type == INT8OID)
		return construct_array(out, kept, INT8OID, sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
	return construct_array(out, kept, TEXTOID, -1, false, TYPALIGN_INT);
}

static ArrayType *
EmptyArray(Oid type)
{
	return construct_empty_array(type);
}

/* The element type of the array a call site returns. */
static Oid
ResultElementType(FunctionCallInfo fcinfo)
{
	return get_element_type(get_fn_expr_rettype(fcinfo->flinfo));
}

/* A text, uuid or bigint argument as the text the rbac tables store. */
static char *
ArgAsIdText(FunctionCallInfo fcinfo, int argno)
{
	Oid			type = get_fn_expr_argtype(fcinfo->flinfo, argno);
	Datum		d = PG_GETARG_DATUM(argno);

	if (type == UUIDOID)
		return DatumGetCString(DirectFunctionCall1(uuid_out, d));
	if (type == INT8OID)
		return psprintf(INT64_FORMAT, DatumGetInt64(d));
	return TextDatumGetCString(d);
}

/*
 * The ids a started listing holds, as a text[]: the workspaces where the
 * principal holds the scope (with a resource type, also those where it is
 * held only on some resource of that type, the candidates for a policy to
 * check row by row), or the organizations.  An authoritative token holds
 * its scopes everywhere: then every workspace (organization) rbac knows.
 * An API key lists its workspace at most, and no organization.
 */
static ArrayType *
ListingIds(const Listing *l, ListedNodes nodes, const char *type)
{
	ListingKind kind;
	ArrayType  *ids;

	if (!l->allowed || (nodes == LISTED_ORGANIZATIONS && !ContextReachesOrganizations(l->ctx)))
		return EmptyArray(TEXTOID);
	if (nodes == LISTED_ORGANIZATIONS)
		kind = Authoritative(l) ? LIST_ALL_ORGANIZATIONS : LIST_ORGANIZATIONS;
	else if (Authoritative(l))
		kind = LIST_ALL_WORKSPACES;
	else
		kind = nodes == LISTED_WORKSPACES_VIA && type ? LIST_WORKSPACES_VIA : LIST_WORKSPACES;
	ids = ReachListing(kind, l->ctx->principal, l->ctx->len, l->scope, NULL, type);
	return ConvertIds(ids, l->key_workspace, TEXTOID);
}

ArrayType *
ListedIds(ListedNodes nodes, const char *scope, const char *type)
{
	Listing		l;

	if (StartListing(scope, &l) == CATALOG_UNKNOWN)
		return NULL;
	return ListingIds(&l, nodes, type);
}

int
ListedResourceCount(const char *scope, const char *workspace, const char *type)
{
	Listing		l;

	if (StartListing(scope, &l) == CATALOG_UNKNOWN || !l.allowed || Authoritative(&l) ||
		(l.key_workspace && strcmp(l.key_workspace, workspace) != 0))
		return 0;
	return ArrayGetNItems(1, ARR_DIMS(ReachListing(LIST_RESOURCES, l.ctx->principal, l.ctx->len,
												   l.scope, workspace, type)));
}

ArrayType *
IdsAs(ArrayType *ids, Oid type)
{
	return ConvertIds(ids, NULL, type);
}

/* accessible_workspaces(scope [, resource_type]), as text, uuid or bigint. */
Datum
rbac_accessible_workspaces(PG_FUNCTION_ARGS)
{
	Listing		l;
	char	   *type = PG_NARGS() > 1 && !PG_ARGISNULL(1) ? text_to_cstring(PG_GETARG_TEXT_PP(1)) : NULL;

	BeginListing(fcinfo, &l);
	PG_RETURN_ARRAYTYPE_P(ConvertIds(ListingIds(&l, type ? LISTED_WORKSPACES_VIA : LISTED_WORKSPACES, type),
									 NULL, ResultElementType(fcinfo)));
}

/* accessible_organizations(scope): where an organization role gives it. */
Datum
rbac_accessible_organizations(PG_FUNCTION_ARGS)
{
	Listing		l;

	BeginListing(fcinfo, &l);
	PG_RETURN_ARRAYTYPE_P(ConvertIds(ListingIds(&l, LISTED_ORGANIZATIONS, NULL), NULL,
									 ResultElementType(fcinfo)));
}

/* Does the principal hold the scope on the workspace itself? */
static bool
HoldsOnWorkspace(const Listing *l, const char *workspace)
{
	ArrayType  *ids;
	Datum	   *elems;
	int			n;

	if (!l->allowed || (l->key_workspace && strcmp(l->key_workspace, workspace) != 0))
		return false;
	if (Authoritative(l))
		return ReachWorkspaceKnown(workspace);
	ids = ReachListing(LIST_WORKSPACES, l->ctx->principal, l->ctx->len, l->scope, NULL, NULL);
	deconstruct_array(ids, TEXTOID, -1, false, TYPALIGN_INT, &elems, NULL, &n);
	for (int i = 0; i < n; i++)
	{
		if (strcmp(TextDatumGetCString(elems[i]), workspace) == 0)
			return true;
	}
	return false;
}

/*
 * accessible_resources(scope, workspace, resource_type): the resources of a
 * type in a workspace where a resource grant gives the scope.  When a
 * workspace grant gives it on all of them, has_scope_everywhere() says so
 * instead of a list of every id.
 */
Datum
rbac_accessible_resources(PG_FUNCTION_ARGS)
{
	Listing		l;
	Oid			elem = ResultElementType(fcinfo);
	char	   *workspace;
	ArrayType  *ids;

	BeginListing(fcinfo, &l);
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || !l.allowed || Authoritative(&l))
		PG_RETURN_ARRAYTYPE_P(EmptyArray(elem));
	workspace = ArgAsIdText(fcinfo, 1);
	if (l.key_workspace && strcmp(l.key_workspace, workspace) != 0)
		PG_RETURN_ARRAYTYPE_P(EmptyArray(elem));
	ids = ReachListing(LIST_RESOURCES, l.ctx->principal, l.ctx->len, l.scope, workspace,
					   text_to_cstring(PG_GETARG_TEXT_PP(2)));
	PG_RETURN_ARRAYTYPE_P(ConvertIds(ids, NULL, elem));
}

/*
 * has_scope_everywhere(scope): an authoritative token holds it in every
 * workspace rbac knows.  has_scope_everywhere(scope, workspace,
 * resource_type): a workspace grant gives it on every resource there.
 */
Datum
rbac_has_scope_everywhere(PG_FUNCTION_ARGS)
{
	Listing		l;

	BeginListing(fcinfo, &l);
	if (PG_NARGS() == 1)
		PG_RETURN_BOOL(l.allowed && Authoritative(&l));
	if (PG_ARGISNULL(1))
		PG_RETURN_BOOL(false);
	PG_RETURN_BOOL(HoldsOnWorkspace(&l, ArgAsIdText(fcinfo, 1)));
}
