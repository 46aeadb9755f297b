/*
 * principal.h
 *	  Who the checks act for.
 *
 * The principal lives in the setting rbac.principal, which is superuser-only
 * (PGC_SUSET): ordinary roles cannot SET it, set_config() it or attach it to
 * a role, and rbac.set_principal() sets it on behalf of trusted callers.  A
 * setting gives the principal PostgreSQL's own transactional behaviour: a
 * local value ends with the transaction, and a rolled-back SET is undone.
 */
#ifndef RBAC_PRINCIPAL_H
#define RBAC_PRINCIPAL_H

#include "postgres.h"

extern void PrincipalDefineSettings(void);

/* The current principal, or NULL; *len gets its length. */
extern const char *CurrentPrincipal(int *len);

/* Changes whenever the principal does, so memos can tell. */
extern uint64 PrincipalGeneration(void);

/* May the current database user ask about this principal's reach? */
extern void CheckMayInspectPrincipal(const char *principal);

/* Is the current database user a superuser or a member of this role? */
extern bool CurrentUserHasRole(const char *rolname);

#endif							/* RBAC_PRINCIPAL_H */
