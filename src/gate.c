/*
 * gate.c
 *	  The gate (gate.h), and the SQL functions administration asks it
 *	  through: rbac.actor_reach(), rbac.actor_organization_reach(),
 *	  rbac.context_bounds() and rbac.current_context().
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "cache.h"
#include "gate.h"

PG_FUNCTION_INFO_V1(rbac_actor_reach);
PG_FUNCTION_INFO_V1(rbac_actor_organization_reach);
PG_FUNCTION_INFO_V1(rbac_context_bounds);
PG_FUNCTION_INFO_V1(rbac_current_context);
PG_FUNCTION_INFO_V1(rbac_narrow_to_context);

static const GateAnswer NoAnswer = {false, NULL};

/* Does any resource grant in the workspace give q? */
static bool
AnyResourceGives(const WorkspaceReach *reach, const ScopeRef *q)
{
	for (int i = 0; i < reach->nresources; i++)
	{
		if (ScopesetCovers(reach->resources[i].scopes, q))
			return true;
	}
	return false;
}

/* The part of the rule that does not depend on the node. */
static bool
MayUse(const PrincipalContext *ctx, const ScopeRef *q)
{
	return ctx->principal != NULL && ReachScopeStatus(q) == CATALOG_ACTIVE &&
		ContextAllows(ctx, q);
}

static bool
Authoritative(const PrincipalContext *ctx)
{
	return ctx->kind == CREDENTIAL_TOKEN && ctx->authoritative;
}

GateAnswer
GateWorkspace(const PrincipalContext *ctx, const ScopeRef *q, const char *workspace, int wlen)
{
	GateAnswer	answer = NoAnswer;
	const WorkspaceReach *reach;
	char	   *ws = pnstrdup(workspace, wlen);

	if (!MayUse(ctx, q) || !ContextReachesWorkspace(ctx, ws))
		return NoAnswer;
	/* Like a grant, an authoritative token reaches no workspace rbac does not know. */
	if (Authoritative(ctx))
	{
		answer.holds = ReachWorkspaceKnown(ws);
		return answer;
	}
	reach = ReachWorkspace(ctx->principal, ctx->len, workspace, wlen);
	answer.holds = ScopesetCovers(reach->scopes, q);
	answer.resources = AnyResourceGives(reach, q) ? reach : NULL;
	return answer;
}

bool
GateOnResource(const GateAnswer *answer, const ScopeRef *q, const char *type, int tlen,
			   const char *id, int idlen)
{
	const Scopeset *scopes;

	if (answer->holds)
		return true;
	if (answer->resources == NULL)
		return false;
	scopes = ReachOnResource(answer->resources, type, tlen, id, idlen);
	return scopes != NULL && ScopesetCovers(scopes, q);
}

/* An API key reaches one workspace and no organization. */
bool
GateOrganization(const PrincipalContext *ctx, const ScopeRef *q, const char *organization,
				 int olen)
{
	char	   *org = pnstrdup(organization, olen);

	if (!MayUse(ctx, q) || !ContextReachesOrganizations(ctx))
		return false;
	if (Authoritative(ctx))
		return ReachOrganizationKnown(org);
	return ScopesetCovers(ReachOrganization(ctx->principal, ctx->len, organization, olen)->roles, q);
}

Scopeset *
PersonWorkspaceReach(const char *principal, const char *workspace, const char *type,
					 const char *id)
{
	const WorkspaceReach *reach = ReachWorkspace(principal, (int) strlen(principal),
												 workspace, (int) strlen(workspace));
	const Scopeset *on_resource = NULL;

	if (type != NULL && id != NULL)
		on_resource = ReachOnResource(reach, type, (int) strlen(type), id, (int) strlen(id));
	/* A retired scope is held by no one, even through a custom role. */
	return ScopesetMinus(on_resource ? ScopesetUnion(reach->scopes, on_resource) : reach->scopes,
						 ReachRetiredScopes());
}

/* reach ∩ bounds, where NULL bounds are no bounds. */
static Scopeset *
Bounded(Scopeset *reach, Scopeset *bounds)
{
	return bounds == NULL ? reach : ScopesetIntersect(reach, bounds);
}

Scopeset *
GateWorkspaceReach(const PrincipalContext *ctx, const char *workspace, const char *type,
				   const char *id)
{
	Scopeset   *bounds = ContextBounds(ctx, workspace);

	if (ctx->principal == NULL)
		return ScopesetBuild(NULL, 0);
	if (Authoritative(ctx))
		return ReachWorkspaceKnown(workspace) ?
			ScopesetMinus(bounds, ReachRetiredScopes()) : ScopesetBuild(NULL, 0);
	return Bounded(PersonWorkspaceReach(ctx->principal, workspace, type, id), bounds);
}

Scopeset *
GateOrganizationReach(const PrincipalContext *ctx, const char *organization, const char *kind)
{
	Scopeset   *bounds = ContextBounds(ctx, NULL);
	const OrganizationReach *reach;

	if (ctx->principal == NULL)
		return ScopesetBuild(NULL, 0);
	if (Authoritative(ctx))
		return ReachOrganizationKnown(organization) ?
			ScopesetMinus(bounds, ReachRetiredScopes()) : ScopesetBuild(NULL, 0);
	reach = ReachOrganization(ctx->principal, ctx->len, organization, (int) strlen(organization));
	return Bounded(ScopesetMinus(strcmp(kind, "organization") == 0 ? reach->roles : reach->workspace_roles,
								 ReachRetiredScopes()),
				   bounds);
}

