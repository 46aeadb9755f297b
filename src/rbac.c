/*
 * rbac.c
 *	  Module initialisation, and what the install scripts ask of C.
 */
#include "postgres.h"

#include "commands/extension.h"
#include "fmgr.h"
#include "utils/guc.h"

#include "cache.h"
#include "change_signal.h"
#include "jwt.h"
#include "principal.h"
#include "scopeset.h"
#include "support.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(rbac_in_extension_script);

void		_PG_init(void);

static bool self_service = false;

/*
 * Governance settings that the SQL functions read.  Off, only the operator
 * creates organizations and workspaces outside an organization, so no one
 * can claim an id that application data already uses.
 */
static void
DefineGovernanceSettings(void)
{
	DefineCustomBoolVariable("rbac.self_service",
							 "Lets principals create organizations and workspaces outside an organization.",
							 "Off, only the platform operator does; principals create workspaces in organizations where they hold org.workspaces.create.",
							 &self_service, false, PGC_SUSET, 0, NULL, NULL, NULL);
}

void
_PG_init(void)
{
	ScopesetInit();
	PrincipalDefineSettings();
	JwtDefineSettings();
	CacheInit();
	ChangeSignalInit();
	DefineGovernanceSettings();
	SupportDefineSettings();
	MarkGUCPrefixReserved("rbac");
}

/*
 * True only while this extension's own CREATE or ALTER EXTENSION script
 * runs: the one context allowed to change built-in rows.
 */
Datum
rbac_in_extension_script(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(creating_extension &&
				   CurrentExtensionObject == get_extension_oid("rbac", true));
}
