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
-- key's secret.  Random request.jwt.claims never raise: they give no
-- principal, or the sub of a JSON object that has one.
BEGIN;
SELECT setseed(0.2718);
SELECT plan(16);
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
-- Request claims, which fail closed
-- ===================================================================

SELECT rbac.set_principal(NULL) \g /dev/null
SET LOCAL rbac.trust_request_jwt = on;

CREATE TEMP TABLE claims_inputs (claims text NOT NULL);
INSERT INTO claims_inputs
SELECT pg_temp.edit('{"sub":"alice","scopes":["documents.read"],"role":"authenticated"}',
	E'{}[]":,. aelicsub0123\\')
FROM generate_series(1, 1500);
INSERT INTO claims_inputs SELECT pg_temp.rand_payload() FROM generate_series(1, 300);
INSERT INTO claims_inputs
SELECT pg_temp.rand_string(E'{}[]":,. aelicsub0123\\\u00e9', floor(random() * 60)::int)
FROM generate_series(1, 500);

-- The principal the claims give, or the SQLSTATE of an error.  A separate
-- statement reads them, as a request's next statement would.
CREATE FUNCTION pg_temp.claims_principal(claims text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	p text;
BEGIN
	PERFORM set_config('request.jwt.claims', claims, true);
	EXECUTE 'SELECT rbac.current_principal()' INTO p;
	RETURN coalesce('principal ' || p, 'no principal');
EXCEPTION WHEN OTHERS THEN
	RETURN 'error ' || SQLSTATE;
END $$;

-- Does the text parse as JSON, and what is its sub?
CREATE FUNCTION pg_temp.json_sub(claims text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	RETURN claims::json ->> 'sub';
EXCEPTION WHEN OTHERS THEN
	RETURN NULL;
END $$;

CREATE TEMP TABLE claims_outcomes AS
SELECT claims, pg_temp.claims_principal(claims) AS r, pg_temp.json_sub(claims) AS sub FROM claims_inputs;

SELECT is(pg_temp.claims_principal('{"sub":"alice","scopes":["documents.read"]}'), 'principal alice',
	'control: good claims give their sub');

SELECT is(count(*), 0::bigint, 'no random claims raise an error')
FROM claims_outcomes WHERE r LIKE 'error %';

SELECT is(count(*), 0::bigint, 'random claims give no principal, or the sub of the JSON they are')
FROM claims_outcomes WHERE r <> 'no principal' AND r IS DISTINCT FROM 'principal ' || sub;

SELECT ok(count(*) FILTER (WHERE r = 'no principal') >= 500 AND count(*) FILTER (WHERE r = 'principal alice') >= 100,
	'the random claims include many that fail closed and many that still name alice')
FROM claims_outcomes;

SELECT * FROM finish();
ROLLBACK;
