-- Randomized input test for rbac.scopeset: every string either parses to a
-- value whose text form round-trips, or is refused with SQLSTATE 22P02.
--
-- The strings mix bytes of the grammar with bytes outside it (punctuation,
-- quotes, backslashes, tabs and newlines, non-ASCII characters).  Most are
-- nearly valid literals, "{" and random elements and "}", some of them
-- edited, so both outcomes are common; some exceed 255 bytes or 32 segments
-- in an element, some with a multibyte character across the 255-byte limit.
-- Each outcome is recorded, and the assertions count the outcomes that are
-- not allowed and report the inputs behind them, as JSON strings.  The
-- tokens of the strings are then given as single scopes to "+", which must
-- likewise accept them or refuse them with 22P02.
BEGIN;
SELECT setseed(0.1337);
SELECT plan(20);
SET LOCAL search_path = rbac, public;

-- ===================================================================
-- Generators
-- ===================================================================

-- 512 random runs of 688 segment bytes, [A-Za-z0-9_-]: base64 of SHA-512
-- digests of random numbers, with "+" and "/" turned into "_" and "-".
CREATE TEMP TABLE segment_pool AS
SELECT translate(string_agg(encode(sha512(random()::text::bytea), 'base64'), '' ORDER BY j),
	E'+/=\n', '_-') AS run
FROM generate_series(1, 512) AS i, generate_series(1, 8) AS j
GROUP BY i;

-- 512 random runs of 688 characters mixing segment bytes with the grammar's
-- other bytes and with bytes it refuses: the same, with the 26 capital
-- letters turned into 10 of the grammar's separators, braces, commas and
-- spaces, 8 ASCII bytes outside it, 5 non-ASCII characters, a tab, a
-- newline and a carriage return.
CREATE TEMP TABLE mixed_pool AS
SELECT translate(string_agg(encode(sha512(random()::text::bytea), 'base64'), '' ORDER BY j),
	E'+/=\n', '_-') AS run
FROM generate_series(1, 512) AS i, generate_series(1, 8) AS j
GROUP BY i;
UPDATE mixed_pool SET run = translate(run, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
	E'.:*{},.,  /@"\\`+'';éß日😀\u00a0\t\n\r');

-- len characters picked from a random place in a random run of pool.
CREATE FUNCTION pg_temp.pick(pool text[], len int) RETURNS text LANGUAGE sql VOLATILE AS $$
	SELECT substr(pool[1 + floor(random() * cardinality(pool))::int],
		1 + floor(random() * (689 - len))::int, len)
$$;

-- Whitespace that the text form allows around braces and elements.
CREATE FUNCTION pg_temp.rand_space() RETURNS text LANGUAGE sql VOLATILE AS $$
	SELECT (ARRAY['', '', '', '', ' ', '  ', E'\t', E'\n', E'\r\n', E' \f'])[1 + floor(random() * 10)::int]
$$;

-- One random edit: insert, delete or replace a character, or append junk.
CREATE FUNCTION pg_temp.mutate(s text, pool text[]) RETURNS text LANGUAGE sql VOLATILE AS $$
	SELECT CASE op
		WHEN 0 THEN overlay(s PLACING pg_temp.pick(pool, 1) FROM pos FOR 0)
		WHEN 1 THEN overlay(s PLACING '' FROM pos FOR 1)
		WHEN 2 THEN overlay(s PLACING pg_temp.pick(pool, 1) FROM pos FOR 1)
		ELSE s || pg_temp.pick(pool, 1 + floor(random() * 3)::int)
	END
	FROM (SELECT floor(random() * 4)::int AS op,
		1 + floor(random() * (char_length(s) + 1))::int AS pos) AS t
$$;

