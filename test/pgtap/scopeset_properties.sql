-- Property tests for rbac.scopeset against a brute-force reference.
--
-- Random sets are built from the segment values a, b and c and the wildcard
-- "*", with 1 to 3 segments joined by "." or ":".  The reference expands each
-- pattern over the values a, b, c and z.  No generated set names z, so z
-- stands for every value the sets do not mention: two patterns then denote
-- the same finite set exactly when they denote the same infinite one, and
-- {a,b,c} does not pass for {*}.
--
-- Each property is checked over every set, pair or triple at once and
-- reported as the number of counterexamples, which must be 0.
BEGIN;
SELECT setseed(0.4242);
SELECT plan(74);
SET LOCAL search_path = rbac, public;

-- ===================================================================
-- Generators
-- ===================================================================

-- A segment value that generated sets use; z is kept out on purpose.
CREATE FUNCTION pg_temp.rand_value() RETURNS text LANGUAGE sql VOLATILE AS
$$ SELECT (ARRAY['a', 'b', 'c'])[1 + floor(random() * 3)::int] $$;

-- One segment: a value, or the wildcard one time in four.
CREATE FUNCTION pg_temp.rand_segment() RETURNS text LANGUAGE sql VOLATILE AS
$$ SELECT CASE WHEN random() < 0.25 THEN '*' ELSE pg_temp.rand_value() END $$;

-- One scope of 1 to 3 segments, each separator "." or ":".
CREATE FUNCTION pg_temp.rand_scope() RETURNS text LANGUAGE plpgsql VOLATILE AS $$
DECLARE
	s text := pg_temp.rand_segment();
BEGIN
	FOR k IN 2..1 + floor(random() * 3)::int LOOP
		s := s || (ARRAY['.', ':'])[1 + floor(random() * 2)::int] || pg_temp.rand_segment();
	END LOOP;
	RETURN s;
END $$;

-- The elements of a random set: 0 to 8 scopes, repeats allowed.
CREATE FUNCTION pg_temp.rand_set() RETURNS text[] LANGUAGE plpgsql VOLATILE AS $$
DECLARE
	r text[] := '{}';
BEGIN
	FOR k IN 1..floor(random() * 9)::int LOOP
		r := r || pg_temp.rand_scope();
	END LOOP;
	RETURN r;
END $$;

-- A set related to r: most of its elements, either narrowed (some wildcards
-- replaced by values) or widened (some values replaced by wildcards), and
-- now and then one unrelated scope.  Such a set is often contained in r, or
-- contains it, which random pairs rarely are.
CREATE FUNCTION pg_temp.derive(r text[]) RETURNS text[] LANGUAGE plpgsql VOLATILE AS $$
DECLARE
	widen boolean := random() < 0.5;
	result text[] := '{}';
	e text;
	m text[];
	s text;
BEGIN
	FOREACH e IN ARRAY r LOOP
		CONTINUE WHEN random() < 0.3;
		s := '';
		FOR m IN SELECT regexp_matches(e, '([^.:]+)([.:]?)', 'g') LOOP
			IF widen AND random() < 0.3 THEN
				s := s || '*';
			ELSIF NOT widen AND m[1] = '*' AND random() < 0.5 THEN
				s := s || pg_temp.rand_value();
			ELSE
				s := s || m[1];
			END IF;
			s := s || m[2];
		END LOOP;
		result := result || s;
	END LOOP;
	IF random() < 0.2 THEN
		result := result || pg_temp.rand_scope();
	END IF;
	RETURN result;
END $$;

-- A scope to probe a set with: one of its own elements, or a random scope.
CREATE FUNCTION pg_temp.rand_probe(r text[]) RETURNS text LANGUAGE sql VOLATILE AS $$
	SELECT CASE WHEN cardinality(r) > 0 AND random() < 0.3
		THEN r[1 + floor(random() * cardinality(r))::int]
		ELSE pg_temp.rand_scope() END
$$;

-- Nothing, one space or two, to pad the text form.
CREATE FUNCTION pg_temp.pad() RETURNS text LANGUAGE sql VOLATILE AS
$$ SELECT (ARRAY['', '', ' ', '  '])[1 + floor(random() * 4)::int] $$;

