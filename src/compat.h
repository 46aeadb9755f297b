/*
 * compat.h
 *	  What differs between the PostgreSQL versions rbac builds against
 *	  (15 to 18), behind PG_VERSION_NUM guards, one section per API.
 *
 * Each section is self-contained: it includes what it needs and defines
 * only names of its own, so sections can be added and removed separately.
 */
#ifndef RBAC_COMPAT_H
#define RBAC_COMPAT_H

#include "postgres.h"

/* ------------------------------------------------------------------------
 * Functions that never return.
 *
 * PostgreSQL 18 replaced pg_attribute_noreturn(), written after the
 * declarator's return type, with pg_noreturn, written before it.  Older
 * versions get a pg_noreturn that works in the same place.
 * ------------------------------------------------------------------------
 */
#ifndef pg_noreturn
#define pg_noreturn pg_attribute_noreturn()
#endif

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
