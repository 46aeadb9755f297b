-- Verified JWTs: rbac.authenticate_jwt(token, is_local).
--
-- The tokens are test/jwt/make-vectors' (public.jwt_vectors), signed just
-- before the run by the openssl command line with fresh keys
-- (public.jwt_keys).  Every algorithm is accepted with the right key; every
-- refused token fails with 28000 and a message naming the check, and sets
-- nothing (a "crit" header among them); member names that look like paths
-- ("scopes[0]", "keys[1].kid") are only names, in claims and in key sets,
-- and a malformed key set cannot be configured; the keys live in
-- superuser-only settings; leeway, audience and
-- issuer; token scopes narrow (reach = grants ∩ token scopes), or with
-- rbac.jwt_scopes = 'authoritative' are the whole reach; is_local scopes the
-- principal to the transaction or the session, seen from a second session
-- (dblink); and an unchanged has_scope() policy works for a token.
BEGIN;
SELECT plan(210);
\ir lib/helpers.sql
SET LOCAL client_min_messages = warning;
SET LOCAL search_path = public, rbac;

-- ===================================================================
-- Helpers and the model
-- ===================================================================

-- A vector's token, and a key; a misspelt name is an error, not a NULL.
CREATE FUNCTION pg_temp.token(vector text) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
	t text;
BEGIN
	SELECT v.token INTO STRICT t FROM public.jwt_vectors AS v WHERE v.name = vector;
	RETURN t;
END $$;

CREATE FUNCTION pg_temp.jwt_key(key text) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
	k text;
BEGIN
	SELECT j.value INTO STRICT k FROM public.jwt_keys AS j WHERE j.name = key;
	RETURN k;
END $$;

-- The payload of a vector, decoded by SQL alone.
CREATE FUNCTION pg_temp.claims_of(vector text) RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT convert_from(decode(rpad(p, (length(p) + 3) / 4 * 4, '='), 'base64'), 'UTF8')::jsonb
	FROM (SELECT translate(split_part(pg_temp.token(vector), '.', 2), '-_', '+/') AS p) AS s;
$$;

