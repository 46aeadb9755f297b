-- hash: the hash functions, a hash index, hash joins and hash aggregation.
-- Test tables go to public; the extension's names resolve through rbac.
SET search_path = public, rbac;

-- 2000 distinct values, with wildcards, both separators and the empty set.
CREATE TABLE ht (id int, s scopeset);
INSERT INTO ht
SELECT i, ('{app' || i % 500 || (ARRAY['.read', ':*', '.*.write', ':x:y'])[1 + i / 500] ||
           CASE WHEN i % 3 = 0 THEN ',shared.read' ELSE '' END || '}')::scopeset
FROM generate_series(0, 1999) AS i;
INSERT INTO ht VALUES (2000, '{}'), (2001, NULL);
SELECT count(*) AS rows, count(DISTINCT s) AS values FROM ht;

-- With seed 0 the extended hash agrees with the plain hash in its low 32
-- bits, on every value.  A nonzero seed changes the hash.
SELECT count(*) FILTER (WHERE hash_scopeset_extended(s, 0) & 4294967295
                              <> hash_scopeset(s)::bigint & 4294967295) AS low_bits_differ,
       count(*) FILTER (WHERE hash_scopeset_extended(s, 1) = hash_scopeset_extended(s, 0)) AS seed_ignored
FROM ht WHERE s IS NOT NULL;

-- The hashes spread: no two of these values share a 32-bit hash.
SELECT count(DISTINCT hash_scopeset(s)) = count(DISTINCT s) AS all_distinct FROM ht;

-- Equal values hash equal, however they were written.
SELECT x, y, x = y AS equal,
       hash_scopeset(x) = hash_scopeset(y) AS same_hash,
       hash_scopeset_extended(x, 42) = hash_scopeset_extended(y, 42) AS same_extended
FROM (VALUES
  ('{a.b,c:d}'::scopeset, '{ c:d , a.b, a.b }'::scopeset),
  ('{a:*}', '{a:x,a:*,a:y}'),
  ('{*:*:*}', '{a:b:c,*:*:*,*:b:*}'),
  ('{}', '{ }'),
  ('{a.b}', '{a:b}'),
  ('{A}', '{a}')
) AS t(x, y);

-- A value of some 50 kB, which is TOASTed when stored, hashes and compares
-- as the same value built in memory.
CREATE TABLE ht_big (s scopeset);
INSERT INTO ht_big SELECT ('{' || string_agg('tenant' || i || '.documents.read', ',') || '}')::scopeset
FROM generate_series(1, 2000) AS i;
SELECT s = built AS equal,
       hash_scopeset(s) = hash_scopeset(built) AS same_hash,
       hash_scopeset_extended(s, 7) = hash_scopeset_extended(built, 7) AS same_extended
FROM ht_big,
     LATERAL (SELECT ('{' || string_agg('tenant' || i || '.documents.read', ',') || '}')::scopeset AS built
              FROM generate_series(1, 2000) AS i) AS b;

-- A hash index answers equality, as a sequential scan does.
CREATE INDEX ht_s_idx ON ht USING hash (s);
ANALYZE ht;
EXPLAIN (COSTS OFF) SELECT id FROM ht WHERE s = '{app8:*}';
SELECT id FROM ht WHERE s = '{app8:*}';
SELECT id FROM ht WHERE s = '{ app8:x , app8:* }';     -- the same value, written otherwise
SELECT id FROM ht WHERE s = '{app3.read,shared.read}';
SELECT id FROM ht WHERE s = '{}';
SELECT id FROM ht WHERE s = '{app8:x}';                 -- covered by a stored value, but not equal
SET enable_indexscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM ht WHERE s = '{app8:*}';
SELECT id FROM ht WHERE s = '{app8:*}';
SELECT id FROM ht WHERE s = '{app3.read,shared.read}';
RESET enable_indexscan;
RESET enable_bitmapscan;

-- = is HASHES: a hash join, and its result equals a join of the text forms.
CREATE TABLE ht2 AS SELECT id, s FROM ht WHERE id % 4 = 0
UNION ALL SELECT -1, '{app0.read, shared.read}';
ANALYZE ht2;
SET enable_mergejoin = off;
SET enable_nestloop = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM ht JOIN ht2 USING (s);
SELECT count(*) FROM ht JOIN ht2 USING (s);
RESET enable_mergejoin;
RESET enable_nestloop;
SELECT count(*) FROM ht JOIN ht2 ON ht.s::text = ht2.s::text;

-- GROUP BY and DISTINCT by hashing.
EXPLAIN (COSTS OFF) SELECT s, count(*) FROM ht2 GROUP BY s;
SELECT s, count(*) FROM ht2 GROUP BY s HAVING count(*) > 1;
SELECT count(*) AS groups FROM (SELECT s FROM ht2 GROUP BY s) AS g;
EXPLAIN (COSTS OFF) SELECT DISTINCT s FROM ht2;
SELECT count(*) AS distinct_values FROM (SELECT DISTINCT s FROM ht2) AS d;
SELECT count(DISTINCT s::text) AS distinct_texts FROM ht2;
