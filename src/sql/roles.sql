-- ===================================================================
-- Built-in roles, derived from levels, and the rules that keep them fixed
-- ===================================================================

CREATE FUNCTION rbac.in_extension_script() RETURNS boolean
	AS 'MODULE_PATHNAME', 'rbac_in_extension_script' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION rbac.in_extension_script() IS
	'true only while this extension''s own install or upgrade script runs';

CREATE FUNCTION rbac.level_scopes(levels text[], kind text) RETURNS rbac.scopeset
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
	SELECT rbac.scopeset(coalesce(array_agg(s.name), '{}'))
	FROM rbac.scopes AS s
	JOIN rbac.levels AS l ON l.name = s.level
	WHERE s.level = ANY (levels)
	  AND NOT s.operator_only
	  AND NOT s.retired
	  AND (kind <> 'resource' OR s.resource_grantable)
	  AND l.node_kind = CASE kind WHEN 'organization' THEN 'organization' ELSE 'workspace' END
$$;
COMMENT ON FUNCTION rbac.level_scopes(text[], text) IS
	'the catalog scopes a role of this kind carrying these levels holds: never operator-only or retired ones, and for resource roles only resource-grantable ones';

-- Ids 1-99 are reserved for built-ins, so grants of them survive dump and restore.
INSERT INTO rbac.roles (id, key, name, kind, builtin, levels, scopes, description)
SELECT r.id, r.key, r.name, r.kind, true, r.levels, rbac.level_scopes(r.levels, r.kind), r.description
FROM (VALUES
	(1,  'owner', 'Owner', 'workspace',
		ARRAY['read','work','oversee','contribute','plan','tooling','billing','manage','delete'],
		'Everything an Admin can do, plus deleting the workspace.'),
	(2,  'admin', 'Admin', 'workspace',
		ARRAY['read','work','oversee','contribute','plan','tooling','billing','manage'],
		'Everything a Member can do, plus managing the workspace: members, roles, tooling, planning, audit and spend.'),
	(3,  'member', 'Member', 'workspace',
		ARRAY['read','work'],
		'Reads across the workspace and does the work with the agent.'),
	(4,  'viewer', 'Viewer', 'workspace',
		ARRAY['read'],
		'Reads across the workspace, opens chat, views and exports reports; changes nothing.'),
	(5,  'lead', 'Lead', 'workspace',
		ARRAY['read','work','oversee'],
		'A Member who can also read teammates'' conversations and tasks and cancel any session or task.'),
	(6,  'planner', 'Planner', 'workspace',
		ARRAY['read','contribute','plan'],
		'A Viewer who also manages the planning records.'),
	(7,  'workspace_operator', 'Workspace Operator', 'workspace',
		ARRAY['read','work','tooling'],
		'A Member who also runs the platform tooling, including the workspace secrets.'),
	(8,  'billing_manager', 'Billing Manager', 'workspace',
		ARRAY['billing'],
		'Plan, entitlements, audit log and AI spend, with no access to the work itself.'),
	(9,  'membership_viewer', 'Membership Viewer', 'resource',
		ARRAY['read'],
		'Read-only access to one team, portfolio or project.'),
	(10, 'membership_contributor', 'Membership Contributor', 'resource',
		ARRAY['read','contribute'],
		'Membership Viewer, plus commenting on and editing existing content.'),
	(11, 'membership_planner', 'Membership Planner', 'resource',
		ARRAY['read','contribute','plan'],
		'Membership Contributor, plus creating and editing the resource''s content and settings.'),
	(12, 'org_owner', 'Organization Owner', 'organization',
		ARRAY['org_read','org_manage','org_delete'],
		'Everything an Organization Admin can do, plus deleting the organization.'),
	(13, 'org_admin', 'Organization Admin', 'organization',
		ARRAY['org_read','org_manage'],
		'Administers the organization: members, roles, settings and workspaces.'),
	(14, 'org_member', 'Organization Member', 'organization',
		ARRAY['org_read'],
		'A standard member of the organization.')
) AS r(id, key, name, kind, levels, description);

