-- Row-level security with rbac.has_scope at PostgreSQL's edges.  The rbac
-- principal, never the database role, decides every check: (a) a table's
-- owner bypasses its policies, as PostgreSQL does for owners, until FORCE
-- ROW LEVEL SECURITY, and is then filtered like anyone; (b) a view without
-- security_invoker reads its tables as the view's owner, so through a view
-- owned by the table's owner the policy is bypassed (and filters once
-- FORCE is on), through one owned by another role it filters, and with
-- security_invoker it filters as the caller; has_scope in the view answers
-- for the current principal in every case; (c) has_scope in a SECURITY
-- DEFINER function answers for the current principal, not the function's
-- owner, even an owner named like a principal; (d) SET ROLE, SET LOCAL ROLE
-- and SET SESSION AUTHORIZATION leave the principal as it was, and an
-- ordinary role cannot set it (42501); (e) prepared statements, PL/pgSQL
-- functions and SQL functions reused across principals answer for the
-- principal of each execution, with custom plans, after the switch to a
-- generic plan, and under plan_cache_mode = force_generic_plan.
BEGIN;
SELECT plan(81);
SET LOCAL client_min_messages = warning;

CREATE ROLE rbac_rle_owner NOLOGIN IN ROLE rbac_authenticator;
CREATE ROLE rbac_rle_viewowner NOLOGIN IN ROLE rbac_authenticator;
CREATE ROLE rbac_rle_app NOLOGIN IN ROLE rbac_authenticator;
CREATE ROLE rbac_rle_plain NOLOGIN;
-- A database role whose name is also a principal's, to own a definer function.
CREATE ROLE rle_alice NOLOGIN;

DO $$
BEGIN
	PERFORM rbac.create_workspace('rle_w', 'Edges', 'olive');
	PERFORM rbac.add_member('rle_w', 'alice', 'viewer');
	PERFORM rbac.add_member('rle_w', 'rle_alice', 'viewer');
	PERFORM rbac.create_workspace('rle_x', 'Other', 'xavier');
END $$;

CREATE TABLE public.rle_docs (id int PRIMARY KEY, workspace_id text);
INSERT INTO public.rle_docs VALUES (1, 'rle_w'), (2, 'rle_w'), (3, 'rle_x'), (4, NULL);
ALTER TABLE public.rle_docs OWNER TO rbac_rle_owner;
ALTER TABLE public.rle_docs ENABLE ROW LEVEL SECURITY;
CREATE POLICY rle_read ON public.rle_docs FOR SELECT USING (rbac.has_scope('documents.read', workspace_id));
GRANT SELECT ON public.rle_docs TO rbac_rle_app, rbac_rle_viewowner, rbac_rle_plain;

-- The ids a query returns (its first column, an id) after setting the
-- principal for the transaction; runs as whoever calls it.
CREATE FUNCTION pg_temp.ids(principal text, query text) RETURNS int[] LANGUAGE plpgsql AS $$
DECLARE
	result int[];
BEGIN
	PERFORM rbac.set_principal(principal);
	EXECUTE format('SELECT coalesce(array_agg(q.id ORDER BY q.id), ''{}'') FROM (%s) AS q', query) INTO result;
	RETURN result;
END $$;

-- Who sees what through the policy, for every principal below:
--   alice, olive: Viewer and Owner of rle_w       -> {1,2}
--   xavier: Owner of rle_x                         -> {3}
--   bob, and no principal at all                   -> {}
-- Row 4 has no workspace: only a bypass shows it.

-- ===================================================================
-- (a) The table's owner, without and with FORCE ROW LEVEL SECURITY
-- ===================================================================

