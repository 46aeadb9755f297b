-- Narrowing (seed 003: the agent is bound by the person it acts for).
--
-- rbac.narrow(scopes) narrows the current principal for the rest of the
-- transaction; calling it again intersects; nothing widens it: not a wider
-- narrow, set_principal, authenticating again, nor an ordinary role's SET,
-- RESET or RESET ALL.  It is refused inside a savepoint or an exception
-- block; rbac.current_narrowing() shows it; has_scope(), RLS and the
-- administration functions honour it, so an agent acting for a person is
-- the person narrowed; and it ends with the transaction (seen from a second
-- session, through dblink).  The tests that clear settings come last.
BEGIN;
SELECT plan(84);
SET LOCAL client_min_messages = warning;
SET LOCAL search_path = public, rbac;

-- ===================================================================
-- Helpers and the model
-- ===================================================================

-- The workspace scopes of the catalog that has_scope() says yes to.
CREATE FUNCTION pg_temp.granted(workspace text) RETURNS rbac.scopeset LANGUAGE sql STABLE AS $$
	SELECT rbac.scopeset(coalesce(array_agg(s.name) FILTER (WHERE rbac.has_scope(s.name, workspace)), '{}'))
	FROM rbac.scopes AS s JOIN rbac.levels AS l ON l.name = s.level
	WHERE l.node_kind = 'workspace' AND NOT s.retired;
$$;

CREATE FUNCTION pg_temp.role_scopes(role text) RETURNS rbac.scopeset LANGUAGE sql STABLE AS $$
	SELECT r.scopes FROM rbac.roles AS r WHERE r.key = role AND r.builtin;
$$;

-- w1 is olive's; ana is an Admin and alice a Member there.
DO $$
BEGIN
	PERFORM rbac.create_workspace('w1', 'Workspace 1', 'olive');
	PERFORM rbac.grant('ana', 'admin', 'w1');
	PERFORM rbac.grant('alice', 'member', 'w1');
END $$;

-- The application authenticates people; the agent runs as an ordinary
-- role that may call administration, acting for whoever the principal is.
CREATE ROLE rbac_test_narrow_app NOLOGIN IN ROLE rbac_authenticator;
CREATE ROLE rbac_test_narrow_agent NOLOGIN IN ROLE rbac_user;

-- Rows the agent reads through has_scope() policies.
CREATE TABLE public.rbac_test_narrow_docs (id int PRIMARY KEY, workspace_id text NOT NULL);
CREATE TABLE public.rbac_test_narrow_runs (id int PRIMARY KEY, workspace_id text NOT NULL);
INSERT INTO public.rbac_test_narrow_docs VALUES (1, 'w1'), (2, 'w1');
INSERT INTO public.rbac_test_narrow_runs VALUES (1, 'w1');
ALTER TABLE public.rbac_test_narrow_docs ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.rbac_test_narrow_runs ENABLE ROW LEVEL SECURITY;
CREATE POLICY documents_read ON public.rbac_test_narrow_docs FOR SELECT
	USING (rbac.has_scope('documents.read', workspace_id));
CREATE POLICY runs_read ON public.rbac_test_narrow_runs FOR SELECT
	USING (rbac.has_scope('runs.read', workspace_id));
GRANT SELECT ON public.rbac_test_narrow_docs, public.rbac_test_narrow_runs TO rbac_test_narrow_agent;
CREATE FUNCTION pg_temp.visible() RETURNS text LANGUAGE sql AS $$
	SELECT format('docs %s, runs %s',
		(SELECT count(*) FROM public.rbac_test_narrow_docs), (SELECT count(*) FROM public.rbac_test_narrow_runs));
$$;

-- Before any narrowing: a key alice made, and a token for her.
SELECT is(rbac.set_principal('alice'), 'alice', 'alice');
CREATE TEMP TABLE creds AS SELECT rbac.create_api_key('w1', label => 'alice''s') AS key, v.token
FROM public.jwt_vectors AS v WHERE v.name = 'no_scopes';
GRANT SELECT ON creds TO rbac_test_narrow_app;
SELECT FROM public.jwt_keys AS k, set_config('rbac.jwt_secret', k.value, true) WHERE k.name = 'secret';

-- ===================================================================
-- Before narrowing
-- ===================================================================

SELECT is(rbac.current_narrowing(), NULL, 'no narrowing to begin with');
SET LOCAL ROLE rbac_test_narrow_app;
SELECT is(rbac.set_principal('ana'), 'ana', 'the application authenticates ana');
SET LOCAL ROLE rbac_test_narrow_agent;
SELECT is(pg_temp.visible(), 'docs 2, runs 1', 'the agent, acting for ana, reads every row');
SELECT is(pg_temp.granted('w1'), pg_temp.role_scopes('admin'), 'with all of an Admin''s reach');
RESET ROLE;

