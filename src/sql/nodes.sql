-- ===================================================================
-- Nodes and the catalog: organizations, workspaces, resource types, scopes
-- ===================================================================

CREATE FUNCTION rbac.require_operator(actor text, action text) RETURNS void
	LANGUAGE plpgsql IMMUTABLE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF actor IS NOT NULL THEN
		RAISE EXCEPTION USING ERRCODE = '42501',
			MESSAGE = format('permission denied to %s', action),
			DETAIL = 'Only the platform operator does this, and a principal is set.',
			HINT = 'Call it as a member of rbac_admin with no principal set.';
	END IF;
END;
$$;
COMMENT ON FUNCTION rbac.require_operator(text, text) IS
	'error 42501 unless the platform operator is acting';

-- The creator of a node is its owner (seed 004).
CREATE FUNCTION rbac.creator_owner(actor text, owner text, node text) RETURNS text
	LANGUAGE plpgsql IMMUTABLE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF actor IS NULL THEN
		IF owner IS NULL THEN
			RAISE EXCEPTION USING ERRCODE = '22004',
				MESSAGE = format('the %s needs an owner', node),
				DETAIL = 'The platform operator creates it on someone''s behalf, and that someone becomes its owner.',
				HINT = 'Pass owner => the principal who will own it.';
		END IF;
		RETURN owner;
	END IF;
	IF owner IS NOT NULL AND owner <> actor THEN
		RAISE EXCEPTION USING ERRCODE = '42501',
			MESSAGE = format('permission denied to create a %s owned by "%s"', node, owner),
			DETAIL = format('The creator of a %s becomes its owner, and "%s" is creating it.', node, actor),
			HINT = 'Leave owner out, and transfer ownership afterwards if needed.';
	END IF;
	RETURN actor;
END;
$$;
COMMENT ON FUNCTION rbac.creator_owner(text, text, text) IS
	'the owner of a new node: the acting principal, or the owner the operator names';

-- Like scope names, node ids are never reused: a deleted workspace's id
-- would hand its audit history, and any rows still keyed by it, to whoever
-- took the id next.
CREATE FUNCTION rbac.require_new_id(kind text, id text) RETURNS void
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM rbac.deleted_nodes AS d WHERE d.kind = require_new_id.kind AND d.id = require_new_id.id) THEN
		RAISE EXCEPTION USING ERRCODE = '42710',
			MESSAGE = format('%s id "%s" was used before', kind, id),
			DETAIL = format('The id belonged to a %s that was deleted, and ids are never reused, so that its audit history and any rows still keyed by it never pass to someone else.', kind),
			HINT = 'Choose a new id.';
	END IF;
END;
$$;
COMMENT ON FUNCTION rbac.require_new_id(text, text) IS
	'error 42710 when the id belonged to a deleted organization or workspace';

CREATE FUNCTION rbac.owner_scopes(key text) RETURNS rbac.scopeset
	LANGUAGE sql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
	SELECT r.scopes FROM rbac.roles AS r WHERE r.builtin AND r.key = owner_scopes.key;
$$;
COMMENT ON FUNCTION rbac.owner_scopes(text) IS
	'the scopes of a built-in role, such as owner or org_owner, that a new node gives its creator';

CREATE FUNCTION rbac.create_organization(id text, name text, owner text DEFAULT NULL) RETURNS text
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	actor text := rbac.actor();
	owned_by text := CASE WHEN actor IS NULL AND owner IS NULL THEN NULL
		ELSE rbac.creator_owner(actor, owner, 'organization') END;
BEGIN
	PERFORM rbac.require_self_service(actor, format('create organization "%s"', id));
	PERFORM rbac.require_bounds_cover(actor, rbac.owner_scopes('org_owner'), NULL,
		format('create organization "%s"', id));
	PERFORM rbac.require_new_id('organization', id);
	INSERT INTO rbac.organizations (id, name) VALUES (id, name);
	IF owned_by IS NOT NULL THEN
		INSERT INTO rbac.grants (principal, role_id, role_kind, organization_id)
		SELECT owned_by, r.id, r.kind, create_organization.id
		FROM rbac.roles AS r WHERE r.builtin AND r.key = 'org_owner';
	END IF;
	PERFORM rbac.audit('organization.create', id, NULL, owned_by, 'org_owner', NULL,
		jsonb_build_object('name', name, 'owner', owned_by));
	RETURN id;
