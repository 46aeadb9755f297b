/*
 * principal.h
 *	  Who the checks act for, how that was established, and what the
 *	  credential allows whatever the grants: the credential rule.
 *
 * The principal and its credential live in superuser-only settings
 * (PGC_SUSET): ordinary roles cannot SET them, set_config() them or attach
 * them to a role.  Our functions set them on behalf of callers after
 * checking who may, which gives the principal PostgreSQL's own
 * transactional behaviour: a local value ends with the transaction, a
 * rolled-back SET is undone, and parallel workers receive the values the
 * leader has.
 *
 * The credential rule is stated here once.  A context may use a scope only
 * while its credential is in force (a key not revoked and not expired, a
 * token not past its exp, both against the current time), only inside
 * every bound it carries (token scopes, key restriction, narrowing), and
 * an API key only in its one workspace and in no organization.  gate.c
 * combines it with the principal's grants; checks, listings and
 * administration all ask the gate.
 */
#ifndef RBAC_PRINCIPAL_H
#define RBAC_PRINCIPAL_H

#include "postgres.h"

#include "datatype/timestamp.h"

#include "scope.h"
#include "scopeset.h"

typedef enum CredentialKind
{
	CREDENTIAL_PLAIN,			/* rbac.set_principal() */
	CREDENTIAL_TOKEN,			/* a verified JWT, or trusted request claims */
	CREDENTIAL_API_KEY			/* rbac.authenticate_api_key() */
} CredentialKind;

/* Where the principal of the current transaction came from. */
typedef enum PrincipalSource
{
	SOURCE_NONE,				/* no principal: every check is "no" */
	SOURCE_TRANSACTION,			/* set for this transaction */
	SOURCE_REQUEST,				/* request.jwt.claims, trusted */
	SOURCE_SESSION				/* set for the session */
} PrincipalSource;

typedef struct PrincipalContext
{
	const char *principal;		/* NULL: no principal, every check is "no" */
	int			len;
	PrincipalSource source;
	CredentialKind kind;
	Scopeset   *token_scopes;	/* a token's scopes; NULL when it carried none */
	bool		authoritative;	/* the token's scopes are the whole reach */
	TimestampTz token_expires;	/* a token's exp plus leeway; DT_NOEND for none */
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

/*
 * Set principal and credential together, for the transaction or for the
 * session.  A session-level principal is refused unless the current user
 * may set one (superusers and rbac_authenticator) and requests do not
 * define principals (rbac.trust_request_jwt off).
 */
extern void SetPrincipalContext(const char *principal, const char *credential, bool is_local);

/* May the current database user ask about this principal's reach? */
extern void CheckMayInspectPrincipal(const char *principal);

/* Is the current database user a superuser or a member of this role? */
extern bool CurrentUserHasRole(const char *rolname);

/*
 * The credential rule.  ContextInForceUntil() is when the credential stops
 * being in force (DT_NOEND: never; at or before now: not in force).
 * ContextAllows() says whether the context may use q at all, whatever the
 * node and the grants; ContextReachesWorkspace() and
 * ContextReachesOrganizations() say which nodes it may act on.
 * ContextBounds() is the intersection of every bound at a workspace (NULL
 * for an organization): the most the context may reach there whatever its
 * grants, or NULL when nothing bounds it.
 */
extern TimestampTz ContextInForceUntil(const PrincipalContext *ctx);
extern bool ContextAllows(const PrincipalContext *ctx, const ScopeRef *q);
extern bool ContextReachesWorkspace(const PrincipalContext *ctx, const char *workspace);
extern bool ContextReachesOrganizations(const PrincipalContext *ctx);
extern const char *ContextKeyWorkspace(const PrincipalContext *ctx);
extern Scopeset *ContextBounds(const PrincipalContext *ctx, const char *workspace);

#endif							/* RBAC_PRINCIPAL_H */
