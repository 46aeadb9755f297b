/*
 * change_signal.c
 *	  rbac.signal_change(): the triggers that tell every backend's cache
 *	  of a change to the model, and the early copy of those signals sent
 *	  just before commit.  See change_signal.h.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "commands/trigger.h"
#include "common/hashfn.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "storage/sinval.h"
#include "storage/standby.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/tuplestore.h"

#include "change_signal.h"

PG_FUNCTION_INFO_V1(rbac_signal_change);

/*
 * Past this many changed grant rows in one statement, one signal to every
 * cache is cheaper than a signal per principal.
 */
#define MAX_PRINCIPAL_SIGNALS 256

/*
 * The signals this transaction has queued, to send again before commit.
 * More than fit, and the early copy signals every cache instead.
 */
#define MAX_EARLY_SIGNALS 256

static Oid	early_signals[MAX_EARLY_SIGNALS];
static int	nearly = 0;
static bool early_everyone = false;

static void
RememberSignal(Oid relid)
{
	for (int i = 0; i < nearly; i++)
		if (early_signals[i] == relid)
			return;
	if (nearly < MAX_EARLY_SIGNALS)
		early_signals[nearly++] = relid;
	else
		early_everyone = true;
}

uint32
PrincipalSignal(const char *principal, int len)
{
	return (hash_bytes((const unsigned char *) principal, len) & SIGNAL_HASH_MASK) | SIGNAL_BIT;
}

uint32
NodeSignal(const char *node, int len)
{
	return (hash_bytes((const unsigned char *) node, len) & SIGNAL_HASH_MASK) |
		SIGNAL_BIT | NODE_SIGNAL_BIT;
}

/* The signal relation, rbac.cache_signal, beside a model table. */
static Oid
SignalRelation(Oid namespace)
{
	Oid			relid = get_relname_relid("cache_signal", namespace);

	if (!OidIsValid(relid))
		elog(ERROR, "relation rbac.cache_signal is missing");
	return relid;
}

/* Every cache drops everything. */
static void
SignalEveryone(Oid signal_relation)
{
	CacheInvalidateRelcacheByRelid(signal_relation);
	early_everyone = true;
}

/*
 * Caches drop the entries a signal names.  A relcache invalidation is sent
 * for the relation id that is the signal; no such relation exists, so the
 * message touches no relcache entry, and PostgreSQL's only way to send one
 * for an arbitrary id is a pg_class tuple that names it.
 */
static void
SendSignal(uint32 signal)
{
	Size		hoff = MAXALIGN(SizeofHeapTupleHeader);
	HeapTupleData tuple;
	Form_pg_class form;

	tuple.t_len = hoff + sizeof(FormData_pg_class);
	tuple.t_data = palloc0(tuple.t_len);
	tuple.t_data->t_hoff = hoff;
	form = (Form_pg_class) GETSTRUCT(&tuple);
	form->oid = signal;
	form->relisshared = false;
	CacheInvalidateRelcacheByTuple(&tuple);
	RememberSignal(form->oid);
	pfree(tuple.t_data);
}

static void
SignalPrincipal(Datum principal)
{
	text	   *t = DatumGetTextPP(principal);

	SendSignal(PrincipalSignal(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)));
}

static void
SignalRowPrincipal(HeapTuple row, TupleDesc desc, AttrNumber attnum)
{
	bool		isnull;
	Datum		principal = heap_getattr(row, attnum, desc, &isnull);

	if (!isnull)
		SignalPrincipal(principal);
}

/* Signal the principals of a transition table; false if there are too many. */
static bool
SignalTransitionTable(Tuplestorestate *rows, Relation rel, AttrNumber attnum)
{
	TupleTableSlot *slot;
	bool		isnull;

	if (tuplestore_tuple_count(rows) > MAX_PRINCIPAL_SIGNALS)
		return false;
	/* A read pointer of our own, so no other reader of the table is moved. */
	tuplestore_select_read_pointer(rows, tuplestore_alloc_read_pointer(rows, EXEC_FLAG_REWIND));
	tuplestore_rescan(rows);
	slot = MakeSingleTupleTableSlot(RelationGetDescr(rel), &TTSOpsMinimalTuple);
	while (tuplestore_gettupleslot(rows, true, false, slot))
	{
		Datum		principal = slot_getattr(slot, attnum, &isnull);

		if (!isnull)
			SignalPrincipal(principal);
	}
	ExecDropSingleTupleTableSlot(slot);
	return true;
}

