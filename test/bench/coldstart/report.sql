-- ===================================================================
-- coldstart benchmark: report
--
-- Medians of the recorded repetitions (repetition 0, the warm-up, left
-- out).  Every answer and every count of every run, the warm-up
-- included, must equal the baseline's; the view wrong_answer lists those
-- that do not, and the run script fails when it is not empty.
--
-- The memory bound is inferred, not configured in bytes: rbac.cache_entries
-- bounds entries, and an entry's size depends on the reach it holds.  From
-- the run with no eviction, u = the bytes the reach contexts' chunks use
-- per entry over the same 100,000 pairs.  A generation's context is an
-- AllocSet, whose blocks double in size, so it holds at most about twice
-- the bytes its chunks use; the two generations together hold at most
-- cache_entries entries.  So
--     bound = (rbac cache contexts before the run) + 2 x u x cache_entries
-- and the report shows the peak seen after each of the 1,000 principals
-- against it.
--
-- psql variables: entries_small, entries_large.
-- ===================================================================

\set ON_ERROR_STOP on
SET client_min_messages = warning;
\pset footer off
\pset null '-'

CREATE VIEW measured AS
SELECT scenario,
	percentile_cont(0.5) WITHIN GROUP (ORDER BY us) FILTER (WHERE rep > 0) AS med_us,
	percentile_cont(0.9) WITHIN GROUP (ORDER BY us) FILTER (WHERE rep > 0) AS p90_us,
	min(us) FILTER (WHERE rep > 0) AS min_us,
	max(us) FILTER (WHERE rep > 0) AS max_us,
	count(*) FILTER (WHERE rep > 0) AS runs,
	count(*) FILTER (WHERE result IS DISTINCT FROM expect) AS wrong,
	-- CPU time is read in clock ticks, so it is summed over the runs
	-- rather than taken per run.
	sum(cpu_us) FILTER (WHERE rep > 0) / nullif(count(cpu_us) FILTER (WHERE rep > 0), 0) AS cpu_us
FROM timing
GROUP BY scenario;

CREATE VIEW wrong_answer AS
SELECT 'timing' AS source, scenario AS what, rep, result, expect FROM timing
WHERE result IS DISTINCT FROM expect
UNION ALL
SELECT 'memory', label, batch, result, expect FROM mem_sample
WHERE result IS DISTINCT FROM expect;

CREATE FUNCTION med(s text) RETURNS float8 LANGUAGE sql STABLE AS
$$ SELECT med_us FROM measured WHERE scenario = s $$;

CREATE FUNCTION cpu(s text) RETURNS float8 LANGUAGE sql STABLE AS
$$ SELECT cpu_us FROM measured WHERE scenario = s $$;

CREATE FUNCTION fmt_us(v float8) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT CASE WHEN v IS NULL THEN '-' WHEN v < 10 THEN to_char(v, 'FM990.0')
	ELSE to_char(round(v), 'FM999,999,990') END $$;

CREATE FUNCTION fmt_bytes(v numeric) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT CASE WHEN v IS NULL THEN '-' ELSE to_char(v, 'FM999,999,999,990') END $$;

\echo
\echo 'coldstart benchmark: the first rbac.has_scope() of a connection, after a change made by another'
\echo 'session, over many new (principal, workspace) entries, at scale, and the cache''s memory under'
\echo '100,000 distinct pairs.  Times are taken inside the server with clock_timestamp() (1 us resolution)'
\echo 'around the call or the query; medians of the recorded runs after one warm-up.'
\echo 'Baseline: sql_has_scope(), the lookup has_scope() runs on a cache miss written as a plain'
\echo 'SECURITY DEFINER SQL function over the same grants.'
\echo

\echo '== Data'
SELECT (SELECT to_char(count(*), 'FM999,999,999') FROM rbac.grants) AS grants,
	(SELECT to_char(count(DISTINCT principal), 'FM999,999,999') FROM rbac.grants) AS principals,
	(SELECT to_char(count(*), 'FM999,999') FROM rbac.workspaces) AS workspaces,
	(SELECT to_char(count(*), 'FM999,999') FROM rbac.grants WHERE principal = 'wide') AS "wide's grants",
	(SELECT to_char(count(*), 'FM999,999') FROM rbac.grants WHERE workspace_id = 'big') AS "big's members",
	(SELECT to_char(count(*), 'FM999,999') FROM pair) AS "crowd pairs",
	(SELECT count(*) FROM rbac.scopes) AS "catalog scopes";

