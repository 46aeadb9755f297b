/*
 * jwt.c
 *	  Verifying JSON Web Tokens (JWS compact form) with OpenSSL's libcrypto.
 *
 * Supported: HS256/384/512 with rbac.jwt_secret; RS256/384/512 and ES256
 * with rbac.jwt_public_keys, a PEM public key or a JWKS document whose "kid"
 * selects the key.  "alg": "none" is refused, and so is any algorithm that
 * does not match its key: an HS token is checked only against the secret,
 * never against a public key, which defeats HS/RS confusion.  A "crit"
 * header is refused (RFC 7515 4.1.11), since rbac understands no extension.
 *
 * The token is parsed completely before any OpenSSL object is made, and
 * every OpenSSL object is freed before an error is raised.
 */
#include "postgres.h"

#include <math.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include "common/base64.h"
#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "compat.h"
#include "json_tree.h"
#include "jwt.h"

/* Longer inputs are refused before any parsing. */
#define MAX_TOKEN_BYTES 16384

/* An exp past the year 9999 never comes: the token never expires. */
#define MAX_EXP_SECONDS 253402300799.0

static char *jwt_secret = NULL;
static char *jwt_public_keys = NULL;
static int	jwt_leeway = 0;
static char *jwt_audience = NULL;
static char *jwt_issuer = NULL;
static int	jwt_scopes_mode = TOKEN_SCOPES_NARROW;

static const struct config_enum_entry scopes_mode_options[] = {
	{"narrow", TOKEN_SCOPES_NARROW, false},
	{"authoritative", TOKEN_SCOPES_AUTHORITATIVE, false},
	{NULL, 0, false}
};

typedef enum KeyKind
{
	KEY_SECRET,
	KEY_RSA,
	KEY_EC_P256
} KeyKind;

typedef struct Algorithm
{
	const char *name;
	KeyKind		key;
	int			bits;			/* SHA-2 digest size */
} Algorithm;

static const Algorithm algorithms[] = {
	{"HS256", KEY_SECRET, 256}, {"HS384", KEY_SECRET, 384}, {"HS512", KEY_SECRET, 512},
	{"RS256", KEY_RSA, 256}, {"RS384", KEY_RSA, 384}, {"RS512", KEY_RSA, 512},
	{"ES256", KEY_EC_P256, 256}
};

/* A verification outcome: NULL check means success. */
typedef struct Outcome
{
	const char *check;			/* what failed, for the message */
	const char *detail;			/* a full sentence */
} Outcome;

static const Outcome Ok = {NULL, NULL};

static Outcome
Fail(const char *check, const char *detail)
{
	Outcome		o = {check, detail};

	return o;
}

static pg_noreturn void
Refuse(Outcome o)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
			 errmsg("invalid token: %s", o.check),
			 errdetail_internal("%s", o.detail),
			 errhint("Present a current token, signed by a key configured in rbac.jwt_secret or rbac.jwt_public_keys.")));
}

static bool
CheckPublicKeys(char **newval, void **extra, GucSource source);

