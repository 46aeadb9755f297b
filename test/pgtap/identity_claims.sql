-- PostgREST and Supabase: with the superuser-only rbac.trust_request_jwt on,
-- rbac.current_principal() falls back to request.jwt.claims ->> 'sub' when
-- nothing else set a principal, and the claims' scopes narrow as a verified
-- token's do.  Off (the default), the claims are ignored, because any role
-- can set them.  A principal set explicitly wins; claims that change are
-- noticed by the next statement; malformed claims mean no principal; claims
-- are read by their JSON structure, so a member named "scopes[0]" is only a
-- name, within limits of depth, values and bytes; an ordinary role cannot
-- turn the trust on.
BEGIN;
SELECT plan(87);
SET LOCAL client_min_messages = warning;
SET LOCAL search_path = public, rbac;

-- ===================================================================
-- Helpers and the model
-- ===================================================================

-- Set the claims as PostgREST does: for the transaction.
CREATE FUNCTION pg_temp.claims(claims_json text) RETURNS void LANGUAGE sql AS $$
	SELECT FROM set_config('request.jwt.claims', claims_json, true);
$$;

-- The workspace scopes of the catalog that has_scope() says yes to.
CREATE FUNCTION pg_temp.granted(workspace text) RETURNS rbac.scopeset LANGUAGE sql STABLE AS $$
	SELECT rbac.scopeset(coalesce(array_agg(s.name) FILTER (WHERE rbac.has_scope(s.name, workspace)), '{}'))
	FROM rbac.scopes AS s JOIN rbac.levels AS l ON l.name = s.level
	WHERE l.node_kind = 'workspace' AND NOT s.retired;
$$;

CREATE FUNCTION pg_temp.role_scopes(role text) RETURNS rbac.scopeset LANGUAGE sql STABLE AS $$
	SELECT r.scopes FROM rbac.roles AS r WHERE r.key = role AND r.builtin;
$$;

