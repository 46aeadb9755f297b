-- ===================================================================
-- Operator-level administration: the only way the model is written
-- ===================================================================
--
-- These functions act as the platform operator.  EXECUTE is granted to
-- rbac_admin only; superusers may call them too.

CREATE FUNCTION rbac.workspace_or_error(workspace text) RETURNS rbac.workspaces
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	w rbac.workspaces;
BEGIN
	SELECT * INTO w FROM rbac.workspaces WHERE id = workspace;
	IF NOT FOUND THEN
		RAISE EXCEPTION USING ERRCODE = '42704',
			MESSAGE = format('workspace "%s" does not exist', workspace),
			DETAIL = 'Grants are made on workspaces that rbac knows.',
			HINT = 'Create it first with rbac.create_workspace().';
	END IF;
	RETURN w;
END;
$$;
COMMENT ON FUNCTION rbac.workspace_or_error(text) IS
	'the workspace row, or error 42704 when there is none';

-- The role a key names where a grant is made: a built-in or database-wide
-- role, one of the organization's, or one of the workspace's.
CREATE FUNCTION rbac.resolve_role(role text, workspace text, organization text) RETURNS rbac.roles
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r rbac.roles;
BEGIN
	SELECT * INTO r FROM rbac.roles AS x
	WHERE lower(x.key) = lower(role)
	  AND ((x.workspace_id IS NULL AND x.organization_id IS NULL)
	       OR x.workspace_id = workspace
	       OR x.organization_id = organization)
	ORDER BY x.workspace_id NULLS LAST, x.organization_id NULLS LAST
	LIMIT 1;
	IF NOT FOUND THEN
		RAISE EXCEPTION USING ERRCODE = '42704',
			MESSAGE = format('role "%s" does not exist here', role),
			DETAIL = format('No built-in role, and no custom role of %s, has that key.',
			                coalesce('workspace "' || workspace || '"', 'organization "' || organization || '"')),
			HINT = 'List the roles with: SELECT key, kind FROM rbac.roles;';
	END IF;
	RETURN r;
END;
$$;
COMMENT ON FUNCTION rbac.resolve_role(text, text, text) IS
	'the role a key names at a workspace or organization, or error 42704';

CREATE FUNCTION rbac.kind_error(r rbac.roles, node text) RETURNS void
	LANGUAGE plpgsql IMMUTABLE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RAISE EXCEPTION USING ERRCODE = '42809',
		MESSAGE = format('role "%s" is %s %s role and cannot be granted on %s',
		                 r.key, CASE WHEN r.kind = 'organization' THEN 'an' ELSE 'a' END, r.kind, node),
		DETAIL = 'Organization roles are granted on organizations, workspace roles on workspaces or organizations, and resource roles on one resource; kinds never cross.',
		HINT = CASE r.kind
			WHEN 'resource' THEN 'Grant it on a resource: rbac.grant(principal, role, workspace, resource_type, resource_id).'
			WHEN 'organization' THEN 'Grant it on the organization with rbac.grant_org().'
			ELSE 'Grant a resource role, such as membership_viewer, on the resource.' END;
END;
$$;
COMMENT ON FUNCTION rbac.kind_error(rbac.roles, text) IS
	'raises the error for a role granted on the wrong kind of node';

CREATE FUNCTION rbac.create_organization(id text, name text) RETURNS text
	LANGUAGE sql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
	INSERT INTO rbac.organizations (id, name) VALUES (id, name) RETURNING id;
$$;
COMMENT ON FUNCTION rbac.create_organization(text, text) IS
	'creates an organization';

CREATE FUNCTION rbac.create_workspace(id text, name text, owner text, organization text DEFAULT NULL)
	RETURNS text
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	INSERT INTO rbac.workspaces (id, name, organization_id) VALUES (id, name, organization);
	PERFORM rbac.grant(owner, 'owner', id);
	RETURN id;
END;
$$;
COMMENT ON FUNCTION rbac.create_workspace(text, text, text, text) IS
	'creates a workspace, optionally in an organization, with its creator as Owner';

CREATE FUNCTION rbac.register_resource_type(name text, description text DEFAULT '') RETURNS text
	LANGUAGE sql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
	INSERT INTO rbac.resource_types (name, description) VALUES (name, description) RETURNING name;
$$;
COMMENT ON FUNCTION rbac.register_resource_type(text, text) IS
	'registers a kind of resource that resource roles can be granted on';

