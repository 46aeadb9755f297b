/*
 * change_signal.c
 *	  rbac.signal_change(): the triggers that tell every backend's cache
 *	  of a change to the model.  See change_signal.h.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "commands/trigger.h"
#include "common/hashfn.h"
#include "executor/executor.h"
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

uint32
PrincipalSignal(const char *principal, int len)
{
	return hash_bytes((const unsigned char *) principal, len) | PRINCIPAL_SIGNAL_BIT;
}

/* Every cache drops everything. */
static void
SignalEveryone(Relation rel)
{
	Oid			relid = get_relname_relid("cache_signal", RelationGetNamespace(rel));

	if (!OidIsValid(relid))
		elog(ERROR, "relation rbac.cache_signal is missing");
	CacheInvalidateRelcacheByRelid(relid);
}

/*
 * Caches drop one principal's entries.  A relcache invalidation is sent for
 * the relation id that is the principal's signal; no such relation exists,
 * so the message touches no relcache entry, and PostgreSQL's only way to
 * send one for an arbitrary id is a pg_class tuple that names it.
 */
static void
SignalPrincipal(Datum principal)
{
	text	   *t = DatumGetTextPP(principal);
	Size		hoff = MAXALIGN(SizeofHeapTupleHeader);
	HeapTupleData tuple;
	Form_pg_class form;

	tuple.t_len = hoff + sizeof(FormData_pg_class);
	tuple.t_data = palloc0(tuple.t_len);
	tuple.t_data->t_hoff = hoff;
	form = (Form_pg_class) GETSTRUCT(&tuple);
	form->oid = PrincipalSignal(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	form->relisshared = false;
	CacheInvalidateRelcacheByTuple(&tuple);
	pfree(tuple.t_data);
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
 * The trigger on every model table.  On a table with a principal column
 * (rbac.grants), a row trigger, or a statement trigger with transition
 * tables, signals only the principals of the changed rows; anything else
 * signals every cache.
 */
Datum
rbac_signal_change(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Relation	rel;
	AttrNumber	attnum;
	bool		done = true;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "rbac_signal_change must be called as a trigger");
	rel = trigdata->tg_relation;
	attnum = get_attnum(RelationGetRelid(rel), "principal");
	if (attnum == InvalidAttrNumber || TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event))
		done = false;
	else if (TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
	{
		if (trigdata->tg_trigtuple)
			SignalRowPrincipal(trigdata->tg_trigtuple, RelationGetDescr(rel), attnum);
		if (trigdata->tg_newtuple)
			SignalRowPrincipal(trigdata->tg_newtuple, RelationGetDescr(rel), attnum);
	}
	else if (trigdata->tg_oldtable == NULL && trigdata->tg_newtable == NULL)
		done = false;
	else
	{
		if (trigdata->tg_oldtable)
			done = SignalTransitionTable(trigdata->tg_oldtable, rel, attnum);
		if (done && trigdata->tg_newtable)
			done = SignalTransitionTable(trigdata->tg_newtable, rel, attnum);
	}
	if (!done)
		SignalEveryone(rel);
	PG_RETURN_POINTER(NULL);
}
