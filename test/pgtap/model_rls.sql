-- Row-level security with rbac.has_scope on real tables, queried as a role
-- that does not own them: the policy
--   USING (rbac.has_scope('documents.read', workspace_id, 'project', project_id))
-- returns exactly the permitted rows for each principal, on a text-keyed,
-- a uuid-keyed and a bigint-keyed table (the last two with no casts in the
-- policy); the answers are the same with rbac.cache off as on; parallel
-- workers answer exactly as the leader; and a grant or revoke made in the
-- transaction is seen by the next statement.
BEGIN;
SELECT plan(68);
SET LOCAL search_path = rbac, public;

-- ===================================================================
-- Three variants of one layout
-- ===================================================================
--
-- Workspaces 1 and 2 belong to organization acme, workspace 3 to globex.
-- Each has projects 1 and 2 (the same project ids in every workspace; the
-- text and bigint ids of project 1 are a prefix of project 2's) and rows
-- with no project.  A row's id is 100 * workspace + 10 * project + copy,
-- project 0 meaning none.

CREATE TEMP TABLE variants (name text PRIMARY KEY, tbl text NOT NULL, ws text[] NOT NULL, proj text[] NOT NULL);
INSERT INTO variants VALUES
	('text', 'docs_text', '{w1,w2,w3}', '{p1,p10}'),
	('uuid', 'docs_uuid',
		'{00000000-0000-4000-8000-000000000001,00000000-0000-4000-8000-000000000002,00000000-0000-4000-8000-000000000003}',
		'{00000000-0000-4000-8000-0000000000a1,00000000-0000-4000-8000-0000000000a2}'),
	('bigint', 'docs_bigint', '{101,102,103}', '{11,110}');

CREATE TEMP TABLE layout AS
SELECT 100 * i + 10 * j + k AS id, i, j
FROM generate_series(1, 3) AS i, generate_series(0, 2) AS j, generate_series(1, 2) AS k;

CREATE TABLE docs_text (id int NOT NULL, workspace_id text, project_id text, body text);
CREATE TABLE docs_uuid (id int NOT NULL, workspace_id uuid, project_id uuid, body text);
CREATE TABLE docs_bigint (id int NOT NULL, workspace_id bigint, project_id bigint, body text);
INSERT INTO docs_text SELECT l.id, v.ws[l.i], v.proj[nullif(l.j, 0)], 'doc ' || l.id
	FROM layout AS l, variants AS v WHERE v.name = 'text';
INSERT INTO docs_uuid SELECT l.id, v.ws[l.i]::uuid, v.proj[nullif(l.j, 0)]::uuid, 'doc ' || l.id
	FROM layout AS l, variants AS v WHERE v.name = 'uuid';
INSERT INTO docs_bigint SELECT l.id, v.ws[l.i]::bigint, v.proj[nullif(l.j, 0)]::bigint, 'doc ' || l.id
	FROM layout AS l, variants AS v WHERE v.name = 'bigint';

ALTER TABLE docs_text ENABLE ROW LEVEL SECURITY;
ALTER TABLE docs_uuid ENABLE ROW LEVEL SECURITY;
ALTER TABLE docs_bigint ENABLE ROW LEVEL SECURITY;
CREATE POLICY documents_read ON docs_text FOR SELECT
	USING (rbac.has_scope('documents.read', workspace_id, 'project', project_id));
CREATE POLICY documents_read ON docs_uuid FOR SELECT
	USING (rbac.has_scope('documents.read', workspace_id, 'project', project_id));
CREATE POLICY documents_read ON docs_bigint FOR SELECT
	USING (rbac.has_scope('documents.read', workspace_id, 'project', project_id));

-- The same rows 100 times over, for parallel scans.
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['docs_text', 'docs_uuid', 'docs_bigint'] LOOP
		EXECUTE format('CREATE TABLE %I AS SELECT d.* FROM %I AS d, generate_series(1, 100)', t || '_big', t);
		EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t || '_big');
		EXECUTE format('CREATE POLICY documents_read ON %I FOR SELECT
			USING (rbac.has_scope(''documents.read'', workspace_id, ''project'', project_id))', t || '_big');
		EXECUTE format('ANALYZE %I', t || '_big');
	END LOOP;
END $$;

-- The reader: not the owner, not a superuser, no BYPASSRLS; it may say
-- who the principal is.
CREATE ROLE rbac_test_reader NOLOGIN;
GRANT rbac_authenticator TO rbac_test_reader;
GRANT SELECT ON docs_text, docs_uuid, docs_bigint, docs_text_big, docs_uuid_big, docs_bigint_big
	TO rbac_test_reader;


-- The same grants in each variant.
DO $$
DECLARE
	v variants;
BEGIN
	PERFORM rbac.create_organization('acme', 'Acme');
	PERFORM rbac.create_organization('globex', 'Globex');
	FOR v IN SELECT * FROM variants LOOP
		PERFORM rbac.create_workspace(v.ws[1], 'One ' || v.name, 'owner_1', 'acme');
		PERFORM rbac.create_workspace(v.ws[2], 'Two ' || v.name, 'owner_2', 'acme');
		PERFORM rbac.create_workspace(v.ws[3], 'Three ' || v.name, 'owner_3', 'globex');
		PERFORM rbac.grant('alice', 'member', v.ws[1]);
		PERFORM rbac.grant('bob', 'membership_viewer', v.ws[1], 'project', v.proj[1]);
		PERFORM rbac.grant('carol', 'billing_manager', v.ws[1]);
		PERFORM rbac.grant('erin', 'membership_contributor', v.ws[2], 'project', v.proj[2]);
		PERFORM rbac.grant('erin', 'member', v.ws[3]);
		PERFORM rbac.grant('frank', 'membership_viewer', v.ws[1], 'team', v.proj[1]);
		PERFORM rbac.grant('gina', 'membership_viewer', v.ws[2], 'project', v.proj[1]);
	END LOOP;
	PERFORM rbac.grant_org_role('acme', 'dave', 'viewer');
END $$;

-- Who may read what, by seed 003's roles (the same in every variant):
CREATE TEMP TABLE expected (k int PRIMARY KEY, principal text, why text, ids int[] NOT NULL);
INSERT INTO expected VALUES
	(1, 'alice', 'Member of workspace 1', '{101,102,111,112,121,122}'),
	(2, 'bob', 'Membership Viewer on project 1 of workspace 1 only', '{111,112}'),
	(3, 'carol', 'Billing Manager of workspace 1: no access to the work', '{}'),
	(4, 'dave', 'Viewer granted on organization acme', '{101,102,111,112,121,122,201,202,211,212,221,222}'),
	(5, 'erin', 'Membership Contributor on project 2 of workspace 2, and Member of workspace 3',
		'{221,222,301,302,311,312,321,322}'),
	(6, 'frank', 'Membership Viewer on team 1 of workspace 1, not project 1', '{}'),
	(7, 'gina', 'Membership Viewer on project 1 of workspace 2, not of workspace 1', '{211,212}'),
	(8, 'owner_3', 'Owner of workspace 3', '{301,302,311,312,321,322}'),
	(9, 'zed', 'an unknown principal', '{}'),
	(10, NULL, 'no principal', '{}');

GRANT SELECT ON variants, expected TO rbac_test_reader;

-- The ids the current role sees in tbl, acting as p, with the cache on or off.
CREATE FUNCTION pg_temp.visible(p text, tbl text, cache boolean DEFAULT true) RETURNS int[]
LANGUAGE plpgsql AS $$
DECLARE
	result int[];
BEGIN
	PERFORM set_config('rbac.cache', CASE WHEN cache THEN 'on' ELSE 'off' END, true);
	PERFORM rbac.set_principal(p);
	EXECUTE format('SELECT coalesce(array_agg(id ORDER BY id), ''{}'') FROM %I', tbl) INTO result;
	PERFORM rbac.set_principal(NULL);
	RETURN result;
END $$;

-- Run a query on tbl under EXPLAIN ANALYZE, acting as p, and report the
-- Gather node's workers launched and the rows its parallel scan's workers
-- returned (the leader does not take part).
CREATE FUNCTION pg_temp.parallel_scan(p text, tbl text, OUT plan jsonb, OUT launched int, OUT worker_rows bigint)
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM rbac.set_principal(p);
	EXECUTE format('EXPLAIN (ANALYZE, VERBOSE, COSTS OFF, TIMING OFF, SUMMARY OFF, FORMAT JSON) SELECT id FROM %I', tbl)
		INTO plan;
	SELECT sum(x::bigint) INTO launched
		FROM jsonb_path_query(plan, 'strict $[0].**."Workers Launched"') AS x;
	SELECT sum(x::bigint) INTO worker_rows
		FROM jsonb_path_query(plan, 'strict $[0].** ? (@."Node Type" == "Seq Scan" && @."Parallel Aware" == true).Workers[*]."Actual Rows"') AS x;
	PERFORM rbac.set_principal(NULL);
END $$;

SELECT ok(NOT r.rolsuper AND NOT r.rolbypassrls
          AND NOT EXISTS (SELECT 1 FROM pg_class AS c WHERE c.relowner = r.oid AND c.relname LIKE 'docs\_%'),
	'the reader is not a superuser, has no BYPASSRLS and owns no table it reads')
FROM pg_roles AS r WHERE r.rolname = 'rbac_test_reader';

-- The policies call the overload of their table's id type: no casts.
SELECT is((SELECT array_agg(DISTINCT d.refobjid::regprocedure)
           FROM pg_policy AS pol JOIN pg_depend AS d
             ON d.classid = 'pg_policy'::regclass AND d.objid = pol.oid AND d.refclassid = 'pg_proc'::regclass
           WHERE pol.polrelid IN (v.tbl::regclass, (v.tbl || '_big')::regclass)),
	ARRAY[format('rbac.has_scope(text,%s,text,%s)', v.name, v.name)::regprocedure],
	format('the policy on the %s-keyed tables calls has_scope(text, %s, text, %s)', v.name, v.name, v.name))
FROM variants AS v ORDER BY v.name;

-- ===================================================================
-- Exactly the permitted rows, for each principal, in each variant
-- ===================================================================

SET LOCAL ROLE rbac_test_reader;

SELECT is(pg_temp.visible(e.principal, v.tbl), e.ids,
	format('%s: %s (%s) sees %s', v.tbl, coalesce(e.principal, 'nobody'), e.why, e.ids))
FROM variants AS v, expected AS e ORDER BY v.name, e.k;

-- ===================================================================
-- The same answers with the cache off
-- ===================================================================

SELECT is(array_agg(pg_temp.visible(e.principal, v.tbl, false)::text ORDER BY e.k),
	array_agg(e.ids::text ORDER BY e.k),
	format('%s: with rbac.cache = off every principal sees the same rows', v.tbl))
FROM variants AS v, expected AS e GROUP BY v.name, v.tbl ORDER BY v.name;

-- The same check matrix both ways: every principal, several scopes, every
-- workspace, and on no resource, either project, or a team.
CREATE TEMP TABLE probes AS
SELECT row_number() OVER () AS n, e.principal, s.scope, v.ws[i] AS ws, r.rt,
	CASE WHEN r.j = 0 THEN NULL ELSE v.proj[r.j] END AS rid
FROM expected AS e,
	unnest(ARRAY['documents.read', 'documents.edit', 'documents.create', 'runs.start', 'audit.read',
	             'members.invite', 'tenant.delete']) AS s(scope),
	variants AS v, generate_series(1, 3) AS i,
	(VALUES (NULL, 0), ('project', 1), ('project', 2), ('team', 1)) AS r(rt, j)
WHERE v.name = 'text';

CREATE FUNCTION pg_temp.answers(cache boolean) RETURNS boolean[] LANGUAGE plpgsql AS $$
DECLARE
	result boolean[] := '{}';
	p record;
BEGIN
	PERFORM set_config('rbac.cache', CASE WHEN cache THEN 'on' ELSE 'off' END, true);
	FOR p IN SELECT * FROM probes ORDER BY n LOOP
		PERFORM rbac.set_principal(p.principal);
		result := result || CASE WHEN p.rt IS NULL THEN rbac.has_scope(p.scope, p.ws)
		                         ELSE rbac.has_scope(p.scope, p.ws, p.rt, p.rid) END;
	END LOOP;
	PERFORM rbac.set_principal(NULL);
	RETURN result;
END $$;

-- How many reach lookups missed the cache while answering the matrix.
CREATE FUNCTION pg_temp.misses_during(cache boolean) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	before bigint := (SELECT misses FROM rbac.cache_stats());
BEGIN
	PERFORM pg_temp.answers(cache);
	RETURN (SELECT misses FROM rbac.cache_stats()) - before;
END $$;

SELECT ok((SELECT count(*) FROM unnest(pg_temp.answers(true)) AS a WHERE a) BETWEEN 20 AND 400,
	'control: the check matrix has both answers');
SELECT cmp_ok(pg_temp.misses_during(false), '>=', (SELECT count(*) FROM probes WHERE principal IS NOT NULL),
	'control: with rbac.cache = off, every check with a principal reads the tables');
SELECT cmp_ok(pg_temp.misses_during(true), '<', (SELECT count(*) FROM probes) / 10,
	'control: with rbac.cache = on, most checks are answered from the cache');
SELECT is(pg_temp.answers(false), pg_temp.answers(true),
	'the check matrix gives identical answers with rbac.cache off and on');

SET LOCAL rbac.cache = on;

-- ===================================================================
-- Parallel workers answer exactly as the leader
-- ===================================================================

-- Serial first: the leader alone.
SET LOCAL max_parallel_workers_per_gather = 0;
SELECT is(array_agg(cardinality(pg_temp.visible(e.principal, v.tbl || '_big')) ORDER BY e.k),
	array_agg(100 * cardinality(e.ids) ORDER BY e.k),
	format('%s_big: serially, each principal sees 100 copies of its rows', v.tbl))
FROM variants AS v, expected AS e GROUP BY v.name, v.tbl ORDER BY v.name;

SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
SET LOCAL parallel_leader_participation = off;

SELECT ok(jsonb_path_exists(plan, 'strict $[0].** ? (@."Node Type" == "Gather")') AND launched > 0,
	format('%s_big: the scan runs under Gather, with %s workers launched', v.tbl, launched))
FROM variants AS v, pg_temp.parallel_scan('alice', v.tbl || '_big') AS ps ORDER BY v.name;

SELECT is(array_agg(ps.worker_rows ORDER BY e.k),
	array_agg(100 * cardinality(e.ids)::bigint ORDER BY e.k),
	format('%s_big: in parallel workers, each principal sees exactly the rows the leader sees', v.tbl))
FROM variants AS v, expected AS e, pg_temp.parallel_scan(e.principal, v.tbl || '_big') AS ps
GROUP BY v.name, v.tbl ORDER BY v.name;

RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;

-- ===================================================================
-- A grant or revoke in the transaction is seen by the next statement
-- ===================================================================

RESET ROLE;
DO $$
DECLARE
	v variants;
BEGIN
	FOR v IN SELECT * FROM variants LOOP
		PERFORM rbac.grant('bob', 'membership_viewer', v.ws[1], 'project', v.proj[2]);
		PERFORM rbac.grant('carol', 'viewer', v.ws[3]);
	END LOOP;
END $$;
SET LOCAL ROLE rbac_test_reader;
SELECT is(pg_temp.visible('bob', v.tbl), '{111,112,121,122}'::int[],
	format('%s: after a grant on project 2, bob sees both projects of workspace 1', v.tbl))
FROM variants AS v ORDER BY v.name;
SELECT is(pg_temp.visible('carol', v.tbl), '{301,302,311,312,321,322}'::int[],
	format('%s: after a Viewer grant on workspace 3, carol sees workspace 3', v.tbl))
FROM variants AS v ORDER BY v.name;

RESET ROLE;
DO $$
DECLARE
	v variants;
BEGIN
	FOR v IN SELECT * FROM variants LOOP
		PERFORM rbac.revoke('bob', 'membership_viewer', v.ws[1], 'project', v.proj[1]);
		PERFORM rbac.revoke('alice', 'member', v.ws[1]);
	END LOOP;
	PERFORM rbac.revoke_org_role('acme', 'dave', 'viewer');
END $$;
SET LOCAL ROLE rbac_test_reader;
SELECT is(pg_temp.visible('bob', v.tbl), '{121,122}'::int[],
	format('%s: after revoking project 1, bob sees project 2 only', v.tbl))
FROM variants AS v ORDER BY v.name;
SELECT is(pg_temp.visible('alice', v.tbl), '{}'::int[],
	format('%s: after revoking her only grant, alice sees nothing', v.tbl))
FROM variants AS v ORDER BY v.name;
SELECT is(pg_temp.visible('dave', v.tbl), '{}'::int[],
	format('%s: after revoke_org, dave sees nothing', v.tbl))
FROM variants AS v ORDER BY v.name;

-- With the cache off too.
SELECT is(pg_temp.visible('bob', v.tbl, false), '{121,122}'::int[],
	format('%s: with the cache off, bob sees project 2 only', v.tbl))
FROM variants AS v ORDER BY v.name;

RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
