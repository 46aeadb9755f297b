-- ===================================================================
-- rls benchmark: data, grants and the six tables
--
-- A table of documents spread over 200 workspaces x 50 projects, rows in
-- the order an application inserts them (each row lands in a random
-- project, so neighbouring rows rarely share a workspace).  The principal
-- "alice" holds a mix of grants that lets her read about 12% of the rows:
--   - member in 10 workspaces and viewer in 10 more (documents.read);
--   - billing_manager in 10 workspaces, which carries no documents.read,
--     so those workspaces stay hidden except for the projects below;
--   - membership_viewer on 10 projects in each of 20 other workspaces
--     (half of them her billing workspaces), 200 projects in all, plus a
--     few redundant ones inside her member workspaces and a few team
--     grants that no document row matches;
--   - org_member of her organization, which carries no workspace scope.
-- Some hundreds of other principals hold workspace, organization-wide and
-- resource grants, so the membership tables are not trivially small.
--
-- The same grants are copied into the ordinary tables an application
-- keeps today (memberships, role_scopes, resource_memberships), which the
-- baseline policies read with the principal from the setting app.principal.
--
-- The rows are copied, in the same physical order, into one table per
-- policy; documents_none has row-level security off.  The per-row
-- function is too slow for a full table at every repetition, so the first
-- 100,000 rows are also copied into small tables for it and for has_scope.
-- Everything is deterministic: setseed() fixes every random draw, and one
-- process (no parallel workers) draws them in one order.
--
-- psql variables: rows (table size), subset_rows (rows for the function).
-- ===================================================================

\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;
SET max_parallel_maintenance_workers = 0;
SET work_mem = '1GB';
SET maintenance_work_mem = '1GB';

CREATE EXTENSION IF NOT EXISTS pg_prewarm;
CREATE EXTENSION IF NOT EXISTS rbac;

SELECT setseed(0.1717) \g /dev/null

-- -------------------------------------------------------------------
-- The application's role: no BYPASSRLS, not the tables' owner, and a
-- member of rbac_authenticator so that it may say who the principal is.
-- -------------------------------------------------------------------
CREATE ROLE bench_app NOLOGIN NOSUPERUSER NOBYPASSRLS;
GRANT rbac_authenticator TO bench_app;
GRANT USAGE ON SCHEMA public TO bench_app;

-- -------------------------------------------------------------------
-- Nodes: 20 organizations of 10 workspaces, 50 projects each.
-- -------------------------------------------------------------------
\ir ../nodes.sql

-- -------------------------------------------------------------------
-- Grants.  One list, applied in order through rbac.grant()/grant_org_role().
-- -------------------------------------------------------------------
\ir ../grants.sql

-- alice: workspace roles (member: w % 20 = 3, viewer: w % 20 = 13,
-- billing_manager: w % 20 = 7).
INSERT INTO planned_grant (principal, role, workspace_id)
SELECT 'alice', CASE n % 20 WHEN 3 THEN 'member' WHEN 13 THEN 'viewer' ELSE 'billing_manager' END, id
FROM workspace WHERE n % 20 IN (3, 13, 7)
ORDER BY n;

-- alice: membership_viewer on 10 projects in each workspace w % 20 in
-- (7, 15): the billing workspaces and 10 where she holds nothing else.
INSERT INTO planned_grant (principal, role, workspace_id, resource_type, resource_id)
SELECT 'alice', 'membership_viewer', p.workspace_id, 'project', p.id
FROM project p JOIN workspace w ON w.id = p.workspace_id
WHERE w.n % 20 IN (7, 15) AND (p.n - 1) % 50 IN (0, 4, 9, 13, 20, 26, 31, 38, 42, 47)
ORDER BY p.n;

-- alice: a few grants that change nothing for documents.read: resource
-- grants inside workspaces she is a member of, team grants, and an
-- organization role.
INSERT INTO planned_grant (principal, role, workspace_id, resource_type, resource_id)
SELECT 'alice', 'membership_contributor', p.workspace_id, 'project', p.id
FROM project p JOIN workspace w ON w.id = p.workspace_id
WHERE w.n % 20 = 3 AND (p.n - 1) % 50 = 5
ORDER BY p.n;
INSERT INTO planned_grant (principal, role, workspace_id, resource_type, resource_id)
SELECT 'alice', 'membership_viewer', w.id, 'team', 'team_' || w.n
FROM workspace w WHERE w.n % 40 = 1
ORDER BY w.n;
INSERT INTO planned_grant (principal, role, organization_id)
VALUES ('alice', 'org_member', 'org_01');

