-- ===================================================================
-- rls benchmark: report
--
-- Per query: the median of the recorded repetitions (the warm-up left
-- out), and per row.  Every count of every run, the warm-up included,
-- must equal the reference computed at setup; the view wrong_answer lists
-- those that do not, and the run script fails when it is not empty.
--
-- psql variables: rows, subset_rows, reps.
-- ===================================================================

\set ON_ERROR_STOP on
SET client_min_messages = warning;
\pset footer off
\pset null '-'

CREATE VIEW measured AS
SELECT q.ord, q.policy, q.size, q.expect,
	CASE q.size WHEN 'full' THEN :rows ELSE :subset_rows END AS nrows,
	percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms) FILTER (WHERE t.rep > 0) AS med_ms,
	min(t.ms) FILTER (WHERE t.rep > 0) AS min_ms,
	max(t.ms) FILTER (WHERE t.rep > 0) AS max_ms,
	min(t.ms) FILTER (WHERE t.rep = 0) AS warmup_ms,
	count(*) FILTER (WHERE t.rep > 0) AS runs,
	min(t.result) AS min_result,
	max(t.result) AS max_result
FROM query q JOIN timing t USING (ord)
GROUP BY q.ord, q.policy, q.size, q.expect;

CREATE VIEW wrong_answer AS
SELECT t.rep, q.ord, q.policy, q.size, q.expect, t.result
FROM timing t JOIN query q USING (ord)
WHERE t.result IS DISTINCT FROM q.expect;

CREATE VIEW med (policy, size, ms) AS
SELECT policy, size, med_ms FROM measured;

CREATE VIEW label (policy, label) AS VALUES
	('none', 'no policy (row-level security off)'),
	('columns', 'no policy, reading the two id columns'),
	('exists', 'EXISTS join over membership tables'),
	('in', 'uncorrelated IN subqueries over membership tables'),
	('initplan', 'initplan arrays, = ANY ((SELECT array_agg ...)) (reference only)'),
	('function', 'per-row SECURITY DEFINER SQL function'),
	('has_scope', 'rbac.has_scope(''documents.read'', ws, ''project'', prj)'),
	('has_scope_claims', 'the same has_scope, principal from request.jwt.claims');

-- The comparisons.  The per-row function is timed on the subset; its
-- full-table figure is that median scaled by rows / subset_rows.  The
-- hand-written baseline is the faster of EXISTS and IN in this run.  The
-- per-row cost of a check is its time less that of reading the two id
-- columns it reads, per row (ns).
CREATE VIEW comparison AS
WITH t AS (
	SELECT
		(SELECT ms FROM med WHERE policy = 'none' AND size = 'full') AS none_ms,
		(SELECT ms FROM med WHERE policy = 'columns' AND size = 'full') AS columns_ms,
		(SELECT ms FROM med WHERE policy = 'exists' AND size = 'full') AS exists_ms,
		(SELECT ms FROM med WHERE policy = 'in' AND size = 'full') AS in_ms,
		(SELECT ms FROM med WHERE policy = 'initplan' AND size = 'full') AS initplan_ms,
		(SELECT ms FROM med WHERE policy = 'has_scope' AND size = 'full') AS has_scope_ms,
		(SELECT ms FROM med WHERE policy = 'has_scope_claims' AND size = 'full') AS claims_ms,
		(SELECT ms FROM med WHERE policy = 'function' AND size = 'subset') AS function_sub_ms,
		:rows::float8 / :subset_rows AS scale
), m AS (
	SELECT t.*,
		least(exists_ms, in_ms) AS best_ms,
		CASE WHEN exists_ms <= in_ms THEN 'EXISTS' ELSE 'IN subqueries' END AS best_name,
		(has_scope_ms - columns_ms) * 1e6 / :rows AS has_scope_net_ns,
		(exists_ms - columns_ms) * 1e6 / :rows AS exists_net_ns,
		(least(exists_ms, in_ms) - columns_ms) * 1e6 / :rows AS best_net_ns
	FROM t
)
SELECT 1 AS ord, 'has_scope vs no policy' AS comparison,
	'has_scope / none' AS ratio_of, none_ms AS baseline_ms, has_scope_ms AS ours_ms,
	has_scope_ms / none_ms AS ratio, 'at most 1.3' AS target, has_scope_ms / none_ms <= 1.3 AS met,
	'no policy' AS baseline_name, 'ms' AS unit
FROM m
UNION ALL
SELECT 2, 'has_scope vs the best hand-written policy (' || best_name || ')', 'has_scope / best', best_ms, has_scope_ms,
	has_scope_ms / best_ms, 'below 1', has_scope_ms < best_ms, 'best hand-written (' || best_name || ')', 'ms'
FROM m
UNION ALL
SELECT 3, 'per-row function vs has_scope', 'function / has_scope', function_sub_ms * scale, has_scope_ms,
	function_sub_ms * scale / has_scope_ms, 'at least 100', function_sub_ms * scale / has_scope_ms >= 100,
	'per-row definer fn', 'ms'
