/*
 * principal.c
 *	  The principal context and the credential rule: settings,
 *	  rbac.set_principal(), rbac.current_principal() and rbac.actor().
 *
 * Five superuser-only settings hold it:
 *	 rbac.principal, rbac.credential
 *	     the principal of this transaction and how it was authenticated,
 *	     always set transaction-local by our functions;
 *	 rbac.session_principal, rbac.session_credential
 *	     a principal for the whole session, which only superusers and
 *	     members of rbac_authenticator may set;
 *	 rbac.narrowing
 *	     the scopes rbac.narrow() left in this transaction.
 * A credential is empty for a plain principal,
 * "token<TAB>narrow|authoritative<TAB>principal<TAB>expires|-<TAB>scopes|-",
 * "key<TAB>id<TAB>principal", or "none" for a transaction that cleared its
 * principal.  A credential names the principal it belongs to; if the two
 * disagree, say after a superuser SET rbac.principal by hand, there is no
 * principal: a narrowing or a key's bounds must never be lost by accident.
 *
 * Which principal a transaction acts for: the one set in the transaction;
 * otherwise, with rbac.trust_request_jwt on, the one PostgREST's
 * request.jwt.claims name (read once per statement); otherwise, with the
 * setting off, the session's.  Requests behind a pool thus never act for a
 * principal an earlier request left on the connection.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "cache.h"
#include "jwt.h"
#include "principal.h"
#include "reach.h"

PG_FUNCTION_INFO_V1(rbac_current_principal);
PG_FUNCTION_INFO_V1(rbac_set_principal);
PG_FUNCTION_INFO_V1(rbac_actor);

static char *principal_setting = NULL;
static char *credential_setting = NULL;
static char *session_principal_setting = NULL;
static char *session_credential_setting = NULL;
static char *narrowing_setting = NULL;
static bool trust_request_jwt = false;
static uint64 principal_generation = 1;

/* The context, rebuilt when the generation moves. */
static MemoryContext context_cxt = NULL;
static PrincipalContext context;
static uint64 context_generation = 0;

/* The request claims last read, and the statement they were read in. */
static char *claims_seen = NULL;
static int	claims_mode_seen = -1;
static uint64 claims_stamp = 0;

#define CREDENTIAL_NONE "none"

/* Runs for every change, including the undoing of a rolled-back SET. */
static void
AssignBumps(const char *newval, void *extra)
{
	principal_generation++;
}

static void
AssignTrust(bool newval, void *extra)
{
	principal_generation++;
}

static void
DefineInternal(const char *name, const char *desc, char **var, int flags)
{
	DefineCustomStringVariable(name, desc,
							   "Set it through the rbac functions; only superusers may SET it directly.",
							   var, "", PGC_SUSET,
							   GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE | GUC_DISALLOW_IN_FILE | flags,
							   NULL, AssignBumps, NULL);
}

void
PrincipalDefineSettings(void)
{
	/*
	 * RESET ALL may clear the principal (a pool's DISCARD ALL must), which
	 * fails closed.  It must not clear a narrowing: the principal could then
	 * be set again, wider than the transaction was allowed to be.
	 */
	DefineInternal("rbac.principal", "The principal that rbac checks act for in this transaction.",
				   &principal_setting, 0);
	DefineInternal("rbac.credential", "How this transaction's rbac principal was authenticated.",
				   &credential_setting, 0);
	DefineInternal("rbac.session_principal", "The principal that rbac checks act for in this session.",
				   &session_principal_setting, 0);
	DefineInternal("rbac.session_credential", "How the session's rbac principal was authenticated.",
				   &session_credential_setting, 0);
	DefineInternal("rbac.narrowing", "The scopes rbac.narrow() left in this transaction.",
				   &narrowing_setting, GUC_NO_RESET_ALL);
	DefineCustomBoolVariable("rbac.trust_request_jwt",
							 "Takes the principal from request.jwt.claims when none is set in the transaction.",
							 "Turn it on for the role PostgREST logs in as, which verifies the token; any role can set request.jwt.claims.",
							 &trust_request_jwt, false, PGC_SUSET, 0,
							 NULL, AssignTrust, NULL);
}

uint64
PrincipalGeneration(void)
{
	return principal_generation;
}

static inline bool
IsSet(const char *setting)
{
	return setting != NULL && setting[0] != '\0';
}

static Scopeset *
ParseScopes(const char *text)
{
	return DatumGetScopesetP(DirectFunctionCall1(scopeset_in, CStringGetDatum(text)));
}

