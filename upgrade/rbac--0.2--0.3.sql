-- rbac 0.2 -> 0.3: one gate for every rule.  test/upgrade/run proves that
-- updating gives the schema and built-in rows of a fresh install of 0.3.

\echo Use "ALTER EXTENSION rbac UPDATE TO '0.3'" to load this file. \quit

-- A schema rbac that exists already belongs to whoever made it, and its
-- owner could swap our objects for theirs; update only our own.
DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_catalog.pg_namespace AS n
	           JOIN pg_catalog.pg_roles AS r ON r.oid = n.nspowner
	           WHERE n.nspname = 'rbac' AND NOT r.rolsuper) THEN
		RAISE EXCEPTION USING ERRCODE = '42501',
			MESSAGE = 'schema rbac belongs to a role that is not a superuser',
			DETAIL = 'Its owner could replace the extension''s objects with their own.',
			HINT = 'Drop the schema, or make a superuser its owner, and update again.';
	END IF;
END;
$$;

-- ===================================================================
-- The model: ids of deleted nodes are never reused; audit rows say how
-- the actor acted
-- ===================================================================

CREATE TABLE rbac.deleted_nodes (
	kind text NOT NULL CHECK (kind IN ('organization', 'workspace')),
	id text NOT NULL,
	organization_id text,
	deleted_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (kind, id)
);
COMMENT ON TABLE rbac.deleted_nodes IS
	'the ids of deleted organizations and workspaces: reserved for ever, like scope names';
COMMENT ON COLUMN rbac.deleted_nodes.organization_id IS
	'for a workspace, the organization it belonged to, whose workspace roles may still read its audit history';

-- The nodes 0.2 deleted are known from their audit rows.
INSERT INTO rbac.deleted_nodes (kind, id, organization_id, deleted_at)
SELECT DISTINCT ON (kind, id) kind, id, organization_id, at
FROM (SELECT CASE a.action WHEN 'workspace.delete' THEN 'workspace' ELSE 'organization' END AS kind,
             CASE a.action WHEN 'workspace.delete' THEN a.workspace_id ELSE a.organization_id END AS id,
             CASE a.action WHEN 'workspace.delete' THEN a.organization_id END AS organization_id,
             a.at
      FROM rbac.audit_log AS a
      WHERE a.action IN ('workspace.delete', 'organization.delete')) AS d
WHERE d.id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM rbac.workspaces AS w WHERE d.kind = 'workspace' AND w.id = d.id)
  AND NOT EXISTS (SELECT 1 FROM rbac.organizations AS o WHERE d.kind = 'organization' AND o.id = d.id)
ORDER BY kind, id, at DESC;

ALTER TABLE rbac.audit_log ADD COLUMN context jsonb;
COMMENT ON COLUMN rbac.audit_log.context IS
	'how the actor acted: where the principal came from, its credential and every bound (token scopes, API key, narrowing), as rbac.current_context() gives it; NULL for the operator';

-- ===================================================================
-- Workspaces created, deleted or moved signal only themselves
-- ===================================================================

DROP TRIGGER signal_change ON rbac.workspaces;
CREATE TRIGGER signal_change_insert AFTER INSERT ON rbac.workspaces
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION rbac.signal_change();
CREATE TRIGGER signal_change_update AFTER UPDATE ON rbac.workspaces
	REFERENCING OLD TABLE AS before NEW TABLE AS after
	FOR EACH STATEMENT EXECUTE FUNCTION rbac.signal_change();
CREATE TRIGGER signal_change_delete AFTER DELETE ON rbac.workspaces
	REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION rbac.signal_change();
CREATE TRIGGER signal_change AFTER TRUNCATE ON rbac.workspaces
	FOR EACH STATEMENT EXECUTE FUNCTION rbac.signal_change();

-- ===================================================================
-- Functions: the gate in C, and every administration path asking it
-- ===================================================================

-- The gate replaced it: rbac.actor_reach() and rbac.context_bounds().
DROP FUNCTION rbac.narrow_to_context(rbac.scopeset, text);

CREATE OR REPLACE FUNCTION rbac.signal_change() RETURNS trigger
	AS 'MODULE_PATHNAME', 'rbac_signal_change' LANGUAGE C;
