/*
 * scopeset.c
 *	  The scopeset constructor, text and binary I/O, and simple accessors.
 *
 * Input never reads a table: a value is fully described by its text, so
 * dump and restore, COPY and replicas need nothing else.
 */
#include "postgres.h"

#include "funcapi.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "scopeset.h"

PG_FUNCTION_INFO_V1(scopeset_in);
PG_FUNCTION_INFO_V1(scopeset_out);
PG_FUNCTION_INFO_V1(scopeset_recv);
PG_FUNCTION_INFO_V1(scopeset_send);
PG_FUNCTION_INFO_V1(scopeset_cardinality);
PG_FUNCTION_INFO_V1(scopeset_scopes);
PG_FUNCTION_INFO_V1(scope_name_is_valid);

#define SCOPESET_SYNTAX_HINT \
	"Write a scope set as {scope,...}, where a scope is segments of letters, " \
	"digits, \"_\" and \"-\" joined by \".\" or \":\", for example " \
	"{members.manage,agents:*:run}."

#define SCOPE_SYNTAX_HINT \
	"A scope is segments of letters, digits, \"_\" and \"-\" joined by " \
	"\".\" or \":\", where a segment may be the wildcard \"*\", for " \
	"example members.manage or agents:*:run."

#define SCOPESET_SIZE_HINT \
	"Use wildcards to cover families of scopes, or split the set."

#define SCOPESET_INPUT_HINT \
	"Remove repeated scopes and scopes a wildcard covers before converting, or split the set."

/* The pure-C loops of scope.c call this, so that they can be cancelled. */
static void
ScopeInterrupt(void)
{
	CHECK_FOR_INTERRUPTS();
}

void
ScopesetInit(void)
{
	scope_interrupt_hook = ScopeInterrupt;
}

void
ScopesetTooLarge(int n, Size namebytes)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("scopeset is too large"),
			 errdetail("Its %d scopes hold %zu bytes of names, and a scopeset holds at most %d.",
					   n, namebytes, SCOPESET_MAX_NAME_BYTES),
			 errhint(SCOPESET_SIZE_HINT)));
}

/*
 * Refuse, before reading any of it, an input larger than a value could
 * come from: longer than SCOPE_LITERAL_MAX_BYTES of text, or with more than
 * SCOPE_INPUT_MAX_ELEMENTS elements.  Both are about eight times what the
 * largest value takes, so repeats and covered elements still have room.
 */
void
ScopesetCheckInputSize(Size bytes, Size elements)
{
	if (bytes > SCOPE_LITERAL_MAX_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("scopeset input is too long"),
				 errdetail("The input is %zu bytes long, and at most %d bytes are read as a scopeset.",
						   bytes, SCOPE_LITERAL_MAX_BYTES),
				 errhint(SCOPESET_INPUT_HINT)));
	if (elements > SCOPE_INPUT_MAX_ELEMENTS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("scopeset input has too many elements"),
				 errdetail("The input has %zu elements, and at most %d are read as a scopeset.",
						   elements, SCOPE_INPUT_MAX_ELEMENTS),
				 errhint(SCOPESET_INPUT_HINT)));
}

/*
 * Build a value from refs that are already canonical.  Every ref's wild
 * flag must be correct, since it decides the wildcard index.
 */
Scopeset *
ScopesetBuild(const ScopeRef *refs, int n)
{
	Size		namebytes = 0;
	int			nwild = 0;
	Scopeset   *result;
	uint16	   *wild;
	char	   *names;
	uint16		end = 0;

	for (int i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		namebytes += refs[i].len;
		nwild += refs[i].wild ? 1 : 0;
	}
	if (namebytes > SCOPESET_MAX_NAME_BYTES)
		ScopesetTooLarge(n, namebytes);

	result = (Scopeset *) palloc0(ScopesetSize(n, nwild, namebytes));
	SET_VARSIZE(result, ScopesetSize(n, nwild, namebytes));
	result->nscopes = (uint16) n;
	result->nwild = (uint16) nwild;
	wild = result->ends + n;
	names = (char *) (wild + nwild);
	for (int i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		ScopeNameCopy(names + end, refs[i].name, refs[i].len);
		end += refs[i].len;
		result->ends[i] = end;
		if (refs[i].wild)
			*wild++ = (uint16) i;
	}
	return result;
}

/* Canonicalise refs in place and build a value from them. */
Scopeset *
ScopesetFromRefs(ScopeRef *refs, int n)
{
	ScopeRef   *scratch = NULL;
	int			nwild = 0;
	Scopeset   *result;

	/* Room for canonicalisation to copy the wildcards, if there are any. */
	for (int i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		nwild += refs[i].wild ? 1 : 0;
	}
	if (nwild > 0)
		scratch = palloc(mul_size(sizeof(ScopeRef), nwild));
	result = ScopesetBuild(refs, scope_canonicalize(refs, n, scratch));
	if (scratch != NULL)
		pfree(scratch);
	return result;
}

