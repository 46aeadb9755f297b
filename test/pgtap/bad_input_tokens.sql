-- Randomized bad input for authentication: tokens, API keys and request
-- claims.
--
-- Thousands of inputs made from the good ones (every truncation, random
-- edits anywhere or in the signature alone, several edits at once) and
-- from nothing (random strings, three random base64url parts, random
-- headers and payloads around a random signature).  Every JWT and API key
-- among them must be refused with SQLSTATE 28000 and nothing else: none is
-- accepted, since base64url has one spelling per byte string and every
-- changed character changes what is signed or the signature.  The refusals
-- must reach the deep checks too (bad signature, wrong secret), so the
-- inputs are not all turned away at the door.  No refusal shows an API
-- key's secret.  Random claims, many built to confuse a reader (member
-- names that look like paths, nested claims, repeated names, containers
-- around the limits), are checked against an oracle written in SQL over
-- json and jsonb: signed into tokens and set as request.jwt.claims, they
-- must give the principal and bounds it says, or none, and never raise.
BEGIN;
SELECT setseed(0.2718);
SELECT plan(23);
SET LOCAL client_min_messages = warning;
SET LOCAL search_path = public, rbac;

-- ===================================================================
-- Keys, a workspace and an API key
-- ===================================================================

SELECT set_config('rbac.jwt_secret', (SELECT value FROM public.jwt_keys WHERE name = 'secret'), true),
	set_config('rbac.jwt_public_keys', (SELECT value FROM public.jwt_keys WHERE name = 'jwks'), true),
	set_config('rbac.jwt_audience', (SELECT value FROM public.jwt_keys WHERE name = 'audience'), true),
	set_config('rbac.jwt_issuer', (SELECT value FROM public.jwt_keys WHERE name = 'issuer'), true)
\g /dev/null

SELECT rbac.create_workspace('w1', 'Workspace 1', 'olive') \g /dev/null
SELECT rbac.set_principal('olive') \g /dev/null
CREATE TEMP TABLE api_key AS SELECT rbac.create_api_key('w1', label => 'fuzzed') AS key;
SELECT rbac.set_principal(NULL) \g /dev/null

-- ===================================================================
-- Generators
-- ===================================================================

-- Characters an edit puts in: base64url's, its neighbours in other
-- alphabets, separators, blanks and a non-ASCII letter.
CREATE FUNCTION pg_temp.token_chars() RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_' || E'.=+/ %\t\u00e9{}"'
$$;
CREATE FUNCTION pg_temp.key_chars() RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT '0123456789abcdef0123456789abcdefABCDEFgxz_. ' || E'\u00e9'
$$;

CREATE FUNCTION pg_temp.rand_char(pool text) RETURNS text LANGUAGE sql VOLATILE AS $$
	SELECT substr(pool, 1 + floor(random() * length(pool))::int, 1)
$$;

CREATE FUNCTION pg_temp.rand_string(pool text, len int) RETURNS text LANGUAGE sql VOLATILE AS $$
	SELECT coalesce(string_agg(pg_temp.rand_char(pool), ''), '') FROM generate_series(1, len)
$$;

-- One random edit at a random place of s: replace, insert or delete a
-- character, or swap two neighbours.
CREATE FUNCTION pg_temp.edit(s text, pool text) RETURNS text LANGUAGE sql VOLATILE AS $$
	SELECT CASE op
		WHEN 0 THEN overlay(s PLACING pg_temp.rand_char(pool) FROM pos FOR 1)
		WHEN 1 THEN overlay(s PLACING pg_temp.rand_char(pool) FROM pos FOR 0)
		WHEN 2 THEN overlay(s PLACING '' FROM pos FOR 1)
		ELSE overlay(s PLACING substr(s, pos + 1, 1) || substr(s, pos, 1) FROM pos FOR 2)
	END
	FROM (SELECT floor(random() * 4)::int AS op, 1 + floor(random() * length(s))::int AS pos) AS r
$$;

-- The same edit, in the signature part of a token only.
CREATE FUNCTION pg_temp.edit_signature(token text) RETURNS text LANGUAGE sql VOLATILE AS $$
	SELECT split_part(token, '.', 1) || '.' || split_part(token, '.', 2) || '.' ||
		pg_temp.edit(split_part(token, '.', 3), pg_temp.token_chars())
$$;

CREATE FUNCTION pg_temp.b64url(data bytea) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT rtrim(translate(encode(data, 'base64'), E'+/\n', '-_'), '=')
$$;