-- The random strings: 30% free-form from the mixed pool (a fifth of them
-- longer than 255 bytes, half of them in braces); 45% nearly valid
-- literals, "{" and 0 to 6 elements and "}"; 25% such literals with 1 to 3
-- random edits.  An element is usually a valid scope of 1 to 4 segments,
-- but one in eleven has 30 to 35 segments, around the limit of 32, and one
-- in thirty is a single segment around the limit of 255 bytes: 250 to 260
-- segment bytes, or as many with a multibyte character near the limit.  A
-- segment is the wildcard, a run of 1 to 8 segment bytes, or now and then a
-- run of 60 to 129.
CREATE FUNCTION pg_temp.rand_inputs(how_many int)
RETURNS TABLE (n int, kind text, input text) LANGUAGE plpgsql VOLATILE AS $$
DECLARE
	segs text[] := ARRAY(SELECT run FROM segment_pool);
	mixed text[] := ARRAY(SELECT run FROM mixed_pool);
	r float8;
BEGIN
	FOR i IN 1..how_many LOOP
		n := i;
		r := random();
		IF r < 0.3 THEN
			kind := 'free-form';
			input := pg_temp.pick(mixed, CASE WHEN random() < 0.2 THEN 256 + floor(random() * 400)::int
				ELSE floor(random() * 30)::int END);
			IF random() < 0.5 THEN
				input := '{' || input || '}';
			END IF;
		ELSE
			kind := CASE WHEN r < 0.75 THEN 'literal' ELSE 'mutated' END;
			input := pg_temp.rand_space() || '{';
			FOR e IN 1..floor(random() * 7)::int LOOP
				IF e > 1 THEN
					input := input || ',';
				END IF;
				input := input || pg_temp.rand_space();
				r := random();
				IF r < 1.0 / 60 THEN
					input := input || pg_temp.pick(segs, 250 + floor(random() * 11)::int);
				ELSIF r < 1.0 / 30 THEN
					input := input || pg_temp.pick(segs, 245 + floor(random() * 12)::int)
						|| (ARRAY['é', 'ß', '日', '😀', E'\u00a0'])[1 + floor(random() * 5)::int]
						|| pg_temp.pick(segs, floor(random() * 4)::int);
				ELSE
					FOR s IN 1..CASE WHEN r < 1.0 / 11 THEN 30 + floor(random() * 6)::int
							ELSE 1 + floor(random() * 4)::int END LOOP
						IF s > 1 THEN
							input := input || CASE WHEN random() < 0.5 THEN '.' ELSE ':' END;
						END IF;
						r := random();
						input := input || CASE WHEN r < 0.15 THEN '*'
							WHEN r < 0.17 THEN pg_temp.pick(segs, 60 + floor(random() * 70)::int)
							ELSE pg_temp.pick(segs, 1 + floor(random() * 8)::int) END;
					END LOOP;
				END IF;
				input := input || pg_temp.rand_space();
			END LOOP;
			input := input || pg_temp.rand_space() || '}' || pg_temp.rand_space();
			IF kind = 'mutated' THEN
				FOR k IN 1..1 + floor(random() * 3)::int LOOP
					input := pg_temp.mutate(input, mixed);
				END LOOP;
			END IF;
		END IF;
		RETURN NEXT;
	END LOOP;
END $$;

-- ===================================================================
-- Feed every string to the input function
-- ===================================================================

CREATE TEMP TABLE cases (n int PRIMARY KEY, kind text NOT NULL, input text NOT NULL,
	outcome text NOT NULL, state text, message text, detail text, hint text, output text);

DO $$
DECLARE
	c record;
	v rbac.scopeset;
	back rbac.scopeset;
	outcome text;
	state text;
	message text;
	detail text;
	hint text;
	output text;
BEGIN
	FOR c IN SELECT * FROM pg_temp.rand_inputs(100000) ORDER BY 1 LOOP
		state := NULL;
		message := NULL;
		detail := NULL;
		hint := NULL;
		output := NULL;
		BEGIN
			v := c.input::rbac.scopeset;
			outcome := 'parsed';
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
				detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
			outcome := CASE WHEN state = '22P02' THEN 'refused' ELSE 'other error' END;
		END;
		IF outcome = 'parsed' THEN
			BEGIN
				output := v::text;
				back := output::rbac.scopeset;
				IF NOT (back = v AND back::text = output) THEN
					outcome := 'no round trip';
				END IF;
			EXCEPTION WHEN OTHERS THEN
				GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT;
				outcome := 'no round trip';
			END;
		END IF;
		INSERT INTO cases VALUES (c.n, c.kind, c.input, outcome, state, message, detail, hint, output);
	END LOOP;
