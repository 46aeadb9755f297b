-- Custom roles and their guardrails (003): the operator-only scope can never
-- be added, not even through a wildcard; destructive scopes must be
-- confirmed and the error names them; a key or name may not repeat a
-- built-in's (case-insensitive) nor another role's visible at the same node;
-- every scope must be in the catalog and not retired, and a wildcard must
-- match one; resource roles take only resource-grantable scopes and
-- organization roles only organization scopes.  Roles belong to one
-- workspace, or to an organization and so to all its workspaces (001).
-- Built-ins cannot be changed (004).  clone_role copies minus operator-only
-- scopes; drop_role is refused while held unless the grants are reassigned
-- to a role of the same kind.  An actor adds or removes only scopes they
-- hold, and every change is seen by holders in the next statement.
BEGIN;
SELECT plan(137);
SET LOCAL client_min_messages = error;

-- The SQLSTATE, message, detail and hint of the error a statement raises,
-- or state 'no error'; whatever the statement changed is undone either way.
CREATE FUNCTION pg_temp.err(stmt text, OUT state text, OUT message text, OUT detail text, OUT hint text)
LANGUAGE plpgsql AS $$
BEGIN
	BEGIN
		BEGIN
			EXECUTE stmt;
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
			                        detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
			RETURN;
		END;
		RAISE EXCEPTION USING ERRCODE = 'P0099', MESSAGE = 'undo';
	EXCEPTION WHEN SQLSTATE 'P0099' THEN
		state := 'no error';
	END;
END $$;

-- 'SQLSTATE: message', or 'no error'.
CREATE FUNCTION pg_temp.refusal(stmt text) RETURNS text LANGUAGE sql AS $$
	SELECT e.state || coalesce(': ' || e.message, '') FROM pg_temp.err(stmt) AS e;
$$;

CREATE FUNCTION pg_temp.scopes_of(key text, workspace text DEFAULT NULL, organization text DEFAULT NULL)
	RETURNS text LANGUAGE sql AS $$
	SELECT r.scopes::text FROM rbac.roles AS r
	WHERE r.key = $1 AND r.workspace_id IS NOT DISTINCT FROM $2 AND r.organization_id IS NOT DISTINCT FROM $3;
$$;

CREATE FUNCTION pg_temp.model_state() RETURNS text LANGUAGE sql AS $$
	SELECT format('%s grants, %s roles, %s audit rows, %s',
		(SELECT count(*) FROM rbac.grants), (SELECT count(*) FROM rbac.roles),
		(SELECT count(*) FROM rbac.audit_log),
		md5(concat_ws('|',
			(SELECT string_agg(concat_ws('/', g.principal, g.role_id, g.organization_id, g.workspace_id,
			                             g.resource_type, g.resource_id), ',' ORDER BY g.id) FROM rbac.grants AS g),
			(SELECT string_agg(concat_ws('/', r.id, r.key, r.name, r.scopes::text), ',' ORDER BY r.id) FROM rbac.roles AS r),
			(SELECT string_agg(a.id::text, ',' ORDER BY a.id) FROM rbac.audit_log AS a))));
$$;

-- ===================================================================
-- Setup, as the platform operator
-- ===================================================================

SELECT FROM rbac.create_workspace('acme', 'Acme', 'olive');
SELECT FROM rbac.add_member('acme', 'alice', 'admin');
SELECT FROM rbac.add_member('acme', 'frank');
SELECT FROM rbac.add_member('acme', 'vera', 'viewer');
SELECT FROM rbac.create_workspace('solo', 'Solo', 'sam');
SELECT FROM rbac.create_organization('globex', 'Globex');
SELECT FROM rbac.grant_org_role('globex', 'ada', 'org_admin');
SELECT FROM rbac.grant_org_role('globex', 'omar', 'org_member');
SELECT FROM rbac.create_workspace('g1', 'Globex One', 'gwen', 'globex');
SELECT FROM rbac.create_workspace('g2', 'Globex Two', 'gwen', 'globex');
SELECT FROM rbac.create_scope('epics.archive', 'planning', 'Archive epics', 'plan');
SELECT FROM rbac.retire_scope('epics.archive');

-- ===================================================================
-- An Admin creates a custom role for her workspace
-- ===================================================================

SELECT FROM rbac.set_principal('alice');
SELECT lives_ok($$ SELECT rbac.create_role('doc_editor', 'Document Editor', 'workspace',
	'{documents.read,documents.comment,documents.edit}', 'Edits documents', belongs_to_workspace => 'acme') $$,
	'an Admin creates a workspace role from catalog scopes (roles.manage)');
SELECT is((SELECT concat_ws(' ', kind, builtin::text, workspace_id, organization_id, description) FROM rbac.roles WHERE key = 'doc_editor'),
	'workspace false acme Edits documents', 'it is a custom workspace role of acme');
SELECT lives_ok($$ SELECT rbac.grant_role('acme', 'frank', 'doc_editor') $$, 'and it can be granted there');
SELECT ok(rbac.principal_has_scope('frank', 'documents.edit', 'acme'), 'its holder gains its scopes');

-- ===================================================================
-- The guardrails (003), each refused with its SQLSTATE and message
-- ===================================================================

