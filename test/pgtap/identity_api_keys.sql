-- API keys (seed 001): restricted to a subset of their creator's reach.
--
-- create_api_key returns the key once, as rbac_<prefix>_<secret>; only the
-- prefix and a SHA-256 are stored, and the key appears in no table, audit
-- row or error message.  A restriction must lie inside the creator's reach
-- (42501 naming the extra scopes); no restriction is the creator's full
-- reach in that workspace only.  At check time a key reaches the creator's
-- current reach ∩ its restriction: it shrinks at once when the creator is
-- demoted and is empty once the creator leaves.  Expiry and revocation take
-- effect at the next statement; api_keys_of shows no secret, and only one's
-- own keys without api_keys.manage; random and truncated keys fail with 28000.
BEGIN;
SELECT plan(115);
SET LOCAL client_min_messages = warning;
SET LOCAL search_path = public, rbac;

-- ===================================================================
-- Helpers and the model
-- ===================================================================

CREATE TEMP TABLE keys (name text PRIMARY KEY, key text NOT NULL);

-- A key by its name here, its secret part and its id; a misspelt name is an error.
CREATE FUNCTION pg_temp.k(name text) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
	r text;
BEGIN
	SELECT x.key INTO STRICT r FROM keys AS x WHERE x.name = k.name;
	RETURN r;
END $$;
CREATE FUNCTION pg_temp.secret(name text) RETURNS text LANGUAGE sql STABLE AS $$
	SELECT substr(pg_temp.k(name), 19);
$$;
CREATE FUNCTION pg_temp.key_id(name text) RETURNS bigint LANGUAGE sql STABLE AS $$
	SELECT a.id FROM rbac.api_keys AS a WHERE a.prefix = substr(pg_temp.k(name), 6, 12);
$$;

-- Run sql as principal p (NULL: the platform operator) and return its
-- one value; the caller's principal and credential are as before after it.
CREATE FUNCTION pg_temp.acting(p text, sql text) RETURNS text LANGUAGE plpgsql
	SET rbac.principal = '' SET rbac.credential = '' AS $$
DECLARE
	r text;
BEGIN
	PERFORM set_config('rbac.principal', coalesce(p, ''), true);
	EXECUTE sql INTO r;
	RETURN r;
END $$;

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

-- The workspace scopes of the catalog that has_scope() says yes to.
CREATE FUNCTION pg_temp.granted(workspace text) RETURNS rbac.scopeset LANGUAGE sql STABLE AS $$
	SELECT rbac.scopeset(coalesce(array_agg(s.name) FILTER (WHERE rbac.has_scope(s.name, workspace)), '{}'))
	FROM rbac.scopes AS s JOIN rbac.levels AS l ON l.name = s.level
	WHERE l.node_kind = 'workspace' AND NOT s.retired;
$$;

CREATE FUNCTION pg_temp.role_scopes(role text) RETURNS rbac.scopeset LANGUAGE sql STABLE AS $$
	SELECT r.scopes FROM rbac.roles AS r WHERE r.key = role AND r.builtin;
$$;

-- Authenticate with a key that may create keys, create one with no
-- restriction, authenticate with that and return its reach in w1; NULL if
-- the creation was refused.
CREATE FUNCTION pg_temp.minted_reach() RETURNS rbac.scopeset LANGUAGE plpgsql AS $$
DECLARE
	child text;
BEGIN
	BEGIN
		child := rbac.create_api_key('w1', label => 'minted');
	EXCEPTION WHEN insufficient_privilege THEN
		RETURN NULL;
	END;
	PERFORM rbac.authenticate_api_key(child);
	RETURN rbac.actor_reach('w1');
END $$;

-- w1 and w2 are olive's.  In w1: ana is an Admin; alice, bob and dave are
-- Members; carol is the Billing Manager.  alice is a Member of w2 too, and
-- the Organization Owner of o1.
DO $$
BEGIN
	PERFORM rbac.create_workspace('w1', 'Workspace 1', 'olive');
	PERFORM rbac.create_workspace('w2', 'Workspace 2', 'olive');
	PERFORM rbac.grant('ana', 'admin', 'w1');
	PERFORM rbac.grant('alice', 'member', 'w1');
	PERFORM rbac.grant('alice', 'member', 'w2');
	PERFORM rbac.grant('bob', 'member', 'w1');
	PERFORM rbac.grant('carol', 'billing_manager', 'w1');
	PERFORM rbac.grant('dave', 'member', 'w1');
	PERFORM rbac.create_organization('o1', 'Organization 1', 'alice');