SET LOCAL ROLE rbac_rle_owner;
SELECT is(pg_temp.ids(v.p, 'SELECT id FROM public.rle_docs'), v.expected, v.description)
FROM (VALUES
	('alice', '{1,2,3,4}'::int[], 'the table owner bypasses the policy (PostgreSQL: owners are exempt without FORCE): alice'),
	('bob', '{1,2,3,4}', 'and for bob, who holds nothing, the owner still sees every row'),
	(NULL, '{1,2,3,4}', 'and with no principal at all')
) AS v(p, expected, description);
RESET ROLE;
SET LOCAL ROLE rbac_rle_app;
SELECT is(pg_temp.ids(v.p, 'SELECT id FROM public.rle_docs'), v.expected, v.description)
FROM (VALUES
	('alice', '{1,2}'::int[], 'a role that does not own the table is filtered: alice'),
	('xavier', '{3}', 'xavier'),
	('bob', '{}', 'bob')
) AS v(p, expected, description);
RESET ROLE;

ALTER TABLE public.rle_docs FORCE ROW LEVEL SECURITY;
SET LOCAL ROLE rbac_rle_owner;
SELECT is(pg_temp.ids(v.p, 'SELECT id FROM public.rle_docs'), v.expected, v.description)
FROM (VALUES
	('alice', '{1,2}'::int[], 'with FORCE ROW LEVEL SECURITY the owner is filtered by the principal: alice'),
	('olive', '{1,2}', 'olive'),
	('xavier', '{3}', 'xavier'),
	('bob', '{}', 'bob'),
	(NULL, '{}', 'no principal')
) AS v(p, expected, description);
RESET ROLE;
SELECT is(pg_temp.ids('bob', 'SELECT id FROM public.rle_docs'), '{1,2,3,4}',
	'a superuser bypasses row-level security even with FORCE (PostgreSQL), whatever the principal');

-- ===================================================================
-- (b) Views: as the view's owner, or with security_invoker as the caller
-- ===================================================================

ALTER TABLE public.rle_docs NO FORCE ROW LEVEL SECURITY;
CREATE VIEW public.rle_by_table_owner AS
	SELECT id, rbac.has_scope('documents.read', workspace_id) AS readable FROM public.rle_docs;
ALTER VIEW public.rle_by_table_owner OWNER TO rbac_rle_owner;
CREATE VIEW public.rle_by_other_owner AS
	SELECT id, rbac.has_scope('documents.read', workspace_id) AS readable FROM public.rle_docs;
ALTER VIEW public.rle_by_other_owner OWNER TO rbac_rle_viewowner;
CREATE VIEW public.rle_as_invoker WITH (security_invoker = true) AS
	SELECT id, rbac.has_scope('documents.read', workspace_id) AS readable FROM public.rle_docs;
ALTER VIEW public.rle_as_invoker OWNER TO rbac_rle_owner;
GRANT SELECT ON public.rle_by_table_owner, public.rle_by_other_owner, public.rle_as_invoker
	TO rbac_rle_app, rbac_rle_owner;

SET LOCAL ROLE rbac_rle_app;
SELECT is(pg_temp.ids(v.p, v.query), v.expected, v.description)
FROM (VALUES
	('alice', 'SELECT id FROM public.rle_by_table_owner', '{1,2,3,4}'::int[],
		'a view owned by the table''s owner, without security_invoker, reads as that owner and bypasses the policy: alice'),
	('bob', 'SELECT id FROM public.rle_by_table_owner', '{1,2,3,4}', 'and bob'),
	('alice', 'SELECT id FROM public.rle_by_table_owner WHERE readable', '{1,2}',
		'but has_scope in that view answers for the current principal: alice'),
	('xavier', 'SELECT id FROM public.rle_by_table_owner WHERE readable', '{3}', 'xavier'),
	('bob', 'SELECT id FROM public.rle_by_table_owner WHERE readable', '{}', 'bob'),
	('alice', 'SELECT id FROM public.rle_by_other_owner', '{1,2}'::int[],
		'a view owned by another role, without security_invoker, is filtered as its owner, by the current principal: alice'),
	('xavier', 'SELECT id FROM public.rle_by_other_owner', '{3}', 'xavier'),
	('bob', 'SELECT id FROM public.rle_by_other_owner', '{}', 'bob'),
	('alice', 'SELECT id FROM public.rle_as_invoker', '{1,2}',
		'a security_invoker view is filtered as the caller, by the current principal: alice'),
	('xavier', 'SELECT id FROM public.rle_as_invoker', '{3}', 'xavier'),
	('bob', 'SELECT id FROM public.rle_as_invoker', '{}', 'bob'),
	('alice', 'SELECT id FROM public.rle_as_invoker WHERE readable', '{1,2}',
		'and has_scope in it answers for the current principal too')
) AS v(p, query, expected, description);
RESET ROLE;
SET LOCAL ROLE rbac_rle_owner;
SELECT is(pg_temp.ids('bob', 'SELECT id FROM public.rle_as_invoker'), '{1,2,3,4}',
	'a security_invoker view called by the table''s owner bypasses the policy as the owner would');
