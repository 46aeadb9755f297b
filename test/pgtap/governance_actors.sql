-- Who administration acts for.  With a principal set, every function acts
-- for it and checks that principal's own reach, whoever the database user
-- is.  With no principal, superusers and members of rbac_admin act as the
-- platform operator: they skip the actor's scope checks but never the
-- invariants.  Anyone else gets 42501.  Every administration and review
-- function is SECURITY DEFINER with a pinned search_path, revoked from
-- PUBLIC and executable by rbac_user; the helpers they use are no one's.
BEGIN;
SELECT plan(93);
SET LOCAL client_min_messages = error;

CREATE ROLE rbac_gov_plain NOLOGIN IN ROLE rbac_user;
CREATE ROLE rbac_gov_admin NOLOGIN IN ROLE rbac_admin;
CREATE ROLE rbac_gov_nobody NOLOGIN;

-- The SQLSTATE, detail and hint of the error a statement raises, or
-- 'no error'; whatever the statement changed is undone either way.
CREATE FUNCTION pg_temp.error_of(stmt text, OUT state text, OUT detail text, OUT hint text)
LANGUAGE plpgsql AS $$
BEGIN
	BEGIN
		BEGIN
			EXECUTE stmt;
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, detail = PG_EXCEPTION_DETAIL,
			                        hint = PG_EXCEPTION_HINT;
			RETURN;
		END;
		RAISE EXCEPTION USING ERRCODE = 'P0099', MESSAGE = 'undo';
	EXCEPTION WHEN SQLSTATE 'P0099' THEN
		state := 'no error';
	END;
END $$;

-- Grants, roles, workspaces and audit rows, summed up: equal before and
-- after a refused call means the call changed nothing.
CREATE FUNCTION pg_temp.model_state() RETURNS text LANGUAGE sql AS $$
	SELECT format('%s grants, %s roles, %s workspaces, %s audit rows, %s',
		(SELECT count(*) FROM rbac.grants), (SELECT count(*) FROM rbac.roles),
		(SELECT count(*) FROM rbac.workspaces), (SELECT count(*) FROM rbac.audit_log),
		md5(concat_ws('|',
			(SELECT string_agg(concat_ws('/', g.principal, g.role_id, g.organization_id, g.workspace_id,
			                             g.resource_type, g.resource_id), ',' ORDER BY g.id) FROM rbac.grants AS g),
			(SELECT string_agg(concat_ws('/', r.id, r.key, r.name, r.scopes::text), ',' ORDER BY r.id) FROM rbac.roles AS r),
			(SELECT string_agg(a.id::text, ',' ORDER BY a.id) FROM rbac.audit_log AS a))));
$$;

-- ===================================================================
-- The functions: SECURITY DEFINER, pinned search_path, rbac_user's
-- ===================================================================

CREATE TEMP TABLE administration (name text PRIMARY KEY);
INSERT INTO administration VALUES
	('create_organization'), ('delete_organization'), ('create_workspace'), ('delete_workspace'),
	('grant'), ('revoke'), ('add_member'), ('set_role'), ('grant_role'), ('revoke_role'),
	('grant_resource_role'), ('revoke_resource_role'), ('remove_member'), ('leave_workspace'),
	('grant_org_role'), ('revoke_org_role'), ('transfer_ownership'),
	('create_role'), ('alter_role'), ('drop_role'), ('clone_role'),
	('create_scope'), ('retire_scope'), ('register_resource_type'),
	('members_of'), ('who_has'), ('explain'), ('role_diff'), ('role_graph'),
	('audit_events'), ('audit_export');
GRANT SELECT ON administration TO PUBLIC;
CREATE TEMP VIEW administration_functions AS
	SELECT a.name, p.oid::regprocedure AS f, p.prosecdef, p.proconfig
	FROM administration AS a
	LEFT JOIN pg_proc AS p ON p.proname = a.name AND p.pronamespace = 'rbac'::regnamespace;

