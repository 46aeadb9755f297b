-- Randomized binary input for rbac.scopeset, through COPY ... (FORMAT binary).
--
-- Each payload is written as the one field of a binary COPY file and
-- copied into a table.
-- The payloads are random bytes; random bytes behind a valid header; and
-- the send form of random sets with one random change: a byte flipped,
-- inserted or dropped, the value cut short or extended, the count or a
-- length off by one, two scopes swapped, a scope repeated.  Every payload
-- is either refused with SQLSTATE 22P03 or read as a value whose send form
-- is the payload itself: a canonical value has exactly one binary form, so
-- receive accepts nothing else.  Both outcomes must be common, and the
-- untouched send forms must all be accepted.
BEGIN;
SELECT setseed(0.5772);
SELECT plan(8);
SET LOCAL client_min_messages = warning;
SET LOCAL search_path = public, rbac;

-- ===================================================================
-- Generators
-- ===================================================================

-- Up to 64 random bytes.
CREATE FUNCTION pg_temp.rand_bytes(n int) RETURNS bytea LANGUAGE sql VOLATILE AS $$
	SELECT substr(sha512(random()::text::bytea), 1, n)
$$;

CREATE FUNCTION pg_temp.rand_int(lo int, hi int) RETURNS int LANGUAGE sql VOLATILE AS $$
	SELECT lo + floor(random() * (hi - lo + 1))::int
$$;

-- A random scope: one to four segments from a small alphabet, joined by
-- "." or ":", sometimes a wildcard, so sets often relate.
CREATE FUNCTION pg_temp.rand_scope() RETURNS text LANGUAGE sql VOLATILE AS $$
	SELECT string_agg(CASE WHEN random() < 0.15 THEN '*'
			ELSE (ARRAY['a', 'b', 'agents', 'run', 'x-1', 'Z_'])[pg_temp.rand_int(1, 6)] END,
		CASE WHEN random() < 0.5 THEN '.' ELSE ':' END)
	FROM generate_series(1, pg_temp.rand_int(1, 4))
$$;

CREATE FUNCTION pg_temp.rand_set() RETURNS rbac.scopeset LANGUAGE sql VOLATILE AS $$
	SELECT rbac.scopeset(ARRAY(SELECT pg_temp.rand_scope() FROM generate_series(1, pg_temp.rand_int(0, 6))))
$$;

-- The offset (0-based) of each scope's length byte in a send form.
CREATE FUNCTION pg_temp.length_offsets(p bytea) RETURNS int[] LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	offs int[] := '{}';
	o int := 5;
BEGIN
	WHILE o < length(p) LOOP
		offs := offs || o;
		o := o + 1 + get_byte(p, o);
	END LOOP;
	RETURN offs;
END $$;

-- One random change to a send form.
CREATE FUNCTION pg_temp.mutate(p bytea) RETURNS bytea LANGUAGE plpgsql VOLATILE AS $$
DECLARE
	n int := length(p);
	pos int := pg_temp.rand_int(0, n - 1);
	offs int[] := pg_temp.length_offsets(p);
	k int;
	a int;
	b int;
