/*
 * cache.c
 *	  The per-backend reach cache and its invalidation.
 *
 * Correctness rests on three rules.
 *
 * 1. Any change to an rbac table fires a statement trigger that queues a
 *	  relcache invalidation of rbac.cache_signal.  PostgreSQL delivers it to
 *	  this transaction at its next command, to other backends at commit (and
 *	  to hot standbys at replay), and again locally when a transaction or
 *	  savepoint that made the change rolls back.  Our callback then drops
 *	  every entry.
 *
 * 2. Pending invalidations are taken in at the first check of every
 *	  statement and every new snapshot, so a change that committed before the
 *	  statement began is never answered from an older entry.
 *
 * 3. An entry read under a snapshot that may not see a change we were
 *	  already told of (REPEATABLE READ keeps its first snapshot; a read can
 *	  take in invalidations mid-statement) is "transient": it is used only
 *	  while the same snapshot is, and dropped after.  Whether a snapshot sees
 *	  those changes is decided from transaction ids, because a committing
 *	  transaction becomes visible before it sends its invalidations: see
 *	  SnapshotSeesInvalidations().  Under SERIALIZABLE every entry is
 *	  transient, so each transaction reads the grants itself and takes the
 *	  predicate locks that make its decisions serializable.
 */
#include "postgres.h"

#include "access/transam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "common/hashfn.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "cache.h"

PG_FUNCTION_INFO_V1(rbac_cache_stats);
PG_FUNCTION_INFO_V1(rbac_signal_change);

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
	/*
	 * Allocated apart from the entry: simplehash moves entries when it
	 * grows, and callers keep these pointers until the next flush.
	 */
	WorkspaceReach *workspace;	/* for workspace keys */
	Scopeset   *organization;	/* for organization keys */
	ArrayType  *ids;			/* for listing keys: sorted text[] */
} ReachEntry;

#define SH_PREFIX		reach
#define SH_ELEMENT_TYPE ReachEntry
#define SH_KEY_TYPE		ReachKey
#define SH_KEY			key
#define SH_HASH_KEY(tb, k) hash_bytes((const unsigned char *) (k).data, (k).len)
#define SH_EQUAL(tb, a, b) ((a).len == (b).len && memcmp((a).data, (b).data, (a).len) == 0)
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a) ((a)->hash)
#define SH_SCOPE		static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

#define KEY_WORKSPACE		'w'
#define KEY_ORGANIZATION	'o'

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
	reach_hash *table;
} Generation;

static MemoryContext cache_context = NULL;
static MemoryContext catalog_context = NULL;
static Generation generations[2];
static int	young = 0;
static int	cache_entries = 10000;
static Scopeset *catalog_active = NULL;
static Scopeset *catalog_retired = NULL;
static int	ntransient = 0;

static bool cache_enabled = true;
static uint64 generation = 1;
static bool flush_pending = false;
static TransactionId invalidated_after_xid = InvalidTransactionId;
static LocalTransactionId invalidated_in_lxid = InvalidLocalTransactionId;
static CommandId invalidated_at_cid = InvalidCommandId;
static Oid	signal_relid = InvalidOid;
static Oid	model_owner = InvalidOid;

static uint64 statement_serial = 0;
static uint64 seen_serial = 0;
static SnapshotTag seen_snapshot;
static uint64 statement_stamp = 0;

static uint64 stat_hits = 0;
static uint64 stat_misses = 0;
static uint64 stat_invalidations = 0;
static uint64 stat_evictions = 0;

static SPIPlanPtr catalog_plan = NULL;
static SPIPlanPtr workspace_plan = NULL;
static SPIPlanPtr organization_plan = NULL;
static SPIPlanPtr api_key_plan = NULL;
static SPIPlanPtr listing_plans[4] = {NULL, NULL, NULL, NULL};

/*
 * What the listing plans return, by ListingKind: the workspaces where a
 * principal holds a scope on the workspace; those where they hold it on the
 * workspace or on some resource of a type; and the resources of a type in a
 * workspace where a resource grant gives it.  Scopes are literal, so a union
 * of roles covers one exactly when some role does.
 */
