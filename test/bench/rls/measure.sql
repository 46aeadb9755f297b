-- ===================================================================
-- rls benchmark: timing
--
-- Every query is SELECT count(*) over one fully cached table, run as the
-- application role bench_app (not the owner, no BYPASSRLS), so that the
-- table's policy applies.  Each repetition runs every query once,
-- forwards on even repetitions and backwards on odd ones, so that no
-- policy always runs first.  Repetition 0 is a warm-up: its counts are
-- checked like the others, but its times are not in the medians.  The
-- timer is clock_timestamp() around EXECUTE inside the server: no client
-- round trip, no EXPLAIN instrumentation.
--
-- has_scope runs twice per repetition, one run right after the other:
-- with the principal set by rbac.set_principal(), and with it taken from
-- request.jwt.claims the way PostgREST sets them (set_config(..., true)
-- at the start of the transaction), with rbac.trust_request_jwt turned on
-- by the superuser.  The principal is set before each query, outside the
-- timer.
--
-- The per-row function is timed on the subset at every repetition, and
-- run once over the full table afterwards, so that its count is checked
-- against the others' (and its time reported) without a minute per
-- repetition.
--
-- psql variables: reps (recorded repetitions).
-- ===================================================================

\set ON_ERROR_STOP on
SET client_min_messages = warning;

-- Load every table and index the queries touch into shared_buffers.
SELECT pg_prewarm(c.oid)
FROM pg_class c
WHERE c.relkind IN ('r', 'i')
  AND (c.relnamespace = 'public'::regnamespace OR c.relnamespace = 'rbac'::regnamespace) \g /dev/null

