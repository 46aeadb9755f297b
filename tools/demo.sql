-- The showcase that `make demo` runs.  Each step prints what it shows.
\pset footer off
\pset null '(null)'
\set SHOW_CONTEXT never
SET search_path = rbac, public;

\echo
\echo '== 1. A scopeset is a set of scopes, stored canonically'
\echo '   Input may repeat, be in any order, and hold scopes a wildcard covers.'
SELECT '{ members.manage , billing.read, members.manage, agents:*:run, agents:web:run }'::scopeset
       AS "canonical form";

\echo
\echo '== 2. Wildcards match exactly one segment, and the separator is part of the name'
SELECT s AS "scope", '{agents:*:run}'::scopeset ? s AS "covered by {agents:*:run}"
FROM unnest(ARRAY['agents:web:run', 'agents:*:run', 'agents:run', 'agents.web.run',
                  'agents:web:run:now']) AS s;

\echo
\echo '== 3. Set algebra: a Member plus a project grant, narrowed by a token'
WITH r(member, project_grant, token) AS (
  SELECT '{documents.read,chat.open,runs.start}'::scopeset,
         '{documents.read,documents.edit}'::scopeset,
         '{documents.*,chat.open}'::scopeset)
SELECT member | project_grant AS "union (reach only adds)",
       (member | project_grant) & token AS "intersect with token",
       member - '{runs.*}'::scopeset AS "difference"
FROM r;

\echo
\echo '== 4. Containment and overlap'
SELECT a, b, a @> b AS "a @> b", a <@ b AS "a <@ b", a && b AS "a && b"
FROM (VALUES ('{documents.*}'::scopeset, '{documents.read,documents.edit}'::scopeset),
             ('{documents.read}', '{documents.*}'),
             ('{agents:*:run}', '{*:web:run}'),
             ('{billing.read}', '{members.manage}')) AS t(a, b);

\echo
\echo '== 5. Tokens carry scopes as a JSON array or an OAuth scope string'
SELECT '["agents:my-agent:run", "documents.read"]'::jsonb::scopeset AS "from a scopes claim",
       '"openid documents.read  documents.read"'::jsonb::scopeset AS "from a scope string";

\echo
\echo '== 6. Aggregates: the reach of several roles, and what they share'
SELECT union_agg(s) AS "union_agg", intersect_agg(s) AS "intersect_agg"
FROM (VALUES ('{documents.read,chat.open,runs.start}'::scopeset),
             ('{documents.read,plans.manage}'),
             ('{documents.*}')) AS roles(s);

\echo
\echo '== 7. A GIN index finds rows whose wildcards cover the scope asked for'
CREATE TEMP TABLE api_tokens AS
SELECT i AS id,
       CASE
         WHEN i % 5000 = 0 THEN '{agents:*:run}'::scopeset
         WHEN i % 5000 = 1 THEN '{*:agent-8:run,documents.*}'::scopeset
         WHEN i % 2 = 0 THEN ('{agents:agent-' || i || ':run}')::scopeset
         ELSE '{documents.read}'::scopeset
       END AS scopes
FROM generate_series(1, 20000) AS i;
CREATE INDEX ON api_tokens USING gin (scopes);
ANALYZE api_tokens;
EXPLAIN (COSTS OFF) SELECT id, scopes FROM api_tokens WHERE scopes ? 'agents:agent-8:run' ORDER BY id;
SELECT id, scopes AS "tokens that may run agent-8"
FROM api_tokens WHERE scopes ? 'agents:agent-8:run' ORDER BY id;

\echo
\echo '== 8. A typo is an error, with the element and where it went wrong'
\set VERBOSITY verbose
\set ON_ERROR_STOP off
SELECT '{members.manage, billing..read}'::scopeset;
\set ON_ERROR_STOP on
\set VERBOSITY default

\echo
\echo '== 9. Roles are bundles of scopes; built-in roles stack like boxes in boxes'
SELECT key AS role, kind, cardinality(scopes) AS scopes,
       (SELECT string_agg(o.key, ', ' ORDER BY o.id) FROM rbac.roles AS o
        WHERE o.kind = r.kind AND o.id <> r.id AND o.scopes <@ r.scopes) AS contains
FROM rbac.roles AS r ORDER BY id;

\echo
\echo '== 10. One workspace, four people, one table with row-level security'
\echo '   olive owns acme; carol is a Member; dave views one project; erin sees the bills.'
\o /dev/null
SELECT rbac.create_workspace('acme', 'Acme', owner => 'olive');
SELECT rbac.grant('carol', 'member', 'acme');
SELECT rbac.grant('dave', 'membership_viewer', 'acme', 'project', 'roadmap');
SELECT rbac.grant('erin', 'billing_manager', 'acme');

CREATE TABLE documents (
  id int PRIMARY KEY,
  workspace_id text NOT NULL,
  project_id text NOT NULL,
  title text NOT NULL
);
INSERT INTO documents VALUES
  (1, 'acme', 'roadmap', 'Q3 roadmap'),
  (2, 'acme', 'roadmap', 'Launch checklist'),
  (3, 'acme', 'payroll', 'Salary bands'),
  (4, 'acme', 'hiring', 'Interview loop');
ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_documents ON documents FOR SELECT
  USING (rbac.has_scope('documents.read', workspace_id, 'project', project_id));

-- The application connects as an ordinary role that may set the principal.
CREATE ROLE demo_app;
GRANT rbac_authenticator TO demo_app;
GRANT SELECT ON documents TO demo_app;
SET ROLE demo_app;