RESET ROLE;

ALTER TABLE public.rle_docs FORCE ROW LEVEL SECURITY;
SET LOCAL ROLE rbac_rle_app;
SELECT is(pg_temp.ids(v.p, 'SELECT id FROM public.rle_by_table_owner'), v.expected, v.description)
FROM (VALUES
	('alice', '{1,2}'::int[], 'with FORCE on the table, the table owner''s view is filtered by the current principal: alice'),
	('xavier', '{3}', 'xavier'),
	('bob', '{}', 'bob')
) AS v(p, expected, description);
RESET ROLE;
ALTER TABLE public.rle_docs NO FORCE ROW LEVEL SECURITY;

-- ===================================================================
-- (c) has_scope inside SECURITY DEFINER functions
-- ===================================================================

CREATE FUNCTION public.rle_reads(ws text) RETURNS boolean
	LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
	AS $$ SELECT rbac.has_scope('documents.read', ws) $$;
CREATE FUNCTION public.rle_reads_plpgsql(ws text) RETURNS boolean
	LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
	AS $$ BEGIN RETURN rbac.has_scope('documents.read', ws); END $$;
CREATE FUNCTION public.rle_who() RETURNS text
	LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
	AS $$ SELECT current_user || ' acting for ' || coalesce(rbac.current_principal(), '(none)') $$;
CREATE TEMP TABLE rle_definers (f text, owner name);
INSERT INTO rle_definers VALUES
	('rle_reads', 'rbac_rle_owner'), ('rle_reads_plpgsql', 'rbac_rle_owner'),
	('rle_reads', session_user), ('rle_reads', 'rle_alice');
ALTER FUNCTION public.rle_who() OWNER TO rle_alice;
GRANT SELECT ON rle_definers TO rbac_rle_app;

-- The same definer function, owned by each owner in turn, for each principal.
CREATE FUNCTION pg_temp.definer_answers(f text, owner name, principal text) RETURNS boolean
	LANGUAGE plpgsql AS $$
DECLARE
	result boolean;
BEGIN
	EXECUTE format('ALTER FUNCTION public.%I(text) OWNER TO %I', f, owner);
	SET LOCAL ROLE rbac_rle_app;
	PERFORM rbac.set_principal(principal);
	EXECUTE format('SELECT public.%I(%L)', f, 'rle_w') INTO result;
	RESET ROLE;
	RETURN result;
END $$;

SELECT is(pg_temp.definer_answers(x.f, x.owner, x.principal), x.expected,
	format('%s owned by %s, called for %s, answers for %s', x.f,
	       CASE WHEN x.owner = session_user THEN 'a superuser' ELSE x.owner END,
	       coalesce(x.principal, 'no principal'), coalesce(x.principal, 'no one')))
FROM (SELECT d.f, d.owner, p.principal, p.expected FROM rle_definers AS d
      CROSS JOIN (VALUES ('alice', true), ('bob', false), ('xavier', false), (NULL, false)) AS p(principal, expected)
      ORDER BY d.f, d.owner, p.principal) AS x;

SET LOCAL ROLE rbac_rle_app;
SELECT FROM rbac.set_principal('bob');
SELECT is(public.rle_who(), 'rle_alice acting for bob',
	'inside a definer owned by a role named like a principal, current_user changes and the principal stays');
RESET ROLE;

-- ===================================================================
-- (d) Changing the database role never changes the principal
-- ===================================================================

