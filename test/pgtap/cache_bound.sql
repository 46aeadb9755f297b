-- The per-backend cache is bounded by rbac.cache_entries: it never holds
-- more entries than the bound, however many (principal, workspace) pairs a
-- session checks, not even right after the bound is lowered; it evicts to
-- stay there; and its answers are those of no cache at all.
--
-- The questions are many (principal, workspace, resource, scope) checks
-- whose answers are a mix of yes and no, asked in a shuffled order so that
-- entries are evicted and read again, and answered from the cache, from a
-- fresh read and from a call site's memo.  Every answer is compared with
-- the answer with rbac.cache = off and with a reference computed here in
-- SQL from the grants this file inserts, so a cache that says yes where it
-- should say no (or the reverse) fails, whichever way it got there.
--
-- Entries made inside a transaction that wrote to the model are not kept,
-- so the fixture is committed first and removed at the end.  It is written
-- straight into the tables, as their owner, to leave no audit rows behind.
SELECT plan(31);

-- ===================================================================
-- The fixture: roles with known scopes, and grants made from a pattern
-- ===================================================================

-- Each custom role's scopes, spelt out: the roles are made from these rows
-- and the reference reads them, never rbac.roles.
CREATE TEMP TABLE cb_role_scopes (role text, kind text, scope text);
INSERT INTO cb_role_scopes VALUES
	('cb_reader', 'workspace', 'documents.read'),
	('cb_editor', 'workspace', 'documents.read'),
	('cb_editor', 'workspace', 'documents.edit'),
	('cb_project_reader', 'resource', 'documents.read'),
	('cb_project_commenter', 'resource', 'documents.comment');
INSERT INTO rbac.roles (key, name, kind, scopes)
SELECT role, initcap(replace(role, '_', ' ')), kind, ('{' || string_agg(scope, ',') || '}')::rbac.scopeset
FROM cb_role_scopes GROUP BY role, kind;

INSERT INTO rbac.workspaces (id, name, ownership)
SELECT 'cache-bound-' || i, 'Cache bound ' || i, 'shared' FROM generate_series(1, 400) AS i;

-- Six patterns of grants, one picked per (principal, workspace) by a hash:
-- none, a workspace role, a resource role, or both kinds.
CREATE TEMP TABLE cb_patterns (pattern int, role text, resource_id text);
INSERT INTO cb_patterns VALUES
	(1, 'cb_reader', NULL),
	(2, 'cb_editor', NULL),
	(3, 'cb_project_reader', 'p1'),
	(4, 'cb_reader', NULL), (4, 'cb_project_commenter', 'p2'),
	(5, 'cb_project_commenter', 'p1'), (5, 'cb_project_reader', 'p2');
CREATE TEMP TABLE cb_principals (principal text PRIMARY KEY);
INSERT INTO cb_principals VALUES ('cache-bound-ann'), ('cache-bound-bob'), ('cache-bound-cy');
CREATE TEMP TABLE cb_grants (principal text, workspace text, role text, resource_id text);
INSERT INTO cb_grants
SELECT p.principal, 'cache-bound-' || i, t.role, t.resource_id
FROM cb_principals AS p, generate_series(1, 400) AS i, cb_patterns AS t
WHERE t.pattern = abs(hashtext(p.principal || ':' || i)) % 6;
INSERT INTO rbac.grants (principal, role_id, role_kind, workspace_id, resource_type, resource_id)
SELECT g.principal, r.id, r.kind, g.workspace, CASE WHEN g.resource_id IS NOT NULL THEN 'project' END,
	g.resource_id
FROM cb_grants AS g JOIN rbac.roles AS r ON r.key = g.role AND NOT r.builtin;

-- ===================================================================
-- The questions, and the reference answers from the grants above
-- ===================================================================

-- Every principal, workspace and scope, on the workspace (resource_id
-- NULL) and on projects p1, p2 and p3 (on which nobody holds a resource
-- role).  shuffle orders them so that a principal's pairs come back after
-- others have pushed them out.
CREATE TEMP TABLE cb_questions AS
SELECT row_number() OVER () AS n, p.principal, 'cache-bound-' || i AS workspace, s.scope,
	r.resource_id, abs(hashtext(p.principal || i || s.scope || coalesce(r.resource_id, ''))) AS shuffle
FROM cb_principals AS p, generate_series(1, 400) AS i,
	unnest(ARRAY['documents.read', 'documents.edit', 'documents.comment']) AS s(scope),
	(VALUES (NULL), ('p1'), ('p2'), ('p3')) AS r(resource_id);
ALTER TABLE cb_questions ADD PRIMARY KEY (n);

