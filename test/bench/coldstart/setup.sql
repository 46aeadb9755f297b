-- ===================================================================
-- coldstart benchmark: the model, the pairs and the baseline function
--
-- 10 organizations of 1,000 workspaces each (ws_00001 .. ws_10000), and
-- one more workspace, "big", in the first organization.  Grants, all
-- through rbac.grant() and rbac.grant_org_role():
--   - wide:       member of all 10,000 workspaces;
--   - big:        100,000 members (m_000001 .. m_100000), one in ten a
--                 viewer, one in ten a billing_manager (no documents.read);
--   - the crowd:  1,000 principals (p_0001 .. p_1000) with 100 workspace
--                 grants each, 100,000 distinct (principal, workspace)
--                 pairs, every workspace shared by 10 of them; one grant
--                 in ten is billing_manager, and every 50th principal
--                 also holds viewer on the organization of its workspaces,
--                 so the organization branch of the lookup is exercised;
--   - solo:       member of ws_00001 only, the ordinary principal the
--                 scale checks are compared with;
--   - each organization's owner owns its workspaces.
--
-- The baseline is the same question asked in plain SQL: a SECURITY
-- DEFINER SQL function over rbac.grants and rbac.roles that mirrors the
-- lookup the extension runs on a cache miss (see below).  The table "pair" lists the
-- crowd's pairs with the answer that function gives; every has_scope
-- count is checked against it.
-- Everything is deterministic.
-- ===================================================================

\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;
SET work_mem = '256MB';
SET maintenance_work_mem = '512MB';

CREATE EXTENSION IF NOT EXISTS rbac;
CREATE EXTENSION IF NOT EXISTS dblink;

-- -------------------------------------------------------------------
-- Nodes.
-- -------------------------------------------------------------------
CREATE TABLE workspace (n int PRIMARY KEY, id text NOT NULL UNIQUE, org text NOT NULL);
INSERT INTO workspace
SELECT w, 'ws_' || lpad(w::text, 5, '0'), 'org_' || lpad(((w - 1) / 1000 + 1)::text, 2, '0')
FROM generate_series(1, 10000) AS w;

SELECT count(rbac.create_organization(org, 'Organization ' || org))
FROM (SELECT DISTINCT org FROM workspace ORDER BY org) o \g /dev/null

SELECT count(rbac.create_workspace(id, 'Workspace ' || n, 'owner_' || org, org))
FROM (SELECT * FROM workspace ORDER BY n) w \g /dev/null
SELECT rbac.create_workspace('big', 'The big workspace', 'owner_org_01', 'org_01') \g /dev/null

-- -------------------------------------------------------------------
-- Grants.
-- -------------------------------------------------------------------
SELECT count(rbac.grant('wide', 'member', id)) FROM (SELECT id FROM workspace ORDER BY n) w \g /dev/null

SELECT count(rbac.grant('m_' || lpad(i::text, 6, '0'),
		CASE i % 10 WHEN 3 THEN 'viewer' WHEN 7 THEN 'billing_manager' ELSE 'member' END, 'big'))
FROM generate_series(1, 100000) AS i \g /dev/null

CREATE TABLE pair (
	principal text NOT NULL,
	workspace_id text NOT NULL,
	batch int NOT NULL,			-- the principal's number: one batch per principal
	role text NOT NULL,
	expect boolean,				-- what the SQL baseline answers
	PRIMARY KEY (principal, workspace_id)
);
INSERT INTO pair
SELECT 'p_' || lpad(p::text, 4, '0'), w.id, p,
	CASE k % 10 WHEN 9 THEN 'billing_manager' WHEN 4 THEN 'viewer' ELSE 'member' END
FROM generate_series(1, 1000) AS p
CROSS JOIN generate_series(0, 99) AS k
JOIN workspace w ON w.n = ((p - 1) * 100 + k) % 10000 + 1
ORDER BY p, k;

SELECT count(rbac.grant(principal, role, workspace_id))
FROM (SELECT * FROM pair ORDER BY batch, workspace_id) p \g /dev/null

SELECT count(rbac.grant_org_role(org, 'p_' || lpad(p::text, 4, '0'), 'viewer'))
FROM (SELECT DISTINCT p, w.org
	  FROM generate_series(50, 1000, 50) AS p
	  JOIN workspace w ON w.n = (p - 1) * 100 % 10000 + 1
	  ORDER BY p) o \g /dev/null

SELECT rbac.grant('solo', 'member', 'ws_00001') \g /dev/null