END $$;

-- ===================================================================
-- Creating a key: returned once, only its prefix and SHA-256 kept
-- ===================================================================

SELECT is(rbac.set_principal('alice'), 'alice', 'alice, a Member of w1, creates keys there');
INSERT INTO keys VALUES
	('full', rbac.create_api_key('w1', label => 'ci')),
	('docs', rbac.create_api_key('w1', '{documents.read,chat.send,runs.start}', 'docs bot')),
	('expiring', rbac.create_api_key('w1', NULL, 'expiring', now() + interval '1 hour')),
	('revocable', rbac.create_api_key('w1', NULL, 'revocable')),
	('keymaker', rbac.create_api_key('w1', '{api_keys.create,documents.read}', 'key maker'));

SELECT matches(x.key, '^rbac_[0-9a-f]{12}_[0-9a-f]{64}$',
	format('the %s key comes back as rbac_<12 hex digits>_<64 hex digits>', x.name))
FROM keys AS x ORDER BY x.name;
SELECT is(count(DISTINCT substr(x.key, 6, 12))::int, 5, 'each key has its own prefix') FROM keys AS x;
SELECT is(count(DISTINCT pg_temp.secret(x.name))::int, 5, 'and its own secret') FROM keys AS x;
SELECT is(count(*)::int, 5, 'each key is stored under its prefix, for alice in w1, with its label')
FROM rbac.api_keys AS a JOIN keys AS x ON a.prefix = substr(x.key, 6, 12)
WHERE a.creator = 'alice' AND a.workspace_id = 'w1' AND a.label IS NOT NULL;
SELECT is(count(*)::int, 5, 'what is stored of the key is its SHA-256')
FROM rbac.api_keys AS a JOIN keys AS x ON a.prefix = substr(x.key, 6, 12)
WHERE a.secret_hash = sha256(convert_to(x.key, 'UTF8'));
SELECT is(count(*)::int, 0, 'no key or secret appears anywhere in rbac.api_keys')
FROM rbac.api_keys AS a, keys AS x
WHERE a::text LIKE '%' || pg_temp.secret(x.name) || '%' OR a::text LIKE '%' || x.key || '%';
SELECT is((SELECT a.restriction FROM rbac.api_keys AS a WHERE a.id = pg_temp.key_id('docs')),
	'{chat.send,documents.read,runs.start}'::rbac.scopeset, 'a restriction is stored as given');
SELECT is(count(*)::int, 5, 'each creation wrote one api_key.create audit row, by alice, naming the prefix')
FROM rbac.audit_log AS l JOIN keys AS x ON l.after ->> 'prefix' = substr(x.key, 6, 12)
WHERE l.action = 'api_key.create' AND l.actor = 'alice' AND l.workspace_id = 'w1';

-- ===================================================================
-- Refused creations
-- ===================================================================

SELECT throws_ok($$ SELECT rbac.create_api_key('w1', '{documents.read,members.invite,tenant.delete}') $$,
	'42501', 'permission denied to create an API key with that restriction',
	'alice cannot create a key whose restriction is wider than her reach');
CREATE TEMP TABLE too_wide AS
SELECT pg_temp.caught($$ SELECT rbac.create_api_key('w1', '{documents.read,members.invite,tenant.delete}') $$) AS err;
SELECT matches((SELECT err[3] FROM too_wide), '\{members\.invite,tenant\.delete\}',
	'the refusal names the extra scopes');
SELECT unalike((SELECT err[3] FROM too_wide), '%documents.read%', 'and not the ones she holds');
SELECT throws_ok($$ SELECT rbac.create_api_key('w1', NULL, NULL, now() - interval '1 minute') $$,
	'22023', NULL, 'a key cannot expire in the past');
SELECT throws_ok($$ SELECT rbac.create_api_key('w9') $$, '42501', NULL,
	'a key needs a workspace where its creator holds api_keys.create; an unknown one is refused as another''s is');
SELECT is(rbac.set_principal('carol'), 'carol', 'carol, the Billing Manager');
SELECT throws_ok($$ SELECT rbac.create_api_key('w1') $$, '42501', NULL,
	'cannot create a key: she lacks api_keys.create');