SELECT is_empty($$ SELECT name FROM administration_functions WHERE f IS NULL $$,
	'every administration and review function of issue 4 exists in schema rbac');
SELECT is_empty($$ SELECT f FROM administration_functions WHERE NOT prosecdef $$,
	'every administration and review function is SECURITY DEFINER');
SELECT is_empty($$
	SELECT f FROM administration_functions
	WHERE NOT coalesce('search_path=pg_catalog, pg_temp' = ANY (proconfig), false)
$$, 'every one pins search_path to pg_catalog, pg_temp');
SELECT is_empty($$ SELECT f FROM administration_functions WHERE has_function_privilege('public', f, 'EXECUTE') $$,
	'PUBLIC can execute none of them');
SELECT is_empty($$ SELECT f FROM administration_functions WHERE NOT has_function_privilege('rbac_user', f, 'EXECUTE') $$,
	'rbac_user can execute every one of them');
SELECT is_empty($$ SELECT f FROM administration_functions WHERE obj_description(f, 'pg_proc') IS NULL $$,
	'every one has a COMMENT');
SELECT ok(has_function_privilege('rbac_user', 'rbac.actor()', 'EXECUTE')
          AND NOT has_function_privilege('public', 'rbac.actor()', 'EXECUTE'),
	'rbac.actor() is rbac_user''s, not PUBLIC''s');
SELECT ok(pg_has_role('rbac_admin', 'rbac_user', 'USAGE') AND pg_has_role('rbac_authenticator', 'rbac_user', 'USAGE'),
	'rbac_admin and rbac_authenticator hold rbac_user');

-- The helpers that decide and record are callable only from inside.
SELECT is_empty($$
	SELECT p.oid::regprocedure FROM pg_proc AS p
	WHERE p.pronamespace = 'rbac'::regnamespace
	  AND p.proname IN ('audit', 'audit_rows', 'require_scope', 'require_org_scope', 'require_within',
	                    'require_operator', 'reach_of', 'actor_reach', 'actor_organization_reach',
	                    'organization_scopes', 'check_ownership_now', 'lock_ownership', 'owners_of',
	                    'delete_member_grants', 'check_role_scopes', 'check_role_naming',
	                    'role_admin_reach', 'resolve_role', 'creator_owner', 'enforce_ownership')
	  AND (has_function_privilege('public', p.oid, 'EXECUTE')
	       OR has_function_privilege('rbac_user', p.oid, 'EXECUTE'))
$$, 'no internal helper (audit, require_scope, require_within, ownership checks, ...) is executable by PUBLIC or rbac_user');

-- ===================================================================
-- The platform operator: a superuser with no principal
-- ===================================================================

SELECT is(rbac.current_principal(), NULL, 'no principal is set at the start');
SELECT is(rbac.actor(), NULL, 'a superuser with no principal acts as the platform operator (actor is NULL)');
SELECT lives_ok($$ SELECT rbac.create_workspace('acme', 'Acme', 'olive') $$,
	'the operator creates a workspace on behalf of its owner');
SELECT lives_ok($$ SELECT rbac.add_member('acme', 'alice', 'admin') $$,
	'the operator invites without holding members.invite: scope checks are skipped');
SELECT lives_ok($$ SELECT rbac.add_member('acme', 'frank') $$, 'the operator invites a Member');
SELECT lives_ok($$ SELECT rbac.add_member('acme', 'vera', 'viewer') $$, 'the operator invites a Viewer');
SELECT is((SELECT array_agg(DISTINCT coalesce(actor, '(operator)')) FROM rbac.audit_log WHERE workspace_id = 'acme'),
	ARRAY['(operator)'], 'the operator''s changes are audited with a NULL actor');
SELECT is((SELECT array_agg(DISTINCT database_user::text) FROM rbac.audit_log WHERE workspace_id = 'acme'),
	ARRAY[session_user::text], 'and with the database session user');