BEGIN
	CASE pg_temp.rand_int(0, 8)
	WHEN 0 THEN		-- flip some bits of one byte
		RETURN set_byte(p, pos, get_byte(p, pos) # pg_temp.rand_int(1, 255));
	WHEN 1 THEN		-- insert a byte
		RETURN overlay(p PLACING pg_temp.rand_bytes(1) FROM pos + 1 FOR 0);
	WHEN 2 THEN		-- drop a byte
		RETURN overlay(p PLACING ''::bytea FROM pos + 1 FOR 1);
	WHEN 3 THEN		-- cut short
		RETURN substr(p, 1, pos);
	WHEN 4 THEN		-- extend
		RETURN p || pg_temp.rand_bytes(pg_temp.rand_int(1, 8));
	WHEN 5 THEN		-- the count off by one
		RETURN overlay(p PLACING int4send(get_byte(p, 4) + (CASE WHEN random() < 0.5 THEN -1 ELSE 1 END))
			FROM 2 FOR 4);
	WHEN 6 THEN		-- a length off by one
		IF cardinality(offs) = 0 THEN
			RETURN p || '\x00'::bytea;
		END IF;
		k := offs[pg_temp.rand_int(1, cardinality(offs))];
		RETURN set_byte(p, k, (get_byte(p, k) + CASE WHEN random() < 0.5 THEN 255 ELSE 1 END) % 256);
	WHEN 7 THEN		-- two neighbouring scopes swapped
		IF cardinality(offs) < 2 THEN
			RETURN substr(p, 1, n - 1);
		END IF;
		k := pg_temp.rand_int(1, cardinality(offs) - 1);
		a := offs[k];
		b := offs[k + 1];
		RETURN substr(p, 1, a) || substr(p, b + 1, 1 + get_byte(p, b)) || substr(p, a + 1, b - a)
			|| substr(p, b + 2 + get_byte(p, b));
	ELSE			-- a scope repeated, the count raised to match
		IF cardinality(offs) = 0 THEN
			RETURN '\x01'::bytea || pg_temp.rand_bytes(4);
		END IF;
		k := offs[pg_temp.rand_int(1, cardinality(offs))];
		RETURN overlay(substr(p, 1, k) || substr(p, k + 1, 1 + get_byte(p, k)) || substr(p, k + 1)
			PLACING int4send(cardinality(offs) + 1) FROM 2 FOR 4);
	END CASE;
END $$;

-- ===================================================================
-- The payloads
-- ===================================================================

CREATE TEMP TABLE payloads (id serial PRIMARY KEY, how text NOT NULL, payload bytea NOT NULL);

INSERT INTO payloads (how, payload)
SELECT 'random bytes', pg_temp.rand_bytes(pg_temp.rand_int(0, 64)) FROM generate_series(1, 1000);

INSERT INTO payloads (how, payload)
SELECT 'random behind a header', '\x01'::bytea || int4send(pg_temp.rand_int(0, 4))
	|| pg_temp.rand_bytes(pg_temp.rand_int(0, 40))
FROM generate_series(1, 1000);

CREATE TEMP TABLE good AS
SELECT i, rbac.scopeset_send(pg_temp.rand_set()) AS payload FROM generate_series(1, 3000) AS i;

INSERT INTO payloads (how, payload) SELECT 'send form', g.payload FROM good AS g WHERE g.i <= 500;
INSERT INTO payloads (how, payload) SELECT 'one change', pg_temp.mutate(g.payload) FROM good AS g;

-- ===================================================================
-- Receiving them
-- ===================================================================

CREATE TEMP TABLE received (s rbac.scopeset);

-- Copy one payload in as a scopeset: its value, or the SQLSTATE raised.
-- The file is a binary COPY of the payload as bytea, whose binary form is
-- its bytes: the same file with the payload as the field.  COPY TO a file
-- takes an absolute path, so the file goes to the data directory.
CREATE FUNCTION pg_temp.recv(payload bytea) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
	v rbac.scopeset;
BEGIN
	EXECUTE format('COPY (SELECT %L::bytea) TO %L (FORMAT binary)', payload,
		current_setting('data_directory') || '/rbac_bad_input.bin');
	BEGIN
		TRUNCATE received;
		COPY received FROM 'rbac_bad_input.bin' (FORMAT binary);
		SELECT r.s INTO STRICT v FROM received AS r;
		RETURN ARRAY['accepted', v::text];
	EXCEPTION WHEN OTHERS THEN
		RETURN ARRAY[SQLSTATE, SQLERRM];
	END;
END $$;

CREATE TEMP TABLE outcomes AS SELECT p.id, p.how, p.payload, pg_temp.recv(p.payload) AS r FROM payloads AS p;

-- ===================================================================
-- Assertions
-- ===================================================================

SELECT cmp_ok(count(*), '>=', 5000::bigint, 'at least 5,000 payloads are received') FROM outcomes;

SELECT is(count(*), 0::bigint, 'no payload raises anything but SQLSTATE 22P03')
FROM outcomes WHERE r[1] NOT IN ('22P03', 'accepted');

SELECT is(count(*), 0::bigint, 'every refusal is "invalid binary data for type scopeset"')
FROM outcomes WHERE r[1] = '22P03' AND r[2] <> 'invalid binary data for type scopeset';

SELECT is(count(*), 0::bigint, 'an accepted payload is exactly the send form of the value read')
FROM outcomes WHERE r[1] = 'accepted' AND rbac.scopeset_send(r[2]::rbac.scopeset) <> payload;

SELECT is(count(*), 0::bigint, 'an accepted value is canonical: its text form reads back as itself')
FROM outcomes
WHERE r[1] = 'accepted' AND r[2]::rbac.scopeset::text <> r[2];

SELECT is(count(*) FILTER (WHERE r[1] = 'accepted'), count(*), 'control: every untouched send form is accepted')
FROM outcomes WHERE how = 'send form';

SELECT cmp_ok(count(*), '>=', 1500::bigint, 'most changed payloads are refused: at least 1,500')
FROM outcomes WHERE how = 'one change' AND r[1] = '22P03';

SELECT cmp_ok(count(*), '>=', 20::bigint,
	'some changes still make a canonical value (a flipped letter, say), and it is accepted')
FROM outcomes WHERE how = 'one change' AND r[1] = 'accepted';

SELECT * FROM finish();
ROLLBACK;
