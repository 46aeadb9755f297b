-- Escalation on every administration path.  Every SECURITY DEFINER function
-- in schema rbac that rbac_user may execute is called, through an
-- application role, by three principals who lack what it needs: vera, a
-- Viewer of the workspace; nina, who holds nothing anywhere; and bart, an
-- Admin of another workspace of the same organization.  Each call that would
-- change something is refused with its SQLSTATE, and the same call succeeds
-- for a principal entitled to it, so the refusal is the principal's doing.
-- A fingerprint of every rbac table is the same after all the attempts.
-- The read-only functions show an attacker nothing it may not see.  A guard
-- requires the functions covered to be exactly the catalog's, so a new
-- administration function without an escalation test fails here.
BEGIN;
SELECT plan(156);
SET LOCAL client_min_messages = error;

CREATE ROLE rbac_esc_app NOLOGIN IN ROLE rbac_authenticator;

DO $$
BEGIN
	PERFORM rbac.create_organization('esc_org', 'Escalation', 'oona');
	PERFORM rbac.grant_org_role('esc_org', 'ozzie', 'org_member');
	PERFORM rbac.create_organization('esc_empty', 'Empty', 'oona');
	PERFORM rbac.create_workspace('esc_a', 'Victim', 'olive', 'esc_org');
	PERFORM rbac.add_member('esc_a', 'alice', 'admin');
	PERFORM rbac.add_member('esc_a', 'vera', 'viewer');
	PERFORM rbac.add_member('esc_a', 'frank', 'member');
	PERFORM rbac.grant('frank', 'membership_viewer', 'esc_a', 'project', 'p1');
	PERFORM rbac.create_role('esc_editor', 'Esc Editor', 'workspace', '{documents.read,documents.edit}',
	                         belongs_to_workspace => 'esc_a');
	PERFORM rbac.create_workspace('esc_b', 'Elsewhere', 'bella', 'esc_org');
	PERFORM rbac.add_member('esc_b', 'bart', 'admin');
	PERFORM rbac.create_workspace('esc_solo', 'Solo', 'sam');
	PERFORM rbac.add_member('esc_solo', 'sid', 'viewer');
	PERFORM rbac.create_scope('esc.custom', 'esc', 'Custom', 'read');
	PERFORM rbac.set_principal('frank');
	PERFORM rbac.create_api_key('esc_a', NULL, 'frank''s key');
	PERFORM rbac.set_principal(NULL);
END $$;
SELECT id AS frank_key FROM rbac.api_keys WHERE creator = 'frank' \gset

-- Every rbac table: row counts and a digest of every row.
CREATE FUNCTION pg_temp.fingerprint() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	t text;
	result text := '';
	part text;
BEGIN
	FOREACH t IN ARRAY ARRAY['levels', 'scopes', 'resource_types', 'organizations', 'workspaces',
	                         'roles', 'grants', 'api_keys', 'audit_log']
	LOOP
		EXECUTE format('SELECT count(*) || '' '' || coalesce(md5(string_agg(x::text, ''|'' ORDER BY x::text)), '''')
		                FROM rbac.%I AS x', t) INTO part;
		result := result || t || ' ' || part || E'\n';
	END LOOP;
	RETURN result;
END $$;

-- Sets the principal for the transaction, then runs a statement.
CREATE FUNCTION pg_temp.as_principal(principal text, stmt text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	PERFORM rbac.set_principal(principal);
	EXECUTE stmt;
END $$;

-- The SQLSTATE a statement raises for a principal, or 'no error'; whatever
-- it changed is undone either way.
CREATE FUNCTION pg_temp.error_of(principal text, stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	state text;
BEGIN
	BEGIN
		BEGIN
			PERFORM pg_temp.as_principal(principal, stmt);
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE;
			RETURN state;
		END;
		RAISE EXCEPTION USING ERRCODE = 'P0099', MESSAGE = 'undo';
	EXCEPTION WHEN SQLSTATE 'P0099' THEN
		RETURN 'no error';
	END;
END $$;

-- The rows a read-only call returns for a principal, as text.
CREATE FUNCTION pg_temp.rows_for(principal text, query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	result text;
BEGIN
	PERFORM rbac.set_principal(principal);
	EXECUTE format('SELECT coalesce(string_agg(q::text, E''\n'' ORDER BY q::text), '''') FROM (%s) AS q', query)
		INTO result;
	RETURN result;
