/*
 * reach.h
 *	  What a principal can reach, as read from the rbac tables: the scope
 *	  catalog, reach in a workspace or an organization, API keys, listings.
 *
 * Every read goes through the per-backend cache (cache.h), which decides
 * how long what was read may be used.  Results live until the next call
 * into reach or the cache: use them at once and do not keep the pointers
 * past the statement.
 */
#ifndef RBAC_REACH_H
#define RBAC_REACH_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "utils/array.h"

#include "scopeset.h"

/* The reach a resource grant adds on one resource. */
typedef struct ResourceReach
{
	char	   *type;			/* resource type */
	char	   *id;				/* resource id, as text */
	Scopeset   *scopes;			/* union of the resource roles held on it */
} ResourceReach;

/* A principal's reach in one workspace. */
typedef struct WorkspaceReach
{
	Scopeset   *scopes;			/* workspace grants and organization-wide workspace roles */
	int			nresources;
	ResourceReach *resources;	/* sorted by (type, id) */
} WorkspaceReach;

/* A principal's roles granted on one organization, by kind. */
typedef struct OrganizationReach
{
	Scopeset   *roles;			/* organization roles */
	Scopeset   *workspace_roles;	/* workspace roles, for all its workspaces */
} OrganizationReach;

/* An API key, as the credential rule needs it. */
typedef struct ApiKeyInfo
{
	bool		exists;
	bool		revoked;
	char	   *workspace;		/* the one workspace the key reaches */
	Scopeset   *restriction;	/* NULL: the creator's full reach there */
	TimestampTz expires_at;		/* DT_NOEND when it never expires */
} ApiKeyInfo;

/* What the catalog says about a scope name. */
typedef enum CatalogStatus
{
	CATALOG_UNKNOWN,			/* no such scope: a typo, and an error */
	CATALOG_RETIRED,			/* retired: nobody holds it */
	CATALOG_ACTIVE
} CatalogStatus;

/* What ReachListing() lists. */
typedef enum ListingKind
{
	LIST_WORKSPACES,			/* workspaces where the scope is held on the workspace */
	LIST_WORKSPACES_VIA,		/* ... or on some resource of a type there */
	LIST_RESOURCES,				/* resources of a type where a resource grant gives it */
	LIST_ALL_WORKSPACES,		/* every workspace rbac knows */
	LIST_ALL_ORGANIZATIONS,		/* every organization rbac knows */
	LIST_ORGANIZATIONS			/* organizations where an organization role gives the scope */
} ListingKind;

extern CatalogStatus ReachScopeStatus(const ScopeRef *q);

/* The retired scopes of the catalog. */
extern const Scopeset *ReachRetiredScopes(void);

extern const WorkspaceReach *ReachWorkspace(const char *principal, int plen,
											const char *workspace, int wlen);
extern const OrganizationReach *ReachOrganization(const char *principal, int plen,
												  const char *organization, int olen);

/* The reach a resource grant adds on (type, id), or NULL for none. */
extern const Scopeset *ReachOnResource(const WorkspaceReach *reach,
									   const char *type, int tlen,
									   const char *id, int idlen);

/* A sorted text[] of ids.  See ListingKind. */
extern ArrayType *ReachListing(ListingKind kind, const char *principal, int plen,
							   const char *scope, const char *workspace, const char *type);

/* Is this a workspace, or an organization, rbac knows? */
extern bool ReachWorkspaceKnown(const char *workspace);
extern bool ReachOrganizationKnown(const char *organization);

/* The API key with this id; exists is false when there is none. */
extern const ApiKeyInfo *ReachApiKey(int64 id);

#endif							/* RBAC_REACH_H */
