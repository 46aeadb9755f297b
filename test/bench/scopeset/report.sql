-- ===================================================================
-- scopeset benchmark: report
--
-- Per operation: the median of the recorded repetitions, as the time of
-- the whole query and per row ("ns/op raw"), and net of a bare scan of
-- the same table ("ns/op net" = (query - count(*) scan) / rows).  The
-- tables have different row widths, so the headline ratio is the net one.
--
-- psql variables: rows, reps.
-- ===================================================================

\set ON_ERROR_STOP on
SET client_min_messages = warning;
\pset footer off
\pset null '-'

CREATE VIEW measured AS
SELECT q.ord, q.op, q.impl,
	percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms) AS med_ms,
	min(t.ms) AS min_ms,
	max(t.ms) AS max_ms,
	min(t.result) AS result,
	count(DISTINCT t.result) AS nresults
FROM timing t JOIN query q USING (ord)
GROUP BY q.ord, q.op, q.impl;

CREATE VIEW per_op AS
SELECT m.ord, m.op, m.impl, m.med_ms, m.min_ms, m.max_ms, m.result, m.nresults,
	m.med_ms * 1e6 / :rows AS raw_ns,
	(m.med_ms - s.med_ms) * 1e6 / :rows AS net_ns
FROM measured m JOIN measured s ON s.op = 'scan' AND s.impl = m.impl;

CREATE VIEW label (op, label, scenario) AS VALUES
	('scan', 'count(*) scan', NULL),
	('@>', '@>  5-element constant', 'scopeset @> 5 scopes'),
	('&&', '&&  100-element constant', 'scopeset && 100 scopes'),
	('|', '|   100-element constant', 'scopeset | 100 scopes'),
	('?', '?   one scope', 'scopeset ? 1 scope');

-- One line per comparison: scopeset against intarray and against text[];
-- the rows with wildcards against intarray on the literal sets.
CREATE VIEW summary AS
SELECT l.label AS operation,
	l.scenario || CASE WHEN o.impl = 'scopeset+wild' THEN ' (+3 wildcards/row)' ELSE '' END
		|| ' vs ' || b.impl AS scenario,
	o.impl AS ours_impl,
	b.impl AS baseline_impl,
	b.net_ns AS baseline_ns,
	o.net_ns AS ours_ns,
	o.net_ns / nullif(b.net_ns, 0) AS ratio_net,
	o.raw_ns / nullif(b.raw_ns, 0) AS ratio_raw,
	b.ord AS bord,
	o.ord AS oord
FROM per_op o
JOIN per_op b ON b.op = o.op
	AND (b.impl = 'intarray' OR b.impl = 'text[]' AND o.impl = 'scopeset')
JOIN label l ON l.op = o.op
WHERE o.impl IN ('scopeset', 'scopeset+wild') AND o.op <> 'scan';

\echo
\echo 'scopeset benchmark:' :rows 'rows of 100 scopes each; median of' :reps 'runs per query'
\echo 'Query constants: @> 5 scopes, && and | 100 scopes, ? one scope.'
\echo 'intarray''s ? is  s @> ARRAY[id];  | is timed as sum(cardinality(s | const)).'
\echo 'intarray, scopeset and text[] hold the same sets, int ids numbered in name order;'
\echo 'scopeset+wild holds them with 3 area.*.verb patterns added per row (other answers).'
\echo

\echo '== Storage (no value may be compressed or stored out of line)'
SELECT 'int[] (intarray)' AS "column",
	round(avg(pg_column_size(s)), 1) AS "avg bytes", max(pg_column_size(s)) AS "max bytes",
	count(pg_column_compression(s)) AS compressed,
	pg_relation_size((SELECT reltoastrelid FROM pg_class WHERE relname = 't_int')) AS "toast bytes"
FROM t_int
UNION ALL
SELECT 'scopeset', round(avg(pg_column_size(s)), 1), max(pg_column_size(s)),
	count(pg_column_compression(s)),
	pg_relation_size((SELECT reltoastrelid FROM pg_class WHERE relname = 't_ss'))
FROM t_ss
UNION ALL
SELECT 'scopeset+wild', round(avg(pg_column_size(s)), 1), max(pg_column_size(s)),
	count(pg_column_compression(s)),
	pg_relation_size((SELECT reltoastrelid FROM pg_class WHERE relname = 't_wild'))
FROM t_wild
UNION ALL
SELECT 'text[] (storage plain)', round(avg(pg_column_size(s)), 1), max(pg_column_size(s)),
	count(pg_column_compression(s)),
	pg_relation_size((SELECT reltoastrelid FROM pg_class WHERE relname = 't_text'))
FROM t_text;

\echo '== Timings (ms for the whole query over all rows; ns per row)'
SELECT CASE WHEN p.impl = 'intarray' THEN l.label ELSE '' END AS operation,
	p.impl,
	round(p.med_ms::numeric, 2) AS "median ms",
	round(p.min_ms::numeric, 2) AS "min ms",
	round(p.max_ms::numeric, 2) AS "max ms",
	round(p.raw_ns::numeric, 1) AS "ns/op raw",
	CASE WHEN p.op = 'scan' THEN NULL ELSE round(p.net_ns::numeric, 1) END AS "ns/op net",
	p.result AS result,
	CASE WHEN p.nresults > 1 THEN 'UNSTABLE' END AS "check"
FROM per_op p JOIN label l USING (op)
ORDER BY p.ord;

\echo '== Ratios scopeset / baseline (headline: net of the scan; target: within 1.5x of intarray)'
SELECT operation, ours_impl AS ours, baseline_impl AS baseline,
	round(baseline_ns::numeric, 1) AS "baseline ns/op",
	round(ours_ns::numeric, 1) AS "ours ns/op",
	round(ratio_net::numeric, 2) AS "ratio net",
	round(ratio_raw::numeric, 2) AS "ratio raw",
	CASE WHEN ours_impl <> 'scopeset' THEN 'wildcard path'
		WHEN baseline_impl <> 'intarray' THEN 'reference'
		WHEN ratio_net <= 1.5 THEN 'within 1.5x'
		ELSE 'over 1.5x' END AS target
FROM summary
ORDER BY oord, bord;

-- Every representation of the same sets must give the same answer, or the
-- comparison is void.  (The rows with wildcards hold other sets.)
SELECT count(*) > 0 AS mismatches
FROM per_op a JOIN per_op b ON a.op = b.op AND a.impl < b.impl
WHERE a.op <> 'scan' AND a.impl <> 'scopeset+wild' AND b.impl <> 'scopeset+wild'
	AND (a.result <> b.result OR a.nresults > 1 OR b.nresults > 1)
\gset
\if :mismatches
DO $$ BEGIN RAISE EXCEPTION 'the representations disagree on some result; see the result column'; END $$;
\else
\echo 'intarray, scopeset and text[] agree on every result.'
\endif
