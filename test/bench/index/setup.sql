-- ===================================================================
-- index benchmark: data, grants, roles and the policies
--
-- One table of documents in 200 workspaces x 50 projects, rows in the
-- order an application inserts them, with the indexes an application
-- keeps for its pages: (workspace_id, created_at) and created_at.  Every
-- workspace holds about 0.5% of the rows except ws_200, a small one with
-- 0.1%, so that a principal holding one workspace role can read 0.1%.
--
-- The principals compared, each named by what they may read:
--   p_0_1    viewer in ws_200 (0.1%);
--   p_1      member in one workspace and viewer in another (1%), the
--            principal of the issue this benchmark answers;
--   p_10     member in 10 workspaces, viewer in 10 more (10%), and
--            billing_manager (no documents.read) in 5 others;
--   p_100    viewer in each of the 20 organizations (every workspace);
--   p_res    resource grants only: membership_viewer on 10 projects in
--            each of 5 workspaces (0.5%; those workspaces hold 2.5%).
-- Some hundreds of other principals hold workspace, organization and
-- resource grants, so the membership tables are not trivially small.
--
-- The policies are compared on the same table, the same indexes and the
-- same cached pages: each policy applies to a role of its own (CREATE
-- POLICY ... TO), and a query runs under a policy by running as its role.
--   simple    rbac.has_scope('documents.read', workspace_id, 'project', project_id)
--   listing   workspace_id = ANY (rbac.accessible_workspaces('documents.read', 'project'))
--             AND the same has_scope()
--   exists    EXISTS over the membership tables, written with care
--   in        uncorrelated IN subqueries over the same tables
-- "off", the simple policy with rbac.index_support = off, is the simple
-- policy's role with the setting turned off for the query.
--
-- Everything is deterministic: setseed() fixes every random draw, and one
-- process (no parallel workers) draws them in one order.
--
-- psql variables: rows (table size).
-- ===================================================================

\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;
SET max_parallel_maintenance_workers = 0;
SET work_mem = '1GB';
SET maintenance_work_mem = '2GB';

CREATE EXTENSION IF NOT EXISTS pg_prewarm;
CREATE EXTENSION IF NOT EXISTS rbac;

SELECT setseed(0.4242) \g /dev/null

-- -------------------------------------------------------------------
-- Roles: bench_app may name the principal (rbac_authenticator); each
-- policy's role is a member of it, and no role owns the table or has
-- BYPASSRLS.
-- -------------------------------------------------------------------
CREATE ROLE bench_app NOLOGIN NOSUPERUSER NOBYPASSRLS;
GRANT rbac_authenticator TO bench_app;
GRANT USAGE ON SCHEMA public TO bench_app;
CREATE ROLE bench_simple NOLOGIN NOSUPERUSER NOBYPASSRLS IN ROLE bench_app;
CREATE ROLE bench_listing NOLOGIN NOSUPERUSER NOBYPASSRLS IN ROLE bench_app;
CREATE ROLE bench_exists NOLOGIN NOSUPERUSER NOBYPASSRLS IN ROLE bench_app;
CREATE ROLE bench_in NOLOGIN NOSUPERUSER NOBYPASSRLS IN ROLE bench_app;

-- -------------------------------------------------------------------
-- Nodes: 20 organizations of 10 workspaces, 50 projects each.
-- -------------------------------------------------------------------
\ir ../nodes.sql

-- -------------------------------------------------------------------
-- The principals compared: what each may read, and the workspace its
-- "newest 50 in one workspace" query pages through (one it can read).
-- -------------------------------------------------------------------
CREATE TABLE principal (ord int PRIMARY KEY, id text NOT NULL UNIQUE, label text NOT NULL,
	small boolean NOT NULL, page_workspace text NOT NULL);
INSERT INTO principal VALUES
	(1, 'p_0_1', '0.1% (1 small workspace)', true, 'ws_200'),
	(2, 'p_1', '1% (2 workspaces)', true, 'ws_017'),
	(3, 'p_10', '10% (20 workspaces)', false, 'ws_033'),
	(4, 'p_100', '100% (organization-wide)', false, 'ws_150'),
	(5, 'p_res', 'resource grants only (0.5%)', true, 'ws_045');

\ir ../grants.sql

INSERT INTO planned_grant (principal, role, workspace_id) VALUES
	('p_0_1', 'viewer', 'ws_200'),
	('p_1', 'member', 'ws_017'),
	('p_1', 'viewer', 'ws_117');
INSERT INTO planned_grant (principal, role, workspace_id)
SELECT 'p_10', CASE n % 20 WHEN 13 THEN 'member' WHEN 3 THEN 'viewer' ELSE 'billing_manager' END, id
FROM workspace WHERE n % 20 IN (13, 3) OR n % 40 = 7
ORDER BY n;
INSERT INTO planned_grant (principal, role, organization_id)
SELECT DISTINCT 'p_100', 'viewer', org FROM workspace ORDER BY 3;
INSERT INTO planned_grant (principal, role, workspace_id, resource_type, resource_id)
SELECT 'p_res', 'membership_viewer', p.workspace_id, 'project', p.id
FROM project p JOIN workspace w ON w.id = p.workspace_id
WHERE w.n IN (45, 85, 125, 165, 190) AND (p.n - 1) % 5 = 0
ORDER BY p.n;

