/*
 * scope_search.c
 *	  Finding the elements of a set of scopes that relate to one scope, and
 *	  the canonical form of a set, which rests on it.
 *
 * Plain C99 with no PostgreSQL dependency; see scope.h.
 *
 * The set is sorted bytewise, as a canonical set is.  The elements whose
 * first segments spell a given path, each segment with the separator that
 * follows it, are then one run, found by binary search.  The search walks
 * q segment by segment and descends into the runs that can still relate to
 * it; since a path fixes the separators and the number of segments as it
 * goes, elements of another shape fall out of the runs on the way, and the
 * set needs no other order.  A run is entered only when some element lies
 * in it, so a query never visits more runs than the set has distinct
 * prefixes, and usually visits one or two per segment, whatever the number
 * of wildcards.  A set of a few elements is simply compared element by
 * element.
 */
#include "scope.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/*
 * A set this small is compared element by element; a search costs more
 * than that.  The fuzzing harness sets it to 0, to check the search.
 */
#ifndef SCOPE_SEARCH_LINEAR_MAX
#define SCOPE_SEARCH_LINEAR_MAX 8
#endif

typedef struct Search
{
	const ScopeList *set;		/* sorted bytewise */
	const ScopeRef *q;			/* the query */
	ScopeRelation rel;
	ScopeVisit	visit;
	void	   *arg;
	bool		ended;			/* visit asked to stop, or budget ran out */
	long		budget;			/* how many more runs the search may enter */
} Search;

static void SearchLevel(Search *s, int lo, int hi, size_t off, size_t qoff);

static int
NameCmp(const void *a, const void *b)
{
	return scope_cmp((const ScopeRef *) a, (const ScopeRef *) b);
}

int
scope_sort_unique(ScopeRef *refs, int n)
{
	int			m = 0;

	if (n > 1)
		qsort(refs, (size_t) n, sizeof(ScopeRef), NameCmp);
	for (int i = 0; i < n; i++)
	{
		scope_check_interrupts();
		if (m == 0 || scope_cmp(&refs[m - 1], &refs[i]) != 0)
			refs[m++] = refs[i];
	}
	return m;
}

/* A search key: the bytes key[0..klen), to be found at byte off of an element. */
typedef struct RunKey
{
	size_t		off;
	const char *key;
	size_t		klen;
} RunKey;

/*
 * Element e's bytes from off against the key, as a prefix: 0 when they
 * begin with the key, so that the elements that begin with it are one run
 * of a bytewise-sorted range whose elements share their first off bytes.
 */
static inline int
RunCmp(const ScopeRef *e, const RunKey *k)
{
	size_t		elen = e->len - k->off;
	int			c = memcmp(e->name + k->off, k->key, elen < k->klen ? elen : k->klen);

	if (c != 0)
		return c;
	return elen < k->klen ? -1 : 0;
}

