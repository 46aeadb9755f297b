-- ===================================================================
-- coldstart benchmark: one long session, as a pooled connection lives
--
-- Another session (a dblink connection to the same database) commits a
-- grant or a revoke of viewer to the principal about to be checked, on a
-- workspace of the churn list that no timed check asks about.  A change to
-- a principal's grants drops every cached entry of that principal, so the
-- next check in this session reads its entry again: a real miss, counted
-- in cold_miss.  Each procedure commits between steps, so every check runs
-- in a transaction of its own, as an application's statements do.
--
--   invalidation  p_0007 in ws_00601: the first check after the change,
--                 the same check again (warm), and the baseline function;
--   scale         the same three for solo (1 grant) in ws_00001, wide
--                 (10,000 workspaces) in ws_05000, and m_050000 in "big"
--                 (100,000 members), each after its own change, and the
--                 EXISTS form of the baseline for reference;
--   entries       wide over its first N workspaces in one query right
--                 after a change (N new entries), the same query again
--                 (N cache hits), and the baseline function per row.
--
-- Single checks are timed inside the server with clock_timestamp()
-- around the one call; queries with clock_timestamp() around EXECUTE, and
-- with this backend's CPU time (backend_cpu_us(), see setup.sql).
-- Repetition 0 is a warm-up, left out of the medians.
--
-- psql variables: reps, entries_small, entries_large, large_reps (runs of
-- the entries_large query and of its baseline).
-- ===================================================================

\set ON_ERROR_STOP on
SET client_min_messages = warning;

-- The other session.
SELECT dblink_connect('bench_writer',
	format('host=%s port=%s dbname=%s user=%s',
		split_part(current_setting('unix_socket_directories'), ',', 1),
		current_setting('port'), current_database(), current_user)) \g /dev/null

CREATE SEQUENCE churn_seq;

