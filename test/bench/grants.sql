-- ===================================================================
-- Benchmarks: grants planned as rows, then made through rbac in order
--
-- A setup inserts the grants it wants into planned_grant (a workspace
-- role when workspace_id is set, a resource role when resource_type is
-- too, an organization role when organization_id is), then calls
-- bench_apply_grants(), which makes them with rbac.grant() and
-- rbac.grant_org_role() in the order of ord.  Read by the rls and index
-- benchmarks' setup (\ir).
-- ===================================================================

CREATE TABLE planned_grant (
	ord serial PRIMARY KEY,
	principal text NOT NULL,
	role text NOT NULL,
	workspace_id text,
	organization_id text,
	resource_type text,
	resource_id text
);

CREATE FUNCTION bench_apply_grants() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	g planned_grant;
BEGIN
	FOR g IN SELECT * FROM planned_grant ORDER BY ord LOOP
		IF g.organization_id IS NOT NULL THEN
			PERFORM rbac.grant_org_role(g.organization_id, g.principal, g.role);
		ELSE
			PERFORM rbac.grant(g.principal, g.role, g.workspace_id, g.resource_type, g.resource_id);
		END IF;
	END LOOP;
END
$$;