-- Refused inside a savepoint or an exception block.
SELECT throws_ok($$ SELECT rbac.narrow('{documents.read}') $$, '25001',
	'cannot narrow inside a savepoint or an exception block', 'narrow() is refused inside an exception block');
SAVEPOINT before_narrowing;
SELECT throws_ok($$ SELECT rbac.narrow('{documents.read}') $$, '25001',
	'cannot narrow inside a savepoint or an exception block', 'and inside a savepoint');
ROLLBACK TO SAVEPOINT before_narrowing;
RELEASE SAVEPOINT before_narrowing;
SELECT is(rbac.current_narrowing(), NULL, 'a refused narrow() leaves no narrowing');
SELECT is(pg_temp.granted('w1'), pg_temp.role_scopes('admin'), 'and ana''s reach as it was');

-- ===================================================================
-- It ends with the transaction, seen from a second session
-- ===================================================================

CREATE EXTENSION IF NOT EXISTS dblink;
CREATE FUNCTION pg_temp.remote(sql text) RETURNS text LANGUAGE sql AS $$
	SELECT r FROM dblink('narrowing_session', sql) AS t(r text);
$$;
SELECT is(dblink_connect('narrowing_session',
	format('dbname=%s user=%s port=%s host=%s', current_database(), current_user, current_setting('port'),
	       coalesce(nullif(split_part(current_setting('unix_socket_directories'), ',', 1), ''), 'localhost'))),
	'OK', 'a second session connects');
SELECT is(pg_temp.remote($$ SELECT rbac.set_principal('ana', false) $$), 'ana', 'and sets ana for the session');
SELECT is(dblink_exec('narrowing_session', 'BEGIN'), 'BEGIN', 'it begins a transaction');
SELECT is(pg_temp.remote($$ SELECT rbac.narrow('{documents.read}')::text $$), '{documents.read}', 'narrows');
SELECT is(pg_temp.remote($$ SELECT rbac.current_narrowing()::text $$), '{documents.read}', 'is narrowed');
SELECT is(dblink_exec('narrowing_session', 'COMMIT'), 'COMMIT', 'and commits');
SELECT is(pg_temp.remote($$ SELECT rbac.current_narrowing()::text $$), NULL, 'the narrowing ended with the transaction');
SELECT is(pg_temp.remote($$ SELECT rbac.current_principal() $$), 'ana', 'the session''s principal did not');
SELECT is(dblink_exec('narrowing_session', 'BEGIN'), 'BEGIN', 'another transaction');
SELECT is(pg_temp.remote($$ SELECT rbac.narrow('{documents.read}')::text $$), '{documents.read}', 'narrows');
SELECT is(dblink_exec('narrowing_session', 'ROLLBACK'), 'ROLLBACK', 'and rolls back');
SELECT is(pg_temp.remote($$ SELECT rbac.current_narrowing()::text $$), NULL, 'no narrowing is left after a rollback either');
SELECT is(pg_temp.remote($$ SELECT rbac.narrow('{documents.read}')::text $$), '{documents.read}',
	'a statement of its own narrows');
SELECT is(pg_temp.remote($$ SELECT rbac.current_narrowing()::text $$), NULL, 'for its own transaction only');
SELECT is(dblink_disconnect('narrowing_session'), 'OK', 'the second session disconnects');

-- ===================================================================
-- The agent: ana narrowed to what it may do
-- ===================================================================

CREATE TEMP TABLE narrowings (k text PRIMARY KEY, scopes rbac.scopeset NOT NULL);
INSERT INTO narrowings VALUES
	('agent', pg_temp.role_scopes('viewer') | '{members.invite,members.manage,api_keys.create,chat.send}'::rbac.scopeset),
	('tighter', '{documents.read,runs.start,tenant.settings}');
GRANT SELECT ON narrowings TO rbac_test_narrow_app, rbac_test_narrow_agent;

SET LOCAL ROLE rbac_test_narrow_app;
SELECT is(rbac.narrow((SELECT n.scopes FROM narrowings AS n WHERE n.k = 'agent')),
	(SELECT n.scopes FROM narrowings AS n WHERE n.k = 'agent'),
	'the application narrows ana to what the agent may do; narrow() returns the narrowing');
SET LOCAL ROLE rbac_test_narrow_agent;
SELECT is(rbac.current_narrowing(), (SELECT n.scopes FROM narrowings AS n WHERE n.k = 'agent'),
	'current_narrowing() shows it to the agent');
SELECT is(rbac.current_principal(), 'ana', 'the agent acts for ana');
SELECT is(pg_temp.granted('w1'), (SELECT n.scopes FROM narrowings AS n WHERE n.k = 'agent'),
	'her reach is her grants ∩ the narrowing');
