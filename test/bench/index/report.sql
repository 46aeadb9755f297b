-- ===================================================================
-- index benchmark: report
--
-- Per (principal, query, policy): the median of the recorded repetitions
-- (the warm-up left out) and the plan's scan of the documents table.
-- Every result of every run, the warm-up included, must equal the
-- reference computed at setup; the view wrong_answer lists those that do
-- not, and the run script fails when it is not empty.
--
-- The ratios, all of the simple policy's median to another's:
--   simple / listing   the listing form (target: at most 1.2 for the
--                      small principals, whose count should use an index)
--   simple / best      the faster of EXISTS and IN subqueries in this run
--   simple / off       the simple policy without the planner support
--
-- psql variables: rows, reps.
-- ===================================================================

\set ON_ERROR_STOP on
SET client_min_messages = warning;
\pset footer off
\pset null '-'

-- How a plan reads the documents table: the scan node and its index.
CREATE FUNCTION plan_scan(p json) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT string_agg(DISTINCT
		CASE n->>'Node Type'
			WHEN 'Bitmap Heap Scan' THEN 'bitmap scan of ' || (
				SELECT string_agg(DISTINCT c->>'Index Name', ', ')
				FROM jsonb_path_query(n, 'strict $.Plans.**') c
				WHERE jsonb_typeof(c) = 'object' AND c ? 'Index Name')
			WHEN 'Seq Scan' THEN 'seq scan'
			ELSE lower(n->>'Node Type') || ' of ' || (n->>'Index Name')
				|| CASE WHEN n->>'Scan Direction' = 'Backward' THEN ' backward' ELSE '' END
		END, '; ')
	FROM jsonb_path_query(p::jsonb, 'strict $.**') n
	WHERE jsonb_typeof(n) = 'object' AND n->>'Relation Name' = 'documents'
$$;

CREATE VIEW measured AS
SELECT r.ord, r.principal, r.query, r.policy, r.expect,
	t.med_ms, t.min_ms, t.max_ms, t.runs, t.min_result, t.max_result,
	plan_scan(p.plan) AS scan,
	plan_scan(p.plan) NOT LIKE '%seq scan%' AS indexed
FROM run r
JOIN (
	SELECT ord,
		percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE rep > 0) AS med_ms,
		min(ms) FILTER (WHERE rep > 0) AS min_ms,
		max(ms) FILTER (WHERE rep > 0) AS max_ms,
		count(*) FILTER (WHERE rep > 0) AS runs,
		min(result) AS min_result,
		max(result) AS max_result
	FROM timing GROUP BY ord
) t USING (ord)
JOIN plan p USING (ord);

CREATE VIEW wrong_answer AS
SELECT t.rep, r.ord, r.principal, r.query, r.policy, r.expect, t.result
FROM timing t JOIN run r USING (ord)
WHERE t.result IS DISTINCT FROM r.expect;

-- The ratios within each repetition, where the five policies of one
-- principal and query ran back to back, and their median: less disturbed
-- by the machine's other load than the ratio of the medians.
CREATE VIEW paired AS
SELECT principal, query,
	percentile_cont(0.5) WITHIN GROUP (ORDER BY simple / listing) AS simple_listing,
	percentile_cont(0.5) WITHIN GROUP (ORDER BY simple / least(ex, inq)) AS simple_best,
	percentile_cont(0.5) WITHIN GROUP (ORDER BY simple / off) AS simple_off
FROM (
	SELECT t.rep, r.principal, r.query,
		max(t.ms) FILTER (WHERE r.policy = 'simple') AS simple,
		max(t.ms) FILTER (WHERE r.policy = 'listing') AS listing,
		max(t.ms) FILTER (WHERE r.policy = 'exists') AS ex,
		max(t.ms) FILTER (WHERE r.policy = 'in') AS inq,
		max(t.ms) FILTER (WHERE r.policy = 'off') AS off
	FROM timing t JOIN run r USING (ord)
	WHERE t.rep > 0
	GROUP BY t.rep, r.principal, r.query
) per_rep
GROUP BY principal, query;

-- One line per principal and query, the five policies side by side.
CREATE VIEW side_by_side AS
SELECT pr.ord AS principal_ord, pr.id AS principal, pr.label, pr.small, q.ord AS query_ord, q.name AS query,
	s.med_ms AS simple_ms, l.med_ms AS listing_ms, e.med_ms AS exists_ms, i.med_ms AS in_ms, o.med_ms AS off_ms,
	least(e.med_ms, i.med_ms) AS best_ms,
	CASE WHEN e.med_ms <= i.med_ms THEN 'EXISTS' ELSE 'IN' END AS best,
	s.scan AS simple_scan, s.indexed AS simple_indexed, l.scan AS listing_scan,
	e.scan AS exists_scan, i.scan AS in_scan, o.scan AS off_scan,
	pa.simple_listing AS paired_listing, pa.simple_best AS paired_best, pa.simple_off AS paired_off
FROM principal pr CROSS JOIN query q
JOIN paired pa ON pa.principal = pr.id AND pa.query = q.name
JOIN measured s ON s.principal = pr.id AND s.query = q.name AND s.policy = 'simple'
JOIN measured l ON l.principal = pr.id AND l.query = q.name AND l.policy = 'listing'
JOIN measured e ON e.principal = pr.id AND e.query = q.name AND e.policy = 'exists'
JOIN measured i ON i.principal = pr.id AND i.query = q.name AND i.policy = 'in'
JOIN measured o ON o.principal = pr.id AND o.query = q.name AND o.policy = 'off';

