/*
 * cache.c
 *	  The per-backend reach cache and its invalidation.
 *
 * Correctness rests on three rules.
 *
 * 1. Any change to an rbac table fires a trigger that queues a relcache
 *	  invalidation (change_signal.h): of rbac.cache_signal, or for a change to
 *	  grants, of each changed principal's signal.  PostgreSQL delivers it to
 *	  this transaction at its next command, to other backends at commit (and
 *	  to hot standbys at replay), and again locally when a transaction or
 *	  savepoint that made the change rolls back.  Our callback then drops
 *	  every entry, or every entry of those principals.
 *
 * 2. Pending invalidations are taken in at the first check of every
 *	  statement and every new snapshot, so a change that committed before the
 *	  statement began is never answered from an older entry.
 *
 * 3. A committing transaction becomes visible to new snapshots before
 *	  PostgreSQL sends its invalidations, so writers send the same signals
 *	  once more just before commit (change_signal.c).  Receiving one raises
 *	  a "fence" for its principals (or for everything) at the next
 *	  transaction id: the sender is some transaction older than that.  An
 *	  entry read under a snapshot that does not yet see every transaction
 *	  below the fence as finished may miss the change, so it is "transient":
 *	  used only while the same snapshot is, and dropped after.  The same
 *	  covers REPEATABLE READ, whose snapshot stays old, and reads that take
 *	  in invalidations mid-statement.  Under SERIALIZABLE every entry is
 *	  transient, so each transaction reads the grants itself and takes the
 *	  predicate locks that make its decisions serializable.
 */
#include "postgres.h"

#include "access/transam.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "commands/trigger.h"
#include "common/hashfn.h"
#include "executor/executor.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "cache.h"
#include "change_signal.h"
#include "compat.h"

PG_FUNCTION_INFO_V1(rbac_cache_stats);

#define SH_PREFIX		entries
#define SH_ELEMENT_TYPE CacheEntry
#define SH_KEY_TYPE		CacheKey
#define SH_KEY			key
#define SH_HASH_KEY(tb, k) hash_bytes((const unsigned char *) (k).data, (k).len)
#define SH_EQUAL(tb, a, b) ((a).len == (b).len && memcmp((a).data, (b).data, (a).len) == 0)
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a) ((a)->hash)
#define SH_SCOPE		static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/* Identifies what a snapshot can see, for transient entries. */
typedef struct SnapshotTag
{
	bool		valid;
	TransactionId xmin;
	TransactionId xmax;
	CommandId	curcid;
	uint32		xcnt;
	int32		subxcnt;
} SnapshotTag;

/*
 * Memory: "rbac cache" holds the catalog and API key ("rbac catalog") and
 * two generations of reach entries.  New entries go to the young one; when
 * it holds half of rbac.cache_entries, the old one is dropped whole and the
 * young one becomes old.  So memory stays bounded, a hot entry is read again
 * at most once per turn, and eviction frees everything at once.
 */
typedef struct Generation
{
	MemoryContext cxt;
	entries_hash *table;
	uint32		inserted;		/* since the context was reset, dropped ones too */
} Generation;

/* Principal signals taken in and not yet acted on; more means a flush. */
#define MAX_PENDING_SIGNALS 64

/*
 * A fence: a signal received while its sender may still be committing.
 * Entries of its principal read under a snapshot that does not see every
 * transaction below "below" as finished are transient.  More principals
 * than fit, and the global fence covers them all.
 */
typedef struct Fence
{
	uint32		signal;
	TransactionId below;
} Fence;

#define MAX_FENCES 64

static MemoryContext cache_context = NULL;
static MemoryContext catalog_context = NULL;
static Generation generations[2];
static int	young = 0;
static int	cache_entries = 10000;
static int	ntransient = 0;
static bool catalog_transient = false;

static bool cache_enabled = true;
static uint64 generation = 1;
static uint64 catalog_epoch = 1;
static bool flush_pending = false;
static uint32 pending_signals[MAX_PENDING_SIGNALS];
static int	npending = 0;
static bool drop_transient = false;
static Fence fences[MAX_FENCES];
static int	nfences = 0;
static TransactionId global_fence = InvalidTransactionId;
static LocalTransactionId invalidated_in_lxid = InvalidLocalTransactionId;
static CommandId invalidated_at_cid = InvalidCommandId;
static Oid	signal_relid = InvalidOid;
static Oid	model_owner = InvalidOid;

static bool started = false;
static uint64 statement_serial = 0;
static uint64 seen_serial = 0;
static SnapshotTag seen_snapshot;
static uint64 statement_stamp = 0;