SELECT is(rbac.has_scope('tenant.settings', 'w1'), false, 'an Admin scope outside the narrowing is not reached');
SELECT is((SELECT bool_or(gives) FROM rbac.explain('ana', 'tenant.settings', 'w1')), false,
	'explain agrees with has_scope: about oneself, under the narrowing no grant gives it');
SELECT ok((SELECT bool_and(note LIKE '%does not allow it here' OR through_role IS NULL)
           FROM rbac.explain('ana', 'tenant.settings', 'w1')),
	'and says that the role carries it but the narrowing does not allow it');
SELECT is(pg_temp.visible(), 'docs 2, runs 1', 'the agent still reads every row: reading is inside the narrowing');

SELECT lives_ok($$ SELECT rbac.add_member('w1', 'vera', 'viewer') $$,
	'the agent may invite a Viewer: members.invite and every Viewer scope lie inside the narrowing');
SELECT throws_ok($$ SELECT rbac.add_member('w1', 'max', 'member') $$, '42501',
	'permission denied to invite "max" as "member"', 'but not a Member, whose work scopes lie outside it');
SELECT throws_ok($$ SELECT rbac.grant('vera', 'admin', 'w1') $$, '42501', NULL,
	'nor grant anyone the Admin role ana holds');
SELECT throws_ok($$ SELECT rbac.set_role('w1', 'alice', 'viewer') $$, '42501', NULL,
	'nor change alice, whose reach lies outside the narrowing');
RESET ROLE;
SELECT is(rbac.effective_scopes('vera', 'w1'), pg_temp.role_scopes('viewer'), 'vera was invited as a Viewer');
SELECT is(rbac.effective_scopes('max', 'w1'), '{}'::rbac.scopeset, 'max was not invited');
SELECT is(rbac.effective_scopes('alice', 'w1'), pg_temp.role_scopes('member'), 'alice is still a Member');

-- A key made by the narrowed agent is bounded by the narrowing too.
CREATE TEMP TABLE minted (key text);
GRANT ALL ON minted TO rbac_test_narrow_agent;
SET LOCAL ROLE rbac_test_narrow_agent;
INSERT INTO minted SELECT rbac.create_api_key('w1', label => 'minted by the agent');
RESET ROLE;
SELECT ok((SELECT a.restriction IS NOT NULL
                  AND a.restriction OPERATOR(rbac.<@) (SELECT n.scopes FROM narrowings AS n WHERE n.k = 'agent')
           FROM rbac.api_keys AS a JOIN minted AS m ON a.prefix = substr(m.key, 6, 12)),
	'a key the narrowed agent creates with no restriction can do no more than the narrowing');

-- Narrowing again intersects.
SET LOCAL ROLE rbac_test_narrow_agent;
SELECT is(rbac.narrow((SELECT n.scopes FROM narrowings AS n WHERE n.k = 'tighter')),
	'{documents.read}'::rbac.scopeset,
	'the agent narrows itself again, to documents.read, runs.start and tenant.settings: the result is the intersection');
SELECT is(rbac.current_narrowing(), '{documents.read}'::rbac.scopeset, 'which current_narrowing() shows');
SELECT is(pg_temp.granted('w1'), '{documents.read}'::rbac.scopeset, 'and has_scope() honours');
SELECT is(pg_temp.visible(), 'docs 2, runs 0', 'and so does RLS: runs.read is gone');
SELECT throws_ok($$ SELECT rbac.add_member('w1', 'nina', 'viewer') $$, '42501', 'permission denied to invite "nina"',
	'and the agent cannot invite even a Viewer: members.invite is outside the narrowing');
SELECT throws_ok($$ SELECT rbac.create_api_key('w1') $$, '42501', NULL, 'nor create a key');

-- ===================================================================
-- Nothing widens it
-- ===================================================================

SELECT is(rbac.narrow('{documents.read,runs.start,runs.read,tenant.settings,members.invite}'), '{documents.read}'::rbac.scopeset,
	'a wider narrow() leaves it as narrow as it was');
SELECT is(rbac.current_narrowing(), '{documents.read}'::rbac.scopeset, 'still documents.read');
SELECT is(pg_temp.granted('w1'), '{documents.read}'::rbac.scopeset, 'and ana reaches no more');

