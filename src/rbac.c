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

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(rbac_in_extension_script);

void		_PG_init(void);

void
_PG_init(void)
{
	ScopesetInit();
	PrincipalDefineSettings();
	JwtDefineSettings();
	CacheInit();
	ChangeSignalInit();
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