void
JwtDefineSettings(void)
{
	DefineCustomStringVariable("rbac.jwt_secret",
							   "Secret that verifies HS256, HS384 and HS512 tokens.",
							   NULL, &jwt_secret, "", PGC_SUSET,
							   GUC_SUPERUSER_ONLY | GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE,
							   NULL, NULL, NULL);
	DefineCustomStringVariable("rbac.jwt_public_keys",
							   "Public key (PEM) or key set (JWKS) that verifies RS256, RS384, RS512 and ES256 tokens.",
							   NULL, &jwt_public_keys, "", PGC_SUSET,
							   GUC_SUPERUSER_ONLY | GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE,
							   CheckPublicKeys, NULL, NULL);
	DefineCustomIntVariable("rbac.jwt_leeway",
							"Seconds of clock skew allowed when checking exp and nbf.",
							NULL, &jwt_leeway, 0, 0, 3600, PGC_SUSET, GUC_UNIT_S,
							NULL, NULL, NULL);
	DefineCustomStringVariable("rbac.jwt_audience",
							   "When set, a token's aud claim must contain this value.",
							   NULL, &jwt_audience, "", PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomStringVariable("rbac.jwt_issuer",
							   "When set, a token's iss claim must equal this value.",
							   NULL, &jwt_issuer, "", PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomEnumVariable("rbac.jwt_scopes",
							 "How a token's scopes combine with the grants: narrow or authoritative.",
							 "narrow: reach is the grants intersected with the token's scopes. "
							 "authoritative: the token's scopes are the whole reach.",
							 &jwt_scopes_mode, TOKEN_SCOPES_NARROW, scopes_mode_options,
							 PGC_SUSET, 0, NULL, NULL, NULL);
}

TokenScopesMode
JwtScopesMode(void)
{
	return (TokenScopesMode) jwt_scopes_mode;
}

/*
 * Does the last character of base64url text leave its unused low bits
 * zero?  Decoders ignore those bits, so without this check one signature
 * could be spelt several ways and a changed token would still verify.
 */
static bool
Base64UrlCanonicalEnd(const char *s, size_t len)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	int			unused = len % 4 == 2 ? 0x0f : (len % 4 == 3 ? 0x03 : 0);
	const char *c;

	if (unused == 0)
		return true;
	c = memchr(alphabet, s[len - 1], 64);
	return c != NULL && ((c - alphabet) & unused) == 0;
}

/* base64url without padding, as JWS uses it; NULL when malformed. */
static char *
Base64UrlDecode(const char *s, size_t len, int *outlen)
{
	size_t		padded = len + (4 - len % 4) % 4;
	char	   *b64;
	char	   *out;
	int			n;

	if (len % 4 == 1 || !Base64UrlCanonicalEnd(s, len))
		return NULL;
	b64 = palloc(padded + 1);
	for (size_t i = 0; i < len; i++)
	{
		char		c = s[i];

		if (c == '+' || c == '/' || c == '=')
			return NULL;
		b64[i] = c == '-' ? '+' : (c == '_' ? '/' : c);
	}
	for (size_t i = len; i < padded; i++)
		b64[i] = '=';
	out = palloc(pg_b64_dec_len((int) padded) + 1);
	n = RbacBase64Decode(b64, (int) padded, out, pg_b64_dec_len((int) padded));
	if (n < 0)
		return NULL;
	out[n] = '\0';
	*outlen = n;
	return out;
}

/* The three dot-separated parts of a compact JWS. */
typedef struct TokenParts
{
	const char *signing_input;	/* header.payload, as sent */
	size_t		signing_len;
	JsonNode   *header;
	JsonNode   *payload;
	unsigned char *signature;
	int			signature_len;
} TokenParts;

static Outcome
DecodeJsonPart(const char *s, size_t len, JsonNode **out, const char *what)
{
	int			n;
	char	   *bytes = Base64UrlDecode(s, len, &n);
	JsonTreeStatus status;

	if (bytes == NULL)
		return Fail("malformed base64url", psprintf("The %s is not base64url.", what));
	status = JsonTreeParse(bytes, n, out);
	if (status != JSON_TREE_OK)
		return Fail("malformed JSON", psprintf("The %s %s.", what, JsonTreeStatusText(status)));
	return Ok;
}

static Outcome
SplitToken(const char *token, size_t len, TokenParts *parts)
{
	const char *dot1 = memchr(token, '.', len);
	const char *dot2 = dot1 ? memchr(dot1 + 1, '.', len - (dot1 + 1 - token)) : NULL;
	const char *sig;
	Outcome		o;

	if (len == 0 || len > MAX_TOKEN_BYTES)
		return Fail("malformed token", "A token is a non-empty compact JWS of at most 16384 bytes.");
	if (dot2 == NULL || memchr(dot2 + 1, '.', len - (dot2 + 1 - token)) != NULL)
		return Fail("malformed token", "A compact JWS has three parts separated by \".\".");
	o = DecodeJsonPart(token, dot1 - token, &parts->header, "header");
	if (o.check)
		return o;
	o = DecodeJsonPart(dot1 + 1, dot2 - dot1 - 1, &parts->payload, "payload");
	if (o.check)
		return o;
	sig = dot2 + 1;
	parts->signature = (unsigned char *) Base64UrlDecode(sig, len - (sig - token), &parts->signature_len);
	if (parts->signature == NULL)
		return Fail("malformed base64url", "The signature is not base64url.");
	parts->signing_input = token;
	parts->signing_len = dot2 - token;
	return Ok;
}

static Outcome
ChooseAlgorithm(const JsonNode *header, const Algorithm **alg)
{
	const char *a = JsonMemberString(header, "alg");

	if (a == NULL)
		return Fail("missing algorithm", "The header has no \"alg\" string.");
	if (pg_strcasecmp(a, "none") == 0)
		return Fail("unsigned token", "Tokens with \"alg\": \"none\" are never accepted.");
	for (size_t i = 0; i < lengthof(algorithms); i++)
	{
		if (strcmp(algorithms[i].name, a) == 0)
		{
			*alg = &algorithms[i];
			return Ok;
		}
	}
	return Fail("unsupported algorithm",
				psprintf("\"%s\" is not one of HS256, HS384, HS512, RS256, RS384, RS512 or ES256.", a));
}

/*
 * RFC 7515 4.1.11: a recipient must refuse a token whose "crit" header
 * names an extension it does not understand.  rbac understands none, so
 * any "crit" is refused; one that is not a non-empty array of strings is
 * malformed besides.
 */
static Outcome
CheckCritical(const JsonNode *header)
{
	const JsonNode *crit = JsonMember(header, "crit");
	char	  **names;
	int			n;

	if (crit == NULL)
		return Ok;
	n = JsonStringElements(crit, &names);
	if (n <= 0)
		return Fail("malformed token", "The crit header is not a non-empty array of header names.");
	return Fail("unsupported critical header",
				psprintf("The crit header makes \"%s\" critical, and rbac understands no header extension.",
						 names[0]));
}

static const EVP_MD *
Digest(const Algorithm *alg)
{
	return alg->bits == 512 ? EVP_sha512() : (alg->bits == 384 ? EVP_sha384() : EVP_sha256());
}

static Outcome
VerifyHmac(const Algorithm *alg, const TokenParts *parts)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;

	if (jwt_secret == NULL || jwt_secret[0] == '\0')
		return Fail("no key for the algorithm",
					psprintf("%s tokens are verified with rbac.jwt_secret, which is not set.", alg->name));
	if (strstr(jwt_secret, "-----BEGIN") != NULL)
		return Fail("algorithm does not match the key type",
					"rbac.jwt_secret holds a PEM key, which never verifies an HMAC.");
	if (HMAC(Digest(alg), jwt_secret, (int) strlen(jwt_secret),
			 (const unsigned char *) parts->signing_input, parts->signing_len, mac, &maclen) == NULL)
		return Fail("bad signature", "The HMAC could not be computed.");
	if ((unsigned int) parts->signature_len != maclen ||
		CRYPTO_memcmp(mac, parts->signature, maclen) != 0)
		return Fail("bad signature", "The signature does not match the token.");
	return Ok;
}