CREATE FUNCTION rbac.create_scope(name text, area text, label text, level text,
		description text DEFAULT '', resource_grantable boolean DEFAULT false,
		destructive boolean DEFAULT false) RETURNS text
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF NOT rbac.is_scope_name(name) THEN
		RAISE EXCEPTION USING ERRCODE = '22023',
			MESSAGE = format('"%s" is not a valid scope name', name),
			DETAIL = 'A catalog scope is segments of letters, digits, "_" and "-" joined by "." or ":", with no wildcard.',
			HINT = 'Choose a name such as documents.archive or agents:my-agent:run.';
	END IF;
	IF EXISTS (SELECT 1 FROM rbac.scopes AS s WHERE s.name = create_scope.name) THEN
		RAISE EXCEPTION USING ERRCODE = '42710',
			MESSAGE = format('scope "%s" already exists', name),
			DETAIL = 'Scope names are never reused, even after they are retired.',
			HINT = 'Choose a new name.';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM rbac.levels AS l WHERE l.name = level) THEN
		RAISE EXCEPTION USING ERRCODE = '22023',
			MESSAGE = format('level "%s" does not exist', level),
			DETAIL = 'Every scope has one of the catalog''s levels, which decide the built-in roles that carry it.',
			HINT = 'Choose one of: SELECT name FROM rbac.levels ORDER BY position;';
	END IF;
	INSERT INTO rbac.scopes (name, area, label, description, level, resource_grantable, destructive)
	VALUES (name, area, label, description, level, resource_grantable, destructive);
	RETURN name;
END;
$$;
COMMENT ON FUNCTION rbac.create_scope(text, text, text, text, text, boolean, boolean) IS
	'adds an application scope to the catalog; the built-in roles of its level carry it at once';

CREATE FUNCTION rbac.retire_scope(name text) RETURNS text
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	UPDATE rbac.scopes AS s SET retired = true, retired_at = now()
	WHERE s.name = retire_scope.name AND NOT s.retired;
	IF NOT FOUND AND NOT EXISTS (SELECT 1 FROM rbac.scopes AS s WHERE s.name = retire_scope.name) THEN
		RAISE EXCEPTION USING ERRCODE = '22023',
			MESSAGE = format('scope "%s" does not exist', name),
			DETAIL = 'Only scopes in the catalog can be retired.',
			HINT = 'List the catalog with: SELECT name FROM rbac.scopes;';
	END IF;
	RETURN name;
END;
$$;
COMMENT ON FUNCTION rbac.retire_scope(text) IS
	'retires an application scope: no role carries it any more and checks of it are false; the name stays reserved';

CREATE FUNCTION rbac.grant(principal text, role text, workspace text,
		resource_type text DEFAULT NULL, resource_id text DEFAULT NULL) RETURNS bigint
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	-- "grant" is a reserved word, so it cannot qualify the parameters.
	p_principal ALIAS FOR $1;
	p_resource_type ALIAS FOR $4;
	p_resource_id ALIAS FOR $5;
	w rbac.workspaces := rbac.workspace_or_error(workspace);
	r rbac.roles := rbac.resolve_role(role, workspace, w.organization_id);
	on_resource boolean := resource_type IS NOT NULL OR resource_id IS NOT NULL;
	wanted_kind text := CASE WHEN on_resource THEN 'resource' ELSE 'workspace' END;
	grant_id bigint;
BEGIN
	IF on_resource AND (resource_type IS NULL OR resource_id IS NULL) THEN
		RAISE EXCEPTION USING ERRCODE = '22004',
			MESSAGE = 'a resource grant needs both resource_type and resource_id',
			DETAIL = 'A resource is named by its type and its id inside the workspace.',
			HINT = 'Pass both, or neither for a workspace grant.';
	END IF;
	IF on_resource AND NOT EXISTS (SELECT 1 FROM rbac.resource_types AS t WHERE t.name = resource_type) THEN
		RAISE EXCEPTION USING ERRCODE = '42704',
			MESSAGE = format('resource type "%s" does not exist', resource_type),
			DETAIL = 'Resource roles are granted on registered resource types.',
			HINT = 'Register it with rbac.register_resource_type().';
	END IF;
	IF r.kind <> wanted_kind THEN
		PERFORM rbac.kind_error(r, 'a ' || wanted_kind);
	END IF;
	INSERT INTO rbac.grants (principal, role_id, role_kind, workspace_id, resource_type, resource_id)
	VALUES (principal, r.id, r.kind, workspace, resource_type, resource_id)
	ON CONFLICT DO NOTHING
	RETURNING id INTO grant_id;
	IF grant_id IS NULL THEN
		SELECT g.id INTO grant_id FROM rbac.grants AS g
		WHERE g.principal = p_principal AND g.role_id = r.id AND g.workspace_id = workspace
		  AND g.resource_type IS NOT DISTINCT FROM p_resource_type
		  AND g.resource_id IS NOT DISTINCT FROM p_resource_id;
	END IF;
	RETURN grant_id;
