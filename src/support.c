/*
 * support.c
 *	  Planner support for has_scope() and has_org_scope(): the index
 *	  condition that a policy written the simple way implies, and an
 *	  estimate of the rows it passes.
 *
 * USING (rbac.has_scope('documents.read', workspace_id)) can pass a row only
 * if workspace_id is one of the principal's accessible workspaces.  So when
 * workspace_id is indexed (btree or hash), the planner is told of the lossy
 * index condition
 *
 *	   workspace_id = ANY (rbac.accessible_workspaces('documents.read'))
 *
 * and has_scope() stays as the exact filter on each row the index finds.
 * With a resource (has_scope(s, w, t, r)) the list also holds the
 * workspaces where s is held on some resource of type t; for an
 * organization, accessible_organizations(s).  The list is a call, not a
 * constant: it is evaluated when the plan runs, for whoever is the
 * principal then, so a generic plan reused across principals, tokens, keys
 * and narrowings stays correct.  Check and list agree exactly (listing.c),
 * which is what makes the condition a superset of the rows has_scope()
 * passes.
 *
 * The estimate does read the current principal's listing, at plan time:
 * the fraction of rows whose workspace is listed, from the column's
 * statistics.  Correctness never depends on it.
 */
#include "postgres.h"

#include "access/stratnum.h"
#include "catalog/pg_am.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "nodes/pathnodes.h"
#include "nodes/supportnodes.h"
#include "optimizer/optimizer.h"
#include "parser/parse_func.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/selfuncs.h"
#include "utils/typcache.h"

#include "listing.h"
#include "support.h"

PG_FUNCTION_INFO_V1(rbac_check_support);

static bool index_support = true;

void
SupportDefineSettings(void)
{
	DefineCustomBoolVariable("rbac.index_support",
							 "Lets the planner derive index conditions and estimates from rbac checks.",
							 "Off, a policy written with has_scope() is planned as an opaque filter, as before version 0.3.",
							 &index_support, true, PGC_USERSET, 0, NULL, NULL, NULL);
}

/* A check call, by its arguments. */
typedef struct CheckCall
{
	bool		organization;	/* has_org_scope */
	Node	   *scope;
	Node	   *node;			/* the workspace or organization */
	Node	   *type;			/* the resource type, or NULL */
	Node	   *resource;		/* the resource id, or NULL */
} CheckCall;

static CheckCall
ReadCall(Oid funcid, List *args)
{
	CheckCall	c = {0};
	char	   *name = get_func_name(funcid);

	c.organization = name != NULL && strcmp(name, "has_org_scope") == 0;
	c.scope = linitial(args);
	c.node = lsecond(args);
	if (list_length(args) == 4)
	{
		c.type = lthird(args);
		c.resource = lfourth(args);
	}
	return c;
}

/* The listing function for this kind of node, whose ids have this type. */
static Oid
ListingFunction(const CheckCall *c, Oid idtype)
{
	const char *suffix = idtype == UUIDOID ? "_uuid" : (idtype == INT8OID ? "_bigint" : "");
	Oid			argtypes[2] = {TEXTOID, TEXTOID};
	char	   *name;

	if (idtype != TEXTOID && idtype != UUIDOID && idtype != INT8OID)
		return InvalidOid;
	name = psprintf("%s%s", c->organization ? "accessible_organizations" : "accessible_workspaces", suffix);
	return LookupFuncName(list_make2(makeString("rbac"), makeString(name)), c->type ? 2 : 1,
						  argtypes, true);
}

/*
 * Can the list be computed once for the whole scan?  Not when the scope or
 * resource type varies by row, or may change between calls.
 */
static bool
Constant(Node *n)
{
	return n == NULL || (!contain_var_clause(n) && !contain_volatile_functions(n));
}