SELECT is(rbac.set_principal(NULL), NULL, 'with no principal');
SELECT throws_ok($$ SELECT rbac.create_api_key('w1') $$, '42501',
	'permission denied to create an API key without a principal', 'even a superuser creates no key: a key needs a creator');
SELECT is((SELECT count(*)::int FROM rbac.api_keys), 5, 'no refused creation left a key behind');

-- ===================================================================
-- Authenticating: the creator, bounded by the key's workspace and restriction
-- ===================================================================

SELECT is(rbac.authenticate_api_key(pg_temp.k('full')), 'alice', 'authenticate_api_key returns the key''s creator');
SELECT is(rbac.current_principal(), 'alice', 'and sets the principal to her');
SELECT is(pg_temp.granted('w1'), pg_temp.role_scopes('member'),
	'a key with no restriction reaches all its creator reaches in its workspace');
SELECT is(rbac.effective_scopes('alice', 'w2'), pg_temp.role_scopes('member'), 'alice is a Member of w2 too');
SELECT is(pg_temp.granted('w2'), '{}'::rbac.scopeset, 'but her w1 key reaches nothing in w2');
SELECT throws_ok($$ SELECT rbac.create_api_key('w2') $$, '42501', NULL,
	'and cannot create a key for w2');
SELECT is(pg_temp.acting('alice', $$ SELECT rbac.has_org_scope('org.members.manage', 'o1')::text $$), 'true',
	'acting as herself, alice manages the members of o1');
SELECT is(rbac.has_org_scope('org.members.manage', 'o1'), false,
	'but her key reaches no organization: has_org_scope says no');

SELECT is(rbac.authenticate_api_key(pg_temp.k('docs')), 'alice', 'alice''s docs key');
SELECT is(pg_temp.granted('w1'), '{chat.send,documents.read,runs.start}'::rbac.scopeset,
	'reaches her grants ∩ its restriction');
SELECT is(rbac.actor_reach('w1'), '{chat.send,documents.read,runs.start}'::rbac.scopeset,
	'and so does administration acting through it');
SELECT throws_ok($$ SELECT rbac.create_api_key('w1') $$, '42501', NULL,
	'a key restricted without api_keys.create cannot create keys');

-- A key cannot mint a key that reaches further than itself.
SELECT is(rbac.authenticate_api_key(pg_temp.k('keymaker')), 'alice', 'a key restricted to api_keys.create and documents.read');
SELECT ok(coalesce(pg_temp.minted_reach() OPERATOR(rbac.<@) '{api_keys.create,documents.read}', true),
	'cannot mint a key that reaches further than its own restriction');
SELECT is(rbac.set_principal(NULL), NULL, 'no principal');
SELECT FROM public.jwt_keys AS j, set_config('rbac.jwt_secret', j.value, true) WHERE j.name = 'secret';
SELECT is(rbac.authenticate_jwt(v.token), 'alice', 'a token for alice with scopes api_keys.create and documents.read')
FROM public.jwt_vectors AS v WHERE v.name = 'key_maker';
SELECT ok(coalesce(pg_temp.minted_reach() OPERATOR(rbac.<@) '{api_keys.create,documents.read}', true),
	'cannot mint a key that reaches further than the token''s scopes');
SELECT throws_ok($$ SELECT rbac.create_organization('o-from-token', 'From a token') $$, '42501', NULL,
	'nor create an organization, whose Owner would reach past the token''s scopes');
SELECT is(rbac.authenticate_api_key(pg_temp.k('keymaker')), 'alice', 'the key again');
SELECT throws_ok($$ SELECT rbac.create_organization('o-from-key', 'From a key') $$, '42501', NULL,
	'a key cannot create an organization either');
SELECT ok(NOT EXISTS (SELECT 1 FROM rbac.organizations AS o WHERE o.id IN ('o-from-token', 'o-from-key')),
	'and neither organization exists');

-- ===================================================================
-- The creator's current reach: demotion and leaving, at the next statement
-- ===================================================================

SELECT is(rbac.set_principal('dave'), 'dave', 'dave, a Member of w1');
INSERT INTO keys VALUES ('dave', rbac.create_api_key('w1', '{documents.read,chat.send}', 'dave''s'));
SELECT is(rbac.authenticate_api_key(pg_temp.k('dave')), 'dave', 'authenticates with his key');
SELECT is(pg_temp.granted('w1'), '{chat.send,documents.read}'::rbac.scopeset, 'which reaches its restriction');
SELECT is(pg_temp.acting('olive', $$ SELECT 'demoted' FROM rbac.set_role('w1', 'dave', 'viewer') $$), 'demoted',
	'olive demotes dave to Viewer');
