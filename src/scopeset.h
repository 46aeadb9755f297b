/*
 * scopeset.h
 *	  The scopeset datatype: a canonical set of scope names and patterns.
 *
 * A value is stored in canonical form: its scopes sorted bytewise, with no
 * duplicates and no scope that another scope of the set covers.  Canonical
 * values are equal exactly when their bytes are equal, which makes equality,
 * hashing and ordering cheap.
 *
 * Layout after the varlena header:
 *	 uint16 nscopes, uint16 nwild,
 *	 uint16 ends[nscopes]	end offset of each scope in the name area,
 *	 uint16 wild[nwild]		indexes of the scopes that hold a wildcard,
 *	 char   names[]			the scope names back to back, unterminated.
 * The uint16 offsets bound the name area to 65535 bytes.
 */
#ifndef RBAC_SCOPESET_H
#define RBAC_SCOPESET_H

#include "postgres.h"

#include "fmgr.h"
#include "port/pg_bswap.h"
#include "utils/array.h"

#include "compat.h"
#include "scope.h"

/* Version byte that leads the binary send/recv format. */
#define SCOPESET_BINARY_VERSION 1

/* Largest name area a value can address with uint16 offsets. */
#define SCOPESET_MAX_NAME_BYTES PG_UINT16_MAX

typedef struct Scopeset
{
	int32		vl_len_;		/* varlena header (do not touch directly!) */
	uint16		nscopes;		/* number of scopes, in canonical order */
	uint16		nwild;			/* how many of them hold a '*' segment */
	uint16		ends[FLEXIBLE_ARRAY_MEMBER];	/* then wild[], then names */
} Scopeset;

#define DatumGetScopesetP(X)	((Scopeset *) PG_DETOAST_DATUM(X))
#define DatumGetScopesetPCopy(X) ((Scopeset *) PG_DETOAST_DATUM_COPY(X))
#define PG_GETARG_SCOPESET_P(n) DatumGetScopesetP(PG_GETARG_DATUM(n))
#define PG_RETURN_SCOPESET_P(x) PG_RETURN_POINTER(x)

static inline Size
ScopesetSize(int nscopes, int nwild, Size namebytes)
{
	Size		arrays = mul_size(sizeof(uint16), (Size) nscopes + nwild);

	return add_size(offsetof(Scopeset, ends), add_size(arrays, namebytes));
}

static inline const uint16 *
ScopesetWild(const Scopeset *s)
{
	return s->ends + s->nscopes;
}

static inline const char *
ScopesetNames(const Scopeset *s)
{
	return (const char *) (s->ends + s->nscopes + s->nwild);
}

static inline uint16
ScopesetStart(const Scopeset *s, int i)
{
	return i == 0 ? 0 : s->ends[i - 1];
}

/*
 * Describe element i as a ScopeRef.  Its wild flag and shape are left for
 * scope_fill() to compute, since most operations never need them.
 */
static inline ScopeRef
ScopesetRef(const Scopeset *s, int i)
{
	ScopeRef	ref;
	uint16		start = ScopesetStart(s, i);

	ref.name = ScopesetNames(s) + start;
	ref.len = s->ends[i] - start;
	ref.wild = false;
	ref.shape = 0;
	return ref;
}

/*
 * Element i of s with its wild flag, for a walk through s in order: *w is
 * where the walk stands in s's list of wildcards.
 */
static inline ScopeRef
ScopesetWalkRef(const Scopeset *s, int i, int *w)
{
	ScopeRef	ref = ScopesetRef(s, i);

	ref.wild = *w < s->nwild && ScopesetWild(s)[*w] == i;
	*w += ref.wild ? 1 : 0;
	return ref;
}

/*
 * The elements of s, or only its wildcards, as scope_search() reads them:
 * in place, so that searching a value needs no copy of it.
 */
static inline ScopeList
ScopesetList(const Scopeset *s, bool wild_only)
{
	ScopeList	list = {NULL, ScopesetNames(s), s->ends,
						wild_only ? ScopesetWild(s) : NULL,
						wild_only ? s->nwild : s->nscopes};

	return list;
}