Scopeset *
ScopesetCopy(const Scopeset *s)
{
	Scopeset   *copy = palloc(VARSIZE(s));

	memcpy(copy, s, VARSIZE(s));
	return copy;
}

/* Every element of s as a ref with its wild flag and shape filled in. */
ScopeRef *
ScopesetRefs(const Scopeset *s)
{
	ScopeRef   *refs = palloc(sizeof(ScopeRef) * Max(s->nscopes, 1));

	for (int i = 0; i < s->nscopes; i++)
	{
		CHECK_FOR_INTERRUPTS();
		refs[i] = ScopesetRef(s, i);
		scope_fill(&refs[i]);
	}
	return refs;
}

/*
 * The 1-based character position of a byte offset.  The offset may fall
 * inside a multibyte character (a scope is cut at 255 bytes), so it is first
 * moved back to the start of that character.
 */
static int
CharPosition(const char *str, size_t len, size_t bytepos)
{
	int			clipped = pg_mbcliplen(str, (int) len, (int) Min(bytepos, len));

	return pg_mbstrlen_with_len(str, clipped) + 1;
}

static pg_noreturn void ReportLiteralError(const char *str, const ScopeLiteralError *err);
static pg_noreturn void ReportBadBinary(const char *detail);

/* Validate one scope name, reporting a bad one as 22P02. */
void
ScopeParseOrError(const char *s, size_t len, ScopeRef *ref)
{
	size_t		errpos;
	ScopeStatus status = scope_parse(s, len, ref, &errpos);

	if (status != SCOPE_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid scope: \"%s\"", pnstrdup(s, len)),
				 errdetail("At character %d, %s.",
						   CharPosition(s, len, errpos),
						   scope_status_text(status)),
				 len > 0 && s[0] == '{' ?
				 errhint("This argument is a single scope; to pass a set, cast it to scopeset.") :
				 errhint(SCOPE_SYNTAX_HINT)));
}

/* A text argument as a validated scope; the ref points into t. */
ScopeRef
ScopeFromText(const text *t)
{
	ScopeRef	ref;

	ScopeParseOrError(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), &ref);
	return ref;
}

static void
ReportLiteralError(const char *str, const ScopeLiteralError *err)
{
	int			pos = CharPosition(str, strlen(str), err->pos);
	char	   *detail;

	switch (err->status)
	{
		case LITERAL_NO_OPEN_BRACE:
			detail = err->pos >= strlen(str) ?
				pstrdup("The input ends before the opening \"{\" of a scope set.") :
				psprintf("A scope set must start with \"{\", but character %d is not \"{\".", pos);
			break;
		case LITERAL_NESTED_BRACE:
			detail = psprintf("Unexpected \"{\" at character %d: scope sets do not nest.", pos);
			break;
		case LITERAL_NO_CLOSE_BRACE:
			detail = psprintf("The input ends at character %d without the closing \"}\".", pos);
			break;
		case LITERAL_EMPTY_ELEMENT:
			detail = psprintf("Element %d, at character %d, is empty.", err->element, pos);
			break;
		case LITERAL_EXPECTED_COMMA:
			detail = psprintf("Expected \",\" or \"}\" after element %d, at character %d.", err->element, pos);
			break;
		case LITERAL_TRAILING_JUNK:
			detail = psprintf("Unexpected text after the closing \"}\", at character %d.", pos);
			break;
		case LITERAL_BAD_SCOPE:
			detail = psprintf("Element %d, \"%s\", is not a valid scope: at character %d, %s.",
							  err->element,
							  pnstrdup(str + err->elem_start, err->elem_len),
							  pos, scope_status_text(err->scope_status));
			break;
		default:
			elog(ERROR, "unexpected scope literal status %d", (int) err->status);
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type scopeset: \"%s\"", str),
			 errdetail_internal("%s", detail),
			 errhint(SCOPESET_SYNTAX_HINT)));
}

Datum
scopeset_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	size_t		len = strlen(str);
	ScopeRef   *refs;
	ScopeLiteralError err;
	int			n;

	ScopesetCheckInputSize(len, 0);
	refs = palloc_extended(mul_size(sizeof(ScopeRef), scope_literal_max_elements(str, len)),
						   MCXT_ALLOC_HUGE);
	n = scope_literal_parse(str, len, refs, &err);
	if (n < 0)
		ReportLiteralError(str, &err);
	PG_RETURN_SCOPESET_P(ScopesetFromRefs(refs, n));
}

