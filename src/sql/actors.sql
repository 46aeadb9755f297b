-- ===================================================================
-- Actors: who administration acts for, and the checks on their reach
-- ===================================================================
--
-- Administration acts for rbac.current_principal() and checks that
-- principal's own reach.  With no principal, superusers and members of
-- rbac_admin act as the platform operator, shown as a NULL actor: they skip
-- the scope checks below, never the invariants.

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
			DETAIL = format('Principal "%s" lacks the scope %s in workspace "%s".', actor, scope, workspace),
			HINT = format('Ask someone who holds %s in that workspace.', scope);
	END IF;
END;
$$;
COMMENT ON FUNCTION rbac.require_scope(text, text, text, text) IS
	'error 42501 unless the actor holds the scope in the workspace (the operator always passes)';

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
			DETAIL = format('Principal "%s" lacks the scope %s in organization "%s".', actor, scope, organization),
			HINT = format('Ask someone who holds %s in that organization.', scope);
	END IF;
END;
$$;
COMMENT ON FUNCTION rbac.require_org_scope(text, text, text, text) IS
	'error 42501 unless the actor holds the scope through an organization role';

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
