-- ===================================================================
-- Ownership: exactly one Owner, or at least one, at every moment
-- ===================================================================
--
-- Every change that can touch a workspace's Owners first updates the
-- workspace row.  Under READ COMMITTED a concurrent change then waits and
-- counts again with a fresh snapshot; under REPEATABLE READ and SERIALIZABLE
-- it fails with a serialization error.  A deferred constraint trigger on
-- rbac.grants checks the count again at commit, whatever path made the
-- change.

CREATE FUNCTION rbac.owner_role_id() RETURNS bigint
	LANGUAGE sql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
	SELECT r.id FROM rbac.roles AS r WHERE r.builtin AND r.key = 'owner';
$$;
COMMENT ON FUNCTION rbac.owner_role_id() IS
	'the id of the built-in Owner role, the subject of the ownership rules';

CREATE FUNCTION rbac.lock_ownership(workspace text) RETURNS text
	LANGUAGE sql
	SET search_path = pg_catalog, pg_temp
AS $$
	-- An update that changes nothing still writes a row version: under
	-- REPEATABLE READ a concurrent change of Owners then fails to serialize
	-- instead of checking a stale count.  No value moves, so a restored
	-- dump stays identical.
	UPDATE rbac.workspaces AS w SET ownership = w.ownership
	WHERE w.id = lock_ownership.workspace
	RETURNING w.ownership;
$$;
COMMENT ON FUNCTION rbac.lock_ownership(text) IS
	'serializes changes to a workspace''s Owners by updating its row in place; returns its ownership mode';

CREATE FUNCTION rbac.owners_of(workspace text) RETURNS text[]
	LANGUAGE sql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce(array_agg(g.principal ORDER BY g.principal), '{}')
	FROM rbac.grants AS g
	WHERE g.workspace_id = owners_of.workspace AND g.resource_type IS NULL
	  AND g.role_id = rbac.owner_role_id();
$$;
COMMENT ON FUNCTION rbac.owners_of(text) IS
	'the principals holding the Owner role on a workspace';

CREATE FUNCTION rbac.check_ownership_now(workspace text) RETURNS void
	LANGUAGE plpgsql
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	mode text;
	n integer;
BEGIN
	SELECT w.ownership INTO mode FROM rbac.workspaces AS w WHERE w.id = workspace;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	n := cardinality(rbac.owners_of(workspace));
	IF mode = 'single' AND n <> 1 THEN
		RAISE EXCEPTION USING ERRCODE = '23514',
			MESSAGE = format('workspace "%s" must have exactly one Owner', workspace),
			DETAIL = format('This change would leave it with %s.', n),
			HINT = 'Move ownership with rbac.transfer_ownership(); otherwise the Owner cannot be removed, re-roled or leave.';
	END IF;
	IF mode = 'shared' AND n < 1 THEN
		RAISE EXCEPTION USING ERRCODE = '23514',
			MESSAGE = format('workspace "%s" must keep at least one Owner', workspace),
			DETAIL = 'This change would leave it with none.',
			HINT = 'Make another member an Owner first.';
	END IF;
END;
$$;
COMMENT ON FUNCTION rbac.check_ownership_now(text) IS
	'error 23514 unless the workspace has exactly one Owner (single) or at least one (shared)';

-- Deferred, it runs at COMMIT as whoever commits, outside the SECURITY
-- DEFINER function that made the change; it must read the model as its owner.
CREATE FUNCTION rbac.enforce_ownership() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	owner_id bigint := rbac.owner_role_id();
	ws text;
BEGIN
	IF OLD.role_id IS DISTINCT FROM owner_id AND NEW.role_id IS DISTINCT FROM owner_id THEN
		RETURN NULL;
	END IF;
	FOREACH ws IN ARRAY ARRAY[OLD.workspace_id, NEW.workspace_id] LOOP
		CONTINUE WHEN ws IS NULL
			OR NOT EXISTS (SELECT 1 FROM rbac.workspaces AS w WHERE w.id = ws);
		PERFORM rbac.lock_ownership(ws);
		PERFORM rbac.check_ownership_now(ws);
	END LOOP;
	RETURN NULL;
END;
$$;
COMMENT ON FUNCTION rbac.enforce_ownership() IS
	'constraint trigger: at commit, every workspace whose Owners changed still has the Owners its mode requires';

CREATE CONSTRAINT TRIGGER enforce_ownership
	AFTER INSERT OR UPDATE OR DELETE ON rbac.grants
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW
	EXECUTE FUNCTION rbac.enforce_ownership();

-- A principal transfers only its own ownership, and gives the Owner role
-- as it gives any role: its reach there, bounded by its context, must hold
-- every scope of the role.  So a token with scopes, a narrowing or an API
-- key without them (or of another workspace) cannot transfer.
CREATE FUNCTION rbac.require_own_ownership(actor text, workspace text, from_principal text)
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

CREATE FUNCTION rbac.transfer_ownership(workspace text, to_principal text,
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