/* The members of a JWK that rbac reads; each must be a string if present. */
static const char *const jwk_members[] = {"kid", "kty", "alg", "n", "e", "crv", "x", "y"};

static bool
JwkWellFormed(const JsonNode *key)
{
	if (!JsonIs(key, JSON_TOKEN_OBJECT_START))
		return false;
	for (size_t i = 0; i < lengthof(jwk_members); i++)
	{
		const JsonNode *member = JsonMember(key, jwk_members[i]);

		if (member != NULL && !JsonIs(member, JSON_TOKEN_STRING))
			return false;
	}
	return true;
}

/*
 * The keys of a JWKS document: a JSON object whose "keys" is a non-empty
 * array of well-formed JWKs (no member name repeated, as in any document
 * rbac reads).  NIL when the text is not such a document: a key set is read
 * whole or not at all.
 */
static List *
JwksKeys(const char *jwks)
{
	JsonNode   *root;
	const JsonNode *keys;
	ListCell   *lc;

	if (JsonTreeParse(jwks, strlen(jwks), &root) != JSON_TREE_OK)
		return NIL;
	keys = JsonMember(root, "keys");
	if (!JsonIs(keys, JSON_TOKEN_ARRAY_START))
		return NIL;
	foreach(lc, keys->values)
	{
		CHECK_FOR_INTERRUPTS();
		if (!JwkWellFormed((const JsonNode *) lfirst(lc)))
			return NIL;
	}
	return keys->values;
}

