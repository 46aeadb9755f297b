-- ===================================================================
-- load benchmark: report
--
-- load_run holds one line per pgbench run: phase (quiet; checked, the
-- rbac workload with the probe check; storm, the same with the writer),
-- the way the principal was set, the policy, the round; pgbench's own
-- count and throughput over the whole run (run_tps, the connections'
-- cold caches included); and, once every client is past its warm-up, the
-- steady-state throughput (tps) and the readers' backends' CPU time per
-- transaction (cpu_us).  A configuration's throughput is the mean of its
-- rounds, which all last the same time; its CPU time per transaction is
-- their median, which a round disturbed by other load moves least.
--
-- psql variables: clients, storm_rate.
-- ===================================================================

\set ON_ERROR_STOP on
SET client_min_messages = warning;
\pset footer off
\pset null '-'

CREATE VIEW config AS
SELECT phase, via, policy,
	avg(coalesce(tps, run_tps)) AS tps,
	string_agg(round(coalesce(tps, run_tps))::text || CASE WHEN tps IS NULL THEN '*' ELSE '' END,
		' / ' ORDER BY round) AS per_round,
	avg(run_tps) AS run_tps,
	percentile_cont(0.5) WITHIN GROUP (ORDER BY cpu_us) AS cpu_us,
	sum(window_seconds) AS window_seconds,
	sum(xacts) AS xacts,
	sum(seconds) AS seconds,
	sum(writer_xacts) AS writer_xacts,
	avg(writer_tps) AS writer_tps
FROM load_run
GROUP BY phase, via, policy;

CREATE VIEW label (policy, ord, label) AS VALUES
	('none', 1, 'no policy (row-level security off)'),
	('initplan', 2, 'hand-tuned initplan, = ANY ((SELECT array_agg ...))'),
	('rbac', 3, 'rbac: = ANY (accessible_workspaces(...)) AND has_scope(...)'),
	('has_scope', 4, 'rbac: has_scope(...) alone');

CREATE VIEW via_label (via, ord, label, long_label) AS VALUES
	('claims', 1, 'request.jwt.claims', 'principal from request.jwt.claims'),
	('set_principal', 2, 'set_principal', 'principal from rbac.set_principal()');

-- The comparisons: ours / baseline, throughput, so higher is better.
CREATE VIEW comparison AS
SELECT v.ord * 10 + c.ord AS ord, v.via, v.label AS via_label, v.long_label, c.comparison,
	c.baseline_policy, c.ours_policy, c.baseline_phase, c.ours_phase, c.target
FROM via_label v
CROSS JOIN (VALUES
	(1, 'rbac vs no policy', 'none', 'rbac', 'quiet', 'quiet', 0.90),
	(2, 'rbac vs hand-tuned initplan', 'initplan', 'rbac', 'quiet', 'quiet', 0.95),
	(3, 'has_scope alone vs no policy', 'none', 'has_scope', 'quiet', 'quiet', 0.90),
	(4, 'has_scope alone vs hand-tuned initplan', 'initplan', 'has_scope', 'quiet', 'quiet', 0.95),
	(5, format('rbac under %s grants/revokes per second vs quiet', :storm_rate),
		'rbac', 'rbac', 'checked', 'storm', 0.70),
	(6, 'rbac with the probe check vs without (reference)', 'rbac', 'rbac', 'quiet', 'checked', NULL)
) AS c(ord, comparison, baseline_policy, ours_policy, baseline_phase, ours_phase, target);

CREATE VIEW compared AS
SELECT m.ord, m.via, m.via_label, m.long_label, m.comparison, b.tps AS baseline_tps, o.tps AS ours_tps,
	o.tps / b.tps AS ratio, m.target, b.cpu_us AS baseline_cpu_us, o.cpu_us AS ours_cpu_us
FROM comparison m
JOIN config b ON b.via = m.via AND b.policy = m.baseline_policy AND b.phase = m.baseline_phase
JOIN config o ON o.via = m.via AND o.policy = m.ours_policy AND o.phase = m.ours_phase;

-- For the combined table: throughput lines say "higher is better", and
-- the stale answers line counts answers (baseline: none allowed).
CREATE VIEW summary AS
SELECT ord,
	format('load, %s: %s', long_label, comparison) AS scenario,
	baseline_tps AS baseline, ours_tps AS ours, 'tps (higher is better)' AS unit
FROM compared
WHERE target IS NOT NULL
UNION ALL
SELECT 100, format('load: stale answers in %s probe checks, quiet and under the grant storm',
		to_char((SELECT last_value - 1 + is_called::int FROM probe_checks_held)
			+ (SELECT last_value - 1 + is_called::int FROM probe_checks_revoked), 'FM999,999,999')),
	0, (SELECT count(*) FROM stale_answer), 'stale answers';

\echo
\echo 'load benchmark: pgbench -M prepared,' :clients 'clients, transactions shaped like PostgREST'
\echo '(BEGIN; set the principal; SELECT a page of 50 documents of one workspace by index; COMMIT),'
\echo 'as a non-owner role without BYPASSRLS, 1,000 principals drawn at random over 200 workspaces.'
\echo 'Steady state: each connection first visits every (principal, workspace) pair once, as a pooled'
\echo 'connection has; throughput and server CPU per transaction are measured after that, until the'
\echo 'first client stops.  "whole-run tps" is pgbench''s own figure, the new connections'' cold caches included.'
\echo