-- Everyone else: 5 workspace roles and 6 resource roles each, drawn at
-- random, and some organization roles.
INSERT INTO planned_grant (principal, role, workspace_id)
SELECT p.id, (ARRAY['member', 'member', 'viewer', 'lead', 'planner', 'admin',
		'workspace_operator', 'billing_manager'])[1 + floor(random() * 8)::int],
	'ws_' || lpad((1 + floor(random() * 200))::text, 3, '0')
FROM person p, generate_series(1, 5) AS k
ORDER BY p.n, k;
INSERT INTO planned_grant (principal, role, workspace_id, resource_type, resource_id)
SELECT r.principal, r.role, pr.workspace_id, 'project', pr.id
FROM (
	SELECT p.id AS principal, p.n, k,
		(ARRAY['membership_viewer', 'membership_contributor', 'membership_planner'])[1 + floor(random() * 3)::int] AS role,
		1 + floor(random() * 10000)::int AS project_n
	FROM person p, generate_series(1, 6) AS k
) r
JOIN project pr ON pr.n = r.project_n
ORDER BY r.n, r.k;
INSERT INTO planned_grant (principal, role, organization_id)
SELECT p.id, CASE WHEN p.n % 3 = 0 THEN 'org_admin' WHEN p.n % 25 = 0 THEN 'viewer' ELSE 'org_member' END,
	'org_' || lpad((1 + p.n % 20)::text, 2, '0')
FROM person p WHERE p.n % 2 = 0
ORDER BY p.n;

SELECT bench_apply_grants() \g /dev/null

-- -------------------------------------------------------------------
-- The same grants in the tables an application keeps today, with the
-- indexes its policies need.
-- -------------------------------------------------------------------
\ir ../memberships.sql
GRANT SELECT ON role_scopes, memberships, resource_memberships, principal TO bench_app;

-- -------------------------------------------------------------------
-- The documents.  created_at grows with id over a year, each distinct.
-- ws_200 gets 0.1% of the rows, the other 199 workspaces the rest evenly.
-- -------------------------------------------------------------------
CREATE TABLE word (k int PRIMARY KEY, w text NOT NULL);
INSERT INTO word
SELECT row_number() OVER (), w
FROM unnest('{roadmap,review,quarterly,planning,notes,design,migration,incident,
	report,onboarding,pricing,billing,launch,checklist,retro,sprint,backlog,customer,
	feedback,security,audit,search,mobile,release,budget,hiring,analytics,dashboard,
	api,schema,outage,postmortem,proposal,draft,summary,meeting,weekly,strategy,
	integration,support}'::text[]) AS w;

-- The words are drawn as array subscripts, not joined: at 10,000,000 rows
-- five hash joins would cost more than the rest of the setup.
CREATE TABLE documents (
	id bigint NOT NULL,
	workspace_id text NOT NULL,
	project_id text NOT NULL,
	title text NOT NULL,
	created_at timestamptz NOT NULL,
	body text NOT NULL
);
INSERT INTO documents
SELECT d.i, p.workspace_id, p.id,
	initcap(v[d.k1]) || ' ' || v[d.k2] || ' ' || v[d.k3] || ' for ' || v[d.k4] || ' #' || d.i,
	timestamptz '2024-01-01 00:00:00+00' + d.i * (interval '365 days' / :rows),
	'Summary: ' || v[d.k2] || ' ' || v[d.k5] || ' ' || v[d.k3] || ', owner ' || v[d.k4] || ', status ' || v[d.k1] || '.'
FROM (
	SELECT i,
		CASE WHEN random() < 0.001 THEN 9950 + 1 + floor(random() * 50)::int
			ELSE 1 + floor(random() * 9950)::int END AS pn,
		1 + floor(random() * 40)::int AS k1, 1 + floor(random() * 40)::int AS k2,
		1 + floor(random() * 40)::int AS k3, 1 + floor(random() * 40)::int AS k4,
		1 + floor(random() * 40)::int AS k5
	FROM generate_series(1, :rows) AS i
) d
JOIN project p ON p.n = d.pn,
	(SELECT array_agg(w ORDER BY k) AS v FROM word) AS words;

ALTER TABLE documents ADD PRIMARY KEY (id);
CREATE INDEX documents_ws_created ON documents (workspace_id, created_at);
CREATE INDEX documents_created ON documents (created_at);
GRANT SELECT ON documents TO bench_app;
ALTER TABLE documents ENABLE ROW LEVEL SECURITY;