-- Built-in rows change only through the extension's own scripts.  The one
-- update allowed otherwise re-materialises a built-in role's scopes from its
-- levels after the catalog changed, and must produce exactly that value.
CREATE FUNCTION rbac.protect_roles() RETURNS trigger
	LANGUAGE plpgsql
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF rbac.in_extension_script() THEN
		RETURN coalesce(NEW, OLD);
	END IF;
	IF TG_OP = 'INSERT' THEN
		IF NEW.builtin THEN
			RAISE EXCEPTION USING ERRCODE = '42501',
				MESSAGE = format('cannot create built-in role "%s"', NEW.key),
				DETAIL = 'Built-in roles are shipped by the extension.',
				HINT = 'Create a custom role, with builtin = false.';
		END IF;
		RETURN NEW;
	END IF;
	IF NOT OLD.builtin AND (TG_OP = 'DELETE' OR NOT NEW.builtin) THEN
		RETURN coalesce(NEW, OLD);
	END IF;
	-- Re-deriving changes the scopes to exactly the level-derived value, and
	-- may touch updated_at only along with them.
	IF TG_OP = 'UPDATE' AND OLD.builtin AND NEW.builtin
	   AND (NEW.id, NEW.key, NEW.name, NEW.kind, NEW.levels, NEW.description,
	        NEW.workspace_id, NEW.organization_id, NEW.created_at)
	       IS NOT DISTINCT FROM
	       (OLD.id, OLD.key, OLD.name, OLD.kind, OLD.levels, OLD.description,
	        OLD.workspace_id, OLD.organization_id, OLD.created_at)
	   AND NEW.scopes OPERATOR(rbac.=) rbac.level_scopes(NEW.levels, NEW.kind)
	   AND (NEW.updated_at = OLD.updated_at OR NEW.scopes OPERATOR(rbac.<>) OLD.scopes) THEN
		RETURN NEW;
	END IF;
	RAISE EXCEPTION USING ERRCODE = '42501',
		MESSAGE = format('cannot %s built-in role "%s"', lower(TG_OP), OLD.key),
		DETAIL = 'Built-in roles are the same in every workspace and cannot be changed by anyone.',
		HINT = 'Create a custom role with the scopes you need instead.';
END;
$$;
COMMENT ON FUNCTION rbac.protect_roles() IS
	'trigger: refuses any change to a built-in role except re-deriving its scopes from its levels';

CREATE TRIGGER protect_roles BEFORE INSERT OR UPDATE OR DELETE ON rbac.roles
	FOR EACH ROW EXECUTE FUNCTION rbac.protect_roles();

-- The catalog grows and retires but never loses a name.
CREATE FUNCTION rbac.protect_scopes() RETURNS trigger
	LANGUAGE plpgsql
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF rbac.in_extension_script() THEN
		RETURN coalesce(NEW, OLD);
	END IF;
	IF TG_OP = 'DELETE' THEN
		RAISE EXCEPTION USING ERRCODE = '42501',
			MESSAGE = format('cannot delete scope "%s"', OLD.name),
			DETAIL = 'Scope names are never deleted, so a name is never reused.',
			HINT = 'Retire it with rbac.retire_scope().';
	END IF;
	IF TG_OP = 'INSERT' THEN
		-- A retired scope may arrive, as when a dump is restored: it grants nothing.
		IF NEW.builtin OR NEW.operator_only THEN
			RAISE EXCEPTION USING ERRCODE = '42501',
				MESSAGE = format('cannot create scope "%s" as built-in or operator-only', NEW.name),
				DETAIL = 'Only the extension ships built-in and operator-only scopes.',
				HINT = 'Create application scopes with rbac.create_scope().';
		END IF;
		RETURN NEW;
	END IF;
	IF OLD.builtin THEN
		RAISE EXCEPTION USING ERRCODE = '42501',
			MESSAGE = format('cannot change built-in scope "%s"', OLD.name),
			DETAIL = 'Built-in scopes define the built-in roles, which are the same everywhere.',
			HINT = 'Create an application scope with rbac.create_scope() instead.';
	END IF;
	IF (NEW.name, NEW.level, NEW.resource_grantable, NEW.destructive, NEW.operator_only,
	    NEW.builtin, NEW.created_at)
	   IS DISTINCT FROM
	   (OLD.name, OLD.level, OLD.resource_grantable, OLD.destructive, OLD.operator_only,
	    OLD.builtin, OLD.created_at)
	   OR (OLD.retired AND NOT NEW.retired) THEN
		RAISE EXCEPTION USING ERRCODE = '42501',
			MESSAGE = format('cannot change the identity of scope "%s"', OLD.name),
			DETAIL = 'A scope''s name, level and flags are fixed, and a retired scope stays retired.',
			HINT = 'Retire it and create a scope with a new name.';
	END IF;
	RETURN NEW;