SELECT pg_temp.model_state() AS before \gset
SELECT is(pg_temp.refusal(v.sql), v.expected, v.description)
FROM (VALUES
	-- operator-only: never, not even through a wildcard, not even by the operator
	($$ SELECT rbac.create_role('x1', 'X1', 'workspace', '{entitlements.override}', belongs_to_workspace => 'acme') $$,
		'42501: operator-only scopes cannot be added to a role: entitlements.override',
		'003 guardrail: the operator-only scope can never be added'),
	($$ SELECT rbac.create_role('x1', 'X1', 'workspace', '{entitlements.*}', belongs_to_workspace => 'acme') $$,
		'42501: operator-only scopes cannot be added to a role: entitlements.override',
		'003 guardrail: not through a wildcard that covers it'),
	($$ SELECT rbac.set_principal(NULL); SELECT rbac.create_role('x1', 'X1', 'workspace', '{*.*}', belongs_to_workspace => 'acme', confirm_destructive => true) $$,
		'42501: operator-only scopes cannot be added to a role: entitlements.override',
		'003 guardrail: not even by the operator with a catch-all wildcard'),
	($$ SELECT rbac.set_principal(NULL); SELECT rbac.create_role('x1', 'X1', 'workspace', '{entitlements.override}') $$,
		'42501: operator-only scopes cannot be added to a role: entitlements.override',
		'003 guardrail: nor to a database-wide role'),
	($$ SELECT rbac.alter_role('doc_editor', 'acme', add_scopes => '{entitlements.override}') $$,
		'42501: operator-only scopes cannot be added to a role: entitlements.override',
		'003 guardrail: nor by altering a role'),
	-- destructive scopes must be confirmed, and are named
	($$ SELECT rbac.create_role('x1', 'X1', 'workspace', '{documents.read,secrets.rotate,pr.merge}', belongs_to_workspace => 'acme') $$,
		'22023: destructive scopes need confirmation: pr.merge, secrets.rotate',
		'003 guardrail: destructive scopes need confirm_destructive, and the error names them'),
	($$ SELECT rbac.create_role('x1', 'X1', 'workspace', '{documents.*}', belongs_to_workspace => 'acme') $$,
		'22023: destructive scopes need confirmation: documents.delete',
		'003 guardrail: a wildcard covering a destructive scope needs confirmation too'),
	($$ SELECT rbac.alter_role('doc_editor', 'acme', add_scopes => '{documents.delete}') $$,
		'22023: destructive scopes need confirmation: documents.delete',
		'003 guardrail: adding a destructive scope to a role needs confirmation'),
	-- names and keys
	($$ SELECT rbac.create_role('admin', 'Administrator', 'workspace', '{documents.read}', belongs_to_workspace => 'acme') $$,
		'42710: role key or name "admin" is already taken',
		'003 guardrail: a custom role cannot take a built-in''s key'),
	($$ SELECT rbac.create_role('boss', 'ADMIN', 'workspace', '{documents.read}', belongs_to_workspace => 'acme') $$,
		'42710: role key or name "admin" is already taken',
		'003 guardrail: nor its name in another case (ADMIN)'),
	($$ SELECT rbac.create_role('money', 'billing manager', 'workspace', '{documents.read}', belongs_to_workspace => 'acme') $$,
		'42710: role key or name "Billing Manager" is already taken',
		'003 guardrail: nor a built-in''s name compared without case (billing manager)'),
	($$ SELECT rbac.create_role('ops', 'Workspace_Operator', 'workspace', '{documents.read}', belongs_to_workspace => 'acme') $$,
		'42710: role key or name "workspace_operator" is already taken',
		'003 guardrail: nor a name equal to a built-in''s key'),
	($$ SELECT rbac.create_role('Owner', 'Boss', 'workspace', '{documents.read}', belongs_to_workspace => 'acme') $$,
		'22023: invalid role key "Owner" or name "Boss"',
		'a key is lowercase, so a capitalised built-in key is refused as invalid'),
	($$ SELECT rbac.create_role('doc_editor', 'Another', 'workspace', '{documents.read}', belongs_to_workspace => 'acme') $$,
		'42710: role key or name "doc_editor" is already taken',
		'003 guardrail: nor the key of another role of the same workspace'),
	($$ SELECT rbac.create_role('doc_editor2', 'document editor', 'workspace', '{documents.read}', belongs_to_workspace => 'acme') $$,
		'42710: role key or name "Document Editor" is already taken',
		'003 guardrail: nor its name, without regard to case'),
	-- the catalog
	($$ SELECT rbac.create_role('x1', 'X1', 'workspace', '{documents.read,nope.read}', belongs_to_workspace => 'acme') $$,
		'22023: scopes not in the catalog: nope.read',
		'003 guardrail: an unknown scope is refused'),
	($$ SELECT rbac.create_role('x1', 'X1', 'workspace', '{nope.*}', belongs_to_workspace => 'acme') $$,
		'22023: scopes not in the catalog: nope.*',
		'003 guardrail: a wildcard must match at least one catalog scope'),
	($$ SELECT rbac.set_principal(NULL); SELECT rbac.create_role('x1', 'X1', 'workspace', '{epics.archive}', belongs_to_workspace => 'acme') $$,
		'22023: scopes not in the catalog: epics.archive',
		'003 guardrail: a retired scope is refused'),
	($$ SELECT rbac.set_principal(NULL); SELECT rbac.create_role('x1', 'X1', 'workspace', '{epics.*}', belongs_to_workspace => 'acme') $$,
		'22023: scopes not in the catalog: epics.*',
		'003 guardrail: a wildcard matching only retired scopes is refused'),
	-- kinds
	($$ SELECT rbac.create_role('x1', 'X1', 'resource', '{documents.read,tenant.read}', belongs_to_workspace => 'acme') $$,
		'22023: scopes that cannot be granted on a single resource: tenant.read',
		'003 guardrail: a resource role takes only resource-grantable scopes'),
	($$ SELECT rbac.create_role('x1', 'X1', 'resource', '{documents.read,documents.delete}', belongs_to_workspace => 'acme', confirm_destructive => true) $$,
		'22023: scopes that cannot be granted on a single resource: documents.delete',
		'003 guardrail: deleting a document is not resource-grantable'),
	($$ SELECT rbac.create_role('x1', 'X1', 'workspace', '{documents.read,org.read}', belongs_to_workspace => 'acme') $$,
		'22023: scopes that do not act on a workspace: org.read',
		'a workspace role takes no organization scope'),
	($$ SELECT rbac.set_principal(NULL); SELECT rbac.create_role('x1', 'X1', 'organization', '{org.read,documents.read}', belongs_to_organization => 'globex') $$,
		'22023: scopes that do not act on an organization: documents.read',
		'an organization role takes only organization scopes'),
	($$ SELECT rbac.create_role('x1', 'X1', 'organization', '{org.read}', belongs_to_workspace => 'acme') $$,
		'22023: an organization role cannot belong to a workspace',
		'an organization role cannot belong to a workspace'),
	($$ SELECT rbac.create_role('x1', 'X1', 'team', '{documents.read}', belongs_to_workspace => 'acme') $$,
		'22023: invalid role kind "team"', 'an unknown kind is refused'),
	($$ SELECT rbac.set_principal(NULL); SELECT rbac.create_role('x1', 'X1', 'workspace', '{documents.read}', belongs_to_workspace => 'g1', belongs_to_organization => 'globex') $$,
		'22023: a custom role belongs to a workspace or an organization, not both',
		'a role belongs to one node')
) AS v(sql, expected, description);
SELECT is((pg_temp.err($$ SELECT rbac.create_role('x1', 'X1', 'workspace', '{tenant.delete}', belongs_to_workspace => 'acme') $$)).hint,
	'Pass confirm_destructive => true if the role should hold them.', 'the destructive refusal hints how to confirm');
