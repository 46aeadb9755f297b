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