-- The text form of r, in r's order, with random whitespace.
CREATE FUNCTION pg_temp.literal(r text[]) RETURNS text LANGUAGE sql VOLATILE AS $$
	SELECT pg_temp.pad() || '{'
		|| coalesce(string_agg(pg_temp.pad() || e || pg_temp.pad(), ',' ORDER BY k), pg_temp.pad())
		|| '}' || pg_temp.pad()
	FROM unnest(r) WITH ORDINALITY AS t(e, k)
$$;

-- Sets 2k-1 and 2k form pair k: the first random, the second random or
-- derived from the first, in either order.  Each pair also gets a random
-- third set for the triples, a probe scope and an array of 0 to 4 probes.
CREATE TEMP TABLE sets (id int PRIMARY KEY, raw text[] NOT NULL, lit text NOT NULL,
	random boolean NOT NULL);
CREATE TEMP TABLE pairs (k int PRIMARY KEY, ia int NOT NULL, ib int NOT NULL,
	ic int NOT NULL, probe text NOT NULL, probes text[] NOT NULL);

DO $$
DECLARE
	a text[];
	b text[];
	b_random boolean;
BEGIN
	FOR k IN 1..10000 LOOP
		a := pg_temp.rand_set();
		b_random := random() < 0.5;
		b := CASE WHEN b_random THEN pg_temp.rand_set() ELSE pg_temp.derive(a) END;
		INSERT INTO sets VALUES (2 * k - 1, a, pg_temp.literal(a), true),
			(2 * k, b, pg_temp.literal(b), b_random);
		IF random() < 0.5 THEN
			INSERT INTO pairs VALUES (k, 2 * k - 1, 2 * k, 1 + floor(random() * 20000)::int,
				pg_temp.rand_probe(a),
				ARRAY(SELECT pg_temp.rand_probe(a) FROM generate_series(1, floor(random() * 5)::int)));
		ELSE
			INSERT INTO pairs VALUES (k, 2 * k, 2 * k - 1, 1 + floor(random() * 20000)::int,
				pg_temp.rand_probe(b),
				ARRAY(SELECT pg_temp.rand_probe(b) FROM generate_series(1, floor(random() * 5)::int)));
		END IF;
	END LOOP;
END $$;

-- Each set parsed from its text form, and built two other ways: from its
-- elements in reverse order as text[], and as the union of singletons.
ALTER TABLE sets ADD s rbac.scopeset, ADD from_array rbac.scopeset, ADD from_union rbac.scopeset;
UPDATE sets SET s = lit::rbac.scopeset,
	from_array = rbac.scopeset(ARRAY(SELECT e FROM unnest(raw) WITH ORDINALITY t(e, k) ORDER BY k DESC)),
	from_union = coalesce((SELECT rbac.union_agg(('{' || e || '}')::rbac.scopeset) FROM unnest(raw) e), '{}');

-- Every operation under test, evaluated once per pair.
CREATE TEMP TABLE pr AS
SELECT p.k, x.s AS a, y.s AS b, z.s AS c, x.raw AS ra, y.raw AS rb, p.probe, p.probes,
	x.s | y.s AS u, y.s | x.s AS u_ba, x.s & y.s AS i, y.s & x.s AS i_ba, x.s - y.s AS d,
	(x.s | y.s) | z.s AS u_ab_c, x.s | (y.s | z.s) AS u_a_bc,
	(x.s & y.s) & z.s AS i_ab_c, x.s & (y.s & z.s) AS i_a_bc,
	x.s | (x.s & y.s) AS absorb_u, x.s & (x.s | y.s) AS absorb_i,
	x.s @> y.s AS contains, x.s <@ y.s AS contained, y.s @> x.s AS contains_ba,
	x.s && y.s AS overlap,
	x.s ? p.probe AS has, x.s @> ('{' || p.probe || '}')::rbac.scopeset AS has_singleton,
	x.s ?| p.probes AS has_any, x.s ?& p.probes AS has_all,
	x.s - p.probe AS minus_s, x.s - ('{' || p.probe || '}')::rbac.scopeset AS minus_singleton,
	x.s + p.probe AS plus_s, x.s | ('{' || p.probe || '}')::rbac.scopeset AS plus_singleton
