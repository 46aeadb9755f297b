-- Seed 003's matrix, row by row: for each of the eight workspace roles,
-- which scopes a principal granted that role holds and lacks in the
-- workspace, asked through rbac.has_scope; the three resource roles on one
-- project; and how the roles stack, as containment of their scopes.
BEGIN;
SELECT plan(229);
SET LOCAL search_path = rbac, public;

-- Checks as a principal: set it, ask has_scope in a new statement, and
-- clear it again, so that administration acts as the operator.
CREATE FUNCTION pg_temp.holds(p text, s text, w text, rt text DEFAULT NULL, rid text DEFAULT NULL)
RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
	answer boolean;
BEGIN
	PERFORM rbac.set_principal(p);
	IF rt IS NULL AND rid IS NULL THEN
		answer := rbac.has_scope(s, w);
	ELSE
		answer := rbac.has_scope(s, w, rt, rid);
	END IF;
	PERFORM rbac.set_principal(NULL);
	RETURN answer;
END $$;

-- The catalog scopes p holds in workspace w, asked one by one.
CREATE FUNCTION pg_temp.held_in(p text, w text) RETURNS rbac.scopeset LANGUAGE plpgsql AS $$
DECLARE
	result text[];
BEGIN
	PERFORM rbac.set_principal(p);
	SELECT coalesce(array_agg(s.name), '{}') INTO result
	FROM rbac.scopes AS s WHERE rbac.has_scope(s.name, w);
	PERFORM rbac.set_principal(NULL);
	RETURN rbac.scopeset(result);
END $$;

CREATE FUNCTION pg_temp.role_scopes(k text) RETURNS rbac.scopeset LANGUAGE sql AS $$
	SELECT scopes FROM rbac.roles WHERE key = k AND builtin
$$;

-- One principal per built-in workspace role in w1 (the creator is Owner),
-- and one per resource role on project p1 of w1.
DO $$
BEGIN
	PERFORM rbac.create_workspace('w1', 'Workspace 1', 'p_owner');
	PERFORM rbac.grant('p_admin', 'admin', 'w1');
	PERFORM rbac.grant('p_member', 'member', 'w1');
	PERFORM rbac.grant('p_viewer', 'viewer', 'w1');
	PERFORM rbac.grant('p_lead', 'lead', 'w1');
	PERFORM rbac.grant('p_planner', 'planner', 'w1');
	PERFORM rbac.grant('p_operator', 'workspace_operator', 'w1');
	PERFORM rbac.grant('p_billing', 'billing_manager', 'w1');
	PERFORM rbac.grant('r_viewer', 'membership_viewer', 'w1', 'project', 'p1');
	PERFORM rbac.grant('r_contributor', 'membership_contributor', 'w1', 'project', 'p1');
	PERFORM rbac.grant('r_planner', 'membership_planner', 'w1', 'project', 'p1');
END $$;