static const char *const listing_sql[4] = {
	"SELECT DISTINCT x.id FROM ("
	"  SELECT g.workspace_id AS id, r.scopes FROM rbac.grants AS g"
	"  JOIN rbac.roles AS r ON r.id OPERATOR(pg_catalog.=) g.role_id"
	"  WHERE g.principal OPERATOR(pg_catalog.=) $1 AND g.workspace_id IS NOT NULL"
	"    AND g.resource_type IS NULL"
	"  UNION ALL"
	"  SELECT w.id, r.scopes FROM rbac.grants AS g"
	"  JOIN rbac.roles AS r ON r.id OPERATOR(pg_catalog.=) g.role_id"
	"  JOIN rbac.workspaces AS w ON w.organization_id OPERATOR(pg_catalog.=) g.organization_id"
	"  WHERE g.principal OPERATOR(pg_catalog.=) $1"
	"    AND g.role_kind OPERATOR(pg_catalog.=) 'workspace') AS x"
	" WHERE x.scopes OPERATOR(rbac.?) $2"
	" ORDER BY 1",
	"SELECT DISTINCT x.id FROM ("
	"  SELECT g.workspace_id AS id, r.scopes FROM rbac.grants AS g"
	"  JOIN rbac.roles AS r ON r.id OPERATOR(pg_catalog.=) g.role_id"
	"  WHERE g.principal OPERATOR(pg_catalog.=) $1 AND g.workspace_id IS NOT NULL"
	"    AND (g.resource_type IS NULL OR g.resource_type OPERATOR(pg_catalog.=) $4)"
	"  UNION ALL"
	"  SELECT w.id, r.scopes FROM rbac.grants AS g"
	"  JOIN rbac.roles AS r ON r.id OPERATOR(pg_catalog.=) g.role_id"
	"  JOIN rbac.workspaces AS w ON w.organization_id OPERATOR(pg_catalog.=) g.organization_id"
	"  WHERE g.principal OPERATOR(pg_catalog.=) $1"
	"    AND g.role_kind OPERATOR(pg_catalog.=) 'workspace') AS x"
	" WHERE x.scopes OPERATOR(rbac.?) $2"
	" ORDER BY 1",
	"SELECT DISTINCT g.resource_id FROM rbac.grants AS g"
	" JOIN rbac.roles AS r ON r.id OPERATOR(pg_catalog.=) g.role_id"
	" WHERE g.principal OPERATOR(pg_catalog.=) $1 AND g.workspace_id OPERATOR(pg_catalog.=) $3"
	"   AND g.resource_type OPERATOR(pg_catalog.=) $4 AND r.scopes OPERATOR(rbac.?) $2"
	" ORDER BY 1",
	"SELECT w.id FROM rbac.workspaces AS w ORDER BY 1"
};

/* The API key last looked up; most sessions use one. */
static int64 api_key_id = 0;
static ApiKeyInfo *api_key_info = NULL;

static ExecutorStart_hook_type prev_executor_start = NULL;

/*
 * The newest transaction that had completed when the last invalidation was
 * taken in, read without ProcArrayLock: it only grows, and a value a little
 * behind only makes SnapshotSeesInvalidations() more cautious.
 */
static TransactionId
LatestCompletedXid(void)
{
	volatile VariableCacheData *vc = ShmemVariableCache;

	return XidFromFullTransactionId(vc->latestCompletedXid);
}

static void
RelcacheCallback(Datum arg, Oid relid)
{
	if (relid != InvalidOid && relid != signal_relid)
		return;
	invalidated_after_xid = LatestCompletedXid();
	if (IsTransactionState())
	{
		invalidated_in_lxid = MyProc->lxid;
		invalidated_at_cid = GetCurrentCommandId(false);
	}
	flush_pending = true;
	stat_invalidations++;
}

static void
EndOfTransaction(XactEvent event, void *arg)
{
	/* Transient entries never outlive the transaction that read them. */
	if (ntransient > 0)
		flush_pending = true;
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
		}
	}
	catalog_active = catalog_retired = NULL;
	api_key_info = NULL;
	ntransient = 0;
	flush_pending = false;
	generation++;
}