END;
$$;
COMMENT ON FUNCTION rbac.create_organization(text, text, text) IS
	'creates an organization; an acting principal becomes its Organization Owner (only with rbac.self_service on, and only within the bounds of its context); ids are never reused';

CREATE FUNCTION rbac.delete_organization(organization text) RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	actor text := rbac.actor();
	o rbac.organizations;
BEGIN
	PERFORM rbac.organization_for(actor, organization, 'org.delete', format('delete organization "%s"', organization));
	IF EXISTS (SELECT 1 FROM rbac.workspaces AS w WHERE w.organization_id = organization) THEN
		RAISE EXCEPTION USING ERRCODE = '2BP01',
			MESSAGE = format('organization "%s" still has workspaces', organization),
			DETAIL = 'Deleting an organization does not delete its workspaces.',
			HINT = 'Delete its workspaces first with rbac.delete_workspace().';
	END IF;
	SELECT * INTO o FROM rbac.organizations AS x WHERE x.id = organization FOR UPDATE;
	DELETE FROM rbac.grants AS g WHERE g.organization_id = organization;
	DELETE FROM rbac.roles AS r WHERE r.organization_id = organization;
	DELETE FROM rbac.organizations AS x WHERE x.id = organization;
	INSERT INTO rbac.deleted_nodes (kind, id) VALUES ('organization', organization);
	PERFORM rbac.audit('organization.delete', organization, NULL, NULL, NULL, to_jsonb(o), NULL);
END;
$$;
COMMENT ON FUNCTION rbac.delete_organization(text) IS
	'deletes an empty organization with its grants and roles; needs org.delete; its audit history stays, and its id is never reused';

CREATE FUNCTION rbac.create_workspace(id text, name text, owner text DEFAULT NULL,
		organization text DEFAULT NULL, ownership text DEFAULT 'single') RETURNS text
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	actor text := rbac.actor();
	action text := format('create workspace "%s"', id);
	owned_by text;
BEGIN
	IF organization IS NOT NULL THEN
		PERFORM rbac.organization_for(actor, organization, 'org.workspaces.create',
			format('create a workspace in organization "%s"', organization));
	ELSE
		PERFORM rbac.require_self_service(actor, action);
	END IF;
	PERFORM rbac.require_bounds_cover(actor, rbac.owner_scopes('owner'), id, action);
	owned_by := rbac.creator_owner(actor, owner, 'workspace');
	IF ownership IS NULL OR ownership NOT IN ('single', 'shared') THEN
		RAISE EXCEPTION USING ERRCODE = '22023',
			MESSAGE = format('invalid ownership "%s"', ownership),
			DETAIL = 'A workspace has exactly one Owner (single) or one or more (shared).',
			HINT = 'Pass ownership => ''single'' or ''shared''.';
	END IF;
	PERFORM rbac.require_new_id('workspace', id);
	INSERT INTO rbac.workspaces (id, name, organization_id, ownership)
	VALUES (id, name, organization, ownership);
	INSERT INTO rbac.grants (principal, role_id, role_kind, workspace_id)
	VALUES (owned_by, rbac.owner_role_id(), 'workspace', id);
	PERFORM rbac.audit('workspace.create', organization, id, owned_by, 'owner', NULL,
		jsonb_build_object('name', name, 'organization', organization, 'ownership', ownership, 'owner', owned_by));
	RETURN id;
END;
$$;
COMMENT ON FUNCTION rbac.create_workspace(text, text, text, text, text) IS
	'creates a workspace, in an organization (needs org.workspaces.create there) or, by the operator or with rbac.self_service on, outside one; its creator becomes its Owner, within the bounds of its context; ids are never reused';

CREATE FUNCTION rbac.delete_workspace(workspace text) RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	actor text := rbac.actor();
	w rbac.workspaces := rbac.workspace_for(actor, workspace, 'tenant.delete',
		format('delete workspace "%s"', workspace));
	grants jsonb;
