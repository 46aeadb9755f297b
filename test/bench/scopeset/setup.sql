-- ===================================================================
-- scopeset benchmark: data
--
-- One universe of realistic scope names, each mapped to an integer id in
-- bytewise name order, so that a sorted int[] and a canonical scopeset
-- list the same elements in the same order.  Every row of every table
-- holds the same 100-element set, as int[] (intarray), as scopeset and as
-- text[].  The data is deterministic: setseed() fixes every random draw,
-- and max_parallel_workers_per_gather = 0 keeps the draws in one order.
--
-- psql variables: rows (table size).
-- ===================================================================

\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;
SET max_parallel_maintenance_workers = 0;
SET work_mem = '1GB';

CREATE EXTENSION IF NOT EXISTS intarray;
CREATE EXTENSION IF NOT EXISTS pg_prewarm;
CREATE EXTENSION IF NOT EXISTS rbac;

SELECT setseed(0.4242) \g /dev/null

-- -------------------------------------------------------------------
-- The universe: 2,592 names such as project.tokens.read, billing.admin
-- and agents:bot-7:run, 7 to 20 bytes long, 16 on average, so that 100
-- of them fit in a scopeset well under the 2 kB TOAST threshold.
-- -------------------------------------------------------------------
CREATE TABLE scope (id int PRIMARY KEY, name text NOT NULL UNIQUE);

CREATE TABLE area (a text);
CREATE TABLE resource (r text);
CREATE TABLE verb (v text);
INSERT INTO area SELECT unnest('{org,billing,team,project,app,audit,files,keys,hooks,jobs,alerts,usage,models,sso,api,db}'::text[]);
INSERT INTO resource SELECT unnest('{users,roles,seats,plans,bills,tokens,runs,logs,events,exports,builds,docs,tags,sites,tasks,envs,repos,notes}'::text[]);
INSERT INTO verb SELECT unnest('{read,write,list,create,delete,edit,run,admin}'::text[]);

WITH agent(g) AS (
	SELECT 'bot-' || i FROM generate_series(1, 40) AS i
), names(name) AS (
	SELECT a || '.' || r || '.' || v FROM area, resource, verb
	UNION ALL
	SELECT a || '.' || v FROM area, verb
	UNION ALL
	SELECT 'agents:' || g || ':' || v FROM agent, (VALUES ('run'), ('read'), ('stop'), ('edit')) AS av(v)
)
INSERT INTO scope
SELECT row_number() OVER (ORDER BY name COLLATE "C"), name FROM names;

-- A few dozen popular scopes, which many rows share, so that the query
-- constants below match a fair share of the rows.
CREATE TABLE popular AS
SELECT row_number() OVER () AS k, id FROM (SELECT id FROM scope ORDER BY random() LIMIT 40) p;

-- -------------------------------------------------------------------
-- The rows: 100 distinct ids each, drawn 30% from the popular scopes
-- and 70% from the whole universe.
-- -------------------------------------------------------------------
CREATE TABLE sets (id int PRIMARY KEY, ids int[] NOT NULL);

INSERT INTO sets
SELECT r, (
	SELECT array_agg(x ORDER BY x)
	FROM (
		SELECT x
		FROM (
			SELECT DISTINCT x
			FROM (
				SELECT CASE WHEN random() < 0.3
					THEN pop.ids[1 + floor(random() * 40)::int]
					ELSE 1 + floor(random() * pop.n)::int
				END AS x
				FROM generate_series(1, 150 + 0 * r)
			) draws
		) d
		ORDER BY random()
		LIMIT 100
	) chosen
)
FROM generate_series(1, :rows) AS r,
	(SELECT array_agg(id ORDER BY k) AS ids, (SELECT count(*) FROM scope) AS n FROM popular) AS pop;

DO $$
BEGIN
	IF EXISTS (SELECT FROM sets WHERE cardinality(ids) <> 100) THEN
		RAISE EXCEPTION 'some generated row does not hold 100 distinct scopes';
	END IF;
END
$$;

-- The same sets in the three representations, one table each.
CREATE TABLE t_int (id int, s int[]);
CREATE TABLE t_ss (id int, s rbac.scopeset);
CREATE TABLE t_text (id int, s text[]);

-- text[] of 100 names is just over the TOAST threshold; store it plain so
-- that the reference measures array_contains, not decompression.
ALTER TABLE t_text ALTER COLUMN s SET STORAGE PLAIN;

INSERT INTO t_int SELECT id, ids FROM sets ORDER BY id;

INSERT INTO t_text
SELECT s.id, array_agg(sc.name ORDER BY sc.name COLLATE "C")
FROM sets s, unnest(s.ids) AS u(x), scope sc
WHERE sc.id = u.x
GROUP BY s.id
ORDER BY s.id;

INSERT INTO t_ss SELECT id, rbac.scopeset(s) FROM t_text ORDER BY id;

-- A second scenario, apart from the like-for-like comparison: the same
-- rows plus three patterns area.*.verb each (canonical form then drops
-- the literals a pattern covers), to show what the wildcard path costs.
-- intarray has no equivalent, so these rows answer differently.
CREATE TABLE t_wild (id int, s rbac.scopeset);

INSERT INTO t_wild
SELECT t.id, rbac.scopeset(t.s || ARRAY(
	SELECT w.areas[1 + floor(random() * cardinality(w.areas))::int] || '.*.'
		|| w.verbs[1 + floor(random() * cardinality(w.verbs))::int]
	FROM generate_series(1, 3 + 0 * t.id)))
FROM t_text t,
	(SELECT (SELECT array_agg(a ORDER BY a) FROM area) AS areas,
		(SELECT array_agg(v ORDER BY v) FROM verb) AS verbs) AS w
ORDER BY t.id;

-- -------------------------------------------------------------------
-- Query constants, stored once in each representation.
--   contains: 5 popular scopes           (@>)
--   overlaps: 100 scopes, none popular   (&&, and | for union)
--   has:      one popular scope          (?)
-- -------------------------------------------------------------------
CREATE TABLE const (op text PRIMARY KEY, ids int[], names text[], ss rbac.scopeset);

INSERT INTO const (op, ids)
SELECT 'contains', array_agg(id ORDER BY id)
FROM (SELECT id FROM popular ORDER BY random() LIMIT 5) c;

INSERT INTO const (op, ids)
SELECT 'overlaps', array_agg(id ORDER BY id)
FROM (SELECT id FROM scope WHERE id NOT IN (SELECT id FROM popular) ORDER BY random() LIMIT 100) c;

INSERT INTO const (op, ids)
SELECT 'has', ARRAY[id]
FROM (SELECT id FROM popular WHERE id NOT IN (SELECT unnest(ids) FROM const) ORDER BY random() LIMIT 1) c;

UPDATE const c
SET names = n.names, ss = rbac.scopeset(n.names)
FROM (
	SELECT op, array_agg(sc.name ORDER BY sc.name COLLATE "C") AS names
	FROM const, unnest(ids) AS u(x), scope sc
	WHERE sc.id = u.x
	GROUP BY op
) n
WHERE n.op = c.op;

-- Set hint bits and the visibility map, so that no timed scan writes.
VACUUM (FREEZE, ANALYZE) t_int, t_ss, t_text, t_wild, const, scope;