/* Drop the cache now if an invalidation or a transaction end asked to. */
static void
FlushIfPending(void)
{
	if (flush_pending)
		Flush();
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

void
CacheBeginCheck(void)
{
	SnapshotTag tag = TagOf(CurrentSnapshot());

	if (unlikely(statement_serial != seen_serial || !TagEqual(&tag, &seen_snapshot)))
	{
		if (!TagEqual(&tag, &seen_snapshot) && ntransient > 0)
			flush_pending = true;
		seen_serial = statement_serial;
		seen_snapshot = tag;
		statement_stamp++;
		AcceptInvalidationMessages();
	}
	if (unlikely(!cache_enabled))
		flush_pending = true;
	if (unlikely(flush_pending))
		Flush();
}

/*
 * Does snap see every change whose invalidation we have taken in?  Each
 * such change committed before its invalidation was sent, so no later than
 * invalidated_after_xid; snap sees it unless snap's xmax is not past that,
 * or the change's transaction was still running when snap was taken and has
 * finished since.  A change of our own transaction is seen once snap's
 * command id has passed the command that made it.
 */
static bool
SnapshotSeesInvalidations(Snapshot snap)
{
	TransactionId last = invalidated_after_xid;

	if (invalidated_in_lxid == MyProc->lxid && snap->curcid < invalidated_at_cid)
		return false;
	if (!TransactionIdIsValid(last))
		return true;
	if (!TransactionIdPrecedes(last, snap->xmax) || snap->suboverflowed)
		return false;
	for (uint32 i = 0; i < snap->xcnt; i++)
	{
		if (TransactionIdPrecedesOrEquals(snap->xip[i], last) &&
			!TransactionIdIsInProgress(snap->xip[i]))
			return false;
	}
	for (int32 i = 0; i < snap->subxcnt; i++)
	{
		if (TransactionIdPrecedesOrEquals(snap->subxip[i], last) &&
			!TransactionIdIsInProgress(snap->subxip[i]))
			return false;
	}
	return true;
}

/*
 * May an entry read under snap outlive it?  Not under SERIALIZABLE, where
 * each transaction must read the grants itself to take its predicate locks,
 * and not when snap may miss a change we were told of.
 */
static bool
SnapshotIsFresh(Snapshot snap)
{
	return snap != NULL && !IsolationIsSerializable() && SnapshotSeesInvalidations(snap);
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

static SPIPlanPtr
PreparePlan(const char *sql, int nargs)
{
	Oid			types[2] = {TEXTOID, TEXTOID};
	SPIPlanPtr	plan = SPI_prepare(sql, nargs, types);

	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	SPI_keepplan(plan);
	return plan;
}

/*
 * Operators are schema-qualified so that no search_path, however hostile,
 * changes what these queries mean.
 */
static void
PreparePlans(void)
{
	if (catalog_plan == NULL)
		catalog_plan = PreparePlan("SELECT s.name, s.retired FROM rbac.scopes AS s", 0);
	if (workspace_plan == NULL)
		workspace_plan = PreparePlan(
			"SELECT g.resource_type, g.resource_id, rbac.union_agg(r.scopes) "
			"FROM rbac.grants AS g "
			"JOIN rbac.roles AS r ON r.id OPERATOR(pg_catalog.=) g.role_id "
			"WHERE g.principal OPERATOR(pg_catalog.=) $1 "
			"AND (g.workspace_id OPERATOR(pg_catalog.=) $2 "
			"     OR (g.role_kind OPERATOR(pg_catalog.=) 'workspace' "
			"         AND g.organization_id OPERATOR(pg_catalog.=) "
			"             (SELECT w.organization_id FROM rbac.workspaces AS w "
			"              WHERE w.id OPERATOR(pg_catalog.=) $2))) "
			"GROUP BY g.resource_type, g.resource_id", 2);
	if (organization_plan == NULL)
		organization_plan = PreparePlan(
			"SELECT rbac.union_agg(r.scopes) "
			"FROM rbac.grants AS g "
			"JOIN rbac.roles AS r ON r.id OPERATOR(pg_catalog.=) g.role_id "
			"WHERE g.principal OPERATOR(pg_catalog.=) $1 "
			"AND g.organization_id OPERATOR(pg_catalog.=) $2 "
			"AND g.role_kind OPERATOR(pg_catalog.=) 'organization'", 2);
	if (api_key_plan == NULL)
	{
		Oid			types[1] = {INT8OID};

		api_key_plan = SPI_prepare(
			"SELECT k.workspace_id, k.restriction, k.expires_at, k.revoked_at IS NULL "
			"FROM rbac.api_keys AS k WHERE k.id OPERATOR(pg_catalog.=) $1", 1, types);
		if (api_key_plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		SPI_keepplan(api_key_plan);
	}
}

/*
 * Run a prepared query read-only, with the statement's snapshot, as the
 * owner of the model.  An error restores the user at transaction abort.
 */
static void
RunQueryWithNulls(SPIPlanPtr plan, Datum *args, const char *nulls)
{
	Oid			save_userid;
	int			save_sec;
	int			rc;

	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(model_owner, save_sec | SECURITY_LOCAL_USERID_CHANGE);
	rc = SPI_execute_plan(plan, args, nulls, true, 0);
	SetUserIdAndSecContext(save_userid, save_sec);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
}

static void
RunQuery(SPIPlanPtr plan, Datum *args)
{
	RunQueryWithNulls(plan, args, NULL);
}

/* Begin reading: connect SPI and make sure the plans and owner are known. */
static void
BeginRead(void)
{
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ResolveModel();
	PreparePlans();
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
static MemoryContext
CatalogContext(void)
{
	if (cache_context == NULL)
		CreateContexts();
	return catalog_context;
}

/* Where new reach entries live. */
static MemoryContext
CacheContext(void)
{
	if (cache_context == NULL)
		CreateContexts();
	return generations[young].cxt;
}

static Scopeset *
CopyScopeset(Datum d, MemoryContext cxt)
{
	Scopeset   *s = DatumGetScopesetP(d);
	Scopeset   *copy = MemoryContextAlloc(cxt, VARSIZE(s));

	memcpy(copy, s, VARSIZE(s));
	return copy;
}

static Scopeset *
EmptyScopeset(MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	Scopeset   *s = ScopesetBuild(NULL, 0);

	MemoryContextSwitchTo(old);
	return s;
}

/* Load the catalog as two sets: the active names and the retired ones. */
static void
LoadCatalog(void)
{
	ScopeRef   *active;
	ScopeRef   *retired;
	int			nactive = 0;
	int			nretired = 0;
	MemoryContext old;

	BeginRead();
	RunQuery(catalog_plan, NULL);
	FlushIfPending();
	active = palloc(sizeof(ScopeRef) * (SPI_processed + 1));
	retired = palloc(sizeof(ScopeRef) * (SPI_processed + 1));
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		ScopeRef	ref = ScopeFromText(DatumGetTextPP(SPI_getbinval(tuple, desc, 1, &isnull)));

		if (DatumGetBool(SPI_getbinval(tuple, desc, 2, &isnull)))
			retired[nretired++] = ref;
		else
			active[nactive++] = ref;
	}
	old = MemoryContextSwitchTo(CatalogContext());
	catalog_active = ScopesetFromRefs(active, nactive);
	catalog_retired = ScopesetFromRefs(retired, nretired);
	MemoryContextSwitchTo(old);
	SPI_finish();
	/* A catalog read under an old snapshot must not outlive it either. */
	if (!SnapshotIsFresh(CurrentSnapshot()))
		ntransient++;
}

const Scopeset *
CacheRetiredScopes(void)
{
	FlushIfPending();
	if (catalog_active == NULL)
		LoadCatalog();
	return catalog_retired;
}

CatalogStatus
CacheScopeStatus(const ScopeRef *q)
{
	FlushIfPending();
	if (catalog_active == NULL)
		LoadCatalog();
	if (ScopesetCovers(catalog_active, q))
		return CATALOG_ACTIVE;
	if (ScopesetCovers(catalog_retired, q))
		return CATALOG_RETIRED;
	return CATALOG_UNKNOWN;
}

static ReachKey
MakeKey(char kind, const char *principal, int plen, const char *node, int nlen)
{
	char	   *data = palloc(plen + nlen + 2);
	ReachKey	key;

	data[0] = kind;
	memcpy(data + 1, principal, plen);
	data[1 + plen] = '\0';
	memcpy(data + 2 + plen, node, nlen);
	key.data = data;
	key.len = plen + nlen + 2;
	return key;
}

static ReachEntry *
FindEntry(ReachKey key)
{
	ReachEntry *entry = NULL;

	FlushIfPending();
	for (int i = 0; i < 2 && entry == NULL; i++)
	{
		reach_hash *table = generations[(young + i) % 2].table;

		entry = table ? reach_lookup(table, key) : NULL;
	}
	if (entry != NULL)
		stat_hits++;
	else
		stat_misses++;
	return entry;
}

static int
CacheEntryCount(void)
{
	int			n = 0;

	for (int g = 0; g < 2; g++)
		n += generations[g].table ? (int) generations[g].table->members : 0;
	return n;
}

/*
 * The young generation is full: drop the old one whole and start anew.
 * Memos may point into the dropped entries, so the generation changes.
 */
static void
TurnGenerations(void)
{
	int			old = 1 - young;

	MemoryContextReset(generations[old].cxt);
	generations[old].table = NULL;
	young = old;
	generation++;
	stat_evictions++;
}

/*
 * Insert an entry for data just read.  Invalidations taken in during the
 * read are acted on first, so nothing is built in memory about to be reset.
 */
static ReachEntry *
InsertEntry(ReachKey key)
{
	ReachEntry *entry;
	MemoryContext old;
	bool		found;

	FlushIfPending();
	if (generations[young].table != NULL &&
		generations[young].table->members >= (uint32) Max(cache_entries / 2, 1))
		TurnGenerations();
	if (generations[young].table == NULL)
		generations[young].table = reach_create(CacheContext(), 64, NULL);
	old = MemoryContextSwitchTo(CacheContext());
	key.data = memcpy(palloc(key.len), key.data, key.len);
	entry = reach_insert(generations[young].table, key, &found);
	MemoryContextSwitchTo(old);
	entry->transient = false;
	entry->workspace = NULL;
	entry->organization = NULL;
	entry->ids = NULL;
	return entry;
}

static int
ResourceCmp(const void *a, const void *b)
{
	const ResourceReach *ra = (const ResourceReach *) a;
	const ResourceReach *rb = (const ResourceReach *) b;
	int			c = strcmp(ra->type, rb->type);

	return c != 0 ? c : strcmp(ra->id, rb->id);
}

/* Turn the rows of the workspace query into a WorkspaceReach in cxt. */
static void
BuildWorkspaceReach(WorkspaceReach *reach, MemoryContext cxt)
{
	SPITupleTable *tt = SPI_tuptable;
	int			n = 0;

	reach->scopes = NULL;
	reach->resources = MemoryContextAlloc(cxt, sizeof(ResourceReach) * (SPI_processed + 1));
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		type_null;
		bool		isnull;
		Datum		type = SPI_getbinval(tt->vals[i], tt->tupdesc, 1, &type_null);
		Datum		id = SPI_getbinval(tt->vals[i], tt->tupdesc, 2, &isnull);
		Scopeset   *scopes = CopyScopeset(SPI_getbinval(tt->vals[i], tt->tupdesc, 3, &isnull), cxt);

		if (type_null)
		{
			reach->scopes = scopes;
			continue;
		}
		reach->resources[n].type = MemoryContextStrdup(cxt, TextDatumGetCString(type));
		reach->resources[n].id = MemoryContextStrdup(cxt, TextDatumGetCString(id));
		reach->resources[n].scopes = scopes;
		n++;
	}
	if (reach->scopes == NULL)
		reach->scopes = EmptyScopeset(cxt);
	qsort(reach->resources, n, sizeof(ResourceReach), ResourceCmp);
	reach->nresources = n;
}

/* Mark an entry just read as transient if its snapshot is not fresh. */
static void
SettleFreshness(ReachEntry *entry)
{
	if (!SnapshotIsFresh(CurrentSnapshot()))
	{
		entry->transient = true;
		ntransient++;
	}
}

const WorkspaceReach *
CacheWorkspaceReach(const char *principal, int plen, const char *workspace, int wlen)
{
	ReachKey	key = MakeKey(KEY_WORKSPACE, principal, plen, workspace, wlen);
	ReachEntry *entry = FindEntry(key);
	Datum		args[2];

	if (entry != NULL)
		return entry->workspace;

	BeginRead();
	args[0] = PointerGetDatum(cstring_to_text_with_len(principal, plen));
	args[1] = PointerGetDatum(cstring_to_text_with_len(workspace, wlen));
	RunQuery(workspace_plan, args);
	entry = InsertEntry(key);
	entry->workspace = MemoryContextAlloc(CacheContext(), sizeof(WorkspaceReach));
	BuildWorkspaceReach(entry->workspace, CacheContext());
	SPI_finish();
	SettleFreshness(entry);
	return entry->workspace;
}

const Scopeset *
CacheOrganizationReach(const char *principal, int plen, const char *organization, int olen)
{
	ReachKey	key = MakeKey(KEY_ORGANIZATION, principal, plen, organization, olen);
	ReachEntry *entry = FindEntry(key);
	Datum		args[2];
	bool		isnull = true;
	Datum		scopes = (Datum) 0;

	if (entry != NULL)
		return entry->organization;

	BeginRead();
	args[0] = PointerGetDatum(cstring_to_text_with_len(principal, plen));
	args[1] = PointerGetDatum(cstring_to_text_with_len(organization, olen));
	RunQuery(organization_plan, args);
	if (SPI_processed > 0)
		scopes = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	entry = InsertEntry(key);
	entry->organization = isnull ? EmptyScopeset(CacheContext())
		: CopyScopeset(scopes, CacheContext());
	SPI_finish();
	SettleFreshness(entry);
	return entry->organization;
}

/* A key of several NUL-terminated parts after a kind byte. */
static ReachKey
MakeListingKey(ListingKind kind, const char *principal, int plen, const char *scope,
			   const char *workspace, const char *type)
{
	StringInfoData buf;
	ReachKey	key;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, (char) ('0' + kind));
	appendBinaryStringInfo(&buf, principal, plen);
	appendStringInfoChar(&buf, '\0');
	appendStringInfoString(&buf, scope);
	appendStringInfoChar(&buf, '\0');
	appendStringInfoString(&buf, workspace ? workspace : "");
	appendStringInfoChar(&buf, '\0');
	appendStringInfoString(&buf, type ? type : "");
	key.data = buf.data;
	key.len = buf.len;
	return key;
}

ArrayType *
CacheListing(ListingKind kind, const char *principal, int plen, const char *scope,
			 const char *workspace, const char *type)
{
	ReachKey	key = MakeListingKey(kind, principal, plen, scope, workspace, type);
	ReachEntry *entry = FindEntry(key);
	Datum		args[4];
	char		nulls[4] = {' ', ' ', workspace ? ' ' : 'n', type ? ' ' : 'n'};
	Datum	   *ids;
	bool		isnull;
	MemoryContext old;
	ArrayType  *array;

	if (entry != NULL)
		return entry->ids;
	BeginRead();
	if (listing_plans[kind] == NULL)
	{
		Oid			types[4] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID};

		listing_plans[kind] = SPI_prepare(listing_sql[kind], 4, types);
		if (listing_plans[kind] == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		SPI_keepplan(listing_plans[kind]);
	}
	args[0] = PointerGetDatum(cstring_to_text_with_len(principal, plen));
	args[1] = CStringGetTextDatum(scope);
	args[2] = workspace ? CStringGetTextDatum(workspace) : (Datum) 0;
	args[3] = type ? CStringGetTextDatum(type) : (Datum) 0;
	RunQueryWithNulls(listing_plans[kind], args, nulls);
	ids = palloc(sizeof(Datum) * (SPI_processed + 1));
	for (uint64 i = 0; i < SPI_processed; i++)
		ids[i] = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull);
	entry = InsertEntry(key);
	old = MemoryContextSwitchTo(CacheContext());
	array = construct_array(ids, (int) SPI_processed, TEXTOID, -1, false, TYPALIGN_INT);
	MemoryContextSwitchTo(old);
	entry->ids = array;
	SPI_finish();
	SettleFreshness(entry);
	return entry->ids;
}

