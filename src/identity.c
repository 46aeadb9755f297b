/*
 * identity.c
 *	  Authenticating a principal (a verified JWT or an API key) and narrowing
 *	  what it may do (rbac.narrow()).
 *
 * Every refusal to authenticate is SQLSTATE 28000 and sets nothing.  An API
 * key's secret never appears in a message: only its public prefix does.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/cryptohash.h"
#include "common/sha2.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#include "cache.h"
#include "compat.h"
#include "jwt.h"
#include "principal.h"
#include "scopeset.h"

PG_FUNCTION_INFO_V1(rbac_authenticate_jwt);
PG_FUNCTION_INFO_V1(rbac_authenticate_api_key);
PG_FUNCTION_INFO_V1(rbac_new_api_key);
PG_FUNCTION_INFO_V1(rbac_narrow);
PG_FUNCTION_INFO_V1(rbac_current_narrowing);

/* "rbac_" + 12 hex prefix + "_" + 64 hex secret */
#define KEY_PREFIX_HEX	12
#define KEY_SECRET_HEX	64
#define KEY_LENGTH		(5 + KEY_PREFIX_HEX + 1 + KEY_SECRET_HEX)

Datum
rbac_authenticate_jwt(PG_FUNCTION_ARGS)
{
	text	   *token = PG_GETARG_TEXT_PP(0);
	bool		is_local = PG_ARGISNULL(1) ? true : PG_GETARG_BOOL(1);
	TokenClaims claims;
	char	   *credential;

	JwtVerify(VARDATA_ANY(token), VARSIZE_ANY_EXHDR(token), &claims);
	credential = psprintf("token\t%s\t%s\t%s\t%s",
						  JwtScopesMode() == TOKEN_SCOPES_AUTHORITATIVE ? "authoritative" : "narrow",
						  claims.subject,
						  claims.expires == DT_NOEND ? "-" : psprintf(INT64_FORMAT, (int64) claims.expires),
						  claims.scopes ? DatumGetCString(DirectFunctionCall1(scopeset_out,
																			  PointerGetDatum(claims.scopes))) : "-");
	if (strchr(claims.subject, '\t') != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("invalid token: malformed claims"),
				 errdetail("The sub claim holds a tab character."),
				 errhint("Issue tokens whose subject is a plain identifier.")));
	SetPrincipalContext(claims.subject, credential, is_local);
	PG_RETURN_TEXT_P(cstring_to_text(claims.subject));
}

static void
HexEncode(const unsigned char *bytes, int n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < n; i++)
	{
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

static void
Sha256(const char *data, size_t len, unsigned char *digest)
{
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);

	if (ctx == NULL || pg_cryptohash_init(ctx) < 0 ||
		pg_cryptohash_update(ctx, (const uint8 *) data, len) < 0 ||
		pg_cryptohash_final(ctx, digest, PG_SHA256_DIGEST_LENGTH) < 0)
		elog(ERROR, "could not compute SHA-256: %s", pg_cryptohash_error(ctx));
	pg_cryptohash_free(ctx);
}

/*
 * A new API key: 48 random bits of public prefix and 256 of secret, both
 * from pg_strong_random.  Returns (prefix, key, sha256 of the key); only the
 * prefix and the hash are ever stored.
 */
Datum
rbac_new_api_key(PG_FUNCTION_ARGS)
{
	unsigned char prefix_bytes[KEY_PREFIX_HEX / 2];
	unsigned char secret_bytes[KEY_SECRET_HEX / 2];
	char		prefix[KEY_PREFIX_HEX + 1];
	char		secret[KEY_SECRET_HEX + 1];
	char	   *key;
	unsigned char digest[PG_SHA256_DIGEST_LENGTH];
	bytea	   *hash = palloc(VARHDRSZ + sizeof(digest));
	TupleDesc	tupdesc;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	if (!pg_strong_random(prefix_bytes, sizeof(prefix_bytes)) ||
		!pg_strong_random(secret_bytes, sizeof(secret_bytes)))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate random bytes for an API key"),
				 errdetail("The operating system's random source failed."),
				 errhint("Try again; check the server's entropy source if it persists.")));
	HexEncode(prefix_bytes, sizeof(prefix_bytes), prefix);
	HexEncode(secret_bytes, sizeof(secret_bytes), secret);
	key = psprintf("rbac_%s_%s", prefix, secret);
	Sha256(key, strlen(key), digest);
	SET_VARSIZE(hash, VARHDRSZ + sizeof(digest));
	memcpy(VARDATA(hash), digest, sizeof(digest));
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	values[0] = CStringGetTextDatum(prefix);
	values[1] = CStringGetTextDatum(key);
	values[2] = PointerGetDatum(hash);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

static pg_noreturn void
RefuseKey(const char *check, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
			 errmsg("invalid API key: %s", check),
			 errdetail_internal("%s", detail),
			 errhint("Present a current key as rbac.create_api_key() returned it.")));
}

/* The key row for a prefix, read as the owner of the model. */
typedef struct KeyRow
{
	int64		id;
	char	   *creator;
	bytea	   *hash;
	bool		revoked;
	bool		expired;
} KeyRow;

