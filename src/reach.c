/*
 * reach.c
 *	  Reading what a principal can reach from the rbac tables: the catalog,
 *	  reach in a workspace or organization, API keys, and listings.
 *
 * Every read is a prepared, read-only query run with the statement's
 * snapshot as the owner of the model, through schema-qualified operators so
 * that no search_path changes its meaning.  What is read goes into the
 * cache (cache.c), which decides how long it may be used: entries carry
 * their principal's signal and, for a workspace or a listing, a node
 * signal, so that a change names exactly what it touches.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "cache.h"
#include "change_signal.h"
#include "reach.h"

static SPIPlanPtr catalog_plan = NULL;
static SPIPlanPtr workspace_plan = NULL;
static SPIPlanPtr organization_plan = NULL;
static SPIPlanPtr api_key_plan = NULL;
static SPIPlanPtr listing_plans[6] = {NULL, NULL, NULL, NULL, NULL, NULL};

/*
 * What the listing plans return, by ListingKind: the workspaces where a
 * principal holds a scope on the workspace; those where they hold it on the
 * workspace or on some resource of a type; the resources of a type in a
 * workspace where a resource grant gives it; every workspace, and every
 * organization, rbac knows (sorted bytewise, for binary search); and the
 * organizations where an organization role gives it.  Scopes are literal,
 * so a union of roles covers one exactly when some role does.
 */
static const char *const listing_sql[6] = {
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
	"SELECT w.id FROM rbac.workspaces AS w ORDER BY w.id COLLATE \"C\"",
	"SELECT o.id FROM rbac.organizations AS o ORDER BY o.id COLLATE \"C\"",
	"SELECT DISTINCT g.organization_id FROM rbac.grants AS g"
	" JOIN rbac.roles AS r ON r.id OPERATOR(pg_catalog.=) g.role_id"
	" WHERE g.principal OPERATOR(pg_catalog.=) $1 AND g.organization_id IS NOT NULL"
	"   AND g.role_kind OPERATOR(pg_catalog.=) 'organization' AND r.scopes OPERATOR(rbac.?) $2"
	" ORDER BY 1"
};

/* The API key last looked up; most sessions use one. */
static int64 api_key_id = 0;
static ApiKeyInfo *api_key_info = NULL;
static uint64 api_key_epoch = 0;

/*
 * The catalog, as two sets, and the key above, kept in the cache's catalog
 * context: valid while its epoch is the one they were read in.
 */
static Scopeset *catalog_active = NULL;
static Scopeset *catalog_retired = NULL;
static uint64 catalog_epoch = 0;

/* Whose privileges the current read uses. */
static Oid	read_owner = InvalidOid;

/*
 * Plans are generic from the start: the lookups are simple index probes,
 * and planning each of a backend's first five reads for its own values
 * would cost more than the reads themselves.
 */
static SPIPlanPtr
PreparePlan(const char *sql, int nargs, Oid *types)
{
	SPIPlanPtr	plan = SPI_prepare_cursor(sql, nargs, types, CURSOR_OPT_GENERIC_PLAN);

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
	Oid			text_pair[2] = {TEXTOID, TEXTOID};
	Oid			key_id[1] = {INT8OID};

	if (catalog_plan == NULL)
		catalog_plan = PreparePlan("SELECT s.name, s.retired FROM rbac.scopes AS s", 0, NULL);
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
			"GROUP BY g.resource_type, g.resource_id", 2, text_pair);
	if (organization_plan == NULL)
		organization_plan = PreparePlan(
			"SELECT g.role_kind OPERATOR(pg_catalog.=) 'organization', rbac.union_agg(r.scopes) "
			"FROM rbac.grants AS g "
			"JOIN rbac.roles AS r ON r.id OPERATOR(pg_catalog.=) g.role_id "
			"WHERE g.principal OPERATOR(pg_catalog.=) $1 "
			"AND g.organization_id OPERATOR(pg_catalog.=) $2 "
			"GROUP BY 1", 2, text_pair);
	if (api_key_plan == NULL)
		api_key_plan = PreparePlan(
			"SELECT k.workspace_id, k.restriction, k.expires_at, k.revoked_at IS NULL "
			"FROM rbac.api_keys AS k WHERE k.id OPERATOR(pg_catalog.=) $1", 1, key_id);
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
	SetUserIdAndSecContext(read_owner, save_sec | SECURITY_LOCAL_USERID_CHANGE);
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
	read_owner = CacheModelOwner();
	PreparePlans();
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
	CacheFlushIfPending();
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
	old = MemoryContextSwitchTo(CacheCatalogContext());
	catalog_active = ScopesetFromRefs(active, nactive);
	catalog_retired = ScopesetFromRefs(retired, nretired);
	MemoryContextSwitchTo(old);
	catalog_epoch = CacheCatalogEpoch();
	SPI_finish();
	CacheNoteRead();
}

