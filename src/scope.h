/*
 * scope.h
 *	  The grammar of a single scope name and the relations between scope
 *	  patterns.
 *
 * This file, scope.c, scope_literal.c and scope_search.c are plain C99
 * with no PostgreSQL dependency, so the parser, the canonicaliser and the
 * set search can be compiled into a standalone fuzzing harness.
 *
 * A scope is one or more segments joined by '.' or ':'.  A segment is a run
 * of [A-Za-z0-9_-], or the single character '*', a wildcard that matches
 * exactly one segment of any value.  The separators are part of the name, so
 * "a.b" and "a:b" are different scopes.
 */
#ifndef RBAC_SCOPE_H
#define RBAC_SCOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SCOPE_MAX_BYTES		255
#define SCOPE_MAX_SEGMENTS	32

/*
 * The longest set literal the parser is given: eight times the text of the
 * largest value (65,535 bytes of names and their commas).  The caller
 * refuses a longer one before parsing, so no input makes the parser, or the
 * array of refs it fills, larger than this bound.
 */
#define SCOPE_LITERAL_MAX_BYTES	(1 << 20)

/* The most elements an input may have: a literal of that length holds no more. */
#define SCOPE_INPUT_MAX_ELEMENTS (SCOPE_LITERAL_MAX_BYTES / 2)

/*
 * Every loop here whose length depends on the input calls
 * scope_check_interrupts() once per step, and every 64th call reaches the
 * hook, so that the server can cancel long work (a step costs well under a
 * microsecond).  The hook is NULL in the fuzzing harness.  It may not
 * return (the server longjmps out of it), so nothing here holds a resource
 * across a call: no allocation, no lock.
 */
typedef void (*ScopeInterruptHook) (void);
extern ScopeInterruptHook scope_interrupt_hook;
extern unsigned int scope_interrupt_ticks;

static inline void
scope_check_interrupts(void)
{
	if ((++scope_interrupt_ticks & 63) == 0 && scope_interrupt_hook != NULL)
		scope_interrupt_hook();
}

/* Why a scope name was refused; SCOPE_OK when it was not. */
typedef enum ScopeStatus
{
	SCOPE_OK = 0,
	SCOPE_EMPTY,				/* zero-length name */
	SCOPE_TOO_LONG,				/* more than SCOPE_MAX_BYTES */
	SCOPE_TOO_MANY_SEGMENTS,	/* more than SCOPE_MAX_SEGMENTS */
	SCOPE_EMPTY_SEGMENT,		/* leading, trailing or doubled separator */
	SCOPE_BAD_CHARACTER,		/* a byte outside the grammar */
	SCOPE_PARTIAL_WILDCARD		/* '*' sharing a segment with other bytes */
} ScopeStatus;

/*
 * One scope name inside a larger buffer.  "shape" packs the segment count
 * and the separator sequence, so two scopes can only cover or meet one
 * another when their shapes are equal; comparing it first rejects most pairs
 * with one integer comparison.
 */
typedef struct ScopeRef
{
	const char *name;			/* not NUL-terminated */
	uint16_t	len;			/* bytes in name */
	bool		wild;			/* holds at least one '*' segment */
	uint64_t	shape;			/* segment count << 32 | one bit per ':' */
} ScopeRef;

static inline bool
scope_is_separator(unsigned char c)
{
	return c == '.' || c == ':';
}

/* Length of the segment of s that starts at byte i. */
static inline size_t
scope_segment_length(const ScopeRef *s, size_t i)
{
	size_t		j = i;

	while (j < s->len && !scope_is_separator((unsigned char) s->name[j]))
		j++;
	return j - i;
}

/*
 * Validate one name.  On success fill *ref (pointing into s); on failure
 * return the reason and set *errpos to the offending byte offset.
 */
extern ScopeStatus scope_parse(const char *s, size_t len, ScopeRef *ref,
							   size_t *errpos);

/* A lowercase phrase saying why a name was refused, for error details. */
extern const char *scope_status_text(ScopeStatus status);

/* Fill in wild and shape of a ref whose name is already known to be valid. */
extern void scope_fill(ScopeRef *ref);

/* Bytewise order: memcmp, then the shorter name first. */
extern int	scope_cmp(const ScopeRef *a, const ScopeRef *b);

/* Does pattern p match every name that q matches? */
extern bool scope_covers(const ScopeRef *p, const ScopeRef *q);

/* Is there a concrete name that both p and q match? */
extern bool scope_overlaps(const ScopeRef *p, const ScopeRef *q);

/*
 * Write the segment-wise meet of p and q (the pattern matching exactly the
 * names both match) into out, which must hold SCOPE_MAX_BYTES bytes.
 * Returns its length, or -1 when the two share no name.
 */
extern int	scope_meet(const ScopeRef *p, const ScopeRef *q, char *out);

/* One bit per segment of s that is the wildcard, the first segment lowest. */
extern uint32_t scope_wild_mask(const ScopeRef *s);

/*
 * Searching a set of scopes, sorted bytewise, for the elements that stand
 * in a relation to one scope q.  The search walks q segment by segment and
 * follows, at each segment, only the runs of elements that can still
 * relate: q's value and "*" (where the element may hold a wildcard), or
 * every value (where q holds one and the relation lets it match anything).
 * Each step is a binary search, so a query costs O(log n) per path
 * followed, and a path is followed only while some element lies on it.
 */
typedef enum ScopeRelation
{
	SCOPE_COVERED_BY,			/* the element covers q */
	SCOPE_COVERS,				/* q covers the element */
	SCOPE_OVERLAPS				/* they share a concrete name */
} ScopeRelation;