-- A workspace grant of a role with the scope answers yes on the workspace
-- and on every resource in it; a resource grant only on its resource.
CREATE TEMP TABLE cb_expected AS
SELECT q.n, EXISTS (
	SELECT FROM cb_grants AS g JOIN cb_role_scopes AS rs ON rs.role = g.role
	WHERE g.principal = q.principal AND g.workspace = q.workspace AND rs.scope = q.scope
	  AND (g.resource_id IS NULL OR g.resource_id = q.resource_id)) AS expected
FROM cb_questions AS q;
ALTER TABLE cb_expected ADD PRIMARY KEY (n);

-- ===================================================================
-- Asking: each answer, where it came from, and the entries after it
-- ===================================================================

CREATE TEMP TABLE cb_answers (phase text, n bigint, answer boolean, source text,
	entries bigint, bound int, PRIMARY KEY (phase, n));

-- Ask the current principal's questions in shuffled order, or grouped by
-- scope so that the call sites' memos answer too (as in a policy).  The
-- source is "cache" for a cache hit, "read" for a miss, "memo" for neither.
CREATE FUNCTION pg_temp.ask(phase text, by_scope boolean DEFAULT false) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	q record;
	answer boolean;
	before record;
	after record;
BEGIN
	FOR q IN SELECT * FROM pg_temp.cb_questions WHERE principal = rbac.current_principal()
	         ORDER BY CASE WHEN by_scope THEN scope END, shuffle LOOP
		SELECT * INTO before FROM rbac.cache_stats();
		IF q.resource_id IS NULL THEN
			answer := rbac.has_scope(q.scope, q.workspace);
		ELSE
			answer := rbac.has_scope(q.scope, q.workspace, 'project', q.resource_id);
		END IF;
		SELECT * INTO after FROM rbac.cache_stats();
		INSERT INTO pg_temp.cb_answers VALUES (phase, q.n, answer,
			CASE WHEN after.hits > before.hits THEN 'cache'
			     WHEN after.misses > before.misses THEN 'read' ELSE 'memo' END,
			after.entries, current_setting('rbac.cache_entries')::int);
	END LOOP;
END $$;

-- Every principal in turn, all in one session.
CREATE PROCEDURE pg_temp.ask_all(phase text, by_scope boolean DEFAULT false)
LANGUAGE plpgsql AS $$
DECLARE
	p text;
BEGIN
	FOR p IN SELECT principal FROM pg_temp.cb_principals ORDER BY principal LOOP
		PERFORM rbac.set_principal(p, is_local => false);
		PERFORM pg_temp.ask(phase, by_scope);
	END LOOP;
END $$;

SET rbac.cache = off;
CALL pg_temp.ask_all('no cache');
SET rbac.cache = on;

SET rbac.cache_entries = 200;
CALL pg_temp.ask_all('bound 200, first pass');
CALL pg_temp.ask_all('bound 200, second pass');
CALL pg_temp.ask_all('bound 200, by scope', by_scope => true);
CREATE TEMP TABLE cb_bounded_stats AS SELECT * FROM rbac.cache_stats();

SET rbac.cache_entries = 10000;
CALL pg_temp.ask_all('room for all, first pass');
CALL pg_temp.ask_all('room for all, second pass');
CALL pg_temp.ask_all('room for all, by scope', by_scope => true);

ANALYZE cb_questions, cb_expected, cb_answers;
CREATE TEMP TABLE cb_phases (phase text PRIMARY KEY, cached boolean NOT NULL);
INSERT INTO cb_phases VALUES ('no cache', false), ('bound 200, first pass', true),
	('bound 200, second pass', true), ('bound 200, by scope', true),
	('room for all, first pass', true), ('room for all, second pass', true),
	('room for all, by scope', true);

-- ===================================================================
-- The oracle is a mix of yes and no
-- ===================================================================

SELECT ok((SELECT avg(expected::int) BETWEEN 0.2 AND 0.6 FROM cb_expected),
	'between 20% and 60% of the reference answers are yes');
SELECT is_empty($$
	SELECT q.principal, q.scope, q.resource_id FROM cb_questions AS q JOIN cb_expected AS e USING (n)
	GROUP BY q.principal, q.scope, q.resource_id
	HAVING bool_and(e.expected)
	    OR (NOT bool_or(e.expected)
	        AND NOT (q.scope = 'documents.comment' AND coalesce(q.resource_id, 'p3') = 'p3'))
$$, 'each principal gets both answers for each scope and resource, but documents.comment where no role gives it');

-- ===================================================================
-- Every answer, in every phase, is the reference's and no cache's
-- ===================================================================

SELECT is_empty(format($$
	SELECT q.*, e.expected, a.answer, a.source FROM cb_questions AS q JOIN cb_expected AS e USING (n)
	LEFT JOIN cb_answers AS a ON a.n = q.n AND a.phase = %L
	WHERE a.answer IS DISTINCT FROM e.expected ORDER BY q.n LIMIT 20
$$, phase), format('%s: every answer is the reference''s', phase))
FROM cb_phases ORDER BY phase;