-- Configure the verification keys, by their names in jwt_keys (NULL: unset).
CREATE FUNCTION pg_temp.use_keys(secret text, public_keys text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	PERFORM set_config('rbac.jwt_secret', CASE WHEN secret IS NULL THEN '' ELSE pg_temp.jwt_key(secret) END, true);
	PERFORM set_config('rbac.jwt_public_keys',
		CASE WHEN public_keys IS NULL THEN '' ELSE pg_temp.jwt_key(public_keys) END, true);
END $$;

-- Authenticate with a vector under the keys configured now: what
-- authenticate_jwt returned, or "refused: <message>".
CREATE FUNCTION pg_temp.auth(vector text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	RETURN rbac.authenticate_jwt(pg_temp.token(vector));
EXCEPTION WHEN invalid_authorization_specification THEN
	RETURN 'refused: ' || SQLERRM;
END $$;

-- Authenticate with a vector under those keys, starting from no principal:
-- "<what authenticate_jwt returned> -> <the principal now>".
CREATE FUNCTION pg_temp.jwt_with(secret text, public_keys text, vector text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	r text;
BEGIN
	PERFORM pg_temp.use_keys(secret, public_keys);
	PERFORM rbac.set_principal(NULL);
	r := rbac.authenticate_jwt(pg_temp.token(vector));
	RETURN r || ' -> ' || coalesce(rbac.current_principal(), 'nobody');
END $$;

-- The same, as a test sees it: a refusal is a result, not an error.
CREATE FUNCTION pg_temp.accepted(secret text, public_keys text, vector text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	RETURN pg_temp.jwt_with(secret, public_keys, vector);
EXCEPTION WHEN invalid_authorization_specification THEN
	RETURN 'refused: ' || SQLERRM;
END $$;

-- The workspace scopes of the catalog that has_scope() says yes to.
CREATE FUNCTION pg_temp.granted(workspace text) RETURNS rbac.scopeset LANGUAGE sql STABLE AS $$
	SELECT rbac.scopeset(coalesce(array_agg(s.name) FILTER (WHERE rbac.has_scope(s.name, workspace)), '{}'))
	FROM rbac.scopes AS s JOIN rbac.levels AS l ON l.name = s.level
	WHERE l.node_kind = 'workspace' AND NOT s.retired;
$$;

-- What a statement raised: {sqlstate, message, detail, hint}, or NULL.
CREATE FUNCTION pg_temp.caught(sql text) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
	st text;
	m text;
	d text;
	h text;
BEGIN
	EXECUTE sql;
	RETURN NULL;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL,
		h = PG_EXCEPTION_HINT;
	RETURN ARRAY[st, m, d, h];
END $$;

-- w1 and w2 are olive's; alice is a Member of w1 only.
DO $$
BEGIN
	PERFORM rbac.create_workspace('w1', 'Workspace 1', 'olive');
	PERFORM rbac.create_workspace('w2', 'Workspace 2', 'olive');
	PERFORM rbac.grant('alice', 'member', 'w1');
END $$;

CREATE ROLE rbac_test_jwt_plain NOLOGIN;

SELECT cmp_ok(extract(epoch FROM now())::bigint - (pg_temp.claims_of('hs256') ->> 'iat')::bigint,
	'<', 900::bigint, 'the vectors are fresh: made in the last fifteen minutes (the time checks need it)');
SELECT is(pg_temp.claims_of('hs256') ->> 'sub', 'alice', 'the good tokens are for alice');

-- ===================================================================
-- Every algorithm is accepted with the right key
-- ===================================================================

SELECT is(pg_temp.accepted(v.secret, v.public_keys, v.vector), 'alice -> alice',
	format('%s is accepted with %s: authenticate_jwt returns sub and sets it', v.vector, v.keys))
FROM (VALUES
	('secret', NULL, 'hs256', 'the secret'),
	('secret', NULL, 'hs384', 'the secret'),
	('secret', NULL, 'hs512', 'the secret'),
	(NULL, 'rsa_public_pem', 'rs256', 'the RSA public key as PEM'),
	(NULL, 'rsa_public_pem', 'rs384', 'the RSA public key as PEM'),
	(NULL, 'rsa_public_pem', 'rs512', 'the RSA public key as PEM'),
	(NULL, 'jwks', 'rs256', 'a JWKS whose kid rsa1 is the RSA key'),
	(NULL, 'jwks', 'rs384', 'a JWKS whose kid rsa1 is the RSA key'),
	(NULL, 'jwks', 'rs512', 'a JWKS whose kid rsa1 is the RSA key'),
	(NULL, 'ec_public_pem', 'es256', 'the EC public key as PEM'),
	(NULL, 'ec_public_pem', 'es256_no_kid', 'the EC public key as PEM, and no kid'),
	(NULL, 'jwks', 'es256', 'a JWKS whose kid ec1 is the EC key'),
	(NULL, 'jwks_rs256_only', 'rs256', 'a JWKS that pins rsa1 to RS256'),
	('secret', 'jwks', 'hs256', 'both the secret and a JWKS configured'),
	('secret', 'jwks', 'es256', 'both the secret and a JWKS configured'),
	(NULL, 'rsa_wrong_public_pem', 'rs256_wrong_key', 'the key that signed it (control for the wrong-key case)')
) AS v(secret, public_keys, vector, keys);

-- ===================================================================
-- Refused tokens: 28000, a message naming the check, and nothing set
-- ===================================================================

SELECT pg_temp.use_keys('secret', 'jwks');
SET LOCAL rbac.jwt_audience = 'rbac-tests';
SET LOCAL rbac.jwt_issuer = 'https://issuer.rbac.test';
SELECT is(pg_temp.auth('hs256'), 'alice', 'control: hs256 passes the audience and issuer checks');
SELECT is(pg_temp.auth('aud_array'), 'alice', 'an aud array that contains the audience passes');

-- Before the refusals, olive is the plain principal.
SELECT is(rbac.set_principal('olive'), 'olive', 'olive is the principal before the refusals');

CREATE TEMP TABLE refused (vector text PRIMARY KEY, how text NOT NULL, outcome text NOT NULL);
INSERT INTO refused VALUES
	('tampered_payload_hs256', 'sub changed after signing', 'bad signature'),
	('tampered_payload_rs256', 'sub changed after signing', 'bad signature'),
	('tampered_payload_es256', 'sub changed after signing', 'bad signature'),
	('tampered_signature_hs256', 'a signature byte flipped', 'bad signature'),
	('tampered_signature_rs256', 'a signature byte flipped', 'bad signature'),
	('tampered_signature_es256', 'a signature byte flipped', 'bad signature'),
	('expired', 'exp two hours ago', 'expired'),
	('exp_in_leeway', 'exp twenty minutes ago, no leeway', 'expired'),
	('not_yet_valid', 'nbf in two hours', 'not yet valid'),
	('nbf_in_leeway', 'nbf in twenty minutes, no leeway', 'not yet valid'),
	('exp_not_number', 'exp a string', 'malformed claims'),
	('wrong_aud', 'aud other-api', 'wrong audience'),
	('no_aud', 'no aud while an audience is required', 'wrong audience'),
	('wrong_iss', 'iss https://evil.test', 'wrong issuer'),
	('alg_none', 'alg none, empty signature', 'unsigned token'),
	('alg_none_upper', 'alg NONE, empty signature', 'unsigned token'),
	('alg_none_hmac', 'alg none with an HMAC by the secret', 'unsigned token'),
	('alg_unsupported', 'alg PS256', 'unsupported algorithm'),
	('alg_missing', 'no alg', 'missing algorithm'),
	('crit_listed', 'crit ["exp"]: an extension rbac does not understand', 'unsupported critical header'),
	('crit_b64', 'crit ["b64"]', 'unsupported critical header'),
	('crit_empty', 'crit [], which RFC 7515 forbids', 'malformed token'),
	('crit_not_array', 'crit a string', 'malformed token'),
	('crit_number', 'crit [42]', 'malformed token'),
	('hs256_rsa_pem_secret', 'HS256 keyed with the RSA public key', 'bad signature'),
	('rs256_wrong_key', 'RS256 by another RSA key', 'bad signature'),
	('es256_unknown_kid', 'kid ec9', 'unknown key'),
	('es256_no_kid', 'no kid, two keys in the JWKS', 'unknown key'),
	('es256_kid_rsa1', 'ES256 naming the RSA key', 'algorithm does not match the key type'),
	('rs256_kid_ec1', 'RS256 naming the EC key', 'algorithm does not match the key type'),
	('es256_der_signature', 'ES256 signature in DER, not r||s', 'bad signature'),
	('truncated_two_parts', 'no signature part', 'malformed token'),
	('truncated_signature_hs256', 'signature cut short', 'bad signature'),
	('truncated_signature_rs256', 'signature cut short', 'bad signature'),
	('four_parts', 'a fourth part', 'malformed token'),
	('garbage', 'not a token', 'malformed token'),
	('garbage_three_parts', 'three parts of garbage, not canonical base64url', 'malformed base64url'),
	('respelt_signature_hs256', 'the signature''s unused bits changed', 'malformed base64url'),
	('kid_not_string', 'kid an object', 'malformed token'),
	('empty', 'the empty string', 'malformed token'),
	('malformed_base64url', 'a * in the payload', 'malformed base64url'),
	('base64_padded', 'base64 = padding', 'malformed base64url'),
	('header_not_json', 'header not JSON', 'malformed JSON'),
	('payload_not_json', 'payload not JSON', 'malformed JSON'),
	('payload_array', 'payload a JSON array', 'malformed JSON'),
	('duplicate_keys', 'sub twice in the payload', 'malformed JSON'),
	('header_duplicate_alg', 'alg twice in the header', 'malformed JSON'),
	('missing_sub', 'no sub', 'no subject'),
	('sub_empty', 'sub ""', 'no subject'),
	('sub_not_string', 'sub a number', 'no subject'),
	('sub_tab', 'sub with a tab', 'malformed claims'),
	('scopes_non_string', 'a number among the scopes', 'malformed claims'),
	('scopes_not_array', 'scopes a string', 'malformed claims'),
	('scopes_invalid_name', 'a scope that is no scope name', 'malformed claims'),
	('scopes_object', 'scopes an object {"0": ...}, not an array', 'malformed claims')
;
SELECT throws_ok(format('SELECT rbac.authenticate_jwt(%L)', pg_temp.token(v.vector)),
	'28000', 'invalid token: ' || v.outcome, format('%s (%s) is refused: %s', v.vector, v.how, v.outcome))
FROM refused AS v ORDER BY v.vector;

SELECT throws_ok(format('SELECT rbac.authenticate_jwt(%L)', pg_temp.token('hs256') || repeat('A', 16384)),
	'28000', 'invalid token: malformed token', 'a token over 16384 bytes is refused: malformed token');

SELECT is(rbac.current_principal(), 'olive', 'after every refusal, the principal is still olive');
SELECT is(current_setting('rbac.credential'), '', 'and still a plain principal, with no token credential');
SELECT is(pg_temp.granted('w1'), rbac.effective_scopes('olive', 'w1'),
	'and olive''s reach is all of her grants, narrowed by no token');

-- The detail says what exactly failed; no message shows a key.
SELECT is((pg_temp.caught(format('SELECT rbac.authenticate_jwt(%L)', pg_temp.token('es256_unknown_kid'))))[3],
	'No key in rbac.jwt_public_keys has kid "ec9".', 'the detail of an unknown kid names the kid');
SELECT is((pg_temp.caught(format('SELECT rbac.authenticate_jwt(%L)', pg_temp.token('crit_listed'))))[3],
	'The crit header makes "exp" critical, and rbac understands no header extension.',
	'the detail of a crit header names the extension');
SELECT is(count(*)::int, 0, 'no refusal''s message, detail or hint contains the secret or a public key')
FROM refused AS v,
	LATERAL pg_temp.caught(format('SELECT rbac.authenticate_jwt(%L)', pg_temp.token(v.vector))) AS e(err),
	public.jwt_keys AS k
WHERE k.name IN ('secret', 'rsa_public_pem', 'ec_public_pem', 'jwks')
  AND array_to_string(e.err, ' ') LIKE '%' || k.value || '%';
SELECT is(rbac.current_principal(), 'olive', 'and the principal is still olive');

RESET rbac.jwt_audience;
RESET rbac.jwt_issuer;

-- ===================================================================
-- Keys that do not fit the algorithm
-- ===================================================================

SELECT throws_ok(format('SELECT pg_temp.jwt_with(%L, %L, %L)', v.secret, v.public_keys, v.vector),
	'28000', 'invalid token: ' || v.outcome, format('%s with %s is refused: %s', v.vector, v.keys, v.outcome))
FROM (VALUES
	(NULL, 'rsa_public_pem', 'hs256_rsa_pem_secret', 'no key for the algorithm',
		'only the RSA key configured: an HS token is never checked against a public key'),
	('secret', 'rsa_public_pem', 'hs256_rsa_pem_secret', 'bad signature',
		'the secret and the RSA key'),
	('rsa_public_pem', 'rsa_public_pem', 'hs256_rsa_pem_secret', 'algorithm does not match the key type',
		'the RSA PEM misconfigured as the secret'),
	(NULL, NULL, 'hs256', 'no key for the algorithm', 'no keys at all'),
	('secret', NULL, 'rs256', 'no key for the algorithm', 'only the secret'),
	('secret', NULL, 'es256', 'no key for the algorithm', 'only the secret'),
	(NULL, 'ec_public_pem', 'rs256', 'algorithm does not match the key type', 'only the EC key'),
	(NULL, 'rsa_public_pem', 'es256', 'algorithm does not match the key type', 'only the RSA key'),
	(NULL, 'jwks_rs256_only', 'rs384', 'algorithm does not match the key type', 'rsa1 pinned to RS256'),
	(NULL, 'rsa_wrong_public_pem', 'rs256', 'bad signature', 'another RSA key'),
	(NULL, 'ec_public_pem', 'es256_der_signature', 'bad signature', 'the EC key as PEM')
) AS v(secret, public_keys, vector, outcome, keys);

-- ===================================================================
-- Key sets are read by their structure
-- ===================================================================

-- The RSA key (keys[1]) without its kid, and a top-level member named
-- "keys[1].kid": a name, not the kid of keys[1].
SELECT set_config('rbac.jwt_public_keys',
	((pg_temp.jwt_key('jwks')::jsonb #- '{keys,1,kid}') || '{"keys[1].kid": "rsa1"}')::text, true)
\g /dev/null
SELECT throws_ok(format('SELECT rbac.authenticate_jwt(%L)', pg_temp.token('rs256')), '28000',
	'invalid token: unknown key', 'a member named "keys[1].kid" gives keys[1] no kid: kid rsa1 is unknown');
SELECT is(pg_temp.auth('es256'), 'alice', 'control: the same key set still verifies with its EC key');

SELECT throws_ok(format('SET LOCAL rbac.jwt_public_keys = %L', v.jwks), '22023', NULL,
	'a superuser cannot set a key set that ' || v.how)
FROM (VALUES
	(replace(pg_temp.jwt_key('jwks'), '"kid":"rsa1"', '"kid":"rsa1","kid":"ec1"'), 'repeats a member name in a key'),
	(replace(pg_temp.jwt_key('jwks'), '"kid":"rsa1"', '"kid":1'), 'has a kid that is not a string'),
	(replace(pg_temp.jwt_key('jwks'), '"kty":"RSA"', '"kty":["RSA"]'), 'has a kty that is not a string'),
	(rtrim(pg_temp.jwt_key('jwks'), '}') || ',"keys":[]}', 'repeats "keys"'),
	(regexp_replace(pg_temp.jwt_key('jwks'), '\]\}$', ',42]}'), 'holds a key that is no object')
) AS v(jwks, how);

-- ===================================================================
-- The keys are superuser-only settings
-- ===================================================================

SELECT throws_ok($$ SET LOCAL rbac.jwt_public_keys = 'not a key' $$, '22023', NULL,
	'a superuser cannot set rbac.jwt_public_keys to something that is no key');
SELECT throws_ok($$ SET LOCAL rbac.jwt_public_keys = '{"keys": []}' $$, '22023', NULL,
	'nor to a JWKS with no keys');

SELECT pg_temp.use_keys('secret', 'jwks');
CREATE TEMP TABLE refusals (sql text PRIMARY KEY, err text[]);
GRANT ALL ON refusals TO rbac_test_jwt_plain;

SET LOCAL ROLE rbac_test_jwt_plain;
INSERT INTO refusals
SELECT s, pg_temp.caught(s)
FROM unnest(ARRAY[
	'SHOW rbac.jwt_secret',
	'SHOW rbac.jwt_public_keys',
	$$ SELECT current_setting('rbac.jwt_secret') $$,
	$$ SELECT current_setting('rbac.jwt_secret', true) $$,
	$$ SELECT current_setting('rbac.jwt_public_keys') $$,
	$$ SELECT current_setting('rbac.jwt_public_keys', true) $$,
	$$ SET rbac.jwt_secret = 'mine' $$,
	$$ SET LOCAL rbac.jwt_secret = 'mine' $$,
	$$ SELECT set_config('rbac.jwt_secret', 'mine', false) $$,
	$$ SELECT set_config('rbac.jwt_secret', 'mine', true) $$,
	$$ RESET rbac.jwt_secret $$,
	$$ SET rbac.jwt_public_keys = '' $$,
	$$ SELECT set_config('rbac.jwt_public_keys', '', true) $$,
	$$ SET rbac.jwt_scopes = 'authoritative' $$,
	$$ SET rbac.jwt_leeway = 3600 $$,
	$$ SET rbac.jwt_audience = '' $$,
	$$ SET rbac.jwt_issuer = '' $$,
	$$ ALTER ROLE rbac_test_jwt_plain SET rbac.jwt_secret = 'mine' $$
]) AS s;
SELECT is(rbac.authenticate_jwt(pg_temp.token('hs256')), 'alice',
	'an ordinary role can still authenticate with a token: the keys work without being read');
SELECT is(rbac.current_principal(), 'alice', 'and then acts for alice');
SELECT is((SELECT count(*)::int FROM pg_settings WHERE name IN ('rbac.jwt_secret', 'rbac.jwt_public_keys')), 0,
	'pg_settings shows an ordinary role neither key setting');
RESET ROLE;

SELECT is(r.err[1], '42501', format('an ordinary role is refused: %s', btrim(r.sql)))
FROM refusals AS r ORDER BY r.sql;
SELECT is(count(*)::int, 0, 'and no refusal shows the secret or the keys')
FROM refusals AS r, public.jwt_keys AS k
WHERE k.name IN ('secret', 'jwks') AND array_to_string(r.err, ' ') LIKE '%' || k.value || '%';
SELECT is(current_setting('rbac.jwt_secret'), pg_temp.jwt_key('secret'), 'the secret is unchanged');
SELECT is(current_setting('rbac.jwt_public_keys'), pg_temp.jwt_key('jwks'), 'the public keys are unchanged');
SELECT is(current_setting('rbac.jwt_scopes'), 'narrow', 'and so is rbac.jwt_scopes');
SELECT is((SELECT count(*)::int FROM pg_db_role_setting AS s JOIN pg_roles AS r ON r.oid = s.setrole
           WHERE r.rolname = 'rbac_test_jwt_plain'), 0, 'no per-role setting was stored');

-- ===================================================================
-- Leeway, audience and issuer
-- ===================================================================

SELECT pg_temp.use_keys('secret', NULL);
SET LOCAL rbac.jwt_leeway = '1h';
SELECT is(pg_temp.auth('exp_in_leeway'), 'alice', 'with an hour of leeway, a token expired twenty minutes ago passes');
SELECT is(pg_temp.auth('nbf_in_leeway'), 'alice', 'and so does one valid only in twenty minutes');
SELECT throws_ok(format('SELECT rbac.authenticate_jwt(%L)', pg_temp.token('expired')), '28000',
	'invalid token: expired', 'but not one expired two hours ago');
SELECT throws_ok(format('SELECT rbac.authenticate_jwt(%L)', pg_temp.token('not_yet_valid')), '28000',
	'invalid token: not yet valid', 'nor one valid only in two hours');
SET LOCAL rbac.jwt_leeway = 0;
SELECT throws_ok(format('SELECT rbac.authenticate_jwt(%L)', pg_temp.token('exp_in_leeway')), '28000',
	'invalid token: expired', 'with the leeway back to 0, the token expired twenty minutes ago is refused again');

-- With no audience or issuer set, neither is checked.
SELECT is(pg_temp.auth(v.vector), 'alice', format('with no audience or issuer set, %s passes', v.vector))
FROM unnest(ARRAY['wrong_aud', 'no_aud', 'wrong_iss']) AS v(vector);
SET LOCAL rbac.jwt_audience = 'other-api';
SELECT is(pg_temp.auth('wrong_aud'), 'alice', 'the audience is whatever rbac.jwt_audience names');
SELECT throws_ok(format('SELECT rbac.authenticate_jwt(%L)', pg_temp.token('hs256')), '28000',
	'invalid token: wrong audience', 'and then a token for rbac-tests is refused');
RESET rbac.jwt_audience;
SET LOCAL rbac.jwt_issuer = 'https://evil.test';
SELECT is(pg_temp.auth('wrong_iss'), 'alice', 'the issuer is whatever rbac.jwt_issuer names');
SELECT throws_ok(format('SELECT rbac.authenticate_jwt(%L)', pg_temp.token('hs256')), '28000',
	'invalid token: wrong issuer', 'and then a token from another issuer is refused');
RESET rbac.jwt_issuer;

-- ===================================================================
-- Token scopes narrow: reach = grants ∩ token scopes
-- ===================================================================

SELECT is(pg_temp.auth('hs256'), 'alice', 'alice authenticates with scopes documents.read, runs.start, members.invite');
SELECT is(pg_temp.granted('w1'), '{documents.read,runs.start}'::rbac.scopeset,
	'her reach in w1 is her Member grant ∩ the token''s scopes');
SELECT is(rbac.actor_reach('w1'), '{documents.read,runs.start}'::rbac.scopeset,
	'and actor_reach, which administration checks against, agrees');
SELECT is(rbac.has_scope('members.invite', 'w1'), false, 'a token scope she holds no grant for gives nothing');
SELECT is(rbac.has_scope('chat.send', 'w1'), false, 'a scope she holds but the token leaves out is not reached');
SELECT is(pg_temp.granted('w2'), '{}'::rbac.scopeset, 'and in w2, where she holds nothing, nothing');

SELECT is(pg_temp.auth('scope_string'), 'alice', 'alice authenticates with an OAuth scope string "documents.* runs.read"');
SELECT is(pg_temp.granted('w1'), '{documents.read,runs.read}'::rbac.scopeset,
	'the string narrows as an array would, patterns included');
SELECT is(pg_temp.auth('runs_only'), 'alice', 'alice authenticates with scopes ["runs.start"]');
SELECT is(pg_temp.granted('w1'), '{runs.start}'::rbac.scopeset, 'her reach is runs.start alone');
SELECT is(pg_temp.auth('scopes_empty'), 'alice', 'alice authenticates with scopes []');
SELECT is(pg_temp.granted('w1'), '{}'::rbac.scopeset, 'an empty scopes array narrows to nothing');
SELECT is(rbac.actor_reach('w1'), '{}'::rbac.scopeset, 'for administration too');

SELECT is(pg_temp.auth('no_scopes'), 'alice', 'alice authenticates with a token that carries no scopes');
SELECT is(pg_temp.granted('w1'), rbac.effective_scopes('alice', 'w1'), 'then her reach is all her grants');
SELECT is(pg_temp.granted('w1'), (SELECT r.scopes FROM rbac.roles AS r WHERE r.key = 'member'),
	'which are a Member''s scopes');

SELECT is(pg_temp.auth('idp_user'), 'idp_user', 'idp_user, who holds no grant, authenticates');
SELECT is(pg_temp.granted('w1'), '{}'::rbac.scopeset, 'with narrowing scopes, a principal without grants reaches nothing');

-- Member names that look like paths are names: only the scopes member
-- itself narrows.
CREATE FUNCTION pg_temp.auth_bounds(vector text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	p text;
	b text;
BEGIN
	p := rbac.authenticate_jwt(pg_temp.token(vector));
	EXECUTE 'SELECT rbac.context_bounds()::text' INTO b;
	RETURN p || ' ' || coalesce(b, 'unbounded');
EXCEPTION WHEN invalid_authorization_specification THEN
	RETURN 'refused: ' || SQLERRM;
END $$;
SELECT is(pg_temp.auth_bounds(v.vector), v.expected, format('%s (%s): %s', v.vector, v.how, v.expected))
FROM (VALUES
	('scopes_index_key', 'scopes [] beside a member "scopes[0]"', 'alice {}'),
	('scopes_next_index_key', 'scopes ["runs.start"] beside a member "scopes[1]"', 'alice {runs.start}'),
	('scopes_dotted_keys', 'scopes [] beside members "scopes.0" and "scopes.x"', 'alice {}'),
	('path_named_members', 'members "x.y" and "z[0]" beside x and z', 'alice {runs.start}'),
	('nested_claims', 'a nested object with its own sub and scopes', 'alice {runs.start}')
) AS v(vector, how, expected);
SELECT is(pg_temp.granted('w1'), '{runs.start}'::rbac.scopeset,
	'and the nested scopes do not reach: alice''s reach is her grants ∩ runs.start');

-- Authoritative: the identity provider holds the roles.
SET LOCAL rbac.jwt_scopes = 'authoritative';
SELECT is(pg_temp.auth('idp_user'), 'idp_user', 'with rbac.jwt_scopes = authoritative, idp_user authenticates');
SELECT is(pg_temp.granted('w1'), '{documents.read,members.invite}'::rbac.scopeset,
	'the token''s scopes are her whole reach in w1');
SELECT is(pg_temp.granted('w2'), '{documents.read,members.invite}'::rbac.scopeset, 'and in w2');
SELECT is(pg_temp.auth('hs256'), 'alice', 'alice authenticates authoritatively');
SELECT is(pg_temp.granted('w1'), '{documents.read,members.invite,runs.start}'::rbac.scopeset,
	'her reach is the token''s scopes: members.invite without a grant, no chat.send despite one');
SELECT is(pg_temp.auth('scopes_empty'), 'alice', 'an authoritative token with scopes []');
SELECT is(pg_temp.granted('w1'), '{}'::rbac.scopeset, 'reaches nothing');
SELECT is(pg_temp.auth('no_scopes'), 'alice', 'an authoritative token with no scopes at all');
SELECT is(pg_temp.granted('w1'), '{}'::rbac.scopeset, 'reaches nothing either: the grants do not count');
SET LOCAL rbac.jwt_scopes = 'narrow';

-- ===================================================================
-- is_local: the transaction or the session, seen from a second session
-- ===================================================================

CREATE EXTENSION IF NOT EXISTS dblink;
CREATE FUNCTION pg_temp.remote(sql text) RETURNS text LANGUAGE sql AS $$
	SELECT r FROM dblink('jwt_session', sql) AS t(r text);
$$;
SELECT is(dblink_connect('jwt_session',
	format('dbname=%s user=%s port=%s host=%s', current_database(), current_user, current_setting('port'),
	       coalesce(nullif(split_part(current_setting('unix_socket_directories'), ',', 1), ''), 'localhost'))),
	'OK', 'a second session connects');
SELECT is(dblink_exec('jwt_session', format('SET rbac.jwt_secret = %L', pg_temp.jwt_key('secret'))), 'SET',
	'and configures the secret');

SELECT is(pg_temp.remote(format('SELECT rbac.authenticate_jwt(%L)', pg_temp.token('hs256'))), 'alice',
	'there, a statement authenticates alice with is_local defaulting to true');
SELECT is(pg_temp.remote('SELECT rbac.current_principal()'), NULL,
	'and the next transaction has no principal: is_local => true lasts for the transaction');
SELECT is(pg_temp.remote(format('SELECT rbac.authenticate_jwt(%L, false)', pg_temp.token('runs_only'))), 'alice',
	'a statement authenticates alice with is_local => false');
SELECT is(pg_temp.remote('SELECT rbac.current_principal()'), 'alice',
	'and the next transaction still acts for alice: is_local => false lasts for the session');
SELECT is(pg_temp.remote($$ SELECT rbac.context_bounds('w1')::text $$), '{runs.start}',
	'and so do the token''s scopes');

SELECT is(dblink_exec('jwt_session', 'BEGIN'), 'BEGIN', 'the second session begins a transaction');
SELECT is(pg_temp.remote(format('SELECT rbac.authenticate_jwt(%L)', pg_temp.token('idp_user'))), 'idp_user',
	'authenticates idp_user for it');
SELECT is(pg_temp.remote('SELECT rbac.current_principal()'), 'idp_user', 'which acts for idp_user');
SELECT is(dblink_exec('jwt_session', 'COMMIT'), 'COMMIT', 'commits');
SELECT is(pg_temp.remote('SELECT rbac.current_principal()'), 'alice',
	'and then acts for the session''s alice again');

SELECT is(dblink_exec('jwt_session', 'BEGIN'), 'BEGIN', 'in another transaction');
SELECT is(pg_temp.remote(format('SELECT rbac.authenticate_jwt(%L, false)', pg_temp.token('idp_user'))), 'idp_user',
	'the second session authenticates idp_user for the session');
SELECT is(dblink_exec('jwt_session', 'ROLLBACK'), 'ROLLBACK', 'and rolls back');
SELECT is(pg_temp.remote('SELECT rbac.current_principal()'), 'alice',
	'a session authentication in a rolled-back transaction is undone');
SELECT is(dblink_disconnect('jwt_session'), 'OK', 'the second session disconnects');

-- ===================================================================
-- The same has_scope() policy, with the principal from a token
-- ===================================================================

CREATE TABLE public.rbac_test_jwt_docs (id int PRIMARY KEY, workspace_id text NOT NULL);
INSERT INTO public.rbac_test_jwt_docs VALUES (1, 'w1'), (2, 'w1'), (3, 'w2');
ALTER TABLE public.rbac_test_jwt_docs ENABLE ROW LEVEL SECURITY;
CREATE POLICY documents_read ON public.rbac_test_jwt_docs FOR SELECT
	USING (rbac.has_scope('documents.read', workspace_id));
GRANT SELECT ON public.rbac_test_jwt_docs TO rbac_test_jwt_plain;

CREATE FUNCTION pg_temp.visible() RETURNS int[] LANGUAGE sql AS $$
	SELECT coalesce(array_agg(d.id ORDER BY d.id), '{}') FROM public.rbac_test_jwt_docs AS d;
$$;

SELECT pg_temp.use_keys('secret', NULL);
SELECT is(rbac.set_principal('alice'), 'alice', 'control: alice set as a plain principal');
SET LOCAL ROLE rbac_test_jwt_plain;
SELECT is(pg_temp.visible(), '{1,2}', 'reads the rows of w1 through the policy');
SELECT is(rbac.authenticate_jwt(pg_temp.token('hs256')), 'alice', 'the ordinary role authenticates alice with a token');
SELECT is(pg_temp.visible(), '{1,2}', 'the same policy then shows the same rows of w1');
SELECT is(rbac.authenticate_jwt(pg_temp.token('runs_only')), 'alice', 'a token whose scopes leave out documents.read');
SELECT is(pg_temp.visible(), '{}', 'shows no row');
SELECT is(rbac.authenticate_jwt(pg_temp.token('idp_user')), 'idp_user', 'a token for a principal with no grant');
SELECT is(pg_temp.visible(), '{}', 'shows no row');
SELECT throws_ok(format('SELECT rbac.authenticate_jwt(%L)', pg_temp.token('tampered_payload_hs256')), '28000',
	'invalid token: bad signature', 'a tampered token for olive is refused');
SELECT is(pg_temp.visible(), '{}', 'and shows olive''s rows no more than before');
RESET ROLE;
SET LOCAL rbac.jwt_scopes = 'authoritative';
SET LOCAL ROLE rbac_test_jwt_plain;
SELECT is(rbac.authenticate_jwt(pg_temp.token('idp_user')), 'idp_user', 'an authoritative token for that principal');
SELECT is(pg_temp.visible(), '{1,2,3}', 'shows every row: its documents.read is its reach everywhere');
RESET ROLE;

-- Time is real: a principal from a token ends at its exp, even one set for
-- the session, and even in the middle of a statement, whichever check
-- answers: on a workspace, through a resource grant, or on an organization.
SET LOCAL rbac.jwt_scopes = 'narrow';
SELECT FROM rbac.set_principal(NULL);
DO $$
BEGIN
	PERFORM rbac.grant('alice', 'membership_contributor', 'w1', 'project', 'p1');
	PERFORM rbac.create_organization('o1', 'Organization 1', 'olive');
	PERFORM rbac.grant_org_role('o1', 'alice', 'org_member');
END $$;
SELECT FROM pg_temp.use_keys('secret', NULL);
SELECT is(rbac.authenticate_jwt(pg_temp.hs256(format('{"sub":"alice","exp":%s}',
		ceil(extract(epoch FROM clock_timestamp()))::bigint + 2), pg_temp.jwt_key('secret')), false),
	'alice', 'a token that expires in two seconds authenticates alice for the session');
-- documents.edit on p1 comes from her resource grant alone, not her Member role.
CREATE TEMP TABLE seen AS
SELECT i, rbac.has_scope('documents.read', 'w1') AS on_workspace,
       rbac.has_scope('documents.edit', 'w1', 'project', 'p1') AS on_resource,
       rbac.has_org_scope('org.read', 'o1') AS on_organization
FROM generate_series(1, 40) AS i, LATERAL (SELECT pg_sleep(0.1 + 0 * i)) AS s;
SELECT is(array_agg(DISTINCT v.holds ORDER BY v.holds DESC), ARRAY[true, false],
	format('one statement that outlives it: %s says yes while it is in force, then no', v.what))
FROM seen, LATERAL (VALUES (1, 'has_scope on the workspace', seen.on_workspace),
                           (2, 'has_scope through a resource grant', seen.on_resource),
                           (3, 'has_org_scope', seen.on_organization)) AS v(n, what, holds)
GROUP BY v.n, v.what
ORDER BY v.n;
SELECT is(rbac.current_principal(), NULL, 'after its exp the session''s principal has ended');
SELECT throws_ok('SELECT rbac.actor()', '28000', NULL,
	'and administration refuses to act for it, never falling back to the operator');

SELECT * FROM finish();
ROLLBACK;
