-- ===================================================================
-- index benchmark: plans and timing
--
-- For every principal, three queries: count(*) of the visible rows, the
-- newest 50 visible, and the newest 50 visible in one workspace the
-- principal can read (the last two return the sum of the 50 ids, so that
-- a wrong row changes the result).  Each runs under five policies: the
-- simple has_scope() policy, the listing form, EXISTS, IN subqueries, and
-- the simple policy with rbac.index_support = off.
--
-- A query runs as its policy's role (not the owner, no BYPASSRLS), in
-- one warm session, with the principal set by rbac.set_principal() for
-- rbac and app.principal for the hand-written policies, both for the
-- transaction and outside the timer.  Each repetition runs every
-- (principal, query, policy) once, forwards on even repetitions and
-- backwards on odd ones, so the five policies of one principal and query
-- run back to back and none always first.  Repetition 0 is a warm-up:
-- its results are checked like the others, but its times are not in the
-- medians.  The timer is clock_timestamp() around EXECUTE inside the
-- server: no client round trip, no EXPLAIN instrumentation.
--
-- A query of a millisecond or less is at the mercy of the scheduler on a
-- busy machine (one lost time slice is several milliseconds), so each
-- timed run executes a query as many times as make about 20 ms, as
-- measured once before the warm-up, and records the mean; a full count
-- runs once.  Every execution plans the query again, as an application
-- sending it as text would.
--
-- Before timing, each query's plan is recorded (EXPLAIN, same role,
-- principal and setting), so that the report can say which scanned the
-- table through an index.
--
-- psql variables: reps (recorded repetitions).
-- ===================================================================

\set ON_ERROR_STOP on
SET client_min_messages = warning;

-- Load the table, its indexes and the membership tables into shared_buffers.
SELECT pg_prewarm(c.oid)
FROM pg_class c
WHERE c.relkind IN ('r', 'i')
  AND (c.relnamespace = 'public'::regnamespace OR c.relnamespace = 'rbac'::regnamespace) \g /dev/null

CREATE TABLE policy (ord int PRIMARY KEY, name text NOT NULL, role name NOT NULL, index_support boolean NOT NULL);
INSERT INTO policy VALUES
	(1, 'simple', 'bench_simple', true),
	(2, 'listing', 'bench_listing', true),
	(3, 'exists', 'bench_exists', true),
	(4, 'in', 'bench_in', true),
	(5, 'off', 'bench_simple', false);

CREATE TABLE query (ord int PRIMARY KEY, name text NOT NULL, sql text NOT NULL);
INSERT INTO query VALUES
	(1, 'count', 'SELECT count(*) FROM documents'),
	(2, 'newest', 'SELECT coalesce(sum(id), 0) FROM (SELECT id FROM documents ORDER BY created_at DESC LIMIT 50) s'),
	(3, 'newest_in_ws', 'SELECT coalesce(sum(id), 0) FROM (SELECT id FROM documents WHERE workspace_id = %L ORDER BY created_at DESC LIMIT 50) s');

-- Every timed statement: principal x query x policy, in a fixed order.
CREATE TABLE run AS
SELECT row_number() OVER (ORDER BY pr.ord, q.ord, po.ord)::int AS ord,
	pr.id AS principal, q.name AS query, po.name AS policy, po.role, po.index_support,
	format(q.sql, pr.page_workspace) AS sql, e.result AS expect
FROM principal pr CROSS JOIN query q CROSS JOIN policy po
JOIN expected e ON e.principal = pr.id AND e.query = q.name;
ALTER TABLE run ADD PRIMARY KEY (ord);

CREATE TABLE plan (ord int PRIMARY KEY, plan json, loops int);
CREATE TABLE timing (rep int, ord int, ms float8, result bigint);
GRANT SELECT ON run TO bench_app;
GRANT INSERT, SELECT, UPDATE ON plan TO bench_app;
GRANT INSERT ON timing TO bench_app;

-- Become the run's role and say who the principal is, for the rest of the
-- transaction.  The session user is the superuser, who may take any role.
CREATE FUNCTION bench_enter(r run) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM set_config('role', r.role, true);
	PERFORM set_config('rbac.index_support', CASE WHEN r.index_support THEN 'on' ELSE 'off' END, true);
	PERFORM set_config('app.principal', r.principal, true);
	PERFORM rbac.set_principal(r.principal, true);
	IF rbac.current_principal() IS DISTINCT FROM r.principal OR current_user <> r.role THEN
		RAISE EXCEPTION 'could not run as % for %', r.role, r.principal;
	END IF;
	-- The comparison is void unless the policies apply to this role.
	IF EXISTS (SELECT FROM pg_roles WHERE rolname = current_user AND (rolsuper OR rolbypassrls))
	THEN
		RAISE EXCEPTION 'the benchmark must run as a role that row-level security applies to, not %', current_user;
	END IF;
END
$$;

CREATE FUNCTION bench_run(reps int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	r		run;
	t0		timestamptz;
	elapsed	float8;
	res		bigint;
	p		json;
	n		int;
BEGIN
	-- The plans, and how many executions make one timed run.
	FOR r IN SELECT * FROM run ORDER BY ord LOOP
		PERFORM bench_enter(r);
		EXECUTE 'EXPLAIN (FORMAT JSON) ' || r.sql INTO p;
		EXECUTE r.sql INTO res;
		t0 := clock_timestamp();
		EXECUTE r.sql INTO res;
		elapsed := extract(epoch FROM clock_timestamp() - t0) * 1000;
		INSERT INTO plan VALUES (r.ord, p, least(200, greatest(1, ceil(20 / greatest(elapsed, 0.001))))::int);
	END LOOP;

	FOR rep IN 0..reps LOOP
		FOR r IN SELECT * FROM run ORDER BY CASE WHEN rep % 2 = 0 THEN ord ELSE -ord END LOOP
			PERFORM bench_enter(r);
			SELECT loops INTO n FROM plan WHERE ord = r.ord;
			t0 := clock_timestamp();
			FOR i IN 1..n LOOP
				EXECUTE r.sql INTO res;
			END LOOP;
			elapsed := extract(epoch FROM clock_timestamp() - t0) * 1000 / n;
			INSERT INTO timing VALUES (rep, r.ord, elapsed, res);
		END LOOP;
	END LOOP;
END
$$;

SET max_parallel_workers_per_gather = 0;
SELECT bench_run(:reps) \g /dev/null
RESET ROLE;