-- -------------------------------------------------------------------
-- The policies, one per role.
-- -------------------------------------------------------------------
CREATE POLICY simple ON documents FOR SELECT TO bench_simple
	USING (rbac.has_scope('documents.read', workspace_id, 'project', project_id));

CREATE POLICY listing ON documents FOR SELECT TO bench_listing
	USING (workspace_id = ANY (rbac.accessible_workspaces('documents.read', 'project'))
	       AND rbac.has_scope('documents.read', workspace_id, 'project', project_id));

-- The EXISTS a careful engineer writes: each probe is one index lookup
-- (memberships and resource_memberships lead with the principal, then the
-- row's ids; role_scopes with the scope), and the planner may hash either.
CREATE POLICY exists ON documents FOR SELECT TO bench_exists USING (
	EXISTS (
		SELECT FROM memberships m JOIN role_scopes s ON s.role = m.role
		WHERE m.principal = current_setting('app.principal', true)
		  AND m.workspace_id = documents.workspace_id
		  AND s.scope = 'documents.read')
	OR EXISTS (
		SELECT FROM resource_memberships r JOIN role_scopes s ON s.role = r.role
		WHERE r.principal = current_setting('app.principal', true)
		  AND r.workspace_id = documents.workspace_id
		  AND r.project_id = documents.project_id
		  AND s.scope = 'documents.read'));

-- Uncorrelated IN subqueries: each runs once per query, and PostgreSQL
-- hashes its result, so each row costs one or two hash probes.
CREATE POLICY "in" ON documents FOR SELECT TO bench_in USING (
	workspace_id IN (
		SELECT m.workspace_id FROM memberships m JOIN role_scopes s ON s.role = m.role
		WHERE m.principal = current_setting('app.principal', true)
		  AND s.scope = 'documents.read')
	OR (workspace_id, project_id) IN (
		SELECT r.workspace_id, r.project_id FROM resource_memberships r JOIN role_scopes s ON s.role = r.role
		WHERE r.principal = current_setting('app.principal', true)
		  AND s.scope = 'documents.read'));

-- -------------------------------------------------------------------
-- What each principal may read, from the rbac model as the table's owner:
-- the reference every policy must match, for each of the three queries.
-- -------------------------------------------------------------------
CREATE TABLE readable_workspace AS
WITH readable_roles AS (
	SELECT id FROM rbac.roles WHERE 'documents.read' = ANY (scopes::text[])
)
SELECT g.principal, g.workspace_id FROM rbac.grants g
WHERE g.resource_type IS NULL AND g.workspace_id IS NOT NULL
  AND g.role_id IN (SELECT id FROM readable_roles)
UNION
SELECT g.principal, w.id FROM rbac.grants g JOIN rbac.workspaces w ON w.organization_id = g.organization_id
WHERE g.role_kind = 'workspace' AND g.role_id IN (SELECT id FROM readable_roles);

CREATE TABLE readable_project AS
SELECT g.principal, g.workspace_id, g.resource_id AS project_id FROM rbac.grants g
WHERE g.resource_type = 'project'
  AND g.role_id IN (SELECT id FROM rbac.roles WHERE 'documents.read' = ANY (scopes::text[]));

ANALYZE readable_workspace, readable_project;

-- One principal at a time, named as a literal, so that both subqueries
-- run once and are hashed: a correlated probe per row would take minutes.
CREATE TABLE expected (principal text, query text, result bigint, PRIMARY KEY (principal, query));
DO $$
DECLARE
	p			principal;
	visible		text;
	res			bigint;
BEGIN
	FOR p IN SELECT * FROM principal ORDER BY ord LOOP
		visible := format('(d.workspace_id IN (SELECT workspace_id FROM readable_workspace WHERE principal = %1$L)
			OR (d.workspace_id, d.project_id) IN (SELECT workspace_id, project_id FROM readable_project WHERE principal = %1$L))',
			p.id);
		EXECUTE 'SELECT count(*) FROM documents d WHERE ' || visible INTO res;
		INSERT INTO expected VALUES (p.id, 'count', res);
		EXECUTE 'SELECT coalesce(sum(id), 0) FROM (SELECT d.id FROM documents d WHERE ' || visible
			|| ' ORDER BY d.created_at DESC LIMIT 50) s' INTO res;
		INSERT INTO expected VALUES (p.id, 'newest', res);
		EXECUTE format('SELECT coalesce(sum(id), 0) FROM (SELECT d.id FROM documents d WHERE d.workspace_id = %L AND ',
			p.page_workspace) || visible || ' ORDER BY d.created_at DESC LIMIT 50) s' INTO res;
		INSERT INTO expected VALUES (p.id, 'newest_in_ws', res);
	END LOOP;
END
$$;
GRANT SELECT ON expected TO bench_app;

-- Set hint bits and the visibility map, so that no timed scan writes,
-- and write everything out now rather than while queries are timed.
VACUUM (FREEZE, ANALYZE);
CHECKPOINT;