SELECT is(rbac.current_principal(), 'dave', 'the key still acts for dave');
SELECT is(pg_temp.granted('w1'), '{documents.read}'::rbac.scopeset,
	'and at the next statement reaches only what a Viewer holds of its restriction');
SELECT is(pg_temp.acting('dave', $$ SELECT 'left' FROM rbac.leave_workspace('w1') $$), 'left', 'dave leaves w1');
SELECT is(pg_temp.granted('w1'), '{}'::rbac.scopeset, 'his key reaches nothing at the next statement');
SELECT is(rbac.actor_reach('w1'), '{}'::rbac.scopeset, 'for administration either');

-- ===================================================================
-- Expiry
-- ===================================================================

SELECT is(rbac.authenticate_api_key(pg_temp.k('expiring')), 'alice', 'a key that expires in an hour authenticates');
SELECT is(rbac.has_scope('documents.read', 'w1'), true, 'and reaches documents.read');
UPDATE rbac.api_keys SET expires_at = now() - interval '1 minute' WHERE id = pg_temp.key_id('expiring');
SELECT is(rbac.has_scope('documents.read', 'w1'), false, 'once it has expired, the next statement reaches nothing');
SELECT is(pg_temp.granted('w1'), '{}'::rbac.scopeset, 'nothing at all');
SELECT throws_ok(format('SELECT rbac.authenticate_api_key(%L)', pg_temp.k('expiring')), '28000',
	'invalid API key: expired', 'and it no longer authenticates');

-- Expiry is against the clock, not the statement's start: a key that
-- expires in the middle of a statement stops there, and listings and
-- administration stop with it.
INSERT INTO keys VALUES ('brief', pg_temp.acting('alice',
	$$ SELECT rbac.create_api_key('w1', NULL, 'brief', clock_timestamp() + interval '2 seconds') $$));
SELECT is(rbac.authenticate_api_key(pg_temp.k('brief')), 'alice', 'a key that expires in two seconds authenticates');
SELECT ok('w1' = ANY (rbac.accessible_workspaces('documents.read')), 'and lists w1');
SELECT is(array_agg(DISTINCT a ORDER BY a DESC), ARRAY[true, false],
	'one statement that outlives it: has_scope says yes while it is in force, then no')
FROM (SELECT rbac.has_scope('documents.read', 'w1') AS a
      FROM generate_series(1, 40) AS i, LATERAL (SELECT pg_sleep(0.1 + 0 * i)) AS s) AS x;
SELECT is(rbac.accessible_workspaces('documents.read'), '{}'::text[], 'after it, the listing lists nothing');
SELECT ok(NOT rbac.has_scope_everywhere('documents.read', 'w1', 'project'), 'nor holds anything everywhere');
SELECT is(rbac.actor_reach('w1'), '{}'::rbac.scopeset, 'and administration reaches nothing');

-- ===================================================================
-- Revocation
-- ===================================================================

SELECT is(rbac.authenticate_api_key(pg_temp.k('revocable')), 'alice', 'a key authenticates');
SELECT is(rbac.has_scope('documents.read', 'w1'), true, 'and reaches documents.read');
SELECT is(pg_temp.acting('alice', format('SELECT rbac.revoke_api_key(%s)::text', pg_temp.key_id('revocable'))), 'true',
	'its creator revokes it');
SELECT is(rbac.has_scope('documents.read', 'w1'), false, 'the next statement through it reaches nothing');
SELECT is(pg_temp.granted('w1'), '{}'::rbac.scopeset, 'nothing at all');
SELECT throws_ok(format('SELECT rbac.authenticate_api_key(%L)', pg_temp.k('revocable')), '28000',
	'invalid API key: revoked', 'and it no longer authenticates');
SELECT is(pg_temp.acting('alice', format('SELECT rbac.revoke_api_key(%s)::text', pg_temp.key_id('revocable'))), 'false',
	'revoking it again changes nothing');

SELECT throws_ok(format('SELECT pg_temp.acting(%L, %L)', 'bob', format('SELECT rbac.revoke_api_key(%s)::text', pg_temp.key_id('docs'))),
	'42501', NULL, 'bob, a Member without api_keys.manage, cannot revoke alice''s key');
