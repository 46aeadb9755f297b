-- ===================================================================
-- Actors: who administration acts for, and the checks on their reach
-- ===================================================================
--
-- Administration acts for rbac.current_principal(), and what it may do at a
-- node is decided by the gate (gate.c): the principal's reach there bounded
-- by its token, API key and narrowing.  Every check below asks the gate,
-- through has_scope(), has_org_scope(), actor_reach() and
-- actor_organization_reach().  With no principal, superusers and members of
-- rbac_admin act as the platform operator, shown as a NULL actor: they skip
-- the scope checks, never the invariants.
--
-- A check comes before anything that looks a node up, so a principal
-- without the scope learns nothing, not even whether the node exists: the
-- gate gives no scope in a node rbac does not know.

DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'rbac_user') THEN
		CREATE ROLE rbac_user NOLOGIN;
	END IF;
END;
$$;
COMMENT ON ROLE rbac_user IS
	'may call rbac administration and access review, acting for the current principal';
GRANT rbac_user TO rbac_admin, rbac_authenticator;

CREATE FUNCTION rbac.actor() RETURNS text
	AS 'MODULE_PATHNAME', 'rbac_actor' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION rbac.actor() IS
	'the principal administration acts for; NULL for the platform operator (superusers and rbac_admin with no principal); otherwise an error';

-- Scopes are named by the catalog, never by role: an Admin cannot touch an
-- Owner because the Owner holds tenant.delete and the Admin does not.
CREATE FUNCTION rbac.require_scope(actor text, scope text, workspace text, action text)
	RETURNS void
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	-- The actor is the current principal, bounded by its token, key and narrowing.
	IF actor IS NOT NULL AND NOT rbac.has_scope(scope, workspace) THEN
		RAISE EXCEPTION USING ERRCODE = '42501',
			MESSAGE = format('permission denied to %s', action),
			DETAIL = format('Principal "%s" lacks the scope %s in workspace "%s"%s.', actor, scope, workspace,
				CASE WHEN rbac.context_bounds(workspace) IS NOT NULL
				     THEN ' within the bounds of its token, API key or narrowing' ELSE '' END),
			HINT = format('Ask someone who holds %s in that workspace.', scope);
	END IF;
END;
$$;
COMMENT ON FUNCTION rbac.require_scope(text, text, text, text) IS
	'error 42501 unless the actor holds the scope in the workspace (the operator always passes)';

-- The workspace row, once the actor is checked for the scope there.
CREATE FUNCTION rbac.workspace_for(actor text, workspace text, scope text, action text)
	RETURNS rbac.workspaces
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM rbac.require_scope(actor, scope, workspace, action);
	RETURN rbac.workspace_or_error(workspace);
END;
$$;
COMMENT ON FUNCTION rbac.workspace_for(text, text, text, text) IS
	'the workspace row after the actor is checked for the scope there; a principal without it gets 42501 whether or not the workspace exists';

CREATE FUNCTION rbac.organization_scopes(principal text, organization text, kind text)
	RETURNS rbac.scopeset
	LANGUAGE sql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce(rbac.union_agg(r.scopes), '{}')
	FROM rbac.grants AS g
	JOIN rbac.roles AS r ON r.id = g.role_id
	WHERE g.principal = organization_scopes.principal
	  AND g.organization_id = organization_scopes.organization
	  AND r.kind = organization_scopes.kind;
$$;
COMMENT ON FUNCTION rbac.organization_scopes(text, text, text) IS
	'the union of the roles of one kind a principal holds on an organization';

CREATE FUNCTION rbac.require_org_scope(actor text, scope text, organization text, action text)
	RETURNS void
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF actor IS NOT NULL AND NOT rbac.has_org_scope(scope, organization) THEN
		RAISE EXCEPTION USING ERRCODE = '42501',
			MESSAGE = format('permission denied to %s', action),
			DETAIL = format('Principal "%s" lacks the scope %s in organization "%s"%s.', actor, scope, organization,
				CASE WHEN rbac.context_bounds() IS NOT NULL
				     THEN ' within the bounds of its token, API key or narrowing' ELSE '' END),
			HINT = format('Ask someone who holds %s in that organization.', scope);
	END IF;
END;
$$;
COMMENT ON FUNCTION rbac.require_org_scope(text, text, text, text) IS
	'error 42501 unless the actor holds the scope through an organization role';

-- The organization, once the actor is checked for the scope there.
CREATE FUNCTION rbac.organization_for(actor text, organization text, scope text, action text)
	RETURNS void
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM rbac.require_org_scope(actor, scope, organization, action);
	PERFORM rbac.organization_or_error(organization);
END;
$$;
COMMENT ON FUNCTION rbac.organization_for(text, text, text, text) IS
	'error unless the organization exists, after the actor is checked for the scope there; a principal without it gets 42501 whether or not it exists';