FROM m
UNION ALL
SELECT 4, 'has_scope vs EXISTS join', 'has_scope / exists', exists_ms, has_scope_ms,
	has_scope_ms / exists_ms, '-', NULL, 'EXISTS join', 'ms'
FROM m
UNION ALL
SELECT 5, 'has_scope vs IN subqueries', 'has_scope / in', in_ms, has_scope_ms,
	has_scope_ms / in_ms, '-', NULL, 'IN subqueries', 'ms'
FROM m
UNION ALL
SELECT 6, 'has_scope vs reading the id columns (reference)', 'has_scope / columns', columns_ms, has_scope_ms,
	has_scope_ms / columns_ms, '-', NULL, 'reading the id columns', 'ms'
FROM m
UNION ALL
SELECT 7, 'principal from request.jwt.claims vs set_principal', 'claims / set_principal',
	has_scope_ms, claims_ms, claims_ms / has_scope_ms, 'at most 1.05', claims_ms / has_scope_ms <= 1.05,
	'set_principal', 'ms'
FROM m
UNION ALL
SELECT 8, 'has_scope vs initplan arrays (reference only)', 'has_scope / initplan', initplan_ms, has_scope_ms,
	has_scope_ms / initplan_ms, '-', NULL, 'initplan arrays', 'ms'
FROM m
UNION ALL
SELECT 9, 'per-row check cost net of reading the columns: has_scope vs EXISTS', 'has_scope / exists, net',
	exists_net_ns, has_scope_net_ns, has_scope_net_ns / exists_net_ns, 'at most 0.7',
	has_scope_net_ns / exists_net_ns <= 0.7, 'EXISTS', 'ns/row'
FROM m
UNION ALL
SELECT 10, 'per-row check cost net of reading the columns: has_scope vs ' || best_name, 'has_scope / best, net',
	best_net_ns, has_scope_net_ns, has_scope_net_ns / best_net_ns, '-', NULL, best_name, 'ns/row'
FROM m;

-- One line per comparison with a target, for the combined table:
-- baseline = the other policy, ours = has_scope, in ms over the full
-- table (ns per row for the per-row cost).  The claims line compares
-- has_scope with itself: the principal from request.jwt.claims (ours)
-- against set_principal.
CREATE VIEW summary AS
SELECT ord,
	CASE WHEN ord = 9
		THEN format('rls per-row check net of reading the columns, %s rows: has_scope vs EXISTS',
			to_char(:rows, 'FM999,999,999'))
		ELSE format('rls count(*) %s rows: has_scope%s vs %s%s', to_char(:rows, 'FM999,999,999'),
			CASE WHEN ord = 7 THEN ' (principal from request.jwt.claims)' ELSE '' END,
			baseline_name,
			CASE WHEN ord = 3 THEN format(' (timed on %s, x%s)',
				to_char(:subset_rows, 'FM999,999,999'), trim_scale(round(:rows::numeric / :subset_rows, 1)))
			ELSE '' END)
	END AS scenario,
	baseline_ms, ours_ms, unit
FROM comparison
WHERE ord IN (1, 2, 3, 7, 9);

\echo
\echo 'rls benchmark: SELECT count(*) as a non-owner role without BYPASSRLS, one backend, no parallel workers.'
\echo 'Median of' :reps 'alternating runs per query after one warm-up; every count of every run is checked.'
\echo 'has_scope runs twice: with rbac.set_principal(), and with the principal taken from request.jwt.claims'
\echo '(set with set_config(..., true) as PostgREST does, rbac.trust_request_jwt = on set by the superuser).'
\echo

\echo '== Data'
SELECT to_char(count(*), 'FM999,999,999') AS documents,
	count(DISTINCT workspace_id) AS workspaces,
	count(DISTINCT project_id) AS projects,
	pg_size_pretty(pg_table_size('documents_none')) AS "table size",
	(SELECT to_char(full_rows, 'FM999,999,999') FROM expected) AS "alice may read",
	round(100.0 * (SELECT full_rows FROM expected) / count(*), 1) AS "%",
	(SELECT count(*) FROM rbac.grants) AS "rbac grants",
	(SELECT count(DISTINCT principal) FROM rbac.grants) AS principals,
	(SELECT count(*) FROM memberships) AS memberships,
	(SELECT count(*) FROM resource_memberships) AS "resource memberships"
FROM documents_none;

\echo '== alice''s grants (billing_manager and organization roles carry no documents.read)'
SELECT r.key AS role, r.kind,
	coalesce(g.resource_type, CASE WHEN g.organization_id IS NOT NULL THEN 'organization' ELSE 'workspace' END) AS "on",
	count(*) AS grants,
	count(DISTINCT coalesce(g.workspace_id, g.organization_id)) AS "workspaces/orgs",
	'documents.read' = ANY (r.scopes::text[]) AS "documents.read"
FROM rbac.grants g JOIN rbac.roles r ON r.id = g.role_id
WHERE g.principal = 'alice'
GROUP BY r.key, r.kind, r.scopes::text[], 3
ORDER BY 6 DESC, r.kind DESC, r.key;