SELECT is((pg_temp.err($$ SELECT rbac.create_role('x1', 'X1', 'workspace', '{entitlements.*}', belongs_to_workspace => 'acme') $$)).hint,
	'Remove them, or narrow the wildcard that covers them.', 'the operator-only refusal hints what to do');
SELECT is((pg_temp.err($$ SELECT rbac.create_role('boss', 'ADMIN', 'workspace', '{documents.read}', belongs_to_workspace => 'acme') $$)).detail,
	'The built-in role "admin" (Admin) uses it, and built-in names mean the same everywhere.',
	'the name refusal says which built-in uses it');
SELECT is(pg_temp.model_state(), :'before', 'no refused guardrail created a role or wrote an audit row');

SELECT FROM rbac.set_principal(NULL);
SELECT lives_ok($$ SELECT rbac.create_role('wiper', 'Wiper', 'workspace', '{tenant.read,tenant.delete}',
	belongs_to_workspace => 'acme', confirm_destructive => true) $$,
	'with confirm_destructive the operator creates a role holding tenant.delete');
SELECT lives_ok($$ SELECT rbac.create_role('doc_editor', 'Document Editor', 'workspace', '{documents.read}',
	belongs_to_workspace => 'solo') $$,
	'a role of an unrelated workspace may reuse a key: it is never visible with acme''s');
SELECT lives_ok($$ SELECT rbac.create_role('commenter', 'Commenter', 'resource', '{documents.read,documents.comment}',
	belongs_to_workspace => 'acme') $$, 'a resource role of resource-grantable scopes is accepted');
SELECT lives_ok($$ SELECT rbac.grant_resource_role('acme', 'project', 'p1', 'vera', 'commenter') $$,
	'and is granted on one project');
SELECT throws_ok($$ SELECT rbac.grant_role('acme', 'vera', 'commenter') $$, '42809', NULL,
	'but not on the workspace: kinds never cross (003)');

-- ===================================================================
-- 001 roles for one workspace, or for all workspaces of an organization
-- ===================================================================

SELECT lives_ok($$ SELECT rbac.create_role('reviewer', 'Reviewer', 'workspace', '{documents.read,documents.comment}',
	belongs_to_organization => 'globex') $$, '001 a role for all workspaces of an organization');
SELECT lives_ok($$ SELECT rbac.create_role('g1_editor', 'G1 Editor', 'workspace', '{documents.read,documents.edit}',
	belongs_to_workspace => 'g1') $$, '001 a role for one workspace');
