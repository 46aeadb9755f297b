/*
 * check.c
 *	  has_scope() and the other checks, as called from row-level security.
 *
 * A policy calls has_scope() once per row, usually with a constant scope and
 * the row's workspace (and resource).  Each call site keeps a memo in
 * fn_extra: the scope, validated against the catalog, and for every
 * workspace seen so far whether the principal holds the scope there, and if
 * not, whether some resource grant there could still give it.  Most rows are
 * then answered with one hash probe on the workspace id.  Each answer is
 * the gate's (gate.h), asked once per node.  The memo is trusted only while
 * the cache generation and the principal are unchanged, so it never
 * outlives the data it was computed from; and a "yes" is given only while
 * the credential is still in force, against the current time, so a key or
 * token that expires mid-statement stops there.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "nodes/primnodes.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"

#include "cache.h"
#include "gate.h"
#include "principal.h"
#include "scopeset.h"

PG_FUNCTION_INFO_V1(rbac_has_scope);
PG_FUNCTION_INFO_V1(rbac_has_org_scope);
PG_FUNCTION_INFO_V1(rbac_principal_has_scope);
PG_FUNCTION_INFO_V1(rbac_effective_scopes);

/* The raw bytes of an id argument. */
typedef struct IdArg
{
	const char *bytes;
	int			len;
	Oid			type;
	Datum		datum;
} IdArg;

/*
 * What a call site knows about one node (workspace or organization).  The
 * key carries its bytes as two words (MakeKey()), so that comparing two
 * short keys is two word compares and never a byte loop.
 */
typedef struct NodeKey
{
	const char *data;
	uint32		len;
	uint64		lo;
	uint64		hi;
} NodeKey;

typedef struct NodeAnswer
{
	NodeKey		key;
	uint32		hash;
	char		status;			/* used by simplehash */
	GateAnswer	gate;			/* what the gate said of the node */
} NodeAnswer;

/* Keys up to this long are compared by their words alone. */
#define SHORT_KEY	16

static inline uint64
Load64(const char *p)
{
	uint64		v;

	memcpy(&v, p, 8);
	return v;
}

static inline uint32
Load32(const char *p)
{
	uint32		v;

	memcpy(&v, p, 4);
	return v;
}

/*
 * The first and last bytes of a key as two words.  Every node key is hashed
 * and compared for nearly every row of a policy, and ids are short, so the
 * words are read with loads that may overlap but never pass the end (a
 * byte at a time, or a zeroed word filled by copying, costs several times
 * as much).  Up to SHORT_KEY bytes, the two words hold every byte: equal
 * length and equal words mean equal keys.
 */
static inline NodeKey
MakeKey(const char *data, uint32 len)
{
	NodeKey		key = {data, len, 0, 0};

	if (len >= 8)
	{
		key.lo = Load64(data);
		key.hi = Load64(data + len - 8);
	}
	else if (len >= 4)
	{
		key.lo = Load32(data);
		key.hi = Load32(data + len - 4);
	}
	else if (len > 0)
		key.lo = (unsigned char) data[0] | (unsigned char) data[len / 2] << 8 |
			(uint32) (unsigned char) data[len - 1] << 16;
	return key;
}

static inline bool
KeysEqual(const NodeKey *a, const NodeKey *b)
{
	return a->len == b->len && a->lo == b->lo && a->hi == b->hi &&
		(a->len <= SHORT_KEY || memcmp(a->data, b->data, a->len) == 0);
}

/*
 * Hash a node key.  The words are folded in by multiplication, longer keys
 * fold their middle in too, and a final avalanche spreads every input bit
 * over the low bits that pick a bucket, since ids such as ws_00001 and
 * ws_00002 differ in a few bits of one byte.
 */