/* Bytewise order of the eight bytes at a + i and b + i: -1, 0 or 1. */
static inline int
NameWordCmp(const char *a, const char *b, int i)
{
	uint64		x;
	uint64		y;

	memcpy(&x, a + i, 8);
	memcpy(&y, b + i, 8);
	if (x == y)
		return 0;
	/* As big-endian numbers, words order like their bytes. */
	return pg_ntoh64(x) < pg_ntoh64(y) ? -1 : 1;
}

/*
 * Bytewise order of two names, as scope_cmp() but inline: eight bytes at a
 * time, which beats a call to memcmp for names this short.  The tail is one
 * more word that overlaps bytes already found equal, so the first byte that
 * differs in it is still the first that differs in the names; no byte is
 * read past either name.
 */
static inline int
ScopeNameCmp(const char *a, int alen, const char *b, int blen)
{
	int			n = Min(alen, blen);
	int			c = 0;

	if (n >= 8)
	{
		int			i = 0;

		for (; i + 8 <= n && c == 0; i += 8)
			c = NameWordCmp(a, b, i);
		if (c == 0 && i < n)
			c = NameWordCmp(a, b, n - 8);
	}
	else
	{
		for (int i = 0; i < n && c == 0; i++)
			c = (unsigned char) a[i] - (unsigned char) b[i];
	}
	return c != 0 ? c : alen - blen;
}

/*
 * Copy a short name eight bytes at a time.  The last word overlaps the one
 * before it rather than finishing byte by byte; nothing is read or written
 * outside the name.
 */
static inline void
ScopeNameCopy(char *dst, const char *src, int len)
{
	uint64		w;

	if (len < 8)
	{
		memcpy(dst, src, len);
		return;
	}
	for (int i = 0; i + 8 < len; i += 8)
	{
		memcpy(&w, src + i, 8);
		memcpy(dst + i, &w, 8);
	}
	memcpy(&w, src + len - 8, 8);
	memcpy(dst + len - 8, &w, 8);
}

/*
 * Ask the CPU to start loading a whole value.  A binary search over a value
 * read from a table is a chain of cache misses, each address depending on
 * the last comparison; loading every line at once overlaps those misses.
 */
static inline void
ScopesetPrefetch(const Scopeset *s)
{
#if defined(__GNUC__) || defined(__clang__)
	const char *p = (const char *) s;
	const char *end = p + VARSIZE(s);

	for (; p < end; p += 64)
		__builtin_prefetch(p);
#endif
}

/* scopeset.c */
extern void ScopesetInit(void);
extern Datum scopeset_in(PG_FUNCTION_ARGS);
extern Datum scopeset_out(PG_FUNCTION_ARGS);
extern Scopeset *ScopesetBuild(const ScopeRef *refs, int n);
extern pg_noreturn void ScopesetTooLarge(int n, Size namebytes);
extern void ScopesetCheckInputSize(Size bytes, Size elements);
extern Scopeset *ScopesetFromRefs(ScopeRef *refs, int n);
extern Scopeset *ScopesetCopy(const Scopeset *s);
extern ScopeRef *ScopesetRefs(const Scopeset *s);
extern ScopeRef ScopeFromText(const text *t);
extern void ScopeParseOrError(const char *s, size_t len, ScopeRef *ref);

/* scopeset_cast.c */
extern int	ScopeRefsFromArray(ArrayType *arr, ScopeRef **refs);

/* scopeset_ops.c */
extern void ScopesetMarkCovered(const Scopeset *a, const Scopeset *b,
								ScopeRef **arefs, ScopeRef **brefs);
extern bool ScopesetCovers(const Scopeset *s, const ScopeRef *q);
extern bool ScopesetContains(const Scopeset *a, const Scopeset *b);
extern bool ScopesetOverlaps(const Scopeset *a, const Scopeset *b);
extern Scopeset *ScopesetUnion(const Scopeset *a, const Scopeset *b);
extern Scopeset *ScopesetMinus(const Scopeset *a, const Scopeset *b);

/* scopeset_intersect.c */
extern Scopeset *ScopesetIntersect(const Scopeset *a, const Scopeset *b);

/* scopeset_cmp.c */
extern int	ScopesetCmp(const Scopeset *a, const Scopeset *b);

#endif							/* RBAC_SCOPESET_H */
