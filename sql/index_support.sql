-- Planner support: a policy written the simple way finds its rows through
-- an index.  200 workspaces of 500 documents; carol reads 2 of them (1%),
-- olive all.  has_scope() stays the exact filter on every row found.
SET max_parallel_workers_per_gather = 0;
SELECT count(*) FROM (SELECT rbac.create_workspace('ws_' || i, 'Workspace ' || i, 'olive')
                      FROM generate_series(1, 200) AS i) AS w;
SELECT rbac.grant('carol', 'viewer', 'ws_' || i) IS NOT NULL AS granted FROM generate_series(1, 2) AS i;
SELECT rbac.grant('dave', 'membership_viewer', 'ws_3', 'project', 'p2') IS NOT NULL AS granted;
CREATE TABLE documents (id int PRIMARY KEY, workspace_id text, project_id text, created_at timestamptz);
INSERT INTO documents
SELECT i, 'ws_' || (i % 200 + 1), 'p' || (i % 50), '2026-01-01'::timestamptz - i * interval '1 minute'
FROM generate_series(1, 100000) AS i;
CREATE INDEX ON documents (workspace_id, created_at);
ANALYZE documents;
ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_documents ON documents FOR SELECT
	USING (rbac.has_scope('documents.read', workspace_id, 'project', project_id));
CREATE ROLE rbac_support_app;
GRANT rbac_authenticator TO rbac_support_app;
GRANT SELECT ON documents TO rbac_support_app;
SET ROLE rbac_support_app;

-- The 1% principal: an index scan on the workspaces listed at run time.
SELECT rbac.set_principal('carol', false);
EXPLAIN (COSTS OFF) SELECT count(*) FROM documents;
SELECT count(*) FROM documents;
EXPLAIN (COSTS OFF) SELECT id FROM documents ORDER BY created_at DESC LIMIT 5;
-- Only resource grants: the workspaces they are in, and the filter keeps one project.
SELECT rbac.set_principal('dave', false);
EXPLAIN (COSTS OFF) SELECT count(*) FROM documents;
SELECT count(*) FROM documents;
-- The 100% principal: every workspace, so a sequential scan is cheaper.
SELECT rbac.set_principal('olive', false);
EXPLAIN (COSTS OFF) SELECT count(*) FROM documents;
SELECT count(*) FROM documents;
-- No principal: nothing, and the estimate says so.
SELECT rbac.set_principal(NULL, false);
SELECT count(*) FROM documents;

-- One generic plan, prepared once, answers for each principal.
SET plan_cache_mode = force_generic_plan;
PREPARE visible AS SELECT count(*) FROM documents;
SELECT rbac.set_principal('carol', false);
EXECUTE visible;
SELECT rbac.set_principal('olive', false);
EXECUTE visible;
SELECT rbac.set_principal('dave', false);
EXECUTE visible;
DEALLOCATE visible;
RESET plan_cache_mode;

-- With the support off, the policy is an opaque filter again.
SET rbac.index_support = off;
SELECT rbac.set_principal('carol', false);
EXPLAIN (COSTS OFF) SELECT count(*) FROM documents;
SELECT count(*) FROM documents;
RESET rbac.index_support;
SELECT rbac.set_principal(NULL, false);
RESET ROLE;

-- uuid and bigint columns get the listing in their own type; a hash index
-- serves too; has_org_scope() lists organizations.
CREATE TABLE typed (u uuid, b bigint, o text);
INSERT INTO typed SELECT md5(i::text)::uuid, i, 'org_' || (i % 100) FROM generate_series(1, 20000) AS i;
CREATE INDEX ON typed (u);
CREATE INDEX ON typed USING hash (b);
CREATE INDEX ON typed (o);
ANALYZE typed;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT * FROM typed WHERE rbac.has_scope('documents.read', u);
EXPLAIN (COSTS OFF) SELECT * FROM typed WHERE rbac.has_scope('documents.read', b);
EXPLAIN (COSTS OFF) SELECT * FROM typed WHERE rbac.has_org_scope('org.read', o);
RESET enable_seqscan;
DROP TABLE typed;
DROP TABLE documents;
DROP ROLE rbac_support_app;