-- Up to 64 random bytes.
CREATE FUNCTION pg_temp.rand_bytes(n int) RETURNS bytea LANGUAGE sql VOLATILE AS $$
	SELECT substr(sha512(random()::text::bytea), 1, n)
$$;

-- A header or payload, some well formed and some not, for random tokens.
CREATE FUNCTION pg_temp.rand_header() RETURNS text LANGUAGE sql VOLATILE AS $$
	SELECT (ARRAY['{"alg":"HS256","typ":"JWT"}', '{"alg":"RS256","kid":"rsa1"}', '{"alg":"ES256","kid":"ec1"}',
		'{"alg":"HS512"}', '{"alg":"none"}', '{"alg":"nOnE"}', '{"alg":"PS256"}', '{"alg":""}',
		'{"alg":null}', '{"alg":256}', '{"alg":["HS256"]}', '{}', '[]', '"HS256"', 'null', '{"alg":"HS256"',
		'{"alg":"HS256","alg":"RS256"}', '{"alg":"RS256","kid":{"x":1}}', '{"alg":"ES256","kid":"rsa1"}',
		'{"alg":"HS256\u0000"}', '{"alg":"\ud800"}', '', ' ', '{"alg":"RS256","kid":"' || repeat('k', 300) || '"}'
	])[1 + floor(random() * 24)::int]
$$;
CREATE FUNCTION pg_temp.rand_payload() RETURNS text LANGUAGE sql VOLATILE AS $$
	SELECT (ARRAY['{"sub":"alice"}', '{"sub":"olive","exp":9999999999}', '{"sub":""}', '{"sub":1}',
		'{"sub":null}', '{"sub":["alice"]}', '{}', '[]', '1', '"alice"', '{"sub":"alice","exp":"soon"}',
		'{"sub":"alice","exp":1e999}', '{"sub":"alice","nbf":-1e308}', '{"sub":"alice","scopes":[1,2]}',
		'{"sub":"alice","scopes":["a..b"]}', '{"sub":"alice","scope":7}', '{"sub":"alice","aud":[[]]}',
		'{"sub":"alice","sub":"olive"}', '{"sub":"alice"', '{"sub":"al\u0000ice"}',
		'{"sub":"' || repeat('x', 2000) || '"}', '{"a":' || repeat('[', 500) || repeat(']', 500) || '}'
	])[1 + floor(random() * 22)::int]
$$;

-- ===================================================================
-- The inputs
-- ===================================================================

CREATE TEMP TABLE base_tokens AS
SELECT v.name, v.token FROM public.jwt_vectors AS v
WHERE v.name IN ('hs256', 'hs384', 'hs512', 'rs256', 'es256');

CREATE TEMP TABLE jwt_inputs (how text NOT NULL, token text NOT NULL);

-- Every truncation of every good token.
INSERT INTO jwt_inputs
SELECT 'truncated', left(b.token, n) FROM base_tokens AS b, generate_series(0, length(b.token) - 1) AS n;

-- Random edits: one anywhere, one in the signature, three at once.
INSERT INTO jwt_inputs
SELECT 'one edit', pg_temp.edit(b.token, pg_temp.token_chars())
FROM base_tokens AS b, generate_series(1, 600);
INSERT INTO jwt_inputs
SELECT 'signature edit', pg_temp.edit_signature(b.token)
FROM base_tokens AS b, generate_series(1, 200);
INSERT INTO jwt_inputs
SELECT 'three edits', pg_temp.edit(pg_temp.edit(pg_temp.edit(b.token, c), c), c)
FROM base_tokens AS b, generate_series(1, 100), pg_temp.token_chars() AS c;

-- A good token's parts, rearranged or spliced with another's.
INSERT INTO jwt_inputs
SELECT 'spliced', split_part(a.token, '.', i) || '.' || split_part(b.token, '.', j) || '.' || split_part(a.token, '.', k)
FROM base_tokens AS a, base_tokens AS b, generate_series(1, 3) AS i, generate_series(1, 3) AS j,
	generate_series(1, 3) AS k;

-- Random strings, with dots here and there.
INSERT INTO jwt_inputs
SELECT 'random string', pg_temp.rand_string(pg_temp.token_chars(), floor(random() * 400)::int)
FROM generate_series(1, 1000);

-- Three random base64url parts.
INSERT INTO jwt_inputs
SELECT 'random parts', pg_temp.b64url(pg_temp.rand_bytes(floor(random() * 64)::int)) || '.' ||
	pg_temp.b64url(pg_temp.rand_bytes(floor(random() * 64)::int)) || '.' ||
	pg_temp.b64url(pg_temp.rand_bytes(floor(random() * 64)::int))
