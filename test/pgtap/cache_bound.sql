-- The per-backend cache is bounded by rbac.cache_entries: it never holds
-- more entries than the bound, however many (principal, workspace) pairs a
-- session checks, not even right after the bound is lowered; it evicts to
-- stay there; and its answers are those of no cache at all.
--
-- Entries made inside a transaction that wrote to the model are not kept,
-- so the fixture is committed first and removed at the end.  It is written
-- straight into the tables, as their owner, to leave no audit rows behind.
SELECT plan(10);

INSERT INTO rbac.workspaces (id, name, ownership)
SELECT 'cache-bound-' || i, 'Cache bound ' || i, 'shared' FROM generate_series(1, 3000) AS i;
INSERT INTO rbac.grants (principal, role_id, role_kind, workspace_id)
SELECT p.principal, r.id, r.kind, 'cache-bound-' || i
FROM rbac.roles AS r, generate_series(1, 3000) AS i,
	(VALUES ('cache-bound-wide'), ('cache-bound-late')) AS p(principal)
WHERE r.builtin AND r.key = 'member' AND (p.principal = 'cache-bound-wide' OR i = 1);

-- How many of the 3000 workspaces the current principal may read in.
CREATE FUNCTION pg_temp.readable() RETURNS bigint LANGUAGE sql AS $$
	SELECT count(*) FROM generate_series(1, 3000) AS i
	WHERE rbac.has_scope('documents.read', 'cache-bound-' || i);
$$;

SELECT FROM rbac.set_principal('cache-bound-wide', is_local => false);

SET rbac.cache = off;
SELECT is(pg_temp.readable(), 3000::bigint, 'with no cache, the principal reads in all 3000 workspaces');
SET rbac.cache = on;

SET rbac.cache_entries = 200;
SELECT is(pg_temp.readable(), 3000::bigint, 'with a bound of 200 entries, the answers are the same');
SELECT cmp_ok((SELECT entries FROM rbac.cache_stats()), '<=', 200::bigint,
	'and the cache holds no more than 200 entries');
SELECT cmp_ok((SELECT evictions FROM rbac.cache_stats()), '>=', 25::bigint,
	'because it evicted a generation of 100 at least 25 times');
SELECT is((SELECT max_entries FROM rbac.cache_stats()), 200, 'cache_stats shows the bound');
SELECT is(pg_temp.readable(), 3000::bigint, 'a second pass answers the same');

SET rbac.cache_entries = 10000;
SELECT is(pg_temp.readable(), 3000::bigint, 'with room for them all, the answers are the same');
SELECT cmp_ok((SELECT entries FROM rbac.cache_stats()), '>=', 3000::bigint,
	'and the cache holds all 3000');

-- Lowering the bound takes effect at the next new entry.
SET rbac.cache_entries = 100;
SELECT FROM rbac.set_principal('cache-bound-late', is_local => false);
SELECT is(rbac.has_scope('documents.read', 'cache-bound-1'), true, 'a new principal, after lowering the bound to 100');
SELECT cmp_ok((SELECT entries FROM rbac.cache_stats()), '<=', 100::bigint,
	'leaves no more than 100 entries');

RESET rbac.cache_entries;
SELECT FROM rbac.set_principal(NULL, is_local => false);
DELETE FROM rbac.grants WHERE workspace_id LIKE 'cache-bound-%';
DELETE FROM rbac.workspaces WHERE id LIKE 'cache-bound-%';

SELECT * FROM finish();
