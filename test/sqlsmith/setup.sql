-- A scratch database for sqlsmith: the extension with a populated model,
-- and application tables with scopesets and row-level security.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
CREATE EXTENSION rbac;

SELECT rbac.create_organization('o1', 'Org', 'olive');
SELECT rbac.create_workspace('w' || i, 'Workspace ' || i, 'olive', CASE WHEN i % 2 = 0 THEN 'o1' END)
FROM generate_series(1, 20) AS i;
SELECT rbac.grant('p' || i, (ARRAY['member', 'viewer', 'lead', 'planner', 'billing_manager'])[1 + i % 5],
                  'w' || (1 + i % 20))
FROM generate_series(1, 200) AS i;
SELECT rbac.grant('p' || i, 'membership_viewer', 'w' || (1 + i % 20), 'project', 'pr' || (i % 7))
FROM generate_series(1, 100) AS i;
SELECT rbac.create_role('reviewer', 'Reviewer', 'workspace', '{documents.read,documents.comment}',
                        belongs_to_workspace => 'w1');
SELECT rbac.grant_org_role('o1', 'p7', 'viewer');

CREATE TABLE public.documents (
	id bigint PRIMARY KEY,
	workspace_id text NOT NULL,
	project_id text NOT NULL,
	scopes rbac.scopeset NOT NULL,
	title text
);
INSERT INTO public.documents
SELECT i, 'w' || (1 + i % 20), 'pr' || (i % 7),
       ('{documents.read,agents:agent-' || (i % 13) || ':run' || CASE WHEN i % 5 = 0 THEN ',chat.*' ELSE '' END || '}')::rbac.scopeset,
       'document ' || i
FROM generate_series(1, 2000) AS i;
CREATE INDEX ON public.documents USING gin (scopes);
CREATE INDEX ON public.documents (workspace_id);
ALTER TABLE public.documents ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.documents FORCE ROW LEVEL SECURITY;
CREATE POLICY read_documents ON public.documents FOR SELECT
	USING (rbac.has_scope('documents.read', workspace_id, 'project', project_id));
CREATE POLICY write_documents ON public.documents FOR ALL
	USING (rbac.has_scope('documents.edit', workspace_id, 'project', project_id));
ANALYZE;