-- Creating a node makes its creator the node's Owner.  A bounded context
-- gives that Owner role as it would give any role: only if the role's
-- scopes lie inside its bounds at the new node.  An API key has no bounds
-- but its workspace, so it creates nothing.
CREATE FUNCTION rbac.require_bounds_cover(actor text, wanted rbac.scopeset, workspace text,
		action text) RETURNS void
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	bounds rbac.scopeset := rbac.context_bounds(workspace);
BEGIN
	IF actor IS NOT NULL AND bounds IS NOT NULL AND NOT bounds OPERATOR(rbac.@>) wanted THEN
		RAISE EXCEPTION USING ERRCODE = '42501',
			MESSAGE = format('permission denied to %s from a bounded context', action),
			DETAIL = format('Principal "%s" acts through a token with scopes, an API key or a narrowing, and the Owner it would become holds scopes outside those bounds: %s.',
			                actor, (wanted OPERATOR(rbac.-) bounds)::text),
			HINT = 'Act as the principal itself, with no token scopes, API key or narrowing.';
	END IF;
END;
$$;
COMMENT ON FUNCTION rbac.require_bounds_cover(text, rbac.scopeset, text, text) IS
	'error 42501 unless the bounds of the acting context at a new workspace (NULL: a new organization) cover the wanted scopes';

-- Who may create organizations and workspaces outside any organization: the
-- operator, and principals only where rbac.self_service is on.  Otherwise
-- anyone could claim an id that application data already uses.
CREATE FUNCTION rbac.require_self_service(actor text, action text) RETURNS void
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF actor IS NOT NULL AND NOT coalesce(current_setting('rbac.self_service', true)::boolean, false) THEN
		RAISE EXCEPTION USING ERRCODE = '42501',
			MESSAGE = format('permission denied to %s', action),
			DETAIL = 'Only the platform operator creates organizations and workspaces outside an organization while rbac.self_service is off.',
			HINT = 'Create the workspace in an organization where you hold org.workspaces.create, ask the operator, or have a superuser turn rbac.self_service on.';
	END IF;
END;
$$;
COMMENT ON FUNCTION rbac.require_self_service(text, text) IS
	'error 42501 when a principal creates an organization or an organization-less workspace while rbac.self_service is off';

-- Removing a member, or leaving, takes every grant the member holds in the
-- workspace: the member's reach there, and on each of its resources, must
-- lie inside the acting context's.
CREATE FUNCTION rbac.require_may_remove(actor text, workspace text, principal text, action text)
	RETURNS void
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r record;
BEGIN
	IF actor IS NULL THEN
		RETURN;
	END IF;
	PERFORM rbac.require_within(actor, rbac.reach_of(principal, workspace), rbac.actor_reach(workspace),
		format('workspace "%s"', workspace), action);
	FOR r IN SELECT DISTINCT g.resource_type, g.resource_id FROM rbac.grants AS g
	         WHERE g.workspace_id = require_may_remove.workspace
	           AND g.principal = require_may_remove.principal AND g.resource_type IS NOT NULL
	LOOP
		PERFORM rbac.require_within(actor, rbac.reach_of(principal, workspace, r.resource_type, r.resource_id),
			rbac.actor_reach(workspace, r.resource_type, r.resource_id),
			format('%s "%s" of workspace "%s"', r.resource_type, r.resource_id, workspace), action);
	END LOOP;
END;
$$;
COMMENT ON FUNCTION rbac.require_may_remove(text, text, text, text) IS
	'error 42501 unless the member''s reach in the workspace, and on each resource they hold a role on, lies inside the acting context''s';

-- The escalation guard: an actor gives, takes or changes only what lies
-- inside their own reach at that node.
CREATE FUNCTION rbac.require_within(actor text, wanted rbac.scopeset, reach rbac.scopeset,
		node text, action text) RETURNS void
	LANGUAGE plpgsql IMMUTABLE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF actor IS NOT NULL AND NOT reach OPERATOR(rbac.@>) wanted THEN
		RAISE EXCEPTION USING ERRCODE = '42501',
			MESSAGE = format('permission denied to %s', action),
			DETAIL = format('It involves scopes outside the reach of principal "%s" in %s: %s.',
			                actor, node, (wanted OPERATOR(rbac.-) reach)::text),
			HINT = 'An actor may grant, revoke or change only what lies inside their own reach.';
	END IF;
END;
$$;
COMMENT ON FUNCTION rbac.require_within(text, rbac.scopeset, rbac.scopeset, text, text) IS
	'error 42501 naming the extra scopes unless the actor''s reach contains the wanted scopes';

CREATE FUNCTION rbac.reach_of(principal text, workspace text,
		resource_type text DEFAULT NULL, resource_id text DEFAULT NULL) RETURNS rbac.scopeset
	LANGUAGE sql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce(rbac.effective_scopes(principal, workspace, resource_type, resource_id), '{}');
$$;
COMMENT ON FUNCTION rbac.reach_of(text, text, text, text) IS
	'a principal''s reach in a workspace or on a resource there; the operator''s is not asked';
