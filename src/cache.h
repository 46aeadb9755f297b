/*
 * cache.h
 *	  The per-backend cache of what reach.c reads, and its invalidation.
 *
 * Entries are read from the rbac tables with the statement's snapshot and
 * kept per (principal, node), or per listing.  Any change to an rbac table
 * sends a relcache invalidation (change_signal.h); the callback drops the
 * cache, or only the entries of the principals or workspaces the change
 * names, so a change is seen by this transaction's next statement, by
 * other sessions once it commits, and on hot standbys once replayed.  See
 * cache.c for why an entry read under an old snapshot is never kept beyond
 * that snapshot.
 */
#ifndef RBAC_CACHE_H
#define RBAC_CACHE_H

#include "postgres.h"

#include "utils/array.h"

#include "reach.h"

/* An entry's key: a kind byte, the principal, NUL, then the node or listing. */
typedef struct CacheKey
{
	const char *data;
	int			len;
} CacheKey;

#define KEY_WORKSPACE		'w'
#define KEY_ORGANIZATION	'o'

typedef struct CacheEntry
{
	CacheKey	key;
	uint32		hash;
	char		status;			/* used by simplehash */
	bool		transient;		/* valid only under the snapshot it was read with */
	uint32		signal;			/* its principal's signal (change_signal.h) */
	uint32		node_signal;	/* its workspace's, or the listings', or 0 */

	/*
	 * Allocated apart from the entry: simplehash moves entries when it
	 * grows, and callers keep these pointers until the next drop.
	 */
	WorkspaceReach *workspace;	/* for workspace keys */
	OrganizationReach *organization;	/* for organization keys */
	ArrayType  *ids;			/* for listing keys: sorted text[] */
} CacheEntry;

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

/* Changes whenever the catalog context is reset: what was kept there is gone. */
extern uint64 CacheCatalogEpoch(void);

/* Act now on the invalidations and transaction ends taken in. */
extern void CacheFlushIfPending(void);

/* Look an entry up; NULL when it is not cached. */
extern CacheEntry *CacheFindEntry(CacheKey key);

/*
 * Insert an empty entry for data just read, dropped with its principal's
 * signal or with node_signal (0: none).  Pending invalidations act first.
 */
extern CacheEntry *CacheInsertEntry(CacheKey key, uint32 node_signal);

/* Keep an entry only for its snapshot if that snapshot may be stale. */
extern void CacheSettleFreshness(CacheEntry *entry);

/* The same for a catalog or key read, kept in the catalog context. */
extern void CacheNoteRead(void);

/* Where new entries, and the catalog and keys, are allocated. */
extern MemoryContext CacheEntryContext(void);
extern MemoryContext CacheCatalogContext(void);

#endif							/* RBAC_CACHE_H */
