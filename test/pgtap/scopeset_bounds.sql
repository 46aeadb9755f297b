-- Bounds on scopeset work, whatever the input.
--
-- 1. Inputs far larger than any value could hold, and results that would
--    not fit in a value, are refused with SQLSTATE 54000 before the work
--    that would exceed the limit: each case runs under a statement_timeout
--    of 5 s and must end with 54000 (not 57014) within it.
-- 2. Pathological but valid inputs (thousands of patterns, a GIN lookup
--    with thousands of them) run under a statement_timeout of 500 ms: each
--    must finish, or be cancelled with 57014, within that timeout (with a
--    second's grace for a busy machine).  Nothing here asserts a speed.
--    JIT is off: compiling a query is no part of what is bounded here.
-- 3. Results that fit are exact: large pattern-heavy intersections against
--    the meets computed in SQL, and GIN lookups that take the bounded paths
--    against sequential scans.
--
-- Each statement is run by pg_temp.attempt(), which catches its error,
-- query_canceled included, and records the SQLSTATE and the time taken.
-- A cancel that comes due while work cannot be interrupted is taken only
-- after the work, at the next PL/pgSQL statement: an outer block catches it
-- there and records "late 57014".
BEGIN;
SELECT setseed(0.2718);
SELECT plan(33);
SET LOCAL search_path = rbac, public;
SET LOCAL jit = off;

CREATE TEMP TABLE outcomes (label text PRIMARY KEY, state text, ms float8,
	message text, detail text, hint text);

CREATE FUNCTION pg_temp.attempt(label text, sql text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	t0 timestamptz := clock_timestamp();
	st text := 'ok';
	ms float8;
	msg text;
	dt text;
	ht text;
BEGIN
	BEGIN
		BEGIN
			EXECUTE sql;
		EXCEPTION WHEN query_canceled OR OTHERS THEN
			GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
				dt = PG_EXCEPTION_DETAIL, ht = PG_EXCEPTION_HINT;
		END;
		ms := extract(epoch FROM clock_timestamp() - t0) * 1000;
	EXCEPTION WHEN query_canceled THEN
		st := 'late 57014';
		ms := extract(epoch FROM clock_timestamp() - t0) * 1000;
	END;
	INSERT INTO outcomes VALUES (label, st, ms, msg, dt, ht);
END $$;

-- ===================================================================
-- Inputs
-- ===================================================================

-- n patterns "*.aNNNNNN", or "bNNNNNN.*", as a literal.
CREATE FUNCTION pg_temp.patterns(fmt text, n int) RETURNS text LANGUAGE sql AS $$
	SELECT '{' || string_agg(format(fmt, lpad(i::text, 6, '0')), ',') || '}'
	FROM generate_series(1, n) AS i
$$;

CREATE TEMP TABLE big AS
SELECT pg_temp.patterns('*.a%s', 48000) AS many_patterns,
	'{' || repeat('a.b, ', 300000) || 'a.b}' AS too_long,
	array_fill('a.b'::text, ARRAY[600000]) AS too_many,
	pg_temp.patterns('*.a%s', 4000)::scopeset AS left_wild,
	pg_temp.patterns('b%s.*', 4000)::scopeset AS right_wild,
	pg_temp.patterns('*.a%s', 6500)::scopeset AS a_wild,
	pg_temp.patterns('*.b%s', 6500)::scopeset AS b_wild,
	ARRAY(SELECT format('x%s.y%s', i, i) FROM generate_series(1, 100000) AS i) AS names,
	pg_temp.patterns('x%s.c', 5500)::scopeset AS covered_by_last;

-- A table of small sets, with a GIN index: ten scopes a row, a third of
-- them patterns.
CREATE TEMP TABLE indexed AS
SELECT i, scopeset(ARRAY(SELECT format('t%s.r%s.%s', (i * 7 + k * 13) % 2000, k,
		(ARRAY['read', 'write', '*'])[1 + (i + k) % 3])
	FROM generate_series(1, 10) AS k)) AS s
FROM generate_series(1, 5000) AS i;
CREATE INDEX indexed_s ON indexed USING gin (s);
ANALYZE indexed;

-- The binary form of a set of 6,500 patterns, for COPY FROM (FORMAT binary).
-- COPY TO a file takes an absolute path: the file goes to the data
-- directory, where COPY FROM finds it by a relative one.
CREATE TEMP TABLE received (s scopeset);
DO $$
BEGIN
	EXECUTE format('COPY (SELECT a_wild FROM big) TO %L (FORMAT binary)',
		current_setting('data_directory') || '/rbac_scopeset_bounds.bin');
END $$;

-- ===================================================================
-- 1. Too large: 54000 before the work, within the statement_timeout
-- ===================================================================

SET LOCAL statement_timeout = '5s';
SELECT pg_temp.attempt('literal of 48,000 patterns', $$SELECT many_patterns::scopeset FROM big$$);
SELECT pg_temp.attempt('literal longer than 1 MiB', $$SELECT too_long::scopeset FROM big$$);
SELECT pg_temp.attempt('array of 600,000 scopes', $$SELECT too_many::scopeset FROM big$$);
SELECT pg_temp.attempt('?| with 600,000 scopes', $$SELECT '{a.b}'::scopeset ?| too_many FROM big$$);
SELECT pg_temp.attempt('jsonb array of 600,000 scopes', $$SELECT scopeset(to_jsonb(too_many)) FROM big$$);
SELECT pg_temp.attempt('OAuth scope string longer than 1 MiB',
	$$SELECT scopeset(to_jsonb(array_to_string(too_many, ' '))) FROM big$$);
SELECT pg_temp.attempt('4,000 "*.aN" & 4,000 "bN.*"', $$SELECT left_wild & right_wild FROM big$$);
SELECT pg_temp.attempt('intersect_agg of 4,000 "*.aN" and 4,000 "bN.*"',
	$$SELECT intersect_agg(s) FROM big, LATERAL (VALUES (left_wild), (right_wild)) AS v(s)$$);
SELECT pg_temp.attempt('6,500 "*.aN" | 6,500 "*.bN"', $$SELECT a_wild | b_wild FROM big$$);
SELECT pg_temp.attempt('union_agg of 13,000 patterns',
	$$SELECT union_agg(('{' || p || '}')::scopeset)
	  FROM big, unnest(a_wild::text[] || b_wild::text[]) AS p$$);
SET LOCAL statement_timeout = 0;

SELECT ok(o.state = '54000' AND o.ms < 5000,
	format('%s: refused with 54000 within the 5 s statement_timeout', o.label))
FROM outcomes AS o
WHERE o.label IN ('literal of 48,000 patterns', 'literal longer than 1 MiB',
	'array of 600,000 scopes', '?| with 600,000 scopes', 'jsonb array of 600,000 scopes',
	'OAuth scope string longer than 1 MiB', '4,000 "*.aN" & 4,000 "bN.*"',
	'intersect_agg of 4,000 "*.aN" and 4,000 "bN.*"', '6,500 "*.aN" | 6,500 "*.bN"',
	'union_agg of 13,000 patterns')
ORDER BY o.label;

SELECT is(count(*), 0::bigint, 'every refusal has a lowercase message, a detail and a hint')
FROM outcomes
WHERE state = '54000' AND NOT (message = lower(message) AND detail LIKE '%.' AND hint LIKE '%.');

SELECT diag(format('%s: %s after %s ms: %s / %s', label, state, round(ms::numeric), message, detail))
FROM outcomes WHERE NOT (state = '54000' AND ms < 5000) ORDER BY label;

-- ===================================================================
-- 2. Pathological but valid: done, or cancelled, within the timeout
-- ===================================================================

DELETE FROM outcomes;
SET LOCAL enable_seqscan = off;
SET LOCAL statement_timeout = '500ms';
SELECT pg_temp.attempt('GIN && with 4,000 "*.aN"',
	$$SELECT count(*) FROM indexed WHERE s && (SELECT left_wild FROM big)$$);
SELECT pg_temp.attempt('GIN @> with 4,000 "bN.*"',
	$$SELECT count(*) FROM indexed WHERE s @> (SELECT right_wild FROM big)$$);
SELECT pg_temp.attempt('GIN <@ with 4,000 "*.aN"',
	$$SELECT count(*) FROM indexed WHERE s <@ (SELECT left_wild FROM big)$$);
SET LOCAL enable_seqscan = on;
SET LOCAL enable_bitmapscan = off;
SELECT pg_temp.attempt('sequential && with 4,000 "*.aN"',
	$$SELECT count(*) FROM indexed WHERE s && (SELECT left_wild FROM big)$$);
SELECT pg_temp.attempt('?| of 100,000 names against 6,500 patterns',
	$$SELECT a_wild ?| names FROM big$$);
SELECT pg_temp.attempt('@> of 5,500 scopes each covered by the last pattern',
	$$SELECT (a_wild + '*.c') @> covered_by_last FROM big$$);
SELECT pg_temp.attempt('- of 6,500 patterns and 5,500 scopes',
	$$SELECT covered_by_last - a_wild FROM big$$);
SELECT pg_temp.attempt('binary receive of 6,500 patterns',
	$$COPY received FROM 'rbac_scopeset_bounds.bin' (FORMAT binary)$$);
SET LOCAL statement_timeout = 0;
RESET enable_seqscan;
RESET enable_bitmapscan;

SELECT ok(o.state IN ('ok', '57014', 'late 57014') AND o.ms < 1500,
	format('%s: done or cancelled within the 500 ms statement_timeout', o.label))
FROM outcomes AS o ORDER BY o.label;

SELECT diag(format('%s: %s after %s ms: %s', label, state, round(ms::numeric), message))
FROM outcomes WHERE NOT (state IN ('ok', '57014', 'late 57014') AND ms < 1500) ORDER BY label;

-- The binary receive, when it finished, read the value whole.
SELECT ok(NOT EXISTS (SELECT FROM received)
	OR (SELECT s = a_wild FROM received, big), 'binary receive of 6,500 patterns reads them all');

-- ===================================================================
-- 3. Exact: large results that fit
-- ===================================================================

-- Each "*.aN" is covered by "*.*", so it is its own meet, and covers all
-- 600 of its meets with "bN.*": the result is the first set, although the
-- 360,000 meets of every pair would fill several values.
SELECT is((a & (b + '*.*'))::text, a::text,
	'600 "*.aN" & (600 "bN.*" and "*.*") is the first set')
FROM (SELECT pg_temp.patterns('*.a%s', 600)::scopeset AS a,
	pg_temp.patterns('b%s.*', 600)::scopeset AS b) AS t;

-- 40 "*.aN" and 100 "bN.*" meet in 4,000 names, 52,000 bytes: they fit.
SELECT is((pg_temp.patterns('*.a%s', 40)::scopeset & pg_temp.patterns('b%s.*', 100)::scopeset)::text[],
	ARRAY(SELECT m FROM generate_series(1, 40) AS i, generate_series(1, 100) AS j,
			format('b%s.a%s', lpad(j::text, 6, '0'), lpad(i::text, 6, '0')) AS m
		ORDER BY m COLLATE "C"),
	'40 "*.aN" & 100 "bN.*" is their 4,000 meets');

-- Random sets of many patterns against the meets of every pair, computed
-- in SQL and made canonical by the input function.
CREATE FUNCTION pg_temp.meet(p text, q text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	ps text[] := regexp_split_to_array(p, '[.:]');
	qs text[] := regexp_split_to_array(q, '[.:]');
	seps text := regexp_replace(p, '[^.:]', '', 'g');
	r text := '';
BEGIN
	IF seps <> regexp_replace(q, '[^.:]', '', 'g') THEN
		RETURN NULL;
	END IF;
	FOR k IN 1..cardinality(ps) LOOP
		IF ps[k] = '*' THEN
			r := r || qs[k];
		ELSIF qs[k] = '*' OR qs[k] = ps[k] THEN
			r := r || ps[k];
		ELSE
			RETURN NULL;
		END IF;
		r := r || coalesce(substr(seps, k, 1), '');
	END LOOP;
	RETURN r;
END $$;

CREATE FUNCTION pg_temp.rand_pattern() RETURNS text LANGUAGE sql VOLATILE AS $$
	SELECT string_agg(CASE WHEN random() < 0.45 THEN '*'
			ELSE (ARRAY['a', 'b', 'c', 'd', 'e'])[1 + floor(random() * 5)::int] END,
		CASE WHEN random() < 0.85 THEN '.' ELSE ':' END)
	FROM generate_series(1, 2 + floor(random() * 3)::int)
$$;

CREATE TEMP TABLE pairs AS
SELECT n, scopeset(ARRAY(SELECT pg_temp.rand_pattern() FROM generate_series(1, 40 + 0 * n))) AS a,
	scopeset(ARRAY(SELECT pg_temp.rand_pattern() FROM generate_series(1, 40 + 0 * n))) AS b
FROM generate_series(1, 60) AS n;

SELECT ok(count(*) FILTER (WHERE least(cardinality(a), cardinality(b)) > 8) >= 40,
	'most random pairs hold more than 8 patterns each, so the searches are used')
FROM pairs;

SELECT is(count(*), 0::bigint, 'a & b is the canonical form of the meets of every pair, for 60 random pairs')
FROM pairs
WHERE (a & b) <> scopeset(ARRAY(SELECT m FROM unnest(a::text[]) AS p, unnest(b::text[]) AS q,
	pg_temp.meet(p, q) AS m WHERE m IS NOT NULL));

-- ===================================================================
-- 3. Exact: GIN lookups that take the bounded paths agree with scans
-- ===================================================================

-- The rows matching where, by the index or by a sequential scan.
CREATE FUNCTION pg_temp.ids(cond text, use_index boolean) RETURNS int[] LANGUAGE plpgsql AS $$
DECLARE
	r int[];
BEGIN
	PERFORM set_config('enable_seqscan', (NOT use_index)::text, true);
	PERFORM set_config('enable_bitmapscan', use_index::text, true);
	PERFORM set_config('enable_indexscan', use_index::text, true);
	EXECUTE 'SELECT coalesce(array_agg(i ORDER BY i), ''{}'') FROM indexed WHERE ' || cond INTO r;
	PERFORM set_config('enable_seqscan', 'on', true);
	PERFORM set_config('enable_bitmapscan', 'on', true);
	PERFORM set_config('enable_indexscan', 'on', true);
	RETURN r;
END $$;

CREATE FUNCTION pg_temp.uses_index(cond text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
	line text;
	found boolean := false;
BEGIN
	PERFORM set_config('enable_seqscan', 'off', true);
	FOR line IN EXECUTE 'EXPLAIN SELECT i FROM indexed WHERE ' || cond LOOP
		found := found OR line LIKE '%Bitmap Index Scan on indexed_s%';
	END LOOP;
	PERFORM set_config('enable_seqscan', 'on', true);
	RETURN found;
END $$;

CREATE TEMP TABLE lookups AS
SELECT ord, what, cond FROM (VALUES
	(1, '&& with 4,000 leading "*" (one key for all)',
		format('s && %L::rbac.scopeset', (SELECT '{' || string_agg(format('*.r%s.v%s', i, i), ',') || '}'
			FROM generate_series(1, 4000) AS i))),
	(2, '&& with 667 first segments (too many keys: one for all)',
		format('s && %L::rbac.scopeset', (SELECT '{' || string_agg(format('t%s.r%s.read', i, i % 10), ',') || '}'
			FROM generate_series(0, 1999, 3) AS i))),
	(3, '&& with 30 scopes (each distinct key once)',
		format('s && %L::rbac.scopeset', '{' || (SELECT string_agg(format('t%s.*.write', i * 61), ',')
			FROM generate_series(1, 30) AS i) || '}')),
	(4, '?| with 667 names (too many keys)',
		format('s ?| %L::text[]', (SELECT array_agg(format('t%s.r%s.read', i, 1 + i % 10))
			FROM generate_series(0, 1999, 3) AS i))),
	(5, '<@ with 700 scopes (too many keys)',
		format('s <@ %L::rbac.scopeset', (SELECT '{' || string_agg(format('t%s.*.*', i), ',') || '}'
			FROM generate_series(0, 699) AS i))),
	(6, '@> with 40 scopes (32 looked up, the rest rechecked)',
		format('s @> %L::rbac.scopeset', (SELECT '{' || string_agg(format('%s.%s.v%s', s.t, s.r, v), ',') || '}'
			FROM (SELECT split_part(e, '.', 1) AS t, split_part(e, '.', 2) AS r
				FROM indexed, unnest(s::text[]) AS e WHERE e LIKE '%.*' LIMIT 1) AS s
			, generate_series(1, 40) AS v))),
	(7, '?& with 40 names (32 looked up, the rest rechecked)',
		format('s ?& %L::text[]', (SELECT array_agg(format('%s.%s.v%s', s.t, s.r, v))
			FROM (SELECT split_part(e, '.', 1) AS t, split_part(e, '.', 2) AS r
				FROM indexed, unnest(s::text[]) AS e WHERE e LIKE '%.*' LIMIT 1) AS s
			, generate_series(1, 40) AS v)))
) AS t(ord, what, cond);

SELECT ok(pg_temp.uses_index(cond) AND pg_temp.ids(cond, true) = pg_temp.ids(cond, false),
	format('GIN %s: the index finds the rows a scan finds', what))
FROM lookups ORDER BY ord;

SELECT ok(cardinality(pg_temp.ids(cond, false)) > 0, format('GIN %s: some row matches', what))
FROM lookups WHERE ord IN (1, 6) ORDER BY ord;

SELECT * FROM finish();
ROLLBACK;