/* The bytes a base64url member of a key encodes, or NULL. */
static char *
JwkBytes(const JsonNode *key, const char *member, int *len)
{
	const char *value = JsonMemberString(key, member);

	return value ? Base64UrlDecode(value, strlen(value), len) : NULL;
}

/* An EVP_PKEY from a JWK's parameters; NULL when they are unusable. */
static EVP_PKEY *
JwkToKey(const JsonNode *key)
{
	const char *kty = JsonMemberString(key, "kty");
	const char *crv = JsonMemberString(key, "crv");
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY   *pkey = NULL;
	BIGNUM	   *n = NULL;
	BIGNUM	   *e = NULL;
	bool		ok = false;

	if (bld == NULL || kty == NULL)
		goto done;
	if (strcmp(kty, "RSA") == 0)
	{
		int			nlen;
		int			elen;
		char	   *nb = JwkBytes(key, "n", &nlen);
		char	   *eb = JwkBytes(key, "e", &elen);

		if (nb == NULL || eb == NULL)
			goto done;
		n = BN_bin2bn((unsigned char *) nb, nlen, NULL);
		e = BN_bin2bn((unsigned char *) eb, elen, NULL);
		ok = n && e && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) &&
			OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e);
		ctx = ok ? EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL) : NULL;
	}
	else if (strcmp(kty, "EC") == 0 && crv != NULL && strcmp(crv, "P-256") == 0)
	{
		int			xlen;
		int			ylen;
		char	   *xb = JwkBytes(key, "x", &xlen);
		char	   *yb = JwkBytes(key, "y", &ylen);
		unsigned char point[65];

		if (xb == NULL || yb == NULL || xlen != 32 || ylen != 32)
			goto done;
		point[0] = 0x04;		/* uncompressed */
		memcpy(point + 1, xb, 32);
		memcpy(point + 33, yb, 32);
		ok = OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
			OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point));
		ctx = ok ? EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL) : NULL;
	}
	if (ctx == NULL || (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
		EVP_PKEY_fromdata_init(ctx) <= 0 ||
		EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pkey = NULL;
done:
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	BN_free(n);
	BN_free(e);
	return pkey;
}

static EVP_PKEY *
PemToKey(const char *pem)
{
	BIO		   *bio = BIO_new_mem_buf(pem, -1);
	EVP_PKEY   *pkey = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;

	BIO_free(bio);
	return pkey;
}

/*
 * The public key for a token: the one PEM key, or the JWKS key whose "kid"
 * the header names (or the only key, when the header names none).
 */
static Outcome
ChoosePublicKey(const Algorithm *alg, const JsonNode *header, EVP_PKEY **pkey)
{
	const char *kid = JsonMemberString(header, "kid");
	const char *kalg;
	List	   *keys;
	const JsonNode *chosen = NULL;
	ListCell   *lc;

	if (JsonMember(header, "kid") != NULL && kid == NULL)
		return Fail("malformed token", "The kid header is not a string.");
	if (jwt_public_keys == NULL || jwt_public_keys[0] == '\0')
		return Fail("no key for the algorithm",
					psprintf("%s tokens are verified with rbac.jwt_public_keys, which is not set.", alg->name));
	if (jwt_public_keys[0] != '{')
	{
		*pkey = PemToKey(jwt_public_keys);
		return *pkey ? Ok : Fail("no key for the algorithm", "rbac.jwt_public_keys holds no usable PEM public key.");
	}
	keys = JwksKeys(jwt_public_keys);
	if (keys == NIL)
		return Fail("no key for the algorithm", "rbac.jwt_public_keys is not a JSON key set.");
	foreach(lc, keys)
	{
		const JsonNode *key = (const JsonNode *) lfirst(lc);
		const char *kkid = JsonMemberString(key, "kid");

		CHECK_FOR_INTERRUPTS();
		if (kid == NULL ? list_length(keys) == 1 : (kkid && strcmp(kkid, kid) == 0))
			chosen = key;
	}
	if (chosen == NULL)
		return Fail("unknown key", kid ? psprintf("No key in rbac.jwt_public_keys has kid \"%s\".", kid)
					: "The token names no kid, and rbac.jwt_public_keys holds more than one key.");
	kalg = JsonMemberString(chosen, "alg");
	if (kalg != NULL && strcmp(kalg, alg->name) != 0)
		return Fail("algorithm does not match the key type",
					psprintf("The key is for %s, and the token says %s.", kalg, alg->name));
	*pkey = JwkToKey(chosen);
	return *pkey ? Ok : Fail("no key for the algorithm", "The chosen key in rbac.jwt_public_keys is not a usable RSA or P-256 key.");
}

static bool
KeyMatches(EVP_PKEY *pkey, KeyKind kind)
{
	char		group[64];

	if (kind == KEY_RSA)
		return EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA;
	return EVP_PKEY_get_base_id(pkey) == EVP_PKEY_EC &&
		EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), NULL) &&
		strcmp(group, "prime256v1") == 0;
}