/* The first index of [lo, hi) whose element compares to the key at or above bound. */
static int
Partition(const ScopeList *set, int lo, int hi, const RunKey *k, int bound)
{
	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;
		ScopeRef	e = scope_list_get(set, mid);

		if (RunCmp(&e, k) < bound)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The run of set[lo..hi), which share their first off bytes, that continues with key. */
static void
PrefixRun(const ScopeList *set, int lo, int hi, size_t off,
		  const char *key, size_t klen, int *from, int *to)
{
	RunKey		k = {off, key, klen};

	*from = Partition(set, lo, hi, &k, 0);
	*to = Partition(set, *from, hi, &k, 1);
}

/*
 * Enter the run of [lo, hi) whose next segment and separator are key (just
 * the segment, at q's last segment, where the element must end too).
 */
static void
Follow(Search *s, int lo, int hi, size_t off, const char *key, size_t klen,
	   size_t qnext, bool last)
{
	int			from;
	int			to;

	PrefixRun(s->set, lo, hi, off, key, klen, &from, &to);
	if (from == to)
		return;
	if (!last)
		SearchLevel(s, from, to, off + klen, qnext);
	else
	{
		/* Only the first of the run can end here: it is a prefix of the rest. */
		ScopeRef	e = scope_list_get(s->set, from);

		if (e.len == off + klen)
			s->ended = !s->visit(s->arg, &e);
	}
}

/*
 * Enter every run of [lo, hi), whatever its next segment, that goes on as
 * q does: with separator sep, or, at q's last segment, with nothing.
 */
static void
FollowEvery(Search *s, int lo, int hi, size_t off, char sep, size_t qnext, bool last)
{
	int			i = lo;

	while (i < hi && !s->ended)
	{
		ScopeRef	e = scope_list_get(s->set, i);
		size_t		seglen = scope_segment_length(&e, off);
		int			from;
		int			to;

		if (off + seglen == e.len)
		{
			/* e ends with this segment: it is q's shape at q's last one. */
			if (last)
				s->ended = !s->visit(s->arg, &e);
			i++;
			continue;
		}
		/* The run that goes on as e does, through its next separator. */
		PrefixRun(s->set, i, hi, off, e.name + off, seglen + 1, &from, &to);
		if (!last && e.name[off + seglen] == sep)
			SearchLevel(s, from, to, off + seglen + 1, qnext);
		i = to;
	}
}

/*
 * [lo, hi) share their first off bytes, which agree with q's segments before
 * the one at qoff.  An element's segment relates to q's as follows:
 *   covered by: equal, or the element's is "*";
 *   covers:     equal, or q's is "*";
 *   overlaps:   equal, or either is "*".
 */
static void
SearchLevel(Search *s, int lo, int hi, size_t off, size_t qoff)
{
	const ScopeRef *q = s->q;
	size_t		qlen = scope_segment_length(q, qoff);
	bool		last = (qoff + qlen == q->len);
	bool		qwild = (qlen == 1 && q->name[qoff] == '*');
	char		star[2] = {'*', last ? '\0' : q->name[qoff + qlen]};
	size_t		klen = last ? qlen : qlen + 1;

	scope_check_interrupts();
	if (--s->budget < 0)
	{
		s->ended = true;
		return;
	}
	if (qwild && s->rel != SCOPE_COVERED_BY)
	{
		FollowEvery(s, lo, hi, off, star[1], qoff + qlen + 1, last);
		return;
	}
	Follow(s, lo, hi, off, q->name + qoff, klen, qoff + qlen + 1, last);
	if (!qwild && s->rel != SCOPE_COVERS && !s->ended)
		Follow(s, lo, hi, off, star, last ? 1 : 2, qoff + qlen + 1, last);
}

/* The relation, for the elements compared one by one; shapes as needed. */
static bool
Related(const ScopeRef *element, const ScopeRef *q, ScopeRelation rel)
{
	ScopeRef	e = *element;

	if (e.shape == 0)
		scope_fill(&e);
	switch (rel)
	{
		case SCOPE_COVERED_BY:
			return scope_covers(&e, q);
		case SCOPE_COVERS:
			return scope_covers(q, &e);
		case SCOPE_OVERLAPS:
			return scope_overlaps(&e, q);
	}
	return false;
}

void
scope_search_prepare(ScopeRef *refs, int n)
{
	for (int i = 0; i < n && n <= SCOPE_SEARCH_LINEAR_MAX; i++)
	{
		if (refs[i].shape == 0)
			scope_fill(&refs[i]);
	}
}

bool
scope_search(const ScopeList *set, const ScopeRef *q,
			 ScopeRelation rel, ScopeVisit visit, void *arg)
{
	Search		s = {set, q, rel, visit, arg, false, LONG_MAX};

	if (set->n > SCOPE_SEARCH_LINEAR_MAX)
		SearchLevel(&s, 0, set->n, 0, 0);
	for (int i = 0; i < set->n && set->n <= SCOPE_SEARCH_LINEAR_MAX && !s.ended; i++)
	{
		ScopeRef	e = scope_list_get(set, i);

		if (Related(&e, q, rel))
			s.ended = !visit(arg, &e);
	}
	return !s.ended;
}

typedef struct AnyArg
{
	const ScopeRef *q;
	bool		other;			/* an element equal to q does not count */
	bool		found;
} AnyArg;

static bool
VisitAny(void *arg, const ScopeRef *element)
{
	AnyArg	   *any = (AnyArg *) arg;

	if (any->other && scope_cmp(element, any->q) == 0)
		return true;
	any->found = true;
	return false;
}

/* Is some element in relation rel to q, comparing them one by one? */
static bool
AnyByComparing(const ScopeList *set, const ScopeRef *q, ScopeRelation rel, bool other)
{
	for (int i = 0; i < set->n; i++)
	{
		ScopeRef	e = scope_list_get(set, i);

		scope_check_interrupts();
		if (Related(&e, q, rel) && !(other && scope_cmp(&e, q) == 0))
			return true;
	}
	return false;
}

/*
 * How many runs a search of n elements may enter before comparing them one
 * by one is cheaper: each run costs two binary searches.  A set of
 * patterns can be built to make a search enter nearly all its runs and
 * find nothing (one that holds "*" in many segments, looked up with a
 * query that does too); the budget keeps that at about twice the cost of
 * comparing.
 */
static long
SearchBudget(int n)
{
	int			log2n = 1;

	while ((1 << log2n) < n && log2n < 30)
		log2n++;
	return 16 + n / (2 * log2n);
}

bool
scope_search_any(const ScopeList *set, const ScopeRef *q, ScopeRelation rel, bool other)
{
	AnyArg		any = {q, other, false};
	Search		s = {set, q, rel, VisitAny, &any, false, SearchBudget(set->n)};

	if (set->n <= SCOPE_SEARCH_LINEAR_MAX)
		return AnyByComparing(set, q, rel, other);
	SearchLevel(&s, 0, set->n, 0, 0);
	if (s.budget < 0 && !any.found)
		return AnyByComparing(set, q, rel, other);
	return any.found;
}

/*
 * The run of sorted refs[0..n) that begins with the bytes of pattern w
 * before its first "*", the only names it can cover.  Returns its length.
 */
static size_t
PatternRun(const ScopeList *set, const ScopeRef *w, int *from, int *to)
{
	const char *star = memchr(w->name, '*', w->len);

	PrefixRun(set, 0, set->n, 0, w->name, (size_t) (star - w->name), from, to);
	return (size_t) (*to - *from);
}

/* Does w cover e, another scope that is not marked yet?  Fills both in. */
static bool
CoversOther(ScopeRef *w, ScopeRef *e)
{
	if (e->shape == SCOPE_SHAPE_COVERED || scope_cmp(w, e) == 0)
		return false;
	if (w->shape == 0)
		scope_fill(w);
	if (e->shape == 0)
		scope_fill(e);
	return scope_covers(w, e);
}

/*
 * Compare each wildcard with the run of elements that begin with its bytes
 * before the first "*": only those can it cover.  Cheapest when wildcards
 * are few and begin with literal segments, as they mostly do; but one that
 * begins with "*" has every element in its run.  So nothing is marked, and
 * false is returned, when the runs hold more than budget elements in all.
 */
static bool
MarkByRuns(ScopeRef *wild, int nwild, ScopeRef *refs, int n, size_t budget)
{
	ScopeList	set = scope_list_of(refs, n);
	size_t		total = 0;
	int			from;
	int			to;

	for (int w = 0; w < nwild && total <= budget; w++)
	{
		scope_check_interrupts();
		total += PatternRun(&set, &wild[w], &from, &to);
	}
	if (total > budget)
		return false;
	for (int w = 0; w < nwild; w++)
	{
		PatternRun(&set, &wild[w], &from, &to);
		for (int e = from; e < to; e++)
		{
			scope_check_interrupts();
			if (CoversOther(&wild[w], &refs[e]))
				refs[e].shape = SCOPE_SHAPE_COVERED;
		}
	}
	return true;
}

void
scope_mark_covered(ScopeRef *wild, int nwild, ScopeRef *refs, int n)
{
	ScopeList	set = scope_list_of(wild, nwild);

	if (nwild == 0 || MarkByRuns(wild, nwild, refs, n, 4 * (size_t) n + 64))
		return;
	/* Otherwise look each element up among the wildcards. */
	scope_search_prepare(wild, nwild);
	for (int i = 0; i < n; i++)
	{
		scope_check_interrupts();
		if (refs[i].shape == 0)
			scope_fill(&refs[i]);
		if (scope_search_any(&set, &refs[i], SCOPE_COVERED_BY, true))
			refs[i].shape = SCOPE_SHAPE_COVERED;
	}
}

/*
 * The wildcards are copied to scratch, so that marks on refs leave them
 * whole.  An element that a dropped wildcard covers is dropped too, which
 * is right: whatever covers that wildcard covers it.
 */
int
scope_drop_covered(ScopeRef *refs, int n, ScopeRef *scratch)
{
	int			nwild = 0;
	int			m = 0;

	for (int i = 0; i < n; i++)
	{
		if (refs[i].wild)
			scratch[nwild++] = refs[i];
	}
	if (nwild == 0)
		return n;
	scope_mark_covered(scratch, nwild, refs, n);
	for (int i = 0; i < n; i++)
	{
		if (refs[i].shape != SCOPE_SHAPE_COVERED)
			refs[m++] = refs[i];
	}
	return m;
}

int
scope_canonicalize(ScopeRef *refs, int n, ScopeRef *scratch)
{
	return scope_drop_covered(refs, scope_sort_unique(refs, n), scratch);
}

bool
scope_is_canonical(const ScopeRef *refs, int n, ScopeRef *scratch)
{
	int			nwild = 0;
	ScopeList	set;

	for (int i = 1; i < n; i++)
	{
		scope_check_interrupts();
		if (scope_cmp(&refs[i - 1], &refs[i]) >= 0)
			return false;
	}
	for (int i = 0; i < n; i++)
	{
		if (refs[i].wild)
			scratch[nwild++] = refs[i];
	}
	set = scope_list_of(scratch, nwild);
	for (int i = 0; i < n && nwild > 0; i++)
	{
		scope_check_interrupts();
		if (scope_search_any(&set, &refs[i], SCOPE_COVERED_BY, true))
			return false;
	}
	return true;
}
