-- ===================================================================
-- Custom roles, with the guardrails of seed 003
-- ===================================================================
--
-- A custom role belongs to a workspace, an organization, or (platform
-- operator only) the whole database.  Its scopes must come from the catalog;
-- the operator-only scope can never be added; a destructive scope must be
-- confirmed; a resource role holds only resource-grantable scopes; and its
-- key and name may not repeat a built-in's or another role's visible at the
-- same node.  An actor adds or removes only scopes they hold.

-- The catalog scopes each element of a set covers, with their flags.
CREATE FUNCTION rbac.covered_catalog(scopes rbac.scopeset)
	RETURNS TABLE (element text, name text, node_kind text, resource_grantable boolean,
	               destructive boolean, operator_only boolean, retired boolean)
	LANGUAGE sql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
	SELECT e.element, s.name, l.node_kind, s.resource_grantable, s.destructive,
	       s.operator_only, s.retired
	FROM rbac.scopes(scopes) AS e(element)
	LEFT JOIN rbac.scopes AS s ON rbac.scopeset(ARRAY[e.element]) OPERATOR(rbac.?) s.name
	LEFT JOIN rbac.levels AS l ON l.name = s.level;
$$;
COMMENT ON FUNCTION rbac.covered_catalog(rbac.scopeset) IS
	'each element of a set with every catalog scope it covers (NULLs when it covers none)';

CREATE FUNCTION rbac.check_role_scopes(kind text, scopes rbac.scopeset, added rbac.scopeset,
		confirm_destructive boolean) RETURNS void
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	bad text;
	wanted_node text := CASE kind WHEN 'organization' THEN 'organization' ELSE 'workspace' END;
BEGIN
	SELECT string_agg(c.element, ', ' ORDER BY c.element) INTO bad
	FROM (SELECT x.element FROM rbac.covered_catalog(scopes) AS x
	      GROUP BY x.element HAVING count(*) FILTER (WHERE NOT x.retired) = 0) AS c;
	IF bad IS NOT NULL THEN
		RAISE EXCEPTION USING ERRCODE = '22023',
			MESSAGE = format('scopes not in the catalog: %s', bad),
			DETAIL = 'Every scope of a role must be in rbac.scopes and not retired; a wildcard must match at least one such scope.',
			HINT = 'Check the spelling against rbac.scopes, or add the scope with rbac.create_scope().';
	END IF;
	SELECT string_agg(DISTINCT c.name, ', ') INTO bad
	FROM rbac.covered_catalog(scopes) AS c WHERE c.operator_only;
	IF bad IS NOT NULL THEN
		RAISE EXCEPTION USING ERRCODE = '42501',
			MESSAGE = format('operator-only scopes cannot be added to a role: %s', bad),
			DETAIL = 'Operator-only scopes are held by the platform operator alone, never through a role.',
			HINT = 'Remove them, or narrow the wildcard that covers them.';
	END IF;
	SELECT string_agg(DISTINCT c.name, ', ') INTO bad
	FROM rbac.covered_catalog(scopes) AS c WHERE NOT c.retired AND c.node_kind <> wanted_node;
	IF bad IS NOT NULL THEN
		RAISE EXCEPTION USING ERRCODE = '22023',
			MESSAGE = format('scopes that do not act on %s %s: %s',
			                 CASE WHEN wanted_node = 'organization' THEN 'an' ELSE 'a' END, wanted_node, bad),
			DETAIL = format('A %s role holds only scopes whose level acts on %s.', kind, wanted_node),
			HINT = 'Remove them, or create a role of the other kind.';
	END IF;
	IF kind = 'resource' THEN
		SELECT string_agg(DISTINCT c.name, ', ') INTO bad
		FROM rbac.covered_catalog(scopes) AS c WHERE NOT c.retired AND NOT c.resource_grantable;
		IF bad IS NOT NULL THEN
			RAISE EXCEPTION USING ERRCODE = '22023',
				MESSAGE = format('scopes that cannot be granted on a single resource: %s', bad),
				DETAIL = 'A resource role holds only resource-grantable scopes.',
				HINT = 'Remove them, or narrow the wildcard that covers them.';
		END IF;
	END IF;
	SELECT string_agg(DISTINCT c.name, ', ') INTO bad
	FROM rbac.covered_catalog(added) AS c WHERE c.destructive AND NOT c.retired;
	IF bad IS NOT NULL AND NOT confirm_destructive THEN
		RAISE EXCEPTION USING ERRCODE = '22023',
			MESSAGE = format('destructive scopes need confirmation: %s', bad),
			DETAIL = 'These scopes delete or irreversibly change something.',
			HINT = 'Pass confirm_destructive => true if the role should hold them.';
	END IF;