END $$;

CREATE TEMP TABLE attackers (principal text PRIMARY KEY, who text NOT NULL);
INSERT INTO attackers VALUES
	('vera', 'a Viewer of esc_a'), ('nina', 'a principal with no grant'), ('bart', 'an Admin of esc_b');

-- Each change an attacker tries, the SQLSTATE it must get, and a principal
-- who may make it (NULL: the platform operator) where there is one.
CREATE TEMP TABLE attacks (fn text NOT NULL, sql text NOT NULL, state text NOT NULL, entitled text,
                           has_control boolean NOT NULL DEFAULT true);
INSERT INTO attacks (fn, sql, state, entitled, has_control) VALUES
	('create_organization', $$ SELECT rbac.create_organization('esc_evil', 'Evil', 'oona') $$, '42501', NULL, true),
	('delete_organization', $$ SELECT rbac.delete_organization('esc_empty') $$, '42501', 'oona', true),
	('create_workspace', $$ SELECT rbac.create_workspace('esc_new', 'New', organization => 'esc_org') $$, '42501', 'oona', true),
	('create_workspace', $$ SELECT rbac.create_workspace('esc_new', 'New', 'olive') $$, '42501', NULL, true),
	('delete_workspace', $$ SELECT rbac.delete_workspace('esc_a') $$, '42501', 'olive', true),
	('grant', $$ SELECT rbac.grant('mallory', 'admin', 'esc_a') $$, '42501', 'olive', true),
	('grant', $$ SELECT rbac.grant(rbac.current_principal(), 'owner', 'esc_a') $$, '42501', NULL, false),
	('revoke', $$ SELECT rbac.revoke('alice', 'admin', 'esc_a') $$, '42501', 'olive', true),
	('add_member', $$ SELECT rbac.add_member('esc_a', 'mallory', 'viewer') $$, '42501', 'alice', true),
	('set_role', $$ SELECT rbac.set_role('esc_a', 'frank', 'admin') $$, '42501', 'olive', true),
	('grant_role', $$ SELECT rbac.grant_role('esc_a', 'vera', 'admin') $$, '42501', 'olive', true),
	('revoke_role', $$ SELECT rbac.revoke_role('esc_a', 'alice', 'admin') $$, '42501', 'olive', true),
	('grant_resource_role', $$ SELECT rbac.grant_resource_role('esc_a', 'project', 'p1', 'mallory', 'membership_planner') $$,
		'42501', 'alice', true),
	('revoke_resource_role', $$ SELECT rbac.revoke_resource_role('esc_a', 'project', 'p1', 'frank', 'membership_viewer') $$,
		'42501', 'alice', true),
	('remove_member', $$ SELECT rbac.remove_member('esc_a', 'frank') $$, '42501', 'alice', true),
	('leave_workspace', $$ SELECT rbac.leave_workspace('esc_solo') $$, '42704', 'sid', true),
	('grant_org_role', $$ SELECT rbac.grant_org_role('esc_org', 'mallory', 'org_admin') $$, '42501', 'oona', true),
	('grant_org_role', $$ SELECT rbac.grant_org_role('esc_org', rbac.current_principal(), 'org_owner') $$, '42501', NULL, false),
	('revoke_org_role', $$ SELECT rbac.revoke_org_role('esc_org', 'ozzie', 'org_member') $$, '42501', 'oona', true),
	('transfer_ownership', $$ SELECT rbac.transfer_ownership('esc_a', 'alice') $$, '42501', 'olive', true),
	('transfer_ownership', $$ SELECT rbac.transfer_ownership('esc_a', 'vera', 'olive') $$, '42501', NULL, true),
	('create_role', $$ SELECT rbac.create_role('esc_evil', 'Evil', 'workspace', '{documents.read}', belongs_to_workspace => 'esc_a') $$,
		'42501', 'alice', true),
	('create_role', $$ SELECT rbac.create_role('esc_evil', 'Evil', 'workspace', '{documents.read}', belongs_to_organization => 'esc_org') $$,
		'42501', NULL, true),
	('alter_role', $$ SELECT rbac.alter_role('esc_editor', belongs_to_workspace => 'esc_a', add_scopes => '{documents.create}') $$,
		'42501', 'alice', true),
	('drop_role', $$ SELECT rbac.drop_role('esc_editor', belongs_to_workspace => 'esc_a') $$, '42501', 'alice', true),
	('clone_role', $$ SELECT rbac.clone_role('viewer', 'esc_clone', belongs_to_workspace => 'esc_a') $$, '42501', 'alice', true),
	('create_api_key', $$ SELECT rbac.create_api_key('esc_a') $$, '42501', 'frank', true),
	('revoke_api_key', format($$ SELECT rbac.revoke_api_key(%s) $$, :frank_key), '42501', 'alice', true),
	('register_resource_type', $$ SELECT rbac.register_resource_type('esc_thing') $$, '42501', NULL, true),
	('create_scope', $$ SELECT rbac.create_scope('esc.evil', 'esc', 'Evil', 'read') $$, '42501', NULL, true),
	('retire_scope', $$ SELECT rbac.retire_scope('esc.custom') $$, '42501', NULL, true),
	('audit_events', $$ SELECT * FROM rbac.audit_events('esc_a') $$, '42501', 'alice', true),
	('audit_export', $$ SELECT * FROM rbac.audit_export('esc_a') $$, '42501', 'alice', true);