/* Split s at tabs into at most n fields; returns how many there were. */
static int
SplitFields(char *s, char **fields, int n)
{
	int			count = 0;

	while (count < n)
	{
		char	   *tab = strchr(s, '\t');

		fields[count++] = s;
		if (tab == NULL)
			break;
		*tab = '\0';
		s = tab + 1;
	}
	return count;
}

static bool
ReadTokenCredential(char **fields)
{
	context.kind = CREDENTIAL_TOKEN;
	context.authoritative = strcmp(fields[1], "authoritative") == 0;
	context.token_expires = strcmp(fields[3], "-") == 0 ? DT_NOEND : pg_strtoint64(fields[3]);
	context.token_scopes = strcmp(fields[4], "-") == 0 ? NULL : ParseScopes(fields[4]);
	return true;
}

/* Fill the context from a credential; false when it does not belong. */
static bool
ReadCredential(const char *principal, const char *credential)
{
	char	   *fields[5];
	int			n;

	if (!IsSet(credential))
		return true;
	n = SplitFields(pstrdup(credential), fields, 5);
	if (n == 5 && strcmp(fields[0], "token") == 0 && strcmp(fields[2], principal) == 0)
		return ReadTokenCredential(fields);
	if (n == 3 && strcmp(fields[0], "key") == 0 && strcmp(fields[2], principal) == 0)
	{
		context.kind = CREDENTIAL_API_KEY;
		context.api_key = pg_strtoint64(fields[1]);
		return true;
	}
	return false;
}

static void
Adopt(const char *principal, const char *credential, PrincipalSource source)
{
	context.principal = pstrdup(principal);
	context.len = (int) strlen(principal);
	context.source = source;
	if (!ReadCredential(context.principal, credential))
	{
		context.principal = NULL;
		context.source = SOURCE_NONE;
	}
}

/*
 * Take the principal from request.jwt.claims, which PostgREST verified.
 * Claims that are set but name no usable subject mean no principal.
 */
static void
ReadRequestClaims(void)
{
	TokenClaims claims;

	if (claims_seen == NULL || !ClaimsRead(claims_seen, strlen(claims_seen), &claims))
		return;
	context.principal = claims.subject;
	context.len = (int) strlen(claims.subject);
	context.source = SOURCE_REQUEST;
	context.kind = CREDENTIAL_TOKEN;
	context.token_scopes = claims.scopes;
	context.token_expires = claims.expires;
	context.authoritative = claims_mode_seen == TOKEN_SCOPES_AUTHORITATIVE;
}

/* Not inlined: CurrentContext() runs for every row, this once per principal. */
static pg_noinline void
RebuildContext(void)
{
	MemoryContext old;

	if (context_cxt == NULL)
		context_cxt = AllocSetContextCreate(TopMemoryContext, "rbac principal",
											ALLOCSET_SMALL_SIZES);
	MemoryContextReset(context_cxt);
	old = MemoryContextSwitchTo(context_cxt);
	memset(&context, 0, sizeof(context));
	context.token_expires = DT_NOEND;
	/*
	 * A transaction that cleared its principal (CREDENTIAL_NONE) still acts
	 * for its request's claims, but never for the session's principal.
	 */
	if (IsSet(principal_setting))
		Adopt(principal_setting, credential_setting, SOURCE_TRANSACTION);
	else if (trust_request_jwt)
		ReadRequestClaims();
	else if (!IsSet(credential_setting) && IsSet(session_principal_setting))
		Adopt(session_principal_setting, session_credential_setting, SOURCE_SESSION);
	if (IsSet(narrowing_setting))
		context.narrowing = ParseScopes(narrowing_setting);
	MemoryContextSwitchTo(old);
	context_generation = principal_generation;
}

/* Notice new request claims, at most once per statement. */
static pg_noinline void
RefreshRequestClaims(void)
{
	const char *claims;

	if (!trust_request_jwt || IsSet(principal_setting) || claims_stamp == CacheStatementStamp())
		return;
	claims_stamp = CacheStatementStamp();
	claims = GetConfigOption("request.jwt.claims", true, false);
	if (claims != NULL && claims[0] == '\0')
		claims = NULL;
	if ((claims == NULL) == (claims_seen == NULL) &&
		(claims == NULL || strcmp(claims, claims_seen) == 0) &&
		claims_mode_seen == (int) JwtScopesMode())
		return;
	if (claims_seen != NULL)
		pfree(claims_seen);
	claims_seen = claims ? MemoryContextStrdup(TopMemoryContext, claims) : NULL;
	claims_mode_seen = (int) JwtScopesMode();
	principal_generation++;
}

