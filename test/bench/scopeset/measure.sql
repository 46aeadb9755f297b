-- ===================================================================
-- scopeset benchmark: timing
--
-- Every query is a sequential scan of one fully cached table.  Each
-- repetition runs all queries once, forwards on even repetitions and
-- backwards on odd ones, so baseline and ours alternate and neither
-- always runs first.  Repetition 0 is a warm-up and is not recorded.
-- The timer is clock_timestamp() around EXECUTE inside the server, so
-- the figures hold no client round trip and no EXPLAIN instrumentation.
--
-- psql variables: reps (recorded repetitions).
-- ===================================================================

\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET search_path = public, rbac;

-- Load the tables into shared_buffers.
SELECT pg_prewarm(t) FROM unnest('{t_int,t_ss,t_text,t_wild}'::regclass[]) AS t \g /dev/null

-- -------------------------------------------------------------------
-- The queries.  op groups what is compared; impl is the representation:
-- intarray (t_int), scopeset (t_ss) and text[] (t_text) hold the same
-- sets; scopeset+wild (t_wild) holds them with three patterns added.
-- -------------------------------------------------------------------
CREATE TABLE query (ord int PRIMARY KEY, op text, impl text, sql text);

INSERT INTO query
SELECT row_number() OVER (), op, impl, sql
FROM (VALUES
	('scan', 'intarray', 'SELECT count(*) FROM t_int'),
	('scan', 'scopeset', 'SELECT count(*) FROM t_ss'),
	('scan', 'text[]', 'SELECT count(*) FROM t_text'),
	('scan', 'scopeset+wild', 'SELECT count(*) FROM t_wild'),
	('@>', 'intarray', format('SELECT count(*) FROM t_int WHERE s @> %L::int[]',
		(SELECT ids FROM const WHERE op = 'contains'))),
	('@>', 'scopeset', format('SELECT count(*) FROM t_ss WHERE s @> %L::rbac.scopeset',
		(SELECT ss FROM const WHERE op = 'contains'))),
	('@>', 'text[]', format('SELECT count(*) FROM t_text WHERE s @> %L::text[]',
		(SELECT names FROM const WHERE op = 'contains'))),
	('@>', 'scopeset+wild', format('SELECT count(*) FROM t_wild WHERE s @> %L::rbac.scopeset',
		(SELECT ss FROM const WHERE op = 'contains'))),
	('&&', 'intarray', format('SELECT count(*) FROM t_int WHERE s && %L::int[]',
		(SELECT ids FROM const WHERE op = 'overlaps'))),
	('&&', 'scopeset', format('SELECT count(*) FROM t_ss WHERE s && %L::rbac.scopeset',
		(SELECT ss FROM const WHERE op = 'overlaps'))),
	('&&', 'scopeset+wild', format('SELECT count(*) FROM t_wild WHERE s && %L::rbac.scopeset',
		(SELECT ss FROM const WHERE op = 'overlaps'))),
	('|', 'intarray', format('SELECT sum(icount(s | %L::int[])) FROM t_int',
		(SELECT ids FROM const WHERE op = 'overlaps'))),
	('|', 'scopeset', format('SELECT sum(rbac.cardinality(s | %L::rbac.scopeset)) FROM t_ss',
		(SELECT ss FROM const WHERE op = 'overlaps'))),
	('|', 'scopeset+wild', format('SELECT sum(rbac.cardinality(s | %L::rbac.scopeset)) FROM t_wild',
		(SELECT ss FROM const WHERE op = 'overlaps'))),
	('?', 'intarray', format('SELECT count(*) FROM t_int WHERE s @> %L::int[]',
		(SELECT ids FROM const WHERE op = 'has'))),
	('?', 'scopeset', format('SELECT count(*) FROM t_ss WHERE s ? %L',
		(SELECT names[1] FROM const WHERE op = 'has'))),
	('?', 'scopeset+wild', format('SELECT count(*) FROM t_wild WHERE s ? %L',
		(SELECT names[1] FROM const WHERE op = 'has')))
) AS q(op, impl, sql);

CREATE TABLE timing (rep int, ord int, ms float8, result bigint);

CREATE FUNCTION bench_run(reps int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	q		record;
	t0		timestamptz;
	elapsed	float8;
	res		bigint;
BEGIN
	FOR rep IN 0..reps LOOP
		FOR q IN
			SELECT ord, sql FROM query
			ORDER BY CASE WHEN rep % 2 = 0 THEN ord ELSE -ord END
		LOOP
			t0 := clock_timestamp();
			EXECUTE q.sql INTO res;
			elapsed := extract(epoch FROM clock_timestamp() - t0) * 1000;
			IF rep > 0 THEN
				INSERT INTO timing VALUES (rep, q.ord, elapsed, res);
			END IF;
		END LOOP;
	END LOOP;
END
$$;

SELECT bench_run(:reps) \g /dev/null