FROM pairs p
JOIN sets x ON x.id = p.ia
JOIN sets y ON y.id = p.ib
JOIN sets z ON z.id = p.ic;

-- ===================================================================
-- The reference
-- ===================================================================

-- The concrete names pattern p matches over the values a, b, c and z,
-- sorted bytewise.
CREATE FUNCTION pg_temp.expand(p text) RETURNS text[] LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	names text[] := ARRAY[''];
	m text[];
BEGIN
	FOR m IN SELECT regexp_matches(p, '([^.:]+)([.:]?)', 'g') LOOP
		names := ARRAY(SELECT n || v || m[2]
			FROM unnest(names) n,
				unnest(CASE WHEN m[1] = '*' THEN ARRAY['a', 'b', 'c', 'z'] ELSE ARRAY[m[1]] END) v);
	END LOOP;
	RETURN ARRAY(SELECT n FROM unnest(names) n ORDER BY n COLLATE "C");
END $$;

-- Every pattern that occurs anywhere, with its expansion.
CREATE TEMP TABLE pden (p text PRIMARY KEY, names text[] NOT NULL);
INSERT INTO pden
SELECT e, pg_temp.expand(e) FROM (
	SELECT unnest(raw) FROM sets
	UNION SELECT probe FROM pairs
	UNION SELECT unnest(probes) FROM pairs
	UNION SELECT unnest(v::text[]) FROM pr,
		LATERAL (VALUES (u), (i), (d), (u_ab_c), (u_a_bc), (i_ab_c), (i_a_bc),
			(minus_s), (plus_s)) AS t(v)
) AS all_patterns(e);

-- Which pattern covers which: f covers e when it matches every name e does.
CREATE TEMP TABLE cov AS
SELECT f.p AS f, e.p AS e FROM pden f JOIN pden e ON f.names @> e.names AND f.p <> e.p;
CREATE INDEX ON cov (e, f);
ANALYZE pden;
ANALYZE cov;

-- The names a list of patterns matches, sorted bytewise, without repeats;
-- NULL, which fails any property it enters, for a pattern not expanded.
CREATE FUNCTION pg_temp.den(elems text[]) RETURNS text[] LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN EXISTS (SELECT FROM unnest(elems) e
			WHERE NOT EXISTS (SELECT FROM pg_temp.pden WHERE p = e))
		THEN NULL
		ELSE ARRAY(SELECT n FROM pg_temp.pden, unnest(names) n WHERE p = ANY (elems)
			GROUP BY n ORDER BY n COLLATE "C") END
$$;

-- The same for an array of names.
CREATE FUNCTION pg_temp.norm(names text[]) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
	SELECT ARRAY(SELECT n FROM unnest(names) n GROUP BY n ORDER BY n COLLATE "C")
$$;

-- The canonical text form of a list of patterns: the elements no other
-- element covers, sorted bytewise.
CREATE FUNCTION pg_temp.canon(elems text[]) RETURNS text LANGUAGE sql STABLE AS $$
	SELECT '{' || coalesce(string_agg(e, ',' ORDER BY e COLLATE "C"), '') || '}'
	FROM (SELECT DISTINCT e FROM unnest(elems) e) AS x
	WHERE NOT EXISTS (SELECT FROM pg_temp.cov WHERE cov.e = x.e AND cov.f = ANY (elems))
$$;

-- Does some pattern of the list covering cover pattern?
CREATE FUNCTION pg_temp.covered(pattern text, covering text[]) RETURNS boolean LANGUAGE sql STABLE AS $$
	SELECT pattern = ANY (covering)
		OR EXISTS (SELECT FROM pg_temp.cov WHERE cov.e = pattern AND cov.f = ANY (covering))
$$;

ALTER TABLE sets ADD den text[];
UPDATE sets SET den = pg_temp.den(raw);
ALTER TABLE pr ADD da text[], ADD db text[], ADD du text[], ADD di text[], ADD dd text[], ADD dprobe text[];
UPDATE pr SET da = pg_temp.den(ra), db = pg_temp.den(rb), du = pg_temp.den(u::text[]),
	di = pg_temp.den(i::text[]), dd = pg_temp.den(d::text[]), dprobe = pg_temp.den(ARRAY[probe]);

-- ===================================================================
-- The generated data covers the cases that matter
-- ===================================================================

