-- Exactly who may do what with rbac's objects, whatever the installing
-- role's default privileges said (test/hostile/run installs under defaults
-- that grant everything to rbac_hostile_intruder and nothing to PUBLIC).
-- The expected grants are spelled out here from src/sql/privileges.sql;
-- every table, sequence and function is checked for PUBLIC, the intruder
-- and the three rbac roles, and a SECURITY DEFINER function that no list
-- names fails, so a new function cannot ship without a grant decision.
BEGIN;

DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rbac_hostile_intruder') THEN
		CREATE ROLE rbac_hostile_intruder NOLOGIN;
	END IF;
END $$;

-- ===================================================================
-- What privileges.sql grants
-- ===================================================================

CREATE TEMP TABLE granted_functions (name text PRIMARY KEY, grantee text NOT NULL);
INSERT INTO granted_functions SELECT n, 'public' FROM unnest(ARRAY[
	-- scopeset
	'scopeset_in', 'scopeset_out', 'scopeset_recv', 'scopeset_send', 'cardinality', 'scopes',
	'scopeset_union', 'scopeset_intersect', 'scopeset_minus', 'scopeset_add', 'scopeset_remove',
	'scopeset_contains', 'scopeset_contained', 'scopeset_overlaps', 'scopeset_has',
	'scopeset_has_any', 'scopeset_has_all', 'scopeset_cmp', 'scopeset_eq', 'scopeset_ne',
	'scopeset_lt', 'scopeset_le', 'scopeset_gt', 'scopeset_ge', 'hash_scopeset',
	'hash_scopeset_extended', 'gin_scopeset_compare_keys', 'gin_extract_scopeset',
	'gin_extract_scopeset_query', 'gin_compare_partial_scopeset', 'gin_consistent_scopeset',
	'gin_triconsistent_scopeset', 'scopeset', 'scopeset_to_array', 'union_agg', 'intersect_agg',
	'is_scope_name',
	-- checks
	'current_principal', 'has_scope', 'has_org_scope', 'principal_has_scope',
	'effective_scopes', 'cache_stats', 'level_scopes', 'in_extension_script', 'current_context',
	-- identity
	'authenticate_jwt', 'authenticate_api_key', 'narrow', 'current_narrowing', 'context_bounds',
	-- listing
	'accessible_workspaces', 'accessible_workspaces_uuid', 'accessible_workspaces_bigint',
	'accessible_resources', 'accessible_resources_uuid', 'accessible_resources_bigint',
	'accessible_organizations', 'accessible_organizations_uuid', 'accessible_organizations_bigint',
	'has_scope_everywhere']) AS n;
INSERT INTO granted_functions SELECT n, 'rbac_user' FROM unnest(ARRAY[
	'create_organization', 'delete_organization', 'create_workspace', 'delete_workspace',
	'grant', 'revoke', 'add_member', 'set_role', 'grant_role', 'revoke_role',
	'grant_resource_role', 'revoke_resource_role', 'remove_member', 'leave_workspace',
	'grant_org_role', 'revoke_org_role', 'transfer_ownership',
	'create_role', 'alter_role', 'drop_role', 'clone_role',
	'members_of', 'who_has', 'explain', 'role_diff', 'role_graph',
	'audit_events', 'audit_export', 'actor',
	'create_api_key', 'revoke_api_key', 'api_keys_of',
	'register_resource_type', 'create_scope', 'retire_scope']) AS n;
INSERT INTO granted_functions VALUES ('set_principal', 'rbac_authenticator');

CREATE TEMP TABLE granted_tables (name text PRIMARY KEY, grantee text NOT NULL);
INSERT INTO granted_tables VALUES
	('levels', 'public'), ('scopes', 'public'), ('roles', 'public'), ('resource_types', 'public'),
	('role_catalog', 'rbac_admin');

-- The roles checked, and whose grants each one holds: its own, PUBLIC's,
-- and rbac_user's for rbac_admin and rbac_authenticator.
CREATE TEMP TABLE checked_roles (role name PRIMARY KEY, holds text[] NOT NULL);
INSERT INTO checked_roles VALUES
	('public', '{public}'),
	('rbac_hostile_intruder', '{public}'),
	('rbac_user', '{public,rbac_user}'),
	('rbac_admin', '{public,rbac_user,rbac_admin}'),
	('rbac_authenticator', '{public,rbac_user,rbac_authenticator}');

CREATE TEMP VIEW rbac_relations AS
SELECT c.relname, c.relkind FROM pg_class AS c
WHERE c.relnamespace = 'rbac'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S');

CREATE TEMP VIEW rbac_functions AS
SELECT p.oid, p.proname, p.prosecdef, p.prorettype = 'trigger'::regtype AS is_trigger,
       ARRAY(SELECT format_type(a.t, NULL) FROM unnest(p.proargtypes) WITH ORDINALITY AS a(t, i)
             ORDER BY a.i)::name[] AS args
FROM pg_proc AS p WHERE p.pronamespace = 'rbac'::regnamespace;

SELECT plan((SELECT (count(*) * 5)::int FROM rbac_relations)
          + (SELECT (count(*) * 5)::int FROM rbac_functions) + 5 + 8);

-- ===================================================================
-- Every grant decision is made, and none is stale
-- ===================================================================