SELECT lives_ok($$ SELECT rbac.grant('rex', 'reviewer', 'g1') $$, 'the organization''s role is granted in g1');
SELECT lives_ok($$ SELECT rbac.grant('rex', 'reviewer', 'g2') $$, 'and in g2');
SELECT throws_ok($$ SELECT rbac.grant('rex', 'reviewer', 'acme') $$, '42704', NULL,
	'but not in a workspace outside the organization');
SELECT lives_ok($$ SELECT rbac.grant('rex', 'g1_editor', 'g1') $$, 'the one-workspace role is granted in its workspace');
SELECT throws_ok($$ SELECT rbac.grant('rex', 'g1_editor', 'g2') $$, '42704', NULL,
	'and in no other, even in the same organization');
SELECT lives_ok($$ SELECT rbac.grant_org_role('globex', 'gus', 'reviewer') $$,
	'the organization''s role granted on the organization is a global role');
SELECT ok(rbac.principal_has_scope('gus', 'documents.comment', 'g1') AND rbac.principal_has_scope('gus', 'documents.comment', 'g2'),
	'001 it applies in every workspace of the organization');
SELECT lives_ok($$ SELECT rbac.create_role('org_auditor', 'Org Auditor', 'organization', '{org.read,org.members.read}',
	belongs_to_organization => 'globex') $$, 'a custom organization role of organization scopes');
SELECT lives_ok($$ SELECT rbac.grant_org_role('globex', 'otto', 'org_auditor') $$, 'is granted on the organization');
SELECT FROM rbac.set_principal('otto');
SELECT ok(rbac.has_org_scope('org.members.read', 'globex'), 'and gives its scopes there');
SELECT FROM rbac.set_principal(NULL);

-- Visibility overlaps: a key is unique wherever the roles would meet.
SELECT FROM rbac.create_role('auditor', 'Auditor', 'workspace', '{audit.read}', belongs_to_workspace => 'g2');
SELECT FROM rbac.create_role('global_helper', 'Global Helper', 'workspace', '{documents.read}');
SELECT is(pg_temp.refusal(v.sql), v.expected, v.description)
FROM (VALUES
	($$ SELECT rbac.create_role('reviewer', 'Reviewer Two', 'workspace', '{documents.read}', belongs_to_workspace => 'g1') $$,
		'42710: role key or name "reviewer" is already taken',
		'a workspace role cannot take the key of its organization''s role'),
	($$ SELECT rbac.create_role('auditor', 'Auditor Two', 'workspace', '{audit.read}', belongs_to_organization => 'globex') $$,
		'42710: role key or name "auditor" is already taken',
		'an organization role cannot take the key of a role of one of its workspaces'),
	($$ SELECT rbac.create_role('global_helper', 'Helper Two', 'workspace', '{documents.read}', belongs_to_workspace => 'acme') $$,
		'42710: role key or name "global_helper" is already taken',
		'a workspace role cannot take the key of a database-wide role'),
	($$ SELECT rbac.create_role('g1_editor', 'Editor Everywhere', 'workspace', '{documents.read}') $$,
		'42710: role key or name "g1_editor" is already taken',
		'a database-wide role cannot take the key of any workspace''s role'),
	($$ SELECT rbac.create_role('x2', 'Auditor', 'workspace', '{audit.read}', belongs_to_organization => 'globex') $$,
		'42710: role key or name "auditor" is already taken',
		'nor take as its name the key of a role of one of its workspaces')
) AS v(sql, expected, description);
SELECT lives_ok($$ SELECT rbac.create_role('reviewer', 'Reviewer', 'workspace', '{documents.read}', belongs_to_workspace => 'acme') $$,
	'a workspace outside the organization may use the key');

-- Who may manage an organization's roles.
SELECT is(pg_temp.refusal($$ SELECT rbac.set_principal('omar'); SELECT rbac.create_role('x3', 'X3', 'organization', '{org.read}', belongs_to_organization => 'globex') $$),
	'42501: permission denied to create role "x3"', 'an Organization Member cannot create organization roles (org.roles.manage)');
SELECT lives_ok($$ SELECT rbac.set_principal('ada'); SELECT rbac.create_role('x3', 'X3', 'organization', '{org.read}', belongs_to_organization => 'globex') $$,
	'an Organization Admin can, within her reach');
SELECT is((pg_temp.err($$ SELECT rbac.set_principal('ada'); SELECT rbac.create_role('x4', 'X4', 'organization', '{org.delete}', belongs_to_organization => 'globex', confirm_destructive => true) $$)).detail,
	'It involves scopes outside the reach of principal "ada" in organization "globex": {org.delete}.',
	'but not with org.delete, which she does not hold');
SELECT FROM rbac.set_principal(NULL);

-- ===================================================================
-- 004 built-in roles cannot be changed
-- ===================================================================