-- Commit a change in the other session: grant, then revoke, viewer to
-- churn on one workspace after another.  Returns when the change has
-- committed, so its invalidation is already queued for this backend.
CREATE FUNCTION writer_change(who text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	n bigint := nextval('churn_seq') - 1;
	ws text := (SELECT workspace_id FROM churn WHERE k = n / 2 % 1000 + 1);
	sql text;
BEGIN
	IF n % 2 = 0 THEN
		sql := format('SELECT rbac.grant(%L, %L, %L)::text', who, 'viewer', ws);
	ELSE
		sql := format('SELECT rbac.revoke(%L, %L, %L)::text', who, 'viewer', ws);
	END IF;
	PERFORM * FROM dblink('bench_writer', sql) AS t(result text);
END
$$;

-- Time one check of documents.read for the current principal (or, with
-- method 'sql' or 'exists', the baseline or its EXISTS form for the given
-- principal), and store it with the baseline's answer, computed after the
-- clock stops.
CREATE FUNCTION record_check(scenario text, rep int, method text, who text, ws text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF method = 'has_scope' THEN
		WITH s AS MATERIALIZED (
			SELECT clock_timestamp() AS t0, rbac.has_scope('documents.read', ws) AS r,
				clock_timestamp() AS t1)
		INSERT INTO timing
		SELECT scenario, rep, extract(epoch FROM s.t1 - s.t0) * 1e6, s.r::int,
			sql_has_scope(who, 'documents.read', ws)::int
		FROM s;
	ELSIF method = 'sql' THEN
		WITH s AS MATERIALIZED (
			SELECT clock_timestamp() AS t0, sql_has_scope(who, 'documents.read', ws) AS r,
				clock_timestamp() AS t1)
		INSERT INTO timing
		SELECT scenario, rep, extract(epoch FROM s.t1 - s.t0) * 1e6, s.r::int, s.r::int
		FROM s;
	ELSE
		WITH s AS MATERIALIZED (
			SELECT clock_timestamp() AS t0, sql_exists_has_scope(who, 'documents.read', ws) AS r,
				clock_timestamp() AS t1)
		INSERT INTO timing
		SELECT scenario, rep, extract(epoch FROM s.t1 - s.t0) * 1e6, s.r::int,
			sql_has_scope(who, 'documents.read', ws)::int
		FROM s;
	END IF;
END
$$;

-- Whether the first check after a change really read its entry: the
-- cache's miss count before and after it.
CREATE TABLE cold_miss (scenario text, rep int, misses bigint, invalidations bigint);

CREATE FUNCTION cache_counts(OUT misses bigint, OUT invalidations bigint)
LANGUAGE sql AS $$ SELECT misses, invalidations FROM rbac.cache_stats() $$;

CREATE PROCEDURE bench_invalidation(reps int)
LANGUAGE plpgsql AS $$
DECLARE
	before record;
	after record;
BEGIN
	PERFORM rbac.set_principal('p_0007', false);
	FOR rep IN 0..reps LOOP
		PERFORM writer_change('p_0007');
		COMMIT;
		before := cache_counts();
		PERFORM record_check('inval_first', rep, 'has_scope', 'p_0007', 'ws_00601');
		after := cache_counts();
		INSERT INTO cold_miss VALUES ('inval_first', rep, after.misses - before.misses,
			after.invalidations - before.invalidations);
		COMMIT;
		PERFORM record_check('inval_again', rep, 'has_scope', 'p_0007', 'ws_00601');
		COMMIT;
		PERFORM record_check('inval_sql', rep, 'sql', 'p_0007', 'ws_00601');
		COMMIT;
	END LOOP;
END
$$;

CREATE TABLE scale_target (ord int PRIMARY KEY, name text, principal text, workspace_id text);
INSERT INTO scale_target VALUES
	(1, 'solo', 'solo', 'ws_00001'),
	(2, 'wide', 'wide', 'ws_05000'),
	(3, 'big', 'm_050000', 'big');

CREATE PROCEDURE bench_scale(reps int)
LANGUAGE plpgsql AS $$
DECLARE
	t record;
	before record;
	after record;
BEGIN
	FOR rep IN 0..reps LOOP
		FOR t IN SELECT * FROM scale_target ORDER BY (ord + rep) % 3 LOOP
			PERFORM rbac.set_principal(t.principal, false);
			PERFORM writer_change(t.principal);
			COMMIT;
			before := cache_counts();
			PERFORM record_check('scale_cold_' || t.name, rep, 'has_scope', t.principal, t.workspace_id);
			after := cache_counts();
			INSERT INTO cold_miss VALUES ('scale_cold_' || t.name, rep, after.misses - before.misses,
				after.invalidations - before.invalidations);
			COMMIT;
			PERFORM record_check('scale_warm_' || t.name, rep, 'has_scope', t.principal, t.workspace_id);
			COMMIT;
			PERFORM record_check('scale_sql_' || t.name, rep, 'sql', t.principal, t.workspace_id);
			COMMIT;
			PERFORM record_check('scale_exists_' || t.name, rep, 'exists', t.principal, t.workspace_id);
			COMMIT;
		END LOOP;
	END LOOP;
END
$$;

-- Time one query; returns microseconds (wall clock and this backend's
-- CPU) and the count.
CREATE FUNCTION time_query(sql text, n int, OUT us float8, OUT result bigint, OUT cpu_us float8)
LANGUAGE plpgsql AS $$
DECLARE
	t0 timestamptz;
	c0 float8;
BEGIN
	c0 := backend_cpu_us();
	t0 := clock_timestamp();
	EXECUTE sql INTO result USING n;
	us := extract(epoch FROM clock_timestamp() - t0) * 1e6;
	cpu_us := backend_cpu_us() - c0;
END
$$;

CREATE PROCEDURE bench_entries(reps int, n int, baseline_reps int)
LANGUAGE plpgsql AS $$
DECLARE
	q_rbac text := 'SELECT count(*) FROM wide_ws WHERE n <= $1 AND rbac.has_scope(''documents.read'', id)';
	q_sql text := 'SELECT count(*) FROM wide_ws WHERE n <= $1 AND sql_has_scope(''wide'', ''documents.read'', id)';
	expect bigint := (SELECT count(*) FROM wide_ws w WHERE w.n <= bench_entries.n);
	r record;
	before record;
	after record;
BEGIN
	PERFORM rbac.set_principal('wide', false);
	FOR rep IN 0..reps LOOP
		PERFORM writer_change('wide');
		COMMIT;
		before := cache_counts();
		r := time_query(q_rbac, n);
		after := cache_counts();
		INSERT INTO timing VALUES ('entries_cold_' || n, rep, r.us, r.result, expect, r.cpu_us);
		INSERT INTO cold_miss VALUES ('entries_cold_' || n, rep, after.misses - before.misses,
			after.invalidations - before.invalidations);
		COMMIT;
		r := time_query(q_rbac, n);
		INSERT INTO timing VALUES ('entries_warm_' || n, rep, r.us, r.result, expect, r.cpu_us);
		COMMIT;
		IF rep <= baseline_reps THEN
			r := time_query(q_sql, n);
			INSERT INTO timing VALUES ('entries_sql_' || n, rep, r.us, r.result, expect, r.cpu_us);
			COMMIT;
		END IF;
	END LOOP;
END
$$;

-- Warm the session: the rbac plans switch to their generic form after a
-- few executions, as in any long-lived connection.
SELECT rbac.set_principal('wide', false) \g /dev/null
SELECT count(*) FROM wide_ws WHERE n > 9900 AND rbac.has_scope('documents.read', id) \g /dev/null

CALL bench_invalidation(:reps);
CALL bench_scale(:reps);
CALL bench_entries(:reps, :entries_small, :reps);
CALL bench_entries(:large_reps, :entries_large, :large_reps);

SELECT dblink_disconnect('bench_writer') \g /dev/null
