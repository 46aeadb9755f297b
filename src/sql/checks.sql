-- ===================================================================
-- Checks: the principal, has_scope() and effective reach (C)
-- ===================================================================

-- Database roles: rbac_authenticator may say who the principal is;
-- rbac_admin administers the model.  Roles are cluster-wide, so they may
-- exist already from another database.
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'rbac_authenticator') THEN
		CREATE ROLE rbac_authenticator NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'rbac_admin') THEN
		CREATE ROLE rbac_admin NOLOGIN;
	END IF;
END;
$$;
COMMENT ON ROLE rbac_authenticator IS 'may set the rbac principal with rbac.set_principal()';
COMMENT ON ROLE rbac_admin IS 'administers the rbac model as the platform operator';

-- Relcache invalidations of this empty relation tell every backend, and
-- every hot standby, to drop its cached reach.
CREATE TABLE rbac.cache_signal ();
COMMENT ON TABLE rbac.cache_signal IS
	'empty; an invalidation of this relation tells every backend to drop its cached rbac reach';

CREATE FUNCTION rbac.signal_change() RETURNS trigger
	AS 'MODULE_PATHNAME', 'rbac_signal_change' LANGUAGE C;
COMMENT ON FUNCTION rbac.signal_change() IS
	'trigger: invalidates every backend''s rbac cache when the model changes (for grants only the changed principals'' entries, for workspaces only those of the workspaces created, deleted or moved), at once in this transaction and at commit elsewhere';

DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['levels', 'scopes', 'organizations', 'resource_types', 'roles']
	LOOP
		EXECUTE format('CREATE TRIGGER signal_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
		                ON rbac.%I FOR EACH STATEMENT EXECUTE FUNCTION rbac.signal_change()', t);
	END LOOP;
END;
$$;

-- A change to grants touches only the reach of the rows' principals, so a
-- grant storm leaves everyone else's cached reach in place.  The changed
-- rows reach the trigger as transition tables, one event each.
CREATE TRIGGER signal_change_insert AFTER INSERT ON rbac.grants
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION rbac.signal_change();
CREATE TRIGGER signal_change_update AFTER UPDATE ON rbac.grants
	REFERENCING OLD TABLE AS before NEW TABLE AS after
	FOR EACH STATEMENT EXECUTE FUNCTION rbac.signal_change();
CREATE TRIGGER signal_change_delete AFTER DELETE ON rbac.grants
	REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION rbac.signal_change();
CREATE TRIGGER signal_change AFTER TRUNCATE ON rbac.grants
	FOR EACH STATEMENT EXECUTE FUNCTION rbac.signal_change();

-- Workspaces created, deleted or moved to another organization touch the
-- reach there and the listings, nothing else; the ownership lock (an update
-- that changes nothing) touches nothing.
CREATE TRIGGER signal_change_insert AFTER INSERT ON rbac.workspaces
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION rbac.signal_change();
CREATE TRIGGER signal_change_update AFTER UPDATE ON rbac.workspaces
	REFERENCING OLD TABLE AS before NEW TABLE AS after
	FOR EACH STATEMENT EXECUTE FUNCTION rbac.signal_change();
CREATE TRIGGER signal_change_delete AFTER DELETE ON rbac.workspaces
	REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION rbac.signal_change();
CREATE TRIGGER signal_change AFTER TRUNCATE ON rbac.workspaces
	FOR EACH STATEMENT EXECUTE FUNCTION rbac.signal_change();

CREATE FUNCTION rbac.current_principal() RETURNS text
	AS 'MODULE_PATHNAME', 'rbac_current_principal' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION rbac.current_principal() IS
	'the principal checks act for, or NULL when none is set';

CREATE FUNCTION rbac.set_principal(principal text, is_local boolean DEFAULT true) RETURNS text
	AS 'MODULE_PATHNAME', 'rbac_set_principal' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION rbac.set_principal(text, boolean) IS
	'sets the principal for the transaction (is_local) or the session; NULL clears it; only superusers and members of rbac_authenticator may call it';
REVOKE ALL ON FUNCTION rbac.set_principal(text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION rbac.set_principal(text, boolean) TO rbac_authenticator;

-- The planner's support for the checks (support.c): a policy written as
-- USING (rbac.has_scope(s, workspace_id)) finds its rows through an index
-- on workspace_id, with has_scope() still deciding each row.
CREATE FUNCTION rbac.check_support(internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'rbac_check_support' LANGUAGE C STRICT;
COMMENT ON FUNCTION rbac.check_support(internal) IS
	'planner support for has_scope() and has_org_scope(): the lossy index condition workspace = ANY (accessible_workspaces(...)), and selectivity from the principal''s listing';

-- has_scope for text, uuid and bigint ids, so a policy needs no casts: the
-- overloads are has_scope(text, W) and has_scope(text, W, text, R) for
-- every W and R among text, uuid and bigint.
DO $$
DECLARE
	w text;
	r text;
BEGIN
	FOREACH w IN ARRAY ARRAY['text', 'uuid', 'bigint'] LOOP
		EXECUTE format($f$
			CREATE FUNCTION rbac.has_scope(scope text, workspace %1$s) RETURNS boolean
				AS 'MODULE_PATHNAME', 'rbac_has_scope' LANGUAGE C STABLE PARALLEL SAFE COST 10
				SUPPORT rbac.check_support;
			COMMENT ON FUNCTION rbac.has_scope(text, %1$s) IS
				'does the current principal hold the scope in the workspace? false with no principal; an unknown scope is an error'
			$f$, w);
		FOREACH r IN ARRAY ARRAY['text', 'uuid', 'bigint'] LOOP
			EXECUTE format($f$
				CREATE FUNCTION rbac.has_scope(scope text, workspace %1$s, resource_type text, resource_id %2$s) RETURNS boolean
					AS 'MODULE_PATHNAME', 'rbac_has_scope' LANGUAGE C STABLE PARALLEL SAFE COST 10
					SUPPORT rbac.check_support;
				COMMENT ON FUNCTION rbac.has_scope(text, %1$s, text, %2$s) IS
					'does the current principal hold the scope on the resource, through a workspace or a resource grant?'
				$f$, w, r);
		END LOOP;
	END LOOP;
END;
$$;

CREATE FUNCTION rbac.has_org_scope(scope text, organization text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'rbac_has_org_scope' LANGUAGE C STABLE PARALLEL SAFE COST 10
	SUPPORT rbac.check_support;
COMMENT ON FUNCTION rbac.has_org_scope(text, text) IS
	'does the current principal hold the scope on the organization, through an organization role?';

CREATE FUNCTION rbac.principal_has_scope(principal text, scope text, workspace text,
		resource_type text DEFAULT NULL, resource_id text DEFAULT NULL) RETURNS boolean
	AS 'MODULE_PATHNAME', 'rbac_principal_has_scope' LANGUAGE C STABLE PARALLEL SAFE COST 10;
COMMENT ON FUNCTION rbac.principal_has_scope(text, text, text, text, text) IS
	'does this principal hold the scope? for superusers, rbac_admin and the principal itself';

CREATE FUNCTION rbac.effective_scopes(principal text, workspace text,
		resource_type text DEFAULT NULL, resource_id text DEFAULT NULL) RETURNS rbac.scopeset
	AS 'MODULE_PATHNAME', 'rbac_effective_scopes' LANGUAGE C STABLE PARALLEL SAFE COST 10;
COMMENT ON FUNCTION rbac.effective_scopes(text, text, text, text) IS
	'the union of the scopes of every grant that applies to the principal there; for superusers, rbac_admin and the principal itself';

-- The gate, as administration asks it (gate.c).
CREATE FUNCTION rbac.actor_reach(workspace text, resource_type text DEFAULT NULL,
		resource_id text DEFAULT NULL) RETURNS rbac.scopeset
	AS 'MODULE_PATHNAME', 'rbac_actor_reach' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION rbac.actor_reach(text, text, text) IS
	'what the acting context may do in a workspace or on a resource there: the principal''s reach bounded by its token, API key and narrowing';

CREATE FUNCTION rbac.actor_organization_reach(organization text, kind text) RETURNS rbac.scopeset
	AS 'MODULE_PATHNAME', 'rbac_actor_organization_reach' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION rbac.actor_organization_reach(text, text) IS
	'what the acting context may do on an organization through the roles of one kind granted there, as bounded by its token and narrowing (an API key reaches no organization)';

CREATE FUNCTION rbac.context_bounds(workspace text DEFAULT NULL) RETURNS rbac.scopeset
	AS 'MODULE_PATHNAME', 'rbac_context_bounds' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION rbac.context_bounds(text) IS
	'the most the current context may reach in a workspace (NULL: an organization) whatever its grants (token scopes ∩ API key restriction ∩ narrowing), or NULL when nothing bounds it';

CREATE FUNCTION rbac.current_context() RETURNS jsonb
	AS 'MODULE_PATHNAME', 'rbac_current_context' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION rbac.current_context() IS
	'how the current principal acts: where it came from (transaction, request, session), its credential and every bound; NULL with no principal';

CREATE FUNCTION rbac.cache_stats(OUT entries bigint, OUT hits bigint, OUT misses bigint,
		OUT invalidations bigint, OUT evictions bigint, OUT memory_bytes bigint,
		OUT max_entries integer) RETURNS record
	AS 'MODULE_PATHNAME', 'rbac_cache_stats' LANGUAGE C VOLATILE PARALLEL RESTRICTED;
COMMENT ON FUNCTION rbac.cache_stats() IS
	'this backend''s rbac cache: entries held, hits, misses, invalidations seen, generations evicted, memory used and the rbac.cache_entries bound';