END;
$$;
COMMENT ON FUNCTION rbac.check_role_scopes(text, rbac.scopeset, rbac.scopeset, boolean) IS
	'the scope guardrails of a custom role: catalog, operator-only, node kind, resource-grantable, destructive confirmation';

-- Roles whose visibility overlaps that of a role belonging to this node.
CREATE FUNCTION rbac.roles_seen_with(workspace text, organization text)
	RETURNS SETOF rbac.roles
	LANGUAGE sql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
	SELECT r.* FROM rbac.roles AS r
	WHERE (r.workspace_id IS NULL AND r.organization_id IS NULL)
	   OR (workspace IS NULL AND organization IS NULL)
	   OR r.workspace_id = workspace
	   OR r.organization_id = coalesce(organization,
	          (SELECT w.organization_id FROM rbac.workspaces AS w WHERE w.id = workspace))
	   OR (organization IS NOT NULL AND r.workspace_id IN
	          (SELECT w.id FROM rbac.workspaces AS w WHERE w.organization_id = organization));
$$;
COMMENT ON FUNCTION rbac.roles_seen_with(text, text) IS
	'roles visible in some workspace where a role of this node would be visible too';

-- Names are compared as people read them: case, and runs of white space,
-- make no difference, so "Admin " or "ADMIN" cannot sit beside Admin.
CREATE FUNCTION rbac.role_name_key(name text) RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
	SELECT lower(regexp_replace(regexp_replace(name, '^[[:space:]]+|[[:space:]]+$', '', 'g'),
	                            '[[:space:]]+', ' ', 'g'));
$$;
COMMENT ON FUNCTION rbac.role_name_key(text) IS
	'a role key or name as it is compared with others: lowercase, trimmed, inner white space as one space';

CREATE FUNCTION rbac.check_role_naming(key text, name text, workspace text, organization text,
		except_id bigint DEFAULT NULL) RETURNS void
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	clash rbac.roles;
	wanted text[] := ARRAY[rbac.role_name_key(key), rbac.role_name_key(name)];
BEGIN
	IF key IS NULL OR key !~ '^[a-z][a-z0-9_]*$' OR coalesce(name, '') = '' THEN
		RAISE EXCEPTION USING ERRCODE = '22023',
			MESSAGE = format('invalid role key "%s" or name "%s"', key, name),
			DETAIL = 'A key is lowercase letters, digits and "_", starting with a letter; a name is not empty.',
			HINT = 'Choose a key such as release_manager and a name such as Release Manager.';
	END IF;
	IF name ~ '^[[:space:]]|[[:space:]]$|[[:space:]]{2}|[[:cntrl:]]' THEN
		RAISE EXCEPTION USING ERRCODE = '22023',
			MESSAGE = format('invalid role name "%s"', name),
			DETAIL = 'A role name has no leading, trailing or doubled white space and no control characters, so that it reads as it compares.',
			HINT = 'Remove the extra white space and control characters from the name.';
	END IF;
	SELECT * INTO clash FROM rbac.roles_seen_with(workspace, organization) AS r
	WHERE r.id IS DISTINCT FROM except_id
	  AND (rbac.role_name_key(r.key) = ANY (wanted) OR rbac.role_name_key(r.name) = ANY (wanted))
	ORDER BY r.builtin DESC LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION USING ERRCODE = '42710',
			MESSAGE = format('role key or name "%s" is already taken',
			                 CASE WHEN rbac.role_name_key(clash.key) = ANY (wanted) THEN clash.key ELSE clash.name END),
			DETAIL = CASE WHEN clash.builtin
				THEN format('The built-in role "%s" (%s) uses it, and built-in names mean the same everywhere.', clash.key, clash.name)
				ELSE format('The custom role "%s" (%s) uses it where this role would be visible too.', clash.key, clash.name) END,
			HINT = 'Choose another key and name; names are compared without regard to case or white space.';
	END IF;