static inline uint32
NodeHash(const NodeKey *key)
{
	uint64		h = key->len * UINT64CONST(0x9e3779b97f4a7c15);

	h = (h ^ key->lo) * UINT64CONST(0xff51afd7ed558ccd);
	h ^= h >> 32;
	h = (h ^ key->hi) * UINT64CONST(0xc4ceb9fe1a85ec53);
	for (uint32 i = 8; key->len > SHORT_KEY && i + 8 < key->len; i += 8)
	{
		h = (h ^ Load64(key->data + i)) * UINT64CONST(0xff51afd7ed558ccd);
		h ^= h >> 32;
	}
	h ^= h >> 33;
	h *= UINT64CONST(0xff51afd7ed558ccd);
	h ^= h >> 33;
	return (uint32) h;
}

#define SH_PREFIX		answers
#define SH_ELEMENT_TYPE NodeAnswer
#define SH_KEY_TYPE		NodeKey
#define SH_KEY			key
#define SH_HASH_KEY(tb, k) NodeHash(&(k))
#define SH_EQUAL(tb, a, b) KeysEqual(&(a), &(b))
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a) ((a)->hash)
#define SH_SCOPE		static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/* Nodes a call site remembers before it starts over. */
#define MAX_ANSWERS		65536

typedef struct CheckMemo
{
	MemoryContext cxt;
	Oid			argtypes[5];

	/*
	 * The scope asked for, and what the catalog says of it.  A constant
	 * scope (the usual policy) need not be compared with the last one.
	 */
	bool		scope_constant;
	char	   *scope;
	int			scopelen;
	ScopeRef	q;
	CatalogStatus status;
	uint64		scope_generation;

	/*
	 * Answers per node, valid while the cache generation and the principal
	 * are those they were computed under.  "last" is the node of the
	 * previous call, since neighbouring rows often share one.
	 */
	MemoryContext answers_cxt;
	answers_hash *answers;
	uint64		generation;
	uint64		principal_generation;
	NodeAnswer *last;

	/* Until when the credential is in force: DT_NOEND, or a time to check. */
	TimestampTz in_force_until;
} CheckMemo;

/* Asks the gate about a node, given as text. */
typedef GateAnswer (*GateFunction) (const PrincipalContext *ctx, const ScopeRef *q,
									const char *node, int nlen);

static inline CheckMemo *
GetMemo(FunctionCallInfo fcinfo)
{
	CheckMemo  *memo = (CheckMemo *) fcinfo->flinfo->fn_extra;

	if (memo == NULL)
	{
		memo = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(CheckMemo));
		memo->cxt = fcinfo->flinfo->fn_mcxt;
		for (int i = 0; i < PG_NARGS() && i < 5; i++)
			memo->argtypes[i] = get_fn_expr_argtype(fcinfo->flinfo, i);
		fcinfo->flinfo->fn_extra = memo;
	}
	return memo;
}

/*
 * The raw bytes of a text, uuid or bigint argument.  A text id read from a
 * row is nearly always inline and uncompressed, so the test for that is
 * made here, and only other values are passed to the detoaster.
 */
static inline IdArg
GetIdArg(FunctionCallInfo fcinfo, CheckMemo *memo, int argno)
{
	IdArg		arg;

	arg.type = memo->argtypes[argno];
	arg.datum = PG_GETARG_DATUM(argno);
	switch (arg.type)
	{
		case UUIDOID:
			arg.bytes = (const char *) DatumGetUUIDP(arg.datum)->data;
			arg.len = UUID_LEN;
			break;
		case INT8OID:
			arg.bytes = (const char *) &fcinfo->args[argno].value;
			arg.len = sizeof(Datum);
			break;
		default:
			{
				text	   *t = (text *) DatumGetPointer(arg.datum);

				if (unlikely(VARATT_IS_COMPRESSED(t) || VARATT_IS_EXTERNAL(t)))
					t = DatumGetTextPP(arg.datum);

				arg.bytes = VARDATA_ANY(t);
				arg.len = VARSIZE_ANY_EXHDR(t);
			}
	}
	return arg;
}

/* The id as the text the rbac tables store it as. */
static char *
IdText(const IdArg *arg, int *len)
{
	char	   *s;

	switch (arg->type)
	{
		case UUIDOID:
			s = DatumGetCString(DirectFunctionCall1(uuid_out, arg->datum));
			break;
		case INT8OID:
			s = psprintf(INT64_FORMAT, DatumGetInt64(arg->datum));
			break;
		default:
			*len = arg->len;
			return pnstrdup(arg->bytes, arg->len);
	}
	*len = (int) strlen(s);
	return s;
}

