-- ===================================================================
-- Grants and memberships: actor-checked, escalation-guarded, audited
-- ===================================================================
--
-- Every path checks a named catalog scope and the escalation guard: an
-- actor grants or revokes only roles inside their own reach at that node,
-- and changes or removes a member only if the member's reach there lies
-- inside theirs.  No code names a role to decide who may do what.

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

CREATE FUNCTION rbac.require_resource_type(resource_type text) RETURNS void
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM rbac.resource_types AS t WHERE t.name = require_resource_type.resource_type) THEN
		RAISE EXCEPTION USING ERRCODE = '42704',
			MESSAGE = format('resource type "%s" does not exist', resource_type),
			DETAIL = 'Resource roles are granted on registered resource types.',
			HINT = 'Register it with rbac.register_resource_type().';
	END IF;
END;
$$;
COMMENT ON FUNCTION rbac.require_resource_type(text) IS
	'error 42704 unless the resource type is registered';

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
	actor text := rbac.actor();
	w rbac.workspaces := rbac.workspace_for(actor, workspace, 'members.manage',
		format('grant role "%s"', role));
	r rbac.roles := rbac.resolve_role(role, workspace, w.organization_id);
	on_resource boolean := resource_type IS NOT NULL OR resource_id IS NOT NULL;
	wanted_kind text := CASE WHEN on_resource THEN 'resource' ELSE 'workspace' END;
	node text := CASE WHEN on_resource
		THEN format('%s "%s" of workspace "%s"', resource_type, resource_id, workspace)
		ELSE format('workspace "%s"', workspace) END;
	grant_id bigint;
BEGIN
	IF on_resource AND (resource_type IS NULL OR resource_id IS NULL) THEN
		RAISE EXCEPTION USING ERRCODE = '22004',
			MESSAGE = 'a resource grant needs both resource_type and resource_id',
			DETAIL = 'A resource is named by its type and its id inside the workspace.',
			HINT = 'Pass both, or neither for a workspace grant.';
	END IF;
	IF on_resource THEN
		PERFORM rbac.require_resource_type(resource_type);
	END IF;
	IF r.kind <> wanted_kind THEN
		PERFORM rbac.kind_error(r, 'a ' || wanted_kind);
	END IF;
	PERFORM rbac.require_within(actor, r.scopes,
		rbac.actor_reach(workspace, resource_type, resource_id), node,
		format('grant role "%s"', r.key));
	INSERT INTO rbac.grants (principal, role_id, role_kind, workspace_id, resource_type, resource_id)
	VALUES (principal, r.id, r.kind, workspace, resource_type, resource_id)
	ON CONFLICT DO NOTHING
	RETURNING id INTO grant_id;
	IF grant_id IS NOT NULL THEN
		PERFORM rbac.audit('grant', w.organization_id, workspace, principal, r.key, NULL,
			jsonb_build_object('resource_type', resource_type, 'resource_id', resource_id));
		RETURN grant_id;
	END IF;
	SELECT g.id INTO grant_id FROM rbac.grants AS g
	WHERE g.principal = p_principal AND g.role_id = r.id AND g.workspace_id = workspace
	  AND g.resource_type IS NOT DISTINCT FROM p_resource_type
	  AND g.resource_id IS NOT DISTINCT FROM p_resource_id;
	RETURN grant_id;
END;
$$;
COMMENT ON FUNCTION rbac.grant(text, text, text, text, text) IS
	'grants a workspace role on a workspace, or a resource role on one resource; needs members.manage and the role inside the actor''s reach; idempotent, returns the grant id';

CREATE FUNCTION rbac.revoke(principal text, role text, workspace text,
		resource_type text DEFAULT NULL, resource_id text DEFAULT NULL) RETURNS boolean
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	actor text := rbac.actor();
	w rbac.workspaces := rbac.workspace_for(actor, workspace, 'members.manage',
		format('revoke role "%s"', role));
	r rbac.roles := rbac.resolve_role(role, workspace, w.organization_id);
	node text := CASE WHEN resource_type IS NULL THEN format('workspace "%s"', workspace)
		ELSE format('%s "%s" of workspace "%s"', resource_type, resource_id, workspace) END;
