-- What a change makes a cache drop.  A change to grants drops only the
-- entries of the principals of the changed rows, so everyone else keeps
-- answering from the cache; a workspace created, deleted or moved drops
-- only the entries of that workspace and the listings, and a renamed or
-- ownership-locked one nothing; a change to anything else, or to more grant
-- rows in one statement than are worth signalling one by one, drops
-- everything.  Either way the next answer is right.
--
-- Statements run in transactions of their own, so each change reaches the
-- cache as another session's would; the fixture is written straight into
-- the tables, as their owner, and removed at the end.
SELECT plan(27);

INSERT INTO rbac.workspaces (id, name, ownership)
SELECT 'signals-' || i, 'Signals ' || i, 'shared' FROM generate_series(1, 300) AS i;
INSERT INTO rbac.grants (principal, role_id, role_kind, workspace_id)
SELECT p, r.id, r.kind, 'signals-1'
FROM rbac.roles AS r, unnest(ARRAY['signals-ann', 'signals-bob', 'signals-cy']) AS p
WHERE r.builtin AND r.key = 'viewer';

-- Check as a principal, and return what the cache did meanwhile.
CREATE FUNCTION pg_temp.check_as(principal text, workspace text DEFAULT 'signals-1',
	OUT holds boolean, OUT hits bigint, OUT misses bigint)
LANGUAGE plpgsql AS $$
DECLARE
	before record := rbac.cache_stats();
BEGIN
	PERFORM rbac.set_principal(principal);
	holds := rbac.has_scope('documents.read', workspace);
	SELECT s.hits - before.hits, s.misses - before.misses INTO hits, misses FROM rbac.cache_stats() AS s;
END $$;

CREATE FUNCTION pg_temp.listed_as(principal text, workspace text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM rbac.set_principal(principal);
	RETURN workspace = ANY (rbac.accessible_workspaces('documents.read'));
END $$;

CREATE FUNCTION pg_temp.viewer() RETURNS bigint LANGUAGE sql AS $$
	SELECT id FROM rbac.roles WHERE builtin AND key = 'viewer';
$$;

SELECT is(pg_temp.check_as('signals-ann')::text, '(t,0,1)', 'ann reads, from the tables');
SELECT is(pg_temp.check_as('signals-bob')::text, '(t,0,1)', 'bob reads, from the tables');
SELECT is(pg_temp.check_as('signals-ann')::text, '(t,1,0)', 'ann again, from the cache');

DELETE FROM rbac.grants WHERE principal = 'signals-ann';
SELECT is(pg_temp.check_as('signals-ann')::text, '(f,0,1)',
	'after her grant is deleted, ann no longer reads: her entry was dropped');
SELECT is(pg_temp.check_as('signals-bob')::text, '(t,1,0)', 'while bob''s was kept');

INSERT INTO rbac.grants (principal, role_id, role_kind, workspace_id)
VALUES ('signals-ann', pg_temp.viewer(), 'workspace', 'signals-1');
SELECT is(pg_temp.check_as('signals-ann')::text, '(t,0,1)', 'an inserted grant drops her entry too');
SELECT is(pg_temp.check_as('signals-bob')::text, '(t,1,0)', 'and bob keeps his');

SELECT is(pg_temp.check_as('signals-cy')::text, '(t,0,1)', 'cy reads');
UPDATE rbac.grants SET principal = 'signals-dee' WHERE principal = 'signals-cy';
SELECT is(pg_temp.check_as('signals-cy')::text, '(f,0,1)',
	'a grant moved from cy to dee drops cy''s entry');
SELECT is(pg_temp.check_as('signals-dee')::text, '(t,0,1)', 'and dee reads');
SELECT is(pg_temp.check_as('signals-bob')::text, '(t,1,0)', 'bob still from the cache');

-- 300 rows in one statement: one signal to everyone instead.
INSERT INTO rbac.grants (principal, role_id, role_kind, workspace_id)
SELECT 'signals-many-' || i, pg_temp.viewer(), 'workspace', 'signals-' || i FROM generate_series(1, 300) AS i;
SELECT is(pg_temp.check_as('signals-bob')::text, '(t,0,1)',
	'a statement changing 300 grant rows drops every entry');
SELECT is(pg_temp.check_as('signals-bob')::text, '(t,1,0)', 'which is then read again once');

INSERT INTO rbac.organizations (id, name) VALUES ('signals-org', 'Signals');
SELECT is(pg_temp.check_as('signals-bob')::text, '(t,0,1)', 'a change to organizations drops every entry');

UPDATE rbac.workspaces SET name = name || '.', ownership = ownership WHERE id IN ('signals-1', 'signals-2');
SELECT is(pg_temp.check_as('signals-bob')::text, '(t,1,0)',
	'renaming workspaces, or locking their ownership, drops nothing');

INSERT INTO rbac.grants (principal, role_id, role_kind, organization_id)
VALUES ('signals-eve', pg_temp.viewer(), 'workspace', 'signals-org');
SELECT is(pg_temp.check_as('signals-eve', 'signals-new')::text, '(f,0,1)',
	'eve, a Viewer of every workspace of the organization, reads nothing in a workspace not yet created');
SELECT is(pg_temp.check_as('signals-eve', 'signals-new')::text, '(f,1,0)', 'and that answer is cached');
SELECT ok(NOT pg_temp.listed_as('signals-eve', 'signals-new'), 'nor is it listed');
INSERT INTO rbac.workspaces (id, name, organization_id, ownership)
VALUES ('signals-new', 'New', 'signals-org', 'shared');
SELECT is(pg_temp.check_as('signals-eve', 'signals-new')::text, '(t,0,1)',
	'once it is created in the organization, eve reads there: its entries were dropped');
SELECT ok(pg_temp.listed_as('signals-eve', 'signals-new'), 'and it is listed at once');
SELECT is(pg_temp.check_as('signals-bob')::text, '(t,1,0)', 'while bob''s entry elsewhere was kept');

UPDATE rbac.workspaces SET organization_id = 'signals-org' WHERE id = 'signals-1';
SELECT is(pg_temp.check_as('signals-eve')::text, '(t,0,1)',
	'a workspace moved into the organization reaches eve at once');
SELECT is(pg_temp.check_as('signals-bob')::text, '(t,0,1)', 'and its other entries were dropped too');

DELETE FROM rbac.workspaces WHERE id = 'signals-new';
SELECT is(pg_temp.check_as('signals-eve', 'signals-new')::text, '(f,0,1)',
	'a deleted workspace reaches no one at once');

CREATE TEMP TABLE signals_other (x int);
INSERT INTO signals_other VALUES (1);
SELECT is(pg_temp.check_as('signals-bob')::text, '(t,1,0)',
	'a change to a table outside the model drops nothing');

BEGIN;
DELETE FROM rbac.grants WHERE principal = 'signals-bob';
SELECT is(pg_temp.check_as('signals-bob')::text, '(f,0,1)',
	'inside the transaction that deletes it, bob''s grant is gone at the next statement');
ROLLBACK;
SELECT is(pg_temp.check_as('signals-bob')::text, '(t,0,1)', 'and back after the rollback');

SELECT FROM rbac.set_principal(NULL, is_local => false);
DELETE FROM rbac.grants WHERE workspace_id LIKE 'signals-%' OR organization_id = 'signals-org';
DELETE FROM rbac.workspaces WHERE id LIKE 'signals-%';
DELETE FROM rbac.organizations WHERE id = 'signals-org';

SELECT * FROM finish();