\echo '== Timings (ms for the whole count; ns per row)'
SELECT l.label AS policy,
	to_char(m.nrows, 'FM999,999,999') AS rows,
	CASE WHEN m.runs > 0 THEN round(m.med_ms::numeric, 1) END AS "median ms",
	CASE WHEN m.runs > 0 THEN round(m.min_ms::numeric, 1) END AS "min ms",
	CASE WHEN m.runs > 0 THEN round(m.max_ms::numeric, 1) END AS "max ms",
	round(m.warmup_ms::numeric, 1) AS "warm-up ms",
	CASE WHEN m.runs > 0 THEN round((m.med_ms * 1e6 / m.nrows)::numeric, 1) END AS "ns/row",
	m.runs,
	CASE WHEN m.min_result = m.max_result THEN m.min_result::text
		ELSE m.min_result || '..' || m.max_result END AS count,
	CASE WHEN m.min_result = m.expect AND m.max_result = m.expect THEN 'ok'
		ELSE 'WRONG (expected ' || m.expect || ')' END AS "check"
FROM measured m JOIN label l USING (policy)
ORDER BY m.size, m.ord;

SELECT round(med_ms::numeric, 1) AS function_full_ms,
	round((med_ms / nullif((SELECT ms FROM med WHERE policy = 'function' AND size = 'subset') * :rows / :subset_rows, 0))::numeric, 2)
		AS function_scale_check
FROM measured WHERE policy = 'function' AND size = 'full' AND runs = 1
\gset
\echo 'The per-row function over the full table ran once, to check its count:' :function_full_ms 'ms,'
\echo :function_scale_check 'times its subset median scaled by rows.'
\echo

\echo '== Ratios (targets are reported, not asserted)'
SELECT comparison,
	ratio_of AS ratio,
	round(baseline_ms::numeric, 1) AS baseline,
	round(ours_ms::numeric, 1) AS has_scope,
	unit,
	round(ratio::numeric, 2) AS value,
	target,
	CASE WHEN met THEN 'met' WHEN NOT met THEN 'MISSED' ELSE '-' END AS "target met"
FROM comparison
ORDER BY ord;

SELECT round((s.ms / NULLIF(h.ms, 0))::numeric, 1) AS sub_ratio
FROM med s, med h
WHERE s.policy = 'function' AND s.size = 'subset' AND h.policy = 'has_scope' AND h.size = 'subset'
\gset
\echo 'The per-row function is timed on the first' :subset_rows 'rows and its median scaled by rows / subset_rows;'
\echo 'function / has_scope measured directly on those same rows:' :sub_ratio
\echo

-- The two ways of setting the principal run back to back in every
-- repetition, so their ratio within each repetition is less disturbed
-- by other load on the machine than the ratio of their medians.
SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY c.ms / s.ms)::numeric, 3) AS paired,
	round(min(c.ms / s.ms)::numeric, 3) AS paired_min, round(max(c.ms / s.ms)::numeric, 3) AS paired_max
FROM timing c
JOIN query cq ON cq.ord = c.ord AND cq.policy = 'has_scope_claims'
JOIN timing s ON s.rep = c.rep
JOIN query sq ON sq.ord = s.ord AND sq.policy = 'has_scope' AND sq.size = 'full'
WHERE c.rep > 0
\gset
\echo 'claims / set_principal within each repetition (the two run back to back): median' :paired 'range' :paired_min '..' :paired_max
\echo

-- The per-row cost of each check, net of reading the columns, taken
-- within each repetition (the three queries run close together), so that
-- the machine's other load shifts both sides of each ratio alike.
SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY (h.ms - c.ms) / (e.ms - c.ms))::numeric, 2) AS net_paired,
	round(min((h.ms - c.ms) / (e.ms - c.ms))::numeric, 2) AS net_min,
	round(max((h.ms - c.ms) / (e.ms - c.ms))::numeric, 2) AS net_max
FROM timing h
JOIN query hq ON hq.ord = h.ord AND hq.policy = 'has_scope' AND hq.size = 'full'
JOIN timing c ON c.rep = h.rep
JOIN query cq ON cq.ord = c.ord AND cq.policy = 'columns'
JOIN timing e ON e.rep = h.rep
JOIN query eq ON eq.ord = e.ord AND eq.policy = 'exists'
WHERE h.rep > 0
\gset
\echo 'per-row check cost net of reading the columns, has_scope / EXISTS, within each repetition: median' :net_paired 'range' :net_min '..' :net_max
\echo

SELECT count(*) > 0 AS any_wrong FROM wrong_answer \gset
\if :any_wrong
\echo '== WRONG ANSWERS: these runs returned a count other than the reference'
SELECT CASE WHEN rep = 0 THEN 'warm-up' ELSE rep::text END AS run,
	policy, size, result AS count, expect AS expected
FROM wrong_answer ORDER BY ord, rep;
\else
\echo 'Every policy returned the reference count in every run.'
\endif
