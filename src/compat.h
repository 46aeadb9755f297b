/*
 * compat.h
 *	  What differs between the PostgreSQL majors rbac builds against (15 to
 *	  18), behind PG_VERSION_NUM guards, one section per API, so that the
 *	  rest of the code is written once, against the newest.
 *
 * Each section is self-contained: it includes what it needs and defines
 * only names of its own.  Majors 15, 17 and 18 are built and tested; 16 is
 * built only, and each guard names the major that changed the API.
 */
#ifndef RBAC_COMPAT_H
#define RBAC_COMPAT_H

#include "postgres.h"

/* ------------------------------------------------------------------------
 * Functions that never return.
 *
 * 18 replaced pg_attribute_noreturn() with pg_noreturn, a C11 function
 * specifier.  Older majors get a pg_noreturn that works in the same place:
 * after "static" or "extern", before the return type.
 * ------------------------------------------------------------------------
 */
#if PG_VERSION_NUM < 180000
#define pg_noreturn pg_attribute_noreturn()
#endif

/* ------------------------------------------------------------------------
 * A backend's local transaction id.
 *
 * 17 moved PGPROC's lxid into vxid, beside the backend's proc number.
 * Needs storage/proc.h where it is used.
 * ------------------------------------------------------------------------
 */
#if PG_VERSION_NUM >= 170000
#define PGPROC_LXID(proc) ((proc)->vxid.lxid)
#else
#define PGPROC_LXID(proc) ((proc)->lxid)
#endif

/* ------------------------------------------------------------------------
 * Base64 (common/base64.h).
 *
 * 18 made the binary side of pg_b64_encode() and pg_b64_decode() uint8
 * instead of char.  RbacBase64Decode() decodes into char on every major.
 * ------------------------------------------------------------------------
 */
#include "common/base64.h"

static inline int
RbacBase64Decode(const char *src, int len, char *dst, int dstlen)
{
#if PG_VERSION_NUM >= 180000
	return pg_b64_decode(src, len, (uint8 *) dst, dstlen);
#else
	return pg_b64_decode(src, len, dst, dstlen);
#endif
}

/* ------------------------------------------------------------------------
 * The JSON parser (common/jsonapi.h).
 *
 * 15: the semantic actions return void; makeJsonLexContextCstringLen()
 *     takes the text and allocates the lexer, which is freed with its
 *     memory context.
 * 16: the actions return JsonParseErrorType (JSON_SUCCESS to go on).
 * 17 and 18: makeJsonLexContextCstringLen() takes a lexer to fill (or
 *     NULL, to allocate one) and a size_t length; freeJsonLexContext()
 *     frees it.  The tokens handed to actions stay the actions' own, as
 *     long as nobody calls setJsonLexContextOwnsTokens() (18).
 * ------------------------------------------------------------------------
 */
#include "common/jsonapi.h"

#if PG_VERSION_NUM >= 160000
#define RBAC_JSON_ACTION		JsonParseErrorType
#define RBAC_JSON_ACTION_DONE	return JSON_SUCCESS
#else
#define RBAC_JSON_ACTION		void
#define RBAC_JSON_ACTION_DONE	return
#endif

/* A lexer over len bytes of json, which must outlive it. */
static inline JsonLexContext *
RbacJsonLexer(const char *json, size_t len, int encoding, bool need_escapes)
{
#if PG_VERSION_NUM >= 170000
	return makeJsonLexContextCstringLen(NULL, json, len, encoding, need_escapes);
#else
	return makeJsonLexContextCstringLen(unconstify(char *, json), (int) len,
										encoding, need_escapes);
#endif
}

static inline void
RbacJsonLexerFree(JsonLexContext *lex)
{
#if PG_VERSION_NUM >= 170000
	freeJsonLexContext(lex);
#else
	if (lex->strval != NULL)
	{
		pfree(lex->strval->data);
		pfree(lex->strval);
	}
	pfree(lex);
#endif
}

#endif							/* RBAC_COMPAT_H */
