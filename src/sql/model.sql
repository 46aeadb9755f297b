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

-- Ids of deleted nodes, which are never given to anyone again.
CREATE TABLE rbac.deleted_nodes (
	kind text NOT NULL CHECK (kind IN ('organization', 'workspace')),
	id text NOT NULL,
	organization_id text,
	deleted_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (kind, id)
);
COMMENT ON TABLE rbac.deleted_nodes IS
	'the ids of deleted organizations and workspaces: reserved for ever, like scope names';
COMMENT ON COLUMN rbac.deleted_nodes.organization_id IS
	'for a workspace, the organization it belonged to, whose workspace roles may still read its audit history';
