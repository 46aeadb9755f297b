-- ===================================================================
-- Access review in psql: reading who holds what, and why
-- ===================================================================

CREATE VIEW rbac.role_catalog AS
SELECT r.key,
       r.name,
       r.kind,
       r.builtin,
       CASE WHEN r.workspace_id IS NOT NULL THEN 'workspace ' || r.workspace_id
            WHEN r.organization_id IS NOT NULL THEN 'organization ' || r.organization_id
            ELSE 'everywhere' END || ', on ' ||
       CASE r.kind WHEN 'organization' THEN 'organizations'
                   WHEN 'workspace' THEN 'workspaces or organizations'
                   ELSE 'single resources' END AS assignable,
       rbac.cardinality(r.scopes) AS scope_count,
       (SELECT count(DISTINCT g.principal) FROM rbac.grants AS g WHERE g.role_id = r.id) AS member_count,
       r.updated_at
FROM rbac.roles AS r
ORDER BY r.builtin DESC, r.id;
COMMENT ON VIEW rbac.role_catalog IS
	'the Roles page: every role with where it can be assigned, how many scopes and members it has; built-ins first';

CREATE FUNCTION rbac.members_of(workspace text)
	RETURNS TABLE (principal text, roles text[], resource_roles text[], organization_roles text[],
	               scope_count integer)
	LANGUAGE plpgsql STABLE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	w rbac.workspaces := rbac.workspace_for(rbac.actor(), workspace, 'members.read',
		format('list the members of workspace "%s"', workspace));
BEGIN
	RETURN QUERY
	SELECT p.principal,
	       coalesce(array_agg(DISTINCT r.key ORDER BY r.key) FILTER (WHERE g.workspace_id IS NOT NULL AND g.resource_type IS NULL), '{}'),
	       coalesce(array_agg(DISTINCT r.key || ' on ' || g.resource_type || ' ' || g.resource_id)
	                FILTER (WHERE g.resource_type IS NOT NULL), '{}'),
	       coalesce(array_agg(DISTINCT r.key ORDER BY r.key) FILTER (WHERE g.organization_id IS NOT NULL), '{}'),
	       rbac.cardinality(rbac.reach_of(p.principal, workspace))
	FROM (SELECT DISTINCT x.principal FROM rbac.grants AS x
	      WHERE x.workspace_id = members_of.workspace
	         OR (x.organization_id = w.organization_id AND x.role_kind = 'workspace')) AS p
	JOIN rbac.grants AS g ON g.principal = p.principal
	 AND (g.workspace_id = members_of.workspace
	      OR (g.organization_id = w.organization_id AND g.role_kind = 'workspace'))
	JOIN rbac.roles AS r ON r.id = g.role_id
	GROUP BY p.principal
	ORDER BY p.principal;
END;
$$;
COMMENT ON FUNCTION rbac.members_of(text) IS
	'everyone with a grant that applies in a workspace, with their roles; needs members.read';

CREATE FUNCTION rbac.who_has(scope text, workspace text)
	RETURNS TABLE (principal text, through_role text, granted_on text)
	LANGUAGE plpgsql STABLE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	w rbac.workspaces := rbac.workspace_for(rbac.actor(), workspace, 'members.read',
		format('list who holds %s in workspace "%s"', scope, workspace));
BEGIN
	IF NOT EXISTS (SELECT 1 FROM rbac.scopes AS s WHERE s.name = who_has.scope) THEN
		RAISE EXCEPTION USING ERRCODE = '22023',
			MESSAGE = format('unknown scope "%s"', scope),
			DETAIL = 'The scope is not in the catalog rbac.scopes.',
			HINT = 'Check the spelling against rbac.scopes.';
	END IF;
	RETURN QUERY
	SELECT g.principal, r.key,
	       CASE WHEN g.organization_id IS NOT NULL THEN 'organization ' || g.organization_id
	            WHEN g.resource_type IS NOT NULL THEN g.resource_type || ' ' || g.resource_id
	            ELSE 'workspace ' || g.workspace_id END
	FROM rbac.grants AS g JOIN rbac.roles AS r ON r.id = g.role_id
	WHERE (g.workspace_id = who_has.workspace
	       OR (g.organization_id = w.organization_id AND g.role_kind = 'workspace'))
	  AND r.scopes OPERATOR(rbac.?) scope
	  AND NOT (SELECT s.retired FROM rbac.scopes AS s WHERE s.name = who_has.scope)
	ORDER BY g.principal, r.key;
END;
$$;
COMMENT ON FUNCTION rbac.who_has(text, text) IS
	'every principal holding a scope in a workspace (or on a resource there), and through which grant; needs members.read';