const PrincipalContext *
CurrentContext(void)
{
	/*
	 * This runs for every row a policy checks: only where the claims may
	 * name the principal is there more to look at, so the rest is called,
	 * not inlined, to keep this path free of register saves.
	 */
	if (trust_request_jwt && !IsSet(principal_setting))
		RefreshRequestClaims();
	if (unlikely(context_generation != principal_generation))
		RebuildContext();
	return &context;
}

static void
RefuseSessionPrincipal(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied to set a session-level rbac principal"),
			 errdetail_internal("%s", detail),
			 errhint("Authenticate for the transaction instead (is_local => true, the default), once per request.")));
}

static void
SetPair(const char *principal_name, const char *principal, const char *credential_name,
		const char *credential, GucAction action)
{
	(void) set_config_option(principal_name, principal, PGC_SUSET, PGC_S_SESSION, action,
							 true, 0, false);
	(void) set_config_option(credential_name, credential, PGC_SUSET, PGC_S_SESSION, action,
							 true, 0, false);
}

/*
 * A session-level principal outlives the request that set it.  Behind a
 * transaction-pooling PgBouncer or PostgREST the next request on the
 * connection may be someone else's, so only the trusted application role
 * may set one, and never where requests define principals.  Clearing one
 * is always allowed.
 */
void
SetPrincipalContext(const char *principal, const char *credential, bool is_local)
{
	const char *cred = credential ? credential : "";

	if (!is_local)
	{
		if (principal[0] != '\0' && !CurrentUserHasRole("rbac_authenticator"))
			RefuseSessionPrincipal("Only superusers and members of rbac_authenticator may set a principal for the whole session.");
		if (principal[0] != '\0' && trust_request_jwt)
			RefuseSessionPrincipal("rbac.trust_request_jwt is on, so each request's claims name its principal, and a principal left on the connection would act in later requests.");
		SetPair("rbac.session_principal", principal, "rbac.session_credential", cred, GUC_ACTION_SET);
	}
	if (principal[0] == '\0' && is_local)
		cred = CREDENTIAL_NONE;
	SetPair("rbac.principal", principal, "rbac.credential", cred, GUC_ACTION_LOCAL);
}

bool
CurrentUserHasRole(const char *rolname)
{
	Oid			role = get_role_oid(rolname, true);

	return superuser() || (OidIsValid(role) && has_privs_of_role(GetUserId(), role));
}

void
CheckMayInspectPrincipal(const char *principal)
{
	const PrincipalContext *ctx = CurrentContext();

	if (ctx->principal != NULL && strcmp(ctx->principal, principal) == 0)
		return;
	if (CurrentUserHasRole("rbac_admin"))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied to inspect the reach of principal \"%s\"", principal),
			 errdetail("Only superusers, members of rbac_admin and the principal itself may ask."),
			 errhint("Ask as the principal, or as a member of rbac_admin.")));
}

/* ----------------------------------------------------------------------
 * The credential rule
 * ---------------------------------------------------------------------- */

TimestampTz
ContextInForceUntil(const PrincipalContext *ctx)
{
	const ApiKeyInfo *key;

	if (ctx->principal == NULL)
		return DT_NOBEGIN;
	if (ctx->kind == CREDENTIAL_TOKEN)
		return ctx->token_expires;
	if (ctx->kind != CREDENTIAL_API_KEY)
		return DT_NOEND;
	key = ReachApiKey(ctx->api_key);
	return key->exists && !key->revoked ? key->expires_at : DT_NOBEGIN;
}

/* Is the credential in force at this moment? */
static bool
ContextInForce(const PrincipalContext *ctx)
{
	TimestampTz until = ContextInForceUntil(ctx);

	return until == DT_NOEND || (until != DT_NOBEGIN && GetCurrentTimestamp() < until);
}

bool
ContextAllows(const PrincipalContext *ctx, const ScopeRef *q)
{
	if (!ContextInForce(ctx))
		return false;
	if (ctx->narrowing != NULL && !ScopesetCovers(ctx->narrowing, q))
		return false;
	if (ctx->kind == CREDENTIAL_TOKEN)
		return ctx->token_scopes != NULL ? ScopesetCovers(ctx->token_scopes, q) : !ctx->authoritative;
	if (ctx->kind == CREDENTIAL_API_KEY)
	{
		const ApiKeyInfo *key = ReachApiKey(ctx->api_key);

		return key->restriction == NULL || ScopesetCovers(key->restriction, q);
	}
	return true;
}