END;
$$;
COMMENT ON FUNCTION rbac.check_role_naming(text, text, text, text, bigint) IS
	'error unless the key and name are valid, with no stray white space, and used by no built-in and no role visible at the same node, compared without regard to case or white space';

-- What an actor needs to manage roles at a node, and the reach their scopes must lie in.
CREATE FUNCTION rbac.role_admin_reach(actor text, kind text, workspace text, organization text,
		action text) RETURNS rbac.scopeset
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF workspace IS NOT NULL AND organization IS NOT NULL THEN
		RAISE EXCEPTION USING ERRCODE = '22023',
			MESSAGE = 'a custom role belongs to a workspace or an organization, not both',
			DETAIL = 'A role of an organization is visible in all its workspaces already.',
			HINT = 'Pass one of belongs_to_workspace and belongs_to_organization.';
	END IF;
	IF workspace IS NOT NULL THEN
		PERFORM rbac.workspace_for(actor, workspace, 'roles.manage', action);
		IF kind = 'organization' THEN
			RAISE EXCEPTION USING ERRCODE = '22023',
				MESSAGE = 'an organization role cannot belong to a workspace',
				DETAIL = 'Organization roles are granted on organizations.',
				HINT = 'Pass belongs_to_organization instead.';
		END IF;
		RETURN rbac.actor_reach(workspace);
	END IF;
	IF organization IS NOT NULL THEN
		PERFORM rbac.organization_for(actor, organization, 'org.roles.manage', action);
		RETURN CASE WHEN actor IS NULL THEN NULL
			ELSE rbac.actor_organization_reach(organization,
				CASE kind WHEN 'organization' THEN 'organization' ELSE 'workspace' END) END;
	END IF;
	PERFORM rbac.require_operator(actor, action || ' for the whole database');
	RETURN NULL;
END;
$$;
COMMENT ON FUNCTION rbac.role_admin_reach(text, text, text, text, text) IS
	'checks an actor may manage roles at a node and returns the reach their scopes must lie in';

CREATE FUNCTION rbac.create_role(key text, name text, kind text, scopes rbac.scopeset,
		description text DEFAULT '', belongs_to_workspace text DEFAULT NULL,
		belongs_to_organization text DEFAULT NULL, confirm_destructive boolean DEFAULT false)
	RETURNS bigint
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	actor text := rbac.actor();
	reach rbac.scopeset;
	role_id bigint;
BEGIN
	IF kind IS NULL OR kind NOT IN ('organization', 'workspace', 'resource') THEN
		RAISE EXCEPTION USING ERRCODE = '22023',
			MESSAGE = format('invalid role kind "%s"', kind),
			DETAIL = 'A role is an organization, workspace or resource role.',
			HINT = 'Pass kind => ''workspace'', ''resource'' or ''organization''.';
	END IF;
	reach := rbac.role_admin_reach(actor, kind, belongs_to_workspace, belongs_to_organization,
		format('create role "%s"', key));
	PERFORM rbac.check_role_naming(key, name, belongs_to_workspace, belongs_to_organization);
	PERFORM rbac.check_role_scopes(kind, scopes, scopes, confirm_destructive);
	PERFORM rbac.require_within(actor, scopes, reach,
		coalesce('workspace "' || belongs_to_workspace || '"', 'organization "' || belongs_to_organization || '"'),
		format('create role "%s"', key));
	INSERT INTO rbac.roles (key, name, kind, scopes, description, workspace_id, organization_id)
	VALUES (key, name, kind, scopes, coalesce(description, ''), belongs_to_workspace, belongs_to_organization)
	RETURNING id INTO role_id;
	PERFORM rbac.audit('role.create', belongs_to_organization, belongs_to_workspace, NULL, key, NULL,
		(SELECT to_jsonb(r) FROM rbac.roles AS r WHERE r.id = role_id));
	RETURN role_id;
END;
$$;
COMMENT ON FUNCTION rbac.create_role(text, text, text, rbac.scopeset, text, text, text, boolean) IS
	'creates a custom role at a workspace, an organization or (operator only) database-wide, within the guardrails and the actor''s reach';

