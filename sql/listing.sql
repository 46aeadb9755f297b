-- listing: the recommended policy shape
--   USING (workspace_id = ANY (rbac.accessible_workspaces(scope, type))
--          AND rbac.has_scope(scope, workspace_id, type, resource_id))
-- lets an index on workspace_id find the candidate rows, for a role that
-- does not own the table, and returns exactly the rows has_scope alone
-- returns.  The uuid- and bigint-keyed forms use their indexes without
-- casts.

-- 20,000 rows in each of three tables, from fixed formulas: 200 workspaces
-- of 10 projects with 10 rows each; the uuid and bigint tables number the
-- same workspaces and projects in their own types.
CREATE TABLE listing_docs_text (id int PRIMARY KEY, workspace_id text, project_id text, body text);
CREATE TABLE listing_docs_uuid (id int PRIMARY KEY, workspace_id uuid, project_id uuid, body text);
CREATE TABLE listing_docs_bigint (id int PRIMARY KEY, workspace_id bigint, project_id bigint, body text);
CREATE FUNCTION listing_ws_uuid(i int) RETURNS uuid LANGUAGE sql IMMUTABLE
  AS $$ SELECT ('00000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid $$;
CREATE FUNCTION listing_project_uuid(j int) RETURNS uuid LANGUAGE sql IMMUTABLE
  AS $$ SELECT ('00000000-0000-4000-9000-' || lpad(j::text, 12, '0'))::uuid $$;
INSERT INTO listing_docs_text
SELECT 100 * (i - 1) + 10 * (j - 1) + k, 'w' || lpad(i::text, 3, '0'), 'p' || j, 'doc'
FROM generate_series(1, 200) AS i, generate_series(1, 10) AS j, generate_series(1, 10) AS k;
INSERT INTO listing_docs_uuid
SELECT 100 * (i - 1) + 10 * (j - 1) + k, listing_ws_uuid(i), listing_project_uuid(j), 'doc'
FROM generate_series(1, 200) AS i, generate_series(1, 10) AS j, generate_series(1, 10) AS k;
INSERT INTO listing_docs_bigint
SELECT 100 * (i - 1) + 10 * (j - 1) + k, 1000 + i, j, 'doc'
FROM generate_series(1, 200) AS i, generate_series(1, 10) AS j, generate_series(1, 10) AS k;
CREATE INDEX ON listing_docs_text (workspace_id);
CREATE INDEX ON listing_docs_uuid (workspace_id);
CREATE INDEX ON listing_docs_bigint (workspace_id);
ANALYZE listing_docs_text, listing_docs_uuid, listing_docs_bigint;

-- The recommended policy, each in its table's own id type.
ALTER TABLE listing_docs_text ENABLE ROW LEVEL SECURITY;
ALTER TABLE listing_docs_uuid ENABLE ROW LEVEL SECURITY;
ALTER TABLE listing_docs_bigint ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_documents ON listing_docs_text FOR SELECT USING (
  workspace_id = ANY (rbac.accessible_workspaces('documents.read', 'project'))
  AND rbac.has_scope('documents.read', workspace_id, 'project', project_id));
CREATE POLICY read_documents ON listing_docs_uuid FOR SELECT USING (
  workspace_id = ANY (rbac.accessible_workspaces_uuid('documents.read', 'project'))
  AND rbac.has_scope('documents.read', workspace_id, 'project', project_id));
CREATE POLICY read_documents ON listing_docs_bigint FOR SELECT USING (
  workspace_id = ANY (rbac.accessible_workspaces_bigint('documents.read', 'project'))
  AND rbac.has_scope('documents.read', workspace_id, 'project', project_id));

-- Grants, the same in each id type:
--   alice  Member of workspaces 3 and 117             200 rows
--   bob    Membership Viewer on project 4 of 10,
--          and on project 7 of 150                      20 rows
--   carol  Viewer on organization acme (20 to 24),
--          Billing Manager of 30 (no documents.read)   500 rows
--   dave   nothing                                       0 rows
--   olive  Owner of every workspace above             1000 rows
DO $$
DECLARE
  i int;
  t text;
  ws text;
  pj int;
BEGIN
  PERFORM rbac.create_organization('acme', 'Acme');
  FOREACH t IN ARRAY ARRAY['text', 'uuid', 'bigint'] LOOP
    FOREACH i IN ARRAY ARRAY[3, 117, 10, 150, 20, 21, 22, 23, 24, 30] LOOP
      ws := CASE t WHEN 'text' THEN 'w' || lpad(i::text, 3, '0')
                   WHEN 'uuid' THEN listing_ws_uuid(i)::text
                   ELSE (1000 + i)::text END;
      PERFORM rbac.create_workspace(ws, t || ' ' || i, 'olive', CASE WHEN i BETWEEN 20 AND 24 THEN 'acme' END);
      IF i IN (3, 117) THEN
        PERFORM rbac.grant('alice', 'member', ws);
      ELSIF i IN (10, 150) THEN
        pj := CASE i WHEN 10 THEN 4 ELSE 7 END;
        PERFORM rbac.grant('bob', 'membership_viewer', ws, 'project',
          CASE t WHEN 'text' THEN 'p' || pj WHEN 'uuid' THEN listing_project_uuid(pj)::text ELSE pj::text END);
      ELSIF i = 30 THEN
        PERFORM rbac.grant('carol', 'billing_manager', ws);
      END IF;
    END LOOP;
  END LOOP;
  PERFORM rbac.grant_org_role('acme', 'carol', 'viewer');
END $$;

-- The reader: neither owner nor superuser, and it may set the principal.
CREATE ROLE regress_listing_reader;
GRANT rbac_authenticator TO regress_listing_reader;
GRANT SELECT ON listing_docs_text, listing_docs_uuid, listing_docs_bigint TO regress_listing_reader;

-- The plans, as the reader under row-level security: an index scan on
-- workspace_id = ANY (...), in each table's own type, with has_scope
-- deciding each candidate row.
SET ROLE regress_listing_reader;
BEGIN;
SELECT FROM rbac.set_principal('alice');
EXPLAIN (COSTS OFF) SELECT id, body FROM listing_docs_text;
EXPLAIN (COSTS OFF) SELECT id, body FROM listing_docs_uuid;
EXPLAIN (COSTS OFF) SELECT id, body FROM listing_docs_bigint;
-- The lists the index scans start from.
SELECT rbac.accessible_workspaces('documents.read', 'project');
SELECT rbac.accessible_workspaces_uuid('documents.read', 'project');
SELECT rbac.accessible_workspaces_bigint('documents.read', 'project');
-- bob holds documents.read only on two projects: no workspace lists it
-- whole, and the candidates for the project policy are those two.
SELECT FROM rbac.set_principal('bob');
SELECT rbac.accessible_workspaces('documents.read') AS whole,
       rbac.accessible_workspaces('documents.read', 'project') AS candidates;
SELECT rbac.accessible_resources('documents.read', 'w010', 'project') AS text_projects,
       rbac.accessible_resources_uuid('documents.read', listing_ws_uuid(10), 'project') AS uuid_projects,
       rbac.accessible_resources_bigint('documents.read', 1010::bigint, 'project') AS bigint_projects;
COMMIT;
RESET ROLE;

-- What each principal sees: under the policy as the reader, and by
-- has_scope alone in a sequential scan as the owner.
CREATE TABLE listing_seen (tbl text, principal text, via text, id int);
GRANT INSERT ON listing_seen TO regress_listing_reader;
CREATE FUNCTION listing_collect(via text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  p text;
  t text;
BEGIN
  FOREACH p IN ARRAY ARRAY['alice', 'bob', 'carol', 'dave', 'olive'] LOOP
    PERFORM rbac.set_principal(p);
    FOREACH t IN ARRAY ARRAY['listing_docs_text', 'listing_docs_uuid', 'listing_docs_bigint'] LOOP
      EXECUTE format('INSERT INTO listing_seen SELECT %L, %L, %L, id FROM %I', t, p, via, t)
        || CASE via WHEN 'has_scope'
             THEN ' WHERE rbac.has_scope(''documents.read'', workspace_id, ''project'', project_id)'
             ELSE '' END;
    END LOOP;
  END LOOP;
  PERFORM rbac.set_principal(NULL);
END $$;

SET ROLE regress_listing_reader;
BEGIN;
SELECT listing_collect('policy');
COMMIT;
RESET ROLE;

BEGIN;
SET LOCAL enable_indexscan = off;
SET LOCAL enable_bitmapscan = off;
SELECT FROM rbac.set_principal('alice');
EXPLAIN (COSTS OFF)
SELECT id FROM listing_docs_text WHERE rbac.has_scope('documents.read', workspace_id, 'project', project_id);
SELECT listing_collect('has_scope');
COMMIT;

-- The same rows, counted, and compared id by id.
SELECT t.tbl, p.principal,
  count(s.id) FILTER (WHERE s.via = 'policy') AS policy,
  count(s.id) FILTER (WHERE s.via = 'has_scope') AS has_scope
FROM (VALUES ('listing_docs_text'), ('listing_docs_uuid'), ('listing_docs_bigint')) AS t(tbl)
CROSS JOIN (VALUES ('alice'), ('bob'), ('carol'), ('dave'), ('olive')) AS p(principal)
LEFT JOIN listing_seen AS s ON (s.tbl, s.principal) = (t.tbl, p.principal)
GROUP BY t.tbl, p.principal ORDER BY t.tbl, p.principal;

(SELECT tbl, principal, id FROM listing_seen WHERE via = 'policy'
 EXCEPT ALL SELECT tbl, principal, id FROM listing_seen WHERE via = 'has_scope')
UNION ALL
(SELECT tbl, principal, id FROM listing_seen WHERE via = 'has_scope'
 EXCEPT ALL SELECT tbl, principal, id FROM listing_seen WHERE via = 'policy');

-- And they are the rows of the grants: the workspace and projects of each
-- row, from its id, in the text table (the others are checked equal above).
SELECT principal, (id - 1) / 100 + 1 AS workspace,
  array_agg(DISTINCT (id - 1) / 10 % 10 + 1) AS projects, count(*) AS rows
FROM listing_seen WHERE via = 'policy' AND tbl = 'listing_docs_text'
GROUP BY 1, 2 ORDER BY 1, 2;

DROP TABLE listing_seen, listing_docs_text, listing_docs_uuid, listing_docs_bigint;
DROP FUNCTION listing_collect(text), listing_ws_uuid(int), listing_project_uuid(int);
DROP ROLE regress_listing_reader;