GRANT SELECT ON attackers, attacks TO rbac_esc_app;

-- The read-only functions, and how each is checked below.
CREATE TEMP TABLE reads (fn text PRIMARY KEY, checked_by text NOT NULL);
INSERT INTO reads VALUES
	('members_of', 'members.read'), ('who_has', 'members.read'), ('explain', 'members.read'),
	('api_keys_of', 'own keys'), ('role_diff', 'public roles'), ('role_graph', 'public roles');

-- ===================================================================
-- The guard: every administration function is covered
-- ===================================================================

SELECT set_eq(
	$$ SELECT fn FROM attacks UNION SELECT fn FROM reads $$,
	$$ SELECT p.proname::text FROM pg_proc AS p
	   WHERE p.pronamespace = 'rbac'::regnamespace AND p.prosecdef
	     AND has_function_privilege('rbac_user', p.oid, 'EXECUTE') $$,
	'the functions covered here are exactly the SECURITY DEFINER functions rbac_user may execute');
SELECT is_empty($$
	SELECT p.oid::regprocedure FROM pg_proc AS p
	WHERE p.pronamespace = 'rbac'::regnamespace AND p.prosecdef
	  AND has_function_privilege('rbac_user', p.oid, 'EXECUTE')
	  AND NOT has_function_privilege('rbac_esc_app', p.oid, 'EXECUTE')
$$, 'the application role may execute each of them, so every refusal below is rbac''s own check');

-- ===================================================================
-- Every change, by every attacker: refused, and nothing changed
-- ===================================================================

SELECT pg_temp.fingerprint() AS before \gset
SET LOCAL ROLE rbac_esc_app;
SELECT throws_ok(format('SELECT pg_temp.as_principal(%L, %L)', x.principal, x.sql), x.state, NULL,
	format('%s refused for %s (%s): %s', x.state, x.principal, x.who, btrim(x.sql)))