\echo '== Data'
SELECT to_char(count(*), 'FM999,999,999') AS documents,
	count(DISTINCT workspace_id) AS workspaces,
	to_char(count(*) / count(DISTINCT workspace_id), 'FM999,999') AS "per workspace",
	pg_size_pretty(pg_table_size('documents_none')) AS "table size",
	(SELECT count(*) FROM rbac.grants) AS "rbac grants",
	(SELECT count(DISTINCT principal) FROM rbac.grants WHERE principal LIKE 'user\_%') AS principals,
	(SELECT count(*) FROM memberships) AS memberships,
	(SELECT count(*) FROM resource_memberships) AS "resource memberships"
FROM documents_none;

\echo '== Throughput, no writes (steady state; tps: mean of the rounds, higher is better; server CPU: median of the rounds)'
SELECT v.label AS "principal from", l.label AS policy,
	round(c.tps) AS tps,
	c.per_round AS "tps per round",
	round(c.run_tps) AS "whole-run tps",
	round((c.tps / n.tps)::numeric, 3) AS "/ no policy",
	round((c.tps / i.tps)::numeric, 3) AS "/ initplan",
	round(c.cpu_us::numeric, 1) AS "server CPU us/xact",
	round((c.cpu_us - n.cpu_us)::numeric, 1) AS "+ over no policy"
FROM config c
JOIN label l USING (policy)
JOIN via_label v USING (via)
JOIN config n ON n.phase = 'quiet' AND n.via = c.via AND n.policy = 'none'
JOIN config i ON i.phase = 'quiet' AND i.via = c.via AND i.policy = 'initplan'
WHERE c.phase = 'quiet'
ORDER BY v.ord, l.ord;

\echo '== Grant storm: the rbac workload, each transaction also checking the probe'
SELECT v.label AS "principal from",
	CASE c.phase WHEN 'checked' THEN 'quiet' ELSE format('%s changes/s', :storm_rate) END AS writer,
	round(c.tps) AS "reader tps",
	c.per_round AS "tps per round",
	round(c.run_tps) AS "whole-run tps",
	round(c.cpu_us::numeric, 1) AS "server CPU us/xact",
	CASE WHEN c.phase = 'storm' THEN c.writer_xacts END AS "changes",
	CASE WHEN c.phase = 'storm' THEN round(c.writer_tps::numeric, 1) END AS "changes/s"
FROM config c JOIN via_label v USING (via)
WHERE c.phase IN ('checked', 'storm')
ORDER BY v.ord, c.phase;

SELECT (SELECT last_value FROM probe_checks_held) - 1 + (SELECT is_called::int FROM probe_checks_held) AS held_checks,
	(SELECT last_value FROM probe_checks_revoked) - 1 + (SELECT is_called::int FROM probe_checks_revoked) AS revoked_checks,
	(SELECT version FROM probe_state) AS changes,
	(SELECT count(*) FROM stale_answer) AS stale,
	(SELECT count(*) FROM stale_answer WHERE acked >= version) AS stale_acked
\gset
\echo 'Probe checks:' :held_checks 'while the grant was held and' :revoked_checks 'while it was revoked, over' :changes 'committed changes.'
\echo 'stale answers:' :stale
SELECT :stale > 0 AS any_stale \gset
\if :any_stale
\echo '== STALE ANSWERS: rbac disagreed with the probe state its own statement saw'
\echo '(acked >= version: that change''s COMMIT had returned before the statement began)'
SELECT seen_at, via, version, acked, held AS "grant held", has_scope, row_visible AS "row visible",
	acked >= version AS "commit had returned"
FROM stale_answer ORDER BY seen_at LIMIT 50;
\echo :stale_acked 'of them after the COMMIT of that change had returned.'
\endif
\echo

SELECT count(*) FILTER (WHERE tps IS NULL) AS unsteady FROM load_run \gset
SELECT :unsteady > 0 AS any_unsteady \gset
\if :any_unsteady
\echo '*' :unsteady 'run(s) ended before every client had warmed up: their whole-run figures stand in (raise BENCH_LOAD_SECONDS).'
\echo
\endif

\echo '== Ratios, ours / baseline in throughput (targets are reported, not asserted)'
\echo 'The last column compares server CPU per transaction the same way round (baseline / ours):'
\echo 'the throughput ratio the server alone would allow, less disturbed by other load on the machine.'
SELECT via_label AS "principal from", comparison,
	round(baseline_tps) AS "baseline tps", round(ours_tps) AS "ours tps",
	round(ratio::numeric, 3) AS ratio,
	CASE WHEN target IS NULL THEN '-' ELSE 'at least ' || target END AS target,
	CASE WHEN target IS NULL THEN '-' WHEN ratio >= target THEN 'met' ELSE 'MISSED' END AS "target met",
	round((baseline_cpu_us / ours_cpu_us)::numeric, 3) AS "CPU: baseline / ours"
FROM compared
ORDER BY ord;