/* node = ANY (array), with the equality operator eqop. */
static ScalarArrayOpExpr *
AnyOf(Node *node, Oid eqop, Oid collation, Node *array)
{
	ScalarArrayOpExpr *saop = makeNode(ScalarArrayOpExpr);

	saop->opno = eqop;
	saop->opfuncid = get_opcode(eqop);
	saop->useOr = true;
	saop->inputcollid = collation;
	saop->args = list_make2(copyObject(node), array);
	saop->location = -1;
	return saop;
}

/*
 * Does the query already say so?  A policy written the listing way,
 * workspace_id = ANY (accessible_workspaces(...)) AND has_scope(...), needs
 * the condition only once.
 */
static bool
AlreadyRestricted(RelOptInfo *rel, Node *condition)
{
	ListCell   *lc;

	foreach(lc, rel->baserestrictinfo)
	{
		RestrictInfo *rinfo = lfirst_node(RestrictInfo, lc);

		if (equal(rinfo->clause, condition))
			return true;
	}
	return false;
}

/* The lossy index condition for the node argument, or NIL. */
static List *
IndexCondition(SupportRequestIndexCondition *req)
{
	FuncExpr   *call = (FuncExpr *) req->node;
	CheckCall	c;
	Oid			idtype;
	Oid			listing;
	Oid			eqop;
	int			strategy;
	FuncExpr   *ids;
	ScalarArrayOpExpr *condition;

	if (!index_support || !IsA(req->node, FuncExpr) || req->indexarg != 1)
		return NIL;
	c = ReadCall(call->funcid, call->args);
	if (!Constant(c.scope) || !Constant(c.type))
		return NIL;
	if (req->index->relam == BTREE_AM_OID)
		strategy = BTEqualStrategyNumber;
	else if (req->index->relam == HASH_AM_OID)
		strategy = HTEqualStrategyNumber;
	else
		return NIL;
	idtype = exprType(c.node);
	listing = ListingFunction(&c, idtype);
	eqop = get_opfamily_member(req->opfamily, idtype, idtype, strategy);
	if (!OidIsValid(listing) || !OidIsValid(eqop))
		return NIL;
	ids = makeFuncExpr(listing, get_array_type(idtype),
					   c.type ? list_make2(copyObject(c.scope), copyObject(c.type))
					   : list_make1(copyObject(c.scope)),
					   get_typcollation(get_array_type(idtype)), DEFAULT_COLLATION_OID,
					   COERCE_EXPLICIT_CALL);
	condition = AnyOf(c.node, eqop, req->indexcollation, (Node *) ids);
	if (AlreadyRestricted(req->index->rel, (Node *) condition))
		return NIL;
	req->lossy = true;
	return list_make1(condition);
}

static char *
ConstText(Node *n)
{
	Const	   *c = (Const *) n;

	if (n == NULL || !IsA(n, Const) || c->constisnull || c->consttype != TEXTOID)
		return NULL;
	return TextDatumGetCString(c->constvalue);
}

/*
 * Lists longer than this are estimated from the number of distinct values
 * alone: weighing every id against the most common values costs planning
 * time on every statement of a principal who reaches many workspaces.
 */
#define EXACT_LISTING_MAX 32

/* The share of rows whose node is one of n distinct listed values. */
static Selectivity
DistinctShare(SupportRequestSelectivity *req, Node *node, int n)
{
	VariableStatData vardata;
	bool		isdefault;
	double		ndistinct;

	examine_variable(req->root, node, req->varRelid, &vardata);
	ndistinct = get_variable_numdistinct(&vardata, &isdefault);
	ReleaseVariableStats(vardata);
	return Min(1.0, n / Max(ndistinct, 1.0));
}