SELECT is(rbac.authenticate_api_key(pg_temp.k('docs')), 'alice', 'which still authenticates');
SELECT is(pg_temp.acting('ana', format('SELECT rbac.revoke_api_key(%s)::text', pg_temp.key_id('docs'))), 'true',
	'ana, an Admin with api_keys.manage, revokes it');
SELECT is(rbac.has_scope('documents.read', 'w1'), false, 'and at once it reaches nothing');
SELECT throws_ok(format('SELECT rbac.authenticate_api_key(%L)', pg_temp.k('docs')), '28000',
	'invalid API key: revoked', 'nor authenticates');

SELECT is(rbac.set_principal('bob'), 'bob', 'bob');
INSERT INTO keys VALUES ('bob', rbac.create_api_key('w1', label => 'bob''s'));
SELECT is(rbac.revoke_api_key(pg_temp.key_id('bob')), true, 'revokes his own key, without api_keys.manage');
SELECT throws_ok($$ SELECT rbac.revoke_api_key(-1) $$, '42501', NULL,
	'a key that does not exist cannot be revoked, and is refused as another''s key would be');

-- A key whose row is gone (its workspace was deleted, or it was removed by
-- hand) is in force nowhere, and its context names no workspace at all.
INSERT INTO keys VALUES ('gone', rbac.create_api_key('w1', label => 'to be removed'));
SELECT is(rbac.authenticate_api_key(pg_temp.k('gone')), 'bob', 'bob authenticates with another key of his');
SELECT is(rbac.current_context() ->> 'key_workspace', 'w1', 'whose context names its workspace, w1');
DELETE FROM rbac.api_keys WHERE id = pg_temp.key_id('gone');
SELECT is(rbac.current_context() -> 'key_workspace', '""'::jsonb,
	'once its row is gone, the context names no workspace: "", not null, which would be every workspace');
SELECT is(rbac.has_scope('documents.read', 'w1'), false, 'and it reaches nothing');
SELECT is(rbac.current_principal(), NULL, 'nor acts for bob');

SELECT is(count(*)::int, 3, 'each revocation wrote one api_key.revoke audit row naming the prefix')
FROM rbac.audit_log AS l JOIN keys AS x ON l.before ->> 'prefix' = substr(x.key, 6, 12)
WHERE l.action = 'api_key.revoke' AND l.workspace_id = 'w1';
SELECT is(array_agg(l.actor || ':' || x.name ORDER BY l.id), '{alice:revocable,ana:docs,bob:bob}',
	'by who revoked it')
FROM rbac.audit_log AS l JOIN keys AS x ON l.before ->> 'prefix' = substr(x.key, 6, 12)
WHERE l.action = 'api_key.revoke';

-- ===================================================================
-- api_keys_of: no secrets; one's own keys, or all with api_keys.manage
-- ===================================================================

CREATE TEMP TABLE listed AS
SELECT p AS who, pg_temp.acting(p, $$ SELECT coalesce(string_agg(k::text, E'\n' ORDER BY k.id), '') FROM rbac.api_keys_of('w1') AS k $$) AS rows,
	pg_temp.acting(p, $$ SELECT string_agg(DISTINCT k.creator, ',') FROM rbac.api_keys_of('w1') AS k $$) AS creators,
	pg_temp.acting(p, $$ SELECT count(*)::text FROM rbac.api_keys_of('w1') $$)::int AS n
FROM unnest(ARRAY['alice', 'bob', 'ana', 'olive']) AS p;

SELECT is((SELECT creators FROM listed WHERE who = 'alice'), 'alice', 'alice, without api_keys.manage, sees only her keys');
SELECT is((SELECT n FROM listed WHERE who = 'alice'),
	(SELECT count(*)::int FROM rbac.api_keys WHERE workspace_id = 'w1' AND creator = 'alice'), 'all of them');
SELECT is((SELECT creators FROM listed WHERE who = 'bob'), 'bob', 'bob sees only his');
SELECT is((SELECT n FROM listed WHERE who = 'ana'), (SELECT count(*)::int FROM rbac.api_keys WHERE workspace_id = 'w1'),
	'ana, with api_keys.manage, sees every key of w1');
SELECT is((SELECT creators FROM listed WHERE who = 'ana'), 'alice,bob,dave', 'of every creator');
SELECT is((SELECT n FROM listed WHERE who = 'olive'), (SELECT count(*)::int FROM rbac.api_keys WHERE workspace_id = 'w1'),
	'and so does olive, the Owner');