/*
 * A workspace as the caches see it: its id, and the organization whose
 * workspace roles reach into it.  Nothing else of the row changes anyone's
 * reach, so an update of its name or ownership mode (every ownership lock
 * is one) signals nothing.
 */
typedef struct WorkspaceRow
{
	char	   *id;
	char	   *organization;	/* NULL: none */
} WorkspaceRow;

static WorkspaceRow
ReadWorkspaceRow(TupleTableSlot *slot, AttrNumber id_att, AttrNumber org_att)
{
	WorkspaceRow row = {NULL, NULL};
	bool		isnull;
	Datum		d = slot_getattr(slot, id_att, &isnull);

	row.id = isnull ? pstrdup("") : TextDatumGetCString(d);
	d = slot_getattr(slot, org_att, &isnull);
	row.organization = isnull ? NULL : TextDatumGetCString(d);
	return row;
}

static bool
SameWorkspaceRow(const WorkspaceRow *a, const WorkspaceRow *b)
{
	return strcmp(a->id, b->id) == 0 &&
		(a->organization == NULL ? b->organization == NULL
		 : b->organization != NULL && strcmp(a->organization, b->organization) == 0);
}

/* The rows of a transition table (or of a row trigger's tuple), at most max. */
static int
CollectWorkspaceRows(Tuplestorestate *rows, HeapTuple tuple, Relation rel, WorkspaceRow *out, int max)
{
	AttrNumber	id_att = get_attnum(RelationGetRelid(rel), "id");
	AttrNumber	org_att = get_attnum(RelationGetRelid(rel), "organization_id");
	TupleTableSlot *slot = MakeSingleTupleTableSlot(RelationGetDescr(rel),
													tuple ? &TTSOpsHeapTuple : &TTSOpsMinimalTuple);
	int			n = 0;

	if (tuple != NULL)
	{
		ExecStoreHeapTuple(tuple, slot, false);
		out[n++] = ReadWorkspaceRow(slot, id_att, org_att);
	}
	else if (rows != NULL && tuplestore_tuple_count(rows) <= max)
	{
		tuplestore_select_read_pointer(rows, tuplestore_alloc_read_pointer(rows, EXEC_FLAG_REWIND));
		tuplestore_rescan(rows);
		while (tuplestore_gettupleslot(rows, true, false, slot))
			out[n++] = ReadWorkspaceRow(slot, id_att, org_att);
	}
	else if (rows != NULL)
		n = -1;
	ExecDropSingleTupleTableSlot(slot);
	return n;
}

/* Signal each row of a that b does not hold; true if any was signalled. */
static bool
SignalWorkspacesGone(const WorkspaceRow *a, int na, const WorkspaceRow *b, int nb)
{
	bool		any = false;

	for (int i = 0; i < na; i++)
	{
		bool		kept = false;

		for (int j = 0; j < nb && !kept; j++)
			kept = SameWorkspaceRow(&a[i], &b[j]);
		if (!kept)
			SendSignal(NodeSignal(a[i].id, (int) strlen(a[i].id)));
		any |= !kept;
	}
	return any;
}

/*
 * Signal the workspaces a change created, deleted or moved, and then the
 * listings, which list workspaces; false if there are too many.
 */