END $$;

-- ===================================================================
-- The strings cover the cases that matter
-- ===================================================================

SELECT ok(n >= least, format('%s of the %s strings %s (at least %s)', n, total, name, least))
FROM (
	SELECT ord, name, least, count(*) FILTER (WHERE holds) AS n, count(*) AS total
	FROM cases CROSS JOIN LATERAL (VALUES
		(1, 'were tried', 100000, true),
		(2, 'are nearly valid literals', 50000, kind <> 'free-form'),
		(3, 'are longer than 255 bytes', 2000, octet_length(input) > 255),
		(4, 'hold a run of more than 255 segment bytes', 1000, input ~ '[A-Za-z0-9_-]{255}[A-Za-z0-9_-]'),
		(5, 'hold a token of more than 32 segments', 1000,
			input ~ '([^{},.:[:space:]]+[.:]){32}[^{},.:[:space:]]'),
		(6, 'hold a byte outside the grammar', 10000, input ~ '[^A-Za-z0-9_.:*{}, -]'),
		(7, 'hold a non-ASCII character', 2000, input ~ '[^[:ascii:]]'),
		(8, 'hold a tab or a newline', 10000, input ~ '[\t\n]'),
		(9, 'hold a non-ASCII character after 240 segment bytes', 500,
			input ~ '[A-Za-z0-9_-]{240}[^[:ascii:]]')
	) AS t(ord, name, least, holds)
	GROUP BY ord, name, least
) AS q ORDER BY ord;

-- ===================================================================
-- Every string parses or is refused with 22P02, and nothing else
-- ===================================================================

SELECT is(count(*), 0::bigint, 'no string raises an error other than 22P02')
FROM cases WHERE outcome = 'other error';
SELECT diag(format('input %s raised %s: %s', to_json(input), state, message))
FROM cases WHERE outcome = 'other error' ORDER BY n LIMIT 20;

SELECT ok(count(*) >= 20000, format('%s strings parse', count(*)))
FROM cases WHERE outcome IN ('parsed', 'no round trip');
SELECT ok(count(*) >= 20000, format('%s strings are refused with 22P02', count(*)))
FROM cases WHERE outcome = 'refused';
SELECT ok(n_parsed >= 100 AND n_refused >= 100,
	format('of the strings over 255 bytes, %s parse and %s are refused', n_parsed, n_refused))
FROM (SELECT count(*) FILTER (WHERE outcome = 'parsed') AS n_parsed,
	count(*) FILTER (WHERE outcome = 'refused') AS n_refused
	FROM cases WHERE octet_length(input) > 255) AS t;

SELECT is(count(*), 0::bigint, 'every parsed value round-trips through its text form')
FROM cases WHERE outcome = 'no round trip';
SELECT diag(format('input %s gave %s, which does not round-trip (%s %s)',
	to_json(input), to_json(output), state, message))
FROM cases WHERE outcome = 'no round trip' ORDER BY n LIMIT 20;

-- A parsed value prints in the canonical grammar: valid scopes of at most
-- 255 bytes and 32 segments, sorted bytewise, without repeats or spaces.
SELECT is(count(*), 0::bigint, 'every parsed value prints as sorted, valid scopes')
FROM cases
WHERE outcome = 'parsed' AND NOT (
	output ~ '^\{(([A-Za-z0-9_-]+|\*)([.:]([A-Za-z0-9_-]+|\*))*(,([A-Za-z0-9_-]+|\*)([.:]([A-Za-z0-9_-]+|\*))*)*)?\}$'
	AND NOT EXISTS (SELECT FROM unnest(output::rbac.scopeset::text[]) e
		WHERE octet_length(e) > 255 OR e ~ '([.:][^.:]*){32}')
	AND output::rbac.scopeset::text[] = ARRAY(SELECT e FROM unnest(output::rbac.scopeset::text[]) e
		GROUP BY e ORDER BY e COLLATE "C"));

