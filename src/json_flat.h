/*
 * json_flat.h
 *	  A flat view of a small JSON document: every scalar by its path.
 *
 * Built on PostgreSQL's own JSON parser.  Paths join object keys with "."
 * and array positions as "[i]", so {"aud": ["a", "b"]} holds "aud[0]" and
 * "aud[1]".  Used for token headers and claims and for key sets, where the
 * shape is known and small.
 */
#ifndef RBAC_JSON_FLAT_H
#define RBAC_JSON_FLAT_H

#include "postgres.h"

#include "common/jsonapi.h"
#include "nodes/pg_list.h"

/*
 * One value.  Containers appear too, with type JSON_TOKEN_OBJECT_START or
 * JSON_TOKEN_ARRAY_START and no value, so "[]" is not mistaken for absent.
 */
typedef struct JsonScalar
{
	char	   *path;
	char	   *value;			/* de-escaped string, or the literal token */
	JsonTokenType type;
} JsonScalar;

typedef struct FlatJson
{
	List	   *scalars;		/* of JsonScalar, in document order */
	bool		root_is_object;
	bool		duplicate_key;	/* some path occurred twice */
} FlatJson;

/*
 * Parse json (len bytes, any encoding errors included) into a flat view.
 * Returns false for anything that is not valid JSON; never raises.
 */
extern bool FlatJsonParse(const char *json, size_t len, FlatJson *out);

/* The scalar at a path, or NULL. */
extern const JsonScalar *FlatJsonGet(const FlatJson *j, const char *path);

/*
 * The string at a path, or NULL when there is none or it is not a string:
 * a container's value is NULL, so callers that expect a string ask this.
 */
extern const char *FlatJsonString(const FlatJson *j, const char *path);

/*
 * The string elements of the array at a path.  Returns -1 when the path
 * holds something other than an array of strings, else the count.
 */
extern int	FlatJsonStrings(const FlatJson *j, const char *path, char ***values);

/* How many elements the array at path has (by its highest index). */
extern int	FlatJsonArrayLength(const FlatJson *j, const char *path);

#endif							/* RBAC_JSON_FLAT_H */