SELECT ok(n >= 10000, format('%s of the %s sets are random (at least 10000)', n, total))
FROM (SELECT count(*) FILTER (WHERE random) AS n, count(*) AS total FROM sets) AS t;

SELECT ok(n >= 500, format('%s sets: %s', n, name))
FROM (
	SELECT ord, name, count(*) FILTER (WHERE holds) AS n
	FROM sets CROSS JOIN LATERAL (VALUES
		(1, 'are empty', cardinality(raw) = 0),
		(2, 'have 8 elements', cardinality(raw) = 8),
		(3, 'have a wildcard', array_to_string(raw, ',') LIKE '%*%'),
		(4, 'use both separators', array_to_string(raw, ',') ~ '\.' AND array_to_string(raw, ',') ~ ':'),
		(5, 'have a 3-segment element', array_to_string(raw, ',') ~ '[^,]+[.:][^,]+[.:]'),
		(6, 'have a repeated or covered element', cardinality(raw) > rbac.cardinality(s)),
		(7, 'have whitespace in their text form', lit ~ ' ')
	) AS t(ord, name, holds)
	GROUP BY ord, name
) AS q ORDER BY ord;

-- Both answers of each predicate occur often, so no property holds only
-- because one side of its "iff" never does.
SELECT ok(n_true >= 500 AND n_false >= 500,
	format('%s is true for %s pairs and false for %s', name, n_true, n_false))
FROM (
	SELECT ord, name, count(*) FILTER (WHERE holds) AS n_true,
		count(*) FILTER (WHERE NOT holds) AS n_false
	FROM pr CROSS JOIN LATERAL (VALUES
		(1, 'A @> B', contains),
		(2, 'A <@ B', contained),
		(3, 'A && B', overlap),
		(4, 'A ? s', has),
		(5, 'A ?| S', has_any),
		(6, 'A ?& S', has_all),
		(7, 'A - B = A', d = a),
		(8, 'A & B = {}', i = '{}'),
		(9, 'A ? s, for s with a wildcard,', CASE WHEN probe LIKE '%*%' THEN has END)
	) AS t(ord, name, holds)
	GROUP BY ord, name
) AS q ORDER BY ord;

SELECT ok(count(*) >= 100,
	format('%s pairs keep in A - B a wildcard that B covers only in part', count(*)))
FROM pr
WHERE EXISTS (SELECT FROM unnest(d::text[]) e
	WHERE e LIKE '%*%' AND (SELECT names FROM pden WHERE p = e) && db);

-- ===================================================================
-- Canonical form
-- ===================================================================

SELECT is(n_bad, 0::bigint, format('%s, over %s sets', name, n))
	|| coalesce(E'\n' || diag('shortest counterexample: ' || example), '')
FROM (
	SELECT ord, name, count(*) AS n, count(*) FILTER (WHERE holds IS NOT TRUE) AS n_bad,
		(array_agg(ex ORDER BY octet_length(ex), ex) FILTER (WHERE holds IS NOT TRUE))[1] AS example
	FROM (
		SELECT ord, name, holds, format('A = %s, read from %s', s, to_json(lit)) AS ex
		FROM sets CROSS JOIN LATERAL (VALUES
			(1, 'the text form is the reference canonical form', s::text = pg_temp.canon(raw)),
			(2, 'the denotation is that of the input elements', pg_temp.den(s::text[]) = den),
			(3, 'cardinality counts the canonical elements',
				rbac.cardinality(s) = cardinality(s::text[])
				AND rbac.cardinality(s) = (SELECT count(*) FROM rbac.scopes(s))),
			(4, 'the text form round-trips', (s::text)::rbac.scopeset = s
				AND ((s::text)::rbac.scopeset)::text = s::text),
			(5, 'the text[] cast of the reversed elements gives the same value',
				from_array = s AND from_array::text = s::text),
			(6, 'the union of the singletons gives the same value',
				from_union = s AND from_union::text = s::text),
			(7, 'A | A = A', s | s = s),
			(8, 'A & A = A', s & s = s),
			(9, 'A - A = {}', s - s = '{}'),
			(10, 'A @> A and A <@ A', s @> s AND s <@ s),
			(11, 'A && A iff A is not empty', (s && s) = (s <> '{}')),
			(12, 'values built in different ways hash equal',
				hash_scopeset(s) = hash_scopeset(from_array)
				AND hash_scopeset(s) = hash_scopeset(from_union)
				AND hash_scopeset(s) = hash_scopeset((s::text)::rbac.scopeset)
				AND hash_scopeset_extended(s, 0) = hash_scopeset_extended(from_array, 0)
				AND hash_scopeset_extended(s, 0) = hash_scopeset_extended(from_union, 0)
				AND hash_scopeset_extended(s, 7919) = hash_scopeset_extended(from_array, 7919)
				AND hash_scopeset_extended(s, 7919) = hash_scopeset_extended(from_union, 7919)),
			(13, 'hash_scopeset_extended(A, 0) agrees with hash_scopeset(A) in its low 32 bits',
				(hash_scopeset_extended(s, 0) & 4294967295) = (hash_scopeset(s)::bigint & 4294967295))
		) AS t(ord, name, holds)
	) AS q
	GROUP BY ord, name
) AS r ORDER BY ord;