CREATE FUNCTION rbac.explain(principal text, scope text, workspace text,
		resource_type text DEFAULT NULL, resource_id text DEFAULT NULL)
	RETURNS TABLE (gives boolean, through_role text, granted_on text, note text)
	LANGUAGE plpgsql STABLE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	actor text := rbac.actor();
	myself boolean := actor IS NOT DISTINCT FROM principal;
	org text;
	s rbac.scopes;
	bounded_out boolean := false;
	found_any boolean := false;
	g record;
BEGIN
	-- About oneself, a workspace rbac does not know simply gives nothing.
	IF myself THEN
		org := (SELECT w.organization_id FROM rbac.workspaces AS w WHERE w.id = workspace);
	ELSE
		org := (rbac.workspace_for(actor, workspace, 'members.read',
			format('explain the reach of "%s"', principal))).organization_id;
	END IF;
	SELECT * INTO s FROM rbac.scopes AS x WHERE x.name = explain.scope;
	IF NOT FOUND THEN
		RAISE EXCEPTION USING ERRCODE = '22023',
			MESSAGE = format('unknown scope "%s"', scope),
			DETAIL = 'The scope is not in the catalog rbac.scopes.',
			HINT = 'Check the spelling against rbac.scopes.';
	END IF;
	-- About oneself, the answer is has_scope's: the gate bounds the grants.
	IF myself AND actor IS NOT NULL THEN
		bounded_out := NOT rbac.actor_reach(workspace, resource_type, resource_id) OPERATOR(rbac.?) scope;
	END IF;
	FOR g IN
		SELECT r.key, r.scopes OPERATOR(rbac.?) scope AS covers,
		       CASE WHEN x.organization_id IS NOT NULL THEN 'organization ' || x.organization_id
		            WHEN x.resource_type IS NOT NULL THEN x.resource_type || ' ' || x.resource_id
		            ELSE 'workspace ' || x.workspace_id END AS node
		FROM rbac.grants AS x JOIN rbac.roles AS r ON r.id = x.role_id
		WHERE x.principal = explain.principal
		  AND ((x.workspace_id = explain.workspace AND x.resource_type IS NULL)
		       OR (x.organization_id = org AND x.role_kind = 'workspace')
		       OR (x.workspace_id = explain.workspace AND x.resource_type = explain.resource_type
		           AND x.resource_id = explain.resource_id))
		ORDER BY 2 DESC, r.key
	LOOP
		gives := g.covers AND NOT s.retired AND NOT bounded_out;
		through_role := g.key;
		granted_on := g.node;
		note := CASE WHEN s.retired THEN 'the scope is retired'
		             WHEN g.covers AND bounded_out THEN 'this role carries the scope, but the token, API key or narrowing of the current context does not allow it here'
		             WHEN g.covers THEN 'this role carries the scope'
		             ELSE 'this role does not carry the scope' END;
		found_any := found_any OR gives;
		RETURN NEXT;
	END LOOP;
	IF NOT found_any THEN
		gives := false;
		through_role := NULL;
		granted_on := NULL;
		note := format('nothing gives "%s" %s here', principal, scope);
		RETURN NEXT;
	END IF;
END;
$$;
COMMENT ON FUNCTION rbac.explain(text, text, text, text, text) IS
	'why a principal holds a scope in a workspace or on a resource: each applicable grant and whether it gives it, or that nothing does; about oneself, as bounded by the current context, so it agrees with has_scope';

CREATE FUNCTION rbac.role_diff(a text, b text, workspace text DEFAULT NULL)
	RETURNS TABLE (scope text, only_in text)
	LANGUAGE plpgsql STABLE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	org text := (SELECT w.organization_id FROM rbac.workspaces AS w WHERE w.id = workspace);
	ra rbac.roles := rbac.resolve_role(a, workspace, org);
	rb rbac.roles := rbac.resolve_role(b, workspace, org);
BEGIN
	RETURN QUERY
	SELECT x.scope, ra.key FROM rbac.scopes(ra.scopes OPERATOR(rbac.-) rb.scopes) AS x(scope)
	UNION ALL
	SELECT x.scope, rb.key FROM rbac.scopes(rb.scopes OPERATOR(rbac.-) ra.scopes) AS x(scope)
	ORDER BY 2, 1;
END;
$$;
COMMENT ON FUNCTION rbac.role_diff(text, text, text) IS
	'the scopes only one of two roles holds, and which; custom roles are looked up at the workspace given';