SELECT is_empty(format($$
	SELECT q.*, o.answer AS uncached, a.answer, a.source FROM cb_questions AS q
	LEFT JOIN cb_answers AS o ON o.n = q.n AND o.phase = 'no cache'
	LEFT JOIN cb_answers AS a ON a.n = q.n AND a.phase = %L
	WHERE a.answer IS DISTINCT FROM o.answer OR a.answer IS NULL ORDER BY q.n LIMIT 20
$$, phase), format('%s: every answer is that of no cache', phase))
FROM cb_phases WHERE cached ORDER BY phase;

-- ===================================================================
-- The bound holds after every check, and the answers came from the cache
-- ===================================================================

SELECT is_empty(format($$
	SELECT a.n, a.entries, a.bound FROM cb_answers AS a
	WHERE a.phase = %L AND a.entries > a.bound ORDER BY a.n LIMIT 20
$$, phase), format('%s: after every check, the cache holds no more entries than the bound', phase))
FROM cb_phases WHERE cached ORDER BY phase;

SELECT cmp_ok((SELECT evictions FROM cb_bounded_stats), '>=', 50::bigint,
	'with a bound of 200, the cache evicted a generation of 100 at least 50 times');
SELECT is((SELECT max_entries FROM cb_bounded_stats), 200, 'cache_stats shows the bound');
SELECT cmp_ok((SELECT count(*) FROM (
		SELECT q.principal, q.workspace FROM cb_answers AS a JOIN cb_questions AS q USING (n)
		WHERE a.phase = 'bound 200, first pass' AND a.source = 'read'
		GROUP BY 1, 2 HAVING count(*) >= 2) AS x), '>=', 500::bigint,
	'with a bound of 200, at least 500 pairs were evicted and read again in one pass');

-- A wrong yes from the cache shows only if the cache answered questions
-- whose answer is no; and the memos were used too.
SELECT is_empty($$
	SELECT p.phase, s.source, v.expected FROM cb_phases AS p
	CROSS JOIN (VALUES ('cache'), ('read')) AS s(source) CROSS JOIN (VALUES (true), (false)) AS v(expected)
	WHERE p.cached AND (SELECT count(*) FROM cb_answers AS a JOIN cb_expected AS e USING (n)
	                    WHERE a.phase = p.phase AND a.source = s.source AND e.expected = v.expected) < 100
	  AND NOT (p.phase = 'room for all, second pass' AND s.source = 'read')
	  AND NOT (p.phase = 'room for all, by scope' AND s.source = 'read')
$$, 'in every cached phase, at least 100 yes and 100 no came from the cache and (while it fills) from reads');
SELECT cmp_ok((SELECT count(*) FROM cb_answers AS a JOIN cb_expected AS e USING (n)
               WHERE a.phase LIKE '%by scope' AND a.source = 'memo' AND NOT e.expected), '>=', 100::bigint,
	'grouped by scope, at least 100 no came from the call sites'' memos');
SELECT is((SELECT count(*) FROM cb_answers WHERE phase = 'room for all, second pass' AND source = 'read'),
	0::bigint, 'with room for all, the second pass reads nothing');
SELECT cmp_ok((SELECT max(entries) FROM cb_answers WHERE phase = 'room for all, first pass'), '>=', 1200::bigint,
	'and the cache holds all 1200 pairs');

-- ===================================================================
-- Lowering the bound takes effect at the next new entry
-- ===================================================================

SET rbac.cache_entries = 100;
INSERT INTO rbac.grants (principal, role_id, role_kind, workspace_id)
SELECT 'cache-bound-late', r.id, r.kind, 'cache-bound-1' FROM rbac.roles AS r
WHERE r.key = 'cb_reader' AND NOT r.builtin;
SELECT FROM rbac.set_principal('cache-bound-late', is_local => false);
SELECT is(rbac.has_scope('documents.read', 'cache-bound-1'), true, 'a new principal, after lowering the bound to 100');
SELECT is(rbac.has_scope('documents.edit', 'cache-bound-1'), false, 'holds what its role gives, no more');
SELECT cmp_ok((SELECT entries FROM rbac.cache_stats()), '<=', 100::bigint,
	'leaves no more than 100 entries');

RESET rbac.cache_entries;
SELECT FROM rbac.set_principal(NULL, is_local => false);
DELETE FROM rbac.grants WHERE workspace_id LIKE 'cache-bound-%';
DELETE FROM rbac.workspaces WHERE id LIKE 'cache-bound-%';
DELETE FROM rbac.roles WHERE key IN (SELECT role FROM cb_role_scopes) AND NOT builtin;

SELECT * FROM finish();