-- Everyone else: 5 workspace roles and 6 resource roles each, drawn at
-- random; some organization roles and some organization-wide viewers.
INSERT INTO planned_grant (principal, role, workspace_id)
SELECT p.id, (ARRAY['member', 'member', 'viewer', 'lead', 'planner', 'admin',
		'workspace_operator', 'billing_manager'])[1 + floor(random() * 8)::int],
	'ws_' || lpad((1 + floor(random() * 200))::text, 3, '0')
FROM person p, generate_series(1, 5) AS k
ORDER BY p.n, k;

INSERT INTO planned_grant (principal, role, workspace_id, resource_type, resource_id)
SELECT p.id, r.role, pr.workspace_id, 'project', pr.id
FROM (
	SELECT p.n, k,
		(ARRAY['membership_viewer', 'membership_contributor', 'membership_planner'])[1 + floor(random() * 3)::int] AS role,
		1 + floor(random() * 10000)::int AS project_n
	FROM person p, generate_series(1, 6) AS k
) r
JOIN person p ON p.n = r.n
JOIN project pr ON pr.n = r.project_n
ORDER BY r.n, r.k;

INSERT INTO planned_grant (principal, role, organization_id)
SELECT p.id, CASE WHEN p.n % 3 = 0 THEN 'org_admin' ELSE 'org_member' END,
	'org_' || lpad((1 + p.n % 20)::text, 2, '0')
FROM person p WHERE p.n % 2 = 0
ORDER BY p.n;

INSERT INTO planned_grant (principal, role, organization_id)
SELECT p.id, 'viewer', 'org_' || lpad((1 + p.n % 20)::text, 2, '0')
FROM person p WHERE p.n % 25 = 0
ORDER BY p.n;

SELECT bench_apply_grants() \g /dev/null

-- -------------------------------------------------------------------
-- The same grants in the tables an application keeps today.
-- -------------------------------------------------------------------
\ir ../memberships.sql
GRANT SELECT ON role_scopes, memberships, resource_memberships TO bench_app;

-- -------------------------------------------------------------------
-- The documents.  created_at grows with id, as rows arrive over a year.
-- -------------------------------------------------------------------
CREATE TABLE word (k int PRIMARY KEY, w text NOT NULL);
INSERT INTO word
SELECT row_number() OVER (), w
FROM unnest('{roadmap,review,quarterly,planning,notes,design,migration,incident,
	report,onboarding,pricing,billing,launch,checklist,retro,sprint,backlog,customer,
	feedback,security,audit,search,mobile,release,budget,hiring,analytics,dashboard,
	api,schema,outage,postmortem,proposal,draft,summary,meeting,weekly,strategy,
	integration,support}'::text[]) AS w;

CREATE TABLE documents_src (
	id bigint NOT NULL,
	workspace_id text NOT NULL,
	project_id text NOT NULL,
	title text NOT NULL,
	created_at timestamptz NOT NULL,
	body text NOT NULL
);

INSERT INTO documents_src
SELECT d.i, p.workspace_id, p.id,
	initcap(w1.w) || ' ' || w2.w || ' ' || w3.w || ' for ' || w4.w || ' #' || d.i,
	timestamptz '2024-01-01 00:00:00+00' + d.i * interval '31 seconds',
	'Summary: ' || w2.w || ' ' || w5.w || ' ' || w3.w || ', owner ' || w4.w || ', status ' || w1.w || '.'
FROM (
	SELECT i,
		1 + floor(random() * 10000)::int AS pn,
		1 + floor(random() * 40)::int AS k1, 1 + floor(random() * 40)::int AS k2,
		1 + floor(random() * 40)::int AS k3, 1 + floor(random() * 40)::int AS k4,
		1 + floor(random() * 40)::int AS k5
	FROM generate_series(1, :rows) AS i
) d
JOIN project p ON p.n = d.pn
JOIN word w1 ON w1.k = d.k1
JOIN word w2 ON w2.k = d.k2
JOIN word w3 ON w3.k = d.k3
JOIN word w4 ON w4.k = d.k4
JOIN word w5 ON w5.k = d.k5;

