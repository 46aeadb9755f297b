-- Who may say who the principal is, and who may touch the model.  An
-- ordinary role cannot become someone else: not by SET, set_config, ALTER
-- ROLE ... SET or a function's SET clause, not before the library is loaded,
-- and not through rbac.set_principal, which only superusers and members of
-- rbac_authenticator may call.  A principal for the whole session, however
-- it is set, is rbac_authenticator's alone, and no one's while
-- rbac.trust_request_jwt is on.  PUBLIC can read the catalog and the roles
-- but not the grants, and can write nothing; the administrative functions
-- are rbac_admin's.  A rolled-back savepoint restores the principal.
BEGIN;
SELECT plan(108);
SET LOCAL client_min_messages = error;

CREATE ROLE rbac_test_plain NOLOGIN;
CREATE ROLE rbac_test_auth NOLOGIN IN ROLE rbac_authenticator;
CREATE ROLE rbac_test_group NOLOGIN IN ROLE rbac_authenticator;
CREATE ROLE rbac_test_nested NOLOGIN IN ROLE rbac_test_group;
CREATE ROLE rbac_test_admin NOLOGIN IN ROLE rbac_admin;

-- ===================================================================
-- Before anything has loaded the extension's library in this session
-- ===================================================================

-- Until the library is loaded, rbac.principal is an unknown setting that
-- anyone may set as a placeholder.  The value must be thrown away when the
-- library defines the real, superuser-only, setting.  (If the library is
-- already loaded the set fails, which is as good.)
SET LOCAL ROLE rbac_test_plain;
DO $$
BEGIN
	PERFORM set_config('rbac.principal', 'alice', false);
EXCEPTION WHEN insufficient_privilege THEN
	NULL;
END $$;
SELECT is(rbac.current_principal(), NULL,
	'a placeholder rbac.principal set by an ordinary role before the library loads is not the principal');
SELECT is(current_setting('rbac.principal', true), '',
	'and the setting itself is back to empty');
RESET ROLE;

SET LOCAL search_path = rbac, public;

-- ===================================================================
-- An ordinary role cannot impersonate
-- ===================================================================

DO $$
BEGIN
	PERFORM rbac.create_workspace('w1', 'Workspace 1', 'olive');
	PERFORM rbac.grant('alice', 'member', 'w1');
END $$;

SET LOCAL ROLE rbac_test_plain;
SELECT throws_ok(v.sql, '42501', NULL, v.description)
FROM (VALUES
	($$ SET rbac.principal = 'alice' $$, 'an ordinary role cannot SET rbac.principal'),
	($$ SET LOCAL rbac.principal = 'alice' $$, 'an ordinary role cannot SET LOCAL rbac.principal'),
	($$ SELECT set_config('rbac.principal', 'alice', false) $$,
		'an ordinary role cannot set_config rbac.principal for the session'),
	($$ SELECT set_config('rbac.principal', 'alice', true) $$,
		'an ordinary role cannot set_config rbac.principal for the transaction'),
	($$ ALTER ROLE rbac_test_plain SET rbac.principal = 'alice' $$,
		'an ordinary role cannot ALTER ROLE itself SET rbac.principal'),
	($$ CREATE FUNCTION pg_temp.become_alice() RETURNS text LANGUAGE sql
	    SET rbac.principal = 'alice' AS 'SELECT rbac.current_principal()' $$,
		'an ordinary role cannot make a function that sets rbac.principal'),
	($$ SELECT rbac.set_principal('alice') $$,
		'an ordinary role cannot call rbac.set_principal'),
	($$ SELECT rbac.set_principal('alice', false) $$,
		'an ordinary role cannot call rbac.set_principal for the session')
) AS v(sql, description);
SELECT is(rbac.current_principal(), NULL, 'after all that, the ordinary role still has no principal');
SELECT is(rbac.has_scope('documents.read', 'w1'), false, 'and holds nothing');
RESET ROLE;

SELECT is((SELECT count(*)::int FROM pg_db_role_setting AS s JOIN pg_roles AS r ON r.oid = s.setrole
           WHERE r.rolname = 'rbac_test_plain'), 0,
	'no per-role setting was stored');