/* The selectivity of node = ANY (ids), from the statistics of node. */
static Selectivity
ListedFraction(SupportRequestSelectivity *req, Node *node, ArrayType *ids)
{
	Oid			idtype = exprType(node);
	int			n = ArrayGetNItems(ARR_NDIM(ids), ARR_DIMS(ids));
	Oid			eqop = lookup_type_cache(idtype, TYPECACHE_EQ_OPR)->eq_opr;
	ArrayType  *typed;
	Const	   *array;

	if (!OidIsValid(eqop) || !OidIsValid(get_array_type(idtype)))
		return -1;
	if (n == 0)
		return 0;
	if (n > EXACT_LISTING_MAX)
		return DistinctShare(req, node, n);
	typed = IdsAs(ids, idtype);
	array = makeConst(get_array_type(idtype), -1, InvalidOid, -1, PointerGetDatum(typed), false, false);
	return clause_selectivity(req->root, (Node *) AnyOf(node, eqop, exprCollation(node), (Node *) array),
							  req->varRelid, req->jointype, req->sjinfo);
}

/* Workspaces sampled to learn how many resources a grant list holds. */
#define RESOURCE_SAMPLE 16

/*
 * Of the rows of workspaces listed only through resource grants, the part
 * whose resource is granted: granted resources over the resources a
 * workspace has, on average (over a sample of the workspaces), by the
 * column statistics.
 */
static Selectivity
GrantedResourceFraction(SupportRequestSelectivity *req, const CheckCall *c, const char *scope,
						const char *type, ArrayType *via)
{
	VariableStatData ws;
	VariableStatData res;
	bool		isdefault;
	double		per_workspace;
	Datum	   *elems;
	int			n;
	int			sampled;
	double		granted = 0;

	examine_variable(req->root, c->node, req->varRelid, &ws);
	examine_variable(req->root, c->resource, req->varRelid, &res);
	per_workspace = get_variable_numdistinct(&res, &isdefault) /
		Max(get_variable_numdistinct(&ws, &isdefault), 1.0);
	ReleaseVariableStats(ws);
	ReleaseVariableStats(res);
	deconstruct_array(via, TEXTOID, -1, false, TYPALIGN_INT, &elems, NULL, &n);
	sampled = Min(n, RESOURCE_SAMPLE);
	for (int i = 0; i < sampled; i++)
		granted += ListedResourceCount(scope, TextDatumGetCString(elems[i]), type);
	return sampled == 0 ? 0 : Min(1.0, granted / sampled / Max(per_workspace, 1.0));
}