-- ===================================================================
-- The matrix, one row per role: what it holds, and what it lacks
-- ===================================================================
--
-- Columns of seed 003's table: read the workspace, run the agent, manage the
-- planning records (by hand), manage platform tooling, manage members and
-- roles, see audit and AI spend, delete the workspace; and the prose of each
-- role (Lead's oversight, the operator's secrets, Viewer's chat and reports).

CREATE TEMP TABLE matrix (principal text, role text, scope text, expected boolean);
INSERT INTO matrix
SELECT 'p_' || v.who, v.role, s, true FROM (VALUES
	('member', 'Member', ARRAY['tenant.read', 'documents.read', 'members.read', 'chat.open', 'reports.read',
		'chat.send', 'runs.start', 'runs.cancel', 'sandboxes.use', 'pr.open', 'flows.run',
		'sessions.manage', 'tasks.manage']),
	('viewer', 'Viewer', ARRAY['tenant.read', 'documents.read', 'members.read', 'runs.read', 'chat.open',
		'reports.read', 'reports.export']),
	('lead', 'Lead', ARRAY['documents.read', 'chat.send', 'runs.start', 'sandboxes.use', 'pr.open',
		'chat.read_all', 'runs.read_all', 'runs.cancel_any', 'sessions.cancel_any', 'tasks.read_all',
		'tasks.cancel_any']),
	('planner', 'Planner', ARRAY['documents.read', 'chat.open', 'reports.read', 'reports.export',
		'documents.edit', 'documents.create', 'initiatives.create', 'plans.create', 'plans.edit',
		'goals.create', 'bugs.create', 'test_cases.create', 'sprints.create', 'teams.create',
		'projects.create', 'portfolios.create', 'flows.create']),
	('operator', 'Workspace Operator', ARRAY['documents.read', 'chat.send', 'runs.start', 'sandboxes.use',
		'pr.open', 'repositories.manage', 'providers.manage', 'mcp_servers.manage', 'sdk_configs.manage',
		'integrations.manage', 'sandbox_profiles.manage', 'hosts.manage', 'agent_instructions.manage',
		'commands.manage', 'platform_docs.manage', 'onboarding.manage', 'secrets.read', 'secrets.rotate']),
	('billing', 'Billing Manager', ARRAY['plan.read', 'entitlements.read', 'audit.read', 'audit.export',
		'ai_spend.read', 'ai_spend.export']),
	('admin', 'Admin', ARRAY['documents.read', 'runs.start', 'pr.open', 'documents.edit', 'plans.create',
		'repositories.manage', 'providers.manage', 'integrations.manage', 'sandbox_profiles.manage',
		'hosts.manage', 'secrets.rotate', 'members.invite', 'members.manage', 'roles.manage',
		'audit.read', 'audit.export', 'ai_spend.read', 'ai_spend.export', 'plan.read',
		'chat.read_all', 'runs.cancel_any']),
	('owner', 'Owner', ARRAY['documents.read', 'runs.start', 'documents.edit', 'repositories.manage',
		'members.manage', 'roles.manage', 'audit.read', 'ai_spend.read', 'tenant.delete'])
) AS v(who, role, scopes), unnest(v.scopes) AS s
UNION ALL
SELECT 'p_' || v.who, v.role, s, false FROM (VALUES
	('member', 'Member', ARRAY['documents.edit', 'documents.create', 'plans.create', 'documents.delete',
		'repositories.manage', 'secrets.read', 'members.invite', 'members.manage', 'roles.manage',
		'audit.read', 'ai_spend.read', 'chat.read_all', 'runs.cancel_any', 'tenant.delete']),
	('viewer', 'Viewer', ARRAY['chat.send', 'runs.start', 'sandboxes.use', 'pr.open', 'flows.run',
		'documents.comment', 'documents.edit', 'documents.create', 'repositories.manage',
		'members.invite', 'audit.read', 'ai_spend.read', 'tenant.delete']),
	('lead', 'Lead', ARRAY['documents.edit', 'plans.create', 'repositories.manage', 'secrets.read',
		'members.invite', 'members.manage', 'audit.read', 'ai_spend.read', 'tenant.delete']),
	('planner', 'Planner', ARRAY['runs.start', 'sandboxes.use', 'pr.open', 'repositories.manage',
		'secrets.read', 'members.invite', 'members.manage', 'audit.read', 'ai_spend.read',
		'tenant.delete']),
	('operator', 'Workspace Operator', ARRAY['members.invite', 'members.manage', 'roles.manage',
		'audit.read', 'ai_spend.read', 'documents.edit', 'plans.create', 'tenant.delete']),
	('billing', 'Billing Manager', ARRAY['documents.read', 'chat.open', 'reports.read', 'chat.send',
		'runs.start', 'documents.edit', 'repositories.manage', 'secrets.read', 'members.invite',
		'tenant.delete']),
	('admin', 'Admin', ARRAY['tenant.delete']),
	('owner', 'Owner', ARRAY[]::text[])
) AS v(who, role, scopes), unnest(v.scopes) AS s;

-- The operator-only scope is lacked by every role.
INSERT INTO matrix
SELECT m.principal, m.role, s.name, false
FROM (SELECT DISTINCT principal, role FROM matrix) AS m, rbac.scopes AS s WHERE s.operator_only;

SELECT is(pg_temp.holds(principal, scope, 'w1'), expected,
	format('%s %s %s', role, CASE WHEN expected THEN 'holds' ELSE 'lacks' END, scope))
FROM matrix ORDER BY principal, NOT expected, scope;

SELECT is_empty($$
	SELECT principal, scope, expected FROM matrix
	WHERE rbac.principal_has_scope(principal, scope, 'w1') IS DISTINCT FROM expected
$$, 'principal_has_scope gives the same matrix');

-- has_scope answers, over the whole catalog, exactly the role's scopes.
SELECT is(pg_temp.held_in(v.p, 'w1'), pg_temp.role_scopes(v.k),
	format('across the catalog, a principal granted %s holds exactly that role''s scopes', v.k))
FROM (VALUES ('p_owner', 'owner'), ('p_admin', 'admin'), ('p_member', 'member'),
             ('p_viewer', 'viewer'), ('p_lead', 'lead'), ('p_planner', 'planner'),
             ('p_operator', 'workspace_operator'), ('p_billing', 'billing_manager')) AS v(p, k);

-- Owner is every workspace scope but the operator-only one; Admin is Owner
-- without tenant.delete.
SELECT is(pg_temp.held_in('p_owner', 'w1'),
	(SELECT rbac.scopeset(array_agg(s.name)) FROM rbac.scopes AS s JOIN rbac.levels AS l ON l.name = s.level
	 WHERE l.node_kind = 'workspace' AND NOT s.operator_only AND NOT s.retired),
	'Owner holds every workspace scope of the catalog except the operator-only one');
SELECT is(pg_temp.held_in('p_admin', 'w1'), pg_temp.held_in('p_owner', 'w1') - 'tenant.delete'::text,
	'Admin holds everything Owner holds except tenant.delete');

-- ===================================================================
-- The resource roles, on project p1
-- ===================================================================

SELECT is(pg_temp.holds(v.p, v.s, 'w1', 'project', 'p1'), v.expected,
	format('%s on project p1 %s %s', v.role, CASE WHEN v.expected THEN 'holds' ELSE 'lacks' END, v.s))
FROM (VALUES
	('r_viewer', 'Membership Viewer', 'documents.read', true),
	('r_viewer', 'Membership Viewer', 'projects.read', true),
	('r_viewer', 'Membership Viewer', 'documents.comment', false),
	('r_viewer', 'Membership Viewer', 'documents.edit', false),
	('r_viewer', 'Membership Viewer', 'documents.create', false),
	('r_contributor', 'Membership Contributor', 'documents.read', true),
	('r_contributor', 'Membership Contributor', 'documents.comment', true),
	('r_contributor', 'Membership Contributor', 'documents.edit', true),
	('r_contributor', 'Membership Contributor', 'plans.edit', true),
	('r_contributor', 'Membership Contributor', 'documents.create', false),
	('r_contributor', 'Membership Contributor', 'projects.settings', false),
	('r_contributor', 'Membership Contributor', 'documents.delete', false),
	('r_planner', 'Membership Planner', 'documents.read', true),
	('r_planner', 'Membership Planner', 'documents.edit', true),
	('r_planner', 'Membership Planner', 'documents.create', true),
	('r_planner', 'Membership Planner', 'plans.create', true),
	('r_planner', 'Membership Planner', 'projects.settings', true),
	('r_planner', 'Membership Planner', 'runs.start', false),
	('r_planner', 'Membership Planner', 'members.invite', false)
) AS v(p, role, s, expected);

-- ===================================================================
-- How the roles stack: containment of their scopes
-- ===================================================================

SELECT ok(pg_temp.role_scopes(v.a) <@ pg_temp.role_scopes(v.b)
          AND pg_temp.role_scopes(v.a) <> pg_temp.role_scopes(v.b),
	format('%s is strictly inside %s', v.a, v.b))
FROM (VALUES
	('member', 'admin'), ('admin', 'owner'), ('member', 'owner'),
	('viewer', 'planner'), ('member', 'lead'), ('member', 'workspace_operator'),
	('lead', 'admin'), ('planner', 'admin'), ('workspace_operator', 'admin'), ('billing_manager', 'admin'),
	('membership_viewer', 'membership_contributor'), ('membership_contributor', 'membership_planner'),
	('org_member', 'org_admin'), ('org_admin', 'org_owner')
) AS v(a, b);

SELECT is(pg_temp.role_scopes('owner') - pg_temp.role_scopes('admin'), '{tenant.delete}'::rbac.scopeset,
	'Owner is Admin plus tenant.delete, and nothing else');

SELECT ok(NOT (pg_temp.role_scopes('member') <@ pg_temp.role_scopes('planner')),
	'Planner does not hold all of Member: it does not do the work');
SELECT ok(NOT (pg_temp.role_scopes('planner') <@ pg_temp.role_scopes('member')),
	'Member does not hold all of Planner: it does not manage the planning records');
SELECT ok(NOT (pg_temp.role_scopes('workspace_operator') <@ pg_temp.role_scopes('lead'))
          AND NOT (pg_temp.role_scopes('lead') <@ pg_temp.role_scopes('workspace_operator')),
	'Lead and Workspace Operator grow from Member in different directions');

SELECT ok(NOT (pg_temp.role_scopes('billing_manager') && pg_temp.role_scopes(v.k)),
	format('Billing Manager shares no scope with %s', v.k))
FROM unnest(ARRAY['member', 'viewer', 'lead', 'planner']) AS v(k);

SELECT is_empty($$
	SELECT r.key, s.name FROM rbac.roles AS r, rbac.scopes(r.scopes) AS t(name)
	JOIN rbac.scopes AS s USING (name)
	WHERE r.kind = 'resource' AND NOT s.resource_grantable
$$, 'resource roles hold only resource-grantable scopes');

SELECT ok(pg_temp.role_scopes('membership_viewer') <@ pg_temp.role_scopes('viewer')
          AND pg_temp.role_scopes('membership_planner') <@ pg_temp.role_scopes('planner'),
	'Membership Viewer holds nothing a Viewer lacks, Membership Planner nothing a Planner lacks');

SELECT * FROM finish();
ROLLBACK;