SELECT is(pg_temp.refusal(v.sql), v.expected, v.description)
FROM (VALUES
	($$ SELECT rbac.alter_role('admin', add_scopes => '{tenant.delete}', confirm_destructive => true) $$,
		'42501: cannot change built-in role "admin"', '004 built-ins unchangeable: not even the operator alters Admin'),
	($$ SELECT rbac.alter_role('member', name => 'Worker') $$,
		'42501: cannot change built-in role "member"', '004 built-ins unchangeable: nor renames Member'),
	($$ SELECT rbac.drop_role('owner') $$,
		'42501: cannot change built-in role "owner"', '004 built-ins unchangeable: nor drops Owner'),
	($$ UPDATE rbac.roles SET scopes = scopes OPERATOR(rbac.|) '{tenant.delete}' WHERE key = 'admin' $$,
		'42501: cannot update built-in role "admin"', '004 built-ins unchangeable: not by direct UPDATE as superuser'),
	($$ DELETE FROM rbac.roles WHERE key = 'viewer' $$,
		'42501: cannot delete built-in role "viewer"', '004 built-ins unchangeable: not by direct DELETE'),
	($$ SELECT rbac.alter_role('doc_editor', add_scopes => '{documents.create}') $$,
		'42704: custom role "doc_editor" does not exist at database level', 'a custom role is named with the node it belongs to')
) AS v(sql, expected, description);

-- ===================================================================
-- clone_role: the source's scopes minus operator-only ones
-- ===================================================================

SELECT FROM rbac.set_principal('alice');
SELECT lives_ok($$ SELECT rbac.clone_role('viewer', 'my_viewer', belongs_to_workspace => 'acme') $$,
	'an Admin clones a built-in');
SELECT is(pg_temp.scopes_of('my_viewer', 'acme'), pg_temp.scopes_of('viewer'), 'the clone has the scopes of its source');
SELECT is((SELECT concat_ws(' / ', name, description, kind) FROM rbac.roles WHERE key = 'my_viewer'),
	'My Viewer / Cloned from Viewer. / workspace', 'and a name, a description and the kind of its source');
SELECT lives_ok($$ SELECT rbac.clone_role('membership_viewer', 'project_reader', 'Project Reader', belongs_to_workspace => 'acme') $$,
	'a resource role clones to a resource role');
SELECT is((SELECT kind FROM rbac.roles WHERE key = 'project_reader'), 'resource', 'of the same kind');
SELECT is(pg_temp.refusal($$ SELECT rbac.clone_role('owner', 'my_owner', belongs_to_workspace => 'acme') $$),
	'22023: destructive scopes need confirmation: api_keys.manage, bugs.delete, documents.delete, flows.delete, goals.delete, initiatives.delete, members.remove, plans.delete, portfolios.delete, pr.merge, projects.delete, secrets.delete, secrets.rotate, sprints.delete, teams.delete, tenant.delete, test_cases.delete',
	'cloning Owner needs confirmation of its destructive scopes, all named');
SELECT is((pg_temp.err($$ SELECT rbac.clone_role('owner', 'my_owner', belongs_to_workspace => 'acme', confirm_destructive => true) $$)).detail,
	'It involves scopes outside the reach of principal "alice" in workspace "acme": {tenant.delete}.',
	'and an Admin cannot clone Owner: tenant.delete lies outside her reach');
SELECT lives_ok($$ SELECT rbac.clone_role('admin', 'deputy', 'Deputy', belongs_to_workspace => 'acme', confirm_destructive => true) $$,
	'an Admin clones Admin, confirming its destructive scopes');
SELECT is(pg_temp.scopes_of('deputy', 'acme'), pg_temp.scopes_of('admin'), 'with all of Admin''s scopes');
SELECT is(pg_temp.refusal($$ SELECT rbac.clone_role('viewer', 'viewer2', 'Viewer', belongs_to_workspace => 'acme') $$),
	'42710: role key or name "viewer" is already taken', 'a clone cannot keep the built-in''s name');
SELECT is(pg_temp.refusal(x.sql), x.expected, x.description)
FROM (VALUES
	($$ SELECT rbac.create_role('admin_2', 'Admin ', 'workspace', '{documents.read}', belongs_to_workspace => 'acme') $$,
		'22023: invalid role name "Admin "', 'a name with a trailing space is refused, so it cannot sit beside Admin'),
	($$ SELECT rbac.create_role('admin_3', 'Release  Manager', 'workspace', '{documents.read}', belongs_to_workspace => 'acme') $$,
		'22023: invalid role name "Release  Manager"', 'and so is doubled white space'),
	($$ SELECT rbac.create_role('admin_4', E'Admin\t', 'workspace', '{documents.read}', belongs_to_workspace => 'acme') $$,
		E'22023: invalid role name "Admin\t"', 'and a control character'),
	($$ SELECT rbac.create_role('admin_5', 'ADMIN', 'workspace', '{documents.read}', belongs_to_workspace => 'acme') $$,
		'42710: role key or name "admin" is already taken', 'case makes no difference')
) AS x(sql, expected, description);
-- A role written by direct DML, or kept from before names were checked,
-- may still have stray white space: a new name is compared with it as
-- people read it, and so is a rename.
INSERT INTO rbac.roles (key, name, kind, scopes, workspace_id) VALUES
	('spaced_release', 'Release  Manager', 'workspace', '{documents.read}', 'acme'),
	('spaced_auditor', ' Auditor ', 'workspace', '{documents.read}', 'acme'),
	('spaced_tab', E'Night\tWatch', 'workspace', '{documents.read}', 'acme');
