-- ===================================================================
-- load benchmark: data, grants, the four tables and the probe
--
-- 200 workspaces of 50 projects and 1,000 principals, user_1 ..
-- user_1000.  Principal p holds a role that carries documents.read in
-- three workspaces, ws(p, 0), ws(p, 1) and ws(p, 2), where
--     ws(p, k) = 1 + (37 p + 71 k) mod 200
-- (the pgbench scripts compute the same), so that every page a
-- transaction asks for is one the principal may read and is full.  Each
-- also holds billing_manager (no documents.read) in ws(p, 3), and
-- membership_viewer on two projects of ws(p, 4), so reach is not only
-- workspace grants and the hand-tuned policy has its resource part to do.
-- Each workspace has an owner, owner_<n>, who is not among the readers.
--
-- The documents, rows in the order an application inserts them (each in
-- a random project; created_at grows with id), are copied into one table
-- per policy, each with the index a page query uses:
--     (workspace_id, created_at)
--   documents_none      row-level security off;
--   documents_initplan  the hand-tuned = ANY ((SELECT array_agg ...))
--                       policy over ordinary membership tables;
--   documents_rbac      the recommended index-friendly rbac policy,
--                       = ANY (rbac.accessible_workspaces(...)) AND has_scope;
--   documents_has_scope the plain rbac.has_scope() policy.
--
-- The probe: principal "probe" is a member of ws_2 throughout, and the
-- storm's writer grants and revokes viewer on ws_1 to it, each change in
-- one transaction with a new version in probe_state.  Readers check that
-- what rbac answers about the probe agrees with the version their own
-- statement sees; any disagreement goes into stale_answer.
--
-- The application role bench_app logs in with a password, is not the
-- tables' owner and has no BYPASSRLS; it is a member of
-- rbac_authenticator (for set_principal), and the superuser turns on
-- rbac.trust_request_jwt for it, as behind PostgREST.
--
-- psql variables: rows (documents), app_password.
-- ===================================================================

\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;
SET max_parallel_maintenance_workers = 0;
SET work_mem = '512MB';
SET maintenance_work_mem = '512MB';

CREATE EXTENSION IF NOT EXISTS pg_prewarm;
CREATE EXTENSION IF NOT EXISTS rbac;

SELECT setseed(0.4242) \g /dev/null

CREATE ROLE bench_app LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD :'app_password';
GRANT rbac_authenticator TO bench_app;
GRANT USAGE ON SCHEMA public TO bench_app;
ALTER ROLE bench_app SET rbac.trust_request_jwt = on;

-- -------------------------------------------------------------------
-- Workspaces, projects, principals and their grants.
-- -------------------------------------------------------------------
CREATE FUNCTION ws(p int, k int) RETURNS int
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN 1 + (37 * p + 71 * k) % 200;

CREATE TABLE workspace (n int PRIMARY KEY, id text NOT NULL UNIQUE);
INSERT INTO workspace SELECT w, 'ws_' || w FROM generate_series(1, 200) AS w;

CREATE TABLE project (n int PRIMARY KEY, id text NOT NULL UNIQUE, workspace_id text NOT NULL);
INSERT INTO project
SELECT (w.n - 1) * 50 + p, 'prj_' || ((w.n - 1) * 50 + p), w.id
FROM workspace w, generate_series(1, 50) AS p;

SELECT rbac.create_workspace(id, 'Workspace ' || n, 'owner_' || n)
FROM workspace ORDER BY n \g /dev/null

CREATE TABLE planned_grant (
	ord serial PRIMARY KEY,
	principal text NOT NULL,
	role text NOT NULL,
	workspace_id text NOT NULL,
	resource_type text,
	resource_id text
);

-- Three reading roles each, in workspaces ws(p, 0..2).
INSERT INTO planned_grant (principal, role, workspace_id)
SELECT 'user_' || p,
	(ARRAY['member', 'member', 'viewer', 'viewer', 'lead', 'planner', 'admin', 'workspace_operator'])
		[1 + floor(random() * 8)::int],
	'ws_' || ws(p, k)