static int
CompareCStrings(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The elements of a text[], as sorted C strings. */
static char **
SortedIds(ArrayType *ids, int *n)
{
	Datum	   *elems;
	char	  **out;

	deconstruct_array(ids, TEXTOID, -1, false, TYPALIGN_INT, &elems, NULL, n);
	out = palloc(sizeof(char *) * Max(*n, 1));
	for (int i = 0; i < *n; i++)
		out[i] = TextDatumGetCString(elems[i]);
	qsort(out, *n, sizeof(char *), CompareCStrings);
	return out;
}

/* The ids in a but not in b. */
static ArrayType *
Without(ArrayType *a, ArrayType *b)
{
	int			na;
	int			nb;
	char	  **ia = SortedIds(a, &na);
	char	  **ib = SortedIds(b, &nb);
	Datum	   *kept = palloc(sizeof(Datum) * Max(na, 1));
	int			nkept = 0;
	int			j = 0;

	for (int i = 0; i < na; i++)
	{
		CHECK_FOR_INTERRUPTS();
		while (j < nb && strcmp(ib[j], ia[i]) < 0)
			j++;
		if (j >= nb || strcmp(ib[j], ia[i]) != 0)
			kept[nkept++] = CStringGetTextDatum(ia[i]);
	}
	return construct_array(kept, nkept, TEXTOID, -1, false, TYPALIGN_INT);
}

/*
 * The constant the query also equates the node with (workspace_id = 'w'),
 * as the text the listings hold, or NULL.  The planner multiplies the
 * selectivities of its clauses as if they were independent; the check is
 * not independent of its own node, so for such a query the estimate must
 * be the fraction of that node's rows that pass.
 */
static char *
EquatedNode(SupportRequestSelectivity *req, Node *node)
{
	Node	   *bare = strip_implicit_coercions(node);
	RelOptInfo *rel;
	ListCell   *lc;

	if (req->is_join || !IsA(bare, Var) || ((Var *) bare)->varlevelsup != 0 ||
		((Var *) bare)->varno >= req->root->simple_rel_array_size ||
		(rel = req->root->simple_rel_array[((Var *) bare)->varno]) == NULL)
		return NULL;
	foreach(lc, rel->baserestrictinfo)
	{
		OpExpr	   *op = (OpExpr *) lfirst_node(RestrictInfo, lc)->clause;
		Node	   *other;

		if (!IsA(op, OpExpr) || list_length(op->args) != 2 || get_oprrest(op->opno) != F_EQSEL)
			continue;
		other = equal(strip_implicit_coercions(linitial(op->args)), bare) ? lsecond(op->args)
			: (equal(strip_implicit_coercions(lsecond(op->args)), bare) ? linitial(op->args) : NULL);
		other = other ? strip_implicit_coercions(other) : NULL;
		if (other != NULL && IsA(other, Const) && !((Const *) other)->constisnull)
		{
			Oid			output;
			bool		varlena;

			getTypeOutputInfo(((Const *) other)->consttype, &output, &varlena);
			return OidOutputFunctionCall(output, ((Const *) other)->constvalue);
		}
	}
	return NULL;
}

static bool
Listed(ArrayType *ids, const char *id)
{
	Datum	   *elems;
	int			n;

	deconstruct_array(ids, TEXTOID, -1, false, TYPALIGN_INT, &elems, NULL, &n);
	for (int i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (strcmp(TextDatumGetCString(elems[i]), id) == 0)
			return true;
	}
	return false;
}

/* The fraction of rows the check passes, or -1 to leave it to the planner. */
static Selectivity
Estimate(SupportRequestSelectivity *req)
{
	CheckCall	c = ReadCall(req->funcid, req->args);
	char	   *scope = ConstText(c.scope);
	char	   *type = ConstText(c.type);
	char	   *equated;
	ArrayType  *held;
	ArrayType  *via;
	Selectivity sel = 0;

	if (!index_support || scope == NULL)
		return -1;
	held = ListedIds(c.organization ? LISTED_ORGANIZATIONS : LISTED_WORKSPACES, scope, NULL);
	if (held == NULL)
		return -1;
	equated = EquatedNode(req, c.node);
	if (equated != NULL && Listed(held, equated))
		return 1.0;
	if (equated == NULL && (sel = ListedFraction(req, c.node, held)) < 0)
		return -1;
	/* Every row already passes, or no resource can add to it. */
	if (c.type == NULL || type == NULL || c.resource == NULL || (!equated && sel >= 1.0))
		return equated ? 0.0 : sel;
	via = Without(ListedIds(LISTED_WORKSPACES_VIA, scope, type), held);
	if (equated != NULL)
		return Listed(via, equated) ? GrantedResourceFraction(req, &c, scope, type, via) : 0.0;
	if (ArrayGetNItems(ARR_NDIM(via), ARR_DIMS(via)) == 0)
		return sel;
	return Min(1.0, sel + Max(ListedFraction(req, c.node, via), 0) *
			   GrantedResourceFraction(req, &c, scope, type, via));
}

/* The support function of every has_scope() and has_org_scope(). */
Datum
rbac_check_support(PG_FUNCTION_ARGS)
{
	Node	   *rawreq = (Node *) PG_GETARG_POINTER(0);

	if (IsA(rawreq, SupportRequestIndexCondition))
	{
		List	   *conditions = IndexCondition((SupportRequestIndexCondition *) rawreq);

		PG_RETURN_POINTER(conditions);
	}
	if (IsA(rawreq, SupportRequestSelectivity))
	{
		SupportRequestSelectivity *req = (SupportRequestSelectivity *) rawreq;
		Selectivity sel = Estimate(req);

		if (sel < 0)
			PG_RETURN_POINTER(NULL);
		req->selectivity = sel;
		PG_RETURN_POINTER(req);
	}
	PG_RETURN_POINTER(NULL);
}