-- -------------------------------------------------------------------
\echo '== First check in a new connection (us; one connection per run, has_scope and baseline alternating)'
SELECT l.label AS "check",
	fmt_us(h.med_us) AS "has_scope median", fmt_us(h.p90_us) AS "p90",
	fmt_us(s.med_us) AS "baseline median", fmt_us(s.p90_us) AS "p90 ",
	round((h.med_us / nullif(s.med_us, 0))::numeric, 2) AS "has_scope / baseline",
	h.runs
FROM (VALUES
	(1, 'first', 'the first check of the connection'),
	(2, 'again', 'the same check, next statement'),
	(3, 'next', 'a second workspace (a new entry)'),
	(4, 'tenth', 'a tenth workspace (a new entry)')
) AS l(ord, key, label)
JOIN measured h ON h.scenario = 'connect_' || l.key
JOIN measured s ON s.scenario = 'connect_sql_' || l.key
ORDER BY l.ord;
\echo 'The first check of a connection carries its one-time work: the relation and catalog caches of the'
\echo 'rbac tables, preparing the lookups and loading the scope catalog; the baseline pays the same kind'
\echo 'of work.  The cost per entry is measured below, over many entries in one query.'
\echo

-- -------------------------------------------------------------------
\echo '== First check after another session committed a grant (us; one long session)'
SELECT l.label AS "check", fmt_us(m.med_us) AS median, fmt_us(m.p90_us) AS p90,
	fmt_us(m.min_us) AS min, fmt_us(m.max_us) AS max, m.runs
FROM (VALUES
	(1, 'inval_first', 'has_scope, first check after the change'),
	(2, 'inval_again', 'has_scope, the same check again (warm)'),
	(3, 'inval_sql', 'baseline SQL function')
) AS l(ord, scenario, label)
JOIN measured m USING (scenario)
ORDER BY l.ord;

SELECT count(*) FILTER (WHERE misses >= 1 AND rep > 0) AS cold, count(*) FILTER (WHERE rep > 0) AS runs
FROM cold_miss WHERE scenario = 'inval_first' \gset
\echo 'The first check after the change read its entry (a cache miss) in' :cold 'of' :runs 'runs.'
\echo

-- -------------------------------------------------------------------
\echo '== New entries: wide over its first N workspaces in one query, right after a change'
\echo '(us per entry: wall clock, median and best run; CPU, this backend''s CPU time over all runs)'
SELECT to_char(n, 'FM999,999') AS "N",
	round((med('entries_cold_' || n) / 1000)::numeric, 1) AS "cold ms",
	round((med('entries_cold_' || n) / n)::numeric, 1) AS "cold us/entry",
	round(((SELECT min_us FROM measured WHERE scenario = 'entries_cold_' || n) / n)::numeric, 1) AS "best",
	round((cpu('entries_cold_' || n) / n)::numeric, 1) AS "CPU",
	round((med('entries_warm_' || n) / n)::numeric, 2) AS "warm us/check",
	round((med('entries_sql_' || n) / n)::numeric, 1) AS "baseline us/row",
	round((cpu('entries_sql_' || n) / n)::numeric, 1) AS "CPU ",
	CASE WHEN med('entries_cold_' || n) / n < 50 THEN 'met' ELSE 'MISSED' END AS "< 50 us: wall",
	CASE WHEN cpu('entries_cold_' || n) / n < 50 THEN 'met'
		WHEN cpu('entries_cold_' || n) IS NOT NULL THEN 'MISSED' ELSE '-' END AS "< 50 us: CPU",
	(SELECT runs FROM measured WHERE scenario = 'entries_cold_' || n) AS runs,
	(SELECT runs FROM measured WHERE scenario = 'entries_sql_' || n) AS "baseline runs"
FROM (VALUES (:entries_small), (:entries_large)) AS v(n)
ORDER BY n;
\echo 'Wall-clock time includes waiting for a CPU when the machine is busy (see the load average above);'
\echo 'CPU time does not.'

SELECT string_agg(DISTINCT (misses / (CASE scenario WHEN 'entries_cold_' || :entries_small THEN :entries_small
	ELSE :entries_large END))::text, ', ') AS per_row
FROM cold_miss WHERE scenario LIKE 'entries_cold_%' \gset
\echo 'Cache misses per row in the cold queries:' :per_row '(1: every row read its entry).'
\echo

-- -------------------------------------------------------------------
\echo '== Scale: one check, cold (first after a change) and warm (us)'
SELECT t.name AS target, t.principal, t.workspace_id AS workspace,
	(SELECT to_char(count(*), 'FM999,999') FROM rbac.grants g WHERE g.principal = t.principal) AS "principal's grants",
	(SELECT to_char(count(*), 'FM999,999') FROM rbac.grants g WHERE g.workspace_id = t.workspace_id) AS "workspace's grants",
	fmt_us(med('scale_cold_' || t.name)) AS "cold",
	fmt_us(med('scale_warm_' || t.name)) AS "warm",
	fmt_us(med('scale_sql_' || t.name)) AS "baseline",
	fmt_us(med('scale_exists_' || t.name)) AS "EXISTS form"