FROM generate_series(1, 500);

-- Random headers and payloads around a random signature, or a good
-- token's signature.
INSERT INTO jwt_inputs
SELECT 'random json', pg_temp.b64url(convert_to(pg_temp.rand_header(), 'UTF8')) || '.' ||
	pg_temp.b64url(convert_to(pg_temp.rand_payload(), 'UTF8')) || '.' ||
	CASE WHEN random() < 0.5 THEN pg_temp.b64url(pg_temp.rand_bytes(1 + floor(random() * 64)::int))
	ELSE split_part((SELECT b.token FROM base_tokens AS b ORDER BY random() + i LIMIT 1), '.', 3) END
FROM generate_series(1, 1500) AS i;

-- An input that happens to equal a good token is not bad input.
DELETE FROM jwt_inputs WHERE token IN (SELECT b.token FROM base_tokens AS b);

-- API keys: the real one, truncated, edited, made up, or the real prefix
-- with another secret.
CREATE TEMP TABLE key_inputs (how text NOT NULL, key text NOT NULL);
INSERT INTO key_inputs
SELECT 'truncated', left(a.key, n) FROM api_key AS a, generate_series(0, length(a.key) - 1) AS n;
INSERT INTO key_inputs
SELECT 'one edit', pg_temp.edit(a.key, pg_temp.key_chars()) FROM api_key AS a, generate_series(1, 1500);
INSERT INTO key_inputs
SELECT 'three edits', pg_temp.edit(pg_temp.edit(pg_temp.edit(a.key, c), c), c)
FROM api_key AS a, generate_series(1, 300), pg_temp.key_chars() AS c;
INSERT INTO key_inputs
SELECT 'upper case', upper(a.key) FROM api_key AS a;
INSERT INTO key_inputs
SELECT 'random string', pg_temp.rand_string(pg_temp.key_chars(), floor(random() * 120)::int)
FROM generate_series(1, 500);
INSERT INTO key_inputs
SELECT 'made up', 'rbac_' || left(md5(random()::text), 12) || '_' || md5(random()::text) || md5(random()::text)
FROM generate_series(1, 300);
INSERT INTO key_inputs
SELECT 'real prefix', left(a.key, 18) || md5(random()::text) || md5(random()::text)
FROM api_key AS a, generate_series(1, 300);
DELETE FROM key_inputs WHERE key IN (SELECT a.key FROM api_key AS a);

-- ===================================================================
-- Outcomes
-- ===================================================================

-- What authenticating with a key (or else a token) did: 'accepted
-- <principal>', or the SQLSTATE and the message, detail and hint of the
-- refusal.
CREATE FUNCTION pg_temp.try_auth(is_key boolean, input text) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
	st text;
	m text;
	d text;
	h text;
BEGIN
	RETURN ARRAY['accepted', CASE WHEN is_key THEN rbac.authenticate_api_key(input)
		ELSE rbac.authenticate_jwt(input) END];
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL,
		h = PG_EXCEPTION_HINT;
	RETURN ARRAY[st, m, d, h];
END $$;

CREATE TEMP TABLE jwt_outcomes AS SELECT how, token, pg_temp.try_auth(false, token) AS r FROM jwt_inputs;
CREATE TEMP TABLE key_outcomes AS SELECT how, key, pg_temp.try_auth(true, key) AS r FROM key_inputs;

-- ===================================================================
-- Tokens
-- ===================================================================

SELECT is(string_agg(b.name || ' ' || array_to_string(pg_temp.try_auth(false, b.token), ' '), ', ' ORDER BY b.name),
	'es256 accepted alice, hs256 accepted alice, hs384 accepted alice, hs512 accepted alice, rs256 accepted alice',
	'control: the five good tokens are accepted under these keys')
FROM base_tokens AS b;

SELECT cmp_ok(count(*), '>=', 8000::bigint, 'at least 8,000 bad tokens are tried')
FROM jwt_outcomes;

SELECT is(count(*), 0::bigint, 'no bad token raises anything but SQLSTATE 28000')
FROM jwt_outcomes WHERE r[1] NOT IN ('28000', 'accepted');

SELECT is(count(*), 0::bigint, 'no truncated, edited, spliced or random token is accepted')
FROM jwt_outcomes WHERE r[1] = 'accepted';

