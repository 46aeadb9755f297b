/*
 * change_signal.h
 *	  How a change to the model reaches every backend's cache.
 *
 * Relcache invalidations carry it: PostgreSQL delivers them to the
 * changing transaction at its next command, to every other backend at
 * commit, to hot standbys at replay, and again locally on rollback.  A
 * change that can touch anyone's reach invalidates the signal relation
 * rbac.cache_signal, and every cache drops everything.  Narrower changes
 * send invalidations whose relation id is a signal of what they touch:
 * a change to grants, each changed principal's signal, and caches drop
 * only that principal's entries; a workspace created, deleted or moved to
 * another organization, that workspace's node signal and the listings'
 * signal.  The same signals go out once more just before commit, because
 * a commit becomes visible before PostgreSQL sends its invalidations
 * (change_signal.c, and the fences of cache.c).
 */
#ifndef RBAC_CHANGE_SIGNAL_H
#define RBAC_CHANGE_SIGNAL_H

#include "postgres.h"

/*
 * Signals have the top bit set, which relation ids in practice do not;
 * should one collide, a cache merely drops entries it could keep.  The
 * next bit tells principal signals from node signals.
 */
#define SIGNAL_BIT			((uint32) 0x80000000)
#define NODE_SIGNAL_BIT		((uint32) 0x40000000)
#define SIGNAL_HASH_MASK	((uint32) 0x3fffffff)

/* The node signal of every listing: workspaces coming and going change them. */
#define LISTING_SIGNAL		(SIGNAL_BIT | NODE_SIGNAL_BIT)

/* Send the signals early at commit, too; from _PG_init. */
extern void ChangeSignalInit(void);

/* The signal of a principal, as sent for its grants and kept in entries. */
extern uint32 PrincipalSignal(const char *principal, int len);

/* The signal of a workspace, as sent when it comes or goes. */
extern uint32 NodeSignal(const char *node, int len);

static inline bool
IsSignal(Oid relid)
{
	return (relid & SIGNAL_BIT) != 0;
}

#endif							/* RBAC_CHANGE_SIGNAL_H */
