-- What a session may hold in its own temporary schema before it installs,
-- updates or uses rbac: views named like the extension's tables, functions
-- named like built-ins, and domains named like the types the extension's
-- SQL writes unqualified.  Each records any use through
-- public.hostile_called (see plant.sql).  pg_temp comes before pg_catalog
-- in the hostile search_path, and is searched first for relations and
-- types wherever a search_path does not name it.  Planting runs with a safe
-- path, and gives the session back its own.

SET search_path = pg_catalog;

DO $plant$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['levels', 'scopes', 'roles', 'grants', 'workspaces', 'organizations',
	                         'resource_types', 'audit_log', 'api_keys', 'cache_signal', 'role_catalog',
	                         'pg_class', 'pg_proc', 'pg_namespace', 'pg_roles', 'pg_type']
	LOOP
		EXECUTE pg_catalog.format(
			'CREATE TEMP VIEW %I AS SELECT 1 AS id WHERE public.hostile_called(%L)', t, 'pg_temp.' || t);
	END LOOP;
	FOREACH t IN ARRAY ARRAY['text', 'jsonb', 'bytea', 'name', 'uuid', 'int8', 'int4', 'bool',
	                         'timestamptz', 'regclass', 'regprocedure', 'regnamespace', 'regtype',
	                         'scopeset']
	LOOP
		EXECUTE pg_catalog.format(
			'CREATE DOMAIN pg_temp.%I AS pg_catalog.%I CHECK (public.hostile_called(%L))',
			t, CASE t WHEN 'scopeset' THEN 'text' ELSE t END, 'pg_temp.' || t || ' (domain)');
	END LOOP;
END;
$plant$;
CREATE FUNCTION pg_temp.lower(pg_catalog.text) RETURNS pg_catalog.text LANGUAGE sql
	AS $$ SELECT public.hostile_called('pg_temp.lower(text)')::pg_catalog.text $$;
CREATE FUNCTION pg_temp.format(pg_catalog.text, pg_catalog.text) RETURNS pg_catalog.text LANGUAGE sql
	AS $$ SELECT public.hostile_called('pg_temp.format(text, text)')::pg_catalog.text $$;
CREATE FUNCTION pg_temp.now() RETURNS pg_catalog.timestamptz LANGUAGE sql
	AS $$ SELECT CASE WHEN public.hostile_called('pg_temp.now()') THEN pg_catalog.now() END $$;
RESET search_path;
