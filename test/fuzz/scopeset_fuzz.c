/*
 * scopeset_fuzz.c
 *	  libFuzzer harness for the pure-C scope core: the set literal parser,
 *	  the canonicaliser and the pattern relations.
 *
 * For every input that parses, the canonical form must be canonical, every
 * element a valid scope, and printing then parsing it again must give the
 * same elements.  Pairs of elements must satisfy the relations' laws.  The
 * canonical form and scope_search() must agree with comparing every pair.
 * A refused input must report a position inside it.  Built by `make fuzz`.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scope.h"

#define CHECK(cond) \
	do { if (!(cond)) { fprintf(stderr, "check failed: %s\n", #cond); abort(); } } while (0)

static char *
Print(const ScopeRef *refs, int n, size_t *len)
{
	size_t		cap = 3;
	char	   *out;
	size_t		pos = 0;

	for (int i = 0; i < n; i++)
		cap += refs[i].len + 1;
	out = malloc(cap);
	out[pos++] = '{';
	for (int i = 0; i < n; i++)
	{
		if (i > 0)
			out[pos++] = ',';
		memcpy(out + pos, refs[i].name, refs[i].len);
		pos += refs[i].len;
	}
	out[pos++] = '}';
	out[pos] = '\0';
	*len = pos;
	return out;
}

/* Pairs compared by brute force, at most, per input. */
#define BRUTE_FORCE_PAIRS 40000

/*
 * What scope_search() is checked against, from the meet alone: two scopes
 * overlap when they meet, and one covers the other when their meet is that
 * other one.
 */
static bool
Related(const ScopeRef *element, const ScopeRef *q, ScopeRelation rel)
{
	char		meet[SCOPE_MAX_BYTES];
	ScopeRef	e = *element;
	int			len;
	const ScopeRef *inner = rel == SCOPE_COVERED_BY ? q : &e;

	scope_fill(&e);
	len = scope_meet(&e, q, meet);

	if (len < 0)
		return false;
	return rel == SCOPE_OVERLAPS ||
		(len == inner->len && memcmp(meet, inner->name, (size_t) len) == 0);
}

/* Every element of the input is covered by one of the canonical form's. */
static void
CheckCanonicalCovers(const ScopeRef *input, int ninput, const ScopeRef *refs, int n)
{
	if ((long) ninput * n > BRUTE_FORCE_PAIRS)
		return;
	for (int i = 0; i < ninput; i++)
	{
		bool		covered = false;

		for (int j = 0; j < n && !covered; j++)
			covered = scope_covers(&refs[j], &input[i]);
		CHECK(covered);
	}
	/* And none of the canonical form's covers another. */
	for (int i = 0; i < n; i++)
	{
		for (int j = 0; j < n; j++)
			CHECK(i == j || !scope_covers(&refs[i], &refs[j]));
	}
}

/* Parse and canonicalise; returns the count, or -1 when refused. */
static int
ParseCanonical(const char *s, size_t len, ScopeRef **refs)
{
	ScopeLiteralError err;
	size_t		max = (size_t) scope_literal_max_elements(s, len);
	ScopeRef   *input = malloc(sizeof(ScopeRef) * max);
	ScopeRef   *scratch = malloc(sizeof(ScopeRef) * max);
	int			ninput;
	int			n;

	*refs = malloc(sizeof(ScopeRef) * max);
	ninput = scope_literal_parse(s, len, *refs, &err);
	if (ninput < 0)
	{
		CHECK(err.status != LITERAL_OK);
		CHECK(err.pos <= len);
		CHECK(err.status != LITERAL_BAD_SCOPE || err.elem_start + err.elem_len <= len);
		n = -1;
	}
	else
	{
		memcpy(input, *refs, sizeof(ScopeRef) * (size_t) ninput);
		n = scope_canonicalize(*refs, ninput, scratch);
		CheckCanonicalCovers(input, ninput, *refs, n);
		CHECK(scope_is_canonical(*refs, n, scratch));
	}
	free(scratch);
	free(input);
	return n;
}

typedef struct Found
{
	const ScopeRef *q;
	ScopeRelation rel;
	int			count;
	int			stop_after;		/* end the search after this many */
} Found;

static bool
CountFound(void *arg, const ScopeRef *element)
{
	Found	   *found = (Found *) arg;

	CHECK(Related(element, found->q, found->rel));
	found->count++;
	return found->count < found->stop_after;
}

/*
 * scope_search() over a canonical set finds exactly the elements that
 * comparing q with each element finds, and stops when asked to.
 */