-- After valid claims for alice, these claims: who is the principal then,
-- and does a check say yes?  "control failed" if alice was not seen first.
CREATE FUNCTION pg_temp.after_claims(claims_json text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	p text;
	yes boolean;
BEGIN
	PERFORM set_config('request.jwt.claims', '{"sub": "alice"}', true);
	SELECT rbac.current_principal() INTO p;
	IF p IS DISTINCT FROM 'alice' THEN
		RETURN 'control failed';
	END IF;
	PERFORM set_config('request.jwt.claims', claims_json, true);
	SELECT rbac.current_principal(), rbac.has_scope('documents.read', 'w1') INTO p, yes;
	RETURN coalesce(p, 'nobody') || ', ' || yes;
END $$;

-- w1 is olive's; alice is a Member and bob a Viewer there.
DO $$
BEGIN
	PERFORM rbac.create_workspace('w1', 'Workspace 1', 'olive');
	PERFORM rbac.grant('alice', 'member', 'w1');
	PERFORM rbac.grant('bob', 'viewer', 'w1');
END $$;

CREATE ROLE rbac_test_claims_plain NOLOGIN;

-- ===================================================================
-- Off, the default: the claims are ignored
-- ===================================================================

SELECT is(current_setting('rbac.trust_request_jwt'), 'off', 'rbac.trust_request_jwt is off by default');
SELECT pg_temp.claims('{"sub": "alice", "role": "authenticated"}');
SELECT is(rbac.current_principal(), NULL, 'with it off, claims for alice do not make alice the principal');
SELECT is(rbac.has_scope('documents.read', 'w1'), false, 'and no check says yes');

SET LOCAL ROLE rbac_test_claims_plain;
SELECT lives_ok($$ SELECT set_config('request.jwt.claims', '{"sub": "olive"}', true) $$,
	'an ordinary role can set request.jwt.claims to anything');
SELECT is(rbac.current_principal(), NULL, 'which is why, with the trust off, claims for olive are ignored');
SELECT is(rbac.has_scope('tenant.delete', 'w1'), false, 'and the ordinary role holds none of olive''s reach');
SELECT throws_ok(v.sql, '42501', NULL, 'an ordinary role cannot turn the trust on: ' || btrim(v.sql))
FROM unnest(ARRAY[
	'SET rbac.trust_request_jwt = on',
	'SET LOCAL rbac.trust_request_jwt = on',
	$$ SELECT set_config('rbac.trust_request_jwt', 'on', false) $$,
	$$ SELECT set_config('rbac.trust_request_jwt', 'on', true) $$,
	'ALTER ROLE rbac_test_claims_plain SET rbac.trust_request_jwt = on',
	'RESET rbac.trust_request_jwt'
]) AS v(sql);
SELECT is(current_setting('rbac.trust_request_jwt'), 'off', 'and it is still off');
SELECT is(rbac.current_principal(), NULL, 'so the claims still make no principal');
RESET ROLE;

-- ===================================================================
-- On: the claims are the principal, and their scopes narrow
-- ===================================================================

SET LOCAL rbac.trust_request_jwt = on;
SELECT pg_temp.claims('{"sub": "alice", "role": "authenticated"}');
SELECT is(rbac.current_principal(), 'alice', 'with the trust on, claims for alice make alice the principal');
SELECT is(pg_temp.granted('w1'), pg_temp.role_scopes('member'), 'claims without scopes: her reach is her Member grant');

SELECT pg_temp.claims('{"sub": "alice", "scopes": ["documents.read", "members.invite"]}');
SELECT is(pg_temp.granted('w1'), '{documents.read}'::rbac.scopeset,
	'a scopes array narrows: grants ∩ claimed scopes');
SELECT is(rbac.has_scope('members.invite', 'w1'), false, 'a claimed scope without a grant gives nothing');
SELECT is(rbac.actor_reach('w1'), '{documents.read}'::rbac.scopeset, 'administration sees the same narrowed reach');

SELECT pg_temp.claims('{"sub": "alice", "scope": "documents.read runs.start tenant.delete"}');
SELECT is(pg_temp.granted('w1'), '{documents.read,runs.start}'::rbac.scopeset, 'so does an OAuth scope string');

SELECT pg_temp.claims('{"sub": "alice", "scopes": []}');
SELECT is(rbac.current_principal(), 'alice', 'claims with scopes [] still name alice');
SELECT is(pg_temp.granted('w1'), '{}'::rbac.scopeset, 'but narrow her to nothing');

SELECT pg_temp.claims('{"sub": "idp_user", "scopes": ["documents.read", "members.invite"]}');
SELECT is(pg_temp.granted('w1'), '{}'::rbac.scopeset, 'claims for a principal with no grant reach nothing');
SET LOCAL rbac.jwt_scopes = 'authoritative';
SELECT is(pg_temp.granted('w1'), '{documents.read,members.invite}'::rbac.scopeset,
	'with rbac.jwt_scopes = authoritative, the claimed scopes are the whole reach (and the switch is noticed)');
SELECT pg_temp.claims('{"sub": "alice"}');
SELECT is(pg_temp.granted('w1'), '{}'::rbac.scopeset, 'authoritative claims without scopes reach nothing');
SET LOCAL rbac.jwt_scopes = 'narrow';
SELECT is(pg_temp.granted('w1'), pg_temp.role_scopes('member'), 'back to narrow, the grants count again');

-- ===================================================================
-- A principal set explicitly wins
-- ===================================================================

SELECT pg_temp.claims('{"sub": "alice", "scopes": ["documents.read"]}');
SELECT is(rbac.set_principal('bob'), 'bob', 'with claims for alice, bob is set explicitly');
SELECT is(rbac.current_principal(), 'bob', 'the explicit principal wins');
SELECT is(pg_temp.granted('w1'), pg_temp.role_scopes('viewer'),
	'with all of a Viewer''s reach: the claims'' scopes do not narrow him');
SELECT pg_temp.claims('{"sub": "olive"}');
SELECT is(rbac.current_principal(), 'bob', 'and new claims do not displace him');
SELECT is(rbac.set_principal(NULL), NULL, 'clearing the explicit principal');
SELECT is(rbac.current_principal(), 'olive', 'falls back to the claims');

CREATE TEMP TABLE vectors AS SELECT v.token FROM public.jwt_vectors AS v WHERE v.name = 'runs_only';
SELECT FROM public.jwt_keys AS k, set_config('rbac.jwt_secret', k.value, true) WHERE k.name = 'secret';
SELECT is(rbac.authenticate_jwt(v.token), 'alice', 'a verified token for alice, scopes ["runs.start"]')
FROM vectors AS v;
SELECT is(rbac.current_principal(), 'alice', 'wins over claims for olive');
SELECT is(pg_temp.granted('w1'), '{runs.start}'::rbac.scopeset, 'and its own scopes narrow, not the claims''');
SELECT is(rbac.set_principal(NULL), NULL, 'clearing it');
SELECT is(rbac.current_principal(), 'olive', 'falls back to the claims again');

-- ===================================================================
-- Claims that change are noticed by the next statement
-- ===================================================================

SELECT pg_temp.claims('{"sub": "alice"}');
SELECT is(rbac.current_principal(), 'alice', 'claims for alice: alice');
SELECT is(rbac.has_scope('chat.send', 'w1'), true, 'who may chat in w1');
SELECT pg_temp.claims('{"sub": "bob"}');
SELECT is(rbac.current_principal(), 'bob', 'the claims change to bob: the next statement acts for bob');
SELECT is(rbac.has_scope('chat.send', 'w1'), false, 'who may not chat');
SELECT pg_temp.claims('{"sub": "alice", "scopes": ["documents.read"]}');
SELECT is(rbac.has_scope('chat.send', 'w1'), false, 'back to alice, with scopes that leave chat.send out');
SELECT pg_temp.claims('{"sub": "alice", "scopes": ["documents.read", "chat.send"]}');
SELECT is(rbac.has_scope('chat.send', 'w1'), true, 'the same sub with wider scopes: noticed');

-- One call site, the claims changing between its calls.
CREATE FUNCTION pg_temp.chat_as(subs text[]) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	s text;
	r text := '';
BEGIN
	FOREACH s IN ARRAY subs LOOP
		PERFORM set_config('request.jwt.claims', jsonb_build_object('sub', s)::text, true);
		r := r || s || ':' || rbac.has_scope('chat.send', 'w1') || ' ';
	END LOOP;
	RETURN rtrim(r);
END $$;
SELECT is(pg_temp.chat_as('{alice,bob,alice,olive,bob}'), 'alice:true bob:false alice:true olive:true bob:false',
	'a call site that answered for one sub answers for the next');

-- ===================================================================
-- Malformed claims: no principal
-- ===================================================================

SELECT is(pg_temp.after_claims(v.claims), 'nobody, false', 'after alice, malformed claims mean no principal: ' || v.why)
FROM (VALUES
	('{"sub": "alice"', 'not JSON'),
	('[{"sub": "alice"}]', 'a JSON array'),
	('"alice"', 'a JSON string'),
	('{}', 'no sub'),
	('{"sub": ""}', 'sub ""'),
	('{"sub": 42}', 'sub a number'),
	('{"sub": null}', 'sub null'),
	('{"sub": ["alice"]}', 'sub an array'),
	('{"sub": "alice", "sub": "olive"}', 'sub twice'),
	('{"sub": "alice", "scopes": ["documents.read", 1]}', 'a number among the scopes'),
	('{"sub": "alice", "scopes": "documents.read"}', 'scopes a string'),
	('{"sub": "alice", "scopes": ["not a scope!"]}', 'a scope that is no scope name'),
	('{"sub": "alice", "scope": 42}', 'scope a number'),
	('', 'empty')
) AS v(claims, why);

-- ===================================================================
-- Claims are read by their JSON structure: a member name is only a name
-- ===================================================================

-- What claims give, seen by the next statement: "<principal> <bounds>",
-- "<principal> unbounded" when nothing bounds it, or "nobody".
CREATE FUNCTION pg_temp.claimed(claims_json text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	p text;
	b text;
BEGIN
	PERFORM set_config('request.jwt.claims', claims_json, true);
	EXECUTE 'SELECT rbac.current_principal(), rbac.context_bounds()::text' INTO p, b;
	RETURN coalesce(p || ' ' || coalesce(b, 'unbounded'), 'nobody');
END $$;

SELECT is(pg_temp.claimed(v.claims), v.expected, format('%s: %s', v.why, v.expected))
FROM (VALUES
	('{"sub": "carol", "scopes": [], "scopes[0]": "tenant.delete"}', 'carol {}',
		'a member named "scopes[0]" is not element 0 of scopes'),
	('{"sub": "carol", "scopes": ["documents.read"], "scopes[1]": "tenant.delete"}', 'carol {documents.read}',
		'nor is "scopes[1]" element 1'),
	('{"sub": "carol", "scopes": ["documents.read"], "scopes[0]": "tenant.delete"}', 'carol {documents.read}',
		'a member "scopes[0]" beside a real element 0 is no repeat of it'),
	('{"sub": "carol", "scopes[0]": "tenant.delete"}', 'carol unbounded',
		'a member "scopes[0]" with no scopes member gives no scopes'),
	('{"sub": "carol", "scopes": [], "scopes.0": "tenant.delete", "scopes.x": "tenant.delete"}', 'carol {}',
		'members "scopes.0" and "scopes.x" are not inside scopes'),
	('{"sub": "carol", "scope[0]": "tenant.delete", "scope.x": "tenant.delete"}', 'carol unbounded',
		'nor are "scope[0]" and "scope.x" a scope string'),
	('{"sub": "carol", "a": {"b": 1}, "a.b": 2, "c": [1], "c[0]": 2}', 'carol unbounded',
		'members "a.b" and "c[0]" beside an object a and an array c are no repeats'),
	('{"sub": "carol", "nested": {"sub": "olive", "scopes": ["tenant.delete"]}}', 'carol unbounded',
		'a nested object''s sub and scopes are not the claims'''),
	('{"nested": {"sub": "olive"}, "sub.x": "olive", "sub[0]": "olive"}', 'nobody',
		'claims with no sub of their own name nobody'),
	('{"s\u0075b": "carol", "sc\u006fpes": ["documents.read"]}', 'carol {documents.read}',
		'escaped member names are the names they spell'),
	('{"sub": "carol", "scopes": {"0": "tenant.delete"}}', 'nobody',
		'scopes an object with a member "0": no principal'),
	('{"sub": "carol", "scopes": [["tenant.delete"]]}', 'nobody', 'scopes holding an array: no principal'),
	('{"sub": "carol", "scopes": [{"0": "tenant.delete"}]}', 'nobody', 'scopes holding an object: no principal'),
	('{"sub": "carol", "x": {"a": 1, "a": 2}}', 'nobody', 'a name repeated in a nested object: no principal'),
	('{"sub": "carol", "x": ' || repeat('[', 31) || repeat(']', 31) || '}', 'carol unbounded',
		'containers 32 deep are read'),
	('{"sub": "carol", "x": ' || repeat('[', 32) || repeat(']', 32) || '}', 'nobody',
		'containers 33 deep are refused: no principal'),
	('{"sub": "carol", "x": [' || repeat('1,', 9996) || '1]}', 'carol unbounded',
		'10,000 values are read'),
	('{"sub": "carol", "x": [' || repeat('1,', 9997) || '1]}', 'nobody',
		'10,001 values are refused: no principal'),
	('{"sub": "carol", "x": "' || repeat('x', 262144 - 25) || '"}', 'carol unbounded',
		'claims of 262,144 bytes are read'),
	('{"sub": "carol", "x": "' || repeat('x', 262144 - 24) || '"}', 'nobody',
		'claims of 262,145 bytes are refused: no principal')
) AS v(claims, expected, why);

SELECT pg_temp.claims('{"sub": "alice", "scopes": [], "scopes[0]": "documents.read"}');
SELECT is(rbac.has_scope('documents.read', 'w1'), false,
	'a member "scopes[0]" does not give alice documents.read in a has_scope() check either');

SELECT pg_temp.claims('{"sub": "alice"}');
SELECT is(rbac.current_principal(), 'alice', 'claims for alice');
SELECT pg_temp.claims('{"sub": "alice", "sub": "olive"}');
SELECT is(rbac.current_principal(), NULL, 'then ambiguous claims: no principal, neither alice nor olive');
SELECT is(rbac.has_scope('documents.read', 'w1'), false, 'and every check says no');

-- ===================================================================
-- The same has_scope() policy, with the principal from the claims
-- ===================================================================

CREATE TABLE public.rbac_test_claims_docs (id int PRIMARY KEY, workspace_id text NOT NULL);
INSERT INTO public.rbac_test_claims_docs VALUES (1, 'w1'), (2, 'w1'), (3, 'w2');
ALTER TABLE public.rbac_test_claims_docs ENABLE ROW LEVEL SECURITY;
CREATE POLICY documents_read ON public.rbac_test_claims_docs FOR SELECT
	USING (rbac.has_scope('documents.read', workspace_id));
GRANT SELECT ON public.rbac_test_claims_docs TO rbac_test_claims_plain;
CREATE FUNCTION pg_temp.visible() RETURNS int[] LANGUAGE sql AS $$
	SELECT coalesce(array_agg(d.id ORDER BY d.id), '{}') FROM public.rbac_test_claims_docs AS d;
$$;

SET LOCAL ROLE rbac_test_claims_plain;
SELECT pg_temp.claims('{"sub": "alice", "role": "authenticated"}');
SELECT is(pg_temp.visible(), '{1,2}', 'PostgREST''s claims for alice: the policy shows the rows of w1');
SELECT pg_temp.claims('{"sub": "alice", "scopes": ["runs.start"]}');
SELECT is(pg_temp.visible(), '{}', 'claims whose scopes leave out documents.read: no row');
SELECT pg_temp.claims('{"sub": "carol"}');
SELECT is(pg_temp.visible(), '{}', 'claims for someone with no grant: no row');
SELECT pg_temp.claims('not json');
SELECT is(pg_temp.visible(), '{}', 'malformed claims: no row');
RESET ROLE;
SET LOCAL rbac.trust_request_jwt = off;
SET LOCAL ROLE rbac_test_claims_plain;
SELECT pg_temp.claims('{"sub": "alice"}');
SELECT is(pg_temp.visible(), '{}', 'with the trust off again, claims for alice show no row');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
