-- Logical replication of the model.
--
-- A publication should carry only the rows users make, since both sides
-- ship the built-in ones: a row filter on builtin, which PostgreSQL accepts
-- only when the column is in the replica identity.
ALTER TABLE rbac.scopes REPLICA IDENTITY FULL;
ALTER TABLE rbac.resource_types REPLICA IDENTITY FULL;
ALTER TABLE rbac.roles REPLICA IDENTITY FULL;

-- A subscriber's apply worker runs as a replica and fires only row triggers
-- enabled for replicas, never the statement triggers that tell cached
-- sessions of a change or re-derive the built-in roles.  These do both
-- there, and nowhere else.
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['scopes', 'resource_types', 'roles', 'organizations', 'workspaces',
	                         'grants', 'api_keys'] LOOP
		EXECUTE format('CREATE TRIGGER signal_change_applied AFTER INSERT OR UPDATE OR DELETE
		                ON rbac.%I FOR EACH ROW EXECUTE FUNCTION rbac.signal_change()', t);
		EXECUTE format('ALTER TABLE rbac.%I ENABLE REPLICA TRIGGER signal_change_applied', t);
	END LOOP;
END;
$$;

CREATE TRIGGER rederive_builtin_roles_applied AFTER INSERT OR UPDATE ON rbac.scopes
	FOR EACH ROW EXECUTE FUNCTION rbac.rederive_builtin_roles();
ALTER TABLE rbac.scopes ENABLE REPLICA TRIGGER rederive_builtin_roles_applied;