FROM scale_target t ORDER BY t.ord;
\echo 'EXISTS form: the baseline written with EXISTS, which the planner runs on the grants'' unique'
\echo 'index (principal, role_id, organization_id, workspace_id, ...); reference only.'
\echo

-- -------------------------------------------------------------------
-- Memory.
-- -------------------------------------------------------------------
CREATE VIEW mem_run AS
SELECT label,
	max(max_entries) AS cache_entries,
	count(*) FILTER (WHERE batch > 0) AS principals,
	sum(result) FILTER (WHERE batch > 0) AS readable,
	count(*) FILTER (WHERE result <> expect) AS wrong,
	max(entries) AS max_entries_seen,
	max(evictions) AS evictions,
	max(misses) FILTER (WHERE batch = 1000) - max(misses) FILTER (WHERE batch = 0) AS misses,
	max(memory_bytes) AS peak_stats_bytes,
	max(rbac_bytes) AS peak_rbac_bytes,
	max(rbac_bytes) FILTER (WHERE batch = 0) AS before_rbac_bytes,
	max(rbac_bytes) FILTER (WHERE batch = 1000) AS after_rbac_bytes,
	max(backend_bytes) FILTER (WHERE batch = 0) AS before_backend_bytes,
	max(backend_bytes) FILTER (WHERE batch = 1000) AS after_backend_bytes,
	max(backend_bytes) AS peak_backend_bytes,
	max(entries) FILTER (WHERE batch = 1000) AS after_entries,
	max(entries) FILTER (WHERE batch = 0) AS before_entries,
	percentile_cont(0.5) WITHIN GROUP (ORDER BY us / 100) FILTER (WHERE batch > 0) AS us_per_check,
	sum(cpu_us) FILTER (WHERE batch > 0) / nullif(count(cpu_us) FILTER (WHERE batch > 0), 0) / 100
		AS cpu_us_per_check
FROM mem_sample
GROUP BY label;

-- u: the bytes the reach contexts' chunks use per entry, with no eviction.
CREATE VIEW mem_unit AS
SELECT (a.used - b.used)::float8 / nullif(r.after_entries - r.before_entries, 0) AS used_per_entry,
	(a.total - b.total)::float8 / nullif(r.after_entries - r.before_entries, 0) AS total_per_entry
FROM mem_run r,
	LATERAL (SELECT sum(used_bytes) AS used, sum(total_bytes) AS total FROM mem_context
		WHERE label = r.label AND phase = 'before' AND name = 'rbac reach') b,
	LATERAL (SELECT sum(used_bytes) AS used, sum(total_bytes) AS total FROM mem_context
		WHERE label = r.label AND phase = 'after' AND name = 'rbac reach') a
WHERE r.label = 'unbounded';

CREATE VIEW mem_bound AS
SELECT r.*, r.before_rbac_bytes + 2 * u.used_per_entry * r.cache_entries AS bound_bytes
FROM mem_run r, mem_unit u
WHERE r.label <> 'unbounded';

\echo '== Memory: 100,000 distinct (principal, workspace) pairs in one session (1,000 principals x 100)'
SELECT r.label AS run, to_char(r.cache_entries, 'FM999,999,999') AS "rbac.cache_entries",
	to_char(r.misses, 'FM999,999') AS "new entries", r.wrong AS "wrong counts",
	to_char(r.max_entries_seen, 'FM999,999') AS "most entries seen", r.evictions AS "generations dropped",
	fmt_bytes(r.before_rbac_bytes) AS "rbac cache before",
	fmt_bytes(r.peak_rbac_bytes) AS "peak",
	fmt_bytes(r.after_rbac_bytes) AS "after",
	fmt_bytes(b.bound_bytes::numeric) AS "inferred bound",
	round((r.peak_rbac_bytes / b.bound_bytes)::numeric, 2) AS "peak / bound",
	round(r.us_per_check::numeric, 1) AS "us per new entry",
	round(r.cpu_us_per_check::numeric, 1) AS "CPU"
FROM mem_run r LEFT JOIN mem_bound b USING (label)
ORDER BY r.cache_entries DESC;