SELECT is(count(*), 0::bigint, 'every refusal says "invalid token: <check>", with a detail and a hint')
FROM jwt_outcomes
WHERE r[1] = '28000' AND (r[2] NOT LIKE 'invalid token: %' OR coalesce(r[3], '') = '' OR coalesce(r[4], '') = '');

SELECT ok(array_agg(DISTINCT substr(r[2], 16)) @> ARRAY['malformed token', 'malformed base64url',
		'malformed JSON', 'missing algorithm', 'unsigned token', 'unsupported algorithm', 'bad signature'],
	'the refusals reach every stage: splitting, base64url, JSON, the algorithm and the signature')
FROM jwt_outcomes;

SELECT cmp_ok(count(*), '>=', 1000::bigint,
	'edits to a good token mostly fail on the signature itself: at least 1,000 bad signatures')
FROM jwt_outcomes WHERE r[2] = 'invalid token: bad signature';

-- ===================================================================
-- API keys
-- ===================================================================

SELECT is(pg_temp.try_auth(true, a.key), ARRAY['accepted', 'olive'], 'control: the real key is accepted')
FROM api_key AS a;

SELECT cmp_ok(count(*), '>=', 2500::bigint, 'at least 2,500 bad keys are tried')
FROM key_outcomes;

SELECT is(count(*), 0::bigint, 'no bad key raises anything but SQLSTATE 28000, and none is accepted')
FROM key_outcomes WHERE r[1] IS DISTINCT FROM '28000';

SELECT ok(array_agg(DISTINCT r[2]) @> ARRAY['invalid API key: malformed', 'invalid API key: unknown key',
		'invalid API key: wrong secret'],
	'the key refusals reach every stage: the format, the prefix and the secret')
FROM key_outcomes;

SELECT is(count(*), 0::bigint, 'no refusal shows any 16 characters of the real key''s secret')
FROM key_outcomes AS o, api_key AS a, generate_series(19, length(a.key) - 15) AS p
WHERE strpos(array_to_string(o.r, ' '), substr(a.key, p, 16)) > 0;

-- ===================================================================
-- Random claims against an oracle, as signed tokens and as request claims
-- ===================================================================

-- Random claims: edits of good claims, the random payloads above, random
-- strings, and claims put together from members that try to confuse a
-- reader: names that look like paths into other members ("scopes[0]",
-- "scopes.x"), escaped names, nested objects with a sub and scopes of their
-- own, repeated names, elements that are not strings, containers nested
-- around the depth limit and arrays around the size limit.
CREATE FUNCTION pg_temp.pick(choices text[]) RETURNS text LANGUAGE sql VOLATILE AS $$
	SELECT choices[1 + floor(random() * cardinality(choices))::int]
$$;

-- A scope name: mostly valid, else one that breaks a rule of the grammar.
CREATE FUNCTION pg_temp.rand_scope_name() RETURNS text LANGUAGE sql VOLATILE AS $$
	SELECT CASE WHEN random() < 0.7
		THEN pg_temp.pick(ARRAY['documents.read', 'runs.start', 'tenant.delete', 'members.invite', 'chat.send',
			'documents.*', '*.read', 'a:b', 'x', repeat('a', 255), array_to_string(array_fill('a'::text, ARRAY[32]), '.')])
		ELSE pg_temp.pick(ARRAY['', 'a..b', 'a.', '.a', 'documents read', ' runs.start', 'x!', 'do*c.read',
			E'\u00e9.read', E'tab\tname', repeat('a', 256), array_to_string(array_fill('a'::text, ARRAY[33]), '.')])
	END
$$;

CREATE FUNCTION pg_temp.rand_sub() RETURNS text LANGUAGE sql VOLATILE AS $$
	SELECT pg_temp.pick(ARRAY['"alice"', '"alice"', '"alice"', '"bob"', '"olive"', '""', '42', 'null', 'true',
		'["alice"]', '{"sub":"alice"}', '"al\u0069ce"', '"a b"', '"al\tice"', '"\u00e9mile"'])
$$;

