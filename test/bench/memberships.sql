-- ===================================================================
-- Benchmarks: the membership tables an application keeps today
--
-- The grants already made through rbac, copied into the ordinary tables
-- that hand-written policies read (role_scopes, memberships,
-- resource_memberships), with the indexes those policies need: each
-- leads with what a policy looks up by.  Workspace roles granted on an
-- organization are written out per workspace, the way such an
-- application would store them.  Read by the rls and index benchmarks'
-- setup (\ir), which then grant SELECT on the tables to their roles.
-- ===================================================================

CREATE TABLE role_scopes (
	role text NOT NULL,
	scope text NOT NULL,
	PRIMARY KEY (role, scope)
);
INSERT INTO role_scopes
SELECT r.key, s.scope
FROM rbac.roles r, unnest(r.scopes::text[]) AS s(scope)
ORDER BY 1, 2;

CREATE TABLE memberships (
	principal text NOT NULL,
	workspace_id text NOT NULL,
	role text NOT NULL,
	PRIMARY KEY (principal, workspace_id, role)
);
INSERT INTO memberships
SELECT g.principal, g.workspace_id, r.key
FROM rbac.grants g JOIN rbac.roles r ON r.id = g.role_id
WHERE g.role_kind = 'workspace' AND g.workspace_id IS NOT NULL
UNION
SELECT g.principal, w.id, r.key
FROM rbac.grants g
JOIN rbac.roles r ON r.id = g.role_id
JOIN rbac.workspaces w ON w.organization_id = g.organization_id
WHERE g.role_kind = 'workspace' AND g.organization_id IS NOT NULL
ORDER BY 1, 2, 3;

CREATE TABLE resource_memberships (
	principal text NOT NULL,
	workspace_id text NOT NULL,
	project_id text NOT NULL,
	role text NOT NULL,
	PRIMARY KEY (principal, workspace_id, project_id, role)
);
INSERT INTO resource_memberships
SELECT g.principal, g.workspace_id, g.resource_id, r.key
FROM rbac.grants g JOIN rbac.roles r ON r.id = g.role_id
WHERE g.role_kind = 'resource' AND g.resource_type = 'project'
ORDER BY 1, 2, 3, 4;