-- The custom role a key names among the roles belonging to exactly this node.
CREATE FUNCTION rbac.custom_role_or_error(key text, workspace text, organization text)
	RETURNS rbac.roles
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r rbac.roles;
BEGIN
	SELECT * INTO r FROM rbac.roles AS x
	WHERE lower(x.key) = lower(custom_role_or_error.key)
	  AND x.workspace_id IS NOT DISTINCT FROM workspace
	  AND x.organization_id IS NOT DISTINCT FROM organization;
	IF FOUND AND r.builtin THEN
		RAISE EXCEPTION USING ERRCODE = '42501',
			MESSAGE = format('cannot change built-in role "%s"', r.key),
			DETAIL = 'Built-in roles are the same in every workspace and cannot be changed by anyone.',
			HINT = 'Clone it with rbac.clone_role() and change the clone.';
	END IF;
	IF NOT FOUND THEN
		RAISE EXCEPTION USING ERRCODE = '42704',
			MESSAGE = format('custom role "%s" does not exist at %s', key,
			                 coalesce('workspace "' || workspace || '"', 'organization "' || organization || '"', 'database level')),
			DETAIL = 'A custom role is named by its key and the node it belongs to.',
			HINT = 'Pass belongs_to_workspace or belongs_to_organization as when it was created.';
	END IF;
	RETURN r;
END;
$$;
COMMENT ON FUNCTION rbac.custom_role_or_error(text, text, text) IS
	'the custom role with this key belonging to exactly this node, or an error';

CREATE FUNCTION rbac.alter_role(key text, belongs_to_workspace text DEFAULT NULL,
		belongs_to_organization text DEFAULT NULL, name text DEFAULT NULL,
		description text DEFAULT NULL, scopes rbac.scopeset DEFAULT NULL,
		add_scopes rbac.scopeset DEFAULT NULL, remove_scopes rbac.scopeset DEFAULT NULL,
		confirm_destructive boolean DEFAULT false) RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	actor text := rbac.actor();
	r rbac.roles := rbac.custom_role_or_error(key, belongs_to_workspace, belongs_to_organization);
	reach rbac.scopeset := rbac.role_admin_reach(actor, r.kind, belongs_to_workspace,
		belongs_to_organization, format('alter role "%s"', r.key));
	new_scopes rbac.scopeset := (coalesce(alter_role.scopes, r.scopes)
		OPERATOR(rbac.|) coalesce(add_scopes, '{}')) OPERATOR(rbac.-) coalesce(remove_scopes, '{}');
	added rbac.scopeset := new_scopes OPERATOR(rbac.-) r.scopes;
	removed rbac.scopeset := r.scopes OPERATOR(rbac.-) new_scopes;
BEGIN
	PERFORM rbac.check_role_naming(r.key, coalesce(alter_role.name, r.name), belongs_to_workspace,
		belongs_to_organization, r.id);
	PERFORM rbac.check_role_scopes(r.kind, new_scopes, added, confirm_destructive);
	PERFORM rbac.require_within(actor, added OPERATOR(rbac.|) removed, reach,
		coalesce('workspace "' || belongs_to_workspace || '"', 'organization "' || belongs_to_organization || '"'),
		format('change the scopes of role "%s"', r.key));
	UPDATE rbac.roles AS x
	SET name = coalesce(alter_role.name, x.name),
	    description = coalesce(alter_role.description, x.description),
	    scopes = new_scopes,
	    updated_at = now()
	WHERE x.id = r.id;
	PERFORM rbac.audit('role.alter', belongs_to_organization, belongs_to_workspace, NULL, r.key,
		to_jsonb(r), (SELECT to_jsonb(x) FROM rbac.roles AS x WHERE x.id = r.id));
END;
$$;
COMMENT ON FUNCTION rbac.alter_role(text, text, text, text, text, rbac.scopeset, rbac.scopeset, rbac.scopeset, boolean) IS
	'renames a custom role or changes its scopes (set, add or remove); every scope added or removed must be the actor''s; takes effect at once';

CREATE FUNCTION rbac.drop_role(key text, reassign_to text DEFAULT NULL,
		belongs_to_workspace text DEFAULT NULL, belongs_to_organization text DEFAULT NULL)
	RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	actor text := rbac.actor();
	r rbac.roles := rbac.custom_role_or_error(key, belongs_to_workspace, belongs_to_organization);
	reach rbac.scopeset := rbac.role_admin_reach(actor, r.kind, belongs_to_workspace,
		belongs_to_organization, format('drop role "%s"', r.key));
	target rbac.roles;
	held bigint := (SELECT count(*) FROM rbac.grants AS g WHERE g.role_id = r.id);