-- A value for "scopes": mostly an array of names, sometimes something else,
-- now and then an array around the size limit.
CREATE FUNCTION pg_temp.rand_scopes() RETURNS text LANGUAGE sql VOLATILE AS $$
	SELECT CASE floor(random() * 20)::int
		WHEN 0 THEN to_json(pg_temp.rand_scope_name())::text
		WHEN 1 THEN '{"0":' || to_json(pg_temp.rand_scope_name()) || '}'
		WHEN 2 THEN pg_temp.pick(ARRAY['null', '42', 'true', '{}', '[]', '[null]', '[["documents.read"]]',
			'[{"0":"documents.read"}]'])
		WHEN 3 THEN '[' || array_to_string(array_fill('"documents.read"'::text,
			ARRAY[pg_temp.pick(ARRAY['9990', '9994', '9995', '9996', '9997', '9998', '12000'])::int]), ',') || ']'
		ELSE '[' || coalesce((SELECT string_agg(CASE WHEN random() < 0.9 THEN to_json(pg_temp.rand_scope_name())::text
			ELSE pg_temp.pick(ARRAY['42', 'null', 'true', '["runs.start"]', '{"0":"runs.start"}']) END, ',')
			FROM generate_series(1, floor(random() * 4)::int)), '') || ']'
	END
$$;

-- A value for "scope": names between blanks, or something else.
CREATE FUNCTION pg_temp.rand_scope_string() RETURNS text LANGUAGE sql VOLATILE AS $$
	SELECT CASE WHEN random() < 0.8
		THEN to_json(coalesce((SELECT string_agg(pg_temp.rand_scope_name(), pg_temp.pick(ARRAY[' ', '  ', E'\t', E'\n', E' \r\n']))
			FROM generate_series(1, floor(random() * 4)::int)), ''))::text
		ELSE pg_temp.pick(ARRAY['42', 'null', '["documents.read"]', '{"scope":"documents.read"}'])
	END
$$;

CREATE FUNCTION pg_temp.rand_claims() RETURNS text LANGUAGE plpgsql VOLATILE AS $$
DECLARE
	m text[] := '{}';
	now_s bigint := extract(epoch FROM clock_timestamp())::bigint;
	d int := 28 + floor(random() * 7)::int;
BEGIN
	IF random() < 0.9 THEN
		m := m || ('"sub":' || pg_temp.rand_sub());
	END IF;
	IF random() < 0.6 THEN
		m := m || ('"scopes":' || pg_temp.rand_scopes());
	END IF;
	IF random() < 0.3 THEN
		m := m || ('"scope":' || pg_temp.rand_scope_string());
	END IF;
	FOR i IN 1 .. floor(random() * 3)::int LOOP
		m := m || (pg_temp.pick(ARRAY['"scopes[0]"', '"scopes[1]"', '"scopes.0"', '"scopes.x"', '"scope[0]"',
			'"scope.x"', '"sub[0]"', '"sub.x"', '".sub"', '"scopes "', '"Scopes"', '"SUB"', '"s\u0063opes"',
			'"s\u0075b"', '"keys[0].kid"', '"scopes\u0000"'])
			|| ':' || pg_temp.pick(ARRAY[to_json(pg_temp.rand_scope_name())::text, pg_temp.rand_scopes(), pg_temp.rand_sub()]));
	END LOOP;
	IF random() < 0.3 THEN
		m := m || ('"nested":' || pg_temp.pick(ARRAY['{"sub":"olive","scopes":["tenant.delete"]}', '{"a":1,"a":2}',
			'[{"scopes":["tenant.delete"]}]', repeat('[', d) || repeat(']', d),
			repeat('{"a":', d) || '1' || repeat('}', d)]));
	END IF;
	IF random() < 0.15 THEN
		m := m || ('"exp":' || pg_temp.pick(ARRAY[(now_s + 3600)::text, (now_s - 3600)::text, '"soon"', '1e999', 'null']));
	END IF;
	IF random() < 0.1 THEN
		m := m || ('"nbf":' || pg_temp.pick(ARRAY[(now_s + 3600)::text, (now_s - 3600)::text, '-1e308']));
	END IF;
	IF random() < 0.01 THEN
		m := m || ('"pad":"' || repeat('x', 262000 + floor(random() * 200)::int) || '"');
	END IF;
	IF random() < 0.1 AND cardinality(m) > 0 THEN
		m := m || m[1 + floor(random() * cardinality(m))::int];
	END IF;
	RETURN '{' || coalesce((SELECT string_agg(x, ', ' ORDER BY random()) FROM unnest(m) AS x), '') || '}';
END $$;

CREATE TEMP TABLE claims_inputs (how text NOT NULL, claims text NOT NULL);
INSERT INTO claims_inputs
SELECT 'edited', pg_temp.edit('{"sub":"alice","scopes":["documents.read"],"role":"authenticated"}',
	E'{}[]":,. aelicsub0123\\')
