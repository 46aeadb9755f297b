-- Members and grants: invitations, role changes, removal, leaving, resource
-- roles and organization roles (incl. the global workspace roles of 001).
-- Each action needs a named catalog scope (002: Members cannot invite;
-- Admins can), and the escalation guard holds on every path: an actor grants
-- or revokes only roles inside their own reach at that node, and changes or
-- removes a member only if the member's reach lies inside theirs.  "Admins
-- cannot touch Owners" (002) follows from tenant.delete, which the Owner
-- holds and the Admin does not; no role is named to decide it.  Every
-- refusal is 42501 with a detail naming what is missing, and changes
-- nothing: no grant, no audit row.
BEGIN;
SELECT plan(136);
SET LOCAL client_min_messages = error;

-- 'SQLSTATE: detail' of the error a statement raises, or 'no error';
-- whatever the statement changed is undone either way.
CREATE FUNCTION pg_temp.refusal(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	state text;
	detail text;
BEGIN
	BEGIN
		BEGIN
			EXECUTE stmt;
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, detail = PG_EXCEPTION_DETAIL;
			RETURN state || coalesce(': ' || nullif(detail, ''), '');
		END;
		RAISE EXCEPTION USING ERRCODE = 'P0099', MESSAGE = 'undo';
	EXCEPTION WHEN SQLSTATE 'P0099' THEN
		RETURN 'no error';
	END;
END $$;

-- Grants, roles, workspaces and audit rows, summed up: equal before and
-- after refused calls means they changed nothing.
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

-- A member's workspace roles (not resource roles), as a sorted array.
CREATE FUNCTION pg_temp.roles_of(workspace text, principal text) RETURNS text[] LANGUAGE sql AS $$
	SELECT coalesce(array_agg(r.key ORDER BY r.key), '{}')
	FROM rbac.grants AS g JOIN rbac.roles AS r ON r.id = g.role_id
	WHERE g.workspace_id = $1 AND g.principal = $2 AND g.resource_type IS NULL;
$$;

-- The last audit row's action, actor and target, for one principal.
CREATE FUNCTION pg_temp.last_audit(principal text) RETURNS text LANGUAGE sql AS $$
	SELECT concat_ws(' ', a.action, coalesce(a.actor, '(operator)'), a.target_principal, a.role_key)
	FROM rbac.audit_log AS a WHERE a.target_principal = $1 ORDER BY a.id DESC LIMIT 1;
$$;

-- ===================================================================
-- Setup, as the platform operator
-- ===================================================================

SELECT FROM rbac.create_workspace('acme', 'Acme', 'olive');
DO $$
BEGIN
	PERFORM rbac.add_member('acme', m.p, m.r)
	FROM (VALUES ('alice', 'admin'), ('frank', 'member'), ('vera', 'viewer'), ('lena', 'lead'),
	             ('pat', 'planner'), ('opal', 'workspace_operator'), ('bill', 'billing_manager'),
	             ('hugo', 'viewer'), ('dora', 'member'), ('rita', 'viewer')) AS m(p, r);
END $$;
-- hugo manages people and reads, and nothing more.
SELECT FROM rbac.create_role('people_manager', 'People Manager', 'workspace',
	'{members.read,members.invite,members.manage,members.remove}', belongs_to_workspace => 'acme',
	confirm_destructive => true);
SELECT FROM rbac.grant_role('acme', 'hugo', 'people_manager');
-- dora is no Owner, but holds tenant.delete through a custom role.
SELECT FROM rbac.create_role('deleter', 'Deleter', 'workspace', '{tenant.delete}',
	belongs_to_workspace => 'acme', confirm_destructive => true);
SELECT FROM rbac.grant_role('acme', 'dora', 'deleter');
-- rita is a Viewer who plans one project.
SELECT FROM rbac.grant_resource_role('acme', 'project', 'p1', 'rita', 'membership_planner');

-- ===================================================================
-- 002 "Members cannot invite, change roles or remove members"
-- ===================================================================

SELECT pg_temp.model_state() AS before \gset
SELECT is(pg_temp.refusal(format(a.sql, p.principal)),
          format('42501: Principal "%s" lacks the scope %s in workspace "acme".', p.principal, a.scope),
          format('002 Members cannot invite: a %s cannot %s (needs %s)', p.role, a.what, a.scope))
FROM (VALUES ('frank', 'Member'), ('vera', 'Viewer'), ('lena', 'Lead'), ('pat', 'Planner'),
             ('opal', 'Workspace Operator'), ('bill', 'Billing Manager')) AS p(principal, role)
CROSS JOIN (VALUES
	($$ SELECT rbac.set_principal('%s'); SELECT rbac.add_member('acme', 'mallory') $$, 'invite', 'members.invite'),
	($$ SELECT rbac.set_principal('%s'); SELECT rbac.set_role('acme', 'vera', 'member') $$, 'change a role', 'members.manage'),
	($$ SELECT rbac.set_principal('%s'); SELECT rbac.grant_role('acme', 'vera', 'viewer') $$, 'grant a role', 'members.manage'),
	($$ SELECT rbac.set_principal('%s'); SELECT rbac.revoke_role('acme', 'vera', 'viewer') $$, 'revoke a role', 'members.manage'),
	($$ SELECT rbac.set_principal('%s'); SELECT rbac.grant_resource_role('acme', 'project', 'p9', 'vera', 'membership_viewer') $$,
		'grant a resource role', 'members.manage'),
	($$ SELECT rbac.set_principal('%s'); SELECT rbac.remove_member('acme', 'vera') $$, 'remove a member', 'members.remove')
) AS a(sql, what, scope)
ORDER BY p.principal, a.what;
SELECT FROM rbac.set_principal(NULL);
SELECT is(pg_temp.model_state(), :'before', 'the refused calls of non-admins changed no grant and wrote no audit row');

-- ===================================================================
-- Admins can: invite, change, grant, revoke, resource roles, remove
-- ===================================================================

SELECT FROM rbac.set_principal('alice');
SELECT lives_ok($$ SELECT rbac.add_member('acme', 'nina') $$, 'an Admin invites (members.invite)');
SELECT is(pg_temp.roles_of('acme', 'nina'), ARRAY['member'], 'an invitation gives the Member role by default');
SELECT is(pg_temp.last_audit('nina'), 'member.add alice nina member', 'and is audited as member.add by alice');
SELECT lives_ok($$ SELECT rbac.add_member('acme', 'ned', 'admin') $$,
	'an Admin invites another Admin: the role lies inside her reach');
SELECT lives_ok($$ SELECT rbac.set_role('acme', 'nina', 'viewer') $$, 'an Admin changes a Member''s role');
SELECT is(pg_temp.roles_of('acme', 'nina'), ARRAY['viewer'], 'set_role replaces the workspace roles with one');
SELECT lives_ok($$ SELECT rbac.grant_role('acme', 'nina', 'lead') $$, 'an Admin grants one more role');
SELECT is(pg_temp.roles_of('acme', 'nina'), ARRAY['lead', 'viewer'], 'the member then holds both');
SELECT is(rbac.revoke_role('acme', 'nina', 'lead'), true, 'an Admin revokes a role');
SELECT is(pg_temp.roles_of('acme', 'nina'), ARRAY['viewer'], 'and it is gone');
SELECT is(rbac.revoke_role('acme', 'nina', 'lead'), false, 'revoking a role not held reports false');
SELECT lives_ok($$ SELECT rbac.grant_resource_role('acme', 'project', 'p2', 'nina', 'membership_planner') $$,
	'an Admin grants a resource role on one project');
SELECT ok(rbac.principal_has_scope('nina', 'projects.create', 'acme', 'project', 'p2'),
	'it gives its scopes on that project');
SELECT ok(NOT rbac.principal_has_scope('nina', 'projects.create', 'acme', 'project', 'p3')
          AND NOT rbac.principal_has_scope('nina', 'projects.create', 'acme'),
	'and nowhere else (003: a resource grant reaches only that resource)');
SELECT is(rbac.revoke_resource_role('acme', 'project', 'p2', 'nina', 'membership_planner'), true,
	'an Admin revokes the resource role');
SELECT ok(NOT rbac.principal_has_scope('nina', 'projects.create', 'acme', 'project', 'p2'),
	'and the scope is gone on the next statement');
SELECT lives_ok($$ SELECT rbac.remove_member('acme', 'nina') $$, 'an Admin removes a member (members.remove)');
SELECT is((SELECT count(*)::int FROM rbac.grants WHERE principal = 'nina'), 0, 'removal takes every grant');
SELECT is(pg_temp.last_audit('nina'), 'member.remove alice nina', 'and is audited as member.remove by alice');

-- Leaving needs no scope: it gives up one's own grants.
SELECT FROM rbac.set_principal('ned');
SELECT lives_ok($$ SELECT rbac.leave_workspace('acme') $$, 'a member may leave a workspace');
SELECT is((SELECT count(*)::int FROM rbac.grants WHERE principal = 'ned'), 0, 'and then holds nothing there');
SELECT is(pg_temp.last_audit('ned'), 'member.leave ned ned', 'leaving is audited with the leaver as actor');
SELECT throws_ok($$ SELECT rbac.leave_workspace('acme') $$, '42704', NULL,
	'someone who is not a member cannot leave');

-- ===================================================================
-- The escalation guard against an Admin: 002 "Admins cannot touch Owners"
-- ===================================================================

SELECT FROM rbac.set_principal(NULL);
SELECT pg_temp.model_state() AS before \gset
SELECT FROM rbac.set_principal('alice');
SELECT is(pg_temp.refusal(v.sql),
          '42501: It involves scopes outside the reach of principal "alice" in workspace "acme": {tenant.delete}.',
          v.description)
FROM (VALUES
	($$ SELECT rbac.add_member('acme', 'mallory', 'owner') $$, 'an Admin cannot invite someone as Owner'),
	($$ SELECT rbac.grant_role('acme', 'frank', 'owner') $$, 'an Admin cannot grant Owner'),
	($$ SELECT rbac.grant('frank', 'owner', 'acme') $$, 'an Admin cannot grant Owner through rbac.grant'),
	($$ SELECT rbac.set_role('acme', 'frank', 'owner') $$, 'an Admin cannot make a member Owner'),
	($$ SELECT rbac.grant_role('acme', 'frank', 'deleter') $$,
		'an Admin cannot grant a custom role carrying tenant.delete'),
	($$ SELECT rbac.set_role('acme', 'olive', 'admin') $$, '002 Admins cannot touch Owners: no re-roling the Owner'),
	($$ SELECT rbac.set_role('acme', 'olive', 'owner') $$, '002 Admins cannot touch Owners: not even to the same role'),
	($$ SELECT rbac.revoke_role('acme', 'olive', 'owner') $$, '002 Admins cannot touch Owners: no revoking Owner'),
	($$ SELECT rbac.revoke('olive', 'owner', 'acme') $$, '002 Admins cannot touch Owners: nor through rbac.revoke'),
	($$ SELECT rbac.remove_member('acme', 'olive') $$, '002 Admins cannot touch Owners: no removing the Owner'),
	($$ SELECT rbac.set_role('acme', 'dora', 'viewer') $$,
		'the same refusal for dora, no Owner but holding tenant.delete: it follows from the scope, not the role'),
	($$ SELECT rbac.remove_member('acme', 'dora') $$, 'an Admin cannot remove dora either'),
	($$ SELECT rbac.revoke_role('acme', 'dora', 'member') $$,
		'nor revoke even a role within reach from a member whose reach exceeds hers'),
	($$ SELECT rbac.revoke_role('acme', 'dora', 'deleter') $$, 'nor revoke dora''s tenant.delete role')
) AS v(sql, description);
SELECT FROM rbac.set_principal(NULL);
SELECT is(pg_temp.model_state(), :'before', 'the Admin''s refused calls changed no grant and wrote no audit row');
SELECT is(rbac.owners_of('acme'), ARRAY['olive'], 'olive is still the Owner');
SELECT is(pg_temp.roles_of('acme', 'dora'), ARRAY['deleter', 'member'], 'dora still holds her roles');
SELECT results_eq($$ SELECT scope, only_in FROM rbac.role_diff('owner', 'admin') $$,
	$$ VALUES ('tenant.delete', 'owner') $$,
	'Owner differs from Admin by tenant.delete alone: the only scope the refusals name');

-- In a shared workspace an Admin who also holds tenant.delete can remove an
-- Owner: nothing names the Owner role, the scope decides.
SELECT FROM rbac.create_workspace('duo', 'Duo', 'olive', ownership => 'shared');
SELECT FROM rbac.add_member('duo', 'oscar', 'owner');
SELECT FROM rbac.add_member('duo', 'alice', 'admin');
SELECT FROM rbac.set_principal('alice');
SELECT is(pg_temp.refusal($$ SELECT rbac.remove_member('duo', 'oscar') $$),
	'42501: It involves scopes outside the reach of principal "alice" in workspace "duo": {tenant.delete}.',
	'in a shared workspace an Admin cannot remove an Owner either');
SELECT FROM rbac.set_principal(NULL);
SELECT FROM rbac.create_role('deleter', 'Deleter', 'workspace', '{tenant.delete}',
	belongs_to_workspace => 'duo', confirm_destructive => true);
SELECT FROM rbac.grant_role('duo', 'alice', 'deleter');
SELECT FROM rbac.set_principal('alice');
SELECT lives_ok($$ SELECT rbac.remove_member('duo', 'oscar') $$,
	'once the Admin also holds tenant.delete (a custom role, not Owner) she can remove an Owner');
SELECT FROM rbac.set_principal(NULL);
SELECT is(rbac.owners_of('duo'), ARRAY['olive'], 'and oscar is gone while olive remains (002 at least one Owner)');

-- ===================================================================
-- The escalation guard against a narrower manager, on every path
-- ===================================================================

-- hugo holds Viewer plus the four member scopes: he may manage people, but
-- only those whose reach lies inside his.
SELECT FROM rbac.set_principal('hugo');
SELECT lives_ok($$ SELECT rbac.add_member('acme', 'ivy', 'viewer') $$,
	'a people manager invites a Viewer: Viewer lies inside his reach');
SELECT lives_ok($$ SELECT rbac.grant_resource_role('acme', 'project', 'p1', 'vera', 'membership_viewer') $$,
	'and grants Membership Viewer on a project');
SELECT FROM rbac.set_principal(NULL);
SELECT pg_temp.model_state() AS before \gset
SELECT FROM rbac.set_principal('hugo');
SELECT is(pg_temp.refusal(v.sql), v.expected, v.description)
FROM (VALUES
	($$ SELECT rbac.add_member('acme', 'ian', 'member') $$,
		'42501: It involves scopes outside the reach of principal "hugo" in workspace "acme": {api_keys.create,api_keys.read,chat.send,flows.run,pr.merge,pr.open,runs.cancel,runs.start,sandboxes.use,sessions.manage,tasks.manage}.',
		'add_member: he cannot invite as Member, and the detail names the scopes Member adds'),
	($$ SELECT rbac.set_role('acme', 'ivy', 'member') $$,
		'42501: It involves scopes outside the reach of principal "hugo" in workspace "acme": {api_keys.create,api_keys.read,chat.send,flows.run,pr.merge,pr.open,runs.cancel,runs.start,sandboxes.use,sessions.manage,tasks.manage}.',
		'set_role: he cannot raise a Viewer to Member'),
	($$ SELECT rbac.grant_role('acme', 'ivy', 'member') $$,
		'42501: It involves scopes outside the reach of principal "hugo" in workspace "acme": {api_keys.create,api_keys.read,chat.send,flows.run,pr.merge,pr.open,runs.cancel,runs.start,sandboxes.use,sessions.manage,tasks.manage}.',
		'grant_role: nor grant Member'),
	($$ SELECT rbac.set_role('acme', 'frank', 'viewer') $$,
		'42501: It involves scopes outside the reach of principal "hugo" in workspace "acme": {api_keys.create,api_keys.read,chat.send,flows.run,pr.merge,pr.open,runs.cancel,runs.start,sandboxes.use,sessions.manage,tasks.manage}.',
		'set_role: nor lower a Member, whose reach exceeds his'),
	($$ SELECT rbac.revoke_role('acme', 'frank', 'member') $$,
		'42501: It involves scopes outside the reach of principal "hugo" in workspace "acme": {api_keys.create,api_keys.read,chat.send,flows.run,pr.merge,pr.open,runs.cancel,runs.start,sandboxes.use,sessions.manage,tasks.manage}.',
		'revoke_role: nor revoke a role outside his reach'),
	($$ SELECT rbac.remove_member('acme', 'frank') $$,
		'42501: It involves scopes outside the reach of principal "hugo" in workspace "acme": {api_keys.create,api_keys.read,chat.send,flows.run,pr.merge,pr.open,runs.cancel,runs.start,sandboxes.use,sessions.manage,tasks.manage}.',
		'remove_member: nor remove a Member'),
	($$ SELECT rbac.remove_member('acme', 'alice') $$,
		'42501: It involves scopes outside the reach of principal "hugo" in workspace "acme": ' ||
		(SELECT (a.scopes OPERATOR(rbac.-) v.scopes OPERATOR(rbac.-) m.scopes)::text
		 FROM rbac.roles AS a, rbac.roles AS v, rbac.roles AS m
		 WHERE a.key = 'admin' AND v.key = 'viewer' AND m.key = 'people_manager') || '.',
		'remove_member: nor remove an Admin (the detail names all Admin holds beyond him)'),
	($$ SELECT rbac.grant_resource_role('acme', 'project', 'p1', 'vera', 'membership_contributor') $$,
		'42501: It involves scopes outside the reach of principal "hugo" in project "p1" of workspace "acme": ' ||
		(SELECT (c.scopes OPERATOR(rbac.-) v.scopes)::text FROM rbac.roles AS c, rbac.roles AS v
		 WHERE c.key = 'membership_contributor' AND v.key = 'viewer') || '.',
		'grant_resource_role: nor grant a resource role outside his reach on that project'),
	($$ SELECT rbac.revoke_resource_role('acme', 'project', 'p1', 'rita', 'membership_planner') $$,
		'42501: It involves scopes outside the reach of principal "hugo" in project "p1" of workspace "acme": ' ||
		(SELECT (c.scopes OPERATOR(rbac.-) v.scopes)::text FROM rbac.roles AS c, rbac.roles AS v
		 WHERE c.key = 'membership_planner' AND v.key = 'viewer') || '.',
		'revoke_resource_role: nor revoke one'),
	($$ SELECT rbac.remove_member('acme', 'rita') $$,
		'42501: It involves scopes outside the reach of principal "hugo" in project "p1" of workspace "acme": ' ||
		(SELECT (c.scopes OPERATOR(rbac.-) v.scopes)::text FROM rbac.roles AS c, rbac.roles AS v
		 WHERE c.key = 'membership_planner' AND v.key = 'viewer') || '.',
		'remove_member: nor remove a Viewer whose reach on one project exceeds his')
) AS v(sql, expected, description);
SELECT FROM rbac.set_principal(NULL);
SELECT is(pg_temp.model_state(), :'before', 'the people manager''s refused calls changed no grant and wrote no audit row');
SELECT FROM rbac.set_principal('hugo');
SELECT is(rbac.revoke_resource_role('acme', 'project', 'p1', 'vera', 'membership_viewer'), true,
	'he revokes the resource role he could grant');
SELECT lives_ok($$ SELECT rbac.remove_member('acme', 'ivy') $$, 'and removes the Viewer he invited');
SELECT FROM rbac.set_principal(NULL);

-- ===================================================================
-- Kinds never cross, and bad arguments
-- ===================================================================

SELECT pg_temp.model_state() AS before \gset
SELECT FROM rbac.set_principal('alice');
SELECT throws_ok(v.sql, v.state, NULL, v.description)
FROM (VALUES
	($$ SELECT rbac.grant_role('acme', 'frank', 'membership_viewer') $$, '42809',
		'a resource role cannot be granted on a workspace (003 kinds never cross)'),
	($$ SELECT rbac.grant_resource_role('acme', 'project', 'p1', 'frank', 'viewer') $$, '42809',
		'a workspace role cannot be granted on one project'),
	($$ SELECT rbac.add_member('acme', 'zed', 'membership_viewer') $$, '42809',
		'an invitation gives a workspace role, not a resource role'),
	($$ SELECT rbac.add_member('acme', 'zed', 'org_member') $$, '42809',
		'nor an organization role'),
	($$ SELECT rbac.add_member('acme', 'zed', 'nonesuch') $$, '42704', 'an unknown role is refused'),
	($$ SELECT rbac.add_member('nowhere', 'zed') $$, '42501',
		'an unknown workspace is refused as another''s would be: a principal learns not even that it does not exist'),
	($$ SELECT rbac.add_member('acme', 'frank') $$, '42710', 'an existing member cannot be invited again'),
	($$ SELECT rbac.set_role('acme', 'zed', 'viewer') $$, '42704', 'set_role needs a member'),
	($$ SELECT rbac.grant_role('acme', 'zed', 'viewer') $$, '42704', 'grant_role needs a member'),
	($$ SELECT rbac.remove_member('acme', 'zed') $$, '42704', 'remove_member needs a member'),
	($$ SELECT rbac.grant_resource_role('acme', 'epic', 'e1', 'frank', 'membership_viewer') $$, '42704',
		'a resource role needs a registered resource type'),
	($$ SELECT rbac.grant('frank', 'membership_viewer', 'acme', 'project', NULL) $$, '22004',
		'a resource grant needs both type and id')
) AS v(sql, state, description);
SELECT FROM rbac.set_principal(NULL);
SELECT is(pg_temp.model_state(), :'before', 'the refused calls with bad arguments changed nothing');

-- ===================================================================
-- Organizations: organization roles and global workspace roles (001)
-- ===================================================================

SELECT FROM rbac.create_organization('globex', 'Globex');
SELECT FROM rbac.grant_org_role('globex', 'gail', 'org_owner');
SELECT FROM rbac.grant_org_role('globex', 'ada', 'org_admin');
SELECT FROM rbac.grant_org_role('globex', 'omar', 'org_member');
SELECT FROM rbac.create_workspace('g1', 'Globex One', 'gwen', 'globex');
SELECT FROM rbac.create_workspace('g2', 'Globex Two', 'gwen', 'globex');

-- A workspace role granted on the organization applies in all its workspaces.
SELECT lives_ok($$ SELECT rbac.grant_org_role('globex', 'gus', 'viewer') $$,
	'the operator grants Viewer on the organization: a global role (001)');
SELECT ok(rbac.principal_has_scope('gus', 'documents.read', 'g1') AND rbac.principal_has_scope('gus', 'documents.read', 'g2'),
	'001 global roles apply in every workspace of the organization');
SELECT ok(NOT rbac.principal_has_scope('gus', 'documents.read', 'acme'), 'but not in a workspace outside it');
SELECT FROM rbac.create_workspace('g3', 'Globex Three', 'gwen', 'globex');
SELECT ok(rbac.principal_has_scope('gus', 'documents.read', 'g3'), 'including a workspace created afterwards');
SELECT ok(NOT rbac.principal_has_scope('gus', 'documents.edit', 'g1'), 'and only the scopes of the role');

SELECT FROM rbac.set_principal(NULL);
SELECT pg_temp.model_state() AS before \gset
SELECT is(pg_temp.refusal(v.sql), v.expected, v.description)
FROM (VALUES
	($$ SELECT rbac.set_principal('omar'); SELECT rbac.grant_org_role('globex', 'otto', 'org_member') $$,
		'42501: Principal "omar" lacks the scope org.members.manage in organization "globex".',
		'an Organization Member cannot grant organization roles'),
	($$ SELECT rbac.set_principal('omar'); SELECT rbac.revoke_org_role('globex', 'gus', 'viewer') $$,
		'42501: Principal "omar" lacks the scope org.members.manage in organization "globex".',
		'nor revoke them'),
	($$ SELECT rbac.set_principal('ada'); SELECT rbac.grant_org_role('globex', 'otto', 'org_owner') $$,
		'42501: It involves scopes outside the reach of principal "ada" in organization "globex": {org.delete}.',
		'an Organization Admin cannot grant Organization Owner: org.delete lies outside her reach'),
	($$ SELECT rbac.set_principal('ada'); SELECT rbac.revoke_org_role('globex', 'gail', 'org_owner') $$,
		'42501: It involves scopes outside the reach of principal "ada" in organization "globex": {org.delete}.',
		'nor take it from the Organization Owner'),
	($$ SELECT rbac.set_principal('ada'); SELECT rbac.revoke_org_role('globex', 'gail', 'org_member') $$,
		'42501: It involves scopes outside the reach of principal "ada" in organization "globex": {org.delete}.',
		'nor change the Organization Owner at all'),
	($$ SELECT rbac.set_principal('ada'); SELECT rbac.grant_org_role('globex', 'otto', 'member') $$,
		'42501: It involves scopes outside the reach of principal "ada" in organization "globex": ' ||
		(SELECT scopes::text FROM rbac.roles WHERE key = 'member') || '.',
		'nor grant a global workspace role while she holds no workspace role across the organization'),
	($$ SELECT rbac.grant_org_role('globex', 'otto', 'membership_viewer') $$,
		'42809: Organization roles are granted on organizations, workspace roles on workspaces or organizations, and resource roles on one resource; kinds never cross.',
		'even the operator cannot grant a resource role on an organization'),
	($$ SELECT rbac.grant_org_role('nowhere', 'otto', 'org_member') $$,
		'42704: Grants are made on organizations that rbac knows.',
		'an unknown organization is refused')
) AS v(sql, expected, description);
SELECT FROM rbac.set_principal(NULL);
SELECT is(pg_temp.model_state(), :'before', 'the refused organization calls changed no grant and wrote no audit row');

SELECT FROM rbac.set_principal('ada');
SELECT lives_ok($$ SELECT rbac.grant_org_role('globex', 'otto', 'org_member') $$,
	'an Organization Admin grants Organization Member');
SELECT is(pg_temp.last_audit('otto'), 'grant ada otto org_member', 'audited as a grant by ada');
SELECT is(rbac.revoke_org_role('globex', 'otto', 'org_member'), true, 'and revokes it');
SELECT is(pg_temp.last_audit('otto'), 'revoke ada otto org_member', 'audited as a revoke by ada');

-- Holding Admin across the organization, ada may give global roles inside it.
SELECT FROM rbac.set_principal(NULL);
SELECT FROM rbac.grant_org_role('globex', 'ada', 'admin');
SELECT FROM rbac.set_principal('ada');
-- The guard weighs each kind of role against her roles of that kind only.
SELECT is(rbac.actor_organization_reach('globex', v.kind)::text,
	(SELECT r.scopes::text FROM rbac.roles AS r WHERE r.builtin AND r.key = v.role),
	format('her reach for %s roles on the organization is her %s role alone', v.kind, v.role))
FROM (VALUES ('organization', 'org_admin'), ('workspace', 'admin')) AS v(kind, role);
SELECT lives_ok($$ SELECT rbac.grant_org_role('globex', 'otto', 'member') $$,
	'with Admin on the organization, she grants Member on the organization');
SELECT ok(rbac.principal_has_scope('otto', 'chat.send', 'g2'), 'which applies in its workspaces');
SELECT is(pg_temp.refusal($$ SELECT rbac.grant_org_role('globex', 'otto', 'owner') $$),
	'42501: It involves scopes outside the reach of principal "ada" in organization "globex": {tenant.delete}.',
	'but not Owner on the organization');
SELECT lives_ok($$ SELECT rbac.add_member('g1', 'gina') $$,
	'her global Admin role lets her invite in each workspace of the organization (001)');
SELECT throws_ok($$ SELECT rbac.remove_member('g1', 'gwen') $$, '42501', NULL,
	'but a global Admin cannot remove the Owner of one of its workspaces either');
SELECT is(rbac.revoke_org_role('globex', 'gus', 'viewer'), true, 'she revokes gus''s global Viewer');
SELECT ok(NOT rbac.principal_has_scope('gus', 'documents.read', 'g1'), 'and it no longer applies in the workspaces');
SELECT FROM rbac.set_principal(NULL);

SELECT * FROM finish();
ROLLBACK;