-- Every value the operators return is canonical, and names only patterns
-- built from the segments of its operands.  (A | (B | C) and A & (B & C)
-- are left out: associativity, below, makes them equal to these.)
SELECT is(n_bad, 0::bigint, format('%s, over %s values', name, n))
	|| coalesce(E'\n' || diag('shortest counterexample: ' || example), '')
FROM (
	SELECT ord, name, count(*) AS n, count(*) FILTER (WHERE holds IS NOT TRUE) AS n_bad,
		(array_agg(ex ORDER BY octet_length(ex), ex) FILTER (WHERE holds IS NOT TRUE))[1] AS example
	FROM (
		SELECT ord, name, holds,
			format('%s = %s, with A = %s, B = %s, C = %s, s = %s', op, x, a, b, c, probe) AS ex
		FROM pr,
			LATERAL (VALUES ('A | B', u), ('A & B', i), ('A - B', d), ('(A | B) | C', u_ab_c),
				('(A & B) & C', i_ab_c), ('A - s', minus_s), ('A + s', plus_s)) AS v(op, x),
			LATERAL (VALUES
				(1, 'operator results are in the reference canonical form', x::text = pg_temp.canon(x::text[])),
				(2, 'operator results name only generated segments',
					x::text ~ '^\{([abc*]([.:][abc*]){0,2}(,[abc*]([.:][abc*]){0,2})*)?\}$'),
				(3, 'operator results round-trip through text', (x::text)::rbac.scopeset = x))
			AS t(ord, name, holds)
	) AS q
	GROUP BY ord, name
) AS r ORDER BY ord;

-- ===================================================================
-- Set algebra, against the reference and as laws
-- ===================================================================

SELECT is(n_bad, 0::bigint, format('%s, over %s pairs', name, n))
	|| coalesce(E'\n' || diag('shortest counterexample: ' || example), '')
