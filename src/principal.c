/*
 * principal.c
 *	  The principal setting, rbac.set_principal() and rbac.current_principal().
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "principal.h"

PG_FUNCTION_INFO_V1(rbac_current_principal);
PG_FUNCTION_INFO_V1(rbac_set_principal);
PG_FUNCTION_INFO_V1(rbac_actor);

static char *principal_setting = NULL;
static int	principal_length = 0;
static uint64 principal_generation = 0;

/* Runs for every change, including the undoing of a rolled-back SET. */
static void
AssignPrincipal(const char *newval, void *extra)
{
	principal_length = newval ? (int) strlen(newval) : 0;
	principal_generation++;
}

void
PrincipalDefineSettings(void)
{
	DefineCustomStringVariable("rbac.principal",
							   "The principal that rbac checks act for.",
							   "Set it with rbac.set_principal(); only superusers may SET it directly.",
							   &principal_setting,
							   "",
							   PGC_SUSET,
							   GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE | GUC_DISALLOW_IN_FILE,
							   NULL, AssignPrincipal, NULL);
}

const char *
CurrentPrincipal(int *len)
{
	if (principal_setting == NULL || principal_length == 0)
		return NULL;
	*len = principal_length;
	return principal_setting;
}

uint64
PrincipalGeneration(void)
{
	return principal_generation;
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
	int			len;
	const char *current = CurrentPrincipal(&len);

	if (current != NULL && strcmp(current, principal) == 0)
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
	int			len;
	const char *principal = CurrentPrincipal(&len);

	if (principal == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text_with_len(principal, len));
}

/*
 * Set the principal for the transaction or the session.  The setting is
 * superuser-only, so this function checks the caller and then sets it at
 * superuser level on the caller's behalf.  NULL or '' clears it.
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
				 errhint("Grant rbac_authenticator to the role your application authenticates with.")));

	(void) set_config_option("rbac.principal", principal, PGC_SUSET, PGC_S_SESSION,
							 is_local ? GUC_ACTION_LOCAL : GUC_ACTION_SET,
							 true, 0, false);
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
	int			len;
	const char *principal = CurrentPrincipal(&len);
	Oid			outer = GetOuterUserId();
	Oid			admin = get_role_oid("rbac_admin", true);

	if (principal != NULL)
		PG_RETURN_TEXT_P(cstring_to_text_with_len(principal, len));
	if (superuser_arg(outer) || (OidIsValid(admin) && has_privs_of_role(outer, admin)))
		PG_RETURN_NULL();
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied: no principal to act for"),
			 errdetail("Administration acts for the current principal, and none is set."),
			 errhint("Set the principal first, or call as a member of rbac_admin to act as the platform operator.")));
}
