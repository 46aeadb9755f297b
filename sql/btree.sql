-- btree: the total order, ORDER BY, a btree index, and merge joins.
-- Test tables go to public; the extension's names resolve through rbac.
SET search_path = public, rbac;

-- The order compares the sorted names one by one, bytewise; a set that is a
-- prefix of another sorts first.  It is not the order of the text forms:
-- '{}' sorts before '{*}' and '{a}' before '{a,b}', although '}' is after
-- '*' and ','.
SELECT s, s::text < lag(s::text) OVER (ORDER BY s) AS text_order_differs
FROM (VALUES ('{a.b}'::scopeset), ('{a}'), ('{}'), ('{a,b}'), ('{ab}'), ('{a:b}'),
             ('{A}'), ('{*}'), ('{a,z}'), ('{b}'), ('{a:*}'), ('{-}')) AS t(s)
ORDER BY s;

SELECT s FROM (VALUES ('{b}'::scopeset), (NULL), ('{a}'), ('{}')) AS t(s)
ORDER BY s DESC NULLS LAST;

-- The order is total and consistent with =, on every pair and triple of a
-- sample with wildcards, both separators and the empty set.  Each count is 0.
CREATE TABLE sample AS
SELECT DISTINCT s FROM (
  SELECT ('{' || string_agg(DISTINCT e, ',') || '}')::scopeset AS s
  FROM generate_series(0, 59) AS i,
       LATERAL (SELECT (ARRAY['a', 'b', '*', 'a.b', 'a:b', 'a.*', '*:b', 'A', 'ab'])[1 + (i * 7 + j * j) % 9] AS e
                FROM generate_series(0, i % 4) AS j) AS el
  GROUP BY i
  UNION ALL SELECT '{}'
) AS t;
SELECT count(*) AS sample_size FROM sample;
SELECT count(*) FILTER (WHERE (x.s = y.s) <> (scopeset_cmp(x.s, y.s) = 0)) AS eq_vs_cmp,
       count(*) FILTER (WHERE (x.s = y.s) <> (x.s::text = y.s::text)) AS eq_vs_text,
       count(*) FILTER (WHERE scopeset_cmp(x.s, y.s) <> -scopeset_cmp(y.s, x.s)) AS antisymmetry,
       count(*) FILTER (WHERE (x.s < y.s) <> (scopeset_cmp(x.s, y.s) < 0)
                          OR (x.s <= y.s) <> (scopeset_cmp(x.s, y.s) <= 0)
                          OR (x.s > y.s) <> (scopeset_cmp(x.s, y.s) > 0)
                          OR (x.s >= y.s) <> (scopeset_cmp(x.s, y.s) >= 0)
                          OR (x.s <> y.s) <> (scopeset_cmp(x.s, y.s) <> 0)) AS ops_vs_cmp
FROM sample AS x, sample AS y;
SELECT count(*) AS not_transitive
FROM sample AS x, sample AS y, sample AS z
WHERE x.s < y.s AND y.s < z.s AND NOT x.s < z.s;

-- A btree index: 1000 distinct values, each four times, plus empty sets and
-- NULLs.  svcK.read sorts before teamN:*:write, so it leads each value.
CREATE TABLE bt (id int, s scopeset);
INSERT INTO bt
SELECT i, ('{svc' || i % 1000 || '.read,team' || i % 1000 % 7 || ':*:write}')::scopeset
FROM generate_series(1, 4000) AS i;
INSERT INTO bt VALUES (4001, '{}'), (4002, '{}'), (4003, NULL),
  (4004, '{ team3:x:write , team3:*:write, svc10.read }');   -- not canonical as typed
CREATE INDEX bt_s_idx ON bt USING btree (s);
VACUUM ANALYZE bt;

-- Equality uses the index, and finds the value typed non-canonically too.
EXPLAIN (COSTS OFF) SELECT id FROM bt WHERE s = '{svc10.read,team3:*:write}';
SELECT id FROM bt WHERE s = '{svc10.read,team3:*:write}' ORDER BY id;
SELECT id FROM bt WHERE s = '{}' ORDER BY id;

-- A range: values from {svc10.read} (a prefix, so it sorts first) up to
-- {svc11}: svc10 and svc100 .. svc109, as "." sorts before "0".
EXPLAIN (COSTS OFF) SELECT s FROM bt WHERE s >= '{svc10.read}' AND s < '{svc11}';
SELECT s, count(*) FROM bt WHERE s >= '{svc10.read}' AND s < '{svc11}' GROUP BY s ORDER BY s;
EXPLAIN (COSTS OFF) SELECT s FROM bt WHERE s > '{svc998.read,team4:*:write}';
SELECT s, count(*) FROM bt WHERE s > '{svc998.read,team4:*:write}' GROUP BY s ORDER BY s;

-- ORDER BY can read the index.
EXPLAIN (COSTS OFF) SELECT s FROM bt ORDER BY s LIMIT 3;
SELECT s FROM bt ORDER BY s LIMIT 3;
SELECT s FROM bt ORDER BY s DESC NULLS LAST LIMIT 3;

-- The index answers as a sequential scan does.
CREATE TABLE bt_queries (q text);
INSERT INTO bt_queries VALUES
  ('s = ''{svc10.read,team3:*:write}'''),
  ('s = ''{}'''),
  ('s >= ''{svc10.read}'' AND s < ''{svc11}'''),
  ('s > ''{svc998.read,team4:*:write}'''),
  ('s <= ''{svc2}'''),
  ('s < ''{svc0.read}''');
CREATE FUNCTION pg_temp.ids(cond text) RETURNS int[]
LANGUAGE plpgsql AS $$
DECLARE result int[];
BEGIN
  EXECUTE 'SELECT array_agg(id ORDER BY id) FROM bt WHERE ' || cond INTO result;
  RETURN result;
END
$$;
CREATE TEMP TABLE by_index AS SELECT q, pg_temp.ids(q) AS ids FROM bt_queries;
SET enable_indexscan = off;
SET enable_indexonlyscan = off;
SET enable_bitmapscan = off;
SELECT q, cardinality(i.ids) AS rows, i.ids IS NOT DISTINCT FROM pg_temp.ids(q) AS same_as_seqscan
FROM by_index AS i;
RESET enable_indexscan;
RESET enable_indexonlyscan;
RESET enable_bitmapscan;

-- = is MERGES: with hash joins and nested loops off, a merge join is chosen,
-- and it finds the same matches as a hash join.
CREATE TABLE bt2 AS SELECT id, s FROM bt WHERE id % 3 = 0;
ANALYZE bt2;
SET enable_hashjoin = off;
SET enable_nestloop = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM bt JOIN bt2 ON bt.s = bt2.s;
SELECT count(*) FROM bt JOIN bt2 ON bt.s = bt2.s;
RESET enable_hashjoin;
SET enable_mergejoin = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM bt JOIN bt2 ON bt.s = bt2.s;
SELECT count(*) FROM bt JOIN bt2 ON bt.s = bt2.s;
RESET enable_mergejoin;
RESET enable_nestloop;
-- The same count, joining the text forms.
SELECT count(*) FROM bt JOIN bt2 ON bt.s::text = bt2.s::text;
