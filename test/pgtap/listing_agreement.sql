-- Check and list agree, exhaustively, on a generated fixture: 60 principals
-- with a random (seeded) mix of grants over organizations, workspaces and
-- resources of two types.  For every principal context (plain principals,
-- API keys, request tokens in narrow and authoritative mode, and a
-- narrowing), every scope, every workspace and every resource:
--
--   has_scope(s, w)       iff w = ANY (accessible_workspaces(s)); a check in a
--     workspace rbac does not know is false whatever the credential
--   has_scope(s, w, t, r) iff has_scope_everywhere(s, w, t) or r = ANY (accessible_resources(s, w, t))
--   accessible_workspaces(s, t) is exactly the workspaces where the workspace
--     itself or some resource of type t gives s
--   has_scope(...) iff a probe row tagged with that workspace (and resource)
--     is visible, to a role that does not own the table, under the
--     recommended policy
--       USING (workspace_id = ANY (rbac.accessible_workspaces(s, t))
--              AND rbac.has_scope(s, workspace_id, t, resource_id))
--   has_scope(...) iff the probe row is visible under the simple policy
--     USING (rbac.has_scope(s, workspace_id [, t, resource_id])), found
--     through the index condition its planner support derives, with that
--     support turned off, and through one generic plan reused by every
--     principal context
--   the uuid and bigint variants list exactly the ids of the text forms
--     that are uuids or decimal numbers, and typed checks agree with them
--   has_scope answers what a plain SQL reading of rbac.grants says.
--
-- Each relation is one count of disagreements per phase, which must be 0;
-- the first few are shown with diag().  Guards show that both answers occur
-- many times, so no assertion can pass for want of cases.
BEGIN;
SELECT plan(132);
SET LOCAL search_path = public, rbac;
-- Thousands of small statements: compiling each would cost more than it saves.
SET LOCAL jit = off;

SELECT setseed(0.20240601);

-- ===================================================================
-- The universe: scopes, workspaces, resources
-- ===================================================================

-- Scopes of different levels: resource-grantable read and contribute, work,
-- billing, manage, delete, the operator-only scope no role holds, and an
-- application scope that is retired below.
CREATE TEMP TABLE fx_scopes (k int PRIMARY KEY, name text NOT NULL);
INSERT INTO fx_scopes VALUES
	(1, 'documents.read'), (2, 'documents.edit'), (3, 'runs.start'), (4, 'audit.read'),
	(5, 'members.manage'), (6, 'tenant.delete'), (7, 'entitlements.override'), (8, 'widgets.view');

