-- rbac: upgrade script.  Assembled at build time from src/sql/*.sql.

\echo Use "ALTER EXTENSION rbac UPDATE" to load this file. \quit

-- A schema rbac that exists already belongs to whoever made it, and its
-- owner could swap our objects for theirs; install only into our own.
DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_catalog.pg_namespace AS n
	           JOIN pg_catalog.pg_roles AS r ON r.oid = n.nspowner
	           WHERE n.nspname = 'rbac' AND NOT r.rolsuper) THEN
		RAISE EXCEPTION USING ERRCODE = '42501',
			MESSAGE = 'schema rbac belongs to a role that is not a superuser',
			DETAIL = 'Its owner could replace the extension''s objects with their own.',
			HINT = 'Drop the schema, or make a superuser its owner, and install again.';
	END IF;
END;
$$;
-- ===================================================================
-- The scope catalog: levels, and every scope the product knows
-- ===================================================================
--
-- Every scope has one level.  A level belongs to one kind of node
-- (organization or workspace), and built-in roles are defined by the levels
-- they carry, so a scope an application adds at a level lands in the right
-- built-in roles at once.

CREATE FUNCTION rbac.is_scope_name(text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'scope_name_is_valid' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION rbac.is_scope_name(text) IS
	'true when the text is a concrete scope name: valid grammar and no wildcard segment';

CREATE TABLE rbac.levels (
	name text PRIMARY KEY,
	node_kind text NOT NULL CHECK (node_kind IN ('organization', 'workspace')),
	position integer NOT NULL UNIQUE,
	description text NOT NULL
);
COMMENT ON TABLE rbac.levels IS
	'levels of the scope catalog; each built-in role is defined by the levels it carries';
COMMENT ON COLUMN rbac.levels.node_kind IS
	'whether scopes of this level act on an organization or inside a workspace';

INSERT INTO rbac.levels (name, node_kind, position, description) VALUES
	('read',       'workspace',     10, 'read the workspace: view records, open chat, view and export reports'),
	('work',       'workspace',     20, 'do the work: run the agent, operate sandboxes, open and ship pull requests, manage one''s own sessions and tasks'),
	('oversee',    'workspace',     30, 'coach a team: read teammates'' conversations and tasks, cancel any session or task'),
	('contribute', 'workspace',     40, 'comment on and edit existing planning content'),
	('plan',       'workspace',     50, 'manage the planning records: create, re-plan, settings and deletion'),
	('tooling',    'workspace',     60, 'run the platform tooling, including reading and rotating the workspace secrets'),
	('billing',    'workspace',     70, 'licensing, the audit log and AI spend'),
	('manage',     'workspace',     80, 'administer the workspace: members, roles, settings and integrations policy'),
	('delete',     'workspace',     90, 'delete the workspace'),
	('org_read',   'organization', 110, 'read the organization and its member list'),
	('org_manage', 'organization', 120, 'administer the organization: members, roles, settings and workspaces'),
	('org_delete', 'organization', 130, 'delete the organization');

CREATE TABLE rbac.scopes (
	name text PRIMARY KEY CHECK (rbac.is_scope_name(name)),
	area text NOT NULL CHECK (area <> ''),
	label text NOT NULL CHECK (label <> ''),
	description text NOT NULL DEFAULT '',
	level text NOT NULL REFERENCES rbac.levels (name),
	resource_grantable boolean NOT NULL DEFAULT false,
	destructive boolean NOT NULL DEFAULT false,
	operator_only boolean NOT NULL DEFAULT false,
	builtin boolean NOT NULL DEFAULT false,
	retired boolean NOT NULL DEFAULT false,
	created_at timestamptz NOT NULL DEFAULT now(),
	retired_at timestamptz,
	CHECK (retired = (retired_at IS NOT NULL))
);
COMMENT ON TABLE rbac.scopes IS
	'the scope catalog: every permission name, its level and its flags; names are never deleted or reused';
COMMENT ON COLUMN rbac.scopes.name IS 'a concrete scope name, such as members.manage';
COMMENT ON COLUMN rbac.scopes.area IS 'the product area the scope belongs to, for grouping';
COMMENT ON COLUMN rbac.scopes.label IS 'a short plain-language label';
COMMENT ON COLUMN rbac.scopes.level IS 'the level whose built-in roles carry this scope';
COMMENT ON COLUMN rbac.scopes.resource_grantable IS 'may be granted on a single team, portfolio or project';
COMMENT ON COLUMN rbac.scopes.destructive IS 'deletes or irreversibly changes something';
COMMENT ON COLUMN rbac.scopes.operator_only IS 'held only by the platform operator, never by any role';
COMMENT ON COLUMN rbac.scopes.builtin IS 'shipped by the extension; cannot be changed or retired';
COMMENT ON COLUMN rbac.scopes.retired IS 'no longer granted by any role and never true in a check; the name stays reserved';

-- The catalog the extension ships.  Planning records each have read,
-- comment, edit, create and delete; only the first four can be granted on a
-- single resource.
INSERT INTO rbac.scopes (name, area, label, level, resource_grantable, destructive, operator_only, builtin)
SELECT s.name, s.area, s.label, s.level, s.rg, s.destructive, s.operator_only, true
FROM (VALUES
	-- workspace (tenant)
	('tenant.read',              'tenant',    'View the workspace',                     'read',    false, false, false),
	('tenant.settings',          'tenant',    'Change workspace settings',              'manage',  false, false, false),
	('tenant.sso',               'tenant',    'Configure single sign-on',               'manage',  false, false, false),
	('tenant.delete',            'tenant',    'Delete the workspace',                   'delete',  false, true,  false),
	-- members and roles
	('members.read',             'members',   'View members',                           'read',    false, false, false),
	('members.invite',           'members',   'Invite members',                         'manage',  false, false, false),
	('members.manage',           'members',   'Change members'' roles',                 'manage',  false, false, false),
	('members.remove',           'members',   'Remove members',                         'manage',  false, true,  false),
	('roles.read',               'roles',     'View roles',                             'read',    false, false, false),
	('roles.manage',             'roles',     'Create and edit custom roles',           'manage',  false, false, false),
	-- agent work
	('chat.open',                'chat',      'Open chat and ask questions',            'read',    false, false, false),
	('chat.send',                'chat',      'Work with the agent in chat',            'work',    false, false, false),
	('chat.read_all',            'chat',      'Read teammates'' conversations',         'oversee', false, false, false),
	('runs.read',                'runs',      'View runs',                              'read',    false, false, false),
	('runs.start',               'runs',      'Start agent runs',                       'work',    false, false, false),
	('runs.cancel',              'runs',      'Cancel one''s own runs',                 'work',    false, false, false),
	('runs.read_all',            'runs',      'Read teammates'' runs',                  'oversee', false, false, false),
	('runs.cancel_any',          'runs',      'Cancel any run',                         'oversee', false, false, false),
	('sessions.read',            'sessions',  'View one''s own sessions',               'read',    false, false, false),
	('sessions.manage',          'sessions',  'Manage one''s own sessions',             'work',    false, false, false),
	('sessions.cancel_any',      'sessions',  'Cancel any session',                     'oversee', false, false, false),
	('tasks.read',               'tasks',     'View one''s own background tasks',       'read',    false, false, false),
	('tasks.manage',             'tasks',     'Manage one''s own background tasks',     'work',    false, false, false),
	('tasks.read_all',           'tasks',     'Read teammates'' background tasks',      'oversee', false, false, false),
	('tasks.cancel_any',         'tasks',     'Cancel any background task',             'oversee', false, false, false),
	('sandboxes.read',           'sandboxes', 'View sandboxes',                         'read',    false, false, false),
	('sandboxes.use',            'sandboxes', 'Operate sandboxes',                      'work',    false, false, false),
	('pr.read',                  'pull_requests', 'View pull requests',                 'read',    false, false, false),
	('pr.open',                  'pull_requests', 'Open pull requests',                 'work',    false, false, false),
	('pr.merge',                 'pull_requests', 'Merge pull requests',                'work',    false, true,  false),
	('flows.run',                'flows',     'Run flows',                              'work',    false, false, false),
	-- planning records
	('initiatives.read',         'planning',  'View initiatives',                       'read',       true,  false, false),
	('initiatives.comment',      'planning',  'Comment on initiatives',                 'contribute', true,  false, false),
	('initiatives.edit',         'planning',  'Edit initiatives',                       'contribute', true,  false, false),
	('initiatives.create',       'planning',  'Create initiatives',                     'plan',       true,  false, false),
	('initiatives.delete',       'planning',  'Delete initiatives',                     'plan',       false, true,  false),
	('plans.read',               'planning',  'View plans',                             'read',       true,  false, false),
	('plans.comment',            'planning',  'Comment on plans',                       'contribute', true,  false, false),
	('plans.edit',               'planning',  'Edit plans',                             'contribute', true,  false, false),
	('plans.create',             'planning',  'Create plans',                           'plan',       true,  false, false),
	('plans.delete',             'planning',  'Delete plans',                           'plan',       false, true,  false),
	('goals.read',               'planning',  'View goals',                             'read',       true,  false, false),
	('goals.comment',            'planning',  'Comment on goals',                       'contribute', true,  false, false),
	('goals.edit',               'planning',  'Edit goals',                             'contribute', true,  false, false),
	('goals.create',             'planning',  'Create goals',                           'plan',       true,  false, false),
	('goals.delete',             'planning',  'Delete goals',                           'plan',       false, true,  false),
	('bugs.read',                'planning',  'View bugs',                              'read',       true,  false, false),
	('bugs.comment',             'planning',  'Comment on bugs',                        'contribute', true,  false, false),
	('bugs.edit',                'planning',  'Edit bugs',                              'contribute', true,  false, false),
	('bugs.create',              'planning',  'Create bugs',                            'plan',       true,  false, false),
	('bugs.delete',              'planning',  'Delete bugs',                            'plan',       false, true,  false),
	('test_cases.read',          'planning',  'View test cases',                        'read',       true,  false, false),
	('test_cases.comment',       'planning',  'Comment on test cases',                  'contribute', true,  false, false),
	('test_cases.edit',          'planning',  'Edit test cases',                        'contribute', true,  false, false),
	('test_cases.create',        'planning',  'Create test cases',                      'plan',       true,  false, false),
	('test_cases.delete',        'planning',  'Delete test cases',                      'plan',       false, true,  false),
	('documents.read',           'planning',  'View documents',                         'read',       true,  false, false),
	('documents.comment',        'planning',  'Comment on documents',                   'contribute', true,  false, false),
	('documents.edit',           'planning',  'Edit documents',                         'contribute', true,  false, false),
	('documents.create',         'planning',  'Create documents',                       'plan',       true,  false, false),
	('documents.delete',         'planning',  'Delete documents',                       'plan',       false, true,  false),
	('sprints.read',             'planning',  'View sprints',                           'read',       true,  false, false),
	('sprints.comment',          'planning',  'Comment on sprints',                     'contribute', true,  false, false),
	('sprints.edit',             'planning',  'Edit sprints',                           'contribute', true,  false, false),
	('sprints.create',           'planning',  'Create sprints',                         'plan',       true,  false, false),
	('sprints.delete',           'planning',  'Delete sprints',                         'plan',       false, true,  false),
	('teams.read',               'planning',  'View teams',                             'read',       true,  false, false),
	('teams.comment',            'planning',  'Comment on teams',                       'contribute', true,  false, false),
	('teams.edit',               'planning',  'Edit teams',                             'contribute', true,  false, false),
	('teams.create',             'planning',  'Create teams',                           'plan',       true,  false, false),
	('teams.settings',           'planning',  'Change team settings',                   'plan',       true,  false, false),
	('teams.delete',             'planning',  'Delete teams',                           'plan',       false, true,  false),
	('projects.read',            'planning',  'View projects',                          'read',       true,  false, false),
	('projects.comment',         'planning',  'Comment on projects',                    'contribute', true,  false, false),
	('projects.edit',            'planning',  'Edit projects',                          'contribute', true,  false, false),
	('projects.create',          'planning',  'Create projects',                        'plan',       true,  false, false),
	('projects.settings',        'planning',  'Change project settings',                'plan',       true,  false, false),
	('projects.delete',          'planning',  'Delete projects',                        'plan',       false, true,  false),
	('portfolios.read',          'planning',  'View portfolios',                        'read',       true,  false, false),
	('portfolios.comment',       'planning',  'Comment on portfolios',                  'contribute', true,  false, false),
	('portfolios.edit',          'planning',  'Edit portfolios',                        'contribute', true,  false, false),
	('portfolios.create',        'planning',  'Create portfolios',                      'plan',       true,  false, false),
	('portfolios.settings',      'planning',  'Change portfolio settings',              'plan',       true,  false, false),
	('portfolios.delete',        'planning',  'Delete portfolios',                      'plan',       false, true,  false),
	('flows.read',               'planning',  'View flows',                             'read',       true,  false, false),
	('flows.comment',            'planning',  'Comment on flows',                       'contribute', true,  false, false),
	('flows.edit',               'planning',  'Edit flows',                             'contribute', true,  false, false),
	('flows.create',             'planning',  'Create flows',                           'plan',       true,  false, false),
	('flows.delete',             'planning',  'Delete flows',                           'plan',       false, true,  false),
	-- platform tooling
	('repositories.read',        'platform',  'View repositories',                      'read',    false, false, false),
	('repositories.manage',      'platform',  'Connect and configure repositories',     'tooling', false, false, false),
	('providers.manage',         'platform',  'Configure model providers',              'tooling', false, false, false),
	('mcp_servers.manage',       'platform',  'Configure MCP servers',                  'tooling', false, false, false),
	('sdk_configs.manage',       'platform',  'Manage SDK configurations',              'tooling', false, false, false),
	('integrations.read',        'platform',  'View integrations',                      'read',    false, false, false),
	('integrations.manage',      'platform',  'Configure integrations',                 'tooling', false, false, false),
	('sandbox_profiles.manage',  'platform',  'Manage sandbox profiles',                'tooling', false, false, false),
	('hosts.manage',             'platform',  'Manage hosts',                           'tooling', false, false, false),
	('agent_instructions.read',  'platform',  'View agent instructions',                'read',    false, false, false),
	('agent_instructions.manage','platform',  'Edit agent instructions',                'tooling', false, false, false),
	('commands.read',            'platform',  'View commands',                          'read',    false, false, false),
	('commands.manage',          'platform',  'Manage commands',                        'tooling', false, false, false),
	('platform_docs.read',       'platform',  'View platform docs',                     'read',    false, false, false),
	('platform_docs.manage',     'platform',  'Edit platform docs',                     'tooling', false, false, false),
	('onboarding.manage',        'platform',  'Manage onboarding',                      'tooling', false, false, false),
	('secrets.read',             'platform',  'Read workspace secrets',                 'tooling', false, false, false),
	('secrets.manage',           'platform',  'Create and update workspace secrets',    'tooling', false, false, false),
	('secrets.rotate',           'platform',  'Rotate workspace secrets',               'tooling', false, true,  false),
	('secrets.delete',           'platform',  'Delete workspace secrets',               'tooling', false, true,  false),
	-- licensing, audit and spend
	('plan.read',                'licensing', 'View the plan',                          'billing', false, false, false),
	('plan.manage',              'licensing', 'Change the plan',                        'manage',  false, false, false),
	('entitlements.read',        'licensing', 'View entitlements',                      'billing', false, false, false),
	('entitlements.override',    'licensing', 'Override entitlements (platform operator)', 'billing', false, false, true),
	('audit.read',               'audit',     'Read the audit log',                     'billing', false, false, false),
	('audit.export',             'audit',     'Export the audit log',                   'billing', false, false, false),
	('ai_spend.read',            'ai_spend',  'View AI spend',                          'billing', false, false, false),
	('ai_spend.export',          'ai_spend',  'Export AI spend',                        'billing', false, false, false),
	('ai_spend.limits',          'ai_spend',  'Set AI spend limits',                    'manage',  false, false, false),
	-- API keys
	('api_keys.read',            'api_keys',  'View one''s own API keys',               'work',    false, false, false),
	('api_keys.create',          'api_keys',  'Create API keys within one''s own reach', 'work',   false, false, false),
	('api_keys.manage',          'api_keys',  'Revoke anyone''s API keys',              'manage',  false, true,  false),
	-- reports
	('reports.read',             'reports',   'View reports',                           'read',    false, false, false),
	('reports.export',           'reports',   'Export reports',                         'read',    false, false, false),
	('reports.manage',           'reports',   'Create and edit reports',                'plan',    false, false, false),
	-- organization
	('org.read',                 'organization', 'View the organization',               'org_read',   false, false, false),
	('org.members.read',         'organization', 'View organization members',           'org_read',   false, false, false),
	('org.members.invite',       'organization', 'Invite organization members',         'org_manage', false, false, false),
	('org.members.manage',       'organization', 'Change organization members'' roles', 'org_manage', false, false, false),
	('org.members.remove',       'organization', 'Remove organization members',         'org_manage', false, true,  false),
	('org.roles.manage',         'organization', 'Create and edit organization roles',  'org_manage', false, false, false),
	('org.settings',             'organization', 'Change organization settings',        'org_manage', false, false, false),
	('org.workspaces.create',    'organization', 'Create workspaces in the organization', 'org_manage', false, false, false),
	('org.delete',               'organization', 'Delete the organization',             'org_delete', false, true,  false)
) AS s(name, area, label, level, rg, destructive, operator_only);
-- ===================================================================
-- The model: organizations, workspaces, resource types, roles, grants
-- ===================================================================

CREATE TABLE rbac.organizations (
	id text PRIMARY KEY CHECK (id <> ''),
	name text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE rbac.organizations IS
	'organizations; a workspace may belong to one, and workspace roles granted on it apply in all its workspaces';

CREATE TABLE rbac.workspaces (
	id text PRIMARY KEY CHECK (id <> ''),
	name text NOT NULL,
	organization_id text REFERENCES rbac.organizations (id),
	ownership text NOT NULL DEFAULT 'single' CHECK (ownership IN ('single', 'shared')),
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON rbac.workspaces (organization_id);
COMMENT ON TABLE rbac.workspaces IS
	'workspaces (tenants): the node most grants are made on';
COMMENT ON COLUMN rbac.workspaces.ownership IS
	'single: exactly one Owner at every moment; shared: at least one';

CREATE TABLE rbac.resource_types (
	name text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]*$'),
	description text NOT NULL DEFAULT '',
	builtin boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE rbac.resource_types IS
	'kinds of single resource inside a workspace that resource roles can be granted on';
INSERT INTO rbac.resource_types (name, description, builtin) VALUES
	('team', 'a team inside a workspace', true),
	('portfolio', 'a portfolio of projects', true),
	('project', 'a project', true);

CREATE TABLE rbac.roles (
	id bigserial PRIMARY KEY,
	key text NOT NULL CHECK (key ~ '^[a-z][a-z0-9_]*$'),
	name text NOT NULL CHECK (name <> ''),
	kind text NOT NULL CHECK (kind IN ('organization', 'workspace', 'resource')),
	builtin boolean NOT NULL DEFAULT false,
	levels text[],
	scopes rbac.scopeset NOT NULL,
	description text NOT NULL DEFAULT '',
	workspace_id text REFERENCES rbac.workspaces (id),
	organization_id text REFERENCES rbac.organizations (id),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	UNIQUE (id, kind),
	CHECK (builtin = (levels IS NOT NULL)),
	CHECK (NOT builtin OR (workspace_id IS NULL AND organization_id IS NULL)),
	CHECK (workspace_id IS NULL OR organization_id IS NULL)
);
-- Keys are unique where a role can be seen: database-wide, in one
-- organization, or in one workspace.
CREATE UNIQUE INDEX roles_global_key ON rbac.roles (lower(key))
	WHERE workspace_id IS NULL AND organization_id IS NULL;
CREATE UNIQUE INDEX roles_organization_key ON rbac.roles (organization_id, lower(key))
	WHERE organization_id IS NOT NULL;
CREATE UNIQUE INDEX roles_workspace_key ON rbac.roles (workspace_id, lower(key))
	WHERE workspace_id IS NOT NULL;
COMMENT ON TABLE rbac.roles IS
	'roles: named scopesets of one kind; built-ins are derived from levels and cannot be changed';
COMMENT ON COLUMN rbac.roles.key IS 'the name used in grants, such as workspace_operator';
COMMENT ON COLUMN rbac.roles.kind IS 'organization, workspace or resource: where the role can be granted';
COMMENT ON COLUMN rbac.roles.levels IS 'for built-in roles, the catalog levels that define them';
COMMENT ON COLUMN rbac.roles.scopes IS 'every scope the role carries; for built-ins, materialised from their levels';
COMMENT ON COLUMN rbac.roles.workspace_id IS 'for a custom role, the one workspace it belongs to';
COMMENT ON COLUMN rbac.roles.organization_id IS 'for a custom role, the organization it belongs to';
-- Custom roles get ids after the reserved range of built-ins.
SELECT setval('rbac.roles_id_seq', 1000);

CREATE TABLE rbac.grants (
	id bigserial PRIMARY KEY,
	principal text NOT NULL CHECK (principal <> ''),
	role_id bigint NOT NULL,
	role_kind text NOT NULL,
	organization_id text REFERENCES rbac.organizations (id),
	workspace_id text REFERENCES rbac.workspaces (id),
	resource_type text REFERENCES rbac.resource_types (name),
	resource_id text,
	granted_at timestamptz NOT NULL DEFAULT now(),
	FOREIGN KEY (role_id, role_kind) REFERENCES rbac.roles (id, kind),
	-- One node per grant, and kinds never cross: organization and workspace
	-- roles on an organization, workspace roles on a workspace, resource
	-- roles on one resource.
	CONSTRAINT grants_node_matches_kind CHECK (
		(organization_id IS NOT NULL AND workspace_id IS NULL AND resource_type IS NULL
			AND resource_id IS NULL AND role_kind IN ('organization', 'workspace'))
		OR (organization_id IS NULL AND workspace_id IS NOT NULL AND resource_type IS NULL
			AND resource_id IS NULL AND role_kind = 'workspace')
		OR (organization_id IS NULL AND workspace_id IS NOT NULL AND resource_type IS NOT NULL
			AND resource_id IS NOT NULL AND role_kind = 'resource')),
	UNIQUE NULLS NOT DISTINCT (principal, role_id, organization_id, workspace_id, resource_type, resource_id)
);
CREATE INDEX grants_principal_workspace ON rbac.grants (principal, workspace_id);
CREATE INDEX grants_principal_organization ON rbac.grants (principal, organization_id);
CREATE INDEX ON rbac.grants (workspace_id, resource_type, resource_id);
CREATE INDEX ON rbac.grants (role_id);
COMMENT ON TABLE rbac.grants IS
	'who holds which role on which node; reach at a node is the union of the scopes of every grant that applies';
COMMENT ON COLUMN rbac.grants.role_kind IS 'copy of the role''s kind, so the node check can be a constraint';
-- ===================================================================
-- Built-in roles, derived from levels, and the rules that keep them fixed
-- ===================================================================

CREATE FUNCTION rbac.in_extension_script() RETURNS boolean
	AS 'MODULE_PATHNAME', 'rbac_in_extension_script' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION rbac.in_extension_script() IS
	'true only while this extension''s own install or upgrade script runs';

CREATE FUNCTION rbac.level_scopes(levels text[], kind text) RETURNS rbac.scopeset
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
	SELECT rbac.scopeset(coalesce(array_agg(s.name), '{}'))
	FROM rbac.scopes AS s
	JOIN rbac.levels AS l ON l.name = s.level
	WHERE s.level = ANY (levels)
	  AND NOT s.operator_only
	  AND NOT s.retired
	  AND (kind <> 'resource' OR s.resource_grantable)
	  AND l.node_kind = CASE kind WHEN 'organization' THEN 'organization' ELSE 'workspace' END
$$;
COMMENT ON FUNCTION rbac.level_scopes(text[], text) IS
	'the catalog scopes a role of this kind carrying these levels holds: never operator-only or retired ones, and for resource roles only resource-grantable ones';

-- Ids 1-99 are reserved for built-ins, so grants of them survive dump and restore.
INSERT INTO rbac.roles (id, key, name, kind, builtin, levels, scopes, description)
SELECT r.id, r.key, r.name, r.kind, true, r.levels, rbac.level_scopes(r.levels, r.kind), r.description
FROM (VALUES
	(1,  'owner', 'Owner', 'workspace',
		ARRAY['read','work','oversee','contribute','plan','tooling','billing','manage','delete'],
		'Everything an Admin can do, plus deleting the workspace.'),
	(2,  'admin', 'Admin', 'workspace',
		ARRAY['read','work','oversee','contribute','plan','tooling','billing','manage'],
		'Everything a Member can do, plus managing the workspace: members, roles, tooling, planning, audit and spend.'),
	(3,  'member', 'Member', 'workspace',
		ARRAY['read','work'],
		'Reads across the workspace and does the work with the agent.'),
	(4,  'viewer', 'Viewer', 'workspace',
		ARRAY['read'],
		'Reads across the workspace, opens chat, views and exports reports; changes nothing.'),
	(5,  'lead', 'Lead', 'workspace',
		ARRAY['read','work','oversee'],
		'A Member who can also read teammates'' conversations and tasks and cancel any session or task.'),
	(6,  'planner', 'Planner', 'workspace',
		ARRAY['read','contribute','plan'],
		'A Viewer who also manages the planning records.'),
	(7,  'workspace_operator', 'Workspace Operator', 'workspace',
		ARRAY['read','work','tooling'],
		'A Member who also runs the platform tooling, including the workspace secrets.'),
	(8,  'billing_manager', 'Billing Manager', 'workspace',
		ARRAY['billing'],
		'Plan, entitlements, audit log and AI spend, with no access to the work itself.'),
	(9,  'membership_viewer', 'Membership Viewer', 'resource',
		ARRAY['read'],
		'Read-only access to one team, portfolio or project.'),
	(10, 'membership_contributor', 'Membership Contributor', 'resource',
		ARRAY['read','contribute'],
		'Membership Viewer, plus commenting on and editing existing content.'),
	(11, 'membership_planner', 'Membership Planner', 'resource',
		ARRAY['read','contribute','plan'],
		'Membership Contributor, plus creating and editing the resource''s content and settings.'),
	(12, 'org_owner', 'Organization Owner', 'organization',
		ARRAY['org_read','org_manage','org_delete'],
		'Everything an Organization Admin can do, plus deleting the organization.'),
	(13, 'org_admin', 'Organization Admin', 'organization',
		ARRAY['org_read','org_manage'],
		'Administers the organization: members, roles, settings and workspaces.'),
	(14, 'org_member', 'Organization Member', 'organization',
		ARRAY['org_read'],
		'A standard member of the organization.')
) AS r(id, key, name, kind, levels, description);

-- Built-in rows change only through the extension's own scripts.  The one
-- update allowed otherwise re-materialises a built-in role's scopes from its
-- levels after the catalog changed, and must produce exactly that value.
CREATE FUNCTION rbac.protect_roles() RETURNS trigger
	LANGUAGE plpgsql
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF rbac.in_extension_script() THEN
		RETURN coalesce(NEW, OLD);
	END IF;
	IF TG_OP = 'INSERT' THEN
		IF NEW.builtin THEN
			RAISE EXCEPTION USING ERRCODE = '42501',
				MESSAGE = format('cannot create built-in role "%s"', NEW.key),
				DETAIL = 'Built-in roles are shipped by the extension.',
				HINT = 'Create a custom role, with builtin = false.';
		END IF;
		RETURN NEW;
	END IF;
	IF NOT OLD.builtin AND (TG_OP = 'DELETE' OR NOT NEW.builtin) THEN
		RETURN coalesce(NEW, OLD);
	END IF;
	-- Re-deriving changes the scopes to exactly the level-derived value, and
	-- may touch updated_at only along with them.
	IF TG_OP = 'UPDATE' AND OLD.builtin AND NEW.builtin
	   AND (NEW.id, NEW.key, NEW.name, NEW.kind, NEW.levels, NEW.description,
	        NEW.workspace_id, NEW.organization_id, NEW.created_at)
	       IS NOT DISTINCT FROM
	       (OLD.id, OLD.key, OLD.name, OLD.kind, OLD.levels, OLD.description,
	        OLD.workspace_id, OLD.organization_id, OLD.created_at)
	   AND NEW.scopes OPERATOR(rbac.=) rbac.level_scopes(NEW.levels, NEW.kind)
	   AND (NEW.updated_at = OLD.updated_at OR NEW.scopes OPERATOR(rbac.<>) OLD.scopes) THEN
		RETURN NEW;
	END IF;
	RAISE EXCEPTION USING ERRCODE = '42501',
		MESSAGE = format('cannot %s built-in role "%s"', lower(TG_OP), OLD.key),
		DETAIL = 'Built-in roles are the same in every workspace and cannot be changed by anyone.',
		HINT = 'Create a custom role with the scopes you need instead.';
END;
$$;
COMMENT ON FUNCTION rbac.protect_roles() IS
	'trigger: refuses any change to a built-in role except re-deriving its scopes from its levels';

CREATE TRIGGER protect_roles BEFORE INSERT OR UPDATE OR DELETE ON rbac.roles
	FOR EACH ROW EXECUTE FUNCTION rbac.protect_roles();

-- The catalog grows and retires but never loses a name.
CREATE FUNCTION rbac.protect_scopes() RETURNS trigger
	LANGUAGE plpgsql
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF rbac.in_extension_script() THEN
		RETURN coalesce(NEW, OLD);
	END IF;
	IF TG_OP = 'DELETE' THEN
		RAISE EXCEPTION USING ERRCODE = '42501',
			MESSAGE = format('cannot delete scope "%s"', OLD.name),
			DETAIL = 'Scope names are never deleted, so a name is never reused.',
			HINT = 'Retire it with rbac.retire_scope().';
	END IF;
	IF TG_OP = 'INSERT' THEN
		-- A retired scope may arrive, as when a dump is restored: it grants nothing.
		IF NEW.builtin OR NEW.operator_only THEN
			RAISE EXCEPTION USING ERRCODE = '42501',
				MESSAGE = format('cannot create scope "%s" as built-in or operator-only', NEW.name),
				DETAIL = 'Only the extension ships built-in and operator-only scopes.',
				HINT = 'Create application scopes with rbac.create_scope().';
		END IF;
		RETURN NEW;
	END IF;
	IF OLD.builtin THEN
		RAISE EXCEPTION USING ERRCODE = '42501',
			MESSAGE = format('cannot change built-in scope "%s"', OLD.name),
			DETAIL = 'Built-in scopes define the built-in roles, which are the same everywhere.',
			HINT = 'Create an application scope with rbac.create_scope() instead.';
	END IF;
	IF (NEW.name, NEW.level, NEW.resource_grantable, NEW.destructive, NEW.operator_only,
	    NEW.builtin, NEW.created_at)
	   IS DISTINCT FROM
	   (OLD.name, OLD.level, OLD.resource_grantable, OLD.destructive, OLD.operator_only,
	    OLD.builtin, OLD.created_at)
	   OR (OLD.retired AND NOT NEW.retired) THEN
		RAISE EXCEPTION USING ERRCODE = '42501',
			MESSAGE = format('cannot change the identity of scope "%s"', OLD.name),
			DETAIL = 'A scope''s name, level and flags are fixed, and a retired scope stays retired.',
			HINT = 'Retire it and create a scope with a new name.';
	END IF;
	RETURN NEW;
END;
$$;
COMMENT ON FUNCTION rbac.protect_scopes() IS
	'trigger: scopes are never deleted or un-retired; built-in ones never change';

CREATE TRIGGER protect_scopes BEFORE INSERT OR UPDATE OR DELETE ON rbac.scopes
	FOR EACH ROW EXECUTE FUNCTION rbac.protect_scopes();

CREATE FUNCTION rbac.refuse_change() RETURNS trigger
	LANGUAGE plpgsql
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF rbac.in_extension_script() THEN
		RETURN NULL;
	END IF;
	RAISE EXCEPTION USING ERRCODE = '42501',
		MESSAGE = format('cannot %s %s.%s', lower(TG_OP), TG_TABLE_SCHEMA, TG_TABLE_NAME),
		DETAIL = 'This table holds what the extension ships; only its own scripts change it.',
		HINT = 'Use the rbac functions to change the model.';
END;
$$;
COMMENT ON FUNCTION rbac.refuse_change() IS
	'trigger: refuses writes to tables that only the extension''s scripts may change';

CREATE TRIGGER refuse_change BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON rbac.levels
	FOR EACH STATEMENT EXECUTE FUNCTION rbac.refuse_change();
CREATE TRIGGER refuse_truncate BEFORE TRUNCATE ON rbac.scopes
	FOR EACH STATEMENT EXECUTE FUNCTION rbac.refuse_change();
CREATE TRIGGER refuse_truncate BEFORE TRUNCATE ON rbac.roles
	FOR EACH STATEMENT EXECUTE FUNCTION rbac.refuse_change();

CREATE FUNCTION rbac.protect_resource_types() RETURNS trigger
	LANGUAGE plpgsql
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF rbac.in_extension_script()
	   OR NOT (coalesce(OLD.builtin, false) OR coalesce(NEW.builtin, false)) THEN
		RETURN coalesce(NEW, OLD);
	END IF;
	RAISE EXCEPTION USING ERRCODE = '42501',
		MESSAGE = format('cannot %s built-in resource type "%s"', lower(TG_OP), coalesce(OLD.name, NEW.name)),
		DETAIL = 'The resource types team, portfolio and project are shipped by the extension.',
		HINT = 'Register more types with rbac.register_resource_type().';
END;
$$;
COMMENT ON FUNCTION rbac.protect_resource_types() IS
	'trigger: built-in resource types cannot be changed or removed';

CREATE TRIGGER protect_resource_types BEFORE INSERT OR UPDATE OR DELETE ON rbac.resource_types
	FOR EACH ROW EXECUTE FUNCTION rbac.protect_resource_types();

-- A scope added or retired at a level changes the built-in roles at once.
CREATE FUNCTION rbac.rederive_builtin_roles() RETURNS trigger
	LANGUAGE plpgsql
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	UPDATE rbac.roles
	SET scopes = rbac.level_scopes(levels, kind), updated_at = now()
	WHERE builtin AND scopes OPERATOR(rbac.<>) rbac.level_scopes(levels, kind);
	RETURN NULL;
END;
$$;
COMMENT ON FUNCTION rbac.rederive_builtin_roles() IS
	'trigger: re-materialises every built-in role''s scopes from its levels after the catalog changes';

CREATE TRIGGER rederive_builtin_roles AFTER INSERT OR UPDATE ON rbac.scopes
	FOR EACH STATEMENT EXECUTE FUNCTION rbac.rederive_builtin_roles();
-- ===================================================================
-- Checks: the principal, has_scope() and effective reach (C)
-- ===================================================================

-- Database roles: rbac_authenticator may say who the principal is;
-- rbac_admin administers the model.  Roles are cluster-wide, so they may
-- exist already from another database.
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'rbac_authenticator') THEN
		CREATE ROLE rbac_authenticator NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'rbac_admin') THEN
		CREATE ROLE rbac_admin NOLOGIN;
	END IF;
END;
$$;
COMMENT ON ROLE rbac_authenticator IS 'may set the rbac principal with rbac.set_principal()';
COMMENT ON ROLE rbac_admin IS 'administers the rbac model as the platform operator';

-- Relcache invalidations of this empty relation tell every backend, and
-- every hot standby, to drop its cached reach.
CREATE TABLE rbac.cache_signal ();
COMMENT ON TABLE rbac.cache_signal IS
	'empty; an invalidation of this relation tells every backend to drop its cached rbac reach';

CREATE FUNCTION rbac.signal_change() RETURNS trigger
	AS 'MODULE_PATHNAME', 'rbac_signal_change' LANGUAGE C;
COMMENT ON FUNCTION rbac.signal_change() IS
	'trigger: invalidates every backend''s rbac cache when the model changes (only the changed principals'' entries for grants), at once in this transaction and at commit elsewhere';

DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['levels', 'scopes', 'organizations', 'workspaces',
	                         'resource_types', 'roles']
	LOOP
		EXECUTE format('CREATE TRIGGER signal_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
		                ON rbac.%I FOR EACH STATEMENT EXECUTE FUNCTION rbac.signal_change()', t);
	END LOOP;
END;
$$;

-- A change to grants touches only the reach of the rows' principals, so a
-- grant storm leaves everyone else's cached reach in place.  The changed
-- rows reach the trigger as transition tables, one event each.
CREATE TRIGGER signal_change_insert AFTER INSERT ON rbac.grants
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION rbac.signal_change();
CREATE TRIGGER signal_change_update AFTER UPDATE ON rbac.grants
	REFERENCING OLD TABLE AS before NEW TABLE AS after
	FOR EACH STATEMENT EXECUTE FUNCTION rbac.signal_change();
CREATE TRIGGER signal_change_delete AFTER DELETE ON rbac.grants
	REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION rbac.signal_change();
CREATE TRIGGER signal_change AFTER TRUNCATE ON rbac.grants
	FOR EACH STATEMENT EXECUTE FUNCTION rbac.signal_change();

CREATE FUNCTION rbac.current_principal() RETURNS text
	AS 'MODULE_PATHNAME', 'rbac_current_principal' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION rbac.current_principal() IS
	'the principal checks act for, or NULL when none is set';

CREATE FUNCTION rbac.set_principal(principal text, is_local boolean DEFAULT true) RETURNS text
	AS 'MODULE_PATHNAME', 'rbac_set_principal' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION rbac.set_principal(text, boolean) IS
	'sets the principal for the transaction (is_local) or the session; NULL clears it; only superusers and members of rbac_authenticator may call it';
REVOKE ALL ON FUNCTION rbac.set_principal(text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION rbac.set_principal(text, boolean) TO rbac_authenticator;

-- has_scope for text, uuid and bigint ids, so a policy needs no casts.
DO $$
DECLARE
	w text;
	r text;
BEGIN
	FOREACH w IN ARRAY ARRAY['text', 'uuid', 'bigint'] LOOP
		EXECUTE format($f$
			CREATE FUNCTION rbac.has_scope(scope text, workspace %1$s) RETURNS boolean
				AS 'MODULE_PATHNAME', 'rbac_has_scope' LANGUAGE C STABLE PARALLEL SAFE COST 10;
			COMMENT ON FUNCTION rbac.has_scope(text, %1$s) IS
				'does the current principal hold the scope in the workspace? false with no principal; an unknown scope is an error'
			$f$, w);
		FOREACH r IN ARRAY ARRAY['text', 'uuid', 'bigint'] LOOP
			EXECUTE format($f$
				CREATE FUNCTION rbac.has_scope(scope text, workspace %1$s, resource_type text, resource_id %2$s) RETURNS boolean
					AS 'MODULE_PATHNAME', 'rbac_has_scope' LANGUAGE C STABLE PARALLEL SAFE COST 10;
				COMMENT ON FUNCTION rbac.has_scope(text, %1$s, text, %2$s) IS
					'does the current principal hold the scope on the resource, through a workspace or a resource grant?'
				$f$, w, r);
		END LOOP;
	END LOOP;
END;
$$;

CREATE FUNCTION rbac.has_org_scope(scope text, organization text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'rbac_has_org_scope' LANGUAGE C STABLE PARALLEL SAFE COST 10;
COMMENT ON FUNCTION rbac.has_org_scope(text, text) IS
	'does the current principal hold the scope on the organization, through an organization role?';

CREATE FUNCTION rbac.principal_has_scope(principal text, scope text, workspace text,
		resource_type text DEFAULT NULL, resource_id text DEFAULT NULL) RETURNS boolean
	AS 'MODULE_PATHNAME', 'rbac_principal_has_scope' LANGUAGE C STABLE PARALLEL SAFE COST 10;
COMMENT ON FUNCTION rbac.principal_has_scope(text, text, text, text, text) IS
	'does this principal hold the scope? for superusers, rbac_admin and the principal itself';

CREATE FUNCTION rbac.effective_scopes(principal text, workspace text,
		resource_type text DEFAULT NULL, resource_id text DEFAULT NULL) RETURNS rbac.scopeset
	AS 'MODULE_PATHNAME', 'rbac_effective_scopes' LANGUAGE C STABLE PARALLEL SAFE COST 10;
COMMENT ON FUNCTION rbac.effective_scopes(text, text, text, text) IS
	'the union of the scopes of every grant that applies to the principal there; for superusers, rbac_admin and the principal itself';

CREATE FUNCTION rbac.cache_stats(OUT entries bigint, OUT hits bigint, OUT misses bigint,
		OUT invalidations bigint, OUT evictions bigint, OUT memory_bytes bigint,
		OUT max_entries integer) RETURNS record
	AS 'MODULE_PATHNAME', 'rbac_cache_stats' LANGUAGE C VOLATILE PARALLEL RESTRICTED;
COMMENT ON FUNCTION rbac.cache_stats() IS
	'this backend''s rbac cache: entries held, hits, misses, invalidations seen, generations evicted, memory used and the rbac.cache_entries bound';
-- ===================================================================
-- The audit log: one append-only row for every change to the model
-- ===================================================================

CREATE TABLE rbac.audit_log (
	id bigserial PRIMARY KEY,
	at timestamptz NOT NULL DEFAULT now(),
	actor text,
	database_user name NOT NULL DEFAULT session_user,
	action text NOT NULL,
	organization_id text,
	workspace_id text,
	target_principal text,
	role_key text,
	before jsonb,
	after jsonb
);
CREATE INDEX ON rbac.audit_log (workspace_id, at);
CREATE INDEX ON rbac.audit_log (organization_id, at);
COMMENT ON TABLE rbac.audit_log IS
	'one row for every change to the rbac model, written in the same transaction; append-only';
COMMENT ON COLUMN rbac.audit_log.at IS 'when the changing transaction began';
COMMENT ON COLUMN rbac.audit_log.actor IS 'the principal that acted, or NULL for the platform operator';
COMMENT ON COLUMN rbac.audit_log.database_user IS 'the database session user that ran the change';
COMMENT ON COLUMN rbac.audit_log.action IS 'what changed, such as member.add, grant, role.alter or ownership.transfer';
COMMENT ON COLUMN rbac.audit_log.before IS 'the state before the change, or NULL';
COMMENT ON COLUMN rbac.audit_log.after IS 'the state after the change, or NULL';

CREATE FUNCTION rbac.refuse_audit_change() RETURNS trigger
	LANGUAGE plpgsql
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RAISE EXCEPTION USING ERRCODE = '42501',
		MESSAGE = format('cannot %s rbac.audit_log', lower(TG_OP)),
		DETAIL = 'The audit log is append-only for everyone, its owner included.',
		HINT = 'Read it with rbac.audit_events(); rows are never changed or removed.';
END;
$$;
COMMENT ON FUNCTION rbac.refuse_audit_change() IS
	'trigger: refuses UPDATE, DELETE and TRUNCATE of the audit log';

CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON rbac.audit_log
	FOR EACH ROW EXECUTE FUNCTION rbac.refuse_audit_change();
CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON rbac.audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION rbac.refuse_audit_change();
-- Fire even under session_replication_role = replica.
ALTER TABLE rbac.audit_log ENABLE ALWAYS TRIGGER append_only;
ALTER TABLE rbac.audit_log ENABLE ALWAYS TRIGGER append_only_truncate;

CREATE FUNCTION rbac.audit(action text, organization text, workspace text,
		target_principal text, role_key text, before jsonb, after jsonb) RETURNS void
	LANGUAGE sql
	SET search_path = pg_catalog, pg_temp
AS $$
	INSERT INTO rbac.audit_log (actor, action, organization_id, workspace_id,
	                            target_principal, role_key, before, after)
	VALUES (rbac.current_principal(), action,
	        coalesce(organization, (SELECT w.organization_id FROM rbac.workspaces AS w WHERE w.id = workspace)),
	        workspace, target_principal, role_key, before, after);
$$;
COMMENT ON FUNCTION rbac.audit(text, text, text, text, text, jsonb, jsonb) IS
	'writes one audit row for a change made by the current actor; a workspace''s row carries its organization';
-- ===================================================================
-- Actors: who administration acts for, and the checks on their reach
-- ===================================================================
--
-- Administration acts for rbac.current_principal() and checks that
-- principal's own reach.  With no principal, superusers and members of
-- rbac_admin act as the platform operator, shown as a NULL actor: they skip
-- the scope checks below, never the invariants.

DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'rbac_user') THEN
		CREATE ROLE rbac_user NOLOGIN;
	END IF;
END;
$$;
COMMENT ON ROLE rbac_user IS
	'may call rbac administration and access review, acting for the current principal';
GRANT rbac_user TO rbac_admin, rbac_authenticator;

CREATE FUNCTION rbac.actor() RETURNS text
	AS 'MODULE_PATHNAME', 'rbac_actor' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION rbac.actor() IS
	'the principal administration acts for; NULL for the platform operator (superusers and rbac_admin with no principal); otherwise an error';

-- Scopes are named by the catalog, never by role: an Admin cannot touch an
-- Owner because the Owner holds tenant.delete and the Admin does not.
CREATE FUNCTION rbac.require_scope(actor text, scope text, workspace text, action text)
	RETURNS void
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	-- The actor is the current principal, bounded by its token, key and narrowing.
	IF actor IS NOT NULL AND NOT rbac.has_scope(scope, workspace) THEN
		RAISE EXCEPTION USING ERRCODE = '42501',
			MESSAGE = format('permission denied to %s', action),
			DETAIL = format('Principal "%s" lacks the scope %s in workspace "%s".', actor, scope, workspace),
			HINT = format('Ask someone who holds %s in that workspace.', scope);
	END IF;
END;
$$;
COMMENT ON FUNCTION rbac.require_scope(text, text, text, text) IS
	'error 42501 unless the actor holds the scope in the workspace (the operator always passes)';

CREATE FUNCTION rbac.organization_scopes(principal text, organization text, kind text)
	RETURNS rbac.scopeset
	LANGUAGE sql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce(rbac.union_agg(r.scopes), '{}')
	FROM rbac.grants AS g
	JOIN rbac.roles AS r ON r.id = g.role_id
	WHERE g.principal = organization_scopes.principal
	  AND g.organization_id = organization_scopes.organization
	  AND r.kind = organization_scopes.kind;
$$;
COMMENT ON FUNCTION rbac.organization_scopes(text, text, text) IS
	'the union of the roles of one kind a principal holds on an organization';

CREATE FUNCTION rbac.require_org_scope(actor text, scope text, organization text, action text)
	RETURNS void
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF actor IS NOT NULL AND NOT rbac.has_org_scope(scope, organization) THEN
		RAISE EXCEPTION USING ERRCODE = '42501',
			MESSAGE = format('permission denied to %s', action),
			DETAIL = format('Principal "%s" lacks the scope %s in organization "%s".', actor, scope, organization),
			HINT = format('Ask someone who holds %s in that organization.', scope);
	END IF;
END;
$$;
COMMENT ON FUNCTION rbac.require_org_scope(text, text, text, text) IS
	'error 42501 unless the actor holds the scope through an organization role';

-- The escalation guard: an actor gives, takes or changes only what lies
-- inside their own reach at that node.
CREATE FUNCTION rbac.require_within(actor text, wanted rbac.scopeset, reach rbac.scopeset,
		node text, action text) RETURNS void
	LANGUAGE plpgsql IMMUTABLE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF actor IS NOT NULL AND NOT reach OPERATOR(rbac.@>) wanted THEN
		RAISE EXCEPTION USING ERRCODE = '42501',
			MESSAGE = format('permission denied to %s', action),
			DETAIL = format('It involves scopes outside the reach of principal "%s" in %s: %s.',
			                actor, node, (wanted OPERATOR(rbac.-) reach)::text),
			HINT = 'An actor may grant, revoke or change only what lies inside their own reach.';
	END IF;
END;
$$;
COMMENT ON FUNCTION rbac.require_within(text, rbac.scopeset, rbac.scopeset, text, text) IS
	'error 42501 naming the extra scopes unless the actor''s reach contains the wanted scopes';

CREATE FUNCTION rbac.reach_of(principal text, workspace text,
		resource_type text DEFAULT NULL, resource_id text DEFAULT NULL) RETURNS rbac.scopeset
	LANGUAGE sql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce(rbac.effective_scopes(principal, workspace, resource_type, resource_id), '{}');
$$;
COMMENT ON FUNCTION rbac.reach_of(text, text, text, text) IS
	'a principal''s reach in a workspace or on a resource there; the operator''s is not asked';
-- ===================================================================
-- Grants and memberships: actor-checked, escalation-guarded, audited
-- ===================================================================
--
-- Every path checks a named catalog scope and the escalation guard: an
-- actor grants or revokes only roles inside their own reach at that node,
-- and changes or removes a member only if the member's reach there lies
-- inside theirs.  No code names a role to decide who may do what.

CREATE FUNCTION rbac.workspace_or_error(workspace text) RETURNS rbac.workspaces
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	w rbac.workspaces;
BEGIN
	SELECT * INTO w FROM rbac.workspaces WHERE id = workspace;
	IF NOT FOUND THEN
		RAISE EXCEPTION USING ERRCODE = '42704',
			MESSAGE = format('workspace "%s" does not exist', workspace),
			DETAIL = 'Grants are made on workspaces that rbac knows.',
			HINT = 'Create it first with rbac.create_workspace().';
	END IF;
	RETURN w;
END;
$$;
COMMENT ON FUNCTION rbac.workspace_or_error(text) IS
	'the workspace row, or error 42704 when there is none';

-- The role a key names where a grant is made: a built-in or database-wide
-- role, one of the organization's, or one of the workspace's.
CREATE FUNCTION rbac.resolve_role(role text, workspace text, organization text) RETURNS rbac.roles
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r rbac.roles;
BEGIN
	SELECT * INTO r FROM rbac.roles AS x
	WHERE lower(x.key) = lower(role)
	  AND ((x.workspace_id IS NULL AND x.organization_id IS NULL)
	       OR x.workspace_id = workspace
	       OR x.organization_id = organization)
	ORDER BY x.workspace_id NULLS LAST, x.organization_id NULLS LAST
	LIMIT 1;
	IF NOT FOUND THEN
		RAISE EXCEPTION USING ERRCODE = '42704',
			MESSAGE = format('role "%s" does not exist here', role),
			DETAIL = format('No built-in role, and no custom role of %s, has that key.',
			                coalesce('workspace "' || workspace || '"', 'organization "' || organization || '"')),
			HINT = 'List the roles with: SELECT key, kind FROM rbac.roles;';
	END IF;
	RETURN r;
END;
$$;
COMMENT ON FUNCTION rbac.resolve_role(text, text, text) IS
	'the role a key names at a workspace or organization, or error 42704';

CREATE FUNCTION rbac.kind_error(r rbac.roles, node text) RETURNS void
	LANGUAGE plpgsql IMMUTABLE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RAISE EXCEPTION USING ERRCODE = '42809',
		MESSAGE = format('role "%s" is %s %s role and cannot be granted on %s',
		                 r.key, CASE WHEN r.kind = 'organization' THEN 'an' ELSE 'a' END, r.kind, node),
		DETAIL = 'Organization roles are granted on organizations, workspace roles on workspaces or organizations, and resource roles on one resource; kinds never cross.',
		HINT = CASE r.kind
			WHEN 'resource' THEN 'Grant it on a resource: rbac.grant(principal, role, workspace, resource_type, resource_id).'
			WHEN 'organization' THEN 'Grant it on the organization with rbac.grant_org().'
			ELSE 'Grant a resource role, such as membership_viewer, on the resource.' END;
END;
$$;
COMMENT ON FUNCTION rbac.kind_error(rbac.roles, text) IS
	'raises the error for a role granted on the wrong kind of node';

CREATE FUNCTION rbac.require_resource_type(resource_type text) RETURNS void
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM rbac.resource_types AS t WHERE t.name = require_resource_type.resource_type) THEN
		RAISE EXCEPTION USING ERRCODE = '42704',
			MESSAGE = format('resource type "%s" does not exist', resource_type),
			DETAIL = 'Resource roles are granted on registered resource types.',
			HINT = 'Register it with rbac.register_resource_type().';
	END IF;
END;
$$;
COMMENT ON FUNCTION rbac.require_resource_type(text) IS
	'error 42704 unless the resource type is registered';

CREATE FUNCTION rbac.grant(principal text, role text, workspace text,
		resource_type text DEFAULT NULL, resource_id text DEFAULT NULL) RETURNS bigint
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	-- "grant" is a reserved word, so it cannot qualify the parameters.
	p_principal ALIAS FOR $1;
	p_resource_type ALIAS FOR $4;
	p_resource_id ALIAS FOR $5;
	actor text := rbac.actor();
	w rbac.workspaces := rbac.workspace_or_error(workspace);
	r rbac.roles := rbac.resolve_role(role, workspace, w.organization_id);
	on_resource boolean := resource_type IS NOT NULL OR resource_id IS NOT NULL;
	wanted_kind text := CASE WHEN on_resource THEN 'resource' ELSE 'workspace' END;
	node text := CASE WHEN on_resource
		THEN format('%s "%s" of workspace "%s"', resource_type, resource_id, workspace)
		ELSE format('workspace "%s"', workspace) END;
	grant_id bigint;
BEGIN
	IF on_resource AND (resource_type IS NULL OR resource_id IS NULL) THEN
		RAISE EXCEPTION USING ERRCODE = '22004',
			MESSAGE = 'a resource grant needs both resource_type and resource_id',
			DETAIL = 'A resource is named by its type and its id inside the workspace.',
			HINT = 'Pass both, or neither for a workspace grant.';
	END IF;
	IF on_resource THEN
		PERFORM rbac.require_resource_type(resource_type);
	END IF;
	IF r.kind <> wanted_kind THEN
		PERFORM rbac.kind_error(r, 'a ' || wanted_kind);
	END IF;
	PERFORM rbac.require_scope(actor, 'members.manage', workspace, format('grant role "%s"', r.key));
	PERFORM rbac.require_within(actor, r.scopes,
		rbac.actor_reach(workspace, resource_type, resource_id), node,
		format('grant role "%s"', r.key));
	INSERT INTO rbac.grants (principal, role_id, role_kind, workspace_id, resource_type, resource_id)
	VALUES (principal, r.id, r.kind, workspace, resource_type, resource_id)
	ON CONFLICT DO NOTHING
	RETURNING id INTO grant_id;
	IF grant_id IS NOT NULL THEN
		PERFORM rbac.audit('grant', w.organization_id, workspace, principal, r.key, NULL,
			jsonb_build_object('resource_type', resource_type, 'resource_id', resource_id));
		RETURN grant_id;
	END IF;
	SELECT g.id INTO grant_id FROM rbac.grants AS g
	WHERE g.principal = p_principal AND g.role_id = r.id AND g.workspace_id = workspace
	  AND g.resource_type IS NOT DISTINCT FROM p_resource_type
	  AND g.resource_id IS NOT DISTINCT FROM p_resource_id;
	RETURN grant_id;
END;
$$;
COMMENT ON FUNCTION rbac.grant(text, text, text, text, text) IS
	'grants a workspace role on a workspace, or a resource role on one resource; needs members.manage and the role inside the actor''s reach; idempotent, returns the grant id';

CREATE FUNCTION rbac.revoke(principal text, role text, workspace text,
		resource_type text DEFAULT NULL, resource_id text DEFAULT NULL) RETURNS boolean
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	actor text := rbac.actor();
	w rbac.workspaces := rbac.workspace_or_error(workspace);
	r rbac.roles := rbac.resolve_role(role, workspace, w.organization_id);
	node text := CASE WHEN resource_type IS NULL THEN format('workspace "%s"', workspace)
		ELSE format('%s "%s" of workspace "%s"', resource_type, resource_id, workspace) END;
BEGIN
	PERFORM rbac.require_scope(actor, 'members.manage', workspace, format('revoke role "%s"', r.key));
	PERFORM rbac.require_within(actor, r.scopes
			OPERATOR(rbac.|) rbac.reach_of(principal, workspace, resource_type, resource_id),
		rbac.actor_reach(workspace, resource_type, resource_id), node,
		format('revoke role "%s" from "%s"', r.key, principal));
	DELETE FROM rbac.grants AS g
	WHERE g.principal = revoke.principal AND g.role_id = r.id AND g.workspace_id = workspace
	  AND g.resource_type IS NOT DISTINCT FROM revoke.resource_type
	  AND g.resource_id IS NOT DISTINCT FROM revoke.resource_id;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	PERFORM rbac.check_ownership_now(workspace);
	PERFORM rbac.audit('revoke', w.organization_id, workspace, principal, r.key,
		jsonb_build_object('resource_type', resource_type, 'resource_id', resource_id), NULL);
	RETURN true;
END;
$$;
COMMENT ON FUNCTION rbac.revoke(text, text, text, text, text) IS
	'revokes a grant; needs members.manage, and the role and the member''s reach inside the actor''s; returns whether there was one';

-- Membership: a member of a workspace holds at least one workspace role there.
CREATE FUNCTION rbac.is_member(workspace text, principal text) RETURNS boolean
	LANGUAGE sql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
	SELECT EXISTS (SELECT 1 FROM rbac.grants AS g
	               WHERE g.workspace_id = is_member.workspace AND g.principal = is_member.principal
	                 AND g.resource_type IS NULL);
$$;
COMMENT ON FUNCTION rbac.is_member(text, text) IS
	'does the principal hold a workspace role on the workspace itself?';

CREATE FUNCTION rbac.member_roles(workspace text, principal text) RETURNS jsonb
	LANGUAGE sql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce(jsonb_agg(jsonb_build_object('role', r.key, 'resource_type', g.resource_type,
	                                             'resource_id', g.resource_id)
	                          ORDER BY r.key, g.resource_type, g.resource_id), '[]')
	FROM rbac.grants AS g JOIN rbac.roles AS r ON r.id = g.role_id
	WHERE g.workspace_id = member_roles.workspace AND g.principal = member_roles.principal;
$$;
COMMENT ON FUNCTION rbac.member_roles(text, text) IS
	'the roles a principal holds in a workspace, as jsonb for the audit log';

CREATE FUNCTION rbac.require_member(workspace text, principal text, expected boolean) RETURNS void
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF rbac.is_member(workspace, principal) = expected THEN
		RETURN;
	END IF;
	IF expected THEN
		RAISE EXCEPTION USING ERRCODE = '42704',
			MESSAGE = format('"%s" is not a member of workspace "%s"', principal, workspace),
			DETAIL = 'A member holds at least one workspace role on the workspace.',
			HINT = 'Invite them first with rbac.add_member().';
	END IF;
	RAISE EXCEPTION USING ERRCODE = '42710',
		MESSAGE = format('"%s" is already a member of workspace "%s"', principal, workspace),
		DETAIL = 'An invitation adds someone who holds no workspace role there yet.',
		HINT = 'Change their roles with rbac.set_role() or rbac.grant_role().';
END;
$$;
COMMENT ON FUNCTION rbac.require_member(text, text, boolean) IS
	'error unless the principal is (or, with expected false, is not yet) a member';

CREATE FUNCTION rbac.add_member(workspace text, principal text, role text DEFAULT 'member')
	RETURNS bigint
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	actor text := rbac.actor();
	w rbac.workspaces := rbac.workspace_or_error(workspace);
	r rbac.roles := rbac.resolve_role(role, workspace, w.organization_id);
	grant_id bigint;
BEGIN
	PERFORM rbac.require_scope(actor, 'members.invite', workspace, format('invite "%s"', principal));
	PERFORM rbac.require_member(workspace, principal, false);
	IF r.kind <> 'workspace' THEN
		PERFORM rbac.kind_error(r, 'a workspace');
	END IF;
	PERFORM rbac.require_within(actor, r.scopes, rbac.actor_reach(workspace),
		format('workspace "%s"', workspace), format('invite "%s" as "%s"', principal, r.key));
	INSERT INTO rbac.grants (principal, role_id, role_kind, workspace_id)
	VALUES (principal, r.id, r.kind, workspace)
	RETURNING id INTO grant_id;
	PERFORM rbac.audit('member.add', w.organization_id, workspace, principal, r.key, NULL,
		rbac.member_roles(workspace, principal));
	RETURN grant_id;
END;
$$;
COMMENT ON FUNCTION rbac.add_member(text, text, text) IS
	'invites a principal into a workspace with one workspace role; needs members.invite and the role inside the actor''s reach';

CREATE FUNCTION rbac.set_role(workspace text, principal text, role text) RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	actor text := rbac.actor();
	w rbac.workspaces := rbac.workspace_or_error(workspace);
	r rbac.roles := rbac.resolve_role(role, workspace, w.organization_id);
	before jsonb;
BEGIN
	PERFORM rbac.require_scope(actor, 'members.manage', workspace, format('change the role of "%s"', principal));
	PERFORM rbac.require_member(workspace, principal, true);
	IF r.kind <> 'workspace' THEN
		PERFORM rbac.kind_error(r, 'a workspace');
	END IF;
	PERFORM rbac.require_within(actor, r.scopes OPERATOR(rbac.|) rbac.reach_of(principal, workspace),
		rbac.actor_reach(workspace), format('workspace "%s"', workspace),
		format('change the role of "%s" to "%s"', principal, r.key));
	PERFORM rbac.lock_ownership(workspace);
	before := rbac.member_roles(workspace, principal);
	DELETE FROM rbac.grants AS g
	WHERE g.workspace_id = set_role.workspace AND g.principal = set_role.principal
	  AND g.resource_type IS NULL AND g.role_id <> r.id;
	INSERT INTO rbac.grants (principal, role_id, role_kind, workspace_id)
	VALUES (principal, r.id, r.kind, workspace)
	ON CONFLICT DO NOTHING;
	PERFORM rbac.check_ownership_now(workspace);
	PERFORM rbac.audit('member.set_role', w.organization_id, workspace, principal, r.key, before,
		rbac.member_roles(workspace, principal));
END;
$$;
COMMENT ON FUNCTION rbac.set_role(text, text, text) IS
	'replaces a member''s workspace roles with one role; needs members.manage, and both the member''s reach and the role inside the actor''s';

CREATE FUNCTION rbac.grant_role(workspace text, principal text, role text) RETURNS bigint
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	-- The scope first: who is a member is not for outsiders to learn.
	PERFORM rbac.workspace_or_error(workspace);
	PERFORM rbac.require_scope(rbac.actor(), 'members.manage', workspace,
		format('grant role "%s"', role));
	PERFORM rbac.require_member(workspace, principal, true);
	RETURN rbac.grant(principal, role, workspace);
END;
$$;
COMMENT ON FUNCTION rbac.grant_role(text, text, text) IS
	'gives a member one more workspace role; as rbac.grant()';

CREATE FUNCTION rbac.revoke_role(workspace text, principal text, role text) RETURNS boolean
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN rbac.revoke(principal, role, workspace);
END;
$$;
COMMENT ON FUNCTION rbac.revoke_role(text, text, text) IS
	'takes one workspace role from a member; as rbac.revoke()';

CREATE FUNCTION rbac.grant_resource_role(workspace text, resource_type text, resource_id text,
		principal text, role text) RETURNS bigint
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN rbac.grant(principal, role, workspace, resource_type, resource_id);
END;
$$;
COMMENT ON FUNCTION rbac.grant_resource_role(text, text, text, text, text) IS
	'grants a resource role on one resource; as rbac.grant()';

CREATE FUNCTION rbac.revoke_resource_role(workspace text, resource_type text, resource_id text,
		principal text, role text) RETURNS boolean
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN rbac.revoke(principal, role, workspace, resource_type, resource_id);
END;
$$;
COMMENT ON FUNCTION rbac.revoke_resource_role(text, text, text, text, text) IS
	'revokes a resource role on one resource; as rbac.revoke()';

-- Removing a member takes every grant they hold in the workspace.
CREATE FUNCTION rbac.delete_member_grants(workspace text, principal text, action text) RETURNS void
	LANGUAGE plpgsql
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	w rbac.workspaces := rbac.workspace_or_error(workspace);
	before jsonb;
BEGIN
	PERFORM rbac.require_member(workspace, principal, true);
	PERFORM rbac.lock_ownership(workspace);
	before := rbac.member_roles(workspace, principal);
	DELETE FROM rbac.grants AS g
	WHERE g.workspace_id = delete_member_grants.workspace AND g.principal = delete_member_grants.principal;
	PERFORM rbac.check_ownership_now(workspace);
	PERFORM rbac.audit(action, w.organization_id, workspace, principal, NULL, before, NULL);
END;
$$;
COMMENT ON FUNCTION rbac.delete_member_grants(text, text, text) IS
	'removes every grant a member holds in a workspace, keeping the ownership invariant, and audits it';

CREATE FUNCTION rbac.remove_member(workspace text, principal text) RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	actor text := rbac.actor();
	r record;
BEGIN
	PERFORM rbac.workspace_or_error(workspace);
	PERFORM rbac.require_scope(actor, 'members.remove', workspace, format('remove "%s"', principal));
	PERFORM rbac.require_within(actor, rbac.reach_of(principal, workspace), rbac.actor_reach(workspace),
		format('workspace "%s"', workspace), format('remove "%s"', principal));
	FOR r IN SELECT DISTINCT g.resource_type, g.resource_id FROM rbac.grants AS g
	         WHERE g.workspace_id = remove_member.workspace AND g.principal = remove_member.principal
	           AND g.resource_type IS NOT NULL
	LOOP
		PERFORM rbac.require_within(actor, rbac.reach_of(principal, workspace, r.resource_type, r.resource_id),
			rbac.actor_reach(workspace, r.resource_type, r.resource_id),
			format('%s "%s" of workspace "%s"', r.resource_type, r.resource_id, workspace),
			format('remove "%s"', principal));
	END LOOP;
	PERFORM rbac.delete_member_grants(workspace, principal, 'member.remove');
END;
$$;
COMMENT ON FUNCTION rbac.remove_member(text, text) IS
	'removes a member and every grant they hold in the workspace; needs members.remove and their reach inside the actor''s';

CREATE FUNCTION rbac.leave_workspace(workspace text) RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	actor text := rbac.actor();
BEGIN
	IF actor IS NULL THEN
		RAISE EXCEPTION USING ERRCODE = '42501',
			MESSAGE = 'the platform operator cannot leave a workspace',
			DETAIL = 'Leaving removes the current principal''s own grants, and no principal is set.',
			HINT = 'Set the principal that is leaving, or remove a member with rbac.remove_member().';
	END IF;
	PERFORM rbac.delete_member_grants(workspace, actor, 'member.leave');
END;
$$;
COMMENT ON FUNCTION rbac.leave_workspace(text) IS
	'the current principal leaves a workspace, giving up every grant there; an Owner must transfer ownership first';

-- Organizations: organization roles, and workspace roles for every workspace.
CREATE FUNCTION rbac.organization_or_error(organization text) RETURNS void
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM rbac.organizations AS o WHERE o.id = organization) THEN
		RAISE EXCEPTION USING ERRCODE = '42704',
			MESSAGE = format('organization "%s" does not exist', organization),
			DETAIL = 'Grants are made on organizations that rbac knows.',
			HINT = 'Create it first with rbac.create_organization().';
	END IF;
END;
$$;
COMMENT ON FUNCTION rbac.organization_or_error(text) IS
	'error 42704 unless the organization exists';

CREATE FUNCTION rbac.grant_org_role(organization text, principal text, role text) RETURNS bigint
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	actor text := rbac.actor();
	r rbac.roles;
	grant_id bigint;
BEGIN
	PERFORM rbac.organization_or_error(organization);
	r := rbac.resolve_role(role, NULL, organization);
	IF r.kind = 'resource' THEN
		PERFORM rbac.kind_error(r, 'an organization');
	END IF;
	PERFORM rbac.require_org_scope(actor, 'org.members.manage', organization, format('grant role "%s"', r.key));
	IF actor IS NOT NULL THEN
		PERFORM rbac.require_within(actor, r.scopes, rbac.actor_organization_reach(organization, r.kind),
			format('organization "%s"', organization), format('grant role "%s"', r.key));
	END IF;
	INSERT INTO rbac.grants (principal, role_id, role_kind, organization_id)
	VALUES (principal, r.id, r.kind, organization)
	ON CONFLICT DO NOTHING
	RETURNING id INTO grant_id;
	IF grant_id IS NOT NULL THEN
		PERFORM rbac.audit('grant', organization, NULL, principal, r.key, NULL, NULL);
		RETURN grant_id;
	END IF;
	SELECT g.id INTO grant_id FROM rbac.grants AS g
	WHERE g.principal = grant_org_role.principal AND g.role_id = r.id AND g.organization_id = organization;
	RETURN grant_id;
END;
$$;
COMMENT ON FUNCTION rbac.grant_org_role(text, text, text) IS
	'grants an organization role, or a workspace role that then applies in every workspace of the organization; needs org.members.manage';

CREATE FUNCTION rbac.revoke_org_role(organization text, principal text, role text) RETURNS boolean
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	actor text := rbac.actor();
	r rbac.roles;
BEGIN
	PERFORM rbac.organization_or_error(organization);
	r := rbac.resolve_role(role, NULL, organization);
	PERFORM rbac.require_org_scope(actor, 'org.members.manage', organization, format('revoke role "%s"', r.key));
	IF actor IS NOT NULL THEN
		PERFORM rbac.require_within(actor,
			r.scopes OPERATOR(rbac.|) rbac.organization_scopes(principal, organization, r.kind),
			rbac.actor_organization_reach(organization, r.kind),
			format('organization "%s"', organization), format('revoke role "%s" from "%s"', r.key, principal));
	END IF;
	DELETE FROM rbac.grants AS g
	WHERE g.principal = revoke_org_role.principal AND g.role_id = r.id AND g.organization_id = organization;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	PERFORM rbac.audit('revoke', organization, NULL, principal, r.key, NULL, NULL);
	RETURN true;
END;
$$;
COMMENT ON FUNCTION rbac.revoke_org_role(text, text, text) IS
	'revokes a role granted on an organization; needs org.members.manage and the member''s reach inside the actor''s';
-- ===================================================================
-- Ownership: exactly one Owner, or at least one, at every moment
-- ===================================================================
--
-- Every change that can touch a workspace's Owners first updates the
-- workspace row.  Under READ COMMITTED a concurrent change then waits and
-- counts again with a fresh snapshot; under REPEATABLE READ and SERIALIZABLE
-- it fails with a serialization error.  A deferred constraint trigger on
-- rbac.grants checks the count again at commit, whatever path made the
-- change.

CREATE FUNCTION rbac.owner_role_id() RETURNS bigint
	LANGUAGE sql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
	SELECT r.id FROM rbac.roles AS r WHERE r.builtin AND r.key = 'owner';
$$;
COMMENT ON FUNCTION rbac.owner_role_id() IS
	'the id of the built-in Owner role, the subject of the ownership rules';

CREATE FUNCTION rbac.lock_ownership(workspace text) RETURNS text
	LANGUAGE sql
	SET search_path = pg_catalog, pg_temp
AS $$
	-- An update that changes nothing still writes a row version: under
	-- REPEATABLE READ a concurrent change of Owners then fails to serialize
	-- instead of checking a stale count.  No value moves, so a restored
	-- dump stays identical.
	UPDATE rbac.workspaces AS w SET ownership = w.ownership
	WHERE w.id = lock_ownership.workspace
	RETURNING w.ownership;
$$;
COMMENT ON FUNCTION rbac.lock_ownership(text) IS
	'serializes changes to a workspace''s Owners by updating its row in place; returns its ownership mode';

CREATE FUNCTION rbac.owners_of(workspace text) RETURNS text[]
	LANGUAGE sql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce(array_agg(g.principal ORDER BY g.principal), '{}')
	FROM rbac.grants AS g
	WHERE g.workspace_id = owners_of.workspace AND g.resource_type IS NULL
	  AND g.role_id = rbac.owner_role_id();
$$;
COMMENT ON FUNCTION rbac.owners_of(text) IS
	'the principals holding the Owner role on a workspace';

CREATE FUNCTION rbac.check_ownership_now(workspace text) RETURNS void
	LANGUAGE plpgsql
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	mode text;
	n integer;
BEGIN
	SELECT w.ownership INTO mode FROM rbac.workspaces AS w WHERE w.id = workspace;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	n := cardinality(rbac.owners_of(workspace));
	IF mode = 'single' AND n <> 1 THEN
		RAISE EXCEPTION USING ERRCODE = '23514',
			MESSAGE = format('workspace "%s" must have exactly one Owner', workspace),
			DETAIL = format('This change would leave it with %s.', n),
			HINT = 'Move ownership with rbac.transfer_ownership(); otherwise the Owner cannot be removed, re-roled or leave.';
	END IF;
	IF mode = 'shared' AND n < 1 THEN
		RAISE EXCEPTION USING ERRCODE = '23514',
			MESSAGE = format('workspace "%s" must keep at least one Owner', workspace),
			DETAIL = 'This change would leave it with none.',
			HINT = 'Make another member an Owner first.';
	END IF;
END;
$$;
COMMENT ON FUNCTION rbac.check_ownership_now(text) IS
	'error 23514 unless the workspace has exactly one Owner (single) or at least one (shared)';

-- Deferred, it runs at COMMIT as whoever commits, outside the SECURITY
-- DEFINER function that made the change; it must read the model as its owner.
CREATE FUNCTION rbac.enforce_ownership() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	owner_id bigint := rbac.owner_role_id();
	ws text;
BEGIN
	IF OLD.role_id IS DISTINCT FROM owner_id AND NEW.role_id IS DISTINCT FROM owner_id THEN
		RETURN NULL;
	END IF;
	FOREACH ws IN ARRAY ARRAY[OLD.workspace_id, NEW.workspace_id] LOOP
		CONTINUE WHEN ws IS NULL
			OR NOT EXISTS (SELECT 1 FROM rbac.workspaces AS w WHERE w.id = ws);
		PERFORM rbac.lock_ownership(ws);
		PERFORM rbac.check_ownership_now(ws);
	END LOOP;
	RETURN NULL;
END;
$$;
COMMENT ON FUNCTION rbac.enforce_ownership() IS
	'constraint trigger: at commit, every workspace whose Owners changed still has the Owners its mode requires';

CREATE CONSTRAINT TRIGGER enforce_ownership
	AFTER INSERT OR UPDATE OR DELETE ON rbac.grants
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW
	EXECUTE FUNCTION rbac.enforce_ownership();

CREATE FUNCTION rbac.transfer_ownership(workspace text, to_principal text,
		from_principal text DEFAULT NULL) RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	actor text := rbac.actor();
	w rbac.workspaces := rbac.workspace_or_error(workspace);
	owners text[];
	old_owner text;
BEGIN
	PERFORM rbac.lock_ownership(workspace);
	owners := rbac.owners_of(workspace);
	old_owner := coalesce(actor, from_principal,
		CASE WHEN cardinality(owners) = 1 THEN owners[1] END);
	IF actor IS NOT NULL AND from_principal IS DISTINCT FROM NULL AND from_principal <> actor THEN
		RAISE EXCEPTION USING ERRCODE = '42501',
			MESSAGE = 'permission denied to transfer another Owner''s ownership',
			DETAIL = format('Principal "%s" can transfer only their own ownership.', actor),
			HINT = 'Leave from_principal out.';
	END IF;
	IF old_owner IS NULL OR NOT old_owner = ANY (owners) THEN
		RAISE EXCEPTION USING ERRCODE = '42501',
			MESSAGE = format('permission denied to transfer ownership of workspace "%s"', workspace),
			DETAIL = format('Only an Owner transfers ownership, and "%s" is not one.', coalesce(old_owner, '(unnamed)')),
			HINT = 'Act as the Owner; the platform operator names the Owner with from_principal.';
	END IF;
	PERFORM rbac.require_member(workspace, to_principal, true);
	IF to_principal = ANY (owners) THEN
		RAISE EXCEPTION USING ERRCODE = '42710',
			MESSAGE = format('"%s" is already an Owner of workspace "%s"', to_principal, workspace),
			DETAIL = 'Ownership moves to a member who is not an Owner yet.',
			HINT = 'Choose another member.';
	END IF;
	DELETE FROM rbac.grants AS g
	WHERE g.workspace_id = transfer_ownership.workspace AND g.principal = old_owner
	  AND g.resource_type IS NULL AND g.role_id = rbac.owner_role_id();
	INSERT INTO rbac.grants (principal, role_id, role_kind, workspace_id)
	VALUES (to_principal, rbac.owner_role_id(), 'workspace', workspace);
	-- The previous Owner stays a member, as an Admin.
	INSERT INTO rbac.grants (principal, role_id, role_kind, workspace_id)
	SELECT old_owner, r.id, r.kind, workspace FROM rbac.roles AS r WHERE r.builtin AND r.key = 'admin'
	ON CONFLICT DO NOTHING;
	PERFORM rbac.check_ownership_now(workspace);
	PERFORM rbac.audit('ownership.transfer', w.organization_id, workspace, to_principal, 'owner',
		jsonb_build_object('owners', owners), jsonb_build_object('owners', rbac.owners_of(workspace)));
END;
$$;
COMMENT ON FUNCTION rbac.transfer_ownership(text, text, text) IS
	'moves the Owner role from the acting Owner to another member, who must already be one; the previous Owner becomes an Admin';
-- ===================================================================
-- Nodes and the catalog: organizations, workspaces, resource types, scopes
-- ===================================================================

CREATE FUNCTION rbac.require_operator(actor text, action text) RETURNS void
	LANGUAGE plpgsql IMMUTABLE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF actor IS NOT NULL THEN
		RAISE EXCEPTION USING ERRCODE = '42501',
			MESSAGE = format('permission denied to %s', action),
			DETAIL = 'Only the platform operator does this, and a principal is set.',
			HINT = 'Call it as a member of rbac_admin with no principal set.';
	END IF;
END;
$$;
COMMENT ON FUNCTION rbac.require_operator(text, text) IS
	'error 42501 unless the platform operator is acting';

-- The creator of a node is its owner (seed 004).
CREATE FUNCTION rbac.creator_owner(actor text, owner text, node text) RETURNS text
	LANGUAGE plpgsql IMMUTABLE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF actor IS NULL THEN
		IF owner IS NULL THEN
			RAISE EXCEPTION USING ERRCODE = '22004',
				MESSAGE = format('the %s needs an owner', node),
				DETAIL = 'The platform operator creates it on someone''s behalf, and that someone becomes its owner.',
				HINT = 'Pass owner => the principal who will own it.';
		END IF;
		RETURN owner;
	END IF;
	IF owner IS NOT NULL AND owner <> actor THEN
		RAISE EXCEPTION USING ERRCODE = '42501',
			MESSAGE = format('permission denied to create a %s owned by "%s"', node, owner),
			DETAIL = format('The creator of a %s becomes its owner, and "%s" is creating it.', node, actor),
			HINT = 'Leave owner out, and transfer ownership afterwards if needed.';
	END IF;
	RETURN actor;
END;
$$;
COMMENT ON FUNCTION rbac.creator_owner(text, text, text) IS
	'the owner of a new node: the acting principal, or the owner the operator names';

CREATE FUNCTION rbac.create_organization(id text, name text, owner text DEFAULT NULL) RETURNS text
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	actor text := rbac.actor();
	owned_by text := CASE WHEN actor IS NULL AND owner IS NULL THEN NULL
		ELSE rbac.creator_owner(actor, owner, 'organization') END;
BEGIN
	IF actor IS NOT NULL AND rbac.context_bounds() IS NOT NULL THEN
		RAISE EXCEPTION USING ERRCODE = '42501',
			MESSAGE = format('permission denied to create organization "%s" from a bounded context', id),
			DETAIL = 'The principal acts through a token with scopes, an API key or a narrowing, and its owner would reach further than those allow.',
			HINT = 'Create organizations as the principal itself, with no token scopes, key or narrowing.';
	END IF;
	INSERT INTO rbac.organizations (id, name) VALUES (id, name);
	IF owned_by IS NOT NULL THEN
		INSERT INTO rbac.grants (principal, role_id, role_kind, organization_id)
		SELECT owned_by, r.id, r.kind, create_organization.id
		FROM rbac.roles AS r WHERE r.builtin AND r.key = 'org_owner';
	END IF;
	PERFORM rbac.audit('organization.create', id, NULL, owned_by, 'org_owner', NULL,
		jsonb_build_object('name', name, 'owner', owned_by));
	RETURN id;
END;
$$;
COMMENT ON FUNCTION rbac.create_organization(text, text, text) IS
	'creates an organization; an acting principal becomes its Organization Owner';

CREATE FUNCTION rbac.delete_organization(organization text) RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	actor text := rbac.actor();
	o rbac.organizations;
BEGIN
	PERFORM rbac.organization_or_error(organization);
	PERFORM rbac.require_org_scope(actor, 'org.delete', organization, format('delete organization "%s"', organization));
	IF EXISTS (SELECT 1 FROM rbac.workspaces AS w WHERE w.organization_id = organization) THEN
		RAISE EXCEPTION USING ERRCODE = '2BP01',
			MESSAGE = format('organization "%s" still has workspaces', organization),
			DETAIL = 'Deleting an organization does not delete its workspaces.',
			HINT = 'Delete its workspaces first with rbac.delete_workspace().';
	END IF;
	SELECT * INTO o FROM rbac.organizations AS x WHERE x.id = organization FOR UPDATE;
	DELETE FROM rbac.grants AS g WHERE g.organization_id = organization;
	DELETE FROM rbac.roles AS r WHERE r.organization_id = organization;
	DELETE FROM rbac.organizations AS x WHERE x.id = organization;
	PERFORM rbac.audit('organization.delete', organization, NULL, NULL, NULL, to_jsonb(o), NULL);
END;
$$;
COMMENT ON FUNCTION rbac.delete_organization(text) IS
	'deletes an empty organization with its grants and roles; needs org.delete; its audit history stays';

CREATE FUNCTION rbac.create_workspace(id text, name text, owner text DEFAULT NULL,
		organization text DEFAULT NULL, ownership text DEFAULT 'single') RETURNS text
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	actor text := rbac.actor();
	owned_by text := rbac.creator_owner(actor, owner, 'workspace');
BEGIN
	IF ownership IS NULL OR ownership NOT IN ('single', 'shared') THEN
		RAISE EXCEPTION USING ERRCODE = '22023',
			MESSAGE = format('invalid ownership "%s"', ownership),
			DETAIL = 'A workspace has exactly one Owner (single) or one or more (shared).',
			HINT = 'Pass ownership => ''single'' or ''shared''.';
	END IF;
	IF organization IS NOT NULL THEN
		PERFORM rbac.organization_or_error(organization);
		PERFORM rbac.require_org_scope(actor, 'org.workspaces.create', organization,
			format('create a workspace in organization "%s"', organization));
	END IF;
	INSERT INTO rbac.workspaces (id, name, organization_id, ownership)
	VALUES (id, name, organization, ownership);
	INSERT INTO rbac.grants (principal, role_id, role_kind, workspace_id)
	VALUES (owned_by, rbac.owner_role_id(), 'workspace', id);
	PERFORM rbac.audit('workspace.create', organization, id, owned_by, 'owner', NULL,
		jsonb_build_object('name', name, 'organization', organization, 'ownership', ownership, 'owner', owned_by));
	RETURN id;
END;
$$;
COMMENT ON FUNCTION rbac.create_workspace(text, text, text, text, text) IS
	'creates a workspace, optionally in an organization (needs org.workspaces.create there); its creator becomes its Owner';

CREATE FUNCTION rbac.delete_workspace(workspace text) RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	actor text := rbac.actor();
	w rbac.workspaces := rbac.workspace_or_error(workspace);
	grants jsonb;
BEGIN
	PERFORM rbac.require_scope(actor, 'tenant.delete', workspace, format('delete workspace "%s"', workspace));
	PERFORM rbac.lock_ownership(workspace);
	SELECT coalesce(jsonb_agg(jsonb_build_object('principal', g.principal, 'role', r.key,
	                                             'resource_type', g.resource_type, 'resource_id', g.resource_id)
	                          ORDER BY g.id), '[]')
	INTO grants
	FROM rbac.grants AS g JOIN rbac.roles AS r ON r.id = g.role_id
	WHERE g.workspace_id = workspace;
	DELETE FROM rbac.grants AS g WHERE g.workspace_id = workspace;
	DELETE FROM rbac.api_keys AS k WHERE k.workspace_id = workspace;
	DELETE FROM rbac.roles AS r WHERE r.workspace_id = workspace;
	DELETE FROM rbac.workspaces AS x WHERE x.id = workspace;
	PERFORM rbac.audit('workspace.delete', w.organization_id, workspace, NULL, NULL,
		to_jsonb(w) || jsonb_build_object('grants', grants), NULL);
END;
$$;
COMMENT ON FUNCTION rbac.delete_workspace(text) IS
	'deletes a workspace with its grants, API keys and custom roles; needs tenant.delete; its audit history stays';

CREATE FUNCTION rbac.register_resource_type(name text, description text DEFAULT '') RETURNS text
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM rbac.require_operator(rbac.actor(), 'register a resource type');
	INSERT INTO rbac.resource_types (name, description) VALUES (name, description);
	PERFORM rbac.audit('resource_type.create', NULL, NULL, NULL, NULL, NULL,
		jsonb_build_object('name', name, 'description', description));
	RETURN name;
END;
$$;
COMMENT ON FUNCTION rbac.register_resource_type(text, text) IS
	'registers a kind of resource that resource roles can be granted on; platform operator only';

CREATE FUNCTION rbac.create_scope(name text, area text, label text, level text,
		description text DEFAULT '', resource_grantable boolean DEFAULT false,
		destructive boolean DEFAULT false) RETURNS text
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM rbac.require_operator(rbac.actor(), format('create scope "%s"', name));
	IF name IS NULL OR NOT rbac.is_scope_name(name) THEN
		RAISE EXCEPTION USING ERRCODE = '22023',
			MESSAGE = format('"%s" is not a valid scope name', name),
			DETAIL = 'A catalog scope is segments of letters, digits, "_" and "-" joined by "." or ":", with no wildcard.',
			HINT = 'Choose a name such as documents.archive or agents:my-agent:run.';
	END IF;
	IF EXISTS (SELECT 1 FROM rbac.scopes AS s WHERE s.name = create_scope.name) THEN
		RAISE EXCEPTION USING ERRCODE = '42710',
			MESSAGE = format('scope "%s" already exists', name),
			DETAIL = 'Scope names are never reused, even after they are retired.',
			HINT = 'Choose a new name.';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM rbac.levels AS l WHERE l.name = level) THEN
		RAISE EXCEPTION USING ERRCODE = '22023',
			MESSAGE = format('level "%s" does not exist', level),
			DETAIL = 'Every scope has one of the catalog''s levels, which decide the built-in roles that carry it.',
			HINT = 'Choose one of: SELECT name FROM rbac.levels ORDER BY position;';
	END IF;
	INSERT INTO rbac.scopes (name, area, label, description, level, resource_grantable, destructive)
	VALUES (name, area, label, description, level, resource_grantable, destructive);
	PERFORM rbac.audit('scope.create', NULL, NULL, NULL, NULL, NULL,
		(SELECT to_jsonb(s) FROM rbac.scopes AS s WHERE s.name = create_scope.name));
	RETURN name;
END;
$$;
COMMENT ON FUNCTION rbac.create_scope(text, text, text, text, text, boolean, boolean) IS
	'adds an application scope to the catalog; the built-in roles of its level carry it at once; platform operator only';

CREATE FUNCTION rbac.retire_scope(name text) RETURNS text
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	before jsonb := (SELECT to_jsonb(s) FROM rbac.scopes AS s WHERE s.name = retire_scope.name);
BEGIN
	PERFORM rbac.require_operator(rbac.actor(), format('retire scope "%s"', name));
	IF before IS NULL THEN
		RAISE EXCEPTION USING ERRCODE = '22023',
			MESSAGE = format('scope "%s" does not exist', name),
			DETAIL = 'Only scopes in the catalog can be retired.',
			HINT = 'List the catalog with: SELECT name FROM rbac.scopes;';
	END IF;
	UPDATE rbac.scopes AS s SET retired = true, retired_at = now()
	WHERE s.name = retire_scope.name AND NOT s.retired;
	IF FOUND THEN
		PERFORM rbac.audit('scope.retire', NULL, NULL, NULL, NULL, before,
			(SELECT to_jsonb(s) FROM rbac.scopes AS s WHERE s.name = retire_scope.name));
	END IF;
	RETURN name;
END;
$$;
COMMENT ON FUNCTION rbac.retire_scope(text) IS
	'retires an application scope: no role carries it any more and checks of it are false; the name stays reserved; platform operator only';
-- ===================================================================
-- Custom roles, with the guardrails of seed 003
-- ===================================================================
--
-- A custom role belongs to a workspace, an organization, or (platform
-- operator only) the whole database.  Its scopes must come from the catalog;
-- the operator-only scope can never be added; a destructive scope must be
-- confirmed; a resource role holds only resource-grantable scopes; and its
-- key and name may not repeat a built-in's or another role's visible at the
-- same node.  An actor adds or removes only scopes they hold.

-- The catalog scopes each element of a set covers, with their flags.
CREATE FUNCTION rbac.covered_catalog(scopes rbac.scopeset)
	RETURNS TABLE (element text, name text, node_kind text, resource_grantable boolean,
	               destructive boolean, operator_only boolean, retired boolean)
	LANGUAGE sql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
	SELECT e.element, s.name, l.node_kind, s.resource_grantable, s.destructive,
	       s.operator_only, s.retired
	FROM rbac.scopes(scopes) AS e(element)
	LEFT JOIN rbac.scopes AS s ON rbac.scopeset(ARRAY[e.element]) OPERATOR(rbac.?) s.name
	LEFT JOIN rbac.levels AS l ON l.name = s.level;
$$;
COMMENT ON FUNCTION rbac.covered_catalog(rbac.scopeset) IS
	'each element of a set with every catalog scope it covers (NULLs when it covers none)';

CREATE FUNCTION rbac.check_role_scopes(kind text, scopes rbac.scopeset, added rbac.scopeset,
		confirm_destructive boolean) RETURNS void
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	bad text;
	wanted_node text := CASE kind WHEN 'organization' THEN 'organization' ELSE 'workspace' END;
BEGIN
	SELECT string_agg(c.element, ', ' ORDER BY c.element) INTO bad
	FROM (SELECT x.element FROM rbac.covered_catalog(scopes) AS x
	      GROUP BY x.element HAVING count(*) FILTER (WHERE NOT x.retired) = 0) AS c;
	IF bad IS NOT NULL THEN
		RAISE EXCEPTION USING ERRCODE = '22023',
			MESSAGE = format('scopes not in the catalog: %s', bad),
			DETAIL = 'Every scope of a role must be in rbac.scopes and not retired; a wildcard must match at least one such scope.',
			HINT = 'Check the spelling against rbac.scopes, or add the scope with rbac.create_scope().';
	END IF;
	SELECT string_agg(DISTINCT c.name, ', ') INTO bad
	FROM rbac.covered_catalog(scopes) AS c WHERE c.operator_only;
	IF bad IS NOT NULL THEN
		RAISE EXCEPTION USING ERRCODE = '42501',
			MESSAGE = format('operator-only scopes cannot be added to a role: %s', bad),
			DETAIL = 'Operator-only scopes are held by the platform operator alone, never through a role.',
			HINT = 'Remove them, or narrow the wildcard that covers them.';
	END IF;
	SELECT string_agg(DISTINCT c.name, ', ') INTO bad
	FROM rbac.covered_catalog(scopes) AS c WHERE NOT c.retired AND c.node_kind <> wanted_node;
	IF bad IS NOT NULL THEN
		RAISE EXCEPTION USING ERRCODE = '22023',
			MESSAGE = format('scopes that do not act on %s %s: %s',
			                 CASE WHEN wanted_node = 'organization' THEN 'an' ELSE 'a' END, wanted_node, bad),
			DETAIL = format('A %s role holds only scopes whose level acts on %s.', kind, wanted_node),
			HINT = 'Remove them, or create a role of the other kind.';
	END IF;
	IF kind = 'resource' THEN
		SELECT string_agg(DISTINCT c.name, ', ') INTO bad
		FROM rbac.covered_catalog(scopes) AS c WHERE NOT c.retired AND NOT c.resource_grantable;
		IF bad IS NOT NULL THEN
			RAISE EXCEPTION USING ERRCODE = '22023',
				MESSAGE = format('scopes that cannot be granted on a single resource: %s', bad),
				DETAIL = 'A resource role holds only resource-grantable scopes.',
				HINT = 'Remove them, or narrow the wildcard that covers them.';
		END IF;
	END IF;
	SELECT string_agg(DISTINCT c.name, ', ') INTO bad
	FROM rbac.covered_catalog(added) AS c WHERE c.destructive AND NOT c.retired;
	IF bad IS NOT NULL AND NOT confirm_destructive THEN
		RAISE EXCEPTION USING ERRCODE = '22023',
			MESSAGE = format('destructive scopes need confirmation: %s', bad),
			DETAIL = 'These scopes delete or irreversibly change something.',
			HINT = 'Pass confirm_destructive => true if the role should hold them.';
	END IF;
END;
$$;
COMMENT ON FUNCTION rbac.check_role_scopes(text, rbac.scopeset, rbac.scopeset, boolean) IS
	'the scope guardrails of a custom role: catalog, operator-only, node kind, resource-grantable, destructive confirmation';

-- Roles whose visibility overlaps that of a role belonging to this node.
CREATE FUNCTION rbac.roles_seen_with(workspace text, organization text)
	RETURNS SETOF rbac.roles
	LANGUAGE sql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
	SELECT r.* FROM rbac.roles AS r
	WHERE (r.workspace_id IS NULL AND r.organization_id IS NULL)
	   OR (workspace IS NULL AND organization IS NULL)
	   OR r.workspace_id = workspace
	   OR r.organization_id = coalesce(organization,
	          (SELECT w.organization_id FROM rbac.workspaces AS w WHERE w.id = workspace))
	   OR (organization IS NOT NULL AND r.workspace_id IN
	          (SELECT w.id FROM rbac.workspaces AS w WHERE w.organization_id = organization));
$$;
COMMENT ON FUNCTION rbac.roles_seen_with(text, text) IS
	'roles visible in some workspace where a role of this node would be visible too';

CREATE FUNCTION rbac.check_role_naming(key text, name text, workspace text, organization text,
		except_id bigint DEFAULT NULL) RETURNS void
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	clash rbac.roles;
BEGIN
	IF key IS NULL OR key !~ '^[a-z][a-z0-9_]*$' OR coalesce(name, '') = '' THEN
		RAISE EXCEPTION USING ERRCODE = '22023',
			MESSAGE = format('invalid role key "%s" or name "%s"', key, name),
			DETAIL = 'A key is lowercase letters, digits and "_", starting with a letter; a name is not empty.',
			HINT = 'Choose a key such as release_manager and a name such as Release Manager.';
	END IF;
	SELECT * INTO clash FROM rbac.roles_seen_with(workspace, organization) AS r
	WHERE r.id IS DISTINCT FROM except_id
	  AND (lower(r.key) IN (lower(check_role_naming.key), lower(check_role_naming.name))
	       OR lower(r.name) IN (lower(check_role_naming.key), lower(check_role_naming.name)))
	ORDER BY r.builtin DESC LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION USING ERRCODE = '42710',
			MESSAGE = format('role key or name "%s" is already taken',
			                 CASE WHEN lower(clash.key) IN (lower(check_role_naming.key), lower(check_role_naming.name))
			                      THEN clash.key ELSE clash.name END),
			DETAIL = CASE WHEN clash.builtin
				THEN format('The built-in role "%s" (%s) uses it, and built-in names mean the same everywhere.', clash.key, clash.name)
				ELSE format('The custom role "%s" (%s) uses it where this role would be visible too.', clash.key, clash.name) END,
			HINT = 'Choose another key and name; names are compared without regard to case.';
	END IF;
END;
$$;
COMMENT ON FUNCTION rbac.check_role_naming(text, text, text, text, bigint) IS
	'error unless the key and name are valid and used by no built-in and no role visible at the same node';

-- What an actor needs to manage roles at a node, and the reach their scopes must lie in.
CREATE FUNCTION rbac.role_admin_reach(actor text, kind text, workspace text, organization text,
		action text) RETURNS rbac.scopeset
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF workspace IS NOT NULL AND organization IS NOT NULL THEN
		RAISE EXCEPTION USING ERRCODE = '22023',
			MESSAGE = 'a custom role belongs to a workspace or an organization, not both',
			DETAIL = 'A role of an organization is visible in all its workspaces already.',
			HINT = 'Pass one of belongs_to_workspace and belongs_to_organization.';
	END IF;
	IF workspace IS NOT NULL THEN
		PERFORM rbac.workspace_or_error(workspace);
		IF kind = 'organization' THEN
			RAISE EXCEPTION USING ERRCODE = '22023',
				MESSAGE = 'an organization role cannot belong to a workspace',
				DETAIL = 'Organization roles are granted on organizations.',
				HINT = 'Pass belongs_to_organization instead.';
		END IF;
		PERFORM rbac.require_scope(actor, 'roles.manage', workspace, action);
		RETURN rbac.actor_reach(workspace);
	END IF;
	IF organization IS NOT NULL THEN
		PERFORM rbac.organization_or_error(organization);
		PERFORM rbac.require_org_scope(actor, 'org.roles.manage', organization, action);
		RETURN CASE WHEN actor IS NULL THEN NULL
			ELSE rbac.actor_organization_reach(organization,
				CASE kind WHEN 'organization' THEN 'organization' ELSE 'workspace' END) END;
	END IF;
	PERFORM rbac.require_operator(actor, action || ' for the whole database');
	RETURN NULL;
END;
$$;
COMMENT ON FUNCTION rbac.role_admin_reach(text, text, text, text, text) IS
	'checks an actor may manage roles at a node and returns the reach their scopes must lie in';

CREATE FUNCTION rbac.create_role(key text, name text, kind text, scopes rbac.scopeset,
		description text DEFAULT '', belongs_to_workspace text DEFAULT NULL,
		belongs_to_organization text DEFAULT NULL, confirm_destructive boolean DEFAULT false)
	RETURNS bigint
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	actor text := rbac.actor();
	reach rbac.scopeset;
	role_id bigint;
BEGIN
	IF kind IS NULL OR kind NOT IN ('organization', 'workspace', 'resource') THEN
		RAISE EXCEPTION USING ERRCODE = '22023',
			MESSAGE = format('invalid role kind "%s"', kind),
			DETAIL = 'A role is an organization, workspace or resource role.',
			HINT = 'Pass kind => ''workspace'', ''resource'' or ''organization''.';
	END IF;
	reach := rbac.role_admin_reach(actor, kind, belongs_to_workspace, belongs_to_organization,
		format('create role "%s"', key));
	PERFORM rbac.check_role_naming(key, name, belongs_to_workspace, belongs_to_organization);
	PERFORM rbac.check_role_scopes(kind, scopes, scopes, confirm_destructive);
	PERFORM rbac.require_within(actor, scopes, reach,
		coalesce('workspace "' || belongs_to_workspace || '"', 'organization "' || belongs_to_organization || '"'),
		format('create role "%s"', key));
	INSERT INTO rbac.roles (key, name, kind, scopes, description, workspace_id, organization_id)
	VALUES (key, name, kind, scopes, coalesce(description, ''), belongs_to_workspace, belongs_to_organization)
	RETURNING id INTO role_id;
	PERFORM rbac.audit('role.create', belongs_to_organization, belongs_to_workspace, NULL, key, NULL,
		(SELECT to_jsonb(r) FROM rbac.roles AS r WHERE r.id = role_id));
	RETURN role_id;
END;
$$;
COMMENT ON FUNCTION rbac.create_role(text, text, text, rbac.scopeset, text, text, text, boolean) IS
	'creates a custom role at a workspace, an organization or (operator only) database-wide, within the guardrails and the actor''s reach';

-- The custom role a key names among the roles belonging to exactly this node.
CREATE FUNCTION rbac.custom_role_or_error(key text, workspace text, organization text)
	RETURNS rbac.roles
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r rbac.roles;
BEGIN
	SELECT * INTO r FROM rbac.roles AS x
	WHERE lower(x.key) = lower(custom_role_or_error.key)
	  AND x.workspace_id IS NOT DISTINCT FROM workspace
	  AND x.organization_id IS NOT DISTINCT FROM organization;
	IF FOUND AND r.builtin THEN
		RAISE EXCEPTION USING ERRCODE = '42501',
			MESSAGE = format('cannot change built-in role "%s"', r.key),
			DETAIL = 'Built-in roles are the same in every workspace and cannot be changed by anyone.',
			HINT = 'Clone it with rbac.clone_role() and change the clone.';
	END IF;
	IF NOT FOUND THEN
		RAISE EXCEPTION USING ERRCODE = '42704',
			MESSAGE = format('custom role "%s" does not exist at %s', key,
			                 coalesce('workspace "' || workspace || '"', 'organization "' || organization || '"', 'database level')),
			DETAIL = 'A custom role is named by its key and the node it belongs to.',
			HINT = 'Pass belongs_to_workspace or belongs_to_organization as when it was created.';
	END IF;
	RETURN r;
END;
$$;
COMMENT ON FUNCTION rbac.custom_role_or_error(text, text, text) IS
	'the custom role with this key belonging to exactly this node, or an error';

CREATE FUNCTION rbac.alter_role(key text, belongs_to_workspace text DEFAULT NULL,
		belongs_to_organization text DEFAULT NULL, name text DEFAULT NULL,
		description text DEFAULT NULL, scopes rbac.scopeset DEFAULT NULL,
		add_scopes rbac.scopeset DEFAULT NULL, remove_scopes rbac.scopeset DEFAULT NULL,
		confirm_destructive boolean DEFAULT false) RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	actor text := rbac.actor();
	r rbac.roles := rbac.custom_role_or_error(key, belongs_to_workspace, belongs_to_organization);
	reach rbac.scopeset := rbac.role_admin_reach(actor, r.kind, belongs_to_workspace,
		belongs_to_organization, format('alter role "%s"', r.key));
	new_scopes rbac.scopeset := (coalesce(alter_role.scopes, r.scopes)
		OPERATOR(rbac.|) coalesce(add_scopes, '{}')) OPERATOR(rbac.-) coalesce(remove_scopes, '{}');
	added rbac.scopeset := new_scopes OPERATOR(rbac.-) r.scopes;
	removed rbac.scopeset := r.scopes OPERATOR(rbac.-) new_scopes;
BEGIN
	PERFORM rbac.check_role_naming(r.key, coalesce(alter_role.name, r.name), belongs_to_workspace,
		belongs_to_organization, r.id);
	PERFORM rbac.check_role_scopes(r.kind, new_scopes, added, confirm_destructive);
	PERFORM rbac.require_within(actor, added OPERATOR(rbac.|) removed, reach,
		coalesce('workspace "' || belongs_to_workspace || '"', 'organization "' || belongs_to_organization || '"'),
		format('change the scopes of role "%s"', r.key));
	UPDATE rbac.roles AS x
	SET name = coalesce(alter_role.name, x.name),
	    description = coalesce(alter_role.description, x.description),
	    scopes = new_scopes,
	    updated_at = now()
	WHERE x.id = r.id;
	PERFORM rbac.audit('role.alter', belongs_to_organization, belongs_to_workspace, NULL, r.key,
		to_jsonb(r), (SELECT to_jsonb(x) FROM rbac.roles AS x WHERE x.id = r.id));
END;
$$;
COMMENT ON FUNCTION rbac.alter_role(text, text, text, text, text, rbac.scopeset, rbac.scopeset, rbac.scopeset, boolean) IS
	'renames a custom role or changes its scopes (set, add or remove); every scope added or removed must be the actor''s; takes effect at once';

CREATE FUNCTION rbac.drop_role(key text, reassign_to text DEFAULT NULL,
		belongs_to_workspace text DEFAULT NULL, belongs_to_organization text DEFAULT NULL)
	RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	actor text := rbac.actor();
	r rbac.roles := rbac.custom_role_or_error(key, belongs_to_workspace, belongs_to_organization);
	reach rbac.scopeset := rbac.role_admin_reach(actor, r.kind, belongs_to_workspace,
		belongs_to_organization, format('drop role "%s"', r.key));
	target rbac.roles;
	held bigint := (SELECT count(*) FROM rbac.grants AS g WHERE g.role_id = r.id);
BEGIN
	-- Dropping a role removes all its scopes, from it and from its holders.
	PERFORM rbac.require_within(actor, r.scopes, reach,
		coalesce('workspace "' || belongs_to_workspace || '"', 'organization "' || belongs_to_organization || '"'),
		format('drop role "%s"', r.key));
	IF held > 0 AND reassign_to IS NULL THEN
		RAISE EXCEPTION USING ERRCODE = '2BP01',
			MESSAGE = format('role "%s" is still held', r.key),
			DETAIL = format('Grants holding it: %s.', held),
			HINT = 'Pass reassign_to => another role of the same kind to move them.';
	END IF;
	IF held > 0 THEN
		target := rbac.resolve_role(reassign_to, belongs_to_workspace, coalesce(belongs_to_organization,
			(SELECT w.organization_id FROM rbac.workspaces AS w WHERE w.id = belongs_to_workspace)));
		IF target.kind <> r.kind OR target.id = r.id THEN
			RAISE EXCEPTION USING ERRCODE = '42809',
				MESSAGE = format('cannot reassign the holders of "%s" to "%s"', r.key, target.key),
				DETAIL = 'Grants move to another role of the same kind.',
				HINT = format('Choose another %s role.', r.kind);
		END IF;
		PERFORM rbac.require_within(actor, target.scopes, reach,
			coalesce('workspace "' || belongs_to_workspace || '"', 'organization "' || belongs_to_organization || '"'),
			format('reassign the holders of "%s" to "%s"', r.key, target.key));
		-- A holder who already holds the target keeps that grant.
		DELETE FROM rbac.grants AS g
		WHERE g.role_id = r.id AND EXISTS (
			SELECT 1 FROM rbac.grants AS t
			WHERE t.role_id = target.id AND t.principal = g.principal
			  AND t.organization_id IS NOT DISTINCT FROM g.organization_id
			  AND t.workspace_id IS NOT DISTINCT FROM g.workspace_id
			  AND t.resource_type IS NOT DISTINCT FROM g.resource_type
			  AND t.resource_id IS NOT DISTINCT FROM g.resource_id);
		UPDATE rbac.grants AS g SET role_id = target.id WHERE g.role_id = r.id;
	END IF;
	DELETE FROM rbac.roles AS x WHERE x.id = r.id;
	PERFORM rbac.audit('role.drop', belongs_to_organization, belongs_to_workspace, NULL, r.key,
		to_jsonb(r), jsonb_build_object('reassigned_to', target.key, 'grants', held));
END;
$$;
COMMENT ON FUNCTION rbac.drop_role(text, text, text, text) IS
	'drops a custom role whose scopes the actor holds; refused while held unless its grants are reassigned to another role of the same kind';

CREATE FUNCTION rbac.clone_role(source text, key text, name text DEFAULT NULL,
		belongs_to_workspace text DEFAULT NULL, belongs_to_organization text DEFAULT NULL,
		description text DEFAULT NULL, confirm_destructive boolean DEFAULT false) RETURNS bigint
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	s rbac.roles := rbac.resolve_role(source, belongs_to_workspace, coalesce(belongs_to_organization,
		(SELECT w.organization_id FROM rbac.workspaces AS w WHERE w.id = belongs_to_workspace)));
	operator_only rbac.scopeset := (SELECT rbac.scopeset(coalesce(array_agg(c.name), '{}'))
		FROM rbac.scopes AS c WHERE c.operator_only);
BEGIN
	RETURN rbac.create_role(key, coalesce(name, initcap(replace(key, '_', ' '))), s.kind,
		s.scopes OPERATOR(rbac.-) operator_only,
		coalesce(description, format('Cloned from %s.', s.name)),
		belongs_to_workspace, belongs_to_organization, confirm_destructive);
END;
$$;
COMMENT ON FUNCTION rbac.clone_role(text, text, text, text, text, text, boolean) IS
	'creates a custom role with the scopes of another, minus any operator-only scope; the guardrails apply as to any new role';
-- ===================================================================
-- Access review in psql: reading who holds what, and why
-- ===================================================================

CREATE VIEW rbac.role_catalog AS
SELECT r.key,
       r.name,
       r.kind,
       r.builtin,
       CASE WHEN r.workspace_id IS NOT NULL THEN 'workspace ' || r.workspace_id
            WHEN r.organization_id IS NOT NULL THEN 'organization ' || r.organization_id
            ELSE 'everywhere' END || ', on ' ||
       CASE r.kind WHEN 'organization' THEN 'organizations'
                   WHEN 'workspace' THEN 'workspaces or organizations'
                   ELSE 'single resources' END AS assignable,
       rbac.cardinality(r.scopes) AS scope_count,
       (SELECT count(DISTINCT g.principal) FROM rbac.grants AS g WHERE g.role_id = r.id) AS member_count,
       r.updated_at
FROM rbac.roles AS r
ORDER BY r.builtin DESC, r.id;
COMMENT ON VIEW rbac.role_catalog IS
	'the Roles page: every role with where it can be assigned, how many scopes and members it has; built-ins first';

CREATE FUNCTION rbac.members_of(workspace text)
	RETURNS TABLE (principal text, roles text[], resource_roles text[], organization_roles text[],
	               scope_count integer)
	LANGUAGE plpgsql STABLE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	w rbac.workspaces := rbac.workspace_or_error(workspace);
BEGIN
	PERFORM rbac.require_scope(rbac.actor(), 'members.read', workspace,
		format('list the members of workspace "%s"', workspace));
	RETURN QUERY
	SELECT p.principal,
	       coalesce(array_agg(DISTINCT r.key ORDER BY r.key) FILTER (WHERE g.workspace_id IS NOT NULL AND g.resource_type IS NULL), '{}'),
	       coalesce(array_agg(DISTINCT r.key || ' on ' || g.resource_type || ' ' || g.resource_id)
	                FILTER (WHERE g.resource_type IS NOT NULL), '{}'),
	       coalesce(array_agg(DISTINCT r.key ORDER BY r.key) FILTER (WHERE g.organization_id IS NOT NULL), '{}'),
	       rbac.cardinality(rbac.reach_of(p.principal, workspace))
	FROM (SELECT DISTINCT x.principal FROM rbac.grants AS x
	      WHERE x.workspace_id = members_of.workspace
	         OR (x.organization_id = w.organization_id AND x.role_kind = 'workspace')) AS p
	JOIN rbac.grants AS g ON g.principal = p.principal
	 AND (g.workspace_id = members_of.workspace
	      OR (g.organization_id = w.organization_id AND g.role_kind = 'workspace'))
	JOIN rbac.roles AS r ON r.id = g.role_id
	GROUP BY p.principal
	ORDER BY p.principal;
END;
$$;
COMMENT ON FUNCTION rbac.members_of(text) IS
	'everyone with a grant that applies in a workspace, with their roles; needs members.read';

CREATE FUNCTION rbac.who_has(scope text, workspace text)
	RETURNS TABLE (principal text, through_role text, granted_on text)
	LANGUAGE plpgsql STABLE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	w rbac.workspaces := rbac.workspace_or_error(workspace);
BEGIN
	PERFORM rbac.require_scope(rbac.actor(), 'members.read', workspace,
		format('list who holds %s in workspace "%s"', scope, workspace));
	IF NOT EXISTS (SELECT 1 FROM rbac.scopes AS s WHERE s.name = who_has.scope) THEN
		RAISE EXCEPTION USING ERRCODE = '22023',
			MESSAGE = format('unknown scope "%s"', scope),
			DETAIL = 'The scope is not in the catalog rbac.scopes.',
			HINT = 'Check the spelling against rbac.scopes.';
	END IF;
	RETURN QUERY
	SELECT g.principal, r.key,
	       CASE WHEN g.organization_id IS NOT NULL THEN 'organization ' || g.organization_id
	            WHEN g.resource_type IS NOT NULL THEN g.resource_type || ' ' || g.resource_id
	            ELSE 'workspace ' || g.workspace_id END
	FROM rbac.grants AS g JOIN rbac.roles AS r ON r.id = g.role_id
	WHERE (g.workspace_id = who_has.workspace
	       OR (g.organization_id = w.organization_id AND g.role_kind = 'workspace'))
	  AND r.scopes OPERATOR(rbac.?) scope
	  AND NOT (SELECT s.retired FROM rbac.scopes AS s WHERE s.name = who_has.scope)
	ORDER BY g.principal, r.key;
END;
$$;
COMMENT ON FUNCTION rbac.who_has(text, text) IS
	'every principal holding a scope in a workspace (or on a resource there), and through which grant; needs members.read';

CREATE FUNCTION rbac.explain(principal text, scope text, workspace text,
		resource_type text DEFAULT NULL, resource_id text DEFAULT NULL)
	RETURNS TABLE (gives boolean, through_role text, granted_on text, note text)
	LANGUAGE plpgsql STABLE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	actor text := rbac.actor();
	w rbac.workspaces := rbac.workspace_or_error(workspace);
	s rbac.scopes;
	found_any boolean := false;
	g record;
BEGIN
	IF actor IS DISTINCT FROM principal THEN
		PERFORM rbac.require_scope(actor, 'members.read', workspace,
			format('explain the reach of "%s"', principal));
	END IF;
	SELECT * INTO s FROM rbac.scopes AS x WHERE x.name = explain.scope;
	IF NOT FOUND THEN
		RAISE EXCEPTION USING ERRCODE = '22023',
			MESSAGE = format('unknown scope "%s"', scope),
			DETAIL = 'The scope is not in the catalog rbac.scopes.',
			HINT = 'Check the spelling against rbac.scopes.';
	END IF;
	FOR g IN
		SELECT r.key, r.scopes OPERATOR(rbac.?) scope AS covers,
		       CASE WHEN x.organization_id IS NOT NULL THEN 'organization ' || x.organization_id
		            WHEN x.resource_type IS NOT NULL THEN x.resource_type || ' ' || x.resource_id
		            ELSE 'workspace ' || x.workspace_id END AS node
		FROM rbac.grants AS x JOIN rbac.roles AS r ON r.id = x.role_id
		WHERE x.principal = explain.principal
		  AND ((x.workspace_id = explain.workspace AND x.resource_type IS NULL)
		       OR (x.organization_id = w.organization_id AND x.role_kind = 'workspace')
		       OR (x.workspace_id = explain.workspace AND x.resource_type = explain.resource_type
		           AND x.resource_id = explain.resource_id))
		ORDER BY 2 DESC, r.key
	LOOP
		gives := g.covers AND NOT s.retired;
		through_role := g.key;
		granted_on := g.node;
		note := CASE WHEN s.retired THEN 'the scope is retired'
		             WHEN g.covers THEN 'this role carries the scope'
		             ELSE 'this role does not carry the scope' END;
		found_any := found_any OR gives;
		RETURN NEXT;
	END LOOP;
	IF NOT found_any THEN
		gives := false;
		through_role := NULL;
		granted_on := NULL;
		note := format('nothing gives "%s" %s here', principal, scope);
		RETURN NEXT;
	END IF;
END;
$$;
COMMENT ON FUNCTION rbac.explain(text, text, text, text, text) IS
	'why a principal holds a scope in a workspace or on a resource: each applicable grant and whether it gives it, or that nothing does';

CREATE FUNCTION rbac.role_diff(a text, b text, workspace text DEFAULT NULL)
	RETURNS TABLE (scope text, only_in text)
	LANGUAGE plpgsql STABLE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	org text := (SELECT w.organization_id FROM rbac.workspaces AS w WHERE w.id = workspace);
	ra rbac.roles := rbac.resolve_role(a, workspace, org);
	rb rbac.roles := rbac.resolve_role(b, workspace, org);
BEGIN
	RETURN QUERY
	SELECT x.scope, ra.key FROM rbac.scopes(ra.scopes OPERATOR(rbac.-) rb.scopes) AS x(scope)
	UNION ALL
	SELECT x.scope, rb.key FROM rbac.scopes(rb.scopes OPERATOR(rbac.-) ra.scopes) AS x(scope)
	ORDER BY 2, 1;
END;
$$;
COMMENT ON FUNCTION rbac.role_diff(text, text, text) IS
	'the scopes only one of two roles holds, and which; custom roles are looked up at the workspace given';

CREATE FUNCTION rbac.role_graph(workspace text DEFAULT NULL) RETURNS text
	LANGUAGE sql STABLE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
	WITH shown AS (
		SELECT r.* FROM rbac.roles AS r
		WHERE (r.workspace_id IS NULL AND r.organization_id IS NULL)
		   OR r.workspace_id = role_graph.workspace
		   OR r.organization_id = (SELECT w.organization_id FROM rbac.workspaces AS w
		                           WHERE w.id = role_graph.workspace)),
	-- A contains B when B's scopes lie inside A's; only the nearest
	-- containments are drawn, so the picture is boxes in boxes.
	contains AS (
		SELECT a.key AS outer_key, b.key AS inner_key
		FROM shown AS a JOIN shown AS b
		  ON a.kind = b.kind AND a.id <> b.id AND b.scopes OPERATOR(rbac.<@) a.scopes
		 AND a.scopes OPERATOR(rbac.<>) b.scopes
		WHERE NOT EXISTS (
			SELECT 1 FROM shown AS c
			WHERE c.kind = a.kind AND c.id NOT IN (a.id, b.id)
			  AND b.scopes OPERATOR(rbac.<@) c.scopes AND c.scopes OPERATOR(rbac.<@) a.scopes
			  AND c.scopes OPERATOR(rbac.<>) a.scopes AND c.scopes OPERATOR(rbac.<>) b.scopes))
	SELECT 'graph TD' || E'\n' ||
	       coalesce((SELECT string_agg(format('    %s["%s (%s scopes)"]', s.key, s.name,
	                                          rbac.cardinality(s.scopes)), E'\n' ORDER BY s.id)
	                 FROM shown AS s), '') || E'\n' ||
	       coalesce((SELECT string_agg(format('    %s --> %s', c.outer_key, c.inner_key), E'\n'
	                                   ORDER BY c.outer_key, c.inner_key)
	                 FROM contains AS c), '');
$$;
COMMENT ON FUNCTION rbac.role_graph(text) IS
	'Mermaid text of the containment between roles: an edge from a role to each role whose scopes it contains, nearest containments only';

CREATE FUNCTION rbac.audit_rows(workspace text, since timestamptz, until timestamptz,
		scope text, action text) RETURNS SETOF rbac.audit_log
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM rbac.workspace_or_error(workspace);
	PERFORM rbac.require_scope(rbac.actor(), scope, workspace, action);
	RETURN QUERY
	SELECT * FROM rbac.audit_log AS a
	WHERE a.workspace_id = audit_rows.workspace
	  AND a.at >= coalesce(since, '-infinity') AND a.at < coalesce(until, 'infinity')
	ORDER BY a.id;
END;
$$;
COMMENT ON FUNCTION rbac.audit_rows(text, timestamptz, timestamptz, text, text) IS
	'the audit rows of a workspace in a time range, once the actor is checked for the given scope';

CREATE FUNCTION rbac.audit_events(workspace text, since timestamptz DEFAULT NULL,
		until timestamptz DEFAULT NULL) RETURNS SETOF rbac.audit_log
	LANGUAGE sql STABLE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
	SELECT * FROM rbac.audit_rows(workspace, since, until, 'audit.read',
		format('read the audit log of workspace "%s"', workspace));
$$;
COMMENT ON FUNCTION rbac.audit_events(text, timestamptz, timestamptz) IS
	'a workspace''s audit log between since (inclusive) and until (exclusive); needs audit.read';

CREATE FUNCTION rbac.audit_export(workspace text, since timestamptz DEFAULT NULL,
		until timestamptz DEFAULT NULL) RETURNS SETOF rbac.audit_log
	LANGUAGE sql STABLE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
	SELECT * FROM rbac.audit_rows(workspace, since, until, 'audit.export',
		format('export the audit log of workspace "%s"', workspace));
$$;
COMMENT ON FUNCTION rbac.audit_export(text, timestamptz, timestamptz) IS
	'the audit log for export, as in COPY (SELECT * FROM rbac.audit_export(...)) TO STDOUT WITH (FORMAT csv, HEADER); needs audit.export';
-- ===================================================================
-- Identity: verified JWTs, API keys, and narrowing for agents
-- ===================================================================

CREATE FUNCTION rbac.authenticate_jwt(token text, is_local boolean DEFAULT true) RETURNS text
	AS 'MODULE_PATHNAME', 'rbac_authenticate_jwt' LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION rbac.authenticate_jwt(text, boolean) IS
	'verifies a JWT (signature, exp, nbf, aud, iss) and sets the principal to its sub for the transaction or session; its scopes narrow the principal; refusals are SQLSTATE 28000';

CREATE FUNCTION rbac.narrow(scopes rbac.scopeset) RETURNS rbac.scopeset
	AS 'MODULE_PATHNAME', 'rbac_narrow' LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION rbac.narrow(rbac.scopeset) IS
	'narrows the current principal to these scopes for the rest of the transaction; calling it again intersects, and nothing widens it';

CREATE FUNCTION rbac.current_narrowing() RETURNS rbac.scopeset
	AS 'MODULE_PATHNAME', 'rbac_current_narrowing' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION rbac.current_narrowing() IS
	'the scopes rbac.narrow() left in this transaction, or NULL';

CREATE FUNCTION rbac.context_bounds(workspace text DEFAULT NULL) RETURNS rbac.scopeset
	AS 'MODULE_PATHNAME', 'rbac_context_bounds' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION rbac.context_bounds(text) IS
	'the most the current context may reach in a workspace whatever its grants (token scopes ∩ API key restriction ∩ narrowing), or NULL when nothing bounds it';

CREATE FUNCTION rbac.narrow_to_context(reach rbac.scopeset, workspace text DEFAULT NULL)
	RETURNS rbac.scopeset
	AS 'MODULE_PATHNAME', 'rbac_narrow_to_context' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION rbac.narrow_to_context(rbac.scopeset, text) IS
	'bounds a reach of the current principal by its token, API key and narrowing; with no workspace, as an organization''s';

CREATE FUNCTION rbac.actor_reach(workspace text, resource_type text DEFAULT NULL,
		resource_id text DEFAULT NULL) RETURNS rbac.scopeset
	LANGUAGE sql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
	SELECT rbac.narrow_to_context(
		rbac.reach_of(rbac.current_principal(), workspace, resource_type, resource_id), workspace);
$$;
COMMENT ON FUNCTION rbac.actor_reach(text, text, text) IS
	'the acting principal''s reach in a workspace or on a resource, as bounded by its token, key and narrowing';

CREATE FUNCTION rbac.actor_organization_reach(organization text, kind text) RETURNS rbac.scopeset
	LANGUAGE sql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
	SELECT rbac.narrow_to_context(
		rbac.organization_scopes(rbac.current_principal(), organization, kind), NULL);
$$;
COMMENT ON FUNCTION rbac.actor_organization_reach(text, text) IS
	'the acting principal''s roles of one kind on an organization, as bounded by its token and narrowing';

-- API keys (seed 001): restricted to a subset of their creator's reach.
CREATE TABLE rbac.api_keys (
	id bigserial PRIMARY KEY,
	prefix text NOT NULL UNIQUE CHECK (prefix ~ '^[0-9a-f]{12}$'),
	secret_hash bytea NOT NULL CHECK (length(secret_hash) = 32),
	workspace_id text NOT NULL REFERENCES rbac.workspaces (id),
	creator text NOT NULL,
	restriction rbac.scopeset,
	label text,
	created_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz,
	revoked_at timestamptz
);
CREATE INDEX ON rbac.api_keys (workspace_id, creator);
COMMENT ON TABLE rbac.api_keys IS
	'API keys: only a public prefix and the SHA-256 of each key are kept, never the key';
COMMENT ON COLUMN rbac.api_keys.restriction IS
	'the most a key may do, within its creator''s current reach; NULL for the creator''s full reach in its workspace';
COMMENT ON COLUMN rbac.api_keys.secret_hash IS 'SHA-256 of the whole key';
CREATE TRIGGER signal_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON rbac.api_keys
	FOR EACH STATEMENT EXECUTE FUNCTION rbac.signal_change();

CREATE FUNCTION rbac.new_api_key(OUT prefix text, OUT key text, OUT hash bytea) RETURNS record
	AS 'MODULE_PATHNAME', 'rbac_new_api_key' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION rbac.new_api_key() IS
	'a fresh key from pg_strong_random: rbac_<12 hex>_<64 hex>, with its prefix and SHA-256';

CREATE FUNCTION rbac.authenticate_api_key(key text, is_local boolean DEFAULT true) RETURNS text
	AS 'MODULE_PATHNAME', 'rbac_authenticate_api_key' LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION rbac.authenticate_api_key(text, boolean) IS
	'sets the principal to the key''s creator, bounded by the key''s workspace and restriction; refusals are SQLSTATE 28000 and never show the key';

CREATE FUNCTION rbac.create_api_key(workspace text, restriction rbac.scopeset DEFAULT NULL,
		label text DEFAULT NULL, expires_at timestamptz DEFAULT NULL) RETURNS text
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	actor text := rbac.actor();
	w rbac.workspaces := rbac.workspace_or_error(workspace);
	bounds rbac.scopeset := rbac.context_bounds(workspace);
	k record;
	key_id bigint;
BEGIN
	IF actor IS NULL THEN
		RAISE EXCEPTION USING ERRCODE = '42501',
			MESSAGE = 'permission denied to create an API key without a principal',
			DETAIL = 'An API key acts for the principal who creates it, and none is set.',
			HINT = 'Set the principal who will own the key first.';
	END IF;
	PERFORM rbac.require_scope(actor, 'api_keys.create', workspace,
		format('create an API key in workspace "%s"', workspace));
	IF restriction IS NOT NULL THEN
		PERFORM rbac.require_within(actor, restriction, rbac.actor_reach(workspace),
			format('workspace "%s"', workspace), 'create an API key with that restriction');
	END IF;
	-- A key outlives the token, key or narrowing it was made from; it keeps their bounds.
	restriction := coalesce(restriction, bounds);
	IF expires_at IS NOT NULL AND expires_at <= now() THEN
		RAISE EXCEPTION USING ERRCODE = '22023',
			MESSAGE = 'an API key cannot expire in the past',
			DETAIL = format('expires_at is %s.', expires_at),
			HINT = 'Pass a future time, or NULL for a key that does not expire.';
	END IF;
	k := rbac.new_api_key();
	INSERT INTO rbac.api_keys (prefix, secret_hash, workspace_id, creator, restriction, label, expires_at)
	VALUES (k.prefix, k.hash, workspace, actor, restriction, label, expires_at)
	RETURNING id INTO key_id;
	PERFORM rbac.audit('api_key.create', w.organization_id, workspace, actor, NULL, NULL,
		jsonb_build_object('id', key_id, 'prefix', k.prefix, 'label', label,
		                   'restriction', restriction::text, 'expires_at', expires_at));
	RETURN k.key;
END;
$$;
COMMENT ON FUNCTION rbac.create_api_key(text, rbac.scopeset, text, timestamptz) IS
	'creates an API key for the current principal in a workspace and returns it, once; a restriction must lie inside the creator''s reach, and a key made from a token, key or narrowing keeps its bounds';

CREATE FUNCTION rbac.revoke_api_key(id bigint) RETURNS boolean
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	actor text := rbac.actor();
	k rbac.api_keys;
BEGIN
	SELECT * INTO k FROM rbac.api_keys AS x WHERE x.id = revoke_api_key.id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION USING ERRCODE = '42704',
			MESSAGE = format('API key %s does not exist', id),
			DETAIL = 'Keys are named by the id rbac.api_keys_of() shows.',
			HINT = 'List the keys with rbac.api_keys_of(workspace).';
	END IF;
	IF actor IS DISTINCT FROM k.creator THEN
		PERFORM rbac.require_scope(actor, 'api_keys.manage', k.workspace_id,
			format('revoke API key %s of "%s"', id, k.creator));
	END IF;
	IF k.revoked_at IS NOT NULL THEN
		RETURN false;
	END IF;
	UPDATE rbac.api_keys AS x SET revoked_at = now() WHERE x.id = k.id;
	PERFORM rbac.audit('api_key.revoke',
		(SELECT w.organization_id FROM rbac.workspaces AS w WHERE w.id = k.workspace_id),
		k.workspace_id, k.creator, NULL,
		jsonb_build_object('id', k.id, 'prefix', k.prefix, 'label', k.label), NULL);
	RETURN true;
END;
$$;
COMMENT ON FUNCTION rbac.revoke_api_key(bigint) IS
	'revokes an API key at once; by its creator, or by anyone with api_keys.manage in its workspace';

CREATE FUNCTION rbac.api_keys_of(workspace text)
	RETURNS TABLE (id bigint, prefix text, label text, creator text, restriction rbac.scopeset,
	               created_at timestamptz, expires_at timestamptz, revoked_at timestamptz,
	               status text)
	LANGUAGE plpgsql STABLE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	actor text := rbac.actor();
	everyone boolean;
BEGIN
	PERFORM rbac.workspace_or_error(workspace);
	everyone := actor IS NULL OR rbac.has_scope('api_keys.manage', workspace);
	RETURN QUERY
	SELECT k.id, k.prefix, k.label, k.creator, k.restriction, k.created_at, k.expires_at,
	       k.revoked_at,
	       CASE WHEN k.revoked_at IS NOT NULL THEN 'revoked'
	            WHEN k.expires_at <= now() THEN 'expired'
	            ELSE 'active' END
	FROM rbac.api_keys AS k
	WHERE k.workspace_id = api_keys_of.workspace AND (everyone OR k.creator = actor)
	ORDER BY k.id;
END;
$$;
COMMENT ON FUNCTION rbac.api_keys_of(text) IS
	'the API keys of a workspace, never their secrets: one''s own, or all with api_keys.manage';
-- ===================================================================
-- Listing what a principal can reach, for index-friendly policies
-- ===================================================================
--
-- Check and list agree (a check in a workspace rbac does not know is false):
--   has_scope(s, w)        iff w = ANY (accessible_workspaces(s))
--   has_scope(s, w, t, r)  iff has_scope_everywhere(s, w, t) or r = ANY (accessible_resources(s, w, t))
-- The recommended policy lets an index find the candidate rows and keeps
-- has_scope() deciding each one:
--   USING (workspace_id = ANY (rbac.accessible_workspaces('documents.read', 'project'))
--          AND rbac.has_scope('documents.read', workspace_id, 'project', project_id))

DO $$
DECLARE
	t record;
BEGIN
	FOR t IN SELECT * FROM (VALUES ('', 'text'), ('_uuid', 'uuid'), ('_bigint', 'bigint')) AS v(suffix, type) LOOP
		EXECUTE format($f$
			CREATE FUNCTION rbac.accessible_workspaces%1$s(scope text) RETURNS %2$s[]
				AS 'MODULE_PATHNAME', 'rbac_accessible_workspaces' LANGUAGE C STABLE PARALLEL SAFE COST 100;
			COMMENT ON FUNCTION rbac.accessible_workspaces%1$s(text) IS
				'the workspaces (as %2$s) where the current principal holds the scope: exactly where has_scope(scope, workspace) is true';
			CREATE FUNCTION rbac.accessible_workspaces%1$s(scope text, resource_type text) RETURNS %2$s[]
				AS 'MODULE_PATHNAME', 'rbac_accessible_workspaces' LANGUAGE C STABLE PARALLEL SAFE COST 100;
			COMMENT ON FUNCTION rbac.accessible_workspaces%1$s(text, text) IS
				'the workspaces (as %2$s) where the current principal holds the scope on the workspace or on some resource of this type: the candidates an index-friendly policy filters on'
			$f$, t.suffix, t.type);
	END LOOP;
	FOR t IN SELECT * FROM (VALUES ('', 'text'), ('_uuid', 'uuid'), ('_bigint', 'bigint')) AS v(suffix, type) LOOP
		FOR w IN 1..3 LOOP
			EXECUTE format($f$
				CREATE FUNCTION rbac.accessible_resources%1$s(scope text, workspace %3$s, resource_type text)
					RETURNS %2$s[]
					AS 'MODULE_PATHNAME', 'rbac_accessible_resources' LANGUAGE C STABLE PARALLEL SAFE COST 100;
				COMMENT ON FUNCTION rbac.accessible_resources%1$s(text, %3$s, text) IS
					'the resources of a type (as %2$s) in a workspace where a resource grant gives the current principal the scope; see has_scope_everywhere() for workspace grants'
				$f$, t.suffix, t.type, (ARRAY['text', 'uuid', 'bigint'])[w]);
		END LOOP;
	END LOOP;
END;
$$;

CREATE FUNCTION rbac.has_scope_everywhere(scope text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'rbac_has_scope_everywhere' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION rbac.has_scope_everywhere(text) IS
	'true when the current principal holds the scope in every workspace rbac knows, as with an authoritative token';

DO $$
DECLARE
	w text;
BEGIN
	FOREACH w IN ARRAY ARRAY['text', 'uuid', 'bigint'] LOOP
		EXECUTE format($f$
			CREATE FUNCTION rbac.has_scope_everywhere(scope text, workspace %1$s, resource_type text) RETURNS boolean
				AS 'MODULE_PATHNAME', 'rbac_has_scope_everywhere' LANGUAGE C STABLE PARALLEL SAFE;
			COMMENT ON FUNCTION rbac.has_scope_everywhere(text, %1$s, text) IS
				'true when the current principal holds the scope on every resource of the type in the workspace, through a workspace grant'
			$f$, w);
	END LOOP;
END;
$$;
-- Logical replication of the model.
--
-- A publication should carry only the rows users make, since both sides
-- ship the built-in ones: a row filter on builtin, which PostgreSQL accepts
-- only when the column is in the replica identity.
ALTER TABLE rbac.scopes REPLICA IDENTITY FULL;
ALTER TABLE rbac.resource_types REPLICA IDENTITY FULL;
ALTER TABLE rbac.roles REPLICA IDENTITY FULL;

-- A subscriber's apply worker runs as a replica and fires only row triggers
-- enabled for replicas, never the statement triggers that tell cached
-- sessions of a change or re-derive the built-in roles.  These do both
-- there, and nowhere else.
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['scopes', 'resource_types', 'roles', 'organizations', 'workspaces',
	                         'grants', 'api_keys'] LOOP
		EXECUTE format('CREATE TRIGGER signal_change_applied AFTER INSERT OR UPDATE OR DELETE
		                ON rbac.%I FOR EACH ROW EXECUTE FUNCTION rbac.signal_change()', t);
		EXECUTE format('ALTER TABLE rbac.%I ENABLE REPLICA TRIGGER signal_change_applied', t);
	END LOOP;
END;
$$;

CREATE TRIGGER rederive_builtin_roles_applied AFTER INSERT OR UPDATE ON rbac.scopes
	FOR EACH ROW EXECUTE FUNCTION rbac.rederive_builtin_roles();
ALTER TABLE rbac.scopes ENABLE REPLICA TRIGGER rederive_builtin_roles_applied;
-- ===================================================================
-- Privileges, and what pg_dump keeps
-- ===================================================================
--
-- PUBLIC reads the catalog and roles and calls the checks; it writes
-- nothing.  rbac_user calls administration and access review, which act
-- for the current principal; rbac_admin may also act as the operator;
-- rbac_authenticator sets the principal.  Internal helpers are callable by
-- no one but the functions that use them.

-- The installing role's default privileges may have granted rights on what
-- this script created to other roles: take back every grant but the owner's,
-- then grant exactly what is meant.
DO $$
DECLARE
	r record;
BEGIN
	FOR r IN
		SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END AS kind,
		       c.oid::regclass::text AS object, a.grantee
		FROM pg_catalog.pg_class AS c, pg_catalog.aclexplode(c.relacl) AS a
		WHERE c.relnamespace = 'rbac'::regnamespace AND a.grantee <> c.relowner
		UNION ALL
		SELECT CASE p.prokind WHEN 'a' THEN 'FUNCTION' ELSE 'ROUTINE' END,
		       p.oid::regprocedure::text, a.grantee
		FROM pg_catalog.pg_proc AS p, pg_catalog.aclexplode(p.proacl) AS a
		WHERE p.pronamespace = 'rbac'::regnamespace AND a.grantee <> p.proowner
		UNION ALL
		SELECT 'TYPE', t.oid::regtype::text, a.grantee
		FROM pg_catalog.pg_type AS t, pg_catalog.aclexplode(t.typacl) AS a
		WHERE t.typnamespace = 'rbac'::regnamespace AND a.grantee <> t.typowner
		UNION ALL
		SELECT 'SCHEMA', n.nspname::text, a.grantee
		FROM pg_catalog.pg_namespace AS n, pg_catalog.aclexplode(n.nspacl) AS a
		WHERE n.nspname = 'rbac' AND a.grantee <> n.nspowner
	LOOP
		EXECUTE format('REVOKE ALL ON %s %s FROM %s', r.kind, r.object,
		               CASE WHEN r.grantee = 0 THEN 'PUBLIC'
		                    ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(r.grantee)) END);
	END LOOP;
END;
$$;

REVOKE ALL ON ALL TABLES IN SCHEMA rbac FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA rbac FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA rbac FROM PUBLIC;
GRANT USAGE ON SCHEMA rbac TO PUBLIC;
GRANT USAGE ON TYPE rbac.scopeset TO PUBLIC;
GRANT SELECT ON rbac.levels, rbac.scopes, rbac.roles, rbac.resource_types TO PUBLIC;
GRANT SELECT ON rbac.role_catalog TO rbac_admin;

DO $$
DECLARE
	f regprocedure;
	public_functions text[] := ARRAY[
		-- scopeset
		'scopeset_in', 'scopeset_out', 'scopeset_recv', 'scopeset_send', 'cardinality', 'scopes',
		'scopeset_union', 'scopeset_intersect', 'scopeset_minus', 'scopeset_add', 'scopeset_remove',
		'scopeset_contains', 'scopeset_contained', 'scopeset_overlaps', 'scopeset_has',
		'scopeset_has_any', 'scopeset_has_all', 'scopeset_cmp', 'scopeset_eq', 'scopeset_ne',
		'scopeset_lt', 'scopeset_le', 'scopeset_gt', 'scopeset_ge', 'hash_scopeset',
		'hash_scopeset_extended', 'gin_scopeset_compare_keys', 'gin_extract_scopeset',
		'gin_extract_scopeset_query', 'gin_compare_partial_scopeset', 'gin_consistent_scopeset',
		'gin_triconsistent_scopeset', 'scopeset', 'scopeset_to_array', 'union_agg', 'intersect_agg',
		'is_scope_name',
		-- checks
		'current_principal', 'has_scope', 'has_org_scope', 'principal_has_scope',
		'effective_scopes', 'cache_stats', 'level_scopes', 'in_extension_script',
		-- identity: verified tokens and keys, and narrowing, are safe for anyone
		'authenticate_jwt', 'authenticate_api_key', 'narrow', 'current_narrowing', 'context_bounds',
		-- listing
		'accessible_workspaces', 'accessible_workspaces_uuid', 'accessible_workspaces_bigint',
		'accessible_resources', 'accessible_resources_uuid', 'accessible_resources_bigint',
		'has_scope_everywhere'];
	user_functions text[] := ARRAY[
		'create_organization', 'delete_organization', 'create_workspace', 'delete_workspace',
		'grant', 'revoke', 'add_member', 'set_role', 'grant_role', 'revoke_role',
		'grant_resource_role', 'revoke_resource_role', 'remove_member', 'leave_workspace',
		'grant_org_role', 'revoke_org_role', 'transfer_ownership',
		'create_role', 'alter_role', 'drop_role', 'clone_role',
		'members_of', 'who_has', 'explain', 'role_diff', 'role_graph',
		'audit_events', 'audit_export', 'actor',
		'create_api_key', 'revoke_api_key', 'api_keys_of',
		'register_resource_type', 'create_scope', 'retire_scope'];
BEGIN
	FOR f IN
		SELECT p.oid::regprocedure FROM pg_catalog.pg_proc AS p
		WHERE p.pronamespace = 'rbac'::regnamespace AND p.proname = ANY (public_functions)
	LOOP
		EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO PUBLIC', f);
	END LOOP;
	FOR f IN
		SELECT p.oid::regprocedure FROM pg_catalog.pg_proc AS p
		WHERE p.pronamespace = 'rbac'::regnamespace AND p.proname = ANY (user_functions)
	LOOP
		EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO rbac_user', f);
	END LOOP;
END;
$$;
GRANT EXECUTE ON FUNCTION rbac.set_principal(text, boolean) TO rbac_authenticator;

SELECT pg_catalog.pg_extension_config_dump('rbac.scopes', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('rbac.organizations', '');
SELECT pg_catalog.pg_extension_config_dump('rbac.workspaces', '');
SELECT pg_catalog.pg_extension_config_dump('rbac.resource_types', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('rbac.roles', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('rbac.roles_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('rbac.grants', '');
SELECT pg_catalog.pg_extension_config_dump('rbac.grants_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('rbac.audit_log', '');
SELECT pg_catalog.pg_extension_config_dump('rbac.api_keys', '');
SELECT pg_catalog.pg_extension_config_dump('rbac.api_keys_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('rbac.audit_log_id_seq', '');