BEGIN
	PERFORM rbac.lock_ownership(workspace);
	SELECT coalesce(jsonb_agg(jsonb_build_object('principal', g.principal, 'role', r.key,
	                                             'resource_type', g.resource_type, 'resource_id', g.resource_id)
	                          ORDER BY g.id), '[]')
	INTO grants
	FROM rbac.grants AS g JOIN rbac.roles AS r ON r.id = g.role_id
	WHERE g.workspace_id = workspace;
	DELETE FROM rbac.grants AS g WHERE g.workspace_id = workspace;
	DELETE FROM rbac.api_keys AS k WHERE k.workspace_id = workspace;
	DELETE FROM rbac.roles AS r WHERE r.workspace_id = workspace;
	DELETE FROM rbac.workspaces AS x WHERE x.id = workspace;
	INSERT INTO rbac.deleted_nodes (kind, id, organization_id) VALUES ('workspace', workspace, w.organization_id);
	PERFORM rbac.audit('workspace.delete', w.organization_id, workspace, NULL, NULL,
		to_jsonb(w) || jsonb_build_object('grants', grants), NULL);
END;
$$;
COMMENT ON FUNCTION rbac.delete_workspace(text) IS
	'deletes a workspace with its grants, API keys and custom roles; needs tenant.delete; its audit history stays, and its id is never reused';

CREATE FUNCTION rbac.register_resource_type(name text, description text DEFAULT '') RETURNS text
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM rbac.require_operator(rbac.actor(), 'register a resource type');
	INSERT INTO rbac.resource_types (name, description) VALUES (name, description);
	PERFORM rbac.audit('resource_type.create', NULL, NULL, NULL, NULL, NULL,
		jsonb_build_object('name', name, 'description', description));
	RETURN name;
END;
$$;
COMMENT ON FUNCTION rbac.register_resource_type(text, text) IS
	'registers a kind of resource that resource roles can be granted on; platform operator only';

CREATE FUNCTION rbac.create_scope(name text, area text, label text, level text,
		description text DEFAULT '', resource_grantable boolean DEFAULT false,
		destructive boolean DEFAULT false) RETURNS text
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM rbac.require_operator(rbac.actor(), format('create scope "%s"', name));
	IF name IS NULL OR NOT rbac.is_scope_name(name) THEN
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
	PERFORM rbac.audit('scope.create', NULL, NULL, NULL, NULL, NULL,
		(SELECT to_jsonb(s) FROM rbac.scopes AS s WHERE s.name = create_scope.name));
	RETURN name;
END;
$$;
COMMENT ON FUNCTION rbac.create_scope(text, text, text, text, text, boolean, boolean) IS
	'adds an application scope to the catalog; the built-in roles of its level carry it at once; platform operator only';

CREATE FUNCTION rbac.retire_scope(name text) RETURNS text
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	before jsonb := (SELECT to_jsonb(s) FROM rbac.scopes AS s WHERE s.name = retire_scope.name);
BEGIN
	PERFORM rbac.require_operator(rbac.actor(), format('retire scope "%s"', name));
	IF before IS NULL THEN
		RAISE EXCEPTION USING ERRCODE = '22023',
			MESSAGE = format('scope "%s" does not exist', name),
			DETAIL = 'Only scopes in the catalog can be retired.',
			HINT = 'List the catalog with: SELECT name FROM rbac.scopes;';
	END IF;
	UPDATE rbac.scopes AS s SET retired = true, retired_at = now()
	WHERE s.name = retire_scope.name AND NOT s.retired;
	IF FOUND THEN
		PERFORM rbac.audit('scope.retire', NULL, NULL, NULL, NULL, before,
			(SELECT to_jsonb(s) FROM rbac.scopes AS s WHERE s.name = retire_scope.name));
	END IF;
	RETURN name;
END;
$$;
COMMENT ON FUNCTION rbac.retire_scope(text) IS
	'retires an application scope: no role carries it any more and checks of it are false; the name stays reserved; platform operator only';