/* ES256 signs with raw r||s; OpenSSL verifies DER.  Returns DER length or -1. */
static int
Es256ToDer(const unsigned char *sig, int len, unsigned char **der)
{
	ECDSA_SIG  *es;
	BIGNUM	   *r;
	BIGNUM	   *s;
	int			n = -1;

	if (len != 64)
		return -1;
	es = ECDSA_SIG_new();
	r = BN_bin2bn(sig, 32, NULL);
	s = BN_bin2bn(sig + 32, 32, NULL);
	if (es != NULL && r != NULL && s != NULL && ECDSA_SIG_set0(es, r, s))
	{
		r = s = NULL;			/* now owned by es */
		n = i2d_ECDSA_SIG(es, der);
	}
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	return n;
}

static Outcome
VerifyPublic(const Algorithm *alg, const TokenParts *parts)
{
	EVP_PKEY   *pkey = NULL;
	EVP_MD_CTX *ctx = NULL;
	unsigned char *der = NULL;
	const unsigned char *sig = parts->signature;
	int			siglen = parts->signature_len;
	Outcome		o = ChoosePublicKey(alg, parts->header, &pkey);

	if (o.check == NULL && !KeyMatches(pkey, alg->key))
		o = Fail("algorithm does not match the key type",
				 psprintf("%s needs %s key.", alg->name, alg->key == KEY_RSA ? "an RSA" : "a P-256 EC"));
	if (o.check == NULL && alg->key == KEY_EC_P256)
	{
		siglen = Es256ToDer(parts->signature, parts->signature_len, &der);
		sig = der;
		if (siglen < 0)
			o = Fail("bad signature", "An ES256 signature is 64 bytes.");
	}
	if (o.check == NULL &&
		((ctx = EVP_MD_CTX_new()) == NULL ||
		 EVP_DigestVerifyInit(ctx, NULL, Digest(alg), NULL, pkey) != 1 ||
		 EVP_DigestVerify(ctx, sig, siglen, (const unsigned char *) parts->signing_input,
						  parts->signing_len) != 1))
		o = Fail("bad signature", "The signature does not match the token.");
	EVP_MD_CTX_free(ctx);
	OPENSSL_free(der);
	EVP_PKEY_free(pkey);
	return o;
}