-- Even with EXECUTE granted, set_principal checks its caller itself.
GRANT EXECUTE ON FUNCTION rbac.set_principal(text, boolean) TO rbac_test_plain;
SET LOCAL ROLE rbac_test_plain;
SELECT throws_ok($$ SELECT rbac.set_principal('alice') $$, '42501', NULL,
	'set_principal refuses a caller outside rbac_authenticator even when EXECUTE is granted');
SELECT is(rbac.current_principal(), NULL, 'and the principal is unchanged');
RESET ROLE;
REVOKE EXECUTE ON FUNCTION rbac.set_principal(text, boolean) FROM rbac_test_plain;

-- A member of rbac_authenticator also goes through the function only.
SET LOCAL ROLE rbac_test_auth;
SELECT throws_ok($$ SET rbac.principal = 'alice' $$, '42501', NULL,
	'a member of rbac_authenticator cannot SET rbac.principal directly either');
RESET ROLE;

-- ===================================================================
-- rbac_authenticator may set the principal
-- ===================================================================

SET LOCAL ROLE rbac_test_auth;
SELECT is(rbac.set_principal('alice'), 'alice', 'a member of rbac_authenticator may call set_principal');
SELECT is(rbac.current_principal(), 'alice', 'and the principal is then alice');
SELECT is(rbac.has_scope('documents.read', 'w1'), true, 'and checks act for alice');
SELECT is(rbac.set_principal('bob', false), 'bob', 'a member of rbac_authenticator may set it for the session');
SELECT is(rbac.current_principal(), 'bob', 'and the principal is then bob');
SELECT is(rbac.has_scope('documents.read', 'w1'), false, 'and checks act for bob');
SELECT is(rbac.set_principal(NULL), NULL, 'set_principal(NULL) returns NULL');
SELECT is(rbac.current_principal(), NULL, 'and clears the principal');
RESET ROLE;

SET LOCAL ROLE rbac_test_nested;
SELECT is(rbac.set_principal('alice'), 'alice', 'membership of rbac_authenticator through a group counts');
RESET ROLE;

-- The principal set by the authenticator stays when it switches to an
-- ordinary role, which then acts for that principal and cannot change it.
SET LOCAL ROLE rbac_test_auth;
SELECT FROM rbac.set_principal('alice');
SET LOCAL ROLE rbac_test_plain;
SELECT is(rbac.current_principal(), 'alice', 'an ordinary role acts for the principal it was given');
SELECT throws_ok($$ SELECT set_config('rbac.principal', 'olive', true) $$, '42501', NULL,
	'and cannot switch to another');
SELECT throws_ok($$ RESET rbac.principal $$, '42501', NULL,
	'nor RESET the setting');
SELECT is(rbac.current_principal(), 'alice', 'the principal is still alice');
RESET ROLE;

SELECT is(rbac.set_principal('carol'), 'carol', 'a superuser may call set_principal');
SELECT FROM rbac.set_principal(NULL);

-- ===================================================================
-- A principal for the whole session
-- ===================================================================

-- A session-level principal outlives the request that set it: behind a
-- pool, the next request on the connection, maybe someone else's, would
-- act for it.  So only rbac_authenticator may set one, however it is set,
-- and no one may where request claims name each request's principal.
-- Clearing one, or setting a principal for the transaction, stays allowed.
SELECT FROM rbac.set_principal('alice');
CREATE TEMP TABLE session_creds AS
SELECT rbac.create_api_key('w1', label => 'for the session') AS key, v.token
FROM public.jwt_vectors AS v WHERE v.name = 'no_scopes';
SELECT FROM rbac.set_principal(NULL, false);
GRANT SELECT ON session_creds TO rbac_test_plain, rbac_test_auth;
SELECT FROM public.jwt_keys AS k, set_config('rbac.jwt_secret', k.value, true) WHERE k.name = 'secret';