FROM (
	SELECT ord, name, count(*) AS n, count(*) FILTER (WHERE holds IS NOT TRUE) AS n_bad,
		(array_agg(ex ORDER BY octet_length(ex), ex) FILTER (WHERE holds IS NOT TRUE))[1] AS example
	FROM (
		SELECT ord, name, holds,
			format('A = %s, B = %s, C = %s, s = %s, S = %s', a, b, c, probe, probes) AS ex
		FROM pr CROSS JOIN LATERAL (VALUES
			(1, 'den(A | B) = den(A) ∪ den(B)', du = pg_temp.den(ra || rb)),
			(2, 'den(A & B) = den(A) ∩ den(B)',
				di = pg_temp.norm(ARRAY(SELECT unnest(da) INTERSECT SELECT unnest(db)))),
			(3, 'A | B = B | A', u = u_ba),
			(4, 'A & B = B & A', i = i_ba),
			(5, '(A | B) | C = A | (B | C)', u_ab_c = u_a_bc),
			(6, '(A & B) & C = A & (B & C)', i_ab_c = i_a_bc),
			(7, 'A | (A & B) = A', absorb_u = a),
			(8, 'A & (A | B) = A', absorb_i = a),
			(9, 'A @> B iff A | B = A', contains = (u = a)),
			(10, 'A @> B iff den(B) ⊆ den(A)', contains = (da @> db)),
			(11, 'A <@ B iff B @> A', contained = contains_ba),
			(12, 'A <@ B iff den(A) ⊆ den(B)', contained = (db @> da)),
			(13, 'A && B iff A & B <> {}', overlap = (i <> '{}')),
			(14, 'A && B iff den(A) ∩ den(B) is not empty', overlap = (da && db)),
			(15, 'A ? s iff A @> {s}', has = has_singleton),
			(16, 'A ? s iff den(s) ⊆ den(A)', has = (da @> dprobe)),
			(17, 'A ?| S iff A ? s for some s in S',
				has_any = EXISTS (SELECT FROM unnest(probes) q WHERE a ? q)),
			(18, 'A ?& S iff A ? s for every s in S',
				has_all = NOT EXISTS (SELECT FROM unnest(probes) q WHERE NOT a ? q)),
			(19, 'A - B keeps only elements of A that B does not cover',
				NOT EXISTS (SELECT FROM unnest(d::text[]) e
					WHERE e <> ALL (a::text[]) OR pg_temp.covered(e, b::text[]))),
			(20, 'A - B drops only elements of A that B covers',
				NOT EXISTS (SELECT FROM unnest(a::text[]) e
					WHERE e <> ALL (d::text[]) AND NOT pg_temp.covered(e, b::text[]))),
			(21, 'den(A) \ den(B) ⊆ den(A - B) ⊆ den(A)',
				dd @> ARRAY(SELECT unnest(da) EXCEPT SELECT unnest(db)) AND da @> dd),
			(22, 'A - s = A - {s}', minus_s = minus_singleton),
			(23, 'A + s = A | {s}', plus_s = plus_singleton),
			(24, 'values equal by commutativity hash equal',
				hash_scopeset(u) = hash_scopeset(u_ba) AND hash_scopeset(i) = hash_scopeset(i_ba)
				AND hash_scopeset(u_ab_c) = hash_scopeset(u_a_bc)
				AND hash_scopeset_extended(u, 0) = hash_scopeset_extended(u_ba, 0)
				AND hash_scopeset_extended(i, 0) = hash_scopeset_extended(i_ba, 0))
		) AS t(ord, name, holds)
	) AS q
	GROUP BY ord, name
) AS r ORDER BY ord;

-- ===================================================================
-- Binary round trip, through COPY (FORMAT binary) and back
-- ===================================================================

CREATE TEMP TABLE vals AS
SELECT row_number() OVER () AS id, v
FROM (SELECT s FROM sets UNION ALL SELECT u FROM pr UNION ALL SELECT i FROM pr
	UNION ALL SELECT d FROM pr) AS t(v);
CREATE TEMP TABLE vals_back (id bigint, v rbac.scopeset);
-- COPY TO a file needs an absolute path: use one in the data directory,
-- named for this backend, and remove it afterwards.
DO $$
DECLARE
	path text := current_setting('data_directory')
		|| format('/rbac_pgtap_scopeset_%s.bin', pg_backend_pid());