static bool
SignalWorkspaces(TriggerData *trigdata)
{
	Relation	rel = trigdata->tg_relation;
	bool		row = TRIGGER_FIRED_FOR_ROW(trigdata->tg_event);
	HeapTuple	old_tuple = NULL;
	HeapTuple	new_tuple = NULL;
	WorkspaceRow *before = palloc(sizeof(WorkspaceRow) * (MAX_PRINCIPAL_SIGNALS + 1));
	WorkspaceRow *after = palloc(sizeof(WorkspaceRow) * (MAX_PRINCIPAL_SIGNALS + 1));
	int			nbefore;
	int			nafter;
	bool		any;

	if (row && TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		new_tuple = trigdata->tg_trigtuple;
	else if (row)
	{
		old_tuple = trigdata->tg_trigtuple;
		new_tuple = trigdata->tg_newtuple;
	}
	nbefore = CollectWorkspaceRows(row ? NULL : trigdata->tg_oldtable, old_tuple, rel,
								   before, MAX_PRINCIPAL_SIGNALS);
	nafter = CollectWorkspaceRows(row ? NULL : trigdata->tg_newtable, new_tuple, rel,
								  after, MAX_PRINCIPAL_SIGNALS);
	if (nbefore < 0 || nafter < 0)
		return false;
	any = SignalWorkspacesGone(before, nbefore, after, nafter);
	any |= SignalWorkspacesGone(after, nafter, before, nbefore);
	if (any)
		SendSignal(LISTING_SIGNAL);
	return true;
}

/* Signal the principals of a change to grants; false if there are too many. */
static bool
SignalGrants(TriggerData *trigdata, AttrNumber attnum)
{
	Relation	rel = trigdata->tg_relation;
	bool		done = true;

	if (TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
	{
		if (trigdata->tg_trigtuple)
			SignalRowPrincipal(trigdata->tg_trigtuple, RelationGetDescr(rel), attnum);
		if (trigdata->tg_newtuple)
			SignalRowPrincipal(trigdata->tg_newtuple, RelationGetDescr(rel), attnum);
		return true;
	}
	if (trigdata->tg_oldtable == NULL && trigdata->tg_newtable == NULL)
		return false;
	if (trigdata->tg_oldtable)
		done = SignalTransitionTable(trigdata->tg_oldtable, rel, attnum);
	if (done && trigdata->tg_newtable)
		done = SignalTransitionTable(trigdata->tg_newtable, rel, attnum);
	return done;
}

static bool
HasTransitionTables(TriggerData *trigdata)
{
	return TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		trigdata->tg_oldtable != NULL || trigdata->tg_newtable != NULL;
}

/*
 * The trigger on every model table.  A change to grants signals the
 * principals of its rows, and a change to workspaces the workspaces it
 * created, deleted or moved, when the trigger is a row trigger or a
 * statement trigger with transition tables; anything else signals every
 * cache.
 */
Datum
rbac_signal_change(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Relation	rel;
	AttrNumber	attnum;
	bool		done = false;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "rbac_signal_change must be called as a trigger");
	rel = trigdata->tg_relation;
	attnum = get_attnum(RelationGetRelid(rel), "principal");
	if (TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event) || !HasTransitionTables(trigdata))
		done = false;
	else if (attnum != InvalidAttrNumber)
		done = SignalGrants(trigdata, attnum);
	else if (strcmp(RelationGetRelationName(rel), "workspaces") == 0)
		done = SignalWorkspaces(trigdata);
	if (!done)
		SignalEveryone(SignalRelation(RelationGetNamespace(rel)));
	PG_RETURN_POINTER(NULL);
}

/*
 * PostgreSQL makes a committing transaction visible to new snapshots a
 * moment before it sends the transaction's invalidations, so a backend
 * whose snapshot already sees a revoke could, in that moment, answer from
 * an entry read before it.  Sending the same signals once more just before
 * commit closes the gap: whoever can see the commit has received them by
 * its next check, and treats what it reads until then with care (the
 * fences of cache.c).  The copy is WAL-logged so that hot standbys, which
 * replay a commit the same way round, receive it first too.  Sending it
 * for a transaction that then fails to commit only costs a re-read.
 *
 * From just before the copy goes out until its commit has sent the real
 * invalidations, the transaction holds a lock on the signal relation that
 * caches can see (cache.c, MayHideChange): a running transaction that
 * holds none is not committing a change.  Writers do not block one
 * another, and one that sits idle before its commit holds nothing.
 */
static void
SendEarlySignals(void)
{
	int			n = early_everyone ? 1 : nearly;
	Oid			signal_relation = get_relname_relid("cache_signal", get_namespace_oid("rbac", true));
	SharedInvalidationMessage *msgs;

	/* The extension may have been dropped since; then no cache is left. */
	if (!OidIsValid(signal_relation))
		return;
	LockRelationOid(signal_relation, RowExclusiveLock);
	msgs = palloc0(sizeof(SharedInvalidationMessage) * n);
	for (int i = 0; i < n; i++)
	{
		msgs[i].rc.id = SHAREDINVALRELCACHE_ID;
		msgs[i].rc.dbId = MyDatabaseId;
		msgs[i].rc.relId = early_everyone ? signal_relation : early_signals[i];
	}
	SendSharedInvalidMessages(msgs, n);
	if (XLogStandbyInfoActive())
		LogStandbyInvalidations(n, msgs, false);
	pfree(msgs);
}

static void
EarlySignalsAtCommit(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PRE_PREPARE:
			if (nearly > 0 || early_everyone)
				SendEarlySignals();
			break;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PREPARE:
			nearly = 0;
			early_everyone = false;
			break;
		default:
			break;
	}
}

void
ChangeSignalInit(void)
{
	RegisterXactCallback(EarlySignalsAtCommit, NULL);
}