-- -------------------------------------------------------------------
-- One table per policy, each a copy of the same rows in id order.
-- -------------------------------------------------------------------
CREATE TABLE documents_none (LIKE documents_src);
CREATE TABLE documents_exists (LIKE documents_src);
CREATE TABLE documents_function (LIKE documents_src);
CREATE TABLE documents_in (LIKE documents_src);
CREATE TABLE documents_initplan (LIKE documents_src);
CREATE TABLE documents_has_scope (LIKE documents_src);
CREATE TABLE documents_none_subset (LIKE documents_src);
CREATE TABLE documents_function_subset (LIKE documents_src);
CREATE TABLE documents_has_scope_subset (LIKE documents_src);

INSERT INTO documents_none SELECT * FROM documents_src ORDER BY id;
INSERT INTO documents_exists SELECT * FROM documents_src ORDER BY id;
INSERT INTO documents_function SELECT * FROM documents_src ORDER BY id;
INSERT INTO documents_in SELECT * FROM documents_src ORDER BY id;
INSERT INTO documents_initplan SELECT * FROM documents_src ORDER BY id;
INSERT INTO documents_has_scope SELECT * FROM documents_src ORDER BY id;
INSERT INTO documents_none_subset SELECT * FROM documents_src WHERE id <= :subset_rows ORDER BY id;
INSERT INTO documents_function_subset SELECT * FROM documents_src WHERE id <= :subset_rows ORDER BY id;
INSERT INTO documents_has_scope_subset SELECT * FROM documents_src WHERE id <= :subset_rows ORDER BY id;

DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['none', 'exists', 'in', 'function', 'initplan', 'has_scope',
	                         'none_subset', 'function_subset', 'has_scope_subset']
	LOOP
		EXECUTE format('ALTER TABLE documents_%s ADD PRIMARY KEY (id)', t);
		EXECUTE format('GRANT SELECT ON documents_%s TO bench_app', t);
		IF t NOT IN ('none', 'none_subset') THEN
			EXECUTE format('ALTER TABLE documents_%s ENABLE ROW LEVEL SECURITY', t);
		END IF;
	END LOOP;
END
$$;

-- -------------------------------------------------------------------
-- The policies.
-- -------------------------------------------------------------------

-- (2) The careful hand-written policy: a join over the membership
-- tables, each probe one index lookup; PostgreSQL may hash either EXISTS.
CREATE POLICY read_documents ON documents_exists FOR SELECT USING (
	EXISTS (
		SELECT 1
		FROM memberships m JOIN role_scopes s ON s.role = m.role
		WHERE m.principal = current_setting('app.principal', true)
		  AND m.workspace_id = documents_exists.workspace_id
		  AND s.scope = 'documents.read')
	OR EXISTS (
		SELECT 1
		FROM resource_memberships r JOIN role_scopes s ON s.role = r.role
		WHERE r.principal = current_setting('app.principal', true)
		  AND r.workspace_id = documents_exists.workspace_id
		  AND r.project_id = documents_exists.project_id
		  AND s.scope = 'documents.read'));

-- (3) The same lookup in a SECURITY DEFINER function, called per row, as
-- applications do to keep the membership tables private.
CREATE FUNCTION can_read_document(workspace text, project text) RETURNS boolean
	LANGUAGE sql STABLE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
	SELECT EXISTS (
		SELECT 1
		FROM public.memberships m JOIN public.role_scopes s ON s.role = m.role
		WHERE m.principal = current_setting('app.principal', true)
		  AND m.workspace_id = workspace
		  AND s.scope = 'documents.read')
	OR EXISTS (
		SELECT 1
		FROM public.resource_memberships r JOIN public.role_scopes s ON s.role = r.role
		WHERE r.principal = current_setting('app.principal', true)
		  AND r.workspace_id = workspace
		  AND r.project_id = project
		  AND s.scope = 'documents.read')
