/*
 * jwt.h
 *	  Verifying JSON Web Tokens, and reading token claims.
 *
 * Signatures and HMACs are OpenSSL's libcrypto; base64 and JSON are
 * PostgreSQL's own.  Every refusal is SQLSTATE 28000 with a message naming
 * the check that failed, raised before anything is set.
 */
#ifndef RBAC_JWT_H
#define RBAC_JWT_H

#include "postgres.h"

#include "datatype/timestamp.h"

#include "scopeset.h"

/* How token scopes combine with the grants in the database. */
typedef enum TokenScopesMode
{
	TOKEN_SCOPES_NARROW,		/* reach = grants ∩ token scopes */
	TOKEN_SCOPES_AUTHORITATIVE	/* reach = token scopes */
} TokenScopesMode;

/* What a verified token says about its subject. */
typedef struct TokenClaims
{
	char	   *subject;		/* the "sub" claim */
	Scopeset   *scopes;			/* the "scopes" or "scope" claim; NULL if absent */
	TimestampTz expires;		/* "exp" plus rbac.jwt_leeway; DT_NOEND if absent */
} TokenClaims;

extern void JwtDefineSettings(void);

/* The rbac.jwt_scopes setting. */
extern TokenScopesMode JwtScopesMode(void);

/* Verify a compact JWS and its claims; refuses with 28000. */
extern void JwtVerify(const char *token, size_t len, TokenClaims *claims);

/*
 * Read sub and scopes from a claims object that someone else verified, such
 * as PostgREST's request.jwt.claims, by the rules a token's claims follow.
 * Returns false, and sets nothing, when the claims are not a JSON object
 * within json_tree.h's limits with a non-empty string "sub" and well-formed
 * scopes.  The subject and scopes are allocated in the caller's context.
 */
extern bool ClaimsRead(const char *json, size_t len, TokenClaims *claims);

#endif							/* RBAC_JWT_H */