SELECT is(pg_temp.refusal(x.sql), x.expected, x.description)
FROM (VALUES
	($$ SELECT rbac.create_role('release_manager', 'Release Manager', 'workspace', '{documents.read}', belongs_to_workspace => 'acme') $$,
		'42710: role key or name "Release  Manager" is already taken',
		'a name is taken by a stored name that differs only in doubled white space'),
	($$ SELECT rbac.create_role('auditor', 'auditor', 'workspace', '{documents.read}', belongs_to_workspace => 'acme') $$,
		'42710: role key or name " Auditor " is already taken', 'or in white space around it, and case'),
	($$ SELECT rbac.create_role('night_watch', 'Night Watch', 'workspace', '{documents.read}', belongs_to_workspace => 'acme') $$,
		E'42710: role key or name "Night\tWatch" is already taken', 'or in a tab for a space'),
	($$ SELECT rbac.alter_role('doc_editor', 'acme', name => 'release manager') $$,
		'42710: role key or name "Release  Manager" is already taken', 'and a rename is compared the same way')
) AS x(sql, expected, description);
DELETE FROM rbac.roles WHERE key LIKE 'spaced\_%';
SELECT FROM rbac.set_principal(NULL);
SELECT lives_ok($$ SELECT rbac.clone_role('billing_manager', 'finance', 'Finance', belongs_to_workspace => 'acme') $$,
	'the operator clones Billing Manager');
SELECT is(pg_temp.scopes_of('finance', 'acme'), '{ai_spend.export,ai_spend.read,audit.export,audit.read,entitlements.read,plan.read}',
	'the clone has its six scopes, without entitlements.override which its level also carries');
-- A role holding an operator-only scope can exist only by direct DML; its clone drops the scope.
INSERT INTO rbac.roles (key, name, kind, scopes, workspace_id)
VALUES ('legacy', 'Legacy', 'workspace', '{entitlements.read,entitlements.override}', 'acme');
SELECT lives_ok($$ SELECT rbac.clone_role('legacy', 'legacy_copy', belongs_to_workspace => 'acme') $$,
	'a role holding the operator-only scope can be cloned');
SELECT is(pg_temp.scopes_of('legacy_copy', 'acme'), '{entitlements.read}', '003 clone copies the scopes minus the operator-only one');

-- ===================================================================
-- alter_role, and changes taking effect at once
-- ===================================================================

SELECT FROM rbac.set_principal('alice');
SELECT lives_ok($$ SELECT rbac.alter_role('doc_editor', 'acme', add_scopes => '{documents.create}') $$,
	'an Admin adds a scope she holds to a custom role');
SELECT ok(rbac.principal_has_scope('frank', 'documents.create', 'acme'), 'the holder has it in the next statement');
SELECT lives_ok($$ SELECT rbac.alter_role('doc_editor', 'acme', remove_scopes => '{documents.edit}') $$,
	'she removes a scope she holds');
SELECT ok(NOT rbac.principal_has_scope('frank', 'documents.edit', 'acme'), 'the holder loses it in the next statement');
SELECT FROM rbac.set_principal('frank');
SELECT ok(NOT rbac.has_scope('documents.edit', 'acme') AND rbac.has_scope('documents.create', 'acme'),
	'and his own checks agree at once');
SELECT FROM rbac.set_principal('alice');
SELECT lives_ok($$ SELECT rbac.alter_role('doc_editor', 'acme', scopes => '{documents.read,documents.comment}') $$,
	'she replaces the scopes wholesale');
SELECT is(pg_temp.scopes_of('doc_editor', 'acme'), '{documents.comment,documents.read}', 'and the role holds exactly those');
SELECT lives_ok($$ SELECT rbac.alter_role('doc_editor', 'acme', name => 'Doc Reviewer', description => 'Reads and comments') $$,
	'she renames it');
SELECT is((SELECT name || ' / ' || description FROM rbac.roles WHERE key = 'doc_editor' AND workspace_id = 'acme'),
	'Doc Reviewer / Reads and comments', 'the new name and description are stored');
SELECT is(pg_temp.refusal($$ SELECT rbac.alter_role('doc_editor', 'acme', name => 'owner') $$),
	'42710: role key or name "owner" is already taken', 'a rename cannot take a built-in''s name');
SELECT is(pg_temp.refusal($$ SELECT rbac.alter_role('doc_editor', 'acme', add_scopes => '{org.read}') $$),
	'22023: scopes that do not act on a workspace: org.read', 'the guardrails apply to alterations');
SELECT is(pg_temp.refusal($$ SELECT rbac.alter_role('nonesuch', 'acme', name => 'X') $$),
	'42704: custom role "nonesuch" does not exist at workspace "acme"', 'an unknown role is refused');
SELECT is(pg_temp.refusal($$ SELECT rbac.set_principal('frank'); SELECT rbac.alter_role('doc_editor', 'acme', add_scopes => '{documents.edit}') $$),
	'42501: permission denied to alter role "doc_editor"', 'a Member cannot alter roles (roles.manage)');

-- ===================================================================
-- Escalation through custom roles: only scopes the actor holds
-- ===================================================================

