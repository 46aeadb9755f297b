/*
 * scope.h
 *	  The grammar of a single scope name and the relations between scope
 *	  patterns.
 *
 * This file and scope.c are plain C99 with no PostgreSQL dependency, so the
 * parser and canonicaliser can be compiled into a standalone fuzzing harness.
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

/*
 * Put refs[0..n) into canonical order: sorted bytewise, without duplicates,
 * and without any element that another element covers.  Returns the number
 * of elements kept, which are moved to the front of the array.
 */
extern int	scope_canonicalize(ScopeRef *refs, int n);

/*
 * Drop from refs[0..n), which must be sorted and free of duplicates, every
 * element that another element covers.  Returns the number kept.  Every
 * ref's wild flag must be right; a shape of 0 (no real shape is 0) means
 * not yet computed, and is computed only for the elements compared.
 */
extern int	scope_drop_covered(ScopeRef *refs, int n);

/* Is refs[0..n) already canonical? */
extern bool scope_is_canonical(const ScopeRef *refs, int n);

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
