-- errors: malformed input, one case per line.  Each literal fails with
-- 22P02 and a detail naming the bad element and its position; after each
-- statement, \echo :SQLSTATE shows the error code.
-- Test tables go to public; the extension's names resolve through rbac.
SET search_path = public, rbac;

-- the empty string
SELECT ''::scopeset; \echo :SQLSTATE

-- only spaces
SELECT '   '::scopeset; \echo :SQLSTATE

-- no braces
SELECT 'a.b'::scopeset; \echo :SQLSTATE

-- no opening brace
SELECT 'a.b}'::scopeset; \echo :SQLSTATE

-- other brackets
SELECT '[a.b]'::scopeset; \echo :SQLSTATE
SELECT '(a.b)'::scopeset; \echo :SQLSTATE
SELECT '}'::scopeset; \echo :SQLSTATE

-- no closing brace
SELECT '{'::scopeset; \echo :SQLSTATE
SELECT '{a.b'::scopeset; \echo :SQLSTATE
SELECT '{a.b,c.d'::scopeset; \echo :SQLSTATE
SELECT '{a.b,'::scopeset; \echo :SQLSTATE
SELECT E'{a.b\n'::scopeset; \echo :SQLSTATE

-- junk after the closing brace
SELECT '{a.b}}'::scopeset; \echo :SQLSTATE
SELECT '{a.b} x'::scopeset; \echo :SQLSTATE
SELECT '{a.b}{c}'::scopeset; \echo :SQLSTATE
SELECT '{a,b}junk'::scopeset; \echo :SQLSTATE
SELECT '{ }x'::scopeset; \echo :SQLSTATE

-- nested braces
SELECT '{{a.b}}'::scopeset; \echo :SQLSTATE
SELECT '{a,{b}}'::scopeset; \echo :SQLSTATE

-- empty elements
SELECT '{,}'::scopeset; \echo :SQLSTATE
SELECT '{,a}'::scopeset; \echo :SQLSTATE
SELECT '{a,}'::scopeset; \echo :SQLSTATE
SELECT '{a,,b}'::scopeset; \echo :SQLSTATE
SELECT '{a.b, ,c}'::scopeset; \echo :SQLSTATE
SELECT '{ , }'::scopeset; \echo :SQLSTATE

-- a space inside a name
SELECT '{a b}'::scopeset; \echo :SQLSTATE
SELECT '{a.b,c d}'::scopeset; \echo :SQLSTATE
SELECT E'{a\tb}'::scopeset; \echo :SQLSTATE
SELECT '{a .b}'::scopeset; \echo :SQLSTATE
SELECT '{a. b}'::scopeset; \echo :SQLSTATE

-- leading, trailing and doubled separators
SELECT '{.a}'::scopeset; \echo :SQLSTATE
SELECT '{:a}'::scopeset; \echo :SQLSTATE
SELECT '{a.}'::scopeset; \echo :SQLSTATE
SELECT '{a:}'::scopeset; \echo :SQLSTATE
SELECT '{.}'::scopeset; \echo :SQLSTATE
SELECT '{a..b}'::scopeset; \echo :SQLSTATE
SELECT '{a:.b}'::scopeset; \echo :SQLSTATE
SELECT '{a.b,c:d,e::f}'::scopeset; \echo :SQLSTATE

-- characters outside the grammar
SELECT '{a/b}'::scopeset; \echo :SQLSTATE
SELECT '{a@b}'::scopeset; \echo :SQLSTATE
SELECT '{a;b}'::scopeset; \echo :SQLSTATE
SELECT '{a+b}'::scopeset; \echo :SQLSTATE
SELECT '{a!}'::scopeset; \echo :SQLSTATE
SELECT '{a\b}'::scopeset; \echo :SQLSTATE
SELECT '{"a.b"}'::scopeset; \echo :SQLSTATE
SELECT '{''a.b''}'::scopeset; \echo :SQLSTATE

-- non-ASCII
SELECT '{café.read}'::scopeset; \echo :SQLSTATE
SELECT '{ok,é}'::scopeset; \echo :SQLSTATE

-- partial wildcards
SELECT '{a*}'::scopeset; \echo :SQLSTATE
SELECT '{*b}'::scopeset; \echo :SQLSTATE
SELECT '{**}'::scopeset; \echo :SQLSTATE
SELECT '{a.b*.c}'::scopeset; \echo :SQLSTATE
SELECT '{a.*b}'::scopeset; \echo :SQLSTATE
SELECT '{*a.b}'::scopeset; \echo :SQLSTATE
SELECT '{a:**}'::scopeset; \echo :SQLSTATE

-- too long: 256 bytes
SELECT ('{' || repeat('a', 256) || '}')::scopeset; \echo :SQLSTATE
SELECT ('{ok,' || repeat('b.', 127) || 'bb}')::scopeset; \echo :SQLSTATE

-- too many segments: 33
SELECT ('{' || repeat('a.', 32) || 'a}')::scopeset; \echo :SQLSTATE
SELECT ('{' || repeat('*:', 32) || '*}')::scopeset; \echo :SQLSTATE