SELECT round(used_per_entry) AS u, round(total_per_entry) AS t FROM mem_unit \gset
\echo 'With no eviction, an entry''s chunks use' :u 'bytes, and' :t 'bytes are allocated per entry, in this fixture; the'
\echo 'inferred bound is (rbac cache before) + 2 x' :u 'x rbac.cache_entries.  Peaks are sampled after'
\echo 'each principal (100 new entries), from pg_backend_memory_contexts; rbac.cache_stats().memory_bytes'
\echo 'agrees with the contexts in every sample:'
SELECT label AS run, count(*) FILTER (WHERE memory_bytes <> rbac_bytes) AS "samples that differ",
	count(*) AS samples
FROM mem_sample GROUP BY label ORDER BY label;

\echo '== Memory: the whole backend (all memory contexts, bytes)'
SELECT label AS run, fmt_bytes(before_backend_bytes) AS before, fmt_bytes(peak_backend_bytes) AS peak,
	fmt_bytes(after_backend_bytes) AS after
FROM mem_run ORDER BY cache_entries DESC;

\echo '== Memory: the rbac contexts, from pg_backend_memory_contexts'
SELECT c.label AS run, c.phase, c.name, c.parent, c.level,
	fmt_bytes(c.total_bytes) AS total_bytes, fmt_bytes(c.used_bytes) AS used_bytes,
	fmt_bytes(c.free_bytes) AS free_bytes
FROM mem_context c JOIN mem_run r USING (label)
WHERE c.name LIKE 'rbac%'
ORDER BY r.cache_entries DESC, c.phase DESC, c.ord;

\echo '== rbac.cache_stats() before and after each run'
SELECT label AS run, CASE batch WHEN 0 THEN 'before' ELSE 'after' END AS phase,
	entries, hits, misses, evictions, memory_bytes, max_entries
FROM mem_sample WHERE batch IN (0, 1000) ORDER BY max_entries DESC, batch;

-- -------------------------------------------------------------------
-- One line per comparison for the combined table (lower is better).
-- -------------------------------------------------------------------
CREATE VIEW summary AS
SELECT 1 AS ord, 'coldstart: first check in a new connection, has_scope vs SQL function' AS scenario,
	med('connect_sql_first') AS baseline, med('connect_first') AS ours, 'us' AS unit
UNION ALL
SELECT 2, 'coldstart: first check after a grant elsewhere, has_scope vs SQL function',
	med('inval_sql'), med('inval_first'), 'us'
UNION ALL
SELECT 2 + row_number() OVER (ORDER BY n),
	format('coldstart: %s new entries in one query, %s per entry, has_scope vs SQL function',
		to_char(n, 'FM999,999'),
		CASE WHEN cpu('entries_cold_' || n) IS NULL THEN 'time' ELSE 'CPU' END),
	coalesce(cpu('entries_sql_' || n), med('entries_sql_' || n)) / n,
	coalesce(cpu('entries_cold_' || n), med('entries_cold_' || n)) / n, 'us'
FROM (VALUES (:entries_small), (:entries_large)) AS v(n)
UNION ALL
SELECT 5, 'scale: cold check, principal with 10,000 workspaces vs one with 1',
	med('scale_cold_solo'), med('scale_cold_wide'), 'us'
UNION ALL
SELECT 6, 'scale: warm check, principal with 10,000 workspaces vs one with 1',
	med('scale_warm_solo'), med('scale_warm_wide'), 'us'
UNION ALL
SELECT 7, format('scale: cold check, workspace with 100,000 members vs one with %s',
		(SELECT count(*) FROM rbac.grants WHERE workspace_id = 'ws_00001')),
	med('scale_cold_solo'), med('scale_cold_big'), 'us'
UNION ALL
SELECT 8, format('scale: warm check, workspace with 100,000 members vs one with %s',
		(SELECT count(*) FROM rbac.grants WHERE workspace_id = 'ws_00001')),
	med('scale_warm_solo'), med('scale_warm_big'), 'us'
UNION ALL
SELECT 9 + row_number() OVER (ORDER BY cache_entries DESC),
	format('memory: 100,000 pairs, rbac.cache_entries %s, peak vs inferred bound',
		to_char(cache_entries, 'FM999,999,999')),
	bound_bytes / 1048576.0, peak_rbac_bytes / 1048576.0, 'MB'
FROM mem_bound;

\echo '== Summary (baseline, ours; lower is better)'
SELECT scenario, round(baseline::numeric, 1) AS baseline, round(ours::numeric, 1) AS ours, unit,
	round((ours / nullif(baseline, 0))::numeric, 2) AS ratio
FROM summary ORDER BY ord;

SELECT count(*) > 0 AS any_wrong FROM wrong_answer \gset
\if :any_wrong
\echo '== WRONG ANSWERS: these runs answered other than the baseline'
SELECT * FROM wrong_answer ORDER BY source, what, rep LIMIT 50;
\else
\echo 'Every check and every count of every run, warm-ups included, matched the baseline.'
\endif