END;
$$;
COMMENT ON FUNCTION rbac.grant(text, text, text, text, text) IS
	'grants a workspace role on a workspace, or a resource role on one resource; returns the grant id, the existing one if already held';

CREATE FUNCTION rbac.revoke(principal text, role text, workspace text,
		resource_type text DEFAULT NULL, resource_id text DEFAULT NULL) RETURNS boolean
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	w rbac.workspaces := rbac.workspace_or_error(workspace);
	r rbac.roles := rbac.resolve_role(role, workspace, w.organization_id);
BEGIN
	DELETE FROM rbac.grants AS g
	WHERE g.principal = revoke.principal AND g.role_id = r.id AND g.workspace_id = workspace
	  AND g.resource_type IS NOT DISTINCT FROM revoke.resource_type
	  AND g.resource_id IS NOT DISTINCT FROM revoke.resource_id;
	RETURN FOUND;
END;
$$;
COMMENT ON FUNCTION rbac.revoke(text, text, text, text, text) IS
	'revokes a grant made with rbac.grant(); returns whether there was one';

CREATE FUNCTION rbac.grant_org(principal text, role text, organization text) RETURNS bigint
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r rbac.roles;
	grant_id bigint;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM rbac.organizations AS o WHERE o.id = organization) THEN
		RAISE EXCEPTION USING ERRCODE = '42704',
			MESSAGE = format('organization "%s" does not exist', organization),
			DETAIL = 'Grants are made on organizations that rbac knows.',
			HINT = 'Create it first with rbac.create_organization().';
	END IF;
	r := rbac.resolve_role(role, NULL, organization);
	IF r.kind = 'resource' THEN
		PERFORM rbac.kind_error(r, 'an organization');
	END IF;
	INSERT INTO rbac.grants (principal, role_id, role_kind, organization_id)
	VALUES (principal, r.id, r.kind, organization)
	ON CONFLICT DO NOTHING
	RETURNING id INTO grant_id;
	IF grant_id IS NULL THEN
		SELECT g.id INTO grant_id FROM rbac.grants AS g
		WHERE g.principal = grant_org.principal AND g.role_id = r.id AND g.organization_id = organization;
	END IF;
	RETURN grant_id;
END;
$$;
COMMENT ON FUNCTION rbac.grant_org(text, text, text) IS
	'grants an organization role on an organization, or a workspace role on it, which then applies in every workspace of the organization';

CREATE FUNCTION rbac.revoke_org(principal text, role text, organization text) RETURNS boolean
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r rbac.roles := rbac.resolve_role(role, NULL, organization);
BEGIN
	DELETE FROM rbac.grants AS g
	WHERE g.principal = revoke_org.principal AND g.role_id = r.id AND g.organization_id = organization;
	RETURN FOUND;
END;
$$;
COMMENT ON FUNCTION rbac.revoke_org(text, text, text) IS
	'revokes a grant made with rbac.grant_org(); returns whether there was one';

-- Privileges: the catalog is public reading; grants and the node tables are
-- read and written only through functions.
REVOKE ALL ON ALL TABLES IN SCHEMA rbac FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA rbac FROM PUBLIC;
GRANT USAGE ON SCHEMA rbac TO PUBLIC;
GRANT SELECT ON rbac.levels, rbac.scopes, rbac.roles, rbac.resource_types TO PUBLIC;

DO $$
DECLARE
	f regprocedure;
BEGIN
	FOR f IN
		SELECT p.oid::regprocedure FROM pg_catalog.pg_proc AS p
		WHERE p.pronamespace = 'rbac'::regnamespace
		  AND p.proname IN ('create_organization', 'create_workspace', 'register_resource_type',
		                    'create_scope', 'retire_scope', 'grant', 'revoke', 'grant_org',
		                    'revoke_org', 'workspace_or_error', 'resolve_role', 'kind_error')
	LOOP
		EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
		EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO rbac_admin', f);
	END LOOP;
END;
$$;

SELECT pg_catalog.pg_extension_config_dump('rbac.scopes', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('rbac.organizations', '');
SELECT pg_catalog.pg_extension_config_dump('rbac.workspaces', '');
SELECT pg_catalog.pg_extension_config_dump('rbac.resource_types', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('rbac.roles', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('rbac.roles_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('rbac.grants', '');
SELECT pg_catalog.pg_extension_config_dump('rbac.grants_id_seq', '');
