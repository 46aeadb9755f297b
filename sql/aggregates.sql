-- aggregates: union_agg and intersect_agg.
-- Test tables go to public; the extension's names resolve through rbac.
SET search_path = public, rbac;

CREATE TABLE roles (role text, team text, s scopeset);
INSERT INTO roles VALUES
  ('viewer',  'alpha', '{documents.read,chat.open}'),
  ('editor',  'alpha', '{documents.*,chat.open}'),
  ('admin',   'alpha', '{*.*}'),
  ('runner',  'beta',  '{agents:*:run,documents.read}'),
  ('builder', 'beta',  '{agents:web:run,agents:web:build}'),
  ('nobody',  'beta',  NULL),
  ('empty',   'gamma', '{}'),
  ('unset',   'delta', NULL);

-- Wildcard-aware: the union keeps only what nothing else covers, and the
-- intersection is the meet of the patterns.
SELECT team, union_agg(s), intersect_agg(s), count(s) AS inputs
FROM roles GROUP BY team ORDER BY team;

-- Over all rows the empty set makes the intersection empty; alpha and the
-- runner share only documents.read.
SELECT union_agg(s), intersect_agg(s) FROM roles;
SELECT union_agg(s), intersect_agg(s) FROM roles WHERE team = 'alpha' OR role = 'runner';

-- NULL inputs are skipped; with no non-null input the result is NULL.
SELECT union_agg(s) IS NULL AS union_null, intersect_agg(s) IS NULL AS intersect_null
FROM roles WHERE false;
SELECT union_agg(s) IS NULL AS union_null, intersect_agg(s) IS NULL AS intersect_null
FROM roles WHERE s IS NULL;
SELECT union_agg(s), intersect_agg(s)
FROM (VALUES (NULL::scopeset), ('{a.b,c.d}'), (NULL), ('{c.d,e.f}'), (NULL)) AS t(s);

-- One input is returned as it is.
SELECT union_agg(s), intersect_agg(s) FROM roles WHERE role = 'editor';

-- The aggregates agree with the operators folded by hand.
SELECT union_agg(s) = '{documents.read,chat.open}'::scopeset | '{documents.*,chat.open}' | '{*.*}'
         AS union_ok,
       intersect_agg(s) = '{documents.read,chat.open}'::scopeset & '{documents.*,chat.open}' & '{*.*}'
         AS intersect_ok
FROM roles WHERE team = 'alpha';

-- The order of the inputs does not matter.
SELECT (SELECT union_agg(s ORDER BY role) FROM roles) = (SELECT union_agg(s ORDER BY role DESC) FROM roles)
         AS union_order_free,
       (SELECT intersect_agg(s ORDER BY role) FROM roles WHERE team = 'alpha')
         = (SELECT intersect_agg(s ORDER BY role DESC) FROM roles WHERE team = 'alpha')
         AS intersect_order_free;

-- Both aggregates are parallel safe with a combine function.  Every row
-- holds shared.read and one of 10 apps' scopes; every fifth row also holds a
-- wildcard over a tenant's apps, and one row holds "*.read", which covers
-- every ".read" scope in the union.
CREATE TABLE many (id int, s scopeset);
INSERT INTO many
SELECT i, ('{shared.read,app' || i % 10 || '.read,app' || i % 10 || ':write'
           || CASE WHEN i % 5 = 0 THEN ',tenant' || i % 3 || ':*:write' ELSE '' END
           || CASE WHEN i = 7777 THEN ',*.read' ELSE '' END || '}')::scopeset
FROM generate_series(1, 20000) AS i;
ANALYZE many;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT union_agg(s), intersect_agg(s) FROM many;
CREATE TEMP TABLE in_parallel AS
SELECT union_agg(s) AS u, intersect_agg(s) AS i FROM many;
SELECT cardinality(u), u, i FROM in_parallel;
SET max_parallel_workers_per_gather = 0;
EXPLAIN (COSTS OFF) SELECT union_agg(s), intersect_agg(s) FROM many;
SELECT p.u = union_agg(s) AS union_same, p.i = intersect_agg(s) AS intersect_same
FROM many, in_parallel AS p GROUP BY p.u, p.i;
RESET max_parallel_workers_per_gather;
RESET min_parallel_table_scan_size;
RESET parallel_tuple_cost;
RESET parallel_setup_cost;
