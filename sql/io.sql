-- io: the text form, its canonicalisation, the accessors, and binary I/O.
-- Test tables go to public; the extension's names resolve through rbac.
SET search_path = public, rbac;

-- Input accepts whitespace, duplicates, any order and covered elements;
-- output is canonical: sorted bytewise, nothing covered, no spaces.
SELECT input, input::scopeset AS canonical
FROM (VALUES
  ('{}'),                                      -- the empty set
  ('  {  }  '),                                -- whitespace around and inside the braces
  ('{a}'),
  ('{ a.b , c:d }'),                           -- whitespace around elements
  ('{c:d,a.b}'),                               -- any order
  ('{a.b,a.b, a.b}'),                          -- duplicates collapse
  ('{a.b,a:b}'),                               -- the separator is part of the name
  ('{agents:web.run}'),                        -- both separators in one name
  ('{ab,a.b,a}'),                              -- bytewise: a prefix first, "." (0x2E) before "b"
  ('{b,a,B,_,-,0}'),                           -- bytewise across the whole alphabet
  ('{Read,read,READ}'),                        -- case-sensitive: three distinct scopes
  ('{my-agent_2.run,MY-AGENT_2.RUN}'),
  ('{agents:web:run,agents:*:run}'),           -- a wildcard drops what it covers
  ('{agents:*:run,agents:run,agents.web.run}'), -- other shapes are not covered
  ('{agents:*:run,agents:web:run:now}'),       -- "*" is exactly one segment
  ('{*,a,b,a.b}'),                             -- "*" covers only one-segment names
  ('{a:*:*,a:b:*,a:b:c}'),                     -- a wildcard covers a narrower wildcard
  ('{a:*:c,*:b:c}'),                           -- neither covers the other: both stay
  ('{*:*:*,a:b:c,*:b:*,a:*:c,x.y.z}'),
  ('{a:b:c, a:*:c ,a:b:c}')                    -- duplicates of a covered element
) AS t(input);

-- Tabs, newlines and carriage returns count as whitespace too.
SELECT E'{\ta.b,\n c:d\r\n}\n'::scopeset AS canonical;

-- The output reads back as the same value.
SELECT s::text::scopeset = s AS round_trip, s
FROM (VALUES ('{}'::scopeset), ('{a.b,c:d}'), ('{*:b:c,a:*:c}'), ('{READ,Read,read}')) AS t(s);

-- Limits, accepted at the limit: 255 bytes, 32 segments.
SELECT length(s::text) - 2 AS bytes, s::text = '{' || repeat('a', 255) || '}' AS same
FROM (SELECT ('{' || repeat('a', 255) || '}')::scopeset AS s) AS t;
SELECT s AS thirty_two_segments FROM (SELECT ('{' || repeat('a.', 31) || 'a}')::scopeset AS s) AS t;
SELECT s AS thirty_two_wildcards FROM (SELECT ('{' || repeat('*:', 31) || '*}')::scopeset AS s) AS t;
-- Both limits at once: 32 segments of 7 bytes and 31 separators, 255 bytes.
SELECT length(x) AS bytes, ('{' || x || '}')::scopeset::text = '{' || x || '}' AS same
FROM (SELECT repeat('abcdefg.', 31) || 'zzzzzzz' AS x) AS t;

-- cardinality counts canonical elements; a wildcard counts once.
SELECT s, cardinality(s)
FROM (VALUES ('{}'::scopeset), ('{a}'), ('{a,b,c}'), ('{a:b,a:*,a:c}'), ('{a:*,b:*,a.b}')) AS t(s);

-- scopes() lists the elements in canonical order, one row each.
SELECT * FROM scopes('{c, b:*, a, b:x}') WITH ORDINALITY AS t(scope, n);
SELECT count(*) AS no_rows FROM scopes('{}');
SELECT scopes('{Z,a}') AS scope;

-- Binary: a version byte (1), an int32 count, then a length byte and the
-- bytes of each name.
SELECT scopeset_send('{}') AS empty, scopeset_send('{c:*,a.b}') AS two;

