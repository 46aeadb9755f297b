/*
 * listing.h
 *	  What the current principal can reach, as lists of ids: for the SQL
 *	  listing functions and for the planner (support.c).
 */
#ifndef RBAC_LISTING_H
#define RBAC_LISTING_H

#include "postgres.h"

#include "utils/array.h"

/* Which nodes a listing lists. */
typedef enum ListedNodes
{
	LISTED_WORKSPACES,			/* where the scope is held on the workspace */
	LISTED_WORKSPACES_VIA,		/* ... or on some resource of a type there */
	LISTED_ORGANIZATIONS		/* where an organization role gives it */
} ListedNodes;

/*
 * The ids, as a text[], that the current principal's listing holds for a
 * scope, exactly as the SQL listing functions give them; NULL when the
 * scope is not a concrete name in the catalog.  For the planner, which
 * must not raise on what it only estimates.
 */
extern ArrayType *ListedIds(ListedNodes nodes, const char *scope, const char *type);

/* How many resources of a type in a workspace a resource grant gives the scope on. */
extern int	ListedResourceCount(const char *scope, const char *workspace, const char *type);

/* An array of text ids as the element type of a node column: text, uuid or bigint. */
extern ArrayType *IdsAs(ArrayType *ids, Oid type);

#endif							/* RBAC_LISTING_H */
