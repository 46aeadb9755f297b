-- A fixed scenario of administration, refusals, review, checks, API keys,
-- narrowing and row-level security.  test/hostile/run runs it in a clean
-- database and in hostile ones, and requires the same output from each.
-- Its own SQL calls no operator and names no type unqualified, so that
-- whatever the hostile search_path finds is the extension's doing.  Errors
-- are part of the output: psql goes on after them.

-- The platform operator builds the model.
SELECT rbac.create_organization('hq', 'Headquarters', 'oona');
SELECT rbac.create_workspace('acme', 'Acme', 'olive', 'hq');
SELECT rbac.create_workspace('solo', 'Solo', 'sam', ownership => 'shared');
SELECT rbac.add_member('acme', 'alice', 'admin');
SELECT rbac.add_member('acme', 'vera', 'viewer');
SELECT rbac.grant('dave', 'membership_viewer', 'acme', 'project', 'roadmap');
SELECT rbac.grant_org_role('hq', 'hank', 'member');
SELECT rbac.grant_org_role('hq', 'ola', 'org_admin');
SELECT rbac.grant_org_role('hq', 'ola', 'admin');
SELECT rbac.register_resource_type('epic', 'an epic');
SELECT rbac.create_scope('widgets.read', 'widgets', 'Read widgets', 'read');
SELECT rbac.create_scope('widgets.drop', 'widgets', 'Drop widgets', 'manage', destructive => true);
BEGIN;
SELECT rbac.set_principal('nobody');
SELECT rbac.grant('mallory', 'owner', 'acme');
ROLLBACK;

-- An application table, protected by has_scope and by the listing form.
CREATE TABLE public.documents (id pg_catalog.int4 PRIMARY KEY, workspace_id pg_catalog.text,
                               project_id pg_catalog.text, title pg_catalog.text);
INSERT INTO public.documents VALUES
	(1, 'acme', 'roadmap', 'Q3 roadmap'), (2, 'acme', 'payroll', 'Salary bands'),
	(3, 'solo', NULL, 'Solo notes'), (4, 'acme', NULL, 'Acme handbook');
ALTER TABLE public.documents ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_documents ON public.documents FOR SELECT
	USING (rbac.has_scope('documents.read', workspace_id, 'project', project_id));
CREATE TABLE public.listed (LIKE public.documents);
INSERT INTO public.listed SELECT * FROM public.documents;
ALTER TABLE public.listed ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_listed ON public.listed FOR SELECT USING (
	workspace_id OPERATOR(pg_catalog.=) ANY (rbac.accessible_workspaces('documents.read', 'project'))
	AND rbac.has_scope('documents.read', workspace_id, 'project', project_id));
GRANT SELECT ON public.documents, public.listed TO rbac_hostile_app;

-- Administration acting for principals, through the application's role.
SET ROLE rbac_hostile_app;
BEGIN;
SELECT rbac.set_principal('alice');
SELECT rbac.add_member('acme', 'frank');
SELECT rbac.create_role('doc_editor', 'Document Editor', 'workspace',
                        '{documents.read,documents.edit,documents.comment}', belongs_to_workspace => 'acme');
SELECT rbac.grant_role('acme', 'frank', 'doc_editor');
SELECT rbac.alter_role('doc_editor', 'acme', add_scopes => '{documents.create}');
SELECT rbac.clone_role('viewer', 'auditor', belongs_to_workspace => 'acme');
SELECT rbac.grant_resource_role('acme', 'project', 'roadmap', 'vera', 'membership_planner');
SELECT rbac.revoke_resource_role('acme', 'project', 'roadmap', 'vera', 'membership_planner');
SELECT rbac.set_role('acme', 'vera', 'member');
SELECT rbac.set_role('acme', 'vera', 'viewer');
SELECT rbac.revoke_role('acme', 'frank', 'doc_editor');
SELECT rbac.grant('frank', 'doc_editor', 'acme');
SELECT rbac.drop_role('auditor', belongs_to_workspace => 'acme');
COMMIT;
BEGIN;
SELECT rbac.set_principal('ola');
SELECT rbac.create_workspace('beta', 'Beta', organization => 'hq');
SELECT rbac.create_role('hq_reader', 'HQ Reader', 'workspace', '{documents.read}', belongs_to_organization => 'hq');
SELECT rbac.grant_org_role('hq', 'rita', 'hq_reader');
COMMIT;

-- Refusals: each error is part of the expected output.
BEGIN;
SELECT rbac.set_principal('vera');
SELECT rbac.add_member('acme', 'mallory');
ROLLBACK;
BEGIN;
SELECT rbac.set_principal('alice');
SELECT rbac.set_role('acme', 'olive', 'member');
ROLLBACK;
BEGIN;
SELECT rbac.set_principal('alice');
SELECT rbac.delete_workspace('acme');
ROLLBACK;
BEGIN;
SELECT rbac.set_principal('frank');
SELECT rbac.create_role('sneaky', 'Sneaky', 'workspace', '{entitlements.override}', belongs_to_workspace => 'acme');
ROLLBACK;
BEGIN;
SELECT rbac.set_principal('hank');
SELECT rbac.grant_org_role('hq', 'hank', 'org_owner');
ROLLBACK;

-- Access review.
BEGIN;
SELECT rbac.set_principal('alice');
SELECT * FROM rbac.members_of('acme');
SELECT * FROM rbac.who_has('documents.edit', 'acme');
SELECT * FROM rbac.explain('dave', 'documents.read', 'acme', 'project', 'roadmap');
SELECT * FROM rbac.explain('rita', 'documents.read', 'acme');
SELECT * FROM rbac.role_diff('admin', 'owner');
SELECT * FROM rbac.role_diff('doc_editor', 'member', 'acme');
SELECT rbac.role_graph('acme');
SELECT action, actor, organization_id, workspace_id, target_principal, role_key
FROM rbac.audit_events('acme') ORDER BY id;
COMMIT;
RESET ROLE;

