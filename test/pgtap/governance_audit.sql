-- The audit log: exactly one row for every change (workspace and
-- organization create and delete, member add and remove, grant, revoke, role
-- create, alter and drop, ownership transfer, scope create and retire),
-- written in the same transaction, with the actor, the database session
-- user, the action, the organization and workspace, the target principal
-- and role, and before/after as jsonb.  No row for a rolled-back or refused
-- change, none for a change that changes nothing.  Append-only: UPDATE,
-- DELETE and TRUNCATE are refused for everyone, the superuser who owns the
-- table included, also under session_replication_role = replica.
-- audit_events needs audit.read and audit_export needs audit.export, which
-- Billing Manager, Admin and Owner hold and Member does not.
BEGIN;
SELECT plan(92);
SET LOCAL client_min_messages = error;

CREATE ROLE rbac_gov_plain NOLOGIN IN ROLE rbac_user;
CREATE ROLE rbac_gov_writer NOLOGIN;
GRANT USAGE ON SCHEMA rbac TO rbac_gov_writer;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON rbac.audit_log TO rbac_gov_writer;

-- Runs a change and describes the audit rows it wrote, one line each:
-- action|actor|organization|workspace|target|role ('-' for NULL).
CREATE FUNCTION pg_temp.audit_of(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	last bigint := (SELECT coalesce(max(id), 0) FROM rbac.audit_log);
BEGIN
	EXECUTE stmt;
	RETURN (SELECT string_agg(concat_ws('|', a.action, coalesce(a.actor, '-'), coalesce(a.organization_id, '-'),
	                                    coalesce(a.workspace_id, '-'), coalesce(a.target_principal, '-'),
	                                    coalesce(a.role_key, '-')), E'\n' ORDER BY a.id)
	        FROM rbac.audit_log AS a WHERE a.id > last);
END $$;

-- The last audit row, for its before and after.
CREATE FUNCTION pg_temp.last_row() RETURNS rbac.audit_log LANGUAGE sql AS $$
	SELECT * FROM rbac.audit_log ORDER BY id DESC LIMIT 1;
$$;

-- 'SQLSTATE: detail' of the error a statement raises, or 'no error';
-- whatever the statement changed is undone either way.
CREATE FUNCTION pg_temp.refusal(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	state text;
	detail text;
BEGIN
	BEGIN
		BEGIN
			EXECUTE stmt;
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, detail = PG_EXCEPTION_DETAIL;
			RETURN state || coalesce(': ' || nullif(detail, ''), '');
		END;
		RAISE EXCEPTION USING ERRCODE = 'P0099', MESSAGE = 'undo';
	EXCEPTION WHEN SQLSTATE 'P0099' THEN
		RETURN 'no error';
	END;
END $$;

-- ===================================================================
-- One row per change, for every kind of change
-- ===================================================================

SELECT is(pg_temp.audit_of($$ SELECT rbac.create_organization('globex', 'Globex') $$),
	'organization.create|-|globex|-|-|org_owner', 'organization create: one row, by the operator (NULL actor)');
SELECT is((pg_temp.last_row()).after ->> 'name', 'Globex', 'with the organization in after');
SELECT is(pg_temp.audit_of($$ SELECT rbac.create_workspace('acme', 'Acme', 'olive', 'globex') $$),
	'workspace.create|-|globex|acme|olive|owner', 'workspace create: one row naming the Owner');
SELECT is((pg_temp.last_row()).after, '{"name": "Acme", "owner": "olive", "ownership": "single", "organization": "globex"}'::jsonb,
	'with the new workspace in after');
SELECT FROM rbac.set_principal('olive');
SELECT is(pg_temp.audit_of($$ SELECT rbac.add_member('acme', 'alice', 'admin') $$),
	'member.add|olive|globex|acme|alice|admin', 'member add: one row, by the acting principal');
SELECT is((pg_temp.last_row()).after, '[{"role": "admin", "resource_id": null, "resource_type": null}]'::jsonb,
	'with the member''s roles in after');
SELECT ok((pg_temp.last_row()).before IS NULL, 'and no before');
SELECT FROM rbac.set_principal('alice');
SELECT is(pg_temp.audit_of($$ SELECT rbac.add_member('acme', 'frank') $$),
	'member.add|alice|globex|acme|frank|member', 'member add by an Admin');
SELECT is(pg_temp.audit_of($$ SELECT rbac.set_role('acme', 'frank', 'viewer') $$),
	'member.set_role|alice|globex|acme|frank|viewer', 'role change: one row');
SELECT is(concat_ws(' -> ', (pg_temp.last_row()).before, (pg_temp.last_row()).after),
	'[{"role": "member", "resource_id": null, "resource_type": null}] -> [{"role": "viewer", "resource_id": null, "resource_type": null}]',
	'with the roles before and after');
SELECT is(pg_temp.audit_of($$ SELECT rbac.grant_role('acme', 'frank', 'lead') $$),
	'grant|alice|globex|acme|frank|lead', 'grant: one row');
SELECT is(pg_temp.audit_of($$ SELECT rbac.grant_role('acme', 'frank', 'lead') $$), NULL,
	'granting a role already held changes nothing and writes no row');
SELECT is(pg_temp.audit_of($$ SELECT rbac.grant_resource_role('acme', 'project', 'p1', 'frank', 'membership_planner') $$),
	'grant|alice|globex|acme|frank|membership_planner', 'resource grant: one row');
SELECT is((pg_temp.last_row()).after, '{"resource_id": "p1", "resource_type": "project"}'::jsonb, 'naming the resource in after');
SELECT is(pg_temp.audit_of($$ SELECT rbac.revoke_resource_role('acme', 'project', 'p1', 'frank', 'membership_planner') $$),
	'revoke|alice|globex|acme|frank|membership_planner', 'resource revoke: one row');
SELECT is((pg_temp.last_row()).before, '{"resource_id": "p1", "resource_type": "project"}'::jsonb, 'naming the resource in before');
SELECT is(pg_temp.audit_of($$ SELECT rbac.revoke_role('acme', 'frank', 'lead') $$),
	'revoke|alice|globex|acme|frank|lead', 'revoke: one row');
SELECT is(pg_temp.audit_of($$ SELECT rbac.revoke_role('acme', 'frank', 'lead') $$), NULL,
	'revoking a role not held changes nothing and writes no row');
SELECT FROM rbac.set_principal(NULL);
SELECT is(pg_temp.audit_of($$ SELECT rbac.grant_org_role('globex', 'gus', 'viewer') $$),
	'grant|-|globex|-|gus|viewer', 'organization grant (a global role): one row');
SELECT is(pg_temp.audit_of($$ SELECT rbac.revoke_org_role('globex', 'gus', 'viewer') $$),
	'revoke|-|globex|-|gus|viewer', 'organization revoke: one row');

-- Custom roles, in a workspace outside any organization.
SELECT FROM rbac.create_workspace('solo', 'Solo', 'sam');
SELECT FROM rbac.set_principal('sam');
SELECT is(pg_temp.audit_of($$ SELECT rbac.create_role('doc_editor', 'Document Editor', 'workspace', '{documents.read,documents.edit}', belongs_to_workspace => 'solo') $$),
	'role.create|sam|-|solo|-|doc_editor', 'role create: one row');
SELECT is((pg_temp.last_row()).after ->> 'scopes', '{documents.edit,documents.read}', 'with the role in after');
SELECT is(pg_temp.audit_of($$ SELECT rbac.alter_role('doc_editor', 'solo', add_scopes => '{documents.comment}') $$),
	'role.alter|sam|-|solo|-|doc_editor', 'role alter: one row');
SELECT is(concat_ws(' -> ', (pg_temp.last_row()).before ->> 'scopes', (pg_temp.last_row()).after ->> 'scopes'),
	'{documents.edit,documents.read} -> {documents.comment,documents.edit,documents.read}', 'with the scopes before and after');
SELECT is(pg_temp.audit_of($$ SELECT rbac.drop_role('doc_editor', belongs_to_workspace => 'solo') $$),
	'role.drop|sam|-|solo|-|doc_editor', 'role drop: one row');
SELECT is((pg_temp.last_row()).before ->> 'key', 'doc_editor', 'with the dropped role in before');
SELECT is(pg_temp.audit_of($$ SELECT rbac.create_role('helper', 'Helper', 'workspace', '{documents.read}', belongs_to_workspace => 'solo') $$),
	'role.create|sam|-|solo|-|helper', 'another role');
SELECT FROM rbac.add_member('solo', 'hal', 'helper');
SELECT is(pg_temp.audit_of($$ SELECT rbac.drop_role('helper', 'viewer', 'solo') $$),
	'role.drop|sam|-|solo|-|helper', 'dropping a held role with reassignment writes one row, not one per moved grant');
SELECT is((pg_temp.last_row()).after, '{"grants": 1, "reassigned_to": "viewer"}'::jsonb, 'recording the reassignment');

-- Ownership, removal and leaving.
SELECT FROM rbac.set_principal('olive');
SELECT is(pg_temp.audit_of($$ SELECT rbac.transfer_ownership('acme', 'alice') $$),
	'ownership.transfer|olive|globex|acme|alice|owner', 'ownership transfer: one row, not one per grant it moves');
SELECT is(concat_ws(' -> ', (pg_temp.last_row()).before, (pg_temp.last_row()).after),
	'{"owners": ["olive"]} -> {"owners": ["alice"]}', 'with the Owners before and after');
SELECT FROM rbac.set_principal('alice');
SELECT is(pg_temp.audit_of($$ SELECT rbac.remove_member('acme', 'frank') $$),
	'member.remove|alice|globex|acme|frank|-', 'member remove: one row');
SELECT is((pg_temp.last_row()).before, '[{"role": "viewer", "resource_id": null, "resource_type": null}]'::jsonb,
	'with the member''s roles in before');
SELECT FROM rbac.set_principal('olive');
SELECT is(pg_temp.audit_of($$ SELECT rbac.leave_workspace('acme') $$),
	'member.leave|olive|globex|acme|olive|-', 'leaving: one row');

-- The catalog.
SELECT FROM rbac.set_principal(NULL);
SELECT is(pg_temp.audit_of($$ SELECT rbac.create_scope('epics.archive', 'planning', 'Archive epics', 'plan') $$),
	'scope.create|-|-|-|-|-', 'scope create: one row');
SELECT is((pg_temp.last_row()).after ->> 'name', 'epics.archive', 'with the scope in after');
SELECT is(pg_temp.audit_of($$ SELECT rbac.retire_scope('epics.archive') $$),
	'scope.retire|-|-|-|-|-', 'scope retire: one row');
SELECT is(concat_ws(' -> ', (pg_temp.last_row()).before ->> 'retired', (pg_temp.last_row()).after ->> 'retired'),
	'false -> true', 'with the scope before and after');
SELECT is(pg_temp.audit_of($$ SELECT rbac.retire_scope('epics.archive') $$), NULL,
	'retiring it again changes nothing and writes no row');

-- Deletion, and the history staying.
SELECT FROM rbac.set_principal('alice');
SELECT is(pg_temp.audit_of($$ SELECT rbac.delete_workspace('acme') $$),
	'workspace.delete|alice|globex|acme|-|-', 'workspace delete: one row');
SELECT is((pg_temp.last_row()).before ->> 'name', 'Acme', 'with the workspace in before');
SELECT FROM rbac.set_principal(NULL);
SELECT is(pg_temp.audit_of($$ SELECT rbac.delete_organization('globex') $$),
	'organization.delete|-|globex|-|-|-', 'organization delete: one row');
SELECT is((SELECT array_agg(action ORDER BY id) FROM rbac.audit_log WHERE workspace_id = 'acme'),
	ARRAY['workspace.create', 'member.add', 'member.add', 'member.set_role', 'grant', 'grant', 'revoke', 'revoke',
	      'ownership.transfer', 'member.remove', 'member.leave', 'workspace.delete'],
	'the deleted workspace''s whole history stays, one row per change');

SELECT is_empty($$ SELECT id FROM rbac.audit_log WHERE database_user IS DISTINCT FROM session_user $$,
	'every row records the database session user');
SELECT is_empty($$ SELECT id FROM rbac.audit_log WHERE at IS DISTINCT FROM now() $$,
	'every row records the time its transaction began');

-- ===================================================================
-- No row for a rolled-back or a refused change
-- ===================================================================

SELECT FROM rbac.create_workspace('books', 'Books', 'owen');
DO $$
BEGIN
	PERFORM rbac.add_member('books', m.p, m.r)
	FROM (VALUES ('bill', 'billing_manager'), ('ann', 'admin'), ('mia', 'member'), ('vic', 'viewer'),
	             ('lee', 'lead'), ('pam', 'planner'), ('oli', 'workspace_operator')) AS m(p, r);
END $$;
SELECT count(*) AS rows_before FROM rbac.audit_log \gset

SAVEPOINT undone;
SELECT FROM rbac.set_principal('ann');
SELECT FROM rbac.add_member('books', 'temp');
SELECT FROM rbac.create_role('tmp', 'Tmp', 'workspace', '{documents.read}', belongs_to_workspace => 'books');
SELECT is((SELECT count(*) FROM rbac.audit_log), :rows_before + 2::bigint, 'inside the savepoint the two changes are audited');
ROLLBACK TO SAVEPOINT undone;
RELEASE SAVEPOINT undone;
SELECT is((SELECT count(*) FROM rbac.audit_log), :rows_before::bigint, 'a rolled-back change leaves no audit row');

SELECT is(pg_temp.refusal(v.sql), v.expected, v.description)
FROM (VALUES
	($$ SELECT rbac.set_principal('mia'); SELECT rbac.add_member('books', 'temp') $$,
		'42501: Principal "mia" lacks the scope members.invite in workspace "books".', 'a refused invitation'),
	($$ SELECT rbac.set_principal('ann'); SELECT rbac.set_role('books', 'owen', 'admin') $$,
		'42501: It involves scopes outside the reach of principal "ann" in workspace "books": {tenant.delete}.',
		'a refused escalation'),
	($$ SELECT rbac.set_principal('owen'); SELECT rbac.leave_workspace('books') $$,
		'23514: This change would leave it with 0.', 'a refused Owner leaving'),
	($$ SELECT rbac.set_principal('ann'); SELECT rbac.create_role('x', 'X', 'workspace', '{tenant.delete}', belongs_to_workspace => 'books', confirm_destructive => true) $$,
		'42501: It involves scopes outside the reach of principal "ann" in workspace "books": {tenant.delete}.',
		'a refused role')
) AS v(sql, expected, description);
SELECT FROM rbac.set_principal(NULL);
SELECT is((SELECT count(*) FROM rbac.audit_log), :rows_before::bigint, 'refused changes leave no audit row');

-- ===================================================================
-- Append-only, for everyone
-- ===================================================================

SELECT is((SELECT tableowner::text FROM pg_tables WHERE schemaname = 'rbac' AND tablename = 'audit_log'), current_user::text,
	'the test runs as the table''s owner');
SELECT ok((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), 'who is a superuser');
SELECT throws_ok(v.sql, '42501', v.message, v.description)
FROM (VALUES
	($$ UPDATE rbac.audit_log SET actor = 'mallory' $$, 'cannot update rbac.audit_log', 'the superuser owner cannot UPDATE the audit log'),
	($$ DELETE FROM rbac.audit_log $$, 'cannot delete rbac.audit_log', 'nor DELETE from it'),
	($$ DELETE FROM rbac.audit_log WHERE workspace_id = 'acme' $$, 'cannot delete rbac.audit_log', 'nor DELETE the history of a deleted workspace'),
	($$ TRUNCATE rbac.audit_log $$, 'cannot truncate rbac.audit_log', 'nor TRUNCATE it')
) AS v(sql, message, description);

SET LOCAL session_replication_role = replica;
SELECT throws_ok(v.sql, '42501', NULL, v.description)
FROM (VALUES
	($$ UPDATE rbac.audit_log SET actor = 'mallory' $$, 'under session_replication_role = replica, UPDATE is still refused'),
	($$ DELETE FROM rbac.audit_log $$, 'and DELETE'),
	($$ TRUNCATE rbac.audit_log $$, 'and TRUNCATE')
) AS v(sql, description);
SET LOCAL session_replication_role = origin;

SET LOCAL ROLE rbac_gov_writer;
SELECT throws_ok(v.sql, '42501', NULL, v.description)
FROM (VALUES
	($$ UPDATE rbac.audit_log SET actor = 'mallory' $$, 'a role granted UPDATE on the table is still refused'),
	($$ DELETE FROM rbac.audit_log $$, 'and one granted DELETE'),
	($$ TRUNCATE rbac.audit_log $$, 'and one granted TRUNCATE')
) AS v(sql, description);
RESET ROLE;

SET LOCAL ROLE rbac_gov_plain;
SELECT throws_ok(v.sql, '42501', NULL, v.description)
FROM (VALUES
	($$ INSERT INTO rbac.audit_log (action) VALUES ('forged') $$, 'rbac_user cannot insert a forged row'),
	($$ SELECT * FROM rbac.audit_log $$, 'nor read the table directly'),
	($$ SELECT rbac.audit('forged', NULL, 'books', NULL, NULL, NULL, NULL) $$, 'nor call the internal audit writer')
) AS v(sql, description);
RESET ROLE;
SELECT is((SELECT count(*) FROM rbac.audit_log), :rows_before::bigint, 'the audit log is as it was');

-- ===================================================================
-- audit_events needs audit.read, audit_export needs audit.export
-- ===================================================================

SELECT is(pg_temp.refusal(format($$ SELECT rbac.set_principal('%s'); SELECT * FROM rbac.audit_events('books') $$, p)),
          CASE WHEN allowed THEN 'no error'
               ELSE format('42501: Principal "%s" lacks the scope audit.read in workspace "books".', p) END,
          format('audit_events: a%s %s %s read the audit log (audit.read)',
                 CASE WHEN role ~ '^[AEIOU]' THEN 'n' ELSE '' END, role, CASE WHEN allowed THEN 'may' ELSE 'may not' END))
FROM (VALUES ('owen', 'Owner', true), ('ann', 'Admin', true), ('bill', 'Billing Manager', true),
             ('mia', 'Member', false), ('vic', 'Viewer', false), ('lee', 'Lead', false), ('pam', 'Planner', false),
             ('oli', 'Workspace Operator', false)) AS v(p, role, allowed);
SELECT is(pg_temp.refusal(format($$ SELECT rbac.set_principal('%s'); SELECT * FROM rbac.audit_export('books') $$, p)),
          CASE WHEN allowed THEN 'no error'
               ELSE format('42501: Principal "%s" lacks the scope audit.export in workspace "books".', p) END,
          format('audit_export: a%s %s %s export the audit log (audit.export)',
                 CASE WHEN role ~ '^[AEIOU]' THEN 'n' ELSE '' END, role, CASE WHEN allowed THEN 'may' ELSE 'may not' END))
FROM (VALUES ('owen', 'Owner', true), ('ann', 'Admin', true), ('bill', 'Billing Manager', true),
             ('mia', 'Member', false), ('vic', 'Viewer', false)) AS v(p, role, allowed);

-- The two scopes are separate: a role with audit.read alone cannot export.
SELECT FROM rbac.create_role('audit_reader', 'Audit Reader', 'workspace', '{audit.read}', belongs_to_workspace => 'books');
SELECT FROM rbac.grant_role('books', 'mia', 'audit_reader');
SELECT is(pg_temp.refusal($$ SELECT rbac.set_principal('mia'); SELECT * FROM rbac.audit_events('books') $$), 'no error',
	'with a role holding audit.read, a Member reads the audit log');
SELECT is(pg_temp.refusal($$ SELECT rbac.set_principal('mia'); SELECT * FROM rbac.audit_export('books') $$),
	'42501: Principal "mia" lacks the scope audit.export in workspace "books".', 'but still cannot export it');

-- What they return: the workspace's rows, in order, within the time range.
SELECT FROM rbac.set_principal('bill');
SELECT results_eq($$ SELECT id FROM rbac.audit_events('books') $$,
	$$ SELECT id FROM rbac.audit_log WHERE workspace_id = 'books' ORDER BY id $$,
	'audit_events returns every row of the workspace, in order');
SELECT is((SELECT count(*)::int FROM rbac.audit_events('books')), 10,
	'the create, seven invitations, a role create and a grant');
SELECT is_empty($$ SELECT id FROM rbac.audit_events('books') WHERE workspace_id <> 'books' $$,
	'and no row of another workspace');
SELECT is((SELECT count(*)::int FROM rbac.audit_events('books', since => now())), 10, 'since is inclusive');
SELECT is((SELECT count(*)::int FROM rbac.audit_events('books', until => now())), 0, 'until is exclusive');
SELECT is((SELECT count(*)::int FROM rbac.audit_events('books', since => now() + interval '1 second')), 0,
	'nothing after since');
SELECT results_eq($$ SELECT * FROM rbac.audit_export('books') $$, $$ SELECT * FROM rbac.audit_events('books') $$,
	'audit_export returns the same rows, every column, for COPY ... TO STDOUT');
SELECT is(pg_get_function_result('rbac.audit_export(text, timestamptz, timestamptz)'::regprocedure), 'SETOF rbac.audit_log',
	'the export has the audit log''s columns');
SELECT ok(NOT has_function_privilege('public', 'rbac.audit_export(text, timestamptz, timestamptz)', 'EXECUTE')
          AND has_function_privilege('rbac_user', 'rbac.audit_export(text, timestamptz, timestamptz)', 'EXECUTE'),
	'the export is rbac_user''s, not PUBLIC''s');
SELECT FROM rbac.set_principal(NULL);

SELECT * FROM finish();
ROLLBACK;
