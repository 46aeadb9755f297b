-- has_scope()'s memo of answers per workspace, keyed by the id's bytes:
-- ids that differ in one byte, at the start, in the middle or at the end,
-- of every length the key comparison treats differently (1 to 3 bytes, 4
-- to 7, 8 to 16, and longer, where the middle bytes are compared apart
-- from the two words read at the ends), and uuid and bigint ids, which
-- are keyed by their binary form.  Rows come in a shuffled order, so that
-- answers are found both as the previous row's and in the hash table.
-- Each principal sees exactly the workspaces granted to them, and a
-- second principal, granted the others, sees exactly those.
BEGIN;
SELECT plan(6);
SET LOCAL client_min_messages = warning;

CREATE TEMP TABLE mk_ids (ws text PRIMARY KEY, granted boolean NOT NULL);
INSERT INTO mk_ids VALUES
	('a', true), ('b', false),
	('aa', true), ('ab', false),
	('abc', true), ('abd', false), ('xbc', false), ('aXc', false),
	('abcd', true), ('abce', false), ('bbcd', false),
	('ws_0001', true), ('ws_0002', false), ('ws_1001', false), ('xs_0001', false),
	('ws_00001', true), ('ws_00002', false), ('xs_00001', false),
	('ws_0000000001', true), ('ws_0000001001', false), ('ws_0010000001', false),
	('workspace-000001', true), ('workspace-100001', false), ('workspace-000002', false),
	('abcdefghXijklmnop', true), ('abcdefghYijklmnop', false),
	('abcdefghXXXXijklmnop', true), ('abcdefghXXYXijklmnop', false), ('abcdefghYXXXijklmnop', false),
	('an id of forty bytes, for the long path', true), ('an id of forty bytes, for the lonG path', false),
	('an id of forty bytes, For the long path', false),
	-- uuid and bigint ids, as the rbac tables spell them
	('00000000-0000-0000-0000-000000000001', true), ('00000000-0000-0000-0000-000000000002', false),
	('00000000-0000-0001-0000-000000000001', false), ('10000000-0000-0000-0000-000000000001', false),
	('1', true), ('2', false), ('4294967297', false), ('72057594037927937', false);

DO $$
DECLARE
	i mk_ids;
BEGIN
	FOR i IN SELECT * FROM mk_ids ORDER BY ws LOOP
		PERFORM rbac.create_workspace(i.ws, 'Keys ' || i.ws, 'olive');
		PERFORM rbac.add_member(i.ws, CASE WHEN i.granted THEN 'mk_alice' ELSE 'mk_bob' END, 'viewer');
	END LOOP;
END $$;

-- Five rows per workspace, shuffled.
CREATE TEMP TABLE mk_docs AS
SELECT row_number() OVER (ORDER BY md5(ws || k)) AS id, ws AS workspace_id
FROM mk_ids, generate_series(1, 5) AS k;
CREATE TEMP TABLE mk_typed AS
SELECT row_number() OVER (ORDER BY md5(ws || k)) AS id,
	CASE WHEN ws ~ '^[0-9a-f-]{36}$' THEN ws::uuid END AS ws_uuid,
	CASE WHEN ws ~ '^[0-9]+$' THEN ws::bigint END AS ws_bigint
FROM mk_ids, generate_series(1, 5) AS k
WHERE ws ~ '^[0-9a-f-]{36}$' OR ws ~ '^[0-9]+$';

SELECT rbac.set_principal('mk_alice');
SELECT is(ARRAY(SELECT DISTINCT workspace_id FROM mk_docs
                WHERE rbac.has_scope('documents.read', workspace_id) ORDER BY 1),
          ARRAY(SELECT ws FROM mk_ids WHERE granted ORDER BY 1),
          'text ids: exactly the granted workspaces, however close the others');
SELECT is((SELECT count(*) FROM mk_docs WHERE rbac.has_scope('documents.read', workspace_id)),
          5 * (SELECT count(*) FROM mk_ids WHERE granted),
          'text ids: every row of a granted workspace, none of the others');
SELECT is(ARRAY(SELECT DISTINCT ws_uuid::text FROM mk_typed
                WHERE rbac.has_scope('documents.read', ws_uuid) ORDER BY 1),
          ARRAY['00000000-0000-0000-0000-000000000001'],
          'uuid ids: only the granted one');
SELECT is(ARRAY(SELECT DISTINCT ws_bigint FROM mk_typed
                WHERE rbac.has_scope('documents.read', ws_bigint) ORDER BY 1),
          ARRAY[1::bigint],
          'bigint ids: only the granted one');

SELECT rbac.set_principal('mk_bob');
SELECT is(ARRAY(SELECT DISTINCT workspace_id FROM mk_docs
                WHERE rbac.has_scope('documents.read', workspace_id) ORDER BY 1),
          ARRAY(SELECT ws FROM mk_ids WHERE NOT granted ORDER BY 1),
          'another principal: exactly the other workspaces');
SELECT is((SELECT count(*) FILTER (WHERE rbac.has_scope('documents.read', ws_uuid))
                + count(*) FILTER (WHERE rbac.has_scope('documents.read', ws_bigint))
           FROM mk_typed),
          5 * 6::bigint,
          'another principal: the other uuid and bigint workspaces');

SELECT * FROM finish();
ROLLBACK;