static uint64 stat_hits = 0;
static uint64 stat_misses = 0;
static uint64 stat_invalidations = 0;
static uint64 stat_evictions = 0;

static ExecutorStart_hook_type prev_executor_start = NULL;

static void LetGoOfSnapshot(void);

/*
 * The next transaction id: every transaction that could have sent a signal
 * just received is older.
 */
static TransactionId
NextXid(void)
{
	return XidFromFullTransactionId(ReadNextFullTransactionId());
}

/*
 * Forget fences that every snapshot of this backend passes: all of this
 * backend's snapshots, and all it will take, are no older than its xmin,
 * and every transaction below that had finished when they were taken.
 */
static void
PruneFences(void)
{
	TransactionId xmin = MyProc->xmin;
	int			kept = 0;

	if (!TransactionIdIsValid(xmin))
		return;
	for (int i = 0; i < nfences; i++)
		if (TransactionIdPrecedes(xmin, fences[i].below))
			fences[kept++] = fences[i];
	nfences = kept;
	if (TransactionIdIsValid(global_fence) && !TransactionIdPrecedes(xmin, global_fence))
		global_fence = InvalidTransactionId;
}

static void
RaiseFence(uint32 signal, TransactionId below)
{
	for (int i = 0; i < nfences; i++)
	{
		if (fences[i].signal == signal)
		{
			fences[i].below = below;
			return;
		}
	}
	if (nfences == MAX_FENCES)
		PruneFences();
	if (nfences == MAX_FENCES)
	{
		global_fence = below;
		return;
	}
	fences[nfences].signal = signal;
	fences[nfences++].below = below;
}

static TransactionId
FenceOf(uint32 signal)
{
	for (int i = 0; i < nfences; i++)
		if (fences[i].signal == signal)
			return fences[i].below;
	return InvalidTransactionId;
}

/* Remember a principal's signal; too many, and the cache will be flushed. */
static void
NoteSignal(uint32 signal)
{
	for (int i = 0; i < npending; i++)
		if (pending_signals[i] == signal)
			return;
	if (npending < MAX_PENDING_SIGNALS)
		pending_signals[npending++] = signal;
	else
		flush_pending = true;
}

/*
 * An invalidation of a principal's signal, or of the signal relation (or
 * of everything).  Until this backend has looked the signal relation up,
 * any relation may be it: nothing is cached yet, but the first read may
 * use a snapshot older than a change whose signal came in meanwhile, so
 * the fence must go up all the same.
 */
static void
RelcacheCallback(Datum arg, Oid relid)
{
	if (IsSignal(relid))
	{
		NoteSignal((uint32) relid);
		RaiseFence((uint32) relid, NextXid());
	}
	else if (relid == InvalidOid || relid == signal_relid || !OidIsValid(signal_relid))
	{
		flush_pending = true;
		global_fence = NextXid();
	}
	else
		return;
	if (IsTransactionState())
	{
		invalidated_in_lxid = PGPROC_LXID(MyProc);
		invalidated_at_cid = GetCurrentCommandId(false);
	}
	stat_invalidations++;
}

static void
EndOfTransaction(XactEvent event, void *arg)
{
	/* Transient reads never outlive the transaction that made them. */
	LetGoOfSnapshot();
}

static void
ExecutorStartHook(QueryDesc *queryDesc, int eflags)
{
	statement_serial++;
	if (prev_executor_start)
		prev_executor_start(queryDesc, eflags);
	else
		standard_ExecutorStart(queryDesc, eflags);
}

void
CacheInit(void)
{
	DefineCustomIntVariable("rbac.cache_entries",
							"The most (principal, node) reach entries a backend caches.",
							"When full, the older half is dropped.",
							&cache_entries, 10000, 16, 10000000, PGC_USERSET, 0,
							NULL, NULL, NULL);
	DefineCustomBoolVariable("rbac.cache",
							 "Caches each principal's reach between checks.",
							 "With off, every check reads the rbac tables; the answers are the same.",
							 &cache_enabled,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);
	CacheRegisterRelcacheCallback(RelcacheCallback, (Datum) 0);
	RegisterXactCallback(EndOfTransaction, NULL);
	prev_executor_start = ExecutorStart_hook;
	ExecutorStart_hook = ExecutorStartHook;
}

uint64
CacheStatementStamp(void)
{
	return statement_stamp;
}

uint64
CacheGeneration(void)
{
	return generation;
}

uint64
CacheCatalogEpoch(void)
{
	return catalog_epoch;
}