SELECT FROM rbac.set_principal(NULL);
SELECT pg_temp.model_state() AS before \gset
SELECT FROM rbac.set_principal('alice');
SELECT is((pg_temp.err(v.sql)).detail, v.expected, v.description)
FROM (VALUES
	($$ SELECT rbac.create_role('boss', 'Boss', 'workspace', '{documents.read,tenant.delete}', belongs_to_workspace => 'acme', confirm_destructive => true) $$,
		'It involves scopes outside the reach of principal "alice" in workspace "acme": {tenant.delete}.',
		'an Admin cannot create a role with tenant.delete'),
	($$ SELECT rbac.alter_role('doc_editor', 'acme', add_scopes => '{tenant.delete}', confirm_destructive => true) $$,
		'It involves scopes outside the reach of principal "alice" in workspace "acme": {tenant.delete}.',
		'an Admin cannot add tenant.delete to a role she can grant'),
	($$ SELECT rbac.alter_role('doc_editor', 'acme', scopes => '{documents.read,tenant.delete}', confirm_destructive => true) $$,
		'It involves scopes outside the reach of principal "alice" in workspace "acme": {tenant.delete}.',
		'nor put it in by replacing the scopes'),
	($$ SELECT rbac.alter_role('wiper', 'acme', remove_scopes => '{tenant.delete}') $$,
		'It involves scopes outside the reach of principal "alice" in workspace "acme": {tenant.delete}.',
		'an Admin cannot remove tenant.delete from a role either'),
	($$ SELECT rbac.alter_role('wiper', 'acme', scopes => '{tenant.read}') $$,
		'It involves scopes outside the reach of principal "alice" in workspace "acme": {tenant.delete}.',
		'nor take it out by replacing the scopes'),
	($$ SELECT rbac.create_role('docs_all', 'Docs All', 'workspace', '{documents.*}', belongs_to_workspace => 'acme', confirm_destructive => true) $$,
		'It involves scopes outside the reach of principal "alice" in workspace "acme": {documents.*}.',
		'a wildcard (which covers scopes added later) lies inside no literal reach'),
	($$ SELECT rbac.clone_role('wiper', 'wiper2', belongs_to_workspace => 'acme', confirm_destructive => true) $$,
		'It involves scopes outside the reach of principal "alice" in workspace "acme": {tenant.delete}.',
		'nor clone a role that holds tenant.delete')
) AS v(sql, expected, description);
SELECT is(pg_temp.model_state(), :'before', 'the Admin''s refused role edits changed no role and wrote no audit row');
SELECT lives_ok($$ SELECT rbac.alter_role('wiper', 'acme', add_scopes => '{documents.read}') $$,
	'she may add a scope she holds to a role that also holds one she does not');
SELECT is(pg_temp.scopes_of('wiper', 'acme'), '{documents.read,tenant.delete,tenant.read}', 'the rest is untouched');

-- A role manager with Viewer's reach adds only Viewer's scopes.
SELECT FROM rbac.set_principal(NULL);
SELECT FROM rbac.create_role('role_manager', 'Role Manager', 'workspace', '{roles.manage}', belongs_to_workspace => 'acme');
SELECT FROM rbac.grant_role('acme', 'vera', 'role_manager');
SELECT FROM rbac.set_principal('vera');
SELECT lives_ok($$ SELECT rbac.create_role('reader', 'Reader', 'workspace', '{documents.read,tenant.read}', belongs_to_workspace => 'acme') $$,
	'a Viewer with roles.manage creates a role from scopes she holds');
SELECT is((pg_temp.err($$ SELECT rbac.alter_role('reader', 'acme', add_scopes => '{chat.send}') $$)).detail,
	'It involves scopes outside the reach of principal "vera" in workspace "acme": {chat.send}.',
	'but cannot add one she lacks');
SELECT is((pg_temp.err($$ SELECT rbac.alter_role('doc_editor', 'acme', remove_scopes => '{documents.comment}') $$)).detail,
	'It involves scopes outside the reach of principal "vera" in workspace "acme": {documents.comment}.',
	'nor remove one she lacks');

-- Dropping a role takes its scopes from every holder: the actor must hold them.
SELECT FROM rbac.set_principal(NULL);
SELECT FROM rbac.grant_role('acme', 'frank', 'wiper');
SELECT pg_temp.model_state() AS before \gset
SELECT FROM rbac.set_principal('alice');
SELECT is(pg_temp.refusal($$ SELECT rbac.revoke_role('acme', 'frank', 'wiper') $$),
	'42501: permission denied to revoke role "wiper" from "frank"',
	'control: an Admin cannot revoke a role holding tenant.delete');
SELECT is((pg_temp.err($$ SELECT rbac.drop_role('wiper', 'member', 'acme') $$)).state, '42501',
	'so neither can she drop it and reassign its holders: that revokes it from them');
SELECT is((pg_temp.err($$ SELECT rbac.alter_role('wiper', 'acme', scopes => '{}') $$)).state, '42501',
	'control: nor can she empty it');
SELECT FROM rbac.set_principal(NULL);
SELECT FROM rbac.revoke_role('acme', 'frank', 'wiper');
SELECT FROM rbac.set_principal('alice');
SELECT is((pg_temp.err($$ SELECT rbac.drop_role('wiper', belongs_to_workspace => 'acme') $$)).state, '42501',
	'nor drop it unheld: dropping removes tenant.delete from the role');
SELECT FROM rbac.set_principal(NULL);