BEGIN
	PERFORM rbac.require_within(actor, r.scopes
			OPERATOR(rbac.|) rbac.reach_of(principal, workspace, resource_type, resource_id),
		rbac.actor_reach(workspace, resource_type, resource_id), node,
		format('revoke role "%s" from "%s"', r.key, principal));
	DELETE FROM rbac.grants AS g
	WHERE g.principal = revoke.principal AND g.role_id = r.id AND g.workspace_id = workspace
	  AND g.resource_type IS NOT DISTINCT FROM revoke.resource_type
	  AND g.resource_id IS NOT DISTINCT FROM revoke.resource_id;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	PERFORM rbac.check_ownership_now(workspace);
	PERFORM rbac.audit('revoke', w.organization_id, workspace, principal, r.key,
		jsonb_build_object('resource_type', resource_type, 'resource_id', resource_id), NULL);
	RETURN true;
END;
$$;
COMMENT ON FUNCTION rbac.revoke(text, text, text, text, text) IS
	'revokes a grant; needs members.manage, and the role and the member''s reach inside the actor''s; returns whether there was one';

-- Membership: a member of a workspace holds at least one workspace role there.
CREATE FUNCTION rbac.is_member(workspace text, principal text) RETURNS boolean
	LANGUAGE sql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
	SELECT EXISTS (SELECT 1 FROM rbac.grants AS g
	               WHERE g.workspace_id = is_member.workspace AND g.principal = is_member.principal
	                 AND g.resource_type IS NULL);
$$;
COMMENT ON FUNCTION rbac.is_member(text, text) IS
	'does the principal hold a workspace role on the workspace itself?';

CREATE FUNCTION rbac.member_roles(workspace text, principal text) RETURNS jsonb
	LANGUAGE sql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce(jsonb_agg(jsonb_build_object('role', r.key, 'resource_type', g.resource_type,
	                                             'resource_id', g.resource_id)
	                          ORDER BY r.key, g.resource_type, g.resource_id), '[]')
	FROM rbac.grants AS g JOIN rbac.roles AS r ON r.id = g.role_id
	WHERE g.workspace_id = member_roles.workspace AND g.principal = member_roles.principal;
$$;
COMMENT ON FUNCTION rbac.member_roles(text, text) IS
	'the roles a principal holds in a workspace, as jsonb for the audit log';

CREATE FUNCTION rbac.require_member(workspace text, principal text, expected boolean) RETURNS void
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF rbac.is_member(workspace, principal) = expected THEN
		RETURN;
	END IF;
	IF expected THEN
		RAISE EXCEPTION USING ERRCODE = '42704',
			MESSAGE = format('"%s" is not a member of workspace "%s"', principal, workspace),
			DETAIL = 'A member holds at least one workspace role on the workspace.',
			HINT = 'Invite them first with rbac.add_member().';
	END IF;
	RAISE EXCEPTION USING ERRCODE = '42710',
		MESSAGE = format('"%s" is already a member of workspace "%s"', principal, workspace),
		DETAIL = 'An invitation adds someone who holds no workspace role there yet.',
		HINT = 'Change their roles with rbac.set_role() or rbac.grant_role().';
END;
$$;
COMMENT ON FUNCTION rbac.require_member(text, text, boolean) IS
	'error unless the principal is (or, with expected false, is not yet) a member';

CREATE FUNCTION rbac.add_member(workspace text, principal text, role text DEFAULT 'member')
	RETURNS bigint
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	actor text := rbac.actor();
	w rbac.workspaces := rbac.workspace_for(actor, workspace, 'members.invite',
		format('invite "%s"', principal));
	r rbac.roles := rbac.resolve_role(role, workspace, w.organization_id);
	grant_id bigint;
BEGIN
	PERFORM rbac.require_member(workspace, principal, false);
	IF r.kind <> 'workspace' THEN
		PERFORM rbac.kind_error(r, 'a workspace');
	END IF;
	PERFORM rbac.require_within(actor, r.scopes, rbac.actor_reach(workspace),
		format('workspace "%s"', workspace), format('invite "%s" as "%s"', principal, r.key));
	INSERT INTO rbac.grants (principal, role_id, role_kind, workspace_id)
	VALUES (principal, r.id, r.kind, workspace)
	RETURNING id INTO grant_id;
	PERFORM rbac.audit('member.add', w.organization_id, workspace, principal, r.key, NULL,
		rbac.member_roles(workspace, principal));
	RETURN grant_id;
END;
$$;
COMMENT ON FUNCTION rbac.add_member(text, text, text) IS
	'invites a principal into a workspace with one workspace role; needs members.invite and the role inside the actor''s reach';

CREATE FUNCTION rbac.set_role(workspace text, principal text, role text) RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	actor text := rbac.actor();
	w rbac.workspaces := rbac.workspace_for(actor, workspace, 'members.manage',
		format('change the role of "%s"', principal));
	r rbac.roles := rbac.resolve_role(role, workspace, w.organization_id);
	before jsonb;