static void
Flush(void)
{
	if (cache_context != NULL)
	{
		MemoryContextReset(catalog_context);
		for (int g = 0; g < 2; g++)
		{
			MemoryContextReset(generations[g].cxt);
			generations[g].table = NULL;
			generations[g].inserted = 0;
		}
	}
	catalog_epoch++;
	ntransient = 0;
	catalog_transient = false;
	drop_transient = false;
	flush_pending = false;
	npending = 0;
	generation++;
}

static bool
IsPending(uint32 signal)
{
	for (int i = 0; i < npending; i++)
		if (pending_signals[i] == signal)
			return true;
	return false;
}

/*
 * Drop the entries of the signalled principals, and transient ones whose
 * snapshot is gone.  Their memory stays in its generation until that is
 * dropped: inserts, not members, decide when.
 */
static void
DropEntries(void)
{
	for (int g = 0; g < 2; g++)
	{
		entries_iterator it;
		CacheEntry *entry;

		if (generations[g].table == NULL)
			continue;
		entries_start_iterate(generations[g].table, &it);
		while ((entry = entries_iterate(generations[g].table, &it)) != NULL)
			if ((drop_transient && entry->transient) || IsPending(entry->signal) ||
				(entry->node_signal != 0 && IsPending(entry->node_signal)))
				entries_delete_item(generations[g].table, entry);
	}
	if (drop_transient)
		ntransient = 0;
	drop_transient = false;
	npending = 0;
	generation++;
}

/* Act now on the invalidations and transaction ends taken in. */
void
CacheFlushIfPending(void)
{
	if (flush_pending)
		Flush();
	else if (npending > 0 || drop_transient)
		DropEntries();
}

/* The snapshot that transient reads were made under is done with. */
static void
LetGoOfSnapshot(void)
{
	if (catalog_transient)
		flush_pending = true;
	else if (ntransient > 0)
		drop_transient = true;
}

static inline SnapshotTag
TagOf(Snapshot snap)
{
	SnapshotTag tag = {0};

	if (snap == NULL)
		return tag;
	tag.valid = true;
	tag.xmin = snap->xmin;
	tag.xmax = snap->xmax;
	tag.curcid = snap->curcid;
	tag.xcnt = snap->xcnt;
	tag.subxcnt = snap->suboverflowed ? -1 : snap->subxcnt;
	return tag;
}

static inline bool
TagEqual(const SnapshotTag *a, const SnapshotTag *b)
{
	return a->valid && b->valid && a->xmin == b->xmin && a->xmax == b->xmax &&
		a->curcid == b->curcid && a->xcnt == b->xcnt && a->subxcnt == b->subxcnt;
}

static Snapshot
CurrentSnapshot(void)
{
	return ActiveSnapshotSet() ? GetActiveSnapshot() : NULL;
}

/*
 * Does the snapshot still show what the tag says?  The same test as
 * TagEqual(TagOf(snap), tag), without building a tag for every row.
 */
static inline bool
SnapshotMatches(Snapshot snap, const SnapshotTag *tag)
{
	return snap != NULL && tag->valid && tag->xmin == snap->xmin && tag->xmax == snap->xmax &&
		tag->curcid == snap->curcid && tag->xcnt == snap->xcnt &&
		tag->subxcnt == (snap->suboverflowed ? -1 : (int32) snap->subxcnt);
}

/* A new statement or snapshot: what the last one saw may no longer stand. */
static pg_noinline void
BeginStatement(Snapshot snap)
{
	SnapshotTag tag = TagOf(snap);

	/*
	 * Signals that came in before this library was loaded never reached
	 * us: any transaction that exists now may have sent one.
	 */
	if (unlikely(!started))
	{
		global_fence = NextXid();
		started = true;
	}
	if (!TagEqual(&tag, &seen_snapshot))
	{
		LetGoOfSnapshot();
		if (nfences > 0 || TransactionIdIsValid(global_fence))
			PruneFences();
	}
	seen_serial = statement_serial;
	seen_snapshot = tag;
	statement_stamp++;
	AcceptInvalidationMessages();
}

/*
 * Runs for every row a policy checks; the common case, the statement and
 * snapshot of the last call and nothing pending, is kept a short leaf.
 */
void
CacheBeginCheck(void)
{
	Snapshot	snap = CurrentSnapshot();

	if (unlikely(statement_serial != seen_serial || !SnapshotMatches(snap, &seen_snapshot)))
		BeginStatement(snap);
	if (unlikely(!cache_enabled))
		flush_pending = true;
	if (unlikely(flush_pending || npending > 0 || drop_transient))
		CacheFlushIfPending();
}