-- The operator skips scope checks, never the invariants.
SELECT pg_temp.model_state() AS before \gset
SELECT throws_ok(v.sql, v.state, NULL, v.description)
FROM (VALUES
	($$ SELECT rbac.remove_member('acme', 'olive') $$, '23514',
		'the operator cannot remove the only Owner of a single-owner workspace (003 exactly one Owner)'),
	($$ SELECT rbac.set_role('acme', 'olive', 'admin') $$, '23514',
		'the operator cannot re-role the only Owner'),
	($$ SELECT rbac.revoke('olive', 'owner', 'acme') $$, '23514',
		'the operator cannot revoke the last Owner with rbac.revoke'),
	($$ SELECT rbac.create_workspace('nobody_owns', 'Nobody') $$, '22004',
		'the operator cannot create a workspace without an owner (004 the creator is Owner)'),
	($$ SELECT rbac.create_role('overrider', 'Overrider', 'workspace', '{entitlements.override}', belongs_to_workspace => 'acme') $$,
		'42501', 'the operator cannot put an operator-only scope in a role'),
	($$ SELECT rbac.create_role('wiper', 'Wiper', 'workspace', '{tenant.delete}', belongs_to_workspace => 'acme') $$,
		'22023', 'the operator must confirm destructive scopes like anyone'),
	($$ SELECT rbac.add_member('acme', 'frank') $$, '42710', 'the operator cannot invite an existing member'),
	($$ SELECT rbac.grant('frank', 'membership_viewer', 'acme') $$, '42809',
		'the operator cannot grant a resource role on a workspace: kinds never cross'),
	($$ SELECT rbac.leave_workspace('acme') $$, '42501', 'the operator has no membership to leave')
) AS v(sql, state, description);
SELECT is(pg_temp.model_state(), :'before', 'the refused operator calls changed nothing');

-- ===================================================================
-- A member of rbac_admin with no principal is the operator too
-- ===================================================================

SET LOCAL ROLE rbac_gov_admin;
SELECT is(rbac.actor(), NULL, 'a member of rbac_admin with no principal acts as the platform operator');
SELECT lives_ok($$ SELECT rbac.add_member('acme', 'lena', 'lead') $$,
	'rbac_admin invites without holding members.invite');
SELECT lives_ok($$ SELECT rbac.set_role('acme', 'lena', 'member') $$, 'rbac_admin changes a role');
SELECT throws_ok($$ SELECT rbac.remove_member('acme', 'olive') $$, '23514', NULL,
	'rbac_admin as operator still cannot remove the only Owner');
RESET ROLE;

-- ===================================================================
-- Anyone else with no principal: 42501
-- ===================================================================

SELECT pg_temp.model_state() AS before \gset
SET LOCAL ROLE rbac_gov_plain;
SELECT throws_ok($$ SELECT rbac.actor() $$, '42501', 'permission denied: no principal to act for',
	'a plain rbac_user with no principal is nobody: rbac.actor() is 42501');