static char *
OptionalText(FunctionCallInfo fcinfo, int argno)
{
	return PG_NARGS() > argno && !PG_ARGISNULL(argno) ? text_to_cstring(PG_GETARG_TEXT_PP(argno)) : NULL;
}

/*
 * actor_reach(workspace [, resource_type, resource_id]): what the acting
 * context may do there.  Empty with no principal: the operator's reach is
 * never asked, since the operator skips the scope checks.
 */
Datum
rbac_actor_reach(PG_FUNCTION_ARGS)
{
	char	   *workspace = OptionalText(fcinfo, 0);

	if (workspace == NULL)
		PG_RETURN_NULL();
	CacheBeginCheck();
	PG_RETURN_SCOPESET_P(GateWorkspaceReach(CurrentContext(), workspace,
											OptionalText(fcinfo, 1), OptionalText(fcinfo, 2)));
}

/* actor_organization_reach(organization, kind) */
Datum
rbac_actor_organization_reach(PG_FUNCTION_ARGS)
{
	char	   *organization = OptionalText(fcinfo, 0);
	char	   *kind = OptionalText(fcinfo, 1);

	if (organization == NULL || kind == NULL)
		PG_RETURN_NULL();
	CacheBeginCheck();
	PG_RETURN_SCOPESET_P(GateOrganizationReach(CurrentContext(), organization, kind));
}

/*
 * context_bounds([workspace]): the most the current context may reach in
 * a workspace (or, with none, an organization) whatever its grants; NULL
 * when nothing bounds it.  A key made from a bounded context must carry
 * these bounds, or it would outlive them.
 */
Datum
rbac_context_bounds(PG_FUNCTION_ARGS)
{
	Scopeset   *bounds;

	CacheBeginCheck();
	bounds = ContextBounds(CurrentContext(), OptionalText(fcinfo, 0));
	if (bounds == NULL)
		PG_RETURN_NULL();
	PG_RETURN_SCOPESET_P(bounds);
}

static void
AddPair(JsonbParseState **state, const char *key, const char *value)
{
	JsonbValue	k;
	JsonbValue	v;

	k.type = jbvString;
	k.val.string.val = (char *) key;
	k.val.string.len = (int) strlen(key);
	(void) pushJsonbValue(state, WJB_KEY, &k);
	if (value == NULL)
		v.type = jbvNull;
	else
	{
		v.type = jbvString;
		v.val.string.val = (char *) value;
		v.val.string.len = (int) strlen(value);
	}
	(void) pushJsonbValue(state, WJB_VALUE, &v);
}

static const char *
SetText(const Scopeset *s)
{
	return s ? DatumGetCString(DirectFunctionCall1(scopeset_out, PointerGetDatum(s))) : NULL;
}

static const char *const source_names[] = {"none", "transaction", "request", "session"};
static const char *const kind_names[] = {"plain", "token", "api_key"};

/*
 * current_context(): how the current principal acts, as jsonb, for the
 * audit log and for people: where the principal came from, the credential
 * and each bound.  NULL with no principal.
 */
Datum
rbac_current_context(PG_FUNCTION_ARGS)
{
	const PrincipalContext *ctx;
	JsonbParseState *state = NULL;
	JsonbValue *result;

	CacheBeginCheck();
	ctx = CurrentContext();
	if (ctx->principal == NULL)
		PG_RETURN_NULL();
	(void) pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	AddPair(&state, "source", source_names[ctx->source]);
	AddPair(&state, "credential", kind_names[ctx->kind]);
	if (ctx->kind == CREDENTIAL_TOKEN)
	{
		AddPair(&state, "token_scopes", SetText(ctx->token_scopes));
		AddPair(&state, "authoritative", ctx->authoritative ? "true" : "false");
		AddPair(&state, "expires", ctx->token_expires == DT_NOEND ? NULL :
				timestamptz_to_str(ctx->token_expires));
	}
	if (ctx->kind == CREDENTIAL_API_KEY)
	{
		AddPair(&state, "api_key", psprintf(INT64_FORMAT, ctx->api_key));
		AddPair(&state, "key_workspace", ContextKeyWorkspace(ctx));
		AddPair(&state, "key_restriction", SetText(ReachApiKey(ctx->api_key)->restriction));
	}
	AddPair(&state, "narrowing", SetText(ctx->narrowing));
	result = pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	PG_RETURN_JSONB_P(JsonbValueToJsonb(result));
}

/*
 * narrow_to_context(reach, workspace): version 0.2's way of bounding a
 * reach read in SQL.  Kept so that a database still on 0.2, or updating
 * through it, works with this library; 0.3 asks rbac.actor_reach().
 */
Datum
rbac_narrow_to_context(PG_FUNCTION_ARGS)
{
	Scopeset   *reach = PG_GETARG_SCOPESET_P(0);
	const PrincipalContext *ctx;
	Scopeset   *bounds;

	CacheBeginCheck();
	ctx = CurrentContext();
	bounds = ContextBounds(ctx, OptionalText(fcinfo, 1));
	if (bounds != NULL && Authoritative(ctx))
		PG_RETURN_SCOPESET_P(bounds);
	PG_RETURN_SCOPESET_P(Bounded(reach, bounds));
}
