-- ===================================================================
-- The audit log: one append-only row for every change to the model
-- ===================================================================

CREATE TABLE rbac.audit_log (
	id bigserial PRIMARY KEY,
	at timestamptz NOT NULL DEFAULT now(),
	actor text,
	database_user name NOT NULL DEFAULT session_user,
	action text NOT NULL,
	organization_id text,
	workspace_id text,
	target_principal text,
	role_key text,
	before jsonb,
	after jsonb,
	context jsonb
);
CREATE INDEX ON rbac.audit_log (workspace_id, at);
CREATE INDEX ON rbac.audit_log (organization_id, at);
COMMENT ON TABLE rbac.audit_log IS
	'one row for every change to the rbac model, written in the same transaction; append-only';
COMMENT ON COLUMN rbac.audit_log.at IS 'when the changing transaction began';
COMMENT ON COLUMN rbac.audit_log.actor IS 'the principal that acted, or NULL for the platform operator';
COMMENT ON COLUMN rbac.audit_log.database_user IS 'the database session user that ran the change';
COMMENT ON COLUMN rbac.audit_log.action IS 'what changed, such as member.add, grant, role.alter or ownership.transfer';
COMMENT ON COLUMN rbac.audit_log.before IS 'the state before the change, or NULL';
COMMENT ON COLUMN rbac.audit_log.after IS 'the state after the change, or NULL';
COMMENT ON COLUMN rbac.audit_log.context IS
	'how the actor acted: where the principal came from, its credential and every bound (token scopes, API key, narrowing), as rbac.current_context() gives it; NULL for the operator';

CREATE FUNCTION rbac.refuse_audit_change() RETURNS trigger
	LANGUAGE plpgsql
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RAISE EXCEPTION USING ERRCODE = '42501',
		MESSAGE = format('cannot %s rbac.audit_log', lower(TG_OP)),
		DETAIL = 'The audit log is append-only for everyone, its owner included.',
		HINT = 'Read it with rbac.audit_events(); rows are never changed or removed.';
END;
$$;
COMMENT ON FUNCTION rbac.refuse_audit_change() IS
	'trigger: refuses UPDATE, DELETE and TRUNCATE of the audit log';

CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON rbac.audit_log
	FOR EACH ROW EXECUTE FUNCTION rbac.refuse_audit_change();
CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON rbac.audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION rbac.refuse_audit_change();
-- Fire even under session_replication_role = replica.
ALTER TABLE rbac.audit_log ENABLE ALWAYS TRIGGER append_only;
ALTER TABLE rbac.audit_log ENABLE ALWAYS TRIGGER append_only_truncate;

CREATE FUNCTION rbac.audit(action text, organization text, workspace text,
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
