/*
 * scopeset_intersect.c
 *	  Intersection of scopesets, refused before it grows past a value.
 *
 * The intersection of two sets holds the meets of their elements, in
 * canonical form: the meets that no other meet covers.  Meeting every pair
 * and canonicalising afterwards is quadratic in time and in memory: 3,000
 * patterns "*.aN" and 3,000 patterns "bN.*" meet in 9,000,000 distinct
 * scopes.  So the result is found element by element, each one known to
 * belong to the canonical result when it is found, and the work stops with
 * 54000 as soon as the elements found hold more names than a value can.
 * The running total only ever counts part of the result, never a repeat
 * and never a meet that another covers, so no intersection whose result
 * fits is refused.  It goes in two steps:
 *
 * 1. An element of either set that the other set covers is its own meet
 *    with the element covering it, and no meet covers it (that meet would
 *    lie inside another element of its own set, which a canonical set does
 *    not have): it belongs to the result.  Every other meet it takes part
 *    in lies inside it, so it needs no further look.
 *
 * 2. What is left are the elements neither set covers of the other.  Among
 *    them only wildcards meet (a literal that overlaps anything is covered
 *    by it), so each remaining wildcard of a is looked up, with
 *    scope_search(), among the remaining wildcards of b that overlap it.
 *    Such a meet m belongs to the result unless some meet of two other
 *    elements p' and q' covers it: both cover m, and they hold "*" together
 *    at some segment where m does not.  p' and q' can be chosen
 *    independently, so that is one test over two masks: the segments where
 *    some wildcard of a covering m holds "*", and the same for b.  Repeats
 *    are found by hashing.
 *
 * Sets without wildcards meet by one merge.  With wildcards, step 1 is
 * scope_mark_covered() both ways and a merge, O(n log n); step 2 costs a
 * few searches per pair of wildcards that overlap and that neither set
 * covers, bounded by the value size and cancellable.
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "miscadmin.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

#include "scopeset.h"

PG_FUNCTION_INFO_V1(scopeset_intersect);

/* The result as it is found, and what step 2 needs to test a meet. */
typedef struct Meets
{
	ScopeRef   *refs;			/* the elements found so far */
	int			n;
	int			cap;
	Size		namebytes;		/* the bytes of their names */
	HTAB	   *seen;			/* the meets found in step 2 */
	ScopeList	awild;			/* all wildcards of a, for scope_search() */
	ScopeList	bwild;			/* all wildcards of b, likewise */
	const ScopeRef *p;			/* the wildcard of a being met */
} Meets;

static pg_noreturn void IntersectionTooLarge(int n, Size namebytes);

static void
IntersectionTooLarge(int n, Size namebytes)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("scopeset is too large"),
			 errdetail("The intersection holds at least %d scopes with %zu bytes of names, and a scopeset holds at most %d.",
					   n, namebytes, SCOPESET_MAX_NAME_BYTES),
			 errhint("Intersect smaller sets, or sets whose wildcards cover one another.")));
}

/* Add an element of the result, refusing it once the names overflow. */
static void
MeetsAdd(Meets *m, ScopeRef ref)
{
	if (m->n == m->cap)
	{
		m->cap *= 2;
		m->refs = repalloc(m->refs, sizeof(ScopeRef) * m->cap);
	}
	m->refs[m->n++] = ref;
	m->namebytes += ref.len;
	if (m->namebytes > SCOPESET_MAX_NAME_BYTES)
		IntersectionTooLarge(m->n, m->namebytes);
}

/*
 * Step 1 for an element that one set holds and the other does not: add it
 * when it is marked covered, or else keep it in rest when it is a
 * wildcard, with its shape filled in for step 2.
 */
static void
AddIfCovered(Meets *m, ScopeRef ref, ScopeRef *rest, int *nrest)
{
	if (ref.shape == SCOPE_SHAPE_COVERED)
		MeetsAdd(m, ref);
	else if (ref.wild)
	{
		scope_fill(&ref);
		rest[(*nrest)++] = ref;
	}
}

/*
 * Step 1: mark the elements of each set that the other's wildcards cover,
 * then merge the two sorted sets: an element both hold is added once, any
 * other by AddIfCovered.  The wildcards that neither set covers of the
 * other are left in arest and brest.  What is added is in order.
 */
static void
AddCovered(Meets *m, const Scopeset *a, const Scopeset *b,
		   ScopeRef *arest, int *narest, ScopeRef *brest, int *nbrest)
{
	ScopeRef   *arefs;
	ScopeRef   *brefs;
	int			i = 0;
	int			j = 0;

	ScopesetMarkCovered(a, b, &arefs, &brefs);
	while (i < a->nscopes || j < b->nscopes)
	{
		int			c;

		CHECK_FOR_INTERRUPTS();
		if (i >= a->nscopes)
			c = 1;
		else if (j >= b->nscopes)
			c = -1;
		else
			c = ScopeNameCmp(arefs[i].name, arefs[i].len, brefs[j].name, brefs[j].len);
		if (c == 0)
		{
			arefs[i].shape = SCOPE_SHAPE_COVERED;
			AddIfCovered(m, arefs[i], arest, narest);
		}
		else if (c < 0)
			AddIfCovered(m, arefs[i], arest, narest);
		else
			AddIfCovered(m, brefs[j], brest, nbrest);
		i += c <= 0 ? 1 : 0;
		j += c >= 0 ? 1 : 0;
	}
}

typedef struct CoverMask
{
	uint32		mask;			/* segments where a covering wildcard has "*" */
	uint32		stop;			/* end the search once mask meets this */
} CoverMask;

