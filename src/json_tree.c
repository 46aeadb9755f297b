/*
 * json_tree.c
 *	  A small JSON object read into a tree, with PostgreSQL's parser.
 *
 * Two passes.  The first only lexes, to measure the depth and the number of
 * values, so a document over the limits is refused before any node is made
 * (and before the parser recurses deeply).  The second parses, building the
 * tree from the parser's callbacks, and notes any object that repeats a
 * member name: a reader that took either value could be fooled, so such a
 * document is refused whole.
 */
#include "postgres.h"

#include "mb/pg_wchar.h"
#include "miscadmin.h"

#include "compat.h"
#include "json_tree.h"

typedef struct TreeBuilder
{
	JsonNode   *root;
	JsonNode   *open[JSON_TREE_MAX_DEPTH];	/* containers not yet closed */
	int			depth;
	char	   *field;			/* the member whose value comes next */
	bool		repeated_name;
} TreeBuilder;

/*
 * The first pass: the container depth and the number of values, stopping
 * as soon as either is over its limit.  A string followed by ':' was a
 * member name, not a value.
 */
static JsonTreeStatus
Measure(const char *json, size_t len)
{
	JsonLexContext *lex = RbacJsonLexer(json, len, GetDatabaseEncoding(), false);
	JsonTreeStatus status = JSON_TREE_OK;
	int			depth = 0;
	int			values = 0;

	while (status == JSON_TREE_OK)
	{
		CHECK_FOR_INTERRUPTS();
		if (json_lex(lex) != JSON_SUCCESS)
			status = JSON_TREE_INVALID;
		else if (lex->token_type == JSON_TOKEN_END)
			break;
		else if (lex->token_type == JSON_TOKEN_OBJECT_START ||
				 lex->token_type == JSON_TOKEN_ARRAY_START)
		{
			values++;
			if (++depth > JSON_TREE_MAX_DEPTH)
				status = JSON_TREE_TOO_DEEP;
		}
		else if (lex->token_type == JSON_TOKEN_OBJECT_END ||
				 lex->token_type == JSON_TOKEN_ARRAY_END)
			depth--;
		else if (lex->token_type == JSON_TOKEN_COLON)
			values--;
		else if (lex->token_type != JSON_TOKEN_COMMA)
			values++;
		if (status == JSON_TREE_OK && values > JSON_TREE_MAX_VALUES)
			status = JSON_TREE_TOO_MANY_VALUES;
	}
	RbacJsonLexerFree(lex);
	return status;
}