SELECT is(count(*)::int, 0, 'no listing shows a key, a secret or a key''s hash')
FROM listed AS l, keys AS x, rbac.api_keys AS a
WHERE a.prefix = substr(x.key, 6, 12)
  AND (l.rows LIKE '%' || pg_temp.secret(x.name) || '%' OR l.rows LIKE '%' || encode(a.secret_hash, 'hex') || '%');
SELECT is(pg_temp.acting('alice', format('SELECT k.status FROM rbac.api_keys_of(%L) AS k WHERE k.id = %s', 'w1',
		pg_temp.key_id(v.name))), v.status, format('api_keys_of shows the %s key as %s', v.name, v.status))
FROM (VALUES ('full', 'active'), ('expiring', 'expired'), ('revocable', 'revoked')) AS v(name, status);

-- ===================================================================
-- Wrong, random and truncated keys: 28000, and no secret in any message
-- ===================================================================

SELECT is(rbac.set_principal('olive'), 'olive', 'olive is the principal before the refusals');
CREATE TEMP TABLE attempts (what text PRIMARY KEY, key text NOT NULL, outcome text NOT NULL);
INSERT INTO attempts VALUES
	('a random key', 'rbac_' || substr(md5(random()::text), 1, 12) || '_' || md5(random()::text) || md5(random()::text), 'unknown key'),
	('a real prefix with a random secret', substr(pg_temp.k('full'), 1, 18) || md5(random()::text) || md5(random()::text), 'wrong secret'),
	('a real prefix with another key''s secret', substr(pg_temp.k('full'), 1, 18) || pg_temp.secret('keymaker'), 'wrong secret'),
	('a key cut short by one digit', left(pg_temp.k('full'), -1), 'malformed'),
	('a key cut in half', left(pg_temp.k('full'), 41), 'malformed'),
	('a key with a digit too many', pg_temp.k('full') || '0', 'malformed'),
	('a key in upper case', 'rbac_' || upper(substr(pg_temp.k('full'), 6)), 'malformed'),
	('a key with RBAC_', 'RBAC_' || substr(pg_temp.k('full'), 6), 'malformed'),
	('the secret alone', pg_temp.secret('full'), 'malformed'),
	('the empty string', '', 'malformed'),
	('a revoked key', pg_temp.k('revocable'), 'revoked'),
	('an expired key', pg_temp.k('expiring'), 'expired');

SELECT throws_ok(format('SELECT rbac.authenticate_api_key(%L)', a.key), '28000', 'invalid API key: ' || a.outcome,
	format('%s is refused: %s', a.what, a.outcome))
FROM attempts AS a ORDER BY a.what;
SELECT is(rbac.current_principal(), 'olive', 'after every refusal, the principal is still olive');
SELECT is(rbac.has_scope('tenant.delete', 'w1'), true, 'with all her reach, bounded by no key');

CREATE TEMP TABLE refusals AS
SELECT a.what, pg_temp.caught(format('SELECT rbac.authenticate_api_key(%L)', a.key)) AS err FROM attempts AS a
UNION ALL
SELECT 'a restriction too wide', (SELECT err FROM too_wide)
UNION ALL
SELECT 'bob revoking alice''s key', pg_temp.caught(format('SELECT pg_temp.acting(%L, %L)', 'bob',
	format('SELECT rbac.revoke_api_key(%s)::text', pg_temp.key_id('full'))));
SELECT is(count(*)::int, 14, 'every refusal raised an error') FROM refusals AS r WHERE r.err IS NOT NULL;
SELECT is(count(*)::int, 0, 'no message, detail or hint of any refusal shows a key''s secret')
FROM refusals AS r, keys AS x
WHERE array_to_string(r.err, ' ') LIKE '%' || pg_temp.secret(x.name) || '%';
SELECT is(count(*)::int, 0, 'nor the secret that was tried')
FROM refusals AS r JOIN attempts AS a USING (what)
WHERE length(a.key) > 18 AND array_to_string(r.err, ' ') LIKE '%' || substr(a.key, 19) || '%';
SELECT is(count(*)::int, 0, 'and no audit row shows a key or its secret')
FROM rbac.audit_log AS l, keys AS x
WHERE l::text LIKE '%' || pg_temp.secret(x.name) || '%';

SELECT * FROM finish();
ROLLBACK;