COMMENT ON FUNCTION rbac.signal_change() IS
	'trigger: invalidates every backend''s rbac cache when the model changes (for grants only the changed principals'' entries, for workspaces only those of the workspaces created, deleted or moved), at once in this transaction and at commit elsewhere';

CREATE OR REPLACE FUNCTION rbac.check_support(internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'rbac_check_support' LANGUAGE C STRICT;
COMMENT ON FUNCTION rbac.check_support(internal) IS
	'planner support for has_scope() and has_org_scope(): the lossy index condition workspace = ANY (accessible_workspaces(...)), and selectivity from the principal''s listing';

CREATE OR REPLACE FUNCTION rbac.has_org_scope(scope text, organization text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'rbac_has_org_scope' LANGUAGE C STABLE PARALLEL SAFE COST 10
	SUPPORT rbac.check_support;
COMMENT ON FUNCTION rbac.has_org_scope(text, text) IS
	'does the current principal hold the scope on the organization, through an organization role?';

CREATE OR REPLACE FUNCTION rbac.actor_reach(workspace text, resource_type text DEFAULT NULL,
		resource_id text DEFAULT NULL) RETURNS rbac.scopeset
	AS 'MODULE_PATHNAME', 'rbac_actor_reach' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION rbac.actor_reach(text, text, text) IS
	'what the acting context may do in a workspace or on a resource there: the principal''s reach bounded by its token, API key and narrowing';

CREATE OR REPLACE FUNCTION rbac.actor_organization_reach(organization text, kind text) RETURNS rbac.scopeset
	AS 'MODULE_PATHNAME', 'rbac_actor_organization_reach' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION rbac.actor_organization_reach(text, text) IS
	'what the acting context may do on an organization through the roles of one kind granted there, as bounded by its token and narrowing (an API key reaches no organization)';

CREATE OR REPLACE FUNCTION rbac.context_bounds(workspace text DEFAULT NULL) RETURNS rbac.scopeset
	AS 'MODULE_PATHNAME', 'rbac_context_bounds' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION rbac.context_bounds(text) IS
	'the most the current context may reach in a workspace (NULL: an organization) whatever its grants (token scopes ∩ API key restriction ∩ narrowing), or NULL when nothing bounds it';

CREATE OR REPLACE FUNCTION rbac.current_context() RETURNS jsonb
	AS 'MODULE_PATHNAME', 'rbac_current_context' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION rbac.current_context() IS
	'how the current principal acts: where it came from (transaction, request, session), its credential and every bound; NULL with no principal';

CREATE OR REPLACE FUNCTION rbac.audit(action text, organization text, workspace text,
		target_principal text, role_key text, before jsonb, after jsonb) RETURNS void
	LANGUAGE sql
	SET search_path = pg_catalog, pg_temp
AS $$
	INSERT INTO rbac.audit_log (actor, action, organization_id, workspace_id,
	                            target_principal, role_key, before, after, context)
	VALUES (rbac.current_principal(), action,
	        coalesce(organization, (SELECT w.organization_id FROM rbac.workspaces AS w WHERE w.id = workspace)),
	        workspace, target_principal, role_key, before, after, rbac.current_context());
$$;
COMMENT ON FUNCTION rbac.audit(text, text, text, text, text, jsonb, jsonb) IS
	'writes one audit row for a change made by the current actor; a workspace''s row carries its organization';

CREATE OR REPLACE FUNCTION rbac.require_scope(actor text, scope text, workspace text, action text)
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

CREATE OR REPLACE FUNCTION rbac.workspace_for(actor text, workspace text, scope text, action text)
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

CREATE OR REPLACE FUNCTION rbac.require_org_scope(actor text, scope text, organization text, action text)
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

CREATE OR REPLACE FUNCTION rbac.organization_for(actor text, organization text, scope text, action text)
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

CREATE OR REPLACE FUNCTION rbac.require_bounds_cover(actor text, wanted rbac.scopeset, workspace text,
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

CREATE OR REPLACE FUNCTION rbac.require_self_service(actor text, action text) RETURNS void
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

CREATE OR REPLACE FUNCTION rbac.require_may_remove(actor text, workspace text, principal text, action text)
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

CREATE OR REPLACE FUNCTION rbac.grant(principal text, role text, workspace text,
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

CREATE OR REPLACE FUNCTION rbac.revoke(principal text, role text, workspace text,
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

CREATE OR REPLACE FUNCTION rbac.add_member(workspace text, principal text, role text DEFAULT 'member')
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

CREATE OR REPLACE FUNCTION rbac.set_role(workspace text, principal text, role text) RETURNS void
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

CREATE OR REPLACE FUNCTION rbac.grant_role(workspace text, principal text, role text) RETURNS bigint
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

CREATE OR REPLACE FUNCTION rbac.remove_member(workspace text, principal text) RETURNS void
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

CREATE OR REPLACE FUNCTION rbac.leave_workspace(workspace text) RETURNS void
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

CREATE OR REPLACE FUNCTION rbac.grant_org_role(organization text, principal text, role text) RETURNS bigint
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

CREATE OR REPLACE FUNCTION rbac.revoke_org_role(organization text, principal text, role text) RETURNS boolean
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

CREATE OR REPLACE FUNCTION rbac.require_own_ownership(actor text, workspace text, from_principal text)
	RETURNS void
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF from_principal IS DISTINCT FROM NULL AND from_principal <> actor THEN
		RAISE EXCEPTION USING ERRCODE = '42501',
			MESSAGE = 'permission denied to transfer another Owner''s ownership',
			DETAIL = format('Principal "%s" can transfer only their own ownership.', actor),
			HINT = 'Leave from_principal out.';
	END IF;
	IF NOT actor = ANY (rbac.owners_of(workspace)) THEN
		RAISE EXCEPTION USING ERRCODE = '42501',
			MESSAGE = format('permission denied to transfer ownership of workspace "%s"', workspace),
			DETAIL = format('Only an Owner transfers ownership, and "%s" is not one.', actor),
			HINT = 'Act as the Owner; the platform operator names the Owner with from_principal.';
	END IF;
	PERFORM rbac.require_within(actor, (SELECT r.scopes FROM rbac.roles AS r WHERE r.id = rbac.owner_role_id()),
		rbac.actor_reach(workspace), format('workspace "%s"', workspace),
		format('transfer ownership of workspace "%s"', workspace));
END;
$$;
COMMENT ON FUNCTION rbac.require_own_ownership(text, text, text) IS
	'error 42501 unless the actor is an Owner of the workspace transferring their own ownership, with every scope of the Owner role inside the reach of the acting context';

CREATE OR REPLACE FUNCTION rbac.transfer_ownership(workspace text, to_principal text,
		from_principal text DEFAULT NULL) RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	actor text := rbac.actor();
	w rbac.workspaces;
	owners text[];
	old_owner text;
BEGIN
	IF actor IS NOT NULL THEN
		PERFORM rbac.require_own_ownership(actor, workspace, from_principal);
	END IF;
	w := rbac.workspace_or_error(workspace);
	PERFORM rbac.lock_ownership(workspace);
	owners := rbac.owners_of(workspace);
	old_owner := coalesce(actor, from_principal,
		CASE WHEN cardinality(owners) = 1 THEN owners[1] END);
	IF old_owner IS NULL OR NOT old_owner = ANY (owners) THEN
		RAISE EXCEPTION USING ERRCODE = '42501',
			MESSAGE = format('permission denied to transfer ownership of workspace "%s"', workspace),
			DETAIL = format('Only an Owner transfers ownership, and "%s" is not one.', coalesce(old_owner, '(unnamed)')),
			HINT = 'Act as the Owner; the platform operator names the Owner with from_principal.';
	END IF;
	PERFORM rbac.require_member(workspace, to_principal, true);
	IF to_principal = ANY (owners) THEN
		RAISE EXCEPTION USING ERRCODE = '42710',
			MESSAGE = format('"%s" is already an Owner of workspace "%s"', to_principal, workspace),
			DETAIL = 'Ownership moves to a member who is not an Owner yet.',
			HINT = 'Choose another member.';
	END IF;
	DELETE FROM rbac.grants AS g
	WHERE g.workspace_id = transfer_ownership.workspace AND g.principal = old_owner
	  AND g.resource_type IS NULL AND g.role_id = rbac.owner_role_id();
	INSERT INTO rbac.grants (principal, role_id, role_kind, workspace_id)
	VALUES (to_principal, rbac.owner_role_id(), 'workspace', workspace);
	-- The previous Owner stays a member, as an Admin.
	INSERT INTO rbac.grants (principal, role_id, role_kind, workspace_id)
	SELECT old_owner, r.id, r.kind, workspace FROM rbac.roles AS r WHERE r.builtin AND r.key = 'admin'
	ON CONFLICT DO NOTHING;
	PERFORM rbac.check_ownership_now(workspace);
	PERFORM rbac.audit('ownership.transfer', w.organization_id, workspace, to_principal, 'owner',
		jsonb_build_object('owners', owners), jsonb_build_object('owners', rbac.owners_of(workspace)));
END;
$$;
COMMENT ON FUNCTION rbac.transfer_ownership(text, text, text) IS
	'moves the Owner role from the acting Owner to another member, who must already be one; the previous Owner becomes an Admin; a bounded context needs every Owner scope inside its bounds';

CREATE OR REPLACE FUNCTION rbac.require_new_id(kind text, id text) RETURNS void
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

CREATE OR REPLACE FUNCTION rbac.owner_scopes(key text) RETURNS rbac.scopeset
	LANGUAGE sql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
	SELECT r.scopes FROM rbac.roles AS r WHERE r.builtin AND r.key = owner_scopes.key;
$$;
COMMENT ON FUNCTION rbac.owner_scopes(text) IS
	'the scopes of a built-in role, such as owner or org_owner, that a new node gives its creator';

CREATE OR REPLACE FUNCTION rbac.create_organization(id text, name text, owner text DEFAULT NULL) RETURNS text
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

CREATE OR REPLACE FUNCTION rbac.delete_organization(organization text) RETURNS void
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

CREATE OR REPLACE FUNCTION rbac.create_workspace(id text, name text, owner text DEFAULT NULL,
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

CREATE OR REPLACE FUNCTION rbac.delete_workspace(workspace text) RETURNS void
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

CREATE OR REPLACE FUNCTION rbac.role_name_key(name text) RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
	SELECT lower(regexp_replace(regexp_replace(name, '^[[:space:]]+|[[:space:]]+$', '', 'g'),
	                            '[[:space:]]+', ' ', 'g'));
$$;
COMMENT ON FUNCTION rbac.role_name_key(text) IS
	'a role key or name as it is compared with others: lowercase, trimmed, inner white space as one space';

CREATE OR REPLACE FUNCTION rbac.check_role_naming(key text, name text, workspace text, organization text,
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

CREATE OR REPLACE FUNCTION rbac.role_admin_reach(actor text, kind text, workspace text, organization text,
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

CREATE OR REPLACE FUNCTION rbac.members_of(workspace text)
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

CREATE OR REPLACE FUNCTION rbac.who_has(scope text, workspace text)
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

CREATE OR REPLACE FUNCTION rbac.explain(principal text, scope text, workspace text,
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

CREATE OR REPLACE FUNCTION rbac.require_deleted_history(actor text, workspace text, scope text, action text)
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

CREATE OR REPLACE FUNCTION rbac.audit_rows(workspace text, since timestamptz, until timestamptz,
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

CREATE OR REPLACE FUNCTION rbac.create_api_key(workspace text, restriction rbac.scopeset DEFAULT NULL,
		label text DEFAULT NULL, expires_at timestamptz DEFAULT NULL) RETURNS text
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	actor text := rbac.actor();
	w rbac.workspaces;
	bounds rbac.scopeset := rbac.context_bounds(workspace);
	k record;
	key_id bigint;
BEGIN
	IF actor IS NULL THEN
		RAISE EXCEPTION USING ERRCODE = '42501',
			MESSAGE = 'permission denied to create an API key without a principal',
			DETAIL = 'An API key acts for the principal who creates it, and none is set.',
			HINT = 'Set the principal who will own the key first.';
	END IF;
	w := rbac.workspace_for(actor, workspace, 'api_keys.create',
		format('create an API key in workspace "%s"', workspace));
	IF restriction IS NOT NULL THEN
		PERFORM rbac.require_within(actor, restriction, rbac.actor_reach(workspace),
			format('workspace "%s"', workspace), 'create an API key with that restriction');
	END IF;
	-- A key outlives the token, key or narrowing it was made from; it keeps their bounds.
	restriction := coalesce(restriction, bounds);
	IF expires_at IS NOT NULL AND expires_at <= now() THEN
		RAISE EXCEPTION USING ERRCODE = '22023',
			MESSAGE = 'an API key cannot expire in the past',
			DETAIL = format('expires_at is %s.', expires_at),
			HINT = 'Pass a future time, or NULL for a key that does not expire.';
	END IF;
	k := rbac.new_api_key();
	INSERT INTO rbac.api_keys (prefix, secret_hash, workspace_id, creator, restriction, label, expires_at)
	VALUES (k.prefix, k.hash, workspace, actor, restriction, label, expires_at)
	RETURNING id INTO key_id;
	PERFORM rbac.audit('api_key.create', w.organization_id, workspace, actor, NULL, NULL,
		jsonb_build_object('id', key_id, 'prefix', k.prefix, 'label', label,
		                   'restriction', restriction::text, 'expires_at', expires_at));
	RETURN k.key;
END;
$$;
COMMENT ON FUNCTION rbac.create_api_key(text, rbac.scopeset, text, timestamptz) IS
	'creates an API key for the current principal in a workspace and returns it, once; a restriction must lie inside the creator''s reach, and a key made from a token, key or narrowing keeps its bounds';

CREATE OR REPLACE FUNCTION rbac.revoke_api_key(id bigint) RETURNS boolean
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	actor text := rbac.actor();
	k rbac.api_keys;
BEGIN
	SELECT * INTO k FROM rbac.api_keys AS x WHERE x.id = revoke_api_key.id FOR UPDATE;
	-- Whose key it is, and whether it exists, is not for those who may not revoke it.
	IF actor IS NOT NULL AND (NOT FOUND OR NOT rbac.has_scope(
			CASE WHEN k.creator = actor THEN 'api_keys.create' ELSE 'api_keys.manage' END, k.workspace_id)) THEN
		RAISE EXCEPTION USING ERRCODE = '42501',
			MESSAGE = format('permission denied to revoke API key %s', id),
			DETAIL = format('Revoking one''s own key needs api_keys.create, and anyone''s api_keys.manage, in the key''s workspace; principal "%s" lacks it, or there is no such key.', actor),
			HINT = 'Ask someone who holds api_keys.manage in the key''s workspace.';
	END IF;
	IF NOT FOUND THEN
		RAISE EXCEPTION USING ERRCODE = '42704',
			MESSAGE = format('API key %s does not exist', id),
			DETAIL = 'Keys are named by the id rbac.api_keys_of() shows.',
			HINT = 'List the keys with rbac.api_keys_of(workspace).';
	END IF;
	IF k.revoked_at IS NOT NULL THEN
		RETURN false;
	END IF;
	UPDATE rbac.api_keys AS x SET revoked_at = now() WHERE x.id = k.id;
	PERFORM rbac.audit('api_key.revoke',
		(SELECT w.organization_id FROM rbac.workspaces AS w WHERE w.id = k.workspace_id),
		k.workspace_id, k.creator, NULL,
		jsonb_build_object('id', k.id, 'prefix', k.prefix, 'label', k.label), NULL);
	RETURN true;
END;
$$;
COMMENT ON FUNCTION rbac.revoke_api_key(bigint) IS
	'revokes an API key at once; by its creator with api_keys.create, or by anyone with api_keys.manage, in its workspace';

CREATE OR REPLACE FUNCTION rbac.api_keys_of(workspace text)
	RETURNS TABLE (id bigint, prefix text, label text, creator text, restriction rbac.scopeset,
	               created_at timestamptz, expires_at timestamptz, revoked_at timestamptz,
	               status text)
	LANGUAGE plpgsql STABLE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	actor text := rbac.actor();
	everyone boolean := actor IS NULL OR rbac.has_scope('api_keys.manage', workspace);
BEGIN
	PERFORM rbac.workspace_for(actor, workspace, CASE WHEN everyone THEN 'api_keys.manage' ELSE 'api_keys.read' END,
		format('list the API keys of workspace "%s"', workspace));
	RETURN QUERY
	SELECT k.id, k.prefix, k.label, k.creator, k.restriction, k.created_at, k.expires_at,
	       k.revoked_at,
	       CASE WHEN k.revoked_at IS NOT NULL THEN 'revoked'
	            WHEN k.expires_at <= clock_timestamp() THEN 'expired'
	            ELSE 'active' END
	FROM rbac.api_keys AS k
	WHERE k.workspace_id = api_keys_of.workspace AND (everyone OR k.creator = actor)
	ORDER BY k.id;
END;
$$;
COMMENT ON FUNCTION rbac.api_keys_of(text) IS
	'the API keys of a workspace, never their secrets: one''s own with api_keys.read, or all with api_keys.manage';

CREATE OR REPLACE FUNCTION rbac.accessible_organizations(scope text) RETURNS text[]
	AS 'MODULE_PATHNAME', 'rbac_accessible_organizations' LANGUAGE C STABLE PARALLEL SAFE COST 100;
COMMENT ON FUNCTION rbac.accessible_organizations(text) IS
	'the organizations where the current principal holds the scope through an organization role: exactly where has_org_scope(scope, organization) is true';

CREATE OR REPLACE FUNCTION rbac.accessible_organizations_uuid(scope text) RETURNS uuid[]
	AS 'MODULE_PATHNAME', 'rbac_accessible_organizations' LANGUAGE C STABLE PARALLEL SAFE COST 100;
COMMENT ON FUNCTION rbac.accessible_organizations_uuid(text) IS
	'accessible_organizations() as uuid, leaving out ids that are not uuids';

CREATE OR REPLACE FUNCTION rbac.accessible_organizations_bigint(scope text) RETURNS bigint[]
	AS 'MODULE_PATHNAME', 'rbac_accessible_organizations' LANGUAGE C STABLE PARALLEL SAFE COST 100;
COMMENT ON FUNCTION rbac.accessible_organizations_bigint(text) IS
	'accessible_organizations() as bigint, leaving out ids that are not bigints';

-- Every has_scope() overload asks the planner's support function.
DO $$
DECLARE
	f regprocedure;
BEGIN
	FOR f IN SELECT p.oid FROM pg_catalog.pg_proc AS p
	         WHERE p.pronamespace = 'rbac'::regnamespace AND p.proname = 'has_scope'
	LOOP
		EXECUTE format('ALTER FUNCTION %s SUPPORT rbac.check_support', f);
	END LOOP;
END;
$$;

-- ===================================================================
-- Privileges, as a fresh install sets them
-- ===================================================================

-- The installing role's default privileges may have granted rights on what
-- this script created to other roles: take back every grant but the owner's,
-- then grant exactly what is meant.
DO $$
DECLARE
	r record;
BEGIN
	FOR r IN
		SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END AS kind,
		       c.oid::regclass::text AS object, a.grantee
		FROM pg_catalog.pg_class AS c, pg_catalog.aclexplode(c.relacl) AS a
		WHERE c.relnamespace = 'rbac'::regnamespace AND a.grantee <> c.relowner
		UNION ALL
		SELECT CASE p.prokind WHEN 'a' THEN 'FUNCTION' ELSE 'ROUTINE' END,
		       p.oid::regprocedure::text, a.grantee
		FROM pg_catalog.pg_proc AS p, pg_catalog.aclexplode(p.proacl) AS a
		WHERE p.pronamespace = 'rbac'::regnamespace AND a.grantee <> p.proowner
		UNION ALL
		SELECT 'TYPE', t.oid::regtype::text, a.grantee
		FROM pg_catalog.pg_type AS t, pg_catalog.aclexplode(t.typacl) AS a
		WHERE t.typnamespace = 'rbac'::regnamespace AND a.grantee <> t.typowner
		UNION ALL
		SELECT 'SCHEMA', n.nspname::text, a.grantee
		FROM pg_catalog.pg_namespace AS n, pg_catalog.aclexplode(n.nspacl) AS a
		WHERE n.nspname = 'rbac' AND a.grantee <> n.nspowner
	LOOP
		EXECUTE format('REVOKE ALL ON %s %s FROM %s', r.kind, r.object,
		               CASE WHEN r.grantee = 0 THEN 'PUBLIC'
		                    ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(r.grantee)) END);
	END LOOP;
END;
$$;

REVOKE ALL ON ALL TABLES IN SCHEMA rbac FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA rbac FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA rbac FROM PUBLIC;
GRANT USAGE ON SCHEMA rbac TO PUBLIC;
GRANT USAGE ON TYPE rbac.scopeset TO PUBLIC;
GRANT SELECT ON rbac.levels, rbac.scopes, rbac.roles, rbac.resource_types TO PUBLIC;
GRANT SELECT ON rbac.role_catalog TO rbac_admin;

DO $$
DECLARE
	f regprocedure;
	public_functions text[] := ARRAY[
		-- scopeset
		'scopeset_in', 'scopeset_out', 'scopeset_recv', 'scopeset_send', 'cardinality', 'scopes',
		'scopeset_union', 'scopeset_intersect', 'scopeset_minus', 'scopeset_add', 'scopeset_remove',
		'scopeset_contains', 'scopeset_contained', 'scopeset_overlaps', 'scopeset_has',
		'scopeset_has_any', 'scopeset_has_all', 'scopeset_cmp', 'scopeset_eq', 'scopeset_ne',
		'scopeset_lt', 'scopeset_le', 'scopeset_gt', 'scopeset_ge', 'hash_scopeset',
		'hash_scopeset_extended', 'gin_scopeset_compare_keys', 'gin_extract_scopeset',
		'gin_extract_scopeset_query', 'gin_compare_partial_scopeset', 'gin_consistent_scopeset',
		'gin_triconsistent_scopeset', 'scopeset', 'scopeset_to_array', 'union_agg', 'intersect_agg',
		'is_scope_name',
		-- checks
		'current_principal', 'has_scope', 'has_org_scope', 'principal_has_scope',
		'effective_scopes', 'cache_stats', 'level_scopes', 'in_extension_script', 'current_context',
		-- identity: verified tokens and keys, and narrowing, are safe for anyone
		'authenticate_jwt', 'authenticate_api_key', 'narrow', 'current_narrowing', 'context_bounds',
		-- listing
		'accessible_workspaces', 'accessible_workspaces_uuid', 'accessible_workspaces_bigint',
		'accessible_resources', 'accessible_resources_uuid', 'accessible_resources_bigint',
		'accessible_organizations', 'accessible_organizations_uuid', 'accessible_organizations_bigint',
		'has_scope_everywhere'];
	user_functions text[] := ARRAY[
		'create_organization', 'delete_organization', 'create_workspace', 'delete_workspace',
		'grant', 'revoke', 'add_member', 'set_role', 'grant_role', 'revoke_role',
		'grant_resource_role', 'revoke_resource_role', 'remove_member', 'leave_workspace',
		'grant_org_role', 'revoke_org_role', 'transfer_ownership',
		'create_role', 'alter_role', 'drop_role', 'clone_role',
		'members_of', 'who_has', 'explain', 'role_diff', 'role_graph',
		'audit_events', 'audit_export', 'actor',
		'create_api_key', 'revoke_api_key', 'api_keys_of',
		'register_resource_type', 'create_scope', 'retire_scope'];
BEGIN
	FOR f IN
		SELECT p.oid::regprocedure FROM pg_catalog.pg_proc AS p
		WHERE p.pronamespace = 'rbac'::regnamespace AND p.proname = ANY (public_functions)
	LOOP
		EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO PUBLIC', f);
	END LOOP;
	FOR f IN
		SELECT p.oid::regprocedure FROM pg_catalog.pg_proc AS p
		WHERE p.pronamespace = 'rbac'::regnamespace AND p.proname = ANY (user_functions)
	LOOP
		EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO rbac_user', f);
	END LOOP;
END;
$$;
GRANT EXECUTE ON FUNCTION rbac.set_principal(text, boolean) TO rbac_authenticator;

SELECT pg_catalog.pg_extension_config_dump('rbac.scopes', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('rbac.organizations', '');
SELECT pg_catalog.pg_extension_config_dump('rbac.workspaces', '');
SELECT pg_catalog.pg_extension_config_dump('rbac.resource_types', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('rbac.roles', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('rbac.roles_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('rbac.grants', '');
SELECT pg_catalog.pg_extension_config_dump('rbac.grants_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('rbac.audit_log', '');
SELECT pg_catalog.pg_extension_config_dump('rbac.api_keys', '');
SELECT pg_catalog.pg_extension_config_dump('rbac.api_keys_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('rbac.audit_log_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('rbac.deleted_nodes', '');