BEGIN
	-- Dropping a role removes all its scopes, from it and from its holders.
	PERFORM rbac.require_within(actor, r.scopes, reach,
		coalesce('workspace "' || belongs_to_workspace || '"', 'organization "' || belongs_to_organization || '"'),
		format('drop role "%s"', r.key));
	IF held > 0 AND reassign_to IS NULL THEN
		RAISE EXCEPTION USING ERRCODE = '2BP01',
			MESSAGE = format('role "%s" is still held', r.key),
			DETAIL = format('Grants holding it: %s.', held),
			HINT = 'Pass reassign_to => another role of the same kind to move them.';
	END IF;
	IF held > 0 THEN
		target := rbac.resolve_role(reassign_to, belongs_to_workspace, coalesce(belongs_to_organization,
			(SELECT w.organization_id FROM rbac.workspaces AS w WHERE w.id = belongs_to_workspace)));
		IF target.kind <> r.kind OR target.id = r.id THEN
			RAISE EXCEPTION USING ERRCODE = '42809',
				MESSAGE = format('cannot reassign the holders of "%s" to "%s"', r.key, target.key),
				DETAIL = 'Grants move to another role of the same kind.',
				HINT = format('Choose another %s role.', r.kind);
		END IF;
		PERFORM rbac.require_within(actor, target.scopes, reach,
			coalesce('workspace "' || belongs_to_workspace || '"', 'organization "' || belongs_to_organization || '"'),
			format('reassign the holders of "%s" to "%s"', r.key, target.key));
		-- A holder who already holds the target keeps that grant.
		DELETE FROM rbac.grants AS g
		WHERE g.role_id = r.id AND EXISTS (
			SELECT 1 FROM rbac.grants AS t
			WHERE t.role_id = target.id AND t.principal = g.principal
			  AND t.organization_id IS NOT DISTINCT FROM g.organization_id
			  AND t.workspace_id IS NOT DISTINCT FROM g.workspace_id
			  AND t.resource_type IS NOT DISTINCT FROM g.resource_type
			  AND t.resource_id IS NOT DISTINCT FROM g.resource_id);
		UPDATE rbac.grants AS g SET role_id = target.id WHERE g.role_id = r.id;
	END IF;
	DELETE FROM rbac.roles AS x WHERE x.id = r.id;
	PERFORM rbac.audit('role.drop', belongs_to_organization, belongs_to_workspace, NULL, r.key,
		to_jsonb(r), jsonb_build_object('reassigned_to', target.key, 'grants', held));
END;
$$;
COMMENT ON FUNCTION rbac.drop_role(text, text, text, text) IS
	'drops a custom role whose scopes the actor holds; refused while held unless its grants are reassigned to another role of the same kind';

CREATE FUNCTION rbac.clone_role(source text, key text, name text DEFAULT NULL,
		belongs_to_workspace text DEFAULT NULL, belongs_to_organization text DEFAULT NULL,
		description text DEFAULT NULL, confirm_destructive boolean DEFAULT false) RETURNS bigint
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	s rbac.roles := rbac.resolve_role(source, belongs_to_workspace, coalesce(belongs_to_organization,
		(SELECT w.organization_id FROM rbac.workspaces AS w WHERE w.id = belongs_to_workspace)));
	operator_only rbac.scopeset := (SELECT rbac.scopeset(coalesce(array_agg(c.name), '{}'))
		FROM rbac.scopes AS c WHERE c.operator_only);
BEGIN
	RETURN rbac.create_role(key, coalesce(name, initcap(replace(key, '_', ' '))), s.kind,
		s.scopes OPERATOR(rbac.-) operator_only,
		coalesce(description, format('Cloned from %s.', s.name)),
		belongs_to_workspace, belongs_to_organization, confirm_destructive);
END;
$$;
COMMENT ON FUNCTION rbac.clone_role(text, text, text, text, text, text, boolean) IS
	'creates a custom role with the scopes of another, minus any operator-only scope; the guardrails apply as to any new role';
