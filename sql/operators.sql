-- operators: set algebra, containment, overlap, membership and comparison.
-- A set denotes the concrete names its elements match; "*" matches exactly
-- one segment of any value, and the separator is part of the name.
-- Test tables go to public; the extension's names resolve through rbac.
SET search_path = public, rbac;

-- ? asks whether the set covers a scope: every name the scope matches.
SELECT name, '{agents:*:run}'::scopeset ? name AS covered
FROM unnest(ARRAY[
  'agents:web:run',       -- one segment matched by "*"
  'agents:*:run',         -- a pattern covers itself
  'agents:run',           -- "*" is one segment, never none
  'agents:web:run:now',   -- nor two
  'agents.web.run',       -- other separators, other names
  'agents:web.run',
  'Agents:web:run',       -- case-sensitive
  'agents:*:*',           -- a wider pattern is not covered
  '*:web:run'
]) AS name;

SELECT s, name, s ? name AS covered
FROM (VALUES
  ('{}'::scopeset, 'a'),
  ('{*}', 'a'),
  ('{*}', '*'),
  ('{*}', 'a.b'),
  ('{*.*}', 'a.b'),
  ('{*.*}', 'a:b'),
  ('{*:*:*}', 'agents:*:run'),
  ('{a:*,b:c}', 'b:c'),
  ('{a:*,b:c}', 'b:d'),
  ('{a.b,a:b}', 'a:b')
) AS t(s, name);

-- Set algebra on pairs.  | and & are wildcard-aware: & is the segment-wise
-- meet of the patterns.  - removes only the elements of the left side that
-- the right side covers, so a wildcard covered only in part stays whole.
CREATE TABLE pairs (id int, a scopeset, b scopeset);
INSERT INTO pairs VALUES
  (1,  '{}', '{}'),
  (2,  '{a.b}', '{}'),
  (3,  '{}', '{a.b}'),
  (4,  '{a.b,c.d}', '{c.d,e.f}'),                 -- literals only
  (5,  '{agents:*:run}', '{agents:web:run}'),     -- wildcard over a literal
  (6,  '{agents:web:run}', '{agents:*:run}'),
  (7,  '{agents:*:run}', '{*:web:run}'),          -- two wildcards that meet
  (8,  '{agents:*:run}', '{agents:run}'),         -- different segment counts
  (9,  '{agents:*:run}', '{agents.web.run}'),     -- different separators
  (10, '{a:*:*}', '{*:b:*}'),
  (11, '{*}', '{a,b.c}'),
  (12, '{documents.*,chat.open}', '{documents.read,documents.edit,runs.start}'),
  (13, '{Read}', '{read}'),                       -- case-sensitive
  (14, '{a:*}', '{a:x,a:*}'),                     -- equal once canonical
  (15, '{a:*:c,b:x:y}', '{a:b:*,*:x:y}'),
  (16, '{a.b,a:*:c}', '{*:*:*}');                 -- a wildcard covered whole is removed

SELECT id, a, b, a | b AS "a | b", a & b AS "a & b", a - b AS "a - b", b - a AS "b - a"
FROM pairs ORDER BY id;

SELECT id, a, b, a @> b AS "@>", a <@ b AS "<@", a && b AS "&&", a = b AS "=", a <> b AS "<>"
FROM pairs ORDER BY id;

-- The operators agree with one another on every pair; each count is 0.
SELECT count(*) FILTER (WHERE (a @> b) <> (a | b = a)) AS contains_vs_union,
       count(*) FILTER (WHERE (a <@ b) <> (b @> a)) AS contained_vs_contains,
       count(*) FILTER (WHERE (a && b) <> (a & b <> '{}')) AS overlap_vs_intersect,
       count(*) FILTER (WHERE (a & b) <> (b & a) OR (a | b) <> (b | a)) AS not_commutative,
       count(*) FILTER (WHERE NOT (a - b) <@ a OR NOT a @> (a & b)) AS bounds,
       count(*) FILTER (WHERE (a = b) <> (a @> b AND a <@ b)) AS equal_vs_contains
FROM pairs;

-- + adds one scope; - text removes the elements that scope covers.
SELECT s, op, name, CASE op WHEN '+' THEN s + name ELSE s - name END AS result
FROM (VALUES
  ('{a.b}'::scopeset, '+', 'c.d'),
  ('{a.b}', '+', 'a.b'),            -- already there
  ('{a:x,a:y}', '+', 'a:*'),        -- the new wildcard covers both
  ('{a:*}', '+', 'a:x'),            -- already covered
  ('{}', '+', '*'),
  ('{a:x,a:y,b}', '-', 'a:*'),      -- removes everything the pattern covers
  ('{a:*}', '-', 'a:x'),            -- covered only in part: stays
  ('{a:*}', '-', 'a:*'),
  ('{a.b}', '-', 'c'),              -- nothing to remove
  ('{a.b}', '-', 'a:b'),            -- other separator, other name
  ('{A.b}', '-', 'a.b'),            -- case-sensitive
  ('{}', '-', 'a')
) AS t(s, op, name);

-- ?| is true when the set covers any of the scopes, ?& when it covers all.
-- An empty array covers nothing for ?| and vacuously everything for ?&.
SELECT s, names, s ?| names AS "?|", s ?& names AS "?&"
FROM (VALUES
  ('{a:*,b.c}'::scopeset, ARRAY['x', 'a:y']),
  ('{a:*,b.c}', ARRAY['x', 'y']),
  ('{a:*,b.c}', ARRAY['a:y', 'b.c']),
  ('{a:*,b.c}', ARRAY['a:y', 'b.d']),
  ('{a:*,b.c}', ARRAY['b.c', 'b.c']),
  ('{a:*,b.c}', ARRAY['a:*', 'a:z']),
  ('{a:*,b.c}', ARRAY['a:*:z']),
  ('{a:*,b.c}', ARRAY[]::text[]),
  ('{}', ARRAY['a']),
  ('{}', ARRAY[]::text[])
) AS t(s, names);

-- The total order: the sorted names compared one by one, bytewise, and a
-- set that is a prefix of another sorts first.  = compares canonical forms.
SELECT x, y, x < y AS "<", x <= y AS "<=", x = y AS "=", x <> y AS "<>",
       x >= y AS ">=", x > y AS ">"
FROM (VALUES
  ('{}'::scopeset, '{a}'::scopeset),
  ('{a}', '{a,b}'),
  ('{a,b}', '{b}'),
  ('{a,z}', '{ab}'),
  ('{a.b}', '{a:b}'),
  ('{A}', '{a}'),
  ('{b,a}', '{a,b}'),
  ('{a:*,a:x}', '{a:*}'),
  ('{*}', '{a}'),
  ('{b}', '{a.b,c}')
) AS t(x, y);

-- Every operator is strict.
SELECT '{a}'::scopeset | NULL AS "|", '{a}'::scopeset @> NULL AS "@>",
       '{a}'::scopeset ? NULL AS "?", '{a}'::scopeset + NULL::text AS "+",
       NULL::scopeset = '{a}' AS "=";
