/*
 * cache.h
 *	  The per-backend cache of effective reach and of the scope catalog.
 *
 * Reach is read from the rbac tables with the statement's snapshot and
 * cached per (principal, workspace) or (principal, organization).  Any
 * change to an rbac table sends a relcache invalidation (change_signal.h);
 * the callback drops the cache, or for a change to grants the entries of
 * its principals, so a change is seen by this transaction's next statement,
 * by other sessions once it commits, and on hot standbys once replayed.
 * See cache.c for why an entry read under an old snapshot is never kept
 * beyond that snapshot.
 */
#ifndef RBAC_CACHE_H
#define RBAC_CACHE_H

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

/* An API key, as the checks need it. */
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

extern void CacheInit(void);

/* The owner of the rbac tables, whose privileges reads of them use. */
extern Oid	CacheModelOwner(void);

/*
 * Call before a check: at a new statement or snapshot it takes in pending
 * invalidations, so every answer reflects what this snapshot may see.
 */
extern void CacheBeginCheck(void);

/* Changes at every statement or snapshot CacheBeginCheck() sees begin. */
extern uint64 CacheStatementStamp(void);

/* Changes whenever cached data is dropped, so memos can tell. */
extern uint64 CacheGeneration(void);

extern CatalogStatus CacheScopeStatus(const ScopeRef *q);

/* The retired scopes of the catalog. */
extern const Scopeset *CacheRetiredScopes(void);

/*
 * Reach lookups.  The result lives until the next call into the cache, so
 * use it at once and do not keep the pointer.
 */
extern const WorkspaceReach *CacheWorkspaceReach(const char *principal, int plen,
												 const char *workspace, int wlen);
extern const Scopeset *CacheOrganizationReach(const char *principal, int plen,
											  const char *organization, int olen);

/* What CacheListing() lists; see cache.c. */
typedef enum ListingKind
{
	LIST_WORKSPACES,			/* workspaces where the scope is held on the workspace */
	LIST_WORKSPACES_VIA,		/* ... or on some resource of a type there */
	LIST_RESOURCES,				/* resources of a type where a resource grant gives it */
	LIST_ALL_WORKSPACES			/* every workspace rbac knows */
} ListingKind;

/* A sorted text[] of ids, cached like reach.  See ListingKind. */
extern ArrayType *CacheListing(ListingKind kind, const char *principal, int plen,
							   const char *scope, const char *workspace, const char *type);

/* Is this a workspace rbac knows? */
extern bool CacheWorkspaceKnown(const char *workspace);

/* The API key with this id; exists is false when there is none. */
extern const ApiKeyInfo *CacheApiKey(int64 id);

/* The reach a resource grant adds on (type, id), or NULL for none. */
extern const Scopeset *ResourceReachOf(const WorkspaceReach *reach,
									   const char *type, int tlen,
									   const char *id, int idlen);

#endif							/* RBAC_CACHE_H */
