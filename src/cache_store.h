/*
 * cache_store.h
 *	  How reach.c stores what it reads in the cache (cache.c); internal.
 */
#ifndef RBAC_CACHE_STORE_H
#define RBAC_CACHE_STORE_H

#include "postgres.h"

#include "cache.h"

typedef struct ReachKey
{
	const char *data;			/* kind byte, principal, NUL, node id */
	int			len;
} ReachKey;

typedef struct ReachEntry
{
	ReachKey	key;
	uint32		hash;
	char		status;			/* used by simplehash */
	bool		transient;		/* valid only under the snapshot it was read with */
	uint32		signal;			/* its principal's signal (change_signal.h) */
	/*
	 * Allocated apart from the entry: simplehash moves entries when it
	 * grows, and callers keep these pointers until the next flush.
	 */
	WorkspaceReach *workspace;	/* for workspace keys */
	Scopeset   *organization;	/* for organization keys */
	ArrayType  *ids;			/* for listing keys: sorted text[] */
} ReachEntry;

#define KEY_WORKSPACE		'w'
#define KEY_ORGANIZATION	'o'

/* Look an entry up in either generation. */
extern ReachEntry *CacheFindEntry(ReachKey key);

/* Insert an empty entry for data just read; pending invalidations act first. */
extern ReachEntry *CacheInsertEntry(ReachKey key);

/* Keep an entry only for its snapshot if that snapshot may be stale. */
extern void CacheSettleFreshness(ReachEntry *entry);

/* The same for a catalog or key read. */
extern void CacheNoteRead(void);

extern void CacheFlushIfPending(void);

/* Where new entries, and the catalog and keys, are allocated. */
extern MemoryContext CacheEntryContext(void);
extern MemoryContext CacheCatalogContext(void);

/* reach.c: the cache was dropped; forget pointers into it. */
extern void ReachForget(void);

#endif							/* RBAC_CACHE_STORE_H */