SELECT throws_ok(v.sql, '42501', NULL, v.description)
FROM (VALUES
	($$ SELECT rbac.create_workspace('mine', 'Mine', 'mallory') $$, 'a plain rbac_user with no principal cannot create a workspace'),
	($$ SELECT rbac.add_member('acme', 'mallory') $$, 'nor invite'),
	($$ SELECT rbac.set_role('acme', 'frank', 'admin') $$, 'nor change a role'),
	($$ SELECT rbac.grant('mallory', 'owner', 'acme') $$, 'nor grant'),
	($$ SELECT rbac.revoke('frank', 'member', 'acme') $$, 'nor revoke'),
	($$ SELECT rbac.remove_member('acme', 'frank') $$, 'nor remove a member'),
	($$ SELECT rbac.leave_workspace('acme') $$, 'nor leave'),
	($$ SELECT rbac.transfer_ownership('acme', 'frank', 'olive') $$, 'nor transfer ownership'),
	($$ SELECT rbac.delete_workspace('acme') $$, 'nor delete a workspace'),
	($$ SELECT rbac.create_role('mine', 'Mine', 'workspace', '{documents.read}', belongs_to_workspace => 'acme') $$,
		'nor create a role'),
	($$ SELECT rbac.create_organization('mine', 'Mine') $$, 'nor create an organization'),
	($$ SELECT rbac.grant_org_role('mine', 'mallory', 'org_owner') $$, 'nor grant on an organization'),
	($$ SELECT rbac.create_scope('mine.read', 'mine', 'Mine', 'read') $$, 'nor create a scope'),
	($$ SELECT * FROM rbac.members_of('acme') $$, 'nor list members'),
	($$ SELECT * FROM rbac.who_has('documents.read', 'acme') $$, 'nor ask who has a scope'),
	($$ SELECT * FROM rbac.explain('frank', 'documents.read', 'acme') $$, 'nor explain someone''s reach'),
	($$ SELECT * FROM rbac.audit_events('acme') $$, 'nor read the audit log'),
	($$ SELECT * FROM rbac.audit_export('acme') $$, 'nor export it')
) AS v(sql, description);
RESET ROLE;
SELECT is(pg_temp.model_state(), :'before', 'the refused calls with no principal changed nothing');

-- A role outside rbac_user cannot even call the functions.
SET LOCAL ROLE rbac_gov_nobody;
SELECT throws_ok($$ SELECT rbac.add_member('acme', 'mallory') $$, '42501', NULL,
	'a role without rbac_user cannot execute add_member');
SELECT throws_ok($$ SELECT rbac.actor() $$, '42501', NULL, 'nor rbac.actor()');
RESET ROLE;

-- ===================================================================
-- With a principal: that principal's own reach, whoever the DB user is
-- ===================================================================

-- A superuser who sets a principal is bound by it.
SELECT FROM rbac.set_principal('frank');
SELECT is(rbac.actor(), 'frank', 'with a principal set, a superuser acts for it');
SELECT is((pg_temp.error_of($$ SELECT rbac.add_member('acme', 'mallory') $$)).state, '42501',
	'a superuser acting for a Member cannot invite (002 Members cannot invite)');
SELECT is((pg_temp.error_of($$ SELECT rbac.add_member('acme', 'mallory') $$)).detail,
	'Principal "frank" lacks the scope members.invite in workspace "acme".',
	'and the detail names the principal and the missing scope');
SELECT is((pg_temp.error_of($$ SELECT rbac.add_member('acme', 'mallory') $$)).hint,
	'Ask someone who holds members.invite in that workspace.', 'with a hint');
SELECT throws_ok($$ SELECT rbac.create_scope('mine.read', 'mine', 'Mine', 'read') $$, '42501', NULL,
	'a superuser acting for a principal is not the operator: no create_scope');
SELECT throws_ok($$ SELECT rbac.create_workspace('frank_ws', 'Frank''s', 'olive') $$, '42501', NULL,
	'a principal cannot create a workspace owned by someone else (004 the creator is Owner)');

-- A member of rbac_admin who sets a principal is bound by it too.
SET LOCAL ROLE rbac_gov_admin;
SELECT is(rbac.actor(), 'frank', 'rbac_admin with a principal acts for the principal, not as operator');
SELECT throws_ok($$ SELECT rbac.set_role('acme', 'vera', 'member') $$, '42501', NULL,
	'so rbac_admin acting for a Member cannot change roles');
RESET ROLE;

-- A plain rbac_user role acts for the principal it was given.
SELECT FROM rbac.set_principal('alice');
SET LOCAL ROLE rbac_gov_plain;
SELECT is(rbac.actor(), 'alice', 'a plain rbac_user acts for the principal it was given');
SELECT lives_ok($$ SELECT rbac.add_member('acme', 'nina') $$, 'acting for an Admin it can invite');
SELECT lives_ok($$ SELECT rbac.set_role('acme', 'nina', 'viewer') $$, 'and change a Member''s role');
SELECT throws_ok($$ SELECT rbac.set_role('acme', 'olive', 'member') $$, '42501', NULL,
	'but not the Owner''s (002 Admins cannot touch Owners)');