static void
ReportNullScope(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
			 errmsg("scope must not be null"),
			 errdetail("A check needs the name of the scope it asks about."),
			 errhint("Pass a scope from the catalog, such as 'documents.read'.")));
}

/*
 * Is argument argno a constant of the expression itself?  Not merely
 * "stable": PL/pgSQL runs one expression state with new parameter values
 * each time, and a scope read once would then answer for another.
 */
static bool
ArgIsConst(FmgrInfo *flinfo, int argno)
{
	List	   *args = NIL;

	if (flinfo->fn_expr == NULL)
		return false;
	if (IsA(flinfo->fn_expr, FuncExpr))
		args = ((FuncExpr *) flinfo->fn_expr)->args;
	else if (IsA(flinfo->fn_expr, OpExpr))
		args = ((OpExpr *) flinfo->fn_expr)->args;
	return argno < list_length(args) && IsA(list_nth(args, argno), Const);
}

/*
 * Validate the scope against the catalog, once per call site and cache
 * generation.  An unknown name is an error whatever the row holds: a typo
 * must not silently read as "no".
 */
static void
ValidateNewScope(FunctionCallInfo fcinfo, CheckMemo *memo, int argno)
{
	text	   *scope;
	const char *name;
	int			len;

	scope = PG_GETARG_TEXT_PP(argno);
	name = VARDATA_ANY(scope);
	len = VARSIZE_ANY_EXHDR(scope);
	if (memo->scope_generation == CacheGeneration() && memo->scopelen == len &&
		memcmp(memo->scope, name, len) == 0)
		return;
	if (memo->scope)
		pfree(memo->scope);
	memo->scope = MemoryContextAlloc(memo->cxt, len + 1);
	memcpy(memo->scope, name, len);
	memo->scopelen = len;
	ScopeParseOrError(memo->scope, len, &memo->q);
	if (memo->q.wild)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("scope \"%s\" is a pattern", pnstrdup(name, len)),
				 errdetail("A check asks about one concrete scope, and a wildcard names many."),
				 errhint("Check each scope, or compare with rbac.effective_scopes() using @>.")));
	memo->status = ReachScopeStatus(&memo->q);
	if (memo->status == CATALOG_UNKNOWN)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown scope \"%s\"", pnstrdup(name, len)),
				 errdetail("The scope is not in the catalog rbac.scopes."),
				 errhint("Check the spelling, or add it with rbac.create_scope().")));
	memo->scope_generation = CacheGeneration();
	memo->scope_constant = ArgIsConst(fcinfo->flinfo, argno);
	memo->answers = NULL;		/* answers were for another scope */
}

/* Per row: a constant scope validated under this generation stands. */
static inline void
ValidateScope(FunctionCallInfo fcinfo, CheckMemo *memo, int argno)
{
	if (likely(memo->scope_constant && memo->scope_generation == CacheGeneration()))
		return;
	ValidateNewScope(fcinfo, memo, argno);
}

/* Start the answers over, for the current cache and principal. */
static void
ResetAnswers(CheckMemo *memo, const PrincipalContext *ctx)
{
	if (memo->answers_cxt == NULL)
		memo->answers_cxt = AllocSetContextCreate(memo->cxt, "rbac check memo",
												  ALLOCSET_DEFAULT_SIZES);
	MemoryContextReset(memo->answers_cxt);
	memo->answers = answers_create(memo->answers_cxt, 256, NULL);
	memo->last = NULL;
	/* Read the credential first: looking up a key may drop the cache. */
	memo->in_force_until = ContextInForceUntil(ctx);
	memo->generation = CacheGeneration();
	memo->principal_generation = PrincipalGeneration();
}

/*
 * Forget every answer once what they were computed from has changed.  This
 * runs for every row, so the test is inline and the reset is not.
 */