/* The one workspace an API key reaches ("" for a key that is gone), or NULL. */
const char *
ContextKeyWorkspace(const PrincipalContext *ctx)
{
	const ApiKeyInfo *key;

	if (ctx->principal == NULL || ctx->kind != CREDENTIAL_API_KEY)
		return NULL;
	key = ReachApiKey(ctx->api_key);
	return key->exists ? key->workspace : "";
}

bool
ContextReachesWorkspace(const PrincipalContext *ctx, const char *workspace)
{
	const char *only = ContextKeyWorkspace(ctx);

	return only == NULL || strcmp(only, workspace) == 0;
}

bool
ContextReachesOrganizations(const PrincipalContext *ctx)
{
	return ctx->kind != CREDENTIAL_API_KEY;
}

/* bounds ∩ limit, where NULL bounds are unbounded. */
static Scopeset *
Bound(Scopeset *bounds, const Scopeset *limit)
{
	return bounds == NULL ? ScopesetCopy(limit) : ScopesetIntersect(bounds, limit);
}

Scopeset *
ContextBounds(const PrincipalContext *ctx, const char *workspace)
{
	Scopeset   *bounds = NULL;

	if (!ContextInForce(ctx) ||
		!(workspace ? ContextReachesWorkspace(ctx, workspace) : ContextReachesOrganizations(ctx)))
		return ScopesetBuild(NULL, 0);
	if (ctx->kind == CREDENTIAL_TOKEN && ctx->token_scopes != NULL)
		bounds = ScopesetCopy(ctx->token_scopes);
	else if (ctx->kind == CREDENTIAL_TOKEN && ctx->authoritative)
		return ScopesetBuild(NULL, 0);
	if (ctx->kind == CREDENTIAL_API_KEY && ReachApiKey(ctx->api_key)->restriction != NULL)
		bounds = Bound(bounds, ReachApiKey(ctx->api_key)->restriction);
	if (ctx->narrowing != NULL)
		bounds = Bound(bounds, ctx->narrowing);
	return bounds;
}

/* ----------------------------------------------------------------------
 * SQL-callable
 * ---------------------------------------------------------------------- */

/* The principal, or NULL when none is set or its credential is not in force. */
Datum
rbac_current_principal(PG_FUNCTION_ARGS)
{
	const PrincipalContext *ctx;

	CacheBeginCheck();
	ctx = CurrentContext();
	if (!ContextInForce(ctx))
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text_with_len(ctx->principal, ctx->len));
}

/*
 * Set the principal for the transaction or the session, as a plain
 * principal.  Only superusers and members of rbac_authenticator may.
 * NULL or '' clears it.
 */
Datum
rbac_set_principal(PG_FUNCTION_ARGS)
{
	char	   *principal = PG_ARGISNULL(0) ? "" : text_to_cstring(PG_GETARG_TEXT_PP(0));
	bool		is_local = PG_ARGISNULL(1) ? true : PG_GETARG_BOOL(1);

	if (!CurrentUserHasRole("rbac_authenticator"))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to set the rbac principal"),
				 errdetail("Only superusers and members of rbac_authenticator may set the principal."),
				 errhint("Grant rbac_authenticator to the role your application authenticates with, or authenticate with rbac.authenticate_jwt().")));

	SetPrincipalContext(principal, "", is_local);
	if (principal[0] == '\0')
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(principal));
}

/*
 * Who an administration function acts for: the current principal, whose
 * reach the gate then bounds; or, with no principal, the platform operator
 * (NULL), which only superusers and members of rbac_admin may be.  A
 * principal whose credential has lapsed acts for no one, and never falls
 * back to the operator.  Administration functions are SECURITY DEFINER, so
 * the caller is the outer user: the role the session runs as, not the
 * function's owner.
 */
Datum
rbac_actor(PG_FUNCTION_ARGS)
{
	const PrincipalContext *ctx;
	Oid			outer = GetOuterUserId();
	Oid			admin = get_role_oid("rbac_admin", true);

	CacheBeginCheck();
	ctx = CurrentContext();
	if (ctx->principal != NULL && !ContextInForce(ctx))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("the credential of principal \"%s\" is no longer in force", ctx->principal),
				 errdetail("Its token has expired, or its API key was revoked, has expired or is gone."),
				 errhint("Authenticate again with a current token or key.")));
	if (ctx->principal != NULL)
		PG_RETURN_TEXT_P(cstring_to_text_with_len(ctx->principal, ctx->len));
	if (superuser_arg(outer) || (OidIsValid(admin) && has_privs_of_role(outer, admin)))
		PG_RETURN_NULL();
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied: no principal to act for"),
			 errdetail("Administration acts for the current principal, and none is set."),
			 errhint("Set the principal first, or call as a member of rbac_admin to act as the platform operator.")));
}