Datum
scopeset_out(PG_FUNCTION_ARGS)
{
	Scopeset   *s = PG_GETARG_SCOPESET_P(0);
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	for (int i = 0; i < s->nscopes; i++)
	{
		ScopeRef	ref = ScopesetRef(s, i);

		CHECK_FOR_INTERRUPTS();
		if (i > 0)
			appendStringInfoChar(&buf, ',');
		appendBinaryStringInfo(&buf, ref.name, ref.len);
	}
	appendStringInfoChar(&buf, '}');
	PG_FREE_IF_COPY(s, 0);
	PG_RETURN_CSTRING(buf.data);
}

static void
ReportBadBinary(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid binary data for type scopeset"),
			 errdetail_internal("%s", detail),
			 errhint("Send the scopes in canonical order, as scopeset_send writes them.")));
}

/* Refuse to read past the message, with 22P03 rather than a protocol error. */
static void
NeedBytes(StringInfo buf, int n)
{
	if (n < 0 || buf->len - buf->cursor < n)
		ReportBadBinary("The value ends before its last scope.");
}

/*
 * Binary format: a version byte, an int32 count, then each scope as a
 * length byte followed by its name.  Only canonical values are accepted,
 * so a value's bytes on disk never depend on how it arrived.
 */
Datum
scopeset_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	ScopeRef   *refs;
	int			version;
	int			n;

	if (buf->len - buf->cursor < 5)
		ReportBadBinary("The value is shorter than its 5-byte header.");
	version = pq_getmsgbyte(buf);
	if (version != SCOPESET_BINARY_VERSION)
		ReportBadBinary(psprintf("The format version is %d, and only version %d is known.",
								 version, SCOPESET_BINARY_VERSION));
	n = (int) pq_getmsgint(buf, 4);
	if (n < 0 || n > SCOPESET_MAX_NAME_BYTES)
		ReportBadBinary(psprintf("The scope count %d is out of range.", n));
	refs = palloc(sizeof(ScopeRef) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		int			len;
		size_t		errpos;

		CHECK_FOR_INTERRUPTS();
		NeedBytes(buf, 1);
		len = pq_getmsgbyte(buf);
		NeedBytes(buf, len);
		if (scope_parse(pq_getmsgbytes(buf, len), len, &refs[i], &errpos) != SCOPE_OK)
			ReportBadBinary(psprintf("Scope %d is not a valid scope name.", i + 1));
	}
	if (buf->cursor != buf->len)
		ReportBadBinary("Bytes follow the last scope.");
	if (!scope_is_canonical(refs, n, palloc(sizeof(ScopeRef) * Max(n, 1))))
		ReportBadBinary("The scopes are not sorted, or one repeats or covers another.");
	PG_RETURN_SCOPESET_P(ScopesetBuild(refs, n));
}

Datum
scopeset_send(PG_FUNCTION_ARGS)
{
	Scopeset   *s = PG_GETARG_SCOPESET_P(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, SCOPESET_BINARY_VERSION);
	pq_sendint32(&buf, s->nscopes);
	for (int i = 0; i < s->nscopes; i++)
	{
		ScopeRef	ref = ScopesetRef(s, i);

		CHECK_FOR_INTERRUPTS();
		pq_sendbyte(&buf, (uint8) ref.len);
		pq_sendbytes(&buf, ref.name, ref.len);
	}
	PG_FREE_IF_COPY(s, 0);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

Datum
scopeset_cardinality(PG_FUNCTION_ARGS)
{
	Scopeset   *s = PG_GETARG_SCOPESET_P(0);
	int32		n = s->nscopes;

	PG_FREE_IF_COPY(s, 0);
	PG_RETURN_INT32(n);
}

/* The scopes of a set, one row each, in canonical order. */
Datum
scopeset_scopes(PG_FUNCTION_ARGS)
{
	FuncCallContext *funcctx;
	Scopeset   *s;

	if (SRF_IS_FIRSTCALL())
	{
		MemoryContext oldcontext;

		funcctx = SRF_FIRSTCALL_INIT();
		oldcontext = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);
		funcctx->user_fctx = DatumGetScopesetPCopy(PG_GETARG_DATUM(0));
		MemoryContextSwitchTo(oldcontext);
	}
	funcctx = SRF_PERCALL_SETUP();
	s = (Scopeset *) funcctx->user_fctx;
	if (funcctx->call_cntr < s->nscopes)
	{
		ScopeRef	ref = ScopesetRef(s, (int) funcctx->call_cntr);

		SRF_RETURN_NEXT(funcctx, PointerGetDatum(cstring_to_text_with_len(ref.name, ref.len)));
	}
	SRF_RETURN_DONE(funcctx);
}

/* Is the text a concrete scope name, as the catalog holds: no wildcard? */
Datum
scope_name_is_valid(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	ScopeRef	ref;
	size_t		errpos;
	bool		valid = scope_parse(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), &ref, &errpos) == SCOPE_OK
		&& !ref.wild;

	PG_RETURN_BOOL(valid);
}