BEGIN
	PERFORM rbac.require_member(workspace, principal, true);
	IF r.kind <> 'workspace' THEN
		PERFORM rbac.kind_error(r, 'a workspace');
	END IF;
	PERFORM rbac.require_within(actor, r.scopes OPERATOR(rbac.|) rbac.reach_of(principal, workspace),
		rbac.actor_reach(workspace), format('workspace "%s"', workspace),
		format('change the role of "%s" to "%s"', principal, r.key));
	PERFORM rbac.lock_ownership(workspace);
	before := rbac.member_roles(workspace, principal);
	DELETE FROM rbac.grants AS g
	WHERE g.workspace_id = set_role.workspace AND g.principal = set_role.principal
	  AND g.resource_type IS NULL AND g.role_id <> r.id;
	INSERT INTO rbac.grants (principal, role_id, role_kind, workspace_id)
	VALUES (principal, r.id, r.kind, workspace)
	ON CONFLICT DO NOTHING;
	PERFORM rbac.check_ownership_now(workspace);
	PERFORM rbac.audit('member.set_role', w.organization_id, workspace, principal, r.key, before,
		rbac.member_roles(workspace, principal));
END;
$$;
COMMENT ON FUNCTION rbac.set_role(text, text, text) IS
	'replaces a member''s workspace roles with one role; needs members.manage, and both the member''s reach and the role inside the actor''s';

CREATE FUNCTION rbac.grant_role(workspace text, principal text, role text) RETURNS bigint
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	-- The scope first: who is a member is not for outsiders to learn.
	PERFORM rbac.workspace_for(rbac.actor(), workspace, 'members.manage',
		format('grant role "%s"', role));
	PERFORM rbac.require_member(workspace, principal, true);
	RETURN rbac.grant(principal, role, workspace);
END;
$$;
COMMENT ON FUNCTION rbac.grant_role(text, text, text) IS
	'gives a member one more workspace role; as rbac.grant()';

CREATE FUNCTION rbac.revoke_role(workspace text, principal text, role text) RETURNS boolean
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN rbac.revoke(principal, role, workspace);
END;
$$;
COMMENT ON FUNCTION rbac.revoke_role(text, text, text) IS
	'takes one workspace role from a member; as rbac.revoke()';

CREATE FUNCTION rbac.grant_resource_role(workspace text, resource_type text, resource_id text,
		principal text, role text) RETURNS bigint
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN rbac.grant(principal, role, workspace, resource_type, resource_id);
END;
$$;
COMMENT ON FUNCTION rbac.grant_resource_role(text, text, text, text, text) IS
	'grants a resource role on one resource; as rbac.grant()';

CREATE FUNCTION rbac.revoke_resource_role(workspace text, resource_type text, resource_id text,
		principal text, role text) RETURNS boolean
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN rbac.revoke(principal, role, workspace, resource_type, resource_id);
END;
$$;
COMMENT ON FUNCTION rbac.revoke_resource_role(text, text, text, text, text) IS
	'revokes a resource role on one resource; as rbac.revoke()';

-- Removing a member takes every grant they hold in the workspace.
CREATE FUNCTION rbac.delete_member_grants(workspace text, principal text, action text) RETURNS void
	LANGUAGE plpgsql
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	w rbac.workspaces := rbac.workspace_or_error(workspace);
	before jsonb;
BEGIN
	PERFORM rbac.require_member(workspace, principal, true);
	PERFORM rbac.lock_ownership(workspace);
	before := rbac.member_roles(workspace, principal);
	DELETE FROM rbac.grants AS g
	WHERE g.workspace_id = delete_member_grants.workspace AND g.principal = delete_member_grants.principal;
	PERFORM rbac.check_ownership_now(workspace);
	PERFORM rbac.audit(action, w.organization_id, workspace, principal, NULL, before, NULL);
END;
$$;
COMMENT ON FUNCTION rbac.delete_member_grants(text, text, text) IS
	'removes every grant a member holds in a workspace, keeping the ownership invariant, and audits it';

CREATE FUNCTION rbac.remove_member(workspace text, principal text) RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	actor text := rbac.actor();
BEGIN
	PERFORM rbac.workspace_for(actor, workspace, 'members.remove', format('remove "%s"', principal));
	PERFORM rbac.require_may_remove(actor, workspace, principal, format('remove "%s"', principal));
	PERFORM rbac.delete_member_grants(workspace, principal, 'member.remove');