static bool
OrMask(void *arg, const ScopeRef *element)
{
	CoverMask  *c = (CoverMask *) arg;

	c->mask |= scope_wild_mask(element);
	return (c->mask & c->stop) == 0;
}

/*
 * Does no meet of two elements cover the meet m strictly?  Such a meet
 * needs a wildcard of a and one of b that both cover m and hold "*" at one
 * same segment where m does not.
 */
static bool
MeetIsFinal(const Meets *m, const ScopeRef *meet)
{
	uint32		concrete = ~scope_wild_mask(meet);
	CoverMask	a = {0, 0};
	CoverMask	b;

	scope_search(&m->awild, meet, SCOPE_COVERED_BY, OrMask, &a);
	b.mask = 0;
	b.stop = a.mask & concrete;
	if (b.stop == 0)
		return true;
	scope_search(&m->bwild, meet, SCOPE_COVERED_BY, OrMask, &b);
	return (b.mask & b.stop) == 0;
}

static uint32
MeetHash(const void *key, Size keysize)
{
	const ScopeRef *ref = (const ScopeRef *) key;

	return hash_bytes((const unsigned char *) ref->name, ref->len);
}

static int
MeetMatch(const void *key1, const void *key2, Size keysize)
{
	return scope_cmp((const ScopeRef *) key1, (const ScopeRef *) key2);
}

/* Step 2, for one wildcard q of b that overlaps the wildcard m->p of a. */
static bool
AddMeet(void *arg, const ScopeRef *q)
{
	Meets	   *m = (Meets *) arg;
	char		buf[SCOPE_MAX_BYTES];
	ScopeRef	meet;
	ScopeRef   *entry;
	bool		found;

	meet.name = buf;
	meet.len = (uint16) scope_meet(m->p, q, buf);
	scope_fill(&meet);
	if (!MeetIsFinal(m, &meet))
		return true;
	entry = (ScopeRef *) hash_search(m->seen, &meet, HASH_ENTER, &found);
	if (found)
		return true;
	/* The key was copied with buf's address: give it a name of its own. */
	entry->name = pnstrdup(buf, meet.len);
	MeetsAdd(m, *entry);
	return true;
}

/*
 * Step 2.  The hash of meets found lives in a memory context of its own;
 * the meets' names are allocated in the caller's, since they are the
 * result.
 */
static void
AddMeets(Meets *m, const ScopeRef *arest, int narest, const ScopeRef *brest, int nbrest)
{
	ScopeList	bset = scope_list_of(brest, nbrest);
	HASHCTL		ctl;

	if (narest == 0 || nbrest == 0)
		return;
	ctl.keysize = sizeof(ScopeRef);
	ctl.entrysize = sizeof(ScopeRef);
	ctl.hash = MeetHash;
	ctl.match = MeetMatch;
	ctl.hcxt = AllocSetContextCreate(CurrentMemoryContext, "scopeset meets",
									 ALLOCSET_DEFAULT_SIZES);
	m->seen = hash_create("scopeset meets", 256, &ctl,
						  HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
	for (int i = 0; i < narest; i++)
	{
		CHECK_FOR_INTERRUPTS();
		m->p = &arest[i];
		scope_search(&bset, &arest[i], SCOPE_OVERLAPS, AddMeet, m);
	}
	MemoryContextDelete(ctl.hcxt);
}

static int
RefCmp(const void *a, const void *b)
{
	return scope_cmp((const ScopeRef *) a, (const ScopeRef *) b);
}

/* Sets without wildcards: the names both hold, by one merge. */
static Scopeset *
IntersectLiterals(const Scopeset *a, const Scopeset *b)
{
	ScopeRef   *refs = palloc(sizeof(ScopeRef) * Max(Min(a->nscopes, b->nscopes), 1));
	int			n = 0;
	int			i = 0;
	int			j = 0;

	while (i < a->nscopes && j < b->nscopes)
	{
		ScopeRef	aref = ScopesetRef(a, i);
		ScopeRef	bref = ScopesetRef(b, j);
		int			c = ScopeNameCmp(aref.name, aref.len, bref.name, bref.len);

		CHECK_FOR_INTERRUPTS();
		if (c == 0)
			refs[n++] = aref;
		i += c <= 0 ? 1 : 0;
		j += c >= 0 ? 1 : 0;
	}
	return ScopesetBuild(refs, n);
}

Scopeset *
ScopesetIntersect(const Scopeset *a, const Scopeset *b)
{
	Meets		m = {0};
	ScopeRef   *arest;
	ScopeRef   *brest;
	int			narest = 0;
	int			nbrest = 0;
	int			nfound;

	if (a->nwild == 0 && b->nwild == 0)
		return IntersectLiterals(a, b);

	m.cap = 16;
	m.refs = palloc(sizeof(ScopeRef) * m.cap);
	m.awild = ScopesetList(a, true);
	m.bwild = ScopesetList(b, true);
	arest = palloc(sizeof(ScopeRef) * Max(a->nwild, 1));
	brest = palloc(sizeof(ScopeRef) * Max(b->nwild, 1));
	AddCovered(&m, a, b, arest, &narest, brest, &nbrest);
	nfound = m.n;
	AddMeets(&m, arest, narest, brest, nbrest);

	/* Every element found is final; only the meets' order is left to set. */
	if (m.n > nfound)
		qsort(m.refs, m.n, sizeof(ScopeRef), RefCmp);
	return ScopesetBuild(m.refs, m.n);
}

Datum
scopeset_intersect(PG_FUNCTION_ARGS)
{
	Scopeset   *a = PG_GETARG_SCOPESET_P(0);
	Scopeset   *b = PG_GETARG_SCOPESET_P(1);

	PG_RETURN_SCOPESET_P(ScopesetIntersect(a, b));
}
