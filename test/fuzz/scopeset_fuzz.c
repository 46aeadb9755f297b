/*
 * scopeset_fuzz.c
 *	  libFuzzer harness for the pure-C scope core: the set literal parser,
 *	  the canonicaliser and the pattern relations.
 *
 * For every input that parses, the canonical form must be canonical, every
 * element a valid scope, and printing then parsing it again must give the
 * same elements.  Pairs of elements must satisfy the relations' laws.  A
 * refused input must report a position inside it.  Built by `make fuzz`.
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

/* Parse and canonicalise; returns the count, or -1 when refused. */
static int
ParseCanonical(const char *s, size_t len, ScopeRef **refs)
{
	ScopeLiteralError err;
	int			n;

	*refs = malloc(sizeof(ScopeRef) * (size_t) scope_literal_max_elements(s, len));
	n = scope_literal_parse(s, len, *refs, &err);
	if (n < 0)
	{
		CHECK(err.status != LITERAL_OK);
		CHECK(err.pos <= len);
		CHECK(err.status != LITERAL_BAD_SCOPE || err.elem_start + err.elem_len <= len);
		return -1;
	}
	return scope_canonicalize(*refs, n);
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

		CHECK(scope_is_canonical(refs, n));
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