-- Checks, listing and policies for each principal.
CREATE TEMP VIEW scenario_checks AS
SELECT rbac.current_principal(),
       rbac.has_scope('documents.read', 'acme') AS read_acme,
       rbac.has_scope('documents.edit', 'acme') AS edit_acme,
       rbac.has_scope('documents.read', 'acme', 'project', 'roadmap') AS read_roadmap,
       rbac.has_scope('widgets.read', 'acme') AS widgets,
       rbac.has_org_scope('org.read', 'hq') AS org_read,
       rbac.accessible_workspaces('documents.read') AS workspaces,
       rbac.accessible_workspaces('documents.read', 'project') AS with_projects,
       rbac.accessible_resources('documents.read', 'acme', 'project') AS projects,
       rbac.has_scope_everywhere('documents.read', 'acme', 'project') AS everywhere;
GRANT SELECT ON scenario_checks TO rbac_hostile_app;
SET ROLE rbac_hostile_app;
BEGIN;
SELECT rbac.set_principal('olive');
SELECT * FROM scenario_checks;
SELECT rbac.set_principal('alice');
SELECT * FROM scenario_checks;
SELECT rbac.set_principal('vera');
SELECT * FROM scenario_checks;
SELECT rbac.set_principal('frank');
SELECT * FROM scenario_checks;
SELECT rbac.set_principal('dave');
SELECT * FROM scenario_checks;
SELECT rbac.set_principal('hank');
SELECT * FROM scenario_checks;
SELECT rbac.set_principal('rita');
SELECT * FROM scenario_checks;
SELECT rbac.set_principal('nobody');
SELECT * FROM scenario_checks;
COMMIT;
BEGIN;
SELECT rbac.set_principal('dave');
SELECT id, title FROM public.documents ORDER BY id;
SELECT id, title FROM public.listed ORDER BY id;
SELECT rbac.set_principal('hank');
SELECT id, title FROM public.documents ORDER BY id;
SELECT id, title FROM public.listed ORDER BY id;
SELECT rbac.set_principal('nobody');
SELECT id, title FROM public.documents ORDER BY id;
SELECT rbac.set_principal('frank');
SELECT rbac.effective_scopes('frank', 'acme');
SELECT rbac.principal_has_scope('frank', 'documents.edit', 'acme');
SELECT rbac.principal_has_scope('alice', 'documents.edit', 'acme');
COMMIT;

-- Narrowing, as for an agent.
BEGIN;
SELECT rbac.set_principal('alice');
SELECT rbac.narrow('{documents.read,members.invite}');
SELECT rbac.current_narrowing(), rbac.context_bounds('acme');
SELECT rbac.has_scope('documents.read', 'acme'), rbac.has_scope('members.manage', 'acme');
SELECT rbac.add_member('acme', 'walt', 'viewer');
ROLLBACK;

-- An API key, made, used, listed and revoked.
BEGIN;
SELECT rbac.set_principal('frank');
SELECT rbac.create_api_key('acme', '{documents.read}', 'ci') AS key \gset
COMMIT;
BEGIN;
SELECT rbac.authenticate_api_key(:'key');
SELECT rbac.current_principal(), rbac.context_bounds('acme'),
       rbac.has_scope('documents.read', 'acme'), rbac.has_scope('documents.edit', 'acme');
SELECT id, title FROM public.documents ORDER BY id;
COMMIT;
BEGIN;
SELECT rbac.set_principal('frank');
SELECT id, label, creator, restriction, status FROM rbac.api_keys_of('acme');
SELECT rbac.revoke_api_key(id) FROM rbac.api_keys_of('acme');
SELECT id, label, creator, restriction, status FROM rbac.api_keys_of('acme');
COMMIT;
-- A revoked key is refused; the detail names its random prefix, so it is left out.
\set VERBOSITY terse
BEGIN;
SELECT rbac.authenticate_api_key(:'key');
ROLLBACK;
\set VERBOSITY default

-- Ownership, leaving and removal.
BEGIN;
SELECT rbac.set_principal('olive');
SELECT rbac.transfer_ownership('acme', 'alice');
COMMIT;
BEGIN;
SELECT rbac.set_principal('vera');
SELECT rbac.leave_workspace('acme');
COMMIT;
BEGIN;
SELECT rbac.set_principal('alice');
SELECT rbac.remove_member('acme', 'frank');
SELECT rbac.revoke('dave', 'membership_viewer', 'acme', 'project', 'roadmap');
SELECT * FROM rbac.members_of('acme');
COMMIT;
RESET ROLE;

-- The operator takes it all down again.
SELECT rbac.revoke_org_role('hq', 'hank', 'member');
SELECT rbac.revoke_org_role('hq', 'rita', 'hq_reader');
SELECT rbac.drop_role('hq_reader', belongs_to_organization => 'hq');
SELECT rbac.retire_scope('widgets.read');
SELECT rbac.delete_workspace('acme');
SELECT rbac.delete_workspace('beta');
SELECT rbac.delete_organization('hq');
SELECT rbac.delete_workspace('solo');
SELECT id, actor, database_user, action, organization_id, workspace_id, target_principal, role_key
FROM rbac.audit_log ORDER BY id;
SELECT key, name, kind, builtin, assignable, scope_count, member_count FROM rbac.role_catalog;
DROP TABLE public.documents, public.listed;