SELECT is_empty($$
	SELECT f.oid::regprocedure FROM rbac_functions AS f
	WHERE f.prosecdef AND NOT f.is_trigger
	  AND NOT EXISTS (SELECT 1 FROM granted_functions AS g WHERE g.name = f.proname)
$$, 'every SECURITY DEFINER function (but triggers) is in a grant list of privileges.sql');
SELECT is_empty($$
	SELECT g.name FROM granted_functions AS g
	WHERE NOT EXISTS (SELECT 1 FROM rbac_functions AS f WHERE f.proname = g.name)
$$, 'every function a grant list names exists');
SELECT is_empty($$
	SELECT g.name FROM granted_tables AS g
	WHERE NOT EXISTS (SELECT 1 FROM rbac_relations AS r WHERE r.relname = g.name)
$$, 'every table a grant names exists');

-- ===================================================================
-- Relations, sequences and functions, for each role
-- ===================================================================

SELECT CASE WHEN r.relkind = 'S'
	THEN sequence_privs_are('rbac', r.relname, c.role, '{}',
		format('%s may not use or read sequence rbac.%s', c.role, r.relname))
	ELSE table_privs_are('rbac', r.relname, c.role, e.privs,
		format('%s may %s rbac.%s', c.role,
		       coalesce(nullif(array_to_string(e.privs, ', '), ''), 'do nothing with'), r.relname)) END
FROM rbac_relations AS r CROSS JOIN checked_roles AS c,
	LATERAL (SELECT CASE WHEN EXISTS (SELECT 1 FROM granted_tables AS g
	                                  WHERE g.name = r.relname AND g.grantee = ANY (c.holds))
	                     THEN '{SELECT}' ELSE '{}' END::name[] AS privs) AS e
ORDER BY r.relname, c.role;

SELECT function_privs_are('rbac', f.proname, f.args, c.role, e.privs,
	format('%s may %sexecute rbac.%s(%s)%s', c.role,
	       CASE WHEN e.privs = '{}' THEN 'not ' ELSE '' END, f.proname,
	       array_to_string(f.args, ', '), CASE WHEN f.prosecdef THEN ' (SECURITY DEFINER)' ELSE '' END))
FROM rbac_functions AS f CROSS JOIN checked_roles AS c,
	LATERAL (SELECT CASE WHEN EXISTS (SELECT 1 FROM granted_functions AS g
	                                  WHERE g.name = f.proname AND g.grantee = ANY (c.holds))
	                     THEN '{EXECUTE}' ELSE '{}' END::name[] AS privs) AS e
ORDER BY f.proname, f.oid, c.role;

SELECT schema_privs_are('rbac', c.role, '{USAGE}', format('%s may use schema rbac but not create in it', c.role))
FROM checked_roles AS c ORDER BY c.role;

-- ===================================================================
-- Nobody else: every role, from the access control lists
-- ===================================================================

SELECT is_empty($$
	SELECT c.oid::regclass, a.privilege_type, a.grantee::regrole
	FROM pg_class AS c, aclexplode(c.relacl) AS a
	WHERE c.relnamespace = 'rbac'::regnamespace AND a.grantee <> c.relowner
	  AND a.privilege_type IN ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER')
$$, 'no role but the owner may INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES or TRIGGER on any rbac relation');
SELECT is_empty($$
	SELECT a.grantee::regrole FROM pg_namespace AS n, aclexplode(n.nspacl) AS a
	WHERE n.nspname = 'rbac' AND a.grantee <> n.nspowner AND a.privilege_type = 'CREATE'
$$, 'no role but the owner may CREATE in schema rbac');
SELECT is_empty($$
	SELECT 'relation ' || c.oid::regclass FROM pg_class AS c, aclexplode(c.relacl) AS a
	WHERE c.relnamespace = 'rbac'::regnamespace AND a.grantee = 'rbac_hostile_intruder'::regrole
	UNION ALL
	SELECT 'column ' || c.oid::regclass || '.' || t.attname
	FROM pg_class AS c JOIN pg_attribute AS t ON t.attrelid = c.oid, aclexplode(t.attacl) AS a
	WHERE c.relnamespace = 'rbac'::regnamespace AND a.grantee = 'rbac_hostile_intruder'::regrole
	UNION ALL
	SELECT 'function ' || p.oid::regprocedure FROM pg_proc AS p, aclexplode(p.proacl) AS a
	WHERE p.pronamespace = 'rbac'::regnamespace AND a.grantee = 'rbac_hostile_intruder'::regrole
	UNION ALL
	SELECT 'type ' || t.oid::regtype FROM pg_type AS t, aclexplode(t.typacl) AS a
	WHERE t.typnamespace = 'rbac'::regnamespace AND a.grantee = 'rbac_hostile_intruder'::regrole
	UNION ALL
	SELECT 'schema rbac' FROM pg_namespace AS n, aclexplode(n.nspacl) AS a
	WHERE n.nspname = 'rbac' AND a.grantee = 'rbac_hostile_intruder'::regrole
$$, 'no access control list in schema rbac names the intruder');
SELECT is(
	(SELECT array_agg(x.acl ORDER BY x.acl)
	 FROM (SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE 'owner' END || ' ' || a.privilege_type
	       FROM pg_type AS t, aclexplode(coalesce(t.typacl, acldefault('T', t.typowner))) AS a
	       WHERE t.oid = 'rbac.scopeset'::regtype) AS x(acl)),
	ARRAY['PUBLIC USAGE', 'owner USAGE'],
	'type rbac.scopeset is usable by PUBLIC and its owner');
SELECT is_empty($$
	SELECT t.oid::regtype FROM pg_type AS t
	WHERE t.typnamespace = 'rbac'::regnamespace AND NOT has_type_privilege('public', t.oid, 'USAGE')
$$, 'PUBLIC may use every type in schema rbac, row types included, as after a plain install');

SELECT * FROM finish();
ROLLBACK;