CREATE FUNCTION rbac.role_graph(workspace text DEFAULT NULL) RETURNS text
	LANGUAGE sql STABLE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
	WITH shown AS (
		SELECT r.* FROM rbac.roles AS r
		WHERE (r.workspace_id IS NULL AND r.organization_id IS NULL)
		   OR r.workspace_id = role_graph.workspace
		   OR r.organization_id = (SELECT w.organization_id FROM rbac.workspaces AS w
		                           WHERE w.id = role_graph.workspace)),
	-- A contains B when B's scopes lie inside A's; only the nearest
	-- containments are drawn, so the picture is boxes in boxes.
	contains AS (
		SELECT a.key AS outer_key, b.key AS inner_key
		FROM shown AS a JOIN shown AS b
		  ON a.kind = b.kind AND a.id <> b.id AND b.scopes OPERATOR(rbac.<@) a.scopes
		 AND a.scopes OPERATOR(rbac.<>) b.scopes
		WHERE NOT EXISTS (
			SELECT 1 FROM shown AS c
			WHERE c.kind = a.kind AND c.id NOT IN (a.id, b.id)
			  AND b.scopes OPERATOR(rbac.<@) c.scopes AND c.scopes OPERATOR(rbac.<@) a.scopes
			  AND c.scopes OPERATOR(rbac.<>) a.scopes AND c.scopes OPERATOR(rbac.<>) b.scopes))
	SELECT 'graph TD' || E'\n' ||
	       coalesce((SELECT string_agg(format('    %s["%s (%s scopes)"]', s.key, s.name,
	                                          rbac.cardinality(s.scopes)), E'\n' ORDER BY s.id)
	                 FROM shown AS s), '') || E'\n' ||
	       coalesce((SELECT string_agg(format('    %s --> %s', c.outer_key, c.inner_key), E'\n'
	                                   ORDER BY c.outer_key, c.inner_key)
	                 FROM contains AS c), '');
$$;
COMMENT ON FUNCTION rbac.role_graph(text) IS
	'Mermaid text of the containment between roles: an edge from a role to each role whose scopes it contains, nearest containments only';

-- A deleted workspace's history stays readable by the operator, and by
-- those whose workspace roles on its organization still give the scope:
-- they could read it before, and its id passes to no one else.
CREATE FUNCTION rbac.require_deleted_history(actor text, workspace text, scope text, action text)
	RETURNS void
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	org text := (SELECT d.organization_id FROM rbac.deleted_nodes AS d
	             WHERE d.kind = 'workspace' AND d.id = require_deleted_history.workspace);
BEGIN
	IF actor IS NOT NULL AND (org IS NULL OR
	   NOT rbac.actor_organization_reach(org, 'workspace') OPERATOR(rbac.?) scope) THEN
		PERFORM rbac.require_scope(actor, scope, workspace, action);
	END IF;
	IF actor IS NULL AND NOT EXISTS (SELECT 1 FROM rbac.deleted_nodes AS d
	                                 WHERE d.kind = 'workspace' AND d.id = require_deleted_history.workspace) THEN
		PERFORM rbac.workspace_or_error(workspace);
	END IF;
END;
$$;
COMMENT ON FUNCTION rbac.require_deleted_history(text, text, text, text) IS
	'error unless the actor may read the history of a workspace that no longer exists: the operator, or a workspace role on its organization that gives the scope';

CREATE FUNCTION rbac.audit_rows(workspace text, since timestamptz, until timestamptz,
		scope text, action text) RETURNS SETOF rbac.audit_log
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	actor text := rbac.actor();
BEGIN
	IF EXISTS (SELECT 1 FROM rbac.workspaces AS w WHERE w.id = audit_rows.workspace) THEN
		PERFORM rbac.require_scope(actor, scope, workspace, action);
	ELSE
		PERFORM rbac.require_deleted_history(actor, workspace, scope, action);
	END IF;
	RETURN QUERY
	SELECT * FROM rbac.audit_log AS a
	WHERE a.workspace_id = audit_rows.workspace
	  AND a.at >= coalesce(since, '-infinity') AND a.at < coalesce(until, 'infinity')
	ORDER BY a.id;
END;
$$;
COMMENT ON FUNCTION rbac.audit_rows(text, timestamptz, timestamptz, text, text) IS
	'the audit rows of a workspace in a time range, once the actor is checked for the given scope';

CREATE FUNCTION rbac.audit_events(workspace text, since timestamptz DEFAULT NULL,
		until timestamptz DEFAULT NULL) RETURNS SETOF rbac.audit_log
	LANGUAGE sql STABLE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
	SELECT * FROM rbac.audit_rows(workspace, since, until, 'audit.read',
		format('read the audit log of workspace "%s"', workspace));
$$;
COMMENT ON FUNCTION rbac.audit_events(text, timestamptz, timestamptz) IS
	'a workspace''s audit log between since (inclusive) and until (exclusive); needs audit.read';

CREATE FUNCTION rbac.audit_export(workspace text, since timestamptz DEFAULT NULL,
		until timestamptz DEFAULT NULL) RETURNS SETOF rbac.audit_log
	LANGUAGE sql STABLE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
	SELECT * FROM rbac.audit_rows(workspace, since, until, 'audit.export',
		format('export the audit log of workspace "%s"', workspace));
$$;
COMMENT ON FUNCTION rbac.audit_export(text, timestamptz, timestamptz) IS
	'the audit log for export, as in COPY (SELECT * FROM rbac.audit_export(...)) TO STDOUT WITH (FORMAT csv, HEADER); needs audit.export';