FROM generate_series(1, 1500);
INSERT INTO claims_inputs SELECT 'random payload', pg_temp.rand_payload() FROM generate_series(1, 300);
INSERT INTO claims_inputs
SELECT 'random string', pg_temp.rand_string(E'{}[]":,. aelicsub0123\\\u00e9', floor(random() * 60)::int)
FROM generate_series(1, 500);
INSERT INTO claims_inputs SELECT 'composed', pg_temp.rand_claims() FROM generate_series(1, 1500);

-- The oracle: what claims must give by the rules, worked out with
-- PostgreSQL's json and jsonb and no rbac code but the scopeset
-- constructor.  The rules: the claims are at most 262,144 bytes of JSON
-- whose root is an object, containers nest at most 32 deep, there are at
-- most 10,000 values (member names not counted), and no object repeats a
-- name; "sub" is a non-empty string; "scopes", if present, is an array of
-- scope names, else "scope", if present, is a string of them between
-- blanks; "exp", if present, is a finite number of seconds still ahead
-- (the principal ends there); and a scope name is segments of [A-Za-z0-9_-] or a lone "*",
-- joined by "." or ":", at most 32 of them and 255 bytes.  The answer is
-- "principal <sub> bounds <scopes, or none>" or "no principal"; why names
-- the rule that decided.  (Numbers beyond numeric's range, which jsonb
-- refuses, are not generated.)
CREATE FUNCTION pg_temp.claims_oracle(claims text, OUT answer text, OUT why text) LANGUAGE plpgsql AS $$
DECLARE
	j jsonb;
	shape record;
	names text[];
BEGIN
	answer := 'no principal';
	IF octet_length(claims) > 262144 THEN
		why := 'over 262,144 bytes';
		RETURN;
	END IF;
	BEGIN
		j := claims::jsonb;
	EXCEPTION WHEN OTHERS THEN
		why := 'not JSON';
		RETURN;
	END;
	IF jsonb_typeof(j) <> 'object' THEN
		why := 'not an object';
		RETURN;
	END IF;
	-- Every value, read as json, which keeps repeated names: how deep the
	-- containers nest, how many values there are, whether a name repeats.
	WITH RECURSIVE v(value, depth) AS (
		SELECT claims::json, 1
		UNION ALL
		SELECT c.value, v.depth + 1
		FROM v, LATERAL (
			SELECT e.value FROM json_each(CASE WHEN json_typeof(v.value) = 'object' THEN v.value ELSE '{}' END) AS e
			UNION ALL
			SELECT a.value FROM json_array_elements(CASE WHEN json_typeof(v.value) = 'array' THEN v.value ELSE '[]' END)
				AS a(value)
		) AS c
	)
	SELECT count(*) AS n,
		max(v.depth) FILTER (WHERE json_typeof(v.value) IN ('object', 'array')) AS depth,
		bool_or(json_typeof(v.value) = 'object' AND
			(SELECT count(*) <> count(DISTINCT k) FROM json_object_keys(v.value) AS k)) AS repeats
	INTO shape FROM v;
	why := CASE WHEN shape.depth > 32 THEN 'deeper than 32'
		WHEN shape.n > 10000 THEN 'over 10,000 values'
		WHEN shape.repeats THEN 'a repeated name'
		WHEN jsonb_typeof(j -> 'sub') IS DISTINCT FROM 'string' OR j ->> 'sub' = '' THEN 'no sub'
		WHEN j ? 'exp' AND NOT coalesce(pg_temp.seconds(j -> 'exp') > extract(epoch FROM clock_timestamp()), false)
			THEN 'expired, or an exp that is no number of seconds' END;
	IF why IS NOT NULL THEN
		RETURN;
	END IF;
	IF j ? 'scopes' THEN
		IF jsonb_typeof(j -> 'scopes') <> 'array' OR EXISTS (
			SELECT FROM jsonb_array_elements(j -> 'scopes') AS e WHERE jsonb_typeof(e) <> 'string') THEN
			why := 'scopes not an array of strings';
			RETURN;
		END IF;
		SELECT coalesce(array_agg(e), '{}') INTO names FROM jsonb_array_elements_text(j -> 'scopes') AS e;
	ELSIF j ? 'scope' THEN
		IF jsonb_typeof(j -> 'scope') <> 'string' THEN
			why := 'scope not a string';
			RETURN;
		END IF;
		SELECT coalesce(array_agg(t), '{}') INTO names
		FROM regexp_split_to_table(j ->> 'scope', '[ \t\r\n]+') AS t WHERE t <> '';
	ELSE
		answer := 'principal ' || (j ->> 'sub') || ' bounds none';
		why := 'unbounded';
		RETURN;
	END IF;
	IF EXISTS (SELECT FROM unnest(names) AS n
			   WHERE octet_length(n) > 255 OR n !~ '^([A-Za-z0-9_-]+|\*)([.:]([A-Za-z0-9_-]+|\*)){0,31}$') THEN
		why := 'a name that is no scope';
		RETURN;
	END IF;
	answer := 'principal ' || (j ->> 'sub') || ' bounds ' || rbac.scopeset(names)::text;
	why := 'bounded';