-- Lines for the combined table: for every principal's count(*), the
-- simple policy against the listing form and against the best
-- hand-written policy; for the 1% principal also against itself without
-- the planner support.  Baseline = the other policy, ours = simple, ms.
CREATE VIEW summary AS
WITH size AS (
	SELECT CASE WHEN :rows % 1000000 = 0 THEN (:rows / 1000000) || 'M'
		ELSE to_char(:rows, 'FM999,999,999') END AS size_label
)
SELECT principal_ord * 10 + 1 AS ord,
	format('index count(*) %s rows, %s: has_scope vs listing form', size_label, label) AS scenario,
	listing_ms AS baseline_ms, simple_ms AS ours_ms
FROM side_by_side, size WHERE query = 'count'
UNION ALL
SELECT principal_ord * 10 + 2,
	format('index count(*) %s rows, %s: has_scope vs best hand-written (%s)', size_label, label, best),
	best_ms, simple_ms
FROM side_by_side, size WHERE query = 'count'
UNION ALL
SELECT principal_ord * 10 + 3,
	format('index count(*) %s rows, %s: has_scope vs has_scope without index support', size_label, label),
	off_ms, simple_ms
FROM side_by_side, size WHERE query = 'count' AND principal = 'p_1';

\echo
\echo 'index benchmark: as a non-owner role without BYPASSRLS, one backend, no parallel workers;'
\echo 'the five policies on one table, each through its own role.  Median of' :reps 'alternating'
\echo 'runs per query after one warm-up, a run of a short query being the mean of as many executions'
\echo 'as make about 20 ms; every result of every run is checked.'
\echo

\echo '== Data'
SELECT to_char(count(*), 'FM999,999,999') AS documents,
	count(DISTINCT workspace_id) AS workspaces,
	count(DISTINCT project_id) AS projects,
	pg_size_pretty(pg_table_size('documents')) AS "table size",
	pg_size_pretty(pg_indexes_size('documents')) AS "index size",
	(SELECT count(*) FROM rbac.grants) AS "rbac grants",
	(SELECT count(*) FROM memberships) AS memberships,
	(SELECT count(*) FROM resource_memberships) AS "resource memberships"
FROM documents;

\echo '== Principals'
SELECT p.id AS principal, p.label,
	to_char(e.result, 'FM999,999,999') AS "may read",
	round(100.0 * e.result / (SELECT count(*) FROM documents), 2) AS "%",
	p.page_workspace AS "page workspace"
FROM principal p JOIN expected e ON e.principal = p.id AND e.query = 'count'
ORDER BY p.ord;

\echo '== Median ms per query (simple = has_scope alone; listing = accessible_workspaces AND has_scope;'
\echo '   best = the faster of EXISTS and IN in this run; off = simple with rbac.index_support = off)'
SELECT label AS principal, query,
	round(simple_ms::numeric, 2) AS simple, round(listing_ms::numeric, 2) AS listing,
	round(exists_ms::numeric, 2) AS "exists", round(in_ms::numeric, 2) AS "in",
	round(off_ms::numeric, 2) AS off,
	round((simple_ms / listing_ms)::numeric, 2) AS "simple/listing",
	round((simple_ms / best_ms)::numeric, 3) AS "simple/best",
	best,
	round((simple_ms / off_ms)::numeric, 3) AS "simple/off",
	simple_scan AS "simple's scan"
FROM side_by_side
ORDER BY principal_ord, query_ord;

\echo '== The same ratios taken within each repetition (the policies ran back to back), median'
SELECT label AS principal, query,
	round(paired_listing::numeric, 2) AS "simple/listing",
	round(paired_best::numeric, 3) AS "simple/best",
	round(paired_off::numeric, 3) AS "simple/off"
FROM side_by_side
ORDER BY principal_ord, query_ord;

\echo '== How each policy scans the table'
SELECT label AS principal, query, simple_scan AS simple, listing_scan AS listing,
	exists_scan AS "exists", in_scan AS "in", off_scan AS off
FROM side_by_side
ORDER BY principal_ord, query_ord;

\echo '== Targets (reported, not asserted)'
SELECT label AS principal,
	CASE WHEN simple_indexed THEN 'yes' ELSE 'NO' END AS "count(*) uses an index",
	round((simple_ms / listing_ms)::numeric, 2) AS "simple/listing",
	round(paired_listing::numeric, 2) AS "paired",
	CASE WHEN simple_ms / listing_ms <= 1.2 AND simple_indexed THEN 'met' ELSE 'MISSED' END
		AS "index and at most 1.2",
	round((best_ms / simple_ms)::numeric, 1) AS "best/simple",
	CASE WHEN principal = 'p_1' AND :rows >= 10000000
		THEN CASE WHEN best_ms / simple_ms >= 10 THEN 'met' ELSE 'MISSED' END
		ELSE '-' END AS "at least 10 (1% of 10M)"
FROM side_by_side
WHERE query = 'count' AND small
ORDER BY principal_ord;

\echo '== The simple policy''s plan for the 1% principal''s count(*)'
BEGIN;
SET LOCAL ROLE bench_simple;
SELECT rbac.set_principal('p_1', true) \g /dev/null
EXPLAIN (COSTS OFF) SELECT count(*) FROM documents;
ROLLBACK;

SELECT count(*) > 0 AS any_wrong FROM wrong_answer \gset
\if :any_wrong
\echo '== WRONG ANSWERS: these runs returned a result other than the reference'
SELECT CASE WHEN rep = 0 THEN 'warm-up' ELSE rep::text END AS run,
	principal, query, policy, result, expect AS expected
FROM wrong_answer ORDER BY ord, rep;
\else
\echo 'Every policy returned the reference result in every run.'
\endif