const ApiKeyInfo *
CacheApiKey(int64 id)
{
	Datum		args[1];
	ApiKeyInfo *info;
	bool		isnull;

	FlushIfPending();
	if (api_key_info != NULL && api_key_id == id)
		return api_key_info;
	BeginRead();
	args[0] = Int64GetDatum(id);
	RunQuery(api_key_plan, args);
	FlushIfPending();
	info = MemoryContextAllocZero(CatalogContext(), sizeof(ApiKeyInfo));
	if (SPI_processed == 1)
	{
		HeapTuple	tuple = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		rnull;
		bool		enull;
		Datum		restriction = SPI_getbinval(tuple, desc, 2, &rnull);
		Datum		expires = SPI_getbinval(tuple, desc, 3, &enull);

		info->exists = true;
		info->workspace = MemoryContextStrdup(CatalogContext(),
											  TextDatumGetCString(SPI_getbinval(tuple, desc, 1, &isnull)));
		info->restriction = rnull ? NULL : CopyScopeset(restriction, CatalogContext());
		info->expires_at = enull ? DT_NOEND : DatumGetTimestampTz(expires);
		info->revoked = !DatumGetBool(SPI_getbinval(tuple, desc, 4, &isnull));
	}
	SPI_finish();
	if (!SnapshotIsFresh(CurrentSnapshot()))
		ntransient++;
	api_key_id = id;
	api_key_info = info;
	return info;
}