-- A parsed value holds only elements of the input, and covers every one.
SELECT is(count(*), 0::bigint, 'every parsed value is made of its input elements and covers them all')
FROM (
	SELECT output::rbac.scopeset AS v,
		ARRAY(SELECT btrim(t, E' \t\n\r\f\x0b') FROM regexp_split_to_table(
			substring(input FROM '^[[:space:]]*\{(.*)\}[[:space:]]*$'), ',') AS t
			WHERE btrim(t, E' \t\n\r\f\x0b') <> '') AS tokens
	FROM cases WHERE outcome = 'parsed'
) AS p
WHERE EXISTS (SELECT FROM unnest(v::text[]) e WHERE e <> ALL (tokens))
	OR EXISTS (SELECT FROM unnest(tokens) t WHERE NOT v ? t);

-- A refusal explains itself, with a hint; a character position it gives
-- lies within the input.
CREATE TEMP VIEW bad_refusals AS
SELECT * FROM cases
WHERE outcome = 'refused' AND NOT coalesce(detail <> '' AND hint <> ''
	AND coalesce(substring(detail FROM 'character ([0-9]+)')::int BETWEEN 1 AND char_length(input) + 1,
		true), false);

SELECT is(count(*), 0::bigint,
	'every refusal has a detail and a hint, and any position it gives lies within the input')
FROM bad_refusals;
SELECT diag(format('input %s: %s / %s / %s', to_json(input), to_json(message), to_json(detail), hint))
FROM bad_refusals ORDER BY n LIMIT 20;

-- ===================================================================
-- Single scopes given as text: + text, ? text
-- ===================================================================

-- The first 30,000 distinct tokens of the strings above, split at braces,
-- commas and whitespace, each given as one scope.
CREATE TEMP TABLE scope_inputs AS
SELECT row_number() OVER (ORDER BY min(c.n * 10000 + t.k))::int AS n, t.token AS input
FROM cases AS c, regexp_split_to_table(c.input, '[{},[:space:]]+') WITH ORDINALITY AS t(token, k)
GROUP BY t.token
ORDER BY n LIMIT 30000;

CREATE TEMP TABLE scope_cases (n int PRIMARY KEY, input text NOT NULL, outcome text NOT NULL,
	state text, message text);

DO $$
DECLARE
	c record;
	v rbac.scopeset;
	outcome text;
	state text;
	message text;
BEGIN
	FOR c IN SELECT n, input FROM scope_inputs ORDER BY n LOOP
		state := NULL;
		message := NULL;
		BEGIN
			v := '{}'::rbac.scopeset + c.input;
			outcome := CASE WHEN v ? c.input AND v::text = '{' || c.input || '}'
				THEN 'parsed' ELSE 'wrong value' END;
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT;
			outcome := CASE WHEN state = '22P02' THEN 'refused' ELSE 'other error' END;
		END;
		INSERT INTO scope_cases VALUES (c.n, c.input, outcome, state, message);
	END LOOP;
END $$;

SELECT is(count(*), 0::bigint, 'no scope given as text raises an error other than 22P02')
FROM scope_cases WHERE outcome = 'other error';
SELECT diag(format('scope %s raised %s: %s', to_json(input), state, message))
FROM scope_cases WHERE outcome = 'other error' ORDER BY n LIMIT 20;

SELECT is(count(*), 0::bigint, 'every scope accepted by + is then the only element and is covered (?)')
FROM scope_cases WHERE outcome = 'wrong value';
SELECT diag(format('scope %s was accepted but gave a different value', to_json(input)))
FROM scope_cases WHERE outcome = 'wrong value' ORDER BY n LIMIT 20;

SELECT ok(n_parsed >= 5000 AND n_refused >= 5000,
	format('of %s scopes given as text, %s are accepted and %s refused with 22P02',
		total, n_parsed, n_refused))
FROM (SELECT count(*) AS total, count(*) FILTER (WHERE outcome = 'parsed') AS n_parsed,
	count(*) FILTER (WHERE outcome = 'refused') AS n_refused FROM scope_cases) AS t;

SELECT * FROM finish();
ROLLBACK;