static int
CompareNames(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Does an object name some member twice?  Sorted, repeats are neighbours. */
static bool
RepeatsName(const JsonNode *object)
{
	int			n = list_length(object->names);
	char	  **names;
	int			i = 0;
	ListCell   *lc;

	if (n < 2)
		return false;
	names = palloc(sizeof(char *) * n);
	foreach(lc, object->names)
		names[i++] = (char *) lfirst(lc);
	qsort(names, n, sizeof(char *), CompareNames);
	for (i = 1; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (strcmp(names[i - 1], names[i]) == 0)
			break;
	}
	pfree(names);
	return i < n;
}

/* A new value goes into the open container, under the pending name. */
static JsonNode *
AddNode(TreeBuilder *b, JsonTokenType type, char *scalar)
{
	JsonNode   *node = palloc0(sizeof(JsonNode));
	JsonNode   *parent = b->depth > 0 ? b->open[b->depth - 1] : NULL;

	CHECK_FOR_INTERRUPTS();
	node->type = type;
	node->scalar = scalar;
	if (parent == NULL)
		b->root = node;
	else
	{
		if (parent->type == JSON_TOKEN_OBJECT_START)
			parent->names = lappend(parent->names, b->field);
		parent->values = lappend(parent->values, node);
	}
	b->field = NULL;
	return node;
}

static void
OpenContainer(TreeBuilder *b, JsonTokenType type)
{
	JsonNode   *node = AddNode(b, type, NULL);

	/* Measure() has kept the depth within the limit. */
	if (b->depth >= JSON_TREE_MAX_DEPTH)
		elog(ERROR, "JSON nesting exceeds the measured depth");
	b->open[b->depth++] = node;
}

static RBAC_JSON_ACTION
ObjectStart(void *state)
{
	OpenContainer((TreeBuilder *) state, JSON_TOKEN_OBJECT_START);
	RBAC_JSON_ACTION_DONE;
}

static RBAC_JSON_ACTION
ArrayStart(void *state)
{
	OpenContainer((TreeBuilder *) state, JSON_TOKEN_ARRAY_START);
	RBAC_JSON_ACTION_DONE;
}

static RBAC_JSON_ACTION
ObjectEnd(void *state)
{
	TreeBuilder *b = (TreeBuilder *) state;
	JsonNode   *object = b->open[--b->depth];

	if (!b->repeated_name && RepeatsName(object))
		b->repeated_name = true;
	RBAC_JSON_ACTION_DONE;
}

static RBAC_JSON_ACTION
ArrayEnd(void *state)
{
	((TreeBuilder *) state)->depth--;
	RBAC_JSON_ACTION_DONE;
}

static RBAC_JSON_ACTION
FieldStart(void *state, char *fname, bool isnull)
{
	((TreeBuilder *) state)->field = fname;
	RBAC_JSON_ACTION_DONE;
}

static RBAC_JSON_ACTION
Scalar(void *state, char *token, JsonTokenType tokentype)
{
	AddNode((TreeBuilder *) state, tokentype, token);
	RBAC_JSON_ACTION_DONE;
}

/* The second pass: the tree, or NULL when the text is not JSON. */
static JsonNode *
Build(const char *json, size_t len, bool *repeated_name)
{
	TreeBuilder b = {0};
	JsonSemAction sem = {0};
	JsonLexContext *lex = RbacJsonLexer(json, len, GetDatabaseEncoding(), true);
	JsonParseErrorType result;

	sem.semstate = &b;
	sem.object_start = ObjectStart;
	sem.object_end = ObjectEnd;
	sem.array_start = ArrayStart;
	sem.array_end = ArrayEnd;
	sem.object_field_start = FieldStart;
	sem.scalar = Scalar;
	result = pg_parse_json(lex, &sem);
	RbacJsonLexerFree(lex);
	*repeated_name = b.repeated_name;
	return result == JSON_SUCCESS ? b.root : NULL;
}

JsonTreeStatus
JsonTreeParse(const char *json, size_t len, JsonNode **root)
{
	JsonTreeStatus status;
	bool		repeated_name;

	*root = NULL;
	if (len > JSON_TREE_MAX_BYTES)
		return JSON_TREE_TOO_LONG;
	if (!pg_verify_mbstr(GetDatabaseEncoding(), json, (int) len, true))
		return JSON_TREE_INVALID;
	status = Measure(json, len);
	if (status != JSON_TREE_OK)
		return status;
	*root = Build(json, len, &repeated_name);
	if (*root == NULL)
		return JSON_TREE_INVALID;
	if ((*root)->type != JSON_TOKEN_OBJECT_START)
		status = JSON_TREE_NOT_OBJECT;
	else if (repeated_name)
		status = JSON_TREE_REPEATED_NAME;
	if (status != JSON_TREE_OK)
		*root = NULL;
	return status;
}

const char *
JsonTreeStatusText(JsonTreeStatus status)
{
	switch (status)
	{
		case JSON_TREE_OK:
			return "is a JSON object";
		case JSON_TREE_TOO_LONG:
			return "is longer than " CppAsString2(JSON_TREE_MAX_BYTES) " bytes";
		case JSON_TREE_TOO_DEEP:
			return "nests more than " CppAsString2(JSON_TREE_MAX_DEPTH) " levels deep";
		case JSON_TREE_TOO_MANY_VALUES:
			return "holds more than " CppAsString2(JSON_TREE_MAX_VALUES) " values";
		case JSON_TREE_INVALID:
			return "is not valid JSON";
		case JSON_TREE_NOT_OBJECT:
			return "is not a JSON object";
		case JSON_TREE_REPEATED_NAME:
			return "repeats a member name within an object";
	}
	return "is not a JSON object";
}

const JsonNode *
JsonMember(const JsonNode *object, const char *name)
{
	ListCell   *name_cell;
	ListCell   *value_cell;

	if (!JsonIs(object, JSON_TOKEN_OBJECT_START))
		return NULL;
	forboth(name_cell, object->names, value_cell, object->values)
	{
		CHECK_FOR_INTERRUPTS();
		if (strcmp((char *) lfirst(name_cell), name) == 0)
			return (const JsonNode *) lfirst(value_cell);
	}
	return NULL;
}

const char *
JsonMemberString(const JsonNode *object, const char *name)
{
	const JsonNode *value = JsonMember(object, name);

	return JsonIs(value, JSON_TOKEN_STRING) ? value->scalar : NULL;
}

int
JsonStringElements(const JsonNode *array, char ***values)
{
	int			n = 0;
	ListCell   *lc;

	*values = NULL;
	if (!JsonIs(array, JSON_TOKEN_ARRAY_START))
		return -1;
	*values = palloc(sizeof(char *) * (list_length(array->values) + 1));
	foreach(lc, array->values)
	{
		const JsonNode *element = (const JsonNode *) lfirst(lc);

		CHECK_FOR_INTERRUPTS();
		if (!JsonIs(element, JSON_TOKEN_STRING))
			return -1;
		(*values)[n++] = element->scalar;
	}
	return n;
}