SELECT FROM rbac.set_principal('alice');
SET LOCAL ROLE rbac_rle_plain;
SELECT is(rbac.current_principal() || ' ' || rbac.has_scope('documents.read', 'rle_w'), 'alice true',
	'SET LOCAL ROLE to an ordinary role keeps the principal and its answers');
SET LOCAL ROLE rbac_rle_owner;
SELECT is(rbac.current_principal() || ' ' || rbac.has_scope('documents.read', 'rle_w'), 'alice true',
	'SET LOCAL ROLE to the table''s owner keeps them');
RESET ROLE;
SET ROLE rbac_rle_app;
SELECT is(rbac.current_principal() || ' ' || rbac.has_scope('documents.read', 'rle_w'), 'alice true',
	'SET ROLE (session) keeps them');
RESET ROLE;
SET SESSION AUTHORIZATION rbac_rle_plain;
SELECT is(rbac.current_principal() || ' ' || rbac.has_scope('documents.read', 'rle_w'), 'alice true',
	'SET SESSION AUTHORIZATION keeps them');
RESET SESSION AUTHORIZATION;
SELECT is(rbac.current_principal(), 'alice', 'and going back keeps them');

SET LOCAL ROLE rbac_rle_plain;
SELECT throws_ok(v.sql, '42501', NULL, v.description)
FROM (VALUES
	($$ SET LOCAL rbac.principal = 'xavier' $$, 'after SET ROLE, an ordinary role cannot SET LOCAL rbac.principal'),
	($$ SELECT set_config('rbac.principal', 'xavier', true) $$, 'nor set_config it'),
	($$ SELECT rbac.set_principal('xavier') $$, 'nor call set_principal')
) AS v(sql, description);
RESET ROLE;
ALTER TABLE public.rle_docs OWNER TO rbac_rle_plain;
SET LOCAL ROLE rbac_rle_plain;
SELECT throws_ok($$ SET LOCAL rbac.principal = 'xavier' $$, '42501', NULL,
	'owning the table gives no right to set the principal');
SELECT is(rbac.current_principal(), 'alice', 'the principal is still alice');
RESET ROLE;
ALTER TABLE public.rle_docs OWNER TO rbac_rle_owner;

-- ===================================================================
-- (e) Plans reused across principals
-- ===================================================================

SET LOCAL ROLE rbac_rle_app;
PREPARE rle_rows AS SELECT coalesce(array_agg(id ORDER BY id), '{}') AS ids FROM public.rle_docs;
PREPARE rle_rows_in(text) AS
	SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM public.rle_docs WHERE workspace_id = $1;
PREPARE rle_check(text) AS SELECT rbac.has_scope('documents.read', $1);
PREPARE rle_check_const AS SELECT rbac.has_scope('documents.read', 'rle_w');
-- PL/pgSQL keeps the plan of a query and the state of a simple expression
-- for the whole transaction; a SQL function is inlined.
CREATE FUNCTION pg_temp.rle_rows_plpgsql() RETURNS int[] LANGUAGE plpgsql AS $$
BEGIN
	RETURN (SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM public.rle_docs);
