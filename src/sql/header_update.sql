-- rbac: upgrade script.  Assembled at build time from src/sql/*.sql.

\echo Use "ALTER EXTENSION rbac UPDATE" to load this file. \quit

-- A schema rbac that exists already belongs to whoever made it, and its
-- owner could swap our objects for theirs; install only into our own.
DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_catalog.pg_namespace AS n
	           JOIN pg_catalog.pg_roles AS r ON r.oid = n.nspowner
	           WHERE n.nspname = 'rbac' AND NOT r.rolsuper) THEN
		RAISE EXCEPTION USING ERRCODE = '42501',
			MESSAGE = 'schema rbac belongs to a role that is not a superuser',
			DETAIL = 'Its owner could replace the extension''s objects with their own.',
			HINT = 'Drop the schema, or make a superuser its owner, and install again.';
	END IF;
END;
$$;