-- Text arguments of ?, +, -, ?| and ?& are single scopes, checked the same
-- way, even where the answer would not depend on them.
SELECT '{a}'::scopeset ? 'a b'; \echo :SQLSTATE
SELECT '{a}'::scopeset ? ''; \echo :SQLSTATE
SELECT '{a}'::scopeset ? '{a}'; \echo :SQLSTATE
SELECT '{*}'::scopeset ? 'a*'; \echo :SQLSTATE
SELECT '{a}'::scopeset + 'a..b'; \echo :SQLSTATE
SELECT '{a}'::scopeset + repeat('x', 256); \echo :SQLSTATE
SELECT '{a}'::scopeset - 'a/b'::text; \echo :SQLSTATE
SELECT '{}'::scopeset - '.a'::text; \echo :SQLSTATE
SELECT '{a}'::scopeset ?| ARRAY['a', 'b c']; \echo :SQLSTATE
SELECT '{}'::scopeset ?| ARRAY['bad name']; \echo :SQLSTATE
SELECT '{a}'::scopeset ?& ARRAY['a', '*x']; \echo :SQLSTATE
-- An untyped literal after - is read as a scopeset (scopeset - scopeset);
-- one scope needs ::text.
SELECT '{a}'::scopeset - 'a.b'; \echo :SQLSTATE

-- NULL elements in ?| and ?& arrays are errors, not skipped: a missing name
-- must never read as a granted one.
SELECT '{a}'::scopeset ?| ARRAY['a', NULL]; \echo :SQLSTATE
SELECT '{a}'::scopeset ?| ARRAY[NULL, 'a']; \echo :SQLSTATE
SELECT '{a}'::scopeset ?& ARRAY[NULL]::text[]; \echo :SQLSTATE
SELECT '{*}'::scopeset ?& ARRAY['a', NULL, 'b']; \echo :SQLSTATE

-- A value holds at most 65535 bytes of names (54000), from text or algebra.
SELECT ('{' || string_agg('tenant' || i || '.documents.read', ',') || '}')::scopeset
FROM generate_series(1, 3000) AS i; \echo :SQLSTATE
SELECT a | b FROM
  (SELECT ('{' || string_agg('tenant' || i || '.documents.read', ',') || '}')::scopeset AS a
   FROM generate_series(1, 1500) AS i) AS x,
  (SELECT ('{' || string_agg('tenant' || i || '.documents.write', ',') || '}')::scopeset AS b
   FROM generate_series(1, 1500) AS i) AS y; \echo :SQLSTATE

-- The hint for an empty scope must not depend on the byte after it in
-- memory: here the next column of the row holds "{".
CREATE TABLE empty_scope_arg (name text, next "char");
INSERT INTO empty_scope_arg VALUES ('', '{');
SELECT '{a}'::scopeset ? name FROM empty_scope_arg; \echo :SQLSTATE

-- An input far larger than any value could come from is refused before it
-- is read (54000): text over 1 MiB, or more than 524,288 elements.
SELECT ('{' || repeat('a.b,', 300000) || 'a.b}')::scopeset; \echo :SQLSTATE
SELECT array_fill('a.b'::text, ARRAY[600000])::scopeset; \echo :SQLSTATE
SELECT '{a.b}'::scopeset ?| array_fill('a.b'::text, ARRAY[600000]); \echo :SQLSTATE
SELECT scopeset(to_jsonb(array_fill('a.b'::text, ARRAY[600000]))); \echo :SQLSTATE
SELECT scopeset(to_jsonb(repeat('a.b ', 300000))); \echo :SQLSTATE

-- An intersection is refused as soon as its result is certain not to fit,
-- before it is built: 3,000 patterns "*.aN" and 3,000 "bN.*" meet in
-- 9,000,000 distinct scopes.  rbac.narrow() intersects the same way.
CREATE TABLE meet_blowup AS
SELECT (SELECT ('{' || string_agg(format('*.a%s', i), ',') || '}')::scopeset
		FROM generate_series(1, 3000) AS i) AS a,
	(SELECT ('{' || string_agg(format('b%s.*', i), ',') || '}')::scopeset
		FROM generate_series(1, 3000) AS i) AS b;
SELECT a & b FROM meet_blowup; \echo :SQLSTATE
SELECT intersect_agg(s) FROM meet_blowup, LATERAL (VALUES (a), (b)) AS v(s); \echo :SQLSTATE
BEGIN;
SELECT cardinality(rbac.narrow(a)) FROM meet_blowup;
SELECT cardinality(rbac.narrow(b)) FROM meet_blowup; \echo :SQLSTATE
ROLLBACK;

-- 16,000 patterns "*.aN" in one literal: made canonical in O(n log n) time,
-- then refused as too large.
SELECT ('{' || string_agg(format('*.a%s', i), ',') || '}')::scopeset
FROM generate_series(1, 16000) AS i; \echo :SQLSTATE