-- As role (none: this superuser), with rbac.trust_request_jwt as given,
-- run the call; return its SQLSTATE and message, or 'no error'.  Whatever
-- it set is undone.
CREATE FUNCTION pg_temp.session_attempt(role text, trust text, call text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	state text;
	message text;
BEGIN
	BEGIN
		PERFORM set_config('rbac.trust_request_jwt', trust, true);
		PERFORM set_config('role', role, true);
		EXECUTE call;
		RAISE EXCEPTION USING ERRCODE = 'P0099', MESSAGE = 'undo';
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT;
	END;
	RETURN CASE WHEN state = 'P0099' THEN 'no error' ELSE state || ': ' || message END;
END $$;

SELECT is(pg_temp.session_attempt(v.role, v.trust, v.call), v.expected, v.description)
FROM (VALUES
	('rbac_test_plain', 'off', $$ SELECT rbac.authenticate_jwt((SELECT token FROM session_creds)) $$,
		'no error', 'an ordinary role may authenticate a token for its transaction'),
	('rbac_test_plain', 'off', $$ SELECT rbac.authenticate_jwt((SELECT token FROM session_creds), false) $$,
		'42501: permission denied to set a session-level rbac principal', 'but not for the session'),
	('rbac_test_plain', 'off', $$ SELECT rbac.authenticate_api_key((SELECT key FROM session_creds), false) $$,
		'42501: permission denied to set a session-level rbac principal', 'nor an API key for the session'),
	('rbac_test_auth', 'off', $$ SELECT rbac.set_principal('bob', false) $$,
		'no error', 'a member of rbac_authenticator may set a principal for the session'),
	('rbac_test_auth', 'off', $$ SELECT rbac.authenticate_jwt((SELECT token FROM session_creds), false) $$,
		'no error', 'and authenticate a token for the session'),
	('rbac_test_auth', 'off', $$ SELECT rbac.authenticate_api_key((SELECT key FROM session_creds), false) $$,
		'no error', 'or an API key'),
	('rbac_test_auth', 'on', $$ SELECT rbac.set_principal('bob', false) $$,
		'42501: permission denied to set a session-level rbac principal',
		'with rbac.trust_request_jwt on, a member of rbac_authenticator may not set a principal for the session'),
	('rbac_test_auth', 'on', $$ SELECT rbac.authenticate_jwt((SELECT token FROM session_creds), false) $$,
		'42501: permission denied to set a session-level rbac principal', 'nor authenticate a token for the session'),
	('rbac_test_auth', 'on', $$ SELECT rbac.authenticate_api_key((SELECT key FROM session_creds), false) $$,
		'42501: permission denied to set a session-level rbac principal', 'nor an API key'),
	('none', 'on', $$ SELECT rbac.set_principal('bob', false) $$,
		'42501: permission denied to set a session-level rbac principal', 'nor may a superuser'),
	('rbac_test_auth', 'on', $$ SELECT rbac.set_principal(NULL, false) $$,
		'no error', 'clearing the session''s principal is allowed with the trust on'),
	('rbac_test_auth', 'on', $$ SELECT rbac.set_principal('bob') $$,
		'no error', 'and so is a principal for the transaction')
) AS v(role, trust, call, expected, description);
SELECT is(current_setting('rbac.session_principal'), '', 'no session principal was left behind');

-- A token or key credential names the principal it belongs to.  A
-- superuser who then sets rbac.principal by hand to someone else gets no
-- principal: olive must not act through alice's credential, and a
-- credential's bounds must never be lost by accident.
CREATE FUNCTION pg_temp.by_hand(credential text, principal text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	seen text;
BEGIN
	BEGIN
		IF credential = 'token' THEN
			PERFORM rbac.authenticate_jwt((SELECT token FROM session_creds));
		ELSE
			PERFORM rbac.authenticate_api_key((SELECT key FROM session_creds));
		END IF;
		PERFORM set_config('rbac.principal', principal, true);
		seen := coalesce(rbac.current_principal(), 'nobody') || ', ' || rbac.has_scope('documents.read', 'w1');
		RAISE EXCEPTION USING ERRCODE = 'P0099', MESSAGE = 'undo';
	EXCEPTION WHEN SQLSTATE 'P0099' THEN
		RETURN seen;
	END;
END $$;
SELECT is(pg_temp.by_hand(v.credential, v.principal), v.expected, v.description)
FROM (VALUES
	('token', 'alice', 'alice, true', 'alice''s token, and rbac.principal set by hand to alice: she acts, through it'),
	('key', 'alice', 'alice, true', 'alice''s key, and rbac.principal set by hand to alice: the same'),
	('token', 'olive', 'nobody, false', 'alice''s token, and rbac.principal set by hand to olive: no principal'),
	('key', 'olive', 'nobody, false', 'alice''s key, and rbac.principal set by hand to olive: no principal')
) AS v(credential, principal, expected, description);

-- ===================================================================
-- Savepoints: a rolled-back savepoint restores the previous principal
-- ===================================================================

-- A fixed call site: this function's has_scope keeps its memo across calls.
CREATE FUNCTION pg_temp.reads_w1() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
	RETURN rbac.has_scope('documents.read', 'w1');
END $$;

-- Set p in a subtransaction, check it took, roll the subtransaction back,
-- and return the principal after.
CREATE FUNCTION pg_temp.after_rolled_back(p text, is_local boolean) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	BEGIN
		PERFORM rbac.set_principal(p, is_local);
		IF rbac.current_principal() IS DISTINCT FROM p THEN
			RETURN 'set_principal did not take';
		END IF;
		IF pg_temp.reads_w1() IS DISTINCT FROM coalesce(rbac.principal_has_scope(p, 'documents.read', 'w1'), false) THEN
			RETURN 'the check did not follow the principal';
		END IF;
		RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'roll back';
	EXCEPTION WHEN raise_exception THEN
		NULL;
	END;
	RETURN coalesce(rbac.current_principal(), '(none)');
END $$;

SELECT FROM rbac.set_principal('alice');
SELECT is(pg_temp.reads_w1(), true, 'control: alice reads w1');
SELECT is(pg_temp.after_rolled_back('bob', true), 'alice',
	'rolling back a subtransaction that set a transaction principal restores the previous one');
SELECT is(pg_temp.after_rolled_back('bob', false), 'alice',
	'rolling back a subtransaction that set a session principal restores the previous one');
SELECT is(pg_temp.after_rolled_back(NULL, true), 'alice',
	'rolling back a subtransaction that cleared the principal restores it');
SELECT is(pg_temp.reads_w1(), true, 'the same call site answers for alice again');

SAVEPOINT before_bob;
SELECT FROM rbac.set_principal('bob', false);
SELECT FROM pg_temp.reads_w1();
ROLLBACK TO SAVEPOINT before_bob;
RELEASE SAVEPOINT before_bob;
SELECT is(rbac.current_principal(), 'alice', 'ROLLBACK TO SAVEPOINT restores the previous principal');
SELECT is(pg_temp.reads_w1(), true, 'and a call site that answered for bob inside it answers for alice');

SAVEPOINT keep_bob;
SELECT FROM rbac.set_principal('bob');
RELEASE SAVEPOINT keep_bob;
SELECT is(rbac.current_principal(), 'bob', 'a released savepoint keeps its principal');
SELECT is(pg_temp.reads_w1(), false, 'and checks act for bob');

SELECT FROM rbac.set_principal(NULL);
SAVEPOINT from_none;
SELECT FROM rbac.set_principal('alice');
SELECT FROM pg_temp.reads_w1();
ROLLBACK TO SAVEPOINT from_none;
SELECT is(rbac.current_principal(), NULL, 'rolling back to a point with no principal leaves none');
SELECT is(pg_temp.reads_w1(), false, 'and checks say no');

-- ===================================================================
-- What PUBLIC may do with the tables
-- ===================================================================

SELECT is_empty($$
	SELECT c.relname, p.priv FROM pg_class AS c,
		unnest(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) AS p(priv)
	WHERE c.relnamespace = 'rbac'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
	  AND has_table_privilege('public', c.oid, p.priv)
$$, 'PUBLIC has no write privilege on any rbac table');
SELECT is_empty($$
	SELECT c.relname FROM pg_class AS c
	WHERE c.relnamespace = 'rbac'::regnamespace
	  AND CASE WHEN c.relkind = 'S' THEN has_sequence_privilege('public', c.oid, 'USAGE,UPDATE') END
$$, 'PUBLIC cannot use any rbac sequence');
SELECT ok(NOT has_table_privilege('public', 'rbac.grants', 'SELECT'), 'PUBLIC cannot read rbac.grants');
SELECT ok(has_table_privilege('public', 'rbac.roles', 'SELECT'), 'PUBLIC can read rbac.roles');
SELECT ok(has_table_privilege('public', 'rbac.scopes', 'SELECT'), 'PUBLIC can read rbac.scopes');

SET LOCAL ROLE rbac_test_plain;
SELECT is((SELECT count(*)::int FROM rbac.roles WHERE builtin), 14,
	'an ordinary role reads every built-in role');
SELECT ok((SELECT scopes ? 'members.invite' FROM rbac.roles WHERE key = 'admin'),
	'an ordinary role reads a built-in role''s scopes');
SELECT cmp_ok((SELECT count(*)::int FROM rbac.scopes), '>=', 100, 'an ordinary role reads the scope catalog');
SELECT throws_ok(v.sql, '42501', NULL, v.description)
FROM (VALUES
	($$ SELECT * FROM rbac.grants $$, 'an ordinary role cannot read rbac.grants'),
	($$ SELECT count(*) FROM rbac.grants WHERE principal = 'alice' $$,
		'an ordinary role cannot count anyone''s grants'),
	($$ INSERT INTO rbac.grants (principal, role_id, role_kind, workspace_id) VALUES ('mallory', 1, 'workspace', 'w1') $$,
		'an ordinary role cannot grant itself Owner by inserting'),
	($$ UPDATE rbac.grants SET principal = 'mallory' $$, 'an ordinary role cannot take over grants'),
	($$ DELETE FROM rbac.grants $$, 'an ordinary role cannot delete grants'),
	($$ TRUNCATE rbac.grants $$, 'an ordinary role cannot truncate grants'),
	($$ INSERT INTO rbac.roles (key, name, kind, scopes) VALUES ('mine', 'Mine', 'workspace', '{tenant.delete}') $$,
		'an ordinary role cannot create a role'),
	($$ UPDATE rbac.roles SET scopes = '{}' WHERE NOT builtin $$, 'an ordinary role cannot edit roles'),
	($$ INSERT INTO rbac.scopes (name, area, label, level) VALUES ('mine.read', 'mine', 'Mine', 'read') $$,
		'an ordinary role cannot add scopes'),
	($$ INSERT INTO rbac.workspaces (id, name) VALUES ('mine', 'Mine') $$,
		'an ordinary role cannot create workspaces'),
	($$ INSERT INTO rbac.organizations (id, name) VALUES ('mine', 'Mine') $$,
		'an ordinary role cannot create organizations'),
	($$ INSERT INTO rbac.resource_types (name) VALUES ('mine') $$,
		'an ordinary role cannot register resource types'),
	($$ SELECT nextval('rbac.grants_id_seq') $$, 'an ordinary role cannot use the grants sequence')
) AS v(sql, description);
RESET ROLE;

-- ===================================================================
-- Administrative functions are rbac_admin's; checks are everyone's
-- ===================================================================


CREATE TEMP TABLE admin_functions AS
SELECT p.oid::regprocedure AS f FROM pg_proc AS p
WHERE p.pronamespace = 'rbac'::regnamespace
  AND (p.proname IN ('create_organization', 'create_workspace', 'register_resource_type',
                     'create_scope', 'retire_scope', 'grant', 'revoke')
       OR p.proname LIKE 'grant\_org%' OR p.proname LIKE 'revoke\_org%');

SELECT is((SELECT count(DISTINCT regexp_replace(f::text, '\(.*', ''))::int FROM admin_functions), 9,
	'the administrative functions exist: nodes, scopes, and grants on workspaces, resources and organizations');
SELECT is_empty($$ SELECT f FROM admin_functions WHERE has_function_privilege('public', f, 'EXECUTE') $$,
	'PUBLIC cannot execute any administrative function');
SELECT is_empty($$ SELECT f FROM admin_functions WHERE NOT has_function_privilege('rbac_admin', f, 'EXECUTE') $$,
	'rbac_admin can execute every administrative function');
SELECT is_empty($$
	SELECT p.oid::regprocedure FROM pg_proc AS p
	WHERE p.pronamespace = 'rbac'::regnamespace AND p.prosecdef
	  AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) AS c WHERE c LIKE 'search\_path=pg\_catalog, pg\_temp')
$$, 'every SECURITY DEFINER function pins search_path to pg_catalog, pg_temp');
SELECT is_empty($$
	SELECT p.oid::regprocedure FROM pg_proc AS p
	WHERE p.pronamespace = 'rbac'::regnamespace AND p.prosecdef
	  AND has_function_privilege('public', p.oid, 'EXECUTE')
$$, 'PUBLIC can execute no SECURITY DEFINER function');
SELECT ok(NOT has_function_privilege('public', 'rbac.set_principal(text, boolean)', 'EXECUTE')
          AND has_function_privilege('rbac_authenticator', 'rbac.set_principal(text, boolean)', 'EXECUTE'),
	'set_principal is rbac_authenticator''s, not PUBLIC''s');