/*
 * A set as scope_search() reads it: an array of refs, or names stored back
 * to back, each ending where ends[] says (a scopeset's layout), of which
 * the set holds those that pick lists, or all.  Read from the second form,
 * an element's wild flag and shape are not known (false and 0).
 */
typedef struct ScopeList
{
	const ScopeRef *refs;		/* the elements; or, when NULL: */
	const char *names;			/* the name area */
	const uint16_t *ends;		/* the end offset of each name */
	const uint16_t *pick;		/* element i is name pick[i]; NULL: name i */
	int			n;				/* how many elements */
} ScopeList;

static inline ScopeList
scope_list_of(const ScopeRef *refs, int n)
{
	ScopeList	list = {refs, NULL, NULL, NULL, n};

	return list;
}

static inline ScopeRef
scope_list_get(const ScopeList *list, int i)
{
	ScopeRef	ref = {NULL, 0, false, 0};
	int			k;

	if (list->refs != NULL)
		return list->refs[i];
	k = list->pick != NULL ? list->pick[i] : i;
	ref.name = list->names + (k == 0 ? 0 : list->ends[k - 1]);
	ref.len = (uint16_t) (list->ends[k] - (k == 0 ? 0 : list->ends[k - 1]));
	return ref;
}

/* Called for each element found; return false to end the search. */
typedef bool (*ScopeVisit) (void *arg, const ScopeRef *element);

/* Sort refs[0..n) bytewise and drop repeats; returns how many are left. */
extern int	scope_sort_unique(ScopeRef *refs, int n);

/*
 * Call visit for each element of set, sorted bytewise and free of repeats,
 * in relation rel to q, until visit returns false.  q's shape must be
 * filled; an element's may be 0 (the element is passed to visit as it is).
 * Returns false when visit ended the search, true otherwise.
 */
extern bool scope_search(const ScopeList *set, const ScopeRef *q,
						 ScopeRelation rel, ScopeVisit visit, void *arg);

/*
 * Ready refs[0..n) for many searches: a set small enough to be compared
 * element by element gets its shapes filled once here, rather than at each
 * comparison.  A larger set needs nothing.
 */
extern void scope_search_prepare(ScopeRef *refs, int n);

/*
 * Is some element of set, as for scope_search(), in relation rel to q?
 * With other, an element equal to q does not count.
 */
extern bool scope_search_any(const ScopeList *set, const ScopeRef *q,
							 ScopeRelation rel, bool other);

/* The shape scope_mark_covered() gives an element it marks; no real shape has it. */
#define SCOPE_SHAPE_COVERED UINT64_MAX

/*
 * Mark each element of refs[0..n) that a wildcard of wild[0..nwild) other
 * than itself covers, by setting its shape to SCOPE_SHAPE_COVERED.  Both
 * sorted bytewise, without repeats; shapes of 0 (not computed) are filled
 * in as needed.  Each wildcard is compared with the elements that begin as
 * it does, or, when those are many, each element is looked up among the
 * wildcards with scope_search(): O(n log n) for either.
 */
extern void scope_mark_covered(ScopeRef *wild, int nwild, ScopeRef *refs, int n);

/*
 * Put refs[0..n) into canonical order: sorted bytewise, without duplicates,
 * and without any element that another element covers.  Returns the number
 * of elements kept, which are moved to the front of the array.  scratch
 * must have room for n refs; it may be NULL when no element is a wildcard.
 */
extern int	scope_canonicalize(ScopeRef *refs, int n, ScopeRef *scratch);

/*
 * Drop from refs[0..n), which must be sorted and free of duplicates, every
 * element that another element covers.  Returns the number kept.  Every
 * ref's wild flag must be right; a shape of 0 (no real shape is 0) means
 * not yet computed.  scratch must have room for the wildcards; it may be
 * NULL when there are none.
 */
extern int	scope_drop_covered(ScopeRef *refs, int n, ScopeRef *scratch);

/* Is refs[0..n) already canonical?  scratch must have room for n refs. */
extern bool scope_is_canonical(const ScopeRef *refs, int n, ScopeRef *scratch);

/* Why a set literal such as "{a.b, c:d}" was refused. */
typedef enum ScopeLiteralStatus
{
	LITERAL_OK = 0,
	LITERAL_NO_OPEN_BRACE,		/* does not start with '{' */
	LITERAL_NO_CLOSE_BRACE,		/* ends before its '}' */
	LITERAL_EMPTY_ELEMENT,		/* ",," or a leading or trailing comma */
	LITERAL_NESTED_BRACE,		/* a "{" inside the set */
	LITERAL_EXPECTED_COMMA,		/* something other than ',' or '}' */
	LITERAL_TRAILING_JUNK,		/* text after the closing '}' */
	LITERAL_BAD_SCOPE			/* an element that is not a valid scope */
} ScopeLiteralStatus;

typedef struct ScopeLiteralError
{
	ScopeLiteralStatus status;
	ScopeStatus scope_status;	/* why the element failed, for BAD_SCOPE */
	int			element;		/* 1-based element number, 0 if none */
	size_t		pos;			/* byte offset of the fault in the input */
	size_t		elem_start;		/* the element's bytes, for BAD_SCOPE */
	size_t		elem_len;
} ScopeLiteralError;

/* An upper bound on the number of elements in a literal. */
extern int	scope_literal_max_elements(const char *s, size_t len);

/*
 * Parse a set literal into refs (pointing into s), which must have room for
 * scope_literal_max_elements() entries.  Returns the element count, not yet
 * canonical, or -1 with *err filled in.
 */
extern int	scope_literal_parse(const char *s, size_t len, ScopeRef *refs,
								ScopeLiteralError *err);

#endif							/* RBAC_SCOPE_H */
