/*
 * principal.c
 *	  The principal context: settings, rbac.set_principal(),
 *	  rbac.current_principal() and rbac.actor().
 *
 * Three superuser-only settings hold it:
 *	 rbac.principal    the principal's id;
 *	 rbac.credential   how it was authenticated: empty for a plain principal,
 *	                   "token<TAB>narrow|authoritative<TAB>principal<TAB>scopes"
 *	                   or "key<TAB>id<TAB>principal";
 *	 rbac.narrowing    the scopes rbac.narrow() left in this transaction.
 * A credential names the principal it belongs to.  If the two disagree,
 * say after a superuser SET rbac.principal by hand, there is no principal:
 * a narrowing must never be lost by accident.
 *
 * With rbac.trust_request_jwt on and no principal set, the principal comes
 * from PostgREST's request.jwt.claims, read once per statement.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"

#include "cache.h"
#include "jwt.h"
#include "principal.h"

PG_FUNCTION_INFO_V1(rbac_current_principal);
PG_FUNCTION_INFO_V1(rbac_set_principal);
PG_FUNCTION_INFO_V1(rbac_actor);

static char *principal_setting = NULL;
static char *credential_setting = NULL;
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
	DefineInternal("rbac.principal", "The principal that rbac checks act for.",
				   &principal_setting, 0);
	DefineInternal("rbac.credential", "How the rbac principal was authenticated.",
				   &credential_setting, 0);
	DefineInternal("rbac.narrowing", "The scopes rbac.narrow() left in this transaction.",
				   &narrowing_setting, GUC_NO_RESET_ALL);
	DefineCustomBoolVariable("rbac.trust_request_jwt",
							 "Takes the principal from request.jwt.claims when none is set.",
							 "Turn it on behind PostgREST, which verifies the token; any role can set request.jwt.claims.",
							 &trust_request_jwt, false, PGC_SUSET, 0,
							 NULL, AssignTrust, NULL);
}

uint64
PrincipalGeneration(void)
{
	return principal_generation;
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

/* Fill the context from rbac.credential; false when it does not belong. */
static bool
ReadCredential(const char *principal)
{
	char	   *fields[4];
	int			n;

	if (credential_setting == NULL || credential_setting[0] == '\0')
		return true;
	n = SplitFields(pstrdup(credential_setting), fields, 4);
	if (n == 4 && strcmp(fields[0], "token") == 0 && strcmp(fields[2], principal) == 0)
	{
		context.kind = CREDENTIAL_TOKEN;
		context.authoritative = strcmp(fields[1], "authoritative") == 0;
		context.token_scopes = strcmp(fields[3], "-") == 0 ? NULL : ParseScopes(fields[3]);
		return true;
	}
	if (n == 3 && strcmp(fields[0], "key") == 0 && strcmp(fields[2], principal) == 0)
	{
		context.kind = CREDENTIAL_API_KEY;
		context.api_key = pg_strtoint64(fields[1]);
		return true;
	}
	return false;
}

/* Take the principal from request.jwt.claims, which PostgREST verified. */
static void
ReadRequestClaims(void)
{
	TokenClaims claims;

	if (claims_seen == NULL || !ClaimsRead(claims_seen, strlen(claims_seen), &claims))
		return;
	context.principal = claims.subject;
	context.len = (int) strlen(claims.subject);
	context.kind = CREDENTIAL_TOKEN;
	context.token_scopes = claims.scopes;
	context.authoritative = claims_mode_seen == TOKEN_SCOPES_AUTHORITATIVE;
}

static void
RebuildContext(void)
{
	MemoryContext old;

	if (context_cxt == NULL)
		context_cxt = AllocSetContextCreate(TopMemoryContext, "rbac principal",
											ALLOCSET_SMALL_SIZES);
	MemoryContextReset(context_cxt);
	old = MemoryContextSwitchTo(context_cxt);
	memset(&context, 0, sizeof(context));
	if (principal_setting != NULL && principal_setting[0] != '\0')
	{
		context.principal = pstrdup(principal_setting);
		context.len = (int) strlen(principal_setting);
		if (!ReadCredential(context.principal))
			context.principal = NULL;
	}
	else if (trust_request_jwt)
		ReadRequestClaims();
	if (narrowing_setting != NULL && narrowing_setting[0] != '\0')
		context.narrowing = ParseScopes(narrowing_setting);
	MemoryContextSwitchTo(old);
	context_generation = principal_generation;
}

/* Notice new request claims, at most once per statement. */
static void
RefreshRequestClaims(void)
{
	const char *claims;

	if (!trust_request_jwt || (principal_setting != NULL && principal_setting[0] != '\0') ||
		claims_stamp == CacheStatementStamp())
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
	RefreshRequestClaims();
	if (context_generation != principal_generation)
		RebuildContext();
	return &context;
}

void
SetPrincipalContext(const char *principal, const char *credential, bool is_local)
{
	GucAction	action = is_local ? GUC_ACTION_LOCAL : GUC_ACTION_SET;

	(void) set_config_option("rbac.principal", principal ? principal : "", PGC_SUSET,
							 PGC_S_SESSION, action, true, 0, false);
	(void) set_config_option("rbac.credential", credential ? credential : "", PGC_SUSET,
							 PGC_S_SESSION, action, true, 0, false);
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

Datum
rbac_current_principal(PG_FUNCTION_ARGS)
{
	const PrincipalContext *ctx;

	CacheBeginCheck();
	ctx = CurrentContext();
	if (ctx->principal == NULL)
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
 * reach it then checks; or, with no principal, the platform operator (NULL),
 * which only superusers and members of rbac_admin may be.  Administration
 * functions are SECURITY DEFINER, so the caller is the outer user: the role
 * the session runs as, not the function's owner.
 */
Datum
rbac_actor(PG_FUNCTION_ARGS)
{
	const PrincipalContext *ctx;
	Oid			outer = GetOuterUserId();
	Oid			admin = get_role_oid("rbac_admin", true);

	CacheBeginCheck();
	ctx = CurrentContext();
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