SELECT is_empty($$
	SELECT p.oid::regprocedure FROM pg_proc AS p
	WHERE p.pronamespace = 'rbac'::regnamespace
	  AND p.proname IN ('has_scope', 'has_org_scope', 'principal_has_scope', 'effective_scopes', 'current_principal')
	  AND (p.prosecdef OR NOT has_function_privilege('public', p.oid, 'EXECUTE')
	       OR p.provolatile <> 's' OR p.proparallel <> 's')
$$, 'the checks are SECURITY INVOKER, STABLE, PARALLEL SAFE and executable by PUBLIC');
SELECT is_empty($$
	SELECT f FROM unnest(ARRAY['text', 'uuid', 'bigint']) AS t,
		LATERAL (VALUES (format('rbac.has_scope(text, %s)', t)),
		                (format('rbac.has_scope(text, %s, text, %s)', t, t))) AS v(f)
	WHERE to_regprocedure(f) IS NULL
$$, 'has_scope takes text, uuid and bigint ids, for workspaces and for resources');

SET LOCAL ROLE rbac_test_plain;
SELECT throws_ok(v.sql, '42501', NULL, v.description)
FROM (VALUES
	($$ SELECT rbac.grant('mallory', 'owner', 'w1') $$, 'an ordinary role cannot call grant'),
	($$ SELECT rbac.revoke('alice', 'member', 'w1') $$, 'an ordinary role cannot call revoke'),
	($$ SELECT rbac.create_workspace('w9', 'Mine', 'mallory') $$, 'an ordinary role cannot call create_workspace'),
	($$ SELECT rbac.create_organization('o9', 'Mine') $$, 'an ordinary role cannot call create_organization'),
	($$ SELECT rbac.grant_org_role('o1', 'mallory', 'org_owner') $$, 'an ordinary role cannot call grant_org_role'),
	($$ SELECT rbac.create_scope('mine.read', 'mine', 'Mine', 'read') $$, 'an ordinary role cannot call create_scope'),
	($$ SELECT rbac.retire_scope('documents.read') $$, 'an ordinary role cannot call retire_scope'),
	($$ SELECT rbac.register_resource_type('mine') $$, 'an ordinary role cannot call register_resource_type')
) AS v(sql, description);
RESET ROLE;

