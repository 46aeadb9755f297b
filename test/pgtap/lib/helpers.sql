-- Helpers shared by pgTAP files: \ir lib/helpers.sql after BEGIN.  They live
-- in pg_temp, so they vanish with the session and no file depends on
-- another's leftovers.

-- Every rbac table (row counts and a digest of every row) and every rbac
-- sequence: a refused call that changed anything, even a sequence, which
-- no rollback undoes, shows here.
CREATE FUNCTION pg_temp.model_fingerprint() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r record;
	part text;
	result text := '';
BEGIN
	FOR r IN SELECT c.relname, c.relkind FROM pg_catalog.pg_class AS c
	         WHERE c.relnamespace = 'rbac'::regnamespace AND c.relkind IN ('r', 'S')
	         ORDER BY c.relname
	LOOP
		IF r.relkind = 'S' THEN
			EXECUTE format('SELECT last_value || '' '' || is_called FROM rbac.%I', r.relname) INTO part;
		ELSE
			EXECUTE format('SELECT count(*) || '' '' || coalesce(md5(string_agg(x::text, ''|'' ORDER BY x::text)), '''')
			                FROM rbac.%I AS x', r.relname) INTO part;
		END IF;
		result := result || r.relname || ' ' || part || E'\n';
	END LOOP;
	RETURN result;
END $$;

-- base64url without padding, as JWS writes it.
CREATE FUNCTION pg_temp.b64url(b bytea) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT translate(rtrim(replace(encode(b, 'base64'), E'\n', ''), '='), '+/', '-_')
$$;

-- A JWT of these claims, signed HS256 with this secret (pgcrypto's hmac).
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE FUNCTION pg_temp.hs256(claims text, secret text) RETURNS text LANGUAGE sql STABLE AS $$
	SELECT t.input || '.' || pg_temp.b64url(hmac(convert_to(t.input, 'UTF8'), convert_to(secret, 'UTF8'), 'sha256'))
	FROM (SELECT pg_temp.b64url(convert_to('{"alg":"HS256","typ":"JWT"}', 'UTF8')) || '.' ||
		pg_temp.b64url(convert_to(claims, 'UTF8')) AS input) AS t
$$;

-- The SQLSTATE a statement raises, or 'no error'.  Whatever it changed is
-- undone either way, but a sequence it advanced stays advanced.
CREATE FUNCTION pg_temp.sqlstate_of(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	state text;
BEGIN
	BEGIN
		BEGIN
			EXECUTE stmt;
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE;
			RETURN state;
		END;
		RAISE EXCEPTION USING ERRCODE = 'P0099', MESSAGE = 'undo';
	EXCEPTION WHEN SQLSTATE 'P0099' THEN
		RETURN 'no error';
	END;
END $$;
