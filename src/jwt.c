/*
 * jwt.c
 *	  Verifying JSON Web Tokens (JWS compact form) with OpenSSL's libcrypto.
 *
 * Supported: HS256/384/512 with rbac.jwt_secret; RS256/384/512 and ES256
 * with rbac.jwt_public_keys, a PEM public key or a JWKS document whose "kid"
 * selects the key.  "alg": "none" is refused, and so is any algorithm that
 * does not match its key: an HS token is checked only against the secret,
 * never against a public key, which defeats HS/RS confusion.
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
#include "utils/guc.h"
#include "utils/timestamp.h"

#include "compat.h"
#include "json_flat.h"
#include "jwt.h"

/* Longer inputs are refused before any parsing. */
#define MAX_TOKEN_BYTES 16384

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
	FlatJson	header;
	FlatJson	payload;
	unsigned char *signature;
	int			signature_len;
} TokenParts;

static Outcome
DecodeJsonPart(const char *s, size_t len, FlatJson *out, const char *what)
{
	int			n;
	char	   *bytes = Base64UrlDecode(s, len, &n);

	if (bytes == NULL)
		return Fail("malformed base64url", psprintf("The %s is not base64url.", what));
	if (!FlatJsonParse(bytes, n, out) || !out->root_is_object)
		return Fail("malformed JSON", psprintf("The %s is not a JSON object.", what));
	if (out->duplicate_key)
		return Fail("malformed JSON", psprintf("The %s repeats a member.", what));
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
ChooseAlgorithm(const FlatJson *header, const Algorithm **alg)
{
	const JsonScalar *a = FlatJsonGet(header, "alg");

	if (a == NULL || a->type != JSON_TOKEN_STRING)
		return Fail("missing algorithm", "The header has no \"alg\" string.");
	if (pg_strcasecmp(a->value, "none") == 0)
		return Fail("unsigned token", "Tokens with \"alg\": \"none\" are never accepted.");
	for (size_t i = 0; i < lengthof(algorithms); i++)
	{
		if (strcmp(algorithms[i].name, a->value) == 0)
		{
			*alg = &algorithms[i];
			return Ok;
		}
	}
	return Fail("unsupported algorithm",
				psprintf("\"%s\" is not one of HS256, HS384, HS512, RS256, RS384, RS512 or ES256.", a->value));
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

/* A string member of the k-th key of a key set, or NULL. */
static const char *
JwkMember(const FlatJson *jwks, int k, const char *member)
{
	return FlatJsonString(jwks, psprintf("keys[%d].%s", k, member));
}

/* The bytes a base64url member of a key encodes, or NULL. */
static char *
JwkBytes(const FlatJson *jwks, int k, const char *member, int *len)
{
	const char *value = JwkMember(jwks, k, member);

	return value ? Base64UrlDecode(value, strlen(value), len) : NULL;
}

/* An EVP_PKEY from a JWK's parameters; NULL when they are unusable. */
static EVP_PKEY *
JwkToKey(const FlatJson *jwks, int k)
{
	const char *kty = JwkMember(jwks, k, "kty");
	const char *crv = JwkMember(jwks, k, "crv");
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
		char	   *nb = JwkBytes(jwks, k, "n", &nlen);
		char	   *eb = JwkBytes(jwks, k, "e", &elen);

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
		char	   *xb = JwkBytes(jwks, k, "x", &xlen);
		char	   *yb = JwkBytes(jwks, k, "y", &ylen);
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
ChoosePublicKey(const Algorithm *alg, const FlatJson *header, EVP_PKEY **pkey)
{
	const char *kid = FlatJsonString(header, "kid");
	const char *kalg;
	FlatJson	jwks;
	int			nkeys;
	int			chosen = -1;

	if (FlatJsonGet(header, "kid") != NULL && kid == NULL)
		return Fail("malformed token", "The kid header is not a string.");
	if (jwt_public_keys == NULL || jwt_public_keys[0] == '\0')
		return Fail("no key for the algorithm",
					psprintf("%s tokens are verified with rbac.jwt_public_keys, which is not set.", alg->name));
	if (jwt_public_keys[0] != '{')
	{
		*pkey = PemToKey(jwt_public_keys);
		return *pkey ? Ok : Fail("no key for the algorithm", "rbac.jwt_public_keys holds no usable PEM public key.");
	}
	if (!FlatJsonParse(jwt_public_keys, strlen(jwt_public_keys), &jwks))
		return Fail("no key for the algorithm", "rbac.jwt_public_keys is not a JSON key set.");
	nkeys = FlatJsonArrayLength(&jwks, "keys");
	for (int k = 0; k < nkeys; k++)
	{
		const char *kkid = JwkMember(&jwks, k, "kid");

		if (kid == NULL ? nkeys == 1 : (kkid && strcmp(kkid, kid) == 0))
			chosen = k;
	}
	if (chosen < 0)
		return Fail("unknown key", kid ? psprintf("No key in rbac.jwt_public_keys has kid \"%s\".", kid)
					: "The token names no kid, and rbac.jwt_public_keys holds more than one key.");
	kalg = JwkMember(&jwks, chosen, "alg");
	if (kalg != NULL && strcmp(kalg, alg->name) != 0)
		return Fail("algorithm does not match the key type",
					psprintf("The key is for %s, and the token says %s.", kalg, alg->name));
	*pkey = JwkToKey(&jwks, chosen);
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
	Outcome		o = ChoosePublicKey(alg, &parts->header, &pkey);

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
NumericDate(const FlatJson *payload, const char *claim, bool *present, double *value)
{
	const JsonScalar *s = FlatJsonGet(payload, claim);
	char	   *end;

	*present = s != NULL;
	if (s == NULL)
		return Ok;
	*value = s->type == JSON_TOKEN_NUMBER ? strtod(s->value, &end) : NAN;
	if (s->type != JSON_TOKEN_NUMBER || *end != '\0' || !isfinite(*value))
		return Fail("malformed claims", psprintf("The %s claim is not a number of seconds.", claim));
	return Ok;
}

static Outcome
CheckTimes(const FlatJson *payload)
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

static Outcome
CheckAudienceAndIssuer(const FlatJson *payload)
{
	if (jwt_audience != NULL && jwt_audience[0] != '\0')
	{
		const JsonScalar *aud = FlatJsonGet(payload, "aud");
		char	  **values;
		int			n = FlatJsonStrings(payload, "aud", &values);
		bool		found = aud && aud->type == JSON_TOKEN_STRING && strcmp(aud->value, jwt_audience) == 0;

		for (int i = 0; i < n && !found; i++)
			found = strcmp(values[i], jwt_audience) == 0;
		if (!found)
			return Fail("wrong audience", psprintf("The aud claim does not name \"%s\".", jwt_audience));
	}
	if (jwt_issuer != NULL && jwt_issuer[0] != '\0')
	{
		const JsonScalar *iss = FlatJsonGet(payload, "iss");

		if (iss == NULL || iss->type != JSON_TOKEN_STRING || strcmp(iss->value, jwt_issuer) != 0)
			return Fail("wrong issuer", psprintf("The iss claim is not \"%s\".", jwt_issuer));
	}
	return Ok;
}

/*
 * A "scopes" array (seed 000) or an OAuth "scope" string, as a scopeset.
 * A malformed name makes the whole token invalid rather than quietly wider.
 */
static Outcome
ReadScopes(const FlatJson *payload, Scopeset **scopes)
{
	const JsonScalar *array = FlatJsonGet(payload, "scopes");
	const JsonScalar *string = FlatJsonGet(payload, "scope");
	char	  **names;
	int			n;
	ScopeRef   *refs;

	*scopes = NULL;
	if (array != NULL)
	{
		n = FlatJsonStrings(payload, "scopes", &names);
		if (n < 0)
			return Fail("malformed claims", "The scopes claim is not an array of strings.");
	}
	else if (string != NULL)
	{
		char	   *copy;
		char	   *tok;

		if (string->type != JSON_TOKEN_STRING)
			return Fail("malformed claims", "The scope claim is not a string.");
		names = palloc(sizeof(char *) * (strlen(string->value) / 2 + 1));
		n = 0;
		copy = pstrdup(string->value);
		for (tok = strtok(copy, " \t\r\n"); tok; tok = strtok(NULL, " \t\r\n"))
			names[n++] = tok;
	}
	else
		return Ok;
	refs = palloc(sizeof(ScopeRef) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		size_t		errpos;

		if (scope_parse(names[i], strlen(names[i]), &refs[i], &errpos) != SCOPE_OK)
			return Fail("malformed claims", psprintf("The token scope \"%s\" is not a valid scope.", names[i]));
	}
	*scopes = ScopesetFromRefs(refs, n);
	return Ok;
}

static Outcome
ReadClaims(const FlatJson *payload, TokenClaims *claims)
{
	const JsonScalar *sub = FlatJsonGet(payload, "sub");

	if (sub == NULL || sub->type != JSON_TOKEN_STRING || sub->value[0] == '\0')
		return Fail("no subject", "The token has no non-empty \"sub\" claim to act for.");
	claims->subject = sub->value;
	return ReadScopes(payload, &claims->scopes);
}

void
JwtVerify(const char *token, size_t len, TokenClaims *claims)
{
	TokenParts	parts;
	const Algorithm *alg = NULL;
	Outcome		o = SplitToken(token, len, &parts);

	if (o.check == NULL)
		o = ChooseAlgorithm(&parts.header, &alg);
	if (o.check == NULL)
		o = alg->key == KEY_SECRET ? VerifyHmac(alg, &parts) : VerifyPublic(alg, &parts);
	if (o.check == NULL)
		o = CheckTimes(&parts.payload);
	if (o.check == NULL)
		o = CheckAudienceAndIssuer(&parts.payload);
	if (o.check == NULL)
		o = ReadClaims(&parts.payload, claims);
	if (o.check != NULL)
		Refuse(o);
}

bool
ClaimsRead(const char *json, size_t len, TokenClaims *claims)
{
	FlatJson	payload;

	if (!FlatJsonParse(json, len, &payload) || !payload.root_is_object || payload.duplicate_key)
		return false;
	return ReadClaims(&payload, claims).check == NULL;
}

/* Refuse a key setting that could never verify anything. */
static bool
CheckPublicKeys(char **newval, void **extra, GucSource source)
{
	FlatJson	jwks;
	EVP_PKEY   *pkey;

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
	if (!FlatJsonParse(*newval, strlen(*newval), &jwks) || FlatJsonArrayLength(&jwks, "keys") == 0)
	{
		GUC_check_errdetail("A JWKS document is a JSON object with a non-empty \"keys\" array.");
		return false;
	}
	return true;
}