const Scopeset *
ResourceReachOf(const WorkspaceReach *reach, const char *type, int tlen,
				const char *id, int idlen)
{
	int			lo = 0;
	int			hi = reach->nresources - 1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;
		const ResourceReach *r = &reach->resources[mid];
		int			c = strncmp(r->type, type, tlen);

		if (c == 0 && r->type[tlen] != '\0')
			c = 1;
		if (c == 0)
		{
			c = strncmp(r->id, id, idlen);
			if (c == 0 && r->id[idlen] != '\0')
				c = 1;
		}
		if (c == 0)
			return r->scopes;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

Datum
rbac_cache_stats(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[7];
	bool		nulls[7] = {false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	FlushIfPending();
	values[0] = Int64GetDatum((int64) CacheEntryCount());
	values[1] = Int64GetDatum((int64) stat_hits);
	values[2] = Int64GetDatum((int64) stat_misses);
	values[3] = Int64GetDatum((int64) stat_invalidations);
	values[4] = Int64GetDatum((int64) stat_evictions);
	values[5] = Int64GetDatum(cache_context ? (int64) MemoryContextMemAllocated(cache_context, true) : 0);
	values[6] = Int32GetDatum(cache_entries);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/*
 * Statement trigger on every model table: queue an invalidation of the
 * signal relation, which PostgreSQL delivers here at the next command and
 * to every other backend at commit.
 */
Datum
rbac_signal_change(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Oid			relid;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "rbac_signal_change must be called as a trigger");
	relid = get_relname_relid("cache_signal", RelationGetNamespace(trigdata->tg_relation));
	if (!OidIsValid(relid))
		elog(ERROR, "relation rbac.cache_signal is missing");
	CacheInvalidateRelcacheByRelid(relid);
	PG_RETURN_POINTER(NULL);
}