SELECT throws_ok($$ SELECT rbac.delete_workspace('acme') $$, '42501', NULL,
	'nor delete the workspace: that needs tenant.delete');
RESET ROLE;
SELECT is((SELECT actor FROM rbac.audit_log WHERE target_principal = 'nina' ORDER BY id DESC LIMIT 1), 'alice',
	'what a plain role did for alice is audited with actor alice');
SELECT is((SELECT database_user::text FROM rbac.audit_log WHERE target_principal = 'nina' ORDER BY id DESC LIMIT 1),
	session_user::text, 'and with the database session user');

-- An unknown principal holds nothing.
SELECT FROM rbac.set_principal('stranger');
SELECT pg_temp.model_state() AS before \gset
SELECT throws_ok(v.sql, '42501', NULL, v.description)
FROM (VALUES
	($$ SELECT rbac.add_member('acme', 'mallory') $$, 'an unknown principal cannot invite'),
	($$ SELECT rbac.grant('stranger', 'viewer', 'acme') $$, 'nor grant itself a role'),
	($$ SELECT rbac.remove_member('acme', 'frank') $$, 'nor remove a member'),
	($$ SELECT * FROM rbac.members_of('acme') $$, 'nor list members'),
	($$ SELECT rbac.create_role('mine', 'Mine', 'workspace', '{documents.read}', belongs_to_workspace => 'acme') $$,
		'nor create a role there'),
	($$ SELECT rbac.create_role('mine', 'Mine', 'workspace', '{documents.read}') $$,
		'nor create a database-wide role (operator only)')
) AS v(sql, description);
SELECT FROM rbac.set_principal(NULL);
SELECT is(pg_temp.model_state(), :'before', 'the unknown principal''s refused calls changed nothing');

-- Outside any organization only the operator creates workspaces, unless
-- rbac.self_service is on; then a principal creating one becomes its Owner.
SELECT FROM rbac.set_principal('frank');
SELECT throws_ok($$ SELECT rbac.create_workspace('franks', 'Frank''s') $$, '42501', NULL,
	'with rbac.self_service off, a principal cannot claim a workspace id');
SET LOCAL rbac.self_service = on;
SELECT lives_ok($$ SELECT rbac.create_workspace('franks', 'Frank''s') $$,
	'with it on, any principal may create a workspace of its own');
RESET rbac.self_service;
SELECT FROM rbac.set_principal(NULL);
SELECT is(rbac.owners_of('franks'), ARRAY['frank'], 'and is its Owner (004 the creator is Owner)');