$$;
REVOKE ALL ON FUNCTION can_read_document(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION can_read_document(text, text) TO bench_app;

CREATE POLICY read_documents ON documents_function FOR SELECT
	USING (can_read_document(workspace_id, project_id));
CREATE POLICY read_documents ON documents_function_subset FOR SELECT
	USING (can_read_document(workspace_id, project_id));

-- (2b) The other careful hand-written policy: uncorrelated IN subqueries,
-- each run once per query and hashed, so each row costs one or two hash
-- probes.  The report takes the faster of this and EXISTS as the baseline.
CREATE POLICY read_documents ON documents_in FOR SELECT USING (
	workspace_id IN (
		SELECT m.workspace_id FROM memberships m JOIN role_scopes s ON s.role = m.role
		WHERE m.principal = current_setting('app.principal', true)
		  AND s.scope = 'documents.read')
	OR (workspace_id, project_id) IN (
		SELECT r.workspace_id, r.project_id FROM resource_memberships r JOIN role_scopes s ON s.role = r.role
		WHERE r.principal = current_setting('app.principal', true)
		  AND s.scope = 'documents.read'));

-- (4) The initplan policy of earlier versions of this benchmark, kept for
-- reference (it builds strings per row and searches arrays linearly, so
-- it is no fair baseline): each lookup runs once per query as an
-- initplan, and each row is tested against short arrays.  PostgreSQL
-- hashes = ANY only for constant arrays, so each array is searched
-- linearly, and a careful author keeps the arrays short and orders the
-- tests: first the workspaces the principal reads in full, which admit
-- most visible rows; then the workspaces where only some projects are
-- readable (leaving out those already read in full), which turns away
-- most other rows; and only rows there build and test the exact
-- (workspace, project) pair.
CREATE POLICY read_documents ON documents_initplan FOR SELECT USING (
	workspace_id = ANY ((
		SELECT coalesce(array_agg(DISTINCT m.workspace_id), '{}')
		FROM memberships m JOIN role_scopes s ON s.role = m.role
		WHERE m.principal = current_setting('app.principal', true)
		  AND s.scope = 'documents.read')::text[])
	OR (workspace_id = ANY ((
			SELECT coalesce(array_agg(DISTINCT r.workspace_id), '{}')
			FROM resource_memberships r JOIN role_scopes s ON s.role = r.role
			WHERE r.principal = current_setting('app.principal', true)
			  AND s.scope = 'documents.read'
			  AND NOT EXISTS (
				SELECT FROM memberships m JOIN role_scopes ms ON ms.role = m.role
				WHERE m.principal = r.principal AND m.workspace_id = r.workspace_id
				  AND ms.scope = 'documents.read'))::text[])
		AND workspace_id || '/' || project_id = ANY ((
			SELECT coalesce(array_agg(DISTINCT r.workspace_id || '/' || r.project_id), '{}')
			FROM resource_memberships r JOIN role_scopes s ON s.role = r.role
			WHERE r.principal = current_setting('app.principal', true)
			  AND s.scope = 'documents.read')::text[])));

-- (5) rbac.
CREATE POLICY read_documents ON documents_has_scope FOR SELECT
	USING (rbac.has_scope('documents.read', workspace_id, 'project', project_id));
CREATE POLICY read_documents ON documents_has_scope_subset FOR SELECT
	USING (rbac.has_scope('documents.read', workspace_id, 'project', project_id));

-- -------------------------------------------------------------------
-- What alice may read, computed directly from the rbac model as the
-- tables' owner: the reference every policy must match.
-- -------------------------------------------------------------------
CREATE TABLE expected AS
WITH readable_roles AS (
	SELECT id FROM rbac.roles WHERE 'documents.read' = ANY (scopes::text[])
), ws AS (
	SELECT g.workspace_id FROM rbac.grants g
	WHERE g.principal = 'alice' AND g.resource_type IS NULL AND g.workspace_id IS NOT NULL
	  AND g.role_id IN (SELECT id FROM readable_roles)
	UNION
	SELECT w.id FROM rbac.grants g JOIN rbac.workspaces w ON w.organization_id = g.organization_id
	WHERE g.principal = 'alice' AND g.role_kind = 'workspace'
	  AND g.role_id IN (SELECT id FROM readable_roles)
), res AS (
	SELECT g.workspace_id, g.resource_id FROM rbac.grants g
	WHERE g.principal = 'alice' AND g.resource_type = 'project'
	  AND g.role_id IN (SELECT id FROM readable_roles)
)
SELECT
	(SELECT count(*) FROM documents_src d
	 WHERE d.workspace_id IN (SELECT workspace_id FROM ws)
	    OR (d.workspace_id, d.project_id) IN (SELECT workspace_id, resource_id FROM res)) AS full_rows,
	(SELECT count(*) FROM documents_src d
	 WHERE d.id <= :subset_rows
	   AND (d.workspace_id IN (SELECT workspace_id FROM ws)
	    OR (d.workspace_id, d.project_id) IN (SELECT workspace_id, resource_id FROM res))) AS subset_rows;

DROP TABLE documents_src;

-- Set hint bits and the visibility map, so that no timed scan writes,
-- and write everything out now rather than while queries are timed.
VACUUM (FREEZE, ANALYZE);
CHECKPOINT;
