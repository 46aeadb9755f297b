-- gin: the wildcard-aware GIN operator class.
-- Test tables go to public; the extension's names resolve through rbac.
SET search_path = public, rbac;

-- 20000 rows from fixed formulas: a service scope, a team scope (sometimes
-- a team wildcard that covers it), sometimes a docs scope or docs.*, some
-- empty sets and some NULLs.
CREATE TABLE gt (id int, s scopeset);
INSERT INTO gt
SELECT i, CASE
  WHEN i % 97 = 0 THEN '{}'
  WHEN i % 89 = 0 THEN NULL
  ELSE ('{svc' || i % 2000 || '.read,team' || i % 300 || ':' || i % 7 || ':write'
        || CASE WHEN i % 11 = 0 THEN ',team' || i % 300 || ':*:write' ELSE '' END
        || CASE WHEN i % 13 = 0 THEN ',docs.*' WHEN i % 5 = 0 THEN ',docs.' || i % 50 ELSE '' END
        || '}')::scopeset
  END
FROM generate_series(1000, 20999) AS i;
CREATE INDEX gt_s_idx ON gt USING gin (s);

-- Rows for the wildcard cases, inserted after the index is built, so they
-- start in its pending list.
INSERT INTO gt VALUES
  (1, '{agents:*:run}'),
  (2, '{*:x:run}'),
  (3, '{*:*:*}'),
  (4, '{agents:x:run}'),
  (5, '{agents:x:*}'),
  (6, '{agents:run}'),
  (7, '{agents.x.run}'),
  (8, '{agents:x:run:now}'),
  (9, '{*:*}'),
  (10, '{agents:y:run}'),
  (11, '{}'),
  (12, NULL),
  (13, '{*}'),
  (14, '{agents:*:*,billing.read}'),
  (15, '{Agents:x:run}');
ANALYZE gt;

-- The planner chooses the index on its own for every operator.
EXPLAIN (COSTS OFF) SELECT id FROM gt WHERE s @> '{svc42.read}';
EXPLAIN (COSTS OFF) SELECT id FROM gt WHERE s <@ '{svc42.read,team42:*:write}';
EXPLAIN (COSTS OFF) SELECT id FROM gt WHERE s && '{*:x:run}';
EXPLAIN (COSTS OFF) SELECT id FROM gt WHERE s ? 'agents:x:run';
EXPLAIN (COSTS OFF) SELECT id FROM gt WHERE s ?| ARRAY['agents:y:run', 'svc42.read'];
EXPLAIN (COSTS OFF) SELECT id FROM gt WHERE s ?& ARRAY['svc42.read', 'team42:1:write'];
EXPLAIN (COSTS OFF) SELECT id FROM gt WHERE s = '{svc42.read,team42:1:write}';

-- A lookup for agents:x:run finds the rows whose patterns cover it.
SELECT id, s FROM gt WHERE s ? 'agents:x:run' ORDER BY id;
SELECT id, s FROM gt WHERE s @> '{agents:x:run}' ORDER BY id;
-- A pattern lookup finds only patterns at least as wide.
SELECT id, s FROM gt WHERE s @> '{agents:*:run}' ORDER BY id;
SELECT id, s FROM gt WHERE s ? '*:x:run' ORDER BY id;
-- Overlap: some name matched by both; "*" matches "Agents" too.
SELECT id, s FROM gt WHERE s && '{*:x:run}' ORDER BY id;
-- Containment in a pattern, and the empty rows that every set contains.
SELECT id, s FROM gt WHERE s <@ '{agents:*:*}' AND id < 1000 ORDER BY id;
SELECT id, s FROM gt WHERE s && '{*}' ORDER BY id;
SELECT id, s FROM gt WHERE s = '{agents:*:run}' ORDER BY id;