FROM (SELECT a.fn, a.sql, a.state, t.principal, t.who
      FROM attacks AS a CROSS JOIN attackers AS t ORDER BY a.fn, a.sql, t.principal) AS x;
RESET ROLE;
SELECT FROM rbac.set_principal(NULL);
SELECT is(pg_temp.fingerprint(), :'before', 'after every attempt, every rbac table is exactly as it was');

-- The same calls succeed for a principal entitled to them.
SELECT is(pg_temp.error_of(x.entitled, x.sql), 'no error',
	format('control: for %s, %s succeeds', coalesce(x.entitled, 'the platform operator'), btrim(x.sql)))
FROM (SELECT * FROM attacks WHERE has_control ORDER BY fn, sql) AS x;

-- ===================================================================
-- Read-only functions show an attacker nothing it may not see
-- ===================================================================

CREATE TEMP TABLE public_views AS
SELECT r.fn, r.sql, pg_temp.rows_for(NULL, r.sql) AS operator_sees
FROM (VALUES ('role_diff', 'SELECT * FROM rbac.role_diff(''esc_editor'', ''viewer'', ''esc_a'')'),
             ('role_graph', 'SELECT rbac.role_graph(''esc_a'')')) AS r(fn, sql);
GRANT SELECT ON public_views TO rbac_esc_app;

SET LOCAL ROLE rbac_esc_app;
SELECT throws_ok(format('SELECT pg_temp.as_principal(%L, %L)', x.principal, x.sql), '42501', NULL,
	format('%s: %s may not read %s', x.fn, x.principal, x.ws))
FROM (VALUES
	('members_of', 'SELECT * FROM rbac.members_of(%L)'),
	('who_has', 'SELECT * FROM rbac.who_has(''tenant.delete'', %L)'),
	('explain', 'SELECT * FROM rbac.explain(''olive'', ''tenant.delete'', %L)')
) AS r(fn, template)
CROSS JOIN LATERAL (VALUES ('nina', 'esc_a'), ('bart', 'esc_a'), ('vera', 'esc_b')) AS t(principal, ws)
CROSS JOIN LATERAL (SELECT r.fn, t.principal, t.ws, format(r.template, t.ws) AS sql) AS x;
SELECT isnt(pg_temp.rows_for('vera', x.sql), '', format('%s: vera, who holds members.read in esc_a, may read it', x.fn))
FROM (VALUES
	('members_of', 'SELECT * FROM rbac.members_of(''esc_a'')'),
	('who_has', 'SELECT * FROM rbac.who_has(''tenant.delete'', ''esc_a'')'),
	('explain', 'SELECT * FROM rbac.explain(''olive'', ''tenant.delete'', ''esc_a'')')
) AS x(fn, sql);
SELECT throws_ok(format('SELECT pg_temp.as_principal(%L, %L)', t.principal, 'SELECT * FROM rbac.api_keys_of(''esc_a'')'),
	'42501', NULL, format('api_keys_of: %s, who holds neither api_keys.read nor api_keys.manage in esc_a, may not list its keys', t.principal))
FROM attackers AS t;
SELECT is(pg_temp.rows_for('frank', 'SELECT creator FROM rbac.api_keys_of(''esc_a'')'), '(frank)',
	'control: api_keys_of shows frank his own key');
SELECT is(pg_temp.rows_for(t.principal, v.sql), v.operator_sees,
	format('%s: %s sees what the operator sees, the roles PUBLIC may read', v.fn, t.principal))
FROM public_views AS v CROSS JOIN attackers AS t;
RESET ROLE;
SELECT is_empty($$
	SELECT DISTINCT g.principal FROM rbac.grants AS g, public_views AS v
	WHERE strpos(v.operator_sees, g.principal) > 0
$$, 'and neither names any principal who holds a grant');

SELECT * FROM finish();
ROLLBACK;