BEGIN
	EXECUTE format('COPY (SELECT id, v FROM vals) TO %L (FORMAT binary)', path);
	EXECUTE format('COPY vals_back FROM %L (FORMAT binary)', path);
	EXECUTE format('COPY (SELECT WHERE false) TO PROGRAM %L',
		'rm -f ''' || replace(path, '''', '''\''''') || '''');
END $$;

SELECT is((SELECT count(*) FROM vals_back), (SELECT count(*) FROM vals),
	'every value comes back from the binary COPY');
SELECT is(count(*), 0::bigint,
	format('the binary round trip is the identity, over %s values', (SELECT count(*) FROM vals)))
FROM vals JOIN vals_back USING (id)
WHERE vals.v <> vals_back.v OR vals.v::text <> vals_back.v::text;

-- ===================================================================
-- The btree order and hashing
-- ===================================================================

-- Pairs to compare: the random pairs, each set with the same set built
-- another way, and union results from both sides.
CREATE TEMP TABLE cmp_pairs AS
SELECT a AS x, b AS y FROM pr
UNION ALL SELECT s, from_array FROM sets
UNION ALL SELECT u, u_ba FROM pr
UNION ALL SELECT a, u FROM pr;

SELECT ok(n_eq >= 1000 AND n_ne >= 1000,
	format('the compared pairs hold %s equal and %s unequal values', n_eq, n_ne))
FROM (SELECT count(*) FILTER (WHERE x::text = y::text) AS n_eq,
	count(*) FILTER (WHERE x::text <> y::text) AS n_ne FROM cmp_pairs) AS t;

SELECT is(n_bad, 0::bigint, format('%s, over %s pairs', name, n))
	|| coalesce(E'\n' || diag('shortest counterexample: ' || example), '')
FROM (
	SELECT ord, name, count(*) AS n, count(*) FILTER (WHERE holds IS NOT TRUE) AS n_bad,
		(array_agg(ex ORDER BY octet_length(ex), ex) FILTER (WHERE holds IS NOT TRUE))[1] AS example
	FROM (
		SELECT ord, name, holds, format('A = %s, B = %s', x, y) AS ex
		FROM (SELECT x, y, scopeset_cmp(x, y) AS cmp FROM cmp_pairs) AS c
		CROSS JOIN LATERAL (VALUES
			(1, 'scopeset_cmp returns -1, 0 or 1', cmp IN (-1, 0, 1)),
			(2, 'cmp(A, B) = -cmp(B, A)', cmp = -scopeset_cmp(y, x)),
			(3, 'A = B iff cmp(A, B) = 0, and iff their text forms are equal',
				(x = y) = (cmp = 0) AND (x = y) = (x::text = y::text)),
			(4, 'A <> B iff cmp(A, B) <> 0', (x <> y) = (cmp <> 0)),
			(5, 'A < B iff cmp(A, B) < 0', (x < y) = (cmp < 0)),
			(6, 'A <= B iff cmp(A, B) <= 0', (x <= y) = (cmp <= 0)),
			(7, 'A > B iff cmp(A, B) > 0', (x > y) = (cmp > 0)),
			(8, 'A >= B iff cmp(A, B) >= 0', (x >= y) = (cmp >= 0)),
			(9, 'equal values hash equal',
				x <> y OR (hash_scopeset(x) = hash_scopeset(y)
					AND hash_scopeset_extended(x, 0) = hash_scopeset_extended(y, 0)
					AND hash_scopeset_extended(x, -1) = hash_scopeset_extended(y, -1)))
		) AS t(ord, name, holds)
	) AS q
	GROUP BY ord, name
) AS r ORDER BY ord;

SELECT is(count(*), 0::bigint,
	format('scopeset_cmp is transitive, over %s ordered triples', 6 * (SELECT count(*) FROM pr)))
FROM pr CROSS JOIN LATERAL (VALUES (a, b, c), (a, c, b), (b, a, c), (b, c, a), (c, a, b), (c, b, a))
	AS t(x, y, z)
WHERE (scopeset_cmp(x, y) <= 0 AND scopeset_cmp(y, z) <= 0 AND scopeset_cmp(x, z) > 0)
	OR (scopeset_cmp(x, y) < 0 AND scopeset_cmp(y, z) < 0 AND scopeset_cmp(x, z) >= 0);

-- Sorting all sets: each one is <= the next, and the ties are exactly the
-- repeated values.
SELECT is(count(*) FILTER (WHERE NOT (prev <= s AND scopeset_cmp(prev, s) <= 0)), 0::bigint,
	format('ORDER BY sorts %s sets into a non-decreasing sequence', count(*) + 1))
FROM (SELECT s, lag(s) OVER (ORDER BY s) AS prev FROM sets) AS t
WHERE prev IS NOT NULL;

SELECT is(
	(SELECT count(*) FROM (SELECT s, lag(s) OVER (ORDER BY s) AS prev FROM sets) AS t
		WHERE prev = s),
	(SELECT count(*) - count(DISTINCT s::text) FROM sets),
	'the ties in the sorted sets are exactly the repeated values');

SELECT ok(n_hash >= 0.99 * n_values,
	format('%s distinct values have %s distinct hashes', n_values, n_hash))
FROM (SELECT count(DISTINCT s::text) AS n_values, count(DISTINCT hash_scopeset(s)) AS n_hash
	FROM sets) AS t;

SELECT * FROM finish();
ROLLBACK;
