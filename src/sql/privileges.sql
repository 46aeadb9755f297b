-- ===================================================================
-- Privileges, and what pg_dump keeps
-- ===================================================================
--
-- PUBLIC reads the catalog and roles and calls the checks; it writes
-- nothing.  rbac_user calls administration and access review, which act
-- for the current principal; rbac_admin may also act as the operator;
-- rbac_authenticator sets the principal.  Internal helpers are callable by
-- no one but the functions that use them.

-- The installing role's default privileges may have granted rights on what
-- this script created to other roles: take back every grant but the owner's,
-- then grant exactly what is meant.
DO $$
DECLARE
	r record;
BEGIN
	FOR r IN
		SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END AS kind,
		       c.oid::regclass::text AS object, a.grantee
		FROM pg_catalog.pg_class AS c, pg_catalog.aclexplode(c.relacl) AS a
		WHERE c.relnamespace = 'rbac'::regnamespace AND a.grantee <> c.relowner
		UNION ALL
		SELECT CASE p.prokind WHEN 'a' THEN 'FUNCTION' ELSE 'ROUTINE' END,
		       p.oid::regprocedure::text, a.grantee
		FROM pg_catalog.pg_proc AS p, pg_catalog.aclexplode(p.proacl) AS a
		WHERE p.pronamespace = 'rbac'::regnamespace AND a.grantee <> p.proowner
		UNION ALL
		SELECT 'TYPE', t.oid::regtype::text, a.grantee
		FROM pg_catalog.pg_type AS t, pg_catalog.aclexplode(t.typacl) AS a
		WHERE t.typnamespace = 'rbac'::regnamespace AND a.grantee <> t.typowner
		UNION ALL
		SELECT 'SCHEMA', n.nspname::text, a.grantee
		FROM pg_catalog.pg_namespace AS n, pg_catalog.aclexplode(n.nspacl) AS a
		WHERE n.nspname = 'rbac' AND a.grantee <> n.nspowner
	LOOP
		EXECUTE format('REVOKE ALL ON %s %s FROM %s', r.kind, r.object,
		               CASE WHEN r.grantee = 0 THEN 'PUBLIC'
		                    ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(r.grantee)) END);
	END LOOP;
END;
$$;

REVOKE ALL ON ALL TABLES IN SCHEMA rbac FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA rbac FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA rbac FROM PUBLIC;
GRANT USAGE ON SCHEMA rbac TO PUBLIC;
GRANT USAGE ON TYPE rbac.scopeset TO PUBLIC;
GRANT SELECT ON rbac.levels, rbac.scopes, rbac.roles, rbac.resource_types TO PUBLIC;
GRANT SELECT ON rbac.role_catalog TO rbac_admin;

DO $$
DECLARE
	f regprocedure;
	public_functions text[] := ARRAY[
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
		-- identity: verified tokens and keys, and narrowing, are safe for anyone
		'authenticate_jwt', 'authenticate_api_key', 'narrow', 'current_narrowing', 'context_bounds',
		-- listing
		'accessible_workspaces', 'accessible_workspaces_uuid', 'accessible_workspaces_bigint',
		'accessible_resources', 'accessible_resources_uuid', 'accessible_resources_bigint',
		'accessible_organizations', 'accessible_organizations_uuid', 'accessible_organizations_bigint',
		'has_scope_everywhere'];
	user_functions text[] := ARRAY[
		'create_organization', 'delete_organization', 'create_workspace', 'delete_workspace',
		'grant', 'revoke', 'add_member', 'set_role', 'grant_role', 'revoke_role',
		'grant_resource_role', 'revoke_resource_role', 'remove_member', 'leave_workspace',
		'grant_org_role', 'revoke_org_role', 'transfer_ownership',
		'create_role', 'alter_role', 'drop_role', 'clone_role',
		'members_of', 'who_has', 'explain', 'role_diff', 'role_graph',
		'audit_events', 'audit_export', 'actor',
		'create_api_key', 'revoke_api_key', 'api_keys_of',
		'register_resource_type', 'create_scope', 'retire_scope'];
BEGIN
	FOR f IN
		SELECT p.oid::regprocedure FROM pg_catalog.pg_proc AS p
		WHERE p.pronamespace = 'rbac'::regnamespace AND p.proname = ANY (public_functions)
	LOOP
		EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO PUBLIC', f);
	END LOOP;
	FOR f IN
		SELECT p.oid::regprocedure FROM pg_catalog.pg_proc AS p
		WHERE p.pronamespace = 'rbac'::regnamespace AND p.proname = ANY (user_functions)
	LOOP
		EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO rbac_user', f);
	END LOOP;
END;
$$;
GRANT EXECUTE ON FUNCTION rbac.set_principal(text, boolean) TO rbac_authenticator;

SELECT pg_catalog.pg_extension_config_dump('rbac.scopes', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('rbac.organizations', '');
SELECT pg_catalog.pg_extension_config_dump('rbac.workspaces', '');
SELECT pg_catalog.pg_extension_config_dump('rbac.resource_types', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('rbac.roles', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('rbac.roles_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('rbac.grants', '');
SELECT pg_catalog.pg_extension_config_dump('rbac.grants_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('rbac.audit_log', '');
SELECT pg_catalog.pg_extension_config_dump('rbac.api_keys', '');
SELECT pg_catalog.pg_extension_config_dump('rbac.api_keys_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('rbac.audit_log_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('rbac.deleted_nodes', '');