END;
$$;
COMMENT ON FUNCTION rbac.protect_scopes() IS
	'trigger: scopes are never deleted or un-retired; built-in ones never change';

CREATE TRIGGER protect_scopes BEFORE INSERT OR UPDATE OR DELETE ON rbac.scopes
	FOR EACH ROW EXECUTE FUNCTION rbac.protect_scopes();

CREATE FUNCTION rbac.refuse_change() RETURNS trigger
	LANGUAGE plpgsql
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF rbac.in_extension_script() THEN
		RETURN NULL;
	END IF;
	RAISE EXCEPTION USING ERRCODE = '42501',
		MESSAGE = format('cannot %s %s.%s', lower(TG_OP), TG_TABLE_SCHEMA, TG_TABLE_NAME),
		DETAIL = 'This table holds what the extension ships; only its own scripts change it.',
		HINT = 'Use the rbac functions to change the model.';
END;
$$;
COMMENT ON FUNCTION rbac.refuse_change() IS
	'trigger: refuses writes to tables that only the extension''s scripts may change';

CREATE TRIGGER refuse_change BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON rbac.levels
	FOR EACH STATEMENT EXECUTE FUNCTION rbac.refuse_change();
CREATE TRIGGER refuse_truncate BEFORE TRUNCATE ON rbac.scopes
	FOR EACH STATEMENT EXECUTE FUNCTION rbac.refuse_change();
CREATE TRIGGER refuse_truncate BEFORE TRUNCATE ON rbac.roles
	FOR EACH STATEMENT EXECUTE FUNCTION rbac.refuse_change();

CREATE FUNCTION rbac.protect_resource_types() RETURNS trigger
	LANGUAGE plpgsql
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF rbac.in_extension_script()
	   OR NOT (coalesce(OLD.builtin, false) OR coalesce(NEW.builtin, false)) THEN
		RETURN coalesce(NEW, OLD);
	END IF;
	RAISE EXCEPTION USING ERRCODE = '42501',
		MESSAGE = format('cannot %s built-in resource type "%s"', lower(TG_OP), coalesce(OLD.name, NEW.name)),
		DETAIL = 'The resource types team, portfolio and project are shipped by the extension.',
		HINT = 'Register more types with rbac.register_resource_type().';
END;
$$;
COMMENT ON FUNCTION rbac.protect_resource_types() IS
	'trigger: built-in resource types cannot be changed or removed';

CREATE TRIGGER protect_resource_types BEFORE INSERT OR UPDATE OR DELETE ON rbac.resource_types
	FOR EACH ROW EXECUTE FUNCTION rbac.protect_resource_types();

-- A scope added or retired at a level changes the built-in roles at once.
CREATE FUNCTION rbac.rederive_builtin_roles() RETURNS trigger
	LANGUAGE plpgsql
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	UPDATE rbac.roles
	SET scopes = rbac.level_scopes(levels, kind), updated_at = now()
	WHERE builtin AND scopes OPERATOR(rbac.<>) rbac.level_scopes(levels, kind);
	RETURN NULL;
END;
$$;
COMMENT ON FUNCTION rbac.rederive_builtin_roles() IS
	'trigger: re-materialises every built-in role''s scopes from its levels after the catalog changes';

CREATE TRIGGER rederive_builtin_roles AFTER INSERT OR UPDATE ON rbac.scopes
	FOR EACH STATEMENT EXECUTE FUNCTION rbac.rederive_builtin_roles();