static inline void
SettleAnswers(CheckMemo *memo, const PrincipalContext *ctx)
{
	if (likely(memo->answers != NULL && memo->generation == CacheGeneration() &&
			   memo->principal_generation == PrincipalGeneration() &&
			   memo->answers->members < MAX_ANSWERS))
		return;
	ResetAnswers(memo, ctx);
}

static GateAnswer
OrganizationGate(const PrincipalContext *ctx, const ScopeRef *q, const char *org, int olen)
{
	GateAnswer	answer = {GateOrganization(ctx, q, org, olen), NULL};

	return answer;
}

/* Ask the gate about a node not in the memo, and remember the answer. */
static pg_noinline const NodeAnswer *
RememberAnswer(CheckMemo *memo, const PrincipalContext *ctx, const IdArg *node,
			   GateFunction gate, NodeKey key, uint32 hash)
{
	NodeAnswer *answer;
	NodeAnswer	computed;
	int			nlen;
	char	   *text;
	bool		found;

	text = IdText(node, &nlen);
	computed.gate = gate(ctx, &memo->q, text, nlen);
	/* Reading the cache may have dropped it; then the answer is for now only. */
	SettleAnswers(memo, ctx);
	key.data = memcpy(MemoryContextAlloc(memo->answers_cxt, key.len), key.data, key.len);
	answer = answers_insert_hash(memo->answers, key, hash, &found);
	answer->gate = computed.gate;
	return memo->last = answer;
}

/*
 * What the principal holds on a node, from the memo or computed and then
 * remembered.  The answer's resources pointer refers into the cache, which
 * stays put until the generation changes and SettleAnswers() forgets it.
 * The key's hash is computed once, for the previous row's answer (a match
 * on the hash first) and for the lookup; forced inline, since this runs
 * for every row and a call would spill the key to the stack.
 */
static pg_attribute_always_inline const NodeAnswer *
AnswerFor(CheckMemo *memo, const PrincipalContext *ctx, const IdArg *node, GateFunction gate)
{
	NodeKey		key = MakeKey(node->bytes, (uint32) node->len);
	uint32		hash = NodeHash(&key);
	NodeAnswer *answer;

	if (memo->last != NULL && memo->last->hash == hash && KeysEqual(&memo->last->key, &key))
		return memo->last;
	answer = answers_lookup_hash(memo->answers, key, hash);
	if (likely(answer != NULL))
		return memo->last = answer;
	return RememberAnswer(memo, ctx, node, gate, key, hash);
}

/*
 * Does a resource grant on (type, id) give q?  A text id is compared as it
 * is; only a uuid or bigint is spelt out first.
 */
static bool
ResourceGives(const GateAnswer *gate, const ScopeRef *q, const IdArg *type, const IdArg *id)
{
	int			idlen = id->len;
	const char *idtext = id->type == UUIDOID || id->type == INT8OID ? IdText(id, &idlen) : id->bytes;

	return GateOnResource(gate, q, type->bytes, type->len, idtext, idlen);
}

/*
 * Common start of the checks for the current principal: validate the scope,
 * and say whether the answer is a plain "no" (no principal, a retired scope).
 */
static inline bool
BeginCheck(FunctionCallInfo fcinfo, CheckMemo *memo, const PrincipalContext **ctx)
{
	if (PG_ARGISNULL(0))
		ReportNullScope();
	CacheBeginCheck();
	ValidateScope(fcinfo, memo, 0);
	*ctx = CurrentContext();
	if ((*ctx)->principal == NULL || memo->status != CATALOG_ACTIVE)
		return false;
	SettleAnswers(memo, *ctx);
	return true;
}

/*
 * A "yes" stands only while the credential is in force.  Only contexts
 * with an expiry read the clock, and only for a "yes".
 */
static inline bool
StillInForce(const CheckMemo *memo)
{
	return memo->in_force_until == DT_NOEND || GetCurrentTimestamp() < memo->in_force_until;
}

/*
 * has_scope(scope, workspace [, resource_type, resource_id]) for text, uuid
 * and bigint ids.  No principal, or a NULL id, is "no"; never an error.
 */
