/*
 * scope.c
 *	  Scope name grammar, ordering, and the cover/overlap/meet relations.
 *
 * Plain C99 with no PostgreSQL dependency; see scope.h.
 *
 * A pattern denotes the set of concrete names it matches.  Because a segment
 * can take infinitely many values, p covers q as sets exactly when they have
 * the same shape and every segment of p is either '*' or equal to q's.  That
 * is also why a set of patterns has a unique canonical form: the elements
 * that no other element covers.
 */
#include "scope.h"

#include <string.h>

static inline bool
IsSegmentByte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || c == '_' || c == '-';
}

ScopeInterruptHook scope_interrupt_hook = NULL;
unsigned int scope_interrupt_ticks = 0;

ScopeStatus
scope_parse(const char *s, size_t len, ScopeRef *ref, size_t *errpos)
{
	size_t		seglen = 0;
	bool		segwild = false;
	bool		wild = false;
	uint32_t	nseg = 1;
	uint32_t	colons = 0;

	if (len == 0)
	{
		*errpos = 0;
		return SCOPE_EMPTY;
	}
	if (len > SCOPE_MAX_BYTES)
	{
		*errpos = SCOPE_MAX_BYTES;
		return SCOPE_TOO_LONG;
	}
	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (scope_is_separator(c))
		{
			if (seglen == 0)
			{
				*errpos = i;
				return SCOPE_EMPTY_SEGMENT;
			}
			if (nseg == SCOPE_MAX_SEGMENTS)
			{
				*errpos = i;
				return SCOPE_TOO_MANY_SEGMENTS;
			}
			if (c == ':')
				colons |= UINT32_C(1) << (nseg - 1);
			nseg++;
			seglen = 0;
			segwild = false;
		}
		else if (c == '*' || (segwild && IsSegmentByte(c)))
		{
			if (seglen > 0)
			{
				*errpos = i;
				return SCOPE_PARTIAL_WILDCARD;
			}
			segwild = wild = true;
			seglen = 1;
		}
		else if (IsSegmentByte(c))
			seglen++;
		else
		{
			*errpos = i;
			return SCOPE_BAD_CHARACTER;
		}
	}
	if (seglen == 0)
	{
		*errpos = len - 1;
		return SCOPE_EMPTY_SEGMENT;
	}
	ref->name = s;
	ref->len = (uint16_t) len;
	ref->wild = wild;
	ref->shape = ((uint64_t) nseg << 32) | colons;
	return SCOPE_OK;
}

const char *
scope_status_text(ScopeStatus status)
{
	switch (status)
	{
		case SCOPE_OK:
			return "it is valid";
		case SCOPE_EMPTY:
			return "a scope cannot be empty";
		case SCOPE_TOO_LONG:
			return "a scope is at most 255 bytes long";
		case SCOPE_TOO_MANY_SEGMENTS:
			return "a scope has at most 32 segments";
		case SCOPE_EMPTY_SEGMENT:
			return "a separator must stand between two non-empty segments";
		case SCOPE_BAD_CHARACTER:
			return "segments may hold only letters, digits, \"_\" and \"-\"";
		case SCOPE_PARTIAL_WILDCARD:
			return "a wildcard \"*\" must be a whole segment";
	}
	return "it is invalid";
}

void
scope_fill(ScopeRef *ref)
{
	uint32_t	nseg = 1;
	uint32_t	colons = 0;
	bool		wild = false;

	for (size_t i = 0; i < ref->len; i++)
	{
		char		c = ref->name[i];

		if (c == ':')
			colons |= UINT32_C(1) << (nseg - 1);
		if (scope_is_separator((unsigned char) c))
			nseg++;
		else if (c == '*')
			wild = true;
	}
	ref->wild = wild;
	ref->shape = ((uint64_t) nseg << 32) | colons;
}

int
scope_cmp(const ScopeRef *a, const ScopeRef *b)
{
	size_t		n = a->len < b->len ? a->len : b->len;
	int			r = memcmp(a->name, b->name, n);

	if (r != 0)
		return r;
	return (int) a->len - (int) b->len;
}

static inline bool
ScopeEqual(const ScopeRef *a, const ScopeRef *b)
{
	return a->len == b->len && memcmp(a->name, b->name, a->len) == 0;
}

static inline bool
IsWildSegment(const ScopeRef *s, size_t i, size_t seglen)
{
	return seglen == 1 && s->name[i] == '*';
}

bool
scope_covers(const ScopeRef *p, const ScopeRef *q)
{
	size_t		i = 0;
	size_t		j = 0;

	if (p->shape != q->shape)
		return false;
	if (!p->wild)
		return ScopeEqual(p, q);

	/* Equal shapes: both names end after the same number of segments. */
	while (i < p->len)
	{
		size_t		plen = scope_segment_length(p, i);
		size_t		qlen = scope_segment_length(q, j);

		if (!IsWildSegment(p, i, plen) &&
			(plen != qlen || memcmp(p->name + i, q->name + j, plen) != 0))
			return false;
		i += plen + 1;
		j += qlen + 1;
	}
	return true;
}

/*
 * Walk p and q segment by segment.  When out is not NULL, write the meet
 * there.  Returns the meet's length, or -1 when some segment pair differs.
 */
static int
MeetWalk(const ScopeRef *p, const ScopeRef *q, char *out)
{
	size_t		i = 0;
	size_t		j = 0;
	size_t		o = 0;

	if (p->shape != q->shape)
		return -1;
	if (!p->wild && !q->wild)
	{
		if (!ScopeEqual(p, q))
			return -1;
		if (out)
			memcpy(out, p->name, p->len);
		return p->len;
	}
	while (i < p->len)
	{
		size_t		plen = scope_segment_length(p, i);
		size_t		qlen = scope_segment_length(q, j);
		const char *seg;
		size_t		seglen;

		if (IsWildSegment(p, i, plen))
			seg = q->name + j, seglen = qlen;
		else if (IsWildSegment(q, j, qlen) ||
				 (plen == qlen && memcmp(p->name + i, q->name + j, plen) == 0))
			seg = p->name + i, seglen = plen;
		else
			return -1;
		if (out)
		{
			memcpy(out + o, seg, seglen);
			if (i + plen < p->len)
				out[o + seglen] = p->name[i + plen];
		}
		o += seglen + 1;
		i += plen + 1;
		j += qlen + 1;
	}
	return (int) o - 1;
}

bool
scope_overlaps(const ScopeRef *p, const ScopeRef *q)
{
	return MeetWalk(p, q, NULL) >= 0;
}

int
scope_meet(const ScopeRef *p, const ScopeRef *q, char *out)
{
	return MeetWalk(p, q, out);
}

uint32_t
scope_wild_mask(const ScopeRef *s)
{
	uint32_t	mask = 0;
	size_t		i = 0;

	for (int seg = 0; i < s->len; seg++)
	{
		size_t		seglen = scope_segment_length(s, i);

		if (IsWildSegment(s, i, seglen))
			mask |= UINT32_C(1) << seg;
		i += seglen + 1;
	}
	return mask;
}