-- Binary round trip through COPY.  COPY TO a file takes an absolute path, so
-- the file goes to the data directory.
CREATE TABLE io_src (id int, s scopeset);
INSERT INTO io_src VALUES
  (1, '{}'),
  (2, '{a.b,c:d}'),
  (3, '{agents:*:run,agents:run,agents.web.run,*:*:*}'),
  (4, ('{' || repeat('a', 255) || ',' || repeat('b.', 31) || 'b}')::scopeset),
  (5, NULL);
INSERT INTO io_src SELECT 100 + i, ('{s' || i || '.read,s' || i || ':*,t' || (i % 7) || '}')::scopeset
FROM generate_series(1, 50) AS i;
DO $$
BEGIN
  EXECUTE format('COPY io_src TO %L (FORMAT binary)',
                 current_setting('data_directory') || '/rbac_io.bin');
END
$$;
CREATE TABLE io_dst (LIKE io_src);
COPY io_dst FROM 'rbac_io.bin' (FORMAT binary);
SELECT count(*) AS rows_read,
       count(*) FILTER (WHERE s.s IS NOT DISTINCT FROM d.s) AS rows_equal
FROM io_src AS s FULL JOIN io_dst AS d USING (id);
SELECT id, s FROM io_dst WHERE id IN (1, 2, 3, 5) ORDER BY id;

-- The bytes of one row in a binary COPY file: the 19-byte file header, a
-- field count of 1, the field length (13), the value, and the -1 trailer.
DO $$
BEGIN
  EXECUTE format('COPY (SELECT %L::scopeset) TO %L (FORMAT binary)', '{c:*,a.b}',
                 current_setting('data_directory') || '/rbac_io_one.bin');
END
$$;
SELECT encode(substr(f, 1, 19), 'hex') AS header, encode(substr(f, 20), 'hex') AS tuple_and_trailer
FROM pg_read_binary_file('rbac_io_one.bin') AS f;

-- Binary receive validates: crafted payloads go through a binary COPY file.
-- recv() returns the value read, or the SQLSTATE, message and detail.
CREATE TABLE io_recv (s scopeset);
CREATE FUNCTION pg_temp.recv(payload bytea) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  lo oid;
  result text;
  detail text;
BEGIN
  lo := lo_from_bytea(0, '\x5047434f50590aff0d0a00'::bytea    -- PGCOPY\n\377\r\n\0
                         || '\x0000000000000000'::bytea        -- flags, extension length
                         || '\x0001'::bytea                    -- one field
                         || int4send(length(payload)) || payload
                         || '\xffff'::bytea);                  -- trailer
  PERFORM lo_export(lo, 'rbac_recv.bin');
  PERFORM lo_unlink(lo);
  TRUNCATE io_recv;
  COPY io_recv FROM 'rbac_recv.bin' (FORMAT binary);
  SELECT s::text INTO result FROM io_recv;
  RETURN result;
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
  RETURN SQLSTATE || ': ' || SQLERRM || ': ' || detail;
END
$$;

SELECT why, payload, pg_temp.recv(payload) AS result
FROM (VALUES
  ('canonical, accepted',     '\x010000000203612e6203633a2a'::bytea),
  ('empty set, accepted',     '\x0100000000'),
  ('send output, accepted',   scopeset_send('{agents:*:run,agents.web.run,Z}')),
  ('version 2',               '\x0200000000'),
  ('version 0',               '\x0000000000'),
  ('shorter than a header',   '\x01000000'),
  ('no bytes at all',         '\x'),
  ('negative count',          '\x01ffffffff'),
  ('count beyond the data',   '\x0100000001'),
  ('count beyond the data 2', '\x010000000301610162'),
  ('count above 65535',       '\x0100010000'),
  ('length beyond the data',  '\x01000000010561'),
  ('empty name',              '\x010000000100'),
  ('space in a name',         '\x010000000103612062'),
  ('partial wildcard',        '\x010000000102612a'),
  ('empty segment',           '\x010000000104612e2e62'),
  ('bytes after the last',    '\x01000000010161ff'),
  ('bytes after empty set',   '\x010000000000'),
  ('not sorted',              '\x010000000201620161'),
  ('duplicate',               '\x010000000201610161'),
  ('covered element',         '\x0100000002036a3a2a036a3a62'),
  ('not sorted bytewise',     '\x010000000201610141')
) AS t(why, payload);