SELECT throws_ok(v.sql, '42501', NULL, 'the agent cannot: ' || btrim(v.sql))
FROM unnest(ARRAY[
	$$ SET rbac.narrowing = '' $$,
	$$ SET LOCAL rbac.narrowing = '{tenant.settings}' $$,
	$$ RESET rbac.narrowing $$,
	$$ SELECT set_config('rbac.narrowing', '', true) $$,
	$$ SELECT set_config('rbac.narrowing', '', false) $$,
	$$ SELECT rbac.set_principal('ana') $$,
	$$ ALTER ROLE rbac_test_narrow_agent SET rbac.narrowing = '' $$,
	$$ CREATE FUNCTION pg_temp.widen() RETURNS void LANGUAGE sql SET rbac.narrowing = '' AS 'SELECT' $$
]) AS v(sql);
SELECT is(rbac.current_narrowing(), '{documents.read}'::rbac.scopeset, 'the narrowing is unchanged');
SELECT is(pg_temp.granted('w1'), '{documents.read}'::rbac.scopeset, 'and so is ana''s reach');
RESET ROLE;

SET LOCAL ROLE rbac_test_narrow_app;
SELECT is(rbac.set_principal('ana'), 'ana', 'the application sets ana again');
SELECT is(pg_temp.granted('w1'), '{documents.read}'::rbac.scopeset, 'she is still narrowed');
SELECT is(rbac.set_principal(NULL), NULL, 'clears the principal');
SELECT is(rbac.set_principal('ana', false), 'ana', 'and sets ana for the session');
SELECT is(pg_temp.granted('w1'), '{documents.read}'::rbac.scopeset, 'she is still narrowed');
SELECT is(rbac.set_principal('olive'), 'olive', 'the application switches to olive, the Owner');
SELECT is(pg_temp.granted('w1'), '{documents.read}'::rbac.scopeset, 'who is narrowed too, for the rest of the transaction');
SELECT is(rbac.authenticate_jwt((SELECT c.token FROM creds AS c)), 'alice', 'a token for alice with no scopes');
SELECT is(pg_temp.granted('w1'), '{documents.read}'::rbac.scopeset, 'is narrowed');
SELECT is(rbac.authenticate_api_key((SELECT c.key FROM creds AS c)), 'alice', 'a key alice made before the narrowing');
SELECT is(pg_temp.granted('w1'), '{documents.read}'::rbac.scopeset, 'is narrowed');
SELECT is(rbac.current_narrowing(), '{documents.read}'::rbac.scopeset, 'the narrowing is what it was');
RESET ROLE;

SELECT is(rbac.set_principal('ana'), 'ana', 'back to ana');
SAVEPOINT after_narrowing;
SELECT is(rbac.current_narrowing(), '{documents.read}'::rbac.scopeset, 'in a savepoint taken after the narrowing');
ROLLBACK TO SAVEPOINT after_narrowing;
RELEASE SAVEPOINT after_narrowing;
SELECT is(rbac.current_narrowing(), '{documents.read}'::rbac.scopeset, 'rolling it back leaves the narrowing');

-- Narrowing from PL/pgSQL, and from a function with SET clauses.
DO $$
BEGIN
	PERFORM rbac.narrow('{documents.read,documents.edit}');
END $$;
SELECT is(rbac.current_narrowing(), '{documents.read}'::rbac.scopeset,
	'a DO block without an exception handler may call narrow(), which still only intersects');
CREATE FUNCTION pg_temp.narrow_in_definer(s rbac.scopeset) RETURNS rbac.scopeset LANGUAGE sql
	SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$ SELECT rbac.narrow(s) $$;
SELECT is(pg_temp.narrow_in_definer('{}'), '{}'::rbac.scopeset,
	'a SECURITY DEFINER function with a SET clause narrows to nothing');
SELECT is(rbac.current_narrowing(), '{}'::rbac.scopeset, 'and the narrowing outlives the function');
SELECT is(pg_temp.granted('w1'), '{}'::rbac.scopeset, 'ana now reaches nothing');
SET LOCAL ROLE rbac_test_narrow_agent;
SELECT is(pg_temp.visible(), 'docs 0, runs 0', 'and the agent reads nothing');
RESET ROLE;

-- ===================================================================
-- RESET ALL (last: it clears this transaction's settings)
-- ===================================================================

SET LOCAL ROLE rbac_test_narrow_agent;
RESET ALL;
SELECT is(rbac.has_scope('documents.read', 'w1') OR rbac.has_scope('tenant.settings', 'w1'), false,
	'after the agent''s RESET ALL, ana reaches nothing (fail closed)');
SELECT ok(rbac.current_narrowing() IS NOT NULL, 'and the narrowing is still in force');
RESET ROLE;
SET LOCAL search_path = public, rbac;
SET LOCAL client_min_messages = warning;
SET LOCAL ROLE rbac_test_narrow_app;
SELECT is(rbac.set_principal('ana'), 'ana', 'so that when the application sets ana again');
SELECT is(rbac.has_scope('tenant.settings', 'w1'), false, 'she is still narrowed: no tenant.settings');
SELECT is(rbac.has_scope('documents.read', 'w1'), false, 'nor even documents.read, narrowed away above');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
