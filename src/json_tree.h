/*
 * json_tree.h
 *	  A small JSON object read into a tree: objects with their member names
 *	  and values, arrays with their elements, scalars with their token type.
 *
 * Built with PostgreSQL's own JSON parser, for token headers and claims and
 * for key sets.  Members are found by name in their own object and nowhere
 * else: no path is ever spelt out, so a member named "scopes[0]" or "a.b"
 * is just a member with that name.
 */
#ifndef RBAC_JSON_TREE_H
#define RBAC_JSON_TREE_H

#include "postgres.h"

#include "common/jsonapi.h"
#include "nodes/pg_list.h"

/*
 * The limits a document must keep, checked before the tree is built.  They
 * are far above what a token, its claims or a key set hold.
 */
#define JSON_TREE_MAX_BYTES		262144
#define JSON_TREE_MAX_DEPTH		32	/* containers inside one another */
#define JSON_TREE_MAX_VALUES	10000	/* containers and scalars; names not counted */

/* One value. */
typedef struct JsonNode
{
	JsonTokenType type;			/* JSON_TOKEN_OBJECT_START, _ARRAY_START, or
								 * the scalar's token type */
	char	   *scalar;			/* a string de-escaped, or the literal token;
								 * NULL for a container */
	List	   *names;			/* an object's member names (char *) */
	List	   *values;			/* an object's member values, in the order of
								 * names, or an array's elements (JsonNode *) */
} JsonNode;

/* Why a document was refused; JSON_TREE_OK when it was not. */
typedef enum JsonTreeStatus
{
	JSON_TREE_OK = 0,
	JSON_TREE_TOO_LONG,			/* more than JSON_TREE_MAX_BYTES */
	JSON_TREE_TOO_DEEP,			/* nests more than JSON_TREE_MAX_DEPTH */
	JSON_TREE_TOO_MANY_VALUES,	/* more than JSON_TREE_MAX_VALUES */
	JSON_TREE_INVALID,			/* not JSON, or not in the database encoding */
	JSON_TREE_NOT_OBJECT,		/* valid JSON whose root is not an object */
	JSON_TREE_REPEATED_NAME		/* some object names a member twice */
} JsonTreeStatus;

/*
 * Read len bytes of json into a tree whose root is an object.  On success
 * *root is the tree; otherwise it is NULL and the status says why.  Raises
 * nothing but a query cancel (and, before PostgreSQL 16 in a database whose
 * encoding is not UTF8, a \u escape of a character that encoding lacks).
 */
extern JsonTreeStatus JsonTreeParse(const char *json, size_t len, JsonNode **root);

/* Why a document was refused, as a phrase: "is not valid JSON". */
extern const char *JsonTreeStatusText(JsonTreeStatus status);

/* The value of an object's member, or NULL when absent or not an object. */
extern const JsonNode *JsonMember(const JsonNode *object, const char *name);

/* A string member's value, or NULL when absent or not a string. */
extern const char *JsonMemberString(const JsonNode *object, const char *name);

/*
 * The elements of an array of strings.  Returns -1 when the node is not an
 * array or holds anything but strings, else the count.
 */
extern int	JsonStringElements(const JsonNode *array, char ***values);

static inline bool
JsonIs(const JsonNode *node, JsonTokenType type)
{
	return node != NULL && node->type == type;
}

#endif							/* RBAC_JSON_TREE_H */