FROM generate_series(1, 1000) AS p, generate_series(0, 2) AS k
ORDER BY p, k;

-- A role without documents.read, and two project grants elsewhere.
INSERT INTO planned_grant (principal, role, workspace_id)
SELECT 'user_' || p, 'billing_manager', 'ws_' || ws(p, 3)
FROM generate_series(1, 1000) AS p
ORDER BY p;

INSERT INTO planned_grant (principal, role, workspace_id, resource_type, resource_id)
SELECT 'user_' || p.p, 'membership_viewer', pr.workspace_id, 'project', pr.id
FROM generate_series(1, 1000) AS p(p)
CROSS JOIN generate_series(0, 1) AS j(j)
JOIN project pr ON pr.n = (ws(p.p, 4) - 1) * 50 + 1 + (p.p * 7 + j.j * 23) % 50
ORDER BY p.p, j.j;

-- The probe: a member of ws_2 for good; viewer on ws_1 comes and goes.
INSERT INTO planned_grant (principal, role, workspace_id) VALUES ('probe', 'member', 'ws_2');

DO $$
DECLARE
	g planned_grant;
BEGIN
	FOR g IN SELECT * FROM planned_grant ORDER BY ord LOOP
		PERFORM rbac.grant(g.principal, g.role, g.workspace_id, g.resource_type, g.resource_id);
	END LOOP;
END
$$;

-- -------------------------------------------------------------------
-- The same grants in the tables an application keeps today, for the
-- hand-tuned policy.  The storm changes only the probe's grants, which
-- no baseline reads.
-- -------------------------------------------------------------------
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

GRANT SELECT ON role_scopes, memberships, resource_memberships TO bench_app;

-- -------------------------------------------------------------------
-- The documents.
-- -------------------------------------------------------------------
CREATE TABLE word (k int PRIMARY KEY, w text NOT NULL);
INSERT INTO word
SELECT row_number() OVER (), w
FROM unnest('{roadmap,review,quarterly,planning,notes,design,migration,incident,
	report,onboarding,pricing,billing,launch,checklist,retro,sprint,backlog,customer,
	feedback,security,audit,search,mobile,release,budget,hiring,analytics,dashboard,
	api,schema,outage,postmortem,proposal,draft,summary,meeting,weekly,strategy,
	integration,support}'::text[]) AS w;

CREATE TABLE documents_none (
	id bigint NOT NULL,
	workspace_id text NOT NULL,
	project_id text NOT NULL,
	title text NOT NULL,
	created_at timestamptz NOT NULL,
	body text NOT NULL
);

INSERT INTO documents_none
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
JOIN word w5 ON w5.k = d.k5
ORDER BY d.i;

CREATE TABLE documents_initplan (LIKE documents_none);
CREATE TABLE documents_rbac (LIKE documents_none);
CREATE TABLE documents_has_scope (LIKE documents_none);
INSERT INTO documents_initplan SELECT * FROM documents_none ORDER BY id;
INSERT INTO documents_rbac SELECT * FROM documents_none ORDER BY id;
INSERT INTO documents_has_scope SELECT * FROM documents_none ORDER BY id;

DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['none', 'initplan', 'rbac', 'has_scope'] LOOP
		EXECUTE format('ALTER TABLE documents_%s ADD PRIMARY KEY (id)', t);
		EXECUTE format('CREATE INDEX ON documents_%s (workspace_id, created_at)', t);
		EXECUTE format('GRANT SELECT ON documents_%s TO bench_app', t);
		IF t <> 'none' THEN
			EXECUTE format('ALTER TABLE documents_%s ENABLE ROW LEVEL SECURITY', t);
		END IF;
	END LOOP;
END
$$;

-- -------------------------------------------------------------------
-- The policies.
-- -------------------------------------------------------------------

