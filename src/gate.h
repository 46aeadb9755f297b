/*
 * gate.h
 *	  The gate: what an acting context may do at a node.
 *
 * At a workspace, a resource in it, or an organization, a context may do
 * what its person's grants reach there, intersected with every bound of its
 * credential (principal.h): token scopes, an API key's workspace and
 * restriction, a narrowing.  An authoritative token's scopes replace the
 * grants, in nodes rbac knows.  A retired scope is held by no one.
 *
 * Every check and every administration path asks the gate: has_scope()
 * one scope at a time (GateWorkspace, GateOrganization), administration the
 * whole reach as a set (rbac.actor_reach() and friends, GateWorkspaceReach,
 * GateOrganizationReach).  The two forms agree: a scope passes the first
 * exactly when the second covers it.
 */
#ifndef RBAC_GATE_H
#define RBAC_GATE_H

#include "postgres.h"

#include "principal.h"
#include "reach.h"
#include "scopeset.h"

/* What a context may do with one scope at a workspace. */
typedef struct GateAnswer
{
	bool		holds;			/* on the workspace itself */
	const WorkspaceReach *resources;	/* resource grants there that may give it */
} GateAnswer;

extern GateAnswer GateWorkspace(const PrincipalContext *ctx, const ScopeRef *q,
								const char *workspace, int wlen);

/* After GateWorkspace: does a resource grant give q on (type, id)? */
extern bool GateOnResource(const GateAnswer *answer, const ScopeRef *q,
						   const char *type, int tlen, const char *id, int idlen);

extern bool GateOrganization(const PrincipalContext *ctx, const ScopeRef *q,
							 const char *organization, int olen);

/*
 * The same as sets.  Resource type and id may be NULL; kind is the kind of
 * role granted on the organization: "organization" or "workspace".
 */
extern Scopeset *GateWorkspaceReach(const PrincipalContext *ctx, const char *workspace,
									const char *type, const char *id);
extern Scopeset *GateOrganizationReach(const PrincipalContext *ctx, const char *organization,
									   const char *kind);

/* A person's own reach, whatever any credential: for access review. */
extern Scopeset *PersonWorkspaceReach(const char *principal, const char *workspace,
									  const char *type, const char *id);

#endif							/* RBAC_GATE_H */