/* Is the catalog loaded, and still in the cache? */
static bool
CatalogLoaded(void)
{
	CacheFlushIfPending();
	return catalog_active != NULL && catalog_epoch == CacheCatalogEpoch();
}

const Scopeset *
ReachRetiredScopes(void)
{
	if (!CatalogLoaded())
		LoadCatalog();
	return catalog_retired;
}

CatalogStatus
ReachScopeStatus(const ScopeRef *q)
{
	if (!CatalogLoaded())
		LoadCatalog();
	if (ScopesetCovers(catalog_active, q))
		return CATALOG_ACTIVE;
	if (ScopesetCovers(catalog_retired, q))
		return CATALOG_RETIRED;
	return CATALOG_UNKNOWN;
}

static CacheKey
MakeKey(char kind, const char *principal, int plen, const char *node, int nlen)
{
	char	   *data = palloc(plen + nlen + 2);
	CacheKey	key;

	data[0] = kind;
	memcpy(data + 1, principal, plen);
	data[1 + plen] = '\0';
	memcpy(data + 2 + plen, node, nlen);
	key.data = data;
	key.len = plen + nlen + 2;
	return key;
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

const WorkspaceReach *
ReachWorkspace(const char *principal, int plen, const char *workspace, int wlen)
{
	CacheKey	key = MakeKey(KEY_WORKSPACE, principal, plen, workspace, wlen);
	CacheEntry *entry = CacheFindEntry(key);
	Datum		args[2];

	if (entry != NULL)
		return entry->workspace;

	BeginRead();
	args[0] = PointerGetDatum(cstring_to_text_with_len(principal, plen));
	args[1] = PointerGetDatum(cstring_to_text_with_len(workspace, wlen));
	RunQuery(workspace_plan, args);
	entry = CacheInsertEntry(key, NodeSignal(workspace, wlen));
	entry->workspace = MemoryContextAlloc(CacheEntryContext(), sizeof(WorkspaceReach));
	BuildWorkspaceReach(entry->workspace, CacheEntryContext());
	SPI_finish();
	CacheSettleFreshness(entry);
	return entry->workspace;
}

/* Turn the rows of the organization query into an OrganizationReach in cxt. */
static OrganizationReach *
BuildOrganizationReach(MemoryContext cxt)
{
	OrganizationReach *reach = MemoryContextAllocZero(cxt, sizeof(OrganizationReach));

	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		bool		organization_kind = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[i],
																   SPI_tuptable->tupdesc, 1, &isnull));
		Scopeset   *scopes = CopyScopeset(SPI_getbinval(SPI_tuptable->vals[i],
														SPI_tuptable->tupdesc, 2, &isnull), cxt);

		if (organization_kind)
			reach->roles = scopes;
		else
			reach->workspace_roles = scopes;
	}
	if (reach->roles == NULL)
		reach->roles = EmptyScopeset(cxt);
	if (reach->workspace_roles == NULL)
		reach->workspace_roles = EmptyScopeset(cxt);
	return reach;
}

const OrganizationReach *
ReachOrganization(const char *principal, int plen, const char *organization, int olen)
{
	CacheKey	key = MakeKey(KEY_ORGANIZATION, principal, plen, organization, olen);
	CacheEntry *entry = CacheFindEntry(key);
	Datum		args[2];

	if (entry != NULL)
		return entry->organization;

	BeginRead();
	args[0] = PointerGetDatum(cstring_to_text_with_len(principal, plen));
	args[1] = PointerGetDatum(cstring_to_text_with_len(organization, olen));
	RunQuery(organization_plan, args);
	entry = CacheInsertEntry(key, 0);
	entry->organization = BuildOrganizationReach(CacheEntryContext());
	SPI_finish();
	CacheSettleFreshness(entry);
	return entry->organization;
}

