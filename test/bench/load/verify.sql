-- ===================================================================
-- load benchmark: before timing anything, as bench_app
--
-- Logged in as the application role, check that the superuser's
-- rbac.trust_request_jwt = on reached the session, compare every page
-- the pgbench scripts can ask for (and the pages of workspaces the
-- principal reads only in part, or not at all) under every policy with
-- the reference, the principal set both ways, and show the plans the
-- prepared page query gets.
-- ===================================================================

\set ON_ERROR_STOP on
SET client_min_messages = warning;
\pset footer off

DO $$
BEGIN
	PERFORM rbac.current_principal();	-- loads the library and its settings
	IF current_setting('rbac.trust_request_jwt') <> 'on' THEN
		RAISE EXCEPTION 'rbac.trust_request_jwt is % for %, not on', current_setting('rbac.trust_request_jwt'), current_user;
	END IF;
END
$$;

SELECT check_pages() AS pages, (SELECT count(*) FROM wrong_page) AS wrong
\gset
\echo '== Pages checked:' :pages 'under the four tables, the principal set both ways;' :wrong 'differ from the reference.'
\echo '(Every principal''s three workspaces; for every 25th principal also a workspace where it reads nothing'
\echo 'and one where it reads two projects.  The unprotected table is checked only where all may be read.)'

-- The plans the page query gets under -M prepared, once pgbench's
-- prepared statement has gone generic.
BEGIN;
SELECT set_config('request.jwt.claims', claims_for('user_1'), true) \g /dev/null
SET LOCAL plan_cache_mode = force_generic_plan;
PREPARE page_none AS SELECT id, title, created_at FROM documents_none WHERE workspace_id = 'ws_' || $1 ORDER BY created_at DESC LIMIT 50;
PREPARE page_initplan AS SELECT id, title, created_at FROM documents_initplan WHERE workspace_id = 'ws_' || $1 ORDER BY created_at DESC LIMIT 50;
PREPARE page_rbac AS SELECT id, title, created_at FROM documents_rbac WHERE workspace_id = 'ws_' || $1 ORDER BY created_at DESC LIMIT 50;
PREPARE page_has_scope AS SELECT id, title, created_at FROM documents_has_scope WHERE workspace_id = 'ws_' || $1 ORDER BY created_at DESC LIMIT 50;
\echo
\echo '== Plans of the prepared page query (generic plan), for user_1 in ws_38'
\echo '-- no policy'
EXPLAIN (COSTS OFF) EXECUTE page_none('38');
\echo '-- hand-tuned initplan policy'
EXPLAIN (COSTS OFF) EXECUTE page_initplan('38');
\echo '-- rbac: = ANY (rbac.accessible_workspaces(...)) AND rbac.has_scope(...)'
EXPLAIN (COSTS OFF) EXECUTE page_rbac('38');
\echo '-- rbac: rbac.has_scope(...) alone'
EXPLAIN (COSTS OFF) EXECUTE page_has_scope('38');
ROLLBACK;
