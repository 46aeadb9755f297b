-- Ownership.  The creator of a workspace is its Owner (004).  A 'single'
-- workspace has exactly one Owner at every moment (003): the Owner cannot be
-- removed, re-roled or leave except by transfer_ownership, which only the
-- Owner may call, to an existing member, and which leaves the previous Owner
-- an Admin.  A 'shared' workspace keeps at least one Owner (002).  Violations
-- are SQLSTATE 23514, and a deferred constraint trigger on rbac.grants
-- catches the paths that bypass the functions, at COMMIT (observed here with
-- SET CONSTRAINTS ... IMMEDIATE inside savepoints).  delete_workspace needs
-- tenant.delete, removes grants and custom roles and keeps the audit history.
-- Principals create workspaces and organizations here, as they may where a
-- superuser turned rbac.self_service on (governance_actors tests it off).
BEGIN;
SELECT plan(97);
SET LOCAL client_min_messages = error;
SET LOCAL rbac.self_service = on;

-- 'SQLSTATE: message' of the error a statement raises, or 'no error';
-- whatever the statement changed is undone either way.
CREATE FUNCTION pg_temp.refusal(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	state text;
	message text;
BEGIN
	BEGIN
		BEGIN
			EXECUTE stmt;
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT;
			RETURN state || ': ' || message;
		END;
		RAISE EXCEPTION USING ERRCODE = 'P0099', MESSAGE = 'undo';
	EXCEPTION WHEN SQLSTATE 'P0099' THEN
		RETURN 'no error';
	END;
END $$;

-- The detail and the hint of the error a statement raises.
CREATE FUNCTION pg_temp.detail_and_hint(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	detail text;
	hint text;
BEGIN
	EXECUTE stmt;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
	RETURN detail || ' / ' || hint;
END $$;

CREATE FUNCTION pg_temp.roles_of(workspace text, principal text) RETURNS text[] LANGUAGE sql AS $$
	SELECT coalesce(array_agg(r.key ORDER BY r.key), '{}')
	FROM rbac.grants AS g JOIN rbac.roles AS r ON r.id = g.role_id
	WHERE g.workspace_id = $1 AND g.principal = $2 AND g.resource_type IS NULL;
$$;

-- ===================================================================
-- 004 "the creator is Owner"
-- ===================================================================

SELECT FROM rbac.set_principal('olive');
SELECT lives_ok($$ SELECT rbac.create_workspace('acme', 'Acme') $$, 'a principal creates a workspace');
SELECT is(rbac.owners_of('acme'), ARRAY['olive'], '004 the creator is Owner');
SELECT is((SELECT ownership FROM rbac.workspaces WHERE id = 'acme'), 'single', 'ownership is single by default');
SELECT is((SELECT concat_ws(' ', action, actor, target_principal, role_key) FROM rbac.audit_log
           WHERE workspace_id = 'acme' ORDER BY id LIMIT 1),
	'workspace.create olive olive owner', 'the creation is audited with its creator as Owner');
SELECT is(pg_temp.refusal($$ SELECT rbac.create_workspace('other', 'Other', 'frank') $$),
	'42501: permission denied to create a workspace owned by "frank"',
	'a principal cannot create a workspace owned by someone else: the creator is the Owner');
SELECT lives_ok($$ SELECT rbac.create_workspace('mine', 'Mine', 'olive') $$,
	'naming oneself as owner is allowed');
SELECT FROM rbac.set_principal(NULL);
SELECT lives_ok($$ SELECT rbac.create_workspace('beta', 'Beta', 'bob') $$,
	'the operator creates a workspace on someone''s behalf');
SELECT is(rbac.owners_of('beta'), ARRAY['bob'], 'and the one named becomes its Owner');
SELECT is(pg_temp.refusal($$ SELECT rbac.create_workspace('gamma', 'Gamma') $$),
	'22004: the workspace needs an owner', 'the operator must name the owner');
SELECT is(pg_temp.refusal($$ SELECT rbac.create_workspace('gamma', 'Gamma', 'bob', ownership => 'many') $$),
	'22023: invalid ownership "many"', 'ownership is single or shared');

-- Organizations: the creator is the Organization Owner; creating a
-- workspace in one needs org.workspaces.create.
SELECT FROM rbac.create_organization('globex', 'Globex');
SELECT FROM rbac.grant_org_role('globex', 'ada', 'org_admin');
SELECT FROM rbac.grant_org_role('globex', 'omar', 'org_member');
SELECT FROM rbac.set_principal('gail');
SELECT lives_ok($$ SELECT rbac.create_organization('hooli', 'Hooli') $$,
	'a principal creates an organization');
SELECT FROM rbac.set_principal(NULL);
SELECT is((SELECT array_agg(g.principal) FROM rbac.grants AS g JOIN rbac.roles AS r ON r.id = g.role_id
           WHERE g.organization_id = 'hooli' AND r.key = 'org_owner'),
	ARRAY['gail'], '004 the creator of an organization is its Organization Owner');
SELECT lives_ok($$ SELECT rbac.create_organization('initech', 'Initech', 'ian') $$,
	'the operator creates an organization on someone''s behalf');
SELECT is((SELECT array_agg(g.principal) FROM rbac.grants AS g JOIN rbac.roles AS r ON r.id = g.role_id
           WHERE g.organization_id = 'initech' AND r.key = 'org_owner'),
	ARRAY['ian'], 'and the one named becomes its Organization Owner');
SELECT FROM rbac.set_principal('omar');
SELECT is(pg_temp.detail_and_hint($$ SELECT rbac.create_workspace('gx', 'GX', organization => 'globex') $$),
	'Principal "omar" lacks the scope org.workspaces.create in organization "globex". / Ask someone who holds org.workspaces.create in that organization.',
	'an Organization Member cannot create a workspace in the organization');
SELECT FROM rbac.set_principal('ada');
SELECT lives_ok($$ SELECT rbac.create_workspace('gx', 'GX', organization => 'globex') $$,
	'an Organization Admin can (org.workspaces.create)');
SELECT is(rbac.owners_of('gx'), ARRAY['ada'], 'and is its Owner');
SELECT FROM rbac.set_principal(NULL);

-- ===================================================================
-- 003 "exactly one Owner": no removing, re-roling or leaving
-- ===================================================================

SELECT FROM rbac.set_principal('olive');
SELECT FROM rbac.add_member('acme', 'alice', 'admin');
SELECT FROM rbac.add_member('acme', 'frank');
SELECT FROM rbac.grant_resource_role('acme', 'project', 'p1', 'pia', 'membership_viewer');

SELECT is(pg_temp.refusal(v.sql), '23514: workspace "acme" must have exactly one Owner', v.description)
FROM (VALUES
	($$ SELECT rbac.leave_workspace('acme') $$, '003 exactly one Owner: the Owner cannot leave'),
	($$ SELECT rbac.remove_member('acme', 'olive') $$, '003 exactly one Owner: the Owner cannot remove herself'),
	($$ SELECT rbac.set_role('acme', 'olive', 'admin') $$, '003 exactly one Owner: the Owner cannot re-role herself'),
	($$ SELECT rbac.revoke_role('acme', 'olive', 'owner') $$, '003 exactly one Owner: the Owner cannot drop the Owner role'),
	($$ SELECT rbac.set_principal(NULL); SELECT rbac.revoke('olive', 'owner', 'acme') $$,
		'003 exactly one Owner: nor can the operator revoke it'),
	($$ SELECT rbac.set_principal(NULL); SELECT rbac.remove_member('acme', 'olive') $$,
		'003 exactly one Owner: nor remove her'),
	($$ SELECT rbac.set_principal(NULL); SELECT rbac.set_role('acme', 'olive', 'member') $$,
		'003 exactly one Owner: nor re-role her')
) AS v(sql, description);
SELECT is(pg_temp.detail_and_hint($$ SELECT rbac.leave_workspace('acme') $$),
	'This change would leave it with 0. / Move ownership with rbac.transfer_ownership(); otherwise the Owner cannot be removed, re-roled or leave.',
	'the error says what the change would do and points to transfer_ownership');
SELECT is(rbac.owners_of('acme'), ARRAY['olive'], 'olive is still the one Owner');

-- A second Owner in a single workspace: refused by the constraint trigger.
SAVEPOINT second_owner;
SET CONSTRAINTS rbac.enforce_ownership IMMEDIATE;
SELECT is(pg_temp.refusal(v.sql), '23514: workspace "acme" must have exactly one Owner', v.description)
FROM (VALUES
	($$ SELECT rbac.grant_role('acme', 'frank', 'owner') $$, '003 exactly one Owner: the Owner cannot grant a second Owner'),
	($$ SELECT rbac.add_member('acme', 'zoe', 'owner') $$, '003 exactly one Owner: nor invite one'),
	($$ SELECT rbac.set_role('acme', 'frank', 'owner') $$, '003 exactly one Owner: nor make a member Owner by set_role'),
	($$ SELECT rbac.set_principal(NULL); SELECT rbac.grant('frank', 'owner', 'acme') $$,
		'003 exactly one Owner: nor can the operator grant a second Owner')
) AS v(sql, description);
ROLLBACK TO SAVEPOINT second_owner;
RELEASE SAVEPOINT second_owner;
SELECT is(rbac.current_principal(), 'olive', 'the savepoint leaves olive acting');

-- ===================================================================
-- 003 transfer: by the Owner only, to an existing member
-- ===================================================================

SELECT is(pg_temp.refusal(v.sql), v.expected, v.description)
FROM (VALUES
	($$ SELECT rbac.set_principal('alice'); SELECT rbac.transfer_ownership('acme', 'alice') $$,
		'42501: permission denied to transfer ownership of workspace "acme"',
		'003 transfer: an Admin cannot take ownership'),
	($$ SELECT rbac.set_principal('frank'); SELECT rbac.transfer_ownership('acme', 'alice') $$,
		'42501: permission denied to transfer ownership of workspace "acme"',
		'003 transfer: a Member cannot give it away'),
	($$ SELECT rbac.set_principal('alice'); SELECT rbac.transfer_ownership('acme', 'alice', 'olive') $$,
		'42501: permission denied to transfer another Owner''s ownership',
		'003 transfer: nobody transfers on the Owner''s behalf by naming her'),
	($$ SELECT rbac.transfer_ownership('acme', 'zed') $$,
		'42704: "zed" is not a member of workspace "acme"',
		'003 transfer: only to an existing member'),
	($$ SELECT rbac.transfer_ownership('acme', 'pia') $$,
		'42704: "pia" is not a member of workspace "acme"',
		'003 transfer: a resource role alone does not make a member'),
	($$ SELECT rbac.transfer_ownership('acme', 'olive') $$,
		'42710: "olive" is already an Owner of workspace "acme"',
		'003 transfer: not to oneself')
) AS v(sql, expected, description);
SELECT FROM rbac.set_principal('olive');
SELECT lives_ok($$ SELECT rbac.transfer_ownership('acme', 'alice') $$, '003 transfer: the Owner transfers to a member');
SELECT is(rbac.owners_of('acme'), ARRAY['alice'], 'the new Owner is alice, alone');
SELECT is(pg_temp.roles_of('acme', 'olive'), ARRAY['admin'], 'the previous Owner becomes an Admin');
SELECT is(pg_temp.roles_of('acme', 'alice'), ARRAY['admin', 'owner'], 'alice keeps her Admin role and adds Owner');
SELECT ok(rbac.principal_has_scope('alice', 'tenant.delete', 'acme') AND NOT rbac.principal_has_scope('olive', 'tenant.delete', 'acme'),
	'tenant.delete moved with it, on the next statement');
SELECT is((SELECT concat_ws(' ', action, actor, target_principal, role_key, before::text, after::text)
           FROM rbac.audit_log WHERE workspace_id = 'acme' ORDER BY id DESC LIMIT 1),
	'ownership.transfer olive alice owner {"owners": ["olive"]} {"owners": ["alice"]}',
	'the transfer is audited with the Owners before and after');
SELECT is(pg_temp.refusal($$ SELECT rbac.set_role('acme', 'alice', 'admin') $$),
	'42501: permission denied to change the role of "alice" to "admin"',
	'the previous Owner, now an Admin, cannot touch the new Owner (002)');
SELECT is(pg_temp.refusal($$ SELECT rbac.transfer_ownership('acme', 'frank') $$),
	'42501: permission denied to transfer ownership of workspace "acme"',
	'and can no longer transfer ownership');
SELECT lives_ok($$ SELECT rbac.leave_workspace('acme') $$, 'once no longer Owner, she may leave');

-- The operator transfers from the one Owner, or from the Owner it names.
SELECT FROM rbac.set_principal(NULL);
SELECT lives_ok($$ SELECT rbac.transfer_ownership('acme', 'frank') $$,
	'the operator transfers ownership of a single workspace');
SELECT is(rbac.owners_of('acme'), ARRAY['frank'], 'frank is the one Owner');
SELECT is(pg_temp.roles_of('acme', 'alice'), ARRAY['admin'], 'and alice is an Admin again');

-- ===================================================================
-- 002 "at least one Owner" in a shared workspace
-- ===================================================================

SELECT FROM rbac.set_principal('olive');
SELECT FROM rbac.create_workspace('duo', 'Duo', ownership => 'shared');
SELECT lives_ok($$ SELECT rbac.add_member('duo', 'oscar', 'owner') $$, 'a shared workspace can invite a second Owner');
SELECT FROM rbac.add_member('duo', 'alice');
SELECT lives_ok($$ SELECT rbac.grant_role('duo', 'alice', 'owner') $$, 'and grant a third');
SELECT is(rbac.owners_of('duo'), ARRAY['alice', 'olive', 'oscar'], 'the shared workspace has three Owners');
-- (SET CONSTRAINTS run inside a released subtransaction outlives the
-- rollback of an enclosing savepoint, so the mode is reset explicitly.)
SELECT is(pg_temp.refusal($$ SET CONSTRAINTS rbac.enforce_ownership IMMEDIATE $$), 'no error',
	'and the constraint trigger accepts several Owners in a shared workspace');
SET CONSTRAINTS rbac.enforce_ownership DEFERRED;
SELECT FROM rbac.set_principal('oscar');
SELECT lives_ok($$ SELECT rbac.leave_workspace('duo') $$, 'an Owner may leave while another Owner remains');
SELECT FROM rbac.set_principal('alice');
SELECT lives_ok($$ SELECT rbac.set_role('duo', 'alice', 'member') $$, 'an Owner may re-role herself while another remains');
SELECT is(rbac.owners_of('duo'), ARRAY['olive'], 'olive is the last Owner');
SELECT FROM rbac.set_principal('olive');
SELECT is(pg_temp.refusal(v.sql), '23514: workspace "duo" must keep at least one Owner', v.description)
FROM (VALUES
	($$ SELECT rbac.leave_workspace('duo') $$, '002 at least one Owner: the last Owner cannot leave'),
	($$ SELECT rbac.remove_member('duo', 'olive') $$, '002 at least one Owner: nor remove herself'),
	($$ SELECT rbac.set_role('duo', 'olive', 'admin') $$, '002 at least one Owner: nor re-role herself'),
	($$ SELECT rbac.revoke_role('duo', 'olive', 'owner') $$, '002 at least one Owner: nor drop the Owner role'),
	($$ SELECT rbac.set_principal(NULL); SELECT rbac.revoke('olive', 'owner', 'duo') $$,
		'002 at least one Owner: nor can the operator revoke it')
) AS v(sql, description);
SELECT is(pg_temp.detail_and_hint($$ SELECT rbac.leave_workspace('duo') $$),
	'This change would leave it with none. / Make another member an Owner first.',
	'the error says to make another Owner first');
SELECT lives_ok($$ SELECT rbac.transfer_ownership('duo', 'alice') $$, 'an Owner of a shared workspace can transfer');
SELECT is(rbac.owners_of('duo'), ARRAY['alice'], 'and the new Owner replaces her');
SELECT is(pg_temp.roles_of('duo', 'olive'), ARRAY['admin'], 'the previous Owner becomes an Admin');
SELECT FROM rbac.set_principal(NULL);

-- ===================================================================
-- The deferred constraint trigger catches paths around the functions
-- ===================================================================

-- Direct DML as a superuser passes the statement and fails at commit.
-- (Built-in role ids are fixed so grants survive dump and restore: 1 is
-- Owner, 2 is Admin.)
SELECT is((SELECT array_agg(key ORDER BY id) FROM rbac.roles WHERE id IN (1, 2)), ARRAY['owner', 'admin'],
	'role ids 1 and 2 are Owner and Admin');
SAVEPOINT direct;
SELECT lives_ok($$ DELETE FROM rbac.grants WHERE workspace_id = 'beta' AND role_id = 1 $$,
	'a superuser deletes the only Owner grant directly: deferred, the statement passes');
SELECT is(pg_temp.refusal($$ SET CONSTRAINTS rbac.enforce_ownership IMMEDIATE $$),
	'23514: workspace "beta" must have exactly one Owner',
	'but the check at commit (here SET CONSTRAINTS IMMEDIATE) refuses it');
ROLLBACK TO SAVEPOINT direct;
SELECT lives_ok($$ INSERT INTO rbac.grants (principal, role_id, role_kind, workspace_id) VALUES ('mallory', 1, 'workspace', 'beta') $$,
	'a superuser inserts a second Owner directly');
SELECT is(pg_temp.refusal($$ SET CONSTRAINTS rbac.enforce_ownership IMMEDIATE $$),
	'23514: workspace "beta" must have exactly one Owner',
	'and the check at commit refuses two Owners');
ROLLBACK TO SAVEPOINT direct;
SET CONSTRAINTS rbac.enforce_ownership IMMEDIATE;
SELECT is(pg_temp.refusal(v.sql), v.expected, v.description)
FROM (VALUES
	($$ UPDATE rbac.grants SET role_id = 2 WHERE workspace_id = 'beta' AND role_id = 1 $$,
		'23514: workspace "beta" must have exactly one Owner', 'turning the Owner grant into Admin directly is refused'),
	($$ UPDATE rbac.grants SET principal = 'mallory' WHERE workspace_id = 'beta' AND role_id = 1 $$,
		'no error', 'moving the Owner grant to another principal keeps one Owner and is allowed'),
	($$ DELETE FROM rbac.grants WHERE workspace_id = 'duo' AND role_id = 1 $$,
		'23514: workspace "duo" must keep at least one Owner', 'deleting the last Owner of a shared workspace directly is refused'),
	($$ UPDATE rbac.grants SET workspace_id = 'mine' WHERE workspace_id = 'beta' AND role_id = 1 $$,
		'23514: workspace "beta" must have exactly one Owner', 'moving the Owner grant to another workspace is refused')
) AS v(sql, expected, description);
ROLLBACK TO SAVEPOINT direct;
-- Within one transaction the count is taken at commit: a swap is fine.
DELETE FROM rbac.grants WHERE workspace_id = 'beta' AND role_id = 1;
INSERT INTO rbac.grants (principal, role_id, role_kind, workspace_id) VALUES ('bea', 1, 'workspace', 'beta');
SELECT is(pg_temp.refusal($$ SET CONSTRAINTS rbac.enforce_ownership IMMEDIATE $$), 'no error',
	'deleting and re-adding an Owner before commit keeps exactly one and passes');
ROLLBACK TO SAVEPOINT direct;
RELEASE SAVEPOINT direct;
SET CONSTRAINTS rbac.enforce_ownership DEFERRED;
SELECT is(rbac.owners_of('beta'), ARRAY['bob'], 'after the savepoint, bob is the Owner of beta again');

-- ===================================================================
-- delete_workspace: tenant.delete; grants and roles go, the audit stays
-- ===================================================================

SELECT FROM rbac.set_principal('frank');
SELECT FROM rbac.create_role('doc_editor', 'Document Editor', 'workspace', '{documents.read,documents.edit}',
	belongs_to_workspace => 'acme');
SELECT FROM rbac.add_member('acme', 'ed', 'doc_editor');
SELECT FROM rbac.grant_resource_role('acme', 'project', 'p1', 'ed', 'membership_planner');
SELECT FROM rbac.set_principal(NULL);
SELECT (SELECT count(*) FROM rbac.audit_log WHERE workspace_id = 'acme') AS acme_audit \gset
SELECT is(pg_temp.refusal(v.sql), v.expected, v.description)
FROM (VALUES
	($$ SELECT rbac.set_principal('alice'); SELECT rbac.delete_workspace('acme') $$,
		'42501: permission denied to delete workspace "acme"', 'an Admin cannot delete the workspace (tenant.delete)'),
	($$ SELECT rbac.set_principal('ed'); SELECT rbac.delete_workspace('acme') $$,
		'42501: permission denied to delete workspace "acme"', 'nor a holder of a custom role'),
	($$ SELECT rbac.set_principal('frank'); SELECT rbac.delete_workspace('nowhere') $$,
		'42501: permission denied to delete workspace "nowhere"',
		'an unknown workspace is refused as another''s is: a principal learns not even that it does not exist'),
	($$ SELECT rbac.set_principal(NULL); SELECT rbac.delete_workspace('nowhere') $$,
		'42704: workspace "nowhere" does not exist', 'the operator is told it does not exist')
) AS v(sql, expected, description);
SELECT FROM rbac.set_principal('alice');
SELECT is(pg_temp.detail_and_hint($$ SELECT rbac.delete_workspace('acme') $$),
	'Principal "alice" lacks the scope tenant.delete in workspace "acme". / Ask someone who holds tenant.delete in that workspace.',
	'the refusal names tenant.delete');
SELECT FROM rbac.set_principal('frank');
SELECT lives_ok($$ SELECT rbac.delete_workspace('acme') $$, 'the Owner deletes the workspace');
SELECT FROM rbac.set_principal(NULL);
SELECT is((SELECT count(*)::int FROM rbac.workspaces WHERE id = 'acme'), 0, 'the workspace is gone');
SELECT is((SELECT count(*)::int FROM rbac.grants WHERE workspace_id = 'acme'), 0,
	'with every grant on it, resource grants included');
SELECT is((SELECT count(*)::int FROM rbac.roles WHERE workspace_id = 'acme'), 0, 'and its custom roles');
SELECT is((SELECT count(*)::int FROM rbac.audit_log WHERE workspace_id = 'acme'), :acme_audit + 1,
	'its audit history stays, with one more row for the deletion');
SELECT is((SELECT concat_ws(' ', action, actor, before->>'id', jsonb_array_length(before->'grants'))
           FROM rbac.audit_log WHERE workspace_id = 'acme' ORDER BY id DESC LIMIT 1),
	'workspace.delete frank acme 6', 'the deletion row records the workspace and its grants before');
SELECT ok(NOT rbac.principal_has_scope('ed', 'documents.read', 'acme'), 'nobody holds anything there any more');

-- A workspace that has an API key can be deleted too.
SELECT FROM rbac.set_principal('bob');
SELECT FROM rbac.create_api_key('beta');
SELECT lives_ok($$ SELECT rbac.delete_workspace('beta') $$,
	'the Owner deletes a workspace in which an API key was created');
SELECT FROM rbac.set_principal(NULL);

-- Ids are never reused: whoever took a deleted workspace's id would own its
-- history and any rows still keyed by it.
SELECT FROM rbac.set_principal('mallory');
SELECT throws_ok($$ SELECT rbac.create_workspace('acme', 'Squatted') $$, '42710', NULL,
	'nobody takes the id of a deleted workspace');
SELECT throws_ok($$ SELECT * FROM rbac.audit_events('acme') $$, '42501', NULL,
	'nor reads its history without having read it before');
SELECT FROM rbac.set_principal(NULL);
SELECT throws_ok($$ SELECT rbac.create_workspace('acme', 'Again', 'olive') $$, '42710', NULL,
	'not even the operator');
SELECT is((SELECT count(*)::int FROM rbac.audit_events('acme')), :acme_audit + 1,
	'while the operator still reads all of its history');
DO $$
BEGIN
	PERFORM rbac.create_organization('hist_org', 'History', 'oona');
	PERFORM rbac.create_workspace('hist_ws', 'History', 'wes', 'hist_org');
	PERFORM rbac.grant_org_role('hist_org', 'ann', 'admin');
	PERFORM rbac.grant_org_role('hist_org', 'gus', 'viewer');
	PERFORM rbac.set_principal('wes');
	PERFORM rbac.delete_workspace('hist_ws');
	PERFORM rbac.set_principal(NULL);
END $$;
SELECT FROM rbac.set_principal('ann');
SELECT is((SELECT count(*)::int FROM rbac.audit_events('hist_ws')), 2,
	'an Admin of every workspace of its organization, who read its history before, still reads it');
SELECT FROM rbac.set_principal('gus');
SELECT throws_ok($$ SELECT * FROM rbac.audit_events('hist_ws') $$, '42501', NULL,
	'a Viewer of every workspace there, who could not, still cannot');
SELECT FROM rbac.set_principal('oona');
SELECT lives_ok($$ SELECT rbac.delete_organization('hist_org') $$, 'an empty organization is deleted');
SELECT throws_ok($$ SELECT rbac.create_organization('hist_org', 'Again') $$, '42710', NULL,
	'and its id is never reused either');
SELECT FROM rbac.set_principal(NULL);

SELECT * FROM finish();
ROLLBACK;