END $$;
CREATE FUNCTION pg_temp.rle_check_plpgsql(ws text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
	RETURN rbac.has_scope('documents.read', ws);
END $$;
CREATE FUNCTION pg_temp.rle_check_sql(ws text) RETURNS boolean LANGUAGE sql STABLE AS $$
	SELECT rbac.has_scope('documents.read', ws)
$$;

-- Each step sets a principal and runs every form once; 9 steps per plan
-- cache mode, so the plans have been run more than 5 times by the end.
CREATE TEMP TABLE rle_steps (step int, principal text, ids int[], reads boolean);
INSERT INTO rle_steps VALUES
	(1, 'alice', '{1,2}', true), (2, 'bob', '{}', false), (3, 'xavier', '{3}', false),
	(4, 'alice', '{1,2}', true), (5, NULL, '{}', false), (6, 'olive', '{1,2}', true),
	(7, 'bob', '{}', false), (8, 'alice', '{1,2}', true), (9, 'xavier', '{3}', false);

-- The answers of every form at one step, as text, to compare with the
-- principal's own.
CREATE FUNCTION pg_temp.all_forms(principal text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	rows_ int[];
	rows_in int[];
	check_ boolean;
	check_const boolean;
BEGIN
	PERFORM rbac.set_principal(principal);
	EXECUTE 'EXECUTE rle_rows' INTO rows_;
	EXECUTE 'EXECUTE rle_rows_in(''rle_w'')' INTO rows_in;
	EXECUTE 'EXECUTE rle_check(''rle_w'')' INTO check_;
	EXECUTE 'EXECUTE rle_check_const' INTO check_const;
	RETURN format('prepared %s %s %s %s, plpgsql %s %s, sql %s', rows_, rows_in, check_, check_const,
		pg_temp.rle_rows_plpgsql(), pg_temp.rle_check_plpgsql('rle_w'), pg_temp.rle_check_sql('rle_w'));
END $$;
CREATE FUNCTION pg_temp.expected_forms(ids int[], reads boolean) RETURNS text LANGUAGE sql AS $$
	SELECT format('prepared %s %s %s %s, plpgsql %s %s, sql %s',
		ids, (SELECT coalesce(array_agg(i ORDER BY i), '{}') FROM unnest(ids) AS i WHERE i IN (1, 2)),
		reads, reads, ids, reads, reads)
$$;

SELECT is(pg_temp.all_forms(s.principal), pg_temp.expected_forms(s.ids, s.reads),
	format('plan_cache_mode auto, step %s: every form answers for %s', s.step, coalesce(s.principal, 'no principal')))
FROM (SELECT * FROM rle_steps ORDER BY step) AS s;
SET LOCAL plan_cache_mode = force_generic_plan;
SELECT is(pg_temp.all_forms(s.principal), pg_temp.expected_forms(s.ids, s.reads),
	format('force_generic_plan, step %s: every form answers for %s', s.step, coalesce(s.principal, 'no principal')))
FROM (SELECT * FROM rle_steps ORDER BY step) AS s;
-- And at the top level, as an application runs them.
SELECT FROM rbac.set_principal('alice');
EXECUTE rle_rows \gset
SELECT is(:'ids'::text, '{1,2}', 'a top-level EXECUTE of the generic plan answers for alice');
SELECT FROM rbac.set_principal('bob');
EXECUTE rle_rows \gset
SELECT is(:'ids'::text, '{}', 'the next one for bob');
SELECT FROM rbac.set_principal('xavier');
EXECUTE rle_rows \gset
SELECT is(:'ids'::text, '{3}', 'the next one for xavier');
SELECT FROM rbac.set_principal('alice');
EXECUTE rle_rows \gset
SELECT is(:'ids'::text, '{1,2}', 'and the next one for alice again');
SELECT ok((SELECT bool_and(generic_plans >= 9) FROM pg_prepared_statements WHERE name LIKE 'rle\_%'),
	'the prepared statements really ran generic plans');
SELECT ok((SELECT bool_and(custom_plans >= 5) FROM pg_prepared_statements WHERE name IN ('rle_rows_in', 'rle_check')),
	'and, those with parameters, custom plans before that');

-- A revoke between two runs of the same generic plans is seen by the next.
RESET ROLE;
SELECT FROM rbac.set_principal(NULL);
SELECT FROM rbac.revoke('alice', 'viewer', 'rle_w');
SET LOCAL ROLE rbac_rle_app;
SELECT is(pg_temp.all_forms('alice'), pg_temp.expected_forms('{}', false),
	'after alice''s grant is revoked, every reused plan answers no for her');
SELECT is(pg_temp.all_forms('olive'), pg_temp.expected_forms('{1,2}', true),
	'and still answers for olive');
RESET ROLE;
DEALLOCATE rle_rows;
DEALLOCATE rle_rows_in;
DEALLOCATE rle_check;
DEALLOCATE rle_check_const;

SELECT * FROM finish();
ROLLBACK;
