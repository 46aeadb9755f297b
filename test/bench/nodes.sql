-- ===================================================================
-- Benchmarks: the nodes
--
-- 20 organizations of 10 workspaces, 50 projects each, made through rbac,
-- and 600 other principals, who own the workspaces.  Project ids are
-- unique across workspaces, as application ids usually are.  The tables
-- workspace, project and person keep the ids by number for the setup
-- that reads this (\ir), to draw grants and documents from.
-- ===================================================================

CREATE TABLE workspace (n int PRIMARY KEY, id text NOT NULL UNIQUE, org text NOT NULL);
INSERT INTO workspace
SELECT w, 'ws_' || lpad(w::text, 3, '0'), 'org_' || lpad(((w - 1) / 10 + 1)::text, 2, '0')
FROM generate_series(1, 200) AS w;

CREATE TABLE project (n int PRIMARY KEY, id text NOT NULL UNIQUE, workspace_id text NOT NULL);
INSERT INTO project
SELECT (w.n - 1) * 50 + p, 'prj_' || lpad(((w.n - 1) * 50 + p)::text, 5, '0'), w.id
FROM workspace w, generate_series(1, 50) AS p;

-- Other principals, who own the workspaces and hold the other grants.
CREATE TABLE person (n int PRIMARY KEY, id text NOT NULL UNIQUE);
INSERT INTO person SELECT u, 'user_' || lpad(u::text, 4, '0') FROM generate_series(1, 600) AS u;

SELECT rbac.create_organization(org, 'Organization ' || org)
FROM (SELECT DISTINCT org FROM workspace ORDER BY org) o \g /dev/null

SELECT rbac.create_workspace(w.id, 'Workspace ' || w.n, p.id, w.org)
FROM workspace w JOIN person p ON p.n = 1 + (w.n * 7) % 600
ORDER BY w.n \g /dev/null