-- The hand-tuned policy: the principal's readable workspaces, and its
-- readable projects in other workspaces, each looked up once per query
-- as an initplan.  The principal is the application's app.principal
-- when set, else the sub of PostgREST's claims, as Supabase's auth.uid()
-- reads it.
CREATE POLICY read_documents ON documents_initplan FOR SELECT USING (
	workspace_id = ANY ((
		SELECT coalesce(array_agg(DISTINCT m.workspace_id), '{}')
		FROM memberships m JOIN role_scopes s ON s.role = m.role
		WHERE m.principal = coalesce(nullif(current_setting('app.principal', true), ''),
				nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
		  AND s.scope = 'documents.read')::text[])
	OR workspace_id || '/' || project_id = ANY ((
		SELECT coalesce(array_agg(DISTINCT r.workspace_id || '/' || r.project_id), '{}')
		FROM resource_memberships r JOIN role_scopes s ON s.role = r.role
		WHERE r.principal = coalesce(nullif(current_setting('app.principal', true), ''),
				nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
		  AND s.scope = 'documents.read')::text[]));

-- rbac, the recommended shape: the listing lets the index find the
-- candidate rows, and has_scope decides each one.
CREATE POLICY read_documents ON documents_rbac FOR SELECT USING (
	workspace_id = ANY (rbac.accessible_workspaces('documents.read', 'project'))
	AND rbac.has_scope('documents.read', workspace_id, 'project', project_id));

-- rbac, the plain per-row policy; the page query's own workspace filter
-- drives the index.
CREATE POLICY read_documents ON documents_has_scope FOR SELECT
	USING (rbac.has_scope('documents.read', workspace_id, 'project', project_id));

-- -------------------------------------------------------------------
-- The probe, and where readers record what disagreed.
-- -------------------------------------------------------------------
CREATE TABLE probe_state (
	id int PRIMARY KEY CHECK (id = 1),
	version bigint NOT NULL,	-- the last committed change
	held boolean NOT NULL,		-- does that change leave the probe grant held?
	acked bigint NOT NULL,		-- the last change whose COMMIT had returned
	probe_doc bigint NOT NULL	-- a document of ws_1 that only the grant shows
);
INSERT INTO probe_state
SELECT 1, 0, false, 0, min(id) FROM documents_none WHERE workspace_id = 'ws_1';

CREATE TABLE stale_answer (
	seen_at timestamptz NOT NULL DEFAULT clock_timestamp(),
	via text NOT NULL,
	version bigint NOT NULL,
	acked bigint NOT NULL,
	held boolean NOT NULL,
	has_scope boolean,
	row_visible boolean
);
CREATE SEQUENCE probe_checks_held;
CREATE SEQUENCE probe_checks_revoked;

GRANT SELECT ON probe_state TO bench_app;
GRANT INSERT ON stale_answer TO bench_app;
GRANT USAGE ON SEQUENCE probe_checks_held, probe_checks_revoked TO bench_app;

-- -------------------------------------------------------------------
-- The reference, computed from the grants as the tables' owner: the page
-- (ids, newest first) a principal must see of a workspace.  Every
-- principal's three readable workspaces ws(p, 0..2), which the pgbench
-- scripts ask for; and for every 25th principal also ws(p, 3), where it
-- reads nothing, and ws(p, 4), where it reads two projects, whose pages
-- take a scan of the whole workspace.  verify.sql compares every policy's
-- answer with these.
-- -------------------------------------------------------------------
CREATE TABLE expected_page AS
WITH asked AS (
	SELECT p, k, 'user_' || p AS principal, 'ws_' || ws(p, k) AS workspace_id
	FROM generate_series(1, 1000) AS p, generate_series(0, 4) AS k
	WHERE k <= 2 OR p % 25 = 0
), readable AS (
	SELECT a.p, a.k, a.workspace_id,
		coalesce(bool_or(g.principal IS NOT NULL AND g.resource_id IS NULL), false) AS whole,
		coalesce(array_agg(g.resource_id) FILTER (WHERE g.resource_id IS NOT NULL), '{}') AS projects
	FROM asked a
	LEFT JOIN (planned_grant g JOIN role_scopes s ON s.role = g.role AND s.scope = 'documents.read')
		ON g.principal = a.principal AND g.workspace_id = a.workspace_id
	GROUP BY a.p, a.k, a.workspace_id
)
SELECT r.p, r.k, r.workspace_id,
	ARRAY(
		SELECT d.id FROM documents_none d
		WHERE d.workspace_id = r.workspace_id AND (r.whole OR d.project_id = ANY (r.projects))
		ORDER BY d.created_at DESC LIMIT 50) AS ids
FROM readable r;
ALTER TABLE expected_page ADD PRIMARY KEY (p, k);

CREATE TABLE wrong_page (via text, policy text, p int, k int, expected bigint[], got bigint[]);
GRANT SELECT ON expected_page TO bench_app;
GRANT SELECT, INSERT ON wrong_page TO bench_app;

-- The page query of the pgbench scripts, and how they say who the
-- principal is.  claims_for() is the claims PostgREST would set for a
-- Supabase-style token.
CREATE FUNCTION claims_for(principal text) RETURNS text
	LANGUAGE sql IMMUTABLE
	RETURN '{"aud": "authenticated", "exp": 4102444800, "iat": 1700000000, '
		'"iss": "https://auth.example.com", "sub": "' || principal || '", '
		'"email": "' || principal || '@example.com", "phone": "", "role": "bench_app", '
		'"aal": "aal1", "session_id": "5b0c6c1e-7b34-4c55-9d0c-1f2d3e4f5a6b", '
		'"app_metadata": {"provider": "email", "providers": ["email"]}, "user_metadata": {}, '
		'"is_anonymous": false}';

CREATE FUNCTION page_sql(policy text) RETURNS text
	LANGUAGE sql IMMUTABLE
	RETURN format('SELECT id, title, created_at FROM documents_%s WHERE workspace_id = $1 '
		'ORDER BY created_at DESC LIMIT 50', policy);

-- Run as bench_app: every principal, each of its five workspaces, each
-- policy, the principal set both ways; pages that differ from the
-- reference go into wrong_page.  Returns how many pages were compared.
CREATE FUNCTION check_pages() RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	via		text;
	policy	text;
	e		expected_page;
	got		bigint[];
	n		bigint := 0;
BEGIN
	IF EXISTS (SELECT FROM pg_roles WHERE rolname = current_user AND (rolsuper OR rolbypassrls))
	   OR EXISTS (SELECT FROM pg_tables WHERE tablename LIKE 'documents%' AND tableowner = current_user)
	THEN
		RAISE EXCEPTION 'the check must run as a role that row-level security applies to, not %', current_user;
	END IF;
	FOREACH via IN ARRAY ARRAY['claims', 'set_principal'] LOOP
		FOR e IN SELECT * FROM expected_page ORDER BY p, k LOOP
			IF via = 'claims' THEN
				PERFORM rbac.set_principal(NULL, true);
				PERFORM set_config('app.principal', '', true);
				PERFORM set_config('request.jwt.claims', claims_for('user_' || e.p), true);
			ELSE
				PERFORM set_config('request.jwt.claims', '', true);
				PERFORM rbac.set_principal('user_' || e.p, true);
				PERFORM set_config('app.principal', 'user_' || e.p, true);
			END IF;
			IF rbac.current_principal() IS DISTINCT FROM 'user_' || e.p THEN
				RAISE EXCEPTION 'principal set via % is %, not user_%', via, rbac.current_principal(), e.p;
			END IF;
			FOREACH policy IN ARRAY ARRAY['none', 'initplan', 'rbac', 'has_scope'] LOOP
				-- The unprotected table shows everything: it is the
				-- reference only where the principal reads the workspace.
				CONTINUE WHEN policy = 'none' AND e.k > 2;
				EXECUTE format('SELECT coalesce(array_agg(id), ''{}'') FROM (%s) page', page_sql(policy))
					INTO got USING e.workspace_id;
				n := n + 1;
				IF got IS DISTINCT FROM e.ids THEN
					INSERT INTO wrong_page VALUES (via, policy, e.p, e.k, e.ids, got);
				END IF;
			END LOOP;
		END LOOP;
	END LOOP;
	RETURN n;
END
$$;

-- Set hint bits and the visibility map, so that no timed scan writes,
-- and write everything out now rather than while transactions are timed.
VACUUM (FREEZE, ANALYZE);
CHECKPOINT;