Datum
rbac_has_scope(PG_FUNCTION_ARGS)
{
	CheckMemo  *memo = GetMemo(fcinfo);
	const PrincipalContext *ctx;
	IdArg		ws;
	const NodeAnswer *answer;
	IdArg		type;
	IdArg		id;

	if (!BeginCheck(fcinfo, memo, &ctx) || PG_ARGISNULL(1))
		PG_RETURN_BOOL(false);
	ws = GetIdArg(fcinfo, memo, 1);
	answer = AnswerFor(memo, ctx, &ws, GateWorkspace);
	if (answer->gate.holds)
		PG_RETURN_BOOL(StillInForce(memo));
	if (PG_NARGS() == 2 || answer->gate.resources == NULL || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		PG_RETURN_BOOL(false);
	type = GetIdArg(fcinfo, memo, 2);
	id = GetIdArg(fcinfo, memo, 3);
	PG_RETURN_BOOL(ResourceGives(&answer->gate, &memo->q, &type, &id) && StillInForce(memo));
}

Datum
rbac_has_org_scope(PG_FUNCTION_ARGS)
{
	CheckMemo  *memo = GetMemo(fcinfo);
	const PrincipalContext *ctx;
	IdArg		org;

	if (!BeginCheck(fcinfo, memo, &ctx) || PG_ARGISNULL(1))
		PG_RETURN_BOOL(false);
	org = GetIdArg(fcinfo, memo, 1);
	PG_RETURN_BOOL(AnswerFor(memo, ctx, &org, OrganizationGate)->gate.holds && StillInForce(memo));
}

/* The principal argument of an administrative check, after the access rule. */
static char *
InspectedPrincipal(FunctionCallInfo fcinfo)
{
	char	   *principal = text_to_cstring(PG_GETARG_TEXT_PP(0));

	CheckMayInspectPrincipal(principal);
	return principal;
}

/* A principal's own reach at the workspace (and resource) arguments from wsarg on. */
static Scopeset *
ReachAt(FunctionCallInfo fcinfo, CheckMemo *memo, const char *principal, int wsarg)
{
	IdArg		ws = GetIdArg(fcinfo, memo, wsarg);
	int			len;
	char	   *type = NULL;
	char	   *id = NULL;

	if (PG_NARGS() > wsarg + 2 && !PG_ARGISNULL(wsarg + 1) && !PG_ARGISNULL(wsarg + 2))
	{
		IdArg		typearg = GetIdArg(fcinfo, memo, wsarg + 1);
		IdArg		idarg = GetIdArg(fcinfo, memo, wsarg + 2);

		type = IdText(&typearg, &len);
		id = IdText(&idarg, &len);
	}
	return PersonWorkspaceReach(principal, IdText(&ws, &len), type, id);
}

/*
 * principal_has_scope(principal, scope, workspace [, resource_type, resource_id]).
 * The scope is validated first, so a typo is an error whatever else is NULL.
 * A NULL resource id reaches nothing beyond the workspace, as in has_scope().
 */
Datum
rbac_principal_has_scope(PG_FUNCTION_ARGS)
{
	CheckMemo  *memo = GetMemo(fcinfo);
	char	   *principal;

	if (PG_ARGISNULL(1))
		ReportNullScope();
	CacheBeginCheck();
	ValidateScope(fcinfo, memo, 1);
	if (PG_ARGISNULL(0) || PG_ARGISNULL(2))
		PG_RETURN_NULL();
	principal = InspectedPrincipal(fcinfo);
	if (memo->status == CATALOG_RETIRED)
		PG_RETURN_BOOL(false);
	PG_RETURN_BOOL(ScopesetCovers(ReachAt(fcinfo, memo, principal, 2), &memo->q));
}

/* effective_scopes(principal, workspace [, resource_type, resource_id]) */
Datum
rbac_effective_scopes(PG_FUNCTION_ARGS)
{
	CheckMemo  *memo = GetMemo(fcinfo);
	char	   *principal;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	principal = InspectedPrincipal(fcinfo);
	CacheBeginCheck();
	PG_RETURN_SCOPESET_P(ReachAt(fcinfo, memo, principal, 1));
}