CREATE TEMP TABLE seen (who text, why text, titles text);
SELECT rbac.set_principal('carol', false);
INSERT INTO seen SELECT 'carol', 'Member of acme', string_agg(title, ', ' ORDER BY id) FROM documents;
SELECT rbac.set_principal('dave', false);
INSERT INTO seen SELECT 'dave', 'Membership Viewer on project roadmap', string_agg(title, ', ' ORDER BY id) FROM documents;
SELECT rbac.set_principal('erin', false);
INSERT INTO seen SELECT 'erin', 'Billing Manager: licensing, no work', coalesce(string_agg(title, ', ' ORDER BY id), '(nothing)') FROM documents;
SELECT rbac.set_principal(NULL, false);
INSERT INTO seen SELECT 'nobody', 'no principal: fail closed', coalesce(string_agg(title, ', ' ORDER BY id), '(nothing)') FROM documents;
\o
SELECT who, why, titles AS "documents visible" FROM seen;

\echo
\echo '== 11. A grant takes effect at the next statement: dave becomes a Viewer of acme'
\o /dev/null
RESET ROLE;
SELECT rbac.grant('dave', 'viewer', 'acme');
SET ROLE demo_app;
SELECT rbac.set_principal('dave', false);
\o
SELECT 'dave' AS who, string_agg(title, ', ' ORDER BY id) AS "documents visible now" FROM documents;
\o /dev/null
RESET ROLE;
SELECT rbac.set_principal(NULL, false);
\o

\echo
\echo '== 12. Governance: people administer the workspace as themselves'
\echo '   olive (Owner) invites alice as Admin; alice invites frank as a Member.'
\o /dev/null
SELECT rbac.set_principal('olive', false);
SELECT rbac.add_member('acme', 'alice', 'admin');
SELECT rbac.set_principal('alice', false);
SELECT rbac.add_member('acme', 'frank');
\o
SELECT principal, roles, resource_roles, scope_count FROM rbac.members_of('acme');

\echo
\echo '== 13. Refused: a Member cannot invite, and an Admin cannot touch the Owner'
\echo '   (no rule names the Owner: olive holds tenant.delete, which alice does not)'
\set ON_ERROR_STOP off
\o /dev/null
SELECT rbac.set_principal('frank', false);
\o
SELECT rbac.add_member('acme', 'mallory');
\o /dev/null
SELECT rbac.set_principal('alice', false);
\o
SELECT rbac.set_role('acme', 'olive', 'member');
\set ON_ERROR_STOP on

\echo
\echo '== 14. Ownership moves only by transfer; the previous Owner stays as Admin'
\o /dev/null
SELECT rbac.set_principal('olive', false);
SELECT rbac.transfer_ownership('acme', 'alice');
\o
SELECT rbac.owners_of('acme') AS "owners of acme now";

\echo
\echo '== 15. The audit trail: one append-only row per change'
\o /dev/null
SELECT rbac.set_principal('alice', false);
\o
SELECT to_char(at, 'HH24:MI:SS') AS at, coalesce(actor, '(operator)') AS actor, action,
       target_principal AS target, role_key AS role
FROM rbac.audit_events('acme');
\o /dev/null
SELECT rbac.set_principal(NULL, false);
\o

\echo
\echo '== 16. Roles as boxes in boxes, drawn from the data as Mermaid'
SELECT rbac.role_graph() AS role_graph \gset
\echo :role_graph

\echo
\echo '== 17. A verified token: carol''s request, signed by the identity provider'
\echo '   Its scopes claim {documents.read, chat.open} narrows what carol''s Member grants allow.'
SET rbac.jwt_secret = :'secret';
SET ROLE demo_app;
BEGIN;
\o /dev/null
SELECT rbac.authenticate_jwt(:'token');
\o
SELECT rbac.current_principal() AS principal,
       rbac.has_scope('documents.read', 'acme') AS "documents.read",
       rbac.has_scope('runs.start', 'acme') AS "runs.start (Member yes, token no)",
       (SELECT count(*) FROM documents) AS "documents visible";
COMMIT;
\set ON_ERROR_STOP off
SELECT rbac.authenticate_jwt(:'token' || 'x');
\set ON_ERROR_STOP on
RESET ROLE;

\echo
\echo '== 18. An agent acting for carol is carol, narrowed to what the agent may do'
BEGIN;
\o /dev/null
SELECT rbac.set_principal('carol');
SELECT rbac.narrow('{documents.read,chat.send}');
\o
SELECT rbac.current_narrowing() AS narrowing,
       rbac.has_scope('documents.read', 'acme') AS "documents.read",
       rbac.has_scope('runs.start', 'acme') AS "runs.start (carol yes, agent no)";
COMMIT;

\echo
\echo '== 19. An API key: at most what its creator may do, and only in its workspace'
\o /dev/null
SELECT rbac.set_principal('frank', false);
SELECT rbac.create_api_key('acme', '{documents.read}', 'reporting job') AS api_key \gset
SELECT rbac.set_principal(NULL, false);
SELECT rbac.authenticate_api_key(:'api_key', false);
\o
SELECT rbac.current_principal() AS "acts for",
       rbac.has_scope('documents.read', 'acme') AS "documents.read",
       rbac.has_scope('runs.start', 'acme') AS "runs.start (outside the key)";
\echo '   The key cannot even list keys: api_keys.read lies outside its restriction.'
\set ON_ERROR_STOP off
SELECT id FROM rbac.api_keys_of('acme');
\set ON_ERROR_STOP on
\echo '   frank himself lists his keys.'
\o /dev/null
SELECT rbac.set_principal('frank', false);
\o
SELECT id, prefix, label, creator, restriction, status FROM rbac.api_keys_of('acme');
\o /dev/null
SELECT rbac.set_principal(NULL, false);
\o
