-- casts: text[] <-> scopeset, jsonb -> scopeset, and assignment on INSERT.
-- After each statement that fails, \echo :SQLSTATE shows the error code.
-- Test tables go to public; the extension's names resolve through rbac.
SET search_path = public, rbac;

-- The casts and their contexts: text[] -> scopeset also on assignment
-- (a), the others only when written (e).
SELECT castsource::regtype, casttarget::regtype, castcontext
FROM pg_cast
WHERE castsource = 'rbac.scopeset'::regtype OR casttarget = 'rbac.scopeset'::regtype
ORDER BY castsource::regtype::text, casttarget::regtype::text;

-- text[] -> scopeset builds the canonical set.
SELECT a, a::scopeset AS s
FROM (VALUES
  (ARRAY['c:d', 'a.b', 'a.b']),                   -- sorted, duplicates dropped
  (ARRAY['agents:web:run', 'agents:*:run']),      -- covered elements dropped
  (ARRAY['Read', 'read']),                        -- case-sensitive
  (ARRAY['*']),
  (ARRAY[]::text[]),                              -- the empty set
  ('[2:3]={b,a}'::text[]),                        -- any lower bound
  (NULL::text[])                                  -- NULL in, NULL out
) AS t(a);
SELECT scopeset(ARRAY['x.y', 'a']) AS function_form;

-- Bad arrays: a NULL element (22004), more than one dimension (2202E), an
-- element that is not a scope (22P02).  Elements are taken as they are, so
-- surrounding spaces and braces are errors too.
SELECT ARRAY['a', NULL]::scopeset; \echo :SQLSTATE
SELECT ARRAY[NULL]::text[]::scopeset; \echo :SQLSTATE
SELECT ARRAY[['a', 'b'], ['c', 'd']]::scopeset; \echo :SQLSTATE
SELECT '{{a}}'::text[]::scopeset; \echo :SQLSTATE
SELECT ARRAY['a', 'b c']::scopeset; \echo :SQLSTATE
SELECT ARRAY['']::scopeset; \echo :SQLSTATE
SELECT ARRAY[' a']::scopeset; \echo :SQLSTATE
SELECT ARRAY['a.']::scopeset; \echo :SQLSTATE
SELECT ARRAY['a*']::scopeset; \echo :SQLSTATE
SELECT ARRAY['{a,b}']::scopeset; \echo :SQLSTATE
SELECT ARRAY[repeat('a', 256)]::scopeset; \echo :SQLSTATE

-- scopeset -> text[] gives the canonical elements in order; the round trip
-- is the identity.
SELECT s, s::text[] AS a, cardinality(s::text[]) AS n, s::text[]::scopeset = s AS round_trip
FROM (VALUES ('{c:d,a.b}'::scopeset), ('{}'), ('{agents:*:run,agents:web:run,Z}'), (NULL)) AS t(s);

-- jsonb -> scopeset: a JSON array of names, as in a "scopes" claim...
SELECT j, j::scopeset AS s
FROM (VALUES
  ('["agents:my-agent:run", "documents.read"]'::jsonb),
  ('["b", "a", "b", "a:*", "a:x"]'),
  ('[]'),
  ('["*:*"]')
) AS t(j);
-- ... or one string of space-separated names, as in an OAuth "scope" claim.
SELECT j, j::scopeset AS s
FROM (VALUES
  ('"openid documents.read  documents.read"'::jsonb),
  ('"  leading.and trailing.spaces  "'),
  ('"tabs\tand\nnewlines\r\nsplit"'),
  ('"a:* a:x"'),
  ('"single"'),
  ('""'),                                          -- no names: the empty set
  ('"   "')
) AS t(j);
SELECT ('{"sub": "u1", "scope": "documents.read openid"}'::jsonb -> 'scope')::scopeset AS from_claim;
SELECT NULL::jsonb::scopeset AS null_in_null_out;

-- Other JSON shapes are refused with 22023, names that are not scopes with
-- 22P02.
SELECT '{"scope": "a"}'::jsonb::scopeset; \echo :SQLSTATE
SELECT '42'::jsonb::scopeset; \echo :SQLSTATE
SELECT 'true'::jsonb::scopeset; \echo :SQLSTATE
SELECT 'null'::jsonb::scopeset; \echo :SQLSTATE
SELECT '["a", ["b"]]'::jsonb::scopeset; \echo :SQLSTATE
SELECT '[["a"]]'::jsonb::scopeset; \echo :SQLSTATE
SELECT '["a", 1]'::jsonb::scopeset; \echo :SQLSTATE
SELECT '["a", null]'::jsonb::scopeset; \echo :SQLSTATE
SELECT '["a", {"b": "c"}]'::jsonb::scopeset; \echo :SQLSTATE
SELECT '["a b"]'::jsonb::scopeset; \echo :SQLSTATE
SELECT '[""]'::jsonb::scopeset; \echo :SQLSTATE
SELECT '"documents.read billing/read"'::jsonb::scopeset; \echo :SQLSTATE
SELECT '"a,b"'::jsonb::scopeset; \echo :SQLSTATE

-- Assignment: a text[] goes into a scopeset column without a cast; jsonb
-- and text need one.
CREATE TABLE grants (id int, s scopeset);
INSERT INTO grants VALUES (1, ARRAY['b.read', 'a.read', 'a.read']);
INSERT INTO grants SELECT 2, ARRAY['agents:*:run', 'agents:web:run'];
INSERT INTO grants VALUES (3, '{x.y}'), (4, NULL::text[]);
UPDATE grants SET s = ARRAY['z'] WHERE id = 3;
SELECT * FROM grants ORDER BY id;
INSERT INTO grants VALUES (5, ARRAY['a', NULL]); \echo :SQLSTATE
INSERT INTO grants VALUES (6, '["a"]'::jsonb); \echo :SQLSTATE
INSERT INTO grants VALUES (7, 'x.y'::text); \echo :SQLSTATE
-- and scopeset -> text[] is explicit only.
CREATE TABLE names (a text[]);
INSERT INTO names SELECT s FROM grants; \echo :SQLSTATE
INSERT INTO names SELECT s::text[] FROM grants WHERE id = 1;
SELECT * FROM names;
