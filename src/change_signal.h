/*
 * change_signal.h
 *	  How a change to the model reaches every backend's cache.
 *
 * Relcache invalidations carry it: PostgreSQL delivers them to the
 * changing transaction at its next command, to every other backend at
 * commit, to hot standbys at replay, and again locally on rollback.  A
 * change that can touch anyone's reach invalidates the signal relation
 * rbac.cache_signal, and every cache drops everything.  A change to grants
 * touches only the principals of its rows: it sends, for each, an
 * invalidation whose relation id is the principal's signal, and caches
 * drop only that principal's entries.  The same signals go out once more
 * just before commit, because a commit becomes visible before PostgreSQL
 * sends its invalidations (change_signal.c, and the fences of cache.c).
 */
#ifndef RBAC_CHANGE_SIGNAL_H
#define RBAC_CHANGE_SIGNAL_H

#include "postgres.h"

/*
 * Principal signals have the top bit set, which relation ids in practice
 * do not; should one collide, a cache merely drops entries it could keep.
 */
#define PRINCIPAL_SIGNAL_BIT	((uint32) 0x80000000)

/* Send the signals early at commit, too; from _PG_init. */
extern void ChangeSignalInit(void);

/* The signal of a principal, as sent for its grants and kept in entries. */
extern uint32 PrincipalSignal(const char *principal, int len);

static inline bool
IsPrincipalSignal(Oid relid)
{
	return (relid & PRINCIPAL_SIGNAL_BIT) != 0;
}

#endif							/* RBAC_CHANGE_SIGNAL_H */