END $$;

-- A signed token adds its own rules: at most 16,384 characters, "exp" and
-- "nbf" numbers of seconds (finite as double precision) that put now inside
-- them, and no tab in "sub".
CREATE FUNCTION pg_temp.seconds(v jsonb) RETURNS float8 LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	RETURN CASE WHEN jsonb_typeof(v) = 'number' THEN (v #>> '{}')::float8 END;
EXCEPTION WHEN numeric_value_out_of_range THEN
	RETURN NULL;
END $$;

CREATE FUNCTION pg_temp.token_oracle(claims text, token text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	answer text := (pg_temp.claims_oracle(claims)).answer;
	j jsonb;
	now_s float8 := extract(epoch FROM clock_timestamp());
BEGIN
	IF length(token) > 16384 OR answer = 'no principal' THEN
		RETURN 'no principal';
	END IF;
	j := claims::jsonb;
	IF (j ? 'exp' AND NOT coalesce(pg_temp.seconds(j -> 'exp') >= now_s, false))
		OR (j ? 'nbf' AND NOT coalesce(pg_temp.seconds(j -> 'nbf') <= now_s, false))
		OR strpos(j ->> 'sub', E'\t') > 0 THEN
		RETURN 'no principal';
	END IF;
	RETURN answer;
END $$;

-- rbac's answers, in the oracle's words.  A separate statement reads the
-- principal and bounds, as a request's next statement would.
CREATE FUNCTION pg_temp.claims_answer(claims text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	p text;
	b text;
BEGIN
	PERFORM set_config('request.jwt.claims', claims, true);
	EXECUTE 'SELECT rbac.current_principal(), rbac.context_bounds()::text' INTO p, b;
	IF p IS NULL AND b = '{}' THEN
		RETURN 'no principal';
	END IF;
	RETURN 'principal ' || coalesce(p, '(none)') || ' bounds ' || coalesce(b, 'none');
EXCEPTION WHEN OTHERS THEN
	RETURN 'error ' || SQLSTATE;
END $$;

CREATE FUNCTION pg_temp.token_answer(token text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	p text;
	b text;
BEGIN
	p := rbac.authenticate_jwt(token);
	EXECUTE 'SELECT rbac.context_bounds()::text' INTO b;
	RETURN 'principal ' || p || ' bounds ' || coalesce(b, 'none');
EXCEPTION WHEN invalid_authorization_specification THEN
	RETURN 'no principal';
WHEN OTHERS THEN
	RETURN 'error ' || SQLSTATE;
END $$;

-- Claims signed HS256 by the secret, in SQL.
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE FUNCTION pg_temp.hs256(claims text) RETURNS text LANGUAGE sql STABLE AS $$
	SELECT t.input || '.' || pg_temp.b64url(hmac(convert_to(t.input, 'UTF8'), convert_to(k.value, 'UTF8'), 'sha256'))
	FROM (SELECT pg_temp.b64url(convert_to('{"alg":"HS256","typ":"JWT"}', 'UTF8')) || '.' ||
		pg_temp.b64url(convert_to(claims, 'UTF8')) AS input) AS t, public.jwt_keys AS k
	WHERE k.name = 'secret'
$$;

-- The first few disagreements, for the failure message.
CREATE FUNCTION pg_temp.disagreements(outcomes regclass) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r text;
BEGIN
	EXECUTE format($q$SELECT string_agg(format('%%s => %%s, oracle %%s', left(claims, 160), answer, oracle), E'\n')
		FROM (SELECT * FROM %s WHERE answer IS DISTINCT FROM oracle LIMIT 5) AS d$q$, outcomes) INTO r;
	RETURN r;
END $$;

SELECT is(array_agg((pg_temp.claims_oracle(c)).answer ORDER BY i), ARRAY[
		'principal alice bounds {documents.read}', 'principal carol bounds {}',
		'principal carol bounds {documents.read,runs.start}', 'principal carol bounds none',
		'no principal', 'no principal', 'no principal', 'no principal', 'no principal'],
	'control: the oracle answers hand-worked claims as the rules say')
FROM unnest(ARRAY['{"sub":"alice","scopes":["documents.read"]}',
	'{"sub":"carol","scopes":[],"scopes[0]":"tenant.delete"}',
	'{"sub":"carol","scope":"documents.read \t runs.start"}', '{"sub":"carol","scopes[0]":"tenant.delete"}',
	'{"sub":"carol","scopes":{"0":"tenant.delete"}}', '{"sub":"carol","x":{"a":1,"a":2}}',
	'{"sub":"carol","x":' || repeat('[', 32) || repeat(']', 32) || '}', '{"sub":"carol","scopes":["a..b"]}',
	'{"sub":"carol","x":[' || repeat('1,', 9997) || '1]}']) WITH ORDINALITY AS t(c, i);

SELECT cmp_ok(count(*), '>=', 3800::bigint, 'at least 3,800 random claims are tried') FROM claims_inputs;

-- As tokens, with no audience or issuer to require.
SELECT set_config('rbac.jwt_audience', '', true), set_config('rbac.jwt_issuer', '', true), rbac.set_principal(NULL)
\g /dev/null

SELECT is(pg_temp.token_answer(pg_temp.hs256('{"sub":"alice","scopes":["documents.read"]}')),
	'principal alice bounds {documents.read}', 'control: a token of good claims signed in SQL gives its sub and scopes');

CREATE TEMP TABLE token_outcomes AS
SELECT i.how, i.claims, pg_temp.token_answer(t.token) AS answer, pg_temp.token_oracle(i.claims, t.token) AS oracle
FROM claims_inputs AS i, LATERAL (SELECT pg_temp.hs256(i.claims) AS token) AS t;

SELECT is(count(*), 0::bigint, 'no token of random claims raises anything but SQLSTATE 28000')
FROM token_outcomes WHERE answer LIKE 'error %';

SELECT is(pg_temp.disagreements('token_outcomes'), NULL,
	'every token of random claims gives the principal and bounds the oracle says, or is refused when it says none');

SELECT ok(count(*) FILTER (WHERE answer = 'no principal') >= 1000
		AND count(*) FILTER (WHERE answer LIKE 'principal % bounds {_%}') >= 100
		AND count(*) FILTER (WHERE answer LIKE 'principal % bounds none') >= 100,
	'the tokens include many refused, many bounded by their scopes and many unbounded')
FROM token_outcomes;

-- As request claims, which fail closed.
SELECT rbac.set_principal(NULL) \g /dev/null
SET LOCAL rbac.trust_request_jwt = on;

SELECT is(pg_temp.claims_answer('{"sub":"alice","scopes":["documents.read"]}'), 'principal alice bounds {documents.read}',
	'control: good claims give their sub and scopes');

CREATE TEMP TABLE claims_outcomes AS
SELECT i.how, i.claims, pg_temp.claims_answer(i.claims) AS answer, o.answer AS oracle, o.why
FROM claims_inputs AS i, LATERAL pg_temp.claims_oracle(i.claims) AS o;

SELECT is(count(*), 0::bigint, 'no random claims raise an error')
FROM claims_outcomes WHERE answer LIKE 'error %';

SELECT is(pg_temp.disagreements('claims_outcomes'), NULL,
	'all random claims give the principal and bounds the oracle says, or no principal when it says none');

SELECT ok(array_agg(DISTINCT why) @> ARRAY['not JSON', 'not an object', 'deeper than 32', 'over 10,000 values',
		'a repeated name', 'no sub', 'scopes not an array of strings', 'scope not a string',
		'a name that is no scope', 'unbounded', 'bounded'],
	'the random claims reach every rule of the oracle')
FROM claims_outcomes;

SELECT ok(count(*) FILTER (WHERE answer = 'no principal') >= 500
		AND count(*) FILTER (WHERE answer LIKE 'principal alice %') >= 300
		AND count(*) FILTER (WHERE answer LIKE 'principal % bounds {_%}') >= 100
		AND count(*) FILTER (WHERE answer <> 'no principal'
			AND claims ~ '"(scopes?|sub|keys)(\[[0-9]\]|\.[0-9a-z])') >= 50,
	'they include many that fail closed, many that name alice, many bounded by scopes, and many with path-like names')
FROM claims_outcomes;

SELECT * FROM finish();
ROLLBACK;