static bool
FindKey(const char *prefix, KeyRow *row)
{
	Oid			types[1] = {TEXTOID};
	Datum		args[1] = {CStringGetTextDatum(prefix)};
	Oid			owner = CacheModelOwner();
	Oid			save_userid;
	int			save_sec;
	bool		found = false;
	bool		isnull;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(owner, save_sec | SECURITY_LOCAL_USERID_CHANGE);
	if (SPI_execute_with_args(
			"SELECT k.id, k.creator, k.secret_hash, k.revoked_at IS NOT NULL, "
			"       coalesce(k.expires_at OPERATOR(pg_catalog.<=) pg_catalog.clock_timestamp(), false) "
			"FROM rbac.api_keys AS k WHERE k.prefix OPERATOR(pg_catalog.=) $1",
			1, types, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed");
	SetUserIdAndSecContext(save_userid, save_sec);
	if (SPI_processed == 1)
	{
		HeapTuple	t = SPI_tuptable->vals[0];
		TupleDesc	d = SPI_tuptable->tupdesc;
		MemoryContext old = MemoryContextSwitchTo(CurTransactionContext);

		row->id = DatumGetInt64(SPI_getbinval(t, d, 1, &isnull));
		row->creator = TextDatumGetCString(SPI_getbinval(t, d, 2, &isnull));
		row->hash = DatumGetByteaPCopy(SPI_getbinval(t, d, 3, &isnull));
		row->revoked = DatumGetBool(SPI_getbinval(t, d, 4, &isnull));
		row->expired = DatumGetBool(SPI_getbinval(t, d, 5, &isnull));
		MemoryContextSwitchTo(old);
		found = true;
	}
	SPI_finish();
	return found;
}

/*
 * Authenticate with an API key: the principal becomes the key's creator,
 * bounded at every check by the key's workspace and restriction, and by
 * the creator's current reach.
 */
Datum
rbac_authenticate_api_key(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	bool		is_local = PG_ARGISNULL(1) ? true : PG_GETARG_BOOL(1);
	char	   *key = text_to_cstring(t);
	size_t		len = strlen(key);
	char		prefix[KEY_PREFIX_HEX + 1];
	unsigned char digest[PG_SHA256_DIGEST_LENGTH];
	KeyRow		row;

	if (len != KEY_LENGTH || strncmp(key, "rbac_", 5) != 0 || key[5 + KEY_PREFIX_HEX] != '_' ||
		strspn(key + 5, "0123456789abcdef") != KEY_PREFIX_HEX ||
		strspn(key + 6 + KEY_PREFIX_HEX, "0123456789abcdef") != KEY_SECRET_HEX)
		RefuseKey("malformed", "An API key is rbac_, 12 hex digits, _ and 64 hex digits.");
	memcpy(prefix, key + 5, KEY_PREFIX_HEX);
	prefix[KEY_PREFIX_HEX] = '\0';
	if (!FindKey(prefix, &row))
		RefuseKey("unknown key", psprintf("No API key has the prefix %s.", prefix));
	Sha256(key, len, digest);
	if (VARSIZE_ANY_EXHDR(row.hash) != sizeof(digest) ||
		timingsafe_bcmp(VARDATA_ANY(row.hash), digest, sizeof(digest)) != 0)
		RefuseKey("wrong secret", psprintf("The secret does not match the API key with prefix %s.", prefix));
	if (row.revoked)
		RefuseKey("revoked", psprintf("The API key with prefix %s was revoked.", prefix));
	if (row.expired)
		RefuseKey("expired", psprintf("The API key with prefix %s has expired.", prefix));
	SetPrincipalContext(row.creator, psprintf("key\t" INT64_FORMAT "\t%s", row.id, row.creator),
						is_local);
	PG_RETURN_TEXT_P(cstring_to_text(row.creator));
}

/*
 * Narrow the current principal for the rest of the transaction.  Only at
 * the top level of the transaction: a narrowing made inside a savepoint
 * could be undone by rolling the savepoint back, and nothing may widen it.
 */
Datum
rbac_narrow(PG_FUNCTION_ARGS)
{
	Scopeset   *scopes = PG_GETARG_SCOPESET_P(0);
	const PrincipalContext *ctx;
	Scopeset   *narrowed;

	if (GetCurrentTransactionNestLevel() > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
				 errmsg("cannot narrow inside a savepoint or an exception block"),
				 errdetail("Rolling back the savepoint would undo the narrowing, and a narrowing may never widen."),
				 errhint("Call rbac.narrow() before any SAVEPOINT, outside PL/pgSQL exception blocks.")));
	CacheBeginCheck();
	ctx = CurrentContext();
	narrowed = ctx->narrowing ? ScopesetIntersect(ctx->narrowing, scopes) : ScopesetCopy(scopes);
	(void) set_config_option("rbac.narrowing",
							 DatumGetCString(DirectFunctionCall1(scopeset_out, PointerGetDatum(narrowed))),
							 PGC_SUSET, PGC_S_SESSION, GUC_ACTION_LOCAL, true, 0, false);
	PG_RETURN_SCOPESET_P(narrowed);
}

Datum
rbac_current_narrowing(PG_FUNCTION_ARGS)
{
	const PrincipalContext *ctx;

	CacheBeginCheck();
	ctx = CurrentContext();
	if (ctx->narrowing == NULL)
		PG_RETURN_NULL();
	PG_RETURN_SCOPESET_P(ScopesetCopy(ctx->narrowing));
}
