/*
 * principal.h
 *	  Who the checks act for, and what narrows them.
 *
 * The principal and how it was authenticated live in superuser-only
 * settings (PGC_SUSET): ordinary roles cannot SET them, set_config() them or
 * attach them to a role.  Our functions set them on behalf of callers after
 * checking who may, which gives the principal PostgreSQL's own transactional
 * behaviour: a local value ends with the transaction, a rolled-back SET is
 * undone, and parallel workers receive the values the leader has.
 */
#ifndef RBAC_PRINCIPAL_H
#define RBAC_PRINCIPAL_H

#include "postgres.h"

#include "scopeset.h"

typedef enum CredentialKind
{
	CREDENTIAL_PLAIN,			/* rbac.set_principal() */
	CREDENTIAL_TOKEN,			/* a verified JWT, or trusted request claims */
	CREDENTIAL_API_KEY			/* rbac.authenticate_api_key() */
} CredentialKind;

typedef struct PrincipalContext
{
	const char *principal;		/* NULL: no principal, every check is "no" */
	int			len;
	CredentialKind kind;
	Scopeset   *token_scopes;	/* a token's scopes; NULL when it carried none */
	bool		authoritative;	/* the token's scopes are the whole reach */
	int64		api_key;		/* the key, for CREDENTIAL_API_KEY */
	Scopeset   *narrowing;		/* rbac.narrow() in this transaction, or NULL */
} PrincipalContext;

extern void PrincipalDefineSettings(void);

/*
 * The context checks act for.  Call CacheBeginCheck() first: request claims
 * are re-read once per statement, never per row.
 */
extern const PrincipalContext *CurrentContext(void);

/* Changes whenever the context does, so memos can tell. */
extern uint64 PrincipalGeneration(void);

/* Set principal and credential together, for the transaction or session. */
extern void SetPrincipalContext(const char *principal, const char *credential, bool is_local);

/* May the current database user ask about this principal's reach? */
extern void CheckMayInspectPrincipal(const char *principal);

/* Is the current database user a superuser or a member of this role? */
extern bool CurrentUserHasRole(const char *rolname);

#endif							/* RBAC_PRINCIPAL_H */
