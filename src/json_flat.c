/*
 * json_flat.c
 *	  A flat view of a small JSON document, built with PostgreSQL's parser.
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/memutils.h"

#include "json_flat.h"

/* Deeper values are parsed but not kept: none of our documents need them. */
#define MAX_DEPTH 4

typedef struct FlatState
{
	FlatJson   *out;
	int			depth;			/* containers open */
	bool		is_array[MAX_DEPTH + 1];
	char	   *key[MAX_DEPTH + 1];	/* current field, in an object */
	int			pos[MAX_DEPTH + 1]; /* current element, in an array */
} FlatState;

static char *
CurrentPath(FlatState *st)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int d = 1; d <= st->depth; d++)
	{
		if (st->is_array[d])
			appendStringInfo(&buf, "[%d]", st->pos[d]);
		else
		{
			if (buf.len > 0)
				appendStringInfoChar(&buf, '.');
			appendStringInfoString(&buf, st->key[d] ? st->key[d] : "");
		}
	}
	return buf.data;
}

static void
Record(FlatState *st, char *value, JsonTokenType type)
{
	JsonScalar *s = palloc(sizeof(JsonScalar));

	s->path = CurrentPath(st);
	s->value = value;
	s->type = type;
	if (FlatJsonGet(st->out, s->path) != NULL)
		st->out->duplicate_key = true;
	st->out->scalars = lappend(st->out->scalars, s);
}

/*
 * A container is recorded at its own path too, so an empty array is told
 * apart from an absent one.
 */
static void
Open(FlatState *st, bool array)
{
	if (st->depth == 0 && !array)
		st->out->root_is_object = true;
	if (st->depth < MAX_DEPTH)
		Record(st, NULL, array ? JSON_TOKEN_ARRAY_START : JSON_TOKEN_OBJECT_START);
	st->depth++;
	if (st->depth <= MAX_DEPTH)
	{
		st->is_array[st->depth] = array;
		st->key[st->depth] = NULL;
		st->pos[st->depth] = -1;
	}
}

static void
ObjectStart(void *state)
{
	Open((FlatState *) state, false);
}

static void
ArrayStart(void *state)
{
	Open((FlatState *) state, true);
}

static void
Close(void *state)
{
	((FlatState *) state)->depth--;
}

static void
FieldStart(void *state, char *fname, bool isnull)
{
	FlatState  *st = (FlatState *) state;

	if (st->depth <= MAX_DEPTH)
		st->key[st->depth] = fname;
}

static void
ElementStart(void *state, bool isnull)
{
	FlatState  *st = (FlatState *) state;

	if (st->depth <= MAX_DEPTH)
		st->pos[st->depth]++;
}

static void
Scalar(void *state, char *token, JsonTokenType tokentype)
{
	FlatState  *st = (FlatState *) state;

	if (st->depth <= MAX_DEPTH)
		Record(st, token, tokentype);
}

bool
FlatJsonParse(const char *json, size_t len, FlatJson *out)
{
	FlatState	st = {0};
	JsonSemAction sem = {0};
	char	   *copy;
	JsonLexContext *lex;

	out->scalars = NIL;
	out->root_is_object = false;
	out->duplicate_key = false;
	if (len > MaxAllocSize - 1 ||
		!pg_verify_mbstr(GetDatabaseEncoding(), json, (int) len, true))
		return false;
	copy = pnstrdup(json, len);
	st.out = out;
	sem.semstate = &st;
	sem.object_start = ObjectStart;
	sem.object_end = Close;
	sem.array_start = ArrayStart;
	sem.array_end = Close;
	sem.object_field_start = FieldStart;
	sem.array_element_start = ElementStart;
	sem.scalar = Scalar;
	lex = makeJsonLexContextCstringLen(copy, (int) len, GetDatabaseEncoding(), true);
	return pg_parse_json(lex, &sem) == JSON_SUCCESS;
}

const JsonScalar *
FlatJsonGet(const FlatJson *j, const char *path)
{
	ListCell   *lc;

	foreach(lc, j->scalars)
	{
		JsonScalar *s = (JsonScalar *) lfirst(lc);

		if (strcmp(s->path, path) == 0)
			return s;
	}
	return NULL;
}

const char *
FlatJsonString(const FlatJson *j, const char *path)
{
	const JsonScalar *s = FlatJsonGet(j, path);

	return s != NULL && s->type == JSON_TOKEN_STRING ? s->value : NULL;
}

int
FlatJsonArrayLength(const FlatJson *j, const char *path)
{
	size_t		plen = strlen(path);
	int			n = 0;
	ListCell   *lc;

	foreach(lc, j->scalars)
	{
		JsonScalar *s = (JsonScalar *) lfirst(lc);

		if (strncmp(s->path, path, plen) == 0 && s->path[plen] == '[')
			n = Max(n, atoi(s->path + plen + 1) + 1);
	}
	return n;
}

int
FlatJsonStrings(const FlatJson *j, const char *path, char ***values)
{
	size_t		plen = strlen(path);
	int			n = 0;
	ListCell   *lc;
	const JsonScalar *container = FlatJsonGet(j, path);

	*values = palloc(sizeof(char *) * (list_length(j->scalars) + 1));
	if (container == NULL || container->type != JSON_TOKEN_ARRAY_START)
		return -1;
	foreach(lc, j->scalars)
	{
		JsonScalar *s = (JsonScalar *) lfirst(lc);
		char	   *end;

		if (strncmp(s->path, path, plen) != 0 || s->path[plen] != '[')
			continue;
		/* Only "path[i]" itself: a deeper path means a nested value. */
		if (strtol(s->path + plen + 1, &end, 10) != n || strcmp(end, "]") != 0 ||
			s->type != JSON_TOKEN_STRING)
			return -1;
		(*values)[n++] = s->value;
	}
	return n;
}
