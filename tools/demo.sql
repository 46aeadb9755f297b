-- The showcase that `make demo` runs.  Each step prints what it shows.
\pset footer off
\pset null '(null)'
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