static Outcome
NumericDate(const JsonNode *payload, const char *claim, bool *present, double *value)
{
	const JsonNode *n = JsonMember(payload, claim);
	char	   *end = NULL;

	*present = n != NULL;
	if (n == NULL)
		return Ok;
	*value = JsonIs(n, JSON_TOKEN_NUMBER) ? strtod(n->scalar, &end) : NAN;
	if (end == NULL || *end != '\0' || !isfinite(*value))
		return Fail("malformed claims", psprintf("The %s claim is not a number of seconds.", claim));
	return Ok;
}

static Outcome
CheckTimes(const JsonNode *payload)
{
	double		now = (double) timestamptz_to_time_t(GetCurrentTimestamp());
	bool		present;
	double		t;
	Outcome		o = NumericDate(payload, "exp", &present, &t);

	if (o.check)
		return o;
	if (present && now > t + jwt_leeway)
		return Fail("expired", psprintf("The token expired %.0f seconds ago.", now - t));
	o = NumericDate(payload, "nbf", &present, &t);
	if (o.check)
		return o;
	if (present && now < t - jwt_leeway)
		return Fail("not yet valid", psprintf("The token is valid only in %.0f seconds.", t - now));
	return Ok;
}

/* Does "aud", a string or an array of strings, name the audience? */
static bool
NamesAudience(const JsonNode *payload, const char *audience)
{
	const char *aud = JsonMemberString(payload, "aud");
	char	  **values;
	int			n;

	if (aud != NULL)
		return strcmp(aud, audience) == 0;
	n = JsonStringElements(JsonMember(payload, "aud"), &values);
	for (int i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (strcmp(values[i], audience) == 0)
			return true;
	}
	return false;
}

static Outcome
CheckAudienceAndIssuer(const JsonNode *payload)
{
	if (jwt_audience != NULL && jwt_audience[0] != '\0' && !NamesAudience(payload, jwt_audience))
		return Fail("wrong audience", psprintf("The aud claim does not name \"%s\".", jwt_audience));
	if (jwt_issuer != NULL && jwt_issuer[0] != '\0')
	{
		const char *iss = JsonMemberString(payload, "iss");

		if (iss == NULL || strcmp(iss, jwt_issuer) != 0)
			return Fail("wrong issuer", psprintf("The iss claim is not \"%s\".", jwt_issuer));
	}
	return Ok;
}

/*
 * A "scopes" array (seed 000) or an OAuth "scope" string, as a scopeset.
 * Both are members of the claims object itself, found by their names only.
 * A malformed name makes the whole token invalid rather than quietly wider.
 */
static Outcome
ReadScopes(const JsonNode *payload, Scopeset **scopes)
{
	const JsonNode *array = JsonMember(payload, "scopes");
	const JsonNode *string = JsonMember(payload, "scope");
	char	  **names;
	int			n;
	ScopeRef   *refs;

	*scopes = NULL;
	if (array != NULL)
	{
		n = JsonStringElements(array, &names);
		if (n < 0)
			return Fail("malformed claims", "The scopes claim is not an array of strings.");
	}
	else if (string != NULL)
	{
		char	   *copy;
		char	   *tok;

		if (!JsonIs(string, JSON_TOKEN_STRING))
			return Fail("malformed claims", "The scope claim is not a string.");
		names = palloc(sizeof(char *) * (strlen(string->scalar) / 2 + 1));
		n = 0;
		copy = pstrdup(string->scalar);
		for (tok = strtok(copy, " \t\r\n"); tok; tok = strtok(NULL, " \t\r\n"))
			names[n++] = tok;
	}
	else
		return Ok;
	refs = palloc(sizeof(ScopeRef) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		size_t		errpos;

		CHECK_FOR_INTERRUPTS();
		if (scope_parse(names[i], strlen(names[i]), &refs[i], &errpos) != SCOPE_OK)
			return Fail("malformed claims", psprintf("The token scope \"%s\" is not a valid scope.", names[i]));
	}
	*scopes = ScopesetFromRefs(refs, n);
	return Ok;
}