-- Every query gives the same rows through the index as by a sequential
-- scan.  run() reports whether the plan used the index, and the ids found;
-- compare() runs each query with sequential scans off, then with bitmap
-- scans off, which GIN needs.
CREATE TABLE gin_queries (n int, q text);
INSERT INTO gin_queries VALUES
  (1,  's @> ''{svc42.read}'''),
  (2,  's @> ''{svc42.read,docs.*}'''),
  (3,  's @> ''{docs.5}'''),
  (4,  's @> ''{team42:1:write}'''),
  (5,  's @> ''{team42:*:write}'''),
  (6,  's @> ''{agents:*:run}'''),
  (7,  's @> ''{*:*:*}'''),
  (8,  's <@ ''{svc42.read,team42:*:write}'''),
  (9,  's <@ ''{agents:*:*}'''),
  (10, 's <@ ''{*:*:*,*.*}'''),
  (11, 's <@ ''{*:*:*,svc7.*}'''),
  (12, 's && ''{*:x:run}'''),
  (13, 's && ''{svc42.read,docs.*}'''),
  (14, 's && ''{*.*}'''),
  (15, 's && ''{team7:*:*}'''),
  (16, 's && ''{*}'''),
  (17, 's ? ''agents:x:run'''),
  (18, 's ? ''*:x:run'''),
  (19, 's ? ''docs.17'''),
  (20, 's ? ''team42:1:write'''),
  (21, 's ? ''agents:x:run:now'''),
  (22, 's ?| ARRAY[''agents:y:run'', ''svc42.read'']'),
  (23, 's ?| ARRAY[''nothing.here'', ''docs.x'']'),
  (24, 's ?& ARRAY[''svc42.read'', ''team42:1:write'']'),
  (25, 's ?& ARRAY[''docs.x'', ''team7:2:write'']'),
  (26, 's = ''{svc42.read,team42:1:write}'''),
  (27, 's = ''{agents:*:run}'''),
  (28, 's = ''{svc42.read}'''),
  -- the empty set and empty arrays
  (29, 's @> ''{}'''),
  (30, 's <@ ''{}'''),
  (31, 's && ''{}'''),
  (32, 's = ''{}'''),
  (33, 's ?| ''{}''::text[]'),
  (34, 's ?& ''{}''::text[]');

CREATE FUNCTION pg_temp.run(cond text, OUT used_index bool, OUT ids int[])
LANGUAGE plpgsql AS $$
DECLARE
  plan text := '';
  line text;
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) SELECT id FROM gt WHERE ' || cond LOOP
    plan := plan || line || E'\n';
  END LOOP;
  used_index := plan LIKE '%Bitmap Index Scan on gt_s_idx%';
  EXECUTE 'SELECT coalesce(array_agg(id ORDER BY id), ''{}'') FROM gt WHERE ' || cond INTO ids;
END
$$;
CREATE FUNCTION pg_temp.compare()
RETURNS TABLE (n int, q text, rows int, via_index bool, same_as_seqscan bool)
LANGUAGE plpgsql AS $$
BEGIN
  SET LOCAL enable_seqscan = off;
  CREATE TEMP TABLE indexed ON COMMIT DROP AS
    SELECT g.n, g.q, r.used_index, r.ids FROM gin_queries AS g, LATERAL pg_temp.run(g.q) AS r;
  SET LOCAL enable_seqscan = on;
  SET LOCAL enable_bitmapscan = off;
  RETURN QUERY
    SELECT v.n, v.q, cardinality(v.ids), v.used_index, v.ids = r.ids AND NOT r.used_index
    FROM indexed AS v, LATERAL pg_temp.run(v.q) AS r ORDER BY v.n;
END
$$;

-- First with the new rows in the pending list, then after VACUUM has moved
-- them into the tree.
SELECT * FROM pg_temp.compare();
VACUUM gt;
SELECT n, q, via_index, same_as_seqscan FROM pg_temp.compare()
WHERE NOT (via_index AND same_as_seqscan);

-- Exact strategies do not recheck: a @> scan removes no rows on recheck.
-- <@ and = recheck, and remove the rows that hold other scopes too.
CREATE FUNCTION pg_temp.explain_analyze(query text) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE line text;
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF, BUFFERS OFF) ' || query LOOP
    -- Heap Blocks depends on the page layout; 18 adds Index Searches, and
    -- prints actual rows with two decimals.
    IF line NOT LIKE '%Heap Blocks:%' AND line NOT LIKE '%Index Searches:%' THEN
      RETURN NEXT regexp_replace(line, 'rows=([0-9]+)\.00 ', 'rows=\1 ', 'g');
    END IF;
  END LOOP;
END
$$;
SELECT pg_temp.explain_analyze('SELECT id FROM gt WHERE s @> ''{svc42.read}''');
SELECT pg_temp.explain_analyze('SELECT id FROM gt WHERE s ? ''agents:x:run''');
SELECT pg_temp.explain_analyze('SELECT id FROM gt WHERE s && ''{*:x:run}''');
SELECT pg_temp.explain_analyze('SELECT id FROM gt WHERE s <@ ''{svc42.read,team42:*:write}''');
SELECT pg_temp.explain_analyze('SELECT id FROM gt WHERE s = ''{svc42.read}''');

-- NULL arguments match nothing; invalid ones fail before the scan.
SELECT count(*) FROM gt WHERE s @> NULL;
SELECT count(*) FROM gt WHERE s ? 'a b'; \echo :SQLSTATE
SELECT count(*) FROM gt WHERE s ?| ARRAY['a', NULL]; \echo :SQLSTATE