/*
 * Transactions a fence scan looks at past a snapshot's xmax; more, and the
 * snapshot is taken to miss something.
 */
#define MAX_UNSEEN_SCAN 64

/* How many other transactions are committing changes to the model now. */
static int
WritersAtWork(void)
{
	LOCKTAG		tag;
	int			count;

	SET_LOCKTAG_RELATION(tag, MyDatabaseId, signal_relid);
	pfree(GetLockConflicts(&tag, ShareLock, &count));
	return count;
}

/*
 * Might x, a transaction that a snapshot does not see as finished, have
 * made a change whose signal came in before the fence went up?  If x has
 * finished since, it may have.  If it is still running, only if it is
 * committing a change to the model: from just before it sends its early
 * signals until its commit has sent the real ones, a writer holds a lock on
 * the signal relation (change_signal.c).  So a long transaction, or one
 * that changed the model and sits idle before committing, keeps nothing
 * from the cache.  A standby holds no such locks and cannot tell.
 *
 * The writers are counted before x is looked for, never after.  A
 * committing writer leaves the proc array before it sends its real signals
 * and lets go of the lock, and from then on GetLockConflicts() skips it,
 * as its virtual transaction id is gone.  Asked the other way round, x
 * could be seen running, then commit, and then not be counted, and an
 * entry read without its change would be kept.  Counted first, a writer
 * whose early signals are out is either counted or seen as finished.
 * *writers caches the count for one scan; -1 before it is known.
 */
static bool
MayHideChange(TransactionId x, int *writers)
{
	if (*writers < 0)
		*writers = RecoveryInProgress() ? 1 : WritersAtWork();
	return *writers > 0 || !TransactionIdIsInProgress(x);
}

/*
 * Does snap see every change behind a fence?  It does unless some
 * transaction below the fence is one snap does not see as finished, and
 * may hide a change.  An overflowed list of subtransactions cannot tell.
 */
static bool
SnapshotPassesFence(Snapshot snap, TransactionId below, int *writers)
{
	if (!TransactionIdIsValid(below))
		return true;
	if (snap->suboverflowed)
		return false;
	for (uint32 i = 0; i < snap->xcnt; i++)
		if (TransactionIdPrecedes(snap->xip[i], below) && MayHideChange(snap->xip[i], writers))
			return false;
	for (int32 i = 0; i < snap->subxcnt; i++)
		if (TransactionIdPrecedes(snap->subxip[i], below) && MayHideChange(snap->subxip[i], writers))
			return false;
	if (!TransactionIdPrecedes(snap->xmax, below))
		return true;
	if (below - snap->xmax > MAX_UNSEEN_SCAN)
		return false;
	for (TransactionId x = snap->xmax; TransactionIdPrecedes(x, below);)
	{
		if (MayHideChange(x, writers))
			return false;
		TransactionIdAdvance(x);
	}
	return true;
}

/*
 * May what snap read about a principal and a node (signal 0: none; both 0:
 * the catalog and keys) outlive snap?  Not under SERIALIZABLE, where each
 * transaction must read the grants itself to take its predicate locks; not
 * before snap's command id has passed a change this transaction made; and
 * not when snap may miss the change behind a fence.
 */
static bool
SnapshotIsFresh(Snapshot snap, uint32 signal, uint32 node_signal)
{
	int			writers = -1;

	if (snap == NULL || IsolationIsSerializable())
		return false;
	if (invalidated_in_lxid == PGPROC_LXID(MyProc) && snap->curcid < invalidated_at_cid)
		return false;
	return SnapshotPassesFence(snap, global_fence, &writers) &&
		(signal == 0 || SnapshotPassesFence(snap, FenceOf(signal), &writers)) &&
		(node_signal == 0 || SnapshotPassesFence(snap, FenceOf(node_signal), &writers));
}

/*
 * A catalog or key read just now: if its snapshot may miss a change we were
 * told of, it must not outlive the snapshot either.
 */
void
CacheNoteRead(void)
{
	if (!SnapshotIsFresh(CurrentSnapshot(), 0, 0))
		catalog_transient = true;
}

/*
 * Find the signal relation and the owner of the model, whose privileges the
 * cache reads with: the caller usually cannot read rbac.grants itself.
 */