SET LOCAL ROLE rbac_test_admin;
SELECT lives_ok($$ SELECT rbac.create_organization('o1', 'Org one') $$, 'rbac_admin may create an organization');
SELECT lives_ok($$ SELECT rbac.create_workspace('w2', 'Workspace 2', 'wendy', 'o1') $$, 'rbac_admin may create a workspace');
SELECT lives_ok($$ SELECT rbac.grant('mallory', 'viewer', 'w2') $$, 'rbac_admin may grant');
SELECT lives_ok($$ SELECT rbac.grant_org_role('o1', 'oscar', 'org_member') $$, 'rbac_admin may grant on an organization');
SELECT lives_ok($$ SELECT rbac.register_resource_type('epic', 'an epic') $$, 'rbac_admin may register a resource type');
SELECT lives_ok($$ SELECT rbac.grant('mallory', 'membership_viewer', 'w1', 'epic', 'e1') $$,
	'rbac_admin may grant on a new resource type');
SELECT lives_ok($$ SELECT rbac.create_scope('epics.archive', 'planning', 'Archive epics', 'plan') $$,
	'rbac_admin may create a scope');
SELECT lives_ok($$ SELECT rbac.retire_scope('epics.archive') $$, 'rbac_admin may retire it');
SELECT is(rbac.principal_has_scope('mallory', 'documents.read', 'w2'), true,
	'what rbac_admin granted is in force');
SELECT is(rbac.principal_has_scope('mallory', 'documents.read', 'w1', 'epic', 'e1'), true,
	'including on the new resource type');
SELECT lives_ok($$ SELECT rbac.revoke('mallory', 'viewer', 'w2') $$, 'rbac_admin may revoke');
SELECT is(rbac.principal_has_scope('mallory', 'documents.read', 'w2'), false, 'and the revoke is in force');
SELECT throws_ok($$ SELECT rbac.set_principal('alice') $$, '42501', NULL,
	'rbac_admin alone cannot set the principal');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