-- -------------------------------------------------------------------
-- The queries.  policy names what is compared; size is full or subset;
-- via is how the principal is set (set_principal or claims); expect is
-- the count the query must return (from setup's reference).
-- "columns" is a reference, not a policy: the unprotected table filtered
-- on its two id columns, which is what reading them for any per-row
-- check costs before the check itself.
-- -------------------------------------------------------------------
CREATE TABLE query (ord int PRIMARY KEY, policy text, size text, every_rep boolean,
	via text, expect bigint, sql text);
INSERT INTO query
SELECT q.ord, q.policy, q.size, q.every_rep,
	CASE WHEN q.policy = 'has_scope_claims' THEN 'claims' ELSE 'set_principal' END,
	CASE WHEN q.policy IN ('none', 'columns')
		THEN CASE q.size WHEN 'full' THEN :rows ELSE :subset_rows END
		ELSE CASE q.size WHEN 'full' THEN e.full_rows ELSE e.subset_rows END
	END,
	q.sql
FROM expected e, (VALUES
	(1, 'none', 'full', true, 'SELECT count(*) FROM documents_none'),
	(2, 'columns', 'full', true,
		'SELECT count(*) FROM documents_none WHERE workspace_id IS NOT NULL AND project_id IS NOT NULL'),
	(3, 'exists', 'full', true, 'SELECT count(*) FROM documents_exists'),
	(4, 'in', 'full', true, 'SELECT count(*) FROM documents_in'),
	(5, 'initplan', 'full', true, 'SELECT count(*) FROM documents_initplan'),
	(6, 'has_scope', 'full', true, 'SELECT count(*) FROM documents_has_scope'),
	(7, 'has_scope_claims', 'full', true, 'SELECT count(*) FROM documents_has_scope'),
	(8, 'none', 'subset', true, 'SELECT count(*) FROM documents_none_subset'),
	(9, 'function', 'subset', true, 'SELECT count(*) FROM documents_function_subset'),
	(10, 'has_scope', 'subset', true, 'SELECT count(*) FROM documents_has_scope_subset'),
	(11, 'function', 'full', false, 'SELECT count(*) FROM documents_function')
) AS q(ord, policy, size, every_rep, sql);

CREATE TABLE timing (rep int, ord int, ms float8, result bigint);
GRANT SELECT ON query TO bench_app;
GRANT INSERT ON timing TO bench_app;

-- Say who the principal is, one way or the other, for the rest of the
-- transaction, and make sure rbac sees alice.  With claims, rbac's own
-- principal is cleared, so that only request.jwt.claims can name her.
CREATE FUNCTION bench_set_principal(via text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	-- What PostgREST puts in request.jwt.claims for a Supabase-style token.
	claims constant text := '{"aud": "authenticated", "exp": 4102444800, "iat": 1700000000, '
		'"iss": "https://auth.example.com", "sub": "alice", "email": "alice@example.com", '
		'"role": "bench_app", "aal": "aal1", "session_id": "5b0c6c1e-7b34-4c55-9d0c-1f2d3e4f5a6b", '
		'"app_metadata": {"provider": "email", "providers": ["email"]}, "user_metadata": {}}';
BEGIN
	IF via = 'claims' THEN
		PERFORM rbac.set_principal(NULL, true);
		PERFORM set_config('request.jwt.claims', claims, true);
		IF current_setting('rbac.principal') <> '' THEN
			RAISE EXCEPTION 'rbac.principal is set, so the claims would not be read';
		END IF;
	ELSE
		PERFORM set_config('request.jwt.claims', '', true);
		PERFORM rbac.set_principal('alice', true);
	END IF;
	IF rbac.current_principal() IS DISTINCT FROM 'alice' THEN
		RAISE EXCEPTION 'the principal set via % is %, not alice', via, rbac.current_principal();
	END IF;
END
$$;

CREATE FUNCTION bench_run(reps int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	q		record;
	t0		timestamptz;
	elapsed	float8;
	res		bigint;
BEGIN
	-- The comparison is void unless the policies apply to this role.
	IF EXISTS (SELECT FROM pg_roles WHERE rolname = current_user AND (rolsuper OR rolbypassrls))
	   OR EXISTS (SELECT FROM pg_tables WHERE tablename LIKE 'documents%' AND tableowner = current_user)
	THEN
		RAISE EXCEPTION 'the benchmark must run as a role that row-level security applies to, not %', current_user;
	END IF;
	PERFORM bench_set_principal('set_principal');
	IF rbac.current_principal() IS DISTINCT FROM current_setting('app.principal', true) THEN
		RAISE EXCEPTION 'rbac principal % and app.principal % differ',
			rbac.current_principal(), current_setting('app.principal', true);
	END IF;

	FOR rep IN 0..reps LOOP
		FOR q IN
			SELECT ord, via, sql FROM query
			WHERE every_rep
			ORDER BY CASE WHEN rep % 2 = 0 THEN ord ELSE -ord END
		LOOP
			PERFORM bench_set_principal(q.via);
			t0 := clock_timestamp();
			EXECUTE q.sql INTO res;
			elapsed := extract(epoch FROM clock_timestamp() - t0) * 1000;
			INSERT INTO timing VALUES (rep, q.ord, elapsed, res);
		END LOOP;
	END LOOP;

	FOR q IN SELECT ord, via, sql FROM query WHERE NOT every_rep ORDER BY ord LOOP
		PERFORM bench_set_principal(q.via);
		t0 := clock_timestamp();
		EXECUTE q.sql INTO res;
		elapsed := extract(epoch FROM clock_timestamp() - t0) * 1000;
		INSERT INTO timing VALUES (1, q.ord, elapsed, res);
	END LOOP;
END
$$;

-- The application's session: its own role, and app.principal for the
-- baselines; rbac's principal is set per query, for the transaction, since
-- with rbac.trust_request_jwt on a session-level one is refused.  Only a
-- superuser may tell rbac to trust request.jwt.claims, so that is set
-- before the session takes the application's role.
SET rbac.trust_request_jwt = on;
SET ROLE bench_app;
SET app.principal = 'alice';
SET max_parallel_workers_per_gather = 0;
SELECT bench_run(:reps) \g /dev/null
RESET ROLE;