static void
ResolveModel(void)
{
	Oid			nsp = get_namespace_oid("rbac", false);
	HeapTuple	tup;

	signal_relid = get_relname_relid("cache_signal", nsp);
	if (!OidIsValid(signal_relid))
		elog(ERROR, "relation rbac.cache_signal is missing");
	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(signal_relid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for relation %u", signal_relid);
	model_owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
}

Oid
CacheModelOwner(void)
{
	ResolveModel();
	return model_owner;
}

static void
CreateContexts(void)
{
	cache_context = AllocSetContextCreate(CacheMemoryContext, "rbac cache",
										  ALLOCSET_DEFAULT_SIZES);
	catalog_context = AllocSetContextCreate(cache_context, "rbac catalog",
											ALLOCSET_SMALL_SIZES);
	for (int g = 0; g < 2; g++)
	{
		generations[g].cxt = AllocSetContextCreate(cache_context, "rbac reach",
												   ALLOCSET_DEFAULT_SIZES);
		generations[g].table = NULL;
	}
}

/* Where the catalog and API keys live: dropped only by a flush. */
MemoryContext
CacheCatalogContext(void)
{
	if (cache_context == NULL)
		CreateContexts();
	return catalog_context;
}

/* Where new reach entries live. */
MemoryContext
CacheEntryContext(void)
{
	if (cache_context == NULL)
		CreateContexts();
	return generations[young].cxt;
}

CacheEntry *
CacheFindEntry(CacheKey key)
{
	CacheEntry *entry = NULL;

	CacheFlushIfPending();
	for (int i = 0; i < 2 && entry == NULL; i++)
	{
		entries_hash *table = generations[(young + i) % 2].table;

		entry = table ? entries_lookup(table, key) : NULL;
	}
	if (entry != NULL)
		stat_hits++;
	else
		stat_misses++;
	return entry;
}

static uint32
GenerationMembers(int g)
{
	return generations[g].table ? generations[g].table->members : 0;
}

static int
CacheEntryCount(void)
{
	return (int) (GenerationMembers(0) + GenerationMembers(1));
}

/*
 * Drop a generation whole.  Memos may point into its entries, so the
 * generation number changes.
 */
static void
DropGeneration(int g)
{
	MemoryContextReset(generations[g].cxt);
	generations[g].table = NULL;
	generations[g].inserted = 0;
	generation++;
	stat_evictions++;
}

/*
 * Insert an entry for data just read.  Invalidations taken in during the
 * read are acted on first, so nothing is built in memory about to be reset.
 */
CacheEntry *
CacheInsertEntry(CacheKey key, uint32 node_signal)
{
	CacheEntry *entry;
	MemoryContext old;
	bool		found;
	uint32		half = (uint32) Max(cache_entries / 2, 1);

	CacheFlushIfPending();
	/* The young generation is full: drop the old one and start anew. */
	if (generations[young].inserted >= half)
	{
		DropGeneration(1 - young);
		young = 1 - young;
	}
	/* rbac.cache_entries may have been lowered since the old one filled. */
	if (generations[1 - young].inserted > half)
		DropGeneration(1 - young);
	if (generations[young].table == NULL)
		generations[young].table = entries_create(CacheEntryContext(), 64, NULL);
	old = MemoryContextSwitchTo(CacheEntryContext());
	key.data = memcpy(palloc(key.len), key.data, key.len);
	entry = entries_insert(generations[young].table, key, &found);
	MemoryContextSwitchTo(old);
	generations[young].inserted++;
	/* Every key starts with a kind byte and the principal, NUL-terminated. */
	entry->signal = PrincipalSignal(key.data + 1, strlen(key.data + 1));
	entry->node_signal = node_signal;
	entry->transient = false;
	entry->workspace = NULL;
	entry->organization = NULL;
	entry->ids = NULL;
	return entry;
}

/* Mark an entry just read as transient if its snapshot is not fresh. */
void
CacheSettleFreshness(CacheEntry *entry)
{
	if (!SnapshotIsFresh(CurrentSnapshot(), entry->signal, entry->node_signal))
	{
		entry->transient = true;
		ntransient++;
	}
}

Datum
rbac_cache_stats(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[7];
	bool		nulls[7] = {false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	CacheFlushIfPending();
	values[0] = Int64GetDatum((int64) CacheEntryCount());
	values[1] = Int64GetDatum((int64) stat_hits);
	values[2] = Int64GetDatum((int64) stat_misses);
	values[3] = Int64GetDatum((int64) stat_invalidations);
	values[4] = Int64GetDatum((int64) stat_evictions);
	values[5] = Int64GetDatum(cache_context ? (int64) MemoryContextMemAllocated(cache_context, true) : 0);
	values[6] = Int32GetDatum(cache_entries);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
