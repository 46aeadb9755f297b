-- ===================================================================
-- Listing what a principal can reach, for index-friendly policies
-- ===================================================================
--
-- Check and list agree (a check in a workspace rbac does not know is false):
--   has_scope(s, w)        iff w = ANY (accessible_workspaces(s))
--   has_scope(s, w, t, r)  iff has_scope_everywhere(s, w, t) or r = ANY (accessible_resources(s, w, t))
-- The recommended policy lets an index find the candidate rows and keeps
-- has_scope() deciding each one:
--   USING (workspace_id = ANY (rbac.accessible_workspaces('documents.read', 'project'))
--          AND rbac.has_scope('documents.read', workspace_id, 'project', project_id))

DO $$
DECLARE
	t record;
BEGIN
	FOR t IN SELECT * FROM (VALUES ('', 'text'), ('_uuid', 'uuid'), ('_bigint', 'bigint')) AS v(suffix, type) LOOP
		EXECUTE format($f$
			CREATE FUNCTION rbac.accessible_workspaces%1$s(scope text) RETURNS %2$s[]
				AS 'MODULE_PATHNAME', 'rbac_accessible_workspaces' LANGUAGE C STABLE PARALLEL SAFE COST 100;
			COMMENT ON FUNCTION rbac.accessible_workspaces%1$s(text) IS
				'the workspaces (as %2$s) where the current principal holds the scope: exactly where has_scope(scope, workspace) is true';
			CREATE FUNCTION rbac.accessible_workspaces%1$s(scope text, resource_type text) RETURNS %2$s[]
				AS 'MODULE_PATHNAME', 'rbac_accessible_workspaces' LANGUAGE C STABLE PARALLEL SAFE COST 100;
			COMMENT ON FUNCTION rbac.accessible_workspaces%1$s(text, text) IS
				'the workspaces (as %2$s) where the current principal holds the scope on the workspace or on some resource of this type: the candidates an index-friendly policy filters on'
			$f$, t.suffix, t.type);
	END LOOP;
	FOR t IN SELECT * FROM (VALUES ('', 'text'), ('_uuid', 'uuid'), ('_bigint', 'bigint')) AS v(suffix, type) LOOP
		FOR w IN 1..3 LOOP
			EXECUTE format($f$
				CREATE FUNCTION rbac.accessible_resources%1$s(scope text, workspace %3$s, resource_type text)
					RETURNS %2$s[]
					AS 'MODULE_PATHNAME', 'rbac_accessible_resources' LANGUAGE C STABLE PARALLEL SAFE COST 100;
				COMMENT ON FUNCTION rbac.accessible_resources%1$s(text, %3$s, text) IS
					'the resources of a type (as %2$s) in a workspace where a resource grant gives the current principal the scope; see has_scope_everywhere() for workspace grants'
				$f$, t.suffix, t.type, (ARRAY['text', 'uuid', 'bigint'])[w]);
		END LOOP;
	END LOOP;
END;
$$;

-- Organizations where an organization role gives the scope:
--   has_org_scope(s, o)  iff o = ANY (accessible_organizations(s))
CREATE FUNCTION rbac.accessible_organizations(scope text) RETURNS text[]
	AS 'MODULE_PATHNAME', 'rbac_accessible_organizations' LANGUAGE C STABLE PARALLEL SAFE COST 100;
COMMENT ON FUNCTION rbac.accessible_organizations(text) IS
	'the organizations where the current principal holds the scope through an organization role: exactly where has_org_scope(scope, organization) is true';
CREATE FUNCTION rbac.accessible_organizations_uuid(scope text) RETURNS uuid[]
	AS 'MODULE_PATHNAME', 'rbac_accessible_organizations' LANGUAGE C STABLE PARALLEL SAFE COST 100;
COMMENT ON FUNCTION rbac.accessible_organizations_uuid(text) IS
	'accessible_organizations() as uuid, leaving out ids that are not uuids';
CREATE FUNCTION rbac.accessible_organizations_bigint(scope text) RETURNS bigint[]
	AS 'MODULE_PATHNAME', 'rbac_accessible_organizations' LANGUAGE C STABLE PARALLEL SAFE COST 100;
COMMENT ON FUNCTION rbac.accessible_organizations_bigint(text) IS
	'accessible_organizations() as bigint, leaving out ids that are not bigints';

CREATE FUNCTION rbac.has_scope_everywhere(scope text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'rbac_has_scope_everywhere' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION rbac.has_scope_everywhere(text) IS
	'true when the current principal holds the scope in every workspace rbac knows, as with an authoritative token';

DO $$
DECLARE
	w text;
BEGIN
	FOREACH w IN ARRAY ARRAY['text', 'uuid', 'bigint'] LOOP
		EXECUTE format($f$
			CREATE FUNCTION rbac.has_scope_everywhere(scope text, workspace %1$s, resource_type text) RETURNS boolean
				AS 'MODULE_PATHNAME', 'rbac_has_scope_everywhere' LANGUAGE C STABLE PARALLEL SAFE;
			COMMENT ON FUNCTION rbac.has_scope_everywhere(text, %1$s, text) IS
				'true when the current principal holds the scope on every resource of the type in the workspace, through a workspace grant'
			$f$, w);
	END LOOP;
END;
$$;