/*
 * When the token stops being in force: a principal it sets, even for the
 * whole session, ends there.
 */
static Outcome
ReadExpiry(const JsonNode *payload, TimestampTz *expires)
{
	bool		present;
	double		t;
	Outcome		o = NumericDate(payload, "exp", &present, &t);

	*expires = DT_NOEND;
	if (o.check == NULL && present && t + jwt_leeway <= MAX_EXP_SECONDS)
		*expires = time_t_to_timestamptz((pg_time_t) Max(t + jwt_leeway, 0));
	return o;
}

static Outcome
ReadClaims(const JsonNode *payload, TokenClaims *claims)
{
	const char *sub = JsonMemberString(payload, "sub");
	Outcome		o;

	if (sub == NULL || sub[0] == '\0')
		return Fail("no subject", "The token has no non-empty \"sub\" claim to act for.");
	claims->subject = unconstify(char *, sub);
	o = ReadExpiry(payload, &claims->expires);
	if (o.check)
		return o;
	return ReadScopes(payload, &claims->scopes);
}

void
JwtVerify(const char *token, size_t len, TokenClaims *claims)
{
	TokenParts	parts;
	const Algorithm *alg = NULL;
	Outcome		o = SplitToken(token, len, &parts);

	if (o.check == NULL)
		o = ChooseAlgorithm(parts.header, &alg);
	if (o.check == NULL)
		o = CheckCritical(parts.header);
	if (o.check == NULL)
		o = alg->key == KEY_SECRET ? VerifyHmac(alg, &parts) : VerifyPublic(alg, &parts);
	if (o.check == NULL)
		o = CheckTimes(parts.payload);
	if (o.check == NULL)
		o = CheckAudienceAndIssuer(parts.payload);
	if (o.check == NULL)
		o = ReadClaims(parts.payload, claims);
	if (o.check != NULL)
		Refuse(o);
}

/*
 * The claims are read in a memory context of their own, and only the
 * subject and the scopes are kept, in the caller's.
 */
bool
ClaimsRead(const char *json, size_t len, TokenClaims *claims)
{
	MemoryContext work = AllocSetContextCreate(CurrentMemoryContext, "rbac claims",
											   ALLOCSET_SMALL_SIZES);
	MemoryContext caller = MemoryContextSwitchTo(work);
	JsonNode   *payload;
	TokenClaims found = {0};
	bool		ok;

	ok = JsonTreeParse(json, len, &payload) == JSON_TREE_OK &&
		ReadClaims(payload, &found).check == NULL;
	MemoryContextSwitchTo(caller);
	if (ok)
	{
		claims->subject = pstrdup(found.subject);
		claims->scopes = found.scopes ? ScopesetCopy(found.scopes) : NULL;
		claims->expires = found.expires;
	}
	MemoryContextDelete(work);
	return ok;
}

/* Refuse a key setting that could never verify anything. */
static bool
CheckPublicKeys(char **newval, void **extra, GucSource source)
{
	MemoryContext work;
	MemoryContext caller;
	EVP_PKEY   *pkey;
	bool		usable;

	if (*newval == NULL || (*newval)[0] == '\0')
		return true;
	if ((*newval)[0] != '{')
	{
		pkey = PemToKey(*newval);
		EVP_PKEY_free(pkey);
		if (pkey == NULL)
			GUC_check_errdetail("The value is neither a PEM public key nor a JWKS document.");
		return pkey != NULL;
	}
	work = AllocSetContextCreate(CurrentMemoryContext, "rbac key set", ALLOCSET_DEFAULT_SIZES);
	caller = MemoryContextSwitchTo(work);
	usable = JwksKeys(*newval) != NIL;
	MemoryContextSwitchTo(caller);
	MemoryContextDelete(work);
	if (!usable)
		GUC_check_errdetail("A JWKS document is a JSON object whose \"keys\" is a non-empty array of keys, "
							"with no member name repeated, and kid, kty, alg, n, e, crv, x and y strings where present.");
	return usable;
}