-- Workspaces on which the invalidation scenarios grant and revoke viewer
-- to the principal they are about to check (session.sql, writer_change),
-- away from every workspace a timed check asks about.
CREATE TABLE churn (k int PRIMARY KEY, principal text NOT NULL, workspace_id text NOT NULL);
INSERT INTO churn SELECT k, 'churn', 'ws_' || lpad((9000 + k)::text, 5, '0') FROM generate_series(1, 1000) AS k;

-- -------------------------------------------------------------------
-- The baseline: the lookup the extension runs on a cache miss, in plain
-- SQL, as an application would write it to keep the grants private: the
-- union of the principal's workspace grants there and of its workspace
-- roles on the workspace's organization, then whether it holds the scope.
--
-- It aggregates rather than asking EXISTS on purpose.  With EXISTS the
-- planner prefers the grants' unique index (principal, role_id,
-- organization_id, workspace_id, ...), which cannot skip to the workspace,
-- so the lookup walks every grant the principal holds with that role:
-- sql_exists_has_scope() below is that form, timed for reference in the
-- scale scenarios only.
-- -------------------------------------------------------------------
CREATE FUNCTION sql_has_scope(principal text, scope text, workspace text) RETURNS boolean
	LANGUAGE sql STABLE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce(bool_or(r.scopes OPERATOR(rbac.?) sql_has_scope.scope), false)
	FROM rbac.grants AS g
	JOIN rbac.roles AS r ON r.id = g.role_id
	WHERE g.principal = sql_has_scope.principal
	  AND g.resource_type IS NULL
	  AND (g.workspace_id = sql_has_scope.workspace
	       OR (g.role_kind = 'workspace'
	           AND g.organization_id = (SELECT w.organization_id FROM rbac.workspaces AS w
	                                    WHERE w.id = sql_has_scope.workspace)))
$$;

CREATE FUNCTION sql_exists_has_scope(principal text, scope text, workspace text) RETURNS boolean
	LANGUAGE sql STABLE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
	SELECT EXISTS (
		SELECT 1
		FROM rbac.grants AS g
		JOIN rbac.roles AS r ON r.id = g.role_id
		WHERE g.principal = sql_exists_has_scope.principal
		  AND g.workspace_id = sql_exists_has_scope.workspace
		  AND g.resource_type IS NULL
		  AND r.scopes OPERATOR(rbac.?) sql_exists_has_scope.scope)
	OR EXISTS (
		SELECT 1
		FROM rbac.workspaces AS w
		JOIN rbac.grants AS g ON g.organization_id = w.organization_id
		JOIN rbac.roles AS r ON r.id = g.role_id
		WHERE w.id = sql_exists_has_scope.workspace
		  AND g.principal = sql_exists_has_scope.principal
		  AND g.role_kind = 'workspace'
		  AND r.scopes OPERATOR(rbac.?) sql_exists_has_scope.scope)
$$;

UPDATE pair SET expect = sql_has_scope(principal, 'documents.read', workspace_id);
ALTER TABLE pair ALTER COLUMN expect SET NOT NULL;
CREATE INDEX ON pair (batch);

-- The wide principal's workspaces, in order, for the N-entry queries.
CREATE TABLE wide_ws (n int PRIMARY KEY, id text NOT NULL);
INSERT INTO wide_ws SELECT n, id FROM workspace ORDER BY n;

-- Where the timings go.
CREATE TABLE timing (
	scenario text NOT NULL,
	rep int NOT NULL,
	us float8 NOT NULL,			-- microseconds, wall clock
	result bigint,				-- the answer (1/0) or the count
	expect bigint,				-- what it must be, from the baseline
	cpu_us float8				-- for queries: this backend's CPU time
);

-- This backend's CPU time so far (user + system, microseconds), from
-- /proc/self/stat in clock ticks of 1/clk_tck s; NULL where there is no
-- /proc.  Wall-clock figures include waiting for a CPU when the machine is
-- busy; CPU time does not, so the costs per entry are given both ways.
SELECT format($f$
CREATE FUNCTION backend_cpu_us() RETURNS float8
LANGUAGE sql VOLATILE AS $$
	SELECT (split_part(f, ' ', 12)::bigint + split_part(f, ' ', 13)::bigint) * 1e6 / %s
	FROM (SELECT regexp_replace(pg_read_file('/proc/self/stat', 0, 4096, true), '^.*\) ', '') AS f) AS s
$$$f$, :clk_tck) \gexec

VACUUM ANALYZE;
CHECKPOINT;