-- A bounded context that may create a workspace creates none whose Owner,
-- its creator, would hold scopes outside its bounds: it would give itself
-- the Owner role past them.  Each bound is set inside the statement, and
-- undone with it.
SELECT FROM rbac.create_organization('bounds_org', 'Bounds', 'frank');
SELECT is(concat_ws(': ', e.state, e.hint), v.expected, v.description)
FROM (VALUES
	($$ SELECT rbac.set_principal('frank');
	    SELECT rbac.create_workspace('b1', 'B1', organization => 'bounds_org') $$,
		'no error', 'control: frank, the Organization Owner, creates a workspace in it'),
	($$ SELECT rbac.set_principal('frank'); SELECT set_config('rbac.narrowing', '{org.workspaces.create}', true);
	    SELECT rbac.create_workspace('b1', 'B1', organization => 'bounds_org') $$,
		'42501: Act as the principal itself, with no token scopes, API key or narrowing.',
		'narrowed to org.workspaces.create, he may ask but not become the new workspace''s Owner'),
	($$ SELECT rbac.set_principal(NULL); SELECT set_config('rbac.trust_request_jwt', 'on', true);
	    SELECT set_config('request.jwt.claims', '{"sub": "frank", "scopes": ["org.workspaces.create"]}', true);
	    SELECT rbac.create_workspace('b1', 'B1', organization => 'bounds_org') $$,
		'42501: Act as the principal itself, with no token scopes, API key or narrowing.',
		'nor through request claims with that scope alone'),
	($$ SELECT rbac.set_principal('frank');
	    SELECT set_config('rbac.narrowing', (SELECT (r.scopes OPERATOR(rbac.|) '{org.workspaces.create}'::rbac.scopeset)::text
	                                         FROM rbac.roles AS r WHERE r.builtin AND r.key = 'owner'), true);
	    SELECT rbac.create_workspace('b1', 'B1', organization => 'bounds_org') $$,
		'no error', 'narrowed to org.workspaces.create and every Owner scope, he may'),
	($$ SELECT rbac.set_principal('frank'); SELECT set_config('rbac.self_service', 'on', true);
	    SELECT set_config('rbac.narrowing', '{documents.read}', true); SELECT rbac.create_workspace('b2', 'B2') $$,
		'42501: Act as the principal itself, with no token scopes, API key or narrowing.',
		'with rbac.self_service on, a narrowed principal creates no workspace outside an organization either')
) AS v(sql, expected, description), LATERAL pg_temp.error_of(v.sql) AS e;
SELECT FROM rbac.set_principal(NULL);

-- The principal's reach is bounded by narrowing (an agent or a restricted
-- token acting for alice).  rbac.narrow() lasts the transaction, so this
-- comes last.
SELECT FROM rbac.set_principal('alice');
SELECT ok(rbac.has_scope('members.manage', 'acme'), 'control: alice (Admin) holds members.manage in acme');
SELECT FROM rbac.narrow((SELECT scopes FROM rbac.roles WHERE key = 'viewer') OPERATOR(rbac.|) '{members.invite}'::rbac.scopeset);
SELECT ok(NOT rbac.has_scope('members.manage', 'acme'), 'narrowed to Viewer plus members.invite, she no longer does');
SELECT lives_ok($$ SELECT rbac.add_member('acme', 'walt', 'viewer') $$,
	'narrowed, she can still invite a Viewer');
SELECT is((pg_temp.error_of($$ SELECT rbac.add_member('acme', 'will', 'member') $$)).state, '42501',
	'but not a Member: the role lies outside her narrowed reach');
SELECT matches((pg_temp.error_of($$ SELECT rbac.add_member('acme', 'will', 'member') $$)).detail,
	'outside the reach of principal "alice" in workspace "acme": \{.*chat\.send.*\}',
	'and the detail names the scopes outside it');
SELECT is((pg_temp.error_of($$ SELECT rbac.set_role('acme', 'walt', 'viewer') $$)).detail,
	'Principal "alice" lacks the scope members.manage in workspace "acme" within the bounds of its token, API key or narrowing.',
	'and she cannot change roles: members.manage was narrowed away');
SELECT is((pg_temp.error_of($$ SELECT rbac.remove_member('acme', 'walt') $$)).detail,
	'Principal "alice" lacks the scope members.remove in workspace "acme" within the bounds of its token, API key or narrowing.',
	'nor remove members');
SELECT is((pg_temp.error_of($$ SELECT rbac.create_role('helper', 'Helper', 'workspace', '{documents.read}', belongs_to_workspace => 'acme') $$)).detail,
	'Principal "alice" lacks the scope roles.manage in workspace "acme" within the bounds of its token, API key or narrowing.',
	'nor manage roles');
SELECT FROM rbac.set_principal(NULL);
SELECT is(rbac.actor(), NULL, 'with the principal cleared, the superuser is the operator again');
SELECT lives_ok($$ SELECT rbac.set_role('acme', 'walt', 'member') $$,
	'and the operator is not bound by the narrowing of a principal');

SELECT * FROM finish();
ROLLBACK;