static void
CheckSearch(const ScopeList *set, const ScopeRef *q)
{
	for (int r = SCOPE_COVERED_BY; r <= SCOPE_OVERLAPS; r++)
	{
		Found		found = {q, (ScopeRelation) r, 0, set->n + 1};
		int			expected = 0;
		bool		other = false;

		for (int i = 0; i < set->n; i++)
		{
			ScopeRef	e = scope_list_get(set, i);

			if (Related(&e, q, (ScopeRelation) r))
			{
				expected++;
				other = other || scope_cmp(&e, q) != 0;
			}
		}
		CHECK(scope_search(set, q, (ScopeRelation) r, CountFound, &found));
		CHECK(found.count == expected);
		CHECK(scope_search_any(set, q, (ScopeRelation) r, false) == (expected > 0));
		CHECK(scope_search_any(set, q, (ScopeRelation) r, true) == other);
		found.count = 0;
		found.stop_after = 1;
		CHECK(scope_search(set, q, (ScopeRelation) r, CountFound, &found) == (expected == 0));
	}
}

/*
 * Search the canonical set for each of its elements and their meets: as an
 * array of refs, and stored as a scopeset stores it (names back to back,
 * with the offsets where they end), all of it and its wildcards alone.
 */
static void
CheckSearches(const ScopeRef *refs, int n)
{
	char		meet[SCOPE_MAX_BYTES];
	char	   *names = malloc(SCOPE_MAX_BYTES * (size_t) n + 1);
	uint16_t   *ends = malloc(sizeof(uint16_t) * (size_t) n + 1);
	uint16_t   *wild = malloc(sizeof(uint16_t) * (size_t) n + 1);
	ScopeList	lists[3] = {scope_list_of(refs, n),
		{NULL, names, ends, NULL, n}, {NULL, names, ends, wild, 0}};
	size_t		end = 0;

	for (int i = 0; i < n; i++)
	{
		memcpy(names + end, refs[i].name, refs[i].len);
		end += refs[i].len;
		ends[i] = (uint16_t) end;
		if (refs[i].wild)
			wild[lists[2].n++] = (uint16_t) i;
	}
	for (int i = 0; i < n && (long) n * n * 2 <= BRUTE_FORCE_PAIRS; i++)
	{
		ScopeRef	m = {meet, 0, false, 0};
		int			len = i + 1 < n ? scope_meet(&refs[i], &refs[i + 1], meet) : -1;

		m.len = (uint16_t) (len < 0 ? 0 : len);
		scope_fill(&m);
		for (int l = 0; l < 3; l++)
		{
			CheckSearch(&lists[l], &refs[i]);
			if (len >= 0)
				CheckSearch(&lists[l], &m);
		}
	}
	free(wild);
	free(ends);
	free(names);
}

static void
CheckRelations(const ScopeRef *a, const ScopeRef *b)
{
	char		meet[SCOPE_MAX_BYTES];
	int			len = scope_meet(a, b, meet);
	ScopeRef	m;
	size_t		errpos;

	/* Covering both ways means equal; overlap is symmetric and means a meet. */
	if (scope_covers(a, b) && scope_covers(b, a))
		CHECK(scope_cmp(a, b) == 0);
	CHECK(scope_overlaps(a, b) == scope_overlaps(b, a));
	CHECK(scope_overlaps(a, b) == (len >= 0));
	if (len < 0)
		return;
	/* The meet is a valid scope that both cover. */
	CHECK(scope_parse(meet, (size_t) len, &m, &errpos) == SCOPE_OK);
	CHECK(scope_covers(a, &m) && scope_covers(b, &m));
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The server passes input as a C string: it ends at the first NUL. */
	char	   *s = malloc(size + 1);
	size_t		len;
	ScopeRef   *refs;
	int			n;

	memcpy(s, data, size);
	s[size] = '\0';
	len = strlen(s);
	n = ParseCanonical(s, len, &refs);
	if (n >= 0)
	{
		size_t		plen;
		char	   *printed;
		ScopeRef   *again;
		int			m;

		CheckSearches(refs, n);
		for (int i = 0; i < n; i++)
		{
			ScopeRef	r;
			size_t		errpos;

			CHECK(scope_parse(refs[i].name, refs[i].len, &r, &errpos) == SCOPE_OK);
			CHECK(r.shape == refs[i].shape && r.wild == refs[i].wild);
		}
		for (int i = 0; i + 1 < n && i < 16; i++)
			CheckRelations(&refs[i], &refs[i + 1]);
		printed = Print(refs, n, &plen);
		m = ParseCanonical(printed, plen, &again);
		CHECK(m == n);
		for (int i = 0; i < n; i++)
			CHECK(scope_cmp(&refs[i], &again[i]) == 0);
		free(again);
		free(printed);
	}
	free(refs);
	free(s);
	return 0;
}
