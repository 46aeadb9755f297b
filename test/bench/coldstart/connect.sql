-- ===================================================================
-- coldstart benchmark: one new connection
--
-- Run once per connection by the run script, which opens a fresh one
-- each time.  The principal is set first (as an application does, and so
-- that loading the library is not in the timed part), then four checks
-- are timed, each inside the server with clock_timestamp() around the
-- single call, in a materialized CTE so that the three expressions run in
-- order:
--   first   the first check of the connection: its caches, the rbac
--           plans and the scope catalog are all cold;
--   again   the same check in the next statement: a cache hit;
--   next    a check of the principal's next workspace: a new entry, with
--           the plans and catalog already loaded;
--   tenth   a check of a tenth workspace, after seven more (untimed, in
--           one statement): a new entry once the connection has settled.
-- With method 'sql' the same questions go to the baseline, the plain SQL
-- function sql_has_scope().  Each answer is stored with the one the
-- baseline table "pair" expects.
--
-- psql variables: rep, method (has_scope or sql), principal, ws, ws2,
-- others (a text[] literal of seven more workspaces), ws10.
-- ===================================================================

\set ON_ERROR_STOP on
SET client_min_messages = warning;
SELECT rbac.set_principal(:'principal', false) \g /dev/null
SELECT :'method' = 'has_scope' AS is_rbac \gset

\if :is_rbac
WITH s AS MATERIALIZED (
	SELECT clock_timestamp() AS t0, rbac.has_scope('documents.read', :'ws') AS r, clock_timestamp() AS t1)
INSERT INTO timing SELECT 'connect_first', :rep, extract(epoch FROM s.t1 - s.t0) * 1e6, s.r::int,
	(SELECT p.expect::int FROM pair p WHERE p.principal = :'principal' AND p.workspace_id = :'ws')
FROM s;
WITH s AS MATERIALIZED (
	SELECT clock_timestamp() AS t0, rbac.has_scope('documents.read', :'ws') AS r, clock_timestamp() AS t1)
INSERT INTO timing SELECT 'connect_again', :rep, extract(epoch FROM s.t1 - s.t0) * 1e6, s.r::int,
	(SELECT p.expect::int FROM pair p WHERE p.principal = :'principal' AND p.workspace_id = :'ws')
FROM s;
WITH s AS MATERIALIZED (
	SELECT clock_timestamp() AS t0, rbac.has_scope('documents.read', :'ws2') AS r, clock_timestamp() AS t1)
INSERT INTO timing SELECT 'connect_next', :rep, extract(epoch FROM s.t1 - s.t0) * 1e6, s.r::int,
	(SELECT p.expect::int FROM pair p WHERE p.principal = :'principal' AND p.workspace_id = :'ws2')
FROM s;
SELECT count(*) FROM unnest(:'others'::text[]) AS w WHERE rbac.has_scope('documents.read', w) \g /dev/null
WITH s AS MATERIALIZED (
	SELECT clock_timestamp() AS t0, rbac.has_scope('documents.read', :'ws10') AS r, clock_timestamp() AS t1)
INSERT INTO timing SELECT 'connect_tenth', :rep, extract(epoch FROM s.t1 - s.t0) * 1e6, s.r::int,
	(SELECT p.expect::int FROM pair p WHERE p.principal = :'principal' AND p.workspace_id = :'ws10')
FROM s;
\else
WITH s AS MATERIALIZED (
	SELECT clock_timestamp() AS t0, sql_has_scope(:'principal', 'documents.read', :'ws') AS r, clock_timestamp() AS t1)
INSERT INTO timing SELECT 'connect_sql_first', :rep, extract(epoch FROM s.t1 - s.t0) * 1e6, s.r::int,
	(SELECT p.expect::int FROM pair p WHERE p.principal = :'principal' AND p.workspace_id = :'ws')
FROM s;
WITH s AS MATERIALIZED (
	SELECT clock_timestamp() AS t0, sql_has_scope(:'principal', 'documents.read', :'ws') AS r, clock_timestamp() AS t1)
INSERT INTO timing SELECT 'connect_sql_again', :rep, extract(epoch FROM s.t1 - s.t0) * 1e6, s.r::int,
	(SELECT p.expect::int FROM pair p WHERE p.principal = :'principal' AND p.workspace_id = :'ws')
FROM s;
WITH s AS MATERIALIZED (
	SELECT clock_timestamp() AS t0, sql_has_scope(:'principal', 'documents.read', :'ws2') AS r, clock_timestamp() AS t1)
INSERT INTO timing SELECT 'connect_sql_next', :rep, extract(epoch FROM s.t1 - s.t0) * 1e6, s.r::int,
	(SELECT p.expect::int FROM pair p WHERE p.principal = :'principal' AND p.workspace_id = :'ws2')
FROM s;
SELECT count(*) FROM unnest(:'others'::text[]) AS w WHERE sql_has_scope(:'principal', 'documents.read', w) \g /dev/null
WITH s AS MATERIALIZED (
	SELECT clock_timestamp() AS t0, sql_has_scope(:'principal', 'documents.read', :'ws10') AS r, clock_timestamp() AS t1)
INSERT INTO timing SELECT 'connect_sql_tenth', :rep, extract(epoch FROM s.t1 - s.t0) * 1e6, s.r::int,
	(SELECT p.expect::int FROM pair p WHERE p.principal = :'principal' AND p.workspace_id = :'ws10')
FROM s;
\endif