-- ===================================================================
-- drop_role: refused while held unless reassigned to the same kind
-- ===================================================================

SELECT FROM rbac.set_principal('alice');
SELECT is(pg_temp.refusal($$ SELECT rbac.drop_role('doc_editor', belongs_to_workspace => 'acme') $$),
	'2BP01: role "doc_editor" is still held', 'a role is not dropped while held');
SELECT is((pg_temp.err($$ SELECT rbac.drop_role('doc_editor', belongs_to_workspace => 'acme') $$)).hint,
	'Pass reassign_to => another role of the same kind to move them.', 'the refusal hints at reassign_to');
SELECT is(pg_temp.refusal($$ SELECT rbac.drop_role('doc_editor', 'commenter', 'acme') $$),
	'42809: cannot reassign the holders of "doc_editor" to "commenter"', 'its holders move only to a role of the same kind');
SELECT is(pg_temp.refusal($$ SELECT rbac.drop_role('doc_editor', 'doc_editor', 'acme') $$),
	'42809: cannot reassign the holders of "doc_editor" to "doc_editor"', 'and not to the role itself');
SELECT is(pg_temp.refusal($$ SELECT rbac.drop_role('doc_editor', 'nonesuch', 'acme') $$),
	'42704: role "nonesuch" does not exist here', 'nor to an unknown role');
SELECT is(pg_temp.refusal($$ SELECT rbac.set_principal('frank'); SELECT rbac.drop_role('my_viewer', belongs_to_workspace => 'acme') $$),
	'42501: permission denied to drop role "my_viewer"', 'a Member cannot drop roles (roles.manage)');
SELECT lives_ok($$ SELECT rbac.drop_role('doc_editor', 'viewer', 'acme') $$, 'with reassign_to the held role is dropped');
SELECT is((SELECT count(*)::int FROM rbac.roles WHERE key = 'doc_editor' AND workspace_id = 'acme'), 0, 'it is gone');
SELECT is((SELECT array_agg(r.key ORDER BY r.key) FROM rbac.grants AS g JOIN rbac.roles AS r ON r.id = g.role_id
           WHERE g.principal = 'frank' AND g.workspace_id = 'acme'),
	ARRAY['member', 'viewer'], 'its holder now holds the role it was reassigned to');
SELECT ok(NOT rbac.principal_has_scope('frank', 'documents.comment', 'acme'), 'and lost its scopes in the next statement');
SELECT lives_ok($$ SELECT rbac.create_role('tmp_role', 'Temporary', 'workspace', '{documents.read}', belongs_to_workspace => 'acme') $$,
	'another role');
SELECT FROM rbac.grant_role('acme', 'frank', 'tmp_role');
SELECT lives_ok($$ SELECT rbac.drop_role('tmp_role', 'member', 'acme') $$,
	'dropped with reassignment to a role its holder already has');
SELECT is((SELECT count(*)::int FROM rbac.grants AS g WHERE g.principal = 'frank' AND g.workspace_id = 'acme'
             AND g.role_id = (SELECT id FROM rbac.roles WHERE key = 'member')), 1,
	'the holder keeps one grant of it');
SELECT lives_ok($$ SELECT rbac.drop_role('my_viewer', belongs_to_workspace => 'acme') $$, 'an unheld role is dropped');
SELECT is((SELECT count(*)::int FROM rbac.roles WHERE key = 'my_viewer'), 0, 'and is gone');
SELECT FROM rbac.set_principal(NULL);

-- Reassigning gives every holder the target role, so it must lie inside the
-- actor's reach: an Admin cannot grow a small role's holders into Owners.
SELECT FROM rbac.set_principal('alice');
SELECT FROM rbac.add_member('acme', 'mallory', 'viewer');
SELECT FROM rbac.create_role('tiny', 'Tiny', 'workspace', '{documents.read}', belongs_to_workspace => 'acme');
SELECT FROM rbac.grant_role('acme', 'mallory', 'tiny');
SELECT is(pg_temp.refusal($$ SELECT rbac.drop_role('tiny', 'wiper', 'acme') $$),
	'42501: permission denied to reassign the holders of "tiny" to "wiper"',
	'an Admin cannot drop a small role reassigning its holders to one that holds tenant.delete');
SELECT FROM rbac.set_principal(NULL);
SELECT ok(NOT rbac.principal_has_scope('mallory', 'tenant.delete', 'acme'), 'and its holder gains nothing');
SELECT lives_ok($$ SELECT rbac.drop_role('reviewer', 'viewer', belongs_to_organization => 'globex') $$,
	'an organization''s role held in its workspaces and on the organization is dropped with reassignment');
SELECT is((SELECT array_agg(h.holder ORDER BY h.holder)
           FROM rbac.grants AS g,
                LATERAL (SELECT coalesce(g.workspace_id, 'org ' || g.organization_id) || ' ' || g.principal) AS h(holder)
           WHERE g.role_id = (SELECT id FROM rbac.roles WHERE key = 'viewer') AND g.principal IN ('rex', 'gus')),
	ARRAY['g1 rex', 'g2 rex', 'org globex gus'], 'every holder, in each workspace and on the organization, now holds Viewer');

SELECT * FROM finish();
ROLLBACK;
