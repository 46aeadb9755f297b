-- ===================================================================
-- Identity: verified JWTs, API keys, and narrowing for agents
-- ===================================================================

CREATE FUNCTION rbac.authenticate_jwt(token text, is_local boolean DEFAULT true) RETURNS text
	AS 'MODULE_PATHNAME', 'rbac_authenticate_jwt' LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION rbac.authenticate_jwt(text, boolean) IS
	'verifies a JWT (signature, exp, nbf, aud, iss) and sets the principal to its sub for the transaction or session; its scopes narrow the principal; refusals are SQLSTATE 28000';

CREATE FUNCTION rbac.narrow(scopes rbac.scopeset) RETURNS rbac.scopeset
	AS 'MODULE_PATHNAME', 'rbac_narrow' LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION rbac.narrow(rbac.scopeset) IS
	'narrows the current principal to these scopes for the rest of the transaction; calling it again intersects, and nothing widens it';

CREATE FUNCTION rbac.current_narrowing() RETURNS rbac.scopeset
	AS 'MODULE_PATHNAME', 'rbac_current_narrowing' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION rbac.current_narrowing() IS
	'the scopes rbac.narrow() left in this transaction, or NULL';

-- API keys (seed 001): restricted to a subset of their creator's reach.
CREATE TABLE rbac.api_keys (
	id bigserial PRIMARY KEY,
	prefix text NOT NULL UNIQUE CHECK (prefix ~ '^[0-9a-f]{12}$'),
	secret_hash bytea NOT NULL CHECK (length(secret_hash) = 32),
	workspace_id text NOT NULL REFERENCES rbac.workspaces (id),
	creator text NOT NULL,
	restriction rbac.scopeset,
	label text,
	created_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz,
	revoked_at timestamptz
);
CREATE INDEX ON rbac.api_keys (workspace_id, creator);
COMMENT ON TABLE rbac.api_keys IS
	'API keys: only a public prefix and the SHA-256 of each key are kept, never the key';
COMMENT ON COLUMN rbac.api_keys.restriction IS
	'the most a key may do, within its creator''s current reach; NULL for the creator''s full reach in its workspace';
COMMENT ON COLUMN rbac.api_keys.secret_hash IS 'SHA-256 of the whole key';
CREATE TRIGGER signal_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON rbac.api_keys
	FOR EACH STATEMENT EXECUTE FUNCTION rbac.signal_change();

CREATE FUNCTION rbac.new_api_key(OUT prefix text, OUT key text, OUT hash bytea) RETURNS record
	AS 'MODULE_PATHNAME', 'rbac_new_api_key' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION rbac.new_api_key() IS
	'a fresh key from pg_strong_random: rbac_<12 hex>_<64 hex>, with its prefix and SHA-256';

CREATE FUNCTION rbac.authenticate_api_key(key text, is_local boolean DEFAULT true) RETURNS text
	AS 'MODULE_PATHNAME', 'rbac_authenticate_api_key' LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION rbac.authenticate_api_key(text, boolean) IS
	'sets the principal to the key''s creator, bounded by the key''s workspace and restriction; refusals are SQLSTATE 28000 and never show the key';

CREATE FUNCTION rbac.create_api_key(workspace text, restriction rbac.scopeset DEFAULT NULL,
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

CREATE FUNCTION rbac.revoke_api_key(id bigint) RETURNS boolean
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

CREATE FUNCTION rbac.api_keys_of(workspace text)
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