-- Workspaces in three organizations and in none; text, uuid and decimal
-- ids, and ids that only look like one (upper-case uuid, leading zero,
-- beyond bigint).  'ghost' is a workspace rbac does not know.
CREATE TEMP TABLE fx_workspaces (id text PRIMARY KEY, org text, known boolean NOT NULL DEFAULT true);
INSERT INTO fx_workspaces VALUES
	('alpha', 'org-a'), ('beta', 'org-a'), ('101', 'org-a'),
	('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'org-a'),
	('gamma', 'org-b'), ('102', 'org-b'), ('b1ffcd88-8d1a-4ef8-bb6d-6bb9bd380a22', 'org-b'),
	('delta', 'org-c'), ('c4eebc99-9c0b-4ef8-bb6d-6bb9bd380c44', 'org-c'),
	('solo', NULL), ('0103', NULL), ('-7', NULL), ('9223372036854775808', NULL),
	('C4EEBC99-9C0B-4EF8-BB6D-6BB9BD380C44', NULL);
INSERT INTO fx_workspaces VALUES ('ghost', NULL, false);

-- The same resource ids in every workspace; some ids are both a project
-- and a team.
CREATE TEMP TABLE fx_resources (type text, id text, PRIMARY KEY (type, id));
INSERT INTO fx_resources VALUES
	('project', 'p1'), ('project', 'p2'), ('project', '42'), ('project', '042'),
	('project', '9223372036854775807'), ('project', 'c2eebc99-9c0b-4ef8-bb6d-6bb9bd380c33'),
	('project', 'D3EEBC99-9C0B-4EF8-BB6D-6BB9BD380D44'),
	('team', 't1'), ('team', '42'), ('team', '-5'), ('team', 'c2eebc99-9c0b-4ef8-bb6d-6bb9bd380c33');

-- What is checked: the workspace itself (t and r NULL), a type with no
-- resource, and every resource.
CREATE TEMP TABLE fx_cells AS
SELECT row_number() OVER (ORDER BY w COLLATE "C", t NULLS FIRST, r COLLATE "C" NULLS FIRST)::int AS cell, *
FROM (SELECT w.id AS w, NULL::text AS t, NULL::text AS r FROM fx_workspaces AS w
      UNION ALL
      SELECT w.id, t.type, NULL FROM fx_workspaces AS w, (VALUES ('project'), ('team')) AS t(type)
      UNION ALL
      SELECT w.id, x.type, x.id FROM fx_workspaces AS w, fx_resources AS x) AS c;

-- Ids as a uuid or bigint column would hold them: castable, and canonical
-- (the text a uuid or bigint prints as).
CREATE FUNCTION pg_temp.castable(x text, typ text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE typ
		WHEN 'text' THEN true
		WHEN 'uuid' THEN x ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
		WHEN 'bigint' THEN CASE WHEN x ~ '^[+-]?[0-9]{1,30}$'
			THEN x::numeric BETWEEN -9223372036854775808 AND 9223372036854775807 ELSE false END
	END
$$;
CREATE FUNCTION pg_temp.canonical(x text, typ text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
	SELECT pg_temp.castable(x, typ) AND CASE typ
		WHEN 'text' THEN true
		WHEN 'uuid' THEN x ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
		WHEN 'bigint' THEN x ~ '^(0|-?[1-9][0-9]*)$'
	END
$$;
-- The text a castable id becomes in its type.
CREATE FUNCTION pg_temp.as_text(x text, typ text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE typ WHEN 'uuid' THEN x::uuid::text WHEN 'bigint' THEN x::bigint::text ELSE x END
$$;
-- Do two lists hold the same ids, each once?
CREATE FUNCTION pg_temp.same(a text[], b text[]) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
	SELECT a @> b AND b @> a AND cardinality(a) = cardinality(b)
		AND cardinality(a) = (SELECT count(DISTINCT x) FROM unnest(a) AS x)
$$;

-- Typed cells: castable workspace (and resource) ids in every type
-- combination but text with text, which the plain cells already ask.
CREATE TEMP TABLE fx_typed AS
SELECT c.w, wt.typ AS wtype, c.t, c.r, rt.typ AS rtype
FROM fx_cells AS c, (VALUES ('text'), ('uuid'), ('bigint')) AS wt(typ),
	(VALUES ('text'), ('uuid'), ('bigint')) AS rt(typ)
WHERE pg_temp.castable(c.w, wt.typ)
  AND ((c.t IS NULL AND rt.typ = 'text' AND wt.typ <> 'text')
       OR (c.r IS NOT NULL AND pg_temp.castable(c.r, rt.typ) AND (wt.typ, rt.typ) <> ('text', 'text')));

-- ===================================================================
-- The model, generated
-- ===================================================================

CREATE TEMP TABLE fx_principals AS
SELECT format('p%s', lpad(i::text, 2, '0')) AS name FROM generate_series(1, 60) AS i;

DO $$
DECLARE
	w record;
	n int := 0;
BEGIN
	PERFORM rbac.create_organization('org-a', 'Org A');
	PERFORM rbac.create_organization('org-b', 'Org B');
	PERFORM rbac.create_organization('org-c', 'Org C');
	-- Owners are principals of the fixture.
	FOR w IN SELECT * FROM fx_workspaces WHERE known ORDER BY id COLLATE "C" LOOP
		n := n + 1;
		PERFORM rbac.create_workspace(w.id, 'Workspace ' || w.id, format('p%s', lpad((4 * n)::text, 2, '0')), w.org);
	END LOOP;
	-- Custom roles: a database-wide wildcard role, made by the operator; a
	-- resource role; one of a workspace; one of an organization.
	PERFORM rbac.create_role('doc_all', 'Documents and members', 'workspace',
		'{documents.*,members.*}', confirm_destructive => true);
	PERFORM rbac.create_role('res_editor', 'Resource editor', 'resource',
		'{documents.edit,documents.read,projects.read}');
	PERFORM rbac.create_role('ws_auditor', 'Auditor', 'workspace', '{audit.read,documents.read}',
		belongs_to_workspace => 'beta');
	PERFORM rbac.create_role('org_runner', 'Runner', 'workspace', '{runs.start,chat.send}',
		belongs_to_organization => 'org-b');
	-- An application scope, held by every read-level role until retired.
	PERFORM rbac.create_scope('widgets.view', 'widgets', 'View widgets', 'read', resource_grantable => true);
END $$;

-- p01 is fixed, for the API keys: Admin of alpha, Member across org-a,
-- Member of beta with Membership Planner on project p2 there, and a
-- resource role on project 42 of workspace 101.
DO $$
BEGIN
	PERFORM rbac.grant('p01', 'admin', 'alpha');
	PERFORM rbac.grant_org_role('org-a', 'p01', 'member');
	PERFORM rbac.grant('p01', 'member', 'beta');
	PERFORM rbac.grant('p01', 'membership_planner', 'beta', 'project', 'p2');
	PERFORM rbac.grant('p01', 'res_editor', '101', 'project', '42');
END $$;

-- Everyone else: one to four random grants each.
CREATE FUNCTION pg_temp.pick(a text[]) RETURNS text LANGUAGE sql VOLATILE AS $$
	SELECT a[1 + floor(random() * cardinality(a))::int]
$$;

CREATE FUNCTION pg_temp.random_grant(p text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	dice float8 := random();
	ws text := pg_temp.pick(ARRAY(SELECT id FROM fx_workspaces WHERE known ORDER BY id COLLATE "C"));
	org text := pg_temp.pick(ARRAY['org-a', 'org-b', 'org-c']);
	res fx_resources := (SELECT x FROM fx_resources AS x ORDER BY x.type, x.id COLLATE "C"
	                     OFFSET floor(random() * 11)::int LIMIT 1);
	ws_org text := (SELECT f.org FROM fx_workspaces AS f WHERE f.id = ws);
	role text;
BEGIN
	IF dice < 0.30 THEN
		role := pg_temp.pick(ARRAY['viewer', 'member', 'lead', 'planner', 'workspace_operator', 'admin',
		                           'doc_all', 'ws_auditor', 'org_runner']);
		-- Custom roles of a node exist only there.
		IF role = 'ws_auditor' THEN
			ws := 'beta';
		ELSIF role = 'org_runner' AND ws_org IS DISTINCT FROM 'org-b' THEN
			ws := 'gamma';
		END IF;
		PERFORM rbac.grant(p, role, ws);
	ELSIF dice < 0.45 THEN
		role := pg_temp.pick(ARRAY['viewer', 'member', 'lead', 'billing_manager', 'doc_all', 'org_runner']);
		IF role = 'org_runner' THEN
			org := 'org-b';
		END IF;
		PERFORM rbac.grant_org_role(org, p, role);
	ELSIF dice < 0.50 THEN
		PERFORM rbac.grant_org_role(org, p, pg_temp.pick(ARRAY['org_member', 'org_admin']));
	ELSIF dice < 0.88 THEN
		PERFORM rbac.grant(p, pg_temp.pick(ARRAY['membership_viewer', 'membership_contributor',
		                                         'membership_planner', 'res_editor']),
		                   ws, res.type, res.id);
	ELSE
		PERFORM rbac.grant(p, 'billing_manager', ws);
	END IF;
END $$;

SELECT count(*) > 0 AS generated FROM (
	SELECT pg_temp.random_grant(p.name)
	FROM fx_principals AS p, generate_series(1, 4) AS i
	WHERE p.name <> 'p01' AND i <= 1 + substr(p.name, 2)::int % 4
	ORDER BY p.name, i
) AS g \gset

DO $$ BEGIN PERFORM rbac.retire_scope('widgets.view'); END $$;

-- ===================================================================
-- The reader, the probe tables and their recommended policies
-- ===================================================================

CREATE ROLE rbac_test_lister NOLOGIN;
GRANT rbac_authenticator TO rbac_test_lister;

-- For each scope: a workspace table and a table per resource type, with
-- one row per workspace (and resource, or none).
DO $$
DECLARE
	s fx_scopes;
	typ text;
	tbl text;
BEGIN
	FOR s IN SELECT * FROM fx_scopes ORDER BY k LOOP
		tbl := format('lp_ws_%s', s.k);
		EXECUTE format('CREATE TABLE %I (cell int, workspace_id text)', tbl);
		EXECUTE format('INSERT INTO %I SELECT cell, w FROM fx_cells WHERE t IS NULL', tbl);
		EXECUTE format('CREATE POLICY recommended ON %I FOR SELECT USING (
			workspace_id = ANY (rbac.accessible_workspaces(%L)) AND rbac.has_scope(%L, workspace_id))',
			tbl, s.name, s.name);
		EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', tbl);
		EXECUTE format('GRANT SELECT ON %I TO rbac_test_lister', tbl);
		FOREACH typ IN ARRAY ARRAY['project', 'team'] LOOP
			tbl := format('lp_%s_%s', typ, s.k);
			EXECUTE format('CREATE TABLE %I (cell int, workspace_id text, resource_id text)', tbl);
			EXECUTE format('INSERT INTO %I SELECT cell, w, r FROM fx_cells WHERE t = %L', tbl, typ);
			EXECUTE format('CREATE POLICY recommended ON %I FOR SELECT USING (
				workspace_id = ANY (rbac.accessible_workspaces(%L, %L))
				AND rbac.has_scope(%L, workspace_id, %L, resource_id))',
				tbl, s.name, typ, s.name, typ);
			EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', tbl);
			EXECUTE format('GRANT SELECT ON %I TO rbac_test_lister', tbl);
		END LOOP;
	END LOOP;
END $$;

-- The same rows under the simple policy, with an index on the workspace.
DO $$
DECLARE
	s fx_scopes;
	typ text;
	tbl text;
BEGIN
	FOR s IN SELECT * FROM fx_scopes ORDER BY k LOOP
		FOREACH typ IN ARRAY ARRAY['ws', 'project', 'team'] LOOP
			tbl := format('sp_%s_%s', typ, s.k);
			EXECUTE format('CREATE TABLE %I (cell int, workspace_id text, resource_id text)', tbl);
			EXECUTE format('INSERT INTO %I SELECT cell, w, r FROM fx_cells WHERE t IS NOT DISTINCT FROM %L',
				tbl, nullif(typ, 'ws'));
			EXECUTE format('CREATE INDEX ON %I (workspace_id)', tbl);
			EXECUTE format('ANALYZE %I', tbl);
			EXECUTE format('CREATE POLICY simple ON %I FOR SELECT USING (%s)', tbl,
				CASE typ WHEN 'ws' THEN format('rbac.has_scope(%L, workspace_id)', s.name)
				ELSE format('rbac.has_scope(%L, workspace_id, %L, resource_id)', s.name, typ) END);
			EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', tbl);
			EXECUTE format('GRANT SELECT ON %I TO rbac_test_lister', tbl);
		END LOOP;
	END LOOP;
END $$;

-- ===================================================================
-- Observations, made as the reader in each principal context
-- ===================================================================

-- Principal contexts, and what an independent reading of the model
-- expects of each: the bounds every scope must lie in (token scopes, a
-- narrowing, a key restriction), the key's workspace, whether a token is
-- authoritative, and whether the context allows nothing at all.
CREATE TEMP TABLE fx_contexts (
	seq serial, phase text, ctx text, principal text, api_key text, claims text, keep boolean DEFAULT false,
	bounds rbac.scopeset[] DEFAULT '{}', key_ws text, authoritative boolean DEFAULT false,
	dead boolean DEFAULT false, PRIMARY KEY (phase, ctx));
CREATE TEMP TABLE fx_keys (name text PRIMARY KEY, key text, id bigint, workspace text, restriction rbac.scopeset);
-- The grants each phase ran under, as plain rows.
CREATE TEMP TABLE fx_grant_rows AS
SELECT ''::text AS phase, g.principal, r.scopes, g.role_kind, g.organization_id, g.workspace_id,
	g.resource_type, g.resource_id
FROM rbac.grants AS g JOIN rbac.roles AS r ON r.id = g.role_id WITH NO DATA;

CREATE TEMP TABLE obs_check (phase text, ctx text, s text, cell int, w text, t text, r text, holds boolean);
CREATE TEMP TABLE obs_ws (phase text, ctx text, s text, t text, ids text[], everywhere boolean);
CREATE TEMP TABLE obs_res (phase text, ctx text, s text, w text, t text, ids text[], everywhere boolean);
CREATE TEMP TABLE obs_typed_ws (phase text, ctx text, s text, t text, xtype text, ids text[], text_ids text[]);
CREATE TEMP TABLE obs_typed_res (phase text, ctx text, s text, w text, wtype text, t text, xtype text,
	ids text[], everywhere boolean, text_ids text[], text_everywhere boolean);
CREATE TEMP TABLE obs_typed_check (phase text, ctx text, s text, w text, wtype text, t text, r text, rtype text,
	holds boolean, text_holds boolean, listed boolean);
CREATE TEMP TABLE obs_visible (phase text, ctx text, s text, cell int);
CREATE TEMP TABLE obs_simple (phase text, ctx text, s text, cell int, how text);

GRANT SELECT ON fx_scopes, fx_workspaces, fx_resources, fx_cells, fx_typed, fx_contexts, fx_keys
	TO rbac_test_lister;
GRANT INSERT ON obs_check, obs_ws, obs_res, obs_typed_ws, obs_typed_res, obs_typed_check, obs_visible,
	obs_simple TO rbac_test_lister;

-- Enter a context: a key, request claims, a principal (or none), or keep
-- the one already set.
CREATE FUNCTION pg_temp.enter(c fx_contexts) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	IF c.keep THEN
		RETURN;
	END IF;
	PERFORM set_config('request.jwt.claims', coalesce(c.claims, ''), true);
	IF c.api_key IS NOT NULL THEN
		PERFORM rbac.authenticate_api_key(c.api_key);
	ELSIF c.claims IS NOT NULL THEN
		PERFORM rbac.set_principal(NULL);
	ELSE
		PERFORM rbac.set_principal(c.principal);
	END IF;
END $$;

CREATE FUNCTION pg_temp.observe(c fx_contexts) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	sc fx_scopes;
	typ text;
BEGIN
	PERFORM pg_temp.enter(c);

	INSERT INTO obs_check
	SELECT c.phase, c.ctx, s.name, x.cell, x.w, x.t, x.r,
		CASE WHEN x.t IS NULL THEN rbac.has_scope(s.name, x.w) ELSE rbac.has_scope(s.name, x.w, x.t, x.r) END
	FROM fx_scopes AS s, fx_cells AS x;

	INSERT INTO obs_ws
	SELECT c.phase, c.ctx, s.name, t.t,
		CASE WHEN t.t IS NULL THEN rbac.accessible_workspaces(s.name) ELSE rbac.accessible_workspaces(s.name, t.t) END,
		rbac.has_scope_everywhere(s.name)
	FROM fx_scopes AS s, (VALUES (NULL), ('project'), ('team')) AS t(t);

	INSERT INTO obs_res
	SELECT c.phase, c.ctx, s.name, w.id, t.t, rbac.accessible_resources(s.name, w.id, t.t),
		rbac.has_scope_everywhere(s.name, w.id, t.t)
	FROM fx_scopes AS s, fx_workspaces AS w, (VALUES ('project'), ('team')) AS t(t);

	INSERT INTO obs_typed_ws
	SELECT c.phase, c.ctx, s.name, t.t, x.typ,
		CASE WHEN t.t IS NULL AND x.typ = 'uuid' THEN rbac.accessible_workspaces_uuid(s.name)::text[]
		     WHEN t.t IS NULL THEN rbac.accessible_workspaces_bigint(s.name)::text[]
		     WHEN x.typ = 'uuid' THEN rbac.accessible_workspaces_uuid(s.name, t.t)::text[]
		     ELSE rbac.accessible_workspaces_bigint(s.name, t.t)::text[] END,
		CASE WHEN t.t IS NULL THEN rbac.accessible_workspaces(s.name) ELSE rbac.accessible_workspaces(s.name, t.t) END
	FROM fx_scopes AS s, (VALUES (NULL), ('project'), ('team')) AS t(t), (VALUES ('uuid'), ('bigint')) AS x(typ);

	INSERT INTO obs_typed_res
	SELECT c.phase, c.ctx, s.name, w.id, wt.typ, t.t, x.typ,
		CASE wt.typ || '/' || x.typ
			WHEN 'text/text' THEN rbac.accessible_resources(s.name, w.id, t.t)
			WHEN 'text/uuid' THEN rbac.accessible_resources_uuid(s.name, w.id, t.t)::text[]
			WHEN 'text/bigint' THEN rbac.accessible_resources_bigint(s.name, w.id, t.t)::text[]
			WHEN 'uuid/text' THEN rbac.accessible_resources(s.name, w.id::uuid, t.t)
			WHEN 'uuid/uuid' THEN rbac.accessible_resources_uuid(s.name, w.id::uuid, t.t)::text[]
			WHEN 'uuid/bigint' THEN rbac.accessible_resources_bigint(s.name, w.id::uuid, t.t)::text[]
			WHEN 'bigint/text' THEN rbac.accessible_resources(s.name, w.id::bigint, t.t)
			WHEN 'bigint/uuid' THEN rbac.accessible_resources_uuid(s.name, w.id::bigint, t.t)::text[]
			WHEN 'bigint/bigint' THEN rbac.accessible_resources_bigint(s.name, w.id::bigint, t.t)::text[]
		END,
		CASE wt.typ
			WHEN 'text' THEN rbac.has_scope_everywhere(s.name, w.id, t.t)
			WHEN 'uuid' THEN rbac.has_scope_everywhere(s.name, w.id::uuid, t.t)
			WHEN 'bigint' THEN rbac.has_scope_everywhere(s.name, w.id::bigint, t.t)
		END,
		rbac.accessible_resources(s.name, pg_temp.as_text(w.id, wt.typ), t.t),
		rbac.has_scope_everywhere(s.name, pg_temp.as_text(w.id, wt.typ), t.t)
	FROM fx_scopes AS s, fx_workspaces AS w, (VALUES ('project'), ('team')) AS t(t),
		(VALUES ('text'), ('uuid'), ('bigint')) AS wt(typ), (VALUES ('text'), ('uuid'), ('bigint')) AS x(typ)
	WHERE pg_temp.castable(w.id, wt.typ);

	-- A typed check, the text check of the same ids, and the typed lists.
	INSERT INTO obs_typed_check
	SELECT c.phase, c.ctx, s.name, y.w, y.wtype, y.t, y.r, y.rtype,
		CASE y.wtype || '/' || CASE WHEN y.t IS NULL THEN '-' ELSE y.rtype END
			WHEN 'uuid/-' THEN rbac.has_scope(s.name, y.w::uuid)
			WHEN 'bigint/-' THEN rbac.has_scope(s.name, y.w::bigint)
			WHEN 'text/uuid' THEN rbac.has_scope(s.name, y.w, y.t, y.r::uuid)
			WHEN 'text/bigint' THEN rbac.has_scope(s.name, y.w, y.t, y.r::bigint)
			WHEN 'uuid/text' THEN rbac.has_scope(s.name, y.w::uuid, y.t, y.r)
			WHEN 'uuid/uuid' THEN rbac.has_scope(s.name, y.w::uuid, y.t, y.r::uuid)
			WHEN 'uuid/bigint' THEN rbac.has_scope(s.name, y.w::uuid, y.t, y.r::bigint)
			WHEN 'bigint/text' THEN rbac.has_scope(s.name, y.w::bigint, y.t, y.r)
			WHEN 'bigint/uuid' THEN rbac.has_scope(s.name, y.w::bigint, y.t, y.r::uuid)
			WHEN 'bigint/bigint' THEN rbac.has_scope(s.name, y.w::bigint, y.t, y.r::bigint)
		END,
		CASE WHEN y.t IS NULL THEN rbac.has_scope(s.name, pg_temp.as_text(y.w, y.wtype))
		     ELSE rbac.has_scope(s.name, pg_temp.as_text(y.w, y.wtype), y.t, pg_temp.as_text(y.r, y.rtype)) END,
		CASE y.wtype || '/' || CASE WHEN y.t IS NULL THEN '-' ELSE y.rtype END
			WHEN 'uuid/-' THEN y.w::uuid = ANY (rbac.accessible_workspaces_uuid(s.name))
			WHEN 'bigint/-' THEN y.w::bigint = ANY (rbac.accessible_workspaces_bigint(s.name))
			WHEN 'text/uuid' THEN rbac.has_scope_everywhere(s.name, y.w, y.t)
				OR y.r::uuid = ANY (rbac.accessible_resources_uuid(s.name, y.w, y.t))
			WHEN 'text/bigint' THEN rbac.has_scope_everywhere(s.name, y.w, y.t)
				OR y.r::bigint = ANY (rbac.accessible_resources_bigint(s.name, y.w, y.t))
			WHEN 'uuid/text' THEN rbac.has_scope_everywhere(s.name, y.w::uuid, y.t)
				OR y.r = ANY (rbac.accessible_resources(s.name, y.w::uuid, y.t))
			WHEN 'uuid/uuid' THEN rbac.has_scope_everywhere(s.name, y.w::uuid, y.t)
				OR y.r::uuid = ANY (rbac.accessible_resources_uuid(s.name, y.w::uuid, y.t))
			WHEN 'uuid/bigint' THEN rbac.has_scope_everywhere(s.name, y.w::uuid, y.t)
				OR y.r::bigint = ANY (rbac.accessible_resources_bigint(s.name, y.w::uuid, y.t))
			WHEN 'bigint/text' THEN rbac.has_scope_everywhere(s.name, y.w::bigint, y.t)
				OR y.r = ANY (rbac.accessible_resources(s.name, y.w::bigint, y.t))
			WHEN 'bigint/uuid' THEN rbac.has_scope_everywhere(s.name, y.w::bigint, y.t)
				OR y.r::uuid = ANY (rbac.accessible_resources_uuid(s.name, y.w::bigint, y.t))
			WHEN 'bigint/bigint' THEN rbac.has_scope_everywhere(s.name, y.w::bigint, y.t)
				OR y.r::bigint = ANY (rbac.accessible_resources_bigint(s.name, y.w::bigint, y.t))
		END
	FROM fx_scopes AS s, fx_typed AS y;

	-- The probe rows the recommended policies let through.
	FOR sc IN SELECT * FROM fx_scopes ORDER BY k LOOP
		FOREACH typ IN ARRAY ARRAY['ws', 'project', 'team'] LOOP
			EXECUTE format('INSERT INTO obs_visible SELECT $1, $2, $3, cell FROM %I', format('lp_%s_%s', typ, sc.k))
				USING c.phase, c.ctx, sc.name;
			PERFORM pg_temp.observe_simple(c, sc.name, format('sp_%s_%s', typ, sc.k));
		END LOOP;
	END LOOP;
END $$;

-- The probe rows the simple policy lets through: by the index its support
-- derives (sequential scans off), with the support off, and by a generic
-- plan prepared once and reused in every context.
CREATE FUNCTION pg_temp.observe_simple(c fx_contexts, s text, tbl text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	PERFORM set_config('enable_seqscan', 'off', true);
	EXECUTE format('INSERT INTO obs_simple SELECT $1, $2, $3, cell, ''index'' FROM %I', tbl) USING c.phase, c.ctx, s;
	PERFORM set_config('rbac.index_support', 'off', true);
	EXECUTE format('INSERT INTO obs_simple SELECT $1, $2, $3, cell, ''no support'' FROM %I', tbl) USING c.phase, c.ctx, s;
	PERFORM set_config('rbac.index_support', 'on', true);
	PERFORM set_config('plan_cache_mode', 'force_generic_plan', true);
	IF NOT EXISTS (SELECT FROM pg_prepared_statements WHERE name = 'generic_' || tbl) THEN
		EXECUTE format('PREPARE %I (text, text, text) AS INSERT INTO obs_simple SELECT $1, $2, $3, cell, ''generic'' FROM %I',
			'generic_' || tbl, tbl);
	END IF;
	EXECUTE format('EXECUTE %I (%L, %L, %L)', 'generic_' || tbl, c.phase, c.ctx, s);
	PERFORM set_config('plan_cache_mode', 'auto', true);
	PERFORM set_config('enable_seqscan', 'on', true);
END $$;

-- Record the grants a phase runs under, then observe its contexts as the
-- reader.
CREATE FUNCTION pg_temp.snapshot(ph text) RETURNS void LANGUAGE sql AS $$
	INSERT INTO fx_grant_rows
	SELECT ph, g.principal, r.scopes, g.role_kind, g.organization_id, g.workspace_id, g.resource_type, g.resource_id
	FROM rbac.grants AS g JOIN rbac.roles AS r ON r.id = g.role_id
$$;

-- Phase "plain": every principal, one with no grants, and none.
INSERT INTO fx_contexts (phase, ctx, principal)
SELECT 'plain', name, name FROM fx_principals
UNION ALL SELECT 'plain', 'nobody', 'nobody'
UNION ALL SELECT 'plain', '(none)', NULL;
SELECT pg_temp.snapshot('plain');
SET LOCAL ROLE rbac_test_lister;
SELECT count(pg_temp.observe(c) ORDER BY c.seq) FROM fx_contexts AS c WHERE phase = 'plain' \gset
RESET ROLE;
SELECT FROM rbac.set_principal(NULL);

-- Phase "changed": revoke about a third of the grants that are not an
-- Owner's, add new ones, and ask again in the same transaction.
DO $$
DECLARE
	g record;
BEGIN
	FOR g IN
		SELECT x.principal, r.key, x.organization_id, x.workspace_id, x.resource_type, x.resource_id
		FROM rbac.grants AS x JOIN rbac.roles AS r ON r.id = x.role_id
		WHERE r.key <> 'owner' AND x.principal <> 'p01'
		ORDER BY x.principal, r.key, x.organization_id, x.workspace_id COLLATE "C",
			x.resource_type, x.resource_id COLLATE "C"
	LOOP
		IF random() < 0.35 THEN
			IF g.organization_id IS NOT NULL THEN
				PERFORM rbac.revoke_org_role(g.organization_id, g.principal, g.key);
			ELSE
				PERFORM rbac.revoke(g.principal, g.key, g.workspace_id, g.resource_type, g.resource_id);
			END IF;
		END IF;
	END LOOP;
END $$;
SELECT count(*) > 0 AS regranted FROM (
	SELECT pg_temp.random_grant(p.name) FROM fx_principals AS p
	WHERE p.name <> 'p01' AND substr(p.name, 2)::int % 3 = 0 ORDER BY p.name
) AS g \gset

INSERT INTO fx_contexts (phase, ctx, principal)
SELECT 'changed', name, name FROM fx_principals
UNION ALL SELECT 'changed', 'nobody', 'nobody'
UNION ALL SELECT 'changed', '(none)', NULL;
SELECT pg_temp.snapshot('changed');
SET LOCAL ROLE rbac_test_lister;
SELECT count(pg_temp.observe(c) ORDER BY c.seq) FROM fx_contexts AS c WHERE phase = 'changed' \gset
RESET ROLE;
SELECT FROM rbac.set_principal(NULL);

-- Phase "api_key": p01 creates two keys, one in beta with its full reach
-- there, one in workspace 101 restricted; then the first is revoked while
-- in use.
SELECT FROM rbac.set_principal('p01');
INSERT INTO fx_keys (name, key, workspace, restriction) VALUES
	('key beta', rbac.create_api_key('beta', NULL, 'beta key'), 'beta', NULL),
	('key 101', rbac.create_api_key('101', '{documents.read,runs.start}', '101 key'), '101',
		'{documents.read,runs.start}');
SELECT FROM rbac.set_principal(NULL);
UPDATE fx_keys AS f SET id = k.id FROM rbac.api_keys AS k WHERE k.workspace_id = f.workspace AND k.creator = 'p01';

INSERT INTO fx_contexts (phase, ctx, principal, api_key, key_ws, bounds)
SELECT 'api_key', name, 'p01', key, workspace, CASE WHEN restriction IS NULL THEN '{}' ELSE ARRAY[restriction] END
FROM fx_keys;
INSERT INTO fx_contexts (phase, ctx, principal, keep, key_ws, dead)
VALUES ('api_key', 'key beta, revoked in use', 'p01', true, 'beta', true);
SELECT pg_temp.snapshot('api_key');
SET LOCAL ROLE rbac_test_lister;
SELECT count(pg_temp.observe(c) ORDER BY c.seq) FROM fx_contexts AS c WHERE phase = 'api_key' AND NOT keep \gset
RESET ROLE;
SELECT FROM rbac.set_principal(NULL);
SELECT rbac.authenticate_api_key(key) AS p FROM fx_keys WHERE name = 'key beta' \gset
SELECT rbac.revoke_api_key(id) AS revoked FROM fx_keys WHERE name = 'key beta' \gset
SET LOCAL ROLE rbac_test_lister;
SELECT count(pg_temp.observe(c) ORDER BY c.seq) FROM fx_contexts AS c WHERE phase = 'api_key' AND keep \gset
RESET ROLE;
SELECT FROM rbac.set_principal(NULL);

-- Phase "token": principals from request.jwt.claims, with scopes that
-- narrow the grants, and authoritative scopes that replace them.
INSERT INTO fx_contexts (phase, ctx, principal, claims, bounds, authoritative, dead) VALUES
	('token', 'narrow p01 array', 'p01',
		'{"sub":"p01","scopes":["documents.read","runs.start","tenant.delete","entitlements.override"]}',
		ARRAY['{documents.read,runs.start,tenant.delete,entitlements.override}'::rbac.scopeset], false, false),
	('token', 'narrow p05 string', 'p05', '{"sub":"p05","scope":"documents.* audit.read members.manage"}',
		ARRAY['{documents.*,audit.read,members.manage}'::rbac.scopeset], false, false),
	('token', 'narrow p09 no scopes', 'p09', '{"sub":"p09"}', '{}', false, false),
	('token', 'narrow p12 array', 'p12', '{"sub":"p12","scopes":["documents.edit","audit.read"]}',
		ARRAY['{documents.edit,audit.read}'::rbac.scopeset], false, false),
	('token', 'authoritative p02', 'p02',
		'{"sub":"p02","scopes":["documents.read","documents.edit","entitlements.override"]}',
		ARRAY['{documents.read,documents.edit,entitlements.override}'::rbac.scopeset], true, false),
	('token', 'authoritative nobody', 'nobody', '{"sub":"nobody","scope":"runs.* widgets.view"}',
		ARRAY['{runs.*,widgets.view}'::rbac.scopeset], true, false),
	('token', 'authoritative p03 no scopes', 'p03', '{"sub":"p03"}', '{}', true, true);
SELECT pg_temp.snapshot('token');
SET LOCAL rbac.trust_request_jwt = on;
SET LOCAL rbac.jwt_scopes = narrow;
SET LOCAL ROLE rbac_test_lister;
SELECT count(pg_temp.observe(c) ORDER BY c.seq) FROM fx_contexts AS c WHERE phase = 'token' AND NOT authoritative \gset
RESET ROLE;
SELECT FROM rbac.set_principal(NULL);
SET LOCAL rbac.jwt_scopes = authoritative;
SET LOCAL ROLE rbac_test_lister;
SELECT count(pg_temp.observe(c) ORDER BY c.seq) FROM fx_contexts AS c WHERE phase = 'token' AND authoritative \gset
RESET ROLE;
SELECT FROM rbac.set_principal(NULL);
SET LOCAL rbac.jwt_scopes = narrow;
SET LOCAL rbac.trust_request_jwt = off;
SELECT set_config('request.jwt.claims', '', true) AS cleared \gset

-- Phase "narrowed": rbac.narrow() for the rest of the transaction, for
-- every principal and the restricted key.
SELECT rbac.narrow('{documents.*,runs.start,audit.read,entitlements.override}') AS narrowing \gset
INSERT INTO fx_contexts (phase, ctx, principal, bounds)
SELECT 'narrowed', name, name, ARRAY[:'narrowing'::rbac.scopeset] FROM fx_principals
UNION ALL SELECT 'narrowed', '(none)', NULL, ARRAY[:'narrowing'::rbac.scopeset];
INSERT INTO fx_contexts (phase, ctx, principal, api_key, key_ws, bounds)
SELECT 'narrowed', name, 'p01', key, workspace, ARRAY[:'narrowing'::rbac.scopeset, restriction]
FROM fx_keys WHERE name = 'key 101';
SELECT pg_temp.snapshot('narrowed');
SET LOCAL ROLE rbac_test_lister;
SELECT count(pg_temp.observe(c) ORDER BY c.seq) FROM fx_contexts AS c WHERE phase = 'narrowed' \gset
RESET ROLE;
SELECT FROM rbac.set_principal(NULL);

CREATE INDEX ON fx_grant_rows (phase, principal);
CREATE INDEX ON obs_check (phase, ctx, s, w, t, r);
CREATE INDEX ON obs_check (phase, ctx, s, cell);
CREATE UNIQUE INDEX ON obs_visible (phase, ctx, s, cell);
ANALYZE fx_grant_rows, fx_contexts, obs_check, obs_ws, obs_res, obs_typed_ws, obs_typed_res, obs_typed_check,
	obs_visible;

-- ===================================================================
-- The fixture is what it claims to be
-- ===================================================================

SELECT ok(NOT r.rolsuper AND NOT r.rolbypassrls
          AND NOT EXISTS (SELECT 1 FROM pg_class AS c WHERE c.relowner = r.oid AND c.relname LIKE 'lp\_%')
          AND pg_has_role(r.oid, 'rbac_authenticator', 'MEMBER'),
	'the reader is not a superuser, has no BYPASSRLS, owns no probe table and may set the principal')
FROM pg_roles AS r WHERE r.rolname = 'rbac_test_lister';

SELECT cmp_ok(v.n, '>=', v.least, v.description)
FROM (VALUES
	((SELECT count(DISTINCT principal) FROM fx_grant_rows WHERE phase = 'plain' AND principal LIKE 'p__'), 50::bigint,
		'at least 50 principals hold grants'),
	((SELECT count(*) FROM fx_grant_rows WHERE phase = 'plain' AND workspace_id IS NOT NULL
	  AND resource_type IS NULL AND NOT scopes @> '{tenant.delete}'), 20,
		'workspace roles on workspaces'),
	((SELECT count(*) FROM fx_grant_rows WHERE phase = 'plain' AND organization_id IS NOT NULL
	  AND role_kind = 'workspace'), 8, 'workspace roles granted on organizations'),
	((SELECT count(*) FROM fx_grant_rows WHERE phase = 'plain' AND role_kind = 'organization'), 2,
		'organization roles'),
	((SELECT count(*) FROM fx_grant_rows WHERE phase = 'plain' AND resource_type = 'project'), 15,
		'resource roles on single projects'),
	((SELECT count(*) FROM fx_grant_rows WHERE phase = 'plain' AND resource_type = 'team'), 8,
		'resource roles on single teams'),
	((SELECT count(*) FROM fx_grant_rows AS g JOIN rbac.roles AS r ON r.scopes = g.scopes
	  WHERE g.phase = 'plain' AND r.key = 'billing_manager'), 4, 'billing_manager grants'),
	((SELECT count(*) FROM fx_grant_rows WHERE phase = 'plain' AND scopes = '{documents.*,members.*}'), 3,
		'grants of the operator''s database-wide wildcard role'),
	((SELECT count(*) FROM fx_grant_rows AS g JOIN rbac.roles AS r ON r.scopes = g.scopes
	  WHERE g.phase = 'plain' AND r.key = 'res_editor'), 3, 'grants of a custom resource role'),
	((SELECT count(*) FROM fx_grant_rows AS g JOIN rbac.roles AS r ON r.scopes = g.scopes
	  WHERE g.phase = 'plain' AND r.key = 'ws_auditor'), 1, 'grants of a custom role of one workspace'),
	((SELECT count(*) FROM fx_grant_rows AS g JOIN rbac.roles AS r ON r.scopes = g.scopes
	  WHERE g.phase = 'plain' AND r.key = 'org_runner'), 2, 'grants of a custom role of an organization'),
	((SELECT count(*) FROM fx_workspaces WHERE known AND org IS NOT NULL), 9, 'workspaces in organizations'),
	((SELECT count(*) FROM fx_workspaces WHERE known AND org IS NULL), 5, 'workspaces in none'),
	((SELECT count(*) FROM (SELECT principal, scopes, workspace_id, resource_id FROM fx_grant_rows WHERE phase = 'plain'
	  EXCEPT SELECT principal, scopes, workspace_id, resource_id FROM fx_grant_rows WHERE phase = 'changed') AS x), 15,
		'the changed phase revoked grants'),
	((SELECT count(*) FROM (SELECT principal, scopes, workspace_id, resource_id FROM fx_grant_rows WHERE phase = 'changed'
	  EXCEPT SELECT principal, scopes, workspace_id, resource_id FROM fx_grant_rows WHERE phase = 'plain') AS x), 5,
		'the changed phase added grants')
) AS v(n, least, description);

SELECT is((SELECT count(*) FROM pg_policies
           WHERE tablename LIKE 'lp\_%' AND qual LIKE '%workspace_id = ANY (%accessible_workspaces(%'
             AND qual LIKE '%has_scope(%'), 24::bigint,
	'every probe table has the recommended policy: the list filter and has_scope');

SELECT is((SELECT count(*) FROM fx_contexts AS c
           WHERE NOT EXISTS (SELECT 1 FROM obs_check AS o WHERE o.phase = c.phase AND o.ctx = c.ctx)), 0::bigint,
	'every context was observed');

-- ===================================================================
-- Agreement: one count of disagreements per relation and phase
-- ===================================================================

-- is(count, 0), and on failure the first few disagreeing rows.
CREATE FUNCTION pg_temp.agree(query text, description text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
	n bigint;
	sample text;
BEGIN
	EXECUTE format('SELECT count(*) FROM (%s) AS d', query) INTO n;
	RETURN NEXT is(n, 0::bigint, description);
	IF n > 0 THEN
		EXECUTE format('SELECT string_agg(d::text, E''\n'') FROM (SELECT * FROM (%s) AS q LIMIT 5) AS d', query)
			INTO sample;
		RETURN NEXT diag(format(E'%s disagreements, the first few:\n%s', n, sample));
	END IF;
END $$;

CREATE TEMP TABLE simple_rel AS
SELECT c.phase, c.ctx, c.s, c.w, c.t, c.r, h.how, c.holds, v.cell IS NOT NULL AS visible
FROM obs_check AS c CROSS JOIN (VALUES ('index'), ('no support'), ('generic')) AS h(how)
LEFT JOIN obs_simple AS v ON (v.phase, v.ctx, v.s, v.cell, v.how) = (c.phase, c.ctx, c.s, c.cell, h.how);

CREATE TEMP TABLE phases (k int, phase text);
INSERT INTO phases VALUES (1, 'plain'), (2, 'changed'), (3, 'api_key'), (4, 'token'), (5, 'narrowed');

-- Workspace checks and workspace lists, joined.
CREATE TEMP TABLE ws_rel AS
SELECT c.phase, c.ctx, c.s, c.w, c.holds, l.everywhere, c.w = ANY (l.ids) AS listed
FROM obs_check AS c JOIN obs_ws AS l ON (l.phase, l.ctx, l.s) = (c.phase, c.ctx, c.s) AND l.t IS NULL
WHERE c.t IS NULL;

-- Resource checks (and checks with a type and no resource), joined with
-- the resource lists.
CREATE TEMP TABLE res_rel AS
SELECT c.phase, c.ctx, c.s, c.w, c.t, c.r, c.holds, l.everywhere, coalesce(c.r = ANY (l.ids), false) AS listed
FROM obs_check AS c JOIN obs_res AS l ON (l.phase, l.ctx, l.s, l.w, l.t) = (c.phase, c.ctx, c.s, c.w, c.t);

-- What a plain reading of the grants expects: the cells each grant
-- reaches, by the scopes of its role; then what the context allows.
CREATE TEMP TABLE grant_reach AS
WITH g AS (SELECT g.*, s.name AS s FROM fx_grant_rows AS g JOIN fx_scopes AS s ON g.scopes ? s.name)
-- a workspace grant: the workspace and everything in it
SELECT g.phase, g.principal, g.s, c.cell FROM g JOIN fx_cells AS c ON c.w = g.workspace_id
WHERE g.resource_type IS NULL
UNION
-- a workspace role on an organization: each of its workspaces
SELECT g.phase, g.principal, g.s, c.cell FROM g
JOIN fx_workspaces AS w ON w.known AND w.org = g.organization_id
JOIN fx_cells AS c ON c.w = w.id
WHERE g.role_kind = 'workspace'
UNION
-- a resource grant: that resource only
SELECT g.phase, g.principal, g.s, c.cell FROM g
JOIN fx_cells AS c ON (c.w, c.t, c.r) = (g.workspace_id, g.resource_type, g.resource_id);
CREATE INDEX ON grant_reach (phase, principal, s, cell);
ANALYZE grant_reach;

CREATE TEMP TABLE oracle AS
SELECT o.phase, o.ctx, o.s, o.w, o.t, o.r, o.holds,
	x.principal IS NOT NULL AND NOT x.dead AND NOT sc.retired
	AND NOT EXISTS (SELECT 1 FROM unnest(x.bounds) AS b WHERE NOT b ? o.s)
	AND (CASE WHEN x.authoritative
	          THEN EXISTS (SELECT 1 FROM fx_workspaces AS fw WHERE fw.id = o.w AND fw.known)
	          ELSE (x.key_ws IS NULL OR x.key_ws = o.w) AND g.cell IS NOT NULL END)
	AS expected
FROM obs_check AS o
JOIN fx_contexts AS x ON (x.phase, x.ctx) = (o.phase, o.ctx)
JOIN rbac.scopes AS sc ON sc.name = o.s
LEFT JOIN grant_reach AS g ON (g.phase, g.principal, g.s, g.cell) = (o.phase, x.principal, o.s, o.cell);
ANALYZE ws_rel, res_rel, oracle;

CREATE TEMP TABLE relations (k int, description text, query text);
INSERT INTO relations VALUES
	(1, 'has_scope(s, w) iff w = ANY (accessible_workspaces(s))',
	 $$ SELECT * FROM ws_rel WHERE holds IS DISTINCT FROM listed $$),
	(2, 'accessible_workspaces(s) lists only workspaces where has_scope(s, w)',
	 $$ SELECT l.phase, l.ctx, l.s, x.id, c.holds FROM obs_ws AS l CROSS JOIN unnest(l.ids) AS x(id)
	    LEFT JOIN obs_check AS c ON (c.phase, c.ctx, c.s, c.w) = (l.phase, l.ctx, l.s, x.id) AND c.t IS NULL
	    WHERE l.t IS NULL AND c.holds IS NOT TRUE $$),
	(3, 'has_scope(s, w, t, r) iff has_scope_everywhere(s, w, t) or r = ANY (accessible_resources(s, w, t))',
	 $$ SELECT * FROM res_rel WHERE holds IS DISTINCT FROM (everywhere OR listed) $$),
	(4, 'accessible_resources(s, w, t) lists only resources of type t where has_scope(s, w, t, r)',
	 $$ SELECT l.phase, l.ctx, l.s, l.w, l.t, x.id, c.holds FROM obs_res AS l CROSS JOIN unnest(l.ids) AS x(id)
	    LEFT JOIN obs_check AS c ON (c.phase, c.ctx, c.s, c.w, c.t, c.r) = (l.phase, l.ctx, l.s, l.w, l.t, x.id)
	    WHERE c.holds IS NOT TRUE $$),
	(5, 'accessible_workspaces(s, t) is exactly the workspaces where the workspace or a resource of type t gives s',
	 $$ SELECT l.phase, l.ctx, l.s, l.t, l.ids AS listed, e.expected
	    FROM obs_ws AS l,
	    LATERAL (SELECT coalesce(array_agg(DISTINCT c.w ORDER BY c.w) FILTER (WHERE c.holds), '{}') AS expected
	             FROM obs_check AS c
	             WHERE (c.phase, c.ctx, c.s) = (l.phase, l.ctx, l.s) AND (c.t IS NULL OR c.t = l.t)) AS e
	    WHERE l.t IS NOT NULL AND NOT pg_temp.same(l.ids, e.expected) $$),
	(6, 'a probe row of a workspace table is visible under the recommended policy iff has_scope(s, w)',
	 $$ SELECT c.phase, c.ctx, c.s, c.w, c.holds, v.cell IS NOT NULL AS visible
	    FROM obs_check AS c LEFT JOIN obs_visible AS v ON (v.phase, v.ctx, v.s, v.cell) = (c.phase, c.ctx, c.s, c.cell)
	    WHERE c.t IS NULL AND c.holds IS DISTINCT FROM (v.cell IS NOT NULL) $$),
	(7, 'a probe row of a resource table is visible under the recommended policy iff has_scope(s, w, t, r)',
	 $$ SELECT c.phase, c.ctx, c.s, c.w, c.t, c.r, c.holds, v.cell IS NOT NULL AS visible
	    FROM obs_check AS c LEFT JOIN obs_visible AS v ON (v.phase, v.ctx, v.s, v.cell) = (c.phase, c.ctx, c.s, c.cell)
	    WHERE c.t IS NOT NULL AND c.holds IS DISTINCT FROM (v.cell IS NOT NULL) $$),
	(8, 'accessible_workspaces_uuid and _bigint list exactly the uuid and decimal ids of the text form',
	 $$ SELECT phase, ctx, s, t, xtype, ids, text_ids FROM obs_typed_ws
	    WHERE NOT pg_temp.same(ids, ARRAY(SELECT x FROM unnest(text_ids) AS x WHERE pg_temp.canonical(x, xtype))) $$),
	(9, 'accessible_resources in every result and workspace type agrees with the text form, and so does has_scope_everywhere',
	 $$ SELECT phase, ctx, s, w, wtype, t, xtype, ids, text_ids, everywhere, text_everywhere FROM obs_typed_res
	    WHERE NOT pg_temp.same(ids, ARRAY(SELECT x FROM unnest(text_ids) AS x WHERE pg_temp.canonical(x, xtype)))
	       OR everywhere IS DISTINCT FROM text_everywhere $$),
	(10, 'has_scope on uuid and bigint ids answers as on their text',
	 $$ SELECT * FROM obs_typed_check WHERE holds IS DISTINCT FROM text_holds $$),
	(11, 'has_scope on uuid and bigint ids iff the id is in the list of its own type (a resource check: or the workspace-wide answer)',
	 $$ SELECT * FROM obs_typed_check WHERE holds IS DISTINCT FROM listed $$),
	(12, 'has_scope answers what a plain reading of rbac.grants expects',
	 $$ SELECT * FROM oracle WHERE holds IS DISTINCT FROM expected $$),
	(13, 'a probe row is visible under the simple policy, found through the index its support derives, iff has_scope',
	 $$ SELECT * FROM simple_rel WHERE how = 'index' AND holds IS DISTINCT FROM visible $$),
	(14, 'the same with rbac.index_support off',
	 $$ SELECT * FROM simple_rel WHERE how = 'no support' AND holds IS DISTINCT FROM visible $$),
	(15, 'the same through one generic plan, prepared once and reused in every context',
	 $$ SELECT * FROM simple_rel WHERE how = 'generic' AND holds IS DISTINCT FROM visible $$);

SELECT pg_temp.agree(format('SELECT * FROM (%s) AS q WHERE phase = %L', r.query, p.phase),
	format('%s: %s', p.phase, r.description))
FROM relations AS r, phases AS p
ORDER BY r.k, p.k;

-- ===================================================================
-- Guards: both answers occur, many times, in every relation
-- ===================================================================

SELECT cmp_ok(v.n, '>=', v.least::bigint, v.description)
FROM (VALUES
	-- checks
	((SELECT count(*) FROM obs_check WHERE holds), 5000, 'has_scope is true many times'),
	((SELECT count(*) FROM obs_check WHERE NOT holds), 100000, 'has_scope is false many times'),
	-- workspace lists
	((SELECT count(*) FROM ws_rel WHERE listed AND NOT everywhere), 300, 'workspaces listed'),
	((SELECT count(*) FROM ws_rel WHERE NOT listed AND NOT holds), 10000, 'workspaces not listed, and no'),
	((SELECT count(*) FROM ws_rel WHERE everywhere AND holds), 30, 'has_scope_everywhere(s): authoritative tokens'),
	((SELECT count(*) FROM ws_rel WHERE everywhere AND w = 'ghost'), 4,
		'authoritative tokens in a workspace rbac does not know'),
	-- resource lists
	((SELECT count(*) FROM res_rel WHERE listed AND NOT everywhere), 100, 'resources listed through resource grants'),
	((SELECT count(*) FROM res_rel WHERE everywhere AND r IS NOT NULL), 4000,
		'resources reached through has_scope_everywhere(s, w, t)'),
	((SELECT count(*) FROM res_rel WHERE NOT holds AND r IS NOT NULL), 100000, 'resources not reached'),
	((SELECT count(*) FROM obs_ws AS a JOIN obs_ws AS b ON (b.phase, b.ctx, b.s) = (a.phase, a.ctx, a.s) AND b.t IS NULL
	  CROSS JOIN unnest(a.ids) AS x(id) WHERE a.t IS NOT NULL AND NOT x.id = ANY (b.ids)), 100,
		'workspaces listed for a type only through a resource of that type'),
	-- probes
	((SELECT count(*) FROM obs_visible JOIN fx_cells USING (cell) WHERE t IS NULL), 400,
		'probe rows visible in workspace tables'),
	((SELECT count(*) FROM obs_visible JOIN fx_cells USING (cell) WHERE r IS NOT NULL), 4000,
		'probe rows of resources visible in resource tables'),
	((SELECT count(*) FROM obs_check AS c WHERE c.t IS NOT NULL AND NOT EXISTS (
	    SELECT 1 FROM obs_visible AS v WHERE (v.phase, v.ctx, v.s, v.cell) = (c.phase, c.ctx, c.s, c.cell))), 100000,
		'probe rows hidden in resource tables'),
	-- typed lists and checks
	((SELECT count(*) FROM obs_typed_ws WHERE xtype = 'uuid' AND cardinality(ids) > 0), 300,
		'non-empty accessible_workspaces_uuid'),
	((SELECT count(*) FROM obs_typed_ws WHERE xtype = 'bigint' AND cardinality(ids) > 0), 200,
		'non-empty accessible_workspaces_bigint'),
	((SELECT count(*) FROM obs_typed_ws AS o CROSS JOIN unnest(o.text_ids) AS x(id)
	  WHERE NOT pg_temp.canonical(x.id, o.xtype) AND pg_temp.castable(x.id, o.xtype)), 150,
		'listed workspace ids that a typed list must leave out though they cast'),
	((SELECT count(*) FROM obs_typed_res WHERE xtype = 'uuid' AND cardinality(ids) > 0), 25,
		'non-empty accessible_resources_uuid'),
	((SELECT count(*) FROM obs_typed_res WHERE xtype = 'bigint' AND cardinality(ids) > 0), 80,
		'non-empty accessible_resources_bigint'),
	((SELECT count(*) FROM obs_typed_res WHERE wtype <> 'text' AND cardinality(ids) > 0), 100,
		'non-empty accessible_resources with a uuid or bigint workspace'),
	((SELECT count(*) FROM obs_typed_check WHERE holds), 7000, 'typed has_scope true'),
	((SELECT count(*) FROM obs_typed_check WHERE NOT holds), 100000, 'typed has_scope false'),
	((SELECT count(*) FROM obs_typed_check WHERE holds AND t IS NOT NULL), 7000, 'typed has_scope on resources true'),
	-- contexts
	((SELECT count(*) FROM obs_check WHERE phase = 'api_key' AND ctx NOT LIKE '%revoked%' AND holds), 30,
		'API keys reach something'),
	((SELECT count(*) FROM obs_check AS k JOIN obs_check AS p
	    ON (p.phase, p.ctx, p.s, p.cell) = ('plain', 'p01', k.s, k.cell)
	  WHERE k.phase = 'api_key' AND k.ctx NOT LIKE '%revoked%' AND p.holds AND NOT k.holds), 100,
		'API keys do not reach what their creator reaches outside them'),
	((SELECT count(*) FROM obs_check WHERE phase = 'token' AND holds), 500, 'tokens reach something'),
	((SELECT count(*) FROM obs_check AS n JOIN obs_check AS p
	    ON (p.phase, p.ctx, p.s, p.cell) = ('changed', n.ctx, n.s, n.cell)
	  WHERE n.phase = 'narrowed' AND p.holds AND NOT n.holds), 300,
		'the narrowing takes away what the grants give'),
	((SELECT count(*) FROM obs_check WHERE phase = 'narrowed' AND holds), 1200, 'and leaves the rest'),
	((SELECT count(*) FROM obs_check AS c JOIN obs_check AS p
	    ON (p.phase, p.ctx, p.s, p.cell) = ('plain', c.ctx, c.s, c.cell)
	  WHERE c.phase = 'changed' AND p.holds <> c.holds), 800,
		'the changed grants change answers')
) AS v(n, least, description);

-- Every scope of the fixture that some role holds is held somewhere; the
-- one no role holds, and the retired one, nowhere but under an
-- authoritative token.
SELECT is(count(*) FILTER (WHERE o.holds) > 0, f.name NOT IN ('entitlements.override', 'widgets.view'),
	format('%s is %s by the grants', f.name,
	       CASE WHEN f.name IN ('entitlements.override', 'widgets.view') THEN 'held nowhere' ELSE 'held somewhere' END))
FROM fx_scopes AS f JOIN obs_check AS o ON o.s = f.name AND o.phase IN ('plain', 'changed')
GROUP BY f.k, f.name ORDER BY f.k;
SELECT ok(bool_or(holds), 'entitlements.override is held under an authoritative token that names it')
FROM obs_check WHERE ctx = 'authoritative p02' AND s = 'entitlements.override';

-- And the index was what found them: the plans show the derived condition.
CREATE FUNCTION pg_temp.plan_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	line text;
	result text := '';
BEGIN
	FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
		result := result || line || E'\n';
	END LOOP;
	RETURN result;
END $$;
SET LOCAL ROLE rbac_test_lister;
SELECT FROM rbac.set_principal('p01');
SET LOCAL enable_seqscan = off;
SELECT matches(pg_temp.plan_of('SELECT cell FROM sp_ws_1'),
	'Index Cond: \(workspace_id = ANY \((rbac\.)?accessible_workspaces\(''documents\.read''::text\)\)\)',
	'the simple policy on a workspace table is planned with the index condition its support derives');
SELECT matches(pg_temp.plan_of('SELECT cell FROM sp_project_1'),
	'Index Cond: \(workspace_id = ANY \((rbac\.)?accessible_workspaces\(''documents\.read''::text, ''project''::text\)\)\)',
	'and on a resource table, with the workspaces reached through resources of its type');
RESET enable_seqscan;
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
