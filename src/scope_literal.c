/*
 * scope_literal.c
 *	  The text form of a set of scopes: "{ a.b , c:d }".
 *
 * Plain C99 with no PostgreSQL dependency; see scope.h.  Whitespace may
 * surround the braces and the elements.  Elements are unquoted, because the
 * scope grammar has no byte that would need quoting.
 */
#include "scope.h"

static inline bool
IsSpace(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
		c == '\f';
}

/* Bytes that end an element token. */
static inline bool
IsDelimiter(unsigned char c)
{
	return IsSpace(c) || c == ',' || c == '{' || c == '}';
}

static size_t
SkipSpace(const char *s, size_t len, size_t i)
{
	while (i < len && IsSpace((unsigned char) s[i]))
		i++;
	return i;
}

int
scope_literal_max_elements(const char *s, size_t len)
{
	int			n = 1;

	for (size_t i = 0; i < len; i++)
	{
		if (s[i] == ',')
		{
			scope_check_interrupts();
			n++;
		}
	}
	return n;
}

static int
Fail(ScopeLiteralError *err, ScopeLiteralStatus status, int element,
	 size_t pos)
{
	err->status = status;
	err->scope_status = SCOPE_OK;
	err->element = element;
	err->pos = pos;
	err->elem_start = pos;
	err->elem_len = 0;
	return -1;
}

/* Parse one element token at s[*i], advancing *i past it. */
static int
ParseElement(const char *s, size_t len, size_t *i, ScopeRef *ref,
			 int element, ScopeLiteralError *err)
{
	size_t		start = *i;
	size_t		errpos;
	ScopeStatus status;

	while (*i < len && !IsDelimiter((unsigned char) s[*i]))
		(*i)++;
	if (*i == start && start < len && s[start] == '{')
		return Fail(err, LITERAL_NESTED_BRACE, element, start);
	if (*i == start)
		return Fail(err, LITERAL_EMPTY_ELEMENT, element, start);

	status = scope_parse(s + start, *i - start, ref, &errpos);
	if (status != SCOPE_OK)
	{
		Fail(err, LITERAL_BAD_SCOPE, element, start + errpos);
		err->scope_status = status;
		err->elem_start = start;
		err->elem_len = *i - start;
		return -1;
	}
	return 0;
}

int
scope_literal_parse(const char *s, size_t len, ScopeRef *refs,
					ScopeLiteralError *err)
{
	size_t		i = SkipSpace(s, len, 0);
	int			n = 0;

	err->status = LITERAL_OK;
	if (i >= len || s[i] != '{')
		return Fail(err, LITERAL_NO_OPEN_BRACE, 0, i);
	i = SkipSpace(s, len, i + 1);
	if (i < len && s[i] == '}')
		i++;
	else
	{
		for (;;)
		{
			scope_check_interrupts();
			if (i >= len)
				return Fail(err, LITERAL_NO_CLOSE_BRACE, n, i);
			if (ParseElement(s, len, &i, &refs[n], n + 1, err) < 0)
				return -1;
			n++;
			i = SkipSpace(s, len, i);
			if (i >= len)
				return Fail(err, LITERAL_NO_CLOSE_BRACE, n, i);
			if (s[i] == '}')
			{
				i++;
				break;
			}
			if (s[i] != ',')
				return Fail(err, LITERAL_EXPECTED_COMMA, n, i);
			i = SkipSpace(s, len, i + 1);
		}
	}
	i = SkipSpace(s, len, i);
	if (i < len)
		return Fail(err, LITERAL_TRAILING_JUNK, n, i);
	return n;
}