/* A key of several NUL-terminated parts after a kind byte. */
static CacheKey
MakeListingKey(ListingKind kind, const char *principal, int plen, const char *scope,
			   const char *workspace, const char *type)
{
	StringInfoData buf;
	CacheKey	key;

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
ReachListing(ListingKind kind, const char *principal, int plen, const char *scope,
			 const char *workspace, const char *type)
{
	CacheKey	key = MakeListingKey(kind, principal, plen, scope, workspace, type);
	CacheEntry *entry = CacheFindEntry(key);
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

		listing_plans[kind] = PreparePlan(listing_sql[kind], 4, types);
	}
	args[0] = PointerGetDatum(cstring_to_text_with_len(principal, plen));
	args[1] = CStringGetTextDatum(scope);
	args[2] = workspace ? CStringGetTextDatum(workspace) : (Datum) 0;
	args[3] = type ? CStringGetTextDatum(type) : (Datum) 0;
	RunQueryWithNulls(listing_plans[kind], args, nulls);
	ids = palloc(sizeof(Datum) * (SPI_processed + 1));
	for (uint64 i = 0; i < SPI_processed; i++)
		ids[i] = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull);
	entry = CacheInsertEntry(key, LISTING_SIGNAL);
	old = MemoryContextSwitchTo(CacheEntryContext());
	array = construct_array(ids, (int) SPI_processed, TEXTOID, -1, false, TYPALIGN_INT);
	MemoryContextSwitchTo(old);
	entry->ids = array;
	SPI_finish();
	CacheSettleFreshness(entry);
	return entry->ids;
}

/* The API key last looked up, while the catalog context holds it. */
static bool
KeyLoaded(int64 id)
{
	CacheFlushIfPending();
	return api_key_info != NULL && api_key_id == id && api_key_epoch == CacheCatalogEpoch();
}

const ApiKeyInfo *
ReachApiKey(int64 id)
{
	Datum		args[1];
	ApiKeyInfo *info;
	bool		isnull;

	if (KeyLoaded(id))
		return api_key_info;
	BeginRead();
	args[0] = Int64GetDatum(id);
	RunQuery(api_key_plan, args);
	CacheFlushIfPending();
	info = MemoryContextAllocZero(CacheCatalogContext(), sizeof(ApiKeyInfo));
	if (SPI_processed == 1)
	{
		HeapTuple	tuple = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		rnull;
		bool		enull;
		Datum		restriction = SPI_getbinval(tuple, desc, 2, &rnull);
		Datum		expires = SPI_getbinval(tuple, desc, 3, &enull);

		info->exists = true;
		info->workspace = MemoryContextStrdup(CacheCatalogContext(),
											  TextDatumGetCString(SPI_getbinval(tuple, desc, 1, &isnull)));
		info->restriction = rnull ? NULL : CopyScopeset(restriction, CacheCatalogContext());
		info->expires_at = enull ? DT_NOEND : DatumGetTimestampTz(expires);
		info->revoked = !DatumGetBool(SPI_getbinval(tuple, desc, 4, &isnull));
	}
	SPI_finish();
	CacheNoteRead();
	api_key_id = id;
	api_key_info = info;
	api_key_epoch = CacheCatalogEpoch();
	return info;
}

const Scopeset *
ReachOnResource(const WorkspaceReach *reach, const char *type, int tlen,
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

/* Binary search of a listing sorted bytewise (COLLATE "C"). */
static bool
ListingHolds(ListingKind kind, const char *id)
{
	ArrayType  *ids = ReachListing(kind, "", 0, "", NULL, NULL);
	Datum	   *elems;
	int			lo = 0;
	int			hi;

	deconstruct_array(ids, TEXTOID, -1, false, TYPALIGN_INT, &elems, NULL, &hi);
	hi--;
	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;
		int			c = strcmp(TextDatumGetCString(elems[mid]), id);

		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return false;
}

bool
ReachWorkspaceKnown(const char *workspace)
{
	return ListingHolds(LIST_ALL_WORKSPACES, workspace);
}

bool
ReachOrganizationKnown(const char *organization)
{
	return ListingHolds(LIST_ALL_ORGANIZATIONS, organization);
}