END;
$$;
COMMENT ON FUNCTION rbac.remove_member(text, text) IS
	'removes a member and every grant they hold in the workspace; needs members.remove and their reach inside the actor''s';

CREATE FUNCTION rbac.leave_workspace(workspace text) RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	actor text := rbac.actor();
BEGIN
	IF actor IS NULL THEN
		RAISE EXCEPTION USING ERRCODE = '42501',
			MESSAGE = 'the platform operator cannot leave a workspace',
			DETAIL = 'Leaving removes the current principal''s own grants, and no principal is set.',
			HINT = 'Set the principal that is leaving, or remove a member with rbac.remove_member().';
	END IF;
	-- Leaving gives up every grant there: a bounded context may give up only
	-- what lies inside its bounds, as when it removes someone else.
	PERFORM rbac.require_member(workspace, actor, true);
	PERFORM rbac.require_may_remove(actor, workspace, actor, format('leave workspace "%s"', workspace));
	PERFORM rbac.delete_member_grants(workspace, actor, 'member.leave');
END;
$$;
COMMENT ON FUNCTION rbac.leave_workspace(text) IS
	'the current principal leaves a workspace, giving up every grant there; a bounded context only if the principal''s reach there lies inside its bounds; an Owner must transfer ownership first';

-- Organizations: organization roles, and workspace roles for every workspace.
CREATE FUNCTION rbac.organization_or_error(organization text) RETURNS void
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM rbac.organizations AS o WHERE o.id = organization) THEN
		RAISE EXCEPTION USING ERRCODE = '42704',
			MESSAGE = format('organization "%s" does not exist', organization),
			DETAIL = 'Grants are made on organizations that rbac knows.',
			HINT = 'Create it first with rbac.create_organization().';
	END IF;
END;
$$;
COMMENT ON FUNCTION rbac.organization_or_error(text) IS
	'error 42704 unless the organization exists';

CREATE FUNCTION rbac.grant_org_role(organization text, principal text, role text) RETURNS bigint
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	actor text := rbac.actor();
	r rbac.roles;
	grant_id bigint;
BEGIN
	PERFORM rbac.organization_for(actor, organization, 'org.members.manage', format('grant role "%s"', role));
	r := rbac.resolve_role(role, NULL, organization);
	IF r.kind = 'resource' THEN
		PERFORM rbac.kind_error(r, 'an organization');
	END IF;
	IF actor IS NOT NULL THEN
		PERFORM rbac.require_within(actor, r.scopes, rbac.actor_organization_reach(organization, r.kind),
			format('organization "%s"', organization), format('grant role "%s"', r.key));
	END IF;
	INSERT INTO rbac.grants (principal, role_id, role_kind, organization_id)
	VALUES (principal, r.id, r.kind, organization)
	ON CONFLICT DO NOTHING
	RETURNING id INTO grant_id;
	IF grant_id IS NOT NULL THEN
		PERFORM rbac.audit('grant', organization, NULL, principal, r.key, NULL, NULL);
		RETURN grant_id;
	END IF;
	SELECT g.id INTO grant_id FROM rbac.grants AS g
	WHERE g.principal = grant_org_role.principal AND g.role_id = r.id AND g.organization_id = organization;
	RETURN grant_id;
END;
$$;
COMMENT ON FUNCTION rbac.grant_org_role(text, text, text) IS
	'grants an organization role, or a workspace role that then applies in every workspace of the organization; needs org.members.manage';

CREATE FUNCTION rbac.revoke_org_role(organization text, principal text, role text) RETURNS boolean
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	actor text := rbac.actor();
	r rbac.roles;
BEGIN
	PERFORM rbac.organization_for(actor, organization, 'org.members.manage', format('revoke role "%s"', role));
	r := rbac.resolve_role(role, NULL, organization);
	IF actor IS NOT NULL THEN
		PERFORM rbac.require_within(actor,
			r.scopes OPERATOR(rbac.|) rbac.organization_scopes(principal, organization, r.kind),
			rbac.actor_organization_reach(organization, r.kind),
			format('organization "%s"', organization), format('revoke role "%s" from "%s"', r.key, principal));
	END IF;
	DELETE FROM rbac.grants AS g
	WHERE g.principal = revoke_org_role.principal AND g.role_id = r.id AND g.organization_id = organization;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	PERFORM rbac.audit('revoke', organization, NULL, principal, r.key, NULL, NULL);
	RETURN true;
END;
$$;
COMMENT ON FUNCTION rbac.revoke_org_role(text, text, text) IS
	'revokes a role granted on an organization; needs org.members.manage and the member''s reach inside the actor''s';
